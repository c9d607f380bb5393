/*
 * router.c: routes as data, and the one place where request targets are
 * decoded and query parameters checked.
 *
 * libmicrohttpd hands handlers a path in which "%2F" has already become
 * "/"; the router works on the raw target instead, splitting the path at
 * real slashes first and decoding each segment after, so a slug can never
 * smuggle in a separator.
 */
#include "gazette/site/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/escape.h"
#include "gazette/base/media.h"
#include "gazette/base/util.h"
#include "gazette/content/article.h"
#include "gazette/content/slug.h"
#include "gazette/site/app.h"
#include "auth.h"
#include "cors.h"
#include "gazette/site/errors.h"
#include "routes.h"

#define MAX_SEGMENTS REQUEST_MAX_SEGMENTS
/*
 * Segments a target may have before the public URL's path is taken off
 * (strip_base_path()): a path of MAX_SEGMENTS below a path of up to 8.
 */
#define MAX_RAW_SEGMENTS (MAX_SEGMENTS + 8)

struct param_spec {
	const char *name;
	enum { PT_UINT, PT_TEXT, PT_SLUG, PT_ORDER, PT_FIELDS, PT_STATUS, PT_PATH } type;
	unsigned long min, max; /* PT_UINT: range; PT_TEXT: max bytes */
};

static const struct param_spec param_specs[QP__MAX] = {
    [QP_PAGE] = {"page", PT_UINT, 1, 1000000}, [QP_LIMIT] = {"limit", PT_UINT, 1, ARTICLE_LIST_MAX},
    [QP_Q] = {"q", PT_TEXT, 0, 500},           [QP_TAG] = {"tag", PT_SLUG, 0, 0},
    [QP_AUTHOR] = {"author", PT_SLUG, 0, 0},   [QP_ORDER] = {"order", PT_ORDER, 0, 0},
    [QP_FIELDS] = {"fields", PT_FIELDS, 0, 0}, [QP_STATUS] = {"status", PT_STATUS, 0, 0},
    [QP_P] = {"p", PT_UINT, 1, URL_POST_ID_MAX}, [QP_PATH] = {"path", PT_PATH, 0, 0},
    [QP_YEAR] = {"year", PT_UINT, 1000, 9999},   [QP_MONTH] = {"month", PT_UINT, 1, 12},
};

/* The names of ?order= and ?status= values, for checking and for the canonical query. */
static const char *const order_names[] = {
    [ORDER_NEWEST] = "newest",
    [ORDER_OLDEST] = "oldest",
    [ORDER_TITLE] = "title",
    [ORDER_RELEVANCE] = "relevance",
};
static const char *const status_names[] = {
    [STATUS_PUBLISHED] = "published",
    [STATUS_SCHEDULED] = "scheduled",
    [STATUS_DRAFT] = "draft",
    [STATUS_ALL] = "all",
};

/* Keys an article of the API can be trimmed to with ?fields=. */
static const char *const article_fields[] = {
    "slug",         "title",      "summary",
    "url",          "author",     "authors",
    "published_at", "updated_at", "reading_time_minutes",
    "word_count",   "tags",       "body_html",
    "snippet",      "status",     "extra",
    "lang",         NULL,
};

/*
 * Percent-decodes s[0..n) into out (see percent_decode()); also refuses
 * what is not UTF-8.  Returns the decoded length, or -1.
 */
static long decode(const char *s, size_t n, char *out, bool plus_is_space)
{
	long k = percent_decode(s, n, out, plus_is_space);
	return k >= 0 && utf8_valid(out, (size_t)k) ? k : -1;
}

struct target {
	char *segs[MAX_RAW_SEGMENTS + 1];
	size_t nsegs;
	bool trailing_slash; /* "/articles/x/": redirect to the canonical form */
	const char *query;   /* raw, after '?', or NULL */
	size_t query_len;
	size_t rest_from; /* a SEG_REST route matched: its segments from here (0: none) */
};

