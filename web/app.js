// app.js — the console's entry: the login, the navigation between views by
// role, and the toast. Each view is a module with start(ctx) and stop();
// only the chosen view runs (its streams and timers stop when it is left).
import { login, logout, whoami, onUnauthorized } from './api.js';
import { h, clear } from './dom.js';
import alerts from './alerts.js';
import cameras from './cameras.js';
import watchlists from './watchlists.js';
import stats from './stats.js';
import audit from './audit.js';

const VIEWS = [alerts, cameras, watchlists, stats, audit];
const $ = (id) => document.getElementById(id);

let me = null;
let current = null;
let toastTimer = 0;

function toast(text, kind = 'info') {
  const t = $('toast');
  t.textContent = text;
  t.dataset.kind = kind;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 5000);
}

function viewsFor(role) {
  return VIEWS.filter((v) => v.roles.includes(role));
}

function showOnly(sectionId) {
  for (const sec of document.querySelectorAll('main > section.view')) sec.hidden = sec.id !== sectionId;
}

function stopCurrent() {
  if (current) {
    try { current.stop(); } catch (e) { console.error(e); }
    current = null;
  }
}

function showLogin(message) {
  stopCurrent();
  me = null;
  $('nav').hidden = true;
  $('who').hidden = true;
  showOnly('view-login');
  $('login-error').textContent = message || '';
  $('login-password').value = '';
  $('login-name').focus();
}

function go(id) {
  const allowed = viewsFor(me.role);
  const view = allowed.find((v) => v.id === id) || allowed[0];
  if (!view) {
    showOnly('');
    toast(`The role ${me.role} has no view in this console.`, 'error');
    return;
  }
  stopCurrent();
  for (const b of $('nav').querySelectorAll('a')) {
    if (b.dataset.view === view.id) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  showOnly('view-' + view.id);
  document.body.dataset.role = me.role;
  current = view;
  if (location.hash !== '#' + view.id) history.replaceState(null, '', '#' + view.id);
  view.start({ me, toast });
}

function showApp(user) {
  me = user;
  $('who-name').textContent = me.name;
  $('who-role').textContent = me.role;
  $('who').hidden = false;
  const nav = clear($('nav'));
  for (const v of viewsFor(me.role)) {
    nav.append(h('a', { href: '#' + v.id, dataset: { view: v.id }, text: v.title }));
  }
  nav.hidden = false;
  go(location.hash.slice(1));
}

async function onLogin(ev) {
  ev.preventDefault();
  const name = $('login-name').value.trim();
  const password = $('login-password').value;
  const button = ev.target.querySelector('button');
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const user = await login(name, password);
    $('login-password').value = '';
    showApp(user);
  } catch (e) {
    $('login-error').textContent = e.status === 401 ? 'Wrong name or password.' :
      e.status === 429 ? 'Too many failed logins: wait a minute and try again.' : e.message;
    $('login-password').select();
  } finally {
    button.disabled = false;
  }
}

async function init() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', async () => {
    stopCurrent();
    try { await logout(); } catch (e) { /* the session may already be gone */ }
    showLogin('Logged out.');
  });
  window.addEventListener('hashchange', () => { if (me) go(location.hash.slice(1)); });
  onUnauthorized(() => { if (me) showLogin('Your session has ended: log in again.'); });
  let user = null;
  try { user = await whoami(); } catch (e) { /* shown at login */ }
  if (user) showApp(user); else showLogin();
}

init();
