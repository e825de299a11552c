/*
 * tag_unknown.c: a tag outside the configured vocabulary (`tags: allowed:`).
 * Silent when no vocabulary is configured. The did-you-mean looks for the
 * allowed tag closest to a nested tag's top level (keeping the rest of the
 * path, since a listed parent allows its children), then to the whole tag.
 */
#include <string.h>

#include "rule.h"

/* The allowed tag closest to s[0..n), when close enough to be a typo. */
static const char *closest_allowed(const vl_config *cfg, const char *s, size_t n)
{
	size_t i, best_d = (size_t)-1;
	size_t max = n <= 4 ? 1 : n <= 8 ? 2 : 3;
	const char *best = NULL;

	for (i = 0; i < cfg->n_tags_allowed; i++) {
		const char *a = cfg->tags_allowed[i];
		size_t d = vl_edit_distance(s, n, a, strlen(a), max);

		if (d <= max && d < best_d) {
			best = a;
			best_d = d;
		}
	}
	return best;
}

int vl_rule_tag_unknown(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	const vl_config *cfg = ctx->config;
	size_t i;

	if (ctx->severity == VL_SEV_OFF || cfg == NULL || cfg->n_tags_allowed == 0)
		return 0;
	for (i = 0; i < note->n_tags; i++) {
		const vl_tag *tag = &note->tags[i];
		const char *name = tag->name, *slash, *hint;
		int rc;

		if (vl_config_tag_allowed(cfg, name))
			continue;
		slash = strchr(name, '/');
		hint = slash != NULL ? closest_allowed(cfg, name, (size_t)(slash - name)) : NULL;
		if (hint != NULL)
			rc = vl_rule_report(ctx, tag->pos,
				"tag '#%s' is not in the allowed list (did you mean '#%s%s'?)",
				name, hint, slash);
		else if ((hint = closest_allowed(cfg, name, strlen(name))) != NULL)
			rc = vl_rule_report(ctx, tag->pos,
				"tag '#%s' is not in the allowed list (did you mean '#%s'?)", name, hint);
		else
			rc = vl_rule_report(ctx, tag->pos, "tag '#%s' is not in the allowed list", name);
		if (rc < 0)
			return -1;
	}
	return 0;
}
