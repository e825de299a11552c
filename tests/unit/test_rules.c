/*
 * test_rules.c: unit tests for every rule in rules/. Notes are built by
 * hand (no parser involved), indexed with vl_index_new, and each rule's
 * findings are checked: rule id, line, column, severity and message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../rules/rule.h"
#include "../../src/config.h"
#include "../../src/index.h"
#include "../../src/note.h"
#include "../../src/source.h"

#define MAX_NOTES 16

/* A small vault: notes, attachments, its index, a config, findings. */
typedef struct tvault {
	vl_note *notes[MAX_NOTES];
	size_t n;
	vl_source *src;
	vl_index *idx;
	vl_config cfg;
	vl_diags out;
} tvault;

static int setup(void **state)
{
	tvault *v = calloc(1, sizeof(*v));
	vl_error err;

	if (v == NULL)
		return -1;
	v->src = calloc(1, sizeof(*v->src));
	if (v->src == NULL || vl_config_init(&v->cfg, &err) < 0)
		return -1;
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	tvault *v = *state;
	size_t i;

	vl_index_free(v->idx);
	for (i = 0; i < v->n; i++)
		vl_note_free(v->notes[i]);
	vl_source_free(v->src);
	vl_config_release(&v->cfg);
	vl_diags_release(&v->out);
	free(v);
	return 0;
}

static char *dup_(vl_note *n, const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = vl_arena_strndup(&n->arena, s, strlen(s));
	assert_non_null(p);
	return p;
}

static vl_note *mk_note(tvault *v, const char *path)
{
	vl_note *n = calloc(1, sizeof(*n));
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	assert_non_null(n);
	assert_true(v->n < MAX_NOTES);
	n->path = dup_(n, path);
	n->name = vl_arena_strndup(&n->arena, base, strlen(base) - 3);
	n->n_lines = 100;
	v->notes[v->n++] = n;
	assert_int_equal(vl_source_add(v->src, path, 10, NULL), 0);
	return n;
}

static void attach(tvault *v, const char *path)
{
	assert_int_equal(vl_source_add(v->src, path, 10, NULL), 0);
}

static vl_pos at(uint32_t line, uint32_t col)
{
	vl_pos p;

	p.line = line;
	p.col = col;
	return p;
}

static void add_link(vl_note *n, vl_link_kind kind, const char *target,
	const char *heading, const char *block, uint32_t line, uint32_t col)
{
	vl_link l;

	memset(&l, 0, sizeof(l));
	l.kind = kind;
	l.target = dup_(n, target);
	l.heading = dup_(n, heading);
	l.block = dup_(n, block);
	l.pos = at(line, col);
	l.entry = -1;
	assert_int_equal(VL_NOTE_PUSH(n, links, l), 0);
}

static void add_heading(vl_note *n, const char *text, uint32_t line)
{
	vl_heading h;

	h.text = dup_(n, text);
	h.level = 2;
	h.pos = at(line, 4);
	assert_int_equal(VL_NOTE_PUSH(n, headings, h), 0);
}

static void add_block(vl_note *n, const char *id, uint32_t line, uint32_t col)
{
	vl_block b;

	b.id = dup_(n, id);
	b.pos = at(line, col);
	assert_int_equal(VL_NOTE_PUSH(n, blocks, b), 0);
}

static void add_tag(vl_note *n, const char *name, uint32_t line, uint32_t col, int fm)
{
	vl_tag t;

	t.name = dup_(n, name);
	t.pos = at(line, col);
	t.frontmatter = fm;
	t.entry = -1;
	assert_int_equal(VL_NOTE_PUSH(n, tags, t), 0);
}

static void add_alias(vl_note *n, const char *alias)
{
	char *a = dup_(n, alias);

	assert_int_equal(VL_NOTE_PUSH(n, aliases, a), 0);
}

static void add_problem(vl_note *n, const char *rule, const char *msg, uint32_t line,
	uint32_t col)
{
	vl_problem p;

	p.rule = rule;
	p.message = dup_(n, msg);
	p.pos = at(line, col);
	assert_int_equal(VL_NOTE_PUSH(n, problems, p), 0);
}

