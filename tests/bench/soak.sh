#!/bin/bash
# soak.sh: run zeche for minutes under mixed, hostile load and check that it
# neither crashes, hangs, leaks nor answers wrongly.  Not a test of the
# suite: it takes minutes; run it by hand, best on a sanitizer build.
#
#   tests/bench/soak.sh BUILD_DIR
#
# Each run starts zeche on free loopback ports with Gemini, Gopher and
# Spartan listeners and a copy of capsule/ (plus a 2 MiB file), then runs
# SOAK_PHASES phases of SOAK_PHASE seconds.  In each phase, all at once:
# zeche-bench on Gemini and Gopher from many source addresses, Spartan
# requests, and SOAK_CHAOS loops of hostile clients that each pick, again
# and again, one of: a client killed at a random point (in the handshake,
# the request or the answer) whose socket sends a reset (SO_LINGER 0); a
# reader that hangs up after a random number of bytes; random bytes before
# or after the TLS handshake, or as a Gopher or Spartan request; an
# oversized request; a request sent a byte at a time (slowloris) or idle
# connections held past the timeout; a trickling reader; TLS 1.2, an odd
# SNI name, Gopher searches and HTTP on the Gopher port; a Spartan data
# block cut short.  The large file is truncated and written anew in
# place now and then.  Every client comes from one of many addresses
# 127.0.0.X.  Meanwhile the capsule changes and SIGHUP reloads it, now
# and then into a broken state (invalid UTF-8; with --config also a
# broken configuration file) and back; after each good reload the new
# page must be served.  With --log, SIGUSR1 reopens the rotated log.
#
# After each phase the clients stop and the script waits for zeche's
# descriptors to come back to their count before the first phase, then
# checks the answers over all three protocols (content, not just status),
# and records the resident memory.  At the end it stops zeche with SIGTERM
# while zeche-bench is running (w2: right after a SIGHUP; w1conf: a
# second SIGTERM half a second later; w2emfile: a SIGHUP then): zeche
# must exit 0 within SOAK_GRACE seconds.  Any sanitizer report, crash or failed check makes the run
# fail.  The runs (SOAK_RUNS):
#
#   w2       --workers 2, options only, --log FILE --log-ip, SIGUSR1
#            rotations
#   w1conf   --workers 1 with --config FILE (two hosts, log_ip anon)
#   w2proxy  --workers 2 --proxy-protocol --per-address 8: every client
#            sends a PROXY v1 header naming one of many addresses
#   w1watch  --workers 1 --watch: the changes reload by themselves, no
#            SIGHUP
#   w2emfile --workers 2 --max-conns 1000 under a descriptor limit of 48:
#            accepts meet EMFILE and pause, reloads may fail for want of
#            descriptors (not counted as failures)
#   w2user   --workers 2 --user nobody --log FILE (as root only): the
#            chroot, Landlock and seccomp; no leak check (LeakSanitizer
#            needs /proc and ptrace at exit)
#
# Knobs: SOAK_RUNS ("w2 w1conf w2proxy w1watch w2emfile", and w2user as
# root), SOAK_PHASES (4), SOAK_PHASE
# (30 seconds), SOAK_CHAOS (6 hostile loops), SOAK_C (8 connections per
# zeche-bench), SOAK_TIMEOUT (zeche --timeout, 3), SOAK_GRACE (20 s),
# SOAK_KEEP=1 keeps the work folder.  Exit status 0 if every check held.
set -u
BUILD_DIR=${1:?usage: soak.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"

RUNS=${SOAK_RUNS:-w2 w1conf w2proxy w1watch w2emfile}
[ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 &&
    RUNS=${SOAK_RUNS:-w2 w1conf w2proxy w1watch w2emfile w2user}
PHASES=${SOAK_PHASES:-4}
PHASE=${SOAK_PHASE:-30}
CHAOS=${SOAK_CHAOS:-6}
CONC=${SOAK_C:-8}
TMO=${SOAK_TIMEOUT:-3}
GRACE=${SOAK_GRACE:-20}

ZECHE=$(findbin zeche)
GEMGET=$(findbin gemget)
SPGET=$(findbin spget)
BENCH=$(findbin zeche-bench)
for b in ZECHE GEMGET SPGET BENCH; do
	[ -n "${!b}" ] || die "no $b in $BUILD_DIR"
done
command -v curl >/dev/null || die "curl is needed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zeche-soak.XXXXXX")
H=localhost
ZPID=
PIDS=()
failures=0
served=0
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}halt_on_error=0:second_deadlock_stack=1:exitcode=0"

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$ZPID" ] && kill -9 "$ZPID" 2>/dev/null
	wait 2>/dev/null
	if [ "${SOAK_KEEP:-0}" = 1 ] || [ "$failures" -gt 0 ]; then
		note "work folder kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	failures=$((failures + 1))
	echo "FAIL: $*"
}
pass() { echo "ok: $*"; }

