/* Unit tests for the store: schema, upserts and every read query, on a real file. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "gazette/content/article.h"
#include "gazette/base/buf.h"
#include "gazette/base/filemem.h"
#include "gazette/content/frontmatter.h"
#include "gazette/store/store.h"
#include "gazette/base/util.h"
#include "store_lists.h"
#include "store_scan.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static char db_path[64];
static const struct store_urls urls = {"https://example.org/blog"};

/* The article a whole file makes, rendered (the caller frees it). */
static void parse_article(const char *path, const char *text, struct article *a)
{
	struct fm_doc doc;
	struct diag err;
	diag_clear(&err);
	assert_int_equal(fm_parse(text, strlen(text), &doc, &err), 0);
	if (article_from_doc(a, &doc, path, text, strlen(text), &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	fm_doc_free(&doc);
	assert_int_equal(article_render(a), 0);
}

/* Writes an article (given as a whole file) in its own transaction. */
static enum upsert_result put(struct store *st, const char *path, const char *text)
{
	struct article a;
	enum upsert_result r = UPSERT_UNCHANGED;
	parse_article(path, text, &a);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_upsert_article(st, &a, NULL, NOW, &r), 0);
	assert_int_equal(store_prune(st), 0);
	assert_int_equal(store_commit(st), 0);
	article_free(&a);
	return r;
}

static char *post(const char *title, const char *date, const char *extra, const char *body)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "---\ntitle: %s\ndate: %s\n%s---\n%s\n", title, date, extra, body);
	return buf_detach(&b, NULL);
}

/* Writes the article post() makes of these fields as the file at path (put()). */
static enum upsert_result put_post(struct store *st, const char *path, const char *title,
                                   const char *date, const char *extra, const char *body)
{
	char *text = post(title, date, extra, body);
	enum upsert_result r = put(st, path, text);
	free(text);
	return r;
}

/* Upserts the article of text within the caller's transaction. */
static enum upsert_result upsert_text(struct store *st, const char *path, const char *text)
{
	struct article a;
	enum upsert_result r = UPSERT_UNCHANGED;
	parse_article(path, text, &a);
	assert_int_equal(store_upsert_article(st, &a, NULL, NOW, &r), 0);
	article_free(&a);
	return r;
}

/* How many published articles a search for q finds. */
static unsigned found(struct store *st, const char *q)
{
	struct article_query query = {
	    .q = q, .order = ORDER_RELEVANCE, .limit = 20, .page = 1, .now = NOW};
	json_t *list;
	unsigned total;
	assert_int_equal(store_list_articles(st, &urls, &query, &list, &total), 0);
	json_decref(list);
	return total;
}

/* A store of the test's own beside the suite's, made anew at path (db_path-suffix). */
static struct store *open_side_store(const char *suffix, char *path, size_t size)
{
	snprintf(path, size, "%s-%s", db_path, suffix);
	store_remove(path);
	struct store *st;
	struct diag err;
	diag_clear(&err);
	if (store_open(path, STORE_CREATE, &st, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return st;
}

static int setup(void **state)
{
	snprintf(db_path, sizeof db_path, "/tmp/gazette-test-store-%d.db", (int)getpid());
	unlink(db_path);
	struct store *st;
	struct diag err;
	bool created;
	diag_clear(&err);
	if (store_open(db_path, STORE_CREATE, &st, &created, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(created);

	/* Ten articles a day apart, one tag on the even ones, two authors. */
	for (int i = 1; i <= 10; i++) {
		char title[64], date[32], path[32], extra[128];
		snprintf(title, sizeof title, "Story number %d", i);
		snprintf(date, sizeof date, "2025-01-%02d", i);
		snprintf(path, sizeof path, "s%d.md", i);
		snprintf(extra, sizeof extra, "author: %s\n%s", i % 3 ? "Jane Doe" : "Ali Ray",
		         i % 2 ? "" : "tags: [even, numbers]\n");
		assert_int_equal(put_post(st, path, title, date, extra,
		                          i == 7 ? "The glacier melts slowly." : "Words."),
		                 UPSERT_ADDED);
	}
	/* A title match must outrank a body match. */
	put_post(st, "g.md", "Glacier watch", "2024-06-01", "", "Nothing else here.");
	/* Never listed: a draft, a scheduled article, a page. */
	put_post(st, "d.md", "Draft glacier", "2025-01-20", "draft: true\n", "glacier");
	put_post(st, "f.md", "Future glacier", "2030-01-01", "tags: [even]\n", "glacier");
	put(st, "about.md", "---\ntitle: About us\ntype: page\n---\nThe glacier team.\n");
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	unlink(db_path);
	char wal[80];
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", db_path);
	unlink(wal);
	return 0;
}

static const char *slug_at(json_t *list, size_t i)
{
	return json_string_value(json_object_get(json_array_get(list, i), "slug"));
}

static void test_list_newest_and_pages(void **state)
{
	struct store *st = *state;
	struct article_query q = {.order = ORDER_NEWEST, .limit = 4, .page = 1, .now = NOW};
	json_t *list;
	unsigned total;

	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(total, 11);
	assert_int_equal(json_array_size(list), 4);
	assert_string_equal(slug_at(list, 0), "story-number-10");
	assert_string_equal(slug_at(list, 3), "story-number-7");
	json_t *a = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(a, "url")),
	                    "https://example.org/blog/articles/story-number-10");
	assert_string_equal(json_string_value(json_object_get(a, "published_at")),
	                    "2025-01-10T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(a, "updated_at")),
	                    "2025-01-10T00:00:00Z");
	assert_null(json_object_get(a, "body_html"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(a, "author"), "slug")), "jane-doe");
	json_decref(list);

	q.page = 3;
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(json_array_size(list), 3);
	assert_string_equal(slug_at(list, 2), "glacier-watch");
	json_decref(list);

	q.page = 4; /* past the end: empty, same total */
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(json_array_size(list), 0);
	assert_int_equal(total, 11);
	json_decref(list);

	q.page = 1;
	q.order = ORDER_OLDEST;
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_string_equal(slug_at(list, 0), "glacier-watch");
	json_decref(list);

	q.order = ORDER_TITLE;
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_string_equal(slug_at(list, 0), "glacier-watch");
	assert_string_equal(slug_at(list, 1), "story-number-1");
	assert_string_equal(slug_at(list, 2), "story-number-10");
	json_decref(list);
}

static void test_filters(void **state)
{
	struct store *st = *state;
	struct article_query q = {
	    .tag = "even", .order = ORDER_NEWEST, .limit = 20, .page = 1, .now = NOW};
	json_t *list;
	unsigned total;

	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(total, 5); /* not the scheduled one */
	assert_string_equal(slug_at(list, 0), "story-number-10");
	json_decref(list);

	q.tag = NULL;
	q.author = "ali-ray";
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(total, 3); /* 3, 6, 9 */
	json_decref(list);

	q.tag = "even";
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(total, 1); /* 6 */
	assert_string_equal(slug_at(list, 0), "story-number-6");
	json_decref(list);

	q.tag = "nope";
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(total, 0);
	json_decref(list);
}

static void test_search(void **state)
{
	struct store *st = *state;
	struct article_query q = {
	    .q = "glacier", .order = ORDER_RELEVANCE, .limit = 20, .page = 1, .now = NOW};
	json_t *list;
	unsigned total;

	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	assert_int_equal(total, 2); /* not the draft, the scheduled one or the page */
	assert_string_equal(slug_at(list, 0), "glacier-watch");
	assert_string_equal(slug_at(list, 1), "story-number-7");
	json_t *snippet = json_object_get(json_array_get(list, 1), "snippet");
	char *s = json_dumps(snippet, JSON_COMPACT);
	assert_string_equal(s, "[{\"text\":\"The \",\"match\":false},{\"text\":\"glacier\","
	                       "\"match\":true},{\"text\":\" melts slowly.\",\"match\":false}]");
	free(s);
	json_decref(list);

	/* Stemming, hostile syntax, nothing searchable. */
	static const struct {
		const char *q;
		unsigned total;
	} cases[] = {{"glaciers", 2},       {"AND OR (", 0},     {"\"", 0}, {"glac*", 2},
	             {"glacier -melts", 1}, {"NEAR(glacier", 0}, {"", 0}};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		q.q = cases[i].q;
		assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
		if (total != cases[i].total)
			fail_msg("'%s': %u results", cases[i].q, total);
		json_decref(list);
	}
}

static void test_get_article_and_page(void **state)
{
	struct store *st = *state;
	json_t *a;

	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, "story-number-7", NOW, &a), 1);
	assert_string_equal(json_string_value(json_object_get(a, "body_html")),
	                    "<p>The glacier melts slowly.</p>\n");
	assert_int_equal(json_integer_value(json_object_get(a, "reading_time_minutes")), 1);
	assert_int_equal(json_integer_value(json_object_get(a, "word_count")), 4);
	json_decref(a);

	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, "draft-glacier", NOW, &a), 0);
	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, "future-glacier", NOW, &a), 0);
	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, "about-us", NOW, &a), 0);
	assert_int_equal(store_get_article(st, &urls, ARTICLE_PAGE, "about-us", NOW, &a), 1);
	json_decref(a);
	/* The scheduled article appears once its moment has come. */
	assert_int_equal(
	    store_get_article(st, &urls, ARTICLE_POST, "future-glacier", 1893456000, &a), 1);
	json_decref(a);

	struct content_times t;
	assert_int_equal(store_content_times(st, NOW, &t), 0);
	assert_int_equal(t.next_due, 1893456000);
	assert_true(t.last_change >= 1736467200);
	/* The standalone page (written at NOW) is what every page shows. */
	assert_int_equal(t.site_change, NOW);

	json_t *pages;
	assert_int_equal(store_list_pages(st, &urls, NOW, &pages), 0);
	assert_int_equal(json_array_size(pages), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(pages, 0), "url")),
	                    "https://example.org/blog/about-us");
	json_decref(pages);
}

