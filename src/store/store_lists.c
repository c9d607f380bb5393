/*
 * store_lists.c: each phrase's articles, kept once for all connections
 * to a database.
 *
 * A list is costly to read (FTS5 hands over every article holding the
 * phrase, one call each: some 15 ms for a word in 70,000 of 100,000
 * articles) and cheap to walk.  Kept by each connection, every worker
 * read the same common words again, and each kept only what its own
 * bound held; kept here, a word is read once for the whole server.
 *
 * What a list says depends only on the search index, so lists are kept
 * for one state of it at a time (store_search.c's index_state(): a hash
 * of two rows FTS5 rewrites with every change to the index, in its %_data
 * table: id 1, its row count and token totals, and id 10, the list of its
 * segments).  A connection that reads another state, after a write, drops
 * them all (lists_keep()), and one that still reads the old state finds
 * none and keeps none.
 *
 * A list is written small, so that the lists of a search's common words
 * fit (plist_encode()): at 100,000 articles, each of the benchmark's
 * query words is in some 70,000, and as a varint distance and a varint
 * weight each took about 170 KB; as a bitmap and nibbles, some 50 KB,
 * 65 KB with the bitmap of its heavy articles.
 *
 * The lists are bounded in bytes, least recently used going first; a
 * list larger than a quarter of the bound is used and not kept.  A list
 * is freed when it is neither kept nor taken by a search walking it.
 */
#include "store_lists.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>

#include "gazette/base/filemem.h"
#include "gazette/base/util.h"
#include "gazette/store/store.h"

/*
 * A list keeps where its phrase stands in each article's body (for the
 * snippets) only if that takes at most this many bytes, unless
 * lists_set_positions_max() says otherwise: a common word's positions take
 * many times its list (400 KB and more against 50 KB at 100,000 articles).
 */
#define LIST_POSITIONS_MAX (64u << 10)
#define NBUCKETS     1024

struct lists {
	struct lists *next; /* in the registry */
	bool shared;        /* in the registry: a database file */
	dev_t dev;
	ino_t ino;
	unsigned users; /* attached connections (registry lock) */

	pthread_mutex_t lock; /* everything below */
	size_t budget;        /* bytes of lists kept at most */
	size_t positions_max; /* a list's positions kept up to this many bytes */
	uint64_t state;       /* the index state the lists are of */
	struct plist *buckets[NBUCKETS];
	struct plist *newest, *oldest;
	size_t bytes;
};

/* ---- a list's bytes ---------------------------------------------------- */

static inline void put_nibble(unsigned char *w, size_t at, unsigned v)
{
	w[at / 2] |= (unsigned char)(v << (at % 2 * 4));
}

/*
 * The least weight from 2 to 16 that at most one in sixteen of the n
 * weights reaches (16: weights above 15 are all heavy however many);
 * *any: whether one does.
 */
static unsigned heavy_weight(const uint32_t *weights, size_t n, bool *any)
{
	size_t at_least[18] = {0}; /* at_least[v]: weights of v or more, v <= 16 */
	for (size_t i = 0; i < n; i++)
		at_least[weights[i] < 16 ? weights[i] : 16]++;
	for (int v = 15; v >= 0; v--)
		at_least[v] += at_least[v + 1];
	unsigned v = 2;
	while (v < 16 && at_least[v] > n / 16)
		v++;
	*any = at_least[v] > 0;
	return v;
}

/* Writes l's ids, as its encoding says (plist_encode()), and its heavy bitmap if it has one. */
static void write_ids(struct plist *l, const int64_t *ids, const uint32_t *weights, size_t n)
{
	unsigned char *p = l->data, *heavy = (unsigned char *)l->heavy_bits;
	for (size_t i = 0; i < n; i++) {
		if (!l->dense) {
			p += varint_put(p, (uint64_t)(ids[i] - (i ? ids[i - 1] : 0)));
			continue;
		}
		size_t b = (size_t)(ids[i] - l->base);
		p[b / 8] |= (unsigned char)(1u << (b % 8));
		if (heavy && weights[i] >= l->heavy)
			heavy[b / 8] |= (unsigned char)(1u << (b % 8));
	}
}

/* Writes l's weights: a nibble each after the ids, the large ones' pairs from large_at. */
static void write_weights(struct plist *l, const uint32_t *weights, size_t n, size_t large_at)
{
	uint32_t *large = (uint32_t *)(void *)(l->data + large_at);
	l->large = large;
	for (size_t i = 0; i < n; i++) {
		bool big = weights[i] > 15;
		put_nibble(l->data + l->ids_len, i, big ? 0 : weights[i]);
		if (big) {
			*large++ = (uint32_t)i;
			*large++ = weights[i];
		}
	}
}

