/*
 * indexes.c: the pages that lead to the articles rather than show them:
 * every tag (/tags) and every author (/authors) with how many articles
 * each has, and the archive by year and month (/archive, /archive/YYYY,
 * /archive/YYYY/MM, each in pages of ARCHIVE_PER_PAGE).  The data is the
 * API's (api_tags, api_authors, api_archive and api_articles hold the
 * same), with what a reader needs added: link paths, counts in words,
 * dates in words, headings.
 */
#include <stdio.h>
#include <string.h>

#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "handlers.h"
#include "view.h"

/* "1 article", "12 articles". */
static json_t *count_text(json_int_t n)
{
	char text[40];
	snprintf(text, sizeof text, "%lld article%s", (long long)n, n == 1 ? "" : "s");
	return json_string(text);
}

/* Gives each tag or author of a list its link path (below the site's) and count in words. */
static void decorate_counted(struct request *req, json_t *list, const char *dir)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		struct buf path = BUF_INIT;
		escape_site_link(&path, req->worker->base_path, dir,
		                 json_string_value(json_object_get(v, "slug")));
		json_object_set_new(v, "path", view_string(&path));
		buf_free(&path);
		json_object_set_new(v, "count_text",
		                    count_text(json_integer_value(json_object_get(v, "count"))));
	}
}

/* What differs between /tags and /authors. */
struct index_kind {
	const char *key; /* in the view model: "tags" */
	const char *dir; /* "/tags/" */
	const char *title;
	const char *what; /* in the description: "tags" */
	int (*list)(struct store *st, const struct store_urls *urls, int64_t now, json_t **out);
};

static const struct index_kind tags_kind = {"tags", "/tags/", "Tags", "tags", store_list_tags};
static const struct index_kind authors_kind = {"authors", "/authors/", "Authors", "authors",
                                               store_list_authors};

static void show_index(struct request *req, struct response *resp, const struct index_kind *kind)
{
	json_t *list;
	if (kind->list(req->worker->store, &req->worker->urls, req->now, &list) < 0) {
		json_decref(list);
		errors_database(req, resp);
		return;
	}
	decorate_counted(req, list, kind->dir);
	struct buf description = BUF_INIT;
	buf_printf(&description, "The %zu %s of %s, with how many articles each has.",
	           json_array_size(list), kind->what, view_site_field(req, "title"));
	json_t *model =
	    view_base_model(req, kind->title, description.data, view_canonical_url(req));
	buf_free(&description);
	if (model)
		json_object_set_new(model, kind->key, list);
	else
		json_decref(list);
	view_render(req, resp, 200, kind->key, model);
}

void pages_tags(struct request *req, struct response *resp)
{
	show_index(req, resp, &tags_kind);
}

void pages_authors(struct request *req, struct response *resp)
{
	show_index(req, resp, &authors_kind);
}

/* ---- the archive ------------------------------------------------------- */

/* The first second of a year's month (month 13: of the next year), UTC. */
static int64_t month_start(unsigned year, unsigned month)
{
	if (month > 12) {
		year++;
		month = 1;
	}
	return date_days_from_civil(year, month, 1) * 86400;
}

void archive_range(unsigned year, unsigned month, int64_t *from, int64_t *until)
{
	*from = month_start(year, month ? month : 1);
	*until = month_start(month ? year : year + 1, month ? month + 1 : 1);
}

/*
 * The archive's year of the request in the store's counts, or NULL if it
 * has no articles (nor its month, if one is named): the page is then not
 * there.  The year's or month's entry that is this page gets "current".
 */
static json_t *mark_current(json_t *years, const struct params *p)
{
	size_t i, k;
	json_t *y, *m;
	json_array_foreach(years, i, y)
	{
		if ((unsigned)json_integer_value(json_object_get(y, "year")) != p->year)
			continue;
		if (p->month == 0) {
			json_object_set_new(y, "current", json_true());
			return y;
		}
		json_array_foreach(json_object_get(y, "months"), k, m)
		{
			if ((unsigned)json_integer_value(json_object_get(m, "month")) == p->month) {
				json_object_set_new(m, "current", json_true());
				return y;
			}
		}
		return NULL;
	}
	return NULL;
}

/* Gives each year and month of the archive its link path and its name in words. */
static void decorate_archive(struct request *req, json_t *years)
{
	size_t i, k;
	json_t *y, *m;
	json_array_foreach(years, i, y)
	{
		json_int_t year = json_integer_value(json_object_get(y, "year"));
		char path[64], name[48];
		snprintf(path, sizeof path, "%s/archive/%04lld", req->worker->base_path,
		         (long long)year);
		json_object_set_new(y, "path", json_string(path));
		json_object_set_new(y, "count_text",
		                    count_text(json_integer_value(json_object_get(y, "count"))));
		json_array_foreach(json_object_get(y, "months"), k, m)
		{
			json_int_t month = json_integer_value(json_object_get(m, "month"));
			snprintf(path, sizeof path, "%s/archive/%04lld/%02lld", req->worker->base_path,
			         (long long)year, (long long)month);
			json_object_set_new(m, "path", json_string(path));
			date_format_month(month_start((unsigned)year, (unsigned)month), name);
			json_object_set_new(m, "name", json_string(name));
			json_object_set_new(m, "count_text",
			                    count_text(json_integer_value(json_object_get(m, "count"))));
		}
	}
}

