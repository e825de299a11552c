/*
 * ignore.c: the repository's ignore rules, and the ignore files libgit2
 * must not be asked to read.
 *
 * libgit2 reads an ignore file with a plain open() that follows symlinks,
 * and has no way to skip one file: a .gitignore that is a FIFO hangs it
 * (as it hangs git), and a symlinked one is read wherever it points,
 * outside the repository too (git, since 2.32, refuses to follow a
 * symlinked .gitignore). So vaultlint looks at each file (lstat) before
 * libgit2 may read it: the work-tree walk stops asking git in a folder
 * whose .gitignore is not a regular file (vl_ignore_file_at), and what
 * makes libgit2 walk the work tree itself (a diff with it, staging,
 * status, checkout) is refused while such a file is in its way
 * (vl_git_check_ignores). The exclude files outside the work tree
 * (info/exclude, core.excludesFile) are followed, as git follows them,
 * and must be files when they exist. Staging and checkout (commit, sync)
 * also read every .gitattributes, info/attributes and
 * core.attributesFile: those are held to the same rules there.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Why the rules of an ignore file of each kind cannot be read. */
static const char why_fifo[] = "a FIFO, not a file: neither git (which hangs on it) "
	"nor vaultlint can read ignore rules from it";
static const char why_link[] = "a symlink, not a file: git does not follow a symlinked "
	".gitignore, and vaultlint reads nothing it points to";
static const char why_other[] = "neither a file nor a folder (a socket or a device): "
	"no ignore rules can be read from it";
/* The same for an attributes file, which libgit2 reads as it stages and
 * checks out (commit, sync). */
static const char why_attr_fifo[] = "a FIFO, not a file: neither git (which hangs on it) "
	"nor vaultlint can read attributes from it";
static const char why_attr_link[] = "a symlink, not a file: git does not follow a symlinked "
	".gitattributes, and vaultlint reads nothing it points to";
static const char why_attr_other[] = "neither a file nor a folder (a socket or a device): "
	"no attributes can be read from it";

/* What is wrong with an ignore file of stat data st, or NULL when libgit2
 * may read it (a regular file) or skips it (a folder). */
static const char *why_not(const struct stat *st)
{
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))
		return NULL;
	if (S_ISLNK(st->st_mode))
		return why_link;
	if (S_ISFIFO(st->st_mode))
		return why_fifo;
	return why_other;
}

/* The same for an attributes file. */
static const char *why_not_attr(const struct stat *st)
{
	const char *why = why_not(st);

	return why == why_link ? why_attr_link : why == why_fifo ? why_attr_fifo :
		why == why_other ? why_attr_other : NULL;
}

int vl_ignore_file_at(int dirfd, const char *name, const char **why)
{
	struct stat st;

	*why = NULL;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	*why = why_not(&st);
	return 1;
}

/* Whether the index holds path, or a file under it when it is a folder:
 * git's rules ignore no tracked file, and git enters an ignored folder
 * that holds one. */
static int tracked(git_repository *git, const char *path)
{
	git_index *index = NULL;
	vl_buf under = VL_BUF_INIT;
	size_t at;
	int found = 0, i;

	if (git_repository_index(&index, git) < 0)
		return 0;
	for (i = 0; i <= 3 && !found; i++)
		found = git_index_get_bypath(index, path, i) != NULL;
	if (!found && vl_buf_printf(&under, "%s/", path) == 0)
		found = git_index_find_prefix(&at, index, under.ptr) == 0;
	vl_buf_release(&under);
	git_index_free(index);
	return found;
}

int vl_repo_ignored(vl_repo *repo, const char *path, int *ignored, vl_error *err)
{
	git_repository *git = vl_repo_git(repo);
	int ig = 0, rc;

	*ignored = 0;
	vl_repo_lock(repo);
	rc = git_ignore_path_is_ignored(&ig, git, path);
	if (rc < 0) {
		const git_error *e = git_error_last();

		vl_error_set(err, "%s: %s", path, e && e->message ? e->message : "unknown git error");
	} else if (ig && tracked(git, path)) {
		ig = 0;
	}
	vl_repo_unlock(repo);
	if (rc < 0)
		return -1;
	*ignored = ig;
	return 0;
}

/* Whether the file at path holds at least one ignore rule (a line that is
 * neither blank nor a comment). Opened without blocking and read only
 * when it is a regular file: a FIFO there must not hang the run. */
static int file_has_rules(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	FILE *f;
	char line[1024];
	int found = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		found = *p != '\0' && *p != '\n' && *p != '\r' && *p != '#';
	}
	fclose(f);
	return found;
}

/* git's default global ignore file, when core.excludesFile is not set,
 * into buf (n bytes). Returns 0, or -1 when neither XDG_CONFIG_HOME nor
 * HOME says where it would be. */
