/*
 * views/users.js - user administration for admins: the list of users,
 * adding one, changing a role, disabling or re-enabling an account and
 * setting a new password (GET/POST /v1/users, PATCH /v1/users/{id}).
 */
import { h, clear } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { errorBox, table } from './common.js';

const ROLES = ['officer', 'second_line', 'supervisor', 'analyst', 'liaison', 'admin'];
const state = { users: null, tokens: null, error: null, notice: null, newToken: null };
let root = null;

window.addEventListener('limes:logout', () => Object.assign(state, { users: null, tokens: null, notice: null, newToken: null }));

export function render(main) {
  root = main;
  draw();
  load();
}

async function load() {
  try {
    state.users = (await api('GET', '/v1/users')).users;
    state.tokens = (await api('GET', '/v1/tokens')).tokens;
    state.error = null;
  } catch (e) { state.error = e; }
  draw();
}

async function change(id, body, noticeKey, vars) {
  try {
    await api('PATCH', '/v1/users/' + id, body);
    state.notice = t(noticeKey, vars);
    state.error = null;
  } catch (e) { state.error = e; state.notice = null; }
  await load();
}

/*
 * The role is changed with its own button: arrow keys on a closed select
 * fire "change" at every step, and a keyboard user must not grant roles
 * on the way to the one meant.
 */
function roleSelect(u) {
  let apply;
  const select = h('select', { 'aria-label': t('users.role_of', { user: u.username }), 'data-user': u.username,
    onchange: (e) => { apply.disabled = e.target.value === u.role; } },
  ROLES.map((r) => h('option', { value: r, selected: u.role === r }, t('role.' + r))));
  apply = h('button', { type: 'button', 'data-apply-role': u.username, disabled: true,
    onclick: () => change(u.id, { role: select.value }, 'users.role_changed', { user: u.username }) }, t('users.apply_role'));
  return h('div', { class: 'actions' }, select, apply);
}

function draw() {
  if (!root.isConnected) return;
  clear(root);
  const form = {};
  const add = h('form', { id: 'user-add', class: 'panel', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/v1/users', { username: form.username.value.trim(), display_name: form.display.value.trim() || undefined,
        password: form.password.value, role: form.role.value });
      state.notice = t('users.added', { user: form.username.value.trim() });
      state.error = null;
    } catch (err) { state.error = err; state.notice = null; }
    await load();
  } },
  h('h2', {}, t('users.add')),
  h('div', { class: 'field-row' },
    h('div', { class: 'field' }, h('label', { for: 'new-username' }, t('login.username')),
      form.username = h('input', { id: 'new-username', dir: 'ltr', required: true, autocomplete: 'off' })),
    h('div', { class: 'field' }, h('label', { for: 'new-display' }, t('users.display_name')),
      form.display = h('input', { id: 'new-display', dir: 'auto', autocomplete: 'off' })),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, t('login.password')),
      form.password = h('input', { id: 'new-password', type: 'password', required: true, minlength: '12', autocomplete: 'new-password' })),
    h('div', { class: 'field' }, h('label', { for: 'new-role' }, t('users.role')),
      form.role = h('select', { id: 'new-role' }, ROLES.map((r) => h('option', { value: r }, t('role.' + r)))))),
  h('p', { class: 'hint' }, t('users.password_rule')),
  h('button', { type: 'submit', class: 'primary' }, t('users.add_submit')));

  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('users.title')),
    state.notice ? h('p', { class: 'note info', role: 'status', id: 'users-notice' }, state.notice) : null,
    state.error ? errorBox(state.error) : null,
    state.users ? table('users', [t('login.username'), t('users.display_name'), t('users.role'), t('users.state'), ''],
      state.users.map((u) => [h('span', { dir: 'ltr' }, u.username), h('span', { dir: 'auto' }, u.display_name || ''), roleSelect(u),
        u.disabled ? t('users.disabled') : t('users.active'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', 'data-toggle': u.username,
            onclick: () => change(u.id, { disabled: !u.disabled }, u.disabled ? 'users.enabled_notice' : 'users.disabled_notice', { user: u.username }) },
          u.disabled ? t('users.enable') : t('users.disable')),
          h('button', { type: 'button', onclick: () => resetPassword(u) }, t('users.reset_password')))])) : null),
  add, drawTokens());
}

/* API tokens for machine clients: the token is shown once, when created. */
function drawTokens() {
  let user;
  let name;
  const live = (state.tokens || []).filter((k) => !k.revoked_ms);
  return h('section', { class: 'panel', 'aria-labelledby': 'tokens-title' },
    h('h2', { id: 'tokens-title' }, t('tokens.title')),
    state.newToken ? h('div', { class: 'note info', role: 'status', id: 'new-token' },
      h('p', {}, t('tokens.shown_once', { user: state.newToken.username })),
      h('code', { class: 'route', dir: 'ltr' }, state.newToken.token)) : null,
    table('tokens', [t('login.username'), t('tokens.name'), t('tokens.created'), ''],
      live.map((k) => [h('span', { dir: 'ltr' }, k.username), h('span', { dir: 'auto' }, k.name), i18n.dateTime(k.created_ms),
        h('button', { type: 'button', 'data-token': k.id, onclick: async () => {
          try {
            await api('DELETE', '/v1/tokens/' + k.id);
            state.notice = t('tokens.revoked', { name: k.name });
            state.newToken = null;
          } catch (e) { state.error = e; }
          await load();
        } }, t('tokens.revoke'))]), 'tokens.none'),
    h('form', { id: 'token-add', class: 'toolbar', onsubmit: async (e) => {
      e.preventDefault();
      try {
        state.newToken = await api('POST', '/v1/tokens', { username: user.value, name: name.value.trim() });
        state.notice = null;
        state.error = null;
      } catch (err) { state.error = err; state.newToken = null; }
      await load();
    } },
    h('div', { class: 'field' }, h('label', { for: 'token-user' }, t('login.username')),
      user = h('select', { id: 'token-user' }, (state.users || []).filter((u) => !u.disabled).map((u) => h('option', { value: u.username }, u.username)))),
    h('div', { class: 'field' }, h('label', { for: 'token-name' }, t('tokens.name')),
      name = h('input', { id: 'token-name', required: true, maxlength: '100', autocomplete: 'off' })),
    h('button', { type: 'submit', class: 'primary' }, t('tokens.create'))));
}

function resetPassword(u) {
  let pw;
  let err;
  const dialog = h('dialog', { 'aria-labelledby': 'pw-title' },
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      if (pw.value.length < 12) { err.textContent = t('users.password_rule'); return; }
      dialog.close();
      dialog.remove();
      await change(u.id, { password: pw.value }, 'users.password_changed', { user: u.username });
    } },
    h('h2', { id: 'pw-title' }, t('users.reset_password_for', { user: u.username })),
    h('div', { class: 'field' }, h('label', { for: 'reset-pw' }, t('login.password')),
      pw = h('input', { id: 'reset-pw', type: 'password', autocomplete: 'new-password', minlength: '12', required: true })),
    err = h('p', { class: 'error-text', role: 'alert' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('common.save')),
      h('button', { type: 'button', onclick: () => { dialog.close(); dialog.remove(); } }, t('app.cancel')))));
  document.body.append(dialog);
  dialog.showModal();
  pw.focus();
}
