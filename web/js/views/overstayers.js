/*
 * views/overstayers.js - entries without an exit past their latest lawful
 * exit date (issue 5: GET /v1/overstayers).
 */
import { h, clear } from '../dom.js';
import * as i18n from '../i18n.js';
import { t } from '../i18n.js';
import { api, hasRoute } from '../api.js';
import { unavailable, errorBox, table } from './common.js';
import { showTraveller } from './travellers.js';

let root = null;
let go = null;
let rows = null;
let error = null;

export function render(main, ctx) {
  root = main;
  go = ctx.navigate;
  rows = null;
  error = null;
  draw();
  if (hasRoute('GET /v1/overstayers')) load();
}

async function load() {
  try {
    const res = await api('GET', '/v1/overstayers');
    rows = res.overstayers || res.items || [];
  } catch (e) { error = e; }
  draw();
}

function draw() {
  if (!root.isConnected) return;
  clear(root);
  root.append(h('section', { class: 'panel' },
    h('h1', {}, t('overstayers.title')),
    hasRoute('GET /v1/overstayers') ? null : unavailable('GET /v1/overstayers', 5),
    error ? errorBox(error) : null,
    rows ? table('overstayers', [t('field.name'), t('field.nationality'), t('overstayers.entered'), t('stay.latest_exit'), t('stay.overstay'), ''],
      rows.map((r) => [h('span', { dir: 'auto' }, [r.surname, r.given_names].filter(Boolean).join(', ')),
        i18n.country(r.nationality), i18n.date(r.entry), i18n.date(r.latest_exit),
        { num: i18n.number(r.overstay_days) },
        h('button', { type: 'button', 'data-traveller': r.traveller_id, onclick: () => { showTraveller(r.traveller_id); go('/travellers'); } }, t('overstayers.history'))]),
      'overstayers.none') : null));
}
