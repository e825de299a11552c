/*
 * test_cache.c: unit tests for src/cache.c. A note parsed from rich
 * Markdown survives a save and a load field by field; every kind of bad
 * file (corrupt payload, truncated, wrong version, empty, garbage) loads as
 * an empty cache without an error; a work-tree entry whose stat data
 * changed, or that is racy, is a miss.
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

#include "../../src/cache.h"
#include "../../src/note.h"

static const char rich[] =
	"---\n"
	"tags: [PAPER, code/c]\n"
	"aliases: [Rich One, R1]\n"
	"title: \"A rich note\"\n"
	"year: 2024\n"
	"---\n"
	"# Title with #intag\n"
	"\n"
	"Some text #tag1 and [[Other Note]] and [[Other Note#Section|alias]].\n"
	"A block ref [[Far#^blk]] and [[#Local heading]] and ![[img.png]].\n"
	"Markdown [md](sub/Note%20Two.md#Part) and ![alt](pics/a.png) and\n"
	"<https://example.org/x> and [url](https://example.org/y).\n"
	"\n"
	"## Local heading\n"
	"\n"
	"- item one #PAPER [[Item Link]] ^item-1\n"
	"  - sub item https://example.org/z\n"
	"\n"
	"Paragraph with id ^para-2\n"
	"\n"
	"%% vaultlint-disable-next-line broken-link %%\n"
	"[[Missing]]\n"
	"%% vaultlint-disable tag-format %%\n"
	"#bad_Tag\n"
	"\n"
	"```\n"
	"unterminated fence [[hidden]]\n";

static char g_dir[] = "/tmp/vl-test-cache-XXXXXX";

static char *cache_path(void)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/sub/cache", g_dir);
	return p;
}

static int setup(void **state)
{
	(void)state;
	strcpy(g_dir, "/tmp/vl-test-cache-XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void pos_eq(vl_pos a, vl_pos b)
{
	assert_int_equal(a.line, b.line);
	assert_int_equal(a.col, b.col);
}

static void tags_eq(const vl_note *a, const vl_note *b)
{
	size_t i;

	assert_int_equal(a->n_tags, b->n_tags);
	for (i = 0; i < a->n_tags; i++) {
		str_eq(a->tags[i].name, b->tags[i].name);
		pos_eq(a->tags[i].pos, b->tags[i].pos);
		assert_int_equal(a->tags[i].frontmatter, b->tags[i].frontmatter);
		assert_int_equal(a->tags[i].entry, b->tags[i].entry);
	}
	assert_int_equal(a->n_tag_counts, b->n_tag_counts);
	for (i = 0; i < a->n_tag_counts; i++) {
		str_eq(a->tag_counts[i].name, b->tag_counts[i].name);
		assert_int_equal(a->tag_counts[i].count, b->tag_counts[i].count);
	}
}

/* The tags of whole note a, as summary b counts them: each spelling
 * once (case kept), with the times a writes it. */
static void tags_counted(const vl_note *a, const vl_note *b)
{
	size_t i, k, times, total = 0, named = 0;

	assert_int_equal(b->n_tags, 0);
	for (i = 0; i < a->n_tags; i++)
		named += a->tags[i].name != NULL;
	for (i = 0; i < b->n_tag_counts; i++) {
		assert_non_null(b->tag_counts[i].name);
		for (k = 0; k < i; k++)
			assert_string_not_equal(b->tag_counts[k].name, b->tag_counts[i].name);
		for (k = times = 0; k < a->n_tags; k++)
			times += a->tags[k].name != NULL &&
				strcmp(a->tags[k].name, b->tag_counts[i].name) == 0;
		assert_int_equal(b->tag_counts[i].count, times);
		total += times;
	}
	assert_int_equal(total, named);
}

/* What a summary keeps (VL_CACHE_SUMMARY): the same in a and b. */
static void summary_eq(const vl_note *a, const vl_note *b)
{
	size_t i;

	str_eq(a->path, b->path);
	str_eq(a->name, b->name);
	assert_int_equal(a->has_frontmatter, b->has_frontmatter);
	assert_int_equal(a->n_lines, b->n_lines);
	assert_int_equal(a->size, b->size);
	assert_int_equal(b->n_entries, 0);
	assert_int_equal(a->n_headings, b->n_headings);
	for (i = 0; i < a->n_headings; i++) {
		str_eq(a->headings[i].text, b->headings[i].text);
		assert_int_equal(a->headings[i].level, b->headings[i].level);
		pos_eq(a->headings[i].pos, b->headings[i].pos);
	}
	assert_int_equal(a->n_blocks, b->n_blocks);
	for (i = 0; i < a->n_blocks; i++) {
		str_eq(a->blocks[i].id, b->blocks[i].id);
		pos_eq(a->blocks[i].pos, b->blocks[i].pos);
	}
	if (b->summary && !a->summary)
		tags_counted(a, b);
	else
		tags_eq(a, b);
	assert_int_equal(a->n_aliases, b->n_aliases);
	for (i = 0; i < a->n_aliases; i++)
		str_eq(a->aliases[i], b->aliases[i]);
}

