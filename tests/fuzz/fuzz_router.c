/*
 * fuzz_router.c: the front door and the small parsers behind it.
 *
 * Input: one flag byte, then text.  The flags pick the method (GET, HEAD,
 * POST, an unknown one) and the public URL's path ("" or "/blog").  The
 * request belongs to a zeroed struct app with the default limits and a
 * zeroed struct worker: the router touches no database.  The
 * text, up to its first NUL, is used in turn as
 *   - request targets for router_route(): the first line, then the second
 *     (if any) on the same struct request, as a keep-alive connection does;
 *   - a search as a reader types it: search_fts_query() (every query it
 *     makes, and each of its phrases, must run in a real FTS5 table
 *     without a syntax error), search_words_parse() (so must each word
 *     it makes), search_snippet_segments();
 *   - a reference for url_resolve() and HTML for links_absolute();
 *   - a title for slug_from_text() and a slug for slug_is_valid();
 *   - a date for date_parse() and date_parse_http();
 *   - text for every escape_*() function;
 *   - an Accept header for http_prefers_json().
 *
 * What is checked beyond memory errors: a routed request has a method its
 * route takes (a write is never cacheable) and only carries valid slugs,
 * page numbers and static paths without '.' or '..' segments; its cache
 * key, requested again, is the same route and key;
 * a 301 leads, within two hops, to an address that is not a 301; FTS5
 * accepts every query; slugs made are valid and stable; dates that parse
 * survive a format-and-parse round trip; escapes keep no markup and
 * decode back to their input; which representation an Accept header asks
 * for does not change with its letters' case (media types and q are
 * case-insensitive) nor with a range that names neither HTML nor JSON
 * added after it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "fuzz_common.h"
#include "gazette/site/app.h"
#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/http/guard.h"
#include "gazette/http/http.h"
#include "gazette/content/links.h"
#include "gazette/site/router.h"
#include "gazette/content/search.h"
#include "gazette/content/slug.h"
#include "gazette/base/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Known findings (README.md, "Findings"), tolerated so that the harness
 * keeps fuzzing past them (-D...=0 to see them); set to 0 once router.c is fixed, and their
 * regress-* seeds guard the fix.
 *   KNOWN_STATIC_SLASH: %2F in a /static/ path becomes a separator, so
 *     "/static/..%2f..%2fetc/passwd" routes with rest "../../etc/passwd".
 *   KNOWN_STATIC_KEY: the cache key of a /static/ path is not canonical.
 */
#ifndef KNOWN_STATIC_SLASH
#define KNOWN_STATIC_SLASH 0
#endif
#ifndef KNOWN_STATIC_KEY
#define KNOWN_STATIC_KEY 0
#endif

static struct app app;
static struct worker workers[2];
static sqlite3 *db;
static sqlite3_stmt *match;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The query limits of `gazette serve` as it ships (guard.h). */
	static const struct guard_limits limits = GUARD_DEFAULT_LIMITS;
	app.guard = guard_new(&limits, NULL);
	workers[0].public_url = xstrdup("https://example.org");
	workers[0].base_path = "";
	workers[1].public_url = xstrdup("https://example.org/blog");
	workers[1].base_path = workers[1].public_url + strlen("https://example.org");
	for (size_t i = 0; i < 2; i++)
		workers[i].urls.base = workers[i].public_url;

	/* The search index as store_schema.c makes it, with a few rows to match. */
	const char *sql =
	    "CREATE VIRTUAL TABLE articles_fts USING fts5 (title, summary, body_text,"
	    "  tokenize = 'porter unicode61 remove_diacritics 2');"
	    "INSERT INTO articles_fts VALUES ('What is gazette', 'A small server', 'News and "
	    "blogs, fast.');"
	    "INSERT INTO articles_fts VALUES ('Écrire des articles', 'Markdown', 'Café crème "
	    "and naïve words');";
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "SELECT rowid, bm25(articles_fts, 10.0, 4.0, 1.0) FROM articles_fts "
	                       "WHERE articles_fts MATCH ?1 ORDER BY rank",
	                       -1, &match, NULL) != SQLITE_OK) {
		fprintf(stderr, "fuzz_router: sqlite: %s\n", sqlite3_errmsg(db));
		abort();
	}
	return 0;
}

/* Runs an FTS5 query to the end; a syntax error (or any error) is a finding. */
static void fts_must_run(const char *what, const char *q, size_t n)
{
	sqlite3_bind_text(match, 1, q, (int)n, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(match)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s is not a valid FTS5 query: %s", what,
		         sqlite3_errmsg(db));
		sqlite3_reset(match);
		fuzz_fail(msg, q, n);
	}
	sqlite3_reset(match);
	sqlite3_clear_bindings(match);
}

