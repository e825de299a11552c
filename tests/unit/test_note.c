/*
 * test_note.c: unit tests for src/note.c, written from shared/OBSIDIAN.md
 * before the parser existed. Tags, block ids, headings, list entries,
 * inline suppressions, bad input, and the vl_tag_scan / vl_block_id_valid
 * helpers. Links are in test_note_links.c, front matter in
 * test_frontmatter.c.
 *
 * Every expected line and column was counted by hand: line is 1-based,
 * column is 1-based in Unicode code points. Each "is not a tag/block"
 * test also carries a control symbol that must be found, so a parser that
 * finds nothing cannot pass it.
 *
 * Decisions pinned here (see the comments at each test):
 * - headings carry no tags: `# Title #tag` yields no tag;
 * - `(#x)` is not a tag: the '#' must start the text or follow whitespace;
 * - tags in link text or wikilink aliases are not collected;
 * - a block id counts only on the last line of a paragraph;
 * - `#` alone, `# ` and `##` alone are not headings;
 * - an entry's text is its own raw source, trimmed, whitespace runs
 *   collapsed, task box removed, sub-items excluded;
 * - an unterminated code fence is an "invalid-input" problem.
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

/* The note under test; freed by the teardown so failed tests do not leak
 * under the sanitizer build. */
static void
check_tag(const vl_note *n, size_t i, const char *name, uint32_t line,
	uint32_t col)
{
	assert_true(i < n->n_tags);
	assert_string_equal(n->tags[i].name, name);
	assert_int_equal(n->tags[i].pos.line, line);
	assert_int_equal(n->tags[i].pos.col, col);
	assert_int_equal(n->tags[i].frontmatter, 0);
}

/* The only tag of the note. */
static void
check_one_tag(const vl_note *n, const char *name, uint32_t line, uint32_t col)
{
	assert_int_equal(n->n_tags, 1);
	check_tag(n, 0, name, line, col);
}

static void
check_block(const vl_note *n, size_t i, const char *id, uint32_t line,
	uint32_t col)
{
	assert_true(i < n->n_blocks);
	assert_string_equal(n->blocks[i].id, id);
	assert_int_equal(n->blocks[i].pos.line, line);
	assert_int_equal(n->blocks[i].pos.col, col);
}

static void
check_heading(const vl_note *n, size_t i, const char *text, int level,
	uint32_t line, uint32_t col)
{
	assert_true(i < n->n_headings);
	assert_string_equal(n->headings[i].text, text);
	assert_int_equal(n->headings[i].level, level);
	assert_int_equal(n->headings[i].pos.line, line);
	if (col != 0)
		assert_int_equal(n->headings[i].pos.col, col);
}

static void
check_entry(const vl_note *n, size_t i, const char *text, int depth,
	int parent, int section, uint32_t line, uint32_t col, uint32_t end_line)
{
	assert_true(i < n->n_entries);
	assert_string_equal(n->entries[i].text, text);
	assert_int_equal(n->entries[i].depth, depth);
	assert_int_equal(n->entries[i].parent, parent);
	assert_int_equal(n->entries[i].section, section);
	assert_int_equal(n->entries[i].pos.line, line);
	assert_int_equal(n->entries[i].pos.col, col);
	assert_int_equal(n->entries[i].end_line, end_line);
}

/* ---- the note itself ---- */

static void
test_path_and_name(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("a\nb");
	assert_string_equal(n->path, "dir/note.md");
	assert_string_equal(n->name, "note");
	assert_int_equal(n->n_lines, 2);
	assert_int_equal(n->size, 3);
	assert_int_equal(n->has_frontmatter, 0);
	assert_int_equal(n->n_problems, 0);
}

static void
test_empty_file(void **state)
{
	vl_note *n;

	(void)state;
	n = parse_n("", 0);
	assert_int_equal(n->n_headings, 0);
	assert_int_equal(n->n_blocks, 0);
	assert_int_equal(n->n_tags, 0);
	assert_int_equal(n->n_links, 0);
	assert_int_equal(n->n_entries, 0);
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_props, 0);
	assert_int_equal(n->has_frontmatter, 0);
	assert_int_equal(n->size, 0);
}

static void
test_free_null(void **state)
{
	(void)state;
	vl_note_free(NULL);
}

/* ---- tags ---- */

static void
test_tag_line_start_is_tag_not_heading(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("#tag\n");
	check_one_tag(n, "tag", 1, 1);
	assert_int_equal(n->tags[0].entry, -1);
	assert_int_equal(n->n_headings, 0);
	assert_int_equal(n->n_problems, 0);
}

static void
test_tag_after_text(void **state)
{
	(void)state;
	check_one_tag(parse("text #tag here\n"), "tag", 1, 6);
}

static void
test_tag_col_counts_code_points(void **state)
{
	/* 🎉 is 4 bytes and é 2 bytes, but each counts one column. */
	(void)state;
	check_one_tag(parse("\xF0\x9F\x8E\x89 \xC3\xA9 #tag\n"), "tag", 1, 5);
}

