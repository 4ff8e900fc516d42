#!/usr/bin/env bash
# test_landmark_fit.sh — `--landmark-fit` (how the 68-point landmarker is
# run for alignment) and `eval verify|search --jitter N` (alignment jitter),
# end to end: each fit moves the five points of `vigil detect --json` on
# four LFW photos a little (more than 0.01 px, less than 4 px) and finds the
# same one face; `eval verify` on a small View 2 file (the first 20 + 20
# pairs of its first two folds) with `--landmark-fit mirror --flip --jitter
# 3` reports that embedding in its JSON, keeps the accuracy of the plain run
# within 5 points and scores the pairs differently; bad values are bad
# usage (2) with a message. Skips (77) without LFW.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
lfw=${VIGIL_TEST_DATA:-}/lfw
L=$lfw/images_deepfunneled
[ -f "$lfw/pairs.txt" ] || { echo "LFW not found at $lfw (set VIGIL_TEST_DATA): skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

photos=("$L/Colin_Powell/Colin_Powell_0001.jpg" "$L/Serena_Williams/Serena_Williams_0001.jpg"
        "$L/Andy_Roddick/Andy_Roddick_0001.jpg" "$L/Gloria_Macapagal_Arroyo/Gloria_Macapagal_Arroyo_0001.jpg")
for fit in once mirror refine mirror+refine; do
  "$vigil" --json --landmark-fit "$fit" detect "${photos[@]}" > "$tmp/$fit.json" || bad "detect --landmark-fit $fit"
done
python3 - "$tmp" <<'PY' && ok || bad "each fit moves the points a little"
import json, sys
tmp = sys.argv[1]
def central(name):
    out = []
    for l in open(f"{tmp}/{name}.json"):
        r = json.loads(l)
        cx, cy = r["width"] / 2, r["height"] / 2
        f = min(r["faces"], key=lambda f: ((f["box"][0] + f["box"][2]) / 2 - cx) ** 2 + ((f["box"][1] + f["box"][3]) / 2 - cy) ** 2)
        out.append((len(r["faces"]), f["box"], f["landmarks"]))
    return out
once = central("once")
for fit in ("mirror", "refine", "mirror+refine"):
    other = central(fit)
    for (n0, b0, p0), (n1, b1, p1) in zip(once, other):
        assert n0 == n1 and b0 == b1, (fit, n0, n1, b0, b1)
        d = max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(p0, p1))
        print(fit, "largest point move, px:", round(d, 2))
        assert 0.01 < d < 4, (fit, d)
PY

python3 - "$lfw/pairs.txt" "$tmp/pairs.txt" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
folds, per = map(int, lines[0].split())
out = ["2 20"]
for f in range(2):
    block = lines[1 + f * 2 * per: 1 + (f + 1) * 2 * per]
    out += block[:20] + block[per:per + 20]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
"$vigil" --json --threads 2 eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --bootstrap 50 > "$tmp/plain.json" \
  2> "$tmp/err" || bad "plain eval verify: $(cat "$tmp/err")"
"$vigil" --json --threads 2 --landmark-fit mirror eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --bootstrap 50 \
  --flip --jitter 3 > "$tmp/tta.json" 2> "$tmp/err" || bad "eval verify with the variants: $(cat "$tmp/err")"
python3 - "$tmp" <<'PY' && ok || bad "eval verify with the variants"
import json, sys
tmp = sys.argv[1]
p, t = (json.load(open(f"{tmp}/{n}.json")) for n in ("plain", "tta"))
print("plain", p["accuracy_mean"], p["embedding"], "variants", t["accuracy_mean"], t["embedding"])
assert p["embedding"] == {"landmark_fit": "once", "flip": False, "jitter": 1}, p["embedding"]
assert t["embedding"] == {"landmark_fit": "mirror", "flip": True, "jitter": 3}, t["embedding"]
assert p["pairs"] == t["pairs"] == 80 and p["images_without_face"] == t["images_without_face"] == 0
assert abs(p["accuracy_mean"] - t["accuracy_mean"]) <= 0.05 and t["accuracy_mean"] >= 0.9
assert p["fold_threshold"] != t["fold_threshold"] or p["auc"] != t["auc"], "the same scores"
PY

usage() {  # expected message, then the command's arguments
  local want=$1; shift
  "$vigil" "$@" > "$tmp/out" 2>&1
  local rc=$?
  [ "$rc" = 2 ] && grep -q -- "$want" "$tmp/out" && ok || bad "$* -> $rc: $(cat "$tmp/out")"
}
usage "takes once, mirror, refine or mirror+refine" --landmark-fit twice detect "${photos[0]}"
usage "number of framings from 1 to 5" eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --jitter 6
usage "number of framings from 1 to 5" eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --jitter 0
usage "number of framings from 1 to 5" eval search --lfw "$lfw" --watchlist-size 10 --jitter x

echo "landmark fit: $passes passed, $fails failed"
[ "$fails" = 0 ]
