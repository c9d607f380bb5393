/*
 * search.h: reader-typed words to FTS5 queries, and snippets to segments.
 */
#ifndef GAZETTE_SEARCH_H
#define GAZETTE_SEARCH_H

#include <jansson.h>
#include <stddef.h>

/* At most this many words of a query are used. */
#define SEARCH_MAX_TERMS 16

/*
 * Turns what a reader typed into an FTS5 query that can never be a syntax
 * error: every word and "quoted phrase" becomes a quoted FTS5 string (so
 * AND, OR, NOT, NEAR, '(', ':' and '^' are just words), all must match; a
 * word ending in '*' matches as a prefix; a word starting with '-' must not
 * occur (when at least one word must).  Words with no letter or digit are
 * dropped.  Returns a malloc'd query, or NULL when nothing is left to search.
 */
char *search_fts_query(const char *q, size_t n);

/*
 * Splits an FTS5 snippet whose matches are wrapped in \x01 ... \x02 into
 * [{"text": "...", "match": false}, {"text": "word", "match": true}, ...]
 * so that templates can mark matches while escaping every byte.  NULL
 * gives an empty array.
 */
json_t *search_snippet_segments(const char *snippet);

#endif
