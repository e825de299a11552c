/*
 * test_format.c: every output format on a small fixed list of findings,
 * compared with expected text worked out by hand, plus a strict JSON
 * checker for the JSON and SARIF output on hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../rules/rule.h"
#include "../../src/diag.h"
#include "../../src/format.h"
#include "../../src/util.h"

/* ---- a strict JSON checker (RFC 8259), enough to reject bad output ---- */

typedef struct json_p {
	const char *s;
	size_t i, n;
	int depth;
} json_p;

static int json_value(json_p *p);

static void
json_ws(json_p *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
	    p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static int
json_lit(json_p *p, const char *lit)
{
	size_t k = strlen(lit);

	if (p->n - p->i < k || memcmp(p->s + p->i, lit, k) != 0)
		return 0;
	p->i += k;
	return 1;
}

static int
json_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
json_string(json_p *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return 0;
	p->i++;
	while (p->i < p->n) {
		unsigned char c = (unsigned char)p->s[p->i];

		if (c == '"') {
			p->i++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			char e;

			if (++p->i >= p->n)
				return 0;
			e = p->s[p->i];
			if (e == 'u') {
				int k;

				for (k = 1; k <= 4; k++)
					if (p->i + (size_t)k >= p->n ||
					    !json_hex(p->s[p->i + (size_t)k]))
						return 0;
				p->i += 4;
			} else if (!strchr("\"\\/bfnrt", e)) {
				return 0;
			}
		}
		p->i++;
	}
	return 0;
}

static int
json_number(json_p *p)
{
	size_t start = p->i;

	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
		return 0;
	if (p->s[p->i] == '0' && p->i + 1 < p->n && p->s[p->i + 1] >= '0' &&
	    p->s[p->i + 1] <= '9')
		return 0;
	while (p->i < p->n && ((p->s[p->i] >= '0' && p->s[p->i] <= '9') ||
	    strchr(".eE+-", p->s[p->i])))
		p->i++;
	return p->i > start;
}

static int
json_members(json_p *p, char close, int object)
{
	p->i++;
	json_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return 1;
	}
	for (;;) {
		json_ws(p);
		if (object) {
			if (!json_string(p))
				return 0;
			json_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return 0;
			p->i++;
		}
		if (!json_value(p))
			return 0;
		json_ws(p);
		if (p->i >= p->n)
			return 0;
		if (p->s[p->i] == close) {
			p->i++;
			return 1;
		}
		if (p->s[p->i] != ',')
			return 0;
		p->i++;
	}
}

static int
json_value(json_p *p)
{
	int ok;

	json_ws(p);
	if (p->i >= p->n || ++p->depth > 64)
		return 0;
	switch (p->s[p->i]) {
	case '{': ok = json_members(p, '}', 1); break;
	case '[': ok = json_members(p, ']', 0); break;
	case '"': ok = json_string(p); break;
	case 't': ok = json_lit(p, "true"); break;
	case 'f': ok = json_lit(p, "false"); break;
	case 'n': ok = json_lit(p, "null"); break;
	default: ok = json_number(p); break;
	}
	p->depth--;
	return ok;
}

/* 1 when s is exactly one valid JSON document in valid UTF-8. */
static int
json_valid(const char *s, size_t n)
{
	json_p p = { s, 0, n, 0 };

	if (!vl_utf8_valid(s, n, NULL))
		return 0;
	if (!json_value(&p))
		return 0;
	json_ws(&p);
	return p.i == n;
}

static int
json_valid_str(const char *s)
{
	return json_valid(s, strlen(s));
}

static size_t
count_substr(const char *hay, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += k;
	}
	return n;
}

/* ---- fixtures ---- */

static void
make_sample(vl_diags *d)
{
	assert_int_equal(vl_diags_add(d, "a.md", 3, 5, "broken-link", VL_SEV_ERROR,
		"no note named \"%s\"", "X"), 0);
	assert_int_equal(vl_diags_add(d, "a.md", 7, 0, "tag-format", VL_SEV_WARNING,
		"tag #Foo is not kebab-case"), 0);
	assert_int_equal(vl_diags_add(d, "dir/b c.md", 0, 0, "invalid-input",
		VL_SEV_INFO, "file is not UTF-8"), 0);
}