static void add_suppress(vl_note *n, const char *rule, uint32_t first, uint32_t last)
{
	vl_suppress s;

	s.rule = dup_(n, rule);
	s.first = first;
	s.last = last;
	assert_int_equal(VL_NOTE_PUSH(n, suppress, s), 0);
}

static void build(tvault *v)
{
	vl_error err;

	vl_source_sort(v->src);
	assert_int_equal(vl_index_new(&v->idx, v->notes, v->n, v->src, &err), 0);
}

/* Runs rule id over note; findings go to v->out (emptied first). */
static void run(tvault *v, const char *id, const vl_note *note)
{
	int i = vl_rule_index(id);
	vl_rule_ctx ctx;

	assert_true(i >= 0);
	vl_diags_release(&v->out);
	memset(&ctx, 0, sizeof(ctx));
	ctx.rule = &vl_rules[i];
	ctx.severity = v->cfg.severity[i];
	ctx.note = note;
	ctx.index = v->idx;
	ctx.config = &v->cfg;
	ctx.out = &v->out;
	assert_int_equal(vl_rules[i].check(&ctx), 0);
}

/* Asserts that finding k is at line:col, of rule id, with message msg. */
static void expect(const tvault *v, size_t k, const char *id, uint32_t line,
	uint32_t col, const char *msg)
{
	const vl_diag *d;

	if (k >= v->out.len)
		fail_msg("finding %zu missing (%zu found); expected '%s'", k, v->out.len, msg);
	d = &v->out.items[k];
	assert_string_equal(d->rule, id);
	assert_string_equal(d->message, msg);
	assert_int_equal(d->line, line);
	assert_int_equal(d->col, col);
	assert_int_equal(d->severity, v->cfg.severity[vl_rule_index(id)]);
}

static void dump(const tvault *v)
{
	size_t i;

	for (i = 0; i < v->out.len; i++)
		print_message("  %s:%u:%u %s %s\n", v->out.items[i].path, v->out.items[i].line,
			v->out.items[i].col, v->out.items[i].rule, v->out.items[i].message);
}

/* Writes a config file and loads it over v's defaults. */
static void load_config(tvault *v, const char *text)
{
	char path[] = "/tmp/vl-rules-cfg-XXXXXX";
	int fd = mkstemp(path);
	vl_error err;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err.msg[0] = '\0';
	if (vl_config_load(&v->cfg, path, &err) < 0)
		fail_msg("config: %s", err.msg);
	unlink(path);
}

/* The shared vault: a.md links everywhere; Notes/Target.md has headings
 * and blocks; Other.md has an alias and the block that moved. */
static vl_note *base_vault(tvault *v)
{
	vl_note *a = mk_note(v, "a.md");
	vl_note *t = mk_note(v, "Notes/Target.md");
	vl_note *o = mk_note(v, "Other.md");

	add_heading(t, "Intro Section", 3);
	add_heading(t, "Results", 9);
	add_block(t, "abc", 5, 20);
	add_alias(o, "Alias One");
	add_block(o, "moved", 4, 12);
	add_heading(a, "Own Heading", 1);
	add_block(a, "xyz1", 2, 30);
	attach(v, "img/image.png");
	return a;
}

