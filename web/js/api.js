/*
 * api.js - calls the limes JSON API from the browser.
 *
 * The session cookie is HttpOnly and travels by itself; the CSRF token
 * returned by POST /v1/session goes back as X-CSRF-Token on every
 * state-changing call.  A 401 on any call other than the login means the
 * session has ended: the app is told ("limes:expired") and brings back the
 * login screen without losing what the officer had typed.  Errors are the
 * server's problem+json documents, thrown as ApiError.
 */
let csrfToken = null;
let routes = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || 'HTTP ' + status);
    this.status = status;
    this.problem = problem || {};
  }
}

export function setCsrf(token) { csrfToken = token; }

export async function api(method, path, body) {
  return call(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
}

/* A call whose body is sent as it is (a list file to import). */
export async function apiRaw(method, path, data, contentType) {
  return call(method, path, data, contentType || 'application/octet-stream');
}

async function call(method, path, data, contentType) {
  const headers = { Accept: 'application/json' };
  if (data !== undefined) headers['Content-Type'] = contentType;
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', body: data,
    });
  } catch (e) {
    throw new ApiError(0, { code: 'network' });
  }
  let answer = null;
  const text = await res.text();
  if (text) {
    try { answer = JSON.parse(text); } catch (e) { answer = null; }
  }
  if (res.status === 401 && !(method === 'POST' && path === '/v1/session')) {
    window.dispatchEvent(new CustomEvent('limes:expired'));
  }
  if (!res.ok) throw new ApiError(res.status, answer);
  return answer;
}

/*
 * The routes the server offers, from its OpenAPI document: a set of
 * "METHOD /path" strings.  Screens whose API has not been built yet show
 * themselves disabled with a note instead of failing.
 */
export async function loadRoutes() {
  routes = new Set();
  try {
    const doc = await api('GET', '/v1/openapi.json');
    for (const [path, ops] of Object.entries(doc.paths || {})) {
      for (const method of Object.keys(ops)) routes.add(method.toUpperCase() + ' ' + path);
    }
  } catch (e) {
    /* an unreachable document leaves every optional screen disabled */
  }
  return routes;
}

export function hasRoute(methodAndPath) { return routes !== null && routes.has(methodAndPath); }
