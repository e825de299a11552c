/*
 * memo.h: the findings of earlier runs, remembered by everything they were
 * computed from, so that a run over inputs already checked gives the same
 * report without reading a note. The notes cache (cache.h) makes a run
 * that must lint cheaper; the memo makes a repeated run (CI retried, the
 * hook run again after an aborted commit, `check` after `check`) cost a
 * listing of the files.
 *
 * A key is a digest (SipHash-2-4, 128 bits, under a random key kept in
 * <git dir>/vaultlint/key: whoever does not know it cannot make two keys
 * meet) of: the program itself (every
 * object loaded into the process, by its GNU build id, else by path and
 * stat data), the
 * kind of run, the config's bytes as parsed, what the caller adds (the
 * commits and the diff a run compares), and, for each snapshot the run
 * reads, every file's path and identity: its blob id for git snapshots, its stat data for the work tree
 * (size, mtime and ctime to the nanosecond, inode, device, mode, as git's
 * index keeps them). Git's racy-timestamp rule applies: a work-tree file
 * whose mtime or ctime is not at least two seconds older than the start of
 * the run makes the key unusable, since a change made later in the same
 * clock tick could leave its stat data equal; such a run is neither looked
 * up nor stored.
 *
 * Entries are files <git dir>/vaultlint/memo/<digest>, written to a
 * temporary file and renamed (safe against concurrent runs); the newest
 * VL_MEMO_KEEP are kept, and a file "<digest>.<ext>" that a caller keeps
 * beside an entry goes with it. An entry that fails any check (magic, format,
 * digest, checksum, bounds) is a miss, never trusted and never an error.
 */
#ifndef VL_MEMO_H
#define VL_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "source.h"
#include "util.h"

#define VL_MEMO_KEEP 8

/* Appends to b the program's identity: every object loaded into this
 * process (the program and its libraries) by its GNU build id, which
 * the linker makes of the object's bytes, one line each, sorted. The
 * same build run again, or copied, or built afresh from the same source
 * by the same compiler (a CI job) has the same identity; another build
 * or an upgraded library may find other things. An object without one is
 * named by its path and stat data. Returns 0, 1 when an object cannot be
 * named (then nothing is appended), -1 when out of memory. The memo's
 * keys and the notes cache's header hold it. */
int vl_program_identity(vl_buf *b);
/* Hex digits of a key's digest (and of an entry's file name). */
#define VL_MEMO_DIGEST 32

typedef struct vl_memo_key {
	const char *gitdir; /* where the memo lives (borrowed) */
	const char *folder; /* its folder in <gitdir>/vaultlint/; NULL: "memo" */
	size_t keep;        /* entries kept in the folder; 0: VL_MEMO_KEEP */
	vl_buf in;          /* what the digest is taken of */
	int usable;         /* 0 once something could not be keyed */
	int64_t racy_sec;   /* work-tree files changed at or after this time */
	uint32_t racy_nsec; /* are racy */
	unsigned char secret[16]; /* the repository's digest key (see memo.c) */
	char digest[VL_MEMO_DIGEST + 1]; /* set by vl_memo_get / vl_memo_put */
} vl_memo_key;

/* Starts a key for a run of kind (e.g. "check", "staged --all") whose
 * memo lives in the git folder gitdir (NULL: no memo, e.g. --no-cache or
 * no repository; the key is then unusable and nothing is built), with the
 * config's bytes as they were parsed (NULL: the defaults). The program is
 * keyed by the build id of every object loaded into the process
 * (vaultlint and the libraries it runs): a copy of the same build, or the
 * same source built again alike, is the same program. Call it before listing any
 * work-tree file: the racy rule counts from this moment. Returns 0 or -1
 * (out of memory); a key that cannot be made is left unusable. Every
 * vl_memo_key_add* call on an unusable key does nothing. */
int vl_memo_key_init(vl_memo_key *k, const char *gitdir, const char *kind,
	const char *config, size_t config_len, vl_error *err);

/* Adds the bytes of the file at path (a git config, an attributes file),
 * or a mark that there is none. Returns 0 or -1 (out of memory). */
int vl_memo_key_add_file(vl_memo_key *k, const char *name, const char *path,
	vl_error *err);

/* Adds a named value (a commit id, the vault folder...). Returns 0 or -1. */
int vl_memo_key_add(vl_memo_key *k, const char *name, const char *value,
	vl_error *err);

