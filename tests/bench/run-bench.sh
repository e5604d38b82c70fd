#!/bin/bash
#
# run-bench.sh BUILD_DIR [peers|partners|workers|search|metrics|gemlog|reloadp99|all]:
# benchmark zeche.
# See tests/bench/README.md.
#
#	peers		zeche against the Debian peers, molly-brown (Gemini)
#			and gophernicus (Gopher), in one run: a Markdown
#			table with the ratios
#	partners	the partner directory at 634, 10,000 and 100,000
#			entries (partners-bench.sh): load, reload, memory,
#			search latency
#	workers		zeche with --workers 1 and 2 (workers-bench.sh),
#			nothing pinned: requests/s and CPU per request
#	search		the capsule-wide search in process, 10,000
#			articles and 1,000,000 partners (search-bench.sh):
#			load time and memory with and without it, latency
#	metrics		zeche with metrics off and on side by side
#			(metrics-bench.sh): CPU per request, Gemini full
#			handshakes and Gopher
#	gemlog		a generated gemlog of 52,000 posts
#			(gemlog-bench.sh): start, memory, reloads
#	reloadp99	p99 of Gemini and Gopher requests on that gemlog
#			without reloads and during back-to-back reloads
#			(reload-bench.sh), and their ratio
#	all		peers and partners, one after the other (the
#			default)
#
# BUILD_DIR must hold the built `zeche` and `zeche-bench` (searched up to
# three levels down); if one is missing, `cmake --build BUILD_DIR` is run
# for it.  Knobs, from the environment:
#
#	BENCH_N=3000		requests per measured Gemini run
#	BENCH_GN=10*BENCH_N	requests per measured run of zeche's Gopher
#				and of the TCP floor (a tenth of the CPU
#				each: as many clock ticks to measure them
#				by; gophernicus, ten times slower, gets N)
#	BENCH_ROUNDS=1		rounds of the peers' measured runs: each
#				round runs every floor and server once, and
#				each row shows its median round by CPU per
#				request
#	BENCH_C="16 128"	concurrencies (connections in flight)
#	BENCH_A=64		client source addresses, 127.0.0.2 and up
#	BENCH_IDLE=10000	idle connections held for the memory rows (at
#				most the descriptor limit less 128)
#	BENCH_D=60		cap in seconds per run (every run is bounded)
#	BENCH_WARMUP=300	requests in the warm-up run before each
#	BENCH_CAPSULE=DIR	content to serve (default: the repo's capsule/)
#	BENCH_PIN=1		servers on CPU 0, zeche-bench on CPU 1 (0: off)
#	BENCH_CLIENT=threads	zeche-bench's client: a blocking thread per
#				connection in flight, or "epoll": one thread
#				keeps them all in flight (-E), so that at 128
#				no client waits for a CPU of its own
#	BENCH_ZECHE_ARGS=	more options for zeche (e.g. "--log-ip")
#
# and for the partners section those listed in partners-bench.sh.
#
# Everything listens on 127.0.0.1 only; as root, the whole run happens in
# a private network namespace (molly-brown binds all addresses, and has
# no option to do otherwise).  Everything started is killed on exit and
# the temporary directory removed.

set -eu
set -o pipefail

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$SRC_DIR/tests/bench/lib.sh"

usage() {
	echo "usage: $ME BUILD_DIR [peers|partners|workers|search|metrics|gemlog|reloadp99|all]" >&2
	exit 2
}
[ $# -eq 1 ] || [ $# -eq 2 ] || usage
SECTION=${2:-all}
case $SECTION in peers|partners|workers|search|metrics|gemlog|reloadp99|all) ;;
*) usage;; esac
BUILD_DIR=$(cd "$1" && pwd) || die "$1: no such directory"
ARG=${ZECHE_BENCH_ARG:-$1}	# as typed, for the report
SCRIPT="$SRC_DIR/tests/bench/run-bench.sh"
PARTNERS="$SRC_DIR/tests/bench/partners-bench.sh"

N=${BENCH_N:-3000}
GN=${BENCH_GN:-$((N * 10))}
ROUNDS=${BENCH_ROUNDS:-1}
CONCS=${BENCH_C:-16 128}
A=${BENCH_A:-64}
IDLE=${BENCH_IDLE:-10000}
# Every process started here may use as many descriptors as allowed: the
# idle rows hold IDLE connections open at both ends.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
[ "$NOFILE" = unlimited ] && NOFILE=1048576
if [ "$IDLE" -gt $((NOFILE - 128)) ]; then
	note "BENCH_IDLE=$IDLE does not fit the descriptor limit $NOFILE:" \
	    "$((NOFILE - 128)) idle connections"
	IDLE=$((NOFILE - 128))
