# Titan under a writers list: a certificate in the list writes without
# the token; one outside it gets 61 (its fingerprint in the log line), no
# certificate 60, an expired one in the list 62; the token still opens it
# to a client without a certificate; a certificate in the deny list is
# refused even with the token; ;edit follows the same rule; a folder with
# a writers list and no token takes no anonymous upload; the metrics
# count each under the protocol titan.
. "$(dirname "$0")/lib.sh"

CONF=$WORK/zeche.conf
GEMINI_PORT=$(free_port)
METRICS_PORT=$(free_port)
while [ "$METRICS_PORT" = "$GEMINI_PORT" ]; do METRICS_PORT=$(free_port); done
TOKEN=t0ken
mkdir -p "$CERTS"

# the client certificates (lib.sh), one of them expired
mkcert ada
mkcert eve
mkcert mal
mkcert_expired old
[ -s "$WORK/old.crt" ] || echo "# the expired certificate was not made"

{ echo "$(fp ada)  # Ada"; echo "$(fp old)  # an old one"
  echo "$(fp mal)  # listed, but denied"; } >"$WORK/writers.txt"
echo "$(fp mal)" >"$WORK/deny.txt"
mkdir -p "$ROOT/team" "$ROOT/closed"
printf '# Team\n\nAlt.\n' >"$ROOT/team/page.gmi"
printf '# Zu\n\nAlt.\n' >"$ROOT/closed/page.gmi"
cat >"$CONF" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
metrics 127.0.0.1:$METRICS_PORT
timeout 3
host $H {
	root "$ROOT"
	certs "$CERTS"
	history "$WORK/history"
	location "/team/" {
		titan on
		token "$TOKEN"
		writers "writers.txt"
		deny "deny.txt"
	}
	location "/closed/" {
		titan on
		writers "writers.txt"
	}
}
CONF
before=$(serving)
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
if ! wait_serving "$before"; then
	not_ok "zeche --config starts and listens" "$(tail -20 "$LOG")"
	finish
fi

# up PATH BODY [gemget options]: upload BODY to PATH, the answer's header
up() {
	local path=$1 body=$2
	shift 2
	{ printf 'titan://%s%s;mime=text/gemini;size=%s\r\n' "$H" "$path" \
	    "$(printf "$body" | wc -c)"; printf "$body"; } |
	    "$GEMGET" -s "$H" "$@" 127.0.0.1 "$GEMINI_PORT" \
	    2>"$WORK/gemget.err" | head -n 1 | tr -d '\r'
}

expect_contains "a writer's certificate uploads without the token" \
    "$(up /team/page.gmi '# Team\n\nVon Ada.\n' -a "$WORK/ada.pem")" "30 "
expect_eq "the file is Ada's" "$(cat "$ROOT/team/page.gmi")" \
    "$(printf '# Team\n\nVon Ada.\n')"
expect_log "the log line names Ada's fingerprint" \
    "path /team/page.gmi size $(printf '# Team\n\nVon Ada.\n' | wc -c) type text/gemini fingerprint $(fp ada): write 30"
expect_contains "a certificate outside the list: 61" \
    "$(up /team/page.gmi '# Team\n\nVon Eve.\n' -a "$WORK/eve.pem")" "61 "
expect_log "the refusal names its fingerprint" \
    "fingerprint $(fp eve): write 61"
expect_contains "no certificate, no token: 60" \
    "$(up /team/page.gmi '# Team\n\nAnonym.\n')" "60 "
expect_contains "an expired certificate in the list: 62" \
    "$(up /team/page.gmi '# Team\n\nAlt.\n' -a "$WORK/old.pem")" "62 "
expect_contains "a denied certificate is refused, listed or not: 61" \
    "$(up "/team/page.gmi;token=$TOKEN" '# Team\n\nMal.\n' \
    -a "$WORK/mal.pem")" "61 "
expect_eq "nothing refused changed the file" "$(cat "$ROOT/team/page.gmi")" \
    "$(printf '# Team\n\nVon Ada.\n')"
expect_contains "no certificate but the token: 30" \
    "$(up "/team/page.gmi;token=$TOKEN" '# Team\n\nMit Token.\n')" "30 "
expect_eq "the token's upload is in" "$(cat "$ROOT/team/page.gmi")" \
    "$(printf '# Team\n\nMit Token.\n')"
expect_contains "a writers list without a token: no certificate, 60" \
    "$(up "/closed/page.gmi;token=$TOKEN" '# Zu\n\nX.\n')" "60 "
expect_contains "... and a writer uploads" \
    "$(up /closed/page.gmi '# Zu\n\nVon Ada.\n' -a "$WORK/ada.pem")" "30 "
expect_contains ";edit for a writer: the source" \
    "$(gem "titan://$H/closed/page.gmi;edit" -s "$H" -a "$WORK/ada.pem")" \
    "Von Ada."
expect_contains ";edit for another certificate: 61" \
    "$(gem_header "titan://$H/closed/page.gmi;edit" -s "$H" \
    -a "$WORK/eve.pem")" "61 "
# the metrics count Titan requests under their own protocol, by status
M=$(curl -s --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics")
for want in 30:3 61:3 60:2 62:1 20:1; do
	expect_contains "metrics: Titan status ${want%:*} counted ${want#*:} times" \
	    "$M" "zeche_requests_total{host=\"$H\",proto=\"titan\",status=\"${want%:*}\"} ${want#*:}"
done
expect_contains "still serving after the uploads" \
    "$(gem "gemini://$H/team/page.gmi" -s "$H")" "Mit Token."
finish