/*
 * Splits and decodes the path of req->target.data into t.  Returns 0, or an
 * HTTP status (400, 404) with *why set.
 */
static unsigned split_target(struct request *req, struct target *t, char **cursor, const char **why)
{
	const char *s = req->target.data;

	memset(t, 0, sizeof *t);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			*why = "The request target has a space or a control character.";
			return 400;
		}
	/*
	 * The absolute form (RFC 9112, 3.2.2), which proxies send: gazette is
	 * not virtual-hosted, so the authority changes nothing.
	 */
	size_t scheme = strncasecmp(s, "http://", 7) == 0    ? 7
	                : strncasecmp(s, "https://", 8) == 0 ? 8
	                                                     : 0;
	if (scheme) {
		s += scheme;
		s += strcspn(s, "/?#");
		if (*s == '\0')
			s = "/";
	}
	size_t n = strcspn(s, "?#");
	if (s[n] == '?') {
		t->query = s + n + 1;
		t->query_len = strcspn(t->query, "#");
	}
	if (n == 0 || s[0] != '/') {
		*why = "The request target must be a path starting with '/'.";
		return 400;
	}
	/* A trailing '/' ends the loop at n, so an empty segment can only be "//". */
	size_t i = 1;
	while (i < n) {
		size_t len = strcspn(s + i, "/?#");
		if (len == 0) {
			*why = "The path has an empty segment ('//').";
			return 404;
		}
		if (t->nsegs == MAX_RAW_SEGMENTS) {
			*why = "There is no page at this address.";
			return 404;
		}
		long k = decode(s + i, len, *cursor, false);
		if (k < 0) {
			*why = "The path has a bad percent-escape, a NUL byte or invalid UTF-8.";
			return 400;
		}
		if (strcmp(*cursor, ".") == 0 || strcmp(*cursor, "..") == 0) {
			*why = "The path may not contain '.' or '..' segments.";
			return 400;
		}
		t->segs[t->nsegs++] = *cursor;
		*cursor += k + 1;
		i += len + 1;
	}
	t->trailing_slash = n > 1 && s[n - 1] == '/';
	return 0;
}

/* A SEG_REST route's rest, segments i.. of t: at least one, and no decoded '/'. */
static bool rest_matches(const struct target *t, size_t i)
{
	if (i == 0 || i >= t->nsegs)
		return false;
	/* "%2F" is never a separator: a decoded '/' is no file name. */
	for (size_t k = i; k < t->nsegs; k++)
		if (strchr(t->segs[k], '/'))
			return false;
	return true;
}

/* Whether the decoded segment v is what sg asks for; a slug or a page number goes into p. */
static bool segment_matches(const struct seg *sg, const char *v, struct params *p)
{
	long long page;
	switch (sg->kind) {
	case SEG_LITERAL: return strcmp(v, sg->text) == 0;
	case SEG_SLUG:
		if (!slug_is_valid(v, strlen(v)))
			return false;
		p->slug = v;
		return true;
	case SEG_PAGE:
		/* One spelling per page: "/page/02" is not "/page/2". */
		if (v[0] == '0' || parse_uint_range(v, strlen(v), 1, 1000000, &page) < 0)
			return false;
		p->page = (unsigned long)page;
		return true;
	case SEG_YEAR:
		/* One spelling per year and month too: "2025/02", never "2025/2". */
		if (strlen(v) != 4 || parse_uint_range(v, 4, 1000, 9999, &page) < 0)
			return false;
		p->year = (unsigned)page;
		return true;
	case SEG_MONTH:
		if (strlen(v) != 2 || parse_uint_range(v, 2, 1, 12, &page) < 0)
			return false;
		p->month = (unsigned)page;
		return true;
	default: return false;
	}
}

