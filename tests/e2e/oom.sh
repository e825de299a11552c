#!/bin/sh
# Running out of memory is an error (exit 2, "out of memory" or the
# system's "Cannot allocate memory" on stderr) or, for one note too large
# to read, a finding about that note; it never changes a report silently
# and never crashes. An LD_PRELOAD library (tests/e2e/shim/oom.c) makes
# one allocation fail: each of the first to the last of a run in turn.
# Two sweeps of a check of the example vault (text with one thread, SARIF
# with two), outside a git repository, so that only vaultlint's own code
# and md4c, libyaml and pcre2 are met; then one of `changelog --worktree`
# on a small repository with changes in its work tree, where libgit2's
# own allocations are left alone (VL_OOM_SKIP: libgit2 1.5 crashes on
# some failed allocations of its own, in git_libgit2_init and when it
# reads a repository) and a changelog must come out whole or not at all:
# a note of the work tree that memory ran out reading is an error, never
# a note left out. Skipped where the library cannot be built or preloaded
# (a sanitizer build).
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1 HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$here/lib/preload.sh"
preload_build "out of memory" "$here/shim/oom.c" "$tmp/oom.so"
cp -R "$here/../../examples/garden" "$tmp/vault"
cd "$tmp/vault" || exit 1
if git rev-parse --git-dir >/dev/null 2>&1; then
	echo "SKIP out of memory: $tmp is inside a git repository"
	exit 0
fi

# sweep NAME RC ARGS...: every allocation of `vaultlint ARGS` (which exits
# RC when nothing fails) failing in turn. A check may report a note it
# could not read for memory; nothing else on stdout or stderr may differ
# from the run with no failure.
sweep() {
	name=$1 want_rc=$2
	shift 2
	VL_OOM_COUNT="$tmp/count" LD_PRELOAD="$tmp/oom.so" \
		"$VAULTLINT" "$@" >"$tmp/ref" 2>"$tmp/ref.err"
	ref_rc=$?
	total=$(cat "$tmp/count" 2>/dev/null || echo 0)
	if [ "$total" -lt 100 ] || [ $ref_rc -ne "$want_rc" ]; then
		echo "FAIL out of memory, $name: the run without a failure (exit $ref_rc, $total allocations)"
		sed 's/^/  | /' "$tmp/ref.err" | head -5
		return
	fi
	bad=0 errors=0 notes=0 n=1
	: >"$tmp/bad"
	while [ $n -le "$total" ]; do
		VL_OOM_AT=$n LD_PRELOAD="$tmp/oom.so" timeout 60 \
			"$VAULTLINT" "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -eq 2 ] && grep -qE 'out of memory|Cannot allocate memory' "$tmp/err"; then
			errors=$((errors + 1))
		elif [ $rc -eq $ref_rc ] && cmp -s "$tmp/out" "$tmp/ref" && cmp -s "$tmp/err" "$tmp/ref.err"; then
			:
		elif [ "$1" = check ] && [ $rc -eq 1 ] && grep -q "out of memory reading '" "$tmp/out"; then
			notes=$((notes + 1))
		else
			bad=$((bad + 1))
			[ $bad -le 5 ] && {
				echo "  allocation $n: exit $rc"
				diff "$tmp/ref" "$tmp/out" | grep '^[<>]' | head -3
				head -3 "$tmp/err"
			} | sed 's/^/  /' >>"$tmp/bad"
		fi
		n=$((n + 1))
	done
	if [ $bad -eq 0 ] && [ $errors -gt 0 ]; then
		echo "PASS out of memory, $name: $total allocations failed in turn ($errors errors, $notes notes not read, the rest the same report)"
	else
		echo "FAIL out of memory, $name: $bad of $total failed allocations changed the report or crashed"
		cat "$tmp/bad"
	fi
}

sweep "text, one thread" 1 check --threads 1 --no-cache .
sweep "sarif, two threads" 1 check --threads 2 --no-cache --format sarif .

# changelog --worktree: a note edited, one added, one renamed (which
# makes the changelog read every note of the work tree for links left
# behind), all read from the work tree
repo=$tmp/repo
mkdir -p "$repo/notes" && cd "$repo" || exit 1
git init -q . && git config user.name test && git config user.email test@example.org &&
	git config commit.gpgsign false || exit 1
printf '# Papers\n\n- [One](https://example.org/one) #PAPER\n' > notes/Papers.md
printf '# Old\nText.\n' > notes/Old.md
printf '# Index\nSee [[Old]] and [[Papers]].\n' > Index.md
git add -A && git commit -q -m root || exit 1
printf '# Papers\n\n- [One](https://example.org/one) #PAPER\n- [Two](https://example.org/two) #PAPER\n' > notes/Papers.md
printf '# New\nSee [[Papers]].\n' > notes/New.md
git mv notes/Old.md notes/Renamed.md
VL_OOM_SKIP=libgit2 sweep "changelog --worktree" 0 changelog --worktree --no-cache
