/*
 * sync.c: `commit` and `sync` on top of libgit2. The API and the design
 * decisions (lock, crash journal, conflicts kept side by side) are described
 * in sync.h; this file explains how.
 *
 * Order of every step that moves the branch: write the journal, check the
 * target tree out with GIT_CHECKOUT_SAFE (which refuses to overwrite
 * anything the user changed), move the ref, remove the journal. A SIGKILL
 * before the journal leaves nothing to undo; after it, the next run
 * completes or abandons the move (see recover()).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "internal.h"
#include "sync.h"
#include "../changelog.h"
#include "../note.h"

#define VL_SYNC_LOCK "vaultlint-sync.lock"
#define VL_SYNC_STATE "vaultlint-sync.state"
#define VL_SYNC_RETRIES 3

typedef struct sync_ctx {
	git_repository *repo;
	const vl_sync_opts *opts;
	vl_sync_result *res;
	vl_error *err;
	const char *workdir;     /* with a trailing '/' */
	const char *git_dir;     /* with a trailing '/' */
	const char *prefix;      /* vault folder, "" for the whole work tree */
	char *lock_path;
	int have_lock;
	int lock_fd;             /* open, flocked, while we hold the lock */
	int stale_lock;          /* we removed a dead process's lock */
	char *branch_ref;        /* refs/heads/<local> */
	char *local_branch;
	char *track_ref;         /* refs/remotes/<remote>/<branch> */
	int cred_tries;
	int push_rejected;
	char push_msg[256];
	char in_the_way[256];    /* the first file a checkout would overwrite */
	int way_untracked;       /* ... which HEAD does not have */
	git_signature *sig;
} sync_ctx;

/* Puts libgit2's last error after what into the context's error. */
static int git_fail(sync_ctx *c, const char *what)
{
	const git_error *e = git_error_last();

	return vl_error_set(c->err, "%s: %s", what,
		e && e->message ? e->message : "unknown libgit2 error");
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *str_printf(const char *fmt, ...)
{
	vl_buf b = VL_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		vl_buf_release(&b);
		return NULL;
	}
	if (!b.ptr)
		return vl_strndup("", 0);
	return vl_buf_detach(&b);
}

void vl_sync_result_init(vl_sync_result *res)
{
	memset(res, 0, sizeof(*res));
}

void vl_sync_result_release(vl_sync_result *res)
{
	size_t i;

	if (!res)
		return;
	free(res->message);
	free(res->remote);
	free(res->branch);
	for (i = 0; i < res->n_conflicts; i++) {
		free(res->conflicts[i].path);
		free(res->conflicts[i].copy);
		free(res->conflicts[i].from);
	}
	free(res->conflicts);
	for (i = 0; i < res->n_pending; i++)
		free(res->pending[i]);
	free(res->pending);
	for (i = 0; i < res->n_nested; i++)
		free(res->nested[i]);
	free(res->nested);
	memset(res, 0, sizeof(*res));
}