static void test_broken_link(void **state)
{
	tvault *v = *state;
	vl_note *a = base_vault(v);

	add_link(a, VL_LINK_WIKI, "Target", NULL, NULL, 3, 1);             /* ok */
	add_link(a, VL_LINK_WIKI, "Notes/Target", "Results", NULL, 3, 20); /* ok */
	add_link(a, VL_LINK_WIKI, "Targt", NULL, NULL, 4, 5);
	add_link(a, VL_LINK_WIKI, "Alias One", NULL, NULL, 5, 2);
	add_link(a, VL_LINK_EMBED, "image", NULL, NULL, 6, 1);
	add_link(a, VL_LINK_EMBED, "image.png", NULL, NULL, 6, 20);        /* ok */
	add_link(a, VL_LINK_MARKDOWN, "../../etc/passwd", NULL, NULL, 7, 3);
	add_link(a, VL_LINK_URL, "https://example.org/nowhere", NULL, NULL, 8, 1);
	add_link(a, VL_LINK_WIKI, "Missing", "Some heading", NULL, 9, 1);
	add_link(a, VL_LINK_WIKI, "Qqqqqqqqqqqq", NULL, NULL, 10, 1);
	add_link(a, VL_LINK_WIKI, "Gone", NULL, NULL, 12, 1);             /* suppressed */
	add_link(a, VL_LINK_IMAGE, "Gone too.png", NULL, NULL, 13, 1);    /* suppressed */
	add_suppress(a, "broken-link", 12, 12);
	add_suppress(a, "all", 13, 13);
	add_suppress(a, "tag-format", 10, 10);  /* another rule: no effect */
	build(v);

	run(v, "broken-link", a);
	dump(v);
	assert_int_equal(v->out.len, 6);
	expect(v, 0, "broken-link", 4, 5, "no note or file 'Targt' (did you mean 'Target'?)");
	expect(v, 1, "broken-link", 5, 2, "no note or file 'Alias One'; 'Alias One' is an alias "
		"of 'Other.md', link to [[Other|Alias One]]");
	expect(v, 2, "broken-link", 6, 1, "no note or file 'image' (did you mean 'image.png'?)");
	expect(v, 3, "broken-link", 7, 3, "link '../../etc/passwd' leaves the vault");
	expect(v, 4, "broken-link", 9, 1, "no note or file 'Missing'");
	expect(v, 5, "broken-link", 10, 1, "no note or file 'Qqqqqqqqqqqq'");
	assert_string_equal(v->out.items[0].path, "a.md");

	/* A link to a missing note is broken-link's alone. */
	run(v, "broken-heading-link", a);
	assert_int_equal(v->out.len, 0);
}

static void test_broken_heading_link(void **state)
{
	tvault *v = *state;
	vl_note *a = base_vault(v);

	add_link(a, VL_LINK_WIKI, "Target", "Intro Section", NULL, 3, 1);   /* ok */
	add_link(a, VL_LINK_WIKI, "Target", "intro section", NULL, 3, 30);  /* ok */
	add_link(a, VL_LINK_WIKI, "Target", "Intro Sectoin", NULL, 4, 7);
	add_link(a, VL_LINK_WIKI, "", "Nope Nothing Like It", NULL, 5, 1);
	add_link(a, VL_LINK_WIKI, "", "Own Heading", NULL, 5, 40);           /* ok */
	add_link(a, VL_LINK_MARKDOWN, "Notes/Target.md", "Zzzzzzzzzz", NULL, 6, 2);
	add_link(a, VL_LINK_EMBED, "Target", "Reslts", NULL, 7, 1);
	add_link(a, VL_LINK_WIKI, "img/image.png", "Intro", NULL, 8, 1);   /* not a note */
	build(v);

	run(v, "broken-heading-link", a);
	dump(v);
	assert_int_equal(v->out.len, 4);
	expect(v, 0, "broken-heading-link", 4, 7,
		"no heading 'Intro Sectoin' in 'Notes/Target.md' (did you mean 'Intro Section'?)");
	expect(v, 1, "broken-heading-link", 5, 1, "no heading 'Nope Nothing Like It' in this note");
	expect(v, 2, "broken-heading-link", 6, 2, "no heading 'Zzzzzzzzzz' in 'Notes/Target.md'");
	expect(v, 3, "broken-heading-link", 7, 1,
		"no heading 'Reslts' in 'Notes/Target.md' (did you mean 'Results'?)");
}

