#!/usr/bin/env bash
# test_run_http.sh — `vigil run` serving HTTP beside the engine: the console
# URL on a free port (--listen 127.0.0.1:0), an operator's SSE client
# (curl -N) connected before anyone walks past receives the alert live
# with the subject's details, /api/v1/cameras and /metrics show the camera,
# the warning when the database has no user, [http]/[webhook] config
# sections accepted beside the engine's while typos are refused, and the
# stream ends cleanly when the run stops. Skips (77) without the ASL clips
# or curl.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
asl=${VIGIL_TEST_DATA:-}/video/asl
if [ ! -f "$asl/identities.csv" ]; then echo "ASL clips not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
command -v curl >/dev/null || { echo "curl not installed: skipping"; exit 77; }
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }
wait_for() { # SECONDS COMMAND...
  local until=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  while [ "$(date +%s%N)" -lt "$until" ]; do "$@" && return 0; sleep 0.05; done
  return 1
}

ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/a.png" || exit 1
# 5 s with no one in view, then person_A signs "yes": the alert comes after
# the stream is open
ffmpeg -nostdin -v error -i "$asl/yes.mkv" -vf 'tpad=start_duration=5:color=gray' -c:v libx264 -preset ultrafast \
  "$tmp/walk.mkv" || exit 1
"$vigil" watchlist create asl --reason test --authorised-by test >/dev/null || exit 1
"$vigil" subject add asl --name person_A --reason "test reason" --face 0 --min-sharpness 5 --photo "$tmp/a.png" \
  >/dev/null || exit 1
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create street --watchlist asl --location "test bench" --from "$from" --until "$until" \
  --authorised-by "Supt Test" --signage-confirmed --camera "$tmp/walk.mkv" >/dev/null || exit 1

