/*
 * index.c: the vault index and link resolution.
 *
 * Everything is looked up case-insensitively, as Obsidian does. Notes,
 * tens of thousands, are found by path without ".md" and by name in
 * tables whose keys are the notes' own paths (ix_names: 8 bytes a slot,
 * no copy of a key); attachments, aliases and tags through hash maps
 * keyed by lower-cased copies. A key's value is a list, since several
 * notes can share a name. Block ids, hundreds of thousands in a large
 * vault, go to a sorted array of hashes instead. Keys and small records
 * live in one arena freed with the index; the notes and their paths are
 * borrowed.
 */
#include "index.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Buckets of the letter histograms used to skip far candidates quickly. */
#define IX_HIST 48
/* Notes with more headings or blocks than this get lookup tables. */
#define IX_TABLE_MIN 16

/* A list of pointers: the value of every map. Nearly every name and path
 * belongs to one item, which the map holds itself (an item is at least
 * 2-byte aligned); two or more make an ix_list in the arena, which the
 * map holds with its lowest bit set. A list that grows moves to a larger
 * array in the arena; the array it outgrew stays there until the index
 * is freed, which at most doubles what lists take. */
typedef struct ix_list {
	void **items;
	size_t n, cap;
} ix_list;

/* A map's value as a list to read: items[0..n). */
typedef struct ix_view {
	void *const *items;
	size_t n;
	void *one;      /* a single item: items points here */
} ix_view;

#define IX_LIST_BIT ((uintptr_t)1)

/* The list of map value value (NULL: none) in *v; returns v->n. */
static size_t list_view(void *value, ix_view *v)
{
	uintptr_t bits = (uintptr_t)value;

	if (bits & IX_LIST_BIT) {
		const ix_list *l = (const ix_list *)(bits & ~IX_LIST_BIT);

		v->items = l->items;
		v->n = l->n;
	} else {
		v->one = value;
		v->items = &v->one;
		v->n = value != NULL;
	}
	return v->n;
}

/* A table of the notes by stem or by name, compared without ASCII case
 * (as Obsidian does), whose keys are the notes' own paths: no key is
 * copied. A slot is 0 when free, else the key's hash in its high half and
 * a reference in its low half: a note's index + 1, or IX_REF_LIST | the
 * index of a list of the notes that share the key (lists). The table has
 * room for every note at a load of 70% at most, so it never grows. */
typedef struct ix_names {
	uint64_t *slot;
	size_t cap;
	int by_name;       /* keys: names (else stems) */
} ix_names;

#define IX_REF_LIST ((uint32_t)1 << 31)

/* What the index knows about one note: one for each note of the vault,
 * so it is kept small (the did-you-mean computes the letter histograms
 * of the few candidates that get that far). */
typedef struct ix_note {
	/* Not read for a stub (vl_index_new_ex): a note the index knows by
	 * its path alone, whose owner fills it in before anything else
	 * reads it. */
	const vl_note *note;
	const char *path;  /* the note's path (borrowed) */
	uint32_t stem_len; /* the path without ".md": path[0..stem_len) */
	uint32_t name_off; /* its name (vl_note_name_of): name_len bytes */
	uint32_t name_len; /* at path + name_off */
	vl_map *headings;  /* heading key -> list of vl_heading, or NULL */
	vl_map *blocks;    /* lc block id -> its first vl_block, or NULL */
} ix_note;

/* One attachment. */
typedef struct ix_file {
	char *path;      /* vault-relative, case kept */
	const char *name;/* points into path: the file name */
	size_t path_len;
	size_t name_len;
} ix_file;

/* A sort key (letter << 16 | length) and what it belongs to. */
typedef struct ix_key {
	uint32_t key;
	uint32_t id;
	uint64_t letters;   /* which letters the string holds (letter_mask) */
} ix_key;

/* A note's address and its record, sorted by address. */
typedef struct ix_ptr {
	const vl_note *note;
	size_t i;
} ix_ptr;

/* One spelling of a tag and how often it is written. */
typedef struct ix_spelling {
	const char *name;
	size_t count;
} ix_spelling;

typedef struct ix_tag {
	ix_spelling *sp;
	size_t n, cap;
} ix_tag;

struct vl_index {
	ix_note *notes;
	size_t n_notes;
	ix_file *files;
	size_t n_files;
	ix_names by_path;  /* stem -> its notes */
	ix_names by_name;  /* name -> its notes */
	ix_list **lists;   /* the lists of notes that share a stem or name */
	size_t n_lists, cap_lists;
	vl_map file_path;  /* lc path -> list of ix_file */
	vl_map file_name;  /* lc file name -> list of ix_file */
	vl_map file_stem;  /* lc file name without extension -> list of ix_file */
	vl_map alias;      /* lc alias -> vl_note (the first that has it) */
	vl_map tags;       /* lc tag -> ix_tag */
	ix_tag **tagv;     /* every tag record, for freeing */
	size_t n_tagv, cap_tagv;
	/* Did-you-mean buckets: notes (then files) sorted by the first and by
	 * the last letter of their name, then by length (see suggest_target). */
	ix_key *note_first, *note_last, *file_first, *file_last;
	ix_key *stem_first, *stem_last, *fpath_first, *fpath_last; /* by path */
	/* The buckets are sorted when the first did-you-mean wants them (a
	 * run with no broken link never does): buckets 1 once they are, -1
	 * when that ran out of memory. */
	pthread_mutex_t bucket_lock;
	atomic_int buckets;
	/* The notes with lookup tables (index_tables) sorted by address, for
	 * ix_of: n_by_ptr of them */
	ix_ptr *by_ptr;
	size_t n_by_ptr;
	/* Every block id of the vault as id_hash(id) << 32 | the index of its
	 * note in notes, sorted: a vault has hundreds of thousands of ids,
	 * and a sorted array of them costs a fraction of the memory (and so
	 * of the time) of a map and its lists. */
	uint64_t *block_ids;
	size_t n_block_ids;
	vl_arena arena;
	vl_arena tag_arena; /* the tags' keys: tallied on a thread of their own */
	vl_index_facts facts; /* vault-wide facts kept elsewhere, or zeros */
};

static void hist_fill(unsigned char *h, const char *s, size_t n);
static size_t heading_key(const char *s, size_t n, char *out);
static char *arena_lower(vl_arena *a, const char *s, size_t n)
{
	char *p = vl_arena_strndup(a, s, n);

	if (p != NULL)
		vl_lower_into(p, p, n);
	return p;
}

/* A hash of a block id that ignores ASCII case, as block ids match
 * (FNV-1a of the lower-cased bytes, folded to 32 bits). */
static uint32_t id_hash(const char *s)
{
	uint64_t h = vl_hash_lower(s);

	return (uint32_t)(h ^ h >> 32);
}

/* Length of s without a trailing ".md" (any case). */
static size_t strip_md(const char *s, size_t n)
{
	if (n >= 3 && strncasecmp(s + n - 3, ".md", 3) == 0)
		return n - 3;
	return n;
}

/* A list of the two items a and b, in the arena; NULL when out of memory. */
static ix_list *list_pair(vl_index *idx, void *a, void *b)
{
	ix_list *l = vl_arena_alloc(&idx->arena, sizeof(*l));
	void **v = vl_arena_alloc(&idx->arena, 2 * sizeof(*v));

	if (l == NULL || v == NULL)
		return NULL;
	v[0] = a;
	v[1] = b;
	l->items = v;
	l->n = l->cap = 2;
	return l;
}

/* Appends item to list l (unless it is its last already). Returns 0 or -1. */
static int list_push(vl_index *idx, ix_list *l, void *item)
{
	void **v;

	if (l->items[l->n - 1] == item)
		return 0;
	if (l->n == l->cap) {
		if (l->cap > SIZE_MAX / 2 / sizeof(*v))
			return -1;
		v = vl_arena_alloc(&idx->arena, 2 * l->cap * sizeof(*v));
		if (v == NULL)
			return -1;
		memcpy(v, l->items, l->n * sizeof(*v));
		l->items = v;
		l->cap *= 2;
	}
	l->items[l->n++] = item;
	return 0;
}

/* Appends item to the list stored under key (a lower-case key that lives
 * in the arena), creating the list when needed. */
