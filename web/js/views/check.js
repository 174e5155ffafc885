/*
 * views/check.js - the first-line check, the screen an officer lives on.
 *
 * One input takes the MRZ as a scanner types it (lines ending with Enter),
 * as pasted, or typed by hand; a fold-out form takes the fields instead.
 * The result card shows the decision aid (colour, icon, words and every
 * reason), the document's validity and problems, the hits with which name
 * part met which, the action to take, the stay days and the minor flag.
 * Shortcuts: Alt+A admit, Alt+R refuse (reason codes A-I picked with
 * their letter keys), Alt+S refer to second line, Alt+D record a
 * detection, Alt+P the child-protection and trafficking indicator
 * checklist (protect.js), Alt+G travelling with the previous travellers,
 * Esc next traveller; the same letters without Alt once the result card has the
 * focus.
 *
 * With POST /v1/checks (issue 5) one call does everything and decisions
 * are recorded.  Until that route exists the screen composes POST
 * /v1/documents/mrz and POST /v1/screen, works out a provisional aid in the
 * browser, says so, and keeps the decision buttons disabled.
 *
 * State lives in this module so that a language switch or a new login
 * after the session ran out redraws the same check; logging out clears it.
 */
import { h, clear, facts } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api, ApiError, hasRoute } from '../api.js';
import { mrzLines, isCompleteZone, zoneText } from '../mrz-input.js';
import { normaliseCheck, composeCheck } from '../check-model.js';
import { routeCode } from './common.js';
import { openChecklist, openCaseButton } from '../protect.js';

const POST_KEY = 'limes.post';
const DEFAULT_CODES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];

const state = {
  text: '',          /* what is in the MRZ input */
  manual: null,      /* fields typed by hand, when that form is open */
  busy: false,
  result: null,      /* the normalised check (check-model.js) */
  error: null,       /* {key, detail} */
  decision: null,    /* {kind, codes, reason} once recorded */
  refusalCodes: null,
  together: false,   /* the next traveller travels with the previous ones */
  group: [],         /* ids of the checks of the current travelling group */
  detections: [],    /* kinds recorded on the current check */
  detectionCodes: null,
  bcps: null,        /* crossing points, from GET /v1/bcps */
};

let root = null;
let ctx = null;
let input = null;
let keyHandler = null;

window.addEventListener('limes:logout', () => {
  Object.assign(state, { text: '', manual: null, result: null, error: null, decision: null, bcps: null, together: false, group: [] });
});

function post() {
  try { return JSON.parse(localStorage.getItem(POST_KEY)) || { bcp: '', direction: 'entry' }; } catch (e) { return { bcp: '', direction: 'entry' }; }
}
function savePost(p) { localStorage.setItem(POST_KEY, JSON.stringify(p)); }

function checksAvailable() { return hasRoute('POST /v1/checks'); }
function decisionsAvailable() { return hasRoute('POST /v1/checks/{id}/decision'); }
function parseAvailable() { return hasRoute('POST /v1/documents/mrz'); }
function screenAvailable() { return hasRoute('POST /v1/screen'); }

export function render(main, context) {
  root = main;
  ctx = context;
  draw();
  if (keyHandler) document.removeEventListener('keydown', keyHandler);
  keyHandler = onKey;
  document.addEventListener('keydown', keyHandler);
  loadBcps();
}

function draw() {
  if (!root || !root.isConnected) return;
  clear(root);
  root.append(h('div', { class: 'check-layout' }, drawInputPanel(), drawResultPanel()));
  if (!state.busy && !state.result) input.focus();
}

/* ---- the input ---- */

