/*
 * util.c: errors, growable arrays, buffers with JSON/XML escaping, the
 * arena, the string map, UTF-8 checks, edit distance and glob matching.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int
vl_error_set(vl_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Doubles the capacity until it covers need, refusing sizes that would
 * overflow size_t, so callers never see a short array. */
int
vl_grow(void **items, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	if (elem == 0)
		elem = 1;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return -1;
	p = realloc(*items, ncap * elem);
	if (p == NULL)
		return -1;
	*items = p;
	*cap = ncap;
	return 0;
}

/* ---- buffers ---- */

/* Makes room for n more bytes plus the terminating NUL. */
static inline int
buf_reserve(vl_buf *b, size_t n)
{
	void *p = b->ptr;

	/* room already: the common case of the encoders' small puts */
	if (n < b->cap - b->len)
		return 0;
	if (n > SIZE_MAX - b->len - 1)
		return -1;
	if (vl_grow(&p, &b->cap, b->len + n + 1, 1) < 0)
		return -1;
	b->ptr = p;
	return 0;
}

int
vl_buf_reserve(vl_buf *b, size_t n)
{
	return buf_reserve(b, n);
}

int
vl_buf_reserve_exact(vl_buf *b, size_t n)
{
	char *p;

	if (n > SIZE_MAX - b->len - 1)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	p = realloc(b->ptr, b->len + n + 1);
	if (p == NULL)
		return -1;
	b->ptr = p;
	b->cap = b->len + n + 1;
	return 0;
}

/* vl_buf_put, inlined where n is known (the encoders' numbers) so that
 * the copy is a move, not a call. */
static inline int
put_bytes(vl_buf *b, const void *s, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int
vl_buf_put(vl_buf *b, const char *s, size_t n)
{
	return put_bytes(b, s, n);
}

int
vl_buf_puts(vl_buf *b, const char *s)
{
	return vl_buf_put(b, s, s ? strlen(s) : 0);
}

int
vl_buf_putc(vl_buf *b, char c)
{
	return put_bytes(b, &c, 1);
}

int
vl_buf_vprintf(vl_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
vl_buf_printf(vl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are not one: overlongs, surrogates, code points above
 * U+10FFFF and truncated sequences are all invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xE0)
			lo = 0xA0;          /* overlong */
		else if (c == 0xED)
			hi = 0x9F;          /* surrogates */
		if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xF0)
			lo = 0x90;          /* overlong */
		else if (c == 0xF4)
			hi = 0x8F;          /* above U+10FFFF */
		if (n < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

static const char replacement_char[] = "\xEF\xBF\xBD";  /* U+FFFD */

/* Escapes for JSON so that any input bytes give a valid JSON string:
 * quotes and backslashes are escaped, control characters become \n, \t ...
 * or \u00XX, and bytes that are not valid UTF-8 become U+FFFD. */
int
vl_buf_put_json(vl_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t k;
		const char *esc = NULL;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_seq(p + i, n - i);
			if (k > 0) {
				i += k;
				continue;
			}
		}
		/* Flush the plain run before this byte. */
		if (vl_buf_put(b, s + run, i - run) < 0)
			return -1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc != NULL) {
			if (vl_buf_puts(b, esc) < 0)
				return -1;
		} else if (c < 0x20) {
			if (vl_buf_printf(b, "\\u%04x", (unsigned)c) < 0)
				return -1;
		} else if (vl_buf_puts(b, replacement_char) < 0) {
			return -1;
		}
		i++;
		run = i;
	}
	return vl_buf_put(b, s + run, n - run);
}

/* Escapes XML's five special characters. Bytes that XML 1.0 forbids in a
 * document (C0 controls other than tab, LF and CR) and invalid UTF-8 become
 * U+FFFD as well, so the output is always well-formed. */
int
vl_buf_put_xml(vl_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = p[i];
		const char *esc = NULL;

		if (c >= 0x80) {
			size_t k = utf8_seq(p + i, n - i);

			if (k > 0) {
				i += k;
				continue;
			}
			esc = replacement_char;
		} else {
			switch (c) {
			case '&': esc = "&amp;"; break;
			case '<': esc = "&lt;"; break;
			case '>': esc = "&gt;"; break;
			case '"': esc = "&quot;"; break;
			case '\'': esc = "&apos;"; break;
			default:
				if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
					esc = replacement_char;
				break;
			}
			if (esc == NULL) {
				i++;
				continue;
			}
		}
		if (vl_buf_put(b, s + run, i - run) < 0 || vl_buf_puts(b, esc) < 0)
			return -1;
		i++;
		run = i;
	}
	return vl_buf_put(b, s + run, n - run);
}