static int list_add(vl_index *idx, vl_map *m, const char *key, void *item)
{
	void *value = vl_map_get(m, key);
	ix_list *l;

	if (value == NULL)
		return vl_map_put(m, key, item);
	if (!((uintptr_t)value & IX_LIST_BIT)) {
		/* a second item: the pair becomes a list */
		if (value == item)
			return 0;
		l = list_pair(idx, value, item);
		return l == NULL ? -1 : vl_map_put(m, key, (void *)((uintptr_t)l | IX_LIST_BIT));
	}
	return list_push(idx, (ix_list *)((uintptr_t)value & ~IX_LIST_BIT), item);
}

/* Looks up a lower-cased copy of s[0..n) in m: the list in *v, and how
 * many items it has. */
static size_t list_get(const vl_map *m, const char *s, size_t n, ix_view *v)
{
	char buf[256], *key;
	void *value;

	/* every link resolves through here: a short key stays on the stack */
	if ((key = vl_lower_scratch(buf, sizeof(buf), s, n)) == NULL)
		return list_view(NULL, v);
	value = vl_map_get(m, key);
	vl_scratch_free(key, buf);
	return list_view(value, v);
}

/* The key of note in in t: its stem or its name. */
static const char *names_key(const ix_names *t, const ix_note *in, size_t *len)
{
	*len = t->by_name ? in->name_len : in->stem_len;
	return in->path + (t->by_name ? in->name_off : 0);
}

/* The first note of slot value ref. */
static const ix_note *ref_note(const vl_index *idx, uint32_t ref)
{
	if (ref & IX_REF_LIST)
		return idx->lists[ref & ~IX_REF_LIST]->items[0];
	return &idx->notes[ref - 1];
}

static int names_init(ix_names *t, size_t n, int by_name)
{
	t->by_name = by_name;
	t->cap = n > SIZE_MAX / 2 / sizeof(*t->slot) ? 0 : n * 10 / 7 + 16;
	t->slot = t->cap ? calloc(t->cap, sizeof(*t->slot)) : NULL;
	return t->slot == NULL ? -1 : 0;
}

/* The slot of key s[0..n) in t (hash h): its own, or the free one where
 * it would go. */
static uint64_t *names_find(const vl_index *idx, const ix_names *t, const char *s, size_t n,
	uint32_t h)
{
	size_t i = (size_t)h % t->cap;

	for (;;) {
		uint64_t *sl = &t->slot[i];
		const ix_note *in;
		const char *k;
		size_t klen;

		if ((uint32_t)*sl == 0)
			return sl;
		if ((uint32_t)(*sl >> 32) == h) {
			in = ref_note(idx, (uint32_t)*sl);
			k = names_key(t, in, &klen);
			/* case aside, as names_hash and the lists' keys */
			if (klen == n && vl_fold_equal(k, s, n))
				return sl;
		}
		i = i + 1 == t->cap ? 0 : i + 1;
	}
}

static uint32_t names_hash(const char *s, size_t n)
{
	uint64_t h = vl_hash_lower_n(s, n);

	return (uint32_t)(h ^ h >> 32);
}

/* Adds note idx->notes[k] to t under its key. Returns 0 or -1. */
static int names_add(vl_index *idx, ix_names *t, size_t k)
{
	const ix_note *in = &idx->notes[k];
	size_t n;
	const char *key = names_key(t, in, &n);
	uint32_t h = names_hash(key, n), ref;
	uint64_t *sl = names_find(idx, t, key, n, h);
	ix_list *l;

	if ((uint32_t)*sl == 0) {
		*sl = (uint64_t)h << 32 | (uint32_t)(k + 1);
		return 0;
	}
	ref = (uint32_t)*sl;
	if (!(ref & IX_REF_LIST)) {
		/* a second note: the pair becomes a list */
		if (idx->n_lists >= IX_REF_LIST)
			return -1;
		l = list_pair(idx, (void *)&idx->notes[ref - 1], (void *)in);
		if (l == NULL || VL_PUSH(idx->lists, idx->n_lists, idx->cap_lists, l) < 0)
			return -1;
		*sl = (uint64_t)h << 32 | (IX_REF_LIST | (uint32_t)(idx->n_lists - 1));
		return 0;
	}
	return list_push(idx, idx->lists[ref & ~IX_REF_LIST], (void *)in);
}

/* The notes of key s[0..n) in t (any ASCII case) in *v; returns v->n. */
static size_t names_get(const vl_index *idx, const ix_names *t, const char *s, size_t n,
	ix_view *v)
{
	uint32_t ref;

	if (t->cap == 0)
		return list_view(NULL, v);
	ref = (uint32_t)*names_find(idx, t, s, n, names_hash(s, n));
	if (ref == 0)
		return list_view(NULL, v);
	if (ref & IX_REF_LIST)
		return list_view((void *)((uintptr_t)idx->lists[ref & ~IX_REF_LIST] | IX_LIST_BIT), v);
	return list_view((void *)&idx->notes[ref - 1], v);
}

uint32_t vl_index_name_hash(const char *s, size_t n)
{
	const char *slash = memrchr(s, '/', n);
	size_t at = slash ? (size_t)(slash - s) + 1 : 0;
	uint64_t h = vl_hash_lower_n(s + at, n - at);

	return (uint32_t)(h ^ h >> 32) & 0x3FFFFFFF;
}

/* Notes in out (when not NULL) that the resolution looks up s[0..n). */
static void probe(vl_resolution *out, const char *s, size_t n)
{
	uint32_t h;
	size_t i;

	if (out == NULL)
		return;
	h = vl_index_name_hash(s, n);
	for (i = 0; i < out->n_probes; i++)
		if (out->probes[i] == h)
			return;
	if (out->n_probes == VL_MAX_PROBES)
		out->probes_over = 1;
	else
		out->probes[out->n_probes++] = h;
}

/* Counts a spelling of a tag n times. A vault writes the same few tags
 * over and over, so the key is lower-cased on the stack and copied into
 * the arena only for a tag not seen before. */
static int add_tag(vl_index *idx, const char *name, size_t n_times)
{
	char buf[128], *key = buf;
	size_t n = strlen(name), i;
	ix_tag *t;
	ix_spelling s;

	if (n < sizeof(buf))
		vl_lower_into(buf, name, n);
	else if ((key = arena_lower(&idx->tag_arena, name, n)) == NULL)
		return -1;
	t = vl_map_get(&idx->tags, key);
	if (t == NULL) {
		if (key == buf && (key = vl_arena_strndup(&idx->tag_arena, buf, n)) == NULL)
			return -1;
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return -1;
		if (VL_PUSH(idx->tagv, idx->n_tagv, idx->cap_tagv, t) < 0) {
			free(t);
			return -1;
		}
		if (vl_map_put(&idx->tags, key, t) < 0)
			return -1;
	}
	for (i = 0; i < t->n; i++) {
		if (strcmp(t->sp[i].name, name) == 0) {
			t->sp[i].count += n_times;
			return 0;
		}
	}
	s.name = name;
	s.count = n_times;
	return VL_PUSH(t->sp, t->n, t->cap, s);
}

/* Lookup tables for a note with many headings or blocks, so that links
 * into a huge note do not scan it once per link. */
static int index_tables(vl_index *idx, ix_note *in, const vl_note *note)
{
	size_t i;

	if (note->n_headings > IX_TABLE_MIN) {
		in->headings = calloc(1, sizeof(*in->headings));
		if (in->headings == NULL)
			return -1;
		for (i = 0; i < note->n_headings; i++) {
			const char *h = note->headings[i].text ? note->headings[i].text : "";
			size_t n = strlen(h);
			char *key = vl_arena_alloc(&idx->arena, n + 1);

			if (key == NULL)
				return -1;
			heading_key(h, n, key);
			if (list_add(idx, in->headings, key, (void *)&note->headings[i]) < 0)
				return -1;
		}
	}
	if (note->n_blocks > IX_TABLE_MIN) {
		in->blocks = calloc(1, sizeof(*in->blocks));
		if (in->blocks == NULL)
			return -1;
		for (i = 0; i < note->n_blocks; i++) {
			const char *id = note->blocks[i].id;
			char *key;

			if (id == NULL)
				continue;
			key = arena_lower(&idx->arena, id, strlen(id));
			if (key == NULL)
				return -1;
			if (vl_map_get(in->blocks, key) == NULL &&
			    vl_map_put(in->blocks, key, (void *)&note->blocks[i]) < 0)
				return -1;
		}
	}
	return 0;
}

/* Indexes note, or (stub_path not NULL) the stub at that path, which
 * has nothing but its path yet. */
