/*
 * ops.c: answers for the people who run the site: /healthz, and /metrics
 * in the Prometheus text format (version 0.0.4), with the counting of
 * each finished request that /metrics adds up.
 */
#define _GNU_SOURCE /* dladdr() */
#include <dirent.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazette/site/app.h"
#include "gazette/http/cache.h"
#include "gazette/base/filemem.h"
#include "gazette/base/memtrim.h"
#include "handlers.h"
#include "gazette/site/router.h"

void ops_healthz(struct request *req, struct response *resp)
{
	bool ok = store_ping(req->worker->store) == 0;
	response_text(resp, ok ? 200 : 503, ok ? "ok\n" : "database unavailable\n");
	resp->cache_control = "no-store";
}

static void help(struct buf *b, const char *name, const char *type, const char *text)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void metric(struct buf *b, const char *name, const char *type, const char *text,
                   double value)
{
	help(b, name, type, text);
	buf_printf(b, "%s %.17g\n", name, value);
}

/* The counters of every worker thread, added up. */
struct totals {
	uint64_t requests[ROUTER_MAX_ROUTES + 1][5];
	uint64_t latency[LATENCY_BUCKETS + 1];
	uint64_t latency_us;
	uint64_t articles_served;
};

static void add_up(struct app *app, struct totals *t)
{
	memset(t, 0, sizeof *t);
	pthread_mutex_lock(&app->workers_lock);
	for (size_t w = 0; w < app->nworkers; w++) {
		struct worker_stats *s = &app->workers[w]->stats;
		for (size_t r = 0; r <= ROUTER_MAX_ROUTES; r++)
			for (size_t c = 0; c < 5; c++)
				t->requests[r][c] +=
				    atomic_load_explicit(&s->requests[r][c], memory_order_relaxed);
		for (size_t b = 0; b <= LATENCY_BUCKETS; b++)
			t->latency[b] += atomic_load_explicit(&s->latency[b], memory_order_relaxed);
		t->latency_us += atomic_load_explicit(&s->latency_us, memory_order_relaxed);
		t->articles_served +=
		    atomic_load_explicit(&s->articles_served, memory_order_relaxed);
	}
	pthread_mutex_unlock(&app->workers_lock);
}

static void http_metrics(struct buf *b, struct app *app)
{
	struct totals t;
	add_up(app, &t);

	help(b, "gazette_http_requests_total", "counter",
	     "Requests answered, by route and status class.");
	size_t nroutes = router_route_count();
	for (size_t r = 0; r <= nroutes && r <= ROUTER_MAX_ROUTES; r++) {
		/* Routes share names (/ and /page/N are both "home"): count each name once. */
		const char *name = router_route_name(r);
		bool first = true;
		for (size_t k = 0; k < r; k++)
			first = first && strcmp(router_route_name(k), name) != 0;
		if (!first)
			continue;
		for (size_t c = 0; c < 5; c++) {
			uint64_t n = 0;
			for (size_t k = r; k <= nroutes && k <= ROUTER_MAX_ROUTES; k++)
				if (strcmp(router_route_name(k), name) == 0)
					n += t.requests[k][c];
			if (n || c == 1)
				buf_printf(b,
				           "gazette_http_requests_total{route=\"%s\",code=\"%"
				           "zuxx\"} %llu\n",
				           name, c + 1, (unsigned long long)n);
		}
	}

	help(b, "gazette_http_request_duration_seconds", "histogram",
	     "Time from the request line to the last byte of the answer.");
	uint64_t cumulative = 0;
	for (size_t i = 0; i < LATENCY_BUCKETS; i++) {
		cumulative += t.latency[i];
		buf_printf(b, "gazette_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
		           latency_bounds_us[i] / 1e6, (unsigned long long)cumulative);
	}
	cumulative += t.latency[LATENCY_BUCKETS];
	buf_printf(b, "gazette_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
	           (unsigned long long)cumulative);
	buf_printf(b, "gazette_http_request_duration_seconds_sum %.6f\n",
	           (double)t.latency_us / 1e6);
	buf_printf(b, "gazette_http_request_duration_seconds_count %llu\n",
	           (unsigned long long)cumulative);

	metric(b, "gazette_http_connections_open", "gauge", "Connections open now.",
	       atomic_load(&app->connections_open));
	metric(b, "gazette_http_connections_total", "counter", "Connections accepted.",
	       (double)atomic_load(&app->connections_total));
	metric(b, "gazette_articles_served_total", "counter",
	       "Articles answered (HTML pages and API objects).", (double)t.articles_served);
	help(b, "gazette_limit_hits_total", "counter",
	     "Requests and connections refused or closed by a limit (see gazette serve --help).");
	for (int i = 0; i < LIMIT__COUNT; i++)
		buf_printf(b, "gazette_limit_hits_total{limit=\"%s\"} %llu\n",
		           guard_limit_name((enum guard_limit)i),
		           (unsigned long long)guard_hits(app->guard, (enum guard_limit)i));
}