# expect NAME HAYSTACK NEEDLE
expect() {
	case "$2" in
	*"$3"*) return 0 ;;
	esac
	fail "$1: no \"$3\" in: $(printf '%s' "$2" | head -c 300)"
}

rand() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }	# MIN MAX
addr() { echo "127.0.0.$(rand 2 250)"; }
# secs MIN MAX: a random time in milliseconds, as seconds for timeout(1),
# never 0 (which timeout(1) takes for no limit at all)
secs() {
	local ms
	ms=$(rand "$1" "$2")
	[ "$ms" -gt 0 ] || ms=1
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# --- clients, each with the PROXY header of the w2proxy run when needed
hdr_file() {	# a fresh PROXY v1 header naming a random client
	local f=$WORK/hdr.$BASHPID
	printf 'PROXY TCP4 10.%d.%d.%d 127.0.0.1 %d 1965\r\n' \
	    "$(rand 0 3)" "$(rand 0 255)" "$(rand 1 254)" "$(rand 1024 65000)" \
	    >"$f"
	echo "$f"
}
gg() {		# gemget [options...] addr port [request]
	if [ "$PROXY" = 1 ]; then
		"$GEMGET" -x "$(hdr_file)" "$@"
	else
		"$GEMGET" "$@"
	fi
}
gem() { gg -s "$H" -b "$(addr)" 127.0.0.1 "$GEMINI_PORT" "gemini://$H$1"; }
goph() { printf '%s\r\n' "$1" | gg -t -b "$(addr)" 127.0.0.1 "$GOPHER_PORT"; }
spar() {
	if [ "$PROXY" = 1 ]; then
		printf '%s %s 0\r\n' "$H" "$1" |
		    gg -t -b "$(addr)" 127.0.0.1 "$SPARTAN_PORT"
	else
		"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1"
	fi
}
raw() {		# PORT: stdin as the whole connection, then close
	local p=$1
	if [ "$PROXY" = 1 ]; then
		gg -t -b "$(addr)" 127.0.0.1 "$p" >/dev/null 2>&1
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$p" && cat >&3 &&
		    timeout 5 cat <&3 >/dev/null) 2>/dev/null
	fi
}

