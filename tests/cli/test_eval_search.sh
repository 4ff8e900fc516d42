#!/usr/bin/env bash
# test_eval_search.sh — `vigil eval search` on a small LFW subset made here
# (symlinks into ../shared/data/lfw): 40 people from the top of lfw-names.txt
# plus every person known-label-errors.txt names, 157 images, 24 people with
# two or more. With all 24 enrolled the cleaning must exclude exactly the one
# misfiled mated image (Recep_Tayyip_Erdogan_0004, which shows Abdullah_Gul)
# and the eight non-mated images of people filed under a second name or
# showing someone enrolled. Also: usage errors, determinism of the seed, and
# the JSON shape. Skips (77) without the data.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
lfw=${VIGIL_TEST_DATA:-}/lfw
[ -f "$lfw/lfw-names.txt" ] && [ -f "$lfw/known-label-errors.txt" ] || {
  echo "LFW not found at $lfw (set VIGIL_TEST_DATA): skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

sub=$tmp/lfw
mkdir -p "$sub/images_deepfunneled"
named='Sepp_Blatter|Joseph_Blatter|Gabrielle_Rose|Martha_Bowen|Anja_Paerson|Janica_Kostelic'
named+='|Recep_Tayyip_Erdogan|Abdullah_Gul|Lane_Bryant|Roseanne_Barr|Wang_Nan|Nan_Wang|John_Gruden'
named+='|Jon_Gruden|Hasan_Wirayuda|Hassan_Wirajuda|Sung_Hong_Choi|Choi_Sung-hong'
named+='|Mireya_Elisa_Moscoso_Rodriguez|Mireya_Moscoso'
{ head -40 "$lfw/lfw-names.txt"; grep -E "^($named)\b" "$lfw/lfw-names.txt"; } | sort -u > "$sub/lfw-names.txt"
cut -f1 "$sub/lfw-names.txt" | while read -r n; do
  ln -s "$lfw/images_deepfunneled/$n" "$sub/images_deepfunneled/$n"; done
cp "$lfw/known-label-errors.txt" "$sub/"

# usage and bad input: exit 2 with a message
check() { # STATUS PATTERN ARGS...
  local want=$1 pattern=$2; shift 2
  local out rc; out=$("$vigil" "$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" <<<"$out"; then ok
  else bad "vigil $* -> $rc (want $want): $(head -3 <<<"$out")"; fi
}
check 0 "eval search --lfw DIR --watchlist-size N" eval --help
check 2 "needs --lfw DIR and --watchlist-size N" eval search --lfw "$sub"
check 2 "more than the 24 people with two or more images" eval search --lfw "$sub" --watchlist-size 25
check 2 "--watchlist-size takes" eval search --lfw "$sub" --watchlist-size 0
check 2 "--seed takes" eval search --lfw "$sub" --watchlist-size 3 --seed -4
check 2 "cannot open .*/nowhere/lfw-names.txt" eval search --lfw "$tmp/nowhere" --watchlist-size 3
printf 'Aaron_Peirsol 4\nnot-a-count x\n' > "$tmp/names-bad.txt"
mkdir -p "$tmp/badlfw" && cp "$tmp/names-bad.txt" "$tmp/badlfw/lfw-names.txt"
check 2 "lfw-names.txt:2: expected 'NAME COUNT'" eval search --lfw "$tmp/badlfw" --watchlist-size 1

# the whole subset enrolled: every count is known
"$vigil" eval search --lfw "$sub" --watchlist-size 24 --json > "$tmp/all.json" 2> "$tmp/all.err" \
  || bad "eval search --watchlist-size 24: $(cat "$tmp/all.err")"
python3 - "$tmp/all.json" <<'EOF' && ok || bad "eval search JSON (all enrolled)"
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["protocol"] == "lfw-open-set" and d["watchlist_size"] == 24 and d["seed"] == 1, d
assert d["images"] == 157 and d["mated_searches"] == 157 - 35 - 24 and d["nonmated_searches"] == 35, d
assert d["images_without_face"] == 0 and d["enrolment_failures"] == 0, d
assert 0.9 <= d["rank1"] <= d["rank5"] <= 1, d
c = d["cleaned"]
assert c["excluded_mated"] == 1 and c["excluded_nonmated"] == 8, c
assert c["mated"] == d["mated_searches"] - 1 and c["nonmated"] == 27, c
for part in (d["raw"], c):
    pts = part["points"]
    assert [p["fpir_target"] for p in pts] == ["1 %", "0.1 %", "1/6000"], pts
    for p in pts:
        assert 0 <= p["fnir"] <= 1 and p["fpir"] <= p["fpir_target_value"] + 1e-12, p
        assert p["nonmated_alarms"] <= math.floor(p["fpir_target_value"] * p["nonmated"] + 1e-9), p
# the raw top non-mated searches are the label errors, and cleaning removes them
top = d["highest_nonmated"]
assert top[0]["image"] == "Hasan_Wirayuda/Hasan_Wirayuda_0001.jpg" and top[0]["excluded_when_cleaned"], top[0]
assert top[0]["candidate"] == "Hassan_Wirajuda", top[0]
assert c["points"][2]["fnir"] < d["raw"]["points"][2]["fnir"], (c, d["raw"])
EOF

# the seed picks the people: same seed, same figures; the text report names each point
"$vigil" eval search --lfw "$sub" --watchlist-size 10 --seed 7 > "$tmp/a.txt" 2>/dev/null || bad "seed 7 run"
"$vigil" eval search --lfw "$sub" --watchlist-size 10 --seed 7 > "$tmp/b.txt" 2>/dev/null || bad "seed 7 rerun"
if diff <(grep -v '^time' "$tmp/a.txt") <(grep -v '^time' "$tmp/b.txt") > /dev/null; then ok
else bad "same seed, different report"; fi
for w in "10 people enrolled .*seed 7" "FPIR 1 % " "FPIR 0.1 % " "FPIR 1/6000 " "^rank-1 " "^cleaned"; do
  grep -Eq -- "$w" "$tmp/a.txt" && ok || bad "text report lacks '$w'"
done
"$vigil" eval search --lfw "$sub" --watchlist-size 10 --seed 8 --json > "$tmp/c.json" 2>/dev/null || bad "seed 8"
python3 - "$tmp/c.json" "$tmp/all.json" <<'EOF' && ok || bad "seed 8 changes the watch list"
import json, sys
c, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert c["seed"] == 8 and c["watchlist_size"] == 10
assert c["mated_searches"] + c["nonmated_searches"] + 10 == a["images"], c
EOF

# without known-label-errors.txt: raw only, said so
rm "$sub/known-label-errors.txt"
"$vigil" eval search --lfw "$sub" --watchlist-size 5 > "$tmp/raw.txt" 2>/dev/null || bad "no label errors file"
grep -q "cleaned: not computed" "$tmp/raw.txt" && ok || bad "missing label-errors file not reported"

echo "eval search: $passes passed, $fails failed"
[ "$fails" = 0 ]
