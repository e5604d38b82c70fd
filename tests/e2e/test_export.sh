# Feeds, robots.txt and favicon.txt over both protocols, and the static
# export: served by molly-brown (gemini/) and gophernicus (gopher/), it
# must answer like zeche does for everything reachable from the root.
CAPSULE=capsule
. "$(dirname "$0")/lib.sh"

F=themenforum-17
ATOM='http://www.w3.org/2005/Atom'
GOPHERNICUS=/usr/sbin/gophernicus
for tool in molly-brown "$GOPHERNICUS" systemd-socket-activate xmllint \
    curl openssl; do
	if ! command -v "$tool" >/dev/null; then
		not_ok "$tool is installed (contrib/dev.sh installs it)"
		finish
	fi
done

PEER_PIDS=()
stop_peers() {
	local p
	for p in "${PEER_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PEER_PIDS=()
}
trap 'stop_peers; cleanup' EXIT

# gopher_at PORT TYPE SELECTOR: the raw answer, to standard output
gopher_at() {
	curl -s --max-time 10 "gopher://127.0.0.1:$1/$2$3"
}

# body FILE: a Gemini response without its header line
body() {
	tail -n +2 "$1"
}

# xp FILE XPATH: the string value, Atom elements by their namespace
xp() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}
a() {	# a NAME: an Atom element step
	printf "*[local-name()='%s' and namespace-uri()='%s']" "$1" "$ATOM"
}

start_zeche
GEM_BASE="gemini://$H:$GEMINI_PORT"

# --- the Atom feed
check_feed() {	# LABEL FILE
	local f=$2 feed entry
	if out=$(xmllint --noout "$f" 2>&1); then
		ok "$1: well-formed XML (xmllint)"
	else
		not_ok "$1: well-formed XML (xmllint)" "$out"
	fi
	feed="/$(a feed)"
	expect_eq "$1: feed id" "$(xp "$f" "string($feed/$(a id))")" \
	    "$GEM_BASE/$F/"
	expect_eq "$1: feed title is the forum's" \
	    "$(xp "$f" "string($feed/$(a title))")" "Themenforum 17 – Innovation"
	expect_eq "$1: feed updated: the newest article" \
	    "$(xp "$f" "string($feed/$(a updated))")" "2019-02-26T00:00:00Z"
	expect_eq "$1: an author" \
	    "$(xp "$f" "count($feed/$(a author)/$(a name))")" 1
	expect_eq "$1: rel=self" \
	    "$(xp "$f" "string($feed/$(a link)[@rel='self']/@href)")" \
	    "$GEM_BASE/$F/atom.xml"
	expect_eq "$1: rel=alternate" \
	    "$(xp "$f" "string($feed/$(a link)[@rel='alternate']/@href)")" \
	    "$GEM_BASE/$F/"
	expect_eq "$1: two entries" "$(xp "$f" "count($feed/$(a entry))")" 2
	expect_eq "$1: every entry has id, title, updated, link, summary" \
	    "$(xp "$f" "count($feed/$(a entry)[$(a id) and $(a title) and \
	    $(a updated) and $(a link)/@href and $(a summary)])")" 2
	entry="$feed/$(a entry)"
	expect_eq "$1: newest first" \
	    "$(xp "$f" "string($entry[1]/$(a title))") / $(xp "$f" \
	    "string($entry[2]/$(a title))")" \
	    "Roundtable auf Zollverein / Innovationskonferenz in Tel Aviv"
	expect_eq "$1: entry id is the article's address" \
	    "$(xp "$f" "string($entry[1]/$(a id))")" \
	    "$GEM_BASE/$F/2019-02-26-roundtable-zollverein.gmi"
	expect_eq "$1: entry updated from the file name" \
	    "$(xp "$f" "string($entry[2]/$(a updated))")" "2018-05-28T00:00:00Z"
	expect_eq "$1: entry link" \
	    "$(xp "$f" "string($entry[2]/$(a link)/@href)")" \
	    "$GEM_BASE/$F/2018-05-28-innovationskonferenz-tel-aviv.gmi"
	expect_contains "$1: summary is the first paragraph" \
	    "$(xp "$f" "normalize-space($entry[1]/$(a summary))")" \
	    "Staatssekretär Dr. Mark Speich und seine Co-Moderatorin Prof. Uta Hohn luden am 26. Februar 2019"
}

gem_to "$WORK/resp" "gemini://$H/$F/atom.xml"
expect_eq "feed over Gemini: application/atom+xml" \
    "$(head -n1 "$WORK/resp")" $'20 application/atom+xml\r'
