#!/bin/sh
# `vaultlint changelog` on git repositories built here, in a temp folder.
# The vault lives in content/ (`vault: content` in .vaultlint.yaml at the
# repository root), as in the real corpus. Prints PASS/FAIL per check.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS changelog: $1"; }
fail() { echo "FAIL changelog: $1"; shift; for l in "$@"; do echo "  $l"; done; }

# check NAME FILE TEXT: FILE contains the line fragment TEXT (fixed string).
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "missing: $3"; sed 's/^/  | /' "$2" | head -40; fi
}
lacks() {
	if grep -qF -- "$3" "$2"; then fail "$1" "unexpected: $3"; sed 's/^/  | /' "$2" | head -40; else pass "$1"; fi
}
is_rc() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "exit $2, expected $3"; fi
}

n=0
commit() {
	n=$((n + 1))
	GIT_AUTHOR_DATE="2024-01-$(printf %02d "$n")T10:00:00Z" \
	GIT_COMMITTER_DATE="2024-01-$(printf %02d "$n")T10:00:00Z" \
		git commit -q -m "$1"
}

repo=$tmp/repo
mkdir -p "$repo/content/Projects" && cd "$repo" || exit 1
git init -q -b main . 2>/dev/null || git init -q .
git config user.name "Test" && git config user.email "test@example.org"
git config commit.gpgsign false
printf 'vault: content\n' > .vaultlint.yaml
printf '# readme, outside the vault\n' > README.md
cat > content/Papers.md <<'EOF'
---
status: draft
tags: [reading]
---
# Papers

