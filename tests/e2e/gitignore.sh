#!/bin/sh
# git ignore rules in the work-tree walk: a .gitignore above the vault, one
# inside a sub-folder, .git/info/exclude. The walk asks git only where rules
# can apply, so each place a rule can come from gets a case.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1 HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name, expected note count, vault dir
	out=$(cd "$3" && "$VAULTLINT" check --no-cache . 2>&1 | tail -1)
	case "$out" in
	*" in $2 note"*) echo "PASS $1" ;;
	*) echo "FAIL $1"; echo "  expected $2 notes, got: $out" ;;
	esac
}

mk() { # repo dir: a vault in content/ with a broken link in every note
	git init -q "$1"
	mkdir -p "$1/content/sub" "$1/content/other" "$1/content/drafts"
	for f in a.md sub/secret.md other/secret.md drafts/d.md x.tmp.md; do
		printf '[[nowhere]]\n' >"$1/content/$f"
	done
}

r="$tmp/none"; mk "$r"
check "no rules: every note" 5 "$r/content"

r="$tmp/above"; mk "$r"
printf 'content/drafts/\n' >"$r/.gitignore"
check ".gitignore above the vault" 4 "$r/content"

r="$tmp/nested"; mk "$r"
printf 'secret.md\n' >"$r/content/sub/.gitignore"
check "nested .gitignore covers its folder only" 4 "$r/content"
out=$(cd "$r/content" && "$VAULTLINT" check --no-cache . 2>&1)
if echo "$out" | grep -q '^other/secret.md' && ! echo "$out" | grep -q '^sub/secret.md'; then
	echo "PASS nested .gitignore: the right file"
else
	echo "FAIL nested .gitignore: the right file"; echo "$out" | sed 's/^/  /'
fi

r="$tmp/exclude"; mk "$r"
printf '# comment\n*.tmp.md\n' >"$r/.git/info/exclude"
check ".git/info/exclude" 4 "$r/content"
# a linked work tree (git worktree add) reads info/exclude from the common
# git folder, its own has none: the rule holds there too (it was missed)
git -C "$r" -c user.name=T -c user.email=t@example.org commit -q --allow-empty -m root
git -C "$r" worktree add -q "$tmp/linked" 2>/dev/null
mk "$tmp/linked-files" && cp -R "$tmp/linked-files/content" "$tmp/linked/"
check ".git/info/exclude in a linked work tree" 4 "$tmp/linked/content"

r="$tmp/comments"; mk "$r"
printf '# only a comment\n\n' >"$r/.git/info/exclude"
check "an exclude file of comments ignores nothing" 5 "$r/content"

# A tracked file is never ignored (as git has it), in every mode alike:
# drafts/ is ignored, drafts/d.md was added with `git add -f`,
# drafts/u.md is not tracked. The plain check, --changed-since and
# --staged all see d.md (its finding, and the link to it resolves);
# none sees u.md.
r="$tmp/tracked"; mk "$r"
printf 'content/drafts/\n' >"$r/.gitignore"
printf '[[d]]\n' >"$r/content/a.md"
printf '[[nowhere]]\n' >"$r/content/drafts/u.md"
git -C "$r" -c user.name=T -c user.email=t@example.org commit -q --allow-empty -m empty
git -C "$r" add -A && git -C "$r" add -f content/drafts/d.md
git -C "$r" -c user.name=T -c user.email=t@example.org commit -q -m notes
check "a tracked file in an ignored folder is checked" 5 "$r/content"
for mode in "" "--changed-since HEAD~1"; do
	out=$(cd "$r/content" && "$VAULTLINT" check --no-cache $mode . 2>&1)
	if echo "$out" | grep -q "^drafts/d.md:1:1: error: no note or file 'nowhere'" &&
	    ! echo "$out" | grep -q "^drafts/u.md" && ! echo "$out" | grep -q "^a.md"; then
		echo "PASS tracked and ignored: check ${mode:-(plain)}"
	else
		echo "FAIL tracked and ignored: check ${mode:-(plain)}"; echo "$out" | sed 's/^/  /'
	fi
done
printf '[[nowhere2]]\n' >"$r/content/drafts/d.md"
git -C "$r" add -f content/drafts/d.md
out=$(cd "$r/content" && "$VAULTLINT" check --no-cache --staged . 2>&1)
if echo "$out" | grep -q "^drafts/d.md:1:1: error: no note or file 'nowhere2'" &&
    ! echo "$out" | grep -q "^a.md"; then
	echo "PASS tracked and ignored: check --staged"
else
	echo "FAIL tracked and ignored: check --staged"; echo "$out" | sed 's/^/  /'
fi

