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

const state = { query: '', found: null, chosen: null, traveller: null, crossings: null, stay: null, error: null };
let root = null;

window.addEventListener('limes:logout', () => Object.assign(state, { query: '', found: null, chosen: null, traveller: null, crossings: null, stay: null, error: null }));

export function render(main) {
  root = main;
  draw();
  if (state.pending) { const id = state.pending; state.pending = null; open(id); }
}

/* Another screen (the overstayers) asks for one traveller's history. */
export function showTraveller(id) {
  state.pending = id;
  state.found = null;
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
    state.found ? table('travellers', [t('field.name'), t('field.nationality'), t('field.birth_date'), t('field.sex'), ''],
      state.found.map((tr) => [h('span', { dir: 'auto' }, personName(tr)),
        i18n.country(tr.nationality), i18n.date(tr.birth_date), tr.sex ? t('sex.' + tr.sex) : '',
        h('button', { type: 'button', 'data-traveller': tr.id, onclick: () => open(tr.id) }, t('travellers.open'))]), 'travellers.none') : null),
  state.chosen !== null ? drawHistory() : null);
  if (!state.found) q.focus();
}

/* "SURNAME, Given names" from a traveller record. */
export function personName(p) {
  return [p.surname || p.primary_identifier, p.given_names || p.secondary_identifier].filter(Boolean).join(', ');
}

function drawHistory() {
  const s = state.stay;
  const who = state.traveller;
  return h('section', { class: 'panel', id: 'history' },
    h('h2', {}, t('travellers.history'), who ? [' \u2014 ', h('span', { dir: 'auto' }, personName(who))] : null),
    who && who.documents ? facts(who.documents.map((d) => [t('field.document_number'),
      h('span', {}, h('span', { dir: 'ltr' }, d.number), ' \u00b7 ', i18n.country(d.issuer), d.expiry_date ? [' \u00b7 ', i18n.date(d.expiry_date)] : null)])) : null,
    s ? facts([[t('stay.regime'), s.regime ? (i18n.has('regime.' + s.regime) ? t('regime.' + s.regime) : s.regime) : ''], [t('stay.used'), i18n.number(s.days_used)], [t('stay.left'), i18n.number(s.days_left)],
      [t('stay.latest_exit'), i18n.date(s.latest_exit)], [t('stay.overstay'), s.overstay_days ? i18n.number(s.overstay_days) : '']]) : null,
    state.crossings ? table('crossings', [t('crossing.when'), t('crossing.direction'), t('crossing.bcp'), t('crossing.officer'), t('crossing.anomaly')],
      state.crossings.map((c) => [c.at_ms ? i18n.dateTime(c.at_ms) : i18n.date(c.date), t('check.direction.' + (c.direction || 'entry')),
        h('span', { dir: 'ltr' }, c.bcp || ''), h('span', { dir: 'ltr' }, c.officer || ''), h('span', { dir: 'ltr' }, c.anomaly || '')]), 'travellers.no_crossings') : null);
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
    const [who, c, s] = await Promise.all([
      hasRoute('GET /v1/travellers/{id}') ? api('GET', '/v1/travellers/' + id) : null,
      api('GET', '/v1/travellers/' + id + '/crossings'),
      hasRoute('GET /v1/travellers/{id}/stay') ? api('GET', '/v1/travellers/' + id + '/stay') : null,
    ]);
    state.traveller = who;
    state.crossings = c.crossings || [];
    state.stay = s;
  } catch (e) { state.error = e; }
  draw();
}
