/*
 * store_document.c: an article as its author gave it (a "document"), for
 * export, for revisions, and for the write API, which takes the same
 * shape it gives back:
 *
 *   {"slug", "title", "summary", "body_markdown", "authors": [names],
 *    "tags": [names], "published_at", "updated_at" (RFC 3339 or null),
 *    "draft", "type": "post" | "page", "weight", "format": "markdown" | "html",
 *    "lang" (a language tag or null), "extra": {...}}
 *
 * Rendered columns (HTML, plain text, word count) are not part of it: they
 * are made again from body_markdown.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"

/* The names linked to an article (stmt: DOCUMENT_AUTHORS or DOCUMENT_TAGS), in order. */
static json_t *names_of(struct store *st, const struct query *q, sqlite3_int64 article)
{
	sqlite3_stmt *s = store_stmt(st, q);
	if (s == NULL)
		return NULL;
	json_t *names = json_array();
	sqlite3_bind_int64(s, 1, article);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(names, column_string(s, 0));
	store_done(s);
	if (rc != SQLITE_DONE) {
		json_decref(names);
		return NULL;
	}
	return names;
}

static const struct query q_document_tags = {
    STMT_DOCUMENT_TAGS, "SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id "
                        "WHERE x.article_id = ? ORDER BY x.position"};

static const struct query q_document_authors = {
    STMT_DOCUMENT_AUTHORS, "SELECT p.name FROM article_authors x JOIN authors p "
                           "ON p.id = x.author_id WHERE x.article_id = ? ORDER BY x.position"};

static const struct query q_document = {
    STMT_DOCUMENT, "SELECT id, slug, kind, title, summary, body_md, published_at, "
                   "updated_at, draft, weight, extra, format, lang FROM articles WHERE slug = ?"};

int store_get_document(struct store *st, const char *slug, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *s = store_stmt(st, &q_document);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_done(s);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_int64 id = sqlite3_column_int64(s, 0);
	json_t *extra = NULL;
	const char *extra_text = (const char *)sqlite3_column_text(s, 10);
	if (extra_text)
		extra = json_loads(extra_text, 0, NULL);
	if (!json_is_object(extra)) {
		json_decref(extra);
		extra = json_object();
	}
	json_t *d = json_object();
	json_object_set_new(d, "slug", column_string(s, 1));
	json_object_set_new(d, "title", column_string(s, 3));
	json_object_set_new(d, "summary", column_string(s, 4));
	json_object_set_new(d, "body_markdown", column_string(s, 5));
	json_object_set_new(d, "published_at", column_time(s, 6));
	json_object_set_new(d, "updated_at", column_time(s, 7));
	json_object_set_new(d, "draft", json_boolean(sqlite3_column_int(s, 8)));
	json_object_set_new(
	    d, "type", json_string(sqlite3_column_int(s, 2) == ARTICLE_PAGE ? "page" : "post"));
	json_object_set_new(d, "weight", json_integer(sqlite3_column_int64(s, 9)));
	const char *format = (const char *)sqlite3_column_text(s, 11);
	json_object_set_new(d, "format", json_string(format && strcmp(format, "html") == 0
	                                                 ? "html" : "markdown"));
	const char *lang = (const char *)sqlite3_column_text(s, 12);
	json_object_set_new(d, "lang", lang && lang[0] ? json_string(lang) : json_null());
	json_object_set_new(d, "extra", extra);
	store_done(s);

	json_t *authors = names_of(st, &q_document_authors, id);
	json_t *tags = names_of(st, &q_document_tags, id);
	if (authors == NULL || tags == NULL) {
		json_decref(authors);
		json_decref(tags);
		json_decref(d);
		return -1;
	}
	json_object_set_new(d, "authors", authors);
	json_object_set_new(d, "tags", tags);
	*out = d;
	return 1;
}

static const struct query q_each_document = {
    STMT_EACH_DOCUMENT, "SELECT slug FROM articles ORDER BY kind, published_at, slug"};

int store_each_document(struct store *st, int (*fn)(void *ctx, json_t *doc), void *ctx)
{
	/* The slugs first: fn may run statements of its own on this connection. */
	sqlite3_stmt *s = store_stmt(st, &q_each_document);
	if (s == NULL)
		return -1;
	json_t *slugs = json_array();
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(slugs, column_string(s, 0));
	store_done(s);
	if (rc != SQLITE_DONE) {
		json_decref(slugs);
		return -1;
	}
	int result = 0;
	size_t i;
	json_t *slug;
	json_array_foreach(slugs, i, slug)
	{
		json_t *doc;
		if (store_get_document(st, json_string_value(slug), &doc) < 0) {
			result = -1;
			break;
		}
		if (doc == NULL)
			continue; /* deleted meanwhile */
		int r = fn(ctx, doc);
		json_decref(doc);
		if (r < 0) {
			result = -1;
			break;
		}
	}
	json_decref(slugs);
	return result;
}

static const struct query q_kind = {STMT_KIND, "SELECT kind FROM articles WHERE slug = ?"};

int store_article_kind(struct store *st, const char *slug)
{
	sqlite3_stmt *s = store_stmt(st, &q_kind);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	int kind = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : rc == SQLITE_DONE ? -2 : -1;
	store_done(s);
	return kind;
}

static const struct query q_save_revision = {
    STMT_SAVE_REVISION, "INSERT INTO revisions (slug, saved_at, reason, document) "
                        "VALUES (?, ?, ?, ?)"};

int store_save_revision(struct store *st, const char *slug, const json_t *doc, const char *reason,
                        int64_t now)
{
	json_t *read = NULL;
	if (doc == NULL) {
		int found = store_get_document(st, slug, &read);
		if (found <= 0)
			return found;
		doc = read;
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(read);
	sqlite3_stmt *s = store_stmt(st, &q_save_revision);
	if (s == NULL || text == NULL) {
		free(text);
		return -1;
	}
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	store_done(s);
	free(text);
	return rc == SQLITE_DONE ? 1 : -1;
}

static const struct query q_revisions = {
    STMT_REVISIONS, "SELECT id, saved_at, reason, document FROM revisions WHERE slug = ? "
                    "ORDER BY id DESC LIMIT ?"};

int store_list_revisions(struct store *st, const char *slug, unsigned limit, json_t **out)
{
	*out = json_array();
	sqlite3_stmt *s = store_stmt(st, &q_revisions);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(s, 3);
		json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
		json_array_append_new(*out, json_pack("{s:I, s:o, s:s, s:o}", "id",
		                                      (json_int_t)sqlite3_column_int64(s, 0),
		                                      "saved_at", column_time(s, 1), "reason",
		                                      (const char *)sqlite3_column_text(s, 2),
		                                      "article", doc ? doc : json_null()));
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_delete_article = {STMT_DELETE_ARTICLE,
                                              "DELETE FROM articles WHERE slug = ?"};

int store_delete_article(struct store *st, const char *slug)
{
	/* A deleted article leaves the index: it must be in it first. */
	if (store_index_added(st) < 0)
		return -1;
	return store_run_on(st, &q_delete_article, slug);
}
