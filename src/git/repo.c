/*
 * repo.c: opening a repository, its work tree, revisions, blob reads and
 * the hooks folder (ignore rules are in ignore.c).
 *
 * libgit2 is initialised once per process through pthread_once and never
 * shut down: the library's global state is then valid for every thread.
 * A git_repository is not safe for parallel object reads, so every read
 * done on behalf of a vl_source goes through the repository's mutex.
 *
 * A vl_repo only reads: it writes no object. That is what lets the
 * snapshots of the vault add a submodule's objects to its object
 * database as an alternate (see submodule.c): nothing could then be
 * taken as present in the superproject because a submodule holds it.
 */
#include "git.h"

#include <git2.h>
#include <git2/sys/repository.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vl_repo {
	git_repository *git;
	char *workdir;          /* absolute, with a trailing '/' */
	pthread_mutex_t lock;
};

static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static int git_init_rc;

/* The only mutable file-scope state: written once under pthread_once,
 * which is what libgit2 itself asks of its callers. */
static void git_init_once(void)
{
	git_init_rc = git_libgit2_init();
}

static int git_ready(vl_error *err)
{
	pthread_once(&git_once, git_init_once);
	if (git_init_rc < 0)
		return vl_error_set(err, "cannot initialise libgit2");
	return 0;
}

/* Copies libgit2's last error message into err, prefixed by what failed. */
static int git_fail(vl_error *err, const char *what)
{
	const git_error *e = git_error_last();

	return vl_error_set(err, "%s: %s", what,
		e && e->message ? e->message : "unknown git error");
}

/* The index that GIT_INDEX_FILE names, as git reads it: `git commit -a`
 * and `git commit PATH` run the pre-commit hook on a temporary index that
 * holds what is being committed (.git/index still holds the old). A
 * relative path is from the current folder, as for git. */
static int use_index_file(git_repository *git, vl_error *err)
{
	const char *file = getenv("GIT_INDEX_FILE");
	git_index *index = NULL;

	if (file == NULL || file[0] == '\0')
		return 0;
	if (git_index_open(&index, file) < 0)
		return git_fail(err, "cannot read the index that GIT_INDEX_FILE names");
	git_repository_set_index(git, index);
	git_index_free(index);
	return 0;
}