function drawInputPanel() {
  const p = post();
  input = h('textarea', {
    id: 'mrz', class: 'mrz-input', dir: 'ltr', spellcheck: 'false', autocomplete: 'off',
    autocapitalize: 'characters', rows: '3', 'aria-describedby': 'mrz-hint', value: state.text,
    oninput: onInput, onkeydown: onInputKey,
  });
  input.value = state.text;
  const notes = [];
  if (!checksAvailable()) {
    notes.push(h('div', { class: 'note', id: 'check-interim' },
      h('p', {}, parseAvailable() ? t('check.interim') : t('check.unavailable')),
      routeCode(parseAvailable() ? 'POST /v1/checks' : 'POST /v1/documents/mrz')));
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'check-title' },
    h('h1', { id: 'check-title' }, t('check.title')),
    notes,
    h('div', { class: 'field-row' },
      h('div', { class: 'field' },
        h('label', { for: 'bcp' }, t('check.bcp')), bcpControl(p)),
      h('div', { class: 'field' },
        h('label', { for: 'direction' }, t('check.direction')),
        h('select', { id: 'direction', onchange: (e) => savePost({ ...post(), direction: e.target.value }) },
          ['entry', 'exit'].map((d) => h('option', { value: d, selected: p.direction === d }, t('check.direction.' + d))))),
      h('div', { class: 'field' },
        h('label', { for: 'travel-mode' }, t('check.travel_mode')),
        h('select', { id: 'travel-mode', onchange: (e) => savePost({ ...post(), mode: e.target.value }) },
          ['', 'flight', 'vessel', 'vehicle'].map((m) => h('option', { value: m, selected: (p.mode || '') === m }, t('check.travel_mode.' + (m || 'none')))))),
      h('div', { class: 'field' },
        h('label', { for: 'travel-ref' }, t('check.travel_ref')),
        h('input', { id: 'travel-ref', dir: 'ltr', value: p.ref || '', autocomplete: 'off', maxlength: '64',
          oninput: (e) => savePost({ ...post(), ref: e.target.value.trim().toUpperCase() }) }))),
    h('label', { class: 'group-toggle' },
      h('input', { type: 'checkbox', id: 'group', checked: state.together,
        onchange: (e) => { state.together = e.target.checked; } }),
      h('span', { id: 'group-label' }, t('check.together', { n: i18n.number(state.group.length) })), ' ', h('kbd', {}, 'Alt+G')),
    h('div', { class: 'field' },
      h('label', { for: 'mrz' }, t('check.mrz_label')),
      input,
      h('p', { class: 'hint', id: 'mrz-hint' }, t('check.mrz_hint'))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', id: 'check-submit', disabled: !parseAvailable() && !checksAvailable(),
        onclick: () => submitZone() }, t('check.submit'), ' ', h('kbd', {}, t('key.ctrl_enter'))),
      h('button', { type: 'button', id: 'check-clear', onclick: () => nextTraveller() }, t('check.next'), ' ', h('kbd', {}, t('key.esc')))),
    drawManual(),
    h('div', { class: 'shortcuts', 'aria-label': t('check.shortcuts') },
      h('span', {}, h('kbd', {}, 'Alt+A'), ' ', t('decision.admit')),
      mayRefuse() ? h('span', {}, h('kbd', {}, 'Alt+R'), ' ', t('decision.refuse')) : null,
      h('span', {}, h('kbd', {}, 'Alt+S'), ' ', t('decision.refer')),
      hasRoute('POST /v1/detections') ? h('span', {}, h('kbd', {}, 'Alt+D'), ' ', t('detection.record')) : null,
      hasRoute('POST /v1/assessments') ? h('span', {}, h('kbd', {}, 'Alt+P'), ' ', t('protect.open_checklist')) : null,
      h('span', {}, h('kbd', {}, t('key.esc')), ' ', t('check.next'))));
}

/* The crossing points from GET /v1/bcps, named in the page's language. */
function bcpControl(p) {
  if (!state.bcps) {
    return h('input', { id: 'bcp', value: p.bcp, dir: 'ltr', autocomplete: 'off',
      oninput: (e) => savePost({ ...post(), bcp: e.target.value.trim().toUpperCase() }) });
  }
  if (!state.bcps.length) return h('p', { id: 'bcp', class: 'error-text' }, t('check.no_bcp'));
  const chosen = state.bcps.some((b) => b.code === p.bcp) ? p.bcp : state.bcps[0].code;
  if (chosen !== p.bcp) savePost({ ...p, bcp: chosen });
  return h('select', { id: 'bcp', onchange: (e) => savePost({ ...post(), bcp: e.target.value }) },
    state.bcps.map((b) => h('option', { value: b.code, selected: b.code === chosen },
      (b['name_' + i18n.lang()] || b.name_en) + ' \u2014 \u2066' + b.code + '\u2069')));
}

async function loadBcps() {
  if (state.bcps || !hasRoute('GET /v1/bcps')) return;
  try {
    const res = await api('GET', '/v1/bcps');
    state.bcps = res.bcps || [];
    draw();
  } catch (e) { /* the free-text field stays */ }
}

