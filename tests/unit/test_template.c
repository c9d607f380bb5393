/* Unit tests for template.c: tables of {template, JSON context, expected output}. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/template.h"
#include "gazette/base/util.h"

struct render_case {
	const char *tmpl;
	const char *json; /* any JSON value; NULL renders with no context */
	const char *want;
};

/* A named source for tests that need more than one template. */
struct named {
	const char *name;
	const char *src;
};

struct error_case {
	const char *tmpl;
	unsigned line;
	const char *msg;
};

static json_t *parse(const char *json)
{
	if (json == NULL)
		return NULL;
	json_error_t jerr;
	json_t *v = json_loads(json, JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		fail_msg("bad test JSON %s: %s", json, jerr.text);
	return v;
}

/* Renders name from set with json as the context; returns tmpl_render's result, output in out. */
static int render_json(const struct tmpl_set *set, const char *name, const char *json,
                       struct buf *out)
{
	json_t *ctx = parse(json);
	int rc = tmpl_render(set, name, ctx, out);
	json_decref(ctx);
	return rc;
}

static void run_cases(const struct render_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tmpl_set *set = tmpl_set_new();
		struct diag err;
		diag_clear(&err);
		if (tmpl_set_add(set, "t", c[i].tmpl, strlen(c[i].tmpl), &err) != 0)
			fail_msg("case %zu: compile error line %u: %s", i, err.line, err.msg);
		assert_int_equal(tmpl_set_link(set, &err), 0);

		struct buf out = BUF_INIT;
		assert_int_equal(render_json(set, "t", c[i].json, &out), 0);
		const char *got = out.data ? out.data : "";
		if (strcmp(got, c[i].want) != 0)
			print_message("case %zu: template \"%s\"\n", i, c[i].tmpl);
		assert_string_equal(got, c[i].want);
		buf_free(&out);
		tmpl_set_free(set);
	}
}

/* Adds every template (each must compile) and links; returns tmpl_set_link's result. */
static int build_set(struct tmpl_set *set, const struct named *t, size_t n, struct diag *err)
{
	for (size_t i = 0; i < n; i++) {
		diag_clear(err);
		if (tmpl_set_add(set, t[i].name, t[i].src, strlen(t[i].src), err) != 0)
			fail_msg("%s: compile error line %u: %s", t[i].name, err->line, err->msg);
	}
	diag_clear(err);
	return tmpl_set_link(set, err);
}

static void expect_render(const struct tmpl_set *set, const char *name, const char *json,
                          const char *want)
{
	struct buf out = BUF_INIT;
	assert_int_equal(render_json(set, name, json, &out), 0);
	assert_string_equal(out.data ? out.data : "", want);
	buf_free(&out);
}

static void test_variables(void **state)
{
	static const struct render_case cases[] = {
	    {"Hello, {{name}}!", "{\"name\":\"World\"}", "Hello, World!"},
	    {"[{{ name }}][{{\tname\t}}]", "{\"name\":\"x\"}", "[x][x]"},
	    {"{{missing}}|", "{}", "|"},
	    {"no tags at all", "{}", "no tags at all"},
	    {"", "{}", ""},
	    {"{{#f}}text{{/f}}", "{}", ""},
	    {"{{n}} {{neg}} {{big}}", "{\"n\":42,\"neg\":-7,\"big\":9007199254740993}",
	     "42 -7 9007199254740993"},
	    {"{{a}} {{b}} {{c}} {{d}} {{e}}",
	     "{\"a\":1.5,\"b\":0.1,\"c\":3.0,\"d\":-0.25,\"e\":1e300}", "1.5 0.1 3 -0.25 1e+300"},
	    {"[{{t}}][{{f}}][{{z}}][{{arr}}][{{obj}}]",
	     "{\"t\":true,\"f\":false,\"z\":null,\"arr\":[1],\"obj\":{\"k\":1}}", "[true][][][][]"},
	    {"{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep"},
	    {"[{{a.x.c}}][{{a.b.c.d}}][{{s.len}}]", "{\"a\":{\"b\":{\"c\":\"v\"}},\"s\":\"str\"}",
	     "[][][]"},
	    {"{{.}}", "\"root <string>\"", "root &lt;string&gt;"},
	    {"{{.}}", "12", "12"},
	    {"[{{.}}][{{x}}]", NULL, "[][]"},
	    {"{{ a.b }}", "{\"a\":{\"b\":\"spaced\"}}", "spaced"},
	};
	run_cases(cases, GZ_ARRAY_LEN(cases));
}

