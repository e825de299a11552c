/*
 * cache.h: a persistent cache of parsed notes, so that a run reads and
 * parses only the notes that changed since the last one.
 *
 * What is cached is the vl_note that vl_note_parse_ex(..., VL_PARSE_NO_ENTRIES,
 * ...) makes (the linter's view of a note: no list entries). A note read
 * from git is keyed by its blob id (the same blob anywhere, in any
 * snapshot, is one entry); a work-tree file, whose blob id is not known
 * without hashing it, is keyed by its absolute path and recognised by its
 * stat data (size, mtime and ctime to the nanosecond, inode, device, mode)
 * the way git's index does, with git's racy-timestamp rule: an entry whose
 * mtime is not older than the cache file itself is not trusted.
 *
 * The cache lives in one file, <git dir>/vaultlint/cache. Its header and
 * every record's framing are checked when it is opened, and a record's
 * body against its own checksum when it is looked up; anything wrong with
 * the header or framing (bad magic or version, truncation, a length or
 * count that does not fit) makes it an empty cache, and a body that fails
 * its checksum makes every later lookup miss; the next save replaces it:
 * a bad cache is never trusted and never an error. Bodies are read from
 * the file when looked up, not kept in memory.
 * It is written to a temporary file in the same folder and
 * renamed over the old one, so a concurrent run sees the old file or the
 * new one, never half of one; the last writer wins.
 */
#ifndef VL_CACHE_H
#define VL_CACHE_H

#include <stddef.h>

#include "note.h"
#include "source.h"
#include "util.h"

typedef struct vl_cache vl_cache;

/* Opens the cache stored in the file at path (which need not exist). A
 * missing, unreadable or invalid file gives an empty cache. Fails (-1)
 * only when out of memory. *out is a new cache the caller frees with
 * vl_cache_free; vl_cache_save writes it back to path. */
int vl_cache_open(vl_cache **out, const char *path, vl_error *err);

/* vl_cache_open on <gitdir>/vaultlint/cache. */
int vl_cache_open_gitdir(vl_cache **out, const char *gitdir, vl_error *err);

/* Declares that the files of src are being loaded in this run: work-tree
 * entries under src's root that this run does not use are then dropped at
 * the next save (those files are gone or changed). Call it before the
 * lookups of src, from one thread. Returns 0 or -1 (out of memory). */
int vl_cache_begin(vl_cache *cache, const vl_source *src, vl_error *err);

/* Looks up file f of src. Returns 1 on a hit with *out a new note (path
 * f->path) that the caller frees with vl_note_free, 0 on a miss (*out
 * NULL), or -1 when out of memory. Safe to call from several threads at
 * once, also alongside vl_cache_put. */
int vl_cache_get(vl_cache *cache, const vl_source *src, const vl_file *f,
	vl_note **out, vl_error *err);

/* Flags for vl_cache_get_ex. */
enum {
	/* Decode only what the vault index needs of a note it does not lint:
	 * headings, block ids, tags, aliases. The note has summary set, and
	 * no links, suppressions, problems or properties. */
	VL_CACHE_SUMMARY = 1,
	/* Decode the links only (changelog's search for links that a range
	 * broke): the note has nothing else, and is never linted. */
	VL_CACHE_LINKS = 2,
	/* A lookup that this run made already (a lazy vault reading a note
	 * whole for its check, see vl_vault_load_lazy): it counts neither as
	 * a hit nor as a miss, so the entries kept at the next save are
	 * those of one lookup per file. */
	VL_CACHE_AGAIN = 4
};

/* vl_cache_get with flags. */
int vl_cache_get_ex(vl_cache *cache, const vl_source *src, const vl_file *f,
	unsigned flags, vl_note **out, vl_error *err);

/* A window onto the cache's file for one thread's lookups: they read the
 * file a quarter of a megabyte at a time rather than a record at a time,
 * which pays when they come in about the file's order (a thread taking
 * notes in runs of the listing, the order a save writes). Start it
 * zeroed; one thread at a time; vl_cache_reader_release frees it. */