fi
D=${BENCH_D:-60}
WARM=${BENCH_WARMUP:-300}
CAPSULE=${BENCH_CAPSULE:-$SRC_DIR/capsule}
ZECHE_ARGS=${BENCH_ZECHE_ARGS:-}
for v in "$N" "$GN" "$ROUNDS" $CONCS "$A" "$IDLE" "$D" "$WARM"; do
	case $v in ''|*[!0-9]*) die "BENCH_* must be positive integers";; esac
done
[ -n "$CONCS" ] || die "BENCH_C: no concurrency given"


# --- 0. the sections ---------------------------------------------------
# Each section runs on its own, so that the servers of one never share
# the CPUs with the measurements of the other.
if [ -z "${ZECHE_BENCH_NETNS:-}" ] && [ "$SECTION" != peers ]; then
	for b in zeche zeche-bench; do
		if [ -z "$(findbin $b)" ]; then
			note "building $b in $BUILD_DIR"
			cmake --build "$BUILD_DIR" --target "$b" >&2
		fi
	done
	if [ "$SECTION" = partners ]; then
		ZECHE_BENCH_ARG=$ARG exec "$PARTNERS" "$BUILD_DIR"
	fi
	if [ "$SECTION" = search ]; then
		exec "$SRC_DIR/tests/bench/search-bench.sh" "$BUILD_DIR"
	fi
	if [ "$SECTION" = workers ]; then
		exec "$SRC_DIR/tests/bench/workers-bench.sh" "$BUILD_DIR"
	fi
	if [ "$SECTION" = metrics ]; then
		exec "$SRC_DIR/tests/bench/metrics-bench.sh" "$BUILD_DIR"
	fi
	if [ "$SECTION" = gemlog ]; then
		ZECHE_BENCH_ARG=$ARG exec "$SRC_DIR/tests/bench/gemlog-bench.sh" \
		    "$BUILD_DIR"
	fi
	if [ "$SECTION" = reloadp99 ]; then
		ZECHE_BENCH_ARG=$ARG exec "$SRC_DIR/tests/bench/reload-bench.sh" \
		    "$BUILD_DIR"
	fi
	rc=0
	ZECHE_BENCH_ARG=$ARG "$SCRIPT" "$BUILD_DIR" peers || rc=$?
	ZECHE_BENCH_ARG=$ARG "$PARTNERS" "$BUILD_DIR" || rc=$?
	exit "$rc"
fi

# --- 1. the peers -------------------------------------------------------
# Done before entering the network namespace: apt needs the network.
if [ -z "${ZECHE_BENCH_NETNS:-}" ]; then
	need=
	command -v molly-brown >/dev/null || need="$need molly-brown"
	[ -x /usr/sbin/gophernicus ] || need="$need gophernicus"
	command -v systemd-socket-activate >/dev/null || need="$need systemd"
	command -v openssl >/dev/null || need="$need openssl"
	[ -x /usr/bin/time ] || need="$need time"
	if [ -n "$need" ]; then
		[ "$(id -u)" -eq 0 ] || die "missing:$need (run as root" \
		    "to apt-get install them)"
		for p in $need; do
			if ! apt-cache show "$p" >/dev/null 2>&1; then
				apt-get update -qq
				break
			fi
		done
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need \
		    >/dev/null
	fi

	for b in zeche zeche-bench; do
		if [ -z "$(findbin $b)" ]; then
			note "building $b in $BUILD_DIR"
			cmake --build "$BUILD_DIR" --target "$b" >&2
		fi
	done

	# A private network namespace holds only a loopback interface; a
	# private IPC namespace takes gophernicus' shared-memory sessions
	# away with it when the run ends.
	if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
	    command -v ip >/dev/null && unshare -n -i true 2>/dev/null; then
		ZECHE_BENCH_NETNS=1 ZECHE_BENCH_ARG=$ARG \
		    exec unshare -n -i "$SCRIPT" "$BUILD_DIR" peers
	fi
	note "warning: no private network namespace; molly-brown will" \
	    "listen on all addresses during the run"
	ZECHE_BENCH_NETNS=none
fi
shm_ids() { ipcs -m 2>/dev/null | awk -v u="$(id -un)" '$3 == u { print $2 }'; }
SHM_BEFORE=" $(shm_ids | tr '\n' ' ') "
if [ "$ZECHE_BENCH_NETNS" = 1 ]; then
	ip link set lo up
fi

