/*
 * test_web.mjs - the web interface in a real browser: Debian's chromium,
 * headless, driven by playwright-core, against a `limes serve` on a
 * temporary database (harness.mjs).  Run by `make check` through meson
 * (tests/meson.build); exits 77 only when chromium is not installed.
 *
 * Asserts: the catalogues agree; login by keyboard, wrong password; the
 * menu follows the role (user administration for admins only, the audit
 * trail for supervisors only); language switch with Arabic right to left
 * (dir="rtl" and a start-aligned element really on the right); dates and
 * numbers per locale; session expiry keeps the typed MRZ; WCAG AA contrast
 * of the text on the main screens; and, on a server that has the routes,
 * a clear check, a check with a hit and its explanation, and a refusal
 * with a reason code; child protection (issue 7): a minor's check, the
 * indicator checklist and the assessment's recommendation with its
 * reasons, opening a case, a case moved through its steps with a step out
 * of order, the referral partner directory and the protection statistics.
 * Tests for routes not served yet are skipped with a note saying which
 * route is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Server, launchBrowser, loadPlaywright, requireChromium, buildWebAssets, SOURCE, PASSWORD, BIN } from './harness.mjs';
import { td3 } from './mrz.mjs';

requireChromium();
const { chromium } = await loadPlaywright();

let server;
let browser;
let routes = new Set();

before(async () => {
  buildWebAssets();
  server = await Server.start();
  browser = await launchBrowser(chromium);
  const doc = await (await fetch(server.base + '/v1/openapi.json')).json();
  for (const [path, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) routes.add(m.toUpperCase() + ' ' + path);
  /* a crossing point and a national watchlist, as a supervisor and an admin would set them up */
  if (routes.has('POST /v1/bcps')) {
    const r = await server.call('supervisor1', 'POST', '/v1/bcps', { code: 'TST-AIR', name_en: 'Test Airport', name_ar: 'مطار الاختبار', name_fr: "Aéroport d'essai", kind: 'air', country: 'FRA' });
    assert.equal(r.status, 201, r.text);
  }
  if (routes.has('POST /v1/lists/{name}/import')) {
    const csv = 'ref,given_name,family_name,aliases,dob,nationality,gender,documents,action,remarks\n' +
      'NP-0001,Karim,Haddad,كريم حداد,1975-03-14,LBN,M,X1234567/LBN/passport,arrest,wanted (fraud)\n';
    const r = await server.call('admin1', 'POST', '/v1/lists/NATIONAL-PERSONS/import?format=csv', csv, 'text/csv');
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

/* A fresh browser context (own cookies and storage) on the login page. */
async function openPage(lang) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  /* a script or style the Content-Security-Policy refuses, or a file that is not there */
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to|404/.test(m.text())) errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() === 404) errors.push('404 ' + r.url()); });
  page.errors = errors;
  if (lang) await context.addInitScript((l) => { if (!localStorage.getItem('limes.lang')) localStorage.setItem('limes.lang', l); }, lang);
  await page.goto(server.base + '/');
  await page.waitForSelector('body[data-ready="1"]');
  return page;
}

async function login(page, user) {
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await page.press('#password', 'Enter');
  await page.waitForSelector('#logout');
}

async function menuScreens(page) {
  return page.$$eval('#menu a', (as) => as.map((a) => a.dataset.screen));
}

/* ---- catalogues ---- */

test('catalogues: en, ar and fr have the same keys, and every literal key used in the code exists', () => {
  const dir = join(SOURCE, 'web', 'i18n');
  const cats = {};
  for (const l of ['en', 'ar', 'fr']) cats[l] = JSON.parse(readFileSync(join(dir, l + '.json'), 'utf8'));
  const en = Object.keys(cats.en).sort();
  for (const l of ['ar', 'fr']) assert.deepEqual(Object.keys(cats[l]).sort(), en, l + ' differs from en');
  for (const l of ['ar', 'fr']) {
    for (const k of en) {
      const vars = (s) => (s.match(/\{\w+\}/g) || []).sort().join();
      assert.equal(vars(cats[l][k]), vars(cats.en[k]), l + ' ' + k + ' placeholders');
    }
  }
  const files = [];
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(join(d, e.name)); else if (e.name.endsWith('.js')) files.push(join(d, e.name)); } };
  walk(join(SOURCE, 'web', 'js'));
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-z_]+\.[a-zA-Z0-9_.-]*[a-zA-Z0-9_-])'/g)) {
      assert.ok(m[1] in cats.en, f + ': key ' + m[1] + ' missing from en.json');
    }
  }
});

/* ---- login and roles ---- */