static void test_tags_and_authors(void **state)
{
	struct store *st = *state;
	json_t *list, *one;

	assert_int_equal(store_list_tags(st, &urls, NOW, &list), 0);
	char *s = json_dumps(list, JSON_COMPACT);
	assert_string_equal(s, "[{\"slug\":\"even\",\"name\":\"even\",\"count\":5,\"url\":"
	                       "\"https://example.org/blog/tags/even\"},{\"slug\":\"numbers\","
	                       "\"name\":\"numbers\",\"count\":5,\"url\":"
	                       "\"https://example.org/blog/tags/numbers\"}]");
	free(s);
	json_decref(list);

	assert_int_equal(store_list_authors(st, &urls, NOW, &list), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(slug_at(list, 0), "ali-ray");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "count")), 7);
	json_decref(list);

	assert_int_equal(store_get_tag(st, &urls, "numbers", NOW, &one), 1);
	assert_int_equal(json_integer_value(json_object_get(one, "count")), 5);
	json_decref(one);
	assert_int_equal(store_get_tag(st, &urls, "missing", NOW, &one), 0);
	assert_int_equal(store_get_author(st, &urls, "jane-doe", NOW, &one), 1);
	json_decref(one);
}

/* The slug of a brief article (a neighbour, a related one), or NULL. */
static const char *brief_slug(json_t *a)
{
	return json_string_value(json_object_get(a, "slug"));
}

static void test_neighbours(void **state)
{
	struct store *st = *state;
	static const struct {
		const char *slug, *older, *newer; /* NULL: none */
	} cases[] = {
	    {"story-number-5", "story-number-4", "story-number-6"},
	    /* Before the first of January comes the one of June 2024. */
	    {"story-number-1", "glacier-watch", "story-number-2"},
	    /* The draft and the scheduled article are never a way on. */
	    {"story-number-10", "story-number-9", NULL},
	    {"glacier-watch", NULL, "story-number-1"},
	    /* A page is no article; an unknown slug has no neighbours. */
	    {"about-us", NULL, NULL},
	    {"no-such-story", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *older, *newer;
		assert_int_equal(store_article_neighbours(st, &urls, cases[i].slug, NOW, &older, &newer),
		                 0);
		if (cases[i].older)
			assert_string_equal(brief_slug(older), cases[i].older);
		else
			assert_null(older);
		if (cases[i].newer)
			assert_string_equal(brief_slug(newer), cases[i].newer);
		else
			assert_null(newer);
		json_decref(older);
		json_decref(newer);
	}
	/* A brief article is what a link to it needs. */
	json_t *older, *newer;
	assert_int_equal(store_article_neighbours(st, &urls, "story-number-2", NOW, &older, &newer), 0);
	char *s = json_dumps(older, JSON_COMPACT);
	assert_string_equal(s, "{\"slug\":\"story-number-1\",\"title\":\"Story number 1\",\"url\":"
	                       "\"https://example.org/blog/articles/story-number-1\",\"published_at\":"
	                       "\"2025-01-01T00:00:00Z\"}");
	free(s);
	json_decref(older);
	json_decref(newer);
	/* Once the scheduled article's moment has come, it is the last one's next. */
	assert_int_equal(store_article_neighbours(st, &urls, "story-number-10", 1893456000, &older,
	                                          &newer),
	                 0);
	assert_string_equal(brief_slug(newer), "future-glacier");
	json_decref(older);
	json_decref(newer);
}

/* The slug of the neighbour the SQL the store used to run finds (cmp "<" older, ">" newer), or NULL. */
static char *neighbour_by_sql(sqlite3 *db, const char *slug, const char *cmp, int64_t now)
{
	char sql[640];
	snprintf(sql, sizeof sql,
	         "SELECT a.slug FROM articles a, (SELECT published_at AS p, id FROM articles "
	         "WHERE slug = ?1 AND kind = 0) m WHERE a.kind = 0 AND a.draft = 0 AND "
	         "a.published_at <= ?2 AND (a.published_at, a.id) %s (m.p, m.id) ORDER BY "
	         "a.published_at %s, a.id %s LIMIT 1",
	         cmp, cmp[0] == '<' ? "DESC" : "ASC", cmp[0] == '<' ? "DESC" : "ASC");
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	char *found = sqlite3_step(s) == SQLITE_ROW ? xstrdup((const char *)sqlite3_column_text(s, 0))
	                                            : NULL;
	sqlite3_finalize(s);
	return found;
}

/*
 * What an article page shows (store_article_ways()) is the neighbours
 * older and newer, and the related articles less those two, three.
 */
static void assert_ways_compose(struct store *st, const char *slug, int64_t now, json_t *older,
                                json_t *newer)
{
	json_t *o, *n, *related, *wider;
	assert_int_equal(store_article_ways(st, &urls, slug, now, 3, &o, &n, &related), 0);
	assert_true(json_equal(o, older) || (o == NULL && older == NULL));
	assert_true(json_equal(n, newer) || (n == NULL && newer == NULL));
	assert_int_equal(store_related_articles(st, &urls, slug, now, 5, &wider), 0);
	json_t *want = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(wider, i, v)
	{
		const char *s = brief_slug(v);
		if ((older && strcmp(s, brief_slug(older)) == 0) ||
		    (newer && strcmp(s, brief_slug(newer)) == 0) || json_array_size(want) == 3)
			continue;
		json_array_append(want, v);
	}
	if (!json_equal(related, want))
		fail_msg("%s: related %zu, not %zu", slug, json_array_size(related),
		         json_array_size(want));
	json_decref(want);
	json_decref(wider);
	json_decref(related);
	json_decref(o);
	json_decref(n);
}

/*
 * The neighbours from memory are the ones SQL finds, for every article of
 * a site with shared dates, drafts (dated and not), scheduled articles
 * and pages, at two moments; and an article page's ways are made of them
 * and of the related articles (assert_ways_compose()).
 */
static void test_neighbours_as_sql_finds_them(void **state)
{
	(void)state;
	char path[80];
	struct store *st = open_side_store("times", path, sizeof path);
	unsigned seed = 12345;
	char slugs[64][16];
	size_t n = 0;
	for (int i = 0; i < 60; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 16) % 100;
		char title[16], name[16], date[32], extra[64];
		snprintf(title, sizeof title, "Piece %d", i);
		snprintf(name, sizeof name, "p%d.md", i);
		/* Eight days for sixty articles: many share a moment. */
		snprintf(date, sizeof date, "%s-03-%02u", r < 10 ? "2030" : "2025", 1 + (seed >> 8) % 8);
		/* One or two of four tags: the related articles are many, and often neighbours. */
		static const char *const tagsets[] = {"tags: [a]\n", "tags: [a, b]\n", "tags: [c]\n",
		                                      "tags: [b, d]\n"};
		snprintf(extra, sizeof extra, "%s%s", r >= 10 && r < 25 ? "draft: true\n" : "",
		         tagsets[(seed >> 4) % 4]);
		if (r >= 25 && r < 30)
			snprintf(extra, sizeof extra, "type: page\n");
		if (r >= 30 && r < 34) {
			/* A draft without a date. */
			char text[128];
			snprintf(text, sizeof text, "---\ntitle: %s\ndraft: true\n---\nUndated.\n", title);
			put(st, name, text);
		} else {
			put_post(st, name, title, date, extra, "Some words.");
		}
		snprintf(slugs[n++], sizeof slugs[0], "piece-%d", i);
	}
	static const int64_t moments[] = {NOW, 1900000000};
	unsigned compared = 0;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t m = 0; m < GZ_ARRAY_LEN(moments); m++)
		for (size_t i = 0; i < n; i++) {
			json_t *older, *newer;
			assert_int_equal(
			    store_article_neighbours(st, &urls, slugs[i], moments[m], &older, &newer), 0);
			char *want_older = neighbour_by_sql(db, slugs[i], "<", moments[m]);
			char *want_newer = neighbour_by_sql(db, slugs[i], ">", moments[m]);
			if (want_older == NULL ? older != NULL
			                       : older == NULL || strcmp(brief_slug(older), want_older))
				fail_msg("%s at %lld: older %s, not %s", slugs[i], (long long)moments[m],
				         older ? brief_slug(older) : "none", want_older ? want_older : "none");
			if (want_newer == NULL ? newer != NULL
			                       : newer == NULL || strcmp(brief_slug(newer), want_newer))
				fail_msg("%s at %lld: newer %s, not %s", slugs[i], (long long)moments[m],
				         newer ? brief_slug(newer) : "none", want_newer ? want_newer : "none");
			compared += (want_older != NULL) + (want_newer != NULL);
			assert_ways_compose(st, slugs[i], moments[m], older, newer);
			free(want_older);
			free(want_newer);
			json_decref(older);
			json_decref(newer);
		}
	/* Not a comparison of nothing with nothing. */
	assert_true(compared > 100);
	sqlite3_close(db);
	store_close(st);
	store_remove(path);
}

