/* Unit tests for markdown.c: the HTML, the content policy, the text and the excerpt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/buf.h"
#include "gazette/content/markdown.h"
#include "gazette/base/util.h"

struct md_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

/* Renders c->in and checks that the result is sane whatever the field under test. */
static void render(const struct md_case *c, size_t i, struct md_doc *doc)
{
	size_t len = c->len ? c->len : strlen(c->in);
	if (md_render(c->in, len, doc) != 0)
		fail_msg("case %zu: md_render failed", i);
	assert_non_null(doc->html);
	assert_non_null(doc->text);
	assert_non_null(doc->excerpt);
	assert_int_equal(strlen(doc->html), doc->html_len);
	assert_int_equal(strlen(doc->text), doc->text_len);
	assert_true(utf8_valid(doc->html, doc->html_len));
	assert_true(utf8_valid(doc->text, doc->text_len));
}

enum field { HTML, TEXT, EXCERPT };

static void run(enum field f, const struct md_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct md_doc doc;
		render(&c[i], i, &doc);
		const char *got = f == HTML ? doc.html : f == TEXT ? doc.text : doc.excerpt;
		if (strcmp(got, c[i].want) != 0)
			print_error("case %zu: \"%s\"\n", i, c[i].in);
		assert_string_equal(got, c[i].want);
		md_doc_free(&doc);
	}
}

