#!/bin/sh
# The script behind `make bench`: generates (once per N) a synthetic vault
# with git history under tests/bench/out/, then times vaultlint against the
# tools that read the same data, and prints a table with PASS/MISS per
# target. A missed target is reported, not an error; a command that fails
# (or is killed) is an error (exit 1).
#
# Environment: VAULTLINT (binary), GEN (tests/bench/gen.c built), RTIME
# (tests/bench/rtime.c built), FLOOR (tests/bench/floor.c built), N
# (notes; default 50000), BENCH_OUT (default tests/bench/out), BENCH_TIMER
# (rtime, the default: wall time to the millisecond; or time, GNU time,
# whose %e counts hundredths, too coarse for the 10 to 40 ms runs of a
# small vault),
# BENCH_RUNS (3) and BENCH_WARMUP (1) to shorten a run when vaultlint is
# very slow.
#
# Each timing is the best of 3 runs after one warm-up run, so the page
# cache is warm for both sides. Peak memory is the largest of the 3 runs.
# The warm-up run leaves vaultlint's memo of findings (memo.h) holding the
# answer, so the first table times a repeated run. The second table times
# the first run after a change: for check, a line added to one note before
# each run (the check state, state.h, then re-checks what the edit can
# change); for check --staged, a new line staged before each run; for
# changelog (whose range does not change), the memo removed; and for check,
# a new note written before each run (the state then checks the notes
# whose links looked its name up or may now suggest it). The third
# table times check with neither memo nor check state (a new vault, a new
# vaultlint, another config), the notes cache warm. The fourth times check
# with nothing vaultlint stores, not even the notes cache (a fresh clone
# in CI): every note is read and parsed; beside it, floor.c times md4c
# and libyaml alone over the same notes (what no such check can go
# below). The fifth times check in a fresh clone whose <git dir>/vaultlint
# a CI job restored (the README's cache step): every file touched, then 2.2 s waited out, before each run
# (neither timed), so that every note's stat data is new and its bytes are
# not: the state tells them by their fingerprint. What a case does before
# each run (the edit, the staging, the removal of what vaultlint stores)
# is not timed, as nothing is timed but the command compared.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${VAULTLINT:?set VAULTLINT}" "${GEN:?set GEN}" "${RTIME:?set RTIME}" "${FLOOR:?set FLOOR}"
N=${N:-50000}
out=${BENCH_OUT:-$here/out}
repo=$out/vault
stamp=$out/stamp
commits=120
range_commits=100
runs=${BENCH_RUNS:-3}
warmup=${BENCH_WARMUP:-1}

BENCH_TIMER=${BENCH_TIMER:-rtime}

die() { echo "bench: $*" >&2; exit 1; }

# ---- the vault, reused when the stamp matches -----------------------------
want="N=$N commits=$commits gen=$(cksum <"$here/gen.c" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$repo/.git" ]; then
	echo "bench: reusing $repo ($want)"
else
	echo "bench: generating $N notes and $commits commits in $repo ..."
	rm -rf "$repo" "$stamp"
	mkdir -p "$out"
	git init -q -b main "$repo"
	git -C "$repo" config user.name Bench
	git -C "$repo" config user.email bench@example.org
	git -C "$repo" config gc.auto 0
	t0=$(date +%s)
	"$GEN" "$N" "$commits" | git -C "$repo" fast-import --quiet ||
		die "generator or git fast-import failed"
	git -C "$repo" reset --hard -q || die "git reset --hard failed"
	echo "$want" >"$stamp"
	echo "bench: generated in $(( $(date +%s) - t0 ))s"
	# files written less than 2 s before a run are not trusted by the memo
	# (memo.c's racy rule): wait, so that the first table times a
	# repeated run here as on a vault generated earlier
	sleep 2.2
fi
cd "$repo"
git diff --quiet HEAD -- || die "$repo has uncommitted changes; remove $stamp to regenerate"

vault_bytes=$(find . -path ./.git -prune -o -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
vault_files=$(find . -path ./.git -prune -o -type f -print | wc -l)
n_commits=$(git rev-list --count HEAD)
cores=$(nproc)

tmp=$(mktemp -d)
staged_file=
cleanup() {
	if [ -n "$staged_file" ]; then
		git reset -q HEAD -- "$staged_file" 2>/dev/null || true
		git checkout -q -- "$staged_file" 2>/dev/null || true
	fi
	rm -f -- ./"Bench new "*.md
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# run_once OKCODES CMD...: one timed run, after $prep (a shell command,
# not timed) when set; sets run_s and run_kb.
prep=
run_once() {
	ok=$1
	shift
	set +e
	[ -n "$prep" ] && sh -c "$prep"
	if [ "$BENCH_TIMER" = time ]; then
		/usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err"
	else
		"$RTIME" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err"
	fi
	rc=$?
	set -e
	case " $ok " in
	*" $rc "*) ;;
	*)
		echo "bench: '$*' failed with exit $rc:" >&2
		tail -n 20 "$tmp/err" >&2
		[ -s "$tmp/t" ] && cat "$tmp/t" >&2
		exit 1
		;;
	esac
	# GNU time adds a "Command exited with non-zero status" line first.
	read -r run_s run_kb <<EOF
$(tail -n 1 "$tmp/t")
EOF
}

