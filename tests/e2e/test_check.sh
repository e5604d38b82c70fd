# --check on good and bad capsules, and reloads that fail or succeed.
. "$(dirname "$0")/lib.sh"

check() {
	CHECK_OUT=$("$ZECHE" --check --root "$ROOT" 2>&1)
	CHECK_RC=$?
}

check
expect_eq "the capsule: --check exits 0" "$CHECK_RC" 0
expect_contains "the capsule: --check says OK" "$CHECK_OUT" "OK"
expect_eq "--check writes no certificate" "$(ls "$CERTS" 2>/dev/null)" ""

A=$ROOT/notes/2024-03-05-second-visit.gmi
cp "$A" "$WORK/good.gmi"

printf '# Titel\n\nZeile zwei\nkaputt: \xc3\x28 hier\n' >"$A"
check
expect_eq "invalid UTF-8: exit 1" "$CHECK_RC" 1
expect_contains "invalid UTF-8: file and line" "$CHECK_OUT" \
    "notes/2024-03-05-second-visit.gmi:4: invalid UTF-8"

printf '# Titel\n```\nvorformatiert\n' >"$A"
check
expect_eq "unclosed preformatted block: a warning, exit 0" "$CHECK_RC" 0
expect_contains "unclosed preformatted block: line of the toggle" "$CHECK_OUT" \
    "second-visit.gmi:2: warning: preformatted block is never closed"
expect_contains "a warning is counted" "$CHECK_OUT" "pages, 1 warning"

printf 'Text ohne Titel\n' >"$A"
check
expect_eq "article without a title: a warning, exit 0" "$CHECK_RC" 0
expect_contains "article without a title" "$CHECK_OUT" \
    "second-visit.gmi:1: warning: a post without a \"# \" title"

printf '# Titel\n=>\n' >"$A"
check
expect_contains "link without URL" "$CHECK_OUT" \
    "second-visit.gmi:2: link without a URL"

printf '# Titel\nA\x01B\n' >"$A"
check
expect_contains "control character" "$CHECK_OUT" \
    "second-visit.gmi:2: control character"

cp "$WORK/good.gmi" "$A"
printf '# Start\n\xff\n' >"$ROOT/index.gmi.new"
cp "$ROOT/index.gmi" "$WORK/index.good"
mv "$ROOT/index.gmi.new" "$ROOT/index.gmi"
check
expect_contains "error in a folder's index.gmi names it" "$CHECK_OUT" \
    "capsule/index.gmi:2: invalid UTF-8"
cp "$WORK/index.good" "$ROOT/index.gmi"

touch "$ROOT/Bad Name.gmi"
check
expect_eq "a name with a space is served" "$CHECK_RC" 0
rm "$ROOT/Bad Name.gmi"

# every problem in one run: two errors and a warning, exit 1
printf '# A\n\xff\n' >"$ROOT/a.gmi"
printf '# B\n=>\n' >"$ROOT/notes/b.gmi"
printf '# C\n=> nirgends.gmi dangling\n' >"$ROOT/c.gmi"
check
expect_eq "errors: exit 1" "$CHECK_RC" 1
expect_contains "errors: the first" "$CHECK_OUT" "capsule/a.gmi:2: invalid UTF-8"
expect_contains "errors: the second" "$CHECK_OUT" \
    "capsule/notes/b.gmi:2: link without a URL"
expect_contains "errors: a dangling link warned too" "$CHECK_OUT" \
    "capsule/c.gmi:2: warning: link to /nirgends.gmi leads nowhere"
expect_contains "errors: counted" "$CHECK_OUT" "2 errors, not served"
rm "$ROOT/a.gmi" "$ROOT/notes/b.gmi" "$ROOT/c.gmi"

# --user without --config: zeche would chroot into the capsule's parent,
# and the start refuses a log outside it; --check says so too, in the
# same words.  The capsule in $WORK/srv (the chroot), the log beside it.
mkdir -p "$WORK/srv/logs" "$WORK/draussen-log"
cp -R "$ROOT" "$WORK/srv/capsule"
CHECK_OUT=$("$ZECHE" --check --root "$WORK/srv/capsule" --user nobody \
    --log "$WORK/draussen-log/zeche.log" 2>&1)
CHECK_RC=$?
expect_eq "--check --user, the log outside the chroot: exit 1" "$CHECK_RC" 1
expect_contains "--check --user, the log outside the chroot: says why" \
    "$CHECK_OUT" "log $WORK/draussen-log/zeche.log: outside $(realpath "$WORK/srv"), the folder zeche chroots into with --user"
expect_contains "--check --user, the log outside the chroot: not served" \
    "$CHECK_OUT" "1 error, not served"
expect_eq "--check --user, the log outside the chroot: no log made" \
    "$(ls "$WORK/draussen-log")" ""
CHECK_OUT=$("$ZECHE" --check --root "$WORK/srv/capsule" --user nobody \
    --log "$WORK/srv/logs/zeche.log" 2>&1)
