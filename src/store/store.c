/*
 * store.c: opening the database, its statement table, and the read queries.
 * Writes (import) are in store_write.c, the schema in store_schema.c.
 */
#include "store_internal.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/escape.h"
#include "gazette/content/search.h"
#include "gazette/base/util.h"

#include <libstemmer.h>

/* Columns every article query selects, in this order (see article_from_row). */
#define ARTICLE_COLUMNS                                                                            \
	"a.id, a.slug, a.title, a.summary, a.excerpt, a.published_at, a.updated_at, "              \
	"a.word_count, a.draft"
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
	COL_BODY
};

/* Published: not a draft, and its moment has come (pages may be undated). */
#define VISIBLE "a.draft = 0 AND (a.published_at IS NULL OR a.published_at <= :now)"

static const char *const stmt_sql[STMT__MAX] = {
    [STMT_ARTICLE_BY_SLUG] = "SELECT " ARTICLE_COLUMNS ", a.body_html FROM articles a "
                             "WHERE a.slug = :slug AND a.kind = :kind AND " VISIBLE,
    [STMT_ARTICLE_ANY_STATUS] = "SELECT " ARTICLE_COLUMNS ", a.body_html FROM articles a "
                                "WHERE a.slug = :slug AND a.kind = :kind",
    /* The ids come as a JSON array: one statement for a whole page of articles. */
    [STMT_TAGS_OF] = "SELECT x.article_id, t.slug, t.name FROM article_tags x JOIN tags t "
                     "ON t.id = x.tag_id WHERE x.article_id IN (SELECT value FROM json_each(?)) "
                     "ORDER BY x.article_id, x.position",
    [STMT_AUTHORS_OF] = "SELECT x.article_id, p.slug, p.name FROM article_authors x "
                        "JOIN authors p ON p.id = x.author_id "
                        "WHERE x.article_id IN (SELECT value FROM json_each(?)) "
                        "ORDER BY x.article_id, x.position",
    [STMT_PHRASE_COUNT] = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
    [STMT_ARTICLE_ROW] = "SELECT " ARTICLE_COLUMNS ", a.body_text FROM articles a WHERE a.id = ?",
    [STMT_TAGS] = "SELECT t.slug, t.name, count(*) AS n FROM tags t "
                  "JOIN article_tags x ON x.tag_id = t.id JOIN articles a ON a.id = x.article_id "
                  "WHERE a.kind = 0 AND " VISIBLE " GROUP BY t.id ORDER BY n DESC, t.name",
    [STMT_TAG_BY_SLUG] = "SELECT t.slug, t.name, count(a.id) FROM tags t "
                         "JOIN article_tags x ON x.tag_id = t.id "
                         "LEFT JOIN articles a ON a.id = x.article_id AND a.kind = 0 AND " VISIBLE
                         " WHERE t.slug = :slug GROUP BY t.id",
    [STMT_AUTHORS] =
        "SELECT p.slug, p.name, count(*) AS n FROM authors p "
        "JOIN article_authors x ON x.author_id = p.id "
        "JOIN articles a ON a.id = x.article_id "
        "WHERE a.kind = 0 AND " VISIBLE " GROUP BY p.id ORDER BY p.name COLLATE NOCASE",
    [STMT_AUTHOR_BY_SLUG] =
        "SELECT p.slug, p.name, count(a.id) FROM authors p "
        "JOIN article_authors x ON x.author_id = p.id "
        "LEFT JOIN articles a ON a.id = x.article_id AND a.kind = 0 AND " VISIBLE
        " WHERE p.slug = :slug GROUP BY p.id",
    [STMT_PAGES] = "SELECT a.slug, a.title FROM articles a WHERE a.kind = 1 AND " VISIBLE
                   " ORDER BY a.weight, a.title COLLATE NOCASE",
    [STMT_SETTINGS] = "SELECT key, value FROM settings WHERE key LIKE 'site.%'",
    [STMT_CONTENT_LAST] = "SELECT max(coalesce((SELECT CAST(value AS INTEGER) FROM settings "
                          "WHERE key = 'gazette.changed_at'), 0), coalesce((SELECT "
                          "max(published_at) FROM articles a WHERE a.draft = 0 AND "
                          "a.published_at <= :now), 0))",
    [STMT_CONTENT_NEXT] = "SELECT min(published_at) FROM articles a WHERE a.draft = 0 AND "
                          "a.published_at > :now",
    [STMT_PING] = "SELECT count(*) FROM settings",
    [STMT_BODY_BY_ID] = "SELECT body_html FROM articles WHERE id = ?",
    [STMT_EACH_ARTICLE] = "SELECT a.slug, coalesce(a.updated_at, a.published_at) FROM articles a "
                          "WHERE a.kind = 0 AND a.draft = 0 AND a.published_at <= :now "
                          "ORDER BY a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset",
    [STMT_COUNT_PUBLISHED] = "SELECT count(*) FROM articles a WHERE a.kind = 0 AND " VISIBLE,
    [STMT_DATA_VERSION] = "PRAGMA data_version",
    [STMT_FIND_SLUG] = "SELECT id, source, source_hash FROM articles WHERE slug = ?",
    [STMT_INSERT_ARTICLE] =
        "INSERT INTO articles (slug, kind, title, summary, excerpt, body_md, body_html, "
        "body_text, word_count, published_at, updated_at, draft, weight, extra, source, "
        "source_hash, modified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13, ?14, ?15, ?16, ?17)",
    [STMT_UPDATE_ARTICLE] =
        "UPDATE articles SET kind = ?2, title = ?3, summary = ?4, excerpt = ?5, "
        "body_md = ?6, body_html = ?7, body_text = ?8, word_count = ?9, "
        "published_at = ?10, updated_at = ?11, draft = ?12, weight = ?13, extra = ?14, "
        "source = ?15, source_hash = ?16, modified_at = ?17 WHERE slug = ?1",
    [STMT_CLEAR_TAGS] = "DELETE FROM article_tags WHERE article_id = ?",
    [STMT_CLEAR_AUTHORS] = "DELETE FROM article_authors WHERE article_id = ?",
    [STMT_UPSERT_TAG] = "INSERT INTO tags (slug, name) VALUES (?, ?) ON CONFLICT (slug) "
                        "DO UPDATE SET name = excluded.name RETURNING id",
    [STMT_UPSERT_AUTHOR] = "INSERT INTO authors (slug, name) VALUES (?, ?) ON CONFLICT (slug) "
                           "DO UPDATE SET name = excluded.name RETURNING id",
    [STMT_LINK_TAG] = "INSERT OR IGNORE INTO article_tags (article_id, tag_id, position) "
                      "VALUES (?, ?, ?)",
    [STMT_LINK_AUTHOR] = "INSERT OR IGNORE INTO article_authors (article_id, author_id, "
                         "position) VALUES (?, ?, ?)",
    [STMT_SOURCE_BY_SLUG] = "SELECT source FROM articles WHERE slug = ?",
    [STMT_DELETE_BUILTIN] = "DELETE FROM articles WHERE source LIKE 'builtin:%'",
    [STMT_PRUNE_TAGS] = "DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM article_tags)",
    [STMT_PRUNE_AUTHORS] = "DELETE FROM authors WHERE id NOT IN "
                           "(SELECT author_id FROM article_authors)",
    [STMT_CLEAR_SITE_SETTINGS] = "DELETE FROM settings WHERE key LIKE 'site.%'",
    [STMT_PUT_SETTING] = "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
	[STMT_DOCUMENT] = "SELECT id, slug, kind, title, summary, body_md, published_at, "
	                  "updated_at, draft, weight, extra FROM articles WHERE slug = ?",
	[STMT_KIND] = "SELECT kind FROM articles WHERE slug = ?",
	[STMT_DOCUMENT_AUTHORS] = "SELECT p.name FROM article_authors x JOIN authors p "
	                          "ON p.id = x.author_id WHERE x.article_id = ? ORDER BY x.position",
	[STMT_DOCUMENT_TAGS] = "SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id "
	                       "WHERE x.article_id = ? ORDER BY x.position",
	[STMT_EACH_DOCUMENT] = "SELECT slug FROM articles ORDER BY kind, published_at, slug",
	[STMT_SAVE_REVISION] = "INSERT INTO revisions (slug, saved_at, reason, document) "
	                       "VALUES (?, ?, ?, ?)",
	[STMT_REVISIONS] = "SELECT id, saved_at, reason, document FROM revisions WHERE slug = ? "
	                   "ORDER BY id DESC LIMIT ?",
	[STMT_DELETE_ARTICLE] = "DELETE FROM articles WHERE slug = ?",
	[STMT_TOKEN_ADD] = "INSERT INTO tokens (name, scope, hash, created_at) VALUES (?, ?, ?, ?)",
	[STMT_TOKEN_LIST] = "SELECT name, scope, created_at FROM tokens ORDER BY name",
	[STMT_TOKEN_REVOKE] = "DELETE FROM tokens WHERE name = ?",
	[STMT_TOKEN_FIND] = "SELECT name, scope, hash FROM tokens WHERE hash = ?",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_READ_BEGIN] = "BEGIN",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
};

