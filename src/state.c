/*
 * state.c: the check state (see state.h for what a note's findings depend
 * on, which is what decides the notes checked again).
 *
 * A run from the state decodes nothing it does not need: the vault is
 * built of stubs (a path, a name) for the notes not checked, the notes
 * that checked notes link to get their summary from the state, and the
 * index answers the vault-wide lookups (alias owner, block elsewhere, tag
 * spelling) from the state's tables, brought up to date with the changed
 * notes. So its cost is the listing, the state's bytes and the notes
 * checked, not the vault.
 *
 * The summaries, the bulk of the state, live in a file of their own beside
 * the entry, <entry>.notes, that a run appends the summaries of changed
 * notes to instead of writing all of them again; it is written anew (only
 * the summaries in use) by a whole-vault run, or when most of it is no
 * longer used. It starts with a random generation number that the entry
 * names: an entry and a file that do not match (a run that died between
 * the two writes, a concurrent run) make the state not serve. Each
 * summary is checked against its checksum in the entry when read.
 *
 * The entry is mapped (vl_filemap), not read: each pass over its notes
 * (loading, planning, writing the next state) lets go of the pages it has
 * passed, and a note of the state is where its record is (st_view reads
 * the record when wanted), so a run holds a window of the entry.
 *
 * The entry's payload, integers as vl_buf_put_u32/u64 write them, a
 * "cstr" being a u32 length, the bytes and a NUL:
 *   format
 *   the listing: n_files, the fingerprint (vl_fingerprint) of every
 *     path and kind (note or not), in order; then per file: a hash of its
 *     path (the low bit: a note) and its name word (vl_index_name_hash of
 *     the name links look it up by, NAME_ODD for a note whose name is not
 *     its path's)
 *   n_notes, then per note: the fingerprint of its identity (as the memo
 *     keys it; zeros when it could not be trusted); the fingerprint of its
 *     bytes (vl_note.content; zeros: not known); its summary's offset,
 *     length and checksum in the notes file (the cache's encoding of
 *     the note without links, suppressions, problems or properties); the
 *     ordinals of the notes it reaches; the hashes of the block ids its
 *     links name; the names its links looked up or hinted at (a u32
 *     count, its top bit vl_reach.relist, then u32s, sorted); the
 *     targets that reach nothing (a u32 length, then each
 *     NUL-terminated)
 *   the notes file's generation
 *   the block table: n, then (hash of the lower-case id, note ordinal),
 *     sorted: the notes that have each block id, in vault order
 *   the alias table: n, then (cstr lower-case alias, ordinal of a note
 *     that has it), sorted by alias, then ordinal: the first is the one
 *     the index names
 *   the tag table: n, then per lower-case tag (sorted): cstr tag, n, then
 *     (cstr spelling, how often it is written)
 *   n_findings, then the findings in notes (memo encoding), to the end.
 * A run over another listing (files added, removed, renamed) matches the
 * files by path hash and renumbers the notes (relist).
 * Findings about files that could not be listed are not kept: each run
 * lists the vault anew and reports them.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATE_FORMAT 8u  /* 8: vl_hash a word at a step */
#define BLOCK_BYTES 12
#define FILE_BYTES 12            /* a path's hash and its name's */
#define NAME_HASH 0x3FFFFFFFu    /* the name's hash in a file's name word */
#define NAME_ODD (1u << 30)      /* a note whose name is not its path's */
#define NAMES_RELIST (1u << 31)  /* in a note's count of names */
#define NOTES_MAGIC "VLSTNOTE"
#define NOTES_HEAD 16            /* the magic and the generation */
#define SAVE_ALWAYS 1024         /* notes: a state this small is always stored */
#define SAVE_SHARE 16
#define SAVE_RELISTED 64         /* names of files added or removed */
#define CHECK_SHARE 8            /* more notes to check: a full run */

/* A note of the state: where its record is in the entry and, once the
 * state is brought to another listing (relist), the ordinals it reaches
 * renumbered. The rest is read from the record when wanted (st_view): a
 * state of 50,000 notes holds three words a note, not each record's
 * fields. */
typedef struct st_note {
	const unsigned char *rec;    /* NULL: a note added (relist) */
	const unsigned char *reach;  /* relisted: n_reach ordinals (arena) */
	uint32_t n_reach;
} st_note;

/* A note's record, as st_view reads it. */
typedef struct st_rec {
	uint64_t ident[2];           /* zeros: not trusted */
	uint64_t content[2];         /* zeros: not known */
	uint64_t off, sum;           /* the summary in the notes file */
	uint32_t len;
	const unsigned char *reach;  /* n_reach encoded note ordinals */
	uint32_t n_reach;
	const unsigned char *refs;   /* n_refs encoded block id hashes */
	uint32_t n_refs;
	const unsigned char *names;  /* n_names names its links looked up */
	uint32_t n_names;
	int relist;                  /* any file added or removed counts */
	const unsigned char *missing; /* targets that reach nothing, each */
	uint32_t missing_len;        /* NUL-terminated, in missing_len bytes */
	const unsigned char *raw;    /* the record's bytes (NULL: relisted) */
	size_t raw_len;
} st_rec;

/* How often each spelling of a tag is written, in the state (before) and
 * with this run's edits (after): the index's spelling is the most
 * written, ties to byte order. */
typedef struct spelling {
	const char *name;
	size_t before, after;
} spelling;

typedef struct tally {
	char *key;
	spelling *v;
	size_t n, cap;
} tally;

typedef struct tallies {
	vl_map map;        /* lower-case tag -> tally */
	tally **all;
	size_t n, cap;
} tallies;

/* One alias of a note: its lower-case text and the note's ordinal. */
typedef struct alias_pair {
	const char *key;
	uint32_t ord;
} alias_pair;

static int cmp_alias(const void *a, const void *b)
{
	const alias_pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Sorts the n alias pairs v, each kept once; returns how many are left. */
static size_t sort_alias_pairs(alias_pair *v, size_t n)
{
	size_t i, k = 0;

	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_alias);
	for (i = 0; i < n; i++)
		if (k == 0 || cmp_alias(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	return k;
}

struct vl_state {
	vl_filemap fm;               /* the memo entry; the slices point here */
	uint64_t notes_size;         /* of the notes file, when opened */
	size_t n_files;
	uint64_t listing[2];
	const unsigned char *files;  /* n_files entries of FILE_BYTES */
	/* 1 when brought to another listing (relist): ordinals are this
	 * run's, the notes' raw bytes are gone, and what changed lives in
	 * arena */
	int relisted;
	vl_arena arena;
	char *notes_path;            /* <entry>.notes */
	int notes_fd;                /* open for reading and appending, or -1 */
	uint64_t gen;
	st_note *notes;
	size_t n_notes;
	const unsigned char *blocks; /* n_blocks entries of BLOCK_BYTES */
	size_t n_blocks;
	const unsigned char *blocks_raw; /* the block table as stored */
	size_t blocks_raw_len;
	alias_pair *aliases;         /* sorted by key, then ordinal */
	size_t n_aliases, cap_aliases;
	tallies tags;
	const unsigned char *findings; /* n_findings, decoded when used */
	size_t findings_len;
	uint32_t n_findings;
};

/* ---- tag tallies ---- */

/* The tally of name's tag, created when create is set; NULL when there
 * is none (or out of memory: *oom set). */
static tally *tally_of(tallies *t, const char *name, int create, int *oom)
{
	char small[128], *key;
	size_t n = strlen(name);
	tally *y;

	if ((key = vl_lower_scratch(small, sizeof(small), name, n)) == NULL) {
		*oom = 1;
		return NULL;
	}
	y = vl_map_get(&t->map, key);
	if (y == NULL && create) {
		y = calloc(1, sizeof(*y));
		if (y == NULL || (y->key = vl_strndup(key, n)) == NULL ||
		    VL_PUSH(t->all, t->n, t->cap, y) < 0) {
			if (y)
				free(y->key);
			free(y);
			y = NULL;
			*oom = 1;
		} else if (vl_map_put(&t->map, y->key, y) < 0) {
			y = NULL;   /* freed with t->all */
			*oom = 1;
		}
	}
	vl_scratch_free(key, small);
	return y;
}

/* Adds before and after (each may be negative) to the count of name. */
static int tally_count(tally *y, const char *name, long before, long after)
{
	spelling s;
	size_t i;

	for (i = 0; i < y->n; i++)
		if (strcmp(y->v[i].name, name) == 0)
			break;
	if (i == y->n) {
		s.name = name;
		s.before = s.after = 0;
		if (VL_PUSH(y->v, y->n, y->cap, s) < 0)
			return -1;
	}
	y->v[i].before += (size_t)before;
	y->v[i].after += (size_t)after;
	return 0;
}

static const char *tally_best(const tally *y, int after)
{
	const spelling *best = NULL;
	size_t i, bc = 0;

	for (i = 0; i < y->n; i++) {
		size_t c = after ? y->v[i].after : y->v[i].before;

		if (c > 0 && (best == NULL || c > bc || (c == bc && strcmp(y->v[i].name, best->name) < 0))) {
			best = &y->v[i];
			bc = c;
		}
	}
	return best ? best->name : NULL;
}

/* Counts the tags of note in t (after, and before when before is set). */
static int tally_note(tallies *t, const vl_note *note, long before, long after)
{
	size_t i;
	int oom = 0;

	for (i = 0; i < note->n_tags + note->n_tag_counts; i++) {
		const vl_tag_count *c = i >= note->n_tags ? &note->tag_counts[i - note->n_tags] : NULL;
		const char *name = c ? c->name : note->tags[i].name;
		long times = c ? (long)c->count : 1;
		tally *y = name ? tally_of(t, name, 1, &oom) : NULL;

		if (oom || (y && tally_count(y, name, before * times, after * times) < 0))
			return -1;
	}
	return 0;
}

static void tallies_release(tallies *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->all[i]->key);
		free(t->all[i]->v);
		free(t->all[i]);
	}
	free(t->all);
	vl_map_release(&t->map);
	memset(t, 0, sizeof(*t));
}

/* ---- reading ---- */

static const unsigned char *get_slice(vl_reader *r, uint32_t *n)
{
	const unsigned char *p;

	*n = vl_read_u32(r);
	if (r->bad || (size_t)(r->end - r->p) < *n) {
		r->bad = 1;
		return NULL;
	}
	p = r->p;
	r->p += *n;
	return p;
}

/* A NUL-terminated string of the payload, copied into the state's arena
 * (the entry is mapped: see ord_within), or NULL (r->bad set, or out of
 * memory: *oom set). */
