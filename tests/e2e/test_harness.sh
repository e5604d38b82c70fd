# The harness itself: a test whose programs are missing, or whose gemget
# picks no port, fails at once with a message, instead of waiting for
# ctest's timeout.
. "$(dirname "$0")/lib.sh"

# harness GEMGET: a test that starts zeche, run with that GEMGET (20 s
# at most; 124 means it hung); its status in $rc, its output in $out
harness() {
	out=$(GEMGET=$1 timeout 20 bash -c \
	    '. "$1"; start_zeche; echo "zeche started"; finish' _ \
	    "$ZECHE_SOURCE_DIR/tests/e2e/lib.sh" 2>&1)
	rc=$?
}

harness "$WORK/no-such-gemget"
expect_eq "GEMGET names no file: the test fails at once" \
    "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo failed)" failed
expect_contains "and says which program is missing" "$out" \
    "no program $WORK/no-such-gemget"

harness "$(type -P false)"
expect_eq "a gemget that picks no port: the start fails at once" \
    "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo failed)" failed
expect_contains "and says zeche did not start" "$out" \
    "not ok - zeche starts and listens"
expect_not_contains "nothing after it runs" "$out" "zeche started"
finish
