/*
 * frontmatter.c: front matter found by line scanning, parsed with libyaml's
 * document loader. Aliases in YAML are never expanded (only the top-level
 * mapping and the tags/aliases values are visited, and a property's
 * canonical text stops at CANON_MAX bytes), so an alias bomb costs what
 * its text costs.
 */
#include "frontmatter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Returns the length of the line at text[off..n) without its end, and sets
 * *next to the start of the following line. */
static size_t line_at(const char *text, size_t n, size_t off, size_t *next)
{
	const char *nl = memchr(text + off, '\n', n - off);
	size_t end = nl ? (size_t)(nl - text) : n;

	*next = nl ? end + 1 : n;
	if (end > off && text[end - 1] == '\r')
		end--;
	return end - off;
}

static int is_fence(const char *s, size_t len)
{
	while (len > 3 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len == 3 && memcmp(s, "---", 3) == 0;
}

int vl_frontmatter_find(vl_fm_span *span, const char *text, size_t n, size_t start)
{
	size_t next, off, len;

	len = line_at(text, n, start, &next);
	if (!is_fence(text + start, len))
		return 0;
	span->yaml = next;
	span->line = 2;
	for (off = next; off < n; off = next) {
		len = line_at(text, n, off, &next);
		if (is_fence(text + off, len)) {
			span->yaml_len = off - span->yaml;
			span->body = next;
			return 1;
		}
	}
	return -1;
}

static vl_pos mark_pos(const vl_fm_span *span, yaml_mark_t m)
{
	vl_pos p;

	p.line = span->line + (uint32_t)m.line;
	p.col = (uint32_t)m.column + 1;
	return p;
}

static int scalar_is(yaml_node_t *node, const char *s)
{
	return node && node->type == YAML_SCALAR_NODE &&
		node->data.scalar.length == strlen(s) &&
		memcmp(node->data.scalar.value, s, node->data.scalar.length) == 0;
}

/* A front-matter tag that Obsidian does not take as a tag (vl_tag_scan
 * stops short of its end: a space, punctuation; or digits alone) is no
 * tag: a tag-format problem says why and what to write instead, each run
 * of what a tag cannot hold made one '-' ("a b" -> "a-b", "foo!" ->
 * "foo"). */
static int bad_tag(vl_note *note, const char *s, size_t len, vl_pos pos)
{
	vl_buf fix = VL_BUF_INIT;
	const char *bad = NULL;
	char what[16];
	size_t i, n, bad_len = 0, digits = 0;
	int rc = 0, dash = 0;

	for (i = 0; i < len && rc == 0; i += n) {
		if (!vl_tag_char(s + i, len - i, &n)) {
			if (bad == NULL) {
				bad = s + i;
				bad_len = n;
			}
			dash = fix.len > 0;
			continue;
		}
		if (dash)
			rc = vl_buf_putc(&fix, '-');
		dash = 0;
		if (rc == 0)
			rc = vl_buf_put(&fix, s + i, n);
		digits += s[i] >= '0' && s[i] <= '9';
	}
	if (rc < 0) {
		vl_buf_release(&fix);
		return -1;
	}
	/* the first character it cannot hold, as a message names it */
	if (bad != NULL && *bad == ' ')
		snprintf(what, sizeof(what), "a space");
	else if (bad != NULL)
		snprintf(what, sizeof(what), *bad == '\'' ? "\"%.*s\"" : "'%.*s'",
			(int)bad_len, bad);
	if (bad == NULL)
		rc = vl_note_add_problem(note, "tag-format", pos,
			"front-matter tag '%.*s' is no tag to Obsidian: a tag needs a "
			"character that is not a digit (as in 'y%.*s')",
			(int)len, s, (int)len, s);
	else if (fix.len > 0 && digits < fix.len)
		rc = vl_note_add_problem(note, "tag-format", pos,
			"front-matter tag '%.*s' is no tag to Obsidian: a tag cannot hold "
			"%s (only letters, digits, '_', '-' and '/'); write '%.*s'",
			(int)len, s, what, (int)fix.len, fix.ptr);
	else
		rc = vl_note_add_problem(note, "tag-format", pos,
			"front-matter tag '%.*s' is no tag to Obsidian: a tag cannot hold "
			"%s; use letters, digits, '_', '-' and '/', not digits alone",
			(int)len, s, what);
	vl_buf_release(&fix);
	return rc;
}

static int add_tag(vl_note *note, const char *s, size_t len, vl_pos pos)
{
	vl_tag t;

	while (len && (*s == '#' || *s == ' '))
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return 0;
	/* what the text would not take after '#' is no tag here either:
	 * digits alone (`1984`), a space, punctuation */
	if (vl_tag_scan(s, len) != len)
		return bad_tag(note, s, len, pos);
	t.name = vl_arena_strndup(&note->arena, s, len);
	if (!t.name)
		return -1;
	t.pos = pos;
	t.frontmatter = 1;
	t.entry = -1;
	return VL_NOTE_PUSH(note, tags, t);
}

static int add_alias(vl_note *note, const char *s, size_t len)
{
	char *a;

	while (len && *s == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (!len)
		return 0;
	a = vl_arena_strndup(&note->arena, s, len);
	if (!a)
		return -1;
	return VL_NOTE_PUSH(note, aliases, a);
}

/* A single string of tags may list several, separated by commas or spaces
 * ("a, b" or "a b"), as Obsidian reads it. */
static int add_tag_string(vl_note *note, const char *s, size_t len, vl_pos pos)
{
	size_t i = 0;

	while (i < len) {
		size_t j;
		while (i < len && (s[i] == ',' || s[i] == ' '))
			i++;
		j = i;
		while (j < len && s[j] != ',' && s[j] != ' ')
			j++;
		if (j > i) {
			vl_pos at = pos;
			at.col += (uint32_t)vl_utf8_count(s, i);
			if (add_tag(note, s + i, j - i, at) < 0)
				return -1;
		}
		i = j;
	}
	return 0;
}

/* tags / aliases / cssclasses: a list of strings, or one string. */
static int read_list(vl_note *note, yaml_document_t *doc, yaml_node_t *key,
	yaml_node_t *val, const vl_fm_span *span, int kind)
{
	const char *name = (const char *)key->data.scalar.value;
	yaml_node_item_t *it;

	if (val->type == YAML_SCALAR_NODE) {
		const char *s = (const char *)val->data.scalar.value;
		size_t len = val->data.scalar.length;
		if (len == 0 || (val->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (strcmp(s, "null") == 0 || strcmp(s, "~") == 0)))
			return 0;
		if (kind == 0) {
			vl_pos at = mark_pos(span, val->start_mark);
			if (val->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    val->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
				at.col++; /* past the quote */
			return add_tag_string(note, s, len, at);
		}
		if (kind == 1)
			return add_alias(note, s, len);
		return 0;
	}
	if (val->type != YAML_SEQUENCE_NODE)
		return vl_note_add_problem(note, "frontmatter-invalid",
			mark_pos(span, val->start_mark),
			"'%s' must be a list of strings, not a mapping", name);
	for (it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(doc, *it);
		if (!item)
			continue;
		if (item->type != YAML_SCALAR_NODE) {
			if (vl_note_add_problem(note, "frontmatter-invalid",
			    mark_pos(span, item->start_mark),
			    "'%s' must be a list of strings; this item is a %s", name,
			    item->type == YAML_MAPPING_NODE ? "mapping" : "list") < 0)
				return -1;
			continue;
		}
		if (kind == 0 && add_tag(note, (const char *)item->data.scalar.value,
		    item->data.scalar.length, mark_pos(span, item->start_mark)) < 0)
			return -1;
		if (kind == 1 && add_alias(note, (const char *)item->data.scalar.value,
		    item->data.scalar.length) < 0)
			return -1;
	}
	return 0;
}

/* libyaml's marks count characters, not bytes: turn one into a byte offset
 * of the YAML text through the table of line starts. */
static size_t mark_byte(const char *y, size_t len, const size_t *ls, size_t n_ls,
	yaml_mark_t m)
{
	size_t off, col;

	if (m.line >= n_ls)
		return len;
	off = ls[m.line];
	for (col = 0; col < m.column && off < len && y[off] != '\n'; col++) {
		off++;
		while (off < len && ((unsigned char)y[off] & 0xC0) == 0x80)
			off++;
	}
	return off;
}

/* A canonical text of a value longer than this, or nested deeper, is
 * not made (the value's text as written stands for it): an alias bomb
 * costs no more than this. */
#define CANON_MAX 4096
#define CANON_DEPTH 16

/* Whether scalar s[0..n) needs quotes in a canonical text to stay one
 * value: in a collection, "a, b" is not [a, b]; at the top, "[a, b]" is
 * not the list. */
static int needs_quotes(const char *s, size_t n, int top)
{
	size_t i;

	if (top)
		return n > 0 && (s[0] == '[' || s[0] == '{' || s[0] == '"');
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 1;
	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '[' || s[i] == ']' || s[i] == '{' || s[i] == '}' ||
		    s[i] == ':' || s[i] == '#' || s[i] == '"')
			return 1;
	return 0;
}

/* Appends the canonical text of node to b: a scalar's value (quotes and
 * styles as written make no difference), a list as [a, b], a mapping as
 * {k: v}, so that `tags: [a, b]` and the block list Obsidian's property
 * editor writes for it are one value. Returns 0, 1 when it would be too
 * long or too deep (CANON_MAX, CANON_DEPTH), -1 when out of memory. */
static int canon(vl_buf *b, yaml_document_t *doc, yaml_node_t *node, int depth, int top)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;
	int rc = 0;

	if (node == NULL || b->len > CANON_MAX || depth > CANON_DEPTH)
		return 1;
	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)node->data.scalar.value;
		size_t n = node->data.scalar.length, i;

		if (!needs_quotes(v, n, top))
			return vl_buf_put(b, v, n) < 0 ? -1 : 0;
		rc = vl_buf_putc(b, '"');
		for (i = 0; i < n && rc == 0; i++) {
			if (v[i] == '"' || v[i] == '\\')
				rc = vl_buf_putc(b, '\\');
			if (rc == 0)
				rc = vl_buf_putc(b, v[i]);
		}
		return rc < 0 || vl_buf_putc(b, '"') < 0 ? -1 : 0;
	}
	case YAML_SEQUENCE_NODE:
		if (vl_buf_putc(b, '[') < 0)
			return -1;
		for (it = node->data.sequence.items.start; it < node->data.sequence.items.top &&
		    rc == 0; it++) {
			if (it > node->data.sequence.items.start && vl_buf_puts(b, ", ") < 0)
				return -1;
			rc = canon(b, doc, yaml_document_get_node(doc, *it), depth + 1, 0);
		}
		return rc != 0 ? rc : vl_buf_putc(b, ']') < 0 ? -1 : 0;
	case YAML_MAPPING_NODE:
		if (vl_buf_putc(b, '{') < 0)
			return -1;
		for (pr = node->data.mapping.pairs.start; pr < node->data.mapping.pairs.top &&
		    rc == 0; pr++) {
			if (pr > node->data.mapping.pairs.start && vl_buf_puts(b, ", ") < 0)
				return -1;
			rc = canon(b, doc, yaml_document_get_node(doc, pr->key), depth + 1, 0);
			if (rc == 0)
				rc = vl_buf_puts(b, ": ") < 0 ? -1 :
					canon(b, doc, yaml_document_get_node(doc, pr->value), depth + 1, 0);
		}
		return rc != 0 ? rc : vl_buf_putc(b, '}') < 0 ? -1 : 0;
	default:
		return 1;
	}
}

