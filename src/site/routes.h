/*
 * routes.h: what a route is (site/ only).  The table itself is in
 * routes.c; router.c matches requests against it.
 */
#ifndef GAZETTE_SITE_ROUTES_H
#define GAZETTE_SITE_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/site/router.h"

enum seg_kind {
	SEG_END,     /* the pattern ends */
	SEG_LITERAL, /* this exact text */
	SEG_SLUG,    /* a valid slug -> p.slug */
	SEG_PAGE,    /* a page number >= 2 -> p.page */
	SEG_YEAR,    /* a year of four digits, 1000 to 9999 -> p.year */
	SEG_MONTH,   /* a month of two digits, 01 to 12 -> p.month */
	SEG_REST,    /* one or more segments -> p.rest */
	SEG_ANY,     /* any path not under /api/ (GET and HEAD only): the last route */
};

struct seg {
	enum seg_kind kind;
	const char *text;
};

struct route {
	const char *name;      /* in /metrics */
	enum route_kind kind;  /* what it serves, where that matters */
	struct seg segs[REQUEST_MAX_SEGMENTS];
	handler_fn handler;    /* GET and HEAD */
	/*
	 * An HTML page's JSON: the answer of the API address that holds the
	 * same data, for a GET or HEAD whose Accept prefers JSON
	 * (http_prefers_json()); NULL if the page has none.
	 */
	handler_fn json;
	unsigned query;        /* QP_BIT()s it takes; others are ignored */
	bool api;              /* JSON: errors as problem+json, CORS, OPTIONS */
	bool live;             /* never cached (health checks must see the database now) */
	unsigned writes;       /* METHOD_POST ... it also takes, answered by write */
	handler_fn write;      /* for the methods in writes, once the body is in */
	/*
	 * For the methods in writes, before the body is read: true, or false
	 * with resp filled (a refusal that need not wait for the body).
	 */
	bool (*precheck)(struct request *req, struct response *resp);
	bool upload; /* its body is a file: --max-file-size, not --max-body */
	/*
	 * For GET and HEAD: the token scope a read with these (checked)
	 * parameters needs, or NULL for none.  The router settles it before
	 * the cache is asked: a read that needs a token is never looked up
	 * nor stored there, and one without a token is refused (401) before
	 * its handler runs.
	 */
	enum token_scope (*read_scope)(const struct params *p);
};

#define LIT(s) {SEG_LITERAL, s}
#define SLUG   {SEG_SLUG, NULL}
#define PAGE   {SEG_PAGE, NULL}
#define YEAR   {SEG_YEAR, NULL}
#define MONTH  {SEG_MONTH, NULL}
#define REST   {SEG_REST, NULL}
#define ANY    {SEG_ANY, NULL}

extern const struct route routes[];
extern const size_t routes_count;

#endif
