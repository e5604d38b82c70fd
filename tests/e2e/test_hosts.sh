# Hosts and their certificates: two hosts and an alias, verified by a
# client that checks host names; generated certificates name the host and
# its aliases (no more), an alias added at a reload gets a certificate
# made anew; a session made for one host never resumes under another's
# name; one rule for the port of a URL with and without one; the log
# names every host with its certificate, and says why it reloads.
. "$(dirname "$0")/lib.sh"

CONF=$WORK/zeche.conf
GEMINI_PORT=$(free_port)
for h in alpha beta gamma; do
	mkdir -p "$WORK/$h"
	printf '# Host %s\n' "$h" >"$WORK/$h/index.gmi"
done
mkdir "$WORK/alpha/sub"
printf '# Sub\n' >"$WORK/alpha/sub/index.gmi"
# gamma's certificate made here, for gamma.test alone
mkdir -p "$WORK/own"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/own/gamma.key" -out "$WORK/own/gamma.crt" -days 30 \
    -subj /CN=gamma.test -addext subjectAltName=DNS:gamma.test 2>/dev/null

write_conf() {	# [beta's aliases...]
	local a
	{
		echo "gemini 127.0.0.1:$GEMINI_PORT"
		echo 'host "alpha.test" {'
		echo '	alias "www.alpha.test"'
		echo '	root  alpha'
		echo '	certs certs'
		echo '}'
		echo 'host "beta.test" {'
		for a in "$@"; do echo "	alias \"$a\""; done
		echo '	root  beta'
		echo '	certs certs'
		echo '}'
	} >"$CONF"
}
write_conf
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
if ! wait_serving 0; then
	not_ok "zeche --config starts and listens" "$(tail -20 "$LOG")"
	finish
fi

fp() {	# FILE: its SHA-256 fingerprint as zeche and gemget write it
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//'
}
spki() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin \
	    -outform DER | sha256sum | cut -d' ' -f1 | tr a-f A-F |
	    sed 's/../&:/g; s/:$//'
}
san() {
	openssl x509 -in "$1" -noout -ext subjectAltName | tail -n +2 |
	    sed 's/^ *//'
}
# get SNI URL [gemget options]: the answer, its lines joined by spaces
get() {
	local sni=$1 url=$2
	shift 2
	"$GEMGET" -s "$sni" "$@" 127.0.0.1 "$GEMINI_PORT" "$url" \
	    2>"$WORK/gemget.err" | tr -d '\r' | tr '\n' ' '
}
A=$CERTS/alpha.test.crt
B=$CERTS/beta.test.crt

# --- generated certificates: the host and its aliases, exactly
expect_eq "alpha's certificate names alpha and its alias, no more" \
    "$(san "$A")" "DNS:alpha.test, DNS:www.alpha.test"
expect_eq "beta's certificate names beta alone" "$(san "$B")" "DNS:beta.test"

# --- the start names every host, its certificate, both fingerprints
expect_log "start: alpha named with its alias" \
    "host alpha.test (alias www.alpha.test): loaded $WORK/alpha: 4 pages"
expect_log "start: beta named" "host beta.test: loaded $WORK/beta: 3 pages"
expect_log "start: alpha's certificate made, for its names" \
    "host alpha.test: certificate $A made for alpha.test, www.alpha.test"
expect_log "start: alpha's certificate fingerprint" \
    "host alpha.test: certificate $A: certificate SHA-256 $(fp "$A")"
expect_log "start: alpha's public key fingerprint" \
    "host alpha.test: certificate $A: public key (SPKI) SHA-256 $(spki "$A")"
expect_log "start: beta's certificate fingerprint" \
    "host beta.test: certificate $B: certificate SHA-256 $(fp "$B")"

# --- a client that checks host names: the alias verifies
expect_eq "verified: www.alpha.test, the alias" \
    "$(get www.alpha.test gemini://www.alpha.test/ -C "$A")" \
    "20 text/gemini # Host alpha "
expect_eq "verified: alpha.test" \
    "$(get alpha.test gemini://alpha.test/ -C "$A")" \
    "20 text/gemini # Host alpha "