static void test_escaping(void **state)
{
	static const struct render_case cases[] = {
	    {"{{x}}", "{\"x\":\"& < > \\\" '\"}", "&amp; &lt; &gt; &quot; &#39;"},
	    {"{{{x}}}", "{\"x\":\"& < > \\\" '\"}", "& < > \" '"},
	    {"{{& x}}", "{\"x\":\"<b>bold</b>\"}", "<b>bold</b>"},
	    {"{{&x}}|{{{ x }}}", "{\"x\":\"<i>\"}", "<i>|<i>"},
	    {"<a title=\"{{t}}\">", "{\"t\":\"\\\"><script>\"}",
	     "<a title=\"&quot;&gt;&lt;script&gt;\">"},
	    /* Escaping is escape_html's: control characters become U+FFFD. */
	    {"{{x}}", "{\"x\":\"a\\u0007b\"}",
	     "a\xef\xbf\xbd"
	     "b"},
	    {"{{{x}}}", "{\"x\":\"a\\u0007b\"}",
	     "a\x07"
	     "b"},
	    {"{{#l}}{{.}}{{/l}}", "{\"l\":[\"<\",\"&\"]}", "&lt;&amp;"},
	    {"{{a.b}}", "{\"a\":{\"b\":\"'q'\"}}", "&#39;q&#39;"},
	};
	run_cases(cases, GZ_ARRAY_LEN(cases));
}

static void test_sections(void **state)
{
	static const struct render_case cases[] = {
	    {"{{#items}}<li>{{name}}</li>{{/items}}",
	     "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}", "<li>a</li><li>b</li>"},
	    {"<ul>{{#items}}x{{/items}}</ul>", "{\"items\":[]}", "<ul></ul>"},
	    {"{{#author}}{{name}} <{{email}}>{{/author}}",
	     "{\"author\":{\"name\":\"Ann\",\"email\":\"a@x\"}}", "Ann <a@x>"},
	    {"{{#o}}empty object is true{{/o}}", "{\"o\":{}}", "empty object is true"},
	    {"{{#t}}yes{{/t}}", "{\"t\":true}", "yes"},
	    {"[{{#f}}no{{/f}}]", "{\"f\":false}", "[]"},
	    {"[{{#z}}no{{/z}}]", "{\"z\":null}", "[]"},
	    {"[{{#m}}no{{/m}}]", "{}", "[]"},
	    {"{{#s}}[{{.}}]{{/s}}", "{\"s\":\"str\"}", "[str]"},
	    {"({{#s}}[{{.}}]{{/s}})", "{\"s\":\"\"}", "()"},
	    {"{{#n}}[{{.}}]{{/n}}", "{\"n\":3}", "[3]"},
	    {"({{#n}}[{{.}}]{{/n}})", "{\"n\":0}", "()"},
	    {"({{#n}}[{{.}}]{{/n}})", "{\"n\":0.0}", "()"},
	    {"{{#n}}[{{.}}]{{/n}}", "{\"n\":0.5}", "[0.5]"},
	    {"{{#n}}{{.}},{{/n}}", "{\"n\":[1,2.5,\"x\",true,false,null]}", "1,2.5,x,true,,,"},
	    /* true pushes nothing: {{.}} stays the enclosing value. */
	    {"{{#a}}{{#t}}{{.}}{{/t}}{{/a}}", "{\"a\":\"outer\",\"t\":true}", "outer"},
	    {"{{#m}}({{#.}}{{.}}{{/.}}){{/m}}", "{\"m\":[[1,2],[3],[]]}", "(12)(3)()"},
	    {"{{#a.b}}{{c}}{{/a.b}}", "{\"a\":{\"b\":{\"c\":\"dotted section\"}}}",
	     "dotted section"},
	    {"{{# list }}{{.}}{{/ list }}", "{\"list\":[\"s\",\"p\"]}", "sp"},
	};
	run_cases(cases, GZ_ARRAY_LEN(cases));
}

