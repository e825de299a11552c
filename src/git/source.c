/*
 * git/source.c: vaults read from git instead of the work tree: the index
 * (what is staged, for `check --staged`) and any revision's tree. Files
 * are listed with their blob ids; reading one reads that blob, under the
 * repository's mutex, so workers may read in parallel.
 *
 * A file of the index is read from the work tree instead when its bytes
 * there hash to the staged blob id, which is the common case (what is
 * staged was added from there): a blob read from a pack costs a
 * decompression under the mutex, a file read and hash cost far less and
 * run in parallel. The work-tree file is opened beneath the work tree
 * without following any symlink, and used only when the hash matches, so
 * what is read is the blob's bytes either way.
 *
 * A gitlink (a submodule) in the vault stands for the files of the
 * commit it records, listed under its path as the superproject's own
 * (see submodule.c); one that cannot be read here is a problem of the
 * listing, as the work tree's walk would see an empty folder.
 *
 * The source borrows the repository: free the source first.
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

typedef struct git_src {
	vl_repo *repo;
	int worktree;      /* the index's: the work tree's folder, or -1 */
	char *prefix;      /* the vault's folder in it ("" or "dir/") */
	/* the vault paths of the submodules that could not be read here */
	char **unread;
	size_t n_unread, cap_unread;
} git_src;

/* File f's bytes from the work tree, when they are its blob's. Returns 1
 * with *out, 0 when the blob must be read. */
static int read_worktree(const git_src *g, const vl_file *f, char **out, size_t *len)
{
	struct open_how how;
	vl_buf path = VL_BUF_INIT;
	unsigned char *buf = NULL;
	char hex[41];
	size_t n = 0;
	long fd;

	memset(&how, 0, sizeof(how));
	/* O_NONBLOCK: a FIFO where the note was must not hang the hook */
	how.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	if (vl_buf_puts(&path, g->prefix) < 0 || vl_buf_puts(&path, f->path) < 0) {
		vl_buf_release(&path);
		return 0;
	}
	fd = syscall(SYS_openat2, g->worktree, path.ptr, &how, sizeof(how));
	vl_buf_release(&path);
	if (fd < 0 || vl_read_fd((int)fd, f->size, &buf, &n) < 0)
		return 0;
	if (n != f->size || vl_git_hash(hex, buf, n) < 0 || strcmp(hex, f->oid) != 0) {
		free(buf);
		return 0;
	}
	*out = (char *)buf;
	*len = n;
	return 1;
}

static int git_src_read(vl_source *src, size_t i, char **out, size_t *len,
	vl_error *err)
{
	git_src *g = src->impl;
	const vl_file *f = &src->files[i];

	if (g->worktree >= 0 && read_worktree(g, f, out, len))
		return 0;
	if (vl_repo_read_blob(g->repo, f->oid, out, len, err) < 0)
		return vl_error_set(err, "cannot read '%s' from git (blob %s)", f->path,
			f->oid);
	return 0;
}

static void git_src_free(vl_source *src)
{
	git_src *g = src->impl;
	size_t i;

	if (g != NULL && g->worktree >= 0)
		close(g->worktree);
	if (g != NULL) {
		free(g->prefix);
		for (i = 0; i < g->n_unread; i++)
			free(g->unread[i]);
		free(g->unread);
	}
	free(g);
	src->impl = NULL;
}

static const vl_source_ops git_src_ops = { git_src_read, git_src_free };

const char *const *vl_source_unread_submodules(const vl_source *src, size_t *n)
{
	const git_src *g = src->ops == &git_src_ops ? src->impl : NULL;

	*n = g != NULL ? g->n_unread : 0;
	return g != NULL ? (const char *const *)g->unread : NULL;
}

/* Says in src's listing that the submodule at vault path rel could not
 * be read here, and why. Returns 0 or -1 (out of memory). */
static int unread_submodule(vl_source *src, const char *rel, const char *why)
{
	git_src *g = src->impl;
	char *p = strdup(rel);

	if (p == NULL || VL_PUSH(g->unread, g->n_unread, g->cap_unread, p) < 0) {
		free(p);
		return -1;
	}
	return vl_source_add_problem(src, rel, "%s", why);
}

