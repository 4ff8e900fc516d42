// logfmt_check.mjs — reads a vigil log with the npm logfmt parser (from
// scripts/bootstrap, in deps/npm-tools) and fails unless every line parses
// into ts and event with well-formed keys. Each further argument KEY=VALUE
// must appear, exactly as written, as a value of some line (to check that a
// value with quotes and spaces survives the round trip).
// usage: node logfmt_check.mjs NPM_TOOLS_DIR LOG [KEY=VALUE...]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [tools, log, ...expect] = process.argv.slice(2);
const require = createRequire(join(tools, 'package.json'));
const logfmt = require('logfmt');
const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.length > 0);
let bad = 0;
const seen = [];
for (const [i, line] of lines.entries()) {
  const o = logfmt.parse(line);
  const keys = Object.keys(o);
  const why = [];
  if (typeof o.ts !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(o.ts)) why.push('no ts');
  if (typeof o.event !== 'string' || !/^[a-z_]+$/.test(o.event)) why.push('no event');
  if (keys[0] !== 'ts' || keys[1] !== 'event') why.push('does not start with ts=… event=…');
  for (const k of keys) if (!/^[a-z][a-z0-9_]*$/.test(k)) why.push(`key ${JSON.stringify(k)}`);
  for (const k of keys) if (o[k] === true) why.push(`bare word ${JSON.stringify(k)}`);
  if (why.length) {
    bad++;
    console.log(`line ${i + 1}: ${why.join(', ')}: ${line}`);
  }
  seen.push(o);
}
for (const e of expect) {
  const k = e.slice(0, e.indexOf('=')), v = e.slice(e.indexOf('=') + 1);
  if (!seen.some((o) => String(o[k]) === v)) {
    bad++;
    console.log(`no line has ${k}=${JSON.stringify(v)}`);
  }
}
console.log(`${lines.length} lines, ${new Set(seen.map((o) => o.event)).size} kinds of event, ${bad} problems`);
process.exit(lines.length > 0 && bad === 0 ? 0 : 1);
