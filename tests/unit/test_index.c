/*
 * test_index.c: link resolution, headings, blocks and suggestions of the
 * vault index, on notes built by hand (no parser involved).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/index.h"

typedef struct fixture {
	vl_arena arena;
	vl_note *notes[32];
	size_t n_notes;
	vl_source *src;
	vl_index *idx;
} fixture;

static char *S(fixture *fx, const char *s)
{
	char *p = vl_arena_strndup(&fx->arena, s, strlen(s));

	assert_non_null(p);
	return p;
}

/* vl_index_suggest_target's suggestion, or NULL: good until the next. */
static const char *suggest(const vl_index *idx, const char *target)
{
	static vl_buf b = VL_BUF_INIT;
	int r = vl_index_suggest_target(idx, target, &b);

	assert_true(r >= 0);
	return r > 0 ? b.ptr : NULL;
}

/* A note at path with its name derived as the parser would. */
static vl_note *mk(fixture *fx, const char *path)
{
	vl_note *n = calloc(1, sizeof(*n));
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	assert_non_null(n);
	n->path = S(fx, path);
	n->name = vl_arena_strndup(&fx->arena, base, strlen(base) - 3);
	fx->notes[fx->n_notes++] = n;
	assert_int_equal(vl_source_add(fx->src, path, 10, NULL), 0);
	return n;
}

static void heading(fixture *fx, vl_note *n, int level, const char *text)
{
	vl_heading h;

	memset(&h, 0, sizeof(h));
	h.text = S(fx, text);
	h.level = level;
	h.pos.line = (uint32_t)n->n_headings + 1;
	assert_int_equal(VL_NOTE_PUSH(n, headings, h), 0);
}

static void block(fixture *fx, vl_note *n, const char *id)
{
	vl_block b;

	memset(&b, 0, sizeof(b));
	b.id = S(fx, id);
	assert_int_equal(VL_NOTE_PUSH(n, blocks, b), 0);
}

static void tag(fixture *fx, vl_note *n, const char *name)
{
	vl_tag t;

	memset(&t, 0, sizeof(t));
	t.name = S(fx, name);
	t.entry = -1;
	assert_int_equal(VL_NOTE_PUSH(n, tags, t), 0);
}

static void alias(fixture *fx, vl_note *n, const char *a)
{
	char *s = S(fx, a);

	assert_int_equal(VL_NOTE_PUSH(n, aliases, s), 0);
}

