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

struct sb_stemmer;

/* The words a search looks for, as the index stores them (lowercase, Porter stems). */
struct search_terms {
	struct {
		char text[64]; /* the stem, or for word* the prefix */
		size_t len;
		bool prefix;
	} term[SEARCH_MAX_TERMS * 4];
	size_t n;
	/*
	 * Words of the text already stemmed, by hash: text repeats its words,
	 * and stemming is the dearest part of making a snippet.  Kept across
	 * the snippets of one search.
	 */
	uint64_t memo_hash[512];
	signed char memo_term[512]; /* the term it matched, or -1 */
};

/*
 * Collects the words of a reader's query that results must contain
 * (phrases split into words, excluded -words left out), stemmed with
 * stemmer (Snowball's "porter", the algorithm of FTS5's porter tokenizer).
 */
void search_terms_parse(const char *q, size_t n, struct sb_stemmer *stemmer,
                        struct search_terms *out);

/* How many words a snippet shows. */
#define SNIPPET_WORDS 24
/* A snippet looks at most this far into a text, and at this many matches. */
#define SNIPPET_MAX_TOKENS  4096
#define SNIPPET_MAX_MATCHES 64

/*
 * The words a snippet marks, as FTS5 phrases: each word of the query's
 * wanted phrases on its own ("front matter" marks every "front" and
 * every "matter"), quoted, the last word of a prefix phrase with its '*';
 * excluded words left out.  Words as search_terms_parse() splits them.
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
 * A snippet of text: the window of SNIPPET_WORDS words with the most
 * different terms in it (the first such), as [{"text", "match"}...]
 * segments with the matched words marked and "…" where text was cut.
 * With no match, the text's first words.  Reads at most the first 4096
 * words of text.
 */
json_t *search_snippet(const char *text, size_t len, struct search_terms *terms,
                       struct sb_stemmer *stemmer);

/*
 * Splits an FTS5 snippet whose matches are wrapped in \x01 ... \x02 into
 * [{"text": "...", "match": false}, {"text": "word", "match": true}, ...]
 * so that templates can mark matches while escaping every byte.  NULL
 * gives an empty array.
 */
json_t *search_snippet_segments(const char *snippet);

#endif
