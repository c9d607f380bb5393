/*
 * Unit tests for wpcontent.c: a WordPress post body as HTML, rule by rule
 * (wpcontent.h lists the rules), its text, and character references.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wpcontent.h"
#include "gazette/base/buf.h"
#include "gazette/base/util.h"

struct body_case {
	const char *in;
	const char *want;
	const char *unknown; /* "name=n,..." of the shortcodes kept as text */
};

/* "gallery=2,embed=1" in the order first seen. */
static void counts_text(const struct wp_counts *c, struct buf *out)
{
	for (unsigned i = 0; i < c->len; i++)
		buf_printf(out, "%s%s=%u", i ? "," : "", c->items[i].name, c->items[i].n);
	if (c->others)
		buf_printf(out, ",others=%u", c->others);
}

static void run_body(const struct body_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf out = BUF_INIT, names = BUF_INIT;
		struct wp_counts unknown = {0};
		wp_content_html(c[i].in, strlen(c[i].in), &out, &unknown);
		counts_text(&unknown, &names);
		const char *got = out.data ? out.data : "";
		const char *got_names = names.data ? names.data : "";
		if (strcmp(got, c[i].want) != 0 || strcmp(got_names, c[i].unknown) != 0)
			print_error("case %zu: in  \"%s\"\n got \"%s\" [%s]\nwant \"%s\" [%s]\n", i,
			            c[i].in, got, got_names, c[i].want, c[i].unknown);
		assert_string_equal(got, c[i].want);
		assert_string_equal(got_names, c[i].unknown);
		buf_free(&out);
		buf_free(&names);
	}
}

/* Blank lines make paragraphs; single line ends make <br>. */
static void test_paragraphs(void **state)
{
	static const struct body_case cases[] = {
	    {"", "", ""},
	    {" \n\t\n ", "", ""},
	    {"One line", "<p>One line</p>", ""},
	    {"a\nb", "<p>a<br>\nb</p>", ""},
	    {"a\n\nb", "<p>a</p>\n<p>b</p>", ""},
	    /* a blank line may hold spaces; many count as one */
	    {"a\n \t\n\n\nb", "<p>a</p>\n<p>b</p>", ""},
	    /* CRLF and CR are line ends */
	    {"a\r\nb\r\n\r\nc", "<p>a<br>\nb</p>\n<p>c</p>", ""},
	    {"a\rb", "<p>a<br>\nb</p>", ""},
	    /* no whitespace kept at a paragraph's ends */
	    {"  lead and trail  \n\n", "<p>lead and trail</p>", ""},
	    {"two  spaces\tand a tab", "<p>two spaces and a tab</p>", ""},
	    /* an existing <br> gets no second one; two in a row are a paragraph break */
	    {"a<br>b", "<p>a<br>b</p>", ""},
	    {"a<br />\nb", "<p>a<br>\nb</p>", ""},
	    {"a\n<br>b", "<p>a\n<br>b</p>", ""},
	    {"a<br><br>b", "<p>a</p>\n<p>b</p>", ""},
	    {"a<br/>\n<br/>\nb", "<p>a</p>\n<p>b</p>", ""},
	    {"<br>lead", "<p><br>lead</p>", ""},
	    {"trail<br>", "<p>trail</p>", ""},
	    /* inline elements are paragraph content */
	    {"<img src=\"a.jpg\">", "<p><img src=\"a.jpg\"></p>", ""},
	    {"<em>a</em>\n<strong>b</strong>", "<p><em>a</em><br>\n<strong>b</strong></p>", ""},
	    {"text <a href=\"x\">link</a>.", "<p>text <a href=\"x\">link</a>.</p>", ""},
	    /* an inline element across a paragraph break is closed and opened again */
	    {"<em>a\n\nb</em>", "<p><em>a</em></p>\n<p><em>b</em></p>", ""},
	    {"<a href=\"x\">link\n\nmore</a> after",
	     "<p><a href=\"x\">link</a></p>\n<p><a href=\"x\">more</a> after</p>", ""},
	    {"<b><i>a\n\nb</i> c</b>", "<p><b><i>a</i></b></p>\n<p><b><i>b</i> c</b></p>", ""},
	    /* comments stay where they are */
	    {"a\n<!-- note -->\nb", "<p>a<br>\n<!-- note --><br>\nb</p>", ""},
	    {"<!-- alone -->", "<!-- alone -->", ""},
	    /* what the author left open is closed; a stray '<' is escaped */
	    {"<b>bold", "<p><b>bold</b></p>", ""},
	    {"<div>open", "<div>open</div>", ""},
	    {"1 < 2 and 3 > 2", "<p>1 &lt; 2 and 3 > 2</p>", ""},
	    {"a <3 b", "<p>a &lt;3 b</p>", ""},
	    {"broken <a href=\"x\" tag", "<p>broken &lt;a href=\"x\" tag</p>", ""},
	    {"stray </em> close", "<p>stray </em> close</p>", ""},
	    {"<p>a <!-- unclosed", "<p>a &lt;!-- unclosed</p>", ""},
	    {"<ul><li>a<li>b", "<ul><li>a<li>b</li></ul>", ""},
	    {"<p>a<p>b", "<p>a<p>b</p>", ""},
	};
	run_body(cases, GZ_ARRAY_LEN(cases));
}