static bool match_route(const struct route *r, struct target *t, struct params *p)
{
	size_t i = 0;
	for (const struct seg *sg = r->segs; i < MAX_SEGMENTS && sg->kind != SEG_END; sg++, i++) {
		if (sg->kind == SEG_ANY) {
			/* Anything else, but the API's own addresses (problem+json 404s). */
			return t->nsegs > 0 && strcmp(t->segs[0], "api") != 0;
		}
		if (sg->kind == SEG_REST) {
			if (!rest_matches(t, i))
				return false;
			t->rest_from = i; /* joined by router_route() */
			return true;
		}
		if (i >= t->nsegs || !segment_matches(sg, t->segs[i], p))
			return false;
	}
	return i == t->nsegs;
}

static bool fields_valid(const char *list, const char **bad, size_t *badlen)
{
	const char *s = list;
	while (*s) {
		size_t n = strcspn(s, ",");
		bool known = n == 0;
		for (size_t i = 0; !known && article_fields[i]; i++)
			known =
			    strlen(article_fields[i]) == n && memcmp(article_fields[i], s, n) == 0;
		if (!known) {
			*bad = s;
			*badlen = n;
			return false;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return true;
}

/*
 * The checks of check_param(), one per type of parameter: each takes the
 * value (n bytes) into p, or returns 400 with msg filled.
 */

static unsigned check_uint(enum query_param id, const char *value, size_t n, struct params *p,
                           char *msg, size_t msglen)
{
	const struct param_spec *spec = &param_specs[id];
	long long v;
	if (parse_uint_range(value, n, (long long)spec->min, (long long)spec->max, &v) < 0) {
		snprintf(msg, msglen,
		         "Query parameter '%s' must be a whole number from %lu to %lu.", spec->name,
		         spec->min, spec->max);
		return 400;
	}
	if (id == QP_PAGE)
		p->page = (unsigned long)v;
	else if (id == QP_P)
		p->post = (unsigned long)v;
	else if (id == QP_YEAR)
		p->year = (unsigned)v;
	else if (id == QP_MONTH)
		p->month = (unsigned)v;
	else
		p->limit = (unsigned long)v;
	return 0;
}

/* A file's address (?path= of an upload): valid, and not one gazette answers itself. */
static unsigned check_path(char *value, size_t n, struct params *p, char *msg, size_t msglen)
{
	const char *why;
	if (!media_path_valid(value, n, &why)) {
		snprintf(msg, msglen, "Query parameter 'path' is not a file's address: %s", why);
		return 400;
	}
	if (router_path_taken(value)) {
		snprintf(msg, msglen, "%s",
		         "Query parameter 'path' names an address of gazette's own (a page, "
		         "the API, a feed...): a file there would never be served.");
		return 400;
	}
	p->path = value;
	return 0;
}

/* Text (?q=): trimmed of spaces and tabs, in place; empty is none. */
static unsigned check_text(enum query_param id, char *value, size_t n, struct params *p, char *msg,
                           size_t msglen)
{
	const struct param_spec *spec = &param_specs[id];
	while (*value == ' ' || *value == '\t')
		value++, n--;
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		value[--n] = '\0';
	if (n > spec->max) {
		snprintf(msg, msglen, "Query parameter '%s' is longer than %lu bytes.", spec->name,
		         spec->max);
		return 400;
	}
	p->q = n ? value : NULL;
	return 0;
}

/* A tag's or an author's slug; empty is none. */
static unsigned check_slug(enum query_param id, const char *value, size_t n, struct params *p,
                           char *msg, size_t msglen)
{
	const struct param_spec *spec = &param_specs[id];
	if (n == 0)
		return 0;
	if (!slug_is_valid(value, n)) {
		snprintf(msg, msglen, "Query parameter '%s' is not a valid %s name.", spec->name,
		         spec->name);
		return 400;
	}
	if (id == QP_TAG)
		p->tag = value;
	else
		p->author = value;
	return 0;
}

/* The index of value in names[0..n), or -1. */
static int name_index(const char *const *names, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(value, names[i]) == 0)
			return (int)i;
	return -1;
}

static unsigned check_fields(const char *value, size_t n, struct params *p, char *msg,
                             size_t msglen)
{
	const char *bad;
	size_t badlen;
	if (!fields_valid(value, &bad, &badlen)) {
		snprintf(msg, msglen, "Query parameter 'fields' names an unknown field '%.*s'.",
		         (int)utf8_cut(bad, badlen, 64), bad);
		return 400;
	}
	p->fields = n ? value : NULL;
	return 0;
}

/* Checks one known parameter's value into p; 0 or 400 with msg filled. */
static unsigned check_param(enum query_param id, char *value, struct params *p, char *msg,
                            size_t msglen)
{
	size_t n = strlen(value);
	int i;

	switch (param_specs[id].type) {
	case PT_UINT: return check_uint(id, value, n, p, msg, msglen);
	case PT_TEXT: return check_text(id, value, n, p, msg, msglen);
	case PT_SLUG: return check_slug(id, value, n, p, msg, msglen);
	case PT_FIELDS: return check_fields(value, n, p, msg, msglen);
	case PT_PATH: return check_path(value, n, p, msg, msglen);
	case PT_ORDER:
		i = name_index(order_names, GZ_ARRAY_LEN(order_names), value);
		if (i < 0) {
			snprintf(msg, msglen,
			         "Query parameter 'order' must be one of newest, "
			         "oldest, title, relevance.");
			return 400;
		}
		p->order = (enum article_order)i;
		return 0;
	case PT_STATUS:
		i = name_index(status_names, GZ_ARRAY_LEN(status_names), value);
		if (i < 0) {
			snprintf(msg, msglen,
			         "Query parameter 'status' must be one of draft, "
			         "scheduled, published, all.");
			return 400;
		}
		p->status = (enum article_status)i;
		return 0;
	}
	return 0;
}

/* 400 when the query has more than --max-query-params parameters or one is too long. */
static unsigned check_query_limits(struct request *req, unsigned count, size_t len, char *msg,
                                   size_t msglen)
{
	const struct guard_limits *limits = guard_limits(req->app->guard);
	if (count <= limits->max_query_params && len <= limits->max_param_bytes)
		return 0;
	guard_hit(req->app->guard, LIMIT_QUERY, &req->guard);
	if (len > limits->max_param_bytes)
		snprintf(msg, msglen, "A query parameter is longer than %u bytes.",
		         limits->max_param_bytes);
	else
		snprintf(msg, msglen, "The query string has more than %u parameters.",
		         limits->max_query_params);
	return 400;
}

/*
 * The value of the parameter id, raw after the key (eq: its '=', or NULL
 * for none; len: the bytes after it), decoded at *cursor and checked
 * into p.  0, or 400 with msg: given twice, badly encoded, or not valid.
 */
static unsigned take_param(enum query_param id, const char *eq, size_t len, char **cursor,
                           struct params *p, char *msg, size_t msglen)
{
	const char *name = param_specs[id].name;
	if (p->given & QP_BIT(id)) {
		snprintf(msg, msglen, "Query parameter '%s' is given more than once.", name);
		return 400;
	}
	p->given |= QP_BIT(id);
	char *value = *cursor;
	long vlen = eq ? decode(eq + 1, len, value, true) : decode("", 0, value, true);
	if (vlen < 0) {
		snprintf(msg, msglen,
		         "Query parameter '%s' has a bad percent-escape, a NUL byte "
		         "or invalid UTF-8.",
		         name);
		return 400;
	}
	*cursor += vlen + 1;
	return check_param(id, value, p, msg, msglen);
}

/*
 * One "key=value" of the query, s[0..len): the key decoded at *cursor and,
 * when the route takes it, the value too.  0, or 400 with msg.
 */
static unsigned parse_param(const struct route *r, const char *s, size_t len, char **cursor,
                            struct params *p, char *msg, size_t msglen)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	char *key = *cursor;
	long k = decode(s, klen, key, true);
	if (k < 0) {
		snprintf(msg, msglen,
		         "The query string has a bad percent-escape, a NUL byte "
		         "or invalid UTF-8.");
		return 400;
	}
	*cursor += k + 1;
	for (int id = 0; id < QP__MAX; id++) {
		if (!(r->query & QP_BIT(id)) || strcmp(key, param_specs[id].name) != 0)
			continue;
		unsigned status = take_param((enum query_param)id, eq, eq ? len - klen - 1 : 0,
		                             cursor, p, msg, msglen);
		if (status)
			return status;
	}
	return 0;
}

