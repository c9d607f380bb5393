/*
 * guard.c: connection limits and deadlines (see guard.h for the phases).
 *
 * The guard never closes a descriptor libmicrohttpd owns.  It shuts down
 * the socket through its own duplicate instead: libmicrohttpd then reads
 * end-of-file, closes the connection as if the client had gone, and tells
 * us (guard_close), which is where our duplicate is closed.
 */
/* tdestroy() is GNU. */
#define _GNU_SOURCE

#include "gazette/http/guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gazette/base/log.h"
#include "gazette/base/ticker.h"
#include "gazette/http/proxy.h"
#include "gazette/base/util.h"

/* How often the sweeper looks, and how often one limit may be logged. */
#define SWEEP_MS    500
#define LOG_EVERY_S 10
/* How long a refused connection has to read its 503 before it is closed. */
#define REFUSED_LINGER_MS 1000

struct guard {
	struct guard_limits l;
	const struct trust *exempt;
	pthread_mutex_t lock;   /* the list, the counts, the table */
	struct guard_conn list; /* a ring: list.next is the first */
	unsigned open;
	void *clients; /* tsearch() tree of struct client_count */
	struct ticker *sweeper;
	atomic_uint_fast64_t hits[LIMIT__COUNT];
	atomic_uint_fast64_t logged[LIMIT__COUNT];  /* hits[] when last logged */
	atomic_int_fast64_t last_log[LIMIT__COUNT]; /* seconds */
};

static const char *const limit_names[LIMIT__COUNT] = {
    [LIMIT_URI] = "uri",
    [LIMIT_HEADER_BYTES] = "header_bytes",
    [LIMIT_HEADER_COUNT] = "header_count",
    [LIMIT_QUERY] = "query",
    [LIMIT_BODY] = "body",
    [LIMIT_CONNECTIONS] = "connections",
    [LIMIT_PER_CLIENT] = "connections_per_ip",
    [LIMIT_HEADER_TIMEOUT] = "header_timeout",
    [LIMIT_SEND_TIMEOUT] = "send_timeout",
    [LIMIT_IDLE_TIMEOUT] = "idle_timeout",
};

/* What the log says, with the flag that sets the limit. */
static const char *const limit_text[LIMIT__COUNT] = {
    [LIMIT_URI] = "request target longer than --max-uri (414)",
    [LIMIT_HEADER_BYTES] = "headers larger than --max-header-bytes (431)",
    [LIMIT_HEADER_COUNT] = "more headers than --max-headers (431)",
    [LIMIT_QUERY] = "query over --max-query-params or --max-param-bytes (400)",
    [LIMIT_BODY] = "a request body where none is taken (413)",
    [LIMIT_CONNECTIONS] = "connection over --max-connections (503)",
    [LIMIT_PER_CLIENT] = "connection over --max-connections-per-ip (503)",
    [LIMIT_HEADER_TIMEOUT] = "request not sent within --header-timeout (408)",
    [LIMIT_SEND_TIMEOUT] = "answer not taken within --send-timeout (closed)",
    [LIMIT_IDLE_TIMEOUT] = "connection idle past --timeout (closed)",
};

const char *guard_limit_name(enum guard_limit which)
{
	return which < LIMIT__COUNT ? limit_names[which] : "unknown";
}

int64_t guard_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- connections per client address ------------------------------------ */

struct client_count {
	unsigned char addr[16]; /* first: the tree compares these bytes */
	unsigned n;
};

