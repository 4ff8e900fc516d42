#!/usr/bin/env bash
# test_eval_groups_cache.sh — `vigil eval groups --cache FILE` and the scoring
# variants of issue 16, on a few LFW people: the first 10 women and 10 men of
# ../shared/data/lfw/groups/gender-dev.csv with four or more photos (their
# first four) and 60 unlabelled people with one photo (the normalisation
# cohort). A run with --cache embeds once and writes the file; a second run
# reads every embedding from it and gives the same figures as a run without
# the cache; a damaged file, and a cache of another model, are refused with a
# clear error and left as they were. Then the variants: --enrol 2 scores the
# same probes as --enrol 1 --probes-after 2, and --match-fmr sets the
# threshold at the pooled rate asked for. Skips (77) without the data.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
lfw=${VIGIL_TEST_DATA:-}/lfw
labels=$lfw/groups/gender-dev.csv
[ -f "$lfw/lfw-names.txt" ] && [ -f "$labels" ] || { echo "LFW or its labels not found (set VIGIL_TEST_DATA): skipping"; exit 77; }
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

python3 - "$lfw" "$labels" "$tmp" <<'PY'
import os, sys
lfw, labels, tmp = sys.argv[1:]
lfw = os.path.abspath(lfw)
lab = dict(l.strip().split(",") for l in open(labels) if l.strip() and not l.startswith("person,"))
people = [l.split() for l in open(os.path.join(lfw, "lfw-names.txt")) if l.strip()]
multi = sorted(n for n, c in people if int(c) >= 4 and n in lab)
kept = [n for n in multi if lab[n] == "female"][:10] + [n for n in multi if lab[n] == "male"][:10]
cohort = sorted(n for n, c in people if int(c) == 1 and n not in lab)[:60]
with open(os.path.join(tmp, "labels.csv"), "w") as f:
    f.write("person,group\n")
    for n in kept:
        f.write("%s,%s\n" % (n, lab[n]))
for n in kept + cohort:
    d = os.path.join(tmp, "set", n)
    os.makedirs(d)
    for k in range(1, 5 if n in kept else 2):
        f = "%s_%04d.jpg" % (n, k)
        os.symlink(os.path.join(lfw, "images_deepfunneled", n, f), os.path.join(d, f))
PY
set_=$tmp/set
run() { "$vigil" --json eval groups --dataset "$set_" --labels "$tmp/labels.csv" --min-subjects 5 --bootstrap 200 "$@"; }

# usage
check 2 "--probes-after 1 is below --enrol 2" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --enrol 2 --probes-after 1
check 2 "--norm takes none, probe or both" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --norm z
check 2 "--fusion takes max or mean" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --fusion min
check 2 "both set the threshold" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --threshold 0.3 --match-fmr 0.01
check 2 "--match-fmr takes a rate in \(0, 1\)" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --match-fmr 1

# first run: embeds everything (the cohort too, with --norm) and writes the cache
run --cache "$tmp/c.bin" --norm probe --cohort-top 10 > "$tmp/first.json" 2> "$tmp/first.err" || bad "first run: $(cat "$tmp/first.err")"
[ -s "$tmp/c.bin" ] && ok || bad "no cache written"
# second: every image from the cache (text output says so), the same figures
"$vigil" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --min-subjects 5 --bootstrap 200 --cache "$tmp/c.bin" \
  --norm probe --cohort-top 10 > "$tmp/second.txt" 2>&1 || bad "second run: $(tail -3 "$tmp/second.txt")"
grep -Eq "^140 images from the cache .*, embedding 0 with" "$tmp/second.txt" && ok || bad "second run embedded again: $(head -2 "$tmp/second.txt")"
run --cache "$tmp/c.bin" --norm probe --cohort-top 10 > "$tmp/second.json" 2>/dev/null
# default scoring from the cache and without it (labelled people only: the cohort is not embedded)
run --cache "$tmp/c.bin" > "$tmp/cached.json" 2>/dev/null || bad "cached default run"
run > "$tmp/fresh.json" 2>/dev/null || bad "fresh default run"
python3 - "$tmp" <<'PY' && ok || bad "figures from the cache as without it"
import json, sys
t = sys.argv[1]
first, second, cached, fresh = (json.load(open("%s/%s.json" % (t, n))) for n in ("first", "second", "cached", "fresh"))
def figs(d):
    return [(g["group"], g["mated"], g["false_non_matches"], g["nonmated"], g["false_matches"], g["fnmr"], g["fmr"],
             g["mated_scores"], g["nonmated_scores"], g["front_end"]) for g in d["groups"]]