ZECHE=$(findbin zeche)
BENCH=$(findbin zeche-bench)
[ -n "$ZECHE" ] || die "no zeche in $BUILD_DIR"
[ -n "$BENCH" ] || die "no zeche-bench in $BUILD_DIR"
MOLLY=$(command -v molly-brown)
GOPHERNICUS=/usr/sbin/gophernicus
SSA=$(command -v systemd-socket-activate)

# --- 2. the content, certificates and logs -----------------------------
PIDS=()
WORK=
cleanup() {
	local p
	set +e
	for p in "${PIDS[@]}"; do
		# gophernicus children of the inetd-style listener first.
		pkill -TERM -P "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "$WORK" ] && rm -rf "$WORK"
	# Outside a private IPC namespace: gophernicus' sessions.
	if [ "$ZECHE_BENCH_NETNS" != 1 ]; then
		for p in $(shm_ids); do
			case $SHM_BEFORE in *" $p "*) ;; *) ipcrm -m "$p";; esac
		done
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zeche-bench.XXXXXX")
chmod 755 "$WORK"
mkdir "$WORK/capsule" "$WORK/certs-zeche" "$WORK/certs-molly" "$WORK/log"

if [ -d "$CAPSULE" ] && [ -n "$(ls -A "$CAPSULE" 2>/dev/null)" ]; then
	cp -R "$CAPSULE/." "$WORK/capsule/"
	CAPSULE_DESC="$CAPSULE"
else
	# No capsule yet: a small stand-in, said so in the output.
	mkdir "$WORK/capsule/articles"
	{
		echo "# Bench capsule"
		echo
		for i in $(seq 1 20); do
			echo "=> articles/a$i.gmi Article $i"
		done
		echo "=> notes.txt Notes"
	} >"$WORK/capsule/index.gmi"
	for i in $(seq 1 20); do
		{
			echo "# Article $i"
			echo
			for j in $(seq 1 30); do
				echo "Paragraph $j of article $i, which is" \
				    "long enough to be a paragraph of text."
			done
		} >"$WORK/capsule/articles/a$i.gmi"
	done
	seq 1 200 | sed 's/^/A line of plain text, number /' \
	    >"$WORK/capsule/notes.txt"
	CAPSULE_DESC="generated stand-in (no capsule/ in the tree)"
fi
chmod -R a+rX "$WORK/capsule"

# Paths: the root page and one article (the first .gmi in sorted order
# below the root); for Gopher the root menu and one text file.
cd "$WORK/capsule"
ARTICLE=$(find . -mindepth 2 -type f -name '*.gmi' | LC_ALL=C sort |
    head -n 1)
[ -n "$ARTICLE" ] || ARTICLE=$(find . -type f -name '*.gmi' \
    ! -name index.gmi | LC_ALL=C sort | head -n 1)
TEXT=$(find . -type f -name '*.txt' | LC_ALL=C sort | head -n 1)
cd - >/dev/null
[ -n "$ARTICLE" ] || die "no article (*.gmi) in the capsule"
[ -n "$TEXT" ] || die "no text file (*.txt) in the capsule"
ARTICLE=${ARTICLE#.}
TEXT=${TEXT#.}

# Servers run unprivileged (gophernicus refuses root), all as the same
# user.
RUNAS=()
if [ "$(id -u)" -eq 0 ]; then
	RUNAS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	chown nobody "$WORK/certs-zeche" "$WORK/log"
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/certs-molly/key.pem" -out "$WORK/certs-molly/cert.pem" \
    -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    >/dev/null 2>&1 || die "openssl req failed"
chmod 644 "$WORK/certs-molly/key.pem"	# a throw-away key, for nobody

# --- 3. start the servers on free loopback ports -----------------------
wait_port() {
	local i
	for i in $(seq 1 100); do	# 10 seconds at most
		is_open "$1" && return 0
		sleep 0.1
	done
	die "$2: port $1 does not accept (see below)
$(tail -n 20 "$WORK/log/$2.log" 2>/dev/null)"
}
# With two CPUs or more, the servers (and the TCP floor) run on one, the
# load generator on another, so neither takes the other's CPU.
PIN_SERVER=()
PIN_CLIENT=()
SERVER_CPU=0
PIN_DESC="none (BENCH_PIN=0 or one CPU); servers and zeche-bench share the CPUs"
if [ "${BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] &&
    command -v taskset >/dev/null; then
	PIN_SERVER=(taskset -c "$SERVER_CPU")
	PIN_CLIENT=(taskset -c 1)
	PIN_DESC="servers and the TCP floor on CPU 0, zeche-bench (and the OpenSSL floor) on CPU 1"
fi
case ${BENCH_CLIENT:-threads} in
threads) CLIENT_ARGS=() CLIENT_DESC="a blocking thread per connection in flight" ;;
epoll) CLIENT_ARGS=(-E) CLIENT_DESC="one thread keeping every connection in flight with epoll (-E)" ;;
*) die "BENCH_CLIENT=${BENCH_CLIENT}: threads or epoll" ;;
esac
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
start() {
	local name=$1
	shift
	"${PIN_SERVER[@]}" "${RUNAS[@]}" "$@" >"$WORK/log/$name.log" 2>&1 \
	    </dev/null &
	PIDS+=("$!")
	eval "PID_$name=$!"
}

