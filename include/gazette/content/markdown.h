/*
 * markdown.h: Markdown to safe HTML, with md4c's parser and our own writer.
 *
 * CommonMark plus GitHub tables, strikethrough and autolinks.  The writer,
 * not md4c-html, produces the HTML so that it can enforce the content
 * policy: raw HTML in the source is shown as text (escaped) unless the
 * caller asks for it and sanitizes the result (content/sanitize.h), link
 * and image URLs are kept only for http, https, mailto and relative
 * references, and headings get stable id attributes for anchors.
 */
#ifndef GAZETTE_MARKDOWN_H
#define GAZETTE_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"
#include "gazette/content/reading.h"

struct md_doc {
	char *html; /* safe HTML fragment, NUL-terminated, owned */
	size_t html_len;
	char *text; /* plain text of the document, blocks separated by '\n' (for search) */
	size_t text_len;
	char *excerpt;  /* plain text of the first paragraph, cut at a word boundary, or "" */
	/*
	 * Words and CJK letters of text, by reading.h's rules: counted once
	 * here, where the text is made, and stored with it (word_count).
	 */
	struct reading_count reading;
	bool raw_html;  /* the source had raw HTML, kept in html as written (md_options.raw_html) */
};

/* How md_render_opts() writes (a zeroed struct: as md_render()). */
struct md_options {
	/*
	 * Keep the author's raw HTML as written (the caller must sanitize the
	 * result); false: it is shown as text.  Its text is not in md_doc.text.
	 */
	bool raw_html;
	/*
	 * Called for the URL of each link and image the writer writes (tag "a"
	 * with attr "href", or "img" with "src"), as sanitize_policy's
	 * rewrite_url: it may append a replacement to out and return true.
	 */
	bool (*rewrite_url)(void *ctx, const char *tag, const char *attr, const char *url,
	                    size_t len, struct buf *out);
	/*
	 * Called for each image before its '>', as sanitize_policy's img_attrs
	 * (the author gives no size in Markdown).  NULL: loading="lazy".
	 */
	void (*img_attrs)(void *ctx, const char *src, size_t src_len, unsigned index, bool has_width,
	                  bool has_height, struct buf *out);
	void *ctx;
};

/* Renders src[0..len).  Returns 0, or -1 if md4c gives up (out is then empty). */
int md_render(const char *src, size_t len, struct md_doc *out);
/* The same, written as opts says. */
int md_render_opts(const char *src, size_t len, const struct md_options *opts,
                   struct md_doc *out);
/*
 * An excerpt of plain text whose blocks are on lines of their own: its
 * first line with a word, cut as md_doc.excerpt is (malloc'd, "" if none).
 */
char *md_excerpt_of(const char *text, size_t n);

/* Frees what md_render filled in; a zeroed struct is fine. */
void md_doc_free(struct md_doc *doc);

/*
 * True if url[0..len) may appear in an href or src: a relative reference
 * (no scheme), or one of the schemes http, https, mailto (case-insensitive,
 * after stripping the leading spaces and control characters browsers ignore).
 */
bool md_url_is_safe(const char *url, size_t len);

#endif