static int source_new(vl_source **out, vl_repo *repo, const char *root,
	vl_error *err)
{
	vl_source *src = calloc(1, sizeof(*src));
	git_src *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (src == NULL || g == NULL || (src->root = strdup(root)) == NULL) {
		free(src);
		free(g);
		return vl_error_set(err, "out of memory");
	}
	g->repo = repo;
	g->worktree = -1;
	src->impl = g;
	src->ops = &git_src_ops;
	*out = src;
	return 0;
}

/* The symlinks of a snapshot, put aside while it is listed: a symlink's
 * blob holds its target's path, not a note. */
typedef struct snap_link {
	char *rel;        /* vault-relative path of the link */
	git_oid id;       /* its blob: the target as written */
} snap_link;

typedef struct snap_links {
	snap_link *v;
	size_t n, cap;
} snap_links;

static int links_add(snap_links *l, const char *rel, const git_oid *id)
{
	snap_link k;

	k.rel = strdup(rel);
	git_oid_cpy(&k.id, id);
	if (k.rel == NULL || VL_PUSH(l->v, l->n, l->cap, k) < 0) {
		free(k.rel);
		return -1;
	}
	return 0;
}

static void links_release(snap_links *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].rel);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The gitlinks (submodules) of a snapshot, put aside while it is listed:
 * each stands for the files of the commit it records. */
typedef struct snap_gitlink {
	char *path;       /* repository path, from the superproject */
	git_oid id;       /* the commit it records */
} snap_gitlink;

typedef struct snap_gitlinks {
	snap_gitlink *v;
	size_t n, cap;
} snap_gitlinks;

static int gitlinks_add(snap_gitlinks *l, const char *path, const git_oid *id)
{
	snap_gitlink k;

	k.path = strdup(path);
	git_oid_cpy(&k.id, id);
	if (k.path == NULL || VL_PUSH(l->v, l->n, l->cap, k) < 0) {
		free(k.path);
		return -1;
	}
	return 0;
}

