# Listeners on Unix sockets ("unix:/PATH" in zeche.conf): Gemini with a
# PROXY v2 header (the client it names is logged), Gopher and Spartan
# without (the peer is "unix"), shared by two workers; the socket file's
# mode and owner as configured; a stale socket file replaced at start,
# anything else at the path refused; the file removed at stop.
. "$(dirname "$0")/lib.sh"
: "${UNIXSOCK:?UNIXSOCK must name the unixsock tool}"

CONF=$WORK/zeche.conf
S=$WORK/s
mkdir "$S"
GSOCK=$S/gemini.sock
OSOCK=$S/gopher.sock
PSOCK=$S/spartan.sock
write_conf() {	# [extra words for the Gopher listener]
	cat >"$CONF" <<-CONF
	gemini "unix:$GSOCK" proxy mode 0666
	gopher "unix:$OSOCK" $*
	spartan "unix:$PSOCK" public 3000
	workers 2
	log_ip full
	host "$H" {
		root "$ROOT"
		certs "$CERTS"
		lang "de"
		gopher on
	}
	CONF
}
start_conf() {
	"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
	ZPID=$!
	wait_serving "$(serving)"
}

# a stale socket file at the Gemini path: a socket nothing answers on
"$UNIXSOCK" listen "$GSOCK" "$WORK/dgrams" &
upid=$!
for i in $(seq 1 100); do [ -S "$GSOCK" ] && break; sleep 0.1; done
kill -9 "$upid"
wait "$upid" 2>/dev/null
[ -S "$GSOCK" ] && ok "a stale socket file is left at the path" ||
    not_ok "a stale socket file is left at the path"

write_conf
if ! start_conf; then
	not_ok "zeche starts on Unix sockets" "$(tail -20 "$LOG")"
	finish
fi
ok "zeche starts on Unix sockets"
expect_log "the stale socket is replaced" \
    "unix:$GSOCK: stale socket replaced"
expect_log "the log names the socket" \
    "serving gemini://$H:1965/ on unix:$GSOCK"
expect_log "a Unix listener's public port is in the log" \
    "serving spartan://$H:3000/ on unix:$PSOCK"

# PROXY v2 from 192.0.2.8
printf '\r\n\r\n\0\r\nQUIT\n\041\021\0\014\300\0\002\010\177\0\0\001\234\100\007\255' \
    >"$WORK/v2"
pgem() {	# REQUEST: the status line over the Gemini socket, with v2
	"$GEMGET" -x "$WORK/v2" -s "$H" "unix:$GSOCK" 0 "$1" 2>/dev/null |
	    head -n 1 | tr -d '\r'
}
expect_eq "Gemini over a Unix socket, PROXY v2" "$(pgem "gemini://$H/")" \
    "20 text/gemini; lang=de"
expect_log "the client the PROXY header names is logged" \
    "gemini 192.0.2.8 \"gemini://$H/\" 20"
expect_eq "a URL with the public port (1965 by default) is served" \
    "$(pgem "gemini://$H:1965/")" "20 text/gemini; lang=de"
expect_eq "without the PROXY header: closed, no answer" \
    "$("$GEMGET" -s "$H" "unix:$GSOCK" 0 "gemini://$H/" 2>/dev/null | wc -c)" 0

menu=$(curl -s --max-time 10 --unix-socket "$OSOCK" "gopher://$H/")
expect_contains "Gopher over a Unix socket (curl --unix-socket)" "$menu" \
    "Neutral test capsule"
expect_log "a Unix peer is logged as \"unix\"" "gopher unix \"\" 1"
expect_eq "Gopher over a Unix socket (gemget)" \
    "$("$GEMGET" -t "unix:$OSOCK" 0 "" 2>/dev/null)" "$menu"
sp=$("$SPGET" "unix:$PSOCK" 0 "$H" / 2>/dev/null | head -n 1 | tr -d '\r')
expect_eq "Spartan over a Unix socket" "$sp" "2 text/gemini; lang=de"

# two workers share each socket: every one of 40 requests is answered
n=0
for i in $(seq 1 40); do
	[ "$(pgem "gemini://$H/")" = "20 text/gemini; lang=de" ] && n=$((n + 1))
done
expect_eq "two workers on one Unix socket: 40 of 40 answered" "$n" 40

expect_eq "the Gemini socket's mode as configured" \
    "$(stat -c %a "$GSOCK")" 666
expect_eq "the Gopher socket's mode by default" "$(stat -c %a "$OSOCK")" 660

# a second zeche on the same paths: refused, the first one keeps them
out=$("$ZECHE" --config "$CONF" 2>&1)
expect_contains "a second zeche on the same socket is refused" "$out" \
    "another zeche listens there"
expect_eq "the first zeche still answers" "$(pgem "gemini://$H/")" \
    "20 text/gemini; lang=de"

stop_zeche
for f in "$GSOCK" "$OSOCK" "$PSOCK"; do
	[ ! -e "$f" ] && ok "removed at stop: ${f##*/}" ||
	    not_ok "removed at stop: ${f##*/}" "$(ls -l "$S")"
done

# a file that is no socket is never removed
echo keep >"$GSOCK"
out=$("$ZECHE" --config "$CONF" 2>&1)
expect_contains "a regular file at the path: refused" "$out" \
    "unix:$GSOCK: exists and is not a socket"
expect_eq "the regular file is kept" "$(cat "$GSOCK")" keep
rm -f "$GSOCK"

# owner and group, as root
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null &&
    getent group nogroup >/dev/null; then
	write_conf 'owner "nobody" group "nogroup" mode 0640'
	if start_conf; then
		expect_eq "the socket's owner, group and mode as configured" \
		    "$(stat -c '%U %G %a' "$OSOCK")" "nobody nogroup 640"
		stop_zeche
	else
		not_ok "zeche starts with owner and group" "$(tail -5 "$LOG")"
	fi
else
	echo "# not root (or no nobody/nogroup): owner and group not checked"
fi
finish
