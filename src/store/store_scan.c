/*
 * store_scan.c: where a search's words stand in a body, found by reading
 * it (see store_scan.h).
 *
 * Why: a common word's list keeps no positions (too large), and asking
 * FTS5 where the word stands in each result (`MATCH ? AND rowid = ?`)
 * cost some 20 us a word and result, over 40% of a search's CPU at
 * 100,000 articles.  Reading the body is cheaper: the snippet reads it
 * anyway, and most of its tokens are rejected by their first letters.
 *
 * What it relies on, for ASCII text, to give FTS5's own positions:
 *
 *  - unicode61 (the index's tokenizer, under porter and gz_cjk) makes a
 *    token of every run of letters and digits and lower-cases it; every
 *    other ASCII byte separates.  gz_cjk changes only CJK letters, and
 *    remove_diacritics only letters outside ASCII.  A body with another
 *    byte before the scan is done is left to FTS5.
 *  - porter changes only a word's end: a stem is a beginning of the word
 *    followed by at most three letters its rules put there ("ational" to
 *    "ate", "y" to "i"), and it never changes the first letter.  So a
 *    token that stems to a stem of n letters starts with its first n - 3
 *    (one at least); four are asked here, to be safe, and only a token
 *    that starts so is stemmed (by the index's own porter, stem()).
 *  - positions count tokens from 0 in the column; FTS5 hands the body's
 *    instances in order, and phrase_in_row() keeps the first
 *    SNIPPET_MAX_MATCHES below SNIPPET_MAX_TOKENS.  So does this.
 */
#include "store_scan.h"

#include <string.h>

/* How many of a stem's first letters a token that stems to it surely has (see above). */
#define STEM_TAIL 4

/* Forgets what w found. */
static void scan_word_reset(struct scan_word *w)
{
	w->npos = 0;
	w->found = 0;
	w->last = 0;
}

void scan_word_init(struct scan_word *w, const char *stem, size_t len)
{
	memcpy(w->stem, stem, len);
	w->len = len;
	w->must = len > STEM_TAIL ? len - STEM_TAIL : 1;
	scan_word_reset(w);
}

/* What a byte is to unicode61 in ASCII text. */
enum { SEP = 0, TOKEN = 1, OTHER = 2 };

/* A byte's class; OTHER past ASCII, which unicode61 may read as a letter. */
static inline unsigned class_of(unsigned char c)
{
	return c >= 0x80 ? OTHER : ascii_alnum(c) ? TOKEN : SEP;
}

static inline char lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* Whether token (n bytes, lower case) may stem to w's stem: it starts with w->must of its letters. */
static inline bool may_be(const struct scan_word *w, const char *token, size_t n)
{
	if (n < w->must)
		return false;
	for (size_t i = 0; i < w->must; i++)
		if (token[i] != w->stem[i])
			return false;
	return true;
}

/* Notes that w stands at token t. */
static void found_at(struct scan_word *w, uint32_t t)
{
	w->npos += varint_put(w->pos + w->npos, t - w->last);
	w->last = t;
	w->found++;
}

/*
 * Checks the token (n bytes, lower case) at position t against every
 * word still looking; stems it at most once.  1 if a word is there, 0 if
 * none, -1 on error.
 */
static int check_token(const char *token, size_t n, uint32_t t, struct scan_word *words,
                       size_t nw, scan_stem_fn stem, void *ctx)
{
	char stemmed[SCAN_STEM_MAX];
	size_t slen = 0;
	bool stemmed_yet = false;
	int found = 0;
	for (size_t i = 0; i < nw; i++) {
		struct scan_word *w = &words[i];
		if (w->found >= SNIPPET_MAX_MATCHES || !may_be(w, token, n))
			continue;
		if (!stemmed_yet) {
			if (stem(ctx, token, n, stemmed, &slen) < 0)
				return -1;
			stemmed_yet = true;
		}
		if (slen == w->len && memcmp(stemmed, w->stem, slen) == 0) {
			found_at(w, t);
			found = 1;
		}
	}
	return found;
}

/*
 * Whether, with a match at t, every word was found within the window
 * search_snippet_window() asks all the words to be in (the tokens less
 * than SNIPPET_WORDS - 3 before t): it reads no match after the next
 * SNIPPET_WORDS tokens.
 */
static bool covered(const struct scan_word *words, size_t nw, uint32_t t)
{
	for (size_t i = 0; i < nw; i++)
		if (words[i].found == 0 || t - words[i].last >= SNIPPET_WORDS - 3)
			return false;
	return true;
}

/* Whether every word has all the positions it may keep. */
static bool all_found(const struct scan_word *words, size_t nw)
{
	for (size_t i = 0; i < nw; i++)
		if (words[i].found < SNIPPET_MAX_MATCHES)
			return false;
	return true;
}

/*
 * The last token to read after the matched-th token with a match, at t
 * (stop so far): once the snippet's window is set, SNIPPET_WORDS more
 * tokens are all search_snippet_window() reads.  It sees the first
 * SNIPPET_MAX_MATCHES tokens with a match only.
 */
static uint32_t stop_at(const struct scan_word *words, size_t n, uint32_t t, uint32_t matched,
                        uint32_t stop)
{
	if (matched > SNIPPET_MAX_MATCHES || stop != SNIPPET_MAX_TOKENS - 1 || !covered(words, n, t) ||
	    t + SNIPPET_WORDS >= stop)
		return stop;
	return t + SNIPPET_WORDS;
}

