// api.js — the console's only way to the server: JSON over fetch to
// /api/v1 with the session cookie, and the CSRF token from the login answer
// sent as X-CSRF-Token on every request that changes something. The token
// is kept in sessionStorage (this tab only) so that a reload stays logged in.

const BASE = '/api/v1';
const CSRF_KEY = 'vigil.csrf';
let unauthorized = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `the server answered ${status}`);
    this.status = status;
    this.field = body && body.field;
    this.reasons = (body && Array.isArray(body.reasons)) ? body.reasons : [];
    this.body = body;
  }
  // An endpoint this server does not have (yet): the view says so and goes on.
  get missing() {
    return (this.status === 404 && /no such endpoint/.test(this.message)) || this.status === 405;
  }
}

// Called when a request finds the session gone (401): back to the login.
export function onUnauthorized(fn) { unauthorized = fn; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (e) {
    throw new ApiError(0, { error: 'the server cannot be reached' });
  }
  let data = null;
  if ((res.headers.get('Content-Type') || '').startsWith('application/json')) {
    data = await res.json().catch(() => null);
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && path !== '/login') unauthorized(err);
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const del = (path) => api('DELETE', path);

export async function login(name, password) {
  const me = await api('POST', '/login', { name, password });
  sessionStorage.setItem(CSRF_KEY, me.csrf_token || me.csrf || '');
  return me;
}

export async function logout() {
  try { await api('POST', '/logout'); } finally { sessionStorage.removeItem(CSRF_KEY); }
}

// Who is logged in, or null. A session without a CSRF token in this tab
// (opened in another tab) cannot change anything: log in again.
export async function whoami() {
  if (!sessionStorage.getItem(CSRF_KEY)) return null;
  try {
    return await get('/me');
  } catch (e) {
    if (e.status === 401) { sessionStorage.removeItem(CSRF_KEY); return null; }
    throw e;
  }
}

export const url = (path) => BASE + path;
