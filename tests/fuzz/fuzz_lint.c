/*
 * fuzz_lint.c: libFuzzer harness for the whole check (every rule) on a small
 * vault of arbitrary notes, split at NUL bytes.
 * Checks live in fuzz_common.h, shared with tests/unit/test_fuzz_replay.c.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vl_fuzz_ctx ctx;

	if (vl_fuzz_lint(&ctx, data, size) < 0) {
		fprintf(stderr, "fuzz_lint: %s\n", ctx.why);
		abort();
	}
	return 0;
}
