/*
 * note_fixture.h: what the parser's unit tests share: one parsed note at a
 * time (freed by the teardown, so a failing test leaks nothing under ASan)
 * and lookups of its problems. Include after cmocka.h and note.h.
 */
#ifndef VL_TEST_NOTE_FIXTURE_H
#define VL_TEST_NOTE_FIXTURE_H

#include <string.h>

static vl_note *g_note;

static inline int
teardown(void **state)
{
	(void)state;
	vl_note_free(g_note);
	g_note = NULL;
	return 0;
}

/* Parses n bytes as "dir/note.md"; the note lives until the next parse or
 * the teardown. */
static inline vl_note *
parse_n(const char *md, size_t n)
{
	vl_error err;
	vl_note *note = NULL;

	memset(&err, 0, sizeof(err));
	vl_note_free(g_note);
	g_note = NULL;
	assert_int_equal(vl_note_parse(&note, "dir/note.md", md, n, &err), 0);
	assert_non_null(note);
	g_note = note;
	return note;
}

static inline vl_note *
parse(const char *md)
{
	return parse_n(md, strlen(md));
}

/* The note's first problem recorded under rule, or NULL. */
static inline const vl_problem *
find_problem(const vl_note *n, const char *rule)
{
	size_t i;

	for (i = 0; i < n->n_problems; i++)
		if (n->problems[i].rule != NULL &&
		    strcmp(n->problems[i].rule, rule) == 0)
			return &n->problems[i];
	return NULL;
}

/* Case-insensitive "message mentions word". */
static inline int
mentions(const char *msg, const char *word)
{
	return msg != NULL && strcasestr(msg, word) != NULL;
}

#endif