static void cache_metrics(struct buf *b, struct app *app)
{
	struct cache_stats cs;
	cache_get_stats(app->cache, &cs);
	metric(b, "gazette_cache_hits_total", "counter", "Requests answered from the cache.",
	       (double)cs.hits);
	metric(b, "gazette_cache_misses_total", "counter",
	       "Cacheable requests that had to be rendered.", (double)cs.misses);
	/* The two counters above say it too; a gauge is what a dashboard shows without a query. */
	uint64_t asked = cs.hits + cs.misses;
	metric(b, "gazette_cache_hit_ratio", "gauge",
	       "Hits over cacheable requests since the start (0 before any).",
	       asked > 0 ? (double)cs.hits / (double)asked : 0.0);
	metric(b, "gazette_cache_stores_total", "counter", "Answers put in the cache.",
	       (double)cs.stores);
	metric(b, "gazette_cache_evictions_total", "counter", "Answers evicted to stay in bounds.",
	       (double)cs.evictions);
	metric(b, "gazette_cache_clears_total", "counter",
	       "Times the cache was emptied because the content changed.", (double)cs.clears);
	metric(b, "gazette_cache_entries", "gauge", "Answers in the cache.", (double)cs.entries);
	metric(b, "gazette_cache_bytes", "gauge", "Bytes the cache holds (as charged).",
	       (double)cs.bytes);
	metric(b, "gazette_cache_max_bytes", "gauge", "The cache's bound (--cache-size).",
	       (double)cs.max_bytes);
	metric(b, "gazette_cache_main_entries", "gauge",
	       "Answers in the main queue: asked for again since they were stored.",
	       (double)cs.main_entries);
	metric(b, "gazette_cache_main_bytes", "gauge", "Bytes of the main queue (as charged).",
	       (double)cs.main_bytes);
	metric(b, "gazette_cache_ghost_entries", "gauge",
	       "Addresses recently evicted unused, remembered without their answer.",
	       (double)cs.ghost_entries);
	metric(b, "gazette_cache_promotions_total", "counter",
	       "Answers moved to the main queue because they were asked for again while new.",
	       (double)cs.promotions);
	metric(b, "gazette_cache_ghost_hits_total", "counter",
	       "Answers stored straight into the main queue: asked for again soon after eviction.",
	       (double)cs.ghost_hits);
}

static void memory_metrics(struct buf *b, struct app *app)
{
	metric(b, "gazette_memory_trims_total", "counter",
	       "Passes that gave the heap's free pages back to the kernel.",
	       (double)memtrim_passes(app->trim));
	struct filemem_stats fm;
	filemem_stats(&fm);
	metric(b, "gazette_memory_file_bytes", "gauge",
	       "Size of the file cached answers and search lists are kept in (0: none, the heap).",
	       (double)fm.size);
	metric(b, "gazette_memory_file_used_bytes", "gauge",
	       "Bytes of that file in use: file-backed memory the kernel may write out.",
	       (double)fm.used);
	metric(b, "gazette_memory_file_fallbacks_total", "counter",
	       "Blocks taken from the heap because that file was full.", (double)fm.fallbacks);
}

static double file_size(const char *path, const char *suffix)
{
	char name[4096];
	struct stat st;
	snprintf(name, sizeof name, "%s%s", path, suffix);
	return stat(name, &st) == 0 ? (double)st.st_size : 0.0;
}

static void database_metrics(struct buf *b, struct request *req)
{
	const char *db = req->app->db_path;
	metric(b, "gazette_database_size_bytes", "gauge",
	       "The database file and its write-ahead log, in bytes.",
	       file_size(db, "") + file_size(db, "-wal"));
	metric(b, "gazette_database_articles", "gauge", "Articles published now.",
	       (double)store_count_published(req->worker->store, req->now));
	metric(b, "gazette_database_last_change_timestamp_seconds", "gauge",
	       "When the published content last changed.", (double)req->worker->times.last_change);
	metric(b, "gazette_search_lists_bytes", "gauge",
	       "Bytes of the search's word lists, kept once for every worker (up to 32 MiB).",
	       (double)store_search_lists_bytes(req->worker->store));
}

