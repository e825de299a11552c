/*
 * changelog.c: what changed between two versions of a vault, from the
 * parsed notes alone (git/changelog.c feeds it the changed notes).
 *
 * Entries. An entry is a top-level list item (no parent) together with
 * its sub-items. Its identity is its own first link, normalised (a URL
 * with lower-case scheme and host and no trailing '/'; for a vault link,
 * the note or file it opens where the range ends: link_identity), else
 * its own text normalised (lower case, whitespace collapsed, a trailing
 * ^blockid dropped). Its content is
 * its own text followed by one line per sub-item, so a changed sub-item
 * makes the entry "changed". Entries of every changed note, old and new,
 * are pooled; vl_changelog_finish pairs them by identity, and among
 * entries of one identity by content first (pair_identity), then in
 * order within a note, then across notes. A pair in another note or
 * under another heading is "moved" (with its old text when that changed
 * too), a pair with other content "changed", the rest are "added" or
 * "removed". A heading renamed in place (heading_renames) is the same
 * heading: its entries are not moved.
 *
 * Front matter is compared key by key for notes that exist on both sides
 * (an added or deleted note is reported as a note, not key by key).
 *
 * JSON schema (`changelog --format json`); every key is always present,
 * null when it does not apply; arrays keep the order described:
 *
 *   {
 *     "range": {"from": string|null, "to": string|null},
 *                           // commit ids (`changelog` sets them from
 *                           // range_from/range_to); from null: the empty
 *                           // tree (root commit); to "worktree": the
 *                           // uncommitted work tree
 *     "notes": [            // by path
 *       {"change": "added"|"deleted"|"modified"|"renamed",
 *        "old_path": string|null, "new_path": string|null}
 *     ],
 *     "entries": [          // by note, then line
 *       {"change": "added"|"removed"|"changed"|"moved",
 *        "tag": string|null,          // first tag, without '#'
 *        "identity": string,          // normalised URL; for a vault
 *                                     // link, the note (or file) path
 *                                     // in lower case without ".md",
 *                                     // then "#heading" or "#^block":
 *                                     // the note it opens when the
 *                                     // vault was listed, else the
 *                                     // target as written; else text
 *        "note": string,              // where it is now (removed: was)
 *        "section": string|null,      // heading text there
 *        "line": number,              // line there
 *        "text": string,              // content there; sub-items follow
 *                                     // on lines "  - text"
 *        "old_note": string|null,     // the old side (null when added)
 *        "old_section": string|null,
 *        "old_line": number|null,
 *        "old_text": string|null}
 *     ],
 *     "properties": [       // by note, then key order
 *       {"note": string, "key": string,
 *        "change": "added"|"removed"|"changed",
 *        "old_value": string|null, "new_value": string|null}
 *     ],
 *     "broken_links": [     // by note, then line
 *       {"note": string, "line": number, "target": string, "why": string}
 *     ]
 *   }
 */
#include "changelog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One top-level entry of one side of one pair, with copied strings. */
typedef struct rec {
	char *identity;     /* for a vault link: set by finish (link_identity) */
	char *tag;
	char *text;         /* own text + sub-items */
	char *note;
	char *section;
	/* Old side: the new text of its section's heading when the pair
	 * renamed that heading (heading_renames), else NULL. */
	char *section_as;
	/* A first link into the vault: its target as written (link_target,
	 * of kind link_kind) and normalised (norm_target); its "#heading" or
	 * "#^block" part (sub_key), or NULL. */
	char *link_target, *link_key, *link_sub;
	vl_link_kind link_kind;
	uint32_t line;
	size_t pair;        /* which add_pair call */
	size_t order;       /* position on its side */
	int used;
} rec;

typedef struct pending {
	rec *olds; size_t n_olds, cap_olds;
	rec *news; size_t n_news, cap_news;
	size_t n_pairs;
	/* the vault links' identities are made without indexes and no pair
	 * came since (vl_changelog_wants_indexes): finish need not remake
	 * them unless indexes were set */
	int ids_plain;
} pending;

void vl_changelog_init(vl_changelog *cl)
{
	memset(cl, 0, sizeof(*cl));
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void rec_release(rec *r)
{
	free(r->identity);
	free(r->tag);
	free(r->text);
	free(r->note);
	free(r->section);
	free(r->section_as);
	free(r->link_target);
	free(r->link_key);
	free(r->link_sub);
}

/* The section a record is compared by: for the old side, the heading's
 * new text when its pair renamed it. */
static const char *rec_section(const rec *r)
{
	return r->section_as ? r->section_as : r->section;
}

static void pending_free(pending *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_olds; i++)
		rec_release(&p->olds[i]);
	for (i = 0; i < p->n_news; i++)
		rec_release(&p->news[i]);
	free(p->olds);
	free(p->news);
	free(p);
}

/* ---- identities ---- */

/* Lower case, whitespace collapsed and trimmed, a trailing " ^blockid"
 * dropped. */
static char *norm_text(const char *s)
{
	vl_buf b = VL_BUF_INIT;
	const char *caret;
	size_t n;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isspace(c)) {
			if (b.len > 0 && b.ptr[b.len - 1] != ' ' && vl_buf_putc(&b, ' ') < 0)
				goto fail;
			continue;
		}
		if (vl_buf_putc(&b, (char)tolower(c)) < 0)
			goto fail;
	}
	while (b.len > 0 && b.ptr[b.len - 1] == ' ')
		b.ptr[--b.len] = '\0';
	if (b.ptr != NULL && (caret = strrchr(b.ptr, '^')) != NULL &&
	    (caret == b.ptr || caret[-1] == ' ')) {
		n = strlen(caret + 1);
		if (n > 0 && vl_block_id_valid(caret + 1, n)) {
			b.len = (size_t)(caret - b.ptr);
			while (b.len > 0 && b.ptr[b.len - 1] == ' ')
				b.len--;
			b.ptr[b.len] = '\0';
		}
	}
	return vl_buf_detach(&b);
fail:
	vl_buf_release(&b);
	return NULL;
}

