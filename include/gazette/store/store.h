/*
 * store.h: everything gazette keeps, in one SQLite file.
 *
 * A struct store is one connection with its prepared statements.  It is
 * used by one thread at a time: the server opens one per worker thread,
 * import opens one for its transaction.  Read queries return jansson
 * values in the shape of the JSON API (static/openapi.json), which are
 * also the view models the HTML pages are rendered from.
 */
#ifndef GAZETTE_STORE_H
#define GAZETTE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gazette/content/article.h"
#include "gazette/base/log.h"
#include "gazette/base/token.h"

struct store;

enum store_flags {
	STORE_CREATE = 1 << 0,   /* create the file (and schema) if it does not exist */
	STORE_READONLY = 1 << 1, /* open read-only: no migrations, no writes */
	STORE_VERIFY = 1 << 2,   /* read every page first (PRAGMA quick_check): refuse damage */
	STORE_MMAP = 1 << 3,     /* read through a memory mapping (the server's readers) */
};

/*
 * Opens (and with STORE_CREATE creates) the database at path, checks it is
 * a gazette database and migrates its schema forward.  Returns 0, or -1
 * with err->msg set (err->file is set to path).  *created tells whether the
 * file was new (may be NULL).
 */
int store_open(const char *path, int flags, struct store **out, bool *created, struct diag *err);
/*
 * True if this process could open path to write: the file and its folder
 * (for the -wal and -shm files) may be written, or a new file made there.
 */
bool store_can_write(const char *path);
/*
 * True if a read-only store had to open its file as immutable (its folder
 * cannot be written): SQLite then sees no change made to the file in place.
 */
bool store_is_immutable(const struct store *st);
/*
 * For a database no other connection has open (one this process has just
 * made, for its first import): its writes go straight into the file,
 * through a rollback journal, instead of into the write-ahead log and
 * then, at the checkpoint, into the file again.  On the shared harness's
 * 10,000 articles an import took 6.0-6.4 s in WAL mode, 4.1-4.2 s so.
 * Not for a database that is served: a reader would wait for the whole
 * write (the log lets it read meanwhile).  1 if done, 0 if another
 * connection has the file (nothing changed), -1 on error.  store_close()
 * goes back to the log.
 */
int store_journal_alone(struct store *st);
/* Finalizes statements and closes the connection; NULL is fine. */
void store_close(struct store *st);

/*
 * Reads every page of the database (PRAGMA quick_check), as STORE_VERIFY
 * does.  Returns 0 if it is sound, -1 with err->msg set if it is damaged,
 * 1 if store_interrupt() stopped it first.
 */
int store_verify(struct store *st, struct diag *err);
/* Stops what st is running (from another thread): store_verify() returns 1. */
void store_interrupt(struct store *st);

/* Deletes a database file with its -wal and -shm companions (a new one that failed). */
void store_remove(const char *path);

/* The message of the connection's last error (for logs). */
const char *store_errmsg(struct store *st);

/*
 * A number that changes whenever another connection (any process) commits
 * a change.  Cheap: compare it per request to notice imports.  -1 on error.
 */
long long store_data_version(struct store *st);

/* ---- reading ---------------------------------------------------------- */

/* How absolute URLs are made: base is the public URL without a trailing '/'. */
struct store_urls {
	const char *base; /* e.g. "https://example.org/blog" */
};

enum article_order {
	ORDER_NEWEST,
	ORDER_OLDEST,
	ORDER_TITLE,
	ORDER_RELEVANCE, /* only with a search */
};

/* Which articles a list holds; readers see only the published. */
enum article_status { STATUS_PUBLISHED, STATUS_SCHEDULED, STATUS_DRAFT, STATUS_ALL };

/* The most articles one list returns: a page of a list, a feed (the store's buffers hold this many). */
#define ARTICLE_LIST_MAX 100