/* Block elements end paragraphs and are never inside one; no <br> next to them. */
static void test_blocks(void **state)
{
	static const struct body_case cases[] = {
	    {"text<div>in</div>more", "<p>text</p>\n<div>in</div>\n<p>more</p>", ""},
	    {"<div>\ninside\nline\n</div>", "<div>\ninside<br>\nline\n</div>", ""},
	    {"<div>\n\ninside\n\n</div>", "<div>\n<p>inside</p>\n</div>", ""},
	    {"<div class=\"x\">\nSome text\n\nMore text\n</div>",
	     "<div class=\"x\">\nSome text\n<p>More text</p>\n</div>", ""},
	    {"<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
	     ""},
	    {"Intro:\n<ul>\n\t<li>one</li>\n</ul>\nOutro",
	     "<p>Intro:</p>\n<ul>\n<li>one</li>\n</ul>\n<p>Outro</p>", ""},
	    {"<ul><li>a\n\nb</li></ul>", "<ul><li>a\n<p>b</p>\n</li></ul>", ""},
	    {"<h2>Title</h2>\nText", "<h2>Title</h2>\n<p>Text</p>", ""},
	    /* a heading holds no paragraphs: a blank line in it is one line end */
	    {"<h2>A\n\nB</h2>", "<h2>A<br>\nB</h2>", ""},
	    {"<h2>\nTitle\n</h2>", "<h2>\nTitle\n</h2>", ""},
	    {"a\n<hr>\nb", "<p>a</p>\n<hr>\n<p>b</p>", ""},
	    {"<table>\n<tr><td>a</td><td>b\nc</td></tr>\n</table>",
	     "<table>\n<tr><td>a</td><td>b<br>\nc</td></tr>\n</table>", ""},
	    /* blockquote's text is in paragraphs, as wpautop does */
	    {"<blockquote>q1\n\nq2</blockquote>",
	     "<blockquote>\n<p>q1</p>\n<p>q2</p>\n</blockquote>", ""},
	    {"<blockquote>one\nline</blockquote>",
	     "<blockquote>\n<p>one<br>\nline</p>\n</blockquote>", ""},
	    /* the author's own paragraphs stay; a blank line splits one */
	    {"<p>own</p>\n<p>two\nlines</p>", "<p>own</p>\n<p>two<br>\nlines</p>", ""},
	    {"<p>own\n\nsplit</p>", "<p>own</p>\n<p>split</p>", ""},
	    {"<p class=\"lead\">x</p>\n\ny", "<p class=\"lead\">x</p>\n<p>y</p>", ""},
	    /* an inline element around a block: our paragraph closes inside it */
	    {"<em>a <div>b</div> c</em>", "<p><em>a</em></p>\n<div>b</div>\n<p><em>c</em></p>", ""},
	    {"<span>\ntext\n\nmore</span>",
	     "<p><span><br>\ntext</span></p>\n<p><span>more</span></p>", ""},
	    /* elements copied whole: no paragraphs, no <br> in them */
	    {"<pre>a\n\nb\n</pre>", "<pre>a\n\nb\n</pre>", ""},
	    {"text\n<pre>x\n\ny</pre>\ntext", "<p>text</p>\n<pre>x\n\ny</pre>\n<p>text</p>", ""},
	    {"<pre class=\"code\">unclosed\n\nend", "<pre class=\"code\">unclosed\n\nend</pre>",
	     ""},
	    {"<script>a\n\nb</script>", "<p><script>a\n\nb</script></p>", ""},
	    {"<style>p {\n\n}</style>\nx", "<style>p {\n\n}</style>\n<p>x</p>", ""},
	    {"<svg viewBox=\"0 0 1 1\">\n<path d=\"M0\"/>\n</svg>",
	     "<p><svg viewBox=\"0 0 1 1\">\n<path d=\"M0\"/>\n</svg></p>", ""},
	    {"<textarea>a\n\nb</textarea>", "<p><textarea>a\n\nb</textarea></p>", ""},
	    /* no <br> around options, sources, params */
	    {"<select>\n<option>a</option>\n<option>b</option>\n</select>",
	     "<p><select>\n<option>a</option>\n<option>b</option>\n</select></p>", ""},
	    {"<video controls>\n<source src=\"a.mp4\">\n<track src=\"a.vtt\">\n</video>",
	     "<p><video controls>\n<source src=\"a.mp4\">\n<track src=\"a.vtt\">\n</video></p>",
	     ""},
	    {"<object data=\"x\">\n<param name=\"a\" value=\"b\">\n</object>",
	     "<p><object data=\"x\">\n<param name=\"a\" value=\"b\">\n</object></p>", ""},
	    /* upper case tags */
	    {"<DIV>\nA\nB\n</DIV>", "<DIV>\nA<br>\nB\n</DIV>", ""},
	    /* a '>' inside a quoted attribute does not end the tag */
	    {"<a title=\"a > b\" href=\"x\">t</a>", "<p><a title=\"a > b\" href=\"x\">t</a></p>",
	     ""},
	};
	run_body(cases, GZ_ARRAY_LEN(cases));
}

