#!/bin/sh
# `vaultlint hook install|uninstall|show` and hooks/pre-commit, on git
# repositories built in a temp folder. Prints PASS/FAIL per check.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS hook: $1"; }
fail() { echo "FAIL hook: $1"; shift; for l in "$@"; do echo "  $l"; done; }
is_rc() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "exit $2, expected $3"; fi; }
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "missing: $3"; sed 's/^/  | /' "$2" | head -20; fi
}
mode_of() { stat -c %a "$1" 2>/dev/null || stat -f %Lp "$1"; }

new_repo() {
	rm -rf "$1" && mkdir -p "$1" && (cd "$1" && git init -q . &&
		git config user.name Test && git config user.email test@example.org &&
		git config commit.gpgsign false)
}

out=$tmp/out
err=$tmp/err

# the embedded script is hooks/pre-commit, byte for byte
"$VAULTLINT" hook show > "$out"
is_rc "show exits 0" $? 0
if cmp -s "$out" "$top/hooks/pre-commit"; then pass "show equals hooks/pre-commit"; else
	fail "show equals hooks/pre-commit" "$(diff "$top/hooks/pre-commit" "$out" | head -5)"; fi
has "script carries the marker" "$top/hooks/pre-commit" "# vaultlint pre-commit hook"
has "script runs check --staged" "$top/hooks/pre-commit" "check --staged"
has "script tells how to bypass" "$top/hooks/pre-commit" "git commit --no-verify"

# install into .git/hooks
r=$tmp/r1
new_repo "$r"
(cd "$r" && "$VAULTLINT" hook install) > "$out" 2> "$err"
is_rc "install exits 0" $? 0
has "install says installed" "$out" "installed the vaultlint pre-commit hook"
if cmp -s "$r/.git/hooks/pre-commit" "$top/hooks/pre-commit"; then pass "installed hook is the script"; else fail "installed hook is the script"; fi
is_rc "installed hook is mode 755" "$(mode_of "$r/.git/hooks/pre-commit")" 755
(cd "$r" && "$VAULTLINT" hook install) > "$out" 2> "$err"
is_rc "reinstall exits 0" $? 0
has "reinstall says updated" "$out" "updated the vaultlint pre-commit hook"
# from a sub-folder of the work tree too
mkdir -p "$r/sub/dir"
(cd "$r/sub/dir" && "$VAULTLINT" hook install) > "$out" 2> "$err"
is_rc "install from a sub-folder exits 0" $? 0

# the hook at work: a broken staged link stops the commit; a clean one passes
printf '# A\nSee [[Missing note]].\n' > "$r/A.md"
(cd "$r" && git add A.md && VAULTLINT="$VAULTLINT" git commit -q -m broken) > "$out" 2> "$err"
rc=$?
if [ $rc -ne 0 ]; then pass "hook stops a commit with a broken link"; else fail "hook stops a commit with a broken link"; fi
has "hook prints how to bypass" "$err" "git commit --no-verify"
printf '# A\nSee [[B]].\n' > "$r/A.md" && printf '# B\n' > "$r/B.md"
(cd "$r" && git add A.md B.md && VAULTLINT="$VAULTLINT" git commit -q -m clean) > "$out" 2> "$err"
is_rc "hook lets a clean commit through" $? 0
# `git commit -a` and `git commit PATH` run the hook on a temporary index
# (GIT_INDEX_FILE): what is committed is checked, not .git/index
printf '# A\nSee [[Gone with -a]].\n' > "$r/A.md"
(cd "$r" && VAULTLINT="$VAULTLINT" git commit -q -a -m broken-a) > "$out" 2> "$err"
rc=$?
if [ $rc -ne 0 ]; then pass "hook stops 'git commit -a' with a broken link"; else fail "hook stops 'git commit -a' with a broken link"; fi
cat "$out" "$err" > "$tmp/both"
has "hook on 'git commit -a' names the link" "$tmp/both" "Gone with -a"
printf '# A\nSee [[Gone with a path]].\n' > "$r/A.md"
(cd "$r" && VAULTLINT="$VAULTLINT" git commit -q -m broken-path A.md) > "$out" 2> "$err"
rc=$?
if [ $rc -ne 0 ]; then pass "hook stops 'git commit PATH' with a broken link"; else fail "hook stops 'git commit PATH' with a broken link"; fi
(cd "$r" && git checkout -q -- A.md)
(cd "$r" && VAULTLINT=/nonexistent/vaultlint git commit -q --allow-empty -m x) > "$out" 2> "$err"
rc=$?
if [ $rc -ne 0 ]; then pass "hook fails when vaultlint is missing"; else fail "hook fails when vaultlint is missing"; fi
has "missing vaultlint is explained" "$err" "cannot find '/nonexistent/vaultlint'"