static void test_related(void **state)
{
	struct store *st = *state;
	static const struct {
		const char *slug;
		unsigned limit;
		const char *want[4]; /* NULL-terminated */
	} cases[] = {
	    /* Every even story shares both tags: the nearest in time first, the
	     * later added of two as near (6 before 2), never itself nor the
	     * scheduled one. */
	    {"story-number-4", 3, {"story-number-6", "story-number-2", "story-number-8", NULL}},
	    {"story-number-10", 2, {"story-number-8", "story-number-6", NULL}},
	    {"story-number-4", 0, {NULL}},
	    /* No tags, nothing related; a page or an unknown slug neither. */
	    {"story-number-3", 3, {NULL}},
	    {"about-us", 3, {NULL}},
	    {"no-such-story", 3, {NULL}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *list;
		assert_int_equal(
		    store_related_articles(st, &urls, cases[i].slug, NOW, cases[i].limit, &list), 0);
		size_t n = 0;
		while (cases[i].want[n])
			n++;
		if (json_array_size(list) != n)
			fail_msg("%s: %zu related, not %zu", cases[i].slug, json_array_size(list), n);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(brief_slug(json_array_get(list, k)), cases[i].want[k]);
		json_decref(list);
	}
}

static void test_archive_and_ranges(void **state)
{
	struct store *st = *state;
	json_t *years;
	assert_int_equal(store_archive(st, &urls, NOW, &years), 0);
	char *s = json_dumps(years, JSON_COMPACT);
	assert_string_equal(
	    s, "[{\"year\":2025,\"count\":10,\"url\":\"https://example.org/blog/archive/2025\","
	       "\"months\":[{\"month\":1,\"count\":10,\"url\":"
	       "\"https://example.org/blog/archive/2025/01\"}]},"
	       "{\"year\":2024,\"count\":1,\"url\":\"https://example.org/blog/archive/2024\","
	       "\"months\":[{\"month\":6,\"count\":1,\"url\":"
	       "\"https://example.org/blog/archive/2024/06\"}]}]");
	free(s);
	json_decref(years);

	/* The counts follow every change the triggers see. */
	static const struct {
		const char *path, *title, *date, *extra; /* a write, or a delete (title NULL) */
		const char *want;                        /* "YYYY-MM:N ..." afterwards */
		int64_t now;
	} changes[] = {
	    {"s3.md", NULL, NULL, NULL, "2025-01:9 2024-06:1", NOW},
	    {"s3.md", "Story number 3", "2025-01-03", "author: Ali Ray\n", "2025-01:10 2024-06:1",
	     NOW},
	    {"s5.md", "Story number 5", "2023-03-05", "author: Jane Doe\n",
	     "2025-01:9 2024-06:1 2023-03:1", NOW},
	    {"s5.md", "Story number 5", "2025-01-05", "author: Jane Doe\ndraft: true\n",
	     "2025-01:9 2024-06:1", NOW},
	    {"s5.md", "Story number 5", "2025-01-05", "author: Jane Doe\n", "2025-01:10 2024-06:1",
	     NOW},
	    /* The scheduled article counts once its moment has come. */
	    {NULL, NULL, NULL, NULL, "2030-01:1 2025-01:10 2024-06:1", 1893456000},
	};
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		if (changes[i].path && changes[i].title) {
			put_post(st, changes[i].path, changes[i].title, changes[i].date,
			         changes[i].extra, "Words.");
		} else if (changes[i].path) {
			assert_int_equal(store_begin(st), 0);
			assert_int_equal(store_delete_article(st, "story-number-3"), 1);
			assert_int_equal(store_commit(st), 0);
		}
		assert_int_equal(store_archive(st, &urls, changes[i].now, &years), 0);
		struct buf got = BUF_INIT;
		size_t y, m;
		json_t *year, *month;
		json_array_foreach(years, y, year)
		{
			json_array_foreach(json_object_get(year, "months"), m, month)
			buf_printf(&got, "%s%04lld-%02lld:%lld", got.len ? " " : "",
			           (long long)json_integer_value(json_object_get(year, "year")),
			           (long long)json_integer_value(json_object_get(month, "month")),
			           (long long)json_integer_value(json_object_get(month, "count")));
		}
		if (strcmp(got.data ? got.data : "", changes[i].want) != 0)
			fail_msg("change %zu: %s, not %s", i, got.data, changes[i].want);
		buf_free(&got);
		json_decref(years);
	}

	static const struct {
		int64_t from, until;
		unsigned total;
		const char *first;
	} cases[] = {
	    {1704067200, 1735689600, 1, "glacier-watch"},     /* 2024 */
	    {1735689600, 1738368000, 10, "story-number-10"},  /* January 2025 */
	    {1735862400, 1736035200, 2, "story-number-4"},    /* 3 and 4 January */
	    {1738368000, 1740787200, 0, NULL},                /* February 2025 */
	    {0, 0, 11, "story-number-10"},                    /* no range */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct article_query q = {.order = ORDER_NEWEST, .limit = 20, .page = 1, .now = NOW,
		                          .from = cases[i].from, .until = cases[i].until};
		json_t *list;
		unsigned total;
		assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
		assert_int_equal(total, cases[i].total);
		if (cases[i].first)
			assert_string_equal(slug_at(list, 0), cases[i].first);
		json_decref(list);
	}
}

static void test_author_details(void **state)
{
	struct store *st = *state;
	static const struct {
		const char *avatar; /* as site.yaml gives it */
		const char *want;   /* the API's, or NULL for null */
	} cases[] = {
	    {"images/jane.png", "https://example.org/blog/images/jane.png"},
	    {"/images/jane doe.png", "https://example.org/blog/images/jane%20doe.png"},
	    {"https://cdn.example.org/j.png", "https://cdn.example.org/j.png"},
	    {"HTTP://cdn.example.org/j.png", "HTTP://cdn.example.org/j.png"},
	    {"javascript:alert(1)", NULL},
	    {"data:image/png;base64,AAAA", NULL},
	    {"//evil.example/j.png", NULL},
	    {"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *authors = json_pack(
		    "{s:{s:s, s:s, s:s, s:[{s:s, s:s}, s, {s:s, s:s}, i]}}", "jane-doe", "name", "Jane Doe",
		    "bio", "Writes about glaciers.", "avatar", cases[i].avatar, "links", "name", "Blog",
		    "url", "https://jane.example", "mailto:jane@example.org", "name", "Evil", "url",
		    "javascript:alert(1)", 7);
		assert_int_equal(store_begin(st), 0);
		assert_int_equal(store_put_authors(st, authors), 0);
		assert_int_equal(store_commit(st), 0);
		json_decref(authors);

		json_t *one;
		assert_int_equal(store_get_author(st, &urls, "jane-doe", NOW, &one), 1);
		json_t *avatar = json_object_get(one, "avatar");
		if (cases[i].want)
			assert_string_equal(json_string_value(avatar), cases[i].want);
		else
			assert_true(json_is_null(avatar));
		assert_string_equal(json_string_value(json_object_get(one, "bio")),
		                    "Writes about glaciers.");
		char *s = json_dumps(json_object_get(one, "links"), JSON_COMPACT);
		assert_string_equal(s, "[{\"name\":\"Blog\",\"url\":\"https://jane.example\"},"
		                       "{\"name\":\"mailto:jane@example.org\",\"url\":"
		                       "\"mailto:jane@example.org\"}]");
		free(s);
		json_decref(one);
	}
	/* An author site.yaml does not declare has nothing but a name. */
	json_t *list;
	assert_int_equal(store_list_authors(st, &urls, NOW, &list), 0);
	char *s = json_dumps(json_array_get(list, 0), JSON_COMPACT);
	assert_string_equal(s, "{\"slug\":\"ali-ray\",\"name\":\"Ali Ray\",\"count\":3,\"url\":"
	                       "\"https://example.org/blog/authors/ali-ray\",\"bio\":\"\",\"avatar\":"
	                       "null,\"links\":[]}");
	free(s);
	json_decref(list);
	/* Undeclared again: back to the article's spelling, no details. */
	assert_int_equal(store_begin(st), 0);
	json_t *none = json_object();
	assert_int_equal(store_put_authors(st, none), 0);
	assert_int_equal(store_commit(st), 0);
	json_decref(none);
}

static void test_upsert_and_prune(void **state)
{
	struct store *st = *state;
	/* The same bytes from the same file: nothing to do. */
	assert_int_equal(
	    put_post(st, "s1.md", "Story number 1", "2025-01-01", "author: Jane Doe\n", "Words."),
	    UPSERT_UNCHANGED);
	assert_int_equal(put_post(st, "s1.md", "Story number 1", "2025-01-01",
	                          "author: Jane Doe\ntags: [fresh]\n", "New."),
	                 UPSERT_UPDATED);
	json_t *one;
	assert_int_equal(store_get_tag(st, &urls, "fresh", NOW, &one), 1);
	json_decref(one);
	assert_int_equal(
	    put_post(st, "s1.md", "Story number 1", "2025-01-01", "author: Jane Doe\n", "New."),
	    UPSERT_UPDATED);
	/* The tag no article uses any more is gone. */
	assert_int_equal(store_get_tag(st, &urls, "fresh", NOW, &one), 0);
}

