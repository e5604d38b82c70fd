#!/bin/bash
#
# reload-bench.sh BUILD_DIR: what reloads cost the requests served
# meanwhile (run-bench.sh BUILD_DIR reloadp99).  zeche serves a generated
# gemlog with one worker; zeche-bench's epoll client measures the p99
# latency of Gemini (full handshakes) and Gopher requests for BENCH_D
# seconds without reloads, then for as long again while a loop reloads
# zeche back to back (`zeche --reload` on the control socket, which
# returns once the reload has ended, and at once the next), BENCH_ROUNDS
# times.  A Markdown table gives the median p99s and their ratio.  See
# tests/bench/README.md.
#
# Knobs, from the environment:
#
#	BENCH_POSTS=52000	posts generated
#	BENCH_GEMLOG=DIR	serve DIR (read only) instead, e.g. one made
#				before by gen-gemlog.sh
#	BENCH_D=20		seconds per measured run
#	BENCH_ROUNDS=3		rounds, each a quiet run and a reloading
#				one (for Gemini and for Gopher); the table
#				gives the medians
#	BENCH_C=16		connections in flight
#	BENCH_A=64		client source addresses, 127.0.0.2 and up
#	BENCH_PIN=0		1: zeche (all its threads) on CPU 0 and
#				zeche-bench on CPU 1, so that the reload
#				thread and the worker share one CPU
#	BENCH_ZECHE_ARGS=	more options for zeche
#
# Everything listens on 127.0.0.1 only; everything started is killed on
# exit and the temporary directory removed.

set -eu
set -o pipefail

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$SRC_DIR/tests/bench/lib.sh"

bench_build_dir "$@"
ARG=${ZECHE_BENCH_ARG:-$1}	# as typed, for the report
GEN="$SRC_DIR/tests/bench/gen-gemlog.sh"

POSTS=${BENCH_POSTS:-52000}
GEMLOG=${BENCH_GEMLOG:-}
D=${BENCH_D:-20}
ROUNDS=${BENCH_ROUNDS:-3}
C=${BENCH_C:-16}
A=${BENCH_A:-64}
PIN=${BENCH_PIN:-0}
# shellcheck disable=SC2206	# words wanted
ZARGS=(${BENCH_ZECHE_ARGS:-})
for v in "$POSTS" "$D" "$ROUNDS" "$C" "$A" "$PIN"; do
	case $v in ''|*[!0-9]*) die "BENCH_* must be positive integers";; esac
done
[ -z "$GEMLOG" ] || [ -f "$GEMLOG/index.gmi" ] ||
    die "BENCH_GEMLOG=$GEMLOG: no index.gmi there"

ZECHE=$(findbin zeche)
BENCH=$(findbin zeche-bench)
[ -n "$ZECHE" ] || die "no zeche in $BUILD_DIR"
[ -n "$BENCH" ] || die "no zeche-bench in $BUILD_DIR"

PID_ZECHE=
PID_LOOP=
# at exit: the reload loop told to stop, then it and zeche stopped
# shellcheck disable=SC2016	# expanded at exit
ON_EXIT='[ -n "$WORK" ] && touch "$WORK/stop"'
BENCH_PIDS="PID_LOOP PID_ZECHE"
bench_work rbench
PINS=() PINB=()
if [ "$PIN" -ne 0 ]; then
	command -v taskset >/dev/null || die "BENCH_PIN=1: no taskset"
	PINS=(taskset -c 0)
	PINB=(taskset -c 1)
fi

if [ -z "$GEMLOG" ]; then
	note "generating $POSTS posts"
	GEMLOG="$WORK/gemlog"
	"$GEN" "$POSTS" "$GEMLOG"
	chmod -R a+rX "$GEMLOG"
fi
FILES=$(find "$GEMLOG" -type f | wc -l)
# the first post (sed reads it all: no SIGPIPE for sort under pipefail)
ARTICLE=$(cd "$GEMLOG" && find ./log -type f -name '*.gmi' | LC_ALL=C sort |
    sed -n 1p)
