/*
 * cache.c: the persistent cache of parsed notes (see cache.h).
 *
 * File format (host byte order: the file never leaves the machine that
 * wrote it, and another order fails a checksum or a bound check):
 *
 *   header    "VLNCACHE", u32 format, u32 parser flags, u32 record count,
 *             u32 length of the program's name, u64 payload length,
 *             u64 directory length, then the name: VL_VERSION, a newline
 *             and the program's identity (vl_program_identity: every
 *             object loaded, by build id), so that another build, whose
 *             parser may read a note otherwise, never takes this one's
 *             parses (CACHE_FORMAT need not be remembered)
 *   payload   records, each: u32 key length, key, NUL, stat (u64 size,
 *             i64 mtime s, u32 mtime ns, i64 ctime s, u32 ctime ns, u64
 *             ino, u64 dev, u32 mode), u32 body length, u64 checksum of
 *             the record (of the bytes before it, and of the body), body
 *   directory per record, in payload order: u64 its offset in the
 *             payload, u32 its length, u32 key length, key, NUL; then a
 *             u64 checksum of the directory's bytes before it
 *
 * A key is "o<blob id>" or "w<absolute path>". A body is the note's
 * symbols: counts, then per item its strings (u32 length, or 0xFFFFFFFF
 * for NULL, then the bytes) and plain integers. Opening the file reads
 * the header and the directory only (a cache of hundreds of MB has a
 * directory of a few: its records are not touched). A record is read
 * whole when its note is looked up, on the loader's threads: its key must
 * be the directory's, its framing right and its checksum match, and its
 * body is decoded with every read bounds-checked. A record that fails
 * marks the cache corrupt: every later lookup misses and the save
 * rewrites it from what this run parsed.
 *
 * Saving copies the raw bytes of old records that are kept from the old
 * file to the new one inside the kernel (copy_file_range), so an unchanged
 * note costs neither a re-encoding nor the process's memory. A record
 * added is written to an unlinked scratch file beside the cache as soon
 * as it is encoded, and copied from there the same way: a first run over
 * a large vault holds none of them.
 */
#include "cache.h"
#include "memo.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VL_VERSION
#define VL_VERSION "dev"
#endif

#define CACHE_MAGIC "VLNCACHE"
#define CACHE_FORMAT 9u          /* bumped whenever a note parses otherwise */
#define CACHE_FLAGS 1u          /* VL_PARSE_NO_ENTRIES */
#define HEADER_FIXED 40
#define STAT_BYTES 52
#define NOTE_HEAD 29            /* front matter, lines, size, content */
#define NSTR VL_NULL_STR

typedef struct cache_stat {
	uint64_t size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
	uint64_t ino, dev;
	uint32_t mode;
} cache_stat;

/* A record of the loaded file, as its directory says. */
typedef struct cache_rec {
	const char *key;               /* NUL-terminated, in the cache's keys */
	uint64_t raw_off;              /* the whole record's place in the file */
	size_t raw_len;
} cache_rec;

/* A record added by this run, encoded whole: in memory (raw), or at
 * offset off of the cache's scratch file (raw NULL). */
typedef struct cache_new {
	char *key;
	unsigned char *raw;
	size_t raw_len;
	uint64_t off;
} cache_new;

struct vl_cache {
	char *path;
	char *program;                 /* the header's name of the program */
	size_t program_len;
	int fd;                        /* the file read, kept open for the save */
	char *keys;                    /* every record's key, one after another */
	int64_t file_mtime_sec;        /* when the file was written */
	uint32_t file_mtime_nsec;
	cache_rec *recs;
	size_t n_recs;
	atomic_uchar *used;            /* one flag per record */
	vl_map map;                    /* key -> cache_rec */
	int invalid;
	atomic_int corrupt;
	atomic_size_t hits, misses, by_bytes;

	pthread_mutex_t lock;          /* guards what follows */
	cache_new *news;
	size_t n_news, cap_news;
	vl_map new_map;                /* key -> its index in news, plus 1 */
	/* The records added are written to a scratch file as they come
	 * (vl_scratch_open, beside the cache's file), and copied from it
	 * into the new file by the save: a first run over a large vault
	 * would otherwise hold the encoding of every note until the end. */
	int scratch_fd;                /* -1: none yet, or none to be had */
	int scratch_tried;
	uint64_t scratch_len;
	size_t spill_from;             /* news from here on: not yet moved */
	size_t spill_bytes;            /* their bytes */
	char **roots;                  /* "w<root>/" of the work trees begun */
	size_t n_roots, cap_roots;
	int written;
	uint64_t id;                   /* tells caches apart for readers */
};

static atomic_uint_fast64_t next_cache_id;

/* ---- encoding ---- */

static int put_u8(vl_buf *b, unsigned v)
{
	char c = (char)(unsigned char)v;

	return vl_buf_put(b, &c, 1);
}

static int put_pos(vl_buf *b, vl_pos p)
{
	return vl_buf_put_u32(b, p.line) < 0 || vl_buf_put_u32(b, p.col) < 0 ? -1 : 0;
}

static const char *const problem_rules[] = { "invalid-input", "frontmatter-invalid",
	"tag-format" };

