#!/bin/bash
# test_docs.sh: the documents a newcomer reads stay whole and short.
# Every file in src/ (each .c and .h) is named in src/README.md, every
# option zeche --help lists has its entry (an .It line) in zeche.8, and
# README.md stays at most 200 lines.
. "$(dirname "$0")/lib.sh"
: "${ZECHE:?ZECHE must name the built zeche}"

src=$ZECHE_SOURCE_DIR/src
arch=$src/README.md
if [ -f "$arch" ]; then
	missing=
	for f in "$src"/*.c "$src"/*.h; do
		name=$(basename "$f")
		grep -qF "\`$name\`" "$arch" || missing="$missing $name"
	done
	[ -z "$missing" ] && ok "every file in src/ is in src/README.md" ||
	    not_ok "every file in src/ is in src/README.md" \
	    "not named (as \`file\`):$missing"
else
	not_ok "src/README.md is there"
fi

man=$ZECHE_SOURCE_DIR/contrib/zeche.8
help=$("$ZECHE" --help 2>&1)
# The option column: at most six spaces before the first dash (the
# descriptions, which name options too, are indented further).
opts=$(printf '%s\n' "$help" | grep -E '^ {2,6}-' |
    grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z-]*' | tr -d ' ,' | sort -u)
[ -n "$opts" ] && ok "zeche --help lists options" ||
    not_ok "zeche --help lists options" "$help"
items=$(grep '^\.It ' "$man")
missing=
for o in $opts; do
	# "--log" is ".It Fl -log Ar file"; "-f" is ".It Fl f , ..."
	word=${o#-}
	printf '%s\n' "$items" | grep -qE "(^| )Fl $word( |$)" ||
	    missing="$missing $o"
done
[ -z "$missing" ] && ok "every option of zeche --help has an entry in zeche.8" ||
    not_ok "every option of zeche --help has an entry in zeche.8" \
    "no .It line for:$missing"

lines=$(wc -l < "$ZECHE_SOURCE_DIR/README.md")
[ "$lines" -le 200 ] && ok "README.md is at most 200 lines ($lines)" ||
    not_ok "README.md is at most 200 lines" "it has $lines"

finish
