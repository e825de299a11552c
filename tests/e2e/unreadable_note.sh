#!/bin/sh
# A note that is listed but cannot be read (more than a note can be, or
# without read permission when not run as root) is still a note: its own
# invalid-input finding says why, links to it are not broken, and a
# heading or block id linked in it is not said to be missing (no one could
# read it). Checked without and with the cache of parsed notes (a second
# run loads the readable notes for the index only). The vault is built in
# a temp folder; the big note is sparse (truncate), so it takes no room.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

SUITE=unreadable-note
. "$(dirname "$0")/lib/assert.sh"

out=$tmp/out
err=$tmp/err
r=$tmp/repo
mkdir -p "$r/vault/Deep" && cd "$r" || exit 1
git init -q . && git config user.name Test && git config user.email test@example.org
truncate -s 300M vault/Deep/Huge.md || exit 1
cat > vault/Linker.md <<'EOF'
# Linker

See [[Huge]], [[Huge#Setup]] and [[Huge#^block]].
Also ![[Huge#^other]], [text](Deep/Huge.md#Other) and [[Nowhere]].
EOF

for run in "no cache" "first" "cached"; do
	case $run in
	"no cache") set -- --no-cache ;;
	*) set -- ;;
	esac
	"$VAULTLINT" check "$@" vault > "$out" 2> "$err"
	is_rc "$run: only the truly broken link is an error: exit 1" $? 1
	has "$run: the note itself says why it is not read" "$out" \
		"Deep/Huge.md: warning: not reading 'Deep/Huge.md': 300 MB, more than a note can be (256 MB)"
	lacks "$run: links to the note are not broken" "$out" "no note or file 'Huge'"
	lacks "$run: a path link to the note is not broken" "$out" "no note or file 'Deep/Huge"
	lacks "$run: no heading is said to be missing in it" "$out" "no heading"
	lacks "$run: no block id is said to be missing in it" "$out" "no block"
	has "$run: a link to no note is still broken" "$out" \
		"Linker.md:4:55: error: no note or file 'Nowhere' [broken-link]"
	has "$run: the summary" "$out" "1 error, 1 warning, 0 infos in 2 notes"
done

# without read permission (root reads it anyway: then there is nothing
# to check)
rm vault/Deep/Huge.md
printf '# Setup\nText ^block\n' > vault/Deep/Huge.md
chmod 000 vault/Deep/Huge.md
if [ "$(id -u)" != 0 ] && ! cat vault/Deep/Huge.md >/dev/null 2>&1; then
	"$VAULTLINT" check --no-cache vault > "$out" 2> "$err"
	is_rc "no permission: exit 1" $? 1
	has "no permission: the note says why" "$out" "Deep/Huge.md: warning: cannot read"
	lacks "no permission: links to the note are not broken" "$out" "no note or file 'Huge'"
	lacks "no permission: no heading is said to be missing" "$out" "no heading"
else
	echo "SKIP $SUITE: no permission (run as root: chmod 000 does not stop reads)"
fi
