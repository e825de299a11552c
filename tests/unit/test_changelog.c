/*
 * test_changelog.c: the pure entry-level diff (src/changelog.c), on notes
 * parsed from literal Markdown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/changelog.h"
#include "../../src/index.h"
#include "../../src/note.h"

static vl_note *parse(const char *path, const char *text)
{
	vl_note *n = NULL;
	vl_error err;

	assert_int_equal(vl_note_parse(&n, path, text, strlen(text), &err), 0);
	assert_non_null(n);
	return n;
}

/* Finds the change for identity; fails the test when there is none. */
static const vl_entry_change *find(const vl_changelog *cl, const char *identity)
{
	size_t i;

	for (i = 0; i < cl->n_entries; i++)
		if (strcmp(cl->entries[i].identity, identity) == 0)
			return &cl->entries[i];
	fail_msg("no change for identity '%s'", identity);
	return NULL;
}

static void run_pair(vl_changelog *cl, const char *path, const char *before,
	const char *after)
{
	vl_note *o = before ? parse(path, before) : NULL;
	vl_note *n = after ? parse(path, after) : NULL;
	vl_error err;

	assert_int_equal(vl_changelog_add_pair(cl, o, n, &err), 0);
	assert_int_equal(vl_changelog_finish(cl, &err), 0);
	vl_note_free(o);
	vl_note_free(n);
}

static void test_kinds_in_one_note(void **state)
{
	vl_changelog cl;
	const vl_entry_change *c;

	(void)state;
	vl_changelog_init(&cl);
	run_pair(&cl, "Papers.md",
		"# Papers\n\n## Vision\n"
		"- [A](https://Example.org/a/) #PAPER\n  - note one\n"
		"- [B](https://example.org/b) #PAPER\n"
		"- [C](https://example.org/c) #PAPER\n"
		"\n## Code\n- [[Some Lib.md]] #CODE\n- unchanged item\n",
		"# Papers\n\n## Vision\n"
		"- [A](https://example.org/a) #PAPER\n  - note two\n"
		"- [D](https://example.org/d) #PAPER\n"
		"\n## Code\n- [[some lib]] #CODE the best\n- unchanged item\n"
		"- [C](https://example.org/c) #PAPER\n");
	assert_int_equal(cl.n_notes, 1);
	assert_int_equal(cl.notes[0].kind, VL_NOTE_MODIFIED);
	assert_int_equal(cl.n_entries, 5);

	c = find(&cl, "https://example.org/a");
	assert_int_equal(c->kind, VL_ENTRY_CHANGED);
	assert_string_equal(c->tag, "PAPER");
	assert_string_equal(c->new_section, "Vision");
	assert_non_null(strstr(c->new_text, "note two"));
	assert_non_null(strstr(c->old_text, "note one"));

	c = find(&cl, "https://example.org/b");
	assert_int_equal(c->kind, VL_ENTRY_REMOVED);
	assert_null(c->new_note);
	assert_string_equal(c->old_note, "Papers.md");
	assert_int_equal(c->old_line, 6);

	c = find(&cl, "https://example.org/d");
	assert_int_equal(c->kind, VL_ENTRY_ADDED);
	assert_null(c->old_note);
	assert_string_equal(c->new_section, "Vision");

	c = find(&cl, "https://example.org/c");
	assert_int_equal(c->kind, VL_ENTRY_MOVED);
	assert_string_equal(c->old_section, "Vision");
	assert_string_equal(c->new_section, "Code");

	/* the wikilink identity ignores case and ".md" */
	c = find(&cl, "some lib");
	assert_int_equal(c->kind, VL_ENTRY_CHANGED);
	assert_string_equal(c->tag, "CODE");
	vl_changelog_release(&cl);
}

