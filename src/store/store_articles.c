/*
 * store_articles.c: reading articles: one by slug, lists by tag, author,
 * status and order, searches ranked by relevance (store_rank.c) with
 * snippets, and the slugs the sitemap lists.  Articles come as the JSON
 * API shapes them, which are also the view models of the pages.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/util.h"
#include "gazette/content/reading.h"
#include "gazette/content/search.h"


/* [{"slug","name"}] of an article's tags or authors (stmt: ARTICLE_TAGS/AUTHORS). */
/*
 * An article object in the API's shape from a row of ARTICLE_COLUMNS
 * (plus body_html if with_body).  Its "author", "authors" and "tags" are
 * left empty for attach_people_and_tags(), which fills a whole list in two
 * queries instead of two per article.
 */
static json_t *article_from_row(struct store *st, const struct store_urls *urls, sqlite3_stmt *s,
                                int64_t now, bool with_body)
{
	const char *slug = (const char *)sqlite3_column_text(s, COL_SLUG);
	json_t *summary = column_string(s, COL_SUMMARY);
	bool excerpted = json_string_length(summary) == 0;
	if (excerpted) {
		json_decref(summary);
		summary = column_string(s, COL_EXCERPT);
	}
	struct reading_count read = {(size_t)sqlite3_column_int64(s, COL_WORDS),
	                             (size_t)sqlite3_column_int64(s, COL_CJK)};
	json_t *updated = column_time(s, COL_UPDATED);
	json_t *published = column_time(s, COL_PUBLISHED);
	if (json_is_null(updated)) {
		json_decref(updated);
		updated = json_copy(published);
	}

	json_t *a = json_object();
	json_object_set_new(a, "slug", column_string(s, COL_SLUG));
	json_object_set_new(a, "title", column_string(s, COL_TITLE));
	json_object_set_new(a, "summary", summary);
	json_object_set_new(a, "url", store_link(urls, "/articles/", slug ? slug : ""));
	json_object_set_new(a, "author", json_null());
	json_object_set_new(a, "authors", json_array());
	json_object_set_new(a, "published_at", published);
	json_object_set_new(a, "updated_at", updated);
	json_object_set_new(a, "reading_time_minutes",
	                    json_integer(reading_minutes(&read, store_words_per_minute(st), 0)));
	json_object_set_new(a, "word_count", json_integer((json_int_t)read.words));
	/* Its own language, or null: the site's. */
	const char *lang = (const char *)sqlite3_column_text(s, COL_LANG);
	json_object_set_new(a, "lang", lang && lang[0] ? json_string(lang) : json_null());
	json_object_set_new(a, "tags", json_array());
	bool scheduled = sqlite3_column_type(s, COL_PUBLISHED) != SQLITE_NULL &&
	                 sqlite3_column_int64(s, COL_PUBLISHED) > now;
	json_object_set_new(a, "status",
	                    json_string(sqlite3_column_int(s, COL_DRAFT) ? "draft"
	                                : scheduled                      ? "scheduled"
	                                                                 : "published"));
	/* The front matter gazette does not interpret, with its YAML types. */
	const char *extra = (const char *)sqlite3_column_text(s, COL_EXTRA);
	/* Most articles have none ("{}"): no parser for them. */
	json_t *fields = extra == NULL              ? NULL
	                 : strcmp(extra, "{}") == 0 ? json_object()
	                                            : json_loads(extra, 0, NULL);
	json_object_set_new(a, "extra", json_is_object(fields) ? fields : json_object());
	if (!json_is_object(fields))
		json_decref(fields);
	if (with_body)
		json_object_set_new(a, "body_html", column_string(s, COL_BODY));
	/* For pages only (the API takes it out): the summary is the body's first paragraph. */
	if (excerpted)
		json_object_set_new(a, "excerpted", json_true());
	return a;
}

/* An article of a list being built, by its row id. */
struct listed {
	sqlite3_int64 id;
	json_t *article;
};