static vl_note *find(fixture *fx, const char *path)
{
	size_t i;

	for (i = 0; i < fx->n_notes; i++) {
		if (fx->notes[i] != NULL && strcmp(fx->notes[i]->path, path) == 0)
			return fx->notes[i];
	}
	fail_msg("no note %s in the fixture", path);
	return NULL;
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	vl_note *n;
	vl_error err;
	static const char *const files[] = {
		"doc.pdf", "images/photo.png", "assets/photo.png",
		"notes/diagram.svg", "pics/image.png", "Home.md.bak",
		"media/2024/chart.png",
	};
	size_t i;

	assert_non_null(fx);
	fx->src = calloc(1, sizeof(*fx->src));
	assert_non_null(fx->src);

	n = mk(fx, "Home.md");
	heading(fx, n, 1, "Home");
	block(fx, n, "Intro");
	tag(fx, n, "code");
	tag(fx, n, "Project");

	n = mk(fx, "notes/Alpha.md");
	alias(fx, n, "First Letter");
	block(fx, n, "intro");
	block(fx, n, "intro");
	tag(fx, n, "CODE");
	tag(fx, n, "CODE");
	tag(fx, n, "project");

	mk(fx, "notes/Beta.md");
	mk(fx, "archive/Beta.md");
	mk(fx, "archive/Old.md");
	mk(fx, "deep/x/y/Beta.md");
	mk(fx, "a/b/Report.md");
	mk(fx, "c/b/Report.md");
	mk(fx, "q/y/Notes.md");
	mk(fx, "A/B/Inner.md");
	mk(fx, "images/Gallery.md");
	mk(fx, "Area/Topics/Topics.md");   /* a folder note */

	n = mk(fx, "Functions.md");
	tag(fx, n, "Code");
	tag(fx, n, "CODE");
	heading(fx, n, 3, "`hasTag()`");                        /* 0 */
	heading(fx, n, 2, "How large can each remote vault be?"); /* 1 */
	heading(fx, n, 2, "Set-up guide");                       /* 2 */
	heading(fx, n, 1, "Install");                            /* 3 */
	heading(fx, n, 2, "Linux");                              /* 4 */
	heading(fx, n, 1, "Usage");                              /* 5 */
	heading(fx, n, 2, "Linux");                              /* 6 */

	/* Enough headings and blocks for the index's lookup tables:
	 * "Sub 0".."Sub 19", "Top", "Sub 3" again; blocks b0..b19, "B5" again. */
	n = mk(fx, "Big.md");
	for (i = 0; i < 20; i++) {
		char t[32];

		snprintf(t, sizeof(t), "Sub %zu", i);
		heading(fx, n, 2, t);
		snprintf(t, sizeof(t), "b%zu", i);
		block(fx, n, t);
	}
	heading(fx, n, 1, "Top");
	heading(fx, n, 2, "Sub-3!");
	block(fx, n, "B5");

	/* An unreadable note: NULL entries are skipped. */
	fx->notes[fx->n_notes++] = NULL;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_int_equal(vl_source_add(fx->src, files[i], 5, NULL), 0);
	vl_source_sort(fx->src);

	assert_int_equal(vl_index_new(&fx->idx, fx->notes, fx->n_notes, fx->src, &err), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	size_t i;

	vl_index_free(fx->idx);
	for (i = 0; i < fx->n_notes; i++) {
		vl_note *n = fx->notes[i];

		if (n == NULL)
			continue;
		free(n->headings);
		free(n->blocks);
		free(n->tags);
		free(n->aliases);
		free(n->caps);
		free(n);
	}
	vl_source_free(fx->src);
	vl_arena_release(&fx->arena);
	free(fx);
	return 0;
}

/* Resolves target as a link of kind from the note at from_path. */
static vl_resolution res(fixture *fx, const char *from_path, vl_link_kind kind,
	const char *target)
{
	vl_link link;
	vl_resolution r;

	memset(&link, 0, sizeof(link));
	link.kind = kind;
	link.target = (char *)target;
	link.entry = -1;
	vl_index_resolve(fx->idx, find(fx, from_path), &link, &r);
	return r;
}

static void expect_note(fixture *fx, const char *from, vl_link_kind kind,
	const char *target, const char *want)
{
	vl_resolution r = res(fx, from, kind, target);

	if (r.kind != VL_RESOLVE_NOTE)
		fail_msg("'%s' from %s: kind %d, want NOTE %s", target, from, (int)r.kind, want);
	assert_non_null(r.note);
	assert_string_equal(r.note->path, want);
}

static void expect_file(fixture *fx, const char *from, vl_link_kind kind,
	const char *target, const char *want)
{
	vl_resolution r = res(fx, from, kind, target);

	if (r.kind != VL_RESOLVE_FILE)
		fail_msg("'%s' from %s: kind %d, want FILE %s", target, from, (int)r.kind, want);
	assert_non_null(r.file);
	assert_string_equal(r.file, want);
}

static void expect_kind(fixture *fx, const char *from, vl_link_kind kind,
	const char *target, vl_resolve_kind want)
{
	vl_resolution r = res(fx, from, kind, target);

	if (r.kind != want)
		fail_msg("'%s' from %s: kind %d, want %d", target, from, (int)r.kind, (int)want);
}

static void test_root_paths(void **state)
{
	fixture *fx = *state;

	expect_note(fx, "notes/Alpha.md", VL_LINK_WIKI, "Home", "Home.md");
	expect_note(fx, "Home.md", VL_LINK_WIKI, "notes/Alpha", "notes/Alpha.md");
	expect_note(fx, "Home.md", VL_LINK_WIKI, "/notes/Alpha", "notes/Alpha.md");
	expect_note(fx, "Home.md", VL_LINK_WIKI, "notes/alpha.MD", "notes/Alpha.md");
	expect_note(fx, "Home.md", VL_LINK_EMBED, "NOTES/ALPHA", "notes/Alpha.md");
	expect_note(fx, "archive/Old.md", VL_LINK_WIKI, "archive/Beta", "archive/Beta.md");
	expect_note(fx, "Home.md", VL_LINK_WIKI, "a/b/Report", "a/b/Report.md");
}

static void test_attachments(void **state)
{
	fixture *fx = *state;

	expect_file(fx, "Home.md", VL_LINK_EMBED, "doc.pdf", "doc.pdf");
	expect_file(fx, "Home.md", VL_LINK_EMBED, "images/photo.png", "images/photo.png");
	expect_file(fx, "Home.md", VL_LINK_EMBED, "IMAGES/Photo.PNG", "images/photo.png");
	/* Two photo.png of the same length: byte order picks assets/. */
	expect_file(fx, "Home.md", VL_LINK_EMBED, "photo.png", "assets/photo.png");
	/* From a note in images/, the one beside it. */
	expect_file(fx, "images/Gallery.md", VL_LINK_EMBED, "photo.png", "images/photo.png");
	/* Attachments need their extension. */
	expect_kind(fx, "Home.md", VL_LINK_EMBED, "image", VL_RESOLVE_MISSING);
	expect_file(fx, "Home.md", VL_LINK_EMBED, "image.png", "pics/image.png");
	/* A non-.md file is never a note, even if its name starts like one. */
	expect_file(fx, "Home.md", VL_LINK_WIKI, "Home.md.bak", "Home.md.bak");
}

static void test_relative(void **state)
{
	fixture *fx = *state;

	expect_note(fx, "notes/Alpha.md", VL_LINK_WIKI, "./Beta", "notes/Beta.md");
	expect_note(fx, "notes/Alpha.md", VL_LINK_WIKI, "../Home", "Home.md");
	expect_note(fx, "notes/Alpha.md", VL_LINK_WIKI, "../archive/Old", "archive/Old.md");
	expect_file(fx, "notes/Alpha.md", VL_LINK_EMBED, "diagram.svg", "notes/diagram.svg");
	expect_file(fx, "notes/Alpha.md", VL_LINK_EMBED, "../pics/image.png", "pics/image.png");
	expect_kind(fx, "notes/Alpha.md", VL_LINK_WIKI, "../../Home", VL_RESOLVE_OUTSIDE);
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "../Home", VL_RESOLVE_OUTSIDE);
	/* "./" means the note's folder, never the vault root. */
	expect_kind(fx, "notes/Alpha.md", VL_LINK_WIKI, "./Home", VL_RESOLVE_MISSING);
	expect_note(fx, "Home.md", VL_LINK_WIKI, "./Home", "Home.md");
	/* A path from the root wins over the same path relative to the note. */
	expect_note(fx, "a/b/Report.md", VL_LINK_WIKI, "c/b/Report", "c/b/Report.md");
}

static void test_basename(void **state)
{
	fixture *fx = *state;
	vl_resolution r;

	expect_note(fx, "Home.md", VL_LINK_WIKI, "Alpha", "notes/Alpha.md");
	expect_note(fx, "Home.md", VL_LINK_WIKI, "alpha.md", "notes/Alpha.md");
	expect_note(fx, "Home.md", VL_LINK_WIKI, "old", "archive/Old.md");

	/* Three notes called Beta: the linking note's folder first. */
	r = res(fx, "notes/Alpha.md", VL_LINK_WIKI, "Beta");
	assert_int_equal(r.kind, VL_RESOLVE_AMBIGUOUS);
	assert_int_equal(r.n_candidates, 3);
	assert_string_equal(r.candidates[0]->path, "notes/Beta.md");
	assert_string_equal(r.candidates[1]->path, "archive/Beta.md");
	assert_string_equal(r.candidates[2]->path, "deep/x/y/Beta.md");

	r = res(fx, "archive/Old.md", VL_LINK_WIKI, "beta");
	assert_int_equal(r.kind, VL_RESOLVE_AMBIGUOUS);
	assert_int_equal(r.n_candidates, 3);
	assert_string_equal(r.candidates[0]->path, "archive/Beta.md");
	assert_string_equal(r.candidates[1]->path, "notes/Beta.md");

	/* A bare name is looked up by name even when the linking note's
	 * folder has it, so the ambiguity is still reported. */
	r = res(fx, "notes/Alpha.md", VL_LINK_EMBED, "beta");
	assert_int_equal(r.kind, VL_RESOLVE_AMBIGUOUS);
	assert_ptr_equal(r.note, r.candidates[0]);

	/* From elsewhere: the shortest path. */
	r = res(fx, "Home.md", VL_LINK_EMBED, "Beta.md");
	assert_int_equal(r.kind, VL_RESOLVE_AMBIGUOUS);
	assert_int_equal(r.n_candidates, 3);
	assert_string_equal(r.candidates[0]->path, "notes/Beta.md");
	assert_string_equal(r.candidates[1]->path, "archive/Beta.md");
	assert_string_equal(r.candidates[2]->path, "deep/x/y/Beta.md");
}