/*
 * Parses the query string against the route's parameters.  0 or 400 with
 * msg.  Parameters no route takes are ignored, but still count against the
 * limits: they cost the server parsing all the same.
 */
static unsigned parse_query(struct request *req, const struct route *r, const struct target *t,
                            char **cursor, struct params *p, char *msg, size_t msglen)
{
	const char *s = t->query;
	size_t n = t->query_len;
	unsigned count = 0;

	while (s && n > 0) {
		size_t len = 0;
		while (len < n && s[len] != '&')
			len++;
		unsigned status = check_query_limits(req, ++count, len, msg, msglen);
		if (status == 0)
			status = parse_param(r, s, len, cursor, p, msg, msglen);
		if (status)
			return status;
		s += len;
		n -= len;
		if (n > 0) {
			s++;
			n--;
		}
	}
	if (p->order == ORDER_RELEVANCE && p->q == NULL) {
		snprintf(msg, msglen, "Query parameter 'order' can be 'relevance' only with 'q'.");
		return 400;
	}
	if (p->month && !p->year) {
		snprintf(msg, msglen, "Query parameter 'month' can be given only with 'year'.");
		return 400;
	}
	return 0;
}

size_t router_route_count(void)
{
	return routes_count;
}

const char *router_route_name(size_t i)
{
	return i < routes_count ? routes[i].name : "none";
}

