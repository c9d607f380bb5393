/*
 * Unit tests for cache.c: the answer cache.  Replies are made by reply_new()
 * from plain-text responses whose body starts with their key, so a reply
 * found under another key is seen at once.  What is checked is what the
 * cache says it did (cache_get_stats(), the numbers /metrics shows) and the
 * replies' reference counts, never timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"
#include "gazette/http/cache.h"
#include "gazette/http/http.h"

/* A reply of the given status whose body is key, then filler up to len bytes. */
static struct reply *make_reply(unsigned status, const char *key, size_t len)
{
	struct response resp;
	response_init(&resp);
	resp.status = status;
	resp.content_type = "text/plain; charset=utf-8";
	buf_puts(&resp.body, key);
	while (resp.body.len < len)
		buf_putc(&resp.body, '.');
	struct reply *rp = reply_new(&resp, CODING_IDENTITY);
	response_free(&resp);
	assert_non_null(rp);
	assert_int_equal(rp->len, len < strlen(key) ? strlen(key) : len);
	return rp;
}

static unsigned refs(struct reply *rp)
{
	return atomic_load(&rp->refs);
}

static struct cache_stats stats(struct cache *c)
{
	struct cache_stats s;
	cache_get_stats(c, &s);
	return s;
}

static void put(struct cache *c, const char *key, struct reply *rp)
{
	cache_put(c, key, strlen(key), rp, cache_generation(c));
}

/*
 * Puts replies of len bytes under the keys "/a", "/b", ... for letters
 * from to to - 1 (keys[i] and rps[i] hold them), in that order.
 */
static void put_lettered(struct cache *c, char (*keys)[3], struct reply **rps, size_t from,
                         size_t to, size_t len)
{
	for (size_t i = from; i < to; i++) {
		snprintf(keys[i], sizeof keys[i], "/%c", (char)('a' + i));
		rps[i] = make_reply(200, keys[i], len);
		put(c, keys[i], rps[i]);
	}
}

/* The reply under key (released at once), or NULL. */
static struct reply *peek(struct cache *c, const char *key)
{
	struct reply *rp = cache_get(c, key, strlen(key));
	reply_release(rp);
	return rp;
}

/* Frees the cache, then the replies: each must be back to the caller's one reference. */
static void free_all(struct cache *c, struct reply *const *rps, size_t n)
{
	cache_free(c);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(refs(rps[i]), 1);
		reply_release(rps[i]);
	}
}

/*
 * What an entry of this key length and body length is charged when
 * stored: a fixed overhead, the key and the body (a gzip body is charged
 * when it is made: test_charge_for_gzip).  The overhead is cache.c's own:
 * it is read back from one entry, then must hold for every other.
 */
static size_t overhead;

static size_t charge(size_t keylen, size_t len)
{
	if (overhead == 0) {
		struct cache *c = cache_new(1 << 30);
		struct reply *rp = make_reply(200, "probe", 100);
		put(c, "probe", rp);
		size_t bytes = stats(c).bytes;
		assert_true(bytes > 5 + 100);
		overhead = bytes - 5 - 100;
		cache_free(c);
		reply_release(rp);
	}
	return overhead + keylen + len;
}