/* A URL with lower-case scheme and host and no trailing '/'. */
static char *norm_url(const char *url)
{
	char *s = strdup(url);
	char *p, *host_end;
	size_t n;

	if (s == NULL)
		return NULL;
	p = strstr(s, "://");
	if (p != NULL) {
		host_end = strchr(p + 3, '/');
		if (host_end == NULL)
			host_end = s + strlen(s);
		for (p = s; p < host_end; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* A vault path as an identity: lower case, a note without ".md". */
static char *path_key(const char *path)
{
	size_t n = strlen(path);

	if (n > 3 && strcasecmp(path + n - 3, ".md") == 0)
		n -= 3;
	return vl_lower_dup(path, n);
}

/* A vault link's target as written, in the spellings that name one note
 * whatever the vault holds: lower case, without ".md", without a leading
 * '/' (the vault root), and a "./" or "../" path resolved against the
 * linking note's folder (kept as written when it climbs out). A bare
 * name and a path to the same note stay apart: only the listing of the
 * vault tells them the same (resolve_key). */
static char *norm_target(const vl_note *note, const char *target)
{
	const char *slash = strrchr(note->path, '/');
	char small[256], *p;
	char *key;
	int outside = 0;

	while (target[0] == '/')
		target++;
	if (strncmp(target, "./", 2) != 0 && strncmp(target, "../", 3) != 0)
		return path_key(target);
	p = vl_path_join(note->path, slash ? (size_t)(slash - note->path) : 0,
		target, &outside, small, sizeof(small));
	if (p == NULL)
		return outside ? path_key(target) : NULL;
	key = path_key(p);
	vl_scratch_free(p, small);
	return key;
}

/* The note or file that the vault link of record r names in the vault
 * of idx, as a path_key: *out, or NULL when idx is NULL or nothing there
 * has that name. Returns 0, or -1 when out of memory. */
static int resolve_key(char **out, const vl_index *idx, const rec *r)
{
	vl_resolution res;
	vl_note from;
	vl_link l;

	*out = NULL;
	if (idx == NULL)
		return 0;
	/* the resolution reads the linking note's path and the target */
	memset(&from, 0, sizeof(from));
	memset(&l, 0, sizeof(l));
	from.path = r->note;
	l.kind = r->link_kind;
	l.target = r->link_target;
	l.entry = -1;
	vl_index_resolve(idx, &from, &l, &res);
	if ((res.kind == VL_RESOLVE_NOTE || res.kind == VL_RESOLVE_AMBIGUOUS) &&
	    res.note_path != NULL)
		*out = path_key(res.note_path);
	else if (res.kind == VL_RESOLVE_FILE && res.file != NULL)
		*out = vl_lower_dup(res.file, strlen(res.file));
	else
		return 0;
	return *out ? 0 : -1;
}

/* The heading or block a vault link points into, "#heading" or
 * "#^block" in lower case, so that [[N#^resnet]] and [[N#^densenet]]
 * are two entries, not one; NULL when it points at the whole note (and
 * when out of memory: *oom set). */
static char *sub_key(const vl_link *l, int *oom)
{
	const char *sub = l->block ? l->block : l->heading;
	vl_buf b = VL_BUF_INIT;
	size_t start;

	*oom = 0;
	if (sub == NULL)
		return NULL;
	if (vl_buf_puts(&b, l->block ? "#^" : "#") < 0)
		goto fail;
	start = b.len;
	if (vl_buf_puts(&b, sub) < 0)
		goto fail;
	vl_lower_into(b.ptr + start, b.ptr + start, b.len - start);
	return vl_buf_detach(&b);
fail:
	vl_buf_release(&b);
	*oom = 1;
	return NULL;
}

/* A vault link's identity: the note (or file) it names, with the heading
 * or block it points into. base is the note's path_key; the caller
 * frees the result. */
static char *norm_vault_link(const char *base, const char *sub)
{
	vl_buf b = VL_BUF_INIT;

	if (vl_buf_puts(&b, base) < 0 || (sub != NULL && vl_buf_puts(&b, sub) < 0)) {
		vl_buf_release(&b);
		return NULL;
	}
	return vl_buf_detach(&b);
}

/* ---- collecting entries ---- */

/* The top-level entry holding entry i, following parents (bounded, in
 * case a parser ever hands a cycle). */
static size_t top_of(const vl_note *note, size_t i)
{
	size_t steps = 0;

	while (note->entries[i].parent >= 0 && (size_t)note->entries[i].parent <
	    note->n_entries && steps++ < note->n_entries)
		i = (size_t)note->entries[i].parent;
	return i;
}

static int pos_before(vl_pos a, vl_pos b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Keeps what the identity of r needs, whose first link l is a vault
 * link: vl_changelog_finish makes it (link_identity). */
static int link_fields(rec *r, const vl_note *note, const vl_link *l)
{
	int oom;

	r->link_kind = l->kind;
	r->link_target = strdup(l->target);
	r->link_key = norm_target(note, l->target);
	r->link_sub = sub_key(l, &oom);
	return r->link_target == NULL || r->link_key == NULL || oom ? -1 : 0;
}

/* Adds the top-level entries of note to one side of p. renamed (or
 * NULL) gives, per heading of note, its new text when the pair renamed
 * it (heading_renames). */
static int collect(rec **items, size_t *len, size_t *cap, const vl_note *note,
	size_t pair, const char *const *renamed)
{
	size_t *top = NULL;
	long *first_link = NULL, *first_tag = NULL, *first_subtag = NULL;
	vl_buf *content = NULL;
	size_t i, n = note->n_entries, base = *len;
	int rc = -1;

	if (n == 0)
		return 0;
	top = calloc(n, sizeof(*top));
	first_link = malloc(n * sizeof(*first_link));
	first_tag = malloc(n * sizeof(*first_tag));
	first_subtag = malloc(n * sizeof(*first_subtag));
	content = calloc(n, sizeof(*content));
	if (!top || !first_link || !first_tag || !first_subtag || !content)
		goto done;
	for (i = 0; i < n; i++) {
		top[i] = top_of(note, i);
		first_link[i] = first_tag[i] = first_subtag[i] = -1;
	}
	for (i = 0; i < note->n_links; i++) {
		const vl_link *l = &note->links[i];
		long e = l->entry;

		if (e < 0 || (size_t)e >= n || top[e] != (size_t)e)
			continue;
		if (l->target == NULL || l->target[0] == '\0')
			continue;
		if (first_link[e] < 0 || pos_before(l->pos, note->links[first_link[e]].pos))
			first_link[e] = (long)i;
	}
	for (i = 0; i < note->n_tags; i++) {
		const vl_tag *t = &note->tags[i];
		long e = t->entry;
		long *slot;

		if (e < 0 || (size_t)e >= n)
			continue;
		slot = top[e] == (size_t)e ? &first_tag[e] : &first_subtag[top[e]];
		if (*slot < 0 || pos_before(t->pos, note->tags[*slot].pos))
			*slot = (long)i;
	}
	/* content: own text, then each sub-item on its own line */
	for (i = 0; i < n; i++) {
		const vl_entry *e = &note->entries[i];
		size_t t = top[i];
		int d;

		/* a task's box is content: ticking it changes the entry */
		if (t == i) {
			if ((e->task && vl_buf_printf(&content[t], "[%c] ", e->task) < 0) ||
			    vl_buf_puts(&content[t], e->text ? e->text : "") < 0)
				goto done;
			continue;
		}
		if (vl_buf_putc(&content[t], '\n') < 0)
			goto done;
		for (d = 0; d < e->depth && d < 32; d++)
			if (vl_buf_puts(&content[t], "  ") < 0)
				goto done;
		if (vl_buf_puts(&content[t], "- ") < 0 ||
		    (e->task && vl_buf_printf(&content[t], "[%c] ", e->task) < 0) ||
		    vl_buf_puts(&content[t], e->text ? e->text : "") < 0)
			goto done;
	}
	for (i = 0; i < n; i++) {
		const vl_entry *e = &note->entries[i];
		rec r;
		long tg;

		if (top[i] != i)
			continue;
		memset(&r, 0, sizeof(r));
		if (first_link[i] >= 0) {
			const vl_link *l = &note->links[first_link[i]];

			if (l->kind == VL_LINK_URL) {
				r.identity = norm_url(l->target);
			} else if (link_fields(&r, note, l) < 0) {
				rec_release(&r);
				goto done;
			}
		} else {
			r.identity = norm_text(e->text ? e->text : "");
		}
		tg = first_tag[i] >= 0 ? first_tag[i] : first_subtag[i];
		r.tag = tg >= 0 ? strdup(note->tags[tg].name) : NULL;
		r.text = vl_buf_detach(&content[i]);
		r.note = strdup(note->path);
		r.section = e->section >= 0 && (size_t)e->section < note->n_headings ?
			strdup(note->headings[e->section].text) : NULL;
		if (r.section != NULL && renamed != NULL && renamed[e->section] != NULL)
			r.section_as = strdup(renamed[e->section]);
		r.line = e->pos.line;
		r.pair = pair;
		r.order = *len;
		if ((!r.identity && !r.link_key) || (tg >= 0 && !r.tag) || !r.text || !r.note ||
		    (e->section >= 0 && (size_t)e->section < note->n_headings && !r.section) ||
		    (r.section != NULL && renamed != NULL && renamed[e->section] != NULL &&
		    !r.section_as) ||
		    VL_PUSH(*items, *len, *cap, r) < 0) {
			rec_release(&r);
			goto done;
		}
	}
	rc = 0;
done:
	if (rc < 0) {
		while (*len > base)
			rec_release(&(*items)[--*len]);
	}
	if (content != NULL)
		for (i = 0; i < n; i++)
			vl_buf_release(&content[i]);
	free(content);
	free(top);
	free(first_link);
	free(first_tag);
	free(first_subtag);
	return rc;
}

/* ---- front matter ---- */

static const vl_property *find_prop(const vl_note *note, const char *key)
{
	size_t i;

	for (i = 0; i < note->n_props; i++)
		if (strcmp(note->props[i].key, key) == 0)
			return &note->props[i];
	return NULL;
}

static int add_prop(vl_changelog *cl, const char *note, const char *key,
	const char *old_value, const char *new_value)
{
	vl_prop_change c;

	c.note = strdup(note);
	c.key = strdup(key);
	c.old_value = dup_or_null(old_value);
	c.new_value = dup_or_null(new_value);
	if (!c.note || !c.key || (old_value && !c.old_value) ||
	    (new_value && !c.new_value) ||
	    VL_PUSH(cl->props, cl->n_props, cl->cap_props, c) < 0) {
		free(c.note);
		free(c.key);
		free(c.old_value);
		free(c.new_value);
		return -1;
	}
	return 0;
}

static int diff_props(vl_changelog *cl, const vl_note *o, const vl_note *n)
{
	size_t i;

	for (i = 0; i < o->n_props; i++) {
		const vl_property *op = &o->props[i], *np;

		if (find_prop(o, op->key) != op)
			continue; /* a repeated key: the first one counts */
		np = find_prop(n, op->key);
		if (np == NULL) {
			if (add_prop(cl, n->path, op->key, op->value, NULL) < 0)
				return -1;
		} else if (strcmp(op->value ? op->value : "", np->value ? np->value : "") != 0) {
			if (add_prop(cl, n->path, op->key, op->value, np->value) < 0)
				return -1;
		}
	}
	for (i = 0; i < n->n_props; i++) {
		const vl_property *np = &n->props[i];

		if (find_prop(n, np->key) != np || find_prop(o, np->key) != NULL)
			continue;
		if (add_prop(cl, n->path, np->key, NULL, np->value) < 0)
			return -1;
	}
	return 0;
}

/* ---- headings renamed ---- */

/* Whether heading a of one version and b of the other kept level and
 * text. */
static int same_heading(const vl_heading *a, const vl_heading *b)
{
	return a->level == b->level &&
		strcmp(a->text ? a->text : "", b->text ? b->text : "") == 0;
}

/* Old headings o[0..no) and new ones n[0..nn), between two that kept
 * their place: renamed in place when there are as many of each, level
 * for level; then out[i] is n[i]'s text wherever it differs from o[i]'s.
 * Otherwise (a heading added or removed, a level changed) none is. */
static void rename_run(const char **out, const vl_heading *o, size_t no,
	const vl_heading *n, size_t nn)
{
	size_t i;

	if (no != nn || no == 0)
		return;
	for (i = 0; i < no; i++)
		if (o[i].level != n[i].level)
			return;
	for (i = 0; i < no; i++)
		if (!same_heading(&o[i], &n[i]))
			out[i] = n[i].text;
}

/* Headings above this many cells of the alignment's table (the middle
 * that differs, old count times new count) are aligned as one run. */
#define RENAME_TABLE_MAX ((size_t)1 << 20)

/* Which headings of one note were renamed between its versions o and n.
 * A rename is a heading that kept its level and its place among the
 * note's headings and changed its text. The headings that kept level
 * and text are aligned first: the common head and tail, then a longest
 * common subsequence of the rest. Between two aligned headings (or the
 * ends), the old and new headings left are renamed one for one when
 * they are as many, level for level (rename_run); a run that differs in
 * count or levels renames nothing, so the entries under a heading
 * inserted, removed or re-levelled read as moved. *out: per old heading,
 * its new text when renamed (borrowed from n), else NULL; NULL itself
 * when nothing was renamed. Returns 0, or -1 when out of memory. */
static int heading_renames(const char ***out, const vl_note *o, const vl_note *n)
{
	const vl_heading *oh = o->headings, *nh = n->headings;
	size_t no = o->n_headings, nn = n->n_headings, head = 0, tail = 0;
	size_t mo, mn, i, j, pi, pj, w;
	const char **r = NULL;
	uint32_t *lcs = NULL;
	int rc = -1;

	*out = NULL;
	while (head < no && head < nn && same_heading(&oh[head], &nh[head]))
		head++;
	while (tail < no - head && tail < nn - head &&
	    same_heading(&oh[no - 1 - tail], &nh[nn - 1 - tail]))
		tail++;
	mo = no - head - tail;
	mn = nn - head - tail;
	if (mo == 0 || mn == 0)
		return 0;
	r = calloc(no, sizeof(*r));
	if (r == NULL)
		goto done;
	oh += head;
	nh += head;
	if (mo > RENAME_TABLE_MAX / mn) {
		rename_run(r + head, oh, mo, nh, mn);
	} else {
		/* lcs[i * w + j]: the longest common run of oh[i..mo) and
		 * nh[j..mn); walked from the start, it gives the aligned
		 * headings, and the runs between them */
		w = mn + 1;
		lcs = calloc((mo + 1) * w, sizeof(*lcs));
		if (lcs == NULL)
			goto done;
		for (i = mo; i-- > 0;)
			for (j = mn; j-- > 0;) {
				uint32_t down = lcs[(i + 1) * w + j], right = lcs[i * w + j + 1];

				lcs[i * w + j] = same_heading(&oh[i], &nh[j]) ?
					lcs[(i + 1) * w + j + 1] + 1 : down > right ? down : right;
			}
		for (i = j = pi = pj = 0; i < mo && j < mn;) {
			if (same_heading(&oh[i], &nh[j])) {
				rename_run(r + head + pi, oh + pi, i - pi, nh + pj, j - pj);
				pi = ++i;
				pj = ++j;
			} else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
				i++;
			} else {
				j++;
			}
		}
		rename_run(r + head + pi, oh + pi, mo - pi, nh + pj, mn - pj);
	}
	for (i = 0; i < no && r[i] == NULL; i++)
		;
	if (i < no) {
		*out = r;
		r = NULL;
	}
	rc = 0;
done:
	free(r);
	free(lcs);
	return rc;
}

/* ---- pairs ---- */

void vl_changelog_set_indexes(vl_changelog *cl, const vl_index *old_index,
	const vl_index *new_index)
{
	cl->old_index = old_index;
	cl->new_index = new_index;
}

int vl_changelog_add_pair(vl_changelog *cl, const vl_note *old_note,
	const vl_note *new_note, vl_error *err)
{
	pending *p = cl->impl;
	vl_note_change nc;
	const char **renamed = NULL;
	int rc;

	if (old_note == NULL && new_note == NULL)
		return vl_error_set(err, "internal error: a changelog pair needs a note");
	if (p == NULL) {
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			return vl_error_set(err, "out of memory");
		cl->impl = p;
	}
	memset(&nc, 0, sizeof(nc));
	if (old_note == NULL)
		nc.kind = VL_NOTE_ADDED;
	else if (new_note == NULL)
		nc.kind = VL_NOTE_DELETED;
	else if (strcmp(old_note->path, new_note->path) != 0)
		nc.kind = VL_NOTE_RENAMED;
	else
		nc.kind = VL_NOTE_MODIFIED;
	nc.old_path = old_note ? strdup(old_note->path) : NULL;
	nc.new_path = new_note ? strdup(new_note->path) : NULL;
	if ((old_note && !nc.old_path) || (new_note && !nc.new_path) ||
	    VL_PUSH(cl->notes, cl->n_notes, cl->cap_notes, nc) < 0) {
		free(nc.old_path);
		free(nc.new_path);
		return vl_error_set(err, "out of memory");
	}
	rc = (old_note && new_note && heading_renames(&renamed, old_note, new_note) < 0) ||
	    (old_note && collect(&p->olds, &p->n_olds, &p->cap_olds, old_note,
	    p->n_pairs, renamed) < 0) ||
	    (new_note && collect(&p->news, &p->n_news, &p->cap_news, new_note,
	    p->n_pairs, NULL) < 0) ||
	    (old_note && new_note && diff_props(cl, old_note, new_note) < 0) ? -1 : 0;
	free(renamed);
	if (rc < 0)
		return vl_error_set(err, "out of memory");
	p->n_pairs++;
	p->ids_plain = 0;
	return 0;
}

int vl_changelog_add_broken(vl_changelog *cl, const char *note, uint32_t line,
	const char *target, const char *why)
{
	vl_broken_change b;

	b.note = strdup(note);
	b.line = line;
	b.target = strdup(target);
	b.why = strdup(why);
	if (!b.note || !b.target || !b.why ||
	    VL_PUSH(cl->broken, cl->n_broken, cl->cap_broken, b) < 0) {
		free(b.note);
		free(b.target);
		free(b.why);
		return -1;
	}
	return 0;
}

/* Orders records by identity, then pair, then position, so that one
 * identity's records sit together, in order. */
static int cmp_rec_ptr(const void *a, const void *b)
{
	const rec *ra = *(rec *const *)a, *rb = *(rec *const *)b;
	int c = strcmp(ra->identity, rb->identity);

	if (c != 0)
		return c;
	if (ra->pair != rb->pair)
		return ra->pair < rb->pair ? -1 : 1;
	return ra->order < rb->order ? -1 : ra->order > rb->order;
}

static int same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Emits the change (if any) between o and n (either may be NULL). */
static int emit(vl_changelog *cl, const rec *o, const rec *n)
{
	vl_entry_change c;
	const rec *any = n ? n : o;

	memset(&c, 0, sizeof(c));
	if (o == NULL)
		c.kind = VL_ENTRY_ADDED;
	else if (n == NULL)
		c.kind = VL_ENTRY_REMOVED;
	else if (o->pair != n->pair || !same_str(rec_section(o), rec_section(n)))
		c.kind = VL_ENTRY_MOVED;
	else if (strcmp(o->text, n->text) != 0)
		c.kind = VL_ENTRY_CHANGED;
	else
		return 0;
	c.identity = strdup(any->identity);
	c.tag = dup_or_null(n && n->tag ? n->tag : o ? o->tag : NULL);
	if (o != NULL) {
		c.old_text = strdup(o->text);
		c.old_note = strdup(o->note);
		c.old_section = dup_or_null(o->section);
		c.old_line = o->line;
	}
	if (n != NULL) {
		c.new_text = strdup(n->text);
		c.new_note = strdup(n->note);
		c.new_section = dup_or_null(n->section);
		c.new_line = n->line;
	}
	if (!c.identity || (any->tag && !c.tag) ||
	    (o && (!c.old_text || !c.old_note || (o->section && !c.old_section))) ||
	    (n && (!c.new_text || !c.new_note || (n->section && !c.new_section))) ||
	    VL_PUSH(cl->entries, cl->n_entries, cl->cap_entries, c) < 0) {
		free(c.identity);
		free(c.tag);
		free(c.old_text);
		free(c.new_text);
		free(c.old_note);
		free(c.new_note);
		free(c.old_section);
		free(c.new_section);
		return -1;
	}
	return 0;
}

static const char *entry_note(const vl_entry_change *c)
{
	return c->new_note ? c->new_note : c->old_note;
}

static uint32_t entry_line(const vl_entry_change *c)
{
	return c->new_note ? c->new_line : c->old_line;
}

static int cmp_entry_change(const void *a, const void *b)
{
	const vl_entry_change *ca = a, *cb = b;
	int c = strcmp(entry_note(ca), entry_note(cb));

	if (c != 0)
		return c;
	if (entry_line(ca) != entry_line(cb))
		return entry_line(ca) < entry_line(cb) ? -1 : 1;
	if (ca->kind != cb->kind)
		return (int)ca->kind - (int)cb->kind;
	return strcmp(ca->identity, cb->identity);
}

static const char *note_change_path(const vl_note_change *c)
{
	return c->new_path ? c->new_path : c->old_path;
}

static int cmp_note_change(const void *a, const void *b)
{
	return strcmp(note_change_path(a), note_change_path(b));
}

/* Orders property changes by note, keeping each note's key order: an
 * insertion sort, stable where qsort is not. */
static void sort_props(vl_prop_change *p, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		vl_prop_change v = p[i];

		for (j = i; j > 0 && strcmp(p[j - 1].note, v.note) > 0; j--)
			p[j] = p[j - 1];
		p[j] = v;
	}
}

static int cmp_broken(const void *a, const void *b)
{
	const vl_broken_change *ba = a, *bb = b;
	int c = strcmp(ba->note, bb->note);

	if (c != 0)
		return c;
	if (ba->line != bb->line)
		return ba->line < bb->line ? -1 : 1;
	return strcmp(ba->target, bb->target);
}

/* Compares two records' texts, then, with place, their notes and
 * sections: cmp_rec_text's order, and what pair_identity matches on. */
static int cmp_text_place(const rec *a, const rec *b, int place)
{
	int c = strcmp(a->text, b->text);

	if (c != 0 || !place)
		return c;
	if (a->pair != b->pair)
		return a->pair < b->pair ? -1 : 1;
	return strcmp(rec_section(a) ? rec_section(a) : "",
		rec_section(b) ? rec_section(b) : "");
}

/* Orders one identity's records by content: text, then note and section,
 * then position, so that equal texts sit together. */
static int cmp_rec_text(const void *a, const void *b)
{
	const rec *ra = *(rec *const *)a, *rb = *(rec *const *)b;
	int c = cmp_text_place(ra, rb, 1);

	if (c != 0)
		return c;
	return ra->order < rb->order ? -1 : ra->order > rb->order;
}

/* Orders records by note, then position. */
static int cmp_rec_place(const void *a, const void *b)
{
	const rec *ra = *(rec *const *)a, *rb = *(rec *const *)b;

	if (ra->pair != rb->pair)
		return ra->pair < rb->pair ? -1 : 1;
	return ra->order < rb->order ? -1 : ra->order > rb->order;
}

/* Pairs the records of one identity, no olds o[0..no) and nn news
 * n[0..nn), in passes that each take what the last left: the same text
 * in the same note and section (unchanged), the same text anywhere
 * (moved), then in order within a note (changed, or moved to another
 * section), then in order across notes (moved), the rest added or
 * removed. Entries that share a link are told apart by their content
 * first, never by their place alone: deleting one of them reports that
 * one. Sorts, so a name shared by many entries costs n log n. */
static int pair_identity(vl_changelog *cl, rec **o, size_t no, rec **n, size_t nn)
{
	size_t i, j, pass;

	qsort(o, no, sizeof(*o), cmp_rec_text);
	qsort(n, nn, sizeof(*n), cmp_rec_text);
	for (pass = 0; pass < 2; pass++) {
		/* 0: text, note and section equal; 1: text equal */
		for (i = j = 0; i < no && j < nn;) {
			int c;

			if (o[i]->used) { i++; continue; }
			if (n[j]->used) { j++; continue; }
			c = cmp_text_place(o[i], n[j], pass == 0);
			if (c < 0) {
				i++;
			} else if (c > 0) {
				j++;
			} else {
				o[i]->used = n[j]->used = 1;
				if (emit(cl, o[i], n[j]) < 0)
					return -1;
				i++;
				j++;
			}
		}
	}
	qsort(o, no, sizeof(*o), cmp_rec_place);
	qsort(n, nn, sizeof(*n), cmp_rec_place);
	/* in order within each note */
	for (i = j = 0; i < no && j < nn;) {
		if (o[i]->used) { i++; continue; }
		if (n[j]->used) { j++; continue; }
		if (o[i]->pair < n[j]->pair) { i++; continue; }
		if (o[i]->pair > n[j]->pair) { j++; continue; }
		o[i]->used = n[j]->used = 1;
		if (emit(cl, o[i], n[j]) < 0)
			return -1;
	}
	/* in order across notes, then what is left */
	for (i = j = 0; i < no; i++) {
		if (o[i]->used)
			continue;
		while (j < nn && n[j]->used)
			j++;
		o[i]->used = 1;
		if (j < nn)
			n[j]->used = 1;
		if (emit(cl, o[i], j < nn ? n[j] : NULL) < 0)
			return -1;
	}
	for (j = 0; j < nn; j++)
		if (!n[j]->used) {
			n[j]->used = 1;
			if (emit(cl, NULL, n[j]) < 0)
				return -1;
		}
	return 0;
}

/* The notes the range renamed, as path_keys: old path to new path, and
 * old name to new name for the bare names that only one rename has. */
typedef struct renames {
	vl_map paths, names;
	char **keys;        /* every key and value above, for freeing */
	size_t n_keys, cap_keys;
} renames;

/* The value of a name that two renames have: no rename of it is known. */
static const char ambiguous_name[] = "";

static void renames_release(renames *rn)
{
	size_t i;

	for (i = 0; i < rn->n_keys; i++)
		free(rn->keys[i]);
	free(rn->keys);
	vl_map_release(&rn->paths);
	vl_map_release(&rn->names);
}

/* Keeps s (malloc'd, may be NULL) for renames_release; returns it. */
static char *renames_keep(renames *rn, char *s)
{
	if (s != NULL && VL_PUSH(rn->keys, rn->n_keys, rn->cap_keys, s) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int renames_build(renames *rn, const vl_changelog *cl)
{
	size_t i;

	for (i = 0; i < cl->n_notes; i++) {
		const vl_note_change *c = &cl->notes[i];
		const char *os, *ns;
		char *op, *np, *on, *nm;
		void *had;

		if (c->kind != VL_NOTE_RENAMED)
			continue;
		os = strrchr(c->old_path, '/');
		ns = strrchr(c->new_path, '/');
		op = renames_keep(rn, path_key(c->old_path));
		np = renames_keep(rn, path_key(c->new_path));
		on = renames_keep(rn, path_key(os ? os + 1 : c->old_path));
		nm = renames_keep(rn, path_key(ns ? ns + 1 : c->new_path));
		if (!op || !np || !on || !nm || vl_map_put(&rn->paths, op, np) < 0)
			return -1;
		had = vl_map_get(&rn->names, on);
		if (had != NULL && strcmp(had, nm) != 0)
			nm = (char *)ambiguous_name;
		if (vl_map_put(&rn->names, on, nm) < 0)
			return -1;
	}
	return 0;
}

/* Where note (or file) key k is at the end of the range: its new path
 * when the range renamed it, else k. bare: k is a name as written, not
 * a path, so the renames of names apply. */
static const char *renamed_key(const renames *rn, const char *k, int bare)
{
	const char *to = vl_map_get(&rn->paths, k);

	if (to == NULL && bare && strchr(k, '/') == NULL)
		to = vl_map_get(&rn->names, k);
	return to != NULL && to[0] != '\0' ? to : k;
}

/* The identity of a record whose first link is a vault link: the note
 * it names where the range ends, so that [[Old]] before a rename and
 * [[New]] after it are one identity. With the indexes, the note is the
 * one the link resolves to on its own side, else on the other side (a
 * note deleted or added in the range), the old side's renamed to their
 * new paths. Else (no index, or no such note) it is the target as
 * written (norm_target), renamed when it spells the old path (or the
 * old name) of a renamed note. *out is malloc'd; returns 0 or -1. */
static int link_identity(char **out, const vl_changelog *cl, const rec *r,
	int old_side, const renames *rn)
{
	char *own = NULL, *other = NULL;
	const char *base;
	int rc = -1;

	*out = NULL;
	if (resolve_key(&own, old_side ? cl->old_index : cl->new_index, r) < 0 ||
	    (own == NULL &&
	    resolve_key(&other, old_side ? cl->new_index : cl->old_index, r) < 0))
		goto done;
	if (own != NULL)
		base = old_side ? renamed_key(rn, own, 0) : own;
	else if (other != NULL)
		base = old_side ? other : renamed_key(rn, other, 0);
	else
		base = renamed_key(rn, r->link_key, 1);
	*out = norm_vault_link(base, r->link_sub);
	rc = *out ? 0 : -1;
done:
	free(own);
	free(other);
	return rc;
}

/* Sets the identities of the records of vault links (link_identity),
 * replacing those set before. */
static int link_identities(const vl_changelog *cl, pending *p)
{
	renames rn;
	size_t i, side;
	int rc = -1;

	memset(&rn, 0, sizeof(rn));
	if (renames_build(&rn, cl) < 0)
		goto done;
	for (side = 0; side < 2; side++) {
		rec *items = side == 0 ? p->olds : p->news;
		size_t n = side == 0 ? p->n_olds : p->n_news;

		for (i = 0; i < n; i++) {
			if (items[i].link_key == NULL)
				continue;
			free(items[i].identity);
			if (link_identity(&items[i].identity, cl, &items[i], side == 0, &rn) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	renames_release(&rn);
	return rc;
}

/* A record of a vault link, and whether it is of the old side. */
typedef struct side_rec {
	const rec *r;
	int old;
} side_rec;

/* Orders side_recs by identity. */
static int cmp_side_rec(const void *a, const void *b)
{
	return strcmp(((const side_rec *)a)->r->identity, ((const side_rec *)b)->r->identity);
}

int vl_changelog_wants_indexes(vl_changelog *cl)
{
	pending *p = cl->impl;
	const vl_index *oi = cl->old_index, *ni = cl->new_index;
	side_rec *v = NULL;
	size_t i, j, n = 0, olds;
	int rc = -1, left_old = 0, left_new = 0;

	if (p == NULL)
		return 0;
	cl->old_index = cl->new_index = NULL;
	if (link_identities(cl, p) < 0)
		goto done;
	v = malloc((p->n_olds + p->n_news + 1) * sizeof(*v));
	if (v == NULL)
		goto done;
	for (i = 0; i < p->n_olds + p->n_news; i++) {
		int old = i < p->n_olds;
		const rec *r = old ? &p->olds[i] : &p->news[i - p->n_olds];

		if (r->link_key != NULL) {
			v[n].r = r;
			v[n++].old = old;
		}
	}
	qsort(v, n, sizeof(*v), cmp_side_rec);
	/* the listings can pair only an old left unpaired with a new left
	 * unpaired: both sides must have some identity the other has less
	 * often (only added, or only removed, pair with nothing) */
	for (i = 0; i < n; i = j) {
		for (j = i, olds = 0; j < n && strcmp(v[j].r->identity, v[i].r->identity) == 0; j++)
			olds += (size_t)v[j].old;
		left_old |= 2 * olds > j - i;
		left_new |= 2 * olds < j - i;
	}
	rc = left_old && left_new;
	p->ids_plain = 1;
done:
	cl->old_index = oi;
	cl->new_index = ni;
	free(v);
	return rc;
}

int vl_changelog_finish(vl_changelog *cl, vl_error *err)
{
	pending *p = cl->impl;
	rec **os = NULL, **ns = NULL;
	size_t i, oi, ni, no, nn;
	int rc = -1;

	if (p != NULL && (p->n_olds > 0 || p->n_news > 0)) {
		if ((!p->ids_plain || cl->old_index != NULL || cl->new_index != NULL) &&
		    link_identities(cl, p) < 0) {
			vl_error_set(err, "out of memory");
			goto done;
		}
		os = malloc((p->n_olds + 1) * sizeof(*os));
		ns = malloc((p->n_news + 1) * sizeof(*ns));
		if (os == NULL || ns == NULL) {
			vl_error_set(err, "out of memory");
			goto done;
		}
		for (i = 0; i < p->n_olds; i++)
			os[i] = &p->olds[i];
		for (i = 0; i < p->n_news; i++)
			ns[i] = &p->news[i];
		qsort(os, p->n_olds, sizeof(*os), cmp_rec_ptr);
		qsort(ns, p->n_news, sizeof(*ns), cmp_rec_ptr);
		/* Walk both sorted lists one identity at a time. */
		oi = ni = 0;
		while (oi < p->n_olds || ni < p->n_news) {
			const char *id;
			int c;

			if (oi >= p->n_olds)
				c = 1;
			else if (ni >= p->n_news)
				c = -1;
			else
				c = strcmp(os[oi]->identity, ns[ni]->identity);
			id = c <= 0 ? os[oi]->identity : ns[ni]->identity;
			for (no = 0; oi + no < p->n_olds && strcmp(os[oi + no]->identity, id) == 0; no++)
				;
			for (nn = 0; ni + nn < p->n_news && strcmp(ns[ni + nn]->identity, id) == 0; nn++)
				;
			if (pair_identity(cl, os + oi, no, ns + ni, nn) < 0)
				goto oom;
			oi += no;
			ni += nn;
		}
	}
	if (cl->n_entries > 1)
		qsort(cl->entries, cl->n_entries, sizeof(*cl->entries), cmp_entry_change);
	if (cl->n_notes > 1)
		qsort(cl->notes, cl->n_notes, sizeof(*cl->notes), cmp_note_change);
	sort_props(cl->props, cl->n_props);
	if (cl->n_broken > 1)
		qsort(cl->broken, cl->n_broken, sizeof(*cl->broken), cmp_broken);
	pending_free(p);
	cl->impl = NULL;
	rc = 0;
	goto done;
oom:
	vl_error_set(err, "out of memory");
done:
	free(os);
	free(ns);
	return rc;
}

void vl_changelog_release(vl_changelog *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->n_notes; i++) {
		free(cl->notes[i].old_path);
		free(cl->notes[i].new_path);
	}
	free(cl->notes);
	for (i = 0; i < cl->n_entries; i++) {
		vl_entry_change *c = &cl->entries[i];

		free(c->identity);
		free(c->tag);
		free(c->old_text);
		free(c->new_text);
		free(c->old_note);
		free(c->new_note);
		free(c->old_section);
		free(c->new_section);
	}
	free(cl->entries);
	for (i = 0; i < cl->n_props; i++) {
		free(cl->props[i].note);
		free(cl->props[i].key);
		free(cl->props[i].old_value);
		free(cl->props[i].new_value);
	}
	free(cl->props);
	for (i = 0; i < cl->n_skipped; i++)
		free(cl->skipped[i]);
	free(cl->skipped);
	for (i = 0; i < cl->n_broken; i++) {
		free(cl->broken[i].note);
		free(cl->broken[i].target);
		free(cl->broken[i].why);
	}
	free(cl->broken);
	pending_free(cl->impl);
	free(cl->range_from);
	free(cl->range_to);
	memset(cl, 0, sizeof(*cl));
}

/* ---- rendering ---- */

static const char *const note_kind_names[] = { "added", "deleted", "modified", "renamed" };
static const char *const entry_kind_names[] = { "added", "removed", "changed", "moved" };
static const char note_kind_letters[] = { 'A', 'D', 'M', 'R' };
static const char entry_kind_signs[] = { '+', '-', '~', '>' };

/* The note's name as a wikilink target: its path without ".md". */
static int put_note_link(vl_buf *out, const char *path)
{
	size_t n = strlen(path);

	if (n > 3 && strcasecmp(path + n - 3, ".md") == 0)
		n -= 3;
	return vl_buf_puts(out, "[[") < 0 || vl_buf_put(out, path, n) < 0 ||
		vl_buf_puts(out, "]]") < 0 ? -1 : 0;
}

/* The first line of an entry's content (its own text). */
static int put_first_line(vl_buf *out, const char *text)
{
	const char *nl = strchr(text, '\n');

	return vl_buf_put(out, text, nl ? (size_t)(nl - text) : strlen(text));
}

/* The group an entry falls in, as a heading key; malloc'd; NULL for
 * "no tag". */
static char *group_key(const vl_entry_change *c, vl_changelog_group g)
{
	const char *note = entry_note(c), *slash;

	switch (g) {
	case VL_GROUP_TAG:
		return c->tag ? strdup(c->tag) : NULL;
	case VL_GROUP_NOTE:
		return strdup(note);
	case VL_GROUP_FOLDER:
		slash = strrchr(note, '/');
		return slash ? vl_strndup(note, (size_t)(slash - note) + 1) : strdup("/");
	}
	return NULL;
}

/* Group keys compare without ASCII case: tags do in Obsidian (#code and
 * #CODE are one tag), so they share a heading, spelled as first met. */
static int cmp_key(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b ? 0 : a == NULL ? 1 : -1; /* no tag goes last */
	return strcasecmp(a, b);
}

static int put_group_heading(vl_buf *out, const char *key, vl_changelog_group g,
	int markdown)
{
	if (!markdown) {
		if (key == NULL)
			return vl_buf_puts(out, "\nentries without a tag:\n");
		if (g == VL_GROUP_TAG)
			return vl_buf_printf(out, "\n#%s:\n", key);
		return vl_buf_printf(out, "\n%s:\n", key);
	}
	if (key == NULL)
		return vl_buf_puts(out, "\n## Entries without a tag\n\n");
	if (g == VL_GROUP_TAG)
		return vl_buf_printf(out, "\n## #%s\n\n", key);
	if (g == VL_GROUP_NOTE) {
		if (vl_buf_puts(out, "\n## ") < 0 || put_note_link(out, key) < 0)
			return -1;
		return vl_buf_puts(out, "\n\n");
	}
	return vl_buf_printf(out, "\n## %s\n\n", strcmp(key, "/") == 0 ?
		"Vault root" : key);
}

/* " [[Note]] › Section" (markdown) or " note.md > Section" (text). */
static int put_place(vl_buf *out, const char *note, const char *section, int markdown)
{
	if (markdown) {
		if (put_note_link(out, note) < 0)
			return -1;
		if (section != NULL && vl_buf_printf(out, " \xE2\x80\xBA %s", section) < 0)
			return -1;
		return 0;
	}
	if (vl_buf_puts(out, note) < 0)
		return -1;
	return section ? vl_buf_printf(out, " > %s", section) : 0;
}

static int put_entry(vl_buf *out, const vl_entry_change *c, int markdown)
{
	const char *text = c->new_text ? c->new_text : c->old_text;
	int rc = 0;

	if (markdown)
		rc |= vl_buf_printf(out, "- %s: ", entry_kind_names[c->kind]);
	else
		rc |= vl_buf_printf(out, "  %c ", entry_kind_signs[c->kind]);
	rc |= put_first_line(out, text);
	switch (c->kind) {
	case VL_ENTRY_ADDED:
	case VL_ENTRY_CHANGED:
		rc |= vl_buf_puts(out, markdown ? " \xE2\x80\x94 in " : "  (");
		rc |= put_place(out, c->new_note, c->new_section, markdown);
		break;
	case VL_ENTRY_REMOVED:
		rc |= vl_buf_puts(out, markdown ? " \xE2\x80\x94 was in " : "  (was in ");
		rc |= put_place(out, c->old_note, c->old_section, markdown);
		break;
	case VL_ENTRY_MOVED:
		rc |= vl_buf_puts(out, markdown ? " \xE2\x80\x94 from " : "  (from ");
		rc |= put_place(out, c->old_note, c->old_section, markdown);
		rc |= vl_buf_puts(out, " to ");
		rc |= put_place(out, c->new_note, c->new_section, markdown);
		break;
	}
	if (!markdown)
		rc |= vl_buf_putc(out, ')');
	/* a moved entry may have been edited on the way: say so too */
	if (c->kind == VL_ENTRY_CHANGED ||
	    (c->kind == VL_ENTRY_MOVED && strcmp(c->old_text, c->new_text) != 0)) {
		const char *onl = strchr(c->old_text, '\n'), *nnl = strchr(c->new_text, '\n');
		size_t ol = onl ? (size_t)(onl - c->old_text) : strlen(c->old_text);
		size_t nl = nnl ? (size_t)(nnl - c->new_text) : strlen(c->new_text);

		if (ol == nl && memcmp(c->old_text, c->new_text, ol) == 0) {
			rc |= vl_buf_puts(out, markdown ? " (sub-items changed)" : " sub-items changed");
		} else {
			rc |= vl_buf_puts(out, markdown ? " (was: " : " was: ");
			rc |= vl_buf_put(out, c->old_text, ol);
			if (markdown)
				rc |= vl_buf_putc(out, ')');
		}
	}
	rc |= vl_buf_putc(out, '\n');
	return rc ? -1 : 0;
}

static int render_notes(vl_buf *out, const vl_changelog *cl, int markdown)
{
	size_t i;
	int rc = 0;

	if (cl->n_notes == 0)
		return 0;
	rc |= vl_buf_puts(out, markdown ? "\n## Notes\n\n" : "\nnotes:\n");
	for (i = 0; i < cl->n_notes; i++) {
		const vl_note_change *c = &cl->notes[i];

		if (!markdown) {
			if (c->kind == VL_NOTE_RENAMED)
				rc |= vl_buf_printf(out, "  R %s -> %s\n", c->old_path, c->new_path);
			else
				rc |= vl_buf_printf(out, "  %c %s\n", note_kind_letters[c->kind],
					note_change_path(c));
			continue;
		}
		rc |= vl_buf_printf(out, "- %s: ", note_kind_names[c->kind]);
		switch (c->kind) {
		case VL_NOTE_ADDED:
		case VL_NOTE_MODIFIED:
			rc |= put_note_link(out, c->new_path);
			break;
		case VL_NOTE_DELETED:
			rc |= vl_buf_printf(out, "`%s`", c->old_path);
			break;
		case VL_NOTE_RENAMED:
			rc |= vl_buf_printf(out, "`%s` \xE2\x86\x92 ", c->old_path);
			rc |= put_note_link(out, c->new_path);
			break;
		}
		rc |= vl_buf_putc(out, '\n');
	}
	return rc ? -1 : 0;
}

static int render_entries(vl_buf *out, const vl_changelog *cl,
	vl_changelog_group g, int markdown)
{
	char **keys = NULL;
	size_t *order = NULL;
	size_t i, j, n = cl->n_entries;
	int rc = -1;

	if (n == 0)
		return 0;
	keys = calloc(n, sizeof(*keys));
	order = malloc(n * sizeof(*order));
	if (keys == NULL || order == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		keys[i] = group_key(&cl->entries[i], g);
		/* NULL: no tag, or out of memory (an entry in no group) */
		if (keys[i] == NULL && (g != VL_GROUP_TAG || cl->entries[i].tag != NULL))
			goto done;
		order[i] = i;
	}
	/* Insertion sort by group key keeps the entries' order inside a group
	 * (stable), and changelogs are short. */
	for (i = 1; i < n; i++) {
		size_t v = order[i];

		for (j = i; j > 0 && cmp_key(keys[order[j - 1]], keys[v]) > 0; j--)
			order[j] = order[j - 1];
		order[j] = v;
	}
	for (i = 0; i < n; i++) {
		const char *k = keys[order[i]];

		if ((i == 0 || cmp_key(keys[order[i - 1]], k) != 0) &&
		    put_group_heading(out, k, g, markdown) < 0)
			goto done;
		if (put_entry(out, &cl->entries[order[i]], markdown) < 0)
			goto done;
	}
	rc = 0;
done:
	if (keys != NULL)
		for (i = 0; i < n; i++)
			free(keys[i]);
	free(keys);
	free(order);
	return rc;
}

static int render_props(vl_buf *out, const vl_changelog *cl, int markdown)
{
	size_t i;
	int rc = 0;

	if (cl->n_props == 0)
		return 0;
	rc |= vl_buf_puts(out, markdown ? "\n## Properties\n\n" : "\nproperties:\n");
	for (i = 0; i < cl->n_props; i++) {
		const vl_prop_change *p = &cl->props[i];
		const char *q = markdown ? "`" : "";

		if (markdown) {
			rc |= vl_buf_puts(out, "- ");
			rc |= put_note_link(out, p->note);
		} else {
			rc |= vl_buf_printf(out, "  %s", p->note);
		}
		if (p->old_value == NULL)
			rc |= vl_buf_printf(out, ": %s%s%s added: %s%s%s\n", q, p->key, q,
				q, p->new_value, q);
		else if (p->new_value == NULL)
			rc |= vl_buf_printf(out, ": %s%s%s removed (was %s%s%s)\n", q, p->key,
				q, q, p->old_value, q);
		else
			rc |= vl_buf_printf(out, ": %s%s%s changed: %s%s%s -> %s%s%s\n", q,
				p->key, q, q, p->old_value, q, q, p->new_value, q);
	}
	return rc ? -1 : 0;
}

static int render_broken(vl_buf *out, const vl_changelog *cl, int markdown)
{
	size_t i;
	int rc = 0;

	if (cl->n_broken == 0)
		return 0;
	rc |= vl_buf_puts(out, markdown ? "\n## Links the change broke\n\n" :
		"\nbroken links:\n");
	for (i = 0; i < cl->n_broken; i++) {
		const vl_broken_change *b = &cl->broken[i];

		if (markdown) {
			rc |= vl_buf_puts(out, "- ");
			rc |= put_note_link(out, b->note);
			rc |= vl_buf_printf(out, " line %u links to `%s`: %s\n",
				(unsigned)b->line, b->target, b->why);
		} else {
			rc |= vl_buf_printf(out, "  %s:%u: %s: %s\n", b->note,
				(unsigned)b->line, b->target, b->why);
		}
	}
	return rc ? -1 : 0;
}

/* Appends a JSON string value, or null. */
static int json_str(vl_buf *out, const char *s)
{
	if (s == NULL)
		return vl_buf_puts(out, "null");
	if (vl_buf_putc(out, '"') < 0 || vl_buf_put_json(out, s, strlen(s)) < 0)
		return -1;
	return vl_buf_putc(out, '"');
}

static int render_json(vl_buf *out, const vl_changelog *cl)
{
	size_t i;
	int rc = 0;

	rc |= vl_buf_puts(out, "{\"range\":{\"from\":");
	rc |= json_str(out, cl->range_from);
	rc |= vl_buf_puts(out, ",\"to\":");
	rc |= json_str(out, cl->range_to);
	rc |= vl_buf_puts(out, "},\n\"notes\":[");
	for (i = 0; i < cl->n_notes; i++) {
		const vl_note_change *c = &cl->notes[i];

		rc |= vl_buf_printf(out, "%s\n {\"change\":\"%s\",\"old_path\":",
			i ? "," : "", note_kind_names[c->kind]);
		rc |= json_str(out, c->old_path);
		rc |= vl_buf_puts(out, ",\"new_path\":");
		rc |= json_str(out, c->new_path);
		rc |= vl_buf_putc(out, '}');
	}
	rc |= vl_buf_puts(out, "],\n\"entries\":[");
	for (i = 0; i < cl->n_entries; i++) {
		const vl_entry_change *c = &cl->entries[i];
		int has_new = c->new_note != NULL;

		rc |= vl_buf_printf(out, "%s\n {\"change\":\"%s\",\"tag\":", i ? "," : "",
			entry_kind_names[c->kind]);
		rc |= json_str(out, c->tag);
		rc |= vl_buf_puts(out, ",\"identity\":");
		rc |= json_str(out, c->identity);
		rc |= vl_buf_puts(out, ",\"note\":");
		rc |= json_str(out, has_new ? c->new_note : c->old_note);
		rc |= vl_buf_puts(out, ",\"section\":");
		rc |= json_str(out, has_new ? c->new_section : c->old_section);
		rc |= vl_buf_printf(out, ",\"line\":%u,\"text\":",
			(unsigned)(has_new ? c->new_line : c->old_line));
		rc |= json_str(out, has_new ? c->new_text : c->old_text);
		rc |= vl_buf_puts(out, ",\"old_note\":");
		rc |= json_str(out, c->old_note);
		rc |= vl_buf_puts(out, ",\"old_section\":");
		rc |= json_str(out, c->old_section);
		if (c->old_note != NULL)
			rc |= vl_buf_printf(out, ",\"old_line\":%u,\"old_text\":",
				(unsigned)c->old_line);
		else
			rc |= vl_buf_puts(out, ",\"old_line\":null,\"old_text\":");
		rc |= json_str(out, c->old_text);
		rc |= vl_buf_putc(out, '}');
	}
	rc |= vl_buf_puts(out, "],\n\"properties\":[");
	for (i = 0; i < cl->n_props; i++) {
		const vl_prop_change *p = &cl->props[i];

		rc |= vl_buf_puts(out, i ? ",\n {\"note\":" : "\n {\"note\":");
		rc |= json_str(out, p->note);
		rc |= vl_buf_puts(out, ",\"key\":");
		rc |= json_str(out, p->key);
		rc |= vl_buf_printf(out, ",\"change\":\"%s\",\"old_value\":",
			p->old_value == NULL ? "added" : p->new_value == NULL ? "removed" :
			"changed");
		rc |= json_str(out, p->old_value);
		rc |= vl_buf_puts(out, ",\"new_value\":");
		rc |= json_str(out, p->new_value);
		rc |= vl_buf_putc(out, '}');
	}
	rc |= vl_buf_puts(out, "],\n\"broken_links\":[");
	for (i = 0; i < cl->n_broken; i++) {
		const vl_broken_change *b = &cl->broken[i];

		rc |= vl_buf_puts(out, i ? ",\n {\"note\":" : "\n {\"note\":");
		rc |= json_str(out, b->note);
		rc |= vl_buf_printf(out, ",\"line\":%u,\"target\":", (unsigned)b->line);
		rc |= json_str(out, b->target);
		rc |= vl_buf_puts(out, ",\"why\":");
		rc |= json_str(out, b->why);
		rc |= vl_buf_putc(out, '}');
	}
	rc |= vl_buf_puts(out, "]}\n");
	return rc ? -1 : 0;
}

/* Text and Markdown go to terminals: the bytes of notes that a terminal
 * would act on (ESC and the other controls but tab and newline, which
 * the layout uses; the C1 controls) are written as escapes, and bytes
 * that are not UTF-8 become U+FFFD, as in JSON. out from start on is
 * rewritten. */
static int make_visible(vl_buf *out, size_t start)
{
	vl_buf b = VL_BUF_INIT;
	const unsigned char *p = (const unsigned char *)out->ptr + start;
	const unsigned char *end = (const unsigned char *)out->ptr + out->len;
	size_t clean;

	if (start >= out->len)
		return 0;
	for (; p < end; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p >= 0x7f)
			break;
	if (p == end)
		return 0;   /* all printable ASCII: the common case */
	clean = (size_t)((const char *)p - out->ptr);
	if (vl_buf_put(&b, out->ptr + start, clean - start) < 0)
		return -1;
	while (p < end) {
		uint32_t cp;
		size_t k = vl_utf8_next(p, (size_t)(end - p), &cp);
		int r;

		if (*p < 0x80 && (*p >= 0x20 || *p == '\n' || *p == '\t') && *p != 0x7f)
			r = vl_buf_putc(&b, (char)*p);
		else if (*p < 0x80)
			r = vl_buf_printf(&b, "\\x%02x", *p);
		else if (cp == 0xFFFD)
			r = vl_buf_puts(&b, "\xEF\xBF\xBD");
		else if (cp <= 0x9F)  /* C1: U+009B is a CSI to some terminals */
			r = vl_buf_printf(&b, "\\u%04x", (unsigned)cp);
		else
			r = vl_buf_put(&b, (const char *)p, k);
		if (r < 0) {
			vl_buf_release(&b);
			return -1;
		}
		p += k;
	}
	out->len = start;
	if (vl_buf_put(out, b.ptr, b.len) < 0) {
		vl_buf_release(&b);
		return -1;
	}
	vl_buf_release(&b);
	return 0;
}

int vl_changelog_render(vl_buf *out, const vl_changelog *cl,
	vl_changelog_format format, vl_changelog_group group)
{
	int markdown = format == VL_CHANGELOG_MARKDOWN;
	size_t start = out->len;
	int rc = 0;

	if (format == VL_CHANGELOG_JSON)
		return render_json(out, cl);
	if (cl->n_notes == 0 && cl->n_entries == 0 && cl->n_props == 0 &&
	    cl->n_broken == 0)
		return vl_buf_puts(out, "no changes\n");
	if (markdown) {
		rc |= vl_buf_puts(out, "# Vault changes");
		if (cl->range_from || cl->range_to)
			rc |= vl_buf_printf(out, " %s..%s", cl->range_from ? cl->range_from : "",
				cl->range_to ? cl->range_to : "");
		rc |= vl_buf_putc(out, '\n');
	} else if (cl->range_from || cl->range_to) {
		rc |= vl_buf_printf(out, "changes %s..%s\n", cl->range_from ?
			cl->range_from : "", cl->range_to ? cl->range_to : "");
	}
	rc |= render_notes(out, cl, markdown);
	rc |= render_entries(out, cl, group, markdown);
	rc |= render_props(out, cl, markdown);
	rc |= render_broken(out, cl, markdown);
	if (rc == 0)
		rc = make_visible(out, start);
	return rc ? -1 : 0;
}

/* ---- commit messages ---- */

/* A note's name for a subject line: file name without ".md". */
static int put_name(vl_buf *out, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t n = strlen(name);

	if (n > 3 && strcasecmp(name + n - 3, ".md") == 0)
		n -= 3;
	return vl_buf_put(out, name, n);
}

/* "+3 #PAPER, ~1 #CODE in 2 notes; renamed X -> Y", or "update N notes". */
static int put_summary(vl_buf *out, const vl_changelog *cl)
{
	size_t i, j, n_renamed = 0, items = 0;
	int rc = 0, kind;

	for (kind = VL_ENTRY_ADDED; kind <= VL_ENTRY_MOVED; kind++) {
		/* one item per (kind, tag) in the order tags first appear */
		for (i = 0; i < cl->n_entries; i++) {
			const vl_entry_change *c = &cl->entries[i];
			size_t count = 0;
			int seen = 0;

			if ((int)c->kind != kind)
				continue;
			for (j = 0; j < i && !seen; j++)
				seen = (int)cl->entries[j].kind == kind &&
					cmp_key(cl->entries[j].tag, c->tag) == 0;
			if (seen)
				continue;
			for (j = i; j < cl->n_entries; j++)
				if ((int)cl->entries[j].kind == kind &&
				    cmp_key(cl->entries[j].tag, c->tag) == 0)
					count++;
			rc |= vl_buf_printf(out, "%s%c%zu ", items++ ? ", " : "",
				entry_kind_signs[kind], count);
			if (c->tag)
				rc |= vl_buf_printf(out, "#%s", c->tag);
			else
				rc |= vl_buf_puts(out, count == 1 ? "entry" : "entries");
		}
	}
	if (items > 0)
		rc |= vl_buf_printf(out, " in %zu note%s", cl->n_notes,
			cl->n_notes == 1 ? "" : "s");
	else
		rc |= vl_buf_printf(out, "update %zu note%s", cl->n_notes,
			cl->n_notes == 1 ? "" : "s");
	for (i = 0; i < cl->n_notes; i++)
		if (cl->notes[i].kind == VL_NOTE_RENAMED)
			n_renamed++;
	if (n_renamed > 3) {
		rc |= vl_buf_printf(out, "; renamed %zu notes", n_renamed);
	} else if (n_renamed > 0) {
		rc |= vl_buf_puts(out, "; renamed ");
		for (i = 0, j = 0; i < cl->n_notes; i++) {
			if (cl->notes[i].kind != VL_NOTE_RENAMED)
				continue;
			if (j++ > 0)
				rc |= vl_buf_puts(out, ", ");
			rc |= put_name(out, cl->notes[i].old_path);
			rc |= vl_buf_puts(out, " -> ");
			rc |= put_name(out, cl->notes[i].new_path);
		}
	}
	return rc ? -1 : 0;
}

static int put_note_lines(vl_buf *out, const vl_changelog *cl)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < cl->n_notes; i++) {
		const vl_note_change *c = &cl->notes[i];

		if (c->kind == VL_NOTE_RENAMED)
			rc |= vl_buf_printf(out, "R %s -> %s\n", c->old_path, c->new_path);
		else
			rc |= vl_buf_printf(out, "%c %s\n", note_kind_letters[c->kind],
				note_change_path(c));
	}
	return rc ? -1 : 0;
}

int vl_changelog_commit_message(vl_buf *out, const vl_changelog *cl,
	const char *template)
{
	vl_buf summary = VL_BUF_INIT, notes = VL_BUF_INIT;
	const char *t = template ? template : "vault: {summary}";
	int rc = -1, had_notes = strstr(t, "{notes}") != NULL;

	if (put_summary(&summary, cl) < 0 || put_note_lines(&notes, cl) < 0)
		goto done;
	/* strip the last newline of the list so "{notes}" sits like a word */
	if (notes.len > 0)
		notes.ptr[--notes.len] = '\0';
	while (*t) {
		if (strncmp(t, "{summary}", 9) == 0) {
			if (vl_buf_put(out, summary.ptr ? summary.ptr : "", summary.len) < 0)
				goto done;
			t += 9;
		} else if (strncmp(t, "{notes}", 7) == 0) {
			if (vl_buf_put(out, notes.ptr ? notes.ptr : "", notes.len) < 0)
				goto done;
			t += 7;
		} else {
			if (vl_buf_putc(out, *t++) < 0)
				goto done;
		}
	}
	if (!had_notes && notes.len > 0 &&
	    vl_buf_printf(out, "\n\n%s", notes.ptr) < 0)
		goto done;
	if (vl_buf_putc(out, '\n') < 0)
		goto done;
	rc = 0;
done:
	vl_buf_release(&summary);
	vl_buf_release(&notes);
	return rc;
}
