/*
 * git/changelog.c: the git side of `vaultlint changelog`. Diffs the two
 * end points (so a merge, or ten edits of one note, count once), reads
 * only the blobs that changed, parses them and hands the pairs to the
 * pure changelog (src/changelog.c). When entries whose first link is a
 * vault link do not pair by the links as written, both end points are
 * listed too, and an index of their paths (stubs: no note is read)
 * resolves the links to the notes they name.
 *
 * Links the range broke: for every note the range renamed or deleted, the
 * notes of the new side that still link to its old name or path. Their
 * links come from the cache of parsed notes in the git folder (cache.h,
 * shared with `check`; none with --no-cache; links only are decoded), on
 * one thread per core; only notes missing there are read, parsed and
 * added, so a second changelog over the same end point reads no note it
 * did not change. A bare-name link still counts as resolved when another
 * note of that name exists on the new side.
 */
#include "git.h"
#include "internal.h"

#include <git2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../cache.h"
#include "../changelog.h"
#include "../index.h"
#include "../lint.h"
#include "../note.h"

/* A side of a change that names a note (vl_source_is_note_path), or
 * none (NULL: the side does not exist). */
static int is_note_path(const char *path)
{
	return path != NULL && vl_source_is_note_path(path);
}

/* Lower case, without ".md", without a leading "./" or '/'. */
static char *link_key(const char *s)
{
	size_t n;

	while (s[0] == '/' || (s[0] == '.' && s[1] == '/'))
		s += s[0] == '/' ? 1 : 2;
	n = strlen(s);
	if (n > 3 && strcasecmp(s + n - 3, ".md") == 0)
		n -= 3;
	return vl_lower_dup(s, n);
}

/* The lower-cased file name without folder and ".md". */
static char *name_key(const char *path)
{
	const char *slash = strrchr(path, '/');

	return link_key(slash ? slash + 1 : path);
}

/* Reads and parses one side of a change. Returns 0, 1 when the work
 * tree's file cannot be read as a note (the reason is added to
 * cl->skipped), -1. */
static int load_note(vl_note **out, vl_changelog *cl, vl_repo *repo, const vl_snap *snap,
	const char *subdir, const char *path, const char *oid, vl_error *err)
{
	char *text = NULL, *why;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = vl_snap_read(repo, snap, subdir, path, oid, &text, &len, err);
	if (rc > 0) {
		why = vl_strndup(err->msg, strlen(err->msg));
		if (why == NULL || VL_PUSH(cl->skipped, cl->n_skipped, cl->cap_skipped, why) < 0) {
			free(why);
			return vl_error_set(err, "out of memory");
		}
		return 1;
	}
	if (rc < 0)
		return -1;
	rc = vl_note_parse(out, path, text, len, err);
	free(text);
	return rc;
}

/* A note gone from its old path: what links to it would say. */
typedef struct gone {
	char *name;      /* name_key of the old path */
	char *path;      /* link_key of the old path */
	char *why;       /* "renamed to 'X'" or "deleted" */
	int name_alive;  /* another note of that name exists on the new side */
} gone;

typedef struct broken_ctx {
	gone *items;
	size_t len, cap;
} broken_ctx;

static void broken_release(broken_ctx *b)
{
	size_t i;

	for (i = 0; i < b->len; i++) {
		free(b->items[i].name);
		free(b->items[i].path);
		free(b->items[i].why);
	}
	free(b->items);
}

static int add_gone(broken_ctx *b, const vl_change *c)
{
	gone g;
	vl_buf why = VL_BUF_INIT;
	size_t n;

	memset(&g, 0, sizeof(g));
	if (c->new_path != NULL) {
		n = strlen(c->new_path);
		if (is_note_path(c->new_path))
			n -= 3;
		if (vl_buf_printf(&why, "renamed to '%.*s'", (int)n, c->new_path) < 0)
			goto fail;
	} else if (vl_buf_puts(&why, "deleted") < 0) {
		goto fail;
	}
	g.name = name_key(c->old_path);
	g.path = link_key(c->old_path);
	g.why = vl_buf_detach(&why);
	if (!g.name || !g.path || !g.why || VL_PUSH(b->items, b->len, b->cap, g) < 0)
		goto fail;
	return 0;
fail:
	vl_buf_release(&why);
	free(g.name);
	free(g.path);
	free(g.why);
	return -1;
}