static void gitlinks_release(snap_gitlinks *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The target of the link at repository path link (target as written, a
 * NUL-terminated string) as a repository path, in out ("" for the
 * repository's root); 0 when it leaves the repository (absolute, or ".."
 * above the root), -1 when out of memory. */
static int link_target(vl_buf *out, const char *link, const char *t)
{
	const char *slash = strrchr(link, '/');
	char small[256], *p;
	int outside = 0, rc;

	out->len = 0;
	if (t[0] == '\0' || t[0] == '/')
		return 0;
	p = vl_path_join(link, slash ? (size_t)(slash - link) : 0, t, &outside,
		small, sizeof(small));
	if (p == NULL)
		return outside ? 0 : -1;
	rc = vl_buf_reserve(out, 1) == 0 && vl_buf_puts(out, p) == 0 ? 1 : -1;
	vl_scratch_free(p, small);
	return rc;
}

/* The vault path of repository path p (prefix: the vault's folder with a
 * trailing '/', or ""): "" for the vault's folder itself; NULL when p is
 * outside the vault. */
static const char *vault_path(const char *p, const char *prefix, size_t plen)
{
	if (strncmp(p, prefix, plen) == 0)
		return p + plen;
	if (plen > 0 && strlen(p) == plen - 1 && strncmp(p, prefix, plen - 1) == 0)
		return p + plen - 1;
	return NULL;
}

/* Whether vault folder dir ("" for the vault's own) holds the link at
 * vault path link: following it would walk into itself, as the work
 * tree's walk calls a loop. */
static int holds_link(const char *dir, const char *link)
{
	size_t n = strlen(dir);

	return n == 0 || (strncmp(link, dir, n) == 0 && link[n] == '/');
}

/* Whether vault path dir is a folder of the n sorted files of src: some
 * file lies under it. */
static int src_has_folder(const vl_source *src, size_t n, const char *dir)
{
	size_t len = strlen(dir), i;

	for (i = vl_source_lower(src, n, dir); i < n && strncmp(src->files[i].path, dir, len) == 0; i++)
		if (src->files[i].path[len] == '/')
			return 1;
	return 0;
}

/* Lists each link of links as the work tree's walk would (see walk.c):
 * a link to a file of the vault is that file (its blob, under the link's
 * name); a link that leaves the vault, dangles, loops or names a folder
 * is a problem of the listing, skipped. src is sorted (vl_source_find)
 * and sorted again after. */
static int resolve_links(vl_source *src, vl_repo *repo, const char *prefix,
	const snap_links *links, vl_error *err)
{
	vl_buf at = VL_BUF_INIT, next = VL_BUF_INIT, written = VL_BUF_INIT;
	size_t i, plen = strlen(prefix), n_files = src->n_files;
	int rc = -1;

	for (i = 0; i < links->n; i++) {
		const snap_link *l = &links->v[i];
		git_oid id = l->id;
		int hops, done = 0, r = 0;

		at.len = 0;
		if (vl_buf_puts(&at, prefix) < 0 || vl_buf_puts(&at, l->rel) < 0)
			goto oom;
		for (hops = 0; !done && hops < 40; hops++) {
			git_blob *blob = NULL;
			const char *rel;
			size_t j, k;
			int ok;

			vl_repo_lock(repo);
			ok = git_blob_lookup(&blob, vl_repo_git(repo), &id) == 0;
			if (ok) {
				written.len = 0;
				ok = vl_buf_put(&written, git_blob_rawcontent(blob),
					(size_t)git_blob_rawsize(blob)) == 0;
			}
			git_blob_free(blob);
			vl_repo_unlock(repo);
			if (!ok)
				goto oom;
			done = 1;
			r = link_target(&next, at.ptr, written.ptr ? written.ptr : "");
			if (r < 0)
				goto oom;
			rel = r > 0 ? vault_path(next.ptr, prefix, plen) : NULL;
			if (rel == NULL) {
				r = vl_source_add_problem(src, l->rel,
					"symlink points outside the vault: %s; skipped", written.ptr);
				break;
			}
			/* the vault's folder, or one that holds the link: a loop
			 * (the work tree's walk says so too) */
			if (holds_link(rel, l->rel)) {
				r = vl_source_add_problem(src, l->rel, "%s", "symlink loop; skipped");
				break;
			}
			/* the files listed before the links: sorted */
			k = vl_source_lower(src, n_files, rel);
			if (k < n_files && strcmp(src->files[k].path, rel) == 0) {
				const vl_file *f = &src->files[k];

				r = vl_source_add(src, l->rel, f->size, f->oid);
				break;
			}
			for (j = 0; j < links->n && strcmp(links->v[j].rel, rel) != 0; j++)
				;
			if (j < links->n) {
				/* a link to a link: follow it */
				id = links->v[j].id;
				at.len = 0;
				if (vl_buf_puts(&at, next.ptr) < 0)
					goto oom;
				done = 0;
				continue;
			}
			r = src_has_folder(src, n_files, rel) ?
				vl_source_add_problem(src, l->rel,
					"symlink to a folder already in the vault (%s); skipped", rel) :
				vl_source_add_problem(src, l->rel,
					"broken symlink to '%s'; skipped", written.ptr);
		}
		if (!done)
			r = vl_source_add_problem(src, l->rel, "%s", "symlink loop; skipped");
		if (r < 0)
			goto oom;
	}
	vl_source_sort(src);
	rc = 0;
	goto done;
oom:
	vl_error_set(err, "out of memory");
done:
	vl_buf_release(&at);
	vl_buf_release(&next);
	vl_buf_release(&written);
	return rc;
}

/* Walk state for a tree: a revision's, or a submodule commit's. */
typedef struct tree_walk {
	vl_source *src;
	const char *base;   /* the tree's path in the superproject: "" or "lib/" */
	const char *prefix;
	const vl_source_opts *opts;
	vl_error *err;
	snap_links *links;        /* symlinks, resolved after the walk */
	snap_gitlinks *gitlinks;  /* submodules, listed after the walk */
	int failed;
} tree_walk;

static int tree_walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	tree_walk *w = payload;
	vl_buf path = VL_BUF_INIT;
	const char *rel;
	size_t plen = strlen(w->prefix);
	char hex[41];
	int rc = 1;

	if (vl_buf_puts(&path, w->base) < 0 || vl_buf_puts(&path, root) < 0 ||
	    vl_buf_puts(&path, git_tree_entry_name(entry)) < 0)
		goto oom;
	if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
		/* Descend only into folders on the way to or inside the vault,
		 * and never into hidden ones. */
		size_t n = path.len;

		rc = 0;
		if (vl_buf_putc(&path, '/') < 0)
			goto oom;
		if (!(strncmp(path.ptr, w->prefix, n + 1 < plen ? n + 1 : plen) == 0))
			rc = 1;
		else if (path.len > plen && vl_git_hidden(path.ptr + plen))
			rc = 1;
		goto done;
	}
	rc = 0;
	if (!vl_git_in_vault(path.ptr, w->prefix, w->opts, &rel))
		goto done;
	if (git_tree_entry_type(entry) == GIT_OBJECT_COMMIT) {
		if (gitlinks_add(w->gitlinks, path.ptr, git_tree_entry_id(entry)) < 0)
			goto oom;
		goto done;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		goto done;
	if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		if (links_add(w->links, rel, git_tree_entry_id(entry)) < 0)
			goto oom;
		goto done;
	}
	git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(entry));
	/* A tree does not record sizes, and reading each object's header
	 * for one (a delta's means inflating it) cost more than the rest of
	 * the listing: the blob id is the file's identity. */
	if (vl_source_add(w->src, rel, 0, hex) < 0)
		goto oom;
	goto done;
