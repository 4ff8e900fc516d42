#!/usr/bin/env bash
# test_audit_checkpoints.sh — signed checkpoints of the audit chain, exported
# outside the database (issue 14, point 10): `vigil audit checkpoint` appends
# the line to a file and sends it to a real syslog receiver (Debian's
# rsyslogd, started here with a private config on a private UDP port,
# writing what it receives to a file of its own); then the chain is rewritten
# consistently, every hash recomputed by an independent implementation of
# the documented serialisation (Python), so that `vigil audit verify` alone
# is fooled, and `vigil audit verify --checkpoints` catches it. Skips (77)
# when rsyslogd is not installed or cannot start.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
command -v rsyslogd >/dev/null || { echo "rsyslogd not installed (scripts/bootstrap installs rsyslog): skipping"; exit 77; }
tmp=$(mktemp -d)
rpid=
cleanup() { [ -n "$rpid" ] && kill "$rpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test-officer
unset VIGIL_KEY VIGIL_SIGN_KEY
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect() { # STATUS PATTERN -- ARGS...
  local want=$1 pattern=$2; shift 3
  local out rc
  out=$("$vigil" "$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ] || { [ -n "$pattern" ] && ! grep -Eq -- "$pattern" <<<"$out"; }; then
    bad "vigil $* -> exit $rc (want $want), output:"; echo "$out" | head -20
  else
    ok
  fi
}

# --- a private rsyslogd: UDP on a free loopback port, to a file ---
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$tmp/rs"
cat >"$tmp/rs/rsyslog.conf" <<EOF
global(workDirectory="$tmp/rs")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$port")
template(name="raw" type="string" string="%rawmsg%\n")
template(name="fields" type="string" string="%protocol-version% %app-name% %msgid% %syslogfacility-text% %syslogseverity-text% %msg%\n")
*.* action(type="omfile" file="$tmp/rs/raw.log" template="raw")
*.* action(type="omfile" file="$tmp/rs/fields.log" template="fields")
EOF
rsyslogd -n -f "$tmp/rs/rsyslog.conf" -i "$tmp/rs/pid" >"$tmp/rs/out" 2>&1 &
rpid=$!
for _ in $(seq 50); do [ -s "$tmp/rs/pid" ] && break; kill -0 "$rpid" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$rpid" 2>/dev/null; then echo "rsyslogd did not start: $(head -5 "$tmp/rs/out"): skipping"; rpid=; exit 77; fi

expect 0 "created" -- watchlist create wanted --reason "Operation Test" --authorised-by "Supt A. Example"
expect 0 "created" -- watchlist create second --reason "r" --authorised-by "p"

# --- refusals change nothing ---
expect 2 "needs --file, --syslog" -- audit checkpoint
expect 2 "udp://HOST:PORT" -- audit checkpoint --syslog "tcp://127.0.0.1:$port"
expect 2 "64 lowercase hex" -- audit verify --checkpoints "$tmp/none" --public-key 1234
[ ! -e "$tmp/cp" ] && [ ! -e "$VIGIL_DB.sign.key" ] && ok || bad "a refused checkpoint left files"

# --- a checkpoint, to the file and to syslog ---
line=$("$vigil" audit checkpoint --file "$tmp/cp" --syslog "udp://127.0.0.1:$port" 2>"$tmp/err")
rc=$?
[ "$rc" = 0 ] && ok || bad "audit checkpoint: exit $rc $(cat "$tmp/err")"
[ "$(stat -c %a "$VIGIL_DB.sign.key")" = 600 ] && ok || bad "signing key mode $(stat -c %a "$VIGIL_DB.sign.key")"
cmp -s "$VIGIL_DB.sign.key" "$VIGIL_DB.key" && bad "the signing key is the database key" || ok
[ "$(cat "$tmp/cp")" = "$line" ] && ok || bad "file holds '$(cat "$tmp/cp")', printed '$line'"
grep -Eq '^vigil-checkpoint v1 seq=2 hash=[0-9a-f]{64} time=[0-9]+ key=[0-9a-f]{64} sig=[0-9a-f]{128}$' <<<"$line" && ok || bad "line: $line"
for _ in $(seq 50); do grep -qF "$line" "$tmp/rs/raw.log" 2>/dev/null && break; sleep 0.1; done
if grep -qF "$line" "$tmp/rs/raw.log" 2>/dev/null; then ok; else bad "rsyslogd did not receive the checkpoint: $(cat "$tmp/rs/raw.log" 2>/dev/null)"; fi
grep -Eq "^<109>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z [^ ]+ vigil [0-9]+ checkpoint - vigil-checkpoint v1 seq=2 " "$tmp/rs/raw.log" && ok \
  || bad "not an RFC 5424 message: $(cat "$tmp/rs/raw.log")"
# rsyslog itself parsed it as RFC 5424: version 1, app vigil, msgid checkpoint, facility audit (13), notice
grep -q "^1 vigil checkpoint .* notice vigil-checkpoint v1 seq=2 " "$tmp/rs/fields.log" && ok || bad "rsyslog's fields: $(cat "$tmp/rs/fields.log")"

expect 0 "created" -- watchlist create third --reason "r" --authorised-by "p"
expect 0 "seq=3" -- audit checkpoint --file "$tmp/cp"
expect 0 "intact: 3 entries, 2 signed checkpoints hold" -- audit verify --checkpoints "$tmp/cp"

# --- the rewrite: entry 2's actor changed, every hash after it recomputed ---
python3 - "$VIGIL_DB" <<'EOF'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT seq, time, actor, action, object, details, prev_hash FROM audit ORDER BY seq").fetchall()
def h(seq, time, fields):
    m = hashlib.sha256(b"vigil-audit-v1\0" + struct.pack(">qq", seq, time))
    for f in fields:
        b = f.encode()
        m.update(struct.pack(">Q", len(b)) + b)
    return m.hexdigest()
prev = None
for seq, time, actor, action, obj, details, prev_hash in rows:
    if seq == 1:
        prev = db.execute("SELECT hash FROM audit WHERE seq = 1").fetchone()[0]
        continue
    if seq == 2:
        actor = "someone-else"
    prev_hash = prev
    prev = h(seq, time, [actor, action, obj, details, prev_hash])
    db.execute("UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", (actor, prev_hash, prev, seq))
last_seq = rows[-1][0]
db.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (struct.pack(">q", last_seq) + prev.encode(),))
db.commit()
EOF
expect 0 "audit chain intact: 3 entries" -- audit verify
expect 1 "BROKEN at entry 2: .*cp:1: entry 2's hash .* the chain was rewritten" -- audit verify --checkpoints "$tmp/cp"
expect 1 "first_bad_seq\":2" -- --json audit verify --checkpoints "$tmp/cp"
# the key named explicitly, as an auditor without the key file would
key=$(sed -n 's/.* key=\([0-9a-f]*\) .*/\1/p' <<<"$line")
expect 1 "the chain was rewritten" -- audit verify --checkpoints "$tmp/cp" --public-key "$key"
# a checkpoint file signed by another key is refused
VIGIL_SIGN_KEY=$tmp/attacker.key "$vigil" audit checkpoint --file "$tmp/forged" >/dev/null 2>&1
expect 1 "not by this deployment's key" -- audit verify --checkpoints "$tmp/forged"

echo "audit checkpoints: $passes passed, $fails failed"
[ "$fails" = 0 ]
