/*
 * fuzz_common.h: the six fuzzed entry points and the checks made on what
 * they return, shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c) and
 * the corpus replay test (tests/unit/test_fuzz_replay.c), so that replaying
 * the corpus without libFuzzer checks exactly what fuzzing checked.
 *
 * Each vl_fuzz_* function returns 0 when the library behaved (success or a
 * clean error return), or -1 with why[] describing the broken invariant.
 * Crashes, leaks and undefined behaviour are left to the sanitizers.
 */
#ifndef VL_FUZZ_COMMON_H
#define VL_FUZZ_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cache.h"
#include "../../src/config.h"
#include "../../src/lint.h"
#include "../../src/note.h"
#include "../../src/obsidian.h"
#include "../../src/source.h"

typedef struct vl_fuzz_ctx {
	char why[512];
	char cfg_path[64];   /* temp file for the config harness, or "" */
	int cfg_fd;
} vl_fuzz_ctx;

static inline int vl_fuzz_fail(vl_fuzz_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int vl_fuzz_fail(vl_fuzz_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* A position must be 1-based and within the input's lines. */
static inline int vl_fuzz_pos(vl_fuzz_ctx *c, const char *what, size_t i, vl_pos p,
	uint32_t max_line)
{
	if (p.line < 1 || p.col < 1)
		return vl_fuzz_fail(c, "%s[%zu] at %u:%u: line and col must be >= 1",
			what, i, p.line, p.col);
	if (p.line > max_line)
		return vl_fuzz_fail(c, "%s[%zu] at line %u, but the input has %u lines",
			what, i, p.line, max_line);
	return 0;
}

#define VL_FUZZ_STR(c, what, i, s) \
	do { if ((s) == NULL) return vl_fuzz_fail((c), "%s[%zu] is NULL", (what), (size_t)(i)); } while (0)

/* Invariants of a parsed note whose text had max_line lines. */
static inline int vl_fuzz_check_note(vl_fuzz_ctx *c, const vl_note *note, uint32_t max_line)
{
	size_t i;

	if (!note->path || !note->name)
		return vl_fuzz_fail(c, "note path or name is NULL");
	for (i = 0; i < note->n_headings; i++) {
		const vl_heading *h = &note->headings[i];
		VL_FUZZ_STR(c, "heading.text", i, h->text);
		if (h->level < 1 || h->level > 6)
			return vl_fuzz_fail(c, "heading[%zu] has level %d", i, h->level);
		if (vl_fuzz_pos(c, "heading", i, h->pos, max_line) < 0)
			return -1;
	}
	for (i = 0; i < note->n_blocks; i++) {
		VL_FUZZ_STR(c, "block.id", i, note->blocks[i].id);
		if (vl_fuzz_pos(c, "block", i, note->blocks[i].pos, max_line) < 0)
			return -1;
	}
	for (i = 0; i < note->n_tags; i++) {
		const vl_tag *t = &note->tags[i];
		VL_FUZZ_STR(c, "tag.name", i, t->name);
		if (t->entry < -1 || (t->entry >= 0 && (size_t)t->entry >= note->n_entries))
			return vl_fuzz_fail(c, "tag[%zu] entry %d out of range", i, t->entry);
		if (vl_fuzz_pos(c, "tag", i, t->pos, max_line) < 0)
			return -1;
	}
	for (i = 0; i < note->n_links; i++) {
		const vl_link *l = &note->links[i];
		VL_FUZZ_STR(c, "link.target", i, l->target);
		if (l->kind < VL_LINK_WIKI || l->kind > VL_LINK_URL)
			return vl_fuzz_fail(c, "link[%zu] has kind %d", i, (int)l->kind);
		if (l->entry < -1 || (l->entry >= 0 && (size_t)l->entry >= note->n_entries))
			return vl_fuzz_fail(c, "link[%zu] entry %d out of range", i, l->entry);
		if (vl_fuzz_pos(c, "link", i, l->pos, max_line) < 0)
			return -1;
	}
	for (i = 0; i < note->n_entries; i++) {
		const vl_entry *e = &note->entries[i];
		VL_FUZZ_STR(c, "entry.text", i, e->text);
		if (e->depth < 0)
			return vl_fuzz_fail(c, "entry[%zu] has depth %d", i, e->depth);
		if (e->parent < -1 || (e->parent >= 0 && (size_t)e->parent >= i))
			return vl_fuzz_fail(c, "entry[%zu] has parent %d (must precede it)", i, e->parent);
		if (e->section < -1 || (e->section >= 0 && (size_t)e->section >= note->n_headings))
			return vl_fuzz_fail(c, "entry[%zu] section %d out of range", i, e->section);
		if (vl_fuzz_pos(c, "entry", i, e->pos, max_line) < 0)
			return -1;
		if (e->end_line < e->pos.line)
			return vl_fuzz_fail(c, "entry[%zu] ends on line %u before it starts (%u)",
				i, e->end_line, e->pos.line);
	}
	for (i = 0; i < note->n_suppress; i++) {
		VL_FUZZ_STR(c, "suppress.rule", i, note->suppress[i].rule);
		if (note->suppress[i].first < 1)
			return vl_fuzz_fail(c, "suppress[%zu] starts on line %u", i, note->suppress[i].first);
	}
	for (i = 0; i < note->n_problems; i++) {
		VL_FUZZ_STR(c, "problem.rule", i, note->problems[i].rule);
		VL_FUZZ_STR(c, "problem.message", i, note->problems[i].message);
		if (vl_fuzz_pos(c, "problem", i, note->problems[i].pos, max_line) < 0)
			return -1;
	}
	for (i = 0; i < note->n_props; i++) {
		VL_FUZZ_STR(c, "prop.key", i, note->props[i].key);
		VL_FUZZ_STR(c, "prop.value", i, note->props[i].value);
		if (vl_fuzz_pos(c, "prop", i, note->props[i].pos, max_line) < 0)
			return -1;
	}
	for (i = 0; i < note->n_aliases; i++)
		VL_FUZZ_STR(c, "alias", i, note->aliases[i]);
	return 0;
}

/* Lines of s as CommonMark counts them: "\n", "\r\n" and a lone "\r" each
 * end a line (md4c follows that rule, so positions may too). */
static inline uint32_t vl_fuzz_lines(const char *s, size_t n)
{
	uint32_t lines = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))) &&
		    lines < UINT32_MAX)
			lines++;
	return lines;
}

