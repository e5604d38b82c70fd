# Memory comes back after reloads: a generated gemlog of 5,000 posts is
# reloaded ten times with nothing changed, idle connections open across
# the reloads and a request served between them; the resident memory
# after the tenth is within 25% of what it was after the start.  Without
# giving the old snapshots' freed pages back, it grows to two or three
# snapshots' worth.  The sanitizers' allocator keeps memory its own way:
# not tested there.
if [ -n "${ZECHE_SANITIZE:-}" ]; then
	echo "# sanitizer build: its allocator is not glibc's, RSS not tested"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

POSTS=5000
RELOADS=10
HOLD=8

rm -rf "$ROOT"
if ! "$ZECHE_SOURCE_DIR/tests/bench/gen-gemlog.sh" "$POSTS" "$ROOT" \
    >"$WORK/gen.err" 2>&1; then
	not_ok "gen-gemlog.sh writes $POSTS posts" "$(cat "$WORK/gen.err")"
	finish
fi

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$ZPID/status"; }

start_zeche --workers 1 --timeout 600
# what the first answers make once (TLS state, buffers) made before
gem_header "gemini://$H/" >/dev/null
gopher /log/2000/ >/dev/null
start=$(rss)
bound=$((start * 5 / 4))

fds=()
for i in $(seq 1 "$HOLD"); do
	if [ $((i % 2)) -eq 0 ]; then
		exec {fd}<>"/dev/tcp/127.0.0.1/$GOPHER_PORT"
	else
		exec {fd}<>"/dev/tcp/127.0.0.1/$GEMINI_PORT"
	fi
	fds+=("$fd")
done

# reload N: SIGHUP, then wait (120 s at most) for the Nth "reloaded"
reloaded=0
for n in $(seq 1 "$RELOADS"); do
	kill -HUP "$ZPID"
	for i in $(seq 1 1200); do
		[ "$(grep -c 'reloaded ' "$LOG")" -ge "$n" ] && break
		grep -q 'reload failed' "$LOG" && break
		sleep 0.1
	done
	[ "$(grep -c 'reloaded ' "$LOG")" -ge "$n" ] || break
	reloaded=$n
	expect_contains "reload $n: a post is served" \
	    "$(gopher /log/2001/)" "2001-01-01-"
done
expect_eq "$RELOADS reloads of $POSTS posts, nothing changed" \
    "$reloaded" "$RELOADS"

for i in $(seq 1 100); do
	now=$(rss)
	[ "$now" -le "$bound" ] && break
	sleep 0.1
done
if [ "$now" -le "$bound" ]; then
	ok "RSS after $RELOADS reloads, $now KiB, is within 25% of $start KiB after the start"
else
	not_ok "RSS after $RELOADS reloads is within 25% of the start's" \
	    "$now KiB after them, $start KiB after the start (bound $bound)"
fi
for fd in "${fds[@]}"; do
	exec {fd}>&-
done
alive "$RELOADS reloads with idle connections open"
finish
