// lib.mjs — what the browser tests share: Debian's chromium driven by npm
// playwright-core (both installed by scripts/bootstrap; a test skips with
// exit 77 and says why when either is missing), the real `vigil` binary
// (CLI set-up, `vigil serve` / `vigil run` on a free port), counted checks
// that end with "N passed, N failed", and the artefact directory for
// screenshots.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SKIP = 77;
export const src = process.env.VIGIL_SRC || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const vigilBin = process.env.VIGIL_BIN;
export const PASSWORD = 'a long test password';

export function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

// playwright-core's chromium, or a skip saying what is missing.
export function playwright() {
  if (!vigilBin) skip('VIGIL_BIN is not set (run the browser tests through ctest)');
  const exe = process.env.VIGIL_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(exe)) skip(`chromium not found at ${exe}: scripts/bootstrap installs Debian's chromium`);
  const mod = path.join(src, 'deps/node_modules/playwright-core');
  if (!fs.existsSync(path.join(mod, 'package.json'))) skip(`playwright-core not found in ${mod}: run scripts/bootstrap`);
  const require = createRequire(path.join(src, 'deps/node_modules/'));
  const { chromium } = require('playwright-core');
  return {
    launch: () => chromium.launch({
      executablePath: exe,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    }),
  };
}

export function artefactDir() {
  const dir = process.env.VIGIL_ARTIFACTS || path.join(os.tmpdir(), 'vigil-browser-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function tmpdir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-browser-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Counted checks: each prints ok/FAIL; done() prints the closing line and exits.
export class Checks {
  constructor() { this.passed = 0; this.failed = 0; }
  ok(cond, what, detail) {
    if (cond) { this.passed++; console.log(`ok - ${what}`); }
    else { this.failed++; console.log(`FAIL - ${what}${detail === undefined ? '' : `: ${detail}`}`); }
    return !!cond;
  }
  eq(got, want, what) { return this.ok(got === want, what, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); }
  done() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed || !this.passed ? 1 : 0);
  }
}

// `vigil ARGS` with the test's database; the password on stdin for `user add`.
export function vigil(env, args, input) {
  const r = spawnSync(vigilBin, args, { env: { ...process.env, ...env }, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vigil ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export function users(env, list) {
  for (const [name, role] of list) vigil(env, ['user', 'add', name, '--role', role], PASSWORD + '\n');
}

// A long-running vigil command that prints {"event":"listening",...,"port":N}
// on stdout (with --json). Resolves to {port, proc, stop(), output()}.
export function start(env, args, { timeoutMs = 60000 } = {}) {
  const proc = spawn(vigilBin, ['--json', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const kill = () => { if (proc.exitCode === null) proc.kill('SIGKILL'); };
  process.on('exit', kill);
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.on('exit', (code, sig) => resolve(code === null ? sig : code));
    proc.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { kill(); reject(new Error(`vigil ${args[0]} printed no port in ${timeoutMs} ms: ${out}${err}`)); }, timeoutMs);
    const look = () => {
      for (const line of out.split('\n')) {
        try {
          const j = JSON.parse(line);
          if (j && j.event === 'listening' && j.port) {
            clearTimeout(timer);
            proc.stdout.off('data', look);
            return resolve({ port: j.port, proc, stop, output: () => out, errors: () => err });
          }
        } catch (e) { /* not JSON, or not yet whole */ }
      }
    };
    proc.stdout.on('data', look);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vigil ${args[0]} exited ${code}: ${out}${err}`)); });
  });
}

// Errors in the page (exceptions, CSP refusals) are failures; a 404 of an
// endpoint the server does not have yet is not (the console handles it).
export function watchPage(page, checks, label) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return () => checks.ok(problems.length === 0, `${label}: no script error and no CSP refusal in the page`, problems.join(' | '));
}

export async function login(page, base, name, password = PASSWORD) {
  await page.goto(base + '/');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logout(page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
}

// axe-core (npm, from scripts/npm-tools; VIGIL_AXE_DIR overrides where it
// is) run inside the page: every serious or critical violation is a failure.
// Without axe-core the check is one failure saying so, never a silent pass.
let axeSource = null;
export async function axeCheck(page, checks, label) {
  if (axeSource === null) {
    const dirs = [process.env.VIGIL_AXE_DIR, path.join(src, 'deps/npm-tools/node_modules/axe-core')].filter(Boolean);
    const found = dirs.map((d) => path.join(d, 'axe.min.js')).find((f) => fs.existsSync(f));
    axeSource = found ? fs.readFileSync(found, 'utf8') : '';
  }
  if (!axeSource) return checks.ok(false, `${label}: axe-core`, 'axe-core not found: run scripts/bootstrap');
  // evaluated through the driver, so the page's CSP does not refuse it
  await page.evaluate(axeSource);
  const bad = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return checks.ok(bad.length === 0, `${label}: no serious or critical axe-core violation`, bad.join(' | '));
}

// Logs in over HTTP from node (for checks against the API); returns get(path).
export async function apiAs(base, name, password = PASSWORD) {
  const r = await fetch(base + '/api/v1/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }) });
  if (!r.ok) throw new Error(`login as ${name}: ${r.status}`);
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
  return async (p) => {
    const res = await fetch(base + '/api/v1' + p, { headers: { Cookie: cookie } });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
    return res.json();
  };
}
