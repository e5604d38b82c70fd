# --config: the file's hosts, languages and listeners, options on top of
# it, --check with fingerprints, and each kind of error with its line and
# column.
. "$(dirname "$0")/lib.sh"

CONF=$WORK/zeche.conf

# start_conf [options...]: zeche --config $CONF on the ports in the file
start_conf() {
	local before
	before=$(serving)
	"$ZECHE" --config "$CONF" "$@" >>"$LOG" 2>&1 &
	ZPID=$!
	if ! wait_serving "$before"; then
		not_ok "zeche --config starts and listens" "$(tail -20 "$LOG")"
		finish
	fi
}

# check_conf: zeche --check --config $CONF; CHECK_OUT, CHECK_RC
check_conf() {
	CHECK_OUT=$("$ZECHE" --check --config "$CONF" 2>&1)
	CHECK_RC=$?
}

# expect_conf_error NAME WANT: --check fails, naming file:line:col
expect_conf_error() {
	check_conf
	if [ "$CHECK_RC" -eq 1 ]; then ok "$1: exit 1"; else
		not_ok "$1: exit 1" "status $CHECK_RC: $CHECK_OUT"
	fi
	expect_contains "$1: message" "$CHECK_OUT" "$CONF:$2"
}

GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
while [ "$GOPHER_PORT" = "$GEMINI_PORT" ]; do GOPHER_PORT=$(free_port); done

# --- errors, each with its line and column
printf 'gemini 127.0.0.1:%s\nlisten 1965\n' "$GEMINI_PORT" >"$CONF"
expect_conf_error "unknown directive" '2:1: unknown directive "listen"'

printf 'gemini  *:19x5\nhost a {\n root capsule\n certs certs\n}\n' >"$CONF"
expect_conf_error "bad port" "1:11: expected a port number"

printf 'host a {\n\tcerts certs\n}\n' >"$CONF"
expect_conf_error "host without a capsule" \
    '3:1: expected "root" in host "a" (line 1)'

printf 'host a {\n root capsule\n certs certs\n}\nhost "A." {\n root capsule\n certs certs\n}\n' >"$CONF"
expect_conf_error "duplicate host" '5:6: duplicate host "a" (first on line 1)'

printf 'host a {\n root capsule\n certs certs\n alias b\n}\nhost b {\n root capsule\n certs certs\n}\n' >"$CONF"
expect_conf_error "two hosts with one name" '6:6: two hosts named "b"'

printf 'host a {\n root capsule\n certs certs\n lang "de de"\n}\n' >"$CONF"
expect_conf_error "bad language tag" '4:7: expected a language tag'

printf 'host a {\n root capsule\n certs certs\n' >"$CONF"
expect_conf_error "unclosed block" '4:1: expected "}" to end host "a"'

printf 'host a {\n root nichts\n certs certs\n}\n' >"$CONF"
check_conf
expect_eq "missing capsule folder: exit 1" "$CHECK_RC" 1
expect_contains "missing capsule folder: named" "$CHECK_OUT" "$WORK/nichts"

out=$("$ZECHE" --check --config "$WORK/keine.conf" 2>&1)
expect_eq "missing file: exit 1" "$?" 1
expect_contains "missing file: named" "$out" "$WORK/keine.conf"

# --- two hosts, two certificates: one generated in a certs folder, one
# made here with openssl and named by cert and key
mkdir -p "$WORK/b" "$WORK/own"
printf '# Other host\n' >"$WORK/b/index.gmi"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/own/b.key" -out "$WORK/own/b.crt" -days 30 \
    -subj /CN=b.example -addext subjectAltName=DNS:b.example 2>/dev/null
fp_b=$(openssl x509 -in "$WORK/own/b.crt" -noout -fingerprint -sha256 |
    sed 's/.*=//')
cat >"$CONF" <<CONF
# relative paths: to this file's folder
gemini  127.0.0.1:1
gopher  127.0.0.1:$GOPHER_PORT
timeout 10

host "localhost" {
	root        capsule
	certs       "certs"
	lang        "de"
	description "Field notes – a test host"
	gopher      on
}
host "b.example" {
	root "b"
	cert "own/b.crt"
	key  "own/b.key"
}
CONF
check_conf
expect_eq "--check: exit 0" "$CHECK_RC" 0
expect_contains "--check: the second host's fingerprint" "$CHECK_OUT" \
    "b.example: OK, 3 pages in $WORK/b; certificate $WORK/own/b.crt SHA-256 $fp_b"
expect_contains "--check: a certificate still to be made" "$CHECK_OUT" \
    "localhost: OK, 18 pages in $WORK/capsule; no certificate in $WORK/certs yet"
expect_eq "--check makes no certificate" "$(ls "$CERTS" 2>/dev/null)" ""

# --- serving: the options override the file's gemini listener
start_conf --gemini "127.0.0.1:$GEMINI_PORT"
expect_eq "German host: lang=de" "$(gem_header "gemini://localhost/")" \
    "20 text/gemini; lang=de"
expect_eq "German host: 51 in German" \
    "$(gem_header "gemini://localhost/nichts.gmi")" "51 Nicht gefunden"
expect_contains "German host: generated labels" \
    "$(gem "gemini://localhost/list/")" "# Partnerverzeichnis"
expect_contains "German host: Gopher error item" "$(gopher /nichts)" \
    "3Fehler: nicht gefunden"
