/*
 * server.c: `gazette serve`.  Sets up the database and the theme, runs
 * libmicrohttpd with a pool of worker threads, and stops cleanly.
 *
 * libmicrohttpd 0.9.75 closes the connection after any response queued on
 * the first call of the access handler, so every request is answered on
 * its second call: queuing on the first sets its discard_request flag,
 * which forbids keep-alive (connection.c in libmicrohttpd 0.9.75), and
 * every answer would carry Connection: close.
 */
#include "gazette/cmd/server.h"
#include "gazette/site/errors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gazette/base/accesslog.h"
#include "gazette/site/app.h"
#include "gazette/base/buf.h"
#include "gazette/base/filemem.h"
#include "gazette/base/memtrim.h"
#include "gazette/http/cache.h"
#include "gazette/store/dbcheck.h"
#include "gazette/store/dbwatch.h"
#include "gazette/http/guard.h"
#include "gazette/http/http.h"
#include "gazette/import/import.h"
#include "gazette/http/listener.h"
#include "gazette/site/router.h"
#include "gazette/base/util.h"

/* How long SIGTERM waits for requests in flight before closing anyway. */
#define DRAIN_SECONDS 30

/*
 * Requests begun (their first line read) and not yet answered, and
 * connections that have not begun one yet: what SIGTERM waits for.
 */
static atomic_uint in_flight;
static atomic_uint fresh_connections;
/* Connections libmicrohttpd told us of: behind listener_handed_over() for a moment. */
static atomic_uint_fast64_t started_connections;

/* How long SIGTERM gives a new connection to send its request. */
#define FRESH_GRACE_MS 2000

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* libmicrohttpd's own messages, in our log format. */
__attribute__((format(printf, 2, 0))) static void mhd_logger(void *cls, const char *fmt,
                                                             va_list ap)
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
	struct app *app = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct request *req = xcalloc(1, sizeof *req);
		req->app = app;
		req->conn = conn;
		req->fresh = true;
		atomic_fetch_add(&fresh_connections, 1);
		atomic_fetch_add(&started_connections, 1);
		*socket_context = req;
		const union MHD_ConnectionInfo *fd =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *peer =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		req->guards = app->guard;
		guard_open(app->guard, &req->guard, fd ? fd->connect_fd : -1,
		           peer ? peer->client_addr : NULL);
		atomic_fetch_add_explicit(&app->connections_open, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&app->connections_total, 1, memory_order_relaxed);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		atomic_fetch_sub_explicit(&app->connections_open, 1, memory_order_relaxed);
		struct request *req = *socket_context;
		if (req->fresh)
			atomic_fetch_sub(&fresh_connections, 1);
		if (req->begun) /* closed mid-request, with no completion call */
			atomic_fetch_sub(&in_flight, 1);
		guard_close(app->guard, &req->guard);
		buf_free(&req->target);
		buf_free(&req->key);
		buf_free(&req->body);
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
	req->uri_end = (uintptr_t)(uri ? uri + req->target.len : NULL);
	/* A request has begun: SIGTERM waits for it from now on. */
	if (req->fresh) {
		req->fresh = false;
		atomic_fetch_sub(&fresh_connections, 1);
	}
	if (!req->begun) {
		req->begun = true;
		atomic_fetch_add(&in_flight, 1);
	}
	req->seen = false;
	req->route = NULL; /* a request refused before routing has none */
	req->cacheable = false;
	req->status = 0;
	req->bytes = 0;
	req->auth = 0;
	req->codings_read = false;
	req->reading_body = false;
	req->body_too_big = false;
	req->started_ns = monotonic_ns();
	guard_request_line(req->app->guard, &req->guard, (int64_t)(req->started_ns / 1000000));
	return req;
}

