# Rate limits that answer: "rate 3 per 60 burst 3" lets a client three
# requests, then Gemini answers "44 SECONDS", Gopher an error item and
# Spartan "4" with the seconds; a client that asks on before that time is
# refused at accept (a ban, logged); an allowed network is never limited;
# behind PROXY the client the header names counts, not the proxy.  A
# flood of 72,000 requests from 60,000 addresses through PROXY headers,
# nearly four times the clients the table holds, keeps zeche's memory
# bounded, and an allowed client is answered all along.
. "$(dirname "$0")/lib.sh"
: "${FLOOD:?FLOOD must name the flood tool}"
# AddressSanitizer holds freed memory back (256 MiB by default) before it
# reuses it, so the sanitizer build's memory grows over the floods'
# connections until that quarantine is full: a small one is full within
# the first flood, and the second one then measures zeche alone
if [ -n "${ZECHE_SANITIZE:-}" ]; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16
fi

CONF=$WORK/zeche.conf
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
PROXY_PORT=$(free_port)
FLOOD_PORT=$(free_port)
METRICS_PORT=$(free_port)
cat >"$CONF" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gemini 127.0.0.1:$PROXY_PORT proxy
gopher 127.0.0.1:$GOPHER_PORT
gopher 127.0.0.1:$FLOOD_PORT proxy
spartan 127.0.0.1:$SPARTAN_PORT
rate 3 per 60 burst 3
metrics 127.0.0.1:$METRICS_PORT
rate_allow "127.0.0.2"
rate_allow "198.51.100.0/24"
log_ip full
per_address 1000
host "$H" {
	root "$ROOT"
	certs "$CERTS"
	gopher on
}
CONF
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
if ! wait_serving 0; then
	not_ok "zeche starts with a rate limit" "$(tail -20 "$LOG")"
	finish
fi
expect_log "the rate limit is logged at the start" \
    "rate limit: 3 requests per 60 s from one address, bursts of 3; 2 networks never limited"

st() {	# [gemget options]: the status line of gemini://$H/
	"$GEMGET" -s "$H" "$@" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" \
	    2>/dev/null | head -n 1 | tr -d '\r'
}
n=0
for i in $(seq 1 10); do
	[ "$(st -b 127.0.0.2)" = "20 text/gemini" ] && n=$((n + 1))
done
expect_eq "an allowed address: 10 of 10 answered" "$n" 10
for i in 1 2 3; do
	expect_eq "request $i of the burst: served" "$(st)" "20 text/gemini"
done
is_44 "past the burst" "$(st)" 20
expect_log "the 44 is logged" "gemini 127.0.0.1 \"gemini://$H/\" 44 rate limit"
expect_slow_down "past the limit" "$H"
# the third request before the time told: banned, refused at accept
expect_eq "asking on: refused without an answer" "$(st)" ""
expect_log "the ban is logged" \
    "gemini: 127.0.0.1 asks on past its rate limit: refused for 60 s"
expect_eq "banned: Gopher refused at accept too" \
    "$(curl -s --max-time 10 "gopher://127.0.0.1:$GOPHER_PORT/" | wc -c)" 0
expect_eq "an allowed address is still served" "$(st -b 127.0.0.2)" \
    "20 text/gemini"
expect_eq "the metrics count both refusals under the reason rate" \
    "$(curl -s --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics" |
    grep '^zeche_connections_refused_total{reason="rate"}')" \
    'zeche_connections_refused_total{reason="rate"} 2'

# behind PROXY: the client in the header counts, not the banned proxy
expect_proxy_rate 3 20

# the flood: 2 x 36,000 requests, from 2 x 30,000 addresses (half IPv4,
# half IPv6 /64s): each flood alone is nearly twice the 16,384 clients
# the table holds, and the second one's addresses are all new.  The first
# 6,000 of each ask twice, after the table has filled (within the burst:
# served).  An allowed client asks all along over the other Gopher
# listener, each answer within the deadline (gemget's 10 s).  Memory may
# not grow by 1 MiB over the second flood: that is less than 35 bytes for
# each of its 30,000 new clients, less than any per-client record costs.
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$ZPID/status"; }
watcher() {	# until $WORK/stop: a request from 127.0.0.2 in a loop
	local bad=0 good=0
	while [ ! -e "$WORK/stop" ]; do
		if "$GEMGET" -t -b 127.0.0.2 127.0.0.1 "$GOPHER_PORT" "" \
		    2>/dev/null | grep -q 'Neutral test capsule'; then
			good=$((good + 1))
		else
			bad=$((bad + 1))
		fi
	done
	echo "$good $bad" >"$WORK/watch"
}
watcher &
wpid=$!
f1=$("$FLOOD" 127.0.0.1 "$FLOOD_PORT" 36000 30000 1000)
r1=$(rss)
f2=$("$FLOOD" 127.0.0.1 "$FLOOD_PORT" 36000 30000 1000000)
r2=$(rss)
touch "$WORK/stop"
wait "$wpid"
echo "# flood 1: $f1, RSS $r1 KiB; flood 2: $f2, RSS $r2 KiB"
expect_eq "flood 1: every request answered" "${f1#ok }" "36000 slow 0 closed 0"
expect_eq "flood 2: every request answered" "${f2#ok }" "36000 slow 0 closed 0"
if [ -n "$r1" ] && [ -n "$r2" ] && [ "$r2" -lt $((r1 + 1024)) ]; then
	ok "memory bounded: $r1 KiB after 30,000 addresses, $r2 KiB after 60,000"
else
	not_ok "memory bounded (grows by less than 1 MiB)" "$r1 -> $r2 KiB"
fi
read -r good bad <"$WORK/watch"
expect_eq "the allowed client answered throughout ($good requests)" "$bad" 0
[ "$good" -gt 0 ] && ok "the allowed client asked during the flood" ||
    not_ok "the allowed client asked during the flood"
expect_eq "still serving after the flood (an allowed address)" \
    "$(st -b 127.0.0.2)" "20 text/gemini"
finish