/* Writes a small file atomically and durably: temp file, fsync, rename. */
static int write_file_atomic(sync_ctx *c, const char *path, const char *text)
{
	char *tmp = str_printf("%s.tmp", path);
	size_t len = strlen(text);
	int fd = -1, rc = -1;

	if (!tmp)
		return vl_error_set(c->err, "out of memory");
	fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		vl_error_set(c->err, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0) {
		vl_error_set(c->err, "cannot rename %s: %s", tmp, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Reads a whole small file into a malloc'd NUL-terminated buffer. Returns
 * 0, 1 when the file does not exist, or -1. */
static int read_file(char **out, size_t *len, const char *path)
{
	vl_buf b = VL_BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (vl_buf_put(&b, chunk, (size_t)n) < 0) {
			n = -1;
			break;
		}
	close(fd);
	if (n < 0) {
		vl_buf_release(&b);
		return -1;
	}
	*len = b.len;
	*out = b.ptr ? vl_buf_detach(&b) : vl_strndup("", 0);
	return *out ? 0 : -1;
}

/* Takes .git/vaultlint-sync.lock: created with O_CREAT|O_EXCL, holding our
 * pid, and kept open with an flock. The flock is inherited by the forked
 * push (see do_push), which outlives us when we are killed: a lock is stale
 * only when its pid is dead and nobody holds its flock. A short flock on a
 * guard file serialises check-stale-then-remove, so two processes that both
 * find a stale lock cannot remove each other's fresh one. */
static int lock_take(sync_ctx *c)
{
	char *guard = NULL, *text = NULL;
	char pid[32];
	size_t len;
	int gfd = -1, fd, tries, rc = -1;

	c->lock_path = str_printf("%s%s", c->git_dir, VL_SYNC_LOCK);
	guard = str_printf("%s%s.guard", c->git_dir, VL_SYNC_LOCK);
	if (!c->lock_path || !guard) {
		vl_error_set(c->err, "out of memory");
		goto done;
	}
	gfd = open(guard, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
	if (gfd < 0 || flock(gfd, LOCK_EX) < 0) {
		vl_error_set(c->err, "cannot lock %s: %s", guard, strerror(errno));
		goto done;
	}
	for (tries = 0; tries < 2; tries++) {
		long other;
		int busy, waited;

		fd = open(c->lock_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd >= 0) {
			int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

			c->lock_fd = fd;
			c->have_lock = 1;
			if (flock(fd, LOCK_EX | LOCK_NB) < 0 || write(fd, pid, (size_t)n) != n) {
				vl_error_set(c->err, "cannot write %s", c->lock_path);
				goto done;
			}
			rc = 0;
			goto done;
		}
		if (errno != EEXIST) {
			vl_error_set(c->err, "cannot create %s: %s", c->lock_path, strerror(errno));
			goto done;
		}
		free(text);
		text = NULL;
		if (read_file(&text, &len, c->lock_path) < 0) {
			vl_error_set(c->err, "cannot read %s: %s", c->lock_path, strerror(errno));
			goto done;
		}
		other = text ? strtol(text, NULL, 10) : 0;
		if (other > 0 && other != (long)getpid() &&
		    (kill((pid_t)other, 0) == 0 || errno == EPERM)) {
			vl_error_set(c->err, "another vaultlint sync (pid %ld) is running on this "
				"repository (lock %s); wait for it to finish", other, c->lock_path);
			goto done;
		}
		/* The holder is dead, but its forked push may still be finishing:
		 * give it up to 10 seconds. */
		fd = open(c->lock_path, O_RDONLY | O_CLOEXEC);
		busy = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
		for (waited = 0; busy && waited < 200; waited++) {
			usleep(50 * 1000);
			busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
		}
		if (fd >= 0)
			close(fd);
		if (busy) {
			vl_error_set(c->err, "another vaultlint sync is running on this repository "
				"(an interrupted sync is still finishing its push; lock %s); "
				"try again in a moment", c->lock_path);
			goto done;
		}
		/* The holder died: the lock is stale. */
		if (unlink(c->lock_path) < 0 && errno != ENOENT) {
			vl_error_set(c->err, "cannot remove stale lock %s: %s", c->lock_path,
				strerror(errno));
			goto done;
		}
		c->stale_lock = 1;
	}
	vl_error_set(c->err, "cannot take the lock %s", c->lock_path);
done:
	if (gfd >= 0)
		close(gfd);
	free(guard);
	free(text);
	return rc;
}

static void lock_release(sync_ctx *c)
{
	if (c->have_lock)
		unlink(c->lock_path);
	if (c->lock_fd > 0)
		close(c->lock_fd);
	c->lock_fd = -1;
	c->have_lock = 0;
}

/* After a stale lock: the killed run may have left git's own lock files
 * behind, which would make every later ref or index update fail. Nobody
 * else runs vaultlint here (we hold the lock), so they are ours to remove. */
static void remove_stale_git_locks(sync_ctx *c)
{
	const char *fixed[] = { "index.lock", "HEAD.lock", "FETCH_HEAD.lock",
		"ORIG_HEAD.lock", "packed-refs.lock" };
	const char *refs[2];
	size_t i;

	refs[0] = c->branch_ref;
	refs[1] = c->track_ref;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		char *p = str_printf("%s%s", c->git_dir, fixed[i]);

		if (p)
			unlink(p);
		free(p);
	}
	for (i = 0; i < 2; i++) {
		char *p, *q;

		if (!refs[i])
			continue;
		p = str_printf("%s%s.lock", c->git_dir, refs[i]);
		q = str_printf("%slogs/%s.lock", c->git_dir, refs[i]);
		if (p)
			unlink(p);
		if (q)
			unlink(q);
		free(p);
		free(q);
	}
}

/* Forks and runs argv (argv[0] a path) in cwd; the child's stdout goes to
 * stderr when asked, so hook output never mixes with ours. *status is the
 * exit code, or 128 + signal. */
static int run_child(sync_ctx *c, int *status, char *const argv[], const char *cwd,
	int stdout_to_stderr)
{
	pid_t pid;
	int ws;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return vl_error_set(c->err, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		if (stdout_to_stderr)
			dup2(2, 1);
		if (chdir(cwd) < 0)
			_exit(127);
		execv(argv[0], argv);
		if (errno == ENOEXEC && argv[1] == NULL) {
			/* a script without "#!": the shell runs it, as git does */
			char sh[] = "/bin/sh";
			char *const with_sh[] = { sh, argv[0], NULL };

			execv(sh, with_sh);
		}
		_exit(127);
	}
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return vl_error_set(c->err, "waitpid: %s", strerror(errno));
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

/* A path from the git config as git reads it: a leading "~/" is $HOME.
 * malloc'd, or NULL when out of memory. */
static char *config_path(const char *p)
{
	if (p[0] == '~' && p[1] == '/' && getenv("HOME"))
		return str_printf("%s%s", getenv("HOME"), p + 1);
	return str_printf("%s", p);
}

/* The pre-commit hook: core.hooksPath (relative to the work tree) or
 * .git/hooks. A missing or non-executable hook is skipped, like git. */
static int run_pre_commit(sync_ctx *c)
{
	git_config *cfg = NULL;
	const char *hooks = NULL;
	char *dir = NULL, *hook = NULL;
	char *argv[2];
	int status, rc = -1;

	if (git_repository_config_snapshot(&cfg, c->repo) < 0)
		return git_fail(c, "cannot read the git config");
	if (git_config_get_string(&hooks, cfg, "core.hooksPath") == 0 && hooks[0]) {
		dir = hooks[0] == '/' || (hooks[0] == '~' && hooks[1] == '/' && getenv("HOME")) ?
			config_path(hooks) : str_printf("%s%s", c->workdir, hooks);
	} else {
		dir = str_printf("%shooks", c->git_dir);
	}
	hook = dir ? str_printf("%s/pre-commit", dir) : NULL;
	if (!hook) {
		vl_error_set(c->err, "out of memory");
		goto done;
	}
	if (access(hook, X_OK) < 0) {
		rc = 0;
		goto done;
	}
	argv[0] = hook;
	argv[1] = NULL;
	if (run_child(c, &status, argv, c->workdir, 1) < 0)
		goto done;
	if (status != 0) {
		vl_error_set(c->err, "the pre-commit hook %s failed (exit %d); nothing was "
			"committed (fix what it reports, or skip it with --no-verify)", hook, status);
		goto done;
	}
	rc = 0;
done:
	git_config_free(cfg);
	free(dir);
	free(hook);
	return rc;
}

static int get_signature(sync_ctx *c)
{
	if (c->sig)
		return 0;
	if (git_signature_default(&c->sig, c->repo) < 0) {
		c->sig = NULL;
		return vl_error_set(c->err, "no author identity: set one with "
			"'git config user.name \"Your Name\"' and "
			"'git config user.email you@example.com' (add --global for every repository)");
	}
	return 0;
}

/* Path of a changed file relative to the vault, or NULL outside it. */
static const char *vault_relative(sync_ctx *c, const char *path)
{
	size_t n = strlen(c->prefix);

	if (n == 0)
		return path;
	if (strncmp(path, c->prefix, n) == 0 && path[n] == '/')
		return path + n + 1;
	return NULL;
}

static int parse_blob(sync_ctx *c, vl_note **out, const git_oid *id, const char *path)
{
	git_blob *blob = NULL;
	int rc;

	*out = NULL;
	if (git_blob_lookup(&blob, c->repo, id) < 0)
		return git_fail(c, "cannot read a blob");
	rc = vl_note_parse(out, path, (const char *)git_blob_rawcontent(blob),
		(size_t)git_blob_rawsize(blob), c->err);
	git_blob_free(blob);
	return rc;
}

/* The generated message: the entry-level changelog of HEAD -> index, from
 * the old and new blob of every changed note (renames detected). */
static int generate_message(sync_ctx *c, vl_buf *msg, git_tree *head_tree, git_index *index)
{
	git_diff *diff = NULL;
	git_diff_options dopts;
	git_diff_find_options fopts;
	vl_changelog cl;
	vl_note **notes = NULL;
	size_t n_notes = 0, cap_notes = 0, i, n_files = 0;
	char *spec = (char *)c->prefix;
	int rc = -1;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	vl_changelog_init(&cl);
	/* The message for the allocation failures below; any other failure
	 * sets its own. */
	vl_error_set(c->err, "out of memory");
	if (c->prefix[0]) {
		dopts.pathspec.strings = &spec;
		dopts.pathspec.count = 1;
		/* the vault folder is a path, not a pattern: "Zettel [ZK]" */
		dopts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (git_diff_tree_to_index(&diff, c->repo, head_tree, index, &dopts) < 0) {
		git_fail(c, "cannot diff the vault");
		goto done;
	}
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &fopts) < 0) {
		git_fail(c, "cannot detect renames");
		goto done;
	}
	for (i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *op = vault_relative(c, d->old_file.path);
		const char *np = vault_relative(c, d->new_file.path);
		vl_note *old_note = NULL, *new_note = NULL;
		int has_old = d->status != GIT_DELTA_ADDED;
		int has_new = d->status != GIT_DELTA_DELETED;

		n_files++;
		if ((has_old && (!op || !vl_source_is_note_path(op))) ||
		    (has_new && (!np || !vl_source_is_note_path(np))))
			continue;
		if (has_old && parse_blob(c, &old_note, &d->old_file.id, op) < 0)
			goto done;
		if (old_note && VL_PUSH(notes, n_notes, cap_notes, old_note) < 0) {
			vl_note_free(old_note);
			goto done;
		}
		if (has_new && parse_blob(c, &new_note, &d->new_file.id, np) < 0)
			goto done;
		if (new_note && VL_PUSH(notes, n_notes, cap_notes, new_note) < 0) {
			vl_note_free(new_note);
			goto done;
		}
		if (vl_changelog_add_pair(&cl, old_note, new_note, c->err) < 0)
			goto done;
	}
	/* no note among the files: "update 2 files", not "update 0 notes" */
	if (vl_changelog_finish(&cl, c->err) < 0 || cl.n_notes == 0 ||
	    vl_changelog_commit_message(msg, &cl, c->opts->commit_template) < 0 ||
	    !msg->ptr || !msg->len) {
		/* The changelog could not say it: a plain summary still does. */
		msg->len = 0;
		if (vl_buf_printf(msg, "vault: update %zu file%s\n", n_files,
			n_files == 1 ? "" : "s") < 0)
			goto done;
	}
	rc = 0;
done:
	vl_changelog_release(&cl);
	for (i = 0; i < n_notes; i++)
		vl_note_free(notes[i]);
	free(notes);
	git_diff_free(diff);
	return rc;
}

/* The tree to commit: HEAD's (head, or none) with the vault folder as the
 * index's tree *id has it, into *id. Whatever else the index holds (a
 * `git add` outside the vault) stays staged, not committed. */
static int vault_tree(sync_ctx *c, git_oid *id, git_tree *head)
{
	git_tree *full = NULL, *base = head;
	git_tree_entry *vault = NULL, *old = NULL;
	git_treebuilder *tb = NULL;
	git_tree_update u;
	git_oid empty;
	int rc = -1, has;

	if (git_tree_lookup(&full, c->repo, id) < 0) {
		git_fail(c, "cannot read the tree");
		goto done;
	}
	if (!base) {
		/* no commit yet: the vault goes into an empty tree */
		if (git_treebuilder_new(&tb, c->repo, NULL) < 0 ||
		    git_treebuilder_write(&empty, tb) < 0 ||
		    git_tree_lookup(&base, c->repo, &empty) < 0) {
			git_fail(c, "cannot write the tree");
			goto done;
		}
	}
	memset(&u, 0, sizeof(u));
	u.path = c->prefix;
	u.filemode = GIT_FILEMODE_TREE;
	has = git_tree_entry_bypath(&vault, full, c->prefix) == 0 &&
		git_tree_entry_type(vault) == GIT_OBJECT_TREE;
	if (has) {
		u.action = GIT_TREE_UPDATE_UPSERT;
		git_oid_cpy(&u.id, git_tree_entry_id(vault));
	} else if (git_tree_entry_bypath(&old, base, c->prefix) == 0) {
		u.action = GIT_TREE_UPDATE_REMOVE;  /* the vault is empty now */
	} else {
		git_oid_cpy(id, git_tree_id(base));
		rc = 0;
		goto done;
	}
	if (git_tree_create_updated(id, c->repo, base, 1, &u) < 0) {
		git_fail(c, "cannot write the tree");
		goto done;
	}
	rc = 0;
done:
	git_tree_entry_free(vault);
	git_tree_entry_free(old);
	git_treebuilder_free(tb);
	if (base != head)
		git_tree_free(base);
	git_tree_free(full);
	return rc;
}

/* Whether path, as git's status and diff of the work tree give it, is
 * an untracked folder that git does not enter: a repository of its own
 * (it ends in '/'). */
static int is_nested_repo(const char *path)
{
	size_t n = strlen(path);

	return n > 0 && path[n - 1] == '/';
}

/* The filter of git_index_add_all and git_index_update_all: 0 (stage)
 * for a path in the vault, 1 (leave) for any other, and for a repository
 * of its own in the vault (noted in res->nested; libgit2 fails on it with
 * "invalid path", and git would stage a link to a commit that only this
 * clone has). Returns -1 when out of memory. */
static int in_vault(const char *path, const char *matched, void *payload)
{
	sync_ctx *c = payload;
	vl_sync_result *res = c->res;
	size_t i;
	char *p;

	(void)matched;
	if (c->prefix[0] != '\0' && !vault_relative(c, path))
		return 1;
	if (!is_nested_repo(path))
		return 0;
	for (i = 0; i < res->n_nested; i++)
		if (strcmp(res->nested[i], path) == 0)
			return 1;
	p = vl_strndup(path, strlen(path));
	if (p == NULL || VL_PUSH(res->nested, res->n_nested, res->cap_nested, p) < 0) {
		free(p);
		return -1;
	}
	return 1;
}

/* Stages the vault folder (add new and modified, remove deleted, honouring
 * .gitignore), runs the hook, and commits when the tree differs from
 * HEAD's. */
static int do_commit(sync_ctx *c)
{
	git_index *index = NULL;
	git_reference *head = NULL;
	git_commit *parent = NULL;
	git_tree *head_tree = NULL, *tree = NULL;
	git_oid tree_id, commit_id;
	vl_buf msg = VL_BUF_INIT;
	const git_commit *parents[1];
	int rc = -1, e;

	if (git_repository_index(&index, c->repo) < 0 || git_index_read(index, 0) < 0) {
		git_fail(c, "cannot read the index");
		goto done;
	}
	/* the vault folder is a path, not a pattern ("Zettel [ZK]", "notes*"):
	 * libgit2 1.5 matches these pathspecs as patterns whatever the flags,
	 * so they go over every file and in_vault keeps the vault's */
	if (git_index_add_all(index, NULL, GIT_INDEX_ADD_DEFAULT, in_vault, c) < 0 ||
	    git_index_update_all(index, NULL, in_vault, c) < 0 ||
	    git_index_write(index) < 0) {
		git_fail(c, "cannot stage the vault");
		goto done;
	}
	if (!c->opts->no_verify) {
		if (run_pre_commit(c) < 0)
			goto done;
		if (git_index_read(index, 1) < 0) {
			git_fail(c, "cannot read the index");
			goto done;
		}
	}
	if (git_index_write_tree(&tree_id, index) < 0) {
		git_fail(c, "cannot write the tree");
		goto done;
	}
	e = git_repository_head(&head, c->repo);
	if (e == 0) {
		if (git_reference_peel((git_object **)&parent, head, GIT_OBJECT_COMMIT) < 0 ||
		    git_commit_tree(&head_tree, parent) < 0) {
			git_fail(c, "cannot read HEAD");
			goto done;
		}
	} else if (e != GIT_EUNBORNBRANCH && e != GIT_ENOTFOUND) {
		git_fail(c, "cannot read HEAD");
		goto done;
	}
	if (c->prefix[0] && vault_tree(c, &tree_id, head_tree) < 0)
		goto done;
	if (git_tree_lookup(&tree, c->repo, &tree_id) < 0) {
		git_fail(c, "cannot read the tree");
		goto done;
	}
	if (head_tree ? git_oid_equal(&tree_id, git_tree_id(head_tree)) :
	    git_tree_entrycount(tree) == 0) {
		rc = 0;
		goto done;
	}
	if (get_signature(c) < 0)
		goto done;
	vl_error_set(c->err, "out of memory"); /* for the failures below */
	if (c->opts->message) {
		if (vl_buf_puts(&msg, c->opts->message) < 0)
			goto done;
		if (msg.len == 0 || msg.ptr[msg.len - 1] != '\n')
			if (vl_buf_putc(&msg, '\n') < 0)
				goto done;
	} else if (generate_message(c, &msg, head_tree, index) < 0) {
		goto done;
	}
	parents[0] = parent;
	if (git_commit_create(&commit_id, c->repo, "HEAD", c->sig, c->sig, NULL,
		msg.ptr, tree, parent ? 1 : 0, parents) < 0) {
		git_fail(c, "cannot commit");
		goto done;
	}
	c->res->committed = 1;
	git_oid_tostr(c->res->commit, sizeof(c->res->commit), &commit_id);
	free(c->res->message);
	c->res->message = vl_buf_detach(&msg);
	rc = 0;
done:
	vl_buf_release(&msg);
	git_tree_free(tree);
	git_tree_free(head_tree);
	git_commit_free(parent);
	git_reference_free(head);
	git_index_free(index);
	return rc;
}

/* Conflicts left in the index (by `git stash pop`, `git apply -3`: no
 * merge in progress) would be staged as they are, markers and all. */
static int refuse_conflicts(sync_ctx *c)
{
	git_index *index = NULL;
	int has;

	if (git_repository_index(&index, c->repo) < 0 || git_index_read(index, 0) < 0) {
		git_index_free(index);
		return git_fail(c, "cannot read the index");
	}
	has = git_index_has_conflicts(index);
	git_index_free(index);
	if (has)
		return vl_error_set(c->err, "refusing to start: the index has unresolved "
			"conflicts ('git status' lists them); resolve them and 'git add' the "
			"files first");
	return 0;
}

/* ---- git filters (LFS): refused ---- */

/* The filter drivers that cfg defines (filter.<name>.clean, .smudge or
 * .process), each name followed by a NUL, in names. */
static int filter_drivers(sync_ctx *c, git_config *cfg, vl_buf *names)
{
	git_config_iterator *it = NULL;
	git_config_entry *e;
	int rc = 0;

	if (git_config_iterator_glob_new(&it, cfg, "^filter\\..+\\.(clean|smudge|process)$") < 0)
		return git_fail(c, "cannot read the git config");
	while (rc == 0 && git_config_next(&e, it) == 0) {
		const char *name = e->name + 7, *dot = strrchr(name, '.');

		if (vl_buf_put(names, name, (size_t)(dot - name)) < 0 || vl_buf_putc(names, '\0') < 0)
			rc = vl_error_set(c->err, "out of memory");
	}
	git_config_iterator_free(it);
	return rc;
}

/* The driver of names that attributes text (a .gitattributes file) sets
 * with "filter=<name>", or NULL. */
static const char *filter_in(const char *text, size_t len, const vl_buf *names)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;

		if (!eol)
			eol = end;
		for (q = p; q + 7 < eol; q++) {
			const char *n;

			if (memcmp(q, "filter=", 7) != 0 || (q > p && q[-1] != ' ' && q[-1] != '\t'))
				continue;
			for (n = names->ptr; n < names->ptr + names->len; n += strlen(n) + 1) {
				size_t k = strlen(n);

				if ((size_t)(eol - q - 7) >= k && memcmp(q + 7, n, k) == 0 &&
				    (q + 7 + k == eol || strchr(" \t\r", q[7 + k])))
					return n;
			}
		}
		p = eol + 1;
	}
	return NULL;
}

/* Checks the attributes file at path (ENOENT: none) for a filter. */
static const char *filter_in_file(const char *path, const vl_buf *names)
{
	char *text = NULL;
	size_t len = 0;
	const char *f = NULL;

	if (read_file(&text, &len, path) == 0)
		f = filter_in(text, len, names);
	free(text);
	return f;
}

/* libgit2 runs no external filter (clean, smudge, process: Git LFS among
 * them), so a commit would store the work tree's bytes where the filter
 * stores others, and a checkout would write what the repository holds
 * (LFS pointers) over attachments. A repository whose attributes (any
 * .gitattributes in the index or the work tree, info/attributes,
 * core.attributesFile) use a filter the config defines is refused. */
static int refuse_filters(sync_ctx *c)
{
	vl_buf names = VL_BUF_INIT;
	git_index *index = NULL;
	git_config *cfg = NULL;
	const char *found = NULL, *where = NULL, *af = NULL;
	char *path = NULL;
	size_t i, n;
	int rc = -1;

	if (git_repository_config_snapshot(&cfg, c->repo) < 0) {
		git_fail(c, "cannot read the git config");
		goto done;
	}
	if (filter_drivers(c, cfg, &names) < 0)
		goto done;
	if (names.len == 0) {
		rc = 0;
		goto done;
	}
	if (git_repository_index(&index, c->repo) < 0) {
		git_fail(c, "cannot read the index");
		goto done;
	}
	n = git_index_entrycount(index);
	for (i = 0; i < n && !found; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		const char *base = strrchr(e->path, '/');
		git_blob *blob = NULL;

		if (strcmp(base ? base + 1 : e->path, ".gitattributes") != 0)
			continue;
		where = e->path;
		if (git_blob_lookup(&blob, c->repo, &e->id) == 0)
			found = filter_in(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), &names);
		git_blob_free(blob);
		free(path);
		path = str_printf("%s%s", c->workdir, e->path);
		if (!found && path)
			found = filter_in_file(path, &names);
	}
	if (!found) {
		free(path);
		path = str_printf("%s.gitattributes", c->workdir);
		where = ".gitattributes";
		found = path ? filter_in_file(path, &names) : NULL;
	}
	if (!found) {
		free(path);
		path = str_printf("%sinfo/attributes", c->git_dir);
		where = path ? path : "";
		found = path ? filter_in_file(path, &names) : NULL;
	}
	if (!found && git_config_get_string(&af, cfg, "core.attributesFile") == 0 && af[0]) {
		free(path);
		path = config_path(af);
		where = af;
		found = path ? filter_in_file(path, &names) : NULL;
	}
	if (found) {
		vl_error_set(c->err, "refusing to start: %s sets the git filter '%s' (Git LFS, or a "
			"clean/smudge filter), which vaultlint cannot run: its commits and checkouts "
			"would store or write the wrong bytes; use git in this repository "
			"(git add, commit, pull, push)", where, found);
		goto done;
	}
	rc = 0;
done:
	free(path);
	git_config_free(cfg);
	git_index_free(index);
	vl_buf_release(&names);
	return rc;
}

