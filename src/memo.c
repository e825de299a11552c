/*
 * memo.c: findings of earlier runs (see memo.h).
 *
 * Entry file (host byte order, like the notes cache: it never leaves the
 * machine that wrote it):
 *
 *   header   "VLMEMO\0\0", u32 format, u32 finding count, u64 notes
 *            checked, u64 payload length, u64 checksum of the payload,
 *            then the VL_MEMO_DIGEST hex digits of the key
 *   payload  per finding: u32 line, u32 col, u32 severity, then the path,
 *            the rule id and the message, each a u32 length and the bytes
 */
#include "memo.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "git/git.h"
#include "../rules/rule.h"

#define MEMO_MAGIC "VLMEMO\0\0"
#define MEMO_FORMAT 2u
#define MEMO_FIXED 40           /* the header before the digest */
#define MEMO_RACY_SECONDS 2
#define MEMO_MAX_BYTES (1u << 30)

/* ---- the key ---- */

/* A key's text is only ever digested, so its numbers are written as
 * they are held (8 bytes each, fixed width) rather than through printf,
 * which was a tenth of a repeated check's time over 50,000 files. */
static int put_field(vl_buf *b, const char *name, const void *p, size_t n)
{
	/* length-prefixed, so that no two different inputs read alike */
	return vl_buf_puts(b, name) < 0 || vl_buf_putc(b, ' ') < 0 ||
		vl_buf_put_u64(b, (uint64_t)n) < 0 || vl_buf_put(b, p, n) < 0 ||
		vl_buf_putc(b, '\n') < 0 ? -1 : 0;
}

/* The stat data a file is known by: "stat " and eight numbers. */
static int put_stat_data(vl_buf *b, uint64_t dev, uint64_t ino, uint64_t size,
	int64_t mtime_sec, uint32_t mtime_nsec, int64_t ctime_sec, uint32_t ctime_nsec,
	uint32_t mode)
{
	const uint64_t v[8] = { dev, ino, size, (uint64_t)mtime_sec, mtime_nsec,
		(uint64_t)ctime_sec, ctime_nsec, mode };
	size_t i;

	if (vl_buf_puts(b, "stat ") < 0)
		return -1;
	for (i = 0; i < 8; i++)
		if (vl_buf_put_u64(b, v[i]) < 0)
			return -1;
	return vl_buf_putc(b, '\n');
}

/* Reads the whole regular file at path into *out (malloc'd, *len bytes).
 * Returns 0, or -1 (errno set) when it cannot. */
static int read_whole(const char *path, int flags, unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO put there must not hang the run */
	return vl_read_fd(open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags), MEMO_MAX_BYTES,
		out, len);
}

/* What vl_program_identity finds of each object loaded (the program, its
 * libraries, the vDSO): a line of the key each, sorted (objects load in
 * an order an LD_PRELOAD changes). */
typedef struct program_lines {
	char **v;
	size_t n, cap;
	int rc;       /* 0, 1: an object cannot be named, -1: out of memory */
} program_lines;

/* The GNU build id of the object loaded at info, as hex in out (2 * 20
 * digits at most, the linker's SHA-1), or 0 when it has none. */
static int build_id(const struct dl_phdr_info *info, char out[2 * 64 + 1])
{
	size_t h;

	for (h = 0; h < info->dlpi_phnum; h++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[h];
		const unsigned char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
			ElfW(Nhdr) nh;
			size_t name_at, desc_at, next, i;

			memcpy(&nh, p, sizeof(nh));
			name_at = sizeof(nh);
			desc_at = name_at + ((nh.n_namesz + 3u) & ~3u);
			next = desc_at + ((nh.n_descsz + 3u) & ~3u);
			if (next > (size_t)(end - p))
				break;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp(p + name_at, "GNU", 4) == 0 && nh.n_descsz > 0 &&
			    nh.n_descsz <= 64) {
				for (i = 0; i < nh.n_descsz; i++)
					sprintf(out + 2 * i, "%02x", p[desc_at + i]);
				return 1;
			}
			p += next;
		}
	}
	return 0;
}

