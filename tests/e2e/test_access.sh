# Access by client certificate: a location closed to the certificates in
# its readers list, and one open to all but those in its deny list, over real TLS with certificates made here: 60 without
# one, 61 for one not in the list (its fingerprint in the log), 62 for one
# outside its validity, 20 for one in the list; a session made with a
# certificate and resumed without one gets nothing; Gopher and Spartan
# neither serve nor list the closed area, nor do the page index and
# /capsule.tar; the list is re-read on reload, and a broken one fails the
# load with its file and line while the old lists keep serving.
. "$(dirname "$0")/lib.sh"

CONF=$WORK/zeche.conf
GEMINI_PORT=$(free_port)
GOPHER_PORT=$(free_port)
SPARTAN_PORT=$(free_port)
while [ "$GOPHER_PORT" = "$GEMINI_PORT" ]; do GOPHER_PORT=$(free_port); done
while [ "$SPARTAN_PORT" = "$GEMINI_PORT" ] ||
    [ "$SPARTAN_PORT" = "$GOPHER_PORT" ]; do SPARTAN_PORT=$(free_port); done
H=a.example

mkdir -p "$WORK/a/members/inner" "$WORK/a/open"
# no index.gmi: the home page is a generated folder page
printf 'Public text.\n' >"$WORK/a/public.txt"
printf '# Open page\n' >"$WORK/a/open/page.gmi"
printf '# Secret page\n\nSECRET-WORDS\n' >"$WORK/a/members/secret.gmi"
mkdir -p "$WORK/a/club" "$WORK/b"
printf '# Host b\n' >"$WORK/b/index.gmi"
printf '# Club page\n\nCLUB-WORDS\n' >"$WORK/a/club/news.gmi"
printf '# Inner\n\nINNER-WORDS\n' >"$WORK/a/members/inner/deep.gmi"
# the partner directory in the area: robots.txt would keep indexers out
# of its search, and so name it
mkdir -p "$WORK/a/members/dir"
printf 'Cedar Industries\nElm Bakery\n' >"$WORK/a/members/dir/partners.txt"

# the client certificates (lib.sh): two valid self-signed ones, and one
# that expired
mkcert ada
mkcert eve
mkcert_expired old
# a club's CA, a member's certificate it issued, and one issued by
# another CA of the same name (only the signature counts)
mkca() {	# NAME CN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$1.key" -out "$WORK/$1.crt" -days 30 -subj "/CN=$2" \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign 2>/dev/null
}
issue() {	# NAME CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$WORK/$1.key" -out "$WORK/$1.csr" -subj "/CN=$1" 2>/dev/null
	openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/$2.crt" \
	    -CAkey "$WORK/$2.key" -CAcreateserial -days 30 \
	    -out "$WORK/$1.crt" 2>/dev/null
	cat "$WORK/$1.crt" "$WORK/$1.key" >"$WORK/$1.pem"
}
mkca club-ca "Club CA"
mkca fake-ca "Club CA"
issue member club-ca
issue forger fake-ca
fp_ada=$(fp ada)
fp_eve=$(fp eve)
fp_old=$(fp old)
if [ -z "$fp_ada" ] || [ -z "$fp_eve" ] || [ -z "$fp_old" ]; then
	not_ok "the test's certificates are made" "ada=$fp_ada eve=$fp_eve old=$fp_old"
	finish
fi

# ada's with colons, old's without, lower case: both spellings
old_bare=$(printf '%s' "$fp_old" | tr -d : | tr 'A-F' 'a-f')
cat >"$WORK/members.txt" <<LIST
# who may read /members/
$fp_ada   # Ada
$old_bare # an expired one
LIST

cat >"$CONF" <<CONF
gemini 127.0.0.1:$GEMINI_PORT
gopher 127.0.0.1:$GOPHER_PORT
spartan 127.0.0.1:$SPARTAN_PORT

