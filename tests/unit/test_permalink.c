/* Unit tests for permalink.c: Jekyll's permalink styles and placeholders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/util.h"
#include "gazette/content/permalink.h"

struct case_ {
	const char *pattern;
	const char *date;       /* as written */
	const char *categories; /* JSON array, or NULL */
	const char *want;       /* NULL: an unknown placeholder */
};

static void test_patterns(void **state)
{
	static const struct case_ cases[] = {
	    /* The Rust blog's: its file 2015-05-15-Rust-1.0.md. */
	    {"/:year/:month/:day/:title.html", "2015-05-15", NULL, "/2015/05/15/Rust-1.0.html"},
	    /* Jekyll's default, with and without categories. */
	    {"date", "2015-05-15 10:00:00 -0700", NULL, "/2015/05/15/Rust-1.0.html"},
	    {"date", "2015-05-15", "[\"Release\", \"Core Team\"]",
	     "/release/core team/2015/05/15/Rust-1.0.html"},
	    {"pretty", "2015-05-15", "[\"release\"]", "/release/2015/05/15/Rust-1.0/"},
	    {"none", "2015-05-15", NULL, "/Rust-1.0.html"},
	    {"ordinal", "2016-03-01", NULL, "/2016/061/Rust-1.0.html"},
	    {"ordinal", "2015-03-01", NULL, "/2015/060/Rust-1.0.html"},
	    {"weekdate", "2015-05-15", NULL, "/2015/W20/Fri/Rust-1.0.html"},
	    {"weekdate", "2021-01-01", NULL, "/2021/W53/Fri/Rust-1.0.html"},
	    {"weekdate", "2024-12-30", NULL, "/2024/W01/Mon/Rust-1.0.html"},
	    {"/:categories/:title/", "2015-05-15", "[]", "/Rust-1.0/"},
	    {"/blog/:i_month/:i_day/:short_year/:slug", "2009-03-07 09:05:04", NULL,
	     "/blog/3/7/09/rust-1-0"},
	    {"/:year/:long_month/:short_month/:hour:minute:second/:title", "2009-03-07 09:05:04",
	     NULL, "/2009/March/Mar/090504/Rust-1.0"},
	    {"news/:long_day-:title", "2015-05-15", NULL, "/news/Friday-Rust-1.0"},
	    {"/:year/:nope/:title", "2015-05-15", NULL, NULL},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct permalink_post p = {.title = "Rust-1.0", .slug = "rust-1-0"};
		json_t *categories =
		    cases[i].categories ? json_loads(cases[i].categories, 0, NULL) : NULL;
		p.categories = categories;
		assert_int_equal(permalink_date(cases[i].date, &p), 0);
		struct buf out = BUF_INIT;
		const char *bad;
		int rc = permalink_expand(cases[i].pattern, &p, &out, &bad);
		if (cases[i].want == NULL) {
			assert_int_equal(rc, -1);
			assert_string_equal(bad, ":nope/:title");
			assert_int_equal(out.len, 0);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(out.data, cases[i].want);
		}
		buf_free(&out);
		json_decref(categories);
	}
}

static void test_dates(void **state)
{
	struct permalink_post p = {0};
	assert_int_equal(permalink_date("2016-06-03 13:21:02 -0700", &p), 0);
	assert_int_equal(p.year, 2016);
	assert_int_equal(p.month, 6);
	assert_int_equal(p.day, 3);
	assert_int_equal(p.hour, 13); /* as written: no zone applied */
	assert_int_equal(p.minute, 21);
	assert_int_equal(p.second, 2);
	assert_int_equal(permalink_date("2016-06-03T23:59Z", &p), 0);
	assert_int_equal(p.hour, 23);
	assert_int_equal(p.second, 0);
	assert_int_equal(permalink_date("2016-06-03", &p), 0);
	assert_int_equal(p.hour, 0);
	assert_int_equal(permalink_date("yesterday", &p), -1);
	assert_int_equal(permalink_date("2016-13-01", &p), -1);
	assert_int_equal(permalink_date(NULL, &p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_patterns),
	    cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