static char *
render(const vl_diags *d, vl_format f, const vl_format_opts *o)
{
	vl_buf b = VL_BUF_INIT;

	assert_int_equal(vl_format_render(&b, d, f, o), 0);
	return vl_buf_detach(&b);
}

/* ---- tests ---- */

static void
test_parse(void **state)
{
	vl_format f = VL_FORMAT_TEXT;

	(void)state;
	assert_int_equal(vl_format_parse(&f, "json"), 0);
	assert_int_equal(f, VL_FORMAT_JSON);
	assert_int_equal(vl_format_parse(&f, "sarif"), 0);
	assert_int_equal(f, VL_FORMAT_SARIF);
	assert_int_equal(vl_format_parse(&f, "github"), 0);
	assert_int_equal(f, VL_FORMAT_GITHUB);
	assert_int_equal(vl_format_parse(&f, "junit"), 0);
	assert_int_equal(f, VL_FORMAT_JUNIT);
	assert_int_equal(vl_format_parse(&f, "text"), 0);
	assert_int_equal(f, VL_FORMAT_TEXT);
	assert_int_equal(vl_format_parse(&f, "xml"), -1);
	assert_int_equal(vl_format_parse(&f, "JSON"), -1);
	assert_int_equal(vl_format_parse(&f, NULL), -1);
}

static void
test_text(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, NULL, "0.1.0", 12 };
	char *s;

	(void)state;
	make_sample(&d);
	s = render(&d, VL_FORMAT_TEXT, &o);
	assert_string_equal(s,
		"a.md:3:5: error: no note named \"X\" [broken-link]\n"
		"a.md:7: warning: tag #Foo is not kebab-case [tag-format]\n"
		"dir/b c.md: info: file is not UTF-8 [invalid-input]\n"
		"1 error, 1 warning, 1 info in 12 notes\n");
	free(s);
	/* The prefix is for code hosts only; text stays vault-relative. */
	o.path_prefix = "vault";
	s = render(&d, VL_FORMAT_TEXT, &o);
	assert_non_null(strstr(s, "\na.md:7: warning"));
	assert_null(strstr(s, "vault/"));
	free(s);
	vl_diags_release(&d);
}

static void
test_text_color(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 1, NULL, NULL, 12 };
	char *s;

	(void)state;
	make_sample(&d);
	s = render(&d, VL_FORMAT_TEXT, &o);
	assert_string_equal(s,
		"\033[1ma.md\033[0m:3:5: \033[1;31merror\033[0m: no note named \"X\" [broken-link]\n"
		"\033[1ma.md\033[0m:7: \033[33mwarning\033[0m: tag #Foo is not kebab-case [tag-format]\n"
		"\033[1mdir/b c.md\033[0m: \033[36minfo\033[0m: file is not UTF-8 [invalid-input]\n"
		"1 error, 1 warning, 1 info in 12 notes\n");
	free(s);
	vl_diags_release(&d);
}

static void
test_text_summary(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, NULL, NULL, 12 };
	char *s;

	(void)state;
	s = render(&d, VL_FORMAT_TEXT, &o);
	assert_string_equal(s, "no problems in 12 notes\n");
	free(s);
	assert_int_equal(vl_diags_add(&d, "x.md", 1, 1, "r", VL_SEV_ERROR, "m"), 0);
	assert_int_equal(vl_diags_add(&d, "x.md", 2, 1, "r", VL_SEV_ERROR, "m"), 0);
	assert_int_equal(vl_diags_add(&d, "x.md", 3, 1, "r", VL_SEV_WARNING, "m"), 0);
	s = render(&d, VL_FORMAT_TEXT, &o);
	assert_non_null(strstr(s, "\n2 errors, 1 warning, 0 infos in 12 notes\n"));
	free(s);
	vl_diags_release(&d);
}

/* Text goes to terminals: control bytes in paths and messages are shown
 * escaped so that one finding stays one line. */