oom:
	vl_error_set(w->err, "out of memory");
	w->failed = 1;
	rc = -1;
done:
	vl_buf_release(&path);
	return rc;
}

/* Lists the blobs of tree, which lies at base in the superproject, into
 * src; its symlinks go to links and its gitlinks to gitlinks. */
static int list_tree(vl_source *src, git_tree *tree, const char *base,
	const char *prefix, const vl_source_opts *opts, snap_links *links,
	snap_gitlinks *gitlinks, vl_error *err)
{
	tree_walk w;

	w.src = src;
	w.base = base;
	w.prefix = prefix;
	w.opts = opts;
	w.err = err;
	w.links = links;
	w.gitlinks = gitlinks;
	w.failed = 0;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, tree_walk_cb, &w) < 0 || w.failed) {
		if (!w.failed) {
			const git_error *e = git_error_last();

			vl_error_set(err, "cannot walk the tree: %s",
				e && e->message ? e->message : "unknown error");
		}
		return -1;
	}
	return 0;
}

/* Lists the files of the commits that the gitlinks gl record, found in
 * owner (the superproject, or the submodule that holds them, whose path
 * takes base_len bytes of theirs), with the rules of the superproject's
 * tree (see list_tree); symlinks go to links, resolved with the rest. A
 * submodule that cannot be read here is a problem of the listing: its
 * folder, as the work tree's walk would see it, is empty. Called with
 * the repository lock held. */
