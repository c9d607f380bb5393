/*
 * cache.c: a byte-bounded hash table of replies, evicted by S3-FIFO.
 * See cache.h for the contract.
 *
 * The policy is S3-FIFO (Juncheng Yang, Yazhuo Zhang, Ziyue Qiu, Yao Yue,
 * Rashmi Vinayak: "FIFO queues are all you need for cache eviction",
 * SOSP 2023).  What this file relies on, written down here:
 *
 *  - Three FIFO queues.  small takes new entries and is kept to about 10%
 *    of the bytes; main holds the other 90%; ghost remembers the hashes of
 *    keys evicted from small (no replies), as many as main holds entries
 *    when full (90% of the bytes over the entries' average charge).
 *  - Every entry has a 2-bit frequency (0..3).  A hit adds one, saturating
 *    at 3: that is all a hit does, so hits share the read lock and only
 *    write that small atomic.
 *  - To make room: while small holds at least its 10% (or main is empty),
 *    the entry at small's tail goes; one hit since it came in (frequency
 *    > 0) moves it to main's head instead, else it is dropped and its hash
 *    goes into ghost.  Otherwise main's tail goes: frequency > 0 sends it
 *    back to main's head with one less, else it is dropped.  An entry
 *    moved from small keeps its frequency.
 *  - A miss whose key is in ghost is put straight into main (and leaves
 *    ghost): it was asked for again soon after a one-off eviction.
 *  - So a scan (keys asked for once) only ever cycles through small and
 *    ghost; what main holds was asked for again while in small or ghost.
 *
 * The ghost is not charged to the bound: its ring and set take at most 80
 * bytes per hash it may keep, against the 2 KB or more every entry is
 * charged (its fixed part and one response at least).
 *
 * The authors' simulator (libCacheSim) by default wants two hits in small
 * for the move to main; one is used here (evict_small()), so a page asked
 * for twice while new is kept.
 */
#include "gazette/http/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"

/* What an entry costs besides its key and what the reply holds (reply_bytes():
 * bodies and libmicrohttpd responses): the entry and the reply themselves. */
#define ENTRY_OVERHEAD 512

/* The frequency's ceiling: two bits. */
#define FREQ_MAX 3

enum queue_id { Q_SMALL, Q_MAIN };

struct entry {
	struct entry *chain;       /* next in the hash bucket */
	struct entry *prev, *next; /* in its queue: toward the head (newer), the tail (older) */
	uint64_t hash;
	char *key;
	size_t keylen;
	size_t bytes;              /* what it is charged: ENTRY_OVERHEAD, the key, reply_bytes() */
	atomic_uchar freq;         /* hits, 0..FREQ_MAX, see above */
	unsigned char queue;       /* enum queue_id (write lock) */
	struct reply *reply;       /* one reference is the cache's */
};

struct queue {
	struct entry *head, *tail; /* newest, oldest */
	size_t bytes, entries;
};

/*
 * The ghost: a FIFO ring of hashes, and an open-addressed set (linear
 * probing) from a hash to the sequence number of its newest ring slot.
 * A slot whose hash left the set, or was pushed again since, is stale and
 * just skipped when it comes out.  Sequence numbers start at 1: 0 marks
 * an empty set slot.
 */
struct ghost_slot {
	uint64_t hash, seq;
};

struct ghost {
	uint64_t *ring;           /* ring[seq & (cap - 1)] */
	size_t cap;               /* a power of two, or 0 */
	uint64_t first, next;     /* the oldest slot's sequence number, the next one's */
	struct ghost_slot *set;   /* 2 * cap slots */
	unsigned setbits;         /* log2 of the set's size */
	size_t live;              /* hashes in the set */
};

struct cache {
	pthread_rwlock_t lock;
	struct entry **buckets;
	size_t nbuckets; /* a power of two */
	size_t entries;
	size_t bytes, max_bytes;
	struct queue small, main;
	struct ghost ghost;
	atomic_uint_fast64_t generation;
	atomic_uint_fast64_t hits, misses, stores, evictions, clears, promotions, ghost_hits;
};

/* ---- the ghost ---- */

static size_t ghost_index(const struct ghost *g, uint64_t hash)
{
	/* Fibonacci hashing: the top bits of the product, well mixed. */
	return (size_t)((hash * 0x9E3779B97F4A7C15ULL) >> (64 - g->setbits));
}

