#!/bin/sh
# The cache of parsed notes (<git dir>/vaultlint/cache): it never changes
# a finding. A warm run gives the same output and writes nothing; an edit
# (even one that keeps the size and the mtime) is seen; a damaged cache is
# ignored and rebuilt; concurrent runs stay right; --no-cache and vaults
# outside git write nothing; --staged and changelog see the right blobs.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS cache: $1"; }
fail() { echo "FAIL cache: $1"; shift; for l in "$@"; do echo "  $l"; done; }
same() {
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "outputs differ:"; diff "$2" "$3" | head -10 | sed 's/^/  | /'; fi
}
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "missing: $3"; sed 's/^/  | /' "$2" | head -10; fi
}
lacks() {
	if grep -qF -- "$3" "$2"; then fail "$1" "unexpected: $3"; sed 's/^/  | /' "$2" | head -10; else pass "$1"; fi
}
ok() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }
# The memo of findings (memo.sh) would answer a repeated run without
# opening the cache at all: every run here starts without it.
vaultlint() { rm -rf "$r/.git/vaultlint/memo"; "$VAULTLINT" "$@"; }
# identity of the cache file: inode, size, mtime (changes on any rewrite)
ident() { stat -c '%i %s %y' "$cache" 2>/dev/null || echo none; }

r=$tmp/repo
cache=$r/.git/vaultlint/cache
mkdir -p "$r/notes/sub" && cd "$r" || exit 1
git init -q . && git config user.name Test && git config user.email test@example.org
git config commit.gpgsign false
printf '# Target\n## Part\nText ^blk\n' > notes/Target.md
printf -- '---\ntags: [a]\n---\n# Linker\nSee [[Target]] and [[Target#Part]] and [[Target#^blk]].\n' > notes/Linker.md
printf '# Mess\nSee [[Nowhere]] #Tag #tag.\n' > notes/Mess.md
i=0
while [ $i -lt 40 ]; do
	printf '# N%s\n[[Target]] [[N%s]] #t%s\n' $i $(( (i + 1) % 40 )) $i > notes/sub/N$i.md
	i=$((i + 1))
done
git add -A && git commit -q --no-verify -m root
sleep 0.05

# first run builds the cache; a second gives the same output, rewrites nothing
vaultlint check notes > "$tmp/nc" 2>&1 --no-cache
[ -e "$cache" ]; ok "--no-cache writes no cache" $(( ! $? )) "cache exists"
vaultlint check notes > "$tmp/o1" 2>&1
[ -s "$cache" ]; ok "check writes the cache in the git folder" $? "no $cache"
same "cold cache output equals --no-cache output" "$tmp/nc" "$tmp/o1"
id1=$(ident)
vaultlint check notes > "$tmp/o2" 2>&1
same "warm cache output equals cold output" "$tmp/o1" "$tmp/o2"
[ "$id1" = "$(ident)" ]; ok "warm run leaves the cache file unchanged" $? "cache rewritten"
# the same with neither memo nor check state: every note checked, each
# read whole from the cache, none parsed again
rm -rf "$r/.git/vaultlint/state"
vaultlint check notes > "$tmp/o2s" 2>&1
same "warm cache, no check state: the same output" "$tmp/o1" "$tmp/o2s"
[ "$id1" = "$(ident)" ]; ok "warm cache, no check state: the cache file unchanged" $? "cache rewritten"

# an edit is seen, also one that keeps the size and the mtime
printf '# Mess\nSee [[Target]] #Tag #tag.\n' > notes/Mess.md
vaultlint check notes > "$tmp/o3" 2>&1
lacks "edited note: the fixed link is gone" "$tmp/o3" "Nowhere"
m=$(stat -c %Y notes/Linker.md)
sed -i 's/\[\[Target\]\]/[[Targex]]/' notes/Linker.md
touch -d "@$m" notes/Linker.md
vaultlint check notes > "$tmp/o4" 2>&1
has "same-size edit with the old mtime is seen" "$tmp/o4" "Targex"
vaultlint check --no-cache notes > "$tmp/o4n" 2>&1
same "after edits, cached output equals --no-cache" "$tmp/o4n" "$tmp/o4"