/* Writes the access log line of a finished request. */
static void log_access(struct app *app, struct request *req, double seconds)
{
	/* Who the client is takes its headers and inet_ntop(): 4% of a cached page's CPU. */
	if (!accesslog_on())
		return;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct client client;
	client_identify(&app->trusted, ci ? ci->client_addr : NULL,
	                request_header(req, "Forwarded"), request_header(req, "X-Forwarded-For"),
	                request_header(req, "X-Forwarded-Proto"),
	                request_header(req, "X-Forwarded-Host"), &client);
	struct access_entry e = {
	    .client = client.addr,
	    .when = req->now,
	    .method = req->method_name,
	    .target = req->target.data,
	    .version = req->version,
	    .status = req->status,
	    .bytes = req->bytes,
	    .referer = request_header(req, MHD_HTTP_HEADER_REFERER),
	    .user_agent = request_header(req, MHD_HTTP_HEADER_USER_AGENT),
	    .seconds = seconds,
	};
	accesslog_write(&e);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct app *app = cls;
	struct request *req = *con_cls;
	*con_cls = NULL;
	if (req == NULL || !req->begun)
		return;
	req->begun = false;
	atomic_fetch_sub(&in_flight, 1);
	uint64_t now_ns = monotonic_ns();
	guard_request_done(app->guard, &req->guard, (int64_t)(now_ns / 1000000));
	if (req->body.cap > 65536)
		buf_free(&req->body); /* a large body's memory goes back */
	if (!req->seen)
		return;
	req->seen = false;
	uint64_t micros = (now_ns - req->started_ns) / 1000;
	if (req->status) {
		worker_count(app_worker(app), req, micros);
		log_access(app, req, (double)micros / 1e6);
	}
}

/*
 * Once a second: has the database file been replaced, as a replica is
 * (rsync, a restored backup)?  Connections keep reading the file they
 * opened, so they must be opened anew, and the old wal-index means nothing.
 */
static void check_replaced(struct app *app, int64_t now)
{
	int_fast64_t last = atomic_load(&app->file_checked);
	if (now == last || !atomic_compare_exchange_strong(&app->file_checked, &last, now))
		return;
	struct stat st;
	if (stat(app->db_path, &st) < 0)
		return;
	pthread_mutex_lock(&app->file_lock);
	bool replaced = st.st_ino != app->db_ino || st.st_dev != app->db_dev;
	/* An immutable reader sees no write in place; a new size or time is one. */
	if (app->db_immutable)
		replaced |= st.st_size != app->db_size || st.st_mtim.tv_sec != app->db_mtime.tv_sec ||
		            st.st_mtim.tv_nsec != app->db_mtime.tv_nsec;
	app->db_ino = st.st_ino;
	app->db_dev = st.st_dev;
	app->db_size = st.st_size;
	app->db_mtime = st.st_mtim;
	pthread_mutex_unlock(&app->file_lock);
	if (!replaced)
		return;
	log_msg(LOG_INFO, "%s was replaced: reading the new file", app->db_path);
	atomic_store(&app->watching, false);
	atomic_fetch_add(&app->db_generation, 1);
	cache_clear(app->cache);
}

/*
 * Drops the cached answers when the database has changed (a commit from
 * any process) or a scheduled article has come due.  With a wal-index to
 * watch this costs a few nanoseconds and no SQLite call.
 */