static void test_files_and_redirects(void **state)
{
	struct store *st = *state;
	static const char png[] = "\x89PNG\r\n\x1a\n fake image bytes";
	static const char other[] = "another file";
	bool changed;

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_put_file(st, "images/a.png", png, sizeof png - 1, "image/png", 640,
	                                480, "/src/images/a.png", NOW, &changed),
	                 0);
	assert_true(changed);
	/* The same bytes at the same address: nothing changes. */
	assert_int_equal(store_put_file(st, "images/a.png", png, sizeof png - 1, "image/png", 640,
	                                480, "/elsewhere/a.png", NOW + 5, &changed),
	                 0);
	assert_false(changed);
	/* The same bytes at another address share the stored bytes. */
	assert_int_equal(store_put_file(st, "copy/a.png", png, sizeof png - 1, "image/png", 640,
	                                480, "", NOW, &changed),
	                 0);
	assert_true(changed);
	assert_int_equal(store_commit(st), 0);

	struct store_file f, g;
	assert_int_equal(store_get_file(st, "images/a.png", &f), 1);
	assert_int_equal(store_get_file(st, "copy/a.png", &g), 1);
	assert_int_equal(f.blob_id, g.blob_id);
	assert_int_equal(f.size, sizeof png - 1);
	assert_string_equal(f.type, "image/png");
	assert_int_equal(f.width, 640);
	assert_int_equal(f.height, 480);
	assert_int_equal(f.modified_at, NOW);
	assert_int_equal(strlen(f.hash), 64);
	char bytes[8];
	assert_int_equal(store_read_file(st, f.blob_id, 1, bytes, 3), 0);
	assert_memory_equal(bytes, "PNG", 3);
	assert_int_equal(store_read_file(st, f.blob_id, sizeof png, bytes, 3), -1);
	assert_int_equal(store_get_file(st, "images/none.png", &f), 0);

	/* New bytes at an address; the old ones go once nothing names them. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_put_file(st, "copy/a.png", other, sizeof other - 1, "text/plain", 0, 0,
	                                "", NOW + 9, &changed),
	                 0);
	assert_true(changed);
	assert_int_equal(store_prune_blobs(st), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_get_file(st, "copy/a.png", &g), 1);
	assert_int_not_equal(g.blob_id, f.blob_id);
	assert_int_equal(g.width, 0);
	assert_int_equal(store_get_file(st, "images/a.png", &f), 1); /* still named: kept */

	/* Old addresses lead to an article, and move when another claims them. */
	json_t *old = json_pack("[{s:s, s:s}, {s:s, s:s}]", "path", "/2025/01/03/story.html",
	                        "origin", "permalink", "path", "/?p=3", "origin", "wxr");
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_set_redirects(st, "story-number-3", old), 0);
	assert_int_equal(store_commit(st), 0);
	char *slug;
	enum article_kind kind;
	assert_int_equal(store_find_redirect(st, "/?p=3", &slug, &kind), 1);
	assert_string_equal(slug, "story-number-3");
	assert_int_equal(kind, ARTICLE_POST);
	free(slug);
	json_t *moved = json_pack("[{s:s, s:s}]", "path", "/?p=3", "origin", "aliases");
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_set_redirects(st, "story-number-4", moved), 0);
	/* Setting an article's addresses again replaces them. */
	json_t *none = json_array(); /* store_set_redirects() does not take it */
	assert_int_equal(store_set_redirects(st, "story-number-3", none), 0);
	json_decref(none);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_find_redirect(st, "/?p=3", &slug, &kind), 1);
	assert_string_equal(slug, "story-number-4");
	free(slug);
	assert_int_equal(store_find_redirect(st, "/2025/01/03/story.html", &slug, &kind), 0);
	assert_null(slug);
	json_decref(old);
	json_decref(moved);
}

/*
 * Chinese, Japanese and Korean are read by the character (500 a minute),
 * the rest by the word; an article's own language comes back as given.
 */
static void test_reading_by_character(void **state)
{
	struct store *st = *state;
	struct buf body = BUF_INIT;
	buf_puts(&body, "我们用 Python 3.12 重写了构建脚本。\n\n");
	/* 10 characters and a full stop, 100 times: 1000 characters. */
	for (int i = 0; i < 100; i++)
		buf_puts(&body, "今天我们发布了新版本。");
	put_post(st, "zh.md", "新版本发布", "2020-03-01", "lang: zh-Hans\n", body.data);
	buf_free(&body);
	json_t *a;
	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, "新版本发布", NOW, &a), 1);
	/* 2 words (Python, 3.12) and 1010 characters: 2/265 + 1010/500 minutes, rounded up. */
	assert_int_equal(json_integer_value(json_object_get(a, "word_count")), 2);
	assert_int_equal(json_integer_value(json_object_get(a, "reading_time_minutes")), 3);
	assert_string_equal(json_string_value(json_object_get(a, "lang")), "zh-Hans");
	json_decref(a);
	/* Without a language of its own: null, the site's. */
	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, "story-number-7", NOW, &a), 1);
	assert_true(json_is_null(json_object_get(a, "lang")));
	json_decref(a);
}

static void test_settings_and_versions(void **state)
{
	struct store *st = *state;
	long long v1 = store_data_version(st);
	assert_true(v1 >= 0);

	/* A commit by another connection changes the data version. */
	sqlite3 *other;
	assert_int_equal(sqlite3_open(db_path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other,
	                              "INSERT INTO settings VALUES ('site.title', '\"Elsewhere\"'),"
	                              "('site.words_per_minute', '\"100\"')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_true(store_data_version(st) != v1);

	/*
	 * Within a read, the version is the snapshot's (the store keeps the
	 * first answer): another commit shows only after the read ends.
	 */
	assert_true(store_read_begin(st));
	long long v2 = store_data_version(st);
	assert_int_equal(sqlite3_exec(other, "DELETE FROM settings WHERE key = 'site.nothing'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "INSERT INTO settings VALUES ('site.nothing', '1')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(store_data_version(st), v2);
	store_read_end(st, true);
	long long v3 = store_data_version(st);
	assert_true(v3 != v2);
	/* Outside a read, every call asks: the next commit shows at once. */
	assert_int_equal(sqlite3_exec(other, "DELETE FROM settings WHERE key = 'site.nothing'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_true(store_data_version(st) != v3);
	sqlite3_close(other);

	json_t *settings;
	assert_int_equal(store_get_settings(st, &settings), 0);
	assert_string_equal(json_string_value(json_object_get(settings, "title")), "Elsewhere");
	json_decref(settings);

	/* words_per_minute from the settings drives reading times. */
	json_t *a;
	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, "story-number-2", NOW, &a), 1);
	assert_int_equal(json_integer_value(json_object_get(a, "reading_time_minutes")), 1);
	json_decref(a);

	bool changed;
	json_t *s = json_pack("{s:s}", "title", "Put");
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_put_settings(st, s, NOW + 60, &changed), 0);
	assert_true(changed);
	assert_int_equal(store_put_settings(st, s, NOW + 90, &changed), 0);
	assert_false(changed);
	assert_int_equal(store_commit(st), 0);
	struct content_times t;
	assert_int_equal(store_content_times(st, NOW, &t), 0);
	assert_int_equal(t.site_change, NOW + 60); /* when the settings last changed */
	json_decref(s);
	assert_int_equal(store_ping(st), 0);
}

/*
 * The related articles of one with a rare tag: a draft and a scheduled
 * article sharing it are never shown, and do not take the room of those
 * that are: 45 drafts stand between the article and the one published
 * article that shares the tag (the window of each side counts shown
 * articles only).
 */
static void test_related_only_shown(void **state)
{
	(void)state;
	char path[80];
	struct store *st = open_side_store("related", path, sizeof path);
	put_post(st, "far.md", "Far one", "2024-01-01", "tags: [rare]\n", "Published long ago.");
	for (int i = 0; i < 45; i++) {
		char title[32], name[32];
		snprintf(title, sizeof title, "Draft %d", i);
		snprintf(name, sizeof name, "d%d.md", i);
		put_post(st, name, title, "2025-02-01", "tags: [rare]\ndraft: true\n", "Not yet.");
	}
	put_post(st, "soon.md", "Soon", "2030-01-01", "tags: [rare]\n", "Scheduled.");
	put_post(st, "here.md", "Here", "2025-03-01", "tags: [rare]\n", "The article shown.");

	json_t *list;
	assert_int_equal(store_related_articles(st, &urls, "here", NOW, 5, &list), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(brief_slug(json_array_get(list, 0)), "far-one");
	json_decref(list);
	/* Once the scheduled one's moment has come, it is shown, after the nearer in time. */
	assert_int_equal(store_related_articles(st, &urls, "here", 1893456000, 5, &list), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(brief_slug(json_array_get(list, 0)), "far-one");
	assert_string_equal(brief_slug(json_array_get(list, 1)), "soon");
	json_decref(list);
	/*
	 * With an id missing (a deleted draft), the articles after it stand one
	 * place before their id's: still found (store_article_shown()).
	 */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_delete_article(st, "draft-10"), 1);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_related_articles(st, &urls, "here", 1893456000, 5, &list), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(brief_slug(json_array_get(list, 0)), "far-one");
	assert_string_equal(brief_slug(json_array_get(list, 1)), "soon");
	json_decref(list);
	store_close(st);
	store_remove(path);
}

/* "slug slug ..|author slug .." of an article: its tags, then its authors, in order. */
static void names_of(json_t *a, char *out, size_t size)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(a, "tags"), i, v)
		buf_printf(&b, "%s ", json_string_value(json_object_get(v, "slug")));
	buf_puts(&b, "|");
	json_array_foreach(json_object_get(a, "authors"), i, v)
		buf_printf(&b, " %s", json_string_value(json_object_get(v, "slug")));
	json_t *first = json_object_get(a, "author");
	buf_printf(&b, " (%s)", json_is_object(first)
	                            ? json_string_value(json_object_get(first, "slug"))
	                            : "none");
	char *text = buf_detach(&b, NULL);
	snprintf(out, size, "%s", text);
	free(text);
}

/* The tags and authors of article slug, read alone (want) and in the list of all (want). */
static void assert_names(struct store *st, const char *slug, const char *want)
{
	char got[160];
	json_t *a, *list;
	unsigned total;
	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, slug, NOW, &a), 1);
	names_of(a, got, sizeof got);
	assert_string_equal(got, want);
	json_decref(a);
	struct article_query q = {.order = ORDER_NEWEST, .limit = 20, .page = 1, .now = NOW};
	assert_int_equal(store_list_articles(st, &urls, &q, &list, &total), 0);
	size_t i;
	json_t *v;
	bool seen = false;
	json_array_foreach(list, i, v) if (strcmp(json_string_value(json_object_get(v, "slug")),
	                                          slug) == 0)
	{
		names_of(v, got, sizeof got);
		assert_string_equal(got, want);
		seen = true;
	}
	assert_true(seen);
	json_decref(list);
	/* Once a list read them, one article takes them from memory: the same. */
	assert_int_equal(store_get_article(st, &urls, ARTICLE_POST, slug, NOW, &a), 1);
	names_of(a, got, sizeof got);
	assert_string_equal(got, want);
	json_decref(a);
}

/*
 * Tags and authors come in the order written, whether read from SQLite
 * or from the taxonomy in memory, and follow every change: this
 * connection's own, and another's (as the import's, beside a server).
 */
