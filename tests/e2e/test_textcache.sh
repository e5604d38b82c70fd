# The Gopher texts rendered on request: kept in a cache whose bound is
# text_cache (8 MiB when unset), counted in the metrics (kept bytes and
# texts, the bound, hits and misses); a reload with text_cache 0 keeps
# nothing past its answers; a bound out of range fails with its line.
. "$(dirname "$0")/lib.sh"

GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
METRICS_PORT=$(free_port)
POST=notes/2024-03-05-second-visit.gmi

conf() {	# conf [DIRECTIVE]: zeche.conf, DIRECTIVE among the globals
	cat >"$WORK/zeche.conf" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
metrics 127.0.0.1:$METRICS_PORT
$1
host "$H" {
	root  capsule
	certs certs
	lang  de
	gopher on
}
CONF
}

# metric NAME: its value in a fresh scrape (empty if absent)
metric() {
	curl -s -f --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics" |
	    awk -v k="$1" 'index($0, k " ") == 1 { print $2 }'
}

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

conf "text_cache 0"
reload "text_cache 0"
expect_eq "a reload sets the bound" \
    "$(metric zeche_text_cache_limit_bytes)" 0
expect_eq "and lets go of what is over it" \
    "$(metric zeche_text_cache_texts)" 0
expect_eq "a text is still served" "$(gopher "0/$POST")" "$text"
expect_eq "but not kept" "$(metric zeche_text_cache_texts)" 0
expect_eq "rendered again" \
    "$(metric 'zeche_text_cache_requests_total{result="miss"}')" 2

conf "text_cache 2048M"
out=$("$ZECHE" --check --config "$WORK/zeche.conf" 2>&1)
expect_contains "a bound out of range: an error with its line" "$out" \
    "zeche.conf:4:"
expect_contains "... and the range" "$out" "expected a size from 0 to"
stop_zeche
finish
