/*
 * common.c: what every command needs: finding the vault and its config,
 * error printing, colour and help detection.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "../src/git/sync.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vaultlint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_getopt_error(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (c == ':')
		cli_error("option '%s' needs a value; see 'vaultlint %s --help'", arg, cmd);
	else if (optopt && arg[0] == '-' && arg[1] != '-')
		cli_error("unknown option '-%c'; see 'vaultlint %s --help'", optopt, cmd);
	else
		cli_error("unknown option '%s'; see 'vaultlint %s --help'", arg, cmd);
}

int cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_use_color(FILE *stream)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && nc[0])
		return 0;
	return isatty(fileno(stream));
}

static char *dir_of(const char *path)
{
	char *d = strdup(path);
	char *slash;

	if (!d)
		return NULL;
	slash = strrchr(d, '/');
	if (slash == d)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(d, ".");
	return d;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* The enclosing git work tree: the nearest folder upwards holding `.git`. */
static char *find_repo_root(const char *dir)
{
	char *cur = strdup(dir);

	while (cur) {
		char *g = join(cur, ".git");
		struct stat st;
		int found = g && stat(g, &st) == 0;
		char *up;

		free(g);
		if (found)
			return cur;
		if (strcmp(cur, "/") == 0)
			break;
		up = dir_of(cur);
		free(cur);
		cur = up;
	}
	free(cur);
	return NULL;
}

/* Why realpath or getcwd failed, said for a user: a failed allocation
 * inside them (ENOMEM; EINVAL from glibc's realpath when its buffer could
 * not be had) is "out of memory". */
static const char *why_not(int e)
{
	return e == ENOMEM || e == EINVAL ? "out of memory" : strerror(e);
}

/* A config found by the search (not given with --config) that is a
 * symlink out of the repository holding it (or out of its own folder,
 * outside git) is not read: vaultlint reads nothing outside the vault and
 * its repository. Returns 0, or -1 after saying so. */
static int config_inside(const char *cfg_path)
{
	char *real = realpath(cfg_path, NULL), *dir = dir_of(cfg_path), *root = NULL;
	char *rdir = dir ? realpath(dir, NULL) : NULL;
	int rc = -1;

	if (real == NULL || rdir == NULL) {
		cli_error("cannot resolve the config '%s': %s", cfg_path, why_not(errno));
		goto done;
	}
	root = find_repo_root(rdir);
	if (!vl_path_within(root ? root : rdir, strlen(root ? root : rdir), real)) {
		cli_error("'%s' leads to '%s', outside the %s; vaultlint reads nothing "
			"there (give it with --config to use it)", cfg_path, real,
			root ? "repository" : "folder of the config");
		goto done;
	}
	rc = 0;
done:
	free(real);
	free(dir);
	free(rdir);
	free(root);
	return rc;
}

int cli_vault_setup(vl_cli_vault *out, const char *vault_arg, const char *config_arg)
{
	vl_error err;
	char *cfg_path = NULL, *start = NULL, *vault = NULL;
	char real[PATH_MAX];
	struct stat st;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (vl_config_init(&out->config, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (vault_arg) {
		if (stat(vault_arg, &st) != 0) {
			cli_error("vault folder '%s' does not exist", vault_arg);
			goto done;
		}
		if (!S_ISDIR(st.st_mode)) {
			cli_error("'%s' is not a folder; give the vault's folder", vault_arg);
			goto done;
		}
		start = realpath(vault_arg, NULL);
	} else {
		start = getcwd(NULL, 0);
	}
	if (!start) {
		int e = errno;

		cli_error("cannot resolve the vault folder: %s%s", why_not(e),
			vault_arg || e != ENOENT ? "" : " (was the current folder removed?)");
		goto done;
	}
	if (config_arg) {
		if (stat(config_arg, &st) != 0) {
			cli_error("config file '%s' does not exist", config_arg);
			goto done;
		}
		cfg_path = strdup(config_arg);
	} else if (vl_config_find(&cfg_path, start, &err) < 0) {
		cli_error("%s", err.msg);
		goto done;
	} else if (cfg_path != NULL && config_inside(cfg_path) < 0) {
		goto done;
	}
	if (cfg_path && vl_config_load(&out->config, cfg_path, &err) < 0) {
		cli_error("%s", err.msg);
		goto done;
	}
	/* `vault:` names the vault folder when none is given, or when the
	 * folder given is the config's own (the repository root). */
	if (out->config.vault && out->config.base_dir &&
	    (!vault_arg || (realpath(out->config.base_dir, real) &&
	     strcmp(real, start) == 0))) {
		vault = join(out->config.base_dir, out->config.vault);
		if (!vault || stat(vault, &st) != 0 || !S_ISDIR(st.st_mode)) {
			cli_error("%s: 'vault: %s' is not a folder", out->config.file,
				out->config.vault);
			goto done;
		}
		free(start);
		start = realpath(vault, NULL);
		if (!start) {
			cli_error("cannot resolve '%s'", vault);
			goto done;
		}
		/* the vault is the config's folder or one inside it: never
		 * `vault: ../../etc` */
		if (!realpath(out->config.base_dir, real) ||
		    !vl_path_within(real, strlen(real), start)) {
			cli_error("%s: 'vault: %s' leaves the folder of the config; give a "
				"folder inside it", out->config.file, out->config.vault);
			goto done;
		}
	}
	out->vault_dir = start;
	start = NULL;
	out->repo_root = find_repo_root(out->vault_dir);
	if (out->repo_root) {
		size_t lr = strlen(out->repo_root);
		const char *rest = out->vault_dir + lr;
		if (strcmp(out->repo_root, "/") == 0)
			rest = out->vault_dir + 1;
		while (*rest == '/')
			rest++;
		out->vault_prefix = strdup(rest);
	}
	rc = 0;
done:
	free(cfg_path);
	free(start);
	free(vault);
	if (rc < 0)
		cli_vault_release(out);
	return rc;
}

void cli_vault_release(vl_cli_vault *v)
{
	if (!v)
		return;
	vl_config_release(&v->config);
	free(v->vault_dir);
	free(v->repo_root);
	free(v->vault_prefix);
	memset(v, 0, sizeof(*v));
}

int cli_report_commit(const vl_sync_result *res)
{
	const char *msg = res->message, *nl = msg ? strchr(msg, '\n') : NULL;
	size_t i;

	if (res->committed)
		printf("committed %.7s: %.*s\n", res->commit,
			msg ? (nl ? (int)(nl - msg) : (int)strlen(msg)) : 0, msg ? msg : "");
	for (i = 0; i < res->n_nested; i++)
		printf("left out %s: a git repository of its own; commit in it, or list it "
			"in .gitignore\n", res->nested[i]);
	return res->committed;
}
