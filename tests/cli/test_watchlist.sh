#!/usr/bin/env bash
# test_watchlist.sh — watch lists as a new user drives them from the README:
# create a list, enrol people from LFW photos, identify them in other photos,
# refuse bad input without changing anything, purge the list, and check that
# the audit chain recorded every step and verifies. Skips (77) without LFW.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
data=${VIGIL_TEST_DATA:-}
L=$data/lfw/images_deepfunneled
if [ -z "$data" ] || [ ! -d "$L" ]; then echo "LFW not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test-officer
unset VIGIL_KEY
fails=0 passes=0

expect() { # STATUS PATTERN -- ARGS...
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
count_subjects() { "$vigil" --json subject list "$1" 2>/dev/null | wc -l; }

expect 0 "watch list wanted created" -- watchlist create wanted --reason "Operation Test: warrants outstanding" --authorised-by "Supt A. Example" --max-size 5
expect 1 "already exists" -- watchlist create wanted --reason r --authorised-by p
expect 2 "needs NAME, --reason and --authorised-by" -- watchlist create other --reason r
expect 2 "not a date" -- watchlist create other --reason r --authorised-by p --expires 2026-02-30
# the key file was made beside the database, readable by its owner only
[ "$(stat -c %a "$VIGIL_DB.key")" = 600 ] && passes=$((passes + 1)) || { echo "FAIL: key file mode"; fails=$((fails + 1)); }

expect 0 "enrolled on wanted with 2 templates" -- subject add wanted --name "Colin Powell" --photo "$L/Colin_Powell/Colin_Powell_0001.jpg" "$L/Colin_Powell/Colin_Powell_0002.jpg" --category "warrant" --source "custody photo 2003"
expect 0 "enrolled on wanted with 1 template" -- subject add wanted --name "Tony Blair" --photo "$L/Tony_Blair/Tony_Blair_0003.jpg"
sqlname="Robert'); DROP TABLE subject;-- <b>"
expect 0 "enrolled" -- subject add wanted --name "$sqlname" --photo "$L/George_W_Bush/George_W_Bush_0001.jpg"
expect 0 "Robert'\); DROP TABLE subject;-- <b>" -- subject list wanted
[ "$(count_subjects wanted)" = 3 ] && passes=$((passes + 1)) || { echo "FAIL: 3 subjects expected"; fails=$((fails + 1)); }

# identification: listed people in other photos, and someone not listed
expect 0 "1\. Colin Powell .* MATCH" -- identify "$L/Colin_Powell/Colin_Powell_0005.jpg" --watchlist wanted
expect 0 "1\. Tony Blair .* MATCH" -- identify "$L/Tony_Blair/Tony_Blair_0010.jpg" --watchlist wanted
out=$("$vigil" identify "$L/Serena_Williams/Serena_Williams_0001.jpg" --watchlist wanted 2>&1)
if grep -q MATCH <<<"$out"; then echo "FAIL: a stranger matched: $out"; fails=$((fails + 1)); else passes=$((passes + 1)); fi
"$vigil" --json identify "$L/Colin_Powell/Colin_Powell_0007.jpg" --watchlist wanted --top 2 | python3 -c '
import json,sys
rows=[json.loads(l) for l in sys.stdin]
c=rows[0]["candidates"]; assert len(c)==2 and c[0]["name"]=="Colin Powell" and c[0]["pass"] and c[0]["score"]>c[1]["score"], rows' \
  && passes=$((passes + 1)) || { echo "FAIL: identify --json"; fails=$((fails + 1)); }

# refusals change nothing
before=$(count_subjects wanted)
expect 2 "matches subject .*Colin Powell.*allow-duplicate" -- subject add wanted --name "Colin again" --photo "$L/Colin_Powell/Colin_Powell_0003.jpg"
expect 1 "no watch list named" -- subject add nosuchlist --name X --photo "$L/Colin_Powell/Colin_Powell_0003.jpg"
echo "not a photo" > "$tmp/notes.jpg"
expect 2 "notes.jpg" -- subject add wanted --name "Nobody" --photo "$tmp/notes.jpg"
expect 2 "--face 3 asked for, but 1 face found" -- subject add wanted --name "Nobody" --photo "${VIGIL_SRC:-.}/deps/media/astronaut.png" --face 3
expect 2 "name.* the limit is 200" -- subject add wanted --name "$(printf 'x%.0s' $(seq 1 240))" --photo "$L/Gray_Davis/Gray_Davis_0002.jpg"
expect 2 "not a date" -- subject add wanted --name "Kid" --dob 2020-13-01 --photo "$L/Gray_Davis/Gray_Davis_0002.jpg"
expect 2 "under 18.*justification" -- subject add wanted --name "Kid" --dob 2015-06-01 --photo "$L/Gray_Davis/Gray_Davis_0002.jpg"
[ "$(count_subjects wanted)" = "$before" ] && passes=$((passes + 1)) || { echo "FAIL: a refused enrolment changed the list"; fails=$((fails + 1)); }
expect 0 "enrolled" -- subject add wanted --name "Kid" --dob 2015-06-01 --justification "missing child, court order 123" --photo "$L/Gray_Davis/Gray_Davis_0002.jpg"
expect 0 "enrolled" -- subject add wanted --name "Colin again" --allow-duplicate --photo "$L/Colin_Powell/Colin_Powell_0003.jpg"
expect 2 "full" -- subject add wanted --name "One too many" --photo "$L/Hans_Blix/Hans_Blix_0002.jpg"

# removal
id=$("$vigil" --json subject list wanted | python3 -c 'import json,sys; print([json.loads(l)["id"] for l in sys.stdin if json.loads(l)["name"]=="Colin again"][0])')
expect 0 "subject $id removed" -- subject remove "$id"
expect 1 "" -- subject remove "$id"

# the key: loose permissions and a wrong key are refused, clearly
chmod 644 "$VIGIL_DB.key"
expect 2 "chmod 600" -- subject list wanted
chmod 600 "$VIGIL_DB.key"
expect 0 "" -- --db "$tmp/other.db" watchlist list
expect 2 "does not open this database|wrong key" -- --key "$tmp/other.db.key" subject list wanted

# purge, then the audit chain shows every step and verifies
expect 2 "add --yes" -- watchlist purge wanted
expect 0 "purged: 4 subjects" -- watchlist purge wanted --yes
[ "$(count_subjects wanted)" = 0 ] && passes=$((passes + 1)) || { echo "FAIL: purge left subjects"; fails=$((fails + 1)); }
log=$("$vigil" audit log 2>&1)
for action in watchlist.create subject.add templates.read identify subject.remove watchlist.purge; do
  grep -q " $action " <<<"$log" && passes=$((passes + 1)) || { echo "FAIL: no $action in the audit log"; fails=$((fails + 1)); }
done
grep -q "test-officer" <<<"$log" && passes=$((passes + 1)) || { echo "FAIL: actor missing"; fails=$((fails + 1)); }
expect 0 "audit chain intact" -- audit verify

# issue 14, point 15: text that is not UTF-8 is refused where it comes in (it
# could never be written out as JSON), and a record that cannot be written
# as JSON (a database from before that check) is an error, never left out
audit_n=$("$vigil" --json audit log | wc -l)
expect 2 "name is not valid UTF-8" -- watchlist create $'bad\xffname' --reason r --authorised-by p
expect 2 "actor is not valid UTF-8" -- --actor $'off\xc3icer' watchlist create fine --reason r --authorised-by p
expect 2 "reason is not valid UTF-8" -- watchlist create fine --reason $'r\xed\xa0\x80' --authorised-by p
[ "$("$vigil" --json audit log | wc -l)" = "$audit_n" ] && passes=$((passes + 1)) || { echo "FAIL: a refused input changed the chain"; fails=$((fails + 1)); }
expect 0 "created" -- watchlist create second --reason r --authorised-by p
sqlite3 "$VIGIL_DB" "UPDATE watchlist SET reason = CAST(x'6261642dff' AS TEXT) WHERE name = 'wanted'"
out=$("$vigil" --json watchlist list 2>"$tmp/err"); rc=$?
if [ "$rc" = 1 ] && grep -q "not valid UTF-8" "$tmp/err" && grep -q '"name":"second"' <<<"$out"; then
  passes=$((passes + 1)); else echo "FAIL: --json watchlist list with a bad record: exit $rc, $(cat "$tmp/err")"; fails=$((fails + 1)); fi
sqlite3 "$VIGIL_DB" "UPDATE audit SET actor = CAST(x'6f6666ff' AS TEXT) WHERE seq = 2"
out=$("$vigil" --json audit log 2>"$tmp/err"); rc=$?
n=$(wc -l <<<"$out")
if [ "$rc" = 1 ] && grep -q "not valid UTF-8" "$tmp/err" && [ "$n" = "$audit_n" ]; then
  passes=$((passes + 1)); else echo "FAIL: --json audit log with a bad entry: exit $rc, $n lines of $((audit_n + 1))"; fails=$((fails + 1)); fi

echo "watchlist: $passes passed, $fails failed"
[ "$fails" = 0 ]
