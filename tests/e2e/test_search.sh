# The search over the whole capsule: /suche (lib.sh: --lang de) asks for
# a query over Gemini (10), Gopher (type 7) and Spartan (an "=:" link),
# finds articles, pages and partners with the directory's folding, ranks
# title hits first, shows an excerpt, pages its results; robots.txt keeps
# indexers out of it; a generated home page and the page index link it;
# "search off" takes it away.
. "$(dirname "$0")/lib.sh"
: "${SPGET:?SPGET must name the spget client}"

spartan() {
	if [ $# -gt 1 ]; then
		"$SPGET" -d "$2" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1"
	else
		"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1"
	fi
}

SPARTAN_PORT=$(free_port)
start_zeche --spartan "127.0.0.1:$SPARTAN_PORT"
wait_port "$SPARTAN_PORT" || not_ok "Spartan listens" "$(tail -20 "$LOG")"

# Gemini
expect_eq "gemini: the search asks for a query (10)" \
    "$(gem_header "gemini://$H/suche")" \
    "10 Diese Kapsel durchsuchen (ein Wort oder Teil davon)"
res=$(gem "gemini://$H/suche?M%C3%BChle%20OR%20weir")
expect_contains "gemini: a query that hits nothing says so" "$res" \
    "Keine Treffer"
res=$(gem "gemini://$H/suche?MUENSTER")
expect_eq "gemini: results are gemtext" \
    "$(gem_header "gemini://$H/suche?MUENSTER")" "20 text/gemini; lang=de"
expect_contains "gemini: \"MUENSTER\" finds the partner \"Café Münster\"" \
    "$res" "=> https://cafe.example/ Café Münster Roastery"
expect_contains "gemini: partners come under their heading" "$res" \
    "## Im Partnerverzeichnis"
res=$(gem "gemini://$H/suche?mill")
expect_contains "gemini: \"mill\" counts its hits" "$res" "3 Treffer"
first=$(printf '%s\n' "$res" | grep -m1 '^=> /notes/')
expect_eq "gemini: the newer article with the word in its title first" \
    "$first" \
    "=> /notes/2024-03-05-second-visit.gmi 2024-03-05 Second visit to the mill"
res=$(gem "gemini://$H/suche?j%C3%BCrgen")
expect_contains "gemini: an excerpt of the line that holds the hit" \
    "$res" "Zoë and Jürgen measured the weir"
expect_eq "gemini: a control character in the query is refused (59)" \
    "$(gem_header "gemini://$H/suche?a%09b")" \
    "59 Fehlerhafte Suchanfrage"
alive "a refused query"

# Gopher: type 7, the query after a TAB; result pages in the path
res=$(gopher "7/suche%09weir")
expect_contains "gopher: a search answers a menu of the hits" "$res" \
    "02024-03-05 Second visit to the mill	/notes/2024-03-05-second-visit.gmi"
expect_contains "gopher: the new search is a type 7 item" "$res" \
    "7Neue Suche	/suche	"
expect_contains "gopher: an excerpt around the hit" "$res" \
    "the café by the weir served tea."
expect_contains "gopher: a folded query in the path works too" \
    "$(gopher "1/suche/1/weir")" "2 Treffer"
long=$(printf '%0300d' 0)
res=$(gopher "7/suche%09$long")
expect_contains "gopher: a refused query says so in the host's language" \
    "$res" "3Fehlerhafte Suchanfrage	"
expect_not_contains "gopher: and not in the log's English" "$res" "query"
alive "a refused Gopher query"

# Spartan: the query is the data block; the result's new search an "=:"
res=$(spartan /suche "Münster")
expect_contains "spartan: the search answers" "$res" \
    "=> https://cafe.example/ Café Münster Roastery"
expect_contains "spartan: the new search is an input link" "$res" \
    "=: /suche Neue Suche"
expect_contains "spartan: the page index's input link to the search" \
    "$(spartan /seiten/)" "=: /suche Diese Kapsel durchsuchen"
res=$(spartan /suche "$long")
expect_eq "spartan: a refused query says so in the host's language" \
    "$(printf '%s\n' "$res" | head -n 1 | tr -d '\r')" \
    "4 Fehlerhafte Suchanfrage"

# robots.txt: indexers leave the search alone
robots=$(gem "gemini://$H/robots.txt")
expect_contains "robots.txt: indexer keeps out of the search" \
    "$robots" "User-agent: indexer
Disallow: /list/suche"
expect_contains "robots.txt: Disallow /suche" "$robots" "Disallow: /suche"
expect_contains "the page index links the search" \
    "$(gem "gemini://$H/seiten/")" "=> /suche Diese Kapsel durchsuchen"
expect_not_contains "the capsule's own home page is served as written" \
    "$(gem "gemini://$H/")" "/suche"
stop_zeche

# a generated home page links the search in the host's language
rm "$ROOT/index.gmi"
start_zeche
expect_contains "a generated home page links the search" \
    "$(gem "gemini://$H/")" "=> /suche Diese Kapsel durchsuchen"
stop_zeche

# "search off": no search, no link, no Disallow line
GEMINI_PORT=$(free_port)
cat >"$WORK/zeche.conf" <<CONF
gemini  127.0.0.1:$GEMINI_PORT
host "$H" {
	root        "$ROOT"
	certs       "$CERTS"
	lang        "de"
	search      off
}
CONF
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || not_ok "zeche --config starts" "$(tail -20 "$LOG")"
expect_eq "search off: not found" "$(gem_header "gemini://$H/suche")" \
    "51 Nicht gefunden"
expect_not_contains "search off: the home page does not link it" \
    "$(gem "gemini://$H/")" "/suche"
expect_not_contains "search off: robots.txt does not name it" \
    "$(gem "gemini://$H/robots.txt")" "Disallow: /suche"
finish
