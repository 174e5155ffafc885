/*
 * views/audit.js - the audit trail for supervisors (GET /v1/audit): who did
 * what to which record and when, newest first, filtered by user and
 * record, paged with "before".  Reading the trail is itself audited.
 */
import { h, clear } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { errorBox, table } from './common.js';

const PAGE = 50;
const state = { user: '', record: '', entries: null, error: null, more: false };
let root = null;

export function render(main) {
  root = main;
  state.entries = null;
  draw();
  load(false);
}

async function load(next) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (state.user.trim()) q.set('user', state.user.trim());
  if (state.record.trim()) q.set('record', state.record.trim());
  if (next && state.entries && state.entries.length) q.set('before', String(state.entries[state.entries.length - 1].seq));
  try {
    const res = await api('GET', '/v1/audit?' + q.toString());
    state.entries = next ? state.entries.concat(res.entries) : res.entries;
    state.more = res.entries.length === PAGE;
    state.error = null;
  } catch (e) { state.error = e; }
  draw();
}

function draw() {
  if (!root.isConnected) return;
  clear(root);
  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('audit.title')),
    h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(false); } },
      h('div', { class: 'field' }, h('label', { for: 'audit-user' }, t('audit.user')),
        h('input', { id: 'audit-user', dir: 'ltr', value: state.user, oninput: (e) => { state.user = e.target.value; } })),
      h('div', { class: 'field' }, h('label', { for: 'audit-record' }, t('audit.record')),
        h('input', { id: 'audit-record', dir: 'ltr', value: state.record, oninput: (e) => { state.record = e.target.value; } })),
      h('button', { type: 'submit', class: 'primary' }, t('common.filter'))),
    state.error ? errorBox(state.error) : null,
    state.entries ? table('audit', [t('audit.seq'), t('audit.when'), t('audit.user'), t('audit.action'), t('audit.record'), t('audit.outcome'), t('audit.detail')],
      state.entries.map((e) => [{ num: i18n.number(e.seq) }, i18n.dateTime(e.ts_ms ?? e.time_ms),
        h('span', { dir: 'ltr' }, e.actor || e.user || ''), h('span', { dir: 'ltr' }, e.action || ''),
        h('span', { dir: 'ltr' }, Array.isArray(e.records) ? e.records.join(', ') : (e.record || '')),
        h('span', { dir: 'ltr' }, e.outcome ?? ''), h('span', { dir: 'auto' }, [e.purpose, e.detail].filter(Boolean).join(' \u00b7 '))]), 'audit.none') : null,
    state.more ? h('button', { type: 'button', id: 'audit-more', onclick: () => load(true) }, t('common.more')) : null));
}
