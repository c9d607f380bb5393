/* escape.c: text into HTML/XML and URLs; the only place that does it. */
#include "gazette/base/escape.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

void escape_url_path(struct buf *out, const char *path, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = i;
		while (k < n && path[k] != '/')
			k++;
		escape_url_segment(out, path + i, k - i);
		if (k < n)
			buf_putc(out, '/');
		i = k + 1;
	}
}

/*
 * The value of the one "p" parameter of a query (names and values decoded
 * as the router decodes them) if it is a whole number the router takes.
 */
static bool wordpress_post(const char *q, size_t n, long long *id)
{
	bool found = false, ok = true;
	char *part = xmalloc(n + 1);
	while (n > 0 && ok) {
		size_t len = 0;
		while (len < n && q[len] != '&')
			len++;
		const char *eq = memchr(q, '=', len);
		size_t klen = eq ? (size_t)(eq - q) : len;
		long k = percent_decode(q, klen, part, true);
		if (k == 1 && part[0] == 'p') {
			long v = eq ? percent_decode(eq + 1, len - klen - 1, part, true) : -1;
			/* Twice, empty or not a number in range: the router answers 400. */
			ok = !found && v > 0 &&
			     parse_uint_range(part, (size_t)v, 1, URL_POST_ID_MAX, id) == 0;
			found = true;
		}
		q += len;
		n -= len;
		if (n > 0)
			q++, n--;
	}
	free(part);
	return found && ok;
}

int url_canonical_path(const char *url, size_t n, const char *base, struct buf *out,
                       const char **why)
{
	*why = NULL;
	const char *s = url, *end = url + n;
	/* An absolute URL, or one relative to the scheme: the authority goes. */
	size_t scheme = n >= 7 && strncasecmp(s, "http://", 7) == 0    ? 7
	                : n >= 8 && strncasecmp(s, "https://", 8) == 0 ? 8
	                : n >= 2 && s[0] == '/' && s[1] == '/'         ? 2
	                                                               : 0;
	if (scheme) {
		s += scheme;
		while (s < end && *s != '/' && *s != '?' && *s != '#')
			s++;
	}
	const char *path_end = s;
	while (path_end < end && *path_end != '?' && *path_end != '#')
		path_end++;
	const char *query = path_end < end && *path_end == '?' ? path_end + 1 : NULL;
	const char *query_end = query ? query : path_end;
	while (query && query_end < end && *query_end != '#')
		query_end++;

	/* Decoded segments, dot segments resolved as a browser does before it asks. */
	char *decoded = xmalloc((size_t)(path_end - s) + 1);
	size_t starts[URL_PATH_MAX_SEGMENTS], lens[URL_PATH_MAX_SEGMENTS], nsegs = 0, used = 0;
	int rc = 0;
	const char *p = s < path_end && *s == '/' ? s + 1 : s;
	while (p < path_end && rc == 0) {
		const char *q = p;
		while (q < path_end && *q != '/')
			q++;
		long k = percent_decode(p, (size_t)(q - p), decoded + used, false);
		bool last = q == path_end;
		if (k < 0 || !utf8_valid(decoded + used, (size_t)k)) {
			*why = "the path has a bad percent-escape, a NUL byte or invalid UTF-8";
			rc = -1;
		} else if (k == 1 && decoded[used] == '.') {
			/* "." is no segment */
		} else if (k == 2 && decoded[used] == '.' && decoded[used + 1] == '.') {
			if (nsegs > 0)
				used = starts[--nsegs];
		} else if (k == 0 && !last) {
			*why =
			    "the path has an empty segment ('//'), which no address of gazette has";
			rc = -1;
		} else if (k > 0) {
			if (nsegs == URL_PATH_MAX_SEGMENTS) {
				*why = "the path has more than 16 segments";
				rc = -1;
			} else {
				starts[nsegs] = used;
				lens[nsegs++] = (size_t)k;
				used += (size_t)k;
			}
		}
		p = q + 1;
	}
	/* The site's own path is taken off the front, as the router does. */
	size_t first = 0;
	const char *b = base ? base : "";
	while (rc == 0 && *b == '/') {
		b++;
		size_t len = strcspn(b, "/");
		if (len == 0)
			break;
		if (first >= nsegs || lens[first] != len ||
		    memcmp(decoded + starts[first], b, len) != 0) {
			first = 0;
			break;
		}
		first++;
		b += len;
	}
	long long post = 0;
	if (rc == 0 && first == nsegs &&
	    !(query && wordpress_post(query, (size_t)(query_end - query), &post))) {
		*why = "the address is the site's front page, which is never an old address";
		rc = -1;
	}
	if (rc == 0) {
		for (size_t i = first; i < nsegs; i++) {
			buf_putc(out, '/');
			escape_url_segment(out, decoded + starts[i], lens[i]);
		}
		if (first == nsegs)
			buf_printf(out, "/?p=%lld", post);
	}
	free(decoded);
	return rc;
}