function drawManual() {
  const m = state.manual || {};
  const field = (name, attrs) => h('div', { class: 'field' },
    h('label', { for: 'f-' + name }, t('field.' + name)),
    h('input', { id: 'f-' + name, name, value: m[name] || '', autocomplete: 'off', ...attrs,
      oninput: (e) => { state.manual = { ...(state.manual || {}), [name]: e.target.value }; } }));
  return h('details', { class: 'manual', open: state.manual !== null,
    ontoggle: (e) => { if (e.target.open && state.manual === null) state.manual = {}; } },
  h('summary', {}, t('check.manual')),
  h('form', { id: 'manual-form', onsubmit: (e) => { e.preventDefault(); submitManual(); } },
    h('div', { class: 'field-row' },
      field('primary_identifier'), field('secondary_identifier'),
      field('document_number', { dir: 'ltr' }), field('issuing_state', { dir: 'ltr', maxlength: '3' }),
      field('nationality', { dir: 'ltr', maxlength: '3' }), field('birth_date', { type: 'date' }),
      h('div', { class: 'field' }, h('label', { for: 'f-sex' }, t('field.sex')),
        h('select', { id: 'f-sex', onchange: (e) => { state.manual = { ...(state.manual || {}), sex: e.target.value }; } },
          ['', 'F', 'M', 'X'].map((s) => h('option', { value: s, selected: (m.sex || '') === s }, s ? t('sex.' + s) : t('sex.unknown'))))),
      field('expiry_date', { type: 'date' })),
    h('button', { type: 'submit', class: 'primary', disabled: !screenAvailable() && !checksAvailable() }, t('check.submit_manual'))));
}

function onInput(e) {
  state.text = input.value;
  if (e.inputType === 'insertFromPaste' && isCompleteZone(mrzLines(state.text), true)) submitZone();
}

function onInputKey(e) {
  if (e.key !== 'Enter' || e.altKey || e.shiftKey) return;
  if (e.ctrlKey || e.metaKey) { e.preventDefault(); submitZone(); return; }
  /* The scanner's Enter: complete zone -> check now; otherwise a new line. */
  const lines = mrzLines(input.value);
  if (isCompleteZone(lines, false)) { e.preventDefault(); submitZone(); }
}

/* ---- running a check ---- */

async function submitZone() {
  const zone = zoneText(input ? input.value : state.text);
  if (!zone) { input.focus(); return; }
  state.text = input.value;
  await run({ mrz: zone });
}

async function submitManual() {
  const m = state.manual || {};
  const fields = {};
  for (const [k, v] of Object.entries(m)) if (v) fields[k] = String(v).trim().toUpperCase();
  await run({ fields });
}

/* Typed fields as POST /v1/checks takes them: a person and a document. */
function checkFields(f) {
  const pick = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v));
  return {
    person: pick({ surname: f.primary_identifier, given_names: f.secondary_identifier, birth_date: f.birth_date, sex: f.sex, nationality: f.nationality }),
    document: pick({ issuer: f.issuing_state, number: f.document_number, expiry_date: f.expiry_date }),
  };
}

async function run(doc) {
  state.busy = true;
  state.error = null;
  state.decision = null;
  state.result = null;
  state.detections = [];
  const started = performance.now();
  drawResultOnly();
  try {
    const p = post();
    if (checksAvailable()) {
      const body = { direction: p.direction };
      if (p.bcp) body.bcp = p.bcp;
      if (p.mode) body.travel = { mode: p.mode, ...(p.ref ? { ref: p.ref } : {}) };
      if (state.together && state.group.length) body.companions = state.group.slice(-32);
      if (doc.mrz) body.mrz = doc.mrz; else Object.assign(body, checkFields(doc.fields));
      state.result = normaliseCheck(await api('POST', '/v1/checks', body), doc.fields || null);
    } else {
      state.result = await composeCheck(doc, { api, screen: screenAvailable() });
    }
    state.result.elapsedMs = performance.now() - started;
    /* the travelling group: this check joins it, or starts a new one */
    if (state.result.id !== null && state.result.id !== undefined) {
      state.group = state.together ? state.group.concat([state.result.id]) : [state.result.id];
      const label = document.getElementById('group-label');
      if (label) label.textContent = t('check.together', { n: i18n.number(state.group.length) });
    }
    ctx.announce(t('aid.' + state.result.aid.level));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { state.busy = false; return; }
    state.error = errorOf(e);
  }
  state.busy = false;
  drawResultOnly();
  const card = document.getElementById('result');
  if (card) {
    /* from the Enter to the card in the page, drawing included */
    card.dataset.elapsed = String(Math.round(performance.now() - started));
    card.focus();
  }
}

function errorOf(e) {
  if (!(e instanceof ApiError)) return { key: 'error.generic', detail: String(e.message || e) };
  if (e.status === 0) return { key: 'error.network' };
  if (e.status === 403) return { key: 'error.forbidden' };
  return { key: 'error.request', detail: e.problem.detail || e.problem.title || '', field: e.problem.field };
}

