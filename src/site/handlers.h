/*
 * handlers.h: the route handlers, one file per family (pages.c for HTML,
 * api.c for JSON, static.c for files, ops.c for health).  Each fills the
 * response from req->p, which the router has checked.
 */
#ifndef GAZETTE_HANDLERS_H
#define GAZETTE_HANDLERS_H

#include "gazette/http/http.h"

void pages_home(struct request *req, struct response *resp);
void pages_article(struct request *req, struct response *resp);
void pages_tag(struct request *req, struct response *resp);
void pages_author(struct request *req, struct response *resp);
void pages_search(struct request *req, struct response *resp);
void pages_standalone(struct request *req, struct response *resp);
/* indexes.c: /tags, /authors, and the archive by year and month. */
void pages_tags(struct request *req, struct response *resp);
void pages_authors(struct request *req, struct response *resp);
void pages_archive(struct request *req, struct response *resp);

/* Articles on a page of the archive, in HTML and in its JSON. */
#define ARCHIVE_PER_PAGE 100
/*
 * The published_at range [*from, *until) of a year (month 0) or of one of
 * its months (1-12), UTC: the archive's pages and ?year=&month= of the API.
 */
void archive_range(unsigned year, unsigned month, int64_t *from, int64_t *until);

void api_articles(struct request *req, struct response *resp);
void api_article(struct request *req, struct response *resp);
void api_tags(struct request *req, struct response *resp);
void api_authors(struct request *req, struct response *resp);
void api_revisions(struct request *req, struct response *resp);
void api_openapi(struct request *req, struct response *resp);
/* GET /api/v1/archive: how many articles each year and month holds. */
void api_archive(struct request *req, struct response *resp);
/*
 * The JSON of HTML pages (Accept: application/json), each the answer of
 * the API address with the same data: a page of the front page, a tag's,
 * an author's, a search or the archive is GET /api/v1/articles with that
 * page and filter (a tag or an author that has no published article is a
 * 404, as its page is); the front page's "?p=N" still leads to its article.
 */
void api_home_json(struct request *req, struct response *resp);
void api_tag_json(struct request *req, struct response *resp);
void api_author_json(struct request *req, struct response *resp);
void api_search_json(struct request *req, struct response *resp);
void api_archive_json(struct request *req, struct response *resp);
/* POST, PUT, PATCH and DELETE of articles (api_write.c). */
void api_write(struct request *req, struct response *resp);
/*
 * What a write must pass before its body is read (token, Content-Type).
 * Returns true, or false with resp filled (401, 403, 415).
 */
bool api_write_precheck(struct request *req, struct response *resp);
/*
 * {"article": ...} as GET /api/v1/articles/SLUG answers it (any_status:
 * as a token holder sees it; fields: as ?fields= trims it, or NULL).  NULL
 * with *found 0 (none) or -1 (error).
 */
json_t *api_article_answer(struct request *req, const char *slug, bool any_status,
                           const char *fields, int *found);


/*
 * Every GET or HEAD no other route takes (files.c): a file at that
 * address (or its hashed one), an old address (301), else 404.
 */
void files_serve(struct request *req, struct response *resp);
/*
 * Answers 301 if address (as the router spells a path: request_path(),
 * or "/?p=N") is an old address of an article, and returns true; true
 * too after a database error (answered); false if it is none.
 */
bool files_old_address(struct request *req, struct response *resp, const char *address);
/* GET /api/v1/files: every file, by path. */
void api_files(struct request *req, struct response *resp);
/* POST /api/v1/files?path=: before the body (token, ?path, form or encoding: 400, 401, 403, 415). */
bool api_file_precheck(struct request *req, struct response *resp);
/* ... and once the body is in: 201 (new bytes at path), 200 (the same bytes), 413, 415. */
void api_file_upload(struct request *req, struct response *resp);

void static_file(struct request *req, struct response *resp);
/* /favicon.ico, which browsers ask for whatever the page says. */
void static_favicon(struct request *req, struct response *resp);

void feeds_atom(struct request *req, struct response *resp);
void feeds_rss(struct request *req, struct response *resp);
void feeds_json(struct request *req, struct response *resp);
void sitemap_xml(struct request *req, struct response *resp);
void robots_txt(struct request *req, struct response *resp);
void ops_healthz(struct request *req, struct response *resp);
void ops_metrics(struct request *req, struct response *resp);

#endif
