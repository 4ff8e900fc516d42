// test_console.mjs — the console against `vigil serve`, in headless
// chromium: the login (and its message for a wrong password), the views
// each role gets, names with markup shown as text (never run: an XSS
// attempt in a watch list's name, its reason and a subject's name), the
// auditor's audit view, staying logged in across a reload, the admin's
// forms (a list created, a photo refused by the enrolment gate with its
// reasons, one enrolled and removed), and a tablet-sized window without
// sideways scrolling. No script error or CSP refusal may show in the page.
// Screenshots go to the artefact directory.
import fs from 'node:fs';
import path from 'node:path';
import { Checks, playwright, tmpdir, users, vigil, start, watchPage, login, logout, artefactDir, src, skip, axeCheck } from './lib.mjs';

const pw = playwright();
const media = path.join(src, 'deps/media');
if (!fs.existsSync(path.join(media, 'astronaut.png'))) skip('deps/media/astronaut.png not found: run scripts/bootstrap');

const t = new Checks();
const dir = tmpdir();
const art = artefactDir();
const env = { VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_ACTOR: 'setup', VIGIL_KEY: '' };
delete process.env.VIGIL_KEY;

const XSS_LIST = '<img src=x onerror="window.__xss=1">Op <b>Bold</b>';
const XSS_REASON = '<script>window.__xss=2</script> warrants & <i>more</i>';
const XSS_SUBJECT = 'Eileen <b>Collins</b><img src=y onerror="window.__xss=3">';

users(env, [['olivia', 'operator'], ['adam', 'admin'], ['aud', 'auditor']]);
vigil(env, ['watchlist', 'create', XSS_LIST, '--reason', XSS_REASON, '--authorised-by', 'Supt <u>A</u>', '--max-size', '10']);
vigil(env, ['subject', 'add', XSS_LIST, '--name', XSS_SUBJECT, '--source', 'NASA portrait', '--photo', path.join(media, 'astronaut.png')]);

