// test_keyboard.mjs — every view worked with the keyboard alone (issue 15),
// against `vigil serve` in headless chromium, no mouse: the login typed and
// sent with Enter; each role's views reached from the navigation with Tab
// and Enter; the admin creates a watch list with the form (Tab between the
// fields, Enter to send) and opens it; the operator opens the list's
// subjects, shows a photo, and goes to the cameras and the statistics
// (the deployment chosen with the arrow keys); the auditor filters the
// audit log by typing and verifies the chain with Enter. Every control the
// Tab key lands on shows a focus ring. The alerts view's keys (J/K, C/R/N,
// U, Z) are tested by test_shift.mjs and test_alert_live.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { Checks, playwright, tmpdir, users, vigil, start, watchPage, PASSWORD, src, skip } from './lib.mjs';

const pw = playwright();
const media = path.join(src, 'deps/media');
if (!fs.existsSync(path.join(media, 'astronaut.png'))) skip('deps/media/astronaut.png not found: run scripts/bootstrap');

const t = new Checks();
const dir = tmpdir();
const env = { VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_ACTOR: 'setup' };
delete process.env.VIGIL_KEY;
const iso = (s) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

users(env, [['olivia', 'operator'], ['adam', 'admin'], ['aud', 'auditor']]);
vigil(env, ['watchlist', 'create', 'demo', '--reason', 'keyboard test', '--authorised-by', 'Supt K']);
vigil(env, ['subject', 'add', 'demo', '--name', 'Eileen Collins', '--reason', 'warrant 1', '--category', 'warrant',
  '--source', 'NASA portrait', '--photo', path.join(media, 'astronaut.png')]);
for (const d of ['north', 'south']) {
  vigil(env, ['deployment', 'create', d, '--watchlist', 'demo', '--camera', `rtsp://cam.example/${d}`,
    '--location', `${d} gate`, '--from', iso(-60), '--until', iso(3600), '--authorised-by', 'Supt K', '--threshold', '0.5']);
}

const srv = await start(env, ['serve', '--listen', '127.0.0.1:0']);
const base = `http://127.0.0.1:${srv.port}`;

// Presses Tab until the focused element matches sel (at most max presses);
// checks that it shows a focus ring (an outline or a box shadow).
async function tabTo(page, sel, what, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((s) => {
      const a = document.activeElement;
      if (!a || !a.matches(s)) return null;
      const c = getComputedStyle(a);
      return { ring: (c.outlineStyle !== 'none' && parseFloat(c.outlineWidth) > 0) || c.boxShadow !== 'none' };
    }, sel);
    if (hit) {
      t.ok(hit.ring, `${what}: reached with Tab, with a visible focus ring`);
      return true;
    }
  }
  t.ok(false, `${what}: reached with Tab`, `no ${sel} after ${max} presses`);
  return false;
}

async function keyLogin(page, name) {
  await page.goto(base + '/');
  await page.locator('#login-name:focus').waitFor();
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#nav').waitFor();
}

async function keyLogout(page) {
  await page.locator('#logout').focus(); // the same as Shift+Tab back to it; the login form comes back
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
}

const browser = await pw.launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const clean = watchPage(page, t, 'keyboard');
  // nav links are found by their text
  const navLink = async (name) => {
    const ok = await tabTo(page, '#nav a', `a link of the navigation (for ${name})`);
    if (!ok) return;
    for (let i = 0; i < 8; i++) {
      if ((await page.evaluate(() => document.activeElement.textContent)) === name) break;
      await page.keyboard.press('Tab');
    }
    t.eq(await page.evaluate(() => document.activeElement.textContent), name, `Tab reaches the ${name} link`);
    await page.keyboard.press('Enter');
    const heading = { Cameras: 'Live cameras', Audit: 'Audit log' }[name] || name;
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  };

  // the admin: a list made and opened by keyboard
  await keyLogin(page, 'adam');
  t.ok(true, 'the admin logged in by keyboard');
  await navLink('Watch lists');
  await tabTo(page, '#wl-name', 'the new list\'s name field');
  await page.keyboard.type('keyed list');
  await page.keyboard.press('Tab');
  await page.keyboard.type('typed, never clicked');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Supt K');
  await page.keyboard.press('Enter');
  const made = page.locator('#watchlists-table tbody button.link', { hasText: 'keyed list' });
  await made.waitFor();
  t.ok(true, 'Enter in the form creates the list');
  await page.locator('body').focus();
  await tabTo(page, '#watchlists-table tbody button.link', 'a list in the table');
  await page.keyboard.press('Enter');
  await page.locator('#subjects-table').waitFor({ state: 'attached' });
  t.ok(true, 'Enter on a list opens its subjects');
  await navLink('Statistics');
  await keyLogout(page);

  // the operator: subjects, a photo, the cameras, the statistics
  await keyLogin(page, 'olivia');
  await navLink('Watch lists');
  await tabTo(page, '#watchlists-table tbody button.link', 'the demo list');
  await page.keyboard.press('Enter');
  await tabTo(page, '#subjects-table button', 'Show photo');
  await page.keyboard.press('Enter');
  await page.locator('#subjects-table img.thumb').waitFor();
  t.ok(true, 'Enter shows the enrolled photo');
  await navLink('Cameras');
  await page.locator('#cameras-note').filter({ hasText: /\S/ }).waitFor();
  t.ok(true, 'the cameras view is reached by keyboard');
  await navLink('Statistics');
  await tabTo(page, '#stats-deployment', 'the deployment chooser');
  const before = await page.locator('#stats-deployment').inputValue();
  const last = await page.locator('#stats-deployment').evaluate((e) => e.selectedIndex === e.options.length - 1);
  await page.keyboard.press(last ? 'ArrowUp' : 'ArrowDown');
  const after = await page.locator('#stats-deployment').inputValue();
  t.ok(before !== after, 'the arrow keys choose another deployment', `${before} -> ${after}`);
  await keyLogout(page);

  // the auditor: the audit log filtered and the chain verified
  await keyLogin(page, 'aud');
  await navLink('Audit');
  await page.locator('#audit-table tbody tr').first().waitFor();
  await tabTo(page, '#audit-filter', 'the audit filter');
  await page.keyboard.type('subject.add');
  t.eq(await page.locator('#audit-table tbody tr:not([hidden])').count(), 1, 'typing filters the audit rows');
  await tabTo(page, '#audit-verify', 'Verify the chain');
  await page.keyboard.press('Enter');
  await page.locator('#audit-verify-result[data-kind=ok]').waitFor();
  t.ok(true, 'Enter verifies the chain');
  await navLink('Alerts');
  await page.locator('#alerts-empty').waitFor();
  await tabTo(page, '#alerts-filter', 'the alert filter');
  clean();
} catch (e) {
  t.ok(false, 'the test ran to its end', e.stack);
} finally {
  await browser.close();
  await srv.stop();
}
t.done();
