# crawl.sh: crawling a capsule by its links alone, over Gemini, Spartan
# and Gopher, for the tests that check what a crawler reaches.  Sourced
# after lib.sh (it uses gem_to, GEMGET, SPGET, H and the ports).

# gopher_raw REQUEST: send REQUEST (printf format) to the Gopher port
gopher_raw() {
	printf "$1" | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT"
}

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

# crawl_gemtext PROTO: every path linked from "/" on, one a line, sorted;
# the responses are kept in $WORK/PROTO/N
crawl_gemtext() {
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
		printf '%s\n' "$path" >"$WORK/$proto/$n.path"
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