static void
test_tag_any_script_and_emoji(void **state)
{
	vl_note *n;

	(void)state;
	/* "#日本語 and #🎉party": '#' at 1; "日本語" 2-4; " and " 5-9; '#' 10. */
	n = parse("#\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E and "
		"#\xF0\x9F\x8E\x89party\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 1, 1);
	check_tag(n, 1, "\xF0\x9F\x8E\x89party", 1, 10);
}

static void
test_tag_needs_a_non_digit(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("#1984 #y1984 #1984y\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "y1984", 1, 7);
	check_tag(n, 1, "1984y", 1, 14);
}

static void
test_tag_must_follow_whitespace(void **state)
{
	vl_note *n;

	(void)state;
	/* a#b: no. (#x): no, '(' precedes (decision). x\t#t: yes. */
	n = parse("a#b (#x) x\t#t #c\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "t", 1, 12);
	check_tag(n, 1, "c", 1, 15);
}

/* Right after markup that opens, '#' starts the text and a tag; right
 * after markup that closes, it follows the text before it: no tag. */
static void
test_tag_after_opening_not_closing_markup(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("x\n\n[[X]]#a `c`#b **d**#c [t](X.md)#d $m$#e <b>x</b>#f __u__#g\n");
	assert_int_equal(n->n_tags, 0);
	n = parse("**#bold** *#it* ~~#gone~~ _#u_\n");
	assert_int_equal(n->n_tags, 4);
	check_tag(n, 0, "bold", 1, 3);
	check_tag(n, 3, "u", 1, 28);
}

static void
test_tag_not_heading_or_double_hash(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("# Heading\n\n## Sub\n\nx ## y\n\n#real\n");
	check_one_tag(n, "real", 7, 1);
}

static void
test_tag_terminators(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("#PAPER. #a, #b; #c! #d? #e: #f)\n");
	assert_int_equal(n->n_tags, 7);
	check_tag(n, 0, "PAPER", 1, 1);
	check_tag(n, 1, "a", 1, 9);
	check_tag(n, 2, "b", 1, 13);
	check_tag(n, 3, "c", 1, 17);
	check_tag(n, 4, "d", 1, 21);
	check_tag(n, 5, "e", 1, 25);
	check_tag(n, 6, "f", 1, 29);
}

static void
test_tag_nested_and_case_kept(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("#THESIS/PHD #Code #CODE\n");
	assert_int_equal(n->n_tags, 3);
	check_tag(n, 0, "THESIS/PHD", 1, 1);
	check_tag(n, 1, "Code", 1, 13);
	check_tag(n, 2, "CODE", 1, 19);
}

static void
test_tag_underscore_hyphen(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("#my_tag #my-tag\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "my_tag", 1, 1);
	check_tag(n, 1, "my-tag", 1, 9);
}

static void
test_tag_not_in_urls(void **state)
{
	(void)state;
	/* cols: "see " 1-4, bare URL 5-24, " and " 25-29, markdown link
	 * 30-53, " and " 54-58, autolink 59-76, ' ' 77, "#ok" 78. */
	check_one_tag(parse("see https://x.org/#/page and "
		"[p](https://x.org/#frag) and <https://x.org/#a> #ok\n"),
		"ok", 1, 78);
}

static void
test_tag_not_in_link_targets_or_text(void **state)
{
	(void)state;
	/* Decision: tags in link text and wikilink aliases are not
	 * collected. "[#x](https://x.org)" 1-19, ' ' 20,
	 * "[[Note|see #y]]" 21-35, ' ' 36, "[[Note #z]]" 37-47, ' ' 48,
	 * "[a](<N #w.md>)" 49-62, ' ' 63, "#ok" 64. */
	check_one_tag(parse("[#x](https://x.org) [[Note|see #y]] "
		"[[Note #z]] [a](<N #w.md>) #ok\n"), "ok", 1, 64);
}

static void
test_tag_not_in_fenced_or_indented_code(void **state)
{
	(void)state;
	check_one_tag(parse("```\n#fenced\n```\n"
		"~~~js\n#tilde\n~~~\n"
		"\n    #indented\n\n#ok\n"), "ok", 10, 1);
}

static void
test_tag_not_in_inline_code(void **state)
{
	(void)state;
	/* "use " 1-4, "`#inline`" 5-13, " here " 14-19, "#ok" 20. */
	check_one_tag(parse("use `#inline` here #ok\n"), "ok", 1, 20);
}

static void
test_tag_not_in_inline_math(void **state)
{
	(void)state;
	/* "$a #y$" 1-6, " and " 7-11, "#ok" 12. */
	check_one_tag(parse("$a #y$ and #ok\n"), "ok", 1, 12);
}

/* Obsidian (like pandoc) needs a non-space after the opening '$' and
 * before the closing one: "$5 #tag and $10" holds no math, so the tag
 * is real. Dollar amounts are common in notes. */
static void
test_tag_after_dollar_amounts(void **state)
{
	(void)state;
	/* "costs " 1-6, "$5" 7-8, ' ' 9, "#tag" 10 */
	check_one_tag(parse("costs $5 #tag and $10\n"), "tag", 1, 10);
}

static void
test_tag_not_in_display_math(void **state)
{
	vl_note *n;

	(void)state;
	/* "$$ #z $$" 1-8, ' ' 9, "#ok" 10; then a multi-line $$ block. */
	n = parse("$$ #z $$ #ok\n\n$$\n#m\n$$\n\n#ok2\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "ok", 1, 10);
	check_tag(n, 1, "ok2", 7, 1);
}

static void
test_tag_not_in_inline_comment(void **state)
{
	(void)state;
	/* "%% #x %%" 1-8, ' ' 9, "#a" 10. */
	check_one_tag(parse("%% #x %% #a\n"), "a", 1, 10);
}

static void
test_tag_not_in_multiline_comment(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("%%\n#y\n%%\n\ntext %% start\n#z\nend %% #a\n");
	/* line 7: "end %% " 1-7, "#a" 8. */
	check_one_tag(n, "a", 7, 8);
}

static void
test_tag_not_in_html_comment(void **state)
{
	vl_note *n;

	(void)state;
	/* "text " 1-5, "<!-- #i -->" 6-16, ' ' 17, "#b" 18. */
	n = parse("text <!-- #i --> #b\n\n<!--\n#j\n-->\n\n#c\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "b", 1, 18);
	check_tag(n, 1, "c", 7, 1);
}

static void
test_tag_not_in_heading(void **state)
{
	vl_note *n;

	(void)state;
	/* Decision: a tag in a heading is a tag, as Obsidian renders it; the
	 * heading's own '#' markers are not. */
	n = parse("# Title #tag\n\n#body\n");
	assert_int_equal(n->n_tags, 2);
	assert_string_equal(n->tags[0].name, "tag");
	assert_int_equal(n->tags[0].pos.line, 1);
	assert_int_equal(n->tags[0].pos.col, 9);
	assert_string_equal(n->tags[1].name, "body");
	assert_int_equal(n->tags[1].pos.line, 3);
	assert_int_equal(n->tags[1].pos.col, 1);
	assert_int_equal(n->n_headings, 1);
	check_heading(n, 0, "Title #tag", 1, 1, 3);
}

static void
test_tag_in_quote(void **state)
{
	(void)state;
	check_one_tag(parse("> quoted #q\n"), "q", 1, 10);
}

static void
test_tag_entry_index(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- a #x\n  - b #y\n- c\n\n#z\n");
	assert_int_equal(n->n_tags, 3);
	check_tag(n, 0, "x", 1, 5);
	assert_int_equal(n->tags[0].entry, 0);
	check_tag(n, 1, "y", 2, 7);
	assert_int_equal(n->tags[1].entry, 1);
	check_tag(n, 2, "z", 5, 1);
	assert_int_equal(n->tags[2].entry, -1);
}

static void
test_tag_crlf(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("a #x\r\n#y\r\n");
	assert_int_equal(n->n_tags, 2);
	check_tag(n, 0, "x", 1, 3);
	check_tag(n, 1, "y", 2, 1);
}

/* ---- block ids ---- */

static void
test_block_end_of_paragraph(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("Paragraph text ^pykale\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "pykale", 1, 16);
}

static void
test_block_list_item(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- item ^my-list-id\n  - sub ^def\n");
	assert_int_equal(n->n_blocks, 2);
	check_block(n, 0, "my-list-id", 1, 8);
	check_block(n, 1, "def", 2, 9);
}

static void
test_block_digits_first(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("text ^1ef748\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "1ef748", 1, 6);
}

static void
test_block_own_line_after_list(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- a\n- b\n\n^1ef748\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "1ef748", 4, 1);
}

static void
test_block_own_line_after_quote_and_table(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("> quote\n\n^qid\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n^tbl\n");
	assert_int_equal(n->n_blocks, 2);
	check_block(n, 0, "qid", 3, 1);
	check_block(n, 1, "tbl", 9, 1);
}

static void
test_block_in_quote_paragraph(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("> quoted ^qb\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "qb", 1, 10);
}

static void
test_block_after_embed_no_space(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("![[image.png]]^version-history-image\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "version-history-image", 1, 15);
	assert_int_equal(n->n_links, 1);
	assert_int_equal(n->links[0].kind, VL_LINK_EMBED);
	assert_string_equal(n->links[0].target, "image.png");
	assert_null(n->links[0].block);
	n = parse("text ![[a.png|100]]^sized\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "sized", 1, 20);
	/* only an embed: after a link, other brackets or text, the '^'
	 * wants its space */
	n = parse("See [[Other]]^wikiid\n\nPlain text]]^plainid\n\n"
		"![[a.png]] and [[b]]^after\n\n]]^bare\n");
	assert_int_equal(n->n_blocks, 0);
}

static void
test_block_not_mid_line(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("a ^mid text\n\nb ^ok\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "ok", 3, 3);
}

static void
test_block_needs_space(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("a^b\n\nc ^ok\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "ok", 3, 3);
}

static void
test_block_no_underscore(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("text ^my_id\n\ntext ^ok\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "ok", 3, 6);
}

static void
test_block_not_in_code(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("```\ntext ^code\n```\n\n`x ^inl`\n\n    ind ^ind\n\ntext ^ok\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "ok", 9, 6);
}

static void
test_block_only_last_line_of_paragraph(void **state)
{
	vl_note *n;

	(void)state;
	/* Decision: an id on a non-last line of a paragraph is text. */
	n = parse("line one ^first\nline two ^last\n");
	assert_int_equal(n->n_blocks, 1);
	check_block(n, 0, "last", 2, 10);
}

static void
test_block_crlf(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("text ^abc\r\n\r\n- a ^li\r\n\r\n^own\r\n");
	assert_int_equal(n->n_blocks, 3);
	check_block(n, 0, "abc", 1, 6);
	check_block(n, 1, "li", 3, 5);
	check_block(n, 2, "own", 5, 1);
}

/* ---- headings ---- */

static void
test_heading_atx(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("# Title\n");
	assert_int_equal(n->n_headings, 1);
	check_heading(n, 0, "Title", 1, 1, 3);
	assert_int_equal(n->n_tags, 0);
}

static void
test_heading_levels(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("# A\n## B\n### C\n#### D\n##### E\n###### F\n####### G\n");
	assert_int_equal(n->n_headings, 6);
	check_heading(n, 0, "A", 1, 1, 3);
	check_heading(n, 1, "B", 2, 2, 4);
	check_heading(n, 2, "C", 3, 3, 5);
	check_heading(n, 3, "D", 4, 4, 6);
	check_heading(n, 4, "E", 5, 5, 7);
	check_heading(n, 5, "F", 6, 6, 8);
}

static void
test_heading_setext(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("Title\n=====\n\nSub\n---\n");
	assert_int_equal(n->n_headings, 2);
	check_heading(n, 0, "Title", 1, 1, 1);
	check_heading(n, 1, "Sub", 2, 4, 1);
}

static void
test_heading_inline_code_kept(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("### `hasTag()`\n");
	assert_int_equal(n->n_headings, 1);
	/* col not pinned: '`' (5) or 'h' (6) is undecided. */
	check_heading(n, 0, "hasTag()", 3, 1, 0);
}

static void
test_heading_emphasis_removed(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("## *Big* idea\n\n## **Bold** and _it_ ~~x~~\n");
	assert_int_equal(n->n_headings, 2);
	check_heading(n, 0, "Big idea", 2, 1, 0);
	check_heading(n, 1, "Bold and it x", 2, 3, 0);
}

/* A wikilink in a heading is its written target and alias, as Obsidian
 * links the heading ("A B C d" for `A [[B|C]] d`), not the alias alone. */
static void
test_heading_wikilink_alias(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("# Links [[Other|Shown]] here\n\n## A [[B]] c\n\n### D [[E#F|*G*]]\n");
	assert_int_equal(n->n_headings, 3);
	check_heading(n, 0, "Links Other Shown here", 1, 1, 0);
	check_heading(n, 1, "A B c", 2, 3, 0);
	check_heading(n, 2, "D E#F G", 3, 5, 0);
	assert_int_equal(n->n_links, 3);
}

static void
test_heading_closing_hashes_and_spaces(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("## Title ##\n\n#   Spaced   \n\n   # Indented\n");
	assert_int_equal(n->n_headings, 3);
	check_heading(n, 0, "Title", 2, 1, 4);
	check_heading(n, 1, "Spaced", 1, 3, 5);
	check_heading(n, 2, "Indented", 1, 5, 6);
}

static void
test_heading_unicode_col(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("\xF0\x9F\x8E\x89 x\n\n## \xC3\xA9t\xC3\xA9\n");
	assert_int_equal(n->n_headings, 1);
	check_heading(n, 0, "\xC3\xA9t\xC3\xA9", 2, 3, 4);
}

static void
test_heading_empty_is_none(void **state)
{
	vl_note *n;

	(void)state;
	/* Decision: "#", "# " and "##" alone make no heading. */
	n = parse("#\n\n# \n\n##\n\n# Real\n");
	assert_int_equal(n->n_headings, 1);
	check_heading(n, 0, "Real", 1, 7, 3);
	assert_int_equal(n->n_tags, 0);
}

static void
test_heading_not_in_code(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("```\n# not\n```\n\n    # indented\n\n# Yes\n");
	assert_int_equal(n->n_headings, 1);
	check_heading(n, 0, "Yes", 1, 7, 3);
}

static void
test_heading_crlf(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("# T\r\n\r\nSet\r\n===\r\n");
	assert_int_equal(n->n_headings, 2);
	check_heading(n, 0, "T", 1, 1, 3);
	check_heading(n, 1, "Set", 1, 3, 1);
}

/* ---- list entries ---- */

static void
test_entry_paper(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- #PAPER [Title (Author 2021)](https://x.org/p) ^blk1\n");
	assert_int_equal(n->n_entries, 1);
	check_entry(n, 0, "#PAPER [Title (Author 2021)](https://x.org/p) ^blk1",
		0, -1, -1, 1, 3, 1);
	check_one_tag(n, "PAPER", 1, 3);
	assert_int_equal(n->tags[0].entry, 0);
	assert_int_equal(n->n_links, 1);
	assert_int_equal(n->links[0].entry, 0);
	assert_int_equal(n->n_blocks, 1);
	/* "- #PAPER " 1-9, link 10-47, ' ' 48, '^' 49 */
	check_block(n, 0, "blk1", 1, 49);
}

static void
test_entry_whitespace_collapsed(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("-   a    b\t c  \n");
	assert_int_equal(n->n_entries, 1);
	check_entry(n, 0, "a b c", 0, -1, -1, 1, 5, 1);
}

static void
test_entry_continuation_lines(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- first\n  second   line\n- next\n");
	assert_int_equal(n->n_entries, 2);
	check_entry(n, 0, "first second line", 0, -1, -1, 1, 3, 2);
	check_entry(n, 1, "next", 0, -1, -1, 3, 3, 3);
}

static void
test_entry_nesting_and_section(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("# S\n- parent\n  - child\n    more\n- next\n");
	assert_int_equal(n->n_entries, 3);
	check_entry(n, 0, "parent", 0, -1, 0, 2, 3, 4);
	check_entry(n, 1, "child more", 1, 0, 0, 3, 5, 4);
	check_entry(n, 2, "next", 0, -1, 0, 5, 3, 5);
}

static void
test_entry_three_levels(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- a\n  - b\n    - c\n- d\n");
	assert_int_equal(n->n_entries, 4);
	check_entry(n, 0, "a", 0, -1, -1, 1, 3, 3);
	check_entry(n, 1, "b", 1, 0, -1, 2, 5, 3);
	check_entry(n, 2, "c", 2, 1, -1, 3, 7, 3);
	check_entry(n, 3, "d", 0, -1, -1, 4, 3, 4);
}

static void
test_entry_sections(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- before\n# A\n- in a\n## B\n- in b\n");
	assert_int_equal(n->n_headings, 2);
	assert_int_equal(n->n_entries, 3);
	check_entry(n, 0, "before", 0, -1, -1, 1, 3, 1);
	check_entry(n, 1, "in a", 0, -1, 0, 3, 3, 3);
	check_entry(n, 2, "in b", 0, -1, 1, 5, 3, 5);
}

static void
test_entry_ordered(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("1. one\n2. two\n10. ten\n");
	assert_int_equal(n->n_entries, 3);
	check_entry(n, 0, "one", 0, -1, -1, 1, 4, 1);
	check_entry(n, 1, "two", 0, -1, -1, 2, 4, 2);
	check_entry(n, 2, "ten", 0, -1, -1, 3, 5, 3);
}

static void
test_entry_task_box_removed(void **state)
{
	vl_note *n;

	(void)state;
	/* Decision: the task box is not part of the text; pos is the first
	 * character after it. */
	n = parse("- [ ] task\n- [x] done\n");
	assert_int_equal(n->n_entries, 2);
	check_entry(n, 0, "task", 0, -1, -1, 1, 7, 1);
	check_entry(n, 1, "done", 0, -1, -1, 2, 7, 2);
}

static void
test_entry_other_bullets(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("* star\n\n+ plus\n");
	assert_int_equal(n->n_entries, 2);
	check_entry(n, 0, "star", 0, -1, -1, 1, 3, 1);
	check_entry(n, 1, "plus", 0, -1, -1, 3, 3, 3);
}

static void
test_entry_end_line_skips_trailing_blanks(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- a\n\n\nText\n");
	assert_int_equal(n->n_entries, 1);
	check_entry(n, 0, "a", 0, -1, -1, 1, 3, 1);
}

static void
test_entry_none_outside_lists(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("just a paragraph - with a dash\n\n-not a list\n");
	assert_int_equal(n->n_entries, 0);
}

static void
test_entry_crlf(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("- a  b\r\n  - c\r\n- d\r\n");
	assert_int_equal(n->n_entries, 3);
	check_entry(n, 0, "a b", 0, -1, -1, 1, 3, 2);
	check_entry(n, 1, "c", 1, 0, -1, 2, 5, 2);
	check_entry(n, 2, "d", 0, -1, -1, 3, 3, 3);
}

/* ---- suppressions ---- */

static void
test_suppress_next_line(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("%% vaultlint-disable-next-line broken-link %%\n[[X]]\n[[Y]]\n");
	assert_int_equal(n->n_suppress, 1);
	assert_string_equal(n->suppress[0].rule, "broken-link");
	assert_int_equal(n->suppress[0].first, 2);
	assert_int_equal(n->suppress[0].last, 2);
	assert_int_equal(vl_note_suppressed(n, "broken-link", 2), 1);
	assert_int_equal(vl_note_suppressed(n, "broken-link", 3), 0);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 2), 0);
	/* the directive is a comment: its text yields no link */
	assert_int_equal(n->n_links, 2);
}

static void
test_suppress_range(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("a\n%% vaultlint-disable tag-format %%\nb\n"
		"%% vaultlint-enable tag-format %%\nc\n");
	assert_int_equal(vl_note_suppressed(n, "tag-format", 1), 0);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 2), 1);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 3), 1);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 4), 1);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 5), 0);
	assert_int_equal(vl_note_suppressed(n, "broken-link", 3), 0);
}

static void
test_suppress_to_end(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("a\n%% vaultlint-disable tag-format %%\nb\n");
	assert_int_equal(n->n_suppress, 1);
	assert_int_equal(n->suppress[0].first, 2);
	assert_int_equal(n->suppress[0].last, UINT32_MAX);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 1), 0);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 3), 1);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 100000), 1);
}