static void test_suffix(void **state)
{
	fixture *fx = *state;
	vl_resolution r;

	expect_note(fx, "Home.md", VL_LINK_WIKI, "y/Notes", "q/y/Notes.md");
	expect_note(fx, "Home.md", VL_LINK_WIKI, "x/y/beta.md", "deep/x/y/Beta.md");
	r = res(fx, "Home.md", VL_LINK_WIKI, "b/Report");
	assert_int_equal(r.kind, VL_RESOLVE_AMBIGUOUS);
	assert_int_equal(r.n_candidates, 2);
	assert_string_equal(r.candidates[0]->path, "a/b/Report.md");
	assert_string_equal(r.candidates[1]->path, "c/b/Report.md");
	/* A suffix must start on a folder boundary. */
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "x/Beta", VL_RESOLVE_MISSING);
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "eep/x/y/Beta", VL_RESOLVE_MISSING);
	expect_kind(fx, "Home.md", VL_LINK_EMBED, "ics/image.png", VL_RESOLVE_MISSING);
	expect_file(fx, "Home.md", VL_LINK_EMBED, "2024/chart.png", "media/2024/chart.png");
	expect_kind(fx, "Home.md", VL_LINK_EMBED, "2024/chart", VL_RESOLVE_MISSING);
}

static void test_missing_folder_alias(void **state)
{
	fixture *fx = *state;
	const vl_note *owner;

	/* A folder is not a note. */
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "A/B", VL_RESOLVE_MISSING);
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "archive", VL_RESOLVE_MISSING);
	expect_note(fx, "Home.md", VL_LINK_WIKI, "A/B/Inner", "A/B/Inner.md");
	/* An alias alone does not resolve, but its owner is known. */
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "First Letter", VL_RESOLVE_MISSING);
	owner = vl_index_alias_owner(fx->idx, "first LETTER");
	assert_non_null(owner);
	assert_string_equal(owner->path, "notes/Alpha.md");
	assert_null(vl_index_alias_owner(fx->idx, "Alpha"));
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "Nowhere", VL_RESOLVE_MISSING);
	expect_kind(fx, "Home.md", VL_LINK_WIKI, "/", VL_RESOLVE_MISSING);
}

static void test_self_and_url(void **state)
{
	fixture *fx = *state;
	vl_resolution r;

	r = res(fx, "notes/Alpha.md", VL_LINK_WIKI, "");
	assert_int_equal(r.kind, VL_RESOLVE_SELF);
	assert_ptr_equal(r.note, find(fx, "notes/Alpha.md"));
	r = res(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, "");
	assert_int_equal(r.kind, VL_RESOLVE_SELF);
	expect_kind(fx, "Home.md", VL_LINK_URL, "https://obsidian.md", VL_RESOLVE_EXTERNAL);
	/* A URL is external even if a note has that name. */
	expect_kind(fx, "Home.md", VL_LINK_URL, "Home", VL_RESOLVE_EXTERNAL);
}

static void test_markdown(void **state)
{
	fixture *fx = *state;

	/* Relative first: Beta.md beside the note, not the ambiguous name. */
	expect_note(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, "Beta.md", "notes/Beta.md");
	expect_note(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, "../Home.md", "Home.md");
	expect_note(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, "/Home.md", "Home.md");
	expect_note(fx, "Home.md", VL_LINK_MARKDOWN, "notes/Beta.md", "notes/Beta.md");
	expect_note(fx, "Home.md", VL_LINK_MARKDOWN, "Home", "Home.md");
	/* Then from the vault root. */
	expect_note(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, "archive/Old.md", "archive/Old.md");
	/* Then by name anywhere. */
	expect_note(fx, "Home.md", VL_LINK_MARKDOWN, "Alpha.md", "notes/Alpha.md");
	expect_file(fx, "notes/Alpha.md", VL_LINK_IMAGE, "../pics/image.png", "pics/image.png");
	expect_file(fx, "notes/Alpha.md", VL_LINK_IMAGE, "diagram.svg", "notes/diagram.svg");
	expect_kind(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, "../../Home.md", VL_RESOLVE_OUTSIDE);
	expect_kind(fx, "Home.md", VL_LINK_IMAGE, "../doc.pdf", VL_RESOLVE_OUTSIDE);
	/* Inside the vault but absent: missing, not outside. */
	expect_kind(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, "../Nothing.md", VL_RESOLVE_MISSING);
	expect_kind(fx, "Home.md", VL_LINK_IMAGE, "image", VL_RESOLVE_MISSING);
}

/* The names a resolution looked up: what decides whether a file added
 * or removed can change it (the check state). */
static void expect_probes(fixture *fx, const char *from, vl_link_kind kind,
	const char *target, const char *name, vl_resolve_kind want)
{
	vl_resolution r = res(fx, from, kind, target);
	size_t i;

	assert_int_equal(r.kind, want);
	assert_false(r.probes_over);
	for (i = 0; i < r.n_probes; i++)
		if (r.probes[i] == vl_index_name_hash(name, strlen(name)))
			break;
	if (i == r.n_probes)
		fail_msg("'%s': '%s' not among its %zu names", target, name, r.n_probes);
}

