/*
 * config.c: reads `.vaultlint.yaml` with libyaml.
 *
 * The file format (every key optional; an empty file is valid):
 *
 *   vault: content              # the vault folder, relative to this file
 *   ignore:                     # globs, vault-relative
 *     - "templates/"         # (a folder covers what it holds; ** crosses folders)
 *   rules:
 *     duplicate-link: off       # error | warning | info | off
 *     tag-format: warning
 *     broken-heading-link:
 *       severity: warning       # the long form of the same setting
 *   tags:
 *     case: upper               # upper | lower | kebab | any
 *     pattern: '^[A-Z][A-Z0-9_/-]*$'   # PCRE2, matched against the tag
 *                                      # without '#' (anchor it yourself)
 *     allowed: [PAPER, CODE, TALK, BOOK]  # a leading '#' is dropped
 *   commit:
 *     template: "vault: {summary}"
 *   sync:
 *     remote: origin
 *     branch: main
 *
 * `ignore` and `allowed` also accept a single string. A key written with no
 * value (`vault:`) keeps the default. Unknown keys, unknown rules and bad
 * values are errors that name the file, the line and the key, with a
 * did-you-mean when a known name is close.
 *
 * YAML anchors and aliases are refused: a config never needs them, and an
 * alias bomb (a billion laughs) must not make us walk an exponential tree.
 * The file is therefore read twice: once with the event parser, which sees
 * aliases and syntax errors with their line, then with the document API,
 * which gives a tree that is easy to walk.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "config.h"
#include "../rules/rule.h"

/* A config larger than this is surely not a config. */
#define VL_CONFIG_MAX_SIZE (1024 * 1024)

static const char *const top_keys[] = {
	"vault", "ignore", "rules", "tags", "commit", "sync", NULL
};
static const char *const tags_keys[] = { "case", "pattern", "allowed", NULL };
static const char *const commit_keys[] = { "template", NULL };
static const char *const sync_keys[] = { "remote", "branch", NULL };
static const char *const rule_keys[] = { "severity", NULL };

/* What the loader carries around while walking the document. */
typedef struct load_ctx {
	vl_config *cfg;
	const char *path;
	yaml_document_t *doc;
	vl_error *err;
} load_ctx;

int vl_config_init(vl_config *cfg, vl_error *err)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->severity = calloc(vl_rules_count ? vl_rules_count : 1, sizeof(*cfg->severity));
	if (cfg->severity == NULL)
		return vl_error_set(err, "out of memory");
	for (i = 0; i < vl_rules_count; i++)
		cfg->severity[i] = vl_rules[i].default_severity;
	cfg->tag_case = VL_CASE_ANY;
	return 0;
}

static void free_list(char **items, size_t n)
{
	size_t i;

	if (items == NULL)
		return;
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

void vl_config_release(vl_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->file);
	free(cfg->text);
	free(cfg->base_dir);
	free(cfg->vault);
	free(cfg->severity);
	free(cfg->tag_pattern);
	if (cfg->tag_re != NULL)
		pcre2_code_free((pcre2_code *)cfg->tag_re);
	pcre2_match_context_free((pcre2_match_context *)cfg->tag_mctx);
	free_list(cfg->tags_allowed, cfg->n_tags_allowed);
	free_list(cfg->ignore, cfg->n_ignore);
	free(cfg->commit_template);
	free(cfg->sync_remote);
	free(cfg->sync_branch);
	memset(cfg, 0, sizeof(*cfg));
}

/* libyaml's lines are 0-based; ours are 1-based. */
static unsigned long node_line(const yaml_node_t *node)
{
	return (unsigned long)node->start_mark.line + 1;
}

