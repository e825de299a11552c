/*
 * index.h: the vault index. Built once from every parsed note and the list
 * of attachments; resolves links the way Obsidian does (see
 * ../shared/OBSIDIAN.md and the README's "How links resolve").
 */
#ifndef VL_INDEX_H
#define VL_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "note.h"
#include "source.h"
#include "util.h"

typedef struct vl_index vl_index;

typedef enum vl_resolve_kind {
	VL_RESOLVE_NOTE,       /* note is set */
	VL_RESOLVE_FILE,       /* file is set (an attachment) */
	VL_RESOLVE_SELF,       /* [[#...]]: the linking note itself (note set) */
	VL_RESOLVE_MISSING,    /* nothing of that name */
	VL_RESOLVE_AMBIGUOUS,  /* a bare name that several notes have */
	VL_RESOLVE_EXTERNAL,   /* a URL: not checked */
	VL_RESOLVE_OUTSIDE     /* a relative path that leaves the vault */
} vl_resolve_kind;

#define VL_MAX_CANDIDATES 8
#define VL_MAX_PROBES 8

typedef struct vl_resolution {
	vl_resolve_kind kind;
	const vl_note *note;
	/* NOTE, AMBIGUOUS (the first candidate) and SELF: the note's
	 * vault-relative path, which the index knows for a stub too */
	const char *note_path;
	const char *file;      /* vault-relative path of the attachment */
	/* For AMBIGUOUS: the notes sharing the name (up to VL_MAX_CANDIDATES),
	 * the one Obsidian would open first, and how many there are. */
	const vl_note *candidates[VL_MAX_CANDIDATES];
	size_t n_candidates;
	/* The names the resolution looked up (vl_index_name_hash of each path
	 * or name it tried, each once): a note or file added to the vault or
	 * removed from it can change the resolution only when its name is
	 * one of them (the check state re-checks the notes whose links
	 * tried it). probes_over: there were more than VL_MAX_PROBES. */
	uint32_t probes[VL_MAX_PROBES];
	size_t n_probes;
	int probes_over;
} vl_resolution;

/* The hash of the last part (after the last '/') of the path s[0..n),
 * compared case-insensitively as the index does, in 30 bits: the name
 * under which a file is looked up (for a note, s without ".md"). */
uint32_t vl_index_name_hash(const char *s, size_t n);

/* Builds the index over notes (borrowed; they must outlive the index) and
 * the attachments of src (every non-note file). */
int vl_index_new(vl_index **out, vl_note *const *notes, size_t n_notes,
	const vl_source *src, vl_error *err);
/* vl_index_new where stubs (when not NULL) names some notes by path
 * (stubs[i] not NULL, borrowed): the index does not read notes[i], takes
 * its name from the path (vl_note_name_of) and gives it nothing else
 * (aliases, block ids, tags, headings come from vl_index_facts). Its
 * owner must fill the note in before the index hands it out (a
 * resolution, a fact): the check state's notes not checked. A stub's
 * notes[i] may be NULL when the caller wants only the paths that
 * resolutions give (vl_resolution.note_path): `changelog` resolving the
 * links of a commit from its listing. */
int vl_index_new_ex(vl_index **out, vl_note *const *notes, const char *const *stubs,
	size_t n_notes, const vl_source *src, vl_error *err);
void vl_index_free(vl_index *idx);

/* Vault-wide facts that the index gets from elsewhere instead of its
 * notes: the check state (state.h) builds an index over notes it has not
 * decoded, and answers these from its own tables. Each function, when
 * set, replaces the lookup of the same name below. */
typedef struct vl_index_facts {
	const vl_note *(*alias_owner)(const char *name, void *payload);
	const vl_note *(*block_elsewhere)(const vl_note *not_this, const char *id,
		void *payload);
	const char *(*tag_spelling)(const char *tag, void *payload);
	void *payload;
} vl_index_facts;

void vl_index_set_facts(vl_index *idx, const vl_index_facts *facts);

/* Resolves link as written in note from. */
void vl_index_resolve(const vl_index *idx, const vl_note *from,
	const vl_link *link, vl_resolution *out);

/* Looks a note up by vault-relative path ("a/b.md"); NULL if none. */
const vl_note *vl_index_note(const vl_index *idx, const char *path);

/* Finds the heading that a link's heading path ("H1#H2") reaches in note,
 * matching the way Obsidian does (case, punctuation and runs of spaces
 * ignored; for a path, each part must appear in order). NULL if none. */
const vl_heading *vl_index_find_heading(const vl_note *note, const char *path);

/* The same as vl_index_find_heading and vl_index_find_block, through
 * lookup tables the index keeps for notes with many headings or blocks:
 * use these in rules, so that 400,000 links into one huge note stay
 * fast. note need not be in the index (then they scan the note). */
const vl_heading *vl_index_heading(const vl_index *idx, const vl_note *note,
	const char *path);
const vl_block *vl_index_block(const vl_index *idx, const vl_note *note, const char *id);

/* The note's heading closest to the last part of path by edit distance,
 * for a did-you-mean, or NULL when none is close. */
const vl_heading *vl_index_suggest_heading(const vl_note *note, const char *path);

/* The first block with this id in note, or NULL (case-insensitive, as
 * Obsidian). */
const vl_block *vl_index_find_block(const vl_note *note, const char *id);

/* Some other note that has a block with this id, or NULL. */
const vl_note *vl_index_block_elsewhere(const vl_index *idx, const vl_note *not_this,
	const char *id);

/* The vault path (note or attachment, as a user would write it in a link)
 * closest to target by edit distance, for a did-you-mean: 1 with it in out
 * (NUL-terminated), 0 when there is none, -1 when out of memory. */
int vl_index_suggest_target(const vl_index *idx, const char *target, vl_buf *out);

/* Whether the vault file at path (a note or not) could be the
 * did-you-mean that vl_index_suggest_target gives for target, were it in
 * the vault: 1 for every path it could give, and some others. */
int vl_index_may_suggest(const char *target, const char *path, int is_note);

/* Writes the normalised form of heading text[0..n) used for matching
 * into out (room for n + 1 bytes; NUL-terminated): lower case, only
 * letters and digits, single spaces. Returns its length. */
size_t vl_index_heading_key(char *out, const char *text, size_t n);

/* The note that lists name among its front matter aliases
 * (case-insensitive), or NULL. An alias alone does not make a link
 * resolve; this lets the broken-link rule say "'X' is an alias of 'Y'". */
const vl_note *vl_index_alias_owner(const vl_index *idx, const char *name);

/* The spelling of tag (compared case-insensitively) written most often in
 * the vault, ties broken by byte order; NULL when no note has the tag. The
 * string belongs to the index (or its notes). */
const char *vl_index_tag_spelling(const vl_index *idx, const char *tag);

/* Calls fn with every spelling of every tag of the vault (key: the tag
 * in lower case) and how often it is written, as the index tallied them.
 * Returns 0, or the first non-zero that fn returns. */
int vl_index_each_tag(const vl_index *idx, int (*fn)(const char *key,
	const char *spelling, size_t count, void *payload), void *payload);

size_t vl_index_note_count(const vl_index *idx);
const vl_note *vl_index_note_at(const vl_index *idx, size_t i);

#endif