static void
test_suppress_other_enable_keeps_range(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("%% vaultlint-disable tag-format %%\n"
		"%% vaultlint-enable broken-link %%\nc\n");
	assert_int_equal(vl_note_suppressed(n, "tag-format", 3), 1);
}

static void
test_suppress_several_rules(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("%% vaultlint-disable-next-line broken-link, tag-format %%\nx\n"
		"%% vaultlint-disable-next-line dup-block   orphan %%\ny\n");
	assert_int_equal(vl_note_suppressed(n, "broken-link", 2), 1);
	assert_int_equal(vl_note_suppressed(n, "tag-format", 2), 1);
	assert_int_equal(vl_note_suppressed(n, "dup-block", 2), 0);
	assert_int_equal(vl_note_suppressed(n, "dup-block", 4), 1);
	assert_int_equal(vl_note_suppressed(n, "orphan", 4), 1);
	assert_int_equal(vl_note_suppressed(n, "broken-link", 4), 0);
}

static void
test_suppress_all(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("%% vaultlint-disable-next-line %%\nx\ny\n");
	assert_int_equal(n->n_suppress, 1);
	assert_string_equal(n->suppress[0].rule, "all");
	assert_int_equal(vl_note_suppressed(n, "broken-link", 2), 1);
	assert_int_equal(vl_note_suppressed(n, "anything-else", 2), 1);
	assert_int_equal(vl_note_suppressed(n, "broken-link", 3), 0);
}

