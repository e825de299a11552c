/*
 * gen.c: the benchmark's vault generator. Writes, on stdout, a
 * `git fast-import` stream that builds a synthetic research garden of N
 * notes and its history: one commit adding every note and attachment, then
 * COMMITS commits that each touch a few notes (an entry added, a title
 * changed, a note renamed or deleted). `git reset --hard` then gives the
 * work tree. Everything is derived from fixed seeds, so the same N always
 * gives byte-identical output.
 *
 * usage: gen N [COMMITS] | git fast-import --quiet
 *
 * Shape of a note: front matter (tags, aliases), headings, `#PAPER` list
 * entries with a Markdown link and a ^block id, `#CODE` sub-bullets,
 * wikilinks to other notes' headings and block ids, a few percent broken or
 * duplicated links, an occasional duplicated ^id, embeds of attachments,
 * quotes and prose. Folders nest two levels deep.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
	char *p;
	size_t len, cap;
} buf;

/* Per-note state that the history changes. */
typedef struct note_state {
	uint16_t extra;    /* entries added by later commits */
	uint16_t retitle;  /* how many times a title was changed */
	uint8_t renamed;
	uint8_t deleted;
} note_state;

static long n_notes;
static note_state *st;

static void die(const char *msg)
{
	fprintf(stderr, "gen: %s\n", msg);
	exit(2);
}

