#!/usr/bin/env bash
# test_install.sh — `cmake --install` of this build into a DESTDIR staging
# root: the FHS layout (binary, libvigil.so.0 and libvigil-core.so.0 with
# their SONAME, headers, pkg-config files, ONNX Runtime in LIBDIR/vigil, the
# model pack, calibration and console under share/vigil, the example config,
# the systemd units, the man page); the exported symbols of each library are
# exactly the VG_API functions of its public headers; the staged binary finds
# its models and console under its own prefix (no VIGIL_MODELS) and writes
# nothing under the staged tree while it runs; examples/match_two_photos.c
# builds against the staged headers with `pkg-config vigil-core` alone and
# runs. Exit 77 without the models.
set -u
vigil=${VIGIL_BIN:?VIGIL_BIN is set by CTest}
models=${VIGIL_MODELS:?VIGIL_MODELS is set by CTest}
src=${VIGIL_SRC:?VIGIL_SRC is set by CTest}
[ -f "$models/fr_feature.onnx" ] || { echo "default pack absent from $models: skipping"; exit 77; }
build=$(dirname "$vigil")
tmp=$(mktemp -d)
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0 passes=0
check() { local name=$1; shift; if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi; }

root=$tmp/root
multi=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
lib=$root/usr/lib/$multi
if ! DESTDIR=$root cmake --install "$build" >"$tmp/install.log" 2>&1; then
  echo "FAIL: cmake --install"; cat "$tmp/install.log"; exit 1
fi

# --- layout -------------------------------------------------------------------
for f in usr/bin/vigil "usr/lib/$multi/libvigil.so.0" "usr/lib/$multi/libvigil-core.so.0" \
         "usr/lib/$multi/libvigil.so" "usr/lib/$multi/libvigil-core.so" \
         "usr/lib/$multi/pkgconfig/vigil.pc" "usr/lib/$multi/pkgconfig/vigil-core.pc" \
         "usr/lib/$multi/vigil/libonnxruntime.so.1" usr/include/vigil/face.h usr/include/vigil/version.h \
         usr/include/vigil/api.h usr/share/vigil/models/fr_detect.onnx usr/share/vigil/models/fr_feature.onnx \
         usr/share/vigil/models/fr_landmark.onnx usr/share/vigil/calibration/default.txt \
         usr/share/vigil/web/index.html etc/vigil/vigil.ini usr/lib/systemd/system/vigil-serve.service \
         usr/lib/systemd/system/vigil@.service usr/share/man/man1/vigil.1; do
  check "installed: $f" test -e "$root/$f"
done
check "nothing outside /usr and /etc" test -z "$(cd "$root" && ls | grep -vx -e usr -e etc)"
check "SONAME libvigil.so.0" grep -q 'SONAME.*\[libvigil\.so\.0\]' <(readelf -d "$lib/libvigil.so.0")
check "SONAME libvigil-core.so.0" grep -q 'SONAME.*\[libvigil-core\.so\.0\]' <(readelf -d "$lib/libvigil-core.so.0")
check "the binary's RUNPATH is relative" grep -q "RUNPATH.*\[\$ORIGIN/../lib/$multi/vigil\]" <(readelf -d "$root/usr/bin/vigil")
check "no build path in the libraries' RUNPATH" test -z "$(readelf -d "$lib"/libvigil*.so.0 | grep RUNPATH | grep -v '\[\$ORIGIN/vigil\]')"
core_needed=$(readelf -d "$lib/libvigil-core.so.0" | grep NEEDED)
check "libvigil-core needs no store, server or video library" \
  test -z "$(grep -E 'libpq|libsqlite|libmicrohttpd|libcurl|libavdevice' <<<"$core_needed")"

