/*
 * test_note_regress.c: parser bugs found on real vaults, one case each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/note.h"

static vl_note *parse(const char *md)
{
	vl_note *n = NULL;
	vl_error err;

	assert_int_equal(vl_note_parse(&n, "regress.md", md, strlen(md), &err), 0);
	assert_non_null(n);
	return n;
}

/* The corpus writes `[https://x/y](https://x/y)`: md4c's permissive
 * autolink nests a second link inside the first (an underscore in the URL
 * is what makes md4c do it). One link, not two (it was
 * reported as a duplicate of itself). */
static void test_url_as_link_text_is_one_link(void **state)
{
	vl_note *n = parse("- [https://x.org/_a/b.html#Cv](https://x.org/_a/b.html#Cv)\n");

	(void)state;
	assert_int_equal(n->n_links, 1);
	assert_int_equal(n->links[0].kind, VL_LINK_URL);
	assert_string_equal(n->links[0].target, "https://x.org/_a/b.html#Cv");
	assert_int_equal(n->links[0].pos.line, 1);
	assert_int_equal(n->links[0].pos.col, 3);
	vl_note_free(n);
}

/* `[[|alias]]` and `[[#]]` name nothing: not links (they were links with
 * an empty target, i.e. to the note itself). */
static void test_wikilink_without_target(void **state)
{
	vl_note *n = parse("a [[|alias]] b [[#]] c [[#H]]\n");

	(void)state;
	assert_int_equal(n->n_links, 1);
	assert_string_equal(n->links[0].target, "");
	assert_string_equal(n->links[0].heading, "H");
	assert_int_equal(n->links[0].pos.col, 24);
	vl_note_free(n);
}

/* libyaml's marks count characters: a property value after non-ASCII text
 * was cut short (the corpus's `title: ... 🌱` came out as "Garden \360"). */
static void test_property_value_after_non_ascii(void **state)
{
	vl_note *n = parse("---\nnote: é\ntitle: Garden 🌱 é\nx: [a, \"ü\"]\n---\nbody\n");

	(void)state;
	assert_int_equal(n->n_props, 3);
	assert_string_equal(n->props[0].value, "é");
	assert_string_equal(n->props[1].key, "title");
	assert_string_equal(n->props[1].value, "Garden 🌱 é");
	/* compared as a value (the quotes are the YAML's, not the value's) */
	assert_string_equal(n->props[2].value, "[a, ü]");
	vl_note_free(n);
}

/* A value too long for its canonical text is kept as written: the bytes
 * from its first to its last, after non-ASCII text too. */
