/*
 * screens.js - which screens exist, where they live and which roles see
 * them.  The menu is built from the session's role: a screen a role may
 * not use is not shown to it (the server refuses the calls anyway).  The
 * role sets follow the API's route tables.
 */
import * as check from './views/check.js';
import * as travellers from './views/travellers.js';
import * as overstayers from './views/overstayers.js';
import * as lists from './views/lists.js';
import * as audit from './views/audit.js';
import * as users from './views/users.js';
import * as stats from './views/stats.js';
import * as cases from './views/cases.js';
import * as partners from './views/partners.js';
import * as protectStats from './views/protect-stats.js';

export const SCREENS = [
  { id: 'check', path: '/check', roles: ['officer', 'second_line', 'supervisor'], view: check },
  { id: 'travellers', path: '/travellers', roles: ['officer', 'second_line', 'supervisor'], view: travellers },
  { id: 'overstayers', path: '/overstayers', roles: ['second_line', 'supervisor'], view: overstayers },
  { id: 'cases', path: '/cases', roles: ['second_line', 'supervisor'], view: cases },
  { id: 'lists', path: '/lists', roles: ['supervisor', 'admin'], view: lists },
  { id: 'stats', path: '/statistics', roles: ['analyst', 'supervisor'], view: stats },
  { id: 'protect_stats', path: '/protection-statistics', roles: ['analyst', 'supervisor', 'liaison'], view: protectStats },
  { id: 'audit', path: '/audit', roles: ['supervisor'], view: audit },
  { id: 'users', path: '/users', roles: ['admin'], view: users },
  { id: 'partners', path: '/referral-partners', roles: ['admin'], view: partners },
];

export function screensFor(role) {
  return SCREENS.filter((s) => s.roles.includes(role));
}
