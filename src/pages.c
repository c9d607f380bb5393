/*
 * pages.c: the HTML pages.  Each handler asks the store for the same data
 * the JSON API serves, adds what a reader needs to see it (dates in words,
 * pagination links, the page's title), and renders a template.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/app.h"
#include "gazette/date.h"
#include "gazette/escape.h"
#include "gazette/handlers.h"
#include "gazette/router.h"
#include "gazette/util.h"

#define PER_PAGE        20
#define LATEST_ON_ERROR 5

static unsigned page_count(unsigned total, unsigned per_page)
{
	unsigned pages = (total + per_page - 1) / per_page;
	return pages ? pages : 1;
}

/* Adds "published_human" (and "updated_human" when it differs) for the reader. */
static void decorate_article(json_t *a)
{
	const char *pub = json_string_value(json_object_get(a, "published_at"));
	const char *upd = json_string_value(json_object_get(a, "updated_at"));
	int64_t t;
	char human[48];
	if (pub && date_parse(pub, &t) == 0) {
		date_format_human(t, human);
		json_object_set_new(a, "published_human", json_string(human));
	}
	if (upd && pub && strcmp(upd, pub) != 0 && date_parse(upd, &t) == 0) {
		date_format_human(t, human);
		json_object_set_new(a, "updated_human", json_string(human));
	}
}

static void decorate_list(json_t *articles)
{
	size_t i;
	json_t *a;
	json_array_foreach(articles, i, a) decorate_article(a);
}

/* The path of the request below the public URL, without its query. */
static json_t *canonical_of_request(struct request *req)
{
	struct buf b = BUF_INIT;
	size_t n = strcspn(req->target, "?#");
	buf_printf(&b, "%s%.*s", req->app->public_url, (int)n, req->target);
	json_t *v = json_stringn(b.data, b.len);
	buf_free(&b);
	return v;
}

/*
 * The view model every page starts from: {"site": ..., "page": {"title",
 * "description", "canonical", "type"}}.
 */
static json_t *base_model(struct request *req, const char *title, const char *description,
                          json_t *canonical)
{
	json_t *site = req->worker->site;
	json_t *page = json_pack(
	    "{s:s, s:s, s:o, s:s}", "title", title, "description", description ? description : "",
	    "canonical", canonical ? canonical : canonical_of_request(req), "type", "website");
	return json_pack("{s:O, s:o}", "site", site, "page", page);
}

static const char *site_title(struct request *req)
{
	const char *t = json_string_value(json_object_get(req->worker->site, "title"));
	return t ? t : "gazette";
}

static const char *site_description(struct request *req)
{
	const char *d = json_string_value(json_object_get(req->worker->site, "description"));
	return d ? d : "";
}

static void render(struct request *req, struct response *resp, unsigned status,
                   const char *template, json_t *model)
{
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	resp->html = true;
	buf_reset(&resp->body);
	if (tmpl_render(req->app->templates, template, model, &resp->body) < 0) {
		log_msg(LOG_ERROR, "template '%s' is missing", template);
		response_text(resp, 500, "This page cannot be shown: its template is missing.\n");
	}
	json_decref(model);
}

/*
 * {"page", "pages", "total", "prev_url", "next_url"} for a list at prefix
 * ("/tags/x"; "" is the front page), or nothing when one page holds all.
 */
static json_t *pagination(struct request *req, const char *prefix, unsigned page, unsigned pages,
                          unsigned total)
{
	json_t *p = json_pack("{s:i, s:i, s:i}", "page", (int)page, "pages", (int)pages, "total",
	                      (int)total);
	const char *base = req->app->base_path;
	for (int dir = -1; dir <= 1; dir += 2) {
		unsigned target = page + (unsigned)dir;
		if (target < 1 || target > pages)
			continue;
		struct buf b = BUF_INIT;
		if (target == 1)
			buf_printf(&b, "%s%s", base, prefix[0] ? prefix : "/");
		else
			buf_printf(&b, "%s%s/page/%u", base, prefix, target);
		json_object_set_new(p, dir < 0 ? "prev_url" : "next_url",
		                    json_stringn(b.data, b.len));
		buf_free(&b);
	}
	json_object_set_new(p, "several", json_boolean(pages > 1));
	return p;
}

