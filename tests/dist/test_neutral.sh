#!/bin/bash
# test_neutral.sh: the server's sources name no capsule.  The shipped
# forum's name, place and language live in capsule/ and contrib/zeche.conf;
# src/ carries English and German labels in msg.c and nothing else of it.
# And the end-to-end tests other than those about the forum and its
# partner directory read the tests' own capsule (tests/data/neutral), so
# that editing a forum page breaks none of them.
. "$(dirname "$0")/lib.sh"

src=$ZECHE_SOURCE_DIR/src
for word in Themenforum Ruhr Zollverein Innovation; do
	hits=$(grep -rn "$word" "$src")
	[ -z "$hits" ] && ok "src/ does not name \"$word\"" ||
	    not_ok "src/ does not name \"$word\"" "$hits"
done
# German text, and the German words of generated addresses, only in the
# German message table of msg.c
german='Startseite|Seite %|Fehler|Beitr|Partnerverzeichnis|lang=de|lang=\\"de|[Ss]uche|[Ss]eite-'
hits=$(grep -rnE "$german" "$src" | grep -v "^$src/msg.c:")
hits+=$(awk -v re="$german" '
	/^static const struct msg_table[ \t]+de = / { de = 1 }
	!de && $0 ~ re { print FILENAME ":" FNR ": " $0 }
	de && /^} };/ { de = 0 }' "$src/msg.c")
[ -z "$hits" ] && ok "German labels and address words only in msg.c's German table" ||
    not_ok "German labels and address words only in msg.c's German table" "$hits"
grep -q 'lang[[:space:]]*"de"' "$ZECHE_SOURCE_DIR/contrib/zeche.conf" &&
    ok "contrib/zeche.conf sets lang \"de\"" ||
    not_ok "contrib/zeche.conf sets lang \"de\""
grep -q 'zeche --config contrib/zeche.conf' "$ZECHE_SOURCE_DIR/contrib/dev.sh" &&
    ok "dev.sh serve reads contrib/zeche.conf" ||
    not_ok "dev.sh serve reads contrib/zeche.conf"

# the tests about the forum and its directory: the only ones that read
# capsule/ (lib.sh copies it when a test says CAPSULE=capsule)
FORUM_TESTS="test_clients test_export test_partners test_reader test_umn_gopher"
# the forum's own words: its name, places, articles and partners.  The
# directory's generated labels ("Partnerverzeichnis", "Partner suchen",
# "Partner directory") come from src/msg.c and are no forum text.
FORUM_WORDS='Themenforum|Ruhr|Zollverein|Innovation|Roundtable|Tel Aviv|themenforum-17|Handwerkskammer|Partner'
LABELS='Partner(verzeichnis|suche| suchen| directory)'
e2e=$ZECHE_SOURCE_DIR/tests/e2e
for f in "$e2e"/test_*.sh; do
	t=$(basename "$f" .sh)
	case " $FORUM_TESTS " in *" $t "*) continue ;; esac
	hits=$(grep -nE 'CAPSULE=|ZECHE_SOURCE_DIR}?/capsule' "$f")
	[ -z "$hits" ] && ok "$t reads the tests' own capsule" ||
	    not_ok "$t reads the tests' own capsule, not capsule/ (or belongs in FORUM_TESTS)" "$hits"
	hits=$(grep -nE "$FORUM_WORDS" "$f" | sed -E "s/$LABELS//g" |
	    grep -E "$FORUM_WORDS")
	[ -z "$hits" ] && ok "$t asserts no forum text" ||
	    not_ok "$t asserts no forum text" "$hits"
done
for t in $FORUM_TESTS; do
	grep -qx 'CAPSULE=capsule' "$e2e/$t.sh" &&
	    ok "$t, about the forum, reads capsule/" ||
	    not_ok "$t, about the forum, reads capsule/ (CAPSULE=capsule)"
done
hits=$(grep -rnE "$FORUM_WORDS" "$ZECHE_SOURCE_DIR/tests/data/neutral")
[ -z "$hits" ] && ok "tests/data/neutral holds no forum text" ||
    not_ok "tests/data/neutral holds no forum text" "$hits"
grep -q 'CAPSULE:-tests/data/neutral' "$e2e/lib.sh" &&
    ok "lib.sh copies tests/data/neutral unless told otherwise" ||
    not_ok "lib.sh copies tests/data/neutral unless told otherwise"

finish
