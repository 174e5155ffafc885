/*
 * screenshots.mjs - pictures of the main screens of the web interface in
 * English and Arabic for docs/screenshots/ (the README shows them).
 *
 * Runs `limes demo` on a temporary database (demo crossing points,
 * watchlists and referral partners), records a few crossings so that the history and overstayer
 * screens have something to show, then drives Debian's chromium through
 * each screen.  Usage (from the source root, after `make` and `npm ci`):
 *   LIMES_BIN=build/limes node tests/web/screenshots.mjs [OUT_DIR]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Server, launchBrowser, loadPlaywright, requireChromium, buildWebAssets, SOURCE, PASSWORD } from './harness.mjs';
import { td3 } from './mrz.mjs';

requireChromium();
const { chromium } = await loadPlaywright();
const out = process.argv[2] || join(SOURCE, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
buildWebAssets();

const DAY = 86400000;
const CLEAR = td3({ state: 'JPN', surname: 'TANAKA', given: 'HANAKO', number: 'TK1234567', nationality: 'JPN', dob: '880305', sex: 'F', expiry: '340101' });
/* an unaccompanied child (child-protection checklist and case) */
const CHILD = td3({ state: 'SYR', surname: 'HAMDAN', given: 'OMAR', number: 'N01122334', nationality: 'SYR', dob: '120303', sex: 'M', expiry: '280303' });
const HIT = td3({ state: 'SAU', surname: 'ALZAHRANI', given: 'MOHAMED ABDULRAHMAN', number: 'S09912345', nationality: 'SAU', dob: '821102', sex: 'M', expiry: '310909' });

const server = await Server.start({ demo: true });
const browser = await launchBrowser(chromium);
try {
  await seed();
  for (const lang of ['en', 'ar']) await shoot(lang);
} finally {
  await browser.close();
  await server.stop();
}

/* Crossings a month and four months ago: one traveller in the history, one overstayer. */
async function seed() {
  const bcps = (await server.call('supervisor1', 'GET', '/v1/bcps')).json.bcps;
  const bcp = bcps[0].code;
  const now = Date.now();
  const cross = (person, doc, direction, daysAgo) => server.call('officer1', 'POST', '/v1/crossings',
    { person, document: doc, bcp, direction, at_ms: now - daysAgo * DAY });
  const tanaka = [{ surname: 'TANAKA', given_names: 'HANAKO', birth_date: '1988-03-05', sex: 'F', nationality: 'JPN' }, { issuer: 'JPN', number: 'TK1234567', doc_type: 'P', expiry_date: '2034-01-01' }];
  await cross(...tanaka, 'entry', 60);
  await cross(...tanaka, 'exit', 45);
  await cross(...tanaka, 'entry', 20);
  await cross(...tanaka, 'exit', 12);
  await cross({ surname: 'SILVA', given_names: 'JOAO PEDRO', birth_date: '1979-10-23', sex: 'M', nationality: 'BRA' }, { issuer: 'BRA', number: 'FB118822', doc_type: 'P' }, 'entry', 120);
  await cross({ surname: 'MARTIN', given_names: 'EMILY', birth_date: '1995-06-30', sex: 'F', nationality: 'USA' }, { issuer: 'USA', number: '561234987', doc_type: 'P' }, 'entry', 101);
}

async function page(lang, user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  await context.addInitScript((l) => localStorage.setItem('limes.lang', l), lang);
  const p = await context.newPage();
  await p.goto(server.base + '/');
  await p.waitForSelector('body[data-ready="1"]');
  if (user) {
    await p.fill('#username', user);
    await p.fill('#password', PASSWORD);
    await p.press('#password', 'Enter');
    await p.waitForSelector('#logout');
  }
  return p;
}

async function scan(p, zone) {
  await p.waitForSelector('select#bcp');
  await p.focus('#mrz');
  for (const line of zone.split('\n')) { await p.keyboard.type(line); await p.keyboard.press('Enter'); }
  await p.waitForSelector('#result');
}

