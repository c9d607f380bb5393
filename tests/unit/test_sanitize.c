/*
 * Unit tests for sanitize.c: what bloggers paste, the classic bypasses,
 * where elements may stand, URLs, deep nesting, and the two callbacks.
 * Every output is also parsed again (sanitize_check: allowlist, schemes,
 * bytes) and sanitized again (it must not change).
 */
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/buf.h"
#include "gazette/base/escape.h"
#include "gazette/base/util.h"
#include "gazette/content/sanitize.h"
#include "sanitize_check.h"

struct san_case {
	const char *in;
	const char *want;
	size_t len; /* 0: strlen(in) */
};

/* A case whose input holds NUL bytes: its length from sizeof. */
/* clang-format off */
#define WITH_NUL(in, want) {in, want, sizeof(in) - 1}
/* clang-format on */

static const char *const hosts[] = {"www.youtube.com", ".vimeo.com", NULL};
static const struct sanitize_policy embeds = {hosts, NULL, NULL, NULL};

/* out must pass the independent check, and sanitizing it again must give it back. */
static void check_output(const char *in, const struct buf *out, const struct sanitize_policy *p)
{
	const char *where = NULL;
	const char *why = sanitize_check(out->data ? out->data : "", out->len,
	                                 p ? p->iframe_hosts : NULL, &where);
	if (why)
		fail_msg("\"%s\" -> \"%s\": %s (%.40s)", in, out->data, why, where ? where : "");
	struct buf again = BUF_INIT;
	assert_int_equal(sanitize_html(out->data, out->len, p, &again), 0);
	if (again.len != out->len || (out->len && memcmp(again.data, out->data, out->len) != 0))
		fail_msg("not stable: \"%s\" -> \"%s\" -> \"%s\"", in, out->data, again.data);
	buf_free(&again);
}

static void run(const struct san_case *c, size_t n, const struct sanitize_policy *p)
{
	for (size_t i = 0; i < n; i++) {
		struct buf out = BUF_INIT;
		size_t len = c[i].len ? c[i].len : strlen(c[i].in);
		assert_int_equal(sanitize_html(c[i].in, len, p, &out), 0);
		const char *got = out.data ? out.data : "";
		if (strcmp(got, c[i].want) != 0)
			print_error("case %zu: \"%s\"\n", i, c[i].in);
		assert_string_equal(got, c[i].want);
		assert_int_equal(strlen(got), out.len);
		check_output(c[i].in, &out, p);
		buf_free(&out);
	}
}

