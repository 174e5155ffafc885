/*
 * views/cases.js - child-protection and trafficking cases for the second
 * line and supervisors: the list (GET /v1/cases, overdue ones only on
 * demand) at /cases and a case page at /cases/{id}.
 *
 * The case page shows the subject, the steps with time and actor, the
 * deadlines (acknowledgement by the partner, recovery and reflection
 * period) with overdue steps marked, the assignees, the assessments of the
 * case's check, and the next steps the API allows as buttons.  A step the
 * state machine refuses (someone else moved the case meanwhile) answers
 * 409 with the allowed steps, which the page shows.  The second-line
 * interview indicators are recorded as an assessment on the case's check.
 * Every view is audited by the server (need to know).
 */
import { h, clear, facts } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api, ApiError, hasRoute } from '../api.js';
import { unavailable, errorBox, table } from './common.js';
import { openChecklist, drawAssessment, label, problemText } from '../protect.js';

const state = { overdue: false, cases: null, error: null, current: null, assessments: [], conflict: null, notice: '', workflow: null, partners: null };
let root = null;
let ctx = null;

window.addEventListener('limes:logout', () => {
  Object.assign(state, { cases: null, current: null, assessments: [], conflict: null, notice: '', partners: null });
});

export function render(main, context) {
  root = main;
  ctx = context;
  const m = /^\/cases\/(\d+)$/.exec(location.pathname);
  if (m) { loadCase(Number(m[1])); return; }
  state.current = null;
  draw();
  if (hasRoute('GET /v1/cases')) loadList();
}

async function loadList() {
  try {
    state.cases = (await api('GET', '/v1/cases' + (state.overdue ? '?overdue=true' : ''))).cases || [];
    state.error = null;
  } catch (e) { state.error = e; }
  draw();
}

async function workflow() {
  if (state.workflow) return state.workflow;
  try { state.workflow = (await api('GET', '/v1/protect/rules')).workflow || {}; } catch (e) { state.workflow = {}; }
  return state.workflow;
}

async function partners() {
  if (state.partners) return state.partners;
  state.partners = (await api('GET', '/v1/referral-partners')).partners || [];
  return state.partners;
}

async function loadCase(id, keepNotice) {
  if (!keepNotice) { state.conflict = null; state.notice = ''; }
  try {
    await workflow();
    state.current = await api('GET', '/v1/cases/' + id);
    state.error = null;
    state.assessments = [];
    if (state.current.check_id && hasRoute('GET /v1/assessments')) {
      try { state.assessments = (await api('GET', '/v1/assessments?check_id=' + state.current.check_id)).assessments || []; } catch (e) { /* shown without them */ }
    }
  } catch (e) { state.error = e; state.current = null; }
  drawCase();
}

function stepName(code) {
  const wf = state.workflow || {};
  const s = (wf.steps || []).find((x) => x.code === code);
  return label('case.step.', code, s && s.text);
}

function outcomeName(code) {
  const wf = state.workflow || {};
  const o = (wf.outcomes || []).find((x) => x.code === code);
  return label('case.outcome.', code, o && o.text);
}

function when(iso) { return iso ? i18n.dateTime(Date.parse(iso)) : ''; }

/* ---- the list ---- */

