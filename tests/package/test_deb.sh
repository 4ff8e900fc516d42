#!/usr/bin/env bash
# test_deb.sh DEB — the package as CI checks it (`make test-package`; root,
# on a throwaway machine: it installs the package on the machine itself):
# its contents and control fields, the units by systemd-analyze (verify and
# security, offline), dpkg -i, the user and the modes, `vigil doctor` and the
# demo clip through `vigil replay` as the user vigil, then dpkg --purge
# (which keeps /var/lib/vigil). Cleans up after itself (user, state).
set -u
deb=${1:?usage: test_deb.sh out/vigil_VERSION_amd64.deb}
deb=$(readlink -f "$deb")
src=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "test_deb.sh installs a package: run it as root (CI)"; exit 77; }
if dpkg-query -W -f='${Status}' vigil 2>/dev/null | grep -q installed; then
  echo "vigil is already installed on this machine: test_deb.sh will not touch it"; exit 77
fi
getent passwd vigil >/dev/null && { echo "a user vigil exists already: test_deb.sh will not touch it"; exit 77; }
[ -e /var/lib/vigil ] && { echo "/var/lib/vigil exists already: test_deb.sh will not touch it"; exit 77; }
tmp=$(mktemp -d)
cleanup() {
  dpkg --purge vigil >/dev/null 2>&1
  rm -rf /var/lib/vigil "$tmp"
  getent passwd vigil >/dev/null && deluser --quiet --system vigil >/dev/null 2>&1
  getent group vigil >/dev/null && delgroup --quiet --system vigil >/dev/null 2>&1
}
trap cleanup EXIT
fails=0 passes=0
check() { local name=$1; shift; if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi; }

# --- contents ---------------------------------------------------------------
info=$(dpkg-deb -f "$deb")
check "Package: vigil" grep -qx "Package: vigil" <<<"$info"
check "Depends from dpkg-shlibdeps" grep -qE "^Depends: .*libavformat59.*libsodium23.*adduser" <<<"$info"
list=$(dpkg-deb -c "$deb")
multi=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for f in ./usr/bin/vigil "./usr/lib/$multi/libvigil.so.0.1.0" "./usr/lib/$multi/libvigil-core.so.0.1.0" \
         "./usr/lib/$multi/vigil/libonnxruntime.so.1" ./usr/share/vigil/models/fr_feature.onnx \
         ./usr/share/vigil/web/index.html ./etc/vigil/vigil.ini ./usr/share/doc/vigil/copyright \
         ./usr/share/doc/vigil/onnxruntime.copyright ./usr/share/doc/vigil/models.LICENSE \
         ./usr/share/man/man1/vigil.1.gz ./usr/lib/systemd/system/vigil-serve.service \
         ./usr/lib/systemd/system/vigil@.service "./usr/lib/$multi/pkgconfig/vigil-core.pc"; do
  check "in the package: $f" grep -q " $f\$" <<<"$list"
done
check "nothing under /var or /usr/local in the package" test -z "$(grep -E ' \./(var|usr/local)/' <<<"$list")"
check "conffile /etc/vigil/vigil.ini" grep -qx /etc/vigil/vigil.ini <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)

# --- systemd units, offline -------------------------------------------------------
dpkg-deb -x "$deb" "$tmp/x"
for u in vigil-serve.service vigil@.service; do
  unit=$tmp/x/usr/lib/systemd/system/$u
  [ "$u" = vigil@.service ] && { cp "$unit" "$tmp/vigil@test.service"; unit=$tmp/vigil@test.service; }
  out=$(systemd-analyze security --offline=yes "$unit" 2>&1 | tail -1)
  echo "systemd-analyze security $u: $out"
  score=$(grep -oE 'exposure level for [^:]*: [0-9.]+' <<<"$out" | grep -oE '[0-9.]+$')
  check "$u rated OK or better (exposure $score)" grep -qE ' (OK|SAFE) ' <<<"$out"
done

# --- install --------------------------------------------------------------------
if ! dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then cat "$tmp/dpkg.log"; echo "FAIL: dpkg -i"; exit 1; fi
passes=$((passes + 1))
for u in vigil-serve.service vigil@.service; do
  check "systemd-analyze verify $u" systemd-analyze verify "/usr/lib/systemd/system/$u"
done
check "user vigil" getent passwd vigil
check "/var/lib/vigil vigil:vigil 0750" test "$(stat -c '%U:%G %a' /var/lib/vigil)" = "vigil:vigil 750"
check "/etc/vigil/vigil.ini root:vigil 0640" test "$(stat -c '%U:%G %a' /etc/vigil/vigil.ini)" = "root:vigil 640"
check "vigil --version" vigil --version
as_vigil() { (cd /var/lib/vigil && runuser -u vigil -- env -u VIGIL_MODELS VIGIL_DB=/var/lib/vigil/vigil.db "$@"); }
media=$src/deps/media
cp "$media/astronaut.png" "$media/demo-walk.mp4" "$tmp/" && chmod 0755 "$tmp" && chmod 0644 "$tmp"/*.png "$tmp"/*.mp4
as_vigil vigil watchlist create demo --reason "package test" --authorised-by "CI" >/dev/null
as_vigil vigil subject add demo --name "Eileen Collins (demo)" --source "NASA portrait" --photo "$tmp/astronaut.png" >/dev/null
check "the key file vigil:vigil 0600" test "$(stat -c '%U:%G %a' /var/lib/vigil/vigil.db.key)" = "vigil:vigil 600"
out=$(as_vigil vigil doctor 2>&1); rc=$?
echo "$out"
check "vigil doctor as vigil exits 0" test "$rc" = 0
check "doctor finds the installed models" grep -q "/usr/share/vigil/models" <<<"$out"
out=$(as_vigil vigil --json replay "$tmp/demo-walk.mp4" --watchlist demo 2>"$tmp/replay.err"); rc=$?
check "replay of the demo clip as vigil" test "$rc" = 0
check "replay: the astronaut alerted" grep -q "Eileen Collins" <<<"$out"
[ "$rc" = 0 ] || tail -5 "$tmp/replay.err"

# --- removal ----------------------------------------------------------------------
dpkg --purge vigil >"$tmp/purge.log" 2>&1
check "purged" test ! -e /usr/bin/vigil
check "purge keeps /var/lib/vigil (the database and its key)" test -f /var/lib/vigil/vigil.db.key
check "purge removes /etc/vigil" test ! -e /etc/vigil

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