/*
 * The articles of a page of the archive under a heading per month:
 * [{"id": "2025-02", "heading": "February 2025", "articles": [...]}].
 */
static json_t *group_by_month(json_t *articles)
{
	json_t *groups = json_array(), *group = NULL;
	size_t i;
	json_t *a;
	json_array_foreach(articles, i, a)
	{
		int64_t t;
		const char *when = json_string_value(json_object_get(a, "published_at"));
		if (when == NULL || date_parse(when, &t) < 0)
			continue;
		char id[8];
		memcpy(id, when, 7); /* "2025-02" of the RFC 3339 date */
		id[7] = '\0';
		if (group == NULL || strcmp(json_string_value(json_object_get(group, "id")), id) != 0) {
			char heading[48];
			date_format_month(t, heading);
			group = json_pack("{s:s, s:s, s:[]}", "id", id, "heading", heading, "articles");
			json_array_append_new(groups, group);
		}
		json_array_append(json_object_get(group, "articles"), a);
	}
	return groups;
}

/* "Archive", "Archive: 2025", "Archive: February 2025". */
static void archive_title(const struct params *p, struct buf *out)
{
	buf_puts(out, "Archive");
	if (p->month) {
		char month[48];
		date_format_month(month_start(p->year, p->month), month);
		buf_printf(out, ": %s", month);
	} else if (p->year) {
		buf_printf(out, ": %u", p->year);
	}
}

/* The archive's list prefix for pagination: "/archive", "/archive/2025", "/archive/2025/02". */
static void archive_prefix(const struct params *p, struct buf *out)
{
	buf_puts(out, "/archive");
	if (p->year)
		buf_printf(out, "/%04u", p->year);
	if (p->month)
		buf_printf(out, "/%02u", p->month);
}

/* The view model of an archive page, or NULL; takes years, articles and pg. */
static json_t *archive_model(struct request *req, json_t *years, json_t *current, json_t *articles,
                             json_t *pg)
{
	const struct params *p = &req->p;
	struct buf title = BUF_INIT, description = BUF_INIT;
	archive_title(p, &title);
	json_int_t total = json_integer_value(json_object_get(pg, "total"));
	buf_printf(&description, "%lld article%s of %s", (long long)total, total == 1 ? "" : "s",
	           view_site_field(req, "title"));
	if (p->year)
		buf_printf(&description, " from %s.", title.data + strlen("Archive: "));
	else
		buf_puts(&description, ", by year and month.");
	json_t *heading = view_string(&title);
	if (p->page > 1)
		buf_printf(&title, ", page %lu", p->page);
	json_t *model = view_base_model(req, title.data, description.data, view_canonical_url(req));
	buf_free(&title);
	buf_free(&description);
	json_t *archive = json_pack("{s:o, s:o, s:o, s:o}", "heading", heading, "years", years,
	                            "groups", group_by_month(articles), "count_text", count_text(total));
	if (archive && current)
		json_object_set(archive, "months", json_object_get(current, "months"));
	json_decref(articles);
	if (model == NULL || archive == NULL) {
		json_decref(model);
		json_decref(archive);
		json_decref(pg);
		return NULL;
	}
	json_object_set_new(model, "archive", archive);
	json_object_set_new(model, "pagination", pg);
	return model;
}

void pages_archive(struct request *req, struct response *resp)
{
	json_t *years;
	if (store_archive(req->worker->store, &req->worker->urls, req->now, &years) < 0) {
		json_decref(years);
		errors_database(req, resp);
		return;
	}
	json_t *current = mark_current(years, &req->p);
	if (req->p.year && current == NULL) {
		json_decref(years);
		errors_answer(req, resp, 404, "Nothing was published in this year or month.");
		return;
	}
	decorate_archive(req, years);

	struct article_query q = {.order = ORDER_NEWEST,
	                          .limit = ARCHIVE_PER_PAGE,
	                          .page = (unsigned)req->p.page,
	                          .now = req->now};
	if (req->p.year)
		archive_range(req->p.year, req->p.month, &q.from, &q.until);
	json_t *articles;
	unsigned total, pages;
	if (pages_list_or_answer(req, resp, &q, &articles, &total, &pages) < 0) {
		json_decref(years);
		return;
	}
	struct buf prefix = BUF_INIT;
	archive_prefix(&req->p, &prefix);
	json_t *pg = pages_pagination(req, prefix.data, NULL, q.page, pages, total);
	buf_free(&prefix);
	view_render(req, resp, 200, "archive", archive_model(req, years, current, articles, pg));
}