CHECK_RC=$?
expect_eq "--check --user, the log in the chroot: exit 0" "$CHECK_RC" 0
expect_contains "--check --user, the log in the chroot: OK" "$CHECK_OUT" "OK"
CHECK_OUT=$("$ZECHE" --check --root "$WORK/srv/capsule" \
    --log "$WORK/draussen-log/zeche.log" 2>&1)
expect_eq "--check without --user: a log anywhere outside the capsule" \
    "$?" 0
rm -r "$WORK/srv" "$WORK/draussen-log"

# a FIFO in the capsule: never read, never waited for
mkfifo "$ROOT/rohr.gmi"
CHECK_OUT=$(timeout 20 "$ZECHE" --check --root "$ROOT" 2>&1)
CHECK_RC=$?
expect_eq "FIFO at --check: exit 0 (not blocked)" "$CHECK_RC" 0
expect_contains "FIFO at --check: a warning naming it" "$CHECK_OUT" \
    "capsule/: warning: rohr.gmi: not a file or folder; not served"
rm "$ROOT/rohr.gmi"

out=$("$ZECHE" --check --root "$WORK/nichts" 2>&1)
expect_eq "missing root: exit 1" "$?" 1
expect_contains "missing root: named" "$out" "$WORK/nichts"

# --- reload: a bad capsule keeps the last good one in service
start_zeche
before=$(gem "gemini://$H/notes/")
printf '# Kaputt\n\xff\n' >"$A"
reload "failed reload"
expect_log "failed reload is logged with file and line" \
    "second-visit.gmi:2: invalid UTF-8"
expect_log "failed reload says it keeps serving" \
    "still serving the last good capsule"
expect_same "failed reload: the last good capsule is served" \
    "$(gem "gemini://$H/notes/")" "$before" \
    "=> 2024-03-05-second-visit.gmi 2024-03-05 Second visit to the mill"
alive "failed reload"

# a good reload picks up a new article with no other edit
cp "$WORK/good.gmi" "$A"
printf '# Ein neuer Beitrag\n\nText.\n' >"$ROOT/notes/2025-01-15-neu.gmi"
reload "good reload"
notes=$(gem "gemini://$H/notes/")
expect_eq "reload: the new article heads the list" \
    "$(printf '%s\n' "$notes" | grep '^=> 20' | head -n1)" \
    "=> 2025-01-15-neu.gmi 2025-01-15 Ein neuer Beitrag"
expect_eq "reload: the new article is served" \
    "$(gem_header "gemini://$H/notes/2025-01-15-neu.gmi")" \
    "20 text/gemini; lang=de"

# a FIFO at start and at a reload: both go on
mkfifo "$ROOT/rohr.gmi"
stop_zeche
start_zeche
expect_log "FIFO at start: warned" \
    "rohr.gmi: not a file or folder; not served"
mkfifo "$ROOT/notes/rohr2.gmi"
printf '# Nach dem Rohr\n\nText.\n' >"$ROOT/notes/2025-01-20-rohr.gmi"
kill -HUP "$ZPID"
for i in $(seq 1 50); do
	[ "$(gem_header "gemini://$H/notes/2025-01-20-rohr.gmi")" = \
	    "20 text/gemini; lang=de" ] && break
	sleep 0.2
done
expect_eq "FIFO at reload: the reload completes" \
    "$(gem_header "gemini://$H/notes/2025-01-20-rohr.gmi")" \
    "20 text/gemini; lang=de"
expect_eq "FIFO at reload: not served" \
    "$(gem_header "gemini://$H/notes/rohr2.gmi")" "51 Nicht gefunden"
rm "$ROOT/rohr.gmi" "$ROOT/notes/rohr2.gmi" \
    "$ROOT/notes/2025-01-20-rohr.gmi"
alive "FIFOs in the capsule"

# SIGHUPs that come while a reload runs: the last state of the capsule wins
rm "$ROOT/notes/2025-01-15-neu.gmi"
kill -HUP "$ZPID"; kill -HUP "$ZPID"
printf '# Noch einer\n\nText.\n' >"$ROOT/notes/2025-02-01-noch.gmi"
kill -HUP "$ZPID"
for i in $(seq 1 50); do
	[ "$(gem_header "gemini://$H/notes/2025-02-01-noch.gmi")" = \
	    "20 text/gemini; lang=de" ] && break
	sleep 0.2
done
expect_eq "several SIGHUPs: the last capsule is served" \
    "$(gem "gemini://$H/notes/" | grep '^=> 20' | head -n1 | tr -d '\r')" \
    "=> 2025-02-01-noch.gmi 2025-02-01 Noch einer"
expect_eq "several SIGHUPs: the removed article is gone" \
    "$(gem_header "gemini://$H/notes/2025-01-15-neu.gmi")" "51 Nicht gefunden"
alive "several SIGHUPs"
finish
