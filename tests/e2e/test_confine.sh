# --user, seen from inside: a preloaded probe (libzeche_probe.so, see
# probe.c) makes the confined server try, on SIGUSR2, what its sandbox
# must deny (connect, bind, truncate, chmod, reading outside, signalling
# a process outside, io_uring, namespaces, netlink, TIOCSTI, ...), and
# every try must fail, with or without --config.  What Landlock can deny
# depends on the running kernel's ABI, which the probe reports: each
# right is asserted where the ABI has it, and zeche's Landlock line must
# name exactly those.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1 ||
    ! command -v setpriv >/dev/null; then
	echo "# not root, or no user nobody or setpriv: the sandbox is not probed"
	exit 77
fi
: "${ZECHE_PROBE:?ZECHE_PROBE must name the probe library}"
# LeakSanitizer needs /proc and ptrace at exit, which the sandbox takes
# away; the probe is preloaded before the sanitizers' runtime
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0

chmod 755 "$WORK"
# the capsule's files are nobody's: only the sandbox keeps nobody from
# truncating or chmod-ing them
chown -R nobody "$ROOT"
mkdir "$WORK/draussen"
printf 'GEHEIM-%s\n' "$$" >"$WORK/draussen/geheim.txt"
chmod 755 "$WORK/draussen"
chmod 644 "$WORK/draussen/geheim.txt"
expect_contains "without the sandbox, nobody can read the file outside" \
    "$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    cat "$WORK/draussen/geheim.txt" 2>&1)" "GEHEIM-$$"
# a process of nobody's outside zeche, for the signal probe
setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 600 &
OTHER=$!
trap 'kill "$OTHER" 2>/dev/null; cleanup' EXIT

# probe: SIGUSR2 to zeche, then PROBE holds the probe's lines (10 s at
# most)
probe() {
	local n lines i
	n=$(grep -c '^zeche-probe: done' "$LOG")
	lines=$(wc -l <"$LOG")
	PROBE=
	kill -USR2 "$ZPID"
	for i in $(seq 1 100); do
		if [ "$(grep -c '^zeche-probe: done' "$LOG")" -gt "$n" ]; then
			PROBE=$(tail -n +"$((lines + 1))" "$LOG" |
			    grep '^zeche-probe: ')
			return 0
		fi
		sleep 0.1
	done
	not_ok "$1: the probe answers" "$(tail -5 "$LOG")"
	return 1
}

# got NAME: what the probe said of NAME
got() {
	printf '%s\n' "$PROBE" | sed -n "s/^zeche-probe: $1: //p"
}

# landlock_line ABI FOLDERS: the line zeche must log for that ABI
landlock_line() {
	local also=
	[ "$1" -ge 3 ] && also="$also, truncating"
	[ "$1" -ge 4 ] && also="$also, TCP bind and connect"
	[ "$1" -ge 5 ] && also="$also, device ioctls"
	[ "$1" -ge 6 ] && also="$also, signals and abstract Unix sockets beyond zeche"
	printf 'landlock ABI %s: read-only beneath %s' "$1" "$2"
	[ -n "$also" ] && printf '; denied as well: %s' "${also#, }"
}

# check_probe MODE FOLDERS: what the probe found, for MODE ("--user" or
# "--config --user"); FOLDERS as zeche's Landlock line names them
check_probe() {
	local m=$1 abi name
	abi=$(got landlock-abi)
	echo "# this kernel's Landlock ABI: $abi"
	expect_eq "$m: the probe ran in the server" "$(got done)" ""
	expect_eq "$m: a file inside may be read" "$(got read-inside)" ok
	expect_eq "$m: chmod on a capsule file of the user's: denied (seccomp)" \
	    "$(got chmod)" EPERM
	if [ "$abi" -ge 1 ]; then
		expect_eq "$m: Landlock's line names exactly what ABI $abi denies" \
		    "$(grep -o 'landlock ABI .*' "$LOG" | tail -1)" \
		    "$(landlock_line "$abi" "$2")"
		expect_eq "$m: a file outside may not be read (Landlock)" \
		    "$(got read-outside)" EACCES
	else
		expect_contains "$m: no Landlock, and zeche says so" \
		    "$(cat "$LOG")" "landlock: not available"
	fi
	if [ "$abi" -ge 3 ]; then
		expect_eq "$m: truncate on a capsule file: denied (Landlock ABI 3)" \
		    "$(got truncate)" EACCES
	fi
	if [ "$abi" -ge 4 ]; then
		expect_eq "$m: TCP connect, even to its own port: denied (Landlock ABI 4)" \
		    "$(got connect)" EACCES
		expect_eq "$m: TCP bind: denied (Landlock ABI 4)" \
		    "$(got bind)" EACCES
	fi
	if [ "$abi" -ge 6 ]; then
		expect_eq "$m: a signal to nobody's process outside: denied (Landlock ABI 6)" \
		    "$(got signal)" EPERM
	fi
	for name in io_uring_setup pidfd_getfd kcmp process_madvise open_tree \
	    fsopen unshare-newuser clone-newuser socket-netlink ioctl-tiocsti; do
		expect_eq "$m: $name: denied (seccomp)" "$(got "$name")" EPERM
	done
	expect_eq "$m: clone3: ENOSYS, so that threads are made with clone" \
	    "$(got clone3)" ENOSYS
}

