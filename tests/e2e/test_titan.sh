# Titan uploads on the Gemini port: both parameter orders, a replace with
# the old version kept in the history, ;edit, the new page on Gemini,
# Gopher, Spartan, in the feed and in --export after the reload; what the
# request line decides answered before the body (size, type, token, a new
# file where only replacing is allowed); invalid UTF-8 and a broken
# partners.txt refused with file:line and nothing changed; a trickled
# body cut; two uploads at once leave one whole; kill -9 during uploads
# leaves the old or the new file whole, a stop at once during an upload
# exits clean; a replaced file keeps its mode, a new one is 0644 whatever
# the umask; size=0 deletes nothing unless
# upload_delete is on; the token never in the log.  The host's language
# is German: the refusals' meta text is in it.
. "$(dirname "$0")/lib.sh"
: "${SPGET:?SPGET must name the spget client}"

CONF=$WORK/zeche.conf
HIST=$WORK/history
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
while [ "$GOPHER_PORT" = "$GEMINI_PORT" ]; do GOPHER_PORT=$(free_port); done
while [ "$SPARTAN_PORT" = "$GEMINI_PORT" ] ||
    [ "$SPARTAN_PORT" = "$GOPHER_PORT" ]; do SPARTAN_PORT=$(free_port); done
TOKEN='s3cr;t=x'		# sent percent-encoded
ETOKEN='s3cr%3Bt%3Dx'
mkdir -p "$CERTS"
cat >"$CONF" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT
timeout 3
host $H {
	root "$ROOT"
	certs "$CERTS"
	lang de
	gopher on
	history "$HIST"
	token "$TOKEN"
	location "/notes/" {
		titan on
		upload_delete on
	}
	location "/list/" {
		titan on
		upload_create off
	}
	location "/open/" {
		titan on
		token "other"
		upload_max 100
		upload_types "text/gemini"
	}
}
CONF
mkdir "$ROOT/open"
printf '# Offen\n' >"$ROOT/open/index.gmi"

start_conf() {
	local before
	before=$(serving)
	# a strict umask: the modes of written files do not depend on it
	(umask 077 && exec "$ZECHE" --config "$CONF" >>"$LOG" 2>&1) &
	ZPID=$!
	if ! wait_serving "$before"; then
		not_ok "zeche --config starts and listens" "$(tail -20 "$LOG")"
		finish
	fi
}

# titan URL-REST BODY [gemget options]: send the Titan request
# titan://H/URL-REST and BODY (printf's format); the answer
titan() {
	local rest=$1 body=$2
	shift 2
	{ printf 'titan://%s%s\r\n' "$H" "$rest"; printf "$body"; } |
	    "$GEMGET" -s "$H" "$@" 127.0.0.1 "$GEMINI_PORT" 2>"$WORK/gemget.err"
}

# titan_head URL-REST BODY: the answer's header line
titan_head() {
	titan "$@" | head -n 1 | tr -d '\r'
}

start_conf
URL="gemini://$H:$GEMINI_PORT"
POST=/notes/2025-06-01-titan-post.gmi
BODY='# Titan-Beitrag\n\nHochgeladen mit Titan.\n'
LEN=$(printf "$BODY" | wc -c)

# --- an upload in Lagrange's order (mime, size, token) makes a new post
expect_eq "Lagrange's order: 30 to the page" \
    "$(titan_head "$POST;mime=text/plain;size=$LEN;token=$ETOKEN" "$BODY")" \
    "30 $URL$POST"
expect_eq "the file holds the body" "$(cat "$ROOT$POST")" \
    "$(printf "$BODY")"
expect_eq "a new file: mode 644" "$(stat -c %a "$ROOT$POST")" 644
# the 30 comes once the reload is done: the page it names is served
expect_contains "Gemini serves the page the 30 names, at once" \
    "$(gem "gemini://$H$POST" -s "$H")" "Hochgeladen mit Titan."
expect_log "the upload is logged" \
    "titan: host $H path $POST size $LEN type text/plain fingerprint -: write 30"
expect_log "the upload reloads" "upload: reloading"
expect_not_contains "the token is not in the log" "$(cat "$LOG")" "s3cr"
expect_contains "the access line shows token=-" "$(cat "$LOG")" \
    ";size=$LEN;token=-\" 30 uploaded"
expect_contains "Gemini: the post list names it" \
    "$(gem "gemini://$H/notes/" -s "$H")" "Titan-Beitrag"
expect_contains "the feed names it" \
    "$(gem "gemini://$H/notes/atom.xml" -s "$H")" "Titan-Beitrag"
