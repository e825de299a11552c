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

struct git_repository;

/* Checks every ignore file that libgit2 reads when it walks the work tree
 * under prefix ("" or ending in '/'), as a diff with the work tree,
 * status, staging or a checkout does: the exclude files, the .gitignore
 * of each folder on the way to prefix, and that of every folder under it
 * that git enters (not .git, not a repository of its own, not an ignored
 * folder without a tracked file). Returns 0 when libgit2 may read them
 * all, 1 with err naming the first that it must not ("WHAT: 'sub/.gitignore'
 * is a FIFO, not a file: ...; remove it or make it a file"), -1 with err
 * set. With attrs, the attributes files too (.gitattributes in the same
 * folders, info/attributes, core.attributesFile), which staging and
 * checkout read: "WHAT: 'sub/.gitattributes' is a FIFO, ...". */
int vl_git_check_ignores(struct git_repository *git, const char *prefix, const char *what,
	int attrs, vl_error *err);

#endif
