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

static const char hexdigits[] = "0123456789ABCDEF";

/*
 * What each ASCII byte becomes inside a JSON string: NULL, itself.  The
 * escapes are jansson's (dump.c): a backslash before '"' and '\', the
 * short forms of backspace, form feed, newline, return and tab, \u00XX
 * with capital digits for the other controls (json_string_escape()).
 */
static const char *const json_escapes[128] = {
    ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
    ['"'] = "\\\"", ['\\'] = "\\\\",
};

/* Inside a <script> besides: '/' as jansson's JSON_ESCAPE_SLASH writes it, and '<', '>', '&'. */
static const char *const script_escapes[128] = {
    ['/'] = "\\/", ['<'] = "\\u003c", ['>'] = "\\u003e", ['&'] = "\\u0026",
};

void escape_json_string(struct buf *out, const char *s, size_t n, bool for_script)
{
	buf_reserve(out, n + 2);
	buf_putc(out, '"');
	size_t from = 0; /* the bytes since the last escape go out together */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		if (c < 0x80) {
			esc = json_escapes[c];
			if (esc == NULL && for_script)
				esc = script_escapes[c];
		}
		if (esc == NULL && c >= 0x20)
			continue;
		buf_append(out, s + from, i - from);
		from = i + 1;
		if (esc) {
			buf_puts(out, esc);
		} else {
			char u[6] = {'\\', 'u', '0', '0', hexdigits[c >> 4], hexdigits[c & 15]};
			buf_append(out, u, sizeof u);
		}
	}
	buf_append(out, s + from, n - from);
	buf_putc(out, '"');
}

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

/* The length of url's scheme and "//" ("http://", "https://", or "//" alone); 0 for a path. */
static size_t scheme_length(const char *url, size_t n)
{
	static const char *const prefixes[] = {"http://", "https://", "//"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(prefixes); i++) {
		size_t len = strlen(prefixes[i]);
		if (n >= len && strncasecmp(url, prefixes[i], len) == 0)
			return len;
	}
	return 0;
}

/* A URL cut into its path [path, path_end) and its query [query, query_end) (NULL for none). */
struct url_parts {
	const char *path, *path_end;
	const char *query, *query_end;
};

/* Cuts url: the scheme and authority go, the fragment too. */
static void url_split(const char *url, size_t n, struct url_parts *u)
{
	const char *s = url, *end = url + n;
	size_t scheme = scheme_length(url, n);
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
	*u = (struct url_parts){s, path_end, query, query_end};
}

/* A path's decoded segments: segment i is decoded[starts[i]], lens[i] bytes. */
struct url_segments {
	char *decoded; /* owned */
	size_t starts[URL_PATH_MAX_SEGMENTS], lens[URL_PATH_MAX_SEGMENTS];
	size_t n;    /* segments */
	size_t used; /* bytes of decoded in use */
};

/*
 * Takes the segment just decoded at decoded + used (k bytes; last: the
 * path's last): "." is none, ".." drops the one before, an empty one is
 * only allowed last (a trailing '/').  0, or -1 with *why.
 */
static int segment_take(struct url_segments *sg, size_t k, bool last, const char **why)
{
	const char *d = sg->decoded + sg->used;
	if (k == 1 && d[0] == '.')
		return 0;
	if (k == 2 && d[0] == '.' && d[1] == '.') {
		if (sg->n > 0)
			sg->used = sg->starts[--sg->n];
		return 0;
	}
	if (k == 0) {
		if (last)
			return 0;
		*why = "the path has an empty segment ('//'), which no address of gazette has";
		return -1;
	}
	if (sg->n == URL_PATH_MAX_SEGMENTS) {
		*why = "the path has more than 16 segments";
		return -1;
	}
	sg->starts[sg->n] = sg->used;
	sg->lens[sg->n++] = k;
	sg->used += k;
	return 0;
}

/*
 * Decodes the path [s, end) into sg (sg->decoded allocated here, the
 * caller frees it), dot segments resolved as a browser does before it
 * asks.  0, or -1 with *why.
 */
static int segments_decode(const char *s, const char *end, struct url_segments *sg,
                           const char **why)
{
	sg->decoded = xmalloc((size_t)(end - s) + 1);
	sg->n = sg->used = 0;
	const char *p = s < end && *s == '/' ? s + 1 : s;
	while (p < end) {
		const char *q = p;
		while (q < end && *q != '/')
			q++;
		long k = percent_decode(p, (size_t)(q - p), sg->decoded + sg->used, false);
		if (k < 0 || !utf8_valid(sg->decoded + sg->used, (size_t)k)) {
			*why = "the path has a bad percent-escape, a NUL byte or invalid UTF-8";
			return -1;
		}
		if (segment_take(sg, (size_t)k, q == end, why) < 0)
			return -1;
		p = q + 1;
	}
	return 0;
}

/*
 * How many of sg's first segments are base's ("/blog/news": the site's
 * own path, taken off the front as the router does): all of base's, or 0.
 */
static size_t base_segments(const struct url_segments *sg, const char *base)
{
	size_t first = 0;
	const char *b = base ? base : "";
	while (*b == '/') {
		b++;
		size_t len = strcspn(b, "/");
		if (len == 0)
			break;
		if (first >= sg->n || sg->lens[first] != len ||
		    memcmp(sg->decoded + sg->starts[first], b, len) != 0)
			return 0;
		first++;
		b += len;
	}
	return first;
}

int url_canonical_path(const char *url, size_t n, const char *base, struct buf *out,
                       const char **why)
{
	*why = NULL;
	struct url_parts u;
	url_split(url, n, &u);
	struct url_segments sg;
	int rc = segments_decode(u.path, u.path_end, &sg, why);
	size_t first = rc == 0 ? base_segments(&sg, base) : 0;
	long long post = 0;
	if (rc == 0 && first == sg.n &&
	    !(u.query && wordpress_post(u.query, (size_t)(u.query_end - u.query), &post))) {
		*why = "the address is the site's front page, which is never an old address";
		rc = -1;
	}
	if (rc == 0) {
		for (size_t i = first; i < sg.n; i++) {
			buf_putc(out, '/');
			escape_url_segment(out, sg.decoded + sg.starts[i], sg.lens[i]);
		}
		if (first == sg.n)
			buf_printf(out, "/?p=%lld", post);
	}
	free(sg.decoded);
	return rc;
}