static void links_eq(const vl_note *a, const vl_note *b)
{
	size_t i;

	assert_int_equal(a->n_links, b->n_links);
	for (i = 0; i < a->n_links; i++) {
		assert_int_equal(a->links[i].kind, b->links[i].kind);
		str_eq(a->links[i].target, b->links[i].target);
		str_eq(a->links[i].heading, b->links[i].heading);
		str_eq(a->links[i].block, b->links[i].block);
		str_eq(a->links[i].alias, b->links[i].alias);
		pos_eq(a->links[i].pos, b->links[i].pos);
		assert_int_equal(a->links[i].entry, b->links[i].entry);
	}
}

static void note_eq(const vl_note *a, const vl_note *b)
{
	size_t i;

	summary_eq(a, b);
	assert_int_equal(a->summary, 0);
	assert_int_equal(b->summary, 0);
	links_eq(a, b);
	assert_int_equal(a->n_suppress, b->n_suppress);
	for (i = 0; i < a->n_suppress; i++) {
		str_eq(a->suppress[i].rule, b->suppress[i].rule);
		assert_int_equal(a->suppress[i].first, b->suppress[i].first);
		assert_int_equal(a->suppress[i].last, b->suppress[i].last);
	}
	assert_int_equal(a->n_problems, b->n_problems);
	for (i = 0; i < a->n_problems; i++) {
		str_eq(a->problems[i].rule, b->problems[i].rule);
		str_eq(a->problems[i].message, b->problems[i].message);
		pos_eq(a->problems[i].pos, b->problems[i].pos);
	}
	assert_int_equal(a->n_props, b->n_props);
	for (i = 0; i < a->n_props; i++) {
		str_eq(a->props[i].key, b->props[i].key);
		str_eq(a->props[i].value, b->props[i].value);
		pos_eq(a->props[i].pos, b->props[i].pos);
	}
}

/* A source of one note known by blob id, and one work-tree file. */
static void make_src(vl_source *src, vl_file files[2])
{
	memset(src, 0, sizeof(*src));
	memset(files, 0, 2 * sizeof(*files));
	files[0].path = (char *)"Dir/Rich.md";
	files[0].is_note = 1;
	files[0].size = sizeof(rich) - 1;
	files[0].oid = "0123456789abcdef0123456789abcdef01234567";
	files[1].path = (char *)"Work.md";
	files[1].oid = "";
	files[1].is_note = 1;
	files[1].size = sizeof(rich) - 1;
	files[1].has_stat = 1;
	files[1].mtime_sec = 1000;
	files[1].mtime_nsec = 5;
	files[1].ctime_sec = 1000;
	files[1].ctime_nsec = 5;
	files[1].ino = 42;
	files[1].dev = 7;
	files[1].mode = 0100644;
	src->files = files;
	src->n_files = 2;
	src->root = (char *)"/vault/root";
}

/* Saves the rich note under both files' keys. */
static vl_note *save_rich(vl_source *src)
{
	vl_cache *c = NULL;
	vl_note *n = NULL, *got = NULL;
	vl_cache_stats st;
	vl_error err;

	assert_int_equal(vl_note_parse_ex(&n, "Dir/Rich.md", rich, sizeof(rich) - 1,
		VL_PARSE_NO_ENTRIES, &err), 0);
	assert_true(n->n_links >= 8 && n->n_tags >= 4 && n->n_problems >= 1 &&
		n->n_suppress >= 2 && n->n_props >= 4 && n->n_aliases == 2 &&
		n->n_blocks >= 2 && n->n_headings == 2);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	assert_int_equal(vl_cache_begin(c, src, &err), 0);
	assert_int_equal(vl_cache_get(c, src, &src->files[0], &got, &err), 0);
	assert_null(got);
	assert_int_equal(vl_cache_put(c, src, &src->files[0], n, &err), 0);
	assert_int_equal(vl_cache_put(c, src, &src->files[1], n, &err), 0);
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.written, 1);
	assert_int_equal(st.added, 2);
	vl_cache_free(c);
	return n;
}

static void test_round_trip(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *n, *got = NULL, *got2 = NULL;
	vl_cache *c = NULL;
	vl_cache_stats st;
	vl_error err;

	(void)state;
	make_src(&src, files);
	n = save_rich(&src);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.loaded, 2);
	assert_int_equal(st.invalid, 0);
	assert_int_equal(vl_cache_begin(c, &src, &err), 0);
	assert_int_equal(vl_cache_get(c, &src, &files[0], &got, &err), 1);
	note_eq(n, got);
	/* the work-tree entry was written after its mtime: trusted */
	assert_int_equal(vl_cache_get(c, &src, &files[1], &got2, &err), 1);
	assert_string_equal(got2->path, "Work.md");
	assert_string_equal(got2->name, "Work");
	assert_int_equal(got2->n_links, n->n_links);
	/* nothing changed: nothing written */
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.written, 0);
	vl_cache_free(c);
	vl_note_free(got);
	vl_note_free(got2);
	vl_note_free(n);
}

/* A summary (what the index needs of a note it does not check) keeps the
 * headings, block ids, tags and aliases, and nothing of the rest. */
