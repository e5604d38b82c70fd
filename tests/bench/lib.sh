# lib.sh: what the benchmark scripts need (sourced first; the script
# sets BUILD_DIR).  die MESSAGE and note MESSAGE: on stderr, under the
# script's name (die exits 1); is_open PORT: something accepts on
# 127.0.0.1:PORT; free_port: a port nothing accepts on, never the same
# one twice; findbin NAME: the built program NAME in BUILD_DIR;
# bench_work NAME: the temporary folder WORK, and the cleanup at exit;
# RUNAS: the command prefix that runs a server unprivileged; kib, mib,
# median, settle: memory figures.
ME=$(basename "$0")
die() { echo "$ME: $*" >&2; exit 1; }
note() { echo "$ME: $*" >&2; }

is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
USED=" "
# Below the ephemeral range: the idle rows leave thousands of client
# sockets closing there, and a wildcard bind on one of their ports fails.
EPH_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) ||
    EPH_LOW=32768
[ "${EPH_LOW:-0}" -gt 12000 ] 2>/dev/null || EPH_LOW=32768
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((10000 + RANDOM % (EPH_LOW - 10000)))
		case $USED in *" $p "*) continue;; esac
		if ! is_open "$p"; then
			USED="$USED$p "
			echo "$p"
			return
		fi
	done
	die "no free port"
}

findbin() {	# BUILD_DIR/NAME first, else the first found below
	if [ -f "$BUILD_DIR/$1" ] && [ -x "$BUILD_DIR/$1" ]; then
		echo "$BUILD_DIR/$1"
	else
		find "$BUILD_DIR" -maxdepth 3 -type f -name "$1" -perm -u+x \
		    -print -quit
	fi
}

# get KEY FIELD: FIELD=value from the zeche-bench line the script keeps
# in its associative array R under KEY; 0 when there is none
get() {
	local f
	for f in ${R[$1]:-}; do
		case $f in "$2"=*) echo "${f#*=}"; return;; esac
	done
	echo 0
}

# bench_work NAME: WORK, a new temporary folder (zeche-NAME.XXXXXX, mode
# 755, for a server run as nobody), and the cleanup at exit, INT, TERM
# or HUP: the command in ON_EXIT (if set) first, then each process whose
# PID is in a variable named in BENCH_PIDS (an array element too, e.g.
# "PID[on]"; empty: none) gets SIGTERM and is waited for, then WORK goes.
BENCH_PIDS=
ON_EXIT=
WORK=
bench_cleanup() {
	local v p
	set +e
	[ -n "$ON_EXIT" ] && eval "$ON_EXIT"
	for v in $BENCH_PIDS; do
		p=${!v:-}
		[ -n "$p" ] || continue
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$WORK" ] && rm -rf "$WORK"
}
bench_work() {
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/zeche-$1.XXXXXX") ||
	    die "cannot make a temporary folder"
	chmod 755 "$WORK"
}

# Servers run unprivileged: as nobody when the script runs as root
# (gophernicus refuses root, and zeche should not be measured as root).
RUNAS=()
if [ "$(id -u)" -eq 0 ]; then
	RUNAS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi

kib() {	# kib PID FIELD: VmRSS or VmHWM of PID in KiB (0: none)
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null ||
	    echo 0
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
median() {	# the median of the numbers on stdin ("n/a": none)
	sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) print "n/a";
		else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# bench_build_dir "$@": a section's one argument, the build folder, as
# BUILD_DIR (absolute)
bench_build_dir() {
	[ $# -eq 1 ] || { echo "usage: $ME BUILD_DIR" >&2; exit 2; }
	BUILD_DIR=$(cd "$1" && pwd) || die "$1: no such directory"
}

# wait_reload LOG I: once zeche's LOG has the I-th reload's end ("reloaded
# ... in N ms"), its N; dies on a failed reload, or after 10 minutes
wait_reload() {
	local got=
	for _ in $(seq 1 60000); do
		got=$(sed -n 's/.*reloaded .* pages in \([0-9]*\) ms$/\1/p' \
		    "$1" | sed -n "${2}p")
		[ -n "$got" ] && break
		grep -q 'reload failed' "$1" &&
		    die "reload failed: $(tail -n 3 "$1")"
		sleep 0.01
	done
	[ -n "$got" ] || die "reload $2 did not end (no \"reloaded ... in N" \
	    "ms\" in $1)"
	echo "$got"
}

settle() {	# settle PID [S]: until its RSS holds still, within 1 MiB for
	# S seconds (1), 60 times S at most
	local a b
	a=$(kib "$1" VmRSS)
	for _ in $(seq 1 60); do
		sleep "${2:-1}"
		b=$(kib "$1" VmRSS)
		[ $((a - b)) -lt 1024 ] && [ $((b - a)) -lt 1024 ] && return
		a=$b
	done
}
