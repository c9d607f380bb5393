/*
 * http.c: responses, and the HTTP that goes around every one of them:
 * validators (ETag, Last-Modified), 304, content codings, caching and safety
 * headers.
 */
#include "gazette/http/http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/base/filemem.h"
#include "gazette/base/json_write.h"
#include "gazette/base/log.h"
#include "gazette/base/util.h"

#include "coding.h"

/* Below this, compression's header and its CPU cost outweigh what it saves. */
#define COMPRESS_MIN_BYTES 1024

/*
 * Pages link only to the site's own styles, images, audio and video (an
 * article may play the site's files); no scripts at all.
 */
static const char csp[] =
    "default-src 'none'; style-src 'self'; img-src 'self' https: http: data:; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

void response_init(struct response *resp)
{
	memset(resp, 0, sizeof *resp);
	resp->status = 200;
}

static void source_free(struct response_source *s)
{
	if (s == NULL)
		return;
	if (s->free)
		s->free(s->cls);
	free(s);
}

void response_free(struct response *resp)
{
	buf_free(&resp->body);
	for (size_t i = 0; i < resp->nheaders; i++)
		free(resp->headers[i].value);
	resp->nheaders = 0;
	source_free(resp->source);
	resp->source = NULL;
}

void response_header(struct response *resp, const char *name, const char *fmt, ...)
{
	if (resp->nheaders == RESPONSE_MAX_HEADERS) {
		log_msg(LOG_ERROR, "too many headers: dropping %s", name);
		return;
	}
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	resp->headers[resp->nheaders].name = name;
	resp->headers[resp->nheaders].value = buf_detach(&b, NULL);
	resp->nheaders++;
}

void response_json(struct response *resp, unsigned status, json_t *v)
{
	if (v == NULL) {
		/* A json_pack() that failed: say so rather than send an empty body. */
		log_msg(LOG_ERROR, "could not build a JSON answer for status %u", status);
		response_text(resp, 500, "Internal Server Error: the answer could not be built.\n");
		return;
	}
	resp->status = status;
	resp->content_type = "application/json";
	buf_reset(&resp->body);
	/* Straight into the body, as json_dumps() would write it; on failure it stays empty. */
	if (json_write(&resp->body, v) < 0)
		log_msg(LOG_ERROR, "could not write a JSON answer for status %u", status);
}

void response_problem(struct response *resp, unsigned status, const char *detail)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title",
	                      http_status_text(status), "status", (int)status, "detail", detail);
	response_json(resp, status, p);
	resp->content_type = "application/problem+json";
	json_decref(p);
}

void response_text(struct response *resp, unsigned status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	buf_reset(&resp->body);
	buf_puts(&resp->body, text);
}

const char *http_status_text(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 206: return "Partial Content";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void http_methods_text(unsigned methods, char *out, size_t outlen)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{METHOD_GET, "GET"},     {METHOD_HEAD, "HEAD"},     {METHOD_POST, "POST"},
	             {METHOD_PUT, "PUT"},     {METHOD_PATCH, "PATCH"},   {METHOD_DELETE, "DELETE"},
	             {METHOD_OPTIONS, "OPTIONS"}};
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < GZ_ARRAY_LEN(names); i++)
		if ((methods & names[i].bit) && k < outlen)
			k += (size_t)snprintf(out + k, outlen - k, "%s%s", k ? ", " : "", names[i].name);
}

/*
 * XXH3, 64 bits: every miss hashes its whole body, and hash_bytes()'s
 * byte at a time took 5% of an article page's time (14.6 KB, about 15 us).
 */
void http_etag(const void *body, size_t len, char out[40])
{
	snprintf(out, 40, "\"%016llx\"",
	         (unsigned long long)XXH3_64bits(body ? body : (const void *)"", len));
}

/*
 * A q-value (RFC 9110, 12.4.2: "0" or "1", optionally a '.' and up to
 * three digits, at most 1) in thousandths, from s[0..n); -1 if it is not one.
 */
static int qvalue(const char *s, size_t n)
{
	if (n == 0 || (s[0] != '0' && s[0] != '1') || (n > 1 && s[1] != '.') || n > 5)
		return -1;
	int v = (s[0] - '0') * 1000, scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v += (s[i] - '0') * scale;
	}
	return v <= 1000 ? v : -1;
}