test('login: wrong password is refused with a message; the keyboard alone logs in', async () => {
  const page = await openPage('en');
  await page.fill('#username', 'officer1');
  await page.fill('#password', 'wrong password here');
  await page.press('#password', 'Enter');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
  assert.match(await page.textContent('#login-error'), /Wrong user name or password/);
  /* keyboard only: the user name has the focus, Tab to the password, Enter */
  await page.fill('#username', '');
  await page.focus('#username');
  await page.keyboard.type('officer1');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#logout');
  assert.match(await page.textContent('#who'), /officer1/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mrz', 'the MRZ input has the focus');
  /* the focus is visible */
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  await page.click('#logout');
  await page.waitForSelector('#login-form');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('roles: user administration for admins only, the audit trail for supervisors only', async () => {
  const expect = {
    officer: { has: ['check'], not: ['users', 'audit', 'lists'] },
    supervisor: { has: ['check', 'audit', 'lists'], not: ['users'] },
    admin: { has: ['users', 'lists'], not: ['audit', 'check'] },
    analyst: { has: ['stats'], not: ['users', 'audit', 'check', 'travellers'] },
  };
  for (const [role, want] of Object.entries(expect)) {
    const page = await openPage('en');
    await login(page, role + '1');
    const screens = await menuScreens(page);
    for (const s of want.has) assert.ok(screens.includes(s), role + ' should see ' + s + ' (has ' + screens + ')');
    for (const s of want.not) assert.ok(!screens.includes(s), role + ' should not see ' + s);
    /* typing the address of a screen the role may not use shows none of it */
    if (!screens.includes('users')) {
      await page.goto(server.base + '/users');
      await page.waitForSelector('#logout');
      assert.equal(await page.$('#user-add'), null, role + ' got the user administration');
    }
    await page.context().close();
  }
});

test('user administration: an admin adds a user and changes a role', async () => {
  const page = await openPage('en');
  await login(page, 'admin1');
  await page.click('#menu a[data-screen="users"]');
  await page.waitForSelector('#users');
  await page.fill('#new-username', 'newofficer');
  await page.fill('#new-display', 'Nour Haddad');
  await page.fill('#new-password', 'a long enough password');
  await page.selectOption('#new-role', 'officer');
  await page.click('#user-add button[type="submit"]');
  await page.waitForSelector('select[data-user="newofficer"]');
  assert.match(await page.textContent('#users-notice'), /newofficer/);
  await page.selectOption('select[data-user="newofficer"]', 'second_line');
  await page.click('button[data-apply-role="newofficer"]');
  await page.waitForFunction(() => /Role of newofficer/.test(document.querySelector('#users-notice')?.textContent || ''));
  /* the server agrees */
  const s = await server.login('admin1');
  const users = await (await fetch(server.base + '/v1/users', { headers: { Cookie: s.cookie } })).json();
  const u = users.users.find((x) => x.username === 'newofficer');
  assert.equal(u.role, 'second_line');
  assert.equal(u.display_name, 'Nour Haddad');
  /* an API token, shown once, that works until it is revoked */
  await page.selectOption('#token-user', 'officer1');
  await page.fill('#token-name', 'booth scanner');
  await page.click('#token-add button[type="submit"]');
  await page.waitForSelector('#new-token code');
  const token = (await page.textContent('#new-token code')).trim();
  const whoami = async () => (await fetch(server.base + '/v1/session', { headers: { Authorization: 'Bearer ' + token } })).status;
  assert.equal(await whoami(), 200);
  const id = await page.getAttribute('#tokens tr:has-text("booth scanner") button[data-token]', 'data-token');
  await page.click('#tokens button[data-token="' + id + '"]');
  await page.waitForFunction(() => /revoked/.test(document.querySelector('#users-notice')?.textContent || ''));
  assert.equal(await whoami(), 401);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('audit view: a supervisor reads the trail, with the logins in it', async () => {
  const page = await openPage('en');
  await login(page, 'supervisor1');
  await page.click('#menu a[data-screen="audit"]');
  await page.waitForSelector('#audit');
  const text = await page.textContent('#audit');
  assert.match(text, /supervisor1/);
  await page.fill('#audit-user', 'admin1');
  await page.click('form.toolbar button[type="submit"]');
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('#audit tbody tr td:nth-child(3)')].map((td) => td.textContent);
    return cells.length > 0 && cells.every((c) => c === 'admin1');
  });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/* ---- languages ---- */

test('languages: switch at any time; Arabic lays the whole page out right to left', async () => {
  const page = await openPage('en');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  assert.equal(await page.textContent('#login-form h1'), 'Log in');
  await page.click('#langs button[data-lang="fr"]');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('#login-form h1'), 'Connexion');
  await login(page, 'supervisor1');
  assert.equal(await page.textContent('#menu a[data-screen="check"]'), 'Contrôle');
  await page.fill('#mrz', 'P<UTOERIKSSON');
  await page.click('#langs button[data-lang="ar"]');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal(await page.textContent('#menu a[data-screen="check"]'), 'التدقيق');
  assert.equal(await page.inputValue('#mrz'), 'P<UTOERIKSSON', 'switching language keeps the typed MRZ');
  /* the title (text-align: start) sits at the right edge of its panel; the brand at the right of the bar */
  const box = await page.evaluate(() => {
    const r = (el) => el.getBoundingClientRect();
    const title = document.querySelector('#check-title');
    const range = document.createRange();
    range.selectNodeContents(title);
    return { text: r(range), panel: r(title.parentElement), brand: r(document.querySelector('.brand')), width: innerWidth };
  });
  assert.ok(box.panel.right - box.text.right < 40, 'Arabic title is right-aligned: ' + JSON.stringify(box));
  assert.ok(box.text.left - box.panel.left > 100, 'Arabic title does not start at the left');
  assert.ok(box.brand.left > box.width / 2, 'the brand sits on the right in Arabic');
  /* the MRZ itself stays left to right */
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#mrz')).direction), 'ltr');
  /* the Arabic font from Debian's fonts-noto-core is served and used */
  const font = await page.evaluate(async () => { await document.fonts.ready; return document.fonts.check('16px "Noto Naskh Arabic"', 'ت'); });
  assert.ok(font, 'Noto Naskh Arabic loaded');
  const res = await fetch(server.base + '/generated/fonts/NotoNaskhArabic-Regular.ttf');
  assert.equal(res.status, 200);
  /* the choice survives a reload */
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  /* back to English */
  await page.click('#langs button[data-lang="en"]');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  assert.equal(await page.textContent('#menu a[data-screen="check"]'), 'Check');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('languages: dates and numbers per locale, country names from iso-codes', async () => {
  const page = await openPage('en');
  const out = {};
  for (const l of ['en', 'fr', 'ar']) {
    await page.click('#langs button[data-lang="' + l + '"]');
    out[l] = await page.evaluate(async () => {
      const i18n = await import('/js/i18n.js');
      return { date: i18n.date('1974-08-12'), month: i18n.date('1974-08-??'), number: i18n.number(1234567), country: i18n.country('DEU'), icao: i18n.country('D<<') };
    });
  }
  assert.equal(out.en.date, '12 Aug 1974');
  assert.match(out.fr.date, /août/);
  assert.match(out.en.number, /1,234,567/);
  assert.match(out.fr.number, /1\s234\s567/);
  assert.match(out.ar.date, /[\u0600-\u06ff]/, 'Arabic month name: ' + out.ar.date);
  assert.equal(out.en.country, 'Germany');
  assert.equal(out.fr.country, 'Allemagne');
  assert.equal(out.ar.country, 'ألمانيا');
  assert.equal(out.en.icao, 'Germany', 'the ICAO code D is Germany');
  assert.doesNotMatch(out.en.month, /12/);
  await page.context().close();
});

/* ---- session expiry ---- */

test('session expiry: the login comes back with a message and the typed MRZ is kept', async () => {
  const page = await openPage('en');
  await login(page, 'officer1');
  const partial = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
  await page.fill('#mrz', partial);
  await page.context().clearCookies();
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.waitForSelector('#login-notice');
  assert.match(await page.textContent('#login-notice'), /session has ended/);
  await login(page, 'officer1');
  assert.equal(await page.inputValue('#mrz'), partial);
  /* logging out clears it */
  await page.click('#logout');
  await login(page, 'officer1');
  assert.equal(await page.inputValue('#mrz'), '');
  await page.context().close();
});

/* ---- accessibility: contrast ---- */

async function contrastFailures(page) {
  return page.evaluate(() => {
    const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m[3] === undefined ? 1 : m[3] }; };
    const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
    const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0.9) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
    const fails = [];
    for (const el of document.querySelectorAll('body *')) {
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden' || st.display === 'none' || el.closest('[hidden]') || el.getClientRects().length === 0) continue;
      if (el.closest('button:disabled, .sr-only')) continue; /* WCAG exempts inactive controls */
      if (el.matches('.skip-link:not(:focus)')) continue;
      const fg = parse(st.color);
      const bg = bgOf(el);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) fails.push(el.tagName + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
    }
    return fails;
  });
}

/*
 * Touch targets: every button, menu link, field and fold-out is at least
 * 44 px high (checkboxes and radio buttons are reached through their
 * labels, which are).
 */
async function smallTargets(page) {
  return page.$$eval('button, #menu a, input:not([type=checkbox]):not([type=radio]), select, summary, label.check-label, .indicators label', (els) =>
    els.filter((e) => e.getClientRects().length && e.getBoundingClientRect().height < 43.5).map((e) => e.outerHTML.slice(0, 60)));
}

test('contrast: text on the login, check, audit and users screens meets WCAG AA, in English and Arabic', async () => {
  for (const lang of ['en', 'ar']) {
    const page = await openPage(lang);
    assert.deepEqual(await contrastFailures(page), [], 'login ' + lang);
    await login(page, 'supervisor1');
    assert.deepEqual(await contrastFailures(page), [], 'check ' + lang);
    await page.click('#menu a[data-screen="audit"]');
    await page.waitForSelector('#audit');
    assert.deepEqual(await contrastFailures(page), [], 'audit ' + lang);
    await page.context().close();
  }
  const page = await openPage('en');
  await login(page, 'admin1');
  await page.click('#menu a[data-screen="users"]');
  await page.waitForSelector('#users');
  assert.deepEqual(await contrastFailures(page), [], 'users');
  assert.deepEqual(await smallTargets(page), []);
  await page.context().close();
});

/* ---- the first-line check, on a server that offers it ---- */

/* Types a zone as a scanner does: each line followed by Enter. */
async function scan(page, zone) {
  await page.focus('#mrz');
  for (const line of zone.split('\n')) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  }
  await page.waitForSelector('#result, #check-error');
}

const CLEAR_TRAVELLER = td3({ state: 'JPN', surname: 'TANAKA', given: 'HANAKO', number: 'TK1234567', nationality: 'JPN', dob: '880305', sex: 'F', expiry: '340101' });
const OTHER_CLEAR_TRAVELLER = td3({ state: 'JPN', surname: 'SATO', given: 'KENJI', number: 'TS7654321', nationality: 'JPN', dob: '810718', sex: 'M', expiry: '320202' });
const LISTED_TRAVELLER = td3({ state: 'LBN', surname: 'HADDAD', given: 'KAREEM', number: 'LR0098765', nationality: 'LBN', dob: '750314', sex: 'M', expiry: '330620' });

function needChecks(t) {
  if (!routes.has('POST /v1/checks')) {
    t.skip('the server does not offer POST /v1/checks (issue 5) yet');
    return false;
  }
  return true;
}

test('check: a clear traveller scanned as keystrokes, admitted with the A key', async (t) => {
  if (!needChecks(t)) return;
  const page = await openPage('en');
  await login(page, 'officer1');
  await page.waitForSelector('select#bcp');
  await scan(page, CLEAR_TRAVELLER);
  assert.equal(await page.$('#check-error'), null, 'check failed: ' + (await page.$('#check-error') ? await page.textContent('#check-error') : ''));
  assert.equal(await page.getAttribute('#result', 'data-aid'), 'clear');
  assert.match(await page.textContent('#aid-title'), /Clear/);
  assert.equal(await page.textContent('#doc-valid'), 'Valid');
  assert.match(await page.textContent('#doc'), /TANAKA/);
  assert.match(await page.textContent('#doc'), /Japan/);
  assert.match(await page.textContent('#doc'), /5 Mar 1988/, 'English dates day first (en-GB)');
  assert.ok(await page.$('#no-hits'));
  assert.equal(await page.textContent('#stay-left'), '90');
  assert.equal(await page.textContent('#minor'), 'No');
  assert.equal(await page.$('#refuse'), null, 'a first-line officer is not offered the refusal');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'result', 'the result card takes the focus');
  /* the first check after a list import also builds the screening index */
  console.log('# first check (index build included): ' + await page.getAttribute('#result', 'data-elapsed') + ' ms');
  await page.keyboard.press('a');
  await page.waitForSelector('#decided');
  assert.match(await page.textContent('#decided'), /Admitted/);
  /* the crossing is on the traveller's record */
  const found = await server.call('supervisor1', 'GET', '/v1/travellers?document=TK1234567');
  assert.equal(found.json.travellers.length, 1);
  const crossings = await server.call('supervisor1', 'GET', '/v1/travellers/' + found.json.travellers[0].id + '/crossings');
  assert.equal(crossings.json.crossings.length, 1);
  assert.equal(crossings.json.crossings[0].direction, 'entry');
  assert.equal(crossings.json.crossings[0].officer, 'officer1');
  /* Esc: the next traveller */
  await page.keyboard.press('Escape');
  assert.equal(await page.inputValue('#mrz'), '');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mrz');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('check: a hit with its explanation (which name part met which) and the action', async (t) => {
  if (!needChecks(t)) return;
  const page = await openPage('en');
  await login(page, 'officer1');
  await page.waitForSelector('select#bcp');
  await scan(page, LISTED_TRAVELLER);
  assert.equal(await page.$('#check-error'), null);
  assert.equal(await page.getAttribute('#result', 'data-aid'), 'stop');
  assert.ok(await page.$('#aid-reasons li[data-code="person-hit"]'), 'the person hit is a reason');
  /* the time is recorded on the card; a test asserts behaviour, not speed
   * (bench/web measures Enter-to-result against a 1M-entry list) */
  const elapsed = Number(await page.getAttribute('#result', 'data-elapsed'));
  assert.ok(Number.isFinite(elapsed) && elapsed >= 0, 'the card records its time');
  console.log('# from the scanner\'s Enter to the result on screen: ' + elapsed + ' ms');
  const hit = await page.$('#hits li.hit[data-list="NATIONAL-PERSONS"]');
  assert.ok(hit, 'hit on NATIONAL-PERSONS');
  const text = await hit.textContent();
  assert.match(text, /NP-0001/);
  assert.match(text, /Arrest/);
  const pairs = await page.$$eval('#hits li.hit[data-list="NATIONAL-PERSONS"] tr.token-pair', (rows) =>
    rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.ok(pairs.some(([q, e]) => q === 'kareem' && e === 'karim'), 'kareem met karim: ' + JSON.stringify(pairs));
  assert.ok(pairs.some(([q, e]) => q === 'haddad' && e === 'haddad'), 'haddad met haddad: ' + JSON.stringify(pairs));
  assert.match(text, /Date of birth/);
  assert.deepEqual(await smallTargets(page), [], 'touch targets on the check screen');
  assert.deepEqual(await contrastFailures(page), [], 'contrast of the result card');
  /* the fallback for servers without POST /v1/checks: document reading plus screening, composed in the browser */
  if (routes.has('POST /v1/documents/mrz') && routes.has('POST /v1/screen')) {
    const composed = await page.evaluate(async (zone) => {
      const { api } = await import('/js/api.js');
      const { composeCheck } = await import('/js/check-model.js');
      const r = await composeCheck({ mrz: zone }, { api, screen: true });
      return { provisional: r.provisional, level: r.aid.level, valid: r.document.valid, hits: r.hits.filter((x) => x.alert).map((x) => x.list + ' ' + x.ref) };
    }, LISTED_TRAVELLER);
    assert.deepEqual(composed, { provisional: true, level: 'stop', valid: true, hits: ['NATIONAL-PERSONS NP-0001'] });
  }
  /* the same card in Arabic */
  await page.click('#langs button[data-lang="ar"]');
  assert.match(await page.textContent('#aid-title'), /توقّف/);
  assert.match(await page.textContent('#hits'), /القبض/);
  await page.click('#langs button[data-lang="en"]');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('check: the second line refuses with reason codes chosen by their letters', async (t) => {
  if (!needChecks(t) || !routes.has('POST /v1/checks/{id}/decision')) return;
  const page = await openPage('en');
  await login(page, 'second_line1');
  await page.waitForSelector('select#bcp');
  await scan(page, LISTED_TRAVELLER);
  const checkId = await page.evaluate(() => document.querySelector('#result') && document.querySelector('#result').dataset.check);
  let sent = null;
  page.on('request', (req) => { if (req.url().endsWith('/decision')) sent = JSON.parse(req.postData()); });
  await page.keyboard.press('r');
  await page.waitForSelector('#refuse-dialog');
  await page.click('#refuse-confirm');
  assert.match(await page.textContent('#refuse-dialog'), /at least one reason/);
  await page.keyboard.press('h');
  await page.keyboard.press('i');
  await page.keyboard.press('i');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#decided');
  assert.match(await page.textContent('#decided'), /Refused \(reasons H\)/);
  const check = await server.call('supervisor1', 'GET', '/v1/checks/' + checkId);
  assert.equal(check.status, 200, check.text);
  assert.equal(check.json.decision, 'refuse');
  assert.deepEqual(sent, { decision: 'refuse', codes: ['H'] });
  /* a detection on the same check: an impostor */
  if (routes.has('POST /v1/detections')) {
    let detection = null;
    page.on('request', (req) => { if (req.url().endsWith('/v1/detections')) detection = JSON.parse(req.postData()); });
    await page.keyboard.press('Alt+d'); /* the focus is back in the MRZ input: Alt is needed */
    await page.waitForSelector('#detect-dialog');
    await page.check('#detect-dialog input[data-fraud="impostor"]');
    await page.fill('#detect-note', 'photo does not match');
    await page.click('#detect-confirm');
    await page.waitForSelector('#detected');
    assert.match(await page.textContent('#detected'), /1/);
    assert.equal(detection.kind, 'fraudulent_document');
    assert.equal(detection.fraud_type, 'impostor');
    assert.equal(detection.check_id, Number(checkId));
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('history: the overstayers list leads to the traveller history with crossings and stay', async (t) => {
  if (!routes.has('GET /v1/overstayers') || !routes.has('POST /v1/crossings')) {
    t.skip('the server does not keep crossings yet (issue 5)');
    return;
  }
  const r = await server.call('officer1', 'POST', '/v1/crossings', {
    person: { surname: 'SILVA', given_names: 'JOAO', birth_date: '1979-10-23', sex: 'M', nationality: 'BRA' },
    document: { issuer: 'BRA', number: 'FB118822', doc_type: 'P' }, bcp: 'TST-AIR', direction: 'entry', at_ms: Date.now() - 120 * 86400000 });
  assert.equal(r.status, 201, r.text);
  const page = await openPage('fr');
  await login(page, 'supervisor1');
  await page.click('#menu a[data-screen="overstayers"]');
  await page.waitForSelector('#overstayers');
  assert.match(await page.textContent('#overstayers'), /SILVA, JOAO/);
  assert.match(await page.textContent('#overstayers'), /Brésil/);
  await page.click('#overstayers button[data-traveller="' + r.json.traveller_id + '"]');
  await page.waitForSelector('#crossings');
  assert.equal(new URL(page.url()).pathname, '/travellers');
  assert.match(await page.textContent('#crossings'), /Entrée/);
  assert.match(await page.textContent('#history'), /Jours de dépassement/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('check: the fields typed by hand, and a zone pasted in one piece', async (t) => {
  if (!needChecks(t)) return;
  const page = await openPage('en');
  await login(page, 'officer1');
  await page.waitForSelector('select#bcp');
  await page.click('details.manual summary');
  await page.fill('#f-primary_identifier', 'Haddad');
  await page.fill('#f-secondary_identifier', 'Karim');
  await page.fill('#f-document_number', 'x1234567');
  await page.fill('#f-issuing_state', 'lbn');
  await page.fill('#f-nationality', 'LBN');
  await page.fill('#f-birth_date', '1975-03-14');
  await page.selectOption('#f-sex', 'M');
  await page.click('#manual-form button[type="submit"]');
  await page.waitForSelector('#result');
  assert.equal(await page.getAttribute('#result', 'data-aid'), 'stop');
  assert.ok(await page.$('#hits li.hit[data-list="NATIONAL-PERSONS"]'));
  assert.match(await page.textContent('#doc'), /HADDAD, KARIM/);
  assert.match(await page.textContent('#doc'), /Lebanon/);
  /* the scanner logic: a zone is complete by its shape; one run-together line only when pasted */
  const shapes = await page.evaluate(async (zone) => {
    const m = await import('/js/mrz-input.js');
    const joined = zone.replace('\n', '');
    return [m.isCompleteZone(m.mrzLines(zone), false), m.isCompleteZone(m.mrzLines(zone.split('\n')[0]), false),
      m.isCompleteZone(m.mrzLines(joined), true), m.isCompleteZone(m.mrzLines(joined), false),
      m.isCompleteZone(m.mrzLines('I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<'), false)];
  }, CLEAR_TRAVELLER);
  assert.deepEqual(shapes, [true, false, true, false, true]);
  /* a paste of the whole zone starts the check at once */
  await page.keyboard.press('Escape');
  await page.focus('#mrz');
  await page.evaluate((zone) => {
    const el = document.querySelector('#mrz');
    el.value = zone;
    el.dispatchEvent(new InputEvent('input', { inputType: 'insertFromPaste', bubbles: true }));
  }, OTHER_CLEAR_TRAVELLER);
  await page.waitForSelector('#result');
  assert.equal(await page.getAttribute('#result', 'data-aid'), 'clear');
  assert.match(await page.textContent('#doc'), /SATO/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('check: an officer refers to the second line with a reason (S key); no refusal offered', async (t) => {
  if (!needChecks(t) || !routes.has('POST /v1/checks/{id}/decision')) return;
  const page = await openPage('en');
  await login(page, 'officer1');
  await page.waitForSelector('select#bcp');
  await scan(page, LISTED_TRAVELLER);
  assert.equal(await page.$('#refuse'), null);
  await page.keyboard.press('r');
  assert.equal(await page.$('#refuse-dialog'), null, 'R does nothing for a first-line officer');
  let sent = null;
  page.on('request', (req) => { if (req.url().endsWith('/decision')) sent = JSON.parse(req.postData()); });
  await page.keyboard.press('s');
  await page.waitForSelector('#refer-dialog');
  await page.keyboard.type('Hit on the national list: identity to confirm');
  await page.click('#refer-confirm');
  await page.waitForSelector('#decided');
  assert.match(await page.textContent('#decided'), /second line/);
  assert.deepEqual(sent, { decision: 'refer', reason: 'Hit on the national list: identity to confirm' });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('check: a minor travelling with an adult of the same group (Alt+G), and on a flight', async (t) => {
  if (!needChecks(t)) return;
  const page = await openPage('en');
  await login(page, 'officer1');
  await page.waitForSelector('select#bcp');
  await page.selectOption('#travel-mode', 'flight');
  await page.fill('#travel-ref', 'jl 413');
  const bodies = [];
  page.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith('/v1/checks')) bodies.push(JSON.parse(req.postData())); });
  const mother = td3({ state: 'JPN', surname: 'ITO', given: 'YUKI', number: 'TI5550001', nationality: 'JPN', dob: '850101', sex: 'F', expiry: '330303' });
  const child = td3({ state: 'JPN', surname: 'ITO', given: 'AOI', number: 'TI5550002', nationality: 'JPN', dob: '180606', sex: 'F', expiry: '280606' });
  await scan(page, mother);
  const motherCheck = Number(await page.getAttribute('#result', 'data-check'));
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+g');
  assert.equal(await page.isChecked('#group'), true);
  await scan(page, child);
  assert.equal(await page.textContent('#minor'), 'Yes');
  assert.equal(await page.textContent('#minor-accompanied'), 'Yes');
  assert.ok(await page.$('#aid-reasons li[data-code="minor"]'));
  assert.deepEqual(bodies[1].companions, [motherCheck]);
  assert.deepEqual(bodies[1].travel, { mode: 'flight', ref: 'JL 413' });
  /* alone, the same child is unaccompanied */
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+g');
  assert.equal(await page.isChecked('#group'), false);
  await scan(page, child);
  assert.equal(await page.textContent('#minor-accompanied'), 'No');
  assert.ok(await page.$('#aid-reasons li[data-code="minor-unaccompanied"]'));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('statistics: counts for analysts without personal data, refusals by reason and detections', async (t) => {
  if (!routes.has('GET /v1/border/stats')) {
    t.skip('the server does not offer GET /v1/border/stats yet');
    return;
  }
  const page = await openPage('en');
  await login(page, 'analyst1');
  await page.click('#menu a[data-screen="stats"]');
  await page.waitForSelector('#stats-crossings, #stats-crossings-empty');
  const refusals = await page.$$eval('#stats-refusals tbody tr', (rows) => rows.map((r) => r.cells[0].textContent + '=' + r.cells[1].textContent));
  assert.ok(refusals.some((r) => /^H .*=\d+$/.test(r)), 'refusal H counted: ' + JSON.stringify(refusals));
  if (routes.has('POST /v1/detections')) assert.match(await page.textContent('#stats-detections'), /Impostor/);
  assert.match(await page.textContent('#stats-crossings'), /Entry · air/);
  assert.doesNotMatch(await page.textContent('main'), /HADDAD|TANAKA/, 'no names on the statistics screen');
  assert.deepEqual(await contrastFailures(page), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/* ---- child protection (issue 7): checklist, assessment, cases, directory, statistics ---- */

function needProtect(t) {
  if (!needChecks(t)) return false;
  if (!routes.has('POST /v1/assessments') || !routes.has('POST /v1/cases')) {
    t.skip('the server does not offer POST /v1/assessments and /v1/cases (issue 7) yet');
    return false;
  }
  return true;
}

/* A referral partner, as an admin sets it up (once per server). */
let partnerId = null;
async function partner() {
  if (partnerId) return partnerId;
  const r = await server.call('admin1', 'POST', '/v1/referral-partners', { name: 'Service de protection de l\'enfance — Test', type: 'child_protection', country: 'FRA', region: 'Île-de-France', phone: '+33 1 00 00 00 00' });
  assert.equal(r.status, 201, r.text);
  partnerId = r.json.id;
  return partnerId;
}

/* `limes protect config` on the test server's database (the deadlines in force). */
function protectConfig(args) {
  const r = spawnSync(BIN, ['protect', 'config', ...args, '--db', server.db], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

/* A case made through the API: a minor's check, an assessment, the case; answers the case. */
async function apiCase(surname, number, extraSteps) {
  const zone = td3({ state: 'FRA', surname, given: 'LEA', number, nationality: 'FRA', dob: '150505', sex: 'F', expiry: '290505' });
  const check = await server.call('officer1', 'POST', '/v1/checks', { mrz: zone, bcp: 'TST-AIR', direction: 'exit' });
  assert.equal(check.status, 201, check.text);
  const a = await server.call('officer1', 'POST', '/v1/assessments', { set: 'child', check_id: check.json.id, indicators: ['A1'], companions: [{ relationship: 'none' }] });
  assert.equal(a.status, 201, a.text);
  const c = await server.call('officer1', 'POST', '/v1/cases', { check_id: check.json.id, assessment_id: a.json.id });
  assert.equal(c.status, 201, c.text);
  for (const step of extraSteps || []) {
    const s = await server.call('supervisor1', 'POST', '/v1/cases/' + c.json.id + '/steps', step);
    assert.equal(s.status, 200, s.text);
  }
  return c.json;
}

test('protect: a minor\'s check brings the checklist (P key); the assessment shows its recommendation and reasons; a case opens', async (t) => {
  if (!needProtect(t)) return;
  const page = await openPage('en');
  await login(page, 'officer1');
  await page.waitForSelector('select#bcp');
  const father = td3({ state: 'MAR', surname: 'BENALI', given: 'YOUSSEF', number: 'MB7000001', nationality: 'MAR', dob: '800202', sex: 'M', expiry: '320202' });
  const girl = td3({ state: 'MAR', surname: 'BENALI', given: 'SALMA', number: 'MB7000002', nationality: 'MAR', dob: '160909', sex: 'F', expiry: '290909' });
  await scan(page, father);
  const fatherCheck = Number(await page.getAttribute('#result', 'data-check'));
  assert.equal(await page.$('#protect-open.concern'), null, 'an adult\'s check does not press the checklist');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+g');
  await scan(page, girl);
  const girlCheck = Number(await page.getAttribute('#result', 'data-check'));
  assert.equal(await page.textContent('#minor'), 'Yes');
  assert.ok(await page.$('#protect-open.concern'), 'a minor: the checklist is offered on the result card');
  let sent = null;
  page.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith('/v1/assessments')) sent = JSON.parse(req.postData()); });
  await page.keyboard.press('p');
  await page.waitForSelector('#checklist-form');
  assert.equal(await page.isChecked('#set-child'), true, 'the child set for a minor');
  const legends = await page.$$eval('#checklist-form .indicator-group legend', (ls) => ls.map((l) => l.textContent));
  assert.deepEqual(legends, ['The child', 'The accompanying adult', 'Documents', 'Travel pattern and circumstances']);
  assert.match(await page.textContent('#checklist-companions'), /YOUSSEF BENALI/);
  assert.match(await page.textContent('#checklist-form'), /limes does not decide/);
  assert.deepEqual(await contrastFailures(page), [], 'contrast of the checklist');
  assert.deepEqual(await smallTargets(page), [], 'touch targets of the checklist');
  await page.selectOption('#companion-rel-0', 'other_adult');
  /* by keyboard: Space ticks, Ctrl+Enter records */
  await page.focus('#checklist-form input[data-code="A1"]');
  await page.keyboard.press('Space');
  await page.check('#checklist-form input[data-code="B2"]');
  await page.fill('#checklist-notes', 'Child silent, adult answers every question');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#assessment');
  assert.equal(sent.check_id, girlCheck);
  assert.deepEqual(sent.indicators, ['A1', 'B2']);
  assert.deepEqual(sent.companions, [{ relationship: 'other_adult', relationship_documented: false, consent_documented: false, check_id: fatherCheck, name: 'YOUSSEF BENALI' }]);
  assert.equal(await page.getAttribute('#assessment', 'data-recommendation'), 'second_line_interview');
  assert.match(await page.textContent('#assessment h3'), /second-line interview is recommended/);
  assert.match(await page.textContent('#assessment-nodecide'), /not a decision: limes decides nothing/);
  const reasons = await page.$$eval('#assessment-reasons li', (ls) => ls.map((l) => l.dataset.rule + ': ' + l.textContent));
  assert.ok(reasons.length >= 1, 'reasons shown');
  assert.ok(reasons.some((r) => /A1/.test(r) && /B2/.test(r)), 'the reason names the indicators that met it: ' + JSON.stringify(reasons));
  /* the case, from the check and its assessment; the first line gets no case details */
  await page.click('#case-open');
  await page.waitForFunction(() => /Case \d+ opened/.test(document.querySelector('#case-opened')?.textContent || ''));
  assert.equal(await page.$('#case-link'), null, 'a first-line officer does not read the case');
  const cases = await server.call('supervisor1', 'GET', '/v1/cases');
  const c = cases.json.cases.find((x) => x.check_id === girlCheck);
  assert.ok(c, 'the case is there for the supervisor');
  assert.equal(c.subject_kind, 'child');
  /* a second case for the same check is refused, and said so */
  await page.click('#checklist-close');
  await page.keyboard.press('p');
  await page.waitForSelector('#checklist-form');
  await page.click('#checklist-submit');
  await page.waitForSelector('#case-open');
  await page.click('#case-open');
  await page.waitForFunction(() => /already open/.test(document.querySelector('#case-opened')?.textContent || ''));
  await page.keyboard.press('Escape');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('protect: in Arabic, the checklist right to left, the recommendation in Arabic, and the case page', async (t) => {
  if (!needProtect(t)) return;
  const page = await openPage('ar');
  await login(page, 'second_line1');
  await page.waitForSelector('select#bcp');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const boy = td3({ state: 'SYR', surname: 'HAMDAN', given: 'OMAR', number: 'N01122334', nationality: 'SYR', dob: '120303', sex: 'M', expiry: '280303' });
  await scan(page, boy);
  assert.ok(await page.$('#protect-open.concern'));
  await page.click('#protect-open');
  await page.waitForSelector('#checklist-form');
  const legends = await page.$$eval('#checklist-form .indicator-group legend', (ls) => ls.map((l) => l.textContent));
  assert.equal(legends[0], 'الطفل');
  assert.match(await page.textContent('#checklist-companions'), /لا أحد/);
  /* the dialog lays out right to left: the code of an indicator sits right of its text */
  const sides = await page.$eval('#checklist-form input[data-code="A1"]', (box) => {
    const label = box.closest('label');
    return { box: box.getBoundingClientRect().left, text: label.querySelector('span').getBoundingClientRect().left };
  });
  assert.ok(sides.box > sides.text, 'the checkbox is on the right: ' + JSON.stringify(sides));
  await page.check('#checklist-form input[data-code="A1"]');
  await page.click('#checklist-submit');
  await page.waitForSelector('#assessment');
  assert.match(await page.textContent('#assessment h3'), /يوصى بإجراء مقابلة في الخط الثاني/);
  assert.match(await page.textContent('#assessment-nodecide'), /لا يقرّر limes أي شيء/);
  assert.match(await page.textContent('#assessment-reasons'), /غير المصحوبين/);
  await page.click('#case-open');
  await page.waitForSelector('#case-link');
  await page.click('#case-link');
  await page.waitForSelector('#case');
  assert.match(new URL(page.url()).pathname, /^\/cases\/\d+$/);
  assert.match(await page.textContent('#case-state'), /مفتوح/);
  assert.match(await page.textContent('#case-assessments'), /يوصى بإجراء مقابلة/);
  assert.ok(await page.$('#case-next button[data-step="referred"]'));
  assert.deepEqual(await contrastFailures(page), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('protect: a second-line officer moves a case through its steps; a step out of order shows the allowed ones', async (t) => {
  if (!needProtect(t)) return;
  const pid = await partner();
  const c = await apiCase('MOREAU', 'FM3300001');
  /* another case, referred while the partners had 0 hours to acknowledge (limes protect config): overdue at once */
  protectConfig(['--ack-hours', '0']);
  let late;
  try {
    late = await apiCase('LAMBERT', 'FL3300002', [{ step: 'referred', partner_id: pid }]);
  } finally {
    protectConfig(['--ack-hours', '48']);
  }
  const page = await openPage('en');
  await login(page, 'second_line1');
  await page.click('#menu a[data-screen="cases"]');
  await page.waitForSelector('#cases');
  assert.ok(await page.$('#cases a[data-case="' + c.id + '"]'));
  await page.check('#cases-overdue');
  await page.waitForFunction((id) => !document.querySelector('#cases a[data-case="' + id + '"]'), c.id);
  assert.ok(await page.$('#cases a[data-case="' + late.id + '"]'), 'the overdue case is listed');
  assert.match(await page.textContent('#cases'), /Overdue/);
  await page.click('#cases a[data-case="' + late.id + '"]');
  await page.waitForSelector('#case');
  assert.match(await page.textContent('#case-overdue'), /Acknowledged by the partner/);
  await page.click('#cases-back');
  await page.waitForSelector('#cases');
  await page.uncheck('#cases-overdue');
  await page.waitForSelector('#cases a[data-case="' + c.id + '"]');
  await page.click('#cases a[data-case="' + c.id + '"]');
  await page.waitForSelector('#case');
  assert.deepEqual(await page.$$eval('#case-next button', (bs) => bs.map((b) => b.dataset.step)), ['referred', 'closed']);
  assert.deepEqual(await contrastFailures(page), [], 'contrast of the case page');
  assert.deepEqual(await smallTargets(page), [], 'touch targets of the case page');
  /* referred: the partner from the directory, by keyboard */
  await page.focus('#case-next button[data-step="referred"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#step-dialog');
  await page.selectOption('#step-partner', String(pid));
  await page.check('#step-consent');
  await page.fill('#step-note', 'Child protection duty officer informed by phone');
  await page.click('#step-confirm');
  await page.waitForFunction(() => /Referred/.test(document.querySelector('#case-notice')?.textContent || ''));
  assert.match(await page.textContent('#case-state'), /Referred/);
  assert.match(await page.textContent('#case-assigned'), /second_line1/, 'the step assigned the officer');
  assert.match(await page.textContent('#case-deadlines'), /Acknowledgement by the partner due/);
  assert.match(await page.textContent('#case-deadlines'), /30 days/);
  const steps = await page.$$eval('#case-steps tbody tr', (rows) => rows.map((r) => r.cells[0].textContent + ' | ' + r.cells[2].textContent));
  assert.deepEqual(steps, ['Case opened | officer1', 'Referred | second_line1']);
  assert.deepEqual(await page.$$eval('#case-next button', (bs) => bs.map((b) => b.dataset.step)), ['acknowledged', 'closed']);
  /* meanwhile a supervisor records the acknowledgement: the page's button is now out of order */
  const ack = await server.call('supervisor1', 'POST', '/v1/cases/' + c.id + '/steps', { step: 'acknowledged' });
  assert.equal(ack.status, 200, ack.text);
  await page.click('#case-next button[data-step="acknowledged"]');
  await page.waitForSelector('#step-dialog');
  await page.click('#step-confirm');
  await page.waitForSelector('#case-conflict');
  assert.match(await page.textContent('#case-conflict'), /“Acknowledged by the partner” is not possible/);
  assert.equal(await page.textContent('#case-conflict-allowed'), 'Interview held, Closed');
  assert.deepEqual(await page.$$eval('#case-next button', (bs) => bs.map((b) => b.dataset.step)), ['interview_held', 'closed']);
  /* the interview: second-line indicators recorded as an assessment on the case */
  await page.click('#case-interview');
  await page.waitForSelector('#checklist-form');
  assert.match(await page.textContent('#checklist-title'), /Second-line interview indicators/);
  const codes = await page.$$eval('#checklist-form input[data-code]', (bs) => bs.map((b) => b.dataset.code));
  assert.ok(codes.length > 0, 'second-line indicators');
  await page.check('#checklist-form input[data-code="' + codes[0] + '"]');
  await page.click('#checklist-submit');
  await page.waitForSelector('#assessment');
  await page.click('#checklist-close');
  await page.waitForFunction(() => document.querySelectorAll('#case-assessments .assessment').length === 2);
  await page.click('#case-next button[data-step="interview_held"]');
  await page.click('#step-confirm');
  await page.waitForFunction(() => /Interview held/.test(document.querySelector('#case-state')?.textContent || ''));
  /* closing asks for the outcome */
  await page.click('#case-next button[data-step="closed"]');
  await page.selectOption('#step-outcome', 'child_protection');
  await page.click('#step-confirm');
  await page.waitForFunction(() => /Closed/.test(document.querySelector('#case-state')?.textContent || ''));
  assert.match(await page.textContent('#case'), /Taken into child protection/);
  assert.ok(await page.$('#case-next') === null);
  const final = await server.call('supervisor1', 'GET', '/v1/cases/' + c.id);
  assert.equal(final.json.state, 'closed');
  assert.equal(final.json.outcome, 'child_protection');
  assert.deepEqual(final.json.steps.map((s) => s.step), ['opened', 'referred', 'acknowledged', 'interview_held', 'closed']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('protect: an admin keeps the referral partner directory (add, edit, make inactive); no case data', async (t) => {
  if (!routes.has('POST /v1/referral-partners')) { t.skip('no /v1/referral-partners (issue 7) yet'); return; }
  const page = await openPage('fr');
  await login(page, 'admin1');
  const screens = await menuScreens(page);
  assert.ok(screens.includes('partners'));
  assert.ok(!screens.includes('cases'), 'no case menu for an admin');
  await page.click('#menu a[data-screen="partners"]');
  await page.waitForSelector('#partners, #partners-empty');
  await page.fill('#partner-name', 'Unité anti-traite — Port de Test');
  await page.selectOption('#partner-type', 'police_thb_unit');
  await page.fill('#partner-country', 'fra');
  await page.fill('#partner-region', 'Bouches-du-Rhône');
  await page.fill('#partner-phone', '+33 4 00 00 00 00');
  await page.fill('#partner-languages', 'fr, ar, en');
  await page.click('#partner-save');
  await page.waitForFunction(() => /ajouté/.test(document.querySelector('#partners-notice')?.textContent || ''));
  assert.match(await page.textContent('#partners'), /Unité de police de lutte contre la traite/);
  const list = await server.call('admin1', 'GET', '/v1/referral-partners');
  const p = list.json.partners.find((x) => x.name === 'Unité anti-traite — Port de Test');
  assert.ok(p);
  assert.equal(p.country, 'FRA');
  assert.deepEqual(p.languages, ['fr', 'ar', 'en']);
  await page.click('button[data-edit="' + p.id + '"]');
  assert.equal(await page.inputValue('#partner-name'), 'Unité anti-traite — Port de Test');
  await page.fill('#partner-hours', '24 h/24');
  await page.uncheck('#partner-active');
  await page.click('#partner-save');
  await page.waitForFunction(() => /enregistrées/.test(document.querySelector('#partners-notice')?.textContent || ''));
  const after = await server.call('admin1', 'GET', '/v1/referral-partners/' + p.id);
  assert.equal(after.json.active, false);
  assert.equal(after.json.hours, '24 h/24');
  assert.equal(after.json.region, 'Bouches-du-Rhône');
  assert.match(await page.textContent('#partners'), /Inactif/);
  /* a wrong country code: the server's refusal is shown */
  await page.fill('#partner-name', 'X');
  await page.fill('#partner-country', 'FR');
  await page.click('#partner-save');
  await page.waitForFunction(() => (document.querySelector('#partner-error')?.textContent || '').length > 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('protect: an analyst sees the protection statistics and their CSV, but no case menu and no names', async (t) => {
  if (!routes.has('GET /v1/protect/statistics')) { t.skip('no /v1/protect/statistics (issue 7) yet'); return; }
  if (routes.has('POST /v1/cases')) await apiCase('PETIT', 'FP3300003');
  const page = await openPage('en');
  await login(page, 'analyst1');
  const screens = await menuScreens(page);
  assert.ok(screens.includes('protect_stats'));
  for (const no of ['cases', 'partners', 'check']) assert.ok(!screens.includes(no), 'no ' + no + ' for an analyst');
  await page.click('#menu a[data-screen="protect_stats"]');
  await page.waitForSelector('#pstats, #pstats-empty');
  const row = await page.$$eval('#pstats tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.ok(row.some((r) => r[0] === 'TST-AIR' && Number(r[2]) >= 1 && Number(r[7]) >= 1), 'minors and cases counted: ' + JSON.stringify(row));
  assert.doesNotMatch(await page.textContent('main'), /MOREAU|PETIT|BENALI|HAMDAN/, 'no names');
  const href = await page.getAttribute('#pstats-csv', 'href');
  assert.match(href, /format=csv/);
  const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  assert.match(csv, /^crossing_point,month,minors_checked/);
  assert.deepEqual(await contrastFailures(page), [], 'contrast of the protection statistics');
  /* a case page is not reachable for an analyst: the router falls back to an allowed screen */
  await page.goto(server.base + '/cases/1');
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.$('#case'), null);
  /* the liaison officer sees the same statistics screen */
  const liaison = await openPage('ar');
  await login(liaison, 'liaison1');
  assert.deepEqual(await menuScreens(liaison), ['protect_stats']);
  await liaison.waitForSelector('#pstats, #pstats-empty');
  assert.match(await liaison.textContent('main h1'), /الإحصاءات/);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(liaison.errors, []);
  await page.context().close();
  await liaison.context().close();
});
