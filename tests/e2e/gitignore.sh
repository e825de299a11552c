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
