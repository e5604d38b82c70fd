# contrib/haproxy.cfg in front of two zeche instances on loopback: Gemini
# (TLS passed through), Gopher and Spartan reach both, each instance logs the
# client's address from the PROXY v2 header (the client connects from
# 127.0.0.2, HAProxy from 127.0.0.3), and one instance is reloaded and
# then restarted (drained, stopped, started, back in) while requests keep
# coming: none of them fails.  As on separate machines, HAProxy and the
# instances use the same ports, on 127.0.0.1, 127.0.1.1 and 127.0.1.2, so
# that the instances' Gopher menus are the same and name HAProxy's port.
. "$(dirname "$0")/lib.sh"

if ! command -v haproxy >/dev/null; then
	not_ok "haproxy is installed (contrib/dev.sh test installs it)"
	finish
fi
CLIENT=127.0.0.2
LOG=$WORK/z1.log		# what finish shows when a case failed
REQ="gemini://$H/notes/"

FG=$(free_port)
FP=$(free_port)
FS=$(free_port)
ADMIN=$(free_port)
ports="$FG $FP $FS $ADMIN"
if [ "$(printf '%s\n' $ports | sort -u | wc -l)" -ne 4 ]; then
	not_ok "four distinct free ports" "$ports"
	finish
fi
declare -A ZP

