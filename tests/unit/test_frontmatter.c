/*
 * Unit tests for frontmatter.c.
 *
 * Usage: test_frontmatter [DIR].  With DIR (the Jekyll posts corpus),
 * every *.md and *.markdown file in it must parse; without, that test
 * is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/content/frontmatter.h"
#include "gazette/base/util.h"
#include "assert_json.h"

static const char *corpus_dir;

struct ok_case {
	const char *in;
	size_t len;        /* 0: strlen(in) */
	const char *meta;  /* JSON */
	const char *lines; /* JSON */
	const char *body;
	unsigned body_line;
};

static void run_ok(const struct ok_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = c[i].len ? c[i].len : strlen(c[i].in);
		struct fm_doc doc;
		struct diag err;
		diag_clear(&err);
		int rc = fm_parse(c[i].in, len, &doc, &err);
		if (rc != 0)
			print_error("case %zu: line %u: %s\n", i, err.line, err.msg);
		assert_int_equal(rc, 0);
		assert_json(doc.meta, c[i].meta);
		assert_json(doc.lines, c[i].lines);
		assert_int_equal(doc.body_len, strlen(c[i].body));
		assert_memory_equal(doc.body, c[i].body, doc.body_len);
		/* The body points into the text, at its end. */
		assert_ptr_equal(doc.body + doc.body_len, c[i].in + len);
		assert_int_equal(doc.body_line, c[i].body_line);
		fm_doc_free(&doc);
		fm_doc_free(&doc); /* a freed doc can be freed again */
	}
}

static void test_basic(void **state)
{
	static const struct ok_case cases[] = {
	    {"---\ntitle: Hello\n---\nBody text.\n", 0, "{\"title\": \"Hello\"}", "{\"title\": 2}",
	     "Body text.\n", 4},
	    /* empty front matter, empty body */
	    {"---\n---\n", 0, "{}", "{}", "", 3},
	    {"---\n---", 0, "{}", "{}", "", 3},
	    {"---\n# only a comment\n\n---\nx", 0, "{}", "{}", "x", 5},
	    /* "..." closes too; delimiters may have trailing blanks */
	    {"---\na: b\n...\nbody", 0, "{\"a\": \"b\"}", "{\"a\": 2}", "body", 4},
	    {"--- \t\na: b\n---  \nbody", 0, "{\"a\": \"b\"}", "{\"a\": 2}", "body", 4},
	    /* no newline after the closing line */
	    {"---\na: b\n---", 0, "{\"a\": \"b\"}", "{\"a\": 2}", "", 4},
	    /* CRLF line ends */
	    {"---\r\ntitle: x\r\n\r\ntags: [a]\r\n---\r\nBody\r\nmore", 0,
	     "{\"title\": \"x\", \"tags\": [\"a\"]}", "{\"title\": 2, \"tags\": 4}", "Body\r\nmore",
	     6},
	    /* a UTF-8 byte order mark */
	    {"\xef\xbb\xbf---\ntitle: x\nauthor: y\n---\n\nBody", 0,
	     "{\"title\": \"x\", \"author\": \"y\"}", "{\"title\": 2, \"author\": 3}", "\nBody", 5},
	    {"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\n", 0, "{\"title\": \"x\"}", "{\"title\": 2}",
	     "", 4},
	    /* a later '---' is a horizontal rule in the body */
	    {"---\na: 1\n---\ntext\n---\nmore\n", 0, "{\"a\": \"1\"}", "{\"a\": 2}",
	     "text\n---\nmore\n", 4},
	    /* indented '---' inside a block scalar does not close */
	    {"---\na: |\n  ---\n  x\n---\n", 0, "{\"a\": \"---\\nx\\n\"}", "{\"a\": 2}", "", 6},
	    /* lines skip blank and comment lines */
	    {"---\n# c\na: 1\n\n\n# c\nb: 2\nc:\n  - x\nd: 3\n---\n", 0,
	     "{\"a\": \"1\", \"b\": \"2\", \"c\": [\"x\"], \"d\": \"3\"}",
	     "{\"a\": 3, \"b\": 7, \"c\": 8, \"d\": 10}", "", 12},
	};
	run_ok(cases, GZ_ARRAY_LEN(cases));
}

