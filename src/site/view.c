/*
 * view.c: what every HTML page's view model starts from and how it is
 * rendered: the site part, the page part, articles with what a reader sees
 * (links, dates in words), and the template run.
 */
#include "view.h"

#include <stdio.h>
#include <string.h>

#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/base/lang.h"
#include "gazette/base/log.h"

json_t *view_string(const struct buf *b)
{
	return json_stringn(b->data ? b->data : "", b->len);
}

/* True if tag is English ("en", "en-GB"): the built-in theme's own words are. */
static bool english(const char *tag)
{
	return strncmp(tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-');
}

void view_article_language(struct request *req, const json_t *a, char out[LANG_TAG_MAX])
{
	if (!lang_canonical(json_string_value(json_object_get(a, "lang")), out))
		snprintf(out, LANG_TAG_MAX, "%s", view_site_field(req, "language"));
}

/* Sets a's key to the day t falls on, in words in the language lang. */
static void set_date(json_t *a, const char *key, const char *lang, int64_t t)
{
	char human[LANG_DATE_MAX];
	size_t n = lang_date_long(lang, t, human);
	json_object_set_new(a, key, json_stringn(human, n));
}

/*
 * Adds what a reader sees but the API leaves out: "path" (the link, below
 * the public URL's path), "published_human" and, when it differs,
 * "updated_human" (in the article's language), "reading_human" (the
 * minutes in its language, when that is not English: the theme says "N
 * min read" itself), and, for an article in another language than the
 * site's, "lang_attr" and "dir_attr" for the element that shows it.
 */
void view_decorate_article(struct request *req, json_t *a)
{
	const char *slug = json_string_value(json_object_get(a, "slug"));
	const char *pub = json_string_value(json_object_get(a, "published_at"));
	const char *upd = json_string_value(json_object_get(a, "updated_at"));
	int64_t t;
	char lang[LANG_TAG_MAX];
	view_article_language(req, a, lang);

	if (slug) {
		struct buf path = BUF_INIT;
		escape_site_link(&path, req->worker->base_path, "/articles/", slug);
		json_object_set_new(a, "path", view_string(&path));
		buf_free(&path);
	}
	if (pub && date_parse(pub, &t) == 0)
		set_date(a, "published_human", lang, t);
	if (upd && pub && strcmp(upd, pub) != 0 && date_parse(upd, &t) == 0)
		set_date(a, "updated_human", lang, t);
	if (!english(lang)) {
		char minutes[LANG_DATE_MAX];
		json_int_t m = json_integer_value(json_object_get(a, "reading_time_minutes"));
		size_t n = lang_minutes(lang, m > 0 && m < 1000000 ? (unsigned)m : 1, minutes);
		json_object_set_new(a, "reading_human", json_stringn(minutes, n));
	}
	if (strcmp(lang, view_site_field(req, "language")) != 0) {
		json_object_set_new(a, "lang_attr", json_string(lang));
		json_object_set_new(a, "dir_attr", json_string(lang_is_rtl(lang) ? "rtl" : "ltr"));
	}
}

void view_decorate_list(struct request *req, json_t *articles)
{
	size_t i;
	json_t *a;
	json_array_foreach(articles, i, a) view_decorate_article(req, a);
}

int64_t view_article_time(const json_t *a)
{
	const char *keys[] = {"updated_at", "published_at"};
	for (size_t i = 0; i < 2; i++) {
		const char *v = json_string_value(json_object_get(a, keys[i]));
		int64_t t;
		if (v && date_parse(v, &t) == 0)
			return t;
	}
	return 0;
}

/* The absolute URL of this page, from its decoded path encoded the one canonical way. */
json_t *view_canonical_url(struct request *req)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, req->worker->public_url);
	request_path(req, (size_t)-1, &b);
	json_t *v = view_string(&b);
	buf_free(&b);
	return v;
}

/*
 * The view model every page starts from: {"site": ..., "page": {"title",
 * "description", "canonical", "type"}}.  canonical may be NULL (error
 * pages have none).  NULL if a value was not valid UTF-8.
 */
json_t *view_base_model(struct request *req, const char *title, const char *description,
                          json_t *canonical)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", title ? title : "",
	                         "description", description ? description : "", "type", "website",
	                         "lang", view_site_field(req, "language"), "dir",
	                         view_site_field(req, "dir")[0] ? view_site_field(req, "dir") : "ltr");
	if (page && canonical)
		json_object_set(page, "canonical", canonical);
	json_decref(canonical);
	return page ? json_pack("{s:O, s:o}", "site", req->worker->site, "page", page) : NULL;
}

void view_set_language(struct request *req, json_t *model, const char *lang)
{
	if (strcmp(lang, view_site_field(req, "language")) == 0)
		return;
	view_set_page(model, "lang", json_string(lang));
	view_set_page(model, "dir", json_string(lang_is_rtl(lang) ? "rtl" : "ltr"));
	/* The site's own parts (header, footer) keep the site's language. */
	view_set_page(model, "site_lang", json_true());
}

void view_set_page(json_t *model, const char *key, json_t *value)
{
	json_object_set_new(json_object_get(model, "page"), key, value);
}

const char *view_site_field(struct request *req, const char *key)
{
	const char *v = json_string_value(json_object_get(req->worker->site, key));
	return v ? v : "";
}

/*
 * The hosts site.yaml's iframe_hosts lets pages show, as the page's CSP
 * frame-src: the sanitizer kept <iframe>s of these hosts only, over https.
 */
static void frame_sources(struct request *req, struct response *resp)
{
	json_t *hosts = json_object_get(req->worker->site, "iframe_hosts");
	size_t i, at = 0;
	json_t *h;
	resp->frame_src[0] = '\0';
	json_array_foreach(hosts, i, h)
	{
		const char *name = json_string_value(h);
		int n = name ? snprintf(resp->frame_src + at, sizeof resp->frame_src - at, "%shttps://%s",
		                        at ? " " : "", name)
		             : 0;
		if (n < 0 || (size_t)n >= sizeof resp->frame_src - at) {
			resp->frame_src[at] = '\0'; /* a host that does not fit is not allowed */
			break;
		}
		at += (size_t)n;
	}
}

/* Renders template with model (which it takes); a NULL model is a 500. */
void view_render(struct request *req, struct response *resp, unsigned status,
                   const char *template, json_t *model)
{
	if (model == NULL) {
		log_msg(LOG_ERROR, "the view model of '%s' could not be built", template);
		response_text(resp, 500, "Internal Server Error: this page could not be built.\n");
		return;
	}
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	resp->html = true;
	frame_sources(req, resp);
	buf_reset(&resp->body);
	if (tmpl_render(req->app->templates, template, model, &resp->body) < 0) {
		log_msg(LOG_ERROR, "template '%s' is missing", template);
		response_text(resp, 500, "This page cannot be shown: its template is missing.\n");
	}
	json_decref(model);
}