static void
test_text_control(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, NULL, NULL, 1 };
	char *s;

	(void)state;
	assert_int_equal(vl_diags_add(&d, "new\nline.md", 1, 2, "r", VL_SEV_ERROR,
		"a\tb\r\n\033[2Jc"), 0);
	s = render(&d, VL_FORMAT_TEXT, &o);
	assert_string_equal(s,
		"new\\nline.md:1:2: error: a\tb\\r\\n\\x1b[2Jc [r]\n"
		"1 error, 0 warnings, 0 infos in 1 note\n");
	free(s);
	vl_diags_release(&d);
}

static void
test_json(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, "vault", NULL, 12 };
	char *s;

	(void)state;
	make_sample(&d);
	s = render(&d, VL_FORMAT_JSON, &o);
	assert_string_equal(s,
		"{\"findings\":[\n"
		"  {\"path\":\"a.md\",\"line\":3,\"column\":5,\"rule\":\"broken-link\","
		"\"severity\":\"error\",\"message\":\"no note named \\\"X\\\"\"},\n"
		"  {\"path\":\"a.md\",\"line\":7,\"column\":0,\"rule\":\"tag-format\","
		"\"severity\":\"warning\",\"message\":\"tag #Foo is not kebab-case\"},\n"
		"  {\"path\":\"dir/b c.md\",\"line\":0,\"column\":0,\"rule\":\"invalid-input\","
		"\"severity\":\"info\",\"message\":\"file is not UTF-8\"}\n"
		"],\"summary\":{\"notes\":12,\"errors\":1,\"warnings\":1,\"infos\":1}}\n");
	assert_true(json_valid(s, strlen(s)));
	free(s);
	vl_diags_release(&d);

	s = render(&d, VL_FORMAT_JSON, &o);
	assert_string_equal(s, "{\"findings\":[\n"
		"],\"summary\":{\"notes\":12,\"errors\":0,\"warnings\":0,\"infos\":0}}\n");
	assert_true(json_valid(s, strlen(s)));
	free(s);
}

/* The checker itself must reject what it should, or the tests above
 * prove nothing. */
static void
test_json_checker(void **state)
{
	(void)state;
	assert_true(json_valid_str("{\"a\":[1,-2.5e3,true,null,\"\\u00e9\"]}"));
	assert_false(json_valid_str("{\"a\":[1,]}"));
	assert_false(json_valid_str("{\"a\":\"x\ny\"}"));
	assert_false(json_valid_str("{\"a\":\"\\x\"}"));
	assert_false(json_valid_str("{\"a\":\"\xff\"}"));
	assert_false(json_valid_str("{\"a\":1}}"));
	assert_false(json_valid_str("[01]"));
}

/* ---- a small XML well-formedness checker, for the JUnit output ---- */

static int
xml_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ':' || c == '.';
}

/* Checks character data or an attribute value up to stop: no '<', every
 * '&' starts one of the five entities or a decimal character reference,
 * and no control character that XML 1.0 forbids. */
