#!/bin/sh
# `vaultlint check --staged` (what the pre-commit hook runs): the staged
# version of the vault is checked, not the work tree; findings are kept
# for staged-changed notes and for what the staged change breaks
# elsewhere. Git repositories are built in a temp folder.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SUITE=staged
. "$(dirname "$0")/lib/assert.sh"

out=$tmp/out
err=$tmp/err
r=$tmp/repo
mkdir -p "$r/content" && cd "$r" || exit 1
git init -q . && git config user.name Test && git config user.email test@example.org
git config commit.gpgsign false
export GIT_AUTHOR_DATE="2024-01-01T10:00:00Z" GIT_COMMITTER_DATE="2024-01-01T10:00:00Z"
printf 'vault: content\n' > .vaultlint.yaml
printf '# Target\nText.\n' > content/Target.md
printf '# Linker\nSee [[Target]].\n' > content/Linker.md
printf '# Old mess\nSee [[Never existed]].\n' > content/Mess.md
printf '# Plain\nNothing.\n' > content/Plain.md
git add -A && git commit -q --no-verify -m root

# nothing staged: nothing to report, the old finding in Mess.md included
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "nothing staged exits 0" $? 0
lacks "nothing staged: old finding not reported" "$out" "Mess.md"
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
is_rc "--all reports the old finding (exit 1)" $? 1
has "--all: old finding shown" "$out" "Mess.md:2"

# a staged broken link is reported
printf '# Plain\nSee [[Nowhere]].\n' > content/Plain.md
git add content/Plain.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "staged broken link exits 1" $? 1
has "staged broken link reported" "$out" "Plain.md:2"
has "staged broken link names the target" "$out" "Nowhere"
lacks "old finding in an unchanged note not reported" "$out" "Mess.md"
git reset -q && git checkout -q -- content/Plain.md

# edited after `git add`: the staged version counts
# (a) staged clean, work tree broken -> 0
printf '# Plain\nSee [[Target]].\n' > content/Plain.md
git add content/Plain.md
printf '# Plain\nSee [[Broken in worktree]].\n' > content/Plain.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "staged clean, work tree broken: exit 0" $? 0
lacks "staged clean: work-tree link not reported" "$out" "Broken in worktree"
# (b) staged broken, work tree clean -> 1
printf '# Plain\nSee [[Broken in index]].\n' > content/Plain.md
git add content/Plain.md
printf '# Plain\nSee [[Target]].\n' > content/Plain.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "staged broken, work tree clean: exit 1" $? 1
has "staged broken: index link reported" "$out" "Broken in index"
git reset -q && git checkout -q -- content/Plain.md

# a staged rename breaks a link in an unchanged note: reported there
git mv content/Target.md content/Renamed.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "staged rename breaking a link exits 1" $? 1
has "broken link reported in the unchanged note" "$out" "Linker.md:2"
lacks "rename: old unrelated finding not reported" "$out" "Mess.md"
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
has "rename with --all: old finding too" "$out" "Mess.md:2"
git reset -q --hard && rm -f content/Renamed.md

# a staged new namesake makes an unchanged note's link ambiguous: reported
# there (the notes linking to the name are found from their links alone,
# loaded whole with the new note; the others serve the index); a new note
# that answers an old broken link reports nothing for it
mkdir -p content/other
printf '# Target too\n' > content/other/Target.md
printf '# Never existed\nNow it does.\n' > content/Never\ existed.md
git add content/other/Target.md 'content/Never existed.md'
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "staged namesake: a warning, exit 0" $? 0
has "staged namesake: the now ambiguous link reported" "$out" "Linker.md:2"
has "staged namesake: as ambiguous" "$out" "[ambiguous-link]"
lacks "staged namesake: the answered link is not reported" "$out" "Mess.md"
lacks "staged namesake: an unrelated note is not" "$out" "Plain.md"
"$VAULTLINT" check --staged --all > "$out" 2> "$err"
lacks "staged namesake with --all: the old broken link is answered" "$out" "Never existed'"
git reset -q --hard && rm -rf content/other 'content/Never existed.md'

# a staged new note in a sub-folder vault, checked from a sub-folder
mkdir -p content/deep
printf '# New\nSee [[Target]] and [[Gone]].\n' > content/deep/New.md
git add content/deep/New.md
(cd content/deep && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "staged new note exits 1" $? 1
has "staged new note: its broken link" "$out" "deep/New.md:2"
lacks "staged new note: no finding for the good link" "$out" "'Target'"
git reset -q --hard && rm -rf content/deep

# JSON output stays parseable under --staged
printf '# Plain\nSee [[Nowhere]].\n' > content/Plain.md
git add content/Plain.md
"$VAULTLINT" check --staged --format json > "$out" 2> "$err"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))' "$out"; then pass "json parses"; else fail "json parses"; fi
git reset -q --hard