static void test_resolve_probes(void **state)
{
	fixture *fx = *state;
	vl_resolution r;

	/* the last part of a path, case ignored, folders and ".md" not */
	assert_true(vl_index_name_hash("a/b/Report", 10) == vl_index_name_hash("report", 6));
	assert_true(vl_index_name_hash("x/Report", 8) != vl_index_name_hash("x/Repor", 7));
	assert_true(vl_index_name_hash("Report", 6) <= 0x3FFFFFFFu);
	expect_probes(fx, "Home.md", VL_LINK_WIKI, "notes/Alpha", "alpha", VL_RESOLVE_NOTE);
	expect_probes(fx, "Home.md", VL_LINK_WIKI, "Alpha", "Alpha", VL_RESOLVE_NOTE);
	expect_probes(fx, "Home.md", VL_LINK_WIKI, "alpha.md", "alpha", VL_RESOLVE_NOTE);
	expect_probes(fx, "notes/Alpha.md", VL_LINK_WIKI, "../archive/Old", "old", VL_RESOLVE_NOTE);
	expect_probes(fx, "Home.md", VL_LINK_EMBED, "images/photo.png", "photo.png",
		VL_RESOLVE_FILE);
	expect_probes(fx, "Home.md", VL_LINK_MARKDOWN, "notes/Alpha.md", "alpha", VL_RESOLVE_NOTE);
	/* a missing note: its name as a note and as a file */
	expect_probes(fx, "Home.md", VL_LINK_WIKI, "Nowhere", "nowhere", VL_RESOLVE_MISSING);
	/* found at once: that name alone */
	r = res(fx, "Home.md", VL_LINK_WIKI, "Alpha");
	assert_int_equal(r.n_probes, 1);
	/* no lookup at all: none */
	r = res(fx, "notes/Alpha.md", VL_LINK_WIKI, "../../Home");
	assert_int_equal(r.kind, VL_RESOLVE_OUTSIDE);
	assert_int_equal(r.n_probes, 0);
	r = res(fx, "Home.md", VL_LINK_WIKI, "");
	assert_int_equal(r.kind, VL_RESOLVE_SELF);
	assert_int_equal(r.n_probes, 0);
}

static void test_heading_key(void **state)
{
	static const char *const cases[][2] = {
		{ "hasTag()", "hastag" },
		{ "`hasTag()`", "hastag" },
		{ "How large can each remote vault be?", "how large can each remote vault be" },
		{ "Set-up guide", "set up guide" },
		{ "  Many   spaces\there  ", "many spaces here" },
		{ "Ünïcode Straße", "\xc3\xbcn\xc3\xaf" "code stra\xc3\x9f" "e" },
		{ "v2.0 -- notes", "v2 0 notes" },
		/* Unicode punctuation separates, as ASCII's does */
		{ "\xc2\xbfQu\xc3\xa9 pasa?", "qu\xc3\xa9 pasa" },          /* ¿Qué pasa? */
		{ "\xc2\xab Bonjour \xc2\xbb", "bonjour" },                   /* « Bonjour » */
		{ "Part one \xe2\x80\x94 intro\xe2\x80\xa6", "part one intro" }, /* — … */
		{ "\xe3\x80\x8c\xe6\x97\xa5\xe6\x9c\xac\xe3\x80\x8d", "\xe6\x97\xa5\xe6\x9c\xac" }, /* 「日本」 */
		{ "caf\xc3\xa9\xe2\x80\x99s", "caf\xc3\xa9 s" },            /* café’s */
		{ "bad \xff byte", "bad byte" },
		{ "???", "" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char k[64];
		size_t n = vl_index_heading_key(k, cases[i][0], strlen(cases[i][0]));

		assert_string_equal(k, cases[i][1]);
		assert_int_equal(n, strlen(cases[i][1]));
	}
}

static void test_find_heading(void **state)
{
	fixture *fx = *state;
	const vl_note *f = find(fx, "Functions.md");

	assert_ptr_equal(vl_index_find_heading(f, "hasTag"), &f->headings[0]);
	assert_ptr_equal(vl_index_find_heading(f, "hasTag()"), &f->headings[0]);
	assert_ptr_equal(vl_index_find_heading(f, "How large can each remote vault be"),
		&f->headings[1]);
	assert_ptr_equal(vl_index_find_heading(f, "SET-UP GUIDE"), &f->headings[2]);
	assert_ptr_equal(vl_index_find_heading(f, "set up  guide"), &f->headings[2]);
	assert_null(vl_index_find_heading(f, "Setup steps"));
	assert_null(vl_index_find_heading(f, "setupguide"));
	/* Sub-heading paths: each part in document order. */
	assert_ptr_equal(vl_index_find_heading(f, "Linux"), &f->headings[4]);
	assert_ptr_equal(vl_index_find_heading(f, "Install#Linux"), &f->headings[4]);
	assert_ptr_equal(vl_index_find_heading(f, "Usage#Linux"), &f->headings[6]);
	assert_ptr_equal(vl_index_find_heading(f, "Install#Usage#Linux"), &f->headings[6]);
	assert_null(vl_index_find_heading(f, "Linux#Install"));
	assert_null(vl_index_find_heading(f, "Usage#Install"));
	assert_null(vl_index_find_heading(f, ""));
	assert_null(vl_index_find_heading(find(fx, "notes/Beta.md"), "Anything"));
}

static void test_suggest_heading(void **state)
{
	fixture *fx = *state;
	const vl_note *f = find(fx, "Functions.md");

	assert_ptr_equal(vl_index_suggest_heading(f, "Set up guid"), &f->headings[2]);
	assert_ptr_equal(vl_index_suggest_heading(f, "hasTags"), &f->headings[0]);
	assert_ptr_equal(vl_index_suggest_heading(f, "Usage#Linx"), &f->headings[4]);
	assert_ptr_equal(vl_index_suggest_heading(f, "Instal"), &f->headings[3]);
	/* Too far by edit distance, but it starts like "Set-up guide". */
	assert_ptr_equal(vl_index_suggest_heading(f, "Setup steps"), &f->headings[2]);
	assert_null(vl_index_suggest_heading(f, "Set"));
	assert_null(vl_index_suggest_heading(f, "Setup and more and more words"));
	assert_null(vl_index_suggest_heading(f, "Completely different"));
	assert_null(vl_index_suggest_heading(f, ""));
}

/* The table-driven lookups agree with the scans, on a note big enough to
 * have tables and on small ones. */
static void test_lookup_tables(void **state)
{
	fixture *fx = *state;
	const vl_note *big = find(fx, "Big.md");
	const vl_note *f = find(fx, "Functions.md");
	static const char *const paths[] = {
		"Sub 0", "sub 19", "Sub 3", "Top#Sub 3", "Sub 4#Sub 3", "Top#Sub 4",
		"Sub 19#Top", "Top#Top", "Nope", "", "#", "Sub 2#Sub 5#Top#sub-3",
	};
	static const char *const ids[] = { "b0", "B19", "b5", "B5", "b20", "" };
	size_t i;

	assert_ptr_equal(vl_index_heading(fx->idx, big, "Sub 3"), &big->headings[3]);
	assert_ptr_equal(vl_index_heading(fx->idx, big, "Top#Sub 3"), &big->headings[21]);
	assert_null(vl_index_heading(fx->idx, big, "Top#Sub 4"));
	assert_ptr_equal(vl_index_block(fx->idx, big, "B5"), &big->blocks[5]);
	assert_null(vl_index_block(fx->idx, big, "b20"));
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_ptr_equal(vl_index_heading(fx->idx, big, paths[i]),
			vl_index_find_heading(big, paths[i]));
		assert_ptr_equal(vl_index_heading(fx->idx, f, paths[i]),
			vl_index_find_heading(f, paths[i]));
	}
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_ptr_equal(vl_index_block(fx->idx, big, ids[i]),
			vl_index_find_block(big, ids[i]));
	assert_ptr_equal(vl_index_heading(fx->idx, f, "Usage#Linux"), &f->headings[6]);
	assert_ptr_equal(vl_index_block(fx->idx, find(fx, "Home.md"), "INTRO"),
		&find(fx, "Home.md")->blocks[0]);
}

