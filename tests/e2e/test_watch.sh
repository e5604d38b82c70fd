# --watch: an edited page and an edited configuration file are served
# without a SIGHUP, once the changes have settled; after the first such
# reload, one reads only the folders that changed.
. "$(dirname "$0")/lib.sh"

# until_served NAME URL TEXT: poll (10 s at most) until URL holds TEXT
until_served() {
	local i
	for i in $(seq 1 100); do
		case "$(gem "$2")" in
		*"$3"*) ok "$1"; return 0 ;;
		esac
		sleep 0.1
	done
	not_ok "$1" "$(tail -5 "$LOG")"
}

start_zeche --watch
expect_not_contains "before the edit" "$(gem "gemini://$H/")" "Frisch bearbeitet"
printf '# Start\n\nFrisch bearbeitet.\n' >"$ROOT/index.gmi"
until_served "an edited page is served without SIGHUP" "gemini://$H/" \
    "Frisch bearbeitet"
mkdir "$ROOT/neu"
printf '# Neu\n' >"$ROOT/neu/seite.gmi"
until_served "a new folder and page are served" "gemini://$H/neu/seite.gmi" "# Neu"
printf '# Neu 2\n' >"$ROOT/neu/seite.gmi"
until_served "a page in the new folder is watched too" \
    "gemini://$H/neu/seite.gmi" "# Neu 2"
expect_log "the reload is logged" "watch: files changed"
alive "--watch reloads"
stop_zeche

# after its first reload, --watch reads only the folders that changed:
# a new post in notes/ shows in its folder's page, Gopher menu and feed,
# an edit at the top is served, and the untouched folders stay as read
start_zeche --watch -v
printf '\nOne more line.\n' >>"$ROOT/notes/2024-03-05-second-visit.gmi"
until_served "a first change under --watch" \
    "gemini://$H/notes/2024-03-05-second-visit.gmi" "One more line."
# the Atom feed made on request before: kept, and not served stale after
expect_not_contains "the feed before the new post" \
    "$(gem "gemini://$H/notes/atom.xml")" "2024-06-01-third-visit.gmi"
printf '# Third visit\n\nA third time.\n' \
    >"$ROOT/notes/2024-06-01-third-visit.gmi"
until_served "a new post is in its folder's page (--watch, one folder)" \
    "gemini://$H/notes/" "Third visit"
expect_contains "and in its Gopher menu" "$(gopher /notes/)" "Third visit"
gem_to "$WORK/atom.new" "gemini://$H/notes/atom.xml"
expect_contains "and in its feed" "$(cat "$WORK/atom.new")" \
    "2024-06-01-third-visit.gmi"
expect_contains "... with its summary" "$(cat "$WORK/atom.new")" \
    "<summary>A third time.</summary>"
expect_contains "and over Gopher" "$(gopher 0/notes/atom.xml)" \
    "<summary>A third time.</summary>"
expect_log "the other folders are not read again" \
    "folders as the last load read them"
printf 'Read me again.\n' >"$ROOT/readme.txt"
until_served "an edit at the top is served (--watch, one folder)" \
    "gemini://$H/readme.txt" "Read me again."
expect_contains "the new post is still served" \
    "$(gem "gemini://$H/notes/2024-06-01-third-visit.gmi")" "# Third visit"
alive "--watch reloads within a scope"
stop_zeche

# the configuration file's "watch on", and an edit of the file itself
GEMINI_PORT=$(free_port)
cat >"$WORK/zeche.conf" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
watch on
host "$H" {
	root  capsule
	certs certs
	lang  de
}
CONF
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" ||
    { not_ok "watch on: zeche starts" "$(tail -5 "$LOG")"; finish; }
expect_eq "watch on: German" "$(gem_header "gemini://$H/")" "20 text/gemini; lang=de"
sed -i 's/lang  de/lang  en/' "$WORK/zeche.conf"
for i in $(seq 1 100); do
	[ "$(gem_header "gemini://$H/")" = "20 text/gemini; lang=en" ] && break
	sleep 0.1
done
expect_eq "an edited configuration file is read again" \
    "$(gem_header "gemini://$H/")" "20 text/gemini; lang=en"
stop_zeche

finish
