#!/bin/bash
# test_deb.sh: contrib/dev.sh package builds zeche_VERSION_ARCH.deb (here
# into the build directory), lintian reports no error or warning on it,
# and dpkg-deb shows what Debian expects of a daemon's package: the files
# in their places, the conffile, computed library dependencies, and the
# maintainer scripts that create _zeche and its state folder.
. "$(dirname "$0")/lib.sh"
: "${ZECHE_BINARY_DIR:?}"
check() {	# NAME COMMAND...: ok when COMMAND succeeds
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name"; fi
}

dir=$ZECHE_BINARY_DIR/package
rm -f "$dir"/zeche_*.deb
out=$("$ZECHE_SOURCE_DIR/contrib/dev.sh" package "$dir" 2>&1)
version=$(sed -n 's/^project(zeche VERSION \([0-9.]*\).*/\1/p' \
    "$ZECHE_SOURCE_DIR/CMakeLists.txt")
deb=$dir/zeche_${version}_$(dpkg --print-architecture).deb
if [ -f "$deb" ]; then
	ok "dev.sh package leaves $(basename "$deb")"
else
	not_ok "dev.sh package leaves zeche_${version}_ARCH.deb" "$out"
	finish
fi

if lint=$(lintian --fail-on error,warning "$deb" 2>&1); then
	ok "lintian: no error, no warning"
else
	not_ok "lintian: no error, no warning" "$lint"
fi

files=$(dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }')
has() {		# NAME MODE OWNER PATH
	if printf '%s\n' "$files" | grep -qxF -- "$2 $3 ./$4"; then ok "$1"; else
		not_ok "$1" "want: $2 $3 ./$4"
	fi
}
has "the daemon in /usr/sbin" -rwxr-xr-x root/root usr/sbin/zeche
has "its man page, compressed" -rw-r--r-- root/root \
    usr/share/man/man8/zeche.8.gz
has "the configuration's man page" -rw-r--r-- root/root \
    usr/share/man/man5/zeche.conf.5.gz
has "the unit in /lib/systemd/system" -rw-r--r-- root/root \
    lib/systemd/system/zeche.service
has "the socket unit beside it" -rw-r--r-- root/root \
    lib/systemd/system/zeche.socket
has "the configuration in /etc/zeche" -rw-r--r-- root/root \
    etc/zeche/zeche.conf
has "the shipped capsule under /usr/share/zeche" -rw-r--r-- root/root \
    usr/share/zeche/capsule/index.gmi
has "the copyright file" -rw-r--r-- root/root \
    usr/share/doc/zeche/copyright
n=$(find "$ZECHE_SOURCE_DIR/capsule" -type f | wc -l)
got=$(printf '%s\n' "$files" | grep -c '^-.* \./usr/share/zeche/capsule/')
[ "$got" -eq "$n" ] && ok "every capsule file ($n)" ||
    not_ok "every capsule file" "$got of $n"
# nothing but root-owned files, and no state shipped in /var
printf '%s\n' "$files" | grep -v ' root/root ' | grep -q . &&
    not_ok "every file belongs to root" || ok "every file belongs to root"
printf '%s\n' "$files" | grep -q ' \./var/' &&
    not_ok "nothing shipped in /var" || ok "nothing shipped in /var"

ctl=$(mktemp -d "${TMPDIR:-/tmp}/zeche-deb.XXXXXX")
trap 'rm -rf "$ctl"' EXIT
dpkg-deb -e "$deb" "$ctl/DEBIAN"
dpkg-deb -x "$deb" "$ctl/root"
[ "$(cat "$ctl/DEBIAN/conffiles")" = /etc/zeche/zeche.conf ] &&
    ok "/etc/zeche/zeche.conf is the one conffile" ||
    not_ok "/etc/zeche/zeche.conf is the one conffile" \
    "$(cat "$ctl/DEBIAN/conffiles")"
deps=$(dpkg-deb -f "$deb" Depends)
for d in libc6 libssl3 libevent-2.1-7 libevent-openssl-2.1-7 adduser; do
	case ", $deps," in
	*", $d "*|*", $d,"*) ok "Depends: $d" ;;
	*) not_ok "Depends: $d" "$deps" ;;
	esac
done
for s in postinst prerm postrm; do
	check "$s is an executable sh script" test -x "$ctl/DEBIAN/$s"
	check "$s parses" sh -n "$ctl/DEBIAN/$s"
done
# what the maintainer scripts do, run against a fake system: DPKG_ROOT
# (which Debian's tools set for a root other than /) is a folder here,
# and the commands that would change this machine write their arguments
# to a log instead
sys=$ctl/sys
mkdir -p "$ctl/bin" "$sys/var/lib" "$sys/etc/zeche"
for c in getent adduser chown deb-systemd-helper systemctl \
    deb-systemd-invoke rm rmdir; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n[ %s != getent ]\n' \
	    "$c" "$ctl/calls" "$c" >"$ctl/bin/$c"
	chmod +x "$ctl/bin/$c"
done
run() {		# SCRIPT ARGS...: the calls it made, one a line
	rm -f "$ctl/calls"
	DPKG_ROOT=$sys PATH=$ctl/bin:$PATH sh "$ctl/DEBIAN/$1" "${@:2}" ||
	    echo "exit status $?" >>"$ctl/calls"
	cat "$ctl/calls" 2>/dev/null
}
expect_call() {	# NAME CALLS CALL
	if printf '%s\n' "$2" | grep -qxF -- "$3"; then ok "$1"; else
		not_ok "$1" "want: $3
got: $2"
	fi
}
calls=$(run postinst configure)
expect_call "postinst adds the system user and group _zeche" "$calls" \
    "adduser --system --group --quiet --home /var/lib/zeche --no-create-home --gecos zeche Gemini and Gopher server _zeche"
