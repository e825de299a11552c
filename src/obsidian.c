/*
 * obsidian.c: Obsidian's "Excluded files" (see obsidian.h).
 *
 * app.json is JSON, which libyaml's event parser reads (JSON's syntax is
 * YAML's flow style). The events are walked, never made into a document:
 * only the top-level key userIgnoreFilters is looked at, and nothing
 * that libyaml could expand is ever expanded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "obsidian.h"
#include "source.h"

/* Larger than this, app.json is surely no settings file. */
#define APP_JSON_MAX (1024 * 1024)
/* pcre2's steps per path and filter, as for the tag pattern. */
#define EXCLUDED_MATCH_LIMIT 20000

/* What the walk over app.json's events carries. */
typedef struct app_walk {
	vl_excluded *x;
	vl_error *err;
	int bad;         /* 1 once something could not be used (err set) */
	size_t depth;    /* collections open around the next event */
	int want_key;    /* at depth 1, the next scalar is a key */
	int key_is_list; /* the value being read is userIgnoreFilters' */
	int in_list;     /* inside that value's sequence */
} app_walk;

/* Notes the first thing that could not be used: "<app.json>: what". */
static void set_bad(app_walk *w, const char *what)
{
	if (!w->bad)
		vl_error_set(w->err, "%s: %s", VL_OBSIDIAN_APP, what);
	w->bad = 1;
}

/* Compiles filter f->text when it is a regular expression ("/.../"):
 * f->re is then its code and f->md its match data. Returns 0, 1 when it
 * does not compile (err says why), -1 when out of memory. */
static int compile_filter(vl_excluded *x, vl_excluded_filter *f, vl_error *err)
{
	size_t n = strlen(f->text);
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	pcre2_code *code;
	int ec;

	if (n < 3 || f->text[0] != '/' || f->text[n - 1] != '/')
		return 0;
	code = pcre2_compile((PCRE2_SPTR)(f->text + 1), n - 2, PCRE2_UTF, &ec, &off, NULL);
	if (code == NULL) {
		if (ec == PCRE2_ERROR_NOMEMORY)
			return -1;
		pcre2_get_error_message(ec, msg, sizeof(msg));
		vl_error_set(err, "%s: the excluded-files filter '%s' is no regular expression "
			"vaultlint can use (%s at offset %lu); it is left out", VL_OBSIDIAN_APP,
			f->text, (const char *)msg, (unsigned long)off);
		return 1;
	}
	f->re = code;
	if (x->mctx == NULL) {
		pcre2_match_context *m = pcre2_match_context_create(NULL);

		if (m == NULL)
			return -1;
		pcre2_set_match_limit(m, EXCLUDED_MATCH_LIMIT);
		pcre2_set_depth_limit(m, EXCLUDED_MATCH_LIMIT);
		x->mctx = m;
	}
	f->md = pcre2_match_data_create_from_pattern(code, NULL);
	return f->md == NULL ? -1 : 0;
}

/* Frees what filter f holds. */
static void filter_release(vl_excluded_filter *f)
{
	free(f->text);
	pcre2_code_free((pcre2_code *)f->re);
	pcre2_match_data_free((pcre2_match_data *)f->md);
}

/* Adds filter s[0..n) (an empty one, which would exclude every note, is
 * passed over). Returns 0 or -1. */
static int add_filter(app_walk *w, const char *s, size_t n)
{
	vl_excluded_filter f = { NULL, NULL, NULL };
	vl_error why;
	int r;

	if (n == 0)
		return 0;
	if (memchr(s, '\0', n) != NULL) {
		set_bad(w, "an excluded-files filter holds a NUL; it is left out");
		return 0;
	}
	f.text = vl_strndup(s, n);
	r = f.text == NULL ? -1 : compile_filter(w->x, &f, &why);
	if (r == 0 && VL_PUSH(w->x->filters, w->x->n, w->x->cap, f) < 0)
		r = -1;
	if (r != 0)
		filter_release(&f);
	if (r > 0 && !w->bad)
		*w->err = why;
	w->bad |= r > 0;
	return r < 0 ? -1 : 0;
}

/* One event of app.json. Returns 0 or -1 (out of memory). */
static int walk_event(app_walk *w, const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (w->depth == 0 && e->type != YAML_MAPPING_START_EVENT)
			set_bad(w, "not a JSON object; its excluded files are not applied");
		else if (w->depth == 1 && w->key_is_list) {
			if (e->type == YAML_SEQUENCE_START_EVENT)
				w->in_list = 1;
			else
				set_bad(w, "'userIgnoreFilters' is not a list; its excluded files are "
					"not applied");
		} else if (w->depth == 2 && w->in_list)
			set_bad(w, "'userIgnoreFilters' holds an item that is not a string; "
				"it is left out");
		w->depth++;
		return 0;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (w->depth > 0)
			w->depth--;
		if (w->depth == 1) {
			/* a value ended */
			w->want_key = 1;
			w->in_list = w->key_is_list = 0;
		}
		return 0;
	case YAML_SCALAR_EVENT: {
		const char *v = (const char *)e->data.scalar.value;

		if (w->depth == 0) {
			set_bad(w, "not a JSON object; its excluded files are not applied");
		} else if (w->depth == 1 && w->want_key) {
			w->key_is_list = strcmp(v, "userIgnoreFilters") == 0;
			w->want_key = 0;
		} else if (w->depth == 1) {
			if (w->key_is_list && strcmp(v, "null") != 0)
				set_bad(w, "'userIgnoreFilters' is not a list; its excluded files are "
					"not applied");
			w->want_key = 1;
			w->key_is_list = 0;
		} else if (w->depth == 2 && w->in_list) {
			if (e->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
			    e->data.scalar.style != YAML_SINGLE_QUOTED_SCALAR_STYLE)
				set_bad(w, "'userIgnoreFilters' holds an item that is not a string; "
					"it is left out");
			else if (add_filter(w, v, e->data.scalar.length) < 0)
				return -1;
		}
		return 0;
	}
	case YAML_ALIAS_EVENT:
		set_bad(w, "not JSON (a YAML alias); its excluded files are not applied");
		return 0;
	default:
		return 0;
	}
}

