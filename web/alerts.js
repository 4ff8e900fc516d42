// alerts.js — the alert queue as incidents (incidents.js groups the alerts
// of one person on one deployment): the alerts so far (paged from
// /api/v1/alerts, retried until the server answers), then new ones and
// decisions live from the SSE stream (EventSource resumes with
// Last-Event-ID; after an outage the alerts since the last one seen are
// fetched as well, so none is missed). A card shows the probe face beside
// the watch-list photo and, where the deployment keeps one, the scene
// snapshot (the frame as the live view shows it: bystanders pixelated, the
// match boxed); click to enlarge. The score beside the
// deployment's threshold in words, location, deployment and time. An
// operator decides an incident by button or key; the decision is sent
// after 5 s unless undone (U), then covers each pending alert of the
// incident (each stored and audited on its own). The header and the tab
// title show the pending count; a sound is optional. Without a stream on
// the server (404) the queue polls instead.
import { get, post, url } from './api.js';
import { h, clear, fmtTime, facts } from './dom.js';
import { Incidents, DEFAULT_WINDOW_MIN, ago, scoreWords } from './incidents.js';

const $ = (id) => document.getElementById(id);
const OUTCOMES = [
  { outcome: 'confirmed', label: 'Confirm', key: 'c', cls: 'confirm' },
  { outcome: 'rejected', label: 'Reject', key: 'r', cls: 'reject' },
  { outcome: 'no_action', label: 'No action', key: 'n', cls: 'noaction' },
];
const STATE_TEXT = { pending: 'pending', confirmed: 'confirmed', rejected: 'rejected', no_action: 'no action' };
const POLL_MS = 3000;
const RETRY_MS = 3000;
const STREAM_RETRY_MS = 30000;
const UNDO_MS = 5000;
const SOUND_KEY = 'vigil.sound';
const TITLE = 'vigil console';

let st = null; // this view's state while it runs

const when = (a) => a.frame_time || a.raised_at;

function matches(inc, filter) {
  const pending = inc.state === 'pending' || inc.undo;
  if (filter === 'pending') return pending;
  if (filter === 'decided') return !pending;
  return true;
}

function setLive(text, kind) {
  const el = $('alerts-live');
  el.textContent = text;
  el.dataset.kind = kind;
}

// The banner when live updates stop: shown at once, above everything.
function outage(on, text) {
  const b = $('outage');
  if (!on) { b.hidden = true; return; }
  $('outage-text').textContent = text;
  b.hidden = false;
}

function subjectName(a) {
  if (a.subject_name) return a.subject_name;
  return a.subject_id ? `subject #${a.subject_id}` : 'subject removed';
}

// The enlarged faces (and the scene, when the alert has one); opened from
// the scene, the scene comes first.
function zoom(inc, sceneFirst) {
  const a = inc.best;
  const d = $('zoom');
  const body = clear($('zoom-body'));
  $('zoom-title').textContent = `${subjectName(a)} — alert #${a.id}`;
  body.append(
    h('figure', {}, h('img', { src: url(`/alerts/${a.id}/crop`), alt: `Face seen by camera ${a.camera}, enlarged` }),
      h('figcaption', { text: `Seen by ${a.camera}, ${fmtTime(when(a))}` })),
    a.subject_id ? h('figure', {}, h('img', { src: url(`/subjects/${a.subject_id}/face`), alt: `Watch-list face of ${subjectName(a)}, enlarged` }),
      h('figcaption', { text: 'Watch-list face' })) : null,
    a.scene ? h('figure.scene-big', {}, h('img', { src: url(`/alerts/${a.id}/scene`), alt: `${sceneAlt(a)}, enlarged` }),
      h('figcaption', { text: 'The scene (bystanders pixelated)' })) : null);
  const big = body.querySelector('figure.scene-big');
  if (big && sceneFirst) body.prepend(big);
  d.dataset.incident = inc.id;
  d.showModal();
}

function sceneAlt(a) {
  return `Scene from camera ${a.camera} at the alert: the matched face boxed in red, everyone else pixelated`;
}

