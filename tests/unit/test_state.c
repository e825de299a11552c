/*
 * test_state.c: unit tests for src/state.c, the check state. An intact
 * state serves and gives the report of a run over every note. A state is
 * a memo entry whose checksum a test can make valid again
 * (vl_memo_put_text), so every mutation of its payload (truncated, a byte
 * flipped, a count rewritten) reaches the reader and the planner: none
 * may fail the run or read out of bounds (make asan runs this too), and
 * one whose note count no longer matches the listing does not serve.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../rules/rule.h"
#include "../../src/lint.h"
#include "../../src/memo.h"
#include "../../src/state.h"

static const char *const g_notes[][2] = {
	{ "A.md", "---\naliases: [Alpha]\ntags: [PAPER]\n---\n# A\n## Part\n"
		"Text ^a1 #Paper\nSee [[B#^b1]] [[B#Nope]] [[Gone]] [[Alpha]] [[C#^b1]]\n" },
	{ "B.md", "# B\nBody ^b1 #paper #paper\n[[A#Part]] [[C#^zz]] [[A#^c1]]\n" },
	{ "sub/C.md", "# C\n- #PAPER item ^c1\n- again ^c1\n[[A]] [[A]] [[B#Part]]\n" },
	{ "sub/D.md", "# D\nplain\n" },
	{ "sub/E.md", "# E\nplain\n" },
};
#define N_NOTES (sizeof(g_notes) / sizeof(*g_notes))

static char g_dir[] = "/tmp/vl-test-state-XXXXXX";
static char g_vault[300], g_git[300];

static vl_cache *no_cache(void *payload)
{
	(void)payload;
	return NULL;
}

/* The keys of a run over the vault as it is now. */
static void keys(vl_memo_key *key, vl_memo_key *skey, vl_source **src)
{
	vl_source_opts so;
	vl_error err;

	memset(&so, 0, sizeof(so));
	assert_int_equal(vl_memo_key_init(key, g_git, "check", NULL, 0, &err), 0);
	assert_int_equal(vl_state_key_init(skey, g_git, "check state", NULL, 0, g_vault, &err), 0);
	assert_int_equal(vl_source_open_dir(src, g_vault, &so, &err), 0);
	assert_int_equal(vl_memo_key_add_source(key, *src, &err), 0);
}

/* Checks every note (the report in d) and saves the state. */
static void full_run(vl_diags *d)
{
	vl_memo_key key, skey;
	vl_source *src;
	vl_vault *vault;
	vl_reach reach[N_NOTES];
	vl_lint_opts lo;
	vl_error err;
	size_t i;

	keys(&key, &skey, &src);
	memset(reach, 0, sizeof(reach));
	memset(&lo, 0, sizeof(lo));
	lo.threads = 1;
	lo.reach = reach;
	assert_int_equal(vl_vault_load(&vault, src, 1, NULL, &err), 0);
	assert_int_equal(vault->n_notes, N_NOTES);
	assert_int_equal(vl_lint_run(d, vault, &lo, &err), 0);
	assert_int_equal(vl_state_save(&skey, &key, vault, reach, d, &err), 0);
	for (i = 0; i < N_NOTES; i++) {
		free(reach[i].notes);
		free(reach[i].refs);
		free(reach[i].names);
		free(reach[i].missing);
	}
	vl_vault_free(vault);
	vl_source_free(src);
	vl_memo_key_release(&key);
	vl_memo_key_release(&skey);
}

/* A run from the state: 1 (report in d), 0 (it does not serve), -1. */
/* A run from the state stored now; between, when set, is called with
 * its key once the state is loaded. */
static int state_run_between(vl_diags *d, void (*between)(vl_memo_key *skey))
{
	vl_memo_key key, skey;
	vl_source *src;
	vl_state *st = NULL;
	vl_state_result res;
	vl_lint_opts lo;
	vl_error err;
	int r;

	keys(&key, &skey, &src);
	memset(&lo, 0, sizeof(lo));
	lo.threads = 1;
	r = vl_state_load(&st, &skey, &err);
	if (r == 1 && between)
		between(&skey);
	if (r == 1)
		r = vl_state_check(d, &res, st, src, &key, &skey, &lo, no_cache, NULL, &err);
	vl_state_free(st);
	vl_source_free(src);
	vl_memo_key_release(&key);
	vl_memo_key_release(&skey);
	return r;
}

