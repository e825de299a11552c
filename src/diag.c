/*
 * diag.c: the list of findings: adding, merging, sorting and counting.
 */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const severity_names[] = {
	"off", "info", "warning", "error"
};

const char *
vl_severity_name(vl_severity s)
{
	if ((int)s < 0 || (size_t)s >= sizeof(severity_names) / sizeof(severity_names[0]))
		return "unknown";
	return severity_names[s];
}

int
vl_severity_parse(vl_severity *out, const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(severity_names) / sizeof(severity_names[0]); i++) {
		if (strcmp(name, severity_names[i]) == 0) {
			*out = (vl_severity)i;
			return 0;
		}
	}
	return -1;
}

int
vl_diags_vadd(vl_diags *d, const char *path, uint32_t line, uint32_t col,
	const char *rule, vl_severity sev, const char *fmt, va_list ap)
{
	vl_buf msg = VL_BUF_INIT;
	vl_diag item;
	int rc = -1;

	memset(&item, 0, sizeof(item));
	item.path = vl_strndup(path ? path : "", path ? strlen(path) : 0);
	if (item.path == NULL)
		goto done;
	if (vl_buf_vprintf(&msg, fmt ? fmt : "", ap) < 0)
		goto done;
	item.message = vl_buf_detach(&msg);
	if (item.message == NULL)
		goto done;
	item.line = line;
	item.col = col;
	item.rule = rule ? rule : "";
	item.severity = sev;
	if (VL_PUSH(d->items, d->len, d->cap, item) < 0)
		goto done;
	item.path = NULL;
	item.message = NULL;
	rc = 0;
done:
	free(item.path);
	free(item.message);
	vl_buf_release(&msg);
	return rc;
}

int
vl_diags_add(vl_diags *d, const char *path, uint32_t line, uint32_t col,
	const char *rule, vl_severity sev, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vl_diags_vadd(d, path, line, col, rule, sev, fmt, ap);
	va_end(ap);
	return rc;
}

int
vl_diags_append(vl_diags *dst, vl_diags *src)
{
	void *items = dst->items;

	if (src->len == 0)
		return 0;
	if (dst->len == 0) {
		/* nothing to keep: src's array is taken whole, not copied */
		free(dst->items);
		*dst = *src;
		*src = (vl_diags)VL_DIAGS_INIT;
		return 0;
	}
	if (vl_grow(&items, &dst->cap, dst->len + src->len, sizeof(vl_diag)) < 0)
		return -1;
	dst->items = items;
	memcpy(dst->items + dst->len, src->items, src->len * sizeof(vl_diag));
	dst->len += src->len;
	free(src->items);
	src->items = NULL;
	src->len = 0;
	src->cap = 0;
	return 0;
}

int
vl_diag_cmp(const vl_diag *a, const vl_diag *b)
{
	int c = strcmp(a->path, b->path);

	if (c != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	c = strcmp(a->rule, b->rule);
	if (c != 0)
		return c;
	return strcmp(a->message, b->message);
}

/* qsort is not stable, so sort with a merge sort instead; findings that
 * compare equal keep the order in which rules reported them. Falls back to
 * insertion sort when the scratch array cannot be allocated, since sorting
 * has no way to report failure. */
static void
merge_sort(vl_diag *v, vl_diag *tmp, size_t n)
{
	size_t mid, i, j, k;

	if (n < 2)
		return;
	mid = n / 2;
	merge_sort(v, tmp, mid);
	merge_sort(v + mid, tmp, n - mid);
	i = 0; j = mid; k = 0;
	while (i < mid && j < n) {
		if (vl_diag_cmp(&v[j], &v[i]) < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* The length of the sorted run at the start of v[0..n). */
static size_t
run_len(const vl_diag *v, size_t n)
{
	size_t k = 1;

	while (k < n && vl_diag_cmp(&v[k - 1], &v[k]) <= 0)
		k++;
	return k;
}

/* Merges the sorted runs v[0..k) and v[k..n) in place, keeping the order
 * of equal items, through tmp (room for the shorter run). */
static void
merge_runs(vl_diag *v, size_t k, size_t n, vl_diag *tmp)
{
	size_t i, j, o;

	if (k <= n - k) {
		/* the first run aside, merged from the front */
		memcpy(tmp, v, k * sizeof(*v));
		for (i = 0, j = k, o = 0; i < k && j < n;)
			v[o++] = vl_diag_cmp(&v[j], &tmp[i]) < 0 ? v[j++] : tmp[i++];
		while (i < k)
			v[o++] = tmp[i++];
		return;
	}
	/* the second run aside, merged from the back */
	memcpy(tmp, v + k, (n - k) * sizeof(*v));
	for (i = k, j = n - k, o = n; i > 0 && j > 0;)
		v[--o] = vl_diag_cmp(&tmp[j - 1], &v[i - 1]) < 0 ? v[--i] : tmp[--j];
	while (j > 0)
		v[--o] = tmp[--j];
}

void
vl_diags_sort(vl_diags *d)
{
	vl_diag *tmp;
	size_t i, j, k;

	if (d == NULL || d->len < 2)
		return;
	/* a report is mostly one sorted run, or two (a run from the check
	 * state: the notes checked, then the old findings of the others),
	 * merged with room for the shorter one only */
	k = run_len(d->items, d->len);
	if (k == d->len)
		return;
	if (run_len(d->items + k, d->len - k) == d->len - k) {
		tmp = malloc((k < d->len - k ? k : d->len - k) * sizeof(*tmp));
		if (tmp != NULL) {
			merge_runs(d->items, k, d->len, tmp);
			free(tmp);
			return;
		}
	}
	tmp = malloc(d->len * sizeof(*tmp));
	if (tmp != NULL) {
		merge_sort(d->items, tmp, d->len);
		free(tmp);
		return;
	}
	for (i = 1; i < d->len; i++) {
		vl_diag x = d->items[i];

		for (j = i; j > 0 && vl_diag_cmp(&x, &d->items[j - 1]) < 0; j--)
			d->items[j] = d->items[j - 1];
		d->items[j] = x;
	}
}

size_t
vl_diags_count(const vl_diags *d, vl_severity s)
{
	size_t i, n = 0;

	if (d == NULL)
		return 0;
	for (i = 0; i < d->len; i++)
		if (d->items[i].severity == s)
			n++;
	return n;
}

void
vl_diags_release(vl_diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->len; i++) {
		free(d->items[i].path);
		free(d->items[i].message);
	}
	free(d->items);
	d->items = NULL;
	d->len = 0;
	d->cap = 0;
}
