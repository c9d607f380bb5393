/*
 * cache.c: a byte-bounded hash table of replies with CLOCK eviction.
 * See cache.h for the design.
 */
#include "gazette/http/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"

/* What an entry costs besides its bodies: the entry, the reply, four libmicrohttpd
 * responses with their headers.  An estimate on the safe side. */
#define ENTRY_OVERHEAD 3072

struct entry {
	struct entry *chain;       /* next in the hash bucket */
	struct entry *prev, *next; /* the clock ring */
	uint64_t hash;
	char *key;
	size_t keylen;
	size_t bytes;        /* what it is charged */
	atomic_bool used;    /* hit since the hand last passed */
	struct reply *reply; /* one reference is the cache's */
};

struct cache {
	pthread_rwlock_t lock;
	struct entry **buckets;
	size_t nbuckets; /* a power of two */
	size_t entries;
	size_t bytes, max_bytes;
	struct entry *hand; /* the clock hand: next candidate for eviction */
	atomic_uint_fast64_t generation;
	atomic_uint_fast64_t hits, misses, stores, evictions, clears;
};

struct cache *cache_new(size_t max_bytes)
{
	struct cache *c = xcalloc(1, sizeof *c);
	pthread_rwlock_init(&c->lock, NULL);
	c->nbuckets = 1024;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
	c->max_bytes = max_bytes;
	atomic_init(&c->generation, 1);
	return c;
}

static void entry_free(struct entry *e)
{
	reply_release(e->reply);
	free(e->key);
	free(e);
}

/* Takes e out of its bucket and the ring (write lock held). */
static void unlink_entry(struct cache *c, struct entry *e)
{
	struct entry **p = &c->buckets[e->hash & (c->nbuckets - 1)];
	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	if (e->next == e) {
		c->hand = NULL;
	} else {
		e->prev->next = e->next;
		e->next->prev = e->prev;
		if (c->hand == e)
			c->hand = e->next;
	}
	c->entries--;
	c->bytes -= e->bytes;
}

static void drop_all(struct cache *c)
{
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct entry *e = c->buckets[i];
		while (e) {
			struct entry *next = e->chain;
			entry_free(e);
			e = next;
		}
		c->buckets[i] = NULL;
	}
	c->entries = 0;
	c->bytes = 0;
	c->hand = NULL;
}

void cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	drop_all(c);
	free(c->buckets);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

static struct entry *find(struct cache *c, uint64_t hash, const char *key, size_t keylen)
{
	for (struct entry *e = c->buckets[hash & (c->nbuckets - 1)]; e; e = e->chain)
		if (e->hash == hash && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			return e;
	return NULL;
}

struct reply *cache_get(struct cache *c, const char *key, size_t keylen)
{
	if (c->max_bytes == 0)
		return NULL;
	uint64_t hash = hash_bytes(GZ_HASH_INIT, key, keylen);
	struct reply *rp = NULL;

	pthread_rwlock_rdlock(&c->lock);
	struct entry *e = find(c, hash, key, keylen);
	if (e) {
		/* Relaxed: the flag is a hint for eviction, nothing depends on its order. */
		atomic_store_explicit(&e->used, true, memory_order_relaxed);
		rp = e->reply;
		reply_hold(rp);
	}
	pthread_rwlock_unlock(&c->lock);
	atomic_fetch_add_explicit(rp ? &c->hits : &c->misses, 1, memory_order_relaxed);
	return rp;
}

uint64_t cache_generation(struct cache *c)
{
	return atomic_load(&c->generation);
}

/* Doubles the buckets when the table is as full as it is wide (write lock held). */
static void grow(struct cache *c)
{
	size_t n = c->nbuckets * 2;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	struct entry **b = xcalloc(n, sizeof *b);
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct entry *e = c->buckets[i];
		while (e) {
			struct entry *next = e->chain;
			e->chain = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

/* Evicts until want more bytes fit (write lock held): the hand skips, once, what was used. */
static void make_room(struct cache *c, size_t want)
{
	while (c->hand && c->bytes + want > c->max_bytes) {
		struct entry *e = c->hand;
		if (atomic_exchange_explicit(&e->used, false, memory_order_relaxed)) {
			c->hand = e->next;
			continue;
		}
		unlink_entry(c, e);
		entry_free(e);
		atomic_fetch_add_explicit(&c->evictions, 1, memory_order_relaxed);
	}
}

void cache_put(struct cache *c, const char *key, size_t keylen, struct reply *rp, uint64_t gen)
{
	/*
	 * Charged for the identity body and for a gzip one at most half as
	 * big (http.c keeps no bigger one), so the bound holds whichever
	 * representations clients ask for.
	 */
	size_t bytes = ENTRY_OVERHEAD + keylen + rp->len + rp->len / 2;
	/* A streamed body is read from the database as it is sent: nothing to keep. */
	if (c->max_bytes == 0 || rp->status != 200 || bytes > c->max_bytes / 8 || rp->source)
		return;

	struct entry *e = xcalloc(1, sizeof *e);
	e->hash = hash_bytes(GZ_HASH_INIT, key, keylen);
	e->key = xstrndup(key, keylen);
	e->keylen = keylen;
	e->bytes = bytes;
	e->reply = rp;
	reply_hold(rp);

	pthread_rwlock_wrlock(&c->lock);
	if (atomic_load(&c->generation) != gen) {
		/* Rendered from data that has changed since: not worth keeping. */
		pthread_rwlock_unlock(&c->lock);
		entry_free(e);
		return;
	}
	struct entry *old = find(c, e->hash, key, keylen);
	if (old) {
		unlink_entry(c, old);
		entry_free(old);
	}
	make_room(c, bytes);
	if (c->entries >= c->nbuckets)
		grow(c);
	struct entry **b = &c->buckets[e->hash & (c->nbuckets - 1)];
	e->chain = *b;
	*b = e;
	/* New entries go just behind the hand: the last the hand will reach. */
	if (c->hand == NULL) {
		e->prev = e->next = e;
		c->hand = e;
	} else {
		e->next = c->hand;
		e->prev = c->hand->prev;
		e->prev->next = e;
		c->hand->prev = e;
	}
	c->entries++;
	c->bytes += bytes;
	pthread_rwlock_unlock(&c->lock);
	atomic_fetch_add_explicit(&c->stores, 1, memory_order_relaxed);
}

void cache_clear(struct cache *c)
{
	pthread_rwlock_wrlock(&c->lock);
	atomic_fetch_add(&c->generation, 1);
	drop_all(c);
	pthread_rwlock_unlock(&c->lock);
	atomic_fetch_add_explicit(&c->clears, 1, memory_order_relaxed);
}

void cache_get_stats(struct cache *c, struct cache_stats *out)
{
	out->hits = atomic_load(&c->hits);
	out->misses = atomic_load(&c->misses);
	out->stores = atomic_load(&c->stores);
	out->evictions = atomic_load(&c->evictions);
	out->clears = atomic_load(&c->clears);
	pthread_rwlock_rdlock(&c->lock);
	out->entries = c->entries;
	out->bytes = c->bytes;
	pthread_rwlock_unlock(&c->lock);
	out->max_bytes = c->max_bytes;
}
