#!/usr/bin/env bash
# test_eval_curves.sh — the intervals and curves of `eval verify` and `eval
# search`. verify runs on a small View 2 file made here from pairs.txt (the
# first 40 same-person and 40 different-person pairs of its first two folds:
# "2 40"); search on the 60 first people of lfw-names.txt. Checked: every
# interval holds its estimate; the EER lies between the two error rates'
# extremes; the SVG charts are XML with one curve each, whose points stay
# inside the plot; the JSON lists them; the same run gives the same
# intervals (the bootstrap is seeded). Skips (77) without LFW.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
lfw=${VIGIL_TEST_DATA:-}/lfw
[ -f "$lfw/pairs.txt" ] || { echo "LFW not found at $lfw (set VIGIL_TEST_DATA): skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

python3 - "$lfw/pairs.txt" "$tmp/pairs.txt" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
folds, per = map(int, lines[0].split())
out = ["2 40"]
for f in range(2):
    block = lines[1 + f * 2 * per: 1 + (f + 1) * 2 * per]
    out += block[:40] + block[per:per + 40]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
mkdir -p "$tmp/svg" "$tmp/lfw/images_deepfunneled"
"$vigil" --json eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --svg "$tmp/svg" --bootstrap 300 \
  > "$tmp/v.json" 2> "$tmp/v.err" || bad "eval verify: $(cat "$tmp/v.err")"
"$vigil" --json eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --bootstrap 300 > "$tmp/v2.json" 2>/dev/null
head -60 "$lfw/lfw-names.txt" > "$tmp/lfw/lfw-names.txt"
cut -f1 "$tmp/lfw/lfw-names.txt" | while read -r n; do ln -s "$lfw/images_deepfunneled/$n" "$tmp/lfw/images_deepfunneled/$n"; done
"$vigil" --json eval search --lfw "$tmp/lfw" --watchlist-size 10 --svg "$tmp/svg" --bootstrap 300 \
  > "$tmp/s.json" 2> "$tmp/s.err" || bad "eval search: $(cat "$tmp/s.err")"
python3 - "$tmp/v.json" "$tmp/v2.json" "$tmp/s.json" "$tmp/svg" <<'PY' && ok || bad "intervals and curves"
import json, os, sys, xml.etree.ElementTree as ET
v, v2, s = (json.load(open(p)) for p in sys.argv[1:4])
svg = sys.argv[4]
def inside(c, name):
    lo, hi = c["ci95"]
    assert lo is not None and lo <= c["value"] <= hi, (name, c)
b = v["bootstrap"]
assert b["replicates"] == 300 and v["pairs"] == 160, v
for k in ("eer", "auc", "tar_at_far_1e-3"):
    inside(b[k], k)
assert 0 <= b["eer"]["value"] < 0.2 and abs(b["auc"]["value"] - v["auc"]) < 1e-12, b
assert v2["bootstrap"] == {**b, "svg": None}, (v2["bootstrap"], b)
bs = s["bootstrap"]
assert bs["cleaned"] is None  # no known-label-errors.txt in the subset
for part in ("raw",):
    f = bs[part]
    inside(f["rank1"], part + " rank1"); inside(f["eer"], part + " eer")
    assert [p["fpir_target"] for p in f["fnir"]] == ["1 %", "0.1 %", "1/6000"], f
    for p in f["fnir"]:
        inside(p, part + " fnir")
assert abs(bs["raw"]["rank1"]["value"] - s["rank1"]) < 1e-12
for p, q in zip(bs["raw"]["fnir"], s["raw"]["points"]):
    assert abs(p["value"] - q["fnir"]) < 1e-12, (p, q)
names = sorted(b["svg"] + bs["svg"])
assert names == sorted(os.listdir(svg)) == ["search-det.svg", "search-roc.svg", "verify-det.svg", "verify-roc.svg"], names
ns = "{http://www.w3.org/2000/svg}"
for n in names:
    root = ET.parse(os.path.join(svg, n)).getroot()
    lines = root.findall(ns + "polyline")
    assert len(lines) == 1, n
    pts = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    assert len(pts) > 10, (n, len(pts))
    frame = root.findall(ns + "rect")[1]
    x0, y0 = float(frame.get("x")), float(frame.get("y"))
    x1, y1 = x0 + float(frame.get("width")), y0 + float(frame.get("height"))
    assert all(x0 - 0.1 <= x <= x1 + 0.1 and y0 - 0.1 <= y <= y1 + 0.1 for x, y in pts), n
    assert ("ROC" if "roc" in n else "DET") in ET.tostring(root, encoding="unicode"), n
PY
out=$("$vigil" eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --bootstrap 50 2>&1)
grep -q "EER .* (.* to .*)" <<<"$out" && ok || bad "text output of verify: $out"
out=$("$vigil" eval verify --lfw "$lfw" --bootstrap 0 2>&1); rc=$?
[ $rc = 2 ] && grep -q "bootstrap takes" <<<"$out" && ok || bad "--bootstrap 0: $out"
out=$("$vigil" eval verify --lfw "$lfw" --pairs "$tmp/pairs.txt" --svg "$tmp/nowhere/x" --bootstrap 5 2>&1); rc=$?
[ $rc != 0 ] && grep -q "cannot write" <<<"$out" && ok || bad "unwritable --svg: $rc $out"

echo "eval curves: $passes passed, $fails failed"
[ "$fails" = 0 ]