static void
test_suppress_none(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("%% an ordinary comment %%\nx\n");
	assert_int_equal(n->n_suppress, 0);
	assert_int_equal(vl_note_suppressed(n, "broken-link", 2), 0);
}

static void
test_suppress_crlf(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("%% vaultlint-disable-next-line broken-link %%\r\nx\r\n");
	assert_int_equal(n->n_suppress, 1);
	assert_string_equal(n->suppress[0].rule, "broken-link");
	assert_int_equal(vl_note_suppressed(n, "broken-link", 2), 1);
}

/* ---- bad input ---- */

static void
test_invalid_utf8(void **state)
{
	const vl_problem *p;
	vl_note *n;

	(void)state;
	n = parse("ok\nbad \xff\n#tag [[Link]]\n");
	p = find_problem(n, "invalid-input");
	assert_non_null(p);
	assert_true(mentions(p->message, "UTF-8"));
	assert_int_equal(p->pos.line, 2);
	/* the note is still parsed */
	check_one_tag(n, "tag", 3, 1);
	assert_int_equal(n->n_links, 1);
}

static void
test_nul_byte_is_binary(void **state)
{
	static const char md[] = "a\0b #tag [[X]]\n# H\n";
	const vl_problem *p;
	vl_note *n;

	(void)state;
	n = parse_n(md, sizeof(md) - 1);
	p = find_problem(n, "invalid-input");
	assert_non_null(p);
	assert_true(mentions(p->message, "NUL") ||
		mentions(p->message, "binary"));
	assert_int_equal(n->n_tags, 0);
	assert_int_equal(n->n_links, 0);
	assert_int_equal(n->n_headings, 0);
	assert_int_equal(n->n_blocks, 0);
	assert_int_equal(n->n_entries, 0);
}