int vl_cache_encode_note(vl_buf *b, const vl_note *note)
{
	size_t i, k, n_tags;

	if (put_u8(b, (note->has_frontmatter ? 1u : 0u) | (note->unread ? 2u : 0u)) < 0 ||
	    vl_buf_put_u32(b, note->n_lines) < 0 ||
	    vl_buf_put_u64(b, note->size) < 0 || vl_buf_put_u64(b, note->content[0]) < 0 ||
	    vl_buf_put_u64(b, note->content[1]) < 0)
		return -1;
	if (vl_buf_put_u32(b, (uint32_t)note->n_headings) < 0)
		return -1;
	for (i = 0; i < note->n_headings; i++) {
		const vl_heading *h = &note->headings[i];
		if (vl_buf_put_lstr(b, h->text) < 0 || vl_buf_put_u32(b, (uint32_t)h->level) < 0 ||
		    put_pos(b, h->pos) < 0)
			return -1;
	}
	if (vl_buf_put_u32(b, (uint32_t)note->n_blocks) < 0)
		return -1;
	for (i = 0; i < note->n_blocks; i++)
		if (vl_buf_put_lstr(b, note->blocks[i].id) < 0 || put_pos(b, note->blocks[i].pos) < 0)
			return -1;
	/* a summary's tags (tag_counts) as that many tags each, with no
	 * place: what the tally of a decoded summary counts again */
	n_tags = note->n_tags;
	for (i = 0; i < note->n_tag_counts; i++)
		n_tags += note->tag_counts[i].count;
	if (n_tags > UINT32_MAX || vl_buf_put_u32(b, (uint32_t)n_tags) < 0)
		return -1;
	for (i = 0; i < note->n_tags; i++) {
		const vl_tag *t = &note->tags[i];
		if (vl_buf_put_lstr(b, t->name) < 0 || put_pos(b, t->pos) < 0 ||
		    put_u8(b, t->frontmatter ? 1 : 0) < 0 || vl_buf_put_u32(b, (uint32_t)t->entry) < 0)
			return -1;
	}
	for (i = 0; i < note->n_tag_counts; i++)
		for (k = 0; k < note->tag_counts[i].count; k++)
			if (vl_buf_put_lstr(b, note->tag_counts[i].name) < 0 ||
			    put_pos(b, (vl_pos){ 0, 0 }) < 0 || put_u8(b, 0) < 0 ||
			    vl_buf_put_u32(b, (uint32_t)-1) < 0)
				return -1;
	if (vl_buf_put_u32(b, (uint32_t)note->n_links) < 0)
		return -1;
	for (i = 0; i < note->n_links; i++) {
		const vl_link *l = &note->links[i];
		if (put_u8(b, (unsigned)l->kind) < 0 || vl_buf_put_lstr(b, l->target) < 0 ||
		    vl_buf_put_lstr(b, l->heading) < 0 || vl_buf_put_lstr(b, l->block) < 0 ||
		    vl_buf_put_lstr(b, l->alias) < 0 || put_pos(b, l->pos) < 0 ||
		    vl_buf_put_u32(b, (uint32_t)l->entry) < 0)
			return -1;
	}
	if (vl_buf_put_u32(b, (uint32_t)note->n_suppress) < 0)
		return -1;
	for (i = 0; i < note->n_suppress; i++) {
		const vl_suppress *s = &note->suppress[i];
		if (vl_buf_put_lstr(b, s->rule) < 0 || vl_buf_put_u32(b, s->first) < 0 || vl_buf_put_u32(b, s->last) < 0)
			return -1;
	}
	if (vl_buf_put_u32(b, (uint32_t)note->n_problems) < 0)
		return -1;
	for (i = 0; i < note->n_problems; i++) {
		const vl_problem *p = &note->problems[i];
		for (k = 0; k < sizeof(problem_rules) / sizeof(*problem_rules); k++)
			if (p->rule && strcmp(p->rule, problem_rules[k]) == 0)
				break;
		if (k == sizeof(problem_rules) / sizeof(*problem_rules))
			return 1;
		if (put_u8(b, (unsigned)k) < 0 || vl_buf_put_lstr(b, p->message) < 0 ||
		    put_pos(b, p->pos) < 0)
			return -1;
	}
	if (vl_buf_put_u32(b, (uint32_t)note->n_props) < 0)
		return -1;
	for (i = 0; i < note->n_props; i++) {
		const vl_property *p = &note->props[i];
		if (vl_buf_put_lstr(b, p->key) < 0 || vl_buf_put_lstr(b, p->value) < 0 || put_pos(b, p->pos) < 0)
			return -1;
	}
	if (vl_buf_put_u32(b, (uint32_t)note->n_aliases) < 0)
		return -1;
	for (i = 0; i < note->n_aliases; i++)
		if (vl_buf_put_lstr(b, note->aliases[i]) < 0)
			return -1;
	return 0;
}

/* ---- decoding, bounds-checked ---- */

static unsigned get_u8(vl_reader *r)
{
	if (r->bad || r->p >= r->end) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

static vl_pos get_pos(vl_reader *r)
{
	vl_pos p;

	p.line = vl_read_u32(r);
	p.col = vl_read_u32(r);
	return p;
}

/* A string into the note's arena; NULL for a NULL string or on error
 * (r->bad tells them apart; *oom is set when the arena failed). */
static char *get_str(vl_reader *r, vl_arena *a, int *oom)
{
	uint32_t n = vl_read_u32(r);
	char *s;

	if (r->bad || n == NSTR)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	s = vl_arena_strndup(a, (const char *)r->p, n);
	if (s == NULL) {
		*oom = 1;
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return s;
}

/* A count of items of at least min bytes each, which must fit in what is
 * left, and the array for them (NULL for 0), zeroed, in the note's arena
 * (a decoded note is never grown: see vl_note.packed). */
static void *get_array(vl_reader *r, vl_arena *a, size_t *n, size_t min, size_t elem,
	int *oom)
{
	uint32_t c = vl_read_u32(r);
	void *p;

	*n = 0;
	if (r->bad)
		return NULL;
	if (c > (size_t)(r->end - r->p) / min) {
		r->bad = 1;
		return NULL;
	}
	if (c == 0)
		return NULL;
	p = c <= SIZE_MAX / elem ? vl_arena_alloc(a, c * elem) : NULL;
	if (p == NULL) {
		*oom = 1;
		r->bad = 1;
		return NULL;
	}
	memset(p, 0, c * elem);
	*n = c;
	return p;
}

/* Passes over a string of the body without keeping it; adds the bytes
 * its copy would take (with its NUL) to *bytes, unless bytes is NULL. */
static void skip_str(vl_reader *r, size_t *bytes)
{
	uint32_t n = vl_read_u32(r);

	if (n == NSTR || r->bad)
		return;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
	} else {
		r->p += n;
		if (bytes != NULL)
			*bytes += (size_t)n + 1;
	}
}

/* Passes over an array's count and its items, each made of the strings
 * and fixed bytes that shape[] lists in order ('s' a string, a digit that
 * many bytes, 'k' a link kind and 'p' a problem's rule, a byte each,
 * checked as the decode checks them: a record that a decode rejects is
 * rejected however it is read), without keeping them; adds what its
 * strings' copies would take to *bytes, unless bytes is NULL. Returns
 * the count. */
static uint32_t walk_array(vl_reader *r, size_t min, const char *shape, size_t *bytes)
{
	uint32_t n = vl_read_u32(r), i;
	const char *k;

	if (r->bad || n > (size_t)(r->end - r->p) / min) {
		r->bad = 1;
		return 0;
	}
	for (i = 0; i < n && !r->bad; i++)
		for (k = shape; *k && !r->bad; k++) {
			if (*k == 's') {
				skip_str(r, bytes);
			} else if (*k == 'k') {
				if (get_u8(r) > VL_LINK_URL)
					r->bad = 1;
			} else if (*k == 'p') {
				if (get_u8(r) >= sizeof(problem_rules) / sizeof(*problem_rules))
					r->bad = 1;
			} else if ((size_t)(r->end - r->p) < (size_t)(*k - '0')) {
				r->bad = 1;
			} else {
				r->p += *k - '0';
			}
		}
	return n;
}

static void skip_array(vl_reader *r, size_t min, const char *shape)
{
	walk_array(r, min, shape, NULL);
}

/* The shapes of a note record's arrays after its 13-byte head, in order
 * (see vl_cache_encode_note), with each one's least size, the size of its
 * decoded items, and which decodes keep it. */
static const struct {
	size_t min;
	const char *shape;
	size_t elem;
	unsigned skipped_by;  /* the flags that pass over it */
} note_arrays[] = {
	{ 16, "s48", sizeof(vl_heading), VL_CACHE_LINKS },
	{ 12, "s8", sizeof(vl_block), VL_CACHE_LINKS },
	{ 17, "s814", sizeof(vl_tag), VL_CACHE_LINKS | VL_CACHE_SUMMARY }, /* a summary: tag_counts */
	{ 29, "kssss84", sizeof(vl_link), VL_CACHE_SUMMARY },
	{ 12, "s44", sizeof(vl_suppress), VL_CACHE_SUMMARY | VL_CACHE_LINKS },
	{ 13, "ps8", sizeof(vl_problem), VL_CACHE_SUMMARY | VL_CACHE_LINKS },
	{ 16, "ss8", sizeof(vl_property), VL_CACHE_SUMMARY | VL_CACHE_LINKS },
	{ 4, "s", sizeof(char *), VL_CACHE_LINKS },                    /* aliases */
};

/* The bytes that a decode with flags puts in the note's arena (its
 * arrays, each aligned, and its strings, each with its NUL), so that the
 * arena can be one piece; 0 for a record that does not parse (the decode
 * then finds it bad). */
static size_t decoded_bytes(const unsigned char *body, size_t len, unsigned flags)
{
	vl_reader r = { body, body + len, 0 };
	size_t i, bytes = 0;

	if (len < NOTE_HEAD)
		return 0;
	/* the links only: what else the flags say is passed over */
	if (flags & VL_CACHE_LINKS)
		flags &= ~(unsigned)VL_CACHE_SUMMARY;
	r.p += NOTE_HEAD;
	for (i = 0; i < sizeof(note_arrays) / sizeof(*note_arrays) && !r.bad; i++) {
		int kept = !(note_arrays[i].skipped_by & flags);
		uint32_t n = walk_array(&r, note_arrays[i].min, note_arrays[i].shape,
			kept ? &bytes : NULL);

		/* an array's items, and room to align it */
		if (kept && !r.bad && n > 0)
			bytes += (size_t)n * note_arrays[i].elem + 15;
	}
	return r.bad ? 0 : bytes;
}

/* A summary's tags, each spelling once with its count: the distinct
 * names of the body's tag array (pointers into the body), sorted, and
 * the bytes they take in the note's arena. */
typedef struct tag_ref {
	const unsigned char *p;
	uint32_t len;
	uint32_t count;
} tag_ref;

typedef struct tag_refs {
	tag_ref *v;
	size_t n;          /* distinct spellings */
	size_t bytes;
} tag_refs;

static int cmp_tag_ref(const void *a, const void *b)
{
	const tag_ref *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->p, y->p, x->len);
}

