/*
 * cache.h: rendered answers in memory, so that a repeated request touches
 * neither SQLite nor the template engine.
 *
 * Entries are replies (http.h) keyed by the router's canonical path and
 * query.  The cache is bounded in bytes and evicts with S3-FIFO (Yang et
 * al., SOSP 2023; the facts used are in cache.c): new entries go to a
 * small FIFO of about a tenth of the bytes, and only those hit while there
 * move on to the main FIFO, so a scan of pages asked for once (a crawler)
 * cannot flush what is asked for often.  A ghost FIFO remembers (by hash)
 * keys recently evicted from the small one: asked for again, they go
 * straight to main.  A hit only bumps a 2-bit counter, so hits share a
 * read lock and never write to shared lists.  When the content changes,
 * cache_clear() drops everything, ghosts too; a miss that began before the
 * change is not stored (cache_generation() and cache_put()).
 */
#ifndef GAZETTE_CACHE_H
#define GAZETTE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "gazette/http/http.h"

struct cache;

struct cache_stats {
	uint64_t hits, misses, stores, evictions, clears;
	uint64_t promotions; /* entries moved from the small FIFO to main: hit while new */
	uint64_t ghost_hits; /* misses put straight into main: their key was in the ghost */
	size_t entries, bytes, max_bytes;
	size_t main_entries, main_bytes; /* the part of entries and bytes in main */
	size_t ghost_entries;            /* keys the ghost remembers */
};

/* A cache of at most max_bytes (0: caching off). */
struct cache *cache_new(size_t max_bytes);
void cache_free(struct cache *c);

/* The current reply for key, held for the caller (reply_release() it), or NULL. */
struct reply *cache_get(struct cache *c, const char *key, size_t keylen);

/* The generation a miss starts from, to hand back to cache_put(). */
uint64_t cache_generation(struct cache *c);

/*
 * Keeps rp (taking a reference) under key, charged for the bodies it
 * holds so far (reply_bytes()), unless the cache was cleared
 * since gen, or rp is not a 200, is streamed (a source), or is too big to
 * be worth a place.
 */
void cache_put(struct cache *c, const char *key, size_t keylen, struct reply *rp, uint64_t gen);

/*
 * Charges the entry under key, if it still holds rp, for the bodies rp
 * has built since it was stored or last charged (reply_bytes(): a
 * representation made for a client since), and evicts until the bound
 * holds again: the entry itself if it has grown past twice what
 * cache_put() takes in (a quarter of the bound).
 */
void cache_charge(struct cache *c, const char *key, size_t keylen, struct reply *rp);

/* Drops every entry: the data changed. */
void cache_clear(struct cache *c);

void cache_get_stats(struct cache *c, struct cache_stats *out);

#endif
