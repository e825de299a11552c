/*
 * rule.h: the rule interface and registry. Each rule lives in its own file
 * in rules/ and is one line of the table in rules/registry.c.
 */
#ifndef VL_RULE_H
#define VL_RULE_H

#include <stddef.h>

#include "../src/config.h"
#include "../src/diag.h"
#include "../src/index.h"
#include "../src/note.h"

struct vl_rule;

/* What a rule sees when it checks one note. */
typedef struct vl_rule_ctx {
	const struct vl_rule *rule;
	vl_severity severity;      /* effective severity (never OFF here) */
	const vl_note *note;
	const vl_index *index;
	const vl_config *config;
	vl_diags *out;
	/* Every link of the note resolved once by the engine (one per
	 * note->links, URL links left unresolved), or NULL: see
	 * vl_rule_resolve. */
	const vl_resolution *resolved;
	/* One per link, or NULL: what a finding about a link named besides
	 * the link's own target (vl_rule_hint). */
	uint32_t *hints;
} vl_rule_ctx;

typedef int (*vl_rule_check_fn)(vl_rule_ctx *ctx);

typedef struct vl_rule {
	const char *id;
	vl_severity default_severity;
	const char *summary;       /* one line, for `vaultlint rules` and SARIF */
	vl_rule_check_fn check;
} vl_rule;

extern const vl_rule vl_rules[];
extern const size_t vl_rules_count;

/* The rule's index in vl_rules, or -1. */
int vl_rule_index(const char *id);

/* Records a finding for ctx's rule at pos in ctx's note, unless an inline
 * directive suppresses it there. Returns 0 or -1 (out of memory). */
int vl_rule_report(vl_rule_ctx *ctx, vl_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether a link points into the vault (a note or an attachment) rather
 * than to a URL: the links the link rules check. */
static inline int vl_link_in_vault(vl_link_kind k)
{
	return k == VL_LINK_WIKI || k == VL_LINK_EMBED || k == VL_LINK_MARKDOWN ||
		k == VL_LINK_IMAGE;
}

/* Notes that the finding about link i names `name` as a hint (a
 * did-you-mean, an alias's note): a note's name or its path without
 * ".md", an attachment's name or path. The check state checks the note
 * again when a file of that name goes. */
#define VL_HINT_SET 0x80000000u
void vl_rule_hint(const vl_rule_ctx *ctx, size_t i, const char *name);

/* Link i of ctx's note as the index resolves it: the engine's copy when
 * it made one (five rules look at each link), else resolved now. */
void vl_rule_resolve(const vl_rule_ctx *ctx, size_t i, vl_resolution *out);

/* The note that link i of ctx's note reaches: *out is the linked note (or
 * the note itself for [[#...]]), or NULL when the link reaches no note;
 * then where holds "this note" or the note's quoted path, for messages
 * (the caller releases it). Returns 0, or -1 when out of memory. */
int vl_rule_link_note(const vl_rule_ctx *ctx, size_t i, const vl_note **out,
	vl_buf *where);

/* Reports the note's own parse problems (vl_note.problems) recorded under
 * ctx's rule id: what frontmatter-invalid and invalid-input find. */
int vl_rule_report_problems(vl_rule_ctx *ctx);

/* A did-you-mean compares a wrong name with every candidate of a note;
 * in a note with more headings or blocks than this (a generated index of
 * 400,000 ids) the hint is skipped so a run stays linear. */
#define VL_SUGGEST_MAX 5000

/* One check function per rule, each defined in its own file. */
int vl_rule_broken_link(vl_rule_ctx *ctx);
int vl_rule_broken_heading_link(vl_rule_ctx *ctx);
int vl_rule_dangling_block_ref(vl_rule_ctx *ctx);
int vl_rule_duplicate_block_id(vl_rule_ctx *ctx);
int vl_rule_ambiguous_link(vl_rule_ctx *ctx);
int vl_rule_duplicate_link(vl_rule_ctx *ctx);
int vl_rule_tag_format(vl_rule_ctx *ctx);
int vl_rule_tag_unknown(vl_rule_ctx *ctx);
int vl_rule_frontmatter_invalid(vl_rule_ctx *ctx);
int vl_rule_invalid_input(vl_rule_ctx *ctx);

#endif