static void check_freshness(struct app *app, struct worker *w, int64_t now)
{
	check_replaced(app, now);
	if (atomic_load_explicit(&app->watching, memory_order_relaxed)) {
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
	/* --send-timeout counts from here: the time it took to render is not the client's. */
	guard_answering(req->app->guard, &req->guard, (int64_t)(monotonic_ns() / 1000000));
	enum MHD_Result ret = reply_send(rp, req);
	/* A body made for this client now weighs on the cache that keeps rp. */
	if (reply_grown(rp) && req->cacheable)
		cache_charge(req->app->cache, req->key.data, req->key.len, rp);
	reply_release(rp);
	return ret;
}

/* This thread's worker for req, and the moment it arrived. */
static struct worker *prepare(struct app *app, struct request *req)
{
	struct worker *w = app_worker(app);
	req->worker = w;
	req->now = (int64_t)time(NULL);
	check_freshness(app, w, req->now);
	/* A new thread learns the public URL (and its path) before its first route. */
	if (w->public_url == NULL)
		worker_refresh(app, w, req->now);
	return w;
}

/* Sends resp (and frees it), keeping it in the cache when gen is given. */
static enum MHD_Result send_response(struct app *app, struct request *req, struct worker *w,
                                     struct response *resp, const uint64_t *gen)
{
	/*
	 * What the handler did not say: the last change of the content (the
	 * time the server started tells a cache nothing).  A site with nothing
	 * in it yet changed when the program that draws it was made.
	 */
	if (resp->last_modified == 0)
		resp->last_modified = w->times.last_change ? w->times.last_change : app->built;
	struct reply *rp = reply_new(resp, request_coding(req));
	response_free(resp);
	if (rp && gen)
		cache_put(app->cache, req->key.data, req->key.len, rp, *gen);
	return send_reply(req, rp);
}

/*
 * Renders the answer to a routed req from the database as it is now (or
 * refuses it with status and detail), storing what may be reused.
 */
static enum MHD_Result respond(struct app *app, struct request *req, struct worker *w,
                               unsigned status, const char *detail)
{
	uint64_t generation = cache_generation(app->cache);
	struct response resp;
	response_init(&resp);
	if (worker_refresh(app, w, req->now) < 0)
		errors_reject(req, &resp, 503, "The database is not available right now.");
	else if (status)
		errors_reject(req, &resp, status, detail);
	else {
		/* A read sees the database at one moment, however many queries it makes. */
		bool snapshot =
		    (req->method & (METHOD_GET | METHOD_HEAD)) && store_read_begin(w->store);
		router_answer(req, &resp);
		store_read_end(w->store, snapshot);
	}
	return send_response(app, req, w, &resp,
	                     status == 0 && req->cacheable ? &generation : NULL);
}

/*
 * Answers req: from the cache when it can, else through the router (or
 * with status and detail when the server refuses it before routing).
 */
static enum MHD_Result answer(struct app *app, struct request *req, unsigned status,
                              const char *detail)
{
	struct worker *w = prepare(app, req);
	if (status == 0) {
		router_route(req);
		if (req->cacheable) {
			struct reply *hit = cache_get(app->cache, req->key.data, req->key.len);
			if (hit)
				return send_reply(req, hit);
		}
	}
	return respond(app, req, w, status, detail);
}

/* What one pass over a request's headers finds, for every check that needs them. */
struct header_tally {
	size_t bytes;
	unsigned count;
	unsigned hosts, lengths; /* Host and Content-Length fields */
	bool bad_name;           /* empty, or with whitespace before the colon */
	bool chunked;            /* a Transfer-Encoding field */
	unsigned long long length; /* the Content-Length's value */
};

static enum MHD_Result tally_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	struct header_tally *t = cls;
	t->count++;
	t->bytes += key_size + value_size + 4; /* ": " and CRLF */
	if (key_size == 0 || key[key_size - 1] == ' ' || key[key_size - 1] == '\t')
		t->bad_name = true;
	else if (strcasecmp(key, "Host") == 0)
		t->hosts++;
	else if (strcasecmp(key, "Content-Length") == 0) {
		t->lengths++;
		t->length = strtoull(value, NULL, 10);
	} else if (strcasecmp(key, "Transfer-Encoding") == 0)
		t->chunked = true;
	return MHD_YES;
}

/*
 * What the request's line and headers break, checked once they are all
 * in: 0, or the status to answer with *why (limits hit are counted and
 * logged).  version is libmicrohttpd's pointer into the request line; t
 * is filled with what the headers say, for the caller too.
 */