static void test_inverted(void **state)
{
	static const struct render_case cases[] = {
	    {"{{^items}}none{{/items}}", "{\"items\":[]}", "none"},
	    {"[{{^items}}none{{/items}}]", "{\"items\":[1]}", "[]"},
	    {"{{^m}}missing{{/m}}", "{}", "missing"},
	    {"{{^f}}false{{/f}}", "{\"f\":false}", "false"},
	    {"{{^z}}null{{/z}}", "{\"z\":null}", "null"},
	    {"{{^s}}empty{{/s}}", "{\"s\":\"\"}", "empty"},
	    {"{{^n}}zero{{/n}}", "{\"n\":0}", "zero"},
	    {"{{^n}}zero{{/n}}", "{\"n\":0.0}", "zero"},
	    {"[{{^o}}x{{/o}}]", "{\"o\":{}}", "[]"},
	    {"[{{^t}}x{{/t}}]", "{\"t\":true}", "[]"},
	    {"[{{^s}}x{{/s}}]", "{\"s\":\"a\"}", "[]"},
	    {"{{#l}}a{{/l}}{{^l}}b{{/l}}", "{\"l\":[]}", "b"},
	    {"{{^ l }}{{x}}{{/ l }}", "{\"x\":\"outer\"}", "outer"},
	};
	run_cases(cases, GZ_ARRAY_LEN(cases));
}

static void test_context_stack(void **state)
{
	static const struct render_case cases[] = {
	    {"{{#articles}}{{title}} on {{site.title}};{{/articles}}",
	     "{\"site\":{\"title\":\"Blog\"},\"articles\":[{\"title\":\"A\"},{\"title\":\"B\"}]}",
	     "A on Blog;B on Blog;"},
	    /* The innermost context with the key wins; others fall through to the root. */
	    {"{{#articles}}{{title}},{{/articles}}",
	     "{\"title\":\"outer\",\"articles\":[{\"title\":\"in\"},{}]}", "in,outer,"},
	    /* A key present with null still stops the search, as in mustache. */
	    {"{{#list}}[{{x}}]{{/list}}", "{\"x\":\"outer\",\"list\":[{\"x\":null}]}", "[]"},
	    /* Only the first part of a dotted name walks the stack. */
	    {"[{{#a}}{{b.c}}{{/a}}]", "{\"a\":{\"b\":{}},\"b\":{\"c\":\"ERROR\"}}", "[]"},
	    {"{{#a}}{{#b}}{{#c}}{{x}}{{y}}{{z}}{{/c}}{{/b}}{{/a}}",
	     "{\"x\":1,\"a\":{\"y\":2,\"b\":{\"z\":3,\"c\":{}}}}", "123"},
	    /* Strings in the stack have no keys and are skipped. */
	    {"{{#tags}}{{.}}@{{site}} {{/tags}}", "{\"site\":\"s\",\"tags\":[\"a\",\"b\"]}",
	     "a@s b@s "},
	    {"{{#p}}{{#q}}{{.}}{{/q}}{{/p}}", "{\"p\":{\"q\":[\"one\"]}}", "one"},
	};
	run_cases(cases, GZ_ARRAY_LEN(cases));
}

