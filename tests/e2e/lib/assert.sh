# Checks shared by the end-to-end scripts (sourced, not run: tests/run.sh
# runs only tests/e2e/*.sh). Set SUITE first; every check prints one line,
# "PASS SUITE: name" or "FAIL SUITE: name", then details on failure.
# is_rc shows the files named in $out and $err (when set) on failure.

pass() { echo "PASS $SUITE: $1"; }
fail() { echo "FAIL $SUITE: $1"; shift; for l in "$@"; do echo "  $l"; done; }

# is_rc NAME GOT WANT
is_rc() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "exit $2, expected $3"
		sed 's/^/  | /' ${out:+"$out"} ${err:+"$err"} | head -10
	fi
}

# has NAME FILE TEXT: FILE holds TEXT
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "missing: $3"; sed 's/^/  | /' "$2" | head -20; fi
}

# lacks NAME FILE TEXT: FILE does not hold TEXT
lacks() {
	if grep -qF -- "$3" "$2"; then fail "$1" "unexpected: $3"; sed 's/^/  | /' "$2" | head -20; else pass "$1"; fi
}
