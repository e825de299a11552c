/*
 * broken_link.c: a wikilink, embed or Markdown link to a note or attachment
 * that does not exist, or a relative path that climbs out of the vault.
 *
 * The hint prefers an alias: `[[Alias]]` with no note of that name is the
 * commonest broken link in vaults that use aliases, and the fix is exact.
 * Otherwise the index offers the closest vault path.
 */
#include <string.h>

#include "rule.h"

static int report_missing(vl_rule_ctx *ctx, size_t i, const vl_link *link)
{
	const vl_note *owner = vl_index_alias_owner(ctx->index, link->target);
	vl_buf hint = VL_BUF_INIT;
	int r;

	if (owner != NULL) {
		vl_rule_hint(ctx, i, owner->name);
		return vl_rule_report(ctx, link->pos,
			"no note or file '%s'; '%s' is an alias of '%s', link to [[%s|%s]]",
			link->target, link->target, owner->path, owner->name, link->target);
	}
	r = vl_index_suggest_target(ctx->index, link->target, &hint);
	if (r < 0)
		return -1;
	if (r > 0)
		vl_rule_hint(ctx, i, hint.ptr);
	if (r > 0 && strcmp(hint.ptr, link->target) != 0)
		r = vl_rule_report(ctx, link->pos, "no note or file '%s' (did you mean '%s'?)",
			link->target, hint.ptr);
	else
		r = vl_rule_report(ctx, link->pos, "no note or file '%s'", link->target);
	vl_buf_release(&hint);
	return r;
}

int vl_rule_broken_link(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	size_t i;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	for (i = 0; i < note->n_links; i++) {
		const vl_link *link = &note->links[i];
		vl_resolution r;
		int rc = 0;

		if (!vl_link_in_vault(link->kind))
			continue;
		vl_rule_resolve(ctx, i, &r);
		if (r.kind == VL_RESOLVE_MISSING)
			rc = report_missing(ctx, i, link);
		else if (r.kind == VL_RESOLVE_OUTSIDE)
			rc = vl_rule_report(ctx, link->pos, "link '%s' leaves the vault", link->target);
		if (rc < 0)
			return -1;
	}
	return 0;
}
