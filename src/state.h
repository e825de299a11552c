/*
 * state.h: the check state, the last whole-vault report of `check` kept
 * note by note, so that the run after an edit checks only the notes the
 * edit can change and takes every other note's findings from it.
 *
 * A note's findings depend on its own bytes, the config, the program, the
 * set of vault paths (link resolution, did-you-mean), and four facts of
 * other notes: the headings and block ids of the notes its links reach;
 * which notes have a block id (the "it is in 'X'" hint of a dangling block
 * reference); which note has an alias (the hint of a broken link); the
 * vault's most common spelling of each tag. So the state keeps, per note,
 * its identity (as the memo keys it), its bytes' fingerprint, the
 * summary the index needs (VL_CACHE_SUMMARY), the notes its links reach, the block ids they name,
 * the names they looked up (vl_resolution.probes) or gave as hints, and
 * the targets that reach nothing; per file, hashes of its path and name;
 * tables of block ids, aliases and tag spellings; and the report. A run
 * then checks:
 *   - the notes whose identity changed or cannot be trusted (racy) and
 *     whose bytes are not the ones checked (the state keeps their
 *     vl_fingerprint: a touch, a fresh clone that restored the state),
 *     and the notes added;
 *   - when such a note's headings or block ids changed, the notes that
 *     reach it;
 *   - when a block id appeared or went, the notes whose links name it;
 *   - when files were added or removed (a rename is both), the notes whose
 *     links looked up or hinted at one of their names, and the notes with
 *     a target that reaches nothing close enough to an added path (or
 *     equal to an added note's alias) to become its did-you-mean.
 * It does not serve (the run checks every note) when the config or the
 * program changed, a changed note's aliases changed, an edit changed a
 * tag's common spelling, or a note cannot be read.
 *
 * The state is a memo entry (memo.h) keyed by the program, the config and
 * the vault folder, not by the files, in <gitdir>/vaultlint/state/; it
 * is replaced after each run. `check --staged` keeps one for the index the
 * same way (blob ids for identities). Anything wrong with it
 * makes it not serve, never a wrong report.
 */
#ifndef VL_STATE_H
#define VL_STATE_H

#include <stddef.h>

#include "cache.h"
#include "diag.h"
#include "lint.h"
#include "memo.h"
#include "source.h"

typedef struct vl_state vl_state;

#define VL_STATE_KEEP 4

/* Starts the key of the state of a kind of check ("check state" for the
 * work tree, "staged state" for the index) of the vault folder vault
 * with the config's bytes (memo.h): kept in <gitdir>/vaultlint/state/,
 * apart from the memo, the newest VL_STATE_KEEP. Returns 0 or -1 (out of
 * memory). */
int vl_state_key_init(vl_memo_key *skey, const char *gitdir, const char *kind,
	const char *config, size_t config_len, const char *vault, vl_error *err);

/* Reads the state stored under skey (a key without files). Returns 1 with
 * *out a new state (caller frees), 0 when there is none or it is damaged,
 * -1 when out of memory. */
int vl_state_load(vl_state **out, vl_memo_key *skey, vl_error *err);

void vl_state_free(vl_state *st);

/* What vl_state_check did, for a trace. */
typedef struct vl_state_result {
	const char *why_not;   /* when the state did not serve: why */
	size_t n_checked;      /* notes checked again */
	size_t n_notes;        /* notes of the vault */
	int saved;             /* 1: the new state was stored; 0: too few notes
				* were checked to store it, st's stands; -1:
				* it could not be stored */
} vl_state_result;

/* The notes cache, opened when first wanted (it costs a scan of its file):
 * a changed note misses it anyway, so only an unchanged note checked again
 * is read through it. */
typedef vl_cache *(*vl_state_cache_fn)(void *payload);

/* Computes the report of a whole-vault check of src from st: the notes
 * that must be are checked with lo (its reach is the state's), unchanged
 * ones read through cache_fn(payload). lo->only, when not NULL, are the
 * lo->n_only paths (sorted; none when 0) whose findings the caller wants:
 * the others may be left out of the report. k is the run's key (for the
 * identity of files, racy rule included). The new state is stored under
 * skey unless the run checked only a few notes (res->saved): storing it
 * would cost more than checking them again next time. Returns 1 with the
 * report appended to out (sorted), 0 when the state cannot serve
 * (res->why_not says why; out is left as it was), -1 on error. */
int vl_state_check(vl_diags *out, vl_state_result *res, vl_state *st,
	vl_source *src, const vl_memo_key *k, vl_memo_key *skey,
	const vl_lint_opts *lo, vl_state_cache_fn cache_fn, void *payload, vl_error *err);

/* Stores the state of a whole-vault run: vault (every note whole), the
 * reach of each note (vl_lint_opts.reach) and the report d. Nothing is
 * stored when a note could not be read. Returns 0, or -1 when it could
 * not be stored (the run's report stands). */
int vl_state_save(vl_memo_key *skey, const vl_memo_key *k, const vl_vault *vault,
	const vl_reach *reach, const vl_diags *d, vl_error *err);

#endif