/*
 * The ids go as a bitmap when that is smaller than their distances as
 * varints (a word in more than about one article in eight), else as the
 * distances.  The bitmap starts at a multiple of 64 and is padded to
 * whole 64-bit words: the walk (store_search.c) ands the words of two
 * lists as they are.  Each weight is a nibble: 1..15 as itself (a word in
 * an article's body a few times), 0 for one kept whole among the large.
 */
void plist_encode(struct plist *l, const int64_t *ids, const uint32_t *weights, size_t n)
{
	size_t deltas = 0, nlarge = 0;
	unsigned char tmp[10];
	for (size_t i = 0; i < n; i++) {
		deltas += varint_put(tmp, (uint64_t)(ids[i] - (i ? ids[i - 1] : 0)));
		nlarge += weights[i] > 15;
	}
	int64_t base = n ? ids[0] & ~(int64_t)63 : 0;
	size_t bitmap = n ? ((size_t)(ids[n - 1] - base) / 64 + 1) * 8 : 0;
	l->dense = n > 0 && bitmap < deltas;
	l->base = l->dense ? base : 0;
	l->ids_len = l->dense ? bitmap : deltas;
	/* The large weights' pairs after the nibbles, on a 4-byte boundary; then the heavy bitmap. */
	size_t large_at = (l->ids_len + (n + 1) / 2 + 3) & ~(size_t)3;
	size_t heavy_at = large_at + nlarge * 2 * sizeof(uint32_t);
	bool any = false;
	l->heavy = l->dense ? heavy_weight(weights, n, &any) : 0;
	l->len = heavy_at + (any ? l->ids_len : 0);
	filemem_free(l->data);
	l->data = filemem_zalloc(l->len ? l->len : 1);
	l->heavy_bits = any ? l->data + heavy_at : NULL;
	l->nlarge = nlarge;
	write_ids(l, ids, weights, n);
	write_weights(l, weights, n, large_at);
	l->n = (uint32_t)n;
}

void cursor_open(struct cursor *c, const struct plist *l)
{
	*c = (struct cursor){.list = l,
	                     .p = l->data,
	                     .end = l->data + l->ids_len,
	                     .dense = l->dense,
	                     .base = l->base,
	                     .w = l->data + l->ids_len,
	                     .large = l->large,
	                     .large_end = l->large ? l->large + 2 * l->nlarge : NULL,
	                     .pp = l->pos,
	                     .id = 0};
	cursor_next(c);
}

void cursor_jump(struct cursor *c, int64_t id)
{
	size_t bits = (size_t)(c->end - c->p) * 8;
	size_t to = (size_t)((uint64_t)id - (uint64_t)c->base); /* id > c->id >= base; may be far */
	if (to > bits)
		to = bits;
	/* The articles passed: the bits set from c->bit up to to. */
	size_t passed = 0;
	for (size_t b = c->bit; b < to;) {
		uint64_t word = bitmap_word(c->p, b / 64) >> (b % 64);
		size_t span = 64 - b % 64 < to - b ? 64 - b % 64 : to - b;
		if (span < 64)
			word &= ((uint64_t)1 << span) - 1;
		passed += bits_set(word);
		b += span;
	}
	c->nib += passed;
	while (c->large && c->large < c->large_end && c->large[0] < c->nib)
		c->large += 2;
	c->bit = to;
	cursor_next(c);
}

/* ---- the lists of a database -------------------------------------------- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lists *registry;

struct lists *lists_attach(sqlite3 *db)
{
	const char *path = sqlite3_db_filename(db, "main");
	struct stat sb;
	bool file = path && path[0] && stat(path, &sb) == 0;

	pthread_mutex_lock(&registry_lock);
	struct lists *ls = registry;
	while (file && ls && !(ls->dev == sb.st_dev && ls->ino == sb.st_ino))
		ls = ls->next;
	if (!file || ls == NULL) {
		ls = xcalloc(1, sizeof *ls);
		pthread_mutex_init(&ls->lock, NULL);
		ls->budget = STORE_SEARCH_LISTS_MAX; /* unless lists_set_budget() says otherwise */
		ls->positions_max = LIST_POSITIONS_MAX;
		if (file) {
			ls->shared = true;
			ls->dev = sb.st_dev;
			ls->ino = sb.st_ino;
			ls->next = registry;
			registry = ls;
		}
	}
	ls->users++;
	pthread_mutex_unlock(&registry_lock);
	return ls;
}

static void plist_free(struct plist *l)
{
	free(l->key);
	filemem_free(l->data);
	filemem_free(l->pos);
	free(l);
}

/* One reference less (under ls's lock): freed at none. */
static void unref(struct plist *l)
{
	if (--l->refs == 0)
		plist_free(l);
}

/* What kept list l is charged against the bound. */
static size_t list_cost(const struct plist *l)
{
	return l->len + l->pos_len + l->keylen + sizeof *l;
}

