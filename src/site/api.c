/*
 * api.c: the JSON API under /api/v1.  Same data as the HTML pages, in the
 * shapes README.md's "Addresses" and static/openapi.json describe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "auth.h"
#include "gazette/base/buf.h"
#include "gazette/base/escape.h"
#include "handlers.h"
#include "view.h"
#include "gazette/site/router.h"
#include "gazette/base/util.h"

#define DEFAULT_LIMIT 20

/*
 * Keeps only the keys named in fields ("slug,title"), in the article's own
 * order; and never the store's note for pages ("excerpted").
 */
static json_t *trim_fields(json_t *a, const char *fields)
{
	json_object_del(a, "excerpted");
	if (fields == NULL)
		return a;
	json_t *out = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(a, key, v)
	{
		size_t n = strlen(key);
		for (const char *f = fields; *f;) {
			size_t len = strcspn(f, ",");
			if (len == n && memcmp(f, key, n) == 0) {
				json_object_set(out, key, v);
				break;
			}
			f += len;
			if (*f == ',')
				f++;
		}
	}
	json_decref(a);
	return out;
}

/*
 * The URL of the same list at another page, rebuilt from the checked
 * parameters (never copied from the request: a raw '>' or '"' in it would
 * end the Link header's URL).
 */
static void page_link(struct request *req, struct buf *b, unsigned page)
{
	buf_printf(b, "%s/api/v1/articles?", req->worker->public_url);
	router_query(&req->p, page, b);
}

/* A filter that names no tag or author is a mistake in the request: 400 naming it. */
static bool filter_exists(struct request *req, struct response *resp, const char *param,
                          const char *slug,
                          int (*get)(struct store *, const struct store_urls *, const char *,
                                     int64_t, json_t **))
{
	json_t *found;
	if (slug == NULL)
		return true;
	int rc = get(req->worker->store, &req->worker->urls, slug, req->now, &found);
	json_decref(found);
	if (rc < 0) {
		errors_database(req, resp);
		return false;
	}
	if (rc == 0) {
		char msg[300];
		snprintf(msg, sizeof msg, "Query parameter '%s': there is no %s '%.*s'.", param,
		         param, (int)utf8_cut(slug, strlen(slug), 200), slug);
		errors_answer(req, resp, 400, msg);
		return false;
	}
	return true;
}

/*
 * With a token, a request may see drafts and scheduled articles; its
 * answer is then private.  Returns false (with resp filled) when the
 * request asks for more than its token allows.
 */
static bool token_allows(struct request *req, struct response *resp, bool asks_unpublished)
{
	enum auth_result who = auth_check(req);
	if (who == AUTH_ANONYMOUS && !asks_unpublished)
		return true;
	if (!auth_require(req, resp, SCOPE_READ_DRAFTS))
		return false;
	resp->cache_control = "private, no-store";
	return true;
}

void api_articles(struct request *req, struct response *resp)
{
	const struct params *p = &req->p;
	if (!token_allows(req, resp, p->status != STATUS_PUBLISHED))
		return;
	struct article_query q = {
	    .tag = p->tag,
	    .author = p->author,
	    .q = p->q,
	    .order = (p->given & QP_BIT(QP_ORDER)) ? p->order
	             : p->q                        ? ORDER_RELEVANCE
	                                           : ORDER_NEWEST,
	    .limit = p->limit ? (unsigned)p->limit : DEFAULT_LIMIT,
	    .page = (unsigned)p->page,
	    .now = req->now,
	    .status = p->status,
	};
	if (p->year)
		archive_range(p->year, p->month, &q.from, &q.until);
	if (!filter_exists(req, resp, "tag", q.tag, store_get_tag) ||
	    !filter_exists(req, resp, "author", q.author, store_get_author))
		return;

	json_t *articles;
	unsigned total;
	if (store_list_articles(req->worker->store, &req->worker->urls, &q, &articles, &total) <
	    0) {
		json_decref(articles);
		errors_database(req, resp);
		return;
	}
	for (size_t i = 0; i < json_array_size(articles); i++)
		json_array_set_new(articles, i,
		                   trim_fields(json_incref(json_array_get(articles, i)), p->fields));

	unsigned pages = article_pages(total, q.limit);
	/* Past the end, "prev" leads back to the last page that has articles. */
	unsigned prev_page = q.page > pages ? pages : q.page - 1;
	json_t *next = q.page < pages ? json_integer(q.page + 1) : json_null();
	json_t *prev = q.page > 1 ? json_integer(prev_page) : json_null();
	json_t *body =
	    json_pack("{s:o, s:{s:{s:i, s:i, s:i, s:i, s:o, s:o}}}", "articles", articles, "meta",
	              "pagination", "page", (int)q.page, "limit", (int)q.limit, "pages", (int)pages,
	              "total", (int)total, "next", next, "prev", prev);

	struct buf link = BUF_INIT;
	if (q.page < pages) {
		buf_putc(&link, '<');
		page_link(req, &link, q.page + 1);
		buf_puts(&link, ">; rel=\"next\"");
	}
	if (q.page > 1) {
		if (link.len)
			buf_puts(&link, ", ");
		buf_putc(&link, '<');
		page_link(req, &link, prev_page);
		buf_puts(&link, ">; rel=\"prev\"");
	}
	if (link.len)
		response_header(resp, "Link", "%s", link.data);
	buf_free(&link);

	response_json(resp, 200, body);
	json_decref(body);
}