size_t router_route_index(const struct request *req)
{
	const struct route *r = req->route;
	return r ? (size_t)(r - routes) : routes_count;
}

enum route_kind router_route_kind(const struct request *req)
{
	const struct route *r = req->route;
	return r ? r->kind : ROUTE_OTHER;
}

/* 301 to the same place spelled the canonical way: nsegs segments, the same query. */
static void redirect(struct request *req, struct response *resp, size_t nsegs)
{
	const char *q = strchr(req->target.data, '?');
	struct buf path = BUF_INIT;
	request_path(req, nsegs, &path);
	response_header(resp, "Location", "%s%s%s", req->worker->base_path, path.data, q ? q : "");
	buf_free(&path);
	response_text(resp, 301, "Moved Permanently\n");
}

void router_redirect_canonical(struct request *req, struct response *resp)
{
	redirect(req, resp, req->nsegs);
}

/* Notes the router's own answer (301, 400, 404, 405) for router_answer(). */
static void route_fail(struct request *req, unsigned status, const char *detail)
{
	req->route = NULL;
	req->route_status = status;
	snprintf(req->route_detail, sizeof req->route_detail, "%s", detail);
}

/* Appends "name=value", after a '&' unless it is the first, with value escaped. */
static void query_param(struct buf *b, size_t start, const char *name, const char *value)
{
	if (value == NULL)
		return;
	if (b->len > start)
		buf_putc(b, '&');
	buf_puts(b, name);
	buf_putc(b, '=');
	escape_url_query(b, value, strlen(value));
}