static int state_run(vl_diags *d)
{
	return state_run_between(d, NULL);
}

static void same_report(const vl_diags *a, const vl_diags *b)
{
	size_t i;

	assert_int_equal(a->len, b->len);
	for (i = 0; i < a->len; i++)
		assert_int_equal(vl_diag_cmp(&a->items[i], &b->items[i]), 0);
}

/* The payload of the state stored now, copied. */
static unsigned char *payload(size_t *n)
{
	vl_memo_key key, skey;
	vl_source *src;
	const unsigned char *p;
	unsigned char *copy;
	vl_filemap fm;
	vl_error err;

	keys(&key, &skey, &src);
	assert_int_equal(vl_memo_get_raw(&skey, &fm, &p, n, &err), 1);
	copy = malloc(*n + 1);
	assert_non_null(copy);
	memcpy(copy, p, *n);
	vl_filemap_release(&fm);
	vl_source_free(src);
	vl_memo_key_release(&key);
	vl_memo_key_release(&skey);
	return copy;
}

static void put_payload(const unsigned char *p, size_t n)
{
	vl_memo_key key, skey;
	vl_source *src;
	vl_error err;

	keys(&key, &skey, &src);
	assert_int_equal(vl_memo_put_text(&skey, (const char *)p, n, &err), 0);
	vl_source_free(src);
	vl_memo_key_release(&key);
	vl_memo_key_release(&skey);
}