# uninstall
(cd "$r" && "$VAULTLINT" hook uninstall) > "$out" 2> "$err"
is_rc "uninstall exits 0" $? 0
if [ ! -e "$r/.git/hooks/pre-commit" ]; then pass "uninstall removes the hook"; else fail "uninstall removes the hook"; fi

# a foreign hook: refused, then --force with a backup, uninstall restores it
r=$tmp/r2
new_repo "$r"
printf '#!/bin/sh\necho mine\n' > "$r/.git/hooks/pre-commit"
chmod 755 "$r/.git/hooks/pre-commit"
(cd "$r" && "$VAULTLINT" hook install) > "$out" 2> "$err"
is_rc "foreign hook: install refuses (exit 2)" $? 2
has "foreign hook: names the file" "$err" "$r/.git/hooks/pre-commit"
has "foreign hook: mentions --force" "$err" "--force"
has "foreign hook: left alone" "$r/.git/hooks/pre-commit" "echo mine"
(cd "$r" && "$VAULTLINT" hook uninstall) > "$out" 2> "$err"
is_rc "foreign hook: uninstall refuses (exit 2)" $? 2
has "foreign hook: still there after uninstall" "$r/.git/hooks/pre-commit" "echo mine"
(cd "$r" && "$VAULTLINT" hook install --force) > "$out" 2> "$err"
is_rc "--force exits 0" $? 0
has "--force: backup kept" "$r/.git/hooks/pre-commit.vaultlint-backup" "echo mine"
has "--force: ours installed" "$r/.git/hooks/pre-commit" "# vaultlint pre-commit hook"
(cd "$r" && "$VAULTLINT" hook uninstall) > "$out" 2> "$err"
is_rc "uninstall with backup exits 0" $? 0
has "uninstall restores the backup" "$r/.git/hooks/pre-commit" "echo mine"
if [ ! -e "$r/.git/hooks/pre-commit.vaultlint-backup" ]; then pass "backup moved back"; else fail "backup moved back"; fi

# core.hooksPath, relative to the work tree, folder created on demand
r=$tmp/r3
new_repo "$r"
(cd "$r" && git config core.hooksPath .githooks)
mkdir -p "$r/deep"
(cd "$r/deep" && "$VAULTLINT" hook install) > "$out" 2> "$err"
is_rc "hooksPath: install exits 0" $? 0
if [ -f "$r/.githooks/pre-commit" ] && [ ! -e "$r/.git/hooks/pre-commit" ]; then
	pass "hooksPath: hook written there"; else fail "hooksPath: hook written there"; fi
is_rc "hooksPath: mode 755" "$(mode_of "$r/.githooks/pre-commit")" 755
(cd "$r" && "$VAULTLINT" hook uninstall) > "$out" 2> "$err"
if [ $? = 0 ] && [ ! -e "$r/.githooks/pre-commit" ]; then pass "hooksPath: uninstall"; else fail "hooksPath: uninstall"; fi
(cd "$r" && git config core.hooksPath "$tmp/abs-hooks")
(cd "$r" && "$VAULTLINT" hook install) > "$out" 2> "$err"
if [ -f "$tmp/abs-hooks/pre-commit" ]; then pass "hooksPath: absolute"; else fail "hooksPath: absolute"; fi

# errors and help
mkdir -p "$tmp/plain"
(cd "$tmp/plain" && "$VAULTLINT" hook install) > "$out" 2> "$err"
is_rc "not a repository exits 2" $? 2
has "not a repository message" "$err" "not a git repository"
"$VAULTLINT" hook frobnicate > "$out" 2> "$err"
is_rc "unknown action exits 2" $? 2
for a in install uninstall show; do
	"$VAULTLINT" hook $a --help > "$out" 2> "$err"
	is_rc "hook $a --help exits 0" $? 0
	has "hook $a --help prints usage" "$out" "usage: vaultlint hook"
done

# a FIFO where the hook would be: named, not read (it hung install and
# uninstall for good)
r=$tmp/fifo-hook
new_repo "$r"
mkfifo "$r/.git/hooks/pre-commit"
(cd "$r" && timeout 60 "$VAULTLINT" hook install) > "$out" 2> "$err"
is_rc "a FIFO as the pre-commit hook: install exits 2" $? 2
has "a FIFO as the pre-commit hook: install says why" "$err" "not a regular file"
(cd "$r" && timeout 60 "$VAULTLINT" hook uninstall) > "$out" 2> "$err"
is_rc "a FIFO as the pre-commit hook: uninstall exits 2" $? 2
