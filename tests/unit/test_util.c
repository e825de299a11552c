/*
 * test_util.c: unit tests for src/util.c and src/diag.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/diag.h"
#include "../../src/util.h"

static void
test_error_set(void **state)
{
	vl_error err;

	(void)state;
	assert_int_equal(vl_error_set(&err, "bad %s at %d", "key", 7), -1);
	assert_string_equal(err.msg, "bad key at 7");
	assert_int_equal(vl_error_set(NULL, "ignored"), -1);
}

static void
test_push(void **state)
{
	int *v = NULL;
	size_t len = 0, cap = 0, i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(VL_PUSH(v, len, cap, (int)i * 3), 0);
	assert_int_equal(len, 1000);
	assert_true(cap >= 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(v[i], (int)i * 3);
	free(v);
}

static void
test_buf_basic(void **state)
{
	vl_buf b = VL_BUF_INIT;
	char *s;

	(void)state;
	assert_int_equal(vl_buf_puts(&b, "ab"), 0);
	assert_int_equal(vl_buf_putc(&b, 'c'), 0);
	assert_int_equal(vl_buf_put(&b, "defgh", 2), 0);
	assert_int_equal(vl_buf_printf(&b, "-%d-%s", 42, "x"), 0);
	assert_string_equal(b.ptr, "abcde-42-x");
	assert_int_equal(b.len, 10);
	s = vl_buf_detach(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_string_equal(s, "abcde-42-x");
	free(s);
	/* An empty buffer still detaches as a string. */
	s = vl_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	vl_buf_release(&b);
	vl_buf_release(NULL);
}

static void
test_buf_printf_long(void **state)
{
	vl_buf b = VL_BUF_INIT;
	char big[5000];
	int i;

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 3; i++)
		assert_int_equal(vl_buf_printf(&b, "%s|", big), 0);
	assert_int_equal(b.len, 3 * 5000);
	assert_int_equal(b.ptr[4999], '|');
	assert_int_equal(b.ptr[b.len], '\0');
	vl_buf_release(&b);
}

static void
json_is(const char *in, size_t n, const char *expect)
{
	vl_buf b = VL_BUF_INIT;

	assert_int_equal(vl_buf_put_json(&b, in, n), 0);
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, expect);
	vl_buf_release(&b);
}

