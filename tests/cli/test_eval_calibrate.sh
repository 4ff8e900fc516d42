#!/usr/bin/env bash
# test_eval_calibrate.sh — `vigil eval calibrate` checked against held-out
# LFW identities. The first 1 000 people of lfw-names.txt (2 100 images) are
# split by identity, by the parity of the first byte of the MD5 of the name:
# even -> calibration set, odd -> held-out set (symlinks into
# ../shared/data/lfw). The calibration picks a watch list of 20 from the
# calibration set and the threshold for 1 false alert in 50 faces; the
# held-out people, never used to calibrate, are searched against the same
# list (one face a person, as a crowd passes), and their measured
# false-alert rate must fall inside the 95 % prediction interval the
# calibration gives. Also: the interval holds the
# estimate, the threshold keeps the alarms within K/N of the calibration
# searches, --export writes a summary that --save writes to the store
# (sealed: no score in clear in the database), the same seed gives the same
# figures, and usage errors. Skips (77) without the data.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
lfw=${VIGIL_TEST_DATA:-}/lfw
[ -f "$lfw/lfw-names.txt" ] || { echo "LFW not found at $lfw (set VIGIL_TEST_DATA): skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # STATUS PATTERN ARGS...
  local want=$1 pattern=$2; shift 2
  local out rc; out=$("$vigil" "$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" <<<"$out"; then ok
  else bad "vigil $* -> $rc (want $want): $(head -3 <<<"$out")"; fi
}

mkdir -p "$tmp/cal" "$tmp/held"
head -1000 "$lfw/lfw-names.txt" | cut -f1 | python3 -c '
import hashlib, sys
for n in sys.stdin.read().split():
    print(n, "cal" if hashlib.md5(n.encode()).digest()[0] % 2 == 0 else "held")' |
while read -r n part; do ln -s "$lfw/images_deepfunneled/$n" "$tmp/$part/$n"; done

check 0 "--crowd N --max-false-alerts K" eval calibrate --help
check 2 "needs --lfw DIR or --dataset DIR" eval calibrate --dataset "$tmp/cal" --crowd 50
check 2 "--crowd takes" eval calibrate --dataset "$tmp/cal" --crowd x --max-false-alerts 1 --watchlist-size 2
check 2 "more than the crowd" eval calibrate --dataset "$tmp/cal" --crowd 5 --max-false-alerts 6 --watchlist-size 2
check 2 "--watchlist-size takes" eval calibrate --dataset "$tmp/cal" --crowd 5 --max-false-alerts 1 --watchlist-size 2,,3
check 2 "cannot open the data set folder" eval calibrate --dataset "$tmp/none" --crowd 5 --max-false-alerts 1 --watchlist-size 2
check 2 "in both the data set and --holdout" eval calibrate --dataset "$tmp/cal" --holdout "$tmp/cal" --crowd 5 --max-false-alerts 1 --watchlist-size 2

"$vigil" --json eval calibrate --dataset "$tmp/cal" --holdout "$tmp/held" --crowd 50 --max-false-alerts 1 \
  --watchlist-size 20 --export "$tmp/cal.txt" --save > "$tmp/c.json" 2> "$tmp/c.err" || bad "calibrate: $(cat "$tmp/c.err")"
python3 - "$tmp/c.json" "$tmp/cal.txt" <<'PY' && ok || bad "calibration against held-out identities"
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["protocol"] == "calibration" and d["target_rate"] == 1 / 50 and d["replicates"] == 1000, d
s = d["sizes"][0]
t, (tlo, thi) = s["threshold"], s["threshold_ci95"]
# one face a person (the default): as many searches as people
assert s["watchlist_size"] == 20 and s["nonmated"] > 400 and s["nonmated_subjects"] == s["nonmated"], s
assert tlo <= t <= thi, s
assert s["alarms"] <= math.floor(s["nonmated"] / 50), s
r = s["false_alert_rate"]
lo, hi = r["ci95"]
assert lo <= r["value"] <= hi and 0 < lo < 1 / 50 < hi < 0.1, r
h = s["holdout"]
assert h["nonmated"] > 400 and h["subjects"] == h["nonmated"], h
print("held-out rate %.4f (%d of %d), interval %.4f to %.4f, threshold %.4f" % (
    h["false_alert_rate"], h["alarms"], h["nonmated"], lo, hi, t))
assert lo <= h["false_alert_rate"] <= hi, (h, r)
# the exported summary: the model, the size, the searches, the top scores in order
lines = open(sys.argv[2]).read().split("\n")
assert lines[0] == "vigil-calibration 1" and lines[1] == "model " + d["model"], lines[:2]
f = lines[2].split()
assert f[:8] == ["size", "20", "nonmated", str(s["nonmated"]), "subjects", str(s["nonmated_subjects"]), "scores", f[7]]
top = [float(x) for x in f[8:]]
assert len(top) == int(f[7]) == min(s["nonmated"], 200) and top == sorted(top, reverse=True), f[:10]
assert sum(x > t for x in top) == s["alarms"], (t, s["alarms"])
PY
# saved in the store, sealed and audited
check 0 "calibration.save" audit log
python3 - "$VIGIL_DB" "$tmp/cal.txt" <<'PY' && ok || bad "the stored calibration is sealed"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select key, value from meta where key like 'calibration:%'").fetchall()
assert len(rows) == 1, rows
top = open(sys.argv[2]).read().split("\n")[2].split()[8].encode()
assert top not in bytes(rows[0][1]) and b"vigil-calibration" not in bytes(rows[0][1])
PY
# the same seed, the same figures; text output names the interval
mkdir -p "$tmp/small"
ls "$tmp/cal" | head -120 | while read -r n; do ln -s "$lfw/images_deepfunneled/$n" "$tmp/small/$n"; done
"$vigil" eval calibrate --dataset "$tmp/small" --crowd 50 --max-false-alerts 1 --watchlist-size 20 --bootstrap 200 > "$tmp/a.txt" 2>/dev/null
"$vigil" eval calibrate --dataset "$tmp/small" --crowd 50 --max-false-alerts 1 --watchlist-size 20 --bootstrap 200 > "$tmp/b.txt" 2>/dev/null
if diff <(grep -v '^time' "$tmp/a.txt") <(grep -v '^time' "$tmp/b.txt") >/dev/null; then ok; else bad "same seed, other figures"; fi
grep -q "threshold .* (95 % CI .* to .*) from .* non-mated searches" "$tmp/a.txt" && ok || bad "text output: $(cat "$tmp/a.txt")"

echo "eval calibrate: $passes passed, $fails failed"
[ "$fails" = 0 ]