const srv = await start(env, ['serve', '--listen', '127.0.0.1:0']);
const base = `http://127.0.0.1:${srv.port}`;
const browser = await pw.launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const clean = watchPage(page, t, 'laptop window');

  // the page itself
  const res = await page.goto(base + '/');
  t.eq(res.status(), 200, 'the console is served at /');
  t.ok(/default-src 'self'/.test(res.headers()['content-security-policy'] || ''), 'the page has a strict CSP');
  t.eq(await page.title(), 'vigil console', 'page title');
  t.ok(await page.getByRole('heading', { name: 'Log in' }).isVisible(), 'the login form shows first');
  t.eq(await page.locator('script:not([src])').count(), 0, 'no inline script in the page');

  // a wrong password: a message, no views
  await login(page, base, 'olivia', 'not the password');
  const alert = page.locator('#login-error');
  await alert.filter({ hasText: /\S/ }).waitFor();
  t.eq(await alert.textContent(), 'Wrong name or password.', 'a wrong password says so');
  t.ok(!(await page.locator('#nav').isVisible()), 'no navigation without a session');

  // the operator
  await login(page, base, 'olivia');
  await page.locator('#nav').waitFor();
  const navOf = async () => (await page.locator('#nav a').allTextContents()).join(',');
  t.eq(await navOf(), 'Alerts,Cameras,Watch lists,Statistics', "the operator's views");
  t.eq(await page.locator('#who-name').textContent(), 'olivia', 'the user is named in the header');
  t.ok(await page.getByRole('heading', { name: 'Alerts' }).isVisible(), 'the operator lands on the alerts');
  await page.locator('#alerts-empty').waitFor();
  t.ok(await page.locator('#alerts-empty').isVisible(), 'no alerts yet: says so');
  t.ok(await page.getByText('J/K next/previous alert', { exact: false }).isVisible() ||
    await page.locator('#alerts-keys').isVisible(), 'the keyboard shortcuts are shown');

  // a reload keeps the session and the view
  await page.getByRole('link', { name: 'Watch lists' }).click();
  await page.reload();
  await page.getByRole('heading', { name: 'Watch lists' }).waitFor();
  t.ok(await page.locator('#nav').isVisible(), 'a reload stays logged in, on the same view');

  // markup in names is text
  const listButton = page.locator('#watchlists-table tbody button.link');
  await listButton.first().waitFor();
  t.eq(await listButton.first().textContent(), XSS_LIST, 'a watch-list name with markup shows as its characters');
  t.eq(await page.locator('#watchlists-table tbody td').first().textContent(), XSS_REASON, 'a reason with markup shows as text');
  await listButton.first().click();
  const subj = page.locator('#subjects-table tbody .subject');
  await subj.first().waitFor();
  t.eq(await subj.first().textContent(), XSS_SUBJECT, 'a subject name with markup shows as text');
  await page.getByRole('button', { name: 'Show photo' }).first().click();
  const photo = page.locator('#subjects-table img.thumb');
  await photo.waitFor();
  await page.waitForFunction(() => { const i = document.querySelector('#subjects-table img.thumb'); return i && i.complete; });
  t.ok(await photo.evaluate((i) => i.naturalWidth > 0), 'the operator sees the enrolled photo on request');
  t.eq(await page.evaluate(() => window.__xss), undefined, 'no script from a name ran');
  t.eq(await page.locator('img[src="x"], img[src="y"], main b, main i, main u, main script').count(), 0, 'no element made from a name');
  await page.screenshot({ path: path.join(art, 'console-watchlists-operator.png'), fullPage: true });

  await page.getByRole('link', { name: 'Cameras' }).click();
  await page.locator('#cameras-note').filter({ hasText: /\S/ }).waitFor();
  t.ok(/without the engine|not available/i.test(await page.locator('#cameras-note').textContent()),
    'under vigil serve the camera view says there is no engine');
  await logout(page);
  t.ok(await page.getByRole('heading', { name: 'Log in' }).isVisible(), 'log out returns to the login');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  t.eq(me, 401, 'the session is gone after logging out');

  // the auditor
  await login(page, base, 'aud');
  await page.locator('#nav').waitFor();
  t.eq(await navOf(), 'Alerts,Watch lists,Statistics,Audit', "the auditor's views");
  await page.getByRole('link', { name: 'Audit' }).click();
  const rows = page.locator('#audit-table tbody tr');
  await rows.first().waitFor();
  const actions = await page.locator('#audit-table tbody td code').allTextContents();
  t.ok(actions.includes('watchlist.create') && actions.includes('subject.add'), 'the audit view lists the set-up', actions.join(','));
  const objects = await page.locator('#audit-table tbody tr td:nth-child(5)').allTextContents();
  t.ok(objects.some((o) => o.includes(XSS_LIST)), 'audit objects with markup are text');
  await page.getByLabel('Filter').fill('subject.add');
  t.eq(await page.locator('#audit-table tbody tr:not([hidden])').count(), 1, 'the audit filter narrows the rows');
  t.eq(await page.evaluate(() => window.__xss), undefined, 'no script from the audit details ran');
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await page.locator('#audit-verify-result[data-kind=ok]').waitFor();
  t.ok(/intact: \d+ entries checked/.test(await page.locator('#audit-verify-result').textContent()), 'the auditor verifies the chain from the console');
  await axeCheck(page, t, 'audit view');
  await page.screenshot({ path: path.join(art, 'console-audit-auditor.png'), fullPage: true });
  await logout(page);

  // the admin
  await login(page, base, 'adam');
  await page.locator('#nav').waitFor();
  t.eq(await navOf(), 'Watch lists,Statistics', "the admin's views");
  t.ok(await page.getByRole('heading', { name: 'New watch list' }).isVisible(), 'the admin can create a list');
  await page.getByLabel('Name of the list').fill('second <list>');
  await page.getByLabel('Reason (the operation and its legal basis)').fill('a test');
  await page.getByLabel('Authorised by').fill('Supt B');
  await page.getByRole('button', { name: 'Create the list' }).click();
  await page.locator('#watchlists-table tbody button.link', { hasText: 'second <list>' }).waitFor();
  t.ok(true, 'a list created in the form appears without a reload');
  await page.locator('#watchlists-table tbody button.link', { hasText: 'second <list>' }).click();
  await page.getByLabel('Name of the person').fill('A cat');
  await page.getByLabel('Reason for listing').fill('not a person');
  await page.getByLabel('Category').fill('test');
  await page.getByLabel('Source of the photo').fill('Debian python3-skimage');
  await page.getByLabel('Photos (JPEG or PNG, one face each').setInputFiles(path.join(media, 'chelsea.png'));
  await page.getByRole('button', { name: 'Enrol' }).click();
  const err = page.locator('#subject-form [role=alert]');
  await err.filter({ hasText: /\S/ }).waitFor();
  t.ok(/face/i.test(await err.textContent()), "the enrolment gate's refusal is shown", await err.textContent());
  await page.screenshot({ path: path.join(art, 'console-enrolment-refused.png'), fullPage: true });
  // a good photo: enrolled, listed at once (its name as text), then removed
  const UPLOADED = 'Uploaded <i>in the browser</i>';
  await page.getByLabel('Name of the person').fill(UPLOADED);
  await page.getByLabel('Photos (JPEG or PNG, one face each').setInputFiles(path.join(media, 'astronaut.png'));
  await page.getByRole('button', { name: 'Enrol' }).click();
  const added = page.locator('#subjects-table tbody .subject', { hasText: UPLOADED });
  await added.waitFor();
  t.eq(await added.textContent(), UPLOADED, 'a photo uploaded in the form is enrolled and listed');
  // what the gate found is shown: the face the server sent back, every factor
  const found = page.locator('#enrol-result figure.enrol-photo');
  await found.waitFor();
  t.ok(await found.locator('img').evaluate((i) => i.complete && i.naturalWidth === 112), 'the face found is shown (112 px crop)');
  t.eq(await found.locator('tbody tr').count(), 6, 'each quality factor is shown with its limit');
  t.eq(await found.locator('tbody tr[data-pass="false"]').count(), 0, 'every factor of the astronaut passes');
  await page.screenshot({ path: path.join(art, 'console-enrolment-factors.png'), fullPage: true });
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: `Remove ${UPLOADED}` }).click();
  await added.waitFor({ state: 'detached' });
  t.ok(true, 'the admin removes the subject (after confirming)');
  clean();

  // a tablet
  const tab = await browser.newContext({ viewport: { width: 768, height: 1024 }, hasTouch: true });
  const tp = await tab.newPage();
  const tclean = watchPage(tp, t, 'tablet window');
  await login(tp, base, 'olivia');
  await tp.locator('#nav').waitFor();
  for (const v of ['Alerts', 'Watch lists', 'Statistics']) {
    await tp.getByRole('link', { name: v }).click();
    await tp.getByRole('heading', { name: v === 'Alerts' ? 'Alerts' : v }).first().waitFor();
    const over = await tp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.ok(over <= 0, `tablet: ${v} fits the width`, `${over} px too wide`);
  }
  await tp.screenshot({ path: path.join(art, 'console-tablet.png'), fullPage: true });
  tclean();

  // a phone: a short header, the watch lists as cards (no sideways scrolling,
  // names not wrapped letter by letter), axe-core on the view
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const pp = await ph.newPage();
  const pclean = watchPage(pp, t, 'phone window');
  await login(pp, base, 'olivia');
  await pp.locator('#nav').waitFor();
  const hh = (await pp.locator('header.top').boundingBox()).height;
  t.ok(hh <= 100, 'phone: the header is at most 100 px high', `${hh} px`);
  await pp.getByRole('link', { name: 'Watch lists' }).click();
  await pp.locator('#watchlists-table tbody button.link').first().click();
  await pp.locator('#subjects-table tbody .subject').first().waitFor();
  const over = await pp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.ok(over <= 0, 'phone: the watch lists fit the width', `${over} px too wide`);
  const nameW = await pp.locator('#subjects-table tbody .subject').first().evaluate((e) => e.getBoundingClientRect().width);
  t.ok(nameW >= 120, "phone: a subject's name is not wrapped letter by letter", `${nameW} px wide`);
  await axeCheck(pp, t, 'phone: watch lists');
  await pp.screenshot({ path: path.join(art, 'console-phone-watchlists.png'), fullPage: true });
  pclean();
} catch (e) {
  t.ok(false, 'the test ran to its end', e.stack);
} finally {
  await browser.close();
  const code = await srv.stop();
  t.eq(code, 0, 'vigil serve stops cleanly on SIGTERM');
}
console.log(`screenshots: ${art}`);
t.done();