static void route(struct request *req, const char *target, size_t n)
{
	buf_reset(&req->target);
	buf_append(&req->target, target, n);
	router_route(req);
}

/* Checks what the router hands a handler. */
static void check_routed(const struct request *req)
{
	const struct params *p = &req->p;
	const char *t = req->target.data;
	size_t tn = req->target.len;

	/* Writes reach only the routes that take them, and are never cached. */
	FUZZ_CHECK(req->method & req->allowed, "a route for a method it does not take", t, tn);
	FUZZ_CHECK((req->method & (METHOD_GET | METHOD_HEAD)) || !req->cacheable,
	           "a write would be answered from the cache", t, tn);
	FUZZ_CHECK(p->slug == NULL || slug_is_valid(p->slug, strlen(p->slug)),
	           "the router passed an invalid slug", t, tn);
	FUZZ_CHECK(p->tag == NULL || slug_is_valid(p->tag, strlen(p->tag)),
	           "the router passed an invalid tag", t, tn);
	FUZZ_CHECK(p->author == NULL || slug_is_valid(p->author, strlen(p->author)),
	           "the router passed an invalid author", t, tn);
	FUZZ_CHECK(p->page >= 1 && p->page <= 1000000, "page out of range", t, tn);
	FUZZ_CHECK(p->limit <= 100, "limit out of range", t, tn);
	FUZZ_CHECK(p->q == NULL ||
	               (p->q[0] && strlen(p->q) <= 500 && utf8_valid(p->q, strlen(p->q))),
	           "q is empty, too long or not UTF-8", t, tn);
	for (size_t i = 0; i < req->nsegs; i++) {
		const char *s = req->segs[i];
		FUZZ_CHECK(utf8_valid(s, strlen(s)), "a path segment is not UTF-8", t, tn);
	}
	bool encoded_slash = fuzz_memcasemem(t, tn, "%2f") != NULL;
	if (p->rest && !(KNOWN_STATIC_SLASH && encoded_slash)) {
		const char *s = p->rest;
		FUZZ_CHECK(*s && *s != '/', "an empty or absolute static path", t, tn);
		while (*s) {
			size_t len = strcspn(s, "/");
			FUZZ_CHECK(len > 0, "an empty segment in a static path", t, tn);
			FUZZ_CHECK(!(len == 1 && s[0] == '.') &&
			               !(len == 2 && s[0] == '.' && s[1] == '.'),
			           "'.' or '..' in a static path", t, tn);
			s += len;
			if (*s == '/')
				s++;
		}
	}
	if (req->cacheable)
		FUZZ_CHECK(req->key.len > 0 && req->key.data[0] == '/',
		           "a cache key that is not a path", t, tn);
}

/* The request's answer as the router would give it: route, status and key. */
struct outcome {
	const void *route;
	unsigned status;
	bool cacheable;
	char *key;
};

static void outcome_take(struct outcome *o, const struct request *req)
{
	o->route = req->route;
	o->status = req->route ? 0 : req->route_status;
	o->cacheable = req->cacheable;
	o->key = req->cacheable ? xstrndup(req->key.data, req->key.len) : NULL;
}

/* Routes target, then the canonical forms it leads to (cache key, redirect). */
static void route_and_follow(struct request *req, const char *target, size_t n)
{
	struct buf next = BUF_INIT;
	struct outcome first;

	route(req, target, n);
	if (req->route)
		check_routed(req);
	outcome_take(&first, req);

	if (first.cacheable && !(KNOWN_STATIC_KEY && req->p.rest != NULL)) {
		/* The key, with the public URL's path, is the same page under the same key. */
		buf_puts(&next, req->worker->base_path);
		buf_puts(&next, first.key);
		route(req, next.data, next.len);
		FUZZ_CHECK(req->route == first.route && req->cacheable &&
		               strcmp(req->key.data, first.key) == 0,
		           "requesting a page by its cache key gives another route or key", target,
		           n);
	} else if (!first.route && first.status == 301) {
		/* A redirect reaches an address that is not one within two hops. */
		for (int hop = 0; hop < 3; hop++) {
			const char *q = strchr(req->target.data, '?');
			buf_reset(&next);
			buf_puts(&next, req->worker->base_path);
			request_path(req, req->redirect_segs, &next);
			if (q)
				buf_puts(&next, q);
			route(req, next.data, next.len);
			if (req->route)
				check_routed(req);
			if (req->route || req->route_status != 301)
				break;
			FUZZ_CHECK(hop < 1, "a redirect chain longer than two hops (a loop?)",
			           target, n);
		}
	}
	free(first.key);
	buf_free(&next);
}

