/*
 * app.js - starts the web interface: languages, the session, the menu
 * built from the session's role, the router (plain paths, which the server
 * answers with index.html) and the handling of an ended session.
 *
 * When the session ends (a 401 from any call, or its expiry time passing)
 * the login comes back with a message; the screens keep their state in
 * memory, so a half-typed MRZ is still there after logging in again.
 * Logging out clears it.
 */
import { h, clear } from './dom.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import { api, ApiError, setCsrf, loadRoutes, hasRoute } from './api.js';
import { screensFor } from './screens.js';

const main = document.getElementById('main');
const menu = document.getElementById('menu');
const langs = document.getElementById('langs');
const who = document.getElementById('who');
const banner = document.getElementById('banner');
const status = document.getElementById('status');

let session = null;
let lastUser = null;
let expiryTimer = null;
let loginNotice = null;
let current = null;

function announce(text) { status.textContent = text; }

function showBanner(key) {
  if (!key) { banner.hidden = true; banner.dataset.key = ''; return; }
  banner.dataset.key = key;
  banner.textContent = t(key);
  banner.hidden = false;
}

function drawLangs() {
  clear(langs);
  for (const l of i18n.LANGS) {
    langs.append(h('button', {
      type: 'button', lang: l, 'aria-pressed': String(l === i18n.lang()), 'data-lang': l,
      onclick: () => i18n.setLang(l),
    }, i18n.tIn(l, 'lang.self')));
  }
}

function drawWho() {
  clear(who);
  if (!session) return;
  who.append(
    h('span', { class: 'user' }, h('span', { class: 'latin' }, session.username), ' · ',
      h('span', { class: 'role', 'data-role': session.role }, t('role.' + session.role))),
    h('button', { type: 'button', id: 'logout', onclick: logout }, t('app.logout')));
}

function drawMenu() {
  clear(menu);
  if (!session) return;
  for (const s of screensFor(session.role)) {
    menu.append(h('a', {
      href: s.path, 'data-screen': s.id,
      'aria-current': current && current.id === s.id ? 'page' : null,
      onclick: (e) => { e.preventDefault(); navigate(s.path); },
    }, t('menu.' + s.id)));
  }
}

function screenForPath(path) {
  const allowed = screensFor(session.role);
  return allowed.find((s) => path === s.path || path.startsWith(s.path + '/')) || allowed[0] || null;
}

export function navigate(path, replace) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  route();
}

function route() {
  if (!session) return;
  current = screenForPath(location.pathname);
  drawMenu();
  clear(main);
  if (!current) {
    main.append(h('p', { class: 'note' }, t('app.no_screens')));
    return;
  }
  if (location.pathname !== current.path && !location.pathname.startsWith(current.path + '/')) {
    history.replaceState(null, '', current.path);
  }
  current.view.render(main, { session, navigate, announce });
}

function redraw() {
  drawLangs();
  drawWho();
  if (banner.dataset.key) banner.textContent = t(banner.dataset.key);
  if (session) route(); else drawLogin();
}

/* ---- login, logout, expiry ---- */

function drawLogin() {
  clear(menu);
  clear(main);
  let errorBox;
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', dir: 'auto', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', dir: 'auto', required: true });
  const form = h('form', { class: 'panel login', id: 'login-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    errorBox.textContent = '';
    try {
      const s = await api('POST', '/v1/session', { username: username.value, password: password.value });
      startSession(s);
    } catch (err) {
      const key = err instanceof ApiError && err.status === 429 ? 'login.locked'
        : err instanceof ApiError && err.status === 0 ? 'error.network' : 'login.failed';
      errorBox.textContent = t(key);
      password.value = '';
      password.focus();
    }
  } },
  h('h1', {}, t('login.title')),
  loginNotice ? h('p', { class: 'note', id: 'login-notice', role: 'alert' }, t(loginNotice)) : null,
  h('div', { class: 'field' }, h('label', { for: 'username' }, t('login.username')), username),
  h('div', { class: 'field' }, h('label', { for: 'password' }, t('login.password')), password),
  errorBox = h('p', { class: 'error-text', id: 'login-error', role: 'alert' }),
  h('button', { type: 'submit', class: 'primary' }, t('login.submit')));
  main.append(form);
  username.focus();
}

function startSession(s) {
  /* Someone else at the booth: what the previous officer left is cleared. */
  if (lastUser !== null && lastUser !== s.username) window.dispatchEvent(new CustomEvent('limes:logout'));
  lastUser = s.username;
  session = s;
  setCsrf(s.csrf_token);
  loginNotice = null;
  showBanner(null);
  clearTimeout(expiryTimer);
  if (s.expires_ms) {
    const wait = Math.max(0, s.expires_ms - Date.now()) + 1000;
    expiryTimer = setTimeout(() => sessionEnded(), Math.min(wait, 2147483647));
  }
  drawWho();
  route();
  announce(t('login.welcome', { user: s.username }));
  loadCountries();
}

let countriesLoaded = false;
async function loadCountries() {
  if (countriesLoaded || !hasRoute('GET /v1/documents/codes')) return;
  try {
    i18n.setCountries((await api('GET', '/v1/documents/codes')).codes || []);
    countriesLoaded = true;
  } catch (e) { /* the generated names stay */ }
}

/*
 * Is the session still alive?  Asked when the window gets the focus back
 * and once a minute, so an ended session shows as the login with a message
 * rather than as a failed check.  The 401 itself brings the login back.
 */
async function pingSession() {
  if (!session) return;
  try { await api('GET', '/v1/session'); } catch (e) { /* a 401 has been handled */ }
}

function sessionEnded() {
  if (!session) return;
  session = null;
  setCsrf(null);
  clearTimeout(expiryTimer);
  loginNotice = 'session.expired';
  drawWho();
  drawLogin();
}

async function logout() {
  try { await api('DELETE', '/v1/session'); } catch (e) { /* already gone */ }
  session = null;
  setCsrf(null);
  clearTimeout(expiryTimer);
  loginNotice = 'login.logged_out';
  lastUser = null;
  window.dispatchEvent(new CustomEvent('limes:logout'));
  drawWho();
  drawLogin();
}

async function boot() {
  await i18n.loadCatalogues();
  i18n.setLang(i18n.preferredLang());
  window.addEventListener('limes:lang', redraw);
  window.addEventListener('limes:expired', sessionEnded);
  window.addEventListener('popstate', route);
  window.addEventListener('focus', pingSession);
  setInterval(pingSession, 60000);
  await loadRoutes();
  drawLangs();
  try {
    startSession(await api('GET', '/v1/session'));
  } catch (e) {
    drawLogin();
  }
  document.body.dataset.ready = '1';
}

boot();