function draw() {
  if (!root || !root.isConnected) return;
  clear(root);
  const rows = (state.cases || []).map((c) => [
    h('a', { href: '/cases/' + c.id, 'data-case': c.id, onclick: (e) => { e.preventDefault(); ctx.navigate('/cases/' + c.id); } },
      t('case.number', { n: i18n.number(c.id) })),
    t('case.subject.' + (c.subject_kind || 'child')),
    c.subject && c.subject.name ? h('span', { class: 'latin', dir: 'ltr' }, c.subject.name) : '',
    h('span', { class: 'badge', 'data-state': c.state }, stepName(c.state === 'open' ? 'open' : c.state)),
    c.overdue && c.overdue.length ? h('span', { class: 'badge bad overdue' }, t('case.overdue')) : '',
    c.crossing_point ? h('span', { dir: 'ltr' }, c.crossing_point) : '',
    when(c.opened_at),
    (c.assigned || []).length ? h('span', { class: 'latin' }, c.assigned.join(', ')) : t('case.unassigned'),
  ]);
  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('case.list_title')),
    hasRoute('GET /v1/cases') ? null : unavailable('GET /v1/cases', 7),
    h('p', { class: 'hint' }, t('case.need_to_know')),
    h('div', { class: 'toolbar' },
      h('label', { class: 'check-label' },
        h('input', { type: 'checkbox', id: 'cases-overdue', checked: state.overdue,
          onchange: (e) => { state.overdue = e.target.checked; loadList(); } }),
        h('span', {}, t('case.only_overdue')))),
    state.error ? errorBox(state.error) : null,
    state.cases ? table('cases', [t('case.case'), t('case.subject_kind'), t('case.subject_name'), t('case.state'), t('case.deadlines'),
      t('crossing.bcp'), t('case.opened'), t('case.assigned')], rows, 'case.none') : null));
}

/* ---- one case ---- */