## Vision
- [Attention Is All You Need](https://Arxiv.org/abs/1706.03762/) #PAPER
  - read twice
- [Deep Residual Learning](https://arxiv.org/abs/1512.03385) #PAPER
- [Old Survey](https://example.org/survey) #PAPER

## Language
- [BERT](https://arxiv.org/abs/1810.04805) #PAPER

## Code
- [PyTorch](https://github.com/pytorch/pytorch) #CODE
- a plain idea without a link ^idea1
EOF
printf '# Old Name\nSome text.\n' > "content/Old Name.md"
printf '# Index\nSee [[Old Name]] and [[Papers]].\n\n- [[Old Name]] is the plan\n' > content/Index.md
printf '# Elsewhere\nNot linking.\n' > content/Projects/Other.md
mkdir -p content/.obsidian && printf '{}' > content/.obsidian/app.json
git add -A && commit "root"
root=$(git rev-parse HEAD)

# 1. the root commit: default range on a one-commit repository
out=$tmp/out
"$VAULTLINT" changelog > "$out" 2> "$tmp/err"
is_rc "root commit exits 0" $? 0
has "root commit lists added notes" "$out" "- added: [[Papers]]"
has "root commit lists entries" "$out" "- added: [Deep Residual Learning](https://arxiv.org/abs/1512.03385) #PAPER"
lacks "root commit skips files outside the vault" "$out" "README"
lacks "root commit skips hidden folders" "$out" ".obsidian"

# 2. the big change: edits, moves, a rename with a link left behind
cat > content/Papers.md <<'EOF'
---
status: done
year: 2024
tags: [reading]
---
# Papers

## Vision
- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) #PAPER
  - read three times
- [An Image Is Worth 16x16 Words](https://arxiv.org/abs/2010.11929) #PAPER

## Language
- [Old Survey](https://example.org/survey) #PAPER

## Code
- a plain idea without a link
EOF
printf '# Code\n\n## Libraries\n- [PyTorch](https://github.com/pytorch/pytorch/) #CODE\n' > content/Code.md
printf '# Reading list\n\n- [BERT](https://arxiv.org/abs/1810.04805) #PAPER\n' > content/Projects/Reading.md
git mv "content/Old Name.md" "content/Projects/New Name.md"
printf 'readme changed\n' >> README.md
git add -A && commit "big change"
big=$(git rev-parse HEAD)

"$VAULTLINT" changelog > "$out" 2> "$tmp/err"
is_rc "default range exits 0" $? 0
has "note added" "$out" "- added: [[Code]]"
has "note renamed" "$out" "- renamed: \`Old Name.md\` → [[Projects/New Name]]"
has "note modified" "$out" "- modified: [[Papers]]"
has "entry added" "$out" "- added: [An Image Is Worth 16x16 Words](https://arxiv.org/abs/2010.11929) #PAPER — in [[Papers]] › Vision"
has "entry removed" "$out" "- removed: [Deep Residual Learning](https://arxiv.org/abs/1512.03385) #PAPER — was in [[Papers]] › Vision"
has "entry changed (sub-item, URL normalised)" "$out" "- changed: [Attention Is All You Need](https://arxiv.org/abs/1706.03762) #PAPER — in [[Papers]] › Vision"
has "entry moved to another section" "$out" "- moved: [Old Survey](https://example.org/survey) #PAPER — from [[Papers]] › Vision to [[Papers]] › Language"
has "entry moved to another note" "$out" "- moved: [BERT](https://arxiv.org/abs/1810.04805) #PAPER — from [[Papers]] › Language to [[Projects/Reading]]"
has "entry moved, trailing slash ignored" "$out" "- moved: [PyTorch](https://github.com/pytorch/pytorch/) #CODE — from [[Papers]] › Code to [[Code]] › Libraries"
has "a trailing block id is not part of a text identity" "$out" "- changed: a plain idea without a link — in [[Papers]] › Code (was: a plain idea without a link ^idea1)"
lacks "text identity: not added" "$out" "- added: a plain idea"
lacks "text identity: not removed" "$out" "- removed: a plain idea"
has "tag section" "$out" "## #PAPER"
has "code section" "$out" "## #CODE"
has "property changed" "$out" "- [[Papers]]: \`status\` changed: \`draft\` -> \`done\`"
has "property added" "$out" "- [[Papers]]: \`year\` added: \`2024\`"
lacks "unchanged property not reported" "$out" "\`tags\`"
has "broken link from the rename" "$out" "- [[Index]] line 2 links to \`Old Name\`: renamed to 'Projects/New Name'"
has "broken link in a list item" "$out" "- [[Index]] line 4 links to \`Old Name\`: renamed to 'Projects/New Name'"
lacks "README outside the vault" "$out" "README"

# the same range written three ways gives the same answer
"$VAULTLINT" changelog "$root..$big" > "$tmp/o2"
"$VAULTLINT" changelog "$root" "$big" > "$tmp/o3"
"$VAULTLINT" changelog "$root" > "$tmp/o4"
if cmp -s "$out" "$tmp/o2" && cmp -s "$out" "$tmp/o3" && cmp -s "$out" "$tmp/o4"; then
	pass "A..B, A B and A agree"
else
	fail "A..B, A B and A agree"
fi

# --group-by note
"$VAULTLINT" changelog --group-by note > "$out"
has "group by note: heading" "$out" "## [[Papers]]"
has "group by note: moved entry under its new note" "$out" "## [[Projects/Reading]]"
lacks "group by note: no tag headings" "$out" "## #PAPER"
"$VAULTLINT" changelog --group-by folder > "$out"
has "group by folder" "$out" "## Projects/"

# text format
"$VAULTLINT" changelog --format text > "$out"
has "text: rename line" "$out" "  R Old Name.md -> Projects/New Name.md"
has "text: added entry" "$out" "  + [An Image Is Worth 16x16 Words](https://arxiv.org/abs/2010.11929) #PAPER  (Papers.md > Vision)"

# JSON, parsed and checked field by field
"$VAULTLINT" changelog --format json > "$tmp/json"
is_rc "json exits 0" $? 0
if python3 - "$tmp/json" "$root" "$big" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
root, big = sys.argv[2], sys.argv[3]
assert set(d) == {"range", "notes", "entries", "properties", "broken_links"}, d.keys()
assert d["range"] == {"from": root, "to": big}, d["range"]
notes = {(n["change"], n["old_path"], n["new_path"]) for n in d["notes"]}
assert ("renamed", "Old Name.md", "Projects/New Name.md") in notes, notes
assert ("added", None, "Code.md") in notes, notes
assert ("modified", "Papers.md", "Papers.md") in notes, notes
assert len(d["notes"]) == 4, d["notes"]
keys = {"change", "tag", "identity", "note", "section", "line", "text",
        "old_note", "old_section", "old_line", "old_text"}
for e in d["entries"]:
    assert set(e) == keys, e
by = {e["identity"]: e for e in d["entries"]}
e = by["https://arxiv.org/abs/1810.04805"]
assert e["change"] == "moved" and e["tag"] == "PAPER", e
assert e["note"] == "Projects/Reading.md" and e["section"] == "Reading list", e
assert e["old_note"] == "Papers.md" and e["old_section"] == "Language", e
assert e["line"] == 3 and e["old_line"] == 14, e
e = by["https://arxiv.org/abs/1512.03385"]
assert e["change"] == "removed" and e["note"] == "Papers.md" and e["old_note"] == "Papers.md", e
e = by["https://arxiv.org/abs/2010.11929"]
assert e["change"] == "added" and e["old_note"] is None and e["old_text"] is None and e["old_line"] is None, e
e = by["https://arxiv.org/abs/1706.03762"]
assert e["change"] == "changed", e
assert e["text"].endswith("\n  - read three times") and e["old_text"].endswith("\n  - read twice"), e
e = by["https://github.com/pytorch/pytorch"]
assert e["change"] == "moved" and e["tag"] == "CODE" and e["section"] == "Libraries", e
assert len(d["entries"]) == 7, [x["identity"] for x in d["entries"]]
props = [(p["note"], p["key"], p["change"], p["old_value"], p["new_value"]) for p in d["properties"]]
assert props == [("Papers.md", "status", "changed", "draft", "done"),
                 ("Papers.md", "year", "added", None, "2024")], props
bl = [(b["note"], b["line"], b["target"], b["why"]) for b in d["broken_links"]]
assert bl == [("Index.md", 2, "Old Name", "renamed to 'Projects/New Name'"),
              ("Index.md", 4, "Old Name", "renamed to 'Projects/New Name'")], bl
EOF
then pass "json fields"; else fail "json fields"; fi

# 3. a merge in the range: both branches' changes, counted once
git checkout -q -b side
printf '# Side\n- [Side paper](https://example.org/side) #PAPER\n' > content/Side.md
git add -A && commit "side"
printf '# Side\n- [Side paper](https://example.org/side) #PAPER\n- [Second](https://example.org/2) #PAPER\n' > content/Side.md
git add -A && commit "side 2"
git checkout -q main 2>/dev/null || git checkout -q master
printf '# Main\n- [Main paper](https://example.org/main) #PAPER\n' > content/Main.md
git add -A && commit "main"
GIT_AUTHOR_DATE="2024-01-20T10:00:00Z" GIT_COMMITTER_DATE="2024-01-20T10:00:00Z" \
	git merge -q --no-ff -m "merge side" side
"$VAULTLINT" changelog "$big..HEAD" --format text > "$out"
is_rc "merge range exits 0" $? 0
has "merge: side note added once" "$out" "  A Side.md"
has "merge: main note added" "$out" "  A Main.md"
has "merge: entry from the side branch" "$out" "  + [Second](https://example.org/2) #PAPER  (Side.md > Side)"
if [ "$(grep -c 'A Side.md' "$out")" = 1 ]; then pass "merge: note counted once"; else fail "merge: note counted once"; fi

# 4. an empty range
"$VAULTLINT" changelog "HEAD..HEAD" > "$out" 2>&1
is_rc "empty range exits 0" $? 0
if [ "$(cat "$out")" = "no changes" ]; then pass "empty range says no changes"; else fail "empty range says no changes" "$(cat "$out")"; fi
"$VAULTLINT" changelog "HEAD..HEAD" --format json > "$tmp/json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["notes"]==d["entries"]==d["properties"]==d["broken_links"]==[], d' "$tmp/json"; then
	pass "empty range json"; else fail "empty range json"; fi

# 5. a bad revision
"$VAULTLINT" changelog nope..HEAD > "$out" 2> "$tmp/err"
is_rc "bad revision exits 2" $? 2
has "bad revision message" "$tmp/err" "vaultlint: unknown revision 'nope'"
"$VAULTLINT" changelog HEAD nosuch > "$out" 2> "$tmp/err"
is_rc "bad second revision exits 2" $? 2
has "bad second revision message" "$tmp/err" "vaultlint: unknown revision 'nosuch'"
# a tree or a blob exists but is no commit: the range's ends are commits
"$VAULTLINT" changelog 'HEAD~1^{tree}..HEAD' > "$out" 2> "$tmp/err"
is_rc "a tree as A exits 2" $? 2
has "a tree as A: a commit is needed" "$tmp/err" \
	"vaultlint: revision 'HEAD~1^{tree}' is a tree, not a commit"
"$VAULTLINT" changelog HEAD "$(git rev-parse 'HEAD^{tree}')" > "$out" 2> "$tmp/err"
is_rc "a tree id as B exits 2" $? 2
has "a tree id as B: a commit is needed" "$tmp/err" "is a tree, not a commit"
"$VAULTLINT" changelog HEAD:.vaultlint.yaml > "$out" 2> "$tmp/err"
is_rc "a blob as A exits 2" $? 2
has "a blob as A: a commit is needed" "$tmp/err" \
	"vaultlint: revision 'HEAD:.vaultlint.yaml' is a blob (one file's content), not a commit"
"$VAULTLINT" changelog --format yaml > "$out" 2> "$tmp/err"
is_rc "bad format exits 2" $? 2

# 6. --since: from the last commit before the date (first parents) to HEAD
"$VAULTLINT" changelog --since 2024-01-02 --format text > "$out"
has "since: after the root commit" "$out" "  R Old Name.md -> Projects/New Name.md"
lacks "since: root notes not re-added" "$out" "A Index.md"
"$VAULTLINT" changelog --since 2023-12-01 --format text > "$out"
has "since before everything: from nothing" "$out" "  A Index.md"
"$VAULTLINT" changelog --since 2024-13-40 > "$out" 2> "$tmp/err"
is_rc "since: bad date exits 2" $? 2

# 7. --worktree: HEAD against uncommitted changes, untracked notes too
printf '# Draft\n- [Draft paper](https://example.org/draft) #PAPER\n' > content/Draft.md
printf '# Main\n- [Main paper](https://example.org/main) #PAPER #READ\n' > content/Main.md
"$VAULTLINT" changelog --worktree --format text > "$out"
has "worktree: untracked note" "$out" "  A Draft.md"
has "worktree: changed entry" "$out" "  ~ [Main paper](https://example.org/main) #PAPER #READ  (Main.md > Main) was: [Main paper](https://example.org/main) #PAPER"
"$VAULTLINT" changelog --worktree HEAD~1..HEAD > "$out" 2>&1
is_rc "worktree with a range: usage error" $? 2
has "worktree with a range: says it takes one revision" "$out" "vaultlint: --worktree takes at most one revision (the old side), not a range"
rm content/Draft.md && git checkout -q -- content/Main.md

# 8. not a git repository
mkdir -p "$tmp/plain" && printf '# A\n' > "$tmp/plain/A.md"
(cd "$tmp/plain" && "$VAULTLINT" changelog) > "$out" 2> "$tmp/err"
is_rc "not a repository exits 2" $? 2
has "not a repository message" "$tmp/err" "not a git repository"

# 9. --help
"$VAULTLINT" changelog --help > "$out"
is_rc "help exits 0" $? 0
has "help shows usage" "$out" "usage: vaultlint changelog"

# 10. a repository without commits
mkdir -p "$tmp/empty" && (cd "$tmp/empty" && git init -q . && "$VAULTLINT" changelog) > "$out" 2> "$tmp/err"
is_rc "no commits exits 2" $? 2
has "no commits is explained" "$tmp/err" "the repository has no commits yet"

# 11. an outside audit's cases, each in a repository of its own
fresh() {
	rm -rf "$tmp/f" && mkdir -p "$tmp/f" && cd "$tmp/f" && git init -q . &&
		git config user.name T && git config user.email t@example.org &&
		git config commit.gpgsign false
}
# deleting one of two entries that link one URL reports that one
fresh
printf '# N\n## Todo\n- [Alpaca (Stanford)](https://example.org/alpaca) - quick mention\n## References\n- #PAPER [Alpaca (Taori 2023)](https://example.org/alpaca)\n  - fine-tuned\n' > N.md
git add -A && git commit -q --no-verify -m root
printf '# N\n## Todo\n## References\n- #PAPER [Alpaca (Taori 2023)](https://example.org/alpaca)\n  - fine-tuned\n' > N.md
git commit -q --no-verify -am del
"$VAULTLINT" changelog --format text > "$out"
has "shared link: the deleted entry is the one reported" "$out" "  - [Alpaca (Stanford)](https://example.org/alpaca) - quick mention  (was in N.md > Todo)"
lacks "shared link: the entry left is not reported" "$out" "Taori"
# a ticked task
printf '# R\n- [ ] [Paper Q](https://q.org) #PAPER\n' > R.md && git add -A && git commit -q --no-verify -m r
printf '# R\n- [x] [Paper Q](https://q.org) #PAPER\n' > R.md && git commit -q --no-verify -am tick
"$VAULTLINT" changelog --format text > "$out"
has "a ticked task is a change" "$out" "  ~ [x] [Paper Q](https://q.org) #PAPER  (R.md > R) was: [ ] [Paper Q](https://q.org) #PAPER"
# a relative Markdown link with ".." to a renamed note is broken
fresh
mkdir x y && printf '# Old\n' > x/Old.md && printf '# I\nSee [o](../x/Old.md).\n' > y/Index.md
git add -A && git commit -q --no-verify -m root && git mv x/Old.md x/New.md && git commit -q --no-verify -m mv
"$VAULTLINT" changelog --format text > "$out"
has "a ../ link to a renamed note is broken" "$out" "y/Index.md:2: ../x/Old.md: renamed to 'x/New'"
# a vault folder whose name reads as a pattern
fresh
mkdir "vault[1]" && printf 'vault: "vault[1]"\n' > .vaultlint.yaml
printf '# A\n- [X](https://x.org) #PAPER\n' > "vault[1]/A.md" && git add -A && git commit -q --no-verify -m root
printf '# A\n- [X](https://x.org) #PAPER\n- [Y](https://y.org) #PAPER\n' > "vault[1]/A.md" && git commit -q --no-verify -am y
"$VAULTLINT" changelog --format text > "$out"
has "vault 'vault[1]': its changes are seen" "$out" "  + [Y](https://y.org) #PAPER  (A.md > A)"
# a folder of 1,200 notes moved: every one a rename (libgit2 alone stops
# looking after 1,000 and the rest read as deleted and added)
fresh
mkdir d1 && i=1 && while [ $i -le 1200 ]; do printf '# N%s\n- [P%s](https://e.org/%s) #PAPER\n' $i $i $i > d1/N$i.md; i=$((i + 1)); done
git add -A && git commit -q --no-verify -m root && git mv d1 d2 && git commit -q --no-verify -m mv
"$VAULTLINT" changelog --format text > "$out"
[ "$(grep -c '^  R d1/N[0-9]*.md -> d2/N[0-9]*.md$' "$out")" = 1200 ]; is_rc "1,200 notes moved: 1,200 renames" $? 0
lacks "1,200 notes moved: no note deleted or added" "$out" "  D "
lacks "1,200 notes moved: no entry moved" "$out" "  > "
# the bytes of notes that a terminal acts on are written as escapes
fresh
printf '# A\n' > A.md && git add -A && git commit -q --no-verify -m root
printf '# A\n- evil \033[31mRED\033[0m caf\351 [x](https://x.org)\n' > A.md && git commit -q --no-verify -am e
"$VAULTLINT" changelog --format text > "$out"
has "an ESC of a note is written as \\x1b" "$out" 'evil \x1b[31mRED\x1b[0m caf'
if grep -q "$(printf '\033')" "$out"; then fail "no ESC byte in the text output"; else pass "no ESC byte in the text output"; fi
has "a byte that is no UTF-8 is U+FFFD" "$out" "$(printf 'caf\357\277\275')"
"$VAULTLINT" changelog --format markdown > "$out"
if grep -q "$(printf '\033')" "$out"; then fail "no ESC byte in the Markdown output"; else pass "no ESC byte in the Markdown output"; fi

# 12. sections renamed and links respelled: what they are not is a move or
# a removal. Each case compares the whole text output and the exit code.
# same NAME EXPECTED: the last run's output ($out) is EXPECTED exactly
same() {
	printf '%s\n' "$2" > "$tmp/expected"
	if cmp -s "$tmp/expected" "$out"; then pass "$1"; else fail "$1" "output differs:"; diff "$tmp/expected" "$out" | sed 's/^/  | /' | head -40; fi
}
range() { echo "changes $(git rev-parse HEAD~1 | cut -c1-7)..$(git rev-parse HEAD | cut -c1-7)"; }
# a heading renamed in place: its entries stay where they were
fresh
printf '# N\n## Papers\n- [A](https://a.org) #PAPER\n- [B](https://b.org) #PAPER\n## Code\n- [C](https://c.org) #CODE\n' > N.md
git add -A && git commit -q --no-verify -m root
printf '# N\n## Reading\n- [A](https://a.org) #PAPER\n- [B](https://b.org) #PAPER edited\n## Code\n- [C](https://c.org) #CODE\n' > N.md
git commit -q --no-verify -am rename-heading
"$VAULTLINT" changelog --format text > "$out"
is_rc "heading renamed: exits 0" $? 0
same "heading renamed: its entries are not moved, an edited one is changed" "$(range)

notes:
  M N.md

#PAPER:
  ~ [B](https://b.org) #PAPER edited  (N.md > Reading) was: [B](https://b.org) #PAPER"
# a heading renamed while another is added elsewhere in the note
printf '# N\n## Books\n- [A](https://a.org) #PAPER\n- [B](https://b.org) #PAPER edited\n## Code\n- [C](https://c.org) #CODE\n## Outro\n' > N.md
git commit -q --no-verify -am rename-and-insert
"$VAULTLINT" changelog --format text > "$out"
same "heading renamed beside a new heading: nothing moved" "$(range)

notes:
  M N.md"
# a heading inserted above entries is a real change of section
printf '# N\n## Books\n- [A](https://a.org) #PAPER\n## Later\n- [B](https://b.org) #PAPER edited\n## Code\n- [C](https://c.org) #CODE\n## Outro\n' > N.md
git commit -q --no-verify -am insert-heading
"$VAULTLINT" changelog --format text > "$out"
same "heading inserted above entries: they are moved" "$(range)

notes:
  M N.md

#PAPER:
  > [B](https://b.org) #PAPER edited  (from N.md > Books to N.md > Later)"
# a heading of another level in its place is not a rename
printf '# N\n### Books\n- [A](https://a.org) #PAPER\n## Later\n- [B](https://b.org) #PAPER edited\n## Code\n- [C](https://c.org) #CODE\n## Outro\n' > N.md
git commit -q --no-verify -am relevel
"$VAULTLINT" changelog --format text > "$out"
same "heading of another level, same text: nothing moved" "$(range)

notes:
  M N.md"
# a vault link respelled to the same note: case, ".md", a leading '/',
# a path for a bare name, "./"
fresh
mkdir Area Sub && printf '# A\n' > "Area/Note A.md" && printf '# B\n' > "Note B.md" && printf '# C\n' > "Sub/C.md"
printf '# R\n- [[Note A]] first\n- [[Note B]] second\n- [[Note B#Part]] third\n- [[Gone]] fourth\n' > R.md
printf '# S\n- [[C]] fifth\n' > Sub/S.md
git add -A && git commit -q --no-verify -m root
printf '# R\n- [[Area/Note A]] first\n- [[note b.md]] second\n- [[/Note B#part]] third, edited\n- [[gone.MD]] fourth\n' > R.md
printf '# S\n- [[./C]] fifth\n' > Sub/S.md
git commit -q --no-verify -am respell
"$VAULTLINT" changelog --format text > "$out"
is_rc "link respelled: exits 0" $? 0
same "link respelled: changed, not removed and added" "$(range)

notes:
  M R.md
  M Sub/S.md

entries without a tag:
  ~ [[Area/Note A]] first  (R.md > R) was: [[Note A]] first
  ~ [[note b.md]] second  (R.md > R) was: [[Note B]] second
  ~ [[/Note B#part]] third, edited  (R.md > R) was: [[Note B#Part]] third
  ~ [[gone.MD]] fourth  (R.md > R) was: [[Gone]] fourth
  ~ [[./C]] fifth  (Sub/S.md > S) was: [[C]] fifth"
# a bare name that two notes have stays apart from the path of the other
mkdir Other && printf '# A2\n' > "Other/Note A.md" && git add -A && git commit -q --no-verify -m second-a
printf '# R\n- [[Other/Note A]] first\n- [[note b.md]] second\n- [[/Note B#part]] third, edited\n- [[gone.MD]] fourth\n' > R.md
git commit -q --no-verify -am other-a
"$VAULTLINT" changelog --format text > "$out"
same "link to another note of the same name: removed and added" "$(range)

notes:
  M R.md

entries without a tag:
  + [[Other/Note A]] first  (R.md > R)
  - [[Area/Note A]] first  (was in R.md > R)"
# a link rewritten to the note's new name in the same range
fresh
mkdir P && printf '# Old\n' > Old.md && printf '# Far\n' > Far.md
printf '# R\n- [[Old]] the plan\n- [[Old#Goal]] the goal\n- [[Far]] far away\n- [[Old]] left alone\n' > R.md
git add -A && git commit -q --no-verify -m root
git mv Old.md New.md && git mv Far.md P/Near.md
printf '# R\n- [[New]] the plan\n- [[New#Goal]] the goal\n- [[Near]] far away\n- [[Old]] left alone\n' > R.md
git add -A && git commit -q --no-verify -m rename
"$VAULTLINT" changelog --format text > "$out"
is_rc "link to a renamed note: exits 0" $? 0
same "link to a renamed note rewritten: changed, not removed and added" "$(range)

notes:
  R Old.md -> New.md
  R Far.md -> P/Near.md
  M R.md

entries without a tag:
  ~ [[New]] the plan  (R.md > R) was: [[Old]] the plan
  ~ [[New#Goal]] the goal  (R.md > R) was: [[Old#Goal]] the goal
  ~ [[Near]] far away  (R.md > R) was: [[Far]] far away

broken links:
  R.md:5: Old: renamed to 'New'"

# 13. front matter rewritten in another YAML style (Obsidian's property
# editor turns `tags: [a, b]` into a block list, and drops quotes): no
# property changed; a value that really changed still is
fresh
printf -- '---\ntags: [a, b]\ntitle: "My: title"\nlinks: {x: 1}\nstatus: draft\n---\n# P\n' > P.md
git add -A && git commit -q --no-verify -m root
printf -- "---\ntags:\n  - a\n  - b\ntitle: 'My: title'\nlinks:\n  x: 1\nstatus: done\n---\n# P\n" > P.md
git commit -q --no-verify -am restyle
"$VAULTLINT" changelog --format text > "$out"
is_rc "front matter restyled: exits 0" $? 0
same "front matter restyled: only the value that changed" "$(range)

notes:
  M P.md

properties:
  P.md: status changed: draft -> done"

# 14. --worktree reads notes as check does: a note that became a symlink
# out of the vault is left out, said on stderr, never read (it once
# printed the outside file's entries); a broken one too (it stopped the
# run, exit 2); a FIFO does not hang; a gitlink named *.md is no note (it
# stopped the run, exit 2)
fresh
printf -- '- [[B]] e #PAPER\n' > A.md && printf '# B\n' > B.md
git add -A && git commit -q --no-verify -m root
printf -- '- SECRET outside #PAPER\n' > "$tmp/outside.md"
rm A.md && ln -s "$tmp/outside.md" A.md
"$VAULTLINT" changelog --worktree --format text > "$out" 2> "$tmp/err"
is_rc "worktree note linked out of the vault: exits 0" $? 0
lacks "worktree note linked out of the vault: not read" "$out" "SECRET"
has "worktree note linked out of the vault: said" "$tmp/err" "vaultlint: changelog: refusing to read 'A.md': it now points outside the vault; left out"
rm A.md && ln -s "$tmp/nowhere.md" A.md
"$VAULTLINT" changelog --worktree --format text > "$out" 2> "$tmp/err"
is_rc "worktree note that is a broken symlink: exits 0" $? 0
has "worktree note that is a broken symlink: said" "$tmp/err" "vaultlint: changelog: cannot read 'A.md': No such file or directory; left out"
rm A.md && mkfifo A.md
timeout 60 "$VAULTLINT" changelog --worktree --format text > "$out" 2> "$tmp/err"
is_rc "worktree note that is a FIFO: the run ends, exit 0" $? 0
rm A.md && git checkout -q -- A.md
git update-index --add --cacheinfo "160000,$(git rev-parse HEAD),sub.md"
git commit -q --no-verify -m gitlink
"$VAULTLINT" changelog --format text > "$out" 2> "$tmp/err"
is_rc "a gitlink named sub.md: exits 0" $? 0
has "a gitlink named sub.md: no note changed" "$out" "no changes"
