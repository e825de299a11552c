/*
 * oom.c: an LD_PRELOAD library for tests/e2e/oom.sh. It makes one call
 * to malloc, calloc or realloc fail (the VL_OOM_AT-th, counting from the
 * first of the process; 0 or unset: none) as if memory had run out, and
 * writes how many calls there were to the file VL_OOM_COUNT names, if
 * any, when the process ends normally.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static atomic_long calls;
static atomic_long fail_at = -1;

/* Whether this call is the one to fail. getenv allocates nothing. */
static int fails(void)
{
	long at = atomic_load(&fail_at), n;

	if (at < 0) {
		const char *s = getenv("VL_OOM_AT");

		at = s ? atol(s) : 0;
		atomic_store(&fail_at, at);
	}
	n = atomic_fetch_add(&calls, 1) + 1;
	if (at > 0 && n == at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	return fails() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return fails() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return fails() ? NULL : __libc_realloc(p, n);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("VL_OOM_COUNT");
	FILE *f;

	if (path == NULL)
		return;
	/* fopen allocates: not counted, the count is taken first */
	{
		long n = atomic_load(&calls);

		atomic_store(&fail_at, 0);
		f = fopen(path, "w");
		if (f != NULL) {
			fprintf(f, "%ld\n", n);
			fclose(f);
		}
	}
}
