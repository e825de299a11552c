/*
 * hook.c: `vaultlint hook install|uninstall|show`: the git pre-commit hook
 * that runs `vaultlint check --staged`. The script is embedded here and
 * must stay byte for byte equal to hooks/pre-commit (tests/e2e/git_hook.sh
 * compares `vaultlint hook show` with it).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "../src/git/git.h"

/* The line that marks a hook as ours. */
static const char hook_marker[] = "# vaultlint pre-commit hook";

static const char hook_script[] =
	"#!/bin/sh\n"
	"# vaultlint pre-commit hook\n"
	"# Lints what is staged with `vaultlint check --staged` and blocks the commit\n"
	"# when it finds errors. Installed by `vaultlint hook install`; removed by\n"
	"# `vaultlint hook uninstall`. Set VAULTLINT to the binary when it is not on\n"
	"# PATH. Bypass once with: git commit --no-verify\n"
	"vl=${VAULTLINT:-vaultlint}\n"
	"if ! command -v \"$vl\" >/dev/null 2>&1; then\n"
	"	echo \"vaultlint pre-commit hook: cannot find '$vl' (put it on PATH or set VAULTLINT)\" >&2\n"
	"	echo \"to commit anyway: git commit --no-verify\" >&2\n"
	"	exit 1\n"
	"fi\n"
	"\"$vl\" check --staged\n"
	"rc=$?\n"
	"if [ \"$rc\" -ne 0 ]; then\n"
	"	echo \"vaultlint pre-commit hook: commit stopped (exit $rc).\" >&2\n"
	"	echo \"Fix the findings above, or bypass once with: git commit --no-verify\" >&2\n"
	"fi\n"
	"exit \"$rc\"\n";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vaultlint hook install [--force]\n"
		"       vaultlint hook uninstall\n"
		"       vaultlint hook show\n\n"
		"Manages the git pre-commit hook that runs 'vaultlint check --staged'\n"
		"before each commit of the repository in the current folder.\n\n"
		"  install      writes the hook into the hooks folder (core.hooksPath when\n"
		"               set); an existing hook of ours is updated\n"
		"  --force      replace a hook vaultlint did not write, keeping it as\n"
		"               pre-commit.vaultlint-backup\n"
		"  uninstall    removes our hook and restores the backup if there is one\n"
		"  show         prints the hook script\n"
		"  -h, --help   show this help\n\n"
		"Bypass the hook once with 'git commit --no-verify'.\n"
		"exit codes: 0 ok, 2 not a repository, a foreign hook, or an I/O error\n");
}

/* Creates dir and its missing parents (mode 755). */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir), *s;
	int rc = -1;

	if (p == NULL)
		return -1;
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST)
				goto done;
			*s = c;
			if (c == '\0')
				break;
		}
	}
	rc = 0;
done:
	free(p);
	return rc;
}

/* A hook larger than this is no hook of ours, and is not read. */
#define HOOK_MAX (16u << 20)

/* Reads the whole file; NULL when it does not exist or cannot be read
 * (errno tells which; EINVAL: not a regular file, or over HOOK_MAX).
 * O_NONBLOCK: a FIFO there must not hang the command. */
static char *slurp(const char *path)
{
	unsigned char *buf = NULL;
	size_t n = 0;

	if (vl_read_fd(open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), HOOK_MAX, &buf, &n) < 0)
		return NULL;
	buf[n] = '\0';
	return (char *)buf;
}

