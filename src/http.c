/*
 * http.c: responses, and the HTTP that goes around every one of them:
 * validators (ETag, Last-Modified), 304, gzip, caching and safety headers.
 */
#include "gazette/http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "gazette/date.h"
#include "gazette/log.h"
#include "gazette/util.h"

/* Below this, gzip's header and the CPU cost outweigh what it saves. */
#define GZIP_MIN_BYTES 1024

/* Pages link only to the site's own styles and images; no scripts at all. */
static const char csp[] =
    "default-src 'none'; style-src 'self'; img-src 'self' https: http: data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

void response_init(struct response *resp)
{
	memset(resp, 0, sizeof *resp);
	resp->status = 200;
}

void response_free(struct response *resp)
{
	buf_free(&resp->body);
	for (size_t i = 0; i < resp->nheaders; i++)
		free(resp->headers[i].value);
	resp->nheaders = 0;
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
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
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
static bool etag_matches(const char *list, const char *etag)
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

/* gzip of in[0..n) into out; false if it would not be smaller. */
static bool gzip_body(const void *in, size_t n, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	size_t bound = deflateBound(&z, (uLong)n);
	buf_reserve(out, bound);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END && out->len < n;
}

static void add_header(struct MHD_Response *r, const char *name, const char *value)
{
	if (value && MHD_add_response_header(r, name, value) != MHD_YES)
		log_msg(LOG_ERROR, "cannot add the header %s", name);
}

struct MHD_Response *http_finish(struct request *req, struct response *resp, unsigned *status)
{
	const unsigned char *body =
	    resp->static_body ? resp->static_body : (const unsigned char *)resp->body.data;
	size_t len = resp->static_body ? resp->static_len : resp->body.len;
	bool ok = resp->status >= 200 && resp->status < 300;
	bool zippable = compressible(resp->content_type);
	bool gzip = zippable && len >= GZIP_MIN_BYTES &&
	            accepts_gzip(request_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	char etag[48], lastmod[40];
	const char *cache = resp->cache_control;

	if (cache == NULL)
		cache =
		    ok || resp->status == 301 ? "public, max-age=60, must-revalidate" : "no-store";
	if (resp->etag)
		snprintf(etag, sizeof etag, "%s", resp->etag);
	else
		snprintf(etag, sizeof etag, "\"%016llx\"",
		         (unsigned long long)hash_bytes(GZ_HASH_INIT,
		                                        body ? body : (const void *)"", len));
	if (gzip) {
		/* Another representation, another strong validator. */
		size_t n = strlen(etag);
		snprintf(etag + n - 1, sizeof etag - (n - 1), "-gz\"");
	}
	lastmod[0] = '\0';
	if (resp->last_modified > 0)
		date_format_http(resp->last_modified, lastmod);

	/* The client's copy is current: say so, with no body. */
	bool not_modified = false;
	if (ok && req->method & (METHOD_GET | METHOD_HEAD)) {
		const char *inm = request_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
		const char *ims = request_header(req, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
		int64_t since;
		if (inm)
			not_modified = etag_matches(inm, etag);
		else if (ims && resp->last_modified > 0 && date_parse_http(ims, &since) == 0)
			not_modified = resp->last_modified <= since;
	}

	struct MHD_Response *r;
	struct buf zipped = BUF_INIT;
	if (not_modified) {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		/*
		 * libmicrohttpd 0.9.75 adds "Content-Length: 0" here (RFC 9110 8.6
		 * would rather have none); setting our own only adds a second one.
		 */
		*status = 304;
	} else if (gzip && gzip_body(body, len, &zipped)) {
		size_t zlen;
		char *z = buf_detach(&zipped, &zlen);
		r = MHD_create_response_from_buffer_with_free_callback(zlen, z, free);
		if (r == NULL)
			free(z);
		*status = resp->status;
	} else {
		buf_free(&zipped);
		if (gzip) {
			/* It did not pay: send the plain body, with its own tag. */
			size_t n = strlen(etag);
			gzip = false;
			etag[n - 4] = '"';
			etag[n - 3] = '\0';
		}
		if (resp->static_body) {
			r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
			                                    MHD_RESPMEM_PERSISTENT);
		} else {
			size_t blen;
			char *b = buf_detach(&resp->body, &blen);
			r = MHD_create_response_from_buffer_with_free_callback(blen, b, free);
			if (r == NULL)
				free(b);
		}
		*status = resp->status;
	}
	if (r == NULL)
		return NULL;
	req->bytes = not_modified ? 0 : len;

	if (!not_modified)
		add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	add_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if (lastmod[0])
		add_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	if (zippable)
		add_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (gzip && !not_modified)
		add_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	for (size_t i = 0; i < resp->nheaders; i++)
		add_header(r, resp->headers[i].name, resp->headers[i].value);
	add_header(r, "X-Content-Type-Options", "nosniff");
	if (resp->html) {
		add_header(r, "Content-Security-Policy", csp);
		add_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
		add_header(r, "X-Frame-Options", "DENY");
	}
	return r;
}