# detached PREFIX: stdin and stdout are /dev/null, and zeche leads a
# session of its own
detached() {
	expect_eq "$1: stdin and stdout are /dev/null" \
	    "$(readlink "/proc/$ZPID/fd/0") $(readlink "/proc/$ZPID/fd/1")" \
	    "/dev/null /dev/null"
	expect_eq "$1: a session of its own" \
	    "$(awk '{ print $6 }' "/proc/$ZPID/stat")" "$ZPID"
}

export ZECHE_PROBE_FILE=/capsule/index.gmi ZECHE_PROBE_PID=$OTHER
export ZECHE_PROBE_READ=/draussen/geheim.txt
export ZECHE_PROBE_READ_OK=/capsule/index.gmi
LD_PRELOAD=$ZECHE_PROBE start_zeche --user nobody --workers 2
detached "--user"
probe "--user"
check_probe "--user" /capsule
alive "--user, probed"
stop_zeche

# --config: no chroot, but Landlock beneath the configuration's folders
# (its own, the capsule, the certificates), and the same seccomp filter
mkdir "$WORK/etc"
chmod 755 "$WORK/etc" "$CERTS"
CONF=$WORK/etc/zeche.conf
printf 'host "%s" {\n\troot "%s"\n\tcerts "%s"\n\tgopher on\n}\n' \
    "$H" "$ROOT" "$CERTS" >"$CONF"
cp "$CONF" "$WORK/etc/zeche.conf.gut"
export ZECHE_PROBE_FILE=$ROOT/index.gmi
export ZECHE_PROBE_READ=$WORK/draussen/geheim.txt
export ZECHE_PROBE_READ_OK=$ROOT/index.gmi
LD_PRELOAD=$ZECHE_PROBE start_zeche --config "$CONF" --user nobody
detached "--config --user"
expect_eq "--config --user: no chroot" "$(readlink "/proc/$ZPID/root")" /
expect_eq "--config --user: every thread has no_new_privs and the seccomp filter" \
    "$(cat "/proc/$ZPID/task/"*/status |
    awk '/^Seccomp:/ && $2 != 2 || /^NoNewPrivs:/ && $2 != 1' | wc -l)" 0
probe "--config --user"
check_probe "--config --user" "3 folders"
if [ "$(got landlock-abi)" -ge 1 ]; then
	for d in "$WORK/etc" "$(realpath "$ROOT")" "$(realpath "$CERTS")"; do
		expect_log "--config --user: Landlock names $d" \
		    "landlock: read-only beneath $d"
	done
fi
alive "--config --user, probed"

# a reload still reads what is beneath the folders of the start
F=notes
printf '# Eingesperrt\n\nText.\n' >"$ROOT/$F/2024-06-03-eingesperrt.gmi"
reload "--config --user: a new article"
expect_eq "--config --user: the reload serves the new article" \
    "$(gem_header "gemini://$H/$F/2024-06-03-eingesperrt.gmi")" \
    "20 text/gemini; lang=de"

# a host whose capsule lies elsewhere needs a restart: the reload fails,
# saying so, and the old host goes on
cp -R "$ROOT" "$WORK/draussen/zwei"
printf 'host "zwei.example" {\n\troot "%s"\n\tcerts "%s"\n}\n' \
    "$WORK/draussen/zwei" "$CERTS" >>"$CONF"
if [ "$(got landlock-abi)" -ge 1 ]; then
	reload "--config --user: a host outside the folders of the start"
	expect_contains "a host outside: the reload fails, asking for a restart" \
	    "$RELOAD_LOG" "host zwei.example: $WORK/draussen/zwei is outside the folders this server may read (Landlock, under --user, allows only those named at the start); restart zeche to serve it"
	expect_contains "a host outside: the old configuration stays" \
	    "$RELOAD_LOG" "reload failed; still serving"
	expect_eq "a host outside: the old host still serves the new article" \
	    "$(gem_header "gemini://$H/$F/2024-06-03-eingesperrt.gmi")" \
	    "20 text/gemini; lang=de"
	cp "$WORK/etc/zeche.conf.gut" "$CONF"
	reload "--config --user: the configuration of the start again"
	expect_contains "the configuration of the start: reloaded" \
	    "$RELOAD_LOG" "reloaded $CONF"
fi
alive "--config --user, after the reloads"
stop_zeche

# the log's folder may be written (and only that): SIGUSR1 opens the log
# anew there after a rotation
mkdir "$WORK/logs"
chown nobody "$WORK/logs"
ZL=$WORK/logs/zeche.log
start_zeche_log "$ZL" --config "$CONF" --user nobody
if grep -q "landlock ABI" "$ZL"; then
	expect_contains "--config --user --log: Landlock lets the log's folder be written" \
	    "$(grep -o 'landlock ABI.*' "$ZL")" \
	    "read-only beneath 3 folders, the log's folder write-only"
fi
mv "$ZL" "$ZL.1"
kill -USR1 "$ZPID"
expect_log "--config --user --log: SIGUSR1 opens the log anew" \
    "SIGUSR1: log $ZL reopened" "$ZL"
expect_eq "--config --user --log: the new file is nobody's" \
    "$(stat -c %U "$ZL" 2>&1)" nobody
stop_zeche
finish
