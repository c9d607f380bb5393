/* Unit tests for search.c: nothing a reader types is an FTS5 syntax error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "gazette/search.h"
#include "gazette/util.h"

static void test_queries(void **state)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: nothing to search */
	} cases[] = {
	    {"glacier", "\"glacier\""},
	    {"  two   words ", "\"two\" \"words\""},
	    {"AND OR (", "\"AND\" \"OR\""},
	    {"NEAR(a b)", "\"NEAR(a\" \"b)\""},
	    {"\"exact phrase\" more", "\"exact phrase\" \"more\""},
	    {"\"unbalanced", "\"unbalanced\""},
	    {"say \"hi", "\"say\" \"hi\""},
	    {"ab\"cd", "\"ab\"\"cd\""},
	    {"glac*", "\"glac\"*"},
	    {"cats -dogs", "\"cats\" NOT \"dogs\""},
	    {"-dogs", NULL},
	    {"- dogs", "\"dogs\""},
	    {"", NULL},
	    {"   ", NULL},
	    {"(((", NULL},
	    {"* : ^ -", NULL},
	    {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
	    {"bad\xff", NULL},
	    {"col:umn", "\"col:umn\""},
	    {"^start", "\"^start\""},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char *q = search_fts_query(cases[i].in, strlen(cases[i].in));
		if (cases[i].want == NULL) {
			assert_null(q);
		} else {
			assert_non_null(q);
			assert_string_equal(q, cases[i].want);
		}
		free(q);
	}
}

static void test_term_limit(void **state)
{
	char in[400] = "";
	for (int i = 0; i < 40; i++)
		strcat(in, "w ");
	char *q = search_fts_query(in, strlen(in));
	assert_non_null(q);
	size_t quotes = 0;
	for (char *p = q; *p; p++)
		quotes += *p == '"';
	assert_int_equal(quotes, 2 * SEARCH_MAX_TERMS);
	free(q);
}

/* Every hostile query, run against a real FTS5 table, must not be a syntax error. */
static void test_fts5_accepts_all(void **state)
{
	static const char *const hostile[] = {
	    "AND OR (",
	    "NEAR(",
	    "\"",
	    "\"\"",
	    "a\"b\"c",
	    "col:umn",
	    "x*y*",
	    "-",
	    "--x",
	    "*",
	    "^",
	    "a OR",
	    "NOT",
	    "title:x",
	    "{a b}",
	    "a + b",
	    "a AND NOT b",
	    "\xe2\x80\x9cquoted\xe2\x80\x9d",
	    "\xf0\x9f\x98\x80 smile",
	};
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'porter "
	                              "unicode61 remove_diacritics 2');"
	                              "INSERT INTO t VALUES ('a glacier and a river');",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	for (size_t i = 0; i < GZ_ARRAY_LEN(hostile); i++) {
		char *q = search_fts_query(hostile[i], strlen(hostile[i]));
		if (q == NULL)
			continue;
		sqlite3_stmt *s;
		assert_int_equal(
		    sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &s, NULL),
		    SQLITE_OK);
		sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			fail_msg("query '%s' from '%s': %s", q, hostile[i], sqlite3_errmsg(db));
		sqlite3_finalize(s);
		free(q);
	}
	sqlite3_close(db);
}

static void test_snippet_segments(void **state)
{
	json_t *s = search_snippet_segments("the \x01"
	                                    "glacier\x02 melts \x01"
	                                    "fast\x02");
	char *text = json_dumps(s, JSON_COMPACT);
	assert_string_equal(text, "[{\"text\":\"the \",\"match\":false},"
	                          "{\"text\":\"glacier\",\"match\":true},"
	                          "{\"text\":\" melts \",\"match\":false},"
	                          "{\"text\":\"fast\",\"match\":true}]");
	free(text);
	json_decref(s);

	s = search_snippet_segments(NULL);
	assert_int_equal(json_array_size(s), 0);
	json_decref(s);

	s = search_snippet_segments("no match at all");
	assert_int_equal(json_array_size(s), 1);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_queries),
	    cmocka_unit_test(test_term_limit),
	    cmocka_unit_test(test_fts5_accepts_all),
	    cmocka_unit_test(test_snippet_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