/* A NUL inside the body must not be mistaken for the end. */
static void test_body_nul(void **state)
{
	static const char text[] = "---\na: b\n---\nx\0y";
	struct fm_doc doc;
	struct diag err;
	assert_int_equal(fm_parse(text, sizeof text - 1, &doc, &err), 0);
	assert_int_equal(doc.body_len, 3);
	assert_memory_equal(doc.body, "x\0y", 3);
	fm_doc_free(&doc);
}

static void test_values(void **state)
{
	static const struct ok_case cases[] = {
	    /* scalars keep their text */
	    {"---\ntitle: 3.10\nn: 042\ndraft: no\nok: true\nf: 1e3\n---\n", 0,
	     "{\"title\": \"3.10\", \"n\": \"042\", \"draft\": \"no\", \"ok\": \"true\", "
	     "\"f\": \"1e3\"}",
	     "{\"title\": 2, \"n\": 3, \"draft\": 4, \"ok\": 5, \"f\": 6}", "", 8},
	    /* plain null forms; quoted ones are strings */
	    {"---\na:\nb: ~\nc: null\nd: Null\ne: NULL\nf: 'null'\ng: \"~\"\nh: nULL\ni: ''\n"
	     "j: \"\"\n---\n",
	     0,
	     "{\"a\": null, \"b\": null, \"c\": null, \"d\": null, \"e\": null, "
	     "\"f\": \"null\", \"g\": \"~\", \"h\": \"nULL\", \"i\": \"\", \"j\": \"\"}",
	     "{\"a\": 2, \"b\": 3, \"c\": 4, \"d\": 5, \"e\": 6, \"f\": 7, \"g\": 8, \"h\": 9, "
	     "\"i\": 10, \"j\": 11}",
	     "", 13},
	    /* Jekyll-like fields */
	    {"---\nlayout: post\ntitle: \"Jekyll 3.8.4 Released\"\ndate: 2018-09-19 18:00:00 "
	     "+0530\nauthor: parkr\nversion: 3.8.4\ncategories: [release]\n---\n",
	     0,
	     "{\"layout\": \"post\", \"title\": \"Jekyll 3.8.4 Released\", \"date\": "
	     "\"2018-09-19 18:00:00 +0530\", \"author\": \"parkr\", \"version\": \"3.8.4\", "
	     "\"categories\": [\"release\"]}",
	     "{\"layout\": 2, \"title\": 3, \"date\": 4, \"author\": 5, \"version\": 6, "
	     "\"categories\": 7}",
	     "", 9},
	    /* lists, flow and block */
	    {"---\ntags: [a, 'b c', \"d\"]\nmore:\n  - x\n  - y z\nnone: []\n---\n", 0,
	     "{\"tags\": [\"a\", \"b c\", \"d\"], \"more\": [\"x\", \"y z\"], \"none\": []}",
	     "{\"tags\": 2, \"more\": 3, \"none\": 6}", "", 8},
	    /* nested mappings */
	    {"---\nauthor:\n  name: Ana\n  links: {web: 'https://a.example', title: x}\n"
	     "title: t\n---\n",
	     0,
	     "{\"author\": {\"name\": \"Ana\", \"links\": {\"web\": \"https://a.example\", "
	     "\"title\": \"x\"}}, \"title\": \"t\"}",
	     "{\"author\": 2, \"title\": 5}", "", 7},
	    /* multi-line strings */
	    {"---\nlit: |\n  one\n  two\nfold: >\n  one\n  two\nstrip: |-\n  x\n---\n", 0,
	     "{\"lit\": \"one\\ntwo\\n\", \"fold\": \"one two\\n\", \"strip\": \"x\"}",
	     "{\"lit\": 2, \"fold\": 5, \"strip\": 8}", "", 11},
	    /* aliases are expanded */
	    {"---\nbase: &b {x: 1, y: [2]}\nother: *b\nname: &n Ana\nauthor: *n\n---\n", 0,
	     "{\"base\": {\"x\": \"1\", \"y\": [\"2\"]}, "
	     "\"other\": {\"x\": \"1\", \"y\": [\"2\"]}, "
	     "\"name\": \"Ana\", \"author\": \"Ana\"}",
	     "{\"base\": 2, \"other\": 3, \"name\": 4, \"author\": 5}", "", 7},
	    /* text beyond ASCII, escapes, colons in quotes */
	    {"---\ntitle: \"Caf\\u00e9: \\\"cr\\u00e8me\\\"\"\n"
	     "x: \xc5\x81\xc3\xb3\x64\xc5\xba\n\"quoted key\": 'it''s'\n---\n",
	     0,
	     "{\"title\": \"Caf\\u00e9: \\\"cr\\u00e8me\\\"\", "
	     "\"x\": \"\\u0141\\u00f3d\\u017a\", \"quoted key\": \"it's\"}",
	     "{\"title\": 2, \"x\": 3, \"quoted key\": 4}", "", 6},
	    /* the same name at different levels is no duplicate */
	    {"---\ntitle: a\nseo:\n  title: b\n---\n", 0,
	     "{\"title\": \"a\", \"seo\": {\"title\": \"b\"}}", "{\"title\": 2, \"seo\": 3}", "",
	     6},
	    /* tags and explicit documents markers are YAML's business */
	    {"---\na: !!str 12\nb: !custom x\n---\n", 0, "{\"a\": \"12\", \"b\": \"x\"}",
	     "{\"a\": 2, \"b\": 3}", "", 5},
	    /* an escaped NUL in a value survives */
	    {"---\na: \"x\\0y\"\n---\n", 0, "{\"a\": \"x\\u0000y\"}", "{\"a\": 2}", "", 4},
	    /* a lone CR is a line break for YAML but not a line of the file */
	    {"---\na: b\r\rc: d\n---\n", 0, "{\"a\": \"b\", \"c\": \"d\"}", "{\"a\": 2, \"c\": 2}",
	     "", 4},
	    /* U+2028 is a line break to libyaml; the lines after it still count right */
	    {"---\na: \"x\xe2\x80\xa8y\"\nc: d\n---\n", 0, "{\"a\": \"x\\u2028y\", \"c\": \"d\"}",
	     "{\"a\": 2, \"c\": 3}", "", 5},
	};
	run_ok(cases, GZ_ARRAY_LEN(cases));
}

