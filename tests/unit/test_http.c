/*
 * Unit tests for http.c: responses, validators, reason phrases, the
 * headers reply_new() gives the libmicrohttpd responses (read back with
 * MHD_get_response_header), and which representation reply_send() picks:
 * 200, 304, gzip.  reply_send() needs a libmicrohttpd connection: a daemon
 * with no listening socket is handed one end of a socketpair() and driven
 * with MHD_run() from this thread, so no port and no network are involved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <brotli/decode.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capture.h"
#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/util.h"
#include "gazette/http/http.h"

#define LAST_MODIFIED 1767225600 /* 2026-01-01T00:00:00Z */

/* ---- responses ---------------------------------------------------------- */

static void test_response_init_and_headers(void **state)
{
	(void)state;
	struct response resp;
	memset(&resp, 0xa5, sizeof resp);
	response_init(&resp);
	assert_int_equal(resp.status, 200);
	assert_null(resp.content_type);
	assert_null(resp.cache_control);
	assert_null(resp.etag);
	assert_null(resp.static_body);
	assert_int_equal(resp.body.len, 0);
	assert_int_equal(resp.nheaders, 0);
	assert_int_equal(resp.last_modified, 0);
	assert_false(resp.html);

	/* Values are formatted and copied; past the limit, headers are dropped and said so. */
	char value[32];
	for (int i = 0; i < RESPONSE_MAX_HEADERS; i++) {
		snprintf(value, sizeof value, "v%d", i);
		response_header(&resp, "X-Test", "%s-%d", value, i * 10);
	}
	capture_begin();
	response_header(&resp, "X-Dropped", "%s", "too many");
	char *log = capture_end();
	assert_int_equal(resp.nheaders, RESPONSE_MAX_HEADERS);
	for (int i = 0; i < RESPONSE_MAX_HEADERS; i++) {
		snprintf(value, sizeof value, "v%d-%d", i, i * 10);
		assert_string_equal(resp.headers[i].name, "X-Test");
		assert_string_equal(resp.headers[i].value, value);
	}
	assert_non_null(strstr(log, "too many headers: dropping X-Dropped"));
	free(log);

	buf_puts(&resp.body, "some body");
	response_free(&resp);
	assert_int_equal(resp.nheaders, 0);
	assert_null(resp.body.data);
	response_free(&resp); /* twice is harmless */
}

/* The body of a response as a string (it is NUL-terminated). */
static const char *body_of(const struct response *resp)
{
	return resp->body.data ? resp->body.data : "";
}

