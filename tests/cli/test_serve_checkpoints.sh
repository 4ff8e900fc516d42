#!/usr/bin/env bash
# test_serve_checkpoints.sh — `vigil serve` signs the audit chain's head by
# itself with [audit] checkpoint_interval in its config (issue 14, point
# 10): a checkpoint at the start, one every interval (here 1 s) and one at
# the stop, appended to the file the config names, each logged; the chain
# moved while it ran (a watch list created by another process) and the
# last checkpoint holds the new head; `vigil audit verify --checkpoints`
# accepts them all. A checkpoint
# file that cannot be written, an interval without a place to export to,
# or a syslog target that is not udp:// stop the start with the reason.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test-officer
unset VIGIL_KEY VIGIL_SIGN_KEY
fail() { echo "FAIL: $*"; exit 1; }
# no model pack: uploads are not what this test is about, and it starts faster
nomodels=(--models "$tmp/no-models")

"$vigil" watchlist create wanted --reason "Operation Test" --authorised-by "Supt A. Example" >/dev/null \
  || fail "watchlist create"

# --- refusals: the server does not start, and says why ---
printf '[audit]\ncheckpoint_interval = 1\ncheckpoint_file = %s/no/such/dir/cp\n' "$tmp" >"$tmp/bad.ini"
out=$("$vigil" "${nomodels[@]}" serve --listen 127.0.0.1:0 --config "$tmp/bad.ini" 2>&1) && fail "serve started with an unwritable checkpoint file"
grep -q "audit checkpoints" <<<"$out" && grep -q "no/such/dir/cp" <<<"$out" || fail "unwritable file: $out"
rm -f "$VIGIL_DB.sign.key" # made before the file was tried, as by `vigil audit checkpoint`
printf '[audit]\ncheckpoint_interval = 1\n' >"$tmp/bad.ini"
out=$("$vigil" "${nomodels[@]}" serve --listen 127.0.0.1:0 --config "$tmp/bad.ini" 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "needs checkpoint_file or checkpoint_syslog" <<<"$out" || fail "interval alone: $rc $out"
printf '[audit]\ncheckpoint_interval = 1\ncheckpoint_syslog = tcp://127.0.0.1:514\n' >"$tmp/bad.ini"
out=$("$vigil" "${nomodels[@]}" serve --listen 127.0.0.1:0 --config "$tmp/bad.ini" 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "bad.ini:3: \[audit\] checkpoint_syslog" <<<"$out" || fail "tcp syslog: $rc $out"
[ ! -e "$VIGIL_DB.sign.key" ] || fail "a refused config made a signing key"

# --- checkpoints while serving ---
printf '[audit]\ncheckpoint_interval = 1\ncheckpoint_file = %s/cp\n' "$tmp" >"$tmp/c.ini"
"$vigil" "${nomodels[@]}" --json serve --listen 127.0.0.1:0 --config "$tmp/c.ini" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q '"port"' "$tmp/out" && break; sleep 0.1; done
grep -q '"port"' "$tmp/out" || fail "serve did not start: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/cp")" -ge 1 ] || fail "no checkpoint at the start: $(cat "$tmp/err")"
first_seq=$(head -1 "$tmp/cp" | sed -n 's/.* seq=\([0-9]*\) .*/\1/p')
"$vigil" watchlist create second --reason "r" --authorised-by "p" >/dev/null || fail "second watch list"
head_seq=$("$vigil" --json audit log | tail -1 | sed -n 's/.*"seq": *\([0-9]*\).*/\1/p')
[ "$head_seq" -gt "$first_seq" ] || fail "the chain did not move: $first_seq $head_seq"
for _ in $(seq 60); do [ "$(wc -l <"$tmp/cp")" -ge 3 ] && break; sleep 0.1; done
[ "$(wc -l <"$tmp/cp")" -ge 3 ] || fail "no checkpoint every second: $(cat "$tmp/cp")"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM: $(cat "$tmp/err")"
grep -q "event=audit_checkpoint when=start seq=$first_seq " "$tmp/err" || fail "start not logged: $(cat "$tmp/err")"
grep -q "event=audit_checkpoint when=interval " "$tmp/err" || fail "interval not logged: $(cat "$tmp/err")"
grep -q "event=audit_checkpoint when=stop seq=$head_seq " "$tmp/err" || fail "stop not logged: $(cat "$tmp/err")"
tail -1 "$tmp/cp" | grep -q "^vigil-checkpoint v1 seq=$head_seq " || fail "the last checkpoint is not the head: $(tail -1 "$tmp/cp")"
[ "$(stat -c %a "$tmp/cp")" = 600 ] || fail "checkpoint file mode $(stat -c %a "$tmp/cp")"
n=$(wc -l <"$tmp/cp")
out=$("$vigil" audit verify --checkpoints "$tmp/cp" 2>&1) || fail "verify: $out"
grep -q "$n signed checkpoints hold" <<<"$out" || fail "verify: $out"

echo "ok"
