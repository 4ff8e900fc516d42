#!/usr/bin/env bash
# test_nodes.sh — several `vigil run` nodes sharing one PostgreSQL database
# (a server of the test's own, tests/store/with_postgres.sh; skipped, 77,
# without PostgreSQL or the demo clip). Real processes on loopback:
#  1. propagation: node 2 runs a deployment of an empty watch list on a
#     looped still of the astronaut; node 1 enrols her (`vigil subject
#     add`) → node 2 reloads that list (LISTEN/NOTIFY) and raises her alert
#     within a second of the enrolment; an operator's SSE stream on node 1's
#     console receives node 2's alert within a second of its being stored;
#  2. faults: PostgreSQL stopped for 30 s while node 3 replays → node 3 keeps
#     processing, spools its alerts (fsynced file) and, once the server is
#     back, writes them: every alert it printed is in the database once, in
#     the order raised; the audit chain verifies; node 4, beside it with a
#     spool of 1, says loudly that it is full and keeps the newest (stored
#     in order, once, only the oldest spooled missing) in its log and its
#     /metrics;
#  3. kill -9 of one of three nodes during their alerts → the others carry
#     on (alerts keep coming), every alert a node reported as committed is in
#     the database once; the killed node, restarted, rejoins by itself.
# (Two nodes enrolling at once: tests/cli/test_postgres.sh and
# test_store_nodes' test_two_nodes_enrolling.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
media=${VIGIL_SRC:-$here/../..}/deps/media
if [ ! -f "$media/demo-walk.mp4" ] || [ ! -f "$media/astronaut.png" ]; then
  echo "SKIPPED: the demo clip is not in deps/media (scripts/bootstrap fetches it)"; exit 77
fi
command -v curl >/dev/null || { echo "SKIPPED: curl is not installed"; exit 77; }
if [ -z "${VIGIL_TEST_PG:-}" ]; then
  exec bash "$here/../store/with_postgres.sh" bash "$0" "$@"
fi
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
now() { date +%s.%N; }

