/*
 * commit.c: `vaultlint commit`, stage every change in the vault folder and
 * commit it with a message made from the entry-level changelog (or -m).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../src/git/sync.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: vaultlint commit [-m MSG] [--no-verify] [--config FILE] [VAULT]\n\n"
		"Stages every change in the vault folder (new, modified, deleted and renamed\n"
		"notes, honouring .gitignore) and commits it. Without -m the message is made\n"
		"from the change's entries, e.g. 'vault: +3 #PAPER, ~1 #CODE in 2 notes', with\n"
		"the notes listed in the body; set the shape with 'commit: template:' in\n"
		".vaultlint.yaml ({summary}, {notes}). The author comes from the git config.\n"
		"Runs the repository's pre-commit hook (core.hooksPath respected). Refuses a\n"
		"repository whose attributes use a git filter (Git LFS): libgit2 cannot run it.\n\n"
		"options:\n"
		"  -m, --message MSG  the commit message\n"
		"  --no-verify        do not run the pre-commit hook\n"
		"  --config FILE      the configuration file (default: .vaultlint.yaml found\n"
		"                     from the vault up to the repository root)\n"
		"  -h, --help         show this help\n\n"
		"exit codes: 0 committed or nothing to commit, 2 error\n");
}

int cmd_commit(int argc, char **argv)
{
	vl_cli_vault v;
	vl_sync_opts opts;
	vl_sync_result res;
	vl_error err;
	const char *vault_arg = NULL, *config_arg = NULL;
	int i, rc = VL_EXIT_ERROR, have_vault = 0;

	memset(&opts, 0, sizeof(opts));
	vl_sync_result_init(&res);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a)) {
			usage(stdout);
			return VL_EXIT_OK;
		} else if ((strcmp(a, "-m") == 0 || strcmp(a, "--message") == 0) && i + 1 < argc) {
			opts.message = argv[++i];
		} else if (strncmp(a, "--message=", 10) == 0) {
			opts.message = a + 10;
		} else {
			int r = cli_commit_arg("commit", argc, argv, &i, &opts,
				&vault_arg, &config_arg);
			if (r <= 0) {
				if (r == 0)
					cli_error("commit: unknown or incomplete option '%s'", a);
				usage(stderr);
				return VL_EXIT_ERROR;
			}
		}
	}
	if (cli_commit_setup(&v, "commit", vault_arg, config_arg, &opts) < 0)
		goto done;
	have_vault = 1;
	if (vl_commit_run(&res, v.repo_root, &opts, &err) < 0) {
		cli_error("commit: %s", err.msg);
		goto done;
	}
	if (!cli_report_commit(&res))
		printf("nothing to commit: the vault matches the last commit\n");
	rc = VL_EXIT_OK;
done:
	vl_sync_result_release(&res);
	if (have_vault)
		cli_vault_release(&v);
	return rc;
}

int cli_commit_arg(const char *cmd, int argc, char **argv, int *i,
	struct vl_sync_opts *opts, const char **vault_arg, const char **config_arg)
{
	const char *a = argv[*i];

	if (strcmp(a, "--no-verify") == 0) {
		opts->no_verify = 1;
	} else if (strcmp(a, "--config") == 0 && *i + 1 < argc) {
		*config_arg = argv[++*i];
	} else if (a[0] == '-' && a[1]) {
		return 0;
	} else if (!*vault_arg) {
		*vault_arg = a;
	} else {
		cli_error("%s: one vault folder at most", cmd);
		return -1;
	}
	return 1;
}

int cli_commit_setup(vl_cli_vault *v, const char *cmd, const char *vault_arg,
	const char *config_arg, struct vl_sync_opts *opts)
{
	if (cli_vault_setup(v, vault_arg, config_arg) < 0)
		return -1;
	if (!v->repo_root) {
		cli_error("%s: %s is not inside a git repository", cmd, v->vault_dir);
		cli_vault_release(v);
		return -1;
	}
	opts->vault_prefix = v->vault_prefix;
	opts->commit_template = v->config.commit_template;
	return 0;
}
