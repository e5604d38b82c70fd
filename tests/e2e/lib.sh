# lib.sh: the end-to-end tests' harness, sourced by tests/e2e/test_*.sh.
#
# It starts the built zeche on free loopback ports with a temporary
# --certs folder and a copy of a capsule, checks after every case that
# the server still answers, and prints "N passed, N failed" at the end.
# ctest sets ZECHE, GEMGET and ZECHE_SOURCE_DIR.
#
# CAPSULE, set before lib.sh is sourced: the capsule to copy, a folder of
# the source tree.  The default, tests/data/neutral, is a small capsule
# of the tests' own; only the tests about the shipped forum and its
# partner directory say CAPSULE=capsule (tests/dist/test_neutral.sh
# holds the list), so that editing a forum page breaks no other test.

set -u
# As an ordinary user would run them: Debian keeps daemons such as
# haproxy in /usr/sbin, which a user's PATH lacks, and a fresh system
# sets no locale, where terminal clients show UTF-8 as "?" or escapes.
# The tests name the locale they need, whatever the caller's.
PATH=$PATH:/usr/sbin:/sbin
export LC_ALL=C.UTF-8
unset LANGUAGE
: "${ZECHE:?ZECHE must name the zeche binary}"
: "${GEMGET:?GEMGET must name the gemget client}"
: "${ZECHE_SOURCE_DIR:?}"
# a missing program would fail every case, or make launch() pick no port
# for ever: say so at once
for prog in "$ZECHE" "$GEMGET"; do
	if [ ! -x "$prog" ] || [ -d "$prog" ]; then
		echo "not ok - no program $prog (ZECHE, GEMGET)" >&2
		exit 1
	fi
done

passed=0
failed=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zeche-e2e.XXXXXX")
ROOT=$WORK/capsule
CERTS=$WORK/certs
LOG=$WORK/zeche.log
ZPID=
H=localhost
CAPSULE=${CAPSULE:-tests/data/neutral}
cp -R "$ZECHE_SOURCE_DIR/$CAPSULE" "$ROOT"

cleanup() {
	stop_zeche
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -c 2000 | awk '{ print "#   " $0 }'
	return 0
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "got:  $(printf %q "$2")
want: $(printf %q "$3")"
	fi
}

# expect_contains NAME HAYSTACK NEEDLE
expect_contains() {
	case "$2" in
	*"$3"*) ok "$1" ;;
	*) not_ok "$1" "missing: $3
in: $2" ;;
	esac
}

# expect_not_contains NAME HAYSTACK NEEDLE
expect_not_contains() {
	case "$2" in
	*"$3"*) not_ok "$1" "unexpected: $3" ;;
	*) ok "$1" ;;
	esac
}

# expect_file_eq NAME FILE1 FILE2: byte for byte
expect_file_eq() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		not_ok "$1" "$(diff -u "$3" "$2" | head -20)"
	fi
}

# expect_same NAME GOT WANT NEEDLE: two answers alike, and WANT holds
# NEEDLE, so that two empty answers or the same error twice never pass
expect_same() {
	case "$3" in
	*"$4"*) expect_eq "$1" "$2" "$3" ;;
	*) not_ok "$1" "the answer compared with lacks: $4
it is: $3" ;;
	esac
}

