# --user as root: zeche chroots into the folder holding the capsule,
# becomes the user, and on Linux confines itself with Landlock (read-only
# beneath the capsule) and seccomp.  It still serves and reloads, and it
# cannot open a file outside its capsule.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "# not root, or no user nobody: the sandbox is not tested"
	exit 77
fi
NOBODY=$(id -u nobody)
# nobody must reach the capsule in $WORK (mktemp -d makes it 0700)
chmod 755 "$WORK"
# LeakSanitizer needs /proc and ptrace at exit, which the chroot and the
# seccomp filter take away: the sanitizer build checks this process for
# everything but leaks (every other test checks leaks)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# a folder nobody may read, outside the capsule
mkdir "$WORK/draussen"
printf '# GEHEIM-%s\n' "$$" >"$WORK/draussen/index.gmi"
chmod 755 "$WORK/draussen"
chmod 644 "$WORK/draussen/index.gmi"
expect_contains "without the sandbox, nobody can read the folder outside" \
    "$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    cat "$WORK/draussen/index.gmi" 2>&1)" "GEHEIM-$$"

# runs_as_nobody NAME: every uid of zeche's is nobody's, and its one
# group is nobody's
runs_as_nobody() {
	expect_eq "$1: the server runs as nobody" \
	    "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$ZPID/status")" \
	    "$NOBODY$NOBODY$NOBODY$NOBODY"
	expect_eq "$1: its group and no other" \
	    "$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$ZPID/status" | xargs)" \
	    "$(id -g nobody)"
}

start_zeche --user nobody --workers 2
alive "--user nobody"
runs_as_nobody "--user nobody"

# the chroot: the process's / is the folder holding the capsule
expect_eq "chroot: / is the capsule's parent" \
    "$(readlink "/proc/$ZPID/root")" "$(realpath "$WORK")"
expect_eq "chroot: /etc/passwd is out of reach" \
    "$([ -e "/proc/$ZPID/root/etc/passwd" ] && echo there || echo gone)" gone
expect_log "chroot: the log says where the capsule is" \
    "in the chroot $(realpath "$WORK"); the capsule is /capsule there"

# seccomp and no_new_privs, as the kernel reports them
expect_eq "no_new_privs is set" \
    "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$ZPID/status")" 1
expect_eq "a seccomp filter is in place" \
    "$(awk '/^Seccomp:/ { print $2 }' "/proc/$ZPID/status")" 2
# in every thread: the log's writer runs beside the loop, and a thread
# made before the filter would escape it
expect_eq "the log's writer runs in a thread of its own" \
    "$([ "$(ls "/proc/$ZPID/task" | wc -l)" -ge 2 ] && echo yes)" yes
expect_eq "every thread has the seccomp filter and no_new_privs" \
    "$(cat "/proc/$ZPID/task/"*/status |
    awk '/^Seccomp:/ && $2 != 2 || /^NoNewPrivs:/ && $2 != 1' | wc -l)" 0
