/*
 * pages.c: the HTML pages.  Each handler asks the store for the same data
 * the JSON API serves, adds what a reader needs to see it (dates in words,
 * link paths, pagination, the page's title), and renders a template.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "handlers.h"
#include "view.h"
#include "gazette/site/router.h"
#include "gazette/base/util.h"

#define PER_PAGE 20

/* Appends the link to page n of a list: prefix + "/page/N", or /search?q=...&page=N. */
static void list_link(struct request *req, const char *prefix, const char *words, unsigned n,
                      struct buf *out)
{
	buf_puts(out, req->worker->base_path);
	if (words) {
		buf_puts(out, "/search?q=");
		escape_url_query(out, words, strlen(words));
		if (n > 1)
			buf_printf(out, "&page=%u", n);
	} else if (n > 1) {
		buf_printf(out, "%s/page/%u", prefix, n);
	} else {
		buf_puts(out, prefix[0] ? prefix : "/");
	}
}

json_t *pages_pagination(struct request *req, const char *prefix, const char *words,
                         unsigned page, unsigned pages, unsigned total)
{
	json_t *p = json_pack("{s:i, s:i, s:i, s:b}", "page", (int)page, "pages", (int)pages,
	                      "total", (int)total, "several", pages > 1);
	for (int dir = -1; dir <= 1; dir += 2) {
		unsigned target = page + (unsigned)dir;
		if (target < 1 || target > pages)
			continue;
		struct buf b = BUF_INIT;
		list_link(req, prefix, words, target, &b);
		json_object_set_new(p, dir < 0 ? "prev_url" : "next_url", view_string(&b));
		buf_free(&b);
	}
	return p;
}

int pages_list_or_answer(struct request *req, struct response *resp,
                         const struct article_query *q, json_t **articles, unsigned *total,
                         unsigned *pages)
{
	if (store_list_articles(req->worker->store, &req->worker->urls, q, articles, total) < 0) {
		json_decref(*articles);
		errors_database(req, resp);
		return -1;
	}
	*pages = article_pages(*total, q->limit);
	if (q->page > *pages) {
		json_decref(*articles);
		errors_answer(req, resp, 404, "There is no such page of articles.");
		return -1;
	}
	view_decorate_list(req, *articles);
	return 0;
}

void pages_home(struct request *req, struct response *resp)
{
	/* WordPress's "/?p=123": the post's old address, if an import kept it. */
	if (req->p.post) {
		char address[40];
		snprintf(address, sizeof address, "/?p=%lu", req->p.post);
		if (files_old_address(req, resp, address))
			return;
	}
	struct article_query q = {.order = ORDER_NEWEST,
	                          .limit = PER_PAGE,
	                          .page = (unsigned)req->p.page,
	                          .now = req->now};
	json_t *articles;
	unsigned total, pages;
	if (pages_list_or_answer(req, resp, &q, &articles, &total, &pages) < 0)
		return;

	char title[64];
	snprintf(title, sizeof title, "Articles, page %u", q.page);
	/* Every page has a description: search engines show it under the title. */
	struct buf description = BUF_INIT;
	if (view_site_field(req, "description")[0])
		buf_puts(&description, view_site_field(req, "description"));
	else
		buf_printf(&description, "The latest articles of %s.", view_site_field(req, "title"));
	json_t *model = view_base_model(req, q.page == 1 ? view_site_field(req, "title") : title,
	                           description.data, view_canonical_url(req));
	buf_free(&description);
	if (model) {
		view_set_page(model, "is_home", json_boolean(q.page == 1));
		json_object_set_new(model, "articles", articles);
		json_object_set_new(model, "pagination",
		                    pages_pagination(req, "", NULL, q.page, pages, total));
	} else {
		json_decref(articles);
	}
	view_render(req, resp, 200, "home", model);
}

/* How many related articles an article's page shows. */
#define RELATED_SHOWN 3

/* A brief article (a neighbour, a related one) as a page shows it: its path and date in words. */
static json_t *decorated(struct request *req, json_t *a)
{
	if (a)
		view_decorate_article(req, a);
	return a;
}

/*
 * Where a reader goes from an article: "neighbours" {"older", "newer"}
 * (the articles either side of it, each absent at an end; no neighbours
 * when it is the only one) and "related" (those sharing its tags).  NULL
 * on a database error.
 */
