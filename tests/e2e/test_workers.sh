# --workers: N event loops, each a thread named zeche-worker-N beside the
# main one and a listening socket of its own on every port.  Many
# clients at once are all answered in full, and more than one worker
# serves them; a reload under load gives every answer the old page or the
# new one, never an error, and then every worker the new one; the
# per-address budget is one for all workers; a port another zeche holds
# is still an error at start; SIGTERM with connections on every worker
# ends in time and cleanly.
. "$(dirname "$0")/lib.sh"

# threads PID: the names of its worker threads, one a line, sorted
threads() {
	cat /proc/"$1"/task/*/comm 2>/dev/null | grep '^zeche-worker-' | sort
}

# listening PORT: the listening TCP sockets on 127.0.0.1:PORT
listening() {
	local hex
	hex=$(printf '0100007F:%04X' "$1")
	awk -v a="$hex" '$2 == a && $4 == "0A"' /proc/net/tcp | wc -l
}

# mark: the log's length, for served_by
mark() {
	wc -l <"$LOG"
}

# workers_since MARK: the worker named in each Gemini handshake line of
# the log after line MARK (--verbose), one a line
workers_since() {
	tail -n +"$(($1 + 1))" "$LOG" |
	    sed -n 's/.*debug: gemini: .* handshake done, .*, worker \([0-9]*\)$/\1/p'
}

# served_by MARK N: the workers that served, once the log holds the lines
# of N handshakes after MARK (a thread writes the log: they may come a
# moment after the answers; 10 s at most)
served_by() {
	local i
	for i in $(seq 1 100); do
		[ "$(workers_since "$1" | wc -l)" -ge "$2" ] && break
		sleep 0.1
	done
	workers_since "$1" | sort -un | tr '\n' ' '
}

# load N OUT: N Gemini requests for /ver.gmi, one after another, each
# answer to OUT.K; run in the background, several at once
load() {
	local k
	for k in $(seq 1 "$1"); do
		"$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/ver.gmi" \
		    >"$2.$k" 2>/dev/null
	done
}

# gload N OUT: the same over Gopher, for the page as a text
gload() {
	local k
	for k in $(seq 1 "$1"); do
		curl -s --max-time 10 \
		    "gopher://127.0.0.1:$GOPHER_PORT/0/ver.gmi" >"$2.$k"
	done
}

# clients G P N: G Gemini clients (load, into $WORK/c1 ...) and P Gopher
# clients (gload, into $WORK/g1 ...) of N requests each, in the
# background; their pids in CLIENTS
clients() {
	local j
	CLIENTS=()
	for j in $(seq 1 "$1"); do load "$3" "$WORK/c$j" & CLIENTS+=($!); done
	for j in $(seq 1 "$2"); do gload "$3" "$WORK/g$j" & CLIENTS+=($!); done
}

# refs X: the page as it is now, over Gemini into $WORK/refX and over
# Gopher into $WORK/grefX, for all_alike to compare answers with
refs() {
	gem_to "$WORK/ref$1" "gemini://$H/ver.gmi"
	curl -s --max-time 10 "gopher://127.0.0.1:$GOPHER_PORT/0/ver.gmi" \
	    >"$WORK/gref$1"
}

# all_alike NAME PATTERN REF...: every file matching PATTERN is
# byte for byte one of the REF files
all_alike() {
	local name=$1 pat=$2 f r n=0 bad=
	shift 2
	for f in $pat; do
		n=$((n + 1))
		for r in "$@"; do
			cmp -s "$f" "$r" && continue 2
		done
		bad="$bad $(basename "$f")"
	done
	if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
		ok "$name ($n answers)"
	else
		not_ok "$name" "$n answers; not as expected:$bad
$(for f in $bad; do head -c 200 "$WORK/$f"; echo; done | head -20)"
	fi
}

printf '# Version A\n\nThe old page.\n' >"$ROOT/ver.gmi"

# --- two workers, the default on this machine made explicit
start_zeche --workers 2 --verbose
expect_eq "--workers 2: one worker thread beside the main one" \
    "$(threads "$ZPID")" "zeche-worker-1"
expect_eq "--workers 2: two listening sockets on the Gemini port" \
    "$(listening "$GEMINI_PORT")" 2
expect_eq "--workers 2: two listening sockets on the Gopher port" \
    "$(listening "$GOPHER_PORT")" 2
expect_log "--workers 2: the log says so" "zeche: 2 workers"
# a burst of connections waits in the listen queue, not in SYN retries:
# each socket queues as many as the kernel allows (SOMAXCONN, 4096)
if command -v ss >/dev/null; then
	max=$(cat /proc/sys/net/core/somaxconn)
	[ "$max" -gt 4096 ] && max=4096
	expect_eq "every listening socket queues up to $max connections" \
	    "$(ss -Hltn "sport = :$GEMINI_PORT or sport = :$GOPHER_PORT" |
	    awk '{ print $3 }' | sort -u)" "$max"
else
	echo "# no ss here: the listen queue's length is not checked"
fi

refs A
expect_contains "the page before the reload" "$(cat "$WORK/refA")" \
    "Version A"
expect_contains "the page before the reload, over Gopher" \
    "$(cat "$WORK/grefA")" "Version A"

# many clients at once: every answer is the whole page
m=$(mark)
clients 4 2 12
wait "${CLIENTS[@]}"
all_alike "48 Gemini answers from 4 clients at once, each the whole page" \
    "$WORK/c[0-9].*" "$WORK/refA"
all_alike "24 Gopher answers from 2 clients at once, each the whole page" \
    "$WORK/g[0-9].*" "$WORK/grefA"
expect_eq "both workers served handshakes" "$(served_by "$m" 48)" "0 1 "

# --- a reload under load: the old page or the new, never an error
rm -f "$WORK"/c[0-9].* "$WORK"/g[0-9].*
clients 4 2 15
for i in $(seq 1 100); do [ -s "$WORK/c1.2" ] && break; sleep 0.05; done
printf '# Version B\n\nThe new page, a little longer than the old.\n' \
    >"$ROOT/ver.gmi"
reload "a reload under load"
wait "${CLIENTS[@]}"
refs B
expect_contains "the page after the reload" "$(cat "$WORK/refB")" \
    "Version B"
all_alike "a reload under load: every Gemini answer is the old or the new page" \
    "$WORK/c[0-9].*" "$WORK/refA" "$WORK/refB"
all_alike "a reload under load: every Gopher answer is the old or the new page" \
    "$WORK/g[0-9].*" "$WORK/grefA" "$WORK/grefB"
# after the reload, whichever worker answers: the new page
rm -f "$WORK"/c[0-9].*
m=$(mark)
clients 3 0 8
wait "${CLIENTS[@]}"
all_alike "after the reload every worker serves the new page" \
    "$WORK/c[0-9].*" "$WORK/refB"
expect_eq "both workers served after the reload" "$(served_by "$m" 24)" \
    "0 1 "
stop_zeche

# --- the per-address budget is one for all workers: with 4 connections
# held from one address, every further one from it is refused, whichever
# worker's socket it reaches (a budget per worker would let most through)
start_zeche --workers 2 --per-address 4 --timeout 120
"$GEMGET" -I 4 -b 127.0.0.9 127.0.0.1 "$GEMINI_PORT" >"$WORK/hold" &
hpid=$!
for i in $(seq 1 100); do [ -s "$WORK/hold" ] && break; sleep 0.1; done
wait_accepted "$GEMINI_PORT" "4 held from 127.0.0.9"
refused=0
for i in $(seq 1 8); do
	"$GEMGET" -b 127.0.0.9 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" \
	    >/dev/null 2>&1
	[ $? = 2 ] && refused=$((refused + 1))
done
expect_eq "--per-address 4 over 2 workers: 8 more from one address all refused" \
    "$refused" 8
expect_eq "--per-address 4 over 2 workers: another address is served" \
    "$("$GEMGET" -b 127.0.0.10 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" | head -n 1)" \
    $'20 text/gemini; lang=de\r'
kill "$hpid"
wait "$hpid" 2>/dev/null
# once they are let go, the address is served again (the count went down
# on the worker that held each)
for i in $(seq 1 50); do
	out=$("$GEMGET" -b 127.0.0.9 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" 2>/dev/null | head -n 1)
	[ "$out" = $'20 text/gemini; lang=de\r' ] && break
	sleep 0.1
done
expect_eq "--per-address: the address is served again once they close" \
    "$out" $'20 text/gemini; lang=de\r'

# --- a port another zeche holds is an error, not a shared port
"$ZECHE" --root "$ROOT" --certs "$CERTS" --workers 2 \
    --gemini "127.0.0.1:$GEMINI_PORT" --gopher "127.0.0.1:$(free_port)" \
    >"$WORK/second.log" 2>&1
expect_eq "a second zeche on the same port exits 1" "$?" 1
expect_contains "a second zeche on the same port says why" \
    "$(cat "$WORK/second.log")" "Address already in use"
alive "a second zeche tried the port"
stop_zeche

# --- three workers on this machine; SIGTERM with connections on them:
# idle ones (closed at once) and answers being read slowly (cut after the
# grace), within 5 s and cleanly (in the sanitizer build: no leak)
head -c 3000000 /dev/zero | tr '\0' x >"$ROOT/big.txt"
start_zeche --workers 3 --verbose
m=$(mark)
expect_eq "--workers 3: two worker threads beside the main one" \
    "$(threads "$ZPID")" "zeche-worker-1
zeche-worker-2"
expect_eq "--workers 3: three listening sockets on the Gemini port" \
    "$(listening "$GEMINI_PORT")" 3
rm -f "$WORK"/c[0-9].*
clients 4 0 8
wait "${CLIENTS[@]}"
all_alike "--workers 3: 32 answers, each the whole page" "$WORK/c[0-9].*" \
    "$WORK/refB"
n=$(served_by "$m" 32 | wc -w)
if [ "$n" -ge 2 ]; then ok "--workers 3: $n workers served"; else
	not_ok "--workers 3: more than one worker served" \
	    "$(served_by "$m" 32)"; fi
m=$(mark)
"$GEMGET" -I 12 127.0.0.1 "$GEMINI_PORT" >"$WORK/hold" &
hpid=$!
slow=()
for j in 1 2 3 4; do
	"$GEMGET" -r 200 127.0.0.1 "$GEMINI_PORT" "gemini://$H/big.txt" \
	    >"$WORK/slow$j" 2>/dev/null &
	slow+=($!)
done
# every slow answer has begun (a request not yet read is no answer to cut)
for i in $(seq 1 100); do
	[ -s "$WORK/hold" ] && [ -s "$WORK/slow1" ] && [ -s "$WORK/slow2" ] &&
	    [ -s "$WORK/slow3" ] && [ -s "$WORK/slow4" ] && break
	sleep 0.1
done
f0=$failed
STOP_WAIT=5 stop_zeche
[ "$failed" = "$f0" ] &&
    ok "--workers 3: SIGTERM with idle and slow connections: exit 0 in 5 s"
kill "$hpid" "${slow[@]}" 2>/dev/null
wait "$hpid" "${slow[@]}" 2>/dev/null
expect_eq "--workers 3: the four slow answers were cut at the end of the grace" \
    "$(tail -n +"$((m + 1))" "$LOG" | grep -c 'big.txt" 20 cut (stopping)')" 4

# --- the option's range
"$ZECHE" --workers 0 >"$WORK/bad.log" 2>&1
expect_eq "--workers 0: refused" "$?" 1
expect_contains "--workers 0: says the range" "$(cat "$WORK/bad.log")" \
    "--workers 0: a number from 1 to 1024"

# --- --max-conns's default fits the descriptor limit with what the
# workers hold themselves (their loops' descriptors and listening
# sockets): with 300 descriptors and 32 workers, twice the connections
# (a socket and a file each) and the descriptors open once all serve
# stay within the limit
env_save=$ZECHE
ZECHE=$WORK/zeche-nofile
printf '#!/bin/sh\nulimit -n 300 || exit 1\nexec %q "$@"\n' "$env_save" \
    >"$ZECHE"
chmod +x "$ZECHE"
: >"$LOG"
start_zeche --workers 32
ZECHE=$env_save
max=$(sed -n 's/.*zeche: max-conns \([0-9]*\): fitted.*/\1/p' "$LOG")
fds=$(ls "/proc/$ZPID/fd" | wc -l)
if [ -n "$max" ] && [ $((2 * max + fds)) -le 300 ]; then
	ok "fitted --max-conns $max: 2 x $max + $fds open <= 300"
else
	not_ok "fitted --max-conns leaves the workers their descriptors" \
	    "max-conns ${max:-?}, $fds descriptors open, limit 300"
fi
stop_zeche
finish