struct article_query {
	const char *tag;    /* tag slug, or NULL */
	const char *author; /* author slug, or NULL */
	const char *q;      /* search words as the user typed them, or NULL */
	enum article_order order;
	unsigned limit; /* 1 to ARTICLE_LIST_MAX */
	unsigned page;  /* 1-based */
	int64_t now;    /* articles dated after now are scheduled, not shown */
	bool with_body; /* add "body_html" to each article (feeds) */
	enum article_status status;
	/* Only articles published from .. until (UTC seconds, until excluded); none if until <= from. */
	int64_t from, until;
};

/* How many pages of limit hold total articles: at least 1, so an empty list has a page. */
static inline unsigned article_pages(unsigned total, unsigned limit)
{
	unsigned pages = (total + limit - 1) / limit;
	return pages ? pages : 1;
}

/*
 * Lists published articles (no pages, no drafts, nothing scheduled).
 * *articles gets a new array of article objects without body_html; with a
 * search, each also has "snippet": [{"text", "match"}...] segments of the
 * body around the matched words.  *total is the number of all matches.
 * Returns 0, or -1 on a database error.
 */
int store_list_articles(struct store *st, const struct store_urls *urls,
                        const struct article_query *q, json_t **articles, unsigned *total);

/*
 * One published article or page by slug, with body_html.  kind selects
 * which.  Returns 1 and sets *out, 0 if there is none (or it is a draft or
 * scheduled), -1 on error.
 */
int store_get_article(struct store *st, const struct store_urls *urls, enum article_kind kind,
                      const char *slug, int64_t now, json_t **out);

/* The same, drafts and scheduled articles too (for holders of a token). */
int store_get_any_article(struct store *st, const struct store_urls *urls, enum article_kind kind,
                          const char *slug, int64_t now, json_t **out);

/* Tags with at least one published article: [{"slug","name","count","url"}], by count then name. */
int store_list_tags(struct store *st, const struct store_urls *urls, int64_t now, json_t **out);
/*
 * Authors with at least one published article, by name: as tags are, and
 * what site.yaml says of them: "bio" ("" if none), "avatar" (an absolute
 * URL: an http(s) one as given, a path below the public URL; null if none
 * or of another scheme) and "links" ([{"name", "url"}], http, https and
 * mailto URLs only).
 */
int store_list_authors(struct store *st, const struct store_urls *urls, int64_t now, json_t **out);
/* One tag or author by slug (as in the lists); 1 found, 0 not, -1 error. */
int store_get_tag(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                  json_t **out);
int store_get_author(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                     json_t **out);

/* ---- ways through the site (store_nav.c) ------------------------------- */

/*
 * The published articles either side of the article with slug in the
 * order of every list (published_at, then id), each {"slug", "title",
 * "url", "published_at"} or NULL: *older the one before it, *newer the
 * one after.  A binary search of the articles in time order, kept in
 * memory.  0 (both NULL if there is no such article), or -1 on error.
 */
int store_article_neighbours(struct store *st, const struct store_urls *urls, const char *slug,
                             int64_t now, json_t **older, json_t **newer);
/*
 * Up to limit published articles that share tags with the article with
 * slug, in the shape of the neighbours: most tags in common first, then
 * nearest in time.  Only the articles near it in each of its first 8
 * tags are weighed (a bounded read of each tag, however large).  0 with
 * *out (an array, empty if none), or -1.
 */
int store_related_articles(struct store *st, const struct store_urls *urls, const char *slug,
                           int64_t now, unsigned limit, json_t **out);

/*
 * Both at once, as an article's page shows them: the neighbours, and up
 * to limit related articles that are not among them.  0, or -1 (all
 * three NULL).
 */
int store_article_ways(struct store *st, const struct store_urls *urls, const char *slug,
                       int64_t now, unsigned limit, json_t **older, json_t **newer,
                       json_t **related);
/*
 * How many articles are published in each year and month (UTC), newest
 * first: [{"year", "count", "url", "months": [{"month", "count", "url"}]}],
 * "url" the archive page's absolute address.  0 or -1.
 */
int store_archive(struct store *st, const struct store_urls *urls, int64_t now, json_t **out);

