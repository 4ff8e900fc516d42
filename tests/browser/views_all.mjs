// views_all.mjs — every view of the console at 1280x900, 768x1024 and
// 390x844, as an operator (alerts, cameras, watch lists, statistics), an
// auditor (the audit log and its chain check) and an admin (the login page,
// the forms, enrolment refusals in plain words): each fits the width, has
// no serious or critical axe-core violation, and is saved as a screenshot
// (view-<name>-<size>.png in the artefact directory; docs/console.md shows
// them). The data: the demo's public-domain images only (the astronaut
// walking past in the looping demo clip). Not part of `make test` (about
// 2 minutes here): `make console-views` runs it.
import fs from 'node:fs';
import path from 'node:path';
import { Checks, playwright, tmpdir, users, vigil, start, watchPage, login, artefactDir, src, skip, axeCheck, apiAs } from './lib.mjs';

const pw = playwright();
const media = path.join(src, 'deps/media');
for (const f of ['astronaut.png', 'demo-walk.mp4']) {
  if (!fs.existsSync(path.join(media, f))) skip(`deps/media/${f} not found: run scripts/bootstrap`);
}

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
  '--location', 'High Street, north entrance', '--camera-name', 'North door', '--camera-location', 'High Street 12, north door',
  '--from', iso(-60), '--until', iso(7200), '--authorised-by', 'Supt T', '--signage-confirmed']);

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
const pendingCards = (p) => p.locator('#alerts-list article.alert:not([hidden])[data-state=pending]');

