#!/bin/bash
#
# partners-bench.sh BUILD_DIR: the partner-directory section of the
# benchmark (run-bench.sh BUILD_DIR partners).  For each size, a copy of
# capsule/ gets a synthetic partners.txt from tests/gen-partners.sh; then
# load time, reload time, memory and search latency of zeche serving it
# are measured, and a Markdown table is printed.  See tests/bench/README.md.
#
# Knobs, from the environment:
#
#	BENCH_PARTNERS="634 100000 1000000"	sizes (entries generated)
#	BENCH_PN=300		requests per latency run (concurrency 1)
#	BENCH_PWARMUP=30	warm-up requests before each latency run
#	BENCH_PRUNS=5		runs of --check and of SIGHUP (median)
#	BENCH_D=60		cap in seconds per latency run
#	BENCH_CAPSULE=DIR	the capsule copied (default: the repo's capsule/)
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
GEN="$SRC_DIR/tests/gen-partners.sh"

SIZES=${BENCH_PARTNERS:-634 100000 1000000}
PN=${BENCH_PN:-300}
PWARM=${BENCH_PWARMUP:-30}
RUNS=${BENCH_PRUNS:-5}
D=${BENCH_D:-60}
CAPSULE=${BENCH_CAPSULE:-$SRC_DIR/capsule}
for v in $SIZES "$PN" "$PWARM" "$RUNS" "$D"; do
	case $v in ''|*[!0-9]*) die "BENCH_* must be positive integers";; esac
done
if [ "$RUNS" -lt 1 ] || [ "$RUNS" -gt 50 ]; then
	die "BENCH_PRUNS: 1 to 50"
fi
for n in $SIZES; do
	[ "$n" -le 1000000 ] || die "BENCH_PARTNERS: at most 1000000 each"
done
[ -d "$CAPSULE" ] || die "$CAPSULE: no capsule"

ZECHE=$(findbin zeche)
BENCH=$(findbin zeche-bench)
UNIT=$(findbin test_partners)	# times searches in process, if built
[ -n "$ZECHE" ] || die "no zeche in $BUILD_DIR"
[ -n "$BENCH" ] || die "no zeche-bench in $BUILD_DIR"
HYPERFINE=$(command -v hyperfine) || HYPERFINE=
# The shipped capsule is German and "N Partner" is read below; a zeche
# from before --lang writes German anyway.
LANGOPT=()
# (the whole help read first: grep -q stops reading at the match, and a
# zeche still writing would die of SIGPIPE, failing the pipeline)
if [[ $("$ZECHE" --help 2>&1) == *--lang* ]]; then
	LANGOPT=(--lang de)
fi

# --- the temporary directory, and cleanup (the server runs as RUNAS) ---
PID_ZECHE=
BENCH_PIDS=PID_ZECHE
bench_work pbench

# --- helpers -----------------------------------------------------------
wait_serving() {	# wait_serving LOG: until zeche says it listens
	# (no probe before that: a probe of a port nobody listens on yet can
	# connect to itself and take the port away from zeche)
	local i
	for i in $(seq 1 300); do	# 30 seconds at most
		grep -q 'zeche: serving ' "$1" 2>/dev/null && return 0
		kill -0 "$PID_ZECHE" 2>/dev/null || break
		sleep 0.1
	done
	die "zeche does not start:
$(tail -n 20 "$1" 2>/dev/null)"
}
gopher_get() {	# gopher_get PORT SELECTOR (a TAB is sent as is)
	# shellcheck disable=SC2016	# expanded by the inner bash
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" &&
	    printf "%s\r\n" "$1" >&3 && cat <&3' "$1" "$2"
}
field() {	# field LINE KEY: a value from zeche-bench's output
	local f
	for f in $1; do
		case $f in "$2"=*) echo "${f#*=}"; return;; esac
	done
	echo n/a
}
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

# load_ms DIR: the median wall time of `zeche --check --root DIR` and the
# median CPU time (user + system) it took, in ms: "WALL / CPU".  On a
# shared machine the wall time waits for the CPU; the CPU time does not.
load_ms() {
	local dir=$1 i t
	if [ -n "$HYPERFINE" ]; then
		timeout 600 "$HYPERFINE" -N --style none --warmup 1 \
		    --runs "$RUNS" --export-csv "$WORK/hf.csv" \
		    -- "$ZECHE --check --root $dir" >/dev/null 2>&1 ||
		    die "hyperfine: zeche --check failed"
		# command,mean,stddev,median,user,system,...: seconds (means)
		awk -F, 'NR == 2 { printf "%.1f / %.1f\n", $4 * 1000,
		    ($5 + $6) * 1000 }' "$WORK/hf.csv"
		return
	fi
	local TIMEFORMAT='%R %U %S'
	for i in $(seq 1 "$RUNS"); do
		t=$( { time timeout 60 "$ZECHE" --check --root "$dir" \
		    >/dev/null 2>&1; } 2>&1) || die "zeche --check failed"
		echo "$t"
	done >"$WORK/load.txt"
	printf '%s / %s\n' \
	    "$(awk '{ printf "%.1f\n", $1 * 1000 }' "$WORK/load.txt" | median)" \
	    "$(awk '{ printf "%.1f\n", ($2 + $3) * 1000 }' "$WORK/load.txt" |
	    median)"
}

