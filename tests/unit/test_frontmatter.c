/*
 * test_frontmatter.c: front matter (Obsidian's Properties) as vl_note_parse
 * reads it: tags, aliases, props, and the frontmatter-invalid problems.
 * Written from shared/OBSIDIAN.md. A front matter tag's pos is that of its
 * value (line 1 is the opening `---`).
 *
 * Decisions pinned here:
 * - a single string `tags: a, b` (or `a b`) gives two tags, each at its
 *   own column; aliases are never split;
 * - a leading '#' on a front matter tag is stripped and accepted;
 * - `tag:` / `alias:` (deprecated spellings) are read too;
 * - YAML that does not parse is a problem at its absolute line, and the
 *   body is still parsed;
 * - unterminated front matter is a problem, and the whole file is body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/note.h"
#include "note_fixture.h"

/* col 0: column not pinned. */
static void
check_tag(const vl_note *n, size_t i, const char *name, int frontmatter,
	uint32_t line, uint32_t col)
{
	assert_true(i < n->n_tags);
	assert_string_equal(n->tags[i].name, name);
	assert_int_equal(n->tags[i].frontmatter, frontmatter);
	assert_int_equal(n->tags[i].pos.line, line);
	if (col != 0)
		assert_int_equal(n->tags[i].pos.col, col);
	if (frontmatter)
		assert_int_equal(n->tags[i].entry, -1);
}

/* The note's only frontmatter-invalid problem mentions word. */
static const vl_problem *
check_invalid(const vl_note *n, const char *word)
{
	const vl_problem *p = find_problem(n, "frontmatter-invalid");

	assert_non_null(p);
	if (!mentions(p->message, word))
		fail_msg("problem \"%s\" does not mention '%s'", p->message, word);
	return p;
}

/* ---- tags ---- */

static void
test_tags_flow_list(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags: [a, b]\n---\nbody\n");
	assert_int_equal(n->has_frontmatter, 1);
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "a", 1, 2, 8);
	check_tag(n, 1, "b", 1, 2, 11);
}

static void
test_tags_block_list(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags:\n  - a\n  - THESIS/PHD\n---\n");
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "a", 1, 3, 5);
	check_tag(n, 1, "THESIS/PHD", 1, 4, 5);
}

static void
test_tags_single_string(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags: a\n---\n");
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "a", 1, 2, 7);
}

static void
test_tags_comma_string(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags: a, b\n---\n");
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "a", 1, 2, 7);
	check_tag(n, 1, "b", 1, 2, 10);
}

static void
test_tags_space_string(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags: a b\n---\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "a", 1, 2, 7);
	check_tag(n, 1, "b", 1, 2, 9);
}

static void
test_tags_hash_stripped(void **state)
{
	vl_note *n;

	(void)state;
	/* Decision: a leading '#' is stripped and accepted. Columns of
	 * quoted values are not pinned (quote or '#' or name). */
	n = parse("---\ntags: \"#x\"\n---\n");
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "x", 1, 2, 0);
	n = parse("---\ntags: [\"#y\", z]\n---\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "y", 1, 2, 0);
	check_tag(n, 1, "z", 1, 2, 14);
	n = parse("---\ntags:\n  - \"#w\"\n---\n");
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "w", 1, 3, 0);
}

/* Digits alone are no tag in front matter either (`#1984` is none in the
 * text); a digit and anything else is one. */
static void
test_tags_digits_only(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags: [1984, y1984, \"#2024\", 2024/05, 1984y]\n---\n");
	assert_int_equal(n->n_tags, 3);
	check_tag(n, 0, "y1984", 1, 2, 0);
	check_tag(n, 1, "2024/05", 1, 2, 0);
	check_tag(n, 2, "1984y", 1, 2, 0);
	n = parse("---\ntags: 12, 34 x5\n---\n");
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "x5", 1, 2, 0);
}

/* The problems of the note under rule, in order, each checked for its
 * line, column and a word of its message. */
static void
check_problem(const vl_note *n, size_t k, const char *rule, uint32_t line,
	uint32_t col, const char *word)
{
	size_t i, seen = 0;

	for (i = 0; i < n->n_problems; i++) {
		const vl_problem *p = &n->problems[i];

		if (p->rule == NULL || strcmp(p->rule, rule) != 0 || seen++ != k)
			continue;
		assert_int_equal(p->pos.line, line);
		assert_int_equal(p->pos.col, col);
		if (!mentions(p->message, word))
			fail_msg("problem \"%s\" does not mention '%s'", p->message, word);
		return;
	}
	fail_msg("no problem %zu under %s", k, rule);
}