/* Published standalone pages for the navigation: [{"slug","title","url"}] by weight, title. */
int store_list_pages(struct store *st, const struct store_urls *urls, int64_t now, json_t **out);

/* Site settings from site.yaml as an object (title, description, ...); always an object. */
int store_get_settings(struct store *st, json_t **out);

/* When what the site shows changed, for Last-Modified (UTC seconds). */
struct content_times {
	int64_t last_change; /* any published content: the last import or publication that has come */
	int64_t site_change; /* what every page shows: the site settings, the standalone pages */
	int64_t next_due;    /* the earliest scheduled publication after now, 0 if none */
};

/* The content times as seen at now.  0 or -1. */
int store_content_times(struct store *st, int64_t now, struct content_times *out);

/*
 * Calls fn with the slug and the last change (RFC 3339) of published
 * articles, newest first, skipping offset and stopping after limit.
 * Returns 0 or -1.
 */
int store_each_article(struct store *st, int64_t now, unsigned offset, unsigned limit,
                       void (*fn)(void *ctx, const char *slug, const char *lastmod), void *ctx);

/* How many articles are published at now (for /metrics); -1 on error. */
long long store_count_published(struct store *st, int64_t now);

/*
 * Bytes of the search's phrase lists kept for st's database file, shared
 * by every connection of the process to it (0 before a search).
 */
size_t store_search_lists_bytes(struct store *st);

/* The most those lists hold (a server's file of filemem.h is sized for them). */
#define STORE_SEARCH_LISTS_MAX ((size_t)32 << 20)

/* Runs a trivial query to prove the database answers. */
int store_ping(struct store *st);

/*
 * One snapshot for a read of several queries (a list, then its tags and
 * bodies), so that a write committed meanwhile is seen whole or not at
 * all.  store_read_begin() opens a read transaction unless one is open
 * and returns whether it did; store_read_end() ends the one it opened.
 * Within it store_data_version() answers from the snapshot, asked once.
 */
bool store_read_begin(struct store *st);
void store_read_end(struct store *st, bool begun);

/* ---- writing (import) ------------------------------------------------- */

int store_begin(struct store *st); /* BEGIN IMMEDIATE: takes the write lock now */
int store_commit(struct store *st);
void store_rollback(struct store *st);

enum upsert_result { UPSERT_ADDED, UPSERT_UPDATED, UPSERT_UNCHANGED };

/* True if the article with a->slug is stored as a is: the same content, rendered the same way. */
bool store_article_is_current(struct store *st, const struct article *a);

/*
 * Inserts or replaces the article with a->slug; within a transaction.
 * before: the document it replaces when the caller has it already (it is
 * kept as a revision), or NULL to read it.  Returns 0 or -1.
 */
int store_upsert_article(struct store *st, const struct article *a, const json_t *before,
                         int64_t now, enum upsert_result *result);

/* The source recorded for slug: 1 with *source (malloc'd), 0 no such article, -1 error. */
int store_article_source(struct store *st, const char *slug, char **source);

/*
 * Within a transaction: the articles added from now on enter the
 * full-text index all at once, when it commits (store_commit()); articles
 * replaced or deleted meanwhile are indexed as always (one added meanwhile
 * is indexed first).  For an import: FTS5 writes out what it holds in memory at
 * the start of every statement that could be rolled back on its own, and
 * adding an article is one, so an index kept in step article by article
 * is written in as many pieces as there are articles, and merged again
 * and again.  0 or -1.
 */
int store_defer_index(struct store *st);

/* Deletes the articles imported from the built-in sample site; returns how many or -1. */
int store_delete_builtin(struct store *st);

/* Drops tags and authors no article refers to any more. */
int store_prune(struct store *st);

/* Replaces the site settings (an object) if they differ, noting now; *changed tells. */
int store_put_settings(struct store *st, json_t *settings, int64_t now, bool *changed);

