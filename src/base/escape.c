/* escape.c: text into HTML/XML and URLs; the only place that does it. */
#include "gazette/base/escape.h"

#include <stdbool.h>
#include <string.h>

#include "gazette/base/util.h"

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Bytes that pass through unchanged in the common case. */
static bool html_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

void escape_html(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	buf_reserve(out, n + n / 8);
	while (i < n) {
		size_t start = i;
		while (i < n && html_plain(s[i]))
			i++;
		if (i > start)
			buf_append(out, s + start, i - start);
		if (i >= n)
			break;

		unsigned char c = s[i];
		switch (c) {
		case '&':
			buf_append(out, "&amp;", 5);
			i++;
			continue;
		case '<':
			buf_append(out, "&lt;", 4);
			i++;
			continue;
		case '>':
			buf_append(out, "&gt;", 4);
			i++;
			continue;
		case '"':
			buf_append(out, "&quot;", 6);
			i++;
			continue;
		case '\'':
			buf_append(out, "&#39;", 5);
			i++;
			continue;
		case '\t':
		case '\n':
		case '\r':
			buf_putc(out, (char)c);
			i++;
			continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			/* Illegal in XML 1.0 and a parse error in HTML. */
			buf_append(out, replacement, 3);
			i++;
			continue;
		}
		size_t len = utf8_seq_len(c);
		if (len == 1 || i + len > n || !utf8_valid(str + i, len)) {
			buf_append(out, replacement, 3);
			i++;
			continue;
		}
		/* U+FFFE and U+FFFF are not characters in XML. */
		if (len == 3 && c == 0xef && s[i + 1] == 0xbf &&
		    (s[i + 2] == 0xbe || s[i + 2] == 0xbf))
			buf_append(out, replacement, 3);
		else
			buf_append(out, s + i, len);
		i += len;
	}
}

void escape_json_for_script(struct buf *out, const char *json, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (json[i]) {
		case '<': buf_append(out, "\\u003c", 6); break;
		case '>': buf_append(out, "\\u003e", 6); break;
		case '&': buf_append(out, "\\u0026", 6); break;
		default: buf_putc(out, json[i]); break;
		}
	}
}

static const char hexdigits[] = "0123456789ABCDEF";

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* True if s[i] starts a well-formed "%XX" within s[0..n). */
static bool is_escape(const char *s, size_t n, size_t i)
{
	return s[i] == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0;
}

long percent_decode(const char *s, size_t n, char *out, bool plus_is_space)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (!is_escape(s, n, i))
				return -1;
			c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return -1;
		out[k++] = c;
	}
	out[k] = '\0';
	return (long)k;
}

/*
 * Appends str[0..n) with every byte percent-encoded but the unreserved
 * ones, those in also_keep, and (keep_escapes) "%XX" already there.
 */
static void escape_url(struct buf *out, const char *str, size_t n, const char *also_keep,
                       bool keep_escapes)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		bool keep = unreserved(c) || (keep_escapes && is_escape(str, n, i));
		for (const char *k = also_keep; !keep && *k; k++)
			keep = (c == (unsigned char)*k);
		if (keep) {
			buf_putc(out, (char)c);
		} else {
			char enc[3] = {'%', hexdigits[c >> 4], hexdigits[c & 15]};
			buf_append(out, enc, 3);
		}
	}
}

void escape_url_segment(struct buf *out, const char *s, size_t n)
{
	/* sub-delims and ':' '@' are allowed in a segment; keep the common ones readable */
	escape_url(out, s, n, "!$'()*,;:@", false);
}

void escape_url_query(struct buf *out, const char *s, size_t n)
{
	escape_url(out, s, n, "!$'()*,;:@/?", false);
}

void escape_site_link(struct buf *out, const char *base, const char *dir, const char *slug)
{
	buf_puts(out, base);
	buf_puts(out, dir);
	if (slug)
		escape_url_segment(out, slug, strlen(slug));
}

void escape_url_whole(struct buf *out, const char *s, size_t n)
{
	/* RFC 3986's reserved characters keep their meaning; "%XX" is kept as written. */
	escape_url(out, s, n, ":/?#[]@!$&'()*+,;=", true);
}