/* A front-matter value that the text would not take as a tag after '#'
 * (a space, punctuation, digits alone) is no tag: a tag-format problem at
 * the value says what to write. Valid ones, of any script, stay tags. */
static void
test_tags_not_tags(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags: [\"foo!\", \"a b\", ok, \"x.y\", 1984, \"#\u00e9t\u00e9/\U0001F389\"]\n---\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "ok", 1, 2, 23);
	check_tag(n, 1, "\u00e9t\u00e9/\U0001F389", 1, 2, 0);
	check_problem(n, 0, "tag-format", 2, 8, "write 'foo'");
	check_problem(n, 1, "tag-format", 2, 16, "cannot hold a space");
	check_problem(n, 1, "tag-format", 2, 16, "write 'a-b'");
	check_problem(n, 2, "tag-format", 2, 27, "write 'x-y'");
	check_problem(n, 3, "tag-format", 2, 34, "not a digit");
	/* a single string is split at commas and spaces first */
	n = parse("---\ntags: ok, why?, (x)\n---\n");
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "ok", 1, 2, 7);
	check_problem(n, 0, "tag-format", 2, 11, "write 'why'");
	check_problem(n, 1, "tag-format", 2, 17, "write 'x'");
	/* nothing left to suggest */
	n = parse("---\ntags:\n  - \"!!\"\n  - \"1.5\"\n---\n");
	assert_int_equal(n->n_tags, 0);
	check_problem(n, 0, "tag-format", 3, 5, "not digits alone");
	check_problem(n, 1, "tag-format", 4, 5, "cannot hold '.'");
	assert_null(find_problem(n, "frontmatter-invalid"));
}

static void
test_tags_deprecated_tag_key(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntag: [a]\n---\n");
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "a", 1, 2, 7);
}

static void
test_tags_empty_value(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags:\ntitle: x\n---\n#b\n");
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "b", 0, 5, 1);
}

static void
test_tags_and_body_tags(void **state)
{
	vl_note *n;
	size_t i, fm = 0, body = 0;

	(void)state;
	n = parse("---\ntags: [a]\n---\n- item #b\n");
	assert_int_equal(n->n_tags, 2);
	for (i = 0; i < n->n_tags; i++) {
		if (strcmp(n->tags[i].name, "a") == 0) {
			check_tag(n, i, "a", 1, 2, 8);
			fm++;
		} else {
			check_tag(n, i, "b", 0, 4, 8);
			assert_int_equal(n->tags[i].entry, 0);
			body++;
		}
	}
	assert_int_equal(fm, 1);
	assert_int_equal(body, 1);
}

/* ---- wrong shapes ---- */

static void
test_tags_mapping_invalid(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags: {a: 1}\n---\n");
	check_invalid(n, "tags");
	assert_int_equal(n->n_tags, 0);
}

static void
test_tags_list_with_mapping_invalid(void **state)
{
	(void)state;
	check_invalid(parse("---\ntags:\n  - a\n  - b: 1\n---\n"), "tags");
}

static void
test_tags_list_with_list_invalid(void **state)
{
	(void)state;
	check_invalid(parse("---\ntags: [[a, b]]\n---\n"), "tags");
}

static void
test_aliases_mapping_invalid(void **state)
{
	(void)state;
	check_invalid(parse("---\naliases: {a: 1}\n---\n"), "aliases");
}

/* ---- aliases ---- */

static void
test_aliases_flow_list(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\naliases: [One, Two words]\n---\n");
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_aliases, 2);
	assert_string_equal(n->aliases[0], "One");
	assert_string_equal(n->aliases[1], "Two words");
	assert_int_equal(n->n_tags, 0);
}

static void
test_aliases_block_list(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\naliases:\n  - A B\n  - \"C, D\"\n---\n");
	assert_int_equal(n->n_aliases, 2);
	assert_string_equal(n->aliases[0], "A B");
	assert_string_equal(n->aliases[1], "C, D");
}

static void
test_aliases_single_string_not_split(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\naliases: My Alias\n---\n");
	assert_int_equal(n->n_aliases, 1);
	assert_string_equal(n->aliases[0], "My Alias");
}

static void
test_alias_deprecated_key(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\nalias: Solo\n---\n");
	assert_int_equal(n->n_aliases, 1);
	assert_string_equal(n->aliases[0], "Solo");
}

