# Memory comes back after a flood: 2000 TLS handshakes left half done
# (a ClientHello each, then nothing) raise the server's resident memory by
# some 45 KiB each; once they are gone, zeche gives the memory they freed
# back to the system, and its RSS falls to near what it was at rest.
# The sanitizers' allocator keeps memory its own way: not tested there.
if [ -n "${ZECHE_SANITIZE:-}" ]; then
	echo "# sanitizer build: its allocator is not glibc's, RSS not tested"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

N=2000		# half-open handshakes, from 4 addresses
# the server and each client hold that many descriptors
[ "$(ulimit -Sn)" -lt $((N + 256)) ] && ulimit -Sn $((N + 256)) 2>/dev/null
if [ "$(ulimit -Sn)" -lt $((N + 256)) ]; then
	echo "# descriptor limit $(ulimit -Sn): too low for $N connections"
	exit 77
fi

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$ZPID/status"; }

# two workers, so that two of glibc's arenas hold the handshakes' memory
start_zeche --verbose --workers 2 --timeout 120 --max-conns $((N + 64)) \
    --per-address "$N"
# first requests, so that what a handshake makes once is made before
gem_header "gemini://$H/" >/dev/null
gem_header "gemini://$H/" >/dev/null
rest=$(rss)
bound=$((rest * 2))
[ "$bound" -lt $((rest + 20480)) ] && bound=$((rest + 20480))

pids=
for a in 2 3 4 5; do
	"$GEMGET" -H -I $((N / 4)) -b "127.0.0.$a" 127.0.0.1 "$GEMINI_PORT" \
	    >"$WORK/flood$a" 2>&1 &
	pids="$pids $!"
done
for i in $(seq 1 300); do
	[ -s "$WORK/flood2" ] && [ -s "$WORK/flood3" ] && [ -s "$WORK/flood4" ] &&
	    [ -s "$WORK/flood5" ] && break
	sleep 0.1
done
expect_eq "$N half-open handshakes are made" \
    "$(cat "$WORK/flood2" "$WORK/flood3" "$WORK/flood4" "$WORK/flood5" |
    awk '{ n += $1 } END { print n + 0 }')" "$N"
wait_accepted "$GEMINI_PORT" "$N half-open handshakes"
top=$(rss)
if [ "$top" -gt "$bound" ]; then
	ok "$N half-open handshakes raise RSS from $rest to $top KiB"
else
	not_ok "$N half-open handshakes raise RSS above $bound KiB" \
	    "from $rest to $top KiB"
fi

# gone, all at once; the server must come back below the bound, within
# its deadline for noticing (30 s here, seconds in fact)
kill $pids
wait $pids 2>/dev/null
for i in $(seq 1 300); do
	now=$(rss)
	[ "$now" -lt "$bound" ] && break
	sleep 0.1
done
if [ "$now" -lt "$bound" ]; then
	ok "after them, RSS falls to $now KiB (< $bound; $rest at rest, $top at the peak)"
else
	not_ok "after them, RSS falls below $bound KiB" \
	    "$now KiB 30 s after ($rest at rest, $top at the peak)"
fi
expect_log "the log says the memory was returned" \
    "freed memory returned to the system"
alive "a flood of half-open handshakes"
finish
