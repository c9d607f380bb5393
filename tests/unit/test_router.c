/*
 * Unit tests for the router (src/site/router.c) against its route table
 * (src/site/routes.c): every route is reached by a path made from its own
 * segments, with the methods it takes and no other; every query parameter
 * rule answers as it should; the canonical forms (301s, cache keys) hold.
 * No database and no network: the router touches neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"
#include "gazette/http/guard.h"
#include "gazette/site/app.h"
#include "gazette/site/router.h"
#include "routes.h"

static struct app app;
static struct worker plain, below_blog;

static int setup(void **state)
{
	static const struct guard_limits limits = GUARD_DEFAULT_LIMITS;
	app.guard = guard_new(&limits, NULL);
	plain.public_url = xstrdup("https://example.org");
	plain.base_path = "";
	below_blog.public_url = xstrdup("https://example.org/blog");
	below_blog.base_path = below_blog.public_url + strlen("https://example.org");
	return 0;
}

static int teardown(void **state)
{
	guard_free(app.guard);
	free(plain.public_url);
	free(below_blog.public_url);
	return 0;
}

static void request_free(struct request *req)
{
	buf_free(&req->target);
	buf_free(&req->key);
	free(req->decoded);
}

/* Routes method target as a request on worker w (the plain one if NULL). */
static void route(struct request *req, enum http_method method, const char *target,
                  struct worker *w)
{
	request_free(req);
	memset(req, 0, sizeof *req);
	req->app = &app;
	req->worker = w ? w : &plain;
	req->method = method;
	buf_puts(&req->target, target);
	router_route(req);
}

static const struct route *routed(const struct request *req)
{
	return req->route;
}

/* A path that matches route r, made from its own segments. */
static void path_of(const struct route *r, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < REQUEST_MAX_SEGMENTS && r->segs[i].kind != SEG_END; i++) {
		buf_putc(out, '/');
		switch (r->segs[i].kind) {
		case SEG_LITERAL: buf_puts(out, r->segs[i].text); break;
		case SEG_SLUG: buf_puts(out, "some-slug"); break;
		case SEG_PAGE: buf_puts(out, "3"); break;
		case SEG_YEAR: buf_puts(out, "2025"); break;
		case SEG_MONTH: buf_puts(out, "02"); break;
		case SEG_REST: buf_puts(out, "css/site.css"); break;
		case SEG_ANY: buf_puts(out, "2015/05/some%20file.png"); break;
		default: break;
		}
	}
	if (out->len == 0)
		buf_putc(out, '/');
}

static const enum http_method all_methods[] = {
    METHOD_GET,   METHOD_HEAD,   METHOD_POST,    METHOD_PUT,
    METHOD_PATCH, METHOD_DELETE, METHOD_OPTIONS, METHOD_OTHER,
};

/* Every route of the table: its own path reaches it, with the methods it takes. */
static void test_every_route(void **state)
{
	struct request req = {0};
	struct buf path = BUF_INIT;
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		path_of(r, &path);
		/* A standalone page's slug must not be a reserved name; "some-slug" is not. */
		route(&req, METHOD_GET, path.data, NULL);
		assert_non_null(routed(&req));
		/* The first route that matches: an earlier one with the same shape wins. */
		size_t got = router_route_index(&req);
		assert_true(got <= i);
		if (got != i) {
			print_message("route %zu (%s) shadowed by %zu for %s\n", i, r->name, got,
			              path.data);
			fail();
		}
		assert_string_equal(router_route_name(got), r->name);
		assert_int_equal(router_route_kind(&req), r->kind);

		unsigned takes =
		    METHOD_GET | METHOD_HEAD | r->writes | (r->api ? METHOD_OPTIONS : 0);
		/* Files and old addresses are only read; other methods find no route (404). */
		bool fallback = r->segs[0].kind == SEG_ANY;
		for (size_t m = 0; m < GZ_ARRAY_LEN(all_methods); m++) {
			route(&req, all_methods[m], path.data, NULL);
			if (takes & all_methods[m]) {
				assert_ptr_equal(routed(&req), r);
				/* Only reads without a token may come from the cache. */
				assert_int_equal(req.cacheable,
				                 !r->live &&
				                     (all_methods[m] & (METHOD_GET | METHOD_HEAD)));
			} else {
				assert_null(routed(&req));
				assert_int_equal(req.route_status, fallback ? 404 : 405);
				if (!fallback)
					assert_int_equal(req.allowed, takes);
			}
		}
		/* The same path below the public URL's path is the same route. */
		struct buf below = BUF_INIT;
		buf_printf(&below, "/blog%s", strcmp(path.data, "/") == 0 ? "" : path.data);
		route(&req, METHOD_GET, below.data, &below_blog);
		assert_ptr_equal(routed(&req), r);
		buf_free(&below);
	}
	buf_free(&path);
	request_free(&req);
}