/* ---- YAML errors ---- */

static void
test_yaml_error_line_and_body(void **state)
{
	const vl_problem *p;
	vl_note *n;

	(void)state;
	/* libyaml: "mapping values are not allowed" on YAML line 2, which is
	 * file line 3. */
	n = parse("---\ntitle: a\nfoo: b: c\n---\n#body [[Link]]\n");
	p = find_problem(n, "frontmatter-invalid");
	assert_non_null(p);
	assert_int_equal(p->pos.line, 3);
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "body", 0, 5, 1);
	assert_int_equal(n->n_links, 1);
	assert_string_equal(n->links[0].target, "Link");
	assert_int_equal(n->links[0].pos.line, 5);
	assert_int_equal(n->links[0].pos.col, 7);
}

static void
test_yaml_tab_error_line(void **state)
{
	const vl_problem *p;
	vl_note *n;

	(void)state;
	n = parse("---\na: 1\n\tb: 2\n---\n");
	p = find_problem(n, "frontmatter-invalid");
	assert_non_null(p);
	assert_int_equal(p->pos.line, 3);
}

static void
test_yaml_error_after_bom(void **state)
{
	const vl_problem *p;
	vl_note *n;

	(void)state;
	n = parse("\xEF\xBB\xBF---\ntitle: a\nfoo: b: c\n---\n#b\n");
	p = find_problem(n, "frontmatter-invalid");
	assert_non_null(p);
	assert_int_equal(p->pos.line, 3);
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "b", 0, 5, 1);
}

static void
test_unterminated(void **state)
{
	const vl_problem *p;
	vl_note *n;

	(void)state;
	n = parse("---\ntags: [a]\n#body\n");
	p = check_invalid(n, "unterminated");
	assert_int_equal(p->pos.line, 1);
	assert_int_equal(n->has_frontmatter, 0);
	/* the whole file is body: no front matter tag, the body tag is found */
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "body", 0, 3, 1);
}

/* ---- placement ---- */

static void
test_bom_before_dashes(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("\xEF\xBB\xBF---\ntags: [a]\n---\n#b\n");
	assert_int_equal(n->has_frontmatter, 1);
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "a", 1, 2, 8);
	check_tag(n, 1, "b", 0, 4, 1);
}

static void
test_not_on_first_line(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("\n---\ntags: [a]\n---\n");
	assert_int_equal(n->has_frontmatter, 0);
	assert_int_equal(n->n_tags, 0);
	assert_int_equal(n->n_props, 0);
}

static void
test_body_lines_after_front_matter(void **state)
{
	vl_note *n;

	(void)state;
	/* The closing `---` must not make "title: x" a setext heading; the
	 * second `---` pair in the body is not front matter. */
	n = parse("---\ntitle: x\n---\n#t\n\ntext\n---\n");
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "t", 0, 4, 1);
	assert_int_equal(n->n_props, 1);
	assert_int_equal(n->n_headings, 1);
	assert_string_equal(n->headings[0].text, "text");
	assert_int_equal(n->headings[0].level, 2);
	assert_int_equal(n->headings[0].pos.line, 6);
}

static void
test_front_matter_alone_is_not_heading(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntitle: x\n---\n");
	assert_int_equal(n->has_frontmatter, 1);
	assert_int_equal(n->n_headings, 0);
	assert_int_equal(n->n_problems, 0);
}

static void
test_crlf(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\r\ntags: [a]\r\ntitle: T\r\n---\r\n#b\r\n");
	assert_int_equal(n->has_frontmatter, 1);
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "a", 1, 2, 8);
	check_tag(n, 1, "b", 0, 5, 1);
	assert_int_equal(n->n_props, 2);
	assert_string_equal(n->props[1].value, "T");
}

static void
test_empty_front_matter(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\n---\n#b\n");
	assert_int_equal(n->has_frontmatter, 1);
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_props, 0);
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, "b", 0, 3, 1);
}

/* ---- props ---- */

static void
test_props_in_order(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntitle: Hello\ntags: [a, b]\ndate: 2024-01-01\n---\n");
	assert_int_equal(n->n_props, 3);
	assert_string_equal(n->props[0].key, "title");
	assert_string_equal(n->props[0].value, "Hello");
	assert_int_equal(n->props[0].pos.line, 2);
	assert_string_equal(n->props[1].key, "tags");
	assert_string_equal(n->props[1].value, "[a, b]");
	assert_int_equal(n->props[1].pos.line, 3);
	assert_string_equal(n->props[2].key, "date");
	assert_string_equal(n->props[2].value, "2024-01-01");
	assert_int_equal(n->props[2].pos.line, 4);
}