/* What bloggers paste: charts, images, embeds, tables, lists. */
static void test_real_html(void **state)
{
	static const struct san_case cases[] = {
	    {"<div class=\"chart chart--bar\" id=\"sales-2023\" style=\"width:100%\" "
	     "data-values=\"1,2,3\"><div class=\"bar\" style=\"height:40%\">40</div><span "
	     "class=\"label\">Q1</span></div>",
	     "<div class=\"chart chart--bar\" id=\"sales-2023\"><div class=\"bar\">40</div><span "
	     "class=\"label\">Q1</span></div>",
	     0},
	    {"<img src=\"/images/cat.jpg\" alt=\"A cat on a mat\" width=\"640\" height=\"480\" "
	     "loading=\"lazy\" onerror=\"this.remove()\">",
	     "<img src=\"/images/cat.jpg\" alt=\"A cat on a mat\" width=\"640\" height=\"480\" "
	     "loading=\"lazy\">",
	     0},
	    {"<details open><summary>Spoiler</summary><p>He was the butler.</p></details>",
	     "<details open=\"\"><summary>Spoiler</summary><p>He was the butler.</p></details>", 0},
	    {"<iframe width=\"560\" height=\"315\" "
	     "src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?si=abc\" title=\"YouTube video "
	     "player\" frameborder=\"0\" allow=\"accelerometer; autoplay; clipboard-write; "
	     "encrypted-media; gyroscope; picture-in-picture; web-share\" "
	     "referrerpolicy=\"strict-origin-when-cross-origin\" allowfullscreen></iframe>",
	     "<iframe width=\"560\" height=\"315\" "
	     "src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?si=abc\" title=\"YouTube video "
	     "player\" allow=\"accelerometer; autoplay; clipboard-write; encrypted-media; "
	     "gyroscope; picture-in-picture; web-share\" "
	     "referrerpolicy=\"strict-origin-when-cross-origin\" allowfullscreen=\"\"></iframe>",
	     0},
	    {"<figure class=\"wp-block-image size-large\"><img "
	     "src=\"https://example.com/wp-content/uploads/2023/01/photo-1024x683.jpg\" alt=\"\" "
	     "class=\"wp-image-42\" "
	     "srcset=\"https://example.com/wp-content/uploads/2023/01/photo-1024x683.jpg 1024w, "
	     "https://example.com/wp-content/uploads/2023/01/photo-300x200.jpg 300w\" "
	     "sizes=\"(max-width: 1024px) 100vw, 1024px\"><figcaption>Sunset over the "
	     "bay</figcaption></figure>",
	     "<figure class=\"wp-block-image size-large\"><img "
	     "src=\"https://example.com/wp-content/uploads/2023/01/photo-1024x683.jpg\" alt=\"\" "
	     "class=\"wp-image-42\" "
	     "srcset=\"https://example.com/wp-content/uploads/2023/01/photo-1024x683.jpg 1024w, "
	     "https://example.com/wp-content/uploads/2023/01/photo-300x200.jpg 300w\" "
	     "sizes=\"(max-width: 1024px) 100vw, 1024px\"><figcaption>Sunset over the "
	     "bay</figcaption></figure>",
	     0},
	    {"<table class=\"specs\"><thead><tr><th scope=\"col\">Model</th><th "
	     "scope=\"col\">Price</th></tr></thead><tbody><tr><td colspan=\"2\">Coming "
	     "soon</td></tr><tr><td>X1</td><td align=\"right\" "
	     "bgcolor=\"#eee\">$99</td></tr></tbody></table>",
	     "<table class=\"specs\"><thead><tr><th scope=\"col\">Model</th><th "
	     "scope=\"col\">Price</th></tr></thead><tbody><tr><td colspan=\"2\">Coming "
	     "soon</td></tr><tr><td>X1</td><td>$99</td></tr></tbody></table>",
	     0},
	    {"<ul><li>Fruit<ul><li>Apple</li><li>Pear</li></ul></li><li>Vegetables<ol "
	     "start=\"3\"><li>Leek<li>Kale</ol></ul>",
	     "<ul><li>Fruit<ul><li>Apple</li><li>Pear</li></ul></li><li>Vegetables<ol "
	     "start=\"3\"><li>Leek</li><li>Kale</li></ol></li></ul>",
	     0},
	    {"<p>Press <kbd>Ctrl</kbd>+<kbd>C</kbd> to copy.</p>",
	     "<p>Press <kbd>Ctrl</kbd>+<kbd>C</kbd> to copy.</p>", 0},
	    {"<p>The <abbr title=\"World Health Organization\">WHO</abbr> said so.</p>",
	     "<p>The <abbr title=\"World Health Organization\">WHO</abbr> said so.</p>", 0},
	    {"<picture><source srcset=\"/img/hero.avif\" type=\"image/avif\"><source "
	     "srcset=\"/img/hero.webp 1x, /img/hero@2x.webp 2x\" type=\"image/webp\" "
	     "media=\"(min-width: 800px)\"><img src=\"/img/hero.jpg\" alt=\"Hero\"></picture>",
	     "<picture><source srcset=\"/img/hero.avif\" type=\"image/avif\"><source "
	     "srcset=\"/img/hero.webp 1x, /img/hero@2x.webp 2x\" type=\"image/webp\" "
	     "media=\"(min-width: 800px)\"><img src=\"/img/hero.jpg\" alt=\"Hero\"></picture>",
	     0},
	    {"<video controls poster=\"/media/poster.jpg\" width=\"640\" height=\"360\" "
	     "preload=\"metadata\" autoplay onplay=\"x()\"><source src=\"/media/clip.webm\" "
	     "type=\"video/webm\"><source src=\"/media/clip.mp4\" type=\"video/mp4\"><track "
	     "src=\"/media/clip.en.vtt\" kind=\"subtitles\" srclang=\"en\" label=\"English\" "
	     "default>Your browser does not support video.</video>",
	     "<video controls=\"\" poster=\"/media/poster.jpg\" width=\"640\" height=\"360\" "
	     "preload=\"metadata\"><source src=\"/media/clip.webm\" type=\"video/webm\"><source "
	     "src=\"/media/clip.mp4\" type=\"video/mp4\"><track src=\"/media/clip.en.vtt\" "
	     "kind=\"subtitles\" srclang=\"en\" label=\"English\" default=\"\">Your browser does "
	     "not support video.</video>",
	     0},
	    {"<blockquote cite=\"https://example.org/speech\"><p>We shall fight on the "
	     "beaches.</p><footer>&mdash; <cite>Churchill</cite></footer></blockquote>",
	     "<blockquote cite=\"https://example.org/speech\"><p>We shall fight on the "
	     "beaches.</p><footer>— <cite>Churchill</cite></footer></blockquote>",
	     0},
	    {"<pre><code class=\"language-js\">if (a &lt; b) { alert(\"hi\"); }</code></pre>",
	     "<pre><code class=\"language-js\">if (a &lt; b) { alert(&quot;hi&quot;); "
	     "}</code></pre>",
	     0},
	    {"<a href=\"https://example.com\" target=\"_blank\">Example</a>",
	     "<a href=\"https://example.com\" target=\"_blank\" rel=\"noopener "
	     "noreferrer\">Example</a>",
	     0},
	    {"<figure class=\"kg-card kg-embed-card\"><iframe "
	     "src=\"https://player.vimeo.com/video/76979871?h=8272103f6e\" width=\"640\" "
	     "height=\"360\" frameborder=\"0\" allow=\"autoplay; fullscreen; picture-in-picture\" "
	     "allowfullscreen></iframe></figure>",
	     "<figure class=\"kg-card kg-embed-card\"><iframe "
	     "src=\"https://player.vimeo.com/video/76979871?h=8272103f6e\" width=\"640\" "
	     "height=\"360\" allow=\"autoplay; fullscreen; picture-in-picture\" "
	     "allowfullscreen=\"\"></iframe></figure>",
	     0},
	    {"<p style=\"text-align:center\"><font color=\"red\" face=\"Arial\">Big "
	     "<b>news</b></font> <center>centered</center></p>",
	     "<p>Big <b>news</b> </p>centered<p></p>", 0},
	    {"<p>Updated <time datetime=\"2024-03-01\">March 1</time>: <del cite=\"/changes\" "
	     "datetime=\"2024-03-01\">$10</del> <ins>$12</ins>, <mark>today</mark>, "
	     "H<sub>2</sub>O, x<sup>2</sup></p>",
	     "<p>Updated <time datetime=\"2024-03-01\">March 1</time>: <del cite=\"/changes\" "
	     "datetime=\"2024-03-01\">$10</del> <ins>$12</ins>, <mark>today</mark>, "
	     "H<sub>2</sub>O, x<sup>2</sup></p>",
	     0},
	    {"<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>",
	     "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>", 0},
	    {"<dl><dt>HTML</dt><dd>Markup</dd><dt>CSS<dd>Style</dl>",
	     "<dl><dt>HTML</dt><dd>Markup</dd><dt>CSS</dt><dd>Style</dd></dl>", 0},
	    {"<h2 id=\"intro\">Intro</h2><h3>Details <small>(optional)</small></h3>",
	     "<h2 id=\"intro\">Intro</h2><h3>Details <small>(optional)</small></h3>", 0},
	    {"line one<br>line two<hr>super<wbr>califragilistic",
	     "line one<br>line two<hr>super<wbr>califragilistic", 0},
	    {"<my-widget data-id=\"5\"><p>Fallback</p></my-widget>", "<p>Fallback</p>", 0},
	    {"<p dir=\"rtl\"><bdi>إيان</bdi> <bdo dir=\"ltr\">abc</bdo></p>",
	     "<p dir=\"rtl\"><bdi>إيان</bdi> <bdo dir=\"ltr\">abc</bdo></p>", 0},
	    {"<audio controls src=\"/podcast/ep1.mp3\"><a "
	     "href=\"/podcast/ep1.mp3\">Download</a></audio>",
	     "<audio controls=\"\" src=\"/podcast/ep1.mp3\"><a "
	     "href=\"/podcast/ep1.mp3\">Download</a></audio>",
	     0},
	    {"<p><a href=\"mailto:editor@example.com?subject=Tip\">Email</a> or <a "
	     "href=\"tel:+15551234567\">call</a></p>",
	     "<p><a href=\"mailto:editor@example.com?subject=Tip\">Email</a> or <a "
	     "href=\"tel:+15551234567\">call</a></p>",
	     0},
	};
	run(cases, GZ_ARRAY_LEN(cases), &embeds);
}

