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
	                         note that could not be read is NULL */
	size_t n_notes;
	vl_index *index;
	vl_diags read_problems; /* files that could not be read, listing problems */
	unsigned char *shared;  /* shared[i]: notes[i] belongs to another vault */
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
 * differ in a few notes; base must outlive the new vault). full (or NULL:
 * all): only the notes whose paths are in full (a vl_map used as a set)
 * are loaded whole; the others are loaded from the cache for the index
 * only (see VL_CACHE_SUMMARY), enough to resolve links into them, never
 * to check them. */
int vl_vault_load_ex(vl_vault **out, vl_source *src, const vl_vault *base,
	const vl_map *full, int threads, vl_cache *cache, vl_error *err);

void vl_vault_free(vl_vault *vault);

typedef struct vl_lint_opts {
	const vl_config *config;
	int threads;                 /* 0: one per core */
	/* When only is not NULL, findings are kept only for these
	 * vault-relative note paths (sorted, byte order). */
	const char *const *only;
	size_t n_only;
} vl_lint_opts;

/* Runs every enabled rule over the vault and appends findings to out,
 * sorted. */
int vl_lint_run(vl_diags *out, const vl_vault *vault, const vl_lint_opts *opts,
	vl_error *err);

/* Number of worker threads to use for `threads` (0 means one per core). */
int vl_lint_threads(int threads);

#endif