static void test_summary(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *n, *got = NULL;
	vl_cache *c = NULL;
	vl_error err;

	(void)state;
	make_src(&src, files);
	n = save_rich(&src);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	assert_int_equal(vl_cache_get_ex(c, &src, &files[0], VL_CACHE_SUMMARY, &got, &err), 1);
	assert_int_equal(got->summary, 1);
	summary_eq(n, got);
	assert_true(n->n_links > 0 && n->n_props > 0 && n->n_problems > 0 && n->n_suppress > 0);
	assert_int_equal(got->n_links, 0);
	assert_int_equal(got->n_props, 0);
	assert_int_equal(got->n_problems, 0);
	assert_int_equal(got->n_suppress, 0);
	/* a summary's tags, encoded again (the check state stores summaries
	 * so), count the same: decoded whole, as many tags; as a summary,
	 * the same counts */
	{
		vl_buf b = VL_BUF_INIT;
		vl_note *again = NULL, *whole = NULL;
		size_t named = 0, i;

		for (i = 0; i < n->n_tags; i++)
			named += n->tags[i].name != NULL;
		assert_true(got->n_tag_counts > 0 && got->n_tag_counts < named);
		assert_int_equal(vl_cache_encode_note(&b, got), 0);
		assert_int_equal(vl_cache_decode_note(&again, "Dir/Rich.md",
			(const unsigned char *)b.ptr, b.len, VL_CACHE_SUMMARY), 0);
		tags_eq(got, again);
		assert_true(vl_note_same_tags(got, again));
		assert_false(vl_note_same_tags(got, n));
		assert_int_equal(vl_cache_decode_note(&whole, "Dir/Rich.md",
			(const unsigned char *)b.ptr, b.len, 0), 0);
		assert_int_equal(whole->n_tags, named);
		assert_int_equal(whole->n_tag_counts, 0);
		tags_counted(whole, got);
		vl_note_free(again);
		vl_note_free(whole);
		vl_buf_release(&b);
	}
	vl_note_free(got);
	got = NULL;
	/* the links alone: nothing else decoded */
	assert_int_equal(vl_cache_get_ex(c, &src, &files[0], VL_CACHE_LINKS, &got, &err), 1);
	links_eq(n, got);
	assert_true(n->n_headings > 0 && n->n_blocks > 0 && n->n_tags > 0 && n->n_aliases > 0);
	assert_int_equal(got->n_headings, 0);
	assert_int_equal(got->n_blocks, 0);
	assert_int_equal(got->n_tags, 0);
	assert_int_equal(got->n_aliases, 0);
	assert_int_equal(got->n_props + got->n_problems + got->n_suppress, 0);
	vl_note_free(got);
	got = NULL;
	/* the whole note is still there for a lookup without the flag */
	assert_int_equal(vl_cache_get(c, &src, &files[0], &got, &err), 1);
	assert_int_equal(got->summary, 0);
	note_eq(n, got);
	vl_note_free(got);
	vl_cache_free(c);
	vl_note_free(n);
}

static void test_stale_worktree(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *n, *got = NULL;
	vl_cache *c = NULL;
	vl_cache_stats st;
	vl_error err;
	struct stat sb;

	(void)state;
	make_src(&src, files);
	n = save_rich(&src);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	files[1].size++;
	assert_int_equal(vl_cache_get(c, &src, &files[1], &got, &err), 0);
	files[1].size--;
	files[1].mtime_nsec++;
	assert_int_equal(vl_cache_get(c, &src, &files[1], &got, &err), 0);
	files[1].mtime_nsec--;
	files[1].ino++;
	assert_int_equal(vl_cache_get(c, &src, &files[1], &got, &err), 0);
	files[1].ino--;
	assert_int_equal(vl_cache_get(c, &src, &files[1], &got, &err), 1);
	vl_note_free(got);
	got = NULL;
	vl_cache_free(c);

	/* racy: an entry whose mtime is not older than the cache file (here
	 * in the future) may have changed after it was read: never trusted */
	assert_int_equal(stat(cache_path(), &sb), 0);
	files[1].mtime_sec = sb.st_mtim.tv_sec + 1000;
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	assert_int_equal(vl_cache_begin(c, &src, &err), 0);
	assert_int_equal(vl_cache_put(c, &src, &files[1], n, &err), 0);
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_free(c);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	assert_int_equal(vl_cache_get(c, &src, &files[1], &got, &err), 0);
	assert_null(got);
	assert_int_equal(vl_cache_get(c, &src, &files[0], &got, &err), 1);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.invalid, 0);
	vl_note_free(got);
	vl_cache_free(c);
	vl_note_free(n);
}