json_t *api_article_answer(struct request *req, const char *slug, bool any_status,
                           const char *fields, int *found)
{
	json_t *a = NULL;
	*found = (any_status ? store_get_any_article : store_get_article)(
	    req->worker->store, &req->worker->urls, ARTICLE_POST, slug, req->now, &a);
	return *found > 0 ? json_pack("{s:o}", "article", trim_fields(a, fields)) : NULL;
}

void api_article(struct request *req, struct response *resp)
{
	if (!token_allows(req, resp, false))
		return;
	int found;
	json_t *body = api_article_answer(req, req->p.slug, req->auth == AUTH_VALID, req->p.fields,
	                                  &found);
	if (found < 0) {
		errors_database(req, resp);
		return;
	}
	if (found == 0) {
		errors_answer(req, resp, 404, "There is no article with this slug.");
		return;
	}
	resp->last_modified = view_article_time(json_object_get(body, "article"));
	response_json(resp, 200, body);
	json_decref(body);
}

static void counted(struct request *req, struct response *resp, bool tags)
{
	json_t *list;
	int rc = tags ? store_list_tags(req->worker->store, &req->worker->urls, req->now, &list)
	              : store_list_authors(req->worker->store, &req->worker->urls, req->now, &list);
	if (rc < 0) {
		json_decref(list);
		errors_database(req, resp);
		return;
	}
	json_t *body = json_pack("{s:o}", tags ? "tags" : "authors", list);
	response_json(resp, 200, body);
	json_decref(body);
}

void api_revisions(struct request *req, struct response *resp)
{
	if (!auth_require(req, resp, SCOPE_READ_DRAFTS))
		return;
	resp->cache_control = "private, no-store";
	json_t *list;
	if (store_list_revisions(req->worker->store, req->p.slug, 100, &list) < 0) {
		json_decref(list);
		errors_database(req, resp);
		return;
	}
	/* A standalone page is no article of the API, here as on GET. */
	int kind = store_article_kind(req->worker->store, req->p.slug);
	if (kind == -1 || kind == ARTICLE_PAGE || (kind == -2 && json_array_size(list) == 0)) {
		json_decref(list);
		if (kind == -1)
			errors_database(req, resp);
		else
			errors_answer(req, resp, 404, "There is no article with this slug, nor was there.");
		return;
	}
	json_t *body = json_pack("{s:o}", "revisions", list);
	response_json(resp, 200, body);
	json_decref(body);
}

/* The OpenAPI document, built in, with this server's address. */
void api_openapi(struct request *req, struct response *resp)
{
	bool immutable;
	const struct app_file *f = app_find_file(req->app, "openapi.json", &immutable);
	json_t *doc = f ? json_loadb((const char *)f->data, f->len, 0, NULL) : NULL;
	if (doc == NULL) {
		errors_answer(req, resp, 500, "The API description is missing from this build.");
		return;
	}
	struct buf url = BUF_INIT;
	buf_printf(&url, "%s/api/v1", req->worker->public_url);
	json_object_set_new(doc, "servers", json_pack("[{s:s}]", "url", url.data));
	buf_free(&url);
	response_json(resp, 200, doc);
	json_decref(doc);
}

void api_tags(struct request *req, struct response *resp)
{
	counted(req, resp, true);
}

void api_authors(struct request *req, struct response *resp)
{
	counted(req, resp, false);
}

void api_archive(struct request *req, struct response *resp)
{
	json_t *years;
	if (store_archive(req->worker->store, &req->worker->urls, req->now, &years) < 0) {
		json_decref(years);
		errors_database(req, resp);
		return;
	}
	json_t *body = json_pack("{s:o}", "years", years);
	response_json(resp, 200, body);
	json_decref(body);
}

/* ---- the JSON of HTML pages (Accept: application/json) ------------------ */

void api_home_json(struct request *req, struct response *resp)
{
	if (req->p.post) {
		char address[40];
		snprintf(address, sizeof address, "/?p=%lu", req->p.post);
		if (files_old_address(req, resp, address))
			return;
		req->p.post = 0; /* not a list parameter: no Link carries it */
	}
	api_articles(req, resp);
}

/*
 * A tag's or an author's page as JSON: 404 when it has no published
 * article (as the page), else the API's list filtered by it.
 */
static void filtered_json(struct request *req, struct response *resp, bool tag)
{
	json_t *who = NULL;
	int found = (tag ? store_get_tag : store_get_author)(req->worker->store, &req->worker->urls,
	                                                     req->p.slug, req->now, &who);
	json_int_t count = found > 0 ? json_integer_value(json_object_get(who, "count")) : 0;
	json_decref(who);
	if (found < 0) {
		errors_database(req, resp);
		return;
	}
	if (count == 0) {
		errors_answer(req, resp, 404,
		              tag ? "There is no tag of this name." : "There is no such author.");
		return;
	}
	if (tag)
		req->p.tag = req->p.slug;
	else
		req->p.author = req->p.slug;
	api_articles(req, resp);
}

void api_tag_json(struct request *req, struct response *resp)
{
	filtered_json(req, resp, true);
}

void api_author_json(struct request *req, struct response *resp)
{
	filtered_json(req, resp, false);
}

void api_search_json(struct request *req, struct response *resp)
{
	api_articles(req, resp);
}

void api_archive_json(struct request *req, struct response *resp)
{
	/* /archive/2025/02/page/3 is /api/v1/articles?year=2025&month=2&limit=100&page=3. */
	req->p.limit = ARCHIVE_PER_PAGE;
	if (req->p.year)
		req->p.given |= QP_BIT(QP_YEAR);
	if (req->p.month)
		req->p.given |= QP_BIT(QP_MONTH);
	api_articles(req, resp);
}
