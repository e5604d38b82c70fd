# --log FILE: every line goes to the file; SIGUSR1 opens it anew after it
# was moved away (logrotate); the config file's "log" does the same.
. "$(dirname "$0")/lib.sh"

AL=$WORK/zeche-access.log

start_zeche_log "$AL" --log-ip=anon
gem "gemini://$H/erste-anfrage" >/dev/null
wait_log "erste-anfrage" "$AL" && ok "--log: the access line is in the file" ||
    not_ok "--log: the access line is in the file" "$(cat "$AL" 2>&1)"
# protocol, client, "request", status, host, bytes, duration
line=$(grep -F 'erste-anfrage' "$AL" | tail -1)
if printf '%s\n' "$line" | grep -qE \
    'gemini 127\.0\.0\.0 "gemini://localhost/erste-anfrage" 51 \(localhost, 19 bytes, [0-9]+ ms\)$'; then
	ok "access line: anonymised client, request, status, host, bytes, duration"
else
	not_ok "access line: anonymised client, request, status, host, bytes, duration" \
	    "$line"
fi
expect_not_contains "--log-ip=anon: no full address" "$(cat "$AL")" "127.0.0.1 "
expect_log "--log: the start messages are in the file" "loaded $ROOT" "$AL"
expect_not_contains "--log: nothing of it on stderr" "$(cat "$LOG")" \
    "erste-anfrage"

mv "$AL" "$AL.1"
kill -USR1 "$ZPID"
wait_log "SIGUSR1: log $AL reopened" "$AL" &&
    ok "SIGUSR1: a new file" || not_ok "SIGUSR1: a new file" "$(ls "$WORK")"
gem "gemini://$H/zweite-anfrage" >/dev/null
wait_log "zweite-anfrage" "$AL" &&
    ok "SIGUSR1: later lines go to the new file" ||
    not_ok "SIGUSR1: later lines go to the new file" "$(cat "$AL" 2>&1)"
expect_not_contains "SIGUSR1: the moved file keeps only the old lines" \
    "$(cat "$AL.1")" "zweite-anfrage"
expect_contains "SIGUSR1: the moved file keeps the old lines" \
    "$(cat "$AL.1")" "erste-anfrage"
alive "SIGUSR1"
stop_zeche

# the config file's "log", relative to the file's folder
rm -f "$AL"
cat >"$WORK/zeche.conf" <<CONF
log zeche-access.log
$(host_block)
CONF
"$ZECHE" --config "$WORK/zeche.conf" --gemini "127.0.0.1:$GEMINI_PORT" \
    --gopher "127.0.0.1:$GOPHER_PORT" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving 0 "$AL" ||
    { not_ok "config log: zeche starts" "$(tail -5 "$LOG")"; finish; }
gem "gemini://$H/dritte-anfrage" >/dev/null
wait_log "dritte-anfrage" "$AL" && ok "config log: the access line is in the file" ||
    not_ok "config log: the access line is in the file" "$(tail -5 "$LOG")"

# a log inside a capsule would be served by the next load, client
# addresses and all: a reload that puts it into one fails, and the old
# hosts stay
cat >>"$WORK/zeche.conf" <<CONF
host "b.example" {
	root  .
	certs certs
}
CONF
kill -HUP "$ZPID"
expect_log "a reload that puts the log into a capsule: fails, saying why" \
    "log $WORK/zeche-access.log: inside the capsule folder $WORK/. (host b.example), which would serve it" \
    "$AL"
expect_log "... and keeps the old hosts" "reload failed" "$AL"
h=$(gem_header "gemini://b.example/zeche-access.log" -s b.example)
expect_eq "a reload that puts the log into a capsule: the log is not served" \
    "${h:0:3}" "53 "
alive "a reload that put the log into a capsule"
stop_zeche

# and at start: refused before anything is written there
out=$("$ZECHE" --root "$ROOT" --certs "$CERTS" --host "$H" \
    --log "$ROOT/zeche.log" --gemini "127.0.0.1:$(free_port)" \
    --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "--log inside the capsule: exit 1" "$?" 1
expect_contains "--log inside the capsule: says why" "$out" \
    "log $ROOT/zeche.log: inside the capsule folder $ROOT (host $H), which would serve it"
expect_eq "--log inside the capsule: no file made there" \
    "$([ -e "$ROOT/zeche.log" ] && echo made || echo none)" none

# a log nobody reads (journald backed up, a full pipe): zeche serves on,
# and every line comes out once someone reads.  600 access lines of some
# 250 bytes are more than the 64 KiB a pipe holds (a line written by the
# loop itself would block it), and less than the queue (none dropped).
# One worker, so that the lines' order is the requests' (with two, one
# worker may log the next request before the other logs the one before).
FIFO=$WORK/log.fifo
mkfifo "$FIFO"
exec 3<>"$FIFO"		# open for reading, never read until the end
"$ZECHE" --root "$ROOT" --certs "$CERTS" --host "$H" --lang de \
    --gemini "127.0.0.1:$GEMINI_PORT" --gopher "127.0.0.1:$GOPHER_PORT" \
    --workers 1 >>"$LOG" 2>"$FIFO" &
ZPID=$!
wait_port "$GEMINI_PORT" && wait_port "$GOPHER_PORT" ||
    not_ok "a log nobody reads: zeche starts and listens"
sel=/nicht-da-$(printf '%0170d' 0)
n=0
for i in $(seq 1 600); do
	exec 4<>"/dev/tcp/127.0.0.1/$GOPHER_PORT" || break
	printf '%s-%d\r\n' "$sel" "$i" >&4
	IFS= read -r -t 5 line <&4 || line=
	# to the end: zeche queues the access line before it closes, so
	# the lines are queued in the order of the requests, whichever
	# worker serves them
	while IFS= read -r -t 5 rest <&4; do :; done
	exec 4<&-
	case "$line" in
	3*) n=$i ;;
	*) break ;;		# no answer within 5 s: stalled
	esac
done
expect_eq "a log nobody reads: 600 Gopher requests answered" "$n" 600
expect_contains "a log nobody reads: the root menu still served" \
    "$(gopher "")" "Neutral test capsule"
cat <&3 >"$WORK/fifo.out" &
catpid=$!
wait_log "$sel-600\"" "$WORK/fifo.out" &&
    ok "a log nobody reads: the lines come out once it is read" ||
    not_ok "a log nobody reads: the lines come out once it is read" \
    "$(tail -c 600 "$WORK/fifo.out")"
expect_eq "a log nobody reads: every line, none dropped" \
    "$(grep -cF "$sel-" "$WORK/fifo.out")" 600
expect_contains "a log nobody reads: the first line, in order" \
    "$(grep -F "$sel-" "$WORK/fifo.out" | head -1)" "$sel-1\""
stop_zeche
expect_contains "a log nobody reads: the stop is logged" \
    "$(tail -3 "$WORK/fifo.out")" "stopping"
kill "$catpid"
wait "$catpid" 2>/dev/null
exec 3<&-

finish
