#!/usr/bin/env bash
# test_paperwork.sh — `vigil paperwork` as a force would use it (issue 20).
# A watch list that expires before the deployment's window, with a child
# (dob, justification) and a subject enrolled below the quality limits on
# a supervisor's authority; alerts and counters written as the engine
# leaves them, adjudicated; a deployment refused (its model is not the
# pack's) and audited. Checked:
#  - every figure of the JSON documents against SQL on the database, the
#    calibration file and the evaluation run it names (id, labels file's
#    SHA-256 against sha256sum, model);
#  - the child, the expired list and the quality override each in its
#    section; the warning of a model without a group evaluation in the DPIA
#    and EIA, gone once `vigil eval groups --record` keeps one (a small real
#    run: 12 LFW people, 2 photos each; skipped without the data);
#  - regenerating gives identical bytes, a stored version made again gives
#    its bytes, `paperwork diff` names what changed; productions audited,
#    the chain verifies; bad input refused, changing nothing;
#  - the API gives the same bytes to an auditor, 403 to an operator;
#  - the HTML prints on A4 with Debian's chromium (pdfinfo, pdftotext and
#    a page as PNG from poppler-utils). Skips (77) without the demo photo.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
src=${VIGIL_SRC:-.}
astro=$src/deps/media/astronaut.png
[ -f "$astro" ] || { echo "astronaut.png not found under VIGIL_SRC: skipping"; exit 77; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=admin
unset VIGIL_KEY
fails=0 passes=0
check() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$VIGIL_DB" "$1"; }
fail() { echo "FAIL: $*"; exit 1; }

"$vigil" watchlist create wanted --reason "warrants <b>" --authorised-by "Supt A" --expires 2027-01-01 >/dev/null || fail "list"
"$vigil" subject add wanted --name "Child A" --photo "$astro" --category missing --source "family photo" \
  --dob 2012-03-04 --justification "missing child at risk" >/dev/null || fail "child"
"$vigil" subject add wanted --name "Adult B" --photo "$astro" --category wanted --source custody --allow-duplicate \
  --min-sharpness 100000 --accept-low-quality "the only photo held" --supervisor "Sgt B" >/dev/null || fail "override"
"$vigil" subject add wanted --name "Adult C" --photo "$astro" --category wanted --source custody --allow-duplicate \
  --expires 2026-12-30 >/dev/null || fail "adult C"
"$vigil" deployment create later --watchlist wanted --location "Park <i>" --from 2027-01-05 --until 2027-01-06 \
  --authorised-by "Supt A" --camera rtsp://x/ --signage-confirmed --scene-snapshot >/dev/null || fail "deployment later"
from=$(date -u -d '-3 hour' +%Y-%m-%dT%H:%M:%SZ) until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$vigil" deployment create street --watchlist wanted --location "High St" --from "$from" --until "$until" \
  --authorised-by "Supt A" --camera rtsp://a/ --camera rtsp://b/ --threshold 0.6 >/dev/null || fail "deployment street"
python3 - "$VIGIL_DB" "$astro" "$tmp/crop.jpg" <<'PY' || fail "alerts"
import sqlite3, subprocess, sys, time
db, astro, crop = sys.argv[1:4]
subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", astro, "-vf", "crop=120:150:170:20", crop], check=True)
jpeg = open(crop, "rb").read()
c = sqlite3.connect(db)
sub = c.execute("select min(id) from subject").fetchone()[0]
dep, start = c.execute("select id, starts_at from deployment where name='street'").fetchone()
for k in range(7):
    c.execute("insert into alert (uid, deployment_id, camera, subject_id, score, frame_time, raised_at, crop) "
              "values (?, ?, 'camera1', ?, 0.7, ?, ?, ?)", ("u%d" % k, dep, sub, start + 60 + k, start + 60 + k, jpeg))
c.execute("insert into counters (deployment_id, camera, frames_in, frames_processed, faces, tracks, alerts, updated_at) "
          "values (?, 'camera1', 9000, 8800, 12000, 3000, 7, ?)", (dep, start + 100))
c.commit()
PY
ids=$(sql "select group_concat(id, ' ') from alert")
read -r a1 a2 a3 a4 a5 a6 a7 <<< "$ids"
for a in $a1 $a2; do "$vigil" --actor "PC J" alert adjudicate "$a" --outcome confirmed >/dev/null; done
for a in $a3 $a4 $a5; do "$vigil" --actor "PC J" alert adjudicate "$a" --outcome rejected >/dev/null; done
"$vigil" --actor "PC J" alert adjudicate "$a6" --outcome no_action >/dev/null
# a refusal: the deployment was made for another embedder than the pack's
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update deployment set model_id=\"other.onnx:00\" where name=\"street\""); c.commit()' "$VIGIL_DB"
"$vigil" run --deployment street --no-http >/dev/null 2>&1 && fail "a deployment for another embedder ran"
check '"$vigil" audit log | grep -q "deployment.refuse"' "the refusal is audited"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update deployment set model_id=\"\" where name=\"street\""); c.commit()' "$VIGIL_DB"
model=$(sql "select model_id from template limit 1") # the pack's embedder, which enrolled them

