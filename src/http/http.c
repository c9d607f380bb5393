/*
 * http.c: responses, and the HTTP that goes around every one of them:
 * validators (ETag, Last-Modified), 304, gzip, caching and safety headers.
 */
#include "gazette/http/http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>
#include <zlib.h>

#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/base/log.h"
#include "gazette/base/util.h"

/* Below this, gzip's header and the CPU cost outweigh what it saves. */
#define GZIP_MIN_BYTES 1024

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
	size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
	buf_reserve(&resp->body, n);
	resp->body.len = json_dumpb(v, resp->body.data, n, JSON_COMPACT);
	resp->body.data[resp->body.len] = '\0';
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

/* The q of one media range's parameters, s[0..n) after its ';'; 1000 if it has none, -1 if bad. */
static int range_q(const char *s, size_t n)
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
	for (const char *p = accept; p && *p;) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, ",");
		size_t type = strcspn(p, ";, \t");
		const char *semi = memchr(p, ';', n);
		int q = semi ? range_q(semi + 1, n - (size_t)(semi + 1 - p)) : 1000;
		if (q >= 0 && type > 0) {
			weigh(&html, range_names(p, type, html_types, "text"), q);
			weigh(&json, range_names(p, type, json_types, "application"), q);
		}
		p += n;
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

/*
 * True if Accept-Encoding allows gzip: "gzip" with a q-value above zero, or
 * failing any mention of gzip, "*" with one.  "gzip;q=0, *" is a no.
 */
static bool accepts_gzip(const char *ae)
{
	int gzip = -1, star = -1; /* -1: not named; else whether q > 0 */
	const char *p = ae;
	while (p && *p) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, ",");
		size_t tok = strcspn(p, ";, \t");
		double q = 1.0;
		const char *semi = memchr(p, ';', n);
		if (semi) {
			const char *qp = strstr(semi, "q=");
			if (qp && qp < p + n)
				q = strtod(qp + 2, NULL);
		}
		if (tok == 4 && strncasecmp(p, "gzip", 4) == 0)
			gzip = q > 0;
		else if (tok == 1 && p[0] == '*')
			star = q > 0;
		p += n;
	}
	return gzip >= 0 ? gzip : star > 0;
}

/*
 * True if an If-None-Match list holds our tag (weak comparison, as RFC
 * 9110 asks for If-None-Match; "-gz" marks the gzip representation of the
 * same content).
 */
bool http_etag_matches(const char *list, const char *etag)
{
	/* Our tag without quotes and without the gzip mark. */
	const char *tag = etag + 1;
	size_t taglen = strlen(tag) - 1;
	if (taglen >= 3 && strncmp(tag + taglen - 3, "-gz", 3) == 0)
		taglen -= 3;

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
		size_t base = n >= 3 && strncmp(p + n - 3, "-gz", 3) == 0 ? n - 3 : n;
		if (base == taglen && strncmp(p, tag, taglen) == 0)
			return true;
		p += n;
		if (*p == '"')
			p++;
	}
	return false;
}

/* gzip of in[0..n) into a malloc'd buffer; NULL if it would not be half as big. */
static unsigned char *gzip_body(const void *in, size_t n, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t bound = deflateBound(&z, (uLong)n);
	unsigned char *out = xmalloc(bound);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	/* Kept only when it saves half: less is not worth a second copy in the cache. */
	if (rc != Z_STREAM_END || *outlen > n / 2) {
		free(out);
		return NULL;
	}
	return out;
}

static void add_header(struct MHD_Response *r, const char *name, const char *value)
{
	if (value && MHD_add_response_header(r, name, value) != MHD_YES)
		log_msg(LOG_ERROR, "cannot add the header %s", name);
}

/* libmicrohttpd frees a body it was given this way once no connection sends it. */
static void free_body(void *body)
{
	free(body);
}

enum gz_state {
	GZ_UNTRIED,  /* worth trying when a client asks */
	GZ_BUILDING, /* one thread is compressing; others send identity meanwhile */
	GZ_READY,    /* gz and gz_304 are there */
	GZ_NONE,     /* not compressible, too small, or it did not pay */
};

