// stats.js — a deployment's statistics from its transparency report
// (/api/v1/deployments/{id}/report): the figures, and SVG charts of alerts
// over time by outcome, confirmed vs rejected vs no action, and the faces
// processed against what came of them. Counts only: no face, no name.
// While the view is open the report is read again every 5 s (a running
// deployment's counters reach the store every few seconds), redrawn only
// when it changed.
import { get } from './api.js';
import { h, clear, fmtNum, fmtTime, facts } from './dom.js';
import { stackedBars, hbars } from './charts.js';

const $ = (id) => document.getElementById(id);
let st = null;
const REFRESH_MS = 5000;

const plural = (n, one, many) => `${fmtNum(n)} ${n === 1 ? one : many}`;

// "1 in 176 faces" rather than 5.68e-3
function perFace(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (x === 0) return 'none';
  return `1 in ${fmtNum(Math.round(1 / x))} faces`;
}

// a model id ending in a hash (name:64 hex digits): the hash's first 12,
// the whole in a tooltip
function shortId(v) {
  if (!v) return v;
  const m = String(v).match(/^(.*?)([0-9a-f]{32,})$/i);
  return m ? h('span', { title: v, text: `${m[1]}${m[2].slice(0, 12)}…` }) : v;
}

const OUTCOME_SERIES = [
  { key: 'confirmed', label: 'confirmed', cls: 'c-confirmed' },
  { key: 'rejected', label: 'rejected', cls: 'c-rejected' },
  { key: 'no_action', label: 'no action', cls: 'c-noaction' },
  { key: 'pending', label: 'pending', cls: 'c-pending' },
];

function note(text) {
  $('stats-note').textContent = text || '';
  $('stats-note').hidden = !text;
}

function pct(x) {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : '—';
}

// Buckets for the timeline: about 12 to 48 over the deployment's window
// so far (a minute for a short demo, a day for a month-long operation).
function bucketFor(d) {
  const end = Math.min(Date.now() / 1000, d.ended_at || d.ends_at || Infinity);
  const span = Math.max(end - (d.starts_at || end), 60);
  for (const b of [60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400]) if (span / b <= 48) return b;
  return 30 * 86400;
}

async function show(id, again) {
  const mine = st;
  if (!again) { clear($('stats-body')); note(''); mine.last = ''; }
  if (!id) return;
  const d = mine.deps.find((x) => String(x.id) === String(id)) || {};
  let r;
  try {
    r = await get(`/deployments/${id}/report?bucket=${bucketFor(d)}`);
  } catch (e) {
    if (st !== mine) return;
    note(e.missing ? 'This server cannot give deployment reports yet.' : e.message);
    return;
  }
  if (st !== mine) return;
  const text = JSON.stringify(r);
  if (text === mine.last) return;
  mine.last = text;
  note('');
  const body = clear($('stats-body'));
  $('stats-updated').textContent = `Updated ${fmtTime(Date.now() / 1000)}; read again every 5 s.`;
  const timeline = Array.isArray(r.timeline) ? r.timeline : [];
  body.append(
    h('div.cards', {},
      h('section.card', { 'aria-label': 'Figures' },
        h('h3', { text: `Deployment ${r.deployment}` }),
        facts([
          ['Location', r.location],
          ['Watch list', `${r.watchlist} (${plural(r.watchlist_size, 'person', 'people')})`],
          ['Window', `${fmtTime(r.starts_at)} to ${fmtTime(r.ends_at)}`],
          ['Hours on air', fmtNum(r.hours_on_air, 2)],
          ['Threshold', r.threshold === null ? '—' : String(r.threshold) + (r.threshold_is_default ? ' (default)' : '')],
          ['Faces processed', fmtNum(r.faces)],
          ['Alerts', fmtNum(r.alerts)],
          ['Alerts per 1 000 faces', fmtNum(r.alerts_per_1000_faces, 3)],
          ['False alerts per alert decided', pct(r.false_alerts_per_alert)],
          ['False alerts per face', perFace(r.false_alerts_per_face)],
          ['Model', shortId(r.model)],
          ['Deployed with embedder', shortId(r.pack_model) || 'not recorded'],
          ['Deployed with detector', r.detector || 'not recorded'],
        ]))),
    timeline.length
      ? stackedBars('Alerts over time', timeline, OUTCOME_SERIES,
        `${timeline.length} periods, ${fmtNum(r.alerts)} alerts in all`)
      : h('p.empty', { text: 'No timeline in this report.' }),
    hbars('Decisions', [
      { label: 'confirmed', value: r.confirmed, cls: 'c-confirmed' },
      { label: 'rejected', value: r.rejected, cls: 'c-rejected' },
      { label: 'no action', value: r.no_action, cls: 'c-noaction' },
      { label: 'pending', value: r.pending, cls: 'c-pending' },
    ]),
    hbars('Faces processed and what came of them', [
      { label: 'frames processed', value: r.frames_processed, cls: 'c-frames' },
      { label: 'faces', value: r.faces, cls: 'c-faces' },
      { label: 'face tracks', value: r.tracks, cls: 'c-tracks' },
      { label: 'alerts', value: r.alerts, cls: 'c-pending' },
      { label: 'confirmed', value: r.confirmed, cls: 'c-confirmed' },
    ], { log: true }));
}

export default {
  id: 'stats',
  title: 'Statistics',
  roles: ['operator', 'auditor', 'admin'],
  async start(ctx) {
    st = { ctx };
    const mine = st;
    const sel = clear($('stats-deployment'));
    clear($('stats-body'));
    let r;
    try {
      r = await get('/deployments');
    } catch (e) {
      if (st === mine) note(e.message);
      return;
    }
    if (st !== mine) return;
    const deps = r.deployments || [];
    st.deps = deps;
    if (!deps.length) { note('No deployments yet.'); return; }
    for (const d of deps) sel.append(h('option', { value: d.id, text: `${d.name} — ${d.location}` }));
    sel.value = String(deps[deps.length - 1].id); // the latest
    st.onChange = () => show(sel.value);
    sel.addEventListener('change', st.onChange);
    st.timer = setInterval(() => show(sel.value, true), REFRESH_MS);
    show(sel.value);
  },
  stop() {
    if (st && st.onChange) $('stats-deployment').removeEventListener('change', st.onChange);
    if (st) clearInterval(st.timer);
    st = null;
  },
};
