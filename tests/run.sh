#!/bin/sh
# The test runner behind `make test`: every cmocka unit binary, then every
# end-to-end suite (tests/e2e/*.sh). Each suite prints one line per case,
# "PASS name" or "FAIL name"; cmocka's own "[       OK ]" / "[  FAILED  ]"
# lines are counted too. Ends with the closing line "N passed, N failed".
#
# Environment: VAULTLINT (the binary under test, absolute path), UNIT_BIN
# (unit test binaries). E2E_ONLY=pattern runs only suites whose file name
# matches.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VAULTLINT:?set VAULTLINT to the vaultlint binary}"
export VAULTLINT NO_COLOR=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in ${UNIT_BIN:-}; do
	echo "== unit: $t"
	one=$(mktemp)
	"$t" >"$one" 2>&1
	rc=$?
	cat "$one" >>"$log"
	grep -E '^\[ +(FAILED|PASSED) +\]|^\[ +ERROR +\]|Test failed|[Aa]ssert' "$one"
	# A binary that died before cmocka's summary still counts as a failure.
	if [ $rc -ne 0 ] && ! grep -qE '^\[  FAILED  \] [0-9]' "$one"; then
		echo "FAIL $(basename "$t") (exit $rc)" | tee -a "$log"
	fi
	rm -f "$one"
done

for s in "$here"/e2e/*.sh; do
	[ -f "$s" ] || continue
	case "$(basename "$s")" in
	${E2E_ONLY:-*}) ;;
	*) continue ;;
	esac
	echo "== e2e: $(basename "$s")"
	one=$(mktemp)
	{ sh "$s" 2>&1; echo "suite exit $?"; } > "$one"
	grep -v '^suite exit ' "$one" | tee -a "$log" | grep -E '^(FAIL|SKIP) |^  ' || true
	# a suite that dies (a signal, a shell error) must not pass by silence
	st=$(sed -n 's/^suite exit //p' "$one" | tail -n 1)
	if [ "${st:-255}" -gt 125 ]; then
		echo "FAIL $(basename "$s") died (exit ${st:-?}) after its last check" | tee -a "$log"
	fi
	rm -f "$one"
done

passed=$(grep -cE '^(PASS |\[       OK \])' "$log")
failed=$(grep -cE '^FAIL ' "$log")
# cmocka names a failed test twice; its summary "[  FAILED  ] N test(s)" counts once.
unit_failed=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$((failed + unit_failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