/* Replaces the cache file's bytes; n may be less than the file (truncate). */
static void rewrite(const unsigned char *bytes, size_t n)
{
	FILE *f = fopen(cache_path(), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *slurp(size_t *n)
{
	FILE *f = fopen(cache_path(), "rb");
	unsigned char *b;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)len + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

/* The damaged cache file must open without error and never give a wrong
 * note: a lookup misses (a damaged header or framing loads nothing, a
 * damaged body fails its checksum) or, for a record the damage missed,
 * gives the note saved. A save must then replace it with a valid one. */
static void expect_empty(vl_source *src, vl_note *n)
{
	vl_cache *c = NULL;
	vl_note *got = NULL;
	vl_cache_stats st;
	vl_error err;
	size_t i, k;
	int r;
	static const struct {
		unsigned flags;
		void (*eq)(const vl_note *, const vl_note *);
	} kinds[] = {
		{ VL_CACHE_SUMMARY, summary_eq }, { VL_CACHE_LINKS, links_eq }, { 0, note_eq },
	};
	vl_note *want[2];

	/* the cache names a note after the file looked up */
	want[0] = n;
	assert_int_equal(vl_note_parse_ex(&want[1], src->files[1].path, rich,
		sizeof(rich) - 1, VL_PARSE_NO_ENTRIES, &err), 0);
	/* a summary decode and a links-only one read the same bytes other
	 * ways: never a wrong note either (each of a cache opened anew, as
	 * the corrupt mark then holds for all); the whole note last, with
	 * the cache then kept for the save */
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		vl_cache_free(c);
		assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
		for (i = 0; i < 2; i++) {
			r = vl_cache_get_ex(c, src, &src->files[i], kinds[k].flags, &got, &err);
			assert_true(r == 0 || r == 1);
			if (r == 1) {
				kinds[k].eq(want[i], got);
				vl_note_free(got);
				got = NULL;
			}
		}
	}
	vl_note_free(want[1]);
	assert_null(got);
	assert_int_equal(vl_cache_put(c, src, &src->files[0], n, &err), 0);
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_free(c);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	vl_cache_get_stats(c, &st);
	assert_true(st.loaded >= 1);
	assert_int_equal(st.invalid, 0);
	assert_int_equal(vl_cache_get(c, src, &src->files[0], &got, &err), 1);
	note_eq(n, got);
	vl_note_free(got);
	vl_cache_free(c);
}

/* Two notes, A and B (B by blob id), saved in the cache; the caller frees
 * *a and *b. */
static void save_a_b(vl_source *src, vl_file files[2], vl_note **a, vl_note **b)
{
	static const char a_text[] = "# A\n## Only in A\n", b_text[] = "# B\n## Only in B\n";
	vl_cache *c = NULL;
	vl_error err;

	make_src(src, files);
	files[1].oid = "fedcba9876543210fedcba9876543210fedcba98";
	files[1].has_stat = 0;
	assert_int_equal(vl_note_parse_ex(a, files[0].path, a_text, sizeof(a_text) - 1,
		VL_PARSE_NO_ENTRIES, &err), 0);
	assert_int_equal(vl_note_parse_ex(b, files[1].path, b_text, sizeof(b_text) - 1,
		VL_PARSE_NO_ENTRIES, &err), 0);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	assert_int_equal(vl_cache_put(c, src, &files[0], *a, &err), 0);
	assert_int_equal(vl_cache_put(c, src, &files[1], *b, &err), 0);
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_free(c);
}

/* Two records whose keys are swapped in the file (each checksum still
 * right for its body) must not give one blob's note for the other. */
static void test_swapped_keys(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *a = NULL, *b = NULL, *got = NULL;
	vl_cache *c = NULL;
	vl_error err;
	unsigned char *bytes, *pa, *pb, tmp[40];
	size_t len;
	int r;

	(void)state;
	save_a_b(&src, files, &a, &b);
	bytes = slurp(&len);
	pa = memmem(bytes, len, files[0].oid, 40);
	pb = memmem(bytes, len, files[1].oid, 40);
	assert_non_null(pa);
	assert_non_null(pb);
	memcpy(tmp, pa, 40);
	memcpy(pa, pb, 40);
	memcpy(pb, tmp, 40);
	rewrite(bytes, len);
	free(bytes);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	r = vl_cache_get(c, &src, &files[0], &got, &err);
	assert_true(r == 0 || (r == 1 && strcmp(got->headings[1].text, "Only in A") == 0));
	vl_note_free(got);
	got = NULL;
	r = vl_cache_get_ex(c, &src, &files[1], VL_CACHE_SUMMARY, &got, &err);
	assert_true(r == 0 || (r == 1 && strcmp(got->headings[1].text, "Only in B") == 0));
	vl_note_free(got);
	vl_cache_free(c);
	vl_note_free(a);
	vl_note_free(b);
}

/* The directory (after the records) names each record's place: two
 * entries with their places swapped, the directory's checksum made right
 * again, must not give one blob's note for the other either (a record's
 * own key is checked when it is read). */
static void test_swapped_places(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *a = NULL, *b = NULL, *got = NULL;
	vl_cache *c = NULL;
	vl_cache_stats st;
	vl_error err;
	unsigned char *bytes, *dir, tmp[8];
	uint32_t vlen, klen;
	uint64_t plen, dlen, sum;
	size_t len, e1, e2;
	int r;

	(void)state;
	save_a_b(&src, files, &a, &b);
	bytes = slurp(&len);
	memcpy(&vlen, bytes + 20, 4);
	memcpy(&plen, bytes + 24, 8);
	memcpy(&dlen, bytes + 32, 8);
	assert_int_equal(40 + vlen + plen + dlen, len);
	dir = bytes + 40 + vlen + plen;
	/* entries: u64 place, u32 length, u32 key length, key, NUL */
	e1 = 0;
	memcpy(&klen, dir + 12, 4);
	e2 = 16 + (size_t)klen + 1;
	assert_true(e2 + 16 < dlen);
	memcpy(tmp, dir + e1, 8);
	memcpy(dir + e1, dir + e2, 8);
	memcpy(dir + e2, tmp, 8);
	memcpy(tmp, dir + e1 + 8, 4);
	memcpy(dir + e1 + 8, dir + e2 + 8, 4);
	memcpy(dir + e2 + 8, tmp, 4);
	sum = vl_checksum64(dir, (size_t)dlen - 8);
	memcpy(dir + dlen - 8, &sum, 8);
	rewrite(bytes, len);
	free(bytes);
	/* each asked of a cache opened anew: the first miss marks a cache
	 * corrupt, and every later lookup would miss without reading */
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.invalid, 0);     /* the directory itself is sound */
	assert_int_equal(st.loaded, 2);
	r = vl_cache_get(c, &src, &files[0], &got, &err);
	assert_int_equal(r, 0);              /* the record there is B's */
	vl_cache_free(c);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	r = vl_cache_get_ex(c, &src, &files[1], VL_CACHE_SUMMARY, &got, &err);
	assert_int_equal(r, 0);              /* and A's is where B's should be */
	vl_cache_free(c);
	vl_note_free(a);
	vl_note_free(b);
}

