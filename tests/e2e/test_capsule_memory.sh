# What a capsule costs in memory: zeche serving a generated gemlog of
# 3,000 posts (4.5 MB of gemtext) holds at most 4 times its bytes more
# than serving one post.  A snapshot keeps what serving reads (the files,
# each protocol's rendered bytes, the titles), not the parse (the lines
# and their copy of the source), and no buffer's spare room.  The
# sanitizers' allocator keeps memory its own way: not tested there.
if [ -n "${ZECHE_SANITIZE:-}" ]; then
	echo "# sanitizer build: its allocator is not glibc's, RSS not tested"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$ZPID/status"; }

# served N: zeche's RSS in KiB, serving a gemlog of N posts
served() {
	rm -rf "$ROOT"
	if ! "$ZECHE_SOURCE_DIR/tests/bench/gen-gemlog.sh" "$1" "$ROOT" \
	    >"$WORK/gen.err" 2>&1; then
		not_ok "gen-gemlog.sh writes $1 posts" "$(cat "$WORK/gen.err")"
		finish
	fi
	start_zeche --workers 1
	gem_header "gemini://$H/" >/dev/null
	gopher /log/2000/ >/dev/null
	SERVED=$(rss)
	stop_zeche
}

served 1
small=$SERVED
served 3000
big=$SERVED
bytes=$(find "$ROOT" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
ratio=$(awk -v b="$big" -v s="$small" -v n="$bytes" \
    'BEGIN { printf "%.2f", (b - s) * 1024 / n }')
if awk -v r="$ratio" 'BEGIN { exit !(r <= 4.0) }'; then
	ok "3,000 posts ($bytes bytes) cost $ratio times their bytes ($small KiB for one post, $big KiB for 3,000)"
else
	not_ok "3,000 posts cost at most 4 times their bytes" \
	    "$ratio times: $small KiB for one post, $big KiB for 3,000 ($bytes bytes)"
fi
finish