/* Finds the tags of body (see tag_refs). Returns 0, or -1 when out of
 * memory; a body that does not parse gives none (the decode finds it
 * bad). */
static int collect_tags(const unsigned char *body, size_t len, tag_refs *tc)
{
	vl_reader r = { body, body + len, 0 };
	uint32_t c, n, i, k;

	memset(tc, 0, sizeof(*tc));
	if (len < NOTE_HEAD)
		return 0;
	r.p += NOTE_HEAD;
	skip_array(&r, 16, "s48");       /* headings */
	skip_array(&r, 12, "s8");        /* block ids */
	c = vl_read_u32(&r);
	if (r.bad || c == 0 || c > (size_t)(r.end - r.p) / 17)
		return 0;
	tc->v = malloc(c * sizeof(*tc->v));
	if (tc->v == NULL)
		return -1;
	for (i = n = 0; i < c && !r.bad; i++) {
		uint32_t sl = vl_read_u32(&r);

		if (r.bad)
			break;
		if (sl != NSTR) {
			if ((size_t)(r.end - r.p) < sl) {
				r.bad = 1;
				break;
			}
			/* a name is a C string: to its first NUL, if any */
			tc->v[n].p = r.p;
			tc->v[n].len = (uint32_t)strnlen((const char *)r.p, sl);
			tc->v[n++].count = 1;
			r.p += sl;
		}
		/* the place, front matter flag and entry */
		if ((size_t)(r.end - r.p) < 13)
			r.bad = 1;
		else
			r.p += 13;
	}
	if (r.bad || n == 0) {
		free(tc->v);
		tc->v = NULL;
		return 0;
	}
	qsort(tc->v, n, sizeof(*tc->v), cmp_tag_ref);
	for (i = 0, k = 0; i < n; i++) {
		if (k > 0 && cmp_tag_ref(&tc->v[k - 1], &tc->v[i]) == 0) {
			tc->v[k - 1].count++;
			continue;
		}
		tc->v[k++] = tc->v[i];
		tc->bytes += (size_t)tc->v[i].len + 1;
	}
	tc->n = k;
	tc->bytes += k * sizeof(vl_tag_count) + 15;
	return 0;
}

/* note's tag_counts from tc, in its arena. Returns 0 or -1. */
static int fill_tag_counts(vl_note *note, const tag_refs *tc)
{
	size_t i;

	if (tc->n == 0)
		return 0;
	note->tag_counts = vl_arena_alloc(&note->arena, tc->n * sizeof(*note->tag_counts));
	if (note->tag_counts == NULL)
		return -1;
	for (i = 0; i < tc->n; i++) {
		note->tag_counts[i].name = vl_arena_strndup(&note->arena,
			(const char *)tc->v[i].p, tc->v[i].len);
		if (note->tag_counts[i].name == NULL)
			return -1;
		note->tag_counts[i].count = tc->v[i].count;
	}
	note->n_tag_counts = tc->n;
	return 0;
}

int vl_cache_decode_note(vl_note **out, const char *path, const unsigned char *body,
	size_t len, unsigned flags)
{
	vl_reader r = { body, body + len, 0 };
	tag_refs tc = { NULL, 0, 0 };
	vl_note *note;
	size_t i;
	int oom = 0;

	*out = NULL;
	if ((flags & VL_CACHE_SUMMARY) && !(flags & VL_CACHE_LINKS) &&
	    collect_tags(body, len, &tc) < 0)
		return -1;
	note = vl_note_new_ex(path, decoded_bytes(body, len, flags) + tc.bytes);
	if (note == NULL) {
		free(tc.v);
		return -1;
	}
	note->packed = 1;
	i = get_u8(&r);
	note->has_frontmatter = (int)(i & 1);
	note->unread = (int)(i >> 1 & 1);
	note->n_lines = vl_read_u32(&r);
	note->size = vl_read_u64(&r);
	note->content[0] = vl_read_u64(&r);
	note->content[1] = vl_read_u64(&r);
	if (flags & VL_CACHE_LINKS) {
		/* headings, block ids, tags: passed over */
		skip_array(&r, 16, "s48");       /* text, level, pos */
		skip_array(&r, 12, "s8");        /* id, pos */
		skip_array(&r, 17, "s814");      /* name, pos, front matter, entry */
		goto links;
	}

	note->headings = get_array(&r, &note->arena, &note->n_headings, 16,
		sizeof(*note->headings), &oom);
	for (i = 0; i < note->n_headings && !r.bad; i++) {
		vl_heading *h = &note->headings[i];
		h->text = get_str(&r, &note->arena, &oom);
		h->level = (int)vl_read_u32(&r);
		h->pos = get_pos(&r);
	}
	note->blocks = get_array(&r, &note->arena, &note->n_blocks, 12,
		sizeof(*note->blocks), &oom);
	for (i = 0; i < note->n_blocks && !r.bad; i++) {
		note->blocks[i].id = get_str(&r, &note->arena, &oom);
		note->blocks[i].pos = get_pos(&r);
	}
	if (flags & VL_CACHE_SUMMARY) {
		/* each spelling once, counted (collect_tags found them) */
		skip_array(&r, 17, "s814");
		if (!r.bad && fill_tag_counts(note, &tc) < 0) {
			oom = 1;
			r.bad = 1;
		}
	} else {
		note->tags = get_array(&r, &note->arena, &note->n_tags, 17,
			sizeof(*note->tags), &oom);
	}
	for (i = 0; i < note->n_tags && !r.bad; i++) {
		vl_tag *t = &note->tags[i];
		t->name = get_str(&r, &note->arena, &oom);
		t->pos = get_pos(&r);
		t->frontmatter = (int)get_u8(&r);
		t->entry = (int)(int32_t)vl_read_u32(&r);
	}
	if (flags & VL_CACHE_SUMMARY) {
		/* links, suppressions, problems, properties: passed over */
		note->summary = 1;
		skip_array(&r, 29, "kssss84");   /* kind, 4 strings, pos, entry */
		skip_array(&r, 12, "s44");       /* rule, first, last */
		skip_array(&r, 13, "ps8");       /* rule, message, pos */
		skip_array(&r, 16, "ss8");       /* key, value, pos */
		goto aliases;
	}
links:
	note->links = get_array(&r, &note->arena, &note->n_links, 29,
		sizeof(*note->links), &oom);
	for (i = 0; i < note->n_links && !r.bad; i++) {
		vl_link *l = &note->links[i];
		unsigned kind = get_u8(&r);
		if (kind > VL_LINK_URL)
			r.bad = 1;
		l->kind = (vl_link_kind)kind;
		l->target = get_str(&r, &note->arena, &oom);
		l->heading = get_str(&r, &note->arena, &oom);
		l->block = get_str(&r, &note->arena, &oom);
		l->alias = get_str(&r, &note->arena, &oom);
		l->pos = get_pos(&r);
		l->entry = (int)(int32_t)vl_read_u32(&r);
	}
	if (flags & VL_CACHE_LINKS) {
		/* suppressions, problems, properties, aliases: passed over */
		skip_array(&r, 12, "s44");
		skip_array(&r, 13, "ps8");
		skip_array(&r, 16, "ss8");
		skip_array(&r, 4, "s");
		goto end;
	}
	note->suppress = get_array(&r, &note->arena, &note->n_suppress, 12,
		sizeof(*note->suppress), &oom);
	for (i = 0; i < note->n_suppress && !r.bad; i++) {
		vl_suppress *s = &note->suppress[i];
		s->rule = get_str(&r, &note->arena, &oom);
		s->first = vl_read_u32(&r);
		s->last = vl_read_u32(&r);
	}
	note->problems = get_array(&r, &note->arena, &note->n_problems, 13,
		sizeof(*note->problems), &oom);
	for (i = 0; i < note->n_problems && !r.bad; i++) {
		vl_problem *p = &note->problems[i];
		unsigned k = get_u8(&r);
		if (k >= sizeof(problem_rules) / sizeof(*problem_rules)) {
			r.bad = 1;
			break;
		}
		p->rule = problem_rules[k];
		p->message = get_str(&r, &note->arena, &oom);
		p->pos = get_pos(&r);
	}
	note->props = get_array(&r, &note->arena, &note->n_props, 16,
		sizeof(*note->props), &oom);
	for (i = 0; i < note->n_props && !r.bad; i++) {
		vl_property *p = &note->props[i];
		p->key = get_str(&r, &note->arena, &oom);
		p->value = get_str(&r, &note->arena, &oom);
		p->pos = get_pos(&r);
	}
aliases:
	note->aliases = get_array(&r, &note->arena, &note->n_aliases, 4,
		sizeof(*note->aliases), &oom);
	for (i = 0; i < note->n_aliases && !r.bad; i++)
		note->aliases[i] = get_str(&r, &note->arena, &oom);
end:
	free(tc.v);
	if (!r.bad && r.p != r.end)
		r.bad = 1;
	if (oom || r.bad) {
		vl_note_free(note);
		return oom ? -1 : 1;
	}
	*out = note;
	return 0;
}

