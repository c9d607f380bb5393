/* Unit tests for search.c: nothing a reader types is an FTS5 syntax error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>


#include "gazette/base/buf.h"
#include "gazette/content/search.h"
#include "gazette/base/util.h"

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

/* The snippet as one string: matches in [brackets]. */
static char *render(json_t *segments)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *seg;
	json_array_foreach(segments, i, seg)
	{
		bool match = json_is_true(json_object_get(seg, "match"));
		buf_printf(&b, match ? "[%s]" : "%s",
		           json_string_value(json_object_get(seg, "text")));
	}
	return buf_detach(&b, NULL);
}

/* The words a snippet marks, as FTS5 phrases. */
static void test_snippet_words(void **state)
{
	static const struct {
		const char *q;
		const char *want; /* the phrases, joined by '|' */
	} cases[] = {
	    {"glacier", "\"glacier\""},
	    {"melting Glacier", "\"melting\"|\"Glacier\""},
	    {"\"front matter\" -draft", "\"front\"|\"matter\""},
	    {"theme* gem", "\"theme\"*|\"gem\""},
	    /* A '*' after a closing quote is a word of its own, with nothing to search. */
	    {"\"theme gem\"*", "\"theme\"|\"gem\""},
	    {"\"theme gem*\"", "\"theme\"|\"gem\"*"},
	    {"3.0", "\"3\"|\"0\""},
	    {"-only", ""},
	    {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
	    {"AND ( ^", "\"AND\""},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct search_words *w = malloc(sizeof *w);
		search_words_parse(cases[i].q, strlen(cases[i].q), w);
		struct buf b = BUF_INIT;
		buf_puts(&b, "");
		for (size_t k = 0; k < w->n; k++) {
			if (k)
				buf_putc(&b, '|');
			assert_int_equal(strlen(w->text[k]), w->len[k]);
			buf_puts(&b, w->text[k]);
		}
		if (strcmp(b.data, cases[i].want) != 0)
			fail_msg("'%s': got '%s'", cases[i].q, b.data);
		buf_free(&b);
		free(w);
	}
}

/* The window of known matches, and the snippet made from its tokens. */
static void test_snippet_window(void **state)
{
	/* "w0 w1 ... w59": tokens of two letters or three, one space apart. */
	char text[512] = "";
	uint32_t starts[60], ends[60];
	size_t len = 0;
	for (int t = 0; t < 60; t++) {
		starts[t] = (uint32_t)len;
		len += (size_t)snprintf(text + len, sizeof text - len, "w%d", t);
		ends[t] = (uint32_t)len;
		text[len++] = ' ';
	}
	text[--len] = '\0';
	static const struct {
		struct snippet_match m[6];
		size_t n, nterms;
		size_t first;   /* the window's first token */
		size_t kept;    /* matches left */
		const char *want;
	} cases[] = {
	    /* No match: the first words. */
	    {{{0}}, 0, 1, 0, 0, "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 "
	     "w19 w20 w21 w22 w23…"},
	    /* Two words close together win over one alone earlier; three before each. */
	    {{{5, 1, 0}, {30, 1, 0}, {32, 1, 1}}, 3, 2, 27, 3,
	     "…w27 w28 w29 [w30] w31 [w32] w33 w34 w35 w36 w37 w38 w39 w40 w41 w42 w43 w44 w45 w46 "
	     "w47 w48 w49 w50…"},
	    /* Reading stops a window past the first that has every word. */
	    {{{2, 1, 0}, {3, 1, 1}, {27, 1, 0}, {40, 1, 1}}, 4, 2, 0, 3,
	     "w0 w1 [w2] [w3] w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20 w21 "
	     "w22 w23…"},
	    /* A phrase of two tokens is marked whole; the end of the text has no "…". */
	    {{{50, 2, 0}}, 1, 1, 47, 1,
	     "…w47 w48 w49 [w50 w51] w52 w53 w54 w55 w56 w57 w58 w59"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t n = cases[i].n;
		size_t first = search_snippet_window(cases[i].m, &n, cases[i].nterms);
		assert_int_equal(first, cases[i].first);
		assert_int_equal(n, cases[i].kept);
		size_t count = first + SNIPPET_WORDS <= 60 ? SNIPPET_WORDS : 60 - first;
		size_t next = first + count < 60 ? starts[first + count] : len;
		json_t *s = search_snippet_build(text, len, starts + first, ends + first, first, count,
		                                 next, cases[i].m, n);
		char *got = render(s);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got '%s'", i, got);
		free(got);
		json_decref(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_queries),          cmocka_unit_test(test_term_limit),
	    cmocka_unit_test(test_fts5_accepts_all), cmocka_unit_test(test_snippet_segments),
	    cmocka_unit_test(test_snippet_words),
	    cmocka_unit_test(test_snippet_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
