# --watch: an edited page and an edited configuration file are served
# without a SIGHUP, once the changes have settled.
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
