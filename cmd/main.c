/*
 * main.c: the dispatcher. A sorted table of subcommands, in the manner of
 * git's cmd_struct and libgit2's lg2.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const vl_cmd commands[] = {
	{ "changelog", cmd_changelog, "entries added, removed, changed or moved between commits" },
	{ "check",     cmd_check,     "lint the vault (or what is staged)" },
	{ "commit",    cmd_commit,    "stage every change in the vault and commit it" },
	{ "hook",      cmd_hook,      "install or uninstall the git pre-commit hook" },
	{ "rules",     cmd_rules,     "list the rules and their default severities" },
	{ "sync",      cmd_sync,      "commit, fetch, merge and push the vault, losing nothing" },
	{ "version",   cmd_version,   "print the version" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: vaultlint <command> [options] [args]\n\n"
		"Lints and syncs an Obsidian-style vault kept in git.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'vaultlint <command> --help' describes a command.\n"
		"exit codes: 0 ok, 1 findings (or sync conflicts), 2 usage/config/I/O error\n");
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && cli_is_help(argv[1])) {
		printf("usage: vaultlint version\n\nPrints the version.\n");
		return VL_EXIT_OK;
	}
	printf("vaultlint %s\n", VL_VERSION);
	return VL_EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return VL_EXIT_ERROR;
	}
	if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return VL_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s'; 'vaultlint --help' lists the commands", argv[1]);
	return VL_EXIT_ERROR;
}