function nextTraveller() {
  state.text = '';
  state.result = null;
  state.error = null;
  state.decision = null;
  state.detections = [];
  state.manual = state.manual ? {} : null;
  draw();
  input.focus();
}

/* ---- the result card ---- */

function drawResultOnly() {
  const old = document.getElementById('result-panel');
  if (old) old.replaceWith(drawResultPanel()); else draw();
}

function drawResultPanel() {
  const panel = h('section', { id: 'result-panel', 'aria-live': 'polite', 'aria-busy': String(state.busy) });
  if (state.busy) return append(panel, h('p', { class: 'panel' }, t('check.working')));
  if (state.error) {
    return append(panel, h('div', { class: 'panel', role: 'alert', id: 'check-error' },
      h('p', { class: 'error-text' }, t(state.error.key)),
      state.error.detail ? h('p', { class: 'latin' }, state.error.field ? state.error.field + ': ' : '', state.error.detail) : null));
  }
  if (!state.result) return append(panel, h('p', { class: 'panel empty' }, t('check.waiting')));
  return append(panel, drawCard(state.result));
}

function append(el, child) { el.append(child); return el; }

function drawCard(r) {
  const level = r.aid.level;
  const icon = { clear: '\u2713', attention: '!', stop: '\u2715' }[level];
  return h('article', { class: 'result', id: 'result', tabindex: '-1', 'data-aid': level, 'data-check': r.id ?? '', 'data-elapsed': r.elapsedMs !== undefined ? Math.round(r.elapsedMs) : '', 'aria-labelledby': 'aid-title' },
    h('div', { class: 'aid aid-' + level },
      h('h2', { id: 'aid-title' }, h('span', { class: 'aid-icon', 'aria-hidden': 'true' }, icon), t('aid.' + level)),
      r.aid.reasons.length ? h('ul', { id: 'aid-reasons' }, r.aid.reasons.map((x) => h('li', { 'data-code': x.code || x.key || '' },
        x.level ? h('strong', {}, t('aid.' + x.level), t('punct.colon')) : null, reasonText(x),
        x.detail ? h('span', { class: 'reason-detail' }, h('bdi', { dir: 'ltr', lang: 'en' }, x.detail)) : null))) : null,
      r.provisional ? h('p', { class: 'hint', id: 'aid-provisional' }, t('check.provisional')) : null),
    h('div', { class: 'result-body' },
      drawDocument(r.document),
      drawHits(r.hits),
      drawStay(r.stay, r.minor),
      r.elapsedMs !== undefined ? h('p', { class: 'hint' }, t('check.elapsed', { ms: i18n.number(Math.round(r.elapsedMs)) })) : null),
    drawDecision(r));
}

/* A reason from the server ({code, message}) or the browser ({key, vars}). */
function reasonText(x) {
  if (typeof x === 'string') return i18n.has('reason.' + x) ? t('reason.' + x) : x;
  if (x.key) return t(x.key, x.vars);
  if (x.code && i18n.has('reason.' + x.code)) return t('reason.' + x.code);
  return x.code || '';
}

function drawDocument(d) {
  if (!d) return null;
  const validity = d.valid === true ? h('span', { class: 'badge ok', id: 'doc-valid' }, t('doc.valid'))
    : d.valid === false ? h('span', { class: 'badge bad', id: 'doc-valid' }, t('doc.invalid'))
      : h('span', { class: 'badge warn', id: 'doc-valid' }, t('doc.unverified'));
  const name = [d.primary_identifier, d.secondary_identifier].filter(Boolean).join(', ');
  return h('section', { 'aria-labelledby': 'doc-title', id: 'doc' },
    h('h3', { id: 'doc-title' }, t('doc.title'), ' ', validity),
    facts([
      [t('field.name'), name ? h('span', { class: 'latin', dir: 'ltr' }, name) : ''],
      [t('field.document_number'), d.document_number ? h('span', { class: 'latin', dir: 'ltr' }, d.document_number) : ''],
      [t('field.format'), d.format ? t('format.' + d.format) : ''],
      [t('field.issuing_state'), i18n.countryWithCode(d.issuing_state)],
      [t('field.nationality'), i18n.countryWithCode(d.nationality)],
      [t('field.birth_date'), i18n.date(d.birth_date)],
      [t('field.sex'), d.sex ? t('sex.' + d.sex) : ''],
      [t('field.expiry_date'), i18n.date(d.expiry_date)],
    ]),
    d.problems && d.problems.length ? h('ul', { class: 'problems', id: 'doc-problems' }, d.problems.map((p) =>
      h('li', { class: p.severity === 'warning' ? 'warning' : 'error', 'data-code': p.code },
        h('strong', {}, i18n.has('problem.' + p.code) ? t('problem.' + p.code) : p.code),
        p.field ? [' \u2014 ', i18n.has('field.' + p.field) ? t('field.' + p.field) : p.field] : null,
        p.line ? [' ', t('doc.position', { line: i18n.number(p.line), column: i18n.number(p.column || 0) })] : null,
        p.suggestion ? [' ', t('doc.suggestion'), ' ', h('code', { dir: 'ltr' }, p.suggestion)] : null,
        p.message ? h('div', { class: 'hint latin', dir: 'ltr' }, p.message) : null))) : null);
}

