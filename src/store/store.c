/*
 * store.c: opening the database, running statements and transactions.
 * Every other file of the store holds the SQL of the queries it runs
 * (store_articles.c, store_site.c, store_write.c, store_document.c,
 * store_tokens.c); the schema is in store_schema.c.
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
#include "gazette/store/fts_cjk.h"
#include "gazette/base/util.h"


sqlite3_stmt *store_stmt(struct store *st, const struct query *q)
{
	/* The caller says what failed, with store_errmsg(): the store does not log. */
	if (st->stmts[q->id] == NULL &&
	    sqlite3_prepare_v3(st->db, q->sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmts[q->id],
	                       NULL) != SQLITE_OK)
		return NULL;
	return st->stmts[q->id];
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
void store_bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);
	if (i > 0)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

void store_bind_int(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);
	if (i > 0)
		sqlite3_bind_int64(s, i, v);
}

/* ---- running statements and transactions ------------------------------ */

int store_run(struct store *st, const struct query *q)
{
	sqlite3_stmt *s = store_stmt(st, q);
	if (s == NULL)
		return -1;
	int rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	return 0;
}

int store_run_on(struct store *st, const struct query *q, const char *text)
{
	sqlite3_stmt *s = store_stmt(st, q);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

static const struct query q_begin = {STMT_BEGIN, "BEGIN IMMEDIATE"};

int store_begin(struct store *st)
{
	return store_run(st, &q_begin);
}

static const struct query q_commit = {STMT_COMMIT, "COMMIT"};

int store_commit(struct store *st)
{
	if (store_index_added(st) < 0)
		return -1;
	return store_run(st, &q_commit);
}

static const struct query q_rollback = {STMT_ROLLBACK, "ROLLBACK"};

void store_rollback(struct store *st)
{
	st->unindexed_from = 0; /* the rollback brings the trigger back */
	if (!sqlite3_get_autocommit(st->db))
		store_run(st, &q_rollback);
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

	/*
	 * A migration that makes a table again (7) drops the old one, which
	 * with foreign keys on would delete the rows that refer to it.  The
	 * pragma is a no-op inside a transaction, so it is set around it, and
	 * the references are checked before the commit instead: no more rows
	 * may refer to nothing than before (another program, with SQLite's
	 * foreign keys off by default, may have left some; not ours to mend).
	 */
	static const char check_refs[] = "SELECT count(*) FROM pragma_foreign_key_check";
	long long broken_before, broken_after;
	if (exec_sql(st, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE", err) < 0)
		goto restore;
	if (pragma_int(st, check_refs, &broken_before, err) < 0)
		goto fail;
	for (long long v = version; v < store_schema_version; v++)
		if (exec_sql(st, store_migrations[v], err) < 0)
			goto fail;
	if (pragma_int(st, check_refs, &broken_after, err) < 0)
		goto fail;
	if (broken_after > broken_before) {
		diag_set(err, 0,
		         "cannot migrate the database: %lld more rows would refer to nothing",
		         broken_after - broken_before);
		goto fail;
	}
	char pragmas[128];
	snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
	         store_application_id, store_schema_version);
	if (exec_sql(st, pragmas, err) < 0 || exec_sql(st, "COMMIT", err) < 0)
		goto fail;
	return exec_sql(st, "PRAGMA foreign_keys = ON;", err);
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
restore:
	sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
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
	/* The index's tokenizer (fts_cjk.c), before anything touches articles_fts. */
	if (fts_cjk_register(st->db) < 0) {
		diag_set(err, 0, "SQLite has no FTS5 here: search cannot work");
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
	 *
	 * 256 MiB, not the whole file, though pages beyond the mapping come
	 * through pread(), a copy each: SQLite maps the file once for every
	 * connection, and a page read through two mappings counts twice.
	 * Mapping as much as Debian's SQLite maps at all (2 GiB less 64 KiB,
	 * its SQLITE_MAX_MMAP_SIZE) took the CPU of a random article page of
	 * 100,000 from 206-224 to 188-192 us, but the two workers' RssFile
	 * from 537 MiB to 4.2 GB, for pages the kernel keeps once.
	 */
	if (mmap && exec_sql(st, "PRAGMA mmap_size = 268435456;", err) < 0)
		return -1;
	/*
	 * A page inside the mapping is read in place and never enters the page
	 * cache; only pages beyond 256 MiB do, and the kernel keeps those too.
	 * So a mapped reader keeps 256 KB of them, not SQLite's 2 MB: at
	 * 100,000 articles that left each worker 2 MB more private memory
	 * (RssAnon 19 -> 14.5 MB after article-random, 55 -> 49 MB after
	 * search-many, with the same CPU per request within the noise).
	 */
	if (mmap && exec_sql(st, "PRAGMA cache_size = -256;", err) < 0)
		return -1;
	return check_schema(st, err);
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
	path_folder(path, dir, sizeof dir);
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
		rc = open_connection(st, path, oflags | SQLITE_OPEN_URI, true, flags & STORE_MMAP,
		                     err);
	}
	if (rc < 0)
		goto fail;
	if ((flags & STORE_VERIFY) && exists && store_verify(st, err) != 0)
		goto fail;
	if (!st->readonly &&
	    exec_sql(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err) < 0)
		goto fail;

	if (store_register_rank(st->db) < 0 || store_register_postings(st->db) < 0) {
		diag_set(err, 0, "SQLite has no FTS5 here: search cannot work");
		goto fail;
	}
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

static const struct query q_journal_delete = {STMT_JOURNAL_DELETE, "PRAGMA journal_mode = DELETE"};

int store_journal_alone(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, &q_journal_delete);
	if (s == NULL)
		return -1;
	/* SQLite leaves WAL only when no other connection has the file: it says which mode it is in. */
	int rc = sqlite3_step(s);
	const char *mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	st->alone = mode && strcmp(mode, "delete") == 0;
	store_done(s);
	if (rc == SQLITE_BUSY || (rc == SQLITE_ROW && !st->alone))
		return 0;
	return rc == SQLITE_ROW ? 1 : -1;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	/* Served again from here on: back to the log (store_open() would set it anyway). */
	if (st->alone)
		sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	for (size_t i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(st->stmts[i]);
	for (size_t i = 0; i < GZ_ARRAY_LEN(st->lists); i++)
		sqlite3_finalize(st->lists[i]);
	for (size_t i = 0; i < GZ_ARRAY_LEN(st->counts); i++)
		sqlite3_finalize(st->counts[i]);
	sqlite3_close(st->db);
	json_decref(st->df);
	store_search_free(st->search);
	taxonomy_free(st->taxonomy);
	timeline_free(st->timeline);
	free(st);
}

static const struct query q_data_version = {STMT_DATA_VERSION, "PRAGMA data_version"};

long long store_data_version(struct store *st)
{
	/*
	 * The pragma, not SQLITE_FCNTL_DATA_VERSION: the file control reports
	 * the pager's number as of its last read transaction, which is stale
	 * until some statement runs; the pragma starts one and so sees commits.
	 */
	if (st->reading && st->read_version >= 0)
		return st->read_version;
	sqlite3_stmt *s = store_stmt(st, &q_data_version);
	if (s == NULL)
		return -1;
	long long v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	store_done(s);
	/*
	 * A read transaction sees one snapshot: the pager takes a new version
	 * only when one begins, so within it the first answer holds.  An
	 * article page asked three times (the worker, its tags, its related
	 * articles), each a statement.
	 */
	if (st->reading)
		st->read_version = v;
	return v;
}

static const struct query q_read_begin = {STMT_READ_BEGIN, "BEGIN"};

bool store_read_begin(struct store *st)
{
	/* Inside a write's transaction, the write's own snapshot is the one. */
	st->reading = sqlite3_get_autocommit(st->db) && store_run(st, &q_read_begin) == 0;
	st->read_version = -1;
	return st->reading;
}

void store_read_end(struct store *st, bool begun)
{
	st->reading = false;
	if (begun && store_commit(st) < 0)
		store_rollback(st);
}

static const struct query q_ping = {STMT_PING, "SELECT count(*) FROM settings"};

int store_ping(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, &q_ping);
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
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	if (v == NULL)
		return json_string("");
	/*
	 * jansson checks a string's UTF-8 a byte at a time through a call per
	 * byte: for an article's HTML that was 9% of a page served from the
	 * database (perf, random articles of 100,000).  utf8_valid() takes
	 * ASCII eight bytes at a time and accepts less than jansson does (no
	 * NUL), so what it passes jansson would too; the rest jansson judges.
	 */
	return utf8_valid(v, n) ? json_stringn_nocheck(v, n) : json_stringn(v, n);
}

json_t *column_time(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	char when[32];
	date_format_rfc3339(sqlite3_column_int64(s, col), when);
	return json_string(when);
}

json_t *store_link(const struct store_urls *urls, const char *dir, const char *slug)
{
	struct buf b = BUF_INIT;
	escape_site_link(&b, urls->base, dir, slug);
	json_t *v = json_stringn(b.data, b.len);
	buf_free(&b);
	return v;
}
