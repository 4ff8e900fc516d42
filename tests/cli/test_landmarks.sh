#!/usr/bin/env bash
# test_landmarks.sh — `--landmarks 68`: the pack's 68-point landmarker gives
# the five alignment points whatever the detector. With YuNet (from
# ../shared/data/models) the points of `vigil detect --json` change from
# YuNet's own to the landmarker's: with it, they are the default pack's
# points on the same face to within a few pixels, without it they are not
# all so; `models show` has the landmarker in use; a bad value is bad usage (2).
# Skips (77) without LFW or YuNet.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
L=$data/lfw/images_deepfunneled
Y=$data/models/yunet_s_dynamic.onnx
if [ -z "$data" ] || [ ! -d "$L" ] || [ ! -f "$Y" ]; then
  echo "LFW or YuNet not found under VIGIL_TEST_DATA: skipping"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

photos=("$L/Colin_Powell/Colin_Powell_0001.jpg" "$L/Serena_Williams/Serena_Williams_0001.jpg"
        "$L/Andy_Roddick/Andy_Roddick_0001.jpg" "$L/Gloria_Macapagal_Arroyo/Gloria_Macapagal_Arroyo_0001.jpg")
"$vigil" --json detect "${photos[@]}" > "$tmp/pack.json" || bad "detect with the pack"
"$vigil" --json --detector "yunet:$Y" detect "${photos[@]}" > "$tmp/yunet.json" || bad "detect with YuNet"
"$vigil" --json --detector "yunet:$Y" --landmarks 68 detect "${photos[@]}" > "$tmp/y68.json" \
  || bad "detect with YuNet and --landmarks 68"
python3 - "$tmp" <<'PY' && ok || bad "the points of YuNet with --landmarks 68 are the landmarker's"
import json, sys
tmp = sys.argv[1]
def central(name):
    out = []
    for l in open(f"{tmp}/{name}.json"):
        r = json.loads(l)
        cx, cy = r["width"] / 2, r["height"] / 2
        f = min(r["faces"], key=lambda f: ((f["box"][0] + f["box"][2]) / 2 - cx) ** 2 + ((f["box"][1] + f["box"][3]) / 2 - cy) ** 2)
        out.append(f["landmarks"])
    return out
def worst(a, b):
    return max(max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(a, b))
pack, yunet, y68 = central("pack"), central("yunet"), central("y68")
d68 = [worst(p, q) for p, q in zip(pack, y68)]
dyu = [worst(p, q) for p, q in zip(pack, yunet)]
print("largest point difference from the pack's, px: with --landmarks 68", [round(x, 1) for x in d68],
      "with YuNet's own", [round(x, 1) for x in dyu])
assert all(x < 6 for x in d68), d68
assert max(dyu) > max(d68), (dyu, d68)
PY

# `models show`: the landmarker in use with --landmarks 68, not without
in_use() { "$vigil" --detector "yunet:$Y" "$@" models show 2>&1 | awk '/^fr_landmark.onnx/ { f = 1 } f && /in use/ { print $3; exit }'; }
[ "$(in_use --landmarks 68)" = yes ] && ok || bad "with --landmarks 68 the landmarker is not in use"
[ "$(in_use)" = no ] && ok || bad "with YuNet alone the landmarker is in use"
"$vigil" --landmarks 5 detect "${photos[0]}" > "$tmp/out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "takes detector or 68" "$tmp/out" && ok || bad "--landmarks 5 -> $rc: $(cat "$tmp/out")"

echo "landmarks: $passes passed, $fails failed"
[ "$fails" = 0 ]