/* The set slot holding hash, or NULL. */
static struct ghost_slot *ghost_find(struct ghost *g, uint64_t hash)
{
	if (g->cap == 0)
		return NULL;
	size_t mask = ((size_t)1 << g->setbits) - 1;
	for (size_t i = ghost_index(g, hash);; i = (i + 1) & mask) {
		if (g->set[i].seq == 0)
			return NULL;
		if (g->set[i].hash == hash)
			return &g->set[i];
	}
}

/* Puts hash (absent) in the set with seq; the set has room. */
static void ghost_set_add(struct ghost *g, uint64_t hash, uint64_t seq)
{
	size_t mask = ((size_t)1 << g->setbits) - 1;
	size_t i = ghost_index(g, hash);
	while (g->set[i].seq != 0)
		i = (i + 1) & mask;
	g->set[i] = (struct ghost_slot){hash, seq};
	g->live++;
}

/* Empties slot s, moving back the slots after it that probed past it. */
static void ghost_set_remove(struct ghost *g, const struct ghost_slot *s)
{
	size_t mask = ((size_t)1 << g->setbits) - 1;
	size_t hole = (size_t)(s - g->set);
	for (size_t i = (hole + 1) & mask; g->set[i].seq != 0; i = (i + 1) & mask) {
		size_t home = ghost_index(g, g->set[i].hash);
		/* Movable when its home is not in (hole, i], cyclically. */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			g->set[hole] = g->set[i];
			hole = i;
		}
	}
	g->set[hole] = (struct ghost_slot){0, 0};
	g->live--;
}

/* Doubles the ring (at least 64 slots) and rebuilds the set at twice that. */
static void ghost_grow(struct ghost *g)
{
	size_t cap = g->cap ? g->cap * 2 : 64;
	uint64_t *ring = xcalloc(cap, sizeof *ring);
	for (uint64_t s = g->first; s != g->next; s++)
		ring[s & (cap - 1)] = g->ring[s & (g->cap - 1)];
	struct ghost old = *g;
	g->ring = ring;
	g->cap = cap;
	g->setbits = 1;
	while (((size_t)1 << g->setbits) < 2 * cap)
		g->setbits++;
	g->set = xcalloc((size_t)1 << g->setbits, sizeof *g->set);
	g->live = 0;
	size_t oldsize = old.cap ? (size_t)1 << old.setbits : 0;
	for (size_t i = 0; i < oldsize; i++)
		if (old.set[i].seq != 0)
			ghost_set_add(g, old.set[i].hash, old.set[i].seq);
	free(old.ring);
	free(old.set);
}

/* Drops the oldest slots until at most limit are left. */
static void ghost_trim(struct ghost *g, size_t limit)
{
	while (g->next - g->first > limit) {
		uint64_t seq = g->first++;
		struct ghost_slot *s = ghost_find(g, g->ring[seq & (g->cap - 1)]);
		if (s && s->seq == seq)
			ghost_set_remove(g, s);
	}
}

/* Remembers hash as the newest, keeping at most limit slots. */
static void ghost_push(struct ghost *g, uint64_t hash, size_t limit)
{
	if (limit == 0)
		return;
	if (g->next - g->first == g->cap)
		ghost_grow(g);
	uint64_t seq = g->next++;
	g->ring[seq & (g->cap - 1)] = hash;
	struct ghost_slot *s = ghost_find(g, hash);
	if (s)
		s->seq = seq; /* its older slot is stale now */
	else
		ghost_set_add(g, hash, seq);
	ghost_trim(g, limit);
}

/* Whether hash was in the ghost; it is not any more. */
static bool ghost_take(struct ghost *g, uint64_t hash)
{
	struct ghost_slot *s = ghost_find(g, hash);
	if (s == NULL)
		return false;
	ghost_set_remove(g, s);
	return true;
}

static void ghost_clear(struct ghost *g)
{
	free(g->ring);
	free(g->set);
	*g = (struct ghost){.first = 1, .next = 1};
}

/* ---- the queues ---- */

static struct queue *queue_of(struct cache *c, const struct entry *e)
{
	return e->queue == Q_MAIN ? &c->main : &c->small;
}

