// test_alert_live.mjs — end to end, as an officer would: the astronaut is
// enrolled from her portrait (under a name with markup in it), the demo
// clip in which she walks past is replayed by `vigil run`, and in headless
// chromium the operator — logged in before she appears — sees her alert
// arrive without reloading: the probe face beside the enrolled photo, the
// score, camera and reason. The operator adjudicates it with the keyboard
// (J to the alert, E for the note, Esc, C to confirm), sees the new state,
// an auditor's open console shows the decision without reloading, and the
// audit view has the alert.adjudicate entry under the operator's name.
// The live camera tile names her on her box (the marks stream), and the
// label goes when she does. Screenshots of the alert view and the labelled
// tile are saved as artefacts (paths printed).
// The console talks to the HTTP server inside `vigil run` (a free port),
// the clip looping, the queue fed by the SSE stream.
import fs from 'node:fs';
import path from 'node:path';
import { Checks, playwright, tmpdir, users, vigil, start, watchPage, login, artefactDir, src, skip } from './lib.mjs';

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
const NAME = 'Eileen <b>Collins</b><img src=z onerror="window.__xss=1">';
const REASON = 'warrant <i>4711</i>';
const NOTE = 'same person: <script>x</script> face and hair match';
const iso = (s) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

users(env, [['olivia', 'operator'], ['aud', 'auditor']]);
vigil(env, ['watchlist', 'create', 'demo', '--reason', 'browser test', '--authorised-by', 'Supt T']);
vigil(env, ['subject', 'add', 'demo', '--name', NAME, '--reason', REASON, '--category', 'warrant',
  '--source', 'NASA portrait', '--photo', path.join(media, 'astronaut.png')]);
vigil(env, ['deployment', 'create', 'street', '--watchlist', 'demo', '--camera', path.join(media, 'demo-walk.mp4'),
  '--location', 'the demo clip', '--camera-name', 'North door', '--camera-location', 'the walkway by the north door',
  '--from', iso(-60), '--until', iso(3600), '--authorised-by', 'Supt T', '--signage-confirmed', '--scene-snapshot']);

