/*
 * fuzz_sanitize.c: the raw HTML sanitizer, as authors' HTML and imported
 * bodies feed it.
 *
 * Input: one flag byte, then the HTML.  The flags pick the policy: bit 0
 * allows iframes from www.youtube.com and *.vimeo.com, bit 1 rewrites
 * URLs starting "../" to "/files/...", bit 2 adds width and height to an
 * <img> that has neither (both callbacks are stable: what they write is
 * not rewritten or added again).  Bit 3 reads the rest as tokens: each
 * byte below the table's length is one of the tags and characters that
 * steer the HTML parser (misnested, unclosed, in tables, foreign), any
 * other byte is itself.  gumbo is a system library the fuzzer sees no
 * coverage in; this lets each mutation be a whole tag.
 *
 * Beyond memory errors, the output must:
 * - pass sanitize_check(): valid UTF-8, only allowed tags with allowed,
 *   double-quoted attributes, only escape_html's entities, and, parsed
 *   again by gumbo, only allowed elements and attributes and no URL with
 *   a scheme other than http, https, mailto, tel (iframes: https on an
 *   allowed host);
 * - come back unchanged from a second sanitize_html() (stable).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "gazette/base/buf.h"
#include "gazette/content/sanitize.h"
#include "sanitize_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add_size(void *ctx, const char *src, size_t src_len, unsigned index, bool has_width,
                     bool has_height, struct buf *out)
{
	if (!has_width && !has_height)
		buf_puts(out, " width=\"640\" height=\"480\"");
}

static const char *const tokens[] = {
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<span>",
    "</span>",
    "<ul>",
    "</ul>",
    "<ol>",
    "<li>",
    "</li>",
    "<dl>",
    "<dt>",
    "<dd>",
    "<h1>",
    "<h2>",
    "</h1>",
    "</h2>",
    "<a href=\"../x\">",
    "<a href=x target=_blank>",
    "</a>",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<b class=c>",
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    "<caption>",
    "<colgroup>",
    "<col>",
    "<tbody>",
    "<thead>",
    "<tfoot>",
    "<pre>",
    "</pre>",
    "<listing>",
    "\n",
    "\r",
    "\f",
    " ",
    "x",
    "&#13;",
    "&#129;",
    "&amp;",
    "<xyz>",
    "</xyz>",
    "<nav>",
    "</nav>",
    "<center>",
    "<marquee>",
    "</marquee>",
    "<font>",
    "</font>",
    "<nobr>",
    "<ruby>",
    "<rt>",
    "<rp>",
    "<rb>",
    "<rtc>",
    "<details>",
    "<summary>",
    "<figure>",
    "<figcaption>",
    "<blockquote>",
    "<section>",
    "<address>",
    "<img src=a.png>",
    "<img>",
    "<br>",
    "</br>",
    "<hr>",
    "<wbr>",
    "<picture>",
    "<source srcset=\"a 1x, b 2x\">",
    "<video>",
    "<track src=t>",
    "<iframe src=\"https://www.youtube.com/embed/x\">",
    "</iframe>",
    "<svg>",
    "</svg>",
    "<math>",
    "<mtext>",
    "<mglyph>",
    "<foreignObject>",
    "<annotation-xml encoding=text/html>",
    "<template>",
    "</template>",
    "<select>",
    "<option>",
    "<form>",
    "</form>",
    "<button>",
    "<input>",
    "<textarea>",
    "<object>",
    "<noscript>",
    "<style>",
    "</style>",
    "<script>",
    "</script>",
    "<title>",
    "<xmp>",
    "<plaintext>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<frameset>",
    "<body>",
    "<html>",
    "<head>",
    "<label>",
    "<fieldset>",
    "<image src=a>",
    "<isindex>",
    "<main>",
    "<menu>",
    "<dir>",
    "<hgroup>",
    "<applet>",
    "<embed>",
};

/* The token program data[0..n) as HTML, into b. */
static void detokenize(struct buf *b, const uint8_t *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] < sizeof(tokens) / sizeof(tokens[0]))
			buf_puts(b, tokens[data[i]]);
		else
			buf_putc(b, (char)data[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned flags = data[0];
	struct sanitize_policy policy = {
	    flags & 1 ? sanitize_check_hosts : NULL,
	    flags & 2 ? sanitize_check_rewrite : NULL,
	    flags & 4 ? add_size : NULL,
	    NULL,
	};
	/* The HTML in its own allocation: an over-read is an ASan report. */
	struct buf program = BUF_INIT;
	const uint8_t *src = data + 1;
	size_t len = size - 1;
	if (flags & 8) {
		detokenize(&program, src, len);
		src = (const uint8_t *)program.data;
		len = program.len;
	}
	char *html = malloc(len ? len : 1);
	if (len > 0)
		memcpy(html, src, len);
	buf_free(&program);

	struct buf out = BUF_INIT, again = BUF_INIT;
	FUZZ_CHECK(sanitize_html(html, len, &policy, &out) == 0, "sanitize_html failed", html, len);
	const char *text = out.data ? out.data : "";
	const char *where = NULL;
	const char *why = sanitize_check(text, out.len, policy.iframe_hosts, &where);
	if (why && where >= text && where < text + out.len)
		fuzz_fail(why, where, out.len - (size_t)(where - text));
	else if (why)
		fuzz_fail(why, where ? where : text, where ? strlen(where) : out.len);
	FUZZ_CHECK(sanitize_html(text, out.len, &policy, &again) == 0,
	           "sanitize_html failed on its own output", text, out.len);
	FUZZ_CHECK(again.len == out.len && memcmp(again.data ? again.data : "", text, out.len) == 0,
	           "not stable: sanitizing the output again changed it", text, out.len);
	buf_free(&out);
	buf_free(&again);
	free(html);
	return 0;
}