sqlite3_stmt *store_stmt(struct store *st, enum stmt id)
{
	if (st->stmts[id] == NULL &&
	    sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st->stmts[id],
	                       NULL) != SQLITE_OK) {
		log_msg(LOG_ERROR, "database: preparing statement %d: %s", (int)id,
		        sqlite3_errmsg(st->db));
		return NULL;
	}
	return st->stmts[id];
}

void store_done(sqlite3_stmt *s)
{
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
}

/*
 * What went wrong, in the words of whoever must fix it: SQLite's own
 * message ("disk I/O error") does not say that the disk is full.
 */
const char *store_errmsg(struct store *st)
{
	int code = sqlite3_extended_errcode(st->db);
	int sys = sqlite3_system_errno(st->db);
	if ((code & 0xff) == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT)
		return "the disk is full; nothing was changed";
	if (sys == EFBIG)
		return "the file would grow past the size this process may write "
		       "(ulimit -f); nothing was changed";
	if ((code & 0xff) == SQLITE_READONLY || sys == EROFS || sys == EACCES || sys == EPERM)
		return "the database cannot be written (a read-only file, folder or file "
		       "system); nothing was changed";
	if ((code & 0xff) == SQLITE_BUSY)
		return "another process held the database's write lock too long "
		       "(is another import running?); nothing was changed";
	if ((code & 0xff) == SQLITE_IOERR && sys == 0)
		return "the database file could not be written (is the disk full, or failing?); "
		       "nothing was changed";
	if ((code & 0xff) == SQLITE_CORRUPT)
		return "the database is damaged; restore it from a backup, or import the "
		       "articles again into a new file";
	return sqlite3_errmsg(st->db);
}

