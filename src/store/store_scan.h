/*
 * store_scan.h: where a search's words stand in an article's body, found
 * by reading the body (store_scan.c), for the snippets of a page of
 * results whose words' lists are too large to keep their positions.
 * store_search.c asks it before it would ask FTS5 for each result.
 */
#ifndef GAZETTE_STORE_SCAN_H
#define GAZETTE_STORE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gazette/content/search.h"
#include "store_lists.h"

/*
 * Whether ASCII byte c is part of a token as unicode61 splits text (a
 * letter or a digit); every other ASCII byte separates.
 */
static inline bool ascii_alnum(unsigned char c)
{
	static const uint64_t digits = 0x03ff000000000000ull;  /* '0'..'9' */
	static const uint64_t letters = 0x07fffffe07fffffeull; /* 'A'..'Z', 'a'..'z' */
	return c < 128 && ((c < 64 ? digits >> c : letters >> (c - 64)) & 1) != 0;
}

/*
 * Text eight bytes at a time (store_scan.c, store_search.c): read by
 * load_le64() (store_lists.h), a mask marks a byte by its top bit
 * (BYTES_HIGH).
 */
#define BYTES_ONES 0x0101010101010101ull
#define BYTES_HIGH 0x8080808080808080ull

/*
 * The bytes of x that are ASCII letters or digits (ascii_alnum()), marked.
 * For a byte b below 0x80, b + (0x80 - lo) has its top bit set when
 * b >= lo, and no sum carries into the next byte (at most 0x7f + 0x50); a
 * letter is a byte that OR 0x20 puts in 'a'..'z'.  Bytes from 0x80 are
 * computed as their low seven bits, then dropped.
 */
static inline uint64_t alnum_bytes(uint64_t x)
{
	uint64_t low = x & ~BYTES_HIGH;
	uint64_t digit = (low + 0x50 * BYTES_ONES) & ~(low + 0x46 * BYTES_ONES); /* '0'..'9' */
	uint64_t folded = low | 0x20 * BYTES_ONES;
	uint64_t letter = (folded + 0x1f * BYTES_ONES) & ~(folded + 0x05 * BYTES_ONES); /* 'a'..'z' */
	return (digit | letter) & ~x & BYTES_HIGH;
}

/*
 * How many bytes mask m marks: a multiply adds the marks up in the top
 * byte (__builtin_popcountll() is a call into libgcc without -mpopcnt).
 */
static inline unsigned bytes_marked(uint64_t m)
{
	return (unsigned)(((m >> 7) * BYTES_ONES) >> 56);
}

/* Longest stem a word is scanned for; a longer word is asked of the index. */
#define SCAN_STEM_MAX 64

/* One word a body is scanned for. */
struct scan_word {
	char stem[SCAN_STEM_MAX]; /* as the index holds it: lower case, stemmed */
	size_t len;
	size_t must; /* the stem's first bytes every token that stems to it starts with */
	/* Found: where it stands, as phrase_in_row() writes it (varint distances). */
	unsigned char pos[POS_BYTES];
	size_t npos;
	unsigned found;
	uint32_t last;
};

/*
 * Stems token (n bytes, ASCII lower case) as the index does into out
 * (room for SCAN_STEM_MAX), its length in *len.  0, or -1 if it cannot
 * (then the body is asked of the index).
 */
typedef int (*scan_stem_fn)(void *ctx, const char *token, size_t n, char *out, size_t *len);

/* Sets w to look for stem (len bytes): must, and nothing found. */
void scan_word_init(struct scan_word *w, const char *stem, size_t len);

/*
 * Reads the body text (len bytes) for words, as the index splits it
 * (unicode61: a token is a run of ASCII letters and digits, lower-cased;
 * the stem of each that may match, from stem()): each word's first
 * SNIPPET_MAX_MATCHES positions below SNIPPET_MAX_TOKENS, as FTS5 gives
 * them for the body column.  cover: the words are all the snippet's
 * words, with different stems; the scan then stops where
 * search_snippet_window() stops reading matches (SNIPPET_WORDS tokens
 * after the first window with every word), and the snippet is the same.
 * Returns 0 when done; 1 when the text runs out first but is not all of
 * the body (complete false: read more and scan again); 2 when a byte is
 * not ASCII before it is done (the index must be asked: its tokenizer
 * knows other letters); -1 if a stem fails.
 */
int scan_body(const char *text, size_t len, bool complete, struct scan_word *words, size_t n,
              bool cover, scan_stem_fn stem, void *ctx);

struct store;

/* How many bodies st's searches read for their words' places so far (store_search.c; tests). */
size_t store_bodies_scanned(const struct store *st);

#endif
