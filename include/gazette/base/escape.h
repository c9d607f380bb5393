/*
 * escape.h: the one place where text becomes HTML or XML, and where URLs
 * are percent-encoded and decoded.
 *
 * The template engine and the Markdown renderer call these; no handler
 * writes user data into markup itself.
 */
#ifndef GAZETTE_ESCAPE_H
#define GAZETTE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"

/*
 * Appends s[0..n) with & < > " ' escaped, safe both as element text and as
 * a quoted attribute value.  Characters that are illegal in XML 1.0 and
 * HTML (C0 controls other than tab, CR and LF, U+FFFE/U+FFFF) and invalid
 * UTF-8 bytes are replaced with U+FFFD so that every page and feed stays
 * well-formed.
 */
void escape_html(struct buf *out, const char *s, size_t n);

/*
 * Appends s[0..n) (UTF-8) as a JSON string, quotes and all, with the
 * escapes jansson writes (json_write.h).  for_script: to go inside an
 * HTML <script> element besides, '/' escaped and '<', '>', '&' as
 * \u003c, \u003e, \u0026, so that neither "</script>" nor "<!--" can
 * appear and change where the script ends.  The JSON means the same.
 */
void escape_json_string(struct buf *out, const char *s, size_t n, bool for_script);

/* Appends s[0..n) percent-encoded for use as one URL path segment (RFC 3986 unreserved kept). */
void escape_url_segment(struct buf *out, const char *s, size_t n);

/* Appends s[0..n) percent-encoded for a query component (space as %20). */
void escape_url_query(struct buf *out, const char *s, size_t n);

/*
 * Appends a link of the site, the one way they are all made: base (the
 * public URL for an absolute link, or its path for a link within the
 * site; no trailing '/'), then dir ("/articles/", "/"), then slug
 * percent-encoded as one path segment (nothing if slug is NULL).
 */
void escape_site_link(struct buf *out, const char *base, const char *dir, const char *slug);

/*
 * Appends a whole URL as written, made valid: the reserved characters
 * (":/?#[]@!$&'()*+,;=") and "%XX" escapes keep their meaning, every other
 * byte a URL may not hold (spaces, quotes, non-ASCII) is percent-encoded.
 */
void escape_url_whole(struct buf *out, const char *s, size_t n);

/*
 * Appends a path of '/'-separated segments ("images/a b.png"), each
 * percent-encoded as escape_url_segment() does, the slashes kept.
 */
void escape_url_path(struct buf *out, const char *path, size_t n);

/* The most segments a path of the site has (the router takes no more). */
#define URL_PATH_MAX_SEGMENTS 16
/* The largest WordPress post number "/?p=N" the front page takes. */
#define URL_POST_ID_MAX 2147483647

/*
 * Appends the canonical form of an old address, as the router spells the
 * path of a request for it (the form the redirects table keeps): url is
 * an absolute URL ("https://example.com/2015/05/15/Rust 1.0.html"), one
 * relative to the scheme ("//example.com/x"), or a path ("/2015/05/15/
 * Rust%201.0.html"; one without a leading '/' is taken from the root).
 * The scheme and authority go, then the path's segments are decoded
 * ("%20" and a raw space are one), "." and ".." resolved as a browser
 * does before it asks, base's segments ("/blog": the site's path, as
 * --public-url gives it; NULL or "" for none) taken off the front, a
 * trailing '/' dropped, and each segment encoded again the one way
 * escape_url_segment() does: "/2015/05/15/Rust%201.0.html".  The query
 * and fragment go, but for the front page of a WordPress site, whose
 * posts are "/?p=123": that one keeps its p, as "/?p=123".  Returns 0; or
 * -1 with *why (a phrase) for what no request can match: bad escapes,
 * invalid UTF-8, an empty segment, more than URL_PATH_MAX_SEGMENTS
 * segments, or the front page itself.
 */
int url_canonical_path(const char *url, size_t n, const char *base, struct buf *out,
                       const char **why);

/* The value of a hexadecimal digit, or -1. */
int hex_digit(char c);

/*
 * Percent-decodes s[0..n) into out, which must have room for n + 1 bytes
 * (decoding never lengthens), and NUL-terminates it; plus_is_space for a
 * query's parts.  Returns the decoded length, or -1 for a bad escape or a
 * NUL byte.
 */
long percent_decode(const char *s, size_t n, char *out, bool plus_is_space);

#endif
