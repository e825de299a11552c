/*
 * format.c: renders a sorted list of findings as text, JSON, SARIF 2.1.0,
 * GitHub workflow commands or JUnit XML. Every renderer appends to a
 * buffer and never prints; cmd/ decides where the bytes go. Rule metadata
 * for SARIF comes from the registry in rules/.
 */
#include "format.h"

#include <string.h>

#include "../rules/rule.h"

#ifndef VL_VERSION
#define VL_VERSION "0.0.0"
#endif

static const char *const format_names[] = {
	"text", "json", "sarif", "github", "junit"
};

static const char sarif_schema[] =
	"https://json.schemastore.org/sarif-2.1.0.json";

int
vl_format_parse(vl_format *out, const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (vl_format)i;
			return 0;
		}
	}
	return -1;
}

/* ---- shared pieces ---- */

/* Appends "N word" or "N words" for the summary line. */
static int
put_count(vl_buf *out, size_t n, const char *word)
{
	return vl_buf_printf(out, "%zu %s%s", n, word, n == 1 ? "" : "s");
}

/* The closing line of text and github output: "2 errors, 1 warning,
 * 0 infos in 12 notes", or "no problems in 12 notes". */
static int
put_summary(vl_buf *out, const vl_diags *d, size_t n_notes)
{
	size_t n_err = vl_diags_count(d, VL_SEV_ERROR);
	size_t n_warn = vl_diags_count(d, VL_SEV_WARNING);
	size_t n_info = vl_diags_count(d, VL_SEV_INFO);

	if (d->len == 0) {
		if (vl_buf_puts(out, "no problems") < 0)
			return -1;
	} else if (put_count(out, n_err, "error") < 0 ||
	    vl_buf_puts(out, ", ") < 0 ||
	    put_count(out, n_warn, "warning") < 0 ||
	    vl_buf_puts(out, ", ") < 0 ||
	    put_count(out, n_info, "info") < 0) {
		return -1;
	}
	if (vl_buf_puts(out, " in ") < 0 || put_count(out, n_notes, "note") < 0)
		return -1;
	return vl_buf_putc(out, '\n');
}

/* Appends the prefixed path used by formats that code hosts read: the
 * prefix, one '/', then the vault-relative path. */
static int
put_host_path(vl_buf *out, const char *prefix, const char *path)
{
	size_t plen = prefix ? strlen(prefix) : 0;

	if (plen > 0) {
		if (vl_buf_put(out, prefix, plen) < 0)
			return -1;
		if (prefix[plen - 1] != '/' && vl_buf_putc(out, '/') < 0)
			return -1;
	}
	return vl_buf_puts(out, path);
}

/* ":LINE:COL", ":LINE" or nothing, as the finding's position allows. */
static int
put_position(vl_buf *out, const vl_diag *g)
{
	if (g->line == 0)
		return 0;
	if (g->col == 0)
		return vl_buf_printf(out, ":%u", (unsigned)g->line);
	return vl_buf_printf(out, ":%u:%u", (unsigned)g->line, (unsigned)g->col);
}

/* ---- text ---- */

/* Paths and messages can hold any bytes (a file name may contain a newline
 * or an escape sequence). Text output is one finding per line and goes to
 * terminals, so control characters are shown as \n, \r or \xHH instead
 * of being written raw. Tabs stay. */
static int
put_text(vl_buf *out, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;

		if ((c >= 0x20 && c != 0x7f) || c == '\t')
			continue;
		if (vl_buf_put(out, run, (size_t)(s - run)) < 0)
			return -1;
		if (c == '\n')
			rc = vl_buf_puts(out, "\\n");
		else if (c == '\r')
			rc = vl_buf_puts(out, "\\r");
		else
			rc = vl_buf_printf(out, "\\x%02x", (unsigned)c);
		if (rc < 0)
			return -1;
		run = s + 1;
	}
	return vl_buf_puts(out, run);
}

static const char *
severity_color(vl_severity s)
{
	switch (s) {
	case VL_SEV_ERROR: return "\033[1;31m";
	case VL_SEV_WARNING: return "\033[33m";
	case VL_SEV_INFO: return "\033[36m";
	default: return "";
	}
}