# ---- the warning without a group evaluation ----
for k in dpia eia; do
  "$vigil" paperwork street --kind $k --format md > "$tmp/$k-nogroups.md"; rc=$?
  check '[ $rc = 0 ] && grep -q "NO GROUP EVALUATION ON RECORD for the model $model" "$tmp/$k-nogroups.md"' "$k warns without a group evaluation (rc $rc)"
done
check '! grep -q "NO GROUP EVALUATION" <("$vigil" paperwork street --kind watchlist-criteria)' "the criteria carry no EIA warning"

# ---- the scene-snapshot policy (issue 15): off unless asked, shown and audited ----
check '"$vigil" deployment show later | grep -q "scene: *kept with each alert" && "$vigil" deployment show street | grep -q "scene: *not kept"' "deployment show gives the scene policy"
check '"$vigil" deployment list | grep "^later " | grep -q "(scene snapshots)" && ! "$vigil" deployment list | grep "^street " | grep -q "scene"' "deployment list marks the deployment that keeps scenes"
check '"$vigil" --json deployment show later | grep -q "\"scene_snapshot\": *true" && "$vigil" --json deployment show street | grep -q "\"scene_snapshot\": *false"' "the JSON gives scene_snapshot"
check '"$vigil" audit log | grep "deployment.create" | grep "later" | grep -q "scene_snapshot.: *true"' "the policy is audited with the deployment"
check 'grep -q "Scene snapshot.*not kept" "$tmp/dpia-nogroups.md"' "the paperwork's settings give the scene policy"

# ---- a recorded group evaluation (real, small) ----
lfw=${VIGIL_TEST_DATA:-}/lfw
have_eval=0
if [ -f "$lfw/lfw-names.txt" ]; then
  python3 - "$lfw" "$tmp" <<'PY'
import os, sys
lfw, tmp = sys.argv[1:]
people = sorted(n for n, c in (l.split() for l in open(os.path.join(lfw, "lfw-names.txt")) if l.strip()) if int(c) >= 2)[:12]
with open(os.path.join(tmp, "labels.csv"), "w") as f:
    f.write("person,group\n")
    for i, n in enumerate(people):
        f.write("%s,%s\n" % (n, "A" if i % 2 == 0 else "B"))
        os.makedirs(os.path.join(tmp, "ds", n))
        for k in (1, 2):
            os.symlink(os.path.join(lfw, "images_deepfunneled", n, "%s_%04d.jpg" % (n, k)), os.path.join(tmp, "ds", n, "%s_%04d.jpg" % (n, k)))
