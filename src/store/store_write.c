/*
 * store_write.c: the writes an import makes, inside one transaction that
 * the caller opens with store_begin() and ends with store_commit() or
 * store_rollback().
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"

int store_run(struct store *st, enum stmt id)
{
	sqlite3_stmt *s = store_stmt(st, id);
	if (s == NULL)
		return -1;
	int rc = sqlite3_step(s);
	store_done(s);
	/* The caller says what failed, with store_errmsg(). */
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	return 0;
}

int store_run_on(struct store *st, enum stmt id, const char *text)
{
	sqlite3_stmt *s = store_stmt(st, id);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_begin(struct store *st)
{
	return store_run(st, STMT_BEGIN);
}

int store_commit(struct store *st)
{
	return store_run(st, STMT_COMMIT);
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		store_run(st, STMT_ROLLBACK);
}

/* Creates or renames the tag/author with slug and returns its id, or -1. */
static sqlite3_int64 upsert_named(struct store *st, enum stmt id, json_t *item)
{
	sqlite3_stmt *s = store_stmt(st, id);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, json_string_value(json_object_get(item, "slug")), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(s, 2, json_string_value(json_object_get(item, "name")), -1,
	                  SQLITE_STATIC);
	sqlite3_int64 rowid = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		rowid = sqlite3_column_int64(s, 0);
	store_done(s);
	return rowid;
}

static int link_all(struct store *st, sqlite3_int64 article_id, json_t *list, enum stmt upsert,
                    enum stmt link)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		sqlite3_int64 id = upsert_named(st, upsert, item);
		sqlite3_stmt *s = store_stmt(st, link);
		if (id < 0 || s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, article_id);
		sqlite3_bind_int64(s, 2, id);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
		int rc = sqlite3_step(s);
		store_done(s);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static void bind_article(sqlite3_stmt *s, const struct article *a, const char *extra, int64_t now)
{
	sqlite3_bind_text(s, 1, a->slug, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, a->kind);
	sqlite3_bind_text(s, 3, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, a->md.excerpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, a->md.html, (int)a->md.html_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, a->md.text, (int)a->md.text_len, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, (int)a->md.words);
	if (a->has_date)
		sqlite3_bind_int64(s, 10, a->published_at);
	if (a->has_updated)
		sqlite3_bind_int64(s, 11, a->updated_at);
	sqlite3_bind_int(s, 12, a->draft);
	sqlite3_bind_int64(s, 13, a->weight);
	sqlite3_bind_text(s, 14, extra, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 16, a->source_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 17, now);
}

/* The id of the article with slug (or -1), and whether it is a's file unchanged. */
static int find_article(struct store *st, const struct article *a, sqlite3_int64 *id, bool *same)
{
	sqlite3_stmt *find = store_stmt(st, STMT_FIND_SLUG);
	*id = -1;
	*same = false;
	if (find == NULL)
		return -1;
	sqlite3_bind_text(find, 1, a->slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(find, 0);
		const char *source = (const char *)sqlite3_column_text(find, 1);
		const char *hash = (const char *)sqlite3_column_text(find, 2);
		*same = source && hash && strcmp(source, a->source) == 0 &&
		        strcmp(hash, a->source_hash) == 0;
	}
	store_done(find);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

bool store_article_is_current(struct store *st, const struct article *a)
{
	sqlite3_int64 id;
	bool same;
	return find_article(st, a, &id, &same) == 0 && same;
}

int store_upsert_article(struct store *st, const struct article *a, const json_t *before,
                         int64_t now, enum upsert_result *result)
{
	sqlite3_int64 id;
	bool same;
	int rc;
	if (find_article(st, a, &id, &same) < 0)
		return -1;
	if (same) {
		*result = UPSERT_UNCHANGED;
		return 0;
	}

	/* Nothing is lost: what an update replaces is kept as a revision. */
	if (id >= 0 && store_save_revision(st, a->slug, before, "updated", now) < 0)
		return -1;
	char *extra = json_dumps(a->extra, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_stmt *s = store_stmt(st, id < 0 ? STMT_INSERT_ARTICLE : STMT_UPDATE_ARTICLE);
	if (s == NULL || extra == NULL) {
		free(extra);
		return -1;
	}
	bind_article(s, a, extra, now);
	rc = sqlite3_step(s);
	store_done(s);
	free(extra);
	if (rc != SQLITE_DONE)
		return -1;

	if (id < 0) {
		id = sqlite3_last_insert_rowid(st->db);
		*result = UPSERT_ADDED;
	} else {
		*result = UPSERT_UPDATED;
		sqlite3_stmt *c1 = store_stmt(st, STMT_CLEAR_TAGS);
		sqlite3_stmt *c2 = store_stmt(st, STMT_CLEAR_AUTHORS);
		if (c1 == NULL || c2 == NULL)
			return -1;
		sqlite3_bind_int64(c1, 1, id);
		sqlite3_bind_int64(c2, 1, id);
		int r1 = sqlite3_step(c1), r2 = sqlite3_step(c2);
		store_done(c1);
		store_done(c2);
		if (r1 != SQLITE_DONE || r2 != SQLITE_DONE)
			return -1;
	}
	if (link_all(st, id, a->tags, STMT_UPSERT_TAG, STMT_LINK_TAG) < 0 ||
	    link_all(st, id, a->authors, STMT_UPSERT_AUTHOR, STMT_LINK_AUTHOR) < 0) {
		log_msg(LOG_ERROR, "database: saving tags of '%s': %s", a->slug,
		        sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

char *store_article_source(struct store *st, const char *slug)
{
	sqlite3_stmt *s = store_stmt(st, STMT_SOURCE_BY_SLUG);
	char *source = NULL;
	if (s == NULL)
		return NULL;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		source = xstrdup((const char *)sqlite3_column_text(s, 0));
	store_done(s);
	return source;
}

int store_delete_builtin(struct store *st)
{
	if (store_run(st, STMT_DELETE_BUILTIN) < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int store_prune(struct store *st)
{
	return store_run(st, STMT_PRUNE_TAGS) < 0 || store_run(st, STMT_PRUNE_AUTHORS) < 0 ? -1 : 0;
}

static int put_setting(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = store_stmt(st, STMT_PUT_SETTING);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_put_settings(struct store *st, json_t *settings, bool *changed)
{
	json_t *old;
	*changed = false;
	if (store_get_settings(st, &old) < 0) {
		json_decref(old);
		return -1;
	}
	bool same = json_equal(old, settings);
	json_decref(old);
	if (same)
		return 0;

	if (store_run(st, STMT_CLEAR_SITE_SETTINGS) < 0)
		return -1;
	const char *key;
	json_t *v;
	json_object_foreach(settings, key, v)
	{
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		size_t klen = strlen("site.") + strlen(key) + 1;
		char *full = xmalloc(klen);
		snprintf(full, klen, "site.%s", key);
		int rc = text ? put_setting(st, full, text) : -1;
		free(full);
		free(text);
		if (rc < 0)
			return -1;
	}
	*changed = true;
	return 0;
}

int store_touch(struct store *st, int64_t now)
{
	char value[32];
	snprintf(value, sizeof value, "%lld", (long long)now);
	return put_setting(st, "gazette.changed_at", value);
}
