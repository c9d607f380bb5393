/*
 * store_lists.h: each phrase's articles, read once from the search index
 * and kept for every connection to the same database (store_lists.c).
 * store_search.c ranks with them.
 */
#ifndef GAZETTE_STORE_LISTS_H
#define GAZETTE_STORE_LISTS_H

#include <endian.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gazette/content/search.h"

/*
 * One phrase's list: every article that holds the phrase, in id order,
 * and the phrase's weighted count in each (plist_encode() says how they
 * are written; a cursor reads them).  Read-only once made; a list taken
 * from lists_find() or lists_keep() stays valid until lists_release().
 */
struct plist {
	struct plist *chain;         /* next in its bucket */
	struct plist *older, *newer; /* recency, while kept */
	uint64_t hash;
	char *key; /* the phrase as the FTS5 query spells it */
	size_t keylen;
	uint32_t n;          /* articles */
	unsigned width;      /* tokens in the phrase */
	double rows, tokens; /* the index's row count and token total, if n > 0 */
	size_t len;          /* bytes of data: the ids, the weights, the large weights, the heavy bitmap */
	size_t ids_len;      /* bytes of the ids */
	bool dense;          /* the ids as a bitmap from base, not as distances */
	int64_t base;        /* dense: the id of the bitmap's bit 0, a multiple of 64 */
	unsigned char *data;
	/*
	 * The weights above 15, as pairs (the article's rank in the list, its
	 * weight) in rank order, inside data; its nibble is 0.  Every article
	 * has one nibble, so the rank of an article is where its weight is.
	 */
	const uint32_t *large;
	size_t nlarge;
	/*
	 * A dense list's heavy articles: a bitmap like the ids' (inside data),
	 * of the articles whose weight is at least heavy, the least weight
	 * (2..16) that at most one article in sixteen reaches (NULL if none
	 * does; every other weight is below heavy).  The walk looks at the
	 * articles heavy in some list first: the page's best are among them
	 * unless too few are.
	 */
	const unsigned char *heavy_bits;
	unsigned heavy;
	/*
	 * Where the phrase stands in each article's body, for its snippet, if
	 * the list is small enough to keep them (NULL if not): per article, in
	 * order, the size in bytes of its positions, then each one's distance
	 * from the one before, as varints.
	 */
	unsigned char *pos;
	size_t pos_len;
	unsigned refs; /* the table's while kept, and one per taker (under the lock) */
	bool kept;
};

struct lists;

