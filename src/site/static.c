/*
 * static.c: /static/NAME, from the files built into the binary or a theme.
 *
 * Names are looked up in a table, never joined onto a filesystem path, so
 * there is nothing to traverse.  A fingerprinted name (css/site.1a2b3c4d.css)
 * changes with the content and is cached forever.
 */
#include <string.h>

#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "handlers.h"
#include "gazette/site/router.h"

/* Answers with the file called key (a name relative to static/). */
static void serve_file(struct request *req, struct response *resp, const char *key)
{
	bool immutable;

	/* Templates and the sample site are built in, but not published. */
	if (strncmp(key, "templates/", 10) == 0 || strncmp(key, "samples/", 8) == 0) {
		errors_answer(req, resp, 404, "There is no such file.");
		return;
	}
	const struct app_file *f = app_find_file(req->app, key, &immutable);
	if (f == NULL) {
		errors_answer(req, resp, 404, "There is no such file.");
		return;
	}
	resp->status = 200;
	resp->content_type = f->mime;
	resp->static_body = f->data;
	resp->static_len = f->len;
	resp->etag = f->etag;
	resp->last_modified = f->owned ? f->mtime : req->app->built;
	resp->cache_control =
	    immutable ? "public, max-age=31536000, immutable" : "public, max-age=3600";
}

void static_file(struct request *req, struct response *resp)
{
	serve_file(req, resp, req->p.rest);
}

void static_favicon(struct request *req, struct response *resp)
{
	serve_file(req, resp, "icons/favicon.ico");
}