static json_t *article_ways(struct request *req, const char *slug)
{
	json_t *older, *newer, *related;
	/* The related articles leave out the neighbours, which are linked already. */
	if (store_article_ways(req->worker->store, &req->worker->urls, slug, req->now, RELATED_SHOWN,
	                       &older, &newer, &related) < 0)
		return NULL;
	view_decorate_list(req, related);
	json_t *ways = json_pack("{s:o}", "related", related);
	if (older || newer) {
		json_t *n = json_object();
		if (older)
			json_object_set_new(n, "older", decorated(req, older));
		if (newer)
			json_object_set_new(n, "newer", decorated(req, newer));
		json_object_set_new(ways, "neighbours", n);
	}
	return ways;
}

/*
 * An article or a standalone page; a page that is not there may be a
 * file or an old address of the same name (files_serve()).
 */
static void show_article(struct request *req, struct response *resp, enum article_kind kind)
{
	json_t *a;
	int found = store_get_article(req->worker->store, &req->worker->urls, kind, req->p.slug,
	                              req->now, &a);
	if (found < 0) {
		errors_database(req, resp);
		return;
	}
	if (found == 0 && kind == ARTICLE_PAGE) {
		files_serve(req, resp);
		return;
	}
	if (req->slash) {
		/* "/about/": the page is at "/about". */
		json_decref(a);
		router_redirect_canonical(req, resp);
		return;
	}
	if (found == 0) {
		errors_answer(req, resp, 404, "There is no article at this address.");
		return;
	}
	view_decorate_article(req, a);
	char lang[LANG_TAG_MAX];
	view_article_language(req, a, lang);
	json_t *ways = NULL;
	if (kind == ARTICLE_POST && (ways = article_ways(req, req->p.slug)) == NULL) {
		json_decref(a);
		errors_database(req, resp);
		return;
	}
	/*
	 * The page shows the article and what every page shows: whichever
	 * changed last.  An article's page also leads to its neighbours and
	 * related articles, which any import may change: its last change.
	 */
	int64_t changed = kind == ARTICLE_POST ? req->worker->times.last_change : view_article_time(a);
	resp->last_modified = changed > req->worker->times.site_change
	                          ? changed
	                          : req->worker->times.site_change;
	json_t *canonical =
	    kind == ARTICLE_POST ? json_incref(json_object_get(a, "url")) : view_canonical_url(req);
	json_t *model = view_base_model(req, json_string_value(json_object_get(a, "title")),
	                           json_string_value(json_object_get(a, "summary")), canonical);
	if (model) {
		view_set_page(model, "type", json_string(kind == ARTICLE_POST ? "article" : "website"));
		view_set_language(req, model, lang);
		view_set_page(model, "is_article", json_boolean(kind == ARTICLE_POST));
		if (kind == ARTICLE_POST)
			view_set_page(model, "jsonld",
			         jsonld_article(req, a, json_object_get(a, "url")));
		json_object_set_new(model, "article", a);
		if (ways)
			json_object_update(model, ways);
	} else {
		json_decref(a);
	}
	json_decref(ways);
	view_render(req, resp, 200, kind == ARTICLE_POST ? "article" : "page", model);
}

void pages_article(struct request *req, struct response *resp)
{
	show_article(req, resp, ARTICLE_POST);
}

void pages_standalone(struct request *req, struct response *resp)
{
	show_article(req, resp, ARTICLE_PAGE);
}

/* What differs between a tag's page and an author's. */
struct list_kind {
	const char *key;            /* in the view model, and the route: "tag" */
	const char *dir;            /* "/tags/" */
	const char *before, *after; /* around the name in the title */
	const char *missing;
	int (*get)(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
	           json_t **out);
};

static const struct list_kind tag_kind = {
    "tag", "/tags/", "Tagged “", "”", "There is no tag of this name.", store_get_tag};
static const struct list_kind author_kind = {
    "author", "/authors/", "Articles by ", "", "There is no such author.", store_get_author};