/* The note parser on arbitrary bytes. */
static inline int vl_fuzz_note(vl_fuzz_ctx *c, const uint8_t *data, size_t size)
{
	vl_note *note = NULL;
	vl_error err;
	int rc;

	err.msg[0] = 0;
	/* -1 means out of memory (note.h), which a small input cannot cause */
	if (vl_note_parse(&note, "fuzz/Note.md", (const char *)data, size, &err) < 0)
		return size < (1u << 24) ? vl_fuzz_fail(c, "vl_note_parse failed on %zu bytes: %s",
			size, err.msg) : 0;
	if (!note)
		return vl_fuzz_fail(c, "vl_note_parse returned 0 without a note");
	rc = vl_fuzz_check_note(c, note, vl_fuzz_lines((const char *)data, size));
	vl_note_free(note);
	return rc;
}

/* The front matter reader: the bytes as the YAML of a front matter block. */
static inline int vl_fuzz_frontmatter(vl_fuzz_ctx *c, const uint8_t *data, size_t size)
{
	char *text = malloc(size + 9);
	int rc;

	if (!text)
		return 0;
	memcpy(text, "---\n", 4);
	if (size)
		memcpy(text + 4, data, size);
	memcpy(text + 4 + size, "\n---\n", 5);
	rc = vl_fuzz_note(c, (const uint8_t *)text, size + 9);
	free(text);
	return rc;
}

