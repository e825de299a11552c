#!/bin/sh
# A git submodule in the vault: Obsidian sees its folder as folders of the
# vault, and so does `check` on the work tree. The git snapshots read the
# same notes: in the index (`check --staged`, the pre-commit hook) and in
# a commit, a gitlink stands for the files of the commit it records. A
# submodule that cannot be read here (not initialised, its commit not
# fetched) is said once, as a warning. Repositories are built in a temp
# folder.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SUITE=submodule
. "$(dirname "$0")/lib/assert.sh"

# same NAME A B: files A and B are equal
same() {
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1"; diff "$2" "$3" | head -10 | sed 's/^/  | /'; fi
}
# differ NAME A B: files A and B are not equal
differ() {
	if cmp -s "$2" "$3"; then fail "$1" "both are:"; sed 's/^/  | /' "$2" | head -10; else pass "$1"; fi
}

export GIT_AUTHOR_NAME=Test GIT_AUTHOR_EMAIL=test@example.org
export GIT_COMMITTER_NAME=Test GIT_COMMITTER_EMAIL=test@example.org
export GIT_AUTHOR_DATE="2024-01-01T10:00:00Z" GIT_COMMITTER_DATE="2024-01-01T10:00:00Z"
# `git submodule add` from a local path needs protocol.file.allow
export GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=protocol.file.allow GIT_CONFIG_VALUE_0=always
export GIT_CONFIG_KEY_1=commit.gpgsign GIT_CONFIG_VALUE_1=false

out=$tmp/out
err=$tmp/err
want=$tmp/want

# shared notes (with a hidden folder, a symlink and a nested submodule)
# added as content/lib to a vault in content/
mkdir -p "$tmp/inner" "$tmp/shared/.hidden" "$tmp/repo/content"
(cd "$tmp/inner" && git init -q . && printf '# Inner\n\n## Deep\n' > Inner.md &&
	git add -A && git commit -q -m inner)
(cd "$tmp/shared" && git init -q . &&
	printf '# Sub\n\n## H\n\nText ^b1\n\n[[A]] [[Nowhere]]\n' > Sub.md &&
	printf '# Secret\n' > .hidden/Secret.md && ln -s Sub.md Link.md &&
	git submodule add -q "$tmp/inner" inner && git add -A && git commit -q -m shared)
r=$tmp/repo
cd "$r" || exit 1
git init -q . && printf 'vault: content\n' > .vaultlint.yaml && printf '# A\n' > content/A.md &&
	git add -A && git commit -q -m root &&
	git submodule add -q "$tmp/shared" content/lib && git submodule update -q --init --recursive &&
	git commit -q -m "shared notes"

# links into the submodule, right and wrong: note, heading, block, a
# symlink of it, a hidden folder of it, a note of its own submodule
printf '# A\n\n[[Sub#H]] [[Sub#Nope]]\n[[Sub#^b1]] [[Sub#^zz]]\n[[Link#H]] [[Secret]]\n[[Inner#Deep]] [[Inner#Gone]]\n' > content/A.md
git add content/A.md
cat > "$want" <<'EOF'
A.md:3:11: error: no heading 'Nope' in 'lib/Sub.md' [broken-heading-link]
A.md:4:13: error: no block '^zz' in 'lib/Sub.md' [dangling-block-ref]
A.md:5:12: error: no note or file 'Secret' [broken-link]
A.md:6:16: error: no heading 'Gone' in 'lib/inner/Inner.md' [broken-heading-link]
lib/Link.md:7:7: error: no note or file 'Nowhere' [broken-link]
lib/Sub.md:7:7: error: no note or file 'Nowhere' [broken-link]
6 errors, 0 warnings, 0 infos in 4 notes
EOF
"$VAULTLINT" check > "$out" 2> "$err"
is_rc "work tree: exit 1" $? 1
same "work tree: the submodule's notes are the vault's" "$want" "$out"
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
is_rc "--staged --all: exit 1, as the work tree" $? 1
same "--staged --all: the work tree's report" "$want" "$out"
"$VAULTLINT" check --staged --all --no-cache > "$out" 2> "$err"
same "--staged --all --no-cache: the same" "$want" "$out"
grep '^A\.md' "$want" > "$tmp/want-a" && printf '4 errors, 0 warnings, 0 infos in 1 note\n' >> "$tmp/want-a"
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "--staged: exit 1" $? 1
same "--staged: the staged note's findings, links into the submodule resolved" "$tmp/want-a" "$out"
"$VAULTLINT" check --staged --no-cache > "$out" 2> "$err"
same "--staged --no-cache: the same" "$tmp/want-a" "$out"

