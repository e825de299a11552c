/*
 * test_config.c: unit tests for src/config.c (.vaultlint.yaml) and the
 * rule registry it indexes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/config.h"
#include "../../rules/rule.h"

/* A temporary folder per test, removed at teardown. */
typedef struct fixture {
	char dir[256];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/vl-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Writes text into dir/name (creating folders on the way); returns the
 * path in a static buffer. */
static const char *write_file(fixture *f, const char *name, const char *text)
{
	static char path[512];
	char *slash;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	for (slash = strchr(path + strlen(f->dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Loads text as a config; returns load's result, err filled. */
static int load_text(fixture *f, vl_config *cfg, const char *text, vl_error *err)
{
	const char *path = write_file(f, VL_CONFIG_NAME, text);

	assert_int_equal(vl_config_init(cfg, err), 0);
	err->msg[0] = '\0';
	return vl_config_load(cfg, path, err);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("'%s' does not contain '%s'", hay, needle);
}

static void test_defaults(void **state)
{
	vl_config cfg;
	vl_error err;
	size_t i;

	(void)state;
	assert_int_equal(vl_config_init(&cfg, &err), 0);
	for (i = 0; i < vl_rules_count; i++)
		assert_int_equal(cfg.severity[i], vl_rules[i].default_severity);
	assert_int_equal(cfg.tag_case, VL_CASE_ANY);
	assert_null(cfg.vault);
	assert_null(cfg.file);
	assert_int_equal(cfg.n_tags_allowed, 0);
	assert_true(vl_config_tag_matches(&cfg, "anything"));
	assert_true(vl_config_tag_allowed(&cfg, "anything"));
	vl_config_release(&cfg);
	vl_config_release(NULL);
}

static void test_registry(void **state)
{
	static const char *const ids[] = {
		"broken-link", "broken-heading-link", "dangling-block-ref",
		"duplicate-block-id", "ambiguous-link", "duplicate-link", "tag-format",
		"tag-unknown", "frontmatter-invalid", "invalid-input"
	};
	size_t i;

	(void)state;
	assert_int_equal(vl_rules_count, 10);
	for (i = 0; i < 10; i++) {
		assert_string_equal(vl_rules[i].id, ids[i]);
		assert_int_equal(vl_rule_index(ids[i]), (int)i);
		assert_non_null(vl_rules[i].check);
		assert_true(strlen(vl_rules[i].summary) > 10);
	}
	assert_int_equal(vl_rule_index("nope"), -1);
	assert_int_equal(vl_rules[vl_rule_index("ambiguous-link")].default_severity, VL_SEV_WARNING);
	assert_int_equal(vl_rules[vl_rule_index("broken-link")].default_severity, VL_SEV_ERROR);
	assert_int_equal(vl_rules[vl_rule_index("invalid-input")].default_severity, VL_SEV_WARNING);
}

static void test_full(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg,
		"vault: content              # the vault folder\n"
		"ignore:\n"
		"  - \"templates/**\"\n"
		"  - drafts/\n"
		"rules:\n"
		"  duplicate-link: off\n"
		"  tag-format: error\n"
		"  broken-heading-link:\n"
		"    severity: warning\n"
		"tags:\n"
		"  case: upper\n"
		"  pattern: '^[A-Z][A-Z0-9_/-]*$'\n"
		"  allowed: [PAPER, CODE, '#TALK', BOOK]\n"
		"commit:\n"
		"  template: \"vault: {summary}\"\n"
		"sync:\n"
		"  remote: upstream\n"
		"  branch: main\n", &err), 0);
	assert_string_equal(cfg.vault, "content");
	assert_string_equal(cfg.base_dir, f->dir);
	assert_non_null(strstr(cfg.file, VL_CONFIG_NAME));
	assert_int_equal(cfg.n_ignore, 2);
	assert_string_equal(cfg.ignore[0], "templates/**");
	assert_string_equal(cfg.ignore[1], "drafts/");
	assert_int_equal(cfg.severity[vl_rule_index("duplicate-link")], VL_SEV_OFF);
	assert_int_equal(cfg.severity[vl_rule_index("tag-format")], VL_SEV_ERROR);
	assert_int_equal(cfg.severity[vl_rule_index("broken-heading-link")], VL_SEV_WARNING);
	assert_int_equal(cfg.severity[vl_rule_index("broken-link")], VL_SEV_ERROR);
	assert_int_equal(cfg.severity[vl_rule_index("ambiguous-link")], VL_SEV_WARNING);
	assert_int_equal(cfg.tag_case, VL_CASE_UPPER);
	assert_string_equal(cfg.tag_pattern, "^[A-Z][A-Z0-9_/-]*$");
	assert_non_null(cfg.tag_re);
	assert_int_equal(cfg.n_tags_allowed, 4);
	assert_string_equal(cfg.tags_allowed[2], "TALK");
	assert_string_equal(cfg.commit_template, "vault: {summary}");
	assert_string_equal(cfg.sync_remote, "upstream");
	assert_string_equal(cfg.sync_branch, "main");

	assert_true(vl_config_tag_matches(&cfg, "PAPER"));
	assert_true(vl_config_tag_matches(&cfg, "THESIS/PHD"));
	assert_false(vl_config_tag_matches(&cfg, "Paper"));
	assert_false(vl_config_tag_matches(&cfg, "1PAPER"));
	vl_config_release(&cfg);
}

static void test_kebab_lower_any(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg, "tags:\n  case: kebab\n", &err), 0);
	assert_int_equal(cfg.tag_case, VL_CASE_KEBAB);
	vl_config_release(&cfg);
	assert_int_equal(load_text(f, &cfg, "tags:\n  case: lower\n", &err), 0);
	assert_int_equal(cfg.tag_case, VL_CASE_LOWER);
	vl_config_release(&cfg);
	assert_int_equal(load_text(f, &cfg, "tags:\n  case: any\n  allowed: PAPER\n", &err), 0);
	assert_int_equal(cfg.tag_case, VL_CASE_ANY);
	assert_int_equal(cfg.n_tags_allowed, 1);
	assert_string_equal(cfg.tags_allowed[0], "PAPER");
	vl_config_release(&cfg);
}

static void test_empty(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg, "", &err), 0);
	assert_int_equal(cfg.severity[0], vl_rules[0].default_severity);
	assert_null(cfg.vault);
	assert_non_null(cfg.file);
	vl_config_release(&cfg);
	assert_int_equal(load_text(f, &cfg, "# only a comment\n", &err), 0);
	vl_config_release(&cfg);
	assert_int_equal(load_text(f, &cfg, "vault:\nrules:\n", &err), 0);
	assert_null(cfg.vault);
	vl_config_release(&cfg);
}