static int index_note(vl_index *idx, ix_note *in, const vl_note *note,
	const char *stub_path)
{
	const char *path = stub_path ? stub_path : note->path, *key;
	size_t plen = strlen(path), name_len, i;
	/* the name vl_note_new gives a note at path (a stub has no other) */
	const char *name = vl_note_name_of(path, &name_len);
	in->note = note;
	in->path = path;
	/* a path (and so a name) is far shorter than 4 GB: PATH_MAX, or
	 * what git stores */
	in->stem_len = (uint32_t)strip_md(path, plen);
	in->name_off = (uint32_t)(name - path);
	in->name_len = (uint32_t)name_len;
	if (names_add(idx, &idx->by_path, (size_t)(in - idx->notes)) < 0 ||
	    names_add(idx, &idx->by_name, (size_t)(in - idx->notes)) < 0)
		return -1;
	if (stub_path != NULL)
		return 0;
	for (i = 0; i < note->n_aliases; i++) {
		const char *a = note->aliases[i];

		if (a == NULL || a[0] == '\0')
			continue;
		key = arena_lower(&idx->arena, a, strlen(a));
		if (key == NULL)
			return -1;
		if (vl_map_get(&idx->alias, key) == NULL &&
		    vl_map_put(&idx->alias, key, (void *)note) < 0)
			return -1;
	}
	for (i = 0; i < note->n_blocks; i++) {
		const char *id = note->blocks[i].id;

		if (id != NULL)
			idx->block_ids[idx->n_block_ids++] =
				(uint64_t)id_hash(id) << 32 | (uint32_t)(in - idx->notes);
	}
	return index_tables(idx, in, note);
}

/* The tags of every note, tallied by spelling (add_tag). It touches
 * only the index's tags, so it runs beside the rest of the build. */
typedef struct tag_job {
	vl_index *idx;
	vl_note *const *notes;
	const char *const *stubs;  /* vl_index_new_ex's stub paths, or NULL */
	size_t n_notes;
	int rc;
} tag_job;

static void *tally_tags(void *arg)
{
	tag_job *j = arg;
	size_t i, k;

	j->rc = 0;
	for (i = 0; i < j->n_notes && j->rc == 0; i++) {
		const vl_note *note = j->notes[i];

		if ((j->stubs != NULL && j->stubs[i] != NULL) ||
		    note == NULL || note->path == NULL || note->name == NULL)
			continue;
		for (k = 0; k < note->n_tags && j->rc == 0; k++)
			if (note->tags[k].name != NULL && add_tag(j->idx, note->tags[k].name, 1) < 0)
				j->rc = -1;
		for (k = 0; k < note->n_tag_counts && j->rc == 0; k++)
			if (add_tag(j->idx, note->tag_counts[k].name, note->tag_counts[k].count) < 0)
				j->rc = -1;
	}
	return NULL;
}

static int index_file(vl_index *idx, ix_file *f, const char *path)
{
	const char *slash;
	char *key;

	f->path_len = strlen(path);
	f->path = vl_arena_strndup(&idx->arena, path, f->path_len);
	if (f->path == NULL)
		return -1;
	slash = strrchr(f->path, '/');
	f->name = slash ? slash + 1 : f->path;
	f->name_len = strlen(f->name);
	key = arena_lower(&idx->arena, f->path, f->path_len);
	if (key == NULL || list_add(idx, &idx->file_path, key, f) < 0)
		return -1;
	key = arena_lower(&idx->arena, f->name, f->name_len);
	if (key == NULL || list_add(idx, &idx->file_name, key, f) < 0)
		return -1;
	{
		const char *dot = strrchr(f->name, '.');
		if (dot != NULL && dot > f->name) {
			key = arena_lower(&idx->arena, f->name, (size_t)(dot - f->name));
			if (key == NULL || list_add(idx, &idx->file_stem, key, f) < 0)
				return -1;
		}
	}
	return 0;
}

/* A set of the characters of s: a-z, 0-9 and space get a bit each, the
 * rest share bits by hash. A character of one string missing from the
 * other costs at least one edit, so the larger of the two differences is a
 * lower bound of the edit distance that costs a few instructions. */
static uint64_t letter_mask(const char *s, size_t n)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned bit;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z')
			bit = c - 'a';
		else if (c >= '0' && c <= '9')
			bit = 26 + (c - '0');
		else if (c == ' ')
			bit = 36;
		else
			bit = 37 + c % 27;
		m |= (uint64_t)1 << bit;
	}
	return m;
}

/* Bits set in x, without relying on a popcount instruction. */
static inline size_t bit_count(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (size_t)((x * 0x0101010101010101ULL) >> 56);
}

static inline size_t mask_bound(uint64_t a, uint64_t b)
{
	size_t x = bit_count(a & ~b);
	size_t y = bit_count(b & ~a);

	return x > y ? x : y;
}

static uint32_t bucket_key(unsigned char c, size_t len)
{
	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	return (uint32_t)c << 16 | (uint32_t)(len > 0xFFFF ? 0xFFFF : len);
}

/* Sorts v[0..n) by key, then id, through tmp (room for n): a counting
 * sort on each byte of the 24-bit key, the lowest first, a few linear
 * passes where qsort would call a comparison a million times for 50,000
 * names. Each pass keeps the order of equal bytes and the ids come in
 * increasing order, so equal keys end up by id. A byte that every key
 * shares needs no pass. */
static void sort_keys(ix_key *v, ix_key *tmp, size_t n)
{
	vl_radix_sort(v, tmp, n, sizeof(*v), offsetof(ix_key, key), sizeof(v->key), 0, 24);
}

/* A bucket array of n keys ends with one more key per run of IX_RUN keys
 * (in sorted order), whose letters are the union of the run's: a target
 * with more letters than the cutoff that no name of a run holds can pass
 * over the whole run (see suggest_target). */
#define IX_RUN 64

static size_t runs_of(size_t n)
{
	return (n + IX_RUN - 1) / IX_RUN;
}

static void fill_runs(ix_key *v, size_t n)
{
	ix_key *run = v + n;
	size_t i;

	memset(run, 0, runs_of(n) * sizeof(*run));
	for (i = 0; i < n; i++)
		run[i / IX_RUN].letters |= v[i].letters;
}

/* Sorts names (n of them, given by getter) by first and by last letter;
 * tmp is scratch room for n keys. */
static int sort_buckets(ix_key **first, ix_key **last, ix_key *tmp, size_t n,
	const char *(*name)(const vl_index *, size_t, size_t *), const vl_index *idx)
{
	size_t i;

	if (n == 0)
		return 0;
	*first = malloc((n + runs_of(n)) * sizeof(**first));
	*last = malloc((n + runs_of(n)) * sizeof(**last));
	if (*first == NULL || *last == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		size_t len;
		const char *s = name(idx, i, &len);

		(*first)[i].key = bucket_key(len ? (unsigned char)s[0] : 0, len);
		(*last)[i].key = bucket_key(len ? (unsigned char)s[len - 1] : 0, len);
		(*first)[i].id = (*last)[i].id = (uint32_t)i;
		(*first)[i].letters = (*last)[i].letters = letter_mask(s, len);
	}
	sort_keys(*first, tmp, n);
	sort_keys(*last, tmp, n);
	fill_runs(*first, n);
	fill_runs(*last, n);
	return 0;
}

static const char *note_name_at(const vl_index *idx, size_t i, size_t *len)
{
	*len = idx->notes[i].name_len;
	return idx->notes[i].path + idx->notes[i].name_off;
}

static const char *file_name_at(const vl_index *idx, size_t i, size_t *len)
{
	*len = idx->files[i].name_len;
	return idx->files[i].name;
}

static const char *note_stem_at(const vl_index *idx, size_t i, size_t *len)
{
	*len = idx->notes[i].stem_len;
	return idx->notes[i].path;
}

static const char *file_path_at(const vl_index *idx, size_t i, size_t *len)
{
	*len = idx->files[i].path_len;
	return idx->files[i].path;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const ix_ptr *)a)->note;
	uintptr_t y = (uintptr_t)((const ix_ptr *)b)->note;

	return x < y ? -1 : x > y;
}

