/*
 * util.h: small building blocks shared by every module: errors, growable
 * arrays, string buffers, an arena for per-note strings, a string hash map,
 * UTF-8 checks and edit distance.
 */
#ifndef VL_UTIL_H
#define VL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* An error message filled by a failing function; never a global. */
typedef struct vl_error {
	char msg[1024];
} vl_error;

/* Sets err->msg (if err is not NULL) and returns -1, so callers can write
 * `return vl_error_set(err, "...")`. */
int vl_error_set(vl_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Grows *items (of *cap elements of size elem) so that it holds at least
 * need elements. Returns 0, or -1 when out of memory (the array is kept). */
int vl_grow(void **items, size_t *cap, size_t need, size_t elem);

/* Appends one element to a typed array described by (items, len, cap).
 * Evaluates to 0 on success, -1 when out of memory. */
#define VL_PUSH(items, len, cap, value) \
	(vl_grow((void **)&(items), &(cap), (len) + 1, sizeof(*(items))) < 0 ? -1 : \
	 ((items)[(len)++] = (value), 0))

/* A growable byte buffer, always NUL-terminated when ptr is not NULL. */
typedef struct vl_buf {
	char *ptr;
	size_t len;
	size_t cap;
} vl_buf;

#define VL_BUF_INIT { NULL, 0, 0 }

int vl_buf_put(vl_buf *b, const char *s, size_t n);
/* Makes room for n more bytes (and the NUL), so that the puts up to them
 * do not grow the buffer one doubling at a time. Returns 0 or -1. */
int vl_buf_reserve(vl_buf *b, size_t n);
/* The same, with room for no more than that (vl_buf_reserve rounds up to
 * a power of two): for a large buffer whose size is known. */
int vl_buf_reserve_exact(vl_buf *b, size_t n);
int vl_buf_puts(vl_buf *b, const char *s);
int vl_buf_putc(vl_buf *b, char c);
int vl_buf_printf(vl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vl_buf_vprintf(vl_buf *b, const char *fmt, va_list ap);
/* Appends s as the inside of a JSON string (quotes not included). */
int vl_buf_put_json(vl_buf *b, const char *s, size_t n);
/* Appends s with XML's five special characters escaped. */
int vl_buf_put_xml(vl_buf *b, const char *s, size_t n);
/* Gives up ownership of the buffer's memory: the caller frees it. */
char *vl_buf_detach(vl_buf *b);
void vl_buf_release(vl_buf *b);

/* An arena: many small allocations freed at once (one per parsed note). */
typedef struct vl_arena_chunk vl_arena_chunk;
typedef struct vl_arena {
	vl_arena_chunk *head;
} vl_arena;

/* n bytes aligned to 16. */
void *vl_arena_alloc(vl_arena *a, size_t n);
/* Copies n bytes of s into the arena and NUL-terminates the copy (no
 * alignment: strings pack tightly). */
char *vl_arena_strndup(vl_arena *a, const char *s, size_t n);
void vl_arena_release(vl_arena *a);
/* Makes the head a chunk of exactly n bytes: a caller that knows how
 * many bytes of strings it will copy (each with its NUL) wastes none.
 * Returns 0, or -1 when out of memory. */
int vl_arena_reserve(vl_arena *a, size_t n);

/* A map from NUL-terminated string keys to pointers. Keys are not copied:
 * they must outlive the map. Open addressing, FNV-1a hash. */
typedef struct vl_map_slot {
	const char *key;
	uint64_t hash;
	void *value;
} vl_map_slot;

typedef struct vl_map {
	vl_map_slot *slots;
	size_t cap;
	size_t len;
} vl_map;

uint64_t vl_hash(const char *s, size_t n);
/* Inserts or replaces; returns 0 or -1 when out of memory. */
int vl_map_put(vl_map *m, const char *key, void *value);
/* Makes room for n keys in all, so that putting them does not grow the
 * table again; returns 0 or -1 when out of memory. */
int vl_map_reserve(vl_map *m, size_t n);
void *vl_map_get(const vl_map *m, const char *key);
void vl_map_release(vl_map *m);

/* Returns 1 when s[0..n) is valid UTF-8; otherwise 0 and *bad is the offset
 * of the first invalid byte. */
int vl_utf8_valid(const char *s, size_t n, size_t *bad);

/* Number of code points in s[0..n) (invalid bytes count one each). */
size_t vl_utf8_count(const char *s, size_t n);
/* Decodes the UTF-8 sequence at s (n bytes left, n >= 1) into *cp and
 * returns its length; a bad byte is one byte, U+FFFD. */
size_t vl_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Whether non-ASCII code point cp is punctuation or a space: Latin-1's
 * symbols, general punctuation (’ “ … — and such), CJK and full-width
 * punctuation, the BOM and U+FFFD. Letters of any script and emoji are
 * not. What ends a tag, and what a heading key passes over. */
int vl_unicode_punct(uint32_t cp);
/* Whether non-ASCII code point cp is a space, as JavaScript's \s has it
 * (and Obsidian with it): the no-break space, U+1680, U+2000 to U+200A,
 * the line and paragraph separators, U+202F, U+205F, the ideographic
 * space U+3000 and U+FEFF. */
int vl_unicode_space(uint32_t cp);

/* Whether canonical path p is the canonical folder (its first n bytes)
 * or lies inside it. */
int vl_path_within(const char *folder, size_t n, const char *p);

/* Whether the flow collections ([ ], { }) of YAML text s[0..n) nest
 * deeper than max, outside quotes and comments: libyaml takes time
 * quadratic in that depth (100,000 levels: half a minute), so such text
 * is not handed to it. */
#define VL_YAML_DEPTH_MAX 256
int vl_yaml_too_deep(const char *s, size_t n, size_t max);

/* Lower-cases the letters of s[0..n) into a new malloc'd string (other
 * bytes are copied). Caller frees. Letters are ASCII's and the capitals
 * of Latin-1, Latin Extended-A, Greek and Cyrillic (Ü, Ł, Σ, Я), each
 * lower-cased in as many bytes, so a key keeps its length; other scripts
 * have no case here. */
char *vl_lower_dup(const char *s, size_t n);

/* Writes s[0..n) lower-cased into out (room for n + 1 bytes; out may be
 * s), as vl_lower_dup does, without an allocation. */
void vl_lower_into(char *out, const char *s, size_t n);

/* Whether a[0..n) and b[0..n) are the same once lower-cased as
 * vl_lower_into does: the comparison of names, tags and aliases. */
int vl_fold_equal(const char *a, const char *b, size_t n);

/* Room for n bytes: small (cap bytes) when they fit, else malloc'd (NULL
 * when out of memory). For the keys that every link or tag looks up,
 * which are short: no allocation for them. vl_scratch_free releases it. */
void *vl_scratch(void *small, size_t cap, size_t n);
void vl_scratch_free(void *p, const void *small);
/* vl_lower_into into vl_scratch(small, cap, n + 1), or NULL. */
char *vl_lower_scratch(char *small, size_t cap, const char *s, size_t n);

/* vl_hash of the string s lower-cased as vl_lower_into does: one hash
 * for spellings that differ only in case (names, block ids, tags). */
uint64_t vl_hash_lower(const char *s);
/* vl_hash_lower of s[0..n). */
uint64_t vl_hash_lower_n(const char *s, size_t n);

/* Edit distance of two byte strings, compared without ASCII case: inserts,
 * deletes, substitutions and swaps of two neighbours cost one each (optimal
 * string alignment, so typos like "tgas" are one step from "tags").
 * Stops early and returns max+1 once the distance must exceed max. */
/* Sorts the n elements of `size` bytes at v by bits from..to-1 (a whole
 * number of bytes) of the unsigned key each holds at offset key_at (a
 * uint32_t when key_bytes is 4, else a uint64_t), keeping the order of
 * equal keys: a radix sort, a byte at a time, through tmp (room for n
 * elements); a byte that every key has the same is passed over. */
void vl_radix_sort(void *v, void *tmp, size_t n, size_t size, size_t key_at,
	size_t key_bytes, unsigned from, unsigned to);

/* The edit distance of a[0..alen) and b[0..blen), ASCII case aside,
 * where a swap of two neighbouring bytes is one edit (optimal string
 * alignment), when it is at most max; else max + 1. It allocates nothing,
 * so a did-you-mean cannot fail: max counts as VL_EDIT_MAX when larger
 * (no hint is that far off). */
#define VL_EDIT_MAX 64
size_t vl_edit_distance(const char *a, size_t alen, const char *b, size_t blen,
	size_t max);

/* qsort and bsearch comparisons: of uint32_t values, and of strings
 * (elements are char pointers) in byte order. */
int vl_cmp_u32(const void *a, const void *b);
int vl_cmp_str(const void *a, const void *b);

/* Duplicates the n bytes at s as a NUL-terminated malloc'd string. */
char *vl_strndup(const char *s, size_t n);

/* A 64-bit checksum of n bytes for detecting damaged files (not a
 * cryptographic hash): any change of one 8-byte word changes it. */
uint64_t vl_checksum64(const void *p, size_t n);

/* vl_checksum64 of bytes given in pieces: init with the number of bytes
 * to come (n), then update with them in any pieces, then final; the
 * same value as vl_checksum64 of them in one piece. */
typedef struct vl_checksum {
	uint64_t h[4];
	unsigned char buf[32];
	size_t nbuf;
} vl_checksum;

void vl_checksum_init(vl_checksum *c, uint64_t n);
void vl_checksum_update(vl_checksum *c, const void *p, size_t n);
uint64_t vl_checksum_final(vl_checksum *c);

/* A 128-bit fingerprint of n bytes, made the same way (not a
 * cryptographic hash): what tells that a file's bytes are the ones read
 * before when its stat data says nothing (a fresh checkout). */
void vl_fingerprint(uint64_t out[2], const void *p, size_t n);

/* SipHash-2-4 with a 128-bit output (out[0] the first 8 bytes of the tag,
 * little-endian) of n bytes under the 16-byte key: a keyed hash, so that
 * whoever does not know the key cannot make two inputs meet. */
void vl_siphash128(uint64_t out[2], const unsigned char key[16], const void *p, size_t n);

/* A bounds-checked reader of a byte buffer (a cache or memo file): a read
 * past the end returns 0 and sets bad, and every later read fails too. */
typedef struct vl_reader {
	const unsigned char *p, *end;
	int bad;
} vl_reader;

/* Inline: the decoders of the caches call them for every field.
 * vl_read_n copies the next n bytes to v, or marks the reader bad. */
static inline int vl_read_n(vl_reader *r, void *v, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return 0;
	}
	memcpy(v, r->p, n);
	r->p += n;
	return 1;
}

static inline uint32_t vl_read_u32(vl_reader *r)
{
	uint32_t v;

	return vl_read_n(r, &v, 4) ? v : 0;
}

static inline uint64_t vl_read_u64(vl_reader *r)
{
	uint64_t v;

	return vl_read_n(r, &v, 8) ? v : 0;
}

/* The writing side (host byte order): integers, and a string as a u32
 * length and its bytes, NULL as the length VL_NULL_STR. Return 0 or -1. */
#define VL_NULL_STR 0xFFFFFFFFu
int vl_buf_put_u32(vl_buf *b, uint32_t v);
int vl_buf_put_u64(vl_buf *b, uint64_t v);
int vl_buf_put_lstr(vl_buf *b, const char *s);

/* One piece of a file to write: n bytes at p, or, when p is NULL, the n
 * bytes at offset off of the open file fd (copied inside the kernel). */
typedef struct vl_iovec {
	const void *p;
	size_t n;
	int fd;
	uint64_t off;
} vl_iovec;

/* Reads the whole regular file open on fd (at most max bytes) into *out
 * (malloc'd, *len bytes) and closes fd (fd < 0: fails at once). Returns
 * 0, or -1 with errno set (EINVAL: not a regular file, or too big). */
int vl_read_fd(int fd, uint64_t max, unsigned char **out, size_t *len);

/* A whole regular file mapped read-only (or, where it cannot be mapped,
 * read into memory): for a large file read in passes, whose pages the
 * reader lets go of as it passes them (vl_filemap_drop), so that the
 * process holds a window of it, not all of it; a page let go is brought
 * back from the page cache when touched again. Only for files replaced
 * whole (written aside and renamed), never cut short in place: a page
 * past the end of a file truncated under the mapping cannot be read. */
typedef struct vl_filemap {
	unsigned char *p;
	size_t len;
	int mapped;     /* 1: mmap'd; 0: malloc'd */
} vl_filemap;

/* Maps the regular file open on fd (at most max bytes) and closes fd (fd
 * < 0: fails at once). Returns 0, or -1 with errno set (EINVAL: not a
 * regular file, or too big). */
int vl_filemap_open(vl_filemap *m, int fd, uint64_t max);
/* Lets go of the pages that lie wholly in [from, to) (within m). */
void vl_filemap_drop(const vl_filemap *m, const void *from, const void *to);
void vl_filemap_release(vl_filemap *m);

/* n bytes of zeros that take memory only where they are written (pages
 * of their own, mapped on first use): an array of which a run fills a
 * few entries. NULL when out of memory. Freed with vl_zeroed_free(p, n). */
void *vl_zeroed_pages(size_t n);
void vl_zeroed_free(void *p, size_t n);

/* Writes all n bytes at p to fd (retrying short writes and EINTR).
 * Returns 0, or -1 with errno set. */
int vl_write_all(int fd, const char *p, size_t n);

/* A file written in pieces that appears at its path whole or not at all:
 * the pieces go to a temporary file in the same folder (missing folders
 * are created), renamed over path by vl_file_out_commit, so that a
 * reader sees the old file or the new one, never half of one. what names
 * the file in errors ("the cache"). Each returns 0 or -1; after a failed
 * write, vl_file_out_abort removes the temporary file (commit does so
 * itself when it fails). */
typedef struct vl_file_out {
	int fd;
	vl_buf tmp;            /* the temporary file's path */
	const char *path, *what;
} vl_file_out;

int vl_file_out_open(vl_file_out *o, const char *path, const char *what, vl_error *err);
int vl_file_out_write(vl_file_out *o, const vl_iovec *parts, size_t n, vl_error *err);
int vl_file_out_commit(vl_file_out *o, vl_error *err);
void vl_file_out_abort(vl_file_out *o);

/* A scratch file beside the file at path near (missing folders are
 * created): opened read-write and unlinked at once, so that it goes with
 * its descriptor, even when the process is killed. Returns the
 * descriptor, or -1 with errno set. */
int vl_scratch_open(const char *near);

/* Writes all n bytes at p to fd at offset off (retrying short writes
 * and EINTR). Returns 0, or -1 with errno set. */
int vl_pwrite_all(int fd, const void *p, size_t n, uint64_t off);

/* Writes the n parts, in order, as the whole content of the file at
 * path, through a vl_file_out: whole or not at all. Returns 0 or -1. */
int vl_write_file_atomic(const char *path, const vl_iovec *parts, size_t n,
	const char *what, vl_error *err);

/* Joins folder base[0..blen) and the relative path t (NUL-terminated),
 * resolving "." and ".." segments, in scratch room (vl_scratch: small,
 * cap bytes, when the path fits; free with vl_scratch_free). Returns the
 * path, or NULL with *outside set when ".." climbs above the root (or
 * when out of memory, *outside 0). */
char *vl_path_join(const char *base, size_t blen, const char *t, int *outside,
	char *small, size_t cap);

/* Returns 1 when the shell glob pattern matches path. `*` and `?` stay
 * within one path segment, `**` crosses segments, `[...]` classes work.
 * A pattern without `/` matches the last segment anywhere (like
 * .gitignore); a pattern ending in `/` or matching a folder covers what it
 * holds. */
int vl_glob_match(const char *pattern, const char *path);

/* Runs fn(i, slot, payload) for every i in [0, n) on `threads` threads
 * (the caller's among them; at most VL_POOL_MAX); slot (0 <= slot <
 * threads) tells the calls of one thread apart, for per-thread state.
 * Stops at the first call that fails. Returns 0, or -1 when a call
 * failed. */
#define VL_POOL_MAX 64

/* The most threads a run uses at once: the command line's --threads, set
 * once at start (vl_set_thread_cap; 0: no cap), else one per core. The
 * engine's pools and its helper threads (the index's tag tally, the check
 * state's tables, the work-tree walk's stat calls) keep within it. */
void vl_set_thread_cap(int n);
int vl_thread_budget(void);
typedef int (*vl_work_fn)(size_t i, int slot, void *payload);
int vl_run_pool(size_t n, int threads, vl_work_fn fn, void *payload);
/* vl_run_pool handing out i in runs of consecutive values rather than
 * one by one, few enough runs that the threads still share the work
 * evenly: for work that reads a file in about the order of i (the cache
 * of parsed notes, through a vl_cache_reader per slot). */
int vl_run_pool_runs(size_t n, int threads, vl_work_fn fn, void *payload);

#endif