# the pre-commit hook lets a note whose links into the submodule are
# right be committed
"$VAULTLINT" hook install > /dev/null 2>&1
printf '# A\n\n[[Sub#H]] [[Sub#^b1]] [[Link#H]] [[Inner#Deep]]\n' > content/A.md
git add content/A.md
git commit -q -m "links into the submodule" > "$out" 2>&1
is_rc "the pre-commit hook: right links into the submodule commit (exit 0)" $? 0
printf '# A\n\n[[Sub#H]] [[Sub#Nope]]\n[[Sub#^b1]] [[Sub#^zz]]\n[[Link#H]] [[Secret]]\n[[Inner#Deep]] [[Inner#Gone]]\n' > content/A.md
git add content/A.md
git commit -q -m "wrong links" > "$out" 2>&1
is_rc "the pre-commit hook: wrong links into the submodule stop the commit" $? 1
has "the pre-commit hook: says which" "$out" "A.md:3:11: error: no heading 'Nope' in 'lib/Sub.md'"
git commit -q --no-verify -m "wrong links"

# a new submodule commit staged (the gitlink bumped) changes the report:
# the heading it renamed breaks unchanged links into it; the memo, the
# check state of the index and the cache of parsed notes follow
"$VAULTLINT" check --staged --all > /dev/null 2>&1 # the state of the index
"$VAULTLINT" check --staged > "$tmp/before" 2>&1
(cd content/lib && printf '# Sub\n\n## H2\n\nText ^b1\n\n[[A]] [[Nowhere]]\n' > Sub.md &&
	git commit -q -am "rename H")
git add content/lib
cat > "$want" <<'EOF'
A.md:3:1: error: no heading 'H' in 'lib/Sub.md' (did you mean 'H2'?) [broken-heading-link]
A.md:5:1: error: no heading 'H' in 'lib/Link.md' (did you mean 'H2'?) [broken-heading-link]
lib/Sub.md:7:7: error: no note or file 'Nowhere' [broken-link]
3 errors, 0 warnings, 0 infos in 1 note
EOF
VAULTLINT_TRACE=1 "$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "gitlink bumped: exit 1" $? 1
differ "gitlink bumped: not the report from before" "$tmp/before" "$out"
same "gitlink bumped: the links it broke, and the changed note's findings" "$want" "$out"
"$VAULTLINT" check --staged --no-cache > "$out" 2> "$err"
same "gitlink bumped: --no-cache says the same" "$want" "$out"
VAULTLINT_TRACE=1 "$VAULTLINT" check --staged --all > "$out" 2> "$err"
has "gitlink bumped: --staged --all from the check state" "$err" "incremental run"
"$VAULTLINT" check --staged --all --no-cache > "$tmp/all" 2> "$err"
same "gitlink bumped: --staged --all as --no-cache" "$tmp/all" "$out"
"$VAULTLINT" check > "$out" 2> "$err"
same "gitlink bumped: --staged --all as the work tree" "$tmp/all" "$out"
# bumped again, to a commit with the same names: the memo must miss
cp "$want" "$tmp/before"
(cd content/lib && printf '# Sub\n\n## H2\n\nText ^b1\n\n[[A]]\n' > Sub.md &&
	git commit -q -am "fix Nowhere")
git add content/lib
"$VAULTLINT" check --staged > "$out" 2> "$err"
differ "gitlink bumped again: not the remembered report" "$tmp/before" "$out"
"$VAULTLINT" check --staged --no-cache > "$want" 2> "$err"
same "gitlink bumped again: as --no-cache" "$want" "$out"
lacks "gitlink bumped again: the fixed link is gone" "$out" "Nowhere"
git commit -q --no-verify -m "bump shared notes"

# changelog: the submodule's notes changed with its commit
"$VAULTLINT" changelog --format text HEAD~1..HEAD > "$out" 2> "$err"
is_rc "changelog across a bump: exit 0" $? 0
has "changelog across a bump: the submodule's note changed" "$out" "M lib/Sub.md"

# a commit recorded but not in the submodule's repository (not fetched)
head_sub=$(git rev-parse HEAD:content/lib)
git update-index --cacheinfo "160000,1111111111111111111111111111111111111111,content/lib"
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "commit not fetched: the links it leaves broken (exit 1)" $? 1
has "commit not fetched: said once, as a warning" "$out" \
	"lib: warning: submodule 'content/lib': its commit 1111111 is not in its repository here (not fetched): its notes are not known [invalid-input]"
has "commit not fetched: links into it broken" "$out" "A.md:3:1: error: no note or file 'Sub' [broken-link]"
"$VAULTLINT" check --staged --no-cache > "$want" 2> "$err"
same "commit not fetched: as --no-cache" "$want" "$out"
git update-index --cacheinfo "160000,$head_sub,content/lib"

