# Metrics: the listener answers GET /metrics and nothing else; under load
# from Gemini, Gopher and Spartan clients (two workers), every scrape
# passes promtool and the counters add up exactly to the requests made,
# their bytes and handshakes; refusals by the per-address budget and the
# deadline are counted; reloads are; a Unix socket serves as well.
. "$(dirname "$0")/lib.sh"
: "${SPGET:?SPGET must name the spget client}"

if ! command -v promtool >/dev/null; then
	echo "promtool not found (Debian package prometheus)"
	exit 77
fi

GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
METRICS_PORT=$(free_port)
ROUNDS=20		# per client loop
LOOPS=4			# client loops at once

conf() {
	cat >"$WORK/zeche.conf" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT
metrics $1
workers 2
per_address 6
timeout 2
$(host_block)
CONF
}

# scrape [curl options]: the exposition, in $SCRAPE; 0 if it came as 200
scrape() {
	SCRAPE=$(curl -s -f --max-time 10 "$@" \
	    "http://127.0.0.1:$METRICS_PORT/metrics")
}

# metric 'NAME{LABELS}': its value in $SCRAPE (0 if absent)
metric() {
	printf '%s\n' "$SCRAPE" | awk -v k="$1" '
	    index($0, k " ") == 1 { v = $2 } END { print v + 0 }'
}

conf "127.0.0.1:$METRICS_PORT"
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || { not_ok "zeche starts" "$(tail -20 "$LOG")"; finish; }

# --- the listener: GET /metrics, and nothing else
scrape && ok "GET /metrics: 200" || not_ok "GET /metrics: 200" "$(tail "$LOG")"
expect_contains "a counter with HELP and TYPE" "$SCRAPE" \
    "# TYPE zeche_requests_total counter"
expect_eq "nothing counted yet" "$(metric 'zeche_connections_accepted_total{proto="gemini"}')" 0
hdr=$(curl -s -i --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics" | tr -d '\r' | head -n 3)
expect_contains "the text format's content type" "$hdr" \
    "Content-Type: text/plain; version=0.0.4; charset=utf-8"
code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"
}
expect_eq "another path: 404" "$(code "http://127.0.0.1:$METRICS_PORT/")" 404
expect_eq "another method: 405" \
    "$(code -X POST "http://127.0.0.1:$METRICS_PORT/metrics")" 405
expect_eq "HTTP/1.0 is served" \
    "$(code -0 "http://127.0.0.1:$METRICS_PORT/metrics")" 200
raw() {
	printf "$1" | "$GEMGET" -t 127.0.0.1 "$METRICS_PORT" 2>/dev/null | head -n 1 | tr -d '\r'
}
expect_eq "garbage: 400" "$(raw 'hello\r\n\r\n')" "HTTP/1.1 400 Bad Request"
expect_eq "not HTTP/1.x: 400" "$(raw 'GET /metrics HTTP/9.9\r\n\r\n')" \
    "HTTP/1.1 400 Bad Request"
expect_eq "a head that never ends: 400" \
    "$(head -c 20000 /dev/zero | tr '\0' a | "$GEMGET" -t 127.0.0.1 "$METRICS_PORT" 2>/dev/null | head -n 1 | tr -d '\r')" \
    "HTTP/1.1 400 Bad Request"
expect_eq "NUL bytes: 400" "$(raw 'GET /me\0trics HTTP/1.1\r\n\r\n')" \
    "HTTP/1.1 400 Bad Request"
expect_eq "closed half-way: 400" "$(raw 'GET /metrics HTTP/1.1\r\n')" \
    "HTTP/1.1 400 Bad Request"
scrape && ok "still answering after bad requests" ||
    not_ok "still answering after bad requests" "$(tail "$LOG")"

# a client that trickles its request (25 bytes, one each 600 ms): cut at
# the deadline, 10 s after its accept, while the others are served
printf 'GET /metrics HTTP/1.1\r\n\r\n' |
    "$GEMGET" -t -w 600 127.0.0.1 "$METRICS_PORT" >"$WORK/trickle.out" 2>/dev/null &
TRICKLE=$!