expect_contains "Gopher: the menu names it" "$(gopher "1/notes/")" \
    "Titan-Beitrag"
expect_contains "Spartan serves it" \
    "$("$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$POST")" \
    "Hochgeladen mit Titan."
if "$ZECHE" --config "$CONF" --export "$WORK/export" >"$WORK/export.out" \
    2>&1 && grep -rqF "Hochgeladen mit Titan." "$WORK/export"; then
	ok "--export holds it"
else
	not_ok "--export holds it" "$(cat "$WORK/export.out")"
fi

# --- gmid's order (size, token, mime) replaces it; the old one is kept
BODY2='# Titan-Beitrag\n\nErsetzt.\n'
LEN2=$(printf "$BODY2" | wc -c)
chmod 664 "$ROOT$POST"
expect_eq "gmid's order: 30 to the page" \
    "$(titan_head "$POST;size=$LEN2;token=$ETOKEN;mime=text/gemini;lang=de" \
    "$BODY2")" "30 $URL$POST"
expect_log "an unknown parameter is ignored, and said so" \
    "titan: host $H: 1 unknown parameter(s) ignored, the first \"lang\""
expect_eq "replaced" "$(cat "$ROOT$POST")" "$(printf "$BODY2")"
expect_eq "the replaced file keeps its mode" "$(stat -c %a "$ROOT$POST")" 664
expect_eq "the old version is in the history" \
    "$(cat "$HIST"/notes/2025-06-01-titan-post.gmi.* 2>&1)" \
    "$(printf "$BODY")"
expect_contains "the replaced page is served at once" \
    "$(gem "gemini://$H$POST" -s "$H")" "Ersetzt."
expect_eq "no temporary file left" "$(ls -A "$ROOT/notes" | grep -c '^\.')" 0

# --- ;edit: the source as stored
printf '# Quelle\r\n\n```\nroh\n' >"$ROOT/notes/index.gmi"
gem_to "$WORK/edit" "titan://$H/notes/index.gmi;token=$ETOKEN;edit" -s "$H"
expect_eq ";edit: header" "$(head -n 1 "$WORK/edit" | tr -d '\r')" \
    "20 text/gemini"
tail -c +17 "$WORK/edit" >"$WORK/edit.body"
if cmp -s "$WORK/edit.body" "$ROOT/notes/index.gmi"; then
	ok ";edit: the bytes as stored"
else
	not_ok ";edit: the bytes as stored" "$(od -c "$WORK/edit" | head)"
fi
gem_to "$WORK/edit2" "titan://$H/notes/index.gmi;tok%65n=$ETOKEN;edit" -s "$H"
expect_eq ";edit: the token's name percent-encoded" \
    "$(head -n 1 "$WORK/edit2" | tr -d '\r')" "20 text/gemini"
expect_eq ";edit: a wrong token gets nothing" \
    "$(gem_header "titan://$H/notes/index.gmi;token=nein;edit" -s "$H")" \
    "59 Falsches Token"

# --- decided from the request line, before the body: the header alone
# is sent and the answer comes (a server waiting for the body would
# answer, after the timeout, with a timeout)
expect_eq "too large: 59 before the body" \
    "$(titan_head "/notes/x.gmi;mime=text/gemini;size=70000;token=$ETOKEN" "")" \
    "59 Zu groß: hier höchstens 65536 Bytes"
expect_eq "a location's upload_max" \
    "$(titan_head "/open/x.gmi;mime=text/gemini;size=101;token=other" "")" \
    "59 Zu groß: hier höchstens 100 Bytes"
expect_eq "a type not accepted: 59 before the body" \
    "$(titan_head "/notes/x.png;mime=image/png;size=10;token=$ETOKEN" "")" \
    "59 Der Typ image/png wird hier nicht angenommen"
expect_eq "a location's upload_types" \
    "$(titan_head "/open/x.gmi;mime=text/plain;size=10;token=other" "")" \
    "59 Der Typ text/plain wird hier nicht angenommen"
expect_eq "no token: 59" \
    "$(titan_head "/notes/x.gmi;mime=text/gemini;size=10" "")" \
    "59 Zum Hochladen ist hier ein Token nötig"
expect_eq "a wrong token: 59" \
    "$(titan_head "/notes/x.gmi;mime=text/gemini;size=10;token=x" "")" \
    "59 Falsches Token"
expect_eq "the host's token is not the location's" \
    "$(titan_head "/open/x.gmi;mime=text/gemini;size=10;token=$ETOKEN" "")" \
    "59 Falsches Token"