static unsigned check_request(struct app *app, struct request *req, const char *version,
                              struct header_tally *t, const char **why)
{
	const struct guard_limits *l = guard_limits(app->guard);
	/*
	 * libmicrohttpd hands over the target as a C string, so "/a\0b" would
	 * arrive as "/a".  Its version string follows the target in the same
	 * buffer: a gap between the two is a NUL inside the target.
	 */
	uintptr_t v = (uintptr_t)version;
	if (v > req->uri_end + 1 && v - req->uri_end < 65536) {
		*why = "The request line has a NUL byte.";
		return 400;
	}
	if (req->target.len > l->max_uri) {
		guard_hit(app->guard, LIMIT_URI, &req->guard);
		*why = "The address is too long.";
		return 414;
	}
	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, tally_header, t);
	if (t->count > l->max_headers || t->bytes > l->max_header_bytes) {
		guard_hit(app->guard,
		          t->count > l->max_headers ? LIMIT_HEADER_COUNT : LIMIT_HEADER_BYTES,
		          &req->guard);
		*why = "The request's headers are too large.";
		return 431;
	}
	/* RFC 9112: each of these MUST be answered 400. */
	if (t->bad_name) {
		*why = "A header name is empty or followed by whitespace before its colon.";
		return 400;
	}
	if (t->hosts > 1 || (t->hosts == 0 && strcmp(version, "HTTP/1.1") == 0)) {
		*why = "An HTTP/1.1 request must have exactly one Host header.";
		return 400;
	}
	if (t->lengths > 1) {
		*why = "The request has more than one Content-Length.";
		return 400;
	}
	/* RFC 9112, 6.1: the two framings together are how requests are smuggled. */
	if (t->lengths && t->chunked) {
		*why = "The request has both Content-Length and Transfer-Encoding.";
		return 400;
	}
	return 0;
}

/*
 * A write (POST, PUT, PATCH, DELETE) whose headers are in.  What can be
 * refused before its body is read (no route, no token, not JSON, too
 * large) is answered now, which closes the connection; otherwise the body
 * is read into req->body and answered when complete.
 */
static enum MHD_Result begin_write(struct app *app, struct request *req,
                                   unsigned long long length)
{
	struct worker *w = prepare(app, req);
	router_route(req);
	if (req->route == NULL || worker_refresh(app, w, req->now) < 0)
		return respond(app, req, w, 0, NULL);

	struct response resp;
	response_init(&resp);
	bool ok = router_precheck(req, &resp);
	req->body_limit = router_body_limit(req);
	if (ok && length > req->body_limit) {
		guard_hit(app->guard, LIMIT_BODY, &req->guard);
		router_refuse(req, &resp, 413, router_body_limit_text(req));
		ok = false;
	}
	if (ok) {
		response_free(&resp);
		buf_reset(&req->body);
		/* A large upload says its length: one allocation, not a doubling past the limit. */
		if (length > 0)
			buf_reserve(&req->body, (size_t)length);
		req->body_too_big = false;
		req->reading_body = true;
		return MHD_YES;
	}
	return send_response(app, req, w, &resp, NULL);
}