/* The 1-based line of libyaml's 0-based mark line: at most the text's
 * last line (the end of an unclosed text is marked past it). */
static unsigned long error_line(const char *text, size_t len, size_t line)
{
	size_t lines = 1, i;

	for (i = 0; i + 1 < len; i++)
		lines += text[i] == '\n';
	return (unsigned long)(line + 1 < lines ? line + 1 : lines);
}

int vl_excluded_parse(vl_excluded *out, const char *text, size_t len, vl_error *err)
{
	app_walk w;
	yaml_parser_t parser;
	yaml_event_t e;
	int rc = -1, end = 0;

	memset(out, 0, sizeof(*out));
	if (len > APP_JSON_MAX) {
		vl_error_set(err, "%s: larger than %d bytes; its excluded files are not applied",
			VL_OBSIDIAN_APP, APP_JSON_MAX);
		return 1;
	}
	if (vl_yaml_too_deep(text, len, VL_YAML_DEPTH_MAX)) {
		vl_error_set(err, "%s: [ ] or { } nest more than %d deep; its excluded files "
			"are not applied", VL_OBSIDIAN_APP, VL_YAML_DEPTH_MAX);
		return 1;
	}
	if (!yaml_parser_initialize(&parser))
		return vl_error_set(err, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	memset(&w, 0, sizeof(w));
	w.x = out;
	w.err = err;
	w.want_key = 1;
	while (!end) {
		if (!yaml_parser_parse(&parser, &e)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				vl_error_set(err, "out of memory");
				goto done;
			}
			if (!w.bad)
				vl_error_set(err, "%s:%lu: not valid JSON (%s); its excluded files are "
					"not applied", VL_OBSIDIAN_APP, error_line(text, len,
					parser.problem_mark.line),
					parser.problem ? parser.problem : "a syntax error");
			w.bad = 1;
			vl_excluded_release(out);
			break;
		}
		end = e.type == YAML_STREAM_END_EVENT;
		if (walk_event(&w, &e) < 0) {
			yaml_event_delete(&e);
			vl_error_set(err, "out of memory");
			goto done;
		}
		yaml_event_delete(&e);
	}
	rc = w.bad;
done:
	if (rc < 0)
		vl_excluded_release(out);
	yaml_parser_delete(&parser);
	return rc;
}

int vl_excluded_load(vl_excluded *out, const char *vault_dir, vl_error *err)
{
	struct stat st;
	char *path = NULL, *text = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (asprintf(&path, "%s/%s", vault_dir, VL_OBSIDIAN_APP) < 0)
		return vl_error_set(err, "out of memory");
	/* no settings: nothing excluded (the read below is the safe one) */
	if (lstat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
		free(path);
		return 0;
	}
	free(path);
	/* unreadable (a FIFO, a symlink out of the vault...): said, not
	 * fatal; out of memory is the run's error, not app.json's: a report
	 * never changes for it */
	rc = vl_read_in_vault(vault_dir, VL_OBSIDIAN_APP, &text, &len, err);
	if (rc == -2)
		return -1; /* err: "out of memory reading ..." */
	if (rc < 0) {
		vl_error why = *err;

		vl_error_set(err, "%s; its excluded files are not applied", why.msg);
		return 1;
	}
	rc = vl_excluded_parse(out, text, len, err);
	free(text);
	return rc;
}

int vl_excluded_match(const vl_excluded *x, const char *path)
{
	size_t i;

	for (i = 0; x != NULL && i < x->n; i++) {
		const vl_excluded_filter *f = &x->filters[i];
		int r;

		if (f->re == NULL) {
			if (strncmp(path, f->text, strlen(f->text)) == 0)
				return 1;
			continue;
		}
		r = pcre2_match((const pcre2_code *)f->re, (PCRE2_SPTR)path,
			PCRE2_ZERO_TERMINATED, 0, 0, (pcre2_match_data *)f->md,
			(pcre2_match_context *)x->mctx);
		if (r >= 0)
			return 1;
		if (r == PCRE2_ERROR_NOMEMORY)
			return -1;
	}
	return 0;
}

void vl_excluded_release(vl_excluded *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++)
		filter_release(&x->filters[i]);
	free(x->filters);
	pcre2_match_context_free((pcre2_match_context *)x->mctx);
	memset(x, 0, sizeof(*x));
}
