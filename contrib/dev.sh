#!/bin/sh
# dev.sh: install what zeche needs from Debian, build it, and serve or test.
#
#   contrib/dev.sh serve   build and serve capsule/ on localhost, as
#                          contrib/zeche.conf says
#   contrib/dev.sh test    build and run the whole test suite under ctest,
#                          once as built, once with ASan and UBSan, and
#                          the libFuzzer targets for a bounded time
#   contrib/dev.sh bench   build and compare with molly-brown and gophernicus
#   contrib/dev.sh package [DIR]
#                          build the Debian package zeche_VERSION_ARCH.deb
#                          in DIR (default: build-package/)
#   contrib/dev.sh packages build|test
#                          print a package list (the test suite checks that
#                          the build list names every package the build uses)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# What building needs, and what the tests use as real clients and peers.
# Installed without recommends, so every package the build uses is named:
# libc6-dev (crt files, libc headers) is only recommended by gcc.
BUILD_PKGS="gcc libc6-dev make cmake pkg-config libssl-dev libevent-dev openssl"
TEST_PKGS="curl lynx libxml2-utils molly-brown gophernicus systemd tmux amfora sacc gopher clang
    libclang-rt-14-dev dpkg-dev file lintian haproxy
    groff-base man-db prometheus goaccess"
# What cpack needs beyond the build: dpkg-shlibdeps, and file(1) to find
# the ELF files it runs on.
PACKAGE_PKGS="dpkg-dev file"

install_missing() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "dev.sh: installing:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
}

build() {	# DIR [cmake options...]
	dir=$1
	shift
	cmake -S "$top" -B "$dir" "$@" >/dev/null
	cmake --build "$dir" -j "$(nproc)"
}

case "${1:-}" in
serve)
	install_missing $BUILD_PKGS
	build build
	echo "dev.sh: serving gemini://localhost/, gopher://localhost:7070/" \
	    "and spartan://localhost:3000/"
	exec build/zeche --config contrib/zeche.conf
	;;
test)
	install_missing $BUILD_PKGS $TEST_PKGS
	# the tests are mostly waiting (for a timeout, a client, a reload):
	# one per CPU, the slowest first (their COST in tests/CMakeLists.txt)
	build build -DZECHE_WERROR=ON
	(cd build && ctest --output-on-failure -j "$(nproc)")
	build build-sanitize -DCMAKE_BUILD_TYPE=Debug -DZECHE_WERROR=ON \
	    -DZECHE_SANITIZE=address,undefined
	(cd build-sanitize && ctest --output-on-failure -j "$(nproc)")
	CC=clang build build-fuzz -DCMAKE_BUILD_TYPE=Debug -DZECHE_WERROR=ON \
	    -DZECHE_FUZZ=ON
	# each fuzzer is one process on one CPU: two at a time halve the wait
	(cd build-fuzz && ctest --output-on-failure -j2 -L fuzz)
	;;
bench)
	install_missing $BUILD_PKGS $TEST_PKGS
	build build -DCMAKE_BUILD_TYPE=Release
	exec tests/bench/run-bench.sh build
	;;
package)
	install_missing $BUILD_PKGS $PACKAGE_PKGS
	dir=${2:-build-package}
	# Debian's compiler and linker flags, hardening included
	export DEB_BUILD_MAINT_OPTIONS=hardening=+all
	CFLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS)"
	LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
	export CFLAGS LDFLAGS
	build "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX=/usr \
	    -DBUILD_TESTING=OFF
	(cd "$dir" && cpack -G DEB >/dev/null)
	ls "$dir"/zeche_*.deb
	;;
packages)
	case "${2:-}" in
	build)	echo $BUILD_PKGS ;;
	test)	echo $TEST_PKGS ;;
	package) echo $PACKAGE_PKGS ;;
	*)	echo "usage: contrib/dev.sh packages build|test|package" >&2
		exit 2 ;;
	esac
	;;
*)
	echo "usage: contrib/dev.sh serve | test | bench | package [DIR] |" \
	    "packages build|test|package" >&2
	exit 2
	;;
esac
