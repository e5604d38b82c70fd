#!/bin/bash
# test_layers.sh: the front-ends know neither TLS nor the event loop, and
# the per-address budget is pure.  Each file is run through the
# preprocessor (CC -M lists every header it reads, through other headers
# too), so a header that pulls OpenSSL or libevent in for one type is
# caught, not only a direct #include.
. "$(dirname "$0")/lib.sh"

src=$ZECHE_SOURCE_DIR/src
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "no C compiler ($cc): skipped"; exit 77; }

# headers FILE: every header FILE reads, one per line
headers() {
	"$cc" -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -DZECHE_VERSION='"0"' \
	    -I "$src" -M "$src/$1" | tr -s ' \\' '\n\n' | grep '\.h$'
}

for f in gemini.c gopher.c spartan.c; do
	if ! deps=$(headers "$f"); then
		not_ok "$f: preprocessed" "$deps"
		continue
	fi
	hits=$(printf '%s\n' "$deps" | grep -E '/(openssl|event2)/' | head -5)
	[ -z "$hits" ] && ok "$f reads no OpenSSL or libevent header" ||
	    not_ok "$f reads no OpenSSL or libevent header" "$hits"
done
if deps=$(headers budget.c); then
	hits=$(printf '%s\n' "$deps" |
	    grep -E '/(openssl|event2)/|/src/(log|net|zeche)\.h$')
	what="budget.c reads no OpenSSL, libevent, log or net header"
	[ -z "$hits" ] && ok "$what" || not_ok "$what" "$hits"
else
	not_ok "budget.c: preprocessed" "$deps"
fi

finish