// The scene snapshot, only when the alert has one (its deployment's policy).
function scene(inc) {
  const a = inc.best;
  if (!a.scene) return null;
  const fig = h('figure.face.scene');
  const img = h('img', { src: url(`/alerts/${a.id}/scene`), alt: sceneAlt(a), width: 520, height: 293, decoding: 'async' });
  img.addEventListener('error', () => img.replaceWith(h('div.noimg', { text: 'scene unavailable' })), { once: true });
  fig.append(h('button.zoom', { type: 'button', title: 'Enlarge the faces and the scene', 'aria-label': `Enlarge: ${sceneAlt(a)}`, onclick: () => zoom(inc, true) }, img),
    h('figcaption', { text: 'The scene' }));
  return fig;
}

function face(src, alt, missingText, onOpen) {
  const fig = h('figure.face');
  if (!src) {
    fig.append(h('div.noimg', { text: missingText }));
    return fig;
  }
  const img = h('img', { src, alt, width: 256, height: 320, decoding: 'async' });
  img.addEventListener('error', () => img.replaceWith(h('div.noimg', { text: missingText })), { once: true });
  const btn = h('button.zoom', { type: 'button', title: 'Enlarge both faces', 'aria-label': `Enlarge: ${alt}`, onclick: onOpen }, img);
  fig.append(btn);
  return fig;
}

function faces(inc) {
  const a = inc.best;
  if (!st.canSeeFaces) {
    return h('div.faces', {}, h('p.hint', { text: 'Faces are shown to operators only.' }));
  }
  const open = () => zoom(inc);
  const probe = face(url(`/alerts/${a.id}/crop`), `Face seen by camera ${a.camera}`, 'probe image unavailable', open);
  probe.append(h('figcaption', { text: 'Seen by the camera' }));
  // the face of the enrolment photo, upright like the camera's (the whole
  // photo for a subject enrolled before its face's place was kept)
  const enrolled = face(a.subject_id ? url(`/subjects/${a.subject_id}/face`) : null,
    `Watch-list face of ${subjectName(a)}`, 'no enrolled photo available', open);
  enrolled.append(h('figcaption', { text: 'Watch-list face' }));
  const sc = scene(inc);
  return h(sc ? 'div.faces.with-scene' : 'div.faces', {}, probe, enrolled, sc);
}

function stateBadge(inc) {
  if (inc.undo) return h('span.badge.state-deciding', { text: `${STATE_TEXT[inc.undo.outcome]} in a moment` });
  return h('span.badge.state-' + inc.state, { text: STATE_TEXT[inc.state] || inc.state });
}

function timeNode(t) {
  return h('span', {}, h('time', { datetime: new Date(t * 1000).toISOString(), dataset: { t }, text: ago(t) }),
    ` (${fmtTime(t)})`);
}

// Where the incident's cameras are: each camera's own place when the
// deployment gives one, else the deployment's location.
function places(dep, cameras) {
  const known = dep.camera_places || [];
  const out = cameras.map((c) => (known.find((p) => p.name === c) || {}).location || dep.location)
    .filter((x) => x);
  return [...new Set(out)].join('; ');
}

function details(inc) {
  const a = inc.best;
  const last = inc.latest;
  const dep = st.deployments.get(a.deployment_id) || {};
  const decided = inc.state !== 'pending';
  const n = inc.alerts.length;
  const score = typeof a.score === 'number' ? a.score.toFixed(3) : String(a.score);
  const thr = typeof dep.threshold_in_use === 'number' ? dep.threshold_in_use : undefined;
  return h('div.details', {},
    h('h3', { id: `alert-${inc.id}-title` }, h('span.subject', { text: subjectName(a) }), ' ', stateBadge(inc),
      h('span.newmark', { text: 'NEW' })),
    facts([
      ['Score', h('span', {}, h('strong.score', { text: score }),
        thr !== undefined ? ` (alert threshold ${thr.toFixed(2)})` : '',
        h('span.words', { text: ' — ' + scoreWords(a.score, thr) }))],
      ['Seen', n === 1 ? 'once' : `${n} times (${inc.pendingIds.length} pending)`],
      ['Last seen', timeNode(inc.last)],
      ['First seen', n > 1 ? timeNode(inc.first) : undefined],
      ['Camera', inc.cameras.join(', ')],
      ['Location', places(dep, inc.cameras) || undefined],
      ['Deployment', dep.name || `#${a.deployment_id}`],
      ['Watch list', a.watchlist],
      ['Reason for listing', a.subject_reason],
      ['Category', a.subject_category || 'not given'],
      ['Alerts', n === 1 ? `#${a.id}` : inc.alerts.map((x) => `#${x.id}`).join(' ')],
      ['Decided by', decided ? (last.adjudicated_by || '—') : undefined],
      ['Decided at', decided ? fmtTime(last.adjudicated_at) : undefined],
      ['Note', decided && last.note ? last.note : undefined],
    ]),
    a.low_quality ? h('p.lowq', { role: 'note', text: 'Low-quality enrolment: a supervisor accepted a photo of this subject below the quality limits. Compare with care.' }) : null);
}