static void test_response_json_and_text(void **state)
{
	(void)state;
	static const struct {
		const char *json; /* NULL: a json_pack() that failed */
		unsigned status;
		unsigned want_status;
		const char *want_type, *want_body;
	} cases[] = {
	    {"{\"a\": [1, 2, {\"b\": null}], \"c\": \"d\"}", 200, 200, "application/json",
	     "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}"},
	    {"[]", 201, 201, "application/json", "[]"},
	    {"{\"s\": \"\\u00e9 \\\" </script>\"}", 200, 200, "application/json",
	     "{\"s\":\"\xc3\xa9 \\\" </script>\"}"},
	    {NULL, 200, 500, "text/plain; charset=utf-8",
	     "Internal Server Error: the answer could not be built.\n"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct response resp;
		response_init(&resp);
		buf_puts(&resp.body, "left over from before");
		json_t *v = cases[i].json ? json_loads(cases[i].json, 0, NULL) : NULL;
		assert_true(cases[i].json == NULL || v != NULL);
		if (v == NULL)
			capture_begin();
		response_json(&resp, cases[i].status, v);
		if (v == NULL)
			free(capture_end());
		json_decref(v);
		assert_int_equal(resp.status, cases[i].want_status);
		assert_string_equal(resp.content_type, cases[i].want_type);
		assert_string_equal(body_of(&resp), cases[i].want_body);
		assert_int_equal(resp.body.len, strlen(cases[i].want_body));
		response_free(&resp);
	}

	/* An article's worth of HTML, written in many pieces: the same text as json_dumps(). */
	struct buf html = BUF_INIT;
	for (int i = 0; i < 2000; i++)
		buf_printf(&html, "<p class=\"x\">Line %d\t\xc3\xa9 \\ /path</p>\n", i);
	json_t *doc = json_pack("{s:{s:s%, s:i}}", "article", "body_html", html.data, html.len,
	                        "word_count", 1000);
	char *want = json_dumps(doc, JSON_COMPACT);
	struct response big;
	response_init(&big);
	response_json(&big, 200, doc);
	assert_int_equal(big.body.len, strlen(want));
	assert_string_equal(body_of(&big), want);
	response_free(&big);
	free(want);
	json_decref(doc);
	buf_free(&html);

	struct response resp;
	response_init(&resp);
	buf_puts(&resp.body, "old");
	response_text(&resp, 404, "Not here.\n");
	assert_int_equal(resp.status, 404);
	assert_string_equal(resp.content_type, "text/plain; charset=utf-8");
	assert_string_equal(body_of(&resp), "Not here.\n");
	response_free(&resp);
}

/* A string member of a JSON object; fails the test if there is none. */
static const char *text_field(const json_t *obj, const char *name)
{
	const char *v = json_string_value(json_object_get(obj, name));
	if (v == NULL)
		fail_msg("no string '%s'", name);
	return v;
}

/* RFC 9457: type, title (the reason phrase), status and detail, and nothing else. */
static void test_response_problem(void **state)
{
	(void)state;
	static const struct {
		unsigned status;
		const char *detail, *title;
	} cases[] = {
	    {400, "the parameter 'limit' must be a whole number", "Bad Request"},
	    {404, "no article 'x'", "Not Found"},
	    {413, "the body is larger than 1048576 bytes", "Content Too Large"},
	    {503, "", "Service Unavailable"},
	    {418, "a teapot", "Unknown"},
	    {401, "quotes \" and \\ and </script> and \xc3\xa9 and a\nnewline", "Unauthorized"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct response resp;
		response_init(&resp);
		response_problem(&resp, cases[i].status, cases[i].detail);
		assert_int_equal(resp.status, cases[i].status);
		assert_string_equal(resp.content_type, "application/problem+json");
		json_error_t err;
		json_t *p = json_loadb(resp.body.data, resp.body.len, 0, &err);
		if (p == NULL)
			fail_msg("case %zu: not JSON (%s): %s", i, err.text, body_of(&resp));
		assert_int_equal(json_object_size(p), 4);
		assert_string_equal(text_field(p, "type"), "about:blank");
		assert_string_equal(text_field(p, "title"), cases[i].title);
		assert_true(json_is_integer(json_object_get(p, "status")));
		assert_int_equal(json_integer_value(json_object_get(p, "status")), cases[i].status);
		assert_string_equal(text_field(p, "detail"), cases[i].detail);
		json_decref(p);
		response_free(&resp);
	}
}

/* ---- validators, methods, reasons ---------------------------------------- */

static void test_etag(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		size_t len;
	} bodies[] = {
	    {"", 0},
	    {"a", 1},
	    {"b", 1},
	    {"ab", 2},
	    {"ba", 2},
	    {"a\0b", 3},
	    {"a\0c", 3},
	    {"<html>the same page</html>", 26},
	    {"<html>the same page</html>\n", 27},
	};
	char tags[GZ_ARRAY_LEN(bodies)][40];
	for (size_t i = 0; i < GZ_ARRAY_LEN(bodies); i++) {
		http_etag(bodies[i].body, bodies[i].len, tags[i]);
		/* Strong (no W/), quoted, sixteen lower-case hex digits. */
		assert_int_equal(strlen(tags[i]), 18);
		assert_int_equal(tags[i][0], '"');
		assert_int_equal(tags[i][17], '"');
		assert_int_equal(strspn(tags[i] + 1, "0123456789abcdef"), 16);
		/* Stable: the same bytes, from another buffer, the same tag. */
		char *copy = xmalloc(bodies[i].len + 1);
		memcpy(copy, bodies[i].body, bodies[i].len);
		char again[40];
		http_etag(copy, bodies[i].len, again);
		assert_string_equal(again, tags[i]);
		free(copy);
		/* Any other bytes, another tag. */
		for (size_t j = 0; j < i; j++)
			if (strcmp(tags[i], tags[j]) == 0)
				fail_msg("bodies %zu and %zu share the tag %s", i, j, tags[i]);
	}
	char none[40];
	http_etag(NULL, 0, none);
	assert_string_equal(none, tags[0]);
}

static void test_etag_matches(void **state)
{
	(void)state;
	static const struct {
		const char *list, *etag;
		bool match;
	} cases[] = {
	    {"\"abc\"", "\"abc\"", true},
	    {"W/\"abc\"", "\"abc\"", true}, /* weak comparison */
	    {"*", "\"abc\"", true},
	    {"  *", "\"abc\"", true},
	    {"\"x\", \"abc\"", "\"abc\"", true},
	    {"\"x\",\"abc\"", "\"abc\"", true},
	    {"\"x\",\t W/\"abc\", \"y\"", "\"abc\"", true},
	    {", ,\"abc\"", "\"abc\"", true},
	    /* The compressed representations name the same content. */
	    {"\"abc-gz\"", "\"abc\"", true},
	    {"\"abc-br\"", "\"abc\"", true},
	    {"\"abc-br\"", "\"abc-gz\"", true},
	    {"\"abc\"", "\"abc-br\"", true},
	    {"\"abc-br-gz\"", "\"abc\"", false},
	    {"\"abc-zz\"", "\"abc\"", false},
	    {"\"abc\"", "\"abc-gz\"", true},
	    {"\"abc-gz\"", "\"abc-gz\"", true},
	    {"W/\"abc-gz\"", "\"abc-gz\"", true},
	    {"", "\"abc\"", false},
	    {"\"ab\"", "\"abc\"", false},
	    {"\"abcd\"", "\"abc\"", false},
	    {"\"ABC\"", "\"abc\"", false},
	    {"\"x-gz\"", "\"abc\"", false},
	    {"\"abc-gz-gz\"", "\"abc\"", false},
	    {"\"abcgz\"", "\"abc\"", false},
	    {"abc", "\"abc\"", false},        /* not a quoted tag */
	    {"\"x\", abc", "\"abc\"", false}, /* the list ends at what is not a tag */
	    {"\"x\", junk, \"abc\"", "\"abc\"", false},
	    {"W/", "\"abc\"", false},
	    {"\"x\", *", "\"abc\"", true},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++)
		if (http_etag_matches(cases[i].list, cases[i].etag) != cases[i].match)
			fail_msg("If-None-Match: %s against %s: expected %s", cases[i].list,
			         cases[i].etag, cases[i].match ? "a match" : "none");
	/* A real tag and its gzip twin. */
	char tag[40], gz[48];
	http_etag("body", 4, tag);
	snprintf(gz, sizeof gz, "%.17s-gz\"", tag);
	assert_true(http_etag_matches(tag, gz));
	assert_true(http_etag_matches(gz, tag));
	http_etag("other", 5, gz);
	assert_false(http_etag_matches(gz, tag));
}

/* Which representation of an HTML address each Accept asks for. */
static void test_prefers_json(void **state)
{
	static const struct {
		const char *accept;
		bool json;
	} cases[] = {
	    {NULL, false},
	    {"", false},
	    {"application/json", true},
	    {"APPLICATION/JSON", true},
	    {"application/json; charset=utf-8", true},
	    {"text/html", false},
	    {"*/*", false}, /* curl's: a tie, the page */
	    /* Chromium's and Firefox's navigations. */
	    {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
	     "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
	     false},
	    {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
	    {"application/json, text/html;q=0.9", true},
	    {"text/html;q=0.9, application/json", true},
	    {"application/json;q=0.5, text/html", false},
	    {"application/json;q=0.5, text/html;q=0.5", false},
	    {"application/json, */*;q=0.1", true},
	    {"application/*", true},
	    {"application/*, text/*", false},
	    {"text/*;q=0.2, application/json;q=0.3", true},
	    {"application/xhtml+xml, application/json;q=0.9", false},
	    {"application/json;q=0", false},
	    {"text/html;q=0, application/json", true},
	    {"image/png", false},
	    /* The most specific range wins: json named at 0 is not taken by * / *. */
	    {"*/*, application/json;q=0", false},
	    {"text/html;q=0.2, */*", true},
	    /* q as RFC 9110 spells it; another spelling makes the range void. */
	    {"application/json;q=1.000", true},
	    {"application/json;q=0.001, text/html;q=0", true},
	    {"application/json;q=1.5", false},
	    {"application/json;q=0.5000", false},
	    {"application/json;q=abc", false},
	    {"application/json;q=", false},
	    {"application/json ; Q=0.7 , text/html;q=0.6", true},
	    {"application/json;level=1;q=0.8, text/html;q=0.7", true},
	    {",,, application/json ,,", true},
	    {"application/jsonx", false},
	    {"application/problem+json", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (http_prefers_json(cases[i].accept) != cases[i].json)
			fail_msg("Accept: %s: want %s", cases[i].accept ? cases[i].accept : "(none)",
			         cases[i].json ? "JSON" : "HTML");
	}
}

static void test_methods_text(void **state)
{
	(void)state;
	static const struct {
		unsigned methods;
		size_t outlen;
		const char *want;
	} cases[] = {
	    {METHOD_GET | METHOD_HEAD, 64, "GET, HEAD"},
	    {METHOD_GET | METHOD_HEAD | METHOD_OPTIONS, 64, "GET, HEAD, OPTIONS"},
	    {METHOD_OPTIONS | METHOD_POST | METHOD_GET, 64, "GET, POST, OPTIONS"}, /* fixed order */
	    {METHOD_GET | METHOD_HEAD | METHOD_POST | METHOD_PUT | METHOD_PATCH | METHOD_DELETE |
	         METHOD_OPTIONS,
	     64, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"},
	    {METHOD_DELETE, 64, "DELETE"},
	    {0, 64, ""},
	    {METHOD_OTHER, 64, ""},
	    /* Cut short, but always a string within the buffer. */
	    {METHOD_GET | METHOD_HEAD, 5, "GET,"},
	    {METHOD_GET | METHOD_HEAD, 3, "GE"},
	    {METHOD_GET | METHOD_HEAD, 1, ""},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char out[80];
		memset(out, 'x', sizeof out);
		http_methods_text(cases[i].methods, out, cases[i].outlen);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(out[cases[i].outlen], 'x'); /* nothing written past it */
	}
}

static void test_status_text(void **state)
{
	(void)state;
	static const struct {
		unsigned status;
		const char *text;
	} cases[] = {
	    {200, "OK"},
	    {201, "Created"},
	    {204, "No Content"},
	    {301, "Moved Permanently"},
	    {304, "Not Modified"},
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {408, "Request Timeout"},
	    {409, "Conflict"},
	    {412, "Precondition Failed"},
	    {413, "Content Too Large"},
	    {414, "URI Too Long"},
	    {415, "Unsupported Media Type"},
	    {431, "Request Header Fields Too Large"},
	    {500, "Internal Server Error"},
	    {503, "Service Unavailable"},
	    {0, "Unknown"},
	    {299, "Unknown"},
	    {999, "Unknown"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++)
		assert_string_equal(http_status_text(cases[i].status), cases[i].text);
}

/* ---- reply_new: the headers of the libmicrohttpd responses -------------- */

struct answer;
static void exchange(struct reply *rp, const char *request, struct answer *a);
static void answer_free(struct answer *a);

static const char CSP[] =
    "default-src 'none'; style-src 'self'; img-src 'self' https: http: data:; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

/*
 * A reply for a response with this status, type and body (len bytes,
 * repeated text), made for a client that prefers coding born.
 */
static struct reply *make_reply_for(struct response *resp, unsigned status, const char *type,
                                    const char *text, size_t len, enum http_coding born)
{
	resp->status = status;
	resp->content_type = type;
	while (resp->body.len < len) {
		size_t n = strlen(text), left = len - resp->body.len;
		buf_append(&resp->body, text, n < left ? n : left);
	}
	struct reply *rp = reply_new(resp, born);
	assert_non_null(rp);
	return rp;
}

/* The same for a client that takes no coding. */
static struct reply *make_reply(struct response *resp, unsigned status, const char *type,
                                const char *text, size_t len)
{
	return make_reply_for(resp, status, type, text, len, CODING_IDENTITY);
}

static void want_header(struct MHD_Response *r, const char *name, const char *want,
                        const char *which)
{
	const char *got = MHD_get_response_header(r, name);
	if (want == NULL && got != NULL)
		fail_msg("%s: %s: %s, expected none", which, name, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s: %s: %s, expected %s", which, name, got ? got : "(none)", want);
}

static void test_reply_headers(void **state)
{
	(void)state;
	char lastmod[40];
	date_format_http(LAST_MODIFIED, lastmod);
	static const struct {
		const char *name;
		unsigned status;
		const char *type;
		bool html;
		const char *cache_control; /* set on the response; NULL: the default */
		int64_t last_modified;
		const char *etag; /* precomputed; NULL: the body's */
		/* expected */
		const char *want_cache;
		bool want_vary, want_304;
	} cases[] = {
	    {"page", 200, "text/html; charset=utf-8", true, NULL, LAST_MODIFIED, NULL,
	     "public, max-age=60, must-revalidate", true, true},
	    {"api", 200, "application/json", false, NULL, LAST_MODIFIED, NULL,
	     "public, max-age=60, must-revalidate", true, true},
	    {"feed", 200, "application/atom+xml", false, NULL, 0, NULL,
	     "public, max-age=60, must-revalidate", true, true},
	    {"svg", 200, "image/svg+xml", false, "public, max-age=31536000, immutable", 0,
	     "\"precomputed\"", "public, max-age=31536000, immutable", true, true},
	    {"icon", 200, "image/vnd.microsoft.icon", false, NULL, 0, NULL,
	     "public, max-age=60, must-revalidate", false, true},
	    {"created", 201, "application/json", false, "no-store", LAST_MODIFIED, NULL, "no-store",
	     true, true},
	    {"redirect", 301, "text/html; charset=utf-8", true, NULL, 0, NULL,
	     "public, max-age=60, must-revalidate", true, false},
	    {"not found", 404, "text/html; charset=utf-8", true, NULL, LAST_MODIFIED, NULL,
	     "no-store", true, false},
	    {"problem", 400, "application/problem+json", false, NULL, 0, NULL, "no-store", true,
	     false},
	    {"health", 200, "text/plain; charset=utf-8", false, "no-store", 0, NULL, "no-store",
	     true, true},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct response resp;
		response_init(&resp);
		resp.html = cases[i].html;
		resp.cache_control = cases[i].cache_control;
		resp.last_modified = cases[i].last_modified;
		resp.etag = cases[i].etag;
		response_header(&resp, "Location", "/moved/%zu", i);
		response_header(&resp, "Allow", "GET, HEAD");
		struct reply *rp = make_reply(&resp, cases[i].status, cases[i].type, "body ", 300);
		/* The body was taken: the reply owns it now. */
		assert_null(resp.body.data);
		assert_int_equal(rp->len, 300);
		assert_memory_equal(rp->rep[CODING_IDENTITY].body, "body body ", 10);
		assert_int_equal(rp->status, cases[i].status);
		assert_int_equal(rp->last_modified, cases[i].last_modified);
		char etag[40];
		http_etag(rp->rep[CODING_IDENTITY].body, rp->len, etag);
		assert_string_equal(rp->etag, cases[i].etag ? cases[i].etag : etag);
		assert_int_equal(atomic_load(&rp->refs), 1);
		assert_non_null(rp->rep[CODING_IDENTITY].full);
		assert_null(rp->rep[CODING_GZIP].full);
		assert_null(rp->rep[CODING_BR].full);
		/* The body and one response; the 304 is made when first due. */
		size_t bytes = reply_bytes(rp);
		assert_true(bytes > 300 && bytes < 300 + 4096);
		assert_null(rp->rep[CODING_IDENTITY].not_modified);
		assert_int_equal(rp->has_304, cases[i].want_304);
		if (cases[i].want_304) {
			struct answer *a = xcalloc(1, 8192);
			exchange(rp, "GET /p HTTP/1.1\r\nIf-None-Match: *", a);
			answer_free(a);
			assert_non_null(rp->rep[CODING_IDENTITY].not_modified);
			assert_int_equal(reply_bytes(rp), 2 * bytes - 300);
		}

		char location[32];
		snprintf(location, sizeof location, "/moved/%zu", i);
		struct MHD_Response *rs[2] = {rp->rep[CODING_IDENTITY].full,
		                              rp->rep[CODING_IDENTITY].not_modified};
		for (int k = 0; k < 2 && rs[k]; k++) {
			char which[64];
			snprintf(which, sizeof which, "%s (%s)", cases[i].name, k ? "304" : "200");
			struct MHD_Response *r = rs[k];
			/* The 304 carries the 200's validators and caching headers, not its type.
			 */
			want_header(r, "Content-Type", k ? NULL : cases[i].type, which);
			want_header(r, "ETag", rp->etag, which);
			want_header(r, "Last-Modified", cases[i].last_modified ? lastmod : NULL,
			            which);
			want_header(r, "Cache-Control", cases[i].want_cache, which);
			want_header(r, "Vary", cases[i].want_vary ? "Accept-Encoding" : NULL,
			            which);
			want_header(r, "Location", location, which);
			want_header(r, "Allow", "GET, HEAD", which);
			want_header(r, "X-Content-Type-Options", "nosniff", which);
			want_header(r, "Content-Security-Policy", cases[i].html ? CSP : NULL,
			            which);
			want_header(r, "Referrer-Policy",
			            cases[i].html ? "strict-origin-when-cross-origin" : NULL,
			            which);
			want_header(r, "X-Frame-Options", cases[i].html ? "DENY" : NULL, which);
			want_header(r, "Content-Encoding", NULL, which);
		}
		reply_hold(rp);
		assert_int_equal(atomic_load(&rp->refs), 2);
		reply_release(rp);
		reply_release(rp);
		response_free(&resp);
	}
	reply_release(NULL);
}

/* A built-in file is sent from where it lies, not copied. */
static void test_reply_of_a_static_body(void **state)
{
	(void)state;
	static const unsigned char file[] = "body { color: black; }\n";
	struct response resp;
	response_init(&resp);
	resp.content_type = "text/css; charset=utf-8";
	resp.static_body = file;
	resp.static_len = sizeof file - 1;
	buf_puts(&resp.body, "not this");
	/* Even for a client that takes Brotli: a static body costs nothing to keep. */
	struct reply *rp = reply_new(&resp, CODING_BR);
	assert_non_null(rp);
	assert_ptr_equal(rp->rep[CODING_IDENTITY].body, file);
	assert_int_equal(rp->len, sizeof file - 1);
	char etag[40];
	http_etag(file, sizeof file - 1, etag);
	assert_string_equal(rp->etag, etag);
	want_header(rp->rep[CODING_IDENTITY].full, "ETag", etag, "static");
	assert_null(rp->rep[CODING_BR].full);
	reply_release(rp);
	response_free(&resp);
}

/* ---- reply_send: the representation a request gets ---------------------- */

static struct reply *serving; /* what the handler sends */
static struct request seen;   /* the request as reply_send left it */

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	(void)upload;
	static int first;
	if (*con_cls == NULL) {
		*con_cls = &first; /* the headers are in; answer on the next call */
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&seen, 0, sizeof seen);
	seen.conn = conn;
	seen.method = strcmp(method, "GET") == 0    ? METHOD_GET
	              : strcmp(method, "HEAD") == 0 ? METHOD_HEAD
	              : strcmp(method, "POST") == 0 ? METHOD_POST
	                                            : METHOD_OTHER;
	return reply_send(serving, &seen);
}

struct answer {
	unsigned status;
	char head[4096];
	unsigned char *body;
	size_t len;
};

/* Frees an answer allocated by the caller, and its body. */
static void answer_free(struct answer *a)
{
	free(a->body);
	free(a);
}

/* A header of the answer (the first), or NULL. */
static const char *answer_header(const struct answer *a, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);
	for (const char *p = strstr(a->head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
			const char *v = p + 2 + n + 1;
			v += strspn(v, " ");
			size_t len = strcspn(v, "\r");
			snprintf(out, outlen, "%.*s", (int)len, v);
			return out;
		}
	}
	return NULL;
}

/*
 * Sends request (its headers, a blank line follows) to a daemon answering
 * with rp, over a socketpair, and reads the whole answer (the connection is
 * closed after it).  Fails the test if it takes more than five seconds.
 */
static void exchange(struct reply *rp, const char *request, struct answer *a)
{
	serving = rp;
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, handler,
	                                        NULL, MHD_OPTION_END);
	assert_non_null(d);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
	assert_int_equal(MHD_add_connection(d, sv[0], (struct sockaddr *)&peer, sizeof peer),
	                 MHD_YES);
	char req[2048];
	int n = snprintf(req, sizeof req, "%s\r\nHost: x\r\nConnection: close\r\n\r\n", request);
	assert_true(n > 0 && (size_t)n < sizeof req);
	assert_int_equal(write(sv[1], req, (size_t)n), n);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);

	struct buf got = BUF_INIT;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		MHD_run(d);
		char chunk[65536];
		ssize_t r = read(sv[1], chunk, sizeof chunk);
		if (r == 0)
			break;
		if (r > 0) {
			buf_append(&got, chunk, (size_t)r);
			continue;
		}
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 5)
			fail_msg("no whole answer to '%s' in 5 s", request);
		usleep(1000);
	}
	close(sv[1]);
	MHD_stop_daemon(d);

	char *end = got.data ? strstr(got.data, "\r\n\r\n") : NULL;
	if (end == NULL)
		fail_msg("no answer head to '%s'", request);
	size_t headlen = (size_t)(end - got.data);
	assert_true(headlen < sizeof a->head);
	memcpy(a->head, got.data, headlen);
	a->head[headlen] = '\0';
	assert_int_equal(sscanf(a->head, "HTTP/1.1 %u ", &a->status), 1);
	a->len = got.len - headlen - 4;
	a->body = xmalloc(a->len + 1);
	memcpy(a->body, end + 4, a->len);
	buf_free(&got);
}

