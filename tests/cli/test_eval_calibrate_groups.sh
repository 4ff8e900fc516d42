#!/usr/bin/env bash
# test_eval_calibrate_groups.sh — `vigil eval calibrate --labels CSV`: the
# one threshold at which every group's false-alert rate, not only the pooled
# one, is at most the target. The data: every 16th person of
# ../shared/data/lfw/groups/gender-dev.csv, first image only (symlinks;
# about 185 people, so one embedding each keeps the test short), a watch
# list of 20, 1 false alert in 50 faces. Checked:
#   - the pooled figures do not depend on the labels;
#   - with the real labels: each group's searches above the chosen
#     threshold are within the target, the threshold is the highest of the
#     pooled and the groups' own thresholds, and every rate lies in its
#     interval;
#   - labels that put the people of the five highest non-mated searches
#     (found by a first run without labels) in a small group of their own:
#     that group's own threshold is its highest score, above the pooled one,
#     and it decides the threshold (so the pooled rule alone would not have
#     kept it under the target);
#   - --export writes the labels file's SHA-256 and each group's scores
#     (their merging: tests/match/test_match_calib.c); --save audits
#     "with_groups";
#   - a deployment with the pooled threshold is refused by `vigil run` for
#     the group (the calibration was made with groups), and its paperwork
#     says the calibration was made with groups;
#   - a bad labels file is refused and nothing is written.
# Skips (77) without the data.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
lfw=$data/lfw asl=$data/video/asl
[ -f "$lfw/groups/gender-dev.csv" ] || { echo "LFW labels not found at $lfw (set VIGIL_TEST_DATA): skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

python3 - "$lfw" "$tmp" <<'PY'
import os, sys
lfw, tmp = sys.argv[1:]
rows = [l.strip().split(",") for l in open(os.path.join(lfw, "groups", "gender-dev.csv")) if l.strip()][1:][::16]
with open(os.path.join(tmp, "labels.csv"), "w") as f:
    f.write("person,group\n")
    for n, g in rows:
        os.makedirs(os.path.join(tmp, "set", n))
        os.symlink(os.path.join(lfw, "images_deepfunneled", n, n + "_0001.jpg"),
                   os.path.join(tmp, "set", n, n + "_0001.jpg"))
        f.write("%s,%s\n" % (n, g))
PY
args=(eval calibrate --dataset "$tmp/set" --crowd 50 --max-false-alerts 1 --watchlist-size 20 --bootstrap 100)

# bad labels: refused, nothing written
printf 'person,group\nNobody_Here\n' > "$tmp/bad.csv"
out=$("$vigil" "${args[@]}" --labels "$tmp/bad.csv" --export "$tmp/bad.txt" 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "bad.csv:2: expected 'person,group'" <<<"$out" && [ ! -e "$tmp/bad.txt" ] && ok \
  || bad "bad labels file: $rc $out"

"$vigil" --json "${args[@]}" --labels "$tmp/labels.csv" --export "$tmp/cal.txt" > "$tmp/real.json" 2> "$tmp/err" \
  || bad "calibrate --labels: $(cat "$tmp/err")"
python3 - "$tmp/real.json" "$tmp/labels.csv" "$tmp/top.csv" <<'PY' && ok || bad "with the real labels"
import json, math, os, sys
r = json.load(open(sys.argv[1]))
ps = rs = r["sizes"][0]
g = rs["with_groups"]
names = sorted(x["group"] for x in g["groups"])
assert names == ["female", "male"], names
assert sum(x["nonmated"] for x in g["groups"]) + g["unlabelled_nonmated"] == rs["nonmated"], g
t = g["threshold"]
assert t == max([g["pooled_threshold"]] + [x["own_threshold"] for x in g["groups"]]), g
for x in g["groups"] + [g]:
    v, (lo, hi) = x["false_alert_rate"]["value"], x["false_alert_rate"]["ci95"]
    assert lo <= v <= hi and v <= 1 / 50 + 1e-12, x
for x in g["groups"]:
    assert x["alarms"] <= math.floor(x["nonmated"] / 50), x
    print(x["group"], x["nonmated"], "own", x["own_threshold"], "alarms", x["alarms"])
print("threshold", t, "pooled", g["pooled_threshold"], "decided by", g["decided_by"])
# the people of the five highest non-mated searches, with 15 more, make a group of their own
top = [os.path.basename(os.path.dirname(h["image"])) for h in ps["highest_nonmated"]]
rows = [l.strip().split(",") for l in open(sys.argv[2])][1:]
rest = [n for n, _ in rows if n not in top]
with open(sys.argv[3], "w") as f:
    for n in top + rest[:15]:
        f.write("%s,hi\n" % n)
    for n in rest[15:]:
        f.write("%s,lo\n" % n)
PY
sha=$(sha256sum "$tmp/labels.csv" | cut -d' ' -f1)
sed -n 3p "$tmp/cal.txt" | grep -qx "groups $sha" && [ "$(grep -c '^group female size 20 \|^group male size 20 ' "$tmp/cal.txt")" = 2 ] \
  && ok || bad "the export holds the labels file's hash and each group: $(head -c 300 "$tmp/cal.txt")"

"$vigil" --json "${args[@]}" --labels "$tmp/top.csv" --save > "$tmp/top.json" 2> "$tmp/err" \
  || bad "calibrate --labels top: $(cat "$tmp/err")"
python3 - "$tmp/real.json" "$tmp/top.json" <<'PY' && ok || bad "a group of the highest non-mated searches decides the threshold"
import json, sys
p, r = (json.load(open(f)) for f in sys.argv[1:])
ps, g = p["sizes"][0], r["sizes"][0]["with_groups"]
hi = next(x for x in g["groups"] if x["group"] == "hi")
assert hi["nonmated"] <= 20 and hi["alarms"] == 0, hi
# 20 searches at 1 in 50: none may be above, so its own threshold is its highest score, the data set's highest
assert abs(hi["own_threshold"] - ps["highest_nonmated"][0]["score"]) < 1e-6, (hi, ps["highest_nonmated"][0])
# the pooled calibration does not depend on the labels
assert r["sizes"][0]["threshold"] == ps["threshold"] and r["sizes"][0]["false_alert_rate"] == ps["false_alert_rate"]
assert g["decided_by"] == "hi" and g["threshold"] > g["pooled_threshold"] == ps["threshold"], g
assert g["alarms"] == 0, g
PY
"$vigil" audit log | grep "calibration.save" | grep -q '"with_groups":true' && ok || bad "the save is audited with groups"

# a deployment at the pooled threshold: the group's rate is above the ceiling of 1 in 50 faces
if [ -f "$asl/identities.csv" ]; then
  pooled=$(python3 -c 'import json,sys; print("%.4f" % (json.load(open(sys.argv[1]))["sizes"][0]["threshold"] + 1e-4))' "$tmp/real.json")
  ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/a.png" || exit 1
  "$vigil" watchlist create asl --reason test --authorised-by test >/dev/null || exit 1
  "$vigil" subject add asl --name person_A --face 0 --min-sharpness 5 --photo "$tmp/a.png" >/dev/null || exit 1
  from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
  "$vigil" deployment create pooled --watchlist asl --from "$from" --until "$until" --camera "$asl/yes.mkv" \
    --location "High St" --authorised-by "Supt Test" --threshold "$pooled" > /dev/null || exit 1
  printf '[deployment]\nfalse_alert_ceiling = 50\n' > "$tmp/c50.ini"
  out=$("$vigil" run --no-http --deployment pooled --config "$tmp/c50.ini" 2>&1); rc=$?
  [ "$rc" = 2 ] && grep -q "refused: threshold $pooled gives group hi a calibrated false-alert rate of" <<<"$out" \
    && grep -q "made with groups" <<<"$out" && ok || bad "the pooled threshold refused for the group: $rc $out"
  out=$("$vigil" paperwork pooled --kind dpia 2>&1); rc=$?
  [ "$rc" = 0 ] && grep -q "Calibrated with groups.*yes, labels file SHA-256 [0-9a-f]\{64\}: hi " <<<"$out" && ok \
    || bad "the paperwork says with groups: $rc $(grep -i "groups" <<<"$out" | head -3)"
fi

echo "eval calibrate --labels: $passes passed, $fails failed"
[ "$fails" = 0 ]
