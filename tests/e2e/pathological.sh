#!/bin/sh
# Pathological inputs: each case builds a vault in a temp folder at test
# time (nothing big is committed) and runs `vaultlint check` on it. A case
# passes when vaultlint ends with a finding or a clean report (exit 0 or 1)
# within `timeout 120`, under `ulimit -v` (4 GB; skipped for sanitizer
# builds, whose shadow memory needs more address space), with no sanitizer
# report. Exit 2 (an error), a crash (exit >= 128) or a timeout fails.
# Prints "PASS name" or "FAIL name" per case, with details indented.
#
# Environment: VAULTLINT (the binary), PATHO_ONLY=pattern to run only the
# matching cases, PATHO_LIMIT_KB (default 4194304).
set -u
: "${VAULTLINT:?set VAULTLINT to the vaultlint binary}"
limit_kb=${PATHO_LIMIT_KB:-4194304}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
export NO_COLOR=1

if grep -q __asan_init "$VAULTLINT" 2>/dev/null; then
	limit_kb=unlimited
fi

# run NAME [FINDING]: lints $root/NAME/vault; prints PASS or FAIL with
# why (FINDING, when given: a text the report must hold).
run() {
	name=$1
	want_text=${2:-}
	dir=$root/$name
	start=$(date +%s)
	(
		ulimit -v "$limit_kb" 2>/dev/null
		exec timeout 120 "$VAULTLINT" check "$dir/vault"
	) >"$dir/out" 2>"$dir/err"
	rc=$?
	secs=$(( $(date +%s) - start ))
	why=
	if [ "$rc" -eq 124 ]; then
		why="timed out after 120 s"
	elif [ "$rc" -ge 128 ]; then
		why="crashed (exit $rc)"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		why="exit $rc"
	elif grep -qE 'ERROR: (Address|Leak|Memory)Sanitizer|runtime error:' "$dir/err"; then
		why="sanitizer report"
	elif [ -n "$want_text" ] && ! grep -qF -- "$want_text" "$dir/out"; then
		why="the report lacks: $want_text"
	fi
	if [ -z "$why" ]; then
		echo "PASS $name"
		echo "  ($secs s, exit $rc, $(wc -l <"$dir/out") report lines)"
	else
		echo "FAIL $name"
		echo "  $why after $secs s; stderr:"
		head -n 20 "$dir/err" | sed 's/^/    /'
	fi
	rm -rf "$dir"
}

# want NAME: 0 when the case should run (PATHO_ONLY), and makes its vault.
want() {
	case $1 in
	${PATHO_ONLY:-*}) ;;
	*) return 1 ;;
	esac
	mkdir -p "$root/$1/vault"
}

# 100,000-deep nested lists: each "- " opens a list inside the previous
# item, on one line (indenting 100,000 lines would take gigabytes).
if want deep-list; then
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "- "; print "[[Deep]] #TAG ^deep" }' \
		>"$root/deep-list/vault/Deep.md"
	run deep-list
fi

# 100,000-deep nested quotes, and lists inside quotes alternating.
if want deep-quote; then
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "> "; print "[[Deep]] ^q";
		for (i = 0; i < 50000; i++) printf "> - "; print "x" }' \
		>"$root/deep-quote/vault/Deep.md"
	run deep-quote
fi

# A 50 MB note shaped like a real one: headings, entries, links, tags, ids.
if want big-note; then
	awk 'BEGIN {
		print "---\ntags: [BIG]\n---\n# Big"
		for (i = 0; len < 50 * 1024 * 1024; i++) {
			if (i % 50 == 0) { s = sprintf("\n## Section %d\n", i); }
			else s = sprintf("- #PAPER [Title %d (Author 2021)](https://example.org/p/%d) ^b%d\n  - see [[Big#Section %d]] and [[Big#^b%d]] [[Missing %d]]\n", i, i, i, i - i % 50, i - 1, i % 1000)
			printf "%s", s; len += length(s)
		}
	}' >"$root/big-note/vault/Big.md"
	run big-note
fi

# 1,000,000 tags in one note (ten a line), and a front matter list of them.
if want million-tags; then
	awk 'BEGIN {
		print "---\ntags:"
		for (i = 0; i < 1000; i++) printf "  - FM%d\n", i
		print "---"
		for (i = 0; i < 1000000; i++) printf "#TAG%d%s", i, (i % 10 == 9) ? "\n" : " "
	}' >"$root/million-tags/vault/Tags.md"
	run million-tags
fi

# Billion laughs: nine levels of nine aliases in the front matter, used as
# tags and aliases and as a plain property.
if want alias-bomb; then
	awk 'BEGIN {
		print "---"
		print "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"
		split("a b c d e f g h i", L, " ")
		for (k = 2; k <= 9; k++) {
			p = L[k - 1]; printf "%s: &%s [", L[k], L[k]
			for (j = 0; j < 9; j++) printf "%s*%s", (j ? "," : ""), p
			print "]"
		}
		print "tags: *i\naliases: *i\nprop: *i\n---\n# Bomb"
	}' >"$root/alias-bomb/vault/Bomb.md"
	run alias-bomb
fi

# 100,000 links to one block id from another note (and repeated, so the
# duplicate-link rule sees them too).
if want links-to-block; then
	printf '# Target\n\n- the block ^blk\n' >"$root/links-to-block/vault/Target.md"
	awk 'BEGIN { for (i = 0; i < 100000; i++) print "- [[Target#^blk]]" }' \
		>"$root/links-to-block/vault/Source.md"
	run links-to-block
fi

# A 10 MB single line of words, links and tags, no newline at all.
if want long-line; then
	awk 'BEGIN { for (len = 0; len < 10 * 1024 * 1024; ) {
		s = sprintf("word [[Long]] [[Missing%d]] #TAG%d https://x.example/%d ", len % 97, len % 89, len)
		printf "%s", s; len += length(s) } }' >"$root/long-line/vault/Long.md"
	run long-line
fi

# Flow collections nested 100,000 deep in front matter ([ ] and { }):
# libyaml's time grows with the square of the depth (half a minute here),
# so such front matter is refused, with a finding, before it parses.
if want deep-yaml; then
	awk 'BEGIN { printf "---\ntags: "; for (i = 0; i < 100000; i++) printf "[";
		for (i = 0; i < 100000; i++) printf "]"; printf "\nx: ";
		for (i = 0; i < 100000; i++) printf "{a: "; printf "1";
		for (i = 0; i < 100000; i++) printf "}"; print "\n---\n# Deep" }' \
		>"$root/deep-yaml/vault/Deep.md"
	run deep-yaml "front matter nests [ ] or { } more than 256 deep"
fi

# A 3 GB note (sparse: nothing written): not read whole (it was, to say
# it is binary, under 3 GB of memory), but named as too large.
if want huge-note; then
	truncate -s 3G "$root/huge-note/vault/Huge.md" &&
		printf '[[Huge]]\n' >"$root/huge-note/vault/Other.md" &&
		run huge-note "not reading 'Huge.md': 3072 MB, more than a note can be (256 MB)"
fi

# 20,000 "[[" that never close: on one line, then one a line.
if want open-brackets; then
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "[[a "; print "";
		for (i = 0; i < 20000; i++) print "[[" }' \
		>"$root/open-brackets/vault/Open.md"
	run open-brackets
fi
