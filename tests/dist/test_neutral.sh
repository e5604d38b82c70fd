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
# German text only in the message table
hits=$(grep -rnE 'Startseite|Seite %|Fehler|Beitr|Partnerverzeichnis|lang=de|lang=\\"de' \
    "$src" | grep -v "^$src/msg.c:")
[ -z "$hits" ] && ok "German labels only in src/msg.c" ||
    not_ok "German labels only in src/msg.c" "$hits"
grep -q 'lang[[:space:]]*"de"' "$ZECHE_SOURCE_DIR/contrib/zeche.conf" &&
    ok "contrib/zeche.conf sets lang \"de\"" ||
    not_ok "contrib/zeche.conf sets lang \"de\""
grep -q 'zeche --config contrib/zeche.conf' "$ZECHE_SOURCE_DIR/contrib/dev.sh" &&
    ok "dev.sh serve reads contrib/zeche.conf" ||
    not_ok "dev.sh serve reads contrib/zeche.conf"

finish