PY
  "$vigil" --json eval groups --dataset "$tmp/ds" --labels "$tmp/labels.csv" --bootstrap 50 --record > "$tmp/groups.json" 2>"$tmp/groups.err"; rc=$?
  check '[ $rc = 0 ] && grep -q "\"recorded_run\":1" "$tmp/groups.json"' "eval groups --record keeps run 1 (rc $rc: $(tail -2 "$tmp/groups.err"))"
  check '[ "$(sql "select labels_sha256 from eval_run where id = 1")" = "$(sha256sum "$tmp/labels.csv" | cut -d" " -f1)" ]' "the run's labels hash is the file's"
  check '"$vigil" audit log | grep -q "eval.record"' "the recording is audited"
  have_eval=1
else
  echo "LFW not found at $lfw: the recorded group evaluation is not tested"
fi

# ---- the documents, every figure against its record ----
for k in dpia eia watchlist-criteria authorisation review; do
  "$vigil" paperwork street --kind $k --format json > "$tmp/$k.json" || fail "paperwork $k"
done
"$vigil" paperwork later --kind watchlist-criteria --format json > "$tmp/later-criteria.json" || fail "criteria of later"
cal=$src/calibration/default.txt
python3 - "$tmp" "$VIGIL_DB" "$have_eval" "$model" "$cal" <<'PY' > "$tmp/figures.out" 2>&1
import json, sqlite3, sys, math
tmp, db, have_eval, model, cal = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], sys.argv[5]
c = sqlite3.connect(db)
q = lambda s, *a: c.execute(s, a).fetchone()[0]
def rows(doc):
    out = {}
    for s in doc["sections"]:
        for r in s["rows"]:
            out.setdefault(r["label"], []).append((r["value"], r["source"], s["heading"]))
    return out
def items(doc, heading):
    return [i for s in doc["sections"] if s["heading"] == heading for i in s["list"]]
bad = []
def eq(what, got, want):
    if str(got) != str(want): bad.append("%s: %r != %r" % (what, got, want))
dep = dict(zip(("id", "location", "authorised_by", "threshold", "signage", "starts_at", "ends_at"),
               c.execute("select id, location, authorised_by, threshold, signage_confirmed, starts_at, ends_at from deployment where name='street'").fetchone()))
