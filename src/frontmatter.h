/*
 * frontmatter.h: a note's YAML front matter (Obsidian's Properties), read
 * with libyaml. The only module besides config.c that includes yaml.h.
 */
#ifndef VL_FRONTMATTER_H
#define VL_FRONTMATTER_H

#include <stddef.h>
#include <stdint.h>

#include "note.h"

/* Byte offsets of a front matter block found at the start of a note. */
typedef struct vl_fm_span {
	size_t yaml;      /* first byte of the YAML text */
	size_t yaml_len;  /* its length */
	size_t body;      /* first byte after the closing `---` line */
	uint32_t line;    /* 1-based line of the first YAML line */
} vl_fm_span;

/* Looks for front matter at text[start..n) (start skips a BOM). Returns 1
 * and fills span when there is a complete block, 0 when there is none, and
 * -1 when the first line is `---` but no closing line follows. */
int vl_frontmatter_find(vl_fm_span *span, const char *text, size_t n, size_t start);

/* Parses the YAML of span into note: tags (frontmatter=1), aliases, props.
 * Problems (YAML that does not parse, tags or aliases of the wrong shape)
 * become frontmatter-invalid problems on the note. Returns -1 only when out
 * of memory. */
int vl_frontmatter_parse(vl_note *note, const char *text, const vl_fm_span *span,
	vl_error *err);

#endif
