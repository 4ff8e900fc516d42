#!/usr/bin/env bash
# run.sh NAME — a short libFuzzer run of one target (default 10 s, VIGIL_FUZZ_SECONDS),
# from the seed corpus fuzz/corpus/NAME plus anything earlier runs found.
# Exit 77 (skipped) when the fuzz build is absent.
set -u
name=$1
bin="${VIGIL_FUZZ_DIR:-}/$name"
if [ ! -x "$bin" ]; then
  echo "fuzz target $bin not built (make build-fuzz): skipping"
  exit 77
fi
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "$src/corpus/$name" ] && cp "$src/corpus/$name"/* "$work/corpus/" 2>/dev/null
if [ -x "$src/seed_$name.sh" ]; then "$src/seed_$name.sh" "$work/corpus" || exit 1; fi
cd "$work"
exec "$bin" -max_total_time="${VIGIL_FUZZ_SECONDS:-10}" -rss_limit_mb=4096 -timeout=10 -error_exitcode=1 \
  -print_final_stats=1 "$work/corpus"