static void test_moved_across_notes_and_renamed(void **state)
{
	vl_changelog cl;
	vl_note *a0 = parse("A.md", "# A\n- [X](https://x.org) #PAPER\n- stays\n");
	vl_note *a1 = parse("A.md", "# A\n- stays\n");
	vl_note *b1 = parse("folder/B.md", "# B\n## Read\n- [X](https://x.org) #PAPER\n");
	vl_note *r0 = parse("Old.md", "- item\n");
	vl_note *r1 = parse("New.md", "- item\n");
	vl_error err;
	const vl_entry_change *c;

	(void)state;
	vl_changelog_init(&cl);
	assert_int_equal(vl_changelog_add_pair(&cl, a0, a1, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, NULL, b1, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, r0, r1, &err), 0);
	assert_int_equal(vl_changelog_finish(&cl, &err), 0);
	/* notes sorted by path: A.md, New.md (renamed), folder/B.md */
	assert_int_equal(cl.n_notes, 3);
	assert_int_equal(cl.notes[0].kind, VL_NOTE_MODIFIED);
	assert_int_equal(cl.notes[1].kind, VL_NOTE_RENAMED);
	assert_string_equal(cl.notes[1].old_path, "Old.md");
	assert_string_equal(cl.notes[1].new_path, "New.md");
	assert_int_equal(cl.notes[2].kind, VL_NOTE_ADDED);
	assert_null(cl.notes[2].old_path);
	/* one MOVED, not a REMOVED and an ADDED; the renamed note's entry is
	 * unchanged */
	assert_int_equal(cl.n_entries, 1);
	c = find(&cl, "https://x.org");
	assert_int_equal(c->kind, VL_ENTRY_MOVED);
	assert_string_equal(c->old_note, "A.md");
	assert_string_equal(c->new_note, "folder/B.md");
	assert_string_equal(c->old_section, "A");
	assert_string_equal(c->new_section, "Read");
	vl_changelog_release(&cl);
	vl_note_free(a0);
	vl_note_free(a1);
	vl_note_free(b1);
	vl_note_free(r0);
	vl_note_free(r1);
}

static void test_text_identity_and_collisions(void **state)
{
	vl_changelog cl;
	size_t i, changed = 0, added = 0;

	(void)state;
	vl_changelog_init(&cl);
	/* same text modulo case, spacing and a block id: same entry, and
	 * the two "todo" items pair in order (first unchanged, second
	 * changed by its sub-item), a third one is added */
	run_pair(&cl, "T.md",
		"- Read   The Book ^b1\n- todo\n- todo\n  - x\n",
		"- read the book\n- todo\n- todo\n  - y\n- todo\n");
	for (i = 0; i < cl.n_entries; i++) {
		assert_string_equal(cl.entries[i].identity,
			i == 0 ? "read the book" : "todo");
		if (cl.entries[i].kind == VL_ENTRY_CHANGED)
			changed++;
		if (cl.entries[i].kind == VL_ENTRY_ADDED)
			added++;
	}
	assert_int_equal(cl.n_entries, 3);
	assert_int_equal(changed, 2);  /* the block id went; the sub-item changed */
	assert_int_equal(added, 1);
	assert_int_equal(find(&cl, "read the book")->kind, VL_ENTRY_CHANGED);
	/* the added "todo" is the last one */
	for (i = 0; i < cl.n_entries; i++)
		if (cl.entries[i].kind == VL_ENTRY_ADDED)
			assert_int_equal(cl.entries[i].new_line, 5);
	vl_changelog_release(&cl);
}

static void test_properties(void **state)
{
	vl_changelog cl;

	(void)state;
	vl_changelog_init(&cl);
	run_pair(&cl, "P.md",
		"---\nstatus: draft\nold: 1\nsame: x\n---\n# P\n",
		"---\nstatus: done\nsame: x\nnew: [a, b]\n---\n# P\n");
	assert_int_equal(cl.n_props, 3);
	assert_string_equal(cl.props[0].key, "status");
	assert_string_equal(cl.props[0].old_value, "draft");
	assert_string_equal(cl.props[0].new_value, "done");
	assert_string_equal(cl.props[1].key, "old");
	assert_null(cl.props[1].new_value);
	assert_string_equal(cl.props[2].key, "new");
	assert_null(cl.props[2].old_value);
	assert_string_equal(cl.props[2].note, "P.md");
	vl_changelog_release(&cl);
}