static void test_put_get(void **state)
{
	(void)state;
	static const struct {
		const char *key;
		unsigned status;
		size_t len;
		bool kept; /* only a 200 is kept */
	} cases[] = {
	    {"/", 200, 100, true},
	    {"/articles/a", 200, 2000, true},
	    {"/articles/b", 200, 0, true},
	    {"/api/v1/articles?limit=5&page=2", 200, 300, true},
	    {"/no-such-page", 404, 100, false},
	    {"/moved", 301, 100, false},
	    {"/created", 201, 100, false},
	    {"/broken", 500, 100, false},
	};
	struct cache *c = cache_new(1 << 20);
	struct reply *rps[GZ_ARRAY_LEN(cases)];
	size_t bytes = 0, entries = 0;
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		rps[i] = make_reply(cases[i].status, cases[i].key, cases[i].len);
		assert_null(peek(c, cases[i].key));
		put(c, cases[i].key, rps[i]);
		if (cases[i].kept) {
			bytes += charge(strlen(cases[i].key), rps[i]->len);
			entries++;
		}
		assert_int_equal(refs(rps[i]), cases[i].kept ? 2 : 1);
	}
	struct cache_stats s = stats(c);
	assert_int_equal(s.entries, entries);
	assert_int_equal(s.bytes, bytes);
	assert_int_equal(s.max_bytes, 1 << 20);
	assert_int_equal(s.stores, entries);
	assert_int_equal(s.misses, GZ_ARRAY_LEN(cases));
	assert_int_equal(s.hits, 0);

	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct reply *got = cache_get(c, cases[i].key, strlen(cases[i].key));
		if (!cases[i].kept) {
			assert_null(got);
			continue;
		}
		/* The very reply, held once more for the caller. */
		assert_ptr_equal(got, rps[i]);
		assert_int_equal(refs(rps[i]), 3);
		reply_release(got);
		assert_int_equal(refs(rps[i]), 2);
	}
	/* A key is its bytes: a prefix, a longer one, another case are other keys. */
	assert_null(peek(c, "/articles/"));
	assert_null(peek(c, "/articles/aa"));
	assert_null(peek(c, "/ARTICLES/a"));
	assert_ptr_equal(cache_get(c, "/articles/a?x", 11), rps[1]); /* a length, not a string */
	reply_release(rps[1]);

	s = stats(c);
	assert_int_equal(s.hits, entries + 1);
	assert_int_equal(s.misses, GZ_ARRAY_LEN(cases) + (GZ_ARRAY_LEN(cases) - entries) + 3);

	/* The cache's references go with it; the callers' stay. */
	free_all(c, rps, GZ_ARRAY_LEN(cases));
}

static void test_too_big_to_keep(void **state)
{
	(void)state;
	/* An entry may take an eighth of the cache at the most. */
	size_t max = 8 * charge(1, 1000);
	static const struct {
		size_t len;
		bool kept;
	} cases[] = {{1000, true}, {999, true}, {1001, false}, {100000, false}};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct cache *c = cache_new(max);
		struct reply *rp = make_reply(200, "k", cases[i].len);
		put(c, "k", rp);
		if ((peek(c, "k") != NULL) != cases[i].kept)
			fail_msg("a body of %zu bytes in a cache of %zu: kept %d", cases[i].len,
			         max, !cases[i].kept);
		assert_int_equal(stats(c).stores, cases[i].kept);
		free_all(c, &rp, 1);
	}
}

static void test_replacing_an_entry(void **state)
{
	(void)state;
	struct cache *c = cache_new(1 << 20);
	struct reply *first = make_reply(200, "/a first", 100);
	struct reply *second = make_reply(200, "/a second", 3000);
	put(c, "/a", first);
	put(c, "/a", second);
	/* One entry, the second reply, charged for the second body only. */
	assert_ptr_equal(peek(c, "/a"), second);
	struct cache_stats s = stats(c);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.bytes, charge(2, second->len));
	assert_int_equal(s.stores, 2);
	assert_int_equal(s.evictions, 0);
	assert_int_equal(refs(first), 1); /* the cache let go of it */
	assert_int_equal(refs(second), 2);
	/* The same reply again: still one entry and one reference. */
	put(c, "/a", second);
	assert_int_equal(stats(c).entries, 1);
	assert_int_equal(refs(second), 2);
	free_all(c, (struct reply *[]){first, second}, 2);
}

/*
 * Eviction: eight entries of one size fill the cache exactly; a ninth
 * evicts one.  CLOCK: the hand starts at the oldest and passes over, once,
 * an entry read since it last came by.
 */
/*
 * A body made after the entry was stored (reply_make(), as reply_send()
 * does for a client that wants it) is added to what it costs, once:
 * only to the entry that still holds that reply, in its queue as in the
 * whole, and the bound holds again after it.
 */