static int program_line(struct dl_phdr_info *info, size_t size, void *payload)
{
	program_lines *pl = payload;
	vl_buf line = VL_BUF_INIT;
	char id[2 * 64 + 1];
	const char *path = info->dlpi_name;
	struct stat st;

	(void)size;
	/* a line is a C string (the lines are sorted and joined as such):
	 * written as text, never with put_field's raw lengths, whose NUL
	 * bytes cut it short and left the build id out of every key */
	if (build_id(info, id)) {
		if (vl_buf_printf(&line, "build-id %s\n", id) < 0)
			pl->rc = -1;
	} else {
		/* no build id: the file, by path and stat data; an object
		 * that is no file (the kernel's vDSO) is passed over */
		if (path == NULL || path[0] == '\0')
			path = "/proc/self/exe";
		if (path[0] != '/')
			return 0;
		if (stat(path, &st) < 0)
			pl->rc = pl->rc < 0 ? -1 : 1;
		else if (vl_buf_printf(&line, "exe %zu:%s %llu %llu %llu %lld.%09ld %lld.%09ld %u\n",
		    strlen(path), path, (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		    (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, (unsigned)st.st_mode) < 0)
			pl->rc = -1;
	}
	if (line.len > 0 && (vl_buf_putc(&line, '\0') < 0 ||
	    VL_PUSH(pl->v, pl->n, pl->cap, line.ptr) < 0)) {
		pl->rc = -1;
		vl_buf_release(&line);
	}
	return 0;
}

int vl_program_identity(vl_buf *b)
{
	program_lines pl = { NULL, 0, 0, 0 };
	size_t i;

	dl_iterate_phdr(program_line, &pl);
	if (pl.rc == 0 && pl.n == 0)
		pl.rc = 1;
	if (pl.rc == 0)
		qsort(pl.v, pl.n, sizeof(*pl.v), vl_cmp_str);
	for (i = 0; i < pl.n && pl.rc == 0; i++)
		if (i == 0 || strcmp(pl.v[i], pl.v[i - 1]) != 0)
			pl.rc = vl_buf_printf(b, "%s", pl.v[i]) < 0 ? -1 : 0;
	for (i = 0; i < pl.n; i++)
		free(pl.v[i]);
	free(pl.v);
	return pl.rc;
}

/* The repository's digest key, <gitdir>/vaultlint/key (16 random bytes),
 * made on first use. Two runs that make it at once each rename theirs
 * into place and the last one stays: the entries the other wrote under
 * its own key are never found again, which costs a run, nothing more.
 * Returns 0, or 1 when there is none to be had (no memo then). */
static int memo_secret(const char *gitdir, unsigned char out[16])
{
	vl_buf path = VL_BUF_INIT;
	unsigned char *bytes = NULL;
	size_t n = 0, len = strlen(gitdir);
	vl_iovec part;
	vl_error err;
	int rc = 1;

	if (vl_buf_put(&path, gitdir, len) < 0 ||
	    (len > 0 && gitdir[len - 1] != '/' && vl_buf_putc(&path, '/') < 0) ||
	    vl_buf_puts(&path, "vaultlint/key") < 0)
		goto done;
	if (read_whole(path.ptr, O_NOFOLLOW, &bytes, &n) == 0 && n == 16) {
		memcpy(out, bytes, 16);
		rc = 0;
		goto done;
	}
	/* a key that is no key (cut short, emptied, a folder, a FIFO, a
	 * symlink) is replaced, as any damaged store is: else every run
	 * after it would go without the memo, the state and the cache */
	if (bytes != NULL || errno != ENOENT) {
		if (unlink(path.ptr) < 0 && rmdir(path.ptr) < 0)
			goto done;
	}
	if (getrandom(out, 16, 0) != 16)
		goto done;
	memset(&part, 0, sizeof(part));
	part.p = out;
	part.n = 16;
	if (vl_write_file_atomic(path.ptr, &part, 1, "the memo key", &err) == 0)
		rc = 0;
done:
	free(bytes);
	vl_buf_release(&path);
	return rc;
}

int vl_memo_key_init(vl_memo_key *k, const char *gitdir, const char *kind,
	const char *config, size_t config_len, vl_error *err)
{
	struct timespec now = { 0, 0 };
	int rc = 0, r;

	memset(k, 0, sizeof(*k));
	k->gitdir = gitdir;
	if (gitdir == NULL || clock_gettime(CLOCK_REALTIME, &now) < 0 ||
	    memo_secret(gitdir, k->secret) != 0)
		return 0;
	k->usable = 1;
	k->racy_sec = (int64_t)now.tv_sec - MEMO_RACY_SECONDS;
	k->racy_nsec = (uint32_t)now.tv_nsec;
	if (vl_buf_printf(&k->in, "vaultlint memo %u\n", MEMO_FORMAT) < 0 ||
	    put_field(&k->in, "kind", kind, strlen(kind)) < 0 ||
	    put_field(&k->in, "config", config ? config : "", config ? config_len : 0) < 0)
		rc = -1;
	if (rc == 0 && (r = vl_program_identity(&k->in)) != 0) {
		if (r < 0)
			rc = -1;
		k->usable = 0;
	}
	if (rc < 0) {
		vl_memo_key_release(k);
		return vl_error_set(err, "out of memory");
	}
	return 0;
}

int vl_memo_key_add_file(vl_memo_key *k, const char *name, const char *path,
	vl_error *err)
{
	unsigned char *bytes = NULL;
	size_t n = 0;
	int rc;

	if (!k->usable)
		return 0;
	if (read_whole(path, 0, &bytes, &n) == 0)
		rc = put_field(&k->in, name, bytes, n);
	else if (errno == ENOENT || errno == ENOTDIR)
		rc = put_field(&k->in, "absent", name, strlen(name));
	else {
		k->usable = 0; /* there but unreadable: no key */
		rc = 0;
	}
	free(bytes);
	if (rc < 0)
		return vl_error_set(err, "out of memory");
	return 0;
}

int vl_memo_key_add(vl_memo_key *k, const char *name, const char *value,
	vl_error *err)
{
	if (k->usable && put_field(&k->in, name, value, strlen(value)) < 0)
		return vl_error_set(err, "out of memory");
	return 0;
}

static int racy(const vl_memo_key *k, int64_t sec, uint32_t nsec)
{
	return sec != k->racy_sec ? sec > k->racy_sec : nsec >= k->racy_nsec;
}

int vl_memo_file_trusted(const vl_memo_key *k, const vl_file *f)
{
	if (f->oid[0] != '\0')
		return 1;
	return f->has_stat && !racy(k, f->mtime_sec, f->mtime_nsec) &&
		!racy(k, f->ctime_sec, f->ctime_nsec);
}

/* Appends the identity of file f to out: 1 when it can be trusted, 0 when
 * not (racy, or neither blob id nor stat data), -1 when out of memory. */
static int file_identity(const vl_memo_key *k, const vl_file *f, vl_buf *out)
{
	if (f->oid[0] != '\0')
		return vl_buf_puts(out, "oid ") < 0 || vl_buf_puts(out, f->oid) < 0 ||
			vl_buf_putc(out, '\n') < 0 ? -1 : 1;
	if (!f->has_stat)
		return 0;
	if (put_stat_data(out, f->dev, f->ino, f->size, f->mtime_sec, f->mtime_nsec,
	    f->ctime_sec, f->ctime_nsec, f->mode) < 0)
		return -1;
	return vl_memo_file_trusted(k, f);
}

/* What the digest is taken of is kept short: once it passes 64 KB, it
 * is replaced by "chain <digest of it>" (a key's text starts "vaultlint
 * memo", so no text that was not chained reads the same). A listing of
 * 50,000 files would otherwise hold 5 MB; every byte is hashed once
 * either way. */
#define KEY_CHAIN (64u << 10)

/* The digest of n bytes at p under the key's secret, in hex. SipHash
 * runs at a few cycles a byte: git's SHA-1 (with its collision check)
 * was a third of a repeated check over 50,000 files. */
static void digest_hex(const vl_memo_key *k, const void *p, size_t n,
	char hex[VL_MEMO_DIGEST + 1])
{
	uint64_t h[2];
	size_t i;

	vl_siphash128(h, k->secret, p, n);
	for (i = 0; i < VL_MEMO_DIGEST; i++)
		hex[i] = "0123456789abcdef"[(h[i / 16] >> (60 - 4 * (i % 16))) & 15];
	hex[VL_MEMO_DIGEST] = '\0';
}

static int key_chain(vl_memo_key *k)
{
	char hex[VL_MEMO_DIGEST + 1];

	if (k->in.len < KEY_CHAIN)
		return 0;
	digest_hex(k, k->in.ptr, k->in.len, hex);
	k->in.len = 0;
	return vl_buf_printf(&k->in, "chain %s\n", hex) < 0 ? -1 : 0;
}

int vl_memo_key_add_source(vl_memo_key *k, const vl_source *src, vl_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n_files && rc == 0 && k->usable; i++) {
		const vl_file *f = &src->files[i];

		rc = put_field(&k->in, "file", f->path, strlen(f->path));
		if (rc == 0 && (rc = file_identity(k, f, &k->in)) >= 0) {
			if (rc == 0)
				k->usable = 0;
			rc = key_chain(k);
		}
	}
	for (i = 0; i < src->n_problems && rc == 0 && k->usable; i++)
		if (put_field(&k->in, "problem", src->problems[i].path,
		    strlen(src->problems[i].path)) < 0 ||
		    put_field(&k->in, "message", src->problems[i].message,
		    strlen(src->problems[i].message)) < 0)
			rc = -1;
	if (rc < 0)
		return vl_error_set(err, "out of memory");
	return 0;
}

void vl_memo_key_release(vl_memo_key *k)
{
	if (k == NULL)
		return;
	vl_buf_release(&k->in);
	memset(k, 0, sizeof(*k));
}

/* The entry's path, "<gitdir>/vaultlint/<folder>/<digest>", in b. */
static int entry_path(vl_buf *b, const vl_memo_key *k)
{
	size_t n = strlen(k->gitdir);

	return vl_buf_put(b, k->gitdir, n) < 0 ||
		(n > 0 && k->gitdir[n - 1] != '/' && vl_buf_putc(b, '/') < 0) ||
		vl_buf_printf(b, "vaultlint/%s/", k->folder ? k->folder : "memo") < 0 ||
		vl_buf_puts(b, k->digest) < 0 ? -1 : 0;
}

static int make_digest(vl_memo_key *k);

int vl_memo_key_path(vl_memo_key *k, vl_buf *out)
{
	if (!k->usable || make_digest(k) < 0)
		return 1;
	return entry_path(out, k) < 0 ? -1 : 0;
}

static int make_digest(vl_memo_key *k)
{
	if (k->digest[0] == '\0')
		digest_hex(k, k->in.ptr ? k->in.ptr : "", k->in.len, k->digest);
	return 0;
}

/* ---- entries ---- */

/* A string of the payload, copied NUL-terminated into b (grown as
 * needed); NULL when out of bounds or out of memory (*oom set). */
static const char *get_str(vl_reader *r, vl_buf *b, int *oom)
{
	uint32_t n = vl_read_u32(r);

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	b->len = 0;
	if (vl_buf_put(b, (const char *)r->p, n) < 0 || vl_buf_put(b, "", 1) < 0) {
		*oom = 1;
		return NULL;
	}
	r->p += n;
	return b->ptr;
}

int vl_memo_decode_diags(vl_diags *out, const unsigned char *p, size_t n, uint32_t count)
{
	return vl_memo_decode_diags_if(out, p, n, count, NULL, NULL);
}

int vl_memo_decode_diags_if(vl_diags *out, const unsigned char *p, size_t n, uint32_t count,
	int (*keep)(const char *path, void *payload), void *payload)
{
	vl_reader r = { p, p + n, 0 };
	vl_buf path = VL_BUF_INIT, rule = VL_BUF_INIT, msg = VL_BUF_INIT;
	uint32_t i;
	int rc = -1, oom = 0;
	void *items = out->items;

	/* room for them all at once (a few may be left out): a report of
	 * tens of thousands, grown by doubling, would hold two copies */
	if (count > 0 && (count > n || vl_grow(&items, &out->cap, out->len + count,
	    sizeof(*out->items)) < 0))
		return count > n ? 0 : -1;
	out->items = items;
	for (i = 0; i < count; i++) {
		uint32_t line = vl_read_u32(&r), col = vl_read_u32(&r), sev = vl_read_u32(&r);
		int ri;

		if (get_str(&r, &path, &oom) == NULL || get_str(&r, &rule, &oom) == NULL ||
		    get_str(&r, &msg, &oom) == NULL || sev < VL_SEV_INFO || sev > VL_SEV_ERROR ||
		    (ri = vl_rule_index(rule.ptr)) < 0) {
			rc = oom ? -1 : 0;
			goto done;
		}
		if (keep && !keep(path.ptr, payload))
			continue;
		if (vl_diags_add(out, path.ptr, line, col, vl_rules[ri].id, (vl_severity)sev,
		    "%s", msg.ptr) < 0)
			goto done;
	}
	rc = r.p == r.end ? 1 : 0;
done:
	vl_buf_release(&path);
	vl_buf_release(&rule);
	vl_buf_release(&msg);
	return rc;
}

/* The checksum of the n bytes at p of the entry m, its pages let go of
 * as it passes them: an entry of tens of MB (the check state) is not held
 * whole to check it. */
static uint64_t entry_sum(const vl_filemap *m, const unsigned char *p, size_t n)
{
	const size_t piece = (size_t)1 << 20;
	vl_checksum c;
	size_t at, k;

	vl_checksum_init(&c, n);
	for (at = 0; at < n; at += k) {
		k = n - at < piece ? n - at : piece;
		vl_checksum_update(&c, p + at, k);
		vl_filemap_drop(m, p + at, p + at + k);
	}
	return vl_checksum_final(&c);
}

/* Reads the entry of key: 1 with *m the file (mapped: the caller
 * releases it) and *payload, *plen, *count, *notes its parts; 0 when
 * there is no valid entry; -1 when out of memory. */
static int entry_read(vl_memo_key *k, vl_filemap *m,
	const unsigned char **payload, size_t *plen, uint32_t *count, uint64_t *notes)
{
	vl_buf path = VL_BUF_INIT;
	uint32_t format;
	uint64_t n, sum;
	vl_reader r;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!k->usable || make_digest(k) < 0)
		return 0;
	if (entry_path(&path, k) < 0) {
		rc = -1;
		goto done;
	}
	/* any failure to read is a miss */
	if (vl_filemap_open(m, open(path.ptr, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK),
	    MEMO_MAX_BYTES) < 0 || m->len < 8 || memcmp(m->p, MEMO_MAGIC, 8) != 0)
		goto done;
	r.p = m->p + 8;
	r.end = m->p + m->len;
	r.bad = 0;
	format = vl_read_u32(&r);
	*count = vl_read_u32(&r);
	*notes = vl_read_u64(&r);
	n = vl_read_u64(&r);
	sum = vl_read_u64(&r);
	if (r.bad || format != MEMO_FORMAT || (size_t)(r.end - r.p) < VL_MEMO_DIGEST ||
	    memcmp(r.p, k->digest, VL_MEMO_DIGEST) != 0)
		goto done;
	r.p += VL_MEMO_DIGEST;
	if (n != (uint64_t)(r.end - r.p) || entry_sum(m, r.p, (size_t)n) != sum)
		goto done;
	*payload = r.p;
	*plen = (size_t)n;
	/* used: the newest entries are the ones kept */
	(void)utimensat(AT_FDCWD, path.ptr, NULL, AT_SYMLINK_NOFOLLOW);
	rc = 1;
done:
	if (rc != 1)
		vl_filemap_release(m);
	vl_buf_release(&path);
	return rc;
}