static int list_gitlinks(vl_source *src, vl_repo *repo, git_repository *owner,
	size_t base_len, const snap_gitlinks *gl, const char *prefix,
	const vl_source_opts *opts, snap_links *links, int depth, vl_error *err)
{
	vl_buf why = VL_BUF_INIT, base = VL_BUF_INIT;
	size_t i, plen = strlen(prefix);
	int rc = -1;

	for (i = 0; i < gl->n; i++) {
		const snap_gitlink *l = &gl->v[i];
		snap_gitlinks nested = { NULL, 0, 0 };
		git_repository *sub = NULL;
		git_tree *tree = NULL;
		int r;

		/* in the vault: l->path starts with prefix */
		if (depth >= VL_SUBMODULE_DEPTH) {
			why.len = 0;
			if (vl_buf_printf(&why, "submodule '%s' is nested more than %d deep: "
			    "its notes are not known", l->path, VL_SUBMODULE_DEPTH) < 0 ||
			    unread_submodule(src, l->path + plen, why.ptr) < 0)
				goto oom;
			continue;
		}
		r = vl_git_submodule_tree(&tree, &sub, vl_repo_git(repo), owner,
			l->path + base_len, l->path, &l->id, &why);
		if (r < 0)
			goto oom;
		if (r > 0) {
			if (unread_submodule(src, l->path + plen, why.ptr) < 0)
				goto oom;
			continue;
		}
		base.len = 0;
		r = vl_buf_printf(&base, "%s/", l->path) < 0 ?
			vl_error_set(err, "out of memory") :
			list_tree(src, tree, base.ptr, prefix, opts, links, &nested, err);
		if (r == 0 && nested.n > 0)
			r = list_gitlinks(src, repo, sub, base.len, &nested, prefix, opts,
				links, depth + 1, err);
		gitlinks_release(&nested);
		git_tree_free(tree);
		git_repository_free(sub);
		if (r < 0)
			goto done;
	}
	rc = 0;
	goto done;
oom:
	vl_error_set(err, "out of memory");
done:
	vl_buf_release(&why);
	vl_buf_release(&base);
	return rc;
}