/* An empty buffer detaches as "" so callers always get a string. */
char *
vl_buf_detach(vl_buf *b)
{
	char *p = b->ptr;

	if (p == NULL) {
		p = malloc(1);
		if (p != NULL)
			p[0] = '\0';
	}
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void
vl_buf_release(vl_buf *b)
{
	if (b == NULL)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

/* ---- arena ---- */

#define ARENA_ALIGN 16
#define ARENA_CHUNK (64 * 1024)
#define ARENA_FIRST 512

struct vl_arena_chunk {
	vl_arena_chunk *next;
	size_t used;
	size_t cap;
	unsigned char *data;  /* aligned start inside this allocation */
};

/* Allocates a chunk whose usable area starts at a 16-byte boundary. */
static vl_arena_chunk *
arena_chunk_new(size_t cap)
{
	vl_arena_chunk *c;
	uintptr_t start;

	if (cap > SIZE_MAX - sizeof(*c) - ARENA_ALIGN)
		return NULL;
	c = malloc(sizeof(*c) + ARENA_ALIGN + cap);
	if (c == NULL)
		return NULL;
	start = (uintptr_t)(c + 1);
	start = (start + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
	c->data = (unsigned char *)start;
	c->used = 0;
	c->cap = cap;
	c->next = NULL;
	return c;
}

/* Requests are carved from the head chunk while it has room. Else a
 * request larger than a quarter of the largest chunk gets a chunk of its
 * own, linked behind the head so the head's free space stays in use.
 * Chunks start small (a vault holds one arena per note, most notes are
 * small) and double up to ARENA_CHUNK, unless vl_arena_reserve sized the
 * head. Strings need no alignment, so they pack tightly. */
static void *
arena_alloc(vl_arena *a, size_t n, size_t align)
{
	vl_arena_chunk *c;
	size_t at, cap;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	c = a->head;
	at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	if (c != NULL && at <= c->cap && c->cap - at >= n) {
		c->used = at + n;
		return c->data + at;
	}
	if (n > ARENA_CHUNK / 4) {
		c = arena_chunk_new(n);
		if (c == NULL)
			return NULL;
		c->used = n;
		if (a->head == NULL) {
			a->head = c;
		} else {
			c->next = a->head->next;
			a->head->next = c;
		}
		return c->data;
	}
	cap = c ? c->cap * 2 : ARENA_FIRST;
	if (cap > ARENA_CHUNK)
		cap = ARENA_CHUNK;
	while (cap < n)
		cap *= 2;
	c = arena_chunk_new(cap);
	if (c == NULL)
		return NULL;
	c->next = a->head;
	a->head = c;
	c->used = n;
	return c->data;
}

int
vl_arena_reserve(vl_arena *a, size_t n)
{
	vl_arena_chunk *c;

	if (n == 0)
		return 0;
	c = arena_chunk_new(n);
	if (c == NULL)
		return -1;
	c->next = a->head;
	a->head = c;
	return 0;
}

void *
vl_arena_alloc(vl_arena *a, size_t n)
{
	return arena_alloc(a, n, ARENA_ALIGN);
}

char *
vl_arena_strndup(vl_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1, 1);
	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
vl_arena_release(vl_arena *a)
{
	vl_arena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/* ---- map ---- */

/* vl_hash takes 8 bytes at a step (a multiply and a shift, each a
 * bijection of the running state), the last word padded with zeros and
 * the length mixed in at the end: the names and paths every link looks
 * up hash at a few cycles a word, not a multiply a byte. */
#define HASH_SEED 0x243F6A8885A308D3ull

static inline uint64_t hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15ull;
	return h ^ h >> 32;
}

static inline uint64_t hash_end(uint64_t h, size_t n)
{
	h = (h ^ (uint64_t)n) * 0xBF58476D1CE4E5B9ull;
	h ^= h >> 31;
	h *= 0x94D049BB133111EBull;
	return h ^ h >> 29;
}

/* The last w_len (1..7) bytes at p as a word, zeros above them. */
static inline uint64_t hash_tail(const unsigned char *p, size_t w_len)
{
	uint64_t w = 0;

	memcpy(&w, p, w_len);
	return w;
}

uint64_t
vl_hash(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h = HASH_SEED, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = hash_word(h, w);
	}
	if (i < n)
		h = hash_word(h, hash_tail(p + i, n - i));
	return hash_end(h, n);
}

/* Finds the slot holding key, or the empty slot where it would go. The
 * table always has a free slot, so the probe ends. */
static vl_map_slot *
map_find(vl_map_slot *slots, size_t cap, const char *key, uint64_t h)
{
	size_t i = (size_t)(h % cap);

	for (;;) {
		vl_map_slot *s = &slots[i];

		if (s->key == NULL)
			return s;
		if (s->hash == h && strcmp(s->key, key) == 0)
			return s;
		i = i + 1 == cap ? 0 : i + 1;
	}
}

/* Moves the table to ncap slots and re-inserts. */
static int
map_resize(vl_map *m, size_t ncap)
{
	vl_map_slot *ns;
	size_t i;

	ns = calloc(ncap, sizeof(*ns));
	if (ns == NULL)
		return -1;
	for (i = 0; i < m->cap; i++) {
		vl_map_slot *o = &m->slots[i];

		if (o->key != NULL)
			*map_find(ns, ncap, o->key, o->hash) = *o;
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int
vl_map_put(vl_map *m, const char *key, void *value)
{
	uint64_t h;
	vl_map_slot *s;

	if (key == NULL)
		return -1;
	/* Keep the load at or below 70% after this insert. */
	if (m->cap == 0 || (m->len + 1) * 10 > m->cap * 7) {
		size_t ncap = m->cap ? m->cap * 2 : 16;

		if (ncap < m->cap || map_resize(m, ncap) < 0)
			return -1;
	}
	h = vl_hash(key, strlen(key));
	s = map_find(m->slots, m->cap, key, h);
	if (s->key == NULL) {
		s->key = key;
		s->hash = h;
		m->len++;
	}
	s->value = value;
	return 0;
}

int
vl_map_reserve(vl_map *m, size_t n)
{
	size_t ncap;

	if (n > SIZE_MAX / 10 / sizeof(vl_map_slot))
		return -1;
	/* The load that vl_map_put keeps, at most 70%, and no more room:
	 * the table is the size n needs, not the next power of two (a
	 * vault's name maps are megabytes) */
	ncap = n * 10 / 7 + 1;
	if (ncap < 16)
		ncap = 16;
	return ncap <= m->cap || n == 0 ? 0 : map_resize(m, ncap);
}

void *
vl_map_get(const vl_map *m, const char *key)
{
	vl_map_slot *s;

	if (m == NULL || m->cap == 0 || key == NULL)
		return NULL;
	s = map_find(m->slots, m->cap, key, vl_hash(key, strlen(key)));
	return s->key ? s->value : NULL;
}

void
vl_map_release(vl_map *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->len = 0;
}

/* ---- UTF-8 and strings ---- */

/* The length of the run of ASCII bytes at s[0..n), taken 8 bytes at a
 * time: most of a note is ASCII, and the checks below skip it whole. */
static size_t ascii_run(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i + 8 <= n) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
		i += 8;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

int
vl_utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k;

		i += ascii_run(p + i, n - i);
		if (i == n)
			break;
		k = utf8_seq(p + i, n - i);
		if (k == 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += k;
	}
	return 1;
}

size_t
vl_utf8_count(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, count = 0;

	while (i < n) {
		size_t a = ascii_run(p + i, n - i), k;

		i += a;
		count += a;
		if (i == n)
			break;
		k = utf8_seq(p + i, n - i);
		i += k ? k : 1;
		count++;
	}
	return count;
}

char *
vl_strndup(const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = malloc(n + 1);
	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static unsigned char
ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Whether s[i] (of n bytes) starts a two-byte UTF-8 letter that
 * fold_pair may change: lead bytes 0xC3 (Latin-1) to 0xD4 (Cyrillic). */
static int foldable(const unsigned char *s, size_t i, size_t n)
{
	return s[i] >= 0xC3 && s[i] <= 0xD4 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80;
}

/* The lower case of the two-byte UTF-8 letter at s, written to out (two
 * bytes: every capital below has its small letter in two bytes too):
 * Latin-1, Latin Extended-A, Greek and Cyrillic capitals, as Unicode's
 * simple case mapping has them. İ, ſ and the like, which change length or
 * meaning, are left alone. */
static void fold_pair(const unsigned char *s, unsigned char *out)
{
	uint32_t cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F), lc = cp;

	if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
	    (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F))
		lc = cp + 0x20;                         /* À Α А */
	else if (cp >= 0x400 && cp <= 0x40F)
		lc = cp + 0x50;                         /* Ѐ Ё ... Џ */
	else if (cp == 0x386)
		lc = 0x3AC;                             /* Ά */
	else if (cp >= 0x388 && cp <= 0x38A)
		lc = cp + 0x25;                         /* Έ Ή Ί */
	else if (cp == 0x38C)
		lc = 0x3CC;                             /* Ό */
	else if (cp == 0x38E || cp == 0x38F)
		lc = cp + 0x3F;                         /* Ύ Ώ */
	else if (cp == 0x178)
		lc = 0xFF;                              /* Ÿ */
	else if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
	    (cp >= 0x14A && cp <= 0x177) || (cp >= 0x460 && cp <= 0x481) ||
	    (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x52F))
		lc = cp | 1;                            /* pairs, capital even */
	else if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E) ||
	    (cp >= 0x4C1 && cp <= 0x4CE))
		lc = cp & 1 ? cp + 1 : cp;              /* pairs, capital odd */
	out[0] = (unsigned char)(0xC0 | lc >> 6);
	out[1] = (unsigned char)(0x80 | (lc & 0x3F));
}

