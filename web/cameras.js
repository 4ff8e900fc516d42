// cameras.js — the live views: one <img> per camera of /api/v1/cameras on
// its MJPEG stream (faces that match no one are blurred by the server
// before the frame leaves it), with the camera's state and counters
// refreshed every few seconds, and the alerts waiting to be stored when the
// store cannot take them (shown only then). Each tile shows the camera's
// name and place (given with the deployment: --camera-name,
// --camera-location), its deployment, and can be enlarged to the whole width (its button, or a
// click on the picture). Leaving the view closes the streams.
import { get, url } from './api.js';
import { h, clear, fmtNum, facts } from './dom.js';

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 5000;
let st = null;

function note(text) {
  const p = $('cameras-note');
  p.textContent = text || '';
  p.hidden = !text;
}

function tile(c) {
  const img = h('img', { src: url(`/cameras/${c.id}/live.mjpeg`), alt: `Live view of camera ${c.name}`,
    width: 640, height: 360 });
  const box = h('div.live', {}, img);
  img.addEventListener('error', () => img.replaceWith(h('div.noimg', { text: 'live view unavailable' })),
    { once: true });
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
  return { fig, stats, img, where };
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
    st = { tiles: new Map(), timer: 0, deps: new Map() };
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
    for (const t of st.tiles.values()) t.img.removeAttribute('src'); // ends the MJPEG connections
    st = null;
    clear($('cameras-grid'));
  },
};