static void
test_buf_json(void **state)
{
	(void)state;
	json_is("plain", 5, "plain");
	json_is("a\"b\\c", 5, "a\\\"b\\\\c");
	json_is("l1\nl2\r\t\b\f", 9, "l1\\nl2\\r\\t\\b\\f");
	json_is("\x01\x1f", 2, "\\u0001\\u001f");
	json_is("nul\0x", 5, "nul\\u0000x");
	/* Valid UTF-8 is kept as it is. */
	json_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* Invalid bytes become U+FFFD, one each. */
	json_is("a\xff" "b", 3, "a\xef\xbf\xbd" "b");
	json_is("\xc3", 1, "\xef\xbf\xbd");              /* truncated */
	json_is("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong */
	json_is("\xed\xa0\x80", 3,
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");   /* surrogate */
	json_is("", 0, "");
}

static void
test_buf_xml(void **state)
{
	vl_buf b = VL_BUF_INIT;

	(void)state;
	assert_int_equal(vl_buf_puts(&b, "<"), 0);
	assert_int_equal(vl_buf_put_xml(&b, "a&b<c>\"d'e", 10), 0);
	assert_string_equal(b.ptr, "<a&amp;b&lt;c&gt;&quot;d&apos;e");
	vl_buf_release(&b);
	assert_int_equal(vl_buf_put_xml(&b, "t\tn\nx\x01y\xfe\xc3\xa9", 10), 0);
	assert_string_equal(b.ptr,
		"t\tn\nx\xef\xbf\xbdy\xef\xbf\xbd\xc3\xa9");
	vl_buf_release(&b);
}

static void
test_arena(void **state)
{
	vl_arena a = { NULL };
	char *ptrs[2000];
	char *big, *s;
	size_t i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		ptrs[i] = vl_arena_alloc(&a, 1 + i % 37);
		assert_non_null(ptrs[i]);
		assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
		memset(ptrs[i], (int)(i & 0x7f), 1 + i % 37);
	}
	/* A large request gets its own chunk and does not disturb the rest. */
	big = vl_arena_alloc(&a, 1 << 20);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	memset(big, 0xab, 1 << 20);
	/* Strings pack without padding; allocations after them stay aligned. */
	s = vl_arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	{
		char *t = vl_arena_strndup(&a, "abc", 3);
		char *u = vl_arena_alloc(&a, 8);
		assert_ptr_equal(t, s + 6);
		assert_string_equal(t, "abc");
		assert_non_null(u);
		assert_int_equal((uintptr_t)u % 16, 0);
	}
	for (i = 0; i < 2000; i++) {
		size_t k;

		for (k = 0; k < 1 + i % 37; k++)
			assert_int_equal(ptrs[i][k], (char)(i & 0x7f));
	}
	assert_non_null(vl_arena_alloc(&a, 0));
	vl_arena_release(&a);
	assert_null(a.head);
	vl_arena_release(&a);
	vl_arena_release(NULL);
}

/* A reserved head takes exactly what the caller said it would copy, big
 * strings included; what comes after goes to a chunk of its own. */
static void
test_arena_reserve(void **state)
{
	vl_arena a = { NULL };
	char big[30001], *s, *t, *u, *v;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(vl_arena_reserve(&a, 30001 + 4 + 6), 0);
	s = vl_arena_strndup(&a, big, 30000);
	t = vl_arena_strndup(&a, "abc", 3);
	u = vl_arena_strndup(&a, "hello", 5);
	assert_non_null(s);
	assert_ptr_equal(t, s + 30001);
	assert_ptr_equal(u, t + 4);
	assert_string_equal(t, "abc");
	assert_string_equal(u, "hello");
	assert_int_equal(strlen(s), 30000);
	/* full: the next string is elsewhere */
	v = vl_arena_strndup(&a, "z", 1);
	assert_non_null(v);
	assert_true(v != u + 6);
	assert_string_equal(v, "z");
	assert_int_equal(vl_arena_reserve(&a, 0), 0);
	vl_arena_release(&a);
	assert_null(a.head);
}

/* Pieces that follow on one another, in memory or in a file, are written
 * in one call: the file must hold every piece in order all the same. */
static void
test_write_file_atomic_pieces(void **state)
{
	char dir[] = "/tmp/vl-test-XXXXXX", in[64], out[64], got[64];
	const char mem[] = "0123456789";
	vl_iovec parts[7];
	vl_error err;
	int fd;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	f = fopen(in, "w");
	assert_non_null(f);
	fputs("abcdefghij", f);
	fclose(f);
	fd = open(in, O_RDONLY);
	assert_true(fd >= 0);
	memset(parts, 0, sizeof(parts));
	parts[0] = (vl_iovec){ mem, 3, -1, 0 };        /* "012" */
	parts[1] = (vl_iovec){ mem + 3, 2, -1, 0 };    /* "34": follows */
	parts[2] = (vl_iovec){ NULL, 2, fd, 1 };       /* "bc" */
	parts[3] = (vl_iovec){ NULL, 3, fd, 3 };       /* "def": follows */
	parts[4] = (vl_iovec){ NULL, 1, fd, 0 };       /* "a": does not */
	parts[5] = (vl_iovec){ mem + 8, 2, -1, 0 };    /* "89" */
	parts[6] = (vl_iovec){ mem, 1, -1, 0 };        /* "0": does not */
	assert_int_equal(vl_write_file_atomic(out, parts, 7, "a test file", &err), 0);
	close(fd);
	f = fopen(out, "r");
	assert_non_null(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	assert_string_equal(got, "01234bcdefa890");
	unlink(in);
	unlink(out);
	rmdir(dir);
}

/* The pools visit every i once, in runs or one by one, on any number of
 * threads; a call that fails stops the pool with -1. */
typedef struct pool_seen {
	unsigned char *hits;
	size_t fail_at;   /* (size_t)-1: none */
	int bad_slot;     /* set by a worker: cmocka asserts on the main thread */
} pool_seen;

static int pool_visit(size_t i, int slot, void *payload)
{
	pool_seen *p = payload;

	if (slot < 0 || slot >= VL_POOL_MAX)
		__atomic_store_n(&p->bad_slot, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&p->hits[i], 1, __ATOMIC_RELAXED);
	return i == p->fail_at ? -1 : 0;
}

/* The checksum as first written, in one piece: what files on disk were
 * checked with, so the pieces' version must give the same values. */
static uint64_t checksum_ref(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h[4] = { 0x9E3779B97F4A7C15ull ^ (uint64_t)n, 0xC2B2AE3D27D4EB4Full,
		0x165667B19E3779F9ull, 0x85EBCA77C2B2AE63ull }, w;
	size_t i, k;

	for (i = 0; i + 32 <= n; i += 32)
		for (k = 0; k < 4; k++) {
			memcpy(&w, p + i + 8 * k, 8);
			h[k] = (h[k] ^ w) * 0xff51afd7ed558ccdull;
			h[k] ^= h[k] >> 32;
		}
	for (k = 1; k < 4; k++)
		h[0] = (h[0] ^ h[k]) * 0xff51afd7ed558ccdull;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h[0] = (h[0] ^ w) * 0xff51afd7ed558ccdull;
		h[0] ^= h[0] >> 32;
	}
	w = 0;
	if (n > i)
		memcpy(&w, p + i, n - i);
	h[0] = (h[0] ^ w ^ ((uint64_t)(n - i) << 56)) * 0xc4ceb9fe1a85ec53ull;
	h[0] ^= h[0] >> 29;
	return h[0];
}

/* vl_checksum64, and the same bytes given to vl_checksum_update in
 * pieces of every size, give the value of the one-piece original, for
 * every length around the 8- and 32-byte steps. */
/* A file mapped whole reads as its bytes, also after its pages are let
 * go of (in part, or all); an empty file, a folder and a file over the
 * limit are handled as vl_read_fd handles them. */
/* vl_zeroed_pages: zeros, writable, of any size (0 too), freed. */
static void
test_zeroed_pages(void **state)
{
	size_t sizes[] = { 0, 1, 4096, 3 * 4096 + 7 }, i, k;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = vl_zeroed_pages(sizes[i]);

		assert_non_null(p);
		for (k = 0; k < sizes[i]; k++)
			assert_int_equal(p[k], 0);
		if (sizes[i] > 0) {
			p[sizes[i] - 1] = 2;
			p[0] = 1;
			assert_int_equal(p[0], 1);
			assert_int_equal(p[sizes[i] - 1], sizes[i] > 1 ? 2 : 1);
		}
		vl_zeroed_free(p, sizes[i]);
	}
	vl_zeroed_free(NULL, 0);
}

static void
test_filemap(void **state)
{
	enum { SIZE = 3 * 65536 + 123 };
	char path[] = "/tmp/vl-filemap-XXXXXX";
	unsigned char *data = malloc(SIZE);
	vl_filemap m;
	size_t i;
	int fd;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < SIZE; i++)
		data[i] = (unsigned char)(i * 131 + 7);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, SIZE), SIZE);
	close(fd);
	assert_int_equal(vl_filemap_open(&m, open(path, O_RDONLY), SIZE), 0);
	assert_true(m.mapped);
	assert_int_equal(m.len, SIZE);
	assert_memory_equal(m.p, data, SIZE);
	vl_filemap_drop(&m, m.p + 5000, m.p + 140000);
	assert_memory_equal(m.p, data, SIZE);
	vl_filemap_drop(&m, m.p, m.p + m.len);
	assert_memory_equal(m.p, data, SIZE);
	/* a range outside the mapping is clipped to it */
	vl_filemap_drop(&m, m.p + m.len, m.p + 2 * m.len);
	assert_memory_equal(m.p, data, SIZE);
	vl_filemap_release(&m);
	assert_null(m.p);
	/* over the limit */
	assert_int_equal(vl_filemap_open(&m, open(path, O_RDONLY), SIZE - 1), -1);
	assert_null(m.p);
	/* empty: read, not mapped */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vl_filemap_open(&m, open(path, O_RDONLY), SIZE), 0);
	assert_false(m.mapped);
	assert_int_equal(m.len, 0);
	vl_filemap_drop(&m, m.p, m.p);
	vl_filemap_release(&m);
	/* a folder; no file at all */
	assert_int_equal(vl_filemap_open(&m, open("/tmp", O_RDONLY), SIZE), -1);
	assert_int_equal(vl_filemap_open(&m, -1, SIZE), -1);
	unlink(path);
	free(data);
}

