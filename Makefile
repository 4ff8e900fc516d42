# The two commands of the README: `make demo` and `make test`.
# Each runs the bootstrap (idempotent), builds, then runs.
JOBS ?= 2
SHARED ?= $(abspath ../shared/data)
CC_FUZZ ?= clang

.PHONY: all bootstrap build build-asan build-fuzz test test-privacy demo bench package test-package clean shift console-views

all: build

bootstrap:
	@scripts/bootstrap

# The install prefix is given each time: a tree configured before the install
# layout (issue 19) kept /usr/local, and test_install checks Debian's /usr.
build: bootstrap
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
	@cmake --build build -j$(JOBS)

build-asan: bootstrap
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
	@cmake --build build-asan -j$(JOBS)

build-fuzz: bootstrap
	@CC=$(CC_FUZZ) cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Asan -DVG_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS) --target fuzz_targets

# The whole suite under ASan + UBSan, the fuzz targets for a short run each,
# and a clang release build (warnings are errors with both compilers).
test: build build-asan build-fuzz
	@CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-clang -j$(JOBS) --target vigil
	@cd build-asan && VIGIL_FUZZ_DIR=$(CURDIR)/build-fuzz/fuzz ctest --output-on-failure -j$(JOBS)

# The console's long browser runs (not in make test): a shift of 600 s of
# the looping demo clip (make test watches 6 s of it), and every view at
# every size with axe-core and screenshots in build-asan/browser-artifacts.
BROWSER_ENV = VIGIL_BIN=$(CURDIR)/build-asan/vigil VIGIL_SRC=$(CURDIR) VIGIL_MODELS=$(CURDIR)/deps/models \
	VIGIL_ARTIFACTS=$(CURDIR)/build-asan/browser-artifacts \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
shift: build-asan
	@$(BROWSER_ENV) VIGIL_SHIFT_SECONDS=600 node tests/browser/test_shift.mjs

console-views: build-asan
	@$(BROWSER_ENV) node tests/browser/views_all.mjs

# The privacy invariants of DESIGN.md §5 alone (make test runs them too).
test-privacy: build-asan
	@cd build-asan && ctest -L privacy --output-on-failure

demo: build
	@scripts/demo

# Build chatter goes to stderr so that `make bench > bench.json` holds the JSON alone.
bench: bootstrap
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
	@cmake --build build -j$(JOBS) --target vg_bench 1>&2
	@build/bench/vg_bench

# The Debian package, out/vigil_<version>_amd64.deb, from this tree (its own
# release build in build-deb/), checked by lintian.
package: bootstrap
	@JOBS=$(JOBS) scripts/package-deb

# CI: the package installed on this machine (root; it adds the user vigil),
# checked (doctor, systemd-analyze, a replay as vigil), then purged.
test-package: package
	@tests/package/test_deb.sh out/vigil_*_amd64.deb

clean:
	rm -rf build build-asan build-fuzz build-clang build-deb out