/* Reads the varint at *p, moving *p past it. */
static inline uint64_t varint_get(const unsigned char **p)
{
	uint64_t v = 0;
	unsigned shift = 0;
	const unsigned char *s = *p;
	while (*s & 0x80) {
		v |= (uint64_t)(*s++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint64_t)*s++ << shift;
	*p = s;
	return v;
}

/* Writes v as a varint at p (room for 10 bytes); returns the bytes written. */
static inline size_t varint_put(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	do {
		p[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

/*
 * Room for one article's positions as a list keeps them:
 * SNIPPET_MAX_MATCHES distances below SNIPPET_MAX_TOKENS (4,096), two
 * varint bytes each at most.
 */
#define POS_BYTES (SNIPPET_MAX_MATCHES * 2)

/* Writes n ids (growing) and their weights (> 0) into l's data. */
void plist_encode(struct plist *l, const int64_t *ids, const uint32_t *weights, size_t n);

/* A reader of one list, one article at a time. */
struct cursor {
	const struct plist *list;
	const unsigned char *p, *end; /* the ids: varints, or the bitmap's bytes */
	bool dense;
	int64_t base;          /* dense: the id of the bitmap's bit 0 */
	size_t bit;            /* dense: the next bit to look at */
	const unsigned char *w; /* the weights: nibbles */
	size_t nib;            /* the next nibble: the next article's rank */
	const uint32_t *large, *large_end; /* the next large weight's pair (struct plist), the end */
	const unsigned char *pp; /* the next article's positions, if the list has them */
	int64_t id;            /* the current article, INT64_MAX at the end */
	uint64_t weight;       /* its weighted count */
	const unsigned char *pos; /* its positions (see struct plist), npos bytes */
	size_t npos;
};

/*
 * The bits set in x.  Written out: without -mpopcnt (the build targets
 * every x86-64) __builtin_popcountll() is a call into libgcc's table,
 * 6% of a search's CPU at 100,000 articles.
 */
static inline unsigned bits_set(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555u;
	x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
	return (unsigned)((x * 0x0101010101010101u) >> 56);
}

/* Nibble at of the nibbles at w, low half of a byte first. */
static inline unsigned get_nibble(const unsigned char *w, size_t at)
{
	return (w[at / 2] >> (at % 2 * 4)) & 15u;
}

/*
 * The 8 bytes at p as a little-endian 64-bit word: byte k is bits
 * 8k..8k+7 on every machine (the bitmaps here, the text store_scan.h
 * reads eight bytes at a time).
 */
static inline uint64_t load_le64(const void *p)
{
	uint64_t word;
	memcpy(&word, p, sizeof word);
	return le64toh(word);
}

/* 64-bit word k of the bitmap at bits (bit i of byte j is bit 8j + i): the walk reads them so. */
static inline uint64_t bitmap_word(const unsigned char *bits, size_t k)
{
	return load_le64(bits + k * 8);
}

/* The next set bit of the bitmap at or after c->bit, or SIZE_MAX. */
static inline size_t next_bit(const struct cursor *c)
{
	size_t bits = (size_t)(c->end - c->p) * 8;
	size_t b = c->bit;
	while (b < bits) {
		uint64_t word = bitmap_word(c->p, b / 64) >> (b % 64);
		if (word)
			return b + (size_t)__builtin_ctzll(word);
		b = (b / 64 + 1) * 64;
	}
	return SIZE_MAX;
}

/* Moves c to its next article: id INT64_MAX past the last.  Inline: the walk's inner loop. */
static inline void cursor_next(struct cursor *c)
{
	if (c->dense) {
		size_t b = next_bit(c);
		if (b == SIZE_MAX) {
			c->id = INT64_MAX;
			return;
		}
		c->id = c->base + (int64_t)b;
		c->bit = b + 1;
	} else {
		if (c->p >= c->end) {
			c->id = INT64_MAX;
			return;
		}
		c->id += (int64_t)varint_get(&c->p);
	}
	unsigned v = get_nibble(c->w, c->nib++);
	if (v == 0 && c->large) { /* (a nibble of 0 has its pair: large is set) */
		v = c->large[1];
		c->large += 2;
	}
	c->weight = v;
	if (c->pp) {
		c->npos = (size_t)varint_get(&c->pp);
		c->pos = c->pp;
		c->pp += c->npos;
	}
}

/*
 * The weight of the article at rank r of l, for a reader going up the
 * ranks: *large is where it looks for a large weight, from the list's
 * first (l->large) on, and it moves on as the ranks do.
 */
static inline uint32_t plist_weight(const struct plist *l, size_t r, const uint32_t **large)
{
	unsigned v = get_nibble(l->data + l->ids_len, r);
	const uint32_t *p = *large;
	if (v != 0 || p == NULL) /* NULL: a list not encoded */
		return v;
	while (p[0] < r)
		p += 2;
	*large = p;
	return p[1];
}

/* A cursor on l's first article. */
void cursor_open(struct cursor *c, const struct plist *l);

/*
 * Moves dense cursor c without positions to the first article at or after
 * id (past c's), counting the bits it passes a word at a time.
 */
void cursor_jump(struct cursor *c, int64_t id);

/* Moves c to the first article at or after id. */
static inline void cursor_seek(struct cursor *c, int64_t id)
{
	if (c->id >= id)
		return;
	/* A long way in a bitmap: a word at a time, not an article.  (Unsigned: ids may be far apart.) */
	if (c->dense && c->pp == NULL && (uint64_t)id - (uint64_t)c->id > 64) {
		cursor_jump(c, id);
		return;
	}
	while (c->id < id)
		cursor_next(c);
}

/*
 * The lists of db's database file, shared with every other connection of
 * this process to the same file (a new set for a database in memory).
 * Never NULL.  Each attach is paired with one lists_detach().
 */
struct lists *lists_attach(sqlite3 *db);
void lists_detach(struct lists *ls);

/* A new list of phrase (len bytes), empty, for the caller to fill. */
struct plist *plist_new(const char *phrase, size_t len);

/* The kept list of phrase for index state (see lists_keep()), taken (lists_release() it); NULL if none. */
struct plist *lists_find(struct lists *ls, uint64_t state, const char *phrase, size_t len);

/*
 * Keeps fresh (from plist_new(), filled, read at index state: a hash that
 * changes with every write to the search index) if it is worth the room,
 * evicting the least recently used; lists kept for another state go
 * first.  Returns the list to use, taken: fresh, or one kept meanwhile by
 * another connection (fresh is then freed).
 */
struct plist *lists_keep(struct lists *ls, uint64_t state, struct plist *fresh);

/* Bounds the bytes of lists kept (32 MiB unless set), dropping the oldest that no longer fit. */
void lists_set_budget(struct lists *ls, size_t bytes);

/*
 * Bounds the bytes of positions a list keeps (64 KiB unless set; a list
 * whose positions would take more keeps none, its snippets are found
 * otherwise), dropping the lists kept.  For tests: a list read meanwhile
 * may still be kept with the bound before.
 */
void lists_set_positions_max(struct lists *ls, size_t bytes);
size_t lists_positions_max(struct lists *ls);

/* The bytes of lists kept now. */
size_t lists_bytes(struct lists *ls);

/* Gives back a list taken. */
void lists_release(struct lists *ls, struct plist *l);

#endif
