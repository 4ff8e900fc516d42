// charts.js — the console's small SVG chart module: stacked bars over time
// and horizontal bars, drawn with createElementNS (labels as text nodes),
// coloured by CSS classes, each with a title and a text summary for screen
// readers. No library, nothing inline.
import { s, h } from './dom.js';

const W = 640;

// A round number at or above x for the top of an axis: 1, 2, 5 × 10^k.
export function niceMax(x) {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function legend(series) {
  return h('ul.legend', {}, series.map((se) =>
    h('li', {}, s('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 12, height: 12, class: se.cls })),
      ' ', se.label)));
}

function timeLabel(t, span) {
  const d = new Date(t * 1000);
  const p = (n) => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return span > 86400 ? `${p(d.getDate())}/${p(d.getMonth() + 1)} ${hm}` : hm;
}

// buckets: [{t: Unix s, key: count...}]; series: [{key, label, cls}]
export function stackedBars(title, buckets, series, summary) {
  const H = 220, L = 44, R = 8, T = 10, B = 30;
  const pw = W - L - R, ph = H - T - B;
  const totals = buckets.map((b) => series.reduce((sum, se) => sum + (Number(b[se.key]) || 0), 0));
  const top = niceMax(Math.max(0, ...totals));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${title}: ${summary}` },
    s('title', {}, title));
  for (const f of [0, 0.5, 1]) {
    const y = T + ph - f * ph;
    svg.append(s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'gridline' }),
      s('text', { x: L - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, String(Math.round(top * f * 100) / 100)));
  }
  const n = Math.max(buckets.length, 1);
  const bw = pw / n;
  buckets.forEach((b, i) => {
    let y = T + ph;
    for (const se of series) {
      const v = Number(b[se.key]) || 0;
      if (!v) continue;
      const hgt = (v / top) * ph;
      y -= hgt;
      const w = Math.min(Math.max(bw * 0.8, 1), 48);
      svg.append(s('rect', { x: L + i * bw + (bw - w) / 2, y, width: w, height: hgt, class: se.cls },
        s('title', {}, `${timeLabel(b.t, 0)}: ${v} ${se.label}`)));
    }
  });
  if (buckets.length) {
    const span = buckets[buckets.length - 1].t - buckets[0].t;
    const idx = [...new Set([0, Math.floor((buckets.length - 1) / 2), buckets.length - 1])];
    for (const i of idx) {
      svg.append(s('text', { x: L + (i + 0.5) * bw, y: H - 10, class: 'axis', 'text-anchor': 'middle' },
        timeLabel(buckets[i].t, span)));
    }
  }
  svg.append(s('line', { x1: L, x2: W - R, y1: T + ph, y2: T + ph, class: 'baseline' }));
  return h('figure.chartbox', {}, h('figcaption', { text: title }), svg, legend(series));
}

// items: [{label, value, cls}]; log: a log10 scale (for counts that differ by orders of magnitude)
export function hbars(title, items, { log = false } = {}) {
  const row = 30, L = 150, R = 90, T = 6;
  const H = T * 2 + row * items.length;
  const pw = W - L - R;
  const f = log ? (v) => Math.log10(1 + v) : (v) => v;
  const top = Math.max(...items.map((it) => f(Number(it.value) || 0)), 1e-9);
  const summary = items.map((it) => `${it.label} ${it.value}`).join(', ');
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${title}: ${summary}` },
    s('title', {}, title));
  items.forEach((it, i) => {
    const y = T + i * row;
    const v = Number(it.value) || 0;
    const w = v > 0 ? Math.max((f(v) / top) * pw, 2) : 0;
    svg.append(
      s('text', { x: L - 8, y: y + row / 2 + 4, class: 'label', 'text-anchor': 'end' }, it.label),
      s('rect', { x: L, y: y + 5, width: w, height: row - 10, class: it.cls }),
      s('text', { x: L + w + 6, y: y + row / 2 + 4, class: 'value' }, v.toLocaleString('en-GB')));
  });
  const cap = log ? `${title} (log scale)` : title;
  return h('figure.chartbox', {}, h('figcaption', { text: cap }), svg);
}
