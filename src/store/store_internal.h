/*
 * store_internal.h: what the store's files share and nobody else sees.
 */
#ifndef GAZETTE_STORE_INTERNAL_H
#define GAZETTE_STORE_INTERNAL_H

#include <sqlite3.h>

#include "gazette/store/store.h"

extern const int store_application_id;
extern const char *const store_migrations[];
extern const int store_schema_version;
/* The trigger that indexes each article as it is added (store_schema.c). */
extern const char store_fts_insert_trigger[];

/*
 * The slots of the statements a connection keeps: each is prepared on
 * first use and kept for the connection's life.  The SQL of each lives in
 * the file that runs it, as a struct query.
 */
enum stmt {
	STMT_ARTICLE_BY_SLUG,
	STMT_ARTICLE_ANY_STATUS,
	STMT_TAGS_OF,
	STMT_AUTHORS_OF,
	STMT_ARTICLE_ROW,
	STMT_PHRASE_COUNT,
	STMT_TAGS,
	STMT_TAG_BY_SLUG,
	STMT_AUTHORS,
	STMT_AUTHOR_BY_SLUG,
	STMT_PAGES,
	STMT_SETTINGS,
	STMT_CONTENT_LAST,
	STMT_CONTENT_NEXT,
	STMT_PING,
	STMT_COUNT_PUBLISHED,
	STMT_BODY_BY_ID,
	STMT_EACH_ARTICLE,
	STMT_DATA_VERSION,
	STMT_FIND_SLUG,
	STMT_INSERT_ARTICLE,
	STMT_UPDATE_ARTICLE,
	STMT_CLEAR_TAGS,
	STMT_CLEAR_AUTHORS,
	STMT_UPSERT_TAG,
	STMT_UPSERT_AUTHOR,
	STMT_LINK_TAG,
	STMT_LINK_AUTHOR,
	STMT_SOURCE_BY_SLUG,
	STMT_DELETE_BUILTIN,
	STMT_NEXT_ARTICLE_ID,
	STMT_JOURNAL_DELETE,
	STMT_INDEX_ADDED,
	STMT_FTS_SETTING,
	STMT_PRUNE_TAGS,
	STMT_PRUNE_AUTHORS,
	STMT_CLEAR_SITE_SETTINGS,
	STMT_PUT_SETTING,
	STMT_AUTHORS_UNDECLARE,
	STMT_AUTHOR_DECLARE,
	STMT_SETTLE_NAMES,
	STMT_BEGIN,
	STMT_READ_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	/* store_document.c */
	STMT_DOCUMENT,
	STMT_KIND,
	STMT_DOCUMENT_AUTHORS,
	STMT_DOCUMENT_TAGS,
	STMT_EACH_DOCUMENT,
	STMT_SAVE_REVISION,
	STMT_REVISIONS,
	STMT_DELETE_ARTICLE,
	/* store_tokens.c */
	STMT_TOKEN_ADD,
	STMT_TOKEN_LIST,
	STMT_TOKEN_REVOKE,
	STMT_TOKEN_FIND,
	/* store_files.c */
	STMT_BLOB_FIND,
	STMT_BLOB_ADD,
	STMT_FILE_BLOB,
	STMT_FILE_PUT,
	STMT_FILE_GET,
	STMT_FILE_EACH,
	STMT_BLOB_HASH,
	STMT_VARIANTS_RULE,
	STMT_VARIANTS_CLEAR,
	STMT_VARIANTS_MADE,
	STMT_VARIANT_PUT,
	STMT_VARIANT_LIST,
	STMT_VARIANT_GET,
	STMT_REDIRECTS_CLEAR,
	STMT_REDIRECT_ADD,
	STMT_REDIRECT_FIND,
	STMT_ARTICLE_ADDRESSES,
	STMT_ARTICLE_ORIGIN,
	/* store_search.c */
	STMT_POSTINGS,
	STMT_POSITIONS,
	STMT_INDEX_STATE,
	STMT_SEARCH_DOCS,
	/* store_nav.c */
	STMT_ARTICLE_ID,
	STMT_BRIEF_BY_ID,
	STMT_ARCHIVE,
	/* store_taxonomy.c */
	STMT_TAXONOMY_TAGS,
	STMT_TAXONOMY_AUTHORS,
	STMT_TAXONOMY_TAGGED,
	STMT_TAXONOMY_BYLINES,
	STMT__MAX
};