P_ZGEM=$(free_port)
P_ZGOPH=$(free_port)
P_MOLLY=$(free_port)
P_GN=$(free_port)
P_GNMEM=$(free_port)

ZECHE_CMD=("$ZECHE" --root "$WORK/capsule" --certs "$WORK/certs-zeche"
    --host localhost --gemini "127.0.0.1:$P_ZGEM"
    --gopher "127.0.0.1:$P_ZGOPH")
# shellcheck disable=SC2206	# split on purpose
[ -n "$ZECHE_ARGS" ] && ZECHE_CMD+=($ZECHE_ARGS)
start zeche "${ZECHE_CMD[@]}"

cat >"$WORK/molly.conf" <<EOF
Port = $P_MOLLY
Hostname = "localhost"
CertPath = "$WORK/certs-molly/cert.pem"
KeyPath = "$WORK/certs-molly/key.pem"
DocBase = "$WORK/capsule/"
AccessLog = "$WORK/log/molly-access.log"
ErrorLog = "$WORK/log/molly-error.log"
EOF
start molly "$MOLLY" -c "$WORK/molly.conf"

# -i 0 -k 0: no throttling (else, after 4096 hits from one address, it
# sleeps a second per request; 3.1.1 swaps the two flags, both are 0);
# -ns: no syslog, -l: an access log file like the others.  Not -nm: it
# makes every request ~10 times slower.
GN_ARGS=(-h localhost -r "$WORK/capsule" -i 0 -k 0 -ns)
start gophernicus "$SSA" --inetd -l "127.0.0.1:$P_GN" -a "$GOPHERNICUS" \
    -p "$P_GN" "${GN_ARGS[@]}" -l "$WORK/log/gophernicus-access.log"
# The same, each process wrapped in time(1) to get its peak RSS.
start gnmem "$SSA" --inetd -l "127.0.0.1:$P_GNMEM" -a /usr/bin/time \
    -f %M -a -o "$WORK/log/gnmem" "$GOPHERNICUS" -p "$P_GNMEM" \
    "${GN_ARGS[@]}"

wait_port "$P_ZGEM" zeche
wait_port "$P_ZGOPH" zeche
wait_port "$P_MOLLY" molly
wait_port "$P_GN" gophernicus
wait_port "$P_GNMEM" gnmem

# --- 4. check what each serves, then warm up and measure ---------------
gopher_get() {
	# shellcheck disable=SC2016	# expanded by the inner bash
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" &&
	    printf "%s\r\n" "$1" >&3 && cat <&3' "$1" "$2"
}
gemini_ok() {
	"$BENCH" -p gemini -P "$1" -n 1 -c 1 -d 10 -u "$2" >/dev/null ||
	    die "gemini port $1: $2 does not answer 20"
}
gopher_ok() {
	local out
	out=$(gopher_get "$1" "$2" | head -c 4096 | tr -d '\0') || true
	case $out in
	'') die "gopher port $1: \"$2\": empty response";;
	3*) die "gopher port $1: \"$2\": error: ${out%%$'\t'*}";;
	esac
}
for p in "$P_ZGEM" "$P_MOLLY"; do
	gemini_ok "$p" /
	gemini_ok "$p" "$ARTICLE"
done
for p in "$P_ZGOPH" "$P_GN"; do
	gopher_ok "$p" ""
	gopher_ok "$p" "$TEXT"
done
how_sent() {	# how_sent PORT: how the text file arrives
	local f="$WORK/capsule$TEXT" got="$WORK/got"
	gopher_get "$1" "$TEXT" >"$got" || true
	if cmp -s "$got" "$f"; then
		echo "as is"
	elif cmp -s <(tr -d '\r' <"$got") "$f"; then
		echo "with CRLF line ends"
	elif cmp -s <(tr -d '\r' <"$got" | sed '$d') "$f"; then
		echo "with CRLF line ends and a final \".\""
	else
		echo "changed ($(wc -c <"$got") bytes for $(wc -c <"$f"))"
	fi
	rm -f "$got"
}
HOW_Z=$(how_sent "$P_ZGOPH")
HOW_GN=$(how_sent "$P_GN")
SZ_ZMENU=$(gopher_get "$P_ZGOPH" "" | wc -c)
SZ_GNMENU=$(gopher_get "$P_GN" "" | wc -c)

