#!/bin/sh
# The script behind `make fuzz`: runs each harness for FUZZ_SECONDS on a
# scratch copy of its corpus (tests/fuzz/corpus/H plus tests/fuzz/regress/H,
# so the committed corpus stays small), then prints executions and crashes
# per harness. A crashing input is copied to tests/fuzz/regress/H/ and its
# log (input, stack) kept in FUZZ_OUT/H.log. Exits 1 when any harness
# crashed or could not run.
#
# Environment: FUZZ_SECONDS (default 60), FUZZ_OUT (build-fuzz),
# FUZZ_HARN (harness names).
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-60}
out=${FUZZ_OUT:-build-fuzz}
status=0
summary=

for h in ${FUZZ_HARN:-note frontmatter config cache lint appjson}; do
	bin=$out/fuzz_$h
	work=$out/corpus-$h
	art=$out/artifacts-$h
	log=$out/$h.log
	rm -rf "$art"
	mkdir -p "$work" "$art" "$here/regress/$h"
	echo "== fuzz_$h: ${secs}s"
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=20 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$art/" \
		"$work" "$here/corpus/$h" "$here/regress/$h" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	crashes=0
	for a in "$art"/*; do
		[ -f "$a" ] || continue
		crashes=$((crashes + 1))
		cp "$a" "$here/regress/$h/"
		echo "  CRASH: saved tests/fuzz/regress/$h/$(basename "$a") (log: $log)"
		grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|fuzz_[a-z]+: |^ +#[0-9]+ ' "$log" | head -n 30 | sed 's/^/    /'
	done
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
		echo "  fuzz_$h exited $rc without an artifact; see $log"
		tail -n 20 "$log" | sed 's/^/    /'
		status=1
	fi
	[ "$crashes" -gt 0 ] && status=1
	summary="$summary$(printf '  %-18s %12s executions  %d crashes' "fuzz_$h" "${execs:-?}" "$crashes")
"
done
echo "== fuzz summary (${secs}s each)"
printf '%s' "$summary"
exit $status
