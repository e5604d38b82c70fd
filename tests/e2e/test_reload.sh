# zeche --reload and the control socket: the reload asked for is done
# when --reload returns, a failed one exits 1 with the file and line; and
# with NOTIFY_SOCKET systemd is told READY=1, RELOADING=1 and STATUS=.
. "$(dirname "$0")/lib.sh"
: "${UNIXSOCK:?UNIXSOCK must name the unixsock tool}"

NOTIFY=$WORK/notify.sock
NOUT=$WORK/notify.out
CTL=$WORK/ctl.sock
LPID=
: >"$NOUT"
"$UNIXSOCK" listen "$NOTIFY" "$NOUT" &
LPID=$!
trap 'kill "$LPID" 2>/dev/null; cleanup' EXIT
for i in $(seq 1 100); do [ -S "$NOTIFY" ] && break; sleep 0.1; done

# notified N TEXT: until the notify socket has had N messages holding
# TEXT (10 s at most)
notified() {
	local i
	for i in $(seq 1 100); do
		[ "$(grep -cF -- "$2" "$NOUT")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# messages: the datagrams received, one a line ("|" for a line break)
messages() {
	awk '$0 == "--" { print m; m = ""; next } { m = m (m == "" ? "" : "|") $0 }' "$NOUT"
}

# zreload [options]: zeche --reload; RL_OUT, RL_ERR, RL_RC
zreload() {
	RL_OUT=$(timeout 60 "$ZECHE" --reload "$@" 2>"$WORK/reload.err")
	RL_RC=$?
	RL_ERR=$(cat "$WORK/reload.err")
}

NOTIFY_SOCKET=$NOTIFY start_zeche --control "$CTL"
if notified 1 READY=1; then ok "notify: READY=1 once serving"; else
	not_ok "notify: READY=1 once serving" "$(cat "$NOUT")"; fi
expect_eq "notify: READY=1 with MAINPID and STATUS" "$(messages | head -n 1)" \
    "READY=1|MAINPID=$ZPID|STATUS=serving 1 host"
expect_eq "control socket: mode 0600" "$(stat -c %a "$CTL")" 600
expect_log "control socket: logged" "control $CTL: listening for reload"

# a good reload: done when --reload returns
printf '# Start\n\nNeu geladen.\n' >"$ROOT/index.gmi"
zreload --control "$CTL"
expect_eq "--reload: exit 0" "$RL_RC" 0
expect_contains "--reload: says what was reloaded" "$RL_OUT" \
    "zeche: reloaded $ROOT: 1 hosts,"
expect_contains "--reload: the change is served when it returns" \
    "$(gem "gemini://$H/")" "Neu geladen."
expect_log "--reload: the log says who asked" "control: reloading $ROOT"
notified 2 READY=1
expect_eq "notify: RELOADING=1, then READY=1 with STATUS" \
    "$(messages | sed -n '2,3p' |
    sed -e 's/MONOTONIC_USEC=[1-9][0-9]*/MONOTONIC_USEC=N/' \
    -e 's/reloaded at [-0-9]* [0-9:]* [-+][0-9]*:/reloaded at T:/')" \
    "RELOADING=1|MONOTONIC_USEC=N|STATUS=reloading
READY=1|STATUS=reloaded at T: 1 host"

# a broken capsule file: exit 1 with the file and line, old page served
printf '# Kaputt\n\xff\n' >"$ROOT/kaputt.gmi"
printf '# Start\n\nNicht geladen.\n' >"$ROOT/index.gmi"
zreload --control "$CTL"
expect_eq "failed reload: exit 1" "$RL_RC" 1
expect_contains "failed reload: the reason, with file and line" "$RL_ERR" \
    "zeche: reload failed: $ROOT/kaputt.gmi:2: invalid UTF-8"
expect_eq "failed reload: nothing on stdout" "$RL_OUT" ""
expect_contains "failed reload: the last good capsule is served" \
    "$(gem "gemini://$H/")" "Neu geladen."
notified 3 READY=1
expect_eq "notify: RELOADING=1, then READY=1 with the reason" \
    "$(messages | sed -n '4,5p' |
    sed -e 's/MONOTONIC_USEC=[1-9][0-9]*/MONOTONIC_USEC=N/')" \
    "RELOADING=1|MONOTONIC_USEC=N|STATUS=reloading