static const char *scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* A plain `~`, `null` or nothing at all: the key is there without a value. */
static int is_null(const yaml_node_t *node)
{
	const char *v;

	if (node->type != YAML_SCALAR_NODE)
		return 0;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = scalar(node);
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
		strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The closest of names to word, when close enough to be a likely typo. */
static const char *closest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i, wlen = strlen(word);
	size_t max = wlen <= 4 ? 1 : wlen <= 8 ? 2 : 3;

	for (i = 0; i < n && names[i] != NULL; i++) {
		size_t d = vl_edit_distance(word, wlen, names[i], strlen(names[i]), max);
		if (d <= max && d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

static int unknown_key(load_ctx *c, const yaml_node_t *key, const char *section,
	const char *const *known)
{
	size_t n = 0;
	const char *hint;

	while (known[n] != NULL)
		n++;
	hint = closest(scalar(key), known, n);
	if (section != NULL && hint != NULL)
		return vl_error_set(c->err, "%s:%lu: unknown key '%s' in '%s' (did you mean '%s'?)",
			c->path, node_line(key), scalar(key), section, hint);
	if (section != NULL)
		return vl_error_set(c->err, "%s:%lu: unknown key '%s' in '%s'",
			c->path, node_line(key), scalar(key), section);
	if (hint != NULL)
		return vl_error_set(c->err, "%s:%lu: unknown key '%s' (did you mean '%s'?)",
			c->path, node_line(key), scalar(key), hint);
	return vl_error_set(c->err, "%s:%lu: unknown key '%s'",
		c->path, node_line(key), scalar(key));
}

/* A value that is none of values (NULL-terminated): what must be one of
 * them, with a did-you-mean when one is close. */
static int bad_value(load_ctx *c, const yaml_node_t *node, const char *what,
	const char *const *values)
{
	vl_buf list = VL_BUF_INIT;
	const char *hint = NULL;
	size_t n;
	int rc = 0;

	for (n = 0; values[n] != NULL; n++)
		if ((n > 0 && vl_buf_puts(&list, ", ") < 0) || vl_buf_puts(&list, values[n]) < 0)
			rc = -1;
	if (rc < 0) {
		vl_buf_release(&list);
		return vl_error_set(c->err, "out of memory");
	}
	if (node->type == YAML_SCALAR_NODE)
		hint = closest(scalar(node), values, n);
	if (hint != NULL)
		vl_error_set(c->err, "%s:%lu: %s must be one of %s (did you mean '%s'?)",
			c->path, node_line(node), what, list.ptr, hint);
	else
		vl_error_set(c->err, "%s:%lu: %s must be one of %s",
			c->path, node_line(node), what, list.ptr);
	vl_buf_release(&list);
	return -1;
}

/* Checks that node is a mapping whose keys are all scalars. */
static int want_mapping(load_ctx *c, const yaml_node_t *node, const char *what)
{
	yaml_node_pair_t *p;

	if (node->type != YAML_MAPPING_NODE)
		return vl_error_set(c->err, "%s:%lu: '%s' must be a mapping of keys to values",
			c->path, node_line(node), what);
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_pair_t *q;

		if (k == NULL || k->type != YAML_SCALAR_NODE)
			return vl_error_set(c->err, "%s:%lu: keys of '%s' must be plain names",
				c->path, k ? node_line(k) : node_line(node), what);
		/* A repeated key would silently win over the first: refuse it. */
		for (q = node->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *prev = yaml_document_get_node(c->doc, q->key);
			if (strcmp(scalar(prev), scalar(k)) == 0)
				return vl_error_set(c->err, "%s:%lu: key '%s' is set twice "
					"(first on line %lu)", c->path, node_line(k), scalar(k),
					node_line(prev));
		}
	}
	return 0;
}

/* Replaces *dst with a copy of the string value of node ("key" names it). */
static int set_string(load_ctx *c, char **dst, const yaml_node_t *node, const char *key)
{
	char *copy;

	if (is_null(node))
		return 0;
	if (node->type != YAML_SCALAR_NODE)
		return vl_error_set(c->err, "%s:%lu: '%s' must be a string",
			c->path, node_line(node), key);
	copy = strdup(scalar(node));
	if (copy == NULL)
		return vl_error_set(c->err, "out of memory");
	free(*dst);
	*dst = copy;
	return 0;
}

/* Replaces a list of strings with the value of node: a sequence of
 * strings or a single string. strip_hash drops one leading '#'. */
static int set_list(load_ctx *c, char ***items, size_t *n, const yaml_node_t *node,
	const char *key, int strip_hash)
{
	char **list = NULL;
	size_t len = 0, cap = 0;
	yaml_node_item_t *it;
	int rc = -1;

	if (is_null(node))
		return 0;
	if (node->type == YAML_SCALAR_NODE) {
		const char *v = scalar(node);
		char *copy = strdup(strip_hash && v[0] == '#' ? v + 1 : v);
		if (copy == NULL || VL_PUSH(list, len, cap, copy) < 0) {
			free(copy);
			vl_error_set(c->err, "out of memory");
			goto done;
		}
	} else if (node->type == YAML_SEQUENCE_NODE) {
		for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
			yaml_node_t *item = yaml_document_get_node(c->doc, *it);
			const char *v;
			char *copy;

			if (item == NULL || item->type != YAML_SCALAR_NODE || is_null(item)) {
				vl_error_set(c->err, "%s:%lu: '%s' must be a list of strings",
					c->path, item ? node_line(item) : node_line(node), key);
				goto done;
			}
			v = scalar(item);
			copy = strdup(strip_hash && v[0] == '#' ? v + 1 : v);
			if (copy == NULL || VL_PUSH(list, len, cap, copy) < 0) {
				free(copy);
				vl_error_set(c->err, "out of memory");
				goto done;
			}
		}
	} else {
		vl_error_set(c->err, "%s:%lu: '%s' must be a list of strings",
			c->path, node_line(node), key);
		goto done;
	}
	free_list(*items, *n);
	*items = list;
	*n = len;
	list = NULL;
	len = 0;
	rc = 0;
done:
	free_list(list, len);
	return rc;
}

/* One line of `rules:`: `id: severity` or `id: { severity: ... }`. */
static int load_rule(load_ctx *c, const yaml_node_t *key, const yaml_node_t *value)
{
	const char *id = scalar(key);
	const yaml_node_t *sev = value;
	yaml_node_pair_t *p;
	vl_severity s;
	int i = vl_rule_index(id);

	if (i < 0) {
		const char *ids[64];
		size_t n, j;
		const char *hint;

		n = vl_rules_count < 64 ? vl_rules_count : 64;
		for (j = 0; j < n; j++)
			ids[j] = vl_rules[j].id;
		hint = closest(id, ids, n);
		if (hint != NULL)
			return vl_error_set(c->err, "%s:%lu: unknown rule '%s' (did you mean '%s'?)",
				c->path, node_line(key), id, hint);
		return vl_error_set(c->err, "%s:%lu: unknown rule '%s'; 'vaultlint rules' lists them",
			c->path, node_line(key), id);
	}
	if (value->type == YAML_MAPPING_NODE) {
		if (want_mapping(c, value, id) < 0)
			return -1;
		sev = NULL;
		for (p = value->data.mapping.pairs.start; p < value->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
			if (strcmp(scalar(k), "severity") != 0)
				return unknown_key(c, k, id, rule_keys);
			sev = v;
		}
		if (sev == NULL)
			return 0;
	}
	if (is_null(sev))
		return 0;
	if (sev->type != YAML_SCALAR_NODE || vl_severity_parse(&s, scalar(sev)) < 0) {
		/* diag.c's names, the gravest first */
		const char *const severities[] = { vl_severity_name(VL_SEV_ERROR),
			vl_severity_name(VL_SEV_WARNING), vl_severity_name(VL_SEV_INFO),
			vl_severity_name(VL_SEV_OFF), NULL };
		char what[96];

		snprintf(what, sizeof(what), "the severity of '%s'", id);
		return bad_value(c, sev, what, severities);
	}
	c->cfg->severity[i] = s;
	return 0;
}

static int load_rules(load_ctx *c, const yaml_node_t *node)
{
	yaml_node_pair_t *p;

	if (is_null(node))
		return 0;
	if (want_mapping(c, node, "rules") < 0)
		return -1;
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++)
		if (load_rule(c, yaml_document_get_node(c->doc, p->key),
				yaml_document_get_node(c->doc, p->value)) < 0)
			return -1;
	return 0;
}