static void test_charge_for_a_body_made_later(void **state)
{
	(void)state;
	/* Eight entries fill it, each the most one may take (an eighth). */
	struct cache *c = cache_new(8 * charge(2, 4000));
	struct reply *rps[16];
	char keys[16][3];
	put_lettered(c, keys, rps, 0, 8, 4000);
	assert_int_equal(stats(c).entries, 8);
	assert_int_equal(stats(c).bytes, 8 * charge(2, 4000));
	/* Another reply under /a (replaced meanwhile), or a key not kept: nothing to add. */
	struct reply *other = make_reply(200, "/a other", 4000);
	assert_true(reply_make(other, CODING_GZIP));
	assert_true(reply_make(rps[0], CODING_GZIP));
	cache_charge(c, "/a", 2, other);
	cache_charge(c, "/zz", 3, rps[0]);
	assert_int_equal(stats(c).bytes, 8 * charge(2, 4000));
	reply_release(other);
	/* /h is hit, then eight new entries push the rest out: /h moves to main. */
	assert_ptr_equal(peek(c, "/h"), rps[7]);
	put_lettered(c, keys, rps, 8, 16, 4000);
	struct cache_stats s = stats(c);
	assert_int_equal(s.main_entries, 1);
	assert_int_equal(s.main_bytes, charge(2, 4000));
	size_t evictions = s.evictions;
	/* Its gzip body: charged in main too, and the oldest new one goes to make room. */
	size_t before = reply_bytes(rps[7]);
	assert_true(reply_make(rps[7], CODING_GZIP));
	/* The gzip body and its response. */
	size_t gzlen = reply_bytes(rps[7]) - before;
	assert_true(gzlen > rps[7]->rep[CODING_GZIP].len);
	cache_charge(c, "/h", 2, rps[7]);
	s = stats(c);
	assert_int_equal(s.main_bytes, charge(2, 4000) + gzlen);
	assert_int_equal(s.evictions, evictions + 1);
	assert_int_equal(s.bytes, s.entries * charge(2, 4000) + gzlen);
	assert_true(s.bytes <= s.max_bytes);
	assert_null(peek(c, "/j"));
	assert_ptr_equal(peek(c, "/h"), rps[7]);
	/* Told again with nothing new: nothing more. */
	cache_charge(c, "/h", 2, rps[7]);
	assert_int_equal(stats(c).bytes, s.bytes);
	/* Brotli too, and only its own bytes. */
	assert_true(reply_make(rps[7], CODING_BR));
	cache_charge(c, "/h", 2, rps[7]);
	assert_int_equal(stats(c).main_bytes, charge(2, 4000) - before + reply_bytes(rps[7]));
	free_all(c, rps, 16);
}

/*
 * A reply made for a client that takes compression holds only its
 * compressed body, and is charged that: several times more such pages in
 * the same bound.  Its identity body, made again for a client that wants
 * it, is charged when made.
 */
static void test_charged_what_it_holds(void **state)
{
	(void)state;
	struct cache *c = cache_new(1 << 20);
	struct response resp;
	response_init(&resp);
	resp.content_type = "text/html; charset=utf-8";
	while (resp.body.len < 12000)
		buf_printf(&resp.body, "<p>Paragraph %zu of the council's report.</p>\n", resp.body.len);
	size_t len = resp.body.len;
	struct reply *rp = reply_new(&resp, CODING_BR);
	response_free(&resp);
	size_t brlen = rp->rep[CODING_BR].len;
	assert_true(brlen > 0 && brlen <= len / 4);
	size_t born = reply_bytes(rp); /* the Brotli body and its response */
	assert_true(born > brlen && born < brlen + 4096);
	put(c, "/p", rp);
	size_t fixed = stats(c).bytes - born; /* the entry's own, and its key */
	assert_true(fixed > 2 && fixed < 4096);
	assert_true(reply_make(rp, CODING_IDENTITY));
	assert_int_equal(rp->rep[CODING_IDENTITY].len, len);
	cache_charge(c, "/p", 2, rp);
	assert_int_equal(stats(c).bytes, fixed + reply_bytes(rp));
	assert_true(reply_bytes(rp) - born > len);
	free_all(c, &rp, 1);
}

/*
 * A page let in as a small Brotli body, then decoded for a client without
 * codings, grows past a quarter of the bound (cache_put() takes in an
 * eighth): it goes, not the entries it would push out.
 */
