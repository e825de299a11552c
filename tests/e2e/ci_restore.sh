#!/bin/sh
# A CI job that keeps <git dir>/vaultlint between jobs (the README's
# actions/cache step): each job clones the repository afresh, so every
# file has new stat data, and builds vaultlint afresh. The check state
# then tells an unchanged note by its bytes (their fingerprint, kept in
# the state), not by its stat data, and the key of the state and memo
# names the program by its build id, not by its file's stat data. So:
#   - a fresh clone at the same place with the folder restored checks no
#     note again ("0 of N"), with the report of --no-cache, and saves the
#     new identities: the run after it is a memo hit;
#   - a note edited in that clone is checked, and what its edit breaks;
#   - a note whose bytes changed but not its size, in a fresh clone, is
#     checked (the fingerprint, not the size, decides);
#   - the same program copied elsewhere (another file, same build id) hits
#     the memo.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SUITE=ci_restore
. "$(dirname "$0")/lib/assert.sh"

out=$tmp/out
err=$tmp/err
ref=$tmp/ref
origin=$tmp/origin
r=$tmp/work
mkdir -p "$origin/v/sub" && cd "$origin" || exit 1
git init -q . && git config user.name Test && git config user.email test@example.org
git config commit.gpgsign false
printf '# A\nSee [[Missing]] and [[B#Part]] and [[C#^gone]].\n' > v/A.md
printf '# B\n## Part\nText ^blk\n' > v/B.md
printf '# C\n[[B#^blk]] #tag #Tag\n' > v/sub/C.md
printf '# D\n- [[A]] [[B#Part]] #tag\n' > v/D.md
git add -A && git commit -q --no-verify -m root

# fresh_clone: the CI job's checkout, at the same place each time, with
# the saved folder put back; waits out git's racy rule (two seconds)
fresh_clone() {
	rm -rf "$r"
	git clone -q "$origin" "$r" || exit 1
	[ -d "$tmp/saved" ] && cp -R "$tmp/saved" "$r/.git/vaultlint"
	sleep 2.2
}
# run NAME: check in $r with the trace on; ref: the same with --no-cache
run() {
	(cd "$r" && VAULTLINT_TRACE=1 "$VAULTLINT" check v > "$out" 2> "$err"); rc=$?
	(cd "$r" && "$VAULTLINT" check --no-cache v > "$ref" 2>/dev/null); ref_rc=$?
	if [ "$rc" = "$ref_rc" ] && cmp -s "$out" "$ref"; then
		pass "$1: the report of --no-cache"
	else
		fail "$1: the report of --no-cache" "exit $rc vs $ref_rc"
		diff "$ref" "$out" | sed 's/^/  | /' | head -10
	fi
}
trace_is() {
	if grep -qF -- "trace: check: $2" "$err"; then
		pass "$1"
	else
		fail "$1" "expected the trace 'check: $2'"
		sed 's/^/  | /' "$err" | head -5
	fi
}

fresh_clone
run "first job"
trace_is "first job: a full run" "full run"
cp -R "$r/.git/vaultlint" "$tmp/saved"

fresh_clone
run "next job"
trace_is "next job: no note checked again" "incremental run, 0 of 4 notes checked"
trace_is "next job: the new identities saved" "check state saved"
run "the run after it"
trace_is "the run after it: a memo hit" "memo hit"

# an edit in the job's clone: that note, and C, whose block D's link
# names... here A's dangling [[C#^gone]] is fixed by C gaining ^gone
fresh_clone
printf '# C\n[[B#^blk]] #tag #Tag ^gone\n' > "$r/v/sub/C.md"
sleep 2.2
run "an edit after the restore"
trace_is "an edit after the restore: C and A checked" "incremental run, 2 of 4 notes checked"

# the same size, other bytes: B's block renamed (A's and C's links break)
fresh_clone
printf '# B\n## Part\nText ^blq\n' > "$r/v/B.md"
sleep 2.2
run "same size, other bytes"
has "same size, other bytes: the broken block reference found" "$out" "^blk"
lacks "same size, other bytes: not served untouched" "$err" "0 of 4 notes checked"

# the program copied to another file: its build id is the same
if command -v readelf > /dev/null 2>&1 && readelf -n "$VAULTLINT" 2>/dev/null | grep -q 'Build ID'; then
	cp "$VAULTLINT" "$tmp/vaultlint-copy"
	(cd "$r" && "$VAULTLINT" check v > /dev/null 2>&1)
	(cd "$r" && VAULTLINT_TRACE=1 "$tmp/vaultlint-copy" check v > "$out" 2> "$err")
	trace_is "a copy of the program: a memo hit" "memo hit"
else
	echo "SKIP $SUITE: a copy of the program (no build id to read)"
fi