struct err_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	unsigned line;
	const char *msg;
};

static const char no_fm[] = "no front matter: the file must start with a line '---'";
static const char not_closed[] = "front matter is not closed: no line '---' after line 1";
static const char toml[] =
    "TOML front matter ('+++') is not supported; use YAML between '---' lines";
static const char not_map[] = "front matter must be a mapping of fields";
static const char too_big[] = "front matter too deeply nested or too large";

static void run_err(const struct err_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = c[i].len ? c[i].len : strlen(c[i].in);
		struct fm_doc doc;
		struct diag err;
		diag_clear(&err);
		memset(&doc, 0x5a, sizeof doc);
		int rc = fm_parse(c[i].in, len, &doc, &err);
		if (rc != -1 || err.line != c[i].line || strcmp(err.msg, c[i].msg) != 0)
			print_error("case %zu: rc %d, line %u: %s\n", i, rc, err.line, err.msg);
		assert_int_equal(rc, -1);
		assert_string_equal(err.msg, c[i].msg);
		assert_int_equal(err.line, c[i].line);
		assert_string_equal(err.file, ""); /* left to the caller */
		/* nothing to free */
		assert_null(doc.meta);
		assert_null(doc.lines);
	}
}

static void test_errors_delimiters(void **state)
{
	static const struct err_case cases[] = {
	    {"", 0, 1, no_fm},
	    {"title: x\n---\n", 0, 1, no_fm},
	    {"\n---\ntitle: x\n---\n", 0, 1, no_fm},
	    {" ---\ntitle: x\n---\n", 0, 1, no_fm},
	    {"----\ntitle: x\n---\n", 0, 1, no_fm},
	    {"--- title: x\n---\n", 0, 1, no_fm},
	    {"\xef\xbb\xbf\xef\xbb\xbf---\na: b\n---\n", 0, 1, no_fm},
	    {"+++\ntitle = \"x\"\n+++\n", 0, 1, toml},
	    {"+++\r\ntitle = \"x\"\r\n+++\r\n", 0, 1, toml},
	    {"---", 0, 1, not_closed},
	    {"---\n", 0, 1, not_closed},
	    {"---\ntitle: x\n", 0, 1, not_closed},
	    {"---\ntitle: x\n----\nbody\n", 0, 1, not_closed},
	    {"---\ntitle: x\n ---\nbody\n", 0, 1, not_closed},
	    {"---\ntitle: x\n+++\n", 0, 1, not_closed},
	    {"---\ntitle: x\r---\r", 0, 1, not_closed},
	};
	run_err(cases, GZ_ARRAY_LEN(cases));
}