int vl_memo_get(vl_memo_key *k, vl_diags *out, size_t *n_notes, vl_error *err)
{
	vl_filemap m;
	const unsigned char *payload = NULL;
	size_t plen = 0, before = out->len;
	uint32_t count = 0;
	uint64_t notes = 0;
	int rc;

	rc = entry_read(k, &m, &payload, &plen, &count, &notes);
	/* an entry too large to decode is a miss too: the run computes anew */
	if (rc == 1 && (rc = vl_memo_decode_diags(out, payload, plen, count)) < 0)
		rc = 0;
	if (rc == 1) {
		*n_notes = (size_t)notes;
	} else {
		/* nothing half-read is reported */
		while (out->len > before) {
			out->len--;
			free(out->items[out->len].path);
			free(out->items[out->len].message);
		}
	}
	vl_filemap_release(&m);
	if (rc < 0)
		vl_error_set(err, "out of memory");
	return rc;
}

int vl_memo_get_text(vl_memo_key *k, vl_buf *out, vl_error *err)
{
	vl_filemap m;
	const unsigned char *payload = NULL;
	size_t plen = 0;
	uint32_t count = 0;
	uint64_t notes = 0;
	int rc;

	rc = entry_read(k, &m, &payload, &plen, &count, &notes);
	if (rc == 1 && vl_buf_put(out, (const char *)payload, plen) < 0)
		rc = -1;
	vl_filemap_release(&m);
	if (rc < 0)
		vl_error_set(err, "out of memory");
	return rc;
}