/* Drops the list used least recently: out of its bucket and the order, the table's reference gone. */
static void evict_oldest(struct lists *ls)
{
	struct plist *l = ls->oldest;
	ls->oldest = l->newer;
	if (ls->oldest)
		ls->oldest->older = NULL;
	else
		ls->newest = NULL;
	struct plist **p = &ls->buckets[l->hash % NBUCKETS];
	while (*p && *p != l)
		p = &(*p)->chain;
	if (*p)
		*p = l->chain;
	ls->bytes -= list_cost(l);
	l->kept = false;
	unref(l);
}

/* Drops the least recently used lists until bytes more fit (all, at SIZE_MAX). */
static void make_room(struct lists *ls, size_t bytes)
{
	while (ls->oldest && (bytes == SIZE_MAX || ls->bytes + bytes > ls->budget))
		evict_oldest(ls);
}

void lists_detach(struct lists *ls)
{
	if (ls == NULL)
		return;
	pthread_mutex_lock(&registry_lock);
	bool last = --ls->users == 0;
	if (last && ls->shared) {
		struct lists **p = &registry;
		while (*p != ls)
			p = &(*p)->next;
		*p = ls->next;
	}
	pthread_mutex_unlock(&registry_lock);
	if (!last)
		return;
	make_room(ls, SIZE_MAX);
	pthread_mutex_destroy(&ls->lock);
	free(ls);
}

struct plist *plist_new(const char *phrase, size_t len)
{
	struct plist *l = xcalloc(1, sizeof *l);
	l->hash = hash_bytes(GZ_HASH_INIT, phrase, len);
	l->key = xstrndup(phrase, len);
	l->keylen = len;
	l->refs = 1;
	return l;
}

/* The kept list of phrase (with its hash), or NULL; under the lock. */
static struct plist *lookup(struct lists *ls, uint64_t h, const char *phrase, size_t len)
{
	for (struct plist *l = ls->buckets[h % NBUCKETS]; l; l = l->chain)
		if (l->hash == h && l->keylen == len && memcmp(l->key, phrase, len) == 0)
			return l;
	return NULL;
}

/* Puts kept list l at the head of the recency order; under the lock. */
static void make_newest(struct lists *ls, struct plist *l)
{
	l->older = ls->newest;
	l->newer = NULL;
	if (ls->newest)
		ls->newest->newer = l;
	else
		ls->oldest = l;
	ls->newest = l;
}

struct plist *lists_find(struct lists *ls, uint64_t state, const char *phrase, size_t len)
{
	uint64_t h = hash_bytes(GZ_HASH_INIT, phrase, len);
	pthread_mutex_lock(&ls->lock);
	struct plist *l = ls->state == state ? lookup(ls, h, phrase, len) : NULL;
	if (l) {
		if (l != ls->newest) {
			l->newer->older = l->older;
			if (l->older)
				l->older->newer = l->newer;
			else
				ls->oldest = l->newer;
			make_newest(ls, l);
		}
		l->refs++;
	}
	pthread_mutex_unlock(&ls->lock);
	return l;
}

struct plist *lists_keep(struct lists *ls, uint64_t state, struct plist *fresh)
{
	size_t cost = list_cost(fresh);

	pthread_mutex_lock(&ls->lock);
	if (ls->state != state) {
		make_room(ls, SIZE_MAX);
		ls->state = state;
	}
	struct plist *l = lookup(ls, fresh->hash, fresh->key, fresh->keylen);
	if (l) { /* read meanwhile by another connection */
		l->refs++;
		plist_free(fresh);
		fresh = l;
	} else if (cost <= ls->budget / 4) {
		make_room(ls, cost);
		fresh->chain = ls->buckets[fresh->hash % NBUCKETS];
		ls->buckets[fresh->hash % NBUCKETS] = fresh;
		make_newest(ls, fresh);
		fresh->kept = true;
		fresh->refs++;
		ls->bytes += cost;
	}
	pthread_mutex_unlock(&ls->lock);
	return fresh;
}

void lists_set_positions_max(struct lists *ls, size_t bytes)
{
	pthread_mutex_lock(&ls->lock);
	ls->positions_max = bytes;
	make_room(ls, SIZE_MAX);
	pthread_mutex_unlock(&ls->lock);
}

size_t lists_positions_max(struct lists *ls)
{
	pthread_mutex_lock(&ls->lock);
	size_t bytes = ls->positions_max;
	pthread_mutex_unlock(&ls->lock);
	return bytes;
}

void lists_set_budget(struct lists *ls, size_t bytes)
{
	pthread_mutex_lock(&ls->lock);
	ls->budget = bytes;
	make_room(ls, 0);
	pthread_mutex_unlock(&ls->lock);
}

size_t lists_bytes(struct lists *ls)
{
	pthread_mutex_lock(&ls->lock);
	size_t bytes = ls->bytes;
	pthread_mutex_unlock(&ls->lock);
	return bytes;
}

void lists_release(struct lists *ls, struct plist *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&ls->lock);
	unref(l);
	pthread_mutex_unlock(&ls->lock);
}