static void test_bad_files(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *n;
	unsigned char *orig, *b;
	size_t len, i;
	unsigned seed = 12345;

	(void)state;
	make_src(&src, files);
	n = save_rich(&src);
	orig = slurp(&len);
	b = malloc(len);
	assert_non_null(b);

	/* a flipped byte in the payload, at several places */
	for (i = 60; i < len; i += len / 7 + 1) {
		memcpy(b, orig, len);
		b[i] ^= 0x5A;
		rewrite(b, len);
		expect_empty(&src, n);
	}
	/* truncated, at every few bytes */
	for (i = 0; i < len; i += 9) {
		rewrite(orig, i);
		expect_empty(&src, n);
	}
	/* a wrong format version and a wrong VL_VERSION */
	memcpy(b, orig, len);
	b[8] ^= 1;
	rewrite(b, len);
	expect_empty(&src, n);
	memcpy(b, orig, len);
	b[40] ^= 1;
	rewrite(b, len);
	expect_empty(&src, n);
	/* an empty file */
	rewrite(orig, 0);
	expect_empty(&src, n);
	/* random garbage, some of it with the right magic */
	for (i = 0; i < 20; i++) {
		size_t k;
		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			b[k] = (unsigned char)(seed >> 16);
		}
		if (i % 2)
			memcpy(b, orig, 40);
		rewrite(b, len);
		expect_empty(&src, n);
	}
	/* a folder where the file should be: empty, and the save fails cleanly */
	{
		vl_cache *c = NULL;
		vl_error err;
		char p[300];

		snprintf(p, sizeof(p), "%s/adir", g_dir);
		assert_int_equal(mkdir(p, 0700), 0);
		assert_int_equal(vl_cache_open(&c, p, &err), 0);
		assert_int_equal(vl_cache_put(c, &src, &files[0], n, &err), 0);
		assert_int_equal(vl_cache_save(c, &err), -1);
		vl_cache_free(c);
	}
	free(b);
	free(orig);
	vl_note_free(n);
}

/* Unused work-tree entries of a vault that was listed are dropped;
 * blob entries of other snapshots are kept. */
static void test_eviction(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *n, *got = NULL;
	vl_cache *c = NULL;
	vl_cache_stats st;
	vl_error err;

	(void)state;
	make_src(&src, files);
	n = save_rich(&src);
	/* a run that lists only the blob file... of a work tree at that root */
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	src.n_files = 2;
	assert_int_equal(vl_cache_begin(c, &src, &err), 0);
	assert_int_equal(vl_cache_get(c, &src, &files[0], &got, &err), 1);
	vl_note_free(got);
	got = NULL;
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.written, 1);      /* Work.md was not used: dropped */
	vl_cache_free(c);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.loaded, 1);
	/* a run that lists nothing of that root keeps the blob entry */
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.written, 0);
	vl_cache_free(c);
	vl_note_free(n);
}

/* Whether the folder dir holds an entry whose name has part in it. */
static int dir_has(const char *dir, const char *part)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "ls -a '%s' 2>/dev/null | grep -q -- '%s'", dir, part);
	return system(cmd) == 0;
}

/* Whether this process holds a scratch file open (its name is gone). */
static int scratch_open(void)
{
	char link[64], target[512];
	int fd, found = 0;

	for (fd = 0; fd < 1024 && !found; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strstr(target, ".scratch-") != NULL && strstr(target, "(deleted)") != NULL;
	}
	return found;
}

/* A cache path under a folder that is a file: no scratch file (nor
 * cache) can be made there. */
