/*
 * store_site.c: what the whole site shows beside its articles: tags and
 * authors with their counts, the standalone pages of the navigation, the
 * site settings, and when the content last changed or will next change.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/buf.h"
#include "gazette/base/escape.h"

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

/*
 * An author's avatar (site.yaml's, as written) as an absolute URL: an
 * http(s) URL as it is, a path ("images/jane.png", "/images/jane.png")
 * below the site's public URL, where the site's files are served.
 * JSON null when there is none, or it is of another scheme (javascript:,
 * data:) or relative to a scheme ("//host/x"), which no page may show.
 */
static json_t *avatar_url(const struct store_urls *urls, const char *v, size_t n)
{
	struct buf b = BUF_INIT;
	size_t colon = strcspn(v, ":/?#");
	if (n == 0 || (n >= 2 && v[0] == '/' && v[1] == '/'))
		return json_null();
	if (v[colon] == ':') {
		if (!(colon == 4 && strncasecmp(v, "http", 4) == 0) &&
		    !(colon == 5 && strncasecmp(v, "https", 5) == 0))
			return json_null();
		escape_url_whole(&b, v, n);
	} else {
		size_t skip = strspn(v, "/");
		buf_puts(&b, urls->base);
		buf_putc(&b, '/');
		escape_url_whole(&b, v + skip, n - skip);
	}
	json_t *out = json_stringn(b.data, b.len);
	buf_free(&b);
	return out;
}

/* True if url is a link a page may show: http, https or mailto. */
static bool link_allowed(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0 ||
	       strncasecmp(url, "mailto:", 7) == 0;
}

/*
 * An author's links (site.yaml's "links", kept as JSON) as [{"name",
 * "url"}]: each a {name, url} mapping, or a bare URL named by itself;
 * only http, https and mailto URLs, the others left out.
 */
static json_t *author_links(const char *stored)
{
	json_t *given = stored ? json_loads(stored, 0, NULL) : NULL;
	json_t *out = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(given, i, v)
	{
		const char *url = json_string_value(json_is_object(v) ? json_object_get(v, "url") : v);
		const char *name = json_string_value(json_object_get(v, "name"));
		if (url == NULL || !link_allowed(url))
			continue;
		struct buf b = BUF_INIT;
		escape_url_whole(&b, url, strlen(url));
		json_array_append_new(out, json_pack("{s:s, s:s%}", "name",
		                                     name && name[0] ? name : url, "url", b.data,
		                                     b.len));
		buf_free(&b);
	}
	json_decref(given);
	return out;
}

/*
 * {"slug","name","count","url"} from a row (slug, name, count); an
 * author's also "bio", "avatar" and "links" (site.yaml's), from the row's
 * next columns (bio, avatar, links).
 */
static json_t *counted_from_row(const struct store_urls *urls, sqlite3_stmt *s, const char *dir,
                                bool person)
{
	const char *slug = (const char *)sqlite3_column_text(s, 0);
	json_t *v = json_pack("{s:o, s:o, s:I, s:o}", "slug", column_string(s, 0), "name",
	                      column_string(s, 1), "count", (json_int_t)sqlite3_column_int64(s, 2),
	                      "url", store_link(urls, dir, slug ? slug : ""));
	if (v && person) {
		const char *avatar = (const char *)sqlite3_column_text(s, 4);
		json_object_set_new(v, "bio", column_string(s, 3));
		json_object_set_new(v, "avatar",
		                    avatar_url(urls, avatar ? avatar : "",
		                               (size_t)sqlite3_column_bytes(s, 4)));
		json_object_set_new(v, "links",
		                    author_links((const char *)sqlite3_column_text(s, 5)));
	}
	return v;
}

/* Tags (person false) or authors with their counts, as q selects them. */
static int counted_list(struct store *st, const struct query *q, const struct store_urls *urls,
                        const char *dir, bool person, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, q);
	*out = json_array();
	if (s == NULL)
		return -1;
	store_bind_int(s, ":now", now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, counted_from_row(urls, s, dir, person));
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int counted_one(struct store *st, const struct query *q, const struct store_urls *urls,
                       const char *dir, bool person, const char *slug, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, q);
	*out = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, ":slug", slug);
	store_bind_int(s, ":now", now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = counted_from_row(urls, s, dir, person);
	store_done(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_tags = {
    STMT_TAGS, "SELECT t.slug, t.name, count(*) AS n FROM tags t "
               "JOIN article_tags x ON x.tag_id = t.id JOIN articles a ON a.id = x.article_id "
               "WHERE a.kind = 0 AND " VISIBLE " GROUP BY t.id ORDER BY n DESC, t.name"};

int store_list_tags(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	return counted_list(st, &q_tags, urls, "/tags/", false, now, out);
}

static const struct query q_authors = {
    STMT_AUTHORS, "SELECT p.slug, p.name, count(*) AS n, p.bio, p.avatar, p.links FROM authors p "
                  "JOIN article_authors x ON x.author_id = p.id "
                  "JOIN articles a ON a.id = x.article_id "
                  "WHERE a.kind = 0 AND " VISIBLE " GROUP BY p.id ORDER BY p.name COLLATE NOCASE"};

int store_list_authors(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	return counted_list(st, &q_authors, urls, "/authors/", true, now, out);
}

static const struct query q_tag_by_slug = {
    STMT_TAG_BY_SLUG, "SELECT t.slug, t.name, count(a.id) FROM tags t "
                      "JOIN article_tags x ON x.tag_id = t.id "
                      "LEFT JOIN articles a ON a.id = x.article_id AND a.kind = 0 AND " VISIBLE
                      " WHERE t.slug = :slug GROUP BY t.id"};

int store_get_tag(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                  json_t **out)
{
	return counted_one(st, &q_tag_by_slug, urls, "/tags/", false, slug, now, out);
}

static const struct query q_author_by_slug = {
    STMT_AUTHOR_BY_SLUG, "SELECT p.slug, p.name, count(a.id), p.bio, p.avatar, p.links "
                         "FROM authors p JOIN article_authors x ON x.author_id = p.id "
                         "LEFT JOIN articles a ON a.id = x.article_id AND a.kind = 0 AND " VISIBLE
                         " WHERE p.slug = :slug GROUP BY p.id"};

int store_get_author(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                     json_t **out)
{
	return counted_one(st, &q_author_by_slug, urls, "/authors/", true, slug, now, out);
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
