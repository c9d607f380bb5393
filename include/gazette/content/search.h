/*
 * search.h: reader-typed words to FTS5 queries, and snippets to segments.
 */
#ifndef GAZETTE_SEARCH_H
#define GAZETTE_SEARCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* One phrase of a query made by search_fts_query(): itself a valid FTS5 query. */
struct fts_phrase {
	const char *s; /* points into the query */
	size_t len;
};

/*
 * The phrases of a query made by search_fts_query(), in the order FTS5
 * numbers them (excluded ones included).  Returns how many, at most max.
 */
size_t search_fts_phrases(const char *fts, struct fts_phrase *out, size_t max);

/* How many words a snippet shows. */
#define SNIPPET_WORDS 24
/* A snippet looks at most this far into a text, and at this many matches. */
#define SNIPPET_MAX_TOKENS  4096
#define SNIPPET_MAX_MATCHES 64

/*
 * The words a snippet marks, as FTS5 phrases: each word of the query's
 * wanted phrases on its own ("front matter" marks every "front" and
 * every "matter"), quoted, the last word of a prefix phrase with its '*';
 * excluded words left out.  Words split where FTS5's unicode61 tokenizer
 * would split them (letters and digits; any non-ASCII byte is a letter).
 */
struct search_words {
	char text[SEARCH_MAX_TERMS * 4][200];
	size_t len[SEARCH_MAX_TERMS * 4];
	size_t n;
};
void search_words_parse(const char *q, size_t n, struct search_words *out);

/* A match in a text: its first token, how many tokens it spans, which word it is. */
struct snippet_match {
	uint32_t token;
	uint32_t width;
	int term;
};

/*
 * The first token of the window a snippet shows, for the matches of a
 * text in token order (*n of them, of nterms different words): the
 * window of SNIPPET_WORDS tokens with the most different words, then the
 * most matches, the first such; 0 if there is no match.  Matches a
 * reader would not have reached (past the first window that holds every
 * word) are dropped from *n.
 */
size_t search_snippet_window(const struct snippet_match *m, size_t *n, size_t nterms);

/*
 * The snippet of text whose window is the tokens first .. first+count-1
 * (their byte spans in starts[] and ends[], count >= 1), as
 * [{"text", "match"}...] segments with the matches m[0..n) marked and
 * "…" where text goes on before or after (next: where the token after
 * the window starts, or len if there is none).
 */
json_t *search_snippet_build(const char *text, size_t len, const uint32_t *starts,
                             const uint32_t *ends, size_t first, size_t count, size_t next,
                             const struct snippet_match *m, size_t n);

/*
 * Splits an FTS5 snippet whose matches are wrapped in \x01 ... \x02 into
 * [{"text": "...", "match": false}, {"text": "word", "match": true}, ...]
 * so that templates can mark matches while escaping every byte.  NULL
 * gives an empty array.
 */
json_t *search_snippet_segments(const char *snippet);

#endif
