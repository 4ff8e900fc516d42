#!/usr/bin/env bash
# test_replay_walkby.sh — a synthetic walk-by (scripts/make_walkby): five
# LFW photos cross a 1080p background one after another, growing as they
# come. Three of the five people are on the watch list, each enrolled from a
# *different* photo than the one that walks by. Exactly one alert per listed
# person, none for the two others; the alert latency is reported.
# Skips (77) without LFW.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
L=${VIGIL_TEST_DATA:-}/lfw/images_deepfunneled
if [ ! -d "$L" ]; then echo "LFW not found under VIGIL_TEST_DATA: skipping"; exit 77; fi
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test
unset VIGIL_KEY

"$here/../../scripts/make_walkby" "$tmp/walkby.mp4" 13 \
  "$L/Colin_Powell/Colin_Powell_0005.jpg" "$L/Serena_Williams/Serena_Williams_0002.jpg" \
  "$L/Tony_Blair/Tony_Blair_0004.jpg" "$L/Hugo_Chavez/Hugo_Chavez_0002.jpg" \
  "$L/Gray_Davis/Gray_Davis_0003.jpg" || exit 1
"$vigil" watchlist create walk --reason test --authorised-by test >/dev/null || exit 1
"$vigil" subject add walk --name "Colin Powell" --photo "$L/Colin_Powell/Colin_Powell_0001.jpg" >/dev/null || exit 1
"$vigil" subject add walk --name "Tony Blair" --photo "$L/Tony_Blair/Tony_Blair_0003.jpg" >/dev/null || exit 1
"$vigil" subject add walk --name "Gray Davis" --photo "$L/Gray_Davis/Gray_Davis_0002.jpg" >/dev/null || exit 1

"$vigil" --json replay "$tmp/walkby.mp4" --watchlist walk > "$tmp/out.json" 2> "$tmp/err.log" || { tail "$tmp/err.log"; exit 1; }
python3 - "$tmp/out.json" <<'PY'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
alerts = [r for r in rows if r.get("type") == "alert"]
summary = [r for r in rows if r.get("type") == "summary"][0]
names = collections.Counter(a["name"] for a in alerts)
print("alerts:", dict(names), "latency p50 %.1f ms, p99 %.1f ms" % (summary["latency_ms_p50"], summary["latency_ms_p99"]))
print("summary:", summary)
want = {"Colin Powell": 1, "Tony Blair": 1, "Gray Davis": 1}
assert dict(names) == want, f"expected one alert each for {sorted(want)}, got {dict(names)}"
assert summary["tracks_freed"] == summary["tracks"]
print("walkby: 1 passed, 0 failed")
PY
