// audit.js — the audit chain for auditors: every entry (who, what, on what,
// the details), newest first, with a filter over the text. Read from
// /api/v1/audit a thousand entries at a time.
import { get } from './api.js';
import { h, clear, fmtTime } from './dom.js';

const $ = (id) => document.getElementById(id);
let st = null;

function row(e) {
  const details = e.details && Object.keys(e.details).length ? JSON.stringify(e.details) : '';
  const tr = h('tr', {},
    h('td.num', { text: e.seq }),
    h('td.nowrap', { text: fmtTime(e.time) }),
    h('td', { text: e.actor }),
    h('td', {}, h('code', { text: e.action })),
    h('td', { text: e.object }),
    h('td.details', { text: details }));
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
    'Each entry is chained to the one before by its hash: `vigil audit verify` checks the chain.';
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
    load();
  },
  stop() {
    if (!st) return;
    $('audit-filter').removeEventListener('input', st.onFilter);
    $('audit-refresh').removeEventListener('click', load);
    st = null;
  },
};
