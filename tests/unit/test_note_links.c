/*
 * test_note_links.c: unit tests for the links vl_note_parse collects
 * (wikilinks, embeds, Markdown links and images, URLs), written from
 * shared/OBSIDIAN.md. Positions are 1-based lines and code-point columns,
 * counted by hand; a link's pos is its first character ('[' or '!' or the
 * URL's first character).
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
#include "../../src/util.h"
#include "note_fixture.h"

/* NULL-aware string check: want NULL means the field must be NULL. */
static void
check_str(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
check_link(const vl_note *n, size_t i, vl_link_kind kind, const char *target,
	const char *heading, const char *block, const char *alias,
	uint32_t line, uint32_t col)
{
	assert_true(i < n->n_links);
	assert_int_equal(n->links[i].kind, kind);
	check_str(n->links[i].target, target);
	check_str(n->links[i].heading, heading);
	check_str(n->links[i].block, block);
	check_str(n->links[i].alias, alias);
	assert_int_equal(n->links[i].pos.line, line);
	if (col != 0)
		assert_int_equal(n->links[i].pos.col, col);
}

/* The only link of the note. */
static void
check_one(const char *md, vl_link_kind kind, const char *target,
	const char *heading, const char *block, const char *alias,
	uint32_t line, uint32_t col)
{
	vl_note *n = parse(md);

	assert_int_equal(n->n_links, 1);
	check_link(n, 0, kind, target, heading, block, alias, line, col);
	assert_int_equal(n->links[0].entry, -1);
}

/* ---- wikilinks ---- */

static void
test_wiki_plain(void **state)
{
	(void)state;
	check_one("[[Note]]\n", VL_LINK_WIKI, "Note", NULL, NULL, NULL, 1, 1);
}

static void
test_wiki_folder(void **state)
{
	(void)state;
	check_one("see [[Folder/Note]]\n", VL_LINK_WIKI, "Folder/Note",
		NULL, NULL, NULL, 1, 5);
}

static void
test_wiki_md_extension_kept(void **state)
{
	/* The resolver strips ".md", not the parser. */
	(void)state;
	check_one("[[Note.md]]\n", VL_LINK_WIKI, "Note.md", NULL, NULL, NULL,
		1, 1);
}

static void
test_wiki_attachment(void **state)
{
	(void)state;
	check_one("[[image.png]]\n", VL_LINK_WIKI, "image.png", NULL, NULL,
		NULL, 1, 1);
}

static void
test_wiki_alias(void **state)
{
	(void)state;
	check_one("[[Note|shown text]]\n", VL_LINK_WIKI, "Note", NULL, NULL,
		"shown text", 1, 1);
}

static void
test_wiki_heading(void **state)
{
	(void)state;
	check_one("[[Note#Heading]]\n", VL_LINK_WIKI, "Note", "Heading", NULL,
		NULL, 1, 1);
}

static void
test_wiki_heading_with_spaces_and_alias(void **state)
{
	(void)state;
	check_one("[[Note#Some Heading|text]]\n", VL_LINK_WIKI, "Note",
		"Some Heading", NULL, "text", 1, 1);
}

static void
test_wiki_subheading_path(void **state)
{
	(void)state;
	check_one("[[Note#H1#H2]]\n", VL_LINK_WIKI, "Note", "H1#H2", NULL,
		NULL, 1, 1);
}

static void
test_wiki_same_note_heading(void **state)
{
	(void)state;
	check_one("[[#Heading]]\n", VL_LINK_WIKI, "", "Heading", NULL, NULL,
		1, 1);
}

static void
test_wiki_block(void **state)
{
	(void)state;
	check_one("[[Note#^id]]\n", VL_LINK_WIKI, "Note", NULL, "id", NULL,
		1, 1);
}

static void
test_wiki_same_note_block(void **state)
{
	(void)state;
	check_one("[[#^id]]\n", VL_LINK_WIKI, "", NULL, "id", NULL, 1, 1);
}

static void
test_wiki_block_alias(void **state)
{
	(void)state;
	check_one("[[Note#^my-id|see]]\n", VL_LINK_WIKI, "Note", NULL, "my-id",
		"see", 1, 1);
}

static void
test_wiki_two_on_a_line(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("[[A]] and [[B]]\n");
	assert_int_equal(n->n_links, 2);
	check_link(n, 0, VL_LINK_WIKI, "A", NULL, NULL, NULL, 1, 1);
	check_link(n, 1, VL_LINK_WIKI, "B", NULL, NULL, NULL, 1, 11);
}

static void
test_wiki_col_code_points(void **state)
{
	(void)state;
	/* 🎉 is one column: "🎉 é " then '[' at 5 */
	check_one("\xF0\x9F\x8E\x89 \xC3\xA9 [[A]]\n", VL_LINK_WIKI, "A",
		NULL, NULL, NULL, 1, 5);
}

static void
test_wiki_in_quote_and_heading(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("> [[Q]]\n\n# See [[H]]\n");
	assert_int_equal(n->n_links, 2);
	check_link(n, 0, VL_LINK_WIKI, "Q", NULL, NULL, NULL, 1, 3);
	check_link(n, 1, VL_LINK_WIKI, "H", NULL, NULL, NULL, 3, 7);
}

static void
test_wiki_in_table_escaped_bar(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("| a | b |\n|---|---|\n| [[Note\\|shown]] | x |\n");
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_WIKI, "Note", NULL, NULL, "shown", 3, 3);
}

