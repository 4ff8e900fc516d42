// watchlists.js — watch lists and their subjects. Everyone with a view sees
// the lists; an admin creates a list and enrols a subject from photos
// (read in the browser as base64 and sent as JSON), and sees for each photo
// the face the gate found, every quality factor against its limit, and the
// reasons when it refuses one. Photos are shown to operators and admins
// only on request (each view is audited).
import { get, post, del, url } from './api.js';
import { h, clear, fmtTime } from './dom.js';

const $ = (id) => document.getElementById(id);
const PHOTO_MAX = 6 * 1024 * 1024; // the server takes 8 MiB of JSON; base64 adds a third
let st = null;

function dateToUnix(value) { // "YYYY-MM-DD" -> the end of that day, UTC
  if (!value) return undefined;
  const t = Date.parse(value + 'T23:59:59Z');
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

// The server's messages speak of the API's fields; the form's user sees
// them in the form's own words.
const PLAIN = [
  [/(\d+) faces found: choose one with "face": 0 to (\d+)/,
    (m) => `This photo shows ${m[1]} faces. Enter which one to enrol in "Which face" (0 is the first, ${m[2]} the last) and press Enrol again.`],
  [/the face matches another subject of this watch list \(allow_duplicate: true enrols it anyway\)/,
    () => 'This face matches a person already on this watch list. If they are different people, tick "They are different people" and press Enrol again.'],
  [/not an image or video FFmpeg can read|not an image that can be decoded|not a JPEG or PNG/, () => 'This file is not a photo the server can open: choose a JPEG or PNG file.'],
];
export function plain(text) {
  const t = String(text);
  for (const [re, say] of PLAIN) {
    const m = t.match(re);
    if (m) return t.replace(re, say(m));
  }
  return t;
}

function showError(form, e) {
  const box = form.querySelector('[role=alert]');
  clear(box);
  if (!e) return;
  box.append(h('p', { text: plain(e.message) }));
  if (e.reasons && e.reasons.length) {
    box.append(h('ul', {}, e.reasons.map((r) => h('li', { text: plain(typeof r === 'string' ? r : JSON.stringify(r)) }))));
  }
  if (e.field) {
    const input = form.querySelector(`[data-field="${CSS.escape(e.field)}"]`);
    if (input) input.focus();
  }
}

async function loadLists(selectId) {
  const mine = st;
  let r;
  try {
    r = await get('/watchlists');
  } catch (e) {
    if (st === mine) mine.ctx.toast(e.message, 'error');
    return;
  }
  if (st !== mine) return;
  const body = clear($('watchlists-table').tBodies[0]);
  const lists = r.watchlists || [];
  if (!lists.length) body.append(h('tr', {}, h('td.empty', { colspan: 5, text: 'No watch lists yet.' })));
  for (const w of lists) {
    const open = h('button.link', { type: 'button', text: w.name, onclick: () => openList(w),
      'aria-pressed': String(mine.list && mine.list.id === w.id) });
    body.append(h('tr', { dataset: { id: w.id } },
      h('th', { scope: 'row' }, open),
      h('td', { 'data-label': 'Reason', text: w.reason }),
      h('td', { 'data-label': 'Authorised by', text: w.authorised_by }),
      h('td', { 'data-label': 'Expires', text: w.expires_at ? fmtTime(w.expires_at).slice(0, 10) : 'never' }),
      h('td.num', { 'data-label': 'Subjects', text: w.max_size ? `${w.subjects} of ${w.max_size}` : String(w.subjects) })));
  }
  const again = lists.find((w) => w.id === (selectId || (mine.list && mine.list.id)));
  if (again) openList(again);
}

async function openList(w) {
  const mine = st;
  mine.list = w;
  for (const b of $('watchlists-table').querySelectorAll('button.link')) {
    b.setAttribute('aria-pressed', String(b.closest('tr').dataset.id === String(w.id)));
  }
  $('subjects-panel').hidden = false;
  $('subjects-title').textContent = `Subjects of ${w.name}`;
  const body = clear($('subjects-table').tBodies[0]);
  const note = $('subjects-note');
  note.hidden = true;
  let r;
  try {
    r = await get(`/watchlists/${w.id}/subjects`);
  } catch (e) {
    if (st !== mine) return;
    note.textContent = e.missing ? 'This server cannot list subjects yet.' : e.message;
    note.hidden = false;
    return;
  }
  if (st !== mine || mine.list !== w) return;
  const subjects = Array.isArray(r) ? r : (r.subjects || []);
  if (!subjects.length) body.append(h('tr', {}, h('td.empty', { colspan: 5, text: 'No subjects on this list.' })));
  for (const s of subjects) body.append(subjectRow(s));
}

function subjectRow(s) {
  const actions = h('td.actions');
  const row = h('tr', { dataset: { id: s.id } },
    h('th', { scope: 'row' }, h('span.subject', { text: s.name }), s.under_18 ? h('span.badge', { text: 'under 18' }) : null,
      s.low_quality ? h('span.badge', { text: 'low-quality photo', title: 'enrolled below the quality limits on a supervisor\'s word' }) : null),
    h('td', { 'data-label': 'Reason', text: s.reason || '—' }),
    h('td', { 'data-label': 'Category', text: s.category || '—' }),
    h('td', { 'data-label': 'Expires', text: s.expires_at ? fmtTime(s.expires_at).slice(0, 10) : 'never' }),
    actions);
  if (st.ctx.me.role === 'operator' || st.ctx.me.role === 'admin') {
    actions.append(h('button', { type: 'button', text: 'Show photo', onclick: (ev) => {
      const img = h('img.thumb', { src: url(`/subjects/${s.id}/photo`), alt: `Enrolled photo of ${s.name}` });
      img.addEventListener('error', () => img.replaceWith(h('span.noimg', { text: 'no photo' })), { once: true });
      ev.target.replaceWith(img);
    } }));
  }
  if (st.ctx.me.role === 'admin') {
    actions.append(h('button.danger', { type: 'button', text: 'Remove', 'aria-label': `Remove ${s.name}`,
      onclick: async () => {
        if (!confirm(`Remove ${s.name} from the list? Their photos and templates are deleted.`)) return;
        try {
          await del(`/subjects/${s.id}`);
          st.ctx.toast(`${s.name} removed.`);
          loadLists();
        } catch (e) { st.ctx.toast(e.message, 'error'); }
      } }));
  }
  return row;
}

function fmtNum(v) {
  return typeof v === 'number' ? (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)) : String(v);
}