static void process_metrics(struct buf *b, struct app *app)
{
	long page = sysconf(_SC_PAGESIZE);
	/* Pages: all, resident, and of those the shared ones (mapped files). */
	unsigned long vsize = 0, rss = 0, shared = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lu %lu %lu", &vsize, &rss, &shared) != 3)
			vsize = rss = shared = 0;
		fclose(f);
	}
	size_t fds = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			fds += e->d_name[0] != '.';
		closedir(d);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	metric(b, "process_cpu_seconds_total", "counter", "User and system CPU time.", cpu);
	metric(b, "process_resident_memory_bytes", "gauge",
	       "Resident memory (counts the mapped database pages too).",
	       (double)rss * (double)page);
	metric(b, "gazette_memory_private_bytes", "gauge",
	       "Private resident memory (RssAnon): the heap, stacks, the cache without its file.",
	       (double)(rss - shared) * (double)page);
	metric(b, "process_virtual_memory_bytes", "gauge", "Virtual memory.",
	       (double)vsize * (double)page);
	metric(b, "process_open_fds", "gauge", "Open file descriptors.", (double)fds - 1);
	metric(b, "process_start_time_seconds", "gauge", "When the server started.",
	       (double)app->started);
}

/*
 * The file this process takes malloc from, as the dynamic linker bound it:
 * libmimalloc.so.2 when the build linked mimalloc ahead of the C library
 * (meson.build says why), libc.so.6 when not, AddressSanitizer's runtime
 * in a sanitized build.  Read from the process, not from the build, so
 * that /metrics says what is really at work (but for valgrind, which runs
 * its own malloc in place of whichever is bound, unseen here).
 */
static const char *malloc_source(void)
{
	void *(*fn)(size_t) = malloc;
	void *at;
	Dl_info info;
	memcpy(&at, &fn, sizeof at); /* a function's address as data: ISO C has no cast for it */
	if (dladdr(at, &info) == 0 || info.dli_fname == NULL)
		return "unknown";
	const char *slash = strrchr(info.dli_fname, '/');
	return slash ? slash + 1 : info.dli_fname;
}

void ops_metrics(struct request *req, struct response *resp)
{
	/* Who asks, once the proxies in between are weighed (proxy.c). */
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct client client;
	client_identify(&req->app->trusted, ci ? ci->client_addr : NULL,
	                request_header(req, "Forwarded"), request_header(req, "X-Forwarded-For"),
	                NULL, NULL, &client);
	if (!trust_has_text(&req->app->metrics_allow, client.addr, strlen(client.addr)) &&
	    strcmp(client.addr, "unix") != 0) {
		response_text(resp, 403,
		              "Forbidden: /metrics is for the addresses of --metrics-allow.\n");
		resp->cache_control = "no-store";
		return;
	}

	struct buf *b = &resp->body;
	buf_reset(b);
	help(b, "gazette_build_info", "gauge",
	     "The version of gazette that answers, and the file its malloc comes from.");
	buf_printf(b, "gazette_build_info{version=\"%s\",malloc=\"%s\"} 1\n", GAZETTE_VERSION,
	           malloc_source());
	http_metrics(b, req->app);
	cache_metrics(b, req->app);
	memory_metrics(b, req->app);
	database_metrics(b, req);
	process_metrics(b, req->app);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->cache_control = "no-store";
}

const unsigned latency_bounds_us[LATENCY_BUCKETS] = {
    500,    1000,   2500,   5000,    10000,   25000,   50000,
    100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

void worker_count(struct worker *w, const struct request *req, uint64_t micros)
{
	struct worker_stats *s = &w->stats;
	size_t route = router_route_index(req);
	unsigned class = req->status >= 100 && req->status < 600 ? req->status / 100 - 1 : 4;
	if (route > ROUTER_MAX_ROUTES)
		route = ROUTER_MAX_ROUTES;
	atomic_fetch_add_explicit(&s->requests[route][class], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < LATENCY_BUCKETS && micros > latency_bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&s->latency[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->latency_us, micros, memory_order_relaxed);
	if (req->status == 200 && router_route_kind(req) == ROUTE_ARTICLE)
		atomic_fetch_add_explicit(&s->articles_served, 1, memory_order_relaxed);
}
