/*
 * ambiguous_link.c: a bare name that several notes share. Obsidian still
 * opens one of them (the index says which), but the link's meaning then
 * depends on where the linking note sits: a path makes it certain.
 */
#include "rule.h"

int vl_rule_ambiguous_link(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	size_t i, j;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	for (i = 0; i < note->n_links; i++) {
		const vl_link *link = &note->links[i];
		const vl_note *opened;
		vl_buf list = VL_BUF_INIT;
		vl_resolution r;
		size_t shown;
		int rc = 0;

		if (!vl_link_in_vault(link->kind))
			continue;
		vl_rule_resolve(ctx, i, &r);
		if (r.kind != VL_RESOLVE_AMBIGUOUS || r.n_candidates == 0)
			continue;
		opened = r.note != NULL ? r.note : r.candidates[0];
		shown = r.n_candidates < VL_MAX_CANDIDATES ? r.n_candidates : VL_MAX_CANDIDATES;
		if (shown > 3)
			shown = 3;
		for (j = 0; j < shown && rc == 0; j++)
			rc = vl_buf_printf(&list, "%s%s", j ? ", " : "", r.candidates[j]->path);
		if (rc == 0 && r.n_candidates > shown)
			rc = vl_buf_puts(&list, ", ...");
		if (rc == 0)
			rc = vl_rule_report(ctx, link->pos,
				"'%s' matches %lu notes (%s); Obsidian opens '%s'; link by path to be sure",
				link->target, (unsigned long)r.n_candidates, list.ptr, opened->path);
		vl_buf_release(&list);
		if (rc < 0)
			return -1;
	}
	return 0;
}
