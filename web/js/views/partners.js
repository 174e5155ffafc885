/*
 * views/partners.js - the referral partner directory, for admins: child
 * protection services, police anti-trafficking units, guardianship
 * authorities, IOM and NGOs per country and region (GET, POST and PATCH
 * /v1/referral-partners).  A partner taken out of service is marked
 * inactive rather than deleted: past referrals still name it.
 */
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { api, hasRoute } from '../api.js';
import { unavailable, errorBox, table } from './common.js';
import { problemText } from '../protect.js';

export const TYPES = ['child_protection', 'police_thb_unit', 'guardianship_authority', 'iom', 'ngo'];
const FIELDS = ['name', 'country', 'region', 'phone', 'email', 'hours', 'languages', 'notes'];

const state = { partners: null, error: null, editing: null, notice: '', formError: '' };
let root = null;

export function render(main) {
  root = main;
  state.editing = null;
  draw();
  if (hasRoute('GET /v1/referral-partners')) load();
}

async function load() {
  try { state.partners = (await api('GET', '/v1/referral-partners')).partners || []; state.error = null; } catch (e) { state.error = e; }
  draw();
}

function draw() {
  if (!root || !root.isConnected) return;
  clear(root);
  const rows = (state.partners || []).map((p) => [
    h('span', { dir: 'auto' }, p.name),
    t('partner.type.' + p.type),
    h('span', { dir: 'ltr' }, p.country + (p.region ? ' / ' + p.region : '')),
    h('span', { dir: 'ltr', class: 'latin' }, [p.phone, p.email].filter(Boolean).join(' \u00b7 ')),
    h('span', { dir: 'auto' }, p.hours || ''),
    p.active === false ? h('span', { class: 'badge warn' }, t('partner.inactive')) : h('span', { class: 'badge ok' }, t('partner.active')),
    h('button', { type: 'button', 'data-edit': p.id, onclick: () => { state.editing = p; state.formError = ''; draw(); focusForm(); } }, t('partner.edit')),
  ]);
  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('partner.title')),
    hasRoute('GET /v1/referral-partners') ? null : unavailable('GET /v1/referral-partners', 7),
    h('p', { class: 'hint' }, t('partner.hint')),
    state.notice ? h('p', { class: 'decided', id: 'partners-notice', role: 'status' }, state.notice) : null,
    state.error ? errorBox(state.error) : null,
    state.partners ? table('partners', [t('partner.name'), t('partner.type'), t('partner.where'), t('partner.contact'),
      t('partner.hours'), t('partner.status'), ''], rows, 'partner.none') : null),
  drawForm());
}

function focusForm() { const f = document.getElementById('partner-name'); if (f) f.focus(); }

function drawForm() {
  if (!hasRoute('POST /v1/referral-partners')) return null;
  const p = state.editing || {};
  const inputs = {};
  const field = (name, attrs) => h('div', { class: 'field' },
    h('label', { for: 'partner-' + name }, t('partner.' + name)),
    inputs[name] = h('input', { id: 'partner-' + name, autocomplete: 'off',
      value: name === 'languages' ? (p.languages || []).join(', ') : (p[name] || ''), ...attrs }));
  const type = h('select', { id: 'partner-type' }, TYPES.map((x) => h('option', { value: x, selected: p.type === x }, t('partner.type.' + x))));
  const active = h('input', { type: 'checkbox', id: 'partner-active', checked: p.active !== false });
  return h('section', { class: 'panel', 'aria-labelledby': 'partner-form-title' },
    h('h2', { id: 'partner-form-title' }, state.editing ? t('partner.edit_title', { name: p.name }) : t('partner.add_title')),
    h('form', { id: 'partner-form', onsubmit: async (e) => {
      e.preventDefault();
      const body = { type: type.value, active: active.checked };
      for (const f of FIELDS) {
        const v = inputs[f].value.trim();
        if (f === 'languages') body.languages = v ? v.split(/[\s,]+/).filter(Boolean) : [];
        else if (f === 'country') body.country = v.toUpperCase();
        else if (v || state.editing) body[f] = v;
      }
      try {
        if (state.editing) {
          await api('PATCH', '/v1/referral-partners/' + state.editing.id, body);
          state.notice = t('partner.saved', { name: body.name });
        } else {
          await api('POST', '/v1/referral-partners', body);
          state.notice = t('partner.added', { name: body.name });
        }
        state.editing = null;
        state.formError = '';
        await load();
      } catch (err) {
        state.formError = problemText(err) + (err.problem && err.problem.detail ? ' \u2014 ' + err.problem.detail : '');
        const box = document.getElementById('partner-error');
        if (box) box.textContent = state.formError;
      }
    } },
    h('div', { class: 'field-row' },
      field('name', { required: true, dir: 'auto', maxlength: '200' }),
      h('div', { class: 'field' }, h('label', { for: 'partner-type' }, t('partner.type')), type),
      field('country', { required: true, dir: 'ltr', maxlength: '3' }),
      field('region', { dir: 'auto' }),
      field('phone', { dir: 'ltr', type: 'tel' }),
      field('email', { dir: 'ltr', type: 'email' }),
      field('hours', { dir: 'auto' }),
      field('languages', { dir: 'ltr' }),
      field('notes', { dir: 'auto' })),
    h('label', { class: 'check-label' }, active, h('span', {}, t('partner.active'))),
    h('p', { class: 'error-text', role: 'alert', id: 'partner-error' }, state.formError),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'partner-save' }, state.editing ? t('common.save') : t('partner.add')),
      state.editing ? h('button', { type: 'button', onclick: () => { state.editing = null; state.formError = ''; draw(); } }, t('app.cancel')) : null)));
}
