# Who owns the certificate zeche makes as root.  The service runs as its
# own user from the start, with its certificates in a state folder that
# user owns; an administrator who runs the service's command by hand once
# as root must not leave files there that the service cannot read.  Made
# as root, a pair goes to --user's user, else to the owner of the folder
# it is made in; a pair the user cannot read (made by hand as root in a
# folder of root's) stops the start as that user, and zeche --check (the
# unit's ExecStartPre), with the exact chown that lets it; as root with
# --user it is served, and the chown is logged.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1 ||
    ! getent group nogroup >/dev/null; then
	echo "# not root, or no user nobody or group nogroup: not tested"
	exit 77
fi
# nobody must reach the capsule, the configuration and the binary
chmod 755 "$WORK"
cp "$ZECHE" "$WORK/zeche"
chmod 755 "$WORK/zeche"
# LeakSanitizer needs ptrace at exit, which a process that changed its
# user may not do
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
CONF=$WORK/zeche.conf
printf 'host "%s" {\n\troot "%s"\n\tcerts "%s"\n\tlang "de"\n\tgopher on\n}\n' "$H" \
    "$ROOT" "$CERTS" >"$CONF"
owner() { stat -c '%U:%G %a' "$@" | tr '\n' ' ' | sed 's/ $//'; }
as_nobody() {	# zeche's options: run as nobody, as the unit does
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$WORK/zeche" \
	    --config "$CONF" "$@"
}

# --- by hand as root, without --user, in the service's state folder
# (the service's user owns it): the pair goes to that user
STATE=$WORK/state
mkdir -m 700 "$STATE"
chown nobody:nogroup "$STATE"
start_zeche --config "$CONF" --certs "$STATE"
alive "a start as root in a folder of nobody's"
stop_zeche
expect_eq "made as root in nobody's folder: the key and the certificate are nobody's" \
    "$(owner "$STATE/$H.key" "$STATE/$H.crt")" \
    "nobody:nogroup 600 nobody:nogroup 644"
out=$(as_nobody --certs "$STATE" --check 2>&1)
expect_eq "... so the service's check as nobody passes" "$?" 0
expect_contains "... and names the certificate" "$out" \
    "certificate $STATE/localhost.crt SHA-256"

# --- by hand as root in a folder it makes: root's pair
start_zeche --config "$CONF"
stop_zeche
expect_eq "made as root without --user: the folder, the key and the certificate are root's" \
    "$(owner "$CERTS" "$CERTS/$H.key" "$CERTS/$H.crt")" \
    "root:root 700 root:root 600 root:root 644"

# as the service: its check fails, naming the chown of the folder
out=$(as_nobody --certs "$CERTS" --check 2>&1)
expect_eq "a folder nobody cannot enter: the check as nobody fails" "$?" 1
expect_contains "... naming the folder and the chown that lets nobody in" \
    "$out" "$CERTS: user nobody cannot enter this folder (owner root:root, mode 0700); as root: chown nobody:nogroup $CERTS"
expect_not_contains "... never calling the certificate missing" "$out" \
    "none yet"
chmod 711 "$CERTS"
out=$(as_nobody --certs "$CERTS" --check 2>&1)
expect_eq "a key only root may read: the check as nobody fails" "$?" 1
expect_not_contains "... not naming the folder, which nobody may enter" \
    "$out" "$CERTS: user"
expect_contains "... naming the key and the chown that lets nobody read it" \
    "$out" "$CERTS/$H.key: user nobody cannot read it (owner root:root, mode 0600); as root: chown nobody:nogroup $CERTS/$H.key"
expect_not_contains "... and not the certificate, which nobody may read" \
    "$out" "$CERTS/$H.crt: user"
# and so does the start as nobody: not serving, with the same line
out=$(as_nobody --certs "$CERTS" --gemini "127.0.0.1:$(free_port)" 2>&1)
expect_eq "a key only root may read: the start as nobody exits 1" "$?" 1
expect_contains "... naming the chown" "$out" \
    "as root: chown nobody:nogroup $CERTS/$H.key"

# a key of a group the process has though /etc/group does not say so
# (the unit's SupplementaryGroups=): the kernel lets it read the key, and
# so does the check
if getent group users >/dev/null; then
	chgrp users "$CERTS/$H.key"
	chmod 640 "$CERTS/$H.key"
	out=$(setpriv --reuid=nobody --regid=nogroup --groups=users \
	    "$WORK/zeche" --config "$CONF" --certs "$CERTS" --check 2>&1)
	expect_eq "a key of a group nobody is given: the check as nobody passes" \
	    "$?" 0
	chgrp root "$CERTS/$H.key"
	chmod 600 "$CERTS/$H.key"
fi

# --- as root with --user nobody: served (root reads the pair at the
# start), the chown logged for the reloads that read it as nobody
chmod 700 "$CERTS"
: >"$LOG"
start_zeche --config "$CONF" --user nobody
alive "--user nobody with a pair only root may read"
expect_log "--user nobody: the folder's chown is logged" \
    "$CERTS: user nobody cannot enter this folder (owner root:root, mode 0700); as root: chown nobody:nogroup $CERTS"
expect_log "--user nobody: the key's chown is logged" \
    "$CERTS/$H.key: user nobody cannot read it (owner root:root, mode 0600); as root: chown nobody:nogroup $CERTS/$H.key"
stop_zeche
expect_eq "--user nobody: the files are left as they were" \
    "$(owner "$CERTS" "$CERTS/$H.key")" "root:root 700 root:root 600"

# the chowns the lines name, done: the check as nobody passes
chowns=$(grep -o 'as root: chown .*' "$LOG" | sort -u | cut -d' ' -f3-)
expect_eq "two chowns named" "$(printf '%s\n' "$chowns" | wc -l)" 2
while read -r cmd args; do
	[ "$cmd" = chown ] && chown $args
done <<EOF
$chowns
EOF
out=$(as_nobody --certs "$CERTS" --check 2>&1)
expect_eq "once chowned as the lines say, the check as nobody passes" "$?" 0
: >"$LOG"
start_zeche --config "$CONF" --user nobody
alive "--user nobody with a pair nobody may read"
expect_not_contains "... and no chown is logged" "$(cat "$LOG")" "chown"
stop_zeche

# --- made as root with --user nobody: the folder and the pair are nobody's
NEW=$WORK/new/certs
start_zeche --config "$CONF" --user nobody --certs "$NEW"
alive "--user nobody, the pair made"
stop_zeche
expect_eq "made with --user nobody: the folders, the key and the certificate are nobody's" \
    "$(owner "$WORK/new" "$NEW" "$NEW/$H.key" "$NEW/$H.crt")" \
    "nobody:nogroup 700 nobody:nogroup 700 nobody:nogroup 600 nobody:nogroup 644"
out=$(as_nobody --certs "$NEW" --check 2>&1)
expect_eq "... and the check as nobody passes" "$?" 0
finish
