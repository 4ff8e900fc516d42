#!/usr/bin/env bash
# track_sweep.sh [VIGIL] — the ASL identity test under each [engine] decision
# (frame, aggregate, max) and flip setting, at thresholds above and below the
# default 0.54: how many of person_A's 5 other clips alert (higher
# thresholds) and how many alerts the 14 clips of others give (lower ones).
# A decision whose genuine scores run higher keeps her clips at a stricter
# threshold; one whose impostor scores run higher alerts others sooner.
# Prints one JSON line per (decision, flip, threshold). Data from
# $VIGIL_TEST_DATA (default ../shared/data beside the repo).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
vigil=${1:-$here/build/vigil}
asl=${VIGIL_TEST_DATA:-$here/../shared/data}/video/asl
[ -f "$asl/identities.csv" ] || { echo '{"error":"ASL clips absent"}'; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=bench
unset VIGIL_KEY
ffmpeg -nostdin -v error -i "$asl/again.mkv" -vf 'select=eq(n\,30)' -vframes 1 "$tmp/a.png"
"$vigil" watchlist create asl --reason bench --authorised-by bench >/dev/null
"$vigil" subject add asl --name person_A --face 0 --min-sharpness 5 --photo "$tmp/a.png" >/dev/null
for flip in 0 1; do
  for decision in frame aggregate max; do
    printf '[engine]\nworkers = 1\ndecision = %s\nembed_flip = %s\n' "$decision" "$flip" > "$tmp/cfg.ini"
    for thr in ${THRESHOLDS:-0.40 0.45 0.50 0.75 0.80 0.85}; do
      mine=0 others=0
      while IFS=, read -r clip who; do
        case "$clip" in clip|\#*|again.mkv|"") continue ;; esac
        if [ "$who" = person_A ] || awk -v t="$thr" 'BEGIN { exit !(t < 0.54) }'; then
          n=$("$vigil" --json replay "$asl/$clip" --watchlist asl --config "$tmp/cfg.ini" --threshold "$thr" 2>/dev/null |
              grep -c '"type":"alert"' || true)
          if [ "$who" = person_A ]; then [ "$n" -gt 0 ] && mine=$((mine + 1)); else others=$((others + n)); fi
        fi
      done < "$asl/identities.csv"
      if awk -v t="$thr" 'BEGIN { exit !(t < 0.54) }'; then
        echo "{\"decision\":\"$decision\",\"embed_flip\":$flip,\"threshold\":$thr,\"person_a_clips_alerted\":$mine,\"alerts_on_others\":$others}"
      else
        echo "{\"decision\":\"$decision\",\"embed_flip\":$flip,\"threshold\":$thr,\"person_a_clips_alerted\":$mine}"
      fi
    done
  done
done
