#!/usr/bin/env bash
# test_deploy_refusals.sh — a deployment does not start without each of its
# safeguards, and the refusal names the element and the numbers:
#   - no authorisation, no location (at creation);
#   - a threshold whose calibrated false-alert rate for the watch list's size
#     is above the ceiling (default 1 in 6 000 faces), from the calibration
#     saved in the store (made here with `eval calibrate --save` on the first
#     150 people of LFW) and, in a store without one, from the repository's
#     default calibration; a configured ceiling lets the same one start;
#   - a calibration edited in the database (it is sealed) or for another
#     model is not trusted.
# A threshold under the ceiling starts and logs its calibrated rate. The
# expired watch list's refusal is tested in test_run.sh. Skips (77) without
# the ASL clips or LFW.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
asl=$data/video/asl lfw=$data/lfw
if [ ! -f "$asl/identities.csv" ] || [ ! -f "$lfw/lfw-names.txt" ]; then
  echo "ASL clips or LFW not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }

ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/a.png" || exit 1
"$vigil" watchlist create asl --reason test --authorised-by test >/dev/null || exit 1
"$vigil" subject add asl --name person_A --face 0 --min-sharpness 5 --photo "$tmp/a.png" >/dev/null || exit 1
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
cam=$asl/yes.mkv
create() { "$vigil" deployment create "$@" --watchlist asl --from "$from" --until "$until" --camera "$cam" 2>&1; }

# authorisation and location
out=$(create noauth --location "High St"); rc=$?
check '[ $rc = 2 ] && grep -q "deployment noauth refused: no authorisation" <<<"$out"' "no authorisation: $out"
out=$(create noauth2 --location "High St" --authorised-by ""); rc=$?
check '[ $rc = 2 ] && grep -q "refused: no authorisation" <<<"$out"' "empty authorisation: $out"
out=$(create noloc --authorised-by "Supt Test"); rc=$?
check '[ $rc = 2 ] && grep -q "deployment noloc refused: no location" <<<"$out"' "no location: $out"
check '! "$vigil" deployment list | grep -q "noauth\|noloc"' "refused deployments are not recorded"
# a camera's name and place: not more of them than cameras, no name twice
out=$(create twonames --location "High St" --authorised-by "Supt Test" --camera-name a b); rc=$?
check '[ $rc = 2 ] && grep -q "2 --camera-name for 1 camera" <<<"$out"' "more camera names than cameras: $out"
out=$(create dupnames --location "High St" --authorised-by "Supt Test" --camera "$asl/again.mkv" --camera-name Door Door); rc=$?
check '[ $rc != 0 ] && grep -q "camera 2 name \"Door\" repeats camera 1.s" <<<"$out"' "a camera name twice: $out"
check '! "$vigil" deployment list | grep -q "twonames\|dupnames"' "refused deployments are not recorded"

# the default calibration (calibration/default.txt), with no calibration in the store
create low --location "High St" --authorised-by "Supt Test" --threshold 0.05 >/dev/null
out=$("$vigil" run --no-http --deployment low 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "deployment low refused: threshold 0.0500 gives a calibrated false-alert rate of \(at least \)\?1 in [0-9]* faces" <<<"$out" && grep -q "the default calibration .*calibration/default.txt" <<<"$out" && grep -q "above the ceiling of 1 in 6000 faces" <<<"$out"' "low threshold refused by the default calibration: $out"
check '! "$vigil" audit log | grep -q "deployment.start"' "a refused deployment does not start"

# a calibration in the store: the first 150 people of LFW, lists of 1 and 5
mkdir -p "$tmp/lfw"
head -150 "$lfw/lfw-names.txt" | cut -f1 | while read -r n; do ln -s "$lfw/images_deepfunneled/$n" "$tmp/lfw/$n"; done
"$vigil" eval calibrate --dataset "$tmp/lfw" --crowd 6000 --max-false-alerts 1 --watchlist-size 1,5 \
  --bootstrap 50 --save > "$tmp/cal.txt" 2>&1 || { echo "calibrate failed: $(cat "$tmp/cal.txt")"; exit 1; }
out=$("$vigil" run --no-http --deployment low 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "refused: threshold 0.0500 gives a calibrated false-alert rate of 1 in [0-9]* faces ([0-9]* of [0-9]* non-mated searches above it, for a watch list of 1 subjects calibrated as 1, the store.s calibration), above the ceiling of 1 in 6000 faces" <<<"$out"' "low threshold refused by the store's calibration: $out"
# a configured ceiling of one false alert per face lets it start
printf '[deployment]\nfalse_alert_ceiling = 1\n' > "$tmp/lenient.ini"
out=$("$vigil" run --no-http --deployment low --config "$tmp/lenient.ini" 2>&1); rc=$?
check '[ $rc = 0 ] && grep -q "event=calibration threshold=0.0500 .*ceiling=1/1" <<<"$out"' "a configured ceiling: $out"
printf '[deployment]\nfalse_alert_ceiling = 0\n' > "$tmp/bad.ini"
out=$("$vigil" run --no-http --deployment low --config "$tmp/bad.ini" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "\[deployment\] false_alert_ceiling" <<<"$out"' "a ceiling out of range: $out"
# a threshold under the ceiling starts, and says its calibrated rate
create high --location "High St" --authorised-by "Supt Test" --threshold 0.6 >/dev/null
out=$("$vigil" run --no-http --deployment high 2>&1); rc=$?
check '[ $rc = 0 ] && grep -q "event=calibration threshold=0.6000 false_alert_rate=0 nonmated_above=0 .*calibrated_size=1 ceiling=1/6000" <<<"$out"' "a threshold under the ceiling starts: $out"
check '"$vigil" audit log | grep -q "deployment.start"' "started"

# an edited calibration is not trusted
python3 - "$VIGIL_DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
k, v = db.execute("select key, value from meta where key like 'calibration:%'").fetchone()
v = bytearray(v); v[40] ^= 1
db.execute("update meta set value = ? where key = ?", (bytes(v), k)); db.commit()
PY
out=$("$vigil" run --no-http --deployment high 2>&1); rc=$?
check '[ $rc != 0 ] && grep -q "the saved calibration of fr_feature.onnx" <<<"$out"' "an edited calibration: $out"
# one of another model
"$vigil" eval calibrate --dataset "$tmp/lfw" --crowd 6000 --max-false-alerts 1 --watchlist-size 1 --bootstrap 10 \
  --export "$tmp/c.txt" >/dev/null 2>&1
sed -i '2s/.*/model other.onnx:00/' "$tmp/c.txt"
out=$("$vigil" eval calibrate --dataset "$tmp/lfw" --crowd 6000 --max-false-alerts 1 --watchlist-size 1 --bootstrap 10 --export "$tmp/c.txt" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "holds a calibration of model other.onnx:00" <<<"$out"' "export refuses to mix models: $out"

echo "deployment refusals: $passes passed, $fails failed"
[ "$fails" = 0 ]
