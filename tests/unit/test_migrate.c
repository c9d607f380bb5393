/*
 * Unit tests for migrating a database made by an older gazette: a file at
 * schema version 6, made by the migrations as they were released and
 * filled the way that version wrote, is opened by this store.
 */
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

#include "gazette/store/fts_cjk.h"
#include "store_internal.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static char db_path[64];

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
}

static long long number(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	long long v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static char *text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	char *v = NULL;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

static void assert_text(sqlite3 *db, const char *sql, const char *want)
{
	char *got = text(db, sql);
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got ? got : "(none)", want);
	free(got);
}

/*
 * A version 6 database with two articles (one with tags, authors and an
 * old address, in Japanese with a language of its own), as that version's
 * import left it: foreign keys on, as every connection of gazette has them.
 */
static void make_version_6(void)
{
	sqlite3 *db;
	unlink(db_path);
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(fts_cjk_register(db), 0);
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; BEGIN");
	for (int v = 0; v < 6; v++)
		exec(db, store_migrations[v]);
	char pragmas[96];
	snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = 6;",
	         store_application_id);
	exec(db, pragmas);
	exec(
	    db,
	    "INSERT INTO articles (id, slug, kind, draft, published_at, updated_at, weight, "
	    "word_count, title, summary, excerpt, source, source_hash, modified_at, extra, "
	    "body_html, body_text, body_md, url, format, lang, path, cjk_chars) VALUES "
	    "(7, 'tokyo', 0, 0, 1700000000, 1700003600, 0, 3, '東京の天気', 'Rain', '', "
	    "'/site/tokyo.md', 'h1', 1700003600, '{\"mood\":\"wet\"}', '<p>明日は雨</p>', "
	    "'明日は雨', '明日は雨', '/2023/11/tokyo.html', 'markdown', 'ja', 'posts/tokyo.md', 4),"
	    "(9, 'later', 0, 1, NULL, NULL, 2, 1, 'Later', '', 'A draft.', '', 'h2', 1700000000, "
	    "'{}', '<p>A draft.</p>', 'A draft.', 'A draft.', '', 'html', '', '', 0);"
	    "INSERT INTO tags (id, slug, name) VALUES (1, 'weather', 'Weather'), (2, 'asia', "
	    "'Asia');"
	    "INSERT INTO article_tags (article_id, tag_id, position) VALUES (7, 2, 0), (7, 1, 1);"
	    "INSERT INTO authors (id, slug, name) VALUES (3, 'kumi', 'Kumi');"
	    "INSERT INTO article_authors (article_id, author_id, position, spelling) "
	    "VALUES (7, 3, 0, 'Kumi');"
	    "INSERT INTO redirects (path, article_id, origin) "
	    "VALUES ('/2023/11/tokyo.html', 7, 'url');"
	    "COMMIT");
	assert_int_equal(number(db, "SELECT count(*) FROM archive_months"), 1);
	sqlite3_close(db);
}

