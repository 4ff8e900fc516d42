#!/usr/bin/env bash
# test_replay_asl.sh — identity in real video: person_A is enrolled from one
# frame of asl/again.mkv; the other 19 clips are replayed through the live
# pipeline. An alert must come in each of person_A's other clips and in none
# of the others (asl/identities.csv). Skips (77) without the data.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
asl=${VIGIL_TEST_DATA:-}/video/asl
if [ ! -f "$asl/identities.csv" ]; then echo "ASL clips not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY

# one frame of again.mkv: a webcam frame is softer than a photo, so the
# sharpness limit is set for it explicitly; face 0 is the signer (face 1 is
# the skull printed on his hoodie)
ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/person_A.png" || exit 1
"$vigil" watchlist create asl --reason "test" --authorised-by "test" >/dev/null || exit 1
"$vigil" subject add asl --name person_A --face 0 --min-sharpness 5 --photo "$tmp/person_A.png" || exit 1

fails=0 passes=0
while IFS=, read -r clip who; do
  case "$clip" in clip|\#*|again.mkv|"") continue ;; esac
  "$vigil" --json replay "$asl/$clip" --watchlist asl > "$tmp/out.json" 2> "$tmp/err.log"
  rc=$?
  alerts=$(grep -c '"type":"alert"' "$tmp/out.json")
  faces=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "summary" in l][0]["faces"])' "$tmp/out.json" 2>/dev/null)
  if [ "$rc" != 0 ]; then
    echo "FAIL: replay $clip exited $rc"; cat "$tmp/err.log" | tail -5; fails=$((fails + 1)); continue
  fi
  if [ "$who" = person_A ] && [ "$alerts" -ge 1 ]; then
    passes=$((passes + 1)); echo "ok   $clip ($who): $alerts alert(s), $faces faces"
  elif [ "$who" != person_A ] && [ "$alerts" = 0 ]; then
    passes=$((passes + 1)); echo "ok   $clip ($who): no alert, $faces faces"
  else
    fails=$((fails + 1)); echo "FAIL $clip ($who): $alerts alert(s)"; grep '"type":"alert"' "$tmp/out.json"
  fi
done < "$asl/identities.csv"
echo "replay asl: $passes passed, $fails failed"
[ "$fails" = 0 ] && [ "$passes" = 19 ]
