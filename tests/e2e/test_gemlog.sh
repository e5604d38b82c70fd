# An English gemlog laid out as its author likes (tests/data/gemlog): its
# own robots.txt, feed and index win over generated ones with posts in two
# folders, any UTF-8 file name, a symbolic link inside the capsule, a BOM,
# an unclosed block, a post without a title, an impossible date, a large
# file from disk; over Gemini, Gopher, --check and the export.
. "$(dirname "$0")/lib.sh"

DATA=$ZECHE_SOURCE_DIR/tests/data/gemlog
rm -rf "$ROOT"
cp -R "$DATA" "$ROOT"
# a file too large to keep in memory: read from disk when asked for
head -c 3000000 /dev/urandom >"$ROOT/big.bin"
GRUSS='Grüße aus Köln.gmi'
GRUSS_URL='Gr%C3%BC%C3%9Fe%20aus%20K%C3%B6ln.gmi'

# body FILE: a Gemini response without its header line
body() {
	tail -n +2 "$1"
}
# a new post that the hand-written index does not list yet, and the
# commonest link mistake: a name with spaces written as it is
printf '# New post\n\nJust written.\n' >"$ROOT/gemlog/2025-09-01-new-post.gmi"
printf '# Typos\n=> %s\n=> images/my photo.png My photo\n=> Hallo Welt\n' \
    "$GRUSS" >"$ROOT/typos.gmi"

# --- --check: every warning, with file and line, and exit 0
out=$("$ZECHE" --check --root "$ROOT" 2>&1)
expect_eq "--check: warnings only, exit 0" "$?" 0
expect_contains "--check: BOM" "$out" "capsule/about.gmi:1: warning: byte order mark removed"
expect_contains "--check: unclosed block" "$out" \
    "capsule/gemlog/2025-07-15-second-post.gmi:5: warning: preformatted block is never closed"
expect_contains "--check: post without a title" "$out" \
    "capsule/gemlog/2025-08-02-untitled.gmi:1: warning: a post without a \"# \" title"
expect_contains "--check: impossible date" "$out" \
    "capsule/notes/2026-13-45-x.gmi: warning: no such date"
expect_contains "--check: dangling link" "$out" \
    "capsule/index.gmi:12: warning: link to /missing.gmi leads nowhere"
expect_contains "--check: a post the hand-written index does not link" "$out" \
    "capsule/gemlog/index.gmi: warning: does not link $ROOT/gemlog/2025-09-01-new-post.gmi"
expect_contains "--check: a space in a link: the file meant, the link to write" \
    "$out" "capsule/typos.gmi:2: warning: link to /Grüße leads nowhere: a space ends a link's URL; for /$GRUSS write \"=> Grüße%20aus%20Köln.gmi\""
expect_contains "... a label after it" "$out" \
    "capsule/typos.gmi:3: warning: link to /images/my leads nowhere: a space ends a link's URL; for /images/my photo.png write \"=> images/my%20photo.png My photo\""
expect_contains "... no such file: how a space is written" "$out" \
    "capsule/typos.gmi:4: warning: link to /Hallo leads nowhere: a space ends a link's URL; a name with spaces is written with %20, as in \"Hallo%20Welt\""
expect_contains "--check: counts the warnings" "$out" "OK, 24 pages, 10 warnings"

SPARTAN_PORT=$(free_port)
start_zeche --spartan "127.0.0.1:$SPARTAN_PORT"

# sp PATH: a Spartan response
sp() {
	"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1"
}

# --- the author's pages as written, over Gemini and Spartan
gem_to "$WORK/r" "gemini://$H/"
body "$WORK/r" >"$WORK/b"
expect_file_eq "the home page as written over Gemini, Spartan on" "$WORK/b" \
    "$ROOT/index.gmi"
sp / | tail -n +2 >"$WORK/b"
expect_file_eq "... and over Spartan" "$WORK/b" "$ROOT/index.gmi"
expect_eq "Spartan serves it" "$(sp / | head -n 1 | tr -d '\r')" \
    "2 text/gemini; lang=de"
sp /gemlog/ | tail -n +2 >"$WORK/b"
expect_file_eq "a hand-written folder index over Spartan as written" \
    "$WORK/b" "$ROOT/gemlog/index.gmi"

