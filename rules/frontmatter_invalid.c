/*
 * frontmatter_invalid.c: front matter YAML that does not parse, or tags and
 * aliases of the wrong shape. The parser finds these while reading the note
 * (a note whose YAML is broken still has a body worth linting) and records
 * them as problems; this rule turns them into findings.
 */
#include "rule.h"

int vl_rule_frontmatter_invalid(vl_rule_ctx *ctx)
{
	if (ctx->severity == VL_SEV_OFF)
		return 0;
	return vl_rule_report_problems(ctx);
}