/* by_ptr over the notes that have lookup tables. */
static int build_by_ptr(vl_index *idx)
{
	size_t i, n = 0;

	for (i = 0; i < idx->n_notes; i++)
		n += idx->notes[i].headings != NULL || idx->notes[i].blocks != NULL;
	if (n == 0)
		return 0;
	idx->by_ptr = malloc(n * sizeof(*idx->by_ptr));
	if (idx->by_ptr == NULL)
		return -1;
	for (i = 0; i < idx->n_notes; i++) {
		if (idx->notes[i].headings == NULL && idx->notes[i].blocks == NULL)
			continue;
		idx->by_ptr[idx->n_by_ptr].note = idx->notes[i].note;
		idx->by_ptr[idx->n_by_ptr++].i = i;
	}
	qsort(idx->by_ptr, n, sizeof(*idx->by_ptr), cmp_ptr);
	return 0;
}

static int build_buckets(vl_index *idx)
{
	size_t n = idx->n_notes > idx->n_files ? idx->n_notes : idx->n_files;
	ix_key *tmp;
	int rc = -1;

	if (n == 0)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (tmp != NULL &&
	    sort_buckets(&idx->note_first, &idx->note_last, tmp, idx->n_notes,
	    note_name_at, idx) == 0 &&
	    sort_buckets(&idx->stem_first, &idx->stem_last, tmp, idx->n_notes,
	    note_stem_at, idx) == 0 &&
	    sort_buckets(&idx->fpath_first, &idx->fpath_last, tmp, idx->n_files,
	    file_path_at, idx) == 0 &&
	    sort_buckets(&idx->file_first, &idx->file_last, tmp, idx->n_files,
	    file_name_at, idx) == 0)
		rc = 0;
	free(tmp);
	return rc;
}

/* The did-you-mean buckets, sorted on first use (the index is shared by
 * the rules' threads, and otherwise not changed after it is built).
 * Returns 1 when they are there. */
static int have_buckets(const vl_index *idx)
{
	vl_index *w = (vl_index *)idx;
	int b = atomic_load(&w->buckets);

	if (b != 0)
		return b > 0;
	pthread_mutex_lock(&w->bucket_lock);
	b = atomic_load(&w->buckets);
	if (b == 0) {
		b = build_buckets(w) == 0 ? 1 : -1;
		atomic_store(&w->buckets, b);
	}
	pthread_mutex_unlock(&w->bucket_lock);
	return b > 0;
}