/* Opens the repository, refuses the states we must not touch, takes the
 * lock and finds the branch. */
static int ctx_open(sync_ctx *c, const char *dir, int for_sync)
{
	git_reference *head = NULL;
	const char *target;
	int state, rc = -1, e;

	if (git_repository_open_ext(&c->repo, dir, 0, NULL) < 0) {
		git_fail(c, "cannot open the repository");
		goto done;
	}
	if (git_repository_is_bare(c->repo)) {
		vl_error_set(c->err, "%s is a bare repository: there is no vault to commit", dir);
		goto done;
	}
	c->workdir = git_repository_workdir(c->repo);
	c->git_dir = git_repository_path(c->repo);
	state = git_repository_state(c->repo);
	if (state != GIT_REPOSITORY_STATE_NONE) {
		const char *what = "an operation";

		switch (state) {
		case GIT_REPOSITORY_STATE_MERGE: what = "a merge"; break;
		case GIT_REPOSITORY_STATE_REBASE:
		case GIT_REPOSITORY_STATE_REBASE_INTERACTIVE:
		case GIT_REPOSITORY_STATE_REBASE_MERGE:
		case GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE: what = "a rebase"; break;
		case GIT_REPOSITORY_STATE_CHERRYPICK:
		case GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE: what = "a cherry-pick"; break;
		case GIT_REPOSITORY_STATE_REVERT:
		case GIT_REPOSITORY_STATE_REVERT_SEQUENCE: what = "a revert"; break;
		case GIT_REPOSITORY_STATE_BISECT: what = "a bisect"; break;
		default: break;
		}
		vl_error_set(c->err, "refusing to start: the repository is in the middle of %s; "
			"finish or abort it with git first", what);
		goto done;
	}
	e = git_repository_head_detached(c->repo);
	if (e < 0) {
		git_fail(c, "cannot read HEAD");
		goto done;
	}
	if (e == 1 && for_sync) {
		vl_error_set(c->err, "refusing to start: HEAD is detached; check out a branch "
			"first (git switch BRANCH)");
		goto done;
	}
	/* staging, status and checkout read the .gitignore and the
	 * .gitattributes of every folder (and the filter check reads the
	 * .gitattributes first) */
	if (refuse_conflicts(c) < 0 ||
	    vl_git_check_ignores(c->repo, "", "refusing to start", 1, c->err) != 0 ||
	    refuse_filters(c) < 0 || lock_take(c) < 0)
		goto done;
	if (e == 0) {
		if (git_reference_lookup(&head, c->repo, "HEAD") < 0 ||
		    !(target = git_reference_symbolic_target(head))) {
			git_fail(c, "cannot read HEAD");
			goto done;
		}
		c->branch_ref = str_printf("%s", target);
		if (!c->branch_ref) {
			vl_error_set(c->err, "out of memory");
			goto done;
		}
		c->local_branch = strncmp(target, "refs/heads/", 11) == 0 ?
			c->branch_ref + 11 : c->branch_ref;
	}
	rc = 0;
done:
	git_reference_free(head);
	return rc;
}