/* A tag or person of one article, and where it was written. */
struct named {
	int64_t position;
	json_t *item;
};

/*
 * Fills the key ("tags" or "authors") of every listed article, one
 * indexed lookup each (stmt: TAGS_OF or AUTHORS_OF), put in the order
 * written here: the table's key is (article, tag), and an ORDER BY on
 * position sorted in a temporary b-tree per article.  Together that cost
 * a third of what one statement over all the ids did (json_each(), then
 * a sort of all the rows); one statement with an IN list of the ids as
 * parameters cost a tenth more than this.  Returns 0 or -1.
 */
static int attach_named(struct store *st, const struct query *q, const char *key,
                        struct listed *items, size_t n)
{
	if (n == 0)
		return 0;
	sqlite3_stmt *s = store_stmt(st, q);
	if (s == NULL)
		return -1;
	int rc = SQLITE_DONE;
	struct named *got = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		size_t k = 0;
		sqlite3_bind_int64(s, 1, items[i].id);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (k == cap) {
				cap = cap ? cap * 2 : 16;
				got = xrealloc(got, cap * sizeof *got);
			}
			/* Insertion into order: an article has a few. */
			int64_t pos = sqlite3_column_int64(s, 0);
			size_t at = k++;
			for (; at > 0 && got[at - 1].position > pos; at--)
				got[at] = got[at - 1];
			/* By hand, not json_pack(): see search.c's add_segment().  A value
			 * that is not UTF-8 leaves the item out, as json_pack() did. */
			json_t *item = json_object();
			int bad = json_object_set_new_nocheck(item, "slug", column_string(s, 1));
			bad |= json_object_set_new_nocheck(item, "name", column_string(s, 2));
			if (bad) {
				json_decref(item);
				item = NULL;
			}
			got[at] = (struct named){pos, item};
		}
		sqlite3_reset(s);
		json_t *into = json_object_get(items[i].article, key);
		for (size_t j = 0; j < k; j++)
			json_array_append_new(into, got[j].item);
	}
	free(got);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_body_by_id = {STMT_BODY_BY_ID,
                                          "SELECT body_html FROM articles WHERE id = ?"};

/* The body_html of listed articles (feeds carry whole articles). */
static int attach_bodies(struct store *st, struct listed *items, size_t n)
{
	sqlite3_stmt *s = store_stmt(st, &q_body_by_id);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, items[i].id);
		if (sqlite3_step(s) == SQLITE_ROW)
			json_object_set_new(items[i].article, "body_html", column_string(s, 0));
		sqlite3_reset(s);
	}
	store_done(s);
	return 0;
}

static const struct query q_authors_of = {
    STMT_AUTHORS_OF, "SELECT x.position, p.slug, p.name FROM article_authors x "
                     "JOIN authors p ON p.id = x.author_id WHERE x.article_id = ?"};

static const struct query q_tags_of = {
    STMT_TAGS_OF, "SELECT x.position, t.slug, t.name FROM article_tags x JOIN tags t "
                  "ON t.id = x.tag_id WHERE x.article_id = ?"};

/*
 * The tags and the byline ("author" is the first of "authors") of listed
 * articles: from the taxonomy in memory (store_taxonomy.c), read for a
 * list if the data changed since; for one article only if it is current,
 * else asked of SQLite.  Reading it whole after every change for one
 * article would cost a write through the API more than the article does.
 */
