/*
 * server.c: `gazette serve`.  Sets up the database and the theme, runs
 * libmicrohttpd with a pool of worker threads, and stops cleanly.
 *
 * libmicrohttpd 0.9.75 closes the connection after any response queued on
 * the first call of the access handler, so every request is answered on
 * its second call (see NOTES-libmicrohttpd.md, section 2).
 */
#include "gazette/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gazette/app.h"
#include "gazette/buf.h"
#include "gazette/cache.h"
#include "gazette/dbwatch.h"
#include "gazette/http.h"
#include "gazette/import.h"
#include "gazette/listener.h"
#include "gazette/router.h"
#include "gazette/util.h"

/* How long SIGTERM waits for requests in flight before closing anyway. */
#define DRAIN_SECONDS 30

static atomic_uint in_flight;

/* Every worker's state, so that it can be freed once the daemon has stopped. */
static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct worker **workers;
static size_t nworkers;
static _Thread_local struct worker *thread_worker;

static struct worker *current_worker(void)
{
	if (thread_worker == NULL) {
		thread_worker = xcalloc(1, sizeof *thread_worker);
		pthread_mutex_lock(&workers_lock);
		workers = xrealloc(workers, (nworkers + 1) * sizeof *workers);
		workers[nworkers++] = thread_worker;
		pthread_mutex_unlock(&workers_lock);
	}
	return thread_worker;
}

static void free_workers(void)
{
	for (size_t i = 0; i < nworkers; i++)
		worker_free(workers[i]);
	free(workers);
	workers = NULL;
	nworkers = 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* libmicrohttpd's own messages, in our log format. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* Mostly about clients (bad requests, early closes): not worth a warning each. */
	log_msg(LOG_DEBUG, "http: %s", msg);
}

/* A connection's request state: made when it opens, reused by each of its requests. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct request *req = xcalloc(1, sizeof *req);
		req->app = cls;
		req->conn = conn;
		*socket_context = req;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		struct request *req = *socket_context;
		buf_free(&req->target);
		buf_free(&req->key);
		free(req->decoded);
		free(req);
		*socket_context = NULL;
	}
}

/*
 * Called with the raw request target before anything else: a request
 * begins (its return value becomes *con_cls).
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct request *req = ci ? ci->socket_context : NULL;
	if (req == NULL)
		return NULL;
	buf_reset(&req->target);
	buf_puts(&req->target, uri ? uri : "");
	req->seen = false;
	req->status = 0;
	req->bytes = 0;
	req->started_ns = monotonic_ns();
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;
	if (req && req->seen) {
		req->seen = false;
		atomic_fetch_sub(&in_flight, 1);
	}
	*con_cls = NULL;
}

/*
 * Drops the cached answers when the database has changed (a commit from
 * any process) or a scheduled article has come due.  With a wal-index to
 * watch this costs a few nanoseconds and no SQLite call.
 */
static void check_freshness(struct app *app, struct worker *w, int64_t now)
{
	if (app->watching) {
		uint64_t stamp = dbwatch_stamp(&app->watch);
		uint_fast64_t seen = atomic_load(&app->stamp);
		if (stamp != seen && atomic_compare_exchange_strong(&app->stamp, &seen, stamp))
			cache_clear(app->cache);
	} else if (w->store) {
		/* No wal-index (not WAL mode): ask this thread's connection. */
		long long v = store_data_version(w->store);
		if (v != w->cache_version) {
			w->cache_version = v;
			cache_clear(app->cache);
		}
	}
	int_fast64_t due = atomic_load(&app->next_due);
	if (now >= due && atomic_compare_exchange_strong(&app->next_due, &due, INT64_MAX))
		cache_clear(app->cache);
}

/* Sends a reply and lets go of it. */
static enum MHD_Result send_reply(struct request *req, struct reply *rp)
{
	if (rp == NULL)
		return MHD_NO;
	enum MHD_Result ret = reply_send(rp, req);
	reply_release(rp);
	return ret;
}

/*
 * Answers req: from the cache when it can, else through the router (or
 * with status and detail when the server refuses it before routing),
 * storing what may be reused.
 */