static void
test_wiki_in_table_heading_escaped_bar(void **state)
{
	vl_note *n;

	(void)state;
	/* "| x | " 1-6, '[' 7 */
	n = parse("| a | b |\n|---|---|\n| x | [[Note#Part\\|shown]] |\n");
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_WIKI, "Note", "Part", NULL, "shown", 3, 7);
}

static void
test_wiki_longer_than_100(void **state)
{
	char md[256];
	char want[160];
	vl_note *n;

	(void)state;
	/* md4c ignores wikilinks over 100 characters; the parser must not. */
	memset(want, 'a', 150);
	want[150] = '\0';
	snprintf(md, sizeof(md), "x [[%s]] y\n", want);
	n = parse(md);
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_WIKI, want, NULL, NULL, NULL, 1, 3);
}

static void
test_wiki_long_with_alias(void **state)
{
	char md[400];
	char target[160], alias[120];
	vl_note *n;

	(void)state;
	memset(target, 'b', 130);
	target[130] = '\0';
	memset(alias, 'c', 100);
	alias[100] = '\0';
	snprintf(md, sizeof(md), "[[%s#Head|%s]]\n", target, alias);
	n = parse(md);
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_WIKI, target, "Head", NULL, alias, 1, 1);
}

static void
test_wiki_unclosed_is_text(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("[[Note\n\n[[Ok]]\n");
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_WIKI, "Ok", NULL, NULL, NULL, 3, 1);
}

static void
test_wiki_crlf(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("[[A]]\r\n[[B|b]]\r\n");
	assert_int_equal(n->n_links, 2);
	check_link(n, 0, VL_LINK_WIKI, "A", NULL, NULL, NULL, 1, 1);
	check_link(n, 1, VL_LINK_WIKI, "B", NULL, NULL, "b", 2, 1);
}

/* ---- embeds ---- */

static void
test_embed(void **state)
{
	(void)state;
	check_one("![[img.png]]\n", VL_LINK_EMBED, "img.png", NULL, NULL,
		NULL, 1, 1);
}

static void
test_embed_size(void **state)
{
	(void)state;
	check_one("x ![[img.png|100x145]]\n", VL_LINK_EMBED, "img.png", NULL,
		NULL, "100x145", 1, 3);
}

static void
test_embed_block(void **state)
{
	(void)state;
	check_one("![[Note#^id]]\n", VL_LINK_EMBED, "Note", NULL, "id", NULL,
		1, 1);
}

static void
test_embed_heading(void **state)
{
	(void)state;
	check_one("![[Note#Part]]\n", VL_LINK_EMBED, "Note", "Part", NULL,
		NULL, 1, 1);
}

static void
test_embed_pdf_mid_text(void **state)
{
	(void)state;
	/* "see " 1-4, '!' 5 */
	check_one("see ![[doc.pdf]] here\n", VL_LINK_EMBED, "doc.pdf", NULL,
		NULL, NULL, 1, 5);
}

static void
test_embed_in_table(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("| a |\n|---|\n| ![[img.png\\|100]] |\n");
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_EMBED, "img.png", NULL, NULL, "100", 3, 3);
}

