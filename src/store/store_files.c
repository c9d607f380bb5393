/*
 * store_files.c: the files a site ships (images, downloads, fonts) and the
 * old addresses of its articles.
 *
 * A file's bytes are kept once, under their SHA-256 (blobs); each address
 * below the site (files.path) names one blob.  Importing the same file
 * again, from any folder, finds the same hash and writes nothing.
 */
#include "store_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/util.h"

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out, 65, digest, sizeof digest);
}

static const struct query q_blob_find = {STMT_BLOB_FIND, "SELECT id FROM blobs WHERE hash = ?"};
static const struct query q_blob_add = {
    STMT_BLOB_ADD,
    "INSERT INTO blobs (hash, size, type, width, height, data) VALUES (?, ?, ?, ?, ?, ?)"};

/* The id of the blob holding data, stored now if it is new; -1 on error. */
static sqlite3_int64 blob_id_for(struct store *st, const void *data, size_t len, const char *type,
                                 unsigned width, unsigned height)
{
	char hash[65];
	sha256_hex(data, len, hash);
	sqlite3_stmt *s = store_stmt(st, &q_blob_find);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_int64 id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	store_done(s);
	if (rc == SQLITE_ROW)
		return id;
	if (rc != SQLITE_DONE)
		return -1;
	s = store_stmt(st, &q_blob_add);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)len);
	sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC);
	if (width && height) {
		sqlite3_bind_int(s, 4, (int)width);
		sqlite3_bind_int(s, 5, (int)height);
	}
	sqlite3_bind_blob64(s, 6, data, len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(st->db) : -1;
}

static const struct query q_file_blob = {STMT_FILE_BLOB,
                                         "SELECT blob_id FROM files WHERE path = ?"};
static const struct query q_file_put = {
    STMT_FILE_PUT, "INSERT INTO files (path, blob_id, source, modified_at) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT (path) DO UPDATE SET blob_id = ?2, source = ?3, "
                   "modified_at = ?4"};

