/*
 * sanitize.h: the raw HTML authors write (inside Markdown, or the bodies of
 * WordPress and Ghost exports) made safe by an allowlist.
 *
 * The fragment is parsed as the body of a document by gumbo (an HTML5
 * parser: the tree a browser builds), filtered, and written again from the
 * tree: only the elements and attributes listed in sanitize.c stay, URLs
 * keep only the schemes http, https, mailto and tel (or none: relative),
 * every text and attribute value goes through escape_html(), attribute
 * values are always double-quoted, void elements have no end tag.
 *
 * What goes with its content: script, style, template, noscript, object,
 * embed, applet, frame, frameset, noframes, noembed, xmp, plaintext,
 * title, head, meta, link, base, form and the controls that take input
 * (input, button, select, option, optgroup, textarea, datalist, keygen),
 * svg and math (all foreign content), comments, and an iframe whose src
 * is not an https URL on one of policy->iframe_hosts.  Any other element
 * not on the list is unwrapped: it goes, its children stay (sanitized).
 *
 * The output is stable: sanitizing it again gives the same bytes, given
 * callbacks that are stable themselves (a rewrite_url that does not
 * rewrite its own results, an img_attrs that adds nothing the author's
 * attributes already say).
 */
#ifndef GAZETTE_SANITIZE_H
#define GAZETTE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"

/*
 * The deepest nesting of elements the output has.  Elements deeper than
 * this are unwrapped (their text stays).  Real articles nest a few dozen
 * levels at most; Chromium's HTML parser stops nesting at 512 levels (it
 * attaches deeper elements beside their parent), and the page templates
 * put the article a handful of levels deep, so 256 keeps every browser
 * building the tree that was written.
 */
#define SANITIZE_MAX_DEPTH 256

struct sanitize_policy {
	/*
	 * Hosts an <iframe src> may point to: "www.youtube.com" (that host
	 * only), or ".vimeo.com" (vimeo.com and its subdomains); compared
	 * without regard to ASCII case.  NULL-terminated.  NULL: no iframe
	 * stays.  Only https URLs, without user or password, qualify.
	 */
	const char *const *iframe_hosts;
	/*
	 * Called for each URL kept in an attribute (a href, img src, each
	 * srcset candidate, source src and srcset, video src and poster, audio
	 * src, track src, blockquote/q/del/ins cite, iframe src), after it
	 * passed the scheme check; tag and attr name where ("img", "srcset").
	 * It may append a replacement URL (plain text: sanitize escapes it)
	 * to out, which is empty on entry, and return true; false keeps the
	 * URL.  The replacement must pass the same checks (scheme; host for
	 * an iframe), or the attribute goes.  NULL: keep every URL.
	 */
	bool (*rewrite_url)(void *ctx, const char *tag, const char *attr, const char *url,
	                    size_t len, struct buf *out);
	/*
	 * Called for each <img> kept, once its attributes are written and
	 * before its '>': may append more attributes to out, each starting
	 * with a space and with its value already escaped (escape_html), such
	 * as width and height read from the image file or loading="lazy".
	 * src is the URL as written (after rewrite_url), unescaped.  index
	 * counts the <img> elements kept in this fragment, from 0.  has_width,
	 * has_height: the author gave a valid one, and it is written.  NULL:
	 * nothing added.
	 */
	void (*img_attrs)(void *ctx, const char *src, size_t src_len, unsigned index,
	                  bool has_width, bool has_height, struct buf *out);
	void *ctx; /* passed to both callbacks */
};

/*
 * Appends a safe version of the HTML fragment html[0..len) to out, parsed
 * as the body of a document is.  policy may be NULL (no iframe, no
 * callbacks).  Returns 0, or -1 with nothing appended if gumbo cannot
 * parse it (memory runs out: gumbo's allocations fail softly here, unlike
 * the rest of gazette's).
 *
 * Costs: gumbo's memory is about 11 times the input for ordinary HTML (30
 * times for a pathological one), released before returning.  Its time is
 * linear for ordinary HTML (about 16 MB/s) but grows with the number of
 * tags times the nesting depth (10,000 nested <div> take 0.1 s, 50,000
 * take 4 s), so callers bound the input's size.  Nothing here recurses:
 * any depth is safe for the stack.
 */
int sanitize_html(const char *html, size_t len, const struct sanitize_policy *policy,
                  struct buf *out) __attribute__((warn_unused_result));

/*
 * True if url[0..len) may be kept in a link or a source: relative (no
 * scheme: "#frag", "/path", "../a.png", "?q", "//host/x") or one of the
 * schemes http, https, mailto, tel, compared without regard to ASCII
 * case, after removing the C0 controls and spaces browsers ignore at both
 * ends and the tabs and newlines they ignore inside.
 */
bool sanitize_url_allowed(const char *url, size_t len);

/*
 * The same, also appending to plain the text a reader sees in what is
 * kept (no markup, entities decoded, blocks on lines of their own): what
 * search indexes and reading time counts.  plain may be NULL.
 */
int sanitize_html_text(const char *html, size_t len, const struct sanitize_policy *policy,
                       struct buf *out, struct buf *plain) __attribute__((warn_unused_result));

#endif
