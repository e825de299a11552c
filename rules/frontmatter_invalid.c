/*
 * frontmatter_invalid.c: front matter YAML that does not parse, or tags and
 * aliases of the wrong shape. The parser finds these while reading the note
 * (a note whose YAML is broken still has a body worth linting) and records
 * them as problems; this rule turns them into findings.
 */
#include <string.h>

#include "rule.h"

int vl_rule_frontmatter_invalid(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	size_t i;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	for (i = 0; i < note->n_problems; i++) {
		const vl_problem *p = &note->problems[i];

		if (p->rule == NULL || strcmp(p->rule, "frontmatter-invalid") != 0)
			continue;
		if (vl_rule_report(ctx, p->pos, "%s", p->message) < 0)
			return -1;
	}
	return 0;
}
