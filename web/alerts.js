// alerts.js — the alert queue: the alerts so far (paged from
// /api/v1/alerts), then new ones and decisions live from the SSE stream
// (EventSource reconnects by itself and resumes with Last-Event-ID). Each
// alert shows the probe face beside the enrolled photo, the score, camera,
// time, subject and why they are listed; an operator confirms, rejects or
// takes no action, with a note, by button or key. Without a stream on the
// server (404) the queue polls instead.
import { get, post, url } from './api.js';
import { h, clear, fmtTime, facts } from './dom.js';

const $ = (id) => document.getElementById(id);
const OUTCOMES = [
  { outcome: 'confirmed', label: 'Confirm', key: 'c', cls: 'confirm' },
  { outcome: 'rejected', label: 'Reject', key: 'r', cls: 'reject' },
  { outcome: 'no_action', label: 'No action', key: 'n', cls: 'noaction' },
];
const STATE_TEXT = { pending: 'pending', confirmed: 'confirmed', rejected: 'rejected', no_action: 'no action' };
const POLL_MS = 3000;
const STREAM_RETRY_MS = 30000;

let st = null; // this view's state while it runs

function matches(a, filter) {
  if (filter === 'pending') return a.state === 'pending';
  if (filter === 'decided') return a.state !== 'pending';
  return true;
}

function setLive(text, kind) {
  const el = $('alerts-live');
  el.textContent = text;
  el.dataset.kind = kind;
}

function subjectName(a) {
  if (a.subject_name) return a.subject_name;
  return a.subject_id ? `subject #${a.subject_id}` : 'subject removed';
}

function face(src, alt, missingText) {
  const fig = h('figure.face');
  if (!src) {
    fig.append(h('div.noimg', { text: missingText }));
    return fig;
  }
  const img = h('img', { src, alt, width: 160, height: 160, loading: 'lazy', decoding: 'async' });
  img.addEventListener('error', () => img.replaceWith(h('div.noimg', { text: missingText })), { once: true });
  fig.append(img);
  return fig;
}

function faces(a) {
  if (!st.canSeeFaces) {
    return h('div.faces', {}, h('p.hint', { text: 'Faces are shown to operators only.' }));
  }
  const probe = face(url(`/alerts/${a.id}/crop`), `Face seen by camera ${a.camera}`, 'probe image unavailable');
  probe.append(h('figcaption', { text: 'Seen by the camera' }));
  const enrolled = face(a.subject_id ? url(`/subjects/${a.subject_id}/photo`) : null,
    `Enrolled photo of ${subjectName(a)}`, 'no enrolled photo available');
  enrolled.append(h('figcaption', { text: 'Watch-list photo' }));
  return h('div.faces', {}, probe, enrolled);
}

function stateBadge(a) {
  return h('span.badge.state-' + a.state, { text: STATE_TEXT[a.state] || a.state });
}

function details(a) {
  const decided = a.state !== 'pending';
  return h('div.details', {},
    h('h3', { id: `alert-${a.id}-title` }, h('span.subject', { text: subjectName(a) }), ' ', stateBadge(a)),
    facts([
      ['Score', typeof a.score === 'number' ? a.score.toFixed(3) : a.score],
      ['Camera', a.camera],
      ['Time', fmtTime(a.frame_time || a.raised_at)],
      ['Watch list', a.watchlist],
      ['Reason for listing', a.subject_reason],
      ['Category', a.subject_category],
      ['Alert', `#${a.id}`],
      ['Decided by', decided ? (a.adjudicated_by || '—') : undefined],
      ['Decided at', decided ? fmtTime(a.adjudicated_at) : undefined],
      ['Note', decided && a.note ? a.note : undefined],
    ]),
    // the subject was enrolled with a photo a supervisor accepted below the
    // quality limits: the match may rest on it
    a.low_quality ? h('p.lowq', { role: 'note', text: 'Low-quality enrolment: a supervisor accepted a photo of this subject below the quality limits. Compare with care.' }) : null);
}

function decideForm(a) {
  if (!st.canDecide || a.state !== 'pending') return null;
  const noteId = `alert-${a.id}-note`;
  const form = h('form.decide', { 'aria-label': `Decision on alert ${a.id}` },
    h('label', { for: noteId, text: 'Note' }),
    h('textarea', { id: noteId, rows: 2, maxlength: 2000, placeholder: 'what you saw, what was done' }));
  const buttons = h('div.buttons');
  for (const o of OUTCOMES) {
    buttons.append(h('button.' + o.cls, {
      type: 'button', dataset: { outcome: o.outcome }, 'aria-keyshortcuts': o.key.toUpperCase(),
      onclick: () => decide(a.id, o.outcome),
    }, o.label, ' ', h('kbd', { text: o.key.toUpperCase() })));
  }
  form.append(buttons, h('p.error', { role: 'alert' }));
  form.addEventListener('submit', (ev) => ev.preventDefault());
  return form;
}

function render(item) {
  const a = item.a;
  if (!item.el) {
    item.el = h('article.alert', { tabindex: 0, id: `alert-${a.id}`, 'aria-labelledby': `alert-${a.id}-title`,
      dataset: { id: a.id } });
    item.faces = faces(a);
    item.body = h('div.body');
    item.el.append(item.faces, item.body);
  }
  item.el.dataset.state = a.state;
  // keep a note being typed if only the facts change
  const typing = item.body.querySelector('textarea');
  const draft = typing ? typing.value : '';
  clear(item.body).append(details(a));
  const form = decideForm(a);
  if (form) {
    item.body.append(form);
    if (draft) form.querySelector('textarea').value = draft;
  }
}