# Results by key: R[KEY]="key=value ..." as zeche-bench prints it; with
# rounds, RALL[KEY] has every round's line and R[KEY] gets the median.
declare -A R RALL
BENCH_LINES=()
ROUND=1
# run KEY PID ARGS...: a warm-up run, then the measured one of RUN_N
# requests (default N), with the server's CPU read from /proc/PID/stat
# around it (-S).
run() {
	local key=$1 pid=$2 line rc=0 n=${RUN_N:-$N}
	shift 2
	case " $* " in	# the OpenSSL floor is its own client, in one thread
	*" tls-floor "*) ;;
	*) set -- "${CLIENT_ARGS[@]}" "$@" ;;
	esac
	"${PIN_CLIENT[@]}" "$BENCH" -n "$WARM" -d "$D" "$@" >/dev/null 2>&1 ||
	    true
	[ "$ROUND" -eq 1 ] && BENCH_LINES+=("$(basename "$BENCH") -n $n -d $D$(printf " %q" "$@")")
	line=$("${PIN_CLIENT[@]}" "$BENCH" -n "$n" -d "$D" \
	    ${pid:+-S "$pid"} "$@") || rc=$?
	R[$key]=$line
	RALL[$key]="${RALL[$key]:-}$line
"
	note "$key (round $ROUND): $line"
	[ "$rc" -eq 0 ] || note "$key: zeche-bench exit status $rc"
}
# median KEY: of KEY's rounds, the line whose CPU per request is the
# median (the lower middle one of an even number)
median() {
	local lines
	lines=$(printf '%s' "${RALL[$1]}" | awk 'NF > 0 {
		c = 0
		for (i = 1; i <= NF; i++)
			if ($i ~ /^cpu_us_per_req=/)
				c = substr($i, 16)
		print c "\t" $0
	}' | sort -t "$(printf '\t')" -k1,1g | cut -f2-)
	printf '%s\n' "$lines" |
	    sed -n "$((($(printf '%s\n' "$lines" | wc -l) + 1) / 2))p"
}
hwm() {	# peak RSS in KiB
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# Memory per idle connection: IDLE connections from A addresses to the
# Gemini port of a server started for this alone, held open with nothing
# sent (TCP only) or after the TLS handshake with no request; VmRSS of
# the server before and while they are held.  A fresh server each time,
# so that no memory freed by an earlier run is reused.
idle() {	# idle KEY SERVER PROTO
	local key=$1 port pid line
	port=$(free_port)
	case $2 in
	zeche)
		# room for them all, from A addresses, for as long as it
		# takes to make them
		start idle "$ZECHE" --root "$WORK/capsule" \
		    --certs "$WORK/certs-zeche" --host localhost \
		    --gemini "127.0.0.1:$port" --timeout 120 \
		    --max-conns $((IDLE + 64)) --per-address "$IDLE" ;;
	molly)
		sed "s/^Port = .*/Port = $port/" "$WORK/molly.conf" \
		    >"$WORK/molly-idle.conf"
		start idle "$MOLLY" -c "$WORK/molly-idle.conf" ;;
	esac
	# shellcheck disable=SC2154	# set by start()
	pid=$PID_idle
	wait_port "$port" idle
	line=$("${PIN_CLIENT[@]}" "$BENCH" -I -n "$IDLE" -c 16 -A "$A" -d 100 \
	    -S "$pid" -p "$3" -P "$port") || note "$key: zeche-bench had errors"
	kill "$pid" 2>/dev/null || note "$key: $2 had exited:
$(tail -n 5 "$WORK/log/idle.log" 2>/dev/null)"
	wait "$pid" 2>/dev/null || true
	R[$key]=$line
	note "$key: $line"
	BENCH_LINES+=("$(basename "$BENCH") -I -n $IDLE -c 16 -A $A -d 100 -p $3 -P $port")
}
idle zeche_idle_tcp zeche gopher
idle zeche_idle_tls zeche gemini
idle molly_idle_tcp molly gopher
idle molly_idle_tls molly gemini