static void test_blocks(void **state)
{
	static const struct md_case cases[] = {
	    {"", 0, ""},
	    {"Hello", 0, "<p>Hello</p>\n"},
	    {"one\ntwo", 0, "<p>one\ntwo</p>\n"},
	    {"one  \ntwo", 0, "<p>one<br>\ntwo</p>\n"},
	    {"*em* _em_ **strong** __strong__ ~~del~~", 0,
	     "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong> "
	     "<del>del</del></p>\n"},
	    {"***both***", 0, "<p><em><strong>both</strong></em></p>\n"},
	    {"`a < b && c > d`", 0, "<p><code>a &lt; b &amp;&amp; c &gt; d</code></p>\n"},
	    {"> quoted", 0, "<blockquote>\n<p>quoted</p>\n</blockquote>\n"},
	    {"---", 0, "<hr>\n"},
	    {"- a\n- b", 0, "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
	    {"1. a\n2. b", 0, "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"},
	    {"3. a\n4. b", 0, "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n"},
	    {"0) zero", 0, "<ol start=\"0\">\n<li>zero</li>\n</ol>\n"},
	    {"- a\n\n- b", 0, "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n"},
	    {"- a\n  - b", 0, "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n"},
	    {"- [ ] todo\n- [x] done", 0,
	     "<ul>\n<li class=\"task\"><input type=\"checkbox\" disabled> todo</li>\n"
	     "<li class=\"task\"><input type=\"checkbox\" disabled checked> done</li>\n</ul>\n"},
	    /*
	     * Code blocks: <pre> is focusable and named (a scrolling region must
	     * be reachable by keyboard); a known language is highlighted, the
	     * class keeps the fence's first word as written.
	     */
	    {"```c\nint a<b;\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code: C\">"
	     "<code class=\"language-c\"><span class=\"kt\">int</span> a<span class=\"o\">&lt;</span>b;\n"
	     "</code></pre>\n"},
	    {"```\nplain\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\"><code>plain\n"
	     "</code></pre>\n"},
	    {"```js extra words\nx\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code: JavaScript\">"
	     "<code class=\"language-js\">x\n</code></pre>\n"},
	    {"```RS\nfn f() {}\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code: Rust\">"
	     "<code class=\"language-RS\"><span class=\"k\">fn</span> <span class=\"nf\">f</span>() {}\n"
	     "</code></pre>\n"},
	    {"```\"><script>\nx\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\">"
	     "<code class=\"language-&quot;&gt;&lt;script&gt;\">x\n</code></pre>\n"},
	    {"```c&amp;d\nx\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\">"
	     "<code class=\"language-c&amp;d\">x\n</code></pre>\n"},
	    {"```cobol\nMOVE A TO B <x>\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\">"
	     "<code class=\"language-cobol\">MOVE A TO B &lt;x&gt;\n</code></pre>\n"},
	    {"    indented <b>\n", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\">"
	     "<code>indented &lt;b&gt;\n</code></pre>\n"},
	    {"```\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\"><code>"
	     "</code></pre>\n"},
	    {"```sh\na\0b\n```", 13,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code: Shell\">"
	     "<code class=\"language-sh\">a\xef\xbf\xbd" "b\n</code></pre>\n"},
	    /* Hugo's fence attributes: line numbers and marked lines. */
	    {"```go {linenos=true, hl_lines=[2, \"3-3\"], linenostart=10}\na\nb\nc\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code: Go\">"
	     "<code class=\"language-go\">"
	     "<span class=\"line\"><span class=\"ln\" aria-hidden=\"true\">10</span>a\n</span>"
	     "<span class=\"line hl\"><span class=\"ln\" aria-hidden=\"true\">11</span>b\n</span>"
	     "<span class=\"line hl\"><span class=\"ln\" aria-hidden=\"true\">12</span>c\n</span>"
	     "</code></pre>\n"},
	    {"```text {hl_lines=[1]}\n<a>\nb\n```", 0,
	     "<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\">"
	     "<code class=\"language-text\">"
	     "<span class=\"line hl\">&lt;a&gt;\n</span><span class=\"line\">b\n</span>"
	     "</code></pre>\n"},
	    {"| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |", 0,
	     "<table>\n<thead>\n<tr>\n"
	     "<th style=\"text-align:left\">a</th>\n"
	     "<th style=\"text-align:center\">b</th>\n"
	     "<th style=\"text-align:right\">c</th>\n"
	     "<th>d</th>\n"
	     "</tr>\n</thead>\n<tbody>\n<tr>\n"
	     "<td style=\"text-align:left\">1</td>\n"
	     "<td style=\"text-align:center\">2</td>\n"
	     "<td style=\"text-align:right\">3</td>\n"
	     "<td>4</td>\n"
	     "</tr>\n</tbody>\n</table>\n"},
	    {"| *x* | `<y>` |\n|---|---|", 0,
	     "<table>\n<thead>\n<tr>\n<th><em>x</em></th>\n<th><code>&lt;y&gt;</code></th>\n"
	     "</tr>\n</thead>\n</table>\n"},
	};
	run(HTML, cases, GZ_ARRAY_LEN(cases));
}

static void test_headings(void **state)
{
	static const struct md_case cases[] = {
	    {"# Hello World", 0, "<h1 id=\"hello-world\">Hello World</h1>\n"},
	    {"###### Six", 0, "<h6 id=\"six\">Six</h6>\n"},
	    {"Setext\n======\n\nTwo\n---", 0,
	     "<h1 id=\"setext\">Setext</h1>\n<h2 id=\"two\">Two</h2>\n"},
	    {"## Hello World\n## Hello World\n## Hello World", 0,
	     "<h2 id=\"hello-world\">Hello World</h2>\n"
	     "<h2 id=\"hello-world-2\">Hello World</h2>\n"
	     "<h2 id=\"hello-world-3\">Hello World</h2>\n"},
	    /* A heading that is already someone's "-2" pushes the duplicate on. */
	    {"# a\n# a-2\n# a", 0,
	     "<h1 id=\"a\">a</h1>\n<h1 id=\"a-2\">a-2</h1>\n<h1 id=\"a-3\">a</h1>\n"},
	    {"# a\n# a\n# a-2", 0,
	     "<h1 id=\"a\">a</h1>\n<h1 id=\"a-2\">a</h1>\n<h1 id=\"a-2-2\">a-2</h1>\n"},
	    {"#\n# !!!\n#", 0,
	     "<h1 id=\"section\"></h1>\n<h1 id=\"section-2\">!!!</h1>\n"
	     "<h1 id=\"section-3\"></h1>\n"},
	    {"## The `<main>` *tag* & [links](/x)", 0,
	     "<h2 id=\"the-main-tag-links\">The <code>&lt;main&gt;</code> <em>tag</em> &amp; "
	     "<a href=\"/x\">links</a></h2>\n"},
	    {"# Tom &amp; Jerry", 0, "<h1 id=\"tom-jerry\">Tom &amp; Jerry</h1>\n"},
	};
	run(HTML, cases, GZ_ARRAY_LEN(cases));
}

/* Many equal headings must stay cheap and each get its own id. */
static void test_heading_many_duplicates(void **state)
{
	struct buf src = BUF_INIT;
	for (int i = 0; i < 5000; i++)
		buf_puts(&src, "# a\n");
	struct md_doc doc;
	assert_int_equal(md_render(src.data, src.len, &doc), 0);
	assert_non_null(strstr(doc.html, "<h1 id=\"a\">a</h1>\n<h1 id=\"a-2\">a</h1>\n"));
	assert_non_null(strstr(doc.html, "<h1 id=\"a-5000\">a</h1>\n"));
	assert_null(strstr(doc.html, "a-5001"));
	md_doc_free(&doc);
	buf_free(&src);
}

/* With MD_FLAG_NOHTML raw HTML is never markup: it shows as the text it is. */
static void test_raw_html(void **state)
{
	static const struct md_case cases[] = {
	    {"<script>alert(1)</script>", 0, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
	    {"<div>\nblock\n</div>", 0, "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n"},
	    {"a <img src=x onerror=alert(1)> b", 0,
	     "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>\n"},
	    {"<iframe src=\"//evil\"></iframe>", 0,
	     "<p>&lt;iframe src=&quot;//evil&quot;&gt;&lt;/iframe&gt;</p>\n"},
	    {"x <!-- comment --> y", 0, "<p>x &lt;!-- comment --&gt; y</p>\n"},
	    {"*<b>bold</b>*", 0, "<p><em>&lt;b&gt;bold&lt;/b&gt;</em></p>\n"},
	    {"it's \"quoted\"", 0, "<p>it&#39;s &quot;quoted&quot;</p>\n"},
	};
	run(HTML, cases, GZ_ARRAY_LEN(cases));
}

static void test_autolinks(void **state)
{
	static const struct md_case cases[] = {
	    {"see http://example.com now", 0,
	     "<p>see <a href=\"http://example.com\">http://example.com</a> now</p>\n"},
	    {"https://example.com/a?b=1&c=2", 0,
	     "<p><a href=\"https://example.com/a?b=1&amp;c=2\">"
	     "https://example.com/a?b=1&amp;c=2</a></p>\n"},
	    {"www.example.com", 0,
	     "<p><a href=\"http://www.example.com\">www.example.com</a></p>\n"},
	    {"mail me@example.com", 0,
	     "<p>mail <a href=\"mailto:me@example.com\">me@example.com</a></p>\n"},
	    {"<https://example.com>", 0,
	     "<p><a href=\"https://example.com\">https://example.com</a></p>\n"},
	    {"<javascript:alert(1)>", 0, "<p>javascript:alert(1)</p>\n"},
	};
	run(HTML, cases, GZ_ARRAY_LEN(cases));
}

static void test_links(void **state)
{
	static const struct md_case cases[] = {
	    /* Unsafe: the text stays, the <a> goes. */
	    {"[x](javascript:alert(1))", 0, "<p>x</p>\n"},
	    {"[x](JAVASCRIPT:alert(1))", 0, "<p>x</p>\n"},
	    {"[x](<java\tscript:alert(1)>)", 0, "<p>x</p>\n"},
	    {"[x](<  javascript:alert(1)>)", 0, "<p>x</p>\n"},
	    {"[x](data:text/html;base64,PHNjcmlwdD4=)", 0, "<p>x</p>\n"},
	    {"[x](vbscript:msgbox)", 0, "<p>x</p>\n"},
	    {"[x](&#106;avascript:alert(1))", 0, "<p>x</p>\n"},
	    {"[x](javascript&#58;alert(1))", 0, "<p>x</p>\n"},
	    {"[x](java&Tab;script:alert(1))", 0, "<p>x</p>\n"},
	    {"[x](java%73cript:alert(1))", 0, "<p>x</p>\n"},
	    {"[*em* and `code`](javascript:x)", 0, "<p><em>em</em> and <code>code</code></p>\n"},
	    {"[x]: javascript:y\n\n[x]", 0, "<p>x</p>\n"},
	    /* Safe ones stay. */
	    {"[x](http://example.com)", 0, "<p><a href=\"http://example.com\">x</a></p>\n"},
	    {"[x](HTTPS://example.com)", 0, "<p><a href=\"HTTPS://example.com\">x</a></p>\n"},
	    {"[x](mailto:a@b.c)", 0, "<p><a href=\"mailto:a@b.c\">x</a></p>\n"},
	    {"[x](/path/to?q=1#f)", 0, "<p><a href=\"/path/to?q=1#f\">x</a></p>\n"},
	    {"[x](page.html)", 0, "<p><a href=\"page.html\">x</a></p>\n"},
	    {"[x](#frag)", 0, "<p><a href=\"#frag\">x</a></p>\n"},
	    {"[x](//cdn.example.com/a)", 0, "<p><a href=\"//cdn.example.com/a\">x</a></p>\n"},
	    {"[x](./a:b)", 0, "<p><a href=\"./a:b\">x</a></p>\n"},
	    {"[x]\n\n[x]: /ref \"Ref\"", 0, "<p><a href=\"/ref\" title=\"Ref\">x</a></p>\n"},
	    /* Titles and URLs are escaped; URLs are percent-encoded where they must be. */
	    {"[x](/a \"say \\\"hi\\\" & 'bye'\")", 0,
	     "<p><a href=\"/a\" title=\"say &quot;hi&quot; &amp; &#39;bye&#39;\">x</a></p>\n"},
	    {"[x](/a 'it&apos;s')", 0, "<p><a href=\"/a\" title=\"it&#39;s\">x</a></p>\n"},
	    {"[x](</a b>)", 0, "<p><a href=\"/a%20b\">x</a></p>\n"},
	    {"[x](/caf\xc3\xa9?a=%20&b=%zz)", 0,
	     "<p><a href=\"/caf%C3%A9?a=%20&amp;b=%25zz\">x</a></p>\n"},
	    {"[x](/a&quot;b)", 0, "<p><a href=\"/a%22b\">x</a></p>\n"},
	    {"[x](/it's)", 0, "<p><a href=\"/it&#39;s\">x</a></p>\n"},
	    {"[x](/a\\<b)", 0, "<p><a href=\"/a%3Cb\">x</a></p>\n"},
	};
	run(HTML, cases, GZ_ARRAY_LEN(cases));
}

static void test_images(void **state)
{
	static const struct md_case cases[] = {
	    {"![A cat](/cat.png)", 0,
	     "<p><img src=\"/cat.png\" alt=\"A cat\" loading=\"lazy\"></p>\n"},
	    {"![A \"cat\"](https://x.org/c.png \"The <cat>\")", 0,
	     "<p><img src=\"https://x.org/c.png\" alt=\"A &quot;cat&quot;\" "
	     "title=\"The &lt;cat&gt;\" loading=\"lazy\"></p>\n"},
	    /* Alt text is text: markup inside it is dropped, nested images give their text. */
	    {"![*em* `c` ![in](/i.png)](/o.png)", 0,
	     "<p><img src=\"/o.png\" alt=\"em c in\" loading=\"lazy\"></p>\n"},
	    {"[![logo](/l.png)](/home)", 0,
	     "<p><a href=\"/home\"><img src=\"/l.png\" alt=\"logo\" loading=\"lazy\"></a></p>\n"},
	    /* Unsafe: only the alt text, escaped. */
	    {"![bad <b>](javascript:alert(1))", 0, "<p>bad &lt;b&gt;</p>\n"},
	    {"![x **y**](data:image/svg+xml;base64,PHN2Zz4=)", 0, "<p>x y</p>\n"},
	    {"![x](vbscript:a \"t\")", 0, "<p>x</p>\n"},
	};
	run(HTML, cases, GZ_ARRAY_LEN(cases));
}

static void test_entities(void **state)
{
	static const struct md_case cases[] = {
	    {"&amp; &lt; &gt; &quot; &apos;", 0, "<p>&amp; &lt; &gt; &quot; &#39;</p>\n"},
	    {"&copy; &reg; &trade; &hellip; &mdash;", 0,
	     "<p>\xc2\xa9 \xc2\xae \xe2\x84\xa2 \xe2\x80\xa6 \xe2\x80\x94</p>\n"},
	    {"&eacute;&Eacute;&szlig;&euro;&frac12;", 0,
	     "<p>\xc3\xa9\xc3\x89\xc3\x9f\xe2\x82\xac\xc2\xbd</p>\n"},
	    {"&#60; &#x3C; &#X3c; &#233;", 0, "<p>&lt; &lt; &lt; \xc3\xa9</p>\n"},
	    {"&#0; &#xD800; &#x110000;", 0, "<p>\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd</p>\n"},
	    {"&bogus; &AMP;", 0, "<p>&amp;bogus; &amp;AMP;</p>\n"},
	    {"&#60;script&#62;", 0, "<p>&lt;script&gt;</p>\n"},
	    {"&#1;", 0, "<p>\xef\xbf\xbd</p>\n"},
	    {"`&amp;`", 0, "<p><code>&amp;amp;</code></p>\n"},
	    {"a &amp b", 0, "<p>a &amp;amp b</p>\n"},
	};
	run(HTML, cases, GZ_ARRAY_LEN(cases));
}

/* NUL, control characters and broken UTF-8 never reach the page raw. */
static void test_bytes(void **state)
{
	static const struct md_case html[] = {
	    {"a\0b", 3,
	     "<p>a\xef\xbf\xbd"
	     "b</p>\n"},
	    {"bad \xff\xfe end", 0, "<p>bad \xef\xbf\xbd\xef\xbf\xbd end</p>\n"},
	    {"cut \xe2\x82", 0, "<p>cut \xef\xbf\xbd\xef\xbf\xbd</p>\n"},
	    {"bell\x07", 0, "<p>bell\xef\xbf\xbd</p>\n"},
	    {"`\xc0\xaf`", 0, "<p><code>\xef\xbf\xbd\xef\xbf\xbd</code></p>\n"},
	    {"[x](</a\0b>)", 11, "<p><a href=\"/a%EF%BF%BDb\">x</a></p>\n"},
	    {"[x](/a\0b)", 9,
	     "<p>[x](/a\xef\xbf\xbd"
	     "b)</p>\n"},
	    {"crlf\r\nline\r\n", 0, "<p>crlf\nline</p>\n"},
	};
	run(HTML, html, GZ_ARRAY_LEN(html));
	static const struct md_case text[] = {
	    {"a\0b", 3,
	     "a\xef\xbf\xbd"
	     "b"},
	    {"bad \xff end", 0, "bad \xef\xbf\xbd end"},
	    {"# \xc3", 0, "\xef\xbf\xbd"},
	};
	run(TEXT, text, GZ_ARRAY_LEN(text));
}

static void test_text(void **state)
{
	static const struct md_case cases[] = {
	    {"", 0, ""},
	    {"# Title\n\nPara *one*\nsoft  \nhard", 0, "Title\nPara one soft\nhard"},
	    {"[link text](http://example.com/secret) and ![alt](/i.png)", 0, "link text and alt"},
	    {"https://example.com", 0, "https://example.com"},
	    {"> q1\n>\n> q2\n\n- a\n- b\n\n---\n\nend", 0, "q1\nq2\na\nb\nend"},
	    {"```\ncode <x>\nmore\n```\n\nafter", 0, "code <x>\nmore\nafter"},
	    {"```\ncode\n```", 0, "code"},
	    {"| h1 | h2 |\n|----|----|\n| c1 | c2 |", 0, "h1\nh2\nc1\nc2"},
	    {"&copy; &amp; &#60; &bogus;", 0, "\xc2\xa9 & < &bogus;"},
	    {"<b>raw</b>", 0, "<b>raw</b>"},
	    {"- a\n  - b\n- c", 0, "a\nb\nc"},
	};
	run(TEXT, cases, GZ_ARRAY_LEN(cases));
}

static void test_words(void **state)
{
	/* reading.h's words and CJK letters of the text, counted as it is made. */
	static const struct {
		const char *in;
		size_t want, cjk;
	} cases[] = {
	    {"", 0, 0},
	    {"   \n\n  ", 0, 0},
	    {"one", 1, 0},
	    {"one two  three\nfour", 4, 0},
	    {"# Title here\n\nBody text.", 4, 0},
	    {"a&nbsp;b", 2, 0},
	    {"a\xc2\xa0"
	     "b c",
	     3, 0},
	    {"don't stop-me", 2, 0},
	    {"[a link](http://x.com/long/url/that/is/not/counted)", 2, 0},
	    {"```\nint main(void) { }\n```", 2, 0}, /* braces alone are no words */
	    {"caf\xc3\xa9 na\xc3\xafve", 2, 0},
	    {"- a\n- b\n\n> c", 3, 0},
	    {"\xe6\x88\x91\xe7\x94\xa8 *Python* \xe5\x86\x99", 1, 3}, /* 我用 Python 写 */
	    {"<b>raw</b> words", 2, 0},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct md_doc doc;
		assert_int_equal(md_render(cases[i].in, strlen(cases[i].in), &doc), 0);
		if (doc.reading.words != cases[i].want || doc.reading.cjk_chars != cases[i].cjk)
			print_error("case %zu: \"%s\"\n", i, cases[i].in);
		assert_int_equal(doc.reading.words, cases[i].want);
		assert_int_equal(doc.reading.cjk_chars, cases[i].cjk);
		md_doc_free(&doc);
	}
}

static void test_excerpt(void **state)
{
	static const struct md_case cases[] = {
	    {"", 0, ""},
	    {"# Only a heading", 0, ""},
	    {"```\ncode\n```", 0, ""},
	    {"# Title\n\nFirst *para*.\n\nSecond.", 0, "First para."},
	    {"First line\nsecond line  \nthird", 0, "First line second line third"},
	    {"&nbsp;\n\nReal one &amp; only", 0, "Real one & only"},
	    {"> quoted\n\nTop level", 0, "Top level"},
	    {"> only quoted", 0, "only quoted"},
	    {"- loose\n\n- list", 0, "loose"},
	    {"| a |\n|---|\n| b |\n\nafter", 0, "after"},
	    {"[link](http://x.com) <b>", 0, "link <b>"},
	};
	run(EXCERPT, cases, GZ_ARRAY_LEN(cases));
}

static void test_excerpt_cut(void **state)
{
	struct buf src = BUF_INIT;
	struct md_doc doc;

	/* 40 words of 9 bytes and a space: the cut comes after the 30th word (299 bytes). */
	for (int i = 0; i < 40; i++)
		buf_puts(&src, i ? " abcdefghi" : "abcdefghi");
	buf_puts(&src, "\n\nsecond paragraph");
	assert_int_equal(md_render(src.data, src.len, &doc), 0);
	assert_int_equal(strlen(doc.excerpt), 299 + 3);
	assert_memory_equal(doc.excerpt, src.data, 299);
	assert_string_equal(doc.excerpt + 299, "\xe2\x80\xa6");
	assert_int_equal(doc.reading.words, 42);
	md_doc_free(&doc);

	/* Exactly 300 bytes: no cut. */
	buf_reset(&src);
	for (int i = 0; i < 30; i++)
		buf_puts(&src, i ? " abcdefghi" : "abcdefghij");
	assert_int_equal(src.len, 300);
	assert_int_equal(md_render(src.data, src.len, &doc), 0);
	assert_string_equal(doc.excerpt, src.data);
	md_doc_free(&doc);

	/* One long word of two-byte letters: cut at 300 bytes or less, on a character. */
	buf_reset(&src);
	buf_putc(&src, 'x');
	for (int i = 0; i < 200; i++)
		buf_puts(&src, "\xc3\xa9");
	assert_int_equal(md_render(src.data, src.len, &doc), 0);
	assert_int_equal(strlen(doc.excerpt), 299 + 3);
	assert_true(utf8_valid(doc.excerpt, strlen(doc.excerpt)));
	assert_memory_equal(doc.excerpt, src.data, 299);
	md_doc_free(&doc);

	/* The heading first is skipped; the space at byte 300 is a fine place to cut. */
	buf_reset(&src);
	buf_puts(&src, "# Heading\n\n");
	size_t body = src.len;
	buf_putc(&src, 'x');
	for (int i = 0; i < 30; i++)
		buf_puts(&src, "abcdefghi ");
	buf_puts(&src, "tail");
	assert_int_equal(md_render(src.data, src.len, &doc), 0);
	assert_int_equal(strlen(doc.excerpt), 300 + 3);
	assert_memory_equal(doc.excerpt, src.data + body, 300);
	md_doc_free(&doc);
	buf_free(&src);
}

static void test_url_is_safe(void **state)
{
	static const struct {
		const char *url;
		size_t len; /* 0: strlen(url) */
		bool safe;
	} cases[] = {
	    {"", 0, true},
	    {"/path", 0, true},
	    {"path/to/page.html", 0, true},
	    {"#frag", 0, true},
	    {"?q=1", 0, true},
	    {"//example.com/a", 0, true},
	    {"./a:b", 0, true},
	    {"/a:b", 0, true},
	    {"?a=javascript:x", 0, true},
	    {"#javascript:x", 0, true},
	    {"http://example.com", 0, true},
	    {"https://example.com", 0, true},
	    {"HtTpS://example.com", 0, true},
	    {"mailto:a@example.com", 0, true},
	    {"MAILTO:a@example.com", 0, true},
	    {"  http://x", 0, true},
	    {"ht\ttp://x", 0, true},
	    {"javascript:alert(1)", 0, false},
	    {"JavaScript:alert(1)", 0, false},
	    {"java\tscript:alert(1)", 0, false},
	    {"java\nscript:alert(1)", 0, false},
	    {"java\rscript:alert(1)", 0, false},
	    {"  javascript:alert(1)", 0, false},
	    {"\x01\x02javascript:alert(1)", 0, false},
	    {"\0javascript:x", 13, false},
	    {"java\0script:x", 13, false},
	    {"javascript\t:x", 0, false},
	    {"data:text/html,<script>", 0, false},
	    {"vbscript:msgbox", 0, false},
	    {"file:///etc/passwd", 0, false},
	    {"ftp://example.com", 0, false},
	    {"java%73cript:alert(1)", 0, false},
	    {"java script:x", 0, false},
	    {"jav\xc3\xa1script:x", 0, false},
	    {":nothing", 0, false},
	    {"httpx:a", 0, false},
	    {"http", 0, true},
	    {"https:", 0, true},
	    {"httpsx://a", 0, false},
	    {"1http://x", 0, false},
	    {"a+b.c-d:x", 0, false},
	    {"javascript\\:x", 0, false},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].url);
		if (md_url_is_safe(cases[i].url, len) != cases[i].safe)
			fail_msg("case %zu: \"%s\" should be %s", i, cases[i].url,
			         cases[i].safe ? "safe" : "unsafe");
	}
}