// What the gate found in each photo: the face crop (sent back by the
// server, shown here only), every factor with its limit, and the verdict.
function showPhotos(photos) {
  const box = clear($('enrol-result'));
  if (!Array.isArray(photos) || !photos.length) return;
  for (const p of photos) {
    const verdict = p.kept ? (p.low_quality ? 'enrolled below the quality limits (supervisor)' : 'enrolled') : 'refused';
    const head = h('p', {}, h('strong', { text: p.photo }), ` — ${verdict}`);
    if (p.dominant) head.append(`; the dominant face was chosen, ${p.ignored} smaller face${p.ignored === 1 ? '' : 's'} ignored`);
    const fig = h('figure.enrol-photo', { dataset: { kept: String(!!p.kept) } }, head);
    if (p.crop_jpeg) {
      fig.append(h('img.thumb', { src: `data:image/jpeg;base64,${p.crop_jpeg}`, alt: `The face found in ${p.photo}` }));
    }
    if (Array.isArray(p.factors)) {
      const rows = p.factors.map((f) => h('tr', { dataset: { pass: String(!!f.pass) } },
        h('th', { scope: 'row', text: f.name.replace(/_/g, ' ') }),
        h('td.num', { text: fmtNum(f.value) }),
        h('td', { text: f.limit }),
        h('td', { text: f.pass ? 'pass' : 'FAIL' })));
      fig.append(h('table.grid', {},
        h('thead', {}, h('tr', {}, ['Factor', 'Value', 'Limit', ''].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, rows)));
    }
    if (Array.isArray(p.reasons) && p.reasons.length && (!p.kept || p.low_quality)) {
      fig.append(h('ul', {}, p.reasons.map((r) => h('li', { text: plain(r) }))));
    }
    box.append(fig);
  }
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const fr = new FileReader();
    fr.onload = () => resolve(String(fr.result).replace(/^data:[^,]*,/, ''));
    fr.onerror = () => reject(new Error('the file could not be read'));
    fr.readAsDataURL(file);
  });
}

