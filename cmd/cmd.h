/*
 * cmd.h: the command line. main.c holds the sorted command table; each
 * subcommand is one file. Only cmd/ prints or exits.
 */
#ifndef VL_CMD_H
#define VL_CMD_H

#include <stdio.h>

#include "../src/config.h"
#include "../src/util.h"

/* Exit codes, documented in the README. */
enum {
	VL_EXIT_OK = 0,        /* nothing at or above --fail-on */
	VL_EXIT_FINDINGS = 1,  /* findings at or above --fail-on; sync conflicts */
	VL_EXIT_ERROR = 2      /* usage, config, git or I/O error */
};

typedef struct vl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} vl_cmd;

int cmd_changelog(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Where the vault is and how it is configured, as worked out from the
 * command line (see cli_vault_setup). */
typedef struct vl_cli_vault {
	vl_config config;
	char *vault_dir;    /* absolute path of the vault root */
	char *repo_root;    /* absolute path of the enclosing git work tree, or NULL */
	char *vault_prefix; /* vault_dir relative to repo_root ("" when equal,
	                       NULL outside a repository) */
} vl_cli_vault;

/* Finds the vault and its configuration. vault_arg is the VAULT argument
 * (or NULL: the `vault:` key of the config found from the current folder,
 * else the current folder); config_arg is --config (or NULL: the
 * .vaultlint.yaml found from the vault up to the repository root).
 * Prints an error and returns -1 on failure. */
int cli_vault_setup(vl_cli_vault *out, const char *vault_arg, const char *config_arg);
void cli_vault_release(vl_cli_vault *v);

struct vl_sync_opts;

/* For commit and sync: takes argv[*i] when it is an option both share
 * (--no-verify, --config FILE) or the VAULT argument. Returns 1 when taken,
 * 0 when argv[*i] is none of those, -1 after printing a usage error. */
int cli_commit_arg(const char *cmd, int argc, char **argv, int *i,
	struct vl_sync_opts *opts, const char **vault_arg, const char **config_arg);

/* For commit and sync: finds the vault (cli_vault_setup), insists on a git
 * work tree and fills opts' vault folder and message template. Prints the
 * error and returns -1 on failure (v is then released). */
int cli_commit_setup(vl_cli_vault *v, const char *cmd, const char *vault_arg,
	const char *config_arg, struct vl_sync_opts *opts);

struct vl_sync_result;

/* For commit and sync: prints "committed ID: SUBJECT" when res holds a
 * commit, then each folder left out as a git repository of its own.
 * Returns res->committed. */
int cli_report_commit(const struct vl_sync_result *res);

/* After getopt_long (optstring starting with ':') returned ':' or '?':
 * says which option needs a value or is unknown, and where help is. */
void cli_getopt_error(const char *cmd, int c, char **argv);

/* Prints "vaultlint: " and the message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns 1 when argv[i] is -h or --help. */
int cli_is_help(const char *arg);

/* Colour for stream: only on a terminal, never with NO_COLOR set. */
int cli_use_color(FILE *stream);

#endif
