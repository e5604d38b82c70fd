#!/bin/bash
# test_man.sh: the manual pages in contrib/ render with no groff or mdoc
# warning, through groff itself and through man -l as a reader sees them.
. "$(dirname "$0")/lib.sh"

for page in "$ZECHE_SOURCE_DIR"/contrib/*.[0-9]; do
	name=$(basename "$page")
	out=$(groff -ww -mandoc -z "$page" 2>&1)
	[ -z "$out" ] && ok "$name: groff -ww warns of nothing" ||
	    not_ok "$name: groff -ww warns of nothing" "$out"
	out=$(MANWIDTH=80 man --warnings=all -l "$page" 2>&1 >/dev/null)
	[ -z "$out" ] && ok "$name: man -l warns of nothing" ||
	    not_ok "$name: man -l warns of nothing" "$out"
	text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
	case "$text" in
	*DESCRIPTION*) ok "$name: renders a DESCRIPTION" ;;
	*) not_ok "$name: renders a DESCRIPTION" "$text" ;;
	esac
done
[ -f "$ZECHE_SOURCE_DIR/contrib/zeche.conf.5" ] &&
    ok "zeche.conf.5 is there" || not_ok "zeche.conf.5 is there"

finish
