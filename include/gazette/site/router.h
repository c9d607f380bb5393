/*
 * router.h: the front door.  Every request passes here once: the target is
 * split and percent-decoded, the route found, the method and the query
 * parameters checked; only then does a handler run, with clean values in
 * req->p.  What is settled here is answered here: 301 to the one spelling
 * of a page, 400, 404, 405.
 */
#ifndef GAZETTE_ROUTER_H
#define GAZETTE_ROUTER_H

#include "gazette/http/http.h"

/* A handler fills resp for req; the status it sets is the answer. */
typedef void (*handler_fn)(struct request *req, struct response *resp);

/*
 * Routes a complete request: decodes the target, finds the route, checks
 * the method and the query.  Sets req->route (or route_status and
 * route_detail when the router itself must answer), req->p, and for a
 * GET or HEAD that may be served from the cache, req->cacheable and
 * req->key (the canonical path and query, and " json" when an HTML
 * address is asked for its JSON: req->json).  Touches no database.
 */
void router_route(struct request *req);

/* Answers a routed request: runs its handler, or the router's own answer. */
void router_answer(struct request *req, struct response *resp);
/* A 301 to the request's path as the router spells it (no trailing '/'), with its query. */
void router_redirect_canonical(struct request *req, struct response *resp);

/*
 * A write (a route's writes methods) whose headers are in, before its body
 * is read: the route's own checks (a token, the Content-Type).  True, or
 * false with resp filled with the refusal.
 */
bool router_precheck(struct request *req, struct response *resp);

/* Refuses a routed request (413 for a body too large) as its route answers errors. */
void router_refuse(struct request *req, struct response *resp, unsigned status, const char *detail);

/*
 * Appends the canonical query of a list's parameters: the ones given, in
 * one order and spelling (tag, author, q, order, limit, fields, status,
 * year, month, p, path), then page=N unless page is 0.  Without '?'.
 */
void router_query(const struct params *p, unsigned long page, struct buf *out);

/* What a route serves, where that matters to more than its handler. */
enum route_kind {
	ROUTE_OTHER,
	ROUTE_ARTICLE,    /* one article, HTML or JSON (counted in /metrics) */
	ROUTE_STANDALONE, /* /{slug}: a standalone page, never a reserved name */
	ROUTE_FILE,       /* what no other route takes: a file, an old address, or 404 */
};

/*
 * True if a request for the file address path ("images/a.png", valid as
 * media_path_valid() says) would reach a route of gazette's own rather
 * than the files: "feed.xml", "tags/x", "api/...".  A standalone page's
 * address is not taken: the file is served while there is no such page.
 */
bool router_path_taken(const char *path);

/* How large a routed write's body may be: --max-file-size for an upload, else --max-body. */
size_t router_body_limit(const struct request *req);
/* The sentence a 413 over router_body_limit() says. */
const char *router_body_limit_text(const struct request *req);

/* The routes, for metrics: how many, a route's name ("none" past the end). */
#define ROUTER_MAX_ROUTES 48
size_t router_route_count(void);
const char *router_route_name(size_t i);
/* The route a request took (router_route_count() if none). */
size_t router_route_index(const struct request *req);
/* What the route a request took serves (ROUTE_OTHER if none). */
enum route_kind router_route_kind(const struct request *req);

#endif
