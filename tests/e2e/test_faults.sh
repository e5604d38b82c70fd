# The error paths of a connection, walked with failures injected by a
# preloaded library (tests/e2e/fault.c): allocations that fail at every
# point of a connection's life, a first-byte peek that says EAGAIN, and a
# close_notify that cannot be written at the first try.  The server must
# answer or close, serve on, and exit 0 on SIGTERM (in the sanitizer
# build: without a leak).
. "$(dirname "$0")/lib.sh"

: "${ZECHE_FAULT:?ZECHE_FAULT must name the fault library}"
# the library sits in front of the sanitizers' allocator
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# with_faults VAR=VALUE... -- start_zeche options: start with the library
with_faults() {
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env_save=$ZECHE
	ZECHE="$WORK/zeche-faults"
	{
		echo '#!/bin/sh'
		printf 'export LD_PRELOAD=%q' "$ZECHE_FAULT"
		for e in "${envs[@]}"; do printf ' %q' "$e"; done
		printf '\nexec %q "$@"\n' "$env_save"
	} >"$ZECHE"
	chmod +x "$ZECHE"
	start_zeche "$@"
	ZECHE=$env_save
}

# --- the first byte on the Gopher port: a peek that finds nothing yet
# is tried again (the read event is re-armed)
with_faults ZECHE_FAULT_PEEK=1 -- --timeout 5
expect_contains "a peek that says EAGAIN: the Gopher request is answered" \
    "$(curl -s --max-time 4 "gopher://127.0.0.1:$GOPHER_PORT/")" "Neutral test capsule"
stop_zeche

# --- close_notify that meets a full send buffer is sent once it drains
with_faults ZECHE_FAULT_WRITE=24 --
gem "gemini://$H/nichts" -m 1.3 >/dev/null
expect_eq "close_notify after EAGAIN: sent all the same" "$GEM_RC" 0
alive "close_notify after EAGAIN"
stop_zeche

# --- allocations that fail: connection K sees its (K*STEP)-th allocation
# after accept fail.  The first run walks the set-up one allocation at a
# time, the second the handshake and the answer in larger steps.
run_malloc() {	# STEP CONNECTIONS
	local i n=0
	with_faults ZECHE_FAULT_MALLOC="$1" ZECHE_FAULT_CONNS="$2" -- --timeout 5
	for i in $(seq 1 "$2"); do
		if [ $((i % 4)) = 0 ]; then
			"$GEMGET" -t 127.0.0.1 "$GOPHER_PORT" "/" >/dev/null 2>&1
		else
			"$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" >/dev/null 2>&1
		fi
		kill -0 "$ZPID" 2>/dev/null || break
		n=$i
	done
	expect_eq "allocation failures, step $1: every connection handled" "$n" "$2"
	alive "allocation failures, step $1"
	stop_zeche
}
run_malloc 1 60
run_malloc 7 180

# --- behind a proxy (--proxy-protocol): the header's peek, and failed
# allocations on the way from the header to the answer, over Gopher (no
# TLS: OpenSSL's own state, shared by all connections, is walked above)
printf 'PROXY TCP4 192.0.2.7 127.0.0.1 40000 1965\r\n' >"$WORK/v1"
pgem() {
	"$GEMGET" -x "$WORK/v1" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" \
	    2>/dev/null | head -n 1 | tr -d '\r'
}
with_faults ZECHE_FAULT_PEEK=1 -- --timeout 5 --proxy-protocol
expect_eq "a PROXY header peek that says EAGAIN: answered" "$(pgem)" \
    "20 text/gemini; lang=de"
stop_zeche
run_proxy_malloc() {	# STEP CONNECTIONS
	local i n=0
	with_faults ZECHE_FAULT_MALLOC="$1" ZECHE_FAULT_CONNS="$2" -- --timeout 5 \
	    --proxy-protocol
	for i in $(seq 1 "$2"); do
		"$GEMGET" -t -x "$WORK/v1" 127.0.0.1 "$GOPHER_PORT" "/" \
		    >/dev/null 2>&1
		kill -0 "$ZPID" 2>/dev/null || break
		n=$i
	done
	expect_eq "PROXY, allocation failures, step $1: every connection" \
	    "$n" "$2"
	expect_contains "PROXY, allocation failures, step $1: still serving" \
	    "$("$GEMGET" -t -x "$WORK/v1" 127.0.0.1 "$GOPHER_PORT" "/" \
	    2>/dev/null)" "Neutral test capsule"
	stop_zeche
}
run_proxy_malloc 1 40

# --- accept() out of kernel memory (ENOBUFS) for 2.5 s: the connection
# stays queued, so the listener pauses a second at a time instead of
# spinning on it, logs one line, and then serves the client that waited
: >"$LOG"
with_faults ZECHE_FAULT_ACCEPT=2500 \
    ZECHE_FAULT_ACCEPT_COUNT="$WORK/accept-fails" -- --workers 1
expect_contains "ENOBUFS on accept: the waiting client is served after it" \
    "$("$GEMGET" -t 127.0.0.1 "$GOPHER_PORT" "/" 2>/dev/null)" "Neutral test capsule"
expect_log "ENOBUFS on accept: logged, with the pause" \
    "accept: No buffer space available; pausing for a second (1 time)"
expect_eq "ENOBUFS on accept: one line for all of them" \
    "$(grep -c 'accept: ' "$LOG")" 1
stop_zeche
n=$(cat "$WORK/accept-fails" 2>/dev/null)
# one failure a second at most, a few more if the machine is slow: never
# the thousands of a spinning loop
if [ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -le 10 ]; then
	ok "ENOBUFS on accept: tried again once a second ($n failures)"
else
	not_ok "ENOBUFS on accept: tried again once a second" \
	    "accept4 failed ${n:-?} times"
fi

# --- a large file (streamed from disk) that exists but cannot be opened
# now: out of descriptors (EMFILE) or no permission (EACCES) is a
# temporary failure, 40 (Gopher: a type 3 error; Spartan: 5), logged
# with the file and the error; a file gone since the load is still 51
head -c 1200000 /dev/zero | tr '\0' 'x' >"$ROOT/gross.txt"
for err in 24:"Too many open files" 13:"Permission denied"; do
	: >"$LOG"
	SPARTAN_PORT=$(free_port)
	with_faults ZECHE_FAULT_OPEN="gross.txt:${err%%:*}" -- \
	    --spartan "127.0.0.1:$SPARTAN_PORT"
	expect_eq "${err#*:}: Gemini answers 40, not 51" \
	    "$(gem_header "gemini://$H/gross.txt")" \
	    "40 Bitte später noch einmal versuchen"
	expect_log "${err#*:}: logged with the file and the error" \
	    "\"gemini://$H/gross.txt\" 40 cannot open gross.txt now: ${err#*:}"
	expect_contains "${err#*:}: Gopher answers a type 3 error" \
	    "$(gopher /gross.txt | head -n 1)" \
	    "3Bitte später noch einmal versuchen"
	expect_eq "${err#*:}: Spartan answers 5" \
	    "$("$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" /gross.txt |
	    head -n 1 | tr -d '\r')" "5 Bitte später noch einmal versuchen"
	stop_zeche
done
start_zeche
rm "$ROOT/gross.txt"
expect_eq "a file gone since the load: 51" \
    "$(gem_header "gemini://$H/gross.txt")" "51 Nicht gefunden"
stop_zeche

finish