static void test_long_property_value_after_non_ascii(void **state)
{
	vl_buf md = VL_BUF_INIT;
	vl_note *n;
	size_t i;

	(void)state;
	assert_int_equal(vl_buf_puts(&md, "---\nnote: é 🌱\nx: [\"ü\""), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(vl_buf_puts(&md, ", été"), 0);
	assert_int_equal(vl_buf_puts(&md, "]\n---\nbody\n"), 0);
	n = parse(md.ptr);
	assert_int_equal(n->n_props, 2);
	assert_int_equal(strncmp(n->props[1].value, "[\"ü\", été, ", 13), 0);
	assert_int_equal(strlen(n->props[1].value), strlen("[\"ü\"]") + 1000 * strlen(", été"));
	assert_int_equal(n->props[1].value[strlen(n->props[1].value) - 1], ']');
	vl_note_free(n);
	vl_buf_release(&md);
}

/* An item whose content opens with a sub-list (`1. * x`) has no text of
 * its own; computing its text underflowed (found by fuzzing, see
 * tests/fuzz/regress/note/). The sub-item keeps its parent. */
static void test_item_opening_with_sub_list(void **state)
{
	vl_note *n = parse("1. * x #t\n   * y\n2. z\n");

	(void)state;
	assert_int_equal(n->n_entries, 4);
	assert_string_equal(n->entries[0].text, "");
	assert_int_equal(n->entries[0].depth, 0);
	assert_string_equal(n->entries[1].text, "x #t");
	assert_int_equal(n->entries[1].parent, 0);
	assert_int_equal(n->entries[1].pos.col, 6);
	assert_string_equal(n->entries[2].text, "y");
	assert_int_equal(n->entries[2].parent, 0);
	assert_string_equal(n->entries[3].text, "z");
	assert_int_equal(n->n_tags, 1);
	assert_int_equal(n->tags[0].entry, 1);
	vl_note_free(n);
}

/* The linter's parse keeps no entries but the same tags and links. */
static void test_parse_without_entries(void **state)
{
	const char *md = "# H\n- #PAPER [T](https://x.org/p) ^b1\n  - [[N#H]]\n";
	vl_note *n = NULL;
	vl_error err;

	(void)state;
	assert_int_equal(vl_note_parse_ex(&n, "a.md", md, strlen(md),
		VL_PARSE_NO_ENTRIES, &err), 0);
	assert_int_equal(n->n_entries, 0);
	assert_null(n->entries);
	assert_int_equal(n->n_tags, 1);
	assert_int_equal(n->tags[0].entry, -1);
	assert_int_equal(n->n_links, 2);
	assert_int_equal(n->links[1].pos.line, 3);
	assert_int_equal(n->links[1].entry, -1);
	assert_int_equal(n->n_blocks, 1);
	assert_string_equal(n->blocks[0].id, "b1");
	vl_note_free(n);
}

/* 20,000 items nested on one line: every item's text was found by
 * rescanning the line (quadratic; minutes under ASan). Now the line table
 * and a bounded marker skip keep it linear; the symbols must not change. */
static void test_items_nested_on_one_line(void **state)
{
	size_t depth = 20000, i;
	char *md = malloc(depth * 2 + 64);
	vl_note *n;

	(void)state;
	assert_non_null(md);
	for (i = 0; i < depth; i++)
		memcpy(md + 2 * i, "- ", 2);
	strcpy(md + 2 * depth, "[[Deep]] #TAG ^deep\n");
	n = parse(md);
	assert_int_equal(n->n_entries, depth);
	assert_int_equal(n->entries[depth - 1].depth, (int)depth - 1);
	assert_int_equal(n->entries[depth - 1].parent, (int)depth - 2);
	assert_string_equal(n->entries[depth - 1].text, "[[Deep]] #TAG ^deep");
	assert_int_equal(n->entries[0].end_line, 1);
	assert_int_equal(n->n_tags, 1);
	assert_int_equal(n->tags[0].entry, (int)depth - 1);
	assert_int_equal(n->n_blocks, 1);
	assert_int_equal(n->blocks[0].pos.col, 2 * depth + 15);
	vl_note_free(n);
	free(md);
}

/* md4c reads the byte after the end of a note that ends in an inline
 * link cut short (fuzzing found it, where that byte was a ')': a crash).
 * Whatever lies past the note's bytes changes nothing: "[a](b" is text,
 * not a link to b, with a ')' or anything else after it. */
static void test_link_cut_short_at_the_end(void **state)
{
	static const char text[] = "# T\n\nSee [a](b";
	static const char after[] = ")x\xf0\n]]";
	size_t n = sizeof(text) - 1, k;

	(void)state;
	for (k = 0; k < sizeof(after) - 1; k++) {
		char *buf = malloc(n + 64);
		vl_note *note = NULL;
		vl_error err;

		assert_non_null(buf);
		memcpy(buf, text, n);
		memset(buf + n, after[k], 64);
		assert_int_equal(vl_note_parse(&note, "cut.md", buf, n, &err), 0);
		assert_int_equal(note->n_links, 0);
		assert_int_equal(note->n_headings, 1);
		vl_note_free(note);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_as_link_text_is_one_link),
		cmocka_unit_test(test_wikilink_without_target),
		cmocka_unit_test(test_property_value_after_non_ascii),
		cmocka_unit_test(test_long_property_value_after_non_ascii),
		cmocka_unit_test(test_item_opening_with_sub_list),
		cmocka_unit_test(test_parse_without_entries),
		cmocka_unit_test(test_items_nested_on_one_line),
		cmocka_unit_test(test_link_cut_short_at_the_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
