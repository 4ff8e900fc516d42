#!/usr/bin/env bash
# test_doctor_backup.sh — `vigil doctor` (exit 0 on a sound install, and 2
# with the check named for each fault it looks for: a corrupt model, a
# missing model directory, a key file readable by others, a missing key, a
# missing database, a corrupt database, a newer schema) and `vigil backup` /
# `vigil restore`: an online backup while `vigil serve` runs, the key file
# named and not copied, no overwrite, a restore refused while the store is
# open and refused with the wrong key (the database unchanged), then a
# restore that brings the old content back. Exit 77 without the models.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
models=${VIGIL_MODELS:?VIGIL_MODELS is set by CTest}
[ -f "$models/fr_feature.onnx" ] || { echo "default pack absent from $models: skipping"; exit 77; }
tmp=$(mktemp -d)
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0 passes=0
cd "$tmp"

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
check() { local name=$1; shift; if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi; }

db=$tmp/state/vigil.db
mkdir -p state
export VIGIL_DB=$db
unset VIGIL_KEY

# --- doctor -------------------------------------------------------------------
expect 2 "FAIL +database .*No such file" -- doctor
expect 0 "" -- watchlist create north --reason "test" --authorised-by "Supt Test"
expect 0 "^ok +models +4 models match.*
ok +onnxrt +ONNX Runtime 1\.[0-9.]+ loaded
ok +database .*integrity ok, schema [0-9]+
ok +wal +[0-9]+ bytes
ok +key .*mode 0600, opens the store
ok +sign-key .*none yet.*
ok +clock .*
ok +disk +[0-9]+ MiB free" -- doctor
expect 1 '"check":"disk","result":"warn"' -- --json doctor --disk-warn-mib 1000000000
expect 2 "doctor: unexpected|takes" -- doctor --wal-warn-mib 0

# a corrupt model: one byte changed in a copy of the pack
cp -r "$models" pack
printf '\x55' | dd of=pack/fr_feature.onnx bs=1 seek=4096 conv=notrunc status=none
expect 2 "FAIL +models +embedder .*fr_feature.onnx: (unknown|mismatch)" -- --models pack doctor
expect 2 "FAIL +models .*(No such|cannot|not)" -- --models "$tmp/none" doctor

# the audit checkpoints' signing key: made by the first checkpoint, then
# its mode
expect 0 "" -- audit checkpoint --file "$tmp/checkpoints"
expect 0 "ok +sign-key .*mode 0600, public key [0-9a-f]{16}" -- doctor
chmod 0644 "$db.sign.key"
expect 2 "FAIL +sign-key .*mode 0644: readable by others" -- doctor
chmod 0600 "$db.sign.key"

# the key file's mode, then no key file
chmod 0644 "$db.key"
expect 2 "FAIL +key +.*mode 0644.*chmod 600" -- doctor
chmod 0600 "$db.key"
mv "$db.key" keep.key
expect 2 "FAIL +key .*No such file" -- doctor
mv keep.key "$db.key"
expect 0 "" -- doctor

# a corrupt database (a copy, pages overwritten), and a newer schema
cp "$db" bad.db && cp "$db.key" bad.db.key
dd if=/dev/urandom of=bad.db bs=4096 seek=2 count=4 conv=notrunc status=none
expect 2 "FAIL +database .*(corrupt|not a readable|malformed)" -- --db bad.db doctor
cp "$db" new.db && cp "$db.key" new.db.key
sqlite3 new.db "INSERT INTO schema_version (version, applied_at) VALUES (9999, 0)" 2>/dev/null \
  || python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('INSERT INTO schema_version (version, applied_at) VALUES (9999, 0)'); c.commit()" new.db
expect 2 "FAIL +database .*schema 9999, newer" -- --db new.db doctor

# --- backup and restore -----------------------------------------------------------
"$vigil" serve --listen 127.0.0.1:0 >serve.log 2>&1 &
serve_pid=$!
for _ in $(seq 600); do grep -q "console http" serve.log && break; sleep 0.1; done
check "serve started" grep -q "console http" serve.log
expect 0 "backed up .*vigil.db to .*b1.db \([0-9]+ pages\)
the key file is NOT in the backup: keep a copy of .*vigil.db.key apart" -- backup "$tmp/b1.db"
check "the backup is a file of its own" test -s b1.db
check "no key in the backup's place" test ! -e b1.db.key
check "no temporary file left" test ! -e b1.db.tmp
expect 1 "exists already" -- backup "$tmp/b1.db"
expect 2 "" -- backup
expect 1 "database .*no-such.db: No such file" -- --db "$tmp/no-such.db" backup "$tmp/b2.db"
check "no backup of a missing database" test ! -e b2.db
expect 1 "use pg_dump" -- --db postgresql://u:p@127.0.0.1:1/x backup "$tmp/b3.db"

expect 0 "" -- watchlist create south --reason "after the backup" --authorised-by "Supt Test"
expect 1 "in use.*stop every vigil process" -- restore "$tmp/b1.db"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=
expect 0 "south" -- watchlist list

# the wrong key: refused, nothing changed
head -c 32 /dev/urandom > wrong.key && chmod 600 wrong.key
expect 2 "does not open with key file .*wrong.key" -- --key "$tmp/wrong.key" restore "$tmp/b1.db"
expect 0 "south" -- watchlist list
expect 2 "not a sound vigil database|not a readable" -- restore "$tmp/serve.log"
expect 1 "backup .*none.db: No such file" -- restore "$tmp/none.db"
expect 0 "south" -- watchlist list
check "no restore temporary left" test -z "$(ls state | grep restore-tmp)"

expect 0 "restored .*vigil.db from .*b1.db \(key file .*vigil.db.key\)" -- restore "$tmp/b1.db"
expect 0 "north" -- watchlist list
out=$("$vigil" watchlist list 2>&1)
check "the list made after the backup is gone" test -z "$(grep south <<<"$out")"
expect 0 "ok +database" -- doctor

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
