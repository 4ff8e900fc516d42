#!/usr/bin/env bash
# test_serve.sh — `vigil user add` (password from stdin) and `vigil serve`
# as a user runs them: a user is added, the server answers /healthz and a
# login on a free port, and SIGTERM stops it with exit 0.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
command -v curl >/dev/null || { echo "curl not installed: skipping"; exit 77; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=setup
fail() { echo "FAIL: $*"; exit 1; }

echo "a long password" | "$vigil" user add olivia --role operator >/dev/null || fail "user add"
out=$(echo "a long password" | "$vigil" user add olivia --role operator 2>&1) && fail "duplicate user accepted"
grep -q "already exists" <<<"$out" || fail "duplicate user: $out"
out=$(echo "a long password" | "$vigil" user add eve --role root 2>&1); [ $? = 2 ] || fail "bad role: $out"
"$vigil" user list | grep -q "olivia *operator" || fail "user list"

"$vigil" --json serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' "$tmp/out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "serve printed no port: $(cat "$tmp/out" "$tmp/err")"
curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"ok"' || fail "healthz"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/me")
[ "$code" = 401 ] || fail "me without a session: $code"
curl -s -D "$tmp/h" -o "$tmp/b" -H 'Content-Type: application/json' \
  -d '{"name":"olivia","password":"a long password"}' "http://127.0.0.1:$port/api/v1/login"
grep -qi "^set-cookie: vigil_session=.*HttpOnly" "$tmp/h" || fail "login: $(cat "$tmp/h" "$tmp/b")"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM: $(cat "$tmp/err")"
echo "ok"
