/*
 * fuzz_frontmatter.c: libFuzzer harness for the front matter reader: the bytes wrapped as
 * "---\n<bytes>\n---\n" and parsed as a note.
 * Checks live in fuzz_common.h, shared with tests/unit/test_fuzz_replay.c.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vl_fuzz_ctx ctx;

	if (vl_fuzz_frontmatter(&ctx, data, size) < 0) {
		fprintf(stderr, "fuzz_frontmatter: %s\n", ctx.why);
		abort();
	}
	return 0;
}