/* Cache-Control: the handler's, else a minute for what went well (and 301s), none for errors. */
static const char *cache_control(const struct response *resp)
{
	bool ok = resp->status >= 200 && resp->status < 300;
	if (resp->cache_control)
		return resp->cache_control;
	return ok || resp->status == 301 ? "public, max-age=60, must-revalidate" : "no-store";
}

/*
 * The headers of an answer: the validators and caching headers, which a
 * 304 carries as its 200 does (RFC 9110 15.4.5), the handler's own and
 * the security headers; the 200 (not is_304) adds its Content-Type.
 */
static void add_headers(struct MHD_Response *r, const struct response *resp,
                        const struct reply *rp, bool is_304)
{
	char lastmod[40] = "";
	if (resp->last_modified > 0)
		date_format_http(resp->last_modified, lastmod);
	if (!is_304)
		add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	if (rp->ranges)
		add_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	add_header(r, MHD_HTTP_HEADER_ETAG, rp->etag);
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

/*
 * The identity answer (its body the static one, or the response's buffer,
 * which it takes over) and, for a 2xx, the empty 304.  False if
 * libmicrohttpd could not make them.
 */
static bool make_plain(struct reply *rp, struct response *resp, bool ok)
{
	if (resp->source) {
		/* Read as it is sent (reply_send()): plain carries the headers only. */
		rp->source = resp->source;
		resp->source = NULL;
		rp->len = (size_t)rp->source->size;
		rp->body = NULL;
		atomic_store(&rp->gz_state, GZ_NONE);
		rp->plain = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else if (resp->static_body) {
		rp->body = resp->static_body;
		rp->plain = MHD_create_response_from_buffer(
		    rp->len, (void *)(uintptr_t)resp->static_body, MHD_RESPMEM_PERSISTENT);
	} else {
		char *owned = buf_detach(&resp->body, NULL);
		rp->body = owned;
		rp->plain = MHD_create_response_from_buffer_with_free_callback_cls(
		    rp->len, owned, free_body, owned);
		if (rp->plain == NULL)
			free(owned);
	}
	if (ok)
		rp->plain_304 =
		    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	return rp->plain != NULL && (!ok || rp->plain_304 != NULL);
}

struct reply *reply_new(struct response *resp)
{
	struct reply *rp = xcalloc(1, sizeof *rp);
	const unsigned char *body =
	    resp->static_body ? resp->static_body : (const unsigned char *)resp->body.data;
	size_t len = resp->static_body ? resp->static_len : resp->body.len;
	bool ok = resp->status >= 200 && resp->status < 300;
	bool zippable = compressible(resp->content_type);

	atomic_init(&rp->refs, 1);
	rp->status = resp->status;
	rp->len = len;
	rp->last_modified = resp->last_modified;
	atomic_init(&rp->gz_state, zippable && ok && len >= GZIP_MIN_BYTES ? GZ_UNTRIED : GZ_NONE);
	atomic_init(&rp->gz_uncharged, false);
	if (resp->etag)
		snprintf(rp->etag, sizeof rp->etag, "%s", resp->etag);
	else
		http_etag(body, len, rp->etag);

	rp->ranges = resp->ranges && ok;
	if (!make_plain(rp, resp, ok)) {
		reply_release(rp);
		return NULL;
	}
	add_headers(rp->plain, resp, rp, false);
	if (rp->plain_304)
		add_headers(rp->plain_304, resp, rp, true);
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
	if (rp->plain)
		MHD_destroy_response(rp->plain);
	if (rp->plain_304)
		MHD_destroy_response(rp->plain_304);
	if (rp->gz)
		MHD_destroy_response(rp->gz);
	if (rp->gz_304)
		MHD_destroy_response(rp->gz_304);
	source_free(rp->source);
	free(rp);
}

/* Copies every header of the identity answer to a gzip one, but its ETag. */
struct copy_ctx {
	struct MHD_Response *to;
	const char *etag;
};

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct copy_ctx *c = cls;
	add_header(c->to, key, strcasecmp(key, MHD_HTTP_HEADER_ETAG) == 0 ? c->etag : value);
	return MHD_YES;
}

/* Compresses the body and builds the gzip answers; GZ_READY or GZ_NONE. */
static int build_gzip(struct reply *rp)
{
	size_t zlen;
	unsigned char *z = gzip_body(rp->body, rp->len, &zlen);
	if (z == NULL)
		return GZ_NONE;

	/* Another representation, another strong validator: the tag plus "-gz". */
	char etag[48];
	snprintf(etag, sizeof etag, "%.*s-gz\"", (int)strlen(rp->etag) - 1, rp->etag);
	struct MHD_Response *gz =
	    MHD_create_response_from_buffer_with_free_callback_cls(zlen, z, free_body, z);
	struct MHD_Response *gz_304 =
	    rp->plain_304 ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
	                  : NULL;
	if (gz == NULL || (rp->plain_304 && gz_304 == NULL)) {
		if (gz)
			MHD_destroy_response(gz);
		else
			free(z);
		if (gz_304)
			MHD_destroy_response(gz_304);
		return GZ_NONE;
	}
	struct copy_ctx c = {gz, etag};
	MHD_get_response_headers(rp->plain, copy_header, &c);
	add_header(gz, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (gz_304) {
		c.to = gz_304;
		MHD_get_response_headers(rp->plain_304, copy_header, &c);
	}
	rp->gz = gz;
	rp->gz_304 = gz_304;
	rp->gzlen = zlen;
	return GZ_READY;
}

size_t reply_gzip_built(struct reply *rp)
{
	/*
	 * A load first: the exchange writes, and every hit of a hot entry
	 * asks.  The exchange acquires what the builder's store released:
	 * gzlen, written before it.
	 */
	if (!atomic_load_explicit(&rp->gz_uncharged, memory_order_relaxed) ||
	    !atomic_exchange(&rp->gz_uncharged, false))
		return 0;
	return rp->gzlen;
}

/* True if the gzip answer should go to req (building it the first time). */
static bool use_gzip(struct reply *rp, struct request *req)
{
	int state = atomic_load_explicit(&rp->gz_state, memory_order_acquire);
	if (state == GZ_NONE || state == GZ_BUILDING)
		return false;
	if (!accepts_gzip(request_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING)))
		return false;
	if (state == GZ_UNTRIED) {
		int expected = GZ_UNTRIED;
		if (!atomic_compare_exchange_strong(&rp->gz_state, &expected, GZ_BUILDING))
			return false; /* another thread builds it: identity will do meanwhile */
		state = build_gzip(rp);
		if (state == GZ_READY)
			atomic_store_explicit(&rp->gz_uncharged, true, memory_order_release);
		atomic_store_explicit(&rp->gz_state, state, memory_order_release);
	}
	return state == GZ_READY;
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
		    (size_t)len, (void *)((const char *)rp->body + start), release_reply, rp);
		if (r == NULL)
			reply_release(rp);
	}
	if (r == NULL)
		return MHD_NO;
	struct copy_ctx c = {r, rp->etag};
	MHD_get_response_headers(rp->plain, copy_header, &c);
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

