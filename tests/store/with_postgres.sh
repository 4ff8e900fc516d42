#!/usr/bin/env bash
# with_postgres.sh — runs a command against a PostgreSQL server of its own:
# initdb in a new temporary directory, pg_ctl start on a free port of
# 127.0.0.1 (no other address; its Unix socket in that directory), the
# command with VIGIL_TEST_PG set to the server's URL, then the server
# stopped and the directory removed, whatever the command did. Exits with
# the command's status, or 77 (skip) when the PostgreSQL server binaries are
# not installed (scripts/bootstrap installs postgresql-15).
#
# initdb and postgres refuse to run as root: as root, they run as the
# "postgres" system user (made by Debian's postgresql package), which owns
# the data directory. The server asks for a password over TCP
# (scram-sha-256): the URL holds one, so that the tests can check that no
# message ever shows it.
#
# The command also gets VIGIL_TEST_PG_CTL: a command line that, followed by
# "stop" or "start", stops or starts this server (for the tests of a server
# that goes away).
#
# Usage: with_postgres.sh COMMAND [ARGS...]
set -u

die() { echo "with_postgres: $*" >&2; exit 1; }

bindir=${VIGIL_PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir=$d; break; fi
  done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "SKIPPED: the PostgreSQL server (initdb, pg_ctl) is not installed; scripts/bootstrap installs postgresql-15" >&2
  exit 77
fi
[ $# -ge 1 ] || die "usage: with_postgres.sh COMMAND [ARGS...]"

as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 \
    || die "running as root, and there is no 'postgres' system user to run the server as (Debian's postgresql package makes it)"
  if command -v runuser >/dev/null 2>&1; then
    as_pg=(runuser -u postgres --)
  else
    as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  fi
fi

dir=$(mktemp -d /tmp/vigil-pg-XXXXXX) || die "cannot make a temporary directory"
port=
cleanup() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

chmod 700 "$dir"
pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s\n' "$pw" >"$dir/pw"
[ ${#as_pg[@]} -eq 0 ] || chown -R postgres: "$dir"

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U vigil --pwfile="$dir/pw" -E UTF8 \
  --no-locale --auth-local=trust --auth-host=scram-sha-256 -N >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
rm -f "$dir/pw"

# a free port: the kernel's choice for a socket bound to port 0, tried a few
# times in case another process takes it between the check and the start
started=0
durable=off
[ "${VIGIL_PG_DURABLE:-0}" = 1 ] && durable=on
for attempt in 1 2 3 4 5; do
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') \
    || die "cannot find a free port"
  # fsync off (VIGIL_PG_DURABLE=1: on, for the benchmark, so that its
  # figures are a real server's): a test server whose data dies with it; durability across a
  # machine crash is PostgreSQL's, not what these tests check
  if "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
       -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=$durable -c full_page_writes=$durable -c max_connections=60" \
       start >/dev/null 2>&1; then
    started=1
    break
  fi
done
[ $started = 1 ] || { tail -20 "$dir/server.log" >&2; die "the PostgreSQL server did not start"; }

export VIGIL_TEST_PG="postgresql://vigil:$pw@127.0.0.1:$port/postgres"
export VIGIL_TEST_PG_CTL="${as_pg[*]} $bindir/pg_ctl -D $dir/data -l $dir/server.log -w -t 60 -o '-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=$durable -c full_page_writes=$durable -c max_connections=60'"
"$@"
rc=$?
exit $rc