static void test_errors_yaml(void **state)
{
	static const struct err_case cases[] = {
	    {"---\ntitle: a: b\n---\n", 0, 2,
	     "invalid YAML: mapping values are not allowed in this context"},
	    {"---\ntitle: x\ndate: 2025\ntags: a: b\n---\n", 0, 4,
	     "invalid YAML: mapping values are not allowed in this context"},
	    {"\xef\xbb\xbf---\r\ntitle: x\r\ntags: a: b\r\n---\r\n", 0, 3,
	     "invalid YAML: mapping values are not allowed in this context"},
	    {"---\ntitle: \"abc\n---\n", 0, 3,
	     "invalid YAML: found unexpected end of stream (while scanning a quoted scalar on "
	     "line 2)"},
	    {"---\ntags: [a, b\n---\n", 0, 3,
	     "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence on "
	     "line 2)"},
	    {"---\n\ttitle: x\n---\n", 0, 2,
	     "invalid YAML: found character that cannot start any token"},
	    {"---\n  a: b\n c: d\n---\n", 0, 3,
	     "invalid YAML: did not find expected <document start>"},
	    {"---\na: *nope\n---\n", 0, 2, "invalid YAML: found undefined alias"},
	    {"---\na: &x 1\nb: &x 2\n---\n", 0, 3,
	     "invalid YAML: second occurrence (found duplicate anchor; first occurrence on "
	     "line 2)"},
	    {"---\na: b\n--- c\n---\n", 0, 3, "front matter must be a single YAML document"},
	    /* characters YAML does not allow */
	    {"---\na: b\nc: \x01\n---\n", 0, 3, "invalid YAML: control characters are not allowed"},
	    {"---\na: b\nc: d\x00\n---\n", 19, 3, "front matter contains a NUL byte"},
	    {"---\na: b\x00\n---\n", 14, 2, "front matter contains a NUL byte"},
	    {"---\na: b\nc: \xff\n---\n", 0, 3, "front matter is not valid UTF-8"},
	    {"---\na: b\n\xc3\x28: d\n---\n", 0, 3, "front matter is not valid UTF-8"},
	    {"---\r\na: b\r\n\r\nc: \xed\xa0\x80\r\n---\r\n", 0, 4,
	     "front matter is not valid UTF-8"},
	};
	run_err(cases, GZ_ARRAY_LEN(cases));
}