static void test_commit_message(void **state)
{
	vl_changelog cl;
	vl_buf b = VL_BUF_INIT;
	vl_note *o = parse("Papers.md", "- [A](https://a.org) #PAPER\n- [T](https://t.org) #CODE\n");
	vl_note *n = parse("Papers.md", "- [A](https://a.org) #PAPER\n- [B](https://b.org) #PAPER\n"
		"- [C](https://c.org) #PAPER\n- [T](https://t.org) #CODE fixed\n- plain\n");
	vl_note *r0 = parse("Old.md", "# x\n");
	vl_note *r1 = parse("dir/New.md", "# x\n");
	vl_error err;

	(void)state;
	vl_changelog_init(&cl);
	assert_int_equal(vl_changelog_add_pair(&cl, o, n, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, r0, r1, &err), 0);
	assert_int_equal(vl_changelog_finish(&cl, &err), 0);
	assert_int_equal(vl_changelog_commit_message(&b, &cl, NULL), 0);
	assert_string_equal(b.ptr,
		"vault: +2 #PAPER, +1 entry, ~1 #CODE in 2 notes; renamed Old -> New\n"
		"\n"
		"M Papers.md\n"
		"R Old.md -> dir/New.md\n");
	vl_buf_release(&b);
	assert_int_equal(vl_changelog_commit_message(&b, &cl, "notes: {summary}\n\n{notes}"), 0);
	assert_string_equal(b.ptr,
		"notes: +2 #PAPER, +1 entry, ~1 #CODE in 2 notes; renamed Old -> New\n"
		"\n"
		"M Papers.md\n"
		"R Old.md -> dir/New.md\n");
	vl_buf_release(&b);
	vl_changelog_release(&cl);

	/* no entry changed: "update N notes" */
	vl_changelog_init(&cl);
	run_pair(&cl, "Only.md", "# Title\ntext\n", "# Title\nmore text\n");
	assert_int_equal(vl_changelog_commit_message(&b, &cl, NULL), 0);
	assert_string_equal(b.ptr, "vault: update 1 note\n\nM Only.md\n");
	vl_buf_release(&b);
	vl_changelog_release(&cl);
	vl_note_free(o);
	vl_note_free(n);
	vl_note_free(r0);
	vl_note_free(r1);
}

static void test_render(void **state)
{
	vl_changelog cl;
	vl_buf b = VL_BUF_INIT;

	(void)state;
	vl_changelog_init(&cl);
	run_pair(&cl, "Papers.md", NULL, "# Papers\n## Vision\n- [A \"q\"](https://a.org) #PAPER\n- loose\n");
	assert_int_equal(vl_changelog_add_broken(&cl, "Index.md", 3, "Old", "deleted"), 0);
	assert_int_equal(vl_changelog_render(&b, &cl, VL_CHANGELOG_MARKDOWN, VL_GROUP_TAG), 0);
	assert_non_null(strstr(b.ptr, "## #PAPER\n\n- added: [A \"q\"](https://a.org) #PAPER \xE2\x80\x94 in [[Papers]] \xE2\x80\xBA Vision\n"));
	assert_non_null(strstr(b.ptr, "## Entries without a tag\n\n- added: loose"));
	assert_non_null(strstr(b.ptr, "- [[Index]] line 3 links to `Old`: deleted\n"));
	/* the tagged group comes before the untagged one */
	assert_true(strstr(b.ptr, "## #PAPER") < strstr(b.ptr, "## Entries without a tag"));
	vl_buf_release(&b);
	assert_int_equal(vl_changelog_render(&b, &cl, VL_CHANGELOG_JSON, VL_GROUP_TAG), 0);
	assert_non_null(strstr(b.ptr, "\"range\":{\"from\":null,\"to\":null}"));
	assert_non_null(strstr(b.ptr, "\"text\":\"[A \\\"q\\\"](https://a.org) #PAPER\""));
	assert_non_null(strstr(b.ptr, "\"broken_links\":[\n {\"note\":\"Index.md\",\"line\":3,\"target\":\"Old\",\"why\":\"deleted\"}]"));
	vl_buf_release(&b);
	vl_changelog_release(&cl);

	vl_changelog_init(&cl);
	assert_int_equal(vl_changelog_finish(&cl, NULL), 0);
	assert_int_equal(vl_changelog_render(&b, &cl, VL_CHANGELOG_TEXT, VL_GROUP_NOTE), 0);
	assert_string_equal(b.ptr, "no changes\n");
	vl_buf_release(&b);
	vl_changelog_release(&cl);
	vl_changelog_release(NULL);
}

