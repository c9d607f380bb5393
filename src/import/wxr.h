/*
 * wxr.h: a WordPress export (WXR 1.0, 1.1, 1.2: WordPress's "Export" tool
 * writes it, an RSS 2.0 file with the wp: namespace) read as a stream of
 * gazette documents.  Private to import/.
 *
 * Each post (wp:post_type post) becomes an article and each page one with
 * `type: page`, handed to the sink as front matter and an HTML body, in
 * the content format's fields (reader.h):
 *
 *   title      <title>, its tags dropped and character references decoded;
 *              "Untitled" when empty
 *   slug       wp:post_name, percent-decoded (WordPress stores non-ASCII
 *              slugs encoded); left out when empty (drafts) or unusable,
 *              so that gazette makes one from the title
 *   date       wp:post_date_gmt as 2019-03-05T10:00:00Z; when that is
 *              0000-00-00 00:00:00 (drafts), wp:post_date less the site's
 *              offset from UTC, learned from the items that have both
 *   lastmod    wp:post_modified_gmt (or post_modified), when after the date
 *   draft      "true" unless wp:status is publish or future (scheduled:
 *              published at its future date); password-protected posts too
 *   type       "page" for pages, with weight: wp:menu_order when not 0
 *   authors    [display name of the channel's wp:author whose login is
 *              dc:creator] (the login itself when the file lists none)
 *   tags       the names of the item's categories, then of its tags
 *              (<category domain="category|post_tag|tag">), without
 *              WordPress's default "Uncategorized"
 *   summary    excerpt:encoded as text, when not empty
 *   image      the wp:attachment_url of the attachment _thumbnail_id names
 *   sticky     "true" for wp:is_sticky 1
 *   aliases    the path of <link> and "/?p=ID": the addresses WordPress
 *              answered, for redirects
 *   wp_id      wp:post_id; wp_parent: wp:post_parent when not 0
 *   wp_meta    {key: value} of the wp:postmeta whose key does not start
 *              with '_' (WordPress's own), the first value of each key
 *   format     "html"; the body is content:encoded through wp_content_html()
 *
 * Everything else is left out and counted: other post types (attachment,
 * nav_menu_item, revision, custom ones), posts in the trash, comments.
 */
#ifndef GAZETTE_IMPORT_WXR_H
#define GAZETTE_IMPORT_WXR_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/log.h"
#include "reader.h"
#include "wpcontent.h"

struct wxr_stats {
	char version[8];          /* the wp: namespace's version: "1.0", "1.1", "1.2" */
	unsigned posts;           /* handed to the sink as articles */
	unsigned pages;           /* ... as pages */
	unsigned drafts;          /* of those, drafts */
	unsigned scheduled;       /* of those, status future */
	unsigned protected;       /* of the drafts, password-protected ones */
	unsigned trashed;         /* posts and pages in the trash: left out */
	unsigned comments;        /* left out */
	unsigned local_dates;     /* dates read from local time (no UTC time in the file) */
	int zone_offset;          /* seconds east of UTC, learned; 0 when nothing to learn from */
	unsigned zone_samples;    /* items that had both times */
	unsigned images;          /* featured images found */
	unsigned missing_images;  /* _thumbnail_id naming no attachment of the file */
	unsigned untitled;        /* titled "Untitled" */
	unsigned bad_slugs;       /* wp:post_name that cannot be a slug: left to gazette */
	struct wp_counts skipped; /* items left out, by post type */
	struct wp_counts shortcodes; /* shortcodes kept as text, by name */
};

/*
 * Reads the export at path and hands each post and page to sink->doc (in
 * the file's order), after sink->settings once with the channel's title,
 * description, language and authors.  Then notices (sink->notice) say
 * what was left out, which shortcodes stayed text, and how dates without
 * a UTC time were read.  sink->settings and sink->notice may be NULL.
 *
 * The file is read twice, as a stream: first to check it and to learn the
 * authors, the attachments' URLs that posts use as images and the site's
 * time zone; then for the posts.  Memory holds one item's strings at a
 * time plus those small maps.  The XML parser loads nothing from the
 * network, reads no DTD and expands no entities: a file with a DOCTYPE is
 * refused.
 *
 * Returns 0, or -1 with err set (err->file is path, err->line the line of
 * the file): the file cannot be opened, is damaged XML (the parser's
 * message and line), is not a WordPress export (not <rss>, no wp:
 * namespace), has an <item> without wp:post_type, or the sink said stop
 * (its error kept, with the file and the item's line added when missing).
 * A damaged file stops in the first reading, before any document.  stats
 * (may be NULL) is filled in either case.
 */
int wxr_read(const char *path, const struct import_sink *sink, struct wxr_stats *stats,
             struct diag *err);

/*
 * True if head[0..len), the start of a file, looks like a WordPress
 * export: an <rss> element that declares the wp: namespace
 * (http://wordpress.org/export/1.x/) in its first 4 KB or so.
 */
bool wxr_sniff(const char *head, size_t len);

#endif