/* Says why the hook at path could not be read (after slurp). */
static void read_failed(const char *path)
{
	if (errno == EINVAL)
		cli_error("cannot read '%s': not a regular file, or larger than 16 MB; "
			"move it away", path);
	else
		cli_error("cannot read '%s': %s", path, strerror(errno));
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Writes the script through a temporary file and a rename, so a failed
 * write never leaves half a hook. */
static int write_hook(const char *path)
{
	vl_buf tmp = VL_BUF_INIT;
	FILE *f = NULL;
	size_t n = strlen(hook_script);
	int rc = -1;

	if (vl_buf_printf(&tmp, "%s.vaultlint-tmp", path) < 0)
		goto done;
	f = fopen(tmp.ptr, "wb");
	if (f == NULL)
		goto done;
	if (fwrite(hook_script, 1, n, f) != n) {
		fclose(f);
		goto done;
	}
	if (fclose(f) != 0)
		goto done;
	if (chmod(tmp.ptr, 0755) != 0 || rename(tmp.ptr, path) != 0)
		goto done;
	rc = 0;
done:
	if (rc < 0 && tmp.ptr != NULL)
		unlink(tmp.ptr);
	vl_buf_release(&tmp);
	return rc;
}

/* Finds the hooks folder of the repository holding the current folder. */
static int hooks_dir(char **out)
{
	vl_repo *repo = NULL;
	vl_error err;
	char *cwd = getcwd(NULL, 0);
	int r;

	*out = NULL;
	if (cwd == NULL) {
		cli_error("cannot read the current folder");
		return -1;
	}
	r = vl_repo_open(&repo, cwd, &err);
	if (r > 0)
		cli_error("not a git repository: '%s'", cwd);
	else if (r < 0)
		cli_error("%s", err.msg);
	else if (vl_repo_hooks_dir(out, repo, &err) < 0) {
		cli_error("%s", err.msg);
		r = -1;
	}
	vl_repo_free(repo);
	free(cwd);
	return r == 0 ? 0 : -1;
}

static int hook_install(int force)
{
	char *dir = NULL, *old = NULL;
	vl_buf path = VL_BUF_INIT, backup = VL_BUF_INIT;
	int rc = VL_EXIT_ERROR, ours = 0, had = 0;

	if (hooks_dir(&dir) < 0)
		goto done;
	if (vl_buf_printf(&path, "%s/pre-commit", dir) < 0 ||
	    vl_buf_printf(&backup, "%s/pre-commit.vaultlint-backup", dir) < 0) {
		cli_error("out of memory");
		goto done;
	}
	if (make_dirs(dir) < 0) {
		cli_error("cannot create the hooks folder '%s': %s", dir, strerror(errno));
		goto done;
	}
	had = exists(path.ptr);
	if (had) {
		old = slurp(path.ptr);
		if (old == NULL) {
			read_failed(path.ptr);
			goto done;
		}
		ours = strstr(old, hook_marker) != NULL;
	}
	if (had && !ours) {
		if (!force) {
			cli_error("'%s' is a pre-commit hook that vaultlint did not write; "
				"use --force to replace it (it is kept as pre-commit.vaultlint-backup)",
				path.ptr);
			goto done;
		}
		if (exists(backup.ptr)) {
			cli_error("'%s' already exists; move it away first so that no hook is lost",
				backup.ptr);
			goto done;
		}
		if (rename(path.ptr, backup.ptr) != 0) {
			cli_error("cannot back up '%s': %s", path.ptr, strerror(errno));
			goto done;
		}
		printf("kept the previous hook as %s\n", backup.ptr);
	}
	if (write_hook(path.ptr) < 0) {
		cli_error("cannot write '%s': %s", path.ptr, strerror(errno));
		goto done;
	}
	printf("%s the vaultlint pre-commit hook: %s\n", ours ? "updated" : "installed",
		path.ptr);
	rc = VL_EXIT_OK;
done:
	free(dir);
	free(old);
	vl_buf_release(&path);
	vl_buf_release(&backup);
	return rc;
}

static int hook_uninstall(void)
{
	char *dir = NULL, *old = NULL;
	vl_buf path = VL_BUF_INIT, backup = VL_BUF_INIT;
	int rc = VL_EXIT_ERROR;

	if (hooks_dir(&dir) < 0)
		goto done;
	if (vl_buf_printf(&path, "%s/pre-commit", dir) < 0 ||
	    vl_buf_printf(&backup, "%s/pre-commit.vaultlint-backup", dir) < 0) {
		cli_error("out of memory");
		goto done;
	}
	if (!exists(path.ptr)) {
		printf("no pre-commit hook to remove in %s\n", dir);
		rc = VL_EXIT_OK;
		goto done;
	}
	old = slurp(path.ptr);
	if (old == NULL) {
		read_failed(path.ptr);
		goto done;
	}
	if (strstr(old, hook_marker) == NULL) {
		cli_error("'%s' was not written by vaultlint; leaving it alone", path.ptr);
		goto done;
	}
	if (unlink(path.ptr) != 0) {
		cli_error("cannot remove '%s': %s", path.ptr, strerror(errno));
		goto done;
	}
	printf("removed the vaultlint pre-commit hook: %s\n", path.ptr);
	if (exists(backup.ptr)) {
		if (rename(backup.ptr, path.ptr) != 0) {
			cli_error("cannot restore '%s': %s", backup.ptr, strerror(errno));
			goto done;
		}
		printf("restored the previous hook from %s\n", backup.ptr);
	}
	rc = VL_EXIT_OK;
done:
	free(dir);
	free(old);
	vl_buf_release(&path);
	vl_buf_release(&backup);
	return rc;
}

int cmd_hook(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *action;
	int c, force = 0;

	if (argc < 2) {
		usage(stderr);
		return VL_EXIT_ERROR;
	}
	action = argv[1];
	if (cli_is_help(action)) {
		usage(stdout);
		return VL_EXIT_OK;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': force = 1; break;
		case 'h':
			usage(stdout);
			return VL_EXIT_OK;
		default:
			cli_error("unknown option '%s'; see 'vaultlint hook --help'", argv[optind]);
			return VL_EXIT_ERROR;
		}
	}
	if (optind < argc - 1) {
		cli_error("unexpected argument '%s'; see 'vaultlint hook --help'", argv[optind + 1]);
		return VL_EXIT_ERROR;
	}
	if (strcmp(action, "install") == 0)
		return hook_install(force);
	if (force) {
		cli_error("--force goes with 'hook install'");
		return VL_EXIT_ERROR;
	}
	if (strcmp(action, "uninstall") == 0)
		return hook_uninstall();
	if (strcmp(action, "show") == 0) {
		fputs(hook_script, stdout);
		return fflush(stdout) == 0 ? VL_EXIT_OK : VL_EXIT_ERROR;
	}
	cli_error("unknown hook action '%s'; use install, uninstall or show", action);
	return VL_EXIT_ERROR;
}