# measure NAME LABEL OKCODES CMD...: warm-up, then best time and peak
# memory of 3 runs.
measure() {
	name=$1 label=$2
	shift 2
	[ "$warmup" -gt 0 ] && run_once "$@"
	best=; peak=0
	for _ in $(seq "$runs"); do
		run_once "$@"
		best=$(awk -v a="$run_s" -v b="$best" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }')
		[ "$run_kb" -gt "$peak" ] && peak=$run_kb
	done
	eval "t_$name=\$best; m_$name=\$peak"
	printf '  %-48s %9s s %10.1f MB\n' "$label" "$best" "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')"
}

echo
echo "vaultlint bench: $N notes, $vault_files files, $vault_bytes bytes, $n_commits commits, $cores cores (nproc), timer: $BENCH_TIMER"
echo "  (best of $runs after $warmup warm-up run(s); peak = largest max RSS of the $runs runs)"
printf '  %-48s %11s %13s\n' "command" "wall" "peak RSS"

gitdir=$(git rev-parse --absolute-git-dir)
# q WORD: WORD quoted for sh -c
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
# What a case does before each of its runs, as $prep (not timed: the
# runs time vaultlint alone, as they time git status alone):
# remove the memo; the memo and the check state; all vaultlint stores
nomemo="rm -rf $(q "$gitdir/vaultlint/memo")"
nostate="rm -rf $(q "$gitdir/vaultlint/memo") $(q "$gitdir/vaultlint/state")"
nothing="rm -rf $(q "$gitdir/vaultlint")"
# add a new line at the end of one note (restored at the end)
edit_file=$(git ls-files '*.md' | sed -n '3p')
edit="echo \"- bench edit \$(date +%s%N)\" >> $(q "$edit_file")"
# write a new note (all removed at the end)
add='n=$(date +%s%N); printf -- "# Bench new $n\n- #PAPER [New (Bench 2024)](https://example.org/p/$n) ^b$n\nSee [[Note 00001]].\n" > "Bench new $n.md"'
# stage a new line in one note
stage="$edit && git add -- $(q "$edit_file")"

measure check "vaultlint check" "0 1" "$VAULTLINT" check .
measure grep "grep -rc '#' (same files)" "0 1" grep -rc --exclude-dir=.git '#' .

# one staged change: an entry added to one note
staged_file=$(git ls-files '*.md' | sed -n '2p')
printf -- '- #PAPER [Staged bench entry (Bench 2024)](https://example.org/p/bench) ^benchstaged\n' >>"$staged_file"
git add -- "$staged_file"
measure staged "vaultlint check --staged (1 staged change)" "0 1" "$VAULTLINT" check --staged
measure status "git status (same state)" "0" git status
git reset -q HEAD -- "$staged_file"
git checkout -q -- "$staged_file"
staged_file=$edit_file
prep=$stage
measure staged1 "vaultlint check --staged, a new line staged" "0 1" "$VAULTLINT" check --staged
prep=
git reset -q HEAD -- "$staged_file"
git checkout -q -- "$staged_file"

from=HEAD~$range_commits
measure changelog "vaultlint changelog $from..HEAD" "0" "$VAULTLINT" changelog "$from..HEAD"
measure diffstat "git diff --stat $from HEAD" "0" git diff --stat "$from" HEAD
prep=$edit
measure check1 "vaultlint check, after a one-note edit" "0 1" "$VAULTLINT" check .
git checkout -q -- "$edit_file"
staged_file=
prep=$add
measure checkadd "vaultlint check, after a note added" "0 1" "$VAULTLINT" check .
rm -f -- ./"Bench new "*.md
prep=$nomemo
measure changelog1 "vaultlint changelog $from..HEAD, memo removed" "0" "$VAULTLINT" changelog "$from..HEAD"
prep=$nostate
measure check0 "vaultlint check, no memo, no check state" "0 1" "$VAULTLINT" check .
prep=$nothing
measure checkc "vaultlint check, nothing stored (fresh clone)" "0 1" "$VAULTLINT" check .
prep=
measure floor "md4c + libyaml alone, same notes (floor.c)" "0" "$FLOOR" .
prep='git ls-files -z | xargs -0 touch && sleep 2.2'
measure checkr "vaultlint check, fresh clone, state restored" "0 1" "$VAULTLINT" check .
prep=

