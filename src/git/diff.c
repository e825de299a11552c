/*
 * diff.c: which files changed between two snapshots of the vault (trees,
 * the index, the work tree), with libgit2's rename detection, as
 * vault-relative paths. `check --staged` compares HEAD with the index,
 * `--changed-since REV` REV with the work tree, `changelog` two commits.
 * Also the path helpers every file of src/git/ shares (internal.h).
 */
#include "git.h"
#include "internal.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The vault folder as a prefix of repository paths: "" or "sub/dir/". */
char *vl_git_prefix(const char *subdir)
{
	vl_buf b = VL_BUF_INIT;
	size_t n;

	while (subdir != NULL && (subdir[0] == '/' ||
	    (subdir[0] == '.' && (subdir[1] == '/' || subdir[1] == '\0'))))
		subdir++;
	n = subdir ? strlen(subdir) : 0;
	while (n > 0 && subdir[n - 1] == '/')
		n--;
	if (vl_buf_put(&b, "", 0) < 0 || (n > 0 && (vl_buf_put(&b, subdir, n) < 0 ||
	    vl_buf_putc(&b, '/') < 0))) {
		vl_buf_release(&b);
		return NULL;
	}
	return vl_buf_detach(&b);
}

/* Returns 1 when some segment of a vault-relative path starts with '.'
 * (.obsidian, .trash, .git): those are never part of the vault. */
int vl_git_hidden(const char *path)
{
	const char *p = path;

	while (*p) {
		if (*p == '.')
			return 1;
		p = strchr(p, '/');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

/* Decides whether the repository path belongs to the vault; when it does,
 * *rel points at its vault-relative part. */
int vl_git_in_vault(const char *path, const char *prefix,
	const vl_source_opts *opts, const char **rel)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0)
		return 0;
	*rel = path + n;
	if ((*rel)[0] == '\0' || vl_git_hidden(*rel))
		return 0;
	return !vl_source_ignored(opts, *rel);
}


void vl_changes_release(vl_changes *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->len; i++) {
		free(c->items[i].old_path);
		free(c->items[i].new_path);
	}
	free(c->items);
	c->items = NULL;
	c->len = c->cap = 0;
}

/* The tree of a snapshot side: NULL for EMPTY and for "HEAD" in a
 * repository without commits yet (so a first commit diffs against
 * nothing). Called with the repository lock held. */
static int snap_tree(git_tree **out, git_repository *git, const vl_snap *snap,
	vl_error *err)
{
	git_object *obj = NULL;
	int rc;

	*out = NULL;
	if (snap->kind == VL_SNAP_EMPTY)
		return 0;
	if (snap->rev == NULL)
		return vl_error_set(err, "unknown revision ''");
	if (strcmp(snap->rev, "HEAD") == 0 && git_repository_head_unborn(git) == 1)
		return 0;
	rc = git_revparse_single(&obj, git, snap->rev);
	if (rc == 0)
		rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_TREE);
	git_object_free(obj);
	if (rc < 0)
		return vl_error_set(err, "unknown revision '%s'", snap->rev);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The sides of delta d that a change has: old, new, or both. */
static void delta_sides(const git_diff_delta *d, int *has_old, int *has_new)
{
	*has_old = *has_new = 0;
	switch (d->status) {
	case GIT_DELTA_ADDED:
	case GIT_DELTA_UNTRACKED:
	case GIT_DELTA_COPIED:
		*has_new = 1;
		break;
	case GIT_DELTA_DELETED:
		*has_old = 1;
		break;
	case GIT_DELTA_MODIFIED:
	case GIT_DELTA_TYPECHANGE:
	case GIT_DELTA_RENAMED:
	case GIT_DELTA_CONFLICTED:  /* unmerged: a change whose check says so */
		*has_old = *has_new = 1;
		break;
	default:
		break;
	}
}

/* Turns one libgit2 delta into a vl_change, dropping sides outside the
 * vault: a note renamed out of the vault is deleted from it. index, when
 * not NULL, is the new side: a file only marked in it with `git add -N`
 * is not staged, so its addition is no change. Returns 0 (maybe adding
 * nothing) or -1 when out of memory. */