/* Listing queries vary by filter (tag, author, search, dates), order and status. */
#define LIST_FILTER_TAG    1u
#define LIST_FILTER_AUTHOR 2u
#define LIST_FILTER_SEARCH 4u
#define LIST_FILTER_RANGE  8u /* published from .. until (the archive's year or month) */
#define LIST_FILTERS       16
#define LIST_VARIANTS      (LIST_FILTERS * 4 * 4) /* filters x orders x statuses */

struct store {
	sqlite3 *db;
	bool readonly;
	bool immutable; /* read-only, opened without locks (see store_open()) */
	sqlite3_stmt *stmts[STMT__MAX];
	sqlite3_stmt *lists[LIST_VARIANTS];
	sqlite3_stmt *counts[LIST_FILTERS * 4];
	unsigned words_per_minute;  /* from site.yaml, 0 until read: store_words_per_minute() */
	json_t *df;                 /* phrase -> how many articles hold it (ranking) */
	long long df_version;       /* the data_version df was counted at */
	struct store_search *search; /* each phrase's articles, kept for ranking (store_search.c) */
	struct taxonomy *taxonomy;   /* tags and authors in memory (store_taxonomy.c) */
	struct timeline *timeline;   /* the listed articles in time order (store_nav.c) */
	bool alone;                  /* store_journal_alone(): a rollback journal, not WAL */
	/* In a read of store_read_begin(): the data_version it sees, once asked (else -1). */
	bool reading;
	long long read_version;
	/* store_defer_index(): rows from this id on are not in the search index yet; 0: all are. */
	sqlite3_int64 unindexed_from;
};

/* A statement: its slot, and its SQL (always with ? or :name parameters). */
struct query {
	enum stmt id;
	const char *sql;
};

/* The statement q, prepared on first use; NULL on error (store_errmsg() says why). */
sqlite3_stmt *store_stmt(struct store *st, const struct query *q);

/* Binds v to the named parameter (":now") if the statement has it. */
void store_bind_text(sqlite3_stmt *s, const char *name, const char *v);
void store_bind_int(sqlite3_stmt *s, const char *name, int64_t v);

/* Registers gz_rank() on a connection (store_rank.c).  Returns 0 or -1. */
int store_register_rank(sqlite3 *db);

/* Registers gz_postings() on a connection (store_search.c).  Returns 0 or -1. */
int store_register_postings(sqlite3 *db);

struct store_search;
void store_search_free(struct store_search *ss);

/*
 * Ranks the articles that match fts (a query of search_fts_query()) for
 * q (its status, now, page and limit) as the SQL of a ranked search
 * would, without ranking each in SQL: the ids of q's page in order into
 * ids (room for q->limit), their count in *nids, and how many match in
 * *total.  Returns 0; 1 when it does not rank such a query (a page too
 * deep: rank it in SQL); -1 on error (store_errmsg()).
 */
int store_search_rank(struct store *st, const char *fts, const struct article_query *q,
                      sqlite3_int64 *ids, size_t *nids, unsigned *total);

/*
 * Snippets of a page of results (store_search.c): store_snippets_find()
 * reads where the words of q (a reader's query) stand in the articles
 * ids[0..nids) from the phrases' lists or the bodies (store_scan.c), and
 * keeps it with st until its next search (0, or -1 with nothing left
 * open, store_errmsg()); store_snippet() makes the
 * snippet of the i-th, article id, from its body text, read as far as
 * needed; store_snippets_done() ends the reading (an open reader holds
 * the read transaction).
 */
int store_snippets_find(struct store *st, const char *q, const sqlite3_int64 *ids, size_t nids);
json_t *store_snippet(struct store *st, size_t i, sqlite3_int64 id);
void store_snippets_done(struct store *st);

/*
 * Whether an article is one a list shows at a time, from what a search
 * knows of every article (store_search.c: read once per change of the
 * data, in id order), without a look at its row.  store_articles_known()
 * brings that up to date (0, or -1 on error); then store_doc_shown()
 * says whether the article at place at (see store_doc_find()) is of kind
 * 0, not a draft and its moment come at now (VISIBLE below): true with
 * its publication time in *published (0 if it has none).
 */
int store_articles_known(struct store *st);
bool store_doc_shown(const struct store *st, size_t at, int64_t now, int64_t *published);
/*
 * Whether the article at place at is one a list shows at some time (kind
 * 0, not a draft, dated); store_doc_time() is the date of any (INT64_MIN:
 * none).
 */