void router_query(const struct params *p, unsigned long page, struct buf *out)
{
	char limit[24], num[24], post[24], year[16], month[16];
	size_t start = out->len;

	snprintf(limit, sizeof limit, "%lu", p->limit);
	snprintf(num, sizeof num, "%lu", page);
	query_param(out, start, "tag", p->tag);
	query_param(out, start, "author", p->author);
	query_param(out, start, "q", p->q);
	query_param(out, start, "order", (p->given & QP_BIT(QP_ORDER)) ? order_names[p->order] : NULL);
	query_param(out, start, "limit", p->limit ? limit : NULL);
	query_param(out, start, "fields", p->fields);
	query_param(out, start, "status",
	            (p->given & QP_BIT(QP_STATUS)) ? status_names[p->status] : NULL);
	snprintf(year, sizeof year, "%u", p->year);
	snprintf(month, sizeof month, "%u", p->month);
	/* A year or month the path gave (/archive/2025) is in the path already. */
	query_param(out, start, "year", (p->given & QP_BIT(QP_YEAR)) ? year : NULL);
	query_param(out, start, "month", (p->given & QP_BIT(QP_MONTH)) ? month : NULL);
	snprintf(post, sizeof post, "%lu", p->post);
	query_param(out, start, "p", p->post ? post : NULL);
	query_param(out, start, "path", p->path);
	query_param(out, start, "page", page ? num : NULL);
}

/*
 * The cache key: the path as the router decoded it and the query
 * parameters the route takes, in one order and spelling, so that
 * "?page=2&limit=5" and "?limit=5&page=02" are one entry and a tracking
 * parameter makes no new one.
 */
static void make_key(struct request *req)
{
	buf_reset(&req->key);
	request_path(req, (size_t)-1, &req->key);
	size_t path = req->key.len;
	buf_putc(&req->key, '?');
	router_query(&req->p, (req->p.given & QP_BIT(QP_PAGE)) ? req->p.page : 0, &req->key);
	if (req->key.len == path + 1)
		req->key.data[--req->key.len] = '\0'; /* no query at all: no '?' */
	/* The JSON of an HTML address is another answer: a space is never in a canonical key. */
	if (req->json)
		buf_puts(&req->key, " json");
}

/*
 * Takes the public URL's path off the front of a request's path: a proxy
 * that passes it on (nginx's proxy_pass without a trailing slash) sends
 * /blog/articles/x for /articles/x.  Both spellings are one page.
 */
static void strip_base_path(const struct request *req, struct target *t)
{
	const char *base = req->worker && req->worker->base_path ? req->worker->base_path : "";
	size_t n = 0;
	while (*base == '/') {
		base++;
		size_t len = strcspn(base, "/");
		if (len == 0)
			break;
		if (n >= t->nsegs || strlen(t->segs[n]) != len ||
		    memcmp(t->segs[n], base, len) != 0)
			return;
		n++;
		base += len;
	}
	if (n == 0)
		return;
	memmove(t->segs, t->segs + n, (t->nsegs - n) * sizeof *t->segs);
	t->nsegs -= n;
	if (t->nsegs == 0)
		t->trailing_slash = false; /* "/blog/" is the front page */
}

/*
 * Room for the decoded target, in req->decoded: decoding never lengthens;
 * each string adds at most one NUL per raw byte; a /static/ path's
 * segments are joined once more.
 */
static char *decoded_room(struct request *req)
{
	size_t tlen = req->target.len;
	if (req->decoded_cap < 3 * tlen + 64) {
		free(req->decoded);
		req->decoded_cap = 3 * tlen + 64;
		req->decoded = xmalloc(req->decoded_cap);
	}
	return req->decoded;
}

/* The rest of a /static/ path, its segments joined at *cursor: "css/site.css". */
static void join_rest(struct request *req, const struct target *t, char **cursor)
{
	char *c = *cursor;
	req->p.rest = c;
	for (size_t k = t->rest_from; k < t->nsegs; k++) {
		size_t len = strlen(t->segs[k]);
		memcpy(c, t->segs[k], len);
		c[len] = k + 1 < t->nsegs ? '/' : '\0';
		c += len + 1;
	}
	*cursor = c;
}