static enum MHD_Result answer(struct app *app, struct request *req, unsigned status,
                              const char *detail)
{
	struct worker *w = current_worker();
	req->worker = w;
	req->now = (int64_t)time(NULL);
	check_freshness(app, w, req->now);

	if (status == 0) {
		router_route(req);
		if (req->cacheable) {
			struct reply *hit = cache_get(app->cache, req->key.data, req->key.len);
			if (hit)
				return send_reply(req, hit);
		}
	}

	/* A miss: render from the database as it is now. */
	uint64_t generation = cache_generation(app->cache);
	struct response resp;
	response_init(&resp);
	if (worker_refresh(app, w, req->now) < 0)
		router_reject(req, &resp, 503, "The database is not available right now.");
	else if (status)
		router_reject(req, &resp, status, detail);
	else
		router_answer(req, &resp);
	/* Pages change with the content and with the program that draws them. */
	if (resp.last_modified == 0)
		resp.last_modified = w->last_change > app->started ? w->last_change : app->started;

	struct reply *rp = reply_new(&resp);
	response_free(&resp);
	if (rp && status == 0 && req->cacheable)
		cache_put(app->cache, req->key.data, req->key.len, rp, generation);
	return send_reply(req, rp);
}

/* True if the request announces a body (Content-Length above 0, or chunked). */
static bool has_body(struct MHD_Connection *conn)
{
	const char *len =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	return te != NULL || (len != NULL && strspn(len, "0") != strlen(len));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct app *app = cls;
	struct request *req = *con_cls;

	if (req == NULL)
		return MHD_NO;
	if (!req->seen) {
		req->seen = true;
		req->method = http_method_parse(method);
		atomic_fetch_add(&in_flight, 1);
		/*
		 * No route takes a body yet, so one is refused before it is sent:
		 * other methods get their 405 (or 404) now, a GET with a body 413.
		 * Answering this early closes the connection, which is right for
		 * a client whose body will not be read.
		 */
		if (!(req->method & (METHOD_GET | METHOD_HEAD)))
			return answer(app, req, 0, NULL);
		if (has_body(conn))
			return answer(app, req, 413, "This address takes no request body.");
		/* Headers are in; answer on the next call so the connection stays open. */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0; /* only reached after an early answer: discard */
		return MHD_YES;
	}
	return answer(app, req, 0, NULL);
}

/* ---- setting up ---------------------------------------------------------- */

/* Creates the database with the sample site if it does not exist yet. */
static int prepare_database(const struct serve_options *opts)
{
	struct diag err;
	struct store *st;
	bool created = false;

	diag_clear(&err);
	if (store_open(opts->db_path, opts->read_only ? STORE_READONLY : STORE_CREATE, &st,
	               &created, &err) < 0) {
		diag_print(&err);
		return -1;
	}
	if (created) {
		struct import_stats stats;
		if (import_builtin(st, &stats, &err) < 0) {
			diag_print(&err);
			store_close(st);
			store_remove(opts->db_path);
			return -1;
		}
		log_msg(LOG_INFO,
		        "created %s with the built-in sample site (%u articles and pages)",
		        opts->db_path, stats.added);
	}
	store_close(st);
	return 0;
}

/*
 * Opens the cache and what tells it the data changed: a connection held for
 * the server's life (so the wal-index stays put) and the wal-index mapped.
 */
static int open_watch(struct app *app, const struct serve_options *opts)
{
	struct diag err;
	diag_clear(&err);
	if (store_open(opts->db_path, opts->read_only ? STORE_READONLY : 0, &app->sentinel, NULL,
	               &err) < 0) {
		diag_print(&err);
		return -1;
	}
	app->watching = dbwatch_open(&app->watch, opts->db_path) == 0;
	if (app->watching)
		atomic_init(&app->stamp, dbwatch_stamp(&app->watch));
	else
		log_msg(LOG_INFO, "no wal-index to watch: the cache asks SQLite on each request");
	atomic_init(&app->next_due, INT64_MAX);
	app->cache = cache_new((size_t)opts->cache_mib << 20);
	return 0;
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 && n < 256 ? (unsigned)n : 2;
}