/* Entries that share a link are paired by their content first: deleting
 * one of them reports that one, not a shift of all that follow; a link's
 * #^block is part of its identity; a moved entry that was edited says
 * what it was. */
static void test_shared_identity(void **state)
{
	vl_changelog cl;
	vl_buf b = VL_BUF_INIT;
	vl_note *a0, *a1, *b0, *b1;
	vl_error err;
	const vl_entry_change *c;

	(void)state;
	vl_changelog_init(&cl);
	run_pair(&cl, "N.md",
		"# N\n## Todo\n- [Alpaca (Stanford)](https://example.org/alpaca) - quick mention\n"
		"## References\n- #PAPER [Alpaca (Taori 2023)](https://example.org/alpaca)\n  - fine-tuned\n",
		"# N\n## Todo\n## References\n- #PAPER [Alpaca (Taori 2023)](https://example.org/alpaca)\n  - fine-tuned\n");
	assert_int_equal(cl.n_entries, 1);
	assert_int_equal(cl.entries[0].kind, VL_ENTRY_REMOVED);
	assert_non_null(strstr(cl.entries[0].old_text, "quick mention"));
	vl_changelog_release(&cl);

	/* one item put in front of five that share [[Home]]: one added */
	vl_changelog_init(&cl);
	run_pair(&cl, "Log.md",
		"- [[Home]] item 1\n- [[Home]] item 2\n- [[Home]] item 3\n- [[Home]] item 4\n- [[Home]] item 5\n",
		"- [[Home]] new\n- [[Home]] item 1\n- [[Home]] item 2\n- [[Home]] item 3\n- [[Home]] item 4\n- [[Home]] item 5\n");
	assert_int_equal(cl.n_entries, 1);
	assert_int_equal(cl.entries[0].kind, VL_ENTRY_ADDED);
	assert_string_equal(cl.entries[0].new_text, "[[Home]] new");
	vl_changelog_release(&cl);

	/* [[N#^resnet]] and [[N#^densenet]] are two entries */
	vl_changelog_init(&cl);
	run_pair(&cl, "Index.md",
		"- #PAPER Resnet [[Residual networks#^resnet]]\n- #PAPER Densenet [[Residual networks#^densenet]]\n",
		"- #PAPER Densenet [[Residual networks#^densenet]]\n");
	assert_int_equal(cl.n_entries, 1);
	c = find(&cl, "residual networks#^resnet");
	assert_int_equal(c->kind, VL_ENTRY_REMOVED);
	vl_changelog_release(&cl);

	/* a ticked task box is a change */
	vl_changelog_init(&cl);
	run_pair(&cl, "A.md", "- [ ] [Paper Q](https://q.org) #PAPER\n",
		"- [x] [Paper Q](https://q.org) #PAPER\n");
	assert_int_equal(cl.n_entries, 1);
	assert_int_equal(cl.entries[0].kind, VL_ENTRY_CHANGED);
	assert_string_equal(cl.entries[0].new_text, "[x] [Paper Q](https://q.org) #PAPER");
	vl_changelog_release(&cl);

	/* moved to another note and edited: moved, with what it was */
	vl_changelog_init(&cl);
	a0 = parse("A.md", "# A\n- [Paper one](https://example.org/p1)\n- [Paper two](https://example.org/p2)\n");
	a1 = parse("A.md", "# A\n- [Paper one](https://example.org/p1)\n");
	b0 = parse("B.md", "# B\n");
	b1 = parse("B.md", "# B\n- [Paper two, retitled](https://example.org/p2)\n");
	assert_int_equal(vl_changelog_add_pair(&cl, a0, a1, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, b0, b1, &err), 0);
	assert_int_equal(vl_changelog_finish(&cl, &err), 0);
	c = find(&cl, "https://example.org/p2");
	assert_int_equal(c->kind, VL_ENTRY_MOVED);
	assert_int_equal(vl_changelog_render(&b, &cl, VL_CHANGELOG_TEXT, VL_GROUP_TAG), 0);
	assert_non_null(strstr(b.ptr, "was: [Paper two](https://example.org/p2)"));
	vl_buf_release(&b);
	vl_note_free(a0);
	vl_note_free(a1);
	vl_note_free(b0);
	vl_note_free(b1);
	vl_changelog_release(&cl);
}