static void database_error(struct request *req, struct response *resp)
{
	router_error(req, resp, 500, "The database could not answer; please try again.");
}

void pages_home(struct request *req, struct response *resp)
{
	struct article_query q = {.order = ORDER_NEWEST,
	                          .limit = PER_PAGE,
	                          .page = (unsigned)req->p.page,
	                          .now = req->now};
	json_t *articles;
	unsigned total;
	if (store_list_articles(req->worker->store, &req->app->urls, &q, &articles, &total) < 0) {
		json_decref(articles);
		database_error(req, resp);
		return;
	}
	unsigned pages = page_count(total, PER_PAGE);
	if (q.page > pages) {
		json_decref(articles);
		router_error(req, resp, 404, "There is no such page of articles.");
		return;
	}
	decorate_list(articles);
	json_t *model = base_model(req, site_title(req), site_description(req), NULL);
	json_object_set_new(json_object_get(model, "page"), "is_home", json_boolean(q.page == 1));
	json_object_set_new(model, "articles", articles);
	json_object_set_new(model, "pagination", pagination(req, "", q.page, pages, total));
	render(req, resp, 200, "home", model);
}

static void show_article(struct request *req, struct response *resp, enum article_kind kind)
{
	json_t *a;
	int found =
	    store_get_article(req->worker->store, &req->app->urls, kind, req->p.slug, req->now, &a);
	if (found < 0) {
		database_error(req, resp);
		return;
	}
	if (found == 0) {
		router_error(req, resp, 404,
		             kind == ARTICLE_PAGE ? "There is no page at this address."
		                                  : "There is no article at this address.");
		return;
	}
	decorate_article(a);
	json_t *canonical = kind == ARTICLE_POST ? json_incref(json_object_get(a, "url")) : NULL;
	json_t *model = base_model(req, json_string_value(json_object_get(a, "title")),
	                           json_string_value(json_object_get(a, "summary")), canonical);
	json_object_set_new(json_object_get(model, "page"), "type",
	                    json_string(kind == ARTICLE_POST ? "article" : "website"));
	json_object_set_new(model, "article", a);
	render(req, resp, 200, kind == ARTICLE_POST ? "article" : "page", model);
}

void pages_article(struct request *req, struct response *resp)
{
	show_article(req, resp, ARTICLE_POST);
}

void pages_standalone(struct request *req, struct response *resp)
{
	show_article(req, resp, ARTICLE_PAGE);
}

/* A tag's or an author's page: who or what, then their articles. */
static void show_list(struct request *req, struct response *resp, bool is_tag)
{
	json_t *who;
	int found =
	    is_tag ? store_get_tag(req->worker->store, &req->app->urls, req->p.slug, req->now, &who)
	           : store_get_author(req->worker->store, &req->app->urls, req->p.slug, req->now,
	                              &who);
	if (found < 0) {
		database_error(req, resp);
		return;
	}
	if (found == 0 || json_integer_value(json_object_get(who, "count")) == 0) {
		json_decref(who);
		router_error(req, resp, 404,
		             is_tag ? "There is no tag of this name." : "There is no such author.");
		return;
	}

	struct article_query q = {.tag = is_tag ? req->p.slug : NULL,
	                          .author = is_tag ? NULL : req->p.slug,
	                          .order = ORDER_NEWEST,
	                          .limit = PER_PAGE,
	                          .page = (unsigned)req->p.page,
	                          .now = req->now};
	json_t *articles;
	unsigned total;
	if (store_list_articles(req->worker->store, &req->app->urls, &q, &articles, &total) < 0) {
		json_decref(articles);
		json_decref(who);
		database_error(req, resp);
		return;
	}
	unsigned pages = page_count(total, PER_PAGE);
	if (q.page > pages) {
		json_decref(articles);
		json_decref(who);
		router_error(req, resp, 404, "There is no such page of articles.");
		return;
	}
	decorate_list(articles);

	const char *name = json_string_value(json_object_get(who, "name"));
	struct buf title = BUF_INIT, prefix = BUF_INIT;
	buf_printf(&title, is_tag ? "Tagged “%s”" : "Articles by %s", name);
	buf_puts(&prefix, is_tag ? "/tags/" : "/authors/");
	escape_url_segment(&prefix, req->p.slug, strlen(req->p.slug));

	json_t *model = base_model(req, title.data, "", NULL);
	json_object_set_new(model, is_tag ? "tag" : "author", who);
	json_object_set_new(model, "articles", articles);
	json_object_set_new(model, "pagination",
	                    pagination(req, prefix.data, q.page, pages, total));
	buf_free(&title);
	buf_free(&prefix);
	render(req, resp, 200, "list", model);
}