host "$H" {
	root  a
	certs certs
	lang  de
	gopher on
	archive on
	pageindex on
	location "/members/" {
		readers "members.txt"
	}
	location "/open/" {
		deny "denied.txt"
	}
	location "/club/" {
		ca "club-ca.crt"
	}
}

host "b.example" {
	root  b
	certs certs
	lang  de
}
CONF
printf '# refused in /open/\n%s  # Eve\n' "$fp_eve" >"$WORK/denied.txt"
"$ZECHE" --config "$CONF" >>"$LOG" 2>&1 &
ZPID=$!
if ! wait_serving 0; then
	not_ok "zeche --config starts with a readers list" "$(tail -20 "$LOG")"
	finish
fi

get() {	# REQUEST [gemget options]: the status line
	local req=$1
	shift
	"$GEMGET" -s "$H" "$@" 127.0.0.1 "$GEMINI_PORT" "$req" \
	    2>"$WORK/gemget.err" | head -n 1 | tr -d '\r'
}
body() {	# REQUEST [gemget options]: the whole answer
	local req=$1
	shift
	"$GEMGET" -s "$H" "$@" 127.0.0.1 "$GEMINI_PORT" "$req" 2>"$WORK/gemget.err"
}
secret=gemini://$H/members/secret.gmi

# --- Gemini: 20 outside, 60/61/62/20 inside
expect_eq "an open page: 20 without a certificate" "$(get "gemini://$H/open/page.gmi")" \
    "20 text/gemini; lang=de"
expect_eq "an open page: 20 with another certificate" \
    "$(get "gemini://$H/open/page.gmi" -a "$WORK/ada.pem")" "20 text/gemini; lang=de"
expect_eq "an open page: 61 with one in its deny list" \
    "$(get "gemini://$H/open/page.gmi" -a "$WORK/eve.pem")" \
    "61 Dieses Zertifikat ist hier nicht zugelassen"
expect_eq "the deny list of /open/ is not the home page's" \
    "$(get "gemini://$H/" -a "$WORK/eve.pem")" "20 text/gemini; lang=de"
expect_eq "closed, no certificate: 60 in the host's language" "$(get "$secret")" \
    "60 Hier wird ein Client-Zertifikat benötigt"
answer=$(body "$secret")
expect_not_contains "60 carries nothing of the page" "$answer" "SECRET"
expect_eq "closed, a certificate not in the list: 61" \
    "$(get "$secret" -a "$WORK/eve.pem")" "61 Dieses Zertifikat ist hier nicht zugelassen"
expect_log "61's log line carries the fingerprint" "61 certificate $fp_eve not allowed"
expect_eq "closed, an expired certificate in the list: 62" \
    "$(get "$secret" -a "$WORK/old.pem")" \
    "62 Dieses Zertifikat ist abgelaufen oder noch nicht gültig"
expect_eq "closed, a certificate in the list: 20" \
    "$(get "$secret" -a "$WORK/ada.pem")" "20 text/gemini; lang=de"
expect_contains "... and the page" "$(body "$secret" -a "$WORK/ada.pem")" "SECRET-WORDS"
expect_eq "below the location too: 60" "$(get "gemini://$H/members/inner/deep.gmi")" \
    "60 Hier wird ein Client-Zertifikat benötigt"
expect_eq "below the location, ada: 20" \
    "$(get "gemini://$H/members/inner/deep.gmi" -a "$WORK/ada.pem")" "20 text/gemini; lang=de"
expect_eq "a missing page in the area: 60, not 51" "$(get "gemini://$H/members/nothing.gmi")" \
    "60 Hier wird ein Client-Zertifikat benötigt"
expect_eq "the folder itself: 60" "$(get "gemini://$H/members/")" \
    "60 Hier wird ein Client-Zertifikat benötigt"
expect_eq "a path-encoded way in: 60" "$(get "gemini://$H/open/../%6dembers/secret.gmi")" \
    "60 Hier wird ein Client-Zertifikat benötigt"

# --- a CA's certificates
club=gemini://$H/club/news.gmi
expect_eq "ca: no certificate: 60" "$(get "$club")" \
    "60 Hier wird ein Client-Zertifikat benötigt"
