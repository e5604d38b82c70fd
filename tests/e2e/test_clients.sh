# Real clients from Debian, as a reader would use them: amfora (Gemini)
# and sacc (Gopher) in a terminal that tmux keeps, reading the screen.
CAPSULE=capsule
. "$(dirname "$0")/lib.sh"

for tool in tmux amfora sacc; do
	command -v "$tool" >/dev/null ||
	    { not_ok "$tool is installed (contrib/dev.sh installs it)"; finish; }
done
# tmux runs the client through $SHELL, else the user's login shell, which
# for a system user such as nobody is nologin
export HOME=$WORK/home TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    SHELL=/bin/sh
mkdir -p "$HOME"
# One tmux server per client: a new session on a server that is still
# going away after kill-server fails with "server exited unexpectedly".
TMUX_SOCK="zeche-e2e-$$-amfora"
tm() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'tmux -L "zeche-e2e-$$-amfora" kill-server 2>/dev/null
    tmux -L "zeche-e2e-$$-sacc" kill-server 2>/dev/null; cleanup' EXIT

# screen_has NAME TEXT: wait (30 s at most) until the screen shows TEXT
screen_has() {
	local i screen
	for i in $(seq 1 150); do
		screen=$(tm capture-pane -p -t c 2>/dev/null)
		case "$screen" in *"$2"*) ok "$1"; return ;; esac
		sleep 0.2
	done
	not_ok "$1" "screen:
$screen"
}

# key KEY: send KEY and wait (5 s at most) until the screen, with its
# colours and highlights, changes
key() {
	local i before
	before=$(tm capture-pane -ep -t c 2>/dev/null)
	tm send-keys -t c "$1"
	for i in $(seq 1 50); do
		[ "$(tm capture-pane -ep -t c 2>/dev/null)" != "$before" ] && return
		sleep 0.1
	done
	not_ok "the screen changes after the key $1"
}

start_zeche
F=themenforum-17

# --- amfora: trusts the certificate on first use, shows the forum
tm new-session -d -s c -x 100 -y 40 "amfora gemini://localhost:$GEMINI_PORT/$F/"
screen_has "amfora: the forum's title" "# Themenforum 17 – Innovation"
screen_has "amfora: the newest article first" \
    "[1]  2019-02-26 Roundtable auf Zollverein"
screen_has "amfora: then the older one" \
    "[2]  2018-05-28 Innovationskonferenz in Tel Aviv"
tm send-keys -t c 1 Enter
screen_has "amfora: following the link opens the article" "# Roundtable auf Zollverein"
screen_has "amfora: umlauts as they should be" "Staatssekretär Dr. Mark Speich"
tm kill-server 2>/dev/null

# --- sacc: the same forum as a Gopher menu
TMUX_SOCK="zeche-e2e-$$-sacc"
tm new-session -d -s c -x 100 -y 40 "sacc gopher://127.0.0.1:$GOPHER_PORT/1/$F/; sleep 30"
screen_has "sacc: the forum's title" "| Themenforum 17 – Innovation"
screen_has "sacc: the articles are text items" "Txt+ 2019-02-26 Roundtable auf Zollverein"
screen_has "sacc: the feed is a text item" "Txt+ Atom-Feed"
# J: to the first link item (the newest article), l: open it
key J
tm send-keys -t c l
screen_has "sacc: opens the article as a text" "Roundtable auf Zollverein
========================="
screen_has "sacc: with its umlauts" "Staatssekretär Dr. Mark Speich"
tm kill-server 2>/dev/null
alive "real clients"
finish
