#!/bin/bash
# test_packages.sh: the build's package list in contrib/dev.sh names every
# Debian package the build uses.  dev.sh installs with
# --no-install-recommends, so a package that is only recommended (libc6-dev
# by gcc) is missing on a fresh machine unless the list names it.
#
# The files the build touches (the compiler, make, cmake, pkg-config, the
# C runtime objects, every header zeche's sources include, the libraries it
# links) are mapped to their packages with dpkg -S; each must be in the
# list, be pulled in by it as a hard dependency, or be essential.
. "$(dirname "$0")/lib.sh"

list=$("$ZECHE_SOURCE_DIR/contrib/dev.sh" packages build)
[ -n "$list" ] && ok "dev.sh prints the build package list" ||
    not_ok "dev.sh prints the build package list"

# The closure of the list under Depends and Pre-Depends.
# shellcheck disable=SC2086
closure=$(apt-cache depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances $list 2>/dev/null |
    sed -n 's/^\([a-z0-9][^ :]*\).*/\1/p' | sort -u)
echo "$closure" | grep -qx gcc && ok "apt-cache resolves the list" ||
    not_ok "apt-cache resolves the list"

files=""
for b in gcc cc make cmake pkg-config; do
	files="$files $(command -v "$b")"
done
for o in Scrt1.o crti.o crtn.o libc.so; do
	files="$files $(gcc -print-file-name=$o)"
done
# every header the sources include, as the compiler finds them
incs=$(cat "$ZECHE_SOURCE_DIR"/src/*.c | sed -n 's/^#include <\(.*\)>.*/\1/p' |
    sort -u | sed 's/.*/#include <&>/')
hdrs=$(printf '%s\n' "$incs" | gcc -D_GNU_SOURCE -M -x c - 2>/dev/null |
    tr ' \\' '\n\n' | grep '^/')
[ -n "$hdrs" ] && ok "the compiler finds every header the sources include" ||
    not_ok "the compiler finds every header the sources include"
for l in ssl crypto event event_openssl event_pthreads; do
	files="$files $(gcc -print-file-name=lib$l.so)"
done
# One dpkg -S for every file (merged /usr: try /usr/x and /x as well);
# each line is "pkg[, pkg...]: path".
paths=$(for f in $files $hdrs; do
	[ -e "$f" ] || continue
	r=$(readlink -f "$f")
	printf '%s\n%s\n' "$r" "${r#/usr}"
done | sort -u)
# shellcheck disable=SC2086
owners=$(dpkg -S $paths 2>/dev/null)
missing=""
for f in $files $hdrs; do
	[ -e "$f" ] || { missing="$missing $f(absent)"; continue; }
	r=$(readlink -f "$f")
	pkg=$(printf '%s\n' "$owners" | awk -F': ' -v a="$r" -v b="${r#/usr}" \
	    '$2 == a || $2 == b { print $1; exit }' | sed 's/[,:].*//')
	[ -n "$pkg" ] || { missing="$missing $f(no package)"; continue; }
	if echo "$closure" | grep -qx "$pkg"; then continue; fi
	[ "$(dpkg-query -W -f='${Essential}' "$pkg" 2>/dev/null)" = yes ] &&
	    continue
	missing="$missing $pkg"
done
if [ -z "$missing" ]; then
	ok "every package the build uses is in the list or required by it"
else
	not_ok "every package the build uses is in the list or required by it"
	echo "# not covered:$(printf '%s\n' $missing | sort -u | tr '\n' ' ')"
fi
finish
