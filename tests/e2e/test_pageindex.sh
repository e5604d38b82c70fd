# The page index: /seiten/ (lib.sh: --lang de) lists every page and file
# of the capsule; robots.txt's comment names it; a generated home page
# links it, the capsule's own home page only with "pageindex on"; a
# crawl that follows links alone from "/" reaches every file, over
# Gemini, Gopher and Spartan.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crawl.sh"
: "${SPGET:?SPGET must name the spget client}"

# files: the path of every file of the capsule ("index.gmi" as its folder)
files() {
	(cd "$ROOT" && find . -type f) | sed -e 's/^\.//' \
	    -e 's/index\.gmi$//' | sort
}

# the capsule's own home page: served as written, no link to the index
start_zeche
expect_eq "/seiten/ is served" "$(gem_header "gemini://$H/seiten/")" \
    "20 text/gemini; lang=de"
idx=$(gem "gemini://$H/seiten/")
expect_contains "the index has its title" "$idx" "# Seitenverzeichnis"
expect_contains "a post is listed with its date and title" "$idx" \
    "=> /notes/2024-03-05-second-visit.gmi 2024-03-05 "
expect_contains "a file is listed by its path" "$idx" \
    "=> /data.bin /data.bin"
expect_contains "robots.txt's comment names the index" \
    "$(gem "gemini://$H/robots.txt")" "# Seitenverzeichnis: /seiten/"
expect_not_contains "the capsule's home page is served as written" \
    "$(gem "gemini://$H/")" "/seiten/"
expect_eq "a page past the last is not found" \
    "$(gem_header "gemini://$H/seiten/seite-2.gmi")" "51 Nicht gefunden"
expect_contains "Gopher serves the index as a menu" \
    "$(gopher /seiten/)" "/notes/2024-03-05-second-visit.gmi"
stop_zeche

# a generated home page links the index: a crawl reaches every file
rm "$ROOT/index.gmi"
SPARTAN_PORT=$(free_port)
start_zeche --spartan "127.0.0.1:$SPARTAN_PORT"
wait_port "$SPARTAN_PORT" || not_ok "Spartan listens" "$(tail -20 "$LOG")"
crawl_gemtext gemini
crawl_gemtext spartan
crawl_gopher
for proto in gemini gopher spartan; do
	missing=$(comm -23 <(files) "$WORK/$proto.paths")
	expect_eq "$proto: a crawl from / by links alone reaches every file" \
	    "$missing" ""
	expect_contains "$proto: the crawl reached the index" \
	    "$(cat "$WORK/$proto.paths")" "/seiten/"
done
stop_zeche

# "pageindex on": the capsule's own home page links the index too
cp "$ZECHE_SOURCE_DIR/tests/data/neutral/index.gmi" "$ROOT/index.gmi"
GEMINI_PORT=$(free_port)
cat >"$WORK/zeche.conf" <<CONF
gemini  127.0.0.1:$GEMINI_PORT
host "$H" {
	root        "$ROOT"
	certs       "$CERTS"
	lang        "de"
	pageindex   on
}
CONF
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || not_ok "zeche --config starts" "$(tail -20 "$LOG")"
home=$(gem "gemini://$H/")
expect_contains "pageindex on: the home page links the index" "$home" \
    "=> /seiten/ Seitenverzeichnis"
expect_contains "pageindex on: the home page is the capsule's" "$home" \
    "$(head -n 1 "$ROOT/index.gmi")"
finish
