# Feeds in both forms: a folder with dated articles (notes/) gets its
# Atom feed and a gemtext feed page (notes/feed.gmi, Lagrange's
# subscription form: "# " title, "=> URL YYYY-MM-DD title" lines), each
# linking the other and saying which is which; both are the same bytes
# after a reload and whichever name of the host (an alias) asked, since
# their ids and self links are the host's own gemini:// addresses; a
# file of the name in the capsule wins.
. "$(dirname "$0")/lib.sh"

GEMINI_PORT=$(free_port)
write_conf() {
	cat >"$WORK/zeche.conf" <<CONF
gemini  127.0.0.1:$GEMINI_PORT
host "$H" {
	alias       "mirror.test"
	root        "$ROOT"
	certs       "$CERTS"
	lang        "de"
}
CONF
}
write_conf
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || not_ok "zeche --config starts" "$(tail -20 "$LOG")"

expect_eq "feed.gmi is gemtext" \
    "$(gem_header "gemini://$H/notes/feed.gmi")" "20 text/gemini; lang=de"
expect_eq "feed.gmi: a title and one dated link per article, newest first" \
    "$(gem "gemini://$H/notes/feed.gmi" | tail -n +2 | tr -d '\r')" \
    "# Field notes

=> 2024-03-05-second-visit.gmi 2024-03-05 Second visit to the mill
=> 2023-11-20-first-visit.gmi 2023-11-20 First visit to the mill

=> atom.xml Dieser Feed als Atom (atom.xml)
=> ./ Field notes"
atom=$(gem "gemini://$H/notes/atom.xml")
expect_contains "atom.xml links the gemtext feed and says which it is" \
    "$atom" "<link rel=\"related\" type=\"text/gemini\" title=\"Dieser Feed als Gemtext (feed.gmi)\" href=\"gemini://$H:$GEMINI_PORT/notes/feed.gmi\"/>"
expect_contains "atom.xml: its self link is its own address" "$atom" \
    "<link rel=\"self\" type=\"application/atom+xml\" href=\"gemini://$H:$GEMINI_PORT/notes/atom.xml\"/>"
expect_contains "the page index lists the gemtext feed" \
    "$(gem "gemini://$H/seiten/")" "=> /notes/feed.gmi "

# stable: the same bytes through an alias and after a reload
gem_to "$WORK/atom1" "gemini://$H/notes/atom.xml"
gem_to "$WORK/gmi1" "gemini://$H/notes/feed.gmi"
"$GEMGET" -s mirror.test 127.0.0.1 "$GEMINI_PORT" \
    "gemini://mirror.test:$GEMINI_PORT/notes/atom.xml" >"$WORK/atom2" \
    2>"$WORK/gemget.err"
expect_file_eq "atom.xml through an alias: the same bytes" "$WORK/atom2" \
    "$WORK/atom1"
touch "$ROOT/notes/"*.gmi
reload
gem_to "$WORK/atom3" "gemini://$H/notes/atom.xml"
gem_to "$WORK/gmi3" "gemini://$H/notes/feed.gmi"
expect_file_eq "atom.xml after a reload: the same bytes" "$WORK/atom3" \
    "$WORK/atom1"
expect_file_eq "feed.gmi after a reload: the same bytes" "$WORK/gmi3" \
    "$WORK/gmi1"

# the capsule's own feed.gmi wins, and the Atom feed does not link it
printf '# Mine\n' >"$ROOT/notes/feed.gmi"
reload
expect_contains "the capsule's own feed.gmi is served" \
    "$(gem "gemini://$H/notes/feed.gmi")" "# Mine"
expect_not_contains "atom.xml does not link the capsule's own feed.gmi" \
    "$(gem "gemini://$H/notes/atom.xml")" "rel=\"related\""
alive "the feeds"
finish
