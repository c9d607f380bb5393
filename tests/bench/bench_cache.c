/*
 * bench_cache.c: hit ratios of the answer cache (cache.c, S3-FIFO) on
 * synthetic traces, beside those of the CLOCK policy cache.c used before
 * (simulated here, with the same byte charge: linked with cache.c as it
 * was at commit 9c8976e, the simulation's ratios were those of the real
 * CLOCK cache to the last digit on every trace), and the time per request
 * (`meson test --benchmark cache`).
 *
 * Traces, all from fixed seeds: requests for KEYS addresses ("/articles/
 * story-NNNNNN"), picked by Zipf's law with s = 1 (P(rank k) ~ 1/k), the
 * ranks in a shuffled order; each address has a reply of 8 to 30 KB, like
 * real pages.  "zipf" is that stream alone; "zipf+scan" has a crawler
 * walking every address once mixed in, one crawler request after every
 * two of the stream, from the middle of the stream on.  Every request is a
 * get, and on a miss a put, as the server does.  The first WARMUP requests
 * of the stream are not counted.  Hit ratios, CLOCK's then S3-FIFO's: of
 * the stream's requests (what readers ask for); of those in the window
 * (-w: from the middle on, 400,000 of them, while the crawler walks and
 * after); of all requests (-a, the crawler's too).  "promoted" and "ghost"
 * are cache.c's promotions and ghost entries at the end.
 *
 * It measures; it asserts only that both caches stayed in their bound.
 *
 *   bench_cache [REQUESTS]    default 2,000,000 of the stream
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"
#include "gazette/http/cache.h"
#include "gazette/http/http.h"

#define KEYS     100000
#define SIZES    23 /* replies of 8, 9, ... 30 KB */
#define WARMUP   200000
#define KEYLEN   22 /* "/articles/story-NNNNNN" */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next_rand(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static double cdf[KEYS];   /* cdf[k]: P(rank <= k) */
static int key_of_rank[KEYS];
static int size_of_key[KEYS];
static struct reply *replies[SIZES];

static void make_tables(void)
{
	double sum = 0;
	for (int k = 0; k < KEYS; k++) {
		sum += 1.0 / (k + 1);
		cdf[k] = sum;
	}
	for (int k = 0; k < KEYS; k++) {
		cdf[k] /= sum;
		key_of_rank[k] = k;
		size_of_key[k] = (int)(next_rand() % SIZES);
	}
	for (int k = KEYS - 1; k > 0; k--) {
		int j = (int)(next_rand() % (uint64_t)(k + 1));
		int t = key_of_rank[k];
		key_of_rank[k] = key_of_rank[j];
		key_of_rank[j] = t;
	}
	for (int z = 0; z < SIZES; z++) {
		struct response resp;
		response_init(&resp);
		resp.status = 200;
		resp.content_type = "text/html; charset=utf-8";
		while (resp.body.len < (size_t)(8 + z) * 1024)
			buf_puts(&resp.body, "<p>the council met on the river festival budget</p>\n");
		resp.body.len = (size_t)(8 + z) * 1024;
		replies[z] = reply_new(&resp, CODING_IDENTITY);
		response_free(&resp);
		if (replies[z] == NULL) {
			fprintf(stderr, "bench_cache: reply_new failed\n");
			exit(1);
		}
	}
}

static int zipf_key(void)
{
	double u = (double)(next_rand() >> 11) / 9007199254740992.0;
	int lo = 0, hi = KEYS - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return key_of_rank[lo];
}

/*
 * The window: the stream's requests from the middle on, while the crawler
 * walks and as many again after, where a scan does its harm.
 */
static bool *in_window;

/* A trace: key numbers, negative for the crawler's (-1 - key). */
static int *make_trace(long requests, bool scan, long *len)
{
	long n = requests + (scan ? KEYS : 0);
	int *t = malloc((size_t)n * sizeof *t);
	free(in_window);
	in_window = calloc((size_t)n, sizeof *in_window);
	if (t == NULL || in_window == NULL)
		exit(1);
	long i = 0, crawled = 0;
	for (long r = 0; r < requests; r++) {
		in_window[i] = r >= requests / 2 && r < requests / 2 + 4L * KEYS;
		t[i++] = zipf_key();
		if (scan && r >= requests / 2 && r % 2 == 1 && crawled < KEYS) {
			t[i++] = -1 - (int)crawled;
			crawled++;
		}
	}
	while (scan && crawled < KEYS) {
		t[i++] = -1 - (int)crawled;
		crawled++;
	}
	*len = i;
	return t;
}

/* What cache.c charges an entry, read back from a cache holding one. */
static size_t overhead;

static size_t charge(size_t len)
{
	return overhead + KEYLEN + len + len / 2;
}

static void measure_overhead(void)
{
	struct cache *c = cache_new(1 << 30);
	cache_put(c, "/articles/story-000000", KEYLEN, replies[0], cache_generation(c));
	struct cache_stats s;
	cache_get_stats(c, &s);
	overhead = s.bytes - charge(0) - replies[0]->len - replies[0]->len / 2;
	cache_free(c);
}

/*
 * The CLOCK policy of cache.c before S3-FIFO: a ring; a new entry goes just
 * behind the hand; to make room the hand passes over, once, an entry hit
 * since it came by (clearing its flag), and evicts the first one not hit.
 */
struct clock_sim {
	int prev[KEYS], next[KEYS];
	bool present[KEYS], used[KEYS];
	int hand; /* -1: empty */
	size_t bytes, max_bytes;
};