/* The q-value among the parameters s[0..n) after an element's ';': 1000 if none, -1 if bad. */
static int params_q(const char *s, size_t n)
{
	int q = 1000;
	while (n > 0) {
		size_t len = strcspn(s, ";");
		len = len < n ? len : n;
		const char *p = s;
		size_t k = len;
		while (k > 0 && (*p == ' ' || *p == '\t'))
			p++, k--;
		while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		if (k >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
			q = qvalue(p + 2, k - 2);
		s += len;
		n -= len;
		if (n > 0)
			s++, n--;
	}
	return q;
}

bool http_list_next(const char **p, const char **tok, size_t *toklen, int *q)
{
	const char *s = *p;
	if (s == NULL)
		return false;
	s += strspn(s, " \t,");
	if (*s == '\0')
		return false;
	size_t n = strcspn(s, ",");
	const char *semi = memchr(s, ';', n);
	*tok = s;
	*toklen = strcspn(s, ";, \t");
	*q = semi ? params_q(semi + 1, n - (size_t)(semi + 1 - s)) : 1000;
	*p = s + n;
	return true;
}

/* How specifically the range type/sub names a representation: 3 exactly, 2 its type, 1 any, 0 not. */
static int range_names(const char *type, size_t n, const char *const *exact, const char *major)
{
	for (size_t i = 0; exact[i]; i++)
		if (strlen(exact[i]) == n && strncasecmp(type, exact[i], n) == 0)
			return 3;
	size_t m = strlen(major);
	if (n == m + 2 && strncasecmp(type, major, m) == 0 && type[m] == '/' && type[m + 1] == '*')
		return 2;
	return n == 3 && memcmp(type, "*/*", 3) == 0 ? 1 : 0;
}

/* What one representation gets from an Accept header: the q of its most specific range. */
struct acceptance {
	int specificity; /* 0: no range names it */
	int q;           /* thousandths */
};

static void weigh(struct acceptance *a, int specificity, int q)
{
	if (specificity > a->specificity || (specificity == a->specificity && q > a->q)) {
		a->specificity = specificity;
		a->q = q;
	}
}

bool http_prefers_json(const char *accept)
{
	static const char *const html_types[] = {"text/html", "application/xhtml+xml", NULL};
	static const char *const json_types[] = {"application/json", NULL};
	struct acceptance html = {0, 0}, json = {0, 0};
	const char *type;
	size_t n;
	int q;
	for (const char *p = accept; http_list_next(&p, &type, &n, &q);) {
		if (q >= 0 && n > 0) {
			weigh(&html, range_names(type, n, html_types, "text"), q);
			weigh(&json, range_names(type, n, json_types, "application"), q);
		}
	}
	return json.specificity > 0 && (html.specificity == 0 ? json.q > 0 : json.q > html.q);
}

enum http_method http_method_parse(const char *name)
{
	static const struct {
		const char *name;
		enum http_method m;
	} methods[] = {
	    {"GET", METHOD_GET},         {"HEAD", METHOD_HEAD},   {"POST", METHOD_POST},
	    {"PUT", METHOD_PUT},         {"PATCH", METHOD_PATCH}, {"DELETE", METHOD_DELETE},
	    {"OPTIONS", METHOD_OPTIONS},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(methods); i++)
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].m;
	return METHOD_OTHER;
}

void request_path(const struct request *req, size_t nsegs, struct buf *out)
{
	if (req->nsegs == 0 || nsegs == 0)
		buf_putc(out, '/');
	for (size_t i = 0; i < req->nsegs && i < nsegs; i++) {
		buf_putc(out, '/');
		escape_url_segment(out, req->segs[i], strlen(req->segs[i]));
	}
}

const char *request_header(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static bool compressible(const char *type)
{
	return type && (strncmp(type, "text/", 5) == 0 || strstr(type, "json") != NULL ||
	                strstr(type, "xml") != NULL || strncmp(type, "image/svg", 9) == 0);
}

size_t request_codings(struct request *req, const enum http_coding **out)
{
	if (!req->codings_read) {
		req->ncodings = (unsigned char)coding_accepted(
		    request_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING), req->codings);
		req->codings_read = true;
	}
	*out = req->codings;
	return req->ncodings;
}

enum http_coding request_coding(struct request *req)
{
	const enum http_coding *want;
	return request_codings(req, &want) > 0 ? want[0] : CODING_IDENTITY;
}

