#!/bin/sh
# Nothing is read outside the vault and its repository: a .vaultlint.yaml
# found by the search that is a symlink out of the repository is not read
# (it was: a link to /etc/passwd was parsed as the config); a symlink to a
# config inside the repository is read. --config names any file: the
# user's choice. Run from a removed folder, the error says so.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1 HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS outside: $1"; }
fail() { echo "FAIL outside: $1"; shift; for l in "$@"; do echo "  $l"; done; }
expect() { # name, want exit, got exit, text stderr must hold, stderr file
	if [ "$3" = "$2" ] && { [ -z "$4" ] || grep -qF -- "$4" "$5"; }; then pass "$1"; else
		fail "$1" "exit $3 (want $2)"; sed 's/^/  | /' "$5" | head -5; fi
}

r=$tmp/repo
mkdir -p "$r/sub" "$tmp/elsewhere" && git init -q "$r"
printf '# N\n#lower\n' > "$r/N.md"
printf 'tags:\n  case: upper\n' > "$tmp/elsewhere/outside.yaml"
ln -s "$tmp/elsewhere/outside.yaml" "$r/.vaultlint.yaml"
(cd "$r" && "$VAULTLINT" check --no-cache) > "$tmp/out" 2> "$tmp/err"
expect "a found config that leads out of the repository is not read" 2 $? \
	"leads to '$tmp/elsewhere/outside.yaml', outside the repository" "$tmp/err"
(cd "$r" && "$VAULTLINT" check --no-cache --config "$tmp/elsewhere/outside.yaml") \
	> "$tmp/out" 2> "$tmp/err"
expect "--config may name a file anywhere" 0 $? "" "$tmp/err"
grep -q "tag '#lower' is not upper" "$tmp/out" && pass "--config: the file is read" ||
	fail "--config: the file is read" "$(cat "$tmp/out")"
rm "$r/.vaultlint.yaml"
cp "$tmp/elsewhere/outside.yaml" "$r/sub/shared.yaml"
ln -s sub/shared.yaml "$r/.vaultlint.yaml"
(cd "$r" && "$VAULTLINT" check --no-cache) > "$tmp/out" 2> "$tmp/err"
expect "a config symlinked inside the repository is read" 0 $? "" "$tmp/err"
grep -q "tag '#lower' is not upper" "$tmp/out" && pass "symlinked config inside: applied" ||
	fail "symlinked config inside: applied" "$(cat "$tmp/out")"

gone=$tmp/gone
mkdir "$gone"
(cd "$gone" && rmdir "$gone" && "$VAULTLINT" check --no-cache) > "$tmp/out" 2> "$tmp/err"
expect "run from a removed folder: said" 2 $? "(was the current folder removed?)" "$tmp/err"

# Obsidian's settings (.obsidian/app.json, its excluded files) are read as
# the notes are: a FIFO is no hang, a symlink out of the vault is not read
# (its filters, which would hide Templates/, are not applied), and both
# are said on stderr while the check goes on.
v=$tmp/obs
mkdir -p "$v/.obsidian" "$v/Templates"
printf '# Daily\n[[{{date}}]]\n' > "$v/Templates/Daily.md"
printf '{"userIgnoreFilters": ["Templates/"]}\n' > "$tmp/elsewhere/app.json"
ln -s "$tmp/elsewhere/app.json" "$v/.obsidian/app.json"
(cd "$v" && timeout 20 "$VAULTLINT" check --no-cache) > "$tmp/out" 2> "$tmp/err"
expect "app.json symlinked out of the vault: not read, said" 1 $? \
	"refusing to read '.obsidian/app.json'" "$tmp/err"
grep -qF "Templates/Daily.md:2:1" "$tmp/out" && pass "app.json symlinked out: its filters not applied" ||
	fail "app.json symlinked out: its filters not applied" "$(cat "$tmp/out")"
rm "$v/.obsidian/app.json"
mkfifo "$v/.obsidian/app.json"
(cd "$v" && timeout 20 "$VAULTLINT" check --no-cache) > "$tmp/out" 2> "$tmp/err"
expect "app.json a FIFO: no hang, said" 1 $? \
	"cannot read '.obsidian/app.json': not a regular file; its excluded files are not applied" \
	"$tmp/err"
rm "$v/.obsidian/app.json"
cp "$tmp/elsewhere/app.json" "$v/.obsidian/app.json"
(cd "$v" && timeout 20 "$VAULTLINT" check --no-cache) > "$tmp/out" 2> "$tmp/err"
expect "app.json a file in the vault: read, nothing said" 0 $? "" "$tmp/err"
[ ! -s "$tmp/err" ] && pass "app.json read: stderr empty" || fail "app.json read: stderr empty" "$(cat "$tmp/err")"