expect_eq "verified: beta.test" \
    "$(get beta.test gemini://beta.test/ -C "$B")" "20 text/gemini # Host beta "
get www.beta.test gemini://beta.test/ -C "$B" >/dev/null
expect_contains "not verified: a name beta's certificate lacks" \
    "$(cat "$WORK/gemget.err")" "certificate verify failed"
out=$(openssl s_client -connect "127.0.0.1:$GEMINI_PORT" \
    -servername www.alpha.test -verify_hostname www.alpha.test \
    -CAfile "$A" -verify_return_error </dev/null 2>&1)
expect_contains "openssl s_client -verify_hostname www.alpha.test" "$out" \
    "Verify return code: 0 (ok)"

# --- sessions: each host resumes its own, never another's
for v in 1.3 1.2; do
	rm -f "$WORK/sess"
	get alpha.test gemini://alpha.test/ -m $v -R "$WORK/sess" >/dev/null
	expect_contains "TLS $v: the first connection to alpha: a new session" \
	    "$(cat "$WORK/gemget.err")" "session: new"
	expect_eq "TLS $v: alpha's session under alpha: alpha's page" \
	    "$(get alpha.test gemini://alpha.test/ -m $v -R "$WORK/sess")" \
	    "20 text/gemini # Host alpha "
	expect_contains "TLS $v: alpha's session under alpha: resumed" \
	    "$(cat "$WORK/gemget.err")" "session: resumed"
	expect_eq "TLS $v: alpha's session under beta: beta's page" \
	    "$(get beta.test gemini://beta.test/ -m $v -R "$WORK/sess")" \
	    "20 text/gemini # Host beta "
	expect_contains "TLS $v: alpha's session under beta: a full handshake" \
	    "$(cat "$WORK/gemget.err")" "session: new"
	expect_eq "TLS $v: beta's own session: beta's page" \
	    "$(get beta.test gemini://beta.test/ -m $v -R "$WORK/sess")" \
	    "20 text/gemini # Host beta "
	expect_contains "TLS $v: beta's own session: resumed" \
	    "$(cat "$WORK/gemget.err")" "session: resumed"
	expect_eq "TLS $v: beta's session under alpha's alias: alpha's page" \
	    "$(get www.alpha.test gemini://www.alpha.test/ -m $v \
	    -R "$WORK/sess")" "20 text/gemini # Host alpha "
	expect_contains "TLS $v: beta's session under alpha's alias: full" \
	    "$(cat "$WORK/gemget.err")" "session: new"
done

# --- the port: one rule for a URL with and without one
expect_eq "no port (1965): served on any listener" \
    "$(get alpha.test gemini://alpha.test/)" "20 text/gemini # Host alpha "
expect_eq "port 1965 written out: the same answer" \
    "$(get alpha.test gemini://alpha.test:1965/)" "20 text/gemini # Host alpha "
expect_eq "the listener's own port: served" \
    "$(get alpha.test "gemini://alpha.test:$GEMINI_PORT/")" \
    "20 text/gemini # Host alpha "
expect_eq "another port: 53" \
    "$(get alpha.test gemini://alpha.test:1966/ | cut -c1-2)" "53"

# --- a reload that adds an alias: beta's certificate is made anew,
# with the same key, and logged
fp_b=$(fp "$B")
spki_b=$(spki "$B")
write_conf gem.beta.test
reload "SIGHUP adding an alias to beta"
expect_contains "reload: started by SIGHUP, said so" "$RELOAD_LOG" \
    "SIGHUP: reloading $CONF"
expect_eq "alias added: beta's certificate names it" "$(san "$B")" \
    "DNS:beta.test, DNS:gem.beta.test"
expect_eq "alias added: the same key" "$(spki "$B")" "$spki_b"
expect_contains "alias added: the host logged with it" "$RELOAD_LOG" \
    "host beta.test (alias gem.beta.test): loaded"
expect_contains "alias added: the certificate made anew, logged" \
    "$RELOAD_LOG" \
    "host beta.test: certificate $B made anew for beta.test, gem.beta.test (the same key)"
