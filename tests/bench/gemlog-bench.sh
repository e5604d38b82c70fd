#!/bin/bash
#
# gemlog-bench.sh BUILD_DIR: the big-capsule section of the benchmark
# (run-bench.sh BUILD_DIR gemlog).  gen-gemlog.sh writes a gemlog of
# BENCH_POSTS posts; zeche serves it with one worker and idle connections
# open, and is reloaded BENCH_RELOADS times with nothing changed.  A
# Markdown table gives the start time, resident memory after the start
# (and per byte of the capsule's files), each reload's time and peak, the
# resident memory after each reload, the search index's time after the
# start, and what one edited post and one added post cost a reload: by
# SIGHUP (every folder looked at), then with zeche started again with
# --watch (the folders the watch saw change).  See tests/bench/README.md.
#
# Knobs, from the environment:
#
#	BENCH_POSTS=52000	posts generated (several sizes: "10000 52000")
#	BENCH_RELOADS=10	SIGHUPs, one after the other, nothing changed
#	BENCH_HOLD=16		idle connections held open across them, half
#				to Gopher, half to Gemini (TCP, no request)
#	BENCH_SETTLE=1		RSS is read once it has held still (within 1
#				MiB) for this many seconds: the old snapshot
#				is freed by a thread of its own
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

SIZES=${BENCH_POSTS:-52000}
RELOADS=${BENCH_RELOADS:-10}
HOLD=${BENCH_HOLD:-16}
SETTLE=${BENCH_SETTLE:-1}
# shellcheck disable=SC2206	# words wanted
ZARGS=(${BENCH_ZECHE_ARGS:-})
for v in $SIZES "$RELOADS" "$HOLD" "$SETTLE"; do
	case $v in ''|*[!0-9]*) die "BENCH_* must be positive integers";; esac
done
[ "$HOLD" -le 60 ] || die "BENCH_HOLD: at most 60 (the per-address budget)"

ZECHE=$(findbin zeche)
[ -n "$ZECHE" ] || die "no zeche in $BUILD_DIR"

PID_ZECHE=
BENCH_PIDS=PID_ZECHE	# lib.sh: stopped at exit, WORK removed
bench_work gbench

mib0() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
now_ms() { date +%s%3N; }
gopher_get() {
	# shellcheck disable=SC2016	# expanded by the inner bash
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" &&
	    printf "%s\r\n" "$1" >&3 && cat <&3' "$1" "$2"
}

# cost I CHANGE...: once RSS holds still, make the change (a command) and
# wait for the I-th reload's end: "MS PEAK" (VmHWM over the RSS before,
# KiB; VmHWM reset by clear_refs)
cost() {
	local before ms
	settle "$PID_ZECHE" "$SETTLE"
	before=$(kib "$PID_ZECHE" VmRSS)
	echo 5 >"/proc/$PID_ZECHE/clear_refs" 2>/dev/null || true
	"${@:2}"
	ms=$(wait_reload "$log" "$1")
	echo "$ms $(( $(kib "$PID_ZECHE" VmHWM) - before ))"
}
hup() { "$@" && kill -HUP "$PID_ZECHE"; }	# the change, then SIGHUP
append() { printf '\nOne more paragraph.\n' >>"$1"; }
new_post() {	# new_post POST MM-DD TITLE: a new post beside POST
	local d
	d=$(dirname "$1")
	printf '# %s\n\nHello.\n' "$3" >"$d/$(basename "$d")-$2-new.gmi"
}