/* Adds every file of src with its identity, and the problems met while
 * listing it. Returns 0 or -1 (out of memory). */
int vl_memo_key_add_source(vl_memo_key *k, const vl_source *src, vl_error *err);

/* Whether the identity that vl_memo_key_add_source keys file f by can be
 * trusted: a blob id, or stat data that is not racy. */
int vl_memo_file_trusted(const vl_memo_key *k, const vl_file *f);

void vl_memo_key_release(vl_memo_key *k);

/* Looks the key up. Returns 1 on a hit (the findings appended to out, *n_notes set),
 * 0 on a miss (also for an unusable key or a damaged entry), -1 when out of
 * memory. */
int vl_memo_get(vl_memo_key *k, vl_diags *out, size_t *n_notes, vl_error *err);

/* Stores the findings of a run (sorted, as reported) and the number of
 * notes it checked under the key; does nothing for an unusable key. The
 * oldest entries beyond VL_MEMO_KEEP are removed. Returns 0 or -1 (the
 * entry could not be written: the run's report stands). */
int vl_memo_put(vl_memo_key *k, const vl_diags *d, size_t n_notes, vl_error *err);

/* The same for a run whose result is text (a rendered changelog): on a
 * hit the text is appended to out. Returns 1, 0 or -1 as vl_memo_get. */
int vl_memo_get_text(vl_memo_key *k, vl_buf *out, vl_error *err);

/* The path of the key's entry, appended to out: 0, 1 for an unusable key
 * (nothing appended), -1 when out of memory. The check state keeps a
 * file of its own beside its entry. */
int vl_memo_key_path(vl_memo_key *k, vl_buf *out);

/* Looks the key up for a caller that decodes the entry itself (the check
 * state, state.h): returns 1 with *m the whole entry, mapped (the caller
 * releases it; its pages were let go of once checked), and *payload, *n
 * the bytes stored with vl_memo_put_text, or 0 / -1 as vl_memo_get. */
int vl_memo_get_raw(vl_memo_key *k, vl_filemap *m, const unsigned char **payload,
	size_t *n, vl_error *err);

/* The encoding of one finding in an entry, and the decoding of count of
 * them from p[0..n) into out (1, 0 when the bytes are damaged or do not
 * end with the last finding, -1 when out of memory); shared with the
 * check state. */
int vl_memo_encode_diag(vl_buf *b, const vl_diag *d);
int vl_memo_decode_diags(vl_diags *out, const unsigned char *p, size_t n, uint32_t count);
/* The same, adding to out only the findings whose path keep(path,
 * payload) accepts (all of them are checked). */
int vl_memo_decode_diags_if(vl_diags *out, const unsigned char *p, size_t n, uint32_t count,
	int (*keep)(const char *path, void *payload), void *payload);

/* Stores the n bytes of text under the key. Returns 0 or -1. */
int vl_memo_put_text(vl_memo_key *k, const char *text, size_t n, vl_error *err);

/* The same for a text written in pieces, too large to hold whole (the
 * check state): vl_memo_out_open (returns 0; 1 for an unusable key,
 * where the writes and the commit then do nothing; -1), any number of
 * vl_memo_out_write, then vl_memo_out_commit (0 or -1), or
 * vl_memo_out_abort to give up. The pieces go to a temporary file beside
 * the entry, renamed over it by the commit: a reader sees the old entry
 * or the new one, never half of one. */
typedef struct vl_memo_out {
	vl_file_out o;
	vl_buf path;
	uint64_t n;      /* the payload's bytes so far */
	int open;
	/* what the header says of a report (vl_memo_put): its findings and
	 * notes checked; 0 for a text */
	uint32_t count;
	uint64_t notes;
} vl_memo_out;

int vl_memo_out_open(vl_memo_out *w, vl_memo_key *k, vl_error *err);
int vl_memo_out_write(vl_memo_out *w, const void *p, size_t n, vl_error *err);
/* Writes b to w once it holds VL_MEMO_PIECE bytes (or whatever it holds,
 * when all is set), and empties it: a payload encoded a piece at a time
 * (a buffer flushed at a megabyte grew to two). Returns 0 or -1. */
#define VL_MEMO_PIECE ((size_t)1 << 18)
int vl_memo_out_flush(vl_memo_out *w, vl_buf *b, int all, vl_error *err);
int vl_memo_out_commit(vl_memo_out *w, vl_memo_key *k, vl_error *err);
void vl_memo_out_abort(vl_memo_out *w);

#endif
