/*
 * invalid_input.c: a file that cannot be read as a note (invalid UTF-8, NUL
 * bytes...). The parser records these as problems of the note; files that
 * could not be read at all, and listing problems such as symlinks leaving
 * the vault, are reported by the engine under this rule's id.
 */
#include <string.h>

#include "rule.h"

int vl_rule_invalid_input(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	size_t i;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	for (i = 0; i < note->n_problems; i++) {
		const vl_problem *p = &note->problems[i];

		if (p->rule == NULL || strcmp(p->rule, "invalid-input") != 0)
			continue;
		if (vl_rule_report(ctx, p->pos, "%s", p->message) < 0)
			return -1;
	}
	return 0;
}
