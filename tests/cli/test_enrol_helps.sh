#!/usr/bin/env bash
# test_enrol_helps.sh — `vigil subject add` showing the person enrolling
# what it found, on LFW photos and the demo media: every quality factor
# with its limit and pass/fail, the face written with --show-face, the
# dominant face of a composite proposed (big LFW face in the middle, a small
# one in the corner), several photos keeping those that pass, a supervisor's
# acceptance below the limits (audited, the template marked), the cat never
# enrolled, and a refusal that writes nothing: no subject, no audit entry.
# Skips (77) without LFW or the demo media.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
L=$data/lfw/images_deepfunneled
media=${VIGIL_SRC:-.}/deps/media
if [ -z "$data" ] || [ ! -d "$L" ]; then echo "LFW not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
if [ ! -r "$media/camera.png" ] || [ ! -r "$media/chelsea.png" ]; then echo "demo media absent: skipping"; exit 77; fi
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
    echo "FAIL: vigil $* -> exit $rc (want $want), output:"; echo "$out" | head -30
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}
check() { # DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
audit_lines() { "$vigil" audit log 2>/dev/null | wc -l; }
subjects() { "$vigil" --json subject list wanted 2>/dev/null | wc -l; }

"$vigil" watchlist create wanted --reason "Operation Test" --authorised-by "Supt A. Example" >/dev/null || exit 1

# one good photo: every factor with its limit, all pass, the face written
expect 0 "eye_distance +[0-9.]+ +>= 24 +pass" -- subject add wanted --name "Colin Powell" --photo "$L/Colin_Powell/Colin_Powell_0001.jpg" --show-face "$tmp/colin.jpg"
check "--show-face writes a 112x112 JPEG" \
  test "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$tmp/colin.jpg")" = "mjpeg,112,112"
out=$("$vigil" subject add wanted --name "Colin 2" --allow-duplicate --photo "$L/Colin_Powell/Colin_Powell_0002.jpg" 2>&1)
for f in eye_distance yaw pitch sharpness brightness detector_score; do
  check "factor $f printed" grep -Eq "^  $f +-?[0-9.]+ +.* pass$" <<<"$out"
done

# the cameraman: too small and turned; refused with the failing factors,
# his face still written for the person enrolling to see; nothing stored
a0=$(audit_lines); s0=$(subjects)
expect 2 "eye_distance +[0-9.]+ +>= 24 +FAIL" -- subject add wanted --name "Cameraman" --photo "$media/camera.png" --show-face "$tmp/cam.jpg"
check "the refused photo's face is shown" test -s "$tmp/cam.jpg"
check "a refusal writes no audit entry" test "$(audit_lines)" = "$a0"
check "a refusal writes no subject" test "$(subjects)" = "$s0"

# the cat: refused, and no supervisor can accept it
expect 2 "refused" -- subject add wanted --name "Chelsea" --photo "$media/chelsea.png"
expect 2 "refused" -- subject add wanted --name "Chelsea" --photo "$media/chelsea.png" --accept-low-quality "I insist" --supervisor "Insp. Grey"
check "the cat is not enrolled" test "$(subjects)" = "$s0"
check "nor audited" test "$(audit_lines)" = "$a0"

# several photos: the two that pass kept, the grey square reported
ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x808080:s=200x200 -frames:v 1 "$tmp/grey.png"
expect 0 "enrolled on wanted with 2 templates \(1 photo refused\)" -- subject add wanted --name "Tony Blair" --photo "$L/Tony_Blair/Tony_Blair_0004.jpg" "$tmp/grey.png" "$L/Tony_Blair/Tony_Blair_0003.jpg" --show-face "$tmp/tony.jpg"
check "--show-face numbers the photos" test -s "$tmp/tony-1.jpg" -a ! -e "$tmp/tony-2.jpg" -a -s "$tmp/tony-3.jpg"
check "Tony has 2 templates" grep -q '"name":"Tony Blair".*"templates":2' <("$vigil" --json subject list wanted)
# --json says the same per photo
out=$("$vigil" --json subject add wanted --name "Tony again" --allow-duplicate --photo "$tmp/grey.png" "$L/Tony_Blair/Tony_Blair_0006.jpg")
check "--json: kept, refused and the reason" python3 -c '
import json, sys
o = json.loads(sys.argv[1])
p = o["photos"]
assert o["enrolled"] and o["templates"] == 1 and o["refused"] == 1
assert not p[0]["kept"] and p[0]["faces"] == 0 and p[0]["reasons"] == ["no face found"]
assert p[1]["kept"] and len(p[1]["factors"]) == 6 and len(p[1]["box"]) == 4
' "$out"
# none passing: refused, nothing written
a0=$(audit_lines); s0=$(subjects)
expect 2 "none of the 2 photos passed" -- subject add wanted --name "Nobody" --photo "$tmp/grey.png" "$media/camera.png"
check "none passing writes no subject" test "$(subjects)" = "$s0"
check "none passing writes no audit entry" test "$(audit_lines)" = "$a0"

# one big face in the middle, a small one in the corner: the big one proposed
ffmpeg -nostdin -v error -y -i "$L/Gray_Davis/Gray_Davis_0002.jpg" -i "$L/Tony_Blair/Tony_Blair_0003.jpg" \
  -filter_complex '[0]pad=500:400:125:75:gray[a];[1]scale=90:90[b];[a][b]overlay=10:10' "$tmp/dominant.png"
expect 0 "the dominant face [0-9] of 2 chosen, 1 smaller face ignored" -- subject add wanted --name "Gray Davis" --photo "$tmp/dominant.png"
# two faces of a size: still refused, --face still chooses
ffmpeg -nostdin -v error -y -i "$L/Hans_Blix/Hans_Blix_0002.jpg" -i "$L/Laura_Bush/Laura_Bush_0001.jpg" -filter_complex '[0][1]hstack' "$tmp/two.png"
expect 2 "2 faces found: choose one with --face 0..1" -- subject add wanted --name "Hans Blix" --photo "$tmp/two.png"
expect 0 "face 0 of 2 chosen \(--face\), 1 other ignored" -- subject add wanted --name "Hans Blix" --face 0 --photo "$tmp/two.png"

# a supervisor accepts the cameraman below the limits: enrolled, marked, audited
expect 2 "go together" -- subject add wanted --name "Cameraman" --photo "$media/camera.png" --accept-low-quality "only photo"
expect 2 "one line" -- subject add wanted --name "Cameraman" --photo "$media/camera.png" --accept-low-quality "" --supervisor "Insp. Grey"
expect 0 "1 below the quality limits on Insp. Grey's authority" -- subject add wanted --name "Cameraman" --photo "$media/camera.png" --accept-low-quality "the only photo on file, case 2024/117" --supervisor "Insp. Grey"
check "the subject is marked low-quality" grep -q '"name":"Cameraman".*"low_quality":1' <("$vigil" --json subject list wanted)
check "the audit entry holds the supervisor and the justification" \
  grep -q 'subject.add.*"supervisor":"Insp. Grey"' <("$vigil" audit log)
check "and the justification" grep -q 'case 2024/117' <("$vigil" audit log)
expect 0 "verified|intact|ok" -- audit verify

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