static inline void vl_fuzz_ctx_release(vl_fuzz_ctx *c)
{
	if (c->cfg_path[0]) {
		close(c->cfg_fd);
		unlink(c->cfg_path);
		c->cfg_path[0] = 0;
	}
}

/* The config reader on a temp file holding the bytes (the file is made on
 * first use and rewritten each time). */
static inline int vl_fuzz_config(vl_fuzz_ctx *c, const uint8_t *data, size_t size)
{
	vl_config cfg;
	vl_error err;
	size_t i;
	int r, rc = 0;

	if (!c->cfg_path[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(c->cfg_path, sizeof(c->cfg_path), "%s/vl-fuzz-XXXXXX",
			tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		c->cfg_fd = mkstemp(c->cfg_path);
		if (c->cfg_fd < 0) {
			c->cfg_path[0] = 0;
			return vl_fuzz_fail(c, "cannot make a temp file");
		}
	}
	if (ftruncate(c->cfg_fd, 0) != 0 ||
	    (size && pwrite(c->cfg_fd, data, size, 0) != (ssize_t)size))
		return vl_fuzz_fail(c, "cannot write %s", c->cfg_path);
	err.msg[0] = 0;
	if (vl_config_init(&cfg, &err) < 0)
		return vl_fuzz_fail(c, "vl_config_init failed: %s", err.msg);
	r = vl_config_load(&cfg, c->cfg_path, &err);
	if (r < 0) {
		if (!err.msg[0])
			rc = vl_fuzz_fail(c, "vl_config_load failed without a message");
	} else if (r > 0) {
		rc = vl_fuzz_fail(c, "vl_config_load returned %d", r);
	} else {
		for (i = 0; i < cfg.n_tags_allowed && rc == 0; i++)
			if (!cfg.tags_allowed[i])
				rc = vl_fuzz_fail(c, "tags_allowed[%zu] is NULL", i);
		for (i = 0; i < cfg.n_ignore && rc == 0; i++)
			if (!cfg.ignore[i])
				rc = vl_fuzz_fail(c, "ignore[%zu] is NULL", i);
		/* exercise the compiled tag checks on a fixed tag */
		(void)vl_config_tag_matches(&cfg, "PAPER");
		(void)vl_config_tag_allowed(&cfg, "PAPER/SUB");
	}
	vl_config_release(&cfg);
	return rc;
}

/* The reader of Obsidian's .obsidian/app.json (obsidian.h), which a
 * vault may hold anything in: it takes the filters (each non-empty), says
 * why when it cannot (a message), or fails only when out of memory; the
 * filters it took answer for any path, within their step limit. */
static inline int vl_fuzz_appjson(vl_fuzz_ctx *c, const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"Templates/Daily.md", "a/b/c.excalidraw.md", "", "\xc3\xa9t\xc3\xa9.md",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"
	};
	vl_excluded x;
	vl_error err;
	size_t i;
	int r, rc = 0;

	err.msg[0] = 0;
	r = vl_excluded_parse(&x, (const char *)data, size, &err);
	if (r < 0) {
		if (!err.msg[0])
			rc = vl_fuzz_fail(c, "vl_excluded_parse failed without a message");
		vl_excluded_release(&x);
		return rc;
	}
	if (r > 0 && !err.msg[0])
		rc = vl_fuzz_fail(c, "vl_excluded_parse returned 1 without a message");
	for (i = 0; i < x.n && rc == 0; i++)
		if (x.filters[i].text == NULL || x.filters[i].text[0] == '\0')
			rc = vl_fuzz_fail(c, "filter %zu is empty", i);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]) && rc == 0; i++)
		if (vl_excluded_match(&x, paths[i]) > 1)
			rc = vl_fuzz_fail(c, "vl_excluded_match said more than yes or no");
	vl_excluded_release(&x);
	return rc;
}

