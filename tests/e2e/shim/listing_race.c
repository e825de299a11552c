/*
 * listing_race.c: an LD_PRELOAD library for tests/e2e/listing_race.sh.
 * The walk lists a regular file from its folder entry and takes its stat
 * data later, on every core; this makes that later call see a file that
 * went away (any path holding "Gone.md") or that is now a folder (any
 * path holding "Dir.md"), as a concurrent edit could. It marks that it
 * played (the file named by LISTING_RACE_MARK), so that the test can
 * tell a C library whose stat calls it does not see (glibc before 2.33,
 * 32-bit builds) from a failure.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void mark(void)
{
	const char *m = getenv("LISTING_RACE_MARK");

	if (m != NULL)
		close(open(m, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

/* What the race does to path: 1 gone, 2 now a folder, 0 nothing. */
static int played(const char *path)
{
	int v = strstr(path, "Gone.md") != NULL ? 1 : strstr(path, "Dir.md") != NULL ? 2 : 0;

	if (v != 0)
		mark();
	return v;
}

/* The call `name` on `type`, with the race played on top of the real
 * one; the same for the plain and the 64-bit stat. */
#define RACE_STAT(name, type) \
int name(int dirfd, const char *path, type *st, int flags) \
{ \
	int (*real)(int, const char *, type *, int) = \
		(int (*)(int, const char *, type *, int))dlsym(RTLD_NEXT, #name); \
	int v = played(path), r; \
	\
	if (real == NULL || v == 1) { \
		errno = real == NULL ? ENOSYS : ENOENT; \
		return -1; \
	} \
	r = real(dirfd, path, st, flags); \
	if (r == 0 && v == 2) \
		st->st_mode = S_IFDIR | 0755; \
	return r; \
}

RACE_STAT(fstatat, struct stat)
RACE_STAT(fstatat64, struct stat64)
