// test_shift.mjs — an officer's shift, time compressed: the astronaut is
// enrolled, the demo clip in which she walks past loops under `vigil run`
// with a short alert cooldown (a pass every few seconds instead of every
// ~36 s), and in headless chromium the operator works the queue:
//  - the passes of one person are one incident (one card with a count,
//    first/last seen, cameras); the pending count (header and tab title)
//    stays at the number of distinct people, however many passes;
//  - the card: faces of both sides at >= 256 px (the watch-list side the
//    aligned crop of the enrolment photo), enlarged on click, the
//    score beside the threshold in words, location, deployment, times;
//  - the keyboard: the first card focused after login, a focus ring that
//    is not the "new" mark, C then U undoes (nothing sent), R sent after
//    5 s covers every alert of the incident, each audited once, and the
//    decided card leaves the pending list;
//  - the statistics view follows the run (faces processed grows);
//  - outages: with the link between browser and server cut (a TCP relay
//    in this script), a banner shows; back, every alert raised meanwhile
//    is on screen; a first load that fails is retried until it works;
//  - axe-core on the alerts view and the enlarged faces (views_all.mjs,
//    `make console-views`, covers every view at every size).
// VIGIL_SHIFT_SECONDS (default 6) is how long the queue is watched for
// flooding; `make shift` watches it for 600 s, in which the looping clip
// raises about as many alerts as an hour of a real camera would.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Checks, playwright, tmpdir, users, vigil, start, watchPage, login, artefactDir, src, skip, axeCheck, apiAs } from './lib.mjs';

const pw = playwright();
const media = path.join(src, 'deps/media');
for (const f of ['astronaut.png', 'demo-walk.mp4']) {
  if (!fs.existsSync(path.join(media, f))) skip(`deps/media/${f} not found: run scripts/bootstrap`);
}
const SHIFT_S = Number(process.env.VIGIL_SHIFT_SECONDS || 6);

const t = new Checks();
const dir = tmpdir();
const art = artefactDir();
const env = { VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_ACTOR: 'setup' };
delete process.env.VIGIL_KEY;
const iso = (s) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T0 = Date.now();
const mark = (what) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1)} s] ${what}`);

users(env, [['olivia', 'operator'], ['aud', 'auditor'], ['adam', 'admin']]);
vigil(env, ['watchlist', 'create', 'demo', '--reason', 'shift test', '--authorised-by', 'Supt T']);
vigil(env, ['subject', 'add', 'demo', '--name', 'Eileen Collins', '--reason', 'warrant 4711', '--category', 'warrant',
  '--source', 'NASA portrait', '--photo', path.join(media, 'astronaut.png')]);
vigil(env, ['deployment', 'create', 'street', '--watchlist', 'demo', '--camera', path.join(media, 'demo-walk.mp4'),
  '--location', 'High Street, north entrance', '--from', iso(-60), '--until', iso(7200), '--authorised-by', 'Supt T',
  '--signage-confirmed']);

const cfg = path.join(dir, 'run.ini');
fs.writeFileSync(cfg, '[source]\nloop = 1\n[engine]\nalert_cooldown = 2\n');
const server = await start(env, ['run', '--deployment', 'street', '--config', cfg, '--listen', '127.0.0.1:0'], { timeoutMs: 120000 });
const base = `http://127.0.0.1:${server.port}`;
const api = await apiAs(base, 'aud');
const allAlerts = async () => {
  let out = [], after = 0;
  for (;;) {
    const r = await api(`/alerts?limit=1000&after=${after}`);
    out = out.concat(r.alerts);
    if (!r.next_after) return out;
    after = r.next_after;
  }
};
const waitAlerts = async (n, ms) => {
  const end = Date.now() + ms;
  for (;;) {
    const a = await allAlerts();
    if (a.length >= n || Date.now() > end) return a;
    await sleep(500);
  }
};
// A TCP relay between the operator's browser and the server: the outage
// cuts it (every connection dropped, new ones refused), then it comes back
// on the same port; the server and the session live on throughout.
function relay(target) {
  const socks = new Set();
  let srv = null, port = 0;
  const up = () => new Promise((res) => {
    srv = net.createServer((c) => {
      const u = net.connect(target, '127.0.0.1');
      const end = () => { c.destroy(); u.destroy(); socks.delete(c); socks.delete(u); };
      for (const x of [c, u]) { socks.add(x); x.on('error', end); x.on('close', end); }
      c.pipe(u); u.pipe(c);
    });
    srv.listen(port, '127.0.0.1', () => { port = srv.address().port; res(port); });
  });
  const down = () => new Promise((res) => { srv.close(() => res()); for (const x of socks) x.destroy(); });
  return { up, down, port: () => port };
}
const pendingCards = (p) => p.locator('#alerts-list article.alert:not([hidden])[data-state=pending]');