static int
render_text(vl_buf *out, const vl_diags *d, const vl_format_opts *o)
{
	size_t i;

	for (i = 0; i < d->len; i++) {
		const vl_diag *g = &d->items[i];
		const char *sev = vl_severity_name(g->severity);

		if ((o->color && vl_buf_puts(out, "\033[1m") < 0) ||
		    put_text(out, g->path) < 0 ||
		    (o->color && vl_buf_puts(out, "\033[0m") < 0))
			return -1;
		if (put_position(out, g) < 0)
			return -1;
		if (o->color) {
			if (vl_buf_printf(out, ": %s%s\033[0m: ",
			    severity_color(g->severity), sev) < 0)
				return -1;
		} else if (vl_buf_printf(out, ": %s: ", sev) < 0) {
			return -1;
		}
		if (put_text(out, g->message) < 0 ||
		    vl_buf_puts(out, " [") < 0 || put_text(out, g->rule) < 0 ||
		    vl_buf_puts(out, "]\n") < 0)
			return -1;
	}
	return put_summary(out, d, o->n_notes);
}

/* ---- json ---- */

static int
put_json_string(vl_buf *out, const char *s)
{
	if (vl_buf_putc(out, '"') < 0 ||
	    vl_buf_put_json(out, s, strlen(s)) < 0)
		return -1;
	return vl_buf_putc(out, '"');
}

/* One finding per line so that diffs of two runs read line by line. */
static int
render_json(vl_buf *out, const vl_diags *d, const vl_format_opts *o)
{
	size_t i;

	if (vl_buf_puts(out, "{\"findings\":[\n") < 0)
		return -1;
	for (i = 0; i < d->len; i++) {
		const vl_diag *g = &d->items[i];

		if (vl_buf_puts(out, "  {\"path\":") < 0 ||
		    put_json_string(out, g->path) < 0 ||
		    vl_buf_printf(out, ",\"line\":%u,\"column\":%u,\"rule\":",
		    (unsigned)g->line, (unsigned)g->col) < 0 ||
		    put_json_string(out, g->rule) < 0 ||
		    vl_buf_printf(out, ",\"severity\":\"%s\",\"message\":",
		    vl_severity_name(g->severity)) < 0 ||
		    put_json_string(out, g->message) < 0 ||
		    vl_buf_puts(out, i + 1 < d->len ? "},\n" : "}\n") < 0)
			return -1;
	}
	return vl_buf_printf(out, "],\"summary\":{\"notes\":%zu,\"errors\":%zu,"
	    "\"warnings\":%zu,\"infos\":%zu}}\n", o->n_notes,
	    vl_diags_count(d, VL_SEV_ERROR), vl_diags_count(d, VL_SEV_WARNING),
	    vl_diags_count(d, VL_SEV_INFO));
}

/* ---- sarif ---- */

/* SARIF's level names: "note" is its word for info. */
static const char *
sarif_level(vl_severity s)
{
	switch (s) {
	case VL_SEV_ERROR: return "error";
	case VL_SEV_WARNING: return "warning";
	case VL_SEV_INFO: return "note";
	default: return "none";
	}
}

/* Percent-encodes everything but RFC 3986's unreserved characters and '/',
 * so spaces, '#', '%', non-ASCII bytes... all become %XX. */
static int
put_uri(vl_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		unsigned char c = *p;
		int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/';

		if (plain) {
			if (vl_buf_putc(out, (char)c) < 0)
				return -1;
		} else if (vl_buf_putc(out, '%') < 0 ||
		    vl_buf_putc(out, hex[c >> 4]) < 0 ||
		    vl_buf_putc(out, hex[c & 15]) < 0) {
			return -1;
		}
	}
	return 0;
}

