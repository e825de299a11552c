#!/bin/sh
# `vaultlint check --changed-since REV` (pull-request jobs): findings in the
# notes changed from REV to the work tree (committed or not, untracked
# included, ignored excluded), plus what those changes break in notes that
# did not change. The repository is built in a temp folder.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SUITE=changed-since
. "$(dirname "$0")/lib/assert.sh"

out=$tmp/out
err=$tmp/err
r=$tmp/repo
mkdir -p "$r/content" && cd "$r" || exit 1
git init -q . && git config user.name Test && git config user.email test@example.org
git config commit.gpgsign false
export GIT_AUTHOR_DATE="2024-01-01T10:00:00Z" GIT_COMMITTER_DATE="2024-01-01T10:00:00Z"
printf 'vault: content\n' > .vaultlint.yaml
printf 'drafts/\n' > .gitignore
printf '# Guide\n## Setup\nText.\n' > content/Guide.md
printf '# Linker\nSee [[Guide#Setup]].\nOld: [[Gone long ago]]\n' > content/Linker.md
printf '# Old mess\nSee [[Never existed]].\n' > content/Mess.md
git add -A && git commit -q --no-verify -m base
base=$(git rev-parse HEAD)

"$VAULTLINT" check --changed-since "$base" > "$out" 2> "$err"
is_rc "no change: exit 0" $? 0
lacks "no change: old finding not reported" "$out" "Mess.md"

# a committed change that renames the heading Linker.md points to
printf '# Guide\n## Set-up\nText.\n' > content/Guide.md
git commit -q -am "rename heading"
# an uncommitted new note with a broken link, and an ignored one
printf '# New\nSee [[Nowhere]].\n' > content/New.md
mkdir -p content/drafts
printf '# Draft\nSee [[Nowhere either]].\n' > content/drafts/D.md
"$VAULTLINT" check --changed-since "$base" > "$out" 2> "$err"
is_rc "changes that break links: exit 1" $? 1
has "a heading renamed since REV breaks an unchanged note" "$out" \
	"Linker.md:2:5: error: no heading 'Setup' in 'Guide.md'"
has "an untracked new note is checked" "$out" "New.md:2:5: error: no note or file 'Nowhere'"
lacks "an ignored note is not checked" "$out" "D.md"
lacks "an old finding in an unchanged note is not reported" "$out" "Mess.md"
lacks "an old finding in a note the change affects is not reported" "$out" "Linker.md:3"

"$VAULTLINT" check --changed-since "$base" --all > "$out" 2> "$err"
is_rc "--all: exit 1" $? 1
has "--all reports the old finding too" "$out" "Mess.md:2:5"
has "--all reports the affected note's old finding too" "$out" "Linker.md:3:6"

"$VAULTLINT" check --changed-since "$base" --format github > "$out" 2> "$err"
has "github annotations name repository paths" "$out" \
	"::error file=content/Linker.md,line=2,col=5,title=broken-heading-link::"

"$VAULTLINT" check --changed-since no-such-rev > "$out" 2> "$err"
is_rc "an unknown revision: exit 2" $? 2
has "an unknown revision is named" "$err" "unknown revision 'no-such-rev'"

# any tree-ish is a diff base, as for git diff: a tree, by name or id,
# or a tag of one; a blob is named as what it is
tree=$(git rev-parse "$base^{tree}")
git tag -a -m "the base tree" base-tree "$tree"
for rev in "$base^{tree}" "$tree" base-tree; do
	"$VAULTLINT" check --changed-since "$rev" > "$out" 2> "$err"
	is_rc "the tree $rev as REV: exit 1" $? 1
	has "the tree $rev as REV: what the change breaks" "$out" \
		"Linker.md:2:5: error: no heading 'Setup' in 'Guide.md'"
	lacks "the tree $rev as REV: an old finding in an unchanged note is not reported" \
		"$out" "Mess.md"
done
"$VAULTLINT" check --changed-since 'HEAD^{tree}' > "$out" 2> "$err"
is_rc "HEAD's tree as REV: exit 1" $? 1
has "HEAD's tree as REV: the uncommitted note" "$out" "New.md:2:5"
lacks "HEAD's tree as REV: the committed change is not reported" "$out" "Linker.md"
"$VAULTLINT" check --changed-since "$base:content/Guide.md" > "$out" 2> "$err"
is_rc "a blob as REV: exit 2" $? 2
has "a blob as REV is named" "$err" \
	"revision '$base:content/Guide.md' is a blob (one file's content), not a commit or a tree"

"$VAULTLINT" check --changed-since "$base" --staged > "$out" 2> "$err"
is_rc "--staged with --changed-since is a usage error" $? 2