/* The first position in v[0..n) whose key is >= key. */
static size_t lower_key(const ix_key *v, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sorts block_ids (see struct vl_index), filled in note order by
 * index_note. Each pass of the radix sort (on the 32 bits of the hash, a
 * byte at a time) keeps the order of equal bytes, so the notes that share
 * an id stay in note order. */
static int sort_block_ids(vl_index *idx)
{
	uint64_t *tmp;
	size_t n = idx->n_block_ids;

	if (n == 0)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (tmp == NULL)
		return -1;
	/* on the hash, the high half: equal ones stay in note order */
	vl_radix_sort(idx->block_ids, tmp, n, sizeof(*tmp), 0, sizeof(*tmp), 32, 64);
	free(tmp);
	return 0;
}

/* Sizes the vault-wide maps and block_ids for what they will hold (at
 * most: names and aliases can repeat), so that they are allocated once
 * instead of growing their way up. Tags are left to grow: a vault writes
 * many tags but few distinct ones. */
static int reserve(vl_index *idx, vl_note *const *notes, const char *const *stubs,
	size_t n_notes, size_t n_files)
{
	size_t i, n_aliases = 0, n_blocks = 0;

	for (i = 0; i < n_notes; i++) {
		if ((stubs == NULL || stubs[i] == NULL) && notes[i] != NULL) {
			n_aliases += notes[i]->n_aliases;
			n_blocks += notes[i]->n_blocks;
		}
	}
	if (n_blocks > 0) {
		idx->block_ids = malloc(n_blocks * sizeof(*idx->block_ids));
		if (idx->block_ids == NULL)
			return -1;
	}
	if (names_init(&idx->by_path, n_notes, 0) < 0 ||
	    names_init(&idx->by_name, n_notes, 1) < 0 ||
	    vl_map_reserve(&idx->alias, n_aliases) < 0 ||
	    vl_map_reserve(&idx->file_path, n_files) < 0 ||
	    vl_map_reserve(&idx->file_name, n_files) < 0)
		return -1;
	return vl_map_reserve(&idx->file_stem, n_files);
}

int vl_index_new(vl_index **out, vl_note *const *notes, size_t n_notes,
	const vl_source *src, vl_error *err)
{
	return vl_index_new_ex(out, notes, NULL, n_notes, src, err);
}

int vl_index_new_ex(vl_index **out, vl_note *const *notes, const char *const *stubs,
	size_t n_notes, const vl_source *src, vl_error *err)
{
	vl_index *idx;
	tag_job tags;
	pthread_t tid;
	size_t i, n_files = 0;
	int rc = -1, tags_on_thread = 0;

	*out = NULL;
	idx = calloc(1, sizeof(*idx));
	if (idx == NULL)
		goto done;
	pthread_mutex_init(&idx->bucket_lock, NULL);
	atomic_init(&idx->buckets, 0);
	if (n_notes > 0) {
		idx->notes = calloc(n_notes, sizeof(*idx->notes));
		if (idx->notes == NULL)
			goto done;
	}
	if (src != NULL) {
		for (i = 0; i < src->n_files; i++)
			n_files += !src->files[i].is_note;
	}
	if (reserve(idx, notes, stubs, n_notes, n_files) < 0)
		goto done;
	tags.idx = idx;
	tags.notes = notes;
	tags.stubs = stubs;
	tags.n_notes = n_notes;
	tags_on_thread = n_notes >= 1024 && vl_thread_budget() > 1 &&
		pthread_create(&tid, NULL, tally_tags, &tags) == 0;
	if (!tags_on_thread)
		tally_tags(&tags);
	for (i = 0; i < n_notes; i++) {
		const vl_note *note = notes[i];
		const char *stub = stubs != NULL ? stubs[i] : NULL;

		if (stub == NULL && (note == NULL || note->path == NULL || note->name == NULL))
			continue;
		/* Counted first, so that vl_index_free releases a half-done one. */
		idx->n_notes++;
		if (index_note(idx, &idx->notes[idx->n_notes - 1], note, stub) < 0)
			goto done;
	}
	if (n_files > 0) {
		idx->files = calloc(n_files, sizeof(*idx->files));
		if (idx->files == NULL)
			goto done;
		for (i = 0; i < src->n_files; i++) {
			if (src->files[i].is_note)
				continue;
			if (index_file(idx, &idx->files[idx->n_files], src->files[i].path) < 0)
				goto done;
			idx->n_files++;
		}
	}
	if (build_by_ptr(idx) < 0 || sort_block_ids(idx) < 0)
		goto done;
	if (tags_on_thread) {
		pthread_join(tid, NULL);
		tags_on_thread = 0;
	}
	if (tags.rc < 0)
		goto done;
	*out = idx;
	idx = NULL;
	rc = 0;
done:
	if (tags_on_thread)
		pthread_join(tid, NULL);
	if (rc < 0)
		vl_error_set(err, "out of memory while building the vault index");
	vl_index_free(idx);
	return rc;
}

void vl_index_free(vl_index *idx)
{
	size_t i;

	if (idx == NULL)
		return;
	pthread_mutex_destroy(&idx->bucket_lock);
	for (i = 0; i < idx->n_tagv; i++) {
		free(idx->tagv[i]->sp);
		free(idx->tagv[i]);
	}
	free(idx->tagv);
	free(idx->by_path.slot);
	free(idx->by_name.slot);
	free(idx->lists);
	vl_map_release(&idx->file_path);
	vl_map_release(&idx->file_name);
	vl_map_release(&idx->file_stem);
	vl_map_release(&idx->alias);
	vl_map_release(&idx->tags);
	for (i = 0; i < idx->n_notes; i++) {
		if (idx->notes[i].headings != NULL)
			vl_map_release(idx->notes[i].headings);
		free(idx->notes[i].headings);
		if (idx->notes[i].blocks != NULL)
			vl_map_release(idx->notes[i].blocks);
		free(idx->notes[i].blocks);
	}
	vl_arena_release(&idx->arena);
	vl_arena_release(&idx->tag_arena);
	free(idx->note_first);
	free(idx->note_last);
	free(idx->file_first);
	free(idx->file_last);
	free(idx->stem_first);
	free(idx->stem_last);
	free(idx->fpath_first);
	free(idx->fpath_last);
	free(idx->by_ptr);
	free(idx->block_ids);
	free(idx->notes);
	free(idx->files);
	free(idx);
}

/* ---- ranking candidates ---- */

/* Length of the folder part of a path (up to the last '/', excluded). */
static size_t folder_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

static int in_folder(const char *path, const char *folder, size_t flen)
{
	return folder_len(path) == flen && strncmp(path, folder, flen) == 0;
}

/* Obsidian's preference among same-named targets: the linking note's
 * folder first, then the shortest path, then byte order. Returns <0 when
 * path a is preferred over b. */
static int prefer(const char *a, const char *b, const char *folder, size_t flen)
{
	int ia = in_folder(a, folder, flen), ib = in_folder(b, folder, flen);
	size_t la = strlen(a), lb = strlen(b);

	if (ia != ib)
		return ia ? -1 : 1;
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* Keeps candidate note x among the best (at most VL_MAX_CANDIDATES, in
 * order of preference) of the *n seen so far, and counts it. */
static void rank_note(const ix_note **best, size_t *n, const ix_note *x,
	const char *folder, size_t flen)
{
	size_t kept = *n < VL_MAX_CANDIDATES ? *n : VL_MAX_CANDIDATES, j;

	for (j = kept; j > 0 && prefer(x->path, best[j - 1]->path, folder, flen) < 0; j--)
		if (j < VL_MAX_CANDIDATES)
			best[j] = best[j - 1];
	if (j < VL_MAX_CANDIDATES)
		best[j] = x;
	(*n)++;
}

/* Fills out from the n candidate notes of a name, the best first: one
 * is a NOTE, several are AMBIGUOUS. Returns 0 when there are none. */
static int set_notes(vl_resolution *out, const ix_note *const *best, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	out->note = best[0]->note;
	out->note_path = best[0]->path;
	if (n == 1) {
		out->kind = VL_RESOLVE_NOTE;
		return 1;
	}
	out->kind = VL_RESOLVE_AMBIGUOUS;
	out->n_candidates = n;
	for (i = 0; i < n && i < VL_MAX_CANDIDATES; i++)
		out->candidates[i] = best[i]->note;
	return 1;
}

/* ---- lookups ---- */

/* The note at vault path p[0..n) (".md" optional), preferring the exact
 * spelling when several differ only by case. */
static const ix_note *note_at_path(const vl_index *idx, const char *p, size_t n,
	vl_resolution *out)
{
	size_t stem = strip_md(p, n), k, i;

	/* First "x.md" as the note x, then "x.md" as a note called x.md.md. */
	for (k = 0; k < 2; k++) {
		size_t len = k == 0 ? stem : n;
		ix_view l;
		const ix_note *first;

		if (k == 1 && stem == n)
			break;
		probe(out, p, len);
		if (names_get(idx, &idx->by_path, p, len, &l) == 0)
			continue;
		first = l.items[0];
		for (i = 0; i < l.n; i++) {
			const ix_note *in = l.items[i];

			if (in->stem_len == len && memcmp(in->path, p, len) == 0)
				return in;
		}
		return first;
	}
	return NULL;
}

static const ix_file *file_at_path(const vl_index *idx, const char *p, size_t n,
	vl_resolution *out)
{
	ix_view l;
	size_t i;

	probe(out, p, n);
	if (list_get(&idx->file_path, p, n, &l) == 0)
		return NULL;
	for (i = 0; i < l.n; i++) {
		const ix_file *f = l.items[i];

		if (f->path_len == n && memcmp(f->path, p, n) == 0)
			return f;
	}
	return l.items[0];
}

/* Tries the vault path p as a note, then as an attachment. */
static int try_path(const vl_index *idx, const char *p, vl_resolution *out)
{
	size_t n = strlen(p);
	const ix_note *in;
	const ix_file *f;

	if (n == 0)
		return 0;
	in = note_at_path(idx, p, n, out);
	if (in != NULL) {
		out->kind = VL_RESOLVE_NOTE;
		out->note = in->note;
		out->note_path = in->path;
		return 1;
	}
	f = file_at_path(idx, p, n, out);
	if (f != NULL) {
		out->kind = VL_RESOLVE_FILE;
		out->file = f->path;
		return 1;
	}
	return 0;
}

/* Returns 1 when lower-case path ends with "/" + t (case-insensitive). */
static int suffix_match(const char *path, size_t plen, const char *t, size_t tlen)
{
	return plen > tlen && path[plen - tlen - 1] == '/' &&
		vl_fold_equal(path + plen - tlen, t, tlen);
}

/* Steps 4 and 5: a bare name anywhere in the vault, or a partial path
 * that ends a longer one on a folder boundary. */
static int try_anywhere(const vl_index *idx, const vl_note *from, const char *t,
	vl_resolution *out)
{
	size_t tlen = strlen(t), stem = strip_md(t, tlen), i, n = 0;
	const char *slash = strrchr(t, '/');
	const char *base = slash ? slash + 1 : t;
	size_t base_stem = stem - (size_t)(base - t);
	const char *folder = from && from->path ? from->path : "";
	size_t flen = from && from->path ? folder_len(from->path) : 0;
	const ix_note *best[VL_MAX_CANDIDATES];
	const ix_file *file = NULL;
	ix_view l;

	if (stem == 0 || base_stem == 0 || (slash != NULL && base == t + tlen))
		return 0;
	/* the candidates are ranked as they come: no list of them is made,
	 * so that a name many notes share costs no allocation and no sort */
	probe(out, base, base_stem);
	names_get(idx, &idx->by_name, base, base_stem, &l);
	for (i = 0; i < l.n; i++) {
		const ix_note *in = l.items[i];

		if (slash == NULL || suffix_match(in->path, in->stem_len, t, stem))
			rank_note(best, &n, in, folder, flen);
	}
	if (set_notes(out, best, n))
		return 1;
	probe(out, base, strlen(base));
	list_get(&idx->file_name, base, strlen(base), &l);
	for (i = 0; i < l.n; i++) {
		const ix_file *f = l.items[i];

		if ((slash == NULL || suffix_match(f->path, f->path_len, t, tlen)) &&
		    (file == NULL || prefer(f->path, file->path, folder, flen) < 0))
			file = f;
	}
	if (file == NULL)
		return 0;
	out->kind = VL_RESOLVE_FILE;
	out->file = file->path;
	return 1;
}

void vl_index_resolve(const vl_index *idx, const vl_note *from,
	const vl_link *link, vl_resolution *out)
{
	const char *t;
	size_t flen = from && from->path ? folder_len(from->path) : 0;
	const char *folder = from && from->path ? from->path : "";
	char pbuf[256], qbuf[256], *p = NULL, *q = NULL;
	int outside = 0;

	memset(out, 0, sizeof(*out));
	out->kind = VL_RESOLVE_MISSING;
	if (link == NULL)
		return;
	if (link->kind == VL_LINK_URL) {
		out->kind = VL_RESOLVE_EXTERNAL;
		return;
	}
	t = link->target ? link->target : "";
	if (t[0] == '\0') {
		out->kind = VL_RESOLVE_SELF;
		out->note = from;
		out->note_path = from ? from->path : NULL;
		return;
	}
	if (idx == NULL)
		return;
	if (link->kind == VL_LINK_MARKDOWN || link->kind == VL_LINK_IMAGE) {
		/* Relative to the note's folder (unless written from the root),
		 * then from the vault root. */
		if (t[0] != '/') {
			p = vl_path_join(folder, flen, t, &outside, pbuf, sizeof(pbuf));
			if (outside)
				goto outside;
			if (p != NULL && try_path(idx, p, out))
				goto done;
		}
		q = vl_path_join("", 0, t, &outside, qbuf, sizeof(qbuf));
		if (outside && t[0] == '/')
			goto outside;
		if (q != NULL && try_path(idx, q, out))
			goto done;
		/* Last, the name anywhere in the vault, as for wikilinks. */
		if (q != NULL ? try_anywhere(idx, from, q, out) :
		    p != NULL && try_anywhere(idx, from, p, out))
			goto done;
		goto done;
	}
	/* Wikilinks and embeds: a path from the root, then relative to the
	 * note, then anywhere. A bare name goes straight to the name lookup,
	 * which prefers the note's folder but still sees every namesake, so
	 * that an ambiguous name is reported as such. */
	if (t[0] == '/')
		t++;
	if (strchr(t, '/') == NULL) {
		try_anywhere(idx, from, t, out);
		goto done;
	}
	/* "./x" and "../x" are relative to the note only. */
	if (strncmp(t, "./", 2) != 0 && strncmp(t, "../", 3) != 0) {
		p = vl_path_join("", 0, t, &outside, pbuf, sizeof(pbuf));
		if (p != NULL && try_path(idx, p, out))
			goto done;
		vl_scratch_free(p, pbuf);
	}
	p = vl_path_join(folder, flen, t, &outside, pbuf, sizeof(pbuf));
	if (outside)
		goto outside;
	if (p != NULL && try_path(idx, p, out))
		goto done;
	if (try_anywhere(idx, from, t, out))
		goto done;
	goto done;
outside:
	out->kind = VL_RESOLVE_OUTSIDE;
done:
	vl_scratch_free(p, pbuf);
	vl_scratch_free(q, qbuf);
}

const vl_note *vl_index_note(const vl_index *idx, const char *path)
{
	const ix_note *in;

	if (idx == NULL || path == NULL)
		return NULL;
	in = note_at_path(idx, path, strlen(path), NULL);
	return in ? in->note : NULL;
}

void vl_index_set_facts(vl_index *idx, const vl_index_facts *facts)
{
	idx->facts = *facts;
}

const vl_note *vl_index_alias_owner(const vl_index *idx, const char *name)
{
	char buf[256], *key;
	const vl_note *n;

	if (idx == NULL || name == NULL)
		return NULL;
	if (idx->facts.alias_owner)
		return idx->facts.alias_owner(name, idx->facts.payload);
	key = vl_lower_scratch(buf, sizeof(buf), name, strlen(name));
	if (key == NULL)
		return NULL;
	n = vl_map_get(&idx->alias, key);
	vl_scratch_free(key, buf);
	return n;
}

/* ---- headings ---- */

/* Writes the heading key of s[0..n) into out (room for n + 1 bytes) and
 * returns its length: letters (any script) and digits kept, every other
 * ASCII byte and Unicode punctuation (¿ « — …, vl_unicode_punct) a
 * separator; separators collapse to one space and are trimmed at both
 * ends; then lower-cased as names are (vl_lower_into). */
static size_t heading_key(const char *s, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, len;
	int sep = 0;

	while (i < n) {
		unsigned char c = u[i];
		uint32_t cp;

		len = vl_utf8_next(u + i, n - i, &cp);
		if (c >= 0x80 ? vl_unicode_punct(cp) : !((c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
			sep = 1;
		} else {
			if (sep && o > 0)
				out[o++] = ' ';
			sep = 0;
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	vl_lower_into(out, out, o);
	return o;
}

size_t vl_index_heading_key(char *out, const char *text, size_t n)
{
	return heading_key(text, n, out);
}

/* Scratch room (vl_scratch: small, cap bytes, when they do) for the key
 * of any heading of note. */
static char *key_scratch(const vl_note *note, char *small, size_t cap)
{
	size_t i, max = 0;

	for (i = 0; i < note->n_headings; i++) {
		size_t n = note->headings[i].text ? strlen(note->headings[i].text) : 0;

		if (n > max)
			max = n;
	}
	return vl_scratch(small, cap, max + 1);
}

static const char *heading_text(const vl_heading *h)
{
	return h->text ? h->text : "";
}

const vl_heading *vl_index_find_heading(const vl_note *note, const char *path)
{
	const vl_heading *found = NULL;
	char wbuf[256], hbuf[256], *want = NULL, *have = NULL;
	const char *s = path;
	size_t next = 0, i;
	int any = 0;

	if (note == NULL || path == NULL || path[0] == '\0')
		return NULL;
	want = vl_scratch(wbuf, sizeof(wbuf), strlen(path) + 1);
	have = key_scratch(note, hbuf, sizeof(hbuf));
	if (want == NULL || have == NULL)
		goto done;
	for (;;) {
		const char *e = strchr(s, '#');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n > 0) {
			heading_key(s, n, want);
			any = 1;
			for (i = next; i < note->n_headings; i++) {
				const char *h = heading_text(&note->headings[i]);

				heading_key(h, strlen(h), have);
				if (strcmp(want, have) == 0)
					break;
			}
			if (i == note->n_headings) {
				found = NULL;
				goto done;
			}
			found = &note->headings[i];
			next = i + 1;
		}
		if (e == NULL)
			break;
		s = e + 1;
	}
	if (!any)
		found = NULL;
done:
	vl_scratch_free(want, wbuf);
	vl_scratch_free(have, hbuf);
	return found;
}

static size_t cutoff(size_t len)
{
	return len / 3 > 2 ? len / 3 : 2;
}

static size_t diff(size_t a, size_t b)
{
	return a > b ? a - b : b - a;
}

/* Length of the common prefix of two keys, spaces ignored, and (in
 * *longer) the length of the longer key without its spaces. */
static size_t squashed_prefix(const char *a, const char *b, size_t *longer)
{
	size_t n = 0, la = 0, lb = 0;
	const char *p;
	int same = 1;

	for (p = a; *p; p++)
		la += *p != ' ';
	for (p = b; *p; p++)
		lb += *p != ' ';
	*longer = la > lb ? la : lb;
	while (same) {
		while (*a == ' ')
			a++;
		while (*b == ' ')
			b++;
		if (*a == '\0' || *a != *b)
			same = 0;
		else {
			n++;
			a++;
			b++;
		}
	}
	return n;
}

/* The second chance for a did-you-mean: a heading whose words were
 * renamed at the end ("Setup steps" for "Set-up guide") is too far by edit
 * distance but starts the same. The heading sharing the longest start,
 * spaces ignored, wins when that start is at least 5 characters and half
 * of the longer key. want is the link's key; have is scratch space. */
static const vl_heading *suggest_by_prefix(const vl_note *note, const char *want,
	char *have)
{
	const vl_heading *best = NULL;
	size_t best_n = 0, i;

	for (i = 0; i < note->n_headings; i++) {
		const char *h = heading_text(&note->headings[i]);
		size_t longer, n;

		heading_key(h, strlen(h), have);
		n = squashed_prefix(want, have, &longer);
		if (n >= 5 && 2 * n >= longer && n > best_n) {
			best_n = n;
			best = &note->headings[i];
		}
	}
	return best;
}

const vl_heading *vl_index_suggest_heading(const vl_note *note, const char *path)
{
	const vl_heading *best = NULL;
	char wbuf[256], hbuf[256], *want = NULL, *have = NULL;
	const char *last;
	size_t wlen, max, best_d = (size_t)-1, i;

	if (note == NULL || path == NULL)
		return NULL;
	last = strrchr(path, '#');
	last = last ? last + 1 : path;
	want = vl_scratch(wbuf, sizeof(wbuf), strlen(last) + 1);
	have = key_scratch(note, hbuf, sizeof(hbuf));
	if (want == NULL || have == NULL)
		goto done;
	wlen = heading_key(last, strlen(last), want);
	if (wlen == 0)
		goto done;
	max = cutoff(wlen);
	for (i = 0; i < note->n_headings; i++) {
		const char *h = heading_text(&note->headings[i]);
		size_t hlen = heading_key(h, strlen(h), have), d;

		if (diff(hlen, wlen) > max)
			continue;
		d = vl_edit_distance(want, wlen, have, hlen, max);
		if (d <= max && d < best_d) {
			best_d = d;
			best = &note->headings[i];
		}
	}
	if (best == NULL)
		best = suggest_by_prefix(note, want, have);
done:
	vl_scratch_free(want, wbuf);
	vl_scratch_free(have, hbuf);
	return best;
}

/* The index's record of note when it has lookup tables (index_tables),
 * else NULL: a note's own arrays are searched then. */
static const ix_note *ix_of(const vl_index *idx, const vl_note *note)
{
	size_t lo = 0, hi;

	if (idx == NULL || note == NULL || idx->by_ptr == NULL)
		return NULL;
	hi = idx->n_by_ptr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uintptr_t m = (uintptr_t)idx->by_ptr[mid].note;

		if (m == (uintptr_t)note)
			return &idx->notes[idx->by_ptr[mid].i];
		if (m < (uintptr_t)note)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const vl_heading *vl_index_heading(const vl_index *idx, const vl_note *note,
	const char *path)
{
	const ix_note *in = ix_of(idx, note);
	const vl_heading *found = NULL;
	const char *s = path;
	char wbuf[256], *want = NULL;
	size_t next = 0;

	if (in == NULL || in->headings == NULL)
		return vl_index_find_heading(note, path);
	if (path == NULL || path[0] == '\0')
		return NULL;
	want = vl_scratch(wbuf, sizeof(wbuf), strlen(path) + 1);
	if (want == NULL)
		return NULL;
	for (;;) {
		const char *e = strchr(s, '#');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n > 0) {
			ix_view l;
			size_t lo = 0, hi;

			heading_key(s, n, want);
			if (list_view(vl_map_get(in->headings, want), &l) == 0) {
				found = NULL;
				break;
			}
			/* The first heading of that key at or after next: the list
			 * is in document order. */
			hi = l.n;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				size_t at = (size_t)((const vl_heading *)l.items[mid] - note->headings);

				if (at < next)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == l.n) {
				found = NULL;
				break;
			}
			found = l.items[lo];
			next = (size_t)(found - note->headings) + 1;
		}
		if (e == NULL)
			break;
		s = e + 1;
	}
	vl_scratch_free(want, wbuf);
	return found;
}

/* The first block with this id in the indexed note in, through its table
 * when it has one. */
static const vl_block *note_block(const ix_note *in, const char *id)
{
	char buf[256], *key;
	const vl_block *b;

	if (in->blocks == NULL)
		return vl_index_find_block(in->note, id);
	if (id == NULL)
		return NULL;
	key = vl_lower_scratch(buf, sizeof(buf), id, strlen(id));
	if (key == NULL)
		return NULL;
	b = vl_map_get(in->blocks, key);
	vl_scratch_free(key, buf);
	return b;
}

const vl_block *vl_index_block(const vl_index *idx, const vl_note *note, const char *id)
{
	const ix_note *in = ix_of(idx, note);

	return in ? note_block(in, id) : vl_index_find_block(note, id);
}

/* ---- blocks ---- */

const vl_block *vl_index_find_block(const vl_note *note, const char *id)
{
	size_t i;

	if (note == NULL || id == NULL)
		return NULL;
	for (i = 0; i < note->n_blocks; i++) {
		if (note->blocks[i].id != NULL && strcasecmp(note->blocks[i].id, id) == 0)
			return &note->blocks[i];
	}
	return NULL;
}

const vl_note *vl_index_block_elsewhere(const vl_index *idx, const vl_note *not_this,
	const char *id)
{
	uint64_t h;
	size_t lo = 0, hi;

	if (idx == NULL || id == NULL)
		return NULL;
	if (idx->facts.block_elsewhere)
		return idx->facts.block_elsewhere(not_this, id, idx->facts.payload);
	h = (uint64_t)id_hash(id) << 32;
	hi = idx->n_block_ids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx->block_ids[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The notes whose ids have this hash, in note order: the first one
	 * that really has the id (and is not not_this) is the answer. */
	for (; lo < idx->n_block_ids && (idx->block_ids[lo] >> 32) == h >> 32; lo++) {
		const ix_note *in = &idx->notes[(uint32_t)idx->block_ids[lo]];

		if (in->note != not_this && note_block(in, id) != NULL)
			return in->note;
	}
	return NULL;
}

/* ---- did-you-mean ---- */

/* Letter histograms give a cheap lower bound on the edit distance: one
 * edit changes the counts by at most 2 in total, so the distance is at
 * least half the L1 difference. Buckets: 26 letters (any case), 10
 * digits, 4 for other ASCII, 8 for non-ASCII bytes. Counts saturate. */
static size_t hist_bucket(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (size_t)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (size_t)(c - 'a');
	if (c >= '0' && c <= '9')
		return 26 + (size_t)(c - '0');
	if (c < 0x80)
		return 36 + (c & 3);
	return 40 + (c & 7);
}

static void hist_fill(unsigned char *h, const char *s, size_t n)
{
	size_t i;

	memset(h, 0, IX_HIST);
	for (i = 0; i < n; i++) {
		unsigned char *b = &h[hist_bucket((unsigned char)s[i])];

		if (*b < 255)
			(*b)++;
	}
}

static size_t hist_bound(const unsigned char *a, const unsigned char *b)
{
	size_t i, sum = 0;

	for (i = 0; i < IX_HIST; i++)
		sum += a[i] > b[i] ? (size_t)(a[i] - b[i]) : (size_t)(b[i] - a[i]);
	return (sum + 1) / 2;
}

/* The largest distance at which a candidate still beats the best so far
 * (only a strictly closer one wins, so ties keep the first), or -1 when
 * none can. One edit away is as close as a hint gets: a name at distance
 * 0 equals the target but for ASCII case, and the lookup, which folds
 * case, would have found it, so the target would not be broken. */
static long room(const char *best, size_t best_d, size_t cut)
{
	if (best == NULL)
		return (long)cut;
	if (best_d <= 1)
		return -1;
	return (long)(best_d - 1 < cut ? best_d - 1 : cut);
}

/* Keeps candidate c[0..n) when it is within max of t, which room() says
 * beats the best so far. */
static void take(const char *t, size_t tlen, const char *c, size_t n, size_t max,
	const char **best, size_t *best_len, size_t *best_d)
{
	size_t d = vl_edit_distance(t, tlen, c, n, max);

	if (d <= max) {
		*best_d = d;
		*best = c;
		*best_len = n;
	}
}

/* Whether candidate c[0..n)'s letter histogram alone puts it further
 * than max from the target of histogram th. */
static int hist_far(const unsigned char *th, const char *c, size_t n, size_t max)
{
	unsigned char ch[IX_HIST];

	hist_fill(ch, c, n);
	return hist_bound(th, ch) > max;
}

/* Keeps candidate c[0..n) when it is closer to t than the best so far. */
static void consider(const char *t, size_t tlen, const unsigned char *th, size_t cut,
	const char *c, size_t n, const char **best, size_t *best_len, size_t *best_d)
{
	long max = room(*best, *best_d, cut);

	if (max < 0 || diff(n, tlen) > (size_t)max || hist_far(th, c, n, (size_t)max))
		return;
	take(t, tlen, c, n, (size_t)max, best, best_len, best_d);
}

/* How far a vault-wide did-you-mean may be from the target: a quarter of
 * its length (at least 2). Tighter than within one note, where the
 * candidates are few: among 50,000 names a third of the length matches
 * too much that is no typo. */
static size_t target_cutoff(size_t len)
{
	return len / 4 > 2 ? len / 4 : 2;
}

/* The ids of the candidates whose name starts (or ends) with letter c and
 * whose length is within cut of len: a range of a bucket array. */
static void bucket_range(const ix_key *v, size_t n, unsigned char c, size_t len,
	size_t cut, size_t *from, size_t *to)
{
	size_t lo = len > cut ? len - cut : 0;

	*from = lower_key(v, n, bucket_key(c, lo));
	*to = lower_key(v, n, bucket_key(c, len + cut + 1));
}

/* [[A/B]] is broken when A/B.md does not exist, even with a folder A/B
 * (OBSIDIAN.md); a folder note A/B/B.md (any case) is then what the link
 * meant. Its path without ".md" in *len, or NULL. */
static const char *folder_note(const vl_index *idx, const char *t, size_t stem,
	size_t *len)
{
	const char *name = (const char *)memrchr(t, '/', stem) + 1;
	size_t name_len = stem - (size_t)(name - t), n = stem + 1 + name_len;
	char small[256], *p = n <= sizeof(small) ? small : malloc(n);
	const ix_note *in;

	if (p == NULL)
		return NULL;
	memcpy(p, t, stem);
	p[stem] = '/';
	memcpy(p + stem + 1, name, name_len);
	in = note_at_path(idx, p, n, NULL);
	if (p != small)
		free(p);
	if (in == NULL)
		return NULL;
	*len = in->stem_len;
	return in->path;
}

/* Did-you-mean over the whole vault must stay cheap when a vault of 50,000
 * notes has thousands of broken links, so only candidates that share the
 * first or the last letter are compared (a typo seldom hits both), within
 * the length window that the edit-distance cutoff allows. Names are
 * compared for bare targets, paths for targets with a folder. The
 * suggestion is *best_len bytes of a path in the listing (a note's stem
 * or name: no NUL ends it there), or NULL. */
static const char *suggest(const vl_index *idx, const char *target, size_t *best_len)
{
	const char *t, *best = NULL, *name;
	size_t tlen, stem, best_d = 0, name_len, pass;
	unsigned char th_stem[IX_HIST], th_full[IX_HIST];
	int has_slash;

	/* vl_index_suggest_target made the buckets */
	if (idx == NULL || target == NULL)
		return NULL;
	t = target[0] == '/' ? target + 1 : target;
	tlen = strlen(t);
	stem = strip_md(t, tlen);
	if (stem == 0)
		return NULL;
	has_slash = memchr(t, '/', stem) != NULL;
	name = has_slash ? (const char *)memrchr(t, '/', stem) + 1 : t;
	name_len = stem - (size_t)(name - t);
	hist_fill(th_stem, t, stem);
	hist_fill(th_full, t, tlen);
	/* [[image]] for image.png: the extension is what is missing. */
	if (!has_slash) {
		ix_view l;

		if (list_get(&idx->file_stem, t, stem, &l) > 0) {
			*best_len = ((const ix_file *)l.items[0])->name_len;
			return ((const ix_file *)l.items[0])->name;
		}
	}
	if (name_len == 0)
		return NULL;
	if (has_slash && (best = folder_note(idx, t, stem, best_len)) != NULL)
		return best;
	/* notes: by name, or by path when the target has a folder. The
	 * smaller of the two buckets goes first; a match one edit away there
	 * is as good as it gets, so the other is skipped. */
	{
		const char *w = has_slash ? t : name;
		size_t wlen = has_slash ? stem : name_len, from[2], to[2], k, first;
		const ix_key *v[2];
		uint64_t tm = letter_mask(t, stem);
		size_t cut = target_cutoff(stem);

		v[0] = has_slash ? idx->stem_first : idx->note_first;
		v[1] = has_slash ? idx->stem_last : idx->note_last;
		if (v[0] != NULL) {
			bucket_range(v[0], idx->n_notes, (unsigned char)w[0], wlen,
				target_cutoff(wlen), &from[0], &to[0]);
			bucket_range(v[1], idx->n_notes, (unsigned char)w[wlen - 1], wlen,
				target_cutoff(wlen), &from[1], &to[1]);
			first = to[1] - from[1] < to[0] - from[0];
			for (pass = 0; pass < 2; pass++) {
				size_t b = pass == 0 ? first : !first;

				if (pass == 1 && best != NULL && best_d <= 1)
					break;
				/* the cheap bounds first, against what can still win:
				 * a run's letters, the key's length and letters, then
				 * the note's histogram; the name itself last (another
				 * cache line, in the note) */
				for (k = from[b]; k < to[b]; k++) {
					const ix_note *in;
					const char *c;
					size_t n;
					long max = room(best, best_d, cut);
					size_t len = v[b][k].key & 0xFFFF;

					if (max < 0)
						break;
					if ((k == from[b] || k % IX_RUN == 0) &&
					    bit_count(tm & ~v[b][idx->n_notes + k / IX_RUN].letters) >
					    (size_t)max) {
						k = (k / IX_RUN + 1) * IX_RUN - 1;
						continue;
					}
					if ((len < 0xFFFF && diff(len, wlen) > (size_t)max) ||
					    mask_bound(tm, v[b][k].letters) > (size_t)max)
						continue;
					in = &idx->notes[v[b][k].id];
					c = in->path + (has_slash ? 0 : in->name_off);
					n = has_slash ? in->stem_len : in->name_len;
					if (!hist_far(th_stem, c, n, (size_t)max))
						take(t, stem, c, n, (size_t)max, &best, best_len, &best_d);
				}
			}
		}
	}
	/* attachments: by file name, or by path */
	for (pass = 0; pass < 2; pass++) {
		const ix_key *v = has_slash ? (pass == 0 ? idx->fpath_first : idx->fpath_last) :
			(pass == 0 ? idx->file_first : idx->file_last);
		unsigned char c = (unsigned char)(pass == 0 ? t[0] : t[tlen - 1]);
		size_t from, to, k;

		uint64_t tm = letter_mask(t, tlen);

		if (v == NULL)
			break;
		bucket_range(v, idx->n_files, c, tlen, target_cutoff(tlen), &from, &to);
		for (k = from; k < to; k++) {
			const ix_file *f;

			if (mask_bound(tm, v[k].letters) > target_cutoff(tlen))
				continue;
			f = &idx->files[v[k].id];
			if (has_slash)
				consider(t, tlen, th_full, target_cutoff(tlen), f->path, f->path_len,
					&best, best_len, &best_d);
			else
				consider(t, tlen, th_full, target_cutoff(tlen), f->name, f->name_len,
					&best, best_len, &best_d);
		}
	}
	return best;
}

int vl_index_suggest_target(const vl_index *idx, const char *target, vl_buf *out)
{
	size_t len = 0;
	const char *best;

	out->len = 0;
	/* the buckets could not be made: out of memory, not "no hint" */
	if (idx != NULL && !have_buckets(idx))
		return -1;
	best = suggest(idx, target, &len);
	if (best == NULL)
		return 0;
	return vl_buf_put(out, best, len) < 0 ? -1 : 1;
}

/* A superset of the candidates vl_index_suggest_target weighs: the
 * note's name or path (without ".md") within the cutoff of the target's
 * stem, the attachment's name or path within the cutoff of the target,
 * or the attachment named the bare target with an extension. */
int vl_index_may_suggest(const char *target, const char *path, int is_note)
{
	const char *t = target[0] == '/' ? target + 1 : target, *name, *dot;
	size_t tlen = strlen(t), stem = strip_md(t, tlen), plen = strlen(path), pstem, max;

	pstem = is_note ? strip_md(path, plen) : plen;
	name = memrchr(path, '/', pstem);
	name = name ? name + 1 : path;
	if (is_note) {
		size_t n;
		const char *nm = vl_note_name_of(path, &n), *tname = memrchr(t, '/', stem);

		/* the folder note of a target with a folder (folder_note) */
		if (tname != NULL && stem > 0 && pstem > stem && path[stem] == '/' &&
		    vl_fold_equal(path, t, stem) && n == stem - (size_t)(tname + 1 - t) &&
		    pstem == stem + 1 + n && vl_fold_equal(nm, tname + 1, n))
			return 1;
		max = target_cutoff(stem);
		return vl_edit_distance(name, pstem - (size_t)(name - path), t, stem, max) <= max ||
			vl_edit_distance(nm, n, t, stem, max) <= max ||
			vl_edit_distance(path, pstem, t, stem, max) <= max;
	}
	max = target_cutoff(tlen);
	if (vl_edit_distance(name, plen - (size_t)(name - path), t, tlen, max) <= max ||
	    vl_edit_distance(path, plen, t, tlen, max) <= max)
		return 1;
	dot = strrchr(name, '.');
	return dot != NULL && dot > name && (size_t)(dot - name) == stem &&
		vl_fold_equal(name, t, stem);
}

/* ---- tags ---- */

const char *vl_index_tag_spelling(const vl_index *idx, const char *tag)
{
	char buf[256], *key;
	const ix_tag *t;
	const ix_spelling *best = NULL;
	size_t i;

	if (idx == NULL || tag == NULL)
		return NULL;
	if (idx->facts.tag_spelling)
		return idx->facts.tag_spelling(tag, idx->facts.payload);
	key = vl_lower_scratch(buf, sizeof(buf), tag, strlen(tag));
	if (key == NULL)
		return NULL;
	t = vl_map_get(&idx->tags, key);
	vl_scratch_free(key, buf);
	if (t == NULL)
		return NULL;
	for (i = 0; i < t->n; i++) {
		const ix_spelling *s = &t->sp[i];

		if (best == NULL || s->count > best->count ||
		    (s->count == best->count && strcmp(s->name, best->name) < 0))
			best = s;
	}
	return best ? best->name : NULL;
}

int vl_index_each_tag(const vl_index *idx, int (*fn)(const char *key,
	const char *spelling, size_t count, void *payload), void *payload)
{
	size_t i, k;
	int r;

	for (i = 0; idx != NULL && i < idx->tags.cap; i++) {
		const ix_tag *t = idx->tags.slots[i].value;

		if (idx->tags.slots[i].key == NULL)
			continue;
		for (k = 0; k < t->n; k++)
			if ((r = fn(idx->tags.slots[i].key, t->sp[k].name, t->sp[k].count,
			    payload)) != 0)
				return r;
	}
	return 0;
}

size_t vl_index_note_count(const vl_index *idx)
{
	return idx ? idx->n_notes : 0;
}

const vl_note *vl_index_note_at(const vl_index *idx, size_t i)
{
	if (idx == NULL || i >= idx->n_notes)
		return NULL;
	return idx->notes[i].note;
}
