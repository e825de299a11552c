/*
 * oom.c: an LD_PRELOAD library for tests/e2e/oom.sh. It makes one call
 * to malloc, calloc or realloc fail (the VL_OOM_AT-th, counting from the
 * first of the process; 0 or unset: none) as if memory had run out, and
 * writes how many calls there were to the file VL_OOM_COUNT names, if
 * any, when the process ends normally.
 *
 * VL_OOM_SKIP names a library (a part of its file name, "libgit2") whose
 * allocations are neither counted nor failed: a call with a frame of
 * that library anywhere on its stack, also one it makes through the C
 * library (strdup, realpath...). libgit2 1.5 crashes on some failures of
 * its own allocations; the sweep is of vaultlint's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static atomic_long calls;
static atomic_long fail_at = -1;

/* The code of the skipped library: up to 8 executable segments. */
#define SKIP_MAX 8
static uintptr_t skip_lo[SKIP_MAX], skip_hi[SKIP_MAX];
static int n_skip;
/* Set while the shim itself allocates (backtrace's first call loads
 * libgcc_s): such calls go through uncounted. */
static __thread int busy __attribute__((tls_model("initial-exec")));

static int find_skipped(struct dl_phdr_info *info, size_t size, void *name)
{
	int i;

	(void)size;
	if (info->dlpi_name == NULL || strstr(info->dlpi_name, name) == NULL)
		return 0;
	for (i = 0; i < info->dlpi_phnum && n_skip < SKIP_MAX; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			skip_lo[n_skip] = info->dlpi_addr + ph->p_vaddr;
			skip_hi[n_skip] = skip_lo[n_skip] + ph->p_memsz;
			n_skip++;
		}
	}
	return 0;
}

/* Every object is mapped before any constructor runs: the skipped
 * library's code is found here, and backtrace made ready. */
__attribute__((constructor)) static void setup(void)
{
	const char *name = getenv("VL_OOM_SKIP");
	void *frame[4];

	if (name == NULL || name[0] == '\0')
		return;
	dl_iterate_phdr(find_skipped, (void *)name);
	busy = 1;
	(void)backtrace(frame, 4);
	busy = 0;
}

/* Whether the skipped library is on the stack of this call. */
static int skipped(void)
{
	void *frame[128];
	int n, i, k;

	if (n_skip == 0)
		return 0;
	busy = 1;
	n = backtrace(frame, 128);
	busy = 0;
	for (i = 0; i < n; i++)
		for (k = 0; k < n_skip; k++)
			if ((uintptr_t)frame[i] >= skip_lo[k] && (uintptr_t)frame[i] < skip_hi[k])
				return 1;
	return 0;
}

/* Whether this call is the one to fail. getenv allocates nothing. */
static int fails(void)
{
	long at = atomic_load(&fail_at), n;

	if (busy || skipped())
		return 0;
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
