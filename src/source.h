/*
 * source.h: where a vault's files come from. Parsing and rules never care
 * whether a vault is read from the work tree, the git index or a commit:
 * they see a vl_source, a list of files and a way to read each one.
 *
 * The work-tree source lives in walk.c; the git sources (index, any
 * revision) live in git/.
 */
#ifndef VL_SOURCE_H
#define VL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct vl_file {
	/* Ordered widest first, so that the struct has no padding inside:
	 * a vault holds one per file (72 bytes). */
	char *path;       /* relative to the vault root, '/' separated */
	/* git blob id when known (hex, in the source's arena), else "" */
	const char *oid;
	uint64_t size;    /* bytes; 0 for a revision's files (see git/source.c) */
	/* Work-tree files only (has_stat 1): the stat data taken when listing,
	 * as git's index keeps it, so that an unchanged file is recognised
	 * without reading it (see cache.h). All 0 for git sources. */
	int64_t mtime_sec, ctime_sec;
	uint64_t ino, dev;
	uint32_t mtime_nsec, ctime_nsec;
	uint32_t mode;
	unsigned char is_note;  /* 1 for *.md */
	unsigned char has_stat; /* 1 when the stat data above is set */
} vl_file;

typedef struct vl_source vl_source;

typedef struct vl_source_ops {
	/* Reads file i of the source into a malloc'd buffer (*out, *len).
	 * The buffer is NUL-terminated for convenience but may hold NULs.
	 * Returns 0, or -1 with err set. Must be safe to call from several
	 * threads at once on different files. */
	int (*read)(vl_source *src, size_t i, char **out, size_t *len, vl_error *err);
	void (*free)(vl_source *src);
} vl_source_ops;

struct vl_source {
	const vl_source_ops *ops;
	vl_file *files;       /* sorted by path (byte order) */
	size_t n_files, cap_files;
	/* The files' paths, packed: one malloc each cost ~16 bytes of
	 * allocator overhead and rounding on a ~30-byte path. A path is
	 * never freed or replaced on its own. */
	vl_arena paths;
	char *root;           /* the vault root: a folder, or "<rev>:<subdir>" */
	/* Problems met while listing (unreadable folder, symlink leaving the
	 * vault, symlink loop, a FIFO named like a note...): reported as
	 * invalid-input findings. */
	struct vl_source_problem {
		char *path;
		char *message;
		/* 1 for a FIFO, socket or device at path (not a symlink to
		 * one): git tracks none, so it is new against every commit */
		int special;
	} *problems;
	size_t n_problems, cap_problems;
	void *impl;           /* the implementation's own state */
};

/* Options shared by every source when listing files. */
typedef struct vl_source_opts {
	const char *const *ignore; /* glob patterns (config `ignore:`), or NULL */
	size_t n_ignore;
	int use_gitignore;         /* the work tree: skip paths the repository
	                              ignores (a snapshot's are all tracked) */
} vl_source_opts;

/* Lists the files of the vault rooted at folder dir (work tree). Hidden
 * entries (names starting with '.') are skipped, symlinks are followed only
 * when they stay inside the vault, loops are detected. On success *out is a
 * new source the caller frees with vl_source_free. */
int vl_source_open_dir(vl_source **out, const char *dir,
	const vl_source_opts *opts, vl_error *err);

/* Reads file i; see vl_source_ops.read. */
int vl_source_read(vl_source *src, size_t i, char **out, size_t *len, vl_error *err);

/* A note larger than this is not read (invalid-input): a 2 GB file named
 * .md would otherwise be held whole, per thread, to say it is binary. */
#define VL_NOTE_MAX ((uint64_t)256 << 20)

/* Reads the vault-relative path in the folder vault as a listing of the
 * work tree reads its notes: resolved beneath the folder (a symlink that
 * leads out of it, or loops, is refused), a regular file only (never a
 * FIFO: no hang), at most VL_NOTE_MAX bytes; *out is malloc'd and
 * NUL-terminated. Returns 0; -1 when the file cannot be read (err says
 * why: gone, not a regular file, a symlink out of the vault, too large);
 * -2 when memory ran out (err says "out of memory reading ..."), which
 * says nothing of the file: callers fail the run rather than report the
 * file as unreadable. */
int vl_read_in_vault(const char *vault, const char *path, char **out, size_t *len,
	vl_error *err);

/* Finds a file by vault-relative path; returns its index or -1. */
long vl_source_find(const vl_source *src, const char *path);

/* The first of the first n files of src (sorted by path) whose path does
 * not sort before path: where path is, or would go. */
size_t vl_source_lower(const vl_source *src, size_t n, const char *path);

/* Helpers for implementations: add a file (its path copied into
 * src->paths) / a listing problem, then sort (which also trims the files
 * array to its length: call it once the listing is complete). */
int vl_source_add(vl_source *src, const char *path, uint64_t size, const char *oid);
int vl_source_add_problem(vl_source *src, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vl_source_sort(vl_source *src);

/* Returns 1 when a path names a note: its file name ends in ".md",
 * whatever the case (vl_file.is_note). */
int vl_source_is_note_path(const char *path);

/* Returns 1 when a vault-relative path is excluded by opts' ignore globs. */
int vl_source_ignored(const vl_source_opts *opts, const char *path);

void vl_source_free(vl_source *src);

#endif
