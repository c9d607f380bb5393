/*
 * Unit tests for import/lexical.c: Ghost 5's Lexical documents as HTML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"
#include "lexical.h"
#include "render_cases.h"

/* A document whose root has these children. */
#define ROOT(children) "{\"root\": {\"type\": \"root\", \"children\": [" children "]}}"
#define TEXT(s, f)     "{\"type\": \"extended-text\", \"text\": \"" s "\", \"format\": " #f "}"
#define PARA(children) "{\"type\": \"paragraph\", \"children\": [" children "]}"

static void test_render(void **state)
{
	static const struct render_case cases[] = {
	    /* the documents are laid out as trees */
	    // clang-format off
	    {ROOT(""), "", NULL},
	    {"{\"root\": {\"type\": \"root\"}}", "", NULL},
	    {ROOT(PARA(TEXT("Hello", 0))), "<p>Hello</p>", NULL},
	    /* text is escaped; "text" and "extended-text" are the same */
	    {ROOT(PARA("{\"type\": \"text\", \"text\": \"<a href='x'>&</a>\"}")),
	     "<p>&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;</p>", NULL},
	    /* format bits, one and all: 1 bold, 2 italic, 4 strike, 8 underline, 16 code,
	     * 32 sub, 64 sup, 128 highlight */
	    {ROOT(PARA(TEXT("b", 1) "," TEXT("i", 2) "," TEXT("s", 4) "," TEXT("u", 8) ","
	               TEXT("c", 16) "," TEXT("2", 32) "," TEXT("3", 64) "," TEXT("h", 128))),
	     "<p><strong>b</strong><em>i</em><s>s</s><u>u</u><code>c</code><sub>2</sub><sup>3</sup>"
	     "<mark>h</mark></p>", NULL},
	    {ROOT(PARA(TEXT("all", 255))),
	     "<p><strong><em><s><u><sub><sup><mark><code>all</code></mark></sup></sub></u></s></em>"
	     "</strong></p>", NULL},
	    /* empty paragraphs are the editor's blank lines */
	    {ROOT(PARA("") "," PARA(TEXT("x", 0))), "<p>x</p>", NULL},
	    /* headings h1-h6, anything else h2 */
	    {ROOT("{\"type\": \"heading\", \"tag\": \"h1\", \"children\": [" TEXT("1", 0) "]},"
	          "{\"type\": \"extended-heading\", \"tag\": \"h6\", \"children\": ["
	              TEXT("6", 0) "]},"
	          "{\"type\": \"heading\", \"tag\": \"h9\", \"children\": [" TEXT("9", 0) "]},"
	          "{\"type\": \"heading\", \"children\": [" TEXT("none", 0) "]}"),
	     "<h1>1</h1><h6>6</h6><h2>9</h2><h2>none</h2>", NULL},
	    {ROOT("{\"type\": \"quote\", \"children\": [" TEXT("q", 0) "]},"
	          "{\"type\": \"extended-quote\", \"children\": [" TEXT("eq", 0) "]},"
	          "{\"type\": \"aside\", \"children\": [" TEXT("a", 0) "]}"),
	     "<blockquote>q</blockquote><blockquote>eq</blockquote><aside>a</aside>", NULL},
	    /* lists: bullet and check are ul, number ol with its start; nested lists */
	    {ROOT("{\"type\": \"list\", \"listType\": \"bullet\", \"children\": ["
	          "  {\"type\": \"listitem\", \"children\": [" TEXT("a", 0) "]},"
	          "  {\"type\": \"listitem\", \"children\": ["
	          "    {\"type\": \"list\", \"listType\": \"number\", \"start\": 3, \"children\": ["
	          "      {\"type\": \"listitem\", \"children\": [" TEXT("c", 0) "]}]}]}]},"
	          "{\"type\": \"list\", \"listType\": \"check\", \"children\": []},"
	          "{\"type\": \"list\", \"listType\": \"number\", \"start\": 1, \"children\": []}"),
	     "<ul><li>a</li><li><ol start=\"3\"><li>c</li></ol></li></ul><ul></ul><ol></ol>", NULL},
	    /* links, line breaks, tabs */
	    {ROOT(PARA("{\"type\": \"link\", \"url\": \"https://x.example/?a&b\", \"children\": ["
	                   TEXT("x", 1) "]},"
	               "{\"type\": \"linebreak\"},"
	               "{\"type\": \"autolink\", \"url\": \"https://y.example\", \"children\": ["
	                   TEXT("y", 0) "]},"
	               "{\"type\": \"tab\"},"
	               "{\"type\": \"link\", \"children\": [" TEXT("z", 0) "]}")),
	     "<p><a href=\"https://x.example/?a&amp;b\"><strong>x</strong></a><br><a "
	     "href=\"https://y.example\">y</a>\t<a>z</a></p>", NULL},
	    /* cards, under their Lexical names */
	    {ROOT("{\"type\": \"codeblock\", \"code\": \"<x>\", \"language\": \"html\"},"
	          "{\"type\": \"horizontalrule\"},"
	          "{\"type\": \"image\", \"src\": \"/i.png\", \"alt\": \"i\", \"width\": 10, "
	          "\"height\": 20, \"caption\": \"\"},"
	          "{\"type\": \"markdown\", \"markdown\": \"**m**\"},"
	          "{\"type\": \"html\", \"html\": \"<div>h</div>\"},"
	          "{\"type\": \"callout\", \"calloutText\": \"<p>c</p>\", \"calloutEmoji\": \"\"},"
	          "{\"type\": \"paywall\"}"),
	     "<pre><code class=\"language-html\">&lt;x&gt;</code></pre><hr><figure><img "
	     "src=\"/i.png\" alt=\"i\" width=\"10\" height=\"20\"></figure><p><strong>m</strong></p>\n"
	     "<div>h</div><aside><p>c</p></aside>", NULL},
	    /* nodes of other types: their children, else their text, else a notice */
	    {ROOT(PARA("{\"type\": \"hashtag\", \"text\": \"#tag\"}") ","
	          "{\"type\": \"layout\", \"children\": [" PARA(TEXT("inside", 0)) "]},"
	          "{\"type\": \"product\", \"productTitle\": \"t\"},"
	          "{\"type\": \"signup\"}, {\"type\": \"product\"}"),
	     "<p>#tag</p><p>inside</p>", "[\"product\", \"signup\"]"},
	    // clang-format on
	};
	(void)state;
	run_render_cases(lexical_render, cases, GZ_ARRAY_LEN(cases));
}