int vl_source_open_index(vl_source **out, vl_repo *repo, const char *vault_subdir,
	const vl_source_opts *opts, vl_error *err)
{
	git_index *index = NULL;
	vl_source *src = NULL;
	char *prefix = NULL;
	vl_buf root = VL_BUF_INIT;
	snap_links links = { NULL, 0, 0 };
	snap_gitlinks gitlinks = { NULL, 0, 0 };
	size_t i, count;
	int rc = -1, r;

	*out = NULL;
	prefix = vl_git_prefix(vault_subdir);
	if (prefix == NULL || vl_buf_printf(&root, ":%s", prefix) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	if (source_new(&src, repo, root.ptr, err) < 0)
		goto done;
	if (vl_repo_workdir(repo) != NULL) {
		git_src *g = src->impl;

		g->prefix = strdup(prefix);
		if (g->prefix != NULL)
			g->worktree = open(vl_repo_workdir(repo), O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	vl_repo_lock(repo);
	if (git_repository_index(&index, vl_repo_git(repo)) < 0) {
		const git_error *e = git_error_last();

		vl_repo_unlock(repo);
		vl_error_set(err, "cannot read the git index: %s",
			e && e->message ? e->message : "unknown error");
		goto done;
	}
	vl_repo_unlock(repo);
	count = git_index_entrycount(index);
	for (i = 0; i < count; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		const char *rel;
		char hex[41];

		if (e == NULL || !vl_git_in_vault(e->path, prefix, opts, &rel))
			continue;
		if (GIT_INDEX_ENTRY_STAGE(e) != 0) {
			/* A conflicted path: reported once, at its first stage
			 * (our side may have deleted it: no stage 2); stage 2
			 * ("ours") stands for its bytes, the others are skipped. */
			const git_index_entry *prev = i > 0 ? git_index_get_byindex(index, i - 1) : NULL;

			if ((prev == NULL || GIT_INDEX_ENTRY_STAGE(prev) == 0 ||
			    strcmp(prev->path, e->path) != 0) &&
			    vl_source_add_problem(src, rel,
			    "unresolved merge conflict in the index") < 0) {
				vl_error_set(err, "out of memory");
				goto done;
			}
			if (GIT_INDEX_ENTRY_STAGE(e) != 2)
				continue;
		}
		/* a file only marked with `git add -N`: nothing of it is
		 * committed */
		if (e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD)
			continue;
		/* a submodule: the files of the commit it records, listed
		 * after the index */
		if (e->mode == GIT_FILEMODE_COMMIT) {
			if (gitlinks_add(&gitlinks, e->path, &e->id) < 0) {
				vl_error_set(err, "out of memory");
				goto done;
			}
			continue;
		}
		if (e->mode == GIT_FILEMODE_LINK) {
			if (links_add(&links, rel, &e->id) < 0) {
				vl_error_set(err, "out of memory");
				goto done;
			}
			continue;
		}
		git_oid_tostr(hex, sizeof(hex), &e->id);
		if (vl_source_add(src, rel, e->file_size, hex) < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
	}
	if (gitlinks.n > 0) {
		vl_repo_lock(repo);
		r = list_gitlinks(src, repo, vl_repo_git(repo), 0, &gitlinks, prefix, opts,
			&links, 0, err);
		vl_repo_unlock(repo);
		if (r < 0)
			goto done;
	}
	vl_source_sort(src);
	if (links.n > 0 && resolve_links(src, repo, prefix, &links, err) < 0)
		goto done;
	*out = src;
	src = NULL;
	rc = 0;
done:
	links_release(&links);
	gitlinks_release(&gitlinks);
	git_index_free(index);
	vl_source_free(src);
	vl_buf_release(&root);
	free(prefix);
	return rc;
}

int vl_source_open_rev(vl_source **out, vl_repo *repo, const char *rev,
	const char *vault_subdir, const vl_source_opts *opts, vl_error *err)
{
	git_object *obj = NULL;
	git_tree *tree = NULL;
	vl_source *src = NULL;
	char *prefix = NULL;
	vl_buf root = VL_BUF_INIT;
	snap_links links = { NULL, 0, 0 };
	snap_gitlinks gitlinks = { NULL, 0, 0 };
	int rc = -1, ok;

	*out = NULL;
	prefix = vl_git_prefix(vault_subdir);
	if (prefix == NULL || vl_buf_printf(&root, "%s:%s", rev, prefix) < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	vl_repo_lock(repo);
	ok = git_revparse_single(&obj, vl_repo_git(repo), rev) == 0 &&
		git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) == 0;
	vl_repo_unlock(repo);
	if (!ok) {
		vl_error_set(err, "unknown revision '%s'", rev);
		goto done;
	}
	if (source_new(&src, repo, root.ptr, err) < 0)
		goto done;
	vl_repo_lock(repo);
	ok = list_tree(src, tree, "", prefix, opts, &links, &gitlinks, err) == 0 &&
		(gitlinks.n == 0 || list_gitlinks(src, repo, vl_repo_git(repo), 0, &gitlinks,
		prefix, opts, &links, 0, err) == 0);
	vl_repo_unlock(repo);
	if (!ok)
		goto done;
	vl_source_sort(src);
	/* read under the lock by resolve_links itself */
	if (links.n > 0 && resolve_links(src, repo, prefix, &links, err) < 0)
		goto done;
	*out = src;
	src = NULL;
	rc = 0;
done:
	links_release(&links);
	gitlinks_release(&gitlinks);
	git_tree_free(tree);
	git_object_free(obj);
	vl_source_free(src);
	vl_buf_release(&root);
	free(prefix);
	return rc;
}

int vl_source_open_snap(vl_source **out, vl_repo *repo, const vl_snap *snap,
	const char *vault_subdir, const vl_source_opts *opts, vl_error *err)
{
	char *dir = NULL, *prefix = NULL;
	int rc = -1;

	*out = NULL;
	switch (snap->kind) {
	case VL_SNAP_REV:
		return vl_source_open_rev(out, repo, snap->rev, vault_subdir, opts, err);
	case VL_SNAP_INDEX:
		return vl_source_open_index(out, repo, vault_subdir, opts, err);
	case VL_SNAP_EMPTY:
		if (source_new(out, repo, "", err) < 0)
			return -1;
		return 0;
	case VL_SNAP_WORKDIR:
		break;
	}
	prefix = vl_git_prefix(vault_subdir);
	if (prefix == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	dir = malloc(strlen(vl_repo_workdir(repo)) + strlen(prefix) + 1);
	if (dir == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	strcpy(dir, vl_repo_workdir(repo));
	strcat(dir, prefix);
	rc = vl_source_open_dir(out, dir, opts, err);
done:
	free(dir);
	free(prefix);
	return rc;
}