# --- the capsule's own files win over generated ones
gem_to "$WORK/r" "gemini://$H/robots.txt"
expect_eq "Gemini robots.txt: text/plain" "$(head -n1 "$WORK/r")" \
    $'20 text/plain; charset=utf-8\r'
body "$WORK/r" >"$WORK/b"
expect_file_eq "Gemini robots.txt: the capsule's own" "$WORK/b" "$ROOT/robots.txt"
gopher "0/robots.txt" >"$WORK/b"
expect_file_eq "Gopher robots.txt: the capsule's own" "$WORK/b" "$ROOT/robots.txt"

gem_to "$WORK/r" "gemini://$H/gemlog/atom.xml"
expect_eq "own atom.xml: application/atom+xml" "$(head -n1 "$WORK/r")" \
    $'20 application/atom+xml\r'
body "$WORK/r" >"$WORK/b"
expect_file_eq "own atom.xml over Gemini: the capsule's" "$WORK/b" \
    "$ROOT/gemlog/atom.xml"
gopher "0/gemlog/atom.xml" >"$WORK/b"
expect_file_eq "own atom.xml over Gopher: the capsule's" "$WORK/b" \
    "$ROOT/gemlog/atom.xml"
expect_contains "the other post folder gets a generated feed" \
    "$(gem "gemini://$H/notes/atom.xml")" "notes/2025-06-01-old.gmi</id>"

gem_to "$WORK/r" "gemini://$H/gemlog/"
body "$WORK/r" >"$WORK/b"
expect_file_eq "an index that links its posts: served as written" "$WORK/b" \
    "$ROOT/gemlog/index.gmi"
expect_eq "... a new post is still served" \
    "$(gem_header "gemini://$H/gemlog/2025-09-01-new-post.gmi")" \
    "20 text/gemini; lang=de"
notes=$(gem "gemini://$H/notes/")
expect_eq "a folder without index: each post listed once" \
    "$(printf '%s\n' "$notes" | grep -c '2025-06-01-old.gmi')" 1
expect_eq "... one dated line" \
    "$(printf '%s\n' "$notes" | grep -c '^=> 2025-06-01-old.gmi 2025-06-01 ')" 1
expect_eq "... the other files once" \
    "$(printf '%s\n' "$notes" | grep -c '^=> about.gmi ')" 1
expect_contains "... titled by the folder's name" "$notes" $'\r\n# Notes\n'
expect_contains "... its feed titled so too" \
    "$(gem "gemini://$H/notes/atom.xml")" "<title>Notes</title>"
gnotes=$(gopher "1/notes/")
expect_eq "Gopher: a folder without index lists each post once" \
    "$(printf '%s\n' "$gnotes" | grep -c '/notes/2025-06-01-old.gmi')" 1
expect_contains "... under its title" "$gnotes" $'iNotes\t'
expect_contains "another folder without index: titled by its name" \
    "$(gem "gemini://$H/images/")" "# Images"
expect_not_contains "an impossible date is no post" \
    "$(printf '%s\n' "$notes" | grep '^=> 2026')" "2026-13-45-x.gmi 2026"

# --- any file name, percent-encoded where a link needs it
expect_contains "a name with spaces and umlauts over Gemini" \
    "$(gem "gemini://$H/$GRUSS_URL")" "# Greetings from Cologne"
gem_to "$WORK/r" "gemini://$H/images/my%20photo.png"
expect_eq "a photo with a space: image/png" "$(head -n1 "$WORK/r")" $'20 image/png\r'
body "$WORK/r" >"$WORK/b"
expect_file_eq "a photo with a space: its bytes" "$WORK/b" "$ROOT/images/my photo.png"
menu=$(gopher "1/")
expect_contains "Gopher: the umlaut page is a local menu item" "$menu" \
    $'1Greetings from Cologne\t/'"$GRUSS"$'\t'"$H"$'\t'"$GOPHER_PORT"$'\r\n'
expect_contains "Gopher: the photo is an image item" "$menu" \
    $'IMy photo\t/images/my photo.png\t'"$H"$'\t'"$GOPHER_PORT"$'\r\n'
expect_contains "Gopher: the umlaut page by its selector" \
    "$(gopher "1/$GRUSS_URL")" "iGreetings from Cologne"

# --- a symbolic link inside the capsule; a BOM is not sent
gem_to "$WORK/r" "gemini://$H/about.gmi"
expect_eq "BOM: not sent" "$(body "$WORK/r" | head -c 9)" "# About m"
expect_eq "an inner symbolic link is served" \
    "$(gem "gemini://$H/notes/about.gmi" | tail -n +2)" "$(body "$WORK/r")"