/* The text rendering of cl, for comparing whole outputs. */
static void assert_text(const vl_changelog *cl, const char *want)
{
	vl_buf b = VL_BUF_INIT;

	assert_int_equal(vl_changelog_render(&b, cl, VL_CHANGELOG_TEXT, VL_GROUP_TAG), 0);
	assert_string_equal(b.ptr, want);
	vl_buf_release(&b);
}

static void test_heading_renamed(void **state)
{
	vl_changelog cl;
	const vl_entry_change *c;

	(void)state;
	/* renamed in place: its entries stay, an edited one is changed */
	vl_changelog_init(&cl);
	run_pair(&cl, "N.md",
		"# N\n## Papers\n- [A](https://a.org) #PAPER\n- [B](https://b.org) #PAPER\n"
		"## Code\n- [C](https://c.org) #CODE\n",
		"# N\n## Reading\n- [A](https://a.org) #PAPER\n- [B](https://b.org) #PAPER edited\n"
		"## Code\n- [C](https://c.org) #CODE\n");
	assert_text(&cl, "\nnotes:\n  M N.md\n\n#PAPER:\n"
		"  ~ [B](https://b.org) #PAPER edited  (N.md > Reading) was: [B](https://b.org) #PAPER\n");
	c = find(&cl, "https://b.org");
	assert_string_equal(c->old_section, "Papers");
	assert_string_equal(c->new_section, "Reading");
	vl_changelog_release(&cl);

	/* renamed while a heading is added further down (the headings that
	 * kept their text align around it): the entry under the new heading
	 * moved, the one under the renamed one did not */
	vl_changelog_init(&cl);
	run_pair(&cl, "N.md",
		"# N\n## Intro\n- x\n## Papers\n- [A](https://a.org)\n## Code\n- [C](https://c.org)\n",
		"# N\n## Intro\n- x\n## Reading\n- [A](https://a.org)\n## Code\n## Extra\n- [C](https://c.org)\n");
	assert_text(&cl, "\nnotes:\n  M N.md\n\nentries without a tag:\n"
		"  > [C](https://c.org)  (from N.md > Code to N.md > Extra)\n");
	vl_changelog_release(&cl);

	/* a heading inserted above entries: a change of section */
	vl_changelog_init(&cl);
	run_pair(&cl, "N.md", "# N\n- [A](https://a.org)\n",
		"# N\n## New\n- [A](https://a.org)\n");
	assert_text(&cl, "\nnotes:\n  M N.md\n\nentries without a tag:\n"
		"  > [A](https://a.org)  (from N.md > N to N.md > New)\n");
	vl_changelog_release(&cl);

	/* one heading where two now are: which one is the old one is not
	 * known, so nothing is renamed and the entry moved */
	vl_changelog_init(&cl);
	run_pair(&cl, "N.md", "# N\n## Papers\n- [A](https://a.org)\n",
		"# N\n## Intro\n## Reading\n- [A](https://a.org)\n");
	assert_text(&cl, "\nnotes:\n  M N.md\n\nentries without a tag:\n"
		"  > [A](https://a.org)  (from N.md > Papers to N.md > Reading)\n");
	vl_changelog_release(&cl);

	/* another level in the same place is no rename */
	vl_changelog_init(&cl);
	run_pair(&cl, "N.md", "# N\n## Papers\n- [A](https://a.org)\n",
		"# N\n### Reading\n- [A](https://a.org)\n");
	assert_text(&cl, "\nnotes:\n  M N.md\n\nentries without a tag:\n"
		"  > [A](https://a.org)  (from N.md > Papers to N.md > Reading)\n");
	vl_changelog_release(&cl);
}