static void ctx_close(sync_ctx *c)
{
	lock_release(c);
	git_signature_free(c->sig);
	free(c->lock_path);
	free(c->branch_ref);
	free(c->track_ref);
	git_repository_free(c->repo);
}

int vl_commit_run(vl_sync_result *res, const char *dir, const vl_sync_opts *opts,
	vl_error *err)
{
	sync_ctx c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.opts = opts;
	c.res = res;
	c.err = err;
	c.prefix = opts->vault_prefix ? opts->vault_prefix : "";
	git_libgit2_init();
	if (ctx_open(&c, dir, 0) < 0)
		goto done;
	if (c.stale_lock)
		remove_stale_git_locks(&c);
	rc = do_commit(&c);
done:
	ctx_close(&c);
	git_libgit2_shutdown();
	return rc;
}

/* ---- the crash journal ---- */

static int state_path(sync_ctx *c, char **out)
{
	*out = str_printf("%s%s", c->git_dir, VL_SYNC_STATE);
	return *out ? 0 : vl_error_set(c->err, "out of memory");
}

static int journal_write(sync_ctx *c, const git_oid *from, const git_oid *to)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	char *path = NULL, *text = NULL;
	int rc = -1;

	git_oid_tostr(a, sizeof(a), from);
	git_oid_tostr(b, sizeof(b), to);
	if (state_path(c, &path) < 0)
		goto done;
	text = str_printf("from %s\nto %s\nref %s\n", a, b, c->branch_ref);
	if (!text) {
		vl_error_set(c->err, "out of memory");
		goto done;
	}
	rc = write_file_atomic(c, path, text);
done:
	free(path);
	free(text);
	return rc;
}

static void journal_clear(sync_ctx *c)
{
	char *path = NULL;

	if (state_path(c, &path) == 0)
		unlink(path);
	free(path);
}

/* Returns 1 when the work-tree file at path is what an interrupted
 * checkout of `to` may have left: the same as in `to` (or a prefix of it,
 * when killed while writing), or absent when `to` lacks it. */
static int left_by_checkout(sync_ctx *c, git_tree *to, const char *path)
{
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	char *full = str_printf("%s%s", c->workdir, path), *text = NULL;
	size_t len = 0;
	int found, ok = 0;

	if (!full)
		return 0;
	found = read_file(&text, &len, full);
	if (git_tree_entry_bypath(&te, to, path) < 0) {
		ok = found == 1;
		goto done;
	}
	if (found != 0 || git_tree_entry_type(te) != GIT_OBJECT_BLOB ||
	    git_blob_lookup(&blob, c->repo, git_tree_entry_id(te)) < 0)
		goto done;
	ok = len <= (size_t)git_blob_rawsize(blob) &&
		memcmp(text, git_blob_rawcontent(blob), len) == 0;
done:
	git_blob_free(blob);
	git_tree_entry_free(te);
	free(text);
	free(full);
	return ok;
}

/* Whether trees a and b differ at path (present in one only, or another
 * blob or mode): whether a checkout from a to b writes it. */
static int trees_differ_at(git_tree *a, git_tree *b, const char *path)
{
	git_tree_entry *ea = NULL, *eb = NULL;
	int ha = git_tree_entry_bypath(&ea, a, path) == 0;
	int hb = git_tree_entry_bypath(&eb, b, path) == 0;
	int differ = ha != hb || (ha && (git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb) ||
		!git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb))));

	git_tree_entry_free(ea);
	git_tree_entry_free(eb);
	return differ;
}

/* Puts the files at paths (those an interrupted checkout wrote) back as
 * tree from has them: written, or removed where from lacks them. What
 * the checkout wrote is all in its target commit: nothing is lost. */
static int roll_back(sync_ctx *c, git_tree *from, char **paths, size_t n)
{
	git_checkout_options co;
	char **keep = NULL;
	size_t i, k = 0;
	int rc = -1;

	if (n == 0)
		return 0;
	keep = calloc(n, sizeof(*keep));
	if (!keep)
		return vl_error_set(c->err, "out of memory");
	for (i = 0; i < n; i++) {
		git_tree_entry *te = NULL;

		if (git_tree_entry_bypath(&te, from, paths[i]) == 0) {
			keep[k++] = paths[i];
		} else {
			char *full = str_printf("%s%s", c->workdir, paths[i]);

			if (!full) {
				vl_error_set(c->err, "out of memory");
				goto done;
			}
			if (unlink(full) < 0 && errno != ENOENT) {
				vl_error_set(c->err, "cannot remove '%s': %s", full, strerror(errno));
				free(full);
				goto done;
			}
			free(full);
		}
		git_tree_entry_free(te);
	}
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
	co.paths.strings = keep;
	co.paths.count = k;
	if (k > 0 && git_checkout_tree(c->repo, (const git_object *)from, &co) < 0) {
		git_fail(c, "cannot undo the interrupted checkout");
		goto done;
	}
	rc = 0;
done:
	free(keep);
	return rc;
}