for k in ("dpia", "eia", "watchlist-criteria", "authorisation", "review"):
    d = json.load(open("%s/%s.json" % (tmp, k)))
    r = rows(d)
    eq(k + " notice", "support a person's assessment" in d["notice"] and "does not replace" in d["notice"], True)
    for f in ("legal basis", "necessity and proportionality", "community engagement"):
        eq(k + " blank " + f, f in d["blank_fields"], True)
    eq(k + " every row has a source", all(v[1] for vs in r.values() for v in vs), True)
    eq(k + " location", r["Location"][0][0], dep["location"])
    eq(k + " authorised by", r["Authorised by"][0][0], dep["authorised_by"])
    eq(k + " cameras", r["Cameras"][0][0], q("select count(*) from deployment_camera where deployment_id=?", dep["id"]))
    eq(k + " subjects", r["Subjects"][0][0].split()[0], q("select count(*) from subject"))
    for cat in ("missing", "wanted"):
        eq(k + " category " + cat, r["Category: " + cat][0][0], q("select count(*) from subject where category=?", cat))
    if k != "watchlist-criteria":
        eq(k + " threshold", r["Match threshold"][0][0], "%.6g" % dep["threshold"])
    if k in ("dpia", "eia", "authorisation", "review"):
        v, s, _ = r["Predicted false-alert rate"][0]
        # the calibration file's figures at the threshold for a list of this size
        lines = [l.split() for l in open(cal) if l.startswith("size ")]
        n_subj = q("select count(*) from subject")
        e = min((l for l in lines if int(l[1]) >= n_subj), key=lambda l: int(l[1]))
        nonmated, scores = int(e[3]), [float(x) for x in e[8:]]
        above = sum(1 for x in scores if x > dep["threshold"])
        eq(k + " calibration source", cal in s, True)
        eq(k + " calibration counts", "%d of %d non-mated" % (above, nonmated) in v, True)
        eq(k + " calibration rate", v.startswith("%.6g per face" % (above / nonmated)) or v.startswith("at least %.6g" % (above / nonmated)), True)
    if k in ("dpia", "eia"):
        warned = any("NO GROUP EVALUATION" in w for w in d["warnings"])
        eq(k + " group warning", warned, not have_eval)
        if have_eval:
            run = c.execute("select id, dataset, labels_sha256, model_id, command from eval_run").fetchone()
            res = json.load(open(tmp + "/groups.json"))
            for g in res["groups"]:
                label = "Run %d, group %s" % (run[0], g["group"])
                v, s, _ = r[label][0]
                eq(label + " cites the run", all(x in s for x in (run[1], run[2], run[3], "evaluation run %d" % run[0])), True)
                eq(label + " people", v.split()[0], g["subjects"])
                eq(label + " FNMR", "%.4g (95 %% CI %.4g to %.4g; %d of %d)" % (g["fnmr"]["value"], g["fnmr"]["ci95"][0], g["fnmr"]["ci95"][1], g["false_non_matches"], g["mated"]) in v, True)
                eq(label + " FMR", "%.4g (95 %% CI %.4g to %.4g; %d of %d)" % (g["fmr"]["value"], g["fmr"]["ci95"][0], g["fmr"]["ci95"][1], g["false_matches"], g["nonmated"]) in v, True)
            eq(k + " run model", run[3], model)
    if k == "review":
        st = lambda s: q("select count(*) from alert where deployment_id=? and state=?", dep["id"], s)
        eq("confirmed", r["Confirmed"][0][0], st("confirmed"))
        eq("rejected", r["Rejected (false alerts)"][0][0], st("rejected"))
        eq("no action", r["No action"][0][0], st("no_action"))
        eq("pending", r["Not yet adjudicated"][0][0], st("pending"))
        faces = q("select sum(faces) from counters where deployment_id=?", dep["id"])
        eq("faces", r["Faces processed"][0][0], faces)
        eq("alerts", r["Alerts"][0][0], q("select count(*) from alert where deployment_id=?", dep["id"]))
        eq("observed rate", r["Observed false-alert rate"][0][0].split()[0], "%.6g" % (st("rejected") / faces))
        eq("hours", r["Authorised hours"][0][0], "%.6g" % ((dep["ends_at"] - dep["starts_at"]) / 3600))
        eq("pending warned", any("1 alert(s) are not yet adjudicated" in w for w in d["warnings"]), True)
        over = items(d, "Refusals and overrides")
        eq("override listed", any("subject.add" in i and "the only photo held" in i and "Sgt B" in i for i in over), True)
        eq("refusal listed", any("deployment.refuse" in i and "other.onnx" in i for i in over), True)
        v = r["Audit chain"][0][0]
        eq("audit", v, "verified intact")
        head = r["Chain head at the window's end"][0][0]
        seq = int(head.split()[1])
        eq("audit head hash", head.endswith(q("select hash from audit where seq=?", seq)), True)
        eq("audit head is the last before the window's end", seq, q("select max(seq) from audit where time <= ? and action != 'paperwork.generate'", dep["ends_at"]))
# the child, the expired list, the override in the criteria of `later`
d = json.load(open(tmp + "/later-criteria.json"))
r = rows(d)
eq("under 18 count", r["Subjects under 18"][0][0], 1)
kid = q("select id from subject where justification != ''")
ch = items(d, "Children (under 18 at the deployment's start)")
eq("child listed", ch == ['subject %d, aged 14: justification "missing child at risk", authorised by Supt A' % kid], True)
eq("expired list", "expired before the deployment's start" in r["Watch-list expiry"][0][0], True)
eq("expired warned", any("expired (2027-01-01T00:00:00Z) before the deployment's start" in w for w in d["warnings"]), True)
eq("child warned", any("1 person(s) under 18" in w for w in d["warnings"]), True)
eq("override count", r["Subjects with a template accepted below the quality limits"][0][0], q("select count(distinct subject_id) from template where low_quality=1"))
eq("subject expired before start", r["Subjects expired before the start"][0][0], 3)
eq("no name", any(n in open(tmp + "/later-criteria.json").read() for n in ("Child A", "Adult B", "Adult C")), False)
print("\n".join(bad) if bad else "figures ok")
PY
check 'grep -qx "figures ok" "$tmp/figures.out"' "every figure against its record: $(head -5 "$tmp/figures.out")"