ARTICLE=${ARTICLE#.}
[ -n "$ARTICLE" ] || die "$GEMLOG: no post under log/"

mkdir "$WORK/certs" "$WORK/run"
if [ ${#RUNAS[@]} -gt 0 ]; then
	chown nobody "$WORK/certs" "$WORK/run"
fi
CTL="$WORK/run/control.sock"
LOG="$WORK/zeche.log"
PG=$(free_port)
PGO=$(free_port)
note "starting zeche on $GEMLOG ($FILES files)"
"${PINS[@]}" "${RUNAS[@]}" "$ZECHE" --root "$GEMLOG" --certs "$WORK/certs" \
    --host localhost --workers 1 --control "$CTL" \
    --gemini "127.0.0.1:$PG" --gopher "127.0.0.1:$PGO" \
    "${ZARGS[@]}" >"$LOG" 2>&1 </dev/null &
PID_ZECHE=$!
for _ in $(seq 1 60000); do	# 10 minutes at most
	grep -q 'zeche: serving ' "$LOG" 2>/dev/null && break
	kill -0 "$PID_ZECHE" 2>/dev/null ||
	    die "zeche does not start: $(tail -n 5 "$LOG")"
	sleep 0.01
done
grep -q 'zeche: serving ' "$LOG" || die "zeche does not start in 10 minutes"

# reload back to back until $WORK/stop exists; --reload waits for each
reload_loop() {
	while [ ! -e "$WORK/stop" ]; do
		"${RUNAS[@]}" "$ZECHE" --reload --control "$CTL" \
		    >/dev/null 2>&1 || { touch "$WORK/failed"; return; }
	done
}
reloads() { grep -c 'reloaded .* pages in' "$LOG" || true; }

declare -A R
# run KEY ARGS...: BENCH_D seconds of requests, after a short warm-up
run() {
	local key=$1 line
	shift
	"${PINB[@]}" "$BENCH" -E -n 200 -d 5 -c "$C" -A "$A" "$@" \
	    >/dev/null 2>&1 || true
	line=$("${PINB[@]}" "$BENCH" -E -n 10000000 -d "$D" -c "$C" -A "$A" \
	    "$@") ||
	    note "$key: zeche-bench had errors"
	R[$key]=$line
	note "$key: $line"
}
both() {	# both SUFFIX: a Gemini run and a Gopher run
	run "gem_$1" -p gemini -P "$PG" -H localhost -u / -u "$ARTICLE"
	run "goph_$1" -p gopher -P "$PGO" -e -u "" -u "$ARTICLE"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
n0=$(reloads)
# quiet and reloading runs take turns, so that a load on the machine
# that comes and goes weighs on both alike
for r in $(seq 1 "$ROUNDS"); do
	both "quiet_$r"
	rm -f "$WORK/stop"
	reload_loop &
	PID_LOOP=$!
	sleep 0.5	# measure once the first reload is under way
	both "reload_$r"
	touch "$WORK/stop"
	wait "$PID_LOOP" || true	# the reload under way ends first
	PID_LOOP=
	[ ! -e "$WORK/failed" ] || die "a reload failed: $(tail -n 3 "$LOG")"
	settle "$PID_ZECHE"	# the old snapshot freed, off the quiet run
done
NRELOAD=$(($(reloads) - n0))
MS=$(sed -n 's/.*reloaded .* pages in \([0-9]*\) ms$/\1/p' "$LOG" |
    tail -n "$NRELOAD" | median)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

med() {	# med PROTO STATE FIELD: the median over the rounds
	local r
	for r in $(seq 1 "$ROUNDS"); do
		get "$1_$2_$r" "$3"
	done | median
}
all() {	# all PROTO STATE FIELD: each round's, in order
	local r
	for r in $(seq 1 "$ROUNDS"); do
		printf '%s ' "$(get "$1_$2_$r" "$3")"
	done
}
sum() {	# sum PROTO FIELD: over every run
	local r t=0
	for r in $(seq 1 "$ROUNDS"); do
		t=$((t + $(get "$1_quiet_$r" "$2") + $(get "$1_reload_$r" "$2")))
	done
	echo "$t"
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b;
	    else print "-" }'
}
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "## Requests during back-to-back reloads"
echo
echo "| protocol | p99 ms, no reload | p99 ms, reloading | ratio" \
    "| p50 ms, no reload / reloading | req/s, no reload / reloading" \
    "| errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for p in gem goph; do
	printf '| %s | %s | %s | %s× | %s / %s | %s / %s | %s |\n' \
	    "$([ $p = gem ] && echo "gemini, full" || echo gopher)" \
	    "$(med $p quiet p99_ms)" "$(med $p reload p99_ms)" \
	    "$(ratio "$(med $p reload p99_ms)" "$(med $p quiet p99_ms)")" \
	    "$(med $p quiet p50_ms)" "$(med $p reload p50_ms)" \
	    "$(med $p quiet rps)" "$(med $p reload rps)" \
	    "$(sum $p errors)"
done
echo
echo "- command: \`${BENCH_GEMLOG:+BENCH_GEMLOG=$BENCH_GEMLOG }BENCH_D=$D" \
    "BENCH_ROUNDS=$ROUNDS BENCH_C=$C BENCH_A=$A BENCH_PIN=$PIN" \
    "tests/bench/run-bench.sh $ARG reloadp99\`"
echo "- medians over $ROUNDS rounds, each a quiet run then a reloading" \
    "one; p99 ms per round: Gemini $(all gem quiet p99_ms)quiet," \
    "$(all gem reload p99_ms)reloading; Gopher $(all goph quiet p99_ms)quiet," \
    "$(all goph reload p99_ms)reloading"
echo "- capsule: $FILES files ($GEMLOG); zeche with \`--workers 1\`;" \
    "each run $D s of zeche-bench's epoll client, $C in flight from" \
    "$A addresses, \`/\` and \`$ARTICLE\`"
echo "- reloading: $NRELOAD reloads during the reloading runs, back to back" \
    "(\`zeche --reload\`), median $MS ms each"
echo "- $(uname -sr), $(nproc) CPUs ($CPU), $("$ZECHE" --version 2>&1 |
    head -n 1); load average $LOAD0 at the start, $LOAD1 at the end"
