/*
 * sitemap.c: /sitemap.xml (every published article, and nothing else, as
 * search engines want it) and /robots.txt.  A site of more than 50,000
 * articles gets a sitemap index whose parts are /sitemap.xml?page=N.
 */
#include <stdio.h>
#include <string.h>

#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "gazette/base/escape.h"
#include "handlers.h"
#include "gazette/site/router.h"

/* The sitemaps.org limit of URLs per file. */
#define SITEMAP_URLS 50000

struct sitemap_ctx {
	struct buf *out;
	const char *base;
};

static void url_entry(void *arg, const char *slug, const char *lastmod)
{
	struct sitemap_ctx *c = arg;
	struct buf loc = BUF_INIT;
	escape_site_link(&loc, c->base, "/articles/", slug);
	buf_puts(c->out, "<url><loc>");
	escape_html(c->out, loc.data, loc.len);
	buf_printf(c->out, "</loc><lastmod>%s</lastmod></url>\n", lastmod);
	buf_free(&loc);
}

void sitemap_xml(struct request *req, struct response *resp)
{
	long long total = store_count_published(req->worker->store, req->now);
	if (total < 0) {
		errors_database(req, resp);
		return;
	}
	unsigned parts = (unsigned)((total + SITEMAP_URLS - 1) / SITEMAP_URLS);
	bool asked_part = req->p.given & QP_BIT(QP_PAGE);
	struct buf *b = &resp->body;
	buf_reset(b);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");

	if (parts > 1 && !asked_part) {
		/* Too many for one file: an index of the parts. */
		buf_puts(b,
		         "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
		for (unsigned i = 1; i <= parts; i++) {
			struct buf loc = BUF_INIT;
			buf_printf(&loc, "%s/sitemap.xml?page=%u", req->worker->public_url, i);
			buf_puts(b, "<sitemap><loc>");
			escape_html(b, loc.data, loc.len);
			buf_puts(b, "</loc></sitemap>\n");
			buf_free(&loc);
		}
		buf_puts(b, "</sitemapindex>\n");
	} else {
		unsigned part = asked_part ? (unsigned)req->p.page : 1;
		if (part > (parts ? parts : 1)) {
			errors_answer(req, resp, 404, "There is no such part of the sitemap.");
			return;
		}
		buf_puts(b, "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
		struct sitemap_ctx c = {b, req->worker->public_url};
		if (store_each_article(req->worker->store, req->now, (part - 1) * SITEMAP_URLS,
		                       SITEMAP_URLS, url_entry, &c) < 0) {
			errors_database(req, resp);
			return;
		}
		buf_puts(b, "</urlset>\n");
	}
	resp->status = 200;
	resp->content_type = "application/xml; charset=utf-8";
}

void robots_txt(struct request *req, struct response *resp)
{
	struct buf *b = &resp->body;
	buf_reset(b);
	/* Search result pages are endless and change with every import. */
	buf_printf(b, "User-agent: *\nDisallow: %s/search\n\nSitemap: %s/sitemap.xml\n",
	           req->worker->base_path, req->worker->public_url);
	resp->status = 200;
	resp->content_type = "text/plain; charset=utf-8";
}
