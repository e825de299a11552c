/*
 * main.c: the dispatcher. A sorted table of subcommands, in the manner of
 * git's cmd_struct and libgit2's lg2.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "cmd.h"

static const vl_cmd commands[] = {
	{ "changelog", cmd_changelog, "entries added, removed, changed or moved between commits" },
	{ "check",     cmd_check,     "lint the vault (or what is staged)" },
	{ "commit",    cmd_commit,    "stage every change in the vault and commit it" },
	{ "hook",      cmd_hook,      "install, uninstall or show the git pre-commit hook" },
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
	if (argc > 1) {
		cli_error("version: unexpected argument '%s'", argv[1]);
		fprintf(stderr, "usage: vaultlint version\n");
		return VL_EXIT_ERROR;
	}
	printf("vaultlint %s\n", VL_VERSION);
	return VL_EXIT_OK;
}

/*
 * Page faults. The first touch of each 4 KB page of fresh memory is a
 * page fault, and on a virtual machine a fault can cost microseconds: a
 * check of 50,000 notes after an edit, which touches about 100 MB, spent
 * more time in faults than in its own work (see README, "Performance").
 * So the heap is made ready for transparent huge pages, one fault per 2
 * MB: grown at once by HEAP_RESERVE bytes of address space (not memory: a
 * page is used only when touched) that are advised MADV_HUGEPAGE, with
 * blocks under 32 MB taken from it rather than mapped each on its own,
 * and freed memory kept in it for reuse. Only with glibc's malloc (not
 * under a sanitizer's or valgrind's, which leave the heap alone: then
 * nothing is advised); a kernel without huge pages ignores the advice.
 * Nothing is changed where address space reserved ahead would count as
 * memory used: a kernel that does not overcommit (vm.overcommit_memory
 * 2: the reservation would count against the commit limit for the whole
 * run, and again for every fork), or a limit on the address space or
 * the data segment.
 */
#define HEAP_RESERVE ((size_t)512 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
static int reserve_allowed(void)
{
	struct rlimit rl;
	char mode = '0';
	int fd = open("/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &mode, 1) != 1)
			mode = '2';
		close(fd);
	}
	if (mode == '2')
		return 0;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		return 0;
	return !(getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY);
}
#endif

static void tune_memory(void)
{
#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
	uintptr_t before, after, from, to;
	void *p;

	if (sizeof(void *) < 8 || !reserve_allowed() || mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1 ||
	    mallopt(M_TRIM_THRESHOLD, 1 << 30) != 1 || mallopt(M_TOP_PAD, HEAP_RESERVE) != 1)
		return;
	before = (uintptr_t)sbrk(0);
	p = malloc(1 << 20);
	after = (uintptr_t)sbrk(0);
	(void)mallopt(M_TOP_PAD, 1 << 20);
	if (p == NULL)
		return;
	from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	to = after & ~(HUGE_PAGE - 1);
	/* the block must lie in what the heap just grew by */
	if (after > before && (uintptr_t)p >= before && (uintptr_t)p < after && to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
	free(p);
#endif
}

int main(int argc, char **argv)
{
	size_t i;

	tune_memory();

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