# lat KEY PROTO PORT PATH...: warm up, then PN requests at concurrency 1.
# The server's CPU time so far, in ns: its threads, which run the event
# loops, one per worker (first field of /proc/PID/task/TID/schedstat).
cpu_ns() { cat "/proc/$PID_ZECHE"/task/*/schedstat | awk '{ s += $1 } END { print s }'; }
declare -A R CPU
lat() {
	local key=$1 proto=$2 port=$3 line rc=0 u t0 t1
	shift 3
	local args=(-p "$proto" -P "$port" -c 1 -d "$D")
	[ "$proto" = gopher ] && args+=(-e)
	for u in "$@"; do args+=(-u "$u"); done
	"$BENCH" "${args[@]}" -n "$PWARM" >/dev/null 2>&1 || true
	t0=$(cpu_ns)
	line=$("$BENCH" "${args[@]}" -n "$PN") || rc=$?
	t1=$(cpu_ns)
	R[$key]=$line
	CPU[$key]=$(awk -v a="$t0" -v b="$t1" -v n="$PN" \
	    'BEGIN { printf "%.0f", (b - a) / n / 1000 }')
	if [ "$rc" -ne 0 ]; then
		note "$key: zeche-bench exit status $rc: $line"
		ERRORS="$ERRORS $key"
	fi
}
cmdline() {	# the zeche-bench command, as the report shows it
	local proto=$1 l u
	shift
	l="zeche-bench -p $proto -P PORT -c 1 -n $PN -d $D"
	[ "$proto" = gopher ] && l="$l -e"
	for u in "$@"; do l="$l -u '$u'"; done
	echo "$l"
}

GEM_SEARCH=('/partner/suche?muenster' '/partner/suche?gmbh'
    '/partner/suche?zzzz')
GOPH_SEARCH=('/partner/suche\tmuenster' '/partner/suche\tgmbh'
    '/partner/suche\tzzzz')
PAGE=/partner/seite-2.gmi

# --- one size ----------------------------------------------------------
ROWS=()
NOTES=()
ERRORS=
one() {
	local n=$1 dir="$WORK/capsule-$1" log="$WORK/zeche-$1.log"
	local pages partners load pgem pgoph i got reloads=() rss hwm hwm2

	note "N=$n: generating, loading"
	mkdir "$dir"
	cp -R "$CAPSULE/." "$dir/"
	mkdir -p "$dir/partner"
	"$GEN" "$n" >"$dir/partner/partners.txt"
	chmod -R a+rX "$dir"
	pages=$(timeout 60 "$ZECHE" --check --root "$dir") ||
	    die "zeche --check --root $dir failed: $pages"
	pages=${pages##*OK, }
	pages=${pages%% pages*}
	load=$(load_ms "$dir")

	rm -rf "$WORK/certs"
	mkdir "$WORK/certs"
	[ ${#RUNAS[@]} -eq 0 ] || chown nobody "$WORK/certs"
	pgem=$(free_port)
	pgoph=$(free_port)
	"${RUNAS[@]}" "$ZECHE" --root "$dir" --certs "$WORK/certs" \
	    --host localhost "${LANGOPT[@]}" --gemini "127.0.0.1:$pgem" \
	    --gopher "127.0.0.1:$pgoph" >"$log" 2>&1 </dev/null &
	PID_ZECHE=$!
	wait_serving "$log"
	rss=$(kib "$PID_ZECHE" VmRSS)

	# The partners after dedupe: "N Partner" on the overview ("N
	# Treffer" before the overview was reworded).
	partners=$(gopher_get "$pgoph" /partner/ | sed -n \
	    's/^i\([0-9][0-9]*\) \(Partner\|Treffer\)\t.*/\1/p' |
	    head -n 1) || true
	[ -n "$partners" ] || die "N=$n: no \"N Partner\" on /partner/"

	note "N=$n: latency"
	lat gem_search gemini "$pgem" "${GEM_SEARCH[@]}"
	lat goph_search gopher "$pgoph" "${GOPH_SEARCH[@]}"
	lat gem_page gemini "$pgem" "$PAGE"
	lat goph_page gopher "$pgoph" "$PAGE"
	hwm=$(kib "$PID_ZECHE" VmHWM)

	# Reload: zeche logs how long each SIGHUP took, in ms.
	note "N=$n: reload"
	for i in $(seq 1 "$RUNS"); do
		kill -HUP "$PID_ZECHE"
		got=$(wait_reload "$log" "$i")
		reloads+=("$got")
	done
	hwm2=$(kib "$PID_ZECHE" VmHWM)
	# Still serving after the reloads?
	"$BENCH" -p gopher -P "$pgoph" -e -c 1 -n 3 -d 10 \
	    -u "${GOPH_SEARCH[0]}" >/dev/null || ERRORS="$ERRORS reload-$n"

	kill -TERM "$PID_ZECHE"
	wait "$PID_ZECHE" 2>/dev/null || true
	PID_ZECHE=
	inproc=
	if [ -n "$UNIT" ]; then
		# "N searches (...): p50 A ms, p99 B ms, max C ms"
		inproc=$(cd "$SRC_DIR/tests" &&
		    "$UNIT" "$dir/partner/partners.txt" 2>/dev/null |
		    sed -n 's/^\([0-9]* searches .*\)$/\1/p') || inproc=
	fi
	rm -rf "$dir"

	ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s | %s |' \
	    "$n" "$partners" "$pages" "$load" \
	    "$(printf '%s\n' "${reloads[@]}" | median)" \
	    "$(mib "$rss")" "$(mib "$hwm")" \
	    "$(field "${R[gem_search]}" p50_ms)" \
	    "$(field "${R[gem_search]}" p99_ms)" \
	    "$(field "${R[goph_search]}" p50_ms)" \
	    "$(field "${R[goph_search]}" p99_ms)" \
	    "${CPU[gem_search]}" "${CPU[goph_search]}" \
	    "$(field "${R[gem_page]}" p50_ms)" \
	    "$(field "${R[goph_page]}" p50_ms)")")
	NOTES+=("N=$n: reloads ${reloads[*]} ms; peak RSS after them\
 $(mib "$hwm2") MiB (old and new capsule in memory at once); errors:\
 Gemini search $(field "${R[gem_search]}" errors), Gopher search\
 $(field "${R[goph_search]}" errors), Gemini page\
 $(field "${R[gem_page]}" errors), Gopher page\
 $(field "${R[goph_page]}" errors); Gopher search p90/max\
 $(field "${R[goph_search]}" p90_ms)/$(field "${R[goph_search]}" max_ms) ms${inproc:+;\
 in process (test_partners FILE, wall clock): $inproc}")
}

