/*
 * Unit tests for date.c.  The expected epoch values were computed
 * independently (Python's datetime), not with the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gazette/base/date.h"
#include "gazette/base/util.h"

struct parse_case {
	const char *in;
	long long want;
};

static void check_parse(int (*fn)(const char *, int64_t *), const struct parse_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t got = 0x5a5a;
		int rc = fn(c[i].in, &got);
		if (rc != 0 || got != c[i].want)
			print_error("case %zu: \"%s\": rc %d, got %lld\n", i, c[i].in, rc,
			            (long long)got);
		assert_int_equal(rc, 0);
		assert_int_equal(got, c[i].want);
	}
}

static void check_reject(int (*fn)(const char *, int64_t *), const char *const *bad, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t got = 0x5a5a;
		int rc = fn(bad[i], &got);
		if (rc != -1)
			print_error("accepted \"%s\" as %lld\n", bad[i], (long long)got);
		assert_int_equal(rc, -1);
		assert_int_equal(got, 0x5a5a); /* untouched on failure */
	}
}

static void test_parse(void **state)
{
	static const struct parse_case cases[] = {
	    {"2025-02-04", 1738627200LL},
	    {"2025-02-04T10:00:00Z", 1738663200LL},
	    {"2025-02-04t10:00:00z", 1738663200LL},
	    {"2025-02-04T10:00:00.123456Z", 1738663200LL},
	    {"2025-02-04T10:00:00.5", 1738663200LL},
	    {"2025-02-04T10:00:00+05:30", 1738643400LL},
	    {"2025-02-04T10:00+0530", 1738643400LL},
	    {"2025-02-04T10:00", 1738663200LL},
	    {"2025-02-04 10:00:00", 1738663200LL},
	    {"2025-02-04  10:00:00", 1738663200LL},
	    {"2018-09-19 18:00:00 +0530", 1537360200LL},
	    {"2013-07-25 09:08:38 +0200", 1374736118LL},
	    {"2013-07-25 09:08:38 +02:00", 1374736118LL},
	    {"2023-01-29 18:30:22 2023 -0800", 1675045822LL},
	    {"2023-01-29 18:30:22 2023", 1675017022LL},
	    {"2024-06-23 21:56:58 -0700", 1719205018LL},
	    {"2025-02-04 10:00 UTC", 1738663200LL},
	    {"2025-02-04 10:00UTC", 1738663200LL},
	    {"2025-02-04 10:00:00 GMT", 1738663200LL},
	    {"2025-02-04 10:00:00 Z", 1738663200LL},
	    {"2025-02-04T10:00:00+05", 1738645200LL},
	    {"2025-02-04T10:00:00-00:00", 1738663200LL},
	    {"2025-02-04T23:59:59-23:59", 1738799939LL},
	    {"  2025-02-04T10:00:00Z \n", 1738663200LL},
	    {"\t2025-02-04\r\n", 1738627200LL},
	    {"2024-02-29", 1709164800LL},
	    {"2000-02-29", 951782400LL},
	    {"1969-12-31T23:59:59Z", -1LL},
	    {"1970-01-01T05:30:00+05:30", 0LL},
	    {"1900-01-01", -2208988800LL},
	    {"1600-02-29T06:07:08Z", -11670976372LL},
	    {"0001-01-01", -62135596800LL},
	    {"9999-12-31T23:59:59Z", 253402300799LL},
	    {"1970-01-01", 0LL},
	    {"2016-12-31T23:59:60Z", 1483228800LL},
	};
	check_parse(date_parse, cases, GZ_ARRAY_LEN(cases));
}

/* Every distinct form of date in the Jekyll corpus (quotes already removed by YAML). */
static void test_parse_jekyll(void **state)
{
	static const struct parse_case cases[] = {
	    {"2013-05-06 02:12:52 +0200", 1367799172LL},
	    {"2013-07-25 09:08:38 +0200", 1374736118LL},
	    {"2016-05-19 12:48:14 -0700", 1463687294LL},
	    {"2018-09-19 18:00:00 +0530", 1537360200LL},
	    {"2023-01-29 18:30:22 2023 -0800", 1675045822LL},
	    {"2025-01-29 18:15:32 +0530", 1738154732LL},
	};
	check_parse(date_parse, cases, GZ_ARRAY_LEN(cases));
}