static void write_file(const char *rel, const char *text)
{
	char path[400], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g_vault, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* One vault for the whole group, old enough (three seconds) that no file
 * is racy: the state then serves with unchanged notes as stubs. */
static int group_setup(void **state)
{
	size_t i;

	(void)state;
	if (mkdtemp(g_dir) == NULL)
		return -1;
	snprintf(g_vault, sizeof(g_vault), "%s/vault", g_dir);
	snprintf(g_git, sizeof(g_git), "%s/git", g_dir);
	if (mkdir(g_vault, 0755) < 0 || mkdir(g_git, 0755) < 0)
		return -1;
	for (i = 0; i < N_NOTES; i++)
		write_file(g_notes[i][0], g_notes[i][1]);
	sleep(3);
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_intact(void **state)
{
	vl_diags full = VL_DIAGS_INIT, inc = VL_DIAGS_INIT;

	(void)state;
	full_run(&full);
	assert_true(full.len > 5);
	assert_int_equal(state_run(&inc), 1);
	same_report(&full, &inc);
	vl_diags_release(&full);
	vl_diags_release(&inc);
}

/* The payload mutated at byte i in three ways, each stored with a valid
 * checksum and run from: never an error (-1), never out of bounds. */
static void test_mutations(void **state)
{
	vl_diags full = VL_DIAGS_INIT;
	unsigned char *orig, *p;
	size_t n, i, v;
	static const uint32_t values[] = { 0, 1, 2, 3, 0xFFFFFFFFu };

	(void)state;
	full_run(&full);
	orig = payload(&n);
	p = malloc(n + 1);
	assert_non_null(p);
	for (i = 0; i < n; i++) {
		vl_diags d = VL_DIAGS_INIT;

		/* cut short */
		put_payload(orig, i);
		assert_int_not_equal(state_run(&d), -1);
		vl_diags_release(&d);
		/* one byte flipped */
		memcpy(p, orig, n);
		p[i] ^= 0xA5;
		put_payload(p, n);
		assert_int_not_equal(state_run(&d), -1);
		vl_diags_release(&d);
		/* a count rewritten (every few bytes: the fields are not aligned) */
		for (v = 0; i % 3 == 0 && i + 4 <= n && v < sizeof(values) / sizeof(*values); v++) {
			memcpy(p, orig, n);
			memcpy(p + i, &values[v], 4);
			put_payload(p, n);
			assert_int_not_equal(state_run(&d), -1);
			vl_diags_release(&d);
		}
	}
	free(p);
	free(orig);
	vl_diags_release(&full);
}

/* The state is mapped: its entry changed in place under a loaded state
 * (never by vaultlint, which writes a new one and renames it) gives some
 * report or none, never a read out of bounds (the sanitizer build runs
 * this); with a note added too, so that the run brings the state to the
 * new listing and weighs its targets that reach nothing. */
static unsigned char g_fill;
static int g_rewritten;

/* Rewrites every byte of the entry of skey after its header with g_fill. */
static void rewrite_in_place(vl_memo_key *skey)
{
	vl_buf path = VL_BUF_INIT;
	struct stat sb;
	unsigned char *junk;
	int fd;

	assert_int_equal(vl_memo_key_path(skey, &path), 0);
	fd = open(path.ptr, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_true(sb.st_size > 64);
	junk = malloc((size_t)sb.st_size);
	assert_non_null(junk);
	memset(junk, g_fill, (size_t)sb.st_size);
	assert_int_equal(pwrite(fd, junk, (size_t)sb.st_size - 64, 64), sb.st_size - 64);
	close(fd);
	free(junk);
	vl_buf_release(&path);
	g_rewritten = 1;
}

static void test_changed_in_place(void **state)
{
	static const unsigned char fills[] = { 0xFF, 0x00, 0x7F };
	char added_path[400];
	size_t f, added;

	(void)state;
	snprintf(added_path, sizeof(added_path), "%s/sub/F.md", g_vault);
	for (added = 0; added < 2; added++)
		for (f = 0; f < sizeof(fills); f++) {
			vl_diags full = VL_DIAGS_INIT, d = VL_DIAGS_INIT;

			full_run(&full);
			if (added)
				write_file("sub/F.md", "# F\n[[A]] [[Nowhere]] [[B#^b1]]\n");
			g_fill = fills[f];
			g_rewritten = 0;
			assert_true(state_run_between(&d, rewrite_in_place) >= 0);
			assert_true(g_rewritten);
			vl_diags_release(&d);
			vl_diags_release(&full);
			unlink(added_path);
		}
}

/* Where the note count is in the payload p: after the format, the file
 * count, the listing's two hashes and a path hash and name word per file
 * (12 bytes each). */
static size_t count_at(const unsigned char *p)
{
	uint32_t n_files;

	memcpy(&n_files, p + 4, 4);
	return 4 + 4 + 16 + 12 * (size_t)n_files;
}

/* Where the record of note k ends in the payload p: records start after
 * the note count; each is two identity hashes, two of its bytes'
 * fingerprint, the summary's offset,
 * length and checksum, then the reach (a count and u32s), refs (a count
 * and u64s), names (a count, its top bit a flag, and u32s) and the
 * targets that reach nothing (a length and the bytes). */
static size_t record_end(const unsigned char *p, uint32_t k)
{
	size_t at = count_at(p) + 4;
	uint32_t i, count;

	for (i = 0; i <= k; i++) {
		at += 16 + 16 + 8 + 4 + 8;
		memcpy(&count, p + at, 4);
		at += 4 + 4 * (size_t)count;
		memcpy(&count, p + at, 4);
		at += 4 + 8 * (size_t)count;
		memcpy(&count, p + at, 4);
		at += 4 + 4 * (size_t)(count & 0x7FFFFFFFu);
		memcpy(&count, p + at, 4);
		at += 4 + (size_t)count;
	}
	return at;
}

/* A state whose listing matches the vault but that holds fewer notes (the
 * last records cut out, the note count lowered) does not serve: the run
 * must not index notes past those the state holds. The last two notes
 * are linked from none and have no ids, so such a state still loads. */
static void test_fewer_notes(void **state)
{
	vl_diags full = VL_DIAGS_INIT, d = VL_DIAGS_INIT;
	unsigned char *p, *q;
	uint32_t fewer;
	size_t n, head, tail;

	(void)state;
	full_run(&full);
	p = payload(&n);
	q = malloc(n);
	assert_non_null(q);
	tail = record_end(p, N_NOTES - 1);
	for (fewer = 1; fewer < N_NOTES; fewer++) {
		head = record_end(p, fewer - 1);
		memcpy(q, p, head);
		memcpy(q + count_at(p), &fewer, 4);
		memcpy(q + head, p + tail, n - tail);
		put_payload(q, head + n - tail);
		assert_int_equal(state_run(&d), 0);
		vl_diags_release(&d);
	}
	free(q);
	free(p);
	vl_diags_release(&full);
}

/* What a note's links reach, as the paths of the notes, one per line. */
typedef char reached[N_NOTES][256];

/* Checks every note of a vault loaded from the cache at path, eagerly or
 * lazily (vl_vault_load_lazy); the report in d, the reach of each note in
 * reach (the caller frees it; its notes are gone) and in paths, the
 * cache's figures in cs, and the state saved. A lazy vault holds every
 * note for the index only, but the note at path `whole` (a cache miss). */
static void cached_run(const char *path, int lazy, vl_diags *d,
	vl_reach *reach, reached paths, vl_cache_stats *cs)
{
	vl_memo_key key, skey;
	vl_source *src;
	vl_vault *vault;
	vl_cache *c;
	vl_lint_opts lo;
	vl_error err;
	size_t i;

	keys(&key, &skey, &src);
	assert_int_equal(vl_cache_open(&c, path, &err), 0);
	memset(reach, 0, N_NOTES * sizeof(*reach));
	memset(&lo, 0, sizeof(lo));
	lo.threads = 2;
	lo.reach = reach;
	if (lazy)
		assert_int_equal(vl_vault_load_lazy(&vault, src, 2, c, &err), 0);
	else
		assert_int_equal(vl_vault_load(&vault, src, 2, c, &err), 0);
	assert_int_equal(vault->n_notes, N_NOTES);
	/* lazily, the vault holds summaries only: of the notes found in
	 * the cache, and of those parsed and put in it (read back whole from
	 * it for the check) */
	for (i = 0; i < N_NOTES; i++)
		assert_int_equal(vault->notes[i]->summary, lazy);
	assert_int_equal(vl_lint_run(d, vault, &lo, &err), 0);
	vl_cache_get_stats(c, cs);
	for (i = 0; i < N_NOTES; i++) {
		size_t j;

		paths[i][0] = '\0';
		for (j = 0; j < reach[i].n; j++) {
			strcat(paths[i], reach[i].notes[j]->path);
			strcat(paths[i], "\n");
		}
	}
	assert_int_equal(vl_state_save(&skey, &key, vault, reach, d, &err), 0);
	assert_int_equal(vl_cache_save(c, &err), 0);
	vl_vault_free(vault);
	vl_cache_free(c);
	vl_source_free(src);
	vl_memo_key_release(&key);
	vl_memo_key_release(&skey);
}

/* A lazy vault checks each note read whole from the cache: the report,
 * the reach and the block refs are those of a vault held whole, and the
 * state saved from it serves the next run with the same report. */
static void test_lazy_vault(void **state)
{
	vl_diags full = VL_DIAGS_INIT, eager = VL_DIAGS_INIT, lazy = VL_DIAGS_INIT;
	vl_diags inc = VL_DIAGS_INIT;
	vl_reach re[N_NOTES], rl[N_NOTES];
	reached pe, pl;
	vl_cache_stats cs;
	char path[400];
	size_t i, j, refs = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/lazy-cache", g_dir);
	full_run(&full);
	cached_run(path, 0, &eager, re, pe, &cs);    /* fills the cache */
	assert_int_equal(cs.misses, N_NOTES);
	cached_run(path, 1, &lazy, rl, pl, &cs);
	/* each note looked up once, though read twice, and never parsed */
	assert_int_equal(cs.hits, N_NOTES);
	assert_int_equal(cs.misses, 0);
	assert_int_equal(cs.added, 0);
	same_report(&full, &eager);
	same_report(&full, &lazy);
	/* lazily from no cache at all (a first run): every note parsed, put,
	 * held as a summary and read back whole; the same report and reach */
	{
		vl_diags cold = VL_DIAGS_INIT;
		vl_reach rc[N_NOTES];
		reached pc;
		char path2[420];

		snprintf(path2, sizeof(path2), "%s/cold-cache", g_dir);
		cached_run(path2, 1, &cold, rc, pc, &cs);
		assert_int_equal(cs.misses, N_NOTES);
		assert_int_equal(cs.hits, 0);
		same_report(&full, &cold);
		for (i = 0; i < N_NOTES; i++) {
			assert_string_equal(pe[i], pc[i]);
			assert_int_equal(re[i].n_refs, rc[i].n_refs);
			assert_int_equal(re[i].n_names, rc[i].n_names);
			free(rc[i].notes);
			free(rc[i].refs);
			free(rc[i].names);
			free(rc[i].missing);
		}
		vl_diags_release(&cold);
		unlink(path2);
	}
	for (i = 0; i < N_NOTES; i++) {
		assert_string_equal(pe[i], pl[i]);
		assert_int_equal(re[i].n_refs, rl[i].n_refs);
		for (j = 0; j < re[i].n_refs; j++)
			assert_true(re[i].refs[j] == rl[i].refs[j]);
		refs += rl[i].n_refs;
	}
	assert_int_equal(refs, 4);
	/* A: [[B#^b1]] [[C#^b1]]; B: [[C#^zz]] [[A#^c1]] (case ignored) */
	assert_int_equal(rl[0].n_refs, 2);
	assert_true(rl[0].refs[0] == vl_hash_lower("b1") && rl[0].refs[1] == vl_hash_lower("B1"));
	assert_int_equal(rl[1].n_refs, 2);
	assert_true(rl[1].refs[0] == vl_hash_lower("zz") && rl[1].refs[1] == vl_hash_lower("c1"));
	/* the names the links looked up, the same either way; A misses a
	 * note ([[Gone]]): a file added near that name may change its
	 * report */
	for (i = 0; i < N_NOTES; i++) {
		assert_int_equal(re[i].n_names, rl[i].n_names);
		assert_int_equal(re[i].relist, rl[i].relist);
		assert_int_equal(re[i].missing_len, rl[i].missing_len);
		for (j = 0; j < rl[i].n_names; j++)
			assert_true(re[i].names[j] == rl[i].names[j]);
	}
	assert_int_equal(rl[0].n_missing, 2);
	assert_int_equal(rl[0].missing_len, 11);
	assert_string_equal(rl[0].missing, "Gone");
	assert_string_equal(rl[0].missing + 5, "Alpha");
	assert_false(rl[0].relist);
	/* [[Alpha]] is A's alias: the hint names A */
	for (j = 0; j < rl[0].n_names; j++)
		if (rl[0].names[j] == vl_index_name_hash("A", 1))
			break;
	assert_true(j < rl[0].n_names);
	assert_int_equal(rl[1].n_missing, 0);
	assert_false(rl[1].relist);
	/* B: [[A#Part]] [[C#^zz]] [[A#^c1]] looked up a and c */
	assert_int_equal(rl[1].n_names, 2);
	assert_true((rl[1].names[0] == vl_index_name_hash("a", 1) &&
		rl[1].names[1] == vl_index_name_hash("C", 1)) ||
		(rl[1].names[1] == vl_index_name_hash("a", 1) &&
		rl[1].names[0] == vl_index_name_hash("C", 1)));
	assert_int_equal(rl[3].n_names, 0);
	assert_false(rl[3].relist);
	assert_string_equal(pl[3], "");  /* D links nowhere; A does */
	assert_non_null(strstr(pl[0], "B.md\n"));
	assert_int_equal(state_run(&inc), 1);
	same_report(&full, &inc);
	for (i = 0; i < N_NOTES; i++) {
		free(re[i].notes);
		free(re[i].refs);
		free(re[i].names);
		free(re[i].missing);
		free(rl[i].notes);
		free(rl[i].refs);
		free(rl[i].names);
		free(rl[i].missing);
	}
	/* D rewritten: a miss, parsed and put in the cache, held as a
	 * summary like the others and read back whole for the check */
	write_file("sub/D.md", g_notes[3][1]);
	vl_diags_release(&lazy);
	cached_run(path, 1, &lazy, rl, pl, &cs);
	assert_int_equal(cs.hits, N_NOTES - 1);
	assert_int_equal(cs.misses, 1);
	same_report(&full, &lazy);
	for (i = 0; i < N_NOTES; i++) {
		assert_string_equal(pe[i], pl[i]);
		free(rl[i].notes);
		free(rl[i].refs);
		free(rl[i].names);
		free(rl[i].missing);
	}
	unlink(path);
	vl_diags_release(&full);
	vl_diags_release(&eager);
	vl_diags_release(&lazy);
	vl_diags_release(&inc);
}

/* The cache cut short by another process between a lazy load and the
 * check: each note is then read from its file again, and a note whose
 * file is gone by then is an invalid-input finding, not a failed run. */
static void test_lazy_vault_cache_gone(void **state)
{
	vl_memo_key key, skey;
	vl_source *src;
	vl_vault *vault;
	vl_cache *c;
	vl_lint_opts lo;
	vl_diags d = VL_DIAGS_INIT, full = VL_DIAGS_INIT;
	vl_reach reach[N_NOTES];
	vl_error err;
	char path[400], gone[400];
	size_t i, n_gone = 0;
	reached paths;
	vl_cache_stats cs;
	vl_config cfg;
	int unread = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/lazy-cache-2", g_dir);
	snprintf(gone, sizeof(gone), "%s/sub/E.md", g_vault);
	cached_run(path, 0, &full, reach, paths, &cs);
	for (i = 0; i < N_NOTES; i++) {
		free(reach[i].notes);
		free(reach[i].refs);
		free(reach[i].names);
		free(reach[i].missing);
	}
	keys(&key, &skey, &src);
	assert_int_equal(vl_cache_open(&c, path, &err), 0);
	assert_int_equal(vl_vault_load_lazy(&vault, src, 1, c, &err), 0);
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(unlink(gone), 0);
	memset(&lo, 0, sizeof(lo));
	lo.threads = 1;
	lo.unread = &unread;
	assert_int_equal(vl_lint_run(&d, vault, &lo, &err), 0);
	/* the caller learns it: no state is to be made of this report */
	assert_int_equal(unread, 1);
	for (i = 0; i < d.len; i++) {
		if (strcmp(d.items[i].path, "sub/E.md") == 0) {
			assert_string_equal(d.items[i].rule, "invalid-input");
			assert_non_null(strstr(d.items[i].message, "cannot read"));
			n_gone++;
		}
	}
	assert_int_equal(n_gone, 1);
	/* the others, read from their files, as before */
	assert_int_equal(d.len, full.len + 1);
	/* the finding follows the config's severity of invalid-input */
	assert_int_equal(vl_config_init(&cfg, &err), 0);
	cfg.severity[vl_rule_index("invalid-input")] = VL_SEV_OFF;
	lo.config = &cfg;
	vl_diags_release(&d);
	assert_int_equal(vl_lint_run(&d, vault, &lo, &err), 0);
	assert_int_equal(d.len, full.len);
	for (i = 0; i < d.len; i++)
		assert_string_not_equal(d.items[i].path, "sub/E.md");
	cfg.severity[vl_rule_index("invalid-input")] = VL_SEV_ERROR;
	vl_diags_release(&d);
	assert_int_equal(vl_lint_run(&d, vault, &lo, &err), 0);
	for (i = n_gone = 0; i < d.len; i++)
		if (strcmp(d.items[i].path, "sub/E.md") == 0) {
			assert_int_equal(d.items[i].severity, VL_SEV_ERROR);
			n_gone++;
		}
	assert_int_equal(n_gone, 1);
	vl_config_release(&cfg);
	vl_vault_free(vault);
	vl_cache_free(c);
	vl_source_free(src);
	vl_memo_key_release(&key);
	vl_memo_key_release(&skey);
	write_file("sub/E.md", g_notes[4][1]);
	unlink(path);
	vl_diags_release(&d);
	vl_diags_release(&full);
}

/* An entry written in pieces (vl_memo_out, how the state is written)
 * reads back as the bytes written, three megabytes given in pieces of
 * every size; one given up leaves neither an entry nor a temporary file;
 * an unusable key writes nothing. */
/* Whether the block table's n entries at t hold (h, ord). */
static int table_has(const unsigned char *t, uint32_t n, uint64_t h, uint32_t ord)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t eh;
		uint32_t eo;

		memcpy(&eh, t + 12 * (size_t)i, 8);
		memcpy(&eo, t + 12 * (size_t)i + 8, 4);
		if (eh == h && eo == ord)
			return 1;
	}
	return 0;
}

/* A full save writes the block table sorted by hash, then note, each
 * (id, note) once however many notes share an id (in any case) or a note
 * repeats one: 100 notes with ^same and an id of their own, the first
 * with ^dup 40 times, enough for every level of the table's sort. */
static void test_block_table(void **state)
{
	enum { N = 100 };
	vl_memo_key key, skey;
	vl_source *src = calloc(1, sizeof(*src));
	vl_note **notes = calloc(N + 1, sizeof(*notes));
	vl_reach *reach = calloc(N + 1, sizeof(*reach));
	vl_vault *vault;
	vl_diags d = VL_DIAGS_INIT;
	vl_filemap fm;
	vl_error err;
	const unsigned char *p, *t;
	char path[32], id[32];
	size_t n, at, i;
	uint32_t count, k;

	(void)state;
	assert_non_null(src);
	assert_non_null(notes);
	assert_non_null(reach);
	for (i = 0; i < N; i++) {
		vl_buf text = VL_BUF_INIT;

		snprintf(path, sizeof(path), "N%03zu.md", i);
		assert_true(vl_buf_printf(&text, "# N\n\nx ^%s\n\ny ^id%03zu\n",
			i % 2 ? "SAME" : "same", i) >= 0);
		for (k = 0; i == 0 && k < 40; k++)
			assert_true(vl_buf_puts(&text, "\nz ^dup\n") == 0);
		assert_int_equal(vl_note_parse(&notes[i], path, text.ptr, text.len, &err), 0);
		assert_int_equal(vl_source_add(src, path, text.len, NULL), 0);
		vl_buf_release(&text);
	}
	vl_source_sort(src);
	assert_int_equal(vl_memo_key_init(&key, g_git, "check", NULL, 0, &err), 0);
	assert_int_equal(vl_state_key_init(&skey, g_git, "block table", NULL, 0, g_vault, &err), 0);
	assert_int_equal(vl_vault_new(&vault, src, notes, NULL, NULL, &err), 0);
	assert_int_equal(vl_state_save(&skey, &key, vault, reach, &d, &err), 0);

	assert_int_equal(vl_memo_get_raw(&skey, &fm, &p, &n, &err), 1);
	/* after the records, the generation, then the table */
	at = record_end(p, N - 1) + 8;
	assert_true(at + 4 <= n);
	memcpy(&count, p + at, 4);
	t = p + at + 4;
	assert_int_equal(count, 2 * N + 1);
	assert_true(at + 4 + 12 * (size_t)count <= n);
	for (k = 1; k < count; k++) {
		uint64_t h0, h1;
		uint32_t o0, o1;

		memcpy(&h0, t + 12 * (size_t)(k - 1), 8);
		memcpy(&o0, t + 12 * (size_t)(k - 1) + 8, 4);
		memcpy(&h1, t + 12 * (size_t)k, 8);
		memcpy(&o1, t + 12 * (size_t)k + 8, 4);
		assert_true(h0 < h1 || (h0 == h1 && o0 < o1));
	}
	for (i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "id%03zu", i);
		assert_true(table_has(t, count, vl_hash_lower("same"), (uint32_t)i));
		assert_true(table_has(t, count, vl_hash_lower(id), (uint32_t)i));
	}
	assert_true(table_has(t, count, vl_hash_lower("dup"), 0));
	vl_filemap_release(&fm);
	vl_vault_free(vault);
	vl_source_free(src);
	vl_diags_release(&d);
	free(reach);
	vl_memo_key_release(&key);
	vl_memo_key_release(&skey);
}