/* A fingerprint tells apart every two inputs of up to 100 bytes that
 * differ in one bit, or in a trailing zero byte (the tail is padded with
 * zeros), and is the same for the same bytes wherever they are. */
static void
test_fingerprint(void **state)
{
	enum { MAX = 100 };
	unsigned char data[MAX + 1], copy[MAX + 1];
	uint64_t a[2], b[2], z[2];
	size_t n, i;
	int bit;

	(void)state;
	for (i = 0; i <= MAX; i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= MAX; n++) {
		vl_fingerprint(a, data, n);
		memcpy(copy, data, n);
		vl_fingerprint(b, copy, n);
		assert_true(a[0] == b[0] && a[1] == b[1]);
		/* a zero byte more: another length */
		memcpy(copy, data, n);
		copy[n] = 0;
		vl_fingerprint(z, copy, n + 1);
		assert_false(a[0] == z[0] && a[1] == z[1]);
		for (i = 0; i < n; i++)
			for (bit = 0; bit < 8; bit++) {
				copy[i] ^= (unsigned char)(1u << bit);
				vl_fingerprint(b, copy, n);
				copy[i] ^= (unsigned char)(1u << bit);
				/* each half alone tells them apart */
				assert_true(a[0] != b[0]);
				assert_true(a[1] != b[1]);
			}
	}
	/* not the checksum: a word of its own */
	vl_fingerprint(a, data, MAX);
	assert_true(a[0] != vl_checksum64(data, MAX) || a[1] != vl_checksum64(data, MAX));
}

static void
test_checksum_pieces(void **state)
{
	enum { MAX = 300 };
	unsigned char data[MAX];
	uint32_t seed = 12345;
	uint64_t before;
	size_t n, piece, i;

	(void)state;
	for (i = 0; i < MAX; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (unsigned char)(seed >> 16);
	}
	for (n = 0; n < MAX; n++) {
		uint64_t want = checksum_ref(data, n);

		assert_true(vl_checksum64(data, n) == want);
		for (piece = 1; piece <= 70; piece++) {
			vl_checksum c;

			vl_checksum_init(&c, n);
			for (i = 0; i < n; i += piece)
				vl_checksum_update(&c, data + i, n - i < piece ? n - i : piece);
			assert_true(vl_checksum_final(&c) == want);
		}
	}
	/* a change of one byte changes it */
	before = vl_checksum64(data, MAX);
	data[100] ^= 1;
	assert_true(vl_checksum64(data, MAX) != before);
}

/* The radix sort: by the bits asked, stable, for 4- and 8-byte keys. */
typedef struct rs_item {
	uint32_t tag;       /* the order it came in */
	uint64_t key;
	uint32_t key32;
} rs_item;

static void
test_radix_sort(void **state)
{
	enum { N = 5000 };
	rs_item *v = malloc(N * sizeof(*v)), *tmp = malloc(N * sizeof(*tmp));
	uint64_t x = 88172645463325252ull;
	size_t i;

	(void)state;
	assert_non_null(v);
	assert_non_null(tmp);
	for (i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[i].tag = (uint32_t)i;
		v[i].key = x % 7 == 0 ? 42 : x;  /* some keys equal */
		v[i].key32 = (uint32_t)(x >> 20) & 0xFFFF;
	}
	vl_radix_sort(v, tmp, N, sizeof(*v), offsetof(rs_item, key), 8, 0, 64);
	for (i = 1; i < N; i++) {
		assert_true(v[i - 1].key <= v[i].key);
		if (v[i - 1].key == v[i].key)
			assert_true(v[i - 1].tag < v[i].tag);
	}
	/* only the high half: equal high halves keep their order */
	for (i = 0; i < N; i++)
		v[i].tag = (uint32_t)i;
	vl_radix_sort(v, tmp, N, sizeof(*v), offsetof(rs_item, key), 8, 32, 64);
	for (i = 1; i < N; i++) {
		assert_true(v[i - 1].key >> 32 <= v[i].key >> 32);
		if (v[i - 1].key >> 32 == v[i].key >> 32)
			assert_true(v[i - 1].tag < v[i].tag);
	}
	/* a 4-byte key, its low two bytes only */
	for (i = 0; i < N; i++)
		v[i].tag = (uint32_t)i;
	vl_radix_sort(v, tmp, N, sizeof(*v), offsetof(rs_item, key32), 4, 0, 16);
	for (i = 1; i < N; i++) {
		assert_true(v[i - 1].key32 <= v[i].key32);
		if (v[i - 1].key32 == v[i].key32)
			assert_true(v[i - 1].tag < v[i].tag);
	}
	/* nothing, and one element: nothing to do */
	vl_radix_sort(v, tmp, 0, sizeof(*v), offsetof(rs_item, key), 8, 0, 64);
	vl_radix_sort(v, tmp, 1, sizeof(*v), offsetof(rs_item, key), 8, 0, 64);
	free(v);
	free(tmp);
}