static void test_comments(void **state)
{
	static const struct render_case cases[] = {
	    {"a{{! hidden }}b", "{}", "ab"},
	    {"a{{!}}b", "{}", "ab"},
	    {"a{{!\nmany\nlines\n}}b", "{}", "ab"},
	    {"a{{! {{x }}b", "{\"x\":\"no\"}", "ab"},
	    {"{{x}}{{! between }}{{x}}", "{\"x\":\"v\"}", "vv"},
	    {"{{ ! spaced sigil }}ok", "{}", "ok"},
	};
	run_cases(cases, GZ_ARRAY_LEN(cases));
}

static void test_standalone(void **state)
{
	static const struct render_case cases[] = {
	    {"<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n</ul>\n",
	     "{\"items\":[\"a\",\"b\"]}", "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n"},
	    {"a\r\n{{#t}}\r\nb\r\n{{/t}}\r\nc", "{\"t\":true}", "a\r\nb\r\nc"},
	    {"a\r\n  {{^t}}  \r\nb\r\n{{/t}}\r\nc\r\n", "{}", "a\r\nb\r\nc\r\n"},
	    {"a\n  {{! c }}  \nb", "{}", "a\nb"},
	    {"Begin.\n{{!\nSomething's going on here\n}}\nEnd.\n", "{}", "Begin.\nEnd.\n"},
	    {"a\n{{#t}}\nb\n{{/t}}", "{\"t\":true}", "a\nb\n"},
	    {"{{^f}}\nx\n{{/f}}\n", "{}", "x\n"},
	    {"\t{{#t}}\t\nx\n\t{{/t}}\n", "{\"t\":true}", "x\n"},
	    /* Variables are never standalone. */
	    {"  {{x}}\n", "{\"x\":\"v\"}", "  v\n"},
	    {"{{x}}\n{{x}}\n", "{}", "\n\n"},
	    /* Two tags on a line, or text beside the tag, keep the line. */
	    {"{{#t}}{{/t}}\nx", "{\"t\":true}", "\nx"},
	    {"a {{#t}}\nb{{/t}}", "{\"t\":true}", "a \nb"},
	    {"{{#t}}\nb {{/t}} c\n", "{\"t\":true}", "b  c\n"},
	    /* A lone CR is not a line end. */
	    {"a\r{{#t}}\nb{{/t}}", "{\"t\":true}", "a\r\nb"},
	    /* Removed lines inside a repeated section. */
	    {"{{#l}}\n{{.}}\n{{/l}}\n", "{\"l\":[1,2,3]}", "1\n2\n3\n"},
	};
	run_cases(cases, GZ_ARRAY_LEN(cases));
}

static void test_partials(void **state)
{
	static const struct named t[] = {
	    {"page", "<h1>{{title}}</h1>{{> footer}}"},
	    {"footer", "<p>{{site}}</p>"},
	    {"list", "{{#items}}{{>item}}{{/items}}"},
	    {"item", "[{{name}}]"},
	    /* A standalone partial line goes away; indentation is not applied to the partial. */
	    {"body", "<body>\n  {{> partials/head.html }}\n</body>\n"},
	    {"partials/head.html", "<h1>{{title}}</h1>\n"},
	    {"nested", "({{>page}})"},
	};
	struct tmpl_set *set = tmpl_set_new();
	struct diag err;
	assert_int_equal(build_set(set, t, GZ_ARRAY_LEN(t), &err), 0);

	expect_render(set, "page", "{\"title\":\"T\",\"site\":\"S&S\"}",
	              "<h1>T</h1><p>S&amp;S</p>");
	expect_render(set, "list", "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}", "[a][b]");
	expect_render(set, "body", "{\"title\":\"x\"}", "<body>\n<h1>x</h1>\n</body>\n");
	expect_render(set, "nested", "{\"title\":\"T\",\"site\":\"S\"}", "(<h1>T</h1><p>S</p>)");
	assert_true(tmpl_set_has(set, "partials/head.html"));
	assert_false(tmpl_set_has(set, "partials"));
	tmpl_set_free(set);
}

