/*
 * report.c: what every rule shares: finding a rule by id and recording a
 * finding (unless an inline directive suppresses it).
 */
#include <stdarg.h>
#include <string.h>

#include "rule.h"

int vl_rule_index(const char *id)
{
	size_t i;

	if (id == NULL)
		return -1;
	for (i = 0; i < vl_rules_count; i++)
		if (strcmp(vl_rules[i].id, id) == 0)
			return (int)i;
	return -1;
}

int vl_rule_report(vl_rule_ctx *ctx, vl_pos pos, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	if (vl_note_suppressed(ctx->note, ctx->rule->id, pos.line))
		return 0;
	va_start(ap, fmt);
	rc = vl_diags_vadd(ctx->out, ctx->note->path, pos.line, pos.col, ctx->rule->id,
		ctx->severity, fmt, ap);
	va_end(ap);
	return rc;
}

int vl_rule_report_problems(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	size_t i;

	for (i = 0; i < note->n_problems; i++) {
		const vl_problem *p = &note->problems[i];

		if (p->rule == NULL || strcmp(p->rule, ctx->rule->id) != 0)
			continue;
		if (vl_rule_report(ctx, p->pos, "%s", p->message) < 0)
			return -1;
	}
	return 0;
}

void vl_rule_hint(const vl_rule_ctx *ctx, size_t i, const char *name)
{
	if (ctx->hints != NULL)
		ctx->hints[i] = vl_index_name_hash(name, strlen(name)) | VL_HINT_SET;
}

void vl_rule_resolve(const vl_rule_ctx *ctx, size_t i, vl_resolution *out)
{
	if (ctx->resolved != NULL)
		*out = ctx->resolved[i];
	else
		vl_index_resolve(ctx->index, ctx->note, &ctx->note->links[i], out);
}

int vl_rule_link_note(const vl_rule_ctx *ctx, size_t i, const vl_note **out,
	vl_buf *where)
{
	vl_resolution r;

	*out = NULL;
	vl_rule_resolve(ctx, i, &r);
	if ((r.kind != VL_RESOLVE_NOTE && r.kind != VL_RESOLVE_SELF) || r.note == NULL)
		return 0;
	*out = r.note;
	where->len = 0;
	return r.kind == VL_RESOLVE_SELF ? vl_buf_puts(where, "this note") :
		vl_buf_printf(where, "'%s'", r.note->path);
}
