# Gopher against the built server: well-formed menus everywhere, the full
# text of both articles, errors, and what else reaches the Gopher port.
. "$(dirname "$0")/lib.sh"

start_zeche --verbose
F=notes
A1=2024-03-05-second-visit.gmi
A2=2023-11-20-first-visit.gmi

# raw SELECTOR-BYTES: send them as they are (printf escapes), print the answer
# (plain TCP, half-closed after sending, as most Gopher clients do)
raw() {
	printf "$1" | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT"
}

# wellformed: standard input is an RFC 1436 menu (CRLF, 3 TABs, lone ".")
wellformed() {
	LC_ALL=C awk '
	{ n++ }
	!/\r$/ { print "line " n ": no CRLF"; bad = 1 }
	{ sub(/\r$/, "") ; last = $0 }
	last == "." { dot = n; next }
	dot { print "line " n ": after the closing ."; bad = 1 }
	{
		if (split($0, f, "\t") != 4) { print "line " n ": not 4 fields: " $0; bad = 1 }
		else if (f[4] !~ /^[0-9]+$/) { print "line " n ": bad port"; bad = 1 }
		else if (length(f[1]) < 1) { print "line " n ": no type"; bad = 1 }
	}
	END { if (!dot || dot != n) { print "no closing . line"; bad = 1 } exit bad }'
}