static void
test_bom_skipped(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("\xEF\xBB\xBF#tag\n");
	check_one_tag(n, "tag", 1, 1);
	assert_int_equal(n->n_problems, 0);
	n = parse("\xEF\xBB\xBF# Head\n");
	assert_int_equal(n->n_headings, 1);
	check_heading(n, 0, "Head", 1, 1, 3);
}

static void
test_unterminated_fence(void **state)
{
	const vl_problem *p;
	vl_note *n;

	(void)state;
	n = parse("#before\n```\n#x\n[[L]]\n");
	p = find_problem(n, "invalid-input");
	assert_non_null(p);
	assert_true(mentions(p->message, "unterminated"));
	assert_int_equal(p->pos.line, 2);
	/* the rest of the note is code */
	check_one_tag(n, "before", 1, 1);
	assert_int_equal(n->n_links, 0);
}

static void
test_terminated_fence_no_problem(void **state)
{
	vl_note *n;

	(void)state;
	n = parse("```\ncode\n```\n");
	assert_int_equal(n->n_problems, 0);
	/* a fence in a quote or a list item ends with it: what follows is
	 * not code, and no word is said */
	n = parse("> ```\n> code\n\n[[Missing]] #t\n");
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_links, 1);
	check_one_tag(n, "t", 4, 13);
	n = parse("- ```\n  code\n\nafter [[L]]\n");
	assert_int_equal(n->n_problems, 0);
	assert_int_equal(n->n_links, 1);
	/* one that runs to the end of the note inside its quote or item is
	 * still unterminated, blank lines and quote markers after it too */
	n = parse("> ```\n> code [[L]]\n>\n> \n\n");
	assert_non_null(find_problem(n, "invalid-input"));
	assert_int_equal(n->n_links, 0);
	n = parse("text\n\n- item\n  ```\n  code\n");
	assert_non_null(find_problem(n, "invalid-input"));
}