/* Completes or abandons a branch move that a killed run left half done.
 * A work-tree file that the move's checkout had to write, and that holds
 * the target's version or the start of it (killed while writing), was
 * written by it; any other difference from the branch is the user's.
 * With none of the user's, the move is completed; else the checkout's
 * files are put back, and the normal path commits the user's changes and
 * merges again. Never is a half-written file taken for the user's. */
static int recover(sync_ctx *c)
{
	char *path = NULL, *text = NULL;
	size_t len, i;
	git_oid from, to, head;
	git_commit *from_c = NULL, *to_c = NULL;
	git_tree *from_t = NULL, *to_t = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	git_checkout_options co;
	git_reference *ref = NULL;
	char *p, *q, **made = NULL;
	size_t n_made = 0, cap_made = 0;
	int rc = -1, clean = 1;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	if (state_path(c, &path) < 0)
		goto done;
	if (read_file(&text, &len, path) != 0) {
		rc = 0;
		goto done;
	}
	p = strstr(text, "from ");
	q = strstr(text, "\nto ");
	if (!p || !q || !strstr(text, "\nref ") ||
	    git_oid_fromstrn(&from, p + 5, GIT_OID_HEXSZ) < 0 ||
	    git_oid_fromstrn(&to, q + 4, GIT_OID_HEXSZ) < 0 ||
	    strncmp(strstr(text, "\nref ") + 5, c->branch_ref, strlen(c->branch_ref)) != 0 ||
	    strstr(text, "\nref ")[5 + strlen(c->branch_ref)] != '\n' ||
	    git_reference_name_to_id(&head, c->repo, c->branch_ref) < 0 ||
	    !git_oid_equal(&head, &from)) {
		/* The ref already moved, or the journal is not about this branch
		 * any more: nothing to complete. */
		unlink(path);
		rc = 0;
		goto done;
	}
	if (git_commit_lookup(&from_c, c->repo, &from) < 0 ||
	    git_commit_lookup(&to_c, c->repo, &to) < 0 ||
	    git_commit_tree(&from_t, from_c) < 0 || git_commit_tree(&to_t, to_c) < 0) {
		unlink(path);
		rc = 0;
		goto done;
	}
	dopts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
	if (git_diff_tree_to_workdir(&diff, c->repo, from_t, &dopts) < 0) {
		git_fail(c, "cannot compare the work tree");
		goto done;
	}
	for (i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *wp = d->new_file.path;
		char *copy;

		if (!trees_differ_at(from_t, to_t, wp) || !left_by_checkout(c, to_t, wp)) {
			clean = 0;
			continue;
		}
		copy = vl_strndup(wp, strlen(wp));
		if (!copy || VL_PUSH(made, n_made, cap_made, copy) < 0) {
			free(copy);
			vl_error_set(c->err, "out of memory");
			goto done;
		}
	}
	if (!clean && roll_back(c, from_t, made, n_made) < 0)
		goto done;
	if (clean) {
		co.checkout_strategy = GIT_CHECKOUT_FORCE;
		co.baseline = from_t;
		if (git_checkout_tree(c->repo, (const git_object *)to_t, &co) < 0) {
			git_fail(c, "cannot complete the interrupted checkout");
			goto done;
		}
		if (git_reference_create_matching(&ref, c->repo, c->branch_ref, &to, 1, &from,
			"vaultlint sync: complete interrupted update") < 0) {
			git_fail(c, "cannot move the branch");
			goto done;
		}
		c->res->recovered = 1;
	}
	/* Not clean: the user edited since; the checkout's files are back as
	 * they were, the normal path commits the user's edits and merges
	 * again, so dropping the journal loses nothing. */
	unlink(path);
	rc = 0;
done:
	for (i = 0; i < n_made; i++)
		free(made[i]);
	free(made);
	git_reference_free(ref);
	git_diff_free(diff);
	git_tree_free(from_t);
	git_tree_free(to_t);
	git_commit_free(from_c);
	git_commit_free(to_c);
	free(text);
	free(path);
	return rc;
}

/* The checkout's notice of a file in the way: the first one is named. */
static int note_conflict(git_checkout_notify_t why, const char *path,
	const git_diff_file *baseline, const git_diff_file *target,
	const git_diff_file *workdir, void *payload)
{
	sync_ctx *c = payload;

	(void)why; (void)target; (void)workdir;
	if (c->in_the_way[0] == '\0' && path) {
		snprintf(c->in_the_way, sizeof(c->in_the_way), "%s", path);
		c->way_untracked = baseline == NULL || git_oid_is_zero(&baseline->id);
	}
	return 0;
}

/* Moves the branch from `from` (NULL: unborn) to `to`: journal, safe
 * checkout, ref, journal removed. */
static int move_branch(sync_ctx *c, const git_oid *from, const git_oid *to, const char *why)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_reference *ref = NULL;
	git_checkout_options co;
	git_oid zero;
	char *lock = NULL;
	int rc = -1;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	memset(&zero, 0, sizeof(zero));
	if (git_commit_lookup(&commit, c->repo, to) < 0 || git_commit_tree(&tree, commit) < 0) {
		git_fail(c, "cannot read the commit to check out");
		goto done;
	}
	/* the branch's ref locked (a git command runs, or a killed one left
	 * the lock): said before the work tree is touched, not after */
	lock = str_printf("%s%s.lock", c->git_dir, c->branch_ref);
	if (!lock) {
		vl_error_set(c->err, "out of memory");
		goto done;
	}
	if (access(lock, F_OK) == 0) {
		vl_error_set(c->err, "cannot move %s: %s exists (another git command is "
			"running, or a killed one left it: remove it if none runs); nothing was "
			"changed", c->branch_ref, lock);
		goto done;
	}
	/* an earlier checkout of this run may have written a symlinked
	 * .gitignore (a tree holds no FIFO), or the user made one since the
	 * start: looked at again before libgit2 walks the work tree */
	if (vl_git_check_ignores(c->repo, "", "cannot update the work tree (nothing was "
	    "moved)", 1, c->err) != 0)
		goto done;
	if (journal_write(c, from ? from : &zero, to) < 0)
		goto done;
	co.checkout_strategy = GIT_CHECKOUT_SAFE;
	co.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
	co.notify_cb = note_conflict;
	co.notify_payload = c;
	c->in_the_way[0] = '\0';
	if (git_checkout_tree(c->repo, (const git_object *)tree, &co) < 0) {
		if (c->in_the_way[0] && c->way_untracked)
			vl_error_set(c->err, "cannot update the work tree: '%s' is here, not "
				"committed (untracked or ignored), and comes in from the other side; "
				"nothing was moved: move it away or commit it, then run sync again",
				c->in_the_way);
		else if (c->in_the_way[0])
			vl_error_set(c->err, "cannot update the work tree: '%s' changed here and "
				"in what comes in (edited while syncing, or not committed); nothing "
				"was moved: run sync again", c->in_the_way);
		else
			git_fail(c, "cannot update the work tree (nothing was moved)");
		journal_clear(c);
		goto done;
	}
	if (from)
		rc = git_reference_create_matching(&ref, c->repo, c->branch_ref, to, 1, from, why);
	else
		rc = git_reference_create(&ref, c->repo, c->branch_ref, to, 0, why);
	if (rc < 0) {
		git_fail(c, "cannot move the branch");
		goto done;
	}
	journal_clear(c);
	rc = 0;
done:
	free(lock);
	git_reference_free(ref);
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}

/* ---- transfers ---- */

static int cred_cb(git_credential **out, const char *url, const char *user_from_url,
	unsigned int allowed, void *payload)
{
	sync_ctx *c = payload;
	const char *user = user_from_url && user_from_url[0] ? user_from_url : NULL;
	const char *key = c->opts->ssh_key;
	git_config *cfg = NULL;
	int rc = 1;

	(void)url;
	if (++c->cred_tries > 3) {
		git_error_set_str(GIT_ERROR_NET, "authentication failed (tried ssh-agent, "
			"the configured SSH key and VAULTLINT_TOKEN as available)");
		return -1;
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		const char *cfg_key = NULL;

		if (!key && git_repository_config_snapshot(&cfg, c->repo) == 0 &&
		    git_config_get_string(&cfg_key, cfg, "vaultlint.sshKey") == 0)
			key = cfg_key;
		if (c->cred_tries == 1 && getenv("SSH_AUTH_SOCK"))
			rc = git_credential_ssh_key_from_agent(out, user ? user : "git");
		else if (key)
			rc = git_credential_ssh_key_new(out, user ? user : "git", NULL, key, NULL);
		else
			rc = git_credential_ssh_key_from_agent(out, user ? user : "git");
	} else if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && c->opts->token) {
		rc = git_credential_userpass_plaintext_new(out, user ? user : "x-access-token",
			c->opts->token);
	} else if (allowed & GIT_CREDENTIAL_USERNAME) {
		rc = git_credential_username_new(out, user ? user : "git");
	}
	git_config_free(cfg);
	return rc;
}

