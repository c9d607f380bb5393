/*
 * store_site.c: what the whole site shows beside its articles: tags and
 * authors with their counts, the standalone pages of the navigation, the
 * site settings, and when the content last changed or will next change.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

/* How fast people read, unless site.yaml says (words_per_minute). */
#define WORDS_PER_MINUTE 265

/* Words per minute for reading times, from the site settings. */
static void note_settings(struct store *st, json_t *settings)
{
	json_t *wpm = json_object_get(settings, "words_per_minute");
	long long v = 0;
	if (json_is_integer(wpm))
		v = json_integer_value(wpm);
	else if (json_is_string(wpm))
		v = atoll(json_string_value(wpm));
	st->words_per_minute = v >= 50 && v <= 2000 ? (unsigned)v : WORDS_PER_MINUTE;
}

/* {"slug","name","count","url"} from a row (slug, name, count). */
static json_t *counted_from_row(const struct store_urls *urls, sqlite3_stmt *s, const char *dir)
{
	const char *slug = (const char *)sqlite3_column_text(s, 0);
	return json_pack("{s:o, s:o, s:I, s:o}", "slug", column_string(s, 0), "name",
	                 column_string(s, 1), "count", (json_int_t)sqlite3_column_int64(s, 2),
	                 "url", store_link(urls, dir, slug ? slug : ""));
}

static int counted_list(struct store *st, const struct query *q, const struct store_urls *urls,
                        const char *dir, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, q);
	*out = json_array();
	if (s == NULL)
		return -1;
	store_bind_int(s, ":now", now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, counted_from_row(urls, s, dir));
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int counted_one(struct store *st, const struct query *q, const struct store_urls *urls,
                       const char *dir, const char *slug, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, q);
	*out = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, ":slug", slug);
	store_bind_int(s, ":now", now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = counted_from_row(urls, s, dir);
	store_done(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_tags = {
    STMT_TAGS, "SELECT t.slug, t.name, count(*) AS n FROM tags t "
               "JOIN article_tags x ON x.tag_id = t.id JOIN articles a ON a.id = x.article_id "
               "WHERE a.kind = 0 AND " VISIBLE " GROUP BY t.id ORDER BY n DESC, t.name"};

int store_list_tags(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	return counted_list(st, &q_tags, urls, "/tags/", now, out);
}

static const struct query q_authors = {
    STMT_AUTHORS, "SELECT p.slug, p.name, count(*) AS n FROM authors p "
                  "JOIN article_authors x ON x.author_id = p.id "
                  "JOIN articles a ON a.id = x.article_id "
                  "WHERE a.kind = 0 AND " VISIBLE " GROUP BY p.id ORDER BY p.name COLLATE NOCASE"};

int store_list_authors(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	return counted_list(st, &q_authors, urls, "/authors/", now, out);
}

static const struct query q_tag_by_slug = {
    STMT_TAG_BY_SLUG, "SELECT t.slug, t.name, count(a.id) FROM tags t "
                      "JOIN article_tags x ON x.tag_id = t.id "
                      "LEFT JOIN articles a ON a.id = x.article_id AND a.kind = 0 AND " VISIBLE
                      " WHERE t.slug = :slug GROUP BY t.id"};

int store_get_tag(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                  json_t **out)
{
	return counted_one(st, &q_tag_by_slug, urls, "/tags/", slug, now, out);
}

static const struct query q_author_by_slug = {
    STMT_AUTHOR_BY_SLUG, "SELECT p.slug, p.name, count(a.id) FROM authors p "
                         "JOIN article_authors x ON x.author_id = p.id "
                         "LEFT JOIN articles a ON a.id = x.article_id AND a.kind = 0 AND " VISIBLE
                         " WHERE p.slug = :slug GROUP BY p.id"};

int store_get_author(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                     json_t **out)
{
	return counted_one(st, &q_author_by_slug, urls, "/authors/", slug, now, out);
}

static const struct query q_pages = {
    STMT_PAGES, "SELECT a.slug, a.title FROM articles a WHERE a.kind = 1 AND " VISIBLE
                " ORDER BY a.weight, a.title COLLATE NOCASE"};

int store_list_pages(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, &q_pages);
	*out = json_array();
	if (s == NULL)
		return -1;
	store_bind_int(s, ":now", now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *slug = (const char *)sqlite3_column_text(s, 0);
		json_array_append_new(*out,
		                      json_pack("{s:o, s:o, s:o}", "slug", column_string(s, 0),
		                                "title", column_string(s, 1), "url",
		                                store_link(urls, "/", slug ? slug : "")));
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_settings = {STMT_SETTINGS,
                                        "SELECT key, value FROM settings WHERE key LIKE 'site.%'"};

int store_get_settings(struct store *st, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, &q_settings);
	*out = json_object();
	if (s == NULL)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		const char *value = (const char *)sqlite3_column_text(s, 1);
		json_t *v = value ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;
		if (key && v)
			json_object_set_new(*out, key + strlen("site."), v);
		else
			json_decref(v);
	}
	store_done(s);
	note_settings(st, *out);
	return rc == SQLITE_DONE ? 0 : -1;
}

unsigned store_words_per_minute(struct store *st)
{
	if (st->words_per_minute == 0) {
		json_t *settings;
		store_get_settings(st, &settings); /* sets it, to the default at worst */
		json_decref(settings);
	}
	return st->words_per_minute ? st->words_per_minute : WORDS_PER_MINUTE;
}

static const struct query q_content_next = {
    STMT_CONTENT_NEXT, "SELECT min(published_at) FROM articles a WHERE a.draft = 0 AND "
                       "a.published_at > :now"};

/* The time a setting holds ('gazette.*' keys hold UTC seconds), 0 if none. */
#define SETTING_TIME(key)                                                                          \
	"coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = '" key "'), 0)"

static const struct query q_content_last = {
    STMT_CONTENT_LAST,
    "SELECT max(" SETTING_TIME("gazette.changed_at") ", coalesce((SELECT max(published_at) "
    "FROM articles a WHERE a.draft = 0 AND a.published_at <= :now), 0)), "
    "max(" SETTING_TIME("gazette.settings_changed_at") ", coalesce((SELECT "
    "max(modified_at) FROM articles WHERE kind = 1), 0))"};

int store_content_times(struct store *st, int64_t now, struct content_times *out)
{
	sqlite3_stmt *s = store_stmt(st, &q_content_last);
	sqlite3_stmt *n = store_stmt(st, &q_content_next);
	memset(out, 0, sizeof *out);
	if (s == NULL || n == NULL)
		return -1;
	store_bind_int(s, ":now", now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->last_change = sqlite3_column_int64(s, 0);
		out->site_change = sqlite3_column_int64(s, 1);
	}
	store_done(s);
	store_bind_int(n, ":now", now);
	int rc2 = sqlite3_step(n);
	if (rc2 == SQLITE_ROW)
		out->next_due = sqlite3_column_int64(n, 0);
	store_done(n);
	return rc == SQLITE_ROW && rc2 == SQLITE_ROW ? 0 : -1;
}
