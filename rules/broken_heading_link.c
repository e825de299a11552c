/*
 * broken_heading_link.c: [[Note#Heading]] or [[#Heading]] where the note has
 * no such heading. Matching is the index's (lenient about case and
 * punctuation, like Obsidian); a link to a missing note is broken-link's.
 */
#include "rule.h"

int vl_rule_broken_heading_link(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	vl_buf where = VL_BUF_INIT;
	size_t i;
	int rc = 0;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	for (i = 0; i < note->n_links && rc == 0; i++) {
		const vl_link *link = &note->links[i];
		const vl_heading *hint;
		const vl_note *target;

		if (!vl_link_in_vault(link->kind) || link->heading == NULL || link->heading[0] == '\0')
			continue;
		if (vl_rule_link_note(ctx, i, &target, &where) < 0) {
			rc = -1;
			break;
		}
		/* a note not read (binary, unreadable: invalid-input says
		 * so) has headings no one knows: none is missing */
		if (target == NULL || target->unread ||
		    vl_index_heading(ctx->index, target, link->heading) != NULL)
			continue;
		hint = target->n_headings <= VL_SUGGEST_MAX ?
			vl_index_suggest_heading(target, link->heading) : NULL;
		if (hint != NULL)
			rc = vl_rule_report(ctx, link->pos,
				"no heading '%s' in %s (did you mean '%s'?)",
				link->heading, where.ptr, hint->text);
		else
			rc = vl_rule_report(ctx, link->pos, "no heading '%s' in %s",
				link->heading, where.ptr);
	}
	vl_buf_release(&where);
	return rc < 0 ? -1 : 0;
}
