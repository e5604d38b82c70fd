#!/bin/bash
# test_unit.sh: contrib/zeche.service has no key systemd does not know,
# checks before it starts (zeche --check: a start that cannot read its
# certificate fails there, and so does "systemctl start"), runs zeche as
# _zeche with the packaged config and nothing but CAP_NET_BIND_SERVICE,
# tells systemd when it serves (Type=notify) and reloads with zeche
# --reload, which waits for the outcome, and systemd-analyze security
# rates its exposure 2.0 or lower ("OK").  contrib/zeche.socket, beside
# it, passes the sockets of the Gemini and Gopher ports (socket
# activation), and the service neither needs nor refuses it.
. "$(dirname "$0")/lib.sh"
unit=$ZECHE_SOURCE_DIR/contrib/zeche.service
sock=$ZECHE_SOURCE_DIR/contrib/zeche.socket
key() {		# NAME LINE: the unit has exactly this line
	if grep -qxF -- "$2" "$unit"; then ok "$1"; else
		not_ok "$1" "missing: $2"
	fi
}

# verify complains about unknown keys and bad values; the binary itself
# need not be installed here
out=$(systemd-analyze verify --man=no "$unit" 2>&1 |
    grep -v 'Command /usr/sbin/zeche is not executable')
[ -z "$out" ] && ok "systemd-analyze verify: no complaint" ||
    not_ok "systemd-analyze verify: no complaint" "$out"

out=$(systemd-analyze verify --man=no "$unit" "$sock" 2>&1 |
    grep -v 'Command /usr/sbin/zeche is not executable')
[ -z "$out" ] && ok "systemd-analyze verify, the unit and the socket: no complaint" ||
    not_ok "systemd-analyze verify, the unit and the socket: no complaint" "$out"
for l in ListenStream=1965 ListenStream=70 WantedBy=sockets.target; do
	grep -qxF "$l" "$sock" && ok "zeche.socket: $l" ||
	    not_ok "zeche.socket: $l"
done
grep -qE '^(Requires|BindsTo|Requisite)=.*zeche\.socket' "$unit" &&
    not_ok "the service runs without the socket unit too" ||
    ok "the service runs without the socket unit too"

key "starts zeche with the packaged configuration" \
    "ExecStart=/usr/sbin/zeche --config /etc/zeche/zeche.conf"
key "tells systemd when it serves and reloads" "Type=notify"
key "reloads with zeche --reload, which waits" \
    "ExecReload=/usr/sbin/zeche --reload --config /etc/zeche/zeche.conf"
key "the control socket's folder" "RuntimeDirectory=zeche"
key "checks the configuration, the capsule and the certificates first" \
    "ExecStartPre=/usr/sbin/zeche --config /etc/zeche/zeche.conf --check"
key "runs as its own user" "User=_zeche"
key "only CAP_NET_BIND_SERVICE (bounding set)" \
    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE"
key "only CAP_NET_BIND_SERVICE (ambient)" \
    "AmbientCapabilities=CAP_NET_BIND_SERVICE"
key "the certificates' state folder" "StateDirectory=zeche"
key "the state folder is the service's alone" "StateDirectoryMode=0700"

sec=$(systemd-analyze security --offline=yes "$unit" 2>&1)
score=$(printf '%s\n' "$sec" |
    sed -n 's/^→ Overall exposure level for zeche.service: \([0-9.]*\) .*/\1/p')
echo "# exposure: ${score:-?}"
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	ok "systemd-analyze security: exposure $score <= 2.0"
else
	not_ok "systemd-analyze security: exposure <= 2.0" "$sec"
fi
for k in NoNewPrivileges= PrivateTmp= PrivateDevices= ProtectSystem= \
    RestrictAddressFamilies=~AF_PACKET SystemCallFilter=~@privileged \
    CapabilityBoundingSet=~CAP_SYS_ADMIN RestrictNamespaces=~user; do
	if printf '%s\n' "$sec" | grep -q "^✓ $k"; then
		ok "systemd-analyze security: $k"
	else
		not_ok "systemd-analyze security: $k" \
		    "$(printf '%s\n' "$sec" | grep -F "$k")"
	fi
done
finish