static void
test_pools(void **state)
{
	static const size_t sizes[] = { 0, 1, 5, 63, 64, 65, 1000, 5000 };
	static const int threads[] = { 1, 2, 4, 100 };
	size_t s, t, i, k;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(*sizes); s++)
		for (t = 0; t < sizeof(threads) / sizeof(*threads); t++)
			for (k = 0; k < 2; k++) {
				pool_seen p;

				p.hits = calloc(sizes[s] + 1, 1);
				p.fail_at = (size_t)-1;
				p.bad_slot = 0;
				assert_non_null(p.hits);
				assert_int_equal(k ? vl_run_pool_runs(sizes[s], threads[t], pool_visit, &p) :
					vl_run_pool(sizes[s], threads[t], pool_visit, &p), 0);
				for (i = 0; i < sizes[s]; i++)
					assert_int_equal(p.hits[i], 1);
				assert_int_equal(p.bad_slot, 0);
				if (sizes[s] > 0) {
					memset(p.hits, 0, sizes[s]);
					p.fail_at = sizes[s] / 2;
					assert_int_equal(k ? vl_run_pool_runs(sizes[s], threads[t],
						pool_visit, &p) : vl_run_pool(sizes[s], threads[t],
						pool_visit, &p), -1);
				}
				free(p.hits);
			}
}

