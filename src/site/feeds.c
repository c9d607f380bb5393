/*
 * feeds.c: Atom 1.0, RSS 2.0 and JSON Feed 1.1, for the site and for each
 * tag, with whole articles.  Atom and RSS are templates (a theme may
 * change them; the template engine escapes for XML as for HTML), JSON Feed
 * is jansson's.
 */
#include <stdio.h>
#include <string.h>

#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "handlers.h"
#include "gazette/content/links.h"
#include "gazette/site/router.h"

/* How many articles a feed carries unless site.yaml says (at most ARTICLE_LIST_MAX). */
#define FEED_DEFAULT 20

struct feed_kind {
	const char *file;     /* feed.xml, rss.xml, feed.json */
	const char *template; /* NULL: JSON Feed */
	const char *content_type;
};

static const struct feed_kind atom = {"feed.xml", "atom", "application/atom+xml; charset=utf-8"};
static const struct feed_kind rss = {"rss.xml", "rss", "application/rss+xml; charset=utf-8"};
static const struct feed_kind json_feed = {"feed.json", NULL,
                                           "application/feed+json; charset=utf-8"};

/* How many articles a feed carries: site.yaml's feed_limit, or 20. */
static unsigned feed_limit(struct request *req)
{
	json_t *v = json_object_get(req->worker->settings, "feed_limit");
	long long n = 0;
	if (json_is_string(v))
		n = atoll(json_string_value(v));
	return n >= 1 ? (unsigned)(n < ARTICLE_LIST_MAX ? n : ARTICLE_LIST_MAX) : FEED_DEFAULT;
}

/* The RFC 822 date RSS wants, next to an RFC 3339 one. */
static json_t *rfc822(const char *rfc3339)
{
	int64_t t;
	char http[40];
	if (rfc3339 == NULL || date_parse(rfc3339, &t) < 0)
		return json_null();
	date_format_http(t, http);
	return json_string(http);
}

/*
 * Plain text as HTML.  RSS readers render <description> as HTML once the
 * XML is parsed, so text goes in escaped twice: here for HTML, then by the
 * template for XML.
 */
static json_t *as_html(const char *text, size_t n)
{
	struct buf b = BUF_INIT;
	escape_html(&b, text ? text : "", text ? n : 0);
	json_t *out = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

static json_t *json_feed_of(json_t *feed, json_t *articles, json_t *site)
{
	json_t *items = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(articles, i, a)
	{
		json_t *authors = json_array(), *tags = json_array();
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(a, "authors"), k, v) json_array_append_new(
		    authors, json_pack("{s:O}", "name", json_object_get(v, "name")));
		json_array_foreach(json_object_get(a, "tags"), k, v)
		    json_array_append(tags, json_object_get(v, "name"));
		json_array_append_new(
		    items,
		    json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:o}", "id",
		              json_object_get(a, "url"), "url", json_object_get(a, "url"), "title",
		              json_object_get(a, "title"), "content_html",
		              json_object_get(a, "body_html"), "summary",
		              json_object_get(a, "summary"), "date_published",
		              json_object_get(a, "published_at"), "date_modified",
		              json_object_get(a, "updated_at"), "authors", authors, "tags", tags));
		/* An article in its own language says so (JSON Feed 1.1's item language). */
		json_t *lang = json_object_get(a, "lang");
		if (json_is_string(lang))
			json_object_set(json_array_get(items, json_array_size(items) - 1), "language",
			                lang);
	}
	json_t *out = json_pack(
	    "{s:s, s:O, s:O, s:O, s:O, s:o}", "version", "https://jsonfeed.org/version/1.1",
	    "title", json_object_get(feed, "title"), "home_page_url", json_object_get(feed, "home"),
	    "feed_url", json_object_get(feed, "self"), "language",
	    json_object_get(site, "language"), "items", items);
	const char *description = json_string_value(json_object_get(site, "description"));
	if (out && description && description[0])
		json_object_set_new(out, "description", json_string(description));
	return out;
}

/* A tag's feed: the tag as *who; -1 with 404 (no such tag, or nothing in it) or 500 answered. */
static int feed_tag(struct request *req, struct response *resp, const char *tag, json_t **who)
{
	int found = store_get_tag(req->worker->store, &req->worker->urls, tag, req->now, who);
	if (found > 0 && json_integer_value(json_object_get(*who, "count")) != 0)
		return 0;
	json_decref(*who);
	*who = NULL;
	if (found < 0)
		errors_database(req, resp);
	else
		errors_answer(req, resp, 404, "There is no tag of this name.");
	return -1;
}

/*
 * Each entry as a feed wants it: the RFC 822 date, the summary as HTML,
 * the body's links absolute.  updated becomes the newest updated_at when
 * that is later than what it holds.
 */