body "$WORK/resp" >"$WORK/atom-gemini.xml"
check_feed "feed over Gemini" "$WORK/atom-gemini.xml"
gopher_at "$GOPHER_PORT" 0 "/$F/atom.xml" >"$WORK/atom-gopher.xml"
check_feed "feed over Gopher" "$WORK/atom-gopher.xml"
expect_file_eq "feed: the same bytes over both" "$WORK/atom-gopher.xml" \
    "$WORK/atom-gemini.xml"
expect_contains "forum page links to the feed" "$(gem "gemini://$H/$F/")" \
    $'\n=> atom.xml Atom-Feed'
expect_contains "forum menu lists the feed as text" "$(gopher "1/$F/")" \
    $'0Atom-Feed\t/'"$F"$'/atom.xml\t'"$H"$'\t'"$GOPHER_PORT"$'\r\n'

# --- a new article: in the list, the feed and the menu after a reload
NEW=2024-05-01-grubenfahrt.gmi
printf '# Grubenfahrt & <Führung>\n\nGlück auf!\n' >"$ROOT/$F/$NEW"
reload "a new article"
expect_contains "new article: in the list" "$(gem "gemini://$H/$F/")" \
    "=> $NEW 2024-05-01 Grubenfahrt & <Führung>"
gem_to "$WORK/resp" "gemini://$H/$F/atom.xml"
body "$WORK/resp" >"$WORK/atom-new.xml"
expect_eq "new article: first in the feed, title escaped" \
    "$(xp "$WORK/atom-new.xml" "string(/$(a feed)/$(a entry)[1]/$(a title))")" \
    "Grubenfahrt & <Führung>"
expect_eq "new article: the feed's updated" \
    "$(xp "$WORK/atom-new.xml" "string(/$(a feed)/$(a updated))")" \
    "2024-05-01T00:00:00Z"
expect_contains "new article: in the Gopher menu" "$(gopher "1/$F/")" \
    $'02024-05-01 Grubenfahrt & <Führung>\t/'"$F/$NEW"
rm "$ROOT/$F/$NEW"
reload "the new article removed"
expect_eq "the new article removed: not found" \
    "$(gem_header "gemini://$H/$F/$NEW")" "51 Nicht gefunden"

# --- robots.txt and favicon.txt
gem_to "$WORK/resp" "gemini://$H/robots.txt"
expect_eq "robots.txt over Gemini: text/plain" "$(head -n1 "$WORK/resp")" \
    $'20 text/plain; charset=utf-8\r'
body "$WORK/resp" >"$WORK/robots-gemini"
robots=$(cat "$WORK/robots-gemini")
expect_contains "robots.txt: everyone may crawl" "$robots" \
    $'User-agent: *\nDisallow:'
expect_contains "robots.txt: web proxies are asked to stay away" "$robots" \
    $'User-agent: webproxy\nDisallow: /'
for agent in archiver indexer researcher; do
	expect_contains "robots.txt: names $agent" "$robots" "User-agent: $agent"
done
gopher_at "$GOPHER_PORT" 0 /robots.txt >"$WORK/robots-gopher"
expect_file_eq "robots.txt over Gopher: the same bytes" "$WORK/robots-gopher" \
    "$WORK/robots-gemini"
gem_to "$WORK/resp" "gemini://$H/favicon.txt"
expect_eq "favicon.txt: text/plain" "$(head -n1 "$WORK/resp")" \
    $'20 text/plain; charset=utf-8\r'
body "$WORK/resp" >"$WORK/favicon"
expect_file_eq "favicon.txt: the capsule's file" "$WORK/favicon" \
    "$ROOT/favicon.txt"
expect_eq "favicon.txt: one line" "$(wc -l <"$WORK/favicon")" 1
alive "feeds, robots.txt and favicon.txt"

# --- the export, with zeche's own host and ports
EXP=$WORK/export
# no byte from outside the capsule
echo "GEHEIM-$$" >"$WORK/secret.txt"
ln -s "$WORK/secret.txt" "$ROOT/partner/geheim.txt"
# a page whose Gopher links have item types Gophernicus reads as its own
# directives ("." ends a map, "*" lists the folder, "=" runs a file)
printf '# Feindlich\n\n=> gopher://evil.example/.x Punkt\n=> gopher://evil.example/*y Stern\n=> gopher://evil.example/=z Gleich\n=> gopher://evil.example/#k Raute\nEnde der Seite.\n' \
    >"$ROOT/feindlich.gmi"