/* Resets words, and marks in first the letters their tokens start with, in either case. */
static void prepare(struct scan_word *words, size_t n, bool first[256])
{
	memset(first, 0, 256 * sizeof *first);
	for (size_t i = 0; i < n; i++) {
		scan_word_reset(&words[i]);
		unsigned char c = (unsigned char)words[i].stem[0];
		first[c] = true;
		first[c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c] = true;
	}
}

/* Where the token that goes on at i ends: the first byte that is not a letter or digit. */
static inline size_t token_end(const unsigned char *u, size_t i, size_t len)
{
	for (; i + 8 <= len; i += 8) {
		uint64_t other = ~alnum_bytes(load_le64(u + i)) & BYTES_HIGH;
		if (other)
			return i + (size_t)__builtin_ctzll(other) / 8;
	}
	while (i < len && class_of(u[i]) == TOKEN)
		i++;
	return i;
}

/* What a scan carries from one token to the next. */
struct scanner {
	struct scan_word *words;
	size_t n;
	bool first[256]; /* the letters a token the words may be starts with */
	char token[4 * SCAN_STEM_MAX];
	uint32_t stop, matched;
	bool cover;
	scan_stem_fn stem;
	void *ctx;
};

/*
 * The token that starts at start, at position t: where it ends into
 * *end, then, if it starts with a letter a word starts with and has a
 * length porter stems, what it is.  0 to go on; 1 when every word has all
 * its places; 2 when a byte outside ASCII follows it (it may be part of
 * the token to unicode61); -1 on error.
 */
static int token_at(struct scanner *sc, const unsigned char *u, size_t start, size_t len,
                    uint32_t t, size_t *end)
{
	*end = token_end(u, start + 1, len);
	if (*end < len && u[*end] >= 0x80)
		return 2;
	size_t n = *end - start;
	/* Longer tokens go as they are (porter stems 64 letters at most): no stem is so long. */
	if (!sc->first[u[start]] || n > sizeof sc->token)
		return 0;
	for (size_t k = 0; k < n; k++)
		sc->token[k] = lower(u[start + k]);
	int rc = check_token(sc->token, n, t, sc->words, sc->n, sc->stem, sc->ctx);
	if (rc < 0)
		return -1;
	if (rc > 0 && sc->cover)
		sc->stop = stop_at(sc->words, sc->n, t, ++sc->matched, sc->stop);
	return all_found(sc->words, sc->n) ? 1 : 0;
}

/* What scan_fast() returns when the byte-wise loop is to go on. */
#define SCAN_ON 3

/*
 * Eight bytes at a time while they are ASCII: the tokens that start in
 * them are counted, and only one that starts with a letter some word
 * starts with is looked at.  A token seen after the last one the scan
 * may see (t > stop) ends it: the token before ended in ASCII.  Stops
 * after the end of a token that goes on into bytes it does not read
 * (counted and seen, so at most the last the scan may see): what follows
 * it must still be ASCII.  Returns scan_body()'s answer, or SCAN_ON with
 * where to go on in *at and the tokens before it in *tokens.
 */
static int scan_fast(struct scanner *sc, const unsigned char *u, size_t len, size_t *at,
                     uint32_t *tokens)
{
	uint32_t t = 0;     /* tokens that start before i */
	uint64_t carry = 0; /* 0x80: the byte before i is a letter or digit (a token may go on) */
	size_t i = 0, end;
	int rc;
	for (; i + 8 <= len; i += 8) {
		uint64_t x = load_le64(u + i);
		if (x & BYTES_HIGH)
			break;
		uint64_t alnum = alnum_bytes(x);
		for (uint64_t s = alnum & ~((alnum << 8) | carry); s; s &= s - 1, t++) {
			size_t start = i + (size_t)__builtin_ctzll(s) / 8;
			if (t > sc->stop)
				return 0;
			if (sc->first[u[start]] && (rc = token_at(sc, u, start, len, t, &end)) != 0)
				return rc == 1 ? 0 : rc;
		}
		carry = (alnum >> 63) << 7;
	}
	if (carry) {
		i = token_end(u, i, len);
		if (i < len && u[i] >= 0x80)
			return 2;
	}
	*at = i;
	*tokens = t;
	return SCAN_ON;
}

int scan_body(const char *text, size_t len, bool complete, struct scan_word *words, size_t n,
              bool cover, scan_stem_fn stem, void *ctx)
{
	struct scanner sc = {.words = words,
	                  .n = n,
	                  .stop = SNIPPET_MAX_TOKENS - 1,
	                  .cover = cover,
	                  .stem = stem,
	                  .ctx = ctx};
	prepare(words, n, sc.first);
	const unsigned char *u = (const unsigned char *)text;
	uint32_t t = 0;
	size_t i = 0, end;
	int rc = scan_fast(&sc, u, len, &i, &t);
	if (rc != SCAN_ON)
		return rc;
	/* The rest a byte at a time. */
	while (i < len && t <= sc.stop) {
		unsigned cls = class_of(u[i]);
		if (cls == OTHER)
			return 2;
		if (cls == SEP) {
			i++;
			continue;
		}
		if ((rc = token_at(&sc, u, i, len, t, &end)) != 0)
			return rc == 1 ? 0 : rc;
		i = end;
		t++;
	}
	return t > sc.stop || complete ? 0 : 1;
}
