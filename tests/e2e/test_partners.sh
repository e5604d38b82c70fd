# The partner directory over Gemini and Gopher: the shipped data, a
# synthetic directory of 634 entries, search, and bad partners.txt files.
CAPSULE=capsule
. "$(dirname "$0")/lib.sh"

P=partner
raw() {
	printf "$1" | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT"
}
# gem_names URL: the partners a Gemini page lists, in order: its list
# items, and the labels of links to web addresses (partners that have one)
gem_names() {
	gem "$1" | tr -d '\r' | awk '
		/^\* / { sub(/^\* /, ""); print; next }
		/^=> [a-z]+:\/\// { sub(/^=> [^ ]+ /, ""); print }'
}

# the shipped capsule passes --check (the other tests read tests/data)
out=$("$ZECHE" --check --root "$ROOT" 2>&1)
expect_eq "shipped capsule: --check exits 0" "$?" 0
expect_contains "shipped capsule: --check says OK" "$out" "OK"

start_zeche
over=$(gem "gemini://$H/$P/")
expect_contains "overview: count computed" "$over" "9 Partner"
expect_contains "overview: title first" "$(printf '%s' "$over" | sed -n 2p)" "# "
expect_contains "overview: group F-J with its count" "$over" "=> /$P/f-j/ F-J (4)"
expect_contains "overview: group P-T with its count" "$over" "=> /$P/p-t/ P-T (3)"
expect_contains "overview: a search link" "$over" "=> /$P/suche "
expect_contains "overview: back home" "$over" "=> / Startseite"
expect_eq "the seed's nine names, each once, in DIN 5007 order" \
    "$(gem_names "gemini://$H/$P/")" \
"GFOS mbH
Handwerkskammer Bildungszentrum Münster
Hundertmark Verkehrssicherungsanlagen GmbH
Industrie- und Handelskammer zu Dortmund
KRANKIKOM Alexander Kranki Kommunikation GmbH
NRW.International GmbH
Ruhr-Universität Bochum
Stiftung und Verein Westfalen-Initiative für Eigenverantwortung und Gemeinwohl
Südwestfälische Industrie- und Handelskammer zu Hagen"
expect_eq "group P-T" "$(gem_names "gemini://$H/$P/p-t/")" \
"Ruhr-Universität Bochum
Stiftung und Verein Westfalen-Initiative für Eigenverantwortung und Gemeinwohl
Südwestfälische Industrie- und Handelskammer zu Hagen"

# Gopher: the same items in the same order
gmenu=$(raw "/$P/\r\n")
expect_contains "gopher overview: count" "$gmenu" $'i9 Partner\t'
expect_contains "gopher overview: search is a type 7 item" "$gmenu" \
    $'7Partner suchen\t/'"$P"$'/suche\t'"$H"$'\t'"$GOPHER_PORT"
expect_same "gopher overview: the same groups in the same order" \
    "$(printf '%s' "$gmenu" | grep -a '^1.*/'"$P"'/[a-z0-9]*-[a-z0-9]*/' | cut -f1 | cut -c2-)" \
    "$(printf '%s' "$over" | grep "^=> /$P/[a-z0-9]*-[a-z0-9]*/ " | cut -d' ' -f3-)" \
    $'F-J (4)\nK-O'

# --- search
expect_eq "gemini search without words: 10 with a German prompt" \
    "$(gem_header "gemini://$H/$P/suche" | cut -c1-3)" "10 "
for q in munster muenster M%C3%BCnster MUENSTER; do
	r=$(gem "gemini://$H/$P/suche?$q")
	expect_contains "gemini search \"$q\" finds the Handwerkskammer" "$r" \
	    "Handwerkskammer Bildungszentrum Münster"
	expect_contains "gemini search \"$q\": one hit" "$r" "1 Treffer"
done
for q in munster muenster "Münster"; do
	r=$(raw "/$P/suche\t$q\r\n")
	expect_contains "gopher search \"$q\" finds the Handwerkskammer" "$r" \
	    "Handwerkskammer Bildungszentrum Münster"
done
# a Gopher+ client searches with SELECTOR TAB WORDS TAB "+"
r=$(raw "/$P/suche\tmuenster\t+\r\n")
expect_contains "Gopher+ search finds the Handwerkskammer" "$r" \
    "Handwerkskammer Bildungszentrum Münster"
expect_same "Gopher+ search: the plain search's answer" "$r" \
    "$(raw "/$P/suche\tmuenster\r\n")" "Handwerkskammer Bildungszentrum Münster"
