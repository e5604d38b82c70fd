# Signals at the edges of zeche's life.  SIGHUP and SIGUSR1 are requests
# to a running server: one that comes while zeche is still starting is
# held until it serves (systemd's Type=exec counts the service started at
# exec, so a "systemctl reload" can come during the load).  Once the stop
# has ended the loop, these and further SIGTERMs and SIGINTs are ignored.
# None of them may kill zeche, as their default action would.
. "$(dirname "$0")/lib.sh"

# zstate PID: the process's state letter (Z once it has exited), or
# nothing once it is gone; no fork, so that the loops below are tight
zstate() {
	local st
	read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null && echo "$st"
}

# --- signals while zeche loads its capsule (100,000 partners: a few
# hundred milliseconds, more under the sanitizers) and sets up, until it
# serves.  The capsule's folder is open from the start of the load on.
cp "$ROOT/list/partners.txt" "$WORK/partners.txt"
"$ZECHE_SOURCE_DIR/tests/gen-partners.sh" 100000 >"$ROOT/list/partners.txt"
for sig in HUP USR1; do
	GEMINI_PORT=$(free_port)
	GOPHER_PORT=$(free_port)
	"$ZECHE" --root "$ROOT" --certs "$CERTS" --host "$H" --lang de \
	    --gemini "127.0.0.1:$GEMINI_PORT" \
	    --gopher "127.0.0.1:$GOPHER_PORT" --log "$WORK/start.log" \
	    2>>"$LOG" &
	ZPID=$!
	until ls -l "/proc/$ZPID/fd" 2>/dev/null | grep -q "$ROOT"; do
		[ -n "$(zstate "$ZPID")" ] || break
	done
	n=0
	while st=$(zstate "$ZPID") && [ "$st" != Z ] &&
	    ! grep -q 'zeche: serving ' "$WORK/start.log" 2>/dev/null; do
		kill -"$sig" "$ZPID" 2>/dev/null
		n=$((n + 1))
	done
	case $(zstate "$ZPID") in
	""|Z)	st=gone ;;
	*)	st=runs ;;
	esac
	expect_eq "SIG$sig during the load ($n sent): zeche still runs" \
	    "$st" runs
	if [ "$sig" = HUP ]; then
		# the one held is taken once it serves: a reload
		expect_log "a SIGHUP held during the load: reloaded once serving" \
		    "reloaded " "$WORK/start.log"
	else
		expect_log "a SIGUSR1 held during the load: log reopened" \
		    "SIGUSR1: log $WORK/start.log reopened" "$WORK/start.log"
	fi
	alive "SIG$sig during the load"
	stop_zeche
	rm -f "$WORK/start.log"
done
cp "$WORK/partners.txt" "$ROOT/list/partners.txt"

# --- signals from just before SIGTERM on, until the process has exited:
# exit 0 (SIGTERM and SIGINT: the first stops, the second closes what is
# left at once, the others come while zeche exits)
for sig in HUP USR1 TERM INT; do
	start_zeche_log "$WORK/stop.log"
	gem "gemini://$H/" >/dev/null
	# a few before the SIGTERM, so that the loop runs when it ends
	n=0
	while st=$(zstate "$ZPID") && [ "$st" != Z ]; do
		kill -"$sig" "$ZPID" 2>/dev/null
		n=$((n + 1))
		[ "$n" = 20 ] && kill -TERM "$ZPID"
	done
	wait "$ZPID"
	rc=$?
	ZPID=
	expect_eq "SIG$sig while stopping ($n sent): exit 0" "$rc" 0
	expect_log "SIG$sig while stopping: the stop was logged" \
	    ": stopping" "$WORK/stop.log"
	rm -f "$WORK/stop.log"
done

finish
