/*
 * fuzz_cache.c: libFuzzer harness for the decoder of the cache's records
 * (the bytes as a record's body; every flag).
 * Checks live in fuzz_common.h, shared with tests/unit/test_fuzz_replay.c.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vl_fuzz_ctx ctx;

	if (vl_fuzz_cache(&ctx, data, size) < 0) {
		fprintf(stderr, "fuzz_cache: %s\n", ctx.why);
		abort();
	}
	return 0;
}