function undoBox(inc) {
  const left = Math.max(0, Math.ceil((inc.undo.deadline - Date.now()) / 1000));
  return h('div.undo', { role: 'status' },
    h('span', { text: `${STATE_TEXT[inc.undo.outcome]}: sent in ${left} s. ` }),
    h('button.undo-button', { type: 'button', 'aria-keyshortcuts': 'U', onclick: () => undo(inc) }, 'Undo ', h('kbd', { text: 'U' })));
}

function decideForm(inc) {
  if (!st.canDecide || inc.state !== 'pending') return null;
  if (inc.undo) return undoBox(inc);
  const noteId = `alert-${inc.id}-note`;
  const form = h('form.decide', { 'aria-label': `Decision on ${inc.alerts.length > 1 ? 'incident' : 'alert'} ${inc.id}` },
    h('label', { for: noteId, text: 'Note' }),
    h('textarea', { id: noteId, rows: 2, maxlength: 2000, placeholder: 'what you saw, what was done' }));
  const buttons = h('div.buttons');
  for (const o of OUTCOMES) {
    buttons.append(h('button.' + o.cls, {
      type: 'button', dataset: { outcome: o.outcome }, 'aria-keyshortcuts': o.key.toUpperCase(),
      onclick: () => decide(inc, o.outcome),
    }, o.label, ' ', h('kbd', { text: o.key.toUpperCase() })));
  }
  form.append(buttons, h('p.error', { role: 'alert' }));
  form.addEventListener('submit', (ev) => ev.preventDefault());
  return form;
}

function render(inc) {
  if (!inc.el) {
    inc.el = h('article.alert', { tabindex: 0 });
    inc.facesEl = null;
    inc.body = h('div.body');
  }
  const el = inc.el;
  el.id = `alert-${inc.id}`;
  el.dataset.id = inc.id;
  el.dataset.count = inc.alerts.length;
  el.dataset.best = inc.best.id;
  el.dataset.alerts = inc.alerts.map((a) => a.id).join(' ');
  el.setAttribute('aria-labelledby', `alert-${inc.id}-title`);
  el.dataset.state = inc.undo ? 'deciding' : inc.state;
  if (inc.facesFor !== inc.best.id) {
    const f = faces(inc);
    if (inc.facesEl) inc.facesEl.replaceWith(f); else el.prepend(f);
    inc.facesEl = f;
    inc.facesFor = inc.best.id;
  }
  if (inc.body.parentNode !== el) el.append(inc.body);
  // keep a note being typed if only the facts change
  const typing = inc.body.querySelector('textarea');
  const draft = typing ? typing.value : '';
  const hadFocus = typing && document.activeElement === typing;
  clear(inc.body).append(details(inc));
  const form = decideForm(inc);
  if (form) {
    inc.body.append(form);
    const ta = form.querySelector('textarea');
    if (ta && draft) ta.value = draft;
    if (ta && hadFocus) ta.focus();
  }
  el.hidden = !matches(inc, st.filter);
}

function place(inc) {
  // newest incident first (by its latest alert)
  const list = $('alerts-list');
  const latestOf = (el) => Number(el.dataset.latest);
  inc.el.dataset.latest = inc.latest.id;
  let before = null;
  for (const el of list.children) {
    if (el !== inc.el && latestOf(el) < inc.latest.id) { before = el; break; }
  }
  if (inc.el.parentNode !== list || inc.el.nextSibling !== before) {
    const keep = document.activeElement;
    list.insertBefore(inc.el, before);
    if (keep && keep !== document.activeElement && list.contains(keep)) keep.focus({ preventScroll: true });
  }
}

function counts() {
  const n = st.incidents.list.filter((i) => i.state === 'pending' && !i.undo).length;
  const p = $('pending-count');
  p.hidden = false;
  p.textContent = `${n} pending`;
  p.dataset.n = n;
  document.title = n ? `(${n}) ${TITLE}` : TITLE;
  const any = st.incidents.list.some((i) => i.el && !i.el.hidden);
  $('alerts-empty').hidden = any;
}