/* Gutenberg's block comments go, their HTML stays as it is; WordPress's breaks go. */
static void test_comments(void **state)
{
	static const struct body_case cases[] = {
	    {"<!-- wp:paragraph -->\n<p>a\nb</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:separator "
	     "/-->\n"
	     "<hr class=\"wp-block-separator\"/>\n<!-- /wp:separator -->",
	     "<p>a\nb</p>\n<hr class=\"wp-block-separator\"/>", ""},
	    {"<!-- wp:image {\"id\":5,\"sizeSlug\":\"large\"} -->\n<figure "
	     "class=\"wp-block-image\">"
	     "<img src=\"a.jpg\" alt=\"\"/></figure>\n<!-- /wp:image -->",
	     "<figure class=\"wp-block-image\"><img src=\"a.jpg\" alt=\"\"/></figure>", ""},
	    {"<!-- wp:code -->\n<pre class=\"wp-block-code\"><code>a\n\n\nb</code></pre>\n"
	     "<!-- /wp:code -->",
	     "<pre class=\"wp-block-code\"><code>a\n\n\nb</code></pre>", ""},
	    /* classic text in a block post is left as WordPress shows it: no <p> added */
	    {"<!-- wp:html -->\nraw line\n<!-- /wp:html -->", "raw line", ""},
	    {"<!-- wp:shortcode -->\n[gallery ids=\"1,2\"]\n<!-- /wp:shortcode -->",
	     "[gallery ids=\"1,2\"]", "gallery=1"},
	    {"<!-- wp:embed {\"url\":\"https://youtu.be/x\"} -->\n<figure class=\"wp-block-embed\">"
	     "<div class=\"wp-block-embed__wrapper\">\nhttps://youtu.be/x\n</div></figure>\n"
	     "<!-- /wp:embed -->",
	     "<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\n"
	     "<a href=\"https://youtu.be/x\">https://youtu.be/x</a>\n</div></figure>",
	     ""},
	    /* the teaser and page breaks */
	    {"Teaser<!--more-->Rest", "<p>TeaserRest</p>", ""},
	    {"Teaser\n<!--more Read on-->\nRest", "<p>Teaser</p>\n<p>Rest</p>", ""},
	    {"Page one\n<!--nextpage-->\nPage two", "<p>Page one</p>\n<p>Page two</p>", ""},
	    {"<!--noteaser-->Body", "<p>Body</p>", ""},
	    /* a comment that only starts like them stays */
	    {"<!--moreover-->x", "<!--moreover-->\n<p>x</p>", ""},
	};
	run_body(cases, GZ_ARRAY_LEN(cases));
}

