/*
 * errors.c: every error answer, in the form its route calls for: an HTML
 * page with the site's look (and, for a reader who got lost, the way back)
 * or RFC 9457 problem+json for the API.  Handlers, the router and the
 * server all answer errors here.
 */
#include "gazette/site/errors.h"

#include <stdio.h>
#include <string.h>

#include "gazette/base/log.h"
#include "gazette/site/app.h"
#include "view.h"

/* How many of the latest articles a 404 page shows. */
#define LATEST_ON_ERROR 5

/* An HTML error page with status and a message for the reader. */
static void error_page(struct request *req, struct response *resp, unsigned status,
                       const char *detail)
{
	if (req->worker == NULL || req->worker->site == NULL) {
		/* No database, so no site to draw: say it plainly. */
		char text[512];
		snprintf(text, sizeof text, "%u %s\n\n%s\n", status, http_status_text(status),
		         detail);
		response_text(resp, status, text);
		return;
	}
	json_t *model = view_base_model(req, http_status_text(status), "", NULL);
	if (model == NULL) {
		view_render(req, resp, status, "error", NULL);
		return;
	}
	json_object_set_new(model, "error",
	                    json_pack("{s:i, s:s, s:s, s:b}", "status", (int)status, "title",
	                              http_status_text(status), "message", detail, "not_found",
	                              status == 404));
	view_set_page(model, "noindex", json_true());

	/* A reader who got lost is shown the way back: the latest articles. */
	struct article_query q = {
	    .order = ORDER_NEWEST, .limit = LATEST_ON_ERROR, .page = 1, .now = req->now};
	json_t *latest;
	unsigned total;
	if (status == 404) {
		if (store_list_articles(req->worker->store, &req->worker->urls, &q, &latest,
		                        &total) == 0) {
			view_decorate_list(req, latest);
			json_object_set_new(model, "articles", latest);
		} else {
			json_decref(latest);
		}
	}
	view_render(req, resp, status, "error", model);
}

void errors_answer(struct request *req, struct response *resp, unsigned status, const char *detail)
{
	if (req->api)
		response_problem(resp, status, detail);
	else
		error_page(req, resp, status, detail);
}

void errors_guess_form(struct request *req)
{
	const char *t = req->target.data;
	req->api = strncmp(t, "/api/", 5) == 0 || strcmp(t, "/api") == 0;
}

void errors_reject(struct request *req, struct response *resp, unsigned status, const char *detail)
{
	errors_guess_form(req);
	errors_answer(req, resp, status, detail);
}

void errors_database(struct request *req, struct response *resp)
{
	/* The store does not log: every failed query of a request is logged here, once. */
	log_msg(LOG_ERROR, "%s %s: database: %s", req->method_name, req->target.data,
	        req->worker && req->worker->store ? store_errmsg(req->worker->store) : "not open");
	errors_answer(req, resp, 500, "The database could not answer; please try again.");
}