/* Binds v to the named parameter if the statement has it. */
static void bind_text_named(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);
	if (i > 0)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void bind_int_named(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);
	if (i > 0)
		sqlite3_bind_int64(s, i, v);
}

/* ---- opening ----------------------------------------------------------- */

static int exec_sql(struct store *st, const char *sql, struct diag *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		diag_set(err, 0, "database: %s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int pragma_int(struct store *st, const char *sql, long long *out, struct diag *err)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		diag_set(err, 0, "%s", sqlite3_errmsg(st->db));
		return -1;
	}
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		diag_set(err, 0, "%s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/*
 * Makes sure the file is a gazette database at the current schema version,
 * creating or migrating it where allowed.  A file of another application,
 * or of a newer gazette, is refused rather than changed.
 */
static int check_schema(struct store *st, struct diag *err)
{
	long long app_id, version, tables;

	/* The first read of a file that is not SQLite fails here. */
	if (pragma_int(st, "PRAGMA application_id", &app_id, err) < 0 ||
	    pragma_int(st, "PRAGMA user_version", &version, err) < 0 ||
	    pragma_int(st, "SELECT count(*) FROM sqlite_schema", &tables, err) < 0) {
		int code = sqlite3_extended_errcode(st->db) & 0xff;
		if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
			snprintf(err->msg, sizeof err->msg,
			         "cannot open the database: its folder must be writable for the "
			         "-wal and -shm files beside it (a read-only file system? 'gazette "
			         "serve --read-only' reads one)");
		else
			snprintf(err->msg, sizeof err->msg,
			         "cannot read the database (is it a gazette database?): %s",
			         sqlite3_errmsg(st->db));
		return -1;
	}
	if (app_id != store_application_id && !(app_id == 0 && version == 0 && tables == 0)) {
		diag_set(err, 0,
		         "not a gazette database (it holds another application's data); "
		         "refusing to change it");
		return -1;
	}
	if (version > store_schema_version) {
		diag_set(err, 0,
		         "the database has schema version %lld, newer than this gazette knows "
		         "(%d): upgrade gazette",
		         version, store_schema_version);
		return -1;
	}
	if (version == store_schema_version)
		return 0;
	if (st->readonly) {
		diag_set(err, 0,
		         "the database needs schema version %d (it has %lld); open it once "
		         "without --read-only to migrate",
		         store_schema_version, version);
		return -1;
	}

	if (exec_sql(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	for (long long v = version; v < store_schema_version; v++)
		if (exec_sql(st, store_migrations[v], err) < 0)
			goto fail;
	char pragmas[128];
	snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
	         store_application_id, store_schema_version);
	if (exec_sql(st, pragmas, err) < 0 || exec_sql(st, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Reads the whole file the way SQLite's quick_check does (every page, every
 * record's format; no index-to-table cross-check), so a damaged database is
 * refused at the start instead of failing one page at a time later.
 */
int store_verify(struct store *st, struct diag *err)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL) != SQLITE_OK) {
		diag_set(err, 0, "the database is damaged: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	int rc = sqlite3_step(s);
	if ((rc & 0xff) == SQLITE_INTERRUPT) {
		sqlite3_finalize(s);
		return 1;
	}
	const char *result = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	int ok = result && strcmp(result, "ok") == 0;
	if (!ok) {
		/* "*** in database main ***\nPage 4: ..." on one line. */
		char why[256];
		snprintf(why, sizeof why, "%s", result ? result : sqlite3_errmsg(st->db));
		const char *from = strstr(why, "***\n") ? strstr(why, "***\n") + 4 : why;
		for (char *p = why; *p; p++)
			if (*p == '\n')
				*p = ' ';
		diag_set(err, 0,
		         "the database is damaged (%s); restore it from a backup, or import the "
		         "articles again into a new file",
		         from);
	}
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

void store_interrupt(struct store *st)
{
	sqlite3_interrupt(st->db);
}

/* "file:PATH?immutable=1", with what a URI would misread escaped. */
static void immutable_uri(const char *path, struct buf *out)
{
	buf_puts(out, "file:");
	for (const char *p = path; *p; p++)
		if (*p == '%' || *p == '?' || *p == '#')
			buf_printf(out, "%%%02X", (unsigned char)*p);
		else
			buf_putc(out, *p);
	buf_puts(out, "?immutable=1");
}

/* Opens st->db and checks what it holds.  Returns 0, or -1 with err set. */
static int open_connection(struct store *st, const char *path, int oflags, bool immutable,
                           bool mmap, struct diag *err)
{
	struct buf uri = BUF_INIT;
	if (immutable)
		immutable_uri(path, &uri);
	int rc = sqlite3_open_v2(immutable ? uri.data : path, &st->db, oflags, NULL);
	buf_free(&uri);
	if (rc != SQLITE_OK) {
		diag_set(err, 0, "cannot open the database: %s",
		         st->db ? sqlite3_errmsg(st->db) : "out of memory");
		return -1;
	}
	/* Strings in double quotes are identifiers, never silently literals. */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);
	/* Wait for a writer's lock rather than fail: imports and reads overlap. */
	sqlite3_busy_timeout(st->db, 5000);
	if (exec_sql(st, "PRAGMA foreign_keys = ON;", err) < 0)
		return -1;
	/*
	 * Searches read much of the full-text index: mapped, a page costs
	 * nothing once the kernel has it (search-many in the shared benchmark:
	 * 1,416 req/s mapped, 436 through SQLite's 2 MB page cache).  Mapped
	 * pages count as resident memory, though, so only the server's readers
	 * map: an unchanged re-import of 10,000 articles peaked at 305 MB
	 * resident mapped, 42 MB not.
	 */
	if (mmap &&
	    exec_sql(st, "PRAGMA mmap_size = 268435456;", err) < 0)
		return -1;
	return check_schema(st, err);
}

/* Words per minute for reading times, from the site settings (default 265). */
static void note_settings(struct store *st, json_t *settings)
{
	json_t *wpm = json_object_get(settings, "words_per_minute");
	long long v = 0;
	if (json_is_integer(wpm))
		v = json_integer_value(wpm);
	else if (json_is_string(wpm))
		v = atoll(json_string_value(wpm));
	st->words_per_minute = v >= 50 && v <= 2000 ? (unsigned)v : 265;
}

static void load_settings(struct store *st)
{
	json_t *settings;
	store_get_settings(st, &settings);
	json_decref(settings);
}

/*
 * SQLite counts every allocation under one global mutex unless told not
 * to; with a connection per worker thread that mutex was the busiest lock
 * of the server.  Must run before SQLite initialises, so once, first.
 */
static void store_global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The folder a file lies in ("." for a bare name), for messages and checks. */
static void folder_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(out, outlen, ".");
	else if (slash == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

/* Why this process cannot write path, as what follows its name ("" if it can). */
static const char *write_refusal(const char *path)
{
	if (access(path, W_OK) == 0)
		return "";
	switch (errno) {
	case EROFS: return "is on a read-only file system";
	case ENOENT: return "does not exist";
	case ENOTDIR: return "is not a folder";
	default: return "may not be written by this user";
	}
}

/*
 * What a writer needs, checked before SQLite is asked to open anything, so
 * that a refusal leaves nothing behind (SQLite would fall back to reading
 * a read-only file and make -wal and -shm files beside it first): a new
 * database needs a folder it can write; an existing one a writable file
 * and, to make its -wal file, a writable folder.  0, or -1 with err set.
 */
static int check_writable(const char *path, bool exists, struct diag *err)
{
	char dir[PATH_MAX];
	folder_of(path, dir, sizeof dir);
	const char *why = write_refusal(dir);
	if (!exists && *why) {
		diag_set(err, 0, "cannot create the database: the folder %s %s", dir, why);
		return -1;
	}
	if (!exists)
		return 0;
	const char *file_why = write_refusal(path);
	if (*file_why) {
		diag_set(err, 0,
		         "cannot write the database: the file %s; nothing was changed "
		         "('gazette serve --read-only' serves it as it is)",
		         file_why);
		return -1;
	}
	struct buf wal = BUF_INIT;
	buf_printf(&wal, "%s-wal", path);
	bool have_wal = access(wal.data, W_OK) == 0;
	buf_free(&wal);
	if (*why && !have_wal) {
		diag_set(err, 0,
		         "cannot write the database: its folder %s %s, and a writer needs to "
		         "make the -wal and -shm files beside it; nothing was changed ('gazette "
		         "serve --read-only' serves it as it is)",
		         dir, why);
		return -1;
	}
	return 0;
}

bool store_can_write(const char *path)
{
	struct diag err;
	struct stat sb;
	return check_writable(path, stat(path, &sb) == 0, &err) == 0;
}

int store_open(const char *path, int flags, struct store **out, bool *created, struct diag *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, store_global_init);

	/*
	 * An empty file is a new database (touch(1), or a failed copy), unless
	 * a write-ahead log beside it holds what has not reached it yet.
	 */
	struct stat sb;
	bool exists = stat(path, &sb) == 0;
	if (exists && sb.st_size == 0) {
		struct buf wal = BUF_INIT;
		buf_printf(&wal, "%s-wal", path);
		exists = stat(wal.data, &sb) == 0 && sb.st_size > 0;
		buf_free(&wal);
	}
	bool on_disk = stat(path, &sb) == 0; /* an empty file is there all the same */
	struct store *st = xcalloc(1, sizeof *st);

	diag_set_file(err, path);
	*out = NULL;
	st->readonly = (flags & STORE_READONLY) != 0;
	if (!exists && !(flags & STORE_CREATE)) {
		diag_set(err, 0,
		         "no such database (run 'gazette import' or 'gazette serve' first)");
		goto fail;
	}
	if (!st->readonly && check_writable(path, on_disk, err) < 0) {
		store_close(st); /* nothing was made, so nothing to remove */
		return -1;
	}

	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	oflags |= st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	int rc = open_connection(st, path, oflags, false, flags & STORE_MMAP, err);
	/*
	 * A WAL database whose folder cannot be written (read-only media, or
	 * a replica's folder owned by another user) cannot get the -shm file
	 * every reader needs.  Read only, it can be opened as immutable: SQLite
	 * then reads the file as it is, without locks or a wal-index.  The
	 * server notices a file replaced or rewritten there and opens it anew.
	 */
	int code = st->db ? sqlite3_extended_errcode(st->db) & 0xff : 0;
	if (rc < 0 && st->readonly && (code == SQLITE_CANTOPEN || code == SQLITE_READONLY)) {
		sqlite3_close(st->db);
		st->db = NULL;
		diag_clear(err);
		diag_set_file(err, path);
		st->immutable = true;
		rc = open_connection(st, path, oflags | SQLITE_OPEN_URI, true, flags & STORE_MMAP, err);
	}
	if (rc < 0)
		goto fail;
	if ((flags & STORE_VERIFY) && exists && store_verify(st, err) != 0)
		goto fail;
	if (!st->readonly &&
	    exec_sql(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err) < 0)
		goto fail;

	load_settings(st);
	if (store_register_rank(st->db) < 0) {
		diag_set(err, 0, "SQLite has no FTS5 here: search cannot work");
		goto fail;
	}
	/* Snowball's porter: the algorithm of the FTS5 tokenizer, for snippets. */
	st->stemmer = sb_stemmer_new("porter", "UTF_8");
	if (created)
		*created = !exists;
	*out = st;
	return 0;

fail:
	store_close(st);
	if (!exists && (flags & STORE_CREATE))
		store_remove(path); /* do not leave an empty file behind */
	return -1;
}

bool store_is_immutable(const struct store *st)
{
	return st->immutable;
}

void store_remove(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(suffixes); i++) {
		struct buf name = BUF_INIT;
		buf_printf(&name, "%s%s", path, suffixes[i]);
		remove(name.data);
		buf_free(&name);
	}
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(st->stmts[i]);
	for (size_t i = 0; i < LIST_VARIANTS; i++)
		sqlite3_finalize(st->lists[i]);
	for (size_t i = 0; i < GZ_ARRAY_LEN(st->counts); i++)
		sqlite3_finalize(st->counts[i]);
	sqlite3_close(st->db);
	if (st->stemmer)
		sb_stemmer_delete(st->stemmer);
	json_decref(st->df);
	free(st);
}

long long store_data_version(struct store *st)
{
	/*
	 * The pragma, not SQLITE_FCNTL_DATA_VERSION: the file control reports
	 * the pager's number as of its last read transaction, which is stale
	 * until some statement runs; the pragma starts one and so sees commits.
	 */
	sqlite3_stmt *s = store_stmt(st, STMT_DATA_VERSION);
	if (s == NULL)
		return -1;
	long long v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	store_done(s);
	return v;
}

bool store_read_begin(struct store *st)
{
	/* Inside a write's transaction, the write's own snapshot is the one. */
	return sqlite3_get_autocommit(st->db) && store_run(st, STMT_READ_BEGIN) == 0;
}

void store_read_end(struct store *st, bool begun)
{
	if (begun && store_commit(st) < 0)
		store_rollback(st);
}

int store_each_article(struct store *st, int64_t now, unsigned offset, unsigned limit,
                       void (*fn)(void *ctx, const char *slug, const char *lastmod), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, STMT_EACH_ARTICLE);
	if (s == NULL)
		return -1;
	bind_int_named(s, ":now", now);
	bind_int_named(s, ":limit", limit);
	bind_int_named(s, ":offset", offset);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char when[32];
		date_format_rfc3339(sqlite3_column_int64(s, 1), when);
		fn(ctx, (const char *)sqlite3_column_text(s, 0), when);
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

long long store_count_published(struct store *st, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, STMT_COUNT_PUBLISHED);
	if (s == NULL)
		return -1;
	bind_int_named(s, ":now", now);
	long long n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	store_done(s);
	return n;
}

int store_ping(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, STMT_PING);
	if (s == NULL)
		return -1;
	int rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- building JSON from rows ------------------------------------------ */

json_t *column_string(sqlite3_stmt *s, int col)
{
	const char *v = (const char *)sqlite3_column_text(s, col);
	return json_stringn(v ? v : "", (size_t)sqlite3_column_bytes(s, col));
}

json_t *column_time(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	char when[32];
	date_format_rfc3339(sqlite3_column_int64(s, col), when);
	return json_string(when);
}

static json_t *make_url(const struct store_urls *urls, const char *dir, const char *slug)
{
	struct buf b = BUF_INIT;
	escape_site_link(&b, urls->base, dir, slug);
	json_t *v = json_stringn(b.data, b.len);
	buf_free(&b);
	return v;
}

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
	unsigned words = (unsigned)sqlite3_column_int(s, COL_WORDS);
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
	json_object_set_new(a, "url", make_url(urls, "/articles/", slug ? slug : ""));
	json_object_set_new(a, "author", json_null());
	json_object_set_new(a, "authors", json_array());
	json_object_set_new(a, "published_at", published);
	json_object_set_new(a, "updated_at", updated);
	json_object_set_new(a, "reading_time_minutes",
	                    json_integer(article_reading_minutes(words, st->words_per_minute)));
	json_object_set_new(a, "word_count", json_integer(words));
	json_object_set_new(a, "tags", json_array());
	bool scheduled = sqlite3_column_type(s, COL_PUBLISHED) != SQLITE_NULL &&
	                 sqlite3_column_int64(s, COL_PUBLISHED) > now;
	json_object_set_new(a, "status", json_string(sqlite3_column_int(s, COL_DRAFT) ? "draft"
	                                             : scheduled                       ? "scheduled"
	                                                                               : "published"));
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

/*
 * Fills the key ("tags" or "authors") of every listed article from one
 * query over all their ids (stmt: TAGS_OF or AUTHORS_OF, rows ordered by
 * article).  Returns 0 or -1.
 */
static int attach_named(struct store *st, enum stmt id, const char *key, struct listed *items,
                        size_t n)
{
	if (n == 0)
		return 0;
	sqlite3_stmt *s = store_stmt(st, id);
	if (s == NULL)
		return -1;
	struct buf ids = BUF_INIT;
	buf_putc(&ids, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(&ids, "%s%lld", i ? "," : "", (long long)items[i].id);
	buf_putc(&ids, ']');
	sqlite3_bind_text(s, 1, ids.data, (int)ids.len, SQLITE_STATIC);

	int rc;
	size_t at = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 article = sqlite3_column_int64(s, 0);
		/* Rows come by article id; the list is in its own order, so look it up. */
		if (items[at].id != article)
			for (at = 0; at < n && items[at].id != article; at++)
				;
		if (at == n) {
			at = 0;
			continue;
		}
		json_array_append_new(json_object_get(items[at].article, key),
		                      json_pack("{s:o, s:o}", "slug", column_string(s, 1), "name",
		                                column_string(s, 2)));
	}
	store_done(s);
	buf_free(&ids);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The body_html of listed articles (feeds carry whole articles). */
static int attach_bodies(struct store *st, struct listed *items, size_t n)
{
	sqlite3_stmt *s = store_stmt(st, STMT_BODY_BY_ID);
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

/* The tags and the byline ("author" is the first of "authors") of listed articles. */
static int attach_people_and_tags(struct store *st, struct listed *items, size_t n)
{
	if (attach_named(st, STMT_TAGS_OF, "tags", items, n) < 0 ||
	    attach_named(st, STMT_AUTHORS_OF, "authors", items, n) < 0)
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
		if (sqlite3_prepare_v3(st->db, sql.data, (int)sql.len, SQLITE_PREPARE_PERSISTENT,
		                       slot, NULL) != SQLITE_OK)
			log_msg(LOG_ERROR, "database: preparing listing: %s",
			        sqlite3_errmsg(st->db));
		buf_free(&sql);
	}
	return *slot;
}

static void bind_list(sqlite3_stmt *s, const struct article_query *q, const char *fts)
{
	bind_int_named(s, ":now", q->now);
	bind_text_named(s, ":tag", q->tag);
	bind_text_named(s, ":author", q->author);
	bind_text_named(s, ":q", fts);
	bind_int_named(s, ":limit", q->limit);
	bind_int_named(s, ":offset", (int64_t)(q->page - 1) * q->limit);
}

/* Reads the rows of a search's page by id, with their snippets, into items. */
static int read_search_page(struct store *st, const struct store_urls *urls,
                            const struct article_query *q, sqlite3_stmt *ranked,
                            struct listed *items, size_t *n, json_t *rows)
{
	sqlite3_int64 ids[ARTICLE_LIST_MAX];
	size_t nids = 0;
	int step;
	while ((step = sqlite3_step(ranked)) == SQLITE_ROW && nids < GZ_ARRAY_LEN(ids))
		ids[nids++] = sqlite3_column_int64(ranked, 0);
	store_done(ranked);
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		return -1;

	struct search_terms terms;
	search_terms_parse(q->q, strlen(q->q), st->stemmer, &terms);
	sqlite3_stmt *s = store_stmt(st, STMT_ARTICLE_ROW);
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < nids; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		if (sqlite3_step(s) == SQLITE_ROW) {
			json_t *a = article_from_row(st, urls, s, q->now, false);
			const char *text = (const char *)sqlite3_column_text(s, COL_BODY);
			size_t len = (size_t)sqlite3_column_bytes(s, COL_BODY);
			json_object_set_new(
			    a, "snippet",
			    search_snippet(text ? text : "", len, &terms, st->stemmer));
			json_array_append_new(rows, a);
			items[(*n)++] = (struct listed){ids[i], a};
		}
		sqlite3_reset(s);
	}
	store_done(s);
	return 0;
}

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
	sqlite3_stmt *s = store_stmt(st, STMT_PHRASE_COUNT);
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

int store_list_articles(struct store *st, const struct store_urls *urls,
                        const struct article_query *q, json_t **articles, unsigned *total)
{
	unsigned filters = 0;
	char *fts = NULL;
	struct listed items[ARTICLE_LIST_MAX];
	size_t n = 0;
	int rc = -1;

	*articles = json_array();
	*total = 0;
	if (q->tag)
		filters |= LIST_FILTER_TAG;
	if (q->author)
		filters |= LIST_FILTER_AUTHOR;
	if (q->q) {
		fts = search_fts_query(q->q, strlen(q->q));
		if (fts == NULL)
			return 0; /* nothing searchable in the words: no results */
		filters |= LIST_FILTER_SEARCH;
	}
	/* Ranked searches count their rows while ranking them (store_rank.c). */
	bool ranked = fts && q->order == ORDER_RELEVANCE;

	sqlite3_stmt *s = list_stmt(st, filters, q->order, q->status, false);
	if (s == NULL)
		goto out;
	if (!ranked) {
		sqlite3_stmt *c = list_stmt(st, filters, q->order, q->status, true);
		if (c == NULL)
			goto out;
		bind_list(c, q, fts);
		if (sqlite3_step(c) != SQLITE_ROW) {
			log_msg(LOG_ERROR, "database: counting articles: %s",
			        sqlite3_errmsg(st->db));
			store_done(c);
			goto out;
		}
		*total = (unsigned)sqlite3_column_int64(c, 0);
		store_done(c);
		if (*total <= (q->page - 1) * q->limit) {
			rc = 0; /* past the last page: nothing to read */
			goto out;
		}
	}

	bind_list(s, q, fts);
	unsigned counted = 0;
	double df[64];
	size_t ndf = 0;
	if (ranked) {
		if (phrase_counts(st, fts, df, GZ_ARRAY_LEN(df), &ndf) < 0)
			goto fail;
		int i = sqlite3_bind_parameter_index(s, ":df");
		sqlite3_bind_blob(s, i, df, (int)(ndf * sizeof *df), SQLITE_STATIC);
		i = sqlite3_bind_parameter_index(s, ":counter");
		sqlite3_bind_pointer(s, i, &counted, "gz_rank_counter", NULL);
	}
	if (fts) {
		if (read_search_page(st, urls, q, s, items, &n, *articles) < 0)
			goto fail;
	} else {
		int step;
		while ((step = sqlite3_step(s)) == SQLITE_ROW && n < GZ_ARRAY_LEN(items)) {
			json_t *a = article_from_row(st, urls, s, q->now, false);
			json_array_append_new(*articles, a);
			items[n++] = (struct listed){sqlite3_column_int64(s, COL_ID), a};
		}
		store_done(s);
		if (step != SQLITE_DONE && step != SQLITE_ROW)
			goto fail;
	}
	if (ranked)
		*total = counted;
	if (attach_people_and_tags(st, items, n) < 0 ||
	    (q->with_body && attach_bodies(st, items, n) < 0))
		goto fail;
	rc = 0;
out:
	free(fts);
	return rc;
fail:
	log_msg(LOG_ERROR, "database: listing articles: %s", sqlite3_errmsg(st->db));
	free(fts);
	return -1;
}

static int get_article(struct store *st, enum stmt id, const struct store_urls *urls,
                       enum article_kind kind, const char *slug, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, id);
	*out = NULL;
	if (s == NULL)
		return -1;
	bind_text_named(s, ":slug", slug);
	bind_int_named(s, ":kind", kind);
	bind_int_named(s, ":now", now);
	int rc = sqlite3_step(s);
	struct listed item = {0, NULL};
	if (rc == SQLITE_ROW) {
		item.id = sqlite3_column_int64(s, COL_ID);
		item.article = *out = article_from_row(st, urls, s, now, true);
	} else if (rc != SQLITE_DONE) {
		log_msg(LOG_ERROR, "database: reading article: %s", sqlite3_errmsg(st->db));
	}
	store_done(s);
	if (item.article && attach_people_and_tags(st, &item, 1) < 0) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_get_article(struct store *st, const struct store_urls *urls, enum article_kind kind,
                      const char *slug, int64_t now, json_t **out)
{
	return get_article(st, STMT_ARTICLE_BY_SLUG, urls, kind, slug, now, out);
}

int store_get_any_article(struct store *st, const struct store_urls *urls, enum article_kind kind,
                          const char *slug, int64_t now, json_t **out)
{
	return get_article(st, STMT_ARTICLE_ANY_STATUS, urls, kind, slug, now, out);
}

/* {"slug","name","count","url"} from a row (slug, name, count). */
static json_t *counted_from_row(const struct store_urls *urls, sqlite3_stmt *s, const char *dir)
{
	const char *slug = (const char *)sqlite3_column_text(s, 0);
	return json_pack("{s:o, s:o, s:I, s:o}", "slug", column_string(s, 0), "name",
	                 column_string(s, 1), "count", (json_int_t)sqlite3_column_int64(s, 2),
	                 "url", make_url(urls, dir, slug ? slug : ""));
}

static int counted_list(struct store *st, enum stmt id, const struct store_urls *urls,
                        const char *dir, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, id);
	*out = json_array();
	if (s == NULL)
		return -1;
	bind_int_named(s, ":now", now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, counted_from_row(urls, s, dir));
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int counted_one(struct store *st, enum stmt id, const struct store_urls *urls,
                       const char *dir, const char *slug, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, id);
	*out = NULL;
	if (s == NULL)
		return -1;
	bind_text_named(s, ":slug", slug);
	bind_int_named(s, ":now", now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = counted_from_row(urls, s, dir);
	store_done(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_list_tags(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	return counted_list(st, STMT_TAGS, urls, "/tags/", now, out);
}

int store_list_authors(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	return counted_list(st, STMT_AUTHORS, urls, "/authors/", now, out);
}

int store_get_tag(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                  json_t **out)
{
	return counted_one(st, STMT_TAG_BY_SLUG, urls, "/tags/", slug, now, out);
}

int store_get_author(struct store *st, const struct store_urls *urls, const char *slug, int64_t now,
                     json_t **out)
{
	return counted_one(st, STMT_AUTHOR_BY_SLUG, urls, "/authors/", slug, now, out);
}

int store_list_pages(struct store *st, const struct store_urls *urls, int64_t now, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, STMT_PAGES);
	*out = json_array();
	if (s == NULL)
		return -1;
	bind_int_named(s, ":now", now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *slug = (const char *)sqlite3_column_text(s, 0);
		json_array_append_new(*out,
		                      json_pack("{s:o, s:o, s:o}", "slug", column_string(s, 0),
		                                "title", column_string(s, 1), "url",
		                                make_url(urls, "/", slug ? slug : "")));
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_get_settings(struct store *st, json_t **out)
{
	sqlite3_stmt *s = store_stmt(st, STMT_SETTINGS);
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

int store_content_times(struct store *st, int64_t now, int64_t *last_change, int64_t *next_due)
{
	sqlite3_stmt *s = store_stmt(st, STMT_CONTENT_LAST);
	sqlite3_stmt *n = store_stmt(st, STMT_CONTENT_NEXT);
	*last_change = 0;
	*next_due = 0;
	if (s == NULL || n == NULL)
		return -1;
	bind_int_named(s, ":now", now);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*last_change = sqlite3_column_int64(s, 0);
	store_done(s);
	bind_int_named(n, ":now", now);
	int rc2 = sqlite3_step(n);
	if (rc2 == SQLITE_ROW)
		*next_due = sqlite3_column_int64(n, 0);
	store_done(n);
	return rc == SQLITE_ROW && rc2 == SQLITE_ROW ? 0 : -1;
}
