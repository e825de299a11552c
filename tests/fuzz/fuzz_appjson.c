/*
 * fuzz_appjson.c: libFuzzer harness for the reader of Obsidian's
 * .obsidian/app.json (vl_excluded_parse, the excluded-files filters).
 * Checks live in fuzz_common.h, shared with tests/unit/test_fuzz_replay.c.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vl_fuzz_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	if (vl_fuzz_appjson(&ctx, data, size) < 0) {
		fprintf(stderr, "fuzz_appjson: %s\n", ctx.why);
		abort();
	}
	return 0;
}
