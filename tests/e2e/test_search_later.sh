# The search index of a big capsule is built once the capsule is served,
# on a thread of its own: the start and a reload do not wait for it, a
# search meanwhile is asked to try later (40), then it answers, a new
# post included; and a stop does not wait for an index half built.
. "$(dirname "$0")/lib.sh"

GEN=$ZECHE_SOURCE_DIR/tests/bench/gen-gemlog.sh
ROOT=$WORK/gemlog
sh "$GEN" 3000 "$ROOT" || { not_ok "gen-gemlog.sh 3000" ""; finish; }
post=$(find "$ROOT/log" -name '*.gmi' | sort | sed -n 100p)
printf '\nEin Zauberwort steht hier.\n' >>"$post"
rel=${post#"$ROOT"}
start_zeche

# search PATH: the search's answer; polls while it says "try later"
search() {
	local i out
	for i in $(seq 1 200); do
		out=$(gem "gemini://$H/suche?$1")
		case "$(printf '%s' "$out" | head -n 1)" in
		40*) sleep 0.1 ;;
		*) break ;;
		esac
	done
	printf '%s' "$out"
}

expect_log "the index is built after the start, and logged" \
    "host $H: search index of"

# the policy of zeche's thread TID (field 41 of its stat: 5 is SCHED_IDLE)
thread_policy() {
	sed 's/.*) //' "/proc/$ZPID/task/$1/stat" | awk '{ print $39 }'
}
idle=0
for t in /proc/"$ZPID"/task/*; do
	[ "$(thread_policy "${t##*/}")" = 5 ] && idle=$((idle + 1))
done
expect_eq "the search index's thread alone runs when no other wants the CPU (SCHED_IDLE)" \
    "$idle" 1
expect_eq "... not the loop" "$(thread_policy "$ZPID")" 0
out=$(search zauberwort)
expect_eq "then it answers" "$(printf '%s' "$out" | head -n 1 | tr -d '\r')" \
    "20 text/gemini; lang=de"
expect_contains "and finds the word in its post" "$out" "=> $rel "

printf '# Funkelstein\n\nEin neuer Beitrag.\n' >"$ROOT/log/2000/2000-12-31-neu.gmi"
reload "a post added"
out=$(search funkelstein)
expect_contains "after a reload: the new post is found" "$out" \
    "=> /log/2000/2000-12-31-neu.gmi "
expect_eq "the index of the reload logged" \
    "$(grep -c "host $H: search index of" "$LOG")" 2

# a stop while an index is being built: the build is dropped, the stop
# is as quick and clean as ever (stop_zeche: exit 0 within 10 s)
printf '\nnoch ein Absatz\n' >>"$post"
kill -HUP "$ZPID"
wait_log "SIGHUP: reloading"
stop_zeche
ok "a stop during the index's build"
finish