static void fuzz_routes(const char *text, size_t n, uint8_t flags)
{
	static const enum http_method methods[] = {METHOD_GET, METHOD_HEAD, METHOD_POST,
	                                           METHOD_OTHER};
	struct request req;
	memset(&req, 0, sizeof req);
	req.app = &app;
	req.method = methods[flags & 3];
	req.worker = &workers[(flags >> 2) & 1];

	const char *nl = memchr(text, '\n', n);
	size_t n1 = nl ? (size_t)(nl - text) : n;
	route_and_follow(&req, text, n1);
	if (nl)
		route_and_follow(&req, nl + 1, n - n1 - 1);
	buf_free(&req.target);
	buf_free(&req.key);
	free(req.decoded);
}

static void check_snippet(json_t *s)
{
	size_t i;
	json_t *seg;
	FUZZ_CHECK(json_is_array(s), "a snippet is not an array", NULL, 0);
	json_array_foreach(s, i, seg)
	{
		FUZZ_CHECK(json_is_string(json_object_get(seg, "text")) &&
		               json_is_boolean(json_object_get(seg, "match")),
		           "a snippet segment is not {text, match}", NULL, 0);
	}
}

static void fuzz_search(const char *q, size_t n)
{
	char *fts = search_fts_query(q, n);
	if (fts) {
		fts_must_run("search_fts_query()'s query", fts, strlen(fts));
		struct fts_phrase ph[64];
		size_t np = search_fts_phrases(fts, ph, 64);
		for (size_t i = 0; i < np; i++) {
			FUZZ_CHECK(ph[i].s >= fts && ph[i].s + ph[i].len <= fts + strlen(fts),
			           "a phrase outside its query", fts, strlen(fts));
			fts_must_run("a phrase of search_fts_query()'s query", ph[i].s, ph[i].len);
		}
		free(fts);
	}

	/* The words a snippet marks are FTS5 phrases too: each must run. */
	struct search_words *words = xmalloc(sizeof *words);
	search_words_parse(q, n, words);
	FUZZ_CHECK(words->n <= GZ_ARRAY_LEN(words->text), "too many snippet words", q, n);
	for (size_t i = 0; i < words->n; i++) {
		FUZZ_CHECK(words->len[i] < sizeof words->text[i] &&
		               words->text[i][words->len[i]] == '\0',
		           "a snippet word overflows", q, n);
		fts_must_run("a snippet word", words->text[i], words->len[i]);
	}
	free(words);

	json_t *s = search_snippet_segments(q);
	check_snippet(s);
	json_decref(s);
}

static void fuzz_links(const char *text, size_t n)
{
	static const char *const bases[] = {
	    "https://example.org/blog/articles/what-is-gazette",
	    "http://a/b/c/d;p?q",
	    "https://example.org",
	};
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < GZ_ARRAY_LEN(bases); i++) {
		buf_reset(&out);
		url_resolve(&out, bases[i], text, n);
		buf_reset(&out);
		links_absolute(&out, text, n, bases[i]);
	}
	buf_free(&out);
}

static void fuzz_slug(const char *text, size_t n)
{
	(void)slug_is_valid(text, n);
	char *s = slug_from_text(text, n);
	size_t len = strlen(s);
	if (len > 0) {
		FUZZ_CHECK(len <= 80, "slug_from_text made more than 80 bytes", s, len);
		FUZZ_CHECK(slug_is_valid(s, len), "slug_from_text made an invalid slug", s, len);
		char *again = slug_from_text(s, len);
		FUZZ_CHECK(strcmp(again, s) == 0, "slug_from_text is not stable on its own slug", s,
		           len);
		free(again);
	}
	free(s);
}

