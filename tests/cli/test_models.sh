#!/usr/bin/env bash
# test_models.sh — `vigil models list | show | verify` and --models with a
# pack directory: the default pack (no manifest), a pack with a manifest
# (the BGR [-1, 1] embedder of scripts/make_test_embedder.py), --json, and
# the exit statuses: verify exits 1 on an altered, missing or unknown file;
# a malformed manifest is bad input (exit 2, the field named) and opens
# nothing; `vigil version` still works. Exit 77 (skipped) without the models.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
models=${VIGIL_MODELS:?VIGIL_MODELS is set by CTest}
src=${VIGIL_SRC:?VIGIL_SRC is set by CTest}
data=${VIGIL_TEST_DATA:-}
[ -f "$models/fr_feature.onnx" ] || { echo "default pack absent from $models: skipping"; exit 77; }
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
check() {  # check NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}

# usage
expect 2 "vigil models list" -- models
expect 0 "vigil models list" -- models --help
expect 2 "unknown models command 'frob'" -- models frob
expect 2 "models list: unexpected" -- models list extra

# the default pack, known by SHA-256, no manifest
expect 0 "pack default .*no manifest" -- models list
expect 0 "embedder +arcface +fr_feature\.onnx +87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581 +known +yes +MIT" -- models list
expect 0 "normalisation \(p - \[127, 127, 127\]\) \* \[0\.0078125" -- models show fr_feature.onnx
expect 0 "rebuild_detector\.py" -- models show de9b23c1e3c08e78
expect 1 "no model 'nope' in the pack" -- models show nope
expect 0 "4 models verified" -- models verify
expect 0 "fr_feature\.onnx 87aacdfe" -- version
check "models list --json" bash -c "'$vigil' --json models list | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 4 and all(r[\"pack\"] == \"default\" and r[\"source\"] == \"known\" and r[\"in_use\"] for r in rows), rows
assert {r[\"role\"] for r in rows} == {\"detector\", \"landmarks\", \"embedder\"}'"
check "models show --json" bash -c "'$vigil' --json models show embedder | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d[\"dim\"] == 512 and d[\"colour\"] == \"RGB\" and d[\"layout\"] == \"NCHW\" and d[\"input\"] == {\"width\": 112, \"height\": 112}, d'"

# a copy of the default pack: verify finds an altered and an unknown file
mkdir "$tmp/copy"
cp "$models"/fr_*.onnx "$tmp/copy/"
expect 0 "4 models verified" -- models verify "$tmp/copy"
printf 'x' >> "$tmp/copy/fr_landmark.onnx"
expect 1 "MISMATCH +landmarks .*fr_landmark\.onnx .*expected f10b0ba1" -- models verify "$tmp/copy"
expect 2 "fr_landmark\.onnx is not the model vigil's default pack pins" -- --models "$tmp/copy" models list
cp "$models/fr_landmark.onnx" "$tmp/copy/"
printf 'not a model' > "$tmp/copy/mine.onnx"
expect 1 "UNKNOWN .*mine\.onnx .*needs a manifest\.json entry" -- models verify "$tmp/copy"
expect 2 "mine\.onnx is not a model vigil knows" -- --models "$tmp/copy" detect "$src/deps/media/astronaut.png"
check "verify --json" bash -c "'$vigil' --json models verify '$tmp/copy' | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert rows[-1][\"failed\"] == 1 and rows[-1][\"models\"] == 5, rows[-1]
assert [r[\"state\"] for r in rows[:-1] if r[\"file\"] == \"mine.onnx\"] == [\"unknown\"]'"
rm "$tmp/copy/mine.onnx"
expect 2 "No such file or directory" -- models verify "$tmp/nonexistent"

# a pack with a manifest: the BGR [-1, 1] embedder
if /usr/bin/python3 "$src/scripts/make_test_embedder.py" "$models" "$tmp/bgr" >/dev/null; then
  expect 0 "pack test-bgr-pm1 .*manifest\.json" -- --models "$tmp/bgr" models list
  expect 0 "test_embedder_bgr\.onnx +[0-9a-f]{64} +manifest +yes" -- --models "$tmp/bgr" models list
  expect 0 "colour +BGR" -- --models "$tmp/bgr" models show test_embedder_bgr.onnx
  expect 0 "4 models verified in .* \(pack test-bgr-pm1\)" -- models verify "$tmp/bgr"
  # --detector overrides the manifest's detector
  if [ -n "$data" ] && [ -f "$data/models/yunet_s_dynamic.onnx" ]; then
    expect 0 "yunet_s_dynamic\.onnx +daede240.* +option +yes" -- --models "$tmp/bgr" \
      --detector "yunet:$data/models/yunet_s_dynamic.onnx" models list
  fi
  # the same decision on an LFW pair as the default pack
  L="$data/lfw/images_deepfunneled"
  if [ -d "$L/Colin_Powell" ]; then
    a="$L/Colin_Powell/Colin_Powell_0001.jpg" b="$L/Colin_Powell/Colin_Powell_0002.jpg" c="$L/Tony_Blair/Tony_Blair_0001.jpg"
    check "bgr pack: same decisions" bash -c "
      d1=\$('$vigil' compare '$a' '$b' | cut -d: -f2); d2=\$('$vigil' --models '$tmp/bgr' compare '$a' '$b' | cut -d: -f2)
      d3=\$('$vigil' compare '$a' '$c' | cut -d: -f2); d4=\$('$vigil' --models '$tmp/bgr' compare '$a' '$c' | cut -d: -f2)
      [ \"\$d1\" = \"\$d2\" ] && [ \"\$d3\" = \"\$d4\" ] && [ \"\$d1\" != \"\$d3\" ]"
  fi
  # an altered embedder: verify exits 1, the pack does not open
  cp -r "$tmp/bgr" "$tmp/bgr2"
  printf 'x' >> "$tmp/bgr2/test_embedder_bgr.onnx"
  expect 1 "MISMATCH +embedder" -- models verify "$tmp/bgr2"
  expect 2 "models\[3\]\.sha256: .*not the .* the manifest says" -- --models "$tmp/bgr2" models list
  # a missing file
  rm "$tmp/bgr2/test_embedder_bgr.onnx"
  expect 1 "MISSING +embedder" -- models verify "$tmp/bgr2"
  expect 2 "models\[3\]\.file: model file .* not found" -- --models "$tmp/bgr2" version
  # malformed manifests: exit 2, the field named, nothing opened
  cp "$tmp/bgr/test_embedder_bgr.onnx" "$tmp/bgr2/"
  sed 's/"BGR"/"BRG"/' "$tmp/bgr/manifest.json" > "$tmp/bgr2/manifest.json"
  expect 2 "models\[3\]\.colour: unknown colour 'BRG'" -- --models "$tmp/bgr2" models list
  expect 2 "models\[3\]\.colour: unknown colour 'BRG'" -- models verify "$tmp/bgr2"
  sed 's/"embedder"/"recogniser"/' "$tmp/bgr/manifest.json" > "$tmp/bgr2/manifest.json"
  expect 2 "models\[3\]\.role: unknown role 'recogniser'" -- --models "$tmp/bgr2" compare "$src/deps/media/astronaut.png" "$src/deps/media/astronaut.png"
  sed 's/"ultraface"/"retinaface"/' "$tmp/bgr/manifest.json" > "$tmp/bgr2/manifest.json"
  expect 2 "models\[0\]\.family: unknown family 'retinaface'" -- --models "$tmp/bgr2" models list
  head -c 100 "$tmp/bgr/manifest.json" > "$tmp/bgr2/manifest.json"
  expect 2 "manifest\.json: manifest: not valid JSON" -- --models "$tmp/bgr2" models list
else
  echo "python3-onnx absent (Debian's /usr/bin/python3): skipping the manifest pack"
fi

echo "models: $passes passed, $fails failed"
[ "$fails" = 0 ]