static int
xml_chars(const char *s, size_t *i, size_t n, char stop)
{
	static const char *const ents[] = {
		"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"
	};

	while (*i < n && s[*i] != stop) {
		unsigned char c = (unsigned char)s[*i];
		size_t k, j;
		int ok = 0;

		if (c == '<' || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			return 0;
		if (c != '&') {
			(*i)++;
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t l = strlen(ents[k]);

			if (n - *i >= l && memcmp(s + *i, ents[k], l) == 0) {
				*i += l;
				ok = 1;
				break;
			}
		}
		if (ok)
			continue;
		if (n - *i < 4 || s[*i + 1] != '#')
			return 0;
		for (j = *i + 2; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j == *i + 2 || j >= n || s[j] != ';')
			return 0;
		*i = j + 1;
	}
	return 1;
}

/* 1 when s is a well-formed XML document in valid UTF-8: an optional
 * declaration, exactly one root element, tags that close in order,
 * double-quoted attribute values, well-formed character data. */
static int
xml_valid(const char *s)
{
	const char *names[64];
	size_t lens[64];
	size_t n = strlen(s), i = 0, st;
	int depth = 0, roots = 0;

	if (!vl_utf8_valid(s, n, NULL))
		return 0;
	if (strncmp(s, "<?xml ", 6) == 0) {
		const char *e = strstr(s, "?>");

		if (e == NULL)
			return 0;
		i = (size_t)(e - s) + 2;
	}
	while (i < n) {
		if (s[i] != '<') {
			if (depth == 0) {
				if (s[i] != '\n' && s[i] != ' ')
					return 0;
				i++;
			} else if (!xml_chars(s, &i, n, '<')) {
				return 0;
			}
			continue;
		}
		i++;
		if (i < n && s[i] == '/') {
			st = ++i;
			while (i < n && xml_name_char(s[i]))
				i++;
			if (depth == 0 || i - st != lens[depth - 1] ||
			    memcmp(s + st, names[depth - 1], i - st) != 0 ||
			    i >= n || s[i] != '>')
				return 0;
			i++;
			depth--;
			continue;
		}
		st = i;
		while (i < n && xml_name_char(s[i]))
			i++;
		if (i == st || depth >= 64 || (depth == 0 && roots++ > 0))
			return 0;
		names[depth] = s + st;
		lens[depth] = i - st;
		for (;;) {
			while (i < n && s[i] == ' ')
				i++;
			if (i < n && s[i] == '>') {
				i++;
				depth++;
				break;
			}
			if (i + 1 < n && s[i] == '/' && s[i + 1] == '>') {
				i += 2;
				break;
			}
			st = i;
			while (i < n && xml_name_char(s[i]))
				i++;
			if (i == st || i + 1 >= n || s[i] != '=' || s[i + 1] != '"')
				return 0;
			i += 2;
			if (!xml_chars(s, &i, n, '"') || i >= n)
				return 0;
			i++;
		}
	}
	return depth == 0 && roots == 1;
}

/* Findings carrying every awkward byte still give valid JSON and SARIF. */
static void
test_json_hostile(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, "my vault/notes", "0.1.0", 2 };
	static const char nasty[] = "q\"b\\s\x01\x1f\t\n\r\x7f \xff\xc3(\xed\xa0\x80 \xe2\x82\xac";
	char *s;

	(void)state;
	assert_int_equal(vl_diags_add(&d, "we\"ird\\p\x02\xfe.md", 1, 2, "broken-link",
		VL_SEV_ERROR, "%s", nasty), 0);
	assert_int_equal(vl_diags_add(&d, "x.md", 0, 0, "no-such-rule",
		VL_SEV_WARNING, "%s", nasty), 0);
	s = render(&d, VL_FORMAT_JSON, &o);
	assert_true(json_valid(s, strlen(s)));
	assert_non_null(strstr(s, "\\u0001\\u001f\\t\\n\\r"));
	assert_non_null(strstr(s, "\"path\":\"we\\\"ird\\\\p\\u0002\xef\xbf\xbd.md\""));
	free(s);
	s = render(&d, VL_FORMAT_SARIF, &o);
	assert_true(json_valid(s, strlen(s)));
	/* The prefix and path are percent-encoded in the URI. */
	assert_non_null(strstr(s, "\"uri\": \"my%20vault/notes/we%22ird%5Cp%02%FE.md\""));
	free(s);
	vl_diags_release(&d);
}

