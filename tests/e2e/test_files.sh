# The files zeche opens by name, as root perhaps: the configuration, a
# certificate, the log.  A FIFO is turned away at once (not waited on), a
# log is never opened through a link or in a folder others may write, and
# a reload never moves the log into a capsule.  `timeout` is a safety net
# only: the cases assert zeche's exit status and message.
. "$(dirname "$0")/lib.sh"

T=${TIMEOUT:-30}

# --- the configuration as a FIFO
mkfifo "$WORK/fifo.conf"
out=$(timeout "$T" "$ZECHE" --check --config "$WORK/fifo.conf" 2>&1)
expect_eq "--check --config FIFO: exit 1, at once" "$?" 1
expect_contains "--check --config FIFO: names the file" "$out" \
    "$WORK/fifo.conf: not a regular file"
out=$(timeout "$T" "$ZECHE" --config "$WORK/fifo.conf" \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "a start with a FIFO for --config: exit 1, at once" "$?" 1
expect_contains "a start with a FIFO for --config: names the file" "$out" \
    "$WORK/fifo.conf: not a regular file"

# --- a certificate as a FIFO
mkdir -m 700 "$WORK/fifocerts"
mkfifo "$WORK/fifocerts/$H.crt"
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 \
    -out "$WORK/fifocerts/$H.key" 2>/dev/null
out=$(timeout "$T" "$ZECHE" --root "$ROOT" --certs "$WORK/fifocerts" \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "a FIFO for the certificate: exit 1, at once" "$?" 1
expect_contains "a FIFO for the certificate: names the file" "$out" \
    "$WORK/fifocerts/$H.crt: not a regular file"

# --- the log
mkdir -m 755 "$WORK/logs"
echo "nur lesen" >"$WORK/ziel.txt"
ln -s "$WORK/ziel.txt" "$WORK/logs/link.log"
out=$(timeout "$T" "$ZECHE" --root "$ROOT" --certs "$CERTS" --log "$WORK/logs/link.log" \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "--log naming a symbolic link: exit 1" "$?" 1
expect_contains "--log naming a symbolic link: says so" "$out" \
    "log $WORK/logs/link.log: is a symbolic link"
expect_eq "--log naming a symbolic link: its target is untouched" \
    "$(cat "$WORK/ziel.txt")" "nur lesen"

mkfifo "$WORK/logs/fifo.log"
exec 3<>"$WORK/logs/fifo.log"	# a reader: the FIFO opens for writing
out=$(timeout "$T" "$ZECHE" --root "$ROOT" --certs "$CERTS" --log "$WORK/logs/fifo.log" \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "--log naming a FIFO: exit 1" "$?" 1
expect_contains "--log naming a FIFO: says so" "$out" \
    "log $WORK/logs/fifo.log: not a regular file"
exec 3<&-

mkdir "$WORK/offen"
chmod 777 "$WORK/offen"
out=$(timeout "$T" "$ZECHE" --root "$ROOT" --certs "$CERTS" --log "$WORK/offen/z.log" \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "--log in a folder everybody may write: exit 1" "$?" 1
expect_contains "--log in a folder everybody may write: says why" "$out" \
    "log $WORK/offen/z.log: its folder may be written by its group or others and is not sticky"
expect_eq "--log in a folder everybody may write: no file made there" \
    "$(ls "$WORK/offen")" ""
chmod 775 "$WORK/offen"
out=$(timeout "$T" "$ZECHE" --root "$ROOT" --certs "$CERTS" --log "$WORK/offen/z.log" \
    --gemini "127.0.0.1:$(free_port)" --gopher "127.0.0.1:$(free_port)" 2>&1)
expect_eq "--log in a folder its group may write: exit 1" "$?" 1
# sticky, as /tmp is: others cannot replace a file that is not theirs
chmod 1777 "$WORK/offen"
start_zeche_log "$WORK/offen/z.log"
expect_log "--log in a sticky folder: written" "serving gemini://" "$WORK/offen/z.log"
stop_zeche

# --- a reload never moves the log into a capsule
cat >"$WORK/zeche.conf" <<CONF
log files.log
$(host_block)
CONF
# (no --log, which would override the file's)
launch "$WORK/files.log" --config "$WORK/zeche.conf" ||
    { not_ok "the config's log: zeche starts" "$(tail -5 "$LOG")"; finish; }
sed -i 's|^log .*|log capsule/drin.log|' "$WORK/zeche.conf"
printf 'host "b.example" {\n\troot capsule\n\tcerts certs\n}\n' >>"$WORK/zeche.conf"
LOG=$WORK/files.log reload "a reload that moves the log into a capsule"
expect_contains "a reload that moves the log into a capsule: fails, saying why" \
    "$RELOAD_LOG" "log $ROOT/drin.log: inside the capsule folder $ROOT (host $H), which would serve it"
expect_contains "... and keeps the old hosts" "$RELOAD_LOG" "reload failed"
expect_eq "... no log is made in the capsule" \
    "$([ -e "$ROOT/drin.log" ] && echo made || echo none)" none
expect_eq "... the new host is not served" \
    "$(gem_header "gemini://b.example/" -s b.example | cut -c1-3)" "53 "
gem "gemini://$H/nach-dem-fehlschlag" >/dev/null
expect_log "... the log stays where it was" "nach-dem-fehlschlag" "$WORK/files.log"
expect_eq "... the log is not served" \
    "$(gem_header "gemini://$H/drin.log" | cut -c1-3)" "51 "
sed -i 's|^log .*|log woanders.log|' "$WORK/zeche.conf"
touch "$WORK/woanders.log"	# where the reload's own lines go
LOG=$WORK/woanders.log reload "a reload that moves the log elsewhere"
expect_contains "a later reload that is fine: reloaded" "$RELOAD_LOG" "reloaded "
expect_eq "... the new host is served" \
    "$(gem_header "gemini://b.example/" -s b.example)" "20 text/gemini"
gem "gemini://$H/nach-dem-umzug" >/dev/null
expect_log "... the lines go to the new log" "nach-dem-umzug" "$WORK/woanders.log"
alive "reloads that move the log"

# --- a reload that finds a FIFO where the configuration was
mv "$WORK/zeche.conf" "$WORK/zeche.conf.gut"
mkfifo "$WORK/zeche.conf"
LOG=$WORK/woanders.log reload "a reload with a FIFO for the configuration"
expect_contains "a reload with a FIFO for the configuration: fails, naming it" \
    "$RELOAD_LOG" "$WORK/zeche.conf: not a regular file"
expect_contains "... and keeps serving" "$RELOAD_LOG" "reload failed"
alive "a reload with a FIFO for the configuration"
rm "$WORK/zeche.conf"
mv "$WORK/zeche.conf.gut" "$WORK/zeche.conf"
LOG=$WORK/woanders.log reload "the configuration back"
expect_contains "the configuration back: reloaded" "$RELOAD_LOG" "reloaded "
finish
