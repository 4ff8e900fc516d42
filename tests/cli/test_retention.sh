#!/usr/bin/env bash
# test_retention.sh — `vigil retention run|hold|release` as an operator drives
# them: usage errors, a run on a database with nothing to delete, a held
# alert kept past its period and deleted once released (the alert rows are
# written with the sqlite3 shell: no camera or model is needed), JSON
# output, and the audit chain recording each step and verifying.
# Skips (77) without the sqlite3 shell.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not found: skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test-officer
unset VIGIL_KEY
fails=0 passes=0

expect() { # STATUS PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  local out rc
  out=$("$vigil" "$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ] || { [ -n "$pattern" ] && ! grep -Eq -- "$pattern" <<<"$out"; }; then
    echo "FAIL: vigil $* -> exit $rc (want $want), output:"; echo "$out" | head -20
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

expect 2 "vigil retention run" -- retention
expect 0 "vigil retention run" -- retention --help
expect 2 "unknown retention command" -- retention sweep
expect 2 "--alert-days takes a number" -- retention run --alert-days 0
expect 2 "not a date" -- retention run --now yesterday
expect 2 "retention hold needs ALERT_ID and --reason" -- retention hold 1
expect 2 "not an alert id" -- retention hold x --reason r
expect 0 "0 alerts deleted" -- retention run
expect 1 "no alert with id 5" -- retention hold 5 --reason "case 1"

expect 0 "created" -- watchlist create wanted --reason "warrants" --authorised-by "Supt A"
expect 0 "" -- deployment create high-street --watchlist wanted --camera rtsp://cam1/ --location "High St" \
  --from 2026-01-01 --until 2026-01-02 --authorised-by "Supt A" --signage-confirmed
# two alerts raised on 2026-01-01 12:00 UTC, with opaque crops
sqlite3 "$VIGIL_DB" "INSERT INTO alert (uid, deployment_id, camera, score, frame_time, raised_at, crop) VALUES
  ('u1', 1, 'cam1', 0.6, 1767268800, 1767268800, randomblob(500)),
  ('u2', 1, 'cam1', 0.7, 1767268800, 1767268800, randomblob(500));"
expect 0 "alert 1 held" -- retention hold 1 --reason "Operation Kestrel"
expect 2 "already held" -- retention hold 1 --reason again
# 30 days on: nothing is old enough
expect 0 "^retention: 0 alerts deleted" -- retention run --now 2026-01-31
# 32 days on: the unheld one goes
out=$("$vigil" --json retention run --now 2026-02-02)
grep -q '"alerts_deleted": *1' <<<"$out" && grep -q '"crops_deleted": *1' <<<"$out" \
  && passes=$((passes + 1)) || { echo "FAIL: json run: $out"; fails=$((fails + 1)); }
[ "$(sqlite3 "$VIGIL_DB" "SELECT group_concat(uid) FROM alert")" = u1 ] \
  && passes=$((passes + 1)) || { echo "FAIL: the held alert must stay"; fails=$((fails + 1)); }
expect 0 "released" -- retention release 1
expect 2 "not held" -- retention release 1
expect 0 "1 alerts deleted" -- retention run --alert-days 10 --now 2026-01-20
[ "$(sqlite3 "$VIGIL_DB" "SELECT count(*) FROM alert")" = 0 ] \
  && passes=$((passes + 1)) || { echo "FAIL: the released alert must go"; fails=$((fails + 1)); }
[ "$(sqlite3 "$VIGIL_DB" "PRAGMA auto_vacuum")" = 2 ] \
  && passes=$((passes + 1)) || { echo "FAIL: auto_vacuum is not incremental"; fails=$((fails + 1)); }

expect 0 "alert.hold .*Operation Kestrel" -- audit log
expect 0 "alert.release" -- audit log
n=$("$vigil" audit log | grep -c "retention.run")
[ "$n" = 4 ] && passes=$((passes + 1)) || { echo "FAIL: $n retention.run entries, want 4"; fails=$((fails + 1)); }
expect 0 "" -- audit verify

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