/*
 * md4c 0.4.8 looks one byte past the input at an unfinished link at the
 * end; what follows src in memory must not change (or crash) the page.
 */
static void test_input_is_bounded(void **state)
{
	static const char src[] = "[x](y)";
	struct md_doc doc;

	assert_int_equal(md_render(src, strlen(src) - 1, &doc), 0);
	assert_string_equal(doc.html, "<p>[x](y</p>\n");
	assert_string_equal(doc.text, "[x](y");
	md_doc_free(&doc);
}

static void test_doc_free(void **state)
{
	struct md_doc doc;
	memset(&doc, 0, sizeof(doc));
	md_doc_free(&doc);
	md_doc_free(NULL);

	assert_int_equal(md_render(NULL, 0, &doc), 0);
	assert_string_equal(doc.html, "");
	assert_string_equal(doc.text, "");
	assert_string_equal(doc.excerpt, "");
	assert_int_equal(doc.reading.words, 0);
	md_doc_free(&doc);
	assert_null(doc.html);
	md_doc_free(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks),
	    cmocka_unit_test(test_headings),
	    cmocka_unit_test(test_heading_many_duplicates),
	    cmocka_unit_test(test_raw_html),
	    cmocka_unit_test(test_autolinks),
	    cmocka_unit_test(test_links),
	    cmocka_unit_test(test_images),
	    cmocka_unit_test(test_entities),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_excerpt),
	    cmocka_unit_test(test_excerpt_cut),
	    cmocka_unit_test(test_url_is_safe),
	    cmocka_unit_test(test_input_is_bounded),
	    cmocka_unit_test(test_doc_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