export_site() {
	"$ZECHE" --root "$ROOT" --host "$H" --lang de --gemini "127.0.0.1:$GEMINI_PORT" \
	    --gopher "127.0.0.1:$GOPHER_PORT" --export "$EXP" >"$WORK/export.out" 2>&1
}
if export_site; then
	ok "export: exit 0"
else
	not_ok "export: exit 0" "$(cat "$WORK/export.out")"
fi
expect_contains "export: says what it did" "$(cat "$WORK/export.out")" \
    "exported"
expect_eq "export: nothing from outside the capsule" \
    "$(grep -rl "GEHEIM" "$EXP" 2>/dev/null)" ""
rm -f "$ROOT/partner/geheim.txt"
# the searches (the capsule's, the partner directory's): only zeche
# answers them, so the export links neither, over either protocol
SEARCHES='/suche|/partner/suche'
expect_contains "zeche's page index links the search" \
    "$(gem "gemini://$H/seiten/")" "=> /suche "
expect_eq "export: no Gemini page links a search" \
    "$(grep -rlE "^=>[[:blank:]]*($SEARCHES)([?[:blank:]]|\$)" "$EXP/gemini")" ""
expect_eq "export: no gophermap has a search item" \
    "$(grep -rlE "^7.*	($SEARCHES)	" "$EXP/gopher")" ""
expect_contains "export: the page index without it, the rest kept" \
    "$(cat "$EXP/gemini/seiten/index.gmi")" "=> /$F/ "
for f in gemini/index.gmi gemini/$F/index.gmi gemini/$F/atom.xml \
    gemini/robots.txt gemini/favicon.txt gopher/gophermap \
    gopher/$F/gophermap gopher/$F/2019-02-26-roundtable-zollverein.gmi \
    gopher/$F/atom.xml gopher/robots.txt gopher/favicon.txt; do
	expect_eq "export: $f" "$([ -f "$EXP/$f" ] && echo file)" file
done

# Peers run unprivileged: gophernicus refuses root (as in run-bench.sh).
RUNAS=()
mkdir "$WORK/peer"
if [ "$(id -u)" -eq 0 ]; then
	RUNAS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	chown nobody "$WORK/peer"
fi
chmod 755 "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/peer/key.pem" -out "$WORK/peer/cert.pem" -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1
chmod 644 "$WORK/peer/key.pem"		# a throw-away key, for nobody
MP=$(free_port)
GP=$(free_port)
while [ "$GP" = "$MP" ]; do GP=$(free_port); done
cat >"$WORK/peer/molly.conf" <<EOF
Port = $MP
Hostname = "localhost"
CertPath = "$WORK/peer/cert.pem"
KeyPath = "$WORK/peer/key.pem"
DocBase = "$EXP/gemini/"
AccessLog = "$WORK/peer/molly-access.log"
ErrorLog = "$WORK/peer/molly-error.log"
EOF
"${RUNAS[@]}" molly-brown -c "$WORK/peer/molly.conf" \
    >"$WORK/peer/molly.out" 2>&1 </dev/null &
PEER_PIDS+=("$!")
# -nf: no footer; -nm -nx -nu -ns: no shared memory, scripts, ~user, syslog
"${RUNAS[@]}" systemd-socket-activate --inetd -l "127.0.0.1:$GP" \
    -a "$GOPHERNICUS" -h localhost -p "$GP" -r "$EXP/gopher" \
    -nf -nm -nx -nu -ns >"$WORK/peer/gophernicus.out" 2>&1 </dev/null &
PEER_PIDS+=("$!")
if ! wait_port "$MP" || ! wait_port "$GP"; then
	not_ok "molly-brown and gophernicus start" \
	    "$(cat "$WORK/peer/"*.out "$WORK/peer/"*.log 2>/dev/null)"
	finish
fi

# resolve BASE REF: the absolute path a link REF on page BASE names on
# this capsule; fails for other hosts, schemes and queries
resolve() {
	local base=$1 ref=$2 path seg trail= IFS=/
	local -a parts=()
	case $ref in
	*\?*) return 1 ;;
	"gemini://$H"|"gemini://$H:$GEMINI_PORT") path=/ ;;
	"gemini://$H/"*|"gemini://$H:$GEMINI_PORT/"*) path=/${ref#gemini://*/} ;;
	*:*|//*) return 1 ;;
	/*) path=$ref ;;
	*) path=${base%/*}/$ref ;;
	esac
	path=${path%%#*}
	case $path in */|*/.|*/..) trail=/ ;; esac
	for seg in $path; do
		case $seg in
		''|.) ;;
		..) [ ${#parts[@]} -gt 0 ] && unset 'parts[${#parts[@]}-1]' ;;
		*) parts+=("$seg") ;;
		esac
	done
	path="/${parts[*]}"
	[ "$path" != / ] && path=$path$trail
	printf '%s' "$path"
}

