#!/bin/bash
#
# metrics-bench.sh BUILD_DIR: what counting metrics costs.  Two zeche
# servers side by side in one run, alike but for a "metrics" line in the
# configuration of one: server CPU per request for Gemini (full TLS
# handshakes) and Gopher, the two measured in turns, round after round,
# each row the median round; the ratio on / off must stay at or below
# 1.02.  See tests/bench/README.md.  Knobs, from the environment:
#
#	BENCH_N=3000		requests per measured Gemini run
#	BENCH_GN=10*BENCH_N	requests per measured Gopher run
#	BENCH_ROUNDS=5		rounds: each runs off and on once, at once
#	BENCH_C=16		connections in flight
#	BENCH_A=64		client source addresses, 127.0.0.2 and up
#	BENCH_D=60		cap in seconds per run
#	BENCH_WARMUP=300	requests in the warm-up run before each
#	BENCH_PIN=1		both servers on CPU 0, both zeche-benchs on CPU 1
#	BENCH_CAPSULE=DIR	content to serve (default: the repo's capsule/)

set -eu
set -o pipefail

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$SRC_DIR/tests/bench/lib.sh"

bench_build_dir "$@"

N=${BENCH_N:-3000}
GN=${BENCH_GN:-$((N * 10))}
ROUNDS=${BENCH_ROUNDS:-5}
C=${BENCH_C:-16}
A=${BENCH_A:-64}
D=${BENCH_D:-60}
WARM=${BENCH_WARMUP:-300}
CAPSULE=${BENCH_CAPSULE:-$SRC_DIR/capsule}
for v in "$N" "$GN" "$ROUNDS" "$C" "$A" "$D" "$WARM"; do
	case $v in ''|*[!0-9]*) die "BENCH_* must be positive integers";; esac
done

for b in zeche zeche-bench zeche-metrics-cost; do
	if [ -z "$(findbin $b)" ]; then
		note "building $b in $BUILD_DIR"
		cmake --build "$BUILD_DIR" --target "$b" >&2
	fi
done
ZECHE=$(findbin zeche)
BENCH=$(findbin zeche-bench)
[ -n "$ZECHE" ] || die "no zeche in $BUILD_DIR"
[ -n "$BENCH" ] || die "no zeche-bench in $BUILD_DIR"
COST=$(findbin zeche-metrics-cost)
[ -n "$COST" ] || die "no zeche-metrics-cost in $BUILD_DIR"