# The floors, measured by zeche-bench itself: OpenSSL alone over a BIO
# pair (one thread, its own CPU clock), and a minimal epoll responder
# that it forks (pinned like the servers).
FLOOR_PIN=()
[ "${#PIN_SERVER[@]}" -gt 0 ] && FLOOR_PIN=(-K "$SERVER_CPU")
for ROUND in $(seq 1 "$ROUNDS"); do
	run tls_full "" -p tls-floor -u "$ARTICLE"
	run tls_res "" -p tls-floor -R -u "$ARTICLE"
	for c in $CONCS; do
		RUN_N=$GN run "tcp_$c" "" -p tcp-floor -c "$c" -A "$A" "${FLOOR_PIN[@]}"
		run "tlse_full_$c" "" -p tls-epoll-floor -c "$c" -A "$A" \
		    "${FLOOR_PIN[@]}"
		run "tlse_res_$c" "" -p tls-epoll-floor -R -c "$c" -A "$A" \
		    "${FLOOR_PIN[@]}"
	done
	# shellcheck disable=SC2154
	for c in $CONCS; do
		for h in full res; do
			r=()
			[ "$h" = res ] && r=(-R)
			run "zeche_gem_${h}_$c" "$PID_zeche" -p gemini -P "$P_ZGEM" \
			    -c "$c" -A "$A" "${r[@]}" -u / -u "$ARTICLE"
			run "molly_gem_${h}_$c" "$PID_molly" -p gemini -P "$P_MOLLY" \
			    -c "$c" -A "$A" "${r[@]}" -u / -u "$ARTICLE"
		done
		RUN_N=$GN run "zeche_goph_$c" "$PID_zeche" -p gopher -P "$P_ZGOPH" -c "$c" \
		    -A "$A" -u "" -u "$TEXT"
		run "gn_goph_$c" "$PID_gophernicus" -p gopher -P "$P_GN" -c "$c" \
		    -A "$A" -u "" -u "$TEXT"
	done
done
if [ "$ROUNDS" -gt 1 ]; then
	for key in "${!RALL[@]}"; do
		R[$key]=$(median "$key")
	done
fi

# --- 5. memory ---------------------------------------------------------
# shellcheck disable=SC2154
HWM_ZECHE=$(hwm "$PID_zeche")
# shellcheck disable=SC2154
HWM_MOLLY=$(hwm "$PID_molly")
# One process per connection: its own peak, from time(1) over a few
# sequential requests, plus the listener that forks them.
"$BENCH" -p gopher -P "$P_GNMEM" -c 1 -n 40 -d 30 -u "" -u "$TEXT" \
    >/dev/null || note "warning: gophernicus memory run had errors"
HWM_GNPROC=$(sort -n "$WORK/log/gnmem" 2>/dev/null | tail -n 1)
HWM_GNPROC=${HWM_GNPROC:-0}
# shellcheck disable=SC2154
HWM_GNLISTEN=$(hwm "$PID_gophernicus")
CMAX=${CONCS##* }
HWM_GNTOTAL=$((HWM_GNLISTEN + CMAX * HWM_GNPROC))

# --- 6. the tables -----------------------------------------------------
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" \
    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a + b }'; }
cpu() { get "$1" cpu_us_per_req; }

row() {	# row SERVER PROTOCOL HANDSHAKE KEY RSS
	local res=""
	case $3 in resumed) res=" ($(get "$4" resumed) resumed)";; esac
	printf '| %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s |\n' \
	    "$1" "$2" "$3" "$res" "$(get "$4" concurrency)" \
	    "$(get "$4" rps)" "$(cpu "$4")" "$(get "$4" p50_ms)" \
	    "$(get "$4" p99_ms)" "$(get "$4" errors)" "$5"
}

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "## zeche benchmark"
echo
echo "| server | protocol | handshake | in flight | req/s |" \
    "server CPU µs/req | p50 ms | p99 ms | errors | peak RSS |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
row "floor: OpenSSL, memory BIOs" gemini full tls_full "-"
row "floor: OpenSSL, memory BIOs" gemini resumed tls_res "-"
for c in $CONCS; do
	row "floor: epoll responder" tcp - "tcp_$c" \
	    "$(mib "$(get "tcp_$c" hwm_kb)")"
done
for c in $CONCS; do
	for h in full res; do
		hh=full
		[ "$h" = res ] && hh=resumed
		row "floor: epoll responder with OpenSSL" gemini "$hh" \
		    "tlse_${h}_$c" "$(mib "$(get "tlse_${h}_$c" hwm_kb)")"
	done
done
for c in $CONCS; do
	for h in full res; do
		hh=full
		[ "$h" = res ] && hh=resumed
		row zeche gemini "$hh" "zeche_gem_${h}_$c" "$(mib "$HWM_ZECHE")"
		row molly-brown gemini "$hh" "molly_gem_${h}_$c" \
		    "$(mib "$HWM_MOLLY")"
	done