enum MHD_Result reply_send(struct reply *rp, struct request *req)
{
	/* A range is of the identity body, and only a GET's (RFC 9110, 14.2). */
	const char *range = rp->ranges && req->method == METHOD_GET
	                        ? request_header(req, MHD_HTTP_HEADER_RANGE)
	                        : NULL;
	if (range && !if_range_holds(rp, req))
		range = NULL;
	bool gzip = range == NULL && rp->source == NULL && use_gzip(rp, req);
	struct MHD_Response *r = gzip ? rp->gz : rp->plain;
	unsigned status = rp->status;

	/* The client's copy is current: say so, with no body. */
	if (rp->plain_304 && req->method & (METHOD_GET | METHOD_HEAD) &&
	    client_copy_current(rp, req)) {
		/*
		 * libmicrohttpd 0.9.75 adds "Content-Length: 0" to a 304 (RFC
		 * 9110 8.6 would rather have none); setting our own only adds a
		 * second one.
		 */
		r = gzip ? rp->gz_304 : rp->plain_304;
		status = 304;
	}
	if (status != 304 && (range || rp->source)) {
		uint64_t start = 0, len = rp->len;
		int which = range ? http_range_parse(range, rp->len, &start, &len) : 0;
		if (which < 0)
			return send_unsatisfiable(rp, req);
		return send_part(rp, req, which > 0, start, len);
	}
	req->status = status;
	req->bytes = status == 304 ? 0 : gzip ? rp->gzlen : rp->len;
	return MHD_queue_response(req->conn, status, r);
}
