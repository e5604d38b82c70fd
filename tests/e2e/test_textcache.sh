# The Gopher texts and the Atom feeds rendered on request: the feed's
# bytes over Gemini, Gopher and Spartan are those --export renders at
# load; kept in a cache whose bound is
# text_cache (8 MiB when unset), counted in the metrics (kept bytes and
# texts, the bound, hits and misses); a reload with text_cache 0 keeps
# nothing past its answers; a bound out of range fails with its line.
. "$(dirname "$0")/lib.sh"

GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
METRICS_PORT=$(free_port)
POST=notes/2024-03-05-second-visit.gmi

conf() {	# conf [DIRECTIVE]: zeche.conf, DIRECTIVE among the globals
	cat >"$WORK/zeche.conf" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT
metrics 127.0.0.1:$METRICS_PORT
$1
$(host_block)
CONF
}

# metric NAME: its value in a fresh scrape (empty if absent)
metric() {
	curl -s -f --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics" |
	    awk -v k="$1" 'index($0, k " ") == 1 { print $2 }'
}

# a folder of 300 posts: its Gopher menu is over 16 KiB
mkdir "$ROOT/big"
for i in $(seq 100 399); do
	printf '# Post %s\n\nText %s.\n' "$i" "$i" \
	    >"$ROOT/big/2023-05-01-post-$i.gmi"
done

conf ""
before=$(serving)
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || { not_ok "zeche starts" "$(tail -20 "$LOG")"; finish; }

expect_eq "the bound unset: 8 MiB" \
    "$(metric zeche_text_cache_limit_bytes)" 8388608
expect_eq "nothing kept before a request" "$(metric zeche_text_cache_texts)" 0
text=$(gopher "0/$POST")
expect_contains "a post's Gopher text, rendered on request" "$text" \
    "Second visit"
expect_eq "the same text again" "$(gopher "0/$POST")" "$text"
expect_eq "kept: one text" "$(metric zeche_text_cache_texts)" 1
expect_eq "its bytes" "$(metric zeche_text_cache_bytes)" \
    "$(gopher "0/$POST" | wc -c)"
expect_eq "rendered once (a miss)" \
    "$(metric 'zeche_text_cache_requests_total{result="miss"}')" 1
expect_eq "then found (hits)" \
    "$(metric 'zeche_text_cache_requests_total{result="hit"}')" 2

# the Atom feed: made on its first request, whichever protocol asks
"$ZECHE" --config "$WORK/zeche.conf" --export "$WORK/exp" \
    >"$WORK/export.out" 2>&1
expect_eq "--export renders the feed at load" "$?" 0
gem_to "$WORK/atom.gem" "gemini://$H/notes/atom.xml"
expect_eq "atom.xml over Gemini: its head" \
    "$(head -n 1 "$WORK/atom.gem")" $'20 application/atom+xml\r'
tail -n +2 "$WORK/atom.gem" >"$WORK/atom.gemini"
expect_file_eq "atom.xml over Gemini: the bytes rendered at load" \
    "$WORK/atom.gemini" "$WORK/exp/gemini/notes/atom.xml"
expect_contains "... the newest post's entry with its summary" \
    "$(cat "$WORK/atom.gemini")" "second-visit.gmi\"/>
    <summary>On 5 March 2024 the wheel turned again."
expect_eq "made once: one more text kept" \
    "$(metric zeche_text_cache_texts)" 2
expect_eq "... one more miss" \
    "$(metric 'zeche_text_cache_requests_total{result="miss"}')" 2
gopher "0/notes/atom.xml" >"$WORK/atom.gopher"
expect_file_eq "atom.xml over Gopher: the same bytes" \
    "$WORK/atom.gopher" "$WORK/exp/gemini/notes/atom.xml"
"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" /notes/atom.xml \
    >"$WORK/atom.sp" 2>/dev/null
tail -n +2 "$WORK/atom.sp" >"$WORK/atom.spartan"
expect_file_eq "atom.xml over Spartan: the same bytes" \
    "$WORK/atom.spartan" "$WORK/exp/gemini/notes/atom.xml"
expect_eq "Gopher and Spartan found it in the cache" \
    "$(metric 'zeche_text_cache_requests_total{result="hit"}')" 4
expect_eq "its bytes counted" "$(metric zeche_text_cache_bytes)" \
    "$(( $(wc -c <"$WORK/atom.gemini") + $(gopher "0/$POST" | wc -c) ))"
plus=$(printf '/notes/atom.xml\t!\r\n' |
    "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT" | tr -d '\r')
expect_contains "Gopher+ attributes: the feed's size" "$plus" \
    "application/atom+xml: <$(( ($(wc -c <"$WORK/atom.gemini") + 1023) / 1024 ))k>"

# a big folder's Gopher menu is made on request too; a small one, the
# home page's, is kept from the load
texts=$(metric zeche_text_cache_texts)
expect_contains "the home menu" "$(gopher "1/")" "notes/"
expect_eq "... kept from the load, not in the cache" \
    "$(metric zeche_text_cache_texts)" "$texts"
menu=$(gopher "1/big/")
expect_eq "the big folder's menu lists its 300 posts" \
    "$(grep -c '^02023-05-01 Post [1-3][0-9][0-9]'$'\t''/big/2023-05-01-post-' \
    <<<"$menu")" 300
expect_eq "... its bytes over 16 KiB" "$([ ${#menu} -gt 16384 ] && echo y)" y
expect_eq "... made on request: one more text kept" \
    "$(metric zeche_text_cache_texts)" "$(( texts + 1 ))"
hits=$(metric 'zeche_text_cache_requests_total{result="hit"}')
plus=$(printf '/big/\t$\r\n' | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT" |
    tr -d '\r')
expect_contains "Gopher+ \$: the big menu's items" "$plus" \
    "+INFO: 02023-05-01 Post 399"$'\t'"/big/2023-05-01-post-399.gmi"
expect_eq "... found in the cache" \
    "$(metric 'zeche_text_cache_requests_total{result="hit"}')" \
    "$(( hits + 1 ))"

conf "text_cache 0"
reload "text_cache 0"
expect_eq "a reload sets the bound" \
    "$(metric zeche_text_cache_limit_bytes)" 0
expect_eq "and lets go of what is over it" \
    "$(metric zeche_text_cache_texts)" 0
expect_eq "a text is still served" "$(gopher "0/$POST")" "$text"
expect_eq "but not kept" "$(metric zeche_text_cache_texts)" 0
expect_eq "rendered again" \
    "$(metric 'zeche_text_cache_requests_total{result="miss"}')" 4

conf "text_cache 2048M"
out=$("$ZECHE" --check --config "$WORK/zeche.conf" 2>&1)
expect_contains "a bound out of range: an error with its line" "$out" \
    "zeche.conf:5:"
expect_contains "... and the range" "$out" "expected a size from 0 to"
stop_zeche
finish