static void test_errors(void **state)
{
	static const struct render_error cases[] = {
	    {"{", "not JSON (column 1): string or '}' expected near end of file"},
	    {"[]", "not a Lexical document: no \"root\" object"},
	    {"{\"root\": []}", "not a Lexical document: no \"root\" object"},
	    {"{\"root\": {\"children\": 5}}", "root.children: a list of nodes was expected"},
	    {ROOT("5"), "root.children[0]: a node is an object with a \"type\""},
	    {ROOT(PARA(TEXT("a", 0) ", {\"text\": \"untyped\"}")),
	     "root.children[0].children[1]: a node is an object with a \"type\""},
	    {ROOT("{\"type\": \"list\", \"children\": {}}"),
	     "root.children[0].children: a list of nodes was expected"},
	};
	(void)state;
	run_render_errors(lexical_render, cases, GZ_ARRAY_LEN(cases));
}

/* Text inside 63 quotes is 64 nodes deep, and fine; inside 64 it is too deep. */
static void test_depth(void **state)
{
	(void)state;
	for (int depth = 62; depth <= 64; depth++) {
		struct buf doc = BUF_INIT, out = BUF_INIT;
		struct diag err;
		buf_puts(&doc, "{\"root\": {\"children\": [");
		for (int i = 0; i < depth; i++)
			buf_puts(&doc, "{\"type\": \"quote\", \"children\": [");
		buf_puts(&doc, TEXT("deep", 0));
		for (int i = 0; i < depth; i++)
			buf_puts(&doc, "]}");
		buf_puts(&doc, "]}}");
		diag_clear(&err);
		int rc = lexical_render(doc.data, doc.len, &out, NULL, &err);
		if (depth <= 63) {
			assert_int_equal(rc, 0);
			assert_non_null(strstr(out.data, "<blockquote>deep</blockquote>"));
		} else {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err.msg, "nodes nested deeper than 64"));
			assert_true(strncmp(err.msg, "...children[0]", 14) == 0 ||
			            strncmp(err.msg, "root.children[0]", 16) == 0);
		}
		buf_free(&doc);
		buf_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
