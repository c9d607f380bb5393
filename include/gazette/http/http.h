/*
 * http.h: a request as the handlers see it, the response they fill, and
 * how a filled response goes out (ETag, 304, gzip and Brotli, headers).
 */
#ifndef GAZETTE_HTTP_H
#define GAZETTE_HTTP_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gazette/base/buf.h"
#include "gazette/base/escape.h"
#include "gazette/http/guard.h"
#include "gazette/store/store.h"
#include "gazette/base/token.h"

struct MHD_Connection;
struct MHD_Response;
struct app;
struct worker;

enum http_method {
	METHOD_GET = 1 << 0,
	METHOD_HEAD = 1 << 1,
	METHOD_POST = 1 << 2,
	METHOD_PUT = 1 << 3,
	METHOD_PATCH = 1 << 4,
	METHOD_DELETE = 1 << 5,
	METHOD_OPTIONS = 1 << 6,
	METHOD_OTHER = 1 << 7,
};

/* The content codings of an answer's body (RFC 9110, 8.4; src/http/coding.h). */
enum http_coding {
	CODING_IDENTITY,
	CODING_GZIP,
	CODING_BR, /* Brotli, RFC 7932 */
	CODING__COUNT
};

/* Query parameters gazette understands; a route lists those it takes. */
enum query_param {
	QP_PAGE,
	QP_LIMIT,
	QP_Q,
	QP_TAG,
	QP_AUTHOR,
	QP_ORDER,
	QP_FIELDS,
	QP_STATUS,
	QP_P,    /* WordPress's post number on the front page: "/?p=123" */
	QP_PATH, /* a file's address below the site (the upload) */
	QP_YEAR, /* the archive's year and month: ?year=2025&month=2 */
	QP_MONTH,
	QP__MAX
};
#define QP_BIT(p) (1u << (p))

/* What the front door (router.c) has parsed and checked before a handler runs. */
struct params {
	const char *slug;    /* the {slug} path segment, decoded and valid */
	const char *rest;    /* the rest of a /static/ path */
	unsigned long page;  /* /page/N in the path, or ?page=; 1 if absent */
	unsigned long limit; /* ?limit=; 0 if absent */
	const char *q;       /* ?q=, trimmed; NULL if absent or empty */
	const char *tag;
	const char *author;
	enum article_order order;
	const char *fields; /* ?fields=, checked by the route */
	enum article_status status; /* ?status= (only with a token) */
	unsigned long post;         /* ?p= on the front page; 0 if absent */
	const char *path;           /* ?path=: a valid file address (media_path_valid()) */
	unsigned year;              /* /archive/YYYY or ?year=; 0 if absent */
	unsigned month;             /* /archive/YYYY/MM or ?month= (1-12, only with a year); 0 */
	unsigned given;     /* QP_BIT()s of the query parameters present */
};

#define REQUEST_MAX_SEGMENTS URL_PATH_MAX_SEGMENTS

/*
 * A request.  One lives as long as its connection and is reused by every
 * request on it, so its buffers are allocated once, not per request.
 */
struct request {
	struct MHD_Connection *conn;
	struct app *app;
	struct worker *worker; /* this thread's database connection and site data */
	enum http_method method;
	char method_name[16]; /* as received, for the access log */
	char version[16];     /* "HTTP/1.1" */
	struct buf target;    /* the request target exactly as received */
	uintptr_t uri_end;    /* where libmicrohttpd's copy of it ends (see server.c) */
	char *decoded;        /* storage for the decoded path and query values */
	size_t decoded_cap;
	const char *segs[REQUEST_MAX_SEGMENTS]; /* the path split at '/', each decoded */
	size_t nsegs;
	struct params p;
	/* What the router decided (router_route). */
	const void *route;      /* the matched route, or NULL: answer route_status */
	unsigned route_status;  /* 301, 400, 404 or 405 when route is NULL */
	char route_detail[256]; /* the reason, for the reader */
	size_t redirect_segs;   /* 301: the canonical path's segments */
	bool slash;             /* "/about/": the page's handler redirects, if there is a page */
	unsigned allowed;       /* the methods the route takes (enum http_method bits) */
	struct buf key;         /* the cache key: canonical path and query */
	bool cacheable;         /* no token, none needed: the cache may answer it */
	enum token_scope needs; /* the scope the route's read needs with this query */
	int64_t now;             /* wall clock at arrival, seconds */
	uint64_t started_ns;     /* monotonic, for the access log */
	bool seen;               /* the first call of the handler has happened */
	bool begun;              /* its first line was read (counted in flight) */
	bool fresh;              /* the connection has not begun a request yet */
	bool api;                /* errors are answered as problem+json */
	bool json;               /* an HTML address asked for its JSON (Accept: router.c) */
	/* Its Accept-Encoding, read once (request_codings()): the codings it takes, best first. */
	enum http_coding codings[2];
	unsigned char ncodings;
	bool codings_read; /* set false when a request begins */
	unsigned status;         /* what was answered */
	size_t bytes;            /* body bytes answered */
	struct guard_conn guard; /* its limits and deadlines */
	struct guard *guards;    /* the guard that keeps them: a long answer moves its deadline */
	/* A request body (the write API), kept up to body_limit. */
	struct buf body;
	size_t body_limit; /* --max-body, or --max-file-size for an upload (router_body_limit()) */
	bool reading_body; /* a write whose body is coming */
	bool body_too_big;
	/* Who sent it: checked once per request (auth.c). */
	int auth; /* 0: not yet checked; see auth.h */
	enum token_scope scope;
	char token_name[65];
};