static void test_caption(void **state)
{
	static const struct body_case cases[] = {
	    {"[caption id=\"\" align=\"alignright\" width=\"300\"]<img src=\"a.jpg\"> A caption"
	     "[/caption]",
	     "<figure class=\"wp-caption alignright\"><img src=\"a.jpg\"><figcaption>A caption"
	     "</figcaption></figure>",
	     ""},
	    /* the image in a link; the caption is HTML */
	    {"[caption id=\"attachment_5\" align=\"aligncenter\" width=\"640\"]<a href=\"big.jpg\">"
	     "<img src=\"a.jpg\" /></a> Big &amp; <em>bold</em>[/caption]",
	     "<figure class=\"wp-caption aligncenter\"><a href=\"big.jpg\"><img src=\"a.jpg\" "
	     "/></a>"
	     "<figcaption>Big &amp; <em>bold</em></figcaption></figure>",
	     ""},
	    /* WordPress before 3.4: the caption in an attribute */
	    {"[caption align=\"alignleft\" caption=\"Old style\"]<img src=\"o.jpg\" />[/caption]",
	     "<figure class=\"wp-caption alignleft\"><img src=\"o.jpg\" /><figcaption>Old style"
	     "</figcaption></figure>",
	     ""},
	    {"[caption align='alignleft' caption='single quotes']<img src=\"o.jpg\">[/caption]",
	     "<figure class=\"wp-caption alignleft\"><img src=\"o.jpg\"><figcaption>single quotes"
	     "</figcaption></figure>",
	     ""},
	    {"[caption]<img src=\"x.jpg\"> Text[/caption]",
	     "<figure class=\"wp-caption alignnone\"><img src=\"x.jpg\"><figcaption>Text"
	     "</figcaption></figure>",
	     ""},
	    {"[wp_caption align=alignleft]<img src=\"x.jpg\">Older[/wp_caption]",
	     "<figure class=\"wp-caption alignleft\"><img src=\"x.jpg\"><figcaption>Older"
	     "</figcaption></figure>",
	     ""},
	    /* the align value is escaped */
	    {"[caption align=\"a&quot;b\"]<img src=\"x.jpg\">T[/caption]",
	     "<figure class=\"wp-caption a&amp;quot;b\"><img src=\"x.jpg\"><figcaption>T"
	     "</figcaption></figure>",
	     ""},
	    /* without a caption text or an image, only the content stays */
	    {"[caption width=\"300\"]<img src=\"x.jpg\">[/caption]", "<p><img src=\"x.jpg\"></p>",
	     ""},
	    {"[caption]just text[/caption]", "<p>just text</p>", ""},
	    /* a figure is a block: the paragraphs around it end */
	    {"Before\n[caption]<img src=\"x.jpg\"> C[/caption]\nAfter",
	     "<p>Before</p>\n<figure class=\"wp-caption alignnone\"><img src=\"x.jpg\">"
	     "<figcaption>C</figcaption></figure>\n<p>After</p>",
	     ""},
	    /* a caption never closed is text */
	    {"[caption align=\"alignleft\"]<img src=\"x.jpg\"> C",
	     "<p>[caption align=\"alignleft\"]"
	     "<img src=\"x.jpg\"> C</p>",
	     "caption=1"},
	};
	run_body(cases, GZ_ARRAY_LEN(cases));
}