expect_contains "... over Gopher too" "$(gopher "1/notes/about.gmi")" "iAbout me"

# --- content as clients expect it
expect_eq "JSON" "$(gem_header "gemini://$H/data.json")" "20 application/json"
expect_eq "text that is not UTF-8: no charset" \
    "$(gem_header "gemini://$H/notes/latin1.txt")" "20 text/plain"
expect_eq "an unclosed block is closed at the end" \
    "$(gem "gemini://$H/gemlog/2025-07-15-second-post.gmi" | tail -n 1)" '```'
hdr=$(gem_header "gemini://$H/gemlog/2025-08-02-untitled.gmi")
expect_eq "a post without a title is served" "${hdr%%;*}" "20 text/gemini"
expect_contains "index.gemini is the folder's page" \
    "$(gem "gemini://$H/links/")" "# Links"

# --- a large file, read from disk at request time
gem_to "$WORK/r" "gemini://$H/big.bin"
body "$WORK/r" >"$WORK/b"
expect_file_eq "large file over Gemini: every byte" "$WORK/b" "$ROOT/big.bin"
gopher "9/big.bin" >"$WORK/b"
expect_file_eq "large file over Gopher: every byte" "$WORK/b" "$ROOT/big.bin"

# --- a link to the capsule's own address is a local Gopher item
printf '# Own\n\n=> gemini://%s:%s/about.gmi About, absolute\n' "$H" \
    "$GEMINI_PORT" >"$ROOT/own.gmi"
reload "a link to the capsule's own address"
expect_contains "own host: a local item over Gopher" "$(gopher "1/own.gmi")" \
    $'1About, absolute\t/about.gmi\t'"$H"$'\t'"$GOPHER_PORT"$'\r\n'
alive "the gemlog capsule"
stop_zeche

# --- the config: redirects, and generated lists switched off per path
CONF=$WORK/zeche.conf
cat >"$CONF" <<EOC
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT
host "$H" {
	root "$ROOT"
	certs "$CERTS"
	lang "en"
	description "Old hardware, new protocols"
	author "Ada"
	spartan_link on
	gopher on
	listing off
	redirect "/old-about.gmi" "/about.gmi"
	redirect 30 "/moved/" "gemini://elsewhere.example/gemlog/"
	location "/notes/" {
		listing on
		posts off
		lang "de"
		title "Field notes"
	}
	location "/gemlog/" {
		posts on
	}
	location "/notes/drafts/" {
		listing off
	}
}
EOC
printf '# Temp\n' >"$ROOT/2026-01-01-temp.gmi"
mkdir -p "$ROOT/notes/drafts"
printf 'not yet\n' >"$ROOT/notes/drafts/plan.txt"
before=$(serving)
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" ||
    { not_ok "zeche --config starts" "$(tail -20 "$LOG")"; finish; }
expect_eq "redirect: 31 to the new place" \
    "$(gem_header "gemini://$H/old-about.gmi")" \
    "31 gemini://$H:$GEMINI_PORT/about.gmi"
expect_eq "redirect 30 to another capsule" \
    "$(gem_header "gemini://$H/moved/")" "30 gemini://elsewhere.example/gemlog/"
expect_contains "redirect over Gopher: the old selector serves the new page" \
    "$(gopher "1/old-about.gmi")" "iAbout me"
expect_contains "redirect elsewhere over Gopher: the URL: page" \
    "$(gopher "1/moved/")" "gemini://elsewhere.example/gemlog/"
expect_eq "listing off: a folder without index has no page" \
    "$(gem_header "gemini://$H/images/")" "51 Not found"
hdr=$(gem_header "gemini://$H/images/my%20photo.png")
expect_eq "listing off: its files are still served" "$hdr" "20 image/png"
notes=$(gem "gemini://$H/notes/")
expect_contains "location: listing on below" "$notes" "=> 2025-06-01-old.gmi "
expect_not_contains "listing on: no link to a folder that has no page" \
    "$notes" "=> drafts/"
expect_not_contains "listing on: no Gopher item for a folder with no page" \
    "$(gopher "1/notes/")" "/notes/drafts/"
