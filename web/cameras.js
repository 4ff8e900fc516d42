// cameras.js — the live views: one <img> per camera of /api/v1/cameras on
// its MJPEG stream (faces that match no one are blurred by the server
// before the frame leaves it), with the camera's state and counters
// refreshed every few seconds, and the alerts waiting to be stored when the
// store cannot take them (shown only then). Each tile shows the camera's
// name and place (given with the deployment: --camera-name,
// --camera-location), its deployment, and can be enlarged to the whole width (its button, or a
// click on the picture). Over the picture, each matched face shown sharp
// carries a label with the subject's name and its alert's state, from the
// cameras' marks stream (Server-Sent Events, one event per served frame:
// only matched faces are ever in it); a label goes with its frame — when
// no frame came for MARKS_TTL_MS, or the stream says none came, the labels
// are removed. Leaving the view closes the streams.
import { get, url } from './api.js';
import { h, clear, fmtNum, facts } from './dom.js';

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 5000;
const MARKS_TTL_MS = 1500;
const STATE_WORDS = { pending: 'pending', confirmed: 'confirmed', rejected: 'rejected', no_action: 'no action' };
let st = null;

function note(text) {
  const p = $('cameras-note');
  p.textContent = text || '';
  p.hidden = !text;
}

// The labels of one frame's marks over the picture (fractions of the frame,
// so they follow the tile's size, enlarged or not); an empty list clears.
function showMarks(t, marks) {
  const seen = new Set();
  for (const m of marks) {
    const key = String(m.track);
    seen.add(key);
    let el = t.labels.get(key);
    if (!el) {
      el = h('div.mark', {}, h('div.mark-label', {}, h('span.mark-name'), h('span.mark-state')));
      t.labels.set(key, el);
      t.overlay.append(el);
    }
    const [x1, y1, x2, y2] = m.box;
    el.style.left = `${(x1 * 100).toFixed(2)}%`;
    el.style.top = `${(y1 * 100).toFixed(2)}%`;
    el.style.width = `${((x2 - x1) * 100).toFixed(2)}%`;
    el.style.height = `${((y2 - y1) * 100).toFixed(2)}%`;
    // no room above the box for the label (two lines): it goes under it
    el.classList.toggle('mark-top', y1 * (t.overlay.clientHeight || 360) < 40);
    el.dataset.state = m.state || '';
    el.dataset.alert = m.alert_id || '';
    const [name, state] = el.firstChild.children;
    name.textContent = m.name || 'watch-list match';
    state.textContent = m.state ? STATE_WORDS[m.state] || m.state : '';
    // a label that would run off the right edge is aligned to the box's right
    el.classList.remove('mark-right');
    if (el.firstChild.getBoundingClientRect().right > t.overlay.getBoundingClientRect().right) {
      el.classList.add('mark-right');
    }
  }
  for (const [key, el] of t.labels) {
    if (!seen.has(key)) {
      el.remove();
      t.labels.delete(key);
    }
  }
}

// The labels of every tile from one marks stream (a browser keeps six
// connections to a server and each picture holds one already). The
// browser shows a frame of the MJPEG stream once the next frame's part
// begins, so the picture on screen is one frame behind the newest marks:
// each event shows the marks of the camera's frame before it (held in
// t.next), which is the frame then on screen.
function expireMarks(t) {
  clearTimeout(t.expiry);
  t.next = [];
  showMarks(t, []);
}

function openMarks(mine) {
  const es = new EventSource(url('/cameras/marks'));
  mine.marks = es;
  es.addEventListener('marks', (ev) => {
    let d;
    try { d = JSON.parse(ev.data); } catch (e) { return; }
    const t = mine.tiles.get(d.camera);
    if (!t) return;
    clearTimeout(t.expiry);
    if (!(d.seq > 0)) { expireMarks(t); return; } // no frame came: no label
    showMarks(t, t.next);
    t.next = d.marks || [];
    t.expiry = setTimeout(() => expireMarks(t), MARKS_TTL_MS);
  });
  es.addEventListener('error', () => { for (const t of mine.tiles.values()) expireMarks(t); });
}