struct header {
	const char *name; /* static */
	char *value;      /* owned */
};

#define RESPONSE_MAX_HEADERS 12

/*
 * A body too large to hold in memory (a video), read in pieces while it
 * is sent.  Each answer that sends it opens a reading of its own at its
 * first piece, reads forward from there, and closes it when done.
 */
struct response_source {
	uint64_t size; /* bytes */
	/* A new reading for one answer, or NULL (the answer ends short: the client asks again). */
	void *(*open)(void *cls);
	/* n bytes at offset of a reading into out: 0, or -1 (the answer ends short). */
	int (*read)(void *reading, uint64_t offset, void *out, size_t n);
	void (*close)(void *reading);
	void (*free)(void *cls); /* once no answer sends it any more */
	void *cls;
};

struct response {
	unsigned status;
	const char *content_type; /* static */
	struct buf body;
	const char *cache_control; /* static; NULL: the route's default */
	int64_t last_modified;     /* 0: not known */
	bool html;                 /* send the HTML security headers */
	bool vary_accept;          /* the answer depends on Accept (HTML or JSON): Vary says so */
	/* Origins an HTML page's <iframe>s may show ("https://www.youtube.com ..."); "": none. */
	char frame_src[512];
	struct header headers[RESPONSE_MAX_HEADERS];
	size_t nheaders;
	const unsigned char *static_body; /* a built-in file: sent without copying */
	size_t static_len;
	const char *etag; /* precomputed (static files); NULL: hash the body */
	/*
	 * Byte ranges (RFC 9110, 14) may be asked for: Accept-Ranges: bytes,
	 * and a GET with one range gets 206 or 416 (reply_send()).
	 */
	bool ranges;
	struct response_source *source; /* the body, when read as it is sent (owned; body unused) */
};

