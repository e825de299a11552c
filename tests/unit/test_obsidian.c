/*
 * test_obsidian.c: Obsidian's excluded files (userIgnoreFilters in
 * .obsidian/app.json): what is read of app.json, what a filter matches,
 * and what is said of an app.json that cannot be used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/obsidian.h"

typedef struct fixture {
	char dir[64];
	vl_excluded x;
	vl_error err;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	char sub[96];

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/vl_obsidian_XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(sub, sizeof(sub), "%s/.obsidian", fx->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	char p[128];

	vl_excluded_release(&fx->x);
	snprintf(p, sizeof(p), "%s/" VL_OBSIDIAN_APP, fx->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/.obsidian", fx->dir);
	rmdir(p);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Writes text as app.json and loads it; returns what the load returned. */
static int load(fixture *fx, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/" VL_OBSIDIAN_APP, fx->dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	vl_excluded_release(&fx->x);
	memset(&fx->err, 0, sizeof(fx->err));
	return vl_excluded_load(&fx->x, fx->dir, &fx->err);
}

static void test_no_app_json(void **state)
{
	fixture *fx = *state;

	assert_int_equal(vl_excluded_load(&fx->x, fx->dir, &fx->err), 0);
	assert_int_equal(fx->x.n, 0);
	assert_int_equal(vl_excluded_match(&fx->x, "Templates/Daily.md"), 0);
}

/* A prefix of the vault-relative path, case and all; "/re/" a regex
 * searched anywhere in it. */
static void test_prefix_and_regex(void **state)
{
	fixture *fx = *state;

	assert_int_equal(load(fx, "{\n  \"vimMode\": true,\n  \"userIgnoreFilters\": [\n"
		"    \"Templates/\",\n    \"/\\\\.excalidraw\\\\.md$/\",\n    \"Archive\"\n  ],\n"
		"  \"attachmentFolderPath\": \"assets\"\n}\n"), 0);
	assert_int_equal(fx->x.n, 3);
	assert_int_equal(vl_excluded_match(&fx->x, "Templates/Daily.md"), 1);
	assert_int_equal(vl_excluded_match(&fx->x, "templates/Daily.md"), 0);
	assert_int_equal(vl_excluded_match(&fx->x, "Notes/Templates/Daily.md"), 0);
	assert_int_equal(vl_excluded_match(&fx->x, "Drawings/Plan.excalidraw.md"), 1);
	assert_int_equal(vl_excluded_match(&fx->x, "Drawings/Plan.md"), 0);
	/* a prefix, not a folder: Archive covers Archive 2020/ too */
	assert_int_equal(vl_excluded_match(&fx->x, "Archive 2020/Old.md"), 1);
	assert_int_equal(vl_excluded_match(&fx->x, "Home.md"), 0);
}

/* JSON's own escapes, and keys elsewhere than at the top level. */
static void test_json_forms(void **state)
{
	fixture *fx = *state;

	assert_int_equal(load(fx, "{\"a\":{\"userIgnoreFilters\":[\"Home.md\"]},"
		"\"userIgnoreFilters\":[\"Old\\/\",\"\\u00c9t\\u00e9/\"]}"), 0);
	assert_int_equal(fx->x.n, 2);
	assert_int_equal(vl_excluded_match(&fx->x, "Home.md"), 0);
	assert_int_equal(vl_excluded_match(&fx->x, "Old/x.md"), 1);
	assert_int_equal(vl_excluded_match(&fx->x, "\xc3\x89t\xc3\xa9/x.md"), 1);
	assert_int_equal(load(fx, "{\"userIgnoreFilters\": null}"), 0);
	assert_int_equal(fx->x.n, 0);
	assert_int_equal(load(fx, ""), 0);
	assert_int_equal(fx->x.n, 0);
	/* an empty filter would exclude every note: passed over */
	assert_int_equal(load(fx, "{\"userIgnoreFilters\": [\"\"]}"), 0);
	assert_int_equal(vl_excluded_match(&fx->x, "Home.md"), 0);
}

/* What cannot be used is said (1), and what can is kept. */
static void test_unusable(void **state)
{
	fixture *fx = *state;

	assert_int_equal(load(fx, "{\"userIgnoreFilters\": \"Templates/\"}"), 1);
	assert_non_null(strstr(fx->err.msg, "'userIgnoreFilters' is not a list"));
	assert_int_equal(fx->x.n, 0);
	assert_int_equal(load(fx, "{\"userIgnoreFilters\": [\"/(/\", 3, \"Templates/\"]}"), 1);
	assert_non_null(strstr(fx->err.msg, "'/(/' is no regular expression"));
	assert_int_equal(fx->x.n, 1);
	assert_int_equal(vl_excluded_match(&fx->x, "Templates/x.md"), 1);
	assert_int_equal(load(fx, "{\"userIgnoreFilters\": [\"a\\u0000b\"]}"), 1);
	assert_non_null(strstr(fx->err.msg, "NUL"));
	assert_int_equal(fx->x.n, 0);
	assert_int_equal(load(fx, "{\n\"userIgnoreFilters\": [\"Templates/\"\n"), 1);
	assert_non_null(strstr(fx->err.msg, "not valid JSON"));
	assert_int_equal(fx->x.n, 0);
	assert_int_equal(load(fx, "[\"Templates/\"]"), 1);
	assert_non_null(strstr(fx->err.msg, "not a JSON object"));
	assert_int_equal(load(fx, "{\"x\": &a [1], \"userIgnoreFilters\": *a}"), 1);
	assert_non_null(strstr(fx->err.msg, "alias"));
}

/* A filter that backtracks without end gives up (no match), in bounded
 * time, as the tag pattern does. */
static void test_costly_regex(void **state)
{
	fixture *fx = *state;
	char path[200];

	assert_int_equal(load(fx, "{\"userIgnoreFilters\": [\"/^(a|a?)+$/\"]}"), 0);
	memset(path, 'a', 60);
	strcpy(path + 60, "b.md");
	assert_int_equal(vl_excluded_match(&fx->x, path), 0);
	assert_int_equal(vl_excluded_match(&fx->x, "aaa"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_app_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_and_regex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unusable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_costly_regex, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