static int fetch_progress_cb(const git_indexer_progress *stats, void *payload)
{
	sync_ctx *c = payload;

	if (c->opts->progress)
		c->opts->progress("Receiving objects", stats->received_objects,
			stats->total_objects, c->opts->payload);
	return 0;
}

static int push_progress_cb(unsigned int current, unsigned int total, size_t bytes,
	void *payload)
{
	sync_ctx *c = payload;

	(void)bytes;
	if (c->opts->progress)
		c->opts->progress("Writing objects", current, total, c->opts->payload);
	return 0;
}

/* libgit2 reports refused refs here, not through git_remote_push's
 * return code. */
static int push_ref_cb(const char *refname, const char *status, void *payload)
{
	sync_ctx *c = payload;

	if (status) {
		c->push_rejected = 1;
		snprintf(c->push_msg, sizeof(c->push_msg), "%s: %s", refname, status);
	}
	return 0;
}

static void set_callbacks(sync_ctx *c, git_remote_callbacks *cb)
{
	cb->credentials = cred_cb;
	cb->transfer_progress = fetch_progress_cb;
	cb->push_transfer_progress = push_progress_cb;
	cb->push_update_reference = push_ref_cb;
	cb->payload = c;
}

/* Whether a remote's URL is a path on this machine, as git tells: no
 * "scheme://", and no "host:" before the first '/' (scp-like ssh). */
static int is_local_path(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	return !strstr(url, "://") && (colon == NULL || (slash != NULL && slash < colon));
}

static int do_fetch(sync_ctx *c, git_remote *remote)
{
	git_fetch_options fo;
	char *spec = str_printf("+refs/heads/%s:%s", c->res->branch, c->track_ref);
	git_strarray specs;
	int rc;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	if (!spec)
		return vl_error_set(c->err, "out of memory");
	specs.strings = &spec;
	specs.count = 1;
	set_callbacks(c, &fo.callbacks);
	c->cred_tries = 0;
	rc = git_remote_fetch(remote, &specs, &fo, "vaultlint sync: fetch");
	free(spec);
	if (rc < 0) {
		const char *url = git_remote_url(remote);

		/* a local path that is not there reads as "unsupported URL
		 * protocol" in libgit2: say what it is */
		if (url && is_local_path(url) && access(url, F_OK) < 0)
			return vl_error_set(c->err, "cannot fetch: the remote '%s' is the folder "
				"'%s', which does not exist (git remote set-url %s URL)",
				git_remote_name(remote) ? git_remote_name(remote) : "?", url,
				git_remote_name(remote) ? git_remote_name(remote) : "origin");
		return git_fail(c, "cannot fetch");
	}
	return 0;
}

/* Name of the file that receives "theirs" next to path: the tag before
 * ".md" (or the extension), made unique in index. */
static char *conflict_name(const char *path, const char *tag, git_index *index)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	size_t stem = dot && dot != (slash ? slash + 1 : path) ? (size_t)(dot - path) : strlen(path);
	const char *ext = path + stem;
	int n;

	for (n = 1; n < 1000; n++) {
		char *name = n == 1 ?
			str_printf("%.*s.conflict-%s%s", (int)stem, path, tag, ext) :
			str_printf("%.*s.conflict-%s-%d%s", (int)stem, path, tag, n, ext);

		if (!name || !git_index_get_bypath(index, name, 0))
			return name;
		free(name);
	}
	return NULL;
}

typedef struct conflict_item {
	git_index_entry anc, ours, theirs;
	int has_anc, has_ours, has_theirs;
	char *anc_path, *ours_path, *theirs_path;
} conflict_item;

static int add_conflict(sync_ctx *c, vl_sync_conflict_kind kind, const char *path,
	const char *copy)
{
	vl_sync_conflict k;
	vl_sync_result *r = c->res;

	k.kind = kind;
	k.from = NULL;
	k.path = vl_strndup(path, strlen(path));
	k.copy = copy ? vl_strndup(copy, strlen(copy)) : NULL;
	if (!k.path || (copy && !k.copy) ||
	    VL_PUSH(r->conflicts, r->n_conflicts, r->cap_conflicts, k) < 0) {
		free(k.path);
		free(k.copy);
		return vl_error_set(c->err, "out of memory");
	}
	return 0;
}

static int index_put(sync_ctx *c, git_index *index, const git_index_entry *src,
	const char *path)
{
	git_index_entry e = *src;

	e.path = path;
	e.flags = 0;
	e.flags_extended = 0;
	GIT_INDEX_ENTRY_STAGE_SET(&e, 0);
	if (git_index_add(index, &e) < 0)
		return git_fail(c, "cannot resolve a conflict");
	return 0;
}

/* Whether index holds a file under the folder path ("path/..."). */
static int index_has_folder(sync_ctx *c, git_index *index, const char *path)
{
	char *prefix = str_printf("%s/", path);
	int found;

	if (!prefix)
		return vl_error_set(c->err, "out of memory");
	found = git_index_find_prefix(NULL, index, prefix) == 0;
	free(prefix);
	return found;
}

/* Moves the file at path to its conflict name, for a folder of the same
 * name (the folder keeps the name: its notes are what links reach). */
static int move_aside(sync_ctx *c, git_index *index, const git_index_entry *src,
	const char *path, const char *tag)
{
	char *copy = conflict_name(path, tag, index);
	int rc;

	if (!copy)
		return vl_error_set(c->err, "out of memory");
	rc = index_put(c, index, src, copy);
	if (rc == 0)
		rc = add_conflict(c, VL_SYNC_FILE_FOLDER, path, copy);
	free(copy);
	return rc;
}

/* index_put, where a file and a folder may want the same name (one side
 * made a folder where the other has a file): git_index_add would drop
 * the one already there, so the file goes to its conflict name instead.
 * Returns 1 when it went there, 0 when at path, -1. */
static int index_put_beside(sync_ctx *c, git_index *index, const git_index_entry *src,
	const char *path, const char *tag)
{
	const char *slash;
	int r = index_has_folder(c, index, path);

	if (r < 0)
		return -1;
	if (r > 0)
		return move_aside(c, index, src, path, tag) < 0 ? -1 : 1;
	/* a file where a folder of path should be: it moves aside */
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		char *dir = vl_strndup(path, (size_t)(slash - path));
		const git_index_entry *f;
		git_index_entry file;

		if (!dir)
			return vl_error_set(c->err, "out of memory");
		f = git_index_get_bypath(index, dir, 0);
		if (f) {
			file = *f;
			file.path = dir;
			if (git_index_remove(index, dir, 0) < 0) {
				free(dir);
				return git_fail(c, "cannot resolve a conflict");
			}
			r = move_aside(c, index, &file, dir, tag);
		}
		free(dir);
		if (r < 0)
			return -1;
	}
	return index_put(c, index, src, path) < 0 ? -1 : 0;
}

/* The side of items that stands alone (ours alone: 1, theirs alone: 2,
 * the ancestor alone: 3, anything else: 0). */
static int alone(const conflict_item *ci)
{
	if (ci->has_ours && !ci->has_theirs && !ci->has_anc)
		return 1;
	if (ci->has_theirs && !ci->has_ours && !ci->has_anc)
		return 2;
	return ci->has_anc && !ci->has_ours && !ci->has_theirs ? 3 : 0;
}

/* The first item of items[0..n) alone on side (alone()) and not yet in a
 * pair (pair[i] == 0), the one with the blob id id when there is one. */
static size_t pick_alone(const conflict_item *items, size_t n, const size_t *pair,
	int side, const git_oid *id)
{
	size_t i, first = n;

	for (i = 0; i < n; i++) {
		const git_index_entry *e = side == 1 ? &items[i].ours : &items[i].theirs;

		if (pair[i] || alone(&items[i]) != side)
			continue;
		if (git_oid_equal(&e->id, id))
			return i;
		if (first == n)
			first = i;
	}
	return first;
}

/* A note renamed on both sides to two names: libgit2 leaves its
 * ancestor alone at the old name, ours alone at our name and theirs
 * alone at theirs. When there are as many of each, pairs them: pair[i]
 * of an ancestor is 1 + its ours' item, pair[] of either side its
 * ancestor's item + 1 (the same blob pairs first). Else none is paired
 * (each side is then kept as a note the other side deleted). */
static void pair_renames(const conflict_item *items, size_t n, size_t *pair)
{
	size_t i, o, t, count[4] = { 0, 0, 0, 0 };

	for (i = 0; i < n; i++)
		count[alone(&items[i])]++;
	if (count[3] == 0 || count[1] != count[3] || count[2] != count[3])
		return;
	for (i = 0; i < n; i++) {
		if (alone(&items[i]) != 3)
			continue;
		o = pick_alone(items, n, pair, 1, &items[i].anc.id);
		t = pick_alone(items, n, pair, 2, &items[i].anc.id);
		pair[i] = o + 1;
		pair[o] = pair[t] = i + 1;
	}
}

/* Turns every conflict of the merged index into two plain files (see
 * sync.h): ours at its path, theirs at a conflict file; a note renamed
 * on both sides stays under both names. */