# a staged edit of a linked note: links into it break only when a heading,
# a ^block id or an alias goes; an edit that keeps them breaks nothing
printf '# Hub\n## Alpha\n## Beta\nText ^b1\n\nMore ^b2\n' > content/Hub.md
printf '# Uses hub\n[[Hub#Alpha]] [[Hub#Beta]] [[Hub#^b1]] [[Hub#^b2]] [[Hub#Gone heading]]\n' > content/UsesHub.md
git add -A && git commit -q --no-verify -m hub
printf '# Hub\n## Alpha\nNew text ^b3\n## Beta\nText ^b1\n\nMore ^b2\n' > content/Hub.md
git add content/Hub.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "edit keeping headings and ids exits 0" $? 0
lacks "edit keeping headings and ids: the linking note's old finding stays unreported" "$out" "UsesHub.md"
printf '# Hub\n## Alpha renamed\n## Beta\nText ^b1\n\nMore ^b2\n' > content/Hub.md
git add content/Hub.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "renamed heading in a linked note exits 1" $? 1
has "renamed heading: the link it broke is reported" "$out" "UsesHub.md:2:1"
lacks "renamed heading: the old finding is not" "$out" "Gone heading"
printf '# Hub\n## Alpha\n## Beta\nText\n\nMore ^b2\n' > content/Hub.md
git add content/Hub.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "removed block id in a linked note exits 1" $? 1
has "removed block id: the link it broke is reported" "$out" "^b1"
printf '# Hub\n## Alpha\n## Beta\nText ^B1\n\nMore ^b2\n\nAnd ^b4\n' > content/Hub.md
git add content/Hub.md
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "block id kept in other case (ids ignore case) exits 0" $? 0
git reset -q --hard

# an edit that breaks no link elsewhere checks the changed note against an
# index whose other notes come from the cache without their links: their
# headings, block ids, aliases and tags must all still count
printf -- '---\naliases: [HubAlias]\n---\n# Hub\n## Alpha\nText ^b1\n' > content/Hub.md
printf '# Codes\n#CODE and #CODE\n' > content/Codes.md
printf '# Writer\nNothing yet.\n' > content/Writer.md
git add -A && git commit -q --no-verify -m writer
"$VAULTLINT" check --staged --all > /dev/null 2>&1 # the cache holds every blob
printf '# Writer\n[[Hub#Alpha]] [[Hub#Nope]] [[Hub#^b1]] [[Hub#^zz]] [[HubAlias]] #code\n' > content/Writer.md
git add content/Writer.md
"$VAULTLINT" check --staged --no-cache > "$tmp/want" 2>&1
want_rc=$?
rm -rf .git/vaultlint/memo
"$VAULTLINT" check --staged > "$out" 2> "$err"
is_rc "index from the cache: same exit as without a cache" $? "$want_rc"
if cmp -s "$tmp/want" "$out"; then pass "index from the cache: same report as without a cache"; else fail "index from the cache: same report as without a cache"; diff "$tmp/want" "$out" | head | sed 's/^/  | /'; fi
has "index from the cache: a missing heading of another note" "$out" "Nope"
lacks "index from the cache: a heading of another note found" "$out" "'Alpha'"
has "index from the cache: a missing block of another note" "$out" "^zz"
has "index from the cache: aliases of other notes" "$out" "alias"
has "index from the cache: tag spellings of other notes" "$out" "#CODE"
git reset -q --hard

# a vault folder whose name reads as a pattern: "V [x]" is a path ("V x"
# beside it is another folder, which the pattern would match)
g=$tmp/glob
mkdir -p "$g/V [x]" "$g/V x" && (cd "$g" && git init -q . && git config user.name T &&
	git config user.email t@example.org && git config commit.gpgsign false &&
	printf '# A\n' > "V [x]/A.md" && printf '# B\n' > "V x/B.md" &&
	git add -A && git commit -q --no-verify -m root &&
	printf '# A\nSee [[Gone in brackets]].\n' > "V [x]/A.md" &&
	printf '# B\nSee [[Gone beside]].\n' > "V x/B.md" && git add -A)
