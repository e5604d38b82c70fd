# Ping on publish: with "ping URL" (twice) and "ping_interval", a reload
# that brings a new article sends exactly one submit per aggregator, the
# feed's address percent-encoded after "?"; a reload without a change
# sends none; an aggregator that never answers holds up neither serving
# nor the next reload; each result is logged.  Two fake aggregators run
# on loopback (tests/e2e/aggregator.c); nothing pings at the start.
. "$(dirname "$0")/lib.sh"
: "${AGGREGATOR:?AGGREGATOR must name the fake aggregator}"

AGG_PIDS=()
stop_aggregators() {
	local p
	for p in "${AGG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	AGG_PIDS=()
}
trap 'stop_aggregators; cleanup' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/agg.key" \
    -out "$WORK/agg.crt" -days 1 -subj /CN=127.0.0.1 2>/dev/null ||
    { not_ok "openssl makes the aggregators' certificate"; finish; }
# start_aggregator NAME [-s]: on a free port, its requests in $WORK/NAME.log
start_aggregator() {
	local name=$1 port i
	shift
	port=$(free_port)
	: >"$WORK/$name.log"
	"$AGGREGATOR" "$@" "$WORK/agg.crt" "$WORK/agg.key" "$port" \
	    "$WORK/$name.log" >"$WORK/$name.out" 2>&1 &
	AGG_PIDS+=($!)
	for i in $(seq 1 100); do
		grep -q listening "$WORK/$name.out" && break
		sleep 0.1
	done
	eval "${name}_PORT=$port"
}
start_aggregator answers
start_aggregator silent -s

# lines FILE: how many lines it holds
lines() { wc -l <"$1" | tr -d ' '; }
# wait_lines FILE N: until FILE holds N lines (60 s at most)
wait_lines() {
	local i
	for i in $(seq 1 600); do
		[ "$(lines "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_re REGEX: until zeche's log matches REGEX (30 s at most)
wait_re() {
	local i
	for i in $(seq 1 300); do
		grep -qaE -- "$1" "$LOG" && return 0
		sleep 0.1
	done
	return 1
}

GEMINI_PORT=$(free_port)
cat >"$WORK/zeche.conf" <<CONF
gemini  127.0.0.1:$GEMINI_PORT
host "$H" {
	root          "$ROOT"
	certs         "$CERTS"
	lang          "de"
	ping          "gemini://127.0.0.1:$answers_PORT/submit"
	ping          "gemini://127.0.0.1:$silent_PORT/submit"
	ping_interval 1
}
CONF
"$ZECHE" --check --config "$WORK/zeche.conf" >/dev/null 2>&1 &&
    ok "--check takes ping and ping_interval" ||
    not_ok "--check takes ping and ping_interval" \
    "$("$ZECHE" --check --config "$WORK/zeche.conf" 2>&1 | tail -3)"
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || not_ok "zeche --config starts" "$(tail -20 "$LOG")"
expect_eq "nothing is pinged at the start" \
    "$(lines "$WORK/answers.log") $(lines "$WORK/silent.log")" "0 0"

# one new article: one submit to each aggregator
feed="gemini%3A%2F%2F$H%3A$GEMINI_PORT%2Fnotes%2Fatom.xml"
printf '# Third visit\n\nThe wheel again.\n' \
    >"$ROOT/notes/2024-06-01-third-visit.gmi"
reload "a new article"
expect_contains "the reload queues the feed's ping" "$RELOAD_LOG" \
    "ping gemini://$H:$GEMINI_PORT/notes/atom.xml: 1 new or changed article, queued for 2 aggregators"
wait_lines "$WORK/answers.log" 1 && wait_lines "$WORK/silent.log" 1
expect_eq "the answering aggregator gets the submit URL and the feed" \
    "$(cat "$WORK/answers.log")" \
    "gemini://127.0.0.1:$answers_PORT/submit?$feed"
expect_eq "the silent aggregator gets it too" "$(cat "$WORK/silent.log")" \
    "gemini://127.0.0.1:$silent_PORT/submit?$feed"
wait_re "ping gemini://127.0.0.1:$answers_PORT/submit for .*: 20 text/gemini" &&
    ok "the answer is logged" || not_ok "the answer is logged" "$(tail -5 "$LOG")"

# the silent one holds its connection: serving and reloading go on
reload "a reload without a change, the silent aggregator still waited for"
expect_not_contains "a reload without a change queues nothing" \
    "$RELOAD_LOG" "queued"
alive "a silent aggregator"
# until the silent one's ping ends (PING_TIMEOUT), then nothing more
wait_re "ping gemini://127.0.0.1:$silent_PORT/submit for .*: no answer" &&
    ok "the silent aggregator's ping ends, logged" ||
    not_ok "the silent aggregator's ping ends, logged" "$(tail -5 "$LOG")"
expect_eq "no more submits than one a change" \
    "$(lines "$WORK/answers.log") $(lines "$WORK/silent.log")" "1 1"

# a changed article: one more each
printf '# Third visit\n\nThe wheel turned again.\n' \
    >"$ROOT/notes/2024-06-01-third-visit.gmi"
reload "a changed article"
expect_contains "a changed article queues the feed" "$RELOAD_LOG" \
    "1 new or changed article, queued"
wait_lines "$WORK/answers.log" 2
expect_eq "one more submit for the change" "$(lines "$WORK/answers.log")" 2
alive "the pings"
stop_aggregators
finish
