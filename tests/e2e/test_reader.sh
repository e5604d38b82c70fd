# What a reader sees, on the served bytes: the partners as one list item
# each, what the directory's overview holds, empty groups, single pages,
# one navigation block at the end of every page with distinct targets,
# the forum and the directory linked to each other, German status texts
# and robots.txt, the feed's language and Gopher links.
CAPSULE=capsule
. "$(dirname "$0")/lib.sh"

start_zeche
F=themenforum-17
A1=2019-02-26-roundtable-zollverein.gmi

# page PATH: the body of a Gemini page (its status line checked)
page() {
	local r
	r=$(gem "gemini://$H$1")
	[ "$(printf '%s' "$r" | head -n 1 | tr -d '\r')" = "20 text/gemini; lang=de" ] ||
	    not_ok "$1 is served" "$(printf '%s' "$r" | head -n 1)"
	printf '%s\n' "$r" | tail -n +2
}

# raw SELECTOR-BYTES: a Gopher answer as it is
raw() {
	printf "$1" | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT"
}

# --- every partner one list item, on Gemini and on Gopher
ov=$(page /partner/)
W="Stiftung und Verein Westfalen-Initiative für Eigenverantwortung und"
expect_contains "overview: a long name is one list item" "$ov" \
    "
* $W Gemeinwohl
"
expect_eq "overview: all nine partners are list items" \
    "$(printf '%s\n' "$ov" | grep -c '^\* ')" 9
expect_contains "Gopher: a wrapped name goes on indented" "$(raw '/partner/\r\n')" \
    $'i* Stiftung und Verein Westfalen-Initiative für Eigenverantwortung\t\tnull.host\t1\r\ni  und Gemeinwohl\t\tnull.host\t1\r\n'
expect_contains "a group page: list items too" "$(page /partner/p-t/)" \
    "* Ruhr-Universität Bochum"
expect_contains "search results: list items too" \
    "$(page '/partner/suche?m%C3%BCnster')" \
    "* Handwerkskammer Bildungszentrum Münster"

# --- what the overview holds: partners counted, the excerpt said
expect_contains "overview: 9 Partner" "$ov" "
9 Partner
"
expect_not_contains "overview: no \"Treffer\" but for searches" "$ov" "Treffer"
expect_contains "overview: an excerpt of the forum's 634" "$ov" \
    "Dies ist ein Auszug: Das Partnerverzeichnis des Forums hat 634 Einträge, hier stehen die neun, die seine Partnerseite zeigt."
expect_contains "search results: still Treffer" \
    "$(page '/partner/suche?ruhr')" "1 Treffer für \"ruhr\""

# --- an empty group is text, not a link; a single page is not numbered
expect_contains "empty group A-E: text" "$ov" "
A-E (0)
"
expect_contains "empty group U-Z: text" "$ov" "
U-Z (0)
"
expect_not_contains "no link to an empty group" "$ov" "=> /partner/a-e/"
expect_not_contains "no link to an empty group (U-Z)" "$ov" "=> /partner/u-z/"
expect_contains "a group with partners: a link" "$ov" "=> /partner/f-j/ F-J (4)"
expect_contains "Gopher: an empty group is an info line, its dash ASCII" \
    "$(raw '/partner/\r\n')" $'\r\niA-E (0)\t\tnull.host\t1\r\n'
expect_contains "Gopher: a group's item, its dash ASCII" \
    "$(raw '/partner/\r\n')" $'\r\n1F-J (4)\t/partner/f-j/\t'
expect_contains "Gopher: a search word in ASCII quotes" \
    "$(raw '/partner/suche/1/ruhr\r\n')" $'i1 Treffer für "ruhr"\t'
for p in /partner/ /partner/f-j/ /partner/a-e/ '/partner/suche?ruhr' \
    /partner/suche/1/gmbh; do
	expect_not_contains "$p: no \"Seite 1 von 1\"" "$(page "$p")" "Seite 1 von"
done

# --- navigation: one block, closing the page, no two links to one address
# targets PATH: the absolute targets of the page's links, one a line
targets() {
	local ref dir=${1%/*}/
	page "$1" | sed -n 's/^=>[[:blank:]]*\([^[:blank:]]*\).*/\1/p' |
	while IFS= read -r ref; do
		case $ref in
		*://*) printf '%s\n' "$ref" ;;
		/*) realpath -m -s "${ref%%\?*}" ;;
		*) realpath -m -s "$dir${ref%%\?*}" ;;
		esac
	done
}
for p in / "/$F/" "/$F/$A1" /partner/ /partner/f-j/ /partner/a-e/ \
    '/partner/suche?ruhr' '/partner/suche?%21'; do
	dup=$(targets "$p" | sort | uniq -d)
	expect_eq "$p: no two links to one address" "$dup" ""
	[ "$p" = / ] && continue
	expect_eq "$p: the navigation closes the page, home last" \
	    "$(page "$p" | tail -n 1)" "=> / Startseite"
done
forum=$(page "/$F/")
expect_contains "forum: the articles, then the navigation" "$forum" \
    "## Beiträge

=> $A1 2019-02-26 Roundtable auf Zollverein"
expect_contains "forum: links the directory in its navigation" "$forum" \
    "=> atom.xml Atom-Feed

=> /partner/ Partnerverzeichnis
=> / Startseite"
expect_contains "directory: links the forum in its navigation" "$ov" \
    "=> /$F/ Themenforum 17 – Innovation
=> / Startseite"
expect_contains "a group page: overview, search, forum, home" \
    "$(page /partner/f-j/)" "
=> /partner/ Übersicht
=> /partner/suche Partner suchen
=> /$F/ Themenforum 17 – Innovation
=> / Startseite"
expect_not_contains "overview: no \"Zurück\" beside \"Startseite\"" "$ov" "Zurück"

# --- German status texts and robots.txt
expect_eq "51 in German" "$(gem_header "gemini://$H/nichts.gmi")" \
    "51 Nicht gefunden"
expect_eq "59 for a bad search in German" \
    "$(gem_header "gemini://$H/partner/suche?$(printf '%0300d' 0)")" \
    "59 Fehlerhafte Suchanfrage"
expect_eq "53 for another host in German" \
    "$(gem_header "gemini://example.org/")" \
    "53 Dieser Host wird hier nicht bedient"
expect_contains "Gopher: the error in German" "$(raw '/nichts\r\n')" \
    $'3Fehler: nicht gefunden\t'
expect_not_contains "Gopher: no English in the error" "$(raw '/nichts\r\n')" \
    "not found"
robots=$(gem "gemini://$H/robots.txt")
expect_contains "robots.txt: German comments" "$robots" \
    "# robots.txt, von zeche erzeugt."
expect_not_contains "robots.txt: no English comments" "$robots" "generated by"

# --- the feed: its language, and each article's Gopher address
atom=$(gem "gemini://$H/$F/atom.xml" | tail -n +2)
expect_contains "feed: xml:lang from the host's language" "$atom" \
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">'
expect_contains "feed: the article's Gopher address, a text" "$atom" \
    "<link rel=\"alternate\" type=\"text/plain\" href=\"gopher://$H:$GOPHER_PORT/0/$F/$A1\"/>"
if command -v xmllint >/dev/null; then
	printf '%s' "$atom" | xmllint --noout - 2>"$WORK/xml.err"
	expect_eq "feed: well-formed XML" "$?:$(cat "$WORK/xml.err")" "0:"
fi
alive "what a reader sees"
finish