/* Keeps a chunk of a write's body, up to its limit (--max-body, or --max-file-size). */
static void take_body(struct app *app, struct request *req, const char *data, size_t n)
{
	if (req->body_too_big)
		return;
	if (req->body.len + n > req->body_limit) {
		req->body_too_big = true;
		guard_hit(app->guard, LIMIT_BODY, &req->guard);
		buf_free(&req->body);
		return;
	}
	buf_append(&req->body, data, n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct app *app = cls;
	struct request *req = *con_cls;

	if (req == NULL || req->guard.refused)
		return MHD_NO; /* over a connection limit: answered 503 already */
	if (!req->seen) {
		req->seen = true;
		req->method = http_method_parse(method);
		snprintf(req->method_name, sizeof req->method_name, "%s", method);
		snprintf(req->version, sizeof req->version, "%s", version);
		/*
		 * Only writes take a body.  Anything else is answered before its
		 * body is sent: other methods get their 405 (or 404) now, a GET
		 * with a body 413.  Answering this early closes the connection,
		 * which is right for a client whose body will not be read.
		 */
		guard_answering(app->guard, &req->guard, (int64_t)(monotonic_ns() / 1000000));
		const char *why = NULL;
		struct header_tally t = {0};
		unsigned refused = check_request(app, req, version, &t, &why);
		if (refused)
			return answer(app, req, refused, why);
		if (req->method & (METHOD_POST | METHOD_PUT | METHOD_PATCH | METHOD_DELETE))
			return begin_write(app, req, t.length);
		if (!(req->method & (METHOD_GET | METHOD_HEAD)))
			return answer(app, req, 0, NULL);
		if (t.chunked || t.length > 0) {
			guard_hit(app->guard, LIMIT_BODY, &req->guard);
			return answer(app, req, 413, "This address takes no request body.");
		}
		/* Headers are in; answer on the next call so the connection stays open. */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* A write's body; after an early answer, what the client sends anyway. */
		if (req->reading_body)
			take_body(app, req, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	/* A write was routed and checked by begin_write(): its body is all in. */
	if (req->reading_body)
		return respond(app, req, prepare(app, req), 0, NULL);
	return answer(app, req, 0, NULL);
}

/* ---- setting up ---------------------------------------------------------- */

/*
 * Creates the database with the sample site if it does not exist yet, and
 * checks a small one's every page; *check_later: a large one is checked
 * while serving (dbcheck.h).
 */
static int prepare_database(const struct serve_options *opts, bool *check_later)
{
	struct diag err;
	struct store *st;
	struct stat sb;
	bool created = false;

	diag_clear(&err);
	*check_later = stat(opts->db_path, &sb) == 0 && sb.st_size > DBCHECK_SYNC_BYTES;
	int flags = opts->read_only ? STORE_READONLY : STORE_CREATE;
	if (!*check_later)
		flags |= STORE_VERIFY;
	if (store_open(opts->db_path, flags, &st, &created, &err) < 0) {
		diag_print(&err);
		return -1;
	}
	if (created) {
		struct import_stats stats;
		struct diag_list *errs = xmalloc(sizeof *errs);
		int rc = import_builtin(st, &stats, errs);
		if (rc < 0)
			diag_list_print(errs);
		free(errs);
		if (rc < 0) {
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
	struct stat st;
	if (stat(opts->db_path, &st) == 0) {
		app->db_ino = st.st_ino;
		app->db_dev = st.st_dev;
		app->db_size = st.st_size;
		app->db_mtime = st.st_mtim;
	}
	app->db_immutable = store_is_immutable(app->sentinel);
	if (app->db_immutable)
		log_msg(LOG_INFO,
		        "%s: its folder cannot be written, so it is read as an unchanging file; a "
		        "new copy of it is noticed within a second",
		        opts->db_path);
	atomic_init(&app->watching, dbwatch_open(&app->watch, opts->db_path) == 0);
	if (atomic_load(&app->watching))
		atomic_init(&app->stamp, dbwatch_stamp(&app->watch));
	else
		log_msg(LOG_INFO, "no wal-index to watch: the cache asks SQLite on each request");
	atomic_init(&app->next_due, INT64_MAX);
	app->cache = cache_new((size_t)opts->cache_mib << 20);
	return 0;
}

/*
 * Each connection takes two descriptors (libmicrohttpd's and the guard's
 * copy); the usual soft limit of 1024 would run out first.
 */
static void raise_file_limit(unsigned max_connections)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	rlim_t want = (rlim_t)max_connections * 2 + 256;
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		log_msg(LOG_WARN,
		        "only %llu file descriptors allowed: fewer than --max-connections %u "
		        "connections will fit",
		        (unsigned long long)rl.rlim_cur, max_connections);
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 && n < 256 ? (unsigned)n : 2;
}

/*
 * Tells systemd (Type=notify) how the service is doing: sd_notify(3)'s
 * protocol, a datagram to $NOTIFY_SOCKET, which needs no library.
 */
static void notify_systemd(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof addr.sun_path)
		return;
	memcpy(addr.sun_path, path, strlen(path));
	if (addr.sun_path[0] == '@')
		addr.sun_path[0] = '\0'; /* an abstract socket */
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, len) < 0)
		log_msg(LOG_WARN, "telling systemd '%s': %s", state, strerror(errno));
	close(fd);
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
		if (sig == SIGHUP)
			accesslog_reopen();
	}
}