static void test_tags_in_the_order_written(void **state)
{
	(void)state;
	char path[80];
	struct store *st = open_side_store("names", path, sizeof path), *other = NULL;
	struct diag err;
	diag_clear(&err);
	if (store_open(path, 0, &other, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	put_post(st, "one.md", "One", "2025-01-01",
	         "tags: [zeta, alpha, mid]\nauthors: [Zed Last, Ann First]\n", "First.");
	put_post(st, "two.md", "Two", "2025-01-02", "tags: [alpha]\nauthor: Ann First\n", "Second.");
	put_post(st, "three.md", "Three", "2025-01-03", "", "No tags, no author.");
	assert_names(st, "one", "zeta alpha mid | zed-last ann-first (zed-last)");
	assert_names(st, "two", "alpha | ann-first (ann-first)");
	assert_names(st, "three", "| (none)");

	/* This connection's change. */
	put_post(st, "one.md", "One", "2025-01-01", "tags: [mid, new, zeta]\nauthor: Ann First\n",
	         "First, again.");
	assert_names(st, "one", "mid new zeta | ann-first (ann-first)");
	assert_names(st, "two", "alpha | ann-first (ann-first)");

	/* Another connection's. */
	put_post(other, "two.md", "Two", "2025-01-02", "tags: [new, alpha]\nauthor: Zed Last\n",
	         "Second, again.");
	assert_names(st, "two", "new alpha | zed-last (zed-last)");
	assert_names(st, "one", "mid new zeta | ann-first (ann-first)");
	store_close(other);
	store_close(st);
	store_remove(path);
}

static void test_refuses_foreign_files(void **state)
{
	char path[80];
	snprintf(path, sizeof path, "%s-foreign", db_path);
	unlink(path);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	struct store *st;
	struct diag err;
	diag_clear(&err);
	assert_int_equal(store_open(path, STORE_CREATE, &st, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "not a gazette database"));

	FILE *f = fopen(path, "w");
	fputs("garbage garbage garbage garbage garbage garbage garbage garbage garbage\n", f);
	fclose(f);
	assert_int_equal(store_open(path, STORE_CREATE, &st, NULL, &err), -1);
	unlink(path);

	/* A missing file without STORE_CREATE is an error, and is not created. */
	assert_int_equal(store_open(path, 0, &st, NULL, &err), -1);
	assert_int_equal(access(path, F_OK), -1);
}

/*
 * An import adds its articles to the search index together at the commit
 * (store_defer_index()): they are found then, as if each had been indexed
 * when it was added, also when one of them is replaced or deleted before
 * the commit; a rollback leaves the index kept in step article by article.
 */
static void test_index_deferred(void **state)
{
	(void)state;
	char path[80];
	struct store *st = open_side_store("deferred", path, sizeof path);
	assert_int_equal(store_delete_builtin(st) >= 0, 1);

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_defer_index(st), 0);
	assert_int_equal(store_defer_index(st), -1); /* once a transaction */
	assert_int_equal(
	    upsert_text(st, "a.md", "---\ntitle: Alpha\ndate: 2025-01-01\n---\nA moraine.\n"),
	    UPSERT_ADDED);
	assert_int_equal(
	    upsert_text(st, "b.md", "---\ntitle: Beta\ndate: 2025-01-02\n---\nAn esker.\n"),
	    UPSERT_ADDED);
	assert_int_equal(
	    upsert_text(st, "c.md", "---\ntitle: Gamma\ndate: 2025-01-03\n---\nA cirque.\n"),
	    UPSERT_ADDED);
	/* Replaced and deleted before the commit: the index must know the old text to forget it. */
	assert_int_equal(
	    upsert_text(st, "a.md", "---\ntitle: Alpha\ndate: 2025-01-01\n---\nA drumlin.\n"),
	    UPSERT_UPDATED);
	assert_int_equal(store_delete_article(st, "beta"), 1);
	assert_int_equal(
	    upsert_text(st, "d.md", "---\ntitle: Delta\ndate: 2025-01-04\n---\nA tarn.\n"),
	    UPSERT_ADDED);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(found(st, "drumlin"), 1);
	assert_int_equal(found(st, "moraine"), 0);
	assert_int_equal(found(st, "esker"), 0);
	assert_int_equal(found(st, "cirque"), 1);
	assert_int_equal(found(st, "tarn"), 1);

	/* Rolled back: nothing of it is found, and what comes next is indexed as it is added. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_defer_index(st), 0);
	assert_int_equal(
	    upsert_text(st, "e.md", "---\ntitle: Epsilon\ndate: 2025-01-05\n---\nA col.\n"),
	    UPSERT_ADDED);
	store_rollback(st);
	assert_int_equal(found(st, "col"), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(
	    upsert_text(st, "f.md", "---\ntitle: Zeta\ndate: 2025-01-06\n---\nA fjord.\n"),
	    UPSERT_ADDED);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(found(st, "fjord"), 1);
	store_close(st);

	/* The schema is as a new database has it: the trigger is back, once. */
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
	                       "AND name = 'articles_fts_insert'",
	                       -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	sqlite3_finalize(s);
	/* FTS5 took the bulk insert's hash size and merge width, and the table is back at its defaults. */
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT k, v FROM articles_fts_config "
	                                    "WHERE k IN ('hashsize', 'automerge') ORDER BY k",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), "automerge");
	assert_int_equal(sqlite3_column_int(s, 1), 4);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), "hashsize");
	assert_int_equal(sqlite3_column_int(s, 1), 1 << 20);
	sqlite3_finalize(s);
	sqlite3_close(db);
	store_remove(path);
}

/* Writes ids and weights as a list and reads them back through a cursor. */
static void round_trip(const int64_t *ids, const uint32_t *weights, size_t n, bool dense)
{
	struct plist *l = plist_new("w", 1);
	plist_encode(l, ids, weights, n);
	assert_int_equal(l->n, n);
	assert_int_equal(l->dense, dense);
	struct cursor c;
	cursor_open(&c, l);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c.id, ids[i]);
		assert_int_equal(c.weight, weights[i]);
		cursor_next(&c);
	}
	assert_true(c.id == INT64_MAX);
	/* A dense list's bitmap starts on a 64-bit word: the walk ands two as they are. */
	if (dense)
		assert_true(l->base % 64 == 0 && l->base <= ids[0] && ids[0] - l->base < 64);
	/*
	 * Its heavy articles: those of weight heavy or more, the least weight
	 * that at most one in sixteen reaches (or 16).
	 */
	if (dense) {
		size_t heavy = 0, below = 0;
		assert_true(l->heavy >= 2 && l->heavy <= 16);
		for (size_t i = 0; i < n; i++) {
			size_t b = (size_t)(ids[i] - l->base);
			bool set = l->heavy_bits && (l->heavy_bits[b / 8] >> (b % 8) & 1);
			assert_int_equal(set, weights[i] >= l->heavy);
			heavy += set;
			below += weights[i] >= l->heavy - 1;
		}
		assert_true(heavy <= n / 16 || l->heavy == 16);
		assert_true(l->heavy == 2 || below > n / 16);
	}
	/* By rank, as the walk of bitmaps reads them: every third one, going up. */
	const uint32_t *large = l->large;
	for (size_t i = 0; i < n; i += 3)
		assert_int_equal(plist_weight(l, i, &large), weights[i]);
	/* Seeking far (a bitmap's words counted at once) and near, with every weight right. */
	cursor_open(&c, l);
	for (size_t i = 0; i < n; i += 1 + i % 97) {
		cursor_seek(&c, ids[i]);
		assert_int_equal(c.id, ids[i]);
		assert_int_equal(c.weight, weights[i]);
	}
	/* Seeking lands on the first article at or after the id asked. */
	if (n > 1) {
		cursor_open(&c, l);
		cursor_seek(&c, ids[n - 1] - 1 > ids[n - 2] ? ids[n - 1] - 1 : ids[n - 1]);
		assert_int_equal(c.id, ids[n - 1]);
		assert_int_equal(c.weight, weights[n - 1]);
	}
	free(l->key);
	filemem_free(l->data);
	free(l);
}

/*
 * A phrase's list keeps every article and weight: ids as a bitmap when
 * they are many (across 64-bit words, the last bit of one), as distances
 * when few; weights from one nibble to escaped large ones.
 */
static void test_list_encoding(void **state)
{
	(void)state;
	enum { N = 1000 };
	int64_t ids[N];
	uint32_t weights[N];
	static const uint32_t odd[] = {1, 15, 16, 7, 8, 10, 11, 100, 1000000, 14, 63, 64, 4};
	for (size_t i = 0; i < N; i++) {
		ids[i] = 3 + (int64_t)i * 2 + (i > 500 ? 61 : 0);
		weights[i] = odd[i % (sizeof odd / sizeof *odd)];
	}
	round_trip(ids, weights, N, true);
	/* Every id from 1 to 130, then 200: each word's last bit and the next one's first. */
	for (size_t i = 0; i < 131; i++) {
		ids[i] = i < 130 ? (int64_t)i + 1 : 200;
		weights[i] = odd[(i * 7) % (sizeof odd / sizeof *odd)];
	}
	round_trip(ids, weights, 131, true);
	/* Mostly once, some three times, a few in the title: heavy from 4. */
	for (size_t i = 0; i < 500; i++) {
		ids[i] = (int64_t)i + 70;
		weights[i] = i % 40 == 0 ? 12 : i % 7 == 0 ? 3 : 1;
	}
	round_trip(ids, weights, 500, true);
	int64_t sparse[] = {5, 1000, 100000, 100001, 9000000000};
	uint32_t w5[] = {1, 31, 15, 2, 1};
	round_trip(sparse, w5, 5, false);
	int64_t one[] = {42};
	uint32_t w1[] = {17};
	round_trip(one, w1, 1, false);
	round_trip(NULL, NULL, 0, false);
}

