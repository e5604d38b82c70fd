#!/bin/bash
#
# workers-bench.sh BUILD_DIR: zeche with --workers 1, 2, ... side by side
# in one run: requests/s and server CPU per request for Gemini (full TLS
# handshakes) and Gopher, as a Markdown table.  See tests/bench/README.md.
#
# Neither the server nor zeche-bench is pinned: the workers must have
# every core to spread over, and the load generator shares them, so on a
# machine with few cores it takes a good part of the CPU the workers
# could use.  Knobs, from the environment:
#
#	BENCH_WORKERS="1 2"	the worker counts compared
#	BENCH_N=3000		requests per measured run
#	BENCH_C="16 128"	concurrencies (connections in flight)
#	BENCH_A=64		client source addresses, 127.0.0.2 and up
#	BENCH_D=60		cap in seconds per run
#	BENCH_WARMUP=300	requests in the warm-up run before each
#	BENCH_CAPSULE=DIR	content to serve (default: the repo's capsule/)

set -eu
set -o pipefail

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$SRC_DIR/tests/bench/lib.sh"

bench_build_dir "$@"

WORKERS=${BENCH_WORKERS:-1 2}
N=${BENCH_N:-3000}
CONCS=${BENCH_C:-16 128}
A=${BENCH_A:-64}
D=${BENCH_D:-60}
WARM=${BENCH_WARMUP:-300}
CAPSULE=${BENCH_CAPSULE:-$SRC_DIR/capsule}
for v in $WORKERS "$N" $CONCS "$A" "$D" "$WARM"; do
	case $v in ''|*[!0-9]*) die "BENCH_* must be positive integers";; esac
done

for b in zeche zeche-bench; do
	if [ -z "$(findbin $b)" ]; then
		note "building $b in $BUILD_DIR"
		cmake --build "$BUILD_DIR" --target "$b" >&2
	fi
done
ZECHE=$(findbin zeche)
BENCH=$(findbin zeche-bench)
[ -n "$ZECHE" ] || die "no zeche in $BUILD_DIR"
[ -n "$BENCH" ] || die "no zeche-bench in $BUILD_DIR"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zeche-workers-bench.XXXXXX")
PID=
cleanup() {
	set +e
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
cp -R "$CAPSULE" "$WORK/capsule"
mkdir "$WORK/certs"
# the root page and one article, as run-bench.sh picks them
ARTICLE=$(cd "$WORK/capsule" && find . -mindepth 2 -type f -name '*.gmi' |
    LC_ALL=C sort | head -n 1)
ARTICLE=${ARTICLE#.}
[ -n "$ARTICLE" ] || ARTICLE=/

declare -A R
# run KEY ARGS...: a warm-up run, then the measured one, with the
# server's CPU (all its threads) read from /proc/PID/stat around it
run() {
	local key=$1 line
	shift
	"$BENCH" -n "$WARM" -d "$D" "$@" >/dev/null 2>&1 || true
	line=$("$BENCH" -n "$N" -d "$D" -S "$PID" "$@") ||
	    note "$key: zeche-bench had errors"
	R[$key]=$line
	note "$key: $line"
}

for w in $WORKERS; do
	pg=$(free_port)
	pgo=$(free_port)
	"$ZECHE" --root "$WORK/capsule" --certs "$WORK/certs" \
	    --host localhost --gemini "127.0.0.1:$pg" \
	    --gopher "127.0.0.1:$pgo" --workers "$w" \
	    >"$WORK/zeche-$w.log" 2>&1 </dev/null &
	PID=$!
	for i in $(seq 1 100); do
		is_open "$pg" && is_open "$pgo" && break
		sleep 0.1
	done
	is_open "$pg" || die "zeche --workers $w does not start:
$(tail -n 20 "$WORK/zeche-$w.log")"
	for c in $CONCS; do
		run "gem_${w}_$c" -p gemini -P "$pg" -c "$c" -A "$A" -u / \
		    -u "$ARTICLE"
		run "goph_${w}_$c" -p gopher -P "$pgo" -c "$c" -A "$A" -u ""
	done
	kill -TERM "$PID"
	wait "$PID" || note "zeche --workers $w: exit status $?"
	PID=
done

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "## zeche workers"
echo
echo "$(nproc) CPUs ($CPU), load average before: $(cut -d' ' -f1-3 /proc/loadavg);"
echo "nothing pinned; $N requests a run after $WARM warm-up, from $A addresses."
echo
echo "| protocol | in flight | workers | req/s | server CPU µs/req | p50 ms | p99 ms | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONCS; do
	for p in gem goph; do
		for w in $WORKERS; do
			k="${p}_${w}_$c"
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' \
			    "$([ $p = gem ] && echo "gemini, full" || echo gopher)" \
			    "$c" "$w" "$(get "$k" rps)" \
			    "$(get "$k" cpu_us_per_req)" "$(get "$k" p50_ms)" \
			    "$(get "$k" p99_ms)" "$(get "$k" errors)"
		done
	done
done