# wait_log TEXT [FILE]: until zeche's log (or FILE) holds TEXT, a fixed
# string (10 s at most).  A thread of zeche's writes its log, so a line
# can come a moment after the answer it is about.
wait_log() {
	local i
	for i in $(seq 1 100); do
		grep -qaF -- "$1" "${2:-$LOG}" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# expect_log NAME TEXT [FILE]: zeche's log (or FILE) comes to hold TEXT
# (10 s at most)
expect_log() {
	if wait_log "$2" "${3:-$LOG}"; then ok "$1"; else
		not_ok "$1" "missing: $2
in: $(tail -20 "${3:-$LOG}" 2>&1)"
	fi
}

# reload [NAME]: SIGHUP, then wait (10 s at most) until the log says that
# a reload ended since, well or not; not ok if it never does.  RELOAD_LOG:
# the log's lines since the SIGHUP, the reload's among them (the last
# lines of the log need not be the reload's: a worker can log a
# connection a moment after its client is gone)
reload() {
	local n i lines pat='reloaded |reload failed'
	n=$(grep -cE "$pat" "$LOG")
	lines=$(wc -l <"$LOG")
	RELOAD_LOG=
	kill -HUP "$ZPID"
	for i in $(seq 1 100); do
		if [ "$(grep -cE "$pat" "$LOG")" -gt "$n" ]; then
			RELOAD_LOG=$(tail -n +"$((lines + 1))" "$LOG")
			return 0
		fi
		sleep 0.1
	done
	not_ok "${1:-SIGHUP}: the reload ends" "$(tail -5 "$LOG")"
	return 1
}

# free_port: a free loopback port; 1 (nothing printed) if gemget picks none
free_port() {
	local port
	port=$("$GEMGET" -F) && [ -n "$port" ] && echo "$port"
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most)
wait_port() {
	local i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# unsettled PORT: what zeche has not yet taken up of the connections to
# PORT: those still queued at a listening socket, those holding bytes it
# has not read (/proc/net/tcp and tcp6 of this network namespace), and,
# while a thread of zeche ($ZPID) is running or waiting to run, that
# thread (it may be between an accept and counting the connection)
unsettled() {
	{
		cat /proc/net/tcp /proc/net/tcp6
		[ -n "${ZPID:-}" ] && cat /proc/"$ZPID"/task/*/stat
	} 2>/dev/null | awk -v p="$(printf ':%04X' "$1")" '
	    ($4 == "0A" || $4 == "01") && substr($2, length($2) - 4) == p &&
	    substr($5, index($5, ":") + 1) != "00000000" { n++ }
	    $2 ~ /^\(/ && $3 == "R" { n++ }
	    END { print n + 0 }'
}

# wait_accepted PORT [NAME]: until zeche has accepted every connection
# made to PORT and read what was sent on it, a PROXY header say (10 s at
# most; not ok, naming NAME, if it never does).  A client's connect()
# returns once the kernel has queued the connection, and with several
# workers each takes from a queue of its own: a later connection can be
# served before earlier ones are even counted against a budget.
wait_accepted() {
	local i
	for i in $(seq 1 100); do
		[ "$(unsettled "$1")" = 0 ] && return 0
		sleep 0.1
	done
	not_ok "${2:-connections}: zeche takes up every connection to port $1" \
	    "$(grep -i ":$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6)"
	return 1
}

# serving [FILE]: how many lines of FILE ($LOG) say that zeche serves
serving() {
	grep -c 'zeche: serving ' "${1:-$LOG}" 2>/dev/null
}

# wait_serving BEFORE [FILE]: until FILE ($LOG) holds more than BEFORE
# lines saying that zeche serves (it listens on every port before it says
# so), for as long as zeche ($ZPID) runs: a loaded machine and the
# sanitizers can make start-up slow (two minutes at most); 1 if it never
# does.  Nothing probes the ports: a probe of a port nobody listens on yet
# can connect to itself and take the port away from zeche.
wait_serving() {
	local i
	for i in $(seq 1 1200); do
		[ "$(serving "${2:-$LOG}")" -gt "${1:-0}" ] && return 0
		kill -0 "$ZPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# launch FILE [extra options]: start zeche on fresh free ports and wait
# until FILE (where its lines go) says it serves (wait_serving); 1 if
# it never does.  GEMINI_ADDR="" listens for Gemini on every address.
GEMINI_ADDR=127.0.0.1:
launch() {
	local file=$1 before
	shift
	# a port a test picked before (Spartan's) is free until zeche binds it
	GEMINI_PORT=$(free_port) || return 1
	while [ "$GEMINI_PORT" = "${SPARTAN_PORT:-}" ]; do
		GEMINI_PORT=$(free_port) || return 1
	done
	GOPHER_PORT=$(free_port) || return 1
	while [ "$GOPHER_PORT" = "$GEMINI_PORT" ] ||
	    [ "$GOPHER_PORT" = "${SPARTAN_PORT:-}" ]; do
		GOPHER_PORT=$(free_port) || return 1
	done
	before=$(serving "$file")
	"$ZECHE" --root "$ROOT" --certs "$CERTS" --host "$H" --lang de \
	    --gemini "$GEMINI_ADDR$GEMINI_PORT" --gopher "127.0.0.1:$GOPHER_PORT" \
	    "$@" >>"$LOG" 2>&1 &
	ZPID=$!
	wait_serving "${before:-0}" "$file"
}

# start_zeche [extra options]: launch, its lines in $LOG
start_zeche() {
	launch "$LOG" "$@" && return 0
	not_ok "zeche starts and listens" "$(tail -30 "$LOG")"
	finish
}

# start_zeche_log FILE [extra options]: start_zeche with --log FILE,
# waiting for the "serving" line in FILE, where zeche's lines go
start_zeche_log() {
	local file=$1
	shift
	launch "$file" --log "$file" "$@" && return 0
	not_ok "zeche starts with --log $file" "$(tail -30 "$file" "$LOG" 2>&1)"
	finish
}

# stop_zeche: SIGTERM, and zeche must exit 0 within STOP_WAIT seconds
# (default 10; under the sanitizers exit 0 also means no leak and no
# undefined behaviour on the way)
stop_zeche() {
	local rc i
	if [ -n "$ZPID" ]; then
		kill "$ZPID" 2>/dev/null
		for i in $(seq 1 $((${STOP_WAIT:-10} * 10))); do
			kill -0 "$ZPID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$ZPID" 2>/dev/null; then
			not_ok "zeche stops within ${STOP_WAIT:-10} s of SIGTERM" \
			    "$(tail -30 "$LOG")"
			kill -9 "$ZPID" 2>/dev/null
		fi
		wait "$ZPID" 2>/dev/null
		rc=$?
		ZPID=
		if [ "$rc" -ne 0 ]; then
			not_ok "zeche exits cleanly on SIGTERM (status $rc)" \
			    "$(tail -30 "$LOG")"
		fi
	fi
}

# gem REQUEST [gemget options...]: the whole response; $GEM_RC is gemget's
# exit status (0 = closed with close_notify)
gem() {
	local req=$1
	shift
	GEM_OUT=$("$GEMGET" "$@" 127.0.0.1 "$GEMINI_PORT" "$req" 2>"$WORK/gemget.err")
	GEM_RC=$?
	printf '%s' "$GEM_OUT"
}

# gem_header REQUEST: the status line without CRLF
gem_header() {
	gem "$@" | head -n 1 | tr -d '\r'
}

# gopher SELECTOR: the raw response of a plain Gopher request
gopher() {
	curl -s --max-time 10 "gopher://127.0.0.1:$GOPHER_PORT/$1"
}

# host_block: a config's host block for the test capsule ($H, capsule/,
# certs/, German, Gopher on), for a test that writes its own zeche.conf
host_block() {
	printf 'host "%s" {\n\troot  capsule\n\tcerts certs\n\tlang  de\n\tgopher on\n}\n' "$H"
}

# alive NAME: the server still runs and still answers a request
alive() {
	if kill -0 "$ZPID" 2>/dev/null &&
	    [ "$(gem_header "gemini://$H/")" = "20 text/gemini; lang=de" ]; then
		ok "still serving after: $1"
	else
		not_ok "still serving after: $1" "$(tail -20 "$LOG")"
	fi
}

finish() {
	stop_zeche
	if [ "$failed" -gt 0 ]; then
		echo "--- zeche log"
		tail -40 "$LOG"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# gem_to FILE REQUEST [gemget options...]: the response, byte for byte
gem_to() {
	local f=$1 req=$2
	shift 2
	"$GEMGET" "$@" 127.0.0.1 "$GEMINI_PORT" "$req" >"$f" 2>"$WORK/gemget.err"
	GEM_RC=$?
}

# Client certificates for the access and Titan tests, in $WORK.
# mkcert NAME [openssl req options]: a self-signed ECDSA P-256 pair, valid
# 30 days: NAME.key, NAME.crt and NAME.pem (both, as gemget -C takes them)
mkcert() {
	local n=$1
	shift
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$n.key" -out "$WORK/$n.crt" -days 30 \
	    -subj "/CN=$n" "$@" 2>/dev/null
	cat "$WORK/$n.crt" "$WORK/$n.key" >"$WORK/$n.pem"
}

# mkcert_expired NAME: like mkcert, but valid only in January 2020:
# openssl ca sets past dates, which req -x509 cannot (OpenSSL 3.0)
mkcert_expired() {
	local n=$1 ca=$WORK/ca-$1
	mkdir -p "$ca"
	: >"$ca/index.txt"
	echo 01 >"$ca/serial"
	cat >"$ca/ca.conf" <<CA
[ ca ]
default_ca = test
[ test ]
dir = $ca
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = any
[ any ]
commonName = supplied
CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$n.key" -out "$WORK/$n.csr" -subj "/CN=$n" \
	    2>/dev/null
	openssl ca -batch -config "$ca/ca.conf" -selfsign \
	    -keyfile "$WORK/$n.key" -in "$WORK/$n.csr" -out "$WORK/$n.crt" \
	    -startdate 20200101000000Z -enddate 20200201000000Z \
	    >/dev/null 2>&1
	cat "$WORK/$n.crt" "$WORK/$n.key" >"$WORK/$n.pem"
}

# fp NAME: the SHA-256 fingerprint of $WORK/NAME.crt, AA:BB:..., as zeche
# and gemget write it
fp() {
	openssl x509 -in "$WORK/$1.crt" -noout -fingerprint -sha256 |
	    sed 's/.*=//'
}

# Rate limits (test_ratelimit.sh, test_hostrate.sh).
# is_44 NAME LINE MAX: LINE is "44 SECONDS", SECONDS from 1 to MAX (the
# next token comes within MAX s)
is_44() {
	local s=${2#44 }
	if [ "${2%% *}" = 44 ] && [ -n "$s" ] && [ -z "${s//[0-9]/}" ] &&
	    [ "$s" -ge 1 ] && [ "$s" -le "$3" ]; then
		ok "$1: $2"
	else
		not_ok "$1: 44 and the seconds (1 to $3)" "$2"
	fi
}

# expect_slow_down NAME HOST: past its rate, Gopher's answer (on
# $GOPHER_PORT) is an error item and Spartan's (on $SPARTAN_PORT, for
# HOST) a "4", each saying when to try again
expect_slow_down() {
	local g sp
	g=$(curl -s --max-time 10 "gopher://127.0.0.1:$GOPHER_PORT/" |
	    head -n 1)
	expect_contains "$1, Gopher: an error item" "$g" \
	    "3Slow down: too many requests, try again in "
	sp=$("$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$2" / 2>/dev/null |
	    head -n 1 | tr -d '\r')
	case "$sp" in
	"4 Slow down: too many requests, try again in "*" seconds")
		ok "$1, Spartan: $sp" ;;
	*)	not_ok "$1, Spartan: 4 and the seconds" "$sp" ;;
	esac
}

# proxy_v2 OCTETS-AS-ESCAPES FILE: $WORK/FILE, a PROXY v2 header from
# that IPv4 client (port 40000) to 127.0.0.1:1965
proxy_v2() {
	printf '\r\n\r\n\0\r\nQUIT\n\041\021\0\014'"$1"'\177\0\0\001\234\100\007\255' \
	    >"$WORK/$2"
}

# proxy_st HEADER: the status line of gemini://$H/ over the PROXY
# listener $PROXY_PORT, behind the header $WORK/HEADER
proxy_st() {
	"$GEMGET" -x "$WORK/$1" -s "$H" 127.0.0.1 "$PROXY_PORT" \
	    "gemini://$H/" 2>/dev/null | head -n 1 | tr -d '\r'
}

# expect_proxy_rate BURST MAX: behind PROXY ($PROXY_PORT) the client the
# header names counts, not the proxy: 192.0.2.8 is served BURST times,
# then told 44 (is_44 ... MAX), which is logged with its address;
# 192.0.2.9 is a client of its own; 198.51.100.7, in an allowed network
# (rate_allow "198.51.100.0/24"), is answered every time
expect_proxy_rate() {
	local i n=0
	proxy_v2 '\300\0\002\010' c8		# 192.0.2.8
	proxy_v2 '\300\0\002\011' c9		# 192.0.2.9
	proxy_v2 '\306\063\144\007' allowed	# 198.51.100.7
	for i in $(seq 1 "$1"); do
		expect_eq "PROXY 192.0.2.8, request $i: served" \
		    "$(proxy_st c8)" "20 text/gemini"
	done
	is_44 "PROXY 192.0.2.8, request $(($1 + 1))" "$(proxy_st c8)" "$2"
	expect_log "the client the header names is limited and logged" \
	    "gemini 192.0.2.8 \"gemini://$H/\" 44 rate limit"
	expect_eq "PROXY 192.0.2.9: a client of its own, served" \
	    "$(proxy_st c9)" "20 text/gemini"
	for i in $(seq 1 5); do
		[ "$(proxy_st allowed)" = "20 text/gemini" ] && n=$((n + 1))
	done
	expect_eq "PROXY from an allowed network: 5 of 5 answered" "$n" 5
}