static void test_grown_too_big_goes_alone(void **state)
{
	(void)state;
	struct cache *c = cache_new(1 << 20);
	struct reply *rps[7];
	char keys[7][3];
	put_lettered(c, keys, rps, 0, 7, 60000);
	struct response resp;
	response_init(&resp);
	resp.content_type = "application/json";
	while (resp.body.len < 400000) /* 400 KB, compressing to a few KB */
		buf_printf(&resp.body, "{\"n\":%zu,\"title\":\"the council met\"},", resp.body.len % 97);
	struct reply *big = reply_new(&resp, CODING_BR);
	response_free(&resp);
	assert_true(reply_bytes(big) < (1 << 20) / 8);
	put(c, "/big", big);
	struct cache_stats s = stats(c);
	assert_int_equal(s.entries, 8);
	size_t before = s.bytes;
	assert_true(reply_make(big, CODING_IDENTITY));
	cache_charge(c, "/big", 4, big);
	s = stats(c);
	assert_int_equal(s.entries, 7);
	assert_int_equal(s.evictions, 1);
	assert_null(peek(c, "/big"));
	for (size_t i = 0; i < 7; i++)
		assert_ptr_equal(peek(c, keys[i]), rps[i]);
	assert_true(s.bytes < before);
	reply_release(big);
	free_all(c, rps, 7);
}

static void test_eviction(void **state)
{
	(void)state;
	static const struct {
		const char *read; /* keys read before the ninth put, e.g. "01" */
		const char *evicted;
	} cases[] = {
	    {"", "k0"},        {"0", "k1"},        {"01", "k2"}, {"1", "k0"},
	    {"7", "k0"},       {"01234567", "k0"}, /* all were read: the hand clears every flag,
	                                              comes round */
	    {"0123456", "k7"},
	};
	static const char *const keys[9] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"};
	size_t one = charge(2, 500);
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct cache *c = cache_new(8 * one);
		struct reply *rps[9];
		for (int k = 0; k < 9; k++)
			rps[k] = make_reply(200, keys[k], 500);
		for (int k = 0; k < 8; k++)
			put(c, keys[k], rps[k]);
		assert_int_equal(stats(c).entries, 8);
		assert_int_equal(stats(c).bytes, 8 * one);
		assert_int_equal(stats(c).evictions, 0);
		for (const char *r = cases[i].read; *r; r++)
			assert_non_null(peek(c, keys[*r - '0']));
		put(c, "k8", rps[8]);

		struct cache_stats s = stats(c);
		assert_int_equal(s.evictions, 1);
		assert_int_equal(s.entries, 8);
		assert_int_equal(s.bytes, 8 * one);
		for (int k = 0; k < 9; k++) {
			bool gone = strcmp(keys[k], cases[i].evicted) == 0;
			if ((peek(c, keys[k]) == NULL) != gone)
				fail_msg("read '%s' before the ninth: %s %s", cases[i].read,
				         keys[k], gone ? "was kept" : "was evicted");
			assert_int_equal(refs(rps[k]), gone ? 1 : 2);
		}
		free_all(c, rps, 9);
	}
}

/* Many puts through a small cache: the bound holds after each. */
static void test_bound_holds(void **state)
{
	(void)state;
	size_t max = 20 * charge(4, 700);
	struct cache *c = cache_new(max);
	struct reply *rp = make_reply(200, "body", 700);
	char key[8];
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof key, "/%03d", i);
		put(c, key, rp);
		struct cache_stats s = stats(c);
		if (s.bytes > max || s.entries > 20)
			fail_msg("after %d puts: %zu bytes in %zu entries, over %zu", i + 1,
			         s.bytes, s.entries, max);
		assert_int_equal(s.bytes, s.entries * charge(4, 700));
	}
	struct cache_stats s = stats(c);
	assert_int_equal(s.entries, 20);
	assert_int_equal(s.stores, 500);
	assert_int_equal(s.evictions, 480);
	/* The newest twenty are there, in a table grown past its first size too. */
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof key, "/%03d", i);
		if ((peek(c, key) != NULL) != (i >= 480))
			fail_msg("%s", key);
	}
	assert_int_equal(refs(rp), 1 + 20);
	free_all(c, &rp, 1);

	/* More entries than the table's first 1024 buckets. */
	c = cache_new(1 << 30);
	rp = make_reply(200, "body", 10);
	for (int i = 0; i < 3000; i++) {
		snprintf(key, sizeof key, "/%04d", i);
		put(c, key, rp);
	}
	assert_int_equal(stats(c).entries, 3000);
	for (int i = 0; i < 3000; i++) {
		snprintf(key, sizeof key, "/%04d", i);
		assert_ptr_equal(peek(c, key), rp);
	}
	free_all(c, &rp, 1);
}

