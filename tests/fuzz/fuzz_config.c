/*
 * fuzz_config.c: libFuzzer harness for the config reader (vl_config_load over vl_config_init's
 * defaults) on a temp file holding the bytes.
 * Checks live in fuzz_common.h, shared with tests/unit/test_fuzz_replay.c.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vl_fuzz_ctx ctx;

/* Removes the temp file when libFuzzer exits normally. */
static void cleanup(void)
{
	vl_fuzz_ctx_release(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int registered;

	if (!registered) {
		registered = 1;
		atexit(cleanup);
	}
	if (vl_fuzz_config(&ctx, data, size) < 0) {
		fprintf(stderr, "fuzz_config: %s\n", ctx.why);
		abort();
	}
	return 0;
}