const browser = await pw.launch();
try {
  await waitAlerts(3, 240000);
  // one decided incident and one pending, as on a shift
  {
    const c0 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p0 = await c0.newPage();
    await login(p0, base, 'olivia');
    await p0.locator('#alerts-list article.alert').first().waitFor();
    await p0.locator('#alerts-list article.alert').first().focus();
    await p0.keyboard.press('n');
    await p0.waitForFunction(() => document.querySelector('#alerts-list article.alert[data-state=no_action]'), null, { timeout: 30000 });
    await c0.close();
    await waitAlerts((await allAlerts()).length + 1, 240000);
  }
  mark('views');
  // every view at every size: fits the width, no serious axe violation, a screenshot
  const fits = async (p, what) => {
    const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.ok(over <= 0, `${what} fits the width`, `${over} px too wide`);
  };
  const shot = (p, file) => p.screenshot({ path: path.join(art, file), fullPage: true });
  for (const [w, hgt, size] of [[1280, 900, 'desktop'], [768, 1024, 'tablet'], [390, 844, 'phone']]) {
    const c2 = await browser.newContext({ viewport: { width: w, height: hgt }, hasTouch: size !== 'desktop' });
    const p = await c2.newPage();
    const cl = watchPage(p, t, size);
    await login(p, base, 'olivia');
    await p.locator('#alerts-filter').selectOption('all');
    await p.locator('#alerts-list article.alert').first().waitFor();
    await p.waitForFunction(() => [...document.querySelectorAll('#alerts-list .face img')].every((i) => i.complete));
    await fits(p, `${size}: the alerts`);
    const header = await p.locator('header.top').boundingBox();
    t.ok(header.height <= (size === 'phone' ? 100 : 70), `${size}: the header is at most ${size === 'phone' ? 100 : 70} px high`, `${header.height}`);
    if (size !== 'phone') {
      const fw = await p.locator('#alerts-list .face img').first().evaluate((e) => e.getBoundingClientRect().width);
      t.ok(fw >= 256, `${size}: the faces are 256 px or more`, `${fw}`);
    }
    await axeCheck(p, t, `${size}: alerts`);
    await shot(p, `view-alerts-${size}.png`);

    await p.getByRole('link', { name: 'Cameras' }).click();
    await p.waitForFunction(() => { const i = document.querySelector('#cameras-grid img'); return i && i.naturalWidth > 0; }, null, { timeout: 30000 });
    await fits(p, `${size}: the cameras`);
    await axeCheck(p, t, `${size}: cameras`);
    await shot(p, `view-cameras-${size}.png`);

    await p.getByRole('link', { name: 'Watch lists' }).click();
    await p.locator('#watchlists-table tbody button.link').first().click();
    await p.locator('#subjects-table tbody .subject').first().waitFor();
    await fits(p, `${size}: the watch lists`);
    const nameW = await p.locator('#subjects-table tbody .subject').first().evaluate((e) => e.getBoundingClientRect().width);
    t.ok(nameW >= 80, `${size}: a subject's name is not wrapped letter by letter`, `${nameW} px`);
    await axeCheck(p, t, `${size}: watch lists`);
    await shot(p, `view-watchlists-${size}.png`);

    await p.getByRole('link', { name: 'Statistics' }).click();
    await p.locator('#stats-body svg.chart').first().waitFor();
    await fits(p, `${size}: the statistics`);
    const figures = await p.locator('#stats-body dl.facts').textContent();
    t.ok(!/e-\d/.test(figures) && !/\d{4}-\d\d-\d\dT/.test(figures) && !/\b1 people\b/.test(figures),
      `${size}: the statistics use human number and date formats`, figures);
    await axeCheck(p, t, `${size}: statistics`);
    await shot(p, `view-statistics-${size}.png`);
    cl();
    await c2.close();

    const c3 = await browser.newContext({ viewport: { width: w, height: hgt }, hasTouch: size !== 'desktop' });
    const q = await c3.newPage();
    const cl3 = watchPage(q, t, `${size} auditor`);
    await login(q, base, 'aud');
    await q.getByRole('link', { name: 'Audit' }).click();
    await q.locator('#audit-table tbody tr').first().waitFor();
    await q.getByRole('button', { name: 'Verify the chain' }).click();
    await q.locator('#audit-verify-result[data-kind=ok]').waitFor();
    t.ok(/intact/.test(await q.locator('#audit-verify-result').textContent()), `${size}: the auditor verifies the chain`);
    await fits(q, `${size}: the audit log`);
    const actionW = await q.locator('#audit-table tbody td code').first().evaluate((e) => e.getBoundingClientRect().height);
    t.ok(actionW < 30, `${size}: audit actions are not split over lines`, `${actionW} px high`);
    await axeCheck(q, t, `${size}: audit`);
    await shot(q, `view-audit-${size}.png`);
    cl3();
    await c3.close();
  }

  mark('admin');
  // the login page and the admin's forms (at 1280)
  {
    const c4 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const q = await c4.newPage();
    await q.goto(base + '/');
    await q.getByRole('heading', { name: 'Log in' }).waitFor();
    await axeCheck(q, t, 'login');
    await shot(q, 'view-login-desktop.png');
    await login(q, base, 'adam');
    await q.locator('#watchlists-table tbody button.link').first().click();
    await q.locator('#subject-form').waitFor();
    await axeCheck(q, t, 'admin: watch lists and enrolment form');
    // enrolment refusals in the form's words, not the API's
    const broken = path.join(dir, 'broken.png');
    fs.writeFileSync(broken, 'this is not a picture');
    await q.getByLabel('Name of the person').fill('Someone');
    await q.getByLabel('Reason for listing').fill('test');
    await q.getByLabel('Category').fill('test');
    await q.getByLabel('Source of the photo').fill('test');
    await q.getByLabel('Photos (JPEG or PNG, one face each').setInputFiles(broken);
    await q.getByRole('button', { name: 'Enrol' }).click();
    const err = q.locator('#subject-form [role=alert]');
    await err.filter({ hasText: /\S/ }).waitFor();
    const said = await err.textContent();
    t.ok(/not a photo the server can open/.test(said) && !/FFmpeg/.test(said), 'an unreadable file is refused in plain words', said);
    await q.getByLabel('Photos (JPEG or PNG, one face each').setInputFiles(path.join(media, 'astronaut-mirrored.png'));
    await q.getByRole('button', { name: 'Enrol' }).click();
    await err.filter({ hasText: /matches|enrolled|refused/ }).waitFor().catch(() => {});
    await q.waitForTimeout(500);
    const dup = await err.textContent();
    t.ok(/matches a person already on this watch list/.test(dup) && !/allow_duplicate/.test(dup),
      'a duplicate face is refused in plain words, with the box that overrides it', dup);
    await shot(q, 'view-admin-desktop.png');
    await c4.close();
  }
  mark('end');
} catch (e) {
  t.ok(false, 'the test ran to its end', e.stack);
} finally {
  await browser.close();
  t.eq(await server.stop(), 0, 'the server stops cleanly on SIGTERM');
}
console.log(`screenshots: ${art}`);
t.done();
