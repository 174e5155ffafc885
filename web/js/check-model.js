/*
 * check-model.js - turns what the API answers into the one shape the
 * check screen draws:
 *
 *   { id, provisional, document: {MRZ fields, valid, problems[]},
 *     hits: [{kind, list, ref, name, score, action, status,
 *             tokens: [{query, entry, how, score}],
 *             evidence: [{what, outcome, detail}]}],
 *     stay: {days_used, days_left, latest_exit, overstay_days} | null,
 *     minor: {minor, unknown} | null,
 *     aid: {level: clear|attention|stop, reasons: [...]} }
 *
 * normaliseCheck() reads a POST /v1/checks answer (issue 5), where the
 * server has worked out the aid.  composeCheck() stands in until that
 * route exists: it calls POST /v1/documents/mrz and POST /v1/screen and
 * works out a provisional aid from the same facts, marked as such.  Both
 * read field names tolerantly, since the answers are young.
 */

const STOP_ACTIONS = new Set(['arrest', 'refuse_entry', 'seize_document', 'detain']);

function num(x) { return typeof x === 'number' && isFinite(x) ? x : null; }

function tokenPairs(expl) {
  if (!expl) return [];
  const list = expl.matches || expl.tokens || expl.names || expl.pairs || expl.alignment || [];
  if (!Array.isArray(list)) return [];
  return list.map((p) => ({
    query: p.query ?? p.query_token ?? p.traveller ?? p.a ?? p.from ?? '',
    entry: p.entry ?? p.entry_token ?? p.list ?? p.b ?? p.to ?? '',
    how: p.how ?? p.method ?? p.kind ?? p.match ?? '',
    score: num(p.score ?? p.similarity),
  }));
}

/* Date of birth, nationality and gender evidence: objects, strings or numbers. */
function evidence(expl) {
  const out = [];
  if (!expl) return out;
  for (const what of ['dob', 'nationality', 'gender', 'document']) {
    const ev = expl[what] ?? expl[what + '_evidence'];
    if (ev === undefined || ev === null) continue;
    if (typeof ev === 'string') out.push({ what, outcome: ev, detail: '' });
    else if (typeof ev === 'number') out.push({ what, outcome: ev > 0 ? 'supports' : ev < 0 ? 'against' : 'neutral', detail: '' });
    else if ('delta' in ev || 'note' in ev) {
      /* the screening engine: {delta added to the name score, note} */
      if (!ev.note && !ev.delta) continue;
      out.push({ what, outcome: ev.delta > 0 ? 'supports' : ev.delta < 0 ? 'against' : 'neutral', detail: ev.note || '' });
    } else {
      const outcome = ev.outcome ?? ev.result ?? ev.match ?? ev.how ?? (num(ev.weight ?? ev.score) !== null
        ? ((ev.weight ?? ev.score) > 0 ? 'supports' : (ev.weight ?? ev.score) < 0 ? 'against' : 'neutral') : '');
      const detail = [ev.query, ev.entry].filter((v) => v !== undefined && v !== null && v !== '').join(' / ');
      out.push({ what, outcome: String(outcome), detail });
    }
  }
  return out;
}

function normaliseHit(hit, kind) {
  const expl = hit.explanation || hit.explain || null;
  const entry = hit.entry || {};
  const names = entry.names || hit.names;
  const name = hit.matched_name || hit.entry_name || hit.name
    || (Array.isArray(names) && names[0] ? (names[0].full || names[0]) : '') || entry.number || hit.number || '';
  return {
    kind: hit.kind || hit.type || kind,
    list: hit.list || entry.list || '',
    ref: hit.ref || entry.ref || hit.reference || '',
    name: typeof name === 'string' ? name : '',
    score: num(hit.score),
    action: hit.action || entry.action || '',
    status: hit.status || entry.status || '',
    tokens: tokenPairs(expl),
    evidence: evidence(expl),
    alert: hit.alert !== false,
    suppressed: !!hit.suppressed,
    suppression: hit.suppression || '',
  };
}

function hitsOf(res) {
  const hits = [];
  const add = (list, kind) => { if (Array.isArray(list)) list.forEach((x) => hits.push(normaliseHit(x, kind))); };
  add(res.document_hits, 'document');
  add(res.person_hits, 'person');
  if (!res.document_hits && !res.person_hits) {
    if (res.hits && !Array.isArray(res.hits)) { add(res.hits.documents, 'document'); add(res.hits.persons, 'person'); }
    else (res.hits || res.matches || []).forEach((x) => hits.push(normaliseHit(x, x.number || x.status ? 'document' : 'person')));
  }
  return hits;
}

function stayOf(s) {
  if (!s) return null;
  return {
    regime: s.regime || '',
    unlimited: !!s.unlimited,
    days_used: num(s.days_used ?? s.used),
    days_left: num(s.days_left ?? s.left),
    latest_exit: s.latest_exit ?? s.latest_lawful_exit ?? s.latest_exit_date ?? '',
    overstay_days: num(s.overstay_days ?? s.overstay),
  };
}

