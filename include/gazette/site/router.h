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
 * req->key (the canonical path and query).  Touches no database.
 */
void router_route(struct request *req);

/* Answers a routed request: runs its handler, or the router's own answer. */
void router_answer(struct request *req, struct response *resp);

/* An error answer in the form the request's route calls for (HTML page or problem+json). */
void router_error(struct request *req, struct response *resp, unsigned status, const char *detail);

/*
 * Appends the request's path, from its decoded segments, percent-encoded
 * again the one canonical way ("/articles/caf%C3%A9"): at most nsegs of
 * them, or all with (size_t)-1.  "/" for the front page.
 */
void request_path(const struct request *req, size_t nsegs, struct buf *out);

/*
 * An error for a request the router has not seen (the server refusing it
 * before routing): HTML or problem+json by the look of its path.
 */
void router_reject(struct request *req, struct response *resp, unsigned status, const char *detail);

/* 500: the database did not answer. */
void router_db_error(struct request *req, struct response *resp);

/* The routes, for metrics: how many, a route's name ("none" past the end). */
#define ROUTER_MAX_ROUTES 40
size_t router_route_count(void);
const char *router_route_name(size_t i);
/* The route a request took (router_route_count() if none). */
size_t router_route_index(const struct request *req);
/* True if the request asked for one article (HTML or JSON). */
bool router_route_is_article(const struct request *req);

/* Parses a method name; METHOD_OTHER if it is not one gazette knows. */
enum http_method http_method_parse(const char *name);

#endif