function beep() {
  if (!$('alerts-sound').checked) return;
  try {
    const ac = st.audio || (st.audio = new AudioContext());
    const o = ac.createOscillator();
    const g = ac.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.2, ac.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, ac.currentTime + 0.4);
    o.connect(g).connect(ac.destination);
    o.start();
    o.stop(ac.currentTime + 0.4);
    st.beeps = (st.beeps || 0) + 1;
  } catch (e) { /* no audio: the title still counts */ }
}

function focusFirstIfIdle() {
  const ae = document.activeElement;
  if (ae && ae !== document.body && ae !== $('main') && ae.id !== 'alerts-filter' && !ae.closest('nav')) return;
  const first = visibleCards().find((el) => el.dataset.state === 'pending') || visibleCards()[0];
  if (first) first.focus({ preventScroll: true });
}

// A new or changed alert, from the list, the stream, polling or a decision.
function upsert(a, fresh) {
  if (!st || !a || typeof a.id !== 'number') return;
  st.maxId = Math.max(st.maxId, a.id);
  const { incident: inc, created } = st.incidents.put(a);
  render(inc);
  place(inc);
  if (fresh && a.state === 'pending') {
    inc.el.classList.add('fresh');
    clearTimeout(inc.freshTimer);
    inc.freshTimer = setTimeout(() => inc.el && inc.el.classList.remove('fresh'), 8000);
    st.ctx.toast(created ? `New alert: ${subjectName(a)} on ${a.camera}` : `${subjectName(a)} seen again (${inc.alerts.length} times)`);
    if (created) beep();
    focusFirstIfIdle();
  }
  counts();
}

function nextCard(el) {
  const cards = visibleCards();
  const i = cards.indexOf(el);
  return cards.slice(i + 1).find((c) => c.dataset.state === 'pending') ||
    cards.slice(0, Math.max(i, 0)).find((c) => c.dataset.state === 'pending');
}

// A decision waits UNDO_MS before it is sent; U (or the button) takes it back.
function decide(inc, outcome) {
  if (!st || inc.state !== 'pending' || inc.undo || inc.busy) return;
  const ta = inc.el.querySelector('form.decide textarea');
  const note = ta ? ta.value.trim() : '';
  const ids = [...inc.pendingIds];
  const focused = inc.el.contains(document.activeElement);
  inc.undo = { outcome, note, ids, deadline: Date.now() + UNDO_MS, draft: ta ? ta.value : '' };
  inc.undo.timer = setTimeout(() => commit(inc), UNDO_MS);
  inc.undo.tick = setInterval(() => { if (inc.undo) render(inc); }, 1000);
  st.lastUndo = inc;
  render(inc);
  counts();
  if (focused) {
    const next = nextCard(inc.el);
    (next || inc.el).focus();
    if (next) next.scrollIntoView({ block: 'nearest' });
  }
}

function undo(inc) {
  if (!inc || !inc.undo) return;
  clearTimeout(inc.undo.timer);
  clearInterval(inc.undo.tick);
  const draft = inc.undo.draft;
  inc.undo = null;
  if (st.lastUndo === inc) st.lastUndo = null;
  render(inc);
  const ta = inc.el.querySelector('form.decide textarea');
  if (ta) ta.value = draft;
  counts();
  inc.el.focus();
  inc.el.scrollIntoView({ block: 'nearest' });
  st.ctx.toast('Decision undone: nothing was sent.');
}

async function commit(inc) {
  if (!st || !inc.undo) return;
  const { outcome, note, ids } = inc.undo;
  clearInterval(inc.undo.tick);
  inc.busy = true;
  let failed = null;
  let clash = 0;
  for (const id of ids) {
    try {
      const a = await post(`/alerts/${id}/adjudicate`, { outcome, note });
      if (!st) return;
      st.incidents.put({ adjudicated_by: st.ctx.me.name, adjudicated_at: Date.now() / 1000, outcome, note, ...a });
    } catch (e) {
      if (!st) return;
      if (e.status === 409) { // someone else decided first: show what they decided
        clash++;
        try { st.incidents.put(await get(`/alerts/${id}`)); } catch (e2) { /* keep the message */ }
      } else { failed = e; break; }
    }
  }
  if (!st) return;
  inc.busy = false;
  inc.undo = null;
  if (st.lastUndo === inc) st.lastUndo = null;
  render(inc);
  counts();
  if (failed) {
    const err = inc.el.querySelector('.error');
    if (err) err.textContent = `Not sent: ${failed.message}`;
    st.ctx.toast(`The decision could not be sent: ${failed.message}`, 'error');
  } else {
    const what = ids.length > 1 ? `${ids.length} alerts` : `Alert #${ids[0]}`;
    st.ctx.toast(clash ? `${what}: some were already decided by someone else.` : `${what}: ${STATE_TEXT[outcome]}.`,
      clash ? 'error' : 'info');
  }
}