static void prepare_entries(json_t *articles, char updated[32])
{
	size_t i;
	json_t *a;
	json_array_foreach(articles, i, a)
	{
		const char *u = json_string_value(json_object_get(a, "updated_at"));
		if (u && strcmp(u, updated) > 0)
			snprintf(updated, 32, "%s", u);
		json_object_set_new(a, "published_rfc822",
		                    rfc822(json_string_value(json_object_get(a, "published_at"))));
		json_t *summary = json_object_get(a, "summary");
		json_object_set_new(
		    a, "summary_html",
		    as_html(json_string_value(summary), json_string_length(summary)));
		/* Read in a feed, a relative link would resolve against the feed's address. */
		json_t *html = json_object_get(a, "body_html");
		const char *url = json_string_value(json_object_get(a, "url"));
		if (json_is_string(html) && url) {
			struct buf abs = BUF_INIT;
			links_absolute(&abs, json_string_value(html), json_string_length(html),
			               url);
			json_object_set_new(a, "body_html",
			                    json_stringn(abs.data ? abs.data : "", abs.len));
			buf_free(&abs);
		}
	}
}

/*
 * The feed itself: what it is called (the site's title, and the tag's
 * name), where it lives, when it last changed, and the channel's
 * <description> (the site's, or its title).
 */
static json_t *feed_meta(struct request *req, const struct feed_kind *kind, const char *tag,
                         json_t *who, const char *updated)
{
	const char *site_title = json_string_value(json_object_get(req->worker->site, "title"));
	struct buf title = BUF_INIT, self = BUF_INIT, home = BUF_INIT;
	buf_puts(&title, site_title ? site_title : "gazette");
	if (tag) {
		buf_printf(&title, ": %s", json_string_value(json_object_get(who, "name")));
		escape_site_link(&self, req->worker->public_url, "/tags/", tag);
		buf_putc(&self, '/');
		escape_site_link(&home, req->worker->public_url, "/tags/", tag);
	} else {
		escape_site_link(&self, req->worker->public_url, "/", NULL);
		escape_site_link(&home, req->worker->public_url, "/", NULL);
	}
	buf_puts(&self, kind->file);
	json_t *d = json_object_get(req->worker->site, "description");
	json_t *f = json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:o}", "title", title.data, "self", self.data, "home",
	    home.data, "updated", updated, "updated_rfc822", rfc822(updated), "description_html",
	    json_string_length(d) ? as_html(json_string_value(d), json_string_length(d))
	                          : as_html(title.data, title.len));
	buf_free(&title);
	buf_free(&self);
	buf_free(&home);
	return f;
}

/* The answer: JSON Feed from jansson, Atom and RSS from their templates (f and articles taken). */
static void feed_answer(struct request *req, struct response *resp, const struct feed_kind *kind,
                        json_t *f, json_t *articles)
{
	resp->status = 200;
	resp->content_type = kind->content_type;
	if (kind->template == NULL) {
		json_t *body = f ? json_feed_of(f, articles, req->worker->site) : NULL;
		response_json(resp, 200, body);
		resp->content_type = kind->content_type;
		json_decref(body);
		json_decref(f);
		json_decref(articles);
		return;
	}
	json_t *model = json_pack("{s:O, s:o, s:o}", "site", req->worker->site, "feed", f,
	                          "articles", articles);
	buf_reset(&resp->body);
	if (model == NULL ||
	    tmpl_render(req->app->templates, kind->template, model, &resp->body) < 0)
		response_text(resp, 500, "Internal Server Error: the feed could not be built.\n");
	json_decref(model);
}

static void feed(struct request *req, struct response *resp, const struct feed_kind *kind)
{
	const char *tag = req->p.slug;
	json_t *who = NULL;
	if (tag && feed_tag(req, resp, tag, &who) < 0)
		return;
	struct article_query q = {.tag = tag,
	                          .order = ORDER_NEWEST,
	                          .limit = feed_limit(req),
	                          .page = 1,
	                          .now = req->now,
	                          .with_body = true};
	json_t *articles;
	unsigned total;
	if (store_list_articles(req->worker->store, &req->worker->urls, &q, &articles, &total) <
	    0) {
		json_decref(articles);
		json_decref(who);
		errors_database(req, resp);
		return;
	}

	/* The feed changed when its newest entry did (with none, when the site did). */
	char updated[32] = "";
	if (json_array_size(articles) == 0)
		date_format_rfc3339(req->worker->times.last_change, updated);
	prepare_entries(articles, updated);
	json_t *f = feed_meta(req, kind, tag, who, updated);
	json_decref(who);
	feed_answer(req, resp, kind, f, articles);
}

void feeds_atom(struct request *req, struct response *resp)
{
	feed(req, resp, &atom);
}

void feeds_rss(struct request *req, struct response *resp)
{
	feed(req, resp, &rss);
}

void feeds_json(struct request *req, struct response *resp)
{
	feed(req, resp, &json_feed);
}