int vl_repo_open(vl_repo **out, const char *path, vl_error *err)
{
	vl_repo *repo = NULL;
	git_repository *git = NULL;
	const char *wd;
	int rc = -1, grc;

	*out = NULL;
	if (git_ready(err) < 0)
		return -1;
	grc = git_repository_open_ext(&git, path, 0, NULL);
	if (grc == GIT_ENOTFOUND) {
		rc = 1;
		goto done;
	}
	if (grc < 0) {
		git_fail(err, path);
		goto done;
	}
	wd = git_repository_workdir(git);
	if (wd == NULL) {
		vl_error_set(err, "%s: a bare repository has no work tree", path);
		goto done;
	}
	if (use_index_file(git, err) < 0)
		goto done;
	repo = calloc(1, sizeof(*repo));
	if (repo == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	if (pthread_mutex_init(&repo->lock, NULL) != 0) {
		free(repo);
		repo = NULL;
		vl_error_set(err, "cannot create a mutex");
		goto done;
	}
	repo->git = git;
	git = NULL;
	repo->workdir = strdup(wd);
	if (repo->workdir == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	*out = repo;
	repo = NULL;
	rc = 0;
done:
	git_repository_free(git);
	vl_repo_free(repo);
	return rc;
}

void vl_repo_free(vl_repo *repo)
{
	if (repo == NULL)
		return;
	git_repository_free(repo->git);
	free(repo->workdir);
	pthread_mutex_destroy(&repo->lock);
	free(repo);
}

const char *vl_repo_workdir(const vl_repo *repo)
{
	return repo->workdir;
}

const char *vl_repo_gitdir(const vl_repo *repo)
{
	return git_repository_path(repo->git);
}

struct git_repository *vl_repo_git(vl_repo *repo)
{
	return repo->git;
}

void vl_repo_lock(vl_repo *repo)
{
	pthread_mutex_lock(&repo->lock);
}

void vl_repo_unlock(vl_repo *repo)
{
	pthread_mutex_unlock(&repo->lock);
}

int vl_repo_read_blob(vl_repo *repo, const char *oid, char **out, size_t *len,
	vl_error *err)
{
	git_oid id;
	git_blob *blob = NULL;
	char *buf = NULL;
	git_object_size_t size;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (git_oid_fromstr(&id, oid) < 0)
		return vl_error_set(err, "bad object id '%s'", oid);
	vl_repo_lock(repo);
	if (git_blob_lookup(&blob, repo->git, &id) < 0) {
		git_fail(err, oid);
		goto done;
	}
	size = git_blob_rawsize(blob);
	if ((uint64_t)size >= SIZE_MAX) {
		vl_error_set(err, "%s: blob too large", oid);
		goto done;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL) {
		vl_error_set(err, "%s: out of memory reading %llu bytes", oid,
			(unsigned long long)size);
		goto done;
	}
	if (size > 0)
		memcpy(buf, git_blob_rawcontent(blob), (size_t)size);
	buf[size] = '\0';
	*out = buf;
	*len = (size_t)size;
	buf = NULL;
	rc = 0;
done:
	git_blob_free(blob);
	vl_repo_unlock(repo);
	free(buf);
	return rc;
}

/* What an object is, in the words of an error message. */
static const char *object_kind(git_object_t type)
{
	switch (type) {
	case GIT_OBJECT_COMMIT: return "a commit";
	case GIT_OBJECT_TREE: return "a tree";
	case GIT_OBJECT_BLOB: return "a blob (one file's content)";
	default: return "another kind of object";
	}
}

/* Resolves rev to the id of the commit it names (a tag peeled), or, when
 * trees is set and rev names a tree rather than a commit, to that tree's
 * id. A name that resolves to nothing is an unknown revision; one that
 * names something else (a blob; a tree when trees is 0) says what it
 * is, since git would accept it as a revision. */
static int resolve_rev(vl_repo *repo, const char *rev, int trees, char oid[41],
	vl_error *err)
{
	git_object *obj = NULL, *peeled = NULL;
	git_object_t type;
	int rc = -1;

	oid[0] = '\0';
	vl_repo_lock(repo);
	if (rev == NULL || rev[0] == '\0' ||
	    git_revparse_single(&obj, repo->git, rev) < 0) {
		vl_error_set(err, "unknown revision '%s'", rev ? rev : "");
		goto done;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0 ||
	    (trees && git_object_peel(&peeled, obj, GIT_OBJECT_TREE) == 0)) {
		git_oid_tostr(oid, 41, git_object_id(peeled));
		rc = 0;
		goto done;
	}
	type = git_object_type(obj);
	if (type == GIT_OBJECT_TAG && git_tag_peel(&peeled, (git_tag *)obj) == 0)
		type = git_object_type(peeled);
	vl_error_set(err, "revision '%s' is %s, not a commit%s", rev,
		object_kind(type), trees ? " or a tree" : "");
done:
	git_object_free(peeled);
	git_object_free(obj);
	vl_repo_unlock(repo);
	return rc;
}

int vl_repo_resolve_commit(vl_repo *repo, const char *rev, char oid[41],
	vl_error *err)
{
	return resolve_rev(repo, rev, 0, oid, err);
}

int vl_repo_resolve_treeish(vl_repo *repo, const char *rev, char oid[41],
	vl_error *err)
{
	return resolve_rev(repo, rev, 1, oid, err);
}

int vl_git_hash(char out[41], const void *data, size_t n)
{
	git_oid oid;

	out[0] = '\0';
	if (git_ready(NULL) < 0 || git_odb_hash(&oid, data, n, GIT_OBJECT_BLOB) < 0)
		return -1;
	git_oid_tostr(out, 41, &oid);
	return 0;
}

/* Joins a and b with exactly one '/' between them. */
static char *path_join(const char *a, const char *b)
{
	vl_buf out = VL_BUF_INIT;
	size_t n = strlen(a);

	if (vl_buf_put(&out, a, n) < 0)
		goto fail;
	if (n > 0 && a[n - 1] != '/' && vl_buf_putc(&out, '/') < 0)
		goto fail;
	while (*b == '/')
		b++;
	if (vl_buf_puts(&out, b) < 0)
		goto fail;
	return vl_buf_detach(&out);
fail:
	vl_buf_release(&out);
	return NULL;
}

int vl_repo_hooks_dir(char **out, vl_repo *repo, vl_error *err)
{
	git_config *cfg = NULL;
	git_buf val = { NULL, 0, 0 };
	char *path = NULL;
	size_t n;
	int rc = -1, grc;

	*out = NULL;
	vl_repo_lock(repo);
	if (git_repository_config(&cfg, repo->git) < 0) {
		git_fail(err, "reading the git configuration");
		goto done;
	}
	/* git_config_get_path expands a leading "~/". */
	grc = git_config_get_path(&val, cfg, "core.hooksPath");
	if (grc < 0 && grc != GIT_ENOTFOUND) {
		git_fail(err, "core.hooksPath");
		goto done;
	}
	if (grc == 0 && val.ptr != NULL && val.ptr[0] != '\0') {
		if (val.ptr[0] == '/')
			path = strdup(val.ptr);
		else
			path = path_join(repo->workdir, val.ptr);
	} else {
		path = path_join(git_repository_commondir(repo->git), "hooks");
	}
	if (path == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	*out = path;
	path = NULL;
	rc = 0;
done:
	free(path);
	git_buf_dispose(&val);
	git_config_free(cfg);
	vl_repo_unlock(repo);
	return rc;
}