static void test_embed(void **state)
{
	static const struct body_case cases[] = {
	    {"[embed]https://youtu.be/x[/embed]",
	     "<p><a href=\"https://youtu.be/x\">https://youtu.be/x</a></p>", ""},
	    {"[embed width=\"500\"] https://vimeo.com/1?a=1&amp;b=2 [/embed]",
	     "<p><a "
	     "href=\"https://vimeo.com/1?a=1&amp;b=2\">https://vimeo.com/1?a=1&amp;b=2</a></p>",
	     ""},
	    {"[embed src=\"https://example.com/v\" /]",
	     "<p><a href=\"https://example.com/v\">https://example.com/v</a></p>", ""},
	    {"[embed]not a url[/embed]", "<p>[embed]not a url[/embed]</p>", "embed=1"},
	    /* a URL alone on its line, or alone in a <p> (WordPress's autoembed) */
	    {"Look:\nhttps://example.com/v\nNice",
	     "<p>Look:<br>\n<a "
	     "href=\"https://example.com/v\">https://example.com/v</a><br>\nNice</p>",
	     ""},
	    {"  http://example.com/a?b=\"c  ", "<p>http://example.com/a?b=\"c</p>", ""},
	    {"http://example.com/a?x=1&y=2",
	     "<p><a "
	     "href=\"http://example.com/a?x=1&amp;y=2\">http://example.com/a?x=1&amp;y=2</a></p>",
	     ""},
	    {"<p>https://example.com/v</p>",
	     "<p><a href=\"https://example.com/v\">https://example.com/v</a></p>", ""},
	    {"<p class=\"x\">\n https://example.com/v \n</p>",
	     "<p class=\"x\">\n<a href=\"https://example.com/v\">https://example.com/v</a>\n</p>",
	     ""},
	    /* not alone: left as it is */
	    {"see https://x.com now", "<p>see https://x.com now</p>", ""},
	    {"https://x.com and more", "<p>https://x.com and more</p>", ""},
	    {"https://", "<p>https://</p>", ""},
	    {"<a href=\"https://u.com\">\nhttps://u.com\n</a>",
	     "<p><a href=\"https://u.com\"><br>\nhttps://u.com<br>\n</a></p>", ""},
	    {"<img src=\"https://x.com/a.jpg\">", "<p><img src=\"https://x.com/a.jpg\"></p>", ""},
	    {"<code>\nhttps://x.com\n</code>", "<p><code><br>\nhttps://x.com<br>\n</code></p>", ""},
	};
	run_body(cases, GZ_ARRAY_LEN(cases));
}

/* Other shortcodes stay text; those that look like shortcodes are counted. */
static void test_shortcodes(void **state)
{
	static const struct body_case cases[] = {
	    {"[gallery ids=\"1,2\"]", "<p>[gallery ids=\"1,2\"]</p>", "gallery=1"},
	    {"[gallery]\n\n[gallery columns=\"3\"]",
	     "<p>[gallery]</p>\n<p>[gallery columns=\"3\"]</p>", "gallery=2"},
	    {"[contact-form-7 id=\"3\" title=\"Contact\"]",
	     "<p>[contact-form-7 id=\"3\" title=\"Contact\"]</p>", "contact-form-7=1"},
	    {"[rev_slider]", "<p>[rev_slider]</p>", "rev_slider=1"},
	    {"[audio src=\"a.mp3\" /]", "<p>[audio src=\"a.mp3\" /]</p>", "audio=1"},
	    {"[playlist] [video]", "<p>[playlist] [video]</p>", "playlist=1,video=1"},
	    /* an enclosing one: its content is read as usual */
	    {"[column]one\ntwo[/column]", "<p>[column]one<br>\ntwo[/column]</p>", "column=1"},
	    {"[box]\n[caption]<img src=\"x.jpg\"> C[/caption]\n[/box]",
	     "<p>[box]</p>\n<figure class=\"wp-caption alignnone\"><img src=\"x.jpg\"><figcaption>C"
	     "</figcaption></figure>\n<p>[/box]</p>",
	     "box=1"},
	    /* text that only looks a little like one */
	    {"[sic] [1] [citation needed] [toc] [ x ] [-a]",
	     "<p>[sic] [1] [citation needed] [toc] [ x ] [-a]</p>", ""},
	    {"[foo a=\"<b>\"]", "<p>[foo a=\"<b>\"]</b></p>", ""}, /* <b> is a tag */
	    {"an [unclosed gallery ids=1", "<p>an [unclosed gallery ids=1</p>", ""},
	    /* [[name]] is a shortcode written as text */
	    {"[[gallery]]", "<p>[gallery]</p>", ""},
	    {"[[gallery ids=\"1\"]]", "<p>[gallery ids=\"1\"]</p>", ""},
	    {"[[gallery]", "<p>[[gallery]</p>", "gallery=1"},
	    {"[[sic]]", "<p>[[sic]]</p>", ""},
	    /* none in code, pre, attributes */
	    {"<code>[gallery]</code> and <pre>[caption]<img src=x> C[/caption]</pre>",
	     "<p><code>[gallery]</code> and</p>\n<pre>[caption]<img src=x> C[/caption]</pre>", ""},
	    {"<a title=\"[gallery]\" href=\"x\">y</a>",
	     "<p><a title=\"[gallery]\" href=\"x\">y</a></p>", ""},
	};
	run_body(cases, GZ_ARRAY_LEN(cases));
}

