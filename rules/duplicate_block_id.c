/*
 * duplicate_block_id.c: the same ^id twice in one note. Obsidian reaches only
 * the first, so the second and later definitions are the findings. Ids
 * compare without case, as Obsidian's lookup does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

int vl_rule_duplicate_block_id(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	vl_map seen = { NULL, 0, 0 };
	char **keys = NULL;
	size_t i, n_keys = 0;
	int rc = -1;

	if (ctx->severity == VL_SEV_OFF || note->n_blocks < 2)
		return 0;
	keys = calloc(note->n_blocks, sizeof(*keys));
	if (keys == NULL)
		goto done;
	for (i = 0; i < note->n_blocks; i++) {
		const vl_block *b = &note->blocks[i];
		const vl_block *first;
		char *key = vl_lower_dup(b->id, strlen(b->id));

		if (key == NULL)
			goto done;
		first = vl_map_get(&seen, key);
		if (first != NULL) {
			free(key);
			if (vl_rule_report(ctx, b->pos,
					"block id '^%s' already defined on line %lu; links reach only the first",
					b->id, (unsigned long)first->pos.line) < 0)
				goto done;
			continue;
		}
		keys[n_keys++] = key;
		if (vl_map_put(&seen, key, (void *)b) < 0)
			goto done;
	}
	rc = 0;
done:
	vl_map_release(&seen);
	for (i = 0; i < n_keys; i++)
		free(keys[i]);
	free(keys);
	return rc;
}