static void
test_map(void **state)
{
	vl_map m = { NULL, 0, 0 };
	char (*keys)[16];
	size_t i, n = 5000;

	(void)state;
	assert_null(vl_map_get(&m, "missing"));
	keys = malloc(n * sizeof(*keys));
	assert_non_null(keys);
	for (i = 0; i < n; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key-%zu", i);
		assert_int_equal(vl_map_put(&m, keys[i], (void *)(uintptr_t)(i + 1)), 0);
		/* The load never goes above 70%. */
		assert_true(m.len * 10 <= m.cap * 7);
	}
	assert_int_equal(m.len, n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(vl_map_get(&m, keys[i]), (void *)(uintptr_t)(i + 1));
	/* Replacing keeps the count; a different pointer with equal text finds it. */
	assert_int_equal(vl_map_put(&m, "key-17", (void *)(uintptr_t)99), 0);
	assert_int_equal(m.len, n);
	assert_ptr_equal(vl_map_get(&m, keys[17]), (void *)(uintptr_t)99);
	assert_null(vl_map_get(&m, "key-5000"));
	assert_null(vl_map_get(&m, "Key-1"));
	assert_null(vl_map_get(&m, ""));
	assert_int_equal(vl_map_put(&m, "", (void *)(uintptr_t)7), 0);
	assert_ptr_equal(vl_map_get(&m, ""), (void *)(uintptr_t)7);
	vl_map_release(&m);
	assert_int_equal(m.cap, 0);
	assert_null(vl_map_get(&m, "key-1"));
	free(keys);
}

static void
test_hash(void **state)
{
	char long_key[1100], lowered[1100];
	size_t i, n;

	(void)state;
	/* n bytes, not what follows them; every byte and the length count */
	assert_true(vl_hash("ab", 1) == vl_hash("ac", 1));
	assert_true(vl_hash("ab", 2) != vl_hash("ac", 2));
	assert_true(vl_hash("", 0) != vl_hash("\0", 1));
	assert_true(vl_hash("a\0", 2) != vl_hash("a", 1));
	assert_true(vl_hash("12345678a", 9) != vl_hash("12345678b", 9));
	assert_true(vl_hash("12345678", 8) != vl_hash("22345678", 8));
	/* vl_hash_lower_n is vl_hash of the lower-cased key, whatever its
	 * length: words of eight ASCII bytes, two-byte letters across the
	 * words and across the lower-casing's 128-byte pieces */
	for (i = 0; i + 2 < sizeof(long_key); i += 3) {
		long_key[i] = (char)('A' + i % 26);
		if (i % 7 == 0) {
			long_key[i + 1] = '\xc3';
			long_key[i + 2] = '\x9c';     /* Ü */
		} else {
			long_key[i + 1] = (char)('a' + i % 26);
			long_key[i + 2] = i % 5 == 0 ? '@' : '[';
		}
	}
	for (n = 0; n < 1000; n += n < 40 ? 1 : 37) {
		vl_lower_into(lowered, long_key, n);
		assert_true(vl_hash_lower_n(long_key, n) == vl_hash(lowered, n));
		assert_true(vl_hash_lower_n(lowered, n) == vl_hash(lowered, n));
	}
	/* the case of ASCII letters only: '@' and '[' sit around 'A'..'Z' */
	assert_true(vl_hash_lower("ABCXYZ@[`{") == vl_hash("abcxyz@[`{", 10));
	assert_true(vl_hash_lower("@@@@@@@@") != vl_hash_lower("````````"));
	assert_true(vl_hash_lower("[[[[[[[[") != vl_hash_lower("{{{{{{{{"));
}

static void
utf8_bad_at(const char *s, size_t n, size_t expect_bad)
{
	size_t bad = 12345;

	assert_int_equal(vl_utf8_valid(s, n, &bad), 0);
	assert_int_equal(bad, expect_bad);
}

static void
test_utf8_valid(void **state)
{
	(void)state;
	assert_int_equal(vl_utf8_valid("", 0, NULL), 1);
	assert_int_equal(vl_utf8_valid("ascii", 5, NULL), 1);
	assert_int_equal(vl_utf8_valid("\xc2\x80", 2, NULL), 1);          /* U+0080 */
	assert_int_equal(vl_utf8_valid("\xdf\xbf", 2, NULL), 1);          /* U+07FF */
	assert_int_equal(vl_utf8_valid("\xe0\xa0\x80", 3, NULL), 1);      /* U+0800 */
	assert_int_equal(vl_utf8_valid("\xed\x9f\xbf", 3, NULL), 1);      /* U+D7FF */
	assert_int_equal(vl_utf8_valid("\xee\x80\x80", 3, NULL), 1);      /* U+E000 */
	assert_int_equal(vl_utf8_valid("\xef\xbf\xbf", 3, NULL), 1);      /* U+FFFF */
	assert_int_equal(vl_utf8_valid("\xf0\x90\x80\x80", 4, NULL), 1);  /* U+10000 */
	assert_int_equal(vl_utf8_valid("\xf4\x8f\xbf\xbf", 4, NULL), 1);  /* U+10FFFF */
	assert_int_equal(vl_utf8_valid("a\0b", 3, NULL), 1);

	utf8_bad_at("ab\x80", 3, 2);                 /* lone continuation */
	utf8_bad_at("\xc0\x80", 2, 0);               /* overlong NUL */
	utf8_bad_at("x\xc1\xbf", 3, 1);              /* overlong */
	utf8_bad_at("\xe0\x9f\xbf", 3, 0);           /* overlong 3-byte */
	utf8_bad_at("\xf0\x8f\xbf\xbf", 4, 0);       /* overlong 4-byte */
	utf8_bad_at("ok\xed\xa0\x80", 5, 2);         /* surrogate D800 */
	utf8_bad_at("\xed\xbf\xbf", 3, 0);           /* surrogate DFFF */
	utf8_bad_at("\xf4\x90\x80\x80", 4, 0);       /* U+110000 */
	utf8_bad_at("\xf5\x80\x80\x80", 4, 0);
	utf8_bad_at("\xff", 1, 0);
	utf8_bad_at("abc\xe2\x82", 5, 3);            /* truncated at end */
	utf8_bad_at("\xe2\x82x", 3, 0);              /* truncated mid-text */
	utf8_bad_at("\xf0\x9f\x98", 3, 0);
	/* The length bounds the check: a valid sequence cut by n is invalid. */
	utf8_bad_at("\xc3\xa9", 1, 0);
}

static void
test_utf8_count(void **state)
{
	(void)state;
	assert_int_equal(vl_utf8_count("", 0), 0);
	assert_int_equal(vl_utf8_count("abc", 3), 3);
	assert_int_equal(vl_utf8_count("caf\xc3\xa9", 5), 4);
	assert_int_equal(vl_utf8_count("\xf0\x9f\x98\x80!", 5), 2);
	assert_int_equal(vl_utf8_count("\xff\xfe" "a", 3), 3);
	assert_int_equal(vl_utf8_count("\xe2\x82", 2), 2);
}

static void
test_strings(void **state)
{
	char *s;

	(void)state;
	s = vl_lower_dup("HeLLo W\xc3\x89rld-42", 16);
	assert_string_equal(s, "hello w\xc3\xa9rld-42");
	free(s);
	s = vl_lower_dup("ABCDEF", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = vl_strndup("abcdef", 4);
	assert_string_equal(s, "abcd");
	free(s);
	s = vl_strndup("", 0);
	assert_string_equal(s, "");
	free(s);
}

/* Letters with case: ASCII's, and the capitals of Latin-1, Latin
 * Extended-A, Greek and Cyrillic, each in as many bytes; others (CJK,
 * the Turkish dotted I, bytes that are no UTF-8) are left as they are. */
static void
test_fold(void **state)
{
	static const char *const pairs[][2] = {
		{ "\xc3\x9c" "ber", "\xc3\xbc" "ber" },                 /* Über */
		{ "\xc3\x80\xc3\x9e\xc3\x97", "\xc3\xa0\xc3\xbe\xc3\x97" }, /* À Þ, × kept */
		{ "\xc5\x81\xc3\xb3" "d\xc5\xba", "\xc5\x82\xc3\xb3" "d\xc5\xba" }, /* Łódź */
		{ "\xc5\xbd\xc5\xb8", "\xc5\xbe\xc3\xbf" },             /* Ž Ÿ */
		{ "\xce\xa3\xce\x86", "\xcf\x83\xce\xac" },             /* Σ Ά */
		{ "\xd0\xaf\xd0\x81\xd1\xa0", "\xd1\x8f\xd1\x91\xd1\xa1" }, /* Я Ё Ѡ */
		{ "\xc4\xb0\xe6\x97\xa5", "\xc4\xb0\xe6\x97\xa5" },     /* İ 日 kept */
		{ "A\xc3", "a\xc3" },                                       /* a cut sequence */
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		size_t n = strlen(pairs[i][0]);

		assert_int_equal(strlen(pairs[i][1]), n);
		vl_lower_into(out, pairs[i][0], n);
		assert_string_equal(out, pairs[i][1]);
		assert_true(vl_fold_equal(pairs[i][0], pairs[i][1], n));
		assert_true(vl_hash_lower_n(pairs[i][0], n) == vl_hash_lower_n(pairs[i][1], n));
		assert_true(vl_hash_lower(pairs[i][0]) == vl_hash_lower(out));
	}
	assert_false(vl_fold_equal("\xc3\xbc" "ber", "uber", 4));
	assert_false(vl_fold_equal("\xc3\x9c" "ber", "\xc3\x9d" "ber", 5));  /* Ü Ý */
	assert_false(vl_fold_equal("ab", "ac", 2));
	assert_true(vl_fold_equal("ab", "ac", 1));
	assert_true(vl_hash_lower("\xc3\x9c" "ber") != vl_hash_lower("uber"));
}

/* A key that fits stays in the caller's room; a longer one is allocated,
 * the same key either way. */
static void
test_lower_scratch(void **state)
{
	char small[8], big[64], *s;

	(void)state;
	s = vl_lower_scratch(small, sizeof(small), "AbC-D\xc3\xa9", 7);
	assert_ptr_equal(s, small);
	assert_string_equal(s, "abc-d\xc3\xa9");
	vl_scratch_free(s, small);
	s = vl_lower_scratch(small, sizeof(small), "ABCDEFGHIJ", 8);
	assert_ptr_not_equal(s, small);
	assert_string_equal(s, "abcdefgh");
	vl_scratch_free(s, small);
	s = vl_scratch(big, sizeof(big), sizeof(big));
	assert_ptr_equal(s, big);
	s = vl_scratch(big, sizeof(big), sizeof(big) + 1);
	assert_non_null(s);
	assert_ptr_not_equal(s, big);
	memset(s, 'x', sizeof(big) + 1);
	vl_scratch_free(s, big);
}

static size_t
ed(const char *a, const char *b, size_t max)
{
	return vl_edit_distance(a, strlen(a), b, strlen(b), max);
}

static void
test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(ed("", "", 5), 0);
	assert_int_equal(ed("abc", "abc", 5), 0);
	assert_int_equal(ed("kitten", "sitting", 10), 3);
	assert_int_equal(ed("sitting", "kitten", 10), 3);
	assert_int_equal(ed("flaw", "lawn", 10), 2);
	assert_int_equal(ed("", "abcd", 10), 4);
	assert_int_equal(ed("abcd", "", 10), 4);
	assert_int_equal(ed("Project Plan", "project plan", 3), 0);  /* case */
	assert_int_equal(ed("Projct Plan", "project plan", 3), 1);
	assert_int_equal(ed("ab", "ba", 5), 1);                      /* a swap is one step */
	assert_int_equal(ed("tgas", "tags", 1), 1);
	assert_int_equal(ed("abcd", "badc", 5), 2);                  /* two swaps */
	assert_int_equal(ed("ca", "abc", 5), 3);                     /* OSA, not full Damerau */
	/* Early cutoff: max + 1 once the distance is known to exceed max. */
	assert_int_equal(ed("kitten", "sitting", 2), 3);
	assert_int_equal(ed("kitten", "sitting", 1), 2);
	assert_int_equal(ed("abcdefgh", "zyxwvuts", 3), 4);
	assert_int_equal(ed("a", "abcdefghij", 2), 3);               /* length gap */
	assert_int_equal(ed("kitten", "sitting", 3), 3);             /* exactly max */
	assert_int_equal(ed("abc", "xyz", 0), 1);
	assert_int_equal(ed("abc", "ABC", 0), 0);
}

/* Long strings take no memory of their length (the band is 2 * max + 1
 * cells), and a max past VL_EDIT_MAX counts as VL_EDIT_MAX. */
static void
test_edit_distance_long(void **state)
{
	char a[1001], b[1001];

	(void)state;
	memset(a, 'x', 1000);
	a[1000] = '\0';
	memcpy(b, a, sizeof(a));
	b[500] = 'y';
	b[998] = a[999] = 'z';   /* ...xz against ...zx: a swap */
	assert_int_equal(ed(a, b, 3), 2);
	assert_int_equal(ed(a, b, 1), 2);
	b[0] = 'y';
	assert_int_equal(ed(a, b, 3), 3);
	assert_int_equal(ed(a, b + 10, 12), 12);  /* ten deleted, two changed */
	assert_int_equal(ed(a, b + 10, 11), 12);
	memset(b, 'y', 100);                      /* 100 apart, more than 64 */
	b[100] = '\0';
	assert_int_equal(ed(b, "", 200), 201);
	assert_int_equal(ed(b, "", VL_EDIT_MAX), VL_EDIT_MAX + 1);
	b[VL_EDIT_MAX] = '\0';
	assert_int_equal(ed(b, "", 200), VL_EDIT_MAX);
}

static void
test_glob(void **state)
{
	(void)state;
	/* No '/': matches the last segment anywhere. */
	assert_true(vl_glob_match("*.md", "a.md"));
	assert_true(vl_glob_match("*.md", "deep/dir/a.md"));
	assert_false(vl_glob_match("*.md", "a.mdx"));
	assert_false(vl_glob_match("*.md", "a.txt"));
	assert_true(vl_glob_match("draft-?.md", "x/draft-1.md"));
	assert_false(vl_glob_match("draft-?.md", "x/draft-12.md"));
	assert_true(vl_glob_match("?.md", "\xc3\xa9.md"));      /* ? is a character */
	/* Folder names match the folder anywhere and cover what it holds. */
	assert_true(vl_glob_match("templates", "templates/x/y.md"));
	assert_true(vl_glob_match("templates/", "templates/x/y.md"));
	assert_true(vl_glob_match("templates", "notes/templates/t.md"));
	assert_true(vl_glob_match("templates", "templates"));
	assert_false(vl_glob_match("templates/", "templates"));    /* folder only */
	assert_false(vl_glob_match("templates", "templatesx/a.md"));
	assert_false(vl_glob_match("templates", "my-templates/a.md"));
	/* `*` stays inside a segment. */
	assert_true(vl_glob_match("a/*.md", "a/b.md"));
	assert_false(vl_glob_match("a/*.md", "a/b/c.md"));
	assert_false(vl_glob_match("a*b", "a/b"));
	/* An inner '/' anchors at the root, like .gitignore. */
	assert_true(vl_glob_match("daily/2024", "daily/2024/01.md"));
	assert_false(vl_glob_match("daily/2024", "x/daily/2024/01.md"));
	/* `**` crosses segments. */
	assert_true(vl_glob_match("**/x.md", "x.md"));
	assert_true(vl_glob_match("**/x.md", "a/b/c/x.md"));
	assert_true(vl_glob_match("a/**/z.md", "a/z.md"));
	assert_true(vl_glob_match("a/**/z.md", "a/b/c/z.md"));
	assert_false(vl_glob_match("a/**/z.md", "b/a/z.md"));
	assert_true(vl_glob_match("a/**", "a/b/c.md"));
	assert_true(vl_glob_match("**.md", "a/b/c.md"));
	assert_false(vl_glob_match("**/x.md", "a/bx.md"));
	/* A leading '/' anchors. */
	assert_true(vl_glob_match("/notes", "notes/a.md"));
	assert_false(vl_glob_match("/notes", "x/notes/a.md"));
	assert_true(vl_glob_match("/*.md", "top.md"));
	assert_false(vl_glob_match("/*.md", "sub/top.md"));
	/* Classes. */
	assert_true(vl_glob_match("[abc].md", "b.md"));
	assert_false(vl_glob_match("[abc].md", "d.md"));
	assert_true(vl_glob_match("file[0-9].md", "file7.md"));
	assert_false(vl_glob_match("file[0-9].md", "fileA.md"));
	assert_true(vl_glob_match("[!x]y", "dir/ay"));
	assert_false(vl_glob_match("[!x]y", "xy"));
	assert_true(vl_glob_match("[]]", "]"));
	assert_true(vl_glob_match("a[b", "a[b"));                 /* unclosed: literal */
	assert_false(vl_glob_match("a[/]b", "a/b"));
	/* Escapes and odd input. */
	assert_true(vl_glob_match("\\*.md", "*.md"));
	assert_false(vl_glob_match("\\*.md", "a.md"));
	assert_false(vl_glob_match("", "a.md"));
	assert_false(vl_glob_match("*.md", ""));
	assert_false(vl_glob_match(NULL, "a.md"));
	assert_false(vl_glob_match("a", NULL));
	assert_true(vl_glob_match("a.md", "./a.md"));
	assert_true(vl_glob_match("Spaces in name.md", "dir/Spaces in name.md"));
	/* Case matters, as in git. */
	assert_false(vl_glob_match("*.MD", "a.md"));
	/* Many stars against long names: answers must come (the matcher
	 * memoises; without that these take exponential time). */
	assert_false(vl_glob_match("*a*a*a*a*a*a*a*a*b",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.md"));
	assert_true(vl_glob_match("*a*a*a*a*a*a*a*a*.md",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.md"));
	assert_false(vl_glob_match("**/a/**/a/**/a/**/a/**/b",
		"a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c"));
	assert_true(vl_glob_match("**/a/**/a/**/a/**/a/**/c",
		"a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c"));
}

static void
test_severity(void **state)
{
	vl_severity s = VL_SEV_OFF;

	(void)state;
	assert_string_equal(vl_severity_name(VL_SEV_ERROR), "error");
	assert_string_equal(vl_severity_name(VL_SEV_WARNING), "warning");
	assert_string_equal(vl_severity_name(VL_SEV_INFO), "info");
	assert_string_equal(vl_severity_name(VL_SEV_OFF), "off");
	assert_int_equal(vl_severity_parse(&s, "warning"), 0);
	assert_int_equal(s, VL_SEV_WARNING);
	assert_int_equal(vl_severity_parse(&s, "off"), 0);
	assert_int_equal(s, VL_SEV_OFF);
	assert_int_equal(vl_severity_parse(&s, "fatal"), -1);
	assert_int_equal(vl_severity_parse(&s, "Error"), -1);
	assert_int_equal(vl_severity_parse(&s, NULL), -1);
}

static void
test_diags(void **state)
{
	vl_diags d = VL_DIAGS_INIT, e = VL_DIAGS_INIT;

	(void)state;
	assert_int_equal(vl_diags_add(&d, "b.md", 2, 1, "r1", VL_SEV_ERROR, "m%d", 1), 0);
	assert_int_equal(vl_diags_add(&d, "a.md", 10, 1, "r1", VL_SEV_WARNING, "m2"), 0);
	assert_int_equal(vl_diags_add(&d, "a.md", 9, 5, "r2", VL_SEV_INFO, "m3"), 0);
	assert_int_equal(vl_diags_add(&e, "a.md", 9, 5, "r1", VL_SEV_ERROR, "z"), 0);
	assert_int_equal(vl_diags_add(&e, "a.md", 9, 5, "r1", VL_SEV_ERROR, "a"), 0);
	assert_int_equal(vl_diags_add(&e, "a.md", 0, 0, "r9", VL_SEV_ERROR, "file"), 0);
	assert_int_equal(vl_diags_add(&e, "B.md", 1, 1, "r1", VL_SEV_ERROR, "upper"), 0);
	assert_int_equal(vl_diags_append(&d, &e), 0);
	assert_int_equal(e.len, 0);
	assert_null(e.items);
	assert_int_equal(d.len, 7);
	assert_string_equal(d.items[0].message, "m1");
	vl_diags_sort(&d);
	assert_string_equal(d.items[0].message, "upper");   /* 'B' < 'a' in bytes */
	assert_string_equal(d.items[1].message, "file");    /* line 0 first */
	assert_string_equal(d.items[2].message, "a");       /* r1 before r2, a before z */
	assert_string_equal(d.items[3].message, "z");
	assert_string_equal(d.items[4].message, "m3");
	assert_string_equal(d.items[5].message, "m2");
	assert_string_equal(d.items[6].message, "m1");
	assert_int_equal(d.items[6].line, 2);
	assert_string_equal(d.items[6].rule, "r1");
	assert_int_equal(vl_diags_count(&d, VL_SEV_ERROR), 5);
	assert_int_equal(vl_diags_count(&d, VL_SEV_WARNING), 1);
	assert_int_equal(vl_diags_count(&d, VL_SEV_INFO), 1);
	/* into an empty one (with room of its own): the items moved whole */
	{
		vl_diags empty = VL_DIAGS_INIT;
		const vl_diag *items = d.items;

		assert_int_equal(vl_diags_add(&empty, "x.md", 1, 1, "r", VL_SEV_ERROR, "gone"), 0);
		vl_diags_release(&empty);
		assert_int_equal(vl_diags_add(&empty, "x.md", 1, 1, "r", VL_SEV_ERROR, "x"), 0);
		free(empty.items[0].path);
		free(empty.items[0].message);
		empty.len = 0;
		assert_int_equal(vl_diags_append(&empty, &d), 0);
		assert_int_equal(empty.len, 7);
		assert_true(empty.items == items);
		assert_string_equal(empty.items[6].message, "m1");
		assert_int_equal(d.len, 0);
		assert_null(d.items);
		assert_int_equal(vl_diags_append(&empty, &d), 0);
		assert_int_equal(empty.len, 7);
		d = empty;
	}
	vl_diags_release(&d);
	assert_int_equal(d.len, 0);
	vl_diags_release(&d);
	vl_diags_release(NULL);
}

static void
test_diags_sort_stable_many(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	size_t i;

	(void)state;
	/* Equal keys (identical findings) must keep their order: track it by
	 * the severity field, which is not part of the sort key. */
	for (i = 0; i < 300; i++) {
		char path[16];

		snprintf(path, sizeof(path), "n%03zu.md", (i * 7919) % 100);
		assert_int_equal(vl_diags_add(&d, path, (uint32_t)(i % 3), 1, "r",
			(vl_severity)(1 + i / 100), "same"), 0);
	}
	vl_diags_sort(&d);
	for (i = 1; i < d.len; i++) {
		int c = strcmp(d.items[i - 1].path, d.items[i].path);

		assert_true(c <= 0);
		if (c == 0) {
			assert_true(d.items[i - 1].line <= d.items[i].line);
			if (d.items[i - 1].line == d.items[i].line)
				assert_true(d.items[i - 1].severity <= d.items[i].severity);
		}
	}
	vl_diags_release(&d);
}

/* Two sorted runs (the check state's report: the notes checked, then the
 * old findings), the first shorter and then the longer: merged in order,
 * an item of the first run before an equal one of the second. */
static void
test_diags_sort_two_runs(void **state)
{
	size_t sizes[][2] = { { 3, 200 }, { 200, 3 }, { 1, 1 }, { 50, 50 } }, t, i;

	(void)state;
	for (t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		vl_diags d = VL_DIAGS_INIT;
		size_t r;

		for (r = 0; r < 2; r++) {
			for (i = 0; i < sizes[t][r]; i++) {
				char path[16];

				/* run 0 every third path, run 1 every path: equal keys */
				snprintf(path, sizeof(path), "n%04zu.md", r == 0 ? i * 3 : i);
				assert_int_equal(vl_diags_add(&d, path, 1, 1, "r",
					(vl_severity)(r + 1), "m"), 0);
			}
		}
		vl_diags_sort(&d);
		assert_int_equal(d.len, sizes[t][0] + sizes[t][1]);
		for (i = 1; i < d.len; i++) {
			int c = strcmp(d.items[i - 1].path, d.items[i].path);

			assert_true(c <= 0);
			if (c == 0)
				assert_true(d.items[i - 1].severity < d.items[i].severity);
		}
		vl_diags_release(&d);
	}
}

/* The reference implementation's vectors (vectors_sip128 of SipHash's
 * vectors.h): key 00..0f, message the first i bytes of 00, 01, 02... */
/* A path is within a folder when it is the folder or below it, on a
 * boundary of its parts; every path is within "/". */
static void test_path_within(void **state)
{
	(void)state;
	assert_int_equal(vl_path_within("/v", 2, "/v"), 1);
	assert_int_equal(vl_path_within("/v", 2, "/v/a.md"), 1);
	assert_int_equal(vl_path_within("/v", 2, "/vault/a.md"), 0);
	assert_int_equal(vl_path_within("/v", 2, "/etc/passwd"), 0);
	assert_int_equal(vl_path_within("/", 1, "/etc/passwd"), 1);
}

/* Flow nesting is counted outside quotes and comments, up to max. */
#define TOO_DEEP(s, max) vl_yaml_too_deep(s, strlen(s), max)
static void test_yaml_too_deep(void **state)
{
	char deep[601];
	size_t i;

	(void)state;
	assert_int_equal(TOO_DEEP("a: [[1], {b: [2]}]\n", 3), 0);
	assert_int_equal(TOO_DEEP("a: [[[1]]]\n", 2), 1);
	/* brackets in quotes and comments are no nesting */
	assert_int_equal(TOO_DEEP("a: \"[[[[\" # [[[[\nb: '[[[['\n", 2), 0);
	assert_int_equal(TOO_DEEP("a: \"x\\\"[[[\"\n", 2), 0);
	/* a '#' inside a word starts no comment */
	assert_int_equal(TOO_DEEP("a: x#[[[\n", 2), 1);
	for (i = 0; i < 300; i++) {
		deep[i] = '[';
		deep[300 + i] = ']';
	}
	deep[600] = '\0';
	assert_int_equal(TOO_DEEP(deep, VL_YAML_DEPTH_MAX), 1);
	assert_int_equal(TOO_DEEP(deep + 100, VL_YAML_DEPTH_MAX), 0);
}
#undef TOO_DEEP

static void test_siphash128(void **state)
{
	(void)state;
	static const struct { size_t n; unsigned char tag[16]; } want[] = {
		{ 0, { 0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6,
		       0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93 } },
		{ 1, { 0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44,
		       0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45 } },
		{ 8, { 0x3b, 0x62, 0xa9, 0xba, 0x62, 0x58, 0xf5, 0x61,
		       0x0f, 0x83, 0xe2, 0x64, 0xf3, 0x14, 0x97, 0xb4 } },
		{ 15, { 0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0, 0xa8, 0x11,
		        0x7e, 0x08, 0xec, 0x0f, 0x97, 0xcf, 0xc3, 0xd9 } },
		{ 63, { 0x51, 0x50, 0xd1, 0x77, 0x2f, 0x50, 0x83, 0x4a,
		        0x50, 0x3e, 0x06, 0x9a, 0x97, 0x3f, 0xbd, 0x7c } },
	};
	unsigned char key[16], msg[64], tag[16];
	uint64_t out[2];
	size_t i, k;

	for (i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	for (k = 0; k < sizeof(want) / sizeof(*want); k++) {
		vl_siphash128(out, key, msg, want[k].n);
		for (i = 0; i < 16; i++)
			tag[i] = (unsigned char)(out[i / 8] >> (8 * (i % 8)));
		assert_memory_equal(tag, want[k].tag, 16);
	}
	/* another key, another tag */
	key[0] ^= 1;
	vl_siphash128(out, key, msg, 63);
	assert_true(out[0] != 0x4a83502f77d15051ULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_set),
		cmocka_unit_test(test_push),
		cmocka_unit_test(test_buf_basic),
		cmocka_unit_test(test_buf_printf_long),
		cmocka_unit_test(test_buf_json),
		cmocka_unit_test(test_buf_xml),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_arena_reserve),
		cmocka_unit_test(test_write_file_atomic_pieces),
		cmocka_unit_test(test_radix_sort),
		cmocka_unit_test(test_checksum_pieces),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_filemap),
		cmocka_unit_test(test_zeroed_pages),
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_count),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_lower_scratch),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_edit_distance_long),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_diags),
		cmocka_unit_test(test_diags_sort_two_runs),
		cmocka_unit_test(test_diags_sort_stable_many),
		cmocka_unit_test(test_path_within),
		cmocka_unit_test(test_yaml_too_deep),
		cmocka_unit_test(test_siphash128),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
