/*
 * markdown.h: Markdown to safe HTML, with md4c's parser and our own writer.
 *
 * CommonMark plus GitHub tables, strikethrough and autolinks.  The writer,
 * not md4c-html, produces the HTML so that it can enforce the content
 * policy: raw HTML in the source is shown as text (escaped), link and
 * image URLs are kept only for http, https, mailto and relative
 * references, and headings get stable id attributes for anchors.
 */
#ifndef GAZETTE_MARKDOWN_H
#define GAZETTE_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

struct md_doc {
	char *html; /* safe HTML fragment, NUL-terminated, owned */
	size_t html_len;
	char *text; /* plain text of the document, blocks separated by '\n' (for search) */
	size_t text_len;
	char *excerpt;  /* plain text of the first paragraph, cut at a word boundary, or "" */
	unsigned words; /* whitespace-separated words of text */
};

/* Renders src[0..len).  Returns 0, or -1 if md4c gives up (out is then empty). */
int md_render(const char *src, size_t len, struct md_doc *out);
/* Frees what md_render filled in; a zeroed struct is fine. */
void md_doc_free(struct md_doc *doc);

/*
 * True if url[0..len) may appear in an href or src: a relative reference
 * (no scheme), or one of the schemes http, https, mailto (case-insensitive,
 * after stripping the leading spaces and control characters browsers ignore).
 */
bool md_url_is_safe(const char *url, size_t len);

#endif
