/*
 * lint.h: the engine. Loads a vault from a source (parsing notes in
 * parallel on all cores), builds the index, and runs the rules.
 */
#ifndef VL_LINT_H
#define VL_LINT_H

#include <stddef.h>

#include "cache.h"
#include "config.h"
#include "diag.h"
#include "index.h"
#include "note.h"
#include "source.h"

typedef struct vl_vault {
	vl_source *src;       /* borrowed */
	vl_note **notes;      /* one per note file of src, in src order; a
	                         note that could not be read is a stand-in
	                         with its path and nothing else (unread set),
	                         and its reason is in read_problems */
	size_t n_notes;
	vl_index *index;
	vl_diags read_problems; /* files that could not be read, listing problems */
	unsigned char *shared;  /* shared[i]: notes[i] belongs to another vault */
	/* A vault loaded by vl_vault_load_lazy: the cache its summaries came
	 * from (borrowed) and each note's file in src; else NULL. */
	vl_cache *lazy_cache;
	size_t *note_files;
} vl_vault;

/* Reads and parses every note of src with `threads` workers (0: one per
 * core), for linting: notes keep no list entries (VL_PARSE_NO_ENTRIES).
 * With a cache (or NULL: none), a note found there is not read at all and
 * a note parsed is added to it (the caller saves it). *out is a new vault
 * the caller frees with vl_vault_free. */
int vl_vault_load(vl_vault **out, vl_source *src, int threads, vl_cache *cache,
	vl_error *err);
/* vl_vault_load with two more choices. base (or NULL): a note whose file
 * has the same path and blob id in base is shared with base instead of
 * read again (what `check --staged` does with HEAD and the index, which
 * differ in a few notes; base must outlive the new vault), when base
 * holds it whole or full wants only its summary. full (or NULL:
 * all): only the notes whose paths are in full (a vl_map used as a set)
 * are loaded whole; the others are loaded from the cache for the index
 * only (see VL_CACHE_SUMMARY), enough to resolve links into them, never
 * to check them. */
int vl_vault_load_ex(vl_vault **out, vl_source *src, const vl_vault *base,
	const vl_map *full, int threads, vl_cache *cache, vl_error *err);

/* vl_vault_load for a run that checks every note once: a note found in
 * the cache is loaded for the index only (VL_CACHE_SUMMARY), and
 * vl_lint_run reads it whole from the cache again when it checks it, and
 * lets it go after. The vault's notes are then never all held whole at
 * once (links are most of a note). The cache must outlive the vault. */
int vl_vault_load_lazy(vl_vault **out, vl_source *src, int threads, vl_cache *cache,
	vl_error *err);

/* Which notes of src have links that want(note, payload) takes (1): each
 * note read for its links only (VL_CACHE_LINKS; parsed whole, and added
 * to the cache, on a miss) on `threads` workers and let go at once, so
 * that no more than a few are held. hit[i] (one per note file of src, in
 * order) is set for those taken. A note that cannot be read is passed
 * over (loading the vault reports it). Returns 0 or -1. */
int vl_vault_scan(unsigned char *hit, vl_source *src, int threads, vl_cache *cache,
	int (*want)(const vl_note *note, void *payload), void *payload, vl_error *err);

/* Reads note file `file` of src the way vl_vault_load does: from the
 * cache (or NULL) with its flags (VL_CACHE_SUMMARY), through the thread's
 * reader rd (or NULL), else read and taken whole from the cache when its
 * record is of the same bytes (vl_cache_get_by_bytes: the file's stat
 * data changed, its bytes did not), else parsed whole; then added to the
 * cache (with VL_CACHE_SUMMARY, *out is then the summary when the cache
 * took the note: a lookup with VL_CACHE_AGAIN reads it whole).
 * Returns 0 with *out a new note (caller frees), 1 when the file cannot
 * be read (err says why), -1 when out of memory. */
int vl_vault_read_note(vl_note **out, vl_source *src, size_t file, vl_cache *cache,
	vl_cache_reader *rd, unsigned flags, vl_error *err);

/* A vault over src whose notes the caller made: notes[i] is the note of
 * the i-th note file of src (NULL: it could not be read), whole or a
 * summary (VL_CACHE_SUMMARY). The vault takes notes, shared (or NULL) and
 * the notes, also when it fails, except those with shared[i] set: the
 * caller keeps those, and frees them after the vault. stubs, when not
 * NULL, are the paths of the notes the caller fills in later (see
 * vl_index_new_ex); the vault does not keep the array. */
int vl_vault_new(vl_vault **out, vl_source *src, vl_note **notes, unsigned char *shared,
	const char *const *stubs, vl_error *err);

void vl_vault_free(vl_vault *vault);

/* The notes that one note's links reach, and the block ids they name
 * (see vl_lint_opts.reach). */
typedef struct vl_reach {
	const vl_note **notes;
	size_t n, cap;
	uint64_t *refs;  /* vl_hash_lower of each link's block id, in order */
	size_t n_refs;
	/* The names the links looked up (vl_resolution.probes) and the names
	 * their findings gave as hints (vl_rule_hint), sorted, each once;
	 * relist: a link looked up more names than a resolution keeps, so
	 * any file added or removed may change the findings. */
	uint32_t *names;
	size_t n_names;
	int relist;
	/* The targets of the links that reach nothing (their did-you-mean
	 * and alias hint may name a file added later), each followed by a
	 * NUL: n_missing of them in missing_len bytes. */
	char *missing;
	size_t n_missing, missing_len;
} vl_reach;

/* Frees the n reaches of r and r. */
void vl_reach_free(vl_reach *r, size_t n);

typedef struct vl_lint_opts {
	const vl_config *config;
	int threads;                 /* 0: one per core */
	/* When only is not NULL, findings are kept only for these
	 * vault-relative note paths (sorted, byte order). */
	const char *const *only;
	size_t n_only;
	/* When not NULL, only the notes i with check[i] set are checked, and
	 * the others are not read at all (the check state's stubs not made,
	 * see vl_index_new_ex); only still filters the findings. */
	const unsigned char *check;
	/* When reach is not NULL (one per note of the vault), reach[i]
	 * receives, if note i is checked, every note a link of it resolves to
	 * (for an ambiguous name, every candidate), maybe more than once: the
	 * notes whose headings, block ids or name its findings depend on;
	 * the hashes of the block ids its links name; and the names they
	 * looked up. The caller frees
	 * them with vl_reach_free. */
	vl_reach *reach;
	/* When not NULL (a run that checks a few notes of many), note i's
	 * reach is reach[reach_at[i] - 1], and none is kept when it is 0. */
	const uint32_t *reach_at;
	/* When not NULL, set to 1 when a note of a lazy vault could not be
	 * read whole again for its check (its file changed and is gone): the
	 * report holds that as an invalid-input finding, and the note has no
	 * reach. */
	int *unread;
} vl_lint_opts;

/* Runs every enabled rule over the vault and appends findings to out,
 * sorted. */
int vl_lint_run(vl_diags *out, const vl_vault *vault, const vl_lint_opts *opts,
	vl_error *err);

/* Number of worker threads to use for `threads` (0 means one per core). */
int vl_lint_threads(int threads);

/* vl_run_pool (util.h) runs work on threads. */

#endif