/* The gzip stream in, what it decompresses to out (a buf). */
static void gunzip(const unsigned char *in, size_t len, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	int rc;
	do {
		unsigned char chunk[16384];
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			fail_msg("not a gzip stream: %d", rc);
		buf_append(out, chunk, sizeof chunk - z.avail_out);
	} while (rc != Z_STREAM_END);
	assert_int_equal(z.avail_in, 0); /* nothing after the stream */
	inflateEnd(&z);
}

/* in is one gzip stream of exactly want[0..wantlen). */
static void assert_gunzips_to(const unsigned char *in, size_t len, const void *want, size_t wantlen)
{
	struct buf plain = BUF_INIT;
	gunzip(in, len, &plain);
	assert_int_equal(plain.len, wantlen);
	assert_memory_equal(plain.data, want, wantlen);
	buf_free(&plain);
}

/*
 * in is the body of coding c (an independent decoder each: zlib's inflate,
 * Brotli's one-shot decoder) of exactly want[0..wantlen).
 */
static void assert_decodes_to(enum http_coding c, const unsigned char *in, size_t len,
                              const void *want, size_t wantlen)
{
	if (c == CODING_GZIP) {
		assert_gunzips_to(in, len, want, wantlen);
		return;
	}
	if (c == CODING_IDENTITY) {
		assert_int_equal(len, wantlen);
		assert_memory_equal(in, want, wantlen);
		return;
	}
	size_t outlen = wantlen + 64;
	unsigned char *out = xmalloc(outlen);
	assert_int_equal(BrotliDecoderDecompress(len, in, &outlen, out),
	                 BROTLI_DECODER_RESULT_SUCCESS);
	assert_int_equal(outlen, wantlen);
	assert_memory_equal(out, want, wantlen);
	free(out);
}