/* Compiles the tag pattern; pcre2's message and offset go into the error. */
static int compile_pattern(load_ctx *c, const yaml_node_t *node)
{
	pcre2_code *re;
	int code;
	PCRE2_SIZE offset;
	PCRE2_UCHAR msg[256];

	if (set_string(c, &c->cfg->tag_pattern, node, "pattern") < 0)
		return -1;
	if (is_null(node))
		return 0;
	re = pcre2_compile((PCRE2_SPTR)c->cfg->tag_pattern, PCRE2_ZERO_TERMINATED,
		PCRE2_UTF, &code, &offset, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return vl_error_set(c->err, "%s:%lu: bad 'pattern' in 'tags': %s at offset %lu",
			c->path, node_line(node), (const char *)msg, (unsigned long)offset);
	}
	if (c->cfg->tag_re != NULL)
		pcre2_code_free((pcre2_code *)c->cfg->tag_re);
	c->cfg->tag_re = re;
	if (c->cfg->tag_mctx == NULL) {
		pcre2_match_context *m = pcre2_match_context_create(NULL);

		if (m == NULL)
			return vl_error_set(c->err, "out of memory");
		pcre2_set_match_limit(m, VL_TAG_MATCH_LIMIT);
		pcre2_set_depth_limit(m, VL_TAG_MATCH_LIMIT);
		c->cfg->tag_mctx = m;
	}
	return 0;
}