async function snap(p, name, full) {
  await p.evaluate(() => document.fonts.ready);
  await p.screenshot({ path: join(out, name + '.png'), fullPage: !!full });
  console.log('wrote ' + join(out, name + '.png'));
}

/*
 * Child protection: a child travelling alone, the indicator checklist from
 * the result card, the recommendation with its reasons, the case it opens
 * and the case page after the referral.
 */
async function protect(p, lang) {
  await p.keyboard.press('Escape');
  await scan(p, CHILD);
  await p.keyboard.press('p');
  await p.waitForSelector('#checklist-form');
  for (const code of ['A1', 'A3', 'D1']) {
    const box = await p.$('#checklist-form input[data-code="' + code + '"]');
    if (box) await box.check();
  }
  await p.fill('#checklist-notes', lang === 'ar' ? 'يسافر الطفل بمفرده ويبدو خائفًا' : 'Travels alone, looks frightened');
  await p.focus('#checklist-form input[data-code="A1"]');
  await p.$eval('#checklist-dialog', (d) => { d.scrollTop = 0; });
  await snap(p, lang + '-protect-checklist');
  await p.click('#checklist-submit');
  await p.waitForSelector('#assessment');
  await snap(p, lang + '-protect-recommendation');
  await p.click('#case-open');
  await p.waitForSelector('#case-link');
  await p.click('#case-link');
  await p.waitForSelector('#case');
  await p.click('#case-next button[data-step="referred"]');
  await p.waitForSelector('#step-dialog');
  await p.check('#step-consent');
  await p.click('#step-confirm');
  await p.waitForSelector('#case-notice');
  await snap(p, lang + '-protect-case', true);
  await p.click('#menu a[data-screen="check"]');
}

async function shoot(lang) {
  let p = await page(lang);
  await snap(p, lang + '-login');
  await p.context().close();

  p = await page(lang, 'second_line1');
  await scan(p, CLEAR);
  await snap(p, lang + '-check-clear', true);
  await p.keyboard.press('Escape');
  await scan(p, HIT);
  await snap(p, lang + '-check-hit', true);
  await p.keyboard.press('r');
  await p.waitForSelector('#refuse-dialog');
  await p.keyboard.press('h');
  await snap(p, lang + '-check-refuse');
  await p.keyboard.press('Enter');
  await p.waitForSelector('#decided');

  await protect(p, lang);

  await p.click('#menu a[data-screen="travellers"]');
  await p.fill('#traveller-q', 'TK1234567');
  await p.press('#traveller-q', 'Enter');
  await p.click('button[data-traveller]');
  await p.waitForSelector('#crossings');
  await snap(p, lang + '-traveller-history');
  await p.click('#menu a[data-screen="overstayers"]');
  await p.waitForSelector('#overstayers, #overstayers-empty');
  await snap(p, lang + '-overstayers');
  await p.context().close();

  p = await page(lang, 'supervisor1');
  await p.click('#menu a[data-screen="lists"]');
  await p.waitForSelector('#lists');
  await p.fill('#search-name', lang === 'ar' ? 'كريم حداد' : 'Kareem Hadad');
  await p.press('#search-name', 'Enter');
  await p.waitForSelector('#search-hits, #search-hits-empty');
  await snap(p, lang + '-watchlists', true);
  await p.click('#menu a[data-screen="stats"]');
  await p.waitForSelector('#stats-crossings, #stats-crossings-empty');
  await snap(p, lang + '-statistics', true);
  await p.click('#menu a[data-screen="audit"]');
  await p.waitForSelector('#audit');
  await snap(p, lang + '-audit');
  await p.context().close();

  p = await page(lang, 'admin1');
  await p.click('#menu a[data-screen="users"]');
  await p.waitForSelector('#users');
  await snap(p, lang + '-users', true);
  await p.click('#menu a[data-screen="partners"]');
  await p.waitForSelector('#partners, #partners-empty');
  await snap(p, lang + '-protect-partners', true);
  await p.context().close();
}