static void test_errors_structure(void **state)
{
	static const struct err_case cases[] = {
	    {"---\n- a\n- b\n---\n", 0, 2, not_map},
	    {"---\njust some text\n---\n", 0, 2, not_map},
	    {"---\n\n# c\n[a, b]\n---\n", 0, 4, not_map},
	    {"---\n'quoted'\n---\n", 0, 2, not_map},
	    {"---\ntitle: a\ndate: x\ntitle: b\n---\n", 0, 4,
	     "duplicate field 'title' (first on line 2)"},
	    {"\xef\xbb\xbf---\r\ntitle: a\r\n\r\ntitle: b\r\n---\r\n", 0, 4,
	     "duplicate field 'title' (first on line 2)"},
	    {"---\n\"title\": a\ntitle: b\n---\n", 0, 3,
	     "duplicate field 'title' (first on line 2)"},
	    {"---\nauthor:\n  name: a\n  url: u\n  name: b\n---\n", 0, 5,
	     "duplicate field 'name' (first on line 3)"},
	    {"---\nx: {a: 1, b: 2, a: 3}\n---\n", 0, 2, "duplicate field 'a' (first on line 2)"},
	    {"---\n\"a\\nb\": 1\n\"a\\nb\": 2\n---\n", 0, 3,
	     "duplicate field 'a?b' (first on line 2)"},
	    {"---\n? [a, b]\n: c\n---\n", 0, 2, "a field name must be text, not a list or mapping"},
	    {"---\nx:\n  {a: 1}: 2\n---\n", 0, 3,
	     "a field name must be text, not a list or mapping"},
	    {"---\n\"\": x\n---\n", 0, 2, "a field name must not be empty"},
	    {"---\n\"a\\0b\": x\n---\n", 0, 2, "a field name must not contain a NUL character"},
	    /* an anchor that contains its own alias */
	    {"---\na: x\nb: &s [*s]\n---\n", 0, 3, too_big},
	    {"---\nb: &m {k: *m}\n---\n", 0, 2, too_big},
	};
	run_err(cases, GZ_ARRAY_LEN(cases));
}

/* A long duplicate field name is quoted in part, cut between characters. */
static void test_long_key(void **state)
{
	struct buf in = BUF_INIT;
	struct fm_doc doc;
	struct diag err;

	buf_puts(&in, "---\n");
	for (int k = 0; k < 2; k++) {
		buf_putc(&in, 'a');
		for (int i = 0; i < 40; i++)
			buf_puts(&in, "\xc3\xa9"); /* é: bytes 60-61 straddle the limit */
		buf_puts(&in, ": x\n");
	}
	buf_puts(&in, "---\n");
	assert_int_equal(fm_parse(in.data, in.len, &doc, &err), -1);
	char want[128];
	struct buf w = BUF_INIT;
	buf_puts(&w, "duplicate field 'a");
	for (int i = 0; i < 29; i++)
		buf_puts(&w, "\xc3\xa9");
	buf_puts(&w, "...' (first on line 2)");
	snprintf(want, sizeof want, "%s", w.data);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.line, 3);
	buf_free(&w);
	buf_free(&in);
}

/* Builds "---\nv: " + open + "x" + close (each repeated n times) + "\n---\n". */
static char *nested(const char *open, const char *close, int n, size_t *len)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "---\nv: ");
	for (int i = 0; i < n; i++)
		buf_puts(&b, open);
	buf_puts(&b, "x");
	for (int i = 0; i < n; i++)
		buf_puts(&b, close);
	buf_puts(&b, "\n---\n");
	return buf_detach(&b, len);
}

static int parse_text(const char *text, size_t len, struct diag *err)
{
	struct fm_doc doc;
	int rc = fm_parse(text, len, &doc, err);
	fm_doc_free(&doc);
	return rc;
}

