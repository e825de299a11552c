/*
 * git.h: the git layer. The files in src/git/ are the only ones that
 * include git2.h; everything else sees these functions.
 */
#ifndef VL_GIT_H
#define VL_GIT_H

#include <stddef.h>

#include "../source.h"
#include "../util.h"

typedef struct vl_repo vl_repo;

/* Opens the repository whose work tree holds path (discovering upwards).
 * Returns 0, 1 when path is not inside a git work tree (*out NULL), or -1
 * with err set. */
int vl_repo_open(vl_repo **out, const char *path, vl_error *err);
void vl_repo_free(vl_repo *repo);

/* Absolute path of the work tree, with a trailing '/'. */
const char *vl_repo_workdir(const vl_repo *repo);

/* Sets *ignored to 1 when the repository-relative path is ignored by
 * .gitignore, .git/info/exclude or core.excludesFile. Returns 0 or -1. */
int vl_repo_ignored(vl_repo *repo, const char *path, int *ignored, vl_error *err);

/* A vault read from the git index (what is staged). vault_subdir is the
 * vault folder relative to the work tree ("" for the root). */
int vl_source_open_index(vl_source **out, vl_repo *repo, const char *vault_subdir,
	const vl_source_opts *opts, vl_error *err);

/* A vault read from the tree of a revision (anything `git rev-parse`
 * accepts). */
int vl_source_open_rev(vl_source **out, vl_repo *repo, const char *rev,
	const char *vault_subdir, const vl_source_opts *opts, vl_error *err);

#endif