static void blocked_path(char *out, size_t n)
{
	FILE *fp;

	snprintf(out, n, "%s/afile", g_dir);
	fp = fopen(out, "w");
	assert_non_null(fp);
	fclose(fp);
	strncat(out, "/cache", n - strlen(out) - 1);
}

/* The records a run adds: in memory until they come to a batch (two do
 * not), then moved in one write to an unlinked scratch file beside the
 * cache (test_added_spilled); in memory when there can be none (the
 * cache's folder is a file). Either way, vl_cache_put_ex gives the
 * summary of the note put, a lookup with VL_CACHE_AGAIN gives the note
 * whole (and counts neither a hit nor a miss), and the save writes every
 * record. */
static void test_added_records(void **state)
{
	vl_source src;
	vl_file files[2];
	vl_note *n = NULL, *sum = NULL, *whole = NULL;
	vl_cache *c = NULL;
	vl_cache_stats st;
	vl_error err;
	char dir[300], blocked[300];
	int round;

	(void)state;
	make_src(&src, files);
	assert_int_equal(vl_note_parse_ex(&n, "Dir/Rich.md", rich, sizeof(rich) - 1,
		VL_PARSE_NO_ENTRIES, &err), 0);
	snprintf(dir, sizeof(dir), "%s/sub", g_dir);
	blocked_path(blocked, sizeof(blocked));
	for (round = 0; round < 3; round++) {
		/* 0: saved; 1: let go unsaved; 2: no scratch to be had */
		const char *path = round == 2 ? blocked : cache_path();
		size_t k;

		assert_int_equal(vl_cache_open(&c, path, &err), 0);
		assert_int_equal(vl_cache_begin(c, &src, &err), 0);
		/* not put yet: AGAIN finds nothing */
		assert_int_equal(vl_cache_get_ex(c, &src, &files[0], VL_CACHE_AGAIN, &whole,
			&err), 0);
		assert_null(whole);
		for (k = 0; k < 2; k++) {
			assert_int_equal(vl_cache_put_ex(c, &src, &files[k], n, VL_CACHE_SUMMARY,
				&sum, &err), 0);
			assert_non_null(sum);
			assert_int_equal(sum->summary, 1);
			assert_int_equal(sum->n_links, 0);
			assert_string_equal(sum->path, files[k].path);
			if (k == 0)
				summary_eq(n, sum);
			vl_note_free(sum);
			sum = NULL;
		}
		/* no flags: no summary */
		assert_int_equal(vl_cache_put_ex(c, &src, &files[0], n, 0, &sum, &err), 0);
		assert_null(sum);
		assert_false(dir_has(dir, "scratch"));
		assert_false(scratch_open());
		for (k = 0; k < 2; k++) {
			assert_int_equal(vl_cache_get_ex(c, &src, &files[k], VL_CACHE_AGAIN,
				&whole, &err), 1);
			if (k == 0)
				note_eq(n, whole);
			else
				links_eq(n, whole);
			vl_note_free(whole);
			whole = NULL;
		}
		/* and a summary the same way */
		assert_int_equal(vl_cache_get_ex(c, &src, &files[0],
			VL_CACHE_AGAIN | VL_CACHE_SUMMARY, &whole, &err), 1);
		summary_eq(n, whole);
		assert_int_equal(whole->summary, 1);
		vl_note_free(whole);
		whole = NULL;
		/* a file whose stat data changed since it was put: not it */
		files[1].size++;
		assert_int_equal(vl_cache_get_ex(c, &src, &files[1], VL_CACHE_AGAIN, &whole,
			&err), 0);
		files[1].size--;
		vl_cache_get_stats(c, &st);
		assert_int_equal(st.hits, 0);
		assert_int_equal(st.misses, 0);
		assert_int_equal(st.added, 2);
		if (round == 0) {
			assert_int_equal(vl_cache_save(c, &err), 0);
		} else if (round == 2) {
			assert_int_equal(vl_cache_save(c, &err), -1);
		}
		vl_cache_free(c);
		c = NULL;
		assert_false(dir_has(dir, "scratch"));
		assert_false(dir_has(g_dir, "scratch"));
		assert_false(scratch_open());
		if (round == 0) {
			/* what the save wrote: both records, read back whole */
			assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
			vl_cache_get_stats(c, &st);
			assert_int_equal(st.loaded, 2);
			assert_int_equal(vl_cache_get(c, &src, &files[0], &whole, &err), 1);
			note_eq(n, whole);
			vl_note_free(whole);
			whole = NULL;
			vl_cache_free(c);
			c = NULL;
			assert_int_equal(unlink(cache_path()), 0);
		}
	}
	vl_note_free(n);
}

/* A work-tree note whose stat data changed but whose bytes did not (a
 * touch, a fresh checkout with the cache kept) is found by its bytes'
 * fingerprint, whole, with neither a hit nor a miss counted; other
 * bytes, another path, or a record whose fingerprint is not known are
 * not found. */
