# The page index: /seiten/ (lib.sh: --lang de) lists every page and file
# of the capsule; robots.txt's comment names it; a generated home page
# links it, the capsule's own home page only with "pageindex on"; a
# crawl that follows links alone from "/" reaches every file.
. "$(dirname "$0")/lib.sh"

# resolve BASE REF: the absolute, normalised path of a local link, or
# nothing for a link to another scheme or host
resolve() {
	local base=$1 ref=$2 path seg out=()
	case $ref in
	*://*|mailto:*|//*) return ;;
	/*) path=$ref ;;
	*) path=${base%/*}/$ref ;;
	esac
	path=${path%%\?*}
	local IFS=/
	for seg in $path; do
		case $seg in
		''|.) ;;
		..) [ ${#out[@]} -gt 0 ] && unset 'out[${#out[@]}-1]' ;;
		*) out+=("$seg") ;;
		esac
	done
	local joined="/${out[*]}"
	case $path in */|*/.|*/..) [ "$joined" != / ] && joined=$joined/ ;; esac
	printf '%s\n' "$joined"
}

# links BASE: the local targets of the "=>" and "=:" lines on stdin
links() {
	local base=$1 kind ref rest
	tr -d '\r' | while read -r kind ref rest; do
		case $kind in
		'=>'|'=:') resolve "$base" "$ref" ;;
		esac
	done
}

# crawl PATH: every path linked from PATH on over Gemini, one a line,
# sorted, in $WORK/gemini.paths
crawl() {
	local path n=0 hdr
	local -A seen
	local queue=("$1")
	mkdir -p "$WORK/gemini"
	: >"$WORK/gemini.paths"
	while [ ${#queue[@]} -gt 0 ]; do
		path=${queue[0]}
		queue=("${queue[@]:1}")
		[ -n "${seen[k$path]+x}" ] && continue
		seen[k$path]=1
		printf '%s\n' "$path" >>"$WORK/gemini.paths"
		n=$((n + 1))
		gem_to "$WORK/gemini/$n" "gemini://$H$path"
		hdr=$(head -n 1 "$WORK/gemini/$n" | tr -d '\r')
		case $hdr in
		"20 text/gemini"*) ;;
		*) continue ;;
		esac
		while read -r l; do
			queue+=("$l")
		done < <(tail -n +2 "$WORK/gemini/$n" | links "$path")
	done
	sort -o "$WORK/gemini.paths" "$WORK/gemini.paths"
}

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
start_zeche
crawl /
missing=$(comm -23 <(files) "$WORK/gemini.paths")
expect_eq "a crawl from / by links alone reaches every file" "$missing" ""
expect_contains "the crawl reached the index" "$(cat "$WORK/gemini.paths")" \
    "/seiten/"
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
