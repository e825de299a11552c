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

/* Absolute path of the repository's git folder (".git/", or where a
 * .git file points), with a trailing '/'. */
const char *vl_repo_gitdir(const vl_repo *repo);

/* Sets *ignored to 1 when the repository-relative path is ignored by
 * .gitignore, .git/info/exclude or core.excludesFile and, as git has it,
 * not tracked: neither it nor (for a folder) a file under it is in the
 * index. Returns 0 or -1. */
int vl_repo_ignored(vl_repo *repo, const char *path, int *ignored, vl_error *err);

/* Whether libgit2 may read the ignore file name in the folder open on
 * dirfd (a .gitignore): returns 1 when something is there, 0 when nothing
 * is, and sets *why to NULL when it is a regular file (or a folder, which
 * libgit2 skips), else to what it is and why no rules can be read from it
 * ("a FIFO, not a file: ..."; a symlink is never followed, as git does
 * not follow one). The caller then must not ask libgit2 about any path
 * under that folder: libgit2 cannot skip one file, and would hang on a
 * FIFO or read where a symlink points. */
int vl_ignore_file_at(int dirfd, const char *name, const char **why);

/* Whether an exclude file that libgit2 reads for every ignore question
 * (info/exclude, core.excludesFile or git's default global ignore file;
 * followed, as git follows them) is there but no file. Returns 1 with
 * *path (malloc'd, caller frees) and *why set, 0 when all are fine, -1
 * when out of memory. libgit2 must then not be asked about ignores. */
int vl_repo_bad_excludes(vl_repo *repo, char **path, const char **why);

/* Whether ignore rules exist outside the work tree's .gitignore files:
 * in .git/info/exclude, core.excludesFile, or git's default global ignore
 * file. With none, only folders holding a .gitignore (and what is below
 * them) need per-path checks, which keeps the walk of a large vault fast. */
int vl_repo_has_excludes(vl_repo *repo);

/* A vault read from the git index (what is staged). vault_subdir is the
 * vault folder relative to the work tree ("" for the root). A gitlink (a
 * submodule) in the vault stands for the files of the commit it
 * records, under its path, nested submodules too; one whose commit
 * cannot be read here is a problem of the listing (see
 * vl_source_unread_submodules). The same holds for a revision's tree. */
int vl_source_open_index(vl_source **out, vl_repo *repo, const char *vault_subdir,
	const vl_source_opts *opts, vl_error *err);

/* A vault read from the tree of a revision (anything `git rev-parse`
 * accepts). */
int vl_source_open_rev(vl_source **out, vl_repo *repo, const char *rev,
	const char *vault_subdir, const vl_source_opts *opts, vl_error *err);

/* The vault paths of the submodules of a snapshot's source (the index,
 * a revision) whose commit could not be read here: each is also a
 * problem of the listing that says why. *n of them, borrowed from src;
 * none for the work tree's source. */
const char *const *vl_source_unread_submodules(const vl_source *src, size_t *n);

/* ---- Added by the git layer (additive to the agreed interface) ---- */

struct git_repository;

/* The libgit2 handle, for the other files of src/git/ only (borrowed; it
 * lives as long as repo). Object reads through it must be wrapped in
 * vl_repo_lock/vl_repo_unlock when other threads may read too. */
struct git_repository *vl_repo_git(vl_repo *repo);
void vl_repo_lock(vl_repo *repo);
void vl_repo_unlock(vl_repo *repo);

/* Reads the blob with hex id oid into a malloc'd, NUL-terminated buffer
 * (*out, *len; may hold NULs). Safe to call from several threads. */
int vl_repo_read_blob(vl_repo *repo, const char *oid, char **out, size_t *len,
	vl_error *err);

/* Resolves rev to a commit id (hex); a tag is peeled to its commit. An
 * unknown revision fails with the message "unknown revision 'REV'"; one
 * that names a tree or a blob with "revision 'REV' is a tree, not a
 * commit" (or "is a blob ..."). */
int vl_repo_resolve_commit(vl_repo *repo, const char *rev, char oid[41],
	vl_error *err);

/* Resolves rev to what a diff can start from, as git diff takes it: the
 * id (hex) of the commit it names, or of the tree when it names a tree
 * (`HEAD^{tree}`, a tree id, a tag of a tree). Fails as
 * vl_repo_resolve_commit does; a blob is "revision 'REV' is a blob (one
 * file's content), not a commit or a tree". */
