/*
 * routes.c: every address gazette answers, as data.  The first route that
 * matches wins, so /{slug} (standalone pages) comes last but one, and the
 * files and old addresses last of all.  To add a route:
 * a row here, its handler in handlers.h, and the query parameters it takes
 * (router.c checks them before the handler runs).
 */
#include "routes.h"

#include "gazette/base/util.h"
#include "handlers.h"

/* What a list of the API takes. */
#define LIST_QUERY                                                                                 \
	(QP_BIT(QP_LIMIT) | QP_BIT(QP_PAGE) | QP_BIT(QP_TAG) | QP_BIT(QP_AUTHOR) | QP_BIT(QP_Q) |  \
	 QP_BIT(QP_ORDER) | QP_BIT(QP_FIELDS) | QP_BIT(QP_STATUS) | QP_BIT(QP_YEAR) |            \
	 QP_BIT(QP_MONTH))

/* Anything but the published articles (?status=draft, scheduled, all) needs read-drafts. */
static enum token_scope list_scope(const struct params *p)
{
	return p->status != STATUS_PUBLISHED ? SCOPE_READ_DRAFTS : SCOPE_NONE;
}

/* An article's revisions are for the people who may read its drafts. */
static enum token_scope drafts_scope(const struct params *p)
{
	(void)p;
	return SCOPE_READ_DRAFTS;
}

/*
 * .json: an HTML page's JSON, for a client whose Accept prefers it: the
 * answer of the API address that holds the same data (handlers.h).
 */
/* clang-format off */
const struct route routes[] = {
    {.name = "home", .segs = {{SEG_END, NULL}}, .handler = pages_home, .query = QP_BIT(QP_P),
     .json = api_home_json},
    {.name = "home", .segs = {LIT("page"), PAGE}, .handler = pages_home, .json = api_home_json},
    {.name = "article", .kind = ROUTE_ARTICLE, .segs = {LIT("articles"), SLUG},
     .handler = pages_article, .json = api_article},
    {.name = "tags", .segs = {LIT("tags")}, .handler = pages_tags, .json = api_tags},
    {.name = "tag", .segs = {LIT("tags"), SLUG}, .handler = pages_tag, .json = api_tag_json},
    {.name = "tag", .segs = {LIT("tags"), SLUG, LIT("page"), PAGE}, .handler = pages_tag,
     .json = api_tag_json},
    {.name = "authors", .segs = {LIT("authors")}, .handler = pages_authors, .json = api_authors},
    {.name = "author", .segs = {LIT("authors"), SLUG}, .handler = pages_author,
     .json = api_author_json},
    {.name = "author", .segs = {LIT("authors"), SLUG, LIT("page"), PAGE},
     .handler = pages_author, .json = api_author_json},
    {.name = "archive", .segs = {LIT("archive")}, .handler = pages_archive,
     .json = api_archive_json},
    {.name = "archive", .segs = {LIT("archive"), LIT("page"), PAGE}, .handler = pages_archive,
     .json = api_archive_json},
    {.name = "archive", .segs = {LIT("archive"), YEAR}, .handler = pages_archive,
     .json = api_archive_json},
    {.name = "archive", .segs = {LIT("archive"), YEAR, LIT("page"), PAGE},
     .handler = pages_archive, .json = api_archive_json},
    {.name = "archive", .segs = {LIT("archive"), YEAR, MONTH}, .handler = pages_archive,
     .json = api_archive_json},
    {.name = "archive", .segs = {LIT("archive"), YEAR, MONTH, LIT("page"), PAGE},
     .handler = pages_archive, .json = api_archive_json},
    {.name = "search", .segs = {LIT("search")}, .handler = pages_search,
     .query = QP_BIT(QP_Q) | QP_BIT(QP_PAGE), .json = api_search_json},
    {.name = "static", .segs = {LIT("static"), REST}, .handler = static_file},
    {.name = "feed", .segs = {LIT("feed.xml")}, .handler = feeds_atom},
    {.name = "feed", .segs = {LIT("rss.xml")}, .handler = feeds_rss},
    {.name = "feed", .segs = {LIT("feed.json")}, .handler = feeds_json},
    {.name = "feed", .segs = {LIT("tags"), SLUG, LIT("feed.xml")}, .handler = feeds_atom},
    {.name = "feed", .segs = {LIT("tags"), SLUG, LIT("rss.xml")}, .handler = feeds_rss},
    {.name = "feed", .segs = {LIT("tags"), SLUG, LIT("feed.json")}, .handler = feeds_json},
    {.name = "sitemap", .segs = {LIT("sitemap.xml")}, .handler = sitemap_xml,
     .query = QP_BIT(QP_PAGE)},
    {.name = "robots", .segs = {LIT("robots.txt")}, .handler = robots_txt},
    {.name = "static", .segs = {LIT("favicon.ico")}, .handler = static_favicon},
    {.name = "healthz", .segs = {LIT("healthz")}, .handler = ops_healthz, .live = true},
    {.name = "metrics", .segs = {LIT("metrics")}, .handler = ops_metrics, .live = true},
    {.name = "api_articles", .segs = {LIT("api"), LIT("v1"), LIT("articles")},
     .handler = api_articles, .query = LIST_QUERY, .api = true, .read_scope = list_scope,
     .writes = METHOD_POST, .write = api_write, .precheck = api_write_precheck},
    {.name = "api_article", .kind = ROUTE_ARTICLE,
     .segs = {LIT("api"), LIT("v1"), LIT("articles"), SLUG},
     .handler = api_article, .query = QP_BIT(QP_FIELDS), .api = true,
     .writes = METHOD_PUT | METHOD_PATCH | METHOD_DELETE, .write = api_write,
     .precheck = api_write_precheck},
    {.name = "api_revisions", .segs = {LIT("api"), LIT("v1"), LIT("articles"), SLUG,
     LIT("revisions")}, .handler = api_revisions, .api = true, .live = true,
     .read_scope = drafts_scope},
    {.name = "api_tags", .segs = {LIT("api"), LIT("v1"), LIT("tags")}, .handler = api_tags,
     .api = true},
    {.name = "api_authors", .segs = {LIT("api"), LIT("v1"), LIT("authors")},
     .handler = api_authors, .api = true},
    {.name = "api_archive", .segs = {LIT("api"), LIT("v1"), LIT("archive")},
     .handler = api_archive, .api = true},
    {.name = "api_openapi", .segs = {LIT("api"), LIT("v1"), LIT("openapi.json")},
     .handler = api_openapi, .api = true},
    {.name = "api_files", .segs = {LIT("api"), LIT("v1"), LIT("files")},
     .handler = api_files, .query = QP_BIT(QP_PATH), .api = true, .writes = METHOD_POST,
     .write = api_file_upload, .precheck = api_file_precheck, .upload = true},
    {.name = "page", .kind = ROUTE_STANDALONE, .segs = {SLUG}, .handler = pages_standalone},
    /* Last: what no route above takes is a file, an old address, or nothing. */
    {.name = "file", .kind = ROUTE_FILE, .segs = {ANY}, .handler = files_serve},
};
/* clang-format on */

const size_t routes_count = GZ_ARRAY_LEN(routes);
