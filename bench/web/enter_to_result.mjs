/*
 * enter_to_result.mjs BASE_URL USER PASSWORD N - issue 6's goal, measured:
 * from the scanner's last Enter to the result card on screen, in a real
 * headless Chromium against a running `limes serve --web web`.  Types N
 * generated TD3 zones (half of them names built to resemble watchlist
 * names) as a scanner does and prints p50, p95 and max of two clocks: the
 * page's own (performance.now() from the Enter to the card's render, the
 * `data-elapsed` attribute) and the driver's (keypress to selector).
 */
import { launchBrowser, loadPlaywright } from '../../tests/web/harness.mjs';
import { td3 } from '../../tests/web/mrz.mjs';

const [base, user, password, nText] = process.argv.slice(2);
const n = Number(nText || 50);
const SURNAMES = ['HADDAD', 'ALZAHRANI', 'BENALI', 'MANSOUR', 'KHALIL', 'SAID', 'NASSER', 'YOUSSEF', 'IBRAHIM', 'SALEH'];
const GIVEN = ['KAREEM', 'MOHAMED', 'AHMAD', 'FATIMA', 'LAYLA', 'OMAR', 'YOUSSEF', 'MARIAM', 'HASSAN', 'NOUR'];

function zone(i) {
  const num = ('B' + String(1000000 + i)).slice(0, 9);
  return td3({ state: 'JOR', surname: SURNAMES[i % 10], given: GIVEN[(i * 7) % 10], number: num,
    nationality: 'JOR', dob: String(700101 + (i % 28)), sex: i % 2 ? 'M' : 'F', expiry: '330101' });
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

const { chromium } = await loadPlaywright();
const browser = await launchBrowser(chromium);
const page = await browser.newPage();
await page.goto(base + '/');
await page.fill('#username', user);
await page.fill('#password', password);
await page.press('#password', 'Enter');
await page.waitForSelector('select#bcp');
const inPage = [], driver = [];
for (let i = 0; i < n; i++) {
  await page.keyboard.press('Escape');
  await page.focus('#mrz');
  await page.fill('#mrz', '');
  const [l1, l2] = zone(i).split('\n');
  await page.keyboard.type(l1);
  await page.keyboard.press('Enter');
  await page.keyboard.type(l2);
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#result[data-elapsed]:not([data-elapsed=""]), #check-error');
  driver.push(Date.now() - t0);
  const e = await page.getAttribute('#result', 'data-elapsed');
  if (e) inPage.push(Number(e));
  await page.waitForTimeout(20);
}
await browser.close();
const line = {
  checks: n,
  page_ms: { p50: pct(inPage, 0.5), p95: pct(inPage, 0.95), max: Math.max(...inPage) },
  driver_ms: { p50: pct(driver, 0.5), p95: pct(driver, 0.95), max: Math.max(...driver) },
};
console.log(JSON.stringify(line));
