/*
 * Unit tests for import/mobiledoc.c: Mobiledoc 0.3 and Ghost's cards as HTML.
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
#include "mobiledoc.h"
#include "render_cases.h"

/* A Mobiledoc with these markups, atoms and cards and one section list. */
#define DOC(markups, atoms, cards, sections)                                                       \
	"{\"version\": \"0.3.1\", \"markups\": [" markups "], \"atoms\": [" atoms                  \
	"], \"cards\": [" cards "], \"sections\": [" sections "]}"

static void test_sections(void **state)
{
	static const struct render_case cases[] = {
	    {"{\"version\": \"0.3.0\", \"sections\": []}", "", NULL},
	    {DOC("", "", "", "[1, \"p\", [[0, [], 0, \"Hello\"]]]"), "<p>Hello</p>", NULL},
	    /* every text is escaped */
	    {DOC("", "", "", "[1, \"p\", [[0, [], 0, \"<b>&\\\"'</b>\"]]]"),
	     "<p>&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;</p>", NULL},
	    /* the tags Ghost's editor writes; others are paragraphs, empty ones nothing */
	    {DOC("", "", "",
	         "[1, \"h1\", [[0, [], 0, \"1\"]]], [1, \"h3\", [[0, [], 0, \"3\"]]],"
	         "[1, \"h6\", [[0, [], 0, \"6\"]]], [1, \"blockquote\", [[0, [], 0, \"q\"]]],"
	         "[1, \"aside\", [[0, [], 0, \"a\"]]], [1, \"pull-quote\", [[0, [], 0, \"pq\"]]],"
	         "[1, \"P\", [[0, [], 0, \"upper\"]]], [1, \"script\", [[0, [], 0, \"x\"]]],"
	         "[1, \"p\", []], [1, \"h7\", [[0, [], 0, \"7\"]]]"),
	     "<h1>1</h1><h3>3</h3><h6>6</h6><blockquote>q</blockquote><aside>a</aside>"
	     "<blockquote>pq</blockquote><p>upper</p><p>x</p><p>7</p>",
	     NULL},
	    /* Mobiledoc 0.3.2's section attributes are ignored */
	    {"{\"version\": \"0.3.2\", \"sections\": [[1, \"p\", [[0, [], 0, \"c\"]], "
	     "[\"data-md-text-align\", \"center\"]]]}",
	     "<p>c</p>", NULL},
	    /* lists: ul and ol, anything else ul */
	    {DOC("[\"em\"]", "", "",
	         "[3, \"ul\", [[[0, [], 0, \"a\"]], [[0, [0], 1, \"b\"]]]],"
	         "[3, \"ol\", [[[0, [], 0, \"1\"]]]], [3, \"dl\", [[[0, [], 0, \"d\"]], []]]"),
	     "<ul><li>a</li><li><em>b</em></li></ul><ol><li>1</li></ol><ul><li>d</li><li></li></"
	     "ul>",
	     NULL},
	    /* image sections */
	    {DOC("", "", "", "[2, \"/a \\\"b\\\".png\"]"),
	     "<img src=\"/a &quot;b&quot;.png\" alt=\"\">", NULL},
	};
	(void)state;
	run_render_cases(mobiledoc_render, cases, GZ_ARRAY_LEN(cases));
}