done
for c in $CONCS; do
	row zeche gopher - "zeche_goph_$c" "$(mib "$HWM_ZECHE")"
	row gophernicus gopher - "gn_goph_$c" \
	    "$(mib "$HWM_GNTOTAL") ($(mib "$HWM_GNPROC")/conn)"
done

echo
echo "| idle connections to the Gemini port ($IDLE from $A addresses) |" \
    "zeche | molly-brown | target (zeche) |"
echo "|---|---:|---:|---|"
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
echo "| per connection, before any byte of a handshake | $(kib \
    "$(get zeche_idle_tcp bytes_per_conn)") | $(kib \
    "$(get molly_idle_tcp bytes_per_conn)") | ≤ 6 KB (5.9 KiB) |"
echo "| per connection, after the handshake, no request | $(kib \
    "$(get zeche_idle_tls bytes_per_conn)") | $(kib \
    "$(get molly_idle_tls bytes_per_conn)") | ≤ 24 KB (23.4 KiB) |"
echo "| RSS before them | $(mib "$(get zeche_idle_tcp rss_before_kb)") |" \
    "$(mib "$(get molly_idle_tcp rss_before_kb)") | ≤ 8 MB |"
echo "| connections held (of $IDLE), TCP / TLS |" \
    "$(get zeche_idle_tcp held) / $(get zeche_idle_tls held) |" \
    "$(get molly_idle_tcp held) / $(get molly_idle_tls held) | |"

echo
echo "| ratio (same run) | target |$(for c in $CONCS; do
	printf ' %s in flight |' "$c"; done)"
echo "|---|---|$(for c in $CONCS; do printf -- '---:|'; done)"
ratios() {	# ratios TEXT TARGET FUNCTION: one row, FUNCTION C per column
	local c out="| $1 | $2 |"
	for c in $CONCS; do out="$out $($3 "$c") |"; done
	echo "$out"
}
r_floor() { ratio "$(cpu "zeche_gem_full_$1")" \
    "$(sum "$(cpu tls_full)" "$(cpu "tcp_$1")")"; }
r_floor_res() { ratio "$(cpu "zeche_gem_res_$1")" \
    "$(sum "$(cpu tls_res)" "$(cpu "tcp_$1")")"; }
r_tlse() { ratio "$(cpu "zeche_gem_full_$1")" "$(cpu "tlse_full_$1")"; }
r_tlse_res() { ratio "$(cpu "zeche_gem_res_$1")" "$(cpu "tlse_res_$1")"; }
r_tlse_sum() { ratio "$(cpu "tlse_full_$1")" \
    "$(sum "$(cpu tls_full)" "$(cpu "tcp_$1")")"; }
r_p99_tlse() { ratio "$(get "zeche_gem_full_$1" p99_ms)" \
    "$(get "tlse_full_$1" p99_ms)"; }
r_molly() { ratio "$(cpu "zeche_gem_full_$1")" "$(cpu "molly_gem_full_$1")"; }
r_molly_res() { ratio "$(cpu "zeche_gem_res_$1")" \
    "$(cpu "molly_gem_res_$1")"; }
r_p99() { ratio "$(get "zeche_gem_full_$1" p99_ms)" \
    "$(get "molly_gem_full_$1" p99_ms)"; }
r_zres() { ratio "$(cpu "zeche_gem_res_$1")" "$(cpu "zeche_gem_full_$1")"; }
r_mres() { ratio "$(cpu "molly_gem_res_$1")" "$(cpu "molly_gem_full_$1")"; }
r_goph() { ratio "$(cpu "zeche_goph_$1")" "$(cpu "tcp_$1")"; }
r_gophrps() { ratio "$(get "zeche_goph_$1" rps)" "$(get "tcp_$1" rps)"; }
r_gn() { ratio "$(cpu "zeche_goph_$1")" "$(cpu "gn_goph_$1")"; }
ratios "Gemini full, CPU: zeche / (TLS floor + TCP floor)" "≤ 1.2" r_floor
ratios "Gemini full, CPU: zeche / epoll responder with OpenSSL" "-" r_tlse
ratios "Gemini full, CPU: epoll responder with OpenSSL / (TLS floor + TCP floor)" \
    "-" r_tlse_sum
ratios "Gemini full, CPU: zeche / molly-brown" "≤ 0.6" r_molly
ratios "Gemini full, p99: zeche / molly-brown" "≤ 1" r_p99
ratios "Gemini full, p99: zeche / epoll responder with OpenSSL" "-" r_p99_tlse
ratios "Gemini resumed, CPU: zeche / (TLS floor resumed + TCP floor)" \
    "-" r_floor_res
