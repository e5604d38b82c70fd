# The generated certificate: made once, kept, and reused on every start.
. "$(dirname "$0")/lib.sh"

start_zeche
crt=$CERTS/$H.crt
key=$CERTS/$H.key
expect_eq "certificate generated" "$(test -s "$crt" && echo yes)" yes
expect_eq "key generated with mode 0600" "$(stat -c %a "$key")" 600
text=$(openssl x509 -in "$crt" -noout -text)
expect_contains "ECDSA P-256" "$text" "NIST CURVE: P-256"
expect_contains "subject is the host" "$text" "Subject: CN = $H"
expect_contains "SAN is the host" "$text" "DNS:$H"
expect_contains "long validity" "$text" "Not After : Dec 31 23:59:59 9999 GMT"
fp1=$(openssl x509 -in "$crt" -noout -fingerprint -sha256 | cut -d= -f2)
expect_eq "the server presents that certificate" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp1"
expect_log "its fingerprint is logged at start, named" \
    "$H.crt: certificate SHA-256 $fp1"
spki=$(openssl x509 -in "$crt" -noout -pubkey | openssl pkey -pubin \
    -outform DER | sha256sum | cut -d' ' -f1 | tr a-f A-F | sed 's/../&:/g; s/:$//')
expect_log "the public key's (SPKI) fingerprint too, named" \
    "$H.crt: public key (SPKI) SHA-256 $spki"
out=$("$ZECHE" --check --root "$ROOT" --certs "$CERTS" --host "$H" 2>&1)
expect_contains "--check names both fingerprints" "$out" \
    "certificate SHA-256 $fp1"
expect_contains "--check: SPKI" "$out" "public key (SPKI) SHA-256 $spki"
cp "$crt" "$WORK/crt1"
cp "$key" "$WORK/key1"
stop_zeche

start_zeche
expect_file_eq "a second start reuses the certificate" "$crt" "$WORK/crt1"
expect_file_eq "a second start reuses the key" "$key" "$WORK/key1"
expect_contains "the key kept is a key" "$(cat "$key")" "PRIVATE KEY-----"
expect_eq "and presents the same fingerprint" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp1"

# SIGHUP reads a renewed pair; one whose key does not fit is refused
# and the old pair stays served
new_pair() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1.key" -out "$1.crt" -subj "/CN=$H" -days 30 2>/dev/null
}
new_pair "$WORK/renewed"
fp3=$(openssl x509 -in "$WORK/renewed.crt" -noout -fingerprint -sha256 |
    cut -d= -f2)
new_pair "$WORK/other"
cp "$WORK/renewed.crt" "$crt.new" && mv "$crt.new" "$crt"
cp "$WORK/other.key" "$key.new" && mv "$key.new" "$key"
reload "a renewed certificate with a key that does not fit"
expect_contains "a key that does not fit: the reload fails, naming it" \
    "$RELOAD_LOG" "$key:"
expect_eq "a key that does not fit: the old certificate is still served" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp1"
cp "$WORK/renewed.key" "$key.new" && mv "$key.new" "$key"
reload "a renewed certificate"
expect_contains "a renewed certificate: reloaded" "$RELOAD_LOG" \
    "reloaded"
expect_eq "a renewed certificate: served after SIGHUP" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp3"
reload "nothing changed"
expect_eq "a reload with the same files: the same certificate" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp3"
stop_zeche
cp "$WORK/crt1" "$crt"
cp "$WORK/key1" "$key"

# a certificate without its key is an error, not a silent regeneration
mv "$key" "$WORK/key.bak"
out=$("$ZECHE" --root "$ROOT" --certs "$CERTS" --host "$H" \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "missing key: exit 1" "$?" 1
expect_contains "missing key: says which file" "$out" "$H.key"
mv "$WORK/key.bak" "$key"

# a missing parent of the certs folder is made, mode 0700
CERTS_SAVE=$CERTS
CERTS=$WORK/new/parent/certs
start_zeche
expect_eq "missing parents of --certs: made" "$(test -s "$CERTS/$H.crt" && echo yes)" yes
expect_eq "missing parents of --certs: mode 0700" "$(stat -c %a "$WORK/new/parent")" 700
stop_zeche
CERTS=$CERTS_SAVE

# another --host gets a certificate of its own
H=zeche.test
start_zeche
expect_contains "a certificate per host name" \
    "$(openssl x509 -in "$CERTS/zeche.test.crt" -noout -subject)" "CN = zeche.test"
expect_eq "and serves that host" "$(gem_header "gemini://zeche.test/")" \
    "20 text/gemini; lang=de"
fp2=$(openssl x509 -in "$CERTS/zeche.test.crt" -noout -fingerprint -sha256 |
    cut -d= -f2)
stop_zeche

# host names are compared in lower case, without a trailing dot
start_zeche --host ZECHE.Test.
expect_eq "--host in upper case with a dot: no certificate of its own" \
    "$(ls "$CERTS" | grep -ci '^zeche\.test\.\?\.crt$')" 1
expect_same "--host in upper case with a dot: the same certificate presented" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp2" ":"
expect_contains "and it is the zeche.test one" \
    "$(openssl x509 -in "$CERTS/zeche.test.crt" -noout -subject)" "CN = zeche.test"
expect_eq "--host in upper case with a dot: served" \
    "$(gem_header "gemini://zeche.test/")" "20 text/gemini; lang=de"
finish