expect_contains "alias added: its new fingerprint logged" "$RELOAD_LOG" \
    "host beta.test: certificate $B: certificate SHA-256 $(fp "$B")"
expect_not_contains "alias added: a new fingerprint" "$(fp "$B")" "$fp_b"
expect_eq "alias added: the new certificate served, and it verifies" \
    "$(get gem.beta.test gemini://gem.beta.test/ -C "$B")" \
    "20 text/gemini # Host beta "
expect_not_contains "alias added: alpha's certificate not logged again" \
    "$RELOAD_LOG" "host alpha.test: certificate"

# --- --check: each line once; a certificate that misses a name
check_out() {
	CHECK_OUT=$("$ZECHE" --check --config "$CONF" 2>&1)
	CHECK_RC=$?
}
check_out
expect_eq "--check: exit 0" "$CHECK_RC" 0
expect_eq "--check: no line twice" "$(printf '%s\n' "$CHECK_OUT" |
    sed 's/^[0-9TZ:-]* zeche: //' | sort | uniq -d)" ""
expect_eq "--check: alpha's fingerprint said once" \
    "$(printf '%s\n' "$CHECK_OUT" | grep -c "$(fp "$A")")" 1
expect_contains "--check: alpha's fingerprint" "$CHECK_OUT" \
    "alpha.test: OK, 4 pages in $WORK/alpha; certificate $A SHA-256 $(fp "$A")"
expect_contains "--check: alpha's public key" "$CHECK_OUT" \
    "alpha.test: certificate $A: public key (SPKI) SHA-256 $(spki "$A")"
cat >>"$CONF" <<CONF
host "gamma.test" {
	alias "www.gamma.test"
	root  gamma
	cert  own/gamma.crt
	key   own/gamma.key
}
CONF
check_out
expect_eq "own certificate missing an alias: still exit 0" "$CHECK_RC" 0
expect_contains "own certificate missing an alias: a warning" "$CHECK_OUT" \
    "gamma.test: warning: certificate $WORK/own/gamma.crt does not name the alias www.gamma.test"
write_conf gem.beta.test beta.example
check_out
expect_contains "generated certificate, an alias to come: it is made anew" \
    "$CHECK_OUT" \
    "beta.test: warning: certificate $B, made by zeche, does not name beta.example yet"
write_conf 'gem.beta.test,DNS:evil.example'
check_out
expect_eq "a host name with a \",\": refused" "$CHECK_RC" 1
expect_contains "a host name with a \",\": file, line and column" \
    "$CHECK_OUT" "$CONF:8:8: expected a host name"
write_conf gem.beta.test

# --- "public PORT": the port clients reach the listener at
sed -i "1s/\$/ public 11965/" "$CONF"
reload "SIGHUP giving the listener a public port"
expect_eq "public port: served" \
    "$(get alpha.test gemini://alpha.test:11965/)" "20 text/gemini # Host alpha "
expect_eq "public port: the listener's own still served" \
    "$(get alpha.test "gemini://alpha.test:$GEMINI_PORT/")" \
    "20 text/gemini # Host alpha "
expect_eq "public port: no port still served" \
    "$(get alpha.test gemini://alpha.test/)" "20 text/gemini # Host alpha "
expect_eq "public port: another port still 53" \
    "$(get alpha.test gemini://alpha.test:1966/ | cut -c1-2)" "53"
expect_eq "public port: a redirect names it" \
    "$(get alpha.test gemini://alpha.test/sub)" \
    "31 gemini://alpha.test:11965/sub/ "
stop_zeche

# --- --watch: on at the start; a reload it starts says so
before=$(serving)
"$ZECHE" --config "$CONF" --watch >>"$LOG" 2>&1 &
ZPID=$!
wait_serving "$before" || not_ok "zeche --watch starts" "$(tail -20 "$LOG")"
expect_log "--watch: said at the start" \
    "watch on: a change to $CONF or a capsule folder reloads"
printf '# Host beta, edited\n' >"$WORK/beta/index.gmi"
expect_log "--watch: the reload says what started it" \
    "--watch: files changed: reloading $CONF"

finish