/* ---- the file ---- */

static void read_stat(vl_reader *r, cache_stat *st)
{
	st->size = vl_read_u64(r);
	st->mtime_sec = (int64_t)vl_read_u64(r);
	st->mtime_nsec = vl_read_u32(r);
	st->ctime_sec = (int64_t)vl_read_u64(r);
	st->ctime_nsec = vl_read_u32(r);
	st->ino = vl_read_u64(r);
	st->dev = vl_read_u64(r);
	st->mode = vl_read_u32(r);
}

/* Forgets the loaded file: the cache is then empty. */
static void drop_file(vl_cache *c)
{
	vl_map_release(&c->map);
	memset(&c->map, 0, sizeof(c->map));
	free(c->recs);
	c->recs = NULL;
	free((void *)c->used);
	c->used = NULL;
	c->n_recs = 0;
	free(c->keys);
	c->keys = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* The file's bytes while it is opened: mapped (or read, when it cannot
 * be mapped), then let go once its records are indexed. */
typedef struct cache_file {
	unsigned char *buf;
	size_t len;
	int mapped;
} cache_file;

static void file_release(cache_file *f)
{
	if (f->mapped)
		munmap(f->buf, f->len);
	else
		free(f->buf);
	memset(f, 0, sizeof(*f));
}

/* The smallest record: a one-byte key, its NUL, stat, body length,
 * checksum, an empty body. */
#define RECORD_MIN (4 + 2 + STAT_BYTES + 4 + 8)
/* The smallest directory entry: offset, length, key length, a one-byte
 * key and its NUL. */
#define DIR_ENTRY_MIN (8 + 4 + 4 + 2)

/* Checks the header and the directory, copies the keys and indexes the
 * records (which are checked when read). Returns 0, 1 when the file is
 * not valid, -1 out of memory. */
static int index_file(vl_cache *c, const cache_file *f)
{
	const unsigned char *b = f->buf, *dir;
	uint32_t format, flags, count, vlen;
	uint64_t plen, dlen, sum, base;
	size_t vl = c->program_len, i;
	size_t *key_at = NULL;
	vl_buf keys = VL_BUF_INIT;
	vl_reader r;
	int rc = 1;

	if (f->len < HEADER_FIXED || memcmp(b, CACHE_MAGIC, 8) != 0)
		return 1;
	memcpy(&format, b + 8, 4);
	memcpy(&flags, b + 12, 4);
	memcpy(&count, b + 16, 4);
	memcpy(&vlen, b + 20, 4);
	memcpy(&plen, b + 24, 8);
	memcpy(&dlen, b + 32, 8);
	if (format != CACHE_FORMAT || flags != CACHE_FLAGS || vlen != vl ||
	    f->len - HEADER_FIXED < vl || memcmp(b + HEADER_FIXED, c->program, vl) != 0)
		return 1;
	base = HEADER_FIXED + vl;
	if (plen > f->len - base || dlen != f->len - base - plen || dlen < 8)
		return 1;
	dir = b + base + plen;
	memcpy(&sum, dir + dlen - 8, 8);
	if (vl_checksum64(dir, (size_t)dlen - 8) != sum ||
	    count > (dlen - 8) / DIR_ENTRY_MIN || count > plen / RECORD_MIN)
		return 1;
	r.p = dir;
	r.end = dir + dlen - 8;
	r.bad = 0;
	c->recs = calloc((size_t)count + 1, sizeof(*c->recs));
	c->used = calloc((size_t)count + 1, sizeof(*c->used));
	key_at = calloc((size_t)count + 1, sizeof(*key_at));
	/* the keys and the map the size they need (50,000 keys: megabytes):
	 * each entry of the directory is 16 bytes and its key with its NUL */
	if (c->recs == NULL || c->used == NULL || key_at == NULL ||
	    vl_buf_reserve_exact(&keys, (size_t)dlen - 8 - 16 * (size_t)count) < 0 ||
	    vl_map_reserve(&c->map, count) < 0)
		goto oom;
	for (i = 0; i < count; i++) {
		cache_rec *rec = &c->recs[i];
		uint64_t off = vl_read_u64(&r);
		uint32_t len = vl_read_u32(&r), klen = vl_read_u32(&r);

		if (r.bad || klen == 0 || klen >= (size_t)(r.end - r.p) ||
		    r.p[klen] != '\0' || memchr(r.p, '\0', klen) != NULL ||
		    (r.p[0] != 'o' && r.p[0] != 'w') ||
		    len < RECORD_MIN + klen || off > plen || len > plen - off)
			goto done;
		key_at[i] = keys.len;
		if (vl_buf_put(&keys, (const char *)r.p, (size_t)klen + 1) < 0)
			goto oom;
		r.p += (size_t)klen + 1;
		rec->raw_off = base + off;
		rec->raw_len = len;
	}
	if (r.p != r.end)
		goto done;
	c->keys = vl_buf_detach(&keys);
	for (i = 0; i < count; i++) {
		cache_rec *rec = &c->recs[i];

		rec->key = c->keys + key_at[i];
		if (vl_map_get(&c->map, rec->key) != NULL)
			goto done;    /* the writer never repeats a key */
		if (vl_map_put(&c->map, rec->key, rec) < 0)
			goto oom;
	}
	c->n_recs = count;
	rc = 0;
	goto done;
oom:
	rc = -1;
done:
	free(key_at);
	vl_buf_release(&keys);
	return rc;
}

