/*
 * sanitize_check.h: what sanitize_html()'s output must be, checked without
 * sanitize.c's own tables (the fuzz harness and the unit test share it).
 */
#ifndef GAZETTE_SANITIZE_CHECK_H
#define GAZETTE_SANITIZE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Checks html[0..len) twice:
 *
 * - as bytes: valid UTF-8; every '<' starts a tag `<name( attr="value")*>`
 *   or `</name>` of an allowed element (no end tag for void ones); values
 *   and text hold no raw '<', '>' or '"', and every '&' starts one of
 *   &amp; &lt; &gt; &quot; &#39; (what escape_html writes), so that every
 *   HTML parser finds the same tags;
 * - parsed again by gumbo (as sanitize_html parses): no comment, every
 *   element in the HTML namespace and on the allowlist, every attribute
 *   allowed for its element, every URL (href, src, poster, cite, each
 *   srcset candidate) relative or http, https, mailto or tel, every iframe
 *   src https on one of iframe_hosts (NULL: no iframe at all).
 *
 * Returns NULL if it holds, else what is wrong (a static string; *where
 * is set to the offset or NULL-terminated name it concerns, if any).
 */
const char *sanitize_check(const char *html, size_t len, const char *const *iframe_hosts,
                           const char **where);

/* An independent scheme check: true if url has no scheme or an allowed one. */
bool sanitize_check_url(const char *url, size_t len);

struct buf;

/*
 * The policy pieces the fuzz harness and the benchmark sanitize with: the
 * iframe hosts (www.youtube.com and any host under vimeo.com), and a URL
 * rewrite of "../x" to "/files/x" (stable: what it writes does not start
 * with "../").
 */
extern const char *const sanitize_check_hosts[];
bool sanitize_check_rewrite(void *ctx, const char *tag, const char *attr, const char *url,
                            size_t len, struct buf *out);

#endif