/* The decoder of the cache's records (cache.h), which reads what a file in
 * the git folder says, on arbitrary bytes as a record's body, with each of
 * its flags: it accepts or refuses, never more. What the whole decode
 * accepts, the summary and links-only decodes accept too, and its encoding
 * decodes and encodes to the same bytes again (the format is canonical but
 * for flag bytes, where any non-zero byte reads as 1). */
static inline int vl_fuzz_cache(vl_fuzz_ctx *c, const uint8_t *data, size_t size)
{
	static const unsigned flags[] = { 0, VL_CACHE_SUMMARY, VL_CACHE_LINKS };
	vl_buf once = VL_BUF_INIT, twice = VL_BUF_INIT;
	vl_note *note = NULL, *again = NULL, *summary = NULL;
	int r[3], rc = 0;
	size_t k;

	for (k = 0; k < 3; k++) {
		vl_note *n = NULL;

		r[k] = vl_cache_decode_note(&n, "fuzz/Note.md", data, size, flags[k]);
		if (r[k] < 0)
			return size < (1u << 24) ? vl_fuzz_fail(c,
				"decode (flags %u) ran out of memory on %zu bytes", flags[k], size) : 0;
		if ((r[k] == 0) != (n != NULL)) {
			vl_note_free(n);
			return vl_fuzz_fail(c, "decode (flags %u) returned %d %s a note",
				flags[k], r[k], n ? "with" : "without");
		}
		if (k == 0)
			note = n;
		else if (k == 1)
			summary = n;
		else
			vl_note_free(n);
	}
	/* a summary counts each tag spelling as often as the note writes it */
	if (note != NULL && summary != NULL) {
		size_t i, j, times, total = 0, named = 0;

		for (i = 0; i < note->n_tags; i++)
			named += note->tags[i].name != NULL;
		for (i = 0; i < summary->n_tag_counts && rc == 0; i++) {
			for (j = times = 0; j < note->n_tags; j++)
				times += note->tags[j].name != NULL &&
					strcmp(note->tags[j].name, summary->tag_counts[i].name) == 0;
			if (times != summary->tag_counts[i].count)
				rc = vl_fuzz_fail(c, "a summary counts '%s' %u times, the note has it %zu",
					summary->tag_counts[i].name, summary->tag_counts[i].count, times);
			total += times;
		}
		if (rc == 0 && (summary->n_tags != 0 || total != named))
			rc = vl_fuzz_fail(c, "a summary's tags are not the note's");
	}
	vl_note_free(summary);
	if (rc != 0) {
		vl_note_free(note);
		return rc;
	}
	/* a lazy vault loads a summary and reads the note whole later: a
	 * body one decode refuses, every decode refuses */
	if (r[0] != 0) {
		vl_note_free(note);
		if (r[1] == 0 || r[2] == 0)
			return vl_fuzz_fail(c, "a body the whole decode refuses is accepted by the %s decode",
				r[1] == 0 ? "summary" : "links-only");
		return 0;
	}
	if (r[1] != 0 || r[2] != 0)
		rc = vl_fuzz_fail(c, "a body the whole decode accepts is refused by the %s decode",
			r[1] != 0 ? "summary" : "links-only");
	else if (vl_cache_encode_note(&once, note) != 0)
		rc = vl_fuzz_fail(c, "a decoded note cannot be encoded");
	else if (vl_cache_decode_note(&again, "fuzz/Note.md", (const unsigned char *)once.ptr,
	    once.len, 0) != 0)
		rc = vl_fuzz_fail(c, "the encoding of a decoded note does not decode");
	else if (vl_cache_encode_note(&twice, again) != 0 || once.len != twice.len ||
	    memcmp(once.ptr, twice.ptr, once.len) != 0)
		rc = vl_fuzz_fail(c, "encoding, decoding and encoding again gives other bytes");
	vl_note_free(note);
	vl_note_free(again);
	vl_buf_release(&once);
	vl_buf_release(&twice);
	return rc;
}