/* Maps (or reads) the cache file into f and keeps it open in c->fd: 0,
 * 1 when it does not exist, -1 when it cannot be read. */
static int read_file(vl_cache *c, cache_file *f)
{
	struct stat st;
	size_t n = 0;
	int fd, rc = -1;

	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size > SIZE_MAX - 1)
		goto done;
	c->file_mtime_sec = (int64_t)st.st_mtim.tv_sec;
	c->file_mtime_nsec = (uint32_t)st.st_mtim.tv_nsec;
	/* A writer never changes the file in place (it renames a new one over
	 * it), so the mapping and the descriptor stay valid. */
	if (st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			f->buf = m;
			f->len = (size_t)st.st_size;
			f->mapped = 1;
			rc = 0;
			goto done;
		}
	}
	f->buf = malloc((size_t)st.st_size + 1);
	if (f->buf == NULL)
		goto done;
	while (n < (size_t)st.st_size) {
		ssize_t k = read(fd, f->buf + n, (size_t)st.st_size - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	f->len = n;
	rc = n == (size_t)st.st_size ? 0 : -1;
done:
	/* kept open: bodies are read and kept records copied from it */
	if (rc == 0)
		c->fd = fd;
	else
		close(fd);
	return rc;
}

/* The name of the program that the header holds: VL_VERSION, then its
 * identity (a program that cannot be named: VL_VERSION alone). Returns 0
 * or -1 when out of memory. */
static int program_name(vl_cache *c)
{
	vl_buf b = VL_BUF_INIT;

	if (vl_buf_puts(&b, VL_VERSION "\n") < 0 || vl_program_identity(&b) < 0 ||
	    b.len > UINT32_MAX) {
		vl_buf_release(&b);
		return -1;
	}
	c->program_len = b.len;
	c->program = vl_buf_detach(&b);
	return 0;
}

int vl_cache_open(vl_cache **out, const char *path, vl_error *err)
{
	vl_cache *c;
	cache_file f = { NULL, 0, 0 };
	int r, rc = -1;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return vl_error_set(err, "out of memory");
	c->fd = -1;
	c->scratch_fd = -1;
	c->id = atomic_fetch_add(&next_cache_id, 1) + 1;
	atomic_init(&c->corrupt, 0);
	atomic_init(&c->hits, 0);
	atomic_init(&c->misses, 0);
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return vl_error_set(err, "cannot create a mutex");
	}
	c->path = strdup(path);
	if (c->path == NULL || program_name(c) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	r = read_file(c, &f);
	if (r == 0) {
		r = index_file(c, &f);
		if (r < 0) {
			vl_error_set(err, "out of memory reading the cache");
			goto done;
		}
	} else if (r < 0) {
		r = 1;          /* there but unreadable: as good as invalid */
	} else {
		r = 0;          /* none yet: an empty cache, not an invalid one */
	}
	if (r > 0) {
		c->invalid = 1;
		drop_file(c);
	}
	*out = c;
	c = NULL;
	rc = 0;
done:
	file_release(&f);   /* bodies are read from c->fd when looked up */
	vl_cache_free(c);
	return rc;
}

int vl_cache_open_gitdir(vl_cache **out, const char *gitdir, vl_error *err)
{
	vl_buf p = VL_BUF_INIT;
	size_t n = strlen(gitdir);
	int rc;

	*out = NULL;
	if (vl_buf_put(&p, gitdir, n) < 0 ||
	    (n > 0 && gitdir[n - 1] != '/' && vl_buf_putc(&p, '/') < 0) ||
	    vl_buf_puts(&p, "vaultlint/cache") < 0) {
		vl_buf_release(&p);
		return vl_error_set(err, "out of memory");
	}
	rc = vl_cache_open(out, p.ptr, err);
	vl_buf_release(&p);
	return rc;
}

/* The key of file f of src: "o<blob id>", "w<root>/<path>", or 0 when the
 * file cannot be cached. */
static int make_key(vl_buf *b, const vl_source *src, const vl_file *f)
{
	if (f->oid[0] != '\0')
		return vl_buf_putc(b, 'o') < 0 || vl_buf_puts(b, f->oid) < 0 ? -1 : 1;
	if (!f->has_stat || src->root == NULL || src->root[0] != '/')
		return 0;
	if (vl_buf_putc(b, 'w') < 0 || vl_buf_puts(b, src->root) < 0 ||
	    vl_buf_putc(b, '/') < 0 || vl_buf_puts(b, f->path) < 0)
		return -1;
	return 1;
}

int vl_cache_begin(vl_cache *c, const vl_source *src, vl_error *err)
{
	vl_buf b = VL_BUF_INIT;
	size_t i;
	int rc = 0;

	if (c == NULL || src == NULL || src->root == NULL || src->root[0] != '/')
		return 0;
	for (i = 0; i < src->n_files && !src->files[i].has_stat; i++)
		;
	if (i == src->n_files)
		return 0;
	if (vl_buf_putc(&b, 'w') < 0 || vl_buf_puts(&b, src->root) < 0 ||
	    vl_buf_putc(&b, '/') < 0) {
		vl_buf_release(&b);
		return vl_error_set(err, "out of memory");
	}
	pthread_mutex_lock(&c->lock);
	if (VL_PUSH(c->roots, c->n_roots, c->cap_roots, b.ptr) < 0)
		rc = vl_error_set(err, "out of memory");
	else
		b.ptr = NULL;
	pthread_mutex_unlock(&c->lock);
	vl_buf_release(&b);
	return rc;
}

/* Git's racy rule: a file modified in the same clock tick as the cache was
 * written, or later, may have changed after it was read. */
static int racy(const vl_cache *c, const cache_stat *st)
{
	if (st->mtime_sec != c->file_mtime_sec)
		return st->mtime_sec > c->file_mtime_sec;
	return st->mtime_nsec >= c->file_mtime_nsec;
}

static int same_stat(const cache_stat *st, const vl_file *f)
{
	return st->size == f->size && st->mtime_sec == f->mtime_sec &&
		st->mtime_nsec == f->mtime_nsec && st->ctime_sec == f->ctime_sec &&
		st->ctime_nsec == f->ctime_nsec && st->ino == f->ino &&
		st->dev == f->dev && st->mode == f->mode;
}

/* A record's checksum: of its bytes before the checksum field (key,
 * stat, body length: head_sum) and of its body, so that no byte of it can
 * change unseen, a key no more than a body. */
static uint64_t record_sum(uint64_t head_sum, const void *body, size_t n)
{
	return head_sum * 0x9E3779B97F4A7C15ull + vl_checksum64(body, n);
}

/* Reads record rec whole into *raw (malloc'd) and checks it: its key is
 * the directory's, its framing right, its checksum a match; *st, *body and
 * *blen are its stat data and body. Returns 0, 1 when it cannot be read
 * or fails a check (damaged, or the file changed under us; also when
 * its room cannot be allocated: a damaged directory can name a length
 * as long as the file). Records are read, not mapped, so that what a run
 * decodes does not stay in its memory. */
#define READ_WINDOW (256u << 10)

void vl_cache_reader_release(vl_cache_reader *rd)
{
	if (rd == NULL)
		return;
	free(rd->buf);
	memset(rd, 0, sizeof(*rd));
}

/* The raw bytes of rec: in rd's window (read anew when rec is not in it),
 * or, without a reader or for a record larger than a window, in *owned
 * (malloc'd; the caller frees it). NULL when they cannot be read. */
/* Reads up to n bytes at off into buf: the bytes read, fewer at the end
 * of the file or on an error. */
static size_t pread_upto(int fd, unsigned char *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static const unsigned char *record_bytes(vl_cache *c, vl_cache_reader *rd, int fd,
	const cache_rec *rec, unsigned char **owned)
{
	/* what a reader's window is of: this cache's file, or its scratch
	 * file (whose bytes, once written, stay as they are) */
	uint64_t tag = 2 * c->id + (fd != c->fd);
	size_t n;

	*owned = NULL;
	if (rd != NULL && fd >= 0 && (fd == c->fd || fd == c->scratch_fd) &&
	    rec->raw_len <= READ_WINDOW) {
		if (rd->cache_id == tag && rec->raw_off >= rd->off &&
		    rec->raw_off - rd->off <= rd->len &&
		    rd->len - (rec->raw_off - rd->off) >= rec->raw_len)
			return rd->buf + (rec->raw_off - rd->off);
		if (rd->buf == NULL && (rd->buf = malloc(READ_WINDOW)) == NULL)
			return NULL;
		rd->cache_id = 0;
		n = pread_upto(fd, rd->buf, READ_WINDOW, rec->raw_off);
		if (n < rec->raw_len)
			return NULL;
		rd->cache_id = tag;
		rd->off = rec->raw_off;
		rd->len = n;
		return rd->buf;
	}
	*owned = malloc(rec->raw_len + 1);
	if (*owned == NULL ||
	    pread_upto(fd, *owned, rec->raw_len, rec->raw_off) < rec->raw_len)
		return NULL;
	return *owned;
}

/* Checks the record rec whose bytes are raw: its key, framing and
 * checksum. 0 with its stat data and body (in raw), or 1. */
static int check_record(const unsigned char *raw, const cache_rec *rec, cache_stat *st,
	const unsigned char **body, size_t *blen)
{
	size_t klen = strlen(rec->key);
	uint64_t head_sum, sum;
	uint32_t bl;
	vl_reader r;

	if (raw == NULL)
		return 1;
	r.p = raw;
	r.end = raw + rec->raw_len;
	r.bad = 0;
	if (vl_read_u32(&r) != klen || r.bad || (size_t)(r.end - r.p) < klen + 1 ||
	    memcmp(r.p, rec->key, klen + 1) != 0)
		return 1;
	r.p += klen + 1;
	read_stat(&r, st);
	bl = vl_read_u32(&r);
	if (r.bad)
		return 1;
	head_sum = vl_checksum64(raw, (size_t)(r.p - raw));
	sum = vl_read_u64(&r);
	if (r.bad || (size_t)(r.end - r.p) != bl || record_sum(head_sum, r.p, bl) != sum)
		return 1;
	*body = r.p;
	*blen = bl;
	return 0;
}

/* Reads rec from the file open on fd (see record_bytes) and checks it
 * (check_record): 0 with its stat data and body (valid until rd's next
 * read, or until *owned is freed), or 1. */
static int read_record(vl_cache *c, vl_cache_reader *rd, int fd, const cache_rec *rec,
	unsigned char **owned, cache_stat *st, const unsigned char **body, size_t *blen)
{
	return check_record(record_bytes(c, rd, fd, rec, owned), rec, st, body, blen);
}

int vl_cache_get(vl_cache *c, const vl_source *src, const vl_file *f,
	vl_note **out, vl_error *err)
{
	return vl_cache_get_ex(c, src, f, 0, out, err);
}

int vl_cache_get_ex(vl_cache *c, const vl_source *src, const vl_file *f,
	unsigned flags, vl_note **out, vl_error *err)
{
	return vl_cache_get_via(c, NULL, src, f, flags, out, err);
}

/* The note of the record this run added under key, for file f (whose
 * stat data it was made with: no racy rule, it is this run's own read).
 * Returns 1 with *out, 0 when there is none or it cannot be read back,
 * -1 when out of memory. */
static int get_new(vl_cache *c, vl_cache_reader *rd, const char *key, const vl_file *f,
	unsigned flags, vl_note **out)
{
	cache_rec rec = { key, 0, 0 };
	unsigned char *owned = NULL, *copy = NULL;
	const unsigned char *body;
	cache_stat st;
	size_t blen;
	uintptr_t at;
	int fd = -1, r = 0;

	pthread_mutex_lock(&c->lock);
	at = (uintptr_t)vl_map_get(&c->new_map, key);
	if (at > 0) {
		const cache_new *nw = &c->news[at - 1];

		rec.raw_len = nw->raw_len;
		if (nw->raw != NULL) {
			/* in memory: a copy, since the lock is let go */
			copy = malloc(nw->raw_len + 1);
			if (copy == NULL)
				r = -1;
			else
				memcpy(copy, nw->raw, nw->raw_len);
		} else {
			fd = c->scratch_fd;
			rec.raw_off = nw->off;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (at == 0 || r < 0)
		return r;
	if (copy != NULL)
		r = check_record(copy, &rec, &st, &body, &blen);
	else
		r = read_record(c, rd, fd, &rec, &owned, &st, &body, &blen);
	if (r == 0 && key[0] == 'w' && !same_stat(&st, f))
		r = 1;
	if (r == 0)
		r = vl_cache_decode_note(out, f->path, body, blen, flags & ~VL_CACHE_AGAIN);
	free(owned);
	free(copy);
	return r < 0 ? -1 : r == 0 ? 1 : 0;
}

/* Whether the note of a record's body was read from bytes whose
 * fingerprint is content (in the body's head, after the front matter
 * flag, the lines and the size). */
static int same_content(const unsigned char *body, size_t blen, const uint64_t content[2])
{
	vl_reader r = { body, body + blen, 0 };
	uint64_t a, b;

	if (blen < NOTE_HEAD)
		return 0;
	r.p += NOTE_HEAD - 16;
	a = vl_read_u64(&r);
	b = vl_read_u64(&r);
	return !r.bad && a == content[0] && b == content[1];
}

/* The note of file f (decoded with flags) from its record under key,
 * when the record serves: with content NULL, a work-tree file's stat
 * data the same and not racy; else, whatever its stat data, the note read
 * from bytes of that fingerprint. A damaged record marks the cache
 * corrupt. Returns 1 with *out and *at the record, 0 when none serves,
 * -1 when out of memory. */
static int take_record(vl_cache *c, vl_cache_reader *rd, const char *key, const vl_file *f,
	const uint64_t *content, unsigned flags, vl_note **out, const cache_rec **at)
{
	unsigned char *raw = NULL;
	const unsigned char *body = NULL;
	const cache_rec *rec;
	cache_stat st;
	size_t blen = 0;
	int r;

	if (c->n_recs == 0 || atomic_load(&c->corrupt) || (rec = vl_map_get(&c->map, key)) == NULL)
		return 0;
	r = read_record(c, rd, c->fd, rec, &raw, &st, &body, &blen);
	if (r == 0 && (content != NULL ? !same_content(body, blen, content) :
	    key[0] == 'w' && (!same_stat(&st, f) || racy(c, &st)))) {
		free(raw);
		return 0;
	}
	if (r == 0)
		r = vl_cache_decode_note(out, f->path, body, blen, flags);
	free(raw);
	if (r > 0)
		atomic_store(&c->corrupt, 1);
	*at = rec;
	return r < 0 ? -1 : r == 0;
}

int vl_cache_get_via(vl_cache *c, vl_cache_reader *rd, const vl_source *src,
	const vl_file *f, unsigned flags, vl_note **out, vl_error *err)
{
	vl_buf key = VL_BUF_INIT;
	const cache_rec *rec = NULL;
	int r, rc = 0;

	*out = NULL;
	if (c == NULL)
		return 0;
	r = make_key(&key, src, f);
	if (r < 0) {
		rc = vl_error_set(err, "out of memory");
		goto done;
	}
	if (r > 0 && (flags & VL_CACHE_AGAIN)) {
		int got = get_new(c, rd, key.ptr, f, flags, out);

		if (got != 0) {
			rc = got < 0 ? vl_error_set(err, "out of memory") : 1;
			goto done;
		}
	}
	if (r == 0)
		goto miss;
	r = take_record(c, rd, key.ptr, f, NULL, flags & ~VL_CACHE_AGAIN, out, &rec);
	if (r < 0) {
		rc = vl_error_set(err, "out of memory");
		goto done;
	}
	if (r == 0)
		goto miss;
	if (!(flags & VL_CACHE_AGAIN)) {
		atomic_store(&c->used[rec - c->recs], 1);
		atomic_fetch_add(&c->hits, 1);
	}
	rc = 1;
	goto done;
miss:
	if (!(flags & VL_CACHE_AGAIN))
		atomic_fetch_add(&c->misses, 1);
done:
	vl_buf_release(&key);
	return rc;
}

int vl_cache_get_by_bytes(vl_cache *c, vl_cache_reader *rd, const vl_source *src,
	const vl_file *f, const uint64_t content[2], vl_note **out, vl_error *err)
{
	vl_buf key = VL_BUF_INIT;
	const cache_rec *rec = NULL;
	int r, rc = 0;

	*out = NULL;
	if (c == NULL || (content[0] == 0 && content[1] == 0))
		return 0;
	r = make_key(&key, src, f);
	if (r > 0)
		r = take_record(c, rd, key.ptr, f, content, 0, out, &rec);
	if (r < 0) {
		rc = vl_error_set(err, "out of memory");
	} else if (r > 0) {
		atomic_fetch_add(&c->by_bytes, 1);
		rc = 1;
	}
	vl_buf_release(&key);
	return rc;
}

/* The records added are moved to the scratch file in writes of this
 * many bytes, not one each: a first run over 50,000 notes made as many
 * calls. */
#define SPILL_BATCH (256u << 10)

/* Counts a record of added bytes just added to c->news; once those not
 * yet moved come to SPILL_BATCH, moves them to the scratch file (opened
 * at the first move) in one write. Those that cannot be written there
 * stay in memory. Under c->lock. */
static void spill(vl_cache *c, size_t added)
{
	unsigned char *batch = NULL;
	size_t i, at = 0;

	c->spill_bytes += added;
	if (c->spill_bytes < SPILL_BATCH)
		return;
	if (!c->scratch_tried) {
		c->scratch_tried = 1;
		c->scratch_fd = vl_scratch_open(c->path);
	}
	if (c->scratch_fd >= 0)
		batch = malloc(c->spill_bytes);
	for (i = c->spill_from; batch != NULL && i < c->n_news; i++) {
		memcpy(batch + at, c->news[i].raw, c->news[i].raw_len);
		at += c->news[i].raw_len;
	}
	if (batch != NULL && vl_pwrite_all(c->scratch_fd, batch, at, c->scratch_len) == 0) {
		for (i = c->spill_from; i < c->n_news; i++) {
			cache_new *nw = &c->news[i];

			free(nw->raw);
			nw->raw = NULL;
			nw->off = c->scratch_len;
			c->scratch_len += nw->raw_len;
		}
	}
	free(batch);
	c->spill_from = c->n_news;
	c->spill_bytes = 0;
}

int vl_cache_put(vl_cache *c, const vl_source *src, const vl_file *f,
	const vl_note *note, vl_error *err)
{
	return vl_cache_put_ex(c, src, f, note, 0, NULL, err);
}

int vl_cache_put_ex(vl_cache *c, const vl_source *src, const vl_file *f,
	const vl_note *note, unsigned flags, vl_note **out, vl_error *err)
{
	vl_buf rec = VL_BUF_INIT, body = VL_BUF_INIT;
	cache_new nw = { NULL, NULL, 0, 0 };
	size_t klen;
	int r, rc = -1;

	if (out != NULL)
		*out = NULL;
	if (c == NULL || note == NULL)
		return 0;
	r = make_key(&rec, src, f);
	if (r <= 0) {
		rc = r < 0 ? vl_error_set(err, "out of memory") : 0;
		goto done;
	}
	/* the key goes first: frame it now that its length is known */
	klen = rec.len;
	nw.key = strdup(rec.ptr);
	if (nw.key == NULL)
		goto oom;
	rec.len = 0;
	if (vl_buf_put_u32(&rec, (uint32_t)klen) < 0 || vl_buf_put(&rec, nw.key, klen + 1) < 0)
		goto oom;
	if (nw.key[0] == 'w') {
		if (vl_buf_put_u64(&rec, f->size) < 0 || vl_buf_put_u64(&rec, (uint64_t)f->mtime_sec) < 0 ||
		    vl_buf_put_u32(&rec, f->mtime_nsec) < 0 || vl_buf_put_u64(&rec, (uint64_t)f->ctime_sec) < 0 ||
		    vl_buf_put_u32(&rec, f->ctime_nsec) < 0 || vl_buf_put_u64(&rec, f->ino) < 0 ||
		    vl_buf_put_u64(&rec, f->dev) < 0 || vl_buf_put_u32(&rec, f->mode) < 0)
			goto oom;
	} else {
		static const char zero[STAT_BYTES];
		if (vl_buf_put(&rec, zero, sizeof(zero)) < 0)
			goto oom;
	}
	r = vl_cache_encode_note(&body, note);
	if (r < 0 || body.len >= NSTR)
		goto oom;
	if (r > 0) {
		rc = 0;
		goto done;
	}
	if (vl_buf_put_u32(&rec, (uint32_t)body.len) < 0 ||
	    vl_buf_put_u64(&rec, record_sum(vl_checksum64(rec.ptr, rec.len),
		body.ptr ? body.ptr : "", body.len)) < 0 ||
	    vl_buf_put(&rec, body.ptr, body.len) < 0)
		goto oom;
	nw.raw_len = rec.len;
	nw.raw = (unsigned char *)vl_buf_detach(&rec);
	pthread_mutex_lock(&c->lock);
	if (vl_map_get(&c->new_map, nw.key) != NULL) {
		rc = 0;           /* the same blob twice in this run: the same body */
	} else if (VL_PUSH(c->news, c->n_news, c->cap_news, nw) < 0) {
		rc = -1;
	} else if (vl_map_put(&c->new_map, nw.key, (void *)(uintptr_t)c->n_news) < 0) {
		c->n_news--;
		rc = -1;
	} else {
		nw.key = NULL;
		nw.raw = NULL;
		rc = 0;
		spill(c, c->news[c->n_news - 1].raw_len);
	}
	pthread_mutex_unlock(&c->lock);
	/* the record can be read back (VL_CACHE_AGAIN): what the caller
	 * wants of the note until then comes from its body */
	if (rc == 0 && out != NULL && flags != 0 && body.ptr != NULL &&
	    vl_cache_decode_note(out, f->path, (const unsigned char *)body.ptr, body.len,
	    flags) < 0)
		rc = -1;
	if (rc < 0)
		vl_error_set(err, "out of memory");
	goto done;
oom:
	rc = vl_error_set(err, "out of memory");
done:
	free(nw.key);
	free(nw.raw);
	vl_buf_release(&rec);
	vl_buf_release(&body);
	return rc;
}

/* 1 when key is a work-tree entry under a root this run listed. */
static int in_begun_root(const vl_cache *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n_roots; i++)
		if (strncmp(key, c->roots[i], strlen(c->roots[i])) == 0)
			return 1;
	return 0;
}

static int put_dir_entry(vl_buf *d, uint64_t off, size_t len, const char *key)
{
	size_t klen = strlen(key);

	if (len > UINT32_MAX || klen > UINT32_MAX)
		return -1;
	return vl_buf_put_u64(d, off) < 0 || vl_buf_put_u32(d, (uint32_t)len) < 0 ||
		vl_buf_put_u32(d, (uint32_t)klen) < 0 || vl_buf_put(d, key, klen + 1) < 0 ? -1 : 0;
}

/* The directory of the file vl_cache_save writes: the new records, then
 * the old ones kept, in that order, then its checksum. */
static int put_dir(vl_buf *d, const vl_cache *c, const unsigned char *keep)
{
	uint64_t off = 0;
	size_t i;

	for (i = 0; i < c->n_news; i++) {
		if (put_dir_entry(d, off, c->news[i].raw_len, c->news[i].key) < 0)
			return -1;
		off += c->news[i].raw_len;
	}
	for (i = 0; i < c->n_recs; i++) {
		if (!keep[i])
			continue;
		if (put_dir_entry(d, off, c->recs[i].raw_len, c->recs[i].key) < 0)
			return -1;
		off += c->recs[i].raw_len;
	}
	return vl_buf_put_u64(d, vl_checksum64(d->ptr ? d->ptr : "", d->len));
}

/* Writes the header and the version string, then parts (the records and
 * the directory, dlen bytes, last), as the new file. */
static int write_file(vl_cache *c, vl_iovec *parts, size_t n_parts, uint64_t plen,
	uint64_t dlen, uint32_t count, vl_error *err)
{
	unsigned char head[HEADER_FIXED];
	uint32_t format = CACHE_FORMAT, flags = CACHE_FLAGS, vlen = (uint32_t)c->program_len;

	memcpy(head, CACHE_MAGIC, 8);
	memcpy(head + 8, &format, 4);
	memcpy(head + 12, &flags, 4);
	memcpy(head + 16, &count, 4);
	memcpy(head + 20, &vlen, 4);
	memcpy(head + 24, &plen, 8);
	memcpy(head + 32, &dlen, 8);
	parts[0].p = head;
	parts[0].n = sizeof(head);
	parts[1].p = c->program;
	parts[1].n = vlen;
	return vl_write_file_atomic(c->path, parts, n_parts, "the cache", err);
}

int vl_cache_save(vl_cache *c, vl_error *err)
{
	size_t i, count = 0, lookups, cap, plen = 0, n_parts;
	vl_iovec *parts = NULL;
	unsigned char *keep = NULL;
	vl_buf dir = VL_BUF_INIT;
	int dirty, corrupt, rc = -1;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	c->written = 0;
	corrupt = atomic_load(&c->corrupt);
	dirty = c->invalid || corrupt || c->n_news > 0;
	lookups = atomic_load(&c->hits) + atomic_load(&c->misses);
	cap = lookups > SIZE_MAX / 3 ? SIZE_MAX : lookups * 3;
	if (cap < 1024)
		cap = 1024;
	keep = calloc(c->n_recs + 1, 1);
	if (keep == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	count = c->n_news;
	for (i = 0; i < c->n_news; i++)
		plen += c->news[i].raw_len;
	/* the old entries this run used, then the others still wanted */
	for (i = 0; i < c->n_recs; i++) {
		if (!atomic_load(&c->used[i]) || vl_map_get(&c->new_map, c->recs[i].key))
			continue;
		keep[i] = 1;
		count++;
		plen += c->recs[i].raw_len;
	}
	for (i = 0; i < c->n_recs; i++) {
		const cache_rec *rec = &c->recs[i];

		if (keep[i] || vl_map_get(&c->new_map, rec->key))
			continue;
		if (corrupt || count >= cap ||
		    (rec->key[0] == 'w' && in_begun_root(c, rec->key))) {
			dirty = 1;
			continue;
		}
		keep[i] = 1;
		count++;
		plen += rec->raw_len;
	}
	if (!dirty) {
		rc = 0;
		goto done;
	}
	if (count > UINT32_MAX) {
		vl_error_set(err, "the cache would be too large");
		goto done;
	}
	if (put_dir(&dir, c, keep) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	/* two parts for the header, one a new record (the records in the
	 * scratch file follow on one another: vl_file_out_write copies them
	 * in one call), one a run of kept records that lie next to each
	 * other in the old file, one for the directory */
	parts = calloc(2 + c->n_news + c->n_recs + 1, sizeof(*parts));
	if (parts == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	n_parts = 2;
	for (i = 0; i < c->n_news; i++) {
		parts[n_parts].p = c->news[i].raw;
		parts[n_parts].fd = c->scratch_fd;
		parts[n_parts].off = c->news[i].off;
		parts[n_parts++].n = c->news[i].raw_len;
	}
	for (i = 0; i < c->n_recs; i++) {
		const cache_rec *rec = &c->recs[i];
		vl_iovec *last = &parts[n_parts - 1];

		if (!keep[i])
			continue;
		if (n_parts > 2 && last->p == NULL && last->fd == c->fd &&
		    last->off + last->n == rec->raw_off) {
			last->n += rec->raw_len;
			continue;
		}
		parts[n_parts].p = NULL;
		parts[n_parts].fd = c->fd;
		parts[n_parts].off = rec->raw_off;
		parts[n_parts++].n = rec->raw_len;
	}
	parts[n_parts].p = dir.ptr;
	parts[n_parts++].n = dir.len;
	if (write_file(c, parts, n_parts, plen, dir.len, (uint32_t)count, err) < 0)
		goto done;
	c->written = 1;
	rc = 0;
done:
	pthread_mutex_unlock(&c->lock);
	free(parts);
	free(keep);
	vl_buf_release(&dir);
	return rc;
}

void vl_cache_get_stats(const vl_cache *c, vl_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	out->loaded = c->n_recs;
	out->hits = atomic_load(&((vl_cache *)c)->hits);
	out->misses = atomic_load(&((vl_cache *)c)->misses);
	out->by_bytes = atomic_load(&((vl_cache *)c)->by_bytes);
	out->added = c->n_news;
	out->invalid = c->invalid;
	out->written = c->written;
}

void vl_cache_free(vl_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	drop_file(c);
	for (i = 0; i < c->n_news; i++) {
		free(c->news[i].key);
		free(c->news[i].raw);
	}
	free(c->news);
	vl_map_release(&c->new_map);
	if (c->scratch_fd >= 0)
		close(c->scratch_fd);
	for (i = 0; i < c->n_roots; i++)
		free(c->roots[i]);
	free(c->roots);
	free(c->path);
	free(c->program);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
