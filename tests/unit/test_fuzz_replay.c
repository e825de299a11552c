/*
 * test_fuzz_replay.c: replays the saved fuzz corpus without libFuzzer.
 * Every file of tests/fuzz/corpus/H/ and tests/fuzz/regress/H/ goes through
 * harness H's entry point (note, frontmatter, config, cache, lint, appjson; see
 * tests/fuzz/fuzz_common.h), which must return cleanly and keep the
 * invariants (positions >= 1 and within the input, strings non-NULL,
 * indexes in range). Under `make asan` the sanitizers watch the same runs.
 *
 * The corpus is found under $VL_SRCDIR when set, else the current folder
 * (tests run from the repository root).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "../fuzz/fuzz_common.h"

typedef int (*entry_fn)(vl_fuzz_ctx *c, const uint8_t *data, size_t size);

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;
		if (n == cap) {
			char *p = realloc(buf, cap ? cap * 2 : 4096);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Runs every regular file of root/kind/harness through fn; returns the
 * number of files replayed. */
static size_t replay_dir(const char *root, const char *kind, const char *harness,
	entry_fn fn)
{
	char dir[4096], path[4096 + 256];
	vl_fuzz_ctx ctx;
	struct dirent *de;
	size_t count = 0;
	DIR *d;

	memset(&ctx, 0, sizeof(ctx));
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s/%s", root, kind, harness);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *data;
		size_t len = 0;
		int rc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		data = read_all(path, &len);
		if (!data)
			fail_msg("cannot read %s", path);
		ctx.why[0] = 0;
		rc = fn(&ctx, (const uint8_t *)data, len);
		free(data);
		if (rc != 0)
			fail_msg("%s: %s", path, ctx.why);
		count++;
	}
	closedir(d);
	vl_fuzz_ctx_release(&ctx);
	return count;
}

static void replay(const char *harness, entry_fn fn)
{
	const char *root = getenv("VL_SRCDIR");
	char probe[4096];
	struct stat st;
	size_t n;

	if (!root || !*root)
		root = ".";
	snprintf(probe, sizeof(probe), "%s/tests/fuzz/corpus", root);
	if (stat(probe, &st) != 0)
		fail_msg("no fuzz corpus at %s (set VL_SRCDIR to the repository root)", probe);
	n = replay_dir(root, "corpus", harness, fn);
	n += replay_dir(root, "regress", harness, fn);
	/* the seeds must be there: an empty replay would prove nothing */
	assert_true(n > 0);
}

static void test_replay_note(void **state)
{
	(void)state;
	replay("note", vl_fuzz_note);
}

static void test_replay_frontmatter(void **state)
{
	(void)state;
	replay("frontmatter", vl_fuzz_frontmatter);
}

static void test_replay_config(void **state)
{
	(void)state;
	replay("config", vl_fuzz_config);
}

static void test_replay_cache(void **state)
{
	(void)state;
	replay("cache", vl_fuzz_cache);
}

static void test_replay_lint(void **state)
{
	(void)state;
	replay("lint", vl_fuzz_lint);
}

static void test_replay_appjson(void **state)
{
	(void)state;
	replay("appjson", vl_fuzz_appjson);
}

/* The corpora also go through the other entry points: every input must
 * be safe for every parser. */
static void test_replay_cross(void **state)
{
	(void)state;
	replay("note", vl_fuzz_frontmatter);
	replay("frontmatter", vl_fuzz_note);
	replay("config", vl_fuzz_frontmatter);
	replay("frontmatter", vl_fuzz_config);
	replay("note", vl_fuzz_cache);
	replay("cache", vl_fuzz_note);
	replay("note", vl_fuzz_lint);
	replay("lint", vl_fuzz_note);
	replay("config", vl_fuzz_appjson);
	replay("appjson", vl_fuzz_config);
	replay("frontmatter", vl_fuzz_appjson);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_note),
		cmocka_unit_test(test_replay_frontmatter),
		cmocka_unit_test(test_replay_config),
		cmocka_unit_test(test_replay_cache),
		cmocka_unit_test(test_replay_lint),
		cmocka_unit_test(test_replay_appjson),
		cmocka_unit_test(test_replay_cross),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