function drawHits(hits) {
  return h('section', { 'aria-labelledby': 'hits-title', id: 'hits' },
    h('h3', { id: 'hits-title' }, t('hits.title', { n: i18n.number(hits.length) })),
    hits.length === 0 ? h('p', { id: 'no-hits' }, t('hits.none'))
      : h('ul', { class: 'hits' }, hits.map(drawHit)));
}

function drawHit(hit, i) {
  return h('li', { class: hit.alert ? 'hit' : 'hit hit-quiet', 'data-list': hit.list || '', id: 'hit-' + i },
    h('div', { class: 'hit-head' },
      h('strong', {}, t('hits.kind.' + hit.kind)),
      hit.suppressed ? h('span', { class: 'badge ok' }, t('hits.suppressed')) : !hit.alert ? h('span', { class: 'badge warn' }, t('hits.below_threshold')) : null,
      hit.name ? h('span', { class: 'latin', dir: 'auto' }, hit.name) : null,
      h('span', {}, t('hits.list'), ' ', h('span', { class: 'latin' }, hit.list || ''), hit.ref ? [' \u00b7 ', h('span', { class: 'latin' }, hit.ref)] : null),
      hit.score !== null ? h('span', {}, t('hits.score'), ' ', i18n.percent(hit.score)) : null),
    hit.action ? h('p', { class: 'hit-action' }, t('hits.action'), ' ',
      i18n.has('action.' + hit.action) ? t('action.' + hit.action) : hit.action) : null,
    hit.status ? h('p', {}, t('hits.document_status'), ' ', i18n.has('docstatus.' + hit.status) ? t('docstatus.' + hit.status) : hit.status) : null,
    hit.tokens.length ? h('table', { class: 'explain' },
      h('caption', { class: 'sr-only' }, t('hits.explanation')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('hits.traveller_part')), h('th', { scope: 'col' }, t('hits.entry_part')),
        h('th', { scope: 'col' }, t('hits.how')), h('th', { scope: 'col' }, t('hits.score')))),
      h('tbody', {}, hit.tokens.map((tok) => h('tr', { class: 'token-pair' },
        h('td', { dir: 'auto' }, tok.query || '\u2014'), h('td', { dir: 'auto' }, tok.entry || '\u2014'),
        h('td', {}, i18n.has('how.' + tok.how) ? t('how.' + tok.how) : (tok.how || '')),
        h('td', { class: 'num' }, tok.score !== null ? i18n.percent(tok.score) : ''))))) : null,
    hit.evidence.length ? h('ul', { class: 'evidence' }, hit.evidence.map((ev) =>
      h('li', {}, t('evidence.' + ev.what), t('punct.colon'), i18n.has('outcome.' + ev.outcome) ? t('outcome.' + ev.outcome) : ev.outcome,
        ev.detail ? h('span', { class: 'reason-detail' }, h('bdi', { dir: 'ltr', lang: 'en' }, ev.detail)) : null))) : null);
}

