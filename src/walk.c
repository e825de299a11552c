/*
 * walk.c: the work-tree source. Lists a vault folder recursively and reads
 * its files from disk.
 *
 * The walk is iterative: a stack of open folders, each read with
 * fdopendir and examined with fstatat relative to its own descriptor, so
 * no path is ever built into a fixed buffer. Real folders are walked
 * first; symlinked folders are put aside and walked afterwards, so that a
 * symlink to a folder that is already part of the vault is recognised as
 * a duplicate (or a loop) whatever the names sort like. Every symlink is
 * resolved with realpath and followed only when it stays inside the
 * vault's real path.
 */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "git/git.h"

/* Deeper folders are reported, not walked: each level holds a descriptor. */
#define WALK_MAX_DEPTH 256

typedef struct walk_frame {
	DIR *dir;
	char *rel;    /* vault-relative path of the folder ("" for the root) */
	char *real;   /* its real path on disk */
	int rules;    /* git ignore rules may apply to what it holds */
	int blind;    /* a .gitignore here or above cannot be read: git is
	               * not asked about anything in it */
} walk_frame;

typedef struct walk_link {
	char *rel;    /* where the symlink sits in the vault */
	char *target; /* the real path it resolves to (a folder) */
	char *parent; /* the real path of the folder holding the symlink */
	int blind;    /* that folder's walk_frame.blind */
} walk_link;

typedef struct walk_ctx {
	vl_source *src;
	const vl_source_opts *opts;
	vl_error *err;
	const char *root;
	size_t root_len;
	vl_repo *repo;          /* for .gitignore, or NULL */
	int outer_rules;        /* ignore rules from above the vault or global */
	int outer_blind;        /* one of those cannot be read: git is not asked */
	char *repo_prefix;      /* the vault's path inside the repository */
	vl_map visited;         /* "dev:ino" of every folder walked */
	vl_arena keys;
	walk_frame *stack;
	size_t n_stack, cap_stack;
	walk_link *links;       /* symlinked folders still to walk */
	size_t n_links, cap_links;
	/* Regular files listed from their folder entry alone: their stat
	 * data is taken at the end, on every core (stat_pending), relative
	 * to the vault's folder (the source's descriptor, or -1). */
	int root_fd;
	size_t *pending;        /* indexes into src->files */
	size_t n_pending, cap_pending;
	int *pending_err;       /* per pending file: 0, an errno, or -1 */
} walk_ctx;

/* The source's own state (vl_source.impl). */
typedef struct dir_src {
	int root_fd;       /* the vault's folder, as listed, or -1 */
} dir_src;

static const vl_source_ops dir_ops;

static char *join(const char *a, const char *b)
{
	vl_buf buf = VL_BUF_INIT;

	if ((a[0] != '\0' && (vl_buf_puts(&buf, a) < 0 || vl_buf_putc(&buf, '/') < 0)) ||
	    vl_buf_puts(&buf, b) < 0) {
		vl_buf_release(&buf);
		return NULL;
	}
	return vl_buf_detach(&buf);
}

/* Returns 1 when a's path equals b or lies under it. */
static int under(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (n == 1 && b[0] == '/')
		return 1;
	return strncmp(a, b, n) == 0 && (a[n] == '/' || a[n] == '\0');
}

static int oom(walk_ctx *ctx)
{
	return vl_error_set(ctx->err, "out of memory while listing the vault");
}

static int problem(walk_ctx *ctx, const char *rel, const char *fmt, const char *arg)
{
	if (vl_source_add_problem(ctx->src, rel, fmt, arg) < 0)
		return oom(ctx);
	return 0;
}

static const char *errstr(int e, char *buf, size_t n)
{
	return strerror_r(e, buf, n);
}

/* Records a folder as walked. Returns 1 when it already was, 0 when it is
 * new, -1 when out of memory. */