(cd "$g/V [x]" && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "vault 'V [x]': a staged broken link exits 1" $? 1
has "vault 'V [x]': its staged note checked" "$out" "Gone in brackets"
lacks "vault 'V [x]': the folder 'V x' is not in it" "$out" "Gone beside"

# a note named with a non-ASCII capital, linked in lower case: renaming
# it breaks the link (the names a change touches fold as the resolver does)
u=$tmp/unicode
mkdir -p "$u/content" && (cd "$u" && git init -q . && git config user.name T &&
	git config user.email t@example.org && git config commit.gpgsign false &&
	printf 'vault: content\n' > .vaultlint.yaml &&
	printf '# U\n## H1\n' > "content/Über.md" && printf '# L\n[[über]] [[über#H1]]\n' > content/L.md &&
	git add -A && git commit -q --no-verify -m root && git mv "content/Über.md" content/Other.md)
(cd "$u" && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "rename of 'Über.md', linked as [[über]]: exits 1" $? 1
has "rename of 'Über.md': the broken link in the unchanged note" "$out" "L.md:2:1: error: no note or file 'über'"
(cd "$u" && "$VAULTLINT" check --changed-since HEAD) > "$out" 2> "$err"
is_rc "--changed-since: rename of 'Über.md' exits 1" $? 1

# a note only marked with `git add -N` is not committed: a link to it breaks
n=$tmp/intent
mkdir -p "$n/content" && (cd "$n" && git init -q . && git config user.name T &&
	git config user.email t@example.org && git config commit.gpgsign false &&
	printf 'vault: content\n' > .vaultlint.yaml && printf '# T\n' > content/T.md &&
	git add -A && git commit -q --no-verify -m root &&
	printf '# New\n' > content/New.md && git add -N content/New.md &&
	printf '# L\n[[New]]\n' > content/L.md && git add content/L.md)
(cd "$n" && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "a link to a note added with 'git add -N' exits 1" $? 1
has "a link to a note added with 'git add -N' is broken" "$out" "L.md:2:1: error: no note or file 'New'"
has "a note added with 'git add -N' is not counted as checked" "$out" "1 error, 0 warnings, 0 infos in 1 note"
(cd "$n" && git reset -q content/L.md && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "only a note marked with 'git add -N': exits 0" $? 0
has "only a note marked with 'git add -N': no note checked" "$out" "no problems in 0 notes"

# a staged note that is a FIFO in the work tree now: the staged blob is
# read (the pre-commit hook once waited for a writer for good)
(cd "$n" && printf '# L\n[[New]]\n' > content/L.md && git add content/L.md &&
	rm content/L.md && mkfifo content/L.md)
(cd "$n" && timeout 60 "$VAULTLINT" check --staged --no-cache) > "$out" 2> "$err"
is_rc "a staged note that is a FIFO in the work tree: exits 1" $? 1
has "a staged note that is a FIFO in the work tree: the staged blob is checked" "$out" "L.md:2:1: error: no note or file 'New'"

# symlinks in the index and in commits are followed as the work tree's
# walk follows them: a link to a note is that note, one that leaves the
# vault is a warning; a re-pointed link breaks what linked through it
y=$tmp/symlinks
mkdir -p "$y/content" && (cd "$y" && git init -q . && git config user.name T &&
	git config user.email t@example.org && git config commit.gpgsign false &&
	printf 'vault: content\n' > .vaultlint.yaml &&
	printf '# T\n## H1\n' > content/T.md && printf 'no headings\n' > content/U.md &&
	printf '# L\n[[T#H1]]\n' > content/L.md && git add -A && git commit -q --no-verify -m root &&
	ln -s T.md content/S.md && ln -s /etc/hostname content/Out.md &&
	printf '# L\n[[T#H1]] [[S#H1]]\n' > content/L.md && git add -A)
(cd "$y" && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "a staged symlink to a note is that note (exit 0)" $? 0
lacks "a staged symlink to a note: its heading is found" "$out" "no heading"
has "a staged symlink out of the vault: the work tree's warning" "$out" "Out.md: warning: symlink points outside the vault: /etc/hostname; skipped"
(cd "$y" && git commit -q --no-verify -m links && ln -sfn U.md content/S.md)
(cd "$y" && "$VAULTLINT" check --changed-since HEAD) > "$out" 2> "$err"
is_rc "--changed-since: a re-pointed symlink breaks a link (exit 1)" $? 1
has "--changed-since: the link through the symlink" "$out" "L.md:2:10: error: no heading 'H1' in 'S.md'"
(cd "$y" && git add -A && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "--staged: a re-pointed symlink breaks a link (exit 1)" $? 1

# a symlink to a folder that holds it (the vault's folder, or a folder
# of the vault above the link) is a loop, and one to the repository
# above the vault leaves it: the same words from the work tree's walk,
# the index and a commit
k=$tmp/symlink-loops
mkdir -p "$k/content/sub" "$k/content/a/b" "$k/content/c" && (cd "$k" && git init -q . &&
	git config user.name T && git config user.email t@example.org &&
	git config commit.gpgsign false && printf 'vault: content\n' > .vaultlint.yaml &&
	printf '# A\n' > content/A.md && printf '# B\n' > content/sub/B.md &&
	printf '# C\n' > content/c/C.md && printf '# D\n' > content/a/b/D.md &&
	git add -A && git commit -q --no-verify -m root &&
	ln -s .. content/sub/up && ln -s . content/self && ln -s .. content/a/b/up2 &&
	ln -s hop2 content/sub/hop1 && ln -s .. content/sub/hop2 &&
	ln -s .. content/out && ln -s ../../c content/a/b/side && git add -A)
for how in "check" "check --staged" "check --staged --all" "commit" "check --changed-since HEAD~1"; do
	case $how in
	commit) (cd "$k" && git commit -q --no-verify -m links); continue ;;
	esac
	(cd "$k" && $VAULTLINT $how --no-cache) > "$out" 2> "$err"
	is_rc "$how: symlinks are warnings (exit 0)" $? 0
	for l in "sub/up" "self" "a/b/up2" "sub/hop1" "sub/hop2"; do
		has "$how: $l, to a folder that holds it, is a loop" "$out" \
			"$l: warning: symlink loop; skipped [invalid-input]"
	done
	has "$how: a symlink to the repository above the vault leaves it" "$out" \
		"out: warning: symlink points outside the vault: ..; skipped [invalid-input]"
	has "$how: a symlink to another folder of the vault" "$out" \
		"a/b/side: warning: symlink to a folder already in the vault (c); skipped [invalid-input]"
	lacks "$how: no loop is said to leave the vault" "$out" "outside the vault: .;"
done

# a merge with conflicts: each unmerged note is said, also the one our
# side deleted (no stage 2 in the index)
m=$tmp/merge
mkdir -p "$m/content" && (cd "$m" && git init -q -b main . && git config user.name T &&
	git config user.email t@example.org && git config commit.gpgsign false &&
	printf 'vault: content\n' > .vaultlint.yaml &&
	printf '# T\nbase\n' > content/T.md && printf '# C\nbase\n' > content/C.md &&
	git add -A && git commit -q --no-verify -m root && git checkout -q -b other &&
	printf '# T\nmore\n' > content/T.md && printf '# C\ntheirs\n' > content/C.md &&
	git commit -q --no-verify -am other && git checkout -q main && git rm -q content/T.md &&
	printf '# C\nours\n' > content/C.md && git commit -q --no-verify -am ours &&
	git merge other > /dev/null 2>&1)
(cd "$m" && "$VAULTLINT" check --staged) > "$out" 2> "$err"
has "merge conflicts: a note both sides changed is said" "$out" "C.md: warning: unresolved merge conflict in the index"
has "merge conflicts: a note our side deleted is said" "$out" "T.md: warning: unresolved merge conflict in the index"

# a staged note that Obsidian's settings exclude (a template): its own
# findings are not reported (the pre-commit hook does not stop on them);
# a staged note that links into it resolves
x=$tmp/excluded
mkdir -p "$x/Templates" "$x/.obsidian" && (cd "$x" && git init -q . &&
	git config user.name Test && git config user.email test@example.org &&
	printf '# Home\n' > Home.md && git add -A && git commit -q --no-verify -m root)
printf '{\n  "userIgnoreFilters": [\n    "Templates/"\n  ]\n}\n' > "$x/.obsidian/app.json"
printf '# {{title}}\n[[{{date}}]]\n' > "$x/Templates/Daily.md"
printf '# Home\n[[Templates/Daily]] and [[Nowhere]]\n' > "$x/Home.md"
(cd "$x" && git add Home.md Templates/Daily.md)
(cd "$x" && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "excluded template staged: exit 1 (Home.md's finding)" $? 1
lacks "excluded template staged: its findings are not reported" "$out" "Templates/Daily.md"
lacks "excluded template staged: a link into it resolves" "$out" "'Templates/Daily'"
has "excluded template staged: the other note's finding stays" "$out" "Home.md:2"

# outside a repository: a clear error
mkdir -p "$tmp/plain" && printf '# A\n' > "$tmp/plain/A.md"
(cd "$tmp/plain" && "$VAULTLINT" check --staged) > "$out" 2> "$err"
is_rc "--staged outside git exits 2" $? 2
has "--staged outside git explains" "$err" "git repository"