static void test_parse_reject(void **state)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    "yesterday",
	    "2025",
	    "2025-02",
	    "2025-13-01",
	    "2025-00-10",
	    "2025-02-00",
	    "2025-02-30",
	    "2023-02-29",
	    "1900-02-29",
	    "2025-04-31",
	    "0000-01-01",
	    "2025-2-4", /* single-digit month and day: refused, as Hugo does */
	    "2025-02-4",
	    "25-02-04",
	    "+2025-02-04",
	    "-2025-02-04",
	    "12025-02-04",
	    "2025-02-045",
	    "2025/02/04",
	    "2025-02-04x",
	    "2025-02-04T",
	    "2025-02-04T25:00",
	    "2025-02-04T24:00",
	    "2025-02-04T10:60",
	    "2025-02-04T10:00:61",
	    "2025-02-04T10",
	    "2025-02-04T1:00",
	    "2025-02-04T10:0",
	    "2025-02-04T10:00:0",
	    "2025-02-04T10:00.5",
	    "2025-02-04T10:00:00.",
	    "2025-02-04T10:00:00.x",
	    "2025-02-04T10:00:00,5",
	    "2025-02-04 10:00 +2500",
	    "2025-02-04 10:00 +2400",
	    "2025-02-04 10:00 +05:60",
	    "2025-02-04 10:00 +0560",
	    "2025-02-04 10:00 +5",
	    "2025-02-04 10:00 +053",
	    "2025-02-04 10:00 +05:3",
	    "2025-02-04 10:00 +05:",
	    "2025-02-04 10:00 +",
	    "2025-02-04 10:00 05:30",
	    "2025-02-04 10:00 ZZ",
	    "2025-02-04 10:00 Zulu",
	    "2025-02-04 10:00 utc",
	    "2025-02-04 10:00 CET",
	    "2025-02-04 10:00 +0530 extra",
	    "2025-02-04 10:00 2024",
	    "2025-02-04 10:00 2024 +0100",
	    "2025-02-04 10:00 +0100 2025",
	    "2025-02-04 10:00 20255",
	    "2025-02-04 +0530",
	    "2025-02-04Z",
	    "2025-02-04T10:00:00Z\x01",
	    "\357\273\2772025-02-04", /* a byte-order mark (octal: \x would run on) */
	};
	check_reject(date_parse, bad, GZ_ARRAY_LEN(bad));
}

struct format_case {
	long long t;
	const char *rfc3339, *human, *http;
};

