// test_incidents.mjs — web/incidents.js on its own (node, no browser): how
// alerts become incidents (one subject on one deployment within the
// window; a pending alert never joins a decided incident; another subject,
// deployment or a gap beyond the window opens a new one), the summary of an
// incident (count, first/last, cameras, best score, pending ids, state),
// and the words for times and scores.
import path from 'node:path';
import { Checks, src } from './lib.mjs';

const { Incidents, ago, scoreWords } = await import(path.join(src, 'web/incidents.js'));
const t = new Checks();
let id = 0;
const alert = (o) => ({ id: ++id, deployment_id: 1, subject_id: 7, camera: 'cam1', score: 0.6, frame_time: 1000, state: 'pending', ...o });

const g = new Incidents(600);
const a1 = g.put(alert({ frame_time: 1000 }));
const a2 = g.put(alert({ frame_time: 1036, camera: 'cam2', score: 0.7 }));
const a3 = g.put(alert({ frame_time: 1600 }));
t.ok(a1.created && !a2.created && !a3.created, 'passes of one person within the window are one incident');
const inc = a1.incident;
t.eq(inc.alerts.length, 3, 'the incident counts its alerts');
t.eq(inc.first, 1000, 'first seen');
t.eq(inc.last, 1600, 'last seen');
t.eq(inc.cameras.join(','), 'cam1,cam2', 'the cameras, each once');
t.eq(inc.best.id, a2.incident.alerts[1].id, 'the best-scoring alert is the one shown');
t.eq(inc.pendingIds.length, 3, 'all pending');
t.eq(inc.state, 'pending', 'the incident is pending');
t.ok(g.put(alert({ frame_time: 2300 })).created, 'a gap beyond the window opens a new incident');
t.ok(g.put(alert({ frame_time: 2310, subject_id: 8 })).created, 'another subject is another incident');
t.ok(g.put(alert({ frame_time: 2320, deployment_id: 2 })).created, 'another deployment is another incident');
t.eq(g.pending().length, 4, 'four pending incidents');

// decisions arrive alert by alert (as the stream sends them)
for (const a of [...inc.alerts]) g.put({ id: a.id, state: 'rejected' });
t.eq(inc.state, 'rejected', 'once every alert is decided, so is the incident');
t.eq(inc.pendingIds.length, 0, 'nothing pending in it');
const again = new Incidents(600);
const e1 = again.put(alert({ frame_time: 100 }));
again.put({ id: e1.incident.alerts[0].id, state: 'rejected' });
const e2 = again.put(alert({ frame_time: 150 }));
t.ok(e2.created && e2.incident !== e1.incident, 'the person seen again after the decision opens a new incident');
const h = new Incidents(600);
const d1 = h.put(alert({ frame_time: 10, state: 'confirmed' }));
const d2 = h.put(alert({ frame_time: 20, state: 'confirmed' }));
const d3 = h.put(alert({ frame_time: 30, state: 'pending' }));
t.ok(!d2.created && d2.incident === d1.incident, 'decided alerts of one outcome group together (history)');
t.ok(d3.created, 'a pending alert does not join a decided incident');
const half = new Incidents(600);
const p1 = half.put(alert({ frame_time: 0 }));
half.put(alert({ frame_time: 5 }));
half.put({ id: p1.incident.alerts[0].id, state: 'no_action' }); // decided elsewhere, one of two
t.eq(p1.incident.state, 'pending', 'an incident with a pending alert left stays pending');
t.eq(p1.incident.pendingIds.length, 1, 'with that one alert to decide');
t.eq(half.put({ id: p1.incident.alerts[0].id, camera: 'cam9' }).created, false, 'an update of a known alert creates nothing');

t.eq(ago(100, 120), 'just now', 'seconds ago: just now');
t.eq(ago(0, 150), '3 min ago', 'minutes ago');
t.eq(ago(0, 7200), '2 h ago', 'hours ago');
t.eq(ago(0, 3 * 86400), '3 days ago', 'days ago');
t.ok(/weak/.test(scoreWords(0.56, 0.54)), 'just above the threshold: weak');
t.ok(/clear/.test(scoreWords(0.64, 0.54)), 'above: clear');
t.ok(/strong.*not an identification/.test(scoreWords(0.95, 0.54)), 'far above: strong, still not an identification');
t.ok(/below/.test(scoreWords(0.5, 0.54)), 'below the threshold says so');
t.ok(/not known/.test(scoreWords(0.9, undefined)), 'an unknown threshold says so');
t.done();