# ---- a .gitignore that is not a file ----
# libgit2 opens every .gitignore it needs and follows symlinks: a FIFO
# hangs it (as it hangs git) and a symlink is read wherever it points.
# The walk reports such a file (invalid-input) and asks git nothing in its
# folder and below; what makes libgit2 walk the work tree itself (a diff
# with it, staging) refuses, naming the file. Every run is under a
# timeout: a hang is a FAIL, not a stuck suite.
GIT_CONFIG_NOSYSTEM=1; export GIT_CONFIG_NOSYSTEM
# Under AddressSanitizer, as in sync.sh: libgit2 1.5.1 leaks a pcre2 match
# block on every config regex that does not match (commit and sync get
# there). Only leaks inside libpcre2 are suppressed.
printf 'leak:libpcre2-8.so\n' >"$tmp/lsan.supp"
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$tmp/lsan.supp"; export LSAN_OPTIONS
gitc() { git -c user.name=T -c user.email=t@example.org "$@"; }

# run DIR ARGS...: vaultlint in DIR; sets OUT and RC (124: it hung).
run() {
	d=$1; shift
	OUT=$(cd "$d" && timeout 20 "$VAULTLINT" "$@" </dev/null 2>&1); RC=$?
}
# expect NAME RC PATTERN...: PASS when the last run exited RC and its
# output matches every (extended) pattern.
expect() {
	name=$1 want=$2; shift 2
	ok=1
	[ "$RC" = "$want" ] || ok=0
	for p in "$@"; do
		printf '%s\n' "$OUT" | grep -qE -- "$p" || ok=0
	done
	if [ $ok = 1 ]; then echo "PASS $name"; else
		echo "FAIL $name"; echo "  exit $RC (expected $want)"
		printf '%s\n' "$OUT" | sed 's/^/  /'
	fi
}

# same REPO [REMOTE]: adds "HEAD unchanged" (and "main unchanged") to OUT
# when REPO's HEAD (and REMOTE's main) is still $head.
same() {
	[ "$(git -C "$1" rev-parse HEAD)" = "$head" ] && OUT="$OUT
HEAD unchanged"
	[ -n "${2:-}" ] && [ "$(git -C "$2" rev-parse main)" = "$head" ] && OUT="$OUT
main unchanged"
	return 0
}

# A committed repository: a.md, sub/b.md, other/t.md (ignored by the root
# .gitignore, whose rule must still hold), then sub/b.md edited and staged
# and sub/c.md new: one staged note, two changed since HEAD.
mkrepo() {
	git init -q "$1"
	git -C "$1" config user.name T && git -C "$1" config user.email t@example.org
	mkdir -p "$1/sub" "$1/other"
	printf '# A\n' >"$1/a.md"; printf '# B\n' >"$1/sub/b.md"
	printf '[[nowhere]]\n' >"$1/other/t.md"; printf 'other/t.md\n' >"$1/.gitignore"
	git -C "$1" add -A && git -C "$1" commit -q -m notes
	printf '# B\n\nmore\n' >"$1/sub/b.md"; git -C "$1" add sub/b.md
	printf '# C\n' >"$1/sub/c.md"
}

for where in sub root; do
	r="$tmp/fifo-$where"; mkrepo "$r"
	if [ $where = sub ]; then gi=sub/.gitignore; rx='sub/\.gitignore'; scope="in 'sub' and below"
	else rm "$r/.gitignore"; gi=.gitignore; rx='\.gitignore'; scope='anywhere in the vault'; fi
	mkfifo "$r/$gi"
	run "$r" check --no-cache
	# in sub/: other/t.md stays ignored by the root .gitignore
	if [ $where = sub ]; then n=3 errs=0 want=0; else n=4 errs=1 want=1; fi
	expect "FIFO $gi: check reports it and goes on" $want \
		"^$rx: warning: a FIFO, not a file: .*no git ignore rules apply $scope; remove it or make it a file \[invalid-input\]$" \
		"^$errs errors?, 1 warning, 0 infos in $n notes$"
	run "$r" check --no-cache --staged
	expect "FIFO $gi: check --staged (reads no .gitignore)" 0 '^no problems in 1 note$'
	run "$r" check --no-cache --changed-since HEAD
	expect "FIFO $gi: check --changed-since refuses, naming it" 2 \
		"cannot compare with the work tree: '$rx' is a FIFO, not a file: .*; remove it or make it a file"
	run "$r" changelog --worktree
	expect "FIFO $gi: changelog --worktree refuses, naming it" 2 \
		"cannot compare with the work tree: '$rx' is a FIFO, not a file: "
	head=$(git -C "$r" rev-parse HEAD)
	run "$r" commit -m x; same "$r"
	expect "FIFO $gi: commit refuses, naming it, and commits nothing" 2 \
		"refusing to start: '$rx' is a FIFO, not a file: .*; remove it or make it a file" \
		"^HEAD unchanged$"
	# sync: a bare remote and a clone of it
	git init -q --bare -b main "$r.git"
	git -C "$r" push -q "$r.git" HEAD:main 2>/dev/null
	git clone -q "$r.git" "$r.clone" 2>/dev/null
	git -C "$r.clone" config user.name T && git -C "$r.clone" config user.email t@example.org
	printf '# D\n' >"$r.clone/d.md"
	rm -f "$r.clone/$gi"; mkfifo "$r.clone/$gi"
	run "$r.clone" sync; same "$r.clone" "$r.git"
	expect "FIFO $gi: sync refuses, naming it, and commits and pushes nothing" 2 \
		"refusing to start: '$rx' is a FIFO, not a file: .*; remove it or make it a file" \
		"^HEAD unchanged$" "^main unchanged$"