# one hostile client, picked at random
chaos_one() {
	local port
	case $(rand 0 17) in
	0)	# killed at a random point of a Gemini exchange, with a reset
		timeout -s KILL "$(secs 0 400)" gg -L -s "$H" -b "$(addr)" \
		    127.0.0.1 "$GEMINI_PORT" "gemini://$H/big.bin" ;;
	1)	# killed at a random point of a slow request, with a reset
		timeout -s KILL "$(secs 0 2900)" gg -L -w 20 -s "$H" \
		    -b "$(addr)" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" ;;
	2)	# killed while a Gopher or Spartan file goes out
		if [ $((RANDOM % 2)) = 0 ]; then
			port=$GOPHER_PORT
			printf '/big.bin\r\n'
		else
			port=$SPARTAN_PORT
			printf '%s /big.bin 0\r\n' "$H"
		fi | timeout -s KILL "$(secs 0 300)" gg -L -t -b "$(addr)" \
		    127.0.0.1 "$port" ;;
	3)	# hangs up after some bytes of the answer
		gg -c "$(rand 1 300000)" -s "$H" -b "$(addr)" 127.0.0.1 \
		    "$GEMINI_PORT" "gemini://$H/big.bin" ;;
	4)	# random bytes instead of a TLS handshake, or a Gopher/Spartan
		# request
		case $(rand 0 2) in
		0) port=$GEMINI_PORT ;; 1) port=$GOPHER_PORT ;;
		*) port=$SPARTAN_PORT ;;
		esac
		head -c "$(rand 1 3000)" /dev/urandom | raw "$port" ;;
	5)	# random bytes after the handshake
		head -c "$(rand 1 3000)" /dev/urandom | gg -s "$H" \
		    -b "$(addr)" 127.0.0.1 "$GEMINI_PORT" ;;
	6)	# oversized requests
		gem "/$(head -c "$(rand 1000 20000)" /dev/zero | tr '\0' a)"
		goph "/$(head -c "$(rand 300 20000)" /dev/zero | tr '\0' b)"
		printf '%s /%s 0\r\n' "$H" "$(head -c "$(rand 1000 20000)" \
		    /dev/zero | tr '\0' c)" | raw "$SPARTAN_PORT" ;;
	7)	# slowloris: a byte every 300 ms, longer than the timeout
		timeout -s KILL "$((TMO + 3))" gg -w 300 -s "$H" -b "$(addr)" \
		    127.0.0.1 "$GEMINI_PORT" "gemini://$H/themenforum-17/" ;;
	8)	# idle connections, held past the timeout or dropped before
		timeout -s KILL "$(secs 0 $((TMO * 1000 + 2000)))" "$GEMGET" \
		    -b "$(addr)" -I "$(rand 1 20)" 127.0.0.1 \
		    "$(case $(rand 0 2) in 0) echo "$GEMINI_PORT";;
		    1) echo "$GOPHER_PORT";; *) echo "$SPARTAN_PORT";; esac)" ;;
	9)	# a trickling reader, killed at some point
		timeout -s KILL "$(rand 1 4)" gg -r 20 -s "$H" -b "$(addr)" \
		    127.0.0.1 "$GEMINI_PORT" "gemini://$H/big.bin" ;;
	10)	# TLS 1.2, an odd SNI name, no SNI
		gg -m 1.2 -s "$H" -b "$(addr)" 127.0.0.1 "$GEMINI_PORT" \
		    "gemini://$H/themenforum-17/"
		gg -s "x$RANDOM.example" -b "$(addr)" 127.0.0.1 \
		    "$GEMINI_PORT" "gemini://x.example/"
		gg -S -b "$(addr)" 127.0.0.1 "$GEMINI_PORT" \
		    "gemini://127.0.0.1/" ;;
	11)	# Gopher search, Gopher+, HTTP on the Gopher port, plain
		# bytes on a TLS port
		goph "/partner/	ruhr"
		goph "/	+"
		printf 'GET / HTTP/1.0\r\n\r\n' | raw "$GOPHER_PORT"
		printf '/\r\n' | raw "$GEMINI_PORT" ;;
	12)	# a Spartan data block that stops short, or a wrong length
		printf '%s /x 100\r\nshort' "$H" | raw "$SPARTAN_PORT"
		printf '%s /x -1\r\n' "$H" | raw "$SPARTAN_PORT"
		printf '%s /x 99999999999999999999\r\n' "$H" |
		    raw "$SPARTAN_PORT" ;;
	13)	# a request without its end of line, then a half-close
		printf 'gemini://%s/' "$H" | gg -s "$H" -b "$(addr)" \
		    127.0.0.1 "$GEMINI_PORT"
		printf '/themenforum-17/' | raw "$GOPHER_PORT" ;;
	14)	# hangs up in the handshake
		timeout -s KILL "$(secs 0 60)" gg -L -s "$H" \
		    -b "$(addr)" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" ;;
	15)	# a burst of plain requests from one address (its budget)
		local a i
		a=$(addr)
		for i in $(seq 1 40); do
			printf '/\r\n' | timeout -s KILL 2 gg -t -b "$a" \
			    127.0.0.1 "$GOPHER_PORT" &
		done
		wait ;;
	*)	# ordinary requests, the answer read to the end
		gem "/themenforum-17/"
		goph "/themenforum-17/"
		spar "/" ;;
	esac >/dev/null 2>&1
}

chaos_loop() {	# END
	while [ "$(date +%s)" -lt "$1" ]; do
		chaos_one
	done
}

# zeche-bench for the phase; its counts go to FILE
bench_loop() {	# END PROTO PORT FILE
	local left r=
	while left=$(($1 - $(date +%s))) && [ "$left" -gt 0 ]; do
		if [ "$2" = gemini ]; then
			# full handshakes and resumed ones, in turn
			[ -n "$r" ] && r= || r=-R
			"$BENCH" -p gemini -P "$3" -a 127.0.0.1 -A 64 -H "$H" $r \
			    -c "$CONC" -n 100000 -d "$left" -u / \
			    -u /themenforum-17/ >>"$4" 2>&1
		else
			"$BENCH" -p gopher -P "$3" -a 127.0.0.1 -A 64 -e \
			    -c "$CONC" -n 100000 -d "$left" -u / \
			    -u /themenforum-17/ >>"$4" 2>&1
		fi
	done
}