for n in $SIZES; do
	one "$n"
done

# --- the table ---------------------------------------------------------
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "## zeche partner directory"
echo
echo "| N generated | partners | pages | load ms wall / CPU | reload ms | RSS MiB" \
    "start / peak | Gemini search p50 / p99 ms | Gopher search p50 / p99" \
    "ms | server CPU µs per search Gemini / Gopher | Gemini page p50 ms" \
    "| Gopher page p50 ms |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do
	echo "$r"
done
echo
echo "- command: \`BENCH_PARTNERS=\"$SIZES\" BENCH_PN=$PN" \
    "BENCH_PWARMUP=$PWARM BENCH_PRUNS=$RUNS BENCH_D=$D" \
    "tests/bench/run-bench.sh $ARG partners\`"
echo "- partners: \`tests/gen-partners.sh N\` in a copy of" \
    "$CAPSULE; \"partners\" is the \"N Partner\" of \`/partner/\`" \
    "(names counted once); \"pages\" is what \`zeche --check\` reports"
if [ -n "$HYPERFINE" ]; then
	echo "- load: median of $RUNS runs (after 1 warm-up) of" \
	    "\`zeche --check --root DIR\` (read, sort, index, render the" \
	    "pages held in memory, exit), by $("$HYPERFINE" --version);" \
	    "CPU is the mean user + system time"
else
	echo "- load: median of $RUNS runs of \`zeche --check --root DIR\`" \
	    "(read, sort, index, render the pages held in memory, exit):" \
	    "wall and user + system CPU time from bash's time"
fi
echo "- reload: median of $RUNS SIGHUPs to the running server, as zeche" \
    "logs it (\"reloaded ... in N ms\": load plus swap, whole ms)"
echo "- server CPU per search: the CPU time of zeche's threads" \
    "(/proc/PID/task/*/schedstat) over the $PN measured requests, divided by" \
    "them; Gemini's includes the TLS handshake. Unlike the latencies it" \
    "does not count time spent waiting for a CPU"
echo "- RSS: VmRSS once the ports accept; peak is VmHWM after the" \
    "latency runs, before any reload"
echo "- latency: $PWARM warm-up, then $PN requests, one connection at a" \
    "time, connect to close; search cycles through three queries (many," \
    "most and no hits); page is \`$PAGE\`, rendered on request from" \
    "the list in memory. Gemini includes a full TLS handshake per" \
    "request; Gopher shows the search cost itself"
echo "  - \`$(cmdline gemini "${GEM_SEARCH[@]}")\`"
echo "  - \`$(cmdline gopher "${GOPH_SEARCH[@]}")\`"
echo "  - \`$(cmdline gemini "$PAGE")\`, the same for gopher with -e"
for l in "${NOTES[@]}"; do
	echo "- $l"
done
echo "- machine: $(nproc) CPUs, $CPU, Linux $(uname -r), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at the end; server and client" \
    "share the CPUs"
V_ZECHE=$(git -C "$SRC_DIR" describe --always --dirty 2>/dev/null) ||
    V_ZECHE=unknown
echo "- versions: zeche $V_ZECHE, $(openssl version | cut -d' ' -f1-2)"
if [ -n "$ERRORS" ]; then
	note "errors in:$ERRORS"
	exit 1
fi
