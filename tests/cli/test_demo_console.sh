#!/usr/bin/env bash
# test_demo_console.sh — `make demo` to its end, as CI runs it: the demo's
# steps, then the console part with DEMO_SECONDS set — users with generated
# passwords, the server on a free port, the console URL and the credentials
# printed, alerts reaching the console's API — and a clean exit (no process
# left behind). Skips (77) without the demo media from bootstrap.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
src=${VIGIL_SRC:?VIGIL_SRC is set by CTest}
[ -f "$src/deps/media/demo-walk.mp4" ] || { echo "demo media not found (run scripts/bootstrap): skipping"; exit 77; }
command -v curl >/dev/null || { echo "curl not installed: skipping"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; tail -30 "$out"; exit 1; }

VIGIL_BIN=$vigil DEMO_PORT=0 DEMO_SECONDS=20 bash "$src/scripts/demo" > "$out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "the demo exited $rc"
url=$(sed -n 's|.*Open the console: *\(http://127.0.0.1:[0-9]*/\).*|\1|p' "$out")
[ -n "$url" ] || fail "no console URL printed"
grep -Eq "operator: +officer / [A-Za-z0-9]{12,}" "$out" || fail "no operator credentials printed"
grep -Eq "auditor: +auditor / [A-Za-z0-9]{12,}" "$out" || fail "no auditor credentials printed"
grep -Eq "after 20 s: [1-9][0-9]* new alert\(s\) pending in the console" "$out" || fail "no alert reached the console"
grep -q "audit chain intact" "$out" || fail "the audit chain was not verified"
# everything it started has stopped: the port no longer answers
curl -s -m 2 -o /dev/null "$url" && fail "the demo's server still answers at $url"
echo "ok: $url"
