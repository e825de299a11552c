#!/bin/sh
# A FIFO, socket or device named like a note (X.md) is no note, as for
# Obsidian, and is never opened (a FIFO would hang the read): the listing
# of the work tree reports it (invalid-input, a warning) and the check
# goes on; [[X]] stays a broken link. One not named like a note, or
# ignored (config or .gitignore), is passed over in silence. In a git
# repository the memo of findings and the check state keep the report
# right: the same on a second run and after an edit, and the warning gone
# with the FIFO. check --changed-since reports it against any commit (git
# tracks no FIFO). Every run has a timeout: a hang is a failure.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1 HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SUITE="special files"
. "$(dirname "$0")/lib/assert.sh"

out=$tmp/out
err=$tmp/err

# same NAME WANT_RC GOT_RC: the run exited WANT_RC and printed what
# $tmp/want holds, nothing on stderr
same() {
	if [ "$3" = "$2" ] && cmp -s "$tmp/want" "$out" && [ ! -s "$err" ]; then
		pass "$1"
	else
		fail "$1" "exit $3, expected $2"
		diff "$tmp/want" "$out" | sed 's/^/  | /' | head -10
		sed 's/^/  | /' "$err" | head -5
	fi
}

# socket PATH: a Unix socket bound at PATH, left there
socket() {
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
}

# 1. outside git: each kind, a symlink to one, and those not reported
v=$tmp/vault
mkdir -p "$v/sub" "$v/skip" && cd "$v" || exit 1
printf 'ignore:\n  - skip/\n' > .vaultlint.yaml
printf '# Home\nSee [[X]], [[Y]] and ![[pipe.png]].\n' > Home.md
mkfifo X.md sub/pipe.png skip/Z.md
ln -s X.md Y.md
socket sub/S.md
timeout 20 "$VAULTLINT" check --no-cache > "$out" 2> "$err"
rc=$?
cat > "$tmp/want" <<'EOF'
Home.md:2:5: error: no note or file 'X' [broken-link]
Home.md:2:12: error: no note or file 'Y' [broken-link]
Home.md:2:22: error: no note or file 'pipe.png' [broken-link]
X.md: warning: a FIFO, not a regular file: not read [invalid-input]
Y.md: warning: a symlink to a FIFO, not to a regular file: not read [invalid-input]
sub/S.md: warning: a socket, not a regular file: not read [invalid-input]
3 errors, 3 warnings, 0 infos in 1 note
EOF
same "a FIFO, a socket, a symlink to a FIFO named like notes: reported, not read" 1 $rc

timeout 20 "$VAULTLINT" check --no-cache --format json > "$out" 2> "$err"
is_rc "json: exit 1" $? 1
has "json: the FIFO's finding" "$out" '"path":"X.md"'

# 2. in git: the memo and the check state keep the report right
r=$tmp/repo
mkdir -p "$r" && cd "$r" || exit 1
git init -q . && git config user.name test && git config user.email test@example.org &&
	git config commit.gpgsign false || exit 1
printf '# Home\nSee [[X]].\n' > Home.md
printf '# Other\n' > Other.md
printf 'ignored.md\n' > .gitignore
git add -A && git commit -q -m root || exit 1
mkfifo X.md ignored.md
cat > "$tmp/want" <<'EOF'
Home.md:2:5: error: no note or file 'X' [broken-link]
X.md: warning: a FIFO, not a regular file: not read [invalid-input]
1 error, 1 warning, 0 infos in 2 notes
EOF
timeout 20 "$VAULTLINT" check > "$out" 2> "$err"
same "in git: reported (a git-ignored one not)" 1 $?
timeout 20 "$VAULTLINT" check > "$out" 2> "$err"
same "in git: the second run (memo) the same" 1 $?
# git's racy rule: an edit less than 2 s old counts as changed anyway
sleep 2
printf '# Other\nedited\n' > Other.md
sleep 2
VAULTLINT_TRACE=1 timeout 20 "$VAULTLINT" check > "$out" 2> "$tmp/trace"
rc=$?
: > "$err"
same "in git: after an edit (the check state) the same" 1 $rc
has "in git: after an edit, an incremental run" "$tmp/trace" "incremental run, 1 of 2 notes checked"

cat > "$tmp/want" <<'EOF'
X.md: warning: a FIFO, not a regular file: not read [invalid-input]
0 errors, 1 warning, 0 infos in 2 notes
EOF
timeout 20 "$VAULTLINT" check --changed-since HEAD > "$out" 2> "$err"
# Other.md's edit brings no finding (the count is of the paths checked,
# the FIFO's among them, as for a listing problem the diff sees)
same "--changed-since: the FIFO reported" 0 $?

rm X.md
cat > "$tmp/want" <<'EOF'
Home.md:2:5: error: no note or file 'X' [broken-link]
1 error, 0 warnings, 0 infos in 2 notes
EOF
timeout 20 "$VAULTLINT" check > "$out" 2> "$err"
same "in git: the FIFO removed, its warning gone" 1 $?
timeout 20 "$VAULTLINT" check --no-cache > "$out" 2> "$err"
same "in git: the FIFO removed, as without the caches" 1 $?
cat > "$tmp/want" <<'EOF'
no problems in 1 note
EOF
timeout 20 "$VAULTLINT" check --changed-since HEAD > "$out" 2> "$err"
same "--changed-since: the FIFO removed, nothing" 0 $?

# a note of HEAD that is a FIFO now: its links broken, and why
printf '# X\n' > X.md && git add X.md && git commit -q -m x || exit 1
rm X.md && mkfifo X.md
cat > "$tmp/want" <<'EOF'
Home.md:2:5: error: no note or file 'X' [broken-link]
X.md: warning: a FIFO, not a regular file: not read [invalid-input]
1 error, 1 warning, 0 infos in 2 notes
EOF
timeout 20 "$VAULTLINT" check --changed-since HEAD > "$out" 2> "$err"
same "--changed-since: a committed note now a FIFO" 1 $?
