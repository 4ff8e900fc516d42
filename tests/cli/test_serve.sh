#!/usr/bin/env bash
# test_serve.sh — `vigil user add` (password from stdin) and `vigil serve`
# as a user runs them: a user is added, the server answers /healthz and a
# login on a free port, an API token made by `vigil user token` works as a
# bearer until `vigil user revoke-token`, and SIGTERM stops it with exit 0.
# Issue 14: weak passwords refused (libpwquality), a login sent as
# text/plain refused (415), a world-readable TLS key refused, and a session
# that survives a restart of `vigil serve`.
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
for pw in "        " "marguerite1" "password1"; do
  out=$(echo "$pw" | "$vigil" user add marguerite --role operator 2>&1) && fail "weak password '$pw' accepted"
  grep -q "password refused" <<<"$out" || fail "weak password '$pw': $out"
done
"$vigil" user list | grep -q marguerite && fail "a user with a weak password was added"
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 2>/dev/null || fail "openssl"
  chmod 644 "$tmp/key.pem"
  out=$("$vigil" serve --listen 127.0.0.1:0 --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" 2>&1) \
    && fail "serve with a world-readable key started"
  grep -q "readable by group or others" <<<"$out" || fail "world-readable key: $out"
fi

# TLS files that are not there, or not PEM: a clear error at start
out=$("$vigil" serve --listen 127.0.0.1:0 --tls-cert "$tmp/none.pem" --tls-key "$tmp/none.pem" 2>&1) && fail "serve with a missing certificate started"
grep -q "none.pem cannot be read" <<<"$out" || fail "missing certificate: $out"
echo junk > "$tmp/junk.pem"
out=$("$vigil" serve --listen 127.0.0.1:0 --tls-cert "$tmp/junk.pem" --tls-key "$tmp/junk.pem" 2>&1) && fail "serve with a junk certificate started"
grep -q "is not a PEM file" <<<"$out" || fail "junk certificate: $out"
out=$("$vigil" serve --tls-cert "$tmp/junk.pem" 2>&1); [ $? = 2 ] || fail "--tls-cert alone: $out"

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
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' \
  -d '{"name":"olivia","password":"a long password"}' "http://127.0.0.1:$port/api/v1/login")
[ "$code" = 415 ] || fail "a text/plain login: $code"
curl -s -c "$tmp/jar" -D "$tmp/h" -o "$tmp/b" -H 'Content-Type: application/json' \
  -d '{"name":"olivia","password":"a long password"}' "http://127.0.0.1:$port/api/v1/login"
grep -qi "^set-cookie: vigil_session=.*HttpOnly" "$tmp/h" || fail "login: $(cat "$tmp/h" "$tmp/b")"
# API tokens: printed once, used as a bearer, revoked from the command line
tok=$("$vigil" user token stats-bot --role auditor 2>"$tmp/tokerr") || fail "user token: $(cat "$tmp/tokerr")"
[[ "$tok" =~ ^vgt_[0-9a-f]{64}$ ]] || fail "token looks wrong: $tok"
grep -q "shown this once" "$tmp/tokerr" || fail "token: no warning that it is shown once"
"$vigil" user tokens | grep -q "stats-bot *auditor" || fail "user tokens"
"$vigil" user tokens | grep -q "${tok#vgt_}" && fail "user tokens shows the token"
code=$(curl -s -o "$tmp/b" -w '%{http_code}' -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/audit")
[ "$code" = 200 ] || fail "bearer token: $code $(cat "$tmp/b")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/users")
[ "$code" = 403 ] || fail "auditor token on /users: $code"
"$vigil" user revoke-token stats-bot | grep -q "revoked" || fail "revoke-token"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/audit")
[ "$code" = 401 ] || fail "revoked token still accepted: $code"
out=$("$vigil" user revoke-token stats-bot 2>&1) && fail "second revocation accepted"
"$vigil" audit log | grep -q "token.revoke" || fail "revocation not audited"

kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM: $(cat "$tmp/err")"

# a restart logs no one out: the session is in the database (hashed)
"$vigil" --json serve --listen 127.0.0.1:0 >"$tmp/out2" 2>"$tmp/err2" &
pid=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' "$tmp/out2")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "second serve printed no port: $(cat "$tmp/out2" "$tmp/err2")"
code=$(curl -s -o "$tmp/b" -w '%{http_code}' -b "$tmp/jar" "http://127.0.0.1:$port/api/v1/me")
[ "$code" = 200 ] || fail "the session did not survive the restart: $code $(cat "$tmp/b")"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "second serve exited $rc after SIGTERM: $(cat "$tmp/err2")"
echo "ok"
