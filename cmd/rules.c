/*
 * rules.c: `vaultlint rules`, the list of rules with their default
 * severities, as a table or as JSON.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../rules/rule.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: vaultlint rules [--format text|json]\n\n"
		"Lists every rule: its id, default severity and what it finds.\n"
		"Set a rule's severity (error, warning, info, off) under 'rules:' in .vaultlint.yaml.\n\n"
		"options:\n"
		"  --format text|json  output format (default text)\n"
		"  -h, --help          show this help\n");
}

static int print_json(void)
{
	vl_buf b = VL_BUF_INIT;
	size_t i;
	int rc = 0;

	rc |= vl_buf_puts(&b, "[\n");
	for (i = 0; i < vl_rules_count; i++) {
		const vl_rule *r = &vl_rules[i];
		const char *sev = vl_severity_name(r->default_severity);

		rc |= vl_buf_puts(&b, "  {\"id\": \"");
		rc |= vl_buf_put_json(&b, r->id, strlen(r->id));
		rc |= vl_buf_puts(&b, "\", \"severity\": \"");
		rc |= vl_buf_put_json(&b, sev, strlen(sev));
		rc |= vl_buf_puts(&b, "\", \"summary\": \"");
		rc |= vl_buf_put_json(&b, r->summary, strlen(r->summary));
		rc |= vl_buf_puts(&b, i + 1 < vl_rules_count ? "\"},\n" : "\"}\n");
	}
	rc |= vl_buf_puts(&b, "]\n");
	if (rc != 0) {
		vl_buf_release(&b);
		cli_error("out of memory");
		return VL_EXIT_ERROR;
	}
	fputs(b.ptr, stdout);
	vl_buf_release(&b);
	return VL_EXIT_OK;
}

static int print_text(void)
{
	size_t i, w_id = strlen("RULE"), w_sev = strlen("SEVERITY");

	for (i = 0; i < vl_rules_count; i++) {
		size_t n = strlen(vl_rules[i].id);
		size_t s = strlen(vl_severity_name(vl_rules[i].default_severity));
		if (n > w_id)
			w_id = n;
		if (s > w_sev)
			w_sev = s;
	}
	printf("%-*s  %-*s  %s\n", (int)w_id, "RULE", (int)w_sev, "SEVERITY", "SUMMARY");
	for (i = 0; i < vl_rules_count; i++)
		printf("%-*s  %-*s  %s\n", (int)w_id, vl_rules[i].id, (int)w_sev,
			vl_severity_name(vl_rules[i].default_severity), vl_rules[i].summary);
	return VL_EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
	const char *format = "text";
	int i;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return VL_EXIT_OK;
		} else if (strcmp(argv[i], "--format") == 0) {
			if (i + 1 >= argc) {
				cli_error("--format needs a value: text or json");
				return VL_EXIT_ERROR;
			}
			format = argv[++i];
		} else if (strncmp(argv[i], "--format=", 9) == 0) {
			format = argv[i] + 9;
		} else {
			cli_error("rules: unexpected argument '%s'", argv[i]);
			usage(stderr);
			return VL_EXIT_ERROR;
		}
	}
	if (strcmp(format, "json") == 0)
		return print_json();
	if (strcmp(format, "text") == 0)
		return print_text();
	cli_error("rules: unknown format '%s'; use text or json", format);
	return VL_EXIT_ERROR;
}