expect_eq "a folder not open: 50" \
    "$(titan_head "/x.gmi;mime=text/gemini;size=10;token=$ETOKEN" "")" \
    "50 Hochladen ist hier nicht offen: /x.gmi"
expect_eq "upload_create off: a new file refused before the body" \
    "$(titan_head "/list/neu.gmi;mime=text/gemini;size=10;token=$ETOKEN" "")" \
    "50 Keine solche Datei: Uploads ersetzen hier Dateien, sie legen keine an"
expect_eq "a dot file: 50" \
    "$(titan_head "/notes/.x.gmi;mime=text/gemini;size=3;token=$ETOKEN" "")" \
    "50 Hochgeladen wird in eine Datei, nicht in einen Ordner oder eine Punktdatei"
expect_eq "no size: 59" \
    "$(titan_head "/notes/x.gmi;mime=text/gemini;token=$ETOKEN" "")" \
    "59 Titan request without a size"
expect_eq "a size past 2^63: 59" \
    "$(titan_head "/notes/x.gmi;size=9223372036854775808;token=$ETOKEN" "")" \
    "59 size too large"
expect_eq "no new file was made" "$(ls "$ROOT/list" "$ROOT/notes" |
    grep -c '^x\.\|^neu')" 0
expect_log "a refusal is logged" \
    "titan: host $H path /notes/x.png size 10 type image/png fingerprint -: write 59 type not accepted"

# --- checked as the loader would: nothing changes
cp "$ROOT/notes/index.gmi" "$WORK/index.before"
expect_eq "invalid UTF-8: 59 with the line" \
    "$(titan_head "/notes/index.gmi;mime=text/gemini;size=8;token=$ETOKEN" \
    '# A\nb\n\377\n')" "59 /notes/index.gmi:3: invalid UTF-8"
expect_file_eq "invalid UTF-8: the file is unchanged" "$ROOT/notes/index.gmi" \
    "$WORK/index.before"
cp "$ROOT/list/partners.txt" "$WORK/partners.before"
expect_eq "a broken partners.txt: 59 with the line" \
    "$(titan_head "/list/partners.txt;mime=text/plain;size=43;token=$ETOKEN" \
    '# Liste\nGut\nSchlecht\tgemini://a.example/\tx\n')" \
    "59 /list/partners.txt:3: more than one TAB"
expect_file_eq "a broken partners.txt: unchanged" "$ROOT/list/partners.txt" \
    "$WORK/partners.before"
expect_contains "the directory still served" \
    "$(gem "gemini://$H/list/" -s "$H")" "Alder Tools Ltd"

# --- size=0 deletes nothing unless upload_delete is on
expect_eq "size=0 where upload_delete is off: 50" \
    "$(titan_head "/list/partners.txt;mime=application/octet-stream;size=0;token=$ETOKEN" "")" \
    "50 Ein leerer Upload löscht hier nichts"
expect_file_eq "size=0: the file is still there" "$ROOT/list/partners.txt" \
    "$WORK/partners.before"
printf '# Weg\n' >"$ROOT/notes/weg.gmi"
expect_eq "size=0 with upload_delete on: deleted, 30" \
    "$(titan_head "/notes/weg.gmi;size=0;token=$ETOKEN" "")" \
    "30 $URL/notes/weg.gmi"
if [ ! -e "$ROOT/notes/weg.gmi" ] && [ "$(cat "$HIST"/notes/weg.gmi.*)" = "# Weg" ]; then
	ok "deleted, its last version in the history"
else
	not_ok "deleted, its last version in the history" "$(ls -R "$HIST")"
fi
alive "refused uploads"