r=$(gem "gemini://$H/$P/suche?industrie")
expect_contains "search: several hits" "$r" "2 Treffer"
r=$(gem "gemini://$H/$P/suche?zzzzzz")
expect_eq "no hit: a friendly page, not an error" "$(printf '%s' "$r" | head -c 2)" 20
expect_contains "no hit: says so" "$r" "Keine Treffer"
long=$(printf 'a%.0s' $(seq 1 300))
expect_eq "search words too long: 59" \
    "$(gem_header "gemini://$H/$P/suche?$long" | cut -c1-2)" 59
expect_eq "search words not UTF-8: 59" \
    "$(gem_header "gemini://$H/$P/suche?%FF%FE" | cut -c1-2)" 59
expect_eq "search words with a bad escape: 59" \
    "$(gem_header "gemini://$H/$P/suche?%G1" | cut -c1-2)" 59
r=$(raw "/$P/suche\t$long\r\n")
expect_eq "gopher search words too long: type 3" "${r:0:1}" 3
alive "bad search words"

# --- web addresses with '"', '<' and '>': percent-encoded at load, so the
# Gopher h item's "URL:" selector is one zeche's own handler follows
stop_zeche
printf 'Anf\xc3\xbchrung GmbH\thttps://a.example/?q="x"&t=<b>\n' \
    >"$ROOT/$P/partners.txt"
start_zeche
expect_contains "quotes in a web address: Gemini link encoded" \
    "$(gem "gemini://$H/$P/")" '=> https://a.example/?q=%22x%22&t=%3Cb%3E Anführung GmbH'
sel=$(raw "/$P/\r\n" | grep -a '^hAnführung GmbH' | cut -f2)
expect_eq "quotes in a web address: Gopher h item" "$sel" \
    'URL:https://a.example/?q=%22x%22&t=%3Cb%3E'