/* The first route that matches t, its parameters in req->p; NULL if none does. */
static const struct route *find_route(struct request *req, struct target *t, char **cursor)
{
	/* Files and old addresses (the fallback route) are only read. */
	bool read = req->method & (METHOD_GET | METHOD_HEAD);
	for (size_t i = 0; i < routes_count; i++) {
		struct params p = {.page = 1};
		if (routes[i].segs[0].kind == SEG_ANY && !read)
			continue;
		if (!match_route(&routes[i], t, &p))
			continue;
		/* A reserved name is never a page: "/articles/" is not "/articles" respelled. */
		if (routes[i].kind == ROUTE_STANDALONE && article_slug_reserved(p.slug))
			continue;
		req->p = p;
		if (t->rest_from)
			join_rest(req, t, cursor);
		return &routes[i];
	}
	return NULL;
}

/* One spelling per page: "/articles/x/" and ".../page/1" redirect (true: route_fail'ed). */
static bool redirects(struct request *req, const struct route *r, const struct target *t)
{
	size_t last = 0;
	while (last < MAX_SEGMENTS && r->segs[last].kind != SEG_END)
		last++;
	/*
	 * Old addresses often end in '/' (WordPress's): the fallback takes both
	 * spellings, and so does a standalone page's route, whose handler
	 * redirects only if the page exists (else "/about/" is an old address
	 * answered in one hop, not two).
	 */
	if (t->trailing_slash && r->kind == ROUTE_STANDALONE) {
		req->slash = true;
		return false;
	}
	if (t->trailing_slash && r->segs[0].kind != SEG_REST && r->segs[0].kind != SEG_ANY)
		req->redirect_segs = t->nsegs;
	else if (last > 0 && r->segs[last - 1].kind == SEG_PAGE && req->p.page == 1)
		req->redirect_segs = t->nsegs - 2;
	else
		return false;
	route_fail(req, 301, "Moved Permanently");
	return true;
}

/*
 * Whether the cache may answer req, decided before it is asked: everything
 * an answer depends on besides the key (the method, the limits, the query's
 * rules) is settled by now; what is left is who asks.  A read that needs a
 * token (?status=draft) or carries one is never looked up nor stored: what
 * a token may see is no one else's, and a refusal must not be skipped by a
 * hit stored for the same address without one.
 */
static void settle_access(struct request *req, const struct route *r)
{
	bool read = req->method & (METHOD_GET | METHOD_HEAD);
	req->needs = read && r->read_scope ? r->read_scope(&req->p) : SCOPE_NONE;
	if (!r->live && !req->slash && read && req->needs == SCOPE_NONE &&
	    request_header(req, "Authorization") == NULL) {
		make_key(req);
		req->cacheable = true;
	}
}

void router_route(struct request *req)
{
	struct target t;
	const char *why = NULL;
	char msg[256];

	errors_guess_form(req);
	req->cacheable = false;
	req->needs = SCOPE_NONE;
	req->json = false;
	req->slash = false;
	req->route = NULL;
	memset(&req->p, 0, sizeof req->p);
	req->p.page = 1;
	req->nsegs = 0;
	char *cursor = decoded_room(req);

	/* The path: split at real slashes, decoded, the public URL's path taken off. */
	unsigned status = split_target(req, &t, &cursor, &why);
	if (status) {
		route_fail(req, status, why);
		return;
	}
	strip_base_path(req, &t);
	if (t.nsegs > MAX_SEGMENTS) {
		route_fail(req, 404, "There is no page at this address.");
		return;
	}
	for (size_t i = 0; i < t.nsegs; i++)
		req->segs[i] = t.segs[i];
	req->nsegs = t.nsegs;

	const struct route *r = find_route(req, &t, &cursor);
	if (r == NULL) {
		route_fail(req, 404, "There is no page at this address.");
		return;
	}
	req->api = r->api;

	/* The method, the canonical spelling, then the query. */
	req->allowed = METHOD_GET | METHOD_HEAD | r->writes | (r->api ? METHOD_OPTIONS : 0);
	if (!(req->method & req->allowed)) {
		route_fail(req, 405, "This address does not take this method.");
		return;
	}
	if (redirects(req, r, &t))
		return;
	status = parse_query(req, r, &t, &cursor, &req->p, msg, sizeof msg);
	if (status) {
		route_fail(req, status, msg);
		return;
	}
	req->route = r;
	/* An HTML page asked for as JSON answers as the API does, errors too. */
	if (r->json && (req->method & (METHOD_GET | METHOD_HEAD)) &&
	    http_prefers_json(request_header(req, "Accept"))) {
		req->json = true;
		req->api = true;
	}
	settle_access(req, r);
}