static void
test_huge_single_line(void **state)
{
	const size_t len = 10u * 1024 * 1024;
	char *md;
	vl_note *n;

	(void)state;
	md = malloc(len + 6);
	assert_non_null(md);
	memset(md, 'a', len);
	memcpy(md + len, " #end", 5);
	md[len + 5] = '\0';
	n = parse_n(md, len + 5);
	free(md);
	check_one_tag(n, "end", 1, (uint32_t)len + 2);
}

static void
test_deep_quotes(void **state)
{
	const size_t depth = 10000;
	char *md;
	size_t i;

	(void)state;
	md = malloc(depth + 8);
	assert_non_null(md);
	for (i = 0; i < depth; i++)
		md[i] = '>';
	memcpy(md + depth, " #deep\n", 8);
	parse_n(md, depth + 7);
	free(md);
}

static void
test_deep_lists(void **state)
{
	const size_t depth = 10000;
	char *md;
	size_t i;

	(void)state;
	md = malloc(2 * depth + 8);
	assert_non_null(md);
	for (i = 0; i < depth; i++)
		memcpy(md + 2 * i, "- ", 2);
	memcpy(md + 2 * depth, "x #deep", 8);
	parse_n(md, 2 * depth + 7);
	free(md);
}

static void
test_deep_indented_lists(void **state)
{
	/* 2,000 levels, each indented two more spaces than its parent. */
	const size_t depth = 2000;
	vl_buf b = VL_BUF_INIT;
	vl_note *n;
	size_t i, j;

	(void)state;
	for (i = 0; i < depth; i++) {
		for (j = 0; j < i; j++)
			assert_int_equal(vl_buf_puts(&b, "  "), 0);
		assert_int_equal(vl_buf_puts(&b, "- x\n"), 0);
	}
	n = parse_n(b.ptr, b.len);
	vl_buf_release(&b);
	assert_true(n->n_entries > 0);
	assert_int_equal(n->entries[0].depth, 0);
}

