# The benchmark tool works: zeche-bench runs for about a second against
# the built server and against its own three floors, and every run makes
# requests with no error.  Speed is never asserted here.
. "$(dirname "$0")/lib.sh"
: "${ZECHE_BENCH:?ZECHE_BENCH must name the zeche-bench binary}"

start_zeche

# field LINE KEY: the value of KEY=value in zeche-bench's output line
field() {
	local f
	for f in $1; do
		case $f in "$2"=*) echo "${f#*=}"; return;; esac
	done
	echo missing
}

# works NAME OUTPUT: some requests, no error, a server CPU figure
works() {
	local n e
	n=$(field "$2" requests)
	e=$(field "$2" errors)
	if [ "$n" != missing ] && [ "$n" -gt 0 ] && [ "$e" = 0 ] &&
	    [ "$(field "$2" cpu_us_per_req)" != missing ]; then
		ok "$1: $n requests, no error"
	else
		not_ok "$1" "$2
$(cat "$WORK/bench.err")"
	fi
}

# resumes NAME OUTPUT: the run resumed some sessions
resumes() {
	local res
	res=$(field "$2" resumed)
	if [ "$res" != missing ] && [ "$res" -gt 0 ]; then
		ok "$1 ($res)"
	else
		not_ok "$1" "$2"
	fi
}

B=("$ZECHE_BENCH" -d 1 -c 4 -A 4)
out=$("${B[@]}" -p gemini -P "$GEMINI_PORT" -S "$ZPID" -u / 2>"$WORK/bench.err")
works "Gemini, full handshakes, from 4 addresses" "$out"
expect_eq "Gemini: no handshake was resumed" "$(field "$out" resumed)" 0
expect_eq "Gemini: every response ended with close_notify" \
    "$(field "$out" no_close_notify)" 0

out=$("${B[@]}" -R -p gemini -P "$GEMINI_PORT" -S "$ZPID" -u / 2>"$WORK/bench.err")
works "Gemini, offering the last session ticket" "$out"
resumes "Gemini: sessions are resumed" "$out"

# One ticket per handshake, full or resumed: the client's next request
# needs one, and more cost the server a ticket each.
expect_eq "Gemini: one session ticket per connection" \
    "$(field "$out" tickets)" "$(field "$out" requests)"

out=$("${B[@]}" -R -T 1.2 -p gemini -P "$GEMINI_PORT" -S "$ZPID" -u / 2>"$WORK/bench.err")
works "Gemini over TLS 1.2, offering the last session ticket" "$out"
resumes "Gemini over TLS 1.2: sessions are resumed" "$out"

out=$("${B[@]}" -p gopher -P "$GOPHER_PORT" -S "$ZPID" -u "" 2>"$WORK/bench.err")
works "Gopher" "$out"

# -E: one epoll thread keeps -c connections in flight
out=$("${B[@]}" -E -c 16 -p gemini -P "$GEMINI_PORT" -S "$ZPID" -u / 2>"$WORK/bench.err")
works "-E: Gemini, full handshakes, 16 in flight from one thread" "$out"
expect_eq "-E: the output says which client ran, and how many in flight" \
    "$(field "$out" client) $(field "$out" concurrency) $(field "$out" no_close_notify)" \
    "epoll 16 0"
out=$("${B[@]}" -E -R -p gemini -P "$GEMINI_PORT" -S "$ZPID" -u / 2>"$WORK/bench.err")
works "-E: Gemini, offering each slot's last session ticket" "$out"
resumes "-E: sessions are resumed" "$out"
expect_eq "-E: one session ticket per connection" \
    "$(field "$out" tickets)" "$(field "$out" requests)"
out=$("${B[@]}" -E -p gopher -P "$GOPHER_PORT" -S "$ZPID" -u "" 2>"$WORK/bench.err")
works "-E: Gopher" "$out"
# errors are counted, not taken for answers: a page that is not there
# (51, not 20) and a port nothing listens on; all 20 requests, which a
# slow machine may not make within B's one second (-d 60 instead)
out=$("${B[@]}" -E -n 20 -d 60 -p gemini -P "$GEMINI_PORT" -u /nicht-da 2>"$WORK/bench.err")
expect_eq "-E: every 51 answer is an error" \
    "$(field "$out" requests) $(field "$out" errors)" "20 20"
expect_contains "-E: the first error is named" "$(cat "$WORK/bench.err")" \
    "unexpected status"
out=$("${B[@]}" -E -n 20 -d 60 -p gopher -P "$(free_port)" 2>"$WORK/bench.err")
expect_eq "-E: a port nothing listens on: every request an error" \
    "$(field "$out" requests) $(field "$out" errors)" "20 20"

# -I: connections held open after the handshake, then let go; more
# connections (-n) than threads (-c)
out=$("$ZECHE_BENCH" -I -n 8 -c 2 -A 4 -d 10 -p gemini -P "$GEMINI_PORT" -S "$ZPID" 2>"$WORK/bench.err")
expect_eq "Gemini: 8 connections held after the handshake" \
    "$(field "$out" held) $(field "$out" errors)" "8 0"
expect_contains "Gemini: the server's memory while they are held" "$out" \
    " rss_held_kb="

out=$("$ZECHE_BENCH" -d 1 -n 200 -p tls-floor 2>"$WORK/bench.err")
works "the OpenSSL floor, full handshakes" "$out"
out=$("$ZECHE_BENCH" -d 1 -n 200 -R -p tls-floor 2>"$WORK/bench.err")
works "the OpenSSL floor, resumed" "$out"
resumes "the OpenSSL floor resumes sessions" "$out"
out=$("${B[@]}" -p tcp-floor 2>"$WORK/bench.err")
works "the TCP floor" "$out"
out=$("${B[@]}" -p tls-epoll-floor 2>"$WORK/bench.err")
works "the epoll responder with OpenSSL, full handshakes" "$out"
expect_eq "the epoll responder with OpenSSL: every response ended with close_notify" \
    "$(field "$out" no_close_notify)" 0
out=$("${B[@]}" -R -p tls-epoll-floor 2>"$WORK/bench.err")
works "the epoll responder with OpenSSL, resumed" "$out"
resumes "the epoll responder with OpenSSL resumes sessions" "$out"

# The partner-directory section at its smallest size: it finds the
# directory's size on the overview and measures with no error.
out=$(BENCH_PARTNERS=634 BENCH_PN=5 BENCH_PWARMUP=1 BENCH_PRUNS=1 \
    BENCH_D=20 "$ZECHE_SOURCE_DIR/tests/bench/partners-bench.sh" \
    "$ZECHE_BINARY_DIR" 2>"$WORK/bench.err")
expect_contains "the partner section measures 634 entries" "$out$(tail -3 "$WORK/bench.err")" \
    "| 634 | 634 | "
expect_contains "the partner section: no error on any run" "$out" \
    "errors: Gemini search 0, Gopher search 0, Gemini page 0, Gopher page 0"

alive "the benchmark runs"
finish
