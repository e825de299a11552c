/*
 * note.h: one parsed note. vl_note_parse turns a note's bytes into symbols
 * (headings, block ids, tags, links, list entries, front matter, inline
 * suppressions) with exact positions. Only symbols are kept, never the text,
 * so a vault of 100,000 notes stays small in memory.
 *
 * Positions: line is 1-based, col is 1-based in Unicode code points.
 * Every string is NUL-terminated and lives in the note's arena.
 */
#ifndef VL_NOTE_H
#define VL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct vl_pos {
	uint32_t line;
	uint32_t col;
} vl_pos;

typedef struct vl_heading {
	char *text;     /* heading text as rendered (inline code kept) */
	int level;      /* 1..6 */
	vl_pos pos;     /* of the first character of the text */
} vl_heading;

typedef struct vl_block {
	char *id;       /* without the '^' */
	vl_pos pos;     /* of the '^' */
} vl_block;

typedef struct vl_tag {
	char *name;     /* without '#', as written (case kept) */
	vl_pos pos;     /* of the '#', or of the value in front matter */
	int frontmatter;/* 1 when it comes from the front matter's tags */
	int entry;      /* index into entries of the list item holding it, or -1 */
} vl_tag;

/* One spelling of a tag and how many times a note writes it: all that a
 * summary (VL_CACHE_SUMMARY) keeps of the note's tags, for the vault's
 * tally of spellings. A note that writes #PAPER on every entry would
 * otherwise hold a record per entry for the index. */
typedef struct vl_tag_count {
	char *name;
	uint32_t count;
} vl_tag_count;

typedef enum vl_link_kind {
	VL_LINK_WIKI,      /* [[...]] */
	VL_LINK_EMBED,     /* ![[...]] */
	VL_LINK_MARKDOWN,  /* [text](target) to something in the vault */
	VL_LINK_IMAGE,     /* ![alt](target) to something in the vault */
	VL_LINK_URL        /* an external URL: [text](https://...) or bare */
} vl_link_kind;

typedef struct vl_link {
	vl_link_kind kind;
	/* For vault links: the note or file path as written, URL-decoded for
	 * Markdown links, without `#...` and without the alias; "" for a link
	 * into the same note ([[#Heading]]). For VL_LINK_URL: the URL. */
	char *target;
	/* The heading path after '#' ("H1#H2"), or NULL. */
	char *heading;
	/* The block id after '#^', or NULL. */
	char *block;
	/* Display text after '|' for wikilinks, or NULL. */
	char *alias;
	vl_pos pos;     /* of the link's first character ('[' or '!' or URL) */
	int entry;      /* index into entries of the list item holding it, or -1 */
} vl_link;

/* A list item: the unit of `changelog`. Its own text runs from its bullet
 * up to its first sub-item; sub-items are entries of their own whose parent
 * is this one. */
typedef struct vl_entry {
	char *text;     /* own text, whitespace collapsed, markers removed */
	int depth;      /* 0 for a top-level item */
	int parent;     /* index of the enclosing item, or -1 */
	int section;    /* index into headings of the section, or -1 */
	vl_pos pos;     /* of the first character of its text */
	uint32_t end_line; /* last line of the item, sub-items included */
	char task;      /* a task's box: ' ' open, 'x' done; 0: no task */
} vl_entry;

/* `%% vaultlint-disable... %%` directives turned into line ranges. */
typedef struct vl_suppress {
	char *rule;      /* rule id, or "all" */
	uint32_t first;  /* first line covered */
	uint32_t last;   /* last line covered (UINT32_MAX: to the end) */
} vl_suppress;

/* A problem found while reading the note itself (not a rule finding):
 * invalid UTF-8, NUL bytes, unterminated front matter or code fence, a
 * front-matter tag that is no tag... */
typedef struct vl_problem {
	const char *rule;   /* "invalid-input", "frontmatter-invalid" or "tag-format" */
	char *message;
	vl_pos pos;
} vl_problem;

/* One front matter key, in order, for `changelog`. value is the raw YAML
 * text of the value as written (flow or block), trimmed. */
typedef struct vl_property {
	char *key;
	char *value;
	vl_pos pos;
} vl_property;

typedef struct vl_note {
	char *path;        /* relative to the vault root, '/' separated */
	char *name;        /* file name without folder and without ".md" */
	vl_arena arena;

	vl_heading *headings; size_t n_headings;
	vl_block *blocks;     size_t n_blocks;
	vl_tag *tags;         size_t n_tags;
	vl_link *links;       size_t n_links;
	vl_entry *entries;    size_t n_entries;
	vl_suppress *suppress; size_t n_suppress;
	vl_problem *problems; size_t n_problems;
	vl_property *props;   size_t n_props;
	char **aliases;       size_t n_aliases;
	/* The room of each array, for a note being built (VL_NOTE_PUSH);
	 * NULL until the first push: the notes held by the thousand (from
	 * the cache, the check state's stubs) never grow. */
	struct vl_note_caps *caps;
	/* A summary's tags: each spelling once, in no order that means
	 * anything (tags is then empty); else empty. */
	vl_tag_count *tag_counts; size_t n_tag_counts;

	int has_frontmatter;
	/* 1 for a note whose text was not read as Markdown: a binary file
	 * (vl_note_parse), or a file that could not be read at all (the
	 * vault's stand-in for it, vl_vault_load). It is still a note that
	 * links open, but its headings and block ids are unknown, not
	 * missing: a link into it is not checked. */
	int unread;
	/* 1 for a note loaded for the index only (vl_cache_get_ex with
	 * VL_CACHE_SUMMARY): no links, suppressions, problems or properties;
	 * such a note is never linted. */
	int summary;
	/* 1 for a note decoded from the cache or the check state: its arrays
	 * live in its arena, and it is never grown. */
	int packed;
	uint32_t n_lines;
	uint64_t size;        /* bytes read */
	/* vl_fingerprint of the bytes read, set by vl_vault_read_note (and
	 * kept by the cache); zeros: not known */
	uint64_t content[2];
} vl_note;