# ---- versions: identical bytes, a stored version again, diff ----
"$vigil" paperwork street --kind review --format html > "$tmp/r1.html"
"$vigil" paperwork street --kind review --format html > "$tmp/r2.html"
check 'cmp -s "$tmp/r1.html" "$tmp/r2.html"' "regenerating gives identical bytes"
v1=$(sed -n 's/.*Version \([0-9]*\) .*/\1/p' "$tmp/r1.html" | head -1)
"$vigil" --actor "PC J" alert adjudicate "$a7" --outcome confirmed >/dev/null
"$vigil" paperwork street --kind review --format html > "$tmp/r3.html"
v3=$(sed -n 's/.*Version \([0-9]*\) .*/\1/p' "$tmp/r3.html" | head -1)
check '[ "$v3" = $((v1 + 1)) ] && ! cmp -s "$tmp/r1.html" "$tmp/r3.html"' "a new adjudication makes a new version ($v1 -> $v3)"
"$vigil" paperwork street --kind review --format html --version "$v1" > "$tmp/r1again.html"
check 'cmp -s "$tmp/r1.html" "$tmp/r1again.html"' "version $v1 made again gives its bytes"
"$vigil" paperwork diff street --kind review "$v1" "$v3" > "$tmp/diff.txt"
check 'grep -q "operation.confirmed: 2 -> 3" "$tmp/diff.txt" && grep -q "operation.pending: 1 -> 0" "$tmp/diff.txt"' "diff names the changed counts: $(head -4 "$tmp/diff.txt")"
"$vigil" paperwork street --kind authorisation --format md > /dev/null
"$vigil" subject remove "$(sql "select id from subject where expires_at != 0")" >/dev/null
"$vigil" paperwork street --kind authorisation --format md > "$tmp/auth2.md"
check '"$vigil" paperwork diff street --kind authorisation 1 2 | grep -q "watchlist.subjects: 3 -> 2"' "diff names the watch list's change"
check '[ "$(sql "select count(*) from audit where action = \"paperwork.generate\"")" -ge 12 ] && [ "$(sql "select count(*) from audit where action = \"paperwork.regenerate\"")" = 1 ]' "every production audited"
check '"$vigil" audit verify >/dev/null' "the audit chain verifies"
mkdir "$tmp/set"
"$vigil" paperwork street --kind all --format md --output "$tmp/set" > "$tmp/set.txt"
check '[ "$(wc -l < "$tmp/set.txt")" = 5 ] && [ "$(ls "$tmp/set" | wc -l)" = 5 ] && ls "$tmp/set" | grep -q "^street-eia-v[0-9]*\.md$"' "--kind all writes the five documents: $(ls "$tmp/set" | tr '\n' ' ')"

# ---- bad input changes nothing ----
before=$(sql "select max(seq) || ':' || (select count(*) from paperwork) from audit")
"$vigil" paperwork street --kind nope 2>/dev/null; rc1=$?
"$vigil" paperwork nosuch --kind dpia 2>/dev/null; rc2=$?
"$vigil" paperwork street --kind dpia --version 99 2>/dev/null; rc3=$?
"$vigil" paperwork street --kind dpia --format pdf 2>/dev/null; rc4=$?
"$vigil" paperwork diff street --kind dpia 1 x 2>/dev/null; rc5=$?
check '[ "$rc1$rc2$rc3$rc4$rc5" = 21122 ]' "bad kind 2, unknown deployment 1, unknown version 1, bad format 2, bad diff 2 ($rc1$rc2$rc3$rc4$rc5)"
check '[ "$(sql "select max(seq) || \":\" || (select count(*) from paperwork) from audit")" = "$before" ]' "refusals change nothing"

