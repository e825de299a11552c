/*
 * duplicate_link.c: the same URL, or the same note (heading and block
 * included), linked twice in one note. The second and later occurrences are
 * the findings, pointing at the first.
 *
 * URLs compare after light normalisation: scheme and host lower-cased, the
 * default port of http (80) and https (443) dropped, a trailing '/' of the
 * path dropped; query and fragment are kept (they often select different
 * content). Vault links compare by what they resolve to, so [[Note]] and
 * [text](Note.md) are the same link; embeds show content rather than link
 * to it and do not count, nor do links that resolve to nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rule.h"

/* Appends s[0..n) to b in lower case (ASCII). */
static int put_lower(vl_buf *b, const char *s, size_t n)
{
	size_t i;

	if (vl_buf_put(b, s, n) < 0)
		return -1;
	for (i = b->len - n; i < b->len; i++)
		if (b->ptr[i] >= 'A' && b->ptr[i] <= 'Z')
			b->ptr[i] = (char)(b->ptr[i] + 32);
	return 0;
}

/* Appends the normalised form of url to b. */
static int normalise_url(vl_buf *b, const char *url)
{
	const char *sep = strstr(url, "://");
	const char *host, *host_end, *port, *rest, *path_end, *query;
	size_t i, scheme_len;

	if (sep == NULL) {
		/* mailto:, tel: ...: only the scheme's case is insignificant. */
		const char *colon = strchr(url, ':');

		i = colon != NULL ? (size_t)(colon - url) : 0;
		return put_lower(b, url, i) < 0 ? -1 : vl_buf_puts(b, url + i);
	}
	scheme_len = (size_t)(sep - url);
	if (put_lower(b, url, scheme_len) < 0 || vl_buf_puts(b, "://") < 0)
		return -1;
	host = sep + 3;
	host_end = host + strcspn(host, "/?#");
	/* userinfo@host:port: lower-case the host, not the user name. */
	port = NULL;
	for (rest = host; rest < host_end; rest++) {
		if (*rest == '@') {
			if (vl_buf_put(b, host, (size_t)(rest - host + 1)) < 0)
				return -1;
			host = rest + 1;
			port = NULL;
		} else if (*rest == ':') {
			port = rest;
		} else if (*rest == ']') {
			port = NULL; /* IPv6 literal: colons so far were inside it */
		}
	}
	if (put_lower(b, host, (size_t)((port ? port : host_end) - host)) < 0)
		return -1;
	if (port != NULL) {
		size_t plen = (size_t)(host_end - port);
		int dflt = (plen == 3 && strncmp(port, ":80", 3) == 0 &&
				scheme_len == 4 && strncasecmp(url, "http", 4) == 0) ||
			(plen == 4 && strncmp(port, ":443", 4) == 0 &&
				scheme_len == 5 && strncasecmp(url, "https", 5) == 0);
		if (!dflt && vl_buf_put(b, port, plen) < 0)
			return -1;
	}
	query = host_end + strcspn(host_end, "?#");
	path_end = query;
	if (path_end > host_end && path_end[-1] == '/')
		path_end--;
	if (vl_buf_put(b, host_end, (size_t)(path_end - host_end)) < 0)
		return -1;
	return vl_buf_puts(b, query);
}

/* Appends the comparison key of a link to key: 1, or 0 when the link
 * does not take part (embeds, unresolved links), or -1. A vault link's
 * key is what it resolves to; the note's path also goes to *path. */
