/*
 * submodule.c: the commit a gitlink records, for the git snapshots of
 * the vault (the index, a revision's tree) and their diffs. Obsidian
 * sees a submodule's folder as folders of the vault, and so does the
 * work tree's walk; a snapshot's gitlink then stands for the files of
 * the submodule's commit that it records.
 *
 * The submodule's objects are made readable through the superproject's
 * repository: its object folder is added to the superproject's object
 * database as an alternate, in memory only. Nothing is written, to the
 * superproject or to the submodule (libgit2 never writes through an
 * alternate); the blob ids of the submodule's files then read through
 * vl_repo_read_blob, and the cache of parsed notes, keyed by blob id,
 * serves them as any other. A vl_repo writes no object, so no object
 * can be taken as present in the superproject because a submodule
 * holds it.
 *
 * The submodule's repository is found where git keeps it: behind the
 * `.git` of its folder in the work tree (a checked-out submodule), else
 * in the git folder's `modules/<path>` (a submodule deinitialised, or
 * its folder removed; git names it by its path unless it was moved).
 * `.gitmodules` is not read: libgit2 would read it from the work tree
 * whatever it is (a FIFO would hang the pre-commit hook), and the two
 * places above are where git itself looks first.
 */
#include "git.h"
#include "internal.h"

#include <fcntl.h>
#include <git2.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether path/.git lies beneath the work tree wd with no symlink on the
 * way, itself included: a folder of the index swapped for a symlink (to
 * another repository, out of this one) is no submodule here. Returns 1,
 * 0, or -1 when out of memory. */
static int beneath(const char *wd, const char *path)
{
	struct open_how how;
	vl_buf p = VL_BUF_INIT;
	long dfd, fd;

	if (vl_buf_printf(&p, "%s/.git", path) < 0)
		return -1;
	dfd = open(wd, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = -1;
	if (dfd >= 0) {
		memset(&how, 0, sizeof(how));
		how.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, (int)dfd, p.ptr, &how, sizeof(how));
		if (fd >= 0)
			close((int)fd);
		close((int)dfd);
	}
	vl_buf_release(&p);
	return fd >= 0;
}

/* Opens the repository of the submodule at path (relative to owner's
 * work tree, and to its git folder's modules/). Returns 0 with *out, 1
 * when there is none here, -1 when out of memory. */
static int open_submodule(git_repository **out, git_repository *owner, const char *path)
{
	const char *wd = git_repository_workdir(owner);
	vl_buf p = VL_BUF_INIT;
	int rc = 1, in = 0;

	*out = NULL;
	/* NO_SEARCH: an empty folder must not lead to the superproject */
	if (wd != NULL && (in = beneath(wd, path)) < 0)
		goto oom;
	if (in > 0) {
		if (vl_buf_printf(&p, "%s%s/.git", wd, path) < 0)
			goto oom;
		if (git_repository_open_ext(out, p.ptr, GIT_REPOSITORY_OPEN_NO_SEARCH,
		    NULL) == 0) {
			rc = 0;
			goto done;
		}
	}
	p.len = 0;
	if (vl_buf_printf(&p, "%smodules/%s", git_repository_commondir(owner), path) < 0)
		goto oom;
	if (git_repository_open_ext(out, p.ptr, GIT_REPOSITORY_OPEN_NO_SEARCH |
	    GIT_REPOSITORY_OPEN_BARE, NULL) == 0)
		rc = 0;
	goto done;
oom:
	rc = -1;
done:
	if (rc != 0)
		*out = NULL;
	git_error_clear();
	vl_buf_release(&p);
	return rc;
}

int vl_git_submodule_tree(git_tree **tree, git_repository **sub, git_repository *git,
	git_repository *owner, const char *path, const char *shown, const git_oid *id,
	vl_buf *why)
{
	git_odb *odb = NULL;
	git_commit *commit = NULL;
	vl_buf objects = VL_BUF_INIT;
	char hex[8];
	int rc, grc;

	*tree = NULL;
	*sub = NULL;
	why->len = 0;
	git_oid_tostr(hex, sizeof(hex), id);
	rc = open_submodule(sub, owner, path);
	if (rc < 0)
		goto done;
	if (rc > 0) {
		if (vl_buf_printf(why, "submodule '%s' (commit %s) is not checked out here: "
		    "its notes are not known", shown, hex) < 0)
			rc = -1;
		goto done;
	}
	if (vl_buf_printf(&objects, "%sobjects", git_repository_commondir(*sub)) < 0) {
		rc = -1;
		goto done;
	}
	grc = git_repository_odb(&odb, git);
	if (grc == 0)
		grc = git_odb_add_disk_alternate(odb, objects.ptr);
	if (grc == 0) {
		grc = git_commit_lookup(&commit, git, id);
		if (grc == GIT_ENOTFOUND) {
			rc = vl_buf_printf(why, "submodule '%s': its commit %s is not in its "
				"repository here (not fetched): its notes are not known",
				shown, hex) < 0 ? -1 : 1;
			goto done;
		}
	}
	if (grc == 0)
		grc = git_commit_tree(tree, commit);
	if (grc < 0) {
		const git_error *e = git_error_last();

		rc = vl_buf_printf(why, "submodule '%s' (commit %s) cannot be read: %s: "
			"its notes are not known", shown, hex,
			e && e->message ? e->message : "unknown error") < 0 ? -1 : 1;
		goto done;
	}
	rc = 0;
done:
	if (rc != 0) {
		git_tree_free(*tree);
		*tree = NULL;
		git_repository_free(*sub);
		*sub = NULL;
	}
	git_error_clear();
	git_commit_free(commit);
	git_odb_free(odb);
	vl_buf_release(&objects);
	return rc;
}
