# lib.sh: what the tests/dist/test_*.sh checks share, sourced by each.
# ok and not_ok count and print TAP-like lines (not_ok shows a detail,
# indented); finish prints "N passed, N failed" and exits 0 only when
# nothing failed.
set -u
: "${ZECHE_SOURCE_DIR:?}"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -60 | sed 's/^/#   /'
	return 0
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