[ "$(stat -c %a "$sys/var/lib/zeche" 2>/dev/null)" = 700 ] &&
    ok "postinst makes the state folder /var/lib/zeche, mode 0700" ||
    not_ok "postinst makes the state folder /var/lib/zeche, mode 0700"
expect_call "postinst gives the state folder to _zeche" "$calls" \
    "chown _zeche:_zeche $sys/var/lib/zeche"
expect_call "postinst enables the unit" "$calls" \
    "deb-systemd-helper enable zeche.service"
printf '%s\n' "$calls" | grep -q '^exit status' &&
    not_ok "postinst exits 0" "$calls" || ok "postinst exits 0"
calls=$(run postrm remove)
printf '%s\n' "$calls" | grep -q "^rm " &&
    not_ok "postrm remove keeps the state folder" "$calls" ||
    ok "postrm remove keeps the state folder"
calls=$(run postrm purge)
expect_call "postrm purge removes the state folder" "$calls" \
    "rm -rf $sys/var/lib/zeche"
expect_call "postrm purge forgets the unit's enablement" "$calls" \
    "deb-systemd-helper purge zeche.service"
calls=$(run prerm remove)
printf '%s\n' "$calls" | grep -q '^exit status' &&
    not_ok "prerm exits 0" "$calls" || ok "prerm exits 0"

# the unit in the package is the one in contrib/
cmp -s "$ctl/root/lib/systemd/system/zeche.service" \
    "$ZECHE_SOURCE_DIR/contrib/zeche.service" &&
    ok "the packaged unit is contrib/zeche.service" ||
    not_ok "the packaged unit is contrib/zeche.service"
"$ctl/root/usr/sbin/zeche" --version | grep -qx "zeche $version" &&
    ok "the packaged zeche runs and says $version" ||
    not_ok "the packaged zeche runs and says $version"
# the packaged configuration, with its paths moved into the scratch root,
# passes --check on the packaged capsule
sed -e "s|\"/usr/share/zeche|\"$ctl/root/usr/share/zeche|" \
    -e "s|\"/var/lib/zeche|\"$sys/var/lib/zeche|" \
    "$ctl/root/etc/zeche/zeche.conf" >"$ctl/zeche.conf"
grep -q "$ctl/root/usr/share/zeche/capsule" "$ctl/zeche.conf" &&
    grep -q "$sys/var/lib/zeche" "$ctl/zeche.conf" &&
    ok "the configuration names /usr/share/zeche/capsule and /var/lib/zeche" ||
    not_ok "the configuration names /usr/share/zeche/capsule and /var/lib/zeche" \
    "$(cat "$ctl/zeche.conf")"
mkdir -p "$sys/var/lib/zeche"
out=$("$ctl/root/usr/sbin/zeche" --config "$ctl/zeche.conf" --check 2>&1)
[ $? -eq 0 ] && ok "zeche --check passes the packaged configuration" ||
    not_ok "zeche --check passes the packaged configuration" "$out"

# The unit's check before the start (ExecStartPre), run as the unit runs
# it, as its user (nobody here: the package's _zeche is not made on this
# machine), on a pair only root may read in the state folder (made by
# hand as root): it fails, naming the chown that lets the user read it;
# once done, it passes.  systemd needs not run here.
pre=$(sed -n 's/^ExecStartPre=//p' "$ctl/root/lib/systemd/system/zeche.service")
[ "$pre" = "/usr/sbin/zeche --config /etc/zeche/zeche.conf --check" ] &&
    ok "ExecStartPre: zeche --check with the packaged configuration" ||
    not_ok "ExecStartPre: zeche --check with the packaged configuration" \
    "$pre"
pre=${pre/\/usr\/sbin\/zeche/$ctl/root/usr/sbin/zeche}
pre=${pre/\/etc\/zeche\/zeche.conf/$ctl/zeche.conf}
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 &&
    getent group nogroup >/dev/null; then
	state=$sys/var/lib/zeche
	chmod 755 "$ctl" "$sys" "$sys/var" "$sys/var/lib"
	chown nobody:nogroup "$state"
	chmod 700 "$state"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$state/localhost.key" -out "$state/localhost.crt" \
	    -subj /CN=localhost -days 30 2>/dev/null
	chmod 600 "$state/localhost.key"
	# shellcheck disable=SC2086
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups $pre 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] && ok "ExecStartPre fails on a key only root may read" ||
	    not_ok "ExecStartPre fails on a key only root may read" "$out"
	want="as root: chown nobody:nogroup $state/localhost.key"
	case "$out" in
	*"$want"*) ok "... naming the chown" ;;
	*) not_ok "... naming the chown" "want: $want
got: $out" ;;
	esac
	chown nobody:nogroup "$state/localhost.key"
	# shellcheck disable=SC2086
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups $pre 2>&1)
	[ $? -eq 0 ] && ok "... and passes once chowned" ||
	    not_ok "... and passes once chowned" "$out"
	rm -f "$state/localhost.key" "$state/localhost.crt"
else
	echo "# not root: ExecStartPre is not run as another user"
fi
finish
