/*
 * note.c: the note parser. The only module that includes md4c.h.
 *
 * md4c gives the structure (headings, list items, code, math, HTML, links),
 * but not everything Obsidian means: embeds (`![[...]]`) and wikilinks over
 * 100 characters arrive as plain text, tags and block ids are not Markdown
 * at all, and `%% comments %%` are unknown to it. So the parse has two
 * passes over one buffer:
 *
 * 1. md4c runs and paints a per-byte mask: which bytes are prose text (where
 *    tags and block ids may stand), which are heading text, which are code,
 *    math or HTML (where nothing may stand). It also records headings,
 *    Markdown links, list entries and the end of each text run (for block
 *    ids), by byte offset.
 * 2. Raw scans over the mask find comments, wikilinks and embeds, then tags.
 *
 * Everything is kept as byte offsets until the end, when items inside
 * comments are dropped and offsets become line/column positions in one
 * sorted sweep (so a note with a million tags on one line stays linear).
 */
#include "note.h"

#include <md4c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"

/* Mask bits, one byte per input byte. */
enum {
	M_TEXT = 1,     /* prose: tags and block ids may stand here */
	M_HEAD = 2,     /* heading text: links yes, tags no */
	M_EXCL = 4      /* code, math, HTML, comments: nothing stands here */
};

/* A list item while parsing: offsets, resolved at the end. */
typedef struct entry_tmp {
	size_t first;       /* offset of its first text */
	size_t own_last;    /* offset of the last byte of its own text */
	size_t last;        /* offset of the last byte, sub-items included */
	int own_closed;     /* a sub-list started: own text is complete */
	int depth, parent;
	int has_text;
	int is_task;
	char task_mark;     /* ' ', 'x' or 'X' for a task item */
} entry_tmp;

typedef struct parse_ctx {
	vl_note *note;
	const char *text;
	size_t n;
	size_t body;            /* where Markdown starts (after front matter) */
	unsigned char *mask;
	int oom;
	unsigned flags;         /* VL_PARSE_* */
	size_t *lines;          /* offset of each line's first byte */
	size_t n_lines;

	/* headings */
	int in_heading;
	int heading_level;
	size_t heading_off;
	int heading_has_off;
	vl_buf heading_text;
	size_t *heading_offs; size_t n_heading_offs, cap_heading_offs;
	/* a wikilink in the heading: where its text starts in heading_text
	 * (see heading_wikilink) */
	int heading_wl;
	size_t heading_wl_at;
	int heading_comment;   /* a `%%` of the heading opened a comment */

	/* spans and blocks */
	int in_code_block;
	int fence_char;
	size_t fence_first_text; int fence_has_text; size_t fence_last_text;
	int link_depth;         /* inside A, IMG or WIKILINK spans */
	int math_inline;        /* the math span being read is $...$ */
	struct pending_link {
		vl_link_kind kind;
		char *href;
		size_t href_off; int href_in_buf;
		size_t first_text; int has_text;
		int index;      /* in note->links once pushed, or -1 */
	} plink[8];
	int n_plink;
	/* bit d: the span at depth d + 1 pushed a pending link (the first 64) */
	uint64_t plink_at;

	/* text runs (for block ids at the end of a block) */
	int run_has; size_t run_last;
	size_t *block_cands; size_t n_block_cands, cap_block_cands;

	/* list entries */
	entry_tmp *entries; size_t n_entries, cap_entries;
	int *li_stack; size_t n_li, cap_li;

	/* comments: pairs of [start, end) offsets */
	size_t *comments; size_t n_comments, cap_comments;

} parse_ctx;

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int in_buf(const parse_ctx *ctx, const char *s)
{
	return s >= ctx->text && s < ctx->text + ctx->n;
}

static void paint(parse_ctx *ctx, size_t off, size_t len, unsigned char bits)
{
	size_t i;

	if (off >= ctx->n)
		return;
	if (len > ctx->n - off)
		len = ctx->n - off;
	for (i = 0; i < len; i++)
		ctx->mask[off + i] |= bits;
}

/* ---- offsets kept until the end: pos.line == 0, pos.col == offset ---- */

static vl_pos off_pos(size_t off)
{
	vl_pos p = { 0, (uint32_t)off };
	return p;
}

int vl_note_add_problem(vl_note *note, const char *rule, vl_pos pos,
	const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	vl_problem p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p.rule = rule;
	p.pos = pos;
	p.message = vl_arena_strndup(&note->arena, msg, strlen(msg));
	if (!p.message)
		return -1;
	return VL_NOTE_PUSH(note, problems, p);
}

/* ---- tags and block ids ---- */

size_t vl_tag_scan(const char *s, size_t n)
{
	size_t i = 0, len;
	int non_digit = 0;

	while (i < n && vl_tag_char(s + i, n - i, &len)) {
		non_digit |= s[i] < '0' || s[i] > '9';
		i += len;
	}
	return non_digit ? i : 0;
}

int vl_block_id_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

/* ---- md4c callbacks ---- */

/* The index in ctx->lines of the line holding off. Lines are looked up,
 * never scanned for, so a 10 MB line or 100,000 items on one line stay
 * linear. */
