/*
 * fuzz_highlight.c: every language's lexer on the same bytes.
 *
 * The input is a language (its first byte picks one of the 26, or none),
 * line options (the second byte) and a code block.  hl_render() renders
 * the block, and the output must keep the writer's promises: it is
 * valid UTF-8; its only tags are <span class="X"> with X one of the
 * classes and </span>; token spans do not nest, are all closed, and hold
 * no '\n' or '\r'; with the tags taken away it is escape_html(input),
 * byte for byte (every byte escaped once, none lost or repeated).  Then
 * it renders again with line numbers and marked lines, checked the same
 * way with the line wrappers taken away, and the block goes through
 * md_render() inside a fence, checked with fuzz_check_md_html().  (One
 * language per input rather than all 27: under the sanitizers that is
 * 27 times the executions.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "gazette/base/buf.h"
#include "gazette/base/escape.h"
#include "gazette/base/util.h"
#include "gazette/content/highlight.h"
#include "gazette/content/markdown.h"

static const char *const langs[] = {
    "rust",  "c",    "cpp",  "go",   "python",     "javascript", "typescript", "java",     "kotlin",
    "swift", "ruby", "php",  "sh",   "console",    "powershell", "sql",        "html",     "xml",
    "css",   "json", "yaml", "toml", "dockerfile", "diff",       "markdown",   "makefile",
};

static const char *const classes[] = {"k",  "kt", "kc", "nf", "nb", "nd", "nv", "s",
                                      "se", "si", "c",  "cp", "m",  "o",  "nt", "na",
                                      "gh", "gi", "gd", "gu", "gp", "go", "ge", "gs"};

static bool known_class(const char *s, size_t n)
{
	for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++)
		if (strlen(classes[k]) == n && memcmp(classes[k], s, n) == 0)
			return true;
	return false;
}

static bool starts(const char *s, size_t i, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return m <= n - i && memcmp(s + i, lit, m) == 0;
}

/*
 * Checks html (from in[0..len)) as the header comment says.  With lines,
 * <span class="line"> / "line hl" wrappers and <span class="ln"
 * aria-hidden="true">N</span> numbers are also allowed, outside tokens.
 */
static void check(const char *in, size_t len, const char *html, size_t hlen, bool lines)
{
	struct buf want = BUF_INIT, got = BUF_INIT;
	bool in_token = false, in_line = false;

	FUZZ_CHECK(utf8_valid(html, hlen), "highlighted HTML is not valid UTF-8", in, len);
	escape_html(&want, in, len);
	for (size_t i = 0; i < hlen;) {
		if (html[i] != '<') {
			if (html[i] == '\n' || html[i] == '\r')
				FUZZ_CHECK(!in_token, "a token span holds a line break", in, len);
			buf_putc(&got, html[i++]);
			continue;
		}
		if (starts(html, i, hlen, "</span>")) {
			if (in_token)
				in_token = false;
			else if (in_line)
				in_line = false;
			else
				fuzz_fail("</span> closes nothing", in, len);
			i += 7;
			continue;
		}
		if (lines && !in_token && !in_line && starts(html, i, hlen, "<span class=\"line")) {
			size_t m = starts(html, i, hlen, "<span class=\"line\">")      ? 19
			           : starts(html, i, hlen, "<span class=\"line hl\">") ? 22
			                                                               : 0;
			FUZZ_CHECK(m > 0, "a malformed line span", in, len);
			in_line = true;
			i += m;
			if (starts(html, i, hlen, "<span class=\"ln\" aria-hidden=\"true\">")) {
				i += 36;
				while (i < hlen && html[i] >= '0' && html[i] <= '9')
					i++;
				FUZZ_CHECK(starts(html, i, hlen, "</span>"),
				           "a malformed line number", in, len);
				i += 7;
			}
			continue;
		}
		FUZZ_CHECK(starts(html, i, hlen, "<span class=\""), "a tag that is not a span", in,
		           len);
		FUZZ_CHECK(!in_token, "token spans nest", in, len);
		size_t c0 = i + 13, c1 = c0;
		while (c1 < hlen && html[c1] != '"')
			c1++;
		FUZZ_CHECK(c1 + 1 < hlen && html[c1 + 1] == '>' && known_class(html + c0, c1 - c0),
		           "a span of an unknown class", in, len);
		FUZZ_CHECK(!lines || in_line, "a token outside its line", in, len);
		in_token = true;
		i = c1 + 2;
	}
	FUZZ_CHECK(!in_token && !in_line, "a span is left open", in, len);
	FUZZ_CHECK(got.len == want.len &&
	               (want.len == 0 || memcmp(got.data, want.data, want.len) == 0),
	           "without its tags the output is not the input escaped once", in, len);
	buf_free(&want);
	buf_free(&got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t nlangs = sizeof langs / sizeof langs[0];
	struct buf out = BUF_INIT;

	if (size < 2)
		return 0;
	/* data[0]: the language (or none); data[1]: the line options; the rest: code. */
	const char *in = (const char *)data + 2;
	size_t len = size - 2;
	const char *name = data[0] % (nlangs + 1) < nlangs ? langs[data[0] % (nlangs + 1)] : NULL;
	const struct hl_lang *L = name ? hl_lang_find(name, strlen(name)) : NULL;
	FUZZ_CHECK(!name || L, "a language is not found by its name", name,
	           name ? strlen(name) : 0);

	hl_render(&out, L, in, len, NULL);
	check(in, len, out.data ? out.data : "", out.len, false);

	/* Line numbers and marked lines. */
	struct hl_opts o = {.linenos = data[1] & 1, .linenostart = data[1] >> 4, .nhl = 2};
	o.hl[0] = (struct hl_range){1, 1};
	o.hl[1] = (struct hl_range){3, 3 + (data[1] >> 6)};
	buf_reset(&out);
	hl_render(&out, L, in, len, &o);
	check(in, len, out.data ? out.data : "", out.len, true);
	buf_free(&out);

	/* Through the Markdown writer, in a fence with attributes. */
	struct buf md = BUF_INIT;
	buf_printf(&md, "```%s {linenos=true, hl_lines=[2]}\n", name ? name : "none");
	buf_append(&md, in, len);
	buf_puts(&md, "\n```\n");
	struct md_doc doc;
	if (md_render(md.data, md.len, &doc) == 0)
		fuzz_check_md_html(doc.html, doc.html_len);
	md_doc_free(&doc);
	buf_free(&md);
	return 0;
}
