/*
 * protect.js - the child-protection and trafficking pieces that the check
 * screen and the case page share: the indicator checklist (a dialog), and
 * an assessment's recommendation drawn with every reason.
 *
 * The indicator sets come from GET /v1/protect/indicator-sets/{child|adult}
 * with their texts in English, Arabic and French; the dialog shows them in
 * the page's language, grouped (the child or person, the accompanying
 * adult, documents, travel pattern).  Recording is POST /v1/assessments.
 * Indicators only prompt: the answer's recommendation is shown with its
 * reasons and the words "limes does not decide"; the officer does.
 */
import { h, clear } from './dom.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import { api, ApiError, hasRoute } from './api.js';

const sets = {};
export const RELATIONSHIPS = ['parent', 'legal_guardian', 'other_adult', 'none'];

/* A {en, ar, fr} text in the page's language, else English. */
export function localText(texts) {
  if (!texts) return '';
  if (typeof texts === 'string') return texts;
  return texts[i18n.lang()] || texts.en || '';
}

export async function loadSet(name, phase) {
  const key = name + '/' + phase;
  if (!sets[key]) {
    sets[key] = await api('GET', '/v1/protect/indicator-sets/' + encodeURIComponent(name) + '?phase=' + phase);
  }
  return sets[key];
}

/* A catalogue text for a code (prefix + code), else the server's text, else the code. */
export function label(prefix, code, texts) {
  if (i18n.has(prefix + code)) return t(prefix + code);
  return localText(texts) || code;
}

export function problemText(e) {
  if (!(e instanceof ApiError)) return t('error.generic');
  if (e.status === 0) return t('error.network');
  if (e.status === 403) return t('error.forbidden');
  return t('error.request');
}

/* An indicator code stays a code (A1); a context flag is said in words. */
function codeOrFlag(x) {
  return i18n.has('protect.flag.' + x) ? t('protect.flag.' + x) : x;
}

/*
 * The recommendation of an assessment and every reason (the rule's text in
 * the page's language and the indicators or flags that met it).
 */
export function drawAssessment(a, id) {
  const rec = a.recommendation || 'none';
  return h('section', { class: 'assessment rec-' + rec, id: id || 'assessment', 'data-recommendation': rec, 'data-assessment': a.id },
    h('h3', {}, t('protect.recommendation'), t('punct.colon'), h('span', { class: 'rec' }, t('protect.rec.' + rec))),
    h('p', { class: 'note info', id: (id || 'assessment') + '-nodecide' }, t('protect.not_decided')),
    a.reasons && a.reasons.length
      ? h('ul', { class: 'reasons', id: (id || 'assessment') + '-reasons' }, a.reasons.map((r) => h('li', { 'data-rule': r.rule },
        h('strong', {}, t('protect.rec.' + r.recommend)), t('punct.colon'), localText(r.text),
        r.matched && r.matched.length ? h('span', { class: 'hint' }, ' ', t('protect.matched'), ' ',
          h('bdi', {}, r.matched.map(codeOrFlag).join(t('punct.list')))) : null)))
      : h('p', { class: 'hint' }, t('protect.no_reasons')),
    h('p', { class: 'hint' }, t('protect.assessment_meta', {
      n: i18n.number(a.id), officer: a.officer || '', set: a.set || '', version: a.set_version || '', rules: a.rules_version || '',
    })),
    a.indicators && a.indicators.length ? h('p', {}, t('protect.observed'), ' ', h('bdi', { dir: 'ltr' }, a.indicators.join(', '))) : null,
    (a.derived || []).length ? h('p', {}, t('protect.derived'), ' ', h('bdi', {},
      [...new Set(a.derived.map((d) => d.code || d.flag))].map(codeOrFlag).join(t('punct.list')))) : null,
    a.notes ? h('p', { dir: 'auto' }, t('protect.notes'), t('punct.colon'), a.notes) : null);
}