static size_t line_index(const parse_ctx *ctx, size_t off)
{
	size_t lo = 0, hi = ctx->n_lines;

	while (lo + 1 < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ctx->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static size_t line_start(const parse_ctx *ctx, size_t off)
{
	size_t ls = ctx->lines[line_index(ctx, off)];

	return ls < ctx->body ? ctx->body : ls;
}

/* The offset of the '\n' ending the line holding off, or n. */
static size_t line_end(const parse_ctx *ctx, size_t off)
{
	size_t i = line_index(ctx, off);

	return i + 1 < ctx->n_lines ? ctx->lines[i + 1] - 1 : ctx->n;
}

/* Whether the "]]" that ends at i closes an embed, "![[...]]", that
 * starts on the line from ls. */
static int closes_embed(const parse_ctx *ctx, size_t ls, size_t i)
{
	const char *t = ctx->text;
	size_t j;

	for (j = i - 3; j > ls; j--) {
		if (t[j - 1] == '[' && t[j] == '[')
			return j - 1 > ls && t[j - 2] == '!';
		if (t[j - 1] == ']' && t[j] == ']')
			return 0;
	}
	return 0;
}

/* At the end of a text run (a leaf block's text), a trailing `^id` on the
 * run's last line is a block id candidate; checked against the mask at the
 * end, once comments are known. */
static void flush_run(parse_ctx *ctx)
{
	size_t ls, e, i;

	if (!ctx->run_has)
		return;
	ctx->run_has = 0;
	ls = line_start(ctx, ctx->run_last);
	e = line_end(ctx, ctx->run_last);
	while (e > ls && is_space(ctx->text[e - 1]))
		e--;
	i = e;
	while (i > ls && (vl_block_id_valid(&ctx->text[i - 1], 1)))
		i--;
	if (i == e || i == ls || ctx->text[i - 1] != '^')
		return;
	i--; /* the '^' */
	if (i > ls && !is_space(ctx->text[i - 1]) &&
	    !(i >= ls + 4 && ctx->text[i - 1] == ']' && ctx->text[i - 2] == ']' &&
	    closes_embed(ctx, ls, i))) {
		/* `^id` must follow a space, start the line, or follow an embed;
		 * check what precedes when it is only list/quote markup. */
		size_t j = ls;
		while (j < i && (is_space(ctx->text[j]) || ctx->text[j] == '>'))
			j++;
		if (j != i)
			return;
	}
	if (VL_PUSH(ctx->block_cands, ctx->n_block_cands, ctx->cap_block_cands, i) < 0)
		ctx->oom = 1;
}

static entry_tmp *current_entry(parse_ctx *ctx)
{
	if (ctx->n_li == 0)
		return NULL;
	return &ctx->entries[ctx->li_stack[ctx->n_li - 1]];
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	parse_ctx *ctx = userdata;
	entry_tmp *cur;

	flush_run(ctx);
	switch (type) {
	case MD_BLOCK_H:
		ctx->in_heading = 1;
		ctx->heading_comment = 0;
		ctx->heading_level = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		ctx->heading_has_off = 0;
		ctx->heading_text.len = 0;
		if (ctx->heading_text.ptr)
			ctx->heading_text.ptr[0] = '\0';
		break;
	case MD_BLOCK_CODE:
		ctx->in_code_block = 1;
		ctx->fence_char = ((MD_BLOCK_CODE_DETAIL *)detail)->fence_char;
		ctx->fence_has_text = 0;
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		cur = current_entry(ctx);
		if (cur && !cur->own_closed)
			cur->own_closed = 1;
		break;
	case MD_BLOCK_LI: {
		entry_tmp e;
		int idx;

		memset(&e, 0, sizeof(e));
		e.depth = (int)ctx->n_li;
		e.parent = ctx->n_li ? ctx->li_stack[ctx->n_li - 1] : -1;
		e.is_task = ((MD_BLOCK_LI_DETAIL *)detail)->is_task;
		e.task_mark = ((MD_BLOCK_LI_DETAIL *)detail)->task_mark;
		idx = (int)ctx->n_entries;
		if (VL_PUSH(ctx->entries, ctx->n_entries, ctx->cap_entries, e) < 0 ||
		    VL_PUSH(ctx->li_stack, ctx->n_li, ctx->cap_li, idx) < 0)
			ctx->oom = 1;
		break;
	}
	default:
		break;
	}
	return ctx->oom ? -1 : 0;
}

/* md4c does not say where a fenced block ends; an unterminated fence turns
 * the rest of the note into code, which hides every link below it, so it
 * deserves a word. A block whose last line of code is followed by
 * anything but blank (or quote-marker) lines did end: at its closing fence,
 * or where the quote or list item holding it ended. */
static void check_fence(parse_ctx *ctx)
{
	size_t open_ls, p, len;
	char fc = (char)ctx->fence_char, run[65];

	if (!ctx->fence_has_text)
		return;
	open_ls = line_start(ctx, ctx->fence_first_text);
	if (open_ls <= ctx->body)
		return;
	open_ls = line_start(ctx, open_ls - 1);
	for (p = line_end(ctx, ctx->fence_last_text); p < ctx->n; p++)
		if (!is_space(ctx->text[p]) && ctx->text[p] != '>')
			return;
	/* as long a run as opened it: "````" is not closed by "```" */
	for (p = open_ls; p < ctx->n && ctx->text[p] != fc && ctx->text[p] != '\n'; p++)
		;
	for (len = 0; p + len < ctx->n && ctx->text[p + len] == fc && len < sizeof(run) - 1; len++)
		;
	if (len < 3)
		len = 3;
	memset(run, fc, len);
	run[len] = '\0';
	if (vl_note_add_problem(ctx->note, "invalid-input", off_pos(open_ls),
	    "unterminated code fence: the rest of the note is code, so its links "
	    "and tags are not seen; close it with %s", run) < 0)
		ctx->oom = 1;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	parse_ctx *ctx = userdata;
	entry_tmp *cur;

	(void)detail;
	flush_run(ctx);
	switch (type) {
	case MD_BLOCK_H:
		ctx->in_heading = 0;
		if (ctx->heading_has_off) {
			vl_heading h;
			const char *t = ctx->heading_text.ptr ? ctx->heading_text.ptr : "";
			size_t len = ctx->heading_text.len, i, o = 0;
			char *s;

			/* collapse whitespace, trim */
			s = vl_arena_alloc(&ctx->note->arena, len + 1);
			if (!s) {
				ctx->oom = 1;
				break;
			}
			for (i = 0; i < len; i++) {
				if (is_space(t[i])) {
					if (o > 0 && s[o - 1] != ' ')
						s[o++] = ' ';
				} else {
					s[o++] = t[i];
				}
			}
			while (o > 0 && s[o - 1] == ' ')
				o--;
			s[o] = '\0';
			if (o == 0)
				break;
			h.text = s;
			h.level = ctx->heading_level;
			h.pos = off_pos(ctx->heading_off);
			if (VL_NOTE_PUSH(ctx->note, headings, h) < 0 ||
			    VL_PUSH(ctx->heading_offs, ctx->n_heading_offs,
			    ctx->cap_heading_offs, ctx->heading_off) < 0)
				ctx->oom = 1;
		}
		break;
	case MD_BLOCK_CODE:
		ctx->in_code_block = 0;
		if (ctx->fence_char)
			check_fence(ctx);
		break;
	case MD_BLOCK_LI:
		cur = current_entry(ctx);
		if (cur)
			cur->own_closed = 1;
		if (ctx->n_li)
			ctx->n_li--;
		if (cur && ctx->n_li) {
			entry_tmp *parent = current_entry(ctx);
			if (cur->last > parent->last)
				parent->last = cur->last;
		}
		break;
	default:
		break;
	}
	return ctx->oom ? -1 : 0;
}

static int has_scheme(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++) {
		char c = s[i];
		if (c == ':')
			return i >= 2; /* "c:" is a Windows drive, not a scheme */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-'))
			return 0;
	}
	return 0;
}

/* A heading's wikilink with an alias, `# A [[B|C]] d`, is written text
 * to Obsidian, which links the heading as "A B C d" (the brackets and the
 * bar are what a link cannot carry), while md4c gives only the alias as
 * the link's text: the target goes back in before it. target is the one
 * md4c hands to the leave callback (the enter callback's may be a copy
 * that md4c frees when the callback returns). */
static void heading_wikilink(parse_ctx *ctx, const MD_ATTRIBUTE *target)
{
	vl_buf *h = &ctx->heading_text;
	size_t at = ctx->heading_wl_at, n, add;

	ctx->heading_wl = 0;
	if (at > h->len || target == NULL || (target->text == NULL && target->size > 0))
		return;
	n = h->len - at;
	if (n == target->size && (n == 0 || memcmp(h->ptr + at, target->text, n) == 0))
		return;
	/* the shown text moves right, the target and a space go before it */
	add = target->size + 1;
	if (vl_buf_reserve(h, add) < 0) {
		ctx->oom = 1;
		return;
	}
	memmove(h->ptr + at + add, h->ptr + at, n);
	memcpy(h->ptr + at, target->text, target->size);
	h->ptr[at + target->size] = ' ';
	h->len += add;
	h->ptr[h->len] = '\0';
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	parse_ctx *ctx = userdata;
	const MD_ATTRIBUTE *a = NULL;
	struct pending_link *pl;

	if (type == MD_SPAN_WIKILINK && ctx->in_heading) {
		ctx->heading_wl = 1;
		ctx->heading_wl_at = ctx->heading_text.len;
	}

	if (type == MD_SPAN_LATEXMATH || type == MD_SPAN_LATEXMATH_DISPLAY)
		ctx->math_inline = type == MD_SPAN_LATEXMATH;
	if (type == MD_SPAN_A)
		a = &((MD_SPAN_A_DETAIL *)detail)->href;
	else if (type == MD_SPAN_IMG)
		a = &((MD_SPAN_IMG_DETAIL *)detail)->src;
	else if (type != MD_SPAN_WIKILINK)
		return 0;
	ctx->link_depth++;
	/* Wikilinks are found by the raw scan. A link inside a link is md4c's
	 * permissive autolink of a link text that is itself a URL
	 * (`[https://x](https://x)`): one link, not two. An image inside a
	 * link's text (`[![badge](b.png)](https://x)`) is a link of its own. */
	if (type == MD_SPAN_WIKILINK || (type == MD_SPAN_A && ctx->link_depth > 1) ||
	    ctx->link_depth > 64 || ctx->n_plink >= 8)
		return 0;
	ctx->plink_at |= (uint64_t)1 << (ctx->link_depth - 1);
	pl = &ctx->plink[ctx->n_plink++];
	memset(pl, 0, sizeof(*pl));
	pl->index = -1;
	pl->kind = type == MD_SPAN_IMG ? VL_LINK_IMAGE : VL_LINK_MARKDOWN;
	pl->href = vl_arena_strndup(&ctx->note->arena, a->text, a->size);
	if (!pl->href) {
		ctx->oom = 1;
		return -1;
	}
	pl->href_in_buf = in_buf(ctx, a->text) && a->size > 0;
	pl->href_off = pl->href_in_buf ? (size_t)(a->text - ctx->text) : 0;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX in place. */
static void url_decode(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* Splits "path#Heading", "path#^block", "#Heading" into the link. */
static void split_subpath(vl_link *l, char *target)
{
	char *hash = strchr(target, '#');

	l->target = target;
	l->heading = NULL;
	l->block = NULL;
	if (!hash)
		return;
	*hash = '\0';
	hash++;
	if (hash[0] == '^')
		l->block = hash + 1;
	else if (hash[0])
		l->heading = hash;
}

/* An autolink's text is its URL, where the URL stands. md4c hands an
 * unescaped copy of the href when the URL holds `&` and such, so compare
 * the text in place with the start of the href instead of pointers. */
static int is_autolink(const parse_ctx *ctx, const struct pending_link *pl)
{
	size_t n = strlen(pl->href), k;

	if (pl->href_in_buf && pl->href_off == pl->first_text)
		return 1;
	if (pl->first_text > ctx->body && ctx->text[pl->first_text - 1] == '[')
		return 0;
	/* md4c adds "http://" to a www. autolink */
	k = strncmp(pl->href, "http://www.", 11) == 0 &&
		strncmp(ctx->text + pl->first_text, "www.", 4) == 0 ? 7 : 0;
	n -= k;
	if (n > 8)
		n = 8;
	return pl->first_text + n <= ctx->n &&
		memcmp(ctx->text + pl->first_text, pl->href + k, n) == 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	parse_ctx *ctx = userdata;
	struct pending_link *pl;
	vl_link l;
	size_t off;

	if (type == MD_SPAN_WIKILINK && ctx->in_heading && ctx->heading_wl)
		heading_wikilink(ctx, &((MD_SPAN_WIKILINK_DETAIL *)detail)->target);
	if (type != MD_SPAN_A && type != MD_SPAN_IMG && type != MD_SPAN_WIKILINK)
		return 0;
	if (ctx->link_depth == 0)
		return 0;
	ctx->link_depth--;
	if (ctx->link_depth >= 64 || !(ctx->plink_at >> ctx->link_depth & 1) ||
	    ctx->n_plink == 0)
		return 0;
	ctx->plink_at &= ~((uint64_t)1 << ctx->link_depth);
	pl = &ctx->plink[--ctx->n_plink];
	memset(&l, 0, sizeof(l));
	l.entry = -1;
	/* Position: the '[' (or '!') before the link text. */
	if (pl->has_text) {
		off = pl->first_text;
		if (is_autolink(ctx, pl)) {
			l.kind = VL_LINK_URL; /* an autolink: text is the URL */
		} else {
			size_t ls = line_start(ctx, off);
			while (off > ls && ctx->text[off] != '[')
				off--;
			if (pl->kind == VL_LINK_IMAGE && off > ls && ctx->text[off - 1] == '!')
				off--;
		}
	} else if (pl->href_in_buf) {
		size_t ls = line_start(ctx, pl->href_off);
		off = pl->href_off;
		while (off > ls && ctx->text[off] != '[')
			off--;
		if (pl->kind == VL_LINK_IMAGE && off > ls && ctx->text[off - 1] == '!')
			off--;
	} else {
		off = ctx->run_has ? ctx->run_last : ctx->body;
	}
	if (l.kind != VL_LINK_URL && has_scheme(pl->href, strlen(pl->href)))
		l.kind = VL_LINK_URL;
	if (l.kind == VL_LINK_URL) {
		l.target = pl->href;
	} else {
		l.kind = pl->kind;
		split_subpath(&l, pl->href);
		url_decode(l.target);
		if (l.heading)
			url_decode(l.heading);
		if (l.block)
			url_decode(l.block);
		/* "#%5Eid" is "#^id" once decoded: a block, not a heading */
		if (l.heading && l.heading[0] == '^') {
			l.block = l.heading + 1;
			l.heading = NULL;
		}
	}
	l.pos = off_pos(off);
	/* the link around this one starts just before it, whatever text it
	 * has later: its '[' is found back from here */
	if (ctx->n_plink > 0) {
		struct pending_link *outer = &ctx->plink[ctx->n_plink - 1];

		if (!outer->has_text || outer->first_text >= off) {
			outer->has_text = 1;
			outer->first_text = off;
		}
	}
	if (VL_NOTE_PUSH(ctx->note, links, l) < 0)
		ctx->oom = 1;
	return ctx->oom ? -1 : 0;
}

/* Adds a piece of a heading's text to it, without what a `%% comment %%`
 * hides (`# Title %% note %%` is the heading "Title "): a heading starts
 * outside any comment (one inside a comment is dropped later), so a
 * `%%` of its prose opens or closes one. Returns 0 or -1. */
static int heading_text(parse_ctx *ctx, MD_TEXTTYPE type, const char *s, size_t size)
{
	vl_buf *h = &ctx->heading_text;
	const char *end = s + size, *pc;

	if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR)
		return ctx->heading_comment ? 0 : vl_buf_putc(h, ' ');
	if (type != MD_TEXT_NORMAL)
		return ctx->heading_comment ? 0 : vl_buf_put(h, s, size);
	while (s < end) {
		pc = s;
		while (pc + 1 < end && !(pc[0] == '%' && pc[1] == '%'))
			pc++;
		if (pc + 1 >= end)
			pc = end;
		if (!ctx->heading_comment && vl_buf_put(h, s, (size_t)(pc - s)) < 0)
			return -1;
		if (pc == end)
			break;
		ctx->heading_comment = !ctx->heading_comment;
		s = pc + 2;
	}
	return 0;
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE size, void *userdata)
{
	parse_ctx *ctx = userdata;
	size_t off;
	entry_tmp *cur;
	int i;

	/* md4c hands out slices of the input or short static strings; a size
	 * beyond the input's (seen once under the fuzzer, not reproducible) is
	 * never trusted. */
	if (size > ctx->n + 16)
		return 0;
	if (ctx->in_heading && heading_text(ctx, type, s, size) < 0)
		ctx->oom = 1;
	if (!in_buf(ctx, s) || size == 0)
		return ctx->oom ? -1 : 0;
	off = (size_t)(s - ctx->text);
	for (i = 0; i < ctx->n_plink; i++) {
		if (!ctx->plink[i].has_text) {
			ctx->plink[i].has_text = 1;
			ctx->plink[i].first_text = off;
		}
	}
	if (ctx->in_heading && !ctx->heading_has_off) {
		ctx->heading_has_off = 1;
		ctx->heading_off = off;
	}
	if (ctx->in_code_block) {
		if (!ctx->fence_has_text) {
			ctx->fence_has_text = 1;
			ctx->fence_first_text = off;
		}
		ctx->fence_last_text = off + size - 1;
	}

	switch (type) {
	case MD_TEXT_NORMAL:
		if (ctx->link_depth == 0 && !ctx->in_code_block)
			paint(ctx, off, size, ctx->in_heading ? M_HEAD : M_TEXT);
		break;
	case MD_TEXT_LATEXMATH:
		/* md4c takes `$5 and $10` for math; Obsidian, like pandoc, wants
		 * no space inside the dollars and no digit after the closing one. */
		if (ctx->math_inline && (is_space(s[0]) || is_space(s[size - 1]) ||
		    (off + size + 1 < ctx->n && ctx->text[off + size] == '$' &&
		     ctx->text[off + size + 1] >= '0' && ctx->text[off + size + 1] <= '9'))) {
			if (ctx->link_depth == 0 && !ctx->in_code_block)
				paint(ctx, off, size, ctx->in_heading ? M_HEAD : M_TEXT);
			break;
		}
		paint(ctx, off, size, M_EXCL);
		break;
	case MD_TEXT_CODE:
	case MD_TEXT_HTML:
		paint(ctx, off, size, M_EXCL);
		break;
	default:
		break;
	}

	ctx->run_has = 1;
	ctx->run_last = off + size - 1;
	if (ctx->n_li) {
		size_t k;
		cur = current_entry(ctx);
		if (!cur->own_closed)
			cur->own_last = off + size - 1;
		/* an item whose content opens with a sub-list starts here too;
		 * each item is marked once, so this stays linear */
		for (k = ctx->n_li; k > 0; k--) {
			entry_tmp *e = &ctx->entries[ctx->li_stack[k - 1]];
			if (e->has_text)
				break;
			e->has_text = 1;
			e->first = off;
		}
		cur->last = off + size - 1; /* passed up to the parents on leave */
	}
	return ctx->oom ? -1 : 0;
}

/* ---- raw passes ---- */

static int in_comment(const parse_ctx *ctx, size_t off)
{
	size_t lo = 0, hi = ctx->n_comments / 2;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (off < ctx->comments[2 * mid])
			hi = mid;
		else if (off >= ctx->comments[2 * mid + 1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static uint32_t line_of(const parse_ctx *ctx, size_t off)
{
	uint32_t line = 1;
	size_t i;
	const char *p = ctx->text;

	for (i = 0; i < off; ) {
		const char *nl = memchr(p + i, '\n', off - i);
		if (!nl)
			break;
		line++;
		i = (size_t)(nl - p) + 1;
	}
	return line;
}

/* Applies one directive (0: disable-next-line, 1: disable, 2: enable) for
 * rule at line. */
static int apply_directive(vl_note *note, int verb, const char *rule, uint32_t line)
{
	size_t i;
	vl_suppress sp;

	if (verb == 2) {
		for (i = 0; i < note->n_suppress; i++) {
			vl_suppress *o = &note->suppress[i];
			if (o->last == UINT32_MAX &&
			    (strcmp(rule, "all") == 0 || strcmp(o->rule, rule) == 0))
				o->last = line;
		}
		return 0;
	}
	sp.rule = (char *)rule;
	sp.first = verb == 0 ? line + 1 : line;
	sp.last = verb == 0 ? line + 1 : UINT32_MAX;
	return VL_NOTE_PUSH(note, suppress, sp);
}

/* Reads one `%% ... %%` comment's directive, if any:
 * `vaultlint-disable-next-line RULE...`, `vaultlint-disable RULE...`,
 * `vaultlint-enable RULE...`; rules separated by spaces or commas, none
 * meaning all. */
static int parse_directive(parse_ctx *ctx, size_t start, size_t end)
{
	static const char *const verbs[] = {
		"vaultlint-disable-next-line", "vaultlint-disable", "vaultlint-enable"
	};
	const char *s = ctx->text + start + 2;
	const char *e = ctx->text + end;
	int v, named = 0;
	uint32_t line;

	if (e - s >= 2 && e[-1] == '%' && e[-2] == '%')
		e -= 2;
	while (s < e && is_space(*s))
		s++;
	for (v = 0; v < 3; v++) {
		size_t len = strlen(verbs[v]);
		if ((size_t)(e - s) >= len && memcmp(s, verbs[v], len) == 0 &&
		    (s + len == e || is_space(s[len]) || s[len] == ':'))
			break;
	}
	if (v == 3)
		return 0;
	s += strlen(verbs[v]);
	line = line_of(ctx, start);
	for (;;) {
		const char *w;
		char *rule;

		while (s < e && (is_space(*s) || *s == ',' || *s == ':'))
			s++;
		if (s >= e)
			break;
		w = s;
		while (s < e && !is_space(*s) && *s != ',')
			s++;
		rule = vl_arena_strndup(&ctx->note->arena, w, (size_t)(s - w));
		if (!rule || apply_directive(ctx->note, v, rule, line) < 0)
			return -1;
		named = 1;
	}
	if (!named && apply_directive(ctx->note, v, "all", line) < 0)
		return -1;
	return 0;
}

/* `%%` pairs that md4c saw as prose are Obsidian comments: nothing inside
 * counts. An unclosed `%%` runs to the end of the note, as in Obsidian. */
static int find_comments(parse_ctx *ctx)
{
	size_t i = ctx->body, start = 0;
	int open = 0;

	while (i + 1 < ctx->n) {
		const char *p = memchr(ctx->text + i, '%', ctx->n - i - 1);
		size_t at;

		if (!p)
			break;
		at = (size_t)(p - ctx->text);
		if (at + 1 < ctx->n && ctx->text[at + 1] == '%' &&
		    (ctx->mask[at] & (M_TEXT | M_HEAD)) &&
		    (ctx->mask[at + 1] & (M_TEXT | M_HEAD))) {
			if (!open) {
				open = 1;
				start = at;
			} else {
				open = 0;
				if (VL_PUSH(ctx->comments, ctx->n_comments, ctx->cap_comments, start) < 0 ||
				    VL_PUSH(ctx->comments, ctx->n_comments, ctx->cap_comments, at + 2) < 0)
					return -1;
			}
			i = at + 2;
		} else {
			i = at + 1;
		}
	}
	if (open &&
	    (VL_PUSH(ctx->comments, ctx->n_comments, ctx->cap_comments, start) < 0 ||
	     VL_PUSH(ctx->comments, ctx->n_comments, ctx->cap_comments, ctx->n) < 0))
		return -1;
	for (i = 0; i + 1 < ctx->n_comments; i += 2) {
		size_t a = ctx->comments[i], b = ctx->comments[i + 1], k;
		if (parse_directive(ctx, a, b) < 0)
			return -1;
		for (k = a; k < b; k++)
			ctx->mask[k] = M_EXCL;
	}
	return 0;
}

/* `[[...]]` and `![[...]]` outside code, math, HTML and comments. md4c
 * misses embeds and long wikilinks, so all of them are found here. */
static int scan_wikilinks(parse_ctx *ctx)
{
	size_t i = ctx->body;

	while (i + 1 < ctx->n) {
		const char *p = memchr(ctx->text + i, '[', ctx->n - i - 1);
		size_t at, close, k, start;
		const char *c, *bar = NULL;
		char *target;
		vl_link l;

		if (!p)
			break;
		at = (size_t)(p - ctx->text);
		i = at + 1;
		if (ctx->text[at + 1] != '[' || (ctx->mask[at] & M_EXCL) ||
		    (ctx->mask[at + 1] & M_EXCL))
			continue;
		/* the closing "]]" on the same line, no "[[" inside */
		close = 0;
		for (k = at + 2; k + 1 < ctx->n && ctx->text[k] != '\n'; k++) {
			if (ctx->text[k] == '[' && ctx->text[k + 1] == '[')
				break;
			if (ctx->text[k] == ']' && ctx->text[k + 1] == ']') {
				close = k;
				break;
			}
		}
		if (!close || close == at + 2)
			continue;
		memset(&l, 0, sizeof(l));
		l.entry = -1;
		start = at;
		l.kind = VL_LINK_WIKI;
		if (at > ctx->body && ctx->text[at - 1] == '!' && !(ctx->mask[at - 1] & M_EXCL)) {
			l.kind = VL_LINK_EMBED;
			start = at - 1;
		}
		/* alias after the first '|' (written `\|` inside tables) */
		for (c = ctx->text + at + 2; c < ctx->text + close; c++)
			if (*c == '|') {
				bar = c;
				break;
			}
		{
			const char *te = bar ? bar : ctx->text + close;
			const char *ts = ctx->text + at + 2;
			if (bar && te > ts && te[-1] == '\\')
				te--;
			while (ts < te && is_space(*ts))
				ts++;
			while (te > ts && is_space(te[-1]))
				te--;
			target = vl_arena_strndup(&ctx->note->arena, ts, (size_t)(te - ts));
			if (!target)
				return -1;
			if (bar) {
				l.alias = vl_arena_strndup(&ctx->note->arena, bar + 1,
					(size_t)(ctx->text + close - bar - 1));
				if (!l.alias)
					return -1;
			}
		}
		split_subpath(&l, target);
		if (!l.target[0] && !l.heading && !l.block)
			continue; /* `[[|x]]`, `[[#]]`: no target at all */
		if (l.heading) {
			size_t hl = strlen(l.heading);
			while (hl > 0 && is_space(l.heading[hl - 1]))
				l.heading[--hl] = '\0';
			while (*l.heading && is_space(*l.heading))
				l.heading++;
		}
		{
			size_t tl = strlen(l.target);
			while (tl > 0 && is_space(l.target[tl - 1]))
				l.target[--tl] = '\0';
		}
		l.pos = off_pos(start);
		if (VL_NOTE_PUSH(ctx->note, links, l) < 0)
			return -1;
		/* nothing inside a wikilink is prose */
		for (k = start; k < close + 2; k++)
			ctx->mask[k] &= (unsigned char)~(M_TEXT | M_HEAD);
		i = close + 2;
	}
	return 0;
}

/* Whether the markup byte at j closes something, so that a '#' right
 * after it follows the text before (`**bold**#x`, `[[X]]#x`, `` `c`#x ``,
 * `$m$#x`, `</b>#x`: no tags) rather than starting one (`**#x**`): a
 * closing bracket, backtick, dollar or '>', or a run of `* _ ~ =` with
 * something other than whitespace before it. */
static int closes_markup(const parse_ctx *ctx, size_t j)
{
	char c = ctx->text[j];
	size_t k = j;

	if (c == '>') {
		/* a quote's marker (`>#x`, `> >#x`) opens the line's text */
		while (k > ctx->body && (ctx->text[k - 1] == '>' || ctx->text[k - 1] == ' ' ||
		    ctx->text[k - 1] == '\t'))
			k--;
		/* (a lone CR is an LF here: lone_cr_to_lf) */
		return !(k == ctx->body || ctx->text[k - 1] == '\n');
	}
	if (c == ']' || c == ')' || c == '`' || c == '$')
		return 1;
	if (c != '*' && c != '_' && c != '~' && c != '=')
		return 0;
	while (k > ctx->body && ctx->text[k - 1] == c)
		k--;
	return k > ctx->body && !is_space(ctx->text[k - 1]);
}

/* Whether c, not prose itself (an autolink's or an entity's last byte:
 * `a@b.c#x`, `&amp;#x`), is the end of a word that a '#' right after it
 * continues rather than starts a tag. */
static int ends_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == ';' || (unsigned char)c >= 0x80;
}

/* Whether the text before byte at ends in a space that is not ASCII
 * (vl_unicode_space): `テキスト　#tag` is a tag, as after ' '. */
static int unicode_space_before(const parse_ctx *ctx, size_t at)
{
	size_t k = at;
	uint32_t cp;

	while (k > ctx->body && at - k < 4 && ((unsigned char)ctx->text[k - 1] & 0xC0) == 0x80)
		k--;
	if (k == ctx->body || k == at || (unsigned char)ctx->text[k - 1] < 0xC0)
		return 0;
	k--;
	return vl_utf8_next((const unsigned char *)ctx->text + k, at - k, &cp) == at - k &&
		vl_unicode_space(cp);
}

static int scan_tags(parse_ctx *ctx)
{
	size_t i = ctx->body;

	while (i < ctx->n) {
		const char *p = memchr(ctx->text + i, '#', ctx->n - i);
		size_t at, run, len;
		vl_tag t;

		if (!p)
			break;
		at = (size_t)(p - ctx->text);
		i = at + 1;
		if (!(ctx->mask[at] & (M_TEXT | M_HEAD)))
			continue;
		/* '#' starts the text or follows whitespace or opening markup */
		if (at > ctx->body) {
			char prev = ctx->text[at - 1];
			if (prev == '\\' || prev == '#' ||
			    (!is_space(prev) && (ctx->mask[at - 1] & (M_TEXT | M_HEAD)) &&
			    !unicode_space_before(ctx, at)) ||
			    (!(ctx->mask[at - 1] & (M_TEXT | M_HEAD)) &&
			    (closes_markup(ctx, at - 1) || ends_word(prev))))
				continue;
		}
		run = 0;
		while (at + 1 + run < ctx->n && (ctx->mask[at + 1 + run] & (M_TEXT | M_HEAD)))
			run++;
		len = vl_tag_scan(ctx->text + at + 1, run);
		if (len == 0)
			continue;
		t.name = vl_arena_strndup(&ctx->note->arena, ctx->text + at + 1, len);
		if (!t.name)
			return -1;
		t.pos = off_pos(at);
		t.frontmatter = 0;
		t.entry = -1;
		if (VL_NOTE_PUSH(ctx->note, tags, t) < 0)
			return -1;
		i = at + 1 + len;
	}
	return 0;
}

/* ---- the final sweep: drop what comments hide, offsets to positions ---- */

typedef struct pos_ref {
	size_t off;
	vl_pos *pos;
} pos_ref;

/* Sorts refs[0..n) by offset: a few by insertion, more by radix (a
 * note holds hundreds, in runs already sorted: a comparison sort was a
 * tenth of the parse). Refs with the same offset get the same position,
 * so their order does not matter. Returns 0, or -1 when out of memory. */
static int sort_refs(pos_ref *refs, size_t n, size_t text_len)
{
	pos_ref *tmp;
	size_t i, j;
	unsigned bits = 8;

	if (n <= 32) {
		for (i = 1; i < n; i++) {
			pos_ref r = refs[i];

			for (j = i; j > 0 && refs[j - 1].off > r.off; j--)
				refs[j] = refs[j - 1];
			refs[j] = r;
		}
		return 0;
	}
	/* the bytes an offset into the text can have */
	while (bits < 64 && text_len >> bits != 0)
		bits += 8;
	tmp = malloc(n * sizeof(*tmp));
	if (tmp == NULL)
		return -1;
	vl_radix_sort(refs, tmp, n, sizeof(*refs), offsetof(pos_ref, off), sizeof(size_t),
		0, bits);
	free(tmp);
	return 0;
}

/* Links come from two passes; rules want them in document order. */
static int cmp_link(const void *a, const void *b)
{
	const vl_link *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return x->pos.col < y->pos.col ? -1 : x->pos.col > y->pos.col;
}

/* Sorts links[0..n) into document order, keeping the order of links at
 * one place (as glibc's merge sort did). The two passes that find links
 * leave two sorted runs, merged here in one sweep; anything else goes
 * to qsort. Returns 0, or -1 when out of memory. */
static int sort_links(vl_link *links, size_t n)
{
	vl_link *tmp;
	size_t k = 1, i, a, b;

	while (k < n && cmp_link(&links[k - 1], &links[k]) <= 0)
		k++;
	if (k >= n)
		return 0;
	for (i = k + 1; i < n; i++) {
		if (cmp_link(&links[i - 1], &links[i]) > 0) {
			qsort(links, n, sizeof(*links), cmp_link);
			return 0;
		}
	}
	tmp = malloc(n * sizeof(*tmp));
	if (tmp == NULL)
		return -1;
	for (i = 0, a = 0, b = k; i < n; i++)
		tmp[i] = b == n || (a < k && cmp_link(&links[a], &links[b]) <= 0) ?
			links[a++] : links[b++];
	memcpy(links, tmp, n * sizeof(*links));
	free(tmp);
	return 0;
}

/* Finds the entry whose own text holds off, or -1. */
static int entry_at(const size_t *own_start, const size_t *own_end, size_t n,
	size_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (own_start[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	lo--;
	return off <= own_end[lo] ? (int)lo : -1;
}

/* Skips one list marker (`-`, `*`, `+`, `1.`, `1)`) and the blanks after
 * it at p; returns p unchanged when there is none. */
static size_t skip_marker(const parse_ctx *ctx, size_t p, size_t lim)
{
	size_t q = p;

	if (q < lim && (ctx->text[q] == '-' || ctx->text[q] == '*' || ctx->text[q] == '+')) {
		q++;
	} else {
		while (q < lim && q - p < 9 && ctx->text[q] >= '0' && ctx->text[q] <= '9')
			q++;
		if (q == p || q >= lim || (ctx->text[q] != '.' && ctx->text[q] != ')'))
			return p;
		q++;
	}
	if (q < lim && ctx->text[q] != ' ' && ctx->text[q] != '\t')
		return p;
	while (q < lim && (ctx->text[q] == ' ' || ctx->text[q] == '\t'))
		q++;
	return q;
}

/* The start of an item's own text: its first text's line, past quote
 * markers, the bullets or numbers (`1. * x` opens two items on one line),
 * and a task box. */
static size_t item_text_start(const parse_ctx *ctx, const entry_tmp *e)
{
	size_t p = line_start(ctx, e->first), q, k;

	while (p < e->first && (is_space(ctx->text[p]) || ctx->text[p] == '>'))
		p++;
	for (k = 0; (q = skip_marker(ctx, p, e->first)) != p; k++) {
		if (k == 16) {
			/* 100,000 items on one line: no scan of them all; the text
			 * starts at the word holding the first text ("[[x]]") */
			size_t ls = p;
			p = e->first;
			while (p > ls && ctx->text[p - 1] != ' ' && ctx->text[p - 1] != '\t')
				p--;
			return p;
		}
		p = q;
	}
	if (e->is_task && p + 2 < e->first && ctx->text[p] == '[' && ctx->text[p + 2] == ']') {
		p += 3;
		while (p < e->first && (ctx->text[p] == ' ' || ctx->text[p] == '\t'))
			p++;
	}
	return p;
}

static int finish(parse_ctx *ctx)
{
	vl_note *note = ctx->note;
	size_t i, o, n_refs = 0, cap_refs = 0;
	size_t *own_start = NULL, *own_end = NULL;
	int *entry_map = NULL;
	pos_ref *refs = NULL;
	int rc = -1;

	/* block ids */
	for (i = 0; i < ctx->n_block_cands; i++) {
		size_t at = ctx->block_cands[i], e = at + 1;
		vl_block b;

		if (!(ctx->mask[at] & M_TEXT) || in_comment(ctx, at))
			continue;
		while (e < ctx->n && vl_block_id_valid(&ctx->text[e], 1))
			e++;
		b.id = vl_arena_strndup(&note->arena, ctx->text + at + 1, e - at - 1);
		if (!b.id)
			goto done;
		b.pos = off_pos(at);
		if (VL_NOTE_PUSH(note, blocks, b) < 0)
			goto done;
	}

	/* headings and Markdown links inside comments */
	for (i = o = 0; i < note->n_headings; i++)
		if (!in_comment(ctx, ctx->heading_offs[i])) {
			ctx->heading_offs[o] = ctx->heading_offs[i];
			note->headings[o++] = note->headings[i];
		}
	note->n_headings = o;
	for (i = o = 0; i < note->n_links; i++) {
		vl_link *l = &note->links[i];
		if (l->pos.line == 0 && in_comment(ctx, l->pos.col))
			continue;
		note->links[o++] = *l;
	}
	note->n_links = o;

	/* entries: drop those in comments, compute text and ranges */
	entry_map = malloc((ctx->n_entries + 1) * sizeof(int));
	own_start = malloc((ctx->n_entries + 1) * sizeof(size_t));
	own_end = malloc((ctx->n_entries + 1) * sizeof(size_t));
	if (!entry_map || !own_start || !own_end)
		goto done;
	for (i = 0; i < ctx->n_entries; i++) {
		entry_tmp *et = &ctx->entries[i];
		vl_entry e;
		size_t s, end, k;
		char *txt;
		size_t tl = 0;
		size_t lo, hi;

		entry_map[i] = -1;
		if (!et->has_text || in_comment(ctx, et->first))
			continue;
		s = item_text_start(ctx, et);
		/* An item whose content starts with a sub-list (`1. * x`) has no
		 * text of its own: its first text is the sub-item's. */
		end = et->own_last >= et->first ? line_end(ctx, et->own_last) : s;
		if (end < s)
			end = s;
		while (end > s && is_space(ctx->text[end - 1]))
			end--;
		if (ctx->flags & VL_PARSE_NO_ENTRIES)
			end = s; /* no text kept: see VL_PARSE_NO_ENTRIES */
		txt = vl_arena_alloc(&note->arena, end - s + 1);
		if (!txt)
			goto done;
		for (k = s; k < end; k++) {
			char c = ctx->text[k];
			if (is_space(c)) {
				if (tl > 0 && txt[tl - 1] != ' ')
					txt[tl++] = ' ';
			} else {
				txt[tl++] = c;
			}
		}
		txt[tl] = '\0';
		e.text = txt;
		e.depth = et->depth;
		e.task = et->is_task ? (et->task_mark == ' ' ? ' ' : 'x') : 0;
		e.parent = et->parent >= 0 ? entry_map[et->parent] : -1;
		/* section: the last heading before the entry */
		lo = 0;
		hi = note->n_headings;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (ctx->heading_offs[mid] < s)
				lo = mid + 1;
			else
				hi = mid;
		}
		e.section = (int)lo - 1;
		e.pos = off_pos(s);
		e.end_line = 0;
		if (VL_NOTE_PUSH(note, entries, e) < 0)
			goto done;
		entry_map[i] = (int)note->n_entries - 1;
		own_start[note->n_entries - 1] = line_start(ctx, et->first);
		own_end[note->n_entries - 1] = line_end(ctx, et->own_last);
	}

	/* which entry holds each tag and link */
	for (i = 0; i < note->n_tags; i++)
		note->tags[i].entry = entry_at(own_start, own_end, note->n_entries,
			note->tags[i].pos.col);
	for (i = 0; i < note->n_links; i++)
		if (note->links[i].pos.line == 0)
			note->links[i].entry = entry_at(own_start, own_end,
				note->n_entries, note->links[i].pos.col);

	/* every offset to a position, in one sorted sweep */
#define REF(p) do { \
		if ((p).line == 0) { \
			pos_ref r_ = { (p).col, &(p) }; \
			if (VL_PUSH(refs, n_refs, cap_refs, r_) < 0) \
				goto done; \
		} \
	} while (0)
	for (i = 0; i < note->n_headings; i++)
		REF(note->headings[i].pos);
	for (i = 0; i < note->n_blocks; i++)
		REF(note->blocks[i].pos);
	for (i = 0; i < note->n_tags; i++)
		REF(note->tags[i].pos);
	for (i = 0; i < note->n_links; i++)
		REF(note->links[i].pos);
	for (i = 0; i < note->n_entries; i++)
		REF(note->entries[i].pos);
	for (i = 0; i < note->n_problems; i++)
		REF(note->problems[i].pos);
#undef REF
	{
		/* entries' last lines ride along as extra refs */
		vl_pos *ends = NULL;
		size_t k = 0;
		if (ctx->n_entries) {
			ends = vl_arena_alloc(&note->arena, ctx->n_entries * sizeof(vl_pos));
			if (!ends)
				goto done;
		}
		for (i = 0; i < ctx->n_entries; i++) {
			pos_ref r;
			if (entry_map[i] < 0)
				continue;
			ends[k].line = 0;
			ends[k].col = (uint32_t)ctx->entries[i].last;
			r.off = ctx->entries[i].last;
			r.pos = &ends[k];
			if (VL_PUSH(refs, n_refs, cap_refs, r) < 0)
				goto done;
			k++;
		}
		if (sort_refs(refs, n_refs, ctx->n) < 0)
			goto done;
		{
			size_t off = 0;
			uint32_t line = 1, col = 1;
			for (i = 0; i < n_refs; i++) {
				size_t target = refs[i].off;
				while (off < target) {
					const char *nl = memchr(ctx->text + off, '\n', target - off);
					if (!nl) {
						col += (uint32_t)vl_utf8_count(ctx->text + off, target - off);
						off = target;
						break;
					}
					line++;
					off = (size_t)(nl - ctx->text) + 1;
					col = 1;
				}
				refs[i].pos->line = line;
				refs[i].pos->col = col;
			}
		}
		/* the BOM is no character a user sees */
		if (ctx->n >= 3 && memcmp(ctx->text, "\xEF\xBB\xBF", 3) == 0)
			for (i = 0; i < n_refs; i++)
				if (refs[i].pos->line == 1 && refs[i].pos->col > 1)
					refs[i].pos->col--;
		for (i = k = 0; i < ctx->n_entries; i++)
			if (entry_map[i] >= 0)
				note->entries[entry_map[i]].end_line = ends[k++].line;
	}
	if (sort_links(note->links, note->n_links) < 0)
		goto done;
	if (ctx->flags & VL_PARSE_NO_ENTRIES) {
		free(note->entries);
		note->entries = NULL;
		note->n_entries = 0;
		if (note->caps != NULL)
			note->caps->entries = 0;
		for (i = 0; i < note->n_tags; i++)
			note->tags[i].entry = -1;
		for (i = 0; i < note->n_links; i++)
			note->links[i].entry = -1;
	}
	rc = 0;
done:
	free(entry_map);
	free(own_start);
	free(own_end);
	free(refs);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int vl_note_parse(vl_note **out, const char *path, const char *text, size_t n,
	vl_error *err)
{
	return vl_note_parse_ex(out, path, text, n, 0, err);
}

const char *vl_note_name_of(const char *path, size_t *len)
{
	const char *name = base_name(path);

	*len = strlen(name);
	if (*len > 3 && strcasecmp(name + *len - 3, ".md") == 0)
		*len -= 3;
	return name;
}

vl_note *vl_note_new(const char *path)
{
	return vl_note_new_ex(path, 0);
}

vl_note *vl_note_new_ex(const char *path, size_t arena_bytes)
{
	vl_note *note = calloc(1, sizeof(*note));
	size_t name_len;
	const char *name = vl_note_name_of(path, &name_len);

	if (!note)
		return NULL;
	if (arena_bytes > 0 && vl_arena_reserve(&note->arena,
	    strlen(path) + 1 + name_len + 1 + arena_bytes) < 0) {
		free(note);
		return NULL;
	}
	note->path = vl_arena_strndup(&note->arena, path, strlen(path));
	note->name = vl_arena_strndup(&note->arena, name, name_len);
	if (!note->path || !note->name) {
		vl_note_free(note);
		return NULL;
	}
	return note;
}

/* NULs after the copy of a note that md4c parses (vl_note_parse_ex). */
#define MD_PAD 8

/* Turns each CR of s[0..n) that no LF follows into an LF, in place: md4c
 * ends a line there (a note saved with old Mac line ends), and so must
 * every line count, column and same-line scan here. A CRLF stays. */
static void lone_cr_to_lf(char *s, size_t n)
{
	char *p = memchr(s, '\r', n), *end = s + n;

	while (p != NULL) {
		if (p + 1 == end || p[1] != '\n')
			*p = '\n';
		p = p + 1 < end ? memchr(p + 1, '\r', (size_t)(end - p - 1)) : NULL;
	}
}

/* The offset each line of text[0..n) starts at (a last '\n' starts
 * none; an empty text still has its first line), in one pass: a malloc'd
 * array in *starts, and how many in *count. Returns 0, or -1 when out of
 * memory. */
static int line_starts(const char *text, size_t n, size_t **starts, size_t *count)
{
	const char *p = text, *end = text + n, *nl;
	size_t cap = 0, zero = 0;

	*starts = NULL;
	*count = 0;
	if (VL_PUSH(*starts, *count, cap, zero) < 0)
		return -1;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL && nl + 1 < end) {
		size_t at = (size_t)(nl + 1 - text);

		if (VL_PUSH(*starts, *count, cap, at) < 0)
			return -1;
		p = nl + 1;
	}
	return 0;
}

int vl_note_parse_ex(vl_note **out, const char *path, const char *text, size_t n,
	unsigned flags, vl_error *err)
{
	vl_note *note;
	parse_ctx ctx;
	MD_PARSER parser;
	size_t start = 0, bad;
	int rc = -1, fm;
	vl_fm_span span;
	char *padded = NULL;

	*out = NULL;
	note = vl_note_new(path);
	if (!note)
		return vl_error_set(err, "out of memory");
	memset(&ctx, 0, sizeof(ctx));
	note->size = n;
	/* md4c (0.4.8) reads the byte after the end of a note that ends in
	 * an inline link cut short ("[a](b"): what lies there decides the
	 * parse, and can crash it. The caller's buffer may end at n, or hold
	 * anything after it: the parse reads a copy that ends in NULs. */
	padded = malloc(n + MD_PAD);
	if (padded == NULL)
		goto oom;
	memcpy(padded, text, n);
	memset(padded + n, 0, MD_PAD);
	text = padded;
	lone_cr_to_lf(padded, n);
	if (line_starts(text, n, &ctx.lines, &ctx.n_lines) < 0)
		goto oom;
	note->n_lines = n > 0 ? (uint32_t)ctx.n_lines : 0;

	if (memchr(text, '\0', n)) {
		size_t z = (size_t)((const char *)memchr(text, '\0', n) - text);
		vl_pos p = { 1, 1 };
		ctx.text = text;
		ctx.n = n;
		p.line = line_of(&ctx, z);
		if (vl_note_add_problem(note, "invalid-input", p,
		    "binary file (NUL byte on line %u): not read as a note; "
		    "rename it if it is not Markdown", p.line) < 0)
			goto oom;
		note->unread = 1;
		free(ctx.lines);
		free(padded);
		*out = note;
		return 0;
	}
	if (!vl_utf8_valid(text, n, &bad)) {
		vl_pos p = { 1, 1 };
		ctx.text = text;
		ctx.n = n;
		p.line = line_of(&ctx, bad);
		if (vl_note_add_problem(note, "invalid-input", p,
		    "invalid UTF-8 (first bad byte on line %u): save the note as UTF-8",
		    p.line) < 0)
			goto oom;
	}

	if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		start = 3;
	ctx.note = note;
	ctx.text = text;
	ctx.n = n;
	ctx.flags = flags;
	ctx.body = start;
	fm = vl_frontmatter_find(&span, text, n, start);
	if (fm == 1) {
		note->has_frontmatter = 1;
		if (vl_frontmatter_parse(note, text, &span, err) < 0)
			goto oom;
		ctx.body = span.body;
	} else if (fm < 0) {
		vl_pos p = { 1, 1 };
		if (vl_note_add_problem(note, "frontmatter-invalid", p,
		    "unterminated front matter: no closing '---' line; "
		    "the note is read without front matter") < 0)
			goto oom;
	}

	ctx.mask = calloc(n + 1, 1);
	if (!ctx.mask)
		goto oom;
	memset(&parser, 0, sizeof(parser));
	parser.flags = VL_MD_FLAGS;
	parser.enter_block = enter_block;
	parser.leave_block = leave_block;
	parser.enter_span = enter_span;
	parser.leave_span = leave_span;
	parser.text = text_cb;
	if (md_parse(text + ctx.body, (MD_SIZE)(n - ctx.body), &parser, &ctx) != 0 || ctx.oom)
		goto oom;
	flush_run(&ctx);
	if (ctx.oom || find_comments(&ctx) < 0 || scan_wikilinks(&ctx) < 0 ||
	    scan_tags(&ctx) < 0 || finish(&ctx) < 0)
		goto oom;
	*out = note;
	note = NULL;
	rc = 0;
	goto done;
oom:
	vl_error_set(err, "out of memory while parsing '%s'", path);
done:
	vl_note_free(note);
	free(padded);
	free(ctx.mask);
	free(ctx.lines);
	vl_buf_release(&ctx.heading_text);
	free(ctx.heading_offs);
	free(ctx.block_cands);
	free(ctx.entries);
	free(ctx.li_stack);
	free(ctx.comments);
	return rc;
}

static int same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int vl_note_same_headings(const vl_note *a, const vl_note *b)
{
	size_t i;

	if (a->n_headings != b->n_headings)
		return 0;
	for (i = 0; i < a->n_headings; i++)
		if (a->headings[i].level != b->headings[i].level ||
		    !same_str(a->headings[i].text, b->headings[i].text))
			return 0;
	return 1;
}

int vl_note_same_blocks(const vl_note *a, const vl_note *b)
{
	size_t i;

	if (a->n_blocks != b->n_blocks)
		return 0;
	for (i = 0; i < a->n_blocks; i++)
		if (!same_str(a->blocks[i].id, b->blocks[i].id))
			return 0;
	return 1;
}

int vl_note_same_aliases(const vl_note *a, const vl_note *b)
{
	size_t i;

	if (a->n_aliases != b->n_aliases)
		return 0;
	for (i = 0; i < a->n_aliases; i++)
		if (!same_str(a->aliases[i], b->aliases[i]))
			return 0;
	return 1;
}

int vl_note_same_tags(const vl_note *a, const vl_note *b)
{
	size_t i;

	if (a->n_tags != b->n_tags || a->n_tag_counts != b->n_tag_counts)
		return 0;
	for (i = 0; i < a->n_tags; i++)
		if (!same_str(a->tags[i].name, b->tags[i].name))
			return 0;
	for (i = 0; i < a->n_tag_counts; i++)
		if (a->tag_counts[i].count != b->tag_counts[i].count ||
		    !same_str(a->tag_counts[i].name, b->tag_counts[i].name))
			return 0;
	return 1;
}

void vl_note_free(vl_note *note)
{
	if (!note)
		return;
	if (!note->packed) {
		free(note->headings);
		free(note->blocks);
		free(note->tags);
		free(note->links);
		free(note->entries);
		free(note->suppress);
		free(note->problems);
		free(note->props);
		free(note->aliases);
	}
	free(note->caps);
	vl_arena_release(&note->arena);
	free(note);
}

vl_note_caps *vl_note_caps_of(vl_note *note)
{
	if (note->caps == NULL)
		note->caps = calloc(1, sizeof(*note->caps));
	return note->caps;
}

int vl_note_suppressed(const vl_note *note, const char *rule, uint32_t line)
{
	size_t i;

	for (i = 0; i < note->n_suppress; i++) {
		const vl_suppress *s = &note->suppress[i];
		if (line >= s->first && line <= s->last &&
		    (strcmp(s->rule, "all") == 0 || strcmp(s->rule, rule) == 0))
			return 1;
	}
	return 0;
}