static int link_key(vl_rule_ctx *ctx, const vl_link *link, vl_buf *key, const char **path)
{
	vl_resolution r;
	const char *b;

	if (link->kind == VL_LINK_URL)
		return vl_buf_puts(key, "u ") < 0 || normalise_url(key, link->target) < 0 ? -1 : 1;
	if (link->kind != VL_LINK_WIKI && link->kind != VL_LINK_MARKDOWN)
		return 0;
	vl_rule_resolve(ctx, (size_t)(link - ctx->note->links), &r);
	if ((r.kind == VL_RESOLVE_NOTE || r.kind == VL_RESOLVE_SELF) && r.note != NULL)
		*path = r.note->path;
	else if (r.kind == VL_RESOLVE_FILE && r.file != NULL)
		*path = r.file;
	else
		return 0;
	if (vl_buf_puts(key, "n ") < 0 || vl_buf_puts(key, *path) < 0)
		return -1;
	if (link->heading != NULL && link->heading[0] != '\0') {
		size_t n = strlen(link->heading);

		/* the key written in place: '#', then at most n bytes */
		if (vl_buf_reserve(key, n + 1) < 0)
			return -1;
		key->ptr[key->len++] = '#';
		key->len += vl_index_heading_key(key->ptr + key->len, link->heading, n);
	}
	if (link->block != NULL && link->block[0] != '\0') {
		if (vl_buf_puts(key, "#^") < 0)
			return -1;
		for (b = link->block; *b; b++)
			if (vl_buf_putc(key, (char)(*b >= 'A' && *b <= 'Z' ? *b + 32 : *b)) < 0)
				return -1;
	}
	return 1;
}

/* The name a finding shows for link: the URL as written, or the path it
 * resolves to with the heading and block as written. */
static int shown(vl_buf *b, const vl_link *link, const char *path)
{
	if (link->kind == VL_LINK_URL)
		return vl_buf_puts(b, link->target);
	if (vl_buf_puts(b, path) < 0 ||
	    (link->heading != NULL && link->heading[0] != '\0' &&
	     (vl_buf_putc(b, '#') < 0 || vl_buf_puts(b, link->heading) < 0)) ||
	    (link->block != NULL && link->block[0] != '\0' &&
	     (vl_buf_puts(b, "#^") < 0 || vl_buf_puts(b, link->block) < 0)))
		return -1;
	return 0;
}

/* The keys seen so far: their text one after another in all (each with
 * its NUL), and an open-addressing table of (hash, offset, link) with at
 * least twice as many slots as the note has links. */
typedef struct seen_key {
	uint64_t hash;
	size_t off;
	const vl_link *link;   /* NULL: a free slot */
} seen_key;

int vl_rule_duplicate_link(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	seen_key *seen = NULL;
	size_t i, room, size = 4, mask;
	vl_buf all = VL_BUF_INIT, show = VL_BUF_INIT;
	int rc = -1;

	if (ctx->severity == VL_SEV_OFF || note->n_links < 2)
		return 0;
	while (size < 2 * note->n_links)
		size *= 2;
	mask = size - 1;
	seen = calloc(size, sizeof(*seen));
	if (seen == NULL)
		goto done;
	/* the keys are about as long as the targets: one allocation */
	for (i = 0, room = 0; i < note->n_links; i++)
		room += 64 + (note->links[i].target ? strlen(note->links[i].target) : 0);
	if (vl_buf_reserve(&all, room) < 0)
		goto done;
	for (i = 0; i < note->n_links; i++) {
		const vl_link *link = &note->links[i];
		const char *path = NULL, *key;
		size_t at = all.len, k;
		uint64_t h;
		int r = link_key(ctx, link, &all, &path);

		if (r < 0)
			goto done;
		if (r == 0) {
			all.len = at;
			continue;
		}
		if (vl_buf_putc(&all, '\0') < 0)
			goto done;
		key = all.ptr + at;
		h = vl_hash(key, all.len - at - 1);
		for (k = (size_t)h & mask; seen[k].link != NULL; k = (k + 1) & mask)
			if (seen[k].hash == h && strcmp(all.ptr + seen[k].off, key) == 0)
				break;
		if (seen[k].link != NULL) {
			all.len = at;
			show.len = 0;
			if (shown(&show, link, path) < 0 ||
			    vl_rule_report(ctx, link->pos, "'%s' is already linked on line %lu",
			    show.ptr, (unsigned long)seen[k].link->pos.line) < 0)
				goto done;
			continue;
		}
		seen[k].hash = h;
		seen[k].off = at;
		seen[k].link = link;
	}
	rc = 0;
done:
	free(seen);
	vl_buf_release(&all);
	vl_buf_release(&show);
	return rc;
}
