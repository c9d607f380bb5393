/*
 * permalink.h: the addresses a Jekyll site gave its posts, so that gazette
 * can answer at them (301 to the article's own address) and resolve the
 * relative references an author wrote from there.
 *
 * A permalink is a pattern of fixed text and placeholders (":year",
 * ":title") or the name of one of Jekyll's built-in styles:
 *
 *   date      /:categories/:year/:month/:day/:title:output_ext  (the default)
 *   pretty    /:categories/:year/:month/:day/:title/
 *   ordinal   /:categories/:year/:y_day/:title:output_ext
 *   weekdate  /:categories/:year/W:week/:short_day/:title:output_ext
 *   none      /:categories/:title:output_ext
 *
 * Placeholders: :year :short_year :month :i_month :short_month
 * :long_month :day :i_day :y_day :week :short_day :long_day :hour :minute
 * :second :title (the file name's words as written, or the slug field)
 * :slug (the same, as a slug) :name (the file's name without date and
 * extension) :categories (the categories, lower case, joined by '/')
 * :output_ext (".html").  Empty segments that an empty :categories leaves
 * are dropped, as Jekyll drops them.
 */
#ifndef GAZETTE_PERMALINK_H
#define GAZETTE_PERMALINK_H

#include <jansson.h>
#include <stdbool.h>

#include "gazette/base/buf.h"

/* What a post's permalink is made from. */
struct permalink_post {
	const char *title;  /* "Rust-1.0": the file name's words as written (or `slug:`) */
	const char *slug;   /* gazette's slug */
	json_t *categories; /* array of names, or NULL */
	/* The post's date and time as its author wrote them (no time zone applied). */
	int year, month, day, hour, minute, second;
};

/*
 * Appends the path pattern (a built-in style's name, or a pattern starting
 * with '/') gives p.  Returns 0, or -1 for an unknown placeholder, with
 * *bad pointing at it in pattern.
 */
int permalink_expand(const char *pattern, const struct permalink_post *p, struct buf *out,
                     const char **bad);

/*
 * Reads a date and time as an author wrote it ("2016-06-03 13:21:02
 * -0700", "2016-06-03T13:21:02Z", "2016-06-03"), without applying its zone,
 * into p's date fields.  Returns 0, or -1 if text does not start with a
 * YYYY-MM-DD date.
 */
int permalink_date(const char *text, struct permalink_post *p);

#endif