static void test_dangling_block_ref(void **state)
{
	tvault *v = *state;
	vl_note *a = base_vault(v);

	add_link(a, VL_LINK_WIKI, "Target", NULL, "abc", 3, 1);      /* ok */
	add_link(a, VL_LINK_WIKI, "Target", NULL, "ABC", 3, 20);     /* ok: no case */
	add_link(a, VL_LINK_WIKI, "Target", NULL, "moved", 4, 2);
	add_link(a, VL_LINK_EMBED, "Target", NULL, "moved", 5, 1);
	add_link(a, VL_LINK_WIKI, "", NULL, "xyz2", 6, 3);
	add_link(a, VL_LINK_WIKI, "", NULL, "xyz1", 6, 20);          /* ok */
	add_link(a, VL_LINK_WIKI, "Target", NULL, "qqqqqqqq", 7, 1);
	add_link(a, VL_LINK_WIKI, "Nowhere", NULL, "abc", 8, 1);     /* broken-link's */
	build(v);

	run(v, "dangling-block-ref", a);
	dump(v);
	assert_int_equal(v->out.len, 4);
	expect(v, 0, "dangling-block-ref", 4, 2, "no block '^moved' in 'Notes/Target.md'; it is in 'Other.md'");
	expect(v, 1, "dangling-block-ref", 5, 1, "no block '^moved' in 'Notes/Target.md'; it is in 'Other.md'");
	expect(v, 2, "dangling-block-ref", 6, 3, "no block '^xyz2' in this note (did you mean '^xyz1'?)");
	expect(v, 3, "dangling-block-ref", 7, 1, "no block '^qqqqqqqq' in 'Notes/Target.md'");
}

/* Finding k: id defined again at line:col, first on line `first`. */
static void expect_dup_id(const tvault *v, size_t k, uint32_t line, uint32_t col,
	const char *id, unsigned long first)
{
	char msg[128];

	snprintf(msg, sizeof(msg),
		"block id '^%s' already defined on line %lu; links reach only the first", id, first);
	expect(v, k, "duplicate-block-id", line, col, msg);
}

/* A few ids are compared with each other, more are looked up in a
 * table (b.md): the same findings, each against the first definition,
 * whatever the case. */
static void test_duplicate_block_id(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md"), *b = mk_note(v, "b.md");
	char id[16];
	uint32_t i;

	add_block(a, "one", 2, 10);
	add_block(a, "two", 3, 11);
	add_block(a, "ONE", 5, 12);
	add_block(a, "one", 8, 13);
	add_block(a, "three", 9, 1);
	for (i = 0; i < 30; i++) {
		snprintf(id, sizeof(id), "id%u", (unsigned)i);
		add_block(b, id, i + 1, 3);
	}
	add_block(b, "ID5", 40, 7);
	add_block(b, "id29", 41, 2);
	add_block(b, "id5", 42, 1);
	build(v);

	run(v, "duplicate-block-id", a);
	dump(v);
	assert_int_equal(v->out.len, 2);
	expect_dup_id(v, 0, 5, 12, "ONE", 2);
	expect_dup_id(v, 1, 8, 13, "one", 2);
	run(v, "duplicate-block-id", b);
	dump(v);
	assert_int_equal(v->out.len, 3);
	expect_dup_id(v, 0, 40, 7, "ID5", 6);
	expect_dup_id(v, 1, 41, 2, "id29", 30);
	expect_dup_id(v, 2, 42, 1, "id5", 6);
}

static void test_ambiguous_link(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md");
	vl_note *b = mk_note(v, "b/Two.md");

	mk_note(v, "x/Dup.md");
	mk_note(v, "y/Dup.md");
	mk_note(v, "z/Dup.md");
	mk_note(v, "w/Dup.md");
	mk_note(v, "p/Pair.md");
	mk_note(v, "q/Pair.md");
	add_link(a, VL_LINK_WIKI, "Dup", NULL, NULL, 2, 4);
	add_link(a, VL_LINK_WIKI, "Pair", NULL, NULL, 3, 1);
	add_link(a, VL_LINK_WIKI, "x/Dup", NULL, NULL, 4, 1);   /* by path: fine */
	add_link(a, VL_LINK_WIKI, "Two", NULL, NULL, 5, 1);     /* one note: fine */
	(void)b;
	build(v);

	run(v, "ambiguous-link", a);
	dump(v);
	assert_int_equal(v->out.len, 2);
	expect(v, 0, "ambiguous-link", 2, 4, "'Dup' matches 4 notes (w/Dup.md, x/Dup.md, "
		"y/Dup.md, ...); Obsidian opens 'w/Dup.md'; link by path to be sure");
	expect(v, 1, "ambiguous-link", 3, 1, "'Pair' matches 2 notes (p/Pair.md, q/Pair.md); "
		"Obsidian opens 'p/Pair.md'; link by path to be sure");
}