static void test_limits(void **state)
{
	struct diag err;
	size_t len;
	char *s;

	/* The root mapping is level 1, v's value level 2: 30 lists put "x" at 32. */
	s = nested("[", "]", 30, &len);
	assert_int_equal(parse_text(s, len, &err), 0);
	free(s);
	s = nested("[", "]", 31, &len);
	assert_int_equal(parse_text(s, len, &err), -1);
	assert_string_equal(err.msg, too_big);
	assert_int_equal(err.line, 2);
	free(s);
	s = nested("{k: ", "}", 30, &len);
	assert_int_equal(parse_text(s, len, &err), 0);
	free(s);
	s = nested("{k: ", "}", 31, &len);
	assert_int_equal(parse_text(s, len, &err), -1);
	assert_string_equal(err.msg, too_big);
	free(s);
	/* Far deeper: refused without exhausting the stack. */
	s = nested("[", "]", 100000, &len);
	assert_int_equal(parse_text(s, len, &err), -1);
	assert_int_equal(err.line, 2);
	free(s);

	/* Nodes: root, key "v", the list and its items. */
	for (int items = 9997; items <= 9998; items++) {
		struct buf b = BUF_INIT;
		buf_puts(&b, "---\nv:\n");
		for (int i = 0; i < items; i++)
			buf_puts(&b, "- x\n");
		buf_puts(&b, "---\n");
		int rc = parse_text(b.data, b.len, &err);
		assert_int_equal(rc, items == 9997 ? 0 : -1);
		if (rc != 0) {
			assert_string_equal(err.msg, too_big);
			assert_int_equal(err.line, 10000); /* the last item */
		}
		buf_free(&b);
	}
}

/* Nine levels of nine aliases: 387,420,489 strings if expanded. */
static void test_alias_bomb(void **state)
{
	struct buf b = BUF_INIT;
	struct diag err;

	buf_puts(&b, "---\ntitle: lol\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (char c = 'b'; c <= 'i'; c++) {
		buf_printf(&b, "%c: &%c [", c, c);
		for (int i = 0; i < 9; i++)
			buf_printf(&b, "%s*%c", i ? ", " : "", c - 1);
		buf_puts(&b, "]\n");
	}
	buf_puts(&b, "---\nbody\n");
	assert_int_equal(parse_text(b.data, b.len, &err), -1);
	assert_string_equal(err.msg, too_big);
	/* title: 3 nodes, a: 11, b: 92, c: 821, d: 7382; e (line 7) passes 10,000 */
	assert_int_equal(err.line, 7);
	buf_free(&b);
}

/* The text is read, never written. */
static void test_input_untouched(void **state)
{
	static const char text[] = "\xef\xbb\xbf---\r\ntitle: \"x\"\r\ntags: [a, b]\r\n---\r\nbody";
	char copy[sizeof text];
	struct fm_doc doc;
	struct diag err;

	memcpy(copy, text, sizeof text);
	assert_int_equal(fm_parse(copy, sizeof copy - 1, &doc, &err), 0);
	assert_memory_equal(copy, text, sizeof text);
	assert_ptr_equal(doc.body, copy + sizeof copy - 5);
	fm_doc_free(&doc);

	struct fm_doc zero = {0};
	fm_doc_free(&zero);
}

/* A whole YAML file (site.yaml): no delimiters, lines counted from first_line. */
static void test_parse_yaml(void **state)
{
	static const struct {
		const char *in;
		unsigned first_line;
		int rc;
		const char *meta, *lines, *msg;
		unsigned err_line;
	} cases[] = {
	    {"title: My site\ndescription: x\n", 1, 0,
	     "{\"title\": \"My site\", \"description\": \"x\"}",
	     "{\"title\": 1, \"description\": 2}", NULL, 0},
	    {"\xef\xbb\xbf# settings\r\ntitle: t\r\n", 1, 0, "{\"title\": \"t\"}", "{\"title\": 2}",
	     NULL, 0},
	    {"---\ntitle: t\n...\n", 1, 0, "{\"title\": \"t\"}", "{\"title\": 2}", NULL, 0},
	    {"", 1, 0, "{}", "{}", NULL, 0},
	    {"title: t\n", 10, 0, "{\"title\": \"t\"}", "{\"title\": 10}", NULL, 0},
	    {"a: 1\nb: c: d\n", 1, -1, NULL, NULL,
	     "invalid YAML: mapping values are not allowed in this context", 2},
	    {"a: 1\na: 2\n", 5, -1, NULL, NULL, "duplicate field 'a' (first on line 5)", 6},
	    {"- a\n", 1, -1, NULL, NULL, not_map, 1},
	    {"a: 1\n---\nb: 2\n", 1, -1, NULL, NULL, "front matter must be a single YAML document",
	     2},
	    {"a: \xff\n", 1, -1, NULL, NULL, "front matter is not valid UTF-8", 1},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		json_t *meta = (json_t *)&meta, *lines = (json_t *)&lines;
		struct diag err;
		diag_clear(&err);
		int rc = fm_parse_yaml(cases[i].in, strlen(cases[i].in), cases[i].first_line, &meta,
		                       &lines, &err);
		if (rc != cases[i].rc)
			print_error("case %zu: line %u: %s\n", i, err.line, err.msg);
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_json(meta, cases[i].meta);
			assert_json(lines, cases[i].lines);
		} else {
			assert_null(meta);
			assert_null(lines);
			assert_string_equal(err.msg, cases[i].msg);
			assert_int_equal(err.line, cases[i].err_line);
		}
		json_decref(meta);
		json_decref(lines);
	}
}