function companionRow(c, i) {
  const rel = h('select', { id: 'companion-rel-' + i, 'data-companion': i },
    RELATIONSHIPS.map((r) => h('option', { value: r, selected: r === c.relationship }, t('protect.rel.' + r))));
  const relDoc = h('input', { type: 'checkbox', id: 'companion-reldoc-' + i });
  const consent = h('input', { type: 'checkbox', id: 'companion-consent-' + i });
  const row = h('div', { class: 'companion', 'data-companion': i },
    h('p', { class: 'companion-name' }, c.name ? h('span', { class: 'latin', dir: 'ltr' }, c.name) : t('protect.companion_unchecked')),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'companion-rel-' + i }, t('protect.relationship')), rel),
      h('label', { class: 'check-label' }, relDoc, h('span', {}, t('protect.relationship_documented'))),
      h('label', { class: 'check-label' }, consent, h('span', {}, t('protect.consent_documented')))));
  if (c.relationship_documented) relDoc.checked = true;
  if (c.consent_documented) consent.checked = true;
  row.read = () => {
    const out = { relationship: rel.value, relationship_documented: relDoc.checked, consent_documented: consent.checked };
    if (c.check_id) out.check_id = c.check_id;
    if (c.name) out.name = c.name;
    return out;
  };
  return row;
}

/*
 * Opens the checklist.  opts: {set: 'child'|'adult', phase, checkId,
 * companions: [{check_id, name}] (first line, child set), chooseSet (offer
 * the child/adult switch), afterRecorded(assessment, box) to add actions
 * under the recommendation, onClose()}.
 */
export async function openChecklist(opts) {
  if (document.querySelector('dialog[open]')) return;
  const dialog = h('dialog', { id: 'checklist-dialog', class: 'wide', 'aria-labelledby': 'checklist-title' });
  /* a language switch redraws the form in the new language, keeping what was ticked and typed */
  const onLang = () => {
    if (dialog.isConnected && dialog.querySelector('#checklist-form')) drawForm(dialog, opts, dialog.dataset.set, snapshot(dialog));
  };
  window.addEventListener('limes:lang', onLang);
  /* Ctrl+Enter records from anywhere in the form */
  dialog.addEventListener('keydown', (e) => {
    const form = dialog.querySelector('#checklist-form');
    if (form && e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  dialog.addEventListener('close', () => {
    window.removeEventListener('limes:lang', onLang);
    if (dialog.isConnected) dialog.remove();
    if (opts.onClose) opts.onClose();
  });
  document.body.append(dialog);
  dialog.showModal();
  await drawForm(dialog, opts, opts.set);
}

/* What the officer has ticked and typed so far. */
function snapshot(dialog) {
  return {
    codes: [...dialog.querySelectorAll('#checklist-form input[data-code]')].filter((b) => b.checked).map((b) => b.value),
    notes: (dialog.querySelector('#checklist-notes') || {}).value || '',
    companions: [...dialog.querySelectorAll('#checklist-form .companion')].map((r) => r.read()),
  };
}

async function drawForm(dialog, opts, setName, kept) {
  dialog.dataset.set = setName;
  clear(dialog);
  let set;
  try { set = await loadSet(setName, opts.phase); } catch (e) {
    dialog.append(h('p', { class: 'error-text', role: 'alert' }, problemText(e)),
      h('button', { type: 'button', onclick: () => dialog.close() }, t('app.close')));
    return;
  }
  const boxes = [];
  const companions = setName === 'child' && opts.phase === 'first_line'
    ? (opts.companions && opts.companions.length ? opts.companions.map((c) => ({ ...c, relationship: 'parent' })) : [{ relationship: 'none' }])
      .map((c, i) => companionRow({ ...c, ...((kept && kept.companions[i]) || {}) }, i)) : [];
  const notes = h('textarea', { id: 'checklist-notes', rows: '2', dir: 'auto', maxlength: '2000' });
  if (kept) notes.value = kept.notes;
  const errorBox = h('p', { class: 'error-text', role: 'alert', id: 'checklist-error' });
  const groups = (set.groups || []).map((g) => {
    const items = (set.indicators || []).filter((x) => x.group === g.code);
    if (!items.length) return null;
    return h('fieldset', { class: 'indicator-group', 'data-group': g.code },
      h('legend', {}, label('protect.group.' + set.subject + '.', g.code, g.text)),
      h('ul', { class: 'indicators' }, items.map((x) => h('li', {}, h('label', {},
        boxes[boxes.length] = h('input', { type: 'checkbox', value: x.code, 'data-code': x.code, checked: !!(kept && kept.codes.includes(x.code)) }),
        h('b', { dir: 'ltr' }, x.code),
        h('span', {}, localText(x.text),
          x.derived ? h('span', { class: 'hint' }, ' ', t('protect.also_from_records')) : null))))));
  });
  const submit = async (e) => {
    e.preventDefault();
    errorBox.textContent = '';
    const body = { set: setName, indicators: boxes.filter((b) => b.checked).map((b) => b.value) };
    if (opts.checkId !== null && opts.checkId !== undefined && opts.checkId !== '') body.check_id = Number(opts.checkId);
    if (companions.length) body.companions = companions.map((r) => r.read());
    if (notes.value.trim()) body.notes = notes.value.trim();
    try {
      const a = await api('POST', '/v1/assessments', body);
      drawRecorded(dialog, opts, a);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) { dialog.close(); return; }
      errorBox.textContent = problemText(err) + (err.problem && err.problem.detail ? ' \u2014 ' + err.problem.detail : '');
    }
  };
  dialog.append(h('form', { id: 'checklist-form', onsubmit: submit },
    h('h2', { id: 'checklist-title' }, t(opts.phase === 'second_line' ? 'protect.checklist_second' : 'protect.checklist_first')),
    h('p', { class: 'note info' }, t('protect.prompt_only')),
    opts.chooseSet ? h('div', { class: 'field-row set-choice', role: 'radiogroup', 'aria-label': t('protect.set') },
      ['child', 'adult'].map((s) => h('label', { class: 'check-label' },
        h('input', { type: 'radio', name: 'set', value: s, id: 'set-' + s, checked: s === setName,
          onchange: () => drawForm(dialog, opts, s) }),
        h('span', {}, t('protect.set.' + s))))) : null,
    h('p', { class: 'hint' }, localText(set.title), ' \u00b7 ', t('protect.version', { version: set.version })),
    companions.length ? h('fieldset', { class: 'companions', id: 'checklist-companions' },
      h('legend', {}, t('protect.companions')), companions) : null,
    groups,
    h('div', { class: 'field' }, h('label', { for: 'checklist-notes' }, t('protect.notes')), notes),
    errorBox,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'checklist-submit' }, t('protect.record'), ' ', h('kbd', {}, t('key.ctrl_enter'))),
      h('button', { type: 'button', onclick: () => dialog.close() }, t('app.cancel')))));
  const first = dialog.querySelector('input, select');
  if (first) first.focus();
}

