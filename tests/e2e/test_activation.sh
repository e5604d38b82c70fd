# Socket activation: with LISTEN_FDS (as systemd sets it) zeche takes its
# listening sockets from the caller, matched to the configuration's
# listeners by address (TCP and Unix) or by FileDescriptorName=, and binds
# nothing for them; a socket no listener takes is closed with a warning;
# a connection queued before zeche runs is served (systemd-socket-activate
# starts zeche on the first connection).  Under a launcher that keeps the
# sockets open across restarts (tests/e2e/sockact.c, as systemd does for
# zeche.socket), zeche restarted three times under load refuses no
# connection.
. "$(dirname "$0")/lib.sh"
: "${SOCKACT:?SOCKACT must name the sockact launcher}"

CONF=$WORK/zeche.conf
PIDFILE=$WORK/zeche.pid
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
UNUSED_PORT=$(free_port)
SPARE_PORT=$(free_port)
SSOCK=$WORK/spartan.sock
cat >"$CONF" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$UNUSED_PORT
spartan "unix:$SSOCK"
workers 2
host "$H" {
	root "$ROOT"
	certs "$CERTS"
	lang "de"
	gopher on
}
CONF

# systemd-socket-activate (Debian's systemd): it listens, and runs zeche
# at the first connection, which waits in the queue meanwhile
if command -v systemd-socket-activate >/dev/null; then
	systemd-socket-activate -l "127.0.0.1:$GEMINI_PORT" --fdname=gemini \
	    "$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
	ZPID=$!
	wait_port "$GEMINI_PORT"
	expect_eq "systemd-socket-activate: the first connection is served" \
	    "$(gem_header "gemini://$H/" -s "$H")" "20 text/gemini; lang=de"
	expect_log "systemd-socket-activate: the socket is taken from systemd" \
	    "gemini: listening on 127.0.0.1:$GEMINI_PORT, from systemd"
	stop_zeche
else
	echo "# no systemd-socket-activate (Debian's systemd): not run with it"
fi

# the launcher: Gemini by address, Gopher by name (the configuration's
# port stays unbound), Spartan by its Unix path, and one socket no
# listener takes
"$SOCKACT" "$PIDFILE" -l "127.0.0.1:$GEMINI_PORT" -n gemini \
    -l "127.0.0.1:$GOPHER_PORT" -n gopher -u "$SSOCK" \
    -l "127.0.0.1:$SPARE_PORT" -n spare -- \
    "$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
if ! wait_serving 1; then
	not_ok "zeche starts on the launcher's sockets" "$(tail -20 "$LOG")"
	finish
fi
ok "zeche starts on the launcher's sockets"
expect_log "Gopher takes the socket named gopher" \
    "gopher: listening on 127.0.0.1:$GOPHER_PORT, from systemd"
expect_log "Spartan takes the Unix socket at its path" \
    "spartan: listening on unix:$SSOCK, from systemd"
expect_log "a socket no listener takes is closed, with a warning" \
    "127.0.0.1:$SPARE_PORT (LISTEN_FDS, descriptor 6, named spare): no listener"
expect_eq "Gemini served on the inherited socket" \
    "$(gem_header "gemini://$H/" -s "$H")" "20 text/gemini; lang=de"
expect_contains "Gopher served on the socket named gopher" \
    "$(curl -s --max-time 10 "gopher://127.0.0.1:$GOPHER_PORT/")" \
    "Neutral test capsule"
expect_eq "the configuration's Gopher port is not bound" \
    "$(curl -s --max-time 5 "gopher://127.0.0.1:$UNUSED_PORT/"; echo $?)" 7
expect_eq "Spartan served on the inherited Unix socket" \
    "$("$SPGET" "unix:$SSOCK" 0 "$H" / 2>/dev/null | head -n 1 | tr -d '\r')" \
    "2 text/gemini; lang=de"

# load: four clients asking in a loop while zeche is restarted three times
client() {	# N: requests until $WORK/stop exists; first lines to load.N
	while [ ! -e "$WORK/stop" ]; do
		"$GEMGET" -s "$H" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" 2>&1 |
		    head -n 1 | tr -d '\r'
	done >"$WORK/load.$1"
}
for c in 1 2 3 4; do client "$c" & done
for r in 1 2 3; do
	before=$(serving)
	kill -TERM "$(cat "$PIDFILE")"
	if wait_serving "$before"; then
		ok "restart $r: zeche serves again on the same sockets"
	else
		not_ok "restart $r: zeche serves again" "$(tail -20 "$LOG")"
	fi
done
n=$(cat "$WORK"/load.* | grep -c '^20 text/gemini')
[ "$n" -gt 0 ] && ok "answers under load: $n" || not_ok "answers under load"
touch "$WORK/stop"
wait $(jobs -p | grep -vx "$ZPID") 2>/dev/null
refused=$(cat "$WORK"/load.* | grep -c 'refused')
expect_eq "no connection refused across three restarts" "$refused" 0
echo "# $(cat "$WORK"/load.* | wc -l) requests: $(cat "$WORK"/load.* |
    sort | uniq -c | tr '\n' ';')"
expect_eq "Gemini served after the restarts" \
    "$(gem_header "gemini://$H/" -s "$H")" "20 text/gemini; lang=de"
[ -S "$SSOCK" ] && ok "the inherited Unix socket is left to its owner" ||
    not_ok "the inherited Unix socket is left to its owner"
finish