/* Keys longer than the lookups' room on the stack (256 bytes) take the
 * allocated way, with the same answers. */
static void test_long_keys(void **state)
{
	fixture *fx = *state;
	const vl_note *big = find(fx, "Big.md");
	const vl_note *f = find(fx, "Functions.md");
	char dots[700], spaced[700], id[400];
	size_t i;

	/* "../" then 200 "./": Home.md from notes/, by every kind of link */
	strcpy(dots, "../");
	for (i = 0; i < 200; i++)
		strcat(dots, "./");
	strcat(dots, "Home");
	expect_note(fx, "notes/Alpha.md", VL_LINK_WIKI, dots, "Home.md");
	strcat(dots, ".md");
	expect_note(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, dots, "Home.md");
	strcpy(dots + strlen(dots) - strlen("Home.md"), "../Home.md");
	expect_kind(fx, "notes/Alpha.md", VL_LINK_MARKDOWN, dots, VL_RESOLVE_OUTSIDE);

	/* 300 spaces in a heading path: they collapse in the key */
	snprintf(spaced, sizeof(spaced), "Top#%300sSub 3", "");
	assert_ptr_equal(vl_index_heading(fx->idx, big, spaced), &big->headings[21]);
	assert_ptr_equal(vl_index_find_heading(big, spaced), &big->headings[21]);
	snprintf(spaced, sizeof(spaced), "Install#%300sLinux", "");
	assert_ptr_equal(vl_index_find_heading(f, spaced), &f->headings[4]);
	snprintf(spaced, sizeof(spaced), "%300sLinu", "");
	assert_ptr_equal(vl_index_suggest_heading(f, spaced), &f->headings[4]);

	/* long ids, aliases and tags: no such thing, and no harm */
	memset(id, 'b', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_null(vl_index_block(fx->idx, big, id));
	assert_null(vl_index_alias_owner(fx->idx, id));
	assert_null(vl_index_tag_spelling(fx->idx, id));
	assert_ptr_equal(vl_index_block(fx->idx, big, "B19"), &big->blocks[19]);
}

static void test_blocks(void **state)
{
	fixture *fx = *state;
	const vl_note *alpha = find(fx, "notes/Alpha.md");
	const vl_note *home = find(fx, "Home.md");
	const vl_note *other;

	assert_ptr_equal(vl_index_find_block(alpha, "INTRO"), &alpha->blocks[0]);
	assert_ptr_equal(vl_index_find_block(home, "intro"), &home->blocks[0]);
	assert_null(vl_index_find_block(alpha, "intr"));
	other = vl_index_block_elsewhere(fx->idx, alpha, "Intro");
	assert_ptr_equal(other, home);
	other = vl_index_block_elsewhere(fx->idx, home, "intro");
	assert_ptr_equal(other, alpha);
	assert_null(vl_index_block_elsewhere(fx->idx, home, "missing"));
}

static void test_suggest_target(void **state)
{
	fixture *fx = *state;
	const char *s;

	s = suggest(fx->idx, "Alpah");
	assert_non_null(s);
	assert_string_equal(s, "Alpha");
	s = suggest(fx->idx, "notes/Alpah");
	assert_non_null(s);
	assert_string_equal(s, "notes/Alpha");
	s = suggest(fx->idx, "Funtions.md");
	assert_non_null(s);
	assert_string_equal(s, "Functions");
	/* a swap is one edit, as everywhere else: two swaps are within the
	 * cutoff of 2 (as four Levenshtein edits they were not) */
	s = suggest(fx->idx, "Fnuctiosn");
	assert_non_null(s);
	assert_string_equal(s, "Functions");
	assert_true(vl_index_may_suggest("Fnuctiosn", "Functions.md", 1));
	s = suggest(fx->idx, "doc.pfd");
	assert_non_null(s);
	assert_string_equal(s, "doc.pdf");
	s = suggest(fx->idx, "image");
	assert_non_null(s);
	assert_string_equal(s, "image.png");
	assert_null(suggest(fx->idx, "Zebra crossing"));
}

/* [[Area/Topics]] for the folder Area/Topics: broken (OBSIDIAN.md), and
 * the folder's note of the same name is what it meant, any case; a folder
 * with no such note gets no hint from it. */
static void test_suggest_folder_note(void **state)
{
	fixture *fx = *state;
	const char *s;

	s = suggest(fx->idx, "Area/Topics");
	assert_non_null(s);
	assert_string_equal(s, "Area/Topics/Topics");
	s = suggest(fx->idx, "area/topics.md");
	assert_non_null(s);
	assert_string_equal(s, "Area/Topics/Topics");
	assert_true(vl_index_may_suggest("Area/Topics", "Area/Topics/Topics.md", 1));
	assert_true(vl_index_may_suggest("area/TOPICS.md", "Area/Topics/Topics.md", 1));
	assert_false(vl_index_may_suggest("Area/Topics", "Area/Topics/Other.md", 1));
	assert_false(vl_index_may_suggest("Area/Topics", "Area/Topics/Topics.png", 0));
	assert_false(vl_index_may_suggest("Area/Topics", "Elsewhere/Topics/Topics.md", 1));
	/* a/b holds Report.md only */
	assert_null(suggest(fx->idx, "a/b"));
}

/* Every path the did-you-mean gives is one vl_index_may_suggest admits
 * (the check state leans on it when a file is added); far ones are not. */
static void test_may_suggest(void **state)
{
	fixture *fx = *state;
	static const char *const cases[][3] = {
		/* target, the suggestion's file, a note */
		{ "Alpah", "notes/Alpha.md", "1" },
		{ "notes/Alpah", "notes/Alpha.md", "1" },
		{ "/notes/Alpah", "notes/Alpha.md", "1" },
		{ "Funtions.md", "Functions.md", "1" },
		{ "doc.pfd", "doc.pdf", "0" },
		{ "image", "pics/image.png", "0" },
		{ "IMAGE", "pics/image.png", "0" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = suggest(fx->idx, cases[i][0]);

		assert_non_null(s);
		if (!vl_index_may_suggest(cases[i][0], cases[i][1], cases[i][2][0] == '1'))
			fail_msg("'%s' -> '%s' (%s) not admitted", cases[i][0], s, cases[i][1]);
	}
	assert_false(vl_index_may_suggest("Alpha", "zzz/Completely different.md", 1));
	assert_false(vl_index_may_suggest("Alpha", "Zebra.png", 0));
	/* [[image]] for image.png: the extension is what is missing */
	assert_true(vl_index_may_suggest("Alpha", "x/alpha.png", 0));
	assert_false(vl_index_may_suggest("notes/Alpha", "pics/image.png", 0));
	assert_true(vl_index_may_suggest("Alpha", "Alpha.md", 1));
	assert_true(vl_index_may_suggest("ALPHA", "deep/down/alphx.md", 1));
}

/* The vault-wide did-you-mean compares only names that share the first or
 * the last letter (see vl_index_suggest_target): a typo at either end is
 * still found, one at both ends is not (a documented limit). */
static void test_suggest_target_buckets(void **state)
{
	fixture *fx = *state;
	const char *s;

	s = suggest(fx->idx, "Xunctions");   /* first letter */
	assert_non_null(s);
	assert_string_equal(s, "Functions");
	s = suggest(fx->idx, "Functionx");   /* last letter */
	assert_non_null(s);
	assert_string_equal(s, "Functions");
	s = suggest(fx->idx, "Funtcions");   /* a swap */
	assert_non_null(s);
	assert_string_equal(s, "Functions");
	assert_null(suggest(fx->idx, "Xunctionx"));
	/* a folder typo: paths are compared */
	s = suggest(fx->idx, "archiv/Old");
	assert_non_null(s);
	assert_string_equal(s, "archive/Old");
}

/* The vault-wide did-you-mean passes over whole runs of names (64 in the
 * index's bucket order) when none of them holds enough of the target's
 * letters. The one near name must be found wherever it falls among the
 * runs: first, last, either side of a run's edge. */
static void test_suggest_target_runs(void **state)
{
	static const size_t at[] = { 0, 1, 63, 64, 65, 127, 128, 191, 192, 299, 300 };
	enum { N_FILL = 300 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		vl_note *notes[N_FILL + 1];
		vl_source *src = calloc(1, sizeof(*src));
		vl_arena a = { 0 };
		vl_index *idx = NULL;
		vl_error err;
		const char *s;
		size_t i, j;

		assert_non_null(src);
		for (i = j = 0; i <= N_FILL; i++) {
			char path[64];

			/* fillers end in '5' and are as long as the target, with
			 * none of the letters of "missing" */
			if (i == at[k])
				snprintf(path, sizeof(path), "Nissing 5.md");
			else
				snprintf(path, sizeof(path), "F/Zeta %03zu5.md", j++);
			notes[i] = calloc(1, sizeof(*notes[i]));
			assert_non_null(notes[i]);
			notes[i]->path = vl_arena_strndup(&a, path, strlen(path));
			notes[i]->name = strrchr(notes[i]->path, '/') ?
				strrchr(notes[i]->path, '/') + 1 : notes[i]->path;
			notes[i]->name = vl_arena_strndup(&a, notes[i]->name,
				strlen(notes[i]->name) - 3);
		}
		assert_int_equal(vl_index_new(&idx, notes, N_FILL + 1, src, &err), 0);
		/* "m..." has no bucket: the last letter's is scanned, runs and all */
		s = suggest(idx, "Missing 5");
		assert_non_null(s);
		assert_string_equal(s, "Nissing 5");
		assert_null(suggest(idx, "Missing 7"));
		vl_index_free(idx);
		for (i = 0; i <= N_FILL; i++)
			free(notes[i]);
		vl_arena_release(&a);
		vl_source_free(src);
	}
}

/* A name that 40 notes share: the linking note's folder first, then the
 * shortest paths, then byte order; the first VL_MAX_CANDIDATES of them
 * are named, and all are counted. A partial path keeps only the notes it
 * ends; an attachment's name picks the same way among its files. */
static void test_many_namesakes(void **state)
{
	enum { N = 40 };
	vl_note *notes[N + 1];
	vl_source *src = calloc(1, sizeof(*src));
	vl_arena a = { 0 };
	vl_index *idx = NULL;
	vl_resolution r;
	vl_link link;
	vl_error err;
	char target[32];
	size_t i;

	(void)state;
	assert_non_null(src);
	for (i = 0; i <= N; i++) {
		char path[64];

		/* f39, ff38, f37, ..., f01, ff00: the order of preference
		 * is neither the listing's nor the notes' */
		if (i == N)
			snprintf(path, sizeof(path), "zz/Home.md");
		else
			snprintf(path, sizeof(path), "%s%02zu/Same.md",
				i % 2 ? "ff" : "f", (size_t)(N - 1 - i));
		notes[i] = calloc(1, sizeof(*notes[i]));
		assert_non_null(notes[i]);
		notes[i]->path = vl_arena_strndup(&a, path, strlen(path));
		notes[i]->name = vl_arena_strndup(&a, strrchr(path, '/') + 1,
			strlen(strrchr(path, '/') + 1) - 3);
		assert_int_equal(vl_source_add(src, path, 10, NULL), 0);
	}
	assert_int_equal(vl_source_add(src, "f07/pic.png", 10, NULL), 0);
	assert_int_equal(vl_source_add(src, "ff00/pic.png", 10, NULL), 0);
	assert_int_equal(vl_source_add(src, "f21/pic.png", 10, NULL), 0);
	vl_source_sort(src);
	assert_int_equal(vl_index_new(&idx, notes, N + 1, src, &err), 0);
	memset(&link, 0, sizeof(link));
	link.kind = VL_LINK_WIKI;
	strcpy(target, "same");
	link.target = target;
	/* from zz/: the shorter folders (f01, f03, ...) in byte order */
	vl_index_resolve(idx, notes[N], &link, &r);
	assert_int_equal(r.kind, VL_RESOLVE_AMBIGUOUS);
	assert_int_equal(r.n_candidates, N);
	for (i = 0; i < VL_MAX_CANDIDATES; i++) {
		char want[64];

		snprintf(want, sizeof(want), "f%02zu/Same.md", 2 * i + 1);
		assert_string_equal(r.candidates[i]->path, want);
	}
	assert_ptr_equal(r.note, r.candidates[0]);
	/* from ff12/Same.md: its own folder first, then as before */
	vl_index_resolve(idx, notes[N - 1 - 12], &link, &r);
	assert_int_equal(r.n_candidates, N);
	assert_string_equal(r.candidates[0]->path, "ff12/Same.md");
	assert_string_equal(r.candidates[1]->path, "f01/Same.md");
	assert_string_equal(r.candidates[VL_MAX_CANDIDATES - 1]->path, "f13/Same.md");
	/* a partial path: the one note it ends */
	strcpy(target, "ff12/Same");
	vl_index_resolve(idx, notes[N], &link, &r);
	assert_int_equal(r.kind, VL_RESOLVE_NOTE);
	assert_string_equal(r.note->path, "ff12/Same.md");
	/* an attachment's bare name: the shortest path, then byte order */
	link.kind = VL_LINK_EMBED;
	strcpy(target, "pic.png");
	vl_index_resolve(idx, notes[N], &link, &r);
	assert_int_equal(r.kind, VL_RESOLVE_FILE);
	assert_string_equal(r.file, "f07/pic.png");
	vl_index_resolve(idx, notes[N - 1], &link, &r);   /* from ff00/ */
	assert_string_equal(r.file, "ff00/pic.png");
	vl_index_free(idx);
	for (i = 0; i <= N; i++)
		free(notes[i]);
	vl_arena_release(&a);
	vl_source_free(src);
}

/* In a vault of 1,024 notes or more the tags are tallied on a thread of
 * their own while the rest of the index is built: the same spellings win
 * as when one thread does it all (--threads 1), and the rest of the index
 * is whole. */
static void test_tag_tally_thread(void **state)
{
	enum { N = 1500 };
	static const char *const spell[] = { "Code", "CODE", "code", "Paper", "paper" };
	vl_note *notes[N];
	vl_source *src = calloc(1, sizeof(*src));
	vl_arena a = { 0 };
	vl_index *idx[2];
	vl_error err;
	size_t i, k, cap;

	(void)state;
	assert_non_null(src);
	for (i = 0; i < N; i++) {
		char path[32];

		snprintf(path, sizeof(path), "n/Note %zu.md", i);
		notes[i] = calloc(1, sizeof(*notes[i]));
		assert_non_null(notes[i]);
		notes[i]->path = vl_arena_strndup(&a, path, strlen(path));
		notes[i]->name = notes[i]->path + 2;
		notes[i]->name = vl_arena_strndup(&a, notes[i]->name, strlen(notes[i]->name) - 3);
		/* CODE wins code by one; tag i%7 has one spelling per note */
		for (k = 0; k < 3; k++) {
			vl_tag t;
			char name[32];

			memset(&t, 0, sizeof(t));
			if (k == 0)
				snprintf(name, sizeof(name), "%s", spell[i % 5]);
			else if (k == 1)
				snprintf(name, sizeof(name), "%s", i == 0 ? "CODE" : "x");
			else
				snprintf(name, sizeof(name), "t%zu%s", i % 7, i % 2 ? "A" : "a");
			t.name = vl_arena_strndup(&a, name, strlen(name));
			assert_int_equal(VL_NOTE_PUSH(notes[i], tags, t), 0);
		}
	}
	for (cap = 1; cap <= 2; cap++) {
		vl_set_thread_cap((int)cap);
		assert_int_equal(vl_index_new(&idx[cap - 1], notes, N, src, &err), 0);
	}
	vl_set_thread_cap(0);
	assert_string_equal(vl_index_tag_spelling(idx[1], "code"), "CODE");
	assert_string_equal(vl_index_tag_spelling(idx[1], "PAPER"), "Paper");
	assert_string_equal(vl_index_tag_spelling(idx[1], "X"), "x");
	for (k = 0; k < 7; k++) {
		char name[8];

		snprintf(name, sizeof(name), "t%zua", k);
		assert_string_equal(vl_index_tag_spelling(idx[0], name),
			vl_index_tag_spelling(idx[1], name));
	}
	for (i = 0; i < N; i += 97)
		assert_ptr_equal(vl_index_note(idx[1], notes[i]->path), notes[i]);
	assert_int_equal(vl_index_note_count(idx[1]), N);
	for (cap = 0; cap < 2; cap++)
		vl_index_free(idx[cap]);
	for (i = 0; i < N; i++) {
		free(notes[i]->tags);
		free(notes[i]->caps);
		free(notes[i]);
	}
	vl_arena_release(&a);
	vl_source_free(src);
}

static void test_tags_and_lookup(void **state)
{
	fixture *fx = *state;
	const char *s;

	/* code x1, CODE x3, Code x1. */
	s = vl_index_tag_spelling(fx->idx, "Code");
	assert_non_null(s);
	assert_string_equal(s, "CODE");
	/* Project x1, project x1: byte order. */
	s = vl_index_tag_spelling(fx->idx, "PROJECT");
	assert_non_null(s);
	assert_string_equal(s, "Project");
	assert_null(vl_index_tag_spelling(fx->idx, "none"));

	assert_int_equal(vl_index_note_count(fx->idx), fx->n_notes - 1);
	assert_ptr_equal(vl_index_note(fx->idx, "notes/Alpha.md"), find(fx, "notes/Alpha.md"));
	assert_null(vl_index_note(fx->idx, "notes/Gamma.md"));
	assert_ptr_equal(vl_index_note_at(fx->idx, 0), find(fx, "Home.md"));
	assert_null(vl_index_note_at(fx->idx, fx->n_notes));
}

/* What vl_index_each_tag gives: "key spelling count" lines. */
static int tag_line(const char *key, const char *spelling, size_t count, void *payload)
{
	char line[128];

	snprintf(line, sizeof(line), "%s %s %zu\n", key, spelling, count);
	return vl_buf_puts(payload, line);
}

static int stop_at_first(const char *key, const char *spelling, size_t count,
	void *payload)
{
	(void)key;
	(void)spelling;
	(void)count;
	++*(int *)payload;
	return 7;
}

/* Every spelling of every tag with its count, as the check state stores
 * them (the tally is the index's). */
static void test_each_tag(void **state)
{
	fixture *fx = *state;
	vl_buf b = VL_BUF_INIT;
	int calls = 0;

	assert_int_equal(vl_index_each_tag(fx->idx, tag_line, &b), 0);
	assert_non_null(strstr(b.ptr, "code code 1\n"));
	assert_non_null(strstr(b.ptr, "code CODE 3\n"));
	assert_non_null(strstr(b.ptr, "code Code 1\n"));
	assert_non_null(strstr(b.ptr, "project Project 1\n"));
	assert_non_null(strstr(b.ptr, "project project 1\n"));
	vl_buf_release(&b);
	/* fn's non-zero stops the walk and is returned */
	assert_int_equal(vl_index_each_tag(fx->idx, stop_at_first, &calls), 7);
	assert_int_equal(calls, 1);
	assert_int_equal(vl_index_each_tag(NULL, stop_at_first, &calls), 0);
}

static void test_empty_index(void **state)
{
	vl_index *idx = NULL;
	vl_error err;
	vl_link link;
	vl_resolution r;

	(void)state;
	assert_int_equal(vl_index_new(&idx, NULL, 0, NULL, &err), 0);
	memset(&link, 0, sizeof(link));
	link.kind = VL_LINK_WIKI;
	link.target = (char *)"x";
	vl_index_resolve(idx, NULL, &link, &r);
	assert_int_equal(r.kind, VL_RESOLVE_MISSING);
	assert_null(suggest(idx, "x"));
	assert_int_equal(vl_index_note_count(idx), 0);
	vl_index_free(idx);
	vl_index_free(NULL);
}

/* vl_index_new_ex: notes known by path alone (stubs) are never read (they
 * point into a page that cannot be), yet found by path and name, ranked
 * by path among namesakes and named by a did-you-mean. */
static void test_stubs_not_read(void **state)
{
	const char *paths[] = { "A/Same.md", "Same.md", "B/Other Note.md", NULL };
	const char *stubs[4];
	vl_note *notes[4], real;
	vl_source *src = calloc(1, sizeof(*src));
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char *page;
	vl_index *idx = NULL;
	vl_error err;
	vl_link link;
	vl_resolution r;
	size_t i;

	(void)state;
	page = mmap(NULL, (size_t)ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED && src != NULL);
	for (i = 0; i < 3; i++) {
		notes[i] = (vl_note *)(page + i * 256);
		stubs[i] = paths[i];
		assert_int_equal(vl_source_add(src, paths[i], 1, NULL), 0);
	}
	/* one real note beside them */
	memset(&real, 0, sizeof(real));
	real.path = (char *)"Real.md";
	real.name = (char *)"Real";
	notes[3] = &real;
	stubs[3] = NULL;
	assert_int_equal(vl_source_add(src, "Real.md", 1, NULL), 0);
	vl_source_sort(src);
	assert_int_equal(vl_index_new_ex(&idx, notes, stubs, 4, src, &err), 0);

	memset(&link, 0, sizeof(link));
	link.kind = VL_LINK_WIKI;
	link.target = (char *)"B/Other Note";
	vl_index_resolve(idx, &real, &link, &r);
	assert_int_equal(r.kind, VL_RESOLVE_NOTE);
	assert_ptr_equal(r.note, notes[2]);
	link.target = (char *)"other note";
	vl_index_resolve(idx, &real, &link, &r);
	assert_ptr_equal(r.note, notes[2]);
	/* two notes named Same: the one at the root is preferred */
	link.target = (char *)"Same";
	vl_index_resolve(idx, &real, &link, &r);
	assert_int_equal(r.kind, VL_RESOLVE_AMBIGUOUS);
	assert_ptr_equal(r.note, notes[1]);
	assert_int_equal(r.n_candidates, 2);
	assert_string_equal(suggest(idx, "Othr Note"), "Other Note");
	assert_string_equal(suggest(idx, "B/Othr Note"), "B/Other Note");
	link.target = (char *)"Real";
	vl_index_resolve(idx, &real, &link, &r);
	assert_int_equal(r.kind, VL_RESOLVE_NOTE);
	assert_ptr_equal(r.note, &real);
	vl_index_free(idx);
	vl_source_free(src);
	munmap(page, (size_t)ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stubs_not_read),
		cmocka_unit_test_setup_teardown(test_root_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attachments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_basename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suffix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_folder_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_and_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_probes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suggest_folder_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_may_suggest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_tag, setup, teardown),
		cmocka_unit_test(test_heading_key),
		cmocka_unit_test_setup_teardown(test_find_heading, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suggest_heading, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suggest_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suggest_target_buckets, setup, teardown),
		cmocka_unit_test(test_suggest_target_runs),
		cmocka_unit_test(test_many_namesakes),
		cmocka_unit_test(test_tag_tally_thread),
		cmocka_unit_test_setup_teardown(test_tags_and_lookup, setup, teardown),
		cmocka_unit_test(test_empty_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
