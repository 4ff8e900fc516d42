#!/usr/bin/env bash
# test_eval_groups.sh — `vigil eval groups` finds a differential that is
# there and none where there is none. The data set: every second one (in
# name order) of the 610 LFW people with four or more images, their first
# four each (symlinks into ../shared/data/lfw; half of them keeps the test's
# time down and still gives each group about 150 people). The labels file is made here, from the names only:
# a person is in group A when the first byte of the MD5 of the name is even,
# else in B — a split that has nothing to do with the faces, so the two
# groups should not differ. Then a differential is injected: for every
# second person of group B (in name order) the second image is replaced by
# the first image of someone not in the data set (a person LFW has one image
# of), so that one of B's mated comparisons in six fails; B's
# false-non-match rate must rise and the FNMR differential's interval must
# exclude 1. Also: the per-group DET chart (--svg), the score distributions
# and front-end figures, the warning for a group that is too small, and bad
# labels files. Skips (77) without the data.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
lfw=${VIGIL_TEST_DATA:-}/lfw
[ -f "$lfw/lfw-names.txt" ] || { echo "LFW not found at $lfw (set VIGIL_TEST_DATA): skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # STATUS PATTERN ARGS...
  local want=$1 pattern=$2; shift 2
  local out rc; out=$("$vigil" "$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" <<<"$out"; then ok
  else bad "vigil $* -> $rc (want $want): $(head -3 <<<"$out")"; fi
}

python3 - "$lfw" "$tmp" <<'PY'
import hashlib, os, sys
lfw, tmp = sys.argv[1:]
people = [l.split() for l in open(os.path.join(lfw, "lfw-names.txt")) if l.strip()]
kept = sorted(n for n, c in people if int(c) >= 4)[::2]
singles = sorted(n for n, c in people if int(c) == 1)
labels = {n: "A" if hashlib.md5(n.encode()).digest()[0] % 2 == 0 else "B" for n in kept}
with open(os.path.join(tmp, "labels.csv"), "w") as f:
    f.write("person,group\n")
    for n in kept:
        f.write("%s,%s\n" % (n, labels[n]))
b = [n for n in kept if labels[n] == "B"]
for ds in ("clean", "injected"):
    for n in kept:
        d = os.path.join(tmp, ds, n)
        os.makedirs(d)
        for k in range(1, 5):
            src = os.path.join(lfw, "images_deepfunneled", n, "%s_%04d.jpg" % (n, k))
            if ds == "injected" and k == 2 and n in b[::2]:
                s = singles[b.index(n)]
                src = os.path.join(lfw, "images_deepfunneled", s, "%s_0001.jpg" % s)
            os.symlink(src, os.path.join(d, "%s_%04d.jpg" % (n, k)))
PY

check 0 "--labels CSV" eval groups --help
check 2 "needs --lfw DIR or --dataset DIR, and --labels CSV" eval groups --dataset "$tmp/clean"
printf 'person,group\nAaron_Peirsol\n' > "$tmp/bad1.csv"
check 2 "bad1.csv:2: expected 'person,group'" eval groups --dataset "$tmp/clean" --labels "$tmp/bad1.csv"
printf 'Aaron_Peirsol,A\nAaron_Peirsol,B\n' > "$tmp/bad2.csv"
check 2 "Aaron_Peirsol is labelled twice" eval groups --dataset "$tmp/clean" --labels "$tmp/bad2.csv"
printf 'Aaron_Peirsol,A\nAbdullah_Gul,A\n' > "$tmp/bad3.csv"
check 2 "at least 2 are needed" eval groups --dataset "$tmp/clean" --labels "$tmp/bad3.csv"
check 2 "cannot open the labels file" eval groups --dataset "$tmp/clean" --labels "$tmp/none.csv"

# the operating point: 0.3, where both error kinds are frequent enough to compare
for ds in clean injected; do
  mkdir -p "$tmp/svg-$ds"
  "$vigil" --json eval groups --dataset "$tmp/$ds" --labels "$tmp/labels.csv" --threshold 0.3 --svg "$tmp/svg-$ds" \
    > "$tmp/$ds.json" 2> "$tmp/$ds.err" || bad "eval groups $ds: $(cat "$tmp/$ds.err")"
done
# --svg: well-formed, one DET curve a group, each with the threshold's point at its FMR and FNMR
python3 - "$tmp/svg-injected/groups-det.svg" "$tmp/injected.json" <<'PY' && ok || bad "the DET chart per group"
import json, math, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
d = json.load(open(sys.argv[2]))
ns = "{http://www.w3.org/2000/svg}"
curves = root.findall(ns + "polyline"); dots = root.findall(ns + "circle")
assert len(curves) == len(d["groups"]) == 2 and len(dots) == 2, (len(curves), len(dots))
texts = [t.text or "" for t in root.iter(ns + "text")]
for g in d["groups"]:
    assert any(t.startswith(g["group"] + " (") for t in texts), (g["group"], texts)
assert any("threshold 0.300" in t for t in texts), texts
# the curves' pixels: B's (injected misses) lies above A's at the threshold's FMR, as the dots do
ya, yb = (float(c.get("cy")) for c in dots)
assert yb < ya, (ya, yb)  # higher FNMR is nearer the top
for c in curves:
    pts = [tuple(map(float, p.split(","))) for p in c.get("points").split()]
    assert len(pts) > 100 and all(math.isfinite(x) and math.isfinite(y) for x, y in pts)
    assert all(pts[i][0] <= pts[i + 1][0] + 1e-9 for i in range(len(pts) - 1)), "x ascending (FMR)"
PY
python3 - "$tmp/clean.json" "$tmp/injected.json" <<'PY' && ok || bad "differential absent, then injected and found"
import json, sys
c, j = (json.load(open(p)) for p in sys.argv[1:])
for d in (c, j):
    assert d["protocol"] == "groups" and [g["group"] for g in d["groups"]] == ["A", "B"], d
    for g in d["groups"]:  # score distributions: every comparison counted, quantiles in order
        for k, n in (("mated_scores", "mated"), ("nonmated_scores", "nonmated")):
            s = g[k]; q = [s["quantiles"][x] for x in ("0.001", "0.01", "0.05", "0.25", "0.5", "0.75", "0.95", "0.99", "0.999")]
            assert s["n"] == g[n] and q == sorted(q) and q[0] - 0.001 <= s["mean"] <= q[-1] + 0.001, (k, s)
        assert g["mated_scores"]["mean"] > g["nonmated_scores"]["mean"] + 0.2, g
        fe = g["front_end"]  # the front end per group: every image counted, figures of the faces found
        assert 0 <= fe["without_face"] < fe["images"] and fe["context_pass"] <= fe["images"], fe
        f = fe["faces"]
        assert 0 < f["quality"]["median"] <= 1 and f["eye_distance_px"]["median"] > 20, f
        assert 0 <= f["abs_yaw"]["median"] <= 1 and 0 < f["brightness"]["median"] < 255, f
        assert 0 <= f["landmark_drift"]["median"] < 0.5 and f["sharpness"]["median"] > 0, f
    assert sum(g["front_end"]["images"] for g in d["groups"]) == d["images"], d["images"]
    assert sum(g["front_end"]["without_face"] for g in d["groups"]) == d["images_without_face"]
    assert all(g["subjects"] > 120 for g in d["groups"]), d["groups"]
    for g in d["groups"]:
        for k in ("fmr", "fnmr"):
            lo, hi = g[k]["ci95"]
            assert lo <= g[k]["value"] <= hi, g
def show(tag, d):
    for g in d["groups"]:
        print(tag, g["group"], "FNMR %.4f %s FMR %.3g %s" % (g["fnmr"]["value"], g["fnmr"]["ci95"], g["fmr"]["value"], g["fmr"]["ci95"]))
    for k in ("fmr_differential", "fnmr_differential"):
        print(tag, k, d[k])
show("clean", c); show("injected", j)
# no differential between groups made from a hash of the names
for k in ("fmr_differential", "fnmr_differential"):
    assert not c[k]["significant"] and c[k]["ci95"][0] <= 1, c[k]
# the injected one: B's FNMR up by about one comparison in six, found
a, b = j["groups"]
assert b["fnmr"]["value"] > a["fnmr"]["value"] + 0.1, (a, b)
f = j["fnmr_differential"]
assert f["highest"] == "B" and f["significant"] and f["ci95"][0] > 1, f
# B's false-match rate is untouched by the injection except for the references it kept
assert abs(j["groups"][0]["fmr"]["value"] - c["groups"][0]["fmr"]["value"]) < 1e-12
PY

# a group too small to conclude is said so, with the reason
# (40 people of A and 12 of B, relabelled C, in a data set of their own: a third of the work)
head -1 "$tmp/labels.csv" > "$tmp/small.csv"; grep ',A$' "$tmp/labels.csv" | head -40 >> "$tmp/small.csv"
grep ',B$' "$tmp/labels.csv" | head -12 | sed 's/,B$/,C/' >> "$tmp/small.csv"
mkdir -p "$tmp/smallset"
tail -n +2 "$tmp/small.csv" | cut -d, -f1 | while read -r n; do ln -s "$tmp/clean/$n" "$tmp/smallset/$n"; done
"$vigil" eval groups --dataset "$tmp/smallset" --labels "$tmp/small.csv" --threshold 0.3 --bootstrap 200 > "$tmp/small.txt" 2>&1
grep -q "warning: group C has 12 people, fewer than 50: too few to conclude" "$tmp/small.txt" && ok \
  || bad "no small-group warning: $(cat "$tmp/small.txt")"
grep -q "people not in the data set" "$tmp/small.txt" && ok || bad "text report"

echo "eval groups: $passes passed, $fails failed"
[ "$fails" = 0 ]
