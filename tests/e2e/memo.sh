#!/bin/sh
# The memo of findings (<git dir>/vaultlint/memo): a run over inputs already
# checked answers from it, and it never changes a finding. A hit is seen
# from outside: it reads no note, so a notes cache removed before the run
# is not written again. Any edit (also one that keeps the size and the
# mtime), a new file, another config, another staged blob is a miss; a
# damaged entry is a miss; --no-cache neither reads nor writes it.
set -u
: "${VAULTLINT:?}"
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SUITE=memo
. "$(dirname "$0")/lib/assert.sh"

out=$tmp/out
err=$tmp/err
r=$tmp/repo
memo=$r/.git/vaultlint/memo
cache=$r/.git/vaultlint/cache
# the check state (incremental.sh) would answer a miss without reading
# every note: each run here goes without it, so a miss reads the notes
state=$r/.git/vaultlint/state
mkdir -p "$r/v/sub" && cd "$r" || exit 1
git init -q . && git config user.name Test && git config user.email test@example.org
git config commit.gpgsign false
printf '# A\nSee [[Missing]] and [[B#Part]].\n' > v/A.md
printf '# B\n## Part\nText ^blk\n' > v/B.md
printf '# C\n[[B#^blk]] #tag\n' > v/sub/C.md
git add -A && git commit -q --no-verify -m root
# files younger than two seconds are racy: no run over them is remembered
sleep 2.2

entries() { ls "$memo" 2>/dev/null | grep -c '^[0-9a-f]\{32\}$'; }
# run_hit NAME ARGS...: runs vaultlint without a notes cache; passes when
# the run read no note (no cache written), i.e. it answered from the memo.
# The report and exit code of a hit are compared with a run without any
# cache (--no-cache) on the same state.
run_hit() {
	name=$1
	shift
	"$VAULTLINT" "$@" --no-cache > "$tmp/fresh" 2>&1
	fresh_rc=$?
	rm -rf "$cache" "$state"
	"$VAULTLINT" "$@" > "$out" 2> "$err"
	rc=$?
	if [ ! -e "$cache" ]; then pass "$name"; else fail "$name" "the notes were read"; fi
	if [ "$rc" = "$fresh_rc" ] && cmp -s "$tmp/fresh" "$out"; then
		pass "$name: same report and exit as without caches"
	else
		fail "$name: same report and exit as without caches" "exit $rc, fresh $fresh_rc"
		diff "$tmp/fresh" "$out" | head -10 | sed 's/^/  | /'
	fi
}
run_miss() {
	name=$1
	shift
	rm -rf "$cache" "$state"
	"$VAULTLINT" "$@" > "$out" 2> "$err"
	rc=$?
	if [ -e "$cache" ]; then pass "$name"; else fail "$name" "answered from the memo"; fi
}

# --no-cache: no memo
"$VAULTLINT" check --no-cache v > "$tmp/want" 2>&1
want_rc=$?
[ ! -e "$memo" ]; is_rc "--no-cache writes no memo" $? 0

# first run computes and remembers; the second answers from the memo
run_miss "first run reads the notes" check v
is_rc "first run: exit as without caches" "$rc" "$want_rc"
[ "$(entries)" = 1 ]; is_rc "first run leaves one memo entry" $? 0
run_hit "second run answers from the memo" check v
is_rc "memo hit: same exit code" "$rc" "$want_rc"
if cmp -s "$tmp/want" "$out"; then pass "memo hit: same report"; else fail "memo hit: same report"; diff "$tmp/want" "$out" | head; fi
has "memo hit: the broken link is reported" "$out" "A.md:2:5"
"$VAULTLINT" check --no-cache --format json v > "$tmp/wantj" 2>&1
run_hit "json report from the memo" check --format json v
if cmp -s "$tmp/wantj" "$out"; then pass "memo hit: same JSON"; else fail "memo hit: same JSON"; diff "$tmp/wantj" "$out" | head; fi
run_hit "--fail-on never from the memo" check --fail-on never v
is_rc "memo hit honours --fail-on" "$rc" 0