struct path_case {
	const char *target;
	const char *route; /* its name, or NULL: the router answers */
	unsigned status;   /* when route is NULL */
	const char *slug;  /* p.slug, or NULL */
	unsigned long page;
	const char *rest;
};

static void test_paths(void **state)
{
	static const struct path_case cases[] = {
	    {"/", "home", 0, NULL, 1, NULL},
	    {"/page/2", "home", 0, NULL, 2, NULL},
	    {"/page/1", NULL, 301, NULL, 0, NULL},
	    /* What no route takes is looked up as a file or an old address. */
	    {"/page/02", "file", 0, NULL, 1, NULL},
	    {"/page/0", "file", 0, NULL, 1, NULL},
	    {"/page/1000001", "file", 0, NULL, 1, NULL},
	    {"/articles/caf%C3%A9", "article", 0, "caf\xc3\xa9", 1, NULL},
	    {"/articles/a%2Fb", "file", 0, NULL, 1, NULL},
	    {"/articles/x/", NULL, 301, NULL, 0, NULL},
	    {"/articles/", "file", 0, NULL, 1, NULL}, /* a reserved name, not a page */
	    {"/articles", "file", 0, NULL, 1, NULL},
	    {"/articles//x", NULL, 404, NULL, 0, NULL},
	    {"/articles/../etc", NULL, 400, NULL, 0, NULL},
	    {"/articles/%zz", NULL, 400, NULL, 0, NULL},
	    {"/articles/a%00b", NULL, 400, NULL, 0, NULL},
	    {"/articles/%FF", NULL, 400, NULL, 0, NULL},
	    {"/tags/news/page/4", "tag", 0, "news", 4, NULL},
	    {"/tags/news/page/1", NULL, 301, NULL, 0, NULL},
	    {"/tags/news/feed.xml", "feed", 0, "news", 1, NULL},
	    {"/authors/jane-doe", "author", 0, "jane-doe", 1, NULL},
	    /* The index pages and the archive (one spelling of a year and a month). */
	    {"/tags", "tags", 0, NULL, 1, NULL},
	    {"/authors", "authors", 0, NULL, 1, NULL},
	    {"/tags/", NULL, 301, NULL, 0, NULL},
	    {"/archive", "archive", 0, NULL, 1, NULL},
	    {"/archive/page/3", "archive", 0, NULL, 3, NULL},
	    {"/archive/page/1", NULL, 301, NULL, 0, NULL},
	    {"/archive/2025", "archive", 0, NULL, 1, NULL},
	    {"/archive/2025/page/2", "archive", 0, NULL, 2, NULL},
	    {"/archive/2025/02", "archive", 0, NULL, 1, NULL},
	    {"/archive/2025/12/page/9", "archive", 0, NULL, 9, NULL},
	    {"/archive/2025/2", "file", 0, NULL, 1, NULL},
	    {"/archive/2025/13", "file", 0, NULL, 1, NULL},
	    {"/archive/2025/00", "file", 0, NULL, 1, NULL},
	    {"/archive/25", "file", 0, NULL, 1, NULL},
	    {"/archive/0999", "file", 0, NULL, 1, NULL},
	    {"/archive/20250", "file", 0, NULL, 1, NULL},
	    {"/archive/2025/02/03", "file", 0, NULL, 1, NULL},
	    {"/api/v1/archive", "api_archive", 0, NULL, 1, NULL},
	    {"/static/css/site.css", "static", 0, NULL, 1, "css/site.css"},
	    {"/static/css%2Fsite.css", "file", 0, NULL, 1, NULL},
	    {"/static/", "file", 0, NULL, 1, NULL},
	    {"/about", "page", 0, "about", 1, NULL},
	    {"/search", "search", 0, NULL, 1, NULL},
	    {"/feed.xml", "feed", 0, NULL, 1, NULL},
	    {"/api/v1/articles/x/revisions", "api_revisions", 0, "x", 1, NULL},
	    {"/api/v1/nothing", NULL, 404, NULL, 0, NULL}, /* the API's own 404, problem+json */
	    {"/api", NULL, 404, NULL, 0, NULL},
	    {"/api/v1/files", "api_files", 0, NULL, 1, NULL},
	    {"/a/b/c/d/e/f/g/h/i", "file", 0, NULL, 1, NULL},
	    {"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", "file", 0, NULL, 1, NULL},
	    {"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", NULL, 404, NULL, 0, NULL},
	    {"/2015/05/15/Rust%201.0.html", "file", 0, NULL, 1, NULL},
	    {"/2015/05/15/rust/", "file", 0, NULL, 1, NULL}, /* no 301: old addresses end so */
	    {"/images/cat.png", "file", 0, NULL, 1, NULL},
	    {"/cat.png", "page", 0, "cat.png", 1, NULL}, /* a page first, then the file */
	    {"http://example.org/articles/x", "article", 0, "x", 1, NULL},
	    {"HTTPS://example.org", "home", 0, NULL, 1, NULL},
	    {"articles/x", NULL, 400, NULL, 0, NULL},
	    {"/articles/a b", NULL, 400, NULL, 0, NULL},
	    {"/articles/.hidden", "file", 0, NULL, 1, NULL},
	};
	struct request req = {0};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		const struct path_case *c = &cases[i];
		route(&req, METHOD_GET, c->target, NULL);
		if (c->route == NULL) {
			if (routed(&req) != NULL || req.route_status != c->status)
				print_message("%s: want %u\n", c->target, c->status);
			assert_null(routed(&req));
			assert_int_equal(req.route_status, c->status);
			continue;
		}
		if (routed(&req) == NULL)
			print_message("%s: %u %s\n", c->target, req.route_status, req.route_detail);
		assert_non_null(routed(&req));
		assert_string_equal(router_route_name(router_route_index(&req)), c->route);
		if (c->slug)
			assert_string_equal(req.p.slug, c->slug);
		assert_int_equal(req.p.page, c->page);
		if (c->rest)
			assert_string_equal(req.p.rest, c->rest);
	}
	request_free(&req);
}