# --- under load: the counters add up to the requests made
client() {
	local n=$1 i f
	for i in $(seq 1 "$ROUNDS"); do
		f=$WORK/out.$n.$i
		"$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" >"$f.g20"
		"$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/nope" >"$f.g51"
		printf '\r\n' | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT" >"$f.pok"
		printf '/nope\r\n' | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT" >"$f.perr"
		"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" / >"$f.s2"
	done
}
pids=
for n in $(seq 1 "$LOOPS"); do
	client "$n" &
	pids="$pids $!"
done
scrapes=0
bad=
while kill -0 $pids 2>/dev/null; do
	scrape || { bad="scrape failed"; break; }
	printf '%s\n' "$SCRAPE" | promtool check metrics >"$WORK/promtool.out" 2>&1 ||
	    { bad=$(cat "$WORK/promtool.out"); break; }
	scrapes=$((scrapes + 1))
done
wait $pids
[ -z "$bad" ] && ok "$scrapes scrapes under load, each passing promtool" ||
    not_ok "scrapes under load pass promtool" "$bad"

N=$((ROUNDS * LOOPS))
bytes() {
	cat "$WORK"/out.*."$1" | wc -c
}
expect_eq "every Gemini 20 answered" "$(grep -l '^20 ' "$WORK"/out.*.g20 | wc -l)" "$N"
expect_eq "every Gopher error answered" "$(grep -l '^3' "$WORK"/out.*.perr | wc -l)" "$N"
# the counts are in once each client has its answer: poll for the last
for i in $(seq 1 50); do
	scrape
	[ "$(metric "zeche_requests_total{host=\"$H\",proto=\"spartan\",status=\"2\"}")" = "$N" ] && break
	sleep 0.1
done
expect_eq "Gemini 20 requests" "$(metric "zeche_requests_total{host=\"$H\",proto=\"gemini\",status=\"20\"}")" "$N"
expect_eq "Gemini 51 requests" "$(metric "zeche_requests_total{host=\"$H\",proto=\"gemini\",status=\"51\"}")" "$N"
expect_eq "Gopher ok requests" "$(metric "zeche_requests_total{host=\"$H\",proto=\"gopher\",status=\"ok\"}")" "$N"
expect_eq "Gopher error requests" "$(metric "zeche_requests_total{host=\"$H\",proto=\"gopher\",status=\"error\"}")" "$N"
expect_eq "Spartan 2 requests" "$(metric "zeche_requests_total{host=\"$H\",proto=\"spartan\",status=\"2\"}")" "$N"
expect_eq "no other series" "$(printf '%s\n' "$SCRAPE" | grep -c '^zeche_requests_total{')" 5
expect_eq "Gemini bytes sent: what the clients got" \
    "$(metric "zeche_sent_bytes_total{host=\"$H\",proto=\"gemini\"}")" \
    "$(( $(bytes g20) + $(bytes g51) ))"
expect_eq "Gopher bytes sent: what the clients got" \
    "$(metric "zeche_sent_bytes_total{host=\"$H\",proto=\"gopher\"}")" \
    "$(( $(bytes pok) + $(bytes perr) ))"
expect_eq "Spartan bytes sent: what the client got" \
    "$(metric "zeche_sent_bytes_total{host=\"$H\",proto=\"spartan\"}")" \
    "$(bytes s2)"
expect_eq "Gemini connections accepted" \
    "$(metric 'zeche_connections_accepted_total{proto="gemini"}')" $((2 * N))
expect_eq "Gopher connections accepted" \
    "$(metric 'zeche_connections_accepted_total{proto="gopher"}')" $((2 * N))
expect_eq "full TLS handshakes: one per Gemini request" \
    "$(metric 'zeche_tls_handshakes_total{proto="gemini",kind="full"}')" $((2 * N))
expect_eq "the duration histogram counts every Gemini request" \
    "$(metric 'zeche_request_duration_seconds_count{proto="gemini"}')" $((2 * N))
expect_eq "its +Inf bucket as well" \
    "$(metric 'zeche_request_duration_seconds_bucket{proto="gemini",le="+Inf"}')" $((2 * N))
expect_eq "no answer cut" "$(metric 'zeche_answers_cut_total{proto="gemini"}')" 0
expect_eq "two workers" "$(metric zeche_workers)" 2
pages=$(sed -n 's/.*loaded .*: \([0-9]*\) pages.*/\1/p' "$LOG" | tail -n 1)
expect_eq "the capsule's pages" "$(metric "zeche_capsule_pages{host=\"$H\"}")" "$pages"

wait "$TRICKLE"
expect_eq "a trickled request: no answer" "$(wc -c <"$WORK/trickle.out")" 0
expect_log "a trickled request: cut at the deadline" \
    "metrics: a client sent no request in time"

# --- a resumed handshake
"$GEMGET" -R "$WORK/sess" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" >/dev/null 2>&1
"$GEMGET" -R "$WORK/sess" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" >/dev/null 2>"$WORK/sess.err"
expect_contains "the client resumed" "$(cat "$WORK/sess.err")" "session: resumed"
scrape
expect_eq "a resumed handshake is counted as one" \
    "$(metric 'zeche_tls_handshakes_total{proto="gemini",kind="resumed"}')" 1

# --- refused: the per-address budget, then the deadline
for fd in 3 4 5 6 7 8; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$GEMINI_PORT"
done
wait_accepted "$GEMINI_PORT" "six idle connections"
exec 9<>"/dev/tcp/127.0.0.1/$GEMINI_PORT"
for i in $(seq 1 100); do
	scrape
	[ "$(metric 'zeche_connections_refused_total{reason="per_address"}')" = 1 ] && break
	sleep 0.1
done
expect_eq "the seventh from one address: refused, per_address" \
    "$(metric 'zeche_connections_refused_total{reason="per_address"}')" 1
expect_eq "six open" "$(metric zeche_connections_open)" 6
for i in $(seq 1 100); do
	scrape
	[ "$(metric 'zeche_connections_refused_total{reason="deadline"}')" = 6 ] && break
	sleep 0.1
done
expect_eq "the six idle ones: dropped at the deadline" \
    "$(metric 'zeche_connections_refused_total{reason="deadline"}')" 6
expect_eq "none open after" "$(metric zeche_connections_open)" 0
expect_eq "no refusal for the global cap" \
    "$(metric 'zeche_connections_refused_total{reason="max_conns"}')" 0
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-

# --- reloads, good and failed
reload "good reload"
scrape
expect_eq "a good reload" "$(metric zeche_reloads_total)" 1
t=$(metric zeche_last_reload_success_timestamp_seconds)
[ "$t" -ge "$(($(date +%s) - 60))" ] && ok "the last good reload's time" ||
    not_ok "the last good reload's time" "$t"
mv "$WORK/zeche.conf" "$WORK/zeche.conf.good"
echo "nonsense here" >"$WORK/zeche.conf"
reload "failed reload"
scrape
expect_eq "a failed reload" "$(metric zeche_reload_failures_total)" 1
expect_eq "the good reload stays counted" "$(metric zeche_reloads_total)" 1
mv "$WORK/zeche.conf.good" "$WORK/zeche.conf"
alive "the scrapes"
stop_zeche

# --- a Unix socket; its file removed at the stop
SOCK=$WORK/metrics.sock
conf "\"unix:$SOCK\""
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || { not_ok "zeche starts (Unix socket)" "$(tail -20 "$LOG")"; finish; }
out=$(curl -s -f --max-time 10 --unix-socket "$SOCK" http://localhost/metrics)
expect_contains "scraped over the Unix socket" "$out" "zeche_workers 2"
mode=$(stat -c %a "$SOCK")
expect_eq "the socket's mode" "$mode" 660
stop_zeche
[ -e "$SOCK" ] && not_ok "the socket's file is removed at the stop" ||
    ok "the socket's file is removed at the stop"

# --- off by default: no listener
conf "127.0.0.1:$METRICS_PORT"
sed -i '/^metrics /d' "$WORK/zeche.conf"
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || { not_ok "zeche starts (no metrics)" "$(tail -20 "$LOG")"; finish; }
expect_eq "no metrics line: nothing listens" \
    "$(code "http://127.0.0.1:$METRICS_PORT/metrics")" 000
finish
