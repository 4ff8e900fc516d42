#!/usr/bin/env bash
# test_openapi_serve.sh — `vigil serve` as the ecosystem's tools read it:
# `redocly lint` (npm @redocly/cli, the recommended rules less those
# tests/tools/redocly.yaml turns off with its reasons) finds no error and no
# warning in /api/v1/openapi.json; promtool (Debian's prometheus) checks its
# /metrics; and a client generated from the document (openapi-typescript
# types, openapi-fetch calls, tsc --strict) lists the alerts of a live
# server and adjudicates one. Skips (77) without the demo media, curl,
# promtool or the npm tools of scripts/bootstrap.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
src=${VIGIL_SRC:?VIGIL_SRC is set by CTest}
tools=$src/deps/npm-tools
[ -f "$src/deps/media/demo-walk.mp4" ] || { echo "demo media not found (run scripts/bootstrap): skipping"; exit 77; }
command -v curl >/dev/null || { echo "curl not installed: skipping"; exit 77; }
command -v promtool >/dev/null || { echo "promtool not installed (Debian's prometheus, scripts/bootstrap): skipping"; exit 77; }
for t in redocly openapi-typescript tsc; do
  [ -x "$tools/node_modules/.bin/$t" ] || { echo "npm $t not in deps/npm-tools (run scripts/bootstrap): skipping"; exit 77; }
done
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fail() { echo "FAIL: $*"; exit 1; }

# an alert to adjudicate: the demo clip through a deployment (9 s)
"$vigil" watchlist create demo --reason test --authorised-by test >/dev/null || fail "watchlist create"
"$vigil" subject add demo --name "Eileen Collins" --photo "$src/deps/media/astronaut.png" >/dev/null 2>&1 \
  || fail "subject add"
from=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create street --watchlist demo --camera "$src/deps/media/demo-walk.mp4" --location bench \
  --from "$from" --until "$until" --authorised-by test --signage-confirmed >/dev/null || fail "deployment create"
"$vigil" run --deployment street --no-http >/dev/null 2>"$tmp/run.log" || fail "run: $(tail -3 "$tmp/run.log")"
op=$("$vigil" user token client --role operator 2>/dev/null) || fail "user token (operator)"
aud=$("$vigil" user token scraper --role auditor 2>/dev/null) || fail "user token (auditor)"

"$vigil" --json serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "serve printed no port: $(cat "$tmp/out" "$tmp/err")"
base=http://127.0.0.1:$port

# 1. redocly lint: no error, no warning
curl -sf "$base/api/v1/openapi.json" > "$tmp/openapi.json" || fail "GET /api/v1/openapi.json"
cp "$src/tests/tools/redocly.yaml" "$tmp/redocly.yaml"
cp "$src/tests/tools/redocly.lint-ignore.yaml" "$tmp/.redocly.lint-ignore.yaml"
(cd "$tmp" && "$tools/node_modules/.bin/redocly" lint --config redocly.yaml --format stylish openapi.json) \
  > "$tmp/lint" 2>&1
rc=$?
[ "$rc" = 0 ] || { cat "$tmp/lint"; fail "redocly lint found errors"; }
grep -E '^ +[0-9]+:[0-9]+ +(error|warning) ' "$tmp/lint" && { cat "$tmp/lint"; fail "redocly lint warns"; }
grep -q 'Your API description is valid' "$tmp/lint" || { cat "$tmp/lint"; fail "redocly lint did not validate"; }
echo "redocly lint: $(grep -E 'is valid|ignored' "$tmp/lint" | tr '\n' ' ')"

# 2. promtool on /metrics of vigil serve
curl -sf -H "Authorization: Bearer $aud" "$base/metrics" > "$tmp/metrics" || fail "GET /metrics"
out=$(promtool check metrics < "$tmp/metrics" 2>&1) || fail "promtool check metrics under vigil serve: $out"
echo "promtool: /metrics of vigil serve is clean"

# 3. a client generated from the document, type-checked, run against the server
"$tools/node_modules/.bin/openapi-typescript" "$tmp/openapi.json" -o "$tmp/api.d.ts" >/dev/null 2>"$tmp/gen" \
  || fail "openapi-typescript: $(cat "$tmp/gen")"
cp "$src/tests/tools/client.mts" "$tmp/client.mts"
ln -s "$tools/node_modules" "$tmp/node_modules"
(cd "$tmp" && "$tools/node_modules/.bin/tsc" --strict --target es2022 --module nodenext --moduleResolution nodenext \
  --skipLibCheck --outDir "$tmp/js" client.mts api.d.ts) > "$tmp/tsc" 2>&1 || { cat "$tmp/tsc"; fail "tsc rejects the client"; }
ln -s "$tools/node_modules" "$tmp/js/node_modules"
node "$tmp/js/client.mjs" "$base" "$op" street > "$tmp/client.out" 2>&1 || { cat "$tmp/client.out"; fail "the client failed"; }
cat "$tmp/client.out"
"$vigil" --json alert list --deployment street | grep -q '"state":"no_action"' || fail "the adjudication is not in the store"
kill -TERM "$pid" && wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "serve exited $rc on SIGTERM"
echo "ok"