/* The classic ways past a sanitizer, and what must come out. */
static void test_bypasses(void **state)
{
	static const struct san_case cases[] = {
	    {"<img src=x onerror=alert(1)>", "<img src=\"x\">", 0},
	    {"<svg onload=alert(1)>", "", 0},
	    {"<svg><script>alert(1)</script></svg>", "", 0},
	    {"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "", 0},
	    {"<a href=\"&#106;avascript:alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\"&#x6A;avascript:alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\"java&Tab;script:alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\"java&NewLine;script:alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\"JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\" &#14; javascript:alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\"javascript&colon;alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\"vbscript:msgbox(1)\">x</a>", "<a>x</a>", 0},
	    {"<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
	     "<a>x</a>", 0},
	    {"<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">", "", 0},
	    {"<a href=\"file:///etc/passwd\">x</a>", "<a>x</a>", 0},
	    {"<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>", "", 0},
	    {"<iframe src=\"https://evil.example/\"></iframe>", "", 0},
	    {"<iframe src=\"javascript:alert(1)\"></iframe>", "", 0},
	    {"<iframe src=\"https://www.youtube.com.evil.example/\"></iframe>", "", 0},
	    {"<iframe src=\"http://www.youtube.com/embed/x\"></iframe>", "", 0},
	    {"<iframe src=\"https://www.youtube.com@evil.example/\"></iframe>", "", 0},
	    {"<iframe src=\"https://user@player.vimeo.com/video/1\"></iframe>", "", 0},
	    {"<object data=\"x.swf\"><param name=x value=y>fallback</object>", "", 0},
	    {"<embed src=\"x.swf\">", "", 0},
	    {"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", "", 0},
	    {"<base href=\"https://evil.example/\">", "", 0},
	    {"<form action=\"https://evil.example/\"><button "
	     "formaction=\"javascript:alert(1)\">Go</button></form>",
	     "", 0},
	    {"<!--<img src=\"--><img src=x onerror=alert(1)//\">", "<img src=\"x\">", 0},
	    {"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "", 0},
	    {"<style><img src=x onerror=1></style>", "", 0},
	    {"<textarea><img src=x onerror=1></textarea>", "", 0},
	    {"<template><img src=x onerror=alert(1)></template>", "", 0},
	    {"<xmp><img src=x onerror=alert(1)></xmp>", "", 0},
	    {"<title><img src=x onerror=alert(1)></title>", "", 0},
	    {"<p>one<p>two<b>bold<i>both</b>italic",
	     "<p>one</p><p>two<b>bold<i>both</i></b><i>italic</i></p>", 0},
	    {"<a href=/x title=a&amp;b class=c>l</a>",
	     "<a href=\"/x\" title=\"a&amp;b\" class=\"c\">l</a>", 0},
	    {"<!-- <!-- --> <script>alert(1)</script> -->", "  --&gt;", 0},
	    {"<!--[if IE]><script>alert(1)</script><![endif]-->x", "x", 0},
	    {"<img src=`x` onerror=`alert(1)`>", "<img src=\"`x`\">", 0},
	    {"<a href=\"javascript:alert(1)\" style=\"x:expression(alert(1))\" "
	     "onmouseover=\"alert(1)\">x</a>",
	     "<a>x</a>", 0},
	    {"<div onclick=\"alert(1)\" ONCLICK=x>y</div>", "<div>y</div>", 0},
	    {"<img src=\"x\" srcset=\"javascript:alert(1) 1x\">", "<img src=\"x\">", 0},
	    {"<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>", "", 0},
	    {"<math href=\"javascript:alert(1)\">x</math>", "", 0},
	    {"<p>a</p><plaintext><img src=x onerror=1>", "<p>a</p>", 0},
	    {"<frameset onload=alert(1)>", "", 0},
	    {"<isindex action=\"javascript:alert(1)\">", "", 0},
	    {"<a href=\"x\" rel=\"opener\" target=\"_blank\">y</a>",
	     "<a href=\"x\" rel=\"noopener noreferrer\" target=\"_blank\">y</a>", 0},
	    {"<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">", "", 0},
	    {"<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>", "",
	     0},
	    /* NUL bytes: gumbo drops them from text, turns them into U+FFFD elsewhere. */
	    WITH_NUL("a\0b<scr\0ipt>alert(1)</script>", "abalert(1)"),
	    WITH_NUL("<a href=\"java\0script:alert(1)\">x</a>", "<a>x</a>"),
	    WITH_NUL("<img src=\"\0javascript:alert(1)\">", ""),
	    WITH_NUL("<p title=\"a\0b\">c\0d</p>", "<p title=\"a\xef\xbf\xbd"
	                                           "b\">cd</p>"),
	    /* a control byte before the scheme; invalid UTF-8 */
	    {"<a href=\"\x01javascript:alert(1)\">x</a>", "<a>x</a>", 0},
	    {"<p>caf\xe9 \xff</p>", "<p>caf\xef\xbf\xbd \xef\xbf\xbd</p>", 0},
	};
	run(cases, GZ_ARRAY_LEN(cases), &embeds);
}

/*
 * Where an element may stand: unwrapping an element must not leave its
 * children where the parser would read them back differently.
 */
static void test_structure(void **state)
{
	static const struct san_case cases[] = {
	    {"<img src=\"x\" width=\"100px\" height=\"50%\">", "<img src=\"x\">", 0},
	    {"<table><tr><td colspan=\"-1\" rowspan=\"abc\">c</td></tr></table>",
	     "<table><tbody><tr><td>c</td></tr></tbody></table>", 0},
	    {"<ul><li>a<nav><li>b</nav></li></ul>", "<ul><li>ab</li></ul>", 0},
	    {"<h1>a<xyz><h2>b</h2></xyz></h1>", "<h1>ab</h1>", 0},
	    {"<p>a<marquee><p>b</p></marquee>", "<p>ab</p>", 0},
	    {"<ruby>a<xyz><rt>b</rt></xyz></ruby>", "<ruby>a<rt>b</rt></ruby>", 0},
	    {"<li><xyz><rt>k", "<li>k</li>", 0},
	    {"<a href=1><marquee><a href=2>x</a></marquee></a>", "<a href=\"1\">x</a>", 0},
	    {"<table><tr><td>1<a href=/x><table><a>q",
	     "<table><tbody><tr><td>1<a href=\"/x\">q<table></table></a></td></tr></tbody></table>",
	     0},
	    {"<dl><dt>a<nav><dd>b</nav></dl>", "<dl><dt>ab</dt></dl>", 0},
	    {"<table>x<tr><td>1</td></tr></table>",
	     "x<table><tbody><tr><td>1</td></tr></tbody></table>", 0},
	    {"<p>a&#13;b&#12;c</p>", "<p>a\nb c</p>", 0},
	    {"<p><div>x</div>", "<p></p><div>x</div>", 0},
	    {"<a href=\"/a\"><div><a href=\"/b\">x</a></div></a>",
	     "<a href=\"/a\"></a><div><a href=\"/a\"></a><a href=\"/b\">x</a></div>", 0},
	    {"<b><p>x</b>y", "<b></b><p><b>x</b>y</p>", 0},
	    /* <pre> drops one newline after its start tag: one is written for it. */
	    {"<pre>\n\nx</pre>", "<pre>\n\nx</pre>", 0},
	    {"<pre><xyz>\nx</xyz></pre>", "<pre>\n\nx</pre>", 0},
	    {"<pre><b>b</b>\nx</pre>", "<pre><b>b</b>\nx</pre>", 0},
	    /* what the parser replaces when it reads it raw, but not from a reference */
	    {"<p title=\"&#129;&#xFDD0;\">&#129;&#x8D;&#xFDD0;&#x1FFFE;&#x10FFFF;</p>",
	     "<p title=\"\xef\xbf\xbd\xef\xbf\xbd\">\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	     "\xef\xbf\xbd\xef\xbf\xbd</p>",
	     0},
	    /* srcset URLs that would not read back as themselves */
	    {"<img src=a srcset=\"&#1;,b 2x, &#1; 3x, b,&#1; 4x, c 5x\">",
	     "<img src=\"a\" srcset=\"c 5x\">", 0},
	    {"<img src=a srcset=\"&#14; 2x\">", "<img src=\"a\">", 0},
	    /* tables hold only their parts and whitespace */
	    {"<table> <tr> <td>1</td> </tr> </table>",
	     "<table> <tbody><tr> <td>1</td> </tr> </tbody></table>", 0},
	    {"<td>cell</td><tr>row", "cellrow", 0},
	    /* the table goes (it would close the <p>), and with it its parts */
	    {"<p>a<marquee><table><tr><td>x</td></tr></table></marquee>b", "<p>axb</p>", 0},
	    {"<a href=1><table><a href=2>x", "<a href=\"1\">x<table></table></a>", 0},
	    {"<table><caption>Cap</caption><colgroup><col span=\"2\"></colgroup></table>",
	     "<table><caption>Cap</caption><colgroup><col span=\"2\"></colgroup></table>", 0},
	    /* headings, list items, anchors, unknown elements */
	    {"<h1><span><h2>b</h2></span></h1>", "<h1><span><h2>b</h2></span></h1>", 0},
	    {"<ul><li>a<div><li>b</div></ul>", "<ul><li>a<div></div></li><li>b</li></ul>", 0},
	    {"<ol><li>a<blockquote><li>b</blockquote></ol>",
	     "<ol><li>a<blockquote><li>b</li></blockquote></li></ol>", 0},
	    {"<custom-el><custom-el>deep</custom-el></custom-el>", "deep", 0},
	    {"<center><main><nav>text</nav></main></center>", "text", 0},
	    {"<label>Name</label><fieldset><legend>L</legend>f</fieldset>", "NameLf", 0},
	};
	run(cases, GZ_ARRAY_LEN(cases), &embeds);
}

static void test_urls(void **state)
{
	static const struct {
		const char *url;
		bool ok;
	} cases[] = {
	    {"http://example.com/", true},
	    {"HTTPS://example.com/", true},
	    {"mailto:a@example.com", true},
	    {"tel:+1-555-0100", true},
	    {"#frag", true},
	    {"/path", true},
	    {"../img.png", true},
	    {"?q=1", true},
	    {"//cdn.example.com/x.js", true},
	    {"img.png", true},
	    {"", true},
	    {"a/b:c", true},
	    {"  https://x", true},
	    {"javascript:alert(1)", false},
	    {"JaVaScRiPt:alert(1)", false},
	    {" \x01\x1f javascript:alert(1)", false},
	    {"java\tscript:alert(1)", false},
	    {"java\nscript:alert(1)", false},
	    {"java\rscript:alert(1)", false},
	    {"vbscript:msgbox(1)", false},
	    {"data:text/html,<script>", false},
	    {"file:///etc/passwd", false},
	    {"ftp://example.com/", false},
	    {"unknown:x", false},
	    {"java%73cript:alert(1)", false},
	    {"java script:alert(1)", false},
	    {"\xef\xbf\xbdjavascript:alert(1)", false},
	    {":x", false},
	    {"a:b", false},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		bool got = sanitize_url_allowed(cases[i].url, strlen(cases[i].url));
		if (got != cases[i].ok)
			fail_msg("sanitize_url_allowed(\"%s\") = %d", cases[i].url, got);
		/* the checker's own reading agrees */
		assert_int_equal(sanitize_check_url(cases[i].url, strlen(cases[i].url)),
		                 cases[i].ok);
	}
}

/* "<tag>" n times, then text. */
static char *nest(const char *tag, size_t n, const char *text)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_puts(&b, tag);
	buf_puts(&b, text);
	return buf_detach(&b, NULL);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* 10,000 nested <div>: SANITIZE_MAX_DEPTH of them stay, the text too. */
static void test_deep_nesting(void **state)
{
	char *in = nest("<div>", 10000, "deep text");
	struct buf out = BUF_INIT;
	assert_int_equal(sanitize_html(in, strlen(in), &embeds, &out), 0);
	assert_int_equal(count(out.data, "<div>"), SANITIZE_MAX_DEPTH);
	assert_int_equal(count(out.data, "</div>"), SANITIZE_MAX_DEPTH);
	assert_non_null(strstr(out.data, "<div>deep text</div>"));
	check_output("10,000 <div>", &out, &embeds);
	buf_free(&out);
	free(in);

	/* A table at the limit: no room for its rows, nor for text beside them. */
	in = nest("<div>", SANITIZE_MAX_DEPTH - 2, "<table><tr><td>cell</td></tr></table>");
	assert_int_equal(sanitize_html(in, strlen(in), &embeds, &out), 0);
	assert_non_null(strstr(out.data, "<div><table><tbody></tbody></table></div>"));
	check_output("a table at the limit", &out, &embeds);
	buf_free(&out);
	free(in);

	/* Nested lists and formatting, deeper than the limit. */
	in = nest("<ul><li><b>", 200, "x");
	assert_int_equal(sanitize_html(in, strlen(in), &embeds, &out), 0);
	assert_true(count(out.data, "<ul>") <= SANITIZE_MAX_DEPTH / 3 + 1);
	assert_non_null(strstr(out.data, "x"));
	check_output("200 <ul><li><b>", &out, &embeds);
	buf_free(&out);
	free(in);
}

struct deep_job {
	size_t levels;
	int rc;
	size_t spans;
};

static void *deep_thread(void *arg)
{
	struct deep_job *job = arg;
	char *in = nest("<span>", job->levels, "x");
	struct buf out = BUF_INIT;
	job->rc = sanitize_html(in, strlen(in), NULL, &out);
	job->spans = job->rc == 0 ? count(out.data, "<span>") : 0;
	buf_free(&out);
	free(in);
	return NULL;
}

/*
 * 200,000 nested <span> in a thread with a 512 KB stack: gumbo's own
 * gumbo_destroy_output() would need megabytes of stack here; sanitize
 * frees gumbo's arena instead and walks the tree without recursion.
 */
static void test_small_stack(void **state)
{
	struct deep_job job = {200000, -2, 0};
	pthread_attr_t attr;
	pthread_t t;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, 512 * 1024), 0);
	assert_int_equal(pthread_create(&t, &attr, deep_thread, &job), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
	assert_int_equal(job.rc, 0);
	assert_int_equal(job.spans, SANITIZE_MAX_DEPTH);
}

/* rewrite_url: "../x" becomes "/files/x"; every call is logged. */
static bool rewrite(void *ctx, const char *tag, const char *attr, const char *url, size_t len,
                    struct buf *out)
{
	struct buf *log = ctx;
	assert_int_equal(out->len, 0);
	buf_printf(log, "%s %s %.*s\n", tag, attr, (int)len, url);
	if (len >= 3 && memcmp(url, "../", 3) == 0) {
		buf_puts(out, "/files/");
		buf_append(out, url + 3, len - 3);
		return true;
	}
	if (len == 2 && memcmp(url, "?q", 2) == 0) {
		buf_puts(out, "/search?a=1&b=\"2\"");
		return true;
	}
	if (len == 4 && memcmp(url, "evil", 4) == 0) {
		buf_puts(out, " javascript:alert(1)"); /* checked again: the attribute goes */
		return true;
	}
	return false;
}

static void test_rewrite_url(void **state)
{
	static const char in[] =
	    "<p><a href=\"../posts/b.html\">b</a>"
	    "<img src=\"../images/a.png\" srcset=\"../images/a.png 1x, ../images/a@2x.png 2x\" "
	    "alt=\"A\"><a href=\"javascript:alert(1)\">bad</a><a href=\"?q\">q</a>"
	    "<a href=\"evil\">e</a></p>"
	    "<video src=\"../media/v.mp4\" poster=\"https://example.com/p.jpg\"></video>"
	    "<blockquote cite=\"../sources/1\">c</blockquote>"
	    "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>";
	static const char want[] =
	    "<p><a href=\"/files/posts/b.html\">b</a>"
	    "<img src=\"/files/images/a.png\" srcset=\"/files/images/a.png 1x, "
	    "/files/images/a@2x.png 2x\" alt=\"A\"><a>bad</a>"
	    "<a href=\"/search?a=1&amp;b=&quot;2&quot;\">q</a><a>e</a></p>"
	    "<video src=\"/files/media/v.mp4\" poster=\"https://example.com/p.jpg\"></video>"
	    "<blockquote cite=\"/files/sources/1\">c</blockquote>"
	    "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>";
	static const char want_log[] = "a href ../posts/b.html\n"
	                               "img src ../images/a.png\n"
	                               "img srcset ../images/a.png\n"
	                               "img srcset ../images/a@2x.png\n"
	                               "a href ?q\n"
	                               "a href evil\n"
	                               "video src ../media/v.mp4\n"
	                               "video poster https://example.com/p.jpg\n"
	                               "blockquote cite ../sources/1\n"
	                               "iframe src https://www.youtube.com/embed/x\n";
	struct buf log = BUF_INIT, out = BUF_INIT;
	struct sanitize_policy p = {hosts, rewrite, NULL, &log};
	assert_int_equal(sanitize_html(in, strlen(in), &p, &out), 0);
	assert_string_equal(out.data, want);
	assert_string_equal(log.data, want_log);
	/* the result is safe; the rewrite is not idempotent ("?q" again), so no second pass */
	assert_null(sanitize_check(out.data, out.len, hosts, NULL));
	buf_free(&log);
	buf_free(&out);
}

/* img_attrs: the size of the file where the author gave none, lazy from the second image on. */
static void add_img_attrs(void *ctx, const char *src, size_t src_len, unsigned index,
                          bool has_width, bool has_height, struct buf *out)
{
	struct buf *log = ctx;
	buf_printf(log, "%u %.*s %d %d\n", index, (int)src_len, src, has_width, has_height);
	if (!has_width && !has_height) {
		buf_puts(out, " width=\"");
		escape_html(out, "800", 3);
		buf_puts(out, "\" height=\"");
		escape_html(out, "600", 3);
		buf_putc(out, '"');
	}
	if (index >= 1)
		buf_puts(out, " loading=\"lazy\"");
}

static void test_img_attrs(void **state)
{
	static const char in[] = "<img src=\"a.png\" width=\"10\" height=\"20\" alt=\"a\">"
	                         "<img src=\"javascript:x\"><img alt=\"no src\">"
	                         "<p><img src=\"b.png\" alt=\"b\"></p>"
	                         "<img src=\"c.png\" width=\"30\" height=\"x\">";
	static const char want[] = "<img src=\"a.png\" width=\"10\" height=\"20\" alt=\"a\">"
	                           "<p><img src=\"b.png\" alt=\"b\" width=\"800\" height=\"600\" "
	                           "loading=\"lazy\"></p>"
	                           "<img src=\"c.png\" width=\"30\" loading=\"lazy\">";
	static const char want_log[] = "0 a.png 1 1\n1 b.png 0 0\n2 c.png 1 0\n";
	struct buf log = BUF_INIT, out = BUF_INIT;
	struct sanitize_policy p = {NULL, NULL, add_img_attrs, &log};
	assert_int_equal(sanitize_html(in, strlen(in), &p, &out), 0);
	assert_string_equal(out.data, want);
	assert_string_equal(log.data, want_log);
	assert_null(sanitize_check(out.data, out.len, NULL, NULL));
	buf_free(&log);
	buf_free(&out);
}

/* No policy: no iframe, no callbacks; output appended after what out holds. */
static void test_no_policy(void **state)
{
	static const struct san_case cases[] = {
	    {"<iframe src=\"https://www.youtube.com/embed/x\"></iframe>ok", "ok", 0},
	    {"", "", 0},
	    {"plain text & more", "plain text &amp; more", 0},
	};
	run(cases, GZ_ARRAY_LEN(cases), NULL);

	struct buf out = BUF_INIT;
	buf_puts(&out, "<article>");
	assert_int_equal(sanitize_html("<p>x", 4, NULL, &out), 0);
	assert_string_equal(out.data, "<article><p>x</p>");
	assert_int_equal(sanitize_html(NULL, 0, NULL, &out), 0);
	assert_string_equal(out.data, "<article><p>x</p>");
	buf_free(&out);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/*
 * Out of memory inside gumbo: -1 and nothing appended.  In a child whose
 * address space is capped 64 MB above what it uses (ASan's shadow memory
 * does not fit under such a cap: skipped there).
 */
static void test_out_of_memory(void **state)
{
#ifdef UNDER_ASAN
	skip();
#else
	char *in = nest("<p>some words</p>", 500000, ""); /* 8.5 MB: gumbo wants ~100 MB */
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		long pages = 0;
		FILE *f = fopen("/proc/self/statm", "r");
		if (f == NULL || fscanf(f, "%ld", &pages) != 1)
			_exit(3);
		fclose(f);
		struct rlimit lim;
		lim.rlim_cur = lim.rlim_max =
		    (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (rlim_t)64 * 1024 * 1024;
		if (setrlimit(RLIMIT_AS, &lim) != 0)
			_exit(3);
		struct buf out = BUF_INIT;
		buf_puts(&out, "kept");
		int rc = sanitize_html(in, strlen(in), NULL, &out);
		/* 0: -1 and out as it was; 1: it parsed anyway; 2: out changed */
		_exit(rc == -1 ? (strcmp(out.data, "kept") == 0 ? 0 : 2) : 1);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	free(in);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
#endif
}

/* The checker itself must catch what it is there for. */
static void test_checker(void **state)
{
	static const char *const bad[] = {
	    "<script>alert(1)</script>",
	    "<img src=\"x\" onerror=\"alert(1)\">",
	    "<a href=\"javascript:alert(1)\">x</a>",
	    "<a href=\"java&#x09;script:alert(1)\">x</a>",
	    "<img src=\"x\" srcset=\"a.png 1x, data:x 2x\">",
	    "<iframe src=\"https://evil.example/\"></iframe>",
	    "<p title=x>unquoted</p>",
	    "<p>a > b</p>",
	    "<p>&nbsp;</p>",
	    "<br></br>",
	    "<svg></svg>",
	    "<div style=\"x\"></div>",
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(bad); i++) {
		if (sanitize_check(bad[i], strlen(bad[i]), hosts, NULL) == NULL)
			fail_msg("sanitize_check passed \"%s\"", bad[i]);
	}
	assert_null(sanitize_check("<p class=\"a\">x &amp; y</p>", 26, hosts, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_html),     cmocka_unit_test(test_bypasses),
	    cmocka_unit_test(test_structure),     cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_deep_nesting),  cmocka_unit_test(test_small_stack),
	    cmocka_unit_test(test_rewrite_url),   cmocka_unit_test(test_img_attrs),
	    cmocka_unit_test(test_no_policy),     cmocka_unit_test(test_checker),
	    cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