static int visit(walk_ctx *ctx, const struct stat *st)
{
	char tmp[64];
	char *key;
	int n = snprintf(tmp, sizeof(tmp), "%llx:%llx",
		(unsigned long long)st->st_dev, (unsigned long long)st->st_ino);

	if (vl_map_get(&ctx->visited, tmp) != NULL)
		return 1;
	key = vl_arena_strndup(&ctx->keys, tmp, (size_t)n);
	if (key == NULL || vl_map_put(&ctx->visited, key, key) < 0)
		return oom(ctx);
	return 0;
}

/* Whether rel (a folder when is_dir) is excluded by the ignore globs or,
 * when asked for, by git. Returns 1, 0, or -1 with ctx->err set. */
static int ignored(walk_ctx *ctx, const char *rel, int is_dir, int rules)
{
	char *p = NULL;
	int ig = 0;
	int rc = -1;

	if (vl_source_ignored(ctx->opts, rel))
		return 1;
	if (is_dir) {
		p = join(rel, ""); /* "folder/" */
		if (p == NULL) {
			rc = oom(ctx);
			goto done;
		}
		if (vl_source_ignored(ctx->opts, p)) {
			rc = 1;
			goto done;
		}
		free(p);
		p = NULL;
	}
	if (ctx->repo == NULL || !rules) {
		rc = 0;
		goto done;
	}
	p = join(ctx->repo_prefix, rel);
	if (p == NULL) {
		rc = oom(ctx);
		goto done;
	}
	if (vl_repo_ignored(ctx->repo, p, &ig, ctx->err) < 0)
		goto done;
	rc = ig ? 1 : 0;
done:
	free(p);
	return rc;
}

/* Reports the ignore file at rel (vault-relative; why says what is wrong
 * with it) whose rules cannot be read, and that git is not asked about
 * the folder where (vault-relative, "" for the vault) or below it. */
static int unreadable_rules(walk_ctx *ctx, const char *rel, const char *why,
	const char *where)
{
	int rc;

	if (where[0] == '\0')
		rc = vl_source_add_problem(ctx->src, rel, "%s, so no git ignore rules apply "
			"anywhere in the vault; remove it or make it a file", why);
	else
		rc = vl_source_add_problem(ctx->src, rel, "%s, so no git ignore rules apply "
			"in '%s' and below; remove it or make it a file", why, where);
	return rc < 0 ? oom(ctx) : 0;
}

/* Opens a folder (already known to be inside the vault) and pushes it.
 * Its .gitignore is looked at (not followed) before git may read it. */
static int push_dir(walk_ctx *ctx, int fd, const char *rel, const char *real,
	int parent_rules, int parent_blind)
{
	walk_frame f = { NULL, NULL, NULL, 0, 0 };
	char eb[128];
	const char *why;
	int has;

	if (ctx->n_stack >= WALK_MAX_DEPTH) {
		close(fd);
		return problem(ctx, rel, "%s", "folders nested too deeply; skipped");
	}
	f.dir = fdopendir(fd);
	if (f.dir == NULL) {
		int e = errno;

		close(fd);
		if (e == ENOMEM)
			return oom(ctx);
		return problem(ctx, rel, "cannot read folder: %s", errstr(e, eb, sizeof(eb)));
	}
	/* git only looks up ignore rules where a .gitignore can hold them */
	has = vl_ignore_file_at(dirfd(f.dir), ".gitignore", &why);
	f.rules = parent_rules || has;
	f.blind = parent_blind;
	if (why != NULL && ctx->repo != NULL) {
		char *gi = join(rel, ".gitignore");

		if (gi == NULL || unreadable_rules(ctx, gi, why, rel) < 0) {
			free(gi);
			closedir(f.dir);
			return oom(ctx);
		}
		free(gi);
		f.blind = 1;
	}
	if (f.blind)
		f.rules = 0;
	f.rel = strdup(rel);
	f.real = strdup(real);
	if (f.rel == NULL || f.real == NULL ||
	    VL_PUSH(ctx->stack, ctx->n_stack, ctx->cap_stack, f) < 0) {
		closedir(f.dir);
		free(f.rel);
		free(f.real);
		return oom(ctx);
	}
	return 0;
}

static void pop_dir(walk_ctx *ctx)
{
	walk_frame *f = &ctx->stack[--ctx->n_stack];

	closedir(f->dir);
	free(f->rel);
	free(f->real);
}

