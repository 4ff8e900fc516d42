#!/usr/bin/env bash
# test_pg_dump.sh — the PostgreSQL store's backup, as the README documents
# it (issue 19: `vigil backup` is SQLite's; a shared store is backed up with
# PostgreSQL's own tools): a store with a watch list, an enrolled subject and
# its audit chain is dumped with pg_dump -Fc, restored with pg_restore into
# a new database, and the restored store opens with the same key file,
# lists the same subject, verifies its whole audit chain and passes
# `vigil doctor`. Runs against a PostgreSQL server of its own
# (tests/store/with_postgres.sh); skips (77) without it or the demo images.
set -u
here=$(cd "$(dirname "$0")" && pwd)
media=${VIGIL_SRC:-$here/../..}/deps/media
[ -f "$media/astronaut.png" ] || { echo "SKIPPED: deps/media/astronaut.png is missing (scripts/bootstrap)"; exit 77; }
for t in pg_dump pg_restore psql; do
  command -v "$t" >/dev/null || { echo "SKIPPED: $t is not installed (postgresql-client-15)"; exit 77; }
done
if [ -z "${VIGIL_TEST_PG:-}" ]; then
  exec bash "$here/../store/with_postgres.sh" bash "$0" "$@"
fi
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
base=${VIGIL_TEST_PG%/*}
for d in vigil_live vigil_restored; do
  psql -X -q -d "$VIGIL_TEST_PG" -c "CREATE DATABASE $d" >/dev/null || { echo "cannot create $d"; exit 1; }
done
export VIGIL_KEY=$tmp/vigil.key VIGIL_ACTOR=test-admin VIGIL_SIGN_KEY=$tmp/sign.key

VIGIL_DB=$base/vigil_live "$vigil" watchlist create wanted --reason "Operation Test" \
  --authorised-by "Supt A. Example" >/dev/null || { echo "cannot create the list"; exit 1; }
VIGIL_DB=$base/vigil_live "$vigil" subject add wanted --name "Eileen Collins (demo)" \
  --photo "$media/astronaut.png" >/dev/null || { echo "cannot enrol"; exit 1; }
live_entries=$(psql -X -At -d "$base/vigil_live" -c "SELECT count(*) FROM audit")

# the documented backup and restore
pg_dump -Fc -d "$base/vigil_live" -f "$tmp/vigil.dump" && ok || bad "pg_dump failed"
pg_restore --no-owner -d "$base/vigil_restored" "$tmp/vigil.dump" && ok || bad "pg_restore failed"

export VIGIL_DB=$base/vigil_restored
[ "$(psql -X -At -d "$VIGIL_DB" -c "SELECT count(*) FROM audit")" = "$live_entries" ] && ok \
  || bad "the restored audit chain has not the live one's $live_entries entries"
out=$("$vigil" subject list wanted 2>&1) && grep -q "Eileen Collins (demo)" <<<"$out" && ok \
  || bad "the restored store does not list the subject: $out"
out=$("$vigil" audit verify 2>&1) && ok || bad "audit verify on the restored store: $out"
out=$("$vigil" doctor 2>&1); rc=$?
{ [ "$rc" -le 1 ] && grep -Eq "ok +database +PostgreSQL store opens" <<<"$out"; } && ok \
  || bad "doctor on the restored store -> $rc: $out"
# the restored copy is a store of its own: a change there leaves the live one alone
"$vigil" watchlist create restored-only --reason "Operation Test" --authorised-by "Supt A. Example" >/dev/null \
  && [ "$(psql -X -At -d "$base/vigil_live" -c "SELECT count(*) FROM watchlist")" = 1 ] && ok \
  || bad "a change to the restored store reached the live one"

echo "pg_dump backup: $passes passed, $fails failed"
[ "$fails" = 0 ]
