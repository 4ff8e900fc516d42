// test_paperwork.mjs — the console's Documents button (web/paperwork.js)
// against `vigil serve`, in headless chromium: an auditor picks a document
// of the deployment chosen in the Statistics view and it opens in a new
// tab, the same document the API gives, shown with its styles (its own CSP
// allows inline styles and nothing else: no CSP refusal, no script error);
// an operator does not see the button. Screenshots in the artefact
// directory.
import fs from 'node:fs';
import path from 'node:path';
import { Checks, playwright, tmpdir, users, vigil, start, watchPage, login, logout, artefactDir, src, skip } from './lib.mjs';

const pw = playwright();
const media = path.join(src, 'deps/media');
if (!fs.existsSync(path.join(media, 'astronaut.png'))) skip('deps/media/astronaut.png not found: run scripts/bootstrap');

const t = new Checks();
const dir = tmpdir();
const art = artefactDir();
const env = { VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_ACTOR: 'setup', VIGIL_KEY: '' };
delete process.env.VIGIL_KEY;

users(env, [['olivia', 'operator'], ['aud', 'auditor']]);
vigil(env, ['watchlist', 'create', 'wanted', '--reason', 'warrants', '--authorised-by', 'Supt A']);
vigil(env, ['subject', 'add', 'wanted', '--name', 'Eileen Collins', '--photo', path.join(media, 'astronaut.png')]);
vigil(env, ['deployment', 'create', 'street', '--watchlist', 'wanted', '--location', 'High St', '--from', '2027-01-05',
  '--until', '2027-01-06', '--authorised-by', 'Supt A', '--camera', 'rtsp://x/', '--signage-confirmed']);

const srv = await start(env, ['serve', '--listen', '127.0.0.1:0']);
const base = `http://127.0.0.1:${srv.port}`;
const browser = await pw.launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const clean = watchPage(page, t, 'console');

  await login(page, base, 'olivia');
  await page.locator('#nav').waitFor();
  await page.getByRole('link', { name: 'Statistics' }).click();
  await page.locator('#stats-deployment option').first().waitFor({ state: 'attached' });
  t.ok(!(await page.locator('#paperwork-open').isVisible()), 'an operator has no Documents button');
  await logout(page);

  await login(page, base, 'aud');
  await page.locator('#nav').waitFor();
  await page.getByRole('link', { name: 'Statistics' }).click();
  await page.locator('#stats-deployment option').first().waitFor({ state: 'attached' });
  const button = page.getByRole('button', { name: 'Documents' });
  t.ok(await button.isVisible(), 'an auditor has the Documents button');
  await page.getByLabel('Document').selectOption('review');
  const [doc] = await Promise.all([ctx.waitForEvent('page'), button.click()]);
  const docClean = watchPage(doc, t, 'the document');
  await doc.waitForLoadState();
  t.ok(/\/api\/v1\/deployments\/1\/paperwork\?kind=review&format=html$/.test(doc.url()), 'it opens the review of the chosen deployment', doc.url());
  t.eq(await doc.locator('h1').textContent(), 'Post-deployment review \u2014 street', 'the document is shown');
  t.ok(await doc.locator('.field').first().isVisible(), 'its fields to complete are shown');
  const border = await doc.locator('.field').first().evaluate((e) => getComputedStyle(e).borderTopStyle);
  t.eq(border, 'dashed', 'its inline styles apply (the CSP allows them)');
  t.ok((await doc.textContent('body')).includes('does not replace'), 'it says it supports, not replaces, an assessment');
  await doc.screenshot({ path: path.join(art, 'paperwork-review.png'), fullPage: false });
  docClean();
  clean();
} catch (e) {
  t.ok(false, 'the test ran to its end', e.stack);
} finally {
  await browser.close();
  const code = await srv.stop();
  t.eq(code, 0, 'vigil serve stops cleanly on SIGTERM');
}
t.done();
