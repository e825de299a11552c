/*
 * duplicate_block_id.c: the same ^id twice in one note. Obsidian reaches only
 * the first, so the second and later definitions are the findings. Ids
 * compare without case, as Obsidian's lookup does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rule.h"

/* Up to this many ids, each is compared with those before it: no
 * allocation for the few ids of a note. */
#define FEW_IDS 16

static int report(vl_rule_ctx *ctx, const vl_block *b, const vl_block *first)
{
	return vl_rule_report(ctx, b->pos,
		"block id '^%s' already defined on line %lu; links reach only the first",
		b->id, (unsigned long)first->pos.line);
}

/* The first block before blocks[i] with its id, or NULL. */
static const vl_block *first_of(const vl_block *blocks, size_t i)
{
	size_t j;

	for (j = 0; j < i && blocks[i].id != NULL; j++)
		if (blocks[j].id != NULL && strcasecmp(blocks[j].id, blocks[i].id) == 0)
			return &blocks[j];
	return NULL;
}

int vl_rule_duplicate_block_id(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	vl_map seen = { NULL, 0, 0 };
	char *keys = NULL, *key;
	size_t i, bytes = 0;
	int rc = -1;

	if (ctx->severity == VL_SEV_OFF || note->n_blocks < 2)
		return 0;
	if (note->n_blocks <= FEW_IDS) {
		for (i = 1; i < note->n_blocks; i++) {
			const vl_block *first = first_of(note->blocks, i);

			if (first != NULL && report(ctx, &note->blocks[i], first) < 0)
				return -1;
		}
		return 0;
	}
	/* every id lower-cased into one piece, looked up in a table */
	for (i = 0; i < note->n_blocks; i++)
		bytes += note->blocks[i].id ? strlen(note->blocks[i].id) + 1 : 0;
	keys = malloc(bytes + 1);
	if (keys == NULL || vl_map_reserve(&seen, note->n_blocks) < 0)
		goto done;
	for (i = 0, key = keys; i < note->n_blocks; i++) {
		const vl_block *b = &note->blocks[i];
		const vl_block *first;
		size_t n;

		if (b->id == NULL)
			continue;
		n = strlen(b->id);
		vl_lower_into(key, b->id, n);
		first = vl_map_get(&seen, key);
		if (first != NULL) {
			if (report(ctx, b, first) < 0)
				goto done;
			continue;
		}
		if (vl_map_put(&seen, key, (void *)b) < 0)
			goto done;
		key += n + 1;
	}
	rc = 0;
done:
	vl_map_release(&seen);
	free(keys);
	return rc;
}