/* Gives a listed file the stat data the cache keys work-tree files by. */
static void fill_stat(vl_file *f, const struct stat *st)
{
	f->size = (uint64_t)st->st_size;
	f->has_stat = 1;
	f->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	f->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	f->ctime_sec = (int64_t)st->st_ctim.tv_sec;
	f->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
	f->ino = (uint64_t)st->st_ino;
	f->dev = (uint64_t)st->st_dev;
	f->mode = (uint32_t)st->st_mode;
}

/* What a file that is neither a regular file, a folder nor a symlink is. */
static const char *special_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "a special file";
}

/* A FIFO, socket or device at rel (of mode mode; the target's when rel is
 * a symlink, linked 1): no vault content, as for Obsidian, and never
 * opened (a FIFO would hang the read). Named like a note, and not
 * ignored, it is a problem of the listing: a link to it is broken, and
 * this says why. */
static int special_file(walk_ctx *ctx, const char *rel, mode_t mode, int rules,
	int linked)
{
	int ig;

	if (!vl_source_is_note_path(rel))
		return 0;
	ig = ignored(ctx, rel, 0, rules);
	if (ig != 0)
		return ig < 0 ? -1 : 0;
	if (problem(ctx, rel, linked ? "a symlink to %s, not to a regular file: not read" :
	    "%s, not a regular file: not read", special_kind(mode)) < 0)
		return -1;
	ctx->src->problems[ctx->src->n_problems - 1].special = !linked;
	return 0;
}

/* Lists a regular file with its stat data (for a followed symlink: the
 * target's, which is what is read). */
static int add_file(walk_ctx *ctx, const char *rel, const struct stat *st)
{
	if (vl_source_add(ctx->src, rel, (uint64_t)st->st_size, NULL) < 0)
		return -1;
	fill_stat(&ctx->src->files[ctx->src->n_files - 1], st);
	return 0;
}

/* Lists a regular file whose stat data comes later (stat_pending). */
static int add_pending(walk_ctx *ctx, const char *rel)
{
	if (vl_source_add(ctx->src, rel, 0, NULL) < 0 ||
	    VL_PUSH(ctx->pending, ctx->n_pending, ctx->cap_pending, ctx->src->n_files - 1) < 0)
		return -1;
	return 0;
}

/* By the path from the vault's folder: a path longer than PATH_MAX, or
 * through more than 40 followed links, fails here (ENAMETOOLONG, ELOOP),
 * where reading it would fail too. */