# config: the engine's sections and the server's side by side; typos refused
printf '[engine]\nworkers = 2\n[http]\nbody_max = 65536\n' > "$tmp/good.ini"
printf '[engine]\nworkers = 2\n[htpp]\nlisten = 127.0.0.1:0\n' > "$tmp/typo.ini"
printf '[http]\nlisten = 127.0.0.1:0\nbody_mx = 100000\n' > "$tmp/typo2.ini"
printf '[webhook]\nurl = http://127.0.0.1:9/hook\n' > "$tmp/nosecret.ini"
out=$("$vigil" run --deployment street --config "$tmp/typo.ini" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "typo.ini:3: unknown section \[htpp\]" <<<"$out"' "a misspelt section is refused: $out"
out=$("$vigil" run --deployment street --config "$tmp/typo2.ini" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "typo2.ini:3: unknown key .body_mx. in \[http\]" <<<"$out"' "a misspelt [http] key is refused: $out"
out=$("$vigil" run --deployment street --config "$tmp/nosecret.ini" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "secret_file" <<<"$out"' "webhooks without a secret are refused: $out"
echo "s3cret" > "$tmp/secret"; chmod 644 "$tmp/secret"
printf '[webhook]\nurl = http://127.0.0.1:9/hook\nsecret_file = %s\n' "$tmp/secret" > "$tmp/open.ini"
out=$("$vigil" run --deployment street --config "$tmp/open.ini" --listen 127.0.0.1:0 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "chmod 600" <<<"$out"' "a secret file open to others is refused: $out"

# no user yet: the run warns
"$vigil" --json run --deployment street --config "$tmp/good.ini" --listen 127.0.0.1:0 > "$tmp/run0.json" 2> "$tmp/run0.log" &
pid=$!; pids+=("$pid")
check 'wait_for 20 grep -q "\"event\":\"listening\"" "$tmp/run0.json"' "the console URL is printed"
check 'grep -q "no user" "$tmp/run0.log"' "the missing user is warned about"
kill -INT "$pid"; wait "$pid"; rc=$?
check '[ $rc = 0 ]' "SIGINT stops the run (exit $rc)"
"$vigil" deployment create street2 --watchlist asl --location "test bench" --from "$from" --until "$until" \
  --authorised-by "Supt Test" --signage-confirmed --camera "$tmp/walk.mkv" >/dev/null || exit 1

echo "a long password" | "$vigil" user add olivia --role operator >/dev/null || exit 1
echo "a long password" | "$vigil" user add aud --role auditor >/dev/null || exit 1
"$vigil" --json run --deployment street2 --listen 127.0.0.1:0 > "$tmp/run.json" 2> "$tmp/run.log" &
pid=$!; pids+=("$pid")
port=
wait_for 20 grep -q '"event":"listening"' "$tmp/run.json"
port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/run.json")
check '[ -n "$port" ]' "a port in the listening line: $(cat "$tmp/run.json")"
check '! grep -q "no user" "$tmp/run.log"' "no warning once a user exists"
login() { curl -s -c "$tmp/$1.jar" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$1\",\"password\":\"a long password\"}" "http://127.0.0.1:$port/api/v1/login" >/dev/null; }
login olivia; login aud
curl -sN -b "$tmp/olivia.jar" "http://127.0.0.1:$port/api/v1/alerts/stream" > "$tmp/sse.txt" &
curl_pid=$!; pids+=("$curl_pid")
check 'wait_for 5 grep -q "^: vigil alert stream" "$tmp/sse.txt"' "the stream opens"
# the stream was opened before the alert: it can only have come live
check '[ "$(grep -c "\"type\":\"alert\"" "$tmp/run.json")" = 0 ]' "no alert before the stream opened"
check 'wait_for 30 grep -q "^event: alert" "$tmp/sse.txt"' "the alert arrives on the stream"
check 'grep "^data:" "$tmp/sse.txt" | head -1 | grep -q "\"subject_name\":\"person_A\".*\"subject_reason\":\"test reason\".*\"watchlist\":\"asl\""' \
  "the alert carries the subject and the watch list: $(grep '^data:' "$tmp/sse.txt" | head -1)"
id=$(sed -n 's/^id: \([0-9]*\)$/\1/p' "$tmp/sse.txt" | head -1)
check '[ -n "$id" ] && curl -s -b "$tmp/olivia.jar" "http://127.0.0.1:$port/api/v1/alerts/$id" | grep -q "\"id\":$id,"' \
  "the streamed id is the stored alert's"
cams=$(curl -s -b "$tmp/olivia.jar" "http://127.0.0.1:$port/api/v1/cameras")
check 'grep -q "\"id\":1,\"name\":\"camera1\",\"state\":\"\(running\|ended\)\"" <<<"$cams"' "cameras: $cams"
curl -s -b "$tmp/aud.jar" "http://127.0.0.1:$port/metrics" > "$tmp/metrics.txt"
check 'grep -q "^vigil_camera_frames_decoded_total{camera=\"camera1\"} [1-9]" "$tmp/metrics.txt"' "metrics: frames counted"
check 'grep -q "^vigil_camera_alerts_total{camera=\"camera1\"} [1-9]" "$tmp/metrics.txt"' "metrics: the alert counted"
check 'grep -q "^vigil_sse_clients 1$" "$tmp/metrics.txt"' "metrics: one stream open"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/olivia.jar" "http://127.0.0.1:$port/metrics")
check '[ "$code" = 403 ]' "metrics refused to an operator ($code)"
# the clip ends, the run ends, and so does the stream (curl exits by itself)
wait "$pid"; rc=$?
check '[ $rc = 0 ]' "the run ends with its camera (exit $rc)"
check 'wait_for 5 bash -c "! kill -0 $curl_pid 2>/dev/null"' "the stream ends when the server stops"
wait "$curl_pid"; crc=$?
check '[ $crc = 0 ]' "the stream ended cleanly (curl exit $crc)"

echo "run http: $passes passed, $fails failed"
[ "$fails" = 0 ]