static bool clock_get(struct clock_sim *s, int k)
{
	if (!s->present[k])
		return false;
	s->used[k] = true;
	return true;
}

static void clock_put(struct clock_sim *s, int k)
{
	size_t want = charge(replies[size_of_key[k]]->len);
	if (want > s->max_bytes / 8)
		return;
	while (s->hand >= 0 && s->bytes + want > s->max_bytes) {
		int e = s->hand;
		if (s->used[e]) {
			s->used[e] = false;
			s->hand = s->next[e];
			continue;
		}
		s->present[e] = false;
		s->bytes -= charge(replies[size_of_key[e]]->len);
		if (s->next[e] == e) {
			s->hand = -1;
		} else {
			s->prev[s->next[e]] = s->prev[e];
			s->next[s->prev[e]] = s->next[e];
			s->hand = s->next[e];
		}
	}
	s->present[k] = true;
	s->used[k] = false;
	s->bytes += want;
	if (s->hand < 0) {
		s->prev[k] = s->next[k] = k;
		s->hand = k;
	} else {
		s->next[k] = s->hand;
		s->prev[k] = s->prev[s->hand];
		s->next[s->prev[k]] = k;
		s->prev[s->hand] = k;
	}
}

struct result {
	long stream, stream_hits, all, all_hits, window, window_hits;
	double ns_per_request;
};

static void count(struct result *r, long i, bool crawler, bool hit)
{
	if (i < WARMUP)
		return;
	r->all++;
	r->all_hits += hit;
	if (!crawler) {
		r->stream++;
		r->stream_hits += hit;
	}
	if (in_window[i]) {
		r->window++;
		r->window_hits += hit;
	}
}

static struct result run_clock(const int *t, long n, size_t max_bytes)
{
	struct clock_sim *s = calloc(1, sizeof *s);
	if (s == NULL)
		exit(1);
	s->hand = -1;
	s->max_bytes = max_bytes;
	struct result r = {0};
	for (long i = 0; i < n; i++) {
		int k = t[i] < 0 ? -1 - t[i] : t[i];
		bool hit = clock_get(s, k);
		if (!hit)
			clock_put(s, k);
		if (s->bytes > max_bytes) {
			fprintf(stderr, "bench_cache: CLOCK over its bound\n");
			exit(1);
		}
		count(&r, i, t[i] < 0, hit);
	}
	free(s);
	return r;
}

static struct result run_cache(const int *t, long n, size_t max_bytes, struct cache_stats *out)
{
	struct cache *c = cache_new(max_bytes);
	struct result r = {0};
	char key[32];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int k = t[i] < 0 ? -1 - t[i] : t[i];
		int len = snprintf(key, sizeof key, "/articles/story-%06d", k);
		if (len != KEYLEN) {
			fprintf(stderr, "bench_cache: key of %d bytes\n", len);
			exit(1);
		}
		uint64_t gen = cache_generation(c);
		struct reply *rp = cache_get(c, key, (size_t)len);
		if (rp == NULL)
			cache_put(c, key, (size_t)len, replies[size_of_key[k]], gen);
		reply_release(rp);
		count(&r, i, t[i] < 0, rp != NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r.ns_per_request = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	                    (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n;
	cache_get_stats(c, out);
	if (out->bytes > max_bytes) {
		fprintf(stderr, "bench_cache: cache.c over its bound\n");
		exit(1);
	}
	cache_free(c);
	return r;
}

static double ratio(long hits, long n)
{
	return n ? (double)hits / (double)n : 0;
}

int main(int argc, char **argv)
{
	long requests = argc > 1 ? atol(argv[1]) : 2000000;
	if (requests <= WARMUP) {
		fprintf(stderr, "usage: bench_cache [REQUESTS > %d]\n", WARMUP);
		return 2;
	}
	make_tables();
	measure_overhead();
	static const unsigned mib[] = {16, 64, 256};
	printf("cache hit ratios: Zipf s=1 over %d addresses, replies of 8-30 KB, %ld requests"
	       " (first %d not counted)\n",
	       KEYS, requests, WARMUP);
	printf("%-10s %5s %8s %8s %8s %8s %8s %8s %9s %7s %7s\n", "trace", "MiB", "clock",
	       "s3fifo", "clock-w", "s3-w", "clock-a", "s3-a", "promoted", "ghost", "ns/req");
	for (int scan = 0; scan <= 1; scan++) {
		rng = 0x9E3779B97F4A7C15ULL + 7;
		long n;
		int *t = make_trace(requests, scan, &n);
		for (size_t m = 0; m < GZ_ARRAY_LEN(mib); m++) {
			size_t max = (size_t)mib[m] << 20;
			struct result rc = run_clock(t, n, max);
			struct cache_stats cs;
			struct result rs = run_cache(t, n, max, &cs);
			printf("%-10s %5u %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %9llu %7zu %7.0f\n",
			       scan ? "zipf+scan" : "zipf", mib[m],
			       ratio(rc.stream_hits, rc.stream), ratio(rs.stream_hits, rs.stream),
			       ratio(rc.window_hits, rc.window), ratio(rs.window_hits, rs.window),
			       ratio(rc.all_hits, rc.all), ratio(rs.all_hits, rs.all),
			       (unsigned long long)cs.promotions, cs.ghost_entries,
			       rs.ns_per_request);
			fflush(stdout);
		}
		free(t);
	}
	free(in_window);
	for (int z = 0; z < SIZES; z++)
		reply_release(replies[z]);
	return 0;
}