static int resolve_conflicts(sync_ctx *c, git_index *index, const char *tag)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *a, *o, *t;
	conflict_item *items = NULL;
	size_t n = 0, cap = 0, i, *pair = NULL;
	char *copy = NULL;
	int rc = -1, e, r;

	if (git_index_conflict_iterator_new(&it, index) < 0) {
		git_fail(c, "cannot read the conflicts");
		goto done;
	}
	while ((e = git_index_conflict_next(&a, &o, &t, it)) == 0) {
		conflict_item ci;

		memset(&ci, 0, sizeof(ci));
		if (a) { ci.anc = *a; ci.has_anc = 1; ci.anc_path = vl_strndup(a->path, strlen(a->path)); }
		if (o) { ci.ours = *o; ci.has_ours = 1; ci.ours_path = vl_strndup(o->path, strlen(o->path)); }
		if (t) { ci.theirs = *t; ci.has_theirs = 1; ci.theirs_path = vl_strndup(t->path, strlen(t->path)); }
		if ((a && !ci.anc_path) || (o && !ci.ours_path) || (t && !ci.theirs_path) ||
		    VL_PUSH(items, n, cap, ci) < 0) {
			free(ci.anc_path);
			free(ci.ours_path);
			free(ci.theirs_path);
			vl_error_set(c->err, "out of memory");
			goto done;
		}
	}
	if (e != GIT_ITEROVER) {
		git_fail(c, "cannot read the conflicts");
		goto done;
	}
	git_index_conflict_iterator_free(it);
	it = NULL;
	pair = calloc(n + 1, sizeof(*pair));
	if (pair == NULL) {
		vl_error_set(c->err, "out of memory");
		goto done;
	}
	pair_renames(items, n, pair);
	for (i = 0; i < n; i++) {
		if (items[i].anc_path)
			git_index_conflict_remove(index, items[i].anc_path);
		if (items[i].ours_path)
			git_index_conflict_remove(index, items[i].ours_path);
		if (items[i].theirs_path)
			git_index_conflict_remove(index, items[i].theirs_path);
	}
	for (i = 0; i < n; i++) {
		conflict_item *ci = &items[i];

		if (ci->has_ours && ci->has_theirs) {
			r = index_put_beside(c, index, &ci->ours, ci->ours_path, tag);
			if (r < 0)
				goto done;
			copy = conflict_name(ci->theirs_path, tag, index);
			if (!copy) {
				vl_error_set(c->err, "out of memory");
				goto done;
			}
			/* beside a folder, ours went to a copy: theirs too */
			if (index_put(c, index, &ci->theirs, copy) < 0 ||
			    add_conflict(c, r ? VL_SYNC_FILE_FOLDER : VL_SYNC_BOTH_CHANGED,
			    ci->ours_path, copy) < 0)
				goto done;
			free(copy);
			copy = NULL;
		} else if (ci->has_ours || ci->has_theirs) {
			const git_index_entry *keep = ci->has_ours ? &ci->ours : &ci->theirs;
			const char *path = ci->has_ours ? ci->ours_path : ci->theirs_path;

			r = index_put_beside(c, index, keep, path, tag);
			if (r < 0 || (r == 0 && !pair[i] &&
			    add_conflict(c, VL_SYNC_KEPT_MODIFIED, path, NULL) < 0))
				goto done;
		}
	}
	for (i = 0; i < n; i++) {
		vl_sync_conflict *k;
		const conflict_item *mine, *other;

		if (alone(&items[i]) != 3 || !pair[i])
			continue;
		mine = &items[pair[i] - 1];
		for (other = items; other < items + n; other++)
			if (alone(other) == 2 && pair[other - items] == i + 1)
				break;
		if (add_conflict(c, VL_SYNC_RENAMED_BOTH, mine->ours_path, other->theirs_path) < 0)
			goto done;
		k = &c->res->conflicts[c->res->n_conflicts - 1];
		k->from = vl_strndup(items[i].anc_path, strlen(items[i].anc_path));
		if (k->from == NULL) {
			vl_error_set(c->err, "out of memory");
			goto done;
		}
	}
	if (git_index_has_conflicts(index)) {
		vl_error_set(c->err, "could not resolve every conflict");
		goto done;
	}
	rc = 0;
done:
	git_index_conflict_iterator_free(it);
	for (i = 0; i < n; i++) {
		free(items[i].anc_path);
		free(items[i].ours_path);
		free(items[i].theirs_path);
	}
	free(items);
	free(pair);
	free(copy);
	return rc;
}

/* Builds the merge commit of ours and theirs (not yet on any ref). */
static int make_merge(sync_ctx *c, git_oid *out, const git_oid *ours, const git_oid *theirs)
{
	git_commit *oc = NULL, *tc = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_merge_options mo;
	git_oid tree_id;
	const git_commit *parents[2];
	char tag[8];
	vl_buf msg = VL_BUF_INIT;
	size_t first = c->res->n_conflicts, i;
	int rc = -1;

	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	git_oid_tostr(tag, sizeof(tag), theirs);
	if (git_commit_lookup(&oc, c->repo, ours) < 0 ||
	    git_commit_lookup(&tc, c->repo, theirs) < 0) {
		git_fail(c, "cannot read the commits to merge");
		goto done;
	}
	mo.flags |= GIT_MERGE_FIND_RENAMES;
	if (git_merge_commits(&index, c->repo, oc, tc, &mo) < 0) {
		git_fail(c, "cannot merge");
		goto done;
	}
	if (git_index_has_conflicts(index) && resolve_conflicts(c, index, tag) < 0)
		goto done;
	if (git_index_write_tree_to(&tree_id, index, c->repo) < 0 ||
	    git_tree_lookup(&tree, c->repo, &tree_id) < 0) {
		git_fail(c, "cannot write the merged tree");
		goto done;
	}
	vl_error_set(c->err, "out of memory"); /* for the failures below */
	if (vl_buf_printf(&msg, "vaultlint sync: merge %s/%s\n", c->res->remote,
		c->res->branch) < 0)
		goto done;
	if (c->res->n_conflicts > first &&
	    vl_buf_puts(&msg, "\nKept both sides:\n") < 0)
		goto done;
	for (i = first; i < c->res->n_conflicts; i++) {
		const vl_sync_conflict *k = &c->res->conflicts[i];

		int e = k->kind == VL_SYNC_FILE_FOLDER ?
			vl_buf_printf(&msg, "  %s (a folder; the file of that name in %s)\n",
				k->path, k->copy) : k->kind == VL_SYNC_RENAMED_BOTH ?
			vl_buf_printf(&msg, "  %s and %s (%s renamed on both sides)\n",
				k->path, k->copy, k->from) : k->copy ?
			vl_buf_printf(&msg, "  %s (theirs in %s)\n", k->path, k->copy) :
			vl_buf_printf(&msg, "  %s (modified on one side, deleted on the other: "
				"kept)\n", k->path);

		if (e < 0)
			goto done;
	}
	if (get_signature(c) < 0)
		goto done;
	parents[0] = oc;
	parents[1] = tc;
	if (git_commit_create(out, c->repo, NULL, c->sig, c->sig, NULL, msg.ptr, tree,
		2, parents) < 0) {
		git_fail(c, "cannot create the merge commit");
		goto done;
	}
	rc = 0;
done:
	vl_buf_release(&msg);
	git_tree_free(tree);
	git_index_free(index);
	git_commit_free(oc);
	git_commit_free(tc);
	return rc;
}

/* Brings the branch up to the remote-tracking ref: nothing, fast-forward
 * or merge. */
static int integrate(sync_ctx *c)
{
	git_oid ours, theirs, base, merged;
	int has_ours, e;

	if (git_reference_name_to_id(&theirs, c->repo, c->track_ref) < 0) {
		c->res->merge = VL_SYNC_NOTHING;
		return 0;
	}
	has_ours = git_reference_name_to_id(&ours, c->repo, c->branch_ref) == 0;
	if (!has_ours) {
		c->res->merge = VL_SYNC_FAST_FORWARD;
		return move_branch(c, NULL, &theirs, "vaultlint sync: fast-forward");
	}
	if (git_oid_equal(&ours, &theirs)) {
		c->res->merge = VL_SYNC_UP_TO_DATE;
		return 0;
	}
	e = git_merge_base(&base, c->repo, &ours, &theirs);
	if (e < 0 && e != GIT_ENOTFOUND)
		return git_fail(c, "cannot find the merge base");
	if (e == 0 && git_oid_equal(&base, &theirs)) {
		c->res->merge = VL_SYNC_UP_TO_DATE;
		return 0;
	}
	if (e == 0 && git_oid_equal(&base, &ours)) {
		c->res->merge = VL_SYNC_FAST_FORWARD;
		return move_branch(c, &ours, &theirs, "vaultlint sync: fast-forward");
	}
	if (make_merge(c, &merged, &ours, &theirs) < 0)
		return -1;
	c->res->merge = VL_SYNC_MERGED;
	return move_branch(c, &ours, &merged, "vaultlint sync: merge");
}

