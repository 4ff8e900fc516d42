// paperwork.js — the "Documents" button beside the Statistics view's
// deployment: for admins and auditors, opens the chosen document of that
// deployment (/api/v1/deployments/{id}/paperwork, printable HTML) in a new
// tab, where the browser prints it. Kept apart from stats.js on purpose:
// it only adds its controls to the view's bar.
const $ = (id) => document.getElementById(id);
const KINDS = [
  ['dpia', 'DPIA'],
  ['eia', 'Equality impact'],
  ['watchlist-criteria', 'Watch-list criteria'],
  ['authorisation', 'Authorisation'],
  ['review', 'Post-deployment review'],
];

function add() {
  const bar = document.querySelector('#view-stats .bar');
  const dep = $('stats-deployment');
  if (!bar || !dep || $('paperwork-open')) return;
  const kind = document.createElement('select');
  kind.id = 'paperwork-kind';
  kind.setAttribute('aria-label', 'Document');
  for (const [value, text] of KINDS) kind.append(new Option(text, value));
  const btn = document.createElement('button');
  btn.id = 'paperwork-open';
  btn.type = 'button';
  btn.textContent = 'Documents';
  btn.title = 'Open the document for this deployment (printable A4)';
  btn.addEventListener('click', () => {
    if (!dep.value) return;
    const q = new URLSearchParams({ kind: kind.value, format: 'html' });
    window.open(`/api/v1/deployments/${encodeURIComponent(dep.value)}/paperwork?${q}`, '_blank', 'noopener');
  });
  const wrap = document.createElement('span');
  wrap.className = 'paperwork';
  wrap.append(kind, btn);
  bar.append(wrap);
  // only admins and auditors may have the documents (app.js sets the role)
  const sync = () => { wrap.hidden = !['admin', 'auditor'].includes(document.body.dataset.role); };
  new MutationObserver(sync).observe(document.body, { attributes: true, attributeFilter: ['data-role'] });
  sync();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', add);
else add();