/* The slugs of a relevance search for q as status at now, and its total. */
static unsigned searched(struct store *st, const char *q, enum article_status status, int64_t now,
                         char *slugs, size_t size)
{
	struct article_query query = {.q = q,
	                              .order = ORDER_RELEVANCE,
	                              .limit = 5,
	                              .page = 1,
	                              .now = now,
	                              .status = status};
	json_t *list;
	unsigned total;
	assert_int_equal(store_list_articles(st, &urls, &query, &list, &total), 0);
	size_t at = 0;
	slugs[0] = '\0';
	for (size_t i = 0; i < json_array_size(list) && at < size; i++)
		at += (size_t)snprintf(slugs + at, size - at, "%s%s", i ? " " : "", slug_at(list, i));
	json_decref(list);
	return total;
}

/*
 * A word in nearly every article is walked as bitmaps (the articles
 * shown to a status, anded with the lists): drafts, pages and scheduled
 * articles counted as the status says, a scheduled article shown once its
 * moment has come and not when the clock goes back, a rare word excluded.
 */
static void test_search_bitmaps(void **state)
{
	(void)state;
	char path[300], slugs[256];
	struct store *st = open_side_store("bitmaps", path, sizeof path);
	const int64_t later = 1893542400; /* 2030-01-02 */
	for (int i = 1; i <= 40; i++) {
		char title[32], file[32], date[16];
		snprintf(title, sizeof title, "Entry %d", i);
		snprintf(file, sizeof file, "e%d.md", i);
		snprintf(date, sizeof date, "2025-02-%02d", 1 + i % 28);
		put_post(st, file, title, date, i % 5 ? "" : "draft: true\n",
		         i % 17 ? "A moraine, then rocks." : "A moraine, and a rare fern.");
	}
	put_post(st, "f.md", "Moraine ahead", "2030-01-01", "", "Moraine.");
	put(st, "p.md", "---\ntitle: Moraine page\ntype: page\n---\nMoraine.\n");

	/* 40 entries, 8 of them drafts; the scheduled one and the page are not shown. */
	assert_int_equal(searched(st, "moraine", STATUS_PUBLISHED, NOW, slugs, sizeof slugs), 32);
	assert_null(strstr(slugs, "moraine-ahead"));
	/* Its moment comes: shown, first (the word is in its title). */
	assert_int_equal(searched(st, "moraine", STATUS_PUBLISHED, later, slugs, sizeof slugs), 33);
	assert_true(strncmp(slugs, "moraine-ahead ", 14) == 0);
	/* The clock goes back: hidden again. */
	assert_int_equal(searched(st, "moraine", STATUS_PUBLISHED, NOW, slugs, sizeof slugs), 32);
	/* The other statuses. */
	assert_int_equal(searched(st, "moraine", STATUS_DRAFT, NOW, slugs, sizeof slugs), 8);
	assert_int_equal(searched(st, "moraine", STATUS_SCHEDULED, NOW, slugs, sizeof slugs), 1);
	assert_string_equal(slugs, "moraine-ahead");
	assert_int_equal(searched(st, "moraine", STATUS_SCHEDULED, later, slugs, sizeof slugs), 0);
	assert_int_equal(searched(st, "moraine", STATUS_ALL, NOW, slugs, sizeof slugs), 41);
	/* A rare word (entries 17 and 34) excluded, and asked for. */
	assert_int_equal(searched(st, "moraine -fern", STATUS_PUBLISHED, NOW, slugs, sizeof slugs),
	                 30);
	assert_int_equal(searched(st, "rocks -fern", STATUS_ALL, NOW, slugs, sizeof slugs), 38);
	assert_int_equal(searched(st, "fern moraine", STATUS_ALL, NOW, slugs, sizeof slugs), 2);
	/* Entries deleted: the ids have gaps, and the best is still found (entry 17, "fern" in its body). */
	for (int i = 1; i <= 15; i += 2) {
		char slug[32];
		snprintf(slug, sizeof slug, "entry-%d", i);
		assert_int_equal(store_begin(st), 0);
		assert_int_equal(store_delete_article(st, slug), 1);
		assert_int_equal(store_commit(st), 0);
	}
	put_post(st, "e17.md", "Entry 17", "2025-02-18", "", "A moraine moraine moraine, a fern.");
	/* The shortest body of those with the word once ranks next (each match's own length). */
	put_post(st, "e21.md", "Entry 21", "2025-02-22", "", "Moraine.");
	assert_int_equal(searched(st, "moraine", STATUS_PUBLISHED, NOW, slugs, sizeof slugs), 26);
	assert_true(strncmp(slugs, "entry-17 entry-21 ", 18) == 0);
	store_close(st);
	store_remove(path);

	/*
	 * A light match (the word three times, no title) in a three-word body
	 * beats the heavy ones (six times, in long bodies): the light matches
	 * are still looked at when their bound can beat the page's worst.
	 */
	st = open_side_store("light", path, sizeof path);
	/* Ids 1 to 69 taken and given up (70 kept, so none comes back): the bitmaps start at 64, not 0. */
	for (int i = 1; i <= 70; i++) {
		char file[32], title[32];
		snprintf(file, sizeof file, "f%d.md", i);
		snprintf(title, sizeof title, "Filler %d", i);
		put_post(st, file, title, "2025-04-01", "", "Nothing.");
	}
	assert_int_equal(store_begin(st), 0);
	for (int i = 1; i < 70; i++) {
		char slug[32];
		snprintf(slug, sizeof slug, "filler-%d", i);
		assert_int_equal(store_delete_article(st, slug), 1);
	}
	assert_int_equal(store_commit(st), 0);
	struct buf long_body = BUF_INIT;
	buf_printf(&long_body, "Esker esker esker esker esker esker");
	for (int i = 0; i < 300; i++)
		buf_printf(&long_body, " gravel");
	put_post(st, "h1.md", "Heavy one", "2025-04-01", "", long_body.data);
	put_post(st, "h2.md", "Heavy two", "2025-04-02", "", long_body.data);
	buf_free(&long_body);
	for (int i = 0; i < 31; i++) {
		char file[32];
		snprintf(file, sizeof file, "m%d.md", i);
		char title[32];
		snprintf(title, sizeof title, "Middle %d", i);
		put_post(st, file, title, "2025-04-03", "", "An esker and some sand in a valley here.");
	}
	put_post(st, "short.md", "Short", "2025-04-04", "", "Esker esker esker.");
	struct article_query query = {
	    .q = "esker", .order = ORDER_RELEVANCE, .limit = 2, .page = 1, .now = NOW};
	json_t *list;
	unsigned total;
	assert_int_equal(store_list_articles(st, &urls, &query, &list, &total), 0);
	assert_int_equal(total, 34);
	assert_string_equal(slug_at(list, 0), "short");
	json_decref(list);
	store_close(st);
	store_remove(path);
}

/* scan_body()'s stem for the test: the token as it is; longer than any stem, none. */
static int same_token(void *ctx, const char *token, size_t n, char *out, size_t *len)
{
	(void)ctx;
	if (n > SCAN_STEM_MAX) {
		*len = SIZE_MAX;
		return 0;
	}
	memcpy(out, token, n);
	*len = n;
	return 0;
}

/* The positions scan_body() found for w, as "0 4 6". */
static const char *found_places(const struct scan_word *w, char *out, size_t size)
{
	const unsigned char *p = w->pos, *end = w->pos + w->npos;
	uint32_t at = 0;
	size_t used = 0;
	out[0] = '\0';
	while (p < end && used < size) {
		at += (uint32_t)varint_get(&p);
		used += (size_t)snprintf(out + used, size - used, "%s%u", used ? " " : "", at);
	}
	return out;
}

/* Writes word as token at of b (*t tokens so far), "x" before it where nothing else stands. */
static void put_word_at(struct buf *b, int *t, int at, const char *word)
{
	for (; *t < at; (*t)++)
		buf_printf(b, "%sx", *t ? " " : "");
	buf_printf(b, "%s%s", *t ? " " : "", word);
	(*t)++;
}

/*
 * A body read for a search's words (store_scan.c): tokens as unicode61
 * makes them, a byte outside ASCII left to FTS5, a text cut short read
 * further, and the stop where a snippet stops reading matches.
 */