function place(item) {
  // newest first: insert before the first card with a smaller id
  const list = $('alerts-list');
  let before = null;
  for (const el of list.children) {
    if (Number(el.dataset.id) < item.a.id) { before = el; break; }
  }
  if (item.el.parentNode !== list || item.el.nextSibling !== before) list.insertBefore(item.el, before);
}

function updateEmpty() {
  const any = [...st.items.values()].some((it) => it.el && !it.el.hidden);
  $('alerts-empty').hidden = any;
}

// A new or changed alert, from the list, the stream, polling or a decision.
function upsert(a, fresh) {
  if (!st || !a || typeof a.id !== 'number') return;
  st.maxId = Math.max(st.maxId, a.id);
  let item = st.items.get(a.id);
  if (item) {
    item.a = { ...item.a, ...a };
    render(item);
    // an alert decided while on screen stays there, showing its new state
    return updateEmpty();
  }
  item = { a };
  st.items.set(a.id, item);
  render(item);
  item.el.hidden = !matches(a, st.filter);
  place(item);
  if (fresh) {
    item.el.classList.add('fresh');
    setTimeout(() => item.el && item.el.classList.remove('fresh'), 8000);
    st.ctx.toast(`New alert: ${subjectName(a)} on ${a.camera}`);
  }
  updateEmpty();
}

async function decide(id, outcome) {
  const item = st && st.items.get(id);
  if (!item || item.a.state !== 'pending' || item.busy) return;
  const form = item.el.querySelector('form.decide');
  const note = form ? form.querySelector('textarea').value.trim() : '';
  const err = form && form.querySelector('.error');
  item.busy = true;
  for (const b of item.el.querySelectorAll('button')) b.disabled = true;
  try {
    const a = await post(`/alerts/${id}/adjudicate`, { outcome, note });
    // the server records the session's user: this officer, now
    upsert({ adjudicated_by: st.ctx.me.name, adjudicated_at: Date.now() / 1000, outcome, note, ...a });
    st.ctx.toast(`Alert #${id}: ${STATE_TEXT[outcome]}.`);
    item.el.focus();
  } catch (e) {
    if (e.status === 409) { // someone else decided first: show what they decided
      try { upsert(await get(`/alerts/${id}`)); } catch (e2) { /* keep the message */ }
      st.ctx.toast(`Alert #${id} was already decided.`, 'error');
      item.el.focus();
    } else if (err) {
      err.textContent = e.message;
      for (const b of item.el.querySelectorAll('button')) b.disabled = false;
    }
  } finally {
    item.busy = false;
  }
}

function visibleCards() {
  return [...$('alerts-list').children].filter((el) => !el.hidden);
}

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target;
  const card = t.closest && t.closest('article.alert');
  if (t.matches('textarea, input, select')) {
    if (ev.key === 'Escape' && card) { ev.preventDefault(); card.focus(); }
    return;
  }
  const key = ev.key.toLowerCase();
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
  const o = OUTCOMES.find((x) => x.key === key);
  if (o) { ev.preventDefault(); decide(Number(card.dataset.id), o.outcome); return; }
  if (key === 'e') {
    const ta = card.querySelector('textarea');
    if (ta) { ev.preventDefault(); ta.focus(); }
  }
}

async function loadAll() {
  let after = 0;
  for (let page = 0; page < 20; page++) { // at most 20 000 alerts on screen
    const r = await get(`/alerts?limit=1000&after=${after}`);
    for (const a of r.alerts) upsert(a);
    if (!r.next_after) break;
    after = r.next_after;
  }
}

// Without a stream: new alerts, and decisions taken elsewhere on the
// pending ones (everything from the oldest pending alert on).
async function poll() {
  if (!st) return;
  const pending = [...st.items.values()].filter((it) => it.a.state === 'pending').map((it) => it.a.id);
  const from = pending.length ? Math.min(...pending) - 1 : st.maxId;
  const known = st.maxId;
  try {
    const r = await get(`/alerts?limit=1000&after=${from}`);
    for (const a of r.alerts) upsert(a, a.id > known);
  } catch (e) { setLive('cannot reach the server', 'error'); }
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
  es.addEventListener('open', () => {
    if (st && st.es === es) {
      setLive('live', 'live');
      clearInterval(st.poll); clearTimeout(st.retry); st.poll = 0;
    }
  });
  es.addEventListener('error', () => {
    if (!st || st.es !== es) return;
    if (es.readyState === EventSource.CLOSED) { // refused (404, 401 ...): no stream here
      es.close();
      st.es = null;
      fallback();
    } else {
      setLive('reconnecting…', 'poll');
    }
  });
}

function setFilter() {
  st.filter = $('alerts-filter').value;
  for (const it of st.items.values()) it.el.hidden = !matches(it.a, st.filter);
  updateEmpty();
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
    st = { ctx, items: new Map(), maxId: 0, filter: $('alerts-filter').value, es: null, poll: 0, retry: 0,
      canDecide: ctx.me.role === 'operator', canSeeFaces: ctx.me.role === 'operator' };
    const mine = st;
    clear($('alerts-list'));
    $('alerts-keys').hidden = !st.canDecide;
    st.onKey = onKey;
    st.onFilter = setFilter;
    document.addEventListener('keydown', onKey);
    $('alerts-filter').addEventListener('change', setFilter);
    setLive('loading…', 'poll');
    try {
      await loadAll();
    } catch (e) {
      if (st === mine) setLive(e.message, 'error');
      return;
    }
    if (st !== mine) return;
    updateEmpty();
    connect();
  },
  stop() {
    if (!st) return;
    document.removeEventListener('keydown', st.onKey);
    $('alerts-filter').removeEventListener('change', st.onFilter);
    if (st.es) st.es.close();
    clearInterval(st.poll);
    clearTimeout(st.retry);
    st = null;
    clear($('alerts-list'));
  },
};
