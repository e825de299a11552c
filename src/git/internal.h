/*
 * internal.h: helpers shared by the files of src/git/ only.
 */
#ifndef VL_GIT_INTERNAL_H
#define VL_GIT_INTERNAL_H

#include "git.h"

/* The vault folder as a prefix of repository paths: "" or "sub/dir/"
 * (leading "./" and '/' dropped). Caller frees; NULL when out of memory. */
char *vl_git_prefix(const char *vault_subdir);

/* Returns 1 when some segment of a vault-relative path starts with '.'. */
int vl_git_hidden(const char *rel);

/* Returns 1 when the repository path lies in the vault (under prefix, not
 * hidden, not ignored by opts); *rel is then its vault-relative part. */
int vl_git_in_vault(const char *path, const char *prefix,
	const vl_source_opts *opts, const char **rel);

#endif
