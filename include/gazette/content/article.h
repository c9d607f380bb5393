/*
 * article.h: one article or standalone page as gazette understands it,
 * made from a parsed file (front matter + Markdown).
 *
 * This is where the content format (README.md, "Articles") lives: which
 * fields mean what, their Hugo and Jekyll aliases, dates from file names,
 * drafts and pages.  Unknown fields are kept in `extra`.
 */
#ifndef GAZETTE_ARTICLE_H
#define GAZETTE_ARTICLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gazette/content/frontmatter.h"
#include "gazette/base/log.h"
#include "gazette/content/markdown.h"

enum article_kind {
	ARTICLE_POST = 0, /* listed, dated */
	ARTICLE_PAGE = 1, /* standalone page at /SLUG, in the navigation */
};

/* Where the slug came from; decides what happens when two files want the same one. */
enum slug_origin {
	SLUG_GIVEN,    /* `slug:` in the front matter */
	SLUG_FILENAME, /* a Jekyll YYYY-MM-DD-NAME file name */
	SLUG_TITLE,    /* derived from the title */
	SLUG_EXPORT,   /* another system's (a WordPress post_name): a clash gets "-2", as derived ones */
};

/* What the body is written in. */
enum article_format {
	ARTICLE_MARKDOWN = 0,
	ARTICLE_HTML = 1, /* another system's export: HTML, sanitized like raw HTML in Markdown */
};

struct article {
	char *slug;
	enum slug_origin slug_origin;
	unsigned slug_line; /* line of the field the slug came from (title or slug), for errors */
	enum article_kind kind;
	char *title;
	char *summary;      /* as given, "" when none */
	char *body_md;      /* the body as written: Markdown, or HTML (format) */
	enum article_format format;
	char *lang;         /* its own language (BCP 47), or NULL: the site's */
	char *url;          /* its address on the site it came from, or NULL (set by an import) */
	char *path;         /* its file's path below the folder it was imported from, or NULL */
	unsigned body_line; /* the file line where the body starts */
	struct md_doc md;   /* body rendered by article_render(): html, text, excerpt, words */
	bool has_date;
	int64_t published_at; /* UTC seconds; meaningful when has_date */
	bool has_updated;
	int64_t updated_at;
	bool draft;
	long long weight;     /* navigation order of pages */
	json_t *authors;      /* array of {"slug", "name"} in the given order */
	json_t *tags;         /* array of {"slug", "name"}, tags then categories, no duplicates */
	json_t *extra;        /* object: front matter fields gazette does not interpret */
	char *source;         /* the file it came from */
	char source_hash[17]; /* of the file's bytes */
	/*
	 * Of the file's bytes and of everything else its page depends on (how
	 * gazette renders, the site's settings for rendering): equal, and the
	 * stored article is this one.  Empty: source_hash stands for it.
	 */
	char render_hash[17];
};

/*
 * Builds an article from a parsed file.  path is the file's path as given
 * (for errors and the Jekyll date-and-slug file name convention), text and
 * len the whole file (for the source hash).  Returns 0, or -1 with err set
 * (line and message; err->file is the caller's).  On failure, nothing is
 * left to free.
 */
int article_from_doc(struct article *a, const struct fm_doc *doc, const char *path,
                     const char *text, size_t len, struct diag *err);

/*
 * Renders body_md into md.  Separate from article_from_doc() so that an
 * import can check every file first and render one article at a time while
 * writing.  Returns 0, or -1 if md4c gives up.
 */
int article_render(struct article *a);

/*
 * How article_render() turns a body into a page: raised whenever its
 * output changes for the same input (highlighting added, a sanitizer), so
 * that an import renders unchanged files again.
 */
#define ARTICLE_RENDER_VERSION 3

/*
 * Sets a->render_hash from its source_hash, ARTICLE_RENDER_VERSION and
 * context: a hash of whatever else of the site its page depends on.
 */
void article_seal(struct article *a, uint64_t context);

/* Frees the body and its rendering once they are written (keeps the rest). */
void article_release_body(struct article *a);

/* Frees everything an article owns; a zeroed article is fine. */
void article_free(struct article *a);

/* Reading time in minutes: ceil(words / words_per_minute), at least 1. */
unsigned article_reading_minutes(unsigned words, unsigned words_per_minute);

/* True if slug names a route of its own and so cannot be a standalone page's. */
bool article_slug_reserved(const char *slug);

#endif