/* Test-only: runs opts->before_push with /bin/sh in the work tree. */
static int run_before_push(sync_ctx *c)
{
	char sh[] = "/bin/sh", dash_c[] = "-c";
	char *argv[4];
	char *cmd = vl_strndup(c->opts->before_push, strlen(c->opts->before_push));
	int status = 0, rc;

	if (!cmd)
		return vl_error_set(c->err, "out of memory");
	argv[0] = sh;
	argv[1] = dash_c;
	argv[2] = cmd;
	argv[3] = NULL;
	rc = run_child(c, &status, argv, c->workdir, 1);
	free(cmd);
	return rc;
}

/* One push. Returns 0 (pushed), 1 (rejected: the remote moved) or -1. */
static int push_once(sync_ctx *c, git_remote *remote)
{
	git_push_options po;
	char *spec = str_printf("%s:refs/heads/%s", c->branch_ref, c->res->branch);
	git_strarray specs;
	int e;

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	if (!spec)
		return vl_error_set(c->err, "out of memory");
	specs.strings = &spec;
	specs.count = 1;
	set_callbacks(c, &po.callbacks);
	c->cred_tries = 0;
	c->push_rejected = 0;
	c->push_msg[0] = '\0';
	e = git_remote_push(remote, &specs, &po);
	free(spec);
	if (e == GIT_ENONFASTFORWARD) {
		const git_error *ge = git_error_last();

		snprintf(c->push_msg, sizeof(c->push_msg), "%s",
			ge && ge->message ? ge->message : "non-fast-forward");
		return 1;
	}
	if (e < 0)
		return git_fail(c, "cannot push");
	return c->push_rejected ? 1 : 0;
}

/* Pushes from a child process, as git does with receive-pack: when sync
 * is killed, the child still finishes, so a push is never cut in the middle
 * of updating a ref (for a remote on the local filesystem libgit2 updates
 * it in-process, and a kill would leave the remote's ref locked for good).
 * The child keeps the sync lock's flock while it runs and ignores the
 * signals of an interrupted terminal. Same returns as push_once. */
static int do_push(sync_ctx *c, git_remote *remote)
{
	char buf[1400];
	size_t got = 0;
	ssize_t n;
	int pfd[2], ws, rc = -1;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vl_error_set(c->err, "cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return vl_error_set(c->err, "cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int e;

		close(pfd[0]);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		e = push_once(c, remote);
		n = snprintf(buf, sizeof(buf), "%c%s", e == 0 ? '0' : e == 1 ? '1' : '2',
			e == 1 ? c->push_msg : e < 0 ? c->err->msg : "");
		if (n > 0 && write(pfd[1], buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	while (got < sizeof(buf) - 1 &&
	       ((n = read(pfd[0], buf + got, sizeof(buf) - 1 - got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	buf[got] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (got == 0) {
		vl_error_set(c->err, "the push process died");
	} else if (buf[0] == '0') {
		rc = 0;
	} else if (buf[0] == '1' && strstr(buf + 1, "declined")) {
		/* a hook of the server said no: retrying cannot help */
		vl_error_set(c->err, "the remote declined the push: %s", buf + 1);
	} else if (buf[0] == '1') {
		/* the remote moved, or another push holds its ref's lock for the
		 * moment: fetch, merge and try again */
		snprintf(c->push_msg, sizeof(c->push_msg), "%.200s", buf + 1);
		rc = 1;
	} else {
		vl_error_set(c->err, "%s", buf + 1);
	}
	return rc;
}

/* Lists conflict files still in the repository (index entries): sync
 * writes them wherever both sides changed a file, in the vault folder or
 * not. */
static int list_pending(sync_ctx *c)
{
	git_index *index = NULL;
	size_t i, n;
	int rc = -1;

	if (git_repository_index(&index, c->repo) < 0 || git_index_read(index, 1) < 0) {
		git_fail(c, "cannot read the index");
		goto done;
	}
	n = git_index_entrycount(index);
	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		const char *base = strrchr(e->path, '/');
		char *p;

		if (!strstr(base ? base : e->path, ".conflict-"))
			continue;
		p = vl_strndup(e->path, strlen(e->path));
		if (!p || VL_PUSH(c->res->pending, c->res->n_pending, c->res->cap_pending, p) < 0) {
			free(p);
			vl_error_set(c->err, "out of memory");
			goto done;
		}
	}
	rc = 0;
done:
	git_index_free(index);
	return rc;
}

/* The vault folder must be clean after a sync. */
static int check_clean(sync_ctx *c)
{
	git_status_list *st = NULL;
	git_status_options so;
	char *spec = (char *)c->prefix;
	size_t i;
	int rc = -1;

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	if (c->prefix[0]) {
		so.pathspec.strings = &spec;
		so.pathspec.count = 1;
		so.flags |= GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH;
	}
	if (vl_git_check_ignores(c->repo, "", "cannot check that the vault is clean", 1,
	    c->err) != 0)
		goto done;
	if (git_status_list_new(&st, c->repo, &so) < 0) {
		git_fail(c, "cannot read the status");
		goto done;
	}
	for (i = 0; i < git_status_list_entrycount(st); i++) {
		const git_status_entry *s = git_status_byindex(st, i);
		const git_diff_delta *d = s->index_to_workdir ? s->index_to_workdir : s->head_to_index;

		/* left out on purpose (in_vault) */
		if (s->status == GIT_STATUS_WT_NEW && d && is_nested_repo(d->new_file.path))
			continue;
		vl_error_set(c->err, "the vault changed while syncing (%s); run sync again",
			d ? d->new_file.path : "?");
		goto done;
	}
	rc = 0;
done:
	git_status_list_free(st);
	return rc;
}

int vl_sync_run(vl_sync_result *res, const char *dir, const vl_sync_opts *opts,
	vl_error *err)
{
	sync_ctx c;
	git_remote *remote = NULL;
	const char *rname = opts->remote ? opts->remote : "origin";
	git_oid head, tracked;
	int rc = -1, attempt, e;

	memset(&c, 0, sizeof(c));
	c.opts = opts;
	c.res = res;
	c.err = err;
	c.prefix = opts->vault_prefix ? opts->vault_prefix : "";
	git_libgit2_init();
	if (ctx_open(&c, dir, 1) < 0)
		goto done;
	res->remote = vl_strndup(rname, strlen(rname));
	res->branch = opts->branch ? vl_strndup(opts->branch, strlen(opts->branch)) :
		vl_strndup(c.local_branch, strlen(c.local_branch));
	c.track_ref = res->remote && res->branch ?
		str_printf("refs/remotes/%s/%s", res->remote, res->branch) : NULL;
	if (!c.track_ref) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	if (c.stale_lock)
		remove_stale_git_locks(&c);
	if (git_remote_lookup(&remote, c.repo, rname) < 0) {
		vl_error_set(err, "no remote '%s' in this repository; add one with "
			"'git remote add %s URL' or pass --remote NAME", rname, rname);
		goto done;
	}
	if (recover(&c) < 0 || do_commit(&c) < 0)
		goto done;
	for (attempt = 0;; attempt++) {
		if (do_fetch(&c, remote) < 0 || integrate(&c) < 0)
			goto done;
		if (opts->no_push)
			break;
		if (git_reference_name_to_id(&head, c.repo, c.branch_ref) < 0)
			break; /* nothing at all to push */
		if (git_reference_name_to_id(&tracked, c.repo, c.track_ref) == 0 &&
		    git_oid_equal(&head, &tracked))
			break;
		if (opts->before_push && run_before_push(&c) < 0)
			goto done;
		res->push_attempts++;
		e = do_push(&c, remote);
		if (e < 0)
			goto done;
		if (e == 0) {
			res->pushed = 1;
			break;
		}
		if (attempt >= VL_SYNC_RETRIES) {
			if (strstr(c.push_msg, "failed to lock"))
				vl_error_set(err, "push to %s/%s rejected %d times: the remote branch "
					"stayed locked (%s); if no other push is running, a killed git "
					"process left that .lock file behind: remove it", rname,
					res->branch, attempt + 1, c.push_msg);
			else
				vl_error_set(err, "push to %s/%s rejected %d times (%s): the remote "
					"keeps moving; run sync again", rname, res->branch, attempt + 1,
					c.push_msg);
			goto done;
		}
	}
	if (!opts->no_push && git_reference_name_to_id(&head, c.repo, c.branch_ref) == 0) {
		if (do_fetch(&c, remote) < 0)
			goto done;
		if (git_reference_name_to_id(&tracked, c.repo, c.track_ref) < 0 ||
		    !git_oid_equal(&head, &tracked)) {
			vl_error_set(err, "after the push, %s/%s does not match the local branch; "
				"run sync again", rname, res->branch);
			goto done;
		}
	}
	if (git_reference_name_to_id(&head, c.repo, c.branch_ref) == 0)
		git_oid_tostr(res->head, sizeof(res->head), &head);
	if (check_clean(&c) < 0 || list_pending(&c) < 0)
		goto done;
	rc = 0;
done:
	git_remote_free(remote);
	ctx_close(&c);
	git_libgit2_shutdown();
	return rc;
}