const browser = await pw.launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const clean = watchPage(page, t, 'operator');
  const link = relay(server.port);
  const via = `http://127.0.0.1:${await link.up()}`;
  const t0 = Date.now();
  const first = await waitAlerts(1, 180000);
  t.ok(first.length >= 1, 'the clip raised an alert', `${first.length} alerts`);
  console.log(`first alert stored after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await login(page, via, 'olivia');
  await page.locator('#alerts-list article.alert').first().waitFor();

  // the first card has the focus without any key
  await page.waitForFunction(() => document.activeElement && document.activeElement.matches('article.alert'));
  t.ok(true, 'after login the first card has the keyboard focus');

  mark('shift');
  // the shift: passes keep coming, the queue does not grow with them
  const n0 = first.length;
  const tShift = Date.now();
  let maxPending = 0, samples = 0;
  while (Date.now() - tShift < SHIFT_S * 1000) {
    await sleep(2000);
    maxPending = Math.max(maxPending, await pendingCards(page).count());
    samples++;
  }
  const after = await waitAlerts(n0 + 1, 120000);
  await page.waitForFunction((n) => [...document.querySelectorAll('#alerts-list article.alert')]
    .reduce((s, el) => s + Number(el.dataset.count), 0) >= n, after.length, { timeout: 20000 });
  const cards = await pendingCards(page).count();
  console.log(`${after.length} alerts in ${((Date.now() - tShift) / 1000).toFixed(0)} s of shift; ${cards} pending card(s); at most ${maxPending} over ${samples} samples`);
  t.ok(after.length >= 2, 'the looping clip raised several alerts', `${after.length}`);
  t.eq(cards, 1, 'one person walking past again and again is one pending card');
  t.ok(maxPending <= 1, 'the pending count never exceeded the number of people (1)', `${maxPending}`);
  const card = pendingCards(page).first();
  const count = Number(await card.getAttribute('data-count'));
  t.eq(count, after.length, 'the card counts every alert of the incident');
  t.eq(await page.locator('#pending-count').textContent(), '1 pending', 'the header shows the pending count');
  t.eq(await page.title(), '(1) vigil console', 'the tab title shows the pending count');
  const factsText = await card.locator('dl.facts').textContent();
  t.ok(factsText.includes(`Seen${count} times`), 'the card says how often the person was seen', factsText);
  t.ok(/First seen(just now|\d+ min ago) \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/.test(factsText), 'first seen, relative and absolute', factsText);
  t.ok(/Last seen(just now|\d+ min ago) \(/.test(factsText), 'last seen, relative', factsText);
  t.ok(factsText.includes('LocationHigh Street, north entrance'), 'the location is shown', factsText);
  t.ok(factsText.includes('Deploymentstreet'), 'the deployment is shown');
  t.ok(/Score0\.\d{3} \(alert threshold 0\.\d\d\) — .*(resemblance|threshold)/.test(factsText), 'the score with the threshold and its meaning in words', factsText);
  t.ok(factsText.includes('Categorywarrant'), 'the category is shown');

  mark('card');
  // faces at 256 px, enlarged on click
  await page.waitForFunction(() => [...document.querySelectorAll('#alerts-list article.alert .face img')].every((i) => i.complete && i.naturalWidth > 0));
  const sizes = await card.locator('.face img').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().width)));
  t.ok(sizes.length === 2 && sizes.every((w) => w >= 256), 'both faces are shown at 256 px or more', sizes.join(','));
  // the watch-list side is the aligned face crop (256x320), not the whole
  // 512x512 portrait with a small face in it
  const enrolledSize = await card.locator('.face img').nth(1).evaluate((e) => `${e.naturalWidth}x${e.naturalHeight}`);
  t.eq(enrolledSize, '256x320', 'the watch-list side is the aligned face crop, not the whole portrait');
  await card.locator('.face button.zoom').first().click();
  await page.locator('#zoom[open] img').first().waitFor();
  const zoomW = await page.locator('#zoom img').first().evaluate((e) => e.getBoundingClientRect().width);
  t.ok(zoomW >= 400, 'a click enlarges the faces', `${zoomW}`);
  await page.screenshot({ path: path.join(art, 'shift-enlarged-1280.png') });
  await axeCheck(page, t, 'enlarged faces');
  await page.keyboard.press('Escape');
  await page.locator('#zoom').evaluate((d) => !d.open);
  t.ok(!(await page.locator('#zoom').evaluate((d) => d.open)), 'Esc closes the enlarged faces');

  // the focus ring is not the "new" mark
  await card.focus();
  const look = await card.evaluate((el) => {
    const f = getComputedStyle(el);
    el.classList.add('fresh');
    const blurred = document.createElement('article');
    blurred.className = 'alert fresh';
    document.getElementById('alerts-list').append(blurred);
    const n = getComputedStyle(blurred);
    const r = { focusOutline: f.outlineStyle + ' ' + f.outlineWidth, newOutline: n.outlineStyle, newShadow: n.boxShadow, focusShadow: f.boxShadow };
    blurred.remove();
    return r;
  });
  t.ok(look.focusOutline.startsWith('solid') && look.newOutline === 'none' && look.newShadow !== look.focusShadow,
    'the focus ring and the "new" mark look different', JSON.stringify(look));
  await axeCheck(page, t, 'alerts view (1280)');
  await page.screenshot({ path: path.join(art, 'shift-alerts-1280.png') });

  mark('undo');
  // C, then U: nothing is sent
  const ids = (await allAlerts()).map((a) => a.id);
  await card.focus();
  await page.keyboard.press('c');
  await page.locator('#alerts-list .undo').first().waitFor();
  t.eq(await page.locator('#pending-count').textContent(), '0 pending', 'a decision in its undo time is off the count');
  await page.screenshot({ path: path.join(art, 'shift-undo-1280.png') });
  await page.keyboard.press('u');
  await pendingCards(page).first().locator('form.decide').waitFor();
  await sleep(5500);
  const still = await allAlerts();
  t.ok(still.every((a) => a.state === 'pending'), 'U within 5 s: no alert was decided', still.map((a) => a.state).join(','));

  // R, sent after 5 s, decides every alert of the incident
  const inc = pendingCards(page).first();
  const incId = await inc.getAttribute('data-id');
  await inc.focus();
  const covered = Number(await inc.getAttribute('data-count'));
  const pressed = (await inc.getAttribute('data-alerts')).split(' ').map(Number);
  await page.keyboard.press('r');
  const tDecide = Date.now();
  // every alert on the card when R was pressed, decided on the server (one request each)
  for (let end = Date.now() + 120000; ;) {
    const now = await allAlerts();
    if (pressed.every((id) => now.some((a) => a.id === id && a.state === 'rejected')) || Date.now() > end) break;
    await sleep(500);
  }
  console.log(`the rejection reached the server ${((Date.now() - tDecide) / 1000).toFixed(1)} s after R`);
  t.ok(Date.now() - tDecide >= 4900, 'the decision was sent only after the 5 s undo time');
  const decided = (await allAlerts()).filter((a) => a.state === 'rejected');
  t.ok(decided.length >= covered && covered >= 2, 'every alert of the incident is rejected', `${decided.length} of ${covered}`);
  t.ok(ids.every((id) => decided.some((a) => a.id === id)), 'the alerts on the card when R was pressed are all decided');
  // a pass after R (a long shift) joins the incident as a new pending alert: the card stays, with it
  const joined = await page.waitForFunction((args) => {
    const el = document.getElementById('alert-' + args.id);
    return el && (el.dataset.state === 'rejected' ? 'decided' : (Number(el.dataset.count) > args.n ? 'joined' : false));
  }, { id: incId, n: covered }, { timeout: 30000 }).then((h) => h.jsonValue());
  if (joined === 'decided') t.ok(await page.locator(`#alert-${incId}`).isHidden(), 'the decided card left the pending list');
  else t.ok(await page.locator(`#alert-${incId}`).isVisible(), 'a pass after R keeps the card pending, with only the new alert to decide');
  const audit = (await api('/audit?limit=1000')).entries;
  const adj = audit.filter((e) => e.action === 'alert.adjudicate');
  t.eq(adj.length, decided.length, 'one audit entry per decided alert');
  t.ok(adj.length > 0 && adj.every((e) => JSON.stringify(e.details).includes('rejected')), 'the audit records only the final outcome (the undone confirmation is not there)',
    adj.map((e) => JSON.stringify(e.details)).join(' | '));
  clean();

  mark('statistics');
  // the statistics follow the run (counters reach the store every 5 s, the view reads them every 5 s)
  await page.getByRole('link', { name: 'Statistics' }).click();
  const facesOf = () => page.evaluate(() => {
    const dl = document.querySelector('#stats-body dl.facts');
    const m = dl && dl.textContent.match(/Faces processed([\d,]+)/);
    return m ? Number(m[1].replace(/,/g, '')) : -1;
  });
  await page.waitForFunction(() => document.querySelector('#stats-body dl.facts'));
  const f1 = await facesOf();
  await page.waitForFunction((f) => {
    const m = document.querySelector('#stats-body dl.facts').textContent.match(/Faces processed([\d,]+)/);
    return m && Number(m[1].replace(/,/g, '')) > f;
  }, f1, { timeout: 30000 }).then(async () => t.ok(true, `the statistics follow the run without a reload (faces ${f1} -> ${await facesOf()})`),
    (e) => t.ok(false, 'the statistics follow the run without a reload', e.message));
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.locator('#alerts-live').filter({ hasText: /^live$/ }).waitFor();
  mark('outage');
  // outage: the link cut, a banner; back, every alert raised meanwhile is there
  const before = (await allAlerts()).length;
  await link.down();
  await page.locator('#outage').waitFor({ state: 'visible', timeout: 20000 });
  t.ok(true, 'the banner shows when live updates stop');
  const banner = await page.locator('#outage').boundingBox();
  t.ok(banner && banner.width >= 1200 && banner.height >= 40, 'the banner is prominent (full width)', JSON.stringify(banner));
  await page.screenshot({ path: path.join(art, 'shift-outage-1280.png') });
  const during = await waitAlerts(before + 1, 120000);
  t.ok(during.length > before, 'alerts were raised during the outage', `${before} -> ${during.length}`);
  await link.up();
  await page.locator('#outage').waitFor({ state: 'hidden', timeout: 30000 });
  const want = (await allAlerts()).map((a) => a.id);
  await page.waitForFunction((w) => {
    const seen = new Set([...document.querySelectorAll('#alerts-list article.alert')].flatMap((el) => (el.dataset.alerts || '').split(' ').map(Number)));
    return w.every((id) => seen.has(id));
  }, want.filter((id) => id <= during[during.length - 1].id), { timeout: 30000 }).then(() => t.ok(true, 'back online, every alert raised during the outage is on screen'),
    (e) => t.ok(false, 'back online, every alert raised during the outage is on screen', e.message));

  mark('first load');
  // a first load that fails is retried until it works
  const p2 = await ctx.newPage();
  let refused = 0;
  await p2.route('**/api/v1/alerts?*', (route) => (refused++ < 2 ? route.abort() : route.continue()));
  await login(p2, via, 'olivia');
  await p2.locator('#outage').waitFor({ state: 'visible', timeout: 10000 });
  await p2.locator('#alerts-list article.alert').first().waitFor({ timeout: 20000 });
  t.ok(refused >= 2, 'a first load that failed was retried by itself until the alerts came', `${refused} requests refused`);
  t.ok(await p2.locator('#outage').isHidden(), 'the banner goes once the alerts are loaded');
  await p2.close();

  // the other sizes: no sideways scrolling, screenshots, axe
  mark('end');
} catch (e) {
  t.ok(false, 'the test ran to its end', e.stack);
} finally {
  await browser.close();
  t.eq(await server.stop(), 0, 'the server stops cleanly on SIGTERM');
}
console.log(`screenshots: ${art}`);
t.done();