static void fuzz_dates(const char *s)
{
	int64_t t, t2;
	char out[48];
	if (date_parse(s, &t) == 0) {
		date_format_rfc3339(t, out);
		date_format_human(t, out);
		date_format_rfc3339(t, out);
		/* Years past 9999 (a zone offset can push one there) have no 4-digit form. */
		if (strlen(out) == 20) {
			FUZZ_CHECK(date_parse(out, &t2) == 0 && t2 == t,
			           "date_parse(date_format_rfc3339(t)) != t", s, strlen(s));
		}
	}
	if (date_parse_http(s, &t) == 0) {
		date_format_http(t, out);
		if (strlen(out) == 29) {
			FUZZ_CHECK(date_parse_http(out, &t2) == 0 && t2 == t,
			           "date_parse_http(date_format_http(t)) != t", s, strlen(s));
		}
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Checks a percent-encoding: only keep[] and unreserved bytes plain, and it decodes to s. */
static void check_pct(const char *what, const struct buf *e, const char *s, size_t n,
                      const char *keep)
{
	size_t k = 0;
	for (size_t i = 0; i < e->len; i++, k++) {
		unsigned char c = (unsigned char)e->data[i];
		if (c == '%') {
			FUZZ_CHECK(i + 2 < e->len, what, s, n);
			int hi = hexval(e->data[i + 1]), lo = hexval(e->data[i + 2]);
			FUZZ_CHECK(hi >= 0 && lo >= 0, what, s, n);
			FUZZ_CHECK(k < n && (unsigned char)s[k] == (unsigned)(hi * 16 + lo), what,
			           s, n);
			i += 2;
			continue;
		}
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		             (c >= '0' && c <= '9') || strchr("-._~", c) != NULL ||
		             (c && strchr(keep, c) != NULL);
		FUZZ_CHECK(plain && k < n && (unsigned char)s[k] == c, what, s, n);
	}
	FUZZ_CHECK(k == n, what, s, n);
}

static void fuzz_escapes(const char *s, size_t n)
{
	struct buf e = BUF_INIT;

	escape_html(&e, s, n);
	for (size_t i = 0; i < e.len; i++)
		FUZZ_CHECK(!strchr("<>\"'", e.data[i]) || e.data[i] == '\0',
		           "escape_html left markup", s, n);
	FUZZ_CHECK(e.len == 0 || utf8_valid(e.data, e.len), "escape_html wrote invalid UTF-8", s,
	           n);

	buf_reset(&e);
	escape_url_segment(&e, s, n);
	check_pct("escape_url_segment is not a faithful percent-encoding", &e, s, n, "!$'()*,;:@");
	buf_reset(&e);
	escape_url_query(&e, s, n);
	check_pct("escape_url_query is not a faithful percent-encoding", &e, s, n, "!$'()*,;:@/?");

	/* JSON strings, as the API's answers and the pages' JSON-LD write them. */
	json_t *str = json_stringn(s, n);
	if (str) {
		char *json = json_dumps(str, JSON_ENCODE_ANY | JSON_COMPACT);
		buf_reset(&e);
		escape_json_string(&e, s, n, false);
		FUZZ_CHECK(e.len == strlen(json) && memcmp(e.data, json, e.len) == 0,
		           "escape_json_string is not what jansson writes", s, n);
		buf_reset(&e);
		escape_json_string(&e, s, n, true);
		FUZZ_CHECK(memchr(e.data, '<', e.len) == NULL &&
		               memchr(e.data, '>', e.len) == NULL &&
		               memchr(e.data, '&', e.len) == NULL,
		           "escape_json_string left '<', '>' or '&' for a script", s, n);
		json_error_t jerr;
		json_t *back = json_loadb(e.data, e.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		FUZZ_CHECK(back && json_equal(back, str),
		           "escape_json_string changed what the JSON means", s, n);
		json_decref(back);
		free(json);
		json_decref(str);
	}
	buf_free(&e);
}

static void fuzz_accept(const char *s, size_t n)
{
	bool json = http_prefers_json(s);
	char *lower = xstrdup(s);
	for (size_t i = 0; i < n; i++)
		if (lower[i] >= 'A' && lower[i] <= 'Z')
			lower[i] = (char)(lower[i] - 'A' + 'a');
	FUZZ_CHECK(http_prefers_json(lower) == json, "Accept: the case of its letters matters", s,
	           n);
	free(lower);
	struct buf more = BUF_INIT;
	buf_printf(&more, "%s, image/png;q=0.5", s);
	FUZZ_CHECK(http_prefers_json(more.data) == json, "Accept: another type changes the answer",
	           s, n);
	buf_free(&more);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	/* Targets, queries and field values reach these functions as C strings. */
	char *text = fuzz_strndup(data + 1, size - 1);
	size_t n = strlen(text);

	fuzz_routes(text, n, flags);
	fuzz_search(text, n);
	fuzz_links(text, n);
	fuzz_slug(text, n);
	fuzz_dates(text);
	fuzz_escapes(text, n);
	fuzz_accept(text, n);
	free(text);
	return 0;
}