static void
test_embed_and_wiki_mixed(void **state)
{
	vl_note *n;

	(void)state;
	/* "![[A]]" 1-6, ' ' 7, "[[B]]" 8 */
	n = parse("![[A]] [[B]]\n");
	assert_int_equal(n->n_links, 2);
	check_link(n, 0, VL_LINK_EMBED, "A", NULL, NULL, NULL, 1, 1);
	check_link(n, 1, VL_LINK_WIKI, "B", NULL, NULL, NULL, 1, 8);
}

/* ---- Markdown links ---- */

static void
test_md_url_decoded_with_heading(void **state)
{
	(void)state;
	check_one("[text](Note%20Name.md#Heading)\n", VL_LINK_MARKDOWN,
		"Note Name.md", "Heading", NULL, NULL, 1, 1);
}

static void
test_md_angle_brackets(void **state)
{
	(void)state;
	check_one("see [text](<Note Name.md>)\n", VL_LINK_MARKDOWN,
		"Note Name.md", NULL, NULL, NULL, 1, 5);
}

static void
test_md_block(void **state)
{
	(void)state;
	check_one("[t](Note.md#^abc)\n", VL_LINK_MARKDOWN, "Note.md", NULL,
		"abc", NULL, 1, 1);
	/* the '^' URL-encoded: still a block once decoded */
	check_one("[t](My%20Note.md#%5Eabc)\n", VL_LINK_MARKDOWN, "My Note.md", NULL,
		"abc", NULL, 1, 1);
	check_one("[t](Note.md#%5eabc)\n", VL_LINK_MARKDOWN, "Note.md", NULL,
		"abc", NULL, 1, 1);
}

static void
test_md_same_note_heading(void **state)
{
	(void)state;
	check_one("[t](#Heading)\n", VL_LINK_MARKDOWN, "", "Heading", NULL,
		NULL, 1, 1);
}

static void
test_md_relative_path_and_title(void **state)
{
	(void)state;
	check_one("[t](../x/Note.md \"A title\")\n", VL_LINK_MARKDOWN,
		"../x/Note.md", NULL, NULL, NULL, 1, 1);
}

static void
test_md_image(void **state)
{
	(void)state;
	check_one("![alt](img/pic.png)\n", VL_LINK_IMAGE, "img/pic.png", NULL,
		NULL, NULL, 1, 1);
}

static void
test_md_link_in_list(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- a [t](Note.md)\n");
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_MARKDOWN, "Note.md", NULL, NULL, NULL, 1, 5);
	assert_int_equal(n->links[0].entry, 0);
}

/* ---- URLs ---- */

static void
test_url_markdown(void **state)
{
	(void)state;
	check_one("[t](https://x.org/a)\n", VL_LINK_URL, "https://x.org/a",
		NULL, NULL, NULL, 1, 1);
}

static void
test_url_fragment_kept(void **state)
{
	/* For a URL the whole URL is the target; no heading split. */
	(void)state;
	check_one("[t](https://x.org/a#frag)\n", VL_LINK_URL,
		"https://x.org/a#frag", NULL, NULL, NULL, 1, 1);
}

static void
test_url_bare_no_trailing_dot(void **state)
{
	(void)state;
	check_one("see https://x.org/b.\n", VL_LINK_URL, "https://x.org/b",
		NULL, NULL, NULL, 1, 5);
}

static void
test_url_bare_in_parentheses(void **state)
{
	(void)state;
	/* "(see " 1-5, 'h' 6 */
	check_one("(see https://x.org/c)\n", VL_LINK_URL, "https://x.org/c",
		NULL, NULL, NULL, 1, 6);
}

static void
test_url_autolink(void **state)
{
	(void)state;
	/* col not pinned: '<' or 'h' is undecided */
	check_one("<https://x.org/d>\n", VL_LINK_URL, "https://x.org/d", NULL,
		NULL, NULL, 1, 0);
}

/* md4c hands out an unescaped copy of an href holding '&', so its
 * position cannot come from a pointer into the input. */
static void
test_url_bare_with_ampersand_pos(void **state)
{
	vl_note *n;

	(void)state;
	check_one("a https://x.org/q?a=1&b=2 b\n", VL_LINK_URL,
		"https://x.org/q?a=1&b=2", NULL, NULL, NULL, 1, 3);
	n = parse("- a\n- b https://x.org/?a&b\n");
	assert_int_equal(n->n_links, 1);
	check_link(n, 0, VL_LINK_URL, "https://x.org/?a&b", NULL, NULL, NULL,
		2, 5);
	assert_int_equal(n->links[0].entry, 1);
}