static void bput(buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 4096;
		while (c < b->len + n + 1)
			c *= 2;
		b->p = realloc(b->p, c);
		if (!b->p)
			die("out of memory");
		b->cap = c;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void bprintf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		die("format");
	bput(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* splitmix64: a small deterministic generator, seeded per note/commit. */
static uint64_t rnd_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rnd(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd_next(s) % n);
}

static const char *const words[] = {
	"graph", "neural", "sparse", "attention", "retrieval", "causal", "kernel",
	"bayesian", "robust", "federated", "contrastive", "diffusion", "latent",
	"transformer", "spectral", "adaptive", "scalable", "efficient", "learning",
	"inference", "networks", "models", "embedding", "optimal", "transport",
	"reinforcement", "policy", "memory", "vision", "language", "protein",
	"quantum", "stochastic", "gradient", "descent", "variational", "metric",
};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

static const char *const authors[] = {
	"Smith", "Nguyen", "Garcia", "Müller", "Okafor", "Tanaka", "Rossi",
	"Kowalski", "Dubois", "Ivanova", "Chen", "Haddad", "Silva", "Novak",
};
#define N_AUTHORS (sizeof(authors) / sizeof(authors[0]))

/* Folder of note i: two levels, e.g. "Area03/Topic07". */
static void note_dir(buf *b, long i)
{
	bprintf(b, "Area%02ld/Topic%02ld", i % 16, (i / 16) % 12);
}

static void note_name(buf *b, long i)
{
	bprintf(b, st[i].renamed ? "Note %05ld renamed" : "Note %05ld", i);
}

static void note_path(buf *b, long i)
{
	note_dir(b, i);
	bput(b, "/", 1);
	note_name(b, i);
	bput(b, ".md", 3);
}

static unsigned base_entries(long i)
{
	return 3 + (unsigned)(i * 7 % 6);   /* 3..8 */
}

static void title(buf *b, uint64_t *r, unsigned nw)
{
	unsigned k;

	for (k = 0; k < nw; k++) {
		const char *w = words[rnd(r, N_WORDS)];
		if (k == 0) {
			char c = (char)(w[0] - 'a' + 'A');
			bput(b, &c, 1);
			bput(b, w + 1, strlen(w) - 1);
		} else {
			bput(b, " ", 1);
			bput(b, w, strlen(w));
		}
	}
}

/* A wikilink from some note to another one: bare name, path, heading,
 * block ref; a few percent broken. */
static void wikilink(buf *b, uint64_t *r, long self)
{
	long j = (long)rnd(r, (unsigned)n_notes);
	unsigned kind = rnd(r, 100);

	if (j == self)
		j = (j + 1) % n_notes;
	bput(b, "[[", 2);
	if (kind < 2) {                       /* broken: no such note */
		bprintf(b, "Missing %05ld", j);
	} else if (kind < 30) {               /* path form */
		note_dir(b, j);
		bput(b, "/", 1);
		note_name(b, j);
	} else {
		note_name(b, j);
	}
	if (kind >= 2 && kind < 4)            /* broken heading */
		bput(b, "#No Such Heading", 16);
	else if (kind >= 40 && kind < 50)
		bput(b, "#Methods", 8);
	else if (kind >= 50 && kind < 60)
		bput(b, "#Papers", 7);
	else if (kind >= 60 && kind < 75)     /* block ref */
		bprintf(b, "#^p%ldx%u", j, rnd(r, base_entries(j)));
	else if (kind == 75)                  /* broken block ref */
		bput(b, "#^nosuchblock", 13);
	if (kind >= 90)
		bput(b, "|see also", 9);
	bput(b, "]]", 2);
}

/* One #PAPER entry with its sub-bullets. */
static void entry(buf *b, long i, unsigned k, unsigned retitle, int dup_id)
{
	uint64_t r = (uint64_t)i * 1000003u + k * 7919u + 17;
	unsigned s;

	bput(b, "- #PAPER [", 10);
	title(b, &r, 3 + rnd(&r, 5));
	if (retitle)
		bprintf(b, " v%u", retitle + 1);
	bprintf(b, " (%s %u)](https://example.org/p/%ld%02u) ^p%ldx%u\n",
		authors[rnd(&r, N_AUTHORS)], 2015 + rnd(&r, 9), i, k, i,
		dup_id ? 0 : k);
	for (s = rnd(&r, 3) + 1; s > 0; s--) {
		switch (rnd(&r, 3)) {
		case 0:
			bprintf(b, "  - #CODE [code](https://github.com/example/r%ld-%u-%u)\n", i, k, s);
			break;
		case 1:
			bput(b, "  - related: ", 13);
			wikilink(b, &r, i);
			bput(b, "\n", 1);
			break;
		default:
			bput(b, "  - ", 4);
			title(b, &r, 6 + rnd(&r, 8));
			bput(b, ".\n", 2);
		}
	}
}

/* The whole note i in its current state into b. */
static void note_text(buf *b, long i)
{
	uint64_t r = (uint64_t)i * 2654435761u + 99;
	unsigned k, n = base_entries(i), p;
	int dup_id = rnd(&r, 200) == 0;   /* 0.5% of notes repeat an ^id */

	bprintf(b, "---\ntags: [GARDEN, AREA%02ld]\naliases: [\"N%ld\"]\n"
		"status: %s\n---\n", i % 16, i,
		(i % 3) ? "draft" : "reviewed");
	bput(b, "# ", 2);
	note_name(b, i);
	bput(b, "\n\n", 2);
	title(b, &r, 10 + rnd(&r, 15));
	bput(b, " Links to ", 10);
	wikilink(b, &r, i);
	bput(b, " and #TOPIC/T", 13);
	bprintf(b, "%02ld.\n\n## Papers\n\n", (i / 16) % 12);
	for (k = 0; k < n; k++)
		entry(b, i, k, k == 0 ? st[i].retitle : 0, dup_id && k == n - 1);
	for (k = 0; k < st[i].extra; k++)
		entry(b, i, 100 + k, 0, 0);
	bput(b, "\n## Methods\n\n", 13);
	for (p = 0; p < 2 + rnd(&r, 3); p++) {
		title(b, &r, 12 + rnd(&r, 20));
		uint64_t again = r;
		bput(b, ". See ", 6);
		wikilink(b, &r, i);
		if (rnd(&r, 50) == 0) {           /* duplicated link */
			bput(b, " and again ", 11);
			wikilink(b, &again, i);
		}
		bput(b, ".\n\n", 3);
	}
	bput(b, "> ", 2);
	title(b, &r, 15);
	bprintf(b, " ^q%ld\n\n### Results %ld\n\n", i, i);
	if (i % 100 == 0)
		bprintf(b, "![[img%04ld.png]]\n\n", i / 100);
	bput(b, "## Links\n\n", 10);
	for (p = 0; p < 2 + rnd(&r, 4); p++) {
		bput(b, "- ", 2);
		wikilink(b, &r, i);
		bput(b, "\n", 1);
	}
}

static void quoted_path(buf *b, long i)
{
	bput(b, "\"", 1);
	note_path(b, i);
	bput(b, "\"", 1);
}

static void emit_note(buf *out, long i)
{
	buf t = { 0 };

	note_text(&t, i);
	bput(out, "M 100644 inline ", 16);
	quoted_path(out, i);
	bprintf(out, "\ndata %zu\n", t.len);
	bput(out, t.p, t.len);
	bput(out, "\n", 1);
	free(t.p);
}

static void flush(buf *out)
{
	if (out->len && fwrite(out->p, 1, out->len, stdout) != out->len)
		die("write error");
	out->len = 0;
}

static void commit_header(buf *out, long c, const char *msg)
{
	long when = 1609459200L + c * 3600L;

	bprintf(out, "commit refs/heads/main\nmark :%ld\n"
		"author Bench <bench@example.org> %ld +0000\n"
		"committer Bench <bench@example.org> %ld +0000\n"
		"data %zu\n%s\n", c + 1, when, when, strlen(msg), msg);
	if (c > 0)
		bprintf(out, "from :%ld\n", c);
}

int main(int argc, char **argv)
{
	buf out = { 0 };
	long commits = 120, c, i;
	uint64_t r = 42;

	if (argc < 2 || argc > 3)
		die("usage: gen N [COMMITS] | git fast-import");
	n_notes = atol(argv[1]);
	if (argc == 3)
		commits = atol(argv[2]);
	if (n_notes < 10 || n_notes > 10000000 || commits < 0)
		die("N must be at least 10, COMMITS at least 0");
	st = calloc((size_t)n_notes, sizeof(*st));
	if (!st)
		die("out of memory");

	commit_header(&out, 0, "garden: initial import");
	bput(&out, "M 100644 inline .vaultlint.yaml\n", 32);
	{
		const char *cfg = "tags:\n  case: upper\n";
		bprintf(&out, "data %zu\n%s\n", strlen(cfg), cfg);
	}
	for (i = 0; i < n_notes; i++) {
		emit_note(&out, i);
		if (out.len > (1u << 20))
			flush(&out);
	}
	for (i = 0; i * 100 < n_notes; i++) {   /* attachments */
		unsigned char img[256];
		uint64_t s = (uint64_t)i;
		size_t k;
		for (k = 0; k < sizeof(img); k++)
			img[k] = (unsigned char)rnd_next(&s);
		memcpy(img, "\x89PNG\r\n\x1a\n", 8);
		bprintf(&out, "M 100644 inline attachments/img%04ld.png\ndata %zu\n",
			i, sizeof(img));
		bput(&out, (const char *)img, sizeof(img));
		bput(&out, "\n", 1);
	}
	flush(&out);

	for (c = 1; c <= commits; c++) {
		unsigned touched = 2 + rnd(&r, 4), t;
		char msg[64];
		snprintf(msg, sizeof(msg), "garden: edit %ld", c);
		commit_header(&out, c, msg);
		for (t = 0; t < touched; t++) {
			unsigned what = rnd(&r, 100);
			i = (long)rnd(&r, (unsigned)n_notes);
			if (st[i].deleted)
				continue;
			if (what < 4) {                    /* delete */
				bput(&out, "D ", 2);
				quoted_path(&out, i);
				bput(&out, "\n", 1);
				st[i].deleted = 1;
				continue;
			}
			if (what < 8 && !st[i].renamed) {  /* rename, then write */
				bput(&out, "D ", 2);
				quoted_path(&out, i);
				bput(&out, "\n", 1);
				st[i].renamed = 1;
			} else if (what < 70) {
				st[i].extra++;
			} else {
				st[i].retitle++;
			}
			emit_note(&out, i);
		}
		flush(&out);
	}
	free(out.p);
	free(st);
	return 0;
}
