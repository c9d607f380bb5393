/*
 * api.c: the JSON API under /api/v1.  Same data as the HTML pages, in the
 * shapes of DESIGN.md section 4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/app.h"
#include "gazette/buf.h"
#include "gazette/handlers.h"
#include "gazette/router.h"
#include "gazette/util.h"

#define DEFAULT_LIMIT 20

/* Keeps only the keys named in fields ("slug,title"), in the article's own order. */
static json_t *trim_fields(json_t *a, const char *fields)
{
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
 * The URL of the same list at another page: the request's own query with
 * its page parameter replaced, so every other parameter stays as it came.
 */
static void page_link(struct request *req, struct buf *b, unsigned page)
{
	const char *q = strchr(req->target, '?');
	buf_printf(b, "%s/api/v1/articles?", req->app->public_url);
	size_t start = b->len;
	while (q && *q) {
		q++;
		size_t n = strcspn(q, "&#");
		bool is_page = (n >= 5 && strncmp(q, "page=", 5) == 0) ||
		               (n == 4 && strncmp(q, "page", 4) == 0);
		if (n > 0 && !is_page) {
			if (b->len > start)
				buf_putc(b, '&');
			buf_append(b, q, n);
		}
		q += n;
		if (*q != '&')
			break;
	}
	if (b->len > start)
		buf_putc(b, '&');
	buf_printf(b, "page=%u", page);
}

static void database_error(struct request *req, struct response *resp)
{
	router_error(req, resp, 500, "The database could not answer; please try again.");
}

void api_articles(struct request *req, struct response *resp)
{
	const struct params *p = &req->p;
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
	};
	json_t *articles;
	unsigned total;
	if (store_list_articles(req->worker->store, &req->app->urls, &q, &articles, &total) < 0) {
		json_decref(articles);
		database_error(req, resp);
		return;
	}
	if (p->fields) {
		for (size_t i = 0; i < json_array_size(articles); i++)
			json_array_set_new(
			    articles, i,
			    trim_fields(json_incref(json_array_get(articles, i)), p->fields));
	}

	unsigned pages = (total + q.limit - 1) / q.limit;
	if (pages == 0)
		pages = 1;
	json_t *next = q.page < pages ? json_integer(q.page + 1) : json_null();
	json_t *prev = q.page > 1 ? json_integer(q.page - 1) : json_null();
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
		page_link(req, &link, q.page - 1);
		buf_puts(&link, ">; rel=\"prev\"");
	}
	if (link.len)
		response_header(resp, "Link", "%s", link.data);
	buf_free(&link);

	response_json(resp, 200, body);
	json_decref(body);
}

void api_article(struct request *req, struct response *resp)
{
	json_t *a;
	int found = store_get_article(req->worker->store, &req->app->urls, ARTICLE_POST,
	                              req->p.slug, req->now, &a);
	if (found < 0) {
		database_error(req, resp);
		return;
	}
	if (found == 0) {
		router_error(req, resp, 404, "There is no article with this slug.");
		return;
	}
	json_t *body = json_pack("{s:o}", "article", trim_fields(a, req->p.fields));
	response_json(resp, 200, body);
	json_decref(body);
}

static void counted(struct request *req, struct response *resp, bool tags)
{
	json_t *list;
	int rc = tags ? store_list_tags(req->worker->store, &req->app->urls, req->now, &list)
	              : store_list_authors(req->worker->store, &req->app->urls, req->now, &list);
	if (rc < 0) {
		json_decref(list);
		database_error(req, resp);
		return;
	}
	json_t *body = json_pack("{s:o}", tags ? "tags" : "authors", list);
	response_json(resp, 200, body);
	json_decref(body);
}

void api_tags(struct request *req, struct response *resp)
{
	counted(req, resp, true);
}

void api_authors(struct request *req, struct response *resp)
{
	counted(req, resp, false);
}
