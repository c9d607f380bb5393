/*
 * ghost.h: a Ghost JSON export (Settings > Labs > Export in Ghost 2 to 5,
 * older ones too) read as a stream of gazette documents (reader.h).
 *
 * Each post and page becomes one struct fm_doc with an HTML body
 * ("format": "html") and these front matter fields:
 *
 *   title, slug            as Ghost has them (a title is text: kept verbatim)
 *   type: "page"           for pages ("type": "page", or "page": 1 before Ghost 3)
 *   draft: "true"          for drafts, and for email-only posts (status "sent")
 *   date                   published_at (a scheduled post keeps its future
 *                          date); created_at when there is none
 *   lastmod                updated_at
 *                          (dates as "YYYY-MM-DDTHH:MM:SSZ", from ISO text or
 *                          milliseconds since 1970)
 *   summary                custom_excerpt, else the meta description
 *   authors, tags          names, in Ghost's order; internal tags left out
 *   aliases                ["/SLUG/"], Ghost's default address of both
 *   image, image_alt,      feature_image and its alt text and caption (the
 *   image_caption          caption is HTML, as Ghost stores it)
 *   visibility, featured,  kept as they are ("featured" as "true"/"false")
 *   canonical_url
 *   ghost_id               the post's id in Ghost
 *
 * "__GHOST_URL__/", Ghost 4's stand-in for the site's address, becomes "/"
 * in bodies and URLs.  Secrets and personal data are never read:
 * members, newsletters, Stripe, API keys, integrations, webhooks, sessions,
 * users' e-mail addresses and passwords, and every setting but the site's
 * title, description and language.  One notice says which tables were
 * left out, with their row counts only.  Posts' code injection (scripts
 * for the page's head or foot) is left out too, and counted in a notice.
 */
#ifndef GAZETTE_IMPORT_GHOST_H
#define GAZETTE_IMPORT_GHOST_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/log.h"
#include "reader.h"

struct ghost_stats {
	char version[32];        /* Ghost's version from the export's meta, "" if none */
	unsigned posts;          /* documents handed over: posts and pages */
	unsigned pages;          /* of which pages */
	unsigned drafts;         /* of which drafts (email-only posts included) */
	unsigned scheduled;      /* of which scheduled for later */
	unsigned email_only;     /* posts sent by e-mail only (status "sent") */
	unsigned members_only;   /* visibility other than "public" */
	unsigned code_injection; /* with code for their head or foot: left out */
	unsigned from_html;      /* bodies: Ghost's own HTML */
	unsigned from_mobiledoc; /*   rendered from Mobiledoc */
	unsigned from_lexical;   /*   rendered from Lexical */
	unsigned from_markdown;  /*   Markdown of a Ghost 0.x post */
	unsigned empty;          /*   none at all */
	unsigned unknown_cards;  /* documents that lost a card of an unknown kind */
	unsigned tables_left_out;
	unsigned long rows_left_out;
	unsigned settings_left_out;
};

/*
 * Reads the export at path, calls sink->notice (if set) for what it leaves
 * out, sink->settings (if set) once, then sink->doc for each post and page
 * in the order of the file.  The whole file is loaded at once (with
 * jansson: an export holds the text of a site, tens of MB at most; files
 * over 512 MiB are refused), but documents are built and handed over one
 * at a time.  stats may be NULL.
 *
 * Returns 0; or -1 with err set: a file that cannot be read, damaged JSON
 * (err->line and the message give the line, column and byte offset), a
 * file that is not a Ghost export, or a bad value, named by its JSON path
 * ("db[0].data.posts[3].published_at: ...").  err->file is path.  When a
 * sink callback returns -1, the reading stops and err is as it left it.
 */
int ghost_read(const char *path, const struct import_sink *sink, struct ghost_stats *stats,
               struct diag *err);

/*
 * True if the first len bytes of a file look like a Ghost export: a JSON
 * object that starts with "db", or that mentions "exported_on", or starts
 * with "meta" or "data" and mentions "posts".  A guess to pick the reader;
 * ghost_read() decides.
 */
bool ghost_sniff(const char *head, size_t len);

#endif