/* Every reserved first segment is no standalone page. */
static void test_reserved_names(void **state)
{
	static const char *const reserved[] = {"articles", "tags",     "authors", "search",
	                                       "static",   "api",      "page",    "healthz",
	                                       "metrics",  "feed.xml", "rss.xml", "sitemap.xml",
	                                       "archive"};
	struct request req = {0};
	for (size_t i = 0; i < GZ_ARRAY_LEN(reserved); i++) {
		char target[64];
		snprintf(target, sizeof target, "/%s", reserved[i]);
		route(&req, METHOD_GET, target, NULL);
		assert_true(routed(&req) == NULL || router_route_kind(&req) != ROUTE_STANDALONE);
	}
	request_free(&req);
}

struct query_case {
	const char *target;
	unsigned status;    /* 0: routed */
	const char *detail; /* a piece of the message, with the status */
	const char *key;    /* the cache key, when routed */
};

static void test_query_rules(void **state)
{
	static const struct query_case cases[] = {
	    /* Known parameters, in any order and spelling, make one key. */
	    {"/api/v1/articles?page=2&limit=5", 0, NULL, "/api/v1/articles?limit=5&page=2"},
	    {"/api/v1/articles?limit=5&page=2", 0, NULL, "/api/v1/articles?limit=5&page=2"},
	    {"/api/v1/articles?utm_source=x&tag=news", 0, NULL, "/api/v1/articles?tag=news"},
	    {"/api/v1/articles", 0, NULL, "/api/v1/articles"},
	    {"/api/v1/articles?q=caf%C3%A9+cr%C3%A8me&order=relevance", 0, NULL,
	     "/api/v1/articles?q=caf%C3%A9%20cr%C3%A8me&order=relevance"},
	    {"/api/v1/articles?q=%20%20", 0, NULL, "/api/v1/articles"},
	    {"/api/v1/articles?status=published", 0, NULL, "/api/v1/articles?status=published"},
	    {"/api/v1/articles?fields=slug,title", 0, NULL, "/api/v1/articles?fields=slug,title"},
	    /* Each rule of the table, broken. */
	    {"/api/v1/articles?limit=0", 400, "'limit' must be a whole number from 1 to 100", NULL},
	    {"/api/v1/articles?limit=101", 400, "'limit'", NULL},
	    {"/api/v1/articles?limit=abc", 400, "'limit'", NULL},
	    {"/api/v1/articles?page=0", 400, "'page' must be a whole number from 1 to 1000000",
	     NULL},
	    {"/api/v1/articles?page=1&page=2", 400, "'page' is given more than once", NULL},
	    {"/api/v1/articles?tag=a%2Fb", 400, "'tag' is not a valid tag name", NULL},
	    {"/api/v1/articles?author=..", 400, "'author' is not a valid author name", NULL},
	    {"/api/v1/articles?order=random", 400, "'order' must be one of", NULL},
	    {"/api/v1/articles?order=relevance", 400, "'relevance' only with 'q'", NULL},
	    {"/api/v1/articles?status=secret", 400, "'status' must be one of", NULL},
	    {"/api/v1/articles?fields=slug,password", 400, "unknown field 'password'", NULL},
	    {"/api/v1/articles?q=%zz", 400, "'q' has a bad percent-escape", NULL},
	    {"/api/v1/articles?%zz=1", 400, "bad percent-escape", NULL},
	    /* The archive's year and month: the same data as /archive/YYYY/MM. */
	    {"/api/v1/articles?month=02&year=2025", 0, NULL, "/api/v1/articles?year=2025&month=2"},
	    {"/api/v1/articles?year=2025", 0, NULL, "/api/v1/articles?year=2025"},
	    {"/api/v1/articles?month=2", 400, "'month' can be given only with 'year'", NULL},
	    {"/api/v1/articles?year=999", 400, "'year' must be a whole number from 1000 to 9999",
	     NULL},
	    {"/api/v1/articles?year=2025&month=13", 400, "'month' must be a whole number from 1 to 12",
	     NULL},
	    /* A year and a month in the path are no query: one key per page. */
	    {"/archive/2025/02?year=2024&month=1", 0, NULL, "/archive/2025/02"},
	    {"/archive/2025/page/2", 0, NULL, "/archive/2025/page/2"},
	    /* A route takes only its own parameters: the rest are ignored, not checked. */
	    {"/search?q=x&limit=abc", 0, NULL, "/search?q=x"},
	    {"/articles/x?page=abc", 0, NULL, "/articles/x"},
	    {"/api/v1/articles/x?fields=title", 0, NULL, "/api/v1/articles/x?fields=title"},
	    /* WordPress's post numbers on the front page. */
	    {"/?p=123", 0, NULL, "/?p=123"},
	    {"/?p=0123&utm_source=x", 0, NULL, "/?p=123"},
	    {"/?p=0", 400, "'p' must be a whole number from 1 to 2147483647", NULL},
	    {"/?p=abc", 400, "'p'", NULL},
	    {"/page/2?p=5", 0, NULL, "/page/2"},
	    {"/2015/x.html?p=5&page=2", 0, NULL, "/2015/x.html"},
	    /* A file's address to upload to. */
	    {"/api/v1/files?path=images/a%20b.png", 0, NULL, "/api/v1/files?path=images/a%20b.png"},
	    {"/api/v1/files?path=about", 0, NULL, "/api/v1/files?path=about"},
	    {"/api/v1/files?path=articles", 0, NULL, "/api/v1/files?path=articles"},
	    {"/api/v1/files?path=images/../x", 400, "'..' segments", NULL},
	    {"/api/v1/files?path=/x.png", 400, "no leading '/'", NULL},
	    {"/api/v1/files?path=", 400, "The path is empty", NULL},
	    {"/api/v1/files?path=feed.xml", 400, "an address of gazette's own", NULL},
	    {"/api/v1/files?path=tags/news", 400, "an address of gazette's own", NULL},
	    {"/api/v1/files?path=static/x.css", 400, "an address of gazette's own", NULL},
	    {"/api/v1/files?path=api/x", 400, "an address of gazette's own", NULL},
	    {"/api/v1/files?path=page/2", 400, "an address of gazette's own", NULL},
	};
	struct request req = {0};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		const struct query_case *c = &cases[i];
		route(&req, METHOD_GET, c->target, NULL);
		if (c->status == 0) {
			if (routed(&req) == NULL)
				print_message("%s: %s\n", c->target, req.route_detail);
			assert_non_null(routed(&req));
			assert_true(req.cacheable);
			assert_string_equal(req.key.data, c->key);
			continue;
		}
		assert_null(routed(&req));
		assert_int_equal(req.route_status, c->status);
		if (strstr(req.route_detail, c->detail) == NULL)
			print_message("%s: '%s' lacks '%s'\n", c->target, req.route_detail,
			              c->detail);
		assert_non_null(strstr(req.route_detail, c->detail));
	}
	request_free(&req);
}