/* The Content-Encoding token of a coding. */
static const char *coding_name(enum http_coding c)
{
	return c == CODING_GZIP ? "gzip" : c == CODING_BR ? "br" : "identity";
}

/* Text that compresses well: the same paragraph again and again. */
static const char PROSE[] = "The council met again on Tuesday to talk about the harbour. ";

/* Bytes that do not: a pseudo-random stream of letters and digits. */
static void noise(struct response *resp, size_t len)
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
	                               "WXYZ+/";
	uint32_t x = 2463534242u;
	while (resp->body.len < len) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf_putc(&resp->body, alphabet[x % 64]);
	}
}

static void test_send_picks_the_representation(void **state)
{
	(void)state;
	char lastmod[40], before[40], after[40];
	date_format_http(LAST_MODIFIED, lastmod);
	date_format_http(LAST_MODIFIED - 1, before);
	date_format_http(LAST_MODIFIED + 3600, after);
	struct response resp;
	response_init(&resp);
	resp.html = true;
	resp.last_modified = LAST_MODIFIED;
	struct reply *page = make_reply(&resp, 200, "text/html; charset=utf-8", PROSE, 8000);
	response_free(&resp);
	/* The identity body, as every representation must decode to it. */
	size_t plainlen = page->len;
	unsigned char *plain = xmalloc(plainlen);
	memcpy(plain, page->rep[CODING_IDENTITY].body, plainlen);
	char tags[CODING__COUNT][48];
	snprintf(tags[CODING_IDENTITY], sizeof tags[0], "%s", page->etag);
	snprintf(tags[CODING_GZIP], sizeof tags[0], "%.*s-gz\"", (int)strlen(page->etag) - 1,
	         page->etag);
	snprintf(tags[CODING_BR], sizeof tags[0], "%.*s-br\"", (int)strlen(page->etag) - 1,
	         page->etag);
	const char *tag = tags[CODING_IDENTITY];

	char inm_tag[128], inm_gz[128], inm_br[128], inm_list[160];
	snprintf(inm_tag, sizeof inm_tag, "If-None-Match: %s", tag);
	snprintf(inm_gz, sizeof inm_gz, "If-None-Match: %s", tags[CODING_GZIP]);
	snprintf(inm_br, sizeof inm_br, "If-None-Match: %s", tags[CODING_BR]);
	snprintf(inm_list, sizeof inm_list, "If-None-Match: \"other\", W/%s", tag);
	char ims_same[80], ims_after[80], ims_before[80];
	snprintf(ims_same, sizeof ims_same, "If-Modified-Since: %s", lastmod);
	snprintf(ims_after, sizeof ims_after, "If-Modified-Since: %s", after);
	snprintf(ims_before, sizeof ims_before, "If-Modified-Since: %s", before);
	char inm_other_ims[160];
	snprintf(inm_other_ims, sizeof inm_other_ims, "If-None-Match: \"other\"\r\n%s", ims_same);

	char ae_inm_tag[160], ae_inm_gz[160], ae_inm_br[160];
	snprintf(ae_inm_tag, sizeof ae_inm_tag, "Accept-Encoding: gzip\r\n%s", inm_tag);
	snprintf(ae_inm_gz, sizeof ae_inm_gz, "Accept-Encoding: gzip\r\n%s", inm_gz);
	snprintf(ae_inm_br, sizeof ae_inm_br, "Accept-Encoding: gzip, br\r\n%s", inm_br);

	/* coding: the representation sent (its tag; Content-Encoding on a 200). */
	const struct {
		const char *method, *headers;
		unsigned status;
		enum http_coding coding;
	} cases[] = {
	    {"GET", "", 200, CODING_IDENTITY},
	    {"GET", "Accept-Encoding: gzip", 200, CODING_GZIP},
	    {"GET", "Accept-Encoding: gzip, deflate, br", 200, CODING_BR},
	    {"GET", "Accept-Encoding: gzip, deflate, br, zstd", 200, CODING_BR}, /* Chromium's */
	    {"GET", "Accept-Encoding: br, gzip;q=0.5", 200, CODING_BR},
	    {"GET", "Accept-Encoding: gzip;q=1.0, br;q=0.5", 200, CODING_GZIP},
	    {"GET", "Accept-Encoding: GZIP", 200, CODING_GZIP},
	    {"GET", "Accept-Encoding: BR", 200, CODING_BR},
	    {"GET", "Accept-Encoding: *", 200, CODING_BR},
	    {"GET", "Accept-Encoding: gzip;q=0", 200, CODING_IDENTITY},
	    {"GET", "Accept-Encoding: gzip;q=0, *", 200, CODING_BR}, /* "*": what is not named */
	    {"GET", "Accept-Encoding: br;q=0, *", 200, CODING_GZIP},
	    {"GET", "Accept-Encoding: br;q=0, gzip;q=0", 200, CODING_IDENTITY},
	    {"GET", "Accept-Encoding: br;q=2, gzip;q=0.1", 200, CODING_GZIP}, /* not a q-value */
	    {"GET", "Accept-Encoding: br", 200, CODING_BR},
	    {"GET", "Accept-Encoding: identity", 200, CODING_IDENTITY},
	    {"GET", "Accept-Encoding: deflate, zstd", 200, CODING_IDENTITY},
	    {"GET", "Accept-Encoding: x-gzip", 200, CODING_GZIP},
	    {"GET", inm_tag, 304, CODING_IDENTITY},
	    {"HEAD", inm_tag, 304, CODING_IDENTITY},
	    {"GET", inm_list, 304, CODING_IDENTITY},
	    {"GET", "If-None-Match: *", 304, CODING_IDENTITY},
	    {"GET", "If-None-Match: \"other\"", 200, CODING_IDENTITY},
	    {"GET", inm_gz, 304, CODING_IDENTITY}, /* every tag names the content */
	    {"GET", inm_br, 304, CODING_IDENTITY},
	    /* A browser holding a compressed answer revalidates with its tag. */
	    {"GET", ae_inm_gz, 304, CODING_GZIP},
	    {"GET", ae_inm_tag, 304, CODING_GZIP},
	    {"GET", ae_inm_br, 304, CODING_BR},
	    {"GET", ims_same, 304, CODING_IDENTITY},
	    {"GET", ims_after, 304, CODING_IDENTITY},
	    {"GET", ims_before, 200, CODING_IDENTITY},
	    {"GET", "If-Modified-Since: yesterday", 200, CODING_IDENTITY},
	    {"GET", inm_other_ims, 200, CODING_IDENTITY}, /* If-None-Match decides alone */
	    {"POST", inm_tag, 200, CODING_IDENTITY},      /* only GET and HEAD are conditional */
	    {"HEAD", "", 200, CODING_IDENTITY},
	    {"HEAD", "Accept-Encoding: gzip", 200, CODING_GZIP},
	    {"HEAD", "Accept-Encoding: br", 200, CODING_BR},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char request[512];
		unsigned want_status = cases[i].status;
		enum http_coding c = cases[i].coding;
		snprintf(request, sizeof request, "%s /p HTTP/1.1%s%s", cases[i].method,
		         cases[i].headers[0] ? "\r\n" : "", cases[i].headers);
		struct answer a;
		exchange(page, request, &a);
		char h[256];
		if (a.status != want_status)
			fail_msg("%s: %u, expected %u\n%s", request, a.status, want_status, a.head);
		assert_int_equal(seen.status, want_status);
		bool encoded = answer_header(&a, "Content-Encoding", h, sizeof h) != NULL;
		if (encoded != (c != CODING_IDENTITY && want_status == 200))
			fail_msg("%s: Content-Encoding %s\n%s", request, encoded ? h : "none",
			         a.head);
		if (encoded && strcmp(h, coding_name(c)) != 0)
			fail_msg("%s: Content-Encoding %s, expected %s", request, h, coding_name(c));
		assert_non_null(answer_header(&a, "ETag", h, sizeof h));
		if (strcmp(h, tags[c]) != 0)
			fail_msg("%s: ETag %s, expected %s", request, h, tags[c]);
		assert_non_null(answer_header(&a, "Vary", h, sizeof h));
		assert_string_equal(h, "Accept-Encoding");
		assert_non_null(answer_header(&a, "Cache-Control", h, sizeof h));
		assert_string_equal(h, "public, max-age=60, must-revalidate");
		assert_non_null(answer_header(&a, "Last-Modified", h, sizeof h));
		assert_string_equal(h, lastmod);
		assert_non_null(answer_header(&a, "Content-Security-Policy", h, sizeof h));
		const struct representation *r = &page->rep[c];
		if (want_status != 304) {
			/* Content-Length is the representation's, to HEAD too. */
			assert_non_null(answer_header(&a, "Content-Type", h, sizeof h));
			assert_string_equal(h, "text/html; charset=utf-8");
			assert_non_null(answer_header(&a, "Content-Length", h, sizeof h));
			assert_int_equal(strtoul(h, NULL, 10), r->len);
			assert_int_equal(seen.bytes, r->len);
			if (c != CODING_IDENTITY)
				assert_true(r->len > 0 && r->len <= plainlen / 2);
		} else {
			assert_null(answer_header(&a, "Content-Type", h, sizeof h));
			assert_int_equal(seen.bytes, 0);
		}
		bool bodyless = want_status == 304 || strcmp(cases[i].method, "HEAD") == 0;
		if (bodyless)
			assert_int_equal(a.len, 0);
		else
			assert_decodes_to(c, a.body, a.len, plain, plainlen);
		free(a.body);
	}
	/* It holds each representation once, and each one's 304: six responses. */
	size_t bodies = page->rep[CODING_IDENTITY].len + page->rep[CODING_GZIP].len +
	                page->rep[CODING_BR].len;
	assert_true(reply_bytes(page) > bodies && (reply_bytes(page) - bodies) % 6 == 0);
	for (int c = 0; c < CODING__COUNT; c++)
		assert_true(page->rep[c].full && page->rep[c].not_modified);
	free(plain);
	reply_release(page);
}