static void test_unknown_rule(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg,
		"vault: .\n"
		"rules:\n"
		"  tag-format: warning\n"
		"  brokn-link: off\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:4: unknown rule 'brokn-link' (did you mean 'broken-link'?)");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "rules:\n  zzzzzzzz: off\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:2: unknown rule 'zzzzzzzz'");
	assert_null(strstr(err.msg, "did you mean"));
	vl_config_release(&cfg);
}

static void test_bad_severity(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg, "rules:\n  broken-link: fatal\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:2:");
	assert_contains(err.msg, "'broken-link'");
	assert_contains(err.msg, "error, warning, info, off");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg,
		"rules:\n  broken-link:\n    severty: off\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: unknown key 'severty' in 'broken-link' (did you mean 'severity'?)");
	vl_config_release(&cfg);
}

static void test_bad_case(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg,
		"vault: content\n"
		"rules:\n"
		"  tag-format: warning\n"
		"tags:\n"
		"  pattern: '^[A-Z]+$'\n"
		"  allowed: [A]\n"
		"  case: camel\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:7: 'case' must be one of upper, lower, kebab, any");
	assert_null(strstr(err.msg, "did you mean"));
	vl_config_release(&cfg);
	/* a typo of a value gets a did-you-mean, as a typo of a key does */
	assert_int_equal(load_text(f, &cfg, "tags:\n  case: uper\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:2: 'case' must be one of upper, lower, "
		"kebab, any (did you mean 'upper'?)");
	vl_config_release(&cfg);
	assert_int_equal(load_text(f, &cfg, "rules:\n  broken-link: eror\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:2: the severity of 'broken-link' must be "
		"one of error, warning, info, off (did you mean 'error'?)");
	vl_config_release(&cfg);
	assert_int_equal(load_text(f, &cfg,
		"rules:\n  broken-link:\n    severity: [warning]\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: the severity of 'broken-link' must be "
		"one of error, warning, info, off");
	assert_null(strstr(err.msg, "did you mean"));
	vl_config_release(&cfg);
}

static void test_unknown_key(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg, "# comment\nvalut: content\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:2: unknown key 'valut' (did you mean 'vault'?)");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "tags:\n  case: upper\n  patern: x\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: unknown key 'patern' in 'tags' (did you mean 'pattern'?)");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "sync:\n  remote: origin\n  bogus: x\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: unknown key 'bogus' in 'sync'");
	vl_config_release(&cfg);
}

static void test_wrong_shapes(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg, "vault: [a, b]\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:1: 'vault' must be a string");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "ignore:\n  - a\n  - {b: c}\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: 'ignore' must be a list of strings");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "rules: [broken-link]\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:1: 'rules' must be a mapping");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "- just\n- a list\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:1: the config must be a mapping");
	vl_config_release(&cfg);
}

static void test_syntax_error(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg,
		"vault: content\n"
		"rules:\n"
		"  broken-link: [off\n"
		"tags: x\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:");
	assert_contains(err.msg, "YAML syntax error: ");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "vault: a\n  bad: indent\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:2: YAML syntax error: ");
	vl_config_release(&cfg);
}

static void test_duplicates(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg, "tags:\n  case: upper\n  case: lower\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: key 'case' is set twice (first on line 2)");
	vl_config_release(&cfg);

	assert_int_equal(load_text(f, &cfg, "vault: a\n---\nvault: b\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:2: the config must be one YAML document");
	vl_config_release(&cfg);
}