# a submodule deinitialised (its folder emptied, its repository kept in
# .git/modules): the index still records its commit, read from there
"$VAULTLINT" check --staged --all --no-cache > "$want" 2> "$err"
git submodule deinit -q -f content/lib
"$VAULTLINT" check --staged --all --no-cache > "$out" 2> "$err"
same "deinitialised: --staged --all reads its commit as before" "$want" "$out"
lacks "deinitialised: no warning" "$out" "submodule"
git submodule update -q --init --recursive

# a clone without --recurse-submodules: the submodule's folder is empty in
# the work tree and its commit is nowhere here. The links into it are
# broken in the work tree and in the index; the index says why, once.
c=$tmp/clone
git clone -q "$r" "$c" && cd "$c" || exit 1
printf '\nMore.\n' >> content/A.md && git add content/A.md
"$VAULTLINT" check > "$tmp/wt" 2> "$err"
is_rc "not initialised: the work tree's links into it are broken (exit 1)" $? 1
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "not initialised: --staged exits 1, as the work tree" $? 1
has "not initialised: --staged says why" "$out" \
	"lib: warning: submodule 'content/lib' (commit ${head_sub%"${head_sub#???????}"}) is not checked out here: its notes are not known [invalid-input]"
is_rc "not initialised: said once" "$(grep -c 'submodule' "$out")" 1
grep -v '^lib: warning: submodule\|^[0-9]* error' "$out" > "$tmp/staged-findings"
grep -v '^[0-9]* error' "$tmp/wt" > "$tmp/wt-findings"
same "not initialised: --staged finds the work tree's broken links" "$tmp/wt-findings" "$tmp/staged-findings"
has "not initialised: a link into it is broken" "$out" "A.md:3:1: error: no note or file 'Sub' [broken-link]"
"$VAULTLINT" check --staged --no-cache > "$want" 2> "$err"
same "not initialised: --staged as --no-cache" "$want" "$out"
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
is_rc "not initialised: --staged --all exits 1" $? 1
is_rc "not initialised: --staged --all says it once" "$(grep -c 'submodule' "$out")" 1
# the warning alone does not stop a commit
git reset -q && git checkout -q -- content/A.md
printf '# Other\n' > content/Other.md && git add content/Other.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "not initialised, nothing linked: a warning, exit 0" $? 0
has "not initialised, nothing linked: still says why" "$out" "is not checked out here"
"$VAULTLINT" check --staged --fail-on warning > "$out" 2> "$err"
is_rc "not initialised, --fail-on warning: exit 1" $? 1
# initialised from where it came from, which lacks the commits made in
# the first superproject's submodule: its repository is here, the
# commit recorded is not
git submodule update -q --init --recursive > /dev/null 2>&1
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
has "commit not fetched in the clone: said" "$out" \
	"lib: warning: submodule 'content/lib': its commit ${head_sub%"${head_sub#???????}"} is not in its repository here (not fetched): its notes are not known [invalid-input]"
# fetched: the notes are read, as in the first superproject
(cd "$r/content/lib" && git push -q origin HEAD:refs/heads/bumped)
git submodule update -q --init --recursive
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
lacks "initialised in the clone: no warning" "$out" "submodule"
"$VAULTLINT" check > "$want" 2> "$err"
same "initialised in the clone: --staged --all as the work tree" "$want" "$out"

# the submodule's folder swapped for a symlink to a repository that has
# its commit (here, the first superproject's submodule, out of this
# repository): no repository is read through it
c2=$tmp/clone2
git clone -q "$r" "$c2" && cd "$c2" || exit 1
rmdir content/lib && ln -s "$r/content/lib" content/lib
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
has "a symlink for the submodule's folder: not followed to a repository" "$out" \
	"lib: warning: submodule 'content/lib' (commit ${head_sub%"${head_sub#???????}"}) is not checked out here: its notes are not known [invalid-input]"
has "a symlink for the submodule's folder: the links into it are broken" "$out" \
	"A.md:3:1: error: no note or file 'Sub' [broken-link]"

# nothing of the submodule or the superproject was written
cd "$r" || exit 1
if [ -z "$(git status --porcelain --ignore-submodules=none)" ] &&
	[ -z "$(git -C content/lib status --porcelain)" ]; then
	pass "the repositories are as they were"
else
	fail "the repositories are as they were" "$(git status --porcelain --ignore-submodules=none)"
fi
if git fsck --no-progress > "$err" 2>&1 && git -C content/lib fsck --no-progress >> "$err" 2>&1; then
	pass "git fsck: both repositories whole"
else
	fail "git fsck: both repositories whole" "$(head -5 "$err")"
fi