/* A property for the changelog's comparison: its value's canonical text
 * (canon), or, when that would be too large, its text as written,
 * trimmed. */
static int add_prop(vl_note *note, const vl_fm_span *span, const char *y,
	const size_t *ls, size_t n_ls, yaml_document_t *doc, yaml_node_t *key,
	yaml_node_t *val)
{
	vl_property p;
	vl_buf c = VL_BUF_INIT;
	size_t a = mark_byte(y, span->yaml_len, ls, n_ls, val->start_mark);
	size_t b = mark_byte(y, span->yaml_len, ls, n_ls, val->end_mark);
	int r = canon(&c, doc, val, 0, 1);

	if (a > b)
		a = b;
	while (b > a && (y[b - 1] == '\n' || y[b - 1] == '\r' || y[b - 1] == ' '))
		b--;
	p.key = vl_arena_strndup(&note->arena, (const char *)key->data.scalar.value,
		key->data.scalar.length);
	p.value = r == 0 ? vl_arena_strndup(&note->arena, c.ptr ? c.ptr : "", c.len) :
		vl_arena_strndup(&note->arena, y + a, b - a);
	p.pos = mark_pos(span, key->start_mark);
	vl_buf_release(&c);
	if (r < 0 || !p.key || !p.value)
		return -1;
	return VL_NOTE_PUSH(note, props, p);
}

