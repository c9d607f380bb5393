/*
 * store_write.c: the writes an import (and the write API) makes, inside
 * one transaction that the caller opens with store_begin() and ends with
 * store_commit() or store_rollback(): articles with their tags and
 * authors, the site settings, and the time content last changed.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"
#include "gazette/content/reading.h"

/* Creates or renames the tag/author with slug and returns its id, or -1. */
static sqlite3_int64 upsert_named(struct store *st, const struct query *q, json_t *item)
{
	sqlite3_stmt *s = store_stmt(st, q);
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

/*
 * Links the article to each tag or author of list (creating those that are
 * new), in order; spelled: the link keeps the name as this article wrote it.
 */
static int link_all(struct store *st, sqlite3_int64 article_id, json_t *list,
                    const struct query *upsert, const struct query *link, bool spelled)
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
		if (spelled)
			sqlite3_bind_text(s, 4, json_string_value(json_object_get(item, "name")), -1,
			                  SQLITE_STATIC);
		int rc = sqlite3_step(s);
		store_done(s);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* What the source_hash column holds for a: the hash of all its page depends on. */
static const char *stored_hash(const struct article *a)
{
	return a->render_hash[0] ? a->render_hash : a->source_hash;
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
	/*
	 * Words as reading times count them: a run of Chinese or Japanese is
	 * no word but so many characters (cjk_chars).  Counted with the text.
	 */
	sqlite3_bind_int64(s, 9, (sqlite3_int64)a->md.reading.words);
	sqlite3_bind_int64(s, 22, (sqlite3_int64)a->md.reading.cjk_chars);
	if (a->has_date)
		sqlite3_bind_int64(s, 10, a->published_at);
	if (a->has_updated)
		sqlite3_bind_int64(s, 11, a->updated_at);
	sqlite3_bind_int(s, 12, a->draft ? 1 : 0);
	sqlite3_bind_int64(s, 13, a->weight);
	sqlite3_bind_text(s, 14, extra, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 16, stored_hash(a), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 17, now);
	sqlite3_bind_text(s, 18, a->url ? a->url : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 19, a->format == ARTICLE_HTML ? "html" : "markdown", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(s, 20, a->lang ? a->lang : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 21, a->path ? a->path : "", -1, SQLITE_STATIC);
}

static const struct query q_find_slug = {STMT_FIND_SLUG,
                                         "SELECT id, source_hash FROM articles WHERE slug = ?"};

/*
 * The id of the article with slug (or -1), and whether it is a unchanged:
 * the same content, rendered the same way.  Where its file lay does not
 * count: an article is its slug.
 */
static int find_article(struct store *st, const struct article *a, sqlite3_int64 *id, bool *same)
{
	sqlite3_stmt *find = store_stmt(st, &q_find_slug);
	*id = -1;
	*same = false;
	if (find == NULL)
		return -1;
	sqlite3_bind_text(find, 1, a->slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(find, 0);
		const char *hash = (const char *)sqlite3_column_text(find, 1);
		*same = hash && strcmp(hash, stored_hash(a)) == 0;
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

static const struct query q_link_author = {
    STMT_LINK_AUTHOR, "INSERT OR IGNORE INTO article_authors (article_id, author_id, "
                      "position, spelling) VALUES (?, ?, ?, ?)"};

static const struct query q_link_tag = {
    STMT_LINK_TAG, "INSERT OR IGNORE INTO article_tags (article_id, tag_id, position) "
                   "VALUES (?, ?, ?)"};

static const struct query q_upsert_author = {
    /* The name is settled once the import is written (store_settle_author_names()). */
    STMT_UPSERT_AUTHOR, "INSERT INTO authors (slug, name) VALUES (?, ?) ON CONFLICT (slug) "
                        "DO UPDATE SET slug = excluded.slug RETURNING id"};

static const struct query q_upsert_tag = {
    STMT_UPSERT_TAG, "INSERT INTO tags (slug, name) VALUES (?, ?) ON CONFLICT (slug) "
                     "DO UPDATE SET name = excluded.name RETURNING id"};

static const struct query q_clear_authors = {STMT_CLEAR_AUTHORS,
                                             "DELETE FROM article_authors WHERE article_id = ?"};

static const struct query q_clear_tags = {STMT_CLEAR_TAGS,
                                          "DELETE FROM article_tags WHERE article_id = ?"};

static const struct query q_update_article = {
    STMT_UPDATE_ARTICLE,
    "UPDATE articles SET kind = ?2, title = ?3, summary = ?4, excerpt = ?5, "
    "body_md = ?6, body_html = ?7, body_text = ?8, word_count = ?9, "
    "published_at = ?10, updated_at = ?11, draft = ?12, weight = ?13, extra = ?14, "
    "source = ?15, source_hash = ?16, modified_at = ?17, url = ?18, format = ?19, lang = ?20, "
    "path = ?21, cjk_chars = ?22 "
    "WHERE slug = ?1"};

static const struct query q_insert_article = {
    STMT_INSERT_ARTICLE,
    "INSERT INTO articles (slug, kind, title, summary, excerpt, body_md, body_html, "
    "body_text, word_count, published_at, updated_at, draft, weight, extra, source, "
    "source_hash, modified_at, url, format, lang, path, cjk_chars) VALUES (?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"};

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

	/* The update trigger takes the old text out of the index: it must be in it. */
	if (st->unindexed_from > 0 && id >= st->unindexed_from && store_index_added(st) < 0)
		return -1;
	/* Nothing is lost: what an update replaces is kept as a revision. */
	if (id >= 0 && store_save_revision(st, a->slug, before, "updated", now) < 0)
		return -1;
	char *extra = json_dumps(a->extra, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	sqlite3_stmt *s = store_stmt(st, id < 0 ? &q_insert_article : &q_update_article);
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
		sqlite3_stmt *c1 = store_stmt(st, &q_clear_tags);
		sqlite3_stmt *c2 = store_stmt(st, &q_clear_authors);
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
	if (link_all(st, id, a->tags, &q_upsert_tag, &q_link_tag, false) < 0 ||
	    link_all(st, id, a->authors, &q_upsert_author, &q_link_author, true) < 0)
		return -1;
	return 0;
}

static const struct query q_delete_builtin = {STMT_DELETE_BUILTIN,
                                              "DELETE FROM articles WHERE source LIKE 'builtin:%'"};

static const struct query q_source_by_slug = {STMT_SOURCE_BY_SLUG,
                                              "SELECT source FROM articles WHERE slug = ?"};

int store_article_source(struct store *st, const char *slug, char **source)
{
	sqlite3_stmt *s = store_stmt(st, &q_source_by_slug);
	*source = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*source = xstrdup(sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0)
		                                            : "");
	store_done(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_next_article_id = {
    STMT_NEXT_ARTICLE_ID, "SELECT coalesce(max(id), 0) + 1 FROM articles"};

static const struct query q_index_added = {
    STMT_INDEX_ADDED, "INSERT INTO articles_fts (rowid, title, summary, body_text) "
                      "SELECT id, title, summary, body_text FROM articles WHERE id >= ?"};

/* The id the next article added would get (one past the largest there is); 0 on error. */
static sqlite3_int64 next_article_id(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, &q_next_article_id);
	if (s == NULL)
		return 0;
	int rc = sqlite3_step(s);
	sqlite3_int64 next = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	store_done(s);
	return next;
}

/*
 * The insert trigger is dropped for the while, inside the transaction: no
 * other connection can write meanwhile, none ever sees the schema without
 * it (a rollback brings it back), and an article that was not added but
 * replaced goes through the update trigger as always.  A row added has a
 * rowid above every one there was (INTEGER PRIMARY KEY takes max + 1).
 */
int store_defer_index(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) || st->unindexed_from > 0)
		return -1;
	sqlite3_int64 next = next_article_id(st);
	if (next == 0 ||
	    sqlite3_exec(st->db, "DROP TRIGGER articles_fts_insert", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	st->unindexed_from = next;
	return 0;
}

/*
 * FTS5 holds the terms of rows being added in a hash table until their
 * data reaches its "hashsize" (1 MiB unless the table's config says
 * otherwise), then writes them out as a new segment of the index; it
 * merges segments again and again as they pile up.  One bulk insert of
 * 100,000 articles (108 million words) with the default wrote hundreds
 * of segments: raised to 8 MiB (bulk_settings) for that insert alone, the
 * import took 40-41 s instead of 42-47 s (runs interleaved), for 10 MB
 * more at its peak (the harness's corpus, on the development machine).  Set through FTS5's
 * own configuration insert (its "hashsize" key, which the SQLite of
 * Debian 12, 3.40.1, takes), and set back to FTS5's default within the
 * same transaction, so that the database keeps the default for every
 * other writer.  A library that does not know the key refuses it; the
 * import is then only slower.
 *
 * Its "automerge" likewise: FTS5 merges the segments of a level into one
 * of the next as soon as the level holds that many (4 by default), so a
 * bulk insert rewrote most of its index several times over.  At 16 for
 * the insert, the index step of the same import took 16.0 / 21.7 s
 * against 25.8 / 26.1 s (runs interleaved, a noisy machine), and a
 * search at 100,000 articles afterwards was as fast (search-many on one
 * thread: 71.7 / 71.1 req/s against 71.4 / 70.2), its terms read from
 * the few more segments.  Back at FTS5's default, later writes merge as
 * they always did.
 */
static const struct {
	const char *key;
	int bulk, fts5; /* for the bulk insert; FTS5's default, back after it */
} bulk_settings[] = {
    {"hashsize", 8 << 20, 1 << 20}, /* FTS5_DEFAULT_HASHSIZE */
    {"automerge", 16, 4},           /* FTS5_DEFAULT_AUTOMERGE */
};

static const struct query q_fts_setting = {
    STMT_FTS_SETTING, "INSERT INTO articles_fts (articles_fts, rank) VALUES (?1, ?2)"};

/* Sets FTS5's settings of articles_fts for a bulk insert, or back (within the transaction). */
static void fts_bulk_settings(struct store *st, bool bulk)
{
	for (size_t i = 0; i < GZ_ARRAY_LEN(bulk_settings); i++) {
		sqlite3_stmt *s = store_stmt(st, &q_fts_setting);
		if (s == NULL)
			return;
		sqlite3_bind_text(s, 1, bulk_settings[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, bulk ? bulk_settings[i].bulk : bulk_settings[i].fts5);
		sqlite3_step(s);
		store_done(s);
	}
}

int store_index_added(struct store *st)
{
	if (st->unindexed_from == 0)
		return 0;
	sqlite3_int64 next = next_article_id(st);
	if (next == 0)
		return -1;
	/* Nothing added (an import of unchanged files): the index is not touched at all. */
	int rc = SQLITE_DONE;
	if (next > st->unindexed_from) {
		sqlite3_stmt *s = store_stmt(st, &q_index_added);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, st->unindexed_from);
		fts_bulk_settings(st, true);
		rc = sqlite3_step(s);
		store_done(s);
		/* After a failure the transaction is rolled back, the setting with it:
		 * sqlite3_errmsg() keeps saying what failed. */
		if (rc == SQLITE_DONE)
			fts_bulk_settings(st, false);
	}
	if (rc != SQLITE_DONE ||
	    sqlite3_exec(st->db, store_fts_insert_trigger, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	st->unindexed_from = 0;
	return 0;
}

int store_delete_builtin(struct store *st)
{
	if (store_run(st, &q_delete_builtin) < 0)
		return -1;
	return sqlite3_changes(st->db);
}

static const struct query q_prune_authors = {STMT_PRUNE_AUTHORS,
                                             "DELETE FROM authors WHERE id NOT IN "
                                             "(SELECT author_id FROM article_authors)"};

static const struct query q_prune_tags = {
    STMT_PRUNE_TAGS, "DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM article_tags)"};

int store_prune(struct store *st)
{
	return store_run(st, &q_prune_tags) < 0 || store_run(st, &q_prune_authors) < 0 ? -1 : 0;
}

static const struct query q_put_setting = {
    STMT_PUT_SETTING, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)"};

static int put_setting(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = store_stmt(st, &q_put_setting);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_clear_site_settings = {STMT_CLEAR_SITE_SETTINGS,
                                                   "DELETE FROM settings WHERE key LIKE 'site.%'"};

int store_put_settings(struct store *st, json_t *settings, int64_t now, bool *changed)
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

	if (store_run(st, &q_clear_site_settings) < 0)
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
	char when[32];
	snprintf(when, sizeof when, "%lld", (long long)now);
	return put_setting(st, "gazette.settings_changed_at", when);
}

static const struct query q_authors_undeclare = {STMT_AUTHORS_UNDECLARE,
                                                 "UPDATE authors SET declared = 0"};
static const struct query q_author_declare = {
    STMT_AUTHOR_DECLARE,
    "INSERT INTO authors (slug, name, bio, avatar, links, declared) VALUES (?1, ?2, ?3, ?4, "
    "?5, 1) ON CONFLICT (slug) DO UPDATE SET name = ?2, bio = ?3, avatar = ?4, links = ?5, "
    "declared = 1"};

int store_put_authors(struct store *st, json_t *authors)
{
	if (store_run(st, &q_authors_undeclare) < 0)
		return -1;
	sqlite3_stmt *s = store_stmt(st, &q_author_declare);
	if (s == NULL)
		return -1;
	const char *slug;
	json_t *who;
	json_object_foreach(authors, slug, who)
	{
		char *links = json_dumps(json_object_get(who, "links"), JSON_COMPACT | JSON_ENCODE_ANY);
		static const char *const keys[] = {"name", "bio", "avatar"};
		sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
		for (int k = 0; k < 3; k++) {
			const char *v = json_string_value(json_object_get(who, keys[k]));
			sqlite3_bind_text(s, 2 + k, v ? v : (k == 0 ? slug : ""), -1, SQLITE_STATIC);
		}
		sqlite3_bind_text(s, 5, links && json_is_array(json_object_get(who, "links")) ? links
		                                                                              : "[]",
		                  -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		store_done(s);
		free(links);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/*
 * An author's name is how the newest of their articles spells it, unless
 * site.yaml declares it ("The Leadership Council", not the first spelling
 * ever seen).
 */
static const struct query q_settle_names = {
    STMT_SETTLE_NAMES,
    "UPDATE authors SET name = coalesce((SELECT x.spelling FROM article_authors x "
    "JOIN articles a ON a.id = x.article_id WHERE x.author_id = authors.id AND "
    "x.spelling <> '' ORDER BY coalesce(a.published_at, 0) DESC, a.id DESC LIMIT 1), name) "
    "WHERE declared = 0"};

int store_settle_author_names(struct store *st)
{
	return store_run(st, &q_settle_names);
}

int store_touch(struct store *st, int64_t now)
{
	char value[32];
	snprintf(value, sizeof value, "%lld", (long long)now);
	return put_setting(st, "gazette.changed_at", value);
}