static int default_excludes(char *buf, size_t n)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");

	if (xdg != NULL && xdg[0] != '\0')
		snprintf(buf, n, "%s/git/ignore", xdg);
	else if (home != NULL && home[0] != '\0')
		snprintf(buf, n, "%s/.config/git/ignore", home);
	else
		return -1;
	return 0;
}

/* core.excludesFile ("~/" expanded) into *val, when it is set. */
static int config_excludes(git_repository *git, git_buf *val)
{
	git_config *cfg = NULL;
	int found = git_repository_config_snapshot(&cfg, git) == 0 &&
		git_config_get_path(val, cfg, "core.excludesfile") == 0;

	git_config_free(cfg);
	return found;
}

/* The path of info/exclude into buf (n bytes): in the common git folder,
 * where libgit2 reads it, also for a linked work tree (whose own git
 * folder has none). */
static void info_exclude(git_repository *git, char *buf, size_t n)
{
	snprintf(buf, n, "%sinfo/exclude", git_repository_commondir(git));
}

int vl_repo_has_excludes(vl_repo *repo)
{
	git_buf val = { 0 };
	char path[4096];
	int found;

	vl_repo_lock(repo);
	info_exclude(vl_repo_git(repo), path, sizeof(path));
	vl_repo_unlock(repo);
	if (file_has_rules(path))
		return 1;
	vl_repo_lock(repo);
	found = config_excludes(vl_repo_git(repo), &val);
	git_buf_dispose(&val);
	vl_repo_unlock(repo);
	if (found)
		return 1;
	if (default_excludes(path, sizeof(path)) < 0)
		return 0;
	return file_has_rules(path);
}

/* Whether the exclude file at path (followed, as git follows it) is
 * something libgit2 must not read: it sets *why. A path that is not
 * there is fine. */
static int exclude_bad(const char *path, const char **why)
{
	struct stat st;

	*why = NULL;
	if (stat(path, &st) < 0)
		return 0;
	*why = why_not(&st);
	return *why != NULL;
}

/* The exclude files libgit2 reads for every question about ignored paths:
 * info/exclude in the git folder, and core.excludesFile or git's default
 * global ignore file. Returns 1 with *path (malloc'd) and *why set when
 * one is no file, 0 when all are fine, -1 when out of memory. */
static int excludes_bad(git_repository *git, char **path, const char **why)
{
	git_buf val = { 0 };
	char buf[4096];
	int found;

	*path = NULL;
	info_exclude(git, buf, sizeof(buf));
	found = exclude_bad(buf, why);
	if (!found && config_excludes(git, &val)) {
		found = exclude_bad(val.ptr, why);
		if (found)
			snprintf(buf, sizeof(buf), "%s", val.ptr);
	} else if (!found && default_excludes(buf, sizeof(buf)) == 0) {
		found = exclude_bad(buf, why);
	}
	git_buf_dispose(&val);
	if (!found)
		return 0;
	*path = strdup(buf);
	return *path != NULL ? 1 : -1;
}

int vl_repo_bad_excludes(vl_repo *repo, char **path, const char **why)
{
	int rc;

	vl_repo_lock(repo);
	rc = excludes_bad(vl_repo_git(repo), path, why);
	vl_repo_unlock(repo);
	return rc;
}

/* The .gitignore of the folder open on fd (the repository path of the
 * folder is the first n bytes of dir: "" or ending in '/'), and its
 * .gitattributes when attrs: 0 when libgit2 may read them, 1 with err
 * saying what is wrong and what to do. */