static int add_delta(vl_changes *out, const git_diff_delta *d, const char *prefix,
	const vl_source_opts *opts, git_index *index)
{
	vl_change c;
	const char *orel = NULL, *nrel = NULL;
	int has_old = 0, has_new = 0;

	memset(&c, 0, sizeof(c));
	delta_sides(d, &has_old, &has_new);
	/* a submodule's commit (a gitlink, whatever its name) is no file:
	 * the files it stands for are add_gitlink_delta's */
	if (has_old && d->old_file.mode == GIT_FILEMODE_COMMIT)
		has_old = 0;
	if (has_new && d->new_file.mode == GIT_FILEMODE_COMMIT)
		has_new = 0;
	if (has_old && !vl_git_in_vault(d->old_file.path, prefix, opts, &orel))
		has_old = 0;
	if (has_new && !vl_git_in_vault(d->new_file.path, prefix, opts, &nrel))
		has_new = 0;
	if (has_new && index != NULL && d->status == GIT_DELTA_ADDED) {
		const git_index_entry *e = git_index_get_bypath(index, d->new_file.path, 0);

		if (e != NULL && (e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD))
			has_new = 0;
	}
	if (!has_old && !has_new)
		return 0;
	if (has_old && has_new)
		c.status = strcmp(orel, nrel) == 0 ? VL_CHANGE_MODIFIED : VL_CHANGE_RENAMED;
	else
		c.status = has_new ? VL_CHANGE_ADDED : VL_CHANGE_DELETED;
	if (has_old) {
		c.old_path = dup_or_null(orel);
		if (c.old_path == NULL)
			goto oom;
		/* a symlink's blob holds its target's path, not the note it
		 * stands for: no id, so nothing takes it for the old note */
		if (!git_oid_is_zero(&d->old_file.id) && d->old_file.mode != GIT_FILEMODE_LINK)
			git_oid_tostr(c.old_oid, sizeof(c.old_oid), &d->old_file.id);
	}
	if (has_new) {
		c.new_path = dup_or_null(nrel);
		if (c.new_path == NULL)
			goto oom;
		if ((d->new_file.flags & GIT_DIFF_FLAG_VALID_ID) &&
		    !git_oid_is_zero(&d->new_file.id))
			git_oid_tostr(c.new_oid, sizeof(c.new_oid), &d->new_file.id);
	}
	if (VL_PUSH(out->items, out->len, out->cap, c) < 0)
		goto oom;
	return 0;
oom:
	free(c.old_path);
	free(c.new_path);
	return -1;
}

/* One side of a gitlink's change: the commit it records, read. */
typedef struct gitlink_side {
	vl_buf path;         /* repository path, from the superproject */
	git_tree *tree;      /* NULL when none, or not readable here */
	git_repository *sub; /* the submodule's repository, with tree */
} gitlink_side;

static void gitlink_side_release(gitlink_side *s)
{
	vl_buf_release(&s->path);
	git_tree_free(s->tree);
	git_repository_free(s->sub);
}

/* Reads one side of a gitlink's change: the gitlink at path of owner,
 * which lies at base in the superproject. Returns 0 or -1. */
static int gitlink_side_read(gitlink_side *s, git_repository *git, git_repository *owner,
	const char *base, const char *path, const git_oid *id, const char *prefix,
	const vl_source_opts *opts, vl_error *err)
{
	vl_buf why = VL_BUF_INIT;
	const char *rel;
	int r;

	if (vl_buf_printf(&s->path, "%s%s", base, path) < 0)
		return vl_error_set(err, "out of memory");
	if (!vl_git_in_vault(s->path.ptr, prefix, opts, &rel))
		return 0;
	r = vl_git_submodule_tree(&s->tree, &s->sub, git, owner, path, s->path.ptr, id, &why);
	vl_buf_release(&why);
	return r < 0 ? vl_error_set(err, "out of memory") : 0;
}

