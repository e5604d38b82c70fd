# --config --user: a host that a reload adds, with no certificate yet.
# The process is no longer root and Landlock keeps every certificate
# folder read-only, so it cannot make one: the reload fails, naming the
# host and what to do (restart zeche, which makes it as root, or put a
# certificate and its key there), and the hosts served go on.  Once the
# pair is there, the next reload serves the host with it.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "# not root, or no user nobody: --user is not tested"
	exit 77
fi
# LeakSanitizer needs /proc and ptrace at exit, which the sandbox takes away
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

chmod 755 "$WORK"
mkdir "$WORK/etc"
chmod 755 "$WORK/etc"
CONF=$WORK/etc/zeche.conf
printf 'host "%s" {\n\troot "%s"\n\tcerts "%s"\n\tlang de\n\tgopher on\n}\n' \
    "$H" "$ROOT" "$CERTS" >"$CONF"
start_zeche --config "$CONF" --user nobody
expect_eq "--config --user: the first host's certificate is made at the start" \
    "$(ls "$CERTS")" "localhost.crt
localhost.key"
fp_old=$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")

# a reload adds neu.example, in a folder of the start, with no pair yet
printf 'host "neu.example" {\n\troot "%s"\n\tcerts "%s"\n\tlang de\n}\n' \
    "$ROOT" "$CERTS" >>"$CONF"
reload "a new host without a certificate"
expect_contains "a new host without a certificate: the reload fails, naming the host and the remedies" \
    "$RELOAD_LOG" "host neu.example: no certificate $CERTS/neu.example.crt and key $CERTS/neu.example.key yet, and zeche, no longer root and confined (--user), cannot make them: restart zeche to make them, or put a certificate and its key there (or name them with cert and key) and reload"
expect_contains "a new host without a certificate: the old configuration stays" \
    "$RELOAD_LOG" "reload failed; still serving"
expect_eq "a new host without a certificate: none is made" \
    "$(ls "$CERTS")" "localhost.crt
localhost.key"
expect_eq "a new host without a certificate: the old host keeps its certificate" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp_old"
expect_eq "a new host without a certificate: it is not served" \
    "$(gem_header "gemini://neu.example/" -s neu.example)" \
    "53 Dieser Host wird hier nicht bedient"
alive "a reload that adds a host without a certificate"

# the operator puts a pair there: the next reload serves the host with it
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CERTS/neu.example.key" -out "$CERTS/neu.example.crt" \
    -days 30 -subj /CN=neu.example \
    -addext subjectAltName=DNS:neu.example 2>/dev/null
chown nobody "$CERTS/neu.example.key" "$CERTS/neu.example.crt"
fp_neu=$(openssl x509 -in "$CERTS/neu.example.crt" -noout -fingerprint \
    -sha256 | sed 's/.*=//')
reload "the new host's pair put there"
expect_contains "the pair put there: the reload succeeds" "$RELOAD_LOG" \
    "reloaded "
expect_eq "the pair put there: the new host is served" \
    "$(gem_header "gemini://neu.example/" -s neu.example)" \
    "20 text/gemini; lang=de"
expect_eq "the pair put there: with that certificate" \
    "$("$GEMGET" -f -s neu.example 127.0.0.1 "$GEMINI_PORT")" "$fp_neu"
alive "a reload that adds a host with its pair"
finish