# --- crawl every menu reachable from the root
declare -A seen
queue=("")
menus=0
texts=0
while [ ${#queue[@]} -gt 0 ]; do
	sel=${queue[0]}
	queue=("${queue[@]:1}")
	[ -n "${seen[k$sel]+x}" ] && continue
	seen[k$sel]=1
	raw "$sel\r\n" >"$WORK/menu"
	if msg=$(wellformed <"$WORK/menu"); then
		menus=$((menus + 1))
	else
		not_ok "menu \"$sel\" is well formed" "$msg"
		continue
	fi
	if ! iconv -f UTF-8 -t UTF-8 <"$WORK/menu" >/dev/null 2>&1; then
		not_ok "menu \"$sel\" is UTF-8"
	fi
	# display fields no wider than 70 columns
	wide=$(tr -d '\r' <"$WORK/menu" | cut -f1 | cut -c2- |
	    LC_ALL=C.UTF-8 bash -c 'while IFS= read -r l; do
		[ ${#l} -gt 70 ] && printf "%s\n" "$l"; done')
	[ -n "$wide" ] && not_ok "menu \"$sel\": display within 70 columns" "$wide"
	while IFS=$'\t' read -r disp s host port; do
		type=${disp:0:1}
		[ "$host" = "$H" ] && [ "${port%$'\r'}" = "$GOPHER_PORT" ] || continue
		case $type in
		1) queue+=("$s") ;;
		0)
			if [ -z "${seen[k$s]+x}" ]; then
				seen[k$s]=1
				out=$(raw "$s\r\n" | head -c 100)
				if [ -n "$out" ] && [ "${out:0:1}" != 3 ]; then
					texts=$((texts + 1))
				else
					not_ok "text item $s is served" "$out"
				fi
			fi ;;
		esac
	done <"$WORK/menu"
done
expect_eq "every menu reachable from the root is well formed" \
    "$([ "$menus" -ge 4 ] && echo yes)" yes
echo "# crawled $menus menus and $texts text items"

# --- the root
root=$(gopher "")
expect_contains "root: the title whole on one info line, the rule as wide" \
    "$root" $'iNeutral test capsule\t\tnull.host\t1\r\ni====================\t'
expect_contains "root: the notes as a menu item" "$root" \
    $'\t/'"$F"$'/\t'"$H"$'\t'"$GOPHER_PORT"$'\r'
# what the root menu and the notes' menu hold, to tell them from an error
ROOT_ITEM=$'\t/'"$F"$'/\t'"$H"$'\t'"$GOPHER_PORT"$'\r\n'
NOTES_ITEM=$'02024-03-05 Second visit to the mill\t/'"$F/$A1"$'\t'
root_menu=$(raw '\r\n')
notes_menu=$(raw "/$F/\r\n")
expect_same "root: \"/\" and \"\" are the same menu" "$(raw '/\r\n')" \
    "$root_menu" "$ROOT_ITEM"
expect_same "root: a bare LF works too" "$(raw '\n')" "$root_menu" "$ROOT_ITEM"
expect_same "a client that half-closes without a newline" \
    "$(raw "/$F/")" "$notes_menu" "$NOTES_ITEM"
expect_same "curl and a raw request agree" "$(gopher "1/$F/")" \
    "$notes_menu" "$NOTES_ITEM"
expect_same "folder with and without the slash" "$(raw "/$F\r\n")" \
    "$notes_menu" "$NOTES_ITEM"
expect_same "selector without the leading slash" "$(raw "$F/\r\n")" \
    "$notes_menu" "$NOTES_ITEM"

# --- the notes: both pages, newest first, as text items (type 0)
notes=$(gopher "1/$F/")
items=$(printf '%s\n' "$notes" | grep -a "^020" | cut -f1,2)
expect_eq "notes: both pages newest first, as texts" "$items" \
"02024-03-05 Second visit to the mill	/$F/$A1
02023-11-20 First visit to the mill	/$F/$A2"

# the full text of each article reaches a Gopher reader, with its umlauts,
# as a text: its links numbered, their addresses listed at the end
for a in "$A1" "$A2"; do
	text=$(raw "/$F/$a\r\n" | tr -d '\r')
	expect_not_contains "$a: a text, no menu lines" "$text" "null.host"
	got=$(printf '%s\n' "$text" | sed '/^-\{20\}$/,$d' |
	    grep -v '^\[[0-9]\] ' | tr '\n' ' ' | tr -s ' ')
	want=$(grep -v '^=>' "$ROOT/$F/$a" | sed 's/^# //' | tr '\n' ' ' | tr -s ' ')
	# the underline of the title is the only addition
	got=$(printf '%s' "$got" | sed 's/ =\{3,\} / /')
	expect_eq "$a: the full text over Gopher" "${got% }" "${want% }"
	expect_contains "$a: its links as numbered references" "$text" \
"[1] Field notes
[2] Home

--------------------
[1] gopher://$H:$GOPHER_PORT/1/$F/
[2] gopher://$H:$GOPHER_PORT/1/"
done
expect_contains "quotes arrive as UTF-8" "$(gopher "0/$F/$A1")" \
    "who keeps the “Mill Log” up to date?"

# --- every menu's first line is a title of at most 70 columns (clients
# show it as the menu's title)
for sel in "" "/$F/" /list/ /list/a-e/ "/list/suche/1/industr"; do
	first=$(raw "$sel\r\n" | head -1 | cut -f1)
	expect_eq "\"$sel\": the first line is an info line" "${first:0:1}" i
	expect_eq "\"$sel\": its title fits in 70 columns" \
	    "$(LC_ALL=C.UTF-8 bash -c 't=$1; [ ${#t} -le 70 ] && [ ${#t} -gt 1 ] && echo yes' _ "${first:1}")" yes
done

# --- real clients
if command -v lynx >/dev/null; then
	dump=$(lynx -dump -display_charset=utf-8 -width=100 \
	    "gopher://127.0.0.1:$GOPHER_PORT/1/$F/" 2>&1)
	expect_contains "lynx: shows the folder's title" "$dump" "Field notes"
	expect_contains "lynx: lists the newest page as a text" "$dump" \
	    "(FILE) [1]2024-03-05 Second visit to the mill"
	dump=$(lynx -dump -display_charset=utf-8 -width=100 \
	    "gopher://127.0.0.1:$GOPHER_PORT/0/$F/$A2" 2>&1)
	expect_contains "lynx: reads the first visit with its umlauts" \
	    "$(printf '%s' "$dump" | tr '\n' ' ' | tr -s ' ')" \
	    "Zoë and Jürgen measured the weir"
	expect_not_contains "lynx: no stray tabs or field garbage" "$dump" "null.host"
else
	not_ok "lynx is installed (contrib/dev.sh installs it)"
fi
txt=$(curl -s --max-time 10 "gopher://127.0.0.1:$GOPHER_PORT/0/list/partners.txt")
expect_contains "curl: a text item arrives as it is" "$txt" \
    "Café Münster Roastery	https://cafe.example/"

# --- errors: a type 3 menu, never a crash
err3() {	# NAME BYTES
	local out
	out=$(raw "$2")
	expect_eq "$1: type 3" "${out:0:1}" 3
	printf '%s' "$out" | wellformed >/dev/null || not_ok "$1: well-formed error menu"
	alive "$1"
}
err3 "missing selector" "/gibt/es/nicht\r\n"
# after the error, links on: to the nearest folder above it and home
expect_eq "not found: then links to the folder above and home" \
    "$(raw "/$F/gibt/es/nicht\r\n" | tr -d '\r' | sed 1d)" \
"i		null.host	1
1Field notes	/$F/	$H	$GOPHER_PORT
1Startseite	/	$H	$GOPHER_PORT
."
expect_eq "not found below the root: one link home, not two" \
    "$(raw "/gibt/es/nicht\r\n" | tr -d '\r' | sed 1d)" \
"i		null.host	1
1Startseite	/	$H	$GOPHER_PORT
."
err3 "NUL in the selector" "/a\0b\r\n"
err3 "control byte in the selector" "/a\x01b\r\n"
err3 "selector over 1024 bytes" "/$(printf '%01100d' 0)\r\n"
# dot segments that climb above the root are refused as such (the rule
# of Gemini's 59), names that merely look like them are not found
for s in "/../../etc/passwd" "/$F/../../../etc/passwd" "../../etc/passwd" \
    "/.." "/$F/../.."; do
	out=$(raw "$s\r\n")
	expect_not_contains "nothing from outside: $s" "$out" "root:"
	expect_eq "climbs above the root: $s: type 3" "${out:0:1}" 3
	expect_contains "climbs above the root: $s: says so" "$out" \
	    "selector climbs above the root"
done
out=$(raw "/%2e%2e/%2e%2e/etc/passwd\r\n")
expect_eq "an encoded dot segment is a name: not found" "${out:0:1}" 3
expect_contains "an encoded dot segment is a name: not found, says so" \
    "$out" "nicht gefunden"
expect_same "dot segments inside the capsule still resolve" \
    "$(raw "/list/../$F/\r\n")" "$notes_menu" "$NOTES_ITEM"
expect_same "dot segments down to the root still resolve" \
    "$(raw "/$F/../\r\n")" "$root_menu" "$ROOT_ITEM"

# --- Gopher+: "+" gets the plain menu; "$" and "!" get attributes
expect_same "Gopher+ \"+\" gets the plain menu" "$(raw "/$F/\t+\r\n")" \
    "$notes_menu" "$NOTES_ITEM"
# "$": the menu's items, each as a +INFO block, in a "+-1" answer
want=$(printf '+-1\r\n'; printf '%s' "$root_menu" | sed '$d' |
    sed 's/^/+INFO: /'; printf '.\r\n')
expect_same "Gopher+ \"\$\": every item of the menu as +INFO" \
    "$(raw "\t\$\r\n")" "$want" "+INFO: 1"
expect_contains "Gopher+ \"\$\" on a folder lists its articles" \
    "$(raw "/$F/\t\$\r\n")" "+INFO: $NOTES_ITEM"
# "!": the item itself, its type and its view
expect_eq "Gopher+ \"!\" on an article: type 0, text/plain" \
    "$(raw "/$F/$A1\t!\r\n" | tr -d '\r')" \
"+-1
+INFO: 0Second visit to the mill	/$F/$A1	$H	$GOPHER_PORT
+VIEWS:
 text/plain: <1k>
."
expect_contains "Gopher+ \"!\" on a menu: its title, type 1" \
    "$(raw "/$F/\t!\r\n" | tr -d '\r')" \
"+INFO: 1Field notes	/$F/	$H	$GOPHER_PORT
+VIEWS:
 application/gopher-menu: <"
expect_eq "Gopher+ \"!\" on the search: type 7" \
    "$(raw "/list/suche\t!\r\n" | sed -n 2p)" \
    $'+INFO: 7/list/suche\t/list/suche\t'"$H"$'\t'"$GOPHER_PORT"$'\r'
expect_eq "Gopher+ \"\$\" on a missing item: a Gopher+ error" \
    "$(raw "/nix\t\$\r\n" | head -1)" $'--1\r'

# --- caps.txt
caps=$(gopher "0caps.txt")
expect_eq "caps.txt starts with CAPS" "${caps:0:4}" "CAPS"
expect_contains "caps.txt: path delimiter" "$caps" "PathDelimeter=/"
expect_contains "caps.txt: UTF-8" "$caps" "ServerDefaultEncoding=UTF-8"
expect_contains "caps.txt: server software" "$caps" "ServerSoftware=zeche"
expect_same "caps.txt with a leading slash too" "$(raw "/caps.txt\r\n")" \
    "$caps" "ServerSoftware=zeche"

# --- HTTP on the Gopher port
http=$(curl -s --max-time 10 -i "http://127.0.0.1:$GOPHER_PORT/")
expect_contains "HTTP: a real HTTP status line" "$http" "HTTP/1.0 400 Bad Request"
expect_contains "HTTP: HTML" "$http" "Content-Type: text/html; charset=utf-8"
expect_contains "HTTP: links to gopher://" "$http" "href=\"gopher://$H:$GOPHER_PORT/\""
expect_contains "HTTP: links to gemini://" "$http" "href=\"gemini://$H:$GEMINI_PORT/\""
alive "HTTP request on the Gopher port"

# --- URL: redirect pages
page=$(raw "URL:https://www.ruhr-konferenz.nrw/\r\n")
expect_contains "URL: selector gives an HTML redirect" "$page" \
    'content="1;url=https://www.ruhr-konferenz.nrw/"'
expect_contains "URL: selector links on" "$page" '<a href="https://www.ruhr-konferenz.nrw/">'
page=$(raw "URL:javascript:alert(1)\r\n")
expect_eq "URL: with another scheme is refused" "${page:0:1}" 3
page=$(raw 'URL:https://x/"><script>\r\n')
expect_not_contains "URL: never echoes markup" "$page" "<script>"

# --- gophers: TLS on the same port, the same content
expect_same "TLS on the Gopher port serves the same menu" \
    "$("$GEMGET" 127.0.0.1 "$GOPHER_PORT" "/$F/")" "$notes_menu" "$NOTES_ITEM"
alive "gophers"
expect_log "--verbose: the TLS on the Gopher port is logged" \
    "debug: gopher: a TLS handshake, answered over TLS"
expect_log "--verbose: the handshake and its SNI" \
    "debug: gopher: TLSv1.3 handshake done, SNI"
finish
