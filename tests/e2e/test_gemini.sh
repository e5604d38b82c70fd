# Gemini over real TLS against the built server and the neutral capsule.
. "$(dirname "$0")/lib.sh"

start_zeche
F=notes
GEMINI_BIN_HDR="20 application/octet-stream"
A1=2024-03-05-second-visit.gmi
A2=2023-11-20-first-visit.gmi

# --- pages
gem_to "$WORK/home" "gemini://$H/"
expect_eq "home: closed with close_notify" "$GEM_RC" 0
home=$(cat "$WORK/home")
expect_eq "home: 20 with lang=de" "$(head -n1 "$WORK/home")" \
    $'20 text/gemini; lang=de\r'
expect_contains "home: says what the capsule is" "$home" \
    "# Neutral test capsule"
expect_contains "home: links to the notes" "$home" "=> $F/ "
expect_contains "home: links to the directory" "$home" "=> list/ Directory"

notes=$(gem "gemini://$H/$F/")
expect_contains "notes: title" "$notes" "# Field notes"
list=$(printf '%s\n' "$notes" | grep '^=> 20')
expect_eq "notes: both pages, newest first, gemfeed links" "$list" \
"=> $A1 2024-03-05 Second visit to the mill
=> $A2 2023-11-20 First visit to the mill"

for a in "$A1" "$A2"; do
	gem_to "$WORK/resp" "gemini://$H/$F/$a"
	head -n1 "$WORK/resp" >"$WORK/hdr"
	tail -n +2 "$WORK/resp" >"$WORK/body"
	expect_eq "$a: header" "$(cat "$WORK/hdr")" $'20 text/gemini; lang=de\r'
	expect_file_eq "$a: the full text, byte for byte" "$WORK/body" "$ROOT/$F/$a"
done
body=$(gem "gemini://$H/$F/$A2")
expect_contains "page: umlauts arrive as UTF-8" "$body" \
    "Zoë and Jürgen measured the weir"
gem_to "$WORK/resp" "gemini://$H/data.bin"
expect_eq "binary file: its MIME type" "$(head -n1 "$WORK/resp" | tr -d '\r')" \
    "$GEMINI_BIN_HDR"
