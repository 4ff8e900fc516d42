#!/usr/bin/env bash
# test_eval_helps.sh — every `vigil eval` subcommand answers --help (-h for
# one of them) with its usage on stdout and exit 0, before looking at any
# other option; an option without its value is a usage error (exit 2) that
# names it. Needs no data.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
for sub_h in verify:--help search:--help calibrate:--help groups:-h; do
  sub=${sub_h%%:*} h=${sub_h#*:}
  out=$("$vigil" eval "$sub" --lfw /nowhere "$h" 2>/dev/null); rc=$?
  if [ "$rc" = 0 ] && grep -q "^usage: vigil eval $sub " <<<"$out"; then ok
  else bad "vigil eval $sub $h -> $rc: $(head -2 <<<"$out")"; fi
done
out=$("$vigil" eval search --watchlist-size 2 --lfw 2>&1); rc=$?
if [ "$rc" = 2 ] && grep -q -- "--lfw needs a value" <<<"$out"; then ok
else bad "vigil eval search --lfw (no value) -> $rc: $out"; fi
echo "eval helps: $passes passed, $fails failed"
[ "$fails" = 0 ]
