/*
 * sync.h: `vaultlint commit` and `vaultlint sync`, built so that no edit is
 * ever lost, even when the process is killed at any point.
 *
 * Scope. `commit` stages the vault folder only (the repository-relative
 * vault_prefix: new, modified, deleted and renamed files, honouring
 * .gitignore) and commits it. `sync` works on the whole repository: fetch,
 * merge and push move the current branch, which holds every folder. Changes
 * outside the vault folder are never committed by us; when they block the
 * checkout of a merge, sync stops with an error and moves nothing.
 *
 * The lock. Both commands take .git/vaultlint-sync.lock (created with
 * O_CREAT|O_EXCL, holding the pid, kept open with an flock). A lock whose
 * pid is dead and whose flock nobody holds is stale: it is removed, and so
 * are the git lock files a killed run may have left (index.lock,
 * FETCH_HEAD.lock, the branch's and remote-tracking ref's .lock).
 *
 * The push runs in a forked child (like git's receive-pack, which is
 * another process): killing sync never cuts a ref update on the remote in
 * half, which for a remote on the local filesystem would leave the remote's
 * branch locked for every clone. The child inherits the lock's flock, so
 * the next sync waits for it (up to 10 s) before taking over.
 *
 * Crash safety. Refs move only after the work tree matches them. Before a
 * checkout that moves the branch (fast-forward or merge), sync writes
 * .git/vaultlint-sync.state ("from OID / to OID / ref NAME"); it removes it
 * once the ref has moved. The next run that finds the file while the branch
 * still points at `from` looks at the work tree: when every difference from
 * `from` is a file already written (or partly written, or removed) as in
 * `to`, the interrupted checkout is completed and the ref moved; when the
 * user has edited anything since, the file is dropped and the usual path
 * (commit the work tree, then merge) keeps those edits.
 *
 * Conflicts (design decision). A conflict is never left in the work tree
 * and never blocks the history. Sync commits the merge with:
 *   - both sides changed a file (or both added it): the local version
 *     ("ours") at its path, the remote version ("theirs") next to it as
 *     NOTE.conflict-<short theirs commit>.md (for a file without ".md" the
 *     tag goes before its extension, or at the end);
 *   - one side deleted, the other modified: the modified version is kept
 *     (this is reported, but is not a conflict);
 *   - rename on one side and edits on the other merge through libgit2's
 *     rename detection (GIT_MERGE_FIND_RENAMES);
 *   - renamed on both sides to two names: both names are kept, reported
 *     as a conflict (VL_SYNC_RENAMED_BOTH).
 * The merge commit has both parents, so it pushes as a fast-forward and the
 * other clones receive the conflict files too. Both versions are therefore
 * on disk and in history; the user merges them by hand and deletes the
 * conflict file, and the next sync records that. sync reports the notes
 * (res->conflicts) and the command exits 1.
 *
 * Test hook. opts->before_push (from the environment variable
 * VAULTLINT_TEST_BEFORE_PUSH, test-only) is a shell command run in the work
 * tree right before every push attempt: the tests use it to make another
 * clone push first, so the push is rejected and retried.
 */
#ifndef VL_GIT_SYNC_H
#define VL_GIT_SYNC_H

#include <stddef.h>

#include "../util.h"

/* Reports transfer progress: what is "Receiving objects" or "Writing
 * objects"; done of total (total may be 0 when unknown). */
typedef void (*vl_sync_progress_cb)(const char *what, size_t done,
	size_t total, void *payload);

typedef struct vl_sync_opts {
	const char *vault_prefix; /* vault folder relative to the work tree, "" = root */
	const char *message;      /* commit message (-m), or NULL: generated */
	const char *commit_template; /* config `commit: template:`, or NULL */
	const char *remote;       /* NULL: "origin" */
	const char *branch;       /* remote branch; NULL: the current branch's name */
	int no_push;              /* fetch and merge only */
	int no_verify;            /* skip the pre-commit hook */
	const char *token;        /* HTTPS token (VAULTLINT_TOKEN), or NULL; never printed */
	const char *ssh_key;      /* private key file, or NULL: git config vaultlint.sshKey */
	const char *before_push;  /* test-only shell command, or NULL (see above) */
	vl_sync_progress_cb progress; /* or NULL */
	void *payload;
} vl_sync_opts;

typedef enum vl_sync_conflict_kind {
	VL_SYNC_BOTH_CHANGED,     /* ours at path, theirs at copy */
	VL_SYNC_KEPT_MODIFIED,    /* deleted on one side, modified version kept */
	VL_SYNC_FILE_FOLDER,      /* a file and a folder named path: the file at copy */
	VL_SYNC_RENAMED_BOTH      /* from renamed to path here and to copy there */
} vl_sync_conflict_kind;

typedef struct vl_sync_conflict {
	vl_sync_conflict_kind kind;
	char *path;               /* repository-relative path kept */
	char *copy;               /* repository-relative conflict file (for
	                             RENAMED_BOTH the other side's name), or NULL */
	char *from;               /* RENAMED_BOTH: the name before; else NULL */
} vl_sync_conflict;

typedef enum vl_sync_merge {
	VL_SYNC_NOTHING,          /* remote branch does not exist yet */
	VL_SYNC_UP_TO_DATE,
	VL_SYNC_FAST_FORWARD,
	VL_SYNC_MERGED
} vl_sync_merge;

typedef struct vl_sync_result {
	int committed;            /* 1 when a local commit was made */
	char commit[41];          /* its id */
	char *message;            /* its full message (malloc'd), or NULL */
	int recovered;            /* an interrupted sync was completed */
	vl_sync_merge merge;      /* what the last fetch led to */
	char head[41];            /* the branch's final commit */
	int pushed;               /* 1 when the remote branch was updated */
	int push_attempts;
	char *remote;             /* remote and remote branch used */
	char *branch;
	vl_sync_conflict *conflicts; size_t n_conflicts, cap_conflicts;
	/* Conflict files (*.conflict-*) still in the repository from earlier
	 * syncs (in the vault folder or not), repository-relative. */
	char **pending; size_t n_pending, cap_pending;
	/* Folders of the vault left out of the commit because each is a git
	 * repository of its own (untracked; repository-relative, ending in
	 * '/'): git would commit one as a link to a commit that the remote
	 * does not have. */
	char **nested; size_t n_nested, cap_nested;
} vl_sync_result;

void vl_sync_result_init(vl_sync_result *res);
void vl_sync_result_release(vl_sync_result *res);

/* Stages every change in the vault folder of the repository whose work
 * tree holds dir, runs the pre-commit hook (unless opts->no_verify) and
 * commits with the author from the git config. res->committed stays 0 when
 * there is nothing to commit. Refuses (-1) mid-merge or mid-rebase, or when
 * a sync holds the lock. Returns 0 or -1 with err set. */
int vl_commit_run(vl_sync_result *res, const char *dir,
	const vl_sync_opts *opts, vl_error *err);

/* Commit, fetch, merge (keeping both sides of conflicts), push with up to
 * three retries on rejection, then verifies that the remote branch equals
 * HEAD and the vault folder is clean. Refuses (-1) mid-merge, mid-rebase,
 * on a detached HEAD or when another sync holds the lock. Returns 0 (see
 * res->n_conflicts) or -1 with err set. */
int vl_sync_run(vl_sync_result *res, const char *dir,
	const vl_sync_opts *opts, vl_error *err);

#endif