/* An index over the paths alone, as `changelog` builds from a commit's
 * listing (stubs without notes). */
static vl_index *stub_index(const char *const *paths, size_t n)
{
	vl_note *notes[8] = { NULL };
	vl_index *idx = NULL;
	vl_error err;

	assert_true(n <= 8);
	assert_int_equal(vl_index_new_ex(&idx, notes, paths, n, NULL, &err), 0);
	return idx;
}

static void test_link_spellings(void **state)
{
	static const char *const paths[] = { "Area/D.md", "Note B.md", "Sub/C.md", "Sub/R.md" };
	const char *before = "- [[Note A]] one\n- [[Note B]] two\n- [[Sub/C]] three\n"
		"- [[Area/D#Part]] four\n";
	const char *after = "- [[note a.MD]] one\n- [[/Note B]] two\n- [[./C]] three\n"
		"- [[D#part]] four\n";
	vl_changelog cl;
	vl_index *idx;
	vl_note *o, *n;
	vl_error err;

	(void)state;
	/* without the vault's listing: case, ".md", a leading '/' and "./"
	 * fold; a bare name and a path stay two notes */
	vl_changelog_init(&cl);
	run_pair(&cl, "Sub/R.md", before, after);
	assert_text(&cl, "\nnotes:\n  M Sub/R.md\n\nentries without a tag:\n"
		"  ~ [[note a.MD]] one  (Sub/R.md) was: [[Note A]] one\n"
		"  ~ [[/Note B]] two  (Sub/R.md) was: [[Note B]] two\n"
		"  ~ [[./C]] three  (Sub/R.md) was: [[Sub/C]] three\n"
		"  + [[D#part]] four  (Sub/R.md)\n"
		"  - [[Area/D#Part]] four  (was in Sub/R.md)\n");
	assert_int_equal(find(&cl, "note a")->kind, VL_ENTRY_CHANGED);
	assert_int_equal(find(&cl, "sub/c")->kind, VL_ENTRY_CHANGED);
	vl_changelog_release(&cl);

	/* with it, as the index resolves them: the same note; the links as
	 * written left entries unpaired, so the listing is wanted */
	idx = stub_index(paths, 4);
	o = parse("Sub/R.md", before);
	n = parse("Sub/R.md", after);
	vl_changelog_init(&cl);
	assert_int_equal(vl_changelog_add_pair(&cl, o, n, &err), 0);
	assert_int_equal(vl_changelog_wants_indexes(&cl), 1);
	vl_changelog_set_indexes(&cl, idx, idx);
	assert_int_equal(vl_changelog_finish(&cl, &err), 0);
	assert_text(&cl, "\nnotes:\n  M Sub/R.md\n\nentries without a tag:\n"
		"  ~ [[note a.MD]] one  (Sub/R.md) was: [[Note A]] one\n"
		"  ~ [[/Note B]] two  (Sub/R.md) was: [[Note B]] two\n"
		"  ~ [[./C]] three  (Sub/R.md) was: [[Sub/C]] three\n"
		"  ~ [[D#part]] four  (Sub/R.md) was: [[Area/D#Part]] four\n");
	assert_int_equal(find(&cl, "area/d#part")->kind, VL_ENTRY_CHANGED);
	assert_int_equal(find(&cl, "note b")->kind, VL_ENTRY_CHANGED);
	vl_changelog_release(&cl);
	vl_note_free(o);
	vl_note_free(n);

	/* links that pair as written: no listing wanted */
	o = parse("Sub/R.md", "- [[Note A]] one\n- [[Area/D]] two\n");
	n = parse("Sub/R.md", "- [[note a.md]] one, edited\n");
	vl_changelog_init(&cl);
	assert_int_equal(vl_changelog_add_pair(&cl, o, n, &err), 0);
	assert_int_equal(vl_changelog_wants_indexes(&cl), 0);
	assert_int_equal(vl_changelog_finish(&cl, &err), 0);
	assert_int_equal(find(&cl, "area/d")->kind, VL_ENTRY_REMOVED);
	vl_changelog_release(&cl);
	vl_note_free(o);
	vl_note_free(n);
	vl_index_free(idx);
}