static void test_generations(void **state)
{
	(void)state;
	struct cache *c = cache_new(1 << 20);
	struct reply *a = make_reply(200, "/a", 100);
	struct reply *b = make_reply(200, "/b", 100);
	uint64_t g0 = cache_generation(c);
	put(c, "/a", a);
	assert_non_null(peek(c, "/a"));

	/* A miss begins (g0), the content changes, the miss ends: not kept. */
	cache_clear(c);
	uint64_t g1 = cache_generation(c);
	assert_true(g1 != g0);
	assert_null(peek(c, "/a"));
	cache_put(c, "/b", 2, b, g0);
	assert_null(peek(c, "/b"));
	assert_int_equal(refs(b), 1);
	struct cache_stats s = stats(c);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(s.clears, 1);
	assert_int_equal(s.stores, 1);
	assert_int_equal(refs(a), 1); /* the clear let go of it */

	/* Under the new generation it is kept, until the next clear. */
	cache_put(c, "/b", 2, b, g1);
	assert_ptr_equal(peek(c, "/b"), b);
	cache_clear(c);
	cache_clear(c);
	s = stats(c);
	assert_int_equal(s.clears, 3);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(refs(b), 1);
	cache_put(c, "/b", 2, b, g1);
	assert_null(peek(c, "/b"));
	/* A cleared cache works as a new one. */
	put(c, "/a", a);
	put(c, "/b", b);
	assert_int_equal(stats(c).entries, 2);
	free_all(c, (struct reply *[]){a, b}, 2);
}

static void test_zero_size_is_off(void **state)
{
	(void)state;
	struct cache *c = cache_new(0);
	struct reply *rp = make_reply(200, "/a", 10);
	for (int i = 0; i < 3; i++) {
		put(c, "/a", rp);
		assert_null(peek(c, "/a"));
	}
	cache_clear(c);
	struct cache_stats s = stats(c);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(s.max_bytes, 0);
	assert_int_equal(s.stores, 0);
	assert_int_equal(s.hits, 0);
	assert_int_equal(s.misses, 0); /* off: nothing is looked up, so nothing is missed */
	assert_int_equal(s.clears, 1);
	free_all(c, &rp, 1);
	cache_free(NULL);
}

/*
 * S3-FIFO (see cache.c).  Keys here are "/h00000" (hot) and "/s00000"
 * (asked for once); all replies of one test have one size, so the cache
 * holds a known number of entries.
 */
static const char *hot_key(char *key, size_t n, int i)
{
	snprintf(key, n, "/h%05d", i);
	return key;
}

static const char *scan_key(char *key, size_t n, int i)
{
	snprintf(key, n, "/s%05d", i);
	return key;
}

/* A miss then a put, as the server does for a page it does not hold. */
static void ask(struct cache *c, const char *key, struct reply *rp)
{
	uint64_t gen = cache_generation(c);
	struct reply *got = cache_get(c, key, strlen(key));
	if (got == NULL)
		cache_put(c, key, strlen(key), rp, gen);
	reply_release(got);
}