expect_eq "listing off below listing on: that folder has no page" \
    "$(gem_header "gemini://$H/notes/drafts/")" "51 Not found"
expect_eq "listing off below listing on: its files are served" \
    "$(gem_header "gemini://$H/notes/drafts/plan.txt")" \
    "20 text/plain; charset=utf-8"
expect_not_contains "location: posts off, no post list" "$notes" \
    "=> 2025-06-01-old.gmi 2025-06-01"
expect_eq "posts off: a post is listed once, as a file" \
    "$(printf '%s\n' "$notes" | grep -c '2025-06-01-old.gmi')" 1
expect_contains "posts off: the feed link stays" "$notes" "=> atom.xml "
expect_contains "location title: the folder's page" "$notes" \
    $'\r\n# Field notes\n'
feed=$(gem "gemini://$H/notes/atom.xml")
expect_contains "location title: the feed's" "$feed" "<title>Field notes</title>"
expect_contains "author: the feeds'" "$feed" "<name>Ada</name>"
expect_contains "posts on: a hand-written index gets the post it lacks" \
    "$(gem "gemini://$H/gemlog/")" \
    "=> 2025-09-01-new-post.gmi 2025-09-01 New post"
gem_to "$WORK/r" "gemini://$H/"
body "$WORK/r" >"$WORK/b"
expect_contains "spartan_link on: the hand-written home page names Spartan" \
    "$(cat "$WORK/b")" "=> spartan://$H:$SPARTAN_PORT/ Also over Spartan: "
expect_eq "... and is otherwise as written" \
    "$(head -c "$(wc -c <"$ROOT/index.gmi")" "$WORK/b" | md5sum)" \
    "$(md5sum <"$ROOT/index.gmi")"
expect_eq "location: its own lang" \
    "$(gem_header "gemini://$H/notes/2025-06-01-old.gmi")" \
    "20 text/gemini; lang=de"
expect_eq "location: its own lang on the folder page" \
    "$(gem_header "gemini://$H/notes/")" "20 text/gemini; lang=de"
expect_eq "the host's lang elsewhere" "$(gem_header "gemini://$H/about.gmi")" \
    "20 text/gemini; lang=en"
expect_contains "posts on for the host: the root lists its post" \
    "$(gem "gemini://$H/")" "=> 2026-01-01-temp.gmi 2026-01-01 Temp"
stop_zeche
rm "$ROOT/2026-01-01-temp.gmi"

# --- the export: the capsule's files win there too
"$ZECHE" --root "$ROOT" --host "$H" --gemini "$GEMINI_PORT" \
    --gopher "$GOPHER_PORT" --export "$WORK/exp" >"$WORK/out" 2>&1
expect_eq "export: two post folders and an own robots.txt, exit 0" "$?" 0
E=$WORK/exp
expect_file_eq "export: gemini/robots.txt is the capsule's" "$E/gemini/robots.txt" \
    "$ROOT/robots.txt"
expect_file_eq "export: gopher/robots.txt is the capsule's" "$E/gopher/robots.txt" \
    "$ROOT/robots.txt"
expect_file_eq "export: the own feed" "$E/gemini/gemlog/atom.xml" \
    "$ROOT/gemlog/atom.xml"
expect_contains "export: the generated feed of the other folder" \
    "$(cat "$E/gemini/notes/atom.xml" 2>&1)" "2025-06-01-old.gmi</id>"
expect_file_eq "export: the own index, as written" "$E/gemini/gemlog/index.gmi" \
    "$ROOT/gemlog/index.gmi"
expect_contains "export: the umlaut page" "$(cat "$E/gemini/$GRUSS" 2>&1)" \
    "# Greetings from Cologne"
tail -c +4 "$ROOT/about.gmi" >"$WORK/about-nobom"
expect_file_eq "export: no BOM" "$E/gemini/about.gmi" "$WORK/about-nobom"
expect_file_eq "export: the inner symbolic link, as a file" \
    "$E/gemini/notes/about.gmi" "$WORK/about-nobom"
expect_eq "export: an impossible date is no post in the folder page" \
    "$(grep -c '^=> 2026-13-45-x.gmi 2026' "$E/gemini/notes/index.gmi")" 0
expect_file_eq "export: the large file, Gemini" "$E/gemini/big.bin" "$ROOT/big.bin"
expect_file_eq "export: the large file, Gopher" "$E/gopher/big.bin" "$ROOT/big.bin"
finish