r=$(printf '%s\r\n' "$sel" | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT")
expect_contains "quotes in a web address: zeche's URL: page leads on" "$r" \
    'href="https://a.example/?q=%22x%22&amp;t=%3Cb%3E"'
expect_not_contains "quotes in a web address: no error item" "$r" "Fehler"

# --- a synthetic directory of 634 entries: 32 pages of 20
stop_zeche
"$ZECHE_SOURCE_DIR/tests/gen-partners.sh" 634 >"$ROOT/$P/partners.txt"
start_zeche
over=$(gem "gemini://$H/$P/")
expect_contains "634: count" "$over" "634 Partner"
expect_contains "634: page 1 of 32" "$over" "Seite 1 von 32"
expect_eq "634: 20 entries on page 1" "$(gem_names "gemini://$H/$P/" | wc -l)" 20
p2=$(gem "gemini://$H/$P/seite-2.gmi")
expect_contains "634: page 2" "$p2" "Seite 2 von 32"
last=$(gem "gemini://$H/$P/seite-32.gmi")
expect_contains "634: page 32 is the last" "$last" "Seite 32 von 32"
expect_eq "634: 14 entries on the last page" \
    "$(gem_names "gemini://$H/$P/seite-32.gmi" | wc -l)" 14
expect_eq "634: no page 33" "$(gem_header "gemini://$H/$P/seite-33.gmi" | cut -c1-2)" 51
expect_contains "634: page 2 links back to page 1" "$p2" "=> /$P/"
expect_contains "634: page 2 links on to page 3" "$p2" "=> /$P/seite-3.gmi"
total=0
for n in $(seq 1 32); do
	[ "$n" = 1 ] && u="gemini://$H/$P/" || u="gemini://$H/$P/seite-$n.gmi"
	total=$((total + $(gem_names "$u" | wc -l)))
done
expect_eq "634: all pages together list 634 entries" "$total" 634
# Gopher lists the same entries in the same order on the same page
# (names with a web address are h items there, the others "* " info lines)
gop_p7=$(raw "/$P/seite-7.gmi\r\n" | tr -d '\r' | awk -F '\t' '
	/^iSeite [0-9]+ von/ { on = 1; next }
	on && $1 == "i" { if (seen) exit; next }
	on { seen = 1; s = substr($1, 2); sub(/^\* /, "", s); print s }')
expect_eq "634: Gopher page 7 lists what Gemini page 7 lists" "$gop_p7" \
    "$(gem_names "gemini://$H/$P/seite-7.gmi")"
expect_eq "634: page 7 has 20 entries" "$(printf '%s\n' "$gop_p7" | wc -l)" 20
# a group's pages past the first are rendered on request too, and the
# Gopher menus link them as menus
g2=$(gem "gemini://$H/$P/a-e/seite-2.gmi")
expect_contains "634: group page 2 over Gemini" "$g2" "Seite 2 von"
expect_contains "634: group page 2 links back to its page 1" "$g2" "=> /$P/a-e/ "
expect_contains "634: Gopher group page 1 links page 2 as a menu" \
    "$(raw "/$P/a-e/\r\n")" $'\t/'"$P"$'/a-e/seite-2.gmi\t'"$H"$'\t'"$GOPHER_PORT"
expect_eq "634: Gopher group page 2 lists what Gemini lists" \
    "$(raw "/$P/a-e/seite-2.gmi\r\n" | tr -d '\r' | awk -F '\t' '
	/^iSeite [0-9]+ von/ { on = 1; next }
	on && $1 == "i" { if (seen) exit; next }
	on { seen = 1; s = substr($1, 2); sub(/^\* /, "", s); print s }')" \
    "$(gem_names "gemini://$H/$P/a-e/seite-2.gmi")"
expect_eq "634: no page 1 under a second name" \
    "$(gem_header "gemini://$H/$P/seite-1.gmi" | cut -c1-2)" 51
# a page made on request speaks the host's language, as the pages made
# at load do: labels and the lang parameter
stop_zeche
start_zeche --lang en
# and its addresses: English words on an English host
expect_eq "634, English: a page made on request has the overview's header" \
    "$(gem_header "gemini://$H/$P/page-2.gmi")" "$(gem_header "gemini://$H/$P/")"
expect_contains "634, English: its labels" \
    "$(gem "gemini://$H/$P/a-e/page-2.gmi")" "Page 2 of"
expect_contains "634, English: the overview links the search by its English name" \
    "$(gem "gemini://$H/$P/")" "=> /$P/search "
expect_eq "634, English: the search asks for a query" \
    "$(gem_header "gemini://$H/$P/search" | cut -c1-2)" 10
expect_contains "634, English: results link on to English addresses" \
    "$(gem "gemini://$H/$P/search?gmbh")" "=> /$P/search/2?gmbh "
expect_eq "634, English: no German address on an English host" \
    "$(gem_header "gemini://$H/$P/seite-2.gmi" | cut -c1-2)" 51
stop_zeche
start_zeche

# search results are paged like the list, on both protocols alike
r1=$(gem "gemini://$H/$P/suche?gmbh")
np=$(printf '%s' "$r1" | sed -n 's/^Seite 1 von \([0-9]*\)\r\{0,1\}$/\1/p')
expect_eq "634: many hits for gmbh, over several pages" "$([ "${np:-0}" -ge 2 ] && echo yes)" yes
expect_contains "634: results link on to page 2" "$r1" "=> /$P/suche/2?gmbh "
expect_contains "634: results page 2" "$(gem "gemini://$H/$P/suche/2?gmbh")" "Seite 2 von $np"
g1=$(raw "/$P/suche\tgmbh\r\n")
expect_contains "634: Gopher results link on to page 2 as a menu" "$g1" \
    $'\t/'"$P"$'/suche/2/gmbh\t'"$H"$'\t'"$GOPHER_PORT"
expect_same "634: Gopher and Gemini list the same hits on page 2" \
    "$(raw "/$P/suche/2/gmbh\r\n" | tr -d '\r' | awk -F '\t' '
	/^iSeite [0-9]+ von/ { on = 1; next }
	on && $1 == "i" { if (seen) exit; next }
	on { seen = 1; s = substr($1, 2); sub(/^\* /, "", s); print s }')" \
    "$(gem_names "gemini://$H/$P/suche/2?gmbh")" "GmbH"
expect_eq "634: results page 2 is not empty" \
    "$([ "$(gem_names "gemini://$H/$P/suche/2?gmbh" | wc -l)" -ge 1 ] && echo yes)" yes

# --- a bad partners.txt: file and line, and the last good directory stays
printf 'Gute Firma GmbH\nKaputt \xff GmbH\n' >"$ROOT/$P/partners.txt"
out=$("$ZECHE" --check --root "$ROOT" 2>&1)
expect_eq "bad partners.txt: --check exits 1" "$?" 1
expect_contains "bad partners.txt: file and line" "$out" "$P/partners.txt:2:"
reload "bad partners.txt"
expect_contains "bad partners.txt: the reload fails" "$RELOAD_LOG" \
    "$P/partners.txt:2:"
expect_contains "bad partners.txt: reload keeps the last good directory" \
    "$(gem "gemini://$H/$P/")" "634 Partner"
printf 'Eine Firma\x01 GmbH\n' >"$ROOT/$P/partners.txt"
out=$("$ZECHE" --check --root "$ROOT" 2>&1)
expect_contains "control character: file and line" "$out" "$P/partners.txt:1:"
printf 'Firma %0600d\n' 0 >"$ROOT/$P/partners.txt"
out=$("$ZECHE" --check --root "$ROOT" 2>&1)
expect_contains "over-long line: file and line" "$out" "$P/partners.txt:1:"
finish