function drawRecorded(dialog, opts, a) {
  clear(dialog);
  const box = h('div', { class: 'actions', id: 'checklist-actions' });
  dialog.append(h('h2', { id: 'checklist-title' }, t('protect.recorded')),
    drawAssessment(a), box);
  if (opts.afterRecorded) opts.afterRecorded(a, box);
  const close = h('button', { type: 'button', id: 'checklist-close', onclick: () => dialog.close() }, t('app.close'));
  box.append(close);
  (box.querySelector('button') || close).focus();
}

/* "Open a case" for the roles POST /v1/cases allows, from a check and its assessment. */
export function openCaseButton(body, role, navigate, onOpened) {
  if (!hasRoute('POST /v1/cases') || !['officer', 'second_line', 'supervisor'].includes(role)) return null;
  const out = h('p', { id: 'case-opened', role: 'status' });
  const button = h('button', { type: 'button', class: 'primary', id: 'case-open', onclick: async () => {
    button.disabled = true;
    try {
      const c = await api('POST', '/v1/cases', body);
      clear(out).append(t('protect.case_opened', { n: i18n.number(c.id) }));
      if (role !== 'officer' && navigate) {
        out.append(' ', h('a', { href: '/cases/' + c.id, id: 'case-link', onclick: (e) => {
          e.preventDefault();
          const d = document.querySelector('dialog[open]');
          if (d) d.close();
          navigate('/cases/' + c.id);
        } }, t('protect.case_show')));
      }
      if (onOpened) onOpened(c);
    } catch (e) {
      button.disabled = false;
      clear(out).append(e instanceof ApiError && e.status === 409 ? t('protect.case_exists') : problemText(e),
        e.problem && e.problem.detail ? h('span', { class: 'hint latin', dir: 'ltr' }, ' ', e.problem.detail) : null);
    }
  } }, t('protect.case_open'));
  return [button, out];
}