/* The length of a tag's content without a compressed coding's mark ("-gz", "-br"). */
static size_t etag_base(const char *tag, size_t n)
{
	for (int c = CODING_GZIP; c < CODING__COUNT; c++) {
		const char *mark = coding_etag_mark((enum http_coding)c);
		size_t m = strlen(mark);
		if (n >= m && strncmp(tag + n - m, mark, m) == 0)
			return n - m;
	}
	return n;
}

/*
 * True if an If-None-Match list holds our tag (weak comparison, as RFC
 * 9110 asks for If-None-Match; "-gz" and "-br" mark the compressed
 * representations of the same content).
 */
bool http_etag_matches(const char *list, const char *etag)
{
	/* Our tag without quotes and without a coding's mark. */
	const char *tag = etag + 1;
	size_t taglen = etag_base(tag, strlen(tag) - 1);

	const char *p = list;
	while (*p) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"')
			break;
		p++;
		size_t n = strcspn(p, "\"");
		if (etag_base(p, n) == taglen && strncmp(p, tag, taglen) == 0)
			return true;
		p += n;
		if (*p == '"')
			p++;
	}
	return false;
}

static void add_header(struct MHD_Response *r, const char *name, const char *value)
{
	if (value && MHD_add_response_header(r, name, value) != MHD_YES)
		log_msg(LOG_ERROR, "cannot add the header %s", name);
}

/* libmicrohttpd frees a body it was given this way once no connection sends it. */
static void free_body(void *body)
{
	filemem_free(body);
}


/*
 * A representation's state, and its 304's.  Each goes from UNTRIED to
 * READY or NONE once, by the one thread that moved it to BUILDING; what
 * it makes is written before READY is stored (release) and read after it
 * is loaded (acquire), then never changes until the reply is freed.
 */
enum rep_state {
	REP_UNTRIED,  /* may be made when a client wants it */
	REP_BUILDING, /* one thread makes it; others do without meanwhile */
	REP_READY,    /* made: body and full (or not_modified) are there */
	REP_NONE,     /* not compressible, too small, or it did not pay */
};

/*
 * What one libmicrohttpd response costs besides its body: the response
 * and a copy of each of its dozen headers.  Measured with mallinfo2() on
 * the development machine, once the process's first allocations are made:
 * about 1.6 KB for a page, whose security headers are long (an API
 * answer's are fewer).  Charged with the bodies (reply_bytes()): a page
 * kept compressed is nearly as much this as its body.
 */
#define RESPONSE_COST 1600

/* Cache-Control: the handler's, else a minute for what went well (and 301s), none for errors. */
static const char *cache_control(const struct response *resp)
{
	bool ok = resp->status >= 200 && resp->status < 300;
	if (resp->cache_control)
		return resp->cache_control;
	return ok || resp->status == 301 ? "public, max-age=60, must-revalidate" : "no-store";
}

/*
 * The headers of a 200 (or another status with a body): its Content-Type,
 * the validators (etag: the representation's) and caching headers, which
 * a 304 carries as its 200 does (RFC 9110 15.4.5, copy_headers()), the
 * handler's own and the security headers.
 */
static void add_headers(struct MHD_Response *r, const struct response *resp,
                        const struct reply *rp, const char *etag)
{
	char lastmod[40] = "";
	if (resp->last_modified > 0)
		date_format_http(resp->last_modified, lastmod);
	add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	if (rp->ranges)
		add_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	add_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if (lastmod[0])
		add_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control(resp));
	if (compressible(resp->content_type) || resp->vary_accept)
		add_header(r, MHD_HTTP_HEADER_VARY,
		           !resp->vary_accept               ? "Accept-Encoding"
		           : compressible(resp->content_type) ? "Accept, Accept-Encoding"
		                                              : "Accept");
	for (size_t k = 0; k < resp->nheaders; k++)
		add_header(r, resp->headers[k].name, resp->headers[k].value);
	add_header(r, "X-Content-Type-Options", "nosniff");
	if (resp->html) {
		if (resp->frame_src[0]) {
			/* The site's allowed video hosts: the sanitizer kept only iframes of these. */
			struct buf policy = BUF_INIT;
			buf_printf(&policy, "%s; frame-src %s", csp, resp->frame_src);
			add_header(r, "Content-Security-Policy", policy.data);
			buf_free(&policy);
		} else
			add_header(r, "Content-Security-Policy", csp);
		add_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
		add_header(r, "X-Frame-Options", "DENY");
	}
}

