/*
 * tag_format.c: a tag that breaks the configured convention (`tags: case:`
 * and `tags: pattern:`), and a tag spelt in a different case from the rest
 * of the vault. Obsidian treats #code and #CODE as one tag, but a human
 * reading the tag pane sees two; so the spelling check runs whatever the
 * case setting, unless the vault's usual spelling itself breaks the
 * configured case (then the case message alone says what to write).
 *
 * Case rules look at ASCII letters only; other scripts have no case rule.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rule.h"

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* One '/'-separated segment in kebab case: lower-case letters, digits and
 * non-ASCII, in words joined by single '-'. */
static int kebab_segment(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '-') {
			if (s[i + 1] == '-')
				return 0;
		} else if (!is_lower((char)c) && !is_digit((char)c) && c < 0x80) {
			return 0;
		}
	}
	return 1;
}

/* Returns 1 when tag follows case convention tc. */
static int case_ok(vl_tag_case tc, const char *tag)
{
	const char *p;

	switch (tc) {
	case VL_CASE_UPPER:
		for (p = tag; *p; p++)
			if (is_lower(*p))
				return 0;
		return 1;
	case VL_CASE_LOWER:
		for (p = tag; *p; p++)
			if (is_upper(*p))
				return 0;
		return 1;
	case VL_CASE_KEBAB:
		for (p = tag;;) {
			size_t n = strcspn(p, "/");
			if (!kebab_segment(p, n))
				return 0;
			if (p[n] == '\0')
				return 1;
			p += n + 1;
		}
	case VL_CASE_ANY:
	default:
		return 1;
	}
}

/* Writes tag in convention tc into b: upper, lower, or kebab (words split
 * at '_', spaces, '-' runs and lower-to-upper changes: MyTag_x -> my-tag-x). */
static int rewrite(vl_buf *b, vl_tag_case tc, const char *tag)
{
	const char *p;

	for (p = tag; *p; p++) {
		char c = *p;

		if (tc == VL_CASE_UPPER) {
			if (vl_buf_putc(b, is_lower(c) ? (char)(c - 32) : c) < 0)
				return -1;
			continue;
		}
		if (tc == VL_CASE_LOWER) {
			if (vl_buf_putc(b, is_upper(c) ? (char)(c + 32) : c) < 0)
				return -1;
			continue;
		}
		/* kebab */
		if (c == '_' || c == '-' || c == ' ') {
			if (b->len > 0 && b->ptr[b->len - 1] != '-' && b->ptr[b->len - 1] != '/' &&
					p[1] != '\0' && p[1] != '/' && vl_buf_putc(b, '-') < 0)
				return -1;
			continue;
		}
		if (is_upper(c) && p > tag && (is_lower(p[-1]) || is_digit(p[-1])) &&
				b->len > 0 && b->ptr[b->len - 1] != '-' && vl_buf_putc(b, '-') < 0)
			return -1;
		if (c == '/' && b->len > 0 && b->ptr[b->len - 1] == '-')
			b->ptr[--b->len] = '\0';
		if (vl_buf_putc(b, is_upper(c) ? (char)(c + 32) : c) < 0)
			return -1;
	}
	return 0;
}

static const char *case_name(vl_tag_case tc)
{
	switch (tc) {
	case VL_CASE_UPPER: return "upper case";
	case VL_CASE_LOWER: return "lower case";
	case VL_CASE_KEBAB: return "kebab case (lower-case words joined by '-')";
	case VL_CASE_ANY:
	default: return "any case";
	}
}

static int check_tag(vl_rule_ctx *ctx, const vl_tag *tag)
{
	const vl_config *cfg = ctx->config;
	vl_tag_case tc = cfg != NULL ? cfg->tag_case : VL_CASE_ANY;
	const char *name = tag->name;
	const char *common;
	vl_buf fixed = VL_BUF_INIT;
	int rc = -1, case_bad, m;

	case_bad = !case_ok(tc, name);
	if (case_bad) {
		if (rewrite(&fixed, tc, name) < 0)
			goto done;
		if (vl_rule_report(ctx, tag->pos, "tag '#%s' is not %s; write '#%s'",
				name, case_name(tc), fixed.ptr ? fixed.ptr : "") < 0)
			goto done;
	}
	/* The pattern is worth a second finding only when fixing the case does
	 * not also fix it. */
	m = cfg != NULL && cfg->tag_pattern != NULL ? vl_config_tag_matches(cfg, name) : 1;
	if (m == VL_TAG_TOO_COSTLY) {
		if (vl_rule_report(ctx, tag->pos, "tag '#%s' cannot be checked against the "
		    "pattern '%s': it takes the pattern more than %d steps (simplify "
		    "the pattern: nested repeats backtrack without end)", name,
		    cfg->tag_pattern, VL_TAG_MATCH_LIMIT) < 0)
			goto done;
	} else if (m == 0 &&
			(!case_bad || fixed.ptr == NULL || vl_config_tag_matches(cfg, fixed.ptr) != 1) &&
			vl_rule_report(ctx, tag->pos, "tag '#%s' does not match the pattern '%s'",
				name, cfg->tag_pattern) < 0) {
		goto done;
	}
	common = case_bad ? NULL : vl_index_tag_spelling(ctx->index, name);
	if (common != NULL && strcmp(common, name) != 0 && strlen(common) == strlen(name) &&
			vl_fold_equal(common, name, strlen(name)) &&
			case_ok(tc, common) &&
			vl_rule_report(ctx, tag->pos,
				"tag '#%s' is written '#%s' elsewhere in the vault; use one spelling",
				name, common) < 0)
		goto done;
	rc = 0;
done:
	vl_buf_release(&fixed);
	return rc;
}

int vl_rule_tag_format(vl_rule_ctx *ctx)
{
	size_t i;

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	/* front-matter tags that are no tags (frontmatter.c says why) */
	if (vl_rule_report_problems(ctx) < 0)
		return -1;
	for (i = 0; i < ctx->note->n_tags; i++)
		if (check_tag(ctx, &ctx->note->tags[i]) < 0)
			return -1;
	return 0;
}