PIN_SERVER=()
PIN_CLIENT=()
PIN_DESC="none"
if [ "${BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] &&
    command -v taskset >/dev/null; then
	PIN_SERVER=(taskset -c 0)
	PIN_CLIENT=(taskset -c 1)
	PIN_DESC="both servers on CPU 0, both zeche-bench processes on CPU 1"
fi

declare -A PID
BENCH_PIDS="PID[off] PID[on]"
bench_work metrics-bench
cp -R "$CAPSULE" "$WORK/capsule"
mkdir "$WORK/certs"
ARTICLE=$(cd "$WORK/capsule" && find . -mindepth 2 -type f -name '*.gmi' |
    LC_ALL=C sort | head -n 1)
ARTICLE=${ARTICLE#.}
[ -n "$ARTICLE" ] || ARTICLE=/

# One certificate for both: made by the first, which is then stopped.
declare -A PG PGO
MPORT=$(free_port)
for m in off on; do
	PG[$m]=$(free_port)
	PGO[$m]=$(free_port)
	{
		echo "gemini 127.0.0.1:${PG[$m]}"
		echo "gopher 127.0.0.1:${PGO[$m]}"
		echo "workers 1"
		echo "log \"$WORK/zeche-$m.log\""
		[ "$m" = on ] && echo "metrics 127.0.0.1:$MPORT"
		echo "host \"localhost\" {"
		echo "	root \"$WORK/capsule\""
		echo "	certs \"$WORK/certs\""
		echo "	gopher on"
		echo "}"
	} >"$WORK/$m.conf"
	"${PIN_SERVER[@]}" "$ZECHE" --config "$WORK/$m.conf" \
	    >"$WORK/start-$m.log" 2>&1 </dev/null &
	PID[$m]=$!
	for i in $(seq 1 100); do
		is_open "${PG[$m]}" && is_open "${PGO[$m]}" && break
		sleep 0.1
	done
	is_open "${PG[$m]}" || die "zeche (metrics $m) does not start:
$(tail -n 20 "$WORK/start-$m.log" "$WORK/zeche-$m.log")"
done

declare -A R
# pair PROTO N ARGS...: the warm-up runs of the two servers at once, then
# their measured runs at once, so that both meet the same machine; each
# measured line (with the server's CPU read from /proc/PID/stat around
# it) goes to WORK/PROTO_off.lines and WORK/PROTO_on.lines
pair() {
	local p=$1 n=$2 m port w
	shift 2
	w=()
	for m in off on; do
		port=${PG[$m]}
		[ "$p" = goph ] && port=${PGO[$m]}
		"${PIN_CLIENT[@]}" "$BENCH" -n "$WARM" -d "$D" -P "$port" "$@" \
		    >/dev/null 2>&1 &
		w+=("$!")
	done
	wait "${w[@]}" || true
	w=()
	for m in off on; do
		port=${PG[$m]}
		[ "$p" = goph ] && port=${PGO[$m]}
		{ "${PIN_CLIENT[@]}" "$BENCH" -n "$n" -d "$D" -S "${PID[$m]}" \
		    -P "$port" "$@" || note "${p}_$m: zeche-bench had errors"; } |
		    tee -a "$WORK/${p}_$m.lines" | sed "s/^/$ME: ${p}_$m: /" >&2 &
		w+=("$!")
	done
	wait "${w[@]}" || true
}
for r in $(seq 1 "$ROUNDS"); do
	pair gem "$N" -p gemini -c "$C" -A "$A" -u / -u "$ARTICLE"
	pair goph "$GN" -p gopher -c "$C" -A "$A" -u ""
done
# each row: the median round by server CPU per request
for key in gem_off gem_on goph_off goph_on; do
	R[$key]=$(awk 'NF > 0 {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^cpu_us_per_req=/)
				c = substr($i, 16)
		print c "\t" $0
	}' "$WORK/$key.lines" | sort -t "$(printf '\t')" -k1,1g | cut -f2- |
	    sed -n "$(((ROUNDS + 1) / 2))p")
done
# the counters of the one with metrics add up to what was asked
SCRAPE=$(curl -s --max-time 10 "http://127.0.0.1:$MPORT/metrics") ||
    die "no scrape"
COUNTED=$(printf '%s\n' "$SCRAPE" | awk '/^zeche_requests_total\{/ { n += $2 }
    END { print n + 0 }')
ASKED=$(( ROUNDS * (N + GN + 2 * WARM) ))

# the counting calls alone, on the servers' CPU, after the servers stopped
for m in off on; do
	kill -TERM "${PID[$m]}"
	wait "${PID[$m]}" || note "zeche (metrics $m): exit status $?"
done
PID=()
R[cost]=$("${PIN_SERVER[@]}" "$COST")
note "cost: ${R[cost]}"
share() { awk -v a="$1" -v b="$2" \
    'BEGIN { if (b > 0) printf "%.3f%%", a / 10 / b; else print "n/a" }'; }

ratio() { awk -v a="$1" -v b="$2" \
    'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "## zeche metrics off and on"
echo
echo "| protocol | metrics | req/s | server CPU µs/req | p50 ms | p99 ms | errors |"
echo "|---|---|---:|---:|---:|---:|---:|"
for p in gem goph; do
	for m in off on; do
		k="${p}_$m"
		printf '| %s | %s | %s | %s | %s | %s | %s |\n' \
		    "$([ $p = gem ] && echo "gemini, full" || echo gopher)" \
		    "$m" "$(get "$k" rps)" "$(get "$k" cpu_us_per_req)" \
		    "$(get "$k" p50_ms)" "$(get "$k" p99_ms)" "$(get "$k" errors)"
	done
done
echo
echo "| CPU per request, on / off | target |"
echo "|---|---|"
echo "| Gemini, full handshake | $(ratio "$(get gem_on cpu_us_per_req)" \
    "$(get gem_off cpu_us_per_req)") | ≤ 1.02 |"
echo "| Gopher | $(ratio "$(get goph_on cpu_us_per_req)" \
    "$(get goph_off cpu_us_per_req)") | ≤ 1.02 |"
echo
echo "| the counting calls of a request alone | ns | of the CPU per request (off): Gemini full | Gopher |"
echo "|---|---:|---:|---:|"
echo "| zeche-metrics-cost, on less off | $(get cost counting_ns_per_req) |" \
    "$(share "$(get cost counting_ns_per_req)" "$(get gem_off cpu_us_per_req)") |" \
    "$(share "$(get cost counting_ns_per_req)" "$(get goph_off cpu_us_per_req)") |"
echo
echo "- command: \`BENCH_N=$N BENCH_GN=$GN BENCH_ROUNDS=$ROUNDS BENCH_C=$C" \
    "BENCH_A=$A tests/bench/run-bench.sh BUILD_DIR metrics\`"
echo "- $ROUNDS rounds, off and on loaded at the same time by two" \
    "zeche-bench processes (warm-ups at once, then measured runs at once);" \
    "each row its median round by server CPU per request; each run" \
    "$WARM warm-up requests, then $N measured (Gemini) or $GN (Gopher)," \
    "$C in flight, one request per connection, from $A addresses"
echo "- both servers one worker, the access log to a file; with metrics," \
    "requests counted: $COUNTED of $ASKED asked (warm-ups included)"
echo "- zeche-metrics-cost: 10,000,000 requests' counting calls as the" \
    "transport makes them (accept, handshake for Gemini, request; three" \
    "hosts, five statuses) in one thread, CPU time with metrics on less" \
    "with metrics off, after the servers stopped"
echo "- pinning: $PIN_DESC"
echo "- machine: $(nproc) CPUs, $CPU, Linux $(uname -r), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "- version: zeche $(git -C "$SRC_DIR" describe --always --dirty 2>/dev/null || echo unknown)"