static void test_scan_body(void **state)
{
	(void)state;
	struct scan_word w[2];
	char places[128];
	scan_word_init(&w[0], "alpha", 5);
	scan_word_init(&w[1], "beta", 4);
	const char *text = "Alpha, beta-gamma 42alpha alpha_beta ALPHA.";
	assert_int_equal(scan_body(text, strlen(text), true, w, 2, false, same_token, NULL), 0);
	assert_string_equal(found_places(&w[0], places, sizeof places), "0 4 6");
	assert_string_equal(found_places(&w[1], places, sizeof places), "1 5");
	/* Cut short: read further; a letter outside ASCII: asked of the index. */
	assert_int_equal(scan_body(text, 12, false, w, 2, false, same_token, NULL), 1);
	const char *accent = "alpha caf\xc3\xa9 alpha";
	assert_int_equal(scan_body(accent, strlen(accent), true, w, 2, false, same_token, NULL), 2);
	/* Even right after the last token it needed: the letter may be that token's. */
	const char *glued = "beta alpha\xc3\xb1";
	assert_int_equal(scan_body(glued, strlen(glued), true, w, 1, false, same_token, NULL), 2);
	/* At most SNIPPET_MAX_MATCHES places a word, as FTS5's are kept. */
	struct buf many = BUF_INIT;
	for (int i = 0; i < 70; i++)
		buf_printf(&many, "alpha x ");
	assert_int_equal(scan_body(many.data, many.len, true, w, 1, false, same_token, NULL), 0);
	assert_int_equal(w[0].found, SNIPPET_MAX_MATCHES);
	assert_true(strstr(found_places(&w[0], places, sizeof places), " 2 4 6") != NULL);
	buf_free(&many);
	/* The last place a word needs, glued to a letter outside ASCII: the index is asked. */
	for (int i = 0; i < SNIPPET_MAX_MATCHES - 1; i++)
		buf_puts(&many, "alpha x ");
	buf_puts(&many, "alpha\xc3\xa9");
	assert_int_equal(scan_body(many.data, many.len, true, w, 1, false, same_token, NULL), 2);
	buf_free(&many);
	/* A token longer than any the scan stems (and than its buffer) is passed over. */
	for (int i = 0; i < 300; i++)
		buf_putc(&many, 'b');
	buf_puts(&many, " beta");
	assert_int_equal(scan_body(many.data, many.len, true, w, 2, false, same_token, NULL), 0);
	assert_string_equal(found_places(&w[1], places, sizeof places), "1");
	buf_free(&many);
	/*
	 * The last token the scan may see (SNIPPET_MAX_TOKENS - 1) goes on
	 * across eight bytes: a letter outside ASCII glued to it still sends
	 * the body to the index; one after it, beyond the last token, does not.
	 */
	for (int touching = 0; touching < 2; touching++) {
		for (int i = 0; i < SNIPPET_MAX_TOKENS - 1; i++)
			buf_puts(&many, "x ");
		assert_int_equal(many.len % 8, 6);
		buf_puts(&many, touching ? "wxyz\xc3\xa9" : "wxyz caf\xc3\xa9");
		assert_int_equal(scan_body(many.data, many.len, true, w, 2, false, same_token, NULL),
		                 touching ? 2 : 0);
		buf_free(&many);
	}

	/*
	 * Both words by token 5: the snippet reads matches up to token 29
	 * (SNIPPET_WORDS on), so the scan stops there when told the words are
	 * all of them, and goes on when not.
	 */
	struct buf b = BUF_INIT;
	int t = 0;
	put_word_at(&b, &t, 0, "alpha");
	put_word_at(&b, &t, 5, "beta");
	put_word_at(&b, &t, 29, "alpha");
	put_word_at(&b, &t, 30, "alpha");
	put_word_at(&b, &t, 32, "alpha");
	assert_int_equal(scan_body(b.data, b.len, true, w, 2, true, same_token, NULL), 0);
	assert_string_equal(found_places(&w[0], places, sizeof places), "0 29");
	assert_int_equal(scan_body(b.data, b.len, true, w, 2, false, same_token, NULL), 0);
	assert_string_equal(found_places(&w[0], places, sizeof places), "0 29 30 32");
	buf_free(&b);
	/* Too far apart to share a window (SNIPPET_WORDS - 3): no stop. */
	t = 0;
	put_word_at(&b, &t, 0, "alpha");
	put_word_at(&b, &t, 21, "beta");
	put_word_at(&b, &t, 60, "alpha");
	assert_int_equal(scan_body(b.data, b.len, true, w, 2, true, same_token, NULL), 0);
	assert_string_equal(found_places(&w[0], places, sizeof places), "0 60");
	buf_free(&b);
}

/* A letter or digit in ASCII, written out here, not taken from store_scan.h. */
static bool model_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * What scan_body() must give (with same_token() and no cover), worked
 * out a byte at a time: each word's positions into places[w] as
 * found_places() writes them, and its return.
 */
static int scan_model(const char *text, size_t len, bool complete, const char *const *words,
                      size_t n, char places[][512])
{
	unsigned found[4] = {0};
	size_t used[4] = {0};
	for (size_t w = 0; w < n; w++)
		places[w][0] = '\0';
	const unsigned char *u = (const unsigned char *)text;
	uint32_t t = 0;
	size_t i = 0;
	while (i < len && t < SNIPPET_MAX_TOKENS) {
		if (u[i] >= 0x80)
			return 2;
		if (!model_alnum(u[i])) {
			i++;
			continue;
		}
		char token[512];
		size_t k = 0;
		for (; i < len && model_alnum(u[i]); i++)
			if (k < sizeof token - 1)
				token[k++] = (char)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 32 : u[i]);
		token[k] = '\0';
		if (i < len && u[i] >= 0x80)
			return 2;
		bool all = true;
		for (size_t w = 0; w < n; w++) {
			if (found[w] < SNIPPET_MAX_MATCHES && strcmp(token, words[w]) == 0) {
				used[w] += (size_t)snprintf(places[w] + used[w], 512 - used[w], "%s%u",
				                            used[w] ? " " : "", t);
				found[w]++;
			}
			all &= found[w] == SNIPPET_MAX_MATCHES;
		}
		if (all)
			return 0;
		t++;
	}
	return t >= SNIPPET_MAX_TOKENS || complete ? 0 : 1;
}

/*
 * scan_body() reads eight bytes at a time where it can: on random texts
 * of words, separators, long tokens and now and then a byte outside
 * ASCII, cut anywhere and some past SNIPPET_MAX_TOKENS tokens, it must
 * give what the byte-wise model gives.
 */
