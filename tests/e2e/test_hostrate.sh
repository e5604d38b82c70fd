# A host's own rate: "rate 2 per 60 burst 2" in the block of one host of
# two, and no global rate.  The same client is told "44 SECONDS" by that
# host from its third request on (Gemini and Titan), gets Gopher's error
# item and Spartan's "4" there too, and keeps being answered (never
# refused at accept) while the other host answers it all along; an
# allowed address is never limited; behind PROXY the client the header
# names counts.  A reload that keeps the rate keeps what clients used; one
# that changes it starts anew.  With a global rate too, both count.
. "$(dirname "$0")/lib.sh"

CONF=$WORK/zeche.conf
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
PROXY_PORT=$(free_port)
mkdir -p "$WORK/b"
printf '# Host b\n' >"$WORK/b/index.gmi"
write_conf() {	# RATE [GLOBAL]: the first host's rate line, a global one
	cat >"$CONF" <<CONF
${2:-}
gemini 127.0.0.1:$GEMINI_PORT
gemini 127.0.0.1:$PROXY_PORT proxy
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT
rate_allow "127.0.0.2"
rate_allow "198.51.100.0/24"
log_ip full
host "$H" {
	root "$ROOT"
	certs "$CERTS"
	gopher on
	titan on
	$1
}
host "b.example" {
	root "$WORK/b"
	certs "$CERTS"
}
CONF
}
write_conf "rate 2 per 60 burst 2"
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
if ! wait_serving 0; then
	not_ok "zeche starts with a host's rate" "$(tail -20 "$LOG")"
	finish
fi

st() {	# HOST [gemget options]: the status line of gemini://HOST/
	local host=$1
	shift
	"$GEMGET" -s "$host" "$@" 127.0.0.1 "$GEMINI_PORT" "gemini://$host/" \
	    2>/dev/null | head -n 1 | tr -d '\r'
}
n=0
for i in $(seq 1 6); do
	[ "$(st "$H" -b 127.0.0.2)" = "20 text/gemini" ] && n=$((n + 1))
done
expect_eq "an allowed address: 6 of 6 answered by the limited host" "$n" 6
for i in 1 2; do
	expect_eq "request $i to the limited host: served" "$(st "$H")" \
	    "20 text/gemini"
done
is_44 "request 3 to the limited host" "$(st "$H")" 30
expect_log "the 44 is logged with its host" \
    "gemini 127.0.0.1 \"gemini://$H/\" 44 rate limit"
n=0
for i in $(seq 1 5); do
	[ "$(st b.example)" = "20 text/gemini" ] && n=$((n + 1))
done
expect_eq "the other host: 5 of 5 answered to the same client" "$n" 5
expect_slow_down "the limited host" "$H"
expect_contains "Spartan for the other host: served" \
    "$("$SPGET" 127.0.0.1 "$SPARTAN_PORT" b.example / 2>/dev/null |
    head -n 1)" "2 text/gemini"
t=$("$GEMGET" -s "$H" 127.0.0.1 "$GEMINI_PORT" \
    "titan://$H/up.gmi;size=2;mime=text/gemini" -d hi 2>/dev/null |
    head -n 1 | tr -d '\r')
case "$t" in
"44 "[1-9]*) ok "Titan for the limited host: $t" ;;
*) not_ok "Titan for the limited host: 44" "$t" ;;
esac
# asking on: a longer wait, but answered, never refused at accept
for i in 1 2 3 4; do
	s=$(st "$H")
	case "$s" in
	"44 "[1-9]*) ok "asking on, request $i: still answered ($s)" ;;
	*) not_ok "asking on, request $i: answered 44" "$s" ;;
	esac
done
expect_eq "the other host still answers" "$(st b.example)" "20 text/gemini"
expect_eq "an allowed address is still served" "$(st "$H" -b 127.0.0.2)" \
    "20 text/gemini"
n=0
for i in $(seq 1 4); do
	"$GEMGET" -t -b 127.0.0.2 127.0.0.1 "$GOPHER_PORT" "" 2>/dev/null |
	    grep -q 'Neutral test capsule' && n=$((n + 1))
done
expect_eq "an allowed address over Gopher: 4 of 4 answered" "$n" 4

# behind PROXY: the client in the header counts, not the proxy
expect_proxy_rate 2 30

# a reload with the same rate keeps the counts; a new rate starts anew
reload "a reload, the rate unchanged"
expect_contains "the same rate: the limit holds over the reload" \
    "$(st "$H")" "44 "
write_conf "rate 3 per 60 burst 3"
reload "a reload with a new rate"
for i in 1 2 3; do
	expect_eq "a new rate, request $i: served" "$(st "$H")" \
	    "20 text/gemini"
done
is_44 "a new rate, request 4" "$(st "$H")" 30
write_conf ""
reload "a reload without the rate"
n=0
for i in $(seq 1 5); do
	[ "$(st "$H")" = "20 text/gemini" ] && n=$((n + 1))
done
expect_eq "no rate: 5 of 5 answered" "$n" 5

# the global rate beside the host's: every request counts for the global
# one, those for the host for its own as well
stop_zeche
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
PROXY_PORT=$(free_port)
write_conf "rate 2 per 60 burst 2" "rate 4 per 60 burst 4"
before=$(serving)
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
if ! wait_serving "$before"; then
	not_ok "zeche starts with a global and a host's rate" \
	    "$(tail -20 "$LOG")"
	finish
fi
for i in 1 2; do
	expect_eq "both rates, request $i to the limited host: served" \
	    "$(st "$H")" "20 text/gemini"
done
is_44 "both rates, request 3 to the limited host: its own limit" \
    "$(st "$H")" 30
expect_eq "both rates, request 4, to the other host: served" \
    "$(st b.example)" "20 text/gemini"
is_44 "both rates, request 5, to the other host: the global limit" \
    "$(st b.example)" 30
finish