/* The link's target resolved against the linking note's folder, as a
 * link_key (for Markdown links, which are relative). */
static char *relative_key(const char *note_path, const char *target)
{
	const char *slash = strrchr(note_path, '/');
	char small[256], *p;
	char *key;
	int outside = 0;

	/* "." and ".." resolved: [o](../x/Old.md) from y/ is x/Old */
	p = vl_path_join(note_path, slash ? (size_t)(slash - note_path) : 0, target,
		&outside, small, sizeof(small));
	if (p == NULL)
		return NULL;
	key = link_key(p);
	vl_scratch_free(p, small);
	return key;
}

/* The search of one snapshot's notes, on the loader's threads. */
typedef struct scan_ctx {
	vl_changelog *cl;
	const broken_ctx *b;
	vl_source *src;
	vl_cache *cache;          /* or NULL */
	pthread_mutex_t lock;     /* guards cl's broken links and err */
	vl_error *err;
	vl_cache_reader rd[VL_POOL_MAX]; /* one per thread */
} scan_ctx;

/* Checks the links of one new-side note against the notes gone. */
static int check_note_links(scan_ctx *sc, const vl_note *note)
{
	const broken_ctx *b = sc->b;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < note->n_links && rc == 0; i++) {
		const vl_link *l = &note->links[i];
		char *key, *rel = NULL;

		if (l->kind == VL_LINK_URL || l->target == NULL || l->target[0] == '\0')
			continue;
		key = link_key(l->target);
		if (key == NULL)
			return -1;
		if (l->kind == VL_LINK_MARKDOWN || l->kind == VL_LINK_IMAGE)
			rel = relative_key(note->path, l->target);
		for (j = 0; j < b->len; j++) {
			const gone *g = &b->items[j];
			int hit;

			if (strchr(key, '/') == NULL)
				hit = !g->name_alive && strcmp(key, g->name) == 0;
			else
				hit = strcmp(key, g->path) == 0;
			if (!hit && rel != NULL)
				hit = strcmp(rel, g->path) == 0;
			if (hit) {
				pthread_mutex_lock(&sc->lock);
				rc = vl_changelog_add_broken(sc->cl, note->path, l->pos.line,
					l->target, g->why);
				pthread_mutex_unlock(&sc->lock);
				break;
			}
		}
		free(key);
		free(rel);
	}
	return rc;
}

/* Note i of the snapshot (from the cache, else read and parsed, and
 * cached): its links to the notes gone. */
static int scan_one(size_t i, int slot, void *payload)
{
	scan_ctx *sc = payload;
	const vl_file *f = &sc->src->files[i];
	vl_note *note = NULL;
	vl_error err;
	char *text = NULL;
	size_t len = 0;
	int hit, r;

	if (!f->is_note)
		return 0;
	hit = vl_cache_get_via(sc->cache, &sc->rd[slot], sc->src, f, VL_CACHE_LINKS, &note, &err);
	if (hit < 0)
		goto fail;
	if (hit == 0) {
		if (vl_source_read(sc->src, i, &text, &len, &err) < 0)
			goto fail;
		r = vl_note_parse_ex(&note, f->path, text, len, VL_PARSE_NO_ENTRIES, &err);
		free(text);
		if (r < 0 || vl_cache_put(sc->cache, sc->src, f, note, &err) < 0)
			goto fail;
	}
	if (check_note_links(sc, note) < 0) {
		vl_error_set(&err, "out of memory");
		goto fail;
	}
	vl_note_free(note);
	return 0;
fail:
	vl_note_free(note);
	pthread_mutex_lock(&sc->lock);
	if (sc->err->msg[0] == '\0')
		*sc->err = err;
	pthread_mutex_unlock(&sc->lock);
	return -1;
}