static void test_duplicate_link(void **state)
{
	tvault *v = *state;
	vl_note *a = base_vault(v);

	add_link(a, VL_LINK_URL, "https://Example.org/a/", NULL, NULL, 1, 1);
	add_link(a, VL_LINK_URL, "https://EXAMPLE.org:443/a", NULL, NULL, 2, 5);  /* dup of 1 */
	add_link(a, VL_LINK_URL, "https://example.org/a?q=1", NULL, NULL, 3, 1);
	add_link(a, VL_LINK_URL, "https://example.org/a#frag", NULL, NULL, 3, 40);
	add_link(a, VL_LINK_URL, "http://example.org:80/a", NULL, NULL, 4, 1);
	add_link(a, VL_LINK_URL, "HTTP://example.ORG/a", NULL, NULL, 5, 1);       /* dup of 4 */
	add_link(a, VL_LINK_URL, "https://example.org:8443/a", NULL, NULL, 5, 30);
	add_link(a, VL_LINK_URL, "https://example.org/A", NULL, NULL, 5, 60);     /* path case kept */
	add_link(a, VL_LINK_WIKI, "Target", NULL, NULL, 6, 1);
	add_link(a, VL_LINK_MARKDOWN, "Notes/Target.md", NULL, NULL, 7, 2);       /* dup of 6 */
	add_link(a, VL_LINK_WIKI, "Target", "Results", NULL, 8, 1);
	add_link(a, VL_LINK_WIKI, "Target", "results", NULL, 8, 30);              /* dup of 8 */
	add_link(a, VL_LINK_WIKI, "Target", NULL, "abc", 8, 60);
	add_link(a, VL_LINK_EMBED, "Target", NULL, NULL, 9, 1);                   /* embeds: no */
	add_link(a, VL_LINK_WIKI, "Missing", NULL, NULL, 10, 1);
	add_link(a, VL_LINK_WIKI, "Missing", NULL, NULL, 11, 1);                  /* unresolved: no */
	add_link(a, VL_LINK_URL, "mailto:Ann@Example.org", NULL, NULL, 9, 20);
	add_link(a, VL_LINK_URL, "MAILTO:Ann@Example.org", NULL, NULL, 9, 50);    /* dup: scheme */
	add_link(a, VL_LINK_URL, "mailto:ann@example.org", NULL, NULL, 9, 80);    /* the rest's case kept */
	add_link(a, VL_LINK_URL, "https://User@Example.ORG/x", NULL, NULL, 10, 20);
	add_link(a, VL_LINK_URL, "https://User@example.org/x", NULL, NULL, 10, 50); /* dup: host */
	add_link(a, VL_LINK_URL, "https://user@example.org/x", NULL, NULL, 10, 80); /* user case kept */
	add_link(a, VL_LINK_WIKI, "Target", NULL, "ABC", 11, 20);                 /* dup of 8:60 */
	add_link(a, VL_LINK_WIKI, "Target", NULL, NULL, 12, 1);                   /* suppressed */
	add_suppress(a, "duplicate-link", 12, UINT32_MAX);
	build(v);

	run(v, "duplicate-link", a);
	dump(v);
	assert_int_equal(v->out.len, 7);
	expect(v, 0, "duplicate-link", 2, 5, "'https://EXAMPLE.org:443/a' is already linked on line 1");
	expect(v, 1, "duplicate-link", 5, 1, "'HTTP://example.ORG/a' is already linked on line 4");
	expect(v, 2, "duplicate-link", 7, 2, "'Notes/Target.md' is already linked on line 6");
	expect(v, 3, "duplicate-link", 8, 30, "'Notes/Target.md#results' is already linked on line 8");
	expect(v, 4, "duplicate-link", 9, 50, "'MAILTO:Ann@Example.org' is already linked on line 9");
	expect(v, 5, "duplicate-link", 10, 50,
		"'https://User@example.org/x' is already linked on line 10");
	expect(v, 6, "duplicate-link", 11, 20, "'Notes/Target.md#^ABC' is already linked on line 8");
}

