/*
 * views/travellers.js - a traveller's history: search by document number
 * or name, then the crossings and the stay situation (90 days in any 180).
 * Built against issue 5: GET /v1/travellers?document=&name=,
 * GET /v1/travellers/{id}/crossings and GET /v1/travellers/{id}/stay.
 */
import { h, clear, facts } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api, hasRoute } from '../api.js';
import { unavailable, errorBox, table } from './common.js';

const state = { query: '', found: null, chosen: null, crossings: null, stay: null, error: null };
let root = null;

window.addEventListener('limes:logout', () => Object.assign(state, { query: '', found: null, chosen: null, crossings: null, stay: null, error: null }));

export function render(main) {
  root = main;
  draw();
}

function draw() {
  clear(root);
  const searchable = hasRoute('GET /v1/travellers');
  const q = h('input', { id: 'traveller-q', value: state.query, autocomplete: 'off', dir: 'auto',
    oninput: (e) => { state.query = e.target.value; } });
  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('travellers.title')),
    searchable ? null : unavailable('GET /v1/travellers', 5),
    h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); search(); } },
      h('div', { class: 'field' }, h('label', { for: 'traveller-q' }, t('travellers.query')), q),
      h('button', { type: 'submit', class: 'primary', disabled: !searchable }, t('common.search'))),
    state.error ? errorBox(state.error) : null,
    state.found ? table('travellers', [t('field.name'), t('field.document_number'), t('field.nationality'), t('field.birth_date'), ''],
      state.found.map((tr) => [h('span', { dir: 'auto' }, tr.name || [tr.primary_identifier, tr.secondary_identifier].filter(Boolean).join(', ')),
        h('span', { dir: 'ltr' }, tr.document_number || (tr.documents && tr.documents[0] && tr.documents[0].number) || ''),
        i18n.country(tr.nationality), i18n.date(tr.birth_date),
        h('button', { type: 'button', onclick: () => open(tr.id) }, t('travellers.open'))]), 'travellers.none') : null),
  state.chosen !== null ? drawHistory() : null);
  if (!state.found) q.focus();
}

function drawHistory() {
  const s = state.stay;
  return h('section', { class: 'panel', id: 'history' },
    h('h2', {}, t('travellers.history')),
    s ? facts([[t('stay.used'), i18n.number(s.days_used)], [t('stay.left'), i18n.number(s.days_left)],
      [t('stay.latest_exit'), i18n.date(s.latest_exit || s.latest_lawful_exit)], [t('stay.overstay'), i18n.number(s.overstay_days)]]) : null,
    state.crossings ? table('crossings', [t('crossing.when'), t('crossing.direction'), t('crossing.bcp'), t('crossing.officer')],
      state.crossings.map((c) => [i18n.dateTime(c.at_ms || c.time_ms || c.recorded_ms), t('check.direction.' + (c.direction || 'entry')),
        h('span', { dir: 'ltr' }, c.bcp || ''), h('span', { dir: 'ltr' }, c.officer || '')]), 'travellers.no_crossings') : null);
}

async function search() {
  state.error = null;
  try {
    const q = state.query.trim();
    const param = /\d/.test(q) ? 'document=' : 'name=';
    const res = await api('GET', '/v1/travellers?' + param + encodeURIComponent(q));
    state.found = res.travellers || res.results || [];
  } catch (e) { state.error = e; }
  draw();
}

async function open(id) {
  state.chosen = id;
  state.error = null;
  try {
    const [c, s] = await Promise.all([
      api('GET', '/v1/travellers/' + id + '/crossings'),
      hasRoute('GET /v1/travellers/{id}/stay') ? api('GET', '/v1/travellers/' + id + '/stay') : null,
    ]);
    state.crossings = c.crossings || [];
    state.stay = s;
  } catch (e) { state.error = e; }
  draw();
}