/* The room of a note's arrays (vl_note.caps). */
typedef struct vl_note_caps {
	size_t headings, blocks, tags, links, entries, suppress, problems, props, aliases;
} vl_note_caps;

/* note->caps, made on first use; NULL when out of memory. */
vl_note_caps *vl_note_caps_of(vl_note *note);

/* Appends value to the array field of note (headings, blocks, tags...):
 * 0, or -1 when out of memory. A packed note never grows. */
#define VL_NOTE_PUSH(note, field, value) \
	(vl_note_caps_of(note) == NULL ? -1 : \
	 VL_PUSH((note)->field, (note)->n_##field, (note)->caps->field, value))

/* Parses the n bytes at text (need not be NUL-terminated; may hold any
 * bytes) as the note at vault-relative path. On success *out is a new note
 * that the caller frees with vl_note_free. Problems in the input are
 * recorded in the note, not returned as errors; only running out of memory
 * fails (-1). */
int vl_note_parse(vl_note **out, const char *path, const char *text, size_t n,
	vl_error *err);

/* Flags for vl_note_parse_ex. */
enum {
	/* Keep no list entries (the linter needs none; changelog does): the
	 * note then holds n_entries 0 and every tag's and link's entry is -1,
	 * which saves about the size of the note's text. */
	VL_PARSE_NO_ENTRIES = 1
};

/* vl_note_parse with flags. */
int vl_note_parse_ex(vl_note **out, const char *path, const char *text, size_t n,
	unsigned flags, vl_error *err);

/* The name of the note at path (its file name without ".md"): a pointer
 * into path, and its length in *len. */
const char *vl_note_name_of(const char *path, size_t *len);

/* An empty note named path (no symbols), or NULL when out of memory; the
 * caller frees it with vl_note_free. */
vl_note *vl_note_new(const char *path);
/* vl_note_new for a caller that knows the arena_bytes it will put in the
 * note's arena (strings with their NULs, arrays with room to align them):
 * the arena is then one piece that holds them and the path, with little
 * room to spare. 0: as vl_note_new. */
vl_note *vl_note_new_ex(const char *path, size_t arena_bytes);

void vl_note_free(vl_note *note);

/* Whether two versions of a note have the same headings (text and level),
 * block ids, aliases, tags (as written), in order: what other notes'
 * findings may depend on. A summary's tags (tag_counts) are never the
 * same as a whole note's, unless neither has any. */
int vl_note_same_headings(const vl_note *a, const vl_note *b);
int vl_note_same_blocks(const vl_note *a, const vl_note *b);
int vl_note_same_aliases(const vl_note *a, const vl_note *b);
int vl_note_same_tags(const vl_note *a, const vl_note *b);

/* For the parsers (note.c, frontmatter.c): records a problem on the note.
 * rule is a static rule id. Returns 0 or -1 (out of memory). */
int vl_note_add_problem(vl_note *note, const char *rule, vl_pos pos,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Returns 1 when rule is suppressed at line in note by an inline directive. */
int vl_note_suppressed(const vl_note *note, const char *rule, uint32_t line);

/* The md4c flags a note is parsed with (expands to md4c's MD_FLAG_*
 * names: only where md4c.h is included, note.c and the bench's floor.c,
 * which times md4c alone with the same settings). */
#define VL_MD_FLAGS (MD_FLAG_WIKILINKS | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | \
	MD_FLAG_TASKLISTS | MD_FLAG_LATEXMATHSPANS | MD_FLAG_PERMISSIVEAUTOLINKS)

/* Tag syntax (see ../shared/OBSIDIAN.md): the length of the tag body at s
 * (after '#'), or 0 when s does not start a valid tag. Stops at the first
 * byte that cannot be part of a tag. */
size_t vl_tag_scan(const char *s, size_t n);

/* Whether a tag can hold the character at s[0..n) (n > 0): ASCII
 * letters and digits, '_', '-', '/', and any other code point that is
 * not punctuation or space (letters of any script, emoji). *len gets
 * the character's length in bytes either way (1 for a byte that is no
 * UTF-8). vl_tag_scan reads tags with it. */
static inline int vl_tag_char(const char *s, size_t n, size_t *len)
{
	unsigned char c = (unsigned char)s[0];
	uint32_t cp;

	if (c < 0x80) {
		*len = 1;
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-' || c == '/';
	}
	*len = vl_utf8_next((const unsigned char *)s, n, &cp);
	return !vl_unicode_punct(cp);
}

/* Returns 1 when s[0..n) is a valid block id (Latin letters, digits, '-'). */
int vl_block_id_valid(const char *s, size_t n);

#endif