/* Waits for SIGTERM or SIGINT (blocked in every thread, so only here). */
static void wait_for_stop(const sigset_t *set)
{
	for (;;) {
		int sig;
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT) {
			log_msg(LOG_INFO, "%s: finishing the requests in flight",
			        sig == SIGTERM ? "SIGTERM" : "SIGINT");
			return;
		}
	}
}

/*
 * Waits until no request is in flight, for DRAIN_SECONDS at most; a second
 * SIGTERM or SIGINT cuts the wait short.
 */
static void drain(const sigset_t *set)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	for (int i = 0; i < DRAIN_SECONDS * 20 && atomic_load(&in_flight) > 0; i++) {
		int sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			log_msg(LOG_WARN, "second signal: stopping now");
			return;
		}
	}
	if (atomic_load(&in_flight) > 0)
		log_msg(LOG_WARN, "%u request(s) still running after %d s; stopping anyway",
		        atomic_load(&in_flight), DRAIN_SECONDS);
}

int serve_run(const struct serve_options *opts)
{
	struct app app = {0};
	struct listener *listener = NULL;
	struct MHD_Daemon *d = NULL;
	struct diag err;
	char where[128];
	int rc = 1;

	diag_clear(&err);
	/*
	 * Rendering allocates and frees a few hundred kilobytes per miss; left
	 * to its defaults glibc gives the memory back to the kernel after each
	 * one (madvise, page faults, TLB flushes on every core).  Keep it.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	app.db_path = opts->db_path;
	app.read_only = opts->read_only;
	app.started = (int64_t)time(NULL);
	if (opts->public_url && (app.public_url = public_url_normalise(opts->public_url)) == NULL) {
		cli_error("--public-url %s: expected an absolute http:// or https:// URL, "
		          "e.g. https://example.org/blog",
		          opts->public_url);
		return 1;
	}

	/* Signals are taken here by sigwait(); every thread started from now inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* The port first: a busy port should not leave a new database behind. */
	if ((listener = listener_open(opts->listen, where, sizeof where)) == NULL)
		goto out;
	app.listen_url = xstrdup(where);
	if (prepare_database(opts) < 0)
		goto out;
	if (app_load_files(&app, opts->theme_dir, &err) < 0) {
		diag_print(&err);
		goto out;
	}
	if (open_watch(&app, opts) < 0)
		goto out;

	unsigned threads = opts->threads ? opts->threads : default_threads();
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                 MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG;
	unsigned timeout = opts->timeout ? opts->timeout : 30u;
	unsigned max_conns = opts->max_connections ? opts->max_connections : 1000u;
	/* clang-format off */
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &app,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, /* must come first */
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, &app,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, &app,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0u,
		MHD_OPTION_CONNECTION_TIMEOUT, timeout,
		MHD_OPTION_CONNECTION_LIMIT, max_conns,
		/* Above 32 KiB each connection's pool is mmap'd (NOTES, section 4). */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
		MHD_OPTION_END);
	/* clang-format on */
	if (d == NULL || listener_start(listener, d) < 0) {
		cli_error("cannot start the HTTP server on %s", opts->listen);
		goto out;
	}
	log_msg(LOG_INFO, "listening on %s/ with %u thread%s, database %s%s, public URL %s", where,
	        threads, threads == 1 ? "" : "s", opts->db_path,
	        opts->read_only ? " (read-only)" : "",
	        app.public_url ? app.public_url : "from site.yaml, or the listening address");

	wait_for_stop(&set);
	/* Stop taking connections, let the requests in flight finish, then close. */
	listener_stop(listener);
	drain(&set);
	log_msg(LOG_INFO, "stopped");
	rc = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	listener_free(listener);
	free_workers();
	cache_free(app.cache);
	if (app.watching)
		dbwatch_close(&app.watch);
	store_close(app.sentinel);
	app_free_files(&app);
	free(app.public_url);
	free(app.listen_url);
	return rc;
}