/* Finds links on the `to` side to notes the range renamed or deleted.
 * to_src: the listing of `to` when already made, else NULL. */
static int find_broken(vl_changelog *cl, vl_repo *repo, const vl_snap *to,
	const vl_source *to_src, const char *subdir, const vl_source_opts *opts,
	const vl_changes *changes, const char *cache_gitdir, vl_error *err)
{
	broken_ctx b = { NULL, 0, 0 };
	vl_source *own = NULL;
	vl_source *src = (vl_source *)to_src;
	vl_map alive = { NULL, 0, 0 };
	vl_cache *cache = NULL;
	vl_error cerr;
	char **names = NULL;
	scan_ctx sc;
	size_t i;
	int rc = -1, r;

	for (i = 0; i < changes->len; i++) {
		const vl_change *c = &changes->items[i];

		if ((c->status == VL_CHANGE_RENAMED || c->status == VL_CHANGE_DELETED) &&
		    is_note_path(c->old_path) && add_gone(&b, c) < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
	}
	if (b.len == 0) {
		rc = 0;
		goto done;
	}
	if (src == NULL) {
		if (vl_source_open_snap(&own, repo, to, subdir, opts, err) < 0)
			goto done;
		src = own;
	}
	/* Which names still have a note on the new side. */
	names = calloc(src->n_files + 1, sizeof(*names));
	if (names == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	for (i = 0; i < src->n_files; i++) {
		if (!src->files[i].is_note)
			continue;
		names[i] = name_key(src->files[i].path);
		if (names[i] == NULL || vl_map_put(&alive, names[i], names) < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
	}
	for (i = 0; i < b.len; i++)
		b.items[i].name_alive = vl_map_get(&alive, b.items[i].name) != NULL;
	/* a cache that cannot be opened or written only costs time */
	if (cache_gitdir != NULL && vl_cache_open_gitdir(&cache, cache_gitdir, &cerr) < 0)
		cache = NULL;
	memset(&sc, 0, sizeof(sc));
	sc.cl = cl;
	sc.b = &b;
	sc.src = src;
	sc.cache = cache;
	sc.err = err;
	err->msg[0] = '\0';
	if (pthread_mutex_init(&sc.lock, NULL) != 0) {
		vl_error_set(err, "cannot create a mutex");
		goto done;
	}
	r = vl_run_pool_runs(src->n_files, vl_lint_threads(0), scan_one, &sc);
	pthread_mutex_destroy(&sc.lock);
	for (i = 0; i < VL_POOL_MAX; i++)
		vl_cache_reader_release(&sc.rd[i]);
	if (r < 0)
		goto done;
	(void)vl_cache_save(cache, &cerr);
	rc = 0;
done:
	if (names != NULL && src != NULL)
		for (i = 0; i < src->n_files; i++)
			free(names[i]);
	free(names);
	vl_map_release(&alive);
	vl_cache_free(cache);
	vl_source_free(own);
	broken_release(&b);
	return rc;
}

/* One side's listing and an index over it whose notes are stubs: what
 * resolves the vault links of the changed entries (changelog.h). */
typedef struct side_index {
	vl_source *src;
	vl_index *idx;
} side_index;

static void side_index_release(side_index *s)
{
	vl_index_free(s->idx);
	vl_source_free(s->src);
}

static int side_index_open(side_index *s, vl_repo *repo, const vl_snap *snap,
	const char *subdir, const vl_source_opts *opts, vl_error *err)
{
	vl_note **notes = NULL;
	const char **stubs = NULL;
	size_t i, n = 0;
	int rc = -1;

	if (vl_source_open_snap(&s->src, repo, snap, subdir, opts, err) < 0)
		return -1;
	notes = calloc(s->src->n_files + 1, sizeof(*notes));
	stubs = calloc(s->src->n_files + 1, sizeof(*stubs));
	if (notes == NULL || stubs == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	for (i = 0; i < s->src->n_files; i++)
		if (s->src->files[i].is_note)
			stubs[n++] = s->src->files[i].path;
	rc = vl_index_new_ex(&s->idx, notes, stubs, n, s->src, err);
done:
	free(notes);
	free(stubs);
	return rc;
}

int vl_git_changelog(struct vl_changelog *cl, vl_repo *repo, const vl_snap *from,
	const vl_snap *to, const char *vault_subdir, const vl_source_opts *opts,
	const char *cache_gitdir, vl_error *err)
{
	vl_changes changes = VL_CHANGES_INIT;
	vl_note **notes = NULL;
	side_index os, ns;
	size_t i, n_notes = 0;
	int rc = -1, want;

	memset(&os, 0, sizeof(os));
	memset(&ns, 0, sizeof(ns));
	if (vl_repo_diff(&changes, repo, from, to, vault_subdir, opts, err) < 0)
		goto done;
	notes = calloc(2 * changes.len + 1, sizeof(*notes));
	if (notes == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	for (i = 0; i < changes.len; i++) {
		const vl_change *c = &changes.items[i];
		vl_note *o = NULL, *n = NULL;
		int ro = 0, rn = 0;

		if (is_note_path(c->old_path)) {
			ro = load_note(&o, cl, repo, from, vault_subdir, c->old_path, c->old_oid, err);
			if (ro < 0)
				goto done;
			notes[n_notes++] = o;
		}
		if (is_note_path(c->new_path)) {
			rn = load_note(&n, cl, repo, to, vault_subdir, c->new_path, c->new_oid, err);
			if (rn < 0)
				goto done;
			notes[n_notes++] = n;
		}
		/* a side that could not be read leaves the whole change out:
		 * the other side alone would read as added or deleted */
		if (ro == 0 && rn == 0 && (o != NULL || n != NULL) &&
		    vl_changelog_add_pair(cl, o, n, err) < 0)
			goto done;
	}
	/* Both end points are listed only when the links as written leave
	 * entries unpaired: the notes they name may pair them. */
	want = vl_changelog_wants_indexes(cl);
	if (want < 0) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	if (want) {
		if (side_index_open(&os, repo, from, vault_subdir, opts, err) < 0 ||
		    side_index_open(&ns, repo, to, vault_subdir, opts, err) < 0)
			goto done;
		vl_changelog_set_indexes(cl, os.idx, ns.idx);
	}
	if (find_broken(cl, repo, to, ns.src, vault_subdir, opts, &changes,
	    cache_gitdir, err) < 0)
		goto done;
	if (vl_changelog_finish(cl, err) < 0)
		goto done;
	rc = 0;
done:
	vl_changelog_set_indexes(cl, NULL, NULL);
	side_index_release(&os);
	side_index_release(&ns);
	for (i = 0; i < n_notes; i++)
		vl_note_free(notes[i]);
	free(notes);
	vl_changes_release(&changes);
	return rc;
}

int vl_repo_commit_before(vl_repo *repo, long long before, char oid[41],
	vl_error *err)
{
	git_repository *git = vl_repo_git(repo);
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	git_oid id;
	int rc = -1, grc;

	oid[0] = '\0';
	vl_repo_lock(repo);
	if (git_revwalk_new(&walk, git) < 0 || git_revwalk_push_head(walk) < 0) {
		vl_error_set(err, "cannot walk the history from HEAD");
		goto done;
	}
	git_revwalk_simplify_first_parent(walk);
	rc = 1;
	while ((grc = git_revwalk_next(&id, walk)) == 0) {
		if (git_commit_lookup(&commit, git, &id) < 0) {
			vl_error_set(err, "cannot read a commit");
			rc = -1;
			goto done;
		}
		if ((long long)git_commit_time(commit) < before) {
			git_oid_tostr(oid, 41, &id);
			rc = 0;
			goto done;
		}
		git_commit_free(commit);
		commit = NULL;
	}
	if (grc != GIT_ITEROVER) {
		vl_error_set(err, "cannot walk the history from HEAD");
		rc = -1;
	}
done:
	git_commit_free(commit);
	git_revwalk_free(walk);
	vl_repo_unlock(repo);
	return rc;
}