static void test_link_errors(void **state)
{
	struct diag err;

	struct tmpl_set *set = tmpl_set_new();
	static const struct named unknown[] = {
	    {"a", "ok"},
	    {"page", "line 1\n{{#x}}\n  {{> nope}}\n{{/x}}"},
	};
	assert_int_equal(build_set(set, unknown, GZ_ARRAY_LEN(unknown), &err), -1);
	assert_string_equal(err.file, "page");
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, "unknown partial 'nope'");
	/* A set that failed to link does not render. */
	struct buf out = BUF_INIT;
	assert_int_equal(render_json(set, "a", "{}", &out), -1);
	tmpl_set_free(set);

	set = tmpl_set_new();
	static const struct named cycle[] = {
	    {"a", "x{{>b}}"},
	    {"b", "y\n{{>c}}"},
	    {"c", "{{#s}}\n{{>a}}{{/s}}"},
	    {"d", "{{>a}}"},
	};
	assert_int_equal(build_set(set, cycle, GZ_ARRAY_LEN(cycle), &err), -1);
	assert_string_equal(err.file, "c");
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "partial cycle: 'a' -> 'b' -> 'c' -> 'a'");
	assert_int_equal(render_json(set, "d", "{}", &out), -1);
	tmpl_set_free(set);

	set = tmpl_set_new();
	static const struct named self[] = {
	    {"self", "{{^stop}}{{> self}}{{/stop}}"},
	};
	assert_int_equal(build_set(set, self, GZ_ARRAY_LEN(self), &err), -1);
	assert_string_equal(err.file, "self");
	assert_int_equal(err.line, 1);
	assert_string_equal(err.msg, "partial cycle: 'self' -> 'self'");
	tmpl_set_free(set);

	/* Diamonds are not cycles. */
	set = tmpl_set_new();
	static const struct named diamond[] = {
	    {"top", "{{>l}}{{>r}}"},
	    {"l", "<{{>base}}"},
	    {"r", "{{>base}}>"},
	    {"base", "b"},
	};
	assert_int_equal(build_set(set, diamond, GZ_ARRAY_LEN(diamond), &err), 0);
	expect_render(set, "top", "{}", "<bb>");
	buf_free(&out);
	tmpl_set_free(set);
}