/*
 * A reply made for a client that takes compression keeps only that body
 * (the cache's page in a third of the bytes or less); a client that
 * accepts neither gets the identity body decoded from it, with the
 * identity's tag, and it is kept from then on; another coding is made
 * from the decoded body.
 */
static void test_born_compressed(void **state)
{
	(void)state;
	for (int born = CODING_GZIP; born < CODING__COUNT; born++) {
		struct response resp;
		response_init(&resp);
		resp.content_type = "application/json";
		resp.last_modified = LAST_MODIFIED;
		while (resp.body.len < 9000)
			buf_printf(&resp.body, "{\"n\":%zu,\"title\":\"%s\"},", resp.body.len, PROSE);
		size_t plainlen = resp.body.len;
		unsigned char *plain = xmalloc(plainlen);
		memcpy(plain, resp.body.data, plainlen);
		char tag[40];
		http_etag(plain, plainlen, tag);

		struct reply *rp = reply_new(&resp, (enum http_coding)born);
		assert_non_null(rp);
		assert_null(resp.body.data); /* taken: freed, as only the compressed body is kept */
		response_free(&resp);
		assert_string_equal(rp->etag, tag);
		assert_int_equal(rp->len, plainlen);
		const struct representation *id = &rp->rep[CODING_IDENTITY], *z = &rp->rep[born];
		assert_null(id->full);
		assert_null(id->not_modified);
		assert_non_null(z->full);
		assert_true(z->len > 0 && z->len <= plainlen / 2);
		assert_decodes_to((enum http_coding)born, z->body, z->len, plain, plainlen);
		/* Its body and its response's headers. */
		size_t cost = reply_bytes(rp) - z->len;
		assert_true(cost > 0 && cost < 4096);
		assert_true(reply_grown(rp));
		assert_false(reply_grown(rp)); /* once */
		want_header(z->full, "Content-Type", "application/json", "born");
		want_header(z->full, "Content-Encoding", coding_name((enum http_coding)born), "born");

		/* The identity client's 304 needs no body. */
		char inm[128];
		snprintf(inm, sizeof inm, "GET /p HTTP/1.1\r\nIf-None-Match: %s", tag);
		struct answer a;
		exchange(rp, inm, &a);
		assert_int_equal(a.status, 304);
		char h[256];
		assert_non_null(answer_header(&a, "ETag", h, sizeof h));
		assert_string_equal(h, tag);
		assert_null(answer_header(&a, "Content-Type", h, sizeof h));
		assert_null(answer_header(&a, "Content-Encoding", h, sizeof h));
		assert_non_null(answer_header(&a, "Cache-Control", h, sizeof h));
		free(a.body);
		assert_null(id->full);
		assert_non_null(id->not_modified);
		assert_true(reply_grown(rp));
		assert_int_equal(reply_bytes(rp), z->len + 2 * cost);

		/* A client of the other coding revalidating: a 304, and no body made for it. */
		int other = born == CODING_GZIP ? CODING_BR : CODING_GZIP;
		snprintf(inm, sizeof inm, "GET /p HTTP/1.1\r\nAccept-Encoding: %s\r\nIf-None-Match: %s",
		         coding_name((enum http_coding)other), tag);
		exchange(rp, inm, &a);
		assert_int_equal(a.status, 304);
		free(a.body);
		assert_null(rp->rep[other].full);
		assert_null(id->full);
		assert_int_equal(reply_bytes(rp), z->len + 2 * cost);

		/* The other coding, made from the decoded body; identity still not kept. */
		exchange(rp, other == CODING_BR ? "GET /p HTTP/1.1\r\nAccept-Encoding: br"
		                                : "GET /p HTTP/1.1\r\nAccept-Encoding: gzip",
		         &a);
		assert_int_equal(a.status, 200);
		assert_decodes_to((enum http_coding)other, a.body, a.len, plain, plainlen);
		free(a.body);
		assert_null(id->full);
		assert_true(reply_grown(rp));
		assert_int_equal(reply_bytes(rp), z->len + rp->rep[other].len + 3 * cost);

		/* Identity, twice: decoded once, then kept. */
		for (int round = 0; round < 2; round++) {
			exchange(rp, "GET /p HTTP/1.1", &a);
			assert_int_equal(a.status, 200);
			assert_null(answer_header(&a, "Content-Encoding", h, sizeof h));
			assert_non_null(answer_header(&a, "ETag", h, sizeof h));
			assert_string_equal(h, tag);
			assert_non_null(answer_header(&a, "Content-Type", h, sizeof h));
			assert_string_equal(h, "application/json");
			assert_non_null(answer_header(&a, "Last-Modified", h, sizeof h));
			assert_decodes_to(CODING_IDENTITY, a.body, a.len, plain, plainlen);
			assert_int_equal(seen.bytes, plainlen);
			free(a.body);
			assert_non_null(id->full);
			assert_true(reply_grown(rp) == (round == 0));
		}
		assert_int_equal(reply_bytes(rp), z->len + rp->rep[other].len + plainlen + 4 * cost);
		reply_release(rp);
		free(plain);
	}
}