/* The ETag of representation c: the identity's, marked for a compressed coding. */
static void etag_of(const struct reply *rp, enum http_coding c, char out[48])
{
	snprintf(out, 48, "%.*s%s\"", (int)strlen(rp->etag) - 1, rp->etag, coding_etag_mark(c));
}

/* Copies the headers of one answer to another: see copy_headers(). */
struct copy_ctx {
	struct MHD_Response *to;
	const char *etag;
	bool is_304;
};

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct copy_ctx *c = cls;
	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_ENCODING) == 0 ||
	    (c->is_304 && strcasecmp(key, MHD_HTTP_HEADER_CONTENT_TYPE) == 0))
		return MHD_YES;
	add_header(c->to, key, strcasecmp(key, MHD_HTTP_HEADER_ETAG) == 0 ? c->etag : value);
	return MHD_YES;
}

/*
 * Gives r the headers of a representation that is made (all have the
 * same but ETag and Content-Encoding), with etag for its ETag and no
 * Content-Encoding (the caller adds its own); a 304 also goes without a
 * Content-Type.  Every reply has at least one made from its birth on.
 */
static void copy_headers(const struct reply *rp, struct MHD_Response *r, const char *etag,
                         bool is_304)
{
	struct copy_ctx ctx = {r, etag, is_304};
	for (int c = 0; c < CODING__COUNT; c++) {
		const struct representation *from = &rp->rep[c];
		if (atomic_load_explicit(&from->state, memory_order_acquire) == REP_READY) {
			MHD_get_response_headers(from->full, copy_header, &ctx);
			return;
		}
	}
}

/* An empty, static response: a 304, or the headers of a streamed answer. */
static struct MHD_Response *empty_response(void)
{
	return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
}

/*
 * A response that sends body[0..len) (filemem_take()'s: in the file of
 * filemem.h when the server has one) and frees it when no connection
 * sends it any more.
 */
static struct MHD_Response *owned_response(unsigned char *body, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer_with_free_callback_cls(len, body, free_body, body);
	if (r == NULL)
		filemem_free(body);
	return r;
}

/* Counts what was just made into what rp holds, for a cache that keeps it. */
static void add_bytes(struct reply *rp, size_t n)
{
	atomic_fetch_add_explicit(&rp->bytes, n, memory_order_release);
	atomic_store_explicit(&rp->grown, true, memory_order_release);
}

/*
 * Makes representation c (compressed) of rp from the identity body
 * id[0..rp->len), with the headers of resp (at the reply's birth) or of a
 * representation already made: REP_READY, or REP_NONE when it does not
 * pay or libmicrohttpd cannot allocate.
 */
static int build_compressed(struct reply *rp, enum http_coding c, const void *id,
                            const struct response *resp)
{
	struct representation *r = &rp->rep[c];
	size_t zlen;
	unsigned char *z = coding_compress(c, id, rp->len, &zlen);
	if (z)
		z = filemem_take(z, zlen, zlen); /* where replies keep their bodies */
	struct MHD_Response *full = z ? owned_response(z, zlen) : NULL;
	if (full == NULL)
		return REP_NONE;
	char etag[48];
	etag_of(rp, c, etag);
	if (resp)
		add_headers(full, resp, rp, etag);
	else
		copy_headers(rp, full, etag, false);
	add_header(full, MHD_HTTP_HEADER_CONTENT_ENCODING, coding_name(c));
	r->body = z;
	r->len = zlen;
	r->full = full;
	add_bytes(rp, zlen + RESPONSE_COST);
	return REP_READY;
}

/*
 * The identity body of a reply that kept only compressed ones, decoded
 * from the first that is made into a new malloc'd buffer; NULL if none is.
 */
static unsigned char *decode_identity(const struct reply *rp)
{
	for (int c = CODING_GZIP; c < CODING__COUNT; c++) {
		const struct representation *r = &rp->rep[c];
		if (atomic_load_explicit(&r->state, memory_order_acquire) == REP_READY)
			return coding_decompress((enum http_coding)c, r->body, r->len, rp->len);
	}
	return NULL;
}

/* Makes the identity representation again, decompressed: REP_READY or REP_UNTRIED. */
static int build_identity(struct reply *rp)
{
	struct representation *r = &rp->rep[CODING_IDENTITY];
	unsigned char *body = decode_identity(rp);
	if (body)
		body = filemem_take(body, rp->len, rp->len);
	struct MHD_Response *full = body ? owned_response(body, rp->len) : NULL;
	if (full == NULL)
		return REP_UNTRIED;
	copy_headers(rp, full, rp->etag, false);
	r->body = body;
	r->len = rp->len;
	r->full = full;
	add_bytes(rp, rp->len + RESPONSE_COST);
	return REP_READY;
}

