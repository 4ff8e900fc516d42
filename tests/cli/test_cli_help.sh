#!/usr/bin/env bash
# test_cli_help.sh — `vigil COMMAND --help` is right for every command and
# subcommand because it is printed from the table that parses the options
# (src/cli/options.h): each help exits 0 and starts with its usage line;
# every option it lists is accepted by the parser (never "unknown
# option"), and an option it does not list is refused with exit 2. `vigil
# serve --help` names --tls-cert, --tls-key and --config. `vigil eval` and
# its subcommands (verify, search, calibrate, groups) are among them.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_DB=$tmp/vigil.db VIGIL_ACTOR=test VIGIL_MODELS=$tmp/no-pack
unset VIGIL_KEY
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$vigil" --help > "$tmp/top" || bad "vigil --help exits $?"
commands=$(sed -n '/^commands:/,/^$/p' "$tmp/top" | awk 'NF > 1 { print $1 }')
[ -n "$commands" ] || bad "vigil --help lists no command"
targets=()
for c in $commands; do
  "$vigil" "$c" --help > "$tmp/h" 2>&1; rc=$?
  [ "$rc" = 0 ] || bad "vigil $c --help exits $rc"
  if grep -q "^usage: vigil $c COMMAND" "$tmp/h"; then
    for s in $(sed -n "s/^  vigil $c \([a-z-]*\).*/\1/p" "$tmp/h"); do targets+=("$c $s"); done
  else
    targets+=("$c")
  fi
done
[ ${#targets[@]} -ge 30 ] || bad "only ${#targets[@]} commands and subcommands found"
for t in "${targets[@]}"; do
  # shellcheck disable=SC2086
  "$vigil" $t --help > "$tmp/h" 2>&1; rc=$?
  if [ "$rc" = 0 ] && head -1 "$tmp/h" | grep -q "^usage: vigil $t\b"; then ok; else bad "vigil $t --help (exit $rc): $(head -2 "$tmp/h")"; fi
  # every option of the help is one the parser takes: all of them at once,
  # then one it does not list, which must be the one refused
  args=()
  while read -r opt arg; do
    [ -n "$opt" ] || continue
    args+=("$opt"); [ -n "$arg" ] && args+=(x)
  done < <(sed -n '/^options:/,/^$/p' "$tmp/h" | sed -n 's/^  \(--[a-z-]*\)\( [A-Z]\)\{0,1\}.*/\1 \2/p')
  # shellcheck disable=SC2086
  out=$("$vigil" $t "${args[@]}" --no-such-option </dev/null 2>&1); rc=$?
  if [ "$rc" = 2 ] && grep -q "unknown option '--no-such-option'" <<<"$out"; then ok
  else bad "vigil $t ${args[*]} --no-such-option: exit $rc: $out"; fi
done
for t in "eval verify" "eval search" "eval calibrate" "eval groups"; do
  printf '%s\n' "${targets[@]}" | grep -qx "$t" && ok || bad "vigil eval --help does not list $t"
done
"$vigil" serve --help > "$tmp/serve"
for o in --listen --tls-cert --tls-key --config; do
  grep -q -- "^  $o " "$tmp/serve" && ok || bad "serve --help lacks $o"
done
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