void pages_tag(struct request *req, struct response *resp)
{
	show_list(req, resp, true);
}

void pages_author(struct request *req, struct response *resp)
{
	show_list(req, resp, false);
}

void pages_search(struct request *req, struct response *resp)
{
	const char *words = req->p.q;
	json_t *model = base_model(req, words ? "Search results" : "Search", "", NULL);
	json_t *search = json_pack("{s:s}", "query", words ? words : "");
	json_object_set_new(model, "search", search);
	if (words == NULL) {
		render(req, resp, 200, "search", model);
		return;
	}

	struct article_query q = {.q = words,
	                          .order = ORDER_RELEVANCE,
	                          .limit = PER_PAGE,
	                          .page = (unsigned)req->p.page,
	                          .now = req->now};
	json_t *articles;
	unsigned total;
	if (store_list_articles(req->worker->store, &req->app->urls, &q, &articles, &total) < 0) {
		json_decref(articles);
		json_decref(model);
		database_error(req, resp);
		return;
	}
	decorate_list(articles);
	unsigned pages = page_count(total, PER_PAGE);

	/* Pagination keeps the words: /search?q=...&page=N. */
	struct buf prefix = BUF_INIT;
	json_t *pg = json_pack("{s:i, s:i, s:i, s:b}", "page", (int)q.page, "pages", (int)pages,
	                       "total", (int)total, "several", pages > 1);
	for (int dir = -1; dir <= 1; dir += 2) {
		unsigned target = q.page + (unsigned)dir;
		if (target < 1 || target > pages)
			continue;
		buf_reset(&prefix);
		buf_printf(&prefix, "%s/search?q=", req->app->base_path);
		escape_url_query(&prefix, words, strlen(words));
		if (target > 1)
			buf_printf(&prefix, "&page=%u", target);
		json_object_set_new(pg, dir < 0 ? "prev_url" : "next_url",
		                    json_stringn(prefix.data, prefix.len));
	}
	buf_free(&prefix);

	json_object_set_new(search, "total", json_integer(total));
	json_object_set_new(search, "one", json_boolean(total == 1));
	json_object_set_new(model, "articles", articles);
	json_object_set_new(model, "pagination", pg);
	render(req, resp, 200, "search", model);
}

void pages_error(struct request *req, struct response *resp, unsigned status, const char *detail)
{
	if (req->worker == NULL || req->worker->site == NULL) {
		/* No database, so no site to draw: say it plainly. */
		char text[512];
		snprintf(text, sizeof text, "%u %s\n\n%s\n", status, http_status_text(status),
		         detail);
		response_text(resp, status, text);
		return;
	}
	json_t *model = base_model(req, http_status_text(status), "", NULL);
	json_object_set_new(model, "error",
	                    json_pack("{s:i, s:s, s:s, s:b}", "status", (int)status, "title",
	                              http_status_text(status), "message", detail, "not_found",
	                              status == 404));

	/* A reader who got lost is shown the way back: the latest articles. */
	struct article_query q = {
	    .order = ORDER_NEWEST, .limit = LATEST_ON_ERROR, .page = 1, .now = req->now};
	json_t *latest;
	unsigned total;
	if (status == 404 &&
	    store_list_articles(req->worker->store, &req->app->urls, &q, &latest, &total) == 0) {
		decorate_list(latest);
		json_object_set_new(model, "articles", latest);
	} else if (status == 404) {
		json_decref(latest);
	}
	render(req, resp, status, "error", model);
}
