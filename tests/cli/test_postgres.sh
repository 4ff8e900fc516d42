#!/usr/bin/env bash
# test_postgres.sh — the vigil command against a PostgreSQL server, as a new
# user would point it there (--db or VIGIL_DB with a postgresql:// URL, the
# key file named with --key or VIGIL_KEY), on a server of the test's own
# (tests/store/with_postgres.sh: skipped, 77, when PostgreSQL is absent):
#  - two vigil processes creating watch lists at the same time, and (with
#    LFW) two enrolling people at the same time: every change is there once
#    and `vigil audit verify --db postgresql://…` passes;
#  - (with the demo clip) `vigil run` on a deployment stores its alert in
#    PostgreSQL, an officer adjudicates it, the report counts it;
#  - the URL's password never appears in any output;
#  - a node with the wrong key file refuses to start, clearly;
#  - a URL without a key file is refused; an unreachable server is a clear
#    error naming host and port.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${VIGIL_TEST_PG:-}" ]; then
  exec bash "$here/../store/with_postgres.sh" bash "$0" "$@"
fi
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# a database of its own on the test server
psql -X -q -d "$VIGIL_TEST_PG" -c "CREATE DATABASE vigil_cli" >/dev/null || { echo "cannot create the database"; exit 1; }
url=${VIGIL_TEST_PG%/*}/vigil_cli
pw=${url#postgresql://vigil:}; pw=${pw%%@*}
export VIGIL_DB=$url VIGIL_KEY=$tmp/vigil.key VIGIL_ACTOR=test-officer

expect() { # STATUS PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  local out rc
  out=$("$vigil" "$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ] || { [ -n "$pattern" ] && ! grep -Eq -- "$pattern" <<<"$out"; }; then
    bad "vigil $* -> exit $rc (want $want), output:"; echo "$out" | head -20
  elif grep -qF -- "$pw" <<<"$out"; then
    bad "vigil $* printed the database password"
  else
    ok
  fi
}

expect 0 "watch list first created" -- watchlist create first --reason "Operation Test" --authorised-by "Supt A. Example"
[ "$(stat -c %a "$VIGIL_KEY")" = 600 ] && ok || bad "key file mode"

# two processes writing at the same time
for n in 1 2; do
  ( for i in $(seq 1 15); do
      "$vigil" --actor "node$n" watchlist create "list-$n-$i" --reason "r $n $i" --authorised-by "Supt B" >/dev/null 2>>"$tmp/errors-$n" || echo "list-$n-$i failed" >>"$tmp/errors-$n"
    done ) &
done
wait
if [ -s "$tmp/errors-1" ] || [ -s "$tmp/errors-2" ]; then bad "concurrent creations: $(cat "$tmp"/errors-*)"; else ok; fi
lists=$("$vigil" --json watchlist list 2>/dev/null | grep -c '"name"')
[ "$lists" = 31 ] && ok || bad "31 watch lists expected, found $lists"
switches=$(psql -X -At -d "$url" -c "SELECT count(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1 WHERE a.actor LIKE 'node%' AND b.actor LIKE 'node%' AND a.actor <> b.actor")
echo "two processes, 30 watch lists: $switches switches between them in the chain"
[ "$switches" -ge 1 ] && ok || bad "the two processes did not interleave"

# two processes enrolling at the same time (LFW photos through the enrolment gate)
L=${VIGIL_TEST_DATA:-}/lfw/images_deepfunneled
if [ -d "$L" ]; then
  expect 0 "watch list wanted created" -- watchlist create wanted --reason "Operation Test" --authorised-by "Supt A. Example"
  # photos with one face each
  people1=(Colin_Powell_0001 Tony_Blair_0003 Serena_Williams_0001)
  people2=(George_W_Bush_0001 Gerhard_Schroeder_0002 Jacques_Chirac_0002)
  for n in 1 2; do
    ( if [ $n = 1 ]; then people=("${people1[@]}"); else people=("${people2[@]}"); fi
      for photo in "${people[@]}"; do
        p=${photo%_*}
        "$vigil" --actor "enrol$n" subject add wanted --name "${p//_/ }" --photo "$L/$p/$photo.jpg" >/dev/null 2>>"$tmp/enrol-$n" || echo "$p failed" >>"$tmp/enrol-$n"
      done ) &
  done
  wait
  if [ -s "$tmp/enrol-1" ] || [ -s "$tmp/enrol-2" ]; then bad "concurrent enrolments: $(cat "$tmp"/enrol-*)"; else ok; fi
  n=$("$vigil" --json subject list wanted 2>/dev/null | wc -l)
  [ "$n" = 6 ] && ok || bad "6 subjects expected, found $n"
  expect 0 "1\. Tony Blair .* MATCH" -- identify "$L/Tony_Blair/Tony_Blair_0010.jpg" --watchlist wanted
else
  echo "LFW not under VIGIL_TEST_DATA: the concurrent enrolment part is left out"
fi

# the live engine writing to PostgreSQL: the demo clip, its astronaut listed
media=${VIGIL_SRC:-$here/../..}/deps/media
if [ -f "$media/demo-walk.mp4" ] && [ -f "$media/astronaut.png" ]; then
  expect 0 "created" -- watchlist create demo --reason "demo" --authorised-by "Supt A. Example"
  expect 0 "enrolled on demo" -- subject add demo --name "Eileen Collins (demo)" --photo "$media/astronaut.png"
  from=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ); until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
  expect 0 "created" -- deployment create street --watchlist demo --camera "$media/demo-walk.mp4" --location "the demo clip" --from "$from" --until "$until" --authorised-by "Supt A. Example" --signage-confirmed
  expect 0 "ALERT .*Eileen Collins" -- run --deployment street
  # (one alert in a release build; a slower sanitizer build drops frames and
  # may split her track: every alert must still be hers, and pending)
  row=$(psql -X -At -d "$url" -c "SELECT count(*) > 0, count(*) FILTER (WHERE a.state <> 'pending' OR s.name IS DISTINCT FROM 'Eileen Collins (demo)') FROM alert a LEFT JOIN subject s ON s.id = a.subject_id")
  [ "$row" = "t|0" ] && ok || bad "pending alerts for the astronaut only expected in PostgreSQL, found: $row"
  id=$(psql -X -At -d "$url" -c "SELECT min(id) FROM alert")
  expect 0 "confirmed" -- --actor "PC 1234" alert adjudicate "$id" --outcome confirmed --note "on PostgreSQL"
  expect 0 "confirmed: +1" -- report street
else
  echo "the demo clip is not in deps/media: the live engine part is left out"
fi

expect 0 "audit chain intact: [0-9]+ entries" -- audit verify --db "$url"
# the short scheme too
expect 0 "audit chain intact" -- --db "postgres://${url#postgresql://}" audit verify
# --db and --key given on the command line rather than in the environment
( unset VIGIL_DB VIGIL_KEY; "$vigil" --db "$url" --key "$tmp/vigil.key" audit verify ) >"$tmp/out" 2>&1 \
  && grep -q "audit chain intact" "$tmp/out" && ok || bad "--db URL --key: $(cat "$tmp/out")"

# the wrong key: refused, clearly, nothing written
head -c 32 /dev/urandom >"$tmp/wrong.key"; chmod 600 "$tmp/wrong.key"
before=$(psql -X -At -d "$url" -c "SELECT count(*) FROM audit")
expect 2 "the key in $tmp/wrong.key does not open database postgresql://\*\*\*@127.0.0.1:[0-9]+/vigil_cli \(wrong key file\?\)" -- --key "$tmp/wrong.key" audit verify
expect 2 "does not open database" -- --key "$tmp/wrong.key" watchlist create never --reason r --authorised-by p
after=$(psql -X -At -d "$url" -c "SELECT count(*) FROM audit")
[ "$before" = "$after" ] && ok || bad "a refused open wrote to the audit chain ($before -> $after)"

# no key file named: refused before connecting
( unset VIGIL_KEY; "$vigil" --db "$url" audit verify ) >"$tmp/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "needs its key file named" "$tmp/out" && ! grep -qF "$pw" "$tmp/out" && ok \
  || bad "no key: exit $rc: $(cat "$tmp/out")"

# an unreachable server
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect 2 "cannot connect to PostgreSQL at 127.0.0.1 port $port" -- --db "postgresql://vigil:$pw@127.0.0.1:$port/vigil" audit verify

echo "$passes passed, $fails failed"
[ $fails = 0 ]