/* A tag's or an author's page: who or what, then their articles. */
static void show_list(struct request *req, struct response *resp, const struct list_kind *kind)
{
	json_t *who;
	int found = kind->get(req->worker->store, &req->worker->urls, req->p.slug, req->now, &who);
	if (found < 0) {
		errors_database(req, resp);
		return;
	}
	if (found == 0 || json_integer_value(json_object_get(who, "count")) == 0) {
		json_decref(who);
		errors_answer(req, resp, 404, kind->missing);
		return;
	}

	struct article_query q = {.tag = kind == &tag_kind ? req->p.slug : NULL,
	                          .author = kind == &author_kind ? req->p.slug : NULL,
	                          .order = ORDER_NEWEST,
	                          .limit = PER_PAGE,
	                          .page = (unsigned)req->p.page,
	                          .now = req->now};
	json_t *articles;
	unsigned total, pages;
	if (pages_list_or_answer(req, resp, &q, &articles, &total, &pages) < 0) {
		json_decref(who);
		return;
	}

	struct buf title = BUF_INIT, prefix = BUF_INIT;
	buf_printf(&title, "%s%s%s", kind->before, json_string_value(json_object_get(who, "name")),
	           kind->after);
	if (q.page > 1)
		buf_printf(&title, ", page %u", q.page);
	escape_site_link(&prefix, "", kind->dir, req->p.slug);

	struct buf description = BUF_INIT;
	json_int_t count = json_integer_value(json_object_get(who, "count"));
	buf_printf(&description, "%lld article%s %s%s%s on %s.", (long long)count,
	           count == 1 ? "" : "s", kind == &tag_kind ? "tagged “" : "by ",
	           json_string_value(json_object_get(who, "name")), kind == &tag_kind ? "”" : "",
	           view_site_field(req, "title"));
	json_t *model = view_base_model(req, title.data, description.data, view_canonical_url(req));
	buf_free(&description);
	if (model) {
		json_object_set_new(who, "count_text",
		                    json_string(count == 1 ? "1 article" : NULL));
		if (count != 1) {
			char text[32];
			snprintf(text, sizeof text, "%lld articles", (long long)count);
			json_object_set_new(who, "count_text", json_string(text));
		}
		/* What site.yaml says of an author, shown above their articles. */
		json_object_set_new(
		    who, "profile",
		    json_boolean(json_string_length(json_object_get(who, "bio")) > 0 ||
		                 json_is_string(json_object_get(who, "avatar")) ||
		                 json_array_size(json_object_get(who, "links")) > 0));
		json_object_set_new(model, kind->key, who);
		json_object_set_new(model, "articles", articles);
		json_object_set_new(model, "pagination",
		                    pages_pagination(req, prefix.data, NULL, q.page, pages, total));
	} else {
		json_decref(who);
		json_decref(articles);
	}
	buf_free(&title);
	buf_free(&prefix);
	view_render(req, resp, 200, "list", model);
}

void pages_tag(struct request *req, struct response *resp)
{
	show_list(req, resp, &tag_kind);
}

void pages_author(struct request *req, struct response *resp)
{
	show_list(req, resp, &author_kind);
}

void pages_search(struct request *req, struct response *resp)
{
	const char *words = req->p.q;
	json_t *search = json_pack("{s:s}", "query", words ? words : "");
	json_t *articles = NULL;
	json_t *pg = NULL;

	if (words) {
		struct article_query q = {.q = words,
		                          .order = ORDER_RELEVANCE,
		                          .limit = PER_PAGE,
		                          .page = (unsigned)req->p.page,
		                          .now = req->now};
		unsigned total;
		if (store_list_articles(req->worker->store, &req->worker->urls, &q, &articles,
		                        &total) < 0) {
			json_decref(articles);
			json_decref(search);
			errors_database(req, resp);
			return;
		}
		view_decorate_list(req, articles);
		unsigned pages = article_pages(total, PER_PAGE);
		pg = pages_pagination(req, "", words, q.page, pages, total);
		json_object_set_new(search, "total", json_integer(total));
		json_object_set_new(search, "one", json_boolean(total == 1));
	}

	json_t *model =
	    view_base_model(req, words ? "Search results" : "Search",
	               words ? "" : "Search the articles of this site.", view_canonical_url(req));
	if (model) {
		json_object_set_new(model, "search", search);
		if (articles) {
			json_object_set_new(model, "articles", articles);
			json_object_set_new(model, "pagination", pg);
		}
		/* Result pages change with every import; they are not for search engines. */
		view_set_page(model, "noindex", json_true());
	} else {
		json_decref(search);
		json_decref(articles);
		json_decref(pg);
	}
	view_render(req, resp, 200, "search", model);
}