bool store_doc_listed(const struct store *st, size_t at);
int64_t store_doc_time(const struct store *st, size_t at);
/* A number that changes whenever store_articles_known() read the articles anew. */
uint64_t store_articles_generation(const struct store *st);
/* Whether what store_articles_known() read is still the data, without reading it again. */
bool store_articles_current(struct store *st);

/*
 * The articles store_articles_known() read, by place (0 .. count, ids
 * ascending): store_doc_find() puts the place of article id in *at (false
 * if it has none), store_doc_id() says the id at a place.
 */
size_t store_docs_count(const struct store *st);
bool store_doc_find(const struct store *st, sqlite3_int64 id, size_t *at);
sqlite3_int64 store_doc_id(const struct store *st, size_t at);

/* The listed articles in time order, for the neighbours (store_nav.c). */
struct timeline;
void timeline_free(struct timeline *t);

/*
 * The site's taxonomy in memory (store_taxonomy.c): every article's tags
 * and authors in the order written, the tags' and authors' names, and
 * every tag's articles.  store_taxonomy() reads it again when the articles
 * were (after store_articles_known()), NULL on error;
 * store_taxonomy_current() gives it only if it is current, reading
 * nothing (NULL if not).
 */
struct taxonomy;
const struct taxonomy *store_taxonomy(struct store *st);
const struct taxonomy *store_taxonomy_current(struct store *st);
void taxonomy_free(struct taxonomy *t);

/* Fills a's "tags" and "authors" arrays ({"slug","name"}) for the article at place at. */
void taxonomy_attach(const struct taxonomy *t, size_t at, json_t *a);

/*
 * The article at place at's tags, as the taxonomy numbers them, in the
 * order written: their count, the first at *tags.
 */
size_t taxonomy_tags_of(const struct taxonomy *t, size_t at, const uint32_t **tags);

/* The places of the articles with tag (a number from taxonomy_tags_of()), ascending. */
size_t taxonomy_tagged(const struct taxonomy *t, uint32_t tag, const uint32_t **places);

/*
 * Indexes the articles store_defer_index() held back, if it did: the
 * commit does, first, and so does a change to a row not indexed yet (the
 * update and delete triggers take its old text out of the index).  0 or -1.
 */
int store_index_added(struct store *st);

/* Resets and clears a statement after use. */
void store_done(sqlite3_stmt *s);

/* Runs a statement that returns no rows (BEGIN, COMMIT ...).  0 or -1. */
int store_run(struct store *st, const struct query *q);
/* Runs a change whose one parameter is text: 1 if it changed a row, 0 if none, -1. */
int store_run_on(struct store *st, const struct query *q, const char *text);

/* A text column as a JSON string ("" for NULL). */
json_t *column_string(sqlite3_stmt *s, int col);
/* A time column (UTC seconds) as an RFC 3339 string, or JSON null. */
json_t *column_time(sqlite3_stmt *s, int col);

/* An absolute link of the site as a JSON string: urls->base + dir + slug (escape_site_link()). */
json_t *store_link(const struct store_urls *urls, const char *dir, const char *slug);

/*
 * The site's words per minute for reading times (site.yaml, default 265),
 * read with the settings (store_site.c) and kept until they are read again.
 */
unsigned store_words_per_minute(struct store *st);

/*
 * Columns every article query selects, in this order (see article_from_row).
 * All lie before the bodies in the table (migration 7), so a list reads no
 * body's overflow pages.
 */
#define ARTICLE_COLUMNS                                                                            \
	"a.id, a.slug, a.title, a.summary, a.excerpt, a.published_at, a.updated_at, "              \
	"a.word_count, a.draft, a.extra, a.lang, a.cjk_chars"
enum {
	COL_ID,
	COL_SLUG,
	COL_TITLE,
	COL_SUMMARY,
	COL_EXCERPT,
	COL_PUBLISHED,
	COL_UPDATED,
	COL_WORDS,
	COL_DRAFT,
	COL_EXTRA,
	COL_LANG,
	COL_CJK,
	COL_BODY
};

/* Published: not a draft, and its moment has come (pages may be undated). */
#define VISIBLE "a.draft = 0 AND (a.published_at IS NULL OR a.published_at <= :now)"

#endif