/* A scan of more keys than the cache holds leaves a hot set, read before it, in place. */
static void test_scan_keeps_hot_set(void **state)
{
	(void)state;
	static const struct {
		int room; /* entries the cache holds */
		int hot;  /* hot keys, read `reads` times each after being stored */
		int reads;
		int scan; /* distinct keys asked for once, after */
	} cases[] = {
	    {20, 1, 1, 1000}, {20, 5, 1, 1000}, {20, 10, 2, 500},
	    {20, 17, 3, 200}, {100, 50, 1, 3000}, {100, 80, 3, 1000},
	};
	char key[16];
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t one = charge(7, 1000);
		struct cache *c = cache_new((size_t)cases[i].room * one);
		struct reply *rp = make_reply(200, "body", 1000);
		for (int h = 0; h < cases[i].hot; h++)
			ask(c, hot_key(key, sizeof key, h), rp);
		for (int r = 0; r < cases[i].reads; r++)
			for (int h = 0; h < cases[i].hot; h++)
				assert_non_null(peek(c, hot_key(key, sizeof key, h)));
		for (int k = 0; k < cases[i].scan; k++)
			ask(c, scan_key(key, sizeof key, k), rp);

		struct cache_stats s = stats(c);
		assert_true(s.bytes <= (size_t)cases[i].room * one);
		assert_int_equal(s.entries, cases[i].room);
		assert_int_equal(s.evictions, cases[i].hot + cases[i].scan - cases[i].room);
		assert_int_equal(s.promotions, cases[i].hot);
		assert_int_equal(s.main_entries, cases[i].hot);
		assert_int_equal(s.ghost_hits, 0);
		for (int h = 0; h < cases[i].hot; h++)
			if (peek(c, hot_key(key, sizeof key, h)) == NULL)
				fail_msg("case %zu: hot %s evicted by a scan of %d", i, key,
				         cases[i].scan);
		/* The newest scanned keys are the rest. */
		int newest = cases[i].room - cases[i].hot;
		for (int k = cases[i].scan - newest; k < cases[i].scan; k++)
			assert_non_null(peek(c, scan_key(key, sizeof key, k)));
		assert_int_equal(refs(rp), 1 + cases[i].room);
		free_all(c, &rp, 1);
	}
}

/*
 * Hot keys read again only after more one-off keys than the cache holds
 * (a reuse distance that defeats LRU and CLOCK) are still hits every time.
 */
static void test_one_hit_wonders_keep_hot_set(void **state)
{
	(void)state;
	static const struct {
		int room, hot, between, rounds; /* `between` one-off keys before each round of reads */
	} cases[] = {
	    {20, 8, 30, 50}, {20, 16, 100, 20}, {50, 20, 500, 10}, {10, 1, 1000, 5},
	};
	char key[16];
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t one = charge(7, 500);
		struct cache *c = cache_new((size_t)cases[i].room * one);
		struct reply *rp = make_reply(200, "body", 500);
		for (int h = 0; h < cases[i].hot; h++) {
			ask(c, hot_key(key, sizeof key, h), rp);
			assert_non_null(peek(c, key)); /* asked for twice: worth keeping */
		}
		int next = 0;
		for (int r = 0; r < cases[i].rounds; r++) {
			for (int k = 0; k < cases[i].between; k++)
				ask(c, scan_key(key, sizeof key, next++), rp);
			for (int h = 0; h < cases[i].hot; h++)
				if (peek(c, hot_key(key, sizeof key, h)) == NULL)
					fail_msg("case %zu round %d: %s lost to one-off keys", i, r, key);
			struct cache_stats s = stats(c);
			assert_true(s.bytes <= (size_t)cases[i].room * one);
		}
		struct cache_stats s = stats(c);
		assert_int_equal(s.hits, (uint64_t)cases[i].hot * (cases[i].rounds + 1));
		assert_int_equal(s.misses, cases[i].hot + next);
		free_all(c, &rp, 1);
	}
}

/*
 * A key evicted unread is remembered by the ghost, as many as main can hold
 * (nine, in a cache of ten): asked for again before `others` more such
 * evictions push it out, it is stored into main, where a scan cannot reach.
 */