/*
 * The authors site.yaml declares, slug -> {"name", "bio", "avatar",
 * "links": [{"name", "url"}]}: their name and details win over how
 * articles spell them; those no longer declared go back to their articles'
 * spelling; NULL declares none.  Borrows authors.  Within a transaction.
 * 0 or -1.
 */
int store_put_authors(struct store *st, json_t *authors);
/* Names every author not declared as the newest of their articles spells them.  0 or -1. */
int store_settle_author_names(struct store *st);

/* Records that content changed now (for Last-Modified). */
int store_touch(struct store *st, int64_t now);

/* ---- documents: articles as their authors gave them (store_document.c) --- */

/*
 * The article or page with slug, drafts and scheduled ones too, in the
 * write API's shape (see store_document.c).  1 and *out set, 0 if there is
 * none, -1 on error.
 */
int store_get_document(struct store *st, const char *slug, json_t **out);
/* What slug is: ARTICLE_POST or ARTICLE_PAGE; -2 if there is none, -1 on error. */
int store_article_kind(struct store *st, const char *slug);
/* Calls fn with every article and page (pages first, then by date); stops at fn's -1. */
int store_each_document(struct store *st, int (*fn)(void *ctx, json_t *doc), void *ctx);
/*
 * Keeps the article with slug as it is now among its revisions, before a
 * write replaces it (reason "updated") or deletes it ("deleted").  Within
 * the write's transaction.  doc: the article's document if the caller has
 * read it already, or NULL.  1 saved, 0 no such article, -1 error.
 */
int store_save_revision(struct store *st, const char *slug, const json_t *doc,
                        const char *reason, int64_t now);
/* The revisions of slug, newest first: [{"id", "saved_at", "reason", "article"}]. */
int store_list_revisions(struct store *st, const char *slug, unsigned limit, json_t **out);
/* Deletes the article with slug (its links go with it).  1 deleted, 0 none, -1 error. */
int store_delete_article(struct store *st, const char *slug);

/* ---- files and old addresses (store_files.c) -------------------------- */

/* A file a site ships, as the store describes it. */
struct store_file {
	int64_t blob_id;      /* for store_read_file() */
	char hash[65];        /* SHA-256 of the bytes, hex */
	int64_t size;         /* bytes */
	char type[128];       /* media type, found from the bytes at import */
	unsigned width;       /* images: pixels; 0 when not known */
	unsigned height;
	int64_t modified_at;  /* when the file at this address last changed */
};

/*
 * Keeps data as the file at path ("images/a.png", below the site; no
 * leading '/').  Bytes are stored once under their SHA-256, whatever the
 * paths that name them.  *changed: path holds other bytes than before (or
 * is new).  Within a transaction.  0 or -1.
 */
int store_put_file(struct store *st, const char *path, const void *data, size_t len,
                   const char *type, unsigned width, unsigned height, const char *source,
                   int64_t now, bool *changed);
/* The file at path: 1 with *f filled, 0 if there is none, -1 on error. */
int store_get_file(struct store *st, const char *path, struct store_file *f);
/* Reads n bytes of a file's content from offset into out: 0, or -1 (out of range too). */
int store_read_file(struct store *st, int64_t blob_id, size_t offset, void *out, size_t n);
/*
 * An open reading of a file's bytes that may last as long as a download:
 * a read transaction of its own on st (a connection that does nothing
 * else meanwhile), so every byte comes from one snapshot of the database
 * whatever an import or upload commits meanwhile; and one open blob
 * handle, through which SQLite remembers where each of the blob's pages
 * lies, so that reading it front to back costs its size (a new handle per
 * piece would walk the page chain from the start each time: its size
 * squared).  1 open with *out (if the blob blob_id
 * still holds the bytes whose SHA-256 is hash), 0 if it no longer does
 * (replaced or pruned since it was looked up), -1 on error.
 */