/* The 1-based line of text that starts at p. */
static unsigned line_at(const char *text, const char *p)
{
	unsigned line = 1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* The start of line `line` of text[0..len). */
static const char *find_line(const char *text, size_t len, unsigned line)
{
	const char *p = text, *end = text + len;
	while (--line > 0) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (p == NULL)
			return NULL;
		p++;
	}
	return p;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static void check_corpus_file(const char *path)
{
	size_t len;
	char *text = read_file(path, 1 << 20, &len);
	struct fm_doc doc;
	struct diag err;

	assert_non_null(text);
	diag_clear(&err);
	if (fm_parse(text, len, &doc, &err) != 0)
		fail_msg("%s:%u: %s", path, err.line, err.msg);

	/* Every post has a title; the lines given are where the fields are. */
	json_t *title = json_object_get(doc.meta, "title");
	assert_true(json_is_string(title));
	assert_true(json_string_length(title) > 0);
	const char *key;
	json_t *line;
	json_object_foreach(doc.lines, key, line)
	{
		const char *p = find_line(text, len, (unsigned)json_integer_value(line));
		assert_non_null(p);
		assert_memory_equal(p, key, strlen(key));
		assert_int_equal(p[strlen(key)], ':');
	}
	assert_int_equal(json_object_size(doc.lines), json_object_size(doc.meta));

	/* Dates, when present, are ones date_parse reads. */
	json_t *date = json_object_get(doc.meta, "date");
	int64_t t;
	if (date != NULL) {
		assert_true(json_is_string(date));
		if (date_parse(json_string_value(date), &t) != 0)
			fail_msg("%s: date \"%s\"", path, json_string_value(date));
	}

	/* The body starts right after the closing line. */
	assert_int_equal(line_at(text, doc.body), doc.body_line);
	assert_ptr_equal(doc.body + doc.body_len, text + len);
	const char *closing = find_line(text, len, doc.body_line - 1);
	assert_true(strncmp(closing, "---\n", 4) == 0);

	fm_doc_free(&doc);
	free(text);
}

static void test_corpus(void **state)
{
	if (corpus_dir == NULL)
		skip();

	DIR *dir = opendir(corpus_dir);
	if (dir == NULL)
		fail_msg("cannot open %s", corpus_dir);
	int files = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (!has_suffix(de->d_name, ".md") && !has_suffix(de->d_name, ".markdown"))
			continue;
		char path[4096];
		int n = snprintf(path, sizeof path, "%s/%s", corpus_dir, de->d_name);
		assert_true(n > 0 && (size_t)n < sizeof path);
		check_corpus_file(path);
		files++;
	}
	closedir(dir);
	assert_true(files > 0);
	print_message("%d files of %s parsed\n", files, corpus_dir);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		corpus_dir = argv[1];

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),       cmocka_unit_test(test_body_nul),
	    cmocka_unit_test(test_values),      cmocka_unit_test(test_errors_delimiters),
	    cmocka_unit_test(test_errors_yaml), cmocka_unit_test(test_errors_structure),
	    cmocka_unit_test(test_long_key),    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_alias_bomb),  cmocka_unit_test(test_input_untouched),
	    cmocka_unit_test(test_parse_yaml),  cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