/*
 * Waits until no request is in flight, for DRAIN_SECONDS at most; a second
 * SIGTERM or SIGINT cuts the wait short.  A connection accepted just
 * before the stop may not have reached libmicrohttpd's threads yet (it is
 * neither fresh nor in flight): until every connection handed over has
 * been started, it counts as fresh.
 */
static void drain(const sigset_t *set, struct listener *listener)
{
	struct timespec tick = {0, 50L * 1000 * 1000};
	for (int i = 0; i < DRAIN_SECONDS * 20; i++) {
		bool fresh = atomic_load(&fresh_connections) > 0 ||
		             atomic_load(&started_connections) < listener_handed_over(listener);
		/* Done when nothing is begun, and new connections had their moment to begin. */
		if (atomic_load(&in_flight) == 0 && (!fresh || i * 50 >= FRESH_GRACE_MS))
			break;
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

/*
 * Setup, in the order serve_run() takes it: the app's settings from the
 * options; the signals; the lists of trusted addresses; the socket's mode;
 * the listener; then (serve_run itself) the database, the theme and the
 * watch; the guard; and the HTTP daemon.  Each returns -1 (or NULL) with
 * the reason said.
 */

/*
 * The file the answer cache's bodies and the search's lists are kept in
 * (filemem.h), beside the database: the database's folder is on disk and
 * the server may write there (SQLite's -wal and -shm files are made
 * there too).  It is made as large as both may grow, with a quarter more
 * for the answers being sent that the cache does not keep and for the
 * gaps between blocks; its disk space is reserved at once.  Without it
 * (filemem_open() says why: tmpfs, a folder that cannot be written, ...)
 * they live in the heap as before.
 */
static void open_filemem(const struct serve_options *opts)
{
	char dir[PATH_MAX];
	path_folder(opts->db_path, dir, sizeof dir);
	size_t bytes = ((size_t)opts->cache_mib << 20) + STORE_SEARCH_LISTS_MAX;
	bytes += bytes / 4;
	const char *why;
	if (filemem_open(dir, bytes, &why) == 0)
		log_msg(LOG_INFO,
		        "cached answers and search lists are kept in a file of %zu MiB in %s "
		        "(unlinked): the kernel may write them out and read them back",
		        bytes >> 20, dir);
	else
		log_msg(LOG_INFO, "cached answers and search lists are kept in memory: a file in %s: %s",
		        dir, why);
}

/*
 * How often the heap's free pages go back to the kernel (memtrim.h): the
 * holes freed answers leave (when they live in the heap, not in the file
 * of open_filemem()), which M_TRIM_THRESHOLD below keeps.
 */
#define TRIM_SECONDS 5

/* The settings that come straight from the options; -1 for a --public-url that is not one. */
static int app_init(struct app *app, const struct serve_options *opts)
{
	pthread_mutex_init(&app->workers_lock, NULL);
	pthread_mutex_init(&app->file_lock, NULL);
	app->watch.fd = -1;
	/*
	 * Rendering allocates and frees a few hundred kilobytes per miss; left
	 * to its defaults glibc gives the memory back to the kernel after each
	 * one (madvise, page faults, TLB flushes on every core).  Keep it.
	 * (glibc's malloc only: a build with mimalloc is tuned in main.c.)
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	app->db_path = opts->db_path;
	app->read_only = opts->read_only;
	app->max_body = opts->max_body ? opts->max_body : 1u << 20;
	app->max_file_size = opts->max_file_size ? opts->max_file_size : 64u << 20;
	app->cors_origin = opts->cors_origin;
	app->started = (int64_t)time(NULL);
	struct stat exe;
	app->built = stat("/proc/self/exe", &exe) == 0 ? (int64_t)exe.st_mtime : app->started;
	if (opts->public_url &&
	    (app->public_url = public_url_normalise(opts->public_url)) == NULL) {
		cli_error("--public-url %s: expected an absolute http:// or https:// URL, "
		          "e.g. https://example.org/blog",
		          opts->public_url);
		return -1;
	}
	return 0;
}

/* Signals are taken by sigwait(); every thread started from now on inherits the mask. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* --trusted-proxy and --metrics-allow (by default this machine only). */
static int trust_lists(struct app *app, const struct serve_options *opts)
{
	for (size_t i = 0; i < opts->trusted_proxies.n; i++)
		if (trust_add(&app->trusted, opts->trusted_proxies.items[i]) < 0) {
			cli_error("--trusted-proxy %s: expected an address or a network such as "
			          "10.0.0.0/8 or fd00::/8",
			          opts->trusted_proxies.items[i]);
			return -1;
		}
	for (size_t i = 0; i < opts->metrics_allow.n; i++)
		if (trust_add(&app->metrics_allow, opts->metrics_allow.items[i]) < 0) {
			cli_error("--metrics-allow %s: expected an address or a network",
			          opts->metrics_allow.items[i]);
			return -1;
		}
	if (opts->metrics_allow.n == 0) {
		trust_add(&app->metrics_allow, "127.0.0.0/8");
		trust_add(&app->metrics_allow, "::1");
	}
	return 0;
}

/* --socket-mode, octal, into *mode (0: the umask decides). */
static int socket_mode(const struct serve_options *opts, unsigned *mode)
{
	*mode = 0;
	if (opts->socket_mode == NULL)
		return 0;
	char *end;
	long m = strtol(opts->socket_mode, &end, 8);
	if (*opts->socket_mode == '\0' || *end != '\0' || m < 0 || m > 0777) {
		cli_error("--socket-mode %s: expected an octal file mode such as 0660",
		          opts->socket_mode);
		return -1;
	}
	*mode = (unsigned)m;
	return 0;
}

/*
 * The listening socket, and the address links use until site.yaml or
 * --public-url says better; where gets the address as text.
 */
static struct listener *open_listener(struct app *app, const struct serve_options *opts,
                                      unsigned mode, char *where, size_t wherelen)
{
	struct listener *listener =
	    listener_open(opts->listen, mode, opts->reuse_port, where, wherelen);
	if (listener == NULL)
		return NULL;
	/* Links need a web address; a UNIX socket has none: --public-url gives it. */
	app->listen_url = xstrdup(strncmp(where, "http", 4) == 0 ? where : "http://localhost");
	if (strncmp(where, "http", 4) != 0 && app->public_url == NULL)
		log_msg(LOG_WARN,
		        "listening on %s without --public-url: links will say "
		        "http://localhost unless site.yaml has a public_url",
		        where);
	return listener;
}

/* The guard's thread, which counts connections and answers 503 past --max-connections. */
static int start_guard(struct app *app, const struct serve_options *opts)
{
	raise_file_limit(opts->limits.max_connections);
	app->guard = guard_new(&opts->limits, &app->trusted);
	if (guard_start(app->guard) < 0) {
		cli_error("cannot start a thread: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* libmicrohttpd on threads threads, taking its connections from the listener. */
static struct MHD_Daemon *start_daemon(struct app *app, const struct serve_options *opts,
                                       unsigned threads)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                 MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG;
	const struct guard_limits *limits = &opts->limits;
	/*
	 * The guard counts connections and answers 503 past --max-connections;
	 * libmicrohttpd's own limit (split evenly between the threads, and over
	 * it a connection is just closed) must never be the one reached first.
	 */
	unsigned mhd_limit = (limits->max_connections + 64) * (threads > 1 ? threads : 1);
	/* clang-format off */
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, app,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, /* must come first */
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, app,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, app,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
		MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0u,
		MHD_OPTION_CONNECTION_TIMEOUT, limits->idle_timeout,
		MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
		/* Above 32 KiB libmicrohttpd mmaps each connection's pool (memorypool.c). */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
		MHD_OPTION_END);
	/* clang-format on */
}

/* Everything app holds, in the reverse of its setup (the guard apart). */
static void app_release(struct app *app)
{
	app_free_workers(app);
	cache_free(app->cache);
	dbwatch_close(&app->watch);
	store_close(app->sentinel);
	app_free_files(app);
	free(app->public_url);
	free(app->listen_url);
	trust_free(&app->trusted);
	trust_free(&app->metrics_allow);
	accesslog_close();
	pthread_mutex_destroy(&app->workers_lock);
	pthread_mutex_destroy(&app->file_lock);
}

int serve_run(const struct serve_options *opts)
{
	struct app app = {0};
	struct listener *listener = NULL;
	struct MHD_Daemon *d = NULL;
	struct dbcheck *check = NULL;
	struct diag err;
	char where[128];
	unsigned mode = 0;
	bool check_later = false;
	int rc = 1;

	diag_clear(&err);
	if (app_init(&app, opts) < 0)
		return 1;
	sigset_t set;
	block_signals(&set);
	if (trust_lists(&app, opts) < 0 || accesslog_open(opts->access_log) < 0 ||
	    socket_mode(opts, &mode) < 0)
		goto out;
	/* The port first: a busy port should not leave a new database behind. */
	if ((listener = open_listener(&app, opts, mode, where, sizeof where)) == NULL)
		goto out;
	if (prepare_database(opts, &check_later) < 0)
		goto out;
	if (app_load_files(&app, opts->theme_dir, &err) < 0) {
		diag_print(&err);
		goto out;
	}
	if (open_watch(&app, opts) < 0)
		goto out;
	unsigned threads = opts->threads ? opts->threads : default_threads();
	if (start_guard(&app, opts) < 0)
		goto out;
	app.trim = memtrim_start(TRIM_SECONDS);
	open_filemem(opts);
	d = start_daemon(&app, opts, threads);
	if (d == NULL || listener_start(listener, d) < 0) {
		cli_error("cannot start the HTTP server on %s", opts->listen);
		goto out;
	}
	log_msg(LOG_INFO, "listening on %s%s with %u thread%s, database %s%s, public URL %s", where,
	        strncmp(where, "http", 4) == 0 ? "/" : "", threads, threads == 1 ? "" : "s",
	        opts->db_path, opts->read_only ? " (read-only)" : "",
	        app.public_url ? app.public_url : "from site.yaml, or the listening address");

	/* Serving until a signal; then no new connections, the requests in flight finish. */
	notify_systemd("READY=1");
	if (check_later)
		check = dbcheck_start(opts->db_path);
	wait_for_stop(&set);
	notify_systemd("STOPPING=1");
	listener_stop(listener);
	drain(&set, listener);
	log_msg(LOG_INFO, "stopped");
	rc = 0;
out:
	if (dbcheck_stop(check))
		rc = 1;
	if (d)
		MHD_stop_daemon(d);
	memtrim_stop(app.trim);
	guard_free(app.guard);
	listener_free(listener);
	app_release(&app);
	if (filemem_close() < 0)
		log_msg(LOG_WARN, "blocks of the cache's file are still in use at the stop");
	return rc;
}