static int stat_one(size_t i, int slot, void *payload)
{
	walk_ctx *ctx = payload;
	vl_file *f = &ctx->src->files[ctx->pending[i]];
	struct stat st;

	(void)slot;
	if (fstatat(ctx->root_fd, f->path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		ctx->pending_err[i] = errno ? errno : EIO;
	else if (!S_ISREG(st.st_mode))
		ctx->pending_err[i] = -1;
	else
		fill_stat(f, &st);
	return 0;
}

/* Takes the stat data of the pending files, on every core: one call per
 * file is most of a listing's time. A file that is gone or no longer a
 * regular file by then is a problem of the listing, and not listed. */
static int stat_pending(walk_ctx *ctx)
{
	vl_source *src = ctx->src;
	char eb[128];
	size_t i, j, k;
	int budget = vl_thread_budget();
	int threads = ctx->n_pending < 512 ? 1 : budget > 8 ? 8 : budget;

	if (ctx->n_pending == 0)
		return 0;
	ctx->pending_err = calloc(ctx->n_pending, sizeof(*ctx->pending_err));
	if (ctx->pending_err == NULL)
		return oom(ctx);
	(void)vl_run_pool(ctx->n_pending, threads, stat_one, ctx);
	for (i = k = 0; i < ctx->n_pending; i++) {
		vl_file *f = &src->files[ctx->pending[i]];
		int e = ctx->pending_err[i];

		if (e == 0)
			continue;
		if ((e > 0 ? problem(ctx, f->path, "cannot read: %s; skipped",
		    errstr(e, eb, sizeof(eb))) : problem(ctx, f->path, "%s",
		    "changed while the vault was listed; skipped")) < 0)
			return -1;
		f->path = NULL; /* its bytes stay in src->paths until freed */
		k++;
	}
	/* drop the files marked above */
	for (i = j = 0; k > 0 && i < src->n_files; i++)
		if (src->files[i].path != NULL)
			src->files[j++] = src->files[i];
	if (k > 0)
		src->n_files = j;
	return 0;
}

/* A symlink at rel inside the folder of frame f: follow it when its real
 * path stays inside the vault. Files are listed at once; folders wait. */
static int on_symlink(walk_ctx *ctx, const walk_frame *f, const char *name,
	const char *rel)
{
	char *full = NULL, *target = NULL;
	char eb[128];
	struct stat st;
	walk_link link = { NULL, NULL, NULL, f->blind };
	int rc = -1, ig;

	full = join(f->real, name);
	if (full == NULL) {
		rc = oom(ctx);
		goto done;
	}
	target = realpath(full, NULL);
	if (target == NULL) {
		int e = errno;

		if (e == ELOOP) {
			rc = problem(ctx, rel, "%s", "symlink loop; skipped");
		} else if (e == ENOENT || e == ENOTDIR) {
			char lt[PATH_MAX];
			ssize_t n = readlinkat(dirfd(f->dir), name, lt, sizeof(lt) - 1);

			lt[n < 0 ? 0 : n] = '\0';
			rc = problem(ctx, rel, "broken symlink to '%s'; skipped", lt);
		} else {
			rc = problem(ctx, rel, "cannot resolve symlink: %s; skipped",
				errstr(e, eb, sizeof(eb)));
		}
		goto done;
	}
	if (!vl_path_within(ctx->root, ctx->root_len, target)) {
		/* Say it as the link is written: stable across machines. */
		char lt[PATH_MAX];
		ssize_t n = readlinkat(dirfd(f->dir), name, lt, sizeof(lt) - 1);

		rc = problem(ctx, rel, "symlink points outside the vault: %s; skipped",
			n < 0 ? target : (lt[n] = '\0', lt));
		goto done;
	}
	if (stat(target, &st) < 0) {
		rc = problem(ctx, rel, "cannot read symlink target: %s; skipped",
			errstr(errno, eb, sizeof(eb)));
		goto done;
	}
	if (S_ISREG(st.st_mode)) {
		ig = ignored(ctx, rel, 0, f->rules);
		if (ig < 0)
			goto done;
		if (!ig && add_file(ctx, rel, &st) < 0) {
			rc = oom(ctx);
			goto done;
		}
		rc = 0;
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = special_file(ctx, rel, st.st_mode, f->rules, 1);
		goto done;
	}
	ig = ignored(ctx, rel, 1, f->rules);
	if (ig != 0) {
		rc = ig < 0 ? -1 : 0;
		goto done;
	}
	link.rel = strdup(rel);
	link.parent = strdup(f->real);
	link.target = target;
	target = NULL;
	if (link.rel == NULL || link.parent == NULL ||
	    VL_PUSH(ctx->links, ctx->n_links, ctx->cap_links, link) < 0) {
		free(link.rel);
		free(link.parent);
		free(link.target);
		rc = oom(ctx);
		goto done;
	}
	rc = 0;
done:
	free(full);
	free(target);
	return rc;
}

/* One entry of the folder on top of the stack. */
static int on_entry(walk_ctx *ctx, const char *name, unsigned char type)
{
	walk_frame *f = &ctx->stack[ctx->n_stack - 1];
	char *rel = NULL, *real = NULL;
	char eb[128];
	struct stat st;
	int rc = -1, ig, fd;

	rel = join(f->rel, name);
	if (rel == NULL) {
		rc = oom(ctx);
		goto done;
	}
	/* a regular file by its folder entry: listed now, stat data later */
	if (type == DT_REG && ctx->root_fd >= 0) {
		ig = ignored(ctx, rel, 0, f->rules);
		if (ig < 0)
			goto done;
		rc = !ig && add_pending(ctx, rel) < 0 ? oom(ctx) : 0;
		goto done;
	}
	if (fstatat(dirfd(f->dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = problem(ctx, rel, "cannot read: %s; skipped", errstr(errno, eb, sizeof(eb)));
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = on_symlink(ctx, f, name, rel);
		goto done;
	}
	if (S_ISREG(st.st_mode)) {
		ig = ignored(ctx, rel, 0, f->rules);
		if (ig < 0)
			goto done;
		if (!ig && add_file(ctx, rel, &st) < 0) {
			rc = oom(ctx);
			goto done;
		}
		rc = 0;
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = special_file(ctx, rel, st.st_mode, f->rules, 0);
		goto done;
	}
	ig = ignored(ctx, rel, 1, f->rules);
	if (ig != 0) {
		rc = ig < 0 ? -1 : 0;
		goto done;
	}
	ig = visit(ctx, &st);
	if (ig != 0) {
		rc = ig < 0 ? -1 : problem(ctx, rel, "%s", "folder already listed; skipped");
		goto done;
	}
	fd = openat(dirfd(f->dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = problem(ctx, rel, "cannot open folder: %s; skipped",
			errstr(errno, eb, sizeof(eb)));
		goto done;
	}
	real = join(f->real, name);
	if (real == NULL) {
		close(fd);
		rc = oom(ctx);
		goto done;
	}
	rc = push_dir(ctx, fd, rel, real, f->rules, f->blind);
done:
	free(rel);
	free(real);
	return rc;
}

/* Walks everything under the folders on the stack until it is empty. */
static int drain(walk_ctx *ctx)
{
	while (ctx->n_stack > 0) {
		struct dirent *de;

		errno = 0;
		de = readdir(ctx->stack[ctx->n_stack - 1].dir);
		if (de == NULL) {
			if (errno != 0 && problem(ctx, ctx->stack[ctx->n_stack - 1].rel,
				"%s", "folder could not be read to the end") < 0)
				return -1;
			pop_dir(ctx);
			continue;
		}
		if (de->d_name[0] == '.')
			continue;
		if (on_entry(ctx, de->d_name, de->d_type) < 0)
			return -1;
	}
	return 0;
}

/* A symlinked folder put aside during the walk: walk it unless it is an
 * ancestor of the link (a loop) or was walked already (a duplicate). */
static int follow_link(walk_ctx *ctx, const walk_link *l)
{
	struct stat st;
	char eb[128];
	int fd, seen;

	if (under(l->parent, l->target))
		return problem(ctx, l->rel, "%s", "symlink loop; skipped");
	if (stat(l->target, &st) < 0 || !S_ISDIR(st.st_mode))
		return problem(ctx, l->rel, "%s", "symlink target vanished; skipped");
	seen = visit(ctx, &st);
	if (seen < 0)
		return -1;
	if (seen) {
		const char *t = l->target + ctx->root_len;

		t += (*t == '/');
		return problem(ctx, l->rel, "symlink to a folder already in the vault (%s); skipped",
			t[0] ? t : ".");
	}
	fd = open(l->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return problem(ctx, l->rel, "cannot open folder: %s; skipped",
			errstr(errno, eb, sizeof(eb)));
	if (push_dir(ctx, fd, l->rel, l->target, !l->blind, l->blind) < 0)
		return -1;
	return drain(ctx);
}

/* The rules that reach into the vault from above it: the exclude files
 * and the .gitignore of each folder from the work tree's (its real path
 * is the first wd_len bytes of the vault's) down to the vault's parent.
 * One that git must not read is reported, and then git is asked nothing
 * in the vault. */
static int outer_rules(walk_ctx *ctx, size_t wd_len)
{
	vl_buf gi = VL_BUF_INIT, shown = VL_BUF_INIT;
	const char *why;
	char *path = NULL;
	size_t i, k, len = strlen(ctx->root);
	int rc = -1, r;

	r = vl_repo_bad_excludes(ctx->repo, &path, &why);
	if (r < 0 || (r > 0 && unreadable_rules(ctx, path, why, "") < 0)) {
		rc = oom(ctx);
		goto done;
	}
	ctx->outer_blind = r > 0;
	ctx->outer_rules = vl_repo_has_excludes(ctx->repo);
	for (i = wd_len; i < len; i++) {
		if (i != wd_len && ctx->root[i] != '/')
			continue;
		gi.len = 0;
		if (vl_buf_printf(&gi, "%.*s/.gitignore", (int)i, ctx->root) < 0) {
			rc = oom(ctx);
			goto done;
		}
		ctx->outer_rules |= vl_ignore_file_at(AT_FDCWD, gi.ptr, &why);
		if (why == NULL)
			continue;
		/* named from the vault: "../.gitignore" */
		shown.len = 0;
		for (k = i; k < len; k++)
			if (ctx->root[k] == '/' && vl_buf_puts(&shown, "../") < 0) {
				rc = oom(ctx);
				goto done;
			}
		if (vl_buf_puts(&shown, ".gitignore") < 0 ||
		    unreadable_rules(ctx, shown.ptr, why, "") < 0) {
			rc = oom(ctx);
			goto done;
		}
		ctx->outer_blind = 1;
	}
	rc = 0;
done:
	free(path);
	vl_buf_release(&gi);
	vl_buf_release(&shown);
	return rc;
}

/* Finds the repository holding the vault, for .gitignore, and the vault's
 * path inside it. No repository means nothing is git-ignored. */
static int open_repo(walk_ctx *ctx)
{
	char *wd = NULL;
	int rc;

	rc = vl_repo_open(&ctx->repo, ctx->root, ctx->err);
	if (rc < 0)
		return -1;
	if (rc > 0 || ctx->repo == NULL) {
		ctx->repo = NULL;
		return 0;
	}
	wd = realpath(vl_repo_workdir(ctx->repo), NULL);
	if (wd != NULL && under(ctx->root, wd)) {
		const char *p = ctx->root + strlen(wd);

		p += (*p == '/');
		ctx->repo_prefix = strdup(p);
	} else {
		/* The vault is not in the work tree (a bare or odd setup). */
		vl_repo_free(ctx->repo);
		ctx->repo = NULL;
	}
	if (ctx->repo != NULL && ctx->repo_prefix != NULL && outer_rules(ctx, strlen(wd)) < 0) {
		free(wd);
		return -1;
	}
	free(wd);
	if (ctx->repo != NULL && ctx->repo_prefix == NULL)
		return oom(ctx);
	return 0;
}

int vl_source_open_dir(vl_source **out, const char *dir,
	const vl_source_opts *opts, vl_error *err)
{
	static const vl_source_opts no_opts = { NULL, 0, 0 };
	walk_ctx ctx;
	vl_source *src = NULL;
	struct stat st;
	char eb[128];
	size_t i;
	int fd, rc = -1;

	memset(&ctx, 0, sizeof(ctx));
	*out = NULL;
	ctx.root_fd = -1;
	ctx.err = err;
	ctx.opts = opts ? opts : &no_opts;
	if (dir == NULL || dir[0] == '\0') {
		vl_error_set(err, "no vault folder given");
		goto done;
	}
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			vl_error_set(err, "vault folder '%s' does not exist", dir);
		else
			vl_error_set(err, "cannot open vault folder '%s': %s", dir,
				errstr(errno, eb, sizeof(eb)));
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		vl_error_set(err, "vault path '%s' is not a folder", dir);
		goto done;
	}
	src = calloc(1, sizeof(*src));
	if (src == NULL) {
		oom(&ctx);
		goto done;
	}
	src->ops = &dir_ops;
	ctx.src = src;
	src->root = realpath(dir, NULL);
	if (src->root == NULL) {
		vl_error_set(err, "cannot open vault folder '%s': %s", dir,
			errstr(errno, eb, sizeof(eb)));
		goto done;
	}
	ctx.root = src->root;
	ctx.root_len = strlen(src->root);
	if (ctx.opts->use_gitignore && open_repo(&ctx) < 0)
		goto done;
	fd = open(src->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		vl_error_set(err, "cannot read vault folder '%s': %s", dir,
			errstr(errno, eb, sizeof(eb)));
		if (fd >= 0)
			close(fd);
		goto done;
	}
	if (visit(&ctx, &st) < 0) {
		close(fd);
		goto done;
	}
	/* the folder just opened, not its path again, kept by the source
	 * (which closes it) to read its files; without it, every file is
	 * examined as it is met, and read the long way */
	if ((src->impl = malloc(sizeof(dir_src))) == NULL) {
		close(fd);
		oom(&ctx);
		goto done;
	}
	ctx.root_fd = ((dir_src *)src->impl)->root_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (push_dir(&ctx, fd, "", src->root, ctx.outer_rules, ctx.outer_blind) < 0)
		goto done;
	if (src->n_problems > 0 && ctx.n_stack == 0) {
		vl_error_set(err, "cannot read vault folder '%s': %s", dir,
			src->problems[0].message);
		goto done;
	}
	if (drain(&ctx) < 0)
		goto done;
	for (i = 0; i < ctx.n_links; i++) {
		if (follow_link(&ctx, &ctx.links[i]) < 0)
			goto done;
	}
	if (stat_pending(&ctx) < 0)
		goto done;
	vl_source_sort(src);
	*out = src;
	src = NULL;
	rc = 0;
done:
	while (ctx.n_stack > 0)
		pop_dir(&ctx);
	free(ctx.stack);
	for (i = 0; i < ctx.n_links; i++) {
		free(ctx.links[i].rel);
		free(ctx.links[i].target);
		free(ctx.links[i].parent);
	}
	free(ctx.links);
	free(ctx.pending);
	free(ctx.pending_err);
	vl_map_release(&ctx.visited);
	vl_arena_release(&ctx.keys);
	vl_repo_free(ctx.repo);
	free(ctx.repo_prefix);
	vl_source_free(src);
	return rc;
}

/* Refuses vault paths that are absolute or climb with "..". */
static int path_safe(const char *p)
{
	const char *s = p;

	if (p[0] == '/' || p[0] == '\0')
		return 0;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return 0;
		if (e == NULL)
			break;
		s = e + 1;
	}
	return 1;
}

/* A failed call's errno as a read's result: ENOMEM is memory running
 * out (-2: the run's error, see vl_read_in_vault), anything else says
 * the file cannot be read (-1). */
static int read_failed(vl_error *err, const char *path, int e)
{
	char eb[128];

	if (e == ENOMEM) {
		vl_error_set(err, "out of memory reading '%s'", path);
		return -2;
	}
	vl_error_set(err, "cannot read '%s': %s", path, errstr(e, eb, sizeof(eb)));
	return -1;
}

/* Opens vault file path, checked to be inside the vault (a symlink could
 * have changed since the listing). The kernel resolves it beneath the
 * vault's folder in one call (openat2, RESOLVE_BENEATH: a relative
 * symlink that stays inside is followed); what that refuses or cannot do
 * (an absolute symlink, a kernel without openat2) takes the long way: the
 * path resolved with realpath and checked, whose result has no symlinks
 * left, so O_NOFOLLOW holds it there. Returns the descriptor, or with
 * err set -1 (the file cannot be read) or -2 (out of memory). */
static int open_beneath(int root_fd, const char *root, const char *path, vl_error *err)
{
	struct open_how how;
	char *full = NULL, *real = NULL;
	long fd = -1;

	if (!path_safe(path))
		return vl_error_set(err, "refusing to read '%s': the path leaves the vault", path);
	if (root_fd >= 0) {
		memset(&how, 0, sizeof(how));
		/* O_NONBLOCK: a file listed as regular and turned into a FIFO
		 * since must not hang the run (dir_read refuses it) */
		how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
	}
	full = join(root, path);
	if (full == NULL) {
		fd = read_failed(err, path, ENOMEM);
		goto done;
	}
	real = realpath(full, NULL);
	if (real == NULL) {
		fd = read_failed(err, path, errno);
		goto done;
	}
	if (!vl_path_within(root, strlen(root), real)) {
		vl_error_set(err, "refusing to read '%s': it now points outside the vault", path);
		goto done;
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		fd = read_failed(err, path, errno);
done:
	free(full);
	free(real);
	return (int)fd;
}

/* open_beneath in the folder of the listing of src. */
static int open_in_vault(const vl_source *src, const char *path, vl_error *err)
{
	const dir_src *d = src->impl;

	return open_beneath(d != NULL ? d->root_fd : -1, src->root, path, err);
}

/* Reads the whole note open on fd (vault path path), a regular file of at
 * most VL_NOTE_MAX bytes, into *out (NUL-terminated), and closes fd.
 * Returns 0, or with err set -1 (the file cannot be read) or -2 (out of
 * memory). */
static int read_note_fd(int fd, const char *path, char **out, size_t *len, vl_error *err)
{
	char *buf = NULL;
	size_t cap, n = 0, want;
	struct stat st;
	int rc = -1;

	if (fstat(fd, &st) < 0) {
		rc = read_failed(err, path, errno);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		vl_error_set(err, "cannot read '%s': not a regular file", path);
		goto done;
	}
	if ((uint64_t)st.st_size > VL_NOTE_MAX) {
		vl_error_set(err, "not reading '%s': %llu MB, more than a note can be (%llu MB); "
			"list it under 'ignore:' if it is no note", path,
			(unsigned long long)st.st_size >> 20, (unsigned long long)(VL_NOTE_MAX >> 20));
		goto done;
	}
	/* room for a byte more than fstat said, and the NUL: a read that
	 * returns less than it asked for (a regular file's end) is the last,
	 * so the usual file costs one read */
	cap = (size_t)st.st_size + 2;
	buf = malloc(cap);
	if (buf == NULL) {
		rc = read_failed(err, path, ENOMEM);
		goto done;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			/* Full as fstat said: probe for EOF before growing, so
			 * the usual file costs one allocation of its size. */
			char probe, *nb;

			r = read(fd, &probe, 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				rc = read_failed(err, path, errno);
				goto done;
			}
			if (r == 0)
				break;
			nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
			if (nb == NULL) {
				rc = read_failed(err, path, ENOMEM);
				goto done;
			}
			buf = nb;
			cap *= 2;
			buf[n++] = probe;
			continue;
		}
		want = cap - 1 - n;
		r = read(fd, buf + n, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = read_failed(err, path, errno);
			goto done;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* short of what it asked for: the end (Linux returns at most
		 * about 2 GB a call, so a larger ask is read on) */
		if ((size_t)r < want && want < ((size_t)1 << 30))
			break;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
done:
	close(fd);
	free(buf);
	return rc;
}

/* Reads a file of the work tree (open_in_vault). Out of memory is -1
 * here, as vl_source_ops.read says: the check reports the note as not
 * read ("out of memory reading ..."). */
static int dir_read(vl_source *src, size_t i, char **out, size_t *len, vl_error *err)
{
	const char *path = src->files[i].path;
	int fd = open_in_vault(src, path, err);

	if (fd < 0 || read_note_fd(fd, path, out, len, err) < 0)
		return -1;
	return 0;
}

int vl_read_in_vault(const char *vault, const char *path, char **out, size_t *len,
	vl_error *err)
{
	char *root = realpath(vault, NULL), eb[128];
	int root_fd, fd;

	*out = NULL;
	*len = 0;
	if (root == NULL) {
		if (errno == ENOMEM)
			return read_failed(err, path, ENOMEM);
		return vl_error_set(err, "cannot read '%s': the vault folder: %s", path,
			errstr(errno, eb, sizeof(eb)));
	}
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = open_beneath(root_fd, root, path, err);
	if (root_fd >= 0)
		close(root_fd);
	free(root);
	return fd < 0 ? fd : read_note_fd(fd, path, out, len, err);
}

static void dir_free(vl_source *src)
{
	dir_src *d = src->impl;

	if (d != NULL && d->root_fd >= 0)
		close(d->root_fd);
	free(d);
	src->impl = NULL;
}

static const vl_source_ops dir_ops = { dir_read, dir_free };