static void
test_sarif(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, "vault", "9.8.7", 12 };
	char *s, *r1, *r2, *r3;
	char want[128];
	size_t i;
	int bl = -1;

	(void)state;
	for (i = 0; i < vl_rules_count; i++)
		if (strcmp(vl_rules[i].id, "broken-link") == 0)
			bl = (int)i;
	assert_true(bl >= 0);
	make_sample(&d);
	s = render(&d, VL_FORMAT_SARIF, &o);
	assert_true(json_valid(s, strlen(s)));
	assert_non_null(strstr(s,
		"\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\""));
	assert_non_null(strstr(s, "\"version\": \"2.1.0\""));
	assert_non_null(strstr(s, "\"name\": \"vaultlint\""));
	assert_non_null(strstr(s, "\"version\": \"9.8.7\""));
	assert_null(strstr(s, "informationUri"));
	/* Every registered rule is described once. */
	assert_int_equal(count_substr(s, "\"shortDescription\""), vl_rules_count);
	assert_int_equal(count_substr(s, "\"defaultConfiguration\""), vl_rules_count);
	assert_int_equal(count_substr(s, "\"ruleId\""), 3);
	/* Results in order, each with its own location. */
	r1 = strstr(s, "\"ruleId\": \"broken-link\"");
	r2 = strstr(s, "\"ruleId\": \"tag-format\"");
	r3 = strstr(s, "\"ruleId\": \"invalid-input\"");
	assert_non_null(r1);
	assert_non_null(r2);
	assert_non_null(r3);
	assert_true(r1 < r2 && r2 < r3);
	snprintf(want, sizeof(want), "\"ruleIndex\": %d,", bl);
	assert_non_null(strstr(r1, want));
	assert_true(strstr(r1, want) < r2);
	assert_true(strstr(r1, "\"level\": \"error\"") < r2);
	assert_true(strstr(r2, "\"level\": \"warning\"") < r3);
	assert_non_null(strstr(r3, "\"level\": \"note\""));
	assert_true(strstr(r1, "\"uri\": \"vault/a.md\"") < r2);
	assert_true(strstr(r1, "\"startLine\": 3, \"startColumn\": 5") < r2);
	assert_true(strstr(r2, "\"startLine\": 7 }") < r3);
	assert_non_null(strstr(r3, "\"uri\": \"vault/dir/b%20c.md\""));
	/* No region for a finding about the whole file. */
	assert_int_equal(count_substr(s, "\"region\""), 2);
	assert_null(strstr(r3, "\"region\""));
	assert_non_null(strstr(r1, "\"text\": \"no note named \\\"X\\\"\""));
	free(s);
	vl_diags_release(&d);

	s = render(&d, VL_FORMAT_SARIF, &o);
	assert_true(json_valid(s, strlen(s)));
	assert_int_equal(count_substr(s, "\"ruleId\""), 0);
	free(s);
}

static void
test_github(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, "vault", NULL, 12 };
	char *s;

	(void)state;
	make_sample(&d);
	s = render(&d, VL_FORMAT_GITHUB, &o);
	assert_string_equal(s,
		"::error file=vault/a.md,line=3,col=5,title=broken-link::no note named \"X\"\n"
		"::warning file=vault/a.md,line=7,title=tag-format::tag #Foo is not kebab-case\n"
		"::notice file=vault/dir/b c.md,title=invalid-input::file is not UTF-8\n"
		"1 error, 1 warning, 1 info in 12 notes\n");
	free(s);
	vl_diags_release(&d);

	/* Escaping: %, CR, LF everywhere; ':' and ',' in properties too. */
	o.path_prefix = NULL;
	assert_int_equal(vl_diags_add(&d, "x,y:z%.md", 2, 0, "broken-link",
		VL_SEV_ERROR, "50%% done\r\nnext: a,b"), 0);
	s = render(&d, VL_FORMAT_GITHUB, &o);
	assert_string_equal(s,
		"::error file=x%2Cy%3Az%25.md,line=2,title=broken-link::50%25 done%0D%0Anext: a,b\n"
		"1 error, 0 warnings, 0 infos in 12 notes\n");
	free(s);
	vl_diags_release(&d);

	s = render(&d, VL_FORMAT_GITHUB, &o);
	assert_string_equal(s, "no problems in 12 notes\n");
	free(s);
}

