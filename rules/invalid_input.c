/*
 * invalid_input.c: a file that cannot be read as a note (invalid UTF-8, NUL
 * bytes...). The parser records these as problems of the note; files that
 * could not be read at all, and listing problems such as symlinks leaving
 * the vault, are reported by the engine under this rule's id.
 */
#include "rule.h"

int vl_rule_invalid_input(vl_rule_ctx *ctx)
{
	if (ctx->severity == VL_SEV_OFF)
		return 0;
	return vl_rule_report_problems(ctx);
}
