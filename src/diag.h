/*
 * diag.h: findings (diagnostics) and their list. Formatters that turn a list
 * into text, JSON, SARIF, GitHub workflow commands or JUnit live in format.h.
 */
#ifndef VL_DIAG_H
#define VL_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum vl_severity {
	VL_SEV_OFF = 0,
	VL_SEV_INFO = 1,
	VL_SEV_WARNING = 2,
	VL_SEV_ERROR = 3
} vl_severity;

/* "off", "info", "warning", "error" */
const char *vl_severity_name(vl_severity s);
/* Parses one of the names above; returns 0 or -1. */
int vl_severity_parse(vl_severity *out, const char *name);

typedef struct vl_diag {
	char *path;        /* vault-relative; malloc'd */
	uint32_t line;     /* 1-based; 0 when the finding is about the file */
	uint32_t col;      /* 1-based code points; 0 when unknown */
	const char *rule;  /* static rule id */
	vl_severity severity;
	char *message;     /* malloc'd */
} vl_diag;

typedef struct vl_diags {
	vl_diag *items;
	size_t len, cap;
} vl_diags;

#define VL_DIAGS_INIT { NULL, 0, 0 }

int vl_diags_add(vl_diags *d, const char *path, uint32_t line, uint32_t col,
	const char *rule, vl_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
int vl_diags_vadd(vl_diags *d, const char *path, uint32_t line, uint32_t col,
	const char *rule, vl_severity sev, const char *fmt, va_list ap);
/* Moves every item of src to the end of dst; src is left empty. */
int vl_diags_append(vl_diags *dst, vl_diags *src);
/* The order of vl_diags_sort (path, line, column, rule, message): <0, 0
 * or >0; 0 means the same finding. */
int vl_diag_cmp(const vl_diag *a, const vl_diag *b);

/* Stable order: path, line, column, rule, message. */
void vl_diags_sort(vl_diags *d);
/* Counts findings of severity s. */
size_t vl_diags_count(const vl_diags *d, vl_severity s);
void vl_diags_release(vl_diags *d);

#endif
