/*
 * dangling_block_ref.c: [[Note#^id]], [[#^id]] or ![[Note#^id]] where the
 * note has no block ^id. A block that moved to another note is the common
 * cause, so "it is in 'OTHER'" beats a did-you-mean among the note's own ids.
 */
#include <string.h>

#include "rule.h"

/* The note's block id closest to id (a typo), or NULL. */
static const char *closest_block(const vl_note *note, const char *id)
{
	size_t i, len = strlen(id), best_d = (size_t)-1;
	size_t max = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	const char *best = NULL;

	if (note->n_blocks > VL_SUGGEST_MAX)
		return NULL;
	for (i = 0; i < note->n_blocks; i++) {
		const char *b = note->blocks[i].id;
		size_t d = vl_edit_distance(id, len, b, strlen(b), max);

		if (d <= max && d < best_d) {
			best = b;
			best_d = d;
		}
	}
	return best;
}

int vl_rule_dangling_block_ref(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	vl_buf where = VL_BUF_INIT;
	size_t i;
	int rc = 0;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	for (i = 0; i < note->n_links && rc == 0; i++) {
		const vl_link *link = &note->links[i];
		const vl_note *target, *other;
		const char *typo;

		if (!vl_link_in_vault(link->kind) || link->block == NULL || link->block[0] == '\0')
			continue;
		if (vl_rule_link_note(ctx, i, &target, &where) < 0) {
			rc = -1;
			break;
		}
		/* a note not read (binary, unreadable: invalid-input says
		 * so) has block ids no one knows: none is missing */
		if (target == NULL || target->unread ||
		    vl_index_block(ctx->index, target, link->block) != NULL)
			continue;
		other = vl_index_block_elsewhere(ctx->index, target, link->block);
		typo = other == NULL ? closest_block(target, link->block) : NULL;
		if (other != NULL)
			rc = vl_rule_report(ctx, link->pos, "no block '^%s' in %s; it is in '%s'",
				link->block, where.ptr, other->path);
		else if (typo != NULL)
			rc = vl_rule_report(ctx, link->pos, "no block '^%s' in %s (did you mean '^%s'?)",
				link->block, where.ptr, typo);
		else
			rc = vl_rule_report(ctx, link->pos, "no block '^%s' in %s",
				link->block, where.ptr);
	}
	vl_buf_release(&where);
	return rc < 0 ? -1 : 0;
}
