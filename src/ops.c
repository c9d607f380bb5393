/* ops.c: answers for the people who run the site: /healthz and /metrics. */
#include <stdio.h>

#include "gazette/app.h"
#include "gazette/cache.h"
#include "gazette/handlers.h"

void ops_healthz(struct request *req, struct response *resp)
{
	bool ok = store_ping(req->worker->store) == 0;
	response_text(resp, ok ? 200 : 503, ok ? "ok\n" : "database unavailable\n");
	resp->cache_control = "no-store";
}

static void metric(struct buf *b, const char *name, const char *type, const char *help,
                   unsigned long long value)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, value);
}

/* Prometheus text format (version 0.0.4). */
void ops_metrics(struct request *req, struct response *resp)
{
	struct cache_stats cs;
	cache_get_stats(req->app->cache, &cs);

	struct buf *b = &resp->body;
	buf_reset(b);
	metric(b, "gazette_cache_hits_total", "counter", "Requests answered from the cache.",
	       cs.hits);
	metric(b, "gazette_cache_misses_total", "counter",
	       "Cacheable requests that had to be rendered.", cs.misses);
	metric(b, "gazette_cache_stores_total", "counter", "Answers put in the cache.", cs.stores);
	metric(b, "gazette_cache_evictions_total", "counter", "Answers evicted to stay in bounds.",
	       cs.evictions);
	metric(b, "gazette_cache_clears_total", "counter",
	       "Times the cache was emptied because the content changed.", cs.clears);
	metric(b, "gazette_cache_entries", "gauge", "Answers in the cache.", cs.entries);
	metric(b, "gazette_cache_bytes", "gauge", "Bytes the cache holds (as charged).", cs.bytes);
	metric(b, "gazette_cache_max_bytes", "gauge", "The cache's bound (--cache-size).",
	       cs.max_bytes);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->cache_control = "no-store";
}