void response_init(struct response *resp);
/* Frees what resp holds (a source it still has too). */
void response_free(struct response *resp);
/* Adds a header; value is formatted and copied.  Extra headers past the limit are dropped. */
void response_header(struct response *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets body to the compact JSON of v (which it does not take). */
void response_json(struct response *resp, unsigned status, json_t *v);
/* An RFC 9457 problem+json answer. */
void response_problem(struct response *resp, unsigned status, const char *detail);
/* A plain-text answer. */
void response_text(struct response *resp, unsigned status, const char *text);

/* The strong ETag ("\"16 hex digits\"") of a body, as every answer gets it. */
void http_etag(const void *body, size_t len, char out[40]);
/*
 * True if an If-None-Match or If-Match list holds etag ("*" matches all;
 * W/ and the "-gz" or "-br" of a compressed representation are ignored:
 * all name the same content).
 */
bool http_etag_matches(const char *list, const char *etag);

/* "GET, HEAD, POST" for a set of enum http_method bits. */
void http_methods_text(unsigned methods, char *out, size_t outlen);

/* The reason phrase of a status ("Not Found"). */
const char *http_status_text(unsigned status);

/*
 * One representation of a reply's content: its identity body, or that
 * body compressed with gzip or Brotli (coding.h).  Each is built once,
 * the first time a client wants it, and then kept as long as the reply.
 */
struct representation {
	atomic_int state;    /* of full; see http.c */
	atomic_int nm_state; /* of not_modified */
	const void *body;    /* owned by full; valid once built */
	size_t len;          /* body bytes, once built */
	struct MHD_Response *full;
	/* The 304 of a 2xx, with this representation's ETag: made when first due. */
	struct MHD_Response *not_modified;
};

/*
 * An answer in wire form, ready to be sent any number of times, to any
 * number of clients at once: the libmicrohttpd responses of each
 * representation, made when first wanted.  A reply made for a client that
 * accepts compression keeps only the compressed body: the identity one is
 * made again (decompressed) if a client that accepts neither asks.  So
 * the response cache, which keeps replies, holds each page in the form its
 * readers take it, three to five times smaller for browsers.  A one-off
 * answer is a reply used once.  Bodies belong to the libmicrohttpd
 * responses, which free them when the last connection sending them is done.
 */
struct reply {
	atomic_uint refs; /* reply_release() frees it at zero */
	unsigned status;
	int64_t last_modified;
	char etag[40];            /* quoted strong tag of the identity body */
	size_t len;               /* identity body bytes, kept or not */
	bool has_304;             /* a 2xx: a client's current copy gets a 304 */
	struct representation rep[CODING__COUNT];
	atomic_size_t bytes;      /* of the bodies built so far (reply_bytes()) */
	atomic_bool grown;        /* a body was built since reply_grown() last asked */
	bool ranges;                    /* Range is answered (response.ranges) */
	struct response_source *source; /* owned; the identity then holds the headers only */
};

/*
 * Makes a reply (refs = 1) from a filled response, taking its body: adds
 * ETag, Last-Modified, Cache-Control, Vary and the safety headers.  born
 * is the coding the asking client prefers (request_coding()): a 2xx body
 * of its own that compresses well is kept in it alone; CODING_IDENTITY
 * keeps the identity body.  NULL only when libmicrohttpd cannot allocate.
 */
struct reply *reply_new(struct response *resp, enum http_coding born);
/* Takes another reference. */
void reply_hold(struct reply *rp);
/*
 * True if rp has representation c, making it now if nobody has tried yet:
 * what reply_send() does for a client that wants c.  False if it does not
 * pay, or another thread is making it.
 */
bool reply_make(struct reply *rp, enum http_coding c);
/*
 * The bytes rp holds now, its bodies and the libmicrohttpd responses that
 * send them: what a cache that keeps it is charged.
 */
size_t reply_bytes(const struct reply *rp);
/*
 * True once after each body made for rp since the last call (and since
 * reply_new()): a cache that keeps rp is to charge it again (cache_charge()).
 */
bool reply_grown(struct reply *rp);
/* Drops a reference; the last one frees the reply.  NULL is fine. */
void reply_release(struct reply *rp);

/*
 * Queues the representation of rp that fits req: 304 when the client's
 * copy is current (to a successful GET or HEAD only), Brotli or gzip when
 * the client accepts it and it pays (coding_accepted()'s order), else
 * identity, decompressed for this client if the reply kept none.  A reply with ranges answers a GET's Range of
 * one range (bytes=A-B, A-, -N) with 206 and Content-Range, or 416 with
 * a Content-Range of "bytes *", a slash and the size, when it lies past
 * the end (RFC 9110, 14.4); several ranges, or an If-Range that does not
 * name the current ETag (or Last-Modified), get the whole body (200).  A
 * range is always of the identity body.  A reply with a source streams it, reading as the
 * client takes it; each piece taken moves the send deadline on.  Notes
 * the status and size in req.
 */
enum MHD_Result reply_send(struct reply *rp, struct request *req);

/*
 * Reads a Range header (RFC 9110, 14.1.1) against a body of size bytes:
 * 1 for a single satisfiable range, with its first byte in *start and its
 * length in *len (an end past the body is cut to it); -1 if it is
 * unsatisfiable (it starts at or past the end, or is a suffix of 0
 * bytes); 0 if it is to be ignored and the whole body sent: not bytes,
 * malformed (an end before its start, a number too long), or several
 * ranges (gazette answers those with the whole body rather than
 * multipart/byteranges).
 */
int http_range_parse(const char *h, uint64_t size, uint64_t *start, uint64_t *len);

/*
 * Whether an Accept header (RFC 9110, 12.5.1) prefers JSON to HTML: true
 * when application/json gets a higher q than text/html, each taking the q
 * of the most specific range that names it (its type and subtype, else
 * its type with any subtype, else any type; application/xhtml+xml counts
 * as HTML).  No header, a tie (a browser's default, which takes HTML at
 * q=1 and anything at 0.8, or a bare "any type"), or neither acceptable:
 * false, the page.  A range whose q is not a number from 0 to 1 with up
 * to three decimals is ignored.
 */
bool http_prefers_json(const char *accept);

/* Parses a method name; METHOD_OTHER if it is not one gazette knows. */
enum http_method http_method_parse(const char *name);

/*
 * Appends the request's path, from its decoded segments, percent-encoded
 * again the one canonical way ("/articles/caf%C3%A9"): at most nsegs of
 * them, or all with (size_t)-1.  "/" for the front page.
 */
void request_path(const struct request *req, size_t nsegs, struct buf *out);

/* Request header lookup (case-insensitive), NULL if absent. */
const char *request_header(struct request *req, const char *name);

/*
 * The compressed codings req's client accepts, best first
 * (coding_accepted()): their number, the list in *out.  The header is
 * read on the first call of a request only.
 */
size_t request_codings(struct request *req, const enum http_coding **out);
/* The first of them, or identity. */
enum http_coding request_coding(struct request *req);

/*
 * The next element of a comma-separated list of Accept or Accept-Encoding
 * at *p (NULL: an empty list): its token (up to a ';', a ',' or a blank)
 * in *tok and *toklen, and the q-value of its parameters (RFC 9110,
 * 12.4.2) in thousandths in *q: 1000 if none is given, -1 if it is not a
 * q-value.  *p moves past it.  False when the list has no more.
 */
bool http_list_next(const char **p, const char **tok, size_t *toklen, int *q);

#endif