/* The lower case of the letter at s[i] (of n bytes) into out: two bytes
 * for a foldable pair, else one; returns how many. out may be s + i. */
static inline size_t fold_at(const unsigned char *s, size_t i, size_t n, unsigned char *out)
{
	/* ASCII first: keys are mostly ASCII, and this runs once a byte */
	if (s[i] < 0x80) {
		out[0] = ascii_lower(s[i]);
		return 1;
	}
	if (foldable(s, i, n)) {
		fold_pair(s + i, out);
		return 2;
	}
	out[0] = ascii_lower(s[i]);
	return 1;
}

int
vl_fold_equal(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	unsigned char fx[2], fy[2];
	size_t i = 0, len;

	/* the same bytes are the same letters: most keys compared are
	 * spelt alike (a link as its note's name is written) */
	if (memcmp(a, b, n) == 0)
		return 1;
	while (i < n) {
		/* ASCII on both sides, the most of any key: one byte each */
		if (x[i] < 0x80 && y[i] < 0x80) {
			if (ascii_lower(x[i]) != ascii_lower(y[i]))
				return 0;
			i++;
			continue;
		}
		len = fold_at(x, i, n, fx);
		if (fold_at(y, i, n, fy) != len || memcmp(fx, fy, len) != 0)
			return 0;
		i += len;
	}
	return 1;
}

char *
vl_lower_dup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL)
		vl_lower_into(p, s, n);
	return p;
}

void
vl_lower_into(char *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n)
		i += fold_at(u, i, n, (unsigned char *)out + i);
	out[n] = '\0';
}

void *
vl_scratch(void *small, size_t cap, size_t n)
{
	return n <= cap ? small : malloc(n);
}

void
vl_scratch_free(void *p, const void *small)
{
	if (p != small)
		free(p);
}

char *
vl_lower_scratch(char *small, size_t cap, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? vl_scratch(small, cap, n + 1) : NULL;

	if (p != NULL)
		vl_lower_into(p, s, n);
	return p;
}

/* The folded bytes go through a small buffer a word at a time, as
 * vl_hash takes them: folding keeps every letter's length and place, so
 * the words are those of the lower-cased string. */
#define HASH_CHUNK 128

