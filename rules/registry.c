/*
 * registry.c: the table of rules, in display order. Adding a rule means
 * adding its file and one line here (and its declaration in rule.h).
 */
#include <string.h>

#include "rule.h"

const vl_rule vl_rules[] = {
	{ "broken-link", VL_SEV_ERROR,
	  "a wikilink, embed or Markdown link to a note or attachment that does not exist (or that leaves the vault)",
	  vl_rule_broken_link },
	{ "broken-heading-link", VL_SEV_ERROR,
	  "[[Note#Heading]] / [[#Heading]] where the note has no such heading",
	  vl_rule_broken_heading_link },
	{ "dangling-block-ref", VL_SEV_ERROR,
	  "[[Note#^id]] / [[#^id]] / ![[Note#^id]] where the note has no block ^id",
	  vl_rule_dangling_block_ref },
	{ "duplicate-block-id", VL_SEV_ERROR,
	  "the same ^id twice in one note",
	  vl_rule_duplicate_block_id },
	{ "ambiguous-link", VL_SEV_WARNING,
	  "a bare name that matches several notes",
	  vl_rule_ambiguous_link },
	{ "duplicate-link", VL_SEV_WARNING,
	  "the same URL or note linked twice in one note",
	  vl_rule_duplicate_link },
	{ "tag-format", VL_SEV_WARNING,
	  "a tag that breaks the configured convention",
	  vl_rule_tag_format },
	{ "tag-unknown", VL_SEV_WARNING,
	  "a tag outside the configured vocabulary, when one is configured",
	  vl_rule_tag_unknown },
	{ "frontmatter-invalid", VL_SEV_ERROR,
	  "YAML that does not parse, or tags/aliases of the wrong shape",
	  vl_rule_frontmatter_invalid },
	{ "invalid-input", VL_SEV_WARNING,
	  "a file that cannot be read as a note: invalid UTF-8, NUL bytes, unreadable, symlink problems, "
	  "a file name that links cannot carry",
	  vl_rule_invalid_input },
};

const size_t vl_rules_count = sizeof(vl_rules) / sizeof(vl_rules[0]);