static void queue_push(struct cache *c, struct entry *e, enum queue_id id)
{
	struct queue *q = id == Q_MAIN ? &c->main : &c->small;
	e->queue = (unsigned char)id;
	e->prev = NULL;
	e->next = q->head;
	if (q->head)
		q->head->prev = e;
	else
		q->tail = e;
	q->head = e;
	q->bytes += e->bytes;
	q->entries++;
}

static void queue_remove(struct cache *c, struct entry *e)
{
	struct queue *q = queue_of(c, e);
	if (e->prev)
		e->prev->next = e->next;
	else
		q->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		q->tail = e->prev;
	q->bytes -= e->bytes;
	q->entries--;
}

/* ---- entries ---- */

struct cache *cache_new(size_t max_bytes)
{
	struct cache *c = xcalloc(1, sizeof *c);
	pthread_rwlock_init(&c->lock, NULL);
	c->nbuckets = 1024;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
	c->max_bytes = max_bytes;
	ghost_clear(&c->ghost);
	atomic_init(&c->generation, 1);
	return c;
}

static void entry_free(struct entry *e)
{
	reply_release(e->reply);
	free(e->key);
	free(e);
}

/* Takes e out of its bucket and its queue (write lock held). */
static void unlink_entry(struct cache *c, struct entry *e)
{
	struct entry **p = &c->buckets[e->hash & (c->nbuckets - 1)];
	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	queue_remove(c, e);
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
	c->small = c->main = (struct queue){0};
	ghost_clear(&c->ghost);
}

void cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	drop_all(c); /* the ghost's arrays too */
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
		/*
		 * Relaxed, and not a read-modify-write: the frequency is a hint
		 * for eviction, a count lost to a race costs nothing, and a hot
		 * entry at the ceiling is only read, not written.
		 */
		unsigned char f = atomic_load_explicit(&e->freq, memory_order_relaxed);
		if (f < FREQ_MAX)
			atomic_store_explicit(&e->freq, (unsigned char)(f + 1), memory_order_relaxed);
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

/* How many entries main holds when full, at the average size of the entries now (at least 1). */
static size_t main_capacity(const struct cache *c, size_t fallback)
{
	size_t avg = c->entries ? c->bytes / c->entries : fallback;
	size_t n = (c->max_bytes - c->max_bytes / 10) / (avg ? avg : 1);
	return n ? n : 1;
}

static void evict(struct cache *c, struct entry *e)
{
	unlink_entry(c, e);
	entry_free(e);
	atomic_fetch_add_explicit(&c->evictions, 1, memory_order_relaxed);
}

/* small's oldest entry moves to main if it was hit, else goes, leaving its hash in ghost. */
static void evict_small(struct cache *c)
{
	struct entry *e = c->small.tail;
	if (atomic_load_explicit(&e->freq, memory_order_relaxed) > 0) {
		queue_remove(c, e);
		queue_push(c, e, Q_MAIN);
		atomic_fetch_add_explicit(&c->promotions, 1, memory_order_relaxed);
		return;
	}
	ghost_push(&c->ghost, e->hash, main_capacity(c, e->bytes));
	evict(c, e);
}

/* main's oldest entry goes round once more per hit left, else goes. */
static void evict_main(struct cache *c)
{
	struct entry *e = c->main.tail;
	unsigned char f = atomic_load_explicit(&e->freq, memory_order_relaxed);
	if (f > 0) {
		atomic_store_explicit(&e->freq, (unsigned char)(f - 1), memory_order_relaxed);
		queue_remove(c, e);
		queue_push(c, e, Q_MAIN);
		return;
	}
	evict(c, e);
}

/* Evicts until want more bytes fit (write lock held). */
static void make_room(struct cache *c, size_t want)
{
	while (c->entries > 0 && c->bytes + want > c->max_bytes) {
		if (c->small.entries > 0 &&
		    (c->small.bytes >= c->max_bytes / 10 || c->main.entries == 0))
			evict_small(c);
		else
			evict_main(c);
	}
}

