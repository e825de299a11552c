/*
 * sync.c: `vaultlint sync`, commit, fetch, merge and push without ever
 * losing an edit. The library (src/git/sync.c) does the work and reports;
 * this file parses options, shows progress on a terminal and explains the
 * outcome, conflicts first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../src/git/sync.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: vaultlint sync [--remote NAME] [--branch NAME] [--no-push] [--no-verify]\n"
		"                      [--config FILE] [VAULT]\n\n"
		"Commits the vault's changes (as 'vaultlint commit'), fetches, fast-forwards or\n"
		"merges, and pushes, retrying up to 3 times when the remote moved meanwhile.\n"
		"Then checks that the remote branch equals the local one. Works on the whole\n"
		"repository; commits only the vault folder.\n\n"
		"Nothing is ever lost: when both sides changed a note, your version stays in\n"
		"the note and the other side's is saved next to it as NOTE.conflict-<hash>.md;\n"
		"both are committed and pushed. Merge them by hand, delete the .conflict file\n"
		"and sync again. A note deleted on one side and edited on the other is kept.\n"
		"A file and a folder of one name both stay (the file as NAME.conflict-<hash>).\n\n"
		"Refuses to start during a merge or rebase, on a detached HEAD, in a repository\n"
		"whose attributes use a git filter (Git LFS, clean/smudge: libgit2 cannot run\n"
		"them), or while another sync runs (lock .git/vaultlint-sync.lock; a lock left\n"
		"by a dead process is removed, and an interrupted sync is completed).\n\n"
		"options:\n"
		"  --remote NAME   remote to sync with (default: config 'sync: remote:', else origin)\n"
		"  --branch NAME   remote branch (default: config 'sync: branch:', else the current one)\n"
		"  --no-push       commit, fetch and merge only\n"
		"  --no-verify     do not run the pre-commit hook\n"
		"  --config FILE   the configuration file\n"
		"  -h, --help      show this help\n\n"
		"credentials: ssh-agent, then the key in git config vaultlint.sshKey; for HTTPS\n"
		"the token in the environment variable VAULTLINT_TOKEN (never printed).\n\n"
		"exit codes: 0 in sync, 1 conflicts kept side by side (see above), 2 error or\n"
		"refused to start\n");
}

typedef struct progress_state {
	struct timespec start;
	const char *what;
	int shown;
} progress_state;

static double elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
		(double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Shows transfer progress on stderr, only once a transfer has taken more
 * than half a second. */
static void on_progress(const char *what, size_t done, size_t total, void *payload)
{
	progress_state *p = payload;

	if (p->what != what) {
		if (p->shown)
			fputc('\n', stderr);
		p->what = what;
		p->shown = 0;
		clock_gettime(CLOCK_MONOTONIC, &p->start);
	}
	if (!p->shown && elapsed(&p->start) < 0.5)
		return;
	p->shown = 1;
	if (total)
		fprintf(stderr, "\r%s: %3zu%% (%zu/%zu)", what, done * 100 / total, done, total);
	else
		fprintf(stderr, "\r%s: %zu", what, done);
}

static int is_new_conflict(const vl_sync_result *res, const char *path)
{
	size_t i;

	for (i = 0; i < res->n_conflicts; i++)
		if (res->conflicts[i].copy && strcmp(res->conflicts[i].copy, path) == 0)
			return 1;
	return 0;
}

/* The conflicts of res of one kind: what happened, one line each, then
 * fix and how to go on. Returns how many there are. */
static size_t report_kind(const vl_sync_result *res, vl_sync_conflict_kind kind,
	const char *fix)
{
	size_t i, n = 0;

	for (i = 0; i < res->n_conflicts; i++)
		n += res->conflicts[i].kind == kind;
	if (n == 0)
		return 0;
	if (kind == VL_SYNC_BOTH_CHANGED)
		printf("conflict: %zu note%s changed on both sides; both versions are kept "
			"and committed:\n", n, n == 1 ? "" : "s");
	else if (kind == VL_SYNC_FILE_FOLDER)
		printf("conflict: a file and a folder have the same name; the folder keeps "
			"it, the file is kept and committed beside it:\n");
	else
		printf("conflict: renamed on both sides to two names; both are kept and "
			"committed:\n");
	for (i = 0; i < res->n_conflicts; i++) {
		const vl_sync_conflict *k = &res->conflicts[i];

		if (k->kind != kind)
			continue;
		if (kind == VL_SYNC_FILE_FOLDER)
			printf("  %s/ (folder)  and  %s (the file)\n", k->path, k->copy);
		else
			printf("  %s%s%s (yours)  and  %s (theirs, from %s/%s)\n",
				k->from ? k->from : "", k->from ? ": " : "", k->path, k->copy,
				res->remote, res->branch);
	}
	printf("%s, then run 'vaultlint sync' again\n", fix);
	return n;
}

