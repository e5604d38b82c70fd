# What a capsule costs in memory: zeche serving a generated gemlog of
# 3,000 posts (4.5 MB of gemtext) with "search off" holds at most 4 times
# its bytes more than serving one post.  A snapshot keeps what serving
# reads (the files, each protocol's rendered bytes, the titles), not the
# parse (the lines and their copy of the source), and no buffer's spare
# room.  The capsule-wide search adds its own copy of the text, its
# folded forms and their index: at most 3.5 times the bytes more.  The
# sanitizers' allocator keeps memory its own way: not tested there.
if [ -n "${ZECHE_SANITIZE:-}" ]; then
	echo "# sanitizer build: its allocator is not glibc's, RSS not tested"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$ZPID/status"; }

# served N on|off: zeche's RSS in KiB, serving a gemlog of N posts, with
# the search on or off
served() {
	rm -rf "$ROOT"
	if ! "$ZECHE_SOURCE_DIR/tests/bench/gen-gemlog.sh" "$1" "$ROOT" \
	    >"$WORK/gen.err" 2>&1; then
		not_ok "gen-gemlog.sh writes $1 posts" "$(cat "$WORK/gen.err")"
		finish
	fi
	GEMINI_PORT=$(free_port)
	GOPHER_PORT=$(free_port)
	while [ "$GOPHER_PORT" = "$GEMINI_PORT" ]; do
		GOPHER_PORT=$(free_port)
	done
	cat >"$WORK/zeche.conf" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
workers 1
host $H {
	root "$ROOT"
	certs "$CERTS"
	gopher on
	search $2
}
CONF
	before=$(serving)
	"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
	ZPID=$!
	if ! wait_serving "$before"; then
		not_ok "zeche starts with search $2" "$(tail -20 "$LOG")"
		finish
	fi
	gem_header "gemini://$H/" >/dev/null
	gopher /log/2000/ >/dev/null
	SERVED=$(rss)
	stop_zeche
}

served 1 off
small=$SERVED
served 3000 off
big=$SERVED
served 3000 on
searched=$SERVED
bytes=$(find "$ROOT" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
ratio=$(awk -v b="$big" -v s="$small" -v n="$bytes" \
    'BEGIN { printf "%.2f", (b - s) * 1024 / n }')
if awk -v r="$ratio" 'BEGIN { exit !(r <= 4.0) }'; then
	ok "3,000 posts ($bytes bytes) cost $ratio times their bytes ($small KiB for one post, $big KiB for 3,000)"
else
	not_ok "3,000 posts cost at most 4 times their bytes" \
	    "$ratio times: $small KiB for one post, $big KiB for 3,000 ($bytes bytes)"
fi
ratio=$(awk -v b="$searched" -v s="$big" -v n="$bytes" \
    'BEGIN { printf "%.2f", (b - s) * 1024 / n }')
if awk -v r="$ratio" 'BEGIN { exit !(r <= 3.5) }'; then
	ok "the search over them adds $ratio times their bytes ($searched KiB)"
else
	not_ok "the search over 3,000 posts adds at most 3.5 times their bytes" \
	    "$ratio times: $big KiB without, $searched KiB with it"
fi
finish