/*
 * A compressed body is made only where it pays: a compressible type, 1024
 * bytes or more, half the size.  A reply made for a client that takes one
 * keeps it alone only where, besides, the body is a 2xx's own without
 * ranges.
 */
static void test_compressed_only_when_it_pays(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned status;
		const char *type;
		size_t len;
		bool noise;      /* bytes that do not compress to half */
		bool ranges;     /* Range is answered: always of the identity body */
		bool compressed; /* made when a client asks */
		bool born;       /* made for a Brotli client, kept compressed alone */
	} cases[] = {
	    {"prose", 200, "text/html; charset=utf-8", 4000, false, false, true, true},
	    {"json", 200, "application/json", 4000, false, false, true, true},
	    {"feed", 200, "application/rss+xml", 4000, false, false, true, true},
	    {"svg", 200, "image/svg+xml", 4000, false, false, true, true},
	    {"css", 200, "text/css; charset=utf-8", 1024, false, false, true, true},
	    {"ranges", 200, "text/css; charset=utf-8", 8000, false, true, true, false},
	    {"small", 200, "text/html; charset=utf-8", 1023, false, false, false, false},
	    {"noise", 200, "text/plain; charset=utf-8", 8000, true, false, false, false},
	    {"not text", 200, "image/png", 8000, false, false, false, false},
	    {"no type", 200, NULL, 8000, false, false, false, false},
	    {"an error", 404, "text/html; charset=utf-8", 8000, false, false, false, false},
	};
	static const char *const asks[] = {"GET /x HTTP/1.1\r\nAccept-Encoding: gzip",
	                                   "GET /x HTTP/1.1\r\nAccept-Encoding: br"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		/* k: asked for in gzip, in Brotli, or made for a Brotli client. */
		for (int k = 0; k < 3; k++) {
			enum http_coding c = k ? CODING_BR : CODING_GZIP;
			struct response resp;
			response_init(&resp);
			resp.ranges = cases[i].ranges;
			if (cases[i].noise)
				noise(&resp, cases[i].len);
			struct reply *rp = make_reply_for(&resp, cases[i].status, cases[i].type, PROSE,
			                                  cases[i].len, k == 2 ? CODING_BR : CODING_IDENTITY);
			response_free(&resp);
			if (k == 2) {
				bool kept = rp->rep[CODING_IDENTITY].full != NULL;
				if (kept == cases[i].born)
					fail_msg("%s: identity %s", cases[i].name, kept ? "kept" : "not kept");
				if (kept) /* the identity body, and one response */
					assert_true(reply_bytes(rp) > cases[i].len &&
					            reply_bytes(rp) < cases[i].len + 4096);
				reply_release(rp);
				continue;
			}
			const void *id = rp->rep[CODING_IDENTITY].body;
			for (int round = 0; round < 2; round++) { /* built once, then sent as it is */
				struct answer a;
				exchange(rp, asks[k], &a);
				char h[64];
				bool z = answer_header(&a, "Content-Encoding", h, sizeof h) != NULL;
				if (z != cases[i].compressed)
					fail_msg("%s, %s, round %d: compressed %d, expected %d",
					         cases[i].name, coding_name(c), round, z,
					         cases[i].compressed);
				assert_int_equal(a.status, cases[i].status);
				if (z) {
					assert_string_equal(h, coding_name(c));
					assert_true(rp->rep[c].full != NULL && rp->rep[c].len == a.len);
					assert_true(a.len <= rp->len / 2);
				} else
					assert_null(rp->rep[c].full);
				assert_decodes_to(z ? c : CODING_IDENTITY, a.body, a.len, id, rp->len);
				free(a.body);
			}
			reply_release(rp);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_response_init_and_headers),
	    cmocka_unit_test(test_response_json_and_text),
	    cmocka_unit_test(test_response_problem),
	    cmocka_unit_test(test_etag),
	    cmocka_unit_test(test_etag_matches),
	    cmocka_unit_test(test_prefers_json),
	    cmocka_unit_test(test_methods_text),
	    cmocka_unit_test(test_status_text),
	    cmocka_unit_test(test_reply_headers),
	    cmocka_unit_test(test_reply_of_a_static_body),
	    cmocka_unit_test(test_send_picks_the_representation),
	    cmocka_unit_test(test_born_compressed),
	    cmocka_unit_test(test_compressed_only_when_it_pays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