function drawCase() {
  if (!root || !root.isConnected) return;
  clear(root);
  const c = state.current;
  const back = h('a', { href: '/cases', id: 'cases-back', onclick: (e) => { e.preventDefault(); ctx.navigate('/cases'); } }, t('case.back'));
  if (!c) { root.append(h('section', { class: 'panel' }, back, state.error ? errorBox(state.error) : null)); return; }
  const subj = c.subject || {};
  const overdue = new Set(c.overdue || []);
  const d = c.deadlines || {};
  root.append(h('section', { class: 'panel', id: 'case', 'data-state': c.state },
    back,
    h('h1', {}, t('case.number', { n: i18n.number(c.id) }), ' \u00b7 ', h('span', { id: 'case-state' }, stepName(c.state))),
    h('p', { class: 'hint' }, t('case.need_to_know')),
    state.notice ? h('p', { class: 'decided', id: 'case-notice', role: 'status' }, state.notice) : null,
    state.conflict ? h('div', { class: 'note', id: 'case-conflict', role: 'alert' },
      h('p', {}, t('case.step_refused', { step: stepName(state.conflict.step) })),
      h('p', {}, t('case.allowed_now'), ' ', h('span', { id: 'case-conflict-allowed' }, state.conflict.allowed.map(stepName).join(t('punct.list'))))) : null,
    facts([
      [t('case.subject_kind'), t('case.subject.' + (c.subject_kind || 'child'))],
      [t('case.subject_name'), subj.name ? h('span', { class: 'latin', dir: 'ltr' }, subj.name) : ''],
      [t('field.birth_date'), subj.date_of_birth ? i18n.date(subj.date_of_birth) : ''],
      [t('field.nationality'), subj.nationality ? i18n.countryWithCode(subj.nationality) : ''],
      [t('crossing.bcp'), c.crossing_point ? h('span', { dir: 'ltr' }, c.crossing_point) : ''],
      [t('case.partner'), c.partner ? [c.partner.name, ' \u00b7 ', t('partner.type.' + c.partner.type)] : ''],
      [t('case.outcome'), c.outcome ? outcomeName(c.outcome) : ''],
      [t('case.opened'), [when(c.opened_at), ' \u00b7 ', h('span', { class: 'latin' }, c.opened_by || '')]],
      [t('case.summary'), c.summary ? h('span', { dir: 'auto' }, c.summary) : ''],
    ]),
    (subj.companions || []).length ? h('p', {}, t('protect.companions'), t('punct.colon'),
      subj.companions.map((x) => (x.name || '') + (x.relationship ? ' (' + t('protect.rel.' + x.relationship) + ')' : '')).join(t('punct.list'))) : null),
  h('div', { class: 'stats-grid' },
    h('section', { class: 'panel', 'aria-labelledby': 'case-next-title' },
      h('h2', { id: 'case-next-title' }, t('case.next_steps')),
      (c.allowed_next || []).length ? h('div', { class: 'decision-bar', id: 'case-next' }, c.allowed_next.map((s) =>
        h('button', { type: 'button', class: s === 'closed' ? 'refuse' : 'primary', 'data-step': s, onclick: () => openStep(s) }, i18n.has('case.do.' + s) ? t('case.do.' + s) : stepName(s))))
        : h('p', { class: 'empty' }, t('case.no_next')),
      hasRoute('GET /v1/protect/indicator-sets/{name}') && hasRoute('POST /v1/assessments')
        ? h('button', { type: 'button', id: 'case-interview', onclick: () => openInterview() }, t('protect.checklist_second')) : null),
    h('section', { class: 'panel', 'aria-labelledby': 'case-deadlines-title', id: 'case-deadlines' },
      h('h2', { id: 'case-deadlines-title' }, t('case.deadlines')),
      overdue.size ? h('p', { class: 'badge bad overdue', id: 'case-overdue' }, t('case.overdue_steps', { steps: [...overdue].map(stepName).join(t('punct.list')) })) : null,
      d.acknowledgement || d.reflection_period ? facts([
        d.acknowledgement ? [t('case.ack_due'), h('span', { class: d.acknowledgement.overdue ? 'overdue badge bad' : '' },
          when(d.acknowledgement.due), d.acknowledgement.met_at ? ' \u2713 ' + when(d.acknowledgement.met_at) : '')] : null,
        d.reflection_period ? [t('case.reflection'), t('case.reflection_range', { from: when(d.reflection_period.start), to: when(d.reflection_period.end), days: i18n.number(d.reflection_period.days) })
          + (d.reflection_period.running ? ' \u00b7 ' + t('case.running') : '')] : null,
      ].filter(Boolean)) : h('p', { class: 'empty' }, t('case.no_deadlines'))),
    h('section', { class: 'panel', 'aria-labelledby': 'case-assigned-title' },
      h('h2', { id: 'case-assigned-title' }, t('case.assigned')),
      h('p', { id: 'case-assigned' }, (c.assigned || []).length ? h('span', { class: 'latin' }, c.assigned.join(', ')) : t('case.unassigned')),
      hasRoute('POST /v1/cases/{id}/assignees') ? drawAssign(c) : null)),
  h('section', { class: 'panel', 'aria-labelledby': 'case-steps-title' },
    h('h2', { id: 'case-steps-title' }, t('case.steps')),
    table('case-steps', [t('case.step'), t('case.when'), t('case.actor'), t('case.note')], (c.steps || []).map((s) => [
      h('span', { 'data-step': s.step }, s.step === 'opened' ? t('case.step.opened') : stepName(s.step),
        s.outcome ? [' \u00b7 ', outcomeName(s.outcome)] : ''),
      when(s.at),
      h('span', { class: 'latin' }, s.actor || ''),
      s.note ? h('span', { dir: 'auto' }, s.note) : '',
    ]))),
  h('section', { class: 'panel', 'aria-labelledby': 'case-assessments-title', id: 'case-assessments' },
    h('h2', { id: 'case-assessments-title' }, t('case.assessments')),
    state.assessments.length ? state.assessments.map((a) => drawAssessment(a, 'assessment-' + a.id)) : h('p', { class: 'empty' }, t('common.none'))));
}

function drawAssign(c) {
  const who = h('input', { id: 'case-assign-user', dir: 'ltr', autocomplete: 'off', maxlength: '63' });
  return h('form', { class: 'toolbar', onsubmit: async (e) => {
    e.preventDefault();
    if (!who.value.trim()) return;
    try {
      state.current = await api('POST', '/v1/cases/' + c.id + '/assignees', { username: who.value.trim() });
      state.notice = t('case.assigned_to', { user: who.value.trim() });
      await loadCase(c.id, true);
    } catch (err) { state.notice = problemText(err) + (err.problem && err.problem.detail ? ' \u2014 ' + err.problem.detail : ''); drawCase(); }
  } },
  h('div', { class: 'field' }, h('label', { for: 'case-assign-user' }, t('case.assign_user')), who),
  h('button', { type: 'submit', id: 'case-assign' }, t('case.assign')));
}