static void
test_url_mailto(void **state)
{
	(void)state;
	check_one("[m](mailto:a@b.org)\n", VL_LINK_URL, "mailto:a@b.org", NULL,
		NULL, NULL, 1, 1);
}

static void
test_url_obsidian_scheme(void **state)
{
	(void)state;
	check_one("[o](obsidian://open?vault=x&file=y)\n", VL_LINK_URL,
		"obsidian://open?vault=x&file=y", NULL, NULL, NULL, 1, 1);
}

static void
test_url_two_on_a_line(void **state)
{
	vl_note *n;

	(void)state;
	/* "https://x.org/1" 1-15, " and " 16-20, 'h' 21 */
	n = parse("https://x.org/1 and https://x.org/2, done\n");
	assert_int_equal(n->n_links, 2);
	check_link(n, 0, VL_LINK_URL, "https://x.org/1", NULL, NULL, NULL,
		1, 1);
	check_link(n, 1, VL_LINK_URL, "https://x.org/2", NULL, NULL, NULL,
		1, 21);
}

/* ---- where links are not collected ---- */

static void
test_not_in_inline_code(void **state)
{
	(void)state;
	/* "`[[x]]` `![[y]]` `[t](z.md)` " 1-29, '[' 30 */
	check_one("`[[x]]` `![[y]]` `[t](z.md)` [[ok]]\n", VL_LINK_WIKI, "ok",
		NULL, NULL, NULL, 1, 30);
}

static void
test_not_in_fenced_or_indented_code(void **state)
{
	(void)state;
	check_one("```\n[[x]] https://x.org/\n```\n\n    [[y]]\n\n[[ok]]\n",
		VL_LINK_WIKI, "ok", NULL, NULL, NULL, 7, 1);
}

static void
test_not_in_math(void **state)
{
	(void)state;
	/* "$[[x]]$ $$[[y]]$$ " 1-18, '[' 19 */
	check_one("$[[x]]$ $$[[y]]$$ [[ok]]\n", VL_LINK_WIKI, "ok", NULL, NULL,
		NULL, 1, 19);
}

static void
test_not_in_obsidian_comment(void **state)
{
	(void)state;
	/* line 5: "%% [[y]] %% " 1-12, '[' 13 */
	check_one("%%\n[[x]] ![[e.png]]\n%%\n\n%% [[y]] %% [[ok]]\n",
		VL_LINK_WIKI, "ok", NULL, NULL, NULL, 5, 13);
}

static void
test_not_in_html_comment(void **state)
{
	(void)state;
	/* A line that starts with "<!--" is an HTML block up to the line
	 * holding "-->", text after the comment included (CommonMark), so
	 * the inline case needs text first. Line 5: "a " 1-2, comment 3-31,
	 * ' ' 32, '[' 33. */
	check_one("<!--\n[[y]] ![[e.png]]\n-->\n\n"
		"a <!-- [[x]] https://x.org/ --> [[ok]]\n", VL_LINK_WIKI, "ok",
		NULL, NULL, NULL, 5, 33);
}

static void
test_entry_index(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- [[A]]\n  - b [[B]]\n\n[[C]]\n");
	assert_int_equal(n->n_links, 3);
	check_link(n, 0, VL_LINK_WIKI, "A", NULL, NULL, NULL, 1, 3);
	assert_int_equal(n->links[0].entry, 0);
	check_link(n, 1, VL_LINK_WIKI, "B", NULL, NULL, NULL, 2, 7);
	assert_int_equal(n->links[1].entry, 1);
	check_link(n, 2, VL_LINK_WIKI, "C", NULL, NULL, NULL, 4, 1);
	assert_int_equal(n->links[2].entry, -1);
}

static void
test_many_brackets_no_crash(void **state)
{
	const size_t len = 100000;
	char *md;
	vl_note *n;

	(void)state;
	md = malloc(len + 8);
	assert_non_null(md);
	memset(md, '[', len / 2);
	memset(md + len / 2, ']', len / 2);
	memcpy(md + len, " [[ok]]", 7);
	n = parse_n(md, len + 7);
	free(md);
	/* whatever else it finds, the final link is there */
	assert_true(n->n_links >= 1);
	assert_string_equal(n->links[n->n_links - 1].target, "ok");
}