uint64_t
vl_hash_lower_n(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char buf[HASH_CHUNK + 8];
	uint64_t h = HASH_SEED, w;
	size_t i = 0, k = 0, j;

	while (i < n) {
		while (i < n && k < HASH_CHUNK) {
			if (i + 8 <= n) {
				memcpy(&w, u + i, 8);
				if (!(w & 0x8080808080808080ull)) {
					/* eight ASCII bytes: 'A'..'Z' get 0x20 at once */
					uint64_t ge_a = w + 0x3F3F3F3F3F3F3F3Full;
					uint64_t gt_z = w + 0x2525252525252525ull;

					w |= (ge_a & ~gt_z & 0x8080808080808080ull) >> 2;
					memcpy(buf + k, &w, 8);
					i += 8;
					k += 8;
					continue;
				}
			}
			j = fold_at(u, i, n, buf + k);
			i += j;
			k += j;
		}
		for (j = 0; j + 8 <= k; j += 8) {
			memcpy(&w, buf + j, 8);
			h = hash_word(h, w);
		}
		memmove(buf, buf + j, k - j);
		k -= j;
	}
	if (k > 0)
		h = hash_word(h, hash_tail(buf, k));
	return hash_end(h, n);
}

uint64_t
vl_hash_lower(const char *s)
{
	return vl_hash_lower_n(s, strlen(s));
}

static uint64_t radix_key(const unsigned char *e, size_t key_bytes)
{
	uint32_t k32;
	uint64_t k64;

	if (key_bytes == 4) {
		memcpy(&k32, e, 4);
		return k32;
	}
	memcpy(&k64, e, 8);
	return k64;
}

void
vl_radix_sort(void *v, void *tmp, size_t n, size_t size, size_t key_at,
	size_t key_bytes, unsigned from, unsigned to)
{
	unsigned char *src = v, *dst = tmp, *t;
	size_t count[256], i, at;
	unsigned shift;

	for (shift = from; shift < to && n > 1; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(radix_key(src + i * size + key_at, key_bytes) >> shift) & 0xFF]++;
		if (count[(radix_key(src + key_at, key_bytes) >> shift) & 0xFF] == n)
			continue;
		for (i = 0, at = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = at;
			at += c;
		}
		for (i = 0; i < n; i++) {
			size_t b = (radix_key(src + i * size + key_at, key_bytes) >> shift) & 0xFF;

			memcpy(dst + count[b]++ * size, src + i * size, size);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * size);
}

/* ---- UTF-8 ---- */

