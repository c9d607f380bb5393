/*
 * reader.h: the export file of another system (a WordPress WXR file, a
 * Ghost JSON export) read as a stream of documents in gazette's content
 * format, one at a time, so that a large export is never in memory whole.
 *
 * A document is what a Markdown file with front matter would give
 * (struct fm_doc): its front matter as the content format's fields (title,
 * slug, date, lastmod, summary, authors, tags, draft, type, aliases, ...,
 * with fm_value_from_json()'s value conventions: strings, null, lists and
 * mappings of those) and a body.  A body in HTML has "format": "html" in
 * its front matter.  Fields the format does not know are kept as they are.
 */
#ifndef GAZETTE_IMPORT_READER_H
#define GAZETTE_IMPORT_READER_H

#include <jansson.h>

#include "gazette/base/log.h"
#include "gazette/content/frontmatter.h"

struct import_sink {
	/*
	 * One post or page.  doc and what it points to are the reader's and
	 * valid only during the call.  where says where it is in the file, for
	 * messages ("line 120", "db[0].data.posts[3]").  Returns 0, or -1 (with
	 * err set) to stop the reading.
	 */
	int (*doc)(void *ctx, const struct fm_doc *doc, const char *where, struct diag *err);
	/*
	 * The site as the export describes it, once, before the first document:
	 * an object with any of "title", "description", "language" (strings),
	 * "authors" (slug -> {"name", "bio", "avatar"}) and "site_urls" (the
	 * old site's own URLs, "https://example.com/blog").  Borrowed.
	 */
	int (*settings)(void *ctx, json_t *settings, struct diag *err);
	/* A line for the person importing: what was skipped or left out, and why. */
	void (*notice)(void *ctx, const char *msg);
	void *ctx;
};

#endif
