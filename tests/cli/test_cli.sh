#!/usr/bin/env bash
# test_cli.sh — the `vigil` command as a user runs it: help, exit statuses
# (0 ok, 1 failure, 2 bad usage or input), detect/compare/version output, and
# every kind of bad image giving a clear message, exit 2, and (under ASan)
# no crash and no leak.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

# expect STATUS PATTERN -- ARGS...: runs vigil, checks exit status and that
# stdout+stderr match PATTERN (an extended regex; empty: anything).
expect() {
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

astro=${VIGIL_SRC:-.}/deps/media/astronaut.png

# usage and help
expect 2 "usage: vigil" --
expect 0 "commands:" -- --help
expect 2 "unknown command 'frobnicate'" -- frobnicate
for c in version detect compare; do expect 0 "usage: vigil $c" -- "$c" --help; done
expect 0 "^  vigil eval verify --lfw DIR" -- eval --help
expect 2 "detect needs IMAGE" -- detect
expect 2 "compare needs IMAGE_A IMAGE_B" -- compare "$astro"
expect 2 "--threshold takes" -- compare "$astro" "$astro" --threshold abc
expect 2 "--threads takes" -- --threads 0 version
expect 2 "eval verify needs --lfw" -- eval verify
expect 2 "unknown detector 'nope'" -- detect --detector nope "$astro"

# version names the runtimes and the pinned model pack
expect 0 "onnxruntime 1\.30\.0" -- version
expect 0 "fr_feature\.onnx 87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581" -- version
"$vigil" version --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["onnxruntime"]=="1.30.0" and len(d["models"])==4' \
  && passes=$((passes + 1)) || { echo "FAIL: version --json"; fails=$((fails + 1)); }

# detect: the demo image has one face
expect 0 "1 face$" -- detect "$astro"
"$vigil" detect --json "$astro" | python3 -c '
import json,sys
d=json.load(sys.stdin); f=d["faces"]
assert d["width"]==512 and len(f)==1, d
x1,y1,x2,y2=f[0]["box"]; assert 150<x1<x2<300 and 40<y1<y2<220, f[0]["box"]
assert len(f[0]["landmarks"])==5 and f[0]["quality"]["score"]>0.5' \
  && passes=$((passes + 1)) || { echo "FAIL: detect --json"; fails=$((fails + 1)); }

# bad images: each a clear message naming the file, exit 2
: > "$tmp/empty.jpg"
head -c 20000 "$astro" > "$tmp/truncated.png"
echo "this is a text file, not a photo" > "$tmp/notes.jpg"
head -c 30000 /dev/urandom > "$tmp/random.jpg"
python3 - "$tmp/huge.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)))
PY
cp "$astro" "$tmp/really-a-png.jpg"
expect 2 "empty.jpg.*(empty|0 bytes)" -- detect "$tmp/empty.jpg"
expect 2 "truncated.png" -- detect "$tmp/truncated.png"
expect 2 "notes.jpg" -- detect "$tmp/notes.jpg"
expect 2 "random.jpg" -- detect "$tmp/random.jpg"
expect 2 "huge.png.*30000x30000" -- detect "$tmp/huge.png"
expect 2 "nonexistent.jpg" -- detect "$tmp/nonexistent.jpg"
expect 2 "over the limit" -- --max-pixels 1000 detect "$astro"
# content decides, not the extension: a PNG named .jpg is read as a PNG
expect 0 "1 face" -- detect "$tmp/really-a-png.jpg"
# one bad file among good ones: the good ones are still processed, exit 2
expect 2 "really-a-png.jpg: 512x512, 1 face" -- detect "$tmp/empty.jpg" "$tmp/really-a-png.jpg"

# a long command line (a thousand photos) neither crashes nor stops early
many=()
for i in $(seq 1 1000); do many+=("$tmp/no-such-photo-with-a-rather-long-name-number-$i.jpg"); done
expect 2 "no-such-photo-with-a-rather-long-name-number-1000.jpg" -- detect "${many[@]}"

# compare: no face is a failure (exit 1), not bad input
ffmpeg -nostdin -v error -f lavfi -i color=c=gray:s=320x240 -frames:v 1 "$tmp/grey.png"
expect 1 "grey.png: no face found" -- compare "$tmp/grey.png" "$astro"
expect 0 "similarity 1\.0000: same person" -- compare "$astro" "$astro"

if [ -n "$data" ] && [ -d "$data/lfw/images_deepfunneled" ]; then
  L=$data/lfw/images_deepfunneled
  expect 0 "same person" -- compare "$L/George_W_Bush/George_W_Bush_0001.jpg" "$L/George_W_Bush/George_W_Bush_0010.jpg"
  expect 0 "different people" -- compare "$L/George_W_Bush/George_W_Bush_0001.jpg" "$L/Colin_Powell/Colin_Powell_0001.jpg"
  expect 0 "same person" -- compare "$L/Serena_Williams/Serena_Williams_0001.jpg" "$L/Serena_Williams/Serena_Williams_0005.jpg"
  expect 0 "different people" -- compare "$L/Serena_Williams/Serena_Williams_0001.jpg" "$L/Tony_Blair/Tony_Blair_0001.jpg"
  "$vigil" compare --json "$L/Colin_Powell/Colin_Powell_0001.jpg" "$L/Colin_Powell/Colin_Powell_0002.jpg" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["same"] is True and d["similarity"] > 0.5, d' \
    && passes=$((passes + 1)) || { echo "FAIL: compare --json"; fails=$((fails + 1)); }
  # a malformed pairs file is bad input
  printf '10 300\nnot a pair line at all with too many words\n' > "$tmp/pairs.txt"
  expect 2 "pairs" -- eval verify --lfw "$data/lfw" --pairs "$tmp/pairs.txt"
else
  echo "LFW not found under VIGIL_TEST_DATA: skipping the LFW comparisons"
fi

echo "cli: $passes passed, $fails failed"
[ "$fails" = 0 ]