size_t vl_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 &&
	    (s[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
			(s[2] & 0x3F);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && n >= 4 && (s[1] & 0xC0) == 0x80 &&
	    (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
			((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	*cp = 0xFFFD;
	return 1;
}

int vl_unicode_punct(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
		(cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
		(cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
		(cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
		cp == 0xFEFF || cp == 0xFFFD;
}

int vl_yaml_too_deep(const char *s, size_t n, size_t max)
{
	size_t i, depth = 0;
	char q = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (q == '"') {
			if (c == '\\')
				i++;
			else if (c == '"')
				q = 0;
		} else if (q == '\'') {
			if (c == '\'')
				q = 0;
		} else if (c == '"' || c == '\'') {
			q = c;
		} else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' ||
		    s[i - 1] == '\n')) {
			while (i + 1 < n && s[i + 1] != '\n')
				i++;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return 1;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

int vl_path_within(const char *folder, size_t n, const char *p)
{
	if (n == 1 && folder[0] == '/')
		return p[0] == '/';
	return strncmp(p, folder, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

int vl_unicode_space(uint32_t cp)
{
	return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
		cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
		cp == 0x3000 || cp == 0xFEFF;
}

/* Optimal string alignment distance in the band of cells within max of
 * the diagonal (a cell further off is more than max away, as is every
 * path through it), with no allocation: a row is the 2 * max + 1 cells of
 * the band, indexed by their offset from the diagonal, so cell (i, j)
 * sits at k = j - i + max + 1 in row i, and its neighbours up-left (and
 * two up-left, for a swap) at k, up at k + 1 and left at k - 1. Once
 * every cell of a row exceeds max, no later row can come back under it. */
size_t
vl_edit_distance(const char *a, size_t alen, const char *b, size_t blen,
	size_t max)
{
	size_t rows[3][2 * VL_EDIT_MAX + 3];
	size_t *pprev = rows[0], *prev = rows[1], *cur = rows[2], *tmp;
	size_t band = max < VL_EDIT_MAX ? max : VL_EDIT_MAX;
	size_t over = max == SIZE_MAX ? SIZE_MAX : max + 1, inf = band + 1;
	size_t w = 2 * band + 1, i, k;

	if ((alen > blen ? alen - blen : blen - alen) > band)
		return over;
	for (k = 0; k <= w + 1; k++) {
		/* row 0: cell (0, j) is j, for j = k - band - 1 */
		pprev[k] = inf;
		prev[k] = k > band && k - band - 1 <= blen ? k - band - 1 : inf;
	}
	cur[0] = cur[w + 1] = inf;
	for (i = 1; i <= alen; i++) {
		unsigned char ca = ascii_lower((unsigned char)a[i - 1]);
		size_t row_min = inf;

		for (k = 1; k <= w; k++) {
			size_t j = i + k, v, cost;

			/* j - band - 1 is the column; off the table: no cell */
			if (j < band + 1 || j - band - 1 > blen) {
				cur[k] = inf;
				continue;
			}
			j -= band + 1;
			if (j == 0) {
				cur[k] = i < inf ? i : inf;
			} else {
				cost = ca == ascii_lower((unsigned char)b[j - 1]) ? 0 : 1;
				v = prev[k] + cost;
				if (prev[k + 1] + 1 < v)
					v = prev[k + 1] + 1;
				if (cur[k - 1] + 1 < v)
					v = cur[k - 1] + 1;
				/* a swap of two neighbours costs one (optimal
				 * string alignment): "tgas" is one step from
				 * "tags" */
				if (i > 1 && j > 1 && cost &&
				    ca == ascii_lower((unsigned char)b[j - 2]) &&
				    ascii_lower((unsigned char)a[i - 2]) ==
				    ascii_lower((unsigned char)b[j - 1]) &&
				    pprev[k] + 1 < v)
					v = pprev[k] + 1;
				cur[k] = v < inf ? v : inf;
			}
			if (cur[k] < row_min)
				row_min = cur[k];
		}
		if (row_min > band)
			return over;
		tmp = pprev; pprev = prev; prev = cur; cur = tmp;
	}
	/* cell (alen, blen) */
	k = blen + band + 1 - alen;
	return prev[k] > band ? over : prev[k];
}

/* ---- paths ---- */

char *
vl_path_join(const char *base, size_t blen, const char *t, int *outside,
	char *small, size_t cap)
{
	/* each segment of t adds at most a '/' and itself */
	size_t len = blen, tlen = strlen(t);
	char *out = tlen < SIZE_MAX - 2 - blen ? vl_scratch(small, cap, blen + tlen + 2) : NULL;
	const char *s = t;

	*outside = 0;
	if (out == NULL)
		return NULL;
	memcpy(out, base, blen);
	out[len] = '\0';
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			const char *slash;

			if (len == 0) {
				*outside = 1;
				vl_scratch_free(out, small);
				return NULL;
			}
			slash = memrchr(out, '/', len);
			len = slash ? (size_t)(slash - out) : 0;
		} else {
			if (len > 0)
				out[len++] = '/';
			memcpy(out + len, s, n);
			len += n;
		}
		out[len] = '\0';
		if (e == NULL)
			break;
		s = e + 1;
	}
	return out;
}

/* ---- glob ---- */

/* Matches one bracket class starting at p (just after '['). Sets *end past
 * the closing ']' and returns 1/0 for a match of byte c, or -1 when the
 * class is not closed (then '[' is an ordinary character). */
static int
glob_class(const char *p, const char *pe, unsigned char c, const char **end)
{
	int negate = 0, matched = 0;
	const char *q = p;

	if (q < pe && (*q == '!' || *q == '^')) {
		negate = 1;
		q++;
	}
	/* A ']' right after '[' or '[!' is a member, not the end. */
	if (q < pe && *q == ']') {
		if (c == ']')
			matched = 1;
		q++;
	}
	while (q < pe && *q != ']') {
		unsigned char lo = (unsigned char)*q, hi = lo;

		if (*q == '/')
			return -1;
		if (q + 2 < pe && q[1] == '-' && q[2] != ']') {
			hi = (unsigned char)q[2];
			q += 3;
		} else {
			q++;
		}
		if (c >= lo && c <= hi)
			matched = 1;
	}
	if (q >= pe)
		return -1;
	*end = q + 1;
	return matched != negate;
}

/* One match attempt of a pattern against the path window [s0, se). memo
 * remembers, for each (pattern position, path position), whether the rest
 * matched, so stars cost polynomial rather than exponential time; it is
 * NULL when it could not be allocated (matching still works, slower). */
typedef struct glob_ctx {
	const char *p0, *pe;
	const char *s0, *se;
	unsigned char *memo;   /* 0 unknown, 1 no, 2 yes */
	size_t width;
} glob_ctx;

static int glob_here(glob_ctx *g, const char *p, const char *s);

/* Matches pattern [p, pe) against the whole of [s, se). `*`, `?` and
 * classes never match '/'; `**` does. */
static int
glob_run(glob_ctx *g, const char *p, const char *s)
{
	const char *pe = g->pe, *se = g->se;

	while (p < pe) {
		if (*p == '*') {
			if (p + 1 < pe && p[1] == '*') {
				const char *q = p + 2;
				const char *t;

				while (q < pe && *q == '*')
					q++;
				if (q < pe && *q == '/') {
					/* `**` + '/' matches zero or more whole folders. */
					for (t = s;;) {
						if (glob_here(g, q + 1, t))
							return 1;
						while (t < se && *t != '/')
							t++;
						if (t >= se)
							return 0;
						t++;
					}
				}
				for (t = s; t <= se; t++)
					if (glob_here(g, q, t))
						return 1;
				return 0;
			} else {
				const char *t;

				for (t = s;; t++) {
					if (glob_here(g, p + 1, t))
						return 1;
					if (t >= se || *t == '/')
						return 0;
				}
			}
		}
		if (s >= se)
			return 0;
		if (*p == '?') {
			size_t k;

			if (*s == '/')
				return 0;
			/* One character, which may be several UTF-8 bytes. */
			k = utf8_seq((const unsigned char *)s, (size_t)(se - s));
			s += k ? k : 1;
			p++;
			continue;
		}
		if (*p == '[') {
			const char *end = NULL;
			int r;

			if (*s == '/')
				return 0;
			r = glob_class(p + 1, pe, (unsigned char)*s, &end);
			if (r >= 0) {
				if (r == 0)
					return 0;
				p = end;
				s++;
				continue;
			}
		}
		if (*p == '\\' && p + 1 < pe)
			p++;
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return s == se;
}

static int
glob_here(glob_ctx *g, const char *p, const char *s)
{
	size_t k = 0;
	int r;

	if (g->memo != NULL) {
		k = (size_t)(p - g->p0) * g->width + (size_t)(s - g->s0);
		if (g->memo[k] != 0)
			return g->memo[k] - 1;
	}
	r = glob_run(g, p, s);
	if (g->memo != NULL)
		g->memo[k] = (unsigned char)(r + 1);
	return r;
}

/* gitignore-like: a pattern without '/' (other than a trailing one) can
 * match starting at any segment; with a leading or inner '/' it is anchored
 * at the root. A match of a leading run of segments (a folder) covers
 * everything below it; a trailing '/' asks for a folder only. The memo
 * depends on where the window ends, so it is cleared per end position and
 * shared by all start positions. */
int
vl_glob_match(const char *pattern, const char *path)
{
	glob_ctx g;
	const char *p = pattern, *s, *se, *start, *end;
	size_t plen, slen, cells = 0;
	int anchored = 0, dir_only = 0, found = 0;

	if (pattern == NULL || path == NULL)
		return 0;
	if (*p == '/') {
		anchored = 1;
		while (*p == '/')
			p++;
	}
	plen = strlen(p);
	while (plen > 0 && p[plen - 1] == '/') {
		dir_only = 1;
		plen--;
	}
	if (plen == 0)
		return 0;
	if (memchr(p, '/', plen) != NULL)
		anchored = 1;
	s = path;
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	while (*s == '/')
		s++;
	slen = strlen(s);
	se = s + slen;
	g.p0 = p;
	g.pe = p + plen;
	g.s0 = s;
	g.width = slen + 1;
	g.memo = NULL;
	/* Only patterns with stars can backtrack; skip the memo otherwise. */
	if (memchr(p, '*', plen) != NULL && plen < (1u << 12) && slen < (1u << 16)) {
		cells = (plen + 1) * g.width;
		g.memo = malloc(cells);
	}
	for (end = s; end <= se && !found; end++) {
		if (end != se && *end != '/')
			continue;
		if (end == se && dir_only)
			break;
		g.se = end;
		if (g.memo != NULL)
			memset(g.memo, 0, cells);
		for (start = s; start < end || start == s;) {
			if (glob_here(&g, p, start)) {
				found = 1;
				break;
			}
			if (anchored)
				break;
			while (start < end && *start != '/')
				start++;
			if (start >= end)
				break;
			start++;
		}
	}
	free(g.memo);
	return found;
}

int vl_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int vl_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Four independent lanes, so that the multiplies overlap: caches are
 * checked at every open. Each step is a bijection of the running state. */
#define CK_M1 0xff51afd7ed558ccdull
#define CK_M2 0xc4ceb9fe1a85ec53ull

/* Mixes one 32-byte block into the four lanes. */
static void ck_block(uint64_t h[4], const unsigned char *p)
{
	uint64_t w;
	size_t k;

	for (k = 0; k < 4; k++) {
		memcpy(&w, p + 8 * k, 8);
		h[k] = (h[k] ^ w) * CK_M1;
		h[k] ^= h[k] >> 32;
	}
}

void vl_checksum_init(vl_checksum *c, uint64_t n)
{
	c->h[0] = 0x9E3779B97F4A7C15ull ^ n;
	c->h[1] = 0xC2B2AE3D27D4EB4Full;
	c->h[2] = 0x165667B19E3779F9ull;
	c->h[3] = 0x85EBCA77C2B2AE63ull;
	c->nbuf = 0;
}

void vl_checksum_update(vl_checksum *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (c->nbuf > 0) {
		size_t take = 32 - c->nbuf < n ? 32 - c->nbuf : n;

		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		n -= take;
		if (c->nbuf < 32)
			return;
		ck_block(c->h, c->buf);
		c->nbuf = 0;
	}
	for (; n >= 32; p += 32, n -= 32)
		ck_block(c->h, p);
	memcpy(c->buf, p, n);
	c->nbuf = n;
}

uint64_t vl_checksum_final(vl_checksum *c)
{
	uint64_t h = c->h[0], w;
	size_t i = 0, k;

	for (k = 1; k < 4; k++)
		h = (h ^ c->h[k]) * CK_M1;
	for (; i + 8 <= c->nbuf; i += 8) {
		memcpy(&w, c->buf + i, 8);
		h = (h ^ w) * CK_M1;
		h ^= h >> 32;
	}
	w = 0;
	if (c->nbuf > i)
		memcpy(&w, c->buf + i, c->nbuf - i);
	h = (h ^ w ^ ((uint64_t)(c->nbuf - i) << 56)) * CK_M2;
	h ^= h >> 29;
	return h;
}

/* The four lanes after a last block of the bytes left over (zeros after
 * them: the length, in the first lane's seed, tells the inputs apart),
 * folded two ways. Each block a bijection of a lane, two inputs of one
 * length that differ in one word end in lanes that differ. */
void vl_fingerprint(uint64_t out[2], const void *data, size_t n)
{
	vl_checksum c;
	unsigned char last[32] = { 0 };
	uint64_t a, b;
	size_t k;

	vl_checksum_init(&c, n);
	vl_checksum_update(&c, data, n);
	memcpy(last, c.buf, c.nbuf);
	ck_block(c.h, last);
	a = c.h[0];
	b = c.h[3];
	for (k = 1; k < 4; k++) {
		a = (a ^ c.h[k]) * CK_M2;
		a ^= a >> 29;
		b = (b ^ c.h[3 - k]) * CK_M1;
		b ^= b >> 31;
	}
	out[0] = a;
	out[1] = b;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
		(uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
		(uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint64_t rotl64(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static void sip_rounds(uint64_t v[4], int n)
{
	while (n-- > 0) {
		v[0] += v[1]; v[1] = rotl64(v[1], 13); v[1] ^= v[0]; v[0] = rotl64(v[0], 32);
		v[2] += v[3]; v[3] = rotl64(v[3], 16); v[3] ^= v[2];
		v[0] += v[3]; v[3] = rotl64(v[3], 21); v[3] ^= v[0];
		v[2] += v[1]; v[1] = rotl64(v[1], 17); v[1] ^= v[2]; v[2] = rotl64(v[2], 32);
	}
}

void vl_siphash128(uint64_t out[2], const unsigned char key[16], const void *data, size_t n)
{
	const unsigned char *p = data, *end = p + (n & ~(size_t)7);
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, b = (uint64_t)n << 56;
	uint64_t v[4];
	size_t left = n & 7;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL ^ 0xee;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (; p < end; p += 8) {
		m = le64(p);
		v[3] ^= m;
		sip_rounds(v, 2);
		v[0] ^= m;
	}
	while (left-- > 0)
		b |= (uint64_t)p[left] << (8 * left);
	v[3] ^= b;
	sip_rounds(v, 2);
	v[0] ^= b;
	v[2] ^= 0xee;
	sip_rounds(v, 4);
	out[0] = v[0] ^ v[1] ^ v[2] ^ v[3];
	v[1] ^= 0xdd;
	sip_rounds(v, 4);
	out[1] = v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t vl_checksum64(const void *data, size_t n)
{
	vl_checksum c;

	vl_checksum_init(&c, n);
	vl_checksum_update(&c, data, n);
	return vl_checksum_final(&c);
}

/* Writes all n bytes at p to fd: at its offset (off < 0), or at off.
 * Returns 0 or -1 (errno set). */
static int write_loop(int fd, const char *p, size_t n, int64_t off)
{
	while (n > 0) {
		ssize_t k = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		if (off >= 0)
			off += k;
	}
	return 0;
}

int vl_write_all(int fd, const char *p, size_t n)
{
	return write_loop(fd, p, n, -1);
}

/* Creates the missing folders above path (as `mkdir -p` of its folder).
 * Returns 0 or -1 (errno set). */
static int make_parents(char *path)
{
	char *s;

	for (s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* Appends the n bytes at offset off of file in to file out: inside the
 * kernel when it can, else through a small buffer. Returns 0 or -1 (errno
 * set). */
static int copy_range(int out, int in, uint64_t off, size_t n)
{
	char buf[65536];
	loff_t at = (loff_t)off;

	/* any failure or a zero return (some file systems, sandboxes that
	 * forbid the call) leaves the rest to the plain copy below */
	while (n > 0) {
		ssize_t k = copy_file_range(in, &at, out, NULL, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n -= (size_t)k;
	}
	while (n > 0) {
		ssize_t k = pread(in, buf, n < sizeof(buf) ? n : sizeof(buf), (off_t)at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		if (vl_write_all(out, buf, (size_t)k) < 0)
			return -1;
		at += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The size of the regular file open on fd, at most max: 0, or -1 with
 * errno set (EINVAL: not a regular file, or too big). */
static int regular_size(int fd, uint64_t max, size_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > max) {
		errno = EINVAL;
		return -1;
	}
	*size = (size_t)st.st_size;
	return 0;
}

int vl_read_fd(int fd, uint64_t max, unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL;
	size_t n = 0, size;
	int k_errno;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	if (regular_size(fd, max, &size) < 0)
		goto fail;
	buf = malloc(size + 1);
	if (buf == NULL)
		goto fail;
	while (n < size) {
		ssize_t k = read(fd, buf + n, size - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			goto fail;
		}
		n += (size_t)k;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
fail:
	k_errno = errno;
	free(buf);
	close(fd);
	errno = k_errno;
	return -1;
}

int vl_filemap_open(vl_filemap *m, int fd, uint64_t max)
{
	size_t size = 0;
	void *p = MAP_FAILED;

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return -1;
	/* an empty file, or one that cannot be mapped: read (which says
	 * why it cannot be either) */
	if (regular_size(fd, max, &size) == 0 && size > 0)
		p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return vl_read_fd(fd, max, &m->p, &m->len);
	close(fd);
	m->p = p;
	m->len = size;
	m->mapped = 1;
	return 0;
}

void vl_filemap_drop(const vl_filemap *m, const void *from, const void *to)
{
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096, a = (uintptr_t)from, b = (uintptr_t)to;

	if (!m->mapped)
		return;
	if (a < (uintptr_t)m->p)
		a = (uintptr_t)m->p;
	if (b > (uintptr_t)m->p + m->len)
		b = (uintptr_t)m->p + m->len;
	/* the mapping starts on a page; its last page, partly the file's,
	 * is let go of as a whole */
	a = (a + page - 1) / page * page;
	if (b == (uintptr_t)m->p + m->len)
		b = (b + page - 1) / page * page;
	else
		b = b / page * page;
	if (a < b)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

void vl_filemap_release(vl_filemap *m)
{
	if (m->mapped)
		munmap(m->p, m->len);
	else
		free(m->p);
	memset(m, 0, sizeof(*m));
}

void *vl_zeroed_pages(size_t n)
{
	void *p;

	if (n == 0)
		n = 1;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void vl_zeroed_free(void *p, size_t n)
{
	if (p != NULL)
		munmap(p, n == 0 ? 1 : n);
}

/* Whether piece b starts where piece a ends, in memory or in one file. */
static int follows(const vl_iovec *a, const vl_iovec *b)
{
	if (a->p != NULL)
		return b->p == (const char *)a->p + a->n;
	return b->p == NULL && b->fd == a->fd && b->off == a->off + a->n;
}

int vl_file_out_open(vl_file_out *o, const char *path, const char *what, vl_error *err)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = path;
	o->what = what;
	if (vl_buf_puts(&o->tmp, path) < 0 || vl_buf_puts(&o->tmp, ".tmp-XXXXXX") < 0) {
		vl_buf_release(&o->tmp);
		return vl_error_set(err, "out of memory");
	}
	if (make_parents(o->tmp.ptr) < 0) {
		vl_error_set(err, "cannot create the folder of '%s': %s", path, strerror(errno));
		vl_buf_release(&o->tmp);
		return -1;
	}
	o->fd = mkstemp(o->tmp.ptr);
	if (o->fd < 0) {
		vl_error_set(err, "cannot write %s '%s': %s", what, path, strerror(errno));
		vl_buf_release(&o->tmp);
		return -1;
	}
	return 0;
}

int vl_scratch_open(const char *near)
{
	vl_buf tmp = VL_BUF_INIT;
	int fd = -1;

	if (vl_buf_puts(&tmp, near) == 0 && vl_buf_puts(&tmp, ".scratch-XXXXXX") == 0 &&
	    make_parents(tmp.ptr) == 0) {
		fd = mkostemp(tmp.ptr, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmp.ptr);
	}
	vl_buf_release(&tmp);
	return fd;
}

int vl_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	if (off > INT64_MAX) {
		errno = EFBIG;
		return -1;
	}
	return write_loop(fd, p, n, (int64_t)off);
}

int vl_file_out_write(vl_file_out *o, const vl_iovec *parts, size_t n_parts, vl_error *err)
{
	size_t i, j;

	for (i = 0; i < n_parts; i = j) {
		size_t n = parts[i].n;

		/* pieces that follow on one another go in one call */
		for (j = i + 1; j < n_parts && follows(&parts[j - 1], &parts[j]); j++)
			n += parts[j].n;
		if ((parts[i].p == NULL ? copy_range(o->fd, parts[i].fd, parts[i].off, n) :
		    vl_write_all(o->fd, parts[i].p, n)) < 0)
			return vl_error_set(err, "cannot write %s '%s': %s", o->what, o->path,
				strerror(errno));
	}
	return 0;
}

void vl_file_out_abort(vl_file_out *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		unlink(o->tmp.ptr);
		o->fd = -1;
	}
	vl_buf_release(&o->tmp);
}

int vl_file_out_commit(vl_file_out *o, vl_error *err)
{
	int rc = close(o->fd);

	o->fd = -1;
	if (rc < 0 || rename(o->tmp.ptr, o->path) < 0) {
		vl_error_set(err, "cannot write %s '%s': %s", o->what, o->path, strerror(errno));
		unlink(o->tmp.ptr);
		rc = -1;
	}
	vl_buf_release(&o->tmp);
	return rc;
}

int vl_write_file_atomic(const char *path, const vl_iovec *parts, size_t n_parts,
	const char *what, vl_error *err)
{
	vl_file_out o;

	if (vl_file_out_open(&o, path, what, err) < 0)
		return -1;
	if (vl_file_out_write(&o, parts, n_parts, err) < 0) {
		vl_file_out_abort(&o);
		return -1;
	}
	return vl_file_out_commit(&o, err);
}

int vl_buf_put_u32(vl_buf *b, uint32_t v)
{
	return put_bytes(b, &v, 4);
}

int vl_buf_put_u64(vl_buf *b, uint64_t v)
{
	return put_bytes(b, &v, 8);
}

int vl_buf_put_lstr(vl_buf *b, const char *s)
{
	size_t n;

	if (s == NULL)
		return vl_buf_put_u32(b, VL_NULL_STR);
	n = strlen(s);
	if (n >= VL_NULL_STR || put_bytes(b, &(uint32_t){ (uint32_t)n }, 4) < 0)
		return -1;
	return put_bytes(b, s, n);
}

/* ---- a pool of threads ---- */

static atomic_int thread_cap;

void vl_set_thread_cap(int n)
{
	atomic_store(&thread_cap, n > 0 ? n : 0);
}

int vl_thread_budget(void)
{
	int cap = atomic_load(&thread_cap);
	long n;

	if (cap > 0)
		return cap > VL_POOL_MAX ? VL_POOL_MAX : cap;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > VL_POOL_MAX ? VL_POOL_MAX : (int)n;
}

typedef struct pool {
	atomic_size_t next;
	size_t n;
	vl_work_fn fn;
	void *payload;
	atomic_int failed;
} pool;

typedef struct worker {
	pool *p;
	int slot;
} worker;

static void *worker_main(void *arg)
{
	worker *w = arg;
	pool *p = w->p;

	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n || atomic_load(&p->failed))
			break;
		if (p->fn(i, w->slot, p->payload) < 0)
			atomic_store(&p->failed, 1);
	}
	return NULL;
}

int vl_run_pool(size_t n, int threads, vl_work_fn fn, void *payload)
{
	pthread_t tid[VL_POOL_MAX];
	worker w[VL_POOL_MAX];
	pool p;
	int t, started = 0;

	atomic_init(&p.next, 0);
	atomic_init(&p.failed, 0);
	p.n = n;
	p.fn = fn;
	p.payload = payload;
	if (threads > VL_POOL_MAX)
		threads = VL_POOL_MAX;
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > n)
		threads = n ? (int)n : 1;
	for (t = 0; t < threads; t++) {
		w[t].p = &p;
		w[t].slot = t;
	}
	/* the calling thread is worker 0 */
	for (t = 1; t < threads; t++) {
		if (pthread_create(&tid[t], NULL, worker_main, &w[t]) != 0)
			break;
		started = t;
	}
	worker_main(&w[0]);
	for (t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	return atomic_load(&p.failed) ? -1 : 0;
}

typedef struct runs {
	size_t n, run;
	vl_work_fn fn;
	void *payload;
} runs;

static int one_run(size_t k, int slot, void *payload)
{
	runs *r = payload;
	size_t i;

	for (i = k * r->run; i < r->n && i < (k + 1) * r->run; i++)
		if (r->fn(i, slot, r->payload) < 0)
			return -1;
	return 0;
}

int vl_run_pool_runs(size_t n, int threads, vl_work_fn fn, void *payload)
{
	runs r;

	r.n = n;
	r.fn = fn;
	r.payload = payload;
	/* runs of up to 64, at least 16 per thread */
	r.run = n / ((size_t)(threads < 1 ? 1 : threads) * 16);
	if (r.run < 1)
		r.run = 1;
	if (r.run > 64)
		r.run = 64;
	return vl_run_pool((n + r.run - 1) / r.run, threads, one_run, &r);
}