typedef struct vl_cache_reader {
	unsigned char *buf;
	size_t len;          /* bytes of the file in buf */
	uint64_t off;        /* where they start in the file */
	uint64_t cache_id;   /* the file they are of: a cache's, or its
			      * scratch file (0: none) */
} vl_cache_reader;

/* vl_cache_get_ex through reader rd (NULL: a read per record). */
int vl_cache_get_via(vl_cache *cache, vl_cache_reader *rd, const vl_source *src,
	const vl_file *f, unsigned flags, vl_note **out, vl_error *err);
void vl_cache_reader_release(vl_cache_reader *rd);

/* The whole note of file f from its record when the note was read from
 * bytes whose vl_fingerprint is content, whatever f's stat data: the bytes
 * of a file touched, or of a fresh checkout, are read, not parsed again.
 * Counts one found by_bytes (vl_cache_stats), neither a hit nor a miss,
 * and does not keep the record: the
 * caller puts the note again under f's stat data (vl_cache_put_ex).
 * Returns 1 with *out, 0 when there is none, -1 when out of memory. */
int vl_cache_get_by_bytes(vl_cache *cache, vl_cache_reader *rd, const vl_source *src,
	const vl_file *f, const uint64_t content[2], vl_note **out, vl_error *err);

/* A record's body: the encoding of a note's symbols, shared with the
 * check state (state.h). vl_cache_encode_note appends it to b and returns
 * 0, -1 when out of memory, or 1 when the note holds something the format
 * cannot say. vl_cache_decode_note builds *out (path as given; caller
 * frees it with vl_note_free) from body[0..len) with the flags of
 * vl_cache_get_ex, and returns 0, -1 when out of memory, or 1 when the
 * body is inconsistent. */
int vl_cache_encode_note(vl_buf *b, const vl_note *note);
int vl_cache_decode_note(vl_note **out, const char *path, const unsigned char *body,
	size_t len, unsigned flags);

/* Records the note parsed (with VL_PARSE_NO_ENTRIES) from file f of src.
 * Files with neither a blob id nor stat data are not cached. The note is
 * copied; the caller keeps it. Thread-safe. Returns 0 or -1. */
int vl_cache_put(vl_cache *cache, const vl_source *src, const vl_file *f,
	const vl_note *note, vl_error *err);

/* vl_cache_put, and when the cache took the note (a later lookup with
 * VL_CACHE_AGAIN in this run finds it: a first run's loader then holds a
 * summary of each note it parsed, not the note whole) and flags are not
 * 0, *out (when out is not NULL) is the note as a lookup with those flags
 * decodes it; else *out is NULL. */
int vl_cache_put_ex(vl_cache *cache, const vl_source *src, const vl_file *f,
	const vl_note *note, unsigned flags, vl_note **out, vl_error *err);

/* Writes the cache back when this run changed it (a miss was added, an
 * entry was dropped, or the file was invalid): the entries used or added
 * by this run, then entries of other snapshots from the old file, at most
 * three times the notes this run looked up (at least 1024). Creates the
 * cache's folder. Returns 0 (also when nothing needed writing) or -1. */
int vl_cache_save(vl_cache *cache, vl_error *err);

/* Statistics, for tests and diagnostics. */
typedef struct vl_cache_stats {
	size_t loaded;   /* valid entries read from the file */
	size_t hits, misses, added;
	size_t by_bytes; /* misses found by their bytes (vl_cache_get_by_bytes) */
	int invalid;     /* 1 when the file existed but was not valid */
	int written;     /* 1 when the last vl_cache_save wrote the file */
} vl_cache_stats;

void vl_cache_get_stats(const vl_cache *cache, vl_cache_stats *out);

void vl_cache_free(vl_cache *cache);

#endif