expect_eq "ca: a self-signed certificate: 61" "$(get "$club" -a "$WORK/eve.pem")" \
    "61 Dieses Zertifikat ist hier nicht zugelassen"
expect_eq "ca: one the CA issued: 20" "$(get "$club" -a "$WORK/member.pem")" \
    "20 text/gemini; lang=de"
expect_eq "ca: one another CA of the same name issued: 61" \
    "$(get "$club" -a "$WORK/forger.pem")" "61 Dieses Zertifikat ist hier nicht zugelassen"
expect_eq "ca: the CA's member is no reader of /members/" \
    "$(get "$secret" -a "$WORK/member.pem")" "61 Dieses Zertifikat ist hier nicht zugelassen"

# --- resumption: tickets are on, but a session with a certificate never
# resumes, so the connection without one has no rights; and on a host
# with rules none does, so a client can always present a certificate
rm -f "$WORK/s0" "$WORK/s1" "$WORK/s2"
"$GEMGET" -s b.example -R "$WORK/s0" 127.0.0.1 "$GEMINI_PORT" gemini://b.example/ \
    >/dev/null 2>&1
"$GEMGET" -s b.example -R "$WORK/s0" 127.0.0.1 "$GEMINI_PORT" gemini://b.example/ \
    >/dev/null 2>"$WORK/gemget.err"
expect_contains "tickets on: a host without rules resumes a session" \
    "$(cat "$WORK/gemget.err")" "session: resumed"
get "gemini://$H/" -R "$WORK/s1" >/dev/null
[ -s "$WORK/s1" ] && ok "a ticket comes on a host with rules too" ||
    not_ok "a ticket comes on a host with rules too" "$(cat "$WORK/gemget.err")"
expect_eq "a session made without a certificate, offered with ada's: 20" \
    "$(get "$secret" -a "$WORK/ada.pem" -R "$WORK/s1")" "20 text/gemini; lang=de"
expect_contains "... in a full handshake, which asked for it" \
    "$(cat "$WORK/gemget.err")" "session: new"
expect_eq "with ada's certificate and a ticket: 20" \
    "$(get "$secret" -a "$WORK/ada.pem" -R "$WORK/s2")" "20 text/gemini; lang=de"
[ -s "$WORK/s2" ] && ok "a ticket came with ada's answer" ||
    not_ok "a ticket came with ada's answer" "$(cat "$WORK/gemget.err")"
expect_eq "that session offered again without a certificate: 60" \
    "$(get "$secret" -R "$WORK/s2")" "60 Hier wird ein Client-Zertifikat benötigt"
expect_contains "... in a full handshake, not a resumed one" \
    "$(cat "$WORK/gemget.err")" "session: new"
for v in 1.2; do
	rm -f "$WORK/s3"
	get "$secret" -a "$WORK/ada.pem" -m "$v" -R "$WORK/s3" >/dev/null
	expect_eq "TLS $v: ada's session offered without a certificate: 60" \
	    "$(get "$secret" -m "$v" -R "$WORK/s3")" \
	    "60 Hier wird ein Client-Zertifikat benötigt"
done

# --- Gopher and Spartan: no identity, so the area is neither served nor listed
menu=$(gopher "")
expect_contains "Gopher: the home menu" "$menu" "open"
expect_not_contains "Gopher: the home menu does not list the area" "$menu" "members"
expect_not_contains "Gopher: nor the CA's area" "$menu" "club"
expect_not_contains "Gopher: the page is not served" "$(gopher "0/members/secret.gmi")" \
    "SECRET"
expect_not_contains "Gopher: nor its folder" "$(gopher "1/members/")" "secret"
sp() {	# PATH
	"$SPGET" 127.0.0.1 "$SPARTAN_PORT" "$H" "$1" 2>/dev/null
}
expect_eq "Spartan: the page is not found" "$(sp /members/secret.gmi | head -n 1 | tr -d '\r')" \
    "4 Nicht gefunden"