psql -X -q -d "$VIGIL_TEST_PG" -c "CREATE DATABASE vigil_nodes" >/dev/null || { echo "cannot create the database"; exit 1; }
url=${VIGIL_TEST_PG%/*}/vigil_nodes
export VIGIL_DB=$url VIGIL_KEY=$tmp/vigil.key VIGIL_ACTOR=test-officer
sql() { psql -X -At -d "$url" -c "$1"; }

"$vigil" watchlist create wanted --reason "Operation Test" --authorised-by "Supt A. Example" >/dev/null || { echo "cannot create the list"; exit 1; }
from=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ); until=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
# part 1's camera: the astronaut standing in view (a still, looped), so that
# the time to her alert is the time the enrolment takes to reach node 2,
# not the time she takes to walk back into the picture
ffmpeg -nostdin -v error -y -loop 1 -i "$media/astronaut-mirrored.png" -t 4 -r 10 \
  -vf "pad=1280:720:384:104,format=yuv420p" "$tmp/still.mp4" || { echo "ffmpeg could not make the still clip"; exit 1; }
"$vigil" deployment create gate --watchlist wanted --camera "$tmp/still.mp4" --location "a still of the astronaut" \
  --from "$from" --until "$until" --authorised-by "Supt A. Example" --signage-confirmed >/dev/null \
  || { echo "cannot create deployment gate"; exit 1; }
for d in north south east; do
  "$vigil" deployment create "$d" --watchlist wanted --camera "$media/demo-walk.mp4" --location "the demo clip ($d)" \
    --from "$from" --until "$until" --authorised-by "Supt A. Example" --signage-confirmed >/dev/null \
    || { echo "cannot create deployment $d"; exit 1; }
done
echo "a long password" | "$vigil" user add olivia --role operator >/dev/null || { echo "cannot add a user"; exit 1; }
echo "a long password" | "$vigil" user add aud --role auditor >/dev/null || { echo "cannot add a user"; exit 1; }
# the clip looped (9 s), one worker per node: the machine is shared; no
# cooldown between a camera's alerts for one subject, so that every piece of
# her broken tracks alerts: bursts of alerts are what these tests store
cat >"$tmp/node.ini" <<EOF
[engine]
workers = 1
alert_cooldown = 0.001
[source]
loop = 1
EOF

# start_node NAME DEPLOYMENT [CONFIG]: vigil run in the background, JSON alerts in
# $tmp/NAME.out, events in $tmp/NAME.err; its pid in pid_NAME
start_node() {
  "$vigil" --json run --deployment "$2" --config "${3:-$tmp/node.ini}" --spool "$tmp/$1.spool" --listen 127.0.0.1:0 \
    >>"$tmp/$1.out" 2>>"$tmp/$1.err" &
  eval "pid_$1=$!"
  pids+=($!)
}
# wait_for FILE PATTERN SECONDS
wait_for() {
  local t=0
  while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
    sleep 0.1; t=$((t + 1))
    [ $t -ge $(($3 * 10)) ] && return 1
  done
  return 0
}
port_of() { sed -n 's/.*"event": *"listening".*"port": *\([0-9]*\).*/\1/p' "$tmp/$1.out" | tail -1; }
# login NODE USER: a session cookie for USER on NODE's console in $tmp/NODE-USER.jar
login() { curl -s -c "$tmp/$1-$2.jar" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$2\",\"password\":\"a long password\"}" "http://127.0.0.1:$(port_of "$1")/api/v1/login" >/dev/null; }
alerts_of() { grep -c '"type": *"alert"' "$tmp/$1.out" 2>/dev/null || true; }

# ---- 1. an enrolment on node 1 reaches node 2's gallery ----
start_node node1 south
start_node node2 gate
wait_for "$tmp/node1.err" "event=following_changes" 60 && wait_for "$tmp/node2.err" "event=following_changes" 60 \
  && ok "both nodes listen for changes" || { bad "nodes did not start listening"; tail -5 "$tmp"/node*.err; exit 1; }
# an operator watches node 1's alert stream (SSE)
wait_for "$tmp/node1.out" '"event": *"listening"' 30 && login node1 olivia || bad "node 1's console did not start"
curl -sN -b "$tmp/node1-olivia.jar" "http://127.0.0.1:$(port_of node1)/api/v1/alerts/stream" >"$tmp/sse.txt" &
pids+=($!)
wait_for "$tmp/sse.txt" "^: vigil alert stream" 5 && ok "node 1's alert stream is open" || bad "node 1's alert stream did not open"
sleep 4 # the clip runs, faces are tracked, nobody is on the list
[ "$(alerts_of node2)" = 0 ] && ok "no alert before the enrolment" || bad "node 2 alerted before the enrolment"
t_start=$(now)
"$vigil" --actor "node1-officer" subject add wanted --name "Eileen Collins (demo)" --photo "$media/astronaut.png" \
  >"$tmp/enrol.out" 2>&1 || bad "enrolment failed: $(cat "$tmp/enrol.out")"
t_enrolled=$(now)
if wait_for "$tmp/node2.out" '"type": *"alert"' 15; then
  raised=$(grep -m1 '"type": *"alert"' "$tmp/node2.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["raised_at"])')
  delay=$(python3 -c "print(f'{$raised - $t_enrolled:.3f}')")
  echo "node 2 raised the alert ${delay} s after the enrolment returned on node 1 ($(python3 -c "print(f'{$raised - $t_start:.3f}')") s after the enrolling process started)"
  grep -m1 "event=gallery_reloaded why=watchlist_changed" "$tmp/node2.err"
  python3 -c "import sys; sys.exit(0 if $delay < 1.0 else 1)" && ok "alert on node 2 within a second of the enrolment (${delay} s)" \
    || { bad "node 2's alert came ${delay} s after the enrolment (want < 1 s)"; echo "enrolled at $t_enrolled";
         grep -E "gallery|stats" "$tmp/node2.err" | tail -5; grep -m3 '"type": *"alert"' "$tmp/node2.out"; }
else
  bad "node 2 raised no alert after the enrolment"; tail -20 "$tmp/node2.err"
fi
grep -q '"name": *"Eileen Collins (demo)"' "$tmp/node2.out" && ok "the alert names her" || bad "alert without her name"
# node 2's alert on node 1's alert stream, within a second of node 2 printing it
id2=$(grep -m1 '"type": *"alert"' "$tmp/node2.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
if [ -n "$id2" ] && [ "$id2" != 0 ] && wait_for "$tmp/sse.txt" "^id: $id2\$" 1; then
  ok "node 2's alert $id2 reached node 1's SSE stream within a second"
  grep -A2 "^id: $id2\$" "$tmp/sse.txt" | grep -q '"camera"' && ok "the streamed event is the alert's JSON" || bad "the streamed event has no alert JSON"
else
  bad "node 2's alert (id ${id2:-none}) did not reach node 1's SSE stream within a second"; tail -5 "$tmp/sse.txt"
fi

# ---- 2. PostgreSQL stopped for 30 s during the replay ----
kill -TERM "$pid_node1" "$pid_node2"; wait "$pid_node1" "$pid_node2" 2>/dev/null
start_node node3 north
# node 4 with a spool of 1 alert: it overflows during the outage (she walks past every 9 s)
{ cat "$tmp/node.ini"; printf '[spool]\nmax_alerts = 1\n'; } >"$tmp/small-spool.ini"
start_node node4 east "$tmp/small-spool.ini"
wait_for "$tmp/node3.out" '"type": *"alert"' 60 || bad "node 3 raised no alert on the walk-by clip"
wait_for "$tmp/node4.out" '"type": *"alert"' 60 || bad "node 4 raised no alert on the walk-by clip"
before=$(alerts_of node3)
before4=$(alerts_of node4)
eval "$VIGIL_TEST_PG_CTL -m fast stop" >/dev/null 2>&1 || bad "cannot stop PostgreSQL"
t_stop=$(now)
sleep 30
during=$(($(alerts_of node3) - before))
eval "$VIGIL_TEST_PG_CTL start" >/dev/null 2>&1 || { bad "cannot start PostgreSQL again"; exit 1; }
echo "node 3 raised $during alerts while PostgreSQL was stopped"
[ "$during" -ge 1 ] && ok "node 3 kept processing its camera ($during alerts during the outage)" \
  || bad "node 3 raised no alert during the outage"
grep -q "event=alert_spooled" "$tmp/node3.err" && ok "alerts were spooled" || bad "nothing was spooled"
wait_for "$tmp/node3.err" "event=spool_written" 20 && ok "the spool was written once the database returned" \
  || bad "the spool was not written after the outage"
# the listener reconnects by itself and reloads (what it missed)
wait_for "$tmp/node3.err" "why=reconnected" 10 && ok "node 3's listener reconnected" || bad "no reconnection of the listener"
sleep 2
# the metrics say so too
login node4 aud
curl -s -b "$tmp/node4-aud.jar" "http://127.0.0.1:$(port_of node4)/metrics" >"$tmp/metrics4.txt"
grep -q '^vigil_spool_capacity 1$' "$tmp/metrics4.txt" && grep -Eq '^vigil_spool_dropped_total [1-9]' "$tmp/metrics4.txt" \
  && ok "node 4's /metrics counts the alerts its full spool dropped" || { bad "no spool metrics on node 4"; grep spool "$tmp/metrics4.txt"; }
kill -TERM "$pid_node3" "$pid_node4"; wait "$pid_node3" "$pid_node4" 2>/dev/null
# node 4's spool was full: said loudly, and the newest alerts kept
during4=$(( $(alerts_of node4) - before4 ))
grep -q "event=spool_full level=error" "$tmp/node4.err" && ok "node 4 said its spool was full" \
  || bad "node 4 raised $during4 alerts in the outage with a spool of 1, and did not say it was full"
grep '"type": *"alert"' "$tmp/node4.out" | python3 -c 'import json,sys
for l in sys.stdin: print(json.loads(l)["uid"])' >"$tmp/node4.uids"
sql "SELECT a.uid FROM alert a JOIN deployment d ON d.id = a.deployment_id WHERE d.name = 'east' ORDER BY a.id" >"$tmp/east.db"
# what is stored is what node 4 raised, in order, less the oldest spooled
if python3 - "$tmp/node4.uids" "$tmp/east.db" <<'PY'
import sys
raised = open(sys.argv[1]).read().split(); stored = open(sys.argv[2]).read().split()
pos = [raised.index(u) for u in stored if u in raised]
assert len(pos) == len(stored), "stored alerts node 4 never raised"
assert pos == sorted(pos), "out of order"
assert len(set(stored)) == len(stored), "duplicates"
lost = [u for u in raised if u not in stored]
assert lost, "nothing was dropped although the spool was full"
last_lost = max(raised.index(u) for u in lost)
# the dropped ones are older than every spooled one kept
kept_after = [u for u in raised[raised.index(lost[0]):] if u in stored]
assert all(raised.index(u) > last_lost for u in kept_after), "a newer alert was dropped before an older one"
print(f"node 4: {len(raised)} raised, {len(stored)} stored, {len(lost)} dropped (the oldest in the full spool)")
PY
then ok "node 4 kept the newest alerts, in order, once"; else bad "node 4's stored alerts are wrong"; fi
grep '"type": *"alert"' "$tmp/node3.out" | python3 -c 'import json,sys
for l in sys.stdin: print(json.loads(l)["uid"])' >"$tmp/node3.uids"
n_printed=$(wc -l <"$tmp/node3.uids")
sql "SELECT a.uid FROM alert a JOIN deployment d ON d.id = a.deployment_id WHERE d.name = 'north' ORDER BY a.id" >"$tmp/north.db"
n_db=$(wc -l <"$tmp/north.db")
dups=$(sort "$tmp/north.db" | uniq -d | wc -l)
echo "node 3: $n_printed alerts raised, $n_db stored"
[ "$dups" = 0 ] && ok "no alert stored twice" || bad "$dups alerts stored twice"
if cmp -s "$tmp/node3.uids" "$tmp/north.db"; then
  ok "every alert raised by node 3 is stored once, in the order raised ($n_db)"
else
  bad "node 3's alerts and the database differ:"; diff "$tmp/node3.uids" "$tmp/north.db" | head
fi
out=$("$vigil" audit verify 2>&1) && ok "audit chain verifies after the outage: $out" || bad "audit verify: $out"

# ---- 3. kill -9 one of three nodes during their alerts ----
for n in a b c; do : >"$tmp/k$n.out"; done
start_node ka north; start_node kb south; start_node kc east
for n in ka kb kc; do
  wait_for "$tmp/$n.out" '"type": *"alert"' 60 || bad "node $n raised no alert"
done
sleep 3
kill -9 "$pid_kb"; wait "$pid_kb" 2>/dev/null
echo "killed node kb (south) with SIGKILL after $(alerts_of kb) alerts"
a_before=$(( $(alerts_of ka) + $(alerts_of kc) ))
sleep 20
a_after=$(( $(alerts_of ka) + $(alerts_of kc) ))
[ "$a_after" -gt "$a_before" ] && ok "the other nodes carried on ($a_before -> $a_after alerts)" \
  || bad "the other nodes stopped alerting after the kill ($a_before -> $a_after)"
# the killed node restarted: it rejoins by itself (the same spool file)
kb_before=$(alerts_of kb)
start_node kb south
wait_for "$tmp/kb.err" "event=following_changes" 60 && ok "the killed node restarted and listens again" \
  || bad "the killed node did not restart"
t=0; while [ "$(alerts_of kb)" -le "$kb_before" ] && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
[ "$(alerts_of kb)" -gt "$kb_before" ] && ok "the restarted node alerts again" || bad "the restarted node raised no alert"
sleep 1
for n in ka kb kc; do eval "kill -TERM \$pid_$n"; done
wait 2>/dev/null
cat "$tmp"/k[abc].out | python3 -c 'import json,sys
for l in sys.stdin:
    j = json.loads(l)
    if j.get("type") == "alert" and j.get("id"): print(j["uid"])' | sort >"$tmp/committed"
sql "SELECT uid FROM alert" | sort >"$tmp/all.db"
missing=$(comm -23 "$tmp/committed" "$tmp/all.db" | wc -l)
dups=$(sort "$tmp/all.db" | uniq -d | wc -l)
echo "$(wc -l <"$tmp/committed") alerts reported committed by the three nodes; $(wc -l <"$tmp/all.db") in the database"
[ "$missing" = 0 ] && ok "no committed alert lost" || bad "$missing committed alerts are not in the database"
[ "$dups" = 0 ] && ok "no alert duplicated" || bad "$dups alerts duplicated"
out=$("$vigil" audit verify 2>&1) && ok "audit chain verifies: $out" || bad "audit verify: $out"

echo "test_nodes: $passes passed, $fails failed"
[ "$fails" = 0 ]