static void test_alias_rejected(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg,
		"vault: &v content\n"
		"sync:\n"
		"  branch: *v\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:1: YAML anchor '&v' is not allowed");
	vl_config_release(&cfg);
	/* an alias alone (of nothing) is refused too */
	assert_int_equal(load_text(f, &cfg,
		"vault: content\n"
		"sync:\n"
		"  branch: *v\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: YAML alias '*v' is not allowed");
	vl_config_release(&cfg);
	/* an anchor alone, on a mapping or a list: refused, as the README
	 * says, though nothing uses it */
	assert_int_equal(load_text(f, &cfg,
		"rules: &r\n"
		"  broken-link: off\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:1: YAML anchor '&r' is not allowed");
	vl_config_release(&cfg);
	assert_int_equal(load_text(f, &cfg,
		"ignore: &i [drafts]\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:1: YAML anchor '&i' is not allowed");
	vl_config_release(&cfg);

	/* A billion laughs: refused at the first anchor, nothing expanded. */
	assert_int_equal(load_text(f, &cfg,
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:1: YAML anchor '&a' is not allowed");
	vl_config_release(&cfg);
}

static void test_bad_pattern(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg, "tags:\n  case: any\n  pattern: '^[A-Z'\n", &err), -1);
	assert_contains(err.msg, ".vaultlint.yaml:3: bad 'pattern' in 'tags': ");
	assert_contains(err.msg, "missing terminating ]");
	assert_contains(err.msg, "at offset 5");
	vl_config_release(&cfg);
}

static void test_missing_file(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;
	char path[512];

	snprintf(path, sizeof(path), "%s/nope.yaml", f->dir);
	assert_int_equal(vl_config_init(&cfg, &err), 0);
	assert_int_equal(vl_config_load(&cfg, path, &err), -1);
	assert_contains(err.msg, "nope.yaml: cannot read the config: ");
	vl_config_release(&cfg);
}

static void test_tag_allowed(void **state)
{
	fixture *f = *state;
	vl_config cfg;
	vl_error err;

	assert_int_equal(load_text(f, &cfg,
		"tags:\n  allowed: [PAPER, thesis/phd, Code]\n", &err), 0);
	assert_true(vl_config_tag_allowed(&cfg, "PAPER"));
	assert_true(vl_config_tag_allowed(&cfg, "paper"));
	assert_true(vl_config_tag_allowed(&cfg, "PAPER/DRAFT"));
	assert_true(vl_config_tag_allowed(&cfg, "PAPER/DRAFT/V2"));
	assert_true(vl_config_tag_allowed(&cfg, "code"));
	assert_true(vl_config_tag_allowed(&cfg, "THESIS/PHD"));
	assert_true(vl_config_tag_allowed(&cfg, "thesis/phd/ch1"));
	assert_false(vl_config_tag_allowed(&cfg, "THESIS"));
	assert_false(vl_config_tag_allowed(&cfg, "THESIS/MSC"));
	assert_false(vl_config_tag_allowed(&cfg, "PAPERS"));
	assert_false(vl_config_tag_allowed(&cfg, "PAPE"));
	assert_false(vl_config_tag_allowed(&cfg, "talk"));
	vl_config_release(&cfg);
}

static void test_find(void **state)
{
	fixture *f = *state;
	char *found = NULL, start[512], want[512], *real;
	vl_error err;

	/* repo/.git, repo/.vaultlint.yaml, repo/content/sub: found from sub. */
	write_file(f, "repo/.git/HEAD", "ref: refs/heads/main\n");
	write_file(f, "repo/.vaultlint.yaml", "vault: content\n");
	write_file(f, "repo/content/sub/note.md", "# x\n");
	snprintf(start, sizeof(start), "%s/repo/content/sub", f->dir);
	assert_int_equal(vl_config_find(&found, start, &err), 0);
	assert_non_null(found);
	real = realpath(f->dir, NULL);
	assert_non_null(real);
	snprintf(want, sizeof(want), "%s/repo/.vaultlint.yaml", real);
	assert_string_equal(found, want);
	free(found);

	/* The nearest one wins. */
	write_file(f, "repo/content/.vaultlint.yaml", "");
	assert_int_equal(vl_config_find(&found, start, &err), 0);
	snprintf(want, sizeof(want), "%s/repo/content/.vaultlint.yaml", real);
	assert_string_equal(found, want);
	free(found);

	/* The search stops at the repository root: a config above it is not
	 * this repository's. */
	write_file(f, ".vaultlint.yaml", "");
	write_file(f, "other/.git", "gitdir: elsewhere\n");
	write_file(f, "other/notes/a.md", "");
	snprintf(start, sizeof(start), "%s/other/notes", f->dir);
	found = (char *)"sentinel";
	assert_int_equal(vl_config_find(&found, start, &err), 0);
	assert_null(found);

	/* A folder that does not exist is an error with its name. */
	snprintf(start, sizeof(start), "%s/missing", f->dir);
	assert_int_equal(vl_config_find(&found, start, &err), -1);
	assert_contains(err.msg, "missing");
	free(real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kebab_lower_any, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_severity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
