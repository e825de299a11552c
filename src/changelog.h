/*
 * changelog.h: what changed between two versions of a vault, read from the
 * notes' content: notes added, deleted, modified, renamed; list entries
 * (papers, code links...) added, removed, changed, moved; front matter
 * changes; links the change broke. Pure: it compares parsed notes and knows
 * nothing of git (src/git/ feeds it the changed blobs).
 */
#ifndef VL_CHANGELOG_H
#define VL_CHANGELOG_H

#include <stddef.h>
#include <stdint.h>

#include "index.h"
#include "note.h"
#include "util.h"

typedef enum vl_note_change_kind {
	VL_NOTE_ADDED,
	VL_NOTE_DELETED,
	VL_NOTE_MODIFIED,
	VL_NOTE_RENAMED      /* renamed or moved, maybe also modified */
} vl_note_change_kind;

typedef struct vl_note_change {
	vl_note_change_kind kind;
	char *old_path;      /* NULL for ADDED */
	char *new_path;      /* NULL for DELETED */
} vl_note_change;

typedef enum vl_entry_change_kind {
	VL_ENTRY_ADDED,
	VL_ENTRY_REMOVED,
	VL_ENTRY_CHANGED,    /* same identity, other text or sub-items */
	VL_ENTRY_MOVED       /* same identity, another note or section */
} vl_entry_change_kind;

typedef struct vl_entry_change {
	vl_entry_change_kind kind;
	char *identity;      /* first link (normalised URL / note path) or text */
	char *tag;           /* the entry's first tag without '#', or NULL */
	char *old_text, *new_text;       /* NULL on the missing side */
	char *old_note, *new_note;       /* vault-relative paths */
	char *old_section, *new_section; /* heading text, or NULL */
	uint32_t old_line, new_line;
} vl_entry_change;

typedef struct vl_prop_change {
	char *note;
	char *key;
	char *old_value, *new_value;     /* NULL when added / removed */
} vl_prop_change;

typedef struct vl_broken_change {
	char *note;          /* the note holding the link */
	uint32_t line;
	char *target;        /* as written */
	char *why;           /* e.g. "renamed to 'X'" */
} vl_broken_change;

typedef struct vl_changelog {
	vl_note_change *notes;    size_t n_notes, cap_notes;
	vl_entry_change *entries; size_t n_entries, cap_entries;
	vl_prop_change *props;    size_t n_props, cap_props;
	vl_broken_change *broken; size_t n_broken, cap_broken;
	void *impl;               /* pending state between add_pair and finish */
	/* The vaults of both sides, for resolving vault links to the notes
	 * they name (vl_changelog_set_indexes); NULL: not resolved. */
	const vl_index *old_index, *new_index;
	/* Notes of the work tree that could not be read and were left out
	 * (a FIFO, a symlink out of the vault...): why, one message each
	 * (malloc'd), for the caller to say. */
	char **skipped; size_t n_skipped, cap_skipped;
	/* The range as the user gave it, for the renderers' heading and the
	 * JSON "range" (malloc'd by the caller, freed by release; may be
	 * NULL). */
	char *range_from, *range_to;
} vl_changelog;

void vl_changelog_init(vl_changelog *cl);

/* Lets the changelog resolve vault links as the index does, so that two
 * spellings of one note ([[Note]], [[Folder/Note]]) are one identity:
 * old_index over the notes (and files) of the old side, new_index over
 * the new side's; either may be NULL. They may be built over stubs with
 * NULL notes (vl_index_new_ex): only the paths of resolutions are read.
 * Borrowed until vl_changelog_finish returns; call before it. */
void vl_changelog_set_indexes(vl_changelog *cl, const vl_index *old_index,
	const vl_index *new_index);

/* Whether the indexes (vl_changelog_set_indexes) could pair entries that
 * the vault links as written cannot: 1 when, among the entries recorded
 * so far whose first link is a vault link, and with identities made
 * without them (the target as written, folded, and the renames of the
 * pairs), an old one and a new one are both left without a partner;
 * else 0 (entries only added, or only removed); -1 when out of memory.
 * Listing a large vault twice costs more than the rest of a changelog:
 * call it after the last vl_changelog_add_pair to list only when it can
 * matter. */
int vl_changelog_wants_indexes(vl_changelog *cl);

/* Records one changed note: old_note NULL for an added note, new_note NULL
 * for a deleted one; both set and with different paths for a rename.
 * Entries are compared across all pairs by vl_changelog_finish, so an
 * entry moved from one note to another is one MOVED, not a REMOVED and an
 * ADDED; a heading of the note renamed in place does not move the
 * entries under it, and a vault link to a note that a pair renamed names
 * it by its new path. The notes are borrowed until vl_changelog_finish
 * returns. */
int vl_changelog_add_pair(vl_changelog *cl, const vl_note *old_note,
	const vl_note *new_note, vl_error *err);

/* Records a link that the change broke (copies every string). */
int vl_changelog_add_broken(vl_changelog *cl, const char *note, uint32_t line,
	const char *target, const char *why);

/* Pairs up entries across notes and fills cl->entries (stable order). */
int vl_changelog_finish(vl_changelog *cl, vl_error *err);

typedef enum vl_changelog_format {
	VL_CHANGELOG_MARKDOWN,
	VL_CHANGELOG_TEXT,
	VL_CHANGELOG_JSON
} vl_changelog_format;

typedef enum vl_changelog_group {
	VL_GROUP_TAG,
	VL_GROUP_NOTE,
	VL_GROUP_FOLDER
} vl_changelog_group;

int vl_changelog_render(vl_buf *out, const vl_changelog *cl,
	vl_changelog_format format, vl_changelog_group group);

/* A one-line commit subject such as
 * "vault: +3 #PAPER, ~1 #CODE in 2 notes; renamed X -> Y" and a body
 * listing the notes. template may hold {summary} and {notes}; NULL means
 * "vault: {summary}". */
int vl_changelog_commit_message(vl_buf *out, const vl_changelog *cl,
	const char *template);

void vl_changelog_release(vl_changelog *cl);

#endif