# every note touched (a fresh checkout with the cache kept), one of them
# edited back to the same size: with no check state, each note is read and
# taken from the cache by its bytes' fingerprint, the edited one parsed;
# the cache is written again under the new stat data, so that the run
# after it finds every note by its stat data and writes nothing
rm -rf "$r/.git/vaultlint/state"
vaultlint check notes > /dev/null 2>&1
sed -i 's/\[\[Targex\]\]/[[Target]]/' notes/Linker.md
find notes -type f -exec touch {} +
rm -rf "$r/.git/vaultlint/state"
VAULTLINT_TRACE=1 vaultlint check notes > "$tmp/o4t" 2> "$tmp/o4t.err"
vaultlint check --no-cache notes > "$tmp/o4tn" 2>&1
same "every note touched, one edited: the output of --no-cache" "$tmp/o4tn" "$tmp/o4t"
lacks "every note touched, one edited: the edit is seen" "$tmp/o4t" "Targex"
n_notes=$(find notes -name '*.md' | wc -l)
has "every note touched, one edited: found by their bytes, one parsed" "$tmp/o4t.err" \
	"notes cache: 0 notes found by their stat data, $((n_notes - 1)) by their bytes, 1 parsed"
id_t=$(ident)
rm -rf "$r/.git/vaultlint/state"
VAULTLINT_TRACE=1 vaultlint check notes > "$tmp/o4u" 2> "$tmp/o4u.err"
same "the run after: the same output" "$tmp/o4t" "$tmp/o4u"
[ "$id_t" = "$(ident)" ]; ok "the run after: the cache file unchanged (found by stat data)" $? "cache rewritten"
has "the run after: every note found by its stat data" "$tmp/o4u.err" \
	"notes cache: $n_notes notes found by their stat data, 0 by their bytes, 0 parsed"
# another program (here: another object loaded into it) parses every
# note again: a new vaultlint whose parser reads a note otherwise never
# takes an old one's parses, whether or not CACHE_FORMAT was bumped
if ldd "$VAULTLINT" 2>/dev/null | grep -q 'lib[at]san'; then
	echo "SKIP cache: another program (a sanitizer build takes no LD_PRELOAD library)"
elif printf 'int vl_cache_probe(void) { return 1; }\n' > "$tmp/probe.c" &&
    ${CC:-cc} -shared -fPIC -Wl,--build-id -o "$tmp/probe.so" "$tmp/probe.c" 2>/dev/null; then
	rm -rf "$r/.git/vaultlint/state"
	LD_PRELOAD=$tmp/probe.so VAULTLINT_TRACE=1 vaultlint check notes > "$tmp/o4p" 2> "$tmp/o4p.err"
	has "another program: every note parsed again" "$tmp/o4p.err" \
		"notes cache: 0 notes found by their stat data, 0 by their bytes, $n_notes parsed"
	same "another program: the same output" "$tmp/o4t" "$tmp/o4p"
	rm -rf "$r/.git/vaultlint/state"
	VAULTLINT_TRACE=1 vaultlint check notes > "$tmp/o4q" 2> "$tmp/o4q.err"
	has "this program again: every note parsed again (the other one rewrote the cache)" \
		"$tmp/o4q.err" "notes cache: 0 notes found by their stat data, 0 by their bytes, $n_notes parsed"
else
	echo "SKIP cache: another program (no C compiler)"
fi
sed -i 's/\[\[Target\]\]/[[Targex]]/' notes/Linker.md
vaultlint check notes > "$tmp/o4" 2>&1

# a damaged cache gives the same findings and is rebuilt
vaultlint check notes > /dev/null 2>&1
size=$(stat -c %s "$cache")
printf 'X' | dd of="$cache" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
vaultlint check notes > "$tmp/o5" 2>&1
same "corrupt cache: same findings" "$tmp/o4n" "$tmp/o5"
id2=$(ident)
vaultlint check notes > "$tmp/o6" 2>&1
same "rebuilt cache: same findings" "$tmp/o4n" "$tmp/o6"
[ "$id2" = "$(ident)" ]; ok "corrupt cache was rebuilt (next run writes nothing)" $? "rewritten again"
head -c 100 "$cache" > "$tmp/trunc" && cp "$tmp/trunc" "$cache"
vaultlint check notes > "$tmp/o7" 2>&1
same "truncated cache: same findings" "$tmp/o4n" "$tmp/o7"
printf 'garbage' > "$cache"
vaultlint check notes > "$tmp/o8" 2>&1
same "garbage cache: same findings" "$tmp/o4n" "$tmp/o8"

# concurrent runs: both right, the cache valid afterwards
rm -f "$cache"
printf '# Plain\nSee [[Gone]].\n' > notes/Plain.md
vaultlint check --no-cache notes > "$tmp/want" 2>&1
vaultlint check notes > "$tmp/c1" 2>&1 &
p1=$!
vaultlint check notes > "$tmp/c2" 2>&1 &
p2=$!
vaultlint check notes > "$tmp/c3" 2>&1
wait $p1 $p2
same "concurrent run 1 right" "$tmp/want" "$tmp/c1"
same "concurrent run 2 right" "$tmp/want" "$tmp/c2"
same "concurrent run 3 right" "$tmp/want" "$tmp/c3"
vaultlint check notes > "$tmp/c4" 2>&1
same "after concurrent runs: right" "$tmp/want" "$tmp/c4"
id3=$(ident)
vaultlint check notes > /dev/null 2>&1
[ "$id3" = "$(ident)" ]; ok "after concurrent runs: the cache is valid" $? "rewritten"
ls "$r/.git/vaultlint" | grep -q 'tmp\|scratch'
ok "no temporary file left" $(( ! $? )) "$(ls "$r/.git/vaultlint")"