/* Explains the outcome; returns the exit code. */
static int report(const vl_sync_result *res)
{
	size_t i, older = 0, found;

	if (res->recovered)
		printf("completed an interrupted sync\n");
	(void)cli_report_commit(res);
	switch (res->merge) {
	case VL_SYNC_NOTHING:
		printf("%s/%s does not exist yet\n", res->remote, res->branch);
		break;
	case VL_SYNC_UP_TO_DATE:
		printf("%s/%s: already up to date\n", res->remote, res->branch);
		break;
	case VL_SYNC_FAST_FORWARD:
		printf("fast-forwarded to %s/%s\n", res->remote, res->branch);
		break;
	case VL_SYNC_MERGED:
		printf("merged %s/%s\n", res->remote, res->branch);
		break;
	}
	if (res->pushed)
		printf("pushed %.7s to %s/%s\n", res->head, res->remote, res->branch);
	for (i = 0; i < res->n_conflicts; i++)
		if (res->conflicts[i].kind == VL_SYNC_KEPT_MODIFIED)
			printf("kept %s: deleted on one side and edited on the other; "
				"the edited version stays\n", res->conflicts[i].path);
	found = report_kind(res, VL_SYNC_BOTH_CHANGED, "to resolve: merge each .conflict "
		"file into its note by hand, delete the .conflict file");
	found += report_kind(res, VL_SYNC_FILE_FOLDER, "to resolve: rename the file or the "
		"folder, delete the .conflict file");
	found += report_kind(res, VL_SYNC_RENAMED_BOTH, "to resolve: merge the two into the "
		"name you want, delete the other");
	for (i = 0; i < res->n_pending; i++)
		if (!is_new_conflict(res, res->pending[i]))
			older++;
	if (older) {
		printf("still to resolve from earlier syncs:\n");
		for (i = 0; i < res->n_pending; i++)
			if (!is_new_conflict(res, res->pending[i]))
				printf("  %s\n", res->pending[i]);
	}
	return found ? VL_EXIT_FINDINGS : VL_EXIT_OK;
}

int cmd_sync(int argc, char **argv)
{
	vl_cli_vault v;
	vl_sync_opts opts;
	vl_sync_result res;
	vl_error err;
	progress_state prog;
	const char *vault_arg = NULL, *config_arg = NULL;
	int i, rc = VL_EXIT_ERROR, have_vault = 0;

	memset(&opts, 0, sizeof(opts));
	memset(&prog, 0, sizeof(prog));
	vl_sync_result_init(&res);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a)) {
			usage(stdout);
			return VL_EXIT_OK;
		} else if (strcmp(a, "--remote") == 0 && i + 1 < argc) {
			opts.remote = argv[++i];
		} else if (strcmp(a, "--branch") == 0 && i + 1 < argc) {
			opts.branch = argv[++i];
		} else if (strcmp(a, "--no-push") == 0) {
			opts.no_push = 1;
		} else {
			int r = cli_commit_arg("sync", argc, argv, &i, &opts,
				&vault_arg, &config_arg);
			if (r <= 0) {
				if (r == 0)
					cli_error("sync: unknown or incomplete option '%s'", a);
				usage(stderr);
				return VL_EXIT_ERROR;
			}
		}
	}
	if (cli_commit_setup(&v, "sync", vault_arg, config_arg, &opts) < 0)
		goto done;
	have_vault = 1;
	if (!opts.remote)
		opts.remote = v.config.sync_remote;
	if (!opts.branch)
		opts.branch = v.config.sync_branch;
	opts.token = getenv("VAULTLINT_TOKEN");
	/* Test-only: a shell command run right before each push attempt. */
	opts.before_push = getenv("VAULTLINT_TEST_BEFORE_PUSH");
	if (isatty(2)) {
		opts.progress = on_progress;
		opts.payload = &prog;
	}
	if (vl_sync_run(&res, v.repo_root, &opts, &err) < 0) {
		if (prog.shown)
			fputc('\n', stderr);
		if (res.committed)
			printf("committed %.7s%s\n", res.commit,
				res.pushed ? " and pushed it" : " locally");
		cli_error("sync: %s", err.msg);
		goto done;
	}
	if (prog.shown)
		fputc('\n', stderr);
	rc = report(&res);
done:
	vl_sync_result_release(&res);
	if (have_vault)
		cli_vault_release(&v);
	return rc;
}
