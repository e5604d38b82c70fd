# Titan under --user with --config: Landlock lets the process write only
# beneath the folders open for uploads and the history folder, which is
# made at the start and given to the user; an upload there works, and
# one to a folder writable by the user but not open for uploads is
# refused.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "# not root, or no user nobody: the sandbox is not tested"
	exit 77
fi
chmod 755 "$WORK"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
mkdir -p "$CERTS"
chown -R nobody "$ROOT"
printf 'host "%s" {\n\troot "capsule"\n\tcerts "certs"\n\tgopher on\n\ttoken "t"\n\tlocation "/notes/" {\n\t\ttitan on\n\t}\n}\n' \
    "$H" >"$WORK/zeche.conf"
start_zeche --config "$WORK/zeche.conf" --user nobody
if ! grep -q 'landlock: read-only' "$LOG"; then
	echo "# this kernel has no Landlock: $(grep -i landlock "$LOG")"
	finish
fi
expect_log "Landlock: uploads may write beneath the folder open" \
    "landlock: uploads may write beneath $ROOT/notes"
expect_log "Landlock: and beneath the history" \
    "landlock: uploads may write beneath $WORK/capsule.history"
expect_not_contains "Landlock: not beneath the whole capsule" \
    "$(cat "$LOG")" "uploads may write beneath $ROOT
"
expect_eq "the history folder is the user's" \
    "$(stat -c %U "$WORK/capsule.history")" nobody
resp=$(printf 'titan://%s/notes/neu.gmi;mime=text/gemini;size=6;token=t\r\n# Neu\n' "$H" |
    "$GEMGET" -s "$H" 127.0.0.1 "$GEMINI_PORT" | head -n 1 | tr -d '\r')
expect_contains "an upload under --user: 30" "$resp" "30 gemini://"
expect_eq "written" "$(cat "$ROOT/notes/neu.gmi")" "# Neu"
chmod 664 "$ROOT/notes/neu.gmi"
resp=$(printf 'titan://%s/notes/neu.gmi;mime=text/gemini;size=8;token=t\r\n# Neuer\n' "$H" |
    "$GEMGET" -s "$H" 127.0.0.1 "$GEMINI_PORT" | head -n 1 | tr -d '\r')
expect_contains "a replace under --user: 30" "$resp" "30 gemini://"
expect_eq "the old version kept" "$(cat "$WORK"/capsule.history/notes/neu.gmi.*)" \
    "# Neu"
expect_eq "the replaced file's mode kept (seccomp lets fchmod set it)" \
    "$(stat -c %a "$ROOT/notes/neu.gmi")" 664
alive "uploads under --user"
finish