static void test_memo_out(void **state)
{
	enum { SIZE = 3 << 20 };
	unsigned char *data = malloc(SIZE);
	vl_filemap fm;
	const unsigned char *payload = NULL;
	vl_memo_key k;
	vl_memo_out w;
	vl_error err;
	uint32_t seed = 7;
	size_t i, n = 0, piece;
	char cmd[600];

	(void)state;
	assert_non_null(data);
	for (i = 0; i < SIZE; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (unsigned char)(seed >> 16);
	}
	assert_int_equal(vl_memo_key_init(&k, g_git, "pieces", NULL, 0, &err), 0);
	assert_int_equal(vl_memo_key_add(&k, "which", "whole", &err), 0);
	assert_int_equal(vl_memo_out_open(&w, &k, &err), 0);
	for (i = 0, piece = 1; i < SIZE; i += piece, piece = piece * 3 % 200003 + 1)
		assert_int_equal(vl_memo_out_write(&w, data + i,
			SIZE - i < piece ? SIZE - i : piece, &err), 0);
	assert_int_equal(vl_memo_out_commit(&w, &k, &err), 0);
	vl_memo_key_release(&k);
	assert_int_equal(vl_memo_key_init(&k, g_git, "pieces", NULL, 0, &err), 0);
	assert_int_equal(vl_memo_key_add(&k, "which", "whole", &err), 0);
	assert_int_equal(vl_memo_get_raw(&k, &fm, &payload, &n, &err), 1);
	assert_int_equal(n, SIZE);
	/* mapped, and its pages let go of once checked: read back alike */
	assert_true(fm.mapped);
	assert_memory_equal(payload, data, SIZE);
	vl_filemap_drop(&fm, fm.p, fm.p + fm.len);
	assert_memory_equal(payload, data, SIZE);
	vl_filemap_release(&fm);
	vl_memo_key_release(&k);
	/* given up: nothing there */
	assert_int_equal(vl_memo_key_init(&k, g_git, "pieces", NULL, 0, &err), 0);
	assert_int_equal(vl_memo_key_add(&k, "which", "given up", &err), 0);
	assert_int_equal(vl_memo_out_open(&w, &k, &err), 0);
	assert_int_equal(vl_memo_out_write(&w, data, 1000, &err), 0);
	vl_memo_out_abort(&w);
	assert_int_equal(vl_memo_get_raw(&k, &fm, &payload, &n, &err), 0);
	assert_null(fm.p);
	snprintf(cmd, sizeof(cmd), "ls -R '%s/vaultlint' | grep -q '[.]tmp-'", g_git);
	assert_int_not_equal(system(cmd), 0);
	/* an unusable key: the calls do nothing */
	k.usable = 0;
	assert_int_equal(vl_memo_out_open(&w, &k, &err), 1);
	assert_int_equal(vl_memo_out_write(&w, data, 10, &err), 0);
	assert_int_equal(vl_memo_out_commit(&w, &k, &err), 0);
	vl_memo_key_release(&k);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_fewer_notes),
		cmocka_unit_test(test_changed_in_place),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_lazy_vault),
		cmocka_unit_test(test_lazy_vault_cache_gone),
		cmocka_unit_test(test_memo_out),
		cmocka_unit_test(test_block_table),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