function visibleCards() {
  return [...$('alerts-list').children].filter((el) => !el.hidden);
}

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if ($('zoom').open) return;
  const t = ev.target;
  const card = t.closest && t.closest('article.alert');
  if (t.matches('textarea, input, select')) {
    if (ev.key === 'Escape' && card) { ev.preventDefault(); card.focus(); }
    return;
  }
  const key = ev.key.toLowerCase();
  if (key === 'u' && st.lastUndo) { ev.preventDefault(); undo(st.lastUndo); return; }
  const cards = visibleCards();
  if (key === 'j' || key === 'k' || ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    if (!cards.length) return;
    const i = card ? cards.indexOf(card) : -1;
    const next = (key === 'j' || ev.key === 'ArrowDown') ? Math.min(i + 1, cards.length - 1) : Math.max(i - 1, 0);
    ev.preventDefault();
    cards[next].focus();
    cards[next].scrollIntoView({ block: 'nearest' });
    return;
  }
  if (!card) return;
  const inc = st.incidents.byAlert.get(Number(card.dataset.id));
  if (!inc) return;
  const o = OUTCOMES.find((x) => x.key === key);
  if (o) { ev.preventDefault(); decide(inc, o.outcome); return; }
  if (key === 'e') {
    const ta = card.querySelector('textarea');
    if (ta) { ev.preventDefault(); ta.focus(); }
  }
  if (key === 'z' || key === 'enter') {
    if (key === 'enter' && t !== card) return;
    if (st.canSeeFaces) { ev.preventDefault(); zoom(inc); }
  }
}

async function fetchAfter(after, fresh) {
  for (let page = 0; page < 20; page++) { // at most 20 000 alerts on screen
    const r = await get(`/alerts?limit=1000&after=${after}`);
    if (!st) return;
    for (const a of r.alerts) upsert(a, fresh && a.id > st.seen);
    if (!r.next_after) break;
    after = r.next_after;
  }
}

async function loadDeployments() {
  try {
    const r = await get('/deployments');
    for (const d of r.deployments || []) st.deployments.set(d.id, d);
  } catch (e) { /* cards show the deployment's id instead */ }
}

// Without a stream: new alerts, and decisions taken elsewhere on the
// pending ones (everything from the oldest pending alert on).
async function poll() {
  if (!st) return;
  const pending = st.incidents.list.flatMap((i) => i.pendingIds);
  const from = pending.length ? Math.min(...pending) - 1 : st.maxId;
  st.seen = st.maxId;
  try {
    await fetchAfter(from, true);
    outage(false);
  } catch (e) {
    setLive('cannot reach the server', 'error');
    outage(true, 'The server cannot be reached: retrying every 3 s. Alerts raised meanwhile will appear when it answers.');
  }
}

function fallback() {
  if (!st || st.poll) return;
  setLive('checking every 3 s (no live stream on this server)', 'poll');
  st.poll = setInterval(poll, POLL_MS);
  st.retry = setTimeout(() => { if (st) connect(); }, STREAM_RETRY_MS);
}

function connect() {
  if (!st) return;
  const es = new EventSource(url('/alerts/stream') + `?after=${st.maxId}`);
  st.es = es;
  es.addEventListener('alert', (ev) => { try { upsert(JSON.parse(ev.data), true); } catch (e) { console.error(e); } });
  es.addEventListener('update', (ev) => { try { upsert(JSON.parse(ev.data)); } catch (e) { console.error(e); } });
  es.addEventListener('open', async () => {
    if (!st || st.es !== es) return;
    setLive('live', 'live');
    outage(false);
    clearInterval(st.poll); clearTimeout(st.retry); st.poll = 0;
    if (st.down) { // back after an outage: anything the stream did not replay
      st.down = false;
      st.seen = st.maxId;
      try { await fetchAfter(st.maxId, true); } catch (e) { /* the stream goes on */ }
    }
  });
  es.addEventListener('error', () => {
    if (!st || st.es !== es) return;
    if (es.readyState === EventSource.CLOSED) { // refused (404, 401 ...): no stream here
      es.close();
      st.es = null;
      fallback();
    } else {
      st.down = true;
      setLive('reconnecting…', 'error');
      outage(true, `Since ${fmtTime(Date.now() / 1000)} the server cannot be reached: reconnecting. Alerts raised meanwhile will appear when it is back.`);
    }
  });
}