static void
test_props_block_value_and_next_key(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntags:\n  - a\n  - b\ncssclasses: wide\n---\n");
	assert_int_equal(n->n_props, 2);
	assert_string_equal(n->props[0].key, "tags");
	/* both items are in it, the next key is not */
	assert_non_null(strstr(n->props[0].value, "a"));
	assert_non_null(strstr(n->props[0].value, "b"));
	assert_null(strstr(n->props[0].value, "cssclasses"));
	assert_string_equal(n->props[1].key, "cssclasses");
	assert_string_equal(n->props[1].value, "wide");
	assert_int_equal(n->props[1].pos.line, 5);
}

/* A value's canonical text: the styles YAML allows for one value (flow
 * or block lists and mappings, quotes) give one text, which the
 * changelog compares; what the styles cannot tell apart stays apart. */
static void
test_props_canonical(void **state)
{
	vl_note *n;
	char *av[6];
	size_t i;

	(void)state;
	n = parse("---\ntags: [a, b]\nt: \"My: title\"\nm: {x: 1, y: [2]}\n"
		"s: \"[a, b]\"\nq: [\"a, b\", c]\ne:\n---\n");
	assert_int_equal(n->n_props, 6);
	assert_string_equal(n->props[0].value, "[a, b]");
	assert_string_equal(n->props[1].value, "My: title");
	assert_string_equal(n->props[2].value, "{x: 1, y: [2]}");
	assert_string_equal(n->props[3].value, "\"[a, b]\"");
	assert_string_equal(n->props[4].value, "[\"a, b\", c]");
	assert_string_equal(n->props[5].value, "");
	for (i = 0; i < 6; i++) {
		av[i] = strdup(n->props[i].value);
		assert_non_null(av[i]);
	}
	n = parse("---\ntags:\n  - a\n  - b\nt: 'My: title'\nm:\n  x: 1\n  y:\n    - 2\n"
		"s: [a, b]\nq: [a, b, c]\ne: \"\"\n---\n");
	assert_int_equal(n->n_props, 6);
	for (i = 0; i < 3; i++)
		assert_string_equal(av[i], n->props[i].value);
	/* a string that reads as a list is not the list; a list of two
	 * items is not one of three */
	assert_string_not_equal(av[3], n->props[3].value);
	assert_string_not_equal(av[4], n->props[4].value);
	assert_string_equal(av[5], n->props[5].value);
	for (i = 0; i < 6; i++)
		free(av[i]);
}

/* An alias bomb's canonical text would be exponential: the value's text
 * as written stands for it. */
static void
test_props_canonical_bounded(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n");
	assert_int_equal(n->n_props, 4);
	assert_string_equal(n->props[3].value, "[*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]");
}

static void
test_props_trimmed(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("---\ntitle:    spaced out   \n---\n");
	assert_int_equal(n->n_props, 1);
	assert_string_equal(n->props[0].value, "spaced out");
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tags_flow_list),
		T(test_tags_block_list),
		T(test_tags_single_string),
		T(test_tags_comma_string),
		T(test_tags_space_string),
		T(test_tags_hash_stripped),
		T(test_tags_digits_only),
		T(test_tags_not_tags),
		T(test_tags_deprecated_tag_key),
		T(test_tags_empty_value),
		T(test_tags_and_body_tags),
		T(test_tags_mapping_invalid),
		T(test_tags_list_with_mapping_invalid),
		T(test_tags_list_with_list_invalid),
		T(test_aliases_mapping_invalid),
		T(test_aliases_flow_list),
		T(test_aliases_block_list),
		T(test_aliases_single_string_not_split),
		T(test_alias_deprecated_key),
		T(test_yaml_error_line_and_body),
		T(test_yaml_tab_error_line),
		T(test_yaml_error_after_bom),
		T(test_unterminated),
		T(test_bom_before_dashes),
		T(test_not_on_first_line),
		T(test_body_lines_after_front_matter),
		T(test_front_matter_alone_is_not_heading),
		T(test_crlf),
		T(test_empty_front_matter),
		T(test_props_in_order),
		T(test_props_block_value_and_next_key),
		T(test_props_canonical),
		T(test_props_canonical_bounded),
		T(test_props_trimmed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