int store_put_file(struct store *st, const char *path, const void *data, size_t len,
                   const char *type, unsigned width, unsigned height, const char *source,
                   int64_t now, bool *changed)
{
	*changed = false;
	sqlite3_int64 blob = blob_id_for(st, data, len, type, width, height);
	if (blob < 0)
		return -1;
	sqlite3_stmt *s = store_stmt(st, &q_file_blob);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	bool same = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) == blob;
	store_done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (same)
		return 0;
	s = store_stmt(st, &q_file_put);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, blob);
	sqlite3_bind_text(s, 3, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	rc = sqlite3_step(s);
	store_done(s);
	*changed = rc == SQLITE_DONE;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Columns of a file's description, in this order (see file_from_row). */
#define FILE_COLUMNS "b.id, b.hash, b.size, b.type, b.width, b.height, f.modified_at"

static void file_from_row(sqlite3_stmt *s, int col, struct store_file *f)
{
	const char *hash = (const char *)sqlite3_column_text(s, col + 1);
	const char *type = (const char *)sqlite3_column_text(s, col + 3);
	f->blob_id = sqlite3_column_int64(s, col);
	snprintf(f->hash, sizeof f->hash, "%s", hash ? hash : "");
	f->size = sqlite3_column_int64(s, col + 2);
	snprintf(f->type, sizeof f->type, "%s", type ? type : "application/octet-stream");
	f->width = (unsigned)sqlite3_column_int(s, col + 4);
	f->height = (unsigned)sqlite3_column_int(s, col + 5);
	f->modified_at = sqlite3_column_int64(s, col + 6);
}

static const struct query q_file_get = {STMT_FILE_GET,
                                        "SELECT " FILE_COLUMNS " FROM files f JOIN blobs b "
                                        "ON b.id = f.blob_id WHERE f.path = ?"};

int store_get_file(struct store *st, const char *path, struct store_file *f)
{
	sqlite3_stmt *s = store_stmt(st, &q_file_get);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		file_from_row(s, 0, f);
	store_done(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_read_file(struct store *st, int64_t blob_id, size_t offset, void *out, size_t n)
{
	sqlite3_blob *b;
	if (sqlite3_blob_open(st->db, "main", "blobs", "data", blob_id, 0, &b) != SQLITE_OK)
		return -1;
	int rc = offset + n <= (size_t)sqlite3_blob_bytes(b)
	             ? sqlite3_blob_read(b, out, (int)n, (int)offset)
	             : SQLITE_RANGE;
	sqlite3_blob_close(b);
	return rc == SQLITE_OK ? 0 : -1;
}

/* An open reading of one blob, inside a read transaction of its own (store_blob_open()). */
struct store_blob {
	struct store *st;
	sqlite3_blob *b;
	size_t size;
};

static const struct query q_blob_hash = {STMT_BLOB_HASH, "SELECT hash FROM blobs WHERE id = ?"};

int store_blob_open(struct store *st, int64_t blob_id, const char *hash, struct store_blob **out)
{
	*out = NULL;
	if (!store_read_begin(st))
		return -1;
	sqlite3_stmt *s = store_stmt(st, &q_blob_hash);
	if (s == NULL) {
		store_read_end(st, true);
		return -1;
	}
	sqlite3_bind_int64(s, 1, blob_id);
	int rc = sqlite3_step(s);
	const char *h = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	bool same = h && strcmp(h, hash) == 0;
	store_done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_read_end(st, true);
		return -1;
	}
	sqlite3_blob *b = NULL;
	if (!same || sqlite3_blob_open(st->db, "main", "blobs", "data", blob_id, 0, &b) != SQLITE_OK) {
		sqlite3_blob_close(b);
		store_read_end(st, true);
		return same ? -1 : 0;
	}
	struct store_blob *sb = xcalloc(1, sizeof *sb);
	sb->st = st;
	sb->b = b;
	sb->size = (size_t)sqlite3_blob_bytes(b);
	*out = sb;
	return 1;
}

int store_blob_read(struct store_blob *sb, size_t offset, void *out, size_t n)
{
	if (offset > sb->size || n > sb->size - offset)
		return -1;
	return sqlite3_blob_read(sb->b, out, (int)n, (int)offset) == SQLITE_OK ? 0 : -1;
}

void store_blob_close(struct store_blob *sb)
{
	if (sb == NULL)
		return;
	sqlite3_blob_close(sb->b);
	store_read_end(sb->st, true);
	free(sb);
}

static const struct query q_file_each = {STMT_FILE_EACH,
                                         "SELECT f.path, " FILE_COLUMNS " FROM files f "
                                         "JOIN blobs b ON b.id = f.blob_id ORDER BY f.path"};

int store_each_file(struct store *st,
                    int (*fn)(void *ctx, const char *path, const struct store_file *f), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, &q_file_each);
	if (s == NULL)
		return -1;
	/* Paths first: fn reads the bytes, which needs the connection. */
	json_t *paths = json_array();
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(paths, column_string(s, 0));
	store_done(s);
	int result = rc == SQLITE_DONE ? 0 : -1;
	size_t i;
	json_t *path;
	json_array_foreach(paths, i, path)
	{
		struct store_file f;
		if (result < 0)
			break;
		int found = store_get_file(st, json_string_value(path), &f);
		/* A database error, or fn's own: either ends the walk. */
		if (found < 0 || (found > 0 && fn(ctx, json_string_value(path), &f) < 0))
			result = -1;
	}
	json_decref(paths);
	return result;
}

static const struct query q_blob_prune = {
    STMT_BLOB_PRUNE, "DELETE FROM blobs WHERE id NOT IN (SELECT blob_id FROM files)"};

int store_prune_blobs(struct store *st)
{
	return store_run(st, &q_blob_prune);
}

/* ---- old addresses ----------------------------------------------------- */

static const struct query q_redirects_clear = {
    STMT_REDIRECTS_CLEAR,
    "DELETE FROM redirects WHERE article_id = (SELECT id FROM articles WHERE slug = ?)"};
static const struct query q_redirect_add = {
    STMT_REDIRECT_ADD, "INSERT INTO redirects (path, article_id, origin) "
                       "SELECT ?1, id, ?3 FROM articles WHERE slug = ?2 "
                       "ON CONFLICT (path) DO UPDATE SET article_id = excluded.article_id, "
                       "origin = excluded.origin"};

int store_set_redirects(struct store *st, const char *slug, json_t *addresses)
{
	if (store_run_on(st, &q_redirects_clear, slug) < 0)
		return -1;
	sqlite3_stmt *s = store_stmt(st, &q_redirect_add);
	if (s == NULL)
		return -1;
	size_t i;
	json_t *a;
	json_array_foreach(addresses, i, a)
	{
		sqlite3_bind_text(s, 1, json_string_value(json_object_get(a, "path")), -1,
		                  SQLITE_STATIC);
		sqlite3_bind_text(s, 2, slug, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, json_string_value(json_object_get(a, "origin")), -1,
		                  SQLITE_STATIC);
		int rc = sqlite3_step(s);
		store_done(s);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static const struct query q_redirect_find = {
    STMT_REDIRECT_FIND, "SELECT a.slug, a.kind FROM redirects r JOIN articles a "
                        "ON a.id = r.article_id WHERE r.path = ?"};

int store_find_redirect(struct store *st, const char *path, char **slug, enum article_kind *kind)
{
	*slug = NULL;
	sqlite3_stmt *s = store_stmt(st, &q_redirect_find);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0)) {
		*slug = xstrdup((const char *)sqlite3_column_text(s, 0));
		*kind = (enum article_kind)sqlite3_column_int(s, 1);
	}
	store_done(s);
	return *slug ? 1 : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static const struct query q_article_addresses = {
    STMT_ARTICLE_ADDRESSES, "SELECT r.path FROM redirects r JOIN articles a "
                            "ON a.id = r.article_id WHERE a.slug = ? ORDER BY r.path"};

int store_article_addresses(struct store *st, const char *slug, json_t **paths)
{
	*paths = NULL;
	sqlite3_stmt *s = store_stmt(st, &q_article_addresses);
	if (s == NULL)
		return -1;
	json_t *list = json_array();
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(list, column_string(s, 0));
	store_done(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return -1;
	}
	*paths = list;
	return 0;
}

static const struct query q_article_origin = {
    STMT_ARTICLE_ORIGIN, "SELECT url, path FROM articles WHERE slug = ?"};

int store_article_origin(struct store *st, const char *slug, char **url, char **path)
{
	*url = *path = NULL;
	sqlite3_stmt *s = store_stmt(st, &q_article_origin);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	for (int i = 0; i < 2 && rc == SQLITE_ROW; i++) {
		const char *text = (const char *)sqlite3_column_text(s, i);
		if (text && text[0])
			*(i == 0 ? url : path) = xstrdup(text);
	}
	store_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
