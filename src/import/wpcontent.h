/*
 * wpcontent.h: the body of a WordPress post as its export carries it
 * (post_content: HTML whose paragraphs are blank lines, with shortcodes and
 * Gutenberg's block comments) made into the HTML a reader of the blog was
 * shown.  Pure functions of their input; private to import/.
 */
#ifndef GAZETTE_IMPORT_WPCONTENT_H
#define GAZETTE_IMPORT_WPCONTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"

/*
 * Names and how often each was seen (shortcodes kept as text, post types
 * left out): the first WP_COUNTS_MAX names, each cut to WP_NAME_MAX - 1
 * bytes; occurrences of further names are added up in `others`.  A zeroed
 * struct is empty; nothing to free.
 */
#define WP_COUNTS_MAX 16
#define WP_NAME_MAX   40
struct wp_count {
	char name[WP_NAME_MAX];
	unsigned n;
};
struct wp_counts {
	struct wp_count items[WP_COUNTS_MAX];
	unsigned len;    /* names kept */
	unsigned others; /* occurrences of the names that did not fit */
};

/* Adds n occurrences of name[0..len). */
void wp_counts_add(struct wp_counts *c, const char *name, size_t len, unsigned n);
/* Adds every count of from to to. */
void wp_counts_merge(struct wp_counts *to, const struct wp_counts *from);
/* Occurrences of all names, the others included. */
unsigned wp_counts_total(const struct wp_counts *c);

/*
 * Appends to out the HTML of the post body src[0..len), as WordPress would
 * have shown it, with these rules (test_wpcontent.c has one case or more
 * for each):
 *
 *  - Line ends: CRLF and CR become LF.
 *  - Gutenberg's block comments (<!-- wp:name {json} -->, <!-- /wp:name -->,
 *    <!-- wp:name /-->) are dropped and their HTML stays.  A body with
 *    blocks already has its <p> elements, and WordPress does not add
 *    paragraphs to it (its do_blocks() turns wpautop off for such posts),
 *    so neither do we.  <!--more-->, <!--nextpage--> and <!--noteaser-->
 *    (WordPress's teaser and page breaks) are dropped; other comments stay.
 *  - [caption align="alignright" ...]<img ...> A caption[/caption] (also
 *    [wp_caption], and the older caption="..." attribute) becomes
 *    <figure class="wp-caption alignright"><img ...><figcaption>A
 *    caption</figcaption></figure>; the image may sit in a link.  Without
 *    a caption text only the image stays; align defaults to alignnone.
 *  - [embed]URL[/embed] (or [embed src="URL"]), a URL alone on its line
 *    and a URL alone in a <p> become <a href="URL">URL</a>: WordPress
 *    made those into players or links.
 *  - Every other shortcode stays as text.  [name ...] counts as a
 *    shortcode in `unknown` (which may be NULL) when it has a closing
 *    [/name], an attribute with '=', a name with '-' or '_', or is one of
 *    WordPress's own (gallery, audio, video, playlist): "[sic]" and
 *    "[1]" are text.  [[name]] is WordPress's way to write a shortcode
 *    as text: it shows as [name] and is not counted.  Nothing inside
 *    <pre>, <code>, <script>, <style>, <textarea> or a tag is a shortcode.
 *  - Paragraphs (WordPress's wpautop): text separated by a blank line, or
 *    by two <br> in a row, is a paragraph <p>...</p>; a block element
 *    (div, table, ul, ol, li, pre, blockquote, figure, h1-h6, hr, p,
 *    section, ...) ends a paragraph and is never inside one.  Inline
 *    content right after a block element's start tag on the same lines
 *    (<li>item, <td>cell, <div>text) is not made a paragraph, except in
 *    <blockquote>; after a blank line it is, where the element may hold
 *    paragraphs.  A blank line in the author's own <p> splits it in two.
 *  - Line breaks: a single line end between two pieces of inline content
 *    becomes <br>, but never right after or before a block element's tag,
 *    next to an existing <br>, around <option>, <source>, <track>,
 *    <param> and the like, or anywhere inside <pre>, <script>, <style>,
 *    <textarea> and <svg>, whose text is copied as it is.
 *  - Well-formed output: inline elements open when a paragraph ends are
 *    closed there and opened again in the next one; elements left open at
 *    the end are closed; a '<' that starts no tag becomes &lt;.
 *
 * Nothing is sanitized: the HTML sanitizer sees every HTML body later.
 */
void wp_content_html(const char *src, size_t len, struct buf *out, struct wp_counts *unknown);

/*
 * Appends the text of HTML src[0..len): tags and comments dropped (a block
 * element's tag or <br> as a space), character references decoded, runs
 * of spaces, tabs and line ends made one space, no space at either end.
 * For titles, excerpts and term names, which WordPress stores as HTML.
 */
void wp_html_text(const char *src, size_t len, struct buf *out);

/*
 * Appends s[0..n) with its HTML character references decoded: the named
 * ones of HTML 4 (&amp; &eacute; &hellip; ...), decimal and hexadecimal
 * ones (&#8217; &#x2019;), each ending in ';'.  Numbers 128-159 are read as
 * Windows-1252, as browsers do (&#146; is U+2019); 0, surrogates, C0
 * controls but tab and line ends, and numbers past U+10FFFF become
 * U+FFFD.  Anything else is copied.
 */
void wp_decode_entities(const char *s, size_t n, struct buf *out);

/* For the unit tests: true if the table of elements is sorted, as bsearch() needs. */
bool wp_elements_sorted(void);

#endif