static int load_tags(load_ctx *c, const yaml_node_t *node)
{
	yaml_node_pair_t *p;

	if (is_null(node))
		return 0;
	if (want_mapping(c, node, "tags") < 0)
		return -1;
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *key = scalar(k);

		if (strcmp(key, "case") == 0) {
			static const char *const names[] = { "any", "upper", "lower", "kebab", NULL };
			static const char *const shown[] = { "upper", "lower", "kebab", "any", NULL };
			static const vl_tag_case cases[] = {
				VL_CASE_ANY, VL_CASE_UPPER, VL_CASE_LOWER, VL_CASE_KEBAB
			};
			size_t i;

			if (is_null(v))
				continue;
			for (i = 0; i < 4; i++)
				if (v->type == YAML_SCALAR_NODE && strcmp(scalar(v), names[i]) == 0)
					break;
			if (i == 4)
				return bad_value(c, v, "'case'", shown);
			c->cfg->tag_case = cases[i];
		} else if (strcmp(key, "pattern") == 0) {
			if (compile_pattern(c, v) < 0)
				return -1;
		} else if (strcmp(key, "allowed") == 0) {
			if (set_list(c, &c->cfg->tags_allowed, &c->cfg->n_tags_allowed, v,
					"allowed", 1) < 0)
				return -1;
		} else {
			return unknown_key(c, k, "tags", tags_keys);
		}
	}
	return 0;
}

/* `commit:` and `sync:`: a section of string values. */
static int load_strings(load_ctx *c, const yaml_node_t *node, const char *section,
	const char *const *keys, char **const *dsts)
{
	yaml_node_pair_t *p;
	size_t i;

	if (is_null(node))
		return 0;
	if (want_mapping(c, node, section) < 0)
		return -1;
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);

		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(scalar(k), keys[i]) == 0)
				break;
		if (keys[i] == NULL)
			return unknown_key(c, k, section, keys);
		if (set_string(c, dsts[i], v, keys[i]) < 0)
			return -1;
	}
	return 0;
}