static void test_tag_format_upper(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md");

	load_config(v, "tags:\n  case: upper\n  pattern: '^[A-Z][A-Z0-9_/-]*$'\n");
	add_tag(a, "PAPER", 1, 1, 1);
	add_tag(a, "Paper", 2, 3, 0);
	add_tag(a, "THESIS/PhD", 3, 1, 0);
	add_tag(a, "9LIVES", 4, 1, 0);      /* case fine, pattern not */
	add_tag(a, "naïve", 5, 1, 0);       /* fixing the case fixes the pattern? no: ï */
	add_tag(a, "Élan", 6, 1, 0);        /* 'É' has no case rule, 'lan' has */
	add_tag(a, "ÉÉ", 7, 1, 0);          /* no ASCII letter: upper enough */
	build(v);

	run(v, "tag-format", a);
	dump(v);
	assert_int_equal(v->out.len, 8);
	expect(v, 0, "tag-format", 2, 3, "tag '#Paper' is not upper case; write '#PAPER'");
	expect(v, 1, "tag-format", 3, 1, "tag '#THESIS/PhD' is not upper case; write '#THESIS/PHD'");
	expect(v, 2, "tag-format", 4, 1, "tag '#9LIVES' does not match the pattern '^[A-Z][A-Z0-9_/-]*$'");
	expect(v, 3, "tag-format", 5, 1, "tag '#naïve' is not upper case; write '#NAïVE'");
	expect(v, 4, "tag-format", 5, 1, "tag '#naïve' does not match the pattern '^[A-Z][A-Z0-9_/-]*$'");
	expect(v, 5, "tag-format", 6, 1, "tag '#Élan' is not upper case; write '#ÉLAN'");
	expect(v, 6, "tag-format", 6, 1, "tag '#Élan' does not match the pattern '^[A-Z][A-Z0-9_/-]*$'");
	expect(v, 7, "tag-format", 7, 1, "tag '#ÉÉ' does not match the pattern '^[A-Z][A-Z0-9_/-]*$'");
}

static void test_tag_format_kebab_lower(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md");

	load_config(v, "tags:\n  case: kebab\n");
	add_tag(a, "deep-learning", 1, 1, 0);
	add_tag(a, "topic/sub-topic2", 1, 20, 0);
	add_tag(a, "Deep_Learning", 2, 1, 0);
	add_tag(a, "machineLearning", 3, 1, 0);
	add_tag(a, "a--b", 4, 1, 0);
	add_tag(a, "-x", 5, 1, 0);
	add_tag(a, "ünï-code", 6, 1, 0);
	build(v);

	run(v, "tag-format", a);
	dump(v);
	assert_int_equal(v->out.len, 4);
	expect(v, 0, "tag-format", 2, 1,
		"tag '#Deep_Learning' is not kebab case (lower-case words joined by '-'); write '#deep-learning'");
	expect(v, 1, "tag-format", 3, 1,
		"tag '#machineLearning' is not kebab case (lower-case words joined by '-'); write '#machine-learning'");
	expect(v, 2, "tag-format", 4, 1,
		"tag '#a--b' is not kebab case (lower-case words joined by '-'); write '#a-b'");
	expect(v, 3, "tag-format", 5, 1,
		"tag '#-x' is not kebab case (lower-case words joined by '-'); write '#x'");

	v->cfg.tag_case = VL_CASE_LOWER;
	run(v, "tag-format", a);
	dump(v);
	assert_int_equal(v->out.len, 2);
	expect(v, 0, "tag-format", 2, 1, "tag '#Deep_Learning' is not lower case; write '#deep_learning'");
	expect(v, 1, "tag-format", 3, 1, "tag '#machineLearning' is not lower case; write '#machinelearning'");
}