function minorOf(m, doc) {
  if (m === undefined || m === null) return null;
  if (typeof m === 'boolean') return { minor: m, unknown: false };
  return {
    minor: !!(m.minor ?? m.is_minor ?? m.value),
    unknown: m.age_known === false || !!(m.unknown_age ?? m.unknown),
    age: num(m.age),
    accompanied: m.accompanied_by_adult,
    companions: Array.isArray(m.companions) ? m.companions : [],
  };
}

/*
 * POST /v1/checks answer -> model.  The answer: {id, aid ("clear",
 * "attention", "stop"), reasons: [{level, code, detail}], document (the
 * MRZ reading, or the typed fields), screening: {hits}, stay, minor:
 * {minor, age_known, age, companions, accompanied_by_adult}, decision}.
 * `typed` (may be null) are the fields the officer typed, shown when the
 * server answers with the document number alone.
 */
export function normaliseCheck(res, typed) {
  const aid = typeof res.aid === 'string' ? { level: res.aid } : (res.aid || {});
  const level = String(aid.level || 'attention').toLowerCase();
  let doc = res.document || null;
  if (doc && doc.source === 'fields' && typed) doc = { ...typed, ...doc, valid: null };
  return {
    id: res.id ?? res.check_id ?? null,
    provisional: false,
    document: doc,
    hits: hitsOf(res.screening && typeof res.screening === 'object' ? res.screening : res),
    stay: stayOf(res.stay),
    minor: minorOf(res.minor ?? res.is_minor, res.document),
    aid: { level: ['clear', 'attention', 'stop'].includes(level) ? level : 'attention', reasons: res.reasons || aid.reasons || [] },
    decision: res.decision || null,
    traveller_id: res.traveller_id ?? null,
    bcp: res.bcp || '',
  };
}

/* Age in whole years on `today` from an ISO birth date; null when unknown. */
export function ageOn(birth, today) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth || '');
  if (!m) return null;
  let age = today.getUTCFullYear() - +m[1];
  const md = (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  if (md < +m[2] * 100 + +m[3]) age -= 1;
  return age;
}

/* The screening request for a parsed or typed document. */
function screenRequest(doc) {
  const name = [doc.secondary_identifier, doc.primary_identifier].filter(Boolean).join(' ').trim();
  const req = {};
  if (name) req.name = name;
  const dob = doc.birth_date || '';
  if (/^\d{4}/.test(dob)) req.dob = dob.replace(/-\?\?.*$/, '');
  if (doc.nationality) req.nationality = doc.nationality;
  if (doc.sex === 'M' || doc.sex === 'F') req.gender = doc.sex;
  if (doc.document_number) { req.document = doc.document_number; if (doc.issuing_state) req.issuer = String(doc.issuing_state).replace(/<+$/, ''); }
  return req;
}

/*
 * Until POST /v1/checks exists: parse the zone, screen the holder and the
 * document, and derive a provisional aid (stop on a hit whose action is
 * arrest, refuse entry or seize the document; attention on any other hit,
 * an invalid document or a minor; clear otherwise).
 */
export async function composeCheck(input, { api, screen }) {
  let doc;
  if (input.mrz) doc = await api('POST', '/v1/documents/mrz', { mrz: input.mrz });
  else doc = { ...input.fields, valid: null, problems: [] };
  let hits = [];
  if (screen) {
    const req = screenRequest(doc);
    if (req.name || req.document) hits = hitsOf(await api('POST', '/v1/screen', req));
  }
  const reasons = [];
  let level = 'clear';
  const raise = (to) => { if (to === 'stop' || (to === 'attention' && level === 'clear')) level = to; };
  if (doc.valid === false) {
    raise('attention');
    reasons.push({ key: 'reason.document_invalid', vars: { n: (doc.problems || []).filter((p) => p.severity !== 'warning').length } });
  }
  if ((doc.problems || []).some((p) => p.code === 'expired')) { raise('attention'); reasons.push({ key: 'reason.document_expired' }); }
  for (const hit of hits) {
    if (!hit.alert) continue;
    raise(STOP_ACTIONS.has(hit.action) ? 'stop' : 'attention');
    reasons.push({ key: hit.kind.startsWith('document') ? 'reason.document_hit' : 'reason.person_hit', vars: { list: hit.list, ref: hit.ref } });
  }
  const age = ageOn(doc.birth_date, new Date());
  const minor = { minor: age === null || age < 18, unknown: age === null };
  if (minor.minor) { raise('attention'); reasons.push({ key: minor.unknown ? 'reason.minor_unknown_age' : 'reason.minor' }); }
  if (!screen) { raise('attention'); reasons.push({ key: 'reason.not_screened' }); }
  return { id: null, provisional: true, document: doc, hits, stay: null, minor, aid: { level, reasons } };
}