/* Many "[name" without a closer are read in linear time (the closer search is cached). */
static void test_many_openers(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct wp_counts unknown = {0};

	for (int i = 0; i < 200000; i++)
		buf_puts(&in, "[name x=1] ");
	wp_content_html(in.data, in.len, &out, &unknown);
	assert_int_equal(unknown.len, 1);
	assert_int_equal(unknown.items[0].n, 200000);
	assert_int_equal(out.len, in.len - 1 + 7); /* "<p>" "</p>", the last space gone */
	buf_free(&in);
	buf_free(&out);
}

/*
 * Random bodies made of pieces that interact: whatever the input, the
 * paragraphs we make never nest and all close, and nothing crashes (the
 * ASan build runs this too).
 */
static void test_random_bodies(void **state)
{
	static const char *const pieces[] = {
	    "text",
	    " ",
	    "\n",
	    "\n\n",
	    "<div>",
	    "</div>",
	    "<em>",
	    "</em>",
	    "<a href=\"x\">",
	    "</a>",
	    "<br>",
	    "<img src=x>",
	    "<ul>",
	    "<li>",
	    "</li>",
	    "</ul>",
	    "<pre>",
	    "</pre>",
	    "[caption]",
	    "[/caption]",
	    "[gallery]",
	    "[embed]",
	    "[/embed]",
	    "https://x.y/",
	    "<!-- c -->",
	    "<",
	    ">",
	    "&amp;",
	    "<h2>",
	    "</h2>",
	    "<blockquote>",
	    "</blockquote>",
	    "<!--more-->",
	    "<td>",
	    "[[x]]",
	    "<span>",
	};
	uint32_t seed = 12345;

	for (int round = 0; round < 20000; round++) {
		struct buf in = BUF_INIT, out = BUF_INIT;
		int n = 1 + (int)(seed % 40);
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&in, pieces[(seed >> 16) % GZ_ARRAY_LEN(pieces)]);
		}
		wp_content_html(in.data, in.len, &out, NULL);
		int depth = 0;
		for (size_t i = 0; out.data && i < out.len; i++) {
			if (strncmp(out.data + i, "<p>", 3) == 0)
				depth++;
			else if (strncmp(out.data + i, "</p>", 4) == 0)
				depth--;
			if (depth < 0 || depth > 1)
				print_error("round %d: \"%s\" -> \"%s\"\n", round, in.data,
				            out.data);
			assert_in_range(depth, 0, 1);
		}
		assert_int_equal(depth, 0);
		buf_free(&in);
		buf_free(&out);
	}
}

struct text_case {
	const char *in;
	const char *want;
};

/* Each case's in, through fn (wp_html_text, wp_decode_entities), gives its want. */
static void run_text(void (*fn)(const char *, size_t, struct buf *), const struct text_case *c,
                     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf out = BUF_INIT;
		fn(c[i].in, strlen(c[i].in), &out);
		if (strcmp(out.data ? out.data : "", c[i].want) != 0)
			print_error("case %zu: \"%s\"\n", i, c[i].in);
		assert_string_equal(out.data ? out.data : "", c[i].want);
		buf_free(&out);
	}
}