int vl_memo_get_raw(vl_memo_key *k, vl_filemap *m, const unsigned char **payload,
	size_t *n, vl_error *err)
{
	uint32_t count = 0;
	uint64_t notes = 0;
	int rc;

	*payload = NULL;
	*n = 0;
	rc = entry_read(k, m, payload, n, &count, &notes);
	if (rc < 0)
		vl_error_set(err, "out of memory");
	return rc;
}

typedef struct entry_age {
	char *name;
	struct timespec mtime;
} entry_age;

static int cmp_age(const void *a, const void *b)
{
	const entry_age *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec > y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec > y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int is_digest(const char *s, size_t n)
{
	return n == VL_MEMO_DIGEST && strspn(s, "0123456789abcdef") >= VL_MEMO_DIGEST;
}

/* Removes the entries beyond the newest keep in the folder dir, and the
 * files that go with an entry ("<digest>.<ext>") once it is gone. */
static void prune(const char *dir, size_t keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	entry_age *ages = NULL;
	size_t n = 0, cap = 0, i;
	struct stat st;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		entry_age a;

		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* a temporary file an hour old was left by a run that died */
		if (strstr(e->d_name, ".tmp-") != NULL) {
			if (st.st_mtim.tv_sec < time(NULL) - 3600)
				(void)unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		/* entries of the earlier format, named by git's 40-digit
		 * SHA-1, and what went with them: never read again */
		if (strspn(e->d_name, "0123456789abcdef") == 40 &&
		    (e->d_name[40] == '\0' || e->d_name[40] == '.')) {
			(void)unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (!is_digest(e->d_name, strlen(e->d_name)))
			continue;
		a.name = strdup(e->d_name);
		a.mtime = st.st_mtim;
		if (a.name == NULL || VL_PUSH(ages, n, cap, a) < 0) {
			free(a.name);
			break;
		}
	}
	if (n > keep) {
		qsort(ages, n, sizeof(*ages), cmp_age);
		for (i = keep; i < n; i++)
			(void)unlinkat(dirfd(d), ages[i].name, 0);
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		const char *dot = strchr(e->d_name, '.');
		char entry[VL_MEMO_DIGEST + 1];

		if (dot == NULL || strstr(e->d_name, ".tmp-") != NULL ||
		    !is_digest(e->d_name, (size_t)(dot - e->d_name)))
			continue;
		memcpy(entry, e->d_name, VL_MEMO_DIGEST);
		entry[VL_MEMO_DIGEST] = '\0';
		if (fstatat(dirfd(d), entry, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	for (i = 0; i < n; i++)
		free(ages[i].name);
	free(ages);
	closedir(d);
}

/* An entry's header: what it holds (count findings of notes notes, or
 * 0 and 0 for a text) and its payload's length and checksum. */
static void make_head(unsigned char head[MEMO_FIXED], uint32_t count, uint64_t notes,
	uint64_t plen, uint64_t sum)
{
	uint32_t format = MEMO_FORMAT;

	memcpy(head, MEMO_MAGIC, 8);
	memcpy(head + 8, &format, 4);
	memcpy(head + 12, &count, 4);
	memcpy(head + 16, &notes, 8);
	memcpy(head + 24, &plen, 8);
	memcpy(head + 32, &sum, 8);
}

/* Prunes the folder of the entry at path (which it changes). */
static void entry_written(vl_buf *path, const vl_memo_key *k)
{
	path->ptr[path->len - VL_MEMO_DIGEST - 1] = '\0'; /* the folder */
	prune(path->ptr, k->keep ? k->keep : VL_MEMO_KEEP);
}

/* Writes the entry of key: the header, the digest, the payload; then
 * prunes the folder. */
static int entry_write(vl_memo_key *k, const char *payload, size_t n, uint32_t count,
	uint64_t notes, vl_error *err)
{
	vl_buf path = VL_BUF_INIT;
	unsigned char head[MEMO_FIXED];
	vl_iovec parts[3];
	int rc = -1;

	if (make_digest(k) < 0)
		return vl_error_set(err, "cannot hash the memo's key");
	make_head(head, count, notes, n, vl_checksum64(payload, n));
	parts[0].p = head;
	parts[0].n = sizeof(head);
	parts[1].p = k->digest;
	parts[1].n = VL_MEMO_DIGEST;
	parts[2].p = payload;
	parts[2].n = n;
	if (entry_path(&path, k) < 0) {
		vl_buf_release(&path);
		return vl_error_set(err, "out of memory");
	}
	rc = vl_write_file_atomic(path.ptr, parts, 3, "the memo", err);
	if (rc == 0)
		entry_written(&path, k);
	vl_buf_release(&path);
	return rc;
}

int vl_memo_out_open(vl_memo_out *w, vl_memo_key *k, vl_error *err)
{
	unsigned char head[MEMO_FIXED];
	vl_iovec parts[2];

	memset(w, 0, sizeof(*w));
	w->o.fd = -1;
	if (!k->usable)
		return 1;
	if (make_digest(k) < 0)
		return vl_error_set(err, "cannot hash the memo's key");
	if (entry_path(&w->path, k) < 0) {
		vl_buf_release(&w->path);
		return vl_error_set(err, "out of memory");
	}
	if (vl_file_out_open(&w->o, w->path.ptr, "the memo", err) < 0) {
		vl_buf_release(&w->path);
		return -1;
	}
	/* the header, filled in by the commit */
	memset(head, 0, sizeof(head));
	parts[0].p = head;
	parts[0].n = sizeof(head);
	parts[1].p = k->digest;
	parts[1].n = VL_MEMO_DIGEST;
	if (vl_file_out_write(&w->o, parts, 2, err) < 0) {
		vl_memo_out_abort(w);
		return -1;
	}
	w->open = 1;
	return 0;
}

int vl_memo_out_write(vl_memo_out *w, const void *p, size_t n, vl_error *err)
{
	vl_iovec part;

	if (!w->open || n == 0)
		return 0;
	part.p = p;
	part.n = n;
	if (vl_file_out_write(&w->o, &part, 1, err) < 0)
		return -1;
	w->n += n;
	return 0;
}

int vl_memo_out_flush(vl_memo_out *w, vl_buf *b, int all, vl_error *err)
{
	if (b->len < VL_MEMO_PIECE && !all)
		return 0;
	if (vl_memo_out_write(w, b->ptr, b->len, err) < 0)
		return -1;
	b->len = 0;
	return 0;
}

/* The piece the payload is read back in for its checksum. */
#define READ_BACK ((size_t)1 << 16)

int vl_memo_out_commit(vl_memo_out *w, vl_memo_key *k, vl_error *err)
{
	unsigned char head[MEMO_FIXED], *chunk;
	uint64_t at = MEMO_FIXED + VL_MEMO_DIGEST, left = w->n;
	vl_checksum c;
	int rc = -1;

	if (!w->open)
		return 0;
	/* the payload's checksum, read back in pieces: its length comes
	 * first in the sum, and is known only now */
	chunk = malloc(READ_BACK);
	if (chunk == NULL) {
		vl_error_set(err, "out of memory");
		goto done;
	}
	vl_checksum_init(&c, w->n);
	while (left > 0) {
		size_t want = left < READ_BACK ? (size_t)left : READ_BACK;
		ssize_t got = pread(w->o.fd, chunk, want, (off_t)at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			vl_error_set(err, "cannot read back the memo '%s': %s", w->path.ptr,
				got < 0 ? strerror(errno) : "file cut short");
			goto done;
		}
		vl_checksum_update(&c, chunk, (size_t)got);
		at += (uint64_t)got;
		left -= (uint64_t)got;
	}
	make_head(head, w->count, w->notes, w->n, vl_checksum_final(&c));
	if (vl_pwrite_all(w->o.fd, head, sizeof(head), 0) < 0) {
		vl_error_set(err, "cannot write the memo '%s': %s", w->path.ptr, strerror(errno));
		goto done;
	}
	w->open = 0;
	rc = vl_file_out_commit(&w->o, err);
	if (rc == 0)
		entry_written(&w->path, k);
done:
	free(chunk);
	if (w->open)
		vl_memo_out_abort(w);
	vl_buf_release(&w->path);
	return rc;
}

void vl_memo_out_abort(vl_memo_out *w)
{
	if (w->o.fd >= 0)
		vl_file_out_abort(&w->o);
	w->open = 0;
	vl_buf_release(&w->path);
}

int vl_memo_encode_diag(vl_buf *b, const vl_diag *d)
{
	return vl_buf_put_u32(b, d->line) < 0 || vl_buf_put_u32(b, d->col) < 0 ||
		vl_buf_put_u32(b, (uint32_t)d->severity) < 0 ||
		vl_buf_put_lstr(b, d->path) < 0 || vl_buf_put_lstr(b, d->rule) < 0 ||
		vl_buf_put_lstr(b, d->message) < 0 ? -1 : 0;
}

int vl_memo_put(vl_memo_key *k, const vl_diags *d, size_t n_notes, vl_error *err)
{
	vl_buf piece = VL_BUF_INIT;
	vl_memo_out w;
	size_t i;
	int rc;

	if (!k->usable)
		return 0;
	if (d->len > UINT32_MAX)
		return vl_error_set(err, "too many findings to remember");
	/* tens of thousands of findings are megabytes: written a piece at
	 * a time, not encoded whole first */
	if ((rc = vl_memo_out_open(&w, k, err)) != 0)
		return rc < 0 ? -1 : 0;
	for (i = 0; i < d->len; i++) {
		if (vl_memo_encode_diag(&piece, &d->items[i]) < 0) {
			vl_error_set(err, "out of memory");
			goto fail;
		}
		if (vl_memo_out_flush(&w, &piece, 0, err) < 0)
			goto fail;
	}
	if (vl_memo_out_flush(&w, &piece, 1, err) < 0)
		goto fail;
	vl_buf_release(&piece);
	w.count = (uint32_t)d->len;
	w.notes = n_notes;
	return vl_memo_out_commit(&w, k, err);
fail:
	vl_buf_release(&piece);
	vl_memo_out_abort(&w);
	return -1;
}

int vl_memo_put_text(vl_memo_key *k, const char *text, size_t n, vl_error *err)
{
	if (!k->usable)
		return 0;
	return entry_write(k, text, n, 0, 0, err);
}