tail -c +$((${#GEMINI_BIN_HDR} + 3)) "$WORK/resp" >"$WORK/body"
expect_file_eq "binary file: every byte, NUL and CR LF among them" \
    "$WORK/body" "$ROOT/data.bin"

# --- statuses
expect_eq "folder without slash: 31" "$(gem_header "gemini://$H/$F")" \
    "31 gemini://$H:$GEMINI_PORT/$F/"
expect_eq "missing page: 51" "$(gem_header "gemini://$H/nichts.gmi")" "51 Nicht gefunden"
gem_to "$WORK/resp" "gemini://$H/nichts.gmi"
expect_eq "51 has no body" "$(wc -c <"$WORK/resp")" 19
expect_same "index.gmi names the folder page" \
    "$(gem "gemini://$H/$F/index.gmi")" "$(gem "gemini://$H/$F/")" \
    $'20 text/gemini; lang=de\r\n# Field notes'
expect_eq "empty path is the home page, no redirect" \
    "$(gem_header "gemini://$H")" "20 text/gemini; lang=de"
expect_eq "port in the URL" "$(gem_header "gemini://$H:$GEMINI_PORT/")" \
    "20 text/gemini; lang=de"
expect_eq "scheme and host in upper case" \
    "$(gem_header "GEMINI://LOCALHOST/")" "20 text/gemini; lang=de"
expect_eq "host with a trailing dot" "$(gem_header "gemini://$H./")" \
    "20 text/gemini; lang=de"
expect_eq "raw and encoded paths alike" \
    "$(gem_header "gemini://$H/%6eotes/")" "20 text/gemini; lang=de"
expect_eq "dot segments resolve" \
    "$(gem_header "gemini://$H/list/../$F/./$A1")" "20 text/gemini; lang=de"
expect_eq "query on a static page is ignored" \
    "$(gem_header "gemini://$H/$F/$A1?x=1")" "20 text/gemini; lang=de"
expect_eq "other text files: their MIME type" \
    "$(gem_header "gemini://$H/readme.txt")" "20 text/plain; charset=utf-8"

# --- bad requests: 59 and 53, and the server lives on
bad() {	# NAME REQUEST WANT-STATUS
	expect_eq "$1" "$(gem_header "$2" | cut -c1-2)" "$3"
	alive "$1"
}
bad "not a URL: 59" "Hallo Gemini!" 59
bad "empty request: 59" "" 59
bad "relative URL: 59" "/" 59
bad "no scheme: 59" "//$H/" 59
bad "userinfo: 59" "gemini://user@$H/" 59
bad "fragment: 59" "gemini://$H/#oben" 59
bad "space in URL: 59" "gemini://$H/a b" 59
bad "encoded NUL: 59" "gemini://$H/%00" 59
bad "bad escape: 59" "gemini://$H/%zz" 59
bad "other scheme: 53" "https://$H/" 53
bad "gopher scheme: 53" "gopher://$H/" 53
bad "other host: 53" "gemini://example.org/" 53
bad "other port: 53" "gemini://$H:1/" 53
bad "byte order mark: 59" $'\xef\xbb\xbfgemini://'"$H/" 59
bad "invalid UTF-8: 59" $'gemini://'"$H"$'/\xdc.gmi' 59

# 1024 bytes of URL are fine, 1025 are not
pad() { printf "%0${1}d" 0; }
u="gemini://$H/"; u1024="$u$(pad $((1024 - ${#u})))"; u1025="${u1024}0"
bad "URL of 1024 bytes: handled (51)" "$u1024" 51
bad "URL of 1025 bytes: 59" "$u1025" 59
expect_eq "3000 bytes without CRLF: 59 at once" \
    "$(pad 3000 | "$GEMGET" 127.0.0.1 "$GEMINI_PORT" 2>/dev/null | head -c 2)" 59
alive "3000 bytes without CRLF"
expect_eq "a NUL byte in the request: 59" \
    "$(printf 'gemini://%s/\0x\r\n' "$H" | "$GEMGET" 127.0.0.1 "$GEMINI_PORT" 2>/dev/null | head -c 2)" 59
alive "NUL byte"
expect_eq "a bare LF ends no request: 59" \
    "$(printf 'gemini://%s/\n' "$H" | "$GEMGET" 127.0.0.1 "$GEMINI_PORT" 2>/dev/null | tr -d '\r')" \
    "59 Fehlerhafte Anfrage"
# (its own line: the last in the log may be another connection's)
wait_log 'gemini "gemini://localhost/\x0a" 59'
expect_contains "... refused as a bare LF, not for a timeout" \
    "$(grep -aF 'gemini "gemini://localhost/\x0a" 59' "$LOG")" \
    "request line ends in LF, not CRLF"
alive "a bare LF"

# --- no byte from outside the capsule
echo "GEHEIM-$$" >"$WORK/secret.txt"
ln -s "$WORK/secret.txt" "$ROOT/list/geheim.txt"
ln -s "$WORK" "$ROOT/draussen"
echo "versteckt" >"$ROOT/.versteckt.gmi"
# and a new page beside them: served once the reload has run
printf '# Neben den Links\n' >"$ROOT/list/neben.gmi"
reload "links out of the capsule"
expect_eq "the reload beside the links ran: its new page is served" \
    "$(gem_header "gemini://$H/list/neben.gmi")" "20 text/gemini; lang=de"
for req in "gemini://$H/list/geheim.txt" "gemini://$H/draussen/secret.txt" \
    "gemini://$H/.versteckt.gmi" "gemini://$H/%2e%2e.gmi"; do
	r=$(gem "$req")
	expect_not_contains "nothing from outside: $req" "$r" "GEHEIM"
	expect_not_contains "no /etc/passwd: $req" "$r" "root:"
	expect_eq "not found: $req" "$(printf '%s' "$r" | head -c 2)" 51
done
# dot segments that would climb above the root: a permanent failure
for req in "gemini://$H/../secret.txt" "gemini://$H/../../" \
    "gemini://$H/%2e%2e/%2e%2e/etc/passwd" "gemini://$H/a%2F..%2F..%2Fetc%2Fpasswd" \
    "gemini://$H/../../../../etc/passwd" "gemini://$H/$F/../../"; do
	r=$(gem "$req")
	expect_not_contains "nothing from outside: $req" "$r" "GEHEIM"
	expect_not_contains "no /etc/passwd: $req" "$r" "root:"
	expect_eq "climbs above the root, 59: $req" \
	    "$(printf '%s' "$r" | head -n 1 | tr -d '\r')" "59 Fehlerhafte Anfrage"
done
expect_log "climbing above the root is logged as such" \
    "path climbs above the root"
rm -f "$ROOT/list/neben.gmi"
rm -f "$ROOT/list/geheim.txt" "$ROOT/draussen" "$ROOT/.versteckt.gmi"

# --- TLS
gem "gemini://$H/" -m 1.1 >/dev/null
expect_eq "TLS 1.1 is refused" "$GEM_RC" 2
expect_eq "TLS 1.2 is served" "$(gem_header "gemini://$H/" -m 1.2)" "20 text/gemini; lang=de"
expect_eq "TLS 1.3 is served" "$(gem_header "gemini://$H/" -m 1.3)" "20 text/gemini; lang=de"
expect_eq "wrong SNI: 53" "$(gem_header "gemini://$H/" -s example.org | cut -c1-2)" 53
expect_eq "no SNI: served" "$(gem_header "gemini://$H/" -S)" "20 text/gemini; lang=de"
for req in "gemini://$H/nichts" "x" "gemini://$H/$F"; do
	gem "$req" >/dev/null
	expect_eq "close_notify after every answer: $req" "$GEM_RC" 0
done
# TLS 1.3: the session ticket comes with the answer, in its write, not
# on its own once the handshake is done (a write more for the server, a
# wake-up more for the client)
gem "gemini://$H/" -e 300 >/dev/null
expect_eq "TLS 1.3: nothing comes before the request, the ticket comes with the answer" \
    "$GEM_RC" 0
# a client sending one byte per TLS record is parsed all the same
expect_eq "request in 1-byte records" \
    "$(gem_header "gemini://$H/" -w 5)" "20 text/gemini; lang=de"
# a plain-text request on the TLS port gets no plain-text answer
# (read until the server closes: it does once the handshake fails)
plain=$(printf 'gemini://%s/\r\n' "$H" | timeout 5 bash -c \
    "exec 3<>/dev/tcp/127.0.0.1/$GEMINI_PORT; cat >&3; cat <&3" 2>/dev/null | head -c 100)
expect_not_contains "non-TLS hello: no plain-text reply" "$plain" "20 "
alive "non-TLS hello"
expect_log "non-TLS hello: the TLS error is logged" \
    'gemini "" - TLS: error:'

# a large file to a client that starts reading late and reads slowly:
# every byte arrives, then close_notify
head -c 4000000 /dev/urandom >"$ROOT/gross.bin"
reload "a large file"
gem_to "$WORK/resp" "gemini://$H/gross.bin" -d 300 -e 0
expect_eq "large file to a slow reader: closed with close_notify, a ticket came" \
    "$GEM_RC" 0
tail -c +$((${#GEMINI_BIN_HDR} + 3)) "$WORK/resp" >"$WORK/body"
expect_file_eq "large file to a slow reader: every byte" "$WORK/body" "$ROOT/gross.bin"
expect_eq "large file: its MIME type" "$(head -n1 "$WORK/resp" | head -c 40 | tr -d '\r')" \
    "$GEMINI_BIN_HDR"
rm "$ROOT/gross.bin"

# an idle client does not hold up another one
exec 5<>"/dev/tcp/127.0.0.1/$GEMINI_PORT"
expect_eq "served while another client idles" \
    "$(gem_header "gemini://$H/")" "20 text/gemini; lang=de"
exec 5>&-

# every answer is in the access log with its status
expect_log "access log line" "gemini \"gemini://$H/nichts.gmi\" 51"
gem "gemini://$H/zuletzt" >/dev/null
wait_log "gemini://$H/zuletzt"		# the last request is logged too
expect_not_contains "no client addresses in the log by default" "$(cat "$LOG")" "127.0.0.1"

# --- a client that never sends its request
stop_zeche
start_zeche --timeout 1 --log-ip
expect_eq "a client that never sends its request: 59 after --timeout" \
    "$(gem_header "" -n | cut -c1-2)" 59
expect_log "--log-ip: addresses in the log" "gemini 127.0.0.1 "

# --- every address, IPv4 and IPv6, on one port
stop_zeche
GEMINI_ADDR=
start_zeche --timeout 120
GEMINI_ADDR=127.0.0.1:
expect_eq "no address: served over IPv4" \
    "$("$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/" | head -n1)" $'20 text/gemini; lang=de\r'
if ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
	expect_eq "no address: served over IPv6" \
	    "$("$GEMGET" ::1 "$GEMINI_PORT" "gemini://[::1]/" | head -n1)" $'20 text/gemini; lang=de\r'
fi

# 32 connections that idle from one address (held open, --timeout being
# far off even on a slow machine) fill its budget: the 33rd is refused
fds=()
for i in $(seq 1 32); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$GEMINI_PORT" && fds+=("$fd")
done
wait_accepted "$GEMINI_PORT" "32 idle connections"
gem "gemini://$H/" >/dev/null
expect_eq "the 33rd connection from one address is refused" "$GEM_RC" 2
expect_log "and that is logged" "too many connections from one address"
for fd in "${fds[@]}"; do exec {fd}>&-; done
# the server frees their slots once it sees them closed
for i in $(seq 1 100); do
	[ "$(gem_header "gemini://$H/")" = "20 text/gemini; lang=de" ] && break
	sleep 0.1
done
alive "32 idle connections from one address"

# --user, the chroot, Landlock and seccomp: test_sandbox.sh
finish