expect_eq "Spartan: nor the folder" "$(sp /members/ | head -n 1 | tr -d '\r')" \
    "4 Nicht gefunden"
expect_eq "Spartan: nor the folder without its slash" \
    "$(sp /members | head -n 1 | tr -d '\r')" "4 Nicht gefunden"
home=$(sp /)
expect_contains "Spartan: the home page lists the open folder" "$home" "open/"
expect_not_contains "Spartan: the home page does not list the area" "$home" "members"
expect_contains "Spartan: an open page is served" "$(sp /open/page.gmi)" "Open page"

# --- what everyone can read names nothing of the area
home=$(body "gemini://$H/")
expect_contains "Gemini: the generated home page lists the open folder" "$home" "open/"
expect_not_contains "Gemini: the home page does not list the area" "$home" "members"
index=$(body "gemini://$H/seiten/")
expect_contains "the page index lists the open pages" "$index" "/open/page.gmi"
expect_not_contains "the page index does not list the area" "$index" "members"
robots=$(body "gemini://$H/robots.txt")
expect_contains "robots.txt is zeche's" "$robots" "User-agent: indexer"
expect_not_contains "robots.txt does not name the area" "$robots" "members"
expect_contains "the closed directory is served to ada" \
    "$(body "gemini://$H/members/dir/" -a "$WORK/ada.pem")" "Cedar Industries"
body "gemini://$H/capsule.tar" >"$WORK/capsule.tar.raw"
tail -c "+$(( $(head -n 1 "$WORK/capsule.tar.raw" | wc -c) + 1 ))" \
    "$WORK/capsule.tar.raw" >"$WORK/capsule.tar"
list=$(tar -tf "$WORK/capsule.tar" 2>&1)
expect_contains "the archive holds the open pages" "$list" "open/page.gmi"
expect_not_contains "the archive holds nothing of the area" "$list" "members"

# --- --export: static files have no identity
"$ZECHE" --config "$CONF" --export "$WORK/exp" >"$WORK/export.out" 2>&1
expect_eq "--export: exit 0" "$?" 0
files=$(cd "$WORK/exp" && find . && cat gopher/gophermap)
expect_contains "--export: the open pages, a deny list or not" "$files" \
    "open/page.gmi"
expect_not_contains "--export: nothing of the area, not even in a menu" "$files" "members"
expect_not_contains "--export: nothing of the CA's area" "$files" "club"

# --- reload: a broken list fails the load, the old one keeps serving
cat >"$WORK/members.txt" <<LIST
$fp_ada
not-a-fingerprint # line 2
LIST
reload "a broken list"
expect_contains "a broken list: the reload fails with file and line" "$RELOAD_LOG" \
    "members.txt:2: expected a SHA-256 fingerprint"
expect_eq "... and the old list serves: eve still 61" \
    "$(get "$secret" -a "$WORK/eve.pem")" "61 Dieses Zertifikat ist hier nicht zugelassen"
expect_eq "... ada still 20" "$(get "$secret" -a "$WORK/ada.pem")" "20 text/gemini; lang=de"
printf '%s\n' "$fp_eve" >"$WORK/members.txt"
reload "eve's list"
expect_eq "the list is re-read on reload: eve now 20" \
    "$(get "$secret" -a "$WORK/eve.pem")" "20 text/gemini; lang=de"
expect_eq "... and ada now 61" "$(get "$secret" -a "$WORK/ada.pem")" \
    "61 Dieses Zertifikat ist hier nicht zugelassen"

# --- --check names the broken list's line
printf 'zz\n' >"$WORK/members.txt"
out=$("$ZECHE" --config "$CONF" --check 2>&1)
rc=$?
expect_eq "--check: a broken list fails" "$rc" 1
expect_contains "--check: with its file and line" "$out" "members.txt:1: expected"
printf '%s\n' "$fp_eve" >"$WORK/members.txt"

H=a.example
alive "the access cases"
finish