# --- a trickled body is cut like a slow reader, nothing written
cp "$ROOT$POST" "$WORK/post.before"
HEAD="titan://$H$POST;mime=text/gemini;size=40;token=$ETOKEN"
{ printf '%s\r\n' "$HEAD"; printf '# Langsam\n\n%030d\n' 0; } |
    "$GEMGET" -s "$H" -w 300 -W $((${#HEAD} + 2)) 127.0.0.1 "$GEMINI_PORT" \
    >"$WORK/slow" 2>&1
expect_contains "a trickled body: refused" "$(head -n 1 "$WORK/slow")" "59 "
expect_log "a trickled body: cut at the deadline" \
    "timeout waiting for the data block"
expect_file_eq "a trickled body: the file is unchanged" "$ROOT$POST" \
    "$WORK/post.before"

# --- a body that comes at more than 1 KiB a second is read past the
# deadline (timeout 3): 20 KiB, 1 KiB every 250 ms
BIG=$(printf 'x%.0s' $(seq 1 20470))
HEAD="titan://$H$POST;mime=text/gemini;size=20480;token=$ETOKEN"
{ printf '%s\r\n' "$HEAD"; printf '# Gross\n\n%s\n' "$BIG"; } |
    "$GEMGET" -s "$H" -w 250 -K 1024 -W $((${#HEAD} + 2)) 127.0.0.1 \
    "$GEMINI_PORT" >"$WORK/paced" 2>&1
expect_eq "a paced body past the deadline: 30" \
    "$(head -n 1 "$WORK/paced" | tr -d '\r')" "30 $URL$POST"
expect_eq "a paced body: written whole" "$(wc -c <"$ROOT$POST")" 20480

# --- two uploads of one path at once: one of them, whole
A=$(printf 'A%.0s' $(seq 1 30000))
B=$(printf 'B%.0s' $(seq 1 30000))
titan "$POST;mime=text/plain;size=30006;token=$ETOKEN" "# A\n\n$A\n" \
    >"$WORK/a.out" &
pa=$!
titan "$POST;mime=text/plain;size=30006;token=$ETOKEN" "# B\n\n$B\n" \
    >"$WORK/b.out" &
pb=$!
wait "$pa" "$pb"
expect_contains "concurrent: the first answered 30" "$(cat "$WORK/a.out")" "30 "
expect_contains "concurrent: the second answered 30" "$(cat "$WORK/b.out")" "30 "
got=$(cat "$ROOT$POST")
if [ "$got" = "$(printf "# A\n\n$A\n")" ] || [ "$got" = "$(printf "# B\n\n$B\n")" ]; then
	ok "concurrent: the file is one of them, whole"
else
	not_ok "concurrent: the file is one of them, whole" "$(head -c 100 "$ROOT$POST")"
fi
alive "concurrent uploads"

expect_not_contains "the token is never in the log" "$(cat "$LOG")" "s3cr"

# --- kill -9 while uploads run: the old file or a new one, whole
printf '# Alt\n' >"$ROOT/notes/kill.gmi"
( for i in $(seq 1 200); do
	titan "/notes/kill.gmi;mime=text/gemini;size=30006;token=$ETOKEN" \
	    "# A\n\n$A\n" >/dev/null 2>&1 || break
done ) &
loop=$!
wait_log "path /notes/kill.gmi size 30006"
kill -9 "$ZPID"
wait "$ZPID" 2>/dev/null
ZPID=
wait "$loop" 2>/dev/null
got=$(cat "$ROOT/notes/kill.gmi")
if [ "$got" = "# Alt" ] || [ "$got" = "$(printf "# A\n\n$A\n")" ]; then
	ok "kill -9: the file is whole, old or new"
else
	not_ok "kill -9: the file is whole, old or new" "$(wc -c <"$ROOT/notes/kill.gmi")"
fi
start_conf
alive "a restart after kill -9"
expect_eq "a temporary file left by kill -9 is not served" \
    "$(gem_header "gemini://$H/notes/" -s "$H")" "20 text/gemini; lang=de"
expect_not_contains "nor listed" "$(gem "gemini://$H/notes/" -s "$H")" \
    ".titan-"

stop_zeche

# --- a stop at once (SIGTERM twice) while an upload's job runs, on a
# slow disk: a clean exit (under the sanitizers: the job freed)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
env_save=$ZECHE
ZECHE=$WORK/zeche-slow
printf '#!/bin/sh\nLD_PRELOAD=%q ZECHE_FAULT_FSYNC=400 exec %q "$@"\n' \
    "$ZECHE_FAULT" "$env_save" >"$ZECHE"
chmod +x "$ZECHE"
start_conf
ZECHE=$env_save
titan "/notes/kill.gmi;mime=text/gemini;size=30006;token=$ETOKEN" \
    "# B\n\n$B\n" >/dev/null 2>&1 &
up=$!
for i in $(seq 1 500); do
	ls -A "$ROOT/notes" "$HIST/notes" | grep -q '^\.titan-' && break
	sleep 0.02
done
kill "$ZPID"
wait_log "signal 15: stopping"
kill "$ZPID"
stop_zeche
ok "a stop at once while an upload's job runs"
wait "$up" 2>/dev/null

# --- a server without uploads answers Titan as before: 53
start_zeche
expect_contains "no upload anywhere: a Titan request gets 53" \
    "$(gem_header "titan://$H/notes/index.gmi;size=3;token=x" -s "$H")" "53 "
expect_contains "no upload anywhere: a malformed one gets 53 too" \
    "$(gem_header "titan://$H/" -s "$H")" "53 "
alive "Titan requests to a server without uploads"

finish
