# --proxy-protocol: every listener expects a PROXY header (v1 or v2) first;
# the client's address in it is what the access log shows and what the
# per-address budget counts; a missing, malformed or late header closes
# the connection with a log line.  Without the option a PROXY header is an
# ordinary bad request.
. "$(dirname "$0")/lib.sh"

# v1 and v2 headers from a client at SRC (IPv4), to write before a request
v1() { printf 'PROXY TCP4 %s 127.0.0.1 40000 1965\r\n' "$1" >"$WORK/$2"; }
v2() {		# SRC-as-4-octal-escapes FILE
	printf '\r\n\r\n\0\r\nQUIT\n\041\021\0\014'"$1"'\177\0\0\001\234\100\007\255' \
	    >"$WORK/$2"
}
v1 192.0.2.7 v1
v2 '\300\0\002\010' v2				# 192.0.2.8
printf '\r\n\r\n\0\r\nQUIT\n\041\041\0\044\040\001\015\270\0\0\0\0\0\0\0\0\0\0\0\011\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\001\234\100\007\255' \
    >"$WORK/v2-6"				# 2001:db8::9
printf '\r\n\r\n\0\r\nQUIT\n\040\0\0\0' >"$WORK/local"
printf 'PROXY TCP4 192.0.2.7 127.0.0.1 040000 1965\r\n' >"$WORK/bad"
printf 'PROXY TCP4 192.0.2.7 127.0.0.1 40000' >"$WORK/cut"

pgem() {	# HEADER-FILE: the status line of / after that header
	"$GEMGET" -x "$WORK/$1" -s "$H" 127.0.0.1 "$GEMINI_PORT" \
	    "gemini://$H/" 2>/dev/null | head -n 1 | tr -d '\r'
}
pgopher() {	# HEADER-FILE: the Gopher root menu after that header
	"$GEMGET" -t -x "$WORK/$1" 127.0.0.1 "$GOPHER_PORT" "" 2>/dev/null
}
start_zeche --proxy-protocol --log-ip --timeout 2
menu=$(pgopher local | head -n 1)
expect_contains "the Gopher root menu after a LOCAL header" "$menu" \
    "Neutral test capsule"
expect_eq "v1: Gemini served" "$(pgem v1)" "20 text/gemini; lang=de"
expect_log "v1: the client's address is logged" \
    "gemini 192.0.2.7 \"gemini://$H/\" 20"
expect_eq "v2: Gemini served" "$(pgem v2)" "20 text/gemini; lang=de"
expect_log "v2: the client's address is logged" \
    "gemini 192.0.2.8 \"gemini://$H/\" 20"
expect_eq "v2, IPv6: Gemini served" "$(pgem v2-6)" "20 text/gemini; lang=de"
expect_log "v2, IPv6: the client's address is logged" \
    "gemini 2001:db8::9 \"gemini://$H/\" 20"
printf 'PROXY TCP6 ::ffff:192.0.2.60 ::1 40000 70\r\n' >"$WORK/mapped"
expect_eq "v1, an IPv4-mapped IPv6 address: served" \
    "$(pgopher mapped | head -n 1)" "$menu"
expect_log "v1, an IPv4-mapped IPv6 address: logged as IPv4" \
    "gopher 192.0.2.60 \"\" "
expect_eq "v1: Gopher served" "$(pgopher v1 | head -n 1)" "$menu"
expect_log "v1: Gopher logs the client's address" \
    "gopher 192.0.2.7 \"\" "
expect_eq "v2 LOCAL (a health check): served" "$(pgem local)" \
    "20 text/gemini; lang=de"
expect_log "LOCAL: the connection's own address is logged" \
    "gemini 127.0.0.1 \"gemini://$H/\" 20"

# v2 with TLVs: a 2000-byte header (ALPN, authority, SSL with its
# sub-TLVs, a CRC32C, padding) is read whole; a wrong CRC32C and a TLV
# that overruns the header are refused
corpus=$ZECHE_SOURCE_DIR/tests/fuzz/proxy/corpus
cp "$corpus/v2-tls-crc" "$corpus/v2-crc-bad" "$corpus/v2-tlv-overrun" "$WORK/"
expect_eq "v2, 2000 bytes of TLVs and a CRC32C: Gemini served" \
    "$(pgem v2-tls-crc)" "20 text/gemini; lang=de"
expect_log "v2, 2000 bytes of TLVs: the client's address is logged" \
    "gemini 192.0.2.9 \"gemini://$H/\" 20"
expect_eq "v2, a wrong CRC32C: closed, no answer" "$(pgem v2-crc-bad)" ""
wait_log "PROXY v2: wrong CRC32C" && ok "a wrong CRC32C: logged" ||
    not_ok "a wrong CRC32C: logged" "$(tail -5 "$LOG")"