static void test_markups(void **state)
{
	static const struct render_case cases[] = {
	    /* open, text, close: they nest */
	    {DOC("[\"strong\"], [\"em\"]", "", "",
	         "[1, \"p\", [[0, [0], 0, \"a \"], [0, [1], 1, \"b\"], [0, [], 1, \" c\"], "
	         "[0, [], 0, \" d\"]]]"),
	     "<p><strong>a <em>b</em> c</strong> d</p>", NULL},
	    /* every markup gazette keeps, and their names in capitals */
	    {DOC("[\"b\"], [\"i\"], [\"code\"], [\"s\"], [\"sub\"], [\"sup\"], [\"u\"], "
	         "[\"STRONG\"]",
	         "", "",
	         "[1, \"p\", [[0, [0], 1, \"b\"], [0, [1], 1, \"i\"], [0, [2], 1, \"<c>\"], "
	         "[0, [3], 1, \"s\"], [0, [4], 1, \"2\"], [0, [5], 1, \"3\"], [0, [6], 1, \"u\"], "
	         "[0, [7], 1, \"S\"]]]"),
	     "<p><b>b</b><i>i</i><code>&lt;c&gt;</code><s>s</s><sub>2</sub><sup>3</sup><u>u</u>"
	     "<strong>S</strong></p>",
	     NULL},
	    /* links keep href only, escaped; a link without href is still a link */
	    {DOC("[\"a\", [\"rel\", \"noopener\", \"href\", "
	         "\"https://x.example/?a=1&b=\\\"2\\\"\"]],"
	         "[\"a\"]",
	         "", "", "[1, \"p\", [[0, [0], 1, \"x\"], [0, [1], 1, \"y\"]]]"),
	     "<p><a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">x</a><a>y</a></p>", NULL},
	    /* markups gazette does not keep lose their tag, never their text */
	    {DOC("[\"span\", [\"style\", \"color:red\"]], [\"script\"], [\"em\"]", "", "",
	         "[1, \"p\", [[0, [0, 2], 1, \"a\"], [0, [1], 2, \"b\"], [0, [], 0, \"c\"]]]"),
	     "<p><em>a</em>bc</p>", NULL},
	    /* what a section leaves open is closed; closing more than is open closes what is */
	    {DOC("[\"em\"], [\"strong\"]", "", "",
	         "[1, \"p\", [[0, [0, 1], 0, \"open\"]]], [1, \"p\", [[0, [0], 5, \"x\"], "
	         "[0, [], 3, \"y\"]]]"),
	     "<p><em><strong>open</strong></em></p><p><em>x</em>y</p>", NULL},
	    /* atoms: a soft return is a line break, any other its text */
	    {DOC("[\"em\"]", "[\"soft-return\", \"\", {}], [\"mention\", \"<@ada>\", {\"id\": 1}]",
	         "",
	         "[1, \"p\", [[0, [], 0, \"a\"], [1, [], 0, 0], [0, [], 0, \"b \"], [1, [0], 1, "
	         "1]]]"),
	     "<p>a<br>b <em>&lt;@ada&gt;</em></p>", NULL},
	    /* an atom without text is nothing */
	    {DOC("", "[\"emoji\", null, {}]", "", "[1, \"p\", [[1, [], 0, 0]]]"), "<p></p>", NULL},
	};
	(void)state;
	run_render_cases(mobiledoc_render, cases, GZ_ARRAY_LEN(cases));
}

static void test_card_sections(void **state)
{
	static const struct render_case cases[] = {
	    {DOC("", "", "[\"hr\", {}], [\"html\", {\"html\": \"<p>raw</p>\"}]",
	         "[10, 1], [10, 0]"),
	     "<p>raw</p><hr>", NULL},
	    /* unknown cards leave nothing; each is named once */
	    {DOC("", "",
	         "[\"product\", {}], [\"signup\", {}], [\"product\", {\"x\": 1}], "
	         "[\"paywall\", {}]",
	         "[10, 0], [1, \"p\", [[0, [], 0, \"between\"]]], [10, 1], [10, 2], [10, 3]"),
	     "<p>between</p>", "[\"product\", \"signup\"]"},
	};
	(void)state;
	run_render_cases(mobiledoc_render, cases, GZ_ARRAY_LEN(cases));

	/* unknown may be NULL */
	struct buf out = BUF_INIT;
	struct diag err;
	const char *doc = DOC("", "", "[\"product\", {}]", "[10, 0]");
	assert_int_equal(mobiledoc_render(doc, strlen(doc), &out, NULL, &err), 0);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void test_errors(void **state)
{
	static const struct render_error cases[] = {
	    {"", "not JSON (column 0): '[' or '{' expected near end of file"},
	    {"{\"version\": ", "not JSON (column 12): unexpected token near end of file"},
	    {"[]", "not Mobiledoc: no \"version\""},
	    {"{\"version\": 3}", "not Mobiledoc: no \"version\""},
	    {"{\"version\": \"0.2.0\", \"sections\": [[], []]}",
	     "Mobiledoc version 0.2.0 is not supported (0.3.x is)"},
	    {"{\"version\": \"0.3.1\"}", "not Mobiledoc: no \"sections\" list"},
	    {DOC("", "", "", "5"), "sections[0]: a section is [type, ...]"},
	    {DOC("", "", "", "[\"1\"]"), "sections[0]: a section is [type, ...]"},
	    {DOC("", "", "", "[1, \"p\", []], [7, 1]"),
	     "sections[1]: section type 7 is not Mobiledoc's"},
	    {DOC("", "", "", "[1, 2, []]"),
	     "sections[0]: a markup section is [1, \"tag\", [markers]]"},
	    {DOC("", "", "", "[1, \"p\", 5]"), "sections[0][2]: a list of markers was expected"},
	    {DOC("", "", "", "[1, \"p\", [[0, [], 0, \"a\"], [0, [], 0]]]"),
	     "sections[0][2][1]: a marker is text (0) or an atom (1)"},
	    {DOC("", "", "", "[1, \"p\", [[0, [], -1, \"a\"]]]"),
	     "sections[0][2][0]: a marker is [type, [markups opened], markups closed, value]"},
	    {DOC("", "", "", "[1, \"p\", [\"text\"]]"),
	     "sections[0][2][0]: a marker is [type, [markups opened], markups closed, value]"},
	    {DOC("", "", "", "[1, \"p\", [[2, [], 0, \"a\"]]]"),
	     "sections[0][2][0]: a marker is text (0) or an atom (1)"},
	    {DOC("[\"em\"]", "", "", "[1, \"p\", [[0, [1], 0, \"a\"]]]"),
	     "sections[0][2][0]: opens a markup that is not in \"markups\""},
	    {DOC("[\"em\"]", "", "", "[1, \"p\", [[0, [-1], 0, \"a\"]]]"),
	     "sections[0][2][0]: opens a markup that is not in \"markups\""},
	    {DOC("[5]", "", "", "[1, \"p\", [[0, [0], 0, \"a\"]]]"),
	     "markups[0]: a markup is [\"tag\", [attributes]]"},
	    {DOC("", "", "", "[1, \"p\", [[1, [], 0, 0]]]"),
	     "sections[0][2][0]: names an atom that is not in \"atoms\" as [name, text, payload]"},
	    {DOC("", "[5]", "", "[1, \"p\", [[1, [], 0, 0]]]"),
	     "sections[0][2][0]: names an atom that is not in \"atoms\" as [name, text, payload]"},
	    {DOC("", "", "[\"hr\", {}]", "[10, 1]"),
	     "sections[0]: names a card that is not in \"cards\" as [name, payload]"},
	    {DOC("", "", "[{}]", "[10, 0]"),
	     "sections[0]: names a card that is not in \"cards\" as [name, payload]"},
	    {DOC("", "", "", "[3, \"ul\", 1]"),
	     "sections[0]: a list section is [3, \"ul\", [[markers], ...]]"},
	    {DOC("", "", "", "[3, \"ul\", [[], 1]]"),
	     "sections[0][2][1]: a list of markers was expected"},
	    {DOC("", "", "", "[2]"), "sections[0]: an image section is [2, \"src\"]"},
	    /* 33 markups open at once */
	    {DOC("[\"em\"]", "", "",
	         "[1, \"p\", [[0, "
	         "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0], "
	         "0, \"deep\"]]]"),
	     "sections[0][2][0]: more than 32 markups open at once"},
	};
	(void)state;
	run_render_errors(mobiledoc_render, cases, GZ_ARRAY_LEN(cases));
}

static void test_cards(void **state)
{
	static const struct {
		const char *name;
		const char *payload; /* JSON */
		const char *html;
	} cases[] = {
	    /* image: text fields escaped, the caption is HTML */
	    {"image", "{\"src\": \"a.png\"}", "<figure><img src=\"a.png\" alt=\"\"></figure>"},
	    {"image", "{\"src\": \"\", \"alt\": \"x\"}", ""},
	    {"image", "{\"alt\": \"no src\"}", ""},
	    {"image",
	     "{\"src\": \"a.png\", \"alt\": \"<script>\", \"title\": \"\\\"t\\\"\", \"width\": "
	     "\"300\","
	     " \"height\": 12.7, \"caption\": \"<b>c</b>\"}",
	     "<figure><img src=\"a.png\" alt=\"&lt;script&gt;\" title=\"&quot;t&quot;\" "
	     "width=\"300\" "
	     "height=\"12\"><figcaption><b>c</b></figcaption></figure>"},
	    {"image", "{\"src\": \"a.png\", \"width\": 0, \"height\": \"tall\"}",
	     "<figure><img src=\"a.png\" alt=\"\"></figure>"},
	    {"image", "{\"src\": \"a.png\", \"width\": -4, \"height\": 1e12}",
	     "<figure><img src=\"a.png\" alt=\"\"></figure>"},
	    /* markdown: gazette's renderer, which shows raw HTML as text */
	    {"markdown", "{\"markdown\": \"*a* <i>b</i>\"}",
	     "<p><em>a</em> &lt;i&gt;b&lt;/i&gt;</p>\n"},
	    {"card-markdown", "{\"cardName\": \"card-markdown\", \"markdown\": \"# T\"}",
	     "<h1 id=\"t\">T</h1>\n"},
	    {"markdown", "{}", ""},
	    {"html", "{\"html\": \"<table><tr><td>1</td></tr></table>\"}",
	     "<table><tr><td>1</td></tr></table>"},
	    /* code: the code is text, the language escaped into a class */
	    {"code", "{\"code\": \"a && b\", \"language\": \"x\\\" onclick=\\\"y\"}",
	     "<pre><code class=\"language-x&quot; onclick=&quot;y\">a &amp;&amp; b</code></pre>"},
	    {"code", "{\"language\": \"c\"}", ""},
	    {"hr", "{}", "<hr>"},
	    {"hr", "null", "<hr>"},
	    /* embed: its HTML, else a link to what it embeds */
	    {"embed", "{\"html\": \"<iframe src=\\\"https://v.example/1\\\"></iframe>\"}",
	     "<figure><iframe src=\"https://v.example/1\"></iframe></figure>"},
	    {"embed", "{\"url\": \"https://v.example/?a&b\"}",
	     "<figure><a "
	     "href=\"https://v.example/?a&amp;b\">https://v.example/?a&amp;b</a></figure>"},
	    {"embed", "{}", ""},
	    /* bookmark: metadata is text */
	    {"bookmark", "{\"url\": \"https://a.example/\"}",
	     "<figure><p><a href=\"https://a.example/\"><strong>https://a.example/</strong></a></p>"
	     "</figure>"},
	    {"bookmark",
	     "{\"url\": \"https://a.example/\", \"metadata\": {\"title\": \"<T>\", "
	     "\"description\": "
	     "\"<img src=x onerror=alert(1)>\", \"author\": \"Au & thor\"}, \"caption\": "
	     "\"<i>c</i>\"}",
	     "<figure><p><a "
	     "href=\"https://a.example/\"><strong>&lt;T&gt;</strong></a></p><p>&lt;img "
	     "src=x onerror=alert(1)&gt;</p><p><small>Au &amp; thor</small></p><figcaption><i>c</i>"
	     "</figcaption></figure>"},
	    {"bookmark", "{\"metadata\": {\"title\": \"no url\"}}", ""},
	    /* gallery: rows as Ghost numbers them; images without src are skipped */
	    {"gallery", "{\"images\": []}", ""},
	    {"gallery", "{\"images\": [{\"row\": 0}]}", ""},
	    {"gallery",
	     "{\"images\": [{\"src\": \"1.jpg\", \"alt\": \"<1>\"}, {\"src\": \"2.jpg\", \"row\": "
	     "0}, "
	     "{\"src\": \"3.jpg\", \"row\": 2}, {\"src\": \"4.jpg\"}]}",
	     "<figure><div><img src=\"1.jpg\" alt=\"&lt;1&gt;\"><img src=\"2.jpg\" alt=\"\"></div>"
	     "<div><img src=\"3.jpg\" alt=\"\"><img src=\"4.jpg\" alt=\"\"></div></figure>"},
	    /* callout: the emoji is text, the text HTML */
	    {"callout", "{\"calloutText\": \"<p>Hi</p>\"}", "<aside><p>Hi</p></aside>"},
	    {"callout", "{\"calloutText\": \"x\", \"calloutEmoji\": \"<>\"}",
	     "<aside>&lt;&gt; x</aside>"},
	    {"callout", "{\"calloutEmoji\": \"!\"}", ""},
	    {"toggle", "{\"heading\": \"Q\"}", "<details><summary>Q</summary></details>"},
	    {"toggle", "{\"content\": \"A\"}", ""},
	    /* button: the text is text */
	    {"button", "{\"buttonText\": \"Go & <see>\", \"buttonUrl\": \"/x?a&b\"}",
	     "<p><a href=\"/x?a&amp;b\">Go &amp; &lt;see&gt;</a></p>"},
	    {"button", "{\"buttonText\": \"Go\"}", ""},
	    {"button", "{\"buttonUrl\": \"/x\"}", ""},
	    /* header: the button only when enabled */
	    {"header",
	     "{\"header\": \"H\", \"buttonEnabled\": false, \"buttonUrl\": \"/x\", \"buttonText\": "
	     "\"B\", \"backgroundImageSrc\": \"/bg.jpg\"}",
	     "<section><img src=\"/bg.jpg\" alt=\"\"><h2>H</h2></section>"},
	    {"header",
	     "{\"subheader\": \"S\", \"buttonEnabled\": \"true\", \"buttonUrl\": \"/x\", "
	     "\"buttonText\": \"<B>\"}",
	     "<section><p>S</p><p><a href=\"/x\">&lt;B&gt;</a></p></section>"},
	    {"header", "{\"buttonEnabled\": true}", ""},
	    /* video and audio: the audio's title is text */
	    {"video",
	     "{\"src\": \"/v.mp4\", \"loop\": true, \"thumbnailSrc\": \"/t.jpg\", "
	     "\"customThumbnailSrc\": \"/c.jpg\"}",
	     "<figure><video src=\"/v.mp4\" poster=\"/c.jpg\" controls loop "
	     "muted></video></figure>"},
	    {"video", "{\"caption\": \"no src\"}", ""},
	    {"audio", "{\"src\": \"/a.mp3\"}",
	     "<figure><audio src=\"/a.mp3\" controls></audio></figure>"},
	    {"audio", "{\"src\": \"/a.mp3\", \"title\": \"<b>t</b>\"}",
	     "<figure><audio src=\"/a.mp3\" controls></audio><figcaption>&lt;b&gt;t&lt;/b&gt;"
	     "</figcaption></figure>"},
	    {"file", "{\"src\": \"/f.pdf\", \"fileName\": \"f.pdf\", \"fileCaption\": \"<c>\"}",
	     "<p><a href=\"/f.pdf\">f.pdf</a><br>&lt;c&gt;</p>"},
	    {"file", "{\"src\": \"/f.pdf\", \"fileTitle\": \"Report\"}",
	     "<p><a href=\"/f.pdf\">Report</a></p>"},
	    /* known, and nothing on a web page */
	    {"paywall", "{}", ""},
	    {"email", "{\"html\": \"<p>for e-mail</p>\"}", ""},
	    {"email-cta", "{\"html\": \"<p>for e-mail</p>\"}", ""},
	    /* a payload that is no object is an empty one */
	    {"image", "[\"a.png\"]", ""},
	};
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct buf out = BUF_INIT;
		json_t *payload = json_loads(cases[i].payload, JSON_DECODE_ANY, NULL);
		assert_non_null(payload);
		assert_true(mobiledoc_card_render(cases[i].name, payload, &out));
		if (strcmp(out.data ? out.data : "", cases[i].html) != 0)
			print_error("case %zu (%s):\n got  %s\n want %s\n", i, cases[i].name,
			            out.data ? out.data : "", cases[i].html);
		assert_string_equal(out.data ? out.data : "", cases[i].html);
		json_decref(payload);
		buf_free(&out);
	}

	/* Unknown names append nothing. */
	static const char *const unknown[] = {"product", "signup", "Image", "", "codeblock"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(unknown); i++) {
		struct buf out = BUF_INIT;
		json_t *payload = json_pack("{s:s}", "src", "a.png");
		assert_false(mobiledoc_card_render(unknown[i], payload, &out));
		assert_int_equal(out.len, 0);
		json_decref(payload);
		buf_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sections),      cmocka_unit_test(test_markups),
	    cmocka_unit_test(test_card_sections), cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_cards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