/* The changes a gitlink's delta d stands for (d's paths are relative to
 * oowner and nowner, the repositories that hold its old and new side,
 * which lie at obase and nbase in the superproject): the files of the
 * submodule's old commit against those of its new one, as vault paths
 * under the gitlink's. A side that cannot be read here counts as
 * holding no file (the listing says why: see source.c). Called with the
 * lock held. */
static int add_gitlink_delta(vl_changes *out, git_repository *git,
	git_repository *oowner, const char *obase, git_repository *nowner,
	const char *nbase, const git_diff_delta *d, const char *prefix,
	const vl_source_opts *opts, int depth, vl_error *err)
{
	gitlink_side o, n;
	git_diff_options dopts;
	git_diff_find_options fopts;
	git_diff *diff = NULL;
	vl_buf op = VL_BUF_INIT, np = VL_BUF_INIT;
	int has_old, has_new, rc = -1;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&n, 0, sizeof(n));
	delta_sides(d, &has_old, &has_new);
	/* unmerged: the listing says so; its files are not compared */
	if (depth >= VL_SUBMODULE_DEPTH || d->status == GIT_DELTA_CONFLICTED)
		return 0;
	if (has_old && d->old_file.mode == GIT_FILEMODE_COMMIT &&
	    gitlink_side_read(&o, git, oowner, obase, d->old_file.path, &d->old_file.id,
	    prefix, opts, err) < 0)
		goto done;
	if (has_new && d->new_file.mode == GIT_FILEMODE_COMMIT &&
	    gitlink_side_read(&n, git, nowner, nbase, d->new_file.path, &d->new_file.id,
	    prefix, opts, err) < 0)
		goto done;
	if (o.tree == NULL && n.tree == NULL) {
		rc = 0;
		goto done;
	}
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	dopts.flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_tree_to_tree(&diff, git, o.tree, n.tree, &dopts) < 0 ||
	    git_diff_find_similar(diff, &fopts) < 0) {
		const git_error *e = git_error_last();

		vl_error_set(err, "git diff of submodule '%s' failed: %s",
			n.tree ? n.path.ptr : o.path.ptr,
			e && e->message ? e->message : "unknown error");
		goto done;
	}
	/* the paths of the submodule's files, from the superproject */
	if (vl_buf_printf(&op, "%s/", o.tree ? o.path.ptr : n.path.ptr) < 0 ||
	    vl_buf_printf(&np, "%s/", n.tree ? n.path.ptr : o.path.ptr) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	for (i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *sd = git_diff_get_delta(diff, i);
		git_diff_delta full = *sd;
		vl_buf fo = VL_BUF_INIT, fn = VL_BUF_INIT;
		int r;

		if (vl_buf_printf(&fo, "%s%s", op.ptr, sd->old_file.path) < 0 ||
		    vl_buf_printf(&fn, "%s%s", np.ptr, sd->new_file.path) < 0) {
			r = vl_error_set(err, "out of memory");
		} else {
			full.old_file.path = fo.ptr;
			full.new_file.path = fn.ptr;
			r = add_delta(out, &full, prefix, opts, NULL) < 0 ?
				vl_error_set(err, "out of memory") : 0;
		}
		vl_buf_release(&fo);
		vl_buf_release(&fn);
		if (r == 0 && (sd->old_file.mode == GIT_FILEMODE_COMMIT ||
		    sd->new_file.mode == GIT_FILEMODE_COMMIT))
			r = add_gitlink_delta(out, git, o.sub, op.ptr, n.sub, np.ptr, sd,
				prefix, opts, depth + 1, err);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	git_diff_free(diff);
	gitlink_side_release(&o);
	gitlink_side_release(&n);
	vl_buf_release(&op);
	vl_buf_release(&np);
	return rc;
}

static int cmp_change(const void *a, const void *b)
{
	const vl_change *ca = a, *cb = b;
	const char *pa = ca->new_path ? ca->new_path : ca->old_path;
	const char *pb = cb->new_path ? cb->new_path : cb->old_path;
	int c = strcmp(pa, pb);

	if (c == 0)
		c = (int)ca->status - (int)cb->status;
	return c;
}

/* The blob id of an added (new) or deleted (old) item. */
static const char *change_oid(const vl_change *c)
{
	return c->status == VL_CHANGE_ADDED ? c->new_oid : c->old_oid;
}

/* Whether c may be half of an exact rename: added or deleted, blob known. */
static int rename_half(const vl_change *c)
{
	return (c->status == VL_CHANGE_ADDED || c->status == VL_CHANGE_DELETED) &&
		change_oid(c)[0] != '\0';
}

static int cmp_change_ptr_oid(const void *a, const void *b)
{
	const vl_change *x = *(vl_change *const *)a, *y = *(vl_change *const *)b;
	int c = strcmp(change_oid(x), change_oid(y));

	if (c != 0)
		return c;
	if (x->status != y->status)
		return x->status == VL_CHANGE_DELETED ? -1 : 1;
	return strcmp(x->status == VL_CHANGE_ADDED ? x->new_path : x->old_path,
		y->status == VL_CHANGE_ADDED ? y->new_path : y->old_path);
}

/* libgit2 looks for renames among its first 1,000 sources only (git's
 * diff.renameLimit), and raising the limit makes it quadratic: a folder
 * of 10,000 notes moved took 3 s. A file deleted and one added with the
 * same blob are a rename whatever their number, so the items from first
 * on that libgit2 left as such are paired here by blob id, n log n. */
static int pair_exact_renames(vl_changes *out, size_t first)
{
	vl_change **v = NULL;
	size_t n = 0, i, k;

	for (i = first; i < out->len; i++)
		n += rename_half(&out->items[i]);
	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = first, k = 0; i < out->len; i++)
		if (rename_half(&out->items[i]))
			v[k++] = &out->items[i];
	qsort(v, n, sizeof(*v), cmp_change_ptr_oid);
	/* one blob's deletions sort before its additions: pair them in order */
	for (i = 0; i < n;) {
		size_t j = i, d, a;

		while (j < n && strcmp(change_oid(v[i]), change_oid(v[j])) == 0)
			j++;
		for (d = i; d < j && v[d]->status == VL_CHANGE_DELETED; d++)
			;
		for (k = i, a = d; k < d && a < j; k++, a++) {
			/* the added item becomes the rename; the deleted one goes */
			v[a]->status = VL_CHANGE_RENAMED;
			v[a]->old_path = v[k]->old_path;
			memcpy(v[a]->old_oid, v[k]->old_oid, sizeof(v[a]->old_oid));
			v[k]->old_path = NULL;  /* no path left: dropped below */
		}
		i = j;
	}
	free(v);
	for (i = k = first; i < out->len; i++) {
		if (out->items[i].old_path == NULL && out->items[i].new_path == NULL)
			continue;
		out->items[k++] = out->items[i];
	}
	out->len = k;
	return 0;
}

