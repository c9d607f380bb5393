/* fuzz_common.c: checks the harnesses share (see fuzz_common.h). */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/buf.h"
#include "gazette/content/markdown.h"
#include "gazette/base/util.h"

void fuzz_fail(const char *what, const char *ctx, size_t n)
{
	fprintf(stderr, "\nfuzz: FINDING: %s\n", what);
	if (ctx) {
		fprintf(stderr, "fuzz: near: \"");
		for (size_t i = 0; i < n && i < 200; i++) {
			unsigned char c = (unsigned char)ctx[i];
			if (c == '\\' || c == '"')
				fprintf(stderr, "\\%c", c);
			else if (c >= 0x20 && c < 0x7f)
				fputc(c, stderr);
			else
				fprintf(stderr, "\\x%02x", c);
		}
		fprintf(stderr, "\"%s\n", n > 200 ? " ..." : "");
	}
	abort();
}

const char *fuzz_memcasemem(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m == 0)
		return hay;
	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;
		while (k < m) {
			char a = hay[i + k], b = needle[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a | 0x20);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b | 0x20);
			if (a != b)
				break;
			k++;
		}
		if (k == m)
			return hay + i;
	}
	return NULL;
}

char *fuzz_strndup(const uint8_t *data, size_t n)
{
	return xstrndup((const char *)data, n);
}

/* The tags markdown.c writes and the attributes each may carry (NULL-terminated). */
static const struct {
	const char *tag;
	const char *attrs[5];
} md_tags[] = {
    {"p", {NULL}},
    {"h1", {"id", NULL}},
    {"h2", {"id", NULL}},
    {"h3", {"id", NULL}},
    {"h4", {"id", NULL}},
    {"h5", {"id", NULL}},
    {"h6", {"id", NULL}},
    {"a", {"href", "title", NULL}},
    {"img", {"src", "alt", "title", "loading", NULL}},
    {"em", {NULL}},
    {"strong", {NULL}},
    {"code", {"class", NULL}},
    {"del", {NULL}},
    {"pre", {"class", "tabindex", "role", "aria-label", NULL}},
    {"span", {"class", "aria-hidden", NULL}},
    {"blockquote", {NULL}},
    {"ul", {NULL}},
    {"ol", {"start", NULL}},
    {"li", {"class", NULL}},
    {"input", {"type", "disabled", "checked", NULL}},
    {"hr", {NULL}},
    {"br", {NULL}},
    {"table", {NULL}},
    {"thead", {NULL}},
    {"tbody", {NULL}},
    {"tr", {NULL}},
    {"th", {"style", NULL}},
    {"td", {"style", NULL}},
};

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Decodes the entities escape_html() writes (and numeric ones) into out. */
static void entity_unescape(struct buf *out, const char *s, size_t n)
{
	static const struct {
		const char *ent;
		char c;
	} named[] = {
	    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
	buf_reset(out);
	for (size_t i = 0; i < n;) {
		bool done = false;
		for (size_t k = 0; k < sizeof named / sizeof named[0] && !done; k++) {
			size_t m = strlen(named[k].ent);
			if (i + m <= n && memcmp(s + i, named[k].ent, m) == 0) {
				buf_putc(out, named[k].c);
				i += m;
				done = true;
			}
		}
		if (!done)
			buf_putc(out, s[i++]);
	}
}

void fuzz_check_md_html(const char *html, size_t len)
{
	struct buf val = BUF_INIT;

	FUZZ_CHECK(utf8_valid(html, len), "Markdown HTML is not valid UTF-8", html, len);
	for (size_t i = 0; i < len; i++) {
		if (html[i] != '<')
			continue;
		size_t at = i++;
		if (i < len && html[i] == '/')
			i++;
		size_t t0 = i;
		while (i < len && name_char(html[i]))
			i++;
		size_t tk = sizeof md_tags / sizeof md_tags[0];
		for (size_t k = 0; k < sizeof md_tags / sizeof md_tags[0]; k++)
			if (strlen(md_tags[k].tag) == i - t0 &&
			    memcmp(md_tags[k].tag, html + t0, i - t0) == 0)
				tk = k;
		if (tk == sizeof md_tags / sizeof md_tags[0])
			fuzz_fail("Markdown HTML has a tag markdown.c does not write", html + at,
			          len - at);
		/* Attributes: ` name` or ` name="value"`, then '>'. */
		while (i < len && html[i] == ' ') {
			size_t a0 = ++i;
			while (i < len && name_char(html[i]))
				i++;
			bool known = false;
			for (size_t k = 0; md_tags[tk].attrs[k] && !known; k++)
				known = strlen(md_tags[tk].attrs[k]) == i - a0 &&
				        memcmp(md_tags[tk].attrs[k], html + a0, i - a0) == 0;
			if (!known)
				fuzz_fail(
				    "Markdown HTML has an attribute markdown.c does not write",
				    html + at, len - at);
			if (i < len && html[i] == '=') {
				if (i + 1 >= len || html[i + 1] != '"')
					fuzz_fail("Markdown HTML has an unquoted attribute value",
					          html + at, len - at);
				size_t v0 = i + 2;
				const char *q = memchr(html + v0, '"', len - v0);
				if (q == NULL)
					fuzz_fail("Markdown HTML has an unterminated attribute",
					          html + at, len - at);
				size_t v1 = (size_t)(q - html);
				if (memchr(html + v0, '<', v1 - v0))
					fuzz_fail("Markdown HTML has '<' in an attribute value",
					          html + at, len - at);
				bool url = (i - a0 == 4 && memcmp(html + a0, "href", 4) == 0) ||
				           (i - a0 == 3 && memcmp(html + a0, "src", 3) == 0);
				if (url) {
					entity_unescape(&val, html + v0, v1 - v0);
					if (!md_url_is_safe(val.data ? val.data : "", val.len))
						fuzz_fail("Markdown HTML links to an unsafe URL",
						          html + at, len - at);
				}
				i = v1 + 1;
			}
		}
		if (i >= len || html[i] != '>')
			fuzz_fail("Markdown HTML has a malformed tag", html + at, len - at);
	}
	buf_free(&val);
}
