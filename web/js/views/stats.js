/*
 * views/stats.js - counts for risk analysis (GET /v1/border/stats), for
 * analysts and supervisors: crossings by direction and border type,
 * refusals by reason and by crossing point, detections by kind and type of
 * fraud, anomalies and open overstays, over a chosen period.  No personal
 * data is shown or fetched.  Bars are <meter> elements: no inline style.
 */
import { h, clear, facts } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api, hasRoute } from '../api.js';
import { unavailable, errorBox, table } from './common.js';

const state = { from: '', to: '', stats: null, error: null };
let root = null;

export function render(main) {
  root = main;
  draw();
  if (hasRoute('GET /v1/border/stats')) load();
}

async function load() {
  const q = new URLSearchParams();
  if (state.from) q.set('from', state.from);
  if (state.to) q.set('to', state.to);
  try {
    state.stats = await api('GET', '/v1/border/stats' + (q.toString() ? '?' + q : ''));
    state.error = null;
    if (!state.from) state.from = state.stats.from || '';
    if (!state.to) state.to = state.stats.to || '';
  } catch (e) { state.error = e; }
  draw();
}

/* Rows of [label, n] with a bar scaled to the largest count. */
function counts(id, heading, rows) {
  const max = Math.max(1, ...rows.map((r) => r[1]));
  return table(id, [heading, t('stats.count'), ''], rows.map(([label, n]) =>
    [label, { num: i18n.number(n) }, h('meter', { min: '0', max: String(max), value: String(n), 'aria-hidden': 'true' })]), 'stats.none');
}

function label(prefix, code) {
  return i18n.has(prefix + code) ? t(prefix + code) : code;
}

function draw() {
  if (!root.isConnected) return;
  clear(root);
  const s = state.stats;
  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('stats.title')),
    hasRoute('GET /v1/border/stats') ? null : unavailable('GET /v1/border/stats', 5),
    h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(); } },
      h('div', { class: 'field' }, h('label', { for: 'stats-from' }, t('stats.from')),
        h('input', { id: 'stats-from', type: 'date', value: state.from, oninput: (e) => { state.from = e.target.value; } })),
      h('div', { class: 'field' }, h('label', { for: 'stats-to' }, t('stats.to')),
        h('input', { id: 'stats-to', type: 'date', value: state.to, oninput: (e) => { state.to = e.target.value; } })),
      h('button', { type: 'submit', class: 'primary', disabled: !hasRoute('GET /v1/border/stats') }, t('common.filter'))),
    state.error ? errorBox(state.error) : null,
    s ? facts([[t('stats.period'), i18n.date(s.from) + ' \u2013 ' + i18n.date(s.to)],
      [t('stats.overstays_open'), h('span', { id: 'stats-overstays' }, i18n.number(s.overstays_open))]]) : null),
  s ? h('div', { class: 'stats-grid' },
    h('section', { class: 'panel' }, h('h2', {}, t('stats.crossings')),
      counts('stats-crossings', t('stats.crossing_kind'), (s.crossings || []).map((c) =>
        [t('check.direction.' + c.direction) + ' \u00b7 ' + label('stats.border.', c.border), c.n]))),
    h('section', { class: 'panel' }, h('h2', {}, t('stats.refusals_by_reason')),
      counts('stats-refusals', t('stats.reason'), (s.refusals_by_reason || []).map((c) =>
        [h('span', {}, h('b', { dir: 'ltr' }, c.code), ' ', i18n.has('refusal.' + c.code) ? t('refusal.' + c.code) : ''), c.n]))),
    h('section', { class: 'panel' }, h('h2', {}, t('stats.refusals_by_bcp')),
      counts('stats-bcps', t('crossing.bcp'), (s.refusals_by_bcp || []).map((c) => [h('span', { dir: 'ltr' }, c.bcp), c.n]))),
    h('section', { class: 'panel' }, h('h2', {}, t('stats.detections')),
      counts('stats-detections', t('detection.title'), (s.detections || []).map((c) =>
        [label('detection.', c.kind + (c.fraud_type ? '.' + c.fraud_type : '')), c.n]))),
    h('section', { class: 'panel' }, h('h2', {}, t('stats.anomalies')),
      counts('stats-anomalies', t('crossing.anomaly'), (s.anomalies || []).map((c) => [label('anomaly.', c.anomaly), c.n])))) : null);
}