done

# A symlinked .gitignore to a file outside the repository that ignores
# every note: not read, so the notes under it are still checked.
mkdir -p "$tmp/outside"; printf '*.md\n' >"$tmp/outside/ignore"
for where in sub root; do
	r="$tmp/link-$where"; mkrepo "$r"
	if [ $where = sub ]; then gi=sub/.gitignore; rx='sub/\.gitignore'; scope="in 'sub' and below"
	else rm "$r/.gitignore"; gi=.gitignore; rx='\.gitignore'; scope='anywhere in the vault'; fi
	ln -s "$tmp/outside/ignore" "$r/$gi"
	run "$r" check --no-cache
	if [ $where = sub ]; then n=3 errs=0 want=0; else n=4 errs=1 want=1; fi
	expect "symlinked $gi: its rules are not applied, and it is reported" $want \
		"^$rx: warning: a symlink, not a file: git does not follow .*no git ignore rules apply $scope; remove it or make it a file \[invalid-input\]$" \
		"^$errs errors?, 1 warning, 0 infos in $n notes$"
	run "$r" check --no-cache --changed-since HEAD
	expect "symlinked $gi: check --changed-since refuses, naming it" 2 \
		"cannot compare with the work tree: '$rx' is a symlink, not a file"
	head=$(git -C "$r" rev-parse HEAD)
	run "$r" commit -m x; same "$r"
	expect "symlinked $gi: commit refuses, naming it, and commits nothing" 2 \
		"refusing to start: '$rx' is a symlink, not a file" "^HEAD unchanged$"
done

# A .gitattributes that is a FIFO (git add hangs on it, and so did
# commit) or a symlink out of the repository (git does not follow it;
# sync's check for LFS filters read it): staging reads every one, so
# commit and sync refuse, naming it; check never reads one.
for kind in FIFO symlink; do
	r="$tmp/attr-$kind"; mkrepo "$r"
	# the remote first: git's own push reads the .gitattributes (and
	# hangs on a FIFO)
	git init -q --bare -b main "$r.git"
	git -C "$r" push -q "$r.git" HEAD:main 2>/dev/null
	git clone -q "$r.git" "$r.clone" 2>/dev/null
	if [ $kind = FIFO ]; then mkfifo "$r/sub/.gitattributes"
	else printf '* filter=lfs\n' >"$tmp/outside/attributes"
		ln -s "$tmp/outside/attributes" "$r/sub/.gitattributes"; fi
	run "$r" check --no-cache
	expect "$kind sub/.gitattributes: check does not read it" 0 "^0 errors, 0 warnings, 0 infos in 3 notes$|^no problems in 3 notes$"
	head=$(git -C "$r" rev-parse HEAD)
	run "$r" commit -m x; same "$r"
	expect "$kind sub/.gitattributes: commit refuses, naming it, and commits nothing" 2 \
		"refusing to start: 'sub/\.gitattributes' is a $kind, not a file: .*; remove it or make it a file" \
		"^HEAD unchanged$"
	git -C "$r.clone" config user.name T && git -C "$r.clone" config user.email t@example.org
	printf '# D\n' >"$r.clone/d.md"
	if [ $kind = FIFO ]; then mkfifo "$r.clone/sub/.gitattributes"
	else ln -s "$tmp/outside/attributes" "$r.clone/sub/.gitattributes"; fi
	run "$r.clone" sync; same "$r.clone" "$r.git"
	expect "$kind sub/.gitattributes: sync refuses, naming it, and commits and pushes nothing" 2 \
		"refusing to start: 'sub/\.gitattributes' is a $kind, not a file: " \
		"^HEAD unchanged$" "^main unchanged$"
done

# Above the vault (the vault is content/) and in .git/info/exclude: git
# is asked nothing in the vault.
r="$tmp/fifo-above"; mk "$r"
mkfifo "$r/.gitignore"
run "$r/content" check --no-cache .
expect "FIFO .gitignore above the vault" 1 \
	"^\.\./\.gitignore: warning: a FIFO, not a file: .*anywhere in the vault; remove it or make it a file \[invalid-input\]$" \
	" in 5 notes"
r="$tmp/fifo-exclude"; mk "$r"
git -C "$r" add -A && gitc -C "$r" commit -q -m notes
rm -f "$r/.git/info/exclude"; mkfifo "$r/.git/info/exclude"
run "$r/content" check --no-cache .
expect "FIFO .git/info/exclude" 1 "/\.git/info/exclude: warning: a FIFO, not a file: " " in 5 notes"
run "$r/content" check --no-cache --changed-since HEAD .
expect "FIFO .git/info/exclude: check --changed-since refuses" 2 \
	"cannot compare with the work tree: '.*/\.git/info/exclude' is a FIFO"