bool reply_make(struct reply *rp, enum http_coding c)
{
	struct representation *r = &rp->rep[c];
	int state = atomic_load_explicit(&r->state, memory_order_acquire);
	if (state != REP_UNTRIED)
		return state == REP_READY;
	if (!atomic_compare_exchange_strong(&r->state, &state, REP_BUILDING))
		return state == REP_READY;
	if (c == CODING_IDENTITY)
		state = build_identity(rp);
	else {
		/* The identity body, or one decoded from a compressed one. */
		bool kept = atomic_load_explicit(&rp->rep[CODING_IDENTITY].state,
		                                 memory_order_acquire) == REP_READY;
		unsigned char *decoded = kept ? NULL : decode_identity(rp);
		const void *id = kept ? rp->rep[CODING_IDENTITY].body : decoded;
		state = id ? build_compressed(rp, c, id, NULL) : REP_UNTRIED;
		free(decoded);
	}
	atomic_store_explicit(&r->state, state, memory_order_release);
	return state == REP_READY;
}

/*
 * The 304 of representation c (made), made the first time a client's copy
 * is current: most pages are never revalidated.  *once is set when another
 * thread is making it and this one was made for the caller alone (it
 * destroys it); NULL if libmicrohttpd cannot allocate.
 */
static struct MHD_Response *not_modified(struct reply *rp, enum http_coding c, bool *once)
{
	struct representation *r = &rp->rep[c];
	*once = false;
	int state = atomic_load_explicit(&r->nm_state, memory_order_acquire);
	if (state == REP_READY)
		return r->not_modified;
	if (state == REP_UNTRIED && atomic_compare_exchange_strong(&r->nm_state, &state,
	                                                           REP_BUILDING)) {
		char etag[48];
		etag_of(rp, c, etag);
		r->not_modified = empty_response();
		if (r->not_modified == NULL) {
			atomic_store_explicit(&r->nm_state, REP_UNTRIED, memory_order_release);
			return NULL;
		}
		copy_headers(rp, r->not_modified, etag, true);
		add_bytes(rp, RESPONSE_COST);
		atomic_store_explicit(&r->nm_state, REP_READY, memory_order_release);
		return r->not_modified;
	}
	if (state == REP_READY)
		return r->not_modified; /* made meanwhile */
	struct MHD_Response *nm = empty_response();
	if (nm) {
		char etag[48];
		etag_of(rp, c, etag);
		copy_headers(rp, nm, etag, true);
		*once = true;
	}
	return nm;
}

/*
 * The identity answer, from the response: the headers only for a body
 * read as it is sent, the static body as it is, or the response's buffer,
 * which it takes over.  False if libmicrohttpd could not make it.
 */
static bool make_identity(struct reply *rp, struct response *resp)
{
	struct representation *r = &rp->rep[CODING_IDENTITY];
	if (resp->source) {
		/* Read as it is sent (reply_send()). */
		rp->source = resp->source;
		resp->source = NULL;
		rp->len = (size_t)rp->source->size;
		r->full = empty_response();
	} else if (resp->static_body) {
		r->body = resp->static_body;
		r->full = MHD_create_response_from_buffer(
		    rp->len, (void *)(uintptr_t)resp->static_body, MHD_RESPMEM_PERSISTENT);
	} else {
		size_t cap = resp->body.cap;
		unsigned char *owned = filemem_take(buf_detach(&resp->body, NULL), rp->len, cap);
		r->body = owned;
		r->full = owned_response(owned, rp->len);
	}
	if (r->full == NULL)
		return false;
	add_headers(r->full, resp, rp, rp->etag);
	r->len = rp->len;
	add_bytes(rp, (rp->source ? 0 : rp->len) + RESPONSE_COST);
	atomic_store_explicit(&r->state, REP_READY, memory_order_release);
	return true;
}

struct reply *reply_new(struct response *resp, enum http_coding born)
{
	struct reply *rp = xcalloc(1, sizeof *rp);
	const unsigned char *body =
	    resp->static_body ? resp->static_body : (const unsigned char *)resp->body.data;
	size_t len = resp->static_body ? resp->static_len : resp->body.len;
	bool ok = resp->status >= 200 && resp->status < 300;
	bool zippable = ok && compressible(resp->content_type) && len >= COMPRESS_MIN_BYTES &&
	                resp->source == NULL;

