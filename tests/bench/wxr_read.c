/*
 * wxr_read: reads a WordPress export through wxr_read() with a sink that
 * counts what it is handed, and prints the counts, the time it took and
 * the process's peak memory (scripts/bench-wxr.sh runs it on exports of
 * several sizes).  With --dump, prints each document instead: its place,
 * its front matter as JSON and its body, then the notices.
 *
 *   wxr-read FILE [--dump]
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "wxr.h"

struct count {
	bool dump;
	unsigned long docs;
	unsigned long long meta_bytes, body_bytes;
};

static int on_doc(void *ctx, const struct fm_doc *doc, const char *where, struct diag *err)
{
	struct count *c = ctx;
	char *json = json_dumps(doc->meta, JSON_COMPACT | JSON_SORT_KEYS);

	c->docs++;
	c->meta_bytes += json ? strlen(json) : 0;
	c->body_bytes += doc->body_len;
	if (c->dump)
		printf("== %s\n%s\n%.*s\n", where, json ? json : "?", (int)doc->body_len,
		       doc->body);
	free(json);
	return 0;
}

static int on_settings(void *ctx, json_t *settings, struct diag *err)
{
	struct count *c = ctx;
	if (c->dump) {
		char *json = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
		printf("== settings\n%s\n", json ? json : "?");
		free(json);
	}
	return 0;
}

static void on_notice(void *ctx, const char *msg)
{
	printf("notice: %s\n", msg);
}

int main(int argc, char **argv)
{
	struct count c = {0};
	struct import_sink sink = {on_doc, on_settings, on_notice, &c};
	struct wxr_stats st;
	struct diag err;
	struct timespec t0, t1;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--dump") != 0)) {
		fprintf(stderr, "usage: wxr-read FILE [--dump]\n");
		return 2;
	}
	c.dump = argc == 3;
	diag_clear(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = wxr_read(argv[1], &sink, &st, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc < 0) {
		diag_print(&err);
		return 1;
	}

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("WXR %s: %lu documents (%u posts, %u pages, %u drafts), %u skipped, %u comments "
	       "left out\n",
	       st.version, c.docs, st.posts, st.pages, st.drafts, wp_counts_total(&st.skipped),
	       st.comments);
	printf("front matter %llu bytes, bodies %llu bytes\n", c.meta_bytes, c.body_bytes);
	printf("%.2f s, peak RSS %ld KB\n", secs, ru.ru_maxrss);
	return 0;
}
