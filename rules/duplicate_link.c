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

/* Appends the normalised form of url to b. */
static int normalise_url(vl_buf *b, const char *url)
{
	const char *sep = strstr(url, "://");
	const char *host, *host_end, *port, *rest, *path_end, *query;
	size_t i, scheme_len;

	if (sep == NULL) {
		/* mailto:, tel: ...: only the scheme's case is insignificant. */
		const char *colon = strchr(url, ':');
		for (i = 0; colon != NULL && url + i < colon; i++)
			if (vl_buf_putc(b, (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] + 32 : url[i])) < 0)
				return -1;
		return vl_buf_puts(b, url + i);
	}
	scheme_len = (size_t)(sep - url);
	for (i = 0; i < scheme_len; i++)
		if (vl_buf_putc(b, (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] + 32 : url[i])) < 0)
			return -1;
	if (vl_buf_puts(b, "://") < 0)
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
	for (rest = host; rest < (port ? port : host_end); rest++)
		if (vl_buf_putc(b, (char)(*rest >= 'A' && *rest <= 'Z' ? *rest + 32 : *rest)) < 0)
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

/* The comparison key of a link and the name to show, or 0 when the link
 * does not take part (embeds, unresolved links). */
static int link_key(vl_rule_ctx *ctx, const vl_link *link, vl_buf *key, vl_buf *shown)
{
	vl_resolution r;
	const char *path;
	char *h;
	int rc;

	if (link->kind == VL_LINK_URL) {
		if (vl_buf_puts(key, "u ") < 0 || normalise_url(key, link->target) < 0 ||
				vl_buf_puts(shown, link->target) < 0)
			return -1;
		return 1;
	}
	if (link->kind != VL_LINK_WIKI && link->kind != VL_LINK_MARKDOWN)
		return 0;
	vl_rule_resolve(ctx, (size_t)(link - ctx->note->links), &r);
	if ((r.kind == VL_RESOLVE_NOTE || r.kind == VL_RESOLVE_SELF) && r.note != NULL)
		path = r.note->path;
	else if (r.kind == VL_RESOLVE_FILE && r.file != NULL)
		path = r.file;
	else
		return 0;
	if (vl_buf_printf(key, "n %s", path) < 0 || vl_buf_puts(shown, path) < 0)
		return -1;
	if (link->heading != NULL && link->heading[0] != '\0') {
		h = vl_index_heading_key(link->heading);
		if (h == NULL)
			return -1;
		rc = vl_buf_printf(key, "#%s", h);
		free(h);
		if (rc < 0 || vl_buf_printf(shown, "#%s", link->heading) < 0)
			return -1;
	}
	if (link->block != NULL && link->block[0] != '\0') {
		h = vl_lower_dup(link->block, strlen(link->block));
		if (h == NULL)
			return -1;
		rc = vl_buf_printf(key, "#^%s", h);
		free(h);
		if (rc < 0 || vl_buf_printf(shown, "#^%s", link->block) < 0)
			return -1;
	}
	return 1;
}

int vl_rule_duplicate_link(vl_rule_ctx *ctx)
{
	const vl_note *note = ctx->note;
	vl_map seen = { NULL, 0, 0 };
	char **keys = NULL;
	size_t i, n_keys = 0;
	vl_buf key = VL_BUF_INIT, shown = VL_BUF_INIT;
	int rc = -1;

	if (ctx->severity == VL_SEV_OFF || note->n_links < 2)
		return 0;
	keys = calloc(note->n_links, sizeof(*keys));
	if (keys == NULL)
		goto done;
	for (i = 0; i < note->n_links; i++) {
		const vl_link *link = &note->links[i];
		const vl_link *first;
		int k;

		key.len = 0;
		shown.len = 0;
		if (key.ptr != NULL)
			key.ptr[0] = '\0';
		if (shown.ptr != NULL)
			shown.ptr[0] = '\0';
		k = link_key(ctx, link, &key, &shown);
		if (k < 0)
			goto done;
		if (k == 0)
			continue;
		first = vl_map_get(&seen, key.ptr);
		if (first != NULL) {
			if (vl_rule_report(ctx, link->pos, "'%s' is already linked on line %lu",
					shown.ptr, (unsigned long)first->pos.line) < 0)
				goto done;
			continue;
		}
		keys[n_keys] = vl_buf_detach(&key);
		if (vl_map_put(&seen, keys[n_keys++], (void *)link) < 0)
			goto done;
	}
	rc = 0;
done:
	vl_map_release(&seen);
	for (i = 0; i < n_keys; i++)
		free(keys[i]);
	free(keys);
	vl_buf_release(&key);
	vl_buf_release(&shown);
	return rc;
}
