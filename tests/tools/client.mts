// client.mts — a small program against vigil's HTTP API through a client
// generated from its OpenAPI document: openapi-typescript makes api.d.ts
// from /api/v1/openapi.json, openapi-fetch types every call by it, and tsc
// --strict must accept this file, so a path, parameter or field that the
// document does not describe fails the type-check before anything runs.
// It lists the pending alerts of a deployment, adjudicates the first and
// reads it back. usage: node client.mjs BASE_URL TOKEN DEPLOYMENT
import createClient from 'openapi-fetch';
import type { paths, components } from './api.js';

type Alert = components['schemas']['Alert'];
declare const process: { argv: string[] }; // node's, without @types/node

const [base, token, deployment] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });

const page = await api.GET('/api/v1/alerts', {
  params: { query: { deployment, state: 'pending', limit: 10 } },
});
if (page.error || !page.data) throw new Error(`listAlerts: ${page.response.status} ${page.error?.error}`);
const alerts: Alert[] = page.data.alerts;
if (alerts.length === 0) throw new Error('no pending alert to adjudicate');
const first = alerts[0];
console.log(`${alerts.length} pending; adjudicating alert ${first.id} (${first.subject_name}, score ${first.score})`);

const done = await api.POST('/api/v1/alerts/{id}/adjudicate', {
  params: { path: { id: first.id } },
  body: { outcome: 'no_action', note: 'checked by the generated client' },
});
if (done.error || !done.data) throw new Error(`adjudicateAlert: ${done.response.status} ${done.error?.error}`);
const after: Alert = done.data;
if (after.state !== 'no_action' || after.note !== 'checked by the generated client')
  throw new Error(`the alert reads ${after.state} / ${after.note}`);

const again = await api.POST('/api/v1/alerts/{id}/adjudicate', {
  params: { path: { id: first.id } },
  body: { outcome: 'confirmed' },
});
if (again.response.status !== 409 || again.error?.field !== 'outcome')
  throw new Error(`a second decision was answered ${again.response.status}`);
console.log(`alert ${after.id}: ${after.state} by ${after.adjudicated_by}; a second decision answered 409`);
