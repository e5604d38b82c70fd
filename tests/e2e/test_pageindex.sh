# The page index: /seiten/ (lib.sh: --lang de) lists every page and file
# of the capsule; robots.txt's comment names it; a generated home page
# links it, the capsule's own home page only with "pageindex on"; a
# crawl that follows links alone from "/" reaches every file, over
# Gemini, Gopher and Spartan.
. "$(dirname "$0")/lib.sh"
: "${SPGET:?SPGET must name the spget client}"

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

# crawl PROTO: every path linked from "/" on over PROTO (gemini or
# spartan), one a line, sorted, in $WORK/PROTO.paths
crawl() {
	local proto=$1 path n=0 hdr
	local -A seen
	local queue=(/)
	mkdir -p "$WORK/$proto"
	: >"$WORK/$proto.paths"
	while [ ${#queue[@]} -gt 0 ]; do
		path=${queue[0]}
		queue=("${queue[@]:1}")
		[ -n "${seen[k$path]+x}" ] && continue
		seen[k$path]=1
		printf '%s\n' "$path" >>"$WORK/$proto.paths"
		n=$((n + 1))
		if [ "$proto" = gemini ]; then
			gem_to "$WORK/$proto/$n" "gemini://$H$path"
		else
			"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$path" \
			    >"$WORK/$proto/$n"
		fi
		hdr=$(head -n 1 "$WORK/$proto/$n" | tr -d '\r')
		case $hdr in
		"20 text/gemini"*|"2 text/gemini"*) ;;
		*) continue ;;
		esac
		while read -r l; do
			queue+=("$l")
		done < <(tail -n +2 "$WORK/$proto/$n" | links "$path")
	done
	sort -o "$WORK/$proto.paths" "$WORK/$proto.paths"
}

gopher_raw() {
	printf "$1" | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT"
}

# crawl_gopher: every selector on this server linked from the root menu
crawl_gopher() {
	local sel type disp s host port
	local -A seen menu_of
	local queue=(/)
	: >"$WORK/gopher.paths"
	while [ ${#queue[@]} -gt 0 ]; do
		sel=${queue[0]}
		queue=("${queue[@]:1}")
		[ -n "${seen[k$sel]+x}" ] && continue
		seen[k$sel]=1
		printf '%s\n' "$sel" >>"$WORK/gopher.paths"
		case $sel in
		*/|/) ;;
		*) [ "${menu_of[k$sel]:-}" = 1 ] || continue ;;
		esac
		while IFS=$'\t' read -r disp s host port; do
			type=${disp:0:1}
			[ "$host" = "$H" ] && [ "${port%$'\r'}" = "$GOPHER_PORT" ] ||
			    continue
			case $s in URL:*) continue ;; esac	# other servers
			[ "$type" = 1 ] && menu_of[k$s]=1
			queue+=("$s")
		done < <(gopher_raw "$sel\r\n")
	done
	sort -o "$WORK/gopher.paths" "$WORK/gopher.paths"
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
SPARTAN_PORT=$(free_port)
start_zeche --spartan "127.0.0.1:$SPARTAN_PORT"
wait_port "$SPARTAN_PORT" || not_ok "Spartan listens" "$(tail -20 "$LOG")"
crawl gemini
crawl spartan
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