function drawStay(stay, minor) {
  const parts = [];
  if (minor) {
    parts.push([t('minor.label'), h('span', { id: 'minor', class: minor.minor ? 'badge warn' : '' },
      minor.minor ? t(minor.unknown ? 'minor.unknown_age' : 'minor.yes') : t('minor.no'))]);
    if (minor.age !== null && minor.age !== undefined) parts.push([t('minor.age'), i18n.number(minor.age)]);
    if (minor.minor && minor.accompanied !== undefined) {
      parts.push([t('minor.accompanied'), h('span', { id: 'minor-accompanied' }, minor.accompanied ? t('minor.yes') : t('minor.no'))]);
    }
    if (minor.companions && minor.companions.length) parts.push([t('minor.group'), i18n.number(minor.companions.length)]);
  }
  if (stay && stay.regime) parts.push([t('stay.regime'), i18n.has('regime.' + stay.regime) ? t('regime.' + stay.regime) : stay.regime]);
  if (stay && stay.unlimited) {
    parts.push([t('stay.left'), t('stay.unlimited')]);
  } else if (stay) {
    parts.push([t('stay.used'), h('span', { id: 'stay-used' }, i18n.number(stay.days_used))]);
    parts.push([t('stay.left'), h('span', { id: 'stay-left' }, i18n.number(stay.days_left))]);
    if (stay.latest_exit) parts.push([t('stay.latest_exit'), i18n.date(stay.latest_exit)]);
    if (stay.overstay_days) parts.push([t('stay.overstay'), i18n.number(stay.overstay_days)]);
  }
  return h('section', { 'aria-labelledby': 'stay-title', id: 'stay' },
    h('h3', { id: 'stay-title' }, t('stay.title')),
    parts.length ? facts(parts) : null,
    stay ? null : h('p', { class: 'hint', id: 'stay-unavailable' }, t('stay.unavailable')));
}

/* ---- decisions ---- */

function drawDecision(r) {
  const detected = state.detections.length
    ? h('p', { class: 'decided', id: 'detected', role: 'status' }, t('detection.recorded', { n: i18n.number(state.detections.length) })) : null;
  const detectButton = r.id !== null && r.id !== undefined && hasRoute('POST /v1/detections')
    ? h('button', { type: 'button', id: 'detect', onclick: () => openDetection() }, t('detection.record'), ' ', h('kbd', {}, 'D')) : null;
  const protectButton = drawProtectButton(r);
  if (state.decision) {
    const d = state.decision;
    return h('div', {}, h('p', { class: 'decided', id: 'decided', role: 'status' },
      t('decision.recorded.' + d.kind, { codes: (d.codes || []).join(', ') })), detected,
    detectButton || protectButton ? h('div', { class: 'decision-bar' }, detectButton, protectButton) : null);
  }
  const enabled = r.id !== null && r.id !== undefined && decisionsAvailable();
  return h('div', { class: 'decision-bar' },
    h('button', { type: 'button', class: 'admit', id: 'admit', disabled: !enabled, onclick: () => decide('admit') },
      t('decision.admit'), ' ', h('kbd', {}, 'A')),
    mayRefuse() ? h('button', { type: 'button', class: 'refuse', id: 'refuse', disabled: !enabled, onclick: () => openRefuse() },
      t('decision.refuse'), ' ', h('kbd', {}, 'R')) : null,
    h('button', { type: 'button', class: 'refer', id: 'refer', disabled: !enabled, onclick: () => openRefer() },
      t('decision.refer'), ' ', h('kbd', {}, 'S')),
    detectButton,
    protectButton,
    enabled ? null : h('p', { class: 'hint', id: 'decision-unavailable' }, t('decision.unavailable'), ' ', routeCode('POST /v1/checks/{id}/decision')),
    detected);
}

/* ---- child protection: the indicator checklist (protect.js) ---- */

/* A minor (or unknown age) or a hit whose action is "protect": the checklist is offered first. */
function protectConcern(r) {
  return !!((r.minor && r.minor.minor) || r.hits.some((x) => x.alert && x.action === 'protect'));
}

function drawProtectButton(r) {
  if (r.id === null || r.id === undefined || !hasRoute('POST /v1/assessments')) return null;
  const concern = protectConcern(r);
  return h('button', { type: 'button', id: 'protect-open', class: concern ? 'protect concern' : 'protect', onclick: () => openProtect() },
    t(concern ? 'protect.open_checklist_minor' : 'protect.open_checklist'), ' ', h('kbd', {}, 'P'));
}

function openProtect() {
  const r = state.result;
  if (!r || r.id === null || r.id === undefined || !hasRoute('POST /v1/assessments')) return;
  const companions = ((r.minor && r.minor.companions) || []).filter((c) => !c.minor)
    .map((c) => ({ check_id: c.check_id, name: c.name || '' }));
  openChecklist({
    /* a minor (unknown age counts as one), or a missing-child hit without an age: the child set */
    set: (r.minor ? r.minor.minor : protectConcern(r)) ? 'child' : 'adult',
    phase: 'first_line', checkId: r.id, companions, chooseSet: true,
    afterRecorded: (a, box) => {
      ctx.announce(t('protect.rec.' + (a.recommendation || 'none')));
      const open = openCaseButton({ check_id: r.id, assessment_id: a.id }, ctx.session.role, ctx.navigate);
      if (open) box.append(...open);
    },
    onClose: () => { const card = document.getElementById('result'); if (card) card.focus(); },
  });
}