/* A step: its form asks what the step needs (partner and consent for a referral, outcome for closing). */
async function openStep(step) {
  const c = state.current;
  if (!c || document.querySelector('dialog[open]')) return;
  let partnerSelect = null;
  let consent = null;
  let outcome = null;
  const note = h('textarea', { id: 'step-note', rows: '2', dir: 'auto', maxlength: '2000' });
  const err = h('p', { class: 'error-text', role: 'alert', id: 'step-error' });
  const extra = [];
  if (step === 'referred') {
    let list = [];
    try { list = (await partners()).filter((p) => p.active !== false); } catch (e) { err.textContent = problemText(e); }
    partnerSelect = h('select', { id: 'step-partner', required: true }, list.map((p) => h('option', { value: p.id },
      p.name + ' \u00b7 ' + t('partner.type.' + p.type) + ' \u00b7 ' + p.country + (p.region ? ' / ' + p.region : ''))));
    consent = h('input', { type: 'checkbox', id: 'step-consent' });
    extra.push(h('div', { class: 'field' }, h('label', { for: 'step-partner' }, t('case.partner')), partnerSelect),
      list.length ? null : h('p', { class: 'hint' }, t('case.no_partners')),
      h('label', { class: 'check-label' }, consent, h('span', {}, t('case.consent'))));
  }
  if (step === 'closed') {
    const outcomes = (state.workflow && state.workflow.outcomes) || [];
    outcome = h('select', { id: 'step-outcome', required: true }, outcomes.map((o) => h('option', { value: o.code }, outcomeName(o.code))));
    extra.push(h('div', { class: 'field' }, h('label', { for: 'step-outcome' }, t('case.outcome')), outcome));
  }
  const dialog = h('dialog', { id: 'step-dialog', 'aria-labelledby': 'step-title' },
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      const body = { step };
      if (partnerSelect) { if (!partnerSelect.value) { err.textContent = t('case.no_partners'); return; } body.partner_id = Number(partnerSelect.value); body.consent = consent.checked; }
      if (outcome) body.outcome = outcome.value;
      if (note.value.trim()) body.note = note.value.trim();
      dialog.close();
      await recordStep(c.id, body);
    } },
    h('h2', { id: 'step-title' }, t('case.record_step', { step: stepName(step) })),
    extra,
    h('div', { class: 'field' }, h('label', { for: 'step-note' }, t('case.note')), note),
    err,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'step-confirm' }, t('case.record')),
      h('button', { type: 'button', onclick: () => dialog.close() }, t('app.cancel')))));
  dialog.addEventListener('close', () => { if (dialog.isConnected) dialog.remove(); });
  document.body.append(dialog);
  dialog.showModal();
  (dialog.querySelector('select, textarea')).focus();
}

async function recordStep(id, body) {
  state.conflict = null;
  try {
    state.current = await api('POST', '/v1/cases/' + id + '/steps', body);
    state.notice = t('case.step_recorded', { step: stepName(body.step) });
    ctx.announce(state.notice);
    await loadCase(id, true);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && Array.isArray(e.problem.allowed)) {
      state.conflict = { step: body.step, allowed: e.problem.allowed };
      state.notice = '';
      ctx.announce(t('case.step_refused', { step: stepName(body.step) }));
      await loadCase(id, true);
      return;
    }
    if (e instanceof ApiError && e.status === 401) return;
    state.notice = problemText(e) + (e.problem && e.problem.detail ? ' \u2014 ' + e.problem.detail : '');
    drawCase();
  }
}

/* The second line's interview indicators, recorded as an assessment on the case's check. */
function openInterview() {
  const c = state.current;
  if (!c) return;
  openChecklist({
    set: c.subject_kind === 'adult' ? 'adult' : 'child', phase: 'second_line', checkId: c.check_id, chooseSet: false,
    afterRecorded: () => { loadCase(c.id, true); },
    onClose: () => { const b = document.getElementById('case-interview'); if (b) b.focus(); },
  });
}
