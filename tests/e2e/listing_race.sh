#!/bin/sh
# The work-tree walk lists regular files by their folder entries and takes
# their stat data afterwards, on every core. A file gone by then, or that
# became something else, is a listing problem (an invalid-input warning)
# and not part of the vault; the run goes on. An LD_PRELOAD library
# (tests/e2e/shim/listing_race.c) plays the concurrent edit. Skipped where
# it cannot be built or preloaded (no C compiler, a sanitizer build). It
# plays a file swapped for a symlink out of the vault between the listing
# and the read too.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1 HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$here/lib/preload.sh"
preload_build "listing race" "$here/shim/listing_race.c" "$tmp/shim.so"
v="$tmp/vault"
mkdir -p "$v/sub"
printf '# A\n[[Gone]] [[B]]\n' >"$v/A.md"
printf '# B\n' >"$v/sub/B.md"
printf 'x\n' >"$v/sub/Gone.md"
printf 'y\n' >"$v/Dir.md"
# enough files that the stat calls run on a pool of threads too
i=0
while [ $i -lt 600 ]; do printf 'n\n' >"$v/sub/n$i.md"; i=$((i + 1)); done

out=$(cd "$v" && LISTING_RACE_MARK="$tmp/played" LD_PRELOAD="$tmp/shim.so" \
	"$VAULTLINT" check --no-cache . 2>&1)
rc=$?
if [ ! -e "$tmp/played" ]; then
	echo "SKIP listing race: this C library's stat calls do not reach the preload library"
	exit 0
fi
want="A.md:2:1: error: no note or file 'Gone' [broken-link]
Dir.md: warning: changed while the vault was listed; skipped [invalid-input]
sub/Gone.md: warning: cannot read: No such file or directory; skipped [invalid-input]
1 error, 2 warnings, 0 infos in 602 notes"
if [ "$out" = "$want" ] && [ $rc -eq 1 ]; then
	echo "PASS listing race: gone and changed files are problems, the run goes on"
else
	echo "FAIL listing race: gone and changed files are problems, the run goes on"
	echo "  exit $rc, output:"
	echo "$out" | sed 's/^/  /'
fi
# without the library, the same vault lists every file
out=$(cd "$v" && "$VAULTLINT" check --no-cache . 2>&1 | tail -1)
if [ "$out" = "no problems in 604 notes" ]; then
	echo "PASS listing race: the vault as it is"
else
	echo "FAIL listing race: the vault as it is"
	echo "  got: $out"
fi

# Reads resolve beneath the vault's folder in one call; what that refuses
# takes the long way (realpath, checked): a note symlinked by an absolute
# path inside the vault is read, one swapped for a symlink to outside the
# vault after the listing is refused, and the run goes on.
r="$tmp/read"
mkdir -p "$r/sub"
printf 'secret\n' >"$tmp/outside.md"
printf '# A\n[[Abs]]\n' >"$r/A.md"
printf 'swap\n' >"$r/Swap.md"
printf '# R\n[[Nowhere]]\n' >"$r/sub/Real.md"
ln -s "$r/sub/Real.md" "$r/Abs.md"
out=$(cd "$r" && LISTING_RACE_MARK="$tmp/played" LISTING_RACE_OUTSIDE="$tmp/outside.md" \
	LD_PRELOAD="$tmp/shim.so" "$VAULTLINT" check --no-cache . 2>&1)
rc=$?
if [ ! -e "$tmp/played.read" ]; then
	echo "SKIP read race: this C library's syscall calls do not reach the preload library"
	exit 0
fi
want="Abs.md:2:1: error: no note or file 'Nowhere' [broken-link]
Swap.md: warning: refusing to read 'Swap.md': it now points outside the vault [invalid-input]
sub/Real.md:2:1: error: no note or file 'Nowhere' [broken-link]
2 errors, 1 warning, 0 infos in 4 notes"
if [ "$out" = "$want" ] && [ $rc -eq 1 ] && [ -L "$r/Swap.md" ]; then
	echo "PASS read race: a note swapped for a symlink out of the vault is refused"
else
	echo "FAIL read race: a note swapped for a symlink out of the vault is refused"
	echo "  exit $rc, output:"
	echo "$out" | sed 's/^/  /'
fi