static void test_ghost_readmits_to_main(void **state)
{
	(void)state;
	static const struct {
		int others;
		bool readmitted;
	} cases[] = {{0, true}, {1, true}, {8, true}, {9, false}, {30, false}};
	char key[16];
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t one = charge(7, 700);
		struct cache *c = cache_new(10 * one);
		struct reply *rp = make_reply(200, "body", 700);
		int next = 0;
		ask(c, "/h00000", rp);
		while (next < 10) /* the tenth evicts /h000, unread */
			ask(c, scan_key(key, sizeof key, next++), rp);
		assert_null(peek(c, "/h00000"));
		assert_int_equal(stats(c).ghost_entries, 1);
		for (int k = 0; k < cases[i].others; k++)
			ask(c, scan_key(key, sizeof key, next++), rp);
		assert_int_equal(stats(c).ghost_entries, cases[i].others + 1 > 9 ? 9 : cases[i].others + 1);

		ask(c, "/h00000", rp);
		struct cache_stats s = stats(c);
		assert_int_equal(s.ghost_hits, cases[i].readmitted);
		assert_int_equal(s.main_entries, cases[i].readmitted);
		assert_int_equal(s.promotions, 0);
		for (int k = 0; k < 100; k++)
			ask(c, scan_key(key, sizeof key, next++), rp);
		if ((peek(c, "/h00000") != NULL) != cases[i].readmitted)
			fail_msg("asked again after %d others: %s", cases[i].others,
			         cases[i].readmitted ? "not readmitted" : "kept");
		free_all(c, &rp, 1);
	}
}

/* Random gets and puts of random sizes: the bytes are always what the entries are charged, within the bound. */
static void test_bound_holds_for_any_sizes(void **state)
{
	(void)state;
	enum { KEYS_N = 300, SIZES = 7 };
	static const size_t max_of[] = {50000, 200000, 1000000};
	static const size_t len_of[SIZES] = {0, 10, 300, 1000, 2500, 4000, 5000};
	struct reply *rps[SIZES];
	for (int z = 0; z < SIZES; z++)
		rps[z] = make_reply(200, "body", len_of[z]);
	char key[16];
	for (size_t m = 0; m < GZ_ARRAY_LEN(max_of); m++) {
		struct cache *c = cache_new(max_of[m]);
		int size_of[KEYS_N];
		unsigned seed = 12345u + (unsigned)m;
		for (int op = 0; op < 20000; op++) {
			seed = seed * 1103515245u + 12345u;
			int k = (int)((seed >> 8) % KEYS_N);
			/* A skewed choice: low keys far more often. */
			if ((seed >> 28) & 1)
				k %= 15;
			size_of[k] = (int)((seed >> 4) % SIZES);
			ask(c, scan_key(key, sizeof key, k), rps[size_of[k]]);
			if (op % 500 != 499)
				continue;
			struct cache_stats s = stats(c);
			assert_true(s.bytes <= max_of[m]);
			assert_true(s.main_bytes <= s.bytes && s.main_entries <= s.entries);
			size_t bytes = 0, entries = 0;
			for (int j = 0; j < KEYS_N; j++) {
				struct reply *got = peek(c, scan_key(key, sizeof key, j));
				if (got == NULL)
					continue;
				entries++;
				bytes += charge(7, got->len);
			}
			assert_int_equal(s.entries, entries);
			assert_int_equal(s.bytes, bytes);
			/* The ghost holds no more than main could, at the smallest charge. */
			assert_true(s.ghost_entries <= max_of[m] / charge(7, 0));
		}
		struct cache_stats s = stats(c);
		assert_true(s.evictions > 0 && s.promotions > 0);
		cache_free(c);
	}
	for (int z = 0; z < SIZES; z++)
		free_all(NULL, &rps[z], 1);
}

/* cache_clear() forgets the ghost too: a key evicted before is a new key after. */
static void test_clear_drops_ghosts(void **state)
{
	(void)state;
	size_t one = charge(7, 400);
	struct cache *c = cache_new(10 * one);
	struct reply *rp = make_reply(200, "body", 400);
	char key[16];
	ask(c, "/h00000", rp);
	assert_non_null(peek(c, "/h00000"));
	for (int k = 0; k < 15; k++)
		ask(c, scan_key(key, sizeof key, k), rp);
	struct cache_stats s = stats(c);
	assert_int_equal(s.main_entries, 1);
	assert_int_equal(s.ghost_entries, 6);

	cache_clear(c);
	s = stats(c);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(s.main_entries, 0);
	assert_int_equal(s.main_bytes, 0);
	assert_int_equal(s.ghost_entries, 0);
	assert_int_equal(refs(rp), 1);
	/* /s00000, evicted to the ghost before the clear, goes to small like any new key. */
	ask(c, scan_key(key, sizeof key, 0), rp);
	s = stats(c);
	assert_int_equal(s.ghost_hits, 0);
	assert_int_equal(s.main_entries, 0);
	assert_int_equal(s.entries, 1);
	free_all(c, &rp, 1);
}

