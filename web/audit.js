// audit.js — the audit chain for auditors: every entry (who, what, on what,
// the details), newest first, with a filter over the text. Read from
// /api/v1/audit a thousand entries at a time. The details show as
// "key: value" lines; "Verify the chain" asks the server to check every
// entry's hash (/api/v1/audit/verify) and says what it found.
import { get } from './api.js';
import { h, clear, fmtTime } from './dom.js';

const $ = (id) => document.getElementById(id);
let st = null;

function detailLines(d) {
  const ul = h('ul.kv');
  for (const [k, v] of Object.entries(d || {})) {
    ul.append(h('li', {}, h('span.k', { text: k.replace(/_/g, ' ') + ': ' }),
      h('span.v', { text: typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v) })));
  }
  return ul;
}

function row(e) {
  const details = e.details && Object.keys(e.details).length ? JSON.stringify(e.details) : '';
  const tr = h('tr', {},
    h('td.num', { 'data-label': '#', text: e.seq }),
    h('td.nowrap', { 'data-label': 'Time', text: fmtTime(e.time) }),
    h('td', { 'data-label': 'Actor', text: e.actor }),
    h('td', { 'data-label': 'Action' }, h('code', { text: e.action })),
    h('td', { 'data-label': 'Object', text: e.object }),
    h('td.details', { 'data-label': 'Details' }, details ? detailLines(e.details) : ''));
  tr.dataset.search = `${e.actor} ${e.action} ${e.object} ${details}`.toLowerCase();
  return tr;
}

function applyFilter() {
  const q = $('audit-filter').value.trim().toLowerCase();
  let shown = 0;
  for (const tr of $('audit-table').tBodies[0].rows) {
    tr.hidden = q !== '' && !tr.dataset.search.includes(q);
    if (!tr.hidden) shown++;
  }
  return shown;
}

async function load() {
  const mine = st;
  const entries = new Map();
  let since = null;
  try {
    for (let page = 0; page < 50; page++) { // pages by time; a second's entries may repeat: keyed by seq
      const r = await get('/audit?limit=1000' + (since === null ? '' : `&since=${since}`));
      const list = r.entries || [];
      const before = entries.size;
      for (const e of list) entries.set(e.seq, e);
      if (list.length < 1000 || entries.size === before) break;
      since = list[list.length - 1].time;
    }
  } catch (e) {
    if (st === mine) $('audit-note').textContent = e.message;
    return;
  }
  if (st !== mine) return;
  const body = clear($('audit-table').tBodies[0]);
  const sorted = [...entries.values()].sort((a, b) => b.seq - a.seq);
  for (const e of sorted) body.append(row(e));
  const shown = applyFilter();
  $('audit-note').textContent = `${entries.size} entries${shown !== entries.size ? `, ${shown} shown` : ''}. ` +
    'Each entry is chained to the one before by its hash: "Verify the chain" checks every one.';
}

async function verify() {
  const mine = st;
  const out = $('audit-verify-result');
  out.dataset.kind = '';
  out.textContent = 'Checking every entry…';
  try {
    const r = await get('/audit/verify');
    if (st !== mine) return;
    out.dataset.kind = r.intact ? 'ok' : 'bad';
    out.textContent = r.intact
      ? `The chain is intact: ${r.entries.toLocaleString('en-GB')} entries checked at ${fmtTime(Date.now() / 1000)}.`
      : `The chain is broken at entry #${r.bad_seq}: ${r.reason}`;
  } catch (e) {
    if (st !== mine) return;
    out.dataset.kind = 'bad';
    out.textContent = `The check could not be made: ${e.message}`;
  }
}

export default {
  id: 'audit',
  title: 'Audit',
  roles: ['auditor'],
  start(ctx) {
    st = { ctx };
    st.onFilter = () => {
      const shown = applyFilter();
      $('audit-note').textContent = `${$('audit-table').tBodies[0].rows.length} entries, ${shown} shown.`;
    };
    $('audit-filter').addEventListener('input', st.onFilter);
    $('audit-refresh').addEventListener('click', load);
    $('audit-verify').addEventListener('click', verify);
    $('audit-verify-result').textContent = '';
    load();
  },
  stop() {
    if (!st) return;
    $('audit-filter').removeEventListener('input', st.onFilter);
    $('audit-refresh').removeEventListener('click', load);
    $('audit-verify').removeEventListener('click', verify);
    st = null;
  },
};