/* ---- detections (fraudulent document, facilitator, clandestine, victim) ---- */

async function detectionCodes() {
  if (state.detectionCodes) return state.detectionCodes;
  const res = await api('GET', '/v1/detection-codes');
  state.detectionCodes = res.kinds || [];
  return state.detectionCodes;
}

function detectionLabel(k) {
  const key = 'detection.' + k.kind + (k.fraud_type ? '.' + k.fraud_type : '');
  return i18n.has(key) ? t(key) : k.label_en;
}

async function openDetection() {
  const r = state.result;
  if (!r || r.id === null || r.id === undefined || !hasRoute('POST /v1/detections') || document.querySelector('dialog[open]')) return;
  let kinds;
  try { kinds = await detectionCodes(); } catch (e) { return; }
  const radios = [];
  let note;
  let errorBox;
  const dialog = h('dialog', { id: 'detect-dialog', 'aria-labelledby': 'detect-title' },
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      const i = radios.findIndex((x) => x.checked);
      if (i < 0) { errorBox.textContent = t('detection.need_kind'); return; }
      const k = kinds[i];
      const body = { kind: k.kind, check_id: r.id, bcp: r.bcp || post().bcp };
      if (k.fraud_type) body.fraud_type = k.fraud_type;
      if (r.traveller_id) body.traveller_id = r.traveller_id;
      if (r.document && r.document.nationality) body.nationality = String(r.document.nationality).replace(/<+$/, '');
      if (note.value.trim()) body.note = note.value.trim();
      try {
        await api('POST', '/v1/detections', body);
        state.detections.push(body.kind);
        dialog.close();
        dialog.remove();
        ctx.announce(t('detection.recorded', { n: i18n.number(state.detections.length) }));
        drawResultOnly();
        const card = document.getElementById('result');
        if (card) card.focus();
      } catch (err) {
        errorBox.textContent = t(errorOf(err).key);
      }
    } },
    h('h2', { id: 'detect-title' }, t('detection.title')),
    h('fieldset', { class: 'codes-fieldset' }, h('legend', { class: 'sr-only' }, t('detection.title')),
      h('ul', { class: 'codes' }, kinds.map((k, i) => h('li', {}, h('label', {},
        radios[i] = h('input', { type: 'radio', name: 'kind', value: k.kind + (k.fraud_type ? '/' + k.fraud_type : ''), 'data-kind': k.kind, 'data-fraud': k.fraud_type || '' }),
        h('span', {}, detectionLabel(k))))))),
    h('div', { class: 'field' }, h('label', { for: 'detect-note' }, t('detection.note')),
      note = h('textarea', { id: 'detect-note', rows: '2', dir: 'auto' })),
    errorBox = h('p', { class: 'error-text', role: 'alert' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'detect-confirm' }, t('detection.confirm')),
      h('button', { type: 'button', onclick: () => { dialog.close(); dialog.remove(); } }, t('app.cancel')))));
  dialog.addEventListener('close', () => { if (dialog.isConnected) dialog.remove(); });
  document.body.append(dialog);
  dialog.showModal();
  radios[0].focus();
}

/* First-line officers admit or refer; refusing is for the second line and supervisors. */
function mayRefuse() { return ctx && ctx.session.role !== 'officer'; }