static void test_scan_body_model(void **state)
{
	(void)state;
	/* Long tokens: one a word could be but porter stems no more (over 64 letters), one over 256. */
	char longish[101], longest[301];
	memset(longish, 'a', sizeof longish - 1);
	memcpy(longish, "alpha", 5);
	longish[sizeof longish - 1] = '\0';
	memset(longest, 'b', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	const char *const pieces[] = {"alpha", "Alpha", "ALPHA", "beta",         "bet",   "betas",
	                              "x",     "ab",    "a1",    "42",           "alphabeta",
	                              "b",     "Beta9", longish, "betabetabeta", longest,
	                              "zzzzzzzzzzzzzzzzz"};
	/* Letters outside ASCII, after a separator or glued to a word a search looks for. */
	static const char *const others[] = {"\xc3\xa9", " caf\xc3\xa9 ", "alpha\xc3\xa9",
	                                     "beta\xc3\xb1 "};
	static const char *const seps[] = {" ", " ", " ", ", ", "-", "_", "\n\n", ". ", "  ", "'",
	                                   ":", "@", "[", "`", "{", "/", "\x7f", "\t"};
	static const char *const words[] = {"alpha", "beta", "betabetabeta"};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct buf b = BUF_INIT;
	char want[3][512], got[512];
	for (int round = 0; round < 3000; round++) {
		buf_reset(&b);
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		size_t tokens = (seed >> 33) % 7 == 0 ? 4000 + (seed >> 40) % 300 : (seed >> 40) % 300;
		bool high = (seed >> 20) % 4 == 0;
		for (size_t k = 0; k < tokens; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			if (high && (seed >> 50) % 500 == 0)
				buf_puts(&b, others[(seed >> 45) % GZ_ARRAY_LEN(others)]);
			buf_puts(&b, pieces[(seed >> 33) % GZ_ARRAY_LEN(pieces)]);
			buf_puts(&b, seps[(seed >> 40) % GZ_ARRAY_LEN(seps)]);
		}
		size_t len = b.len;
		if ((seed >> 30) % 3 == 0)
			len = len ? (size_t)((seed >> 8) % len) : 0;
		bool complete = (seed >> 29) % 2 == 0;
		size_t n = 1 + (seed >> 27) % 3;
		struct scan_word w[3];
		for (size_t k = 0; k < n; k++)
			scan_word_init(&w[k], words[k], strlen(words[k]));
		int rc = scan_body(b.data ? b.data : "", len, complete, w, n, false, same_token, NULL);
		int expected = scan_model(b.data ? b.data : "", len, complete, words, n, want);
		assert_int_equal(rc, expected);
		if (rc == 2)
			continue;
		for (size_t k = 0; k < n; k++)
			assert_string_equal(found_places(&w[k], got, sizeof got), want[k]);
	}
	buf_free(&b);
}

/* The Jekyll corpus (tests/meson.build passes it). */
static const char *corpus_dir;

/* The slugs and snippets of a search for q, two pages of 20, as text. */
static char *snippets_of(struct store *st, const char *q)
{
	struct buf b = BUF_INIT;
	for (unsigned page = 1; page <= 2; page++) {
		struct article_query query = {
		    .q = q, .order = ORDER_RELEVANCE, .limit = 20, .page = page, .now = NOW};
		json_t *list;
		unsigned total;
		assert_int_equal(store_list_articles(st, &urls, &query, &list, &total), 0);
		for (size_t i = 0; i < json_array_size(list); i++) {
			char *snippet = json_dumps(json_object_get(json_array_get(list, i), "snippet"),
			                           JSON_COMPACT);
			buf_printf(&b, "%s %s\n", slug_at(list, i), snippet);
			free(snippet);
		}
		json_decref(list);
	}
	return buf_detach(&b, NULL);
}

/*
 * Where a common word stands in a result's body is read from the body
 * (store_scan.c) when its list is too large to keep it: the snippets of
 * the posts of a real Jekyll site are the same as from the positions
 * FTS5 gives (which each list keeps here, a site of 102 posts).  The
 * posts have odd tokens (code, versions, URLs, contractions) and some
 * letters outside ASCII, whose bodies FTS5 is asked about.
 */
static void test_snippets_read_from_bodies(void **state)
{
	(void)state;
	char path[300], file[1024];
	if (corpus_dir == NULL)
		fail_msg("no corpus: run through meson, which passes the Jekyll posts");
	struct store *st = open_side_store("bodies", path, sizeof path);
	DIR *dir = opendir(corpus_dir);
	assert_non_null(dir);
	size_t posts = 0;
	for (struct dirent *e; (e = readdir(dir)) != NULL;) {
		size_t n = strlen(e->d_name);
		if (n < 3 || (strcmp(e->d_name + n - 3, ".md") != 0 &&
		              (n < 9 || strcmp(e->d_name + n - 9, ".markdown") != 0)))
			continue;
		snprintf(file, sizeof file, "%s/%s", corpus_dir, e->d_name);
		char *text = read_file(file, 1 << 20, &n);
		assert_non_null(text);
		assert_int_equal(put(st, e->d_name, text), UPSERT_ADDED);
		free(text);
		posts++;
	}
	closedir(dir);
	assert_true(posts >= 100);

	static const char *const queries[] = {
	    "the",           "jekyll",       "the site",    "using jekyll", "files",
	    "release notes", "you can",      "github pages", "install the gem", "plugins",
	    "markdown",      "thanks",       "fixed",        "documentation", "new version",
	    "it's",          "1.0",          "liquid tags", "happy",         "configuration"};
	enum { NQ = sizeof queries / sizeof *queries };
	char *want[NQ];
	for (size_t i = 0; i < NQ; i++)
		want[i] = snippets_of(st, queries[i]);
	/* No list keeps positions now: every result's body is read. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	struct lists *ls = lists_attach(db);
	lists_set_positions_max(ls, 0);
	size_t scanned = store_bodies_scanned(st);
	size_t results = 0;
	for (size_t i = 0; i < NQ; i++) {
		for (const char *c = want[i]; *c; c++)
			results += *c == '\n';
		char *got = snippets_of(st, queries[i]);
		if (strcmp(got, want[i]) != 0)
			fail_msg("'%s': read from the bodies:\n%s\nfrom FTS5:\n%s", queries[i], got,
			         want[i]);
		free(got);
		free(want[i]);
	}
	/* Most were read here (a third of the posts have letters outside ASCII: FTS5 is asked about those). */
	if ((store_bodies_scanned(st) - scanned) * 2 < results)
		fail_msg("%zu bodies read of %zu results", store_bodies_scanned(st) - scanned, results);
	lists_set_positions_max(ls, 64 << 10);
	lists_detach(ls);
	sqlite3_close(db);
	store_close(st);
	store_remove(path);
}

/* Begins a transaction on st that adds article n, holding "moraine", and leaves it open. */
static void begin_with_moraine(struct store *st, int n)
{
	char path[32], text[128];
	snprintf(path, sizeof path, "m%d.md", n);
	snprintf(text, sizeof text, "---\ntitle: Moraine %d\ndate: 2025-01-%02d\n---\nMoraine, %d.\n",
	         n, n, n);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(upsert_text(st, path, text), UPSERT_ADDED);
}

/*
 * The lists are kept once for every connection to a database, for the
 * state of the index they were read at: a write by another connection,
 * or by the same one, is found by each afterwards; what a write's open
 * transaction reads is its own until the commit.
 */
static void test_lists_shared(void **state)
{
	(void)state;
	char path[80];
	struct store *a = open_side_store("lists", path, sizeof path);
	struct store *b;
	struct diag err;
	diag_clear(&err);
	if (store_open(path, 0, &b, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	put_post(a, "one.md", "One", "2025-01-01", "", "A moraine by the lake.");
	put_post(a, "two.md", "Two", "2025-01-02", "", "A moraine and an esker.");
	assert_int_equal(found(a, "moraine"), 2);
	assert_int_equal(found(b, "moraine"), 2); /* the list a read */
	assert_int_equal(found(b, "moraine esker"), 1);

	/* b writes: a finds it, and so does b (its own commit changes no data_version). */
	put_post(b, "three.md", "Three", "2025-01-03", "", "The moraine again.");
	assert_int_equal(found(b, "moraine"), 3);
	assert_int_equal(found(a, "moraine"), 3);

	/* In b's open transaction, b finds its new article; a does not, before or after b looked. */
	begin_with_moraine(b, 4);
	assert_int_equal(found(b, "moraine"), 4);
	assert_int_equal(found(a, "moraine"), 3);
	assert_int_equal(found(b, "moraine"), 4);
	assert_int_equal(store_commit(b), 0);
	assert_int_equal(found(b, "moraine"), 4);
	assert_int_equal(found(a, "moraine"), 4);

	/* Rolled back: found in b's transaction only, and by neither after. */
	begin_with_moraine(b, 5);
	assert_int_equal(found(b, "moraine"), 5);
	assert_int_equal(found(a, "moraine"), 4);
	store_rollback(b);
	assert_int_equal(found(b, "moraine"), 4);
	assert_int_equal(found(a, "moraine"), 4);

	/* A text changed by a: the word it lost is found in one article less by both. */
	put_post(a, "one.md", "One", "2025-01-01", "", "A drumlin by the lake.");
	assert_int_equal(found(b, "moraine"), 3);
	assert_int_equal(found(a, "moraine"), 3);
	assert_int_equal(found(a, "drumlin"), 1);
	store_close(b);
	store_close(a);
	store_remove(path);
}

/* A list of phrase holding n articles (ids 1, 3, 5, ...) of weight 1, keepable at state. */
static struct plist *made_list(const char *phrase, size_t n)
{
	struct plist *l = plist_new(phrase, strlen(phrase));
	int64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
	uint32_t *weights = xcalloc(n ? n : 1, sizeof *weights);
	for (size_t i = 0; i < n; i++) {
		ids[i] = 1 + 2 * (int64_t)i;
		weights[i] = 1;
	}
	plist_encode(l, ids, weights, n);
	free(ids);
	free(weights);
	return l;
}

/* Whether list l reads back as made_list(_, n) made it. */
static void assert_list(const struct plist *l, size_t n)
{
	struct cursor c;
	size_t k = 0;
	for (cursor_open(&c, l); c.id != INT64_MAX; cursor_next(&c), k++)
		assert_int_equal(c.id, 1 + 2 * (int64_t)k);
	assert_int_equal(k, n);
}

/*
 * The lists' bookkeeping: kept for one index state and the same file
 * whichever connection keeps them; the least recently used go first
 * when the bound is reached, or all when another state is kept; one
 * too large for a quarter of the bound is used but not kept; and a list
 * a search holds stays readable until it gives it back (ASan checks).
 */
static void test_lists_kept(void **state)
{
	(void)state;
	char path[80];
	struct store *st = open_side_store("kept", path, sizeof path);
	store_close(st);
	sqlite3 *db1, *db2;
	assert_int_equal(sqlite3_open(path, &db1), SQLITE_OK);
	assert_int_equal(sqlite3_open(path, &db2), SQLITE_OK);
	struct lists *a = lists_attach(db1), *b = lists_attach(db2);
	assert_ptr_equal(a, b); /* one file, one set */
	lists_set_budget(a, 16 << 10); /* some 17 lists of 1,000 articles */

	/* Kept by one connection, found by the other, at the same state only. */
	struct plist *one = lists_keep(a, 7, made_list("one", 1000));
	assert_list(one, 1000);
	lists_release(a, one);
	one = lists_find(b, 7, "one", 3);
	assert_non_null(one);
	assert_null(lists_find(b, 8, "one", 3));
	assert_null(lists_find(b, 7, "two", 3));

	/* A second copy of a kept list gives the kept one. */
	struct plist *again = lists_keep(b, 7, made_list("one", 1000));
	assert_ptr_equal(again, one);
	lists_release(b, again);

	/* Filling the bound drops the least recently used: "one" is held, and stays readable. */
	size_t room = lists_bytes(a);
	char name[16];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "w%d", i);
		lists_release(a, lists_keep(a, 7, made_list(name, 1000)));
	}
	assert_true(lists_bytes(a) <= 16 << 10);
	assert_true(lists_bytes(a) > room);
	assert_null(lists_find(a, 7, "one", 3));
	assert_null(lists_find(a, 7, "w0", 2));
	struct plist *last = lists_find(a, 7, "w39", 3);
	assert_non_null(last);
	assert_list(one, 1000);
	lists_release(a, one);

	/* Too large for a quarter of the bound: used, not kept. */
	struct plist *big = lists_keep(a, 7, made_list("big", 200000));
	assert_list(big, 200000);
	lists_release(a, big);
	assert_null(lists_find(a, 7, "big", 3));

	/* Another state: every list of the old one goes (held ones stay readable). */
	lists_release(a, lists_keep(b, 9, made_list("new", 10)));
	assert_null(lists_find(a, 7, "w38", 3));
	assert_null(lists_find(a, 9, "w38", 3));
	assert_list(last, 1000);
	lists_release(a, last);
	struct plist *n = lists_find(a, 9, "new", 3);
	assert_non_null(n);
	lists_release(b, n);

	/* A smaller bound drops what no longer fits. */
	lists_set_budget(a, 0);
	assert_int_equal(lists_bytes(a), 0);
	lists_detach(b);
	lists_detach(a);
	sqlite3_close(db2);
	sqlite3_close(db1);
	store_remove(path);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		corpus_dir = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_newest_and_pages),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_search),
	    cmocka_unit_test(test_get_article_and_page),
	    cmocka_unit_test(test_tags_and_authors),
	    cmocka_unit_test(test_neighbours),
	    cmocka_unit_test(test_neighbours_as_sql_finds_them),
	    cmocka_unit_test(test_related),
	    cmocka_unit_test(test_related_only_shown),
	    cmocka_unit_test(test_tags_in_the_order_written),
	    cmocka_unit_test(test_archive_and_ranges),
	    cmocka_unit_test(test_author_details),
	    cmocka_unit_test(test_upsert_and_prune),
	    cmocka_unit_test(test_files_and_redirects),
	    cmocka_unit_test(test_reading_by_character),
	    cmocka_unit_test(test_settings_and_versions),
	    cmocka_unit_test(test_refuses_foreign_files),
	    cmocka_unit_test(test_index_deferred),
	    cmocka_unit_test(test_list_encoding),
	    cmocka_unit_test(test_search_bitmaps),
	    cmocka_unit_test(test_scan_body),
	    cmocka_unit_test(test_scan_body_model),
	    cmocka_unit_test(test_snippets_read_from_bodies),
	    cmocka_unit_test(test_lists_shared),
	    cmocka_unit_test(test_lists_kept),
	};
	/*
	 * The lists' data in a file, as the server keeps it (filemem.h), so
	 * that ASan watches it there too (a list read after its free).
	 */
	const char *why;
	if (filemem_open(".", (size_t)64 << 20, &why) < 0) {
		fprintf(stderr, "the lists are kept in the heap: %s\n", why);
		if (strstr(why, "tmpfs") == NULL)
			return 1; /* on disk, the file must open */
	}
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	if (filemem_close() < 0) {
		fprintf(stderr, "blocks of the lists' file are still in use\n");
		rc = 1;
	}
	return rc;
}