static void test_html_text(void **state)
{
	static const struct text_case cases[] = {
	    {"", ""},
	    {"Hello world!", "Hello world!"},
	    {"<p>A <strong>short</strong> trip &amp; more.</p>", "A short trip & more."},
	    {"Tom &amp; Jerry&#8217;s &#8220;Road&#8221; Trip",
	     "Tom & Jerry\u2019s \u201cRoad\u201d Trip"},
	    {"Line<br>break", "Line break"},
	    {"<p>one</p><p>two</p>", "one two"},
	    {"a<!-- c -->b", "ab"},
	    {"  many   spaces \n\t here ", "many spaces here"},
	    {"&lt;blink&gt; is back", "<blink> is back"},
	    {"<script>alert(1)</script>x<style>p{}</style>", "x"},
	    {"1 < 2", "1 < 2"},
	    {"caf&eacute; &hellip;", "caf\u00e9 \u2026"},
	};
	run_text(wp_html_text, cases, GZ_ARRAY_LEN(cases));
}

static void test_entities(void **state)
{
	static const struct text_case cases[] = {
	    {"&amp;", "&"},
	    {"&lt;b&gt;", "<b>"},
	    {"&quot;&apos;", "\"'"},
	    {"&#8217;", "\u2019"},
	    {"&#x2019;&#X2019;", "\u2019\u2019"},
	    {"&#146;", "\u2019"}, /* Windows-1252, as browsers read it */
	    {"&#128;", "\u20ac"},
	    {"&#129;", "\ufffd"}, /* a hole in Windows-1252 */
	    {"&eacute;&Eacute;", "\u00e9\u00c9"},
	    {"&hellip;&mdash;", "\u2026\u2014"},
	    {"&nbsp;", "\u00a0"},
	    {"&#0;", "\ufffd"},
	    {"&#1;", "\ufffd"},
	    {"&#9;&#10;", "\t\n"},
	    {"&#xD800;", "\ufffd"},
	    {"&#1114112;", "\ufffd"},
	    {"&#99999999999999999999;", "\ufffd"},
	    {"&#x1F600;", "\U0001F600"},
	    /* not references: copied */
	    {"&bogus;", "&bogus;"},
	    {"AT&T", "AT&T"},
	    {"&amp", "&amp"},
	    {"&#;&#x;&#12", "&#;&#x;&#12"},
	    {"&", "&"},
	    {"a & b &amp; c", "a & b & c"},
	};
	run_text(wp_decode_entities, cases, GZ_ARRAY_LEN(cases));
}

static void test_counts(void **state)
{
	struct wp_counts c = {0}, d = {0};
	char name[8];

	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "t%d", i);
		wp_counts_add(&c, name, strlen(name), 1);
		wp_counts_add(&c, name, strlen(name), 2);
	}
	assert_int_equal(c.len, WP_COUNTS_MAX);
	assert_string_equal(c.items[0].name, "t0");
	assert_int_equal(c.items[0].n, 3);
	assert_int_equal(c.others, 4 * 3);
	assert_int_equal(wp_counts_total(&c), 60);
	/* long names are cut at a character boundary */
	static const char long_name[] = "an-exceedingly-long-custom-post-type-name-\u00e9\u00e9";
	wp_counts_add(&d, long_name, strlen(long_name), 1);
	assert_int_equal(strlen(d.items[0].name), WP_NAME_MAX - 1);
	wp_counts_merge(&d, &c);
	assert_int_equal(wp_counts_total(&d), 61);
	assert_true(wp_elements_sorted());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paragraphs),   cmocka_unit_test(test_blocks),
	    cmocka_unit_test(test_comments),     cmocka_unit_test(test_caption),
	    cmocka_unit_test(test_embed),        cmocka_unit_test(test_shortcodes),
	    cmocka_unit_test(test_many_openers), cmocka_unit_test(test_random_bodies),
	    cmocka_unit_test(test_html_text),    cmocka_unit_test(test_entities),
	    cmocka_unit_test(test_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
