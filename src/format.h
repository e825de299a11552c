/*
 * format.h: turns findings into text, JSON, SARIF 2.1.0, GitHub workflow
 * commands or JUnit XML. Writes into a buffer; cmd/ prints it.
 */
#ifndef VL_FORMAT_H
#define VL_FORMAT_H

#include "diag.h"
#include "util.h"

typedef enum vl_format {
	VL_FORMAT_TEXT,
	VL_FORMAT_JSON,
	VL_FORMAT_SARIF,
	VL_FORMAT_GITHUB,
	VL_FORMAT_JUNIT
} vl_format;

typedef struct vl_format_opts {
	int color;               /* ANSI colour in text output */
	/* Prepended to every path (with a '/') for formats read by code hosts
	 * (sarif, github, junit), so that paths are relative to the repository
	 * root; NULL or "" for none. json and text stay vault-relative. */
	const char *path_prefix;
	const char *version;     /* tool version for SARIF */
	size_t n_notes;          /* notes checked, for summaries */
} vl_format_opts;

/* Parses "text", "json", "sarif", "github", "junit". Returns 0 or -1. */
int vl_format_parse(vl_format *out, const char *name);

/* Renders d (already sorted) in format f, summary included, into out. */
int vl_format_render(vl_buf *out, const vl_diags *d, vl_format f,
	const vl_format_opts *opts);

#endif