static void test_tag_spelling(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md");
	vl_note *b = mk_note(v, "b.md");
	vl_note *c = mk_note(v, "c.md");

	add_tag(a, "code", 3, 5, 0);
	add_tag(b, "CODE", 1, 1, 1);
	add_tag(c, "CODE", 2, 1, 0);
	add_tag(c, "solo", 4, 1, 0);
	build(v);

	/* case: any: the spelling check alone. */
	run(v, "tag-format", a);
	dump(v);
	assert_int_equal(v->out.len, 1);
	expect(v, 0, "tag-format", 3, 5,
		"tag '#code' is written '#CODE' elsewhere in the vault; use one spelling");
	run(v, "tag-format", b);
	assert_int_equal(v->out.len, 0);
	run(v, "tag-format", c);
	assert_int_equal(v->out.len, 0);

	/* case: lower: '#CODE' breaks the convention, so no advice to use it. */
	v->cfg.tag_case = VL_CASE_LOWER;
	run(v, "tag-format", a);
	assert_int_equal(v->out.len, 0);
	run(v, "tag-format", b);
	assert_int_equal(v->out.len, 1);
	expect(v, 0, "tag-format", 1, 1, "tag '#CODE' is not lower case; write '#code'");

	/* case: upper: the case message says it all. */
	v->cfg.tag_case = VL_CASE_UPPER;
	run(v, "tag-format", a);
	assert_int_equal(v->out.len, 1);
	expect(v, 0, "tag-format", 3, 5, "tag '#code' is not upper case; write '#CODE'");
}

static void test_tag_unknown(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md");

	add_tag(a, "PAPR", 1, 1, 1);
	add_tag(a, "paper", 2, 1, 0);          /* allowed, any case */
	add_tag(a, "PAPER/DRAFT", 3, 1, 0);    /* nested under an allowed tag */
	add_tag(a, "COD/X", 4, 7, 0);
	add_tag(a, "ZZZZZZZZZ", 5, 1, 0);
	add_tag(a, "TALK", 6, 1, 0);           /* suppressed */
	add_suppress(a, "tag-unknown", 6, 6);
	build(v);

	/* No vocabulary: nothing to say. */
	run(v, "tag-unknown", a);
	assert_int_equal(v->out.len, 0);

	load_config(v, "tags:\n  allowed: [PAPER, CODE, BOOK]\n");
	run(v, "tag-unknown", a);
	dump(v);
	assert_int_equal(v->out.len, 3);
	expect(v, 0, "tag-unknown", 1, 1, "tag '#PAPR' is not in the allowed list (did you mean '#PAPER'?)");
	expect(v, 1, "tag-unknown", 4, 7, "tag '#COD/X' is not in the allowed list (did you mean '#CODE/X'?)");
	expect(v, 2, "tag-unknown", 5, 1, "tag '#ZZZZZZZZZ' is not in the allowed list");
}

static void test_problems(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md");

	add_problem(a, "frontmatter-invalid", "front matter YAML: bad indentation", 3, 2);
	add_problem(a, "invalid-input", "invalid UTF-8 at byte 120", 7, 9);
	add_problem(a, "frontmatter-invalid", "'tags' must be a list", 2, 1);
	add_problem(a, "invalid-input", "NUL byte", 9, 1);
	add_suppress(a, "invalid-input", 9, 9);
	build(v);

	run(v, "frontmatter-invalid", a);
	dump(v);
	assert_int_equal(v->out.len, 2);
	expect(v, 0, "frontmatter-invalid", 3, 2, "front matter YAML: bad indentation");
	expect(v, 1, "frontmatter-invalid", 2, 1, "'tags' must be a list");

	run(v, "invalid-input", a);
	assert_int_equal(v->out.len, 1);
	expect(v, 0, "invalid-input", 7, 9, "invalid UTF-8 at byte 120");
}

static void test_severity_from_config(void **state)
{
	tvault *v = *state;
	vl_note *a = mk_note(v, "a.md");

	add_link(a, VL_LINK_WIKI, "Missing", NULL, NULL, 1, 1);
	build(v);
	load_config(v, "rules:\n  broken-link: info\n");
	run(v, "broken-link", a);
	assert_int_equal(v->out.len, 1);
	assert_int_equal(v->out.items[0].severity, VL_SEV_INFO);
	expect(v, 0, "broken-link", 1, 1, "no note or file 'Missing'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_broken_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_heading_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dangling_block_ref, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_block_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_format_upper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_format_kebab_lower, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_spelling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_severity_from_config, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