static const char *get_cstr(vl_state *st, vl_reader *r, int *oom)
{
	uint32_t n;
	const unsigned char *p = get_slice(r, &n);
	char *copy;

	if (p == NULL || r->p >= r->end || *r->p != '\0' || memchr(p, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	r->p++;
	copy = vl_arena_strndup(&st->arena, (const char *)p, n);
	if (copy == NULL)
		*oom = 1;
	return copy;
}

/* n items of size bytes each at the reader, passed over; NULL if they do
 * not fit. */
static const unsigned char *get_items(vl_reader *r, size_t n, size_t size)
{
	const unsigned char *p = r->p;

	if (r->bad || n > (size_t)(r->end - r->p) / size) {
		r->bad = 1;
		return NULL;
	}
	r->p += n * size;
	return p;
}

static uint32_t u32_at(const unsigned char *p, size_t i)
{
	vl_reader r = { p + 4 * i, p + 4 * i + 4, 0 };

	return vl_read_u32(&r);
}

static uint64_t u64_at(const unsigned char *p, size_t i)
{
	vl_reader r = { p + 8 * i, p + 8 * i + 8, 0 };

	return vl_read_u64(&r);
}

/* An ordinal read from the entry was checked when it was loaded; the
 * entry is mapped, and a file changed in place under the mapping (never
 * by vaultlint, which replaces it whole) could hold another since: it
 * is kept within the notes, so that no array is read out of bounds. */
static uint32_t ord_within(const vl_state *st, uint32_t o)
{
	return o < st->n_notes ? o : 0;
}

/* An entry of the block table, BLOCK_BYTES at e: a hash and a note's
 * ordinal (host order, as vl_buf_put_u64 and _u32 write them). */
static uint64_t ent_h(const unsigned char *e)
{
	uint64_t h;

	memcpy(&h, e, 8);
	return h;
}

static uint32_t ent_ord(const unsigned char *e)
{
	uint32_t o;

	memcpy(&o, e + 8, 4);
	return o;
}

static void ent_put(unsigned char *e, uint64_t h, uint32_t ord)
{
	memcpy(e, &h, 8);
	memcpy(e + 8, &ord, 4);
}

/* Entry i of the block table, as stored (its ordinal unchecked). */
static void block_raw(const vl_state *st, size_t i, uint64_t *h, uint32_t *ord)
{
	*h = ent_h(st->blocks + BLOCK_BYTES * i);
	*ord = ent_ord(st->blocks + BLOCK_BYTES * i);
}

static void block_at(const vl_state *st, size_t i, uint64_t *h, uint32_t *ord)
{
	block_raw(st, i, h, ord);
	*ord = ord_within(st, *ord);
}

/* The fingerprint of src's listing: every path and kind, in order. */
static int listing_hash(uint64_t out[2], const vl_source *src)
{
	vl_buf b = VL_BUF_INIT;
	size_t i;

	for (i = 0; i < src->n_files; i++)
		if (vl_buf_put(&b, src->files[i].path, strlen(src->files[i].path) + 1) < 0 ||
		    vl_buf_putc(&b, src->files[i].is_note ? 'n' : 'f') < 0) {
			vl_buf_release(&b);
			return -1;
		}
	vl_fingerprint(out, b.ptr ? b.ptr : "", b.len);
	vl_buf_release(&b);
	return 0;
}

/* The hash of file f's path and kind, as the listing section keeps it. */
static uint64_t path_hash(const vl_file *f)
{
	return vl_hash(f->path, strlen(f->path)) << 1 | (f->is_note != 0);
}

/* The name word of file f (see the listing section): the hash of the
 * name links look it up by (a note's path without ".md"), NAME_ODD when
 * a note's name (vl_note_name_of, what the index keys it by too) hashes
 * otherwise; that one in *other (else the same). */
static uint32_t name_word(const vl_file *f, uint32_t *other)
{
	size_t len = strlen(f->path), stem = len, n;
	const char *name;
	uint32_t h;

	if (f->is_note && len >= 3 && strncasecmp(f->path + len - 3, ".md", 3) == 0)
		stem = len - 3;
	h = vl_index_name_hash(f->path, stem);
	*other = h;
	if (!f->is_note)
		return h;
	name = vl_note_name_of(f->path, &n);
	*other = vl_index_name_hash(name, n);
	return *other == h ? h : h | NAME_ODD;
}

static uint64_t file_hash_at(const vl_state *st, size_t i)
{
	return u64_at(st->files + FILE_BYTES * i, 0);
}

static uint32_t name_word_at(const vl_state *st, size_t i)
{
	return u32_at(st->files + FILE_BYTES * i + 8, 0);
}

/* The listing section of src: n_files, the fingerprint, every file's
 * path hash and name word. */
static int put_listing(vl_buf *b, const vl_source *src, const uint64_t listing[2])
{
	size_t i;
	uint32_t other;

	if (vl_buf_put_u32(b, (uint32_t)src->n_files) < 0 ||
	    vl_buf_put_u64(b, listing[0]) < 0 || vl_buf_put_u64(b, listing[1]) < 0)
		return -1;
	for (i = 0; i < src->n_files; i++)
		if (vl_buf_put_u64(b, path_hash(&src->files[i])) < 0 ||
		    vl_buf_put_u32(b, name_word(&src->files[i], &other)) < 0)
			return -1;
	return 0;
}

/* The state is read in passes over its notes (loading, planning,
 * writing the next one), each of which lets go of the pages it has
 * passed every DROP_EVERY notes: a state of tens of MB is never held
 * whole, and at most a few hundred KB of it (a note's record is a few
 * hundred bytes; 4096 of them held 3 MB). */
#define DROP_EVERY 512

static void drop_all(const vl_state *st)
{
	vl_filemap_drop(&st->fm, st->fm.p, st->fm.p + st->fm.len);
}

/* In a pass at note i: every DROP_EVERY notes, lets go of every page
 * (those the pass still needs come back as it reads them). */
static void drop_behind(const vl_state *st, size_t i)
{
	if (i % DROP_EVERY == DROP_EVERY - 1)
		drop_all(st);
}

/* Reads the record at r into *o (r->bad when it does not fit). */
static void get_rec(vl_reader *r, st_rec *o)
{
	o->raw = r->p;
	o->ident[0] = vl_read_u64(r);
	o->ident[1] = vl_read_u64(r);
	o->content[0] = vl_read_u64(r);
	o->content[1] = vl_read_u64(r);
	o->off = vl_read_u64(r);
	o->len = vl_read_u32(r);
	o->sum = vl_read_u64(r);
	o->n_reach = vl_read_u32(r);
	o->reach = get_items(r, o->n_reach, 4);
	o->n_refs = vl_read_u32(r);
	o->refs = get_items(r, o->n_refs, 8);
	o->n_names = vl_read_u32(r);
	o->relist = (o->n_names & NAMES_RELIST) != 0;
	o->n_names &= ~NAMES_RELIST;
	o->names = get_items(r, o->n_names, 4);
	o->missing = get_slice(r, &o->missing_len);
	o->raw_len = (size_t)(r->p - o->raw);
}

/* The record of note n of st, read: checked when the state was loaded,
 * read again within the entry all the same (see ord_within); a note added
 * has none (all zeros: its identity is not trusted). */
static void rec_view(const vl_state *st, const st_note *n, st_rec *o)
{
	vl_reader r = { n->rec, st->fm.p + st->fm.len, 0 };

	memset(o, 0, sizeof(*o));
	if (n->rec != NULL) {
		get_rec(&r, o);
		if (r.bad)
			memset(o, 0, sizeof(*o));
	}
	if (st->relisted) {
		o->reach = n->reach;
		o->n_reach = n->n_reach;
		o->raw = NULL;
		o->raw_len = 0;
	}
}

static void st_view(const vl_state *st, size_t i, st_rec *o)
{
	rec_view(st, &st->notes[i], o);
}

static int read_notes(vl_state *st, vl_reader *r)
{
	size_t i, k;

	st->n_files = vl_read_u32(r);
	st->listing[0] = vl_read_u64(r);
	st->listing[1] = vl_read_u64(r);
	st->files = get_items(r, st->n_files, FILE_BYTES);
	st->n_notes = vl_read_u32(r);
	/* a note takes at least 68 bytes (a note without links): bounds the
	 * allocation */
	if (r->bad || st->n_notes > st->n_files || st->n_notes > (size_t)(r->end - r->p) / 68)
		return 0;
	st->notes = calloc(st->n_notes + 1, sizeof(*st->notes));
	if (st->notes == NULL)
		return -1;
	for (i = 0; i < st->n_notes && !r->bad; i++) {
		st_rec n;

		st->notes[i].rec = r->p;
		get_rec(r, &n);
		if (!r->bad && n.missing_len > 0 && n.missing[n.missing_len - 1] != '\0')
			return 0;
		for (k = 0; !r->bad && k < n.n_reach; k++)
			if (u32_at(n.reach, k) >= st->n_notes)
				return 0;
		drop_behind(st, i);
	}
	st->gen = vl_read_u64(r);
	return !r->bad;
}

/* Where each note's summary is in the notes file, as written. */
typedef struct summary_at {
	uint64_t off, sum;
	uint32_t len;
} summary_at;

/* Where note i's summary is in the state's notes file. */
static summary_at summary_of(const vl_state *st, size_t i)
{
	st_rec n;

	st_view(st, i, &n);
	return (summary_at){ n.off, n.sum, n.len };
}

/* Opens the notes file and checks that it is the entry's. Returns 1, 0
 * when it is missing or not the entry's, -1 when out of memory. */
static int open_notes(vl_state *st, vl_memo_key *skey)
{
	vl_buf path = VL_BUF_INIT;
	unsigned char head[NOTES_HEAD];
	struct stat sb;
	uint64_t gen;
	size_t i;

	if (vl_memo_key_path(skey, &path) != 0 || vl_buf_puts(&path, ".notes") < 0) {
		vl_buf_release(&path);
		return -1;
	}
	st->notes_path = vl_buf_detach(&path);
	st->notes_fd = open(st->notes_path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (st->notes_fd < 0 || pread(st->notes_fd, head, sizeof(head), 0) != (ssize_t)sizeof(head))
		return 0;
	memcpy(&gen, head + 8, 8);
	if (memcmp(head, NOTES_MAGIC, 8) != 0 || gen != st->gen || fstat(st->notes_fd, &sb) < 0)
		return 0;
	/* every summary within the file: a length is never trusted blindly
	 * (read_summary checks again: the entry is mapped) */
	st->notes_size = (uint64_t)sb.st_size;
	for (i = 0; i < st->n_notes; i++) {
		summary_at at = summary_of(st, i);

		if (at.off > st->notes_size || at.len > st->notes_size - at.off)
			return 0;
		drop_behind(st, i);
	}
	return 1;
}

/* The summary of note i from the notes file, as a note named path.
 * Returns 0, 1 when it cannot be read or is damaged, -1 when out of
 * memory. */
static int read_summary(const vl_state *st, size_t i, const char *path, vl_note **out)
{
	unsigned char *body;
	st_rec n;
	int r = 1;

	*out = NULL;
	st_view(st, i, &n);
	/* within the file: a length is never trusted blindly */
	if (n.off > st->notes_size || n.len > st->notes_size - n.off)
		return 1;
	body = malloc(n.len + 1);
	if (body == NULL)
		return -1;
	if (pread(st->notes_fd, body, n.len, (off_t)n.off) == (ssize_t)n.len &&
	    vl_checksum64(body, n.len) == n.sum)
		r = vl_cache_decode_note(out, path, body, n.len, VL_CACHE_SUMMARY);
	free(body);
	return r;
}

/* The block and alias tables, checked to be sorted (lookups bisect). */
static int read_tables(vl_state *st, vl_reader *r)
{
	uint64_t h, ph = 0;
	uint32_t o, po = 0;
	size_t i;
	int oom = 0;

	st->blocks_raw = r->p;
	st->n_blocks = vl_read_u32(r);
	st->blocks = get_items(r, st->n_blocks, BLOCK_BYTES);
	st->blocks_raw_len = (size_t)(r->p - st->blocks_raw);
	for (i = 0; !r->bad && i < st->n_blocks; i++) {
		block_raw(st, i, &h, &o);
		if (o >= st->n_notes || (i > 0 && (h < ph || (h == ph && o <= po))))
			return 0;
		ph = h;
		po = o;
	}
	st->n_aliases = vl_read_u32(r);
	if (r->bad || st->n_aliases > (size_t)(r->end - r->p) / 9)
		return 0;
	st->cap_aliases = st->n_aliases + 1;
	st->aliases = calloc(st->cap_aliases, sizeof(*st->aliases));
	if (st->aliases == NULL)
		return -1;
	for (i = 0; !r->bad && i < st->n_aliases; i++) {
		alias_pair *a = &st->aliases[i];

		a->key = get_cstr(st, r, &oom);
		if (oom)
			return -1;
		a->ord = vl_read_u32(r);
		if (!r->bad && (a->ord >= st->n_notes || (i > 0 && cmp_alias(a - 1, a) >= 0)))
			return 0;
	}
	return !r->bad;
}

static int read_tags(vl_state *st, vl_reader *r)
{
	uint32_t n_keys = vl_read_u32(r), k, n, j;
	int oom = 0;

	for (k = 0; k < n_keys && !r->bad; k++) {
		const char *key = get_cstr(st, r, &oom);
		tally *y = key ? tally_of(&st->tags, key, 1, &oom) : NULL;

		if (oom)
			return -1;
		n = vl_read_u32(r);
		for (j = 0; j < n && !r->bad; j++) {
			const char *name = get_cstr(st, r, &oom);
			uint32_t count = vl_read_u32(r);

			if (oom)
				return -1;
			if (!r->bad && y && tally_count(y, name, count, count) < 0)
				return -1;
		}
	}
	return !r->bad;
}

int vl_state_key_init(vl_memo_key *skey, const char *gitdir, const char *kind,
	const char *config, size_t config_len, const char *vault, vl_error *err)
{
	if (vl_memo_key_init(skey, gitdir, kind, config, config_len, err) < 0)
		return -1;
	skey->folder = "state";
	/* a state is big: a few (the work tree's and the index's, per config) */
	skey->keep = VL_STATE_KEEP;
	return vl_memo_key_add(skey, "vault", vault, err);
}

int vl_state_load(vl_state **out, vl_memo_key *skey, vl_error *err)
{
	const unsigned char *payload = NULL;
	vl_filemap fm;
	vl_state *st;
	vl_reader r;
	size_t n = 0;
	int rc;

	*out = NULL;
	rc = vl_memo_get_raw(skey, &fm, &payload, &n, err);
	if (rc <= 0)
		return rc;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		vl_filemap_release(&fm);
		return vl_error_set(err, "out of memory");
	}
	st->fm = fm;
	r.p = payload;
	r.end = payload + n;
	r.bad = 0;
	st->notes_fd = -1;
	rc = vl_read_u32(&r) == STATE_FORMAT ? 1 : 0;
	if (rc == 1)
		rc = read_notes(st, &r);
	if (rc == 1)
		rc = read_tables(st, &r);
	if (rc == 1)
		rc = read_tags(st, &r);
	if (rc == 1) {
		st->n_findings = vl_read_u32(&r);
		st->findings = r.p;
		st->findings_len = (size_t)(r.end - r.p);
		rc = r.bad ? 0 : 1;
	}
	if (rc == 1)
		rc = open_notes(st, skey);
	if (rc != 1) {
		vl_state_free(st);
		return rc < 0 ? vl_error_set(err, "out of memory") : 0;
	}
	/* the passes over it to come bring back what each needs */
	drop_all(st);
	*out = st;
	return 1;
}

void vl_state_free(vl_state *st)
{
	if (st == NULL)
		return;
	vl_filemap_release(&st->fm);
	if (st->notes_fd >= 0)
		close(st->notes_fd);
	free(st->notes_path);
	free(st->notes);
	free(st->aliases);
	tallies_release(&st->tags);
	vl_arena_release(&st->arena);
	free(st);
}

/* ---- writing ---- */

static int put_slice(vl_buf *b, const void *p, size_t n)
{
	if (n >= VL_NULL_STR || vl_buf_put_u32(b, (uint32_t)n) < 0)
		return -1;
	return vl_buf_put(b, p, n);
}

static int put_cstr(vl_buf *b, const char *s)
{
	return put_slice(b, s, strlen(s)) < 0 || vl_buf_putc(b, '\0') < 0 ? -1 : 0;
}

typedef struct blk {
	uint64_t h;
	uint32_t ord;
} blk;

static int cmp_blk(const void *a, const void *b)
{
	const blk *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Appends the block ids of note (ordinal ord) to *v. */
static int note_blocks(blk **v, size_t *n, size_t *cap, const vl_note *note, uint32_t ord)
{
	size_t i;

	for (i = 0; i < note->n_blocks; i++) {
		blk b;

		if (note->blocks[i].id == NULL)
			continue;
		b.h = vl_hash_lower(note->blocks[i].id);
		b.ord = ord;
		if (VL_PUSH(*v, *n, *cap, b) < 0)
			return -1;
	}
	return 0;
}

/* A full save makes the block table in place, sorted, with no second
 * copy: some 4 MB for a vault of 50,000 notes. */
static int ent_cmp(const unsigned char *a, const unsigned char *b)
{
	uint64_t x = ent_h(a), y = ent_h(b);
	uint32_t p, q;

	if (x != y)
		return x < y ? -1 : 1;
	p = ent_ord(a);
	q = ent_ord(b);
	return p < q ? -1 : p > q;
}

/* Byte `level` of an entry's key, the hash's bytes from the top (levels
 * 0 to 7), then the ordinal's (8 to 11). */
static unsigned ent_digit(const unsigned char *e, int level)
{
	return level < 8 ? (unsigned)(ent_h(e) >> (8 * (7 - level))) & 0xFF :
		(unsigned)(ent_ord(e) >> (8 * (11 - level))) & 0xFF;
}

static void ent_swap(unsigned char *a, unsigned char *b)
{
	unsigned char t[BLOCK_BYTES];

	memcpy(t, a, BLOCK_BYTES);
	memcpy(a, b, BLOCK_BYTES);
	memcpy(b, t, BLOCK_BYTES);
}

/* Sorts the n entries at v by hash, then ordinal, in place: each entry
 * is moved into the bucket of its key's byte at level (an American flag
 * sort), then each bucket by the next byte; a few entries by insertion. */
static void sort_entries(unsigned char *v, size_t n, int level)
{
	size_t count[256], next[256], i, k, at;
	unsigned d;

	if (n <= 32) {
		for (i = 1; i < n; i++)
			for (k = i; k > 0 && ent_cmp(v + BLOCK_BYTES * (k - 1), v + BLOCK_BYTES * k) > 0;
			    k--)
				ent_swap(v + BLOCK_BYTES * (k - 1), v + BLOCK_BYTES * k);
		return;
	}
	if (level == 12)
		return; /* the same entry n times */
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		count[ent_digit(v + BLOCK_BYTES * i, level)]++;
	for (d = 0, at = 0; d < 256; d++) {
		next[d] = at;
		at += count[d];
	}
	/* each slot of bucket d, in turn, takes the entry that belongs
	 * there: the one in it, or one swapped in from further on */
	for (d = 0, at = 0; d < 256; at += count[d++]) {
		while (next[d] < at + count[d]) {
			unsigned char *e = v + BLOCK_BYTES * next[d];
			unsigned b = ent_digit(e, level);

			if (b == d)
				next[d]++;
			else
				ent_swap(e, v + BLOCK_BYTES * next[b]++);
		}
	}
	for (d = 0, at = 0; d < 256; at += count[d++])
		if (count[d] > 1)
			sort_entries(v + BLOCK_BYTES * at, count[d], level + 1);
}

/* Sorts the n entries at table + 4, drops repeats, and writes the count
 * first. Returns the table's length in bytes. */
static size_t finish_table(unsigned char *table, size_t n)
{
	unsigned char *v = table + 4;
	size_t i, k = 0;
	uint32_t count;

	sort_entries(v, n, 0);
	for (i = 0; i < n; i++)
		if (k == 0 || ent_cmp(v + BLOCK_BYTES * (k - 1), v + BLOCK_BYTES * i) != 0)
			memmove(v + BLOCK_BYTES * k++, v + BLOCK_BYTES * i, BLOCK_BYTES);
	count = (uint32_t)k;
	memcpy(table, &count, 4);
	return 4 + BLOCK_BYTES * k;
}

/* Writes the n alias pairs v (sorted, each once). */
static int put_alias_pairs(vl_buf *b, const alias_pair *v, size_t n)
{
	size_t i;

	if (vl_buf_put_u32(b, (uint32_t)n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (put_cstr(b, v[i].key) < 0 || vl_buf_put_u32(b, v[i].ord) < 0)
			return -1;
	return 0;
}

/* The alias table of vault: every lower-case alias with every note that
 * has it, by alias, then in vault order: the first is the one the index
 * names (the owner), and when it goes the next one is at hand. */
static int put_aliases(vl_buf *b, const vl_vault *vault)
{
	alias_pair *v = NULL, e;
	vl_arena keys = { 0 };
	size_t n = 0, cap = 0, i, k;
	int rc = -1;

	for (i = 0; i < vault->n_notes; i++) {
		const vl_note *note = vault->notes[i];

		for (k = 0; k < note->n_aliases; k++) {
			const char *a = note->aliases[k];
			char *key;

			if (a == NULL || a[0] == '\0')
				continue;
			key = vl_arena_strndup(&keys, a, strlen(a));
			if (key == NULL)
				goto done;
			vl_lower_into(key, key, strlen(key));
			e.key = key;
			e.ord = (uint32_t)i;
			if (VL_PUSH(v, n, cap, e) < 0)
				goto done;
		}
	}
	rc = put_alias_pairs(b, v, sort_alias_pairs(v, n));
done:
	vl_arena_release(&keys);
	free(v);
	return rc;
}

static int cmp_tally(const void *a, const void *b)
{
	return strcmp((*(tally *const *)a)->key, (*(tally *const *)b)->key);
}

/* The tag table: the after counts of t. Sorts t->all. */
static int put_tags(vl_buf *b, tallies *t)
{
	size_t i, j, n_keys = 0;

	if (t->n > 1)
		qsort(t->all, t->n, sizeof(*t->all), cmp_tally);
	for (i = 0; i < t->n; i++)
		n_keys += tally_best(t->all[i], 1) != NULL;
	if (vl_buf_put_u32(b, (uint32_t)n_keys) < 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		const tally *y = t->all[i];
		size_t n = 0;

		if (tally_best(y, 1) == NULL)
			continue;
		for (j = 0; j < y->n; j++)
			n += y->v[j].after > 0;
		if (put_cstr(b, y->key) < 0 || vl_buf_put_u32(b, (uint32_t)n) < 0)
			return -1;
		for (j = 0; j < y->n; j++)
			if (y->v[j].after > 0 && (put_cstr(b, y->v[j].name) < 0 ||
			    vl_buf_put_u32(b, (uint32_t)y->v[j].after) < 0))
				return -1;
	}
	return 0;
}

/* The vault's notes by address, to turn a note into its ordinal: an
 * open-addressing table of a power of two slots, at most half full. A
 * run from the state holds most notes as stubs, one array of them in
 * ordinal order (stubs): those are told by their address alone, and the
 * table holds only the others. */
typedef struct note_ord {
	const vl_note *note;
	uint32_t ord;
} note_ord;

typedef struct ord_table {
	const vl_note *stubs;
	size_t n_stubs;
	size_t mask;
	note_ord slot[];
} ord_table;

/* Whether note is stubs[i] for an i the vault holds there (*i set). */
static int is_stub(const vl_vault *vault, const vl_note *stubs, size_t n, const vl_note *note,
	size_t *i)
{
	uintptr_t a = (uintptr_t)note, base = (uintptr_t)stubs;

	if (stubs == NULL || a < base || a >= base + n * sizeof(*stubs) ||
	    (a - base) % sizeof(*stubs) != 0)
		return 0;
	*i = (a - base) / sizeof(*stubs);
	return vault == NULL || vault->notes[*i] == note;
}

static size_t ord_slot(const ord_table *t, const vl_note *note)
{
	uint64_t h = (uint64_t)(uintptr_t)note * 0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 32) & t->mask;
}

static ord_table *note_ords(const vl_vault *vault, const vl_note *stubs)
{
	size_t size = 2, i, k, n = 0;
	ord_table *t;

	for (i = 0; i < vault->n_notes; i++)
		n += vault->notes[i] != NULL && !is_stub(vault, stubs, vault->n_notes,
			vault->notes[i], &k);
	while (size < 2 * n)
		size *= 2;
	t = calloc(1, sizeof(*t) + size * sizeof(t->slot[0]));
	if (t == NULL)
		return NULL;
	t->stubs = stubs;
	t->n_stubs = stubs ? vault->n_notes : 0;
	t->mask = size - 1;
	for (i = 0; i < vault->n_notes; i++) {
		if (vault->notes[i] == NULL ||
		    is_stub(vault, stubs, vault->n_notes, vault->notes[i], &k))
			continue;
		for (k = ord_slot(t, vault->notes[i]); t->slot[k].note != NULL; k = (k + 1) & t->mask)
			;
		t->slot[k].note = vault->notes[i];
		t->slot[k].ord = (uint32_t)i;
	}
	return t;
}

static long ord_of_note(const ord_table *t, const vl_note *note)
{
	size_t k;

	if (note == NULL || t == NULL)
		return -1;
	/* a stub of the vault (note_ords checked that each is its own) */
	if (is_stub(NULL, t->stubs, t->n_stubs, note, &k))
		return (long)k;
	for (k = ord_slot(t, note); t->slot[k].note != NULL; k = (k + 1) & t->mask)
		if (t->slot[k].note == note)
			return (long)t->slot[k].ord;
	return -1;
}

/* The summary of note (what the index needs of it) in the cache's
 * encoding, appended to b. Returns 0, 1 when it cannot be encoded, -1
 * when out of memory. */
static int put_summary(vl_buf *b, const vl_note *note)
{
	vl_note s = *note;

	s.n_links = s.n_suppress = s.n_problems = s.n_props = 0;
	return vl_cache_encode_note(b, &s);
}

/* The hashes of the block ids that a checked note's links name, as the
 * check collected them (the note itself may be held for the index only,
 * without its links). */
static int put_refs(vl_buf *b, const vl_reach *r)
{
	size_t i;

	if (vl_buf_put_u32(b, (uint32_t)r->n_refs) < 0)
		return -1;
	for (i = 0; i < r->n_refs; i++)
		if (vl_buf_put_u64(b, r->refs[i]) < 0)
			return -1;
	if (r->n_names >= NAMES_RELIST ||
	    vl_buf_put_u32(b, (uint32_t)r->n_names | (r->relist ? NAMES_RELIST : 0)) < 0)
		return -1;
	for (i = 0; i < r->n_names; i++)
		if (vl_buf_put_u32(b, r->names[i]) < 0)
			return -1;
	return put_slice(b, r->missing, r->missing_len);
}

/* What state_write takes from where. A note with fresh[i] set has its
 * summary encoded from the vault, else it is the old state's; one with
 * checked[i] set has its reach and refs in reach[i], else the old
 * state's. NULL arrays, and no old state: every note. ident holds each
 * note's identity (NULL: made from the key). The tables come encoded, or
 * are still being made (pending). */
/* The encoded tables of a save (blocks, aliases, tags), made on a thread
 * of their own while the notes are written: state_write waits for them
 * (tables_wait) only where it puts them. */
typedef struct pending_tables {
	const vl_vault *vault;
	unsigned char *blocks;  /* the block table (finish_table), blocks_len bytes */
	size_t blocks_len;
	vl_buf buf;             /* the aliases and tags after it */
	int rc;             /* 0, or -1: out of memory */
	int running;        /* the thread is to be joined */
	pthread_t tid;
} pending_tables;

typedef struct write_plan {
	const vl_state *old;
	const unsigned char *fresh, *checked;
	const vl_reach *reach;
	const uint32_t *reach_at;   /* as vl_lint_opts.reach_at, or NULL */
	uint64_t (*ident)[2];
	const vl_buf *tables;       /* or, when NULL, pending's */
	/* When not NULL, the block table as the old state has it (the
	 * tables then start after it): written from its mapping */
	const unsigned char *blocks_raw;
	size_t blocks_raw_len;
	pending_tables *pending;
	const vl_note *stubs;       /* the vault's stubs (note_ords), or NULL */
} write_plan;

/* Counts one spelling of a tag, as the index tallied it. */
static int tally_from_index(const char *key, const char *name, size_t count,
	void *payload)
{
	int oom = 0;
	tally *y = tally_of(payload, key, 1, &oom);

	return y == NULL || tally_count(y, name, 0, (long)count) < 0 ? -1 : 0;
}

/* The tables of the state of vault, encoded. */
static void *make_tables(void *arg)
{
	pending_tables *pt = arg;
	const vl_vault *vault = pt->vault;
	tallies tags = { 0 };
	vl_buf tag_part = VL_BUF_INIT;
	size_t n = 0, cap = 0, i, k, bytes = 8;

	pt->rc = -1;
	/* hundreds of thousands of ids: the table and the buffer are made
	 * the size they need, not the next power of two */
	for (i = 0; i < vault->n_notes; i++) {
		const vl_note *note = vault->notes[i];

		cap += note->n_blocks;
		for (k = 0; k < note->n_aliases; k++)
			bytes += note->aliases[k] ? strlen(note->aliases[k]) + 9 : 0;
	}
	if (cap > (SIZE_MAX - 4) / BLOCK_BYTES ||
	    (pt->blocks = malloc(4 + BLOCK_BYTES * cap)) == NULL)
		goto done;
	for (i = 0; i < vault->n_notes; i++) {
		const vl_note *note = vault->notes[i];

		for (k = 0; k < note->n_blocks; k++)
			if (note->blocks[k].id != NULL)
				ent_put(pt->blocks + 4 + BLOCK_BYTES * n++,
					vl_hash_lower(note->blocks[k].id), (uint32_t)i);
	}
	pt->blocks_len = finish_table(pt->blocks, n);
	/* the index tallied the tags already (a note's are in its summary) */
	if (vl_index_each_tag(vault->index, tally_from_index, &tags) != 0 ||
	    put_tags(&tag_part, &tags) < 0 ||
	    vl_buf_reserve_exact(&pt->buf, bytes + tag_part.len) < 0)
		goto done;
	if (put_aliases(&pt->buf, vault) < 0 ||
	    (tag_part.len > 0 && vl_buf_put(&pt->buf, tag_part.ptr, tag_part.len) < 0))
		goto done;
	pt->rc = 0;
done:
	vl_buf_release(&tag_part);
	tallies_release(&tags);
	return NULL;
}

/* Starts make_tables on a thread (or runs it here when none starts). */
static void tables_start(pending_tables *pt, const vl_vault *vault)
{
	memset(pt, 0, sizeof(*pt));
	pt->vault = vault;
	pt->running = vl_thread_budget() > 1 &&
		pthread_create(&pt->tid, NULL, make_tables, pt) == 0;
	if (!pt->running)
		make_tables(pt);
}

/* The tables once made: 0, or -1 when they could not be. */
static int tables_wait(pending_tables *pt)
{
	if (pt->running) {
		pthread_join(pt->tid, NULL);
		pt->running = 0;
	}
	return pt->rc;
}

/* The fresh summaries of a run from an old state (wp->old), encoded one
 * after another into enc; at[i] gets each one's place in enc (off) and
 * checksum. Returns 0, 1 when a note cannot be encoded, -1 when out of
 * memory. */
static int encode_fresh(vl_buf *enc, summary_at *at, const write_plan *wp,
	const vl_vault *vault)
{
	size_t i;
	int r;

	for (i = 0; i < vault->n_notes; i++) {
		size_t from = enc->len;

		if (!wp->fresh[i])
			continue;
		if ((r = put_summary(enc, vault->notes[i])) != 0)
			return r;
		at[i].off = from;
		at[i].len = (uint32_t)(enc->len - from);
		at[i].sum = vl_checksum64(enc->ptr + from, at[i].len);
	}
	return 0;
}

static uint64_t new_generation(void)
{
	struct timespec ts;
	uint64_t g;

	clock_gettime(CLOCK_REALTIME, &ts);
	g = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40);
	return vl_checksum64(&g, sizeof(g)) | 1;
}

/* Writes a new notes file at path: the fresh summaries from enc, the
 * others copied from the old file; fixes at[] to their new places and
 * sets *gen. Returns 0 or -1. */
static int write_notes(const char *path, summary_at *at, const vl_buf *enc,
	const write_plan *wp, size_t n, uint64_t *gen, vl_error *err)
{
	unsigned char head[NOTES_HEAD];
	vl_iovec *parts = malloc((n + 1) * sizeof(*parts));
	uint64_t off = NOTES_HEAD;
	size_t i;
	int rc;

	if (parts == NULL)
		return vl_error_set(err, "out of memory");
	*gen = new_generation();
	memcpy(head, NOTES_MAGIC, 8);
	memcpy(head + 8, gen, 8);
	memset(parts, 0, (n + 1) * sizeof(*parts));
	parts[0].p = head;
	parts[0].n = sizeof(head);
	for (i = 0; i < n; i++) {
		if (wp->fresh[i]) {
			parts[i + 1].p = enc->ptr + at[i].off;
		} else {
			at[i] = summary_of(wp->old, i);
			parts[i + 1].fd = wp->old->notes_fd;
			parts[i + 1].off = at[i].off;
			drop_behind(wp->old, i);
		}
		parts[i + 1].n = at[i].len;
		at[i].off = off;
		off += at[i].len;
	}
	rc = vl_write_file_atomic(path, parts, n + 1, "the check state", err);
	free(parts);
	return rc;
}

/* Appends the fresh summaries to the old state's notes file, under a lock
 * so that concurrent runs append one after the other; fixes at[] to their
 * places and keeps the others'. Returns 0 or -1. */
static int append_notes(summary_at *at, const vl_buf *enc, const write_plan *wp, size_t n,
	vl_error *err)
{
	int fd = wp->old->notes_fd, rc = -1;
	off_t end;
	size_t i;

	if (flock(fd, LOCK_EX) < 0)
		return vl_error_set(err, "cannot lock the check state: %s", strerror(errno));
	end = lseek(fd, 0, SEEK_END);
	if (end >= 0 && vl_write_all(fd, enc->ptr ? enc->ptr : "", enc->len) == 0)
		rc = 0;
	else
		vl_error_set(err, "cannot write the check state: %s", strerror(errno));
	(void)flock(fd, LOCK_UN);
	for (i = 0; rc == 0 && i < n; i++) {
		if (wp->fresh[i])
			at[i].off += (uint64_t)end;
		else
			at[i] = summary_of(wp->old, i);
		drop_behind(wp->old, i);
	}
	return rc;
}

/* The path of the notes file beside the state stored under skey, into
 * path. Returns 0 or -1. */
static int notes_path(vl_memo_key *skey, vl_buf *path, vl_error *err)
{
	int r = vl_memo_key_path(skey, path);

	if (r != 0 || vl_buf_puts(path, ".notes") < 0) {
		vl_buf_release(path);
		return vl_error_set(err, r > 0 ? "cannot name the check state's files" :
			"out of memory");
	}
	return 0;
}

/* Puts the summaries of a run from an old state (wp->old) in the notes
 * file: appended to the old one, or a new file when most of the old one
 * is no longer used. */
static int put_notes_file(vl_memo_key *skey, summary_at *at, const vl_buf *enc,
	const write_plan *wp, size_t n, uint64_t *gen, int *rewritten, vl_error *err)
{
	vl_buf path = VL_BUF_INIT;
	uint64_t live = enc->len;
	struct stat sb;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		live += wp->fresh[i] ? 0 : summary_of(wp->old, i).len;
		drop_behind(wp->old, i);
	}
	if (fstat(wp->old->notes_fd, &sb) == 0 &&
	    (uint64_t)sb.st_size + enc->len <= 2 * live + (8u << 20)) {
		*gen = wp->old->gen;
		*rewritten = 0;
		return append_notes(at, enc, wp, n, err);
	}
	if (notes_path(skey, &path, err) < 0)
		return -1;
	*rewritten = 1;
	rc = write_notes(path.ptr, at, enc, wp, n, gen, err);
	vl_buf_release(&path);
	return rc;
}

/* A new notes file with every note's summary, encoded and written a
 * megabyte at a time (a run with no old state: the summaries of a large
 * vault are tens of megabytes, not worth holding). Fills at[] and *gen.
 * Returns 0, 1 when a note cannot be encoded (nothing is written), -1. */
static int stream_notes(vl_memo_key *skey, summary_at *at, const vl_vault *vault,
	uint64_t *gen, vl_error *err)
{
	vl_buf path = VL_BUF_INIT, chunk = VL_BUF_INIT;
	vl_file_out o;
	vl_iovec part;
	uint64_t off = NOTES_HEAD;
	size_t i;
	int rc = -1, r = 0;

	if (notes_path(skey, &path, err) < 0)
		return -1;
	if (vl_file_out_open(&o, path.ptr, "the check state", err) < 0) {
		vl_buf_release(&path);
		return -1;
	}
	*gen = new_generation();
	if (vl_buf_put(&chunk, NOTES_MAGIC, 8) < 0 || vl_buf_put_u64(&chunk, *gen) < 0)
		goto oom;
	memset(&part, 0, sizeof(part));
	for (i = 0; i <= vault->n_notes; i++) {
		if (i < vault->n_notes) {
			size_t from = chunk.len;

			if ((r = put_summary(&chunk, vault->notes[i])) != 0)
				goto stop;
			at[i].off = off;
			at[i].len = (uint32_t)(chunk.len - from);
			at[i].sum = vl_checksum64(chunk.ptr + from, at[i].len);
			off += at[i].len;
		}
		if (chunk.len >= VL_MEMO_PIECE || (i == vault->n_notes && chunk.len > 0)) {
			part.p = chunk.ptr;
			part.n = chunk.len;
			if (vl_file_out_write(&o, &part, 1, err) < 0)
				goto fail;
			chunk.len = 0;
		}
	}
	rc = vl_file_out_commit(&o, err);
	goto done;
oom:
	vl_error_set(err, "out of memory");
	goto fail;
stop:
	rc = r > 0 ? 1 : vl_error_set(err, "out of memory");
fail:
	vl_file_out_abort(&o);
done:
	vl_buf_release(&chunk);
	vl_buf_release(&path);
	return rc;
}

static int put_note(vl_buf *b, const write_plan *wp, const vl_vault *vault,
	const ord_table *ords, const summary_at *at, size_t i)
{
	st_rec old, *on = &old;
	const vl_reach *re;
	const uint64_t *content;
	size_t j;

	if (wp->old)
		st_view(wp->old, i, &old);
	else
		memset(&old, 0, sizeof(old));
	/* a note not checked is a stub: its bytes are the ones read before */
	content = wp->checked && !wp->checked[i] ? on->content : vault->notes[i]->content;
	if (vl_buf_put_u64(b, wp->ident[i][0]) < 0 || vl_buf_put_u64(b, wp->ident[i][1]) < 0 ||
	    vl_buf_put_u64(b, content[0]) < 0 || vl_buf_put_u64(b, content[1]) < 0 ||
	    vl_buf_put_u64(b, at[i].off) < 0 || vl_buf_put_u32(b, at[i].len) < 0 ||
	    vl_buf_put_u64(b, at[i].sum) < 0)
		return -1;
	if (wp->checked && !wp->checked[i])
		return vl_buf_put_u32(b, on->n_reach) < 0 ||
			vl_buf_put(b, (const char *)on->reach, 4 * (size_t)on->n_reach) < 0 ||
			vl_buf_put_u32(b, on->n_refs) < 0 ||
			vl_buf_put(b, (const char *)on->refs, 8 * (size_t)on->n_refs) < 0 ||
			vl_buf_put_u32(b, on->n_names | (on->relist ? NAMES_RELIST : 0)) < 0 ||
			vl_buf_put(b, (const char *)on->names, 4 * (size_t)on->n_names) < 0 ||
			put_slice(b, on->missing, on->missing_len) < 0 ? -1 : 0;
	/* a note checked (the only ones past here) has a reach of its own */
	re = wp->reach_at ? &wp->reach[wp->reach_at[i] - 1] : &wp->reach[i];
	if (vl_buf_put_u32(b, (uint32_t)re->n) < 0)
		return -1;
	for (j = 0; j < re->n; j++) {
		long o = ord_of_note(ords, re->notes[j]);

		if (vl_buf_put_u32(b, o >= 0 ? (uint32_t)o : (uint32_t)i) < 0)
			return -1;
	}
	return put_refs(b, re);
}

/* The state is written VL_MEMO_PIECE at a time (vl_memo_out_flush): a
 * vault of 50,000 notes has a state of tens of megabytes, not worth
 * holding whole beside it. */

/* Writes old's bytes [from, to) (in its mapping) to w, a piece at a
 * time, each let go of once written. Returns 0 or -1 (err set). */
static int write_old(vl_memo_out *w, const vl_state *old, const unsigned char *from,
	const unsigned char *to, vl_error *err)
{
	while (from < to) {
		size_t k = (size_t)(to - from) < VL_MEMO_PIECE ? (size_t)(to - from) : VL_MEMO_PIECE;

		if (vl_memo_out_write(w, from, k, err) < 0)
			return -1;
		vl_filemap_drop(&old->fm, from, from + k);
		from += k;
	}
	return 0;
}

/* Which of report d's findings the state keeps (a note's): 1 each in
 * keep (d->len of them), and how many. */
static size_t kept_findings(unsigned char *keep, const vl_source *src, const vl_diags *d)
{
	size_t i, n = 0;
	long prev = -1;

	for (i = 0; i < d->len; i++) {
		/* a note's findings follow one another: one lookup each */
		long f = i > 0 && strcmp(d->items[i].path, d->items[i - 1].path) == 0 ? prev :
			vl_source_find(src, d->items[i].path);

		prev = f;
		keep[i] = f >= 0 && src->files[f].is_note;
		n += keep[i];
	}
	return n;
}

/* Whether note j's identity is the one the old state holds. */
static int same_ident(const write_plan *wp, size_t j)
{
	st_rec o;

	st_view(wp->old, j, &o);
	return wp->ident[j][0] == o.ident[0] && wp->ident[j][1] == o.ident[1];
}

/* Stores the state of vault with the report d under skey. Returns 1, 0
 * when a note cannot be encoded (nothing is stored), or -1. */
static int state_write(vl_memo_key *skey, const vl_vault *vault, const write_plan *wp,
	const vl_diags *d, vl_error *err)
{
	const vl_source *src = vault->src;
	const vl_buf *tables;
	vl_buf b = VL_BUF_INIT, enc = VL_BUF_INIT;
	vl_memo_out w;
	summary_at *at = NULL;
	ord_table *ords = NULL;
	unsigned char *keep = NULL;
	uint64_t listing[2], gen = 0;
	size_t i, n_find;
	int rc = -1, r, rewritten = 1;

	memset(&w, 0, sizeof(w));
	w.o.fd = -1;
	ords = note_ords(vault, wp->stubs);
	at = calloc(vault->n_notes + 1, sizeof(*at));
	if (ords == NULL || at == NULL)
		goto oom;
	/* a run from a state had the same listing (or it would not serve) */
	if (wp->old)
		memcpy(listing, wp->old->listing, sizeof(listing));
	else if (listing_hash(listing, src) < 0)
		goto oom;
	if (wp->old == NULL) {
		if ((r = stream_notes(skey, at, vault, &gen, err)) != 0) {
			rc = r > 0 ? 0 : -1; /* not encodable: no state */
			goto done;
		}
	} else if ((r = encode_fresh(&enc, at, wp, vault)) != 0) {
		rc = r > 0 ? 0 : -1; /* not encodable: no state */
		if (r < 0)
			goto oom;
		goto done;
	} else if (put_notes_file(skey, at, &enc, wp, vault->n_notes, &gen, &rewritten, err) < 0) {
		goto done;
	}
	if (vl_memo_out_open(&w, skey, err) < 0)
		goto done;
	if (vl_buf_put_u32(&b, STATE_FORMAT) < 0 || put_listing(&b, src, listing) < 0 ||
	    vl_buf_put_u32(&b, (uint32_t)vault->n_notes) < 0)
		goto oom;
	for (i = 0; i < vault->n_notes; i++) {
		size_t j = i;

		/* a run of notes neither changed nor checked, their summaries
		 * where they were and their identities the same: their bytes
		 * as they were (unless the ordinals they hold are another
		 * listing's) */
		while (wp->old && !wp->old->relisted && !rewritten && j < vault->n_notes &&
		    !wp->fresh[j] && !wp->checked[j] && same_ident(wp, j))
			j++;
		if (j > i) {
			st_rec first, last;
			const unsigned char *from, *to;

			st_view(wp->old, i, &first);
			st_view(wp->old, j - 1, &last);
			from = first.raw;
			to = last.raw + last.raw_len;

			/* straight from the old entry, a piece at a time */
			if (vl_memo_out_flush(&w, &b, 1, err) < 0)
				goto fail;
			if (write_old(&w, wp->old, from, to, err) < 0)
				goto fail;
			i = j - 1;
		} else if (put_note(&b, wp, vault, ords, at, i) < 0) {
			goto oom;
		}
		if (vl_memo_out_flush(&w, &b, 0, err) < 0)
			goto fail;
		if (wp->old)
			drop_behind(wp->old, i);
	}
	if (wp->tables == NULL && tables_wait(wp->pending) < 0)
		goto oom;
	tables = wp->tables ? wp->tables : &wp->pending->buf;
	if (vl_buf_put_u64(&b, gen) < 0)
		goto oom;
	if (vl_memo_out_flush(&w, &b, 1, err) < 0)
		goto fail;
	if ((wp->blocks_raw != NULL &&
	    write_old(&w, wp->old, wp->blocks_raw, wp->blocks_raw + wp->blocks_raw_len, err) < 0) ||
	    (wp->tables == NULL &&
	    vl_memo_out_write(&w, wp->pending->blocks, wp->pending->blocks_len, err) < 0) ||
	    vl_memo_out_write(&w, tables->ptr, tables->len, err) < 0)
		goto fail;
	keep = malloc(d->len + 1);
	if (keep == NULL)
		goto oom;
	n_find = kept_findings(keep, src, d);
	if (vl_buf_put_u32(&b, (uint32_t)n_find) < 0)
		goto oom;
	for (i = 0; i < d->len; i++) {
		if (keep[i] && vl_memo_encode_diag(&b, &d->items[i]) < 0)
			goto oom;
		if (vl_memo_out_flush(&w, &b, 0, err) < 0)
			goto fail;
	}
	if (vl_memo_out_flush(&w, &b, 1, err) < 0)
		goto fail;
	rc = vl_memo_out_commit(&w, skey, err) < 0 ? -1 : 1;
	goto done;
oom:
	vl_error_set(err, "out of memory");
fail:
	vl_memo_out_abort(&w);
done:
	free(ords);
	free(at);
	free(keep);
	vl_buf_release(&b);
	vl_buf_release(&enc);
	return rc;
}

/* The fingerprint of file f's identity (the data the memo keys it by) in
 * out: 1, or 0 (zeros) when it cannot be trusted. */
static int note_identity(uint64_t out[2], const vl_memo_key *k, const vl_file *f)
{
	struct {
		uint64_t dev, ino, size, mtime_sec, ctime_sec;
		uint32_t mtime_nsec, ctime_nsec, mode, pad;
	} st;

	out[0] = out[1] = 0;
	if (!vl_memo_file_trusted(k, f))
		return 0;
	if (f->oid[0] != '\0') {
		vl_fingerprint(out, f->oid, strlen(f->oid));
		return 1;
	}
	memset(&st, 0, sizeof(st));
	st.dev = f->dev;
	st.ino = f->ino;
	st.size = f->size;
	st.mtime_sec = (uint64_t)f->mtime_sec;
	st.ctime_sec = (uint64_t)f->ctime_sec;
	st.mtime_nsec = f->mtime_nsec;
	st.ctime_nsec = f->ctime_nsec;
	st.mode = (uint32_t)f->mode;
	vl_fingerprint(out, &st, sizeof(st));
	return 1;
}

/* Whether every note of vault was read and no listing problem names a
 * note: then a finding about a note comes from the rules alone, and the
 * notes' findings can be kept apart from the listing's. */
static int storable(const vl_vault *vault)
{
	const vl_source *src = vault->src;
	size_t i;

	if (vault->read_problems.len != src->n_problems)
		return 0;
	for (i = 0; i < vault->n_notes; i++)
		if (vault->notes[i] == NULL)
			return 0;
	for (i = 0; i < src->n_problems; i++) {
		long f = vl_source_find(src, src->problems[i].path);
		if (f >= 0 && src->files[f].is_note)
			return 0;
	}
	return 1;
}

int vl_state_save(vl_memo_key *skey, const vl_memo_key *k, const vl_vault *vault,
	const vl_reach *reach, const vl_diags *d, vl_error *err)
{
	write_plan wp;
	pending_tables pt;
	uint64_t (*ident)[2] = NULL;
	size_t i, j;
	int rc = -1;

	if (!skey->usable || !storable(vault))
		return 0;
	/* the tables take as long as writing the notes: side by side */
	tables_start(&pt, vault);
	ident = calloc(vault->n_notes + 1, sizeof(*ident));
	if (ident == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	for (i = j = 0; i < vault->src->n_files; i++)
		if (vault->src->files[i].is_note)
			(void)note_identity(ident[j++], k, &vault->src->files[i]);
	memset(&wp, 0, sizeof(wp));
	wp.reach = reach;
	wp.ident = ident;
	wp.pending = &pt;
	rc = state_write(skey, vault, &wp, d, err) < 0 ? -1 : 0;
done:
	tables_wait(&pt);
	free(ident);
	free(pt.blocks);
	vl_buf_release(&pt.buf);
	return rc;
}

/* ---- what an edit can change ---- */

/* What a run compares: per note (ordinal), its old summary and new
 * version when it changed, and the notes to check. */
typedef struct plan {
	vl_state *st;
	vl_source *src;
	size_t n;
	size_t *file_of;         /* note ordinal -> file of src */
	long *ord_of;            /* file of src -> note ordinal, or -1 */
	vl_note **old;           /* summaries of changed notes, from the state */
	vl_note **now;           /* changed notes, read whole; else NULL */
	unsigned char *changed, *check, *moved; /* moved: headings or ids changed */
	uint64_t *ids;           /* hashes of the block ids added or removed */
	size_t n_ids, cap_ids;
	uint64_t (*ident)[2];    /* every note's identity (zeros: not trusted) */
	vl_vault *vault;         /* once built */
	ord_table *ords;
	/* The notes not checked, one array in ordinal order (vl_zeroed_pages,
	 * stubs_size bytes): zeros until stub_of gives one its path and name,
	 * when a lookup reaches it, so that only those take memory. */
	vl_note *stubs;
	size_t stubs_size;
	vl_arena stub_names;
	pthread_mutex_t stub_lock; /* the rules' threads ask for stubs */
	vl_note **fills;         /* the summaries that filled stubs */
	int damaged;             /* a lookup met a damaged summary */
	int save, saved;         /* the new state is to be stored; it was */
	const char *const *want; /* sorted; NULL: every note's findings */
	size_t n_want;
	/* When the state was brought to this listing (relist): the notes
	 * added, and the names of the files added or removed (sorted) */
	unsigned char *added;
	uint32_t *gone_names;
	size_t n_gone_names;
	size_t *new_files;       /* the files of src added, n_new_files */
	size_t n_new_files;
	size_t n_same;           /* notes whose identity changed, bytes not */
	size_t n_old_seen;       /* old findings keep_old was asked about */
} plan;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Adds the ids of a that b lacks to p->ids. */
static int ids_gone(plan *p, const vl_note *a, const vl_note *b)
{
	size_t i, j;

	for (i = 0; i < a->n_blocks; i++) {
		const char *id = a->blocks[i].id;
		uint64_t h;

		if (id == NULL)
			continue;
		for (j = 0; j < b->n_blocks; j++)
			if (b->blocks[j].id && strcasecmp(b->blocks[j].id, id) == 0)
				break;
		h = vl_hash_lower(id);
		if (j == b->n_blocks && VL_PUSH(p->ids, p->n_ids, p->cap_ids, h) < 0)
			return -1;
	}
	return 0;
}

static int add_aliases(vl_state *st, const vl_note *note, uint32_t j);

/* Compares a changed note with its old summary (none: it was added):
 * marks it moved, notes the block ids it gained or lost and recounts its
 * tags. Returns 1, 0 when the state cannot serve (*why), -1 when out of
 * memory. */
static int compare_note(plan *p, size_t j, const char **why)
{
	const vl_note *o = p->old[j], *n = p->now[j];

	if (o == NULL) {
		/* added: every id is new (the hint of a dangling reference
		 * may now name it), every tag counts, every alias is listed */
		if (ids_gone(p, n, &(vl_note){ 0 }) < 0 || tally_note(&p->st->tags, n, 0, 1) < 0 ||
		    add_aliases(p->st, n, (uint32_t)j) < 0)
			return -1;
		return 1;
	}
	if (!vl_note_same_aliases(o, n)) {
		*why = "aliases changed";
		return 0;
	}
	/* a note that turned binary (or back) keeps no heading, or has its
	 * headings checked again: links into it are checked otherwise */
	if (!vl_note_same_headings(o, n) || !vl_note_same_blocks(o, n) || o->unread != n->unread)
		p->moved[j] = 1;
	if (!vl_note_same_blocks(o, n) && (ids_gone(p, o, n) < 0 || ids_gone(p, n, o) < 0))
		return -1;
	if (!vl_note_same_tags(o, n) &&
	    (tally_note(&p->st->tags, o, 0, -1) < 0 || tally_note(&p->st->tags, n, 0, 1) < 0))
		return -1;
	return 1;
}

/* Where the old state's files are, by path hash: an open-addressing
 * table of a power of two slots, at most half full, of file index + 1. */
typedef struct file_table {
	size_t mask;
	uint32_t *slot;
} file_table;

static uint32_t *file_slot(const file_table *t, const vl_state *st, uint64_t h)
{
	size_t k = (size_t)((h * 0x9E3779B97F4A7C15ULL) >> 32) & t->mask;

	while (t->slot[k] != 0 && file_hash_at(st, t->slot[k] - 1) != h)
		k = (k + 1) & t->mask;
	return &t->slot[k];
}

/* Builds the table of st's files. Returns 1, 0 when two share a hash,
 * -1 when out of memory. */
static int file_table_make(file_table *t, const vl_state *st)
{
	size_t size = 2, i;

	while (size < 2 * st->n_files)
		size *= 2;
	t->mask = size - 1;
	t->slot = calloc(size, sizeof(*t->slot));
	if (t->slot == NULL)
		return -1;
	for (i = 0; i < st->n_files; i++) {
		uint32_t *s = file_slot(t, st, file_hash_at(st, i));

		if (*s != 0)
			return 0;
		*s = (uint32_t)i + 1;
	}
	return 1;
}

/* What a note that is gone takes with it: its block ids (notes naming
 * them get their hint again) and its tags (recounted). Returns 1, 0 when
 * its summary is damaged, -1 when out of memory. */
static int note_gone(plan *p, size_t ord)
{
	vl_note *s = NULL;
	size_t i;
	int r = read_summary(p->st, ord, "", &s);

	if (r != 0)
		return r > 0 ? 0 : -1;
	for (i = 0; r == 0 && i < s->n_blocks; i++)
		if (s->blocks[i].id != NULL &&
		    VL_PUSH(p->ids, p->n_ids, p->cap_ids, vl_hash_lower(s->blocks[i].id)) < 0)
			r = -1;
	if (r == 0 && tally_note(&p->st->tags, s, 0, -1) < 0)
		r = -1;
	vl_note_free(s);
	return r < 0 ? -1 : 1;
}

/* The old state's notes, block and alias tables with this listing's
 * ordinals (o2n: old ordinal -> new, or UINT32_MAX when the note is
 * gone), into st->arena; a note's raw bytes are no longer its own. */
static int renumber(vl_state *st, st_note *nn, size_t n_new, const uint32_t *o2n)
{
	unsigned char *blocks;
	size_t i, k, e;

	/* the ordinals each note reaches, this listing's (st is not yet
	 * relisted: its notes' views are their records) */
	for (i = 0; i < n_new; i++) {
		st_note *n = &nn[i];
		unsigned char *v;
		st_rec o;

		rec_view(st, n, &o);
		n->reach = NULL;
		n->n_reach = 0;
		if (o.n_reach == 0)
			continue;
		v = vl_arena_alloc(&st->arena, 4 * (size_t)o.n_reach);
		if (v == NULL)
			return -1;
		for (e = k = 0; e < o.n_reach; e++) {
			uint32_t to = o2n[ord_within(st, u32_at(o.reach, e))];

			/* a note gone: what reached it is checked again */
			if (to != UINT32_MAX)
				memcpy(v + 4 * k++, &to, 4);
		}
		n->reach = v;
		n->n_reach = (uint32_t)k;
		drop_behind(st, i);
	}
	drop_all(st);
	blocks = vl_arena_alloc(&st->arena, 4 + BLOCK_BYTES * st->n_blocks);
	if (blocks == NULL)
		return -1;
	for (i = k = 0; i < st->n_blocks; i++) {
		uint64_t h;
		uint32_t o;

		block_at(st, i, &h, &o);
		if ((o = o2n[o]) == UINT32_MAX)
			continue;
		/* the order of ordinals is kept: the table stays sorted */
		ent_put(blocks + 4 + BLOCK_BYTES * k++, h, o);
		/* the table is read once, in order: a few thousand ids at a
		 * time stay mapped */
		if (i % (DROP_EVERY * 32) == DROP_EVERY * 32 - 1)
			drop_all(st);
	}
	drop_all(st);
	memcpy(blocks, &(uint32_t){ (uint32_t)k }, 4);
	st->blocks_raw = blocks;
	st->blocks_raw_len = 4 + BLOCK_BYTES * k;
	st->blocks = blocks + 4;
	st->n_blocks = k;
	for (i = k = 0; i < st->n_aliases; i++) {
		if (o2n[st->aliases[i].ord] == UINT32_MAX)
			continue;
		st->aliases[k].key = st->aliases[i].key;
		st->aliases[k++].ord = o2n[st->aliases[i].ord];
	}
	st->n_aliases = k;
	return 0;
}

/* Brings the state to the listing of p->src when files were added or
 * removed (a rename is both): the notes kept take their new ordinals,
 * the added ones come in as changed (p->added), and the names of the
 * files added or removed go to p->gone_names, so that plan_run checks
 * the notes whose links looked one of them up. A note that is gone
 * gives up its block ids and tags (note_gone). Returns 1 (also when the
 * listing is the same), 0 when the state cannot serve (*why), -1 when
 * out of memory. */
static int relist(plan *p, const char **why, vl_error *err)
{
	vl_state *st = p->st;
	const vl_source *src = p->src;
	file_table t = { 0, NULL };
	uint64_t listing[2];
	uint32_t *old_ord = NULL;     /* old file -> its note ordinal */
	uint32_t *o2n = NULL;
	unsigned char *used = NULL;
	st_note *nn = NULL;
	size_t i, j, n_new = 0, cap = 0, cap_new = 0;
	int rc = -1, r;

	if (listing_hash(listing, src) < 0)
		return vl_error_set(err, "out of memory");
	if (st->n_files == src->n_files && listing[0] == st->listing[0] &&
	    listing[1] == st->listing[1])
		return 1;
	*why = "files were added, removed or renamed";
	for (i = 0; i < src->n_files; i++)
		n_new += src->files[i].is_note != 0;
	old_ord = malloc((st->n_files + 1) * sizeof(*old_ord));
	o2n = malloc((st->n_notes + 1) * sizeof(*o2n));
	used = calloc(st->n_files + 1, 1);
	nn = calloc(n_new + 1, sizeof(*nn));
	p->added = calloc(n_new + 1, 1);
	if (!old_ord || !o2n || !used || !nn || !p->added ||
	    (r = file_table_make(&t, st)) < 0)
		goto oom;
	if (r == 0) {
		rc = 0;
		goto done;
	}
	for (i = j = 0; i < st->n_files; i++)
		old_ord[i] = file_hash_at(st, i) & 1 ? (uint32_t)j++ : UINT32_MAX;
	if (j != st->n_notes) {
		*why = "the saved state is damaged";
		rc = 0;
		goto done;
	}
	for (i = 0; i < st->n_notes; i++)
		o2n[i] = UINT32_MAX;
	for (i = j = 0; i < src->n_files; i++) {
		const vl_file *f = &src->files[i];
		uint32_t s = *file_slot(&t, st, path_hash(f)), w, other;

		if (s != 0 && used[s - 1]) {
			rc = 0; /* two paths with one hash */
			goto done;
		}
		if (s != 0)
			used[s - 1] = 1;
		if (s == 0) {
			if (VL_PUSH(p->new_files, p->n_new_files, cap_new, i) < 0)
				goto oom;
			w = name_word(f, &other);
			if (VL_PUSH(p->gone_names, p->n_gone_names, cap, w & NAME_HASH) < 0 ||
			    (other != (w & NAME_HASH) &&
			    VL_PUSH(p->gone_names, p->n_gone_names, cap, other) < 0))
				goto oom;
		}
		if (!f->is_note)
			continue;
		if (s != 0) {
			nn[j] = st->notes[old_ord[s - 1]];
			o2n[old_ord[s - 1]] = (uint32_t)j;
		} else {
			p->added[j] = 1;
		}
		j++;
	}
	for (i = 0; i < st->n_files; i++) {
		uint32_t w = name_word_at(st, i);

		if (used[i])
			continue;
		/* a note gone under a name that is not its path's: rare
		 * enough to check every note instead */
		if (w & NAME_ODD) {
			rc = 0;
			goto done;
		}
		if (VL_PUSH(p->gone_names, p->n_gone_names, cap, w & NAME_HASH) < 0)
			goto oom;
		if (old_ord[i] != UINT32_MAX && (r = note_gone(p, old_ord[i])) <= 0) {
			if (r < 0)
				goto oom;
			*why = "the saved state is damaged";
			rc = 0;
			goto done;
		}
	}
	if (p->n_gone_names > 1)
		qsort(p->gone_names, p->n_gone_names, sizeof(*p->gone_names), vl_cmp_u32);
	if (renumber(st, nn, n_new, o2n) < 0)
		goto oom;
	free(st->notes);
	st->notes = nn;
	nn = NULL;
	st->n_notes = n_new;
	st->n_files = src->n_files;
	st->listing[0] = listing[0];
	st->listing[1] = listing[1];
	st->files = NULL; /* the listing's own are written */
	st->relisted = 1;
	*why = NULL;
	rc = 1;
	goto done;
oom:
	rc = vl_error_set(err, "out of memory");
done:
	free(t.slot);
	free(old_ord);
	free(o2n);
	free(used);
	free(nn);
	return rc;
}

/* Adds the aliases of added note j to the state's table, in order. */
static int add_aliases(vl_state *st, const vl_note *note, uint32_t j)
{
	size_t i;

	for (i = 0; i < note->n_aliases; i++) {
		const char *a = note->aliases[i];
		alias_pair e;
		char *key;

		if (a == NULL || a[0] == '\0')
			continue;
		key = vl_arena_strndup(&st->arena, a, strlen(a));
		if (key == NULL)
			return -1;
		vl_lower_into(key, key, strlen(key));
		e.key = key;
		e.ord = j;
		if (VL_PUSH(st->aliases, st->n_aliases, st->cap_aliases, e) < 0)
			return -1;
	}
	return 0;
}

/* Whether one of the names v[0..n) is among the (sorted) gone names. */
static int names_meet(const plan *p, const unsigned char *v, size_t n)
{
	size_t i;

	for (i = 0; p->n_gone_names > 0 && i < n; i++) {
		uint32_t x = u32_at(v, i);

		if (bsearch(&x, p->gone_names, p->n_gone_names, sizeof(x), vl_cmp_u32) != NULL)
			return 1;
	}
	return 0;
}

/* Whether a file added to the vault may change what a finding says of
 * one of the targets (NUL-terminated, in v[0..len)) that reach nothing:
 * its did-you-mean, or, for an added note, the note an alias names.
 * Many files added: every such note is checked again. */
static int missing_near(const plan *p, const unsigned char *v, size_t len)
{
	const char *t = (const char *)v, *end = (const char *)v + len;
	size_t i, k;

	if (len == 0 || p->n_new_files == 0)
		return 0;
	if (p->n_new_files > 64)
		return 1;
	/* each NUL-terminated when loaded; kept within the bytes all the
	 * same (the entry is mapped: see ord_within) */
	for (; t < end && memchr(t, '\0', (size_t)(end - t)) != NULL; t += strlen(t) + 1) {
		for (i = 0; i < p->n_new_files; i++) {
			const vl_file *f = &p->src->files[p->new_files[i]];
			long o = p->ord_of[p->new_files[i]];
			const vl_note *n = o >= 0 ? p->now[o] : NULL;

			if (vl_index_may_suggest(t, f->path, f->is_note))
				return 1;
			for (k = 0; n != NULL && k < n->n_aliases; k++)
				if (n->aliases[k] != NULL && strlen(n->aliases[k]) == strlen(t) &&
				    vl_fold_equal(n->aliases[k], t, strlen(t)))
					return 1;
		}
	}
	return 0;
}

/* The notes whose identity changed (to check by their bytes), and which
 * of them still have the bytes read before. */
typedef struct same_ctx {
	plan *p;
	size_t *ords;
	unsigned char *same;
} same_ctx;

static int same_one(size_t i, int slot, void *payload)
{
	same_ctx *sc = payload;
	plan *p = sc->p;
	size_t j = sc->ords[i];
	uint64_t now[2];
	st_rec was;
	char *buf = NULL;
	size_t len = 0;
	vl_error e;

	(void)slot;
	st_view(p->st, j, &was);
	/* one that cannot be read counts as changed: reading it again
	 * says why */
	if (vl_source_read(p->src, p->file_of[j], &buf, &len, &e) == 0) {
		vl_fingerprint(now, buf, len);
		sc->same[i] = now[0] == was.content[0] && now[1] == was.content[1];
		/* changed: parsed now, from the bytes in hand (plan_run reads
		 * only what is not parsed here, out of memory included) */
		if (!sc->same[i] && vl_note_parse_ex(&p->now[j], p->src->files[p->file_of[j]].path,
		    buf, len, VL_PARSE_NO_ENTRIES, &e) == 0)
			memcpy(p->now[j]->content, now, sizeof(now));
	}
	free(buf);
	return 0;
}

/* Of the notes marked changed by their identity, those whose bytes are
 * the fingerprint the state holds are not: a fresh checkout, a copy or a
 * touch gives every file new stat data (a CI job that restores the
 * state finds no note the same otherwise). Their bytes are read on
 * every core, as a run over every note would, and those that did change
 * are parsed there and then (p->now); the new identity goes into the next
 * state. Returns 0 or -1 (out of memory). */
static int same_bytes(plan *p)
{
	same_ctx sc;
	size_t j, n = 0, i;
	int rc = -1;

	sc.p = p;
	sc.ords = malloc((p->n + 1) * sizeof(*sc.ords));
	sc.same = calloc(p->n + 1, 1);
	if (sc.ords == NULL || sc.same == NULL)
		goto done;
	for (j = 0; j < p->n; j++) {
		st_rec o;

		if (!p->changed[j] || (p->added && p->added[j]))
			continue;
		st_view(p->st, j, &o);
		if (o.content[0] != 0 || o.content[1] != 0)
			sc.ords[n++] = j;
		drop_behind(p->st, j);
	}
	if (n > 0 && vl_run_pool(n, vl_thread_budget(), same_one, &sc) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if (sc.same[i]) {
			p->changed[sc.ords[i]] = 0;
			p->n_same++;
		}
	rc = 0;
done:
	free(sc.ords);
	free(sc.same);
	return rc;
}

/* Finds the changed notes, reads them, and marks what must be checked.
 * Returns 1, 0 when the state cannot serve (*why), -1 on error. */
static int plan_run(plan *p, const vl_memo_key *k, const char **why, vl_error *err)
{
	vl_state *st = p->st;
	vl_source *src = p->src;
	size_t i, j, e;
	st_rec o;
	int r;

	/* relist brought the state to this listing */
	if (st->n_files != src->n_files) {
		*why = "the saved state is damaged";
		return 0;
	}
	for (i = 0, j = 0; i < src->n_files; i++) {
		const vl_file *f = &src->files[i];

		p->ord_of[i] = f->is_note ? (long)j : -1;
		if (!f->is_note)
			continue;
		if (j == p->n) {
			*why = "the saved state is damaged";
			return 0;
		}
		p->file_of[j] = i;
		r = note_identity(p->ident[j], k, f);
		st_view(st, j, &o);
		p->changed[j] = r == 0 || (p->added && p->added[j]) ||
			(o.ident[0] == 0 && o.ident[1] == 0) ||
			o.ident[0] != p->ident[j][0] || o.ident[1] != p->ident[j][1];
		drop_behind(st, j);
		j++;
	}
	if (j != p->n) {
		*why = "the saved state is damaged";
		return 0;
	}
	for (i = 0; i < src->n_problems; i++) {
		long f = vl_source_find(src, src->problems[i].path);
		if (f >= 0 && src->files[f].is_note) {
			*why = "a note could not be listed";
			return 0;
		}
	}
	if (same_bytes(p) < 0)
		return vl_error_set(err, "out of memory");
	for (j = 0; j < p->n; j++) {
		if (!p->changed[j])
			continue;
		r = p->added && p->added[j] ? 0 :
			read_summary(st, j, src->files[p->file_of[j]].path, &p->old[j]);
		if (r > 0)
			*why = "the saved state is damaged";
		if (r != 0)
			return r < 0 ? vl_error_set(err, "out of memory") : 0;
		/* not through the cache: a changed file misses it (same_bytes
		 * parsed those whose bytes it read) */
		r = p->now[j] != NULL ? 0 :
			vl_vault_read_note(&p->now[j], src, p->file_of[j], NULL, NULL, 0, err);
		if (r > 0)
			*why = "a note could not be read";
		if (r != 0)
			return r < 0 ? -1 : 0;
		p->check[j] = 1;
		if ((r = compare_note(p, j, why)) <= 0)
			return r < 0 ? vl_error_set(err, "out of memory") : 0;
	}
	for (i = 0; i < st->tags.n; i++) {
		const char *a = tally_best(st->tags.all[i], 0), *b = tally_best(st->tags.all[i], 1);

		if (a && b && strcmp(a, b) != 0) {
			*why = "the common spelling of a tag changed";
			return 0;
		}
	}
	/* the added notes' aliases in their places */
	if (st->relisted)
		st->n_aliases = sort_alias_pairs(st->aliases, st->n_aliases);
	if (p->n_ids > 1)
		qsort(p->ids, p->n_ids, sizeof(*p->ids), cmp_u64);
	for (j = 0; j < p->n; j++) {
		st_rec view, *on = &view;

		st_view(st, j, &view);
		/* files came or went: the notes whose links looked up one of
		 * their names, or whose findings weigh every name */
		if (st->relisted && !p->check[j] &&
		    (on->relist || names_meet(p, on->names, on->n_names) ||
		    missing_near(p, on->missing, on->missing_len)))
			p->check[j] = 1;
		for (e = 0; e < on->n_reach && !p->check[j]; e++)
			if (p->moved[ord_within(st, u32_at(on->reach, e))])
				p->check[j] = 1;
		for (e = 0; p->n_ids > 0 && e < on->n_refs && !p->check[j]; e++) {
			uint64_t h = u64_at(on->refs, e);
			if (bsearch(&h, p->ids, p->n_ids, sizeof(h), cmp_u64) != NULL)
				p->check[j] = 1;
		}
		drop_behind(st, j);
	}
	return 1;
}

/* The stub of note ordinal i, given its path and name (a stub, its
 * name as vl_note_new gives it) the first time: the lookups that reach
 * it run on the rules' threads. NULL when out of memory. */
static vl_note *stub_of(plan *p, size_t i)
{
	vl_note *s = &p->stubs[i];

	pthread_mutex_lock(&p->stub_lock);
	if (s->path == NULL) {
		char *path = p->src->files[p->file_of[i]].path, *copy;
		const char *name;
		size_t len;

		name = vl_note_name_of(path, &len);
		copy = vl_arena_strndup(&p->stub_names, name, len);
		if (copy != NULL) {
			s->name = copy;
			s->summary = 1;
			s->path = path;
		}
	}
	pthread_mutex_unlock(&p->stub_lock);
	return s->path != NULL ? s : NULL;
}

/* Note ordinal i as a lookup hands it out: a stub is made first. */
static const vl_note *note_out(plan *p, size_t i)
{
	const vl_note *note = p->vault->notes[i];

	if (note != &p->stubs[i])
		return note;
	note = stub_of(p, i);
	if (note == NULL)
		p->damaged = 1;
	return note;
}

/* ---- the vault-wide lookups, from the state ---- */

static const vl_note *fact_alias_owner(const char *name, void *payload)
{
	plan *p = payload;
	const vl_state *st = p->st;
	char buf[256], *key = vl_lower_scratch(buf, sizeof(buf), name, strlen(name));
	size_t lo = 0, hi = st->n_aliases;

	if (key == NULL)
		return NULL;
	/* the first pair of the alias: the note first in vault order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(st->aliases[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	hi = lo < st->n_aliases && strcmp(st->aliases[lo].key, key) == 0;
	vl_scratch_free(key, buf);
	return hi ? note_out(p, st->aliases[lo].ord) : NULL;
}

/* The first note in vault order other than not_this with a block id: the
 * state's table for unchanged notes (each checked against the note's
 * summary: the table holds hashes), the notes themselves for changed
 * ones. */
static const vl_note *fact_block_elsewhere(const vl_note *not_this, const char *id,
	void *payload)
{
	plan *p = payload;
	const vl_state *st = p->st;
	long skip = ord_of_note(p->ords, not_this);
	uint64_t h = vl_hash_lower(id), eh;
	uint32_t o;
	size_t lo = 0, hi = st->n_blocks, i, best = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		block_at(st, mid, &eh, &o);
		if (eh < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < st->n_blocks; i++) {
		vl_note *s = NULL;
		int has;

		block_at(st, i, &eh, &o);
		if (eh != h || o >= best)
			break;
		if ((long)o == skip || p->changed[o])
			continue;
		if (read_summary(st, o, "", &s) != 0) {
			p->damaged = 1;
			continue;
		}
		has = vl_index_find_block(s, id) != NULL;
		vl_note_free(s);
		if (has)
			best = o;
	}
	for (i = 0; i < best; i++)
		if (p->changed[i] && (long)i != skip && vl_index_find_block(p->vault->notes[i], id))
			best = i;
	return best < p->n ? note_out(p, best) : NULL;
}

static const char *fact_tag_spelling(const char *tag, void *payload)
{
	plan *p = payload;
	int oom = 0;
	tally *y = tally_of(&p->st->tags, tag, 0, &oom);

	return y ? tally_best(y, 1) : NULL;
}

/* Gives the stub of note ordinal i the headings and block ids of its
 * summary from the state: the index keeps the stub's address. Returns 0,
 * 1 when the summary is damaged, -1 when out of memory. */
static int fill_stub(plan *p, size_t i)
{
	vl_note *stub = stub_of(p, i), *s = NULL;
	int r;

	if (stub == NULL)
		return -1;
	/* The state's pages this maps are kept: a page of the state maps
	 * its neighbours too (the page cache holds the file in large pieces,
	 * mapped whole: up to 512 KB a summary, a few MB after an edit), but
	 * letting them go costs every later read a fault of its piece again
	 * (dropping every 256 reads took a run that checked 3,000 notes
	 * from 1.0 to 1.6 s). */
	r = read_summary(p->st, i, stub->path, &s);
	if (r != 0)
		return r;
	p->fills[i] = s;
	stub->headings = s->headings;
	stub->n_headings = s->n_headings;
	stub->blocks = s->blocks;
	stub->n_blocks = s->n_blocks;
	stub->unread = s->unread;
	return 0;
}

/* Fills the stubs that the links of the notes to check reach. */
static int fill_reached(plan *p)
{
	vl_vault *v = p->vault;
	vl_resolution res;
	size_t i, l, c;
	int r;

	for (i = 0; i < p->n; i++) {
		const vl_note *note = v->notes[i];

		if (!p->check[i])
			continue;
		for (l = 0; l < note->n_links; l++) {
			if (note->links[l].kind == VL_LINK_URL)
				continue;
			vl_index_resolve(v->index, note, &note->links[l], &res);
			for (c = 0; c <= res.n_candidates && c <= VL_MAX_CANDIDATES; c++) {
				const vl_note *t = c == 0 ? res.note : res.candidates[c - 1];
				long o = ord_of_note(p->ords, t);

				if (c > 0 && res.kind != VL_RESOLVE_AMBIGUOUS)
					break;
				if (o < 0 || p->check[o] || p->fills[o])
					continue;
				if ((r = fill_stub(p, (size_t)o)) != 0)
					return r;
			}
		}
	}
	return 0;
}

/* Which findings of the old report a run keeps: those of notes not
 * checked again; when the state is not stored, only the wanted ones. */
static int keep_old(const char *path, void *payload)
{
	plan *p = payload;
	long f;

	/* the findings are read from the mapped state: a few thousand at
	 * a time are let go of (else the whole section stays in memory) */
	drop_behind(p->st, p->n_old_seen++);

	if (!p->save && p->want &&
	    bsearch(&path, p->want, p->n_want, sizeof(*p->want), vl_cmp_str) == NULL)
		return 0;
	f = vl_source_find(p->src, path);
	return f >= 0 && p->ord_of[f] >= 0 && !p->check[p->ord_of[f]];
}

/* The state's tables with this run's edits: block ids of changed notes
 * replaced, the aliases as they were (unchanged, or the state would not
 * serve), the tags recounted. */
static int put_tables(vl_buf *b, write_plan *wp, plan *p)
{
	const vl_state *st = p->st;
	blk *v = NULL, e, o = { 0, 0 }, last = { 0, 0 };
	size_t n = 0, cap = 0, i, k = 0, count_at;
	uint32_t count = 0;
	int rc = -1;

	if (p->n_ids == 0) {
		/* every changed note has the ids it had: the same table, which
		 * state_write copies from the old state's mapping */
		wp->blocks_raw = st->blocks_raw;
		wp->blocks_raw_len = st->blocks_raw_len;
	} else {
		for (i = 0; i < p->n; i++)
			if (p->changed[i] && note_blocks(&v, &n, &cap, p->vault->notes[i], (uint32_t)i) < 0)
				goto done;
		if (n > 1)
			qsort(v, n, sizeof(*v), cmp_blk);
		/* the old table without the changed notes, merged with theirs */
		count_at = b->len;
		if (vl_buf_put_u32(b, 0) < 0)
			goto done;
		for (i = 0;;) {
			while (i < st->n_blocks) {
				block_at(st, i, &o.h, &o.ord);
				if (!p->changed[o.ord])
					break;
				i++;
			}
			if (i == st->n_blocks && k == n)
				break;
			if (i == st->n_blocks || (k < n && cmp_blk(&v[k], &o) < 0)) {
				e = v[k++];
			} else {
				e = o;
				i++;
			}
			/* a note with an id twice has it once in the table */
			if (count > 0 && cmp_blk(&e, &last) == 0)
				continue;
			if (vl_buf_put_u64(b, e.h) < 0 || vl_buf_put_u32(b, e.ord) < 0)
				goto done;
			last = e;
			count++;
		}
		memcpy(b->ptr + count_at, &count, 4);
	}
	if (put_alias_pairs(b, st->aliases, st->n_aliases) < 0 || put_tags(b, &p->st->tags) < 0)
		goto done;
	rc = 0;
done:
	free(v);
	return rc;
}

/* The stubs of every note (those of notes checked stay unused), as
 * zeros: stub_of makes one when it is wanted. */
static int make_stubs(plan *p)
{
	p->stubs_size = (p->n + 1) * sizeof(*p->stubs);
	p->stubs = vl_zeroed_pages(p->stubs_size);
	p->fills = calloc(p->n + 1, sizeof(*p->fills));
	return p->stubs == NULL || p->fills == NULL ? -1 : 0;
}

/* Lets go of p's vault, its index, and the stubs and what fills them
 * (the vault first: it holds the stubs). */
static void free_vault(plan *p)
{
	size_t i;

	vl_vault_free(p->vault);
	p->vault = NULL;
	for (i = 0; p->fills && i < p->n; i++)
		vl_note_free(p->fills[i]);
	free(p->fills);
	p->fills = NULL;
	vl_zeroed_free(p->stubs, p->stubs_size);
	p->stubs = NULL;
	vl_arena_release(&p->stub_names);
	free(p->ords);
	p->ords = NULL;
}

/* Checks the notes p marked and merges their findings with the old
 * report's for the others into out; stores the new state. Returns 1, 0
 * when the state turns out not to serve (*why; out untouched), -1 on
 * error. */
static int run_plan(vl_diags *out, plan *p, vl_memo_key *skey, const vl_lint_opts *lo,
	vl_state_cache_fn cache_fn, void *payload, const char **why, vl_error *err)
{
	vl_source *src = p->src;
	vl_note **notes = NULL;
	vl_reach *reach = NULL;
	uint32_t *reach_at = NULL;
	const char **only = NULL, **stub_paths = NULL;
	unsigned char *shared = NULL;
	vl_diags report = VL_DIAGS_INIT;
	vl_buf tables = VL_BUF_INIT;
	vl_lint_opts o = *lo;
	vl_index_facts facts;
	vl_cache *cache;
	write_plan wp;
	size_t i, k = 0, n_only = 0, n_again = 0, n_check = 0;
	int rc = -1, r;

	/* a few unchanged notes to check are parsed again: cheaper than
	 * opening the notes cache, which scans its whole file */
	for (i = 0; i < p->n; i++) {
		n_again += p->check[i] && !p->changed[i];
		n_check += p->check[i] != 0;
	}
	cache = n_again > 256 ? cache_fn(payload) : NULL;
	notes = calloc(p->n + 1, sizeof(*notes));
	/* a reach for each note checked only: a few of many */
	reach = calloc(n_check + 1, sizeof(*reach));
	reach_at = calloc(p->n + 1, sizeof(*reach_at));
	shared = calloc(p->n + 1, 1);
	only = calloc(p->n + src->n_problems + 1, sizeof(*only));
	stub_paths = calloc(p->n + 1, sizeof(*stub_paths));
	if (notes == NULL || reach == NULL || reach_at == NULL || shared == NULL || only == NULL ||
	    stub_paths == NULL || make_stubs(p) < 0)
		goto oom;
	for (i = 0; i < p->n; i++) {
		const char *path = src->files[p->file_of[i]].path;

		if (p->now[i]) {
			notes[i] = p->now[i];
			p->now[i] = NULL;
		} else if (p->check[i]) {
			r = vl_vault_read_note(&notes[i], src, p->file_of[i], cache, NULL, 0, err);
			if (r != 0) {
				/* listed a moment ago: a race with an edit; a run
				 * over every note reports it */
				if (r > 0) {
					*why = "a note could not be read";
					rc = 0;
				}
				goto done;
			}
		} else {
			notes[i] = &p->stubs[i];
			shared[i] = 1;
			stub_paths[i] = path;
		}
		if (p->check[i]) {
			only[n_only++] = path;
			reach_at[i] = (uint32_t)++k;
		}
	}
	for (i = 0; i < src->n_problems; i++)
		only[n_only++] = src->problems[i].path;
	if (n_only > 1)
		qsort(only, n_only, sizeof(*only), vl_cmp_str);
	r = vl_vault_new(&p->vault, src, notes, shared, stub_paths, err);
	notes = NULL;
	shared = NULL;
	free(stub_paths);
	stub_paths = NULL;
	if (r < 0)
		goto done;
	p->ords = note_ords(p->vault, p->stubs);
	if (p->ords == NULL)
		goto oom;
	if ((r = fill_reached(p)) != 0) {
		if (r > 0) {
			*why = "the saved state is damaged";
			rc = 0;
		}
		goto done;
	}
	facts.alias_owner = fact_alias_owner;
	facts.block_elsewhere = fact_block_elsewhere;
	facts.tag_spelling = fact_tag_spelling;
	facts.payload = p;
	vl_index_set_facts(p->vault->index, &facts);
	o.only = only;
	o.n_only = n_only;
	o.reach = reach;
	o.reach_at = reach_at;
	o.check = p->check;
	if (vl_lint_run(&report, p->vault, &o, err) < 0)
		goto done;
	if (p->damaged) {
		/* a summary a lookup needed could not be read: the report may
		 * lack a hint */
		*why = "the saved state is damaged";
		rc = 0;
		goto done;
	}
	/* with no state to store, nothing reads the vault again: it goes
	 * before the old findings come, which the whole report then holds */
	if (!p->save)
		free_vault(p);
	r = vl_memo_decode_diags_if(&report, p->st->findings, p->st->findings_len,
		p->st->n_findings, keep_old, p);
	drop_all(p->st);
	if (r <= 0) {
		if (r < 0)
			goto oom;
		*why = "the saved state is damaged";
		rc = 0;
		goto done;
	}
	vl_diags_sort(&report);
	memset(&wp, 0, sizeof(wp));
	wp.old = p->st;
	wp.fresh = p->changed;
	wp.checked = p->check;
	wp.reach = reach;
	wp.reach_at = reach_at;
	wp.ident = p->ident;
	wp.tables = &tables;
	wp.stubs = p->stubs;
	/* every note is here (a stub or read) and no listing problem names
	 * one (plan_run saw to it): the vault is storable. A state that
	 * cannot be stored only costs the next run time. */
	p->saved = p->save && put_tables(&tables, &wp, p) == 0 &&
		state_write(skey, p->vault, &wp, &report, err) == 1;
	if (vl_diags_append(out, &report) < 0)
		goto oom;
	rc = 1;
	goto done;
oom:
	vl_error_set(err, "out of memory");
done:
	vl_reach_free(reach, reach ? n_check : 0);
	free(reach_at);
	free(only);
	free(stub_paths);
	/* not yet the vault's: the notes read whole are still ours */
	for (i = 0; notes && i < p->n; i++)
		if (!shared || !shared[i])
			vl_note_free(notes[i]);
	free(notes);
	free(shared);
	vl_buf_release(&tables);
	vl_diags_release(&report);
	return rc;
}

int vl_state_check(vl_diags *out, vl_state_result *res, vl_state *st,
	vl_source *src, const vl_memo_key *k, vl_memo_key *skey,
	const vl_lint_opts *lo, vl_state_cache_fn cache_fn, void *payload, vl_error *err)
{
	plan p;
	size_t i;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.stub_lock, NULL);
	p.st = st;
	p.src = src;
	rc = relist(&p, &res->why_not, err);
	if (rc <= 0)
		goto done;
	rc = -1;
	p.n = st->n_notes;
	p.file_of = calloc(p.n + 1, sizeof(*p.file_of));
	p.ord_of = calloc(src->n_files + 1, sizeof(*p.ord_of));
	p.ident = calloc(p.n + 1, sizeof(*p.ident));
	p.old = calloc(p.n + 1, sizeof(*p.old));
	p.now = calloc(p.n + 1, sizeof(*p.now));
	p.changed = calloc(p.n + 1, 1);
	p.check = calloc(p.n + 1, 1);
	p.moved = calloc(p.n + 1, 1);
	if (!p.file_of || !p.ord_of || !p.ident || !p.old || !p.now ||
	    !p.changed || !p.check || !p.moved) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	rc = plan_run(&p, k, &res->why_not, err);
	if (rc <= 0)
		goto done;
	for (i = 0; i < p.n; i++)
		res->n_checked += p.check[i];
	res->n_notes = p.n;
	/* The notes to check are read one at a time and held whole: past an
	 * eighth of a large vault (a folder renamed, a note that most notes
	 * link to), a run over every note, which reads them on every core
	 * and holds none whole, costs less, and stores a new state. */
	if (p.n > SAVE_ALWAYS && res->n_checked * CHECK_SHARE > p.n) {
		res->why_not = "too many notes to check again";
		rc = 0;
		goto done;
	}
	/* Storing the state costs about what checking 1/SAVE_SHARE of the
	 * notes again does: a run that checked fewer leaves it as it was, and
	 * the next run checks them again from it; unless many files came or
	 * went since it was stored (each run would match them again), or
	 * many notes have new identities (each run would read them again:
	 * a note read for its bytes counts as one checked). */
	p.save = p.n <= SAVE_ALWAYS || (res->n_checked + p.n_same) * SAVE_SHARE >= p.n ||
		p.n_gone_names >= SAVE_RELISTED;
	p.want = lo->only;
	p.n_want = lo->n_only;
	rc = run_plan(out, &p, skey, lo, cache_fn, payload, &res->why_not, err);
	res->saved = !p.save ? 0 : p.saved ? 1 : -1;
done:
	for (i = 0; p.old && i < p.n; i++)
		vl_note_free(p.old[i]);
	for (i = 0; p.now && i < p.n; i++)
		vl_note_free(p.now[i]);
	free_vault(&p);
	pthread_mutex_destroy(&p.stub_lock);
	free(p.ids);
	free(p.file_of);
	free(p.ord_of);
	free(p.ident);
	free(p.old);
	free(p.now);
	free(p.changed);
	free(p.check);
	free(p.moved);
	free(p.added);
	free(p.gone_names);
	free(p.new_files);
	return rc;
}