	atomic_init(&rp->refs, 1);
	rp->status = resp->status;
	rp->len = len;
	rp->last_modified = resp->last_modified;
	rp->has_304 = ok;
	atomic_init(&rp->bytes, 0);
	atomic_init(&rp->grown, false);
	for (int c = 0; c < CODING__COUNT; c++) {
		atomic_init(&rp->rep[c].state, c != CODING_IDENTITY && zippable ? REP_UNTRIED : REP_NONE);
		atomic_init(&rp->rep[c].nm_state, REP_UNTRIED);
	}
	if (resp->etag)
		snprintf(rp->etag, sizeof rp->etag, "%s", resp->etag);
	else
		http_etag(body, len, rp->etag);
	rp->ranges = resp->ranges && ok;

	/*
	 * Only the compressed body, for a client that takes it, when the body
	 * is the response's own: a static body costs nothing to keep, and a
	 * range is always of the identity body.
	 */
	if (born != CODING_IDENTITY && zippable && !resp->static_body && !rp->ranges) {
		int state = build_compressed(rp, born, body, resp);
		atomic_store_explicit(&rp->rep[born].state, state, memory_order_release);
		if (state == REP_READY) {
			atomic_store_explicit(&rp->rep[CODING_IDENTITY].state, REP_UNTRIED,
			                      memory_order_relaxed);
			buf_free(&resp->body);
			return rp;
		}
	}
	if (!make_identity(rp, resp)) {
		reply_release(rp);
		return NULL;
	}
	return rp;
}

void reply_hold(struct reply *rp)
{
	atomic_fetch_add_explicit(&rp->refs, 1, memory_order_relaxed);
}

