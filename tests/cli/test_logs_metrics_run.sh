#!/usr/bin/env bash
# test_logs_metrics_run.sh — `vigil run` as the ecosystem's tools read it,
# with every optional feature on (the HTTP server, a webhook that cannot be
# delivered, retention, the spool setting, the camera looping): promtool
# (Debian's prometheus) checks its /metrics, and the npm logfmt parser reads
# its whole log, every line with ts and event, a camera path holding quotes
# and spaces coming back exactly. Skips (77) without the demo media, curl,
# promtool or the npm tools of scripts/bootstrap.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
src=${VIGIL_SRC:?VIGIL_SRC is set by CTest}
tools=$src/deps/npm-tools
[ -f "$src/deps/media/demo-walk.mp4" ] || { echo "demo media not found (run scripts/bootstrap): skipping"; exit 77; }
command -v curl >/dev/null || { echo "curl not installed: skipping"; exit 77; }
command -v promtool >/dev/null || { echo "promtool not installed (Debian's prometheus, scripts/bootstrap): skipping"; exit 77; }
[ -d "$tools/node_modules/logfmt" ] || { echo "npm logfmt not in deps/npm-tools (run scripts/bootstrap): skipping"; exit 77; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fail() { echo "FAIL: $*"; exit 1; }

cam="$tmp/door \"A\" = east.mp4"   # quotes, spaces and '=' in the camera's path
cp "$src/deps/media/demo-walk.mp4" "$cam"
"$vigil" watchlist create demo --reason test --authorised-by test >/dev/null || fail "watchlist create"
"$vigil" subject add demo --name "Eileen Collins" --photo "$src/deps/media/astronaut.png" >/dev/null 2>&1 \
  || fail "subject add"
from=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create street --watchlist demo --camera "$cam" --location bench --from "$from" --until "$until" \
  --authorised-by test --signage-confirmed >/dev/null || fail "deployment create"
tok=$("$vigil" user token scraper --role auditor 2>/dev/null) || fail "user token"
echo s3cret > "$tmp/secret" && chmod 600 "$tmp/secret"
cat > "$tmp/all.ini" <<INI
[source]
loop = 1
[retention]
alert_days = 30
every_hours = 0.01
[spool]
max_alerts = 100
[webhook]
url = http://127.0.0.1:9/hook
secret_file = $tmp/secret
INI
"$vigil" --json run --deployment street --config "$tmp/all.ini" --listen 127.0.0.1:0 > "$tmp/out" 2> "$tmp/log" &
pid=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/out" | head -1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; fail "vigil run stopped"; }
  sleep 0.1
done
[ -n "$port" ] || fail "no listening line"
# wait for the alert, and for the webhook's failed attempts to be logged
for _ in $(seq 300); do
  grep -q 'event=webhook_failed' "$tmp/log" && grep -q '"type":"alert"' "$tmp/out" && break
  sleep 0.1
done
grep -q '"type":"alert"' "$tmp/out" || { tail -20 "$tmp/log"; fail "no alert within 30 s"; }
curl -sf -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/metrics" > "$tmp/metrics" || fail "GET /metrics"
for m in vigil_camera_detect_seconds_total vigil_alert_latency_seconds_bucket vigil_webhook_queued \
         vigil_spool_capacity; do
  grep -q "^$m" "$tmp/metrics" || fail "/metrics lacks $m"
done
out=$(promtool check metrics < "$tmp/metrics" 2>&1) || fail "promtool check metrics under vigil run: $out"
echo "promtool: /metrics of vigil run is clean ($(grep -vc '^#' "$tmp/metrics") samples)"
kill -INT "$pid" && wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "vigil run exited $rc on SIGINT"
node "$src/tests/tools/logfmt_check.mjs" "$tools" "$tmp/log" "url=$cam" "event=webhook_failed" "event=retention" \
  "event=engine_stopped" || { cat "$tmp/log"; fail "the log is not logfmt throughout"; }
echo "ok"