static void
test_junit(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, "vault/", NULL, 12 };
	char *s;

	(void)state;
	make_sample(&d);
	s = render(&d, VL_FORMAT_JUNIT, &o);
	assert_string_equal(s,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites><testsuite name=\"vaultlint\" tests=\"3\" failures=\"3\" errors=\"0\">\n"
		"  <testcase classname=\"vault/a.md\" name=\"broken-link at 3:5\">"
		"<failure type=\"error\" message=\"no note named &quot;X&quot;\">"
		"vault/a.md:3:5: no note named &quot;X&quot;</failure></testcase>\n"
		"  <testcase classname=\"vault/a.md\" name=\"tag-format at 7\">"
		"<failure type=\"warning\" message=\"tag #Foo is not kebab-case\">"
		"vault/a.md:7: tag #Foo is not kebab-case</failure></testcase>\n"
		"  <testcase classname=\"vault/dir/b c.md\" name=\"invalid-input\">"
		"<failure type=\"info\" message=\"file is not UTF-8\">"
		"vault/dir/b c.md: file is not UTF-8</failure></testcase>\n"
		"</testsuite></testsuites>\n");
	free(s);
	vl_diags_release(&d);

	s = render(&d, VL_FORMAT_JUNIT, &o);
	assert_string_equal(s,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites><testsuite name=\"vaultlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n"
		"  <testcase classname=\"vaultlint\" name=\"check\"/>\n"
		"</testsuite></testsuites>\n");
	free(s);
}

static void
test_junit_escaping(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, NULL, NULL, 1 };
	char *s;

	(void)state;
	assert_int_equal(vl_diags_add(&d, "a&b<c>.md", 1, 1, "broken-link",
		VL_SEV_ERROR, "x<y & 'z'\n\x01!\xff"), 0);
	s = render(&d, VL_FORMAT_JUNIT, &o);
	assert_non_null(strstr(s, "<testcase classname=\"a&amp;b&lt;c&gt;.md\""));
	/* In the attribute the newline is a character reference; in the text
	 * it stays; a control byte and a bad byte become U+FFFD. */
	assert_non_null(strstr(s,
		"message=\"x&lt;y &amp; &apos;z&apos;&#10;\xef\xbf\xbd!\xef\xbf\xbd\">"));
	assert_non_null(strstr(s,
		">a&amp;b&lt;c&gt;.md:1:1: x&lt;y &amp; &apos;z&apos;\n\xef\xbf\xbd!\xef\xbf\xbd</failure>"));
	assert_true(vl_utf8_valid(s, strlen(s), NULL));
	assert_true(xml_valid(s));
	free(s);
	vl_diags_release(&d);
}

/* The XML checker must reject what it is there to catch. */
static void
test_xml_checker(void **state)
{
	(void)state;
	assert_true(xml_valid("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t&amp;&#10;</a>\n"));
	assert_false(xml_valid("<a><b></a></b>"));
	assert_false(xml_valid("<a x=\"1 & 2\"/>"));
	assert_false(xml_valid("<a x=\"<\"/>"));
	assert_false(xml_valid("<a>1 < 2</a>"));
	assert_false(xml_valid("<a/><b/>"));
	assert_false(xml_valid("<a>\x01</a>"));
	assert_false(xml_valid("<a>\xff</a>"));
	assert_false(xml_valid("<a>"));
	assert_false(xml_valid("<a x=1/>"));
	assert_false(xml_valid("<a>&nbsp;</a>"));
}

/* Every byte a path or message can hold still gives well-formed XML. */
static void
test_junit_wellformed(void **state)
{
	vl_diags d = VL_DIAGS_INIT;
	vl_format_opts o = { 0, "re&po/", NULL, 2 };
	char msg[256];
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < 255; i++)
		msg[i] = (char)(i + 1);
	msg[255] = '\0';
	assert_int_equal(vl_diags_add(&d, "a\x01<\"&'>\xff.md", 4, 2,
		"broken-link", VL_SEV_ERROR, "%s", msg), 0);
	assert_int_equal(vl_diags_add(&d, "b.md", 0, 0, "tag-format",
		VL_SEV_INFO, "]]> \xed\xa0\x80 \t\r\n"), 0);
	s = render(&d, VL_FORMAT_JUNIT, &o);
	assert_true(xml_valid(s));
	free(s);
	vl_diags_release(&d);
	s = render(&d, VL_FORMAT_JUNIT, &o);
	assert_true(xml_valid(s));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_color),
		cmocka_unit_test(test_text_summary),
		cmocka_unit_test(test_text_control),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_sarif),
		cmocka_unit_test(test_github),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_junit_escaping),
		cmocka_unit_test(test_xml_checker),
		cmocka_unit_test(test_junit_wellformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