ROWS=()
NOTES=()
one() {
	local n=$1 dir="$WORK/gemlog-$1" log="$WORK/zeche-$1.log"
	local bytes files t0 t1 start rss0 hwm0 i got ms=() peak=() after=()
	local pgem pgoph fds=() fd

	note "N=$n: generating"
	"$GEN" "$n" "$dir"
	chmod -R a+rX "$dir"
	bytes=$(find "$dir" -type f -printf '%s\n' | awk '{ s += $1 } END {
	    print s }')
	files=$(find "$dir" -type f | wc -l)

	rm -rf "$WORK/certs"
	mkdir "$WORK/certs"
	[ ${#RUNAS[@]} -eq 0 ] || chown nobody "$WORK/certs"
	# the certificate made once, outside the measured start
	"${RUNAS[@]}" "$ZECHE" --check --root "$SRC_DIR/tests/data/neutral" \
	    --certs "$WORK/certs" >/dev/null 2>&1 || true
	pgem=$(free_port)
	pgoph=$(free_port)
	note "N=$n: start"
	t0=$(now_ms)
	"${RUNAS[@]}" "$ZECHE" --root "$dir" --certs "$WORK/certs" \
	    --host localhost --workers 1 --timeout 3600 \
	    --gemini "127.0.0.1:$pgem" --gopher "127.0.0.1:$pgoph" \
	    "${ZARGS[@]}" >"$log" 2>&1 </dev/null &
	PID_ZECHE=$!
	for i in $(seq 1 6000); do	# 10 minutes at most
		grep -q 'zeche: serving ' "$log" 2>/dev/null && break
		kill -0 "$PID_ZECHE" 2>/dev/null ||
		    die "zeche does not start: $(tail -n 5 "$log")"
		sleep 0.01
	done
	t1=$(now_ms)
	start=$((t1 - t0))
	settle "$PID_ZECHE" "$SETTLE"
	rss0=$(kib "$PID_ZECHE" VmRSS)
	hwm0=$(kib "$PID_ZECHE" VmHWM)

	# idle connections, open until the end
	for i in $(seq 1 "$HOLD"); do
		if [ $((i % 2)) -eq 0 ]; then
			exec {fd}<>"/dev/tcp/127.0.0.1/$pgoph"
		else
			exec {fd}<>"/dev/tcp/127.0.0.1/$pgem"
		fi
		fds+=("$fd")
	done

	for i in $(seq 1 "$RELOADS"); do
		# the peak of this reload alone (clear_refs 5: VmHWM = VmRSS)
		echo 5 >"/proc/$PID_ZECHE/clear_refs" 2>/dev/null || true
		note "N=$n: reload $i"
		kill -HUP "$PID_ZECHE"
		got=$(wait_reload "$log" "$i")
		# a request served from the new snapshot, its reference
		# dropped on the worker
		gopher_get "$pgoph" / >/dev/null ||
		    die "N=$n: no answer after reload $i"
		settle "$PID_ZECHE" "$SETTLE"
		ms+=("$got")
		peak+=("$(mib0 "$(kib "$PID_ZECHE" VmHWM)")")
		after+=("$(mib0 "$(kib "$PID_ZECHE" VmRSS)")")
	done
	# one post edited, then one added: what a change costs
	local post edit_ms add_ms edit_peak add_peak r search_ms
	post=$(find "$dir/log" -name '*.gmi' | sort | sed -n 1p)
	r=$(cost "$((RELOADS + 1))" hup append "$post")
	read -r edit_ms edit_peak <<<"$r"
	r=$(cost "$((RELOADS + 2))" hup new_post "$post" 12-31 "A new post")
	read -r add_ms add_peak <<<"$r"
	gopher_get "$pgoph" "${post#"$dir"}" >/dev/null ||
	    die "N=$n: no answer after the edits"
	case $(gopher_get "$pgoph" "$(dirname "${post#"$dir"}")/") in
	*"A new post"*) ;;
	*) die "N=$n: the new post is not listed" ;;
	esac
	for fd in "${fds[@]}"; do
		exec {fd}>&-
	done
	search_ms=$(sed -n 's/.*search index of [0-9]* pages built in \([0-9]*\) ms.*$/\1/p' \
	    "$log" | sed -n 1p)

	kill -TERM "$PID_ZECHE"
	wait "$PID_ZECHE" 2>/dev/null || true
	PID_ZECHE=

	# the same under --watch: its first reload reads every folder (the
	# watch began after the start), the next ones only those it saw change
	local wedit_ms wadd_ms wedit_peak wadd_peak wpost r
	log="$WORK/zeche-$n-watch.log"
	note "N=$n: --watch"
	"${RUNAS[@]}" "$ZECHE" --root "$dir" --certs "$WORK/certs" \
	    --host localhost --workers 1 --timeout 3600 --watch \
	    --gemini "127.0.0.1:$pgem" --gopher "127.0.0.1:$pgoph" \
	    "${ZARGS[@]}" >"$log" 2>&1 </dev/null &
	PID_ZECHE=$!
	for i in $(seq 1 6000); do
		grep -q 'search index of' "$log" 2>/dev/null && break
		kill -0 "$PID_ZECHE" 2>/dev/null ||
		    die "zeche --watch does not start: $(tail -n 5 "$log")"
		sleep 0.01
	done
	settle "$PID_ZECHE" "$SETTLE"
	wpost=$(find "$dir/log" -name '*.gmi' | sort | sed -n 2p)
	printf '\nA first change.\n' >>"$wpost"
	wait_reload "$log" 1 >/dev/null
	r=$(cost 2 append "$wpost")
	read -r wedit_ms wedit_peak <<<"$r"
	r=$(cost 3 new_post "$wpost" 12-30 "Another new post")
	read -r wadd_ms wadd_peak <<<"$r"
	case $(gopher_get "$pgoph" "$(dirname "${wpost#"$dir"}")/") in
	*"Another new post"*) ;;
	*) die "N=$n: --watch: the new post is not listed" ;;
	esac
	grep -q 'reloaded .* pages in' "$log" &&
	    [ "$(grep -c 'reloaded .* pages in' "$log")" -eq 3 ] ||
	    die "N=$n: --watch: not three reloads: $(tail -n 3 "$log")"

	kill -TERM "$PID_ZECHE"
	wait "$PID_ZECHE" 2>/dev/null || true
	PID_ZECHE=
	rm -rf "$dir"

	ROWS+=("$(printf '| %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s (%s) | %s (%s) | %s (%s) | %s (%s) |' \
	    "$n" "$files" "$(mib0 $((bytes / 1024)))" \
	    "$(awk -v m="$start" 'BEGIN { printf "%.2f", m / 1000 }')" \
	    "$(mib0 "$rss0")" \
	    "$(awk -v r="$rss0" -v b="$bytes" \
	    'BEGIN { printf "%.1f×", r * 1024 / b }')" \
	    "$(mib0 "$hwm0")" \
	    "$(printf '%s\n' "${ms[@]}" | median)" \
	    "$(printf '%s\n' "${peak[@]}" | sort -g | tail -n 1)" \
	    "${after[$((RELOADS - 1))]}" \
	    "$(awk -v a="${after[$((RELOADS - 1))]}" -v r="$rss0" \
	    'BEGIN { printf "%.2f", a * 1024 / r }')" \
	    "${search_ms:-?}" "$edit_ms" "$(mib "$edit_peak")" \
	    "$add_ms" "$(mib "$add_peak")" \
	    "$wedit_ms" "$(mib "$wedit_peak")" \
	    "$wadd_ms" "$(mib "$wadd_peak")")")
	NOTES+=("N=$n: reloads ${ms[*]} ms; peak MiB during each: ${peak[*]};\
 RSS MiB after each: ${after[*]}")
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $SIZES; do
	one "$n"
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "## zeche serving a generated gemlog"
echo
echo "| posts | files | source MiB | start s | RSS MiB after start (× source)" \
    "| peak MiB at start | reload ms (median) | peak MiB in a reload (max)" \
    "| RSS MiB after $RELOADS reloads | after / start" \
    "| search index ms (after serving) | one post edited: reload ms" \
    "(peak extra MiB) | one post added: reload ms (peak extra MiB)" \
    "| the same under --watch: edited | added |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do
	echo "$r"
done
echo
echo "- command: \`BENCH_POSTS=\"$SIZES\" BENCH_RELOADS=$RELOADS" \
    "BENCH_HOLD=$HOLD BENCH_SETTLE=$SETTLE" \
    "tests/bench/run-bench.sh $ARG gemlog\`"
echo "- capsule: \`tests/bench/gen-gemlog.sh N DIR\`; zeche runs with" \
    "\`--workers 1\`, Gemini and Gopher on 127.0.0.1, $HOLD idle" \
    "connections held open across the reloads"
echo "- start: from exec to the log's \"serving\" line (read, parse," \
    "render, certificate); RSS read once it holds still (within 1 MiB" \
    "for $SETTLE s)"
echo "- one post edited, one added: a paragraph appended to the first" \
    "post, then a new post in its folder, each followed by a SIGHUP; the" \
    "time zeche logs, and VmHWM over the RSS before (clear_refs); the" \
    "new post must be in its folder's Gopher menu; under --watch: zeche" \
    "started again with --watch, one change to let its first reload" \
    "(which reads every folder) pass, then a second post edited and a" \
    "post added, each reloaded by the watch (which reads only the folder" \
    "that changed)"
echo "- search index: built after the start on a thread of its own (the" \
    "log's \"search index of N pages built in T ms\")"
echo "- reload: SIGHUP, nothing changed, the time zeche logs; its peak is" \
    "VmHWM after \`echo 5 > /proc/PID/clear_refs\` before the signal;" \
    "RSS is read after one Gopher request, once it holds still"
for r in "${NOTES[@]}"; do
	echo "- $r"
done
echo "- $(uname -sr), $(nproc) CPUs ($CPU), $("$ZECHE" --version 2>&1 |
    head -n 1); load average $LOAD0 at the start, $LOAD1 at the end"
