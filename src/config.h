/*
 * config.h: `.vaultlint.yaml`, read with libyaml. Sets the vault folder,
 * each rule's severity, the tag convention and ignore globs. Unknown keys
 * and bad values are errors that name the file, line and key.
 */
#ifndef VL_CONFIG_H
#define VL_CONFIG_H

#include <stddef.h>

#include "diag.h"
#include "util.h"

#define VL_CONFIG_NAME ".vaultlint.yaml"

typedef enum vl_tag_case {
	VL_CASE_ANY = 0,
	VL_CASE_UPPER,    /* PAPER, THESIS/PHD, MY_TAG, MY-TAG */
	VL_CASE_LOWER,    /* paper, thesis/phd */
	VL_CASE_KEBAB     /* lower case words joined by '-': deep-learning */
} vl_tag_case;

typedef struct vl_config {
	char *file;          /* the file loaded, or NULL for defaults */
	char *text;          /* its bytes as parsed (NUL-terminated), or NULL */
	size_t text_len;
	char *base_dir;      /* its folder, or NULL */
	char *vault;         /* `vault:`, relative to base_dir, or NULL */
	vl_severity *severity; /* one per rule, indexed like vl_rules[] */
	vl_tag_case tag_case;
	char *tag_pattern;   /* `tags: pattern:`, or NULL */
	void *tag_re;        /* compiled pcre2 pattern (pcre2_code *) or NULL */
	void *tag_mctx;      /* its match limits (pcre2_match_context *) or NULL */
	char **tags_allowed; /* `tags: allowed:` vocabulary, or NULL */
	size_t n_tags_allowed;
	char **ignore;       /* `ignore:` globs, vault-relative */
	size_t n_ignore;
	char *commit_template; /* `commit: template:`, or NULL for the default */
	char *sync_remote;   /* `sync: remote:`, or NULL ("origin") */
	char *sync_branch;   /* `sync: branch:`, or NULL (current branch) */
} vl_config;

/* Fills cfg with defaults (every rule at its default severity). */
int vl_config_init(vl_config *cfg, vl_error *err);

/* Reads path over the defaults already in cfg. Errors name the file, line
 * and key: "FILE:LINE: unknown key 'x' in 'rules'". */
int vl_config_load(vl_config *cfg, const char *path, vl_error *err);

/* Looks for .vaultlint.yaml in dir, then in each parent folder up to and
 * including the first one that holds a `.git` entry (the repository root).
 * *out is a malloc'd path, or NULL when there is none (returns 0 then). */
int vl_config_find(char **out, const char *dir, vl_error *err);

/* Returns 1 when the tag (without '#') matches the configured pattern (or
 * there is none). */
int vl_config_tag_matches(const vl_config *cfg, const char *tag);
/* vl_config_tag_matches's answer when the pattern is too costly for the
 * tag (pcre2's match limit, VL_TAG_MATCH_LIMIT steps: a pattern like
 * `^(a|a?)+$` takes exponential time on some tags). */
#define VL_TAG_TOO_COSTLY 2
#define VL_TAG_MATCH_LIMIT 20000

/* Returns 1 when the tag is allowed by the vocabulary (case-insensitive; a
 * nested tag A/B is allowed when A/B or A is listed), or no vocabulary is
 * configured. */
int vl_config_tag_allowed(const vl_config *cfg, const char *tag);

void vl_config_release(vl_config *cfg);

#endif
