/*
 * views/protect-stats.js - child-protection and trafficking statistics for
 * analysts, supervisors and liaison officers (GET /v1/protect/statistics):
 * per crossing point and month, minors checked, assessments, what they
 * recommended, cases, referrals and outcomes.  Counts only, no personal
 * data; the same figures as CSV through a plain link (the session cookie
 * goes with it), for the partners' risk analysis.
 */
import { h, clear } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api, hasRoute } from '../api.js';
import { unavailable, errorBox, table } from './common.js';
import { label } from '../protect.js';

const ROUTE = 'GET /v1/protect/statistics';
const COUNTS = ['minors_checked', 'assessments_child', 'assessments_adult', 'recommended_second_line',
  'recommended_referral', 'cases_opened', 'referrals', 'closed'];
const state = { from: '', to: '', stats: null, error: null };
let root = null;

export function render(main) {
  root = main;
  draw();
  if (hasRoute(ROUTE)) load();
}

function query(extra) {
  const q = new URLSearchParams(extra || {});
  if (state.from) q.set('from', state.from);
  if (state.to) q.set('to', state.to);
  const s = q.toString();
  return '/v1/protect/statistics' + (s ? '?' + s : '');
}

async function load() {
  try { state.stats = await api('GET', query()); state.error = null; } catch (e) { state.error = e; }
  draw();
}

function draw() {
  if (!root || !root.isConnected) return;
  clear(root);
  const s = state.stats;
  const outcomes = (s && s.outcomes) || [];
  const rows = ((s && s.rows) || []).map((r) => [
    h('span', { dir: 'ltr' }, r.crossing_point), h('span', { dir: 'ltr' }, r.month),
    ...COUNTS.map((k) => ({ num: i18n.number(r[k]) })),
    ...outcomes.map((o) => ({ num: i18n.number(r['outcome_' + o]) }))]);
  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('pstats.title')),
    hasRoute(ROUTE) ? null : unavailable(ROUTE, 7),
    h('p', { class: 'hint' }, t('pstats.hint')),
    h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(); } },
      h('div', { class: 'field' }, h('label', { for: 'pstats-from' }, t('pstats.from')),
        h('input', { id: 'pstats-from', type: 'month', value: state.from, oninput: (e) => { state.from = e.target.value; } })),
      h('div', { class: 'field' }, h('label', { for: 'pstats-to' }, t('pstats.to')),
        h('input', { id: 'pstats-to', type: 'month', value: state.to, oninput: (e) => { state.to = e.target.value; } })),
      h('button', { type: 'submit', class: 'primary', disabled: !hasRoute(ROUTE) }, t('common.filter')),
      hasRoute(ROUTE) ? h('a', { class: 'button', id: 'pstats-csv', href: query({ format: 'csv' }), download: 'protect-statistics.csv' }, t('pstats.csv')) : null),
    state.error ? errorBox(state.error) : null,
    s && s.minors_checked_available === false ? h('p', { class: 'hint' }, t('pstats.no_minors')) : null),
  s ? h('section', { class: 'panel' },
    table('pstats', [t('crossing.bcp'), t('pstats.month'), ...COUNTS.map((k) => t('pstats.' + k)),
      ...outcomes.map((o) => label('case.outcome.', o))], rows, 'stats.none')) : null);
}
