/*
 * views/common.js - pieces the list screens share: the note for an API
 * that does not exist yet, error text from a problem+json, and tables.
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';

/* The screen is built against issue `issue`'s contract; its route is not served yet. */
export function unavailable(route, issue) {
  return h('div', { class: 'note', 'data-unavailable': route },
    h('p', {}, t('common.unavailable', { issue })), routeCode(route));
}

/* An API route, always left to right. */
export function routeCode(route) {
  return h('code', { class: 'route', dir: 'ltr' }, route);
}

export function errorBox(e) {
  if (e instanceof ApiError && e.status === 401) return null;
  let key = 'error.generic';
  let detail = '';
  if (e instanceof ApiError) {
    key = e.status === 0 ? 'error.network' : e.status === 403 ? 'error.forbidden' : e.status === 404 ? 'error.not_found' : 'error.request';
    detail = e.problem.detail || '';
  }
  return h('div', { class: 'note', role: 'alert' }, h('p', {}, t(key)), detail ? h('p', { class: 'hint', dir: 'auto' }, detail) : null);
}

/* A table from column headings and rows of cells (nodes or text; {num: x} is right-aligned). */
export function table(id, headings, rows, emptyKey) {
  if (!rows.length) return h('p', { class: 'empty', id: id + '-empty' }, t(emptyKey || 'common.none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id },
    h('thead', {}, h('tr', {}, headings.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) =>
      c && typeof c === 'object' && 'num' in c ? h('td', { class: 'num' }, c.num) : h('td', {}, c)))))));
}
