/*
 * obsidian.h: what vaultlint takes from Obsidian's own settings in the
 * vault: the "Excluded files" list (Settings, Files and links), kept as
 * `userIgnoreFilters` in <vault>/.obsidian/app.json.
 *
 * Obsidian keeps excluded files in the vault (links to them resolve) and
 * leaves them out of search, the graph and the suggestions. vaultlint
 * does the same: an excluded note is read and is a link target, and its
 * own findings are not reported (a template's [[{{date}}]] is no broken
 * link). A filter is a path prefix of the vault-relative path ("Templates/"
 * as Obsidian's folder picker writes it), or, between two slashes, a
 * regular expression searched in the path ("/\.excalidraw\.md$/"); the
 * regular expression is JavaScript's in Obsidian and pcre2's here, which
 * agree on what such filters use.
 */
#ifndef VL_OBSIDIAN_H
#define VL_OBSIDIAN_H

#include <stddef.h>

#include "util.h"

#define VL_OBSIDIAN_APP ".obsidian/app.json"

typedef struct vl_excluded_filter {
	char *text;      /* as written */
	void *re;        /* its compiled pcre2 code, or NULL (a prefix) */
	void *md;        /* the regex's match data, made once, or NULL */
} vl_excluded_filter;

typedef struct vl_excluded {
	vl_excluded_filter *filters;
	size_t n, cap;
	void *mctx;      /* the regexes' match limits (pcre2_match_context *) */
} vl_excluded;

/* Reads the excluded files of the vault at vault_dir into *out (zeroed
 * first; no app.json, or no list in it: none). app.json is read as the
 * vault's notes are (beneath the vault, a regular file, no symlink out).
 * Returns 0; 1 when app.json is there but cannot be used whole (not JSON,
 * the list not a list of strings, a regex that does not compile): err
 * says why, and *out holds the filters that could be used; -1 when out of
 * memory. *out is released with vl_excluded_release. */
int vl_excluded_load(vl_excluded *out, const char *vault_dir, vl_error *err);

/* vl_excluded_load's reading of app.json's bytes text[0..len) (need not
 * be NUL-terminated), with the same results. */
int vl_excluded_parse(vl_excluded *out, const char *text, size_t len, vl_error *err);

/* 1 when the vault-relative path is excluded, 0 when it is not, -1 when
 * out of memory (pcre2's). One thread at a time. A regex that gives up
 * (its 20,000 steps) does not exclude. */
int vl_excluded_match(const vl_excluded *x, const char *path);

void vl_excluded_release(vl_excluded *x);

#endif