function tile(c) {
  const img = h('img', { src: url(`/cameras/${c.id}/live.mjpeg`), alt: `Live view of camera ${c.name}`,
    width: 640, height: 360 });
  const overlay = h('div.marks', { 'aria-hidden': 'true' });
  const box = h('div.live', {}, img, overlay);
  img.addEventListener('error', () => {
    img.replaceWith(h('div.noimg', { text: 'live view unavailable' }));
    overlay.remove();
  }, { once: true });
  const stats = h('div.camstats');
  const where = h('span.where');
  const fig = h('figure.camera', { dataset: { id: c.id } }, box);
  const big = h('button.enlarge', { type: 'button', 'aria-pressed': 'false', text: 'Enlarge' });
  const toggle = () => {
    const on = !fig.classList.contains('big');
    fig.classList.toggle('big', on);
    big.setAttribute('aria-pressed', String(on));
    big.textContent = on ? 'Smaller' : 'Enlarge';
    if (on) fig.scrollIntoView({ block: 'start' });
  };
  big.addEventListener('click', toggle);
  img.addEventListener('click', toggle);
  fig.append(h('figcaption', {}, h('div.camhead', {}, h('strong', { text: c.name }), where, big), stats));
  return { fig, stats, img, where, overlay, labels: new Map(), next: [], expiry: 0 };
}

function fillStats(t, c) {
  clear(t.stats).append(
    h('span.badge.cam-' + c.state, { text: c.state }),
    facts([
      ['Frames/s', fmtNum(c.fps, 1)],
      ['Frames', fmtNum(c.frames)],
      ['Dropped', fmtNum(c.dropped)],
      ['Faces', fmtNum(c.faces)],
      ['Alerts', fmtNum(c.alerts)],
    ], 'facts compact'));
}

async function refresh() {
  const mine = st;
  if (!mine) return;
  let r;
  try {
    r = await get('/cameras');
  } catch (e) {
    if (st !== mine) return;
    note(e.missing ? 'Camera status is not available on this server.' : e.message);
    return;
  }
  if (st !== mine) return;
  // alerts the store could not take yet (a full disk, a database away)
  const w = $('cameras-waiting');
  const lost = r.alerts_lost ? ` (${fmtNum(r.alerts_lost)} lost)` : '';
  w.textContent = `alerts waiting to be stored: ${fmtNum(r.alerts_waiting || 0)}${lost}`;
  w.hidden = !r.alerts_waiting && !r.alerts_lost;
  const cams = r.cameras || [];
  note(cams.length ? '' : 'No cameras: this server runs without the engine (vigil serve). Live views come with vigil run.');
  for (const c of cams) {
    let t = mine.tiles.get(c.id);
    if (!t) {
      t = tile(c);
      mine.tiles.set(c.id, t);
      $('cameras-grid').append(t.fig);
    }
    fillStats(t, c);
    if (!mine.marks) openMarks(mine); // only with cameras: without an engine there is no stream
    // the camera's own place when the deployment gives one, else the deployment's
    const d = mine.deps.get(r.deployment_id);
    const place = d && (d.camera_places || []).find((p) => p.name === c.name);
    t.where.textContent = d ? ` — ${place ? place.location : d.location} (deployment ${d.name})` : '';
  }
}

export default {
  id: 'cameras',
  title: 'Cameras',
  roles: ['operator'],
  async start() {
    st = { tiles: new Map(), timer: 0, deps: new Map(), marks: null };
    const mine = st;
    clear($('cameras-grid'));
    note('');
    try {
      for (const d of (await get('/deployments')).deployments || []) mine.deps.set(d.id, d);
    } catch (e) { /* the tiles go without their location */ }
    if (st !== mine) return;
    refresh();
    st.timer = setInterval(refresh, REFRESH_MS);
  },
  stop() {
    if (!st) return;
    clearInterval(st.timer);
    for (const t of st.tiles.values()) {
      t.img.removeAttribute('src'); // ends the MJPEG connections
      clearTimeout(t.expiry);
    }
    if (st.marks) st.marks.close();
    st = null;
    clear($('cameras-grid'));
  },
};