assert figs(first) == figs(second), "norm probe: first and second"
assert figs(cached) == figs(fresh), "default: cached and fresh"
assert first["scoring"]["norm"] == "probe" and 55 <= first["scoring"]["cohort"] <= 60, first["scoring"]
assert cached["scoring"]["cohort"] == 0 and cached["images"] == fresh["images"] == 80, cached["images"]
# normalisation moves the scores down by the probes' cohort means (the mean of their 10 highest of 60)
for a, b in zip(first["groups"], cached["groups"]):
    assert 0.02 < b["mated_scores"]["mean"] - a["mated_scores"]["mean"] < 0.5, (a["mated_scores"], b["mated_scores"])
PY

# damaged and truncated files, and another model's cache: refused, unchanged
cp "$tmp/c.bin" "$tmp/keep.bin"
head -c -100 "$tmp/c.bin" > "$tmp/trunc.bin"; cp "$tmp/trunc.bin" "$tmp/trunc.keep"
check 2 "trunc.bin is damaged or truncated" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --cache "$tmp/trunc.bin"
cmp -s "$tmp/trunc.bin" "$tmp/trunc.keep" && ok || bad "a truncated cache was changed"
python3 - "$tmp/c.bin" "$tmp/other.bin" <<'PY'
import hashlib, struct, sys
b = bytearray(open(sys.argv[1], "rb").read()[:-32])
ml = struct.unpack_from("<I", b, 24)[0]
model = b[28:28 + ml].decode()
assert ":" in model, model
b[28 + ml - 1] = ord("0") if b[28 + ml - 1] != ord("0") else ord("1")  # another SHA-256
open(sys.argv[2], "wb").write(bytes(b) + hashlib.sha256(bytes(b)).digest())
PY
cp "$tmp/other.bin" "$tmp/other.keep"
check 2 "holds the embeddings of another model .*: refused" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --cache "$tmp/other.bin"
cmp -s "$tmp/other.bin" "$tmp/other.keep" && ok || bad "another model's cache was changed"
check 2 "made without flip augmentation: refused" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --cache "$tmp/c.bin" --flip
cmp -s "$tmp/c.bin" "$tmp/keep.bin" && ok || bad "the cache was changed by refused runs"
check 2 "cohort of at least 100 faces" eval groups --dataset "$set_" --labels "$tmp/labels.csv" --cache "$tmp/c.bin" --norm both --cohort-top 100

# the variants from the cache: the same probes with one and two faces enrolled, and a threshold at a pooled FMR
run --cache "$tmp/c.bin" --enrol 1 --probes-after 2 > "$tmp/e1.json" 2>/dev/null || bad "enrol 1"
run --cache "$tmp/c.bin" --enrol 2 > "$tmp/e2.json" 2>/dev/null || bad "enrol 2"
run --cache "$tmp/c.bin" --enrol 2 --fusion mean --norm both --match-fmr 0.01 > "$tmp/e2m.json" 2>/dev/null || bad "enrol 2 mean"
python3 - "$tmp" <<'PY' && ok || bad "enrolment variants"
import json, math, sys
t = sys.argv[1]
e1, e2, e2m = (json.load(open("%s/%s.json" % (t, n))) for n in ("e1", "e2", "e2m"))
for a, b in zip(e1["groups"], e2["groups"]):
    assert a["mated"] == b["mated"] > 0 and a["nonmated"] == b["nonmated"], (a["mated"], b["mated"])
    # the highest of two templates is at least the first's: the mated median does not fall
    assert b["mated_scores"]["quantiles"]["0.5"] >= a["mated_scores"]["quantiles"]["0.5"], (a, b)
assert e2["scoring"]["enrol"] == 2 and e2["scoring"]["probes_after"] == 2 and e2["scoring"]["fusion"] == "max"
s = e2m["scoring"]
assert s["match_fmr"] == 0.01 and s["norm"] == "both" and s["fusion"] == "mean", s
assert s["pooled_false_matches"] <= math.floor(0.01 * s["pooled_nonmated"]), s
assert e2m["threshold"] != 0.54
print("enrol 1:", [g["fnmr"] for g in e1["groups"]], "enrol 2:", [g["fnmr"] for g in e2["groups"]])
PY

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
