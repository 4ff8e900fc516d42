#!/usr/bin/env bash
# test_run_faults.sh — `vigil run` through an operator's bad day (issue 13):
# killed with SIGKILL, its counters are in the store within one flush
# interval of its log (the report's faces at least those of its last
# statistics line), and the report and the next run's audit say that it
# ended uncleanly; SIGHUP reloads the watch list, SIGUSR1 logs statistics,
# a closed stdout (SIGPIPE, EPIPE) is logged once, and none of them stops
# it; SIGTERM then stops it cleanly with its stop entry. A looping ASL clip
# is the camera. Skips (77) without the ASL clips.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
asl=${VIGIL_TEST_DATA:-}/video/asl
if [ ! -f "$asl/identities.csv" ]; then echo "ASL clips not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2 (at ${SECONDS}s)"; fails=$((fails + 1)); fi; }
# wait_for FILE PATTERN SECONDS
wait_for() { for _ in $(seq 1 $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
alive() { kill -0 "$pid" 2>/dev/null; }

ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/a.png" || exit 1
"$vigil" watchlist create asl --reason test --authorised-by test >/dev/null || exit 1
"$vigil" subject add asl --name person_A --face 0 --min-sharpness 5 --photo "$tmp/a.png" >/dev/null || exit 1
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create street --watchlist asl --location "test bench" --from "$from" --until "$until" \
  --authorised-by "Supt Test" --signage-confirmed --camera "$asl/yes.mkv" >/dev/null || exit 1
printf '[source]\nloop = 1\n[engine]\nalert_cooldown = 0.5\n' > "$tmp/loop.ini"

echo "set up in ${SECONDS}s"
# 1. SIGKILL after the first statistics line (10 s): the counters written
# meanwhile (every 5 s, and after each statistics line) are in the report
"$vigil" --json run --deployment street --no-http --config "$tmp/loop.ini" > "$tmp/run1.json" 2> "$tmp/run1.log" &
pid=$!
wait_for "$tmp/run1.log" "event=stats" 20
sleep 0.5
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
logged=$(grep "event=stats" "$tmp/run1.log" | tail -1 | sed 's/.* faces=\([0-9]*\) .*/\1/')
"$vigil" --json report street > "$tmp/report1.json"
faces=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["faces"])' "$tmp/report1.json")
echo "after SIGKILL: the log's last statistics say faces=${logged:-none}, the report $faces"
check '[ -n "$logged" ] && [ "$logged" -gt 0 ] && [ "$faces" -ge "$logged" ]' "counters written during the run (log $logged, report $faces)"
check 'python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r[\"runs\"]==1 and r[\"last_run_open\"] is True, r" "$tmp/report1.json"' "the report says the last run has no stop entry"
check '"$vigil" report street | grep -q "no stop entry: still running, or ended uncleanly"' "the text report says so too"

# 2. a reader that goes away, SIGHUP, SIGUSR1: the run goes on; SIGTERM stops it
"$vigil" --json run --deployment street --no-http --config "$tmp/loop.ini" 2> "$tmp/run2.log" > >(head -c 1 >/dev/null) &
pid=$!
check 'wait_for "$tmp/run2.log" "event=stdout_closed" 15 && alive' "a closed stdout is logged and the run goes on"
check 'grep -q "event=previous_run_unclean" "$tmp/run2.log"' "the next run logs the unclean end of the last"
kill -HUP "$pid"
check 'wait_for "$tmp/run2.log" "event=gallery_reloaded why=SIGHUP watchlist=1 subjects=1" 10 && alive' "SIGHUP reloads the watch list and the run goes on"
kill -USR1 "$pid"
check 'wait_for "$tmp/run2.log" "event=signal signal=SIGUSR1 action=stats" 10 && alive' "SIGUSR1 logs statistics and the run goes on"
sleep 0.3
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check '[ $rc = 0 ]' "SIGTERM stops it cleanly (exit $rc)"
check '"$vigil" audit log | grep -q "deployment.unclean_stop"' "the unclean end is in the audit chain"
check '[ "$("$vigil" audit log | grep -c "deployment.stop")" = 1 ]' "the clean stop has its entry"
"$vigil" --json report street > "$tmp/report2.json"
check 'python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r[\"runs\"]==2 and r[\"runs_unclean\"]==1 and r[\"last_run_open\"] is False, r" "$tmp/report2.json"' "the report counts 2 runs, 1 unclean"
check '"$vigil" report street | grep -q "runs:                   2 (1 ended uncleanly"' "the text report says 1 of 2 runs ended uncleanly"
check '"$vigil" audit verify >/dev/null' "audit chain intact"

[ "$fails" = 0 ] || tail -n 5 "$tmp"/run*.log
echo "$passes passed, $fails failed in ${SECONDS}s"
[ "$fails" = 0 ]