# --- exported symbols = VG_API of the public headers -----------------------------
declared() { # headers... -> the VG_API function names, sorted
  perl -0777 -ne 'print "$1\n" while /\bVG_API\b[^;(]*?\b(vg_\w+)\s*\(/g' "$@" | sort -u
}
exported() { nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort -u; }
inc=$root/usr/include/vigil
declared "$inc"/*.h > "$tmp/all.decl"
exported "$lib/libvigil.so.0" > "$tmp/all.exp"
check "libvigil exports what the headers declare ($(wc -l <"$tmp/all.decl") functions)" \
  diff "$tmp/all.decl" "$tmp/all.exp"
declared "$inc"/{status,log,image,face,match,version}.h > "$tmp/core.decl"
exported "$lib/libvigil-core.so.0" > "$tmp/core.exp"
check "libvigil-core exports what its headers declare ($(wc -l <"$tmp/core.decl") functions)" \
  diff "$tmp/core.decl" "$tmp/core.exp"
check "vg_version is exported" grep -qx vg_version "$tmp/core.exp"

# --- the staged binary runs from its prefix, writing nothing under it ---------------
find "$root" -printf '%p %s %T@ %m\n' | sort > "$tmp/before"
state=$tmp/state
mkdir -p "$state"
staged=$root/usr/bin/vigil
run() { env -u VIGIL_MODELS -u VIGIL_CALIBRATION -u VIGIL_DB -u VIGIL_KEY "$@"; }
# as an operator runs it: found through PATH (dladdr then names no directory)
runp() { run env PATH="$root/usr/bin:$PATH" "$@"; }
out=$(cd "$state" && run "$staged" --version 2>&1)
check "--version: the models under the staged prefix" grep -q "embedder $root/usr/share/vigil/models/fr_feature.onnx" <<<"$out"
out2=$(cd "$state" && runp vigil version 2>&1)
check "vigil found through PATH: the models under the staged prefix" grep -q "embedder $root/usr/share/vigil/models/fr_feature.onnx" <<<"$out2"
check "--version: vigil's version" grep -qE '^vigil [0-9]+\.[0-9]+\.[0-9]+$' <<<"$out"
run "$staged" --db "$state/vigil.db" watchlist create north --reason test --authorised-by "Supt Test" >/dev/null 2>&1
out=$(run "$staged" --db "$state/vigil.db" doctor 2>&1); rc=$?
check "doctor of the staged install exits 0" test "$rc" = 0
[ "$rc" = 0 ] || echo "$out"
out=$(run "$staged" compare "$src/deps/media/astronaut.png" "$src/deps/media/astronaut-mirrored.png" 2>&1)
check "compare with the staged pack" grep -qi "same" <<<"$out"
(cd "$state" && run "$staged" --db "$state/vigil.db" serve --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1) &
serve_pid=$!
for _ in $(seq 600); do grep -q "console http" "$tmp/serve.log" && break; sleep 0.1; done
url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$tmp/serve.log" | head -1)
page=$(curl -sf "$url" || true)
check "the console from the staged share/vigil/web" grep -q "<html" <<<"$page"
kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; serve_pid=
find "$root" -printf '%p %s %T@ %m\n' | sort > "$tmp/after"
check "nothing written under the staged tree at run time" diff "$tmp/before" "$tmp/after"

# --- the example program, against the staged vigil-core.pc alone -------------------
pc=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$lib/pkgconfig PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 \
     PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 pkg-config --cflags --libs vigil-core)
check "pkg-config vigil-core points into the staged root" grep -q -- "-I$root/usr/include" <<<"$pc"
san=
grep -q '^CMAKE_BUILD_TYPE:[A-Z]*=Asan' "$build/CMakeCache.txt" 2>/dev/null && san="-fsanitize=address,undefined"
# shellcheck disable=SC2086
if cc -std=c11 -Wall -Wextra -Werror $san "$src/examples/match_two_photos.c" $pc -o "$tmp/match" 2>"$tmp/cc.log"; then
  passes=$((passes + 1))
  check "the example links libvigil-core only" \
    test -z "$(readelf -d "$tmp/match" | grep NEEDED | grep -E 'libvigil\.so|libpq|libmicrohttpd|libsqlite')"
  out=$(run env LD_LIBRARY_PATH="$lib" "$tmp/match" "$src/deps/media/astronaut.png" "$src/deps/media/astronaut-mirrored.png" 2>&1)
  check "example: the same face" grep -qE '^vigil [0-9.]+: similarity 0\.[0-9]{4}: same person$' <<<"$out"
  [ -n "$out" ] && echo "example: $out"
  out=$(run env LD_LIBRARY_PATH="$lib" "$tmp/match" "$src/deps/media/astronaut.png" "$src/deps/media/camera.png" 2>&1)
  check "example: two people" grep -q 'different people$' <<<"$out"
  echo "example: $out"
  out=$(run env LD_LIBRARY_PATH="$lib" "$tmp/match" "$src/deps/media/astronaut.png" "$tmp/none.png" 2>&1); rc=$?
  check "example: a missing photo is an error" test "$rc" = 1
else
  echo "FAIL: the example does not build against the staged vigil-core.pc:"; cat "$tmp/cc.log"
  fails=$((fails + 1))
fi
find "$root" -printf '%p %s %T@ %m\n' | sort > "$tmp/after2"
check "the example wrote nothing under the staged tree" diff "$tmp/before" "$tmp/after2"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