const cfg = path.join(dir, 'run.ini');
fs.writeFileSync(cfg, '[source]\nloop = 1\n');
const server = await start(env, ['run', '--deployment', 'street', '--config', cfg, '--listen', '127.0.0.1:0'], { timeoutMs: 120000 });
const base = `http://127.0.0.1:${server.port}`;
const browser = await pw.launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const clean = watchPage(page, t, 'operator');
  await login(page, base, 'olivia');
  await page.getByRole('heading', { name: 'Alerts' }).waitFor();
  await page.locator('#alerts-live').filter({ hasText: /live|checking/ }).waitFor();
  // alerts on screen (a card is an incident: it counts its alerts)
  const onScreen = () => page.evaluate(() => [...document.querySelectorAll('#alerts-list article.alert')]
    .reduce((s, el) => s + Number(el.dataset.count), 0));
  const before = await onScreen();
  const t0 = Date.now();
  const auditorCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ap = await auditorCtx.newPage();
  const aclean = watchPage(ap, t, 'auditor');
  await login(ap, base, 'aud');
  await ap.getByRole('heading', { name: 'Alerts' }).waitFor();
  t.eq(await page.locator('#alerts-live').textContent(), 'live', 'the queue is live over SSE');

  // the alert arrives on the open page
  await page.waitForFunction((n) => [...document.querySelectorAll('#alerts-list article.alert')]
    .reduce((s, el) => s + Number(el.dataset.count), 0) > n, before, { timeout: 180000 });
  console.log(`a new alert on screen ${((Date.now() - t0) / 1000).toFixed(1)} s after the queue was loaded (${before} before)`);
  t.ok(true, 'an alert arrived without reloading the page');
  const first = page.locator('#alerts-list article.alert[data-state=pending]').first();
  const id = Number(await first.getAttribute('data-id'));
  // the card shows its incident's best-scoring alert
  const a = await page.evaluate(async (i) => (await fetch(`/api/v1/alerts/${i}`)).json(), Number(await first.getAttribute('data-best')));
  t.eq(await first.locator('.subject').textContent(), NAME, 'the subject name with markup shows as text');
  t.eq(await page.evaluate(() => window.__xss), undefined, 'no script from the name ran');
  const factsText = await first.locator('dl.facts').textContent();
  t.ok(factsText.includes(`Score${a.score.toFixed(3)}`), 'the score is shown', factsText);
  t.ok(factsText.includes(`Camera${a.camera}`), 'the camera is shown', a.camera);
  // the camera is called what the deployment calls it, and is where it is
  t.eq(a.camera, 'North door', 'the alert names the camera as the deployment does (not "camera1")');
  t.ok(factsText.includes('Locationthe walkway by the north door'),
    "the card gives the camera's own place", factsText);
  t.ok(factsText.includes(`Reason for listing${REASON}`), 'the reason for listing is shown as text');
  await page.waitForFunction((i) => {
    const img = document.querySelector(`#alert-${i} .face img`);
    return img && img.complete;
  }, id);
  t.ok(await first.locator('.face img').first().evaluate((i) => i.naturalWidth > 0), 'the probe face crop is shown');
  await page.waitForFunction((i) => [...document.querySelectorAll(`#alert-${i} .face:not(.scene) img`)].length === 2 &&
    [...document.querySelectorAll(`#alert-${i} .face img`)].every((im) => im.complete), id);
  t.ok(await first.locator('.face img').nth(1).evaluate((i) => i.naturalWidth > 0), 'the enrolled photo is beside it');
  // the deployment keeps scene snapshots (--scene-snapshot): the scene is
  // beside the two faces, the live view's rendering at most 960 px wide,
  // with its alt text; a click enlarges it with the faces
  t.eq(a.scene, true, 'the alert has a scene snapshot');
  const sceneImg = first.locator('.face.scene img');
  t.eq(await sceneImg.count(), 1, 'the card shows the scene');
  const dims = await sceneImg.evaluate((i) => [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width]);
  t.ok(dims[0] > 0 && dims[0] <= 960 && dims[0] > dims[1], 'the scene is a loaded landscape picture of at most 960 px', dims.join(' x '));
  t.ok(/^Scene from camera North door at the alert: the matched face boxed in red/.test(await sceneImg.getAttribute('alt')),
    'the scene has an alt text');
  await first.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(art, 'alert-arrived.png') });
  console.log(`screenshot: ${path.join(art, 'alert-arrived.png')}`);
  await first.locator('.face.scene button.zoom').click();
  await page.waitForFunction(() => {
    const i = document.querySelector('#zoom[open] figure.scene-big img');
    return i && i.complete && i.naturalWidth > 0;
  }, null, { timeout: 10000 }).then(() => t.ok(true, 'a click on the scene enlarges it'),
    (e) => t.ok(false, 'a click on the scene enlarges it', e.message));
  await page.screenshot({ path: path.join(art, 'alert-scene-enlarged.png') });
  console.log(`screenshot: ${path.join(art, 'alert-scene-enlarged.png')}`);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.getElementById('zoom').open);

  // adjudication with the keyboard
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('j');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.dataset.id);
  t.eq(Number(focused), Number(await page.locator('#alerts-list article.alert:not([hidden])').first().getAttribute('data-id')),
    'J focuses the first alert');
  await page.locator(`#alert-${id}`).focus();
  await page.keyboard.press('e');
  t.eq(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA', 'E goes to the note');
  await page.keyboard.type(NOTE);
  await page.keyboard.press('Escape');
  t.eq(await page.evaluate(() => document.activeElement.id), `alert-${id}`, 'Esc returns to the alert');
  const covered = Number(await page.locator(`#alert-${id}`).getAttribute('data-count'));
  await page.keyboard.press('c');
  const decided = page.locator(`#alert-${id}[data-state=confirmed]`);
  await decided.waitFor({ state: 'attached' });
  t.ok(await decided.isHidden(), 'the decided card left the pending list');
  await page.locator('#alerts-filter').selectOption('all');
  await decided.waitFor();
  t.eq(await decided.locator('.badge').first().textContent(), 'confirmed', 'the new state shows without reload');
  const dtext = await decided.locator('dl.facts').textContent();
  t.ok(dtext.includes('Decided byolivia'), 'the deciding officer is shown', dtext);
  t.ok(dtext.includes(`Note${NOTE}`), 'the note (with markup) shows as text', dtext);
  t.eq(await decided.locator('.buttons button').count(), 0, 'a decided alert has no decision buttons');
  const stored = await page.evaluate(async (i) => (await fetch(`/api/v1/alerts/${i}`)).json(), id);
  t.eq(stored.state, 'confirmed', 'the server has the decision');
  await decided.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(art, 'alert-decided.png') });
  console.log(`screenshot: ${path.join(art, 'alert-decided.png')}`);

  // the live camera view (when this server runs the engine)
  {
    await page.getByRole('link', { name: 'Cameras' }).click();
    const tile = page.locator('#cameras-grid figure.camera');
    await tile.first().waitFor();
    t.eq(await tile.count(), 1, 'one camera tile');
    t.eq(await tile.first().locator('.badge').textContent(), 'running', "the camera's state");
    await page.waitForFunction(() => { const i = document.querySelector('#cameras-grid img'); return i && i.naturalWidth > 0; },
      null, { timeout: 30000 });
    t.ok(true, 'the live view shows frames');
    await page.locator('#cameras-grid .where').filter({ hasText: /\S/ }).waitFor();
    t.eq(await tile.first().locator('.camhead strong').textContent(), 'North door', "the tile shows the camera's name");
    t.ok((await page.locator('#cameras-grid .where').textContent()).includes('the walkway by the north door (deployment street)'),
      "the tile gives the camera's place and its deployment");
    const small = (await tile.first().boundingBox()).width;
    await tile.first().getByRole('button', { name: 'Enlarge' }).click();
    const big = (await tile.first().boundingBox()).width;
    const grid = (await page.locator('#cameras-grid').boundingBox()).width;
    t.ok(big > small && big >= grid - 2, 'Enlarge makes the tile as wide as the view', `${small} -> ${big} of ${grid}`);
    await tile.first().getByRole('button', { name: 'Smaller' }).click();
    await page.screenshot({ path: path.join(art, 'cameras.png') });
    // the match's box carries her name and her alert's state (the marks
    // stream beside the picture), as text, within the picture, on the
    // enlarged tile too; and it goes when she does
    const label = tile.first().locator('.marks .mark');
    const tl = Date.now();
    await label.first().waitFor({ timeout: 90000 });
    console.log(`a label on the live tile ${((Date.now() - tl) / 1000).toFixed(1)} s after the view opened`);
    t.eq(await label.first().locator('.mark-name').textContent(), NAME, "the label gives the subject's name, as text");
    const lstate = await label.first().locator('.mark-state').textContent();
    t.ok(['pending', 'confirmed'].includes(lstate), "the label gives the alert's state", lstate);
    t.ok(Number(await label.first().getAttribute('data-alert')) > 0, 'the label is tied to a stored alert');
    t.eq(await page.evaluate(() => window.__xss), undefined, 'no script from the name ran on the live tile');
    // a label on the picture, its box inside it (a frame's marks can go
    // between two looks: the check is made in one go, until it holds)
    const inside = () => page.waitForFunction(() => {
      const ib = document.querySelector('#cameras-grid .live img').getBoundingClientRect();
      const ms = [...document.querySelectorAll('#cameras-grid .marks .mark')].map((m) => m.getBoundingClientRect());
      return ms.length > 0 && ms.every((mb) => mb.left >= ib.left - 1 && mb.top >= ib.top - 1 &&
        mb.right <= ib.right + 1 && mb.bottom <= ib.bottom + 1 && mb.width > 4 && mb.height > 4);
    }, null, { timeout: 60000 }).then(() => true, () => false);
    t.ok(await inside(), "the label's box lies on the picture");
    await tile.first().getByRole('button', { name: 'Enlarge' }).click();
    await label.first().waitFor({ timeout: 60000 });
    t.ok(await inside(), "on the enlarged tile too, the label's box follows the picture");
    // in step with the picture: the label's box lies on the red box the
    // server drew on the frame on screen (she walks across, so a label a
    // frame early or late is off by tens of pixels). Sampled while labels
    // show: the share of the label box's outline that is red, per look.
    const onBox = await page.evaluate(async () => {
      const img = document.querySelector('#cameras-grid .live img');
      const cv = document.createElement('canvas');
      const out = [];
      const until = Date.now() + 20000;
      while (Date.now() < until && out.length < 8) {
        await new Promise((r) => setTimeout(r, 150));
        const m = document.querySelector('#cameras-grid .marks .mark');
        if (!m || !img.naturalWidth) continue;
        const W = img.naturalWidth, H = img.naturalHeight;
        cv.width = W; cv.height = H;
        const g = cv.getContext('2d', { willReadFrequently: true });
        g.drawImage(img, 0, 0);
        const px = g.getImageData(0, 0, W, H).data;
        const ib = img.getBoundingClientRect(), mb = m.getBoundingClientRect();
        const x1 = (mb.left - ib.left) / ib.width * W, x2 = (mb.right - ib.left) / ib.width * W;
        const y1 = (mb.top - ib.top) / ib.height * H, y2 = (mb.bottom - ib.top) / ib.height * H;
        const red = (x, y) => {
          for (let d = -3; d <= 3; d++) for (let e = -3; e <= 3; e++) {
            const xx = Math.round(x + d), yy = Math.round(y + e);
            if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
            const i = (yy * W + xx) * 4;
            if (px[i] > 170 && px[i + 1] < 90 && px[i + 2] < 90) return true;
          }
          return false;
        };
        let hit = 0, all = 0;
        for (let k = 0; k <= 20; k++) {
          const fx = x1 + (x2 - x1) * k / 20, fy = y1 + (y2 - y1) * k / 20;
          for (const [x, y] of [[fx, y1], [fx, y2], [x1, fy], [x2, fy]]) { all++; hit += red(x, y); }
        }
        out.push(hit / all);
      }
      return out;
    });
    const good = onBox.filter((f) => f >= 0.6).length;
    console.log(`label on the drawn box: ${onBox.map((f) => f.toFixed(2)).join(' ')}`);
    t.ok(onBox.length >= 5 && good >= 0.7 * onBox.length,
      "the label sits on the box drawn on the frame on screen (in step with the picture)", onBox.join(' '));
    const shot = path.join(art, 'cameras-label.png');
    await label.first().waitFor({ timeout: 60000 });
    await tile.first().screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    // she walks out of the picture (the clip loops): the label goes with her
    await page.waitForFunction(() => document.querySelectorAll('#cameras-grid .marks .mark').length === 0,
      null, { timeout: 60000 });
    t.ok(true, 'no label is left behind once she has gone');
    console.log(`the label checks took ${((Date.now() - tl) / 1000).toFixed(1)} s`);
    await tile.first().getByRole('button', { name: 'Smaller' }).click();
  }
  // the statistics, with the decision counted
  {
    await page.getByRole('link', { name: 'Statistics' }).click();
    const charts = page.locator('#stats-body svg.chart');
    await charts.first().waitFor();
    const labels = await charts.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    const decisions = labels.find((l) => l.startsWith('Decisions'));
    t.ok(decisions && decisions.includes(`confirmed ${covered}`), 'the decisions chart counts the confirmation (each alert of the incident)', decisions);
    t.ok(labels.some((l) => l.startsWith('Alerts over time')), 'alerts over time are drawn', labels.join(' | '));
    t.ok(labels.some((l) => l.startsWith('Faces processed')), 'faces processed are drawn');
    t.ok(await page.locator('#stats-body svg.chart rect').count() > 3, 'the charts have bars');
    await page.screenshot({ path: path.join(art, 'statistics.png'), fullPage: true });
  }
  clean();

  // the auditor's open console follows the decision
  await ap.locator(`#alert-${id}[data-state=confirmed]`).waitFor({ timeout: 20000 });
  t.ok(true, "the auditor's console shows the decision without reloading");
  t.eq(await ap.locator(`#alert-${id} .face img`).count(), 0, 'the auditor sees no faces');
  await ap.getByRole('link', { name: 'Audit' }).click();
  await ap.locator('#audit-table tbody tr').first().waitFor();
  await ap.getByLabel('Filter').fill('alert.adjudicate');
  const row = ap.locator('#audit-table tbody tr:not([hidden])');
  t.eq(await row.count(), covered, 'one adjudication in the audit log per alert of the incident');
  const cells = await row.last().locator('td').allTextContents();
  t.eq(cells[2], 'olivia', 'recorded under the officer\'s name');
  t.ok(cells[4].includes(String(id)), 'on the alert', cells[4]);
  t.ok(cells[5].includes('confirmed'), 'with the outcome', cells[5]);
  await ap.screenshot({ path: path.join(art, 'audit-adjudication.png'), fullPage: true });
  aclean();
} catch (e) {
  t.ok(false, 'the test ran to its end', e.stack);
} finally {
  await browser.close();
  t.eq(await server.stop(), 0, 'the server stops cleanly on SIGTERM');
}
console.log(`screenshots: ${art}`);
t.done();
