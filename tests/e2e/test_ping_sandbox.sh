# Ping on publish under --user with --config: the aggregator's name
# ("localhost", which needs /etc/hosts) is resolved before confinement,
# Landlock (ABI 4 and later) lets the process connect to the ping URL's
# port and to no other, and a reload with a new article sends exactly
# one submit.  From inside (the probe, see probe.c), a TCP connect to
# zeche's own port and a TCP bind stay denied; a ping URL added by a
# reload, on another port, is denied too and logged as needing a
# restart.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "# not root, or no user nobody: the sandbox is not tested"
	exit 77
fi
: "${AGGREGATOR:?AGGREGATOR must name the fake aggregator}"
: "${ZECHE_PROBE:?ZECHE_PROBE must name the probe library}"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0

AGG_PIDS=()
stop_aggregators() {
	local p
	for p in "${AGG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	AGG_PIDS=()
}
trap 'stop_aggregators; cleanup' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/agg.key" \
    -out "$WORK/agg.crt" -days 1 -subj /CN=localhost 2>/dev/null ||
    { not_ok "openssl makes the aggregator's certificate"; finish; }
# start_aggregator NAME: on a free port, its requests in $WORK/NAME.log
start_aggregator() {
	local name=$1 port i
	port=$(free_port)
	: >"$WORK/$name.log"
	"$AGGREGATOR" "$WORK/agg.crt" "$WORK/agg.key" "$port" \
	    "$WORK/$name.log" >"$WORK/$name.out" 2>&1 &
	AGG_PIDS+=($!)
	for i in $(seq 1 100); do
		grep -q listening "$WORK/$name.out" && break
		sleep 0.1
	done
	eval "${name}_PORT=$port"
}
start_aggregator agg
start_aggregator other

lines() { wc -l <"$1" | tr -d ' '; }
# wait_lines FILE N: until FILE holds N lines (30 s at most)
wait_lines() {
	local i
	for i in $(seq 1 300); do
		[ "$(lines "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# probe: SIGUSR2 to zeche, then PROBE holds the probe's lines
probe() {
	local n lines i
	n=$(grep -c '^zeche-probe: done' "$LOG")
	lines=$(wc -l <"$LOG")
	PROBE=
	kill -USR2 "$ZPID"
	for i in $(seq 1 100); do
		if [ "$(grep -c '^zeche-probe: done' "$LOG")" -gt "$n" ]; then
			PROBE=$(tail -n +"$((lines + 1))" "$LOG" |
			    grep '^zeche-probe: ')
			return 0
		fi
		sleep 0.1
	done
	not_ok "the probe answers" "$(tail -5 "$LOG")"
}
got() {
	printf '%s\n' "$PROBE" | sed -n "s/^zeche-probe: $1: //p"
}

chmod 755 "$WORK" "$CERTS" 2>/dev/null
mkdir -p "$CERTS" "$WORK/etc"
chmod 755 "$CERTS" "$WORK/etc"
chown -R nobody "$ROOT"
CONF=$WORK/etc/zeche.conf
cat >"$CONF" <<CONF
host "$H" {
	root          "$ROOT"
	certs         "$CERTS"
	gopher        on
	ping          "gemini://localhost:$agg_PORT/submit"
	ping_interval 1
}
CONF
export ZECHE_PROBE_READ_OK=$ROOT/index.gmi
LD_PRELOAD=$ZECHE_PROBE start_zeche --config "$CONF" --user nobody
if ! grep -q 'landlock ABI' "$LOG"; then
	echo "# this kernel has no Landlock: $(grep -i landlock "$LOG")"
	finish
fi
probe
abi=$(got landlock-abi)
echo "# this kernel's Landlock ABI: $abi"
expect_log "the aggregator's name is resolved before confinement" \
    "ping gemini://localhost:$agg_PORT/submit: localhost resolved now, before confinement"
expect_eq "nothing is pinged at the start" "$(lines "$WORK/agg.log")" 0

# a new article: exactly one submit, through the sandbox
feed="gemini%3A%2F%2F$H%3A$GEMINI_PORT%2Fnotes%2Fatom.xml"
printf '# Eingesperrt\n\nText.\n' >"$ROOT/notes/2024-06-03-eingesperrt.gmi"
reload "a new article"
expect_contains "the reload queues the feed's ping" "$RELOAD_LOG" \
    "1 new or changed article, queued for 1 aggregator"
wait_lines "$WORK/agg.log" 1
expect_log "the aggregator's answer is logged" \
    "ping gemini://localhost:$agg_PORT/submit for gemini://$H:$GEMINI_PORT/notes/atom.xml: 20 text/gemini"
expect_eq "the aggregator got exactly one submit, under --user" \
    "$(cat "$WORK/agg.log")" "gemini://localhost:$agg_PORT/submit?$feed"

if [ "$abi" -ge 4 ]; then
	expect_contains "Landlock's line names the one port allowed" \
	    "$(grep -o 'landlock ABI .*' "$LOG")" \
	    "landlock ABI $abi: read-only beneath 3 folders, TCP connect only to port $agg_PORT; denied as well: truncating, TCP bind, "
	expect_eq "TCP connect to zeche's own port: still denied" \
	    "$(got connect)" EACCES
	expect_eq "TCP bind: still denied" "$(got bind)" EACCES

	# a ping URL on another port, added by a reload: denied, and said
	cat >"$CONF" <<CONF
host "$H" {
	root          "$ROOT"
	certs         "$CERTS"
	gopher        on
	ping          "gemini://localhost:$agg_PORT/submit"
	ping          "gemini://127.0.0.1:$other_PORT/submit"
	ping_interval 1
}
CONF
	printf '# Noch einer\n\nText.\n' >"$ROOT/notes/2024-06-04-noch-einer.gmi"
	reload "a ping URL on another port"
	expect_log "another port: the connection is denied, and a restart asked for" \
	    "ping gemini://127.0.0.1:$other_PORT/submit for gemini://$H:$GEMINI_PORT/notes/atom.xml: connecting denied (under --user only the ports of the ping URLs at the start may be connected to; restart zeche)"
	wait_lines "$WORK/agg.log" 2
	expect_eq "the allowed aggregator got the second submit" \
	    "$(lines "$WORK/agg.log")" 2
	expect_eq "the aggregator on another port got nothing" \
	    "$(lines "$WORK/other.log")" 0
fi
alive "pings under --user"
stop_zeche
stop_aggregators
finish
