#!/bin/bash
# test_neutral.sh: the server's sources name no capsule.  The shipped
# forum's name, place and language live in capsule/ and contrib/zeche.conf;
# src/ carries English and German labels in msg.c and nothing else of it.
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

finish