# a first run with nothing stored (a fresh clone in CI): the notes it
# parses go to the cache as they come and are read back from it for the
# check; the same findings, and no scratch file is left
rm -rf "$r/.git/vaultlint"
"$VAULTLINT" check notes > "$tmp/f1" 2>&1
same "first run with nothing stored equals --no-cache" "$tmp/want" "$tmp/f1"
ls -A "$r/.git/vaultlint" | tr '\n' ' ' > "$tmp/left"
[ -s "$cache" ] && ! grep -q 'tmp\|scratch' "$tmp/left"
ok "first run writes the cache and leaves no other file" $? "$(cat "$tmp/left")"
rm -rf "$r/.git/vaultlint/memo" "$r/.git/vaultlint/state"
"$VAULTLINT" check notes > "$tmp/f2" 2>&1
same "its cache serves the next run" "$tmp/want" "$tmp/f2"
# nowhere to keep the cache (its folder is a file): the run is right
rm -rf "$r/.git/vaultlint" && printf 'not a folder\n' > "$r/.git/vaultlint"
"$VAULTLINT" check notes > "$tmp/f3" 2>/dev/null
same "no room for a cache: the same findings" "$tmp/want" "$tmp/f3"
rm -f "$r/.git/vaultlint"

# --staged sees the staged content, not the work tree, nor a stale cache
git add -A && git commit -q --no-verify -m two
vaultlint check --staged --all notes > /dev/null 2>&1
printf '# Plain\nSee [[Staged gone]].\n' > notes/Plain.md
git add notes/Plain.md
printf '# Plain\nSee [[Worktree gone]].\n' > notes/Plain.md
vaultlint check --staged notes > "$tmp/s1" 2>&1
has "--staged sees the staged edit" "$tmp/s1" "Staged gone"
lacks "--staged ignores the work tree" "$tmp/s1" "Worktree gone"
vaultlint check --staged notes > "$tmp/s2" 2>&1
same "--staged warm equals cold" "$tmp/s1" "$tmp/s2"
vaultlint check --staged --no-cache notes > "$tmp/s3" 2>&1
same "--staged cached equals --no-cache" "$tmp/s3" "$tmp/s2"
git checkout -q -- notes/Plain.md 2>/dev/null
git reset -q

# changelog: links the range broke, the same with a warm cache
git mv notes/Target.md notes/Aim.md && git commit -q --no-verify -m rename
vaultlint changelog --format text > "$tmp/l1" 2>&1
has "changelog finds a link the rename broke" "$tmp/l1" "N3.md"
vaultlint changelog --format text > "$tmp/l2" 2>&1
same "changelog warm equals cold" "$tmp/l1" "$tmp/l2"
rm -rf "$r/.git/vaultlint"
vaultlint changelog --format text > "$tmp/l3" 2>&1
same "changelog without a cache equals with one" "$tmp/l1" "$tmp/l3"
rm -rf "$r/.git/vaultlint"
"$VAULTLINT" changelog --no-cache --format text > "$tmp/l4" 2>&1
same "changelog --no-cache equals with a cache" "$tmp/l1" "$tmp/l4"
[ ! -e "$r/.git/vaultlint" ]; ok "changelog --no-cache writes neither cache nor memo" $? "$(ls -R "$r/.git/vaultlint" 2>&1 | head -5)"

# a vault outside git: no cache anywhere
o=$tmp/plain
mkdir -p "$o/v"
printf '# A\n[[B]]\n' > "$o/v/A.md"
find "$tmp" -newer "$o/v/A.md" -type f > "$tmp/before.lst"
(cd "$o" && GIT_CEILING_DIRECTORIES=$tmp "$VAULTLINT" check v > "$tmp/p1" 2>&1)
has "vault outside git is checked" "$tmp/p1" "A.md:2"
find "$o" -name 'cache*' > "$tmp/found"
[ ! -s "$tmp/found" ]; ok "vault outside git writes no cache" $? "$(cat "$tmp/found")"
[ ! -e "$o/.git" ] && [ ! -e "$o/v/.git" ]; ok "vault outside git: no git folder made" $? "made one"
