/*
 * source.c: the parts of a vl_source every implementation shares: the
 * file list (adding, sorting, finding), listing problems, ignore globs,
 * and the generic read/free entry points.
 */
#include "source.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int vl_source_read(vl_source *src, size_t i, char **out, size_t *len, vl_error *err)
{
	*out = NULL;
	*len = 0;
	if (src == NULL || src->ops == NULL || src->ops->read == NULL)
		return vl_error_set(err, "internal error: source cannot read files");
	if (i >= src->n_files)
		return vl_error_set(err, "internal error: file %zu out of range", i);
	return src->ops->read(src, i, out, len, err);
}

size_t vl_source_lower(const vl_source *src, size_t n, const char *path)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(src->files[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long vl_source_find(const vl_source *src, const char *path)
{
	size_t at;

	if (src == NULL || path == NULL)
		return -1;
	at = vl_source_lower(src, src->n_files, path);
	return at < src->n_files && strcmp(src->files[at].path, path) == 0 ? (long)at : -1;
}

int vl_source_is_note_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t n = strlen(name);

	return n > 3 && strcasecmp(name + n - 3, ".md") == 0;
}

int vl_source_add(vl_source *src, const char *path, uint64_t size, const char *oid)
{
	vl_file f;

	memset(&f, 0, sizeof(f));
	f.path = vl_arena_strndup(&src->paths, path, strlen(path));
	if (f.path == NULL)
		return -1;
	f.size = size;
	f.is_note = vl_source_is_note_path(path);
	f.oid = "";
	if (oid != NULL && oid[0] != '\0') {
		/* a hex id is 40 characters (64 for SHA-256 repositories) */
		f.oid = vl_arena_strndup(&src->paths, oid, strnlen(oid, 64));
		if (f.oid == NULL)
			return -1;
	}
	/* on failure the path's copy stays in the arena, freed with it */
	return VL_PUSH(src->files, src->n_files, src->cap_files, f);
}

int vl_source_add_problem(vl_source *src, const char *path, const char *fmt, ...)
{
	struct vl_source_problem p = { NULL, NULL, 0 };
	vl_buf msg = VL_BUF_INIT;
	va_list ap;
	int rc = -1;

	va_start(ap, fmt);
	rc = vl_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0)
		goto done;
	rc = -1;
	p.path = strdup(path ? path : "");
	if (p.path == NULL)
		goto done;
	p.message = vl_buf_detach(&msg);
	if (p.message == NULL)
		p.message = strdup("");
	if (p.message == NULL)
		goto done;
	if (VL_PUSH(src->problems, src->n_problems, src->cap_problems, p) < 0)
		goto done;
	p.path = NULL;
	p.message = NULL;
	rc = 0;
done:
	free(p.path);
	free(p.message);
	vl_buf_release(&msg);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const vl_file *)a)->path, ((const vl_file *)b)->path);
}

static int cmp_problem(const void *a, const void *b)
{
	const struct vl_source_problem *pa = a, *pb = b;
	int c = strcmp(pa->path, pb->path);

	return c ? c : strcmp(pa->message, pb->message);
}

void vl_source_sort(vl_source *src)
{
	if (src == NULL)
		return;
	if (src->n_files > 1)
		qsort(src->files, src->n_files, sizeof(*src->files), cmp_file);
	/* The listing is complete: give back what doubling left unused
	 * (up to half the array; realloc shrinks in place). */
	if (src->n_files > 0 && src->cap_files > src->n_files) {
		vl_file *f = realloc(src->files, src->n_files * sizeof(*f));

		if (f != NULL) {
			src->files = f;
			src->cap_files = src->n_files;
		}
	}
	if (src->n_problems > 1)
		qsort(src->problems, src->n_problems, sizeof(*src->problems), cmp_problem);
}

int vl_source_ignored(const vl_source_opts *opts, const char *path)
{
	size_t i;

	if (opts == NULL || opts->ignore == NULL)
		return 0;
	for (i = 0; i < opts->n_ignore; i++) {
		if (opts->ignore[i] != NULL && vl_glob_match(opts->ignore[i], path))
			return 1;
	}
	return 0;
}

/* ops->free releases the implementation's own state (impl); the shared
 * fields (files and their paths, problems, root) and the struct itself
 * are freed here. */
void vl_source_free(vl_source *src)
{
	size_t i;

	if (src == NULL)
		return;
	if (src->ops != NULL && src->ops->free != NULL)
		src->ops->free(src);
	free(src->files);
	vl_arena_release(&src->paths);
	for (i = 0; i < src->n_problems; i++) {
		free(src->problems[i].path);
		free(src->problems[i].message);
	}
	free(src->problems);
	free(src->root);
	free(src);
}
