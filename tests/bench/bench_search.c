/*
 * bench_search.c: how long a search takes in the store, as the /search
 * page asks it (store_list_articles(), relevance order, 20 a page, with
 * snippets), over a list of queries (`meson test --benchmark search`,
 * scripts/bench-search.sh makes the database and the queries).
 *
 *   bench_search DB QUERIES [REPEAT]
 *
 * QUERIES: one query a line, as a reader types it.  Prints, per pass over
 * the list: queries, results per query, and CPU microseconds per query
 * (mean, p50, p99) of this thread, so that other work on the machine
 * changes the figures little.  The first pass is with cold caches (each
 * phrase's document count not known yet).  It measures; it asserts only
 * that every search succeeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"
#include "gazette/store/store.h"

static double cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The lines of path, each NUL-terminated in one buffer; their count in *n. */
static char **read_lines(const char *path, size_t *n, char **store)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, got);
	fclose(f);
	size_t count = 0;
	for (size_t i = 0; i < b.len; i++)
		count += b.data[i] == '\n';
	char **lines = xcalloc(count + 1, sizeof *lines);
	*n = 0;
	for (char *p = b.data; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p)
			lines[(*n)++] = p;
		p = nl ? nl + 1 : NULL;
	}
	*store = buf_detach(&b, NULL);
	return lines;
}

/* One pass over the queries: 0, or -1 when a search fails. */
static int pass(struct store *st, const struct store_urls *urls, char **qs, size_t n, int round)
{
	double *us = xcalloc(n, sizeof *us);
	unsigned long long results = 0;
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		struct article_query q = {
		    .q = qs[i], .order = ORDER_RELEVANCE, .limit = 20, .page = 1, .now = time(NULL)};
		json_t *articles = NULL;
		unsigned total = 0;
		double t0 = cpu_us();
		/* As the server reads: one snapshot for all the queries of a request. */
		bool snapshot = store_read_begin(st);
		int rc = store_list_articles(st, urls, &q, &articles, &total);
		store_read_end(st, snapshot);
		json_decref(articles);
		us[i] = cpu_us() - t0;
		if (rc < 0) {
			fprintf(stderr, "bench_search: '%s': %s\n", qs[i], store_errmsg(st));
			free(us);
			return -1;
		}
		sum += us[i];
		results += total;
	}
	qsort(us, n, sizeof *us, by_value);
	printf("pass %d: %zu queries, %.0f results a query; CPU us a query: mean %.1f, p50 %.1f, "
	       "p99 %.1f\n",
	       round, n, (double)results / (double)n, sum / (double)n, us[n / 2],
	       us[n * 99 / 100]);
	free(us);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_search DB QUERIES [REPEAT]\n");
		return 2;
	}
	int repeat = argc > 3 ? atoi(argv[3]) : 2;
	size_t n = 0;
	char *text = NULL;
	char **qs = read_lines(argv[2], &n, &text);
	if (qs == NULL || n == 0) {
		fprintf(stderr, "bench_search: no queries in %s\n", argv[2]);
		return 1;
	}
	struct store *st;
	struct diag err;
	diag_clear(&err);
	if (store_open(argv[1], STORE_READONLY | STORE_MMAP, &st, NULL, &err) < 0) {
		fprintf(stderr, "bench_search: %s: %s\n", err.file, err.msg);
		return 1;
	}
	struct store_urls urls = {.base = "http://127.0.0.1"};
	int rc = 0;
	for (int r = 1; r <= repeat && rc == 0; r++)
		rc = pass(st, &urls, qs, n, r);
	store_close(st);
	free(qs);
	free(text);
	return rc ? 1 : 0;
}
