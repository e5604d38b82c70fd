# Spartan: the capsule as over Gemini, the search through "=:" and a data
# block, redirects, every malformed request, and crawls over Gemini,
# Gopher and Spartan that find the same paths.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crawl.sh"
: "${SPGET:?SPGET must name the spget client}"

P=list
F=notes
# zeche's own messages in the capsule's language (lib.sh: --lang de)
BR="Fehlerhafte Anfrage"
NF="Nicht gefunden"
OH="Dieser Host wird hier nicht bedient"

# sp PATH [DATA]: the whole Spartan response for host $H
sp() {
	if [ $# -gt 1 ]; then
		"$SPGET" -d "$2" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1"
	else
		"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1"
	fi
}
# sp_raw BYTES [spget options]: BYTES (printf format) as the request
sp_raw() {
	local req=$1
	shift
	printf "$req" | "$SPGET" "$@" 127.0.0.1 "$SPARTAN_PORT"
}
sp_header() {
	sp "$@" | head -n 1 | tr -d '\r'
}
# sp_alive NAME: the server still answers over Spartan
sp_alive() {
	if [ "$(sp_header /)" = "2 text/gemini; lang=de" ]; then
		ok "Spartan still serves after: $1"
	else
		not_ok "Spartan still serves after: $1" "$(tail -20 "$LOG")"
	fi
}

SPARTAN_PORT=$(free_port)
start_zeche --spartan "127.0.0.1:$SPARTAN_PORT" --timeout 2
if ! wait_port "$SPARTAN_PORT"; then
	not_ok "Spartan listens" "$(cat "$LOG")"
	finish
fi

# --- the pages: 2 and the same body as Gemini, "=:" where Gemini asks
crawl_gemtext gemini
crawl_gemtext spartan
expect_eq "Spartan and Gemini crawls find the same paths" \
    "$(cat "$WORK/spartan.paths")" "$(cat "$WORK/gemini.paths")"
pages=0
bad=
for f in "$WORK"/spartan/*.path; do
	path=$(cat "$f")
	[ "$path" = "/$P/suche" ] && continue	# asks for input: below
	g=$(grep -lx -- "$path" "$WORK"/gemini/*.path | head -n 1)
	sphdr=$(head -n 1 "${f%.path}" | tr -d '\r')
	gmhdr=$(head -n 1 "${g%.path}" | tr -d '\r')
	if [ "$sphdr" != "2 ${gmhdr#20 }" ] || [ "${gmhdr:0:3}" != "20 " ] ||
	    ! cmp -s <(tail -n +2 "${f%.path}" | sed 's/^=:/=>/') \
	    <(tail -n +2 "${g%.path}"); then
		bad="$bad $path ($sphdr / $gmhdr)"
	fi
	pages=$((pages + 1))
done
expect_eq "every page reached from / answers 2 with Gemini's body" "$bad" ""
echo "# compared $pages pages"
expect_eq "the crawl reached the notes, a page and the directory" \
    "$(grep -cx -e "/$F/" -e "/$F/2024-03-05-second-visit.gmi" \
    -e "/$P/" -e "/$P/a-e/" "$WORK/spartan.paths")" 4

# --- the same paths over Gopher
crawl_gopher
expect_eq "Gemini, Gopher and Spartan crawls find the same paths" \
    "$(cat "$WORK/gopher.paths")" "$(cat "$WORK/spartan.paths")"

# --- the search
over=$(sp "/$P/")
expect_contains "directory: an =: line for the search" "$over" \
    $'\n=: /'"$P"$'/suche Partner suchen\n'
expect_not_contains "directory: no => line to the search" "$over" \
    "=> /$P/suche "
expect_contains "Gemini asks for the search with 10" \
    "$(gem_header "gemini://$H/$P/suche")" "10 "
for q in münster muenster Münster; do
	r=$(sp "/$P/suche" "$q")
	expect_eq "search \"$q\": 2" "$(printf '%s' "$r" | head -n 1 | tr -d '\r')" \
	    "2 text/gemini; lang=de"
	expect_contains "search \"$q\" finds the roastery" "$r" \
	    "Café Münster Roastery"
	expect_contains "search \"$q\": a new search is =:" "$r" \
	    $'\n=: /'"$P"$'/suche Neue Suche\n'
done
expect_eq "münster and muenster give the same hits" \
    "$(sp "/$P/suche" münster | grep -a 'Roastery')" \
    "$(sp "/$P/suche" muenster | grep -a 'Roastery')"
r=$(sp "/$P/suche" zzzzzz)
expect_contains "search without a hit says so" "$r" "Keine Treffer für \"zzzzzz\""
expect_eq "search without a hit: 2" "$(printf '%s' "$r" | head -n 1 | tr -d '\r')" \
    "2 text/gemini; lang=de"
r=$(sp "/$P/suche")
expect_contains "the search without data: asks for words, with =:" "$r" \
    $'\n=: /'"$P"$'/suche Partner suchen\n'
expect_same "the search finds what Gemini finds" \
    "$(sp "/$P/suche" industr | grep -a -i 'industr')" \
    "$(gem "gemini://$H/$P/suche?industr" | grep -a -i 'industr')" \
    "* Cedar Industries Ltd"
expect_eq "a search query that is not UTF-8: 4" \
    "$(sp_raw "$H /$P/suche 2\r\n\xff\xfe" | head -c 2)" "4 "
sp_alive "a bad search query"

# --- redirects and not found
expect_eq "a folder without its slash: 3" "$(sp_header "/$F")" "3 /$F/"
expect_eq "the directory without its slash: 3" "$(sp_header "/$P")" "3 /$P/"
expect_eq "not found: 4" "$(sp_header /nichts.gmi)" "4 $NF"
expect_eq "percent-encoded path: the same page" \
    "$(sp "/%6eotes/" | md5sum)" "$(sp "/$F/" | md5sum)"
expect_eq "dot segments inside the root are resolved" \
    "$(sp "/$P/../$F/./" | md5sum)" "$(sp "/$F/" | md5sum)"
gem_to "$WORK/robots.gemini" "gemini://$H/robots.txt"
expect_eq "non-gemtext files: as over Gemini" \
    "$(sp /robots.txt | tail -n +2 | md5sum)" \
    "$(tail -n +2 "$WORK/robots.gemini" | md5sum)"

# --- malformed requests: 4 with a message, and the server goes on
long=$(printf '/%01100d' 0)
expect_contains "a request line over 1024 bytes: 4" \
    "$(sp_raw "$H $long 0\r\n")" "4 $BR: request too long"
sp_alive "a request line over 1024 bytes"
expect_contains "no CRLF (the client half-closes): 4" \
    "$(sp_raw "$H / 0" -H)" "4 $BR: request line does not end in CRLF"
expect_contains "a bare LF: 4" "$(sp_raw "$H / 0\n")" \
    "4 $BR: request line ends in LF, not CRLF"
expect_contains "a control byte: 4" "$(sp_raw "$H /\x01 0\r\n")" \
    "4 $BR: control character"
expect_contains "a TAB: 4" "$(sp_raw "$H /a\tb 0\r\n")" \
    "4 $BR: control character"
expect_contains "a NUL byte: 4" "$(sp_raw "$H /\0 0\r\n")" "4 $BR"
expect_contains "non-ASCII in the request line: 4" \
    "$(sp_raw "$H /münster 0\r\n")" "4 $BR: non-ASCII byte"
expect_contains "an encoded control byte: 4" "$(sp_raw "$H /%%0a 0\r\n")" \
    "4 $BR: control character in path"
expect_contains "a bad escape: 4" "$(sp_raw "$H /%%zz 0\r\n")" \
    "4 $BR: bad percent-encoding"
expect_contains "two fields only: 4" "$(sp_raw "$H /\r\n")" \
    "4 $BR: the request line is HOST SP PATH SP LENGTH"
expect_contains "two spaces: 4" "$(sp_raw "$H  / 0\r\n")" "4 $BR"
expect_contains "a relative path: 4" "$(sp_raw "$H index.gmi 0\r\n")" \
    "4 $BR: the path must be absolute"
expect_contains "a length that is no number: 4" \
    "$(sp_raw "$H / zwei\r\n")" "4 $BR: the content length is not"
expect_contains "a negative length: 4" "$(sp_raw "$H / -1\r\n")" \
    "4 $BR: the content length is not"
# no data follows: the answer comes at once, not after the timeout
expect_contains "a content length over the limit: 4 without reading" \
    "$(sp_raw "$H /$P/suche 4097\r\n")" "4 $BR: content length over"
expect_contains "a huge content length: 4" \
    "$(sp_raw "$H / 99999999999999999999999\r\n")" \
    "4 $BR: content length over"
expect_eq "4096 bytes of data are fine" \
    "$(sp "/$P/suche" "$(printf 'a%.0s' $(seq 1 4096))" | head -c 2)" "4 "
expect_eq "... but the search refuses so long a query, in the host's language" \
    "$(sp "/$P/suche" "$(printf 'a%.0s' $(seq 1 4096))" | head -n 1 |
    tr -d '\r')" "4 Fehlerhafte Suchanfrage"
expect_log "... and the log says why" "search query too long"
expect_eq "another host: 4" "$(sp_raw "example.org / 0\r\n" | tr -d '\r')" \
    "4 $OH"
expect_eq "a host with a port: 4" \
    "$(sp_raw "$H:$SPARTAN_PORT / 0\r\n" | tr -d '\r')" \
    "4 $OH"
expect_eq "host names in any case" "$(sp_raw "LocalHost. / 0\r\n" | head -n 1 |
    tr -d '\r')" "2 text/gemini; lang=de"
expect_eq "the address it was reached on as host" \
    "$(sp_raw "127.0.0.1 / 0\r\n" | head -n 1 | tr -d '\r')" \
    "2 text/gemini; lang=de"
expect_eq "another IP address as host: 4" \
    "$(sp_raw "192.0.2.1 / 0\r\n" | tr -d '\r')" "4 $OH"
for p in "/../etc/passwd" "/%%2e%%2e/etc/passwd" "/$F/../../x" "/.."; do
	expect_eq "\"$p\" climbs above the root: 4" \
	    "$(sp_raw "$H $p 0\r\n" | tr -d '\r')" \
	    "4 $BR: path climbs above the root"
done
expect_contains "a data block that stops short is cut by the timeout: 4" \
    "$(sp_raw "$H /$P/suche 10\r\nabc")" \
    "4 $BR: timeout waiting for the data block"
expect_contains "a data block cut off by the client: 4" \
    "$(sp_raw "$H /$P/suche 10\r\nabc" -H)" \
    "4 $BR: closed before the whole data block"
expect_contains "a data block longer than announced: the rest is ignored" \
    "$(sp_raw "$H /$P/suche 8\r\nmuensterXYZ")" '"muenster"'
sp_alive "the malformed requests"
alive "the malformed Spartan requests"

# --- the Spartan address on the Gopher port and the home page
expect_contains "caps.txt names the Spartan address" \
    "$(gopher_raw "caps.txt\r\n")" \
    $'ServerSpartan=spartan://'"$H:$SPARTAN_PORT"$'/\r'
expect_contains "HTTP on the Gopher port names the Spartan address" \
    "$(gopher_raw "GET / HTTP/1.0\r\n\r\n")" \
    "<a href=\"spartan://$H:$SPARTAN_PORT/\">"
gem_to "$WORK/home0" "gemini://$H/"
tail -n +2 "$WORK/home0" >"$WORK/home"
expect_file_eq "the hand-written home page: as written over Gemini" \
    "$WORK/home" "$ROOT/index.gmi"
sp / | tail -n +2 >"$WORK/home"
expect_file_eq "... and over Spartan" "$WORK/home" "$ROOT/index.gmi"
expect_not_contains "... its Gopher menu names no Spartan address" \
    "$(gopher_raw "/\r\n")" "spartan://"
expect_contains "a URL: selector to spartan:// gets the redirect page" \
    "$(gopher_raw "URL:spartan://$H:$SPARTAN_PORT/\r\n")" \
    "url=spartan://$H:$SPARTAN_PORT/"

# --- results paged as on Gemini: 634 partners
stop_zeche
"$ZECHE_SOURCE_DIR/tests/gen-partners.sh" 634 >"$ROOT/$P/partners.txt"
start_zeche --spartan "127.0.0.1:$SPARTAN_PORT"
wait_port "$SPARTAN_PORT"
r1=$(sp "/$P/suche" gmbh)
np=$(gem "gemini://$H/$P/suche?gmbh" | sed -n 's/^Seite 1 von \([0-9]*\).*/\1/p')
expect_contains "634: results page 1 of as many as on Gemini" "$r1" \
    "Seite 1 von $np"
expect_contains "634: a link on to page 2, the query in the path" "$r1" \
    "=> /$P/suche/2/gmbh "
expect_eq "634: page 2 lists what Gemini's page 2 lists" \
    "$(sp "/$P/suche/2/gmbh" | grep -a '^=> http\|^[^=#]' | tail -n +3)" \
    "$(gem "gemini://$H/$P/suche/2?gmbh" | tr -d '\r' | grep -a '^=> http\|^[^=#]' | tail -n +3)"
expect_contains "634: page 2 is not empty" \
    "$(sp "/$P/suche/2/gmbh")" "Seite 2 von $np"
for page in "/$P/seite-2.gmi" "/$P/a-e/seite-2.gmi"; do
	gem_to "$WORK/list.gemini" "gemini://$H$page"
	sp "$page" >"$WORK/list.spartan"
	expect_eq "634: list page $page over Gemini: the host's lang" \
	    "$(head -n 1 "$WORK/list.gemini" | tr -d '\r')" \
	    "20 text/gemini; lang=de"
	expect_eq "634: list page $page: 2 and Gemini's type" \
	    "$(head -n 1 "$WORK/list.spartan" | tr -d '\r')" \
	    "2 $(head -n 1 "$WORK/list.gemini" | tr -d '\r' | cut -c4-)"
	expect_eq "634: list page $page: Gemini's body, =: for the search" \
	    "$(tail -n +2 "$WORK/list.spartan" | sed 's/^=:/=>/' | md5sum)" \
	    "$(tail -n +2 "$WORK/list.gemini" | md5sum)"
	expect_contains "634: list page $page has entries" \
	    "$(cat "$WORK/list.spartan")" "Seite 2 von"
done

# --- the configuration file: "spartan" and the config's redirects
stop_zeche
CONF=$WORK/zeche.conf
cat >"$CONF" <<EOC
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT
host "$H" {
	root "$ROOT"
	certs "$CERTS"
	lang "de"
	gopher on
	spartan_link on
	redirect "/alt.gmi" "/$F/"
	redirect 30 "/weg/" "gemini://elsewhere.example/"
	location "/$F/" {
		lang "en"
	}
}
EOC
before=$(serving)
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" ||
    { not_ok "zeche --config starts Spartan" "$(tail -20 "$LOG")"; finish; }
expect_eq "config: spartan listens" "$(sp_header /)" \
    "2 text/gemini; lang=de"
expect_eq "config redirect: 3 to the path" "$(sp_header /alt.gmi)" "3 /$F/"
expect_eq "config redirect to another server: 4 naming it" \
    "$(sp_header /weg/)" "4 $NF: gemini://elsewhere.example/"
expect_eq "config: a location's lang over Spartan as over Gemini" \
    "$(sp_header "/$F/")" "2 $(gem_header "gemini://$H/$F/" | cut -c4-)"
expect_eq "... which is its own" "$(sp_header "/$F/")" \
    "2 text/gemini; lang=en"
expect_contains "spartan_link on: the home page names the Spartan address" \
    "$(gem "gemini://$H/")" "=> spartan://$H:$SPARTAN_PORT/ "
expect_contains "... and its Gopher menu too" "$(gopher_raw "/\r\n")" \
    $'\tURL:spartan://'"$H:$SPARTAN_PORT"$'/\t'
expect_contains "... and the page over Spartan" "$(sp /)" \
    "=> spartan://$H:$SPARTAN_PORT/ "

# --- off unless asked for
stop_zeche
: >"$LOG"
start_zeche
expect_not_contains "without --spartan: caps.txt has no Spartan address" \
    "$(gopher_raw "caps.txt\r\n")" "Spartan"
expect_not_contains "without --spartan: the home page neither" \
    "$(gem "gemini://$H/")" "spartan://"
wait_log 'gopher "caps.txt'	# every start-up line is written by now
expect_not_contains "without --spartan: no listener" \
    "$(cat "$LOG")" "serving spartan://"

finish
