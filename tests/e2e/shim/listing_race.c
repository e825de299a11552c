/*
 * listing_race.c: an LD_PRELOAD library for tests/e2e/listing_race.sh.
 * The walk lists a regular file from its folder entry and takes its stat
 * data later, on every core; this makes that later call see a file that
 * went away (any path holding "Gone.md") or that is now a folder (any
 * path holding "Dir.md"), as a concurrent edit could. It marks that it
 * played (the file named by LISTING_RACE_MARK), so that the test can
 * tell a C library whose stat calls it does not see (glibc before 2.33,
 * 32-bit builds) from a failure.
 *
 * It plays one more race, on reading: when a note is opened with openat2
 * (the walk's reads resolve beneath the vault's folder that way), any path
 * holding "Swap.md" is first made a symlink to the file named by
 * LISTING_RACE_OUTSIDE, outside the vault, as if swapped after the
 * listing. It marks that too (LISTING_RACE_MARK with ".read" added).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void mark_as(const char *suffix)
{
	const char *m = getenv("LISTING_RACE_MARK");
	char path[4096];

	if (m != NULL && snprintf(path, sizeof(path), "%s%s", m, suffix) < (int)sizeof(path))
		close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

static void mark(void)
{
	mark_as("");
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

#ifdef SYS_openat2
long syscall(long number, ...)
{
	long (*real)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	const char *outside = getenv("LISTING_RACE_OUTSIDE");
	long a[6];
	va_list ap;
	int i;

	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (number == SYS_openat2 && outside != NULL &&
	    strstr((const char *)a[1], "Swap.md") != NULL) {
		/* relative to the folder the read resolves beneath */
		if (unlinkat((int)a[0], (const char *)a[1], 0) == 0 &&
		    symlinkat(outside, (int)a[0], (const char *)a[1]) == 0)
			mark_as(".read");
	}
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
#endif