int vl_frontmatter_parse(vl_note *note, const char *text, const vl_fm_span *span,
	vl_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *pair;
	int rc = 0, have_doc = 0;
	const char *y = text + span->yaml;
	size_t *ls = NULL, n_ls = 0, cap_ls = 0, i;

	if (vl_yaml_too_deep(y, span->yaml_len, VL_YAML_DEPTH_MAX)) {
		vl_pos p = { span->line, 1 };

		if (vl_note_add_problem(note, "frontmatter-invalid", p,
		    "front matter nests [ ] or { } more than %d deep: not read; "
		    "flatten it", VL_YAML_DEPTH_MAX) < 0)
			return vl_error_set(err, "out of memory");
		return 0;
	}
	if (!yaml_parser_initialize(&parser))
		return vl_error_set(err, "out of memory");
	yaml_parser_set_input_string(&parser,
		(const unsigned char *)text + span->yaml, span->yaml_len);
	if (!yaml_parser_load(&parser, &doc)) {
		vl_pos p;

		/* libyaml ran out of memory: no finding of the note's (a
		 * failed copy in its composer sets no error at all) */
		if (parser.error == YAML_MEMORY_ERROR || parser.error == YAML_NO_ERROR) {
			rc = -1;
			goto done;
		}
		p.line = span->line + (uint32_t)parser.problem_mark.line;
		p.col = (uint32_t)parser.problem_mark.column + 1;
		rc = vl_note_add_problem(note, "frontmatter-invalid", p,
			"front matter is not valid YAML: %s%s%s",
			parser.problem ? parser.problem : "syntax error",
			parser.context ? " " : "", parser.context ? parser.context : "");
		goto done;
	}
	have_doc = 1;
	if (VL_PUSH(ls, n_ls, cap_ls, 0) < 0) {
		rc = -1;
		goto done;
	}
	for (i = 0; i < span->yaml_len; i++)
		if (y[i] == '\n' && VL_PUSH(ls, n_ls, cap_ls, i + 1) < 0) {
			rc = -1;
			goto done;
		}
	root = yaml_document_get_root_node(&doc);
	if (!root)
		goto done; /* empty front matter */
	if (root->type != YAML_MAPPING_NODE) {
		rc = vl_note_add_problem(note, "frontmatter-invalid",
			mark_pos(span, root->start_mark),
			"front matter must be a mapping of properties (key: value)");
		goto done;
	}
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pair->value);

		if (!k || !v || k->type != YAML_SCALAR_NODE)
			continue;
		if (add_prop(note, span, y, ls, n_ls, &doc, k, v) < 0) {
			rc = -1;
			break;
		}
		if (scalar_is(k, "tags") || scalar_is(k, "tag"))
			rc = read_list(note, &doc, k, v, span, 0);
		else if (scalar_is(k, "aliases") || scalar_is(k, "alias"))
			rc = read_list(note, &doc, k, v, span, 1);
		else if (scalar_is(k, "cssclasses") || scalar_is(k, "cssclass"))
			rc = read_list(note, &doc, k, v, span, 2);
		if (rc < 0)
			break;
	}
done:
	free(ls);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0)
		vl_error_set(err, "out of memory");
	return rc < 0 ? -1 : 0;
}