static void test_format(void **state)
{
	static const struct format_case cases[] = {
	    {0LL, "1970-01-01T00:00:00Z", "1 January 1970", "Thu, 01 Jan 1970 00:00:00 GMT"},
	    {-1LL, "1969-12-31T23:59:59Z", "31 December 1969", "Wed, 31 Dec 1969 23:59:59 GMT"},
	    {1738663200LL, "2025-02-04T10:00:00Z", "4 February 2025",
	     "Tue, 04 Feb 2025 10:00:00 GMT"},
	    {-152107200LL, "1965-03-07T12:00:00Z", "7 March 1965", "Sun, 07 Mar 1965 12:00:00 GMT"},
	    {-11670976372LL, "1600-02-29T06:07:08Z", "29 February 1600",
	     "Tue, 29 Feb 1600 06:07:08 GMT"},
	    {-62135596800LL, "0001-01-01T00:00:00Z", "1 January 1",
	     "Mon, 01 Jan 0001 00:00:00 GMT"},
	    {253402300799LL, "9999-12-31T23:59:59Z", "31 December 9999",
	     "Fri, 31 Dec 9999 23:59:59 GMT"},
	    {951782400LL, "2000-02-29T00:00:00Z", "29 February 2000",
	     "Tue, 29 Feb 2000 00:00:00 GMT"},
	    {784111777LL, "1994-11-06T08:49:37Z", "6 November 1994",
	     "Sun, 06 Nov 1994 08:49:37 GMT"},
	    {1709251199LL, "2024-02-29T23:59:59Z", "29 February 2024",
	     "Thu, 29 Feb 2024 23:59:59 GMT"},
	    {4102444800LL, "2100-01-01T00:00:00Z", "1 January 2100",
	     "Fri, 01 Jan 2100 00:00:00 GMT"},
	    {-2208988800LL, "1900-01-01T00:00:00Z", "1 January 1900",
	     "Mon, 01 Jan 1900 00:00:00 GMT"},
	    /* Out of range: clamped to years 1 and 9999. */
	    {INT64_MIN, "0001-01-01T00:00:00Z", "1 January 1", "Mon, 01 Jan 0001 00:00:00 GMT"},
	    {INT64_MAX, "9999-12-31T23:59:59Z", "31 December 9999",
	     "Fri, 31 Dec 9999 23:59:59 GMT"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char a[32], b[48], c[40], m[48];
		date_format_rfc3339(cases[i].t, a);
		date_format_human(cases[i].t, b);
		date_format_http(cases[i].t, c);
		date_format_month(cases[i].t, m);
		assert_string_equal(a, cases[i].rfc3339);
		assert_string_equal(b, cases[i].human);
		assert_string_equal(c, cases[i].http);
		/* The month is the long date without its day: "February 2025". */
		assert_string_equal(m, strchr(cases[i].human, ' ') + 1);
	}
}

/* Every day of years 1-9999 formats to text that parses back to the same time. */
static void test_round_trip(void **state)
{
	for (int64_t day = -719162; day <= 2932896; day++) {
		int64_t t = day * 86400 + 3723, back;
		char iso[32], http[40];
		date_format_rfc3339(t, iso);
		date_format_http(t, http);
		assert_int_equal(date_parse(iso, &back), 0);
		assert_int_equal(back, t);
		assert_int_equal(date_parse_http(http, &back), 0);
		assert_int_equal(back, t);
		/* Formatted dates sort like the times they stand for. */
		if (day > -719162) {
			char before[32];
			date_format_rfc3339(t - 86400, before);
			assert_true(strcmp(before, iso) < 0);
		}
	}
}

static void test_days_from_civil(void **state)
{
	static const struct {
		long long y;
		unsigned m, d;
		long long want;
	} cases[] = {
	    {1970, 1, 1, 0},      {1969, 12, 31, -1},    {2000, 3, 1, 11017},
	    {2000, 2, 29, 11016}, {1, 1, 1, -719162},    {9999, 12, 31, 2932896},
	    {0, 3, 1, -719468},   {-1, 12, 31, -719529}, {2025, 2, 4, 20123},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++)
		assert_int_equal(date_days_from_civil(cases[i].y, cases[i].m, cases[i].d),
		                 cases[i].want);
}

static void test_parse_http(void **state)
{
	static const struct parse_case cases[] = {
	    {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL},
	    {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777LL},
	    {"Sun Nov  6 08:49:37 1994", 784111777LL},
	    {"Tue, 04 Feb 2025 10:00:00 GMT", 1738663200LL},
	    {"Tue Feb  4 10:00:00 2025", 1738663200LL},
	    {"Sat Feb 29 00:00:00 2000", 951782400LL},
	    {"Thu, 01 Jan 1970 00:00:00 GMT", 0LL},
	    {"Wed, 31 Dec 1969 23:59:59 GMT", -1LL},
	    {" Tue, 04 Feb 2025 10:00:00 GMT\t", 1738663200LL},
	    /* The weekday need not agree with the date. */
	    {"Mon, 04 Feb 2025 10:00:00 GMT", 1738663200LL},
	};
	check_parse(date_parse_http, cases, GZ_ARRAY_LEN(cases));

	static const char *const bad[] = {
	    "",
	    "yesterday",
	    "Sun, 06 Nov 1994 08:49:37",
	    "Sun, 06 Nov 1994 08:49:37 UTC",
	    "Sun, 06 Nov 1994 08:49:37 +0000",
	    "Sun, 6 Nov 1994 08:49:37 GMT",
	    "Sun, 06 nov 1994 08:49:37 GMT",
	    "sun, 06 Nov 1994 08:49:37 GMT",
	    "Sun, 06 November 1994 08:49:37 GMT",
	    "Sun, 06 Nov 94 08:49:37 GMT",
	    "Sun, 31 Nov 1994 08:49:37 GMT",
	    "Sun, 06 Nov 1994 24:00:00 GMT",
	    "Sun, 06 Nov 1994 08:49 GMT",
	    "Sun, 06 Nov 1994 08:49:37 GMTx",
	    "Sun,  06 Nov 1994 08:49:37 GMT",
	    "Xyz, 06 Nov 1994 08:49:37 GMT",
	    "Sunday, 06-Nov-1994 08:49:37 GMT",
	    "Sunday, 06-Nov-94 08:49:37",
	    "Sun, 06-Nov-94 08:49:37 GMT",
	    "Sundays, 06-Nov-94 08:49:37 GMT",
	    "Sunday 06-Nov-94 08:49:37 GMT",
	    "Sun Nov 6 08:49:37 1994",
	    "Sun Nov 06 08:49:37 1994",
	    "Sun Nov  6 08:49:37 94",
	    "Sun Nov  6 08:49:37 1994 GMT",
	    "Sun Feb 30 08:49:37 1994",
	    "2025-02-04T10:00:00Z",
	};
	check_reject(date_parse_http, bad, GZ_ARRAY_LEN(bad));
}

/* RFC 850 years: at most 50 years ahead of now, else the century before. */
static void test_rfc850_century(void **state)
{
	time_t now = time(NULL);
	struct tm tm;
	assert_non_null(gmtime_r(&now, &tm));
	int cur = tm.tm_year + 1900;

	for (int yy = 0; yy < 100; yy++) {
		char s[64], back[40];
		int64_t t;
		snprintf(s, sizeof s, "Monday, 01-Jan-%02d 00:00:00 GMT", yy);
		assert_int_equal(date_parse_http(s, &t), 0);
		date_format_http(t, back);
		int year = atoi(back + 12);
		assert_int_equal(year % 100, yy);
		assert_true(year <= cur + 50);
		assert_true(year > cur - 50);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),        cmocka_unit_test(test_parse_jekyll),
	    cmocka_unit_test(test_parse_reject), cmocka_unit_test(test_format),
	    cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_days_from_civil),
	    cmocka_unit_test(test_parse_http),   cmocka_unit_test(test_rfc850_century),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
