/*
 * views/lists.js - watchlists for supervisors and admins: the import
 * status of every list (GET /v1/lists) and a name search against them
 * through the screening engine (POST /v1/screen), with each hit explained.
 */
import { h, clear } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api, apiRaw, hasRoute } from '../api.js';
import { unavailable, errorBox, table } from './common.js';

const state = { lists: null, listError: null, notice: null, query: '', dob: '', hits: null, searchError: null };
const FORMATS = ['csv', 'csv-documents', 'un', 'ofac'];
let root = null;
let role = null;

window.addEventListener('limes:logout', () => Object.assign(state, { lists: null, query: '', dob: '', hits: null }));

export function render(main, ctx) {
  root = main;
  role = ctx.session.role;
  draw();
  if (hasRoute('GET /v1/lists')) loadLists();
}

async function loadLists() {
  try {
    const res = await api('GET', '/v1/lists');
    state.lists = Array.isArray(res) ? res : (res.lists || []);
    state.listError = null;
  } catch (e) { state.listError = e; }
  draw();
}

function draw() {
  if (!root.isConnected) return;
  clear(root);
  const canSearch = hasRoute('POST /v1/screen');
  root.append(
    h('section', { class: 'panel', 'aria-labelledby': 'lists-title' },
      h('h1', { id: 'lists-title' }, t('lists.title')),
      hasRoute('GET /v1/lists') ? null : unavailable('GET /v1/lists', 4),
      state.listError ? errorBox(state.listError) : null,
      state.notice ? h('p', { class: 'note info', role: 'status', id: 'lists-notice' }, state.notice) : null,
      state.lists ? table('lists', [t('lists.name'), t('lists.kind'), t('lists.format'), t('lists.entries'), t('lists.imported'), t('lists.sources'), t('lists.generation')],
        state.lists.map((l) => [h('span', { dir: 'ltr' }, l.name), t('lists.kind.' + (l.kind || 'persons')), h('span', { dir: 'ltr' }, l.format || ''),
          { num: i18n.number(l.entries ?? ((l.persons || 0) + (l.documents || 0))) }, i18n.dateTime(l.imported_ms),
          h('span', { dir: 'ltr' }, (l.sources || []).join(', ')), { num: i18n.number(l.generation) }]),
        'lists.none') : null,
      role === 'admin' && hasRoute('POST /v1/lists/{name}/import') ? drawImport() : null),
    h('section', { class: 'panel', 'aria-labelledby': 'search-title' },
      h('h2', { id: 'search-title' }, t('lists.search')),
      canSearch ? null : unavailable('POST /v1/screen', 4),
      h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); search(); } },
        h('div', { class: 'field' }, h('label', { for: 'search-name' }, t('field.name')),
          h('input', { id: 'search-name', dir: 'auto', value: state.query, oninput: (e) => { state.query = e.target.value; } })),
        h('div', { class: 'field' }, h('label', { for: 'search-dob' }, t('field.birth_date')),
          h('input', { id: 'search-dob', dir: 'ltr', placeholder: 'YYYY-MM-DD', value: state.dob, oninput: (e) => { state.dob = e.target.value; } })),
        h('button', { type: 'submit', class: 'primary', disabled: !canSearch }, t('common.search'))),
      state.searchError ? errorBox(state.searchError) : null,
      state.hits ? table('search-hits', [t('hits.list'), t('lists.ref'), t('field.name'), t('hits.score'), t('lists.action'), t('hits.explanation')],
        state.hits.map((x) => [h('span', { dir: 'ltr' }, x.list || ''), h('span', { dir: 'ltr' }, x.ref || ''),
          h('span', { dir: 'auto' }, x.matched_name || x.name || ''), { num: typeof x.score === 'number' ? i18n.percent(x.score) : '' },
          x.action ? (i18n.has('action.' + x.action) ? t('action.' + x.action) : x.action) : '',
          explain(x)]), 'hits.none') : null));
}

/* Admins upload a list file; the server replaces the list atomically. */
function drawImport() {
  let name, format, file;
  return h('form', { id: 'list-import', onsubmit: async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f || !name.value.trim()) return;
    try {
      const path = '/v1/lists/' + encodeURIComponent(name.value.trim()) + '/import?format=' + encodeURIComponent(format.value);
      const rep = await apiRaw('POST', path, await f.arrayBuffer(), format.value === 'un' ? 'application/xml' : 'text/csv');
      state.notice = t('lists.imported_notice', { list: rep.list, persons: i18n.number(rep.persons), documents: i18n.number(rep.documents), skipped: i18n.number(rep.skipped) });
      state.listError = null;
    } catch (err) { state.listError = err; state.notice = null; }
    await loadLists();
  } },
  h('h2', {}, t('lists.import')),
  h('div', { class: 'field-row' },
    h('div', { class: 'field' }, h('label', { for: 'import-name' }, t('lists.import_name')),
      name = h('input', { id: 'import-name', dir: 'ltr', required: true, pattern: '[A-Za-z0-9._-]{1,64}' })),
    h('div', { class: 'field' }, h('label', { for: 'import-format' }, t('lists.import_format')),
      format = h('select', { id: 'import-format' }, FORMATS.map((f) => h('option', { value: f }, t('lists.format.' + f))))),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, t('lists.import_file')),
      file = h('input', { id: 'import-file', type: 'file', required: true }))),
  h('button', { type: 'submit', class: 'primary' }, t('lists.import_submit')));
}

function explain(x) {
  const e = x.explanation || {};
  const pairs = e.matches || e.tokens || e.names || e.pairs || [];
  if (!Array.isArray(pairs) || !pairs.length) return '';
  return h('span', { dir: 'auto' }, pairs.map((p) => (p.query ?? p.query_token ?? '') + ' \u2192 ' + (p.entry ?? p.entry_token ?? '')).join(' \u00b7 '));
}

async function search() {
  state.searchError = null;
  try {
    const body = { name: state.query.trim() };
    if (state.dob.trim()) body.dob = state.dob.trim();
    const res = await api('POST', '/v1/screen', body);
    state.hits = res.hits || res.person_hits || res.matches || [];
  } catch (e) { state.searchError = e; }
  draw();
}
