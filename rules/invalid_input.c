/*
 * invalid_input.c: a file that cannot be read as a note (invalid UTF-8, NUL
 * bytes...). The parser records these as problems of the note; files that
 * could not be read at all, and listing problems such as symlinks leaving
 * the vault, are reported by the engine under this rule's id. A note whose
 * file name holds what a link cannot carry is reported here too.
 */
#include "rule.h"

#include <string.h>

/* What in a note's file name no link can carry (OBSIDIAN.md: `# | ^ :
 * %% [[ ]]`), or NULL. */
static const char *breaks_links(const char *name)
{
	static const char *const marks[] = { "#", "|", "^", ":", "%%", "[[", "]]" };
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(name, marks[i]) != NULL)
			return marks[i];
	return NULL;
}

int vl_rule_invalid_input(vl_rule_ctx *ctx)
{
	const char *mark;
	size_t len;
	vl_pos whole = { 0, 0 };

	if (ctx->severity == VL_SEV_OFF)
		return 0;
	if (vl_rule_report_problems(ctx) < 0)
		return -1;
	/* the name and what follows it, ".md", which holds no mark */
	if (ctx->note->path == NULL ||
	    (mark = breaks_links(vl_note_name_of(ctx->note->path, &len))) == NULL)
		return 0;
	return vl_rule_report(ctx, whole, "the file name holds '%s', which Obsidian's links "
		"cannot carry: links to this note break; rename it", mark);
}
