# /capsule.tar ("archive on"): over Gemini, unpacked with tar, byte for
# byte the Gemini tree of --export; the same bytes after a reload of an
# unchanged capsule; 51 with "archive off"; the capsule's own
# capsule.tar wins.
. "$(dirname "$0")/lib.sh"

CONF=$WORK/zeche.conf
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
while [ "$GOPHER_PORT" = "$GEMINI_PORT" ]; do GOPHER_PORT=$(free_port); done

write_conf() {	# write_conf on|off
	cat >"$CONF" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
host $H {
	root "$ROOT"
	certs "$CERTS"
	lang de
	gopher on
	archive $1
}
CONF
}

start_conf() {
	local before
	before=$(serving)
	"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
	ZPID=$!
	if ! wait_serving "$before"; then
		not_ok "zeche --config starts and listens" "$(tail -20 "$LOG")"
		finish
	fi
}

# fetch FILE: /capsule.tar's body into FILE; its header in $HEAD
fetch() {
	"$GEMGET" -s "$H" 127.0.0.1 "$GEMINI_PORT" \
	    "gemini://$H/capsule.tar" >"$WORK/answer" 2>"$WORK/gemget.err"
	HEAD=$(head -n 1 "$WORK/answer" | tr -d '\r')
	tail -n +2 "$WORK/answer" >"$1"
}

mkdir -p "$CERTS"
write_conf on
start_conf
fetch "$WORK/a.tar"
expect_eq "archive on: header" "$HEAD" "20 application/x-tar"
mkdir "$WORK/unpacked"
if tar -x -f "$WORK/a.tar" -C "$WORK/unpacked" 2>"$WORK/tar.err"; then
	ok "tar unpacks it"
else
	not_ok "tar unpacks it" "$(cat "$WORK/tar.err")"
fi
listing=$(tar -tv --numeric-owner -f "$WORK/a.tar" 2>&1)
expect_contains "owner 0/0" "$listing" "0/0"
expect_not_contains "no owner names" "$(tar -tv -f "$WORK/a.tar" 2>&1 |
    awk '{ print $2 }' | grep -v '^0/0$' | sort -u)" "/"
expect_eq "modes: files 0644, folders 0755" \
    "$(tar -tv -f "$WORK/a.tar" | awk '{ print $1 }' | sort -u | tr '\n' ' ')" \
    "-rw-r--r-- drwxr-xr-x "
names=$(tar -t -f "$WORK/a.tar")
expect_eq "names in byte order" "$names" "$(printf '%s\n' "$names" |
    LC_ALL=C sort)"
want=$(date -u -d "@$(stat -c %Y "$ROOT/index.gmi")" '+%Y-%m-%d %H:%M:%S')
expect_eq "mtime of a file: its own" "$(TZ=UTC tar -tv --full-time \
    -f "$WORK/a.tar" "$H/index.gmi" | awk '{ print $4, $5 }')" "$want"

if "$ZECHE" --config "$CONF" --export "$WORK/export" >"$WORK/export.out" 2>&1
then
	ok "export: exit 0"
else
	not_ok "export: exit 0" "$(cat "$WORK/export.out")"
fi
expect_eq "no page of it links a search, which only zeche answers" \
    "$(grep -rlE '^=>[[:blank:]]*/(list/)?suche' "$WORK/unpacked")" ""
expect_contains "though zeche's page index does" \
    "$(gem "gemini://$H/seiten/" -s "$H")" "=> /suche "
if out=$(diff -r "$WORK/unpacked/$H" "$WORK/export/gemini" 2>&1); then
	ok "unpacked: the Gemini tree of --export, byte for byte"
else
	not_ok "unpacked: the Gemini tree of --export, byte for byte" "$out"
fi

reload "reload of an unchanged capsule"
fetch "$WORK/b.tar"
if cmp -s "$WORK/a.tar" "$WORK/b.tar"; then
	ok "unchanged capsule, after a reload: the same bytes"
else
	not_ok "unchanged capsule, after a reload: the same bytes" \
	    "$(cmp "$WORK/a.tar" "$WORK/b.tar" 2>&1)"
fi

# the capsule's own capsule.tar wins
printf 'eigenes Archiv\n' >"$ROOT/capsule.tar"
reload "a capsule.tar of the capsule's own"
fetch "$WORK/own.tar"
expect_eq "own capsule.tar: served" "$(cat "$WORK/own.tar")" "eigenes Archiv"
rm "$ROOT/capsule.tar"

write_conf off
reload "archive off"
fetch "$WORK/off.tar"
expect_eq "archive off: 51" "${HEAD%% *}" "51"
alive "archive off"

stop_zeche
finish