expect_eq "v2, a TLV overrunning the header: closed, no answer" \
    "$(pgopher v2-tlv-overrun | wc -c)" 0
wait_log "PROXY v2: TLV overruns the header" &&
    ok "a TLV overrunning the header: logged" ||
    not_ok "a TLV overrunning the header: logged" "$(tail -5 "$LOG")"

# no header, a bad one, one cut short: closed without an answer, logged
expect_eq "no header: closed, no answer" \
    "$("$GEMGET" -t 127.0.0.1 "$GOPHER_PORT" "/" | wc -c)" 0
wait_log "gopher 127.0.0.1 \"\" - not a PROXY header" &&
    ok "no header: logged" ||
    not_ok "no header: logged" "$(tail -5 "$LOG")"
expect_eq "no header on Gemini: the TLS hello is refused" "$(pgem /dev/null)" ""
expect_eq "malformed header: closed, no answer" "$(pgem bad)" ""
wait_log "PROXY v1: bad port" && ok "malformed header: logged" ||
    not_ok "malformed header: logged" "$(tail -5 "$LOG")"
exec 5<>"/dev/tcp/127.0.0.1/$GOPHER_PORT"
cat "$WORK/cut" >&5
wait_log "timeout waiting for the PROXY header" &&
    ok "a header cut short: closed after --timeout, logged" ||
    not_ok "a header cut short: closed after --timeout, logged" \
    "$(tail -5 "$LOG")"
exec 5>&-

# the budget counts the address in the header: 32 connections said to come
# from 192.0.2.50 fill its budget, another from there is refused, and one
# from 192.0.2.51 (over the same loopback address) is served (on a zeche
# that keeps them while a slow machine makes and checks all 32)
stop_zeche
start_zeche --proxy-protocol --log-ip --timeout 120
v1 192.0.2.50 full
v1 192.0.2.51 other
fds=()
for i in $(seq 1 32); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$GOPHER_PORT" && fds+=("$fd")
	cat "$WORK/full" >&"$fd"
done
wait_accepted "$GOPHER_PORT" "32 connections from 192.0.2.50"
expect_eq "the 33rd connection from 192.0.2.50 is refused" \
    "$(pgopher full | wc -c)" 0
wait_log "192.0.2.50: too many connections from one address" &&
    ok "and logged with that address" ||
    not_ok "and logged with that address" "$(tail -5 "$LOG")"
expect_eq "192.0.2.51 through the same proxy is served" \
    "$(pgopher other | head -n 1)" "$menu"
for fd in "${fds[@]}"; do exec {fd}>&-; done
stop_zeche

# without --proxy-protocol a PROXY header is a bad request like any other
: >"$LOG"
start_zeche --log-ip
expect_contains "no --proxy-protocol: a PROXY header is a bad Gopher request" \
    "$(pgopher v1 | head -n 1)" "3"
expect_eq "no --proxy-protocol: Gemini after a PROXY header fails" \
    "$(pgem v1)" ""
expect_log "no --proxy-protocol: the connection's address is logged" \
    "gopher 127.0.0.1 \"PROXY TCP4 192.0.2.7 "
expect_not_contains "no --proxy-protocol: not the address in the header" \
    "$(cat "$LOG")" "gopher 192.0.2.7"
stop_zeche

# "proxy" on one listener in the configuration: that one alone
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
cat >"$WORK/proxy.conf" <<EOF
gemini	127.0.0.1:$GEMINI_PORT proxy
gopher	127.0.0.1:$GOPHER_PORT
log_ip	full
host "$H" {
	root	"$ROOT"
	certs	"$CERTS"
	lang	"de"
	gopher	on
}
EOF
: >"$LOG"
"$ZECHE" --config "$WORK/proxy.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving 0 ||
    { not_ok "zeche starts with proxy.conf" "$(cat "$LOG")"; finish; }
expect_eq "config \"gemini ... proxy\": served after a header" "$(pgem v1)" \
    "20 text/gemini; lang=de"
expect_log "config \"gemini ... proxy\": the header's address logged" \
    "gemini 192.0.2.7 \"gemini://$H/\" 20"
expect_eq "config \"gemini ... proxy\": nothing without a header" \
    "$(gem_header "gemini://$H/")" ""
expect_eq "config, gopher without \"proxy\": served without a header" \
    "$(gopher "" | head -n 1)" "$menu"
expect_contains "config, gopher without \"proxy\": a header is a bad request" \
    "$(pgopher v1 | head -n 1)" "3"
finish