sleep 2.2
"$VAULTLINT" check v > /dev/null 2>&1 # remembered
# --no-cache does not even look at the memo
e=$(ls -d "$memo"/* | head -n 1)
touch -d '2000-01-01' "$e"
"$VAULTLINT" check --no-cache v > /dev/null 2>&1
[ "$(stat -c %Y "$e")" = "$(date -d 2000-01-01 +%s)" ]; is_rc "--no-cache leaves the memo alone" $? 0

# an edit in place that keeps the size, the inode and the mtime (to the
# nanosecond) is a miss: the ctime moved
touch -r v/A.md "$tmp/ref"
printf 'Mislaid' | dd of=v/A.md bs=1 seek=10 conv=notrunc 2>/dev/null
touch -r "$tmp/ref" v/A.md
[ "$(stat -c %y v/A.md)" = "$(stat -c %y "$tmp/ref")" ]; is_rc "(the mtime is the old one)" $? 0
run_miss "same-size edit in place with the old mtime: miss" check v
has "the edit is seen" "$out" "Mislaid"
lacks "the old finding is gone" "$out" "Missing"
# a racy state (edited just now) is not remembered
run_miss "a run over a file edited just now is not remembered" check v
sleep 2.2
run_miss "once old enough, the state is remembered" check v
run_hit "and then answered from the memo" check v
has "the remembered report is the edited one" "$out" "Mislaid"

# a new file, a removed file
printf '# D\n[[Nowhere]]\n' > v/D.md
run_miss "a new note: miss" check v
has "the new note is checked" "$out" "D.md:2"
rm v/D.md
run_hit "the old state again: hit" check v
lacks "the removed note is not reported" "$out" "D.md"

# another config is another key
printf 'rules:\n  broken-link: off\n' > .vaultlint.yaml
run_miss "a new config: miss" check v
lacks "the new config applies" "$out" "Mislaid"
rm .vaultlint.yaml
run_hit "the old config again: hit" check v
has "the old config's report" "$out" "Mislaid"

# damaged entries are misses, never trusted, never errors
for e in "$memo"/*; do printf 'garbage' > "$e"; done
run_miss "garbage entry: miss" check v
is_rc "garbage entry: exit as without caches" "$rc" 1
has "garbage entry: right report" "$out" "Mislaid"
run_hit "rewritten entry: hit" check v
for e in "$memo"/*; do
	size=$(stat -c %s "$e")
	printf 'X' | dd of="$e" bs=1 seek=$((size - 10)) conv=notrunc 2>/dev/null
done
run_miss "flipped byte: miss" check v
has "flipped byte: right report" "$out" "Mislaid"
for e in "$memo"/*; do head -c 60 "$e" > "$tmp/t" && cp "$tmp/t" "$e"; done
run_miss "truncated entry: miss" check v
# an entry that is a symlink is not followed
rm -rf "$memo"
"$VAULTLINT" check v > /dev/null 2>&1
e=$(ls -d "$memo"/*)
mv "$e" "$tmp/moved" && ln -s "$tmp/moved" "$e"
run_miss "symlinked entry: miss" check v
[ -f "$e" ] && [ ! -L "$e" ]; is_rc "symlinked entry is replaced, not followed" $? 0

# --staged: the index is keyed by blob ids (never racy)
git add -A && git commit -q --no-verify -m two
printf '# C\n[[B#^nope]] #tag\n' > v/sub/C.md
git add v/sub/C.md
run_miss "--staged: first run" check --staged v
has "--staged reports the staged edit" "$out" "nope"
cp "$out" "$tmp/s1"
run_hit "--staged again: hit" check --staged v
if cmp -s "$tmp/s1" "$out"; then pass "--staged hit: same report"; else fail "--staged hit: same report"; diff "$tmp/s1" "$out" | head; fi
printf '# C\n[[B#^blk]] #tag2\n' > v/sub/C.md
run_hit "--staged ignores the work tree" check --staged v
git add v/sub/C.md
run_miss "--staged: another staged blob is a miss" check --staged v
lacks "--staged: the fix is seen" "$out" "nope"
run_miss "--staged --all is keyed apart" check --staged --all v
git commit -q --no-verify -m three
# a staged change of mode alone is a change too (the diff is in the key)
"$VAULTLINT" check --staged v > /dev/null 2>&1
git update-index --chmod=+x v/A.md
run_miss "--staged: a staged mode change is a miss" check --staged v
has "--staged: the note whose mode changed is checked" "$out" "A.md:2"
git update-index --chmod=-x v/A.md

# --changed-since: the work tree and the diff from REV
sleep 2.2
run_miss "--changed-since: first run" check --changed-since HEAD~1 v
run_hit "--changed-since again: hit" check --changed-since HEAD~1 v
run_miss "--changed-since another revision: miss" check --changed-since HEAD~2 v
# a tracked note that .gitignore lists: not in the listing, but in the diff
printf '# Ign\n' > v/Ign.md
printf '# E\n[[Ign]]\n' > v/E.md
git add -A && git commit -q --no-verify -m ign
printf 'v/Ign.md\n' > .gitignore
sleep 2.2
run_miss "--changed-since with a tracked ignored note: first run" check --changed-since HEAD v
printf '# Ign edited\n' > v/Ign.md
sleep 2.2
run_miss "--changed-since: an edit of a tracked ignored note is a miss" check --changed-since HEAD v
rm -f .gitignore
sleep 2.2

# at most 8 entries are kept
i=0
while [ $i -lt 10 ]; do
	printf '# config %s\n' $i > .vaultlint.yaml
	"$VAULTLINT" check v > /dev/null 2>&1
	i=$((i + 1))
done
[ "$(entries)" = 8 ]; is_rc "the newest 8 entries are kept" $? 0
rm -f .vaultlint.yaml
ls "$memo" | grep -q tmp; is_rc "no temporary file left" $? 1

# the digest is keyed by the repository's own random key: a new key makes
# every entry a miss (never a wrong hit); entries of the earlier format
# (named by a 40-digit SHA-1) are removed when the memo is written
[ "$(wc -c < "$r/.git/vaultlint/key")" = 16 ]; is_rc "the memo key is 16 bytes" $? 0
"$VAULTLINT" check v > /dev/null 2>&1
run_hit "same key: a hit" check v
old=$(printf '%040d' 0)
printf 'old\n' > "$memo/$old"
printf 'x' | dd of="$r/.git/vaultlint/key" bs=1 seek=0 conv=notrunc 2>/dev/null
run_miss "another key: a miss" check v
[ ! -e "$memo/$old" ]; is_rc "an entry of the earlier format is removed" $? 0
# a damaged key (emptied, cut short, a folder, a FIFO) is replaced: it
# once turned the memo, the state and the cache off for good. A FIFO
# where an entry or the key was must not hang the run (timeout 60).
for kind in empty short folder fifo; do
	rm -rf "$r/.git/vaultlint/key"
	case $kind in
	empty) : > "$r/.git/vaultlint/key" ;;
	short) printf 'abc' > "$r/.git/vaultlint/key" ;;
	folder) mkdir "$r/.git/vaultlint/key" ;;
	fifo) mkfifo "$r/.git/vaultlint/key" ;;
	esac
	timeout 60 "$VAULTLINT" check v > /dev/null 2>&1
	[ -f "$r/.git/vaultlint/key" ] && [ "$(wc -c < "$r/.git/vaultlint/key")" = 16 ]
	is_rc "a key that is $kind is replaced by a new one" $? 0
	run_hit "after a key that was $kind: a hit" check v
done
for e in $(ls "$memo" | grep '^[0-9a-f]\{32\}$'); do
	rm -f "$memo/$e" && mkfifo "$memo/$e"
done
"$VAULTLINT" check --no-cache v > "$tmp/fresh" 2>&1
fresh_rc=$?
timeout 60 "$VAULTLINT" check v > "$out" 2>&1
rc=$?
[ "$rc" = "$fresh_rc" ] && cmp -s "$tmp/fresh" "$out"; is_rc "FIFOs where the entries were: the run ends, the same report" $? 0

# changelog: a range of two commits is remembered per format and grouping.
# A miss writes its entry anew (a new inode); a hit only reads it.
idents() { ls -i "$memo" | sort; }
run_cl() {
	idents > "$tmp/before"
	"$VAULTLINT" changelog "$@" > "$out" 2> "$err"
	idents > "$tmp/after"
}
is_hit() { if cmp -s "$tmp/before" "$tmp/after"; then pass "$1"; else fail "$1" "an entry was written"; fi; }
is_miss() { if cmp -s "$tmp/before" "$tmp/after"; then fail "$1" "no entry was written"; else pass "$1"; fi; }
run_cl HEAD~2..HEAD
is_miss "changelog: first run is remembered"
cp "$out" "$tmp/l1"
has "changelog reports the range" "$tmp/l1" "[[v/sub/C]]"
run_cl HEAD~2..HEAD
is_hit "changelog again: hit"
if cmp -s "$tmp/l1" "$out"; then pass "changelog hit: same text"; else fail "changelog hit: same text"; diff "$tmp/l1" "$out" | head; fi
for e in "$memo"/*; do touch -d '2000-01-01' "$e"; done
run_cl --no-cache HEAD~2..HEAD
is_hit "changelog --no-cache writes no entry"
if cmp -s "$tmp/l1" "$out"; then pass "changelog --no-cache: same text"; else fail "changelog --no-cache: same text"; fi
[ -z "$(find "$memo" -newermt '2001-01-01' -type f)" ]; is_rc "changelog --no-cache reads no entry" $? 0
run_cl --format json HEAD~2..HEAD
is_miss "changelog --format json: miss"
has "changelog json is JSON" "$out" '"notes"'
run_cl HEAD~1..HEAD
is_miss "changelog of another range: miss"
printf '# C\n- [[B#^blk]] worktree-only entry\n' > v/sub/C.md
run_cl --worktree
is_hit "changelog --worktree is never remembered"
has "changelog --worktree sees the edit" "$out" "worktree-only"
printf '# C\n- [[B#^blk]] worktree-two entry\n' > v/sub/C.md
run_cl --worktree
has "changelog --worktree sees the second edit" "$out" "worktree-two"
git checkout -q -- v/sub/C.md

# the program is in the key: a copy of the same build is the same program
# (a hit), another build or another object loaded into it (a preloaded
# library) is another (a miss). Its build id was once cut out of the key,
# so that a new vaultlint answered with an old one's findings.
sleep 2.2   # the files just checked out are racy for two seconds
"$VAULTLINT" check v > /dev/null 2>&1
cp "$VAULTLINT" "$tmp/vaultlint-copy"
real=$VAULTLINT
VAULTLINT=$tmp/vaultlint-copy
run_hit "a copy of the same build: a hit" check v
VAULTLINT=$real
if ldd "$VAULTLINT" 2>/dev/null | grep -q 'lib[at]san'; then
	echo "SKIP memo: another object loaded (a sanitizer build takes no LD_PRELOAD library)"
elif printf 'int vl_memo_probe(void) { return 1; }\n' > "$tmp/probe.c" &&
    ${CC:-cc} -shared -fPIC -Wl,--build-id -o "$tmp/probe.so" "$tmp/probe.c" 2>/dev/null; then
	rm -rf "$cache" "$state"
	LD_PRELOAD=$tmp/probe.so "$VAULTLINT" check v > "$out" 2> "$err"
	if [ -e "$cache" ]; then pass "another object loaded: a miss"; else fail "another object loaded: a miss" "answered from the memo"; fi
else
	echo "SKIP memo: another object loaded (no C compiler)"
fi

# Obsidian's excluded files (.obsidian/app.json) are applied to the report
# after the memo, which keeps every note's findings: a hit with A.md
# excluded leaves out A.md's finding, and with app.json gone it is back.
"$VAULTLINT" check v > /dev/null 2>&1
mkdir -p v/.obsidian
printf '{"userIgnoreFilters": ["A.md"]}\n' > v/.obsidian/app.json
run_hit "app.json added: a hit" check v
lacks "app.json added: the excluded note's finding is left out" "$out" "A.md:2"
rm -r v/.obsidian
run_hit "app.json removed: a hit" check v
has "app.json removed: the note's finding is back" "$out" "A.md:2"
