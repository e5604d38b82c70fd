# A reload costs what changed: what did not is taken over from the last
# load (the log counts it), and what did is served on every protocol as a
# full load would serve it: an edited post, a new post in its folder's
# listing and feeds, a removed post no longer linked over Gopher, and
# --reload --full taking over nothing.
. "$(dirname "$0")/lib.sh"
: "${SPGET:?SPGET must name the spget client}"
: "${UNIXSOCK:?UNIXSOCK must name the unixsock tool}"

CTL=$WORK/ctl.sock
F=notes
POST=2024-03-05-second-visit.gmi
SPARTAN_PORT=$(free_port)
start_zeche --spartan "127.0.0.1:$SPARTAN_PORT" --control "$CTL"
npages=$(sed -n 's/.*loaded .*: \([0-9]*\) pages.*/\1/p' "$LOG" | head -n 1)
[ -n "$npages" ] && [ "$npages" -gt 5 ] && ok "the start loads $npages pages" ||
    not_ok "the start loads pages" "$(tail -5 "$LOG")"

sp() { "$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1"; }
# taken: how many pages the last reload took over (RELOAD_LOG)
taken() {
	printf '%s\n' "$RELOAD_LOG" |
	    sed -n 's/.*reloaded .* \([0-9]*\) taken over of \([0-9]*\) pages.*/\1 \2/p' |
	    tail -n 1
}

# nothing changed: everything is taken over but partners.txt, whose
# directory is made anew (and a file written within a tenth of a second
# before the load that read it is read again once: the capsule was
# copied just before the start)
for i in $(seq 1 10); do
	reload "nothing changed"
	[ "$(taken)" = "$((npages - 1)) $npages" ] && break
done
expect_eq "nothing changed: every page taken over but partners.txt" \
    "$(taken)" "$((npages - 1)) $npages"

# one post edited: the others are taken over, the edit is served
printf '\nEin neuer Absatz am Ende.\n' >>"$ROOT/$F/$POST"
reload "a post edited"
set -- $(taken)
[ "${1:-0}" -gt 0 ] && [ "${1:-0}" -lt "${2:-0}" ] &&
    ok "a post edited: the rest taken over ($1 of $2)" ||
    not_ok "a post edited: the rest taken over" "$RELOAD_LOG"
expect_contains "a post edited: Gemini" "$(gem "gemini://$H/$F/$POST")" \
    "Ein neuer Absatz am Ende."
expect_contains "a post edited: Gopher" "$(gopher "0/$F/$POST")" \
    "Ein neuer Absatz am Ende."
expect_contains "a post edited: Spartan" "$(sp "/$F/$POST")" \
    "Ein neuer Absatz am Ende."

# a new post: on every protocol, in the listing and in both feeds
printf '# Dritter Besuch\n\nDas Rad stand still.\n' \
    >"$ROOT/$F/2025-01-02-third-visit.gmi"
reload "a post added"
expect_contains "a post added: Gemini" \
    "$(gem "gemini://$H/$F/2025-01-02-third-visit.gmi")" "Das Rad stand still."
expect_contains "a post added: Gopher" \
    "$(gopher "0/$F/2025-01-02-third-visit.gmi")" "Das Rad stand still."
expect_contains "a post added: Spartan" \
    "$(sp "/$F/2025-01-02-third-visit.gmi")" "Das Rad stand still."
expect_contains "a post added: in its folder's page" \
    "$(gem "gemini://$H/$F/")" "=> 2025-01-02-third-visit.gmi 2025-01-02 Dritter Besuch"
expect_contains "a post added: in the folder's Gopher menu" \
    "$(gopher "1/$F/")" "Dritter Besuch"
expect_contains "a post added: in atom.xml" "$(gem "gemini://$H/$F/atom.xml")" \
    "<title>Dritter Besuch</title>"
expect_contains "a post added: in feed.gmi" "$(gem "gemini://$H/$F/feed.gmi")" \
    "2025-01-02 Dritter Besuch"

# a page that links a post that goes: its Gopher menu offers it no more
printf '# Verweise\n\n=> /%s/2025-01-02-third-visit.gmi Der dritte\n' "$F" \
    >"$ROOT/links.gmi"
reload "a page that links the new post"
expect_contains "the link over Gopher, while the post is there" \
    "$(gopher "1/links.gmi")" "0Der dritte	/$F/2025-01-02-third-visit.gmi"
rm "$ROOT/$F/2025-01-02-third-visit.gmi"
reload "the post removed"
expect_not_contains "the post removed: the linking page rendered anew" \
    "$(gopher "1/links.gmi")" "0Der dritte	/$F/2025-01-02-third-visit.gmi"
expect_not_contains "the post removed: not in the folder's page" \
    "$(gem "gemini://$H/$F/")" "third-visit"
expect_not_contains "the post removed: not in atom.xml" \
    "$(gem "gemini://$H/$F/atom.xml")" "Dritter Besuch"
expect_eq "the post removed: not found" \
    "$(gem_header "gemini://$H/$F/2025-01-02-third-visit.gmi")" \
    "51 Nicht gefunden"

# --reload --full: nothing taken over, the log says it was asked
RL_OUT=$(timeout 60 "$ZECHE" --reload --full --control "$CTL" 2>&1)
expect_contains "--reload --full: nothing taken over" "$RL_OUT" \
    " 0 taken over of "
expect_log "--reload --full: logged as a full load" \
    "control: reloading $ROOT (a full load)"
expect_eq "an unknown command: refused, naming both" \
    "$("$UNIXSOCK" send "$CTL" 'reload half\n')" \
    "failed: unknown command (the commands are \"reload\" and \"reload full\")"

alive "the reloads"
stop_zeche
finish
