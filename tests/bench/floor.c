/*
 * floor.c: the parse that a check with nothing stored cannot do without.
 * Reads every note (*.md; hidden files and folders left out, as the
 * vault's walk leaves them) under a folder and hands it to the libraries
 * the project must use, with vaultlint's settings: the front matter to
 * libyaml (a document loaded, as frontmatter.c does) and the rest to md4c
 * (VL_MD_FLAGS, callbacks that do nothing), on one thread per core.
 * Nothing is extracted, resolved, checked or kept.
 *
 * `make bench` times it beside `vaultlint check` with nothing stored, so
 * that the table shows how much of the cold check's time is these two
 * libraries' own work on this machine, in the same run.
 *
 * usage: floor [-j THREADS] FOLDER   (prints "NOTES BYTES" on stdout)
 */
#include <dirent.h>
#include <fcntl.h>
#include <md4c.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "../../src/note.h"

#define MAX_THREADS 64

typedef struct floor_ctx {
	char **paths;
	size_t n, cap;
	atomic_size_t next;
	atomic_size_t bytes;
	atomic_int failed;
} floor_ctx;

static int ends_md(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && strcmp(name + n - 3, ".md") == 0;
}

/* Collects the notes under dir (the walk's work, done once up front). */
static int collect(floor_ctx *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *p;

		/* hidden files and folders are no part of a vault (.git...) */
		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			rc = -1;
		else if (e->d_type == DT_DIR) {
			rc = collect(c, p);
			free(p);
		} else if (e->d_type == DT_REG && ends_md(e->d_name)) {
			if (c->n == c->cap) {
				size_t cap = c->cap ? c->cap * 2 : 1024;
				char **v = realloc(c->paths, cap * sizeof(*v));

				if (!v) {
					free(p);
					rc = -1;
					break;
				}
				c->paths = v;
				c->cap = cap;
			}
			c->paths[c->n++] = p;
		} else
			free(p);
	}
	closedir(d);
	return rc;
}

static int on_block(MD_BLOCKTYPE type, void *detail, void *payload)
{
	(void)type;
	(void)detail;
	(void)payload;
	return 0;
}

static int on_span(MD_SPANTYPE type, void *detail, void *payload)
{
	(void)type;
	(void)detail;
	(void)payload;
	return 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *payload)
{
	(void)type;
	(void)s;
	(void)n;
	(void)payload;
	return 0;
}

/* The length of the front matter block at the start of s (0: none), and
 * in *yaml that of the YAML between its two lines of '---'. */
static size_t frontmatter_len(const char *s, size_t n, size_t *yaml)
{
	const char *end;

	*yaml = 0;
	if (n < 4 || memcmp(s, "---\n", 4) != 0)
		return 0;
	end = memmem(s + 3, n - 3, "\n---", 4);
	if (!end)
		return 0;
	*yaml = (size_t)(end - s) + 1 - 4;
	return (size_t)(end - s) + 4;
}

static void parse_note(const char *s, size_t n)
{
	MD_PARSER parser;
	size_t yaml, fm = frontmatter_len(s, n, &yaml);

	if (yaml > 0) {
		yaml_parser_t yp;
		yaml_document_t doc;

		if (yaml_parser_initialize(&yp)) {
			yaml_parser_set_input_string(&yp, (const unsigned char *)s + 4, yaml);
			if (yaml_parser_load(&yp, &doc))
				yaml_document_delete(&doc);
			yaml_parser_delete(&yp);
		}
	}
	memset(&parser, 0, sizeof(parser));
	parser.flags = VL_MD_FLAGS;
	parser.enter_block = on_block;
	parser.leave_block = on_block;
	parser.enter_span = on_span;
	parser.leave_span = on_span;
	parser.text = on_text;
	md_parse(s + fm, (MD_SIZE)(n - fm), &parser, NULL);
}

static void *worker(void *arg)
{
	floor_ctx *c = arg;
	char *buf = NULL;
	size_t cap = 0, i;

	while ((i = atomic_fetch_add(&c->next, 1)) < c->n) {
		struct stat st;
		ssize_t got;
		int fd = open(c->paths[i], O_RDONLY | O_NONBLOCK);

		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		if ((size_t)st.st_size + 1 > cap) {
			char *b = realloc(buf, (size_t)st.st_size + 1);

			if (!b) {
				close(fd);
				atomic_store(&c->failed, 1);
				break;
			}
			buf = b;
			cap = (size_t)st.st_size + 1;
		}
		got = read(fd, buf, (size_t)st.st_size);
		close(fd);
		if (got > 0) {
			parse_note(buf, (size_t)got);
			atomic_fetch_add(&c->bytes, (size_t)got);
		}
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[MAX_THREADS];
	floor_ctx c;
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	int i, started = 0, rc = 0;
	size_t k;

	if (argc == 4 && strcmp(argv[1], "-j") == 0) {
		threads = strtol(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || threads < 1) {
		fprintf(stderr, "usage: floor [-j THREADS] FOLDER\n");
		return 2;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	memset(&c, 0, sizeof(c));
	if (collect(&c, argv[1]) < 0) {
		fprintf(stderr, "floor: out of memory\n");
		return 1;
	}
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker, &c) == 0)
			started++;
	if (started == 0)
		worker(&c);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (atomic_load(&c.failed)) {
		fprintf(stderr, "floor: out of memory\n");
		rc = 1;
	}
	printf("%zu %zu\n", c.n, atomic_load(&c.bytes));
	for (k = 0; k < c.n; k++)
		free(c.paths[k]);
	free(c.paths);
	return rc;
}