// The first load, retried until the server answers (or the view is left).
async function firstLoad(mine) {
  for (;;) {
    try {
      await loadDeployments();
      if (st !== mine) return false;
      await fetchAfter(0, false);
      outage(false);
      return st === mine;
    } catch (e) {
      if (st !== mine) return false;
      if (e.status === 401) return false;
      setLive('cannot reach the server', 'error');
      outage(true, `The alerts could not be loaded (${e.message}): trying again every 3 s.`);
      await new Promise((res) => { mine.loadRetry = setTimeout(res, RETRY_MS); });
      if (st !== mine) return false;
    }
  }
}

function setFilter() {
  st.filter = $('alerts-filter').value;
  for (const inc of st.incidents.list) inc.el.hidden = !matches(inc, st.filter);
  counts();
}

// The window that groups alerts into incidents is the server's ([console]
// incident_window, given with the login and /me): every officer's console
// groups the same alerts the same way.
function windowSeconds(me) {
  const v = Number(me.incident_window);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_WINDOW_MIN * 60;
}

function windowText(s) {
  return s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}

// relative times ("2 min ago") stay true while the page is open
function tickTimes() {
  for (const t of document.querySelectorAll('#alerts-list time[data-t]')) t.textContent = ago(Number(t.dataset.t));
}

export default {
  id: 'alerts',
  title: 'Alerts',
  roles: ['operator', 'auditor'],
  async start(ctx) {
    // operators work through what is pending; auditors review everything
    if (!ctx.me.filterSet) {
      $('alerts-filter').value = ctx.me.role === 'auditor' ? 'all' : 'pending';
      ctx.me.filterSet = true;
    }
    const win = windowSeconds(ctx.me);
    st = { ctx, incidents: new Incidents(win), deployments: new Map(), maxId: 0, seen: 0,
      filter: $('alerts-filter').value, es: null, poll: 0, retry: 0, down: false, lastUndo: null,
      canDecide: ctx.me.role === 'operator', canSeeFaces: ctx.me.role === 'operator' };
    const mine = st;
    clear($('alerts-list'));
    $('alerts-keys').hidden = !st.canDecide;
    $('alerts-window').textContent = windowText(win);
    $('alerts-sound').checked = localStorage.getItem(SOUND_KEY) === '1';
    st.onKey = onKey;
    st.onFilter = setFilter;
    st.onSound = () => localStorage.setItem(SOUND_KEY, $('alerts-sound').checked ? '1' : '0');
    document.addEventListener('keydown', onKey);
    $('alerts-filter').addEventListener('change', setFilter);
    $('alerts-sound').addEventListener('change', st.onSound);
    st.ticker = setInterval(tickTimes, 15000);
    setLive('loading…', 'poll');
    if (!(await firstLoad(mine))) return;
    counts();
    focusFirstIfIdle();
    connect();
  },
  stop() {
    if (!st) return;
    document.removeEventListener('keydown', st.onKey);
    $('alerts-filter').removeEventListener('change', st.onFilter);
    $('alerts-sound').removeEventListener('change', st.onSound);
    if (st.es) st.es.close();
    clearInterval(st.poll);
    clearTimeout(st.retry);
    clearTimeout(st.loadRetry);
    clearInterval(st.ticker);
    // a decision still in its undo time is sent now rather than lost
    for (const inc of st.incidents.list) {
      if (!inc.undo) continue;
      clearTimeout(inc.undo.timer);
      clearInterval(inc.undo.tick);
      const { outcome, note, ids } = inc.undo;
      for (const id of ids) post(`/alerts/${id}/adjudicate`, { outcome, note }).catch(() => {});
    }
    st = null;
    outage(false);
    $('pending-count').hidden = true;
    document.title = TITLE;
    clear($('alerts-list'));
  },
};