static int attach_people_and_tags(struct store *st, struct listed *items, size_t n)
{
	const struct taxonomy *t = n > 1 ? store_taxonomy(st) : store_taxonomy_current(st);
	if (t) {
		for (size_t i = 0; i < n; i++) {
			size_t at;
			if (store_doc_find(st, items[i].id, &at))
				taxonomy_attach(t, at, items[i].article);
		}
	} else if (attach_named(st, &q_tags_of, "tags", items, n) < 0 ||
	           attach_named(st, &q_authors_of, "authors", items, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *first = json_array_get(json_object_get(items[i].article, "authors"), 0);
		if (first)
			json_object_set(items[i].article, "author", first);
	}
	return 0;
}

/* ---- listing ----------------------------------------------------------- */

/*
 * The SQL of one listing shape.  It is put together only from the fixed
 * fragments below; every value the reader gives is a bound parameter.
 */
/* Which articles a list shows, by status (the public sees only the published). */
static const char *const status_where[] = {
    [STATUS_PUBLISHED] = " WHERE a.kind = 0 AND a.draft = 0 AND a.published_at <= :now",
    [STATUS_SCHEDULED] = " WHERE a.kind = 0 AND a.draft = 0 AND a.published_at > :now",
    [STATUS_DRAFT] = " WHERE a.kind = 0 AND a.draft = 1",
    [STATUS_ALL] = " WHERE a.kind = 0",
};

static void list_sql(struct buf *sql, unsigned filters, enum article_order order,
                     enum article_status status, bool count)
{
	/*
	 * A search sorts all its matches by rank: it selects only ids, so that
	 * the sort moves nothing else, and reads the page's rows after.
	 */
	buf_puts(sql, count                          ? "SELECT count(*)"
	              : filters & LIST_FILTER_SEARCH ? "SELECT a.id"
	                                             : "SELECT " ARTICLE_COLUMNS);
	if (filters & LIST_FILTER_SEARCH)
		/* CROSS JOIN keeps the full-text match outside: the other order runs
		 * the whole search once per article. */
		buf_puts(sql, " FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid");
	else
		buf_puts(sql, " FROM articles a");
	if (filters & LIST_FILTER_TAG)
		buf_puts(sql, " JOIN article_tags xt ON xt.article_id = a.id AND xt.tag_id = "
		              "(SELECT id FROM tags WHERE slug = :tag)");
	if (filters & LIST_FILTER_AUTHOR)
		buf_puts(sql, " JOIN article_authors xa ON xa.article_id = a.id AND xa.author_id = "
		              "(SELECT id FROM authors WHERE slug = :author)");
	buf_puts(sql, status_where[status]);
	if (filters & LIST_FILTER_RANGE)
		buf_puts(sql, " AND a.published_at >= :from AND a.published_at < :until");
	if (filters & LIST_FILTER_SEARCH)
		buf_puts(sql, " AND articles_fts MATCH :q");
	if (count)
		return;
	switch (order) {
	case ORDER_OLDEST: buf_puts(sql, " ORDER BY a.published_at, a.id"); break;
	case ORDER_TITLE: buf_puts(sql, " ORDER BY a.title COLLATE NOCASE, a.id"); break;
	case ORDER_RELEVANCE:
		/* See store_rank.c, also for how the rows are counted. */
		if (filters & LIST_FILTER_SEARCH) {
			buf_puts(sql,
			         " ORDER BY gz_rank(articles_fts, a.word_count, :df, :counter),"
			         " a.published_at DESC");
			break;
		}
		/* Without words, relevance means newest. */
		buf_puts(sql, " ORDER BY a.published_at DESC, a.id DESC");
		break;
	case ORDER_NEWEST: buf_puts(sql, " ORDER BY a.published_at DESC, a.id DESC"); break;
	}
	buf_puts(sql, " LIMIT :limit OFFSET :offset");
}

static sqlite3_stmt *list_stmt(struct store *st, unsigned filters, enum article_order order,
                               enum article_status status, bool count)
{
	sqlite3_stmt **slot = count ? &st->counts[filters * 4 + status]
	                            : &st->lists[(filters * 4 + order) * 4 + status];
	if (*slot == NULL) {
		struct buf sql = BUF_INIT;
		list_sql(&sql, filters, order, status, count);
		/* On failure *slot stays NULL and store_errmsg() says why. */
		sqlite3_prepare_v3(st->db, sql.data, (int)sql.len, SQLITE_PREPARE_PERSISTENT, slot,
		                   NULL);
		buf_free(&sql);
	}
	return *slot;
}

static void bind_list(sqlite3_stmt *s, const struct article_query *q, const char *fts)
{
	store_bind_int(s, ":now", q->now);
	store_bind_text(s, ":tag", q->tag);
	store_bind_text(s, ":author", q->author);
	store_bind_text(s, ":q", fts);
	store_bind_int(s, ":limit", q->limit);
	store_bind_int(s, ":offset", (int64_t)(q->page - 1) * q->limit);
	store_bind_int(s, ":from", q->from);
	store_bind_int(s, ":until", q->until);
}

static const struct query q_article_row = {
    STMT_ARTICLE_ROW, "SELECT " ARTICLE_COLUMNS " FROM articles a WHERE a.id = ?"};

/* Reads the rows of a search's page by id (nids of them), with their snippets, into items. */
static int read_search_page(struct store *st, const struct store_urls *urls,
                            const struct article_query *q, const sqlite3_int64 *ids, size_t nids,
                            struct listed *items, size_t *n, json_t *rows)
{
	if (store_snippets_find(st, q->q, ids, nids) < 0)
		return -1;
	sqlite3_stmt *s = store_stmt(st, &q_article_row);
	if (s == NULL) {
		store_snippets_done(st); /* its blob holds a read transaction open */
		return -1;
	}
	for (size_t i = 0; i < nids; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		if (sqlite3_step(s) == SQLITE_ROW) {
			json_t *a = article_from_row(st, urls, s, q->now, false);
			json_object_set_new(a, "snippet", store_snippet(st, i, ids[i]));
			json_array_append_new(rows, a);
			items[(*n)++] = (struct listed){ids[i], a};
		}
		sqlite3_reset(s);
	}
	store_done(s);
	store_snippets_done(st);
	return 0;
}

/* The ids a ranked statement gives (up to ARTICLE_LIST_MAX), then its page's rows. */
static int read_ranked(struct store *st, const struct store_urls *urls,
                       const struct article_query *q, sqlite3_stmt *ranked, struct listed *items,
                       size_t *n, json_t *rows)
{
	sqlite3_int64 ids[ARTICLE_LIST_MAX];
	size_t nids = 0;
	int step;
	while ((step = sqlite3_step(ranked)) == SQLITE_ROW && nids < GZ_ARRAY_LEN(ids))
		ids[nids++] = sqlite3_column_int64(ranked, 0);
	store_done(ranked);
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		return -1;
	return read_search_page(st, urls, q, ids, nids, items, n, rows);
}

static const struct query q_phrase_count = {
    STMT_PHRASE_COUNT, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"};

/*
 * How many articles hold each phrase of fts (for the ranking's idf), in
 * phrase order, from the connection's cache of earlier searches.  The
 * cache is dropped when the database changes.
 */
static int phrase_counts(struct store *st, const char *fts, double *df, size_t max, size_t *n)
{
	struct fts_phrase phrases[64];
	size_t np = search_fts_phrases(fts, phrases, max < 64 ? max : 64);
	long long version = store_data_version(st);
	if (st->df == NULL || version != st->df_version || json_object_size(st->df) > 10000) {
		json_decref(st->df);
		st->df = json_object();
		st->df_version = version;
	}
	sqlite3_stmt *s = store_stmt(st, &q_phrase_count);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < np; i++) {
		char key[256];
		snprintf(key, sizeof key, "%.*s", (int)phrases[i].len, phrases[i].s);
		json_t *known = json_object_get(st->df, key);
		if (known) {
			df[i] = json_number_value(known);
			continue;
		}
		sqlite3_bind_text(s, 1, phrases[i].s, (int)phrases[i].len, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		df[i] = rc == SQLITE_ROW ? (double)sqlite3_column_int64(s, 0) : 1.0;
		store_done(s);
		if (rc != SQLITE_ROW)
			return -1;
		json_object_set_new(st->df, key, json_real(df[i]));
	}
	*n = np;
	return 0;
}

/*
 * A search by relevance the store ranks itself (store_search.c): its page
 * into rows.  0, 1 if it does not rank this one (rank it in SQL), -1.
 */
static int list_ranked(struct store *st, const struct store_urls *urls,
                       const struct article_query *q, const char *fts, json_t *rows,
                       unsigned *total)
{
	sqlite3_int64 ids[ARTICLE_LIST_MAX];
	struct listed items[ARTICLE_LIST_MAX];
	size_t nids, n = 0;
	int how = store_search_rank(st, fts, q, ids, &nids, total);
	if (how != 0)
		return how;
	if (read_search_page(st, urls, q, ids, nids, items, &n, rows) < 0 ||
	    attach_people_and_tags(st, items, n) < 0 ||
	    (q->with_body && attach_bodies(st, items, n) < 0))
		return -1;
	return 0;
}

/* How many articles a list (not a ranked search) holds, into *total.  0 or -1. */
static int count_list(struct store *st, unsigned filters, const struct article_query *q,
                      const char *fts, unsigned *total)
{
	sqlite3_stmt *c = list_stmt(st, filters, q->order, q->status, true);
	if (c == NULL)
		return -1;
	bind_list(c, q, fts);
	int rc = sqlite3_step(c);
	if (rc == SQLITE_ROW)
		*total = (unsigned)sqlite3_column_int64(c, 0);
	store_done(c);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* The rows of a list that is no search, into items and rows.  0 or -1. */
static int read_rows(struct store *st, const struct store_urls *urls,
                     const struct article_query *q, sqlite3_stmt *s, struct listed *items,
                     size_t *n, json_t *rows)
{
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW && *n < ARTICLE_LIST_MAX) {
		json_t *a = article_from_row(st, urls, s, q->now, false);
		json_array_append_new(rows, a);
		items[(*n)++] = (struct listed){sqlite3_column_int64(s, COL_ID), a};
	}
	store_done(s);
	return step == SQLITE_DONE || step == SQLITE_ROW ? 0 : -1;
}

/*
 * A list in SQL: by filters and order, or a search ranked by gz_rank()
 * (which counts its rows: store_rank.c).  0 or -1.
 */
static int list_sql_rows(struct store *st, const struct store_urls *urls, unsigned filters,
                         const struct article_query *q, const char *fts, json_t *rows,
                         unsigned *total)
{
	bool ranked = fts && q->order == ORDER_RELEVANCE;
	struct listed items[ARTICLE_LIST_MAX];
	size_t n = 0;
	sqlite3_stmt *s = list_stmt(st, filters, q->order, q->status, false);
	if (s == NULL)
		return -1;
	if (!ranked) {
		if (count_list(st, filters, q, fts, total) < 0)
			return -1;
		if (*total <= (q->page - 1) * q->limit)
			return 0; /* past the last page: nothing to read */
	}
	bind_list(s, q, fts);
	unsigned counted = 0;
	double df[64];
	size_t ndf = 0;
	if (ranked) {
		if (phrase_counts(st, fts, df, GZ_ARRAY_LEN(df), &ndf) < 0) {
			store_done(s);
			return -1;
		}
		int i = sqlite3_bind_parameter_index(s, ":df");
		sqlite3_bind_blob(s, i, df, (int)(ndf * sizeof *df), SQLITE_STATIC);
		i = sqlite3_bind_parameter_index(s, ":counter");
		sqlite3_bind_pointer(s, i, &counted, "gz_rank_counter", NULL);
	}
	int rc = fts ? read_ranked(st, urls, q, s, items, &n, rows)
	             : read_rows(st, urls, q, s, items, &n, rows);
	if (rc < 0)
		return -1;
	if (ranked)
		*total = counted;
	if (attach_people_and_tags(st, items, n) < 0 ||
	    (q->with_body && attach_bodies(st, items, n) < 0))
		return -1;
	return 0;
}

/* The filters of q but the search (LIST_FILTER_*): a tag, an author, a range of dates. */
static unsigned list_filters(const struct article_query *q)
{
	unsigned filters = 0;
	if (q->tag)
		filters |= LIST_FILTER_TAG;
	if (q->author)
		filters |= LIST_FILTER_AUTHOR;
	if (q->until > q->from)
		filters |= LIST_FILTER_RANGE;
	return filters;
}

int store_list_articles(struct store *st, const struct store_urls *urls,
                        const struct article_query *q, json_t **articles, unsigned *total)
{
	unsigned filters = list_filters(q);
	char *fts = NULL;

	*articles = json_array();
	*total = 0;
	if (q->q) {
		fts = search_fts_query(q->q, strlen(q->q));
		if (fts == NULL)
			return 0; /* nothing searchable in the words: no results */
		filters |= LIST_FILTER_SEARCH;
	}
	/* Without a tag, an author or dates, the store ranks a search itself (store_search.c). */
	int rc = 1;
	if (fts && q->order == ORDER_RELEVANCE && filters == LIST_FILTER_SEARCH)
		rc = list_ranked(st, urls, q, fts, *articles, total);
	if (rc > 0)
		rc = list_sql_rows(st, urls, filters, q, fts, *articles, total);
	free(fts);
	return rc;
}

static int get_article(struct store *st, const struct query *q, const struct store_urls *urls,
                       enum article_kind kind, const char *slug, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, q);
	*out = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, ":slug", slug);
	store_bind_int(s, ":kind", kind);
	store_bind_int(s, ":now", now);
	int rc = sqlite3_step(s);
	struct listed item = {0, NULL};
	if (rc == SQLITE_ROW) {
		item.id = sqlite3_column_int64(s, COL_ID);
		item.article = *out = article_from_row(st, urls, s, now, true);
	}
	store_done(s);
	if (item.article && attach_people_and_tags(st, &item, 1) < 0) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_article_by_slug = {
    STMT_ARTICLE_BY_SLUG, "SELECT " ARTICLE_COLUMNS ", a.body_html FROM articles a "
                          "WHERE a.slug = :slug AND a.kind = :kind AND " VISIBLE};

int store_get_article(struct store *st, const struct store_urls *urls, enum article_kind kind,
                      const char *slug, int64_t now, json_t **out)
{
	return get_article(st, &q_article_by_slug, urls, kind, slug, now, out);
}

static const struct query q_article_any_status = {
    STMT_ARTICLE_ANY_STATUS, "SELECT " ARTICLE_COLUMNS ", a.body_html FROM articles a "
                             "WHERE a.slug = :slug AND a.kind = :kind"};

int store_get_any_article(struct store *st, const struct store_urls *urls, enum article_kind kind,
                          const char *slug, int64_t now, json_t **out)
{
	return get_article(st, &q_article_any_status, urls, kind, slug, now, out);
}

static const struct query q_each_article = {
    STMT_EACH_ARTICLE, "SELECT a.slug, coalesce(a.updated_at, a.published_at) FROM articles a "
                       "WHERE a.kind = 0 AND a.draft = 0 AND a.published_at <= :now "
                       "ORDER BY a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset"};

int store_each_article(struct store *st, int64_t now, unsigned offset, unsigned limit,
                       void (*fn)(void *ctx, const char *slug, const char *lastmod), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, &q_each_article);
	if (s == NULL)
		return -1;
	store_bind_int(s, ":now", now);
	store_bind_int(s, ":limit", limit);
	store_bind_int(s, ":offset", offset);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char when[32];
		date_format_rfc3339(sqlite3_column_int64(s, 1), when);
		fn(ctx, (const char *)sqlite3_column_text(s, 0), when);
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_count_published = {
    STMT_COUNT_PUBLISHED, "SELECT count(*) FROM articles a WHERE a.kind = 0 AND " VISIBLE};

long long store_count_published(struct store *st, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, &q_count_published);
	if (s == NULL)
		return -1;
	store_bind_int(s, ":now", now);
	long long n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	store_done(s);
	return n;
}