/*
 * Reads that need a token are settled by the router, before the cache is
 * asked: never cacheable, whatever the cache holds for the same address.
 */
static void test_reads_that_need_a_token(void **state)
{
	static const struct {
		enum http_method method;
		const char *target;
		enum token_scope needs;
	} cases[] = {
	    {METHOD_GET, "/api/v1/articles", SCOPE_NONE},
	    {METHOD_GET, "/api/v1/articles?status=published", SCOPE_NONE},
	    {METHOD_GET, "/api/v1/articles?status=draft", SCOPE_READ_DRAFTS},
	    {METHOD_HEAD, "/api/v1/articles?status=draft", SCOPE_READ_DRAFTS},
	    {METHOD_GET, "/api/v1/articles?status=scheduled&limit=5", SCOPE_READ_DRAFTS},
	    {METHOD_GET, "/api/v1/articles?q=x&status=all", SCOPE_READ_DRAFTS},
	    {METHOD_GET, "/api/v1/articles/x/revisions", SCOPE_READ_DRAFTS},
	    /* A write settles its token itself (precheck); OPTIONS needs none. */
	    {METHOD_POST, "/api/v1/articles?status=draft", SCOPE_NONE},
	    {METHOD_OPTIONS, "/api/v1/articles?status=draft", SCOPE_NONE},
	    {METHOD_GET, "/articles/x?status=draft", SCOPE_NONE},
	};
	struct request req = {0};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		route(&req, cases[i].method, cases[i].target, NULL);
		assert_non_null(routed(&req));
		if (req.needs != cases[i].needs)
			print_message("%s: needs %d\n", cases[i].target, (int)req.needs);
		assert_int_equal(req.needs, cases[i].needs);
		if (cases[i].needs != SCOPE_NONE)
			assert_false(req.cacheable);
	}
	request_free(&req);
}