# ---- the API: same bytes for an auditor, 403 for an operator ----
if command -v curl >/dev/null; then
  aud=$("$vigil" user token docs --role auditor 2>/dev/null)
  op=$("$vigil" user token ops --role operator 2>/dev/null)
  "$vigil" --json serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/out"); [ -n "$port" ] && break; sleep 0.1
  done
  did=$(sql "select id from deployment where name='street'")
  base=http://127.0.0.1:$port/api/v1/deployments/$did/paperwork
  code=$(curl -s -o "$tmp/api.html" -D "$tmp/api.h" -w '%{http_code}' -H "Authorization: Bearer $aud" "$base?kind=review&format=html")
  av=$(sed -n 's/^X-Vigil-Document-Version: \([0-9]*\).*/\1/ip' "$tmp/api.h" | tr -d '\r')
  check '[ "$code" = 200 ] && grep -qi "^content-type: text/html" "$tmp/api.h" && [ -n "$av" ]' "the API gives the review to an auditor ($code)"
  # the CLI beside the running server (another connection to the same file)
  "$vigil" paperwork street --kind review --format html --version "$av" > "$tmp/cli.html"
  check 'cmp -s "$tmp/api.html" "$tmp/cli.html"' "the API's document is the CLI's, byte for byte"
  base=http://127.0.0.1:$port/api/v1/deployments/$did/paperwork
  check '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $op" "$base?kind=dpia")" = 403 ]' "an operator is refused"
  check '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $aud" "$base?kind=nope")" = 400 ]' "a bad kind is 400"
  check '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $aud" "http://127.0.0.1:$port/api/v1/deployments/999/paperwork?kind=dpia")" = 404 ]' "an unknown deployment is 404"
  kill "$pid"; wait "$pid" 2>/dev/null; pid=
  check '[ "$(sql "select count(*) from audit where action = \"paperwork.generate\" and actor like \"%docs%\"")" -ge 1 ]' "the API's production is audited under the token's name"
fi

# ---- printable: A4 pages with chromium, looked at through poppler ----
if command -v chromium >/dev/null && command -v pdftoppm >/dev/null; then
  "$vigil" paperwork later --kind review --format html > "$tmp/print.html"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --user-data-dir="$tmp/chrome" \
    --print-to-pdf="$tmp/print.pdf" "file://$tmp/print.html" >/dev/null 2>&1
  pages=$(pdfinfo "$tmp/print.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
  check '[ "${pages:-0}" -ge 2 ] && pdfinfo "$tmp/print.pdf" | grep -q "(A4)"' "the review prints on A4 ($pages pages)"
  pdftotext -layout "$tmp/print.pdf" "$tmp/print.txt"
  check 'grep -q "TO COMPLETE: legal basis" "$tmp/print.txt" && grep -q "WARNING:" "$tmp/print.txt" && grep -q "does not replace" "$tmp/print.txt"' "the printed text holds the notice, warnings and fields"
  pdftoppm -png -r 40 -f 1 -l 1 "$tmp/print.pdf" "$tmp/page"
  check 'python3 -c "
import sys, zlib, struct
d = open(sys.argv[1], \"rb\").read()
assert d[:8] == b\"\\x89PNG\\r\\n\\x1a\\n\"
w, h = struct.unpack(\">II\", d[16:24])
assert abs(h / w - 297 / 210) < 0.02, (w, h)
" "$tmp"/page-1.png' "page 1 renders as an A4 image"
else
  echo "chromium or poppler-utils missing: the print is not tested"
fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