async function createList(ev) {
  ev.preventDefault();
  const form = ev.target;
  showError(form, null);
  const body = {
    name: $('wl-name').value.trim(),
    reason: $('wl-reason').value.trim(),
    authorised_by: $('wl-authorised').value.trim(),
  };
  const exp = dateToUnix($('wl-expires').value);
  if (exp) body.expires_at = exp;
  if ($('wl-max').value) body.max_size = Number($('wl-max').value);
  try {
    const r = await post('/watchlists', body);
    const w = r.watchlist || r;
    st.ctx.toast(`Watch list ${body.name} created.`);
    form.reset();
    loadLists(w.id);
  } catch (e) {
    showError(form, e.missing ? new Error('This server cannot create watch lists yet.') : e);
  }
}

async function addSubject(ev) {
  ev.preventDefault();
  const form = ev.target;
  showError(form, null);
  if (!st.list) return;
  clear($('enrol-result'));
  const files = Array.from($('sub-photo').files);
  if (!files.length) return showError(form, { message: 'Choose a photo.', field: 'photo', reasons: [] });
  if (files.reduce((n, f) => n + f.size, 0) > PHOTO_MAX) {
    return showError(form, { message: 'The photos are over 6 MiB together.', field: 'photo', reasons: [] });
  }
  const body = {
    name: $('sub-name').value.trim(),
    reason: $('sub-reason').value.trim(),
    category: $('sub-category').value.trim(),
    source: $('sub-source').value.trim(),
    under_18: $('sub-minor').checked,
  };
  const exp = dateToUnix($('sub-expires').value);
  if (exp) body.expires_at = exp;
  if ($('sub-justification').value.trim()) body.justification = $('sub-justification').value.trim();
  if ($('sub-face').value !== '') body.face = Number($('sub-face').value);
  if ($('sub-duplicate').checked) body.allow_duplicate = true;
  if ($('sub-lowq').value.trim()) {
    body.accept_low_quality = $('sub-lowq').value.trim();
    if ($('sub-supervisor').value.trim()) body.supervisor = $('sub-supervisor').value.trim();
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const photos = await Promise.all(files.map(readBase64));
    if (photos.length === 1) body.photo = photos[0]; else body.photos = photos;
    const r = await post(`/watchlists/${st.list.id}/subjects`, body);
    const refused = r.refused ? `; ${r.refused} photo${r.refused === 1 ? '' : 's'} refused` : '';
    st.ctx.toast(`${body.name} enrolled on ${st.list.name}${refused}.`);
    form.reset();
    showPhotos(r.photos);
    loadLists(st.list.id);
  } catch (e) {
    showError(form, e.missing ? new Error('This server cannot enrol subjects yet.') : e);
    if (e.body) showPhotos(e.body.photos);
  } finally {
    button.disabled = false;
  }
}

export default {
  id: 'watchlists',
  title: 'Watch lists',
  roles: ['operator', 'auditor', 'admin'],
  start(ctx) {
    st = { ctx, list: null };
    const admin = ctx.me.role === 'admin';
    $('watchlist-form').hidden = !admin;
    $('subject-form').hidden = !admin;
    $('subjects-panel').hidden = true;
    // the field names the server may report, for focusing the input
    for (const [id, f] of [['wl-name', 'name'], ['wl-reason', 'reason'], ['wl-authorised', 'authorised_by'],
      ['wl-expires', 'expires_at'], ['wl-max', 'max_size'], ['sub-name', 'name'], ['sub-reason', 'reason'],
      ['sub-category', 'category'], ['sub-source', 'source'], ['sub-expires', 'expires_at'],
      ['sub-justification', 'justification'], ['sub-photo', 'photo'], ['sub-face', 'face'],
      ['sub-lowq', 'accept_low_quality'], ['sub-supervisor', 'supervisor']]) $(id).dataset.field = f;
    st.onCreate = createList;
    st.onAdd = addSubject;
    $('watchlist-form').addEventListener('submit', createList);
    $('subject-form').addEventListener('submit', addSubject);
    loadLists();
  },
  stop() {
    if (!st) return;
    $('watchlist-form').removeEventListener('submit', st.onCreate);
    $('subject-form').removeEventListener('submit', st.onAdd);
    st = null;
  },
};
