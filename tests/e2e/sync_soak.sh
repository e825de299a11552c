#!/bin/sh
# A bounded, seeded soak of `vaultlint sync`: a bare remote and three clones;
# each round one clone, picked at random, makes random edits (appends unique
# marker lines to notes, creates notes, renames notes, deletes notes that
# hold only its own markers) and syncs. The other clones are behind, so
# their next edits conflict now and then. At the end every clone syncs
# twice, and every marker ever written must be in every clone, in a note or
# in a conflict file. Markers in a note its own clone deleted are exempt
# (the deletion was the user's wish); the delete is only done on notes that
# hold no marker of another clone.
#
# SOAK_SEED and SOAK_ROUNDS change the run (default 7 and 15).
set -u
: "${VAULTLINT:?}"
V=$VAULTLINT
export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config"
mkdir -p "$HOME"
# Under AddressSanitizer: libgit2 1.5.1 leaks a pcre2 match block on every
# config regex that does not match (git_regexp_match returns before freeing
# it; git_remote_lookup gets there). Only leaks inside libpcre2 are suppressed.
printf 'leak:libpcre2-8.so\n' > "$T/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp"
unset VAULTLINT_TEST_BEFORE_PUSH 2>/dev/null || true

seed=${SOAK_SEED:-7}
rounds=${SOAK_ROUNDS:-15}
clones="a b c"
state=$seed
# rnd N: a pseudo-random number in [0, N) in $X (a 31-bit LCG).
rnd() {
	state=$(( (state * 1103515245 + 12345) % 2147483648 ))
	X=$(( (state / 65536) % $1 ))
}
# pick_note CLONE: a random note (not a conflict file) in $P, or "".
pick_note() {
	set -- $(cd "$T/$1" && ls *.md 2>/dev/null | grep -v '\.conflict-')
	P=""
	[ $# -gt 0 ] || return 0
	rnd $#
	shift "$X"
	P=$1
}

git init -q --bare -b main "$T/remote.git"
git clone -q "$T/remote.git" "$T/seed" 2>/dev/null
(cd "$T/seed" && git config user.name Seed && git config user.email s@example.com &&
 git checkout -q -b main 2>/dev/null
 for n in 1 2 3 4; do printf '# Note %s\n\ntext\n' "$n" > "note$n.md"; done
 git add -A && git commit -q -m seed && git push -q origin main 2>/dev/null)
for c in $clones; do
	git clone -q "$T/remote.git" "$T/$c" 2>/dev/null
	git -C "$T/$c" config user.name "User $c"
	git -C "$T/$c" config user.email "$c@example.com"
done

: > "$T/markers"      # every marker written
: > "$T/exempt"       # markers deliberately deleted by their own clone
errors=0 conflicts=0 edits=0
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	rnd 3; set -- $clones; shift "$X"; c=$1
	rnd 3; n=$((X + 1))
	i=0
	while [ $i -lt $n ]; do
		i=$((i + 1))
		m="marker-$c-$r-$i"
		rnd 10
		if [ "$X" -lt 5 ]; then
			pick_note "$c"
			[ -n "$P" ] || P="new-$c-$r-$i.md"
			printf '%s\n' "$m" >> "$T/$c/$P"
			echo "$m" >> "$T/markers"
		elif [ "$X" -lt 7 ]; then
			printf '# New\n\n%s\n' "$m" > "$T/$c/new-$c-$r-$i.md"
			echo "$m" >> "$T/markers"
		elif [ "$X" -lt 9 ]; then
			pick_note "$c"
			if [ -n "$P" ]; then
				mv "$T/$c/$P" "$T/$c/ren-$c-$r-$i.md"
				printf '%s\n' "$m" >> "$T/$c/ren-$c-$r-$i.md"
				echo "$m" >> "$T/markers"
			fi
		else
			pick_note "$c"
			# Only a note holding no other clone's marker may go.
			if [ -n "$P" ] && ! grep "^marker-" "$T/$c/$P" | grep -qv "^marker-$c-"; then
				grep "^marker-" "$T/$c/$P" >> "$T/exempt"
				rm "$T/$c/$P"
			fi
		fi
		edits=$((edits + 1))
	done
	(cd "$T/$c" && "$V" sync) >"$T/out" 2>"$T/err"
	rc=$?
	case $rc in
	0) ;;
	1)
		conflicts=$((conflicts + 1))
		# Exit 1 means conflicts, and each reported conflict file exists.
		if ! grep -q '^conflict: ' "$T/out"; then
			errors=$((errors + 1)); echo "  round $r clone $c: exit 1 without a conflict: $(cat "$T/err")"
		fi
		for f in $(sed -n 's/^  .* (yours)  and  \(.*\) (theirs.*/\1/p' "$T/out"); do
			[ -f "$T/$c/$f" ] || { errors=$((errors + 1)); echo "  round $r: $f reported, missing"; }
		done
		;;
	*) errors=$((errors + 1)); echo "  round $r clone $c: exit $rc: $(cat "$T/err")" ;;
	esac
done
for pass in 1 2; do
	for c in $clones; do
		(cd "$T/$c" && "$V" sync) >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -gt 1 ]; then
			errors=$((errors + 1)); echo "  final sync $pass clone $c: exit $rc: $(cat "$T/err")"
		fi
	done
done

checked=0 missing=0
while read -r m; do
	grep -qx -- "$m" "$T/exempt" && continue
	for c in $clones; do
		checked=$((checked + 1))
		if ! grep -rqx --exclude-dir=.git --include='*.md' -- "$m" "$T/$c"; then
			missing=$((missing + 1)); echo "  $c lacks $m"
		fi
	done
done < "$T/markers"
same=1
for c in $clones; do
	[ "$(git -C "$T/$c" rev-parse HEAD)" = "$(git -C "$T/remote.git" rev-parse main)" ] || same=0
	[ -z "$(git -C "$T/$c" status --porcelain)" ] || same=0
done
total=$(wc -l < "$T/markers")
if [ $missing -eq 0 ] && [ $errors -eq 0 ] && [ $same -eq 1 ] && [ "$checked" -gt 0 ]; then
	echo "PASS soak: $rounds rounds, $checked edits checked ($total markers, $edits edits, $conflicts syncs with conflicts, seed $seed)"
else
	echo "FAIL soak: $rounds rounds, $checked edits checked, $missing missing, $errors sync errors, clones agree: $same (seed $seed)"
fi