static void test_by_bytes(void **state)
{
	vl_source src;
	vl_file files[2], nope;
	vl_note *n = NULL, *got = NULL;
	vl_cache *c = NULL;
	vl_cache_stats st;
	vl_error err;
	uint64_t fp[2], other[2], zero[2] = { 0, 0 };
	int known;

	(void)state;
	make_src(&src, files);
	assert_int_equal(vl_note_parse_ex(&n, "Work.md", rich, sizeof(rich) - 1,
		VL_PARSE_NO_ENTRIES, &err), 0);
	vl_fingerprint(fp, rich, sizeof(rich) - 1);
	vl_fingerprint(other, rich, sizeof(rich) - 2);
	for (known = 1; known >= 0; known--) {
		memcpy(n->content, known ? fp : zero, sizeof(fp));
		assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
		assert_int_equal(vl_cache_begin(c, &src, &err), 0);
		assert_int_equal(vl_cache_put(c, &src, &files[1], n, &err), 0);
		assert_int_equal(vl_cache_save(c, &err), 0);
		vl_cache_free(c);
		/* touched: the stat data is another */
		files[1].mtime_nsec++;
		assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
		assert_int_equal(vl_cache_get(c, &src, &files[1], &got, &err), 0);
		assert_null(got);
		assert_int_equal(vl_cache_get_by_bytes(c, NULL, &src, &files[1], fp, &got, &err),
			known);
		if (known) {
			note_eq(n, got);
			assert_memory_equal(got->content, fp, sizeof(fp));
			vl_note_free(got);
			got = NULL;
		}
		assert_null(got);
		assert_int_equal(vl_cache_get_by_bytes(c, NULL, &src, &files[1], other, &got, &err), 0);
		assert_int_equal(vl_cache_get_by_bytes(c, NULL, &src, &files[1], zero, &got, &err), 0);
		nope = files[1];
		nope.path = (char *)"Nope.md";
		assert_int_equal(vl_cache_get_by_bytes(c, NULL, &src, &nope, fp, &got, &err), 0);
		assert_null(got);
		vl_cache_get_stats(c, &st);
		assert_int_equal(st.hits, 0);
		assert_int_equal(st.misses, 1);
		assert_int_equal(st.by_bytes, (size_t)known);
		vl_cache_free(c);
	}
	assert_int_equal(vl_cache_get_by_bytes(NULL, NULL, &src, &files[1], fp, &got, &err), 0);
	vl_note_free(n);
}

/* Records added by the thousand are moved to the scratch file in
 * batches (nothing of it left in the folder): each is read back whole
 * with VL_CACHE_AGAIN, in the order put and backwards, and the save
 * writes them all; where there can be no scratch file (the cache's
 * folder is a file) they stay in memory and read back the same. */
static void test_added_spilled(void **state)
{
	enum { N = 1500 };
	static vl_file files[N];
	static char paths[N][32], oids[N][41];
	vl_source src;
	vl_note *notes[N], *got = NULL;
	vl_cache *c = NULL;
	vl_cache_reader rd;
	vl_cache_stats st;
	vl_error err;
	char blocked[300];
	size_t i, k;
	int round;

	(void)state;
	memset(&src, 0, sizeof(src));
	memset(files, 0, sizeof(files));
	memset(&rd, 0, sizeof(rd));
	for (i = 0; i < N; i++) {
		char text[256];

		snprintf(paths[i], sizeof(paths[i]), "s/%zu.md", i);
		files[i].path = paths[i];
		files[i].is_note = 1;
		snprintf(oids[i], sizeof(oids[i]), "%040zx", i + 7);
		files[i].oid = oids[i];
		snprintf(text, sizeof(text), "# Note %zu\n## Part %zu\n[[Other %zu#Part]] [[Far %zu]] "
			"^b%zu #tag%zu\n- [Paper %zu](https://example.org/%zu)\n", i, i, i, i, i, i, i, i);
		assert_int_equal(vl_note_parse_ex(&notes[i], paths[i], text, strlen(text),
			VL_PARSE_NO_ENTRIES, &err), 0);
	}
	src.files = files;
	src.n_files = N;
	src.root = (char *)"/vault/root";
	blocked_path(blocked, sizeof(blocked));
	for (round = 0; round < 2; round++) {
		/* 0: a scratch file, saved; 1: none to be had */
		assert_int_equal(vl_cache_open(&c, round == 0 ? cache_path() : blocked, &err), 0);
		assert_int_equal(vl_cache_begin(c, &src, &err), 0);
		for (i = 0; i < N; i++)
			assert_int_equal(vl_cache_put(c, &src, &files[i], notes[i], &err), 0);
		assert_int_equal(scratch_open(), round == 0);
		assert_false(dir_has(g_dir, "scratch"));
		/* a read each, then through a reader's window (forwards, then
		 * backwards, and forwards again) */
		for (k = 0; k < 4 * N; k++) {
			i = k < N || (k >= 2 * N && k < 3 * N) ? k % N : N - 1 - k % N;
			assert_int_equal(vl_cache_get_via(c, k < N ? NULL : &rd, &src, &files[i],
				VL_CACHE_AGAIN, &got, &err), 1);
			note_eq(notes[i], got);
			vl_note_free(got);
			got = NULL;
		}
		vl_cache_reader_release(&rd);
		vl_cache_get_stats(c, &st);
		assert_int_equal(st.added, N);
		assert_int_equal(vl_cache_save(c, &err), round == 0 ? 0 : -1);
		vl_cache_free(c);
		c = NULL;
		assert_false(scratch_open());
		assert_false(dir_has(g_dir, "scratch"));
	}
	/* what the save wrote: every record, read back whole */
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	vl_cache_get_stats(c, &st);
	assert_int_equal(st.loaded, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(vl_cache_get(c, &src, &files[i], &got, &err), 1);
		note_eq(notes[i], got);
		vl_note_free(got);
		got = NULL;
	}
	vl_cache_free(c);
	for (i = 0; i < N; i++)
		vl_note_free(notes[i]);
}