spartan_loop() {	# END FILE
	local out n=0 bad=0
	while [ "$(date +%s)" -lt "$1" ]; do
		out=$(spar /)
		case $out in
		"2 text/gemini"*"Themenforum 17"*) n=$((n + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done
	echo "spartan ok=$n bad=$bad" >>"$2"
}

# --- the capsule: changes and reloads
gen=0
reloads_ok=0
reloads_bad=0
log_count() { cat "$ZLOG" "$ERR" 2>/dev/null | grep -cE "$1"; }
# mark, before a change: the reloads that ended so far
mark() {
	RL_N=$(log_count 'reloaded |reload failed')
	RL_OK=$(log_count 'reloaded ')
}
# hup: SIGHUP (with --watch: none, the change does it), and wait (30 s at
# most) for a reload to end since the mark; 0 when it succeeded
hup() {
	local i
	[ -n "$WATCH" ] || kill -HUP "$ZPID"
	for i in $(seq 1 300); do
		if [ "$(log_count 'reloaded |reload failed')" -gt "$RL_N" ]; then
			[ "$(log_count 'reloaded ')" -gt "$RL_OK" ]
			return
		fi
		sleep 0.1
	done
	fail "a reload did not end within 30 s"
	return 1
}

reload_loop() {	# END
	local out
	gen=$(cat "$WORK/gen")
	while [ "$(date +%s)" -lt "$1" ]; do
		sleep "0.$(rand 2 9)"
		gen=$((gen + 1))
		echo "$gen" >"$WORK/gen"
		mark
		printf '# Generation %d\n\nSoak page, generation %d.\n' \
		    "$gen" "$gen" >"$ROOT/soak.gmi"
		# the large file shrinks and grows again in place, under
		# the transfers in flight (which are cut)
		if [ $((gen % 7)) = 0 ]; then
			: >"$ROOT/big.bin"
			cat "$ROOT.big" >"$ROOT/big.bin"
		fi
		# a page that comes and goes
		if [ $((gen % 2)) = 0 ]; then
			printf '# Kommt und geht\n' >"$ROOT/flux-$gen.gmi"
		else
			rm -f "$ROOT"/flux-*.gmi
		fi
		if [ $((gen % 5)) = 0 ]; then
			printf '# Kaputt\n\xff\n' >"$ROOT/broken.gmi"
			[ -n "$CONF" ] && [ $((gen % 10)) = 0 ] &&
			    printf 'host {\n' >>"$CONF"
			if hup; then
				fail "a reload into a broken capsule succeeded"
			else
				reloads_bad=$((reloads_bad + 1))
			fi
			# the last good generation is served meanwhile
			if [ -z "$NOFILE" ]; then
				out=$(gem /soak.gmi)
				expect "the last good capsule after a failed reload" \
				    "$out" "generation $((gen - 1))."
			fi
			mark
			rm -f "$ROOT/broken.gmi"
			[ -n "$CONF" ] && cp "$CONF.good" "$CONF"
		fi
		if hup; then
			reloads_ok=$((reloads_ok + 1))
			out=$(gem /soak.gmi)
			expect "Gemini serves generation $gen after its reload" \
			    "$out" "generation $gen."
			out=$(spar /soak.gmi)
			expect "Spartan serves generation $gen" "$out" \
			    "generation $gen."
			out=$(goph /soak.gmi)
			expect "Gopher serves generation $gen" "$out" \
			    "generation $gen."
		elif [ -z "$NOFILE" ]; then
			fail "reload to generation $gen failed: $(tail -3 "$ZLOG")"
		fi
		# with --log: rotate it now and then
		if [ -n "$LOGF" ] && [ $((gen % 4)) = 0 ]; then
			mv "$LOGF" "$LOGF.old"
			kill -USR1 "$ZPID"
			for i in $(seq 1 100); do
				grep -q 'reopened' "$LOGF" 2>/dev/null && break
				sleep 0.1
			done
			grep -q 'reopened' "$LOGF" 2>/dev/null ||
			    fail "SIGUSR1: the log was not opened anew"
			cat "$LOGF.old" >>"$ZLOG.rotated"
			rm -f "$LOGF.old"
		fi
	done
	echo "reloads ok=$reloads_ok failed-as-meant=$reloads_bad" \
	    >>"$WORK/reloads"
}

# --- checks
nfds() { ls "/proc/$ZPID/fd" 2>/dev/null | wc -l; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$ZPID/status" 2>/dev/null; }

# ThreadSanitizer reports in FILE, one a paragraph; those on a file
# descriptor ("Location is file descriptor N") are left out: TSan sees the
# kernel hand a closed descriptor's number to another thread (accept, a
# reload opening capsule files) as a race on that number
tsan_races() {	# FILE
	awk '/^WARNING: ThreadSanitizer/ { r = $0 "\n"; inr = 1; next }
	    inr && /^SUMMARY: ThreadSanitizer/ { if (r !~ /Location is file descriptor/)
		    printf "%s\n", r; inr = 0; next }
	    inr { r = r $0 "\n" }' "$1"
}

sanitizer_check() {	# WHEN
	local f fd
	for f in "$ERR" "$ZLOG" "$ZLOG.rotated"; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)' "$f"; then
			fail "$1: a sanitizer report in $f"
			grep -E -m 5 -A 12 'ERROR: |runtime error:' "$f" | head -60
			return 1
		fi
		if [ -n "$(tsan_races "$f")" ]; then
			fail "$1: a ThreadSanitizer report in $f"
			tsan_races "$f" | head -80
			return 1
		fi
		fd=$(grep -c '^WARNING: ThreadSanitizer' "$f")
		[ "$fd" -gt 0 ] && echo "   $f: $fd ThreadSanitizer" \
		    "report(s) on descriptor numbers only (see tsan_races)"
	done
	return 0
}

answers_check() {	# WHEN
	local out
	out=$(gem /)
	expect "$1: Gemini /" "$out" "20 text/gemini"
	expect "$1: Gemini / content" "$out" "=> themenforum-17/ Themenforum 17"
	gem /big.bin >"$WORK/big.got"
	out=$(head -c 30 "$WORK/big.got" | head -n 1)
	[ "$out" = $'20 application/octet-stream\r' ] &&
	    tail -c +30 "$WORK/big.got" | cmp -s - "$ROOT/big.bin" ||
	    fail "$1: Gemini /big.bin: $(printf %q "$out"), $(wc -c <"$WORK/big.got") bytes"
	out=$(goph /)
	expect "$1: Gopher /" "$out" "Themenforum 17"
	goph /big.bin | cmp -s - "$ROOT/big.bin" ||
	    fail "$1: Gopher /big.bin differs"
	out=$(goph "/partner/	ruhr")
	expect "$1: Gopher search" "$out" "Ruhr"
	out=$(spar /)
	expect "$1: Spartan /" "$out" "2 text/gemini"
	expect "$1: Spartan / content" "$out" "Themenforum 17"
	if [ "$PROXY" = 0 ]; then
		out=$(curl -s --max-time 10 "gopher://127.0.0.1:$GOPHER_PORT/1/themenforum-17/")
		expect "$1: curl Gopher menu" "$out" "Roundtable"
	else
		out=$(curl -s --max-time 10 --haproxy-protocol "gopher://127.0.0.1:$GOPHER_PORT/1/themenforum-17/")
		expect "$1: curl Gopher menu behind PROXY" "$out" "Roundtable"
	fi
}

# wait until zeche's descriptors are back to FDS0 (60 s at most)
fds_check() {	# WHEN
	local i n
	for i in $(seq 1 600); do
		n=$(nfds)
		[ "$n" -le "$FDS0" ] && break
		sleep 0.1
	done
	if [ "$n" -ne "$FDS0" ]; then
		fail "$1: $n descriptors open, $FDS0 before the load"
		ls -l "/proc/$ZPID/fd" | head -40
	fi
}

# --- one run
run() {	# NAME
	local name=$1 end p i rc t0 args=() bf rsslist="" stopped
	ZLOG=$WORK/$name.log
	ERR=$WORK/$name.stderr
	LOGF=
	CONF=
	PROXY=0
	NOFILE=
	NOLEAKS=
	WATCH=
	ROOT=$WORK/$name/capsule
	mkdir -p "$WORK/$name/certs"
	cp -R "$top/capsule" "$ROOT"
	head -c $((2 * 1048576)) /dev/urandom >"$ROOT.big"
	cp "$ROOT.big" "$ROOT/big.bin"
	printf '# Generation 0\n\nSoak page, generation 0.\n' >"$ROOT/soak.gmi"
	echo 0 >"$WORK/gen"
	reloads_ok=0
	reloads_bad=0
	GEMINI_PORT=$(free_port)
	GOPHER_PORT=$(free_port)
	SPARTAN_PORT=$(free_port)
	case $name in
	w2)	LOGF=$ZLOG
		args=(--workers 2 --root "$ROOT" --certs "$WORK/$name/certs"
		    --host "$H" --lang de --log "$LOGF" --log-ip) ;;
	w1conf)	CONF=$WORK/$name/zeche.conf
		mkdir -p "$WORK/$name/other"
		printf '# Anderer Host\n' >"$WORK/$name/other/index.gmi"
		cat >"$CONF" <<-EOF
		gemini	127.0.0.1:$GEMINI_PORT
		gopher	127.0.0.1:$GOPHER_PORT
		spartan	127.0.0.1:$SPARTAN_PORT
		timeout	$TMO
		workers	1
		log_ip	anon
		host "$H" {
			root	"$ROOT"
			certs	"$WORK/$name/certs"
			lang	"de"
			gopher	on
		}
		host "other.example" {
			root	"$WORK/$name/other"
			certs	"$WORK/$name/certs"
		}
		EOF
		cp "$CONF" "$CONF.good"
		args=(--config "$CONF") ;;
	w2proxy) PROXY=1
		args=(--workers 2 --proxy-protocol --root "$ROOT"
		    --certs "$WORK/$name/certs" --host "$H" --lang de
		    --per-address 8) ;;
	w2user)	# the chroot, Landlock and seccomp; LeakSanitizer needs /proc
		# and ptrace at exit, which they take away
		chmod 755 "$WORK" "$WORK/$name"
		mkdir -p "$WORK/$name/logs"
		chown nobody "$WORK/$name/logs"
		LOGF=$WORK/$name/logs/zeche.log
		ZLOG=$LOGF
		NOLEAKS=1
		args=(--workers 2 --user nobody --root "$ROOT"
		    --certs "$WORK/$name/certs" --host "$H" --lang de
		    --log "$LOGF") ;;
	w1watch) WATCH=1
		args=(--workers 1 --watch --root "$ROOT"
		    --certs "$WORK/$name/certs" --host "$H" --lang de) ;;
	w2emfile) NOFILE=48
		args=(--workers 2 --root "$ROOT" --certs "$WORK/$name/certs"
		    --host "$H" --lang de --max-conns 1000) ;;
	*)	die "unknown run $name" ;;
	esac
	if [ -z "$CONF" ]; then
		args+=(--gemini "127.0.0.1:$GEMINI_PORT"
		    --gopher "127.0.0.1:$GOPHER_PORT"
		    --spartan "127.0.0.1:$SPARTAN_PORT" --timeout "$TMO")
	fi
	[ -n "$LOGF" ] || ZLOG=$ERR
	echo "== run $name: zeche ${args[*]}"
	if [ -n "$NOFILE" ]; then
		(ulimit -n "$NOFILE" && exec "$ZECHE" "${args[@]}") 2>"$ERR" &
	elif [ -n "$NOLEAKS" ]; then
		ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" "$ZECHE" \
		    "${args[@]}" 2>"$ERR" &
	else
		"$ZECHE" "${args[@]}" 2>"$ERR" &
	fi
	ZPID=$!
	for i in $(seq 1 1200); do
		grep -q 'zeche: serving ' "$ZLOG" 2>/dev/null && break
		kill -0 "$ZPID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'zeche: serving ' "$ZLOG" 2>/dev/null; then
		fail "$name: zeche did not start: $(tail -5 "$ERR" "$ZLOG")"
		kill -9 "$ZPID" 2>/dev/null
		ZPID=
		return
	fi
	answers_check "$name, at the start"
	FDS0=$(nfds)
	echo "   descriptors at the start: $FDS0, RSS $(rss) kB"
	for p in $(seq 1 "$PHASES"); do
		end=$(($(date +%s) + PHASE))
		bf=$WORK/$name.bench.$p
		PIDS=()
		if [ "$PROXY" = 0 ]; then
			bench_loop "$end" gemini "$GEMINI_PORT" "$bf" &
			PIDS+=($!)
			bench_loop "$end" gopher "$GOPHER_PORT" "$bf" &
			PIDS+=($!)
		fi
		spartan_loop "$end" "$bf" &
		PIDS+=($!)
		for i in $(seq 1 "$CHAOS"); do
			chaos_loop "$end" &
			PIDS+=($!)
		done
		reload_loop "$end" &
		PIDS+=($!)
		# the reloader's counters live in its subshell: it writes them
		while [ "$(date +%s)" -lt "$end" ]; do
			sleep 1
			kill -0 "$ZPID" 2>/dev/null || break
		done
		wait "${PIDS[@]}" 2>/dev/null
		PIDS=()
		if ! kill -0 "$ZPID" 2>/dev/null; then
			wait "$ZPID"
			fail "$name, phase $p: zeche died (status $?)"
			tail -30 "$ERR"
			ZPID=
			sanitizer_check "$name, phase $p"
			return
		fi
		sanitizer_check "$name, phase $p"
		fds_check "$name, phase $p"
		answers_check "$name, after phase $p"
		rsslist="$rsslist $(rss)"
		echo "   phase $p: $(grep -hoE '^proto=[a-z]+ requests=[0-9]+ errors=[0-9]+|^spartan ok=[0-9]+ bad=[0-9]+' \
		    "$bf" 2>/dev/null | tr '\n' ' ')$(tail -1 "$WORK/reloads" 2>/dev/null);" \
		    "descriptors $(nfds), RSS $(rss) kB"
	done
	echo "   RSS after each phase (kB):$rsslist"
	# the stop, under load
	PIDS=()
	end=$(($(date +%s) + 30))
	if [ "$PROXY" = 0 ]; then
		bench_loop "$end" gemini "$GEMINI_PORT" /dev/null &
		PIDS+=($!)
	fi
	for i in $(seq 1 "$CHAOS"); do
		chaos_loop "$end" &
		PIDS+=($!)
	done
	sleep 2
	t0=$(date +%s)
	# with a reload on its way, and again during the grace
	case $name in
	w2)	kill -HUP "$ZPID"; kill -TERM "$ZPID" ;;
	w1conf)	kill -TERM "$ZPID"; sleep 0.5; kill -TERM "$ZPID" ;;
	w2emfile) kill -TERM "$ZPID"; sleep 0.5; kill -HUP "$ZPID" ;;
	*)	kill -TERM "$ZPID" ;;
	esac
	stopped=0
	for i in $(seq 1 $((GRACE * 10))); do
		kill -0 "$ZPID" 2>/dev/null || { stopped=1; break; }
		sleep 0.1
	done
	if [ "$stopped" = 0 ]; then
		fail "$name: zeche still runs $GRACE s after SIGTERM"
		[ -r "/proc/$ZPID/task" ] && ls "/proc/$ZPID/task"
		kill -ABRT "$ZPID"
		sleep 2
		kill -9 "$ZPID" 2>/dev/null
	fi
	wait "$ZPID"
	rc=$?
	ZPID=
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait "${PIDS[@]}" 2>/dev/null
	PIDS=()
	if [ "$rc" -ne 0 ]; then
		fail "$name: exit status $rc at SIGTERM"
		tail -30 "$ERR"
	else
		pass "$name: exit 0 $(($(date +%s) - t0)) s after SIGTERM under load"
	fi
	sanitizer_check "$name, at the stop" && pass "$name: no sanitizer report"
	i=$(cat "$ZLOG" "$ZLOG.rotated" 2>/dev/null | grep -c 'pausing for a second')
	[ "$i" -gt 0 ] && echo "   $name: accepting paused $i times (EMFILE)"
	i=$(cat "$ZLOG" "$ZLOG.rotated" 2>/dev/null | grep -c ' ms)$')
	served=$((served + i))
	echo "   $name: $i connections in the access log," \
	    "$(grep -c 'reloaded ' "$ZLOG" "$ZLOG.rotated" 2>/dev/null |
	    awk -F: '{ s += $NF } END { print s }') reloads"
}

for r in $RUNS; do
	run "$r"
done
echo "== $served connections logged in all; $failures failure(s)"
[ "$failures" -eq 0 ]