static struct entry *entry_new(const char *key, size_t keylen, struct reply *rp, size_t bytes)
{
	struct entry *e = xcalloc(1, sizeof *e);
	e->hash = hash_bytes(GZ_HASH_INIT, key, keylen);
	e->key = xstrndup(key, keylen);
	e->keylen = keylen;
	e->bytes = bytes;
	atomic_init(&e->freq, 0);
	e->reply = rp;
	reply_hold(rp);
	return e;
}

/*
 * Which queue e goes to (write lock held): a replaced entry's own, with its
 * frequency; main for a key in the ghost; else small.
 */
static enum queue_id admit(struct cache *c, struct entry *e)
{
	struct entry *old = find(c, e->hash, e->key, e->keylen);
	if (old) {
		enum queue_id q = (enum queue_id)old->queue;
		atomic_store_explicit(&e->freq, atomic_load(&old->freq), memory_order_relaxed);
		unlink_entry(c, old);
		entry_free(old);
		return q;
	}
	if (ghost_take(&c->ghost, e->hash)) {
		atomic_fetch_add_explicit(&c->ghost_hits, 1, memory_order_relaxed);
		return Q_MAIN;
	}
	return Q_SMALL;
}

/* What an entry of rp under a key of keylen bytes is charged now. */
static size_t charge(size_t keylen, const struct reply *rp)
{
	return ENTRY_OVERHEAD + keylen + reply_bytes(rp);
}

void cache_put(struct cache *c, const char *key, size_t keylen, struct reply *rp, uint64_t gen)
{
	/*
	 * Charged for what it holds: the bodies built so far (the identity
	 * body, or only a compressed one for a client that took it), then
	 * each one clients have made since (cache_charge()).  Charging for
	 * bodies up front, whether made or not, held a third fewer pages for
	 * clients that never ask for them.
	 */
	reply_grown(rp); /* what it holds now is charged here */
	size_t bytes = charge(keylen, rp);
	/* A streamed body is read from the database as it is sent: nothing to keep. */
	if (c->max_bytes == 0 || rp->status != 200 || bytes > c->max_bytes / 8 || rp->source)
		return;

	struct entry *e = entry_new(key, keylen, rp, bytes);
	pthread_rwlock_wrlock(&c->lock);
	if (atomic_load(&c->generation) != gen) {
		/* Rendered from data that has changed since: not worth keeping. */
		pthread_rwlock_unlock(&c->lock);
		entry_free(e);
		return;
	}
	enum queue_id q = admit(c, e);
	make_room(c, bytes);
	if (c->entries >= c->nbuckets)
		grow(c);
	struct entry **b = &c->buckets[e->hash & (c->nbuckets - 1)];
	e->chain = *b;
	*b = e;
	queue_push(c, e, q);
	c->entries++;
	c->bytes += bytes;
	pthread_rwlock_unlock(&c->lock);
	atomic_fetch_add_explicit(&c->stores, 1, memory_order_relaxed);
}

void cache_charge(struct cache *c, const char *key, size_t keylen, struct reply *rp)
{
	if (c->max_bytes == 0)
		return;
	uint64_t hash = hash_bytes(GZ_HASH_INIT, key, keylen);
	pthread_rwlock_wrlock(&c->lock);
	struct entry *e = find(c, hash, key, keylen);
	size_t now = charge(keylen, rp);
	if (e && e->reply == rp && now > e->bytes) {
		size_t extra = now - e->bytes;
		e->bytes = now;
		queue_of(c, e)->bytes += extra;
		c->bytes += extra;
		/*
		 * Grown to twice what cache_put() lets in (a page kept as a
		 * small Brotli body, then decoded for a client without codings):
		 * it goes, rather than the many entries it would push out.  Else
		 * others make room; e itself may go.  The sender holds rp.
		 */
		if (e->bytes > c->max_bytes / 4)
			evict(c, e);
		else
			make_room(c, 0);
	}
	pthread_rwlock_unlock(&c->lock);
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
	out->promotions = atomic_load(&c->promotions);
	out->ghost_hits = atomic_load(&c->ghost_hits);
	pthread_rwlock_rdlock(&c->lock);
	out->entries = c->entries;
	out->bytes = c->bytes;
	out->main_entries = c->main.entries;
	out->main_bytes = c->main.bytes;
	out->ghost_entries = c->ghost.live;
	pthread_rwlock_unlock(&c->lock);
	out->max_bytes = c->max_bytes;
}
