// incidents.js — alerts grouped into incidents: the alerts of one subject
// on one deployment whose times lie within a window of each other (the
// same person walking past a looping camera) are one incident, decided
// once. A pending alert joins only a pending incident, and a decided one
// only an incident decided the same way, so a person seen again after the
// officer's decision opens a new incident. No DOM here: the queue view
// (alerts.js) renders what this keeps.

export const DEFAULT_WINDOW_MIN = 10;

const when = (a) => a.frame_time || a.raised_at || 0;
const keyOf = (a) => `${a.deployment_id}:${a.subject_id || ('gone' + a.id)}`;

export class Incidents {
  constructor(windowSeconds) {
    this.window = windowSeconds;
    this.list = [];                 // incidents, in order of creation
    this.byAlert = new Map();       // alert id -> incident
    this.lastByKey = new Map();     // subject/deployment key -> its latest incident
  }

  // Adds or updates an alert; returns {incident, created}.
  put(a) {
    const had = this.byAlert.get(a.id);
    if (had) {
      const i = had.alerts.findIndex((x) => x.id === a.id);
      had.alerts[i] = { ...had.alerts[i], ...a };
      refresh(had);
      return { incident: had, created: false };
    }
    const key = keyOf(a);
    const t = when(a);
    let inc = this.lastByKey.get(key);
    const fits = inc && t - inc.last <= this.window && inc.first - t <= this.window &&
      (a.state === 'pending' ? inc.state === 'pending' : inc.state === a.state);
    let created = false;
    if (!fits) {
      inc = { id: a.id, key, alerts: [], first: t, last: t, state: a.state };
      this.list.push(inc);
      this.lastByKey.set(key, inc);
      created = true;
    }
    inc.alerts.push(a);
    this.byAlert.set(a.id, inc);
    refresh(inc);
    return { incident: inc, created };
  }

  pending() {
    return this.list.filter((i) => i.state === 'pending');
  }
}

// An incident's summary from its alerts: times, cameras, best alert, state.
function refresh(inc) {
  inc.alerts.sort((x, y) => x.id - y.id);
  inc.id = inc.alerts[0].id;
  inc.first = Math.min(...inc.alerts.map(when));
  inc.last = Math.max(...inc.alerts.map(when));
  inc.cameras = [...new Set(inc.alerts.map((a) => a.camera))];
  inc.best = inc.alerts.reduce((b, a) => (a.score > b.score ? a : b), inc.alerts[0]);
  inc.latest = inc.alerts[inc.alerts.length - 1];
  const pend = inc.alerts.filter((a) => a.state === 'pending');
  inc.pendingIds = pend.map((a) => a.id);
  inc.state = pend.length ? 'pending' : inc.latest.state;
}

// "just now", "2 min ago", "3 h ago", "2 days ago".
export function ago(seconds, now = Date.now() / 1000) {
  const d = Math.max(0, now - seconds);
  if (d < 45) return 'just now';
  if (d < 90) return '1 min ago';
  if (d < 3600) return `${Math.round(d / 60)} min ago`;
  if (d < 86400) return `${Math.round(d / 3600)} h ago`;
  return `${Math.round(d / 86400)} days ago`;
}

// A score beside its deployment's threshold, in words.
export function scoreWords(score, threshold) {
  if (typeof score !== 'number') return '';
  if (typeof threshold !== 'number') return 'the threshold of this deployment is not known';
  const m = score - threshold;
  if (m < 0) return 'below the alert threshold';
  if (m < 0.05) return 'just above the alert threshold: a weak resemblance, compare with great care';
  if (m < 0.15) return 'above the alert threshold: a clear resemblance, not an identification';
  return 'far above the alert threshold: a strong resemblance, still not an identification';
}