async function decide(kind, extra) {
  const r = state.result;
  if (!r || r.id === null || r.id === undefined || !decisionsAvailable() || state.decision) return;
  try {
    const body = { decision: kind, ...extra };
    await api('POST', '/v1/checks/' + encodeURIComponent(r.id) + '/decision', body);
    state.decision = { kind, codes: extra && extra.codes };
    ctx.announce(t('decision.recorded.' + kind, { codes: (state.decision.codes || []).join(', ') }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    state.error = errorOf(e);
  }
  drawResultOnly();
  const decided = document.getElementById('decided');
  if (decided) input.focus();
}

async function refusalCodes() {
  if (state.refusalCodes) return state.refusalCodes;
  let codes = DEFAULT_CODES.map((c) => ({ code: c }));
  if (hasRoute('GET /v1/refusal-codes')) {
    try {
      const res = await api('GET', '/v1/refusal-codes');
      const list = res.codes || res.refusal_codes || res;
      if (Array.isArray(list) && list.length) codes = list.map((c) => (typeof c === 'string' ? { code: c } : c));
    } catch (e) { /* the standard A-I table stays */ }
  }
  state.refusalCodes = codes;
  return codes;
}

function codeLabel(c) {
  if (i18n.has('refusal.' + c.code)) return t('refusal.' + c.code);
  return c['label_' + i18n.lang()] || c.label || c.description || c.code;
}

async function openRefuse() {
  const button = document.getElementById('refuse');
  if (!state.result || state.decision || !button || button.disabled) return;
  const codes = await refusalCodes();
  const boxes = {};
  let errorBox;
  const dialog = h('dialog', { id: 'refuse-dialog', 'aria-labelledby': 'refuse-title' },
    h('form', { method: 'dialog', onsubmit: (e) => {
      e.preventDefault();
      const chosen = codes.map((c) => c.code).filter((c) => boxes[c].checked);
      if (!chosen.length) { errorBox.textContent = t('refuse.need_code'); return; }
      dialog.close();
      dialog.remove();
      decide('refuse', { codes: chosen });
    } },
    h('h2', { id: 'refuse-title' }, t('refuse.title')),
    h('p', { class: 'hint' }, t('refuse.hint')),
    h('ul', { class: 'codes' }, codes.map((c) => h('li', {}, h('label', {},
      boxes[c.code] = h('input', { type: 'checkbox', name: 'code', value: c.code, 'data-code': c.code }),
      h('b', { dir: 'ltr' }, c.code), h('span', {}, codeLabel(c)))))),
    errorBox = h('p', { class: 'error-text', role: 'alert' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'refuse', id: 'refuse-confirm' }, t('refuse.confirm')),
      h('button', { type: 'button', onclick: () => { dialog.close(); dialog.remove(); } }, t('app.cancel')))));
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && document.activeElement && document.activeElement.type === 'checkbox') {
      e.preventDefault();
      dialog.querySelector('form').requestSubmit();
      return;
    }
    const letter = e.key.length === 1 ? e.key.toUpperCase() : '';
    if (boxes[letter] && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      boxes[letter].checked = !boxes[letter].checked;
      boxes[letter].focus();
    }
  });
  dialog.addEventListener('close', () => { if (dialog.isConnected) dialog.remove(); });
  document.body.append(dialog);
  dialog.showModal();
  boxes[codes[0].code].focus();
}

function openRefer() {
  if (!state.result || state.decision || document.getElementById('refer').disabled) return;
  const reason = h('textarea', { id: 'refer-reason', rows: '3', required: true });
  let errorBox;
  const dialog = h('dialog', { id: 'refer-dialog', 'aria-labelledby': 'refer-title' },
    h('form', { onsubmit: (e) => {
      e.preventDefault();
      if (!reason.value.trim()) { errorBox.textContent = t('refer.need_reason'); return; }
      dialog.close();
      dialog.remove();
      decide('refer', { reason: reason.value.trim() });
    } },
    h('h2', { id: 'refer-title' }, t('refer.title')),
    h('div', { class: 'field' }, h('label', { for: 'refer-reason' }, t('refer.reason')), reason),
    errorBox = h('p', { class: 'error-text', role: 'alert' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'refer', id: 'refer-confirm' }, t('refer.confirm')),
      h('button', { type: 'button', onclick: () => { dialog.close(); dialog.remove(); } }, t('app.cancel')))));
  dialog.addEventListener('close', () => { if (dialog.isConnected) dialog.remove(); });
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
}

/* ---- keyboard ---- */

function onKey(e) {
  if (!root || !root.isConnected) { document.removeEventListener('keydown', onKey); keyHandler = null; return; }
  if (document.querySelector('dialog[open]')) return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const inField = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '');
  const plain = !e.altKey && !e.ctrlKey && !e.metaKey && !inField;
  const alt = e.altKey && !e.ctrlKey && !e.metaKey;
  if (key === 'Escape' && !e.altKey) { e.preventDefault(); nextTraveller(); return; }
  if (alt && (key === 'g' || e.code === 'KeyG')) {
    e.preventDefault();
    state.together = !state.together;
    const box = document.getElementById('group');
    if (box) box.checked = state.together;
    ctx.announce(t(state.together ? 'check.together_on' : 'check.together_off'));
    return;
  }
  if (!(plain || alt) || !state.result) return;
  const code = e.code;
  if (key === 'd' || code === 'KeyD') { e.preventDefault(); openDetection(); return; }
  if (key === 'p' || code === 'KeyP') { e.preventDefault(); openProtect(); return; }
  if (state.decision) return;
  if (key === 'a' || code === 'KeyA') { e.preventDefault(); decide('admit'); }
  else if (key === 'r' || code === 'KeyR') { e.preventDefault(); openRefuse(); }
  else if (key === 's' || code === 'KeyS') { e.preventDefault(); openRefer(); }
}