# the worker threads start inside the sandbox: the same for them
for t in /proc/"$ZPID"/task/*; do
	grep -q '^zeche-worker-' "$t/comm" || continue
	expect_eq "worker thread $(cat "$t/comm"): nobody, no_new_privs, seccomp" \
	    "$(awk '/^Uid:/ { u = $2 $3 $4 $5 } /^NoNewPrivs:/ { n = $2 }
	    /^Seccomp:/ { s = $2 } END { print u, n, s }' "$t/status")" \
	    "$NOBODY$NOBODY$NOBODY$NOBODY 1 2"
	workers_seen=1
done
expect_eq "--workers 2: a worker thread under --user" "${workers_seen:-0}" 1

# it still reloads: a new article is served
F=notes
printf '# Im Käfig\n\nText.\n' >"$ROOT/$F/2024-06-01-kaefig.gmi"
reload "a new article under --user"
expect_eq "reload under --user: the new article is served" \
    "$(gem_header "gemini://$H/$F/2024-06-01-kaefig.gmi")" "20 text/gemini; lang=de"
expect_contains "reload under --user: in the forum's list" \
    "$(gem "gemini://$H/$F/")" "=> 2024-06-01-kaefig.gmi 2024-06-01 Im Käfig"

# Landlock: once the capsule's name leads outside it, the process cannot
# read there, although nobody could
if grep -q "landlock ABI" "$LOG"; then
	mv "$ROOT" "$WORK/capsule.echt"
	ln -s draussen "$ROOT"
	reload "the capsule's name leading outside"
	expect_contains "Landlock: the folder outside cannot be opened" \
	    "$RELOAD_LOG" "/capsule: Permission denied"
	expect_not_contains "Landlock: nothing from outside is served" \
	    "$(gem "gemini://$H/")" "GEHEIM"
	alive "a reload denied by Landlock"
	rm "$ROOT"
	mv "$WORK/capsule.echt" "$ROOT"
	reload "the capsule back"
	expect_contains "the capsule back: reloaded" "$RELOAD_LOG" \
	    "reloaded /capsule:"
else
	echo "# this kernel has no Landlock: $(grep 'landlock' "$LOG")"
fi
alive "the sandbox"
stop_zeche

# with --config: only the user, no chroot (reloads read files anywhere)
printf 'host "%s" {\n\troot "capsule"\n\tcerts "certs"\n\tgopher on\n}\n' "$H" \
    >"$WORK/zeche.conf"
# made under --user nobody, the pair is nobody's: the key is made root's
# for the case of a key only root may read, below
chown root:root "$CERTS/$H.key"
start_zeche --config "$WORK/zeche.conf" --user nobody
alive "--config with --user nobody"
runs_as_nobody "--config, --user nobody"
expect_eq "--config, --user nobody: no chroot" \
    "$(readlink "/proc/$ZPID/root")" /
# a key only root may read: a reload keeps it while it is unchanged, and
# reads a renewed one as nobody
chmod 755 "$CERTS"
expect_eq "the key is root's alone" "$(stat -c '%U %a' "$CERTS/$H.key")" \
    "root 600"
fp1=$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")
printf '# Mit Konfiguration\n\nText.\n' >"$ROOT/$F/2024-06-02-konf.gmi"
reload "--config, --user nobody: a new article"
expect_eq "--config, --user nobody: the reload keeps the root-only key, and serves the new article" \
    "$(gem_header "gemini://$H/$F/2024-06-02-konf.gmi")" "20 text/gemini; lang=de"
expect_eq "--config, --user nobody: the same certificate after the reload" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp1"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/renewed.key" -out "$WORK/renewed.crt" -subj "/CN=$H" \
    -days 30 2>/dev/null
chmod 600 "$WORK/renewed.key"
chmod 644 "$WORK/renewed.crt"
fp2=$(openssl x509 -in "$WORK/renewed.crt" -noout -fingerprint -sha256 |
    cut -d= -f2)
cp -p "$CERTS/$H.crt" "$WORK/kept.crt"
cp -p "$CERTS/$H.key" "$WORK/kept.key"
cp -p "$WORK/renewed.crt" "$CERTS/$H.crt"
cp -p "$WORK/renewed.key" "$CERTS/$H.key"
reload "--config, --user nobody: a renewed key only root may read"
expect_contains "a renewed key nobody may read: the reload fails, naming it" \
    "$RELOAD_LOG" "$CERTS/$H.key: "
expect_eq "a renewed key nobody may read: the old certificate is still served" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp1"
chown nobody "$CERTS/$H.key"
reload "--config, --user nobody: the renewed key made nobody's"
expect_eq "a renewed key nobody may read: served once nobody may" \
    "$("$GEMGET" -f 127.0.0.1 "$GEMINI_PORT")" "$fp2"
stop_zeche
cp -p "$WORK/kept.crt" "$CERTS/$H.crt"
cp -p "$WORK/kept.key" "$CERTS/$H.key"

# dirs_outside_root PID: the folders PID holds a descriptor to that do
# not lie beneath its root (/proc/PID/root), one per line
dirs_outside_root() {
	local root fd path
	root=$(readlink "/proc/$1/root")
	for fd in /proc/"$1"/fd/*; do
		[ -d "$fd" ] || continue
		path=$(readlink "$fd")
		case "$path" in
		"$root" | "$root"/*) ;;
		*) echo "$path" ;;
		esac
	done
}

# --log in the chroot: SIGUSR1 opens the log anew (logrotate moved it
# away) by its path there; the file is made there as nobody, and the
# process holds no folder outside its root
mkdir "$WORK/logs"
chown nobody "$WORK/logs"
ZL=$WORK/logs/zeche.log
start_zeche_log "$ZL" --user nobody
expect_eq "--user with --log: no descriptor to a folder outside the root" \
    "$(dirs_outside_root "$ZPID")" ""
gem "gemini://$H/vor-der-rotation" >/dev/null
expect_log "--user with --log: the access line is in the file" \
    "vor-der-rotation" "$ZL"
mv "$ZL" "$ZL.1"
kill -USR1 "$ZPID"
expect_log "--user with --log: SIGUSR1 opens the log anew in the chroot" \
    "SIGUSR1: log $ZL reopened" "$ZL"
gem "gemini://$H/nach-der-rotation" >/dev/null
expect_log "--user with --log: later lines go to the new file" \
    "nach-der-rotation" "$ZL"
expect_not_contains "--user with --log: the moved file keeps only the old lines" \
    "$(cat "$ZL.1")" "nach-der-rotation"
expect_eq "--user with --log: the new file is nobody's" \
    "$(stat -c %U "$ZL" 2>&1)" nobody
if grep -q "landlock ABI" "$ZL.1"; then
	expect_contains "Landlock: the log's folder may be written, nothing else" \
	    "$(grep "landlock ABI" "$ZL.1")" \
	    "read-only beneath /capsule, the log's folder write-only"
fi
alive "--user with --log, after SIGUSR1"
expect_eq "--user with --log, after SIGUSR1: no folder outside the root" \
    "$(dirs_outside_root "$ZPID")" ""
stop_zeche

# a log outside the folder zeche chroots into could only be opened anew
# through a handle on a folder outside the root, which reaches the whole
# file system: zeche refuses to start.  The capsule in $WORK/srv (the
# chroot), the log in $WORK/draussen-log.
mkdir -p "$WORK/srv" "$WORK/draussen-log"
chmod 755 "$WORK/srv"
chown nobody "$WORK/draussen-log"
cp -R "$ROOT" "$WORK/srv/capsule"
ZL3=$WORK/draussen-log/zeche.log
lines=$(wc -l <"$LOG")
if ROOT=$WORK/srv/capsule launch "$ZL3" --log "$ZL3" --user nobody; then
	not_ok "--log outside the chroot: refused"
	expect_eq "--log outside the chroot: no folder outside the root held" \
	    "$(dirs_outside_root "$ZPID")" ""
	stop_zeche
else
	wait "$ZPID"
	expect_eq "--log outside the chroot: exit 1" "$?" 1
	ZPID=
	expect_contains "--log outside the chroot: says why" \
	    "$(tail -n +"$((lines + 1))" "$LOG")" \
	    "log $ZL3: outside $(realpath "$WORK/srv"), the folder zeche chroots into with --user"
	expect_eq "--log outside the chroot: no log made" \
	    "$([ -e "$ZL3" ] && echo made || echo none)" none
fi

# a log in the folder that holds the capsule: that folder is not made
# writable (the capsule stays read-only), and zeche says so
ZL2=$WORK/zeche-beim-capsule.log
start_zeche_log "$ZL2" --user nobody
expect_log "--log beside the capsule: its folder is not made writable, and the log says so" \
    "its folder holds the capsule, which stays read-only" "$ZL2"
if grep -q "landlock ABI" "$ZL2"; then
	expect_not_contains "--log beside the capsule: Landlock grants no writing" \
	    "$(grep "landlock ABI" "$ZL2")" "write-only"
fi
alive "--user with --log beside the capsule"
stop_zeche

start_fail=$("$ZECHE" --root "$ROOT" --certs "$CERTS" --user nosuchuser-zeche \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "--user with an unknown user: exit 1" "$?" 1
expect_contains "--user with an unknown user: says so" "$start_fail" \
    "--user nosuchuser-zeche: no such user"
finish