# --- Gemini: every page reachable from / has the same body on molly-brown
declare -A seen
queue=(/)
pages=0
while [ ${#queue[@]} -gt 0 ]; do
	p=${queue[0]}
	queue=("${queue[@]:1}")
	[ -n "${seen[g$p]+x}" ] && continue
	seen[g$p]=1
	"$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H$p" >"$WORK/z" 2>/dev/null
	zh=$(head -n1 "$WORK/z" | tr -d '\r')
	case $zh in
	"20 "*) ;;
	"10 "*) continue ;;	# a search prompt: nothing a file can answer
	*) not_ok "zeche serves $p, linked from the capsule" "$zh"; continue ;;
	esac
	"$GEMGET" -s localhost 127.0.0.1 "$MP" "gemini://localhost:$MP$p" \
	    >"$WORK/m" 2>/dev/null
	mh=$(head -n1 "$WORK/m" | tr -d '\r')
	if [ "${mh:0:3}" != "20 " ]; then
		not_ok "molly-brown serves $p" "$mh"
		continue
	fi
	body "$WORK/z" >"$WORK/zb"
	body "$WORK/m" >"$WORK/mb"
	# the export leaves out the links to the searches (SEARCHES)
	grep -vE "^=>[[:blank:]]*($SEARCHES)([?[:blank:]]|\$)" "$WORK/zb" \
	    >"$WORK/zw"
	if cmp -s "$WORK/zw" "$WORK/mb"; then
		pages=$((pages + 1))
	else
		not_ok "molly-brown: $p byte for byte" \
		    "$(diff -u "$WORK/zw" "$WORK/mb" | head -20)"
	fi
	case $zh in "20 text/gemini"*) ;; *) continue ;; esac
	while IFS= read -r ref; do
		if t=$(resolve "$p" "$ref"); then
			queue+=("$t")
		fi
	done < <(tr -d '\r' <"$WORK/zb" | sed -n 's/^=>[[:blank:]]*\([^[:blank:]]*\).*/\1/p')
done
expect_eq "molly-brown: every page reachable from / the same ($pages)" \
    "$([ "$pages" -ge 8 ] && echo yes)" yes

# --- Gopher: every menu reachable from the root the same on gophernicus,
# its local items pointing to gophernicus, and every text item the same
queue=("")
menus=0
texts=0
while [ ${#queue[@]} -gt 0 ]; do
	s=${queue[0]}
	queue=("${queue[@]:1}")
	[ -n "${seen[m$s]+x}" ] && continue
	seen[m$s]=1
	gopher_at "$GOPHER_PORT" 1 "$s" >"$WORK/z"
	gopher_at "$GP" 1 "$s" >"$WORK/g"
	# zeche's menu with its own items moved to gophernicus' port; its
	# searches (type 7), which only zeche answers, left out
	LC_ALL=C awk -F'\t' -v OFS='\t' -v h="$H" -v zp="$GOPHER_PORT" -v gp="$GP" '
	{ cr = sub(/\r$/, "") }
	NF == 4 && $3 == h && $4 == zp && substr($1, 1, 1) == "7" { next }
	NF == 4 && $3 == h && $4 == zp { $4 = gp }
	{ printf "%s%s\n", $0, cr ? "\r" : "" }' "$WORK/z" >"$WORK/want"
	if [ "$(tail -n 1 "$WORK/want")" != $'.\r' ] ||
	    [ "$(head -c 1 "$WORK/want")" = 3 ]; then
		not_ok "zeche: menu \"$s\" is a menu, not an error" \
		    "$(head -5 "$WORK/want")"
		continue
	fi
	if cmp -s "$WORK/want" "$WORK/g"; then
		menus=$((menus + 1))
	else
		not_ok "gophernicus: menu \"$s\" the same" \
		    "$(diff -u "$WORK/want" "$WORK/g" | head -20)"
		continue
	fi
	while IFS=$'\t' read -r disp sel host port; do
		port=${port%$'\r'}
		[ "$host" = "$H" ] && [ "$port" = "$GOPHER_PORT" ] || continue
		case ${disp:0:1} in
		1) queue+=("$sel") ;;
		0)
			[ -n "${seen[t$sel]+x}" ] && continue
			seen[t$sel]=1
			gopher_at "$GOPHER_PORT" 0 "$sel" >"$WORK/zt"
			gopher_at "$GP" 0 "$sel" >"$WORK/gt"
			if [ ! -s "$WORK/zt" ]; then
				not_ok "zeche: text $sel is not empty"
				continue
			fi
			# Gophernicus sends *.txt with CRLF line ends
			if cmp -s "$WORK/zt" "$WORK/gt" || cmp -s \
			    <(tr -d '\r' <"$WORK/zt") <(tr -d '\r' <"$WORK/gt"); then
				texts=$((texts + 1))
			else
				not_ok "gophernicus: text $sel the same" \
				    "$(cmp "$WORK/zt" "$WORK/gt")"
			fi ;;
		esac
	done <"$WORK/z"