READY=1|STATUS=reload failed: $ROOT/kaputt.gmi:2: invalid UTF-8"
rm "$ROOT/kaputt.gmi"

# SIGHUP takes the same path: systemd hears of it too
reload "SIGHUP"
if notified 4 READY=1; then ok "SIGHUP: notified"; else
	not_ok "SIGHUP: notified" "$(messages)"; fi
expect_contains "SIGHUP: the change is served" "$(gem "gemini://$H/")" \
    "Nicht geladen."

# clients that send nothing, or never read, hold up no reload
"$UNIXSOCK" hold "$CTL" "" &
H1=$!
"$UNIXSOCK" hold "$CTL" 'reload\n' &
H2=$!
expect_eq "a command too long: refused" \
    "$("$UNIXSOCK" send "$CTL" "$(printf 'x%.0s' $(seq 1 100))")" \
    "failed: command too long"
expect_eq "an unknown command: refused" \
    "$("$UNIXSOCK" send "$CTL" 'stop\n')" \
    "failed: unknown command (the commands are \"reload\" and \"reload full\")"
zreload --control "$CTL"
expect_eq "silent and deaf clients: --reload still exits 0" "$RL_RC" 0
kill "$H1" "$H2" 2>/dev/null
wait "$H1" "$H2" 2>/dev/null
alive "control clients"

# STOPPING=1, the socket file removed; then no instance answers
stop_zeche
expect_contains "notify: STOPPING=1" "$(messages | tail -n 1)" "STOPPING=1"
[ -e "$CTL" ] && not_ok "stop: the control socket is removed" ||
    ok "stop: the control socket is removed"
zreload --control "$CTL"
expect_eq "no instance: exit 1" "$RL_RC" 1
expect_contains "no instance: says so" "$RL_ERR" "is zeche running"

# --reload --config finds the socket in the file; a stale one is replaced
"$UNIXSOCK" listen "$CTL" /dev/null &
S=$!
for i in $(seq 1 100); do [ -S "$CTL" ] && break; sleep 0.1; done
kill "$S"; wait "$S" 2>/dev/null
GEMINI_PORT=$(free_port)
cat >"$WORK/zeche.conf" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
control "ctl.sock"
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
    { not_ok "control in the file: zeche starts" "$(tail -5 "$LOG")"; finish; }
expect_log "a stale socket is replaced" "control $CTL: stale socket replaced"
printf '# Start\n\nAus der Datei.\n' >"$ROOT/index.gmi"
zreload --config "$WORK/zeche.conf"
expect_eq "--reload --config: exit 0" "$RL_RC" 0
expect_contains "--reload --config: the change is served" \
    "$(gem "gemini://$H/")" "Aus der Datei."
sed -i '/^control/d' "$WORK/zeche.conf"
zreload --config "$WORK/zeche.conf"
expect_eq "--reload --config without control: exit 1" "$RL_RC" 1
expect_contains "--reload --config without control: says so" "$RL_ERR" \
    "names no control socket"
stop_zeche

# confined (--user: chroot, Landlock, seccomp): the socket, made before,
# is the user's and still answers; root may use it as well
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "# not root, or no user nobody: --user is not tested"
	finish
fi
# LeakSanitizer needs /proc, which the chroot hides
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
chmod 755 "$WORK"
chmod -R a+rX "$ROOT"
rm -f "$CTL"
NOTIFY_SOCKET=$NOTIFY start_zeche --control "$CTL" --user nobody
expect_eq "--user: the control socket is the user's, mode 0600" \
    "$(stat -c '%U %a' "$CTL")" "nobody 600"
printf '# Start\n\nEingesperrt geladen.\n' >"$ROOT/index.gmi"
chmod 644 "$ROOT/index.gmi"
n=$(grep -c READY=1 "$NOUT")
zreload --control "$CTL"
expect_eq "--user: --reload exits 0" "$RL_RC" 0
expect_contains "--user: the change is served" "$(gem "gemini://$H/")" \
    "Eingesperrt geladen."
if notified $((n + 1)) READY=1; then ok "--user: systemd is told, in the chroot"
else not_ok "--user: systemd is told, in the chroot" "$(messages | tail -3)"; fi
expect_eq "--user: nobody may ask too" \
    "$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$UNIXSOCK" send "$CTL" 'reload\n' | cut -d: -f1)" "ok"
stop_zeche

finish