static struct store *open_store(void)
{
	struct store *st;
	struct diag err;
	diag_clear(&err);
	if (store_open(db_path, 0, &st, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return st;
}

static sqlite3 *open_plain(void)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(fts_cjk_register(db), 0);
	exec(db, "PRAGMA foreign_keys = ON");
	return db;
}

static int setup(void **state)
{
	(void)state;
	snprintf(db_path, sizeof db_path, "/tmp/gazette-test-migrate-%d.db", (int)getpid());
	make_version_6();
	store_close(open_store());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_remove(db_path);
	return 0;
}

/* The bodies come last, so that no other column is read through their overflow pages. */
static void test_bodies_are_the_last_columns(void **state)
{
	(void)state;
	sqlite3 *db = open_plain();
	assert_int_equal(number(db, "PRAGMA user_version"), store_schema_version);
	assert_int_equal(store_schema_version, 7);
	assert_text(
	    db,
	    "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('articles') "
	    "ORDER BY cid DESC LIMIT 3)",
	    "body_md,body_text,body_html");
	long long bodies = number(db, "SELECT min(cid) FROM pragma_table_info('articles') "
	                              "WHERE name LIKE 'body_%'");
	assert_int_equal(number(db, "SELECT max(cid) FROM pragma_table_info('articles') "
	                            "WHERE name NOT LIKE 'body_%'"),
	                 bodies - 1);
	assert_int_equal(
	    number(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'articles_new'"), 0);
	sqlite3_close(db);
}

/* Every value of every row, and the rows that refer to them, are there as before. */
static void test_rows_are_kept(void **state)
{
	(void)state;
	sqlite3 *db = open_plain();
	assert_text(db,
	            "SELECT json_array(id, slug, kind, draft, published_at, updated_at, weight, "
	            "word_count, title, summary, excerpt, source, source_hash, modified_at, extra, "
	            "body_html, body_text, body_md, url, format, lang, path, cjk_chars) "
	            "FROM articles WHERE id = 7",
	            "[7,\"tokyo\",0,0,1700000000,1700003600,0,3,\"東京の天気\",\"Rain\",\"\","
	            "\"/site/tokyo.md\",\"h1\",1700003600,\"{\\\"mood\\\":\\\"wet\\\"}\","
	            "\"<p>明日は雨</p>\",\"明日は雨\",\"明日は雨\",\"/2023/11/tokyo.html\","
	            "\"markdown\",\"ja\",\"posts/tokyo.md\",4]");
	assert_text(db,
	            "SELECT json_array(draft, weight, excerpt, format) FROM articles WHERE id = 9",
	            "[1,2,\"A draft.\",\"html\"]");
	/* Dropping the old table deleted nothing through ON DELETE CASCADE. */
	assert_int_equal(number(db, "SELECT count(*) FROM article_tags WHERE article_id = 7"), 2);
	assert_int_equal(number(db, "SELECT count(*) FROM article_authors WHERE article_id = 7"),
	                 1);
	assert_int_equal(number(db, "SELECT count(*) FROM redirects WHERE article_id = 7"), 1);
	assert_int_equal(number(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	/* The references still cascade, to the new table. */
	exec(db, "BEGIN; DELETE FROM articles WHERE id = 7");
	assert_int_equal(number(db, "SELECT count(*) FROM redirects"), 0);
	assert_int_equal(number(db, "SELECT count(*) FROM article_tags"), 0);
	exec(db, "ROLLBACK");
	sqlite3_close(db);
}

/* The index still finds the articles, and the triggers made again keep it and the archive. */
static void test_index_and_triggers_follow(void **state)
{
	(void)state;
	sqlite3 *db = open_plain();
	assert_int_equal(number(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH "
	                            "'\"天気\"'"),
	                 1);
	exec(db, "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)");
	exec(db, "BEGIN;"
	         "UPDATE articles SET body_text = 'Sunny tomorrow' WHERE id = 7;"
	         "UPDATE articles SET draft = 0, published_at = 1600000000 WHERE id = 9;");
	assert_int_equal(number(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH "
	                            "'sunny'"),
	                 1);
	assert_int_equal(number(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH "
	                            "'\"明日\"'"),
	                 0);
	assert_int_equal(number(db, "SELECT count(*) FROM archive_months"), 2);
	exec(db, "DELETE FROM articles WHERE id = 9");
	assert_int_equal(number(db, "SELECT count(*) FROM archive_months"), 1);
	exec(db, "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1);"
	         "ROLLBACK");
	/* The listing's index is there again. */
	assert_text(db, "SELECT sql FROM sqlite_schema WHERE name = 'articles_listing'",
	            "CREATE INDEX articles_listing ON articles (kind, draft, published_at DESC, id "
	            "DESC)");
	sqlite3_close(db);
}

/* Opened again, a migrated file is left as it is. */
static void test_migrates_once(void **state)
{
	(void)state;
	sqlite3 *db = open_plain();
	long long before = number(db, "SELECT count(*) FROM sqlite_schema");
	sqlite3_close(db);
	store_close(open_store());
	db = open_plain();
	assert_int_equal(number(db, "SELECT count(*) FROM sqlite_schema"), before);
	assert_int_equal(number(db, "SELECT count(*) FROM articles"), 2);
	sqlite3_close(db);
}

/*
 * A file another program changed with SQLite's foreign keys off (its
 * default) may hold rows that refer to nothing: the migration leaves them
 * as they are, and neither refuses the file nor adds to them.
 */
static void test_migrates_a_file_with_dangling_rows(void **state)
{
	(void)state;
	char saved[sizeof db_path];
	memcpy(saved, db_path, sizeof saved);
	snprintf(db_path, sizeof db_path, "/tmp/gazette-test-dangling-%d.db", (int)getpid());
	make_version_6();
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(fts_cjk_register(db), 0);
	exec(db, "PRAGMA foreign_keys = OFF; DELETE FROM articles WHERE id = 7");
	assert_int_equal(number(db, "SELECT count(*) FROM pragma_foreign_key_check"), 4);
	sqlite3_close(db);
	store_close(open_store());
	db = open_plain();
	assert_int_equal(number(db, "PRAGMA user_version"), store_schema_version);
	assert_int_equal(number(db, "SELECT count(*) FROM pragma_foreign_key_check"), 4);
	assert_int_equal(number(db, "SELECT count(*) FROM articles"), 1);
	sqlite3_close(db);
	store_remove(db_path);
	memcpy(db_path, saved, sizeof saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bodies_are_the_last_columns),
	    cmocka_unit_test(test_rows_are_kept),
	    cmocka_unit_test(test_index_and_triggers_follow),
	    cmocka_unit_test(test_migrates_once),
	    cmocka_unit_test(test_migrates_a_file_with_dangling_rows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