static int check_here(int fd, const char *dir, size_t n, const char *what, int attrs,
	vl_error *err)
{
	const char *why;
	struct stat st;

	if (vl_ignore_file_at(fd, ".gitignore", &why) && why != NULL) {
		vl_error_set(err, "%s: '%.*s.gitignore' is %s; remove it or make it a file", what,
			(int)n, dir, why);
		return 1;
	}
	if (attrs && fstatat(fd, ".gitattributes", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (why = why_not_attr(&st)) != NULL) {
		vl_error_set(err, "%s: '%.*s.gitattributes' is %s; remove it or make it a file",
			what, (int)n, dir, why);
		return 1;
	}
	return 0;
}

/* The attributes files outside the work tree that libgit2 reads as it
 * stages (info/attributes, core.attributesFile), followed as git follows
 * them: 1 with err set when one is no file, else 0. */
static int attributes_bad(git_repository *git, const char *what, vl_error *err)
{
	git_config *cfg = NULL;
	git_buf val = { 0 };
	char buf[4096];
	struct stat st;
	const char *why = NULL;
	int found = 0;

	snprintf(buf, sizeof(buf), "%sinfo/attributes", git_repository_commondir(git));
	if (stat(buf, &st) == 0 && (why = why_not_attr(&st)) != NULL)
		found = 1;
	if (!found && git_repository_config_snapshot(&cfg, git) == 0 &&
	    git_config_get_path(&val, cfg, "core.attributesfile") == 0 &&
	    stat(val.ptr, &st) == 0 && (why = why_not_attr(&st)) != NULL) {
		snprintf(buf, sizeof(buf), "%s", val.ptr);
		found = 1;
	}
	git_buf_dispose(&val);
	git_config_free(cfg);
	if (found)
		vl_error_set(err, "%s: '%s' is %s; remove it or make it a file", what, buf, why);
	return found;
}

/* Whether libgit2 enters the folder name, of the folder open on fd, at
 * repository path path: not a repository of its own, and not ignored
 * unless it holds a tracked file. Asking libgit2 whether path is ignored
 * reads only the .gitignore files of the folders above it, which have
 * been looked at by then. */
static int entered(git_repository *git, int fd, const char *name, const char *path)
{
	char sub[NAME_MAX + 8];
	int ig = 0;

	snprintf(sub, sizeof(sub), "%s/.git", name);
	if (faccessat(fd, sub, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (git_ignore_path_is_ignored(&ig, git, path) < 0)
		return 1;
	return !ig || tracked(git, path);
}

/* Empties b, keeping its memory. */
static void buf_reset(vl_buf *b)
{
	b->len = 0;
	if (b->ptr != NULL)
		b->ptr[0] = '\0';
}

/* Opens the work-tree folder whose repository path is the first n bytes
 * of dir; -1 when it cannot be (libgit2 does not enter it either). */
static int open_folder(vl_buf *buf, const char *wd, const char *dir, size_t n)
{
	buf_reset(buf);
	if (vl_buf_printf(buf, "%s%.*s", wd, (int)n, dir) < 0)
		return -1;
	return open(buf->ptr, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int vl_git_check_ignores(struct git_repository *git, const char *prefix, const char *what,
	int attrs, vl_error *err)
{
	const char *wd = git_repository_workdir(git), *why;
	char **queue = NULL, *path = NULL;
	size_t n = 0, cap = 0, i, k, len = strlen(prefix);
	vl_buf buf = VL_BUF_INIT;
	DIR *d = NULL;
	int rc = -1, fd;

	if (wd == NULL)
		return 0;
	rc = excludes_bad(git, &path, &why);
	if (rc > 0)
		vl_error_set(err, "%s: '%s' is %s; remove it or make it a file", what, path, why);
	free(path);
	if (rc == 0 && attrs)
		rc = attributes_bad(git, what, err);
	if (rc != 0)
		goto done;
	/* the folders above the vault's, which libgit2 passes through */
	for (k = 0; k < len; k++) {
		if (k > 0 && prefix[k - 1] != '/')
			continue;
		fd = open_folder(&buf, wd, prefix, k);
		if (fd < 0)
			continue;
		rc = check_here(fd, prefix, k, what, attrs, err);
		close(fd);
		if (rc != 0)
			goto done;
	}
	/* the vault's folder and every folder under it that git enters */
	path = strdup(prefix);
	if (path == NULL || VL_PUSH(queue, n, cap, path) < 0) {
		free(path);
		goto oom;
	}
	for (i = 0; i < n; i++) {
		const char *dir = queue[i];
		struct dirent *de;

		fd = open_folder(&buf, wd, dir, strlen(dir));
		if (fd < 0)
			continue;
		rc = check_here(fd, dir, strlen(dir), what, attrs, err);
		if (rc != 0) {
			close(fd);
			goto done;
		}
		d = fdopendir(fd);
		if (d == NULL) {
			close(fd);
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			const char *name = de->d_name;
			struct stat st;

			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
			    strcmp(name, ".git") == 0)
				continue;
			if (de->d_type != DT_DIR && (de->d_type != DT_UNKNOWN ||
			    fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(st.st_mode)))
				continue;
			buf_reset(&buf);
			if (vl_buf_printf(&buf, "%s%s", dir, name) < 0)
				goto oom;
			if (!entered(git, dirfd(d), name, buf.ptr))
				continue;
			if (vl_buf_putc(&buf, '/') < 0)
				goto oom;
			path = vl_buf_detach(&buf);
			if (path == NULL || VL_PUSH(queue, n, cap, path) < 0) {
				free(path);
				goto oom;
			}
		}
		closedir(d);
		d = NULL;
	}
	rc = 0;
	goto done;
oom:
	rc = vl_error_set(err, "out of memory");
done:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(queue[i]);
	free(queue);
	vl_buf_release(&buf);
	return rc;
}
