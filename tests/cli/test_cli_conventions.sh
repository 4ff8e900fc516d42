#!/usr/bin/env bash
# test_cli_conventions.sh — the command line's one set of conventions
# (README "Exit status", "--json"): `vigil --version` exits 0; exit 2 for
# bad usage or bad input (an unknown option, a missing value, an unknown
# detector, a detector file that cannot be read, an image that is not
# there), exit 1 for a well-formed request that fails (a watch list not
# found, one that already exists, an alert already adjudicated, no
# face); under --json an error is one
# JSON object on stderr, {"error":...,"field":...}, and every real number
# printed is the shortest text that reads back as the same double.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
src=${VIGIL_SRC:?VIGIL_SRC is set by CTest}
astro=$src/deps/media/astronaut.png
[ -f "$astro" ] || { echo "demo media not found (run scripts/bootstrap): skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY
fails=0 passes=0
expect() { # STATUS PATTERN -- ARGS...: the exit status, and the pattern in stdout+stderr
  local want=$1 pat=$2; shift 3
  local out rc
  out=$("$vigil" "$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -Eq -- "$pat" <<<"$out"; then passes=$((passes + 1))
  else echo "FAIL: vigil $* -> exit $rc (want $want, /$pat/): $(head -c 400 <<<"$out")"; fails=$((fails + 1)); fi
}

# --version: exit 0, like `vigil version`
expect 0 "^vigil [0-9]+\.[0-9]+" -- --version
expect 0 "^vigil [0-9]+\.[0-9]+" -- -V
# exit 2: bad usage or bad input
expect 2 "unknown option '--frob'" -- watchlist create a --reason r --authorised-by p --frob
expect 2 "--reason needs a value" -- watchlist create a --reason
expect 2 "unknown detector 'nope'" -- --detector nope detect "$astro"
expect 2 "cannot be read" -- --detector "yunet:$tmp/absent.onnx" detect "$astro"
expect 2 "absent.png" -- detect "$tmp/absent.png"
# exit 1: the request was right, the answer is no
expect 1 "no watch list named \"nope\"" -- watchlist show nope
"$vigil" watchlist create wanted --reason r --authorised-by p >/dev/null
expect 1 "already exists" -- watchlist create wanted --reason r --authorised-by p
# a second decision on an alert is a conflict (exit 1, as the API's 409)
from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create street --watchlist wanted --location "High St" --from "$from" --until "$until" \
  --authorised-by p --signage-confirmed --camera rtsp://cam1/ >/dev/null
python3 - "$VIGIL_DB" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
dep = c.execute("select id from deployment where name = 'street'").fetchone()[0]
c.execute("insert into alert (uid, deployment_id, camera, subject_id, score, frame_time, raised_at, crop) "
          "values ('u1', ?, 'camera1', NULL, 0.7, ?, ?, x'ffd8ffd9')", (dep, time.time(), time.time()))
c.commit()
PY
alert=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select id from alert").fetchone()[0])' "$VIGIL_DB")
expect 0 "confirmed" -- alert adjudicate "$alert" --outcome confirmed
expect 1 "already adjudicated: confirmed" -- alert adjudicate "$alert" --outcome rejected
ffmpeg -nostdin -v error -f lavfi -i color=gray:s=64x64 -frames:v 1 "$tmp/grey.png"
expect 1 "no face found" -- compare "$tmp/grey.png" "$astro"

# --json: errors are one JSON object on stderr
json_error() { # FIELD -- ARGS...: stderr is one object with error and that field (or null)
  local field=$1; shift 2
  "$vigil" --json "$@" >"$tmp/out" 2>"$tmp/err"
  if python3 - "$tmp/err" "$field" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, lines
o = json.loads(lines[0])
want = None if sys.argv[2] == "null" else sys.argv[2]
assert set(o) == {"error", "field"} and o["error"] and o["field"] == want, o
PY
  then passes=$((passes + 1)); else echo "FAIL: --json $*: $(cat "$tmp/err")"; fails=$((fails + 1)); fi
}
json_error --reason -- watchlist create a --reason
json_error null -- watchlist show nope
json_error null -- detect "$tmp/absent.png"
json_error --threshold -- compare "$astro" "$astro" --threshold abc
# a usage text printed for an error is one object too, not one a line
json_usage() { # WORDS -- ARGS...: exit 2, stderr one object whose error is "usage: vigil WORDS ..."
  local words=$1; shift 2
  "$vigil" --json "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ $rc = 2 ] && python3 - "$tmp/err" "$words" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert set(o) == {"error", "field", "usage"} and o["field"] is None, o
assert o["error"].startswith("usage: vigil " + sys.argv[2]), o
assert o["usage"].startswith(o["error"] + "\n") and o["usage"].count("\n") > 2, o
PY
  then passes=$((passes + 1)); else echo "FAIL: --json $* (exit $rc): $(head -c 400 "$tmp/err")"; fails=$((fails + 1)); fi
}
json_usage "watchlist COMMAND" -- watchlist
json_usage "subject COMMAND" -- subject
json_usage "[GLOBAL OPTIONS] COMMAND" --

# --json numbers: the shortest text that reads back as the same double
"$vigil" --json compare "$astro" "$src/deps/media/astronaut-mirrored.png" > "$tmp/cmp.json" 2>&1
if python3 - "$tmp/cmp.json" <<'PY'
import json, sys
texts = []
json.loads(open(sys.argv[1]).read(), parse_float=lambda s: texts.append(s) or float(s))
assert texts, "no real number printed"
long = [t for t in texts if repr(float(t)) != t]
assert not long, f"not the shortest round-trip form: {long[:5]}"
PY
then passes=$((passes + 1)); else echo "FAIL: --json reals: $(head -c 400 "$tmp/cmp.json")"; fails=$((fails + 1)); fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