/* The limits on query strings come from the guard's limits. */
static void test_query_limits(void **state)
{
	struct request req = {0};
	struct buf t = BUF_INIT;
	buf_puts(&t, "/api/v1/articles?");
	for (int i = 0; i < 33; i++)
		buf_printf(&t, "%sx%d=1", i ? "&" : "", i);
	route(&req, METHOD_GET, t.data, NULL);
	assert_null(routed(&req));
	assert_int_equal(req.route_status, 400);
	assert_non_null(strstr(req.route_detail, "more than 32 parameters"));

	buf_reset(&t);
	buf_puts(&t, "/search?q=");
	for (int i = 0; i < 2048; i++)
		buf_putc(&t, 'a');
	route(&req, METHOD_GET, t.data, NULL);
	assert_null(routed(&req));
	assert_int_equal(req.route_status, 400);
	assert_non_null(strstr(req.route_detail, "longer than 2048 bytes"));
	buf_free(&t);
	request_free(&req);
}

/* The canonical query: the parameters given, in one order and spelling, page last. */
static void test_canonical_query(void **state)
{
	struct params p = {.tag = "news",
	                   .author = "jane",
	                   .q = "two words",
	                   .limit = 5,
	                   .fields = "slug",
	                   .order = ORDER_OLDEST,
	                   .status = STATUS_DRAFT,
	                   .year = 2025,
	                   .month = 2,
	                   .given = QP_BIT(QP_ORDER) | QP_BIT(QP_STATUS) | QP_BIT(QP_YEAR) |
	                            QP_BIT(QP_MONTH)};
	struct buf b = BUF_INIT;
	router_query(&p, 3, &b);
	assert_string_equal(b.data, "tag=news&author=jane&q=two%20words&order=oldest&limit=5&"
	                            "fields=slug&status=draft&year=2025&month=2&page=3");
	/* A year from the path (/archive/2025) is not repeated in the query. */
	buf_reset(&b);
	struct params path_year = {.year = 2025, .month = 2};
	router_query(&path_year, 0, &b);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	struct params none = {0};
	router_query(&none, 0, &b);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

/* The longest path the router takes is as long below the public URL's path. */
static void test_longest_path_below_the_public_path(void **state)
{
	static const char path[] = "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p";
	struct request req = {0};
	char target[64];
	snprintf(target, sizeof target, "/blog%s", path);
	route(&req, METHOD_GET, target, &below_blog);
	assert_string_equal(router_route_name(router_route_index(&req)), "file");
	assert_string_equal(req.key.data, path);
	snprintf(target, sizeof target, "/blog%s/q", path);
	route(&req, METHOD_GET, target, &below_blog);
	assert_null(routed(&req));
	assert_int_equal(req.route_status, 404);
	request_free(&req);
}

/* Writes take no file route: an unknown address is 404 to them, as before files. */
static void test_fallback_methods(void **state)
{
	struct request req = {0};
	static const enum http_method others[] = {METHOD_POST, METHOD_PUT, METHOD_DELETE,
	                                          METHOD_OPTIONS, METHOD_OTHER};
	for (size_t i = 0; i < GZ_ARRAY_LEN(others); i++) {
		route(&req, others[i], "/images/cat.png", NULL);
		assert_null(routed(&req));
		assert_int_equal(req.route_status, 404);
	}
	route(&req, METHOD_HEAD, "/images/cat.png", NULL);
	assert_string_equal(router_route_name(router_route_index(&req)), "file");
	assert_int_equal(router_route_kind(&req), ROUTE_FILE);
	request_free(&req);
}

/*
 * url_canonical_path() must spell an old address as the router spells the
 * path of a request for it: the stored form is compared byte for byte.
 */
static void test_canonical_old_addresses(void **state)
{
	static const char *const targets[] = {
	    "/2015/05/15/Rust%201.0.html",
	    "/2015/05/15/rust/",
	    "/caf%c3%a9/%7euser/it's",
	    "/a+b/c=d&e/f;g,h",
	    "/%41%42c/x%2Fy",
	    "/blog/x.html",
	    "/index.php",
	    "/archives/2015/05/a-post?replytocom=5",
	    "/%E2%82%AC/%F0%9F%98%80.html",
	};
	struct request req = {0};
	for (int blog = 0; blog < 2; blog++) {
		for (size_t i = 0; i < GZ_ARRAY_LEN(targets); i++) {
			route(&req, METHOD_GET, targets[i], blog ? &below_blog : NULL);
			assert_non_null(routed(&req));
			struct buf router = BUF_INIT, canonical = BUF_INIT;
			request_path(&req, (size_t)-1, &router);
			const char *why;
			assert_int_equal(url_canonical_path(targets[i], strlen(targets[i]),
			                                    blog ? "/blog" : NULL, &canonical, &why),
			                 0);
			if (strcmp(router.data, canonical.data) != 0)
				print_message("%s: router %s, canonical %s\n", targets[i], router.data,
				              canonical.data);
			assert_string_equal(router.data, canonical.data);
			buf_free(&router);
			buf_free(&canonical);
		}
	}
	/* And the front page's "/?p=N": the router's key is the stored address. */
	route(&req, METHOD_GET, "/?p=0042&x=1", NULL);
	struct buf canonical = BUF_INIT;
	const char *why;
	assert_int_equal(url_canonical_path("/?p=0042&x=1", 12, NULL, &canonical, &why), 0);
	assert_string_equal(req.key.data, canonical.data);
	buf_free(&canonical);
	request_free(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_route),    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_reserved_names), cmocka_unit_test(test_query_rules),
	    cmocka_unit_test(test_query_limits),   cmocka_unit_test(test_canonical_query),
	    cmocka_unit_test(test_reads_that_need_a_token),
	    cmocka_unit_test(test_fallback_methods), cmocka_unit_test(test_canonical_old_addresses),
	    cmocka_unit_test(test_longest_path_below_the_public_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
