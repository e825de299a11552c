#!/bin/sh
# Running out of memory is an error (exit 2, "out of memory" or the
# system's "Cannot allocate memory" on stderr) or, for one note too large
# to read, a finding about that note; it never changes a report silently
# and never crashes. An LD_PRELOAD library (tests/e2e/shim/oom.c) makes
# one allocation fail: each of the first to the last of a check of the
# example vault in turn, in two sweeps (text with one thread, SARIF with
# two). Outside a git repository, so that only vaultlint's own code and
# md4c, libyaml and pcre2 are met (libgit2 1.5 crashes on some failed
# allocations of its own, in git_libgit2_init and when it reads a
# repository). Skipped where the library cannot be built or preloaded (a
# sanitizer build).
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

# sweep NAME ARGS...: every allocation of `vaultlint ARGS` failing in turn
sweep() {
	name=$1
	shift
	VL_OOM_COUNT="$tmp/count" LD_PRELOAD="$tmp/oom.so" \
		"$VAULTLINT" "$@" >"$tmp/ref" 2>"$tmp/ref.err"
	ref_rc=$?
	total=$(cat "$tmp/count" 2>/dev/null || echo 0)
	if [ "$total" -lt 100 ] || [ $ref_rc -ne 1 ]; then
		echo "FAIL out of memory, $name: the run without a failure (exit $ref_rc, $total allocations)"
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
		elif [ $rc -eq $ref_rc ] && cmp -s "$tmp/out" "$tmp/ref"; then
			:
		elif [ $rc -eq 1 ] && grep -q "out of memory reading '" "$tmp/out"; then
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

sweep "text, one thread" check --threads 1 --no-cache .
sweep "sarif, two threads" check --threads 2 --no-cache --format sarif .