/*
 * Threads at once: each gets and puts its own replies under sixteen shared
 * keys, one also clears now and then.  Checked afterwards: a get only ever
 * found a reply made for its key, every lookup was counted once, the bound
 * held, and every reference the cache took was given back.
 */
#define THREADS 4
#define ROUNDS  200000
#define KEYS    16

struct worker {
	struct cache *c;
	pthread_barrier_t *start;
	int id;
	struct reply *mine[KEYS];
	unsigned wrong, gets;
};

static const char *key_of(int k)
{
	static const char *const keys[KEYS] = {"/k00", "/k01", "/k02", "/k03", "/k04", "/k05",
	                                       "/k06", "/k07", "/k08", "/k09", "/k10", "/k11",
	                                       "/k12", "/k13", "/k14", "/k15"};
	return keys[k];
}

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned seed = (unsigned)w->id * 7919u + 1;
	pthread_barrier_wait(w->start); /* all at once, not one after the other */
	for (int i = 0; i < ROUNDS; i++) {
		seed = seed * 1103515245u + 12345u;
		int k = (int)((seed >> 16) % KEYS);
		const char *key = key_of(k);
		uint64_t gen = cache_generation(w->c);
		struct reply *rp = cache_get(w->c, key, strlen(key));
		w->gets++;
		if (rp) {
			if (rp->len < 4 || memcmp(rp->rep[CODING_IDENTITY].body, key, 4) != 0)
				w->wrong++;
			reply_release(rp);
		} else {
			cache_put(w->c, key, strlen(key), w->mine[k], gen);
		}
		if (w->id == 0 && i % 200 == 199)
			cache_clear(w->c);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	size_t one = charge(4, 2000);
	size_t max = 10 * one; /* room for ten of the sixteen keys */
	struct cache *c = cache_new(max);
	struct worker w[THREADS];
	pthread_t t[THREADS];
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.c = c, .start = &start, .id = i};
		for (int k = 0; k < KEYS; k++)
			w[i].mine[k] = make_reply(200, key_of(k), 2000);
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	unsigned gets = 0;
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].wrong, 0);
		gets += w[i].gets;
	}
	pthread_barrier_destroy(&start);
	struct cache_stats s = stats(c);
	assert_int_equal(s.hits + s.misses, gets);
	assert_int_equal(s.hits + s.misses, (uint64_t)THREADS * ROUNDS);
	assert_true(s.hits > 0 && s.stores > 0 && s.evictions > 0);
	assert_int_equal(s.clears, ROUNDS / 200);
	assert_true(s.entries <= 10);
	assert_true(s.bytes <= max);
	assert_int_equal(s.bytes, s.entries * one);
	/* What is left is each key's own reply, and only its references are the cache's. */
	unsigned held = 0;
	for (int i = 0; i < THREADS; i++)
		for (int k = 0; k < KEYS; k++)
			held += refs(w[i].mine[k]) - 1;
	assert_int_equal(held, s.entries);
	cache_free(c);
	for (int i = 0; i < THREADS; i++)
		free_all(NULL, w[i].mine, KEYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_put_get),
	    cmocka_unit_test(test_too_big_to_keep),
	    cmocka_unit_test(test_replacing_an_entry),
	    cmocka_unit_test(test_charge_for_a_body_made_later),
	    cmocka_unit_test(test_charged_what_it_holds),
	    cmocka_unit_test(test_grown_too_big_goes_alone),
	    cmocka_unit_test(test_eviction),
	    cmocka_unit_test(test_bound_holds),
	    cmocka_unit_test(test_generations),
	    cmocka_unit_test(test_zero_size_is_off),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_scan_keeps_hot_set),
	    cmocka_unit_test(test_one_hit_wonders_keep_hot_set),
	    cmocka_unit_test(test_ghost_readmits_to_main),
	    cmocka_unit_test(test_bound_holds_for_any_sizes),
	    cmocka_unit_test(test_clear_drops_ghosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