/* More links and ids than the parser sorts by insertion, Markdown links
 * and wikilinks (found by two passes) on the same lines, and columns past
 * two-byte characters: every link in document order, at its place. */
static void
test_many_links_in_order(void **state)
{
	vl_buf md = VL_BUF_INIT;
	vl_note *n;
	size_t i;
	char want[32];

	(void)state;
	for (i = 0; i < 40; i++)
		assert_int_equal(vl_buf_printf(&md, "- %s [m%zu](m%zu.md) [[w%zu]] ^b%zu\n",
			i % 2 ? "\xC3\xA9\xC3\xA9" : "ee", i, i, i, i), 0);
	n = parse_n(md.ptr, md.len);
	assert_int_equal(n->n_links, 80);
	assert_int_equal(n->n_blocks, 40);
	for (i = 0; i < 40; i++) {
		uint32_t wcol = i < 10 ? 18 : 20;

		snprintf(want, sizeof(want), "m%zu.md", i);
		check_link(n, 2 * i, VL_LINK_MARKDOWN, want, NULL, NULL, NULL,
			(uint32_t)i + 1, 6);
		snprintf(want, sizeof(want), "w%zu", i);
		check_link(n, 2 * i + 1, VL_LINK_WIKI, want, NULL, NULL, NULL,
			(uint32_t)i + 1, wcol);
		assert_int_equal(n->blocks[i].pos.line, i + 1);
	}
	vl_buf_release(&md);
}

/* An image inside a link's text: the link starts first, then the image,
 * then the wikilink after them. */
static void
test_image_in_link_order(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("[[a]] [![i](i.png)](b.md) [[c]]\n");
	assert_int_equal(n->n_links, 4);
	check_link(n, 0, VL_LINK_WIKI, "a", NULL, NULL, NULL, 1, 1);
	check_link(n, 1, VL_LINK_MARKDOWN, "b.md", NULL, NULL, NULL, 1, 7);
	check_link(n, 2, VL_LINK_IMAGE, "i.png", NULL, NULL, NULL, 1, 8);
	check_link(n, 3, VL_LINK_WIKI, "c", NULL, NULL, NULL, 1, 27);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_wiki_plain),
		T(test_wiki_folder),
		T(test_wiki_md_extension_kept),
		T(test_wiki_attachment),
		T(test_wiki_alias),
		T(test_wiki_heading),
		T(test_wiki_heading_with_spaces_and_alias),
		T(test_wiki_subheading_path),
		T(test_wiki_same_note_heading),
		T(test_wiki_block),
		T(test_wiki_same_note_block),
		T(test_wiki_block_alias),
		T(test_wiki_two_on_a_line),
		T(test_wiki_col_code_points),
		T(test_wiki_in_quote_and_heading),
		T(test_wiki_in_table_escaped_bar),
		T(test_wiki_in_table_heading_escaped_bar),
		T(test_wiki_longer_than_100),
		T(test_wiki_long_with_alias),
		T(test_wiki_unclosed_is_text),
		T(test_wiki_crlf),
		T(test_embed),
		T(test_embed_size),
		T(test_embed_block),
		T(test_embed_heading),
		T(test_embed_pdf_mid_text),
		T(test_embed_in_table),
		T(test_embed_and_wiki_mixed),
		T(test_md_url_decoded_with_heading),
		T(test_md_angle_brackets),
		T(test_md_block),
		T(test_md_same_note_heading),
		T(test_md_relative_path_and_title),
		T(test_md_image),
		T(test_md_link_in_list),
		T(test_url_markdown),
		T(test_url_fragment_kept),
		T(test_url_bare_no_trailing_dot),
		T(test_url_bare_in_parentheses),
		T(test_url_autolink),
		T(test_url_bare_with_ampersand_pos),
		T(test_url_mailto),
		T(test_url_obsidian_scheme),
		T(test_url_two_on_a_line),
		T(test_not_in_inline_code),
		T(test_not_in_fenced_or_indented_code),
		T(test_not_in_math),
		T(test_not_in_obsidian_comment),
		T(test_not_in_html_comment),
		T(test_entry_index),
		T(test_many_brackets_no_crash),
		T(test_many_links_in_order),
		T(test_image_in_link_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