struct store_blob;
int store_blob_open(struct store *st, int64_t blob_id, const char *hash, struct store_blob **out);
/* n bytes at offset into out: 0, or -1 (past the end too). */
int store_blob_read(struct store_blob *b, size_t offset, void *out, size_t n);
/* Ends the reading and its transaction.  NULL is fine. */
void store_blob_close(struct store_blob *b);
/* Calls fn with every file, by path; stops at fn's -1.  0 or -1. */
int store_each_file(struct store *st,
                    int (*fn)(void *ctx, const char *path, const struct store_file *f), void *ctx);
/*
 * Forgets the bytes no file names any more, with their images' copies
 * (variants), and the copies' bytes no image has any more.
 */
int store_prune_blobs(struct store *st);

/*
 * The copies of an image (content/picture.h): kept as blobs like the
 * files, listed in the variants table by their original's blob.
 *
 * store_variants_rule(): the PICTURE_RULE_VERSION the copies of the image
 * in blob blob_id were made by (0: never made; an image that gets no copy,
 * such as an animation, was looked at too), or -1 on error.
 */
int store_variants_rule(struct store *st, int64_t blob_id);
/*
 * Forgets the copies of blob blob_id (their bytes go at the next
 * store_prune_blobs()) and notes them made by rule, before new ones are
 * added; within a transaction.  0 or -1.
 */
int store_variants_reset(struct store *st, int64_t blob_id, int rule);
/*
 * Keeps data (type, width x height pixels) as the copy of blob blob_id
 * at width in type.  Within a transaction.  0 or -1.
 */
int store_put_variant(struct store *st, int64_t blob_id, unsigned width, const char *type,
                      const void *data, size_t len, unsigned height);
/*
 * The copies of blob blob_id, narrowest first, WebP first at each width:
 * up to max into out (width and type; type points into types, max rows of
 * 32 bytes).  Returns how many there are (which may exceed max), or -1.
 */
struct store_variant {
	unsigned width;
	const char *type;
};
int store_list_variants(struct store *st, int64_t blob_id, struct store_variant *out,
                        char (*types)[32], size_t max);
/*
 * The copy of blob blob_id at width in type, as a file (its own blob, hash,
 * size, type, width and height; modified_at 0): 1 with *f, 0 if there is
 * none, -1 on error.
 */
int store_get_variant(struct store *st, int64_t blob_id, unsigned width, const char *type,
                      struct store_file *f);

/*
 * Replaces the old addresses of the article with slug by addresses, an
 * array of {"path", "origin"}: paths (with a leading '/', and a query for
 * "/?p=12") that answer 301 to the article.  An address another article
 * held moves to this one.  Within a transaction.  0 or -1.
 */
int store_set_redirects(struct store *st, const char *slug, json_t *addresses);
/* The article an old address leads to: 1 with *slug (malloc'd) and *kind, 0 none, -1 error. */
int store_find_redirect(struct store *st, const char *path, char **slug, enum article_kind *kind);
/*
 * The old addresses of the article with slug, in path order, as an array
 * of paths ([] for none).  0 with *paths (the caller's), or -1.
 */
int store_article_addresses(struct store *st, const char *slug, json_t **paths);
/*
 * Where the article came from: *url, its address on the old site, and
 * *path, its file below the folder it was imported from (each malloc'd,
 * NULL when not known).  0, or -1.
 */
int store_article_origin(struct store *st, const char *slug, char **url, char **path);

/* ---- API tokens (store_tokens.c) ------------------------------------- */

/* 1 added, 0 the name is taken, -1 error. */
int store_token_add(struct store *st, const char *name, enum token_scope scope,
                    const unsigned char hash[TOKEN_HASH_BYTES], int64_t now);
/* [{"name", "scope", "created_at"}] by name. */
int store_token_list(struct store *st, json_t **out);
/* 1 revoked, 0 no such token, -1 error. */
int store_token_revoke(struct store *st, const char *name);
/* The token with this hash: 1 with *scope and name set, 0 none, -1 error. */
int store_token_find(struct store *st, const unsigned char hash[TOKEN_HASH_BYTES],
                     enum token_scope *scope, char *name, size_t namelen);

#endif