static int compare_clients(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Counts one more connection from addr; returns how many it has now. */
static unsigned client_add(struct guard *g, const unsigned char addr[16])
{
	struct client_count **found = tfind(addr, &g->clients, compare_clients);
	if (found)
		return ++(*found)->n;
	struct client_count *e = xmalloc(sizeof *e);
	memcpy(e->addr, addr, 16);
	e->n = 1;
	if (tsearch(e, &g->clients, compare_clients) == NULL)
		free(e); /* out of memory: this one goes uncounted */
	return 1;
}

static void client_remove(struct guard *g, const unsigned char addr[16])
{
	struct client_count **found = tfind(addr, &g->clients, compare_clients);
	if (found == NULL)
		return;
	struct client_count *e = *found;
	if (--e->n == 0) {
		tdelete(addr, &g->clients, compare_clients);
		free(e);
	}
}

/* ---- logging ------------------------------------------------------------ */

static void format_addr(const struct guard_conn *c, char *out, size_t outlen)
{
	static const unsigned char v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (c == NULL || c->local)
		snprintf(out, outlen, "a local client");
	else if (memcmp(c->addr, v4_prefix, 12) == 0)
		inet_ntop(AF_INET, c->addr + 12, out, (socklen_t)outlen);
	else
		inet_ntop(AF_INET6, c->addr, out, (socklen_t)outlen);
}

void guard_hit(struct guard *g, enum guard_limit which, const struct guard_conn *c)
{
	if (which >= LIMIT__COUNT)
		return;
	uint_fast64_t total = atomic_fetch_add(&g->hits[which], 1) + 1;
	int64_t now = (int64_t)time(NULL);
	int_fast64_t last = atomic_load(&g->last_log[which]);
	if (now - last < LOG_EVERY_S ||
	    !atomic_compare_exchange_strong(&g->last_log[which], &last, now))
		return;
	uint_fast64_t before = atomic_exchange(&g->logged[which], total);
	char who[INET6_ADDRSTRLEN + 16];
	format_addr(c, who, sizeof who);
	if (total - before > 1)
		log_msg(LOG_WARN, "limit: %s, from %s (%llu times since the last such message)",
		        limit_text[which], who, (unsigned long long)(total - before));
	else
		log_msg(LOG_WARN, "limit: %s, from %s", limit_text[which], who);
}

uint64_t guard_hits(const struct guard *g, enum guard_limit which)
{
	return which < LIMIT__COUNT ? atomic_load(&g->hits[which]) : 0;
}

/* ---- opening and closing ------------------------------------------------- */

struct guard *guard_new(const struct guard_limits *limits, const struct trust *exempt)
{
	struct guard *g = xcalloc(1, sizeof *g);
	g->l = *limits;
	g->exempt = exempt;
	pthread_mutex_init(&g->lock, NULL);
	g->list.next = g->list.prev = &g->list;
	for (int i = 0; i < LIMIT__COUNT; i++)
		atomic_init(&g->last_log[i], 0);
	return g;
}

const struct guard_limits *guard_limits(const struct guard *g)
{
	return &g->l;
}

/* The client's address as 16 bytes (IPv4 mapped); false for a local socket. */
static bool address_of(const struct sockaddr *sa, unsigned char out[16])
{
	memset(out, 0, 16);
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* A short answer written straight to a socket nobody else is writing to. */
static void write_status(int fd, const char *status, const char *extra, const char *text)
{
	char msg[512];
	int n = snprintf(msg, sizeof msg,
	                 "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\n%s"
	                 "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
	                 status, extra, strlen(text), text);
	if (n > 0 && (size_t)n < sizeof msg)
		(void)!send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

unsigned guard_open(struct guard *g, struct guard_conn *c, int fd, const struct sockaddr *sa)
{
	memset(c, 0, sizeof *c);
	c->local = !address_of(sa, c->addr);
	int64_t now = guard_now_ms();
	atomic_init(&c->phase, PHASE_WAITING);
	atomic_init(&c->deadline_ms, now + (int64_t)g->l.header_timeout * 1000);
	/* Ours to shut down later; without it the deadlines cannot be kept. */
	c->fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;

	enum guard_limit hit = LIMIT__COUNT;
	pthread_mutex_lock(&g->lock);
	g->open++;
	if (g->open > g->l.max_connections || c->fd < 0)
		hit = LIMIT_CONNECTIONS;
	if (!c->local && g->l.max_per_client &&
	    !(g->exempt && trust_has_addr(g->exempt, c->addr))) {
		c->counted = true;
		if (client_add(g, c->addr) > g->l.max_per_client && hit == LIMIT__COUNT)
			hit = LIMIT_PER_CLIENT;
	}
	if (hit != LIMIT__COUNT) {
		c->refused = true;
		atomic_store(&c->deadline_ms, now + REFUSED_LINGER_MS);
	}
	c->next = &g->list;
	c->prev = g->list.prev;
	g->list.prev->next = c;
	g->list.prev = c;
	pthread_mutex_unlock(&g->lock);

	if (hit == LIMIT__COUNT)
		return 0;
	guard_hit(g, hit, c);
	if (fd >= 0) {
		write_status(fd, "503 Service Unavailable", "Retry-After: 5\r\n",
		             hit == LIMIT_PER_CLIENT
		                 ? "Too many connections from your address; try again soon.\n"
		                 : "The server is busy; try again soon.\n");
		/* The answer then end-of-file; the sweeper closes it in a second. */
		shutdown(fd, c->fd < 0 ? SHUT_RDWR : SHUT_WR);
	}
	return 503;
}

void guard_close(struct guard *g, struct guard_conn *c)
{
	pthread_mutex_lock(&g->lock);
	if (c->next) {
		c->prev->next = c->next;
		c->next->prev = c->prev;
		c->next = c->prev = NULL;
		g->open--;
		if (c->counted)
			client_remove(g, c->addr);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&g->lock);
}

/* ---- phases ------------------------------------------------------------- */

void guard_request_line(struct guard *g, struct guard_conn *c, int64_t now_ms)
{
	/* A new request on a kept-alive connection: its headers get their own time. */
	if (atomic_load_explicit(&c->phase, memory_order_relaxed) != PHASE_WAITING)
		atomic_store_explicit(&c->deadline_ms, now_ms + (int64_t)g->l.header_timeout * 1000,
		                      memory_order_relaxed);
	atomic_store_explicit(&c->phase, PHASE_HEADERS, memory_order_release);
}

void guard_answering(struct guard *g, struct guard_conn *c, int64_t now_ms)
{
	atomic_store_explicit(&c->deadline_ms, now_ms + (int64_t)g->l.send_timeout * 1000,
	                      memory_order_relaxed);
	atomic_store_explicit(&c->phase, PHASE_ANSWERING, memory_order_release);
}

void guard_request_done(struct guard *g, struct guard_conn *c, int64_t now_ms)
{
	/*
	 * libmicrohttpd closes a silent connection after --timeout; this
	 * catches one that trickles the next request line a byte at a time.
	 */
	int64_t limit = (int64_t)g->l.idle_timeout + g->l.header_timeout;
	atomic_store_explicit(&c->deadline_ms, now_ms + limit * 1000, memory_order_relaxed);
	atomic_store_explicit(&c->phase, PHASE_IDLE, memory_order_release);
}

/* ---- the sweeper -------------------------------------------------------- */

/* Closes a connection past its deadline (with the lock held). */
static void expire(struct guard *g, struct guard_conn *c)
{
	c->expired = true;
	if (c->refused) {
		shutdown(c->fd, SHUT_RDWR);
		return;
	}
	int phase = atomic_load_explicit(&c->phase, memory_order_acquire);
	switch (phase) {
	case PHASE_HEADERS:
		/* It has begun a request, so it can be told why. */
		write_status(c->fd, "408 Request Timeout", "",
		             "The request took too long to arrive.\n");
		shutdown(c->fd, SHUT_WR);
		guard_hit(g, LIMIT_HEADER_TIMEOUT, c);
		break;
	case PHASE_WAITING: guard_hit(g, LIMIT_HEADER_TIMEOUT, c); break;
	case PHASE_ANSWERING: guard_hit(g, LIMIT_SEND_TIMEOUT, c); break;
	default: guard_hit(g, LIMIT_IDLE_TIMEOUT, c); break;
	}
	shutdown(c->fd, SHUT_RDWR);
}

/* Every SWEEP_MS, on the monotonic clock (ticker.h): closes what is past its deadline. */
static void sweep(void *arg)
{
	struct guard *g = arg;
	pthread_mutex_lock(&g->lock);
	int64_t now = guard_now_ms();
	for (struct guard_conn *c = g->list.next; c != &g->list; c = c->next)
		if (!c->expired && c->fd >= 0 &&
		    now >= atomic_load_explicit(&c->deadline_ms, memory_order_relaxed))
			expire(g, c);
	pthread_mutex_unlock(&g->lock);
}

int guard_start(struct guard *g)
{
	g->sweeper = ticker_start(SWEEP_MS, sweep, g);
	return g->sweeper ? 0 : -1;
}

void guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	ticker_stop(g->sweeper);
	/* The HTTP daemon has stopped and closed every connection through guard_close(). */
	tdestroy(g->clients, free);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