wait_addr() {	# ADDR PORT: until something accepts there (10 s at most)
	local i
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
start_instance() {	# N: on 127.0.1.N, HAProxy's ports
	"$ZECHE" --root "$ROOT" --certs "$WORK/certs$1" --host "$H" \
	    --gemini "127.0.1.$1:$FG" --gopher "127.0.1.$1:$FP" \
	    --spartan "127.0.1.$1:$FS" \
	    --proxy-protocol --log-ip >>"$WORK/z$1.log" 2>&1 &
	ZP[$1]=$!
	if ! wait_addr "127.0.1.$1" "$FG" || ! wait_addr "127.0.1.$1" "$FP" ||
	    ! wait_addr "127.0.1.$1" "$FS"
	then
		not_ok "zeche $1 starts" "$(tail "$WORK/z$1.log")"
		finish
	fi
}
stop_instance() {	# N: SIGTERM, and it must exit 0
	local rc
	[ -n "${ZP[$1]:-}" ] || return 0
	kill "${ZP[$1]}" 2>/dev/null
	wait "${ZP[$1]}" 2>/dev/null
	rc=$?
	ZP[$1]=
	[ "$rc" -eq 0 ] || not_ok "zeche $1 exits cleanly (status $rc)" \
	    "$(tail -20 "$WORK/z$1.log")"
}
HAPID=
more_cleanup() {
	[ -n "$HAPID" ] && kill "$HAPID" 2>/dev/null && wait "$HAPID"
	[ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null
	stop_instance 1
	stop_instance 2
	cleanup
}
trap more_cleanup EXIT

# the shipped configuration, moved to free loopback ports; HAProxy speaks
# to the instances from 127.0.0.3 and checks them every 300 ms
sed -e "s/^\tbind :1965$/\tbind 127.0.0.1:$FG/" \
    -e "s/^\tbind :70$/\tbind 127.0.0.1:$FP/" \
    -e "s/^\tbind :300$/\tbind 127.0.0.1:$FS/" \
    -e "s/192\.0\.2\.1\([12]\):300/127.0.1.\1:$FS/" \
    -e "s/192\.0\.2\.1\([12]\):1965/127.0.1.\1:$FG/" \
    -e "s/192\.0\.2\.1\([12]\):70/127.0.1.\1:$FP/" \
    -e "s|^\tstats socket .*|\tstats socket ipv4@127.0.0.1:$ADMIN level admin|" \
    -e "s|^\tlog /dev/log .*|\tlog stderr format short local0|" \
    -e "s/^\tdefault-server inter 2s/\tsource 127.0.0.3\n\tdefault-server inter 300ms/" \
    "$ZECHE_SOURCE_DIR/contrib/haproxy.cfg" >"$WORK/haproxy.cfg"
for p in $FG $FP $FS $ADMIN; do
	grep -q ":$p\\b" "$WORK/haproxy.cfg" || {
		not_ok "the test's haproxy.cfg uses port $p" \
		    "$(cat "$WORK/haproxy.cfg")"
		finish
	}
done

start_instance 1
start_instance 2
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
HAPID=$!
wait_port "$FG" && wait_port "$FP" ||
    { not_ok "haproxy starts" "$(cat "$WORK/haproxy.log")"; finish; }

admin() {	# COMMAND: HAProxy's answer on its admin socket
	local out
	exec 7<>"/dev/tcp/127.0.0.1/$ADMIN" || return 1
	printf '%s\n' "$1" >&7
	out=$(cat <&7)
	exec 7>&-
	printf '%s\n' "$out"
}
stat() {	# BACKEND SERVER FIELD: one field of "show stat"
	admin "show stat" | awk -F, -v b="$1" -v s="$2" -v f="$3" '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == f || $i == "# " f) c = i }
	    $1 == b && $2 == s { print $c }'
}
wait_up() {	# SERVER: until HAProxy's checks find it up in both backends
	local i
	for i in $(seq 1 100); do
		[ "$(stat gemini "$1" status)" = UP ] &&
		    [ "$(stat gopher "$1" status)" = UP ] &&
		    [ "$(stat spartan "$1" status)" = UP ] && return 0
		sleep 0.1
	done
	return 1
}
for s in zeche1 zeche2; do
	wait_up $s && ok "the health checks find $s up (Gemini over TLS, Gopher, Spartan)" ||
	    not_ok "the health checks find $s up" \
	    "$(admin "show stat" | cut -d, -f1,2,18,37,38)
$(tail -5 "$WORK/haproxy.log")"
done

pgem() { "$GEMGET" -b $CLIENT -s "$H" 127.0.0.1 "$FG" "$REQ" 2>/dev/null; }
pgopher() { "$GEMGET" -t -b $CLIENT 127.0.0.1 "$FP" "" 2>/dev/null; }
pspartan() {
	"$GEMGET" -t -b $CLIENT 127.0.0.1 "$FS" "$H /notes/ 0" \
	    2>/dev/null
}
menu=$(pgopher)
page=$(pgem)
spage=$(pspartan)
expect_contains "Spartan through HAProxy" "$(printf '%s' "$spage" | head -n 1)" \
    "2 text/gemini"
expect_eq "Spartan through HAProxy: the body Gemini sends" \
    "$(printf '%s\n' "$spage" | tail -n +2)" "$(printf '%s\n' "$page" | tail -n +2)"
expect_contains "Gemini through HAProxy" "$(printf '%s' "$page" | head -n 1)" \
    "20 text/gemini"
expect_contains "Gopher through HAProxy" "$menu" "Neutral test capsule"
expect_eq "Gopher through HAProxy: a whole menu" \
    "$(printf '%s\n' "$menu" | tail -n 1)" $'.\r'
for i in 1 2 3 4 5 6; do
	pgem >/dev/null
	pgopher >/dev/null
	pspartan >/dev/null
done
for n in 1 2; do
	expect_log "zeche $n answered Gemini for the client's address" \
	    "gemini $CLIENT \"$REQ\" 20" "$WORK/z$n.log"
	expect_log "zeche $n answered Gopher for the client's address" \
	    "gopher $CLIENT \"\" " "$WORK/z$n.log"
	expect_log "zeche $n answered Spartan for the client's address" \
	    "spartan $CLIENT \"$H /notes/ 0\" 2" "$WORK/z$n.log"
	expect_not_contains "zeche $n never logs HAProxy's address for the client" \
	    "$(cat "$WORK/z$n.log")" "127.0.0.3 \"$REQ\""
done

# --- traffic while zeche 1 reloads and restarts
for i in 1 2; do
	expect_eq "the two instances answer alike (Gemini, $i)" "$(pgem)" "$page"
	expect_eq "the two instances answer alike (Gopher, $i)" "$(pgopher)" \
	    "$menu"
done
traffic() {
	local ok=0 bad=0
	while [ ! -e "$WORK/stop" ]; do
		if [ "$(pgem)" = "$page" ] && [ "$(pgopher)" = "$menu" ] &&
		    [ "$(pspartan)" = "$spage" ]
		then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		echo "$ok $bad" >"$WORK/count.tmp"
		mv "$WORK/count.tmp" "$WORK/count"
	done
}
traffic &
TPID=$!
for i in $(seq 1 100); do [ -s "$WORK/count" ] && break; sleep 0.1; done
[ -s "$WORK/count" ] ||
    { not_ok "the traffic begins" "$(tail -5 "$WORK/haproxy.log")"; finish; }

kill -HUP "${ZP[1]}"
for i in $(seq 1 100); do
	grep -q "reloaded" "$WORK/z1.log" && break
	sleep 0.1
done
expect_contains "zeche 1 reloads under traffic" "$(cat "$WORK/z1.log")" "reloaded"

# a rolling restart: drain, wait for its last connection, stop, start,
# back in
admin "set server gemini/zeche1 state drain" >/dev/null
admin "set server gopher/zeche1 state drain" >/dev/null
admin "set server spartan/zeche1 state drain" >/dev/null
drained=
for i in $(seq 1 100); do
	[ "$(stat gemini zeche1 scur)" = 0 ] &&
	    [ "$(stat gopher zeche1 scur)" = 0 ] &&
	    [ "$(stat spartan zeche1 scur)" = 0 ] && drained=yes && break
	sleep 0.1
done
expect_eq "zeche 1 drained: HAProxy holds no connection to it" \
    "${drained:-no}" yes
read -r down _ <"$WORK/count"
stop_instance 1
before=$(grep -c "$CLIENT" "$WORK/z1.log")
for i in $(seq 1 100); do	# a few requests while zeche 1 is down
	read -r now _ <"$WORK/count"
	[ "$now" -ge $((down + 3)) ] && break
	sleep 0.05
done
expect_eq "zeche 2 alone answered while zeche 1 was down" \
    "$([ "$now" -ge $((down + 3)) ] && echo yes)" yes
start_instance 1
admin "set server gemini/zeche1 state ready" >/dev/null
admin "set server gopher/zeche1 state ready" >/dev/null
admin "set server spartan/zeche1 state ready" >/dev/null
wait_up zeche1 && ok "zeche 1 is back in after its restart" ||
    not_ok "zeche 1 is back in after its restart"
for i in $(seq 1 100); do
	[ "$(grep -c "$CLIENT" "$WORK/z1.log")" -gt "$before" ] && break
	sleep 0.1
done
expect_eq "zeche 1 serves clients again" \
    "$([ "$(grep -c "$CLIENT" "$WORK/z1.log")" -gt "$before" ] && echo yes)" yes
touch "$WORK/stop"
wait "$TPID"
TPID=
read -r good bad <"$WORK/count"
echo "# $good Gemini and Gopher pairs during the reload and the restart"
expect_eq "no request failed during the reload and the restart" "$bad" 0
[ "$good" -gt 0 ] && ok "requests kept coming" || not_ok "requests kept coming"
finish
