#!/bin/bash
# test_user.sh: the end-to-end tests that depend on their environment
# (programs Debian keeps outside a user's PATH, such as haproxy in
# /usr/sbin; terminal clients that render UTF-8 only in a UTF-8 locale)
# pass for an ordinary user on a fresh system: run as nobody, with the
# PATH of a user's login and no locale, against this build, from a copy
# of what they read that nobody may read.  As root only (CI runs the suite
# as root); run by another user, the suite itself is this check.
. "$(dirname "$0")/lib.sh"
: "${ZECHE:?}" "${GEMGET:?}" "${SPGET:?}" "${ZECHE_BENCH:?}" \
    "${ZECHE_FAULT:?}"
TESTS="test_haproxy test_gopher test_clients test_umn_gopher test_reader"

if [ "$(id -u)" != 0 ]; then
	echo "# not root: the suite runs as this user already"
	exit 77
fi
if ! id nobody >/dev/null 2>&1 || ! getent group nogroup >/dev/null ||
    ! command -v setpriv >/dev/null; then
	echo "# no user nobody, group nogroup or setpriv: not tested"
	exit 77
fi

copy=$(mktemp -d "${TMPDIR:-/tmp}/zeche-user.XXXXXX")
trap 'rm -rf "$copy"' EXIT
chmod 755 "$copy"
mkdir -p "$copy/src/tests" "$copy/bin" "$copy/home" "$copy/tmp"
cp -R "$ZECHE_SOURCE_DIR/capsule" "$ZECHE_SOURCE_DIR/contrib" "$copy/src/"
cp -R "$ZECHE_SOURCE_DIR/tests/e2e" "$ZECHE_SOURCE_DIR/tests/data" \
    "$copy/src/tests/"
for b in "$ZECHE" "$GEMGET" "$SPGET" "$ZECHE_BENCH" "$ZECHE_FAULT"; do
	cp "$b" "$copy/bin/"
done
chmod -R a+rX "$copy/src" "$copy/bin"
chown nobody:nogroup "$copy/home" "$copy/tmp"

for t in $TESTS; do
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$copy/home" \
	    TMPDIR="$copy/tmp" TMUX_TMPDIR="$copy/tmp" \
	    ZECHE="$copy/bin/$(basename "$ZECHE")" \
	    GEMGET="$copy/bin/$(basename "$GEMGET")" \
	    SPGET="$copy/bin/$(basename "$SPGET")" \
	    ZECHE_BENCH="$copy/bin/$(basename "$ZECHE_BENCH")" \
	    ZECHE_FAULT="$copy/bin/$(basename "$ZECHE_FAULT")" \
	    ZECHE_SANITIZE="${ZECHE_SANITIZE:-}" \
	    ZECHE_SOURCE_DIR="$copy/src" ZECHE_BINARY_DIR="$copy/bin" \
	    bash "$copy/src/tests/e2e/$t.sh" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$t as nobody, PATH=/usr/local/bin:/usr/bin:/bin, no locale"
	else
		not_ok "$t as nobody, PATH=/usr/local/bin:/usr/bin:/bin, no locale (status $rc)" \
		    "$(printf '%s\n' "$out" | grep -E '^not ok|^#|passed, ' |
		    head -40)"
	fi
done
finish
