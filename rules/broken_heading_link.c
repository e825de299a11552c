/*
 * broken_heading_link.c: [[Note#Heading]] or [[#Heading]] where the note has
 * no such heading. Matching is the index's (lenient about case and
 * punctuation, like Obsidian); a link to a missing note is broken-link's.
 */
#include "rule.h"

int vl_rule_broken_heading_link(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	size_t i;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	for (i = 0; i < note->n_links; i++) {
		const vl_link *link = &note->links[i];
		const vl_heading *hint;
		vl_resolution r;
		const char *where_pre, *where, *where_post;
		int rc;

		if (!vl_link_in_vault(link->kind) || link->heading == NULL || link->heading[0] == '\0')
			continue;
		vl_rule_resolve(ctx, i, &r);
		if ((r.kind != VL_RESOLVE_NOTE && r.kind != VL_RESOLVE_SELF) || r.note == NULL)
			continue;
		if (vl_index_heading(ctx->index, r.note, link->heading) != NULL)
			continue;
		if (r.kind == VL_RESOLVE_SELF) {
			where_pre = "";
			where = "this note";
			where_post = "";
		} else {
			where_pre = "'";
			where = r.note->path;
			where_post = "'";
		}
		hint = r.note->n_headings <= VL_SUGGEST_MAX ?
			vl_index_suggest_heading(r.note, link->heading) : NULL;
		if (hint != NULL)
			rc = vl_rule_report(ctx, link->pos,
				"no heading '%s' in %s%s%s (did you mean '%s'?)",
				link->heading, where_pre, where, where_post, hint->text);
		else
			rc = vl_rule_report(ctx, link->pos, "no heading '%s' in %s%s%s",
				link->heading, where_pre, where, where_post);
		if (rc < 0)
			return -1;
	}
	return 0;
}