static void test_link_to_renamed_note(void **state)
{
	static const char *const old_paths[] = { "Area/X.md", "Old.md", "R.md" };
	static const char *const new_paths[] = { "P/Y.md", "New.md", "R.md" };
	vl_note *o0 = parse("Old.md", "# Old\n"), *o1 = parse("New.md", "# Old\n");
	vl_note *x0 = parse("Area/X.md", "# X\n"), *x1 = parse("Area/Y.md", "# X\n");
	vl_note *p1 = parse("P/Y.md", "# X\n");
	vl_note *r0 = parse("R.md", "- [[Old]] plan\n- [[Old#Goal]] goal\n- [[Old]] kept\n"
		"- [[X]] ex\n- [[Area/X]] path\n");
	vl_note *r1 = parse("R.md", "- [[New]] plan\n- [[new#goal]] goal\n- [[Old]] kept\n"
		"- [[Y]] ex\n- [[Area/Y]] path\n");
	vl_index *oi, *ni;
	vl_changelog cl;
	vl_error err;

	(void)state;
	/* without the listing: the renames of the pairs map old names and
	 * paths to new ones */
	vl_changelog_init(&cl);
	assert_int_equal(vl_changelog_add_pair(&cl, o0, o1, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, x0, x1, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, r0, r1, &err), 0);
	assert_int_equal(vl_changelog_finish(&cl, &err), 0);
	assert_text(&cl, "\nnotes:\n  R Area/X.md -> Area/Y.md\n  R Old.md -> New.md\n  M R.md\n"
		"\nentries without a tag:\n"
		"  ~ [[New]] plan  (R.md) was: [[Old]] plan\n"
		"  ~ [[new#goal]] goal  (R.md) was: [[Old#Goal]] goal\n"
		"  ~ [[Y]] ex  (R.md) was: [[X]] ex\n"
		"  ~ [[Area/Y]] path  (R.md) was: [[Area/X]] path\n");
	assert_int_equal(find(&cl, "new#goal")->kind, VL_ENTRY_CHANGED);
	vl_changelog_release(&cl);

	/* with it, a note renamed into another folder: [[X]] is [[Y]] and
	 * [[P/Y]] */
	oi = stub_index(old_paths, 3);
	ni = stub_index(new_paths, 3);
	vl_changelog_init(&cl);
	vl_changelog_set_indexes(&cl, oi, ni);
	assert_int_equal(vl_changelog_add_pair(&cl, o0, o1, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, x0, p1, &err), 0);
	assert_int_equal(vl_changelog_add_pair(&cl, r0, r1, &err), 0);
	assert_int_equal(vl_changelog_finish(&cl, &err), 0);
	assert_text(&cl, "\nnotes:\n  R Old.md -> New.md\n  R Area/X.md -> P/Y.md\n  M R.md\n"
		"\nentries without a tag:\n"
		"  ~ [[New]] plan  (R.md) was: [[Old]] plan\n"
		"  ~ [[new#goal]] goal  (R.md) was: [[Old#Goal]] goal\n"
		"  ~ [[Y]] ex  (R.md) was: [[X]] ex\n"
		"  + [[Area/Y]] path  (R.md)\n"
		"  - [[Area/X]] path  (was in R.md)\n");
	assert_int_equal(find(&cl, "p/y")->kind, VL_ENTRY_CHANGED);
	vl_changelog_release(&cl);
	vl_index_free(oi);
	vl_index_free(ni);
	vl_note_free(o0);
	vl_note_free(o1);
	vl_note_free(x0);
	vl_note_free(x1);
	vl_note_free(p1);
	vl_note_free(r0);
	vl_note_free(r1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_in_one_note),
		cmocka_unit_test(test_moved_across_notes_and_renamed),
		cmocka_unit_test(test_text_identity_and_collisions),
		cmocka_unit_test(test_shared_identity),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_commit_message),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_heading_renamed),
		cmocka_unit_test(test_link_spellings),
		cmocka_unit_test(test_link_to_renamed_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
