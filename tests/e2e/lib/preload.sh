# The LD_PRELOAD libraries of the end-to-end scripts (tests/e2e/shim/),
# sourced, not run. preload_build WHAT SRC OUT builds SRC into OUT, or
# prints "SKIP WHAT: why" and exits the script (status 0) where a
# preloaded library cannot work: a sanitizer build of $VAULTLINT, or no C
# compiler.
preload_build() {
	if ldd "$VAULTLINT" 2>/dev/null | grep -q 'lib[at]san'; then
		echo "SKIP $1: a sanitizer build cannot take an LD_PRELOAD library"
		exit 0
	fi
	if ! ${CC:-cc} -O1 -shared -fPIC -o "$3" "$2" -ldl 2>"$3.err"; then
		echo "SKIP $1: the preload library does not build: $(head -1 "$3.err")"
		exit 0
	fi
}
