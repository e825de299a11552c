/*
 * listing_race.c: an LD_PRELOAD library for tests/e2e/listing_race.sh.
 * The walk lists a regular file from its folder entry and takes its stat
 * data later, on every core; this makes that later call see a file that
 * went away (any path holding "Gone.md") or that is now a folder (any
 * path holding "Dir.md"), as a concurrent edit could.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int (*real)(int, const char *, struct stat *, int) =
		(int (*)(int, const char *, struct stat *, int))dlsym(RTLD_NEXT, "fstatat");
	int r;

	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (strstr(path, "Gone.md") != NULL) {
		errno = ENOENT;
		return -1;
	}
	r = real(dirfd, path, st, flags);
	if (r == 0 && strstr(path, "Dir.md") != NULL)
		st->st_mode = S_IFDIR | 0755;
	return r;
}
