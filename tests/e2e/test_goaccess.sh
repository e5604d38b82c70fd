# log_style combined: GoAccess (Debian's, as it is, with --num-tests=0
# for zeche's own lines before the first request) reads zeche's log and
# counts exactly the requests made: in all, per status (Gemini's as the
# HTTP status of the same meaning) and per URL.
. "$(dirname "$0")/lib.sh"
: "${SPGET:?SPGET must name the spget client}"

if ! command -v goaccess >/dev/null; then
	echo "goaccess not found (Debian package goaccess)"
	exit 77
fi

GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
ALOG=$WORK/access.log
cat >"$WORK/zeche.conf" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT
log "$ALOG"
log_style combined
log_ip full
$(host_block)
CONF
"$ZECHE" --config "$WORK/zeche.conf" >>"$LOG" 2>&1 &
ZPID=$!
wait_serving 0 "$ALOG" ||
    { not_ok "zeche starts" "$(tail -20 "$LOG" "$ALOG")"; finish; }

times() {
	local n=$1 i
	shift
	for i in $(seq 1 "$n"); do "$@" >/dev/null 2>&1; done
}
times 5 "$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/"
times 3 "$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/nope"
times 2 "$GEMGET" 127.0.0.1 "$GEMINI_PORT" "https://$H/"	# 53
times 1 "$GEMGET" 127.0.0.1 "$GEMINI_PORT" "gemini://$H/a b"	# 59
gopher_req() {
	printf '%s\r\n' "$1" | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT"
}
times 4 gopher_req ""
times 2 gopher_req "/nope"
times 3 "$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" /
# and one TLS handshake that fails: no request, so no access line
printf 'garbage\r\n' | "$GEMGET" -t 127.0.0.1 "$GEMINI_PORT" >/dev/null 2>&1
stop_zeche

lines=$(grep -c '" [0-9][0-9][0-9] [0-9]* "-" "-"$' "$ALOG")
expect_eq "one combined line per request" "$lines" 20
expect_contains "a line as GoAccess reads it" "$(cat "$ALOG")" \
    "127.0.0.1 - - ["
expect_contains "the request field" "$(cat "$ALOG")" \
    "\"GET gemini://$H/nope HTTP/1.0\" 404 "

goaccess "$ALOG" --log-format=COMBINED --num-tests=0 -o "$WORK/report.csv" \
    >"$WORK/goaccess.out" 2>&1 ||
    not_ok "goaccess reads the log" "$(cat "$WORK/goaccess.out")"
tr -d '\r' <"$WORK/report.csv" >"$WORK/report.txt"
# general NAME: a number of the report's "general" section
general() {
	awk -F, -v k="\"$1\"" '$3 == "\"general\"" && $NF == k {
	    gsub(/"/, "", $(NF - 1)); print $(NF - 1) }' "$WORK/report.txt"
}
# hits MODULE TEXT: the hits of the item of MODULE (a sub-item for
# status_codes) whose text is TEXT, or starts with it followed by " - "
hits() {
	awk -F, -v m="\"$1\"" -v t="$2" '$3 == m && $2 != "" || $3 == m &&
	    m != "\"status_codes\"" {
		v = $NF; gsub(/"/, "", v); h = $4; gsub(/"/, "", h)
		if (v == t || index(v, t " - ") == 1) print h
	    }' "$WORK/report.txt" | sed -n 1p
}
expect_eq "GoAccess: valid requests" "$(general valid_requests)" 20
expect_eq "GoAccess: 200 (Gemini 20, Gopher, Spartan 2)" \
    "$(hits status_codes 200)" 12
expect_eq "GoAccess: 404 (Gemini 51, Gopher errors)" \
    "$(hits status_codes 404)" 5
expect_eq "GoAccess: 421 (Gemini 53)" "$(hits status_codes 421)" 2
expect_eq "GoAccess: 400 (Gemini 59)" "$(hits status_codes 400)" 1
expect_eq "GoAccess: no other status class" \
    "$(grep -c ',,"status_codes",' "$WORK/report.txt")" 2
expect_eq "GoAccess: the Gemini home page" \
    "$(hits requests "gemini://$H/")" 5
expect_eq "GoAccess: the Spartan home page" \
    "$(hits requests "spartan://$H/")" 3
expect_eq "GoAccess: the Gopher root" "$(hits requests /)" 4
expect_eq "GoAccess: not found, Gemini" \
    "$(hits not_found "gemini://$H/nope")" 3
expect_eq "GoAccess: not found, Gopher" "$(hits not_found /nope)" 2
finish