ratios "Gemini resumed, CPU: zeche / epoll responder with OpenSSL" "-" \
    r_tlse_res
ratios "Gemini resumed, CPU: zeche / molly-brown" "-" r_molly_res
ratios "CPU resumed / full: zeche" "clearly < 1" r_zres
ratios "CPU resumed / full: molly-brown" "-" r_mres
ratios "Gopher, CPU: zeche / TCP floor" "≤ 1.3" r_goph
ratios "Gopher, req/s: zeche / TCP floor" "≥ 0.8" r_gophrps
ratios "Gopher, CPU: zeche / gophernicus" "-" r_gn

echo
echo "- command: \`BENCH_N=$N BENCH_GN=$GN BENCH_ROUNDS=$ROUNDS BENCH_C=\"$CONCS\" BENCH_A=$A BENCH_D=$D" \
    "BENCH_WARMUP=$WARM tests/bench/run-bench.sh $ARG peers\`"
for l in "${BENCH_LINES[@]}"; do
	echo "  - \`$l\`"
done
[ "$ROUNDS" -gt 1 ] && echo "- $ROUNDS rounds, each running every floor" \
    "and server once, one after another; each row is its median round" \
    "by server CPU per request (the ratios are of those medians)"
echo "- each run: $WARM warm-up requests, then $N measured ($GN for" \
    "zeche's Gopher and the TCP floor); one request" \
    "per connection; clients bound to $A loopback addresses" \
    "(127.0.0.2 and up); \"full\": a full handshake each, no" \
    "resumption; \"resumed\": each client (thread, or -E slot) offers the session" \
    "ticket of its previous connection; latency is from connect to close"
echo "- server CPU µs/req: utime + stime (of the process and of the" \
    "children it reaped) from /proc/PID/stat, before and after the" \
    "measured run, over the requests made; the OpenSSL floor is the" \
    "server side's thread CPU time (SSL_new to SSL_free: handshake," \
    "request line, status line and a 2 KiB page, close_notify) with a" \
    "client in the same thread over a BIO pair, no socket, no event" \
    "loop, no session cache; the TCP floor is an epoll loop forked by" \
    "zeche-bench: accept, one read, one write of 2 KiB, close; the" \
    "epoll responder with OpenSSL is that loop doing TLS on each" \
    "connection (handshake with one session ticket at its end, one" \
    "read, status line and 2 KiB page in one SSL_write, close_notify," \
    "close), pinned like the servers"
echo "- idle connections: zeche-bench -I holds $IDLE connections open (TCP" \
    "only, or after the TLS handshake) until it has read the server's" \
    "VmRSS, each time against a server started for it; the growth over" \
    "the RSS before them, per connection"
echo "- pinning: ${PIN_DESC}"
echo "- load generator: zeche-bench, ${CLIENT_DESC}"
echo "- content: $CAPSULE_DESC; Gemini \`/\` and \`$ARTICLE\` from the" \
    "same files for both; Gopher: zeche sends its rendered root menu" \
    "($SZ_ZMENU bytes), gophernicus its generated directory listing" \
    "($SZ_GNMENU bytes); \`$TEXT\`: zeche $HOW_Z, gophernicus $HOW_GN"
echo "- TLS: zeche $(get "zeche_gem_full_$CMAX" tls), molly-brown" \
    "$(get "molly_gem_full_$CMAX" tls); responses ended without" \
    "close_notify: zeche $(get "zeche_gem_full_$CMAX" no_close_notify)," \
    "molly-brown $(get "molly_gem_full_$CMAX" no_close_notify)"
echo "- peak RSS is VmHWM after all runs; zeche is one process for both" \
    "protocols; gophernicus forks a process per connection, shown as" \
    "listener ($(mib "$HWM_GNLISTEN"), systemd-socket-activate --inetd)" \
    "+ $CMAX × per-process peak (from time(1)), the most alive at once"
echo "- machine: $(nproc) CPUs, $CPU, Linux $(uname -r), load average" \
    "$LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
V_ZECHE=$(git -C "$SRC_DIR" describe --always --dirty 2>/dev/null) ||
    V_ZECHE=unknown
V_MOLLY=$(dpkg-query -W -f '${Version}' molly-brown 2>/dev/null) || true
V_GN=$(dpkg-query -W -f '${Version}' gophernicus 2>/dev/null) || true
echo "- versions: zeche $V_ZECHE${ZECHE_ARGS:+ ($ZECHE_ARGS)}, molly-brown" \
    "$V_MOLLY, gophernicus $V_GN, $(openssl version | cut -d' ' -f1-2)"