# ratio A B: A / B (times below 10 ms count as 10 ms)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a < 0.01) a = 0.01; if (b < 0.01) b = 0.01; printf "%.2f", a / b }'
}
verdict() {
	awk -v r="$1" -v l="$2" 'BEGIN { print (r + 0 <= l + 0) ? "PASS" : "MISS" }'
}
# row LABEL RATIO LIMIT: one line of a targets table
row() {
	printf '  %-52s %7sx %6sx  %s\n' "$1" "$2" "$3" "$(verdict "$2" "$3")"
}
r_check=$(ratio "$t_check" "$t_grep")
r_mem=$(awk -v k="$m_check" -v b="$vault_bytes" 'BEGIN { printf "%.3f", k * 1024 / b }')
r_staged=$(ratio "$t_staged" "$t_status")
r_cl=$(ratio "$t_changelog" "$t_diffstat")
r_check1=$(ratio "$t_check1" "$t_grep")
r_mem1=$(awk -v k="$m_check1" -v b="$vault_bytes" 'BEGIN { printf "%.3f", k * 1024 / b }')
r_staged1=$(ratio "$t_staged1" "$t_status")
r_cl1=$(ratio "$t_changelog1" "$t_diffstat")
r_checkadd=$(ratio "$t_checkadd" "$t_grep")
r_memadd=$(awk -v k="$m_checkadd" -v b="$vault_bytes" 'BEGIN { printf "%.3f", k * 1024 / b }')
r_check0=$(ratio "$t_check0" "$t_grep")
r_mem0=$(awk -v k="$m_check0" -v b="$vault_bytes" 'BEGIN { printf "%.3f", k * 1024 / b }')
r_checkc=$(ratio "$t_checkc" "$t_grep")
r_memc=$(awk -v k="$m_checkc" -v b="$vault_bytes" 'BEGIN { printf "%.3f", k * 1024 / b }')
r_checkr=$(ratio "$t_checkr" "$t_grep")
r_memr=$(awk -v k="$m_checkr" -v b="$vault_bytes" 'BEGIN { printf "%.3f", k * 1024 / b }')

echo
printf '  %-52s %8s %7s  %s\n' "target" "ratio" "limit" "result"
row "check / grep -rc '#' (time)" "$r_check" 3
row "check peak RSS / vault bytes ($(awk -v k="$m_check" 'BEGIN{printf "%.1f", k/1024}') MB / $(awk -v b="$vault_bytes" 'BEGIN{printf "%.1f", b/1048576}') MB)" "$r_mem" 0.3
row "check --staged (1 change) / git status (time)" "$r_staged" 3
row "changelog $from..HEAD / git diff --stat (time)" "$r_cl" 3
echo
echo "  the same targets for the first run after a change (see the top of tests/bench/bench.sh):"
row "check / grep -rc '#' (time)" "$r_check1" 3
row "check peak RSS / vault bytes ($(awk -v k="$m_check1" 'BEGIN{printf "%.1f", k/1024}') MB)" "$r_mem1" 0.3
row "check --staged (1 change) / git status (time)" "$r_staged1" 3
row "changelog $from..HEAD / git diff --stat (time)" "$r_cl1" 3
row "check, a note added / grep -rc '#' (time)" "$r_checkadd" 3
row "check, a note added: peak RSS / vault bytes ($(awk -v k="$m_checkadd" 'BEGIN{printf "%.1f", k/1024}') MB)" "$r_memadd" 0.3
# check_rows TITLE TIME_RATIO PEAK_KB MEM_RATIO: a case's two rows
check_rows() {
	echo
	echo "  $1:"
	row "check / grep -rc '#' (time)" "$2" 3
	row "check peak RSS / vault bytes ($(awk -v k="$3" 'BEGIN{printf "%.1f", k/1024}') MB)" "$4" 0.3
}
check_rows "check with neither memo nor check state (notes cache warm)" "$r_check0" "$m_check0" "$r_mem0"
check_rows "check with nothing stored, not even the notes cache (a fresh clone in CI)" \
	"$r_checkc" "$m_checkc" "$r_memc"
# what the project's parsers alone take over the same notes: a check that
# parses every note cannot be faster
r_floor=$(ratio "$t_floor" "$t_grep")
r_overfloor=$(ratio "$t_checkc" "$t_floor")
printf '  %-52s %7sx %7s  %s\n' "md4c + libyaml alone / grep -rc '#' (time)" "$r_floor" "-" \
	"$(awk -v r="$r_floor" 'BEGIN { print (r + 0 > 3) ? "the parsers alone are over 3x" : "for reference" }')"
printf '  %-52s %7sx %7s  %s\n' "check, nothing stored / md4c + libyaml alone" "$r_overfloor" "-" "for reference"
check_rows "check in a fresh clone with <git dir>/vaultlint restored (CI with a cache step)" \
	"$r_checkr" "$m_checkr" "$r_memr"
