#!/usr/bin/env bash
# test_enrol_crash.sh — crash safety of enrolment: up to 44 subjects of two
# LFW photos each (88 photos) enrolled one `vigil subject add` at a time, and
# 20 of those processes killed with SIGKILL after a random delay. Afterwards the
# database passes PRAGMA integrity_check, the audit chain verifies, every
# subject is whole (two templates, two photos, one subject.add entry) or
# absent, and nothing is orphaned. Skips (77) without LFW.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
L=$data/lfw/images_deepfunneled
if [ -z "$data" ] || [ ! -d "$L" ]; then echo "LFW not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=bulk-loader
unset VIGIL_KEY
"$vigil" watchlist create bulk --reason "crash test" --authorised-by "test" >/dev/null || exit 1

mapfile -t people < <(awk '$2 >= 2 { print $1 }' "$data/lfw/lfw-names.txt" | head -44)
# LFW photos often show other people in the background; looking only for
# faces of 60 px and more keeps most enrolments to the subject's own face
enrol() {
  "$vigil" --min-face 60 subject add bulk --name "$1" --allow-duplicate \
    --photo "$L/$1/${1}_0001.jpg" "$L/$1/${1}_0002.jpg" >/dev/null 2>>"$tmp/err"
}
# how long one enrolment takes here (ASan or not): kills land anywhere in it
t0=$(date +%s%N); enrol "${people[0]}"; t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 )); [ "$span" -gt 0 ] || span=1
RANDOM=20261128   # a fixed seed: the same kill points each run
kills=0
for i in "${!people[@]}"; do
  [ "$i" = 0 ] && continue
  p=${people[$i]}
  enrol "$p" &
  pid=$!
  # every process is a candidate until 20 kills have landed: one that ends
  # before its kill (a photo refused, or a machine less busy than when the
  # span was measured) leaves room for the next
  if [ "$kills" -lt 20 ]; then
    # somewhere in the process's life: model loading, detection, or the write
    ms=$((RANDOM % (span * 8 / 10 + 1)))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  fi
  wait "$pid" 2>/dev/null
done
echo "one enrolment takes $span ms here; enrolment processes killed: $kills of ${#people[@]}"

fails=0
python3 - "$VIGIL_DB" <<'PY' || fails=$((fails + 1))
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = db.execute("PRAGMA integrity_check").fetchone()[0]
assert ok == "ok", ok
assert db.execute("PRAGMA foreign_key_check").fetchall() == [], "foreign keys broken"
subjects = db.execute("SELECT id FROM subject").fetchall()
for (sid,) in subjects:
    t = db.execute("SELECT count(*) FROM template WHERE subject_id = ?", (sid,)).fetchone()[0]
    p = db.execute("SELECT count(*) FROM photo WHERE subject_id = ?", (sid,)).fetchone()[0]
    # a photo the gate refuses is left out (the other is kept): 1 or 2
    # templates, each with its photo, as many as the subject.add entry
    # written in the same transaction says — never a part of an enrolment
    d = db.execute("SELECT details FROM audit WHERE action = 'subject.add' AND object = ?",
                   (f"subject:{sid}",)).fetchone()
    assert d, f"subject {sid}: no subject.add entry"
    n = json.loads(d[0])["templates"]
    assert t == p == n and t in (1, 2), f"subject {sid}: {t} templates, {p} photos, {n} enrolled"
orphans = db.execute("SELECT count(*) FROM template WHERE subject_id NOT IN (SELECT id FROM subject)").fetchone()[0]
orphans += db.execute("SELECT count(*) FROM photo WHERE subject_id NOT IN (SELECT id FROM subject)").fetchone()[0]
assert orphans == 0, f"{orphans} orphaned rows"
adds = db.execute("SELECT count(*) FROM audit WHERE action = 'subject.add'").fetchone()[0]
assert adds == len(subjects), f"{adds} subject.add entries for {len(subjects)} subjects"
print(f"{len(subjects)} subjects whole, none partial; integrity ok")
PY
"$vigil" audit verify || fails=$((fails + 1))
[ "$kills" = 20 ] || { echo "only $kills kills landed"; fails=$((fails + 1)); }
echo "crash: $((3 - fails)) passed, $fails failed"
[ "$fails" = 0 ]