int vl_repo_resolve_treeish(vl_repo *repo, const char *rev, char oid[41],
	vl_error *err);

/* The git blob id (hex) of the n bytes at data, as `git hash-object`
 * gives it: a digest for keys (see memo.h). Returns 0 or -1. */
int vl_git_hash(char out[41], const void *data, size_t n);

/* The hooks folder: core.hooksPath when set (relative to the work tree
 * when relative, "~/" expanded), else the repository's hooks folder.
 * *out is a malloc'd absolute path without a trailing '/'; caller frees. */
int vl_repo_hooks_dir(char **out, vl_repo *repo, vl_error *err);

/* One side of a comparison: nothing, a revision's tree, the index (what
 * is staged), or the work tree (tracked and untracked, not ignored). A
 * VL_SNAP_REV of "HEAD" on a repository without commits is empty. */
typedef enum vl_snap_kind {
	VL_SNAP_EMPTY,
	VL_SNAP_REV,
	VL_SNAP_INDEX,
	VL_SNAP_WORKDIR
} vl_snap_kind;

typedef struct vl_snap {
	vl_snap_kind kind;
	const char *rev;   /* for VL_SNAP_REV */
} vl_snap;

typedef enum vl_change_status {
	VL_CHANGE_ADDED,
	VL_CHANGE_DELETED,
	VL_CHANGE_MODIFIED,
	VL_CHANGE_RENAMED    /* renamed or moved, maybe also modified */
} vl_change_status;

/* One changed file. Paths are vault-relative; old_path is NULL for an
 * added file and new_path NULL for a deleted one. Ids are hex blob ids,
 * "" when unknown (a work-tree file that git has not hashed). */
typedef struct vl_change {
	vl_change_status status;
	char *old_path, *new_path;
	char old_oid[41], new_oid[41];
} vl_change;

typedef struct vl_changes {
	vl_change *items;
	size_t len, cap;
} vl_changes;

#define VL_CHANGES_INIT { NULL, 0, 0 }

/* Files changed from `from` to `to` under vault_subdir ("" for the whole
 * work tree), with rename detection, skipping hidden path segments and
 * opts' ignore globs (opts may be NULL). Supported pairs: EMPTY/REV to
 * EMPTY/REV/INDEX/WORKDIR, and INDEX to WORKDIR. A submodule whose
 * commit changed is the files that changed between its two commits
 * (a commit that cannot be read here counts as holding none) when both
 * sides are commits or the index; with the work tree it is no change.
 * Items are appended to out in path order; release them with
 * vl_changes_release. */
int vl_repo_diff(vl_changes *out, vl_repo *repo, const vl_snap *from,
	const vl_snap *to, const char *vault_subdir, const vl_source_opts *opts,
	vl_error *err);
void vl_changes_release(vl_changes *c);

/* Reads a vault-relative path as it is in snap: for the work tree its
 * file (vl_read_in_vault), otherwise the blob oid. Caller frees *out.
 * Returns 0, 1 when the work tree's file cannot be read as a note (err
 * says why: gone, a FIFO, a symlink out of the vault...), -1 on an error
 * of the run (out of memory among them). */
int vl_snap_read(vl_repo *repo, const vl_snap *snap, const char *vault_subdir,
	const char *path, const char *oid, char **out, size_t *len, vl_error *err);

/* Opens the vault as it is in snap (rev, index or work tree). */
int vl_source_open_snap(vl_source **out, vl_repo *repo, const vl_snap *snap,
	const char *vault_subdir, const vl_source_opts *opts, vl_error *err);

struct vl_changelog;

/* The changelog between two snapshots: only changed notes are read, and,
 * when the range renamed or deleted notes, the links of every note of `to`
 * (through the cache of parsed notes in the git folder cache_gitdir, or
 * none when it is NULL) to find the links left pointing at an old name.
 * Fills cl (set up with vl_changelog_init) and calls vl_changelog_finish. */
int vl_git_changelog(struct vl_changelog *cl, vl_repo *repo, const vl_snap *from,
	const vl_snap *to, const char *vault_subdir, const vl_source_opts *opts,
	const char *cache_gitdir, vl_error *err);

/* The last commit reachable from HEAD along first parents whose commit
 * time is before `before` (seconds since the epoch). Returns 0 with oid
 * set, 1 when every commit is newer (oid ""), or -1. */
int vl_repo_commit_before(vl_repo *repo, long long before, char oid[41],
	vl_error *err);

#endif
