/*
 * i18n.js - the interface's languages: English, Arabic and French.
 *
 * Every text shown comes from the catalogues web/i18n/{en,ar,fr}.json
 * (keys such as "check.title"; "{name}" placeholders); none is written in
 * the code.  Dates and numbers go through Intl for the current locale.
 * Country names come from /generated/countries.json, which
 * tools/web-assets.py builds from Debian's iso-codes, and once logged in
 * from the server's own table (GET /v1/documents/codes).  Switching language
 * sets lang and dir on <html> (Arabic is right to left), refreshes every
 * element marked with data-i18n* and tells the views to draw again.
 */
export const LANGS = ['en', 'ar', 'fr'];
/* Intl locales: British English writes the day before the month, as the rest of Europe does. */
const LOCALES = { en: 'en-GB', ar: 'ar', fr: 'fr' };
const RTL = new Set(['ar']);
const STORE_KEY = 'limes.lang';

const catalogues = {};
let countries = {};
let current = 'en';

export async function loadCatalogues() {
  const fetchJson = async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(url + ': ' + res.status);
    return res.json();
  };
  const [cats, names] = await Promise.all([
    Promise.all(LANGS.map((l) => fetchJson('/i18n/' + l + '.json'))),
    fetchJson('/generated/countries.json').catch(() => ({})),
  ]);
  LANGS.forEach((l, i) => { catalogues[l] = cats[i]; });
  countries = names;
}

export function lang() { return current; }

/*
 * Country names from the server (GET /v1/documents/codes: the same ISO and
 * ICAO table the MRZ reader uses), once logged in; the generated file
 * stays as the fallback for the names the server lacks.
 */
export function setCountries(codes) {
  for (const c of codes) {
    const en = c.name_en || c.code;
    countries[c.code] = { en, ar: c.name_ar || (countries[c.code] && countries[c.code].ar) || en, fr: c.name_fr || (countries[c.code] && countries[c.code].fr) || en };
  }
}

/* The language remembered on this device, else the browser's, else English. */
export function preferredLang() {
  const saved = localStorage.getItem(STORE_KEY);
  if (LANGS.includes(saved)) return saved;
  const nav = (navigator.language || 'en').slice(0, 2);
  return LANGS.includes(nav) ? nav : 'en';
}

export function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  current = l;
  localStorage.setItem(STORE_KEY, l);
  const root = document.documentElement;
  root.lang = l;
  root.dir = RTL.has(l) ? 'rtl' : 'ltr';
  translateStatic(document);
  document.title = t('app.title');
  window.dispatchEvent(new CustomEvent('limes:lang', { detail: l }));
}

/* A catalogue text with {placeholders} filled; the English text if missing. */
export function t(key, vars) {
  let text = catalogues[current]?.[key] ?? catalogues.en?.[key];
  if (text === undefined) return key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return text;
}

/* The text in a given language (the language switcher names each in its own). */
export function tIn(l, key) { return catalogues[l]?.[key] ?? key; }

export function has(key) { return catalogues[current]?.[key] !== undefined || catalogues.en?.[key] !== undefined; }

/* Fills data-i18n (text), data-i18n-aria-label and data-i18n-placeholder. */
export function translateStatic(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-aria-label]').forEach((el) => {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
    el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  });
}

export function number(n, opts) {
  if (n === null || n === undefined || n === '') return '';
  return new Intl.NumberFormat(LOCALES[current], opts).format(n);
}

export function percent(x) { return number(x, { style: 'percent', maximumFractionDigits: 0 }); }

/*
 * An ISO date "YYYY-MM-DD" as precise as it is known: "1974-08-??" shows
 * month and year, "1974-??-??" the year, "????-??-??" says unknown.
 */
export function date(iso) {
  if (!iso) return '';
  const m = /^(\d{4}|\?{4})-(\d{2}|\?{2})-(\d{2}|\?{2})$/.exec(String(iso).slice(0, 10));
  if (!m) return String(iso);
  if (m[1].startsWith('?')) return t('date.unknown');
  const opts = { timeZone: 'UTC', year: 'numeric' };
  if (!m[2].startsWith('?')) opts.month = 'short';
  if (!m[2].startsWith('?') && !m[3].startsWith('?')) opts.day = 'numeric';
  const when = Date.UTC(+m[1], m[2].startsWith('?') ? 0 : +m[2] - 1, m[3].startsWith('?') ? 1 : +m[3]);
  return new Intl.DateTimeFormat(LOCALES[current], opts).format(when);
}

/* A day number (days since 1970-01-01) as a date. */
export function day(n) {
  if (n === null || n === undefined) return '';
  return new Intl.DateTimeFormat(LOCALES[current], { timeZone: 'UTC', dateStyle: 'medium' }).format(n * 86400000);
}

/* Epoch milliseconds as local date and time. */
export function dateTime(ms) {
  if (!ms) return '';
  return new Intl.DateTimeFormat(LOCALES[current], { dateStyle: 'medium', timeStyle: 'medium' }).format(ms);
}

/* The name of an ISO 3166-1 / ICAO code in the current language, else the code. */
export function country(code) {
  if (!code) return '';
  const c = String(code).replace(/<+$/, '');
  const names = countries[c];
  return names ? (names[current] || names.en) : c;
}

/* "Germany (DEU)", with the code kept left to right inside Arabic text. */
export function countryWithCode(code) {
  if (!code) return '';
  const name = country(code);
  const c = String(code).replace(/<+$/, '');
  return name === c ? c : name + ' (\u2066' + c + '\u2069)';
}