robots=$(gem "gemini://localhost/robots.txt")
expect_contains "German host: robots.txt in German" "$robots" \
    "# Archive sind überall willkommen."
expect_contains "German host: robots.txt keeps indexers out of the search" \
    "$robots" $'User-agent: indexer\nDisallow: /list/suche\nDisallow: /list/seite-\n'
expect_contains "German host: and researchers out of the list pages" \
    "$robots" $'User-agent: researcher\nDisallow: /list/suche\nDisallow: /list/seite-\nDisallow: /list/0-9/seite-\n'
expect_not_contains "German host: robots.txt names no English address" \
    "$robots" "Disallow: /list/search"
expect_contains "caps.txt: the host's description" "$(gopher /caps.txt)" \
    "ServerDescription=Field notes – a test host"
expect_contains "Atom feed: the description as subtitle" \
    "$(gem "gemini://localhost/notes/atom.xml")" \
    "<subtitle>Field notes – a test host</subtitle>"
expect_contains "Atom feed: the description as author, not the host" \
    "$(gem "gemini://localhost/notes/atom.xml")" \
    "<author>
    <name>Field notes – a test host</name>"
expect_contains "Atom feed: xml:lang from the host's language" \
    "$(gem "gemini://localhost/notes/atom.xml")" \
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">'
expect_eq "the certificate was generated in the certs folder" \
    "$(ls "$CERTS")" "$(printf 'localhost.crt\nlocalhost.key')"
fp_a=$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")
check_conf
expect_contains "--check: the generated certificate's fingerprint" \
    "$CHECK_OUT" "localhost: OK, 18 pages in $WORK/capsule; certificate $CERTS/localhost.crt SHA-256 $fp_a"
stop_zeche

# --- no lang: no lang parameter, English labels
cat >"$CONF" <<CONF
gemini  127.0.0.1:$GEMINI_PORT
gopher  127.0.0.1:$GOPHER_PORT
host "localhost" {
	root        capsule
	certs       certs
	gopher      on
}
CONF
start_conf
expect_eq "no lang: no lang parameter" "$(gem_header "gemini://localhost/")" \
    "20 text/gemini"
expect_eq "no lang: 51 in English" \
    "$(gem_header "gemini://localhost/nichts.gmi")" "51 Not found"
p=$(gem "gemini://localhost/list/")
expect_contains "no lang: English partner directory" "$p" "# Partner directory"
expect_contains "no lang: English count" "$p" "
9 entries
"
expect_eq "no lang: English search prompt" \
    "$(gem_header "gemini://localhost/list/search")" \
    "10 Enter a search term (a name or part of one)"
expect_contains "no lang: English article list" \
    "$(gem "gemini://localhost/notes/")" "## Articles"
expect_contains "no lang: English Gopher error" "$(gopher /nichts)" \
    "3Error: not found"
expect_not_contains "no lang: no description in caps.txt" \
    "$(gopher /caps.txt)" "ServerDescription"
robots=$(gem "gemini://localhost/robots.txt")
expect_contains "no lang: English robots.txt" "$robots" "generated by zeche"
expect_contains "no lang: robots.txt keeps indexers out of the search" \
    "$robots" $'User-agent: indexer\nDisallow: /list/search\nDisallow: /list/page-\n'
expect_contains "no lang: robots.txt, a-e's list pages" "$robots" \
    $'Disallow: /list/a-e/page-\n'
expect_contains "no lang: web proxies stay out" "$robots" \
    $'User-agent: webproxy\nDisallow: /\n'
expect_not_contains "no lang: robots.txt names no German address" \
    "$robots" "Disallow: /list/suche"
alive_en() {
	[ "$(gem_header "gemini://localhost/")" = "20 text/gemini" ] &&
	    ok "still serving after: $1" || not_ok "still serving after: $1"
}
alive_en "the English host"

# --lang on the command line overrides the file
stop_zeche
start_conf --lang de
expect_eq "--lang overrides the file" "$(gem_header "gemini://localhost/")" \
    "20 text/gemini; lang=de"
stop_zeche

# --- one bound on listeners, all protocols together: 16.  At the bound
# zeche starts and serves on each, with "*" (IPv4 and IPv6, two sockets a
# worker) among them; one more is an error --check names.
ports=()
while [ "${#ports[@]}" -lt 17 ]; do
	p=$(free_port)
	case " ${ports[*]} " in *" $p "*) continue ;; esac
	ports+=("$p")
done
{
	for i in 0 1 2 3 4 5; do echo "gemini *:${ports[$i]}"; done
	for i in 6 7 8 9 10 11 12 13 14 15; do
		echo "gopher 127.0.0.1:${ports[$i]}"
	done
	printf 'host "localhost" {\n\troot "%s"\n\tcerts "%s"\n\tgopher on\n}\n' \
	    "$ROOT" "$CERTS"
} >"$CONF"
check_conf
expect_eq "16 listeners, six on \"*\": --check says yes" "$CHECK_RC" 0
start_conf
GEMINI_PORT=${ports[5]}
GOPHER_PORT=${ports[15]}
expect_eq "16 listeners: the last Gemini one serves" \
    "$(gem_header "gemini://localhost/")" "20 text/gemini"
expect_contains "16 listeners: the last Gopher one serves" "$(gopher "")" \
    "Neutral test capsule"
stop_zeche
sed -i "16a gopher 127.0.0.1:${ports[16]}" "$CONF"
expect_conf_error "17 listeners" "17:8: expected at most 16 listeners in all"

finish
