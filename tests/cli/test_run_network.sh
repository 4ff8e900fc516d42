#!/usr/bin/env bash
# test_run_network.sh — a network camera that dies and comes back: a separate
# ffmpeg process serves an ASL clip of person_A (looped, in real time) as
# MPEG-TS over HTTP on loopback; `vigil run` watches it. The server is killed
# with SIGKILL mid-stream and restarted: the engine must reconnect within 5 s
# of the restart and alert again (a reconnection ends every track, so the
# person still in view is a new track). Skips (77) without the ASL clips.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
asl=${VIGIL_TEST_DATA:-}/video/asl
if [ ! -f "$asl/identities.csv" ]; then echo "ASL clips not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
tmp=$(mktemp -d)
server=0 run=0
cleanup() { [ "$server" != 0 ] && kill -9 "$server" 2>/dev/null; [ "$run" != 0 ] && kill -9 "$run" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
port=$((20000 + RANDOM % 30000))
url="http://127.0.0.1:$port/live.ts"
serve() {
  ffmpeg -nostdin -v error -re -stream_loop -1 -i "$asl/yes.mkv" -c copy -f mpegts -listen 1 "$url" 2>>"$tmp/server.log" &
  server=$!
}
alerts() { grep -c '"type":"alert"' "$tmp/run.json" 2>/dev/null || true; }
more_alerts_than() { [ "$(alerts)" -gt "$1" ]; }
wait_for() { # SECONDS COMMAND...: polls until the command succeeds
  local until=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  while [ "$(date +%s%N)" -lt "$until" ]; do "$@" && return 0; sleep 0.05; done
  return 1
}

ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/a.png" || exit 1
"$vigil" watchlist create asl --reason test --authorised-by test >/dev/null || exit 1
"$vigil" subject add asl --name person_A --face 0 --min-sharpness 5 --photo "$tmp/a.png" >/dev/null || exit 1
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create net --watchlist asl --location loopback --from "$from" --until "$until" \
  --authorised-by test --camera "$url" >/dev/null || exit 1
# A short alert cooldown: after the reconnection the same person is a new
# track, and this test wants to see her alert again (the recovery of
# matching), not the 30 s cooldown that would, rightly, hold a repeat back.
printf '[engine]\nalert_cooldown = 0.5\n[source]\nstall_seconds = 1\nbackoff_initial = 0.1\nbackoff_max = 0.5\n' > "$tmp/net.ini"

fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }
serve
"$vigil" --json run --deployment net --no-http --config "$tmp/net.ini" > "$tmp/run.json" 2> "$tmp/run.log" &
run=$!
check 'wait_for 20 more_alerts_than 0' "a first alert from the network camera"
kill -9 "$server"; wait "$server" 2>/dev/null; server=0
check 'wait_for 10 grep -q "event=stalled\|event=reconnecting\|event=error" "$tmp/run.log"' "the engine notices the dead stream"
sleep 1
before=$(alerts)
restart=$(date +%s%N)
serve
check 'wait_for 5 grep -q "event=reconnected" "$tmp/run.log"' "reconnected within 5 s of the restart"
echo "reconnected after $(( ($(date +%s%N) - restart) / 1000000 )) ms"
check 'wait_for 15 more_alerts_than $before' "an alert again after the reconnection"
kill -TERM "$run"; wait "$run"; rc=$?; run=0
check '[ $rc = 0 ]' "clean stop (exit $rc)"
check 'grep -q "event=tracks_reset" "$tmp/run.log"' "tracks reset at the reconnection"
grep -E "event=(stalled|reconnecting|reconnected|tracks_reset)" "$tmp/run.log" | head -5
echo "run network: $passes passed, $fails failed"
[ "$fails" = 0 ]
