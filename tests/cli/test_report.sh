#!/usr/bin/env bash
# test_report.sh — `vigil alert` and `vigil report` as an officer and an
# auditor use them: alerts of two deployments (rows written straight into the
# database, each with a real JPEG crop, beside counters) are listed without
# any image, adjudicated (confirmed, rejected, no action; a second decision,
# an unknown id and a bad outcome refused), and reported as text, JSON, CSV
# and HTML. The figures equal counts computed here with SQL on the file; the
# outputs hold no subject name and no image data (no JPEG bytes, no base64);
# the HTML loads nothing from outside; the audit chain verifies.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
astro=${VIGIL_SRC:-.}/deps/media/astronaut.png
if [ ! -f "$astro" ]; then echo "astronaut.png not found under VIGIL_SRC: skipping"; exit 77; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=admin
unset VIGIL_KEY
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$VIGIL_DB" "$1"; }

name='Eileen <b>Secret</b> Collins'
"$vigil" watchlist create wanted --reason test --authorised-by "Supt Test" >/dev/null || exit 1
"$vigil" subject add wanted --name "$name" --photo "$astro" >/dev/null || exit 1
from=$(date -u -d '-2 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create street --watchlist wanted --location 'High St <script>x</script>' --from "$from" \
  --until "$until" --authorised-by "Supt Test" --signage-confirmed --camera rtsp://cam1/ >/dev/null || exit 1
"$vigil" deployment create station --watchlist wanted --location "Station" --from "$from" --until "$until" \
  --authorised-by "Supt Test" --threshold 0.6 --camera rtsp://cam2/ >/dev/null || exit 1
"$vigil" deployment create later --watchlist wanted --location "Park" --from 2031-01-01 --until 2031-01-02 \
  --authorised-by "Supt Test" --camera rtsp://cam3/ >/dev/null || exit 1

# alerts and counters, as the engine leaves them; each crop a real JPEG
python3 - "$VIGIL_DB" "$astro" "$tmp/crop.jpg" <<'PY' || exit 1
import sqlite3, subprocess, sys, time
db, astro, crop = sys.argv[1:4]
subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", astro, "-vf", "crop=120:150:170:20", crop], check=True)
jpeg = open(crop, "rb").read()
c = sqlite3.connect(db)
sub = c.execute("select id from subject").fetchone()[0]
dep = {n: i for i, n in c.execute("select id, name from deployment")}
now = time.time()
for k in range(6):
    c.execute("insert into alert (uid, deployment_id, camera, subject_id, score, frame_time, raised_at, crop) "
              "values (?, ?, 'camera1', ?, 0.61, ?, ?, ?)", ("u%d" % k, dep["street"], sub, now - 60 + k, now - 60 + k, jpeg))
for k in range(2):
    c.execute("insert into alert (uid, deployment_id, camera, subject_id, score, frame_time, raised_at, crop) "
              "values (?, ?, 'camera1', ?, 0.7, ?, ?, ?)", ("s%d" % k, dep["station"], sub, now, now, jpeg))
for d, cam, faces, frames in ((dep["street"], "camera1", 5000, 9000), (dep["street"], "camera2", 1000, 2000),
                              (dep["station"], "camera1", 2000, 3000)):
    c.execute("insert into counters (deployment_id, camera, frames_in, frames_processed, faces, tracks, alerts, updated_at) "
              "values (?, ?, ?, ?, ?, ?, 0, ?)", (d, cam, frames, frames, faces, faces // 5, int(now)))
c.commit()
PY
ids=$(python3 -c 'import sqlite3,sys; print(" ".join(str(r[0]) for r in sqlite3.connect(sys.argv[1]).execute("select a.id from alert a join deployment d on d.id=a.deployment_id where d.name=\"street\" order by a.id")))' "$VIGIL_DB")
read -r a1 a2 a3 a4 a5 a6 <<< "$ids"

# list: ids, camera, subject id, score, state; no image
"$vigil" alert list --deployment street > "$tmp/list.txt"
check '[ $? = 0 ] && [ $(grep -c pending "$tmp/list.txt") = 6 ]' "alert list shows the 6 pending alerts"
"$vigil" --json alert list > "$tmp/list.json"
check 'python3 -c "import json,sys; a=[json.loads(l) for l in open(sys.argv[1])]; assert len(a)==8 and all(set(x)=={\"id\",\"deployment_id\",\"frame_time\",\"raised_at\",\"camera\",\"subject_id\",\"score\",\"state\",\"low_quality\"} for x in a)" "$tmp/list.json"' "alert list --json: 8 alerts, no image field"
check '"$vigil" alert list --state nope 2>&1 >/dev/null | grep -q "state takes"' "a bad --state refused"

# adjudication
check '"$vigil" --actor "PC Jones" alert adjudicate $a1 --outcome confirmed --note "spoken to" | grep -q "confirmed, recorded for PC Jones"' "confirm"
check '"$vigil" --actor "PC Jones" alert adjudicate $a2 --outcome rejected --note "not him" >/dev/null' "reject"
check '"$vigil" --actor "PC Smith" alert adjudicate $a3 --outcome rejected >/dev/null' "reject, no note"
check '"$vigil" --actor "PC Smith" alert adjudicate $a4 --outcome no_action --note "left the area" >/dev/null' "no action"
before=$(sql "select count(*) || ':' || (select max(seq) from audit) || ':' || group_concat(state || adjudicated_by || note) from alert")
"$vigil" --actor "PC Smith" alert adjudicate $a1 --outcome rejected 2> "$tmp/err"; rc=$?
check '[ $rc = 1 ] && grep -q "already adjudicated: confirmed by PC Jones" "$tmp/err"' "a second decision refused, naming the first (rc $rc)"
"$vigil" alert adjudicate 999999 --outcome confirmed 2>/dev/null; rc=$?
check '[ $rc = 1 ]' "an unknown alert: not found, exit 1 (rc $rc)"
"$vigil" alert adjudicate $a5 --outcome maybe 2>/dev/null; rc=$?
check '[ $rc = 2 ]' "a bad outcome refused (rc $rc)"
"$vigil" alert adjudicate $a5 2>/dev/null; rc=$?
check '[ $rc = 2 ]' "a missing outcome refused (rc $rc)"
check '[ "$(sql "select count(*) || \":\" || (select max(seq) from audit) || \":\" || group_concat(state || adjudicated_by || note) from alert")" = "$before" ]' "refusals change nothing"
check '[ "$(sql "select adjudicated_by || \"|\" || note from alert where id = $a1")" = "PC Jones|spoken to" ]' "officer and note stored"
check '"$vigil" audit log | grep "alert.adjudicate" | grep -q "PC Smith"' "adjudication audited"
st_id=$(sql "select min(a.id) from alert a join deployment d on d.id = a.deployment_id where d.name = 'station'")
"$vigil" --actor "PC Jones" alert adjudicate "$st_id" --outcome rejected >/dev/null

# the report: figures equal SQL counts
"$vigil" report street --format json > "$tmp/r.json"
check '[ $? = 0 ]' "report json"
for f in alerts:"count(*)" confirmed:"sum(state='confirmed')" rejected:"sum(state='rejected')" \
         no_action:"sum(state='no_action')" pending:"sum(state='pending')"; do
  k=${f%%:*} e=${f#*:}
  want=$(sql "select $e from alert where deployment_id = (select id from deployment where name = 'street')")
  check '[ "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$tmp/r.json" $k)" = "$want" ]' "report $k = $want"
done
faces=$(sql "select sum(faces) from counters where deployment_id = (select id from deployment where name = 'street')")
check 'python3 -c "import json,sys; r=json.load(open(sys.argv[1])); f=int(sys.argv[2]); assert r[\"faces\"]==f and abs(r[\"alerts_per_1000_faces\"]-6000/f)<1e-9 and abs(r[\"false_alerts_per_face\"]-2/f)<1e-12 and abs(r[\"false_alerts_per_alert\"]-0.5)<1e-12 and r[\"watchlist_size\"]==1 and r[\"threshold\"]==0.54 and r[\"threshold_is_default\"] and r[\"model\"].startswith(\"fr_feature.onnx:\") and 1.9<r[\"hours_on_air\"]<2.1" "$tmp/r.json" $faces' "report rates, size, threshold, model, time on air"
"$vigil" report street --format csv > "$tmp/r.csv"
check 'python3 -c "import csv,sys; r=list(csv.reader(open(sys.argv[1]))); assert len(r)==2 and len(r[0])==len(r[1]); d=dict(zip(*r)); assert d[\"faces\"]==sys.argv[2] and d[\"rejected\"]==\"2\" and d[\"threshold\"]==\"0.5400\"" "$tmp/r.csv" $faces' "report csv: a header and one row"
"$vigil" report street --format html > "$tmp/r.html"
check 'grep -q "<svg" "$tmp/r.html" && [ $(grep -c "<svg" "$tmp/r.html") = 2 ]' "html: two SVG charts"
check 'grep -q "Model pack: <code>fr_feature.onnx:" "$tmp/r.html" && grep -q "threshold: 0.5400" "$tmp/r.html"' "html: model and threshold named"
check '! grep -qi "<script\|src=\|href=\|@import\|url(" "$tmp/r.html"' "html: no script, no external resource"
check 'grep -q "High St &lt;script&gt;" "$tmp/r.html"' "html: user text escaped"
check 'python3 -c "import html.parser,sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())" "$tmp/r.html"' "html parses"
"$vigil" report street > "$tmp/r.txt"
check 'grep -q "faces processed: *$faces" "$tmp/r.txt"' "text report"

# the period summary: street and station, not later
"$vigil" report --from "$(date -u -d '-1 day' +%Y-%m-%d)" --until "$(date -u -d '+2 day' +%Y-%m-%d)" --format json > "$tmp/p.json"
all_faces=$(sql "select sum(faces) from counters")
check 'python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r[\"deployments\"]==2 and r[\"alerts\"]==8 and r[\"rejected\"]==3 and r[\"faces\"]==int(sys.argv[2]) and r[\"threshold\"] is None" "$tmp/p.json" $all_faces' "period summary sums two deployments"
"$vigil" report --from 2031-01-01 --until 2031-02-01 --format csv > "$tmp/p.csv"
check 'grep -q ",1,\"wanted\",\"Park\"" "$tmp/p.csv" || python3 -c "import csv,sys; d=dict(zip(*csv.reader(open(sys.argv[1])))); assert d[\"deployments\"]==\"1\" and d[\"alerts\"]==\"0\"" "$tmp/p.csv"' "period with only the later deployment"
"$vigil" report --from "$(date -u -d '-1 day' +%Y-%m-%d)" --until "$(date -u -d '+2 day' +%Y-%m-%d)" --format html > "$tmp/p.html"
check 'grep -q "Summary" "$tmp/p.html" && grep -q "threshold: various" "$tmp/p.html"' "period html"

# no name, no image anywhere in what the commands print
check '! grep -l "Secret\|Collins" "$tmp"/r.* "$tmp"/p.* "$tmp"/list.*' "no subject name in any report or list"
check '! grep -lE "base64|data:|/9j/" "$tmp"/r.* "$tmp"/p.* "$tmp"/list.*' "no base64 or data: URI"
check 'python3 -c "import sys; jpg=open(sys.argv[1],\"rb\").read(); outs=[open(p,\"rb\").read() for p in sys.argv[2:]]; assert not any(b\"\xff\xd8\xff\" in o or jpg[100:132] in o for o in outs)" "$tmp/crop.jpg" "$tmp"/r.* "$tmp"/p.* "$tmp"/list.*' "no JPEG bytes"

# usage
"$vigil" report 2>/dev/null; check '[ $? = 2 ]' "report without arguments is a usage error"
"$vigil" report street --format pdf 2>/dev/null; check '[ $? = 2 ]' "an unknown format refused"
"$vigil" report nowhere 2>/dev/null; check '[ $? = 1 ]' "an unknown deployment: not found, exit 1"
check '"$vigil" report --help | grep -q "usage: vigil report"' "report --help"
check '"$vigil" alert --help | grep -q "usage: vigil alert"' "alert --help"
check '"$vigil" audit verify >/dev/null' "audit chain intact"

echo "$passes passed, $fails failed"
[ $fails = 0 ]
