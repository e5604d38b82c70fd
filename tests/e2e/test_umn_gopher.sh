# UMN gopher 3.0 (Debian's gopher), the original Gopher+ client, in a
# terminal that tmux keeps: it asks for a menu with SELECTOR TAB "$" and
# lists the items of the +INFO blocks it gets back, so it must be able to
# read the whole capsule: menus, the articles as texts, the search.
CAPSULE=capsule
. "$(dirname "$0")/lib.sh"

for tool in tmux gopher; do
	command -v "$tool" >/dev/null ||
	    { not_ok "$tool is installed (contrib/dev.sh installs it)"; finish; }
done
# tmux runs the client through $SHELL, else the user's login shell, which
# for a system user such as nobody is nologin
export HOME=$WORK/home TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    SHELL=/bin/sh
mkdir -p "$HOME"
# each run of the client gets a tmux server of its own: a new session
# never races the shutdown of the last server on the same socket
RUN=0
TMUX_SOCK="zeche-umn-$$-$RUN"
tm() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

# screen_has NAME TEXT: wait (20 s at most) until the screen shows TEXT
screen_has() {
	local i screen
	for i in $(seq 1 100); do
		screen=$(tm capture-pane -p -t c 2>/dev/null)
		case "$screen" in *"$2"*) ok "$1"; return 0 ;; esac
		sleep 0.2
	done
	not_ok "$1" "screen:
$screen"
	return 1
}

# open LABEL: type the number the menu on screen shows before LABEL
open() {
	local n
	n=$(tm capture-pane -p -t c | sed -n "s|^.*\[\([0-9]*\)\] *$1.*|\1|p" |
	    head -1)
	if [ -z "$n" ]; then
		not_ok "the menu lists $1" "$(tm capture-pane -p -t c)"
		return 1
	fi
	tm send-keys -t c "$n" Enter
}

# umn: start the client on zeche, past the welcome screen of its first run
umn() {
	local i screen
	tm kill-server 2>/dev/null
	RUN=$((RUN + 1))
	TMUX_SOCK="zeche-umn-$$-$RUN"
	tm new-session -d -s c -x 100 -y 40 \
	    "gopher 127.0.0.1 $GOPHER_PORT; sleep 60"
	for i in $(seq 1 100); do
		screen=$(tm capture-pane -p -t c 2>/dev/null)
		case "$screen" in
		*"Press RETURN to continue"*) tm send-keys -t c Enter; return ;;
		*"Press ? for Help"*) return ;;
		esac
		sleep 0.2
	done
}

start_zeche
F=themenforum-17

# --- what the client sends first, replayed
r=$(printf '\t$\r\n' | "$GEMGET" -t 127.0.0.1 "$GOPHER_PORT")
expect_eq "\"\\t\$\": a Gopher+ answer" "$(printf '%s' "$r" | head -1)" $'+-1\r'
expect_contains "\"\\t\$\": the forum as a +INFO block" "$r" \
    $'\r\n+INFO: 1Themenforum 17 – Innovation\t/'"$F"$'/\t'"$H"$'\t'"$GOPHER_PORT"$'\r\n'
expect_eq "\"\\t\$\": every line a +INFO block but the closing ." \
    "$(printf '%s' "$r" | sed '1d;$d' | grep -cv '^+INFO: ')" 0
expect_eq "\"\\t\$\": ends with a lone ." "$(printf '%s' "$r" | tail -1)" $'.\r'

# --- the home menu, the forum, an article
umn
screen_has "umn: the home menu's title" "Ruhr-Konferenz: Themenforum 17"
screen_has "umn: the directory as a menu" "Partner/"
expect_log "umn: asked for the home menu's attributes" \
    'gopher "\x09$" 1 attributes'
open "Themenforum 17"
screen_has "umn: the forum lists the newest article" \
    "2019-02-26 Roundtable auf Zollverein"
open "2019-02-26 Roundtable"
screen_has "umn: the article as a text" "Staatssekretär Dr. Mark Speich"

# --- the search, from the directory
umn
screen_has "umn: the home menu again" "Partner/"
open "Partner/"
screen_has "umn: the search as a search item" "Partner suchen <?>"
open "Partner suchen"
screen_has "umn: asks for words" "Words to search for"
tm send-keys -t c muenster Enter
screen_has "umn: the search finds the Handwerkskammer" \
    "Handwerkskammer Bildungszentrum Münster"
expect_log "umn: the search went out as SELECTOR TAB WORDS" \
    'gopher "/partner/suche\x09muenster" 1 search'
tm kill-server 2>/dev/null
alive "UMN gopher"
finish