static int load_root(load_ctx *c, const yaml_node_t *root)
{
	yaml_node_pair_t *p;
	vl_config *cfg = c->cfg;

	if (is_null(root))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return vl_error_set(c->err, "%s:%lu: the config must be a mapping of keys "
			"(vault, ignore, rules, tags, commit, sync)", c->path, node_line(root));
	if (want_mapping(c, root, "the config") < 0)
		return -1;
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *key = scalar(k);
		int rc;

		if (strcmp(key, "vault") == 0) {
			rc = set_string(c, &cfg->vault, v, "vault");
		} else if (strcmp(key, "ignore") == 0) {
			rc = set_list(c, &cfg->ignore, &cfg->n_ignore, v, "ignore", 0);
		} else if (strcmp(key, "rules") == 0) {
			rc = load_rules(c, v);
		} else if (strcmp(key, "tags") == 0) {
			rc = load_tags(c, v);
		} else if (strcmp(key, "commit") == 0) {
			char **const dsts[] = { &cfg->commit_template };
			rc = load_strings(c, v, "commit", commit_keys, dsts);
		} else if (strcmp(key, "sync") == 0) {
			char **const dsts[] = { &cfg->sync_remote, &cfg->sync_branch };
			rc = load_strings(c, v, "sync", sync_keys, dsts);
		} else {
			rc = unknown_key(c, k, NULL, top_keys);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int syntax_error(const yaml_parser_t *parser, const char *path, vl_error *err)
{
	const yaml_mark_t *m = parser->problem_mark.line || parser->problem_mark.column ||
		parser->context == NULL ? &parser->problem_mark : &parser->context_mark;

	/* libyaml ran out of memory (a failed copy of its sets no error) */
	if (parser->error == YAML_MEMORY_ERROR || parser->error == YAML_NO_ERROR)
		return vl_error_set(err, "%s: out of memory reading the config", path);
	return vl_error_set(err, "%s:%lu: YAML syntax error: %s%s%s", path,
		(unsigned long)m->line + 1,
		parser->problem ? parser->problem : "unknown problem",
		parser->context ? " " : "", parser->context ? parser->context : "");
}

/* The anchor an event sets (&name), or NULL. */
static const yaml_char_t *event_anchor(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		return e->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return e->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return e->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

/* First pass: syntax errors, anchors and aliases, with the event parser
 * (which never expands anything). */
static int scan_events(const unsigned char *text, size_t n, const char *path, vl_error *err)
{
	yaml_parser_t parser;
	yaml_event_t event;
	int rc = -1, done_ = 0, docs = 0;

	if (!yaml_parser_initialize(&parser))
		return vl_error_set(err, "out of memory");
	yaml_parser_set_input_string(&parser, text, n);
	while (!done_) {
		if (!yaml_parser_parse(&parser, &event)) {
			syntax_error(&parser, path, err);
			goto done;
		}
		if (event.type == YAML_ALIAS_EVENT) {
			vl_error_set(err, "%s:%lu: YAML alias '*%s' is not allowed in the config; "
				"write the value out", path, (unsigned long)event.start_mark.line + 1,
				(const char *)event.data.alias.anchor);
			yaml_event_delete(&event);
			goto done;
		}
		if (event_anchor(&event) != NULL) {
			vl_error_set(err, "%s:%lu: YAML anchor '&%s' is not allowed in the config; "
				"remove it", path, (unsigned long)event.start_mark.line + 1,
				(const char *)event_anchor(&event));
			yaml_event_delete(&event);
			goto done;
		}
		if (event.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			vl_error_set(err, "%s:%lu: the config must be one YAML document; "
				"remove the second '---'", path, (unsigned long)event.start_mark.line + 1);
			yaml_event_delete(&event);
			goto done;
		}
		done_ = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
	}
	rc = 0;
done:
	yaml_parser_delete(&parser);
	return rc;
}

static int read_file(const char *path, char **out, size_t *len, vl_error *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t n = 0, got;
	int rc = -1;

	f = fopen(path, "rb");
	if (f == NULL) {
		vl_error_set(err, "%s: cannot read the config: %s", path, strerror(errno));
		goto done;
	}
	buf = malloc(VL_CONFIG_MAX_SIZE + 1);
	if (buf == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	while ((got = fread(buf + n, 1, VL_CONFIG_MAX_SIZE + 1 - n, f)) > 0)
		n += got;
	if (ferror(f)) {
		vl_error_set(err, "%s: cannot read the config: %s", path, strerror(errno));
		goto done;
	}
	if (n > VL_CONFIG_MAX_SIZE) {
		vl_error_set(err, "%s: the config is larger than %d bytes", path, VL_CONFIG_MAX_SIZE);
		goto done;
	}
	buf[n] = '\0';
	/* the text is kept (the memo keys runs by it): no more room than it */
	*out = realloc(buf, n + 1);
	if (*out == NULL)
		*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* The folder part of path ("." when there is none). Caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return vl_strndup(path, (size_t)(slash - path));
}

int vl_config_load(vl_config *cfg, const char *path, vl_error *err)
{
	char *text = NULL, *file = NULL, *base = NULL;
	size_t n = 0;
	yaml_parser_t parser;
	yaml_document_t doc;
	int parser_ok = 0, doc_ok = 0, rc = -1;
	yaml_node_t *root;
	load_ctx c;

	if (read_file(path, &text, &n, err) < 0)
		goto done;
	if (memchr(text, '\0', n) != NULL) {
		vl_error_set(err, "%s: the config holds a NUL byte; is it a text file?", path);
		goto done;
	}
	if (vl_yaml_too_deep(text, n, VL_YAML_DEPTH_MAX)) {
		vl_error_set(err, "%s: [ ] or { } nest more than %d deep; no config needs that",
			path, VL_YAML_DEPTH_MAX);
		goto done;
	}
	if (scan_events((const unsigned char *)text, n, path, err) < 0)
		goto done;
	if (!yaml_parser_initialize(&parser)) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	parser_ok = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(&parser, &doc)) {
		syntax_error(&parser, path, err);
		goto done;
	}
	doc_ok = 1;
	file = strdup(path);
	base = dir_of(path);
	if (file == NULL || base == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	free(cfg->file);
	free(cfg->base_dir);
	free(cfg->text);
	cfg->file = file;
	cfg->base_dir = base;
	cfg->text = text;
	cfg->text_len = n;
	file = base = text = NULL;
	root = yaml_document_get_root_node(&doc);
	c.cfg = cfg;
	c.path = path;
	c.doc = &doc;
	c.err = err;
	if (root != NULL && load_root(&c, root) < 0)
		goto done;
	rc = 0;
done:
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	free(file);
	free(base);
	free(text);
	return rc;
}

/* Whether dir holds name (a regular file when want_file): 1, 0, or -1
 * when out of memory. */
static int has_entry(const char *dir, const char *name, int want_file)
{
	struct stat st;
	vl_buf b = VL_BUF_INIT;
	int found = 0;

	if (vl_buf_printf(&b, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name) < 0)
		return -1;
	if (stat(b.ptr, &st) == 0)
		found = want_file ? S_ISREG(st.st_mode) : 1;
	vl_buf_release(&b);
	return found;
}

int vl_config_find(char **out, const char *dir, vl_error *err)
{
	char *cur = NULL;
	vl_buf b = VL_BUF_INIT;
	int rc = -1;

	*out = NULL;
	cur = realpath(dir, NULL);
	if (cur == NULL) {
		vl_error_set(err, "%s: %s", dir, strerror(errno));
		goto done;
	}
	for (;;) {
		char *slash;
		int config = has_entry(cur, VL_CONFIG_NAME, 1);
		int yml = config == 0 ? has_entry(cur, ".vaultlint.yml", 1) : 0;
		int git = config == 0 ? has_entry(cur, ".git", 0) : 0;

		if (config < 0 || yml < 0 || git < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
		/* the other spelling would be passed over without a word */
		if (yml) {
			vl_error_set(err, "%s%s.vaultlint.yml: vaultlint reads %s; rename the file",
				cur, strcmp(cur, "/") == 0 ? "" : "/", VL_CONFIG_NAME);
			goto done;
		}
		if (config) {
			if (vl_buf_printf(&b, "%s%s%s", cur, strcmp(cur, "/") == 0 ? "" : "/",
					VL_CONFIG_NAME) < 0) {
				vl_error_set(err, "out of memory");
				goto done;
			}
			*out = vl_buf_detach(&b);
			break;
		}
		if (git || strcmp(cur, "/") == 0)
			break;
		slash = strrchr(cur, '/');
		if (slash == cur)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	rc = 0;
done:
	vl_buf_release(&b);
	free(cur);
	return rc;
}

int vl_config_tag_matches(const vl_config *cfg, const char *tag)
{
	pcre2_match_data *md;
	int rc;

	if (cfg == NULL || cfg->tag_re == NULL)
		return 1;
	md = pcre2_match_data_create_from_pattern((const pcre2_code *)cfg->tag_re, NULL);
	if (md == NULL)
		return 1;
	rc = pcre2_match((const pcre2_code *)cfg->tag_re, (PCRE2_SPTR)tag,
		PCRE2_ZERO_TERMINATED, 0, 0, md, (pcre2_match_context *)cfg->tag_mctx);
	pcre2_match_data_free(md);
	/* a pattern that backtracks without end is said, not taken for a
	 * match (it once ran for minutes and passed every tag); a tag that
	 * pcre2 cannot judge otherwise (invalid UTF-8) is left to the other
	 * rules */
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT)
		return VL_TAG_TOO_COSTLY;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : 1;
}

int vl_config_tag_allowed(const vl_config *cfg, const char *tag)
{
	size_t i, len, tlen;

	if (cfg == NULL || cfg->n_tags_allowed == 0)
		return 1;
	if (tag[0] == '#')
		tag++;
	tlen = strlen(tag);
	for (i = 0; i < cfg->n_tags_allowed; i++) {
		const char *a = cfg->tags_allowed[i];

		len = strlen(a);
		if (len > tlen || !vl_fold_equal(a, tag, len))
			continue;
		/* Equal, or a listed parent of a nested tag (A allows A/B). */
		if (tag[len] == '\0' || (tag[len] == '/' && len > 0))
			return 1;
	}
	return 0;
}
