/*
 * view.h: the view models of HTML pages, shared by the pages and the error
 * answers (site/ only).
 */
#ifndef GAZETTE_SITE_VIEW_H
#define GAZETTE_SITE_VIEW_H

#include <jansson.h>

#include "gazette/base/lang.h"
#include "gazette/http/http.h"
#include "gazette/site/app.h"

/* A JSON string of a buffer's bytes (empty for an empty buffer). */
json_t *view_string(const struct buf *b);

/*
 * The language an article (in the API's shape) is shown in, into out: its
 * own "lang" in canonical form (lang_canonical()), else the site's.
 */
void view_article_language(struct request *req, const json_t *a, char out[LANG_TAG_MAX]);

/*
 * Adds what a reader sees but the API leaves out: "path" (the link, below
 * the public URL's path), "published_human" and, when it differs,
 * "updated_human", in the article's language (lang_date_long());
 * "reading_human", its minutes in that language when it is not English
 * (lang_minutes()); and, for an article in another language than the
 * site's, "lang_attr" and "dir_attr" ("rtl" or "ltr") for the element
 * that shows it in a list.
 */
void view_decorate_article(struct request *req, json_t *a);
/* The same for every article of a list. */
void view_decorate_list(struct request *req, json_t *articles);

/*
 * When an article (in the API's shape) last changed: its updated_at, else
 * its published_at; 0 if it has neither (an undated page).
 */
int64_t view_article_time(const json_t *a);

/* The absolute URL of this page, from its decoded path encoded the one canonical way. */
json_t *view_canonical_url(struct request *req);

/*
 * The view model every page starts from: {"site": ..., "page": {"title",
 * "description", "canonical", "type", "lang", "dir"}} (the site's
 * language and writing direction); it takes canonical, which may be NULL
 * (error pages have none).  NULL if a value was not valid UTF-8.
 */
json_t *view_base_model(struct request *req, const char *title, const char *description,
                        json_t *canonical);
/*
 * Makes the page's language lang (an article's, in canonical form) where
 * it is not the site's: page.lang, page.dir, and page.site_lang (the
 * site's header and footer then say theirs).
 */
void view_set_language(struct request *req, json_t *model, const char *lang);
/* Sets model.page.key to value (taken). */
void view_set_page(json_t *model, const char *key, json_t *value);
/* A text field of the site ("title", "description"); "" if it has none. */
const char *view_site_field(struct request *req, const char *key);

/*
 * The JSON-LD of article a's page (jsonld.c), canonical its address: the
 * text of a <script type="application/ld+json">, as a JSON string; NULL
 * when a value it needs is missing.
 */
json_t *jsonld_article(struct request *req, json_t *a, json_t *canonical);

/* ---- lists of articles (pages.c) ---------------------------------------- */

/*
 * {"page", "pages", "total", "several", "prev_url", "next_url"} for page
 * page of a list at prefix ("/tags/x"; "" is the front page) or of a
 * search for words (prefix then unused).
 */
json_t *pages_pagination(struct request *req, const char *prefix, const char *words,
                         unsigned page, unsigned pages, unsigned total);
/*
 * Lists articles for q into *articles (decorated for a page), *total and
 * *pages; answers the error itself (500, or 404 past the last page) and
 * returns -1 if there is nothing to show.
 */
int pages_list_or_answer(struct request *req, struct response *resp,
                         const struct article_query *q, json_t **articles, unsigned *total,
                         unsigned *pages);

/* Renders template with model (which it takes) into resp; a NULL model is a 500. */
void view_render(struct request *req, struct response *resp, unsigned status,
                 const char *template, json_t *model);

#endif