/* The handler of route r for req's method (and, for an HTML page, its Accept). */
static void run_handler(struct request *req, struct response *resp, const struct route *r)
{
	if (req->method & r->writes)
		r->write(req, resp);
	else if (req->method == METHOD_OPTIONS)
		cors_preflight(req, resp);
	else if (req->json && r->json)
		r->json(req, resp);
	else
		r->handler(req, resp);
}

void router_answer(struct request *req, struct response *resp)
{
	const struct route *r = req->route;
	if (r && r->json)
		resp->vary_accept = true; /* HTML or JSON, by Accept: either answer says so */
	if (r) {
		/* A read that needs a token is refused (401, 403) before its handler runs. */
		if (req->needs == SCOPE_NONE || auth_require(req, resp, req->needs))
			run_handler(req, resp, r);
		if (r->api)
			cors_headers(req, resp);
		return;
	}
	switch (req->route_status) {
	case 301: redirect(req, resp, req->redirect_segs); break;
	case 405: {
		char allow[80];
		http_methods_text(req->allowed, allow, sizeof allow);
		response_header(resp, "Allow", "%s", allow);
		errors_answer(req, resp, 405, req->route_detail);
		break;
	}
	default: errors_answer(req, resp, req->route_status, req->route_detail); break;
	}
}

bool router_precheck(struct request *req, struct response *resp)
{
	const struct route *r = req->route;
	if (r == NULL || !(req->method & r->writes) || r->precheck == NULL || r->precheck(req, resp))
		return true;
	if (r->api)
		cors_headers(req, resp);
	return false;
}

void router_refuse(struct request *req, struct response *resp, unsigned status, const char *detail)
{
	const struct route *r = req->route;
	errors_answer(req, resp, status, detail);
	if (r && r->api)
		cors_headers(req, resp);
}

bool router_path_taken(const char *path)
{
	struct target t;
	memset(&t, 0, sizeof t);
	char *copy = xstrdup(path);
	char *s = copy;
	do { /* at least one segment, copy itself */
		t.segs[t.nsegs++] = s;
		s = strchr(s, '/');
		if (s)
			*s++ = '\0';
	} while (s && t.nsegs < MAX_SEGMENTS);
	bool taken = false;
	for (size_t i = 0; i < routes_count && !taken; i++) {
		struct params p = {.page = 1};
		/* A page of that name wins over a file, but only if there is one: not taken. */
		if (routes[i].kind == ROUTE_STANDALONE || routes[i].segs[0].kind == SEG_ANY)
			continue;
		taken = match_route(&routes[i], &t, &p);
	}
	/* Under /api/ only the API answers. */
	taken |= t.nsegs > 0 && strcmp(t.segs[0], "api") == 0;
	free(copy);
	return taken;
}

size_t router_body_limit(const struct request *req)
{
	const struct route *r = req->route;
	return r && r->upload ? req->app->max_file_size : req->app->max_body;
}

const char *router_body_limit_text(const struct request *req)
{
	const struct route *r = req->route;
	return r && r->upload ? "The file is larger than this server takes (--max-file-size)."
	                      : "The body is larger than this server takes (--max-body).";
}