static void test_compile_errors(void **state)
{
	static const struct error_case cases[] = {
	    {"{{#a}}\n{{/b}}", 2, "'{{/b}}' closes '{{#a}}' opened on line 1"},
	    {"x\n\n{{#articles}}\n{{title}}\n", 3, "unclosed section 'articles' opened on line 3"},
	    {"a\nb {{name", 2, "unclosed tag '{{name' (no '}}' follows)"},
	    {"a\nb {{name\nmore}", 2, "unclosed tag '{{name' (no '}}' follows)"},
	    {"\n{{}}", 2, "empty name in '{{}}'"},
	    {"{{#  }}", 1, "empty name in '{{#  }}'"},
	    {"{{>}}", 1, "empty name in '{{>}}'"},
	    {"{{{ }}}", 1, "empty name in '{{{ }}}'"},
	    {"x\n{{=<% %>=}}", 2, "set-delimiter tags ('{{=...=}}') are not supported"},
	    {"a\n{{/x}}", 2, "'{{/x}}' closes no open section"},
	    {"{{{x}}", 1, "'{{{x}}' opens with '{{{' but closes with '}}'"},
	    {"{{a..b}}", 1, "invalid name 'a..b': empty part in a dotted name"},
	    {"{{.a}}", 1, "invalid name '.a': empty part in a dotted name"},
	    {"{{#a.}}{{/a.}}", 1, "invalid name 'a.': empty part in a dotted name"},
	    {"{{a b}}", 1, "invalid name 'a b': no blanks allowed"},
	    {"{{> my partial}}", 1, "invalid name 'my partial': no blanks allowed"},
	    {"{{! multi\nline\n}}\n{{#x}}\n{{/y}}", 5, "'{{/y}}' closes '{{#x}}' opened on line 4"},
	    {"{{#a}}{{^b}}{{/a}}", 1, "'{{/a}}' closes '{{^b}}' opened on line 1"},
	    {"{{^a}}\n\n", 1, "unclosed section 'a' opened on line 1"},
	    {"{{#a}}\n{{#b}}\n{{/b}}\n", 1, "unclosed section 'a' opened on line 1"},
	    {"a\r\nb\r\n{{/x}}", 3, "'{{/x}}' closes no open section"},
	    {"{{#a}}{{/ a b }}", 1, "invalid name 'a b': no blanks allowed"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct tmpl_set *set = tmpl_set_new();
		struct diag err;
		diag_clear(&err);
		int rc = tmpl_set_add(set, "t", cases[i].tmpl, strlen(cases[i].tmpl), &err);
		if (rc != -1 || err.line != cases[i].line || strcmp(err.msg, cases[i].msg) != 0)
			print_message("case %zu: template \"%s\"\n", i, cases[i].tmpl);
		assert_int_equal(rc, -1);
		assert_string_equal(err.msg, cases[i].msg);
		assert_int_equal(err.line, cases[i].line);
		assert_string_equal(err.file, "");
		assert_false(tmpl_set_has(set, "t"));
		tmpl_set_free(set);
	}
}

static void test_replace(void **state)
{
	struct tmpl_set *set = tmpl_set_new();
	struct diag err;
	static const struct named builtin[] = {
	    {"page", "[{{> footer}}]"},
	    {"footer", "built-in"},
	};
	assert_int_equal(build_set(set, builtin, GZ_ARRAY_LEN(builtin), &err), 0);
	expect_render(set, "page", "{}", "[built-in]");

	/* A theme overrides the footer; the set must be linked again before use. */
	const char *theme = "theme {{x}}";
	assert_int_equal(tmpl_set_add(set, "footer", theme, strlen(theme), &err), 0);
	struct buf out = BUF_INIT;
	assert_int_equal(render_json(set, "page", "{}", &out), -1);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	expect_render(set, "page", "{\"x\":1}", "[theme 1]");

	/* A replacement that does not compile leaves the old template in place. */
	const char *bad = "{{#x}}";
	assert_int_equal(tmpl_set_add(set, "footer", bad, strlen(bad), &err), -1);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	expect_render(set, "page", "{\"x\":2}", "[theme 2]");

	/* Names are kept in order whatever order they arrive in. */
	static const char *const names[] = {"m", "c", "x", "a", "q", "b", "z"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(names); i++)
		assert_int_equal(tmpl_set_add(set, names[i], names[i], 1, &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	for (size_t i = 0; i < GZ_ARRAY_LEN(names); i++)
		expect_render(set, names[i], "{}", names[i]);
	assert_true(tmpl_set_has(set, "footer"));
	assert_false(tmpl_set_has(set, "y"));
	buf_free(&out);
	tmpl_set_free(set);
}

/* Builds prefix^n body suffix^n as one template source; the caller frees it. */
static char *nest(const char *open, const char *body, const char *close, size_t n, size_t *len)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_puts(&b, open);
	buf_puts(&b, body);
	for (size_t i = 0; i < n; i++)
		buf_puts(&b, close);
	return buf_detach(&b, len);
}

/* Renders src with json and returns the number of times 'x' appears in the output. */
static size_t count_x(const char *src, size_t len, const char *json)
{
	struct tmpl_set *set = tmpl_set_new();
	struct diag err;
	assert_int_equal(tmpl_set_add(set, "deep", src, len, &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	struct buf out = BUF_INIT;
	assert_int_equal(render_json(set, "deep", json, &out), 0);
	size_t n = 0;
	for (size_t i = 0; i < out.len; i++)
		n += out.data[i] == 'x';
	assert_int_equal(n, out.len); /* only x's: the innermost body never shows */
	buf_free(&out);
	tmpl_set_free(set);
	return n;
}

static void test_deep_nesting(void **state)
{
	size_t len;
	/* Each level pushes a context; rendering stops descending after 64 levels. */
	char *src = nest("{{#o}}x", "{{y}}", "{{/o}}", 200, &len);
	assert_int_equal(count_x(src, len, "{\"o\":{},\"y\":\"DEEP\"}"), 64);
	free(src);

	src = nest("{{#t}}x", "{{y}}", "{{/t}}", 200, &len);
	assert_int_equal(count_x(src, len, "{\"t\":true,\"y\":\"DEEP\"}"), 64);
	free(src);

	/* The compiler does not recurse: 100000 levels compile, and render to the limit. */
	src = nest("{{^f}}x", "{{y}}", "{{/f}}", 100000, &len);
	assert_int_equal(count_x(src, len, "{\"y\":\"DEEP\"}"), 64);
	free(src);

	/* A chain of partials counts levels too. */
	struct tmpl_set *set = tmpl_set_new();
	struct diag err;
	for (int i = 0; i < 100; i++) {
		char name[16], body[32];
		snprintf(name, sizeof name, "p%d", i);
		snprintf(body, sizeof body, "x{{>p%d}}", i + 1);
		assert_int_equal(tmpl_set_add(set, name, body, strlen(body), &err), 0);
	}
	assert_int_equal(tmpl_set_add(set, "p100", "end", 3, &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	struct buf out = BUF_INIT;
	assert_int_equal(render_json(set, "p0", "{}", &out), 0);
	assert_int_equal(out.len, 65);
	buf_free(&out);
	tmpl_set_free(set);
}

static void test_render_api(void **state)
{
	struct tmpl_set *set = tmpl_set_new();
	struct diag err;
	const char *src = "<{{x}}>";
	assert_int_equal(tmpl_set_add(set, "t", src, strlen(src), &err), 0);

	/* Not linked yet: nothing renders. */
	struct buf out = BUF_INIT;
	assert_int_equal(render_json(set, "t", "{\"x\":1}", &out), -1);
	assert_int_equal(tmpl_set_link(set, &err), 0);

	assert_int_equal(render_json(set, "nope", "{}", &out), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(render_json(set, "", "{}", &out), -1);

	/* Output is appended, never reset. */
	buf_puts(&out, "head");
	assert_int_equal(render_json(set, "t", "{\"x\":1}", &out), 0);
	assert_int_equal(render_json(set, "t", "{\"x\":2}", &out), 0);
	assert_string_equal(out.data, "head<1><2>");

	/* Not NUL-terminated sources work: only len bytes count. */
	const char *part = "{{x}}IGNORED";
	assert_int_equal(tmpl_set_add(set, "part", part, 5, &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	expect_render(set, "part", "{\"x\":\"only\"}", "only");

	/* An empty set links and renders nothing. */
	struct tmpl_set *empty = tmpl_set_new();
	assert_int_equal(tmpl_set_link(empty, &err), 0);
	assert_false(tmpl_set_has(empty, "t"));
	assert_int_equal(render_json(empty, "t", "{}", &out), -1);
	tmpl_set_free(empty);

	buf_free(&out);
	tmpl_set_free(set);
	tmpl_set_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_variables),     cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_sections),      cmocka_unit_test(test_inverted),
	    cmocka_unit_test(test_context_stack), cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_standalone),    cmocka_unit_test(test_partials),
	    cmocka_unit_test(test_link_errors),   cmocka_unit_test(test_compile_errors),
	    cmocka_unit_test(test_replace),       cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_render_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