int vl_repo_diff(vl_changes *out, vl_repo *repo, const vl_snap *from,
	const vl_snap *to, const char *vault_subdir, const vl_source_opts *opts,
	vl_error *err)
{
	git_repository *git = vl_repo_git(repo);
	git_diff_options dopts;
	git_diff_find_options fopts;
	git_diff *diff = NULL;
	git_tree *old_tree = NULL, *new_tree = NULL;
	git_index *index = NULL;
	char *prefix = NULL;
	char *spec[1];
	size_t i, n, first = out->len;
	int rc = -1, grc = 0;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	prefix = vl_git_prefix(vault_subdir);
	if (prefix == NULL)
		return vl_error_set(err, "out of memory");
	vl_repo_lock(repo);
	if (prefix[0] != '\0') {
		spec[0] = prefix;
		dopts.pathspec.strings = spec;
		dopts.pathspec.count = 1;
	}
	/* the vault folder is a path, not a pattern: "Zettel [ZK]" */
	dopts.flags |= GIT_DIFF_INCLUDE_TYPECHANGE | GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	if (to->kind == VL_SNAP_WORKDIR) {
		/* libgit2 reads the .gitignore of every folder it walks */
		if (vl_git_check_ignores(git, prefix, "cannot compare with the work tree", 0,
		    err) != 0)
			goto done;
		dopts.flags |= GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
		fopts.flags |= GIT_DIFF_FIND_FOR_UNTRACKED;
	}
	if (from->kind == VL_SNAP_INDEX) {
		if (to->kind != VL_SNAP_WORKDIR) {
			vl_error_set(err, "internal error: the index compares only with the work tree");
			goto done;
		}
		grc = git_diff_index_to_workdir(&diff, git, NULL, &dopts);
	} else if (from->kind == VL_SNAP_WORKDIR) {
		vl_error_set(err, "internal error: the work tree cannot be the old side");
		goto done;
	} else {
		if (snap_tree(&old_tree, git, from, err) < 0)
			goto done;
		switch (to->kind) {
		case VL_SNAP_EMPTY:
		case VL_SNAP_REV:
			if (snap_tree(&new_tree, git, to, err) < 0)
				goto done;
			grc = git_diff_tree_to_tree(&diff, git, old_tree, new_tree, &dopts);
			break;
		case VL_SNAP_INDEX:
			grc = git_repository_index(&index, git);
			if (grc == 0)
				grc = git_diff_tree_to_index(&diff, git, old_tree, index, &dopts);
			break;
		case VL_SNAP_WORKDIR:
			grc = git_diff_tree_to_workdir_with_index(&diff, git, old_tree, &dopts);
			break;
		}
	}
	if (grc < 0 || git_diff_find_similar(diff, &fopts) < 0) {
		const git_error *e = git_error_last();

		vl_error_set(err, "git diff failed: %s",
			e && e->message ? e->message : "unknown error");
		goto done;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (add_delta(out, d, prefix, opts, index) < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
		/* a submodule's commit stands for its files where both sides
		 * are commits or the index; the work tree's side of one is
		 * not compared file by file (see git.h) */
		if ((d->old_file.mode == GIT_FILEMODE_COMMIT ||
		    d->new_file.mode == GIT_FILEMODE_COMMIT) &&
		    to->kind != VL_SNAP_WORKDIR && from->kind != VL_SNAP_INDEX &&
		    add_gitlink_delta(out, git, git, "", git, "", d, prefix, opts, 0, err) < 0)
			goto done;
	}
	if (pair_exact_renames(out, first) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	if (out->len - first > 1)
		qsort(out->items + first, out->len - first, sizeof(*out->items), cmp_change);
	rc = 0;
done:
	git_diff_free(diff);
	git_index_free(index);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	vl_repo_unlock(repo);
	free(prefix);
	return rc;
}

int vl_snap_read(vl_repo *repo, const vl_snap *snap, const char *vault_subdir,
	const char *path, const char *oid, char **out, size_t *len, vl_error *err)
{
	vl_buf full = VL_BUF_INIT;
	char *prefix = NULL;
	int rc = -1;

	*out = NULL;
	*len = 0;
	/* A work-tree id may be a hash git computed without storing the
	 * blob: the work tree is read from its files. */
	if (snap->kind != VL_SNAP_WORKDIR && oid != NULL && oid[0] != '\0')
		return vl_repo_read_blob(repo, oid, out, len, err);
	if (snap->kind != VL_SNAP_WORKDIR)
		return vl_error_set(err, "%s: no blob id to read", path);
	prefix = vl_git_prefix(vault_subdir);
	if (prefix == NULL || vl_buf_printf(&full, "%s%s", vl_repo_workdir(repo), prefix) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	/* as the check reads it: never outside the vault, never a FIFO; out
	 * of memory fails the run, it is no reason to leave the note out */
	rc = vl_read_in_vault(full.ptr, path, out, len, err);
	rc = rc == -2 ? -1 : rc < 0 ? 1 : 0;
done:
	vl_buf_release(&full);
	free(prefix);
	return rc;
}
