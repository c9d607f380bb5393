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
#include "gazette/http.h"
#include "gazette/import.h"
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
	log_msg(LOG_WARN, "http: %s", msg);
}

/*
 * Called with the raw request target before anything else: this is where a
 * request's state is born (its return value becomes *con_cls).
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *req = xcalloc(1, sizeof *req);
	req->app = cls;
	req->conn = conn;
	req->target = xstrdup(uri ? uri : "");
	req->started_ns = monotonic_ns();
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;
	if (req == NULL)
		return;
	if (req->seen)
		atomic_fetch_sub(&in_flight, 1);
	free(req->target);
	free(req->decoded);
	free(req);
	*con_cls = NULL;
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
		/* Headers are in; answer on the next call so the connection stays open. */
		req->seen = true;
		req->method = http_method_parse(method);
		atomic_fetch_add(&in_flight, 1);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* No route takes a body yet: read it and let it go. */
		*upload_size = 0;
		return MHD_YES;
	}

	struct response resp;
	response_init(&resp);
	req->worker = current_worker();
	req->now = (int64_t)time(NULL);
	if (worker_refresh(app, req->worker, req->now) < 0) {
		req->api = strncmp(req->target, "/api/", 5) == 0;
		router_error(req, &resp, 503, "The database is not available right now.");
	} else {
		router_dispatch(req, &resp);
	}
	if (resp.last_modified == 0)
		resp.last_modified =
		    req->worker->last_change ? req->worker->last_change : app->started;

	unsigned status;
	struct MHD_Response *r = http_finish(req, &resp, &status);
	response_free(&resp);
	if (r == NULL)
		return MHD_NO;
	req->status = status;
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- setting up ---------------------------------------------------------- */

/* Parses "HOST:PORT" or "[V6]:PORT" into addr.  Returns 0 or -1. */
static int parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len)
{
	char host[256];
	const char *port;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - listen - 1) >= sizeof host)
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(end - listen - 1), listen + 1);
		port = end + 2;
	} else {
		const char *colon = strrchr(listen, ':');
		if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
		port = colon + 1;
	}
	long long p;
	if (parse_uint_range(port, strlen(port), 0, 65535, &p) < 0)
		return -1;

	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) != 0)
		return -1;
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/*
 * Checks a public URL and splits off its path: "https://example.org/blog/"
 * gives public_url "https://example.org/blog" and base_path "/blog".
 */
static int set_public_url(struct app *app, const char *url)
{
	size_t n = strlen(url);
	const char *rest;
	if (strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return -1;
	if (*rest == '\0' || *rest == '/' || strpbrk(url, "?# \t\r\n\"<>\\") != NULL)
		return -1;
	while (n > 0 && url[n - 1] == '/')
		n--;
	app->public_url = xstrndup(url, n);
	const char *path = strchr(app->public_url + (rest - url), '/');
	app->base_path = xstrdup(path ? path : "");
	app->urls.base = app->public_url;
	return 0;
}

static void describe_address(const struct sockaddr_storage *addr, unsigned port, char *out,
                             size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (addr->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, host,
		          sizeof host);
		snprintf(out, outlen, "http://[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, host,
		          sizeof host);
		snprintf(out, outlen, "http://%s:%u", host, port);
	}
}

/*
 * Binds and listens ourselves rather than through libmicrohttpd, so that the
 * real port (when asked for port 0) is known before the first request.
 */
static int open_listener(const struct sockaddr_storage *addr, socklen_t len, unsigned *port)
{
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)addr, len) < 0 || listen(fd, 511) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	struct sockaddr_storage bound;
	socklen_t blen = sizeof bound;
	*port = 0;
	if (getsockname(fd, (struct sockaddr *)&bound, &blen) == 0)
		*port =
		    ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
		                                      : ((struct sockaddr_in *)&bound)->sin_port);
	return fd;
}

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
			remove(opts->db_path);
			return -1;
		}
		log_msg(LOG_INFO,
		        "created %s with the built-in sample site (%u articles and pages)",
		        opts->db_path, stats.added);
	}
	store_close(st);
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

int serve_run(const struct serve_options *opts)
{
	struct app app = {0};
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct diag err;
	int rc = 1;

	diag_clear(&err);

	app.db_path = opts->db_path;
	app.read_only = opts->read_only;
	app.started = (int64_t)time(NULL);
	if (parse_listen(opts->listen, &addr, &addrlen) < 0) {
		cli_error("--listen %s: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080",
		          opts->listen);
		return 1;
	}
	if (opts->public_url && set_public_url(&app, opts->public_url) < 0) {
		cli_error("--public-url %s: expected an absolute http:// or https:// URL, "
		          "e.g. https://example.org/blog",
		          opts->public_url);
		return 1;
	}

	/* Signals are taken by sigwait() in this thread; the daemon's threads inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	unsigned port;
	int fd = open_listener(&addr, addrlen, &port);
	if (fd < 0) {
		cli_error("cannot listen on %s: %s", opts->listen, strerror(errno));
		goto out;
	}
	char where[128];
	describe_address(&addr, port, where, sizeof where);
	if (app.public_url == NULL)
		set_public_url(&app, where);

	/* The port first: a busy port should not leave a new database behind. */
	if (prepare_database(opts) < 0 || app_load_files(&app, opts->theme_dir, &err) < 0) {
		if (err.msg[0])
			diag_print(&err);
		close(fd);
		goto out;
	}

	unsigned threads = opts->threads ? opts->threads : default_threads();
	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	unsigned timeout = opts->timeout ? opts->timeout : 30u;
	unsigned max_conns = opts->max_connections ? opts->max_connections : 1000u;
	/* clang-format off */
	struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &app,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, /* must come first */
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, &app,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0u,
		MHD_OPTION_CONNECTION_TIMEOUT, timeout,
		MHD_OPTION_CONNECTION_LIMIT, max_conns,
		/* Above 32 KiB each connection's pool is mmap'd (NOTES, section 4). */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
		MHD_OPTION_END);
	/* clang-format on */
	if (d == NULL) {
		cli_error("cannot start the HTTP server on %s", opts->listen);
		close(fd);
		goto out;
	}
	log_msg(LOG_INFO, "listening on %s/ with %u thread%s, database %s%s, public URL %s", where,
	        threads, threads == 1 ? "" : "s", opts->db_path,
	        opts->read_only ? " (read-only)" : "", app.public_url);

	wait_for_stop(&set);

	/* Stop taking connections, let the requests in flight finish, then close. */
	MHD_quiesce_daemon(d);
	for (int i = 0; i < DRAIN_SECONDS * 20 && atomic_load(&in_flight) > 0; i++)
		usleep(50 * 1000);
	MHD_stop_daemon(d);
	close(fd); /* ours: libmicrohttpd does not close a socket it was given */
	log_msg(LOG_INFO, "stopped");
	rc = 0;
out:
	free_workers();
	app_free_files(&app);
	free(app.public_url);
	free(app.base_path);
	return rc;
}
