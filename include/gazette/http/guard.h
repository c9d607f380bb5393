/*
 * guard.h: what keeps one client from hurting the others.  Connections are
 * counted in total and per client address (over either limit a connection
 * gets 503 and is closed), and each connection has a deadline the server
 * enforces by itself: libmicrohttpd's timeout only measures silence, so a
 * client sending a byte every few seconds (slowloris) or reading one
 * (slow read) would otherwise hold its connection for ever.
 *
 * A connection's deadline follows its phase:
 *   waiting    accepted, nothing complete yet: header timeout, then closed
 *   headers    request line read, headers coming: header timeout, then 408
 *   answering  answer queued: send timeout, then closed
 *   idle       between keep-alive requests: idle + header timeout, closed
 * A sweeper thread looks twice a second and closes what is late, through
 * its own copy of the socket (so a reused descriptor number is never hit).
 */
#ifndef GAZETTE_GUARD_H
#define GAZETTE_GUARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct trust;

/* Limits a request can run into; each is counted and logged when hit. */
enum guard_limit {
	LIMIT_URI,            /* 414 */
	LIMIT_HEADER_BYTES,   /* 431 */
	LIMIT_HEADER_COUNT,   /* 431 */
	LIMIT_QUERY,          /* 400: too many parameters, or one too long */
	LIMIT_BODY,           /* 413 */
	LIMIT_CONNECTIONS,    /* 503: --max-connections */
	LIMIT_PER_CLIENT,     /* 503: --max-connections-per-ip */
	LIMIT_HEADER_TIMEOUT, /* 408, or closed */
	LIMIT_SEND_TIMEOUT,   /* closed */
	LIMIT_IDLE_TIMEOUT,   /* closed */
	LIMIT__COUNT
};

struct guard_limits {
	unsigned max_uri;          /* bytes of the request target */
	unsigned max_header_bytes; /* names, values and separators */
	unsigned max_headers;      /* header fields */
	unsigned max_query_params; /* parameters in a query string */
	unsigned max_param_bytes;  /* bytes of one parameter, as sent */
	unsigned max_connections;  /* open at once */
	unsigned max_per_client;   /* open at once from one address; 0: no limit */
	unsigned header_timeout;   /* seconds to send a request's line and headers */
	unsigned send_timeout;     /* seconds to take an answer */
	unsigned idle_timeout;     /* seconds between requests on one connection */
};

/* The defaults of `gazette serve`. */
#define GUARD_DEFAULT_LIMITS                                                                       \
	{                                                                                          \
		.max_uri = 8192, .max_header_bytes = 16384, .max_headers = 100,                    \
		.max_query_params = 32, .max_param_bytes = 2048, .max_connections = 1000,          \
		.max_per_client = 256, .header_timeout = 10, .send_timeout = 60,                   \
		.idle_timeout = 30,                                                                \
	}

enum guard_phase { PHASE_WAITING, PHASE_HEADERS, PHASE_ANSWERING, PHASE_IDLE };

/* A connection as the guard sees it; lives in its request state (server.c). */
struct guard_conn {
	struct guard_conn *prev, *next; /* every open connection, for the sweeper */
	int fd;                         /* our own copy of the socket (dup), or -1 */
	atomic_int phase;
	atomic_int_fast64_t deadline_ms; /* monotonic */
	unsigned char addr[16];          /* the client (IPv4 mapped into IPv6) */
	bool local;                      /* a UNIX socket peer */
	bool counted;                    /* in the per-client table */
	bool refused;                    /* over a connection limit: answered 503 */
	bool expired;                    /* the sweeper has closed it */
};

struct guard;

/* exempt: addresses with no per-client limit (trusted proxies); may be NULL. */
struct guard *guard_new(const struct guard_limits *limits, const struct trust *exempt);
/* Starts the sweeper.  Returns 0 or -1. */
int guard_start(struct guard *g);
/* Stops the sweeper and frees g (after the HTTP daemon has stopped). */
void guard_free(struct guard *g);
const struct guard_limits *guard_limits(const struct guard *g);

/*
 * A connection opened on socket fd from sa (NULL or AF_UNIX: a local
 * client, never limited per address).  Returns 0, or 503 when over a limit:
 * the guard has then written the 503 and shut the socket, and the HTTP
 * daemon will close the connection (guard_close() is still due).
 */
unsigned guard_open(struct guard *g, struct guard_conn *c, int fd, const struct sockaddr *sa);
void guard_close(struct guard *g, struct guard_conn *c);

/* Phase changes, from the connection's own thread; now_ms is monotonic. */
void guard_request_line(struct guard *g, struct guard_conn *c, int64_t now_ms);
void guard_answering(struct guard *g, struct guard_conn *c, int64_t now_ms);
void guard_request_done(struct guard *g, struct guard_conn *c, int64_t now_ms);

/* Counts a limit hit by c (may be NULL) and logs it (one line per limit per 10 s at most). */
void guard_hit(struct guard *g, enum guard_limit which, const struct guard_conn *c);
/* How often a limit was hit, and its name for logs and metrics. */
uint64_t guard_hits(const struct guard *g, enum guard_limit which);
const char *guard_limit_name(enum guard_limit which);

int64_t guard_now_ms(void);

#endif