done
expect_eq "gophernicus: every menu reachable from the root ($menus)" \
    "$([ "$menus" -ge 6 ] && echo yes)" yes
expect_eq "gophernicus: every text item, the articles too ($texts)" \
    "$([ "$texts" -ge 3 ] && echo yes)" yes
gopher_at "$GP" 0 "/$F/atom.xml" >"$WORK/atom-gn.xml"
expect_file_eq "gophernicus: the feed byte for byte" "$WORK/atom-gn.xml" \
    "$WORK/atom-gemini.xml"
check_feed "feed from gophernicus" "$WORK/atom-gn.xml"
expect_same "gophernicus: robots.txt" \
    "$(gopher_at "$GP" 0 /robots.txt | tr -d '\r')" \
    "$(cat "$WORK/robots-gemini")" $'User-agent: *\nDisallow:'
expect_not_contains "gophernicus: no footer of its own" \
    "$(gopher_at "$GP" 1 "")" "Gophernicus"

# --- links of unsafe item types: the menu is whole, they are info lines
hostile=$(gopher_at "$GP" 1 /feindlich.gmi | tr -d '\r')
expect_contains "gophernicus: a \".\" item does not end the menu" "$hostile" \
    $'iPunkt: gopher://evil.example:70/.x\t'
expect_contains "gophernicus: a \"*\" item is an info line" "$hostile" \
    $'iStern: gopher://evil.example:70/%2Ay\t'
expect_contains "gophernicus: a \"=\" item is an info line" "$hostile" \
    $'iGleich: gopher://evil.example:70/%3Dz\t'
expect_contains "gophernicus: a \"#\" item is an info line" "$hostile" \
    $'iRaute: gopher://evil.example:70/%23k\t'
expect_contains "gophernicus: the text after them, then the end" "$hostile" \
    $'iEnde der Seite.\t'
expect_eq "gophernicus: the menu ends with its \".\"" \
    "$(printf '%s\n' "$hostile" | tail -n 1)" "."
rm "$ROOT/feindlich.gmi"

# --- again, after a file left the capsule: exactly the new content
(cd "$EXP" && find . | sort) >"$WORK/before"
rm "$ROOT/favicon.txt"
if export_site; then
	ok "re-export: exit 0"
else
	not_ok "re-export: exit 0" "$(cat "$WORK/export.out")"
fi
(cd "$EXP" && find . | sort) >"$WORK/after"
expect_eq "re-export: only favicon.txt and feindlich.gmi are gone" \
    "$(diff "$WORK/before" "$WORK/after" | grep '^[<>]')" \
"< ./gemini/favicon.txt
< ./gemini/feindlich.gmi
< ./gopher/favicon.txt
< ./gopher/feindlich.gmi
< ./gopher/feindlich.gmi/gophermap"
expect_eq "re-export: molly-brown no longer has it" \
    "$("$GEMGET" -s localhost 127.0.0.1 "$MP" "gemini://localhost:$MP/favicon.txt" 2>/dev/null | head -c 2)" 51
expect_eq "re-export: the new tree is served" \
    "$("$GEMGET" -s localhost 127.0.0.1 "$MP" "gemini://localhost:$MP/" 2>/dev/null | head -c 2)" 20

# --- refusals
for bad in / "$ROOT" "$ROOT/sub" "$WORK"; do
	if "$ZECHE" --root "$ROOT" --export "$bad" >"$WORK/out" 2>&1; then
		not_ok "export into $bad is refused"
	else
		expect_contains "export into $bad is refused" "$(cat "$WORK/out")" \
		    "refusing"
	fi
done
expect_eq "the capsule is untouched" \
    "$(ls "$ROOT")" "$(ls "$ZECHE_SOURCE_DIR/capsule" | grep -v favicon.txt)"
stop_peers
finish
