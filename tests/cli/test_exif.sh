#!/usr/bin/env bash
# test_exif.sh — phone photos through the command line: an LFW photo stored
# turned (90° either way, 180°) or mirrored by the ffmpeg command (seven
# orientations over two people), tagged
# with the EXIF orientation that undoes it (an APP1 segment written here
# byte by byte), gives the same answer as the original from `vigil detect
# --json` (faces, boxes in upright coordinates) and `vigil compare`. Needs
# ffmpeg and ../shared/data/lfw (exit 77, skipped, without them).
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
L=$data/lfw/images_deepfunneled
if [ -z "$data" ] || [ ! -d "$L" ]; then echo "LFW not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
command -v ffmpeg >/dev/null 2>&1 || { echo "the ffmpeg command is absent: skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# tag IN OUT ORIENTATION: OUT is the JPEG IN with an EXIF APP1 segment right
# after SOI: "Exif\0\0", a big-endian TIFF header, IFD0 with one entry,
# Orientation (0x0112) SHORT 1 = ORIENTATION.
tag() {
  { head -c 2 "$1"
    printf '\xff\xe1\x00\x22Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01'
    printf '\x01\x12\x00\x03\x00\x00\x00\x01\x00'"\\x0$3"'\x00\x00\x00\x00\x00\x00'
    tail -c +3 "$1"; } > "$2"
}

# same_detect A B: the two `detect --json` outputs have the same size, the
# same number of faces, and each face of A has one in B whose box is within
# 4 pixels on every side.
same_detect() {
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert (a["width"], a["height"]) == (b["width"], b["height"]), (a["width"], b["width"])
assert len(a["faces"]) == len(b["faces"]) >= 1, (len(a["faces"]), len(b["faces"]))
for fa in a["faces"]:
    d = min(max(abs(u - v) for u, v in zip(fa["box"], fb["box"])) for fb in b["faces"])
    assert d <= 4, (fa["box"], [fb["box"] for fb in b["faces"]])
PY
}

# person, then each ffmpeg filter that stores the photo turned or mirrored
# with the orientation that undoes it: all eight orientations but 1 between
# the two photos (transpose=0 is the transpose, 3 the transverse).
for plan in "George_W_Bush transpose=2:6 transpose=1:8 hflip,vflip:3 hflip:2" \
            "Serena_Williams transpose=0:5 transpose=3:7 vflip:4"; do
  set -- $plan
  person=$1; shift
  orig=$L/$person/${person}_0001.jpg
  same=$L/$person/${person}_0002.jpg
  other=$L/Tony_Blair/Tony_Blair_0001.jpg
  "$vigil" detect --json "$orig" > "$tmp/orig.json" || bad "detect $orig"
  "$vigil" compare --json "$orig" "$same" > "$tmp/orig-same.json" || bad "compare $orig $same"
  "$vigil" compare --json "$orig" "$other" > "$tmp/orig-other.json" || bad "compare $orig $other"
  for case in "$@"; do
    filter=${case%:*} o=${case##*:}
    stored=$tmp/stored.jpg tagged=$tmp/$person-$o.jpg
    ffmpeg -nostdin -v error -y -i "$orig" -vf "$filter" -q:v 1 "$stored" || { bad "ffmpeg $filter"; continue; }
    tag "$stored" "$tagged" "$o"
    "$vigil" detect --json "$tagged" > "$tmp/tagged.json" \
      && same_detect "$tmp/orig.json" "$tmp/tagged.json" && ok || bad "$person orientation $o: detect differs"
    for pair in same other; do
      eval "ref=\$tmp/orig-$pair.json; img=\$$pair"
      "$vigil" compare --json "$tagged" "$img" | python3 -c '
import json,sys; d=json.load(sys.stdin); r=json.load(open(sys.argv[1]))
assert d["same"] == r["same"] and abs(d["similarity"] - r["similarity"]) < 0.03, (d, r)' "$ref" \
        && ok || bad "$person orientation $o: compare with the $pair photo differs from the original's"
    done
  done
done

# The control: a photo stored turned without the tag is not seen upright
# (the face is not found, or is a poor match), so the answers above come
# from the tag.
orig=$L/George_W_Bush/George_W_Bush_0001.jpg
ffmpeg -nostdin -v error -y -i "$orig" -vf transpose=2 -q:v 1 "$tmp/untagged.jpg"
out=$("$vigil" compare --json "$tmp/untagged.jpg" "$orig" 2>&1)
python3 -c '
import json,sys
try: d=json.loads(sys.argv[1])
except ValueError: sys.exit(0)
if "error" in d: sys.exit(0)             # no face found (the --json error object): not upright
assert d["similarity"] < 0.9, d' "$out" && ok || bad "untagged turned photo matched as if upright: $out"

echo "exif: $passes passed, $fails failed"
[ "$fails" = 0 ]