void reply_release(struct reply *rp)
{
	if (rp == NULL || atomic_fetch_sub_explicit(&rp->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* libmicrohttpd keeps its own references for connections still sending. */
	for (int c = 0; c < CODING__COUNT; c++) {
		if (rp->rep[c].full)
			MHD_destroy_response(rp->rep[c].full);
		if (rp->rep[c].not_modified)
			MHD_destroy_response(rp->rep[c].not_modified);
	}
	source_free(rp->source);
	free(rp);
}

size_t reply_bytes(const struct reply *rp)
{
	return atomic_load_explicit(&rp->bytes, memory_order_acquire);
}

bool reply_grown(struct reply *rp)
{
	/* A load first: the exchange writes, and every hit of a hot entry asks. */
	return atomic_load_explicit(&rp->grown, memory_order_relaxed) &&
	       atomic_exchange(&rp->grown, false);
}

/* ---- ranges and streamed bodies ------------------------------------------ */

/* Reads a decimal number of up to 18 digits at *p, moving past it; false if none. */
static bool range_number(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;
	while (**p >= '0' && **p <= '9') {
		if (++digits > 18)
			return false;
		v = v * 10 + (uint64_t)(**p - '0');
		(*p)++;
	}
	*out = v;
	return digits > 0;
}

/* One element of a Range's list: "first-last", "first-" or "-suffix". */
struct range_spec {
	uint64_t first, last;
	bool suffix;   /* "-suffix": the last bytes */
	bool has_last; /* a number after the '-' */
};

/*
 * Reads the element at *p, and the blanks after it: false when it is
 * malformed or is not followed by ',' or the end of the header.
 */
static bool range_element(const char **p, struct range_spec *r)
{
	r->first = r->last = 0;
	r->suffix = **p == '-';
	if (!r->suffix && !range_number(p, &r->first))
		return false;
	if (*(*p)++ != '-')
		return false;
	r->has_last = range_number(p, &r->last);
	if ((r->suffix && !r->has_last) || (r->has_last && !r->suffix && r->last < r->first))
		return false;
	*p += strspn(*p, " \t");
	return **p == ',' || **p == '\0';
}

/*
 * The bytes element r names in a body of size bytes: 1 with *from and *n
 * set, -1 when none of them is in the body (416) and *from, *n untouched.
 */
static int range_resolve(const struct range_spec *r, uint64_t size, uint64_t *from, uint64_t *n)
{
	if (r->suffix) {
		if (r->last == 0 || size == 0)
			return -1;
		*from = r->last < size ? size - r->last : 0;
		*n = size - *from;
		return 1;
	}
	if (r->first >= size)
		return -1;
	*from = r->first;
	*n = (r->has_last && r->last < size ? r->last + 1 : size) - r->first;
	return 1;
}

int http_range_parse(const char *h, uint64_t size, uint64_t *start, uint64_t *len)
{
	const char *p = h;
	p += strspn(p, " \t");
	if (strncasecmp(p, "bytes", 5) != 0)
		return 0;
	p += 5;
	p += strspn(p, " \t");
	if (*p++ != '=')
		return 0;
	int found = 0, result = 0;
	uint64_t from = 0, n = 0;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == ',') { /* an empty element of the list */
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		struct range_spec r;
		if (!range_element(&p, &r))
			return 0;
		if (++found > 1)
			return 0; /* several: the whole body */
		result = range_resolve(&r, size, &from, &n);
	}
	if (result == 1) {
		*start = from;
		*len = n;
	}
	return found ? result : 0;
}

/*
 * True unless an If-Range says the client's part is of another body: it
 * must be our strong ETag exactly, or our Last-Modified date exactly
 * (RFC 9110, 13.1.5).
 */
static bool if_range_holds(const struct reply *rp, struct request *req)
{
	const char *h = request_header(req, MHD_HTTP_HEADER_IF_RANGE);
	if (h == NULL)
		return true;
	h += strspn(h, " \t");
	size_t n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (h[0] == '"')
		return n == strlen(rp->etag) && strncmp(h, rp->etag, n) == 0;
	int64_t t;
	return h[0] != 'W' && rp->last_modified > 0 && date_parse_http(h, &t) == 0 &&
	       t == rp->last_modified;
}

/* One answer's reading of a streamed body. */
struct stream {
	struct reply *rp; /* held: its source lives as long as the answer */
	struct guard *guards;
	struct guard_conn *guard;
	uint64_t start, len; /* the part sent */
	void *reading;       /* the source's, opened at the first piece */
	bool opened;
};

/*
 * libmicrohttpd asks for the piece at pos (from the part's start) when
 * the client has taken the last one: read it, and give the client
 * --send-timeout more for the next.
 */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	const struct response_source *src = s->rp->source;
	if (pos >= s->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (!s->opened) {
		s->opened = true;
		s->reading = src->open(src->cls);
	}
	size_t n = s->len - pos < max ? (size_t)(s->len - pos) : max;
	if (s->reading == NULL || src->read(s->reading, s->start + pos, buf, n) < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (s->guards)
		guard_answering(s->guards, s->guard, guard_now_ms());
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	if (s->reading && s->rp->source->close)
		s->rp->source->close(s->reading);
	reply_release(s->rp);
	free(s);
}

/* libmicrohttpd's pieces of a streamed body: what it sends per read of the source. */
#define STREAM_BLOCK ((size_t)64 * 1024)

/* A buffer response of a part of an in-memory body, which keeps the reply alive. */
static void release_reply(void *cls)
{
	reply_release(cls);
}

/*
 * Queues the whole body or the part [start, start + len) of rp (206 when
 * partial), streamed or from memory, with rp's headers.
 */
static enum MHD_Result send_part(struct reply *rp, struct request *req, bool partial,
                                 uint64_t start, uint64_t len)
{
	struct MHD_Response *r;
	reply_hold(rp);
	if (rp->source) {
		struct stream *s = xcalloc(1, sizeof *s);
		s->rp = rp;
		s->guards = req->guards;
		s->guard = &req->guard;
		s->start = start;
		s->len = len;
		r = MHD_create_response_from_callback(len, STREAM_BLOCK, stream_read, s, stream_free);
		if (r == NULL)
			stream_free(s);
	} else {
		r = MHD_create_response_from_buffer_with_free_callback_cls(
		    (size_t)len,
		    (void *)((const char *)rp->rep[CODING_IDENTITY].body + start), release_reply, rp);
		if (r == NULL)
			reply_release(rp);
	}
	if (r == NULL)
		return MHD_NO;
	copy_headers(rp, r, rp->etag, false);
	unsigned status = rp->status;
	if (partial) {
		char range[80];
		snprintf(range, sizeof range, "bytes %llu-%llu/%llu", (unsigned long long)start,
		         (unsigned long long)(start + len - 1), (unsigned long long)rp->len);
		add_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, range);
		status = 206;
	}
	req->status = status;
	req->bytes = (size_t)len;
	enum MHD_Result ret = MHD_queue_response(req->conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* 416: the range lies past the end; Content-Range says how long the body is. */
static enum MHD_Result send_unsatisfiable(struct reply *rp, struct request *req)
{
	static const char text[] = "Range Not Satisfiable: the range lies past the end.\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    sizeof text - 1, (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	char range[48];
	snprintf(range, sizeof range, "bytes */%llu", (unsigned long long)rp->len);
	add_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, range);
	add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	add_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	add_header(r, "X-Content-Type-Options", "nosniff");
	req->status = 416;
	req->bytes = sizeof text - 1;
	enum MHD_Result ret = MHD_queue_response(req->conn, 416, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Whether the client's copy is current (a 304): its If-None-Match names
 * our ETag or, with none, its If-Modified-Since is no older than ours.
 */
static bool client_copy_current(const struct reply *rp, struct request *req)
{
	const char *inm = request_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims = request_header(req, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	int64_t since;
	if (inm)
		return http_etag_matches(inm, rp->etag);
	if (ims && rp->last_modified > 0 && date_parse_http(ims, &since) == 0)
		return rp->last_modified <= since;
	return false;
}

/*
 * Queues the identity body of a reply that kept only compressed ones
 * while another thread makes it again: decoded for this answer alone.
 */
static enum MHD_Result send_identity_once(struct reply *rp, struct request *req)
{
	unsigned char *body = decode_identity(rp);
	struct MHD_Response *r = body ? owned_response(body, rp->len) : NULL;
	if (r == NULL)
		return MHD_NO;
	copy_headers(rp, r, rp->etag, false);
	req->status = rp->status;
	req->bytes = rp->len;
	enum MHD_Result ret = MHD_queue_response(req->conn, rp->status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * The representation a client that accepts want[0..n) gets: the first
 * that pays, made now if it is the first to want it; else identity.
 */
static enum http_coding pick_coding(struct reply *rp, const enum http_coding *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (reply_make(rp, want[i]))
			return want[i];
	return CODING_IDENTITY;
}

/*
 * The same for a 304, among the representations already made: a body
 * that would not be sent is not made for it.
 */
static enum http_coding made_coding(const struct reply *rp, const enum http_coding *want,
                                    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (atomic_load_explicit(&rp->rep[want[i]].state, memory_order_acquire) == REP_READY)
			return want[i];
	return CODING_IDENTITY;
}

/*
 * The client's copy of representation c is current: say so, with no body.
 * libmicrohttpd 0.9.75 adds "Content-Length: 0" to a 304 (RFC 9110 8.6
 * would rather have none); setting our own only adds a second one.
 */
static enum MHD_Result send_not_modified(struct reply *rp, struct request *req,
                                         enum http_coding c)
{
	bool once;
	struct MHD_Response *nm = not_modified(rp, c, &once);
	if (nm == NULL)
		return MHD_NO;
	req->status = 304;
	req->bytes = 0;
	enum MHD_Result ret = MHD_queue_response(req->conn, 304, nm);
	if (once)
		MHD_destroy_response(nm);
	return ret;
}

enum MHD_Result reply_send(struct reply *rp, struct request *req)
{
	/* A range is of the identity body, and only a GET's (RFC 9110, 14.2). */
	const char *range = rp->ranges && req->method == METHOD_GET
	                        ? request_header(req, MHD_HTTP_HEADER_RANGE)
	                        : NULL;
	if (range && !if_range_holds(rp, req))
		range = NULL;
	/* A range, and a body read as it is sent, are of the identity body. */
	const enum http_coding *want = NULL;
	size_t n = range || rp->source ? 0 : request_codings(req, &want);
	if (rp->has_304 && req->method & (METHOD_GET | METHOD_HEAD) &&
	    client_copy_current(rp, req))
		return send_not_modified(rp, req, made_coding(rp, want, n));
	enum http_coding c = pick_coding(rp, want, n);
	const struct representation *r = &rp->rep[c];
	if (range || rp->source) {
		uint64_t start = 0, len = rp->len;
		int which = range ? http_range_parse(range, rp->len, &start, &len) : 0;
		if (which < 0)
			return send_unsatisfiable(rp, req);
		return send_part(rp, req, which > 0, start, len);
	}
	if (c == CODING_IDENTITY && !reply_make(rp, CODING_IDENTITY))
		return send_identity_once(rp, req);
	req->status = rp->status;
	req->bytes = r->len;
	return MHD_queue_response(req->conn, rp->status, r->full);
}