/* Lookups through a reader (a window onto the file, vl_cache_reader) give
 * the notes that lookups without one give: many records, in order and
 * out of it, one larger than a window, two caches through one reader,
 * and a file cut short after it was opened (a miss, not stale bytes past
 * the window it had). */
static void test_reader(void **state)
{
	enum { N = 600 };
	static vl_file files[N + 1];
	static char paths[N + 1][32], oids[N + 1][41];
	vl_source src;
	vl_cache *c = NULL, *c2 = NULL;
	vl_cache_reader rd;
	vl_note *notes[N + 1], *got = NULL, *want = NULL;
	vl_buf big = VL_BUF_INIT;
	vl_error err;
	size_t i, k;
	int r;

	(void)state;
	memset(&src, 0, sizeof(src));
	memset(files, 0, sizeof(files));
	memset(&rd, 0, sizeof(rd));
	/* note N is larger than a window: 300 KB of links */
	for (i = 0; i < 12000; i++)
		assert_int_equal(vl_buf_printf(&big, "[[Target number %zu]]\n", i), 0);
	for (i = 0; i <= N; i++) {
		char text[128];

		snprintf(paths[i], sizeof(paths[i]), "n/%zu.md", i);
		files[i].path = paths[i];
		files[i].is_note = 1;
		snprintf(oids[i], sizeof(oids[i]), "%040zx", i + 1);
		files[i].oid = oids[i];
		snprintf(text, sizeof(text), "# H%zu\n[[Other %zu#Part]] ^b%zu #tag%zu\n", i, i, i, i);
		if (i == N)
			r = vl_note_parse_ex(&notes[i], paths[i], big.ptr, big.len,
				VL_PARSE_NO_ENTRIES, &err);
		else
			r = vl_note_parse_ex(&notes[i], paths[i], text, strlen(text),
				VL_PARSE_NO_ENTRIES, &err);
		assert_int_equal(r, 0);
	}
	assert_true(notes[N]->n_links == 12000);
	src.files = files;
	src.n_files = N + 1;
	src.root = (char *)"/vault/root";
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	assert_int_equal(vl_cache_begin(c, &src, &err), 0);
	for (i = 0; i <= N; i++)
		assert_int_equal(vl_cache_put(c, &src, &files[i], notes[i], &err), 0);
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_cache_free(c);
	assert_int_equal(vl_cache_open(&c, cache_path(), &err), 0);
	assert_int_equal(vl_cache_open(&c2, cache_path(), &err), 0);
	/* in order, backwards, and hopping: every note as it was put */
	for (k = 0; k < 3 * (N + 1); k++) {
		size_t at = k <= N ? k : k <= 2 * N + 1 ? 2 * N + 1 - k : (k * 7919) % (N + 1);
		vl_cache *from = k % 5 == 0 ? c2 : c;

		assert_int_equal(vl_cache_get_via(from, &rd, &src, &files[at], 0, &got, &err), 1);
		assert_int_equal(vl_cache_get_via(from, NULL, &src, &files[at], 0, &want, &err), 1);
		note_eq(want, got);
		assert_int_equal(got->n_links, notes[at]->n_links);
		vl_note_free(got);
		vl_note_free(want);
		got = want = NULL;
	}
	/* cut short: what the window holds of the old bytes may be read, what
	 * is past the cut is a miss, never a wrong note */
	assert_int_equal(truncate(cache_path(), 4096), 0);
	for (i = 0; i <= N; i++) {
		r = vl_cache_get_via(c, &rd, &src, &files[i], 0, &got, &err);
		assert_true(r == 0 || r == 1);
		if (r == 1) {
			assert_string_equal(got->path, paths[i]);
			assert_int_equal(got->n_links, notes[i]->n_links);
			assert_int_equal(got->n_headings, notes[i]->n_headings);
		}
		vl_note_free(got);
		got = NULL;
	}
	assert_int_equal(vl_cache_get_via(c, &rd, &src, &files[N], 0, &got, &err), 0);
	assert_null(got);
	vl_cache_reader_release(&rd);
	vl_cache_reader_release(&rd);
	vl_cache_reader_release(NULL);
	vl_cache_free(c);
	vl_cache_free(c2);
	for (i = 0; i <= N; i++)
		vl_note_free(notes[i]);
	vl_buf_release(&big);
}

static void test_null(void **state)
{
	(void)state;
	vl_cache_free(NULL);
	assert_int_equal(vl_cache_save(NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_places, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_worktree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_added_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_added_spilled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_by_bytes, setup, teardown),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