static void
test_only_dashes(void **state)
{
	const vl_problem *p;
	vl_note *n;

	(void)state;
	/* "---" opens front matter that never closes. */
	n = parse("---");
	p = find_problem(n, "frontmatter-invalid");
	assert_non_null(p);
	assert_true(mentions(p->message, "unterminated"));
	assert_int_equal(n->n_tags, 0);
	assert_int_equal(n->n_headings, 0);
	n = parse("---\n");
	assert_non_null(find_problem(n, "frontmatter-invalid"));
}

/* ---- vl_tag_scan and vl_block_id_valid ---- */

static void
test_tag_scan_table(void **state)
{
	static const struct {
		const char *s;
		size_t want;
	} cases[] = {
		{ "tag", 3 },
		{ "tag.", 3 },
		{ "tag,x", 3 },
		{ "tag)", 3 },
		{ "tag:", 3 },
		{ "tag!", 3 },
		{ "tag?", 3 },
		{ "tag;", 3 },
		{ "tag x", 3 },
		{ "tag\n", 3 },
		{ "tag\r\n", 3 },
		{ "a#b", 1 },
		{ "THESIS/PHD x", 10 },
		{ "my_tag-1", 8 },
		{ "1984", 0 },
		{ "1984 x", 0 },
		{ "1984.", 0 },
		{ "y1984", 5 },
		{ "1984y", 5 },
		{ "19_84", 5 },
		{ "\xE6\x97\xA5\xE6\x9C\xAC", 6 },
		{ "\xF0\x9F\x8E\x89party", 9 },
		{ "caf\xC3\xA9!", 5 },
		{ " tag", 0 },
		{ "#", 0 },
		{ "#x", 0 },
		{ ".", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = vl_tag_scan(cases[i].s, strlen(cases[i].s));
		if (got != cases[i].want)
			fail_msg("vl_tag_scan(\"%s\") = %zu, want %zu",
				cases[i].s, got, cases[i].want);
	}
	/* n bounds the scan; no NUL needed */
	assert_int_equal(vl_tag_scan("tagxyz", 3), 3);
	assert_int_equal(vl_tag_scan("1984y", 4), 0);
	assert_int_equal(vl_tag_scan("x", 0), 0);
}

static void
test_block_id_valid_table(void **state)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "pykale", 1 },
		{ "my-list-id", 1 },
		{ "1ef748", 1 },
		{ "ID-9", 1 },
		{ "a", 1 },
		{ "my_id", 0 },
		{ "a b", 0 },
		{ "a^b", 0 },
		{ "a.b", 0 },
		{ "caf\xC3\xA9", 0 },
		{ "id\r", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = vl_block_id_valid(cases[i].s, strlen(cases[i].s));
		if (got != cases[i].want)
			fail_msg("vl_block_id_valid(\"%s\") = %d, want %d",
				cases[i].s, got, cases[i].want);
	}
	assert_int_equal(vl_block_id_valid("abc!", 3), 1);
	assert_int_equal(vl_block_id_valid("abc", 0), 0);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_path_and_name),
		T(test_empty_file),
		T(test_free_null),
		T(test_tag_line_start_is_tag_not_heading),
		T(test_tag_after_text),
		T(test_tag_col_counts_code_points),
		T(test_tag_any_script_and_emoji),
		T(test_tag_needs_a_non_digit),
		T(test_tag_must_follow_whitespace),
		T(test_tag_after_opening_not_closing_markup),
		T(test_tag_not_heading_or_double_hash),
		T(test_tag_terminators),
		T(test_tag_nested_and_case_kept),
		T(test_tag_underscore_hyphen),
		T(test_tag_not_in_urls),
		T(test_tag_not_in_link_targets_or_text),
		T(test_tag_not_in_fenced_or_indented_code),
		T(test_tag_not_in_inline_code),
		T(test_tag_not_in_inline_math),
		T(test_tag_after_dollar_amounts),
		T(test_tag_not_in_display_math),
		T(test_tag_not_in_inline_comment),
		T(test_tag_not_in_multiline_comment),
		T(test_tag_not_in_html_comment),
		T(test_tag_not_in_heading),
		T(test_tag_in_quote),
		T(test_tag_entry_index),
		T(test_tag_crlf),
		T(test_block_end_of_paragraph),
		T(test_block_list_item),
		T(test_block_digits_first),
		T(test_block_own_line_after_list),
		T(test_block_own_line_after_quote_and_table),
		T(test_block_in_quote_paragraph),
		T(test_block_after_embed_no_space),
		T(test_block_not_mid_line),
		T(test_block_needs_space),
		T(test_block_no_underscore),
		T(test_block_not_in_code),
		T(test_block_only_last_line_of_paragraph),
		T(test_block_crlf),
		T(test_heading_atx),
		T(test_heading_levels),
		T(test_heading_setext),
		T(test_heading_inline_code_kept),
		T(test_heading_emphasis_removed),
		T(test_heading_wikilink_alias),
		T(test_heading_closing_hashes_and_spaces),
		T(test_heading_unicode_col),
		T(test_heading_empty_is_none),
		T(test_heading_not_in_code),
		T(test_heading_crlf),
		T(test_entry_paper),
		T(test_entry_whitespace_collapsed),
		T(test_entry_continuation_lines),
		T(test_entry_nesting_and_section),
		T(test_entry_three_levels),
		T(test_entry_sections),
		T(test_entry_ordered),
		T(test_entry_task_box_removed),
		T(test_entry_other_bullets),
		T(test_entry_end_line_skips_trailing_blanks),
		T(test_entry_none_outside_lists),
		T(test_entry_crlf),
		T(test_suppress_next_line),
		T(test_suppress_range),
		T(test_suppress_to_end),
		T(test_suppress_other_enable_keeps_range),
		T(test_suppress_several_rules),
		T(test_suppress_all),
		T(test_suppress_none),
		T(test_suppress_crlf),
		T(test_invalid_utf8),
		T(test_nul_byte_is_binary),
		T(test_bom_skipped),
		T(test_unterminated_fence),
		T(test_terminated_fence_no_problem),
		T(test_huge_single_line),
		T(test_deep_quotes),
		T(test_deep_lists),
		T(test_deep_indented_lists),
		T(test_only_dashes),
		T(test_tag_scan_table),
		T(test_block_id_valid_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
