#!/usr/bin/env bash
# test_run.sh — `vigil run` as an operator uses it: a deployment with a good
# camera (an ASL clip, paced in real time) beside bad ones (an unreachable
# URL with credentials in it, a file that is not video): the good camera
# alerts, the bad ones are logged without their credentials and do not stop
# it; SIGTERM stops cleanly with the alerts stored; with [audit]
# checkpoint_interval in its config it signs the audit chain's head at the
# start and at the stop (after the stop entry); an ended deployment, a
# config file with an unknown key, and a bad deployment are refused clearly.
# Skips (77) without the ASL clips.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
asl=${VIGIL_TEST_DATA:-}/video/asl
if [ ! -f "$asl/identities.csv" ]; then echo "ASL clips not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }

ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/a.png" || exit 1
"$vigil" watchlist create asl --reason test --authorised-by test >/dev/null || exit 1
"$vigil" subject add asl --name person_A --face 0 --min-sharpness 5 --photo "$tmp/a.png" >/dev/null || exit 1
echo "this is not a video" > "$tmp/notes.mp4"
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)

# a deployment with one good camera and two bad ones
"$vigil" deployment create street --watchlist asl --location "test bench" --from "$from" --until "$until" \
  --authorised-by "Supt Test" --signage-confirmed \
  --camera "$asl/yes.mkv" "http://admin:hunter2@127.0.0.1:9/stream?token=s3cr3t" "$tmp/notes.mp4" >/dev/null
check '[ $? = 0 ]' "deployment create"
printf '[audit]\ncheckpoint_interval = 60\ncheckpoint_file = %s/cp\n' "$tmp" > "$tmp/audit.ini"
"$vigil" --json run --deployment street --listen 127.0.0.1:0 --config "$tmp/audit.ini" > "$tmp/run.json" 2> "$tmp/run.log" &
pid=$!
# the file camera ends after its 2.2 s; the network camera keeps retrying:
# wait for the alert, then stop with SIGTERM
for _ in $(seq 1 100); do grep -q '"type":"alert"' "$tmp/run.json" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
kill -TERM "$pid"
wait "$pid"; rc=$?
check '[ $rc = 0 ]' "run exits 0 on SIGTERM (got $rc)"
check 'grep -q "\"name\":\"person_A\"" "$tmp/run.json"' "an alert for person_A from the good camera"
check 'grep -q "event=camera_failed camera=camera3" "$tmp/run.log"' "the non-video camera is reported"
check 'grep -q "signal=SIGTERM" "$tmp/run.log"' "the stop is logged"
check '! grep -q "hunter2\|s3cr3t" "$tmp/run.log" "$tmp/run.json"' "credentials never reach the logs"
check '! "$vigil" audit log | grep -q "hunter2\|s3cr3t"' "credentials never reach the audit log"
check '"$vigil" audit log | grep -q "deployment.start" && "$vigil" audit log | grep -q "deployment.stop"' "start and stop audited"
check '"$vigil" audit log | grep -q "alert.raise"' "the alert audited"
check 'grep -q "event=retention alerts_deleted=0" "$tmp/run.log" && "$vigil" audit log | grep -q "retention.run"' "the retention job runs at start"
check '"$vigil" audit log | grep "deployment.start" | grep -q "\"watchlist_version\":\"[0-9a-f]\{64\}\""' "the watch list's version recorded at the start"
check 'python3 -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); assert db.execute(\"select count(*) from alert where state=\x27pending\x27\").fetchone()[0] >= 1" "$VIGIL_DB"' "the alert is stored, pending"
check '"$vigil" audit verify >/dev/null' "audit chain intact"
head_seq=$("$vigil" --json audit log | tail -1 | sed -n 's/.*"seq": *\([0-9]*\).*/\1/p')
check 'grep -q "event=audit_checkpoint when=start " "$tmp/run.log" && grep -q "event=audit_checkpoint when=stop seq=$head_seq " "$tmp/run.log"' "checkpoints at the start and at the stop: $(grep audit_checkpoint "$tmp/run.log")"
check 'tail -1 "$tmp/cp" | grep -q "^vigil-checkpoint v1 seq=$head_seq " && "$vigil" audit verify --checkpoints "$tmp/cp" | grep -q "2 signed checkpoints hold"' "the last checkpoint holds the head after deployment.stop"

# refusals
printf '[engine]\nworkers = 2\nturbo = yes\n' > "$tmp/bad.ini"
out=$("$vigil" run --deployment street --config "$tmp/bad.ini" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "bad.ini:3: unknown key .turbo. in \[engine\]" <<<"$out"' "config with an unknown key: $out"
printf '[retention]\nalert_days = 0\n' > "$tmp/bad3.ini"
out=$("$vigil" run --deployment street --config "$tmp/bad3.ini" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "bad3.ini:2: \[retention\] alert_days" <<<"$out"' "retention period out of range: $out"
printf '[engine]\nthreshold = 7\n' > "$tmp/bad2.ini"
out=$("$vigil" run --deployment street --config "$tmp/bad2.ini" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "bad2.ini:2: \[engine\] threshold" <<<"$out"' "config with a value out of range: $out"
out=$("$vigil" run --deployment nosuch 2>&1); rc=$?
check '[ $rc = 1 ]' "unknown deployment: not found, exit 1: $out"
out=$("$vigil" deployment create late --watchlist asl --location x --from "$until" --until "$from" --authorised-by p --camera "$asl/yes.mkv" 2>&1); rc=$?
check '[ $rc = 2 ]' "a window that ends before it starts: $out"
out=$("$vigil" deployment create nocam --watchlist asl --location x --from "$from" --until "$until" --authorised-by p 2>&1); rc=$?
check '[ $rc = 2 ]' "no camera: $out"
"$vigil" deployment end street >/dev/null
out=$("$vigil" run --deployment street 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "was ended" <<<"$out"' "an ended deployment does not run: $out"
# a watch list that has expired does not run
# (8 s ahead: on a loaded machine one vigil command has taken 3.5 s)
soon_s=$(( $(date +%s) + 8 ))
soon=$(date -u -d "@$soon_s" +%Y-%m-%dT%H:%M:%SZ)
"$vigil" watchlist create brief --reason test --authorised-by test --expires "$soon" >/dev/null
"$vigil" deployment create briefly --watchlist brief --location x --from "$from" --until "$until" --authorised-by p --camera "$asl/yes.mkv" >/dev/null
while [ "$(date +%s)" -le "$soon_s" ]; do sleep 0.5; done
out=$("$vigil" run --deployment briefly 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "watch list brief expired on" <<<"$out"' "an expired watch list does not run: $out"
# a deployment whose only camera is not a video fails at once, clearly
"$vigil" deployment create broken --watchlist asl --location x --from "$from" --until "$until" --authorised-by p --camera "$tmp/notes.mp4" >/dev/null
out=$("$vigil" run --deployment broken 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "camera1" <<<"$out"' "a deployment with no usable camera: $out"

echo "run: $passes passed, $fails failed"
[ "$fails" = 0 ]
