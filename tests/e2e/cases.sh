#!/bin/sh
# End-to-end cases as data (in the manner of md4c's and cmark's spec
# files): each folder tests/e2e/cases/NAME holds
#   args      the arguments to vaultlint (one line, shell words), run with
#             the case folder as the current folder (fixtures: ./vault)
#   expected  the exact standard output
#   status    the expected exit code (default 0)
#   stderr    optional: text that standard error must contain (grep -F)
# Adding a case means adding files, not code.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VAULTLINT:?}"
export NO_COLOR=1
for dir in "$here"/cases/*/; do
	[ -f "$dir/args" ] || continue
	name=$(basename "$dir")
	want_status=0
	[ -f "$dir/status" ] && want_status=$(cat "$dir/status")
	out=$(mktemp); err=$(mktemp)
	(cd "$dir" && eval "\"\$VAULTLINT\" $(cat args)") >"$out" 2>"$err" </dev/null
	status=$?
	ok=1
	if [ "$status" != "$want_status" ]; then
		ok=0; echo "  $name: exit $status, expected $want_status"
	fi
	if [ -f "$dir/expected" ] && ! diff -u "$dir/expected" "$out" >/dev/null; then
		ok=0; diff -u "$dir/expected" "$out" | head -20 | sed 's/^/  /'
	fi
	if [ -f "$dir/stderr" ] && ! grep -qF -e "$(cat "$dir/stderr")" "$err"; then
		ok=0; echo "  $name: stderr lacks: $(cat "$dir/stderr")"; sed 's/^/  | /' "$err" | head -5
	fi
	if [ $ok = 1 ]; then echo "PASS $name"; else echo "FAIL $name"; fi
	rm -f "$out" "$err"
done
