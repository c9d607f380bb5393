/*
 * cors.c: cross-origin requests to the API.  Anyone's pages may read the
 * public API (Access-Control-Allow-Origin: *); only the origin named by
 * --cors-origin may write, and its preflight says so.
 */
#include <string.h>

#include "gazette/site/app.h"
#include "cors.h"

#define READ_METHODS (METHOD_GET | METHOD_HEAD | METHOD_OPTIONS)

/* The write origin, if this request comes from it. */
static const char *write_origin(const struct request *req)
{
	const char *origin = request_header((struct request *)req, "Origin");
	const char *allowed = req->app->cors_origin;
	return origin && allowed && strcmp(origin, allowed) == 0 ? allowed : NULL;
}

void cors_headers(struct request *req, struct response *resp)
{
	if (req->method == METHOD_OPTIONS)
		return; /* cors_preflight() said it all */
	const char *origin;
	if (req->method & (METHOD_GET | METHOD_HEAD)) {
		response_header(resp, "Access-Control-Allow-Origin", "*");
		response_header(resp, "Access-Control-Expose-Headers", "ETag, Link, Location");
	} else if ((origin = write_origin(req)) != NULL) {
		response_header(resp, "Access-Control-Allow-Origin", "%s", origin);
		response_header(resp, "Access-Control-Expose-Headers", "ETag, Link, Location");
		response_header(resp, "Vary", "Origin");
	}
}

void cors_preflight(struct request *req, struct response *resp)
{
	char allow[80];
	http_methods_text(req->allowed, allow, sizeof allow);
	response_header(resp, "Allow", "%s", allow);
	resp->status = 204;
	resp->cache_control = "no-store";
	buf_reset(&resp->body);

	const char *asked = request_header(req, "Access-Control-Request-Method");
	if (request_header(req, "Origin") == NULL || asked == NULL)
		return; /* a plain OPTIONS: Allow is the answer */
	enum http_method m = http_method_parse(asked);
	const char *origin = write_origin(req);
	if (m & READ_METHODS & req->allowed) {
		response_header(resp, "Access-Control-Allow-Origin", "*");
		http_methods_text(req->allowed & READ_METHODS, allow, sizeof allow);
	} else if ((m & req->allowed) && origin) {
		response_header(resp, "Access-Control-Allow-Origin", "%s", origin);
		response_header(resp, "Vary", "Origin");
	} else {
		return; /* no CORS headers: the browser will not send it */
	}
	response_header(resp, "Access-Control-Allow-Methods", "%s", allow);
	response_header(resp, "Access-Control-Allow-Headers",
	                "Authorization, Content-Type, If-Match, If-None-Match");
	response_header(resp, "Access-Control-Max-Age", "600");
}
