#!/bin/bash
#
# search-bench.sh BUILD_DIR: the capsule-wide search's section of the
# benchmark (run-bench.sh BUILD_DIR search).  A generated capsule of
# BENCH_ARTICLES articles (10,000) in ten folders and a partner directory
# of BENCH_SPARTNERS entries (1,000,000, tests/gen-partners.sh) is loaded
# in process by search-bench (tests/bench/search-bench.c), BENCH_SRUNS
# times with "search off" and as often with "search on"; then searches
# are timed one by one.  A Markdown table of the medians is printed.  See
# tests/bench/README.md.
#
# Knobs, from the environment:
#
#	BENCH_ARTICLES=10000	articles generated
#	BENCH_SPARTNERS=1000000	partners generated
#	BENCH_SRUNS=3		loads per setting (median)
#	BENCH_SROUNDS=100	rounds of the 32 timed searches

set -eu
set -o pipefail

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
. "$SRC_DIR/tests/bench/lib.sh"

bench_build_dir "$@"
ARTICLES=${BENCH_ARTICLES:-10000}
NPARTNERS=${BENCH_SPARTNERS:-1000000}
RUNS=${BENCH_SRUNS:-3}
ROUNDS=${BENCH_SROUNDS:-100}
for v in "$ARTICLES" "$NPARTNERS" "$RUNS" "$ROUNDS"; do
	case $v in ''|*[!0-9]*) die "BENCH_* must be positive integers";; esac
done
SB=$(findbin search-bench)
if [ -z "$SB" ]; then
	note "building search-bench in $BUILD_DIR"
	cmake --build "$BUILD_DIR" --target search-bench >&2
	SB=$(findbin search-bench)
fi
[ -n "$SB" ] || die "no search-bench in $BUILD_DIR"

WORK=
cleanup() { [ -n "$WORK" ] && rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zeche-sbench.XXXXXX")
CAP=$WORK/capsule
mkdir -p "$CAP/partner"
printf '# Bench\n\n=> partner/ Partners\n' >"$CAP/index.gmi"
"$SB" gen "$CAP" "$ARTICLES"
sh "$SRC_DIR/tests/gen-partners.sh" "$NPARTNERS" >"$CAP/partner/partners.txt"

# field KEY LINE: the value of KEY=VALUE in LINE
field() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A OUT
for mode in off on; do
	lines=()
	for _ in $(seq 1 "$RUNS"); do
		lines+=("$("$SB" load "$CAP" "$mode" "$ROUNDS")")
	done
	for k in load_ms load_cpu_ms heap_mib rss_mib p50_ms p99_ms \
	    cpu_p50_ms cpu_p99_ms cpu_max_ms docs pages; do
		OUT[$mode.$k]=$(for l in "${lines[@]}"; do field "$k" "$l"; done |
		    median)
	done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "### The capsule-wide search: $ARTICLES articles, $NPARTNERS partners"
echo
echo "| search | load ms wall | load ms CPU | heap MiB | RSS MiB |"
echo "|---|---:|---:|---:|---:|"
for mode in off on; do
	echo "| $mode | ${OUT[$mode.load_ms]} | ${OUT[$mode.load_cpu_ms]} |" \
	    "${OUT[$mode.heap_mib]} | ${OUT[$mode.rss_mib]} |"
done
echo "| on / off | $(ratio "${OUT[on.load_ms]}" "${OUT[off.load_ms]}") |" \
    "$(ratio "${OUT[on.load_cpu_ms]}" "${OUT[off.load_cpu_ms]}") |" \
    "$(ratio "${OUT[on.heap_mib]}" "${OUT[off.heap_mib]}") |" \
    "$(ratio "${OUT[on.rss_mib]}" "${OUT[off.rss_mib]}") |"
echo
echo "Searches in process ($((ROUNDS * 32)) per run, ${OUT[on.docs]} documents" \
    "of ${OUT[on.pages]} pages): wall p50 ${OUT[on.p50_ms]} ms," \
    "p99 ${OUT[on.p99_ms]} ms; thread CPU p50 ${OUT[on.cpu_p50_ms]} ms," \
    "p99 ${OUT[on.cpu_p99_ms]} ms, max ${OUT[on.cpu_max_ms]} ms (medians of" \
    "$RUNS runs)."