static int
sarif_rule_index(const char *id)
{
	size_t i;

	for (i = 0; i < vl_rules_count; i++)
		if (strcmp(vl_rules[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int
sarif_rules(vl_buf *out)
{
	size_t i;

	for (i = 0; i < vl_rules_count; i++) {
		const vl_rule *r = &vl_rules[i];

		if (vl_buf_puts(out, "            {\n              \"id\": ") < 0 ||
		    put_json_string(out, r->id) < 0 ||
		    vl_buf_puts(out, ",\n              \"shortDescription\": "
		    "{ \"text\": ") < 0 ||
		    put_json_string(out, r->summary ? r->summary : "") < 0 ||
		    vl_buf_printf(out, " },\n              \"defaultConfiguration\": "
		    "{ \"level\": \"%s\" }\n            }%s\n",
		    sarif_level(r->default_severity),
		    i + 1 < vl_rules_count ? "," : "") < 0)
			return -1;
	}
	return 0;
}

static int
sarif_result(vl_buf *out, const vl_diag *g, const char *prefix, int last)
{
	int idx = sarif_rule_index(g->rule);
	vl_buf uri = VL_BUF_INIT;
	int rc = -1;

	if (put_host_path(&uri, prefix, g->path) < 0)
		goto done;
	if (vl_buf_puts(out, "        {\n          \"ruleId\": ") < 0 ||
	    put_json_string(out, g->rule) < 0 ||
	    vl_buf_puts(out, ",\n") < 0)
		goto done;
	if (idx >= 0 &&
	    vl_buf_printf(out, "          \"ruleIndex\": %d,\n", idx) < 0)
		goto done;
	if (vl_buf_printf(out, "          \"level\": \"%s\",\n"
	    "          \"message\": { \"text\": ",
	    sarif_level(g->severity)) < 0 ||
	    put_json_string(out, g->message) < 0 ||
	    vl_buf_puts(out, " },\n          \"locations\": [\n"
	    "            {\n              \"physicalLocation\": {\n"
	    "                \"artifactLocation\": { \"uri\": \"") < 0)
		goto done;
	/* The escaped URI holds only unreserved characters, '/' and %XX, so
	 * it needs no JSON escaping. */
	if (put_uri(out, uri.ptr) < 0 || vl_buf_puts(out, "\" }") < 0)
		goto done;
	if (g->line > 0) {
		if (vl_buf_printf(out, ",\n                \"region\": "
		    "{ \"startLine\": %u", (unsigned)g->line) < 0)
			goto done;
		if (g->col > 0 && vl_buf_printf(out, ", \"startColumn\": %u",
		    (unsigned)g->col) < 0)
			goto done;
		if (vl_buf_puts(out, " }") < 0)
			goto done;
	}
	if (vl_buf_printf(out, "\n              }\n            }\n"
	    "          ]\n        }%s\n", last ? "" : ",") < 0)
		goto done;
	rc = 0;
done:
	vl_buf_release(&uri);
	return rc;
}

static int
render_sarif(vl_buf *out, const vl_diags *d, const vl_format_opts *o)
{
	size_t i;

	if (vl_buf_printf(out, "{\n  \"$schema\": \"%s\",\n"
	    "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
	    "      \"tool\": {\n        \"driver\": {\n"
	    "          \"name\": \"vaultlint\",\n          \"version\": ",
	    sarif_schema) < 0 ||
	    put_json_string(out, o->version ? o->version : VL_VERSION) < 0 ||
	    vl_buf_puts(out, ",\n          \"rules\": [\n") < 0 ||
	    sarif_rules(out) < 0 ||
	    vl_buf_puts(out, "          ]\n        }\n      },\n"
	    "      \"results\": [\n") < 0)
		return -1;
	for (i = 0; i < d->len; i++)
		if (sarif_result(out, &d->items[i], o->path_prefix,
		    i + 1 == d->len) < 0)
			return -1;
	return vl_buf_puts(out, "      ]\n    }\n  ]\n}\n");
}

/* ---- github ---- */

/* GitHub's workflow-command escaping: '%', CR and LF always; ':' and ','
 * too inside property values, where they would end the value. */
static int
put_github(vl_buf *out, const char *s, int property)
{
	for (; *s != '\0'; s++) {
		const char *esc = NULL;

		switch (*s) {
		case '%': esc = "%25"; break;
		case '\r': esc = "%0D"; break;
		case '\n': esc = "%0A"; break;
		case ':': esc = property ? "%3A" : NULL; break;
		case ',': esc = property ? "%2C" : NULL; break;
		default: break;
		}
		if (esc != NULL) {
			if (vl_buf_puts(out, esc) < 0)
				return -1;
		} else if (vl_buf_putc(out, *s) < 0) {
			return -1;
		}
	}
	return 0;
}

static const char *
github_command(vl_severity s)
{
	switch (s) {
	case VL_SEV_ERROR: return "error";
	case VL_SEV_WARNING: return "warning";
	default: return "notice";
	}
}

static int
render_github(vl_buf *out, const vl_diags *d, const vl_format_opts *o)
{
	vl_buf path = VL_BUF_INIT;
	size_t i;
	int rc = -1;

	for (i = 0; i < d->len; i++) {
		const vl_diag *g = &d->items[i];

		path.len = 0;
		if (put_host_path(&path, o->path_prefix, g->path) < 0)
			goto done;
		if (vl_buf_printf(out, "::%s file=", github_command(g->severity)) < 0 ||
		    put_github(out, path.ptr, 1) < 0)
			goto done;
		if (g->line > 0 &&
		    vl_buf_printf(out, ",line=%u", (unsigned)g->line) < 0)
			goto done;
		if (g->line > 0 && g->col > 0 &&
		    vl_buf_printf(out, ",col=%u", (unsigned)g->col) < 0)
			goto done;
		if (vl_buf_puts(out, ",title=") < 0 ||
		    put_github(out, g->rule, 1) < 0 ||
		    vl_buf_puts(out, "::") < 0 ||
		    put_github(out, g->message, 0) < 0 ||
		    vl_buf_putc(out, '\n') < 0)
			goto done;
	}
	rc = put_summary(out, d, o->n_notes);
done:
	vl_buf_release(&path);
	return rc;
}

/* ---- junit ---- */

static int
put_xml(vl_buf *out, const char *s)
{
	return vl_buf_put_xml(out, s, strlen(s));
}

/* An attribute value: like put_xml, but tab, CR and LF become character
 * references, since a parser would otherwise normalise them to spaces. */
static int
put_xml_attr(vl_buf *out, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *esc;

		switch (*s) {
		case '\t': esc = "&#9;"; break;
		case '\n': esc = "&#10;"; break;
		case '\r': esc = "&#13;"; break;
		default: continue;
		}
		if (vl_buf_put_xml(out, run, (size_t)(s - run)) < 0 ||
		    vl_buf_puts(out, esc) < 0)
			return -1;
		run = s + 1;
	}
	return put_xml(out, run);
}

/* Every finding is one failing test case named after its rule and place,
 * so CI dashboards list them; a clean run is one passing case. */
static int
junit_case(vl_buf *out, const vl_diag *g, const char *prefix)
{
	vl_buf path = VL_BUF_INIT, where = VL_BUF_INIT;
	int rc = -1;

	if (put_host_path(&path, prefix, g->path) < 0)
		goto done;
	if (g->line > 0 && vl_buf_printf(&where, " at %u", (unsigned)g->line) < 0)
		goto done;
	if (g->line > 0 && g->col > 0 &&
	    vl_buf_printf(&where, ":%u", (unsigned)g->col) < 0)
		goto done;
	if (vl_buf_puts(out, "  <testcase classname=\"") < 0 ||
	    put_xml_attr(out, path.ptr) < 0 ||
	    vl_buf_puts(out, "\" name=\"") < 0 ||
	    put_xml_attr(out, g->rule) < 0 ||
	    vl_buf_puts(out, where.ptr ? where.ptr : "") < 0 ||
	    vl_buf_puts(out, "\"><failure type=\"") < 0 ||
	    put_xml_attr(out, vl_severity_name(g->severity)) < 0 ||
	    vl_buf_puts(out, "\" message=\"") < 0 ||
	    put_xml_attr(out, g->message) < 0 ||
	    vl_buf_puts(out, "\">") < 0 ||
	    put_xml(out, path.ptr) < 0 ||
	    put_position(out, g) < 0 ||
	    vl_buf_puts(out, ": ") < 0 ||
	    put_xml(out, g->message) < 0 ||
	    vl_buf_puts(out, "</failure></testcase>\n") < 0)
		goto done;
	rc = 0;
done:
	vl_buf_release(&path);
	vl_buf_release(&where);
	return rc;
}

static int
render_junit(vl_buf *out, const vl_diags *d, const vl_format_opts *o)
{
	size_t i;

	if (vl_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites><testsuite name=\"vaultlint\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"0\">\n",
	    d->len > 0 ? d->len : (size_t)1, d->len) < 0)
		return -1;
	if (d->len == 0 &&
	    vl_buf_puts(out, "  <testcase classname=\"vaultlint\" name=\"check\"/>\n") < 0)
		return -1;
	for (i = 0; i < d->len; i++)
		if (junit_case(out, &d->items[i], o->path_prefix) < 0)
			return -1;
	return vl_buf_puts(out, "</testsuite></testsuites>\n");
}

/* ---- entry point ---- */

int
vl_format_render(vl_buf *out, const vl_diags *d, vl_format f,
	const vl_format_opts *opts)
{
	static const vl_diags none = VL_DIAGS_INIT;
	vl_format_opts o = { 0, NULL, NULL, 0 };

	if (out == NULL)
		return -1;
	if (opts != NULL)
		o = *opts;
	if (d == NULL)
		d = &none;
	switch (f) {
	case VL_FORMAT_TEXT: return render_text(out, d, &o);
	case VL_FORMAT_JSON: return render_json(out, d, &o);
	case VL_FORMAT_SARIF: return render_sarif(out, d, &o);
	case VL_FORMAT_GITHUB: return render_github(out, d, &o);
	case VL_FORMAT_JUNIT: return render_junit(out, d, &o);
	}
	return -1;
}
