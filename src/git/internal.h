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
struct git_tree;
struct git_oid;

/* Submodules nested deeper than this are not read (a commit cannot hold
 * itself, but a chain of them has no other bound). */
#define VL_SUBMODULE_DEPTH 8

/* The tree of the commit id that the gitlink at path records, path being
 * relative to owner (the superproject git, or the submodule that holds a
 * nested one); shown is its path from the superproject, for messages.
 * The submodule's objects are made readable through git (see
 * submodule.c). Returns 0 with *tree and *sub (the submodule's
 * repository, for the gitlinks in that tree; the caller frees both), 1
 * when the commit cannot be read here, with why saying so for the
 * listing ("submodule 'lib' (commit abc1234) is not checked out here:
 * ..."), -1 when out of memory. Called with the repository lock held. */
int vl_git_submodule_tree(struct git_tree **tree, struct git_repository **sub,
	struct git_repository *git, struct git_repository *owner, const char *path,
	const char *shown, const struct git_oid *id, vl_buf *why);

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