/* The whole check on a small vault: the input is its notes, split at each
 * NUL byte (VL_FUZZ_NOTES at most, the last taking the rest), at paths
 * that can reach each other by name (two "Alpha"), by path and by
 * relative path, beside two attachments; every rule runs over it, the
 * reach of each note kept as a full check keeps it (the resolver, the
 * index's lookups and did-you-means, every rule). It must not fail, and
 * each finding must be about a file of the vault, with a message. */
#define VL_FUZZ_NOTES 5

static inline int vl_fuzz_lint(vl_fuzz_ctx *c, const uint8_t *data, size_t size)
{
	static const char *const paths[VL_FUZZ_NOTES] = {
		"Home.md", "notes/Alpha.md", "notes/deep/Beta.md", "Alpha.md", "x/y/Note.md",
	};
	const uint8_t *piece[VL_FUZZ_NOTES];
	size_t len[VL_FUZZ_NOTES], n = 0, i, k;
	vl_source *src = calloc(1, sizeof(*src));
	vl_note **notes = NULL;
	vl_reach *reach = NULL;
	vl_vault *vault = NULL;
	vl_diags d = VL_DIAGS_INIT;
	vl_lint_opts lo;
	vl_error err;
	int rc = 0, r;

	for (;;) {
		const uint8_t *nul = n + 1 < VL_FUZZ_NOTES ? memchr(data, 0, size) : NULL;

		piece[n] = data;
		len[n] = nul ? (size_t)(nul - data) : size;
		n++;
		if (nul == NULL)
			break;
		size -= len[n - 1] + 1;
		data = nul + 1;
	}
	notes = calloc(VL_FUZZ_NOTES + 1, sizeof(*notes));
	reach = calloc(VL_FUZZ_NOTES + 1, sizeof(*reach));
	if (src == NULL || notes == NULL || reach == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if (vl_source_add(src, paths[i], len[i], NULL) < 0)
			goto oom;
	if (vl_source_add(src, "img/pic.png", 1, NULL) < 0 ||
	    vl_source_add(src, "notes/doc.pdf", 1, NULL) < 0)
		goto oom;
	vl_source_sort(src);
	for (i = k = 0; i < src->n_files; i++) {
		size_t j;

		if (!src->files[i].is_note)
			continue;
		for (j = 0; strcmp(paths[j], src->files[i].path) != 0; j++)
			;
		if (vl_note_parse(&notes[k++], paths[j], (const char *)piece[j], len[j], &err) < 0)
			goto oom;
	}
	/* the vault takes the notes, also when it fails */
	r = vl_vault_new(&vault, src, notes, NULL, NULL, &err);
	notes = NULL;
	if (r < 0)
		goto oom;
	memset(&lo, 0, sizeof(lo));
	lo.threads = 1;
	lo.reach = reach;
	if (vl_lint_run(&d, vault, &lo, &err) < 0) {
		rc = vl_fuzz_fail(c, "the check failed: %s", err.msg);
		goto done;
	}
	for (i = 0; i < d.len && rc == 0; i++) {
		const vl_diag *g = &d.items[i];

		if (g->rule == NULL || g->message == NULL || g->path == NULL)
			rc = vl_fuzz_fail(c, "finding %zu lacks its rule, message or path", i);
		else if (vl_source_find(src, g->path) < 0)
			rc = vl_fuzz_fail(c, "finding %zu is about '%s', not a file of the vault",
				i, g->path);
	}
	goto done;
oom:
	/* a few notes of at most 64 KB: memory runs out only in a bug */
	rc = vl_fuzz_fail(c, "out of memory on a vault of %zu notes", n);
done:
	for (i = 0; notes != NULL && i < VL_FUZZ_NOTES; i++)
		vl_note_free(notes[i]);
	free(notes);
	vl_diags_release(&d);
	vl_reach_free(reach, VL_FUZZ_NOTES);
	vl_vault_free(vault);
	vl_source_free(src);
	return rc;
}

#endif
