/*
 * Unit tests for lang.c: long dates per language, writing direction, the
 * characters read one by one.  The expected dates are the CLDR's patterns
 * and names as ICU 72 (Debian 12) writes them, checked by eye against the
 * languages' usual forms; the epoch values came from Python's datetime.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <unicode/uloc.h>

#include "gazette/base/date.h"
#include "gazette/base/lang.h"
#include "gazette/base/util.h"

#define FEB_4_2025  1738663200LL /* 2025-02-04T10:00:00Z */
#define JAN_15_2025 1736899200LL /* 2025-01-15T00:00:00Z */

struct date_case {
	const char *tag;
	long long t;
	const char *want;
};

static void check_dates(const struct date_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char out[LANG_DATE_MAX];
		memset(out, 'x', sizeof out);
		size_t len = lang_date_long(c[i].tag, c[i].t, out);
		if (strcmp(out, c[i].want) != 0)
			print_error("case %zu: \"%s\" %lld: got \"%s\", want \"%s\"\n", i,
			            c[i].tag ? c[i].tag : "(null)", c[i].t, out, c[i].want);
		assert_string_equal(out, c[i].want);
		assert_int_equal(len, strlen(c[i].want));
	}
}

static void test_languages(void **state)
{
	static const struct date_case cases[] = {
	    {"en", FEB_4_2025, "4 February 2025"},
	    {"EN", FEB_4_2025, "4 February 2025"},
	    {"en-GB", FEB_4_2025, "4 February 2025"},
	    {"en-US", FEB_4_2025, "February 4, 2025"},
	    {"de", FEB_4_2025, "4. Februar 2025"},
	    {"de", JAN_15_2025, "15. Januar 2025"},
	    {"de-AT", JAN_15_2025, "15. Jänner 2025"},
	    {"de-XX", FEB_4_2025, "4. Februar 2025"}, /* unknown region: the language */
	    {"fr", FEB_4_2025, "4 février 2025"},
	    {"fr-CA", FEB_4_2025, "4 février 2025"},
	    {"es", FEB_4_2025, "4 de febrero de 2025"},
	    {"pt", FEB_4_2025, "4 de fevereiro de 2025"},
	    {"pt-BR", FEB_4_2025, "4 de fevereiro de 2025"},
	    {"it", FEB_4_2025, "4 febbraio 2025"},
	    {"ru", FEB_4_2025, "4 февраля 2025\u202fг."}, /* a narrow no-break space */
	    {"ja", FEB_4_2025, "2025年2月4日"},
	    {"zh", FEB_4_2025, "2025年2月4日"},
	    {"zh-Hans", FEB_4_2025, "2025年2月4日"},
	    {"zh-Hant", FEB_4_2025, "2025年2月4日"},
	    {"ko", FEB_4_2025, "2025년 2월 4일"},
	    {"ar", FEB_4_2025, "٤ فبراير ٢٠٢٥"},
	    {"ar-u-nu-latn", FEB_4_2025, "4 فبراير 2025"},
	    {"he", FEB_4_2025, "4 בפברואר 2025"},
	    {"iw", FEB_4_2025, "4 בפברואר 2025"}, /* Hebrew's old code */
	    /* The language's own calendar, unless the tag asks for another. */
	    {"fa", FEB_4_2025, "۱۶ بهمن ۱۴۰۳"},
	    {"fa-u-ca-gregory", FEB_4_2025, "۴ فوریهٔ ۲۰۲۵"},
	    {"th", FEB_4_2025, "4 กุมภาพันธ์ 2568"},
	    {"ja-JP-u-ca-japanese", FEB_4_2025, "令和7年2月4日"},
	};
	check_dates(cases, GZ_ARRAY_LEN(cases));
}

/* The day is UTC's, whatever the process's time zone. */
static void test_utc_days(void **state)
{
	static const struct date_case cases[] = {
	    {"de", 1738627200LL, "4. Februar 2025"}, /* 00:00:00Z */
	    {"de", 1738713599LL, "4. Februar 2025"}, /* 23:59:59Z */
	    {"de", 1738713600LL, "5. Februar 2025"}, /* 00:00:00Z */
	    {"fr", 0, "1 janvier 1970"},
	    {"fr", -1, "31 décembre 1969"},
	    {"es", 951782400LL, "29 de febrero de 2000"},
	    /* Proleptic Gregorian as date.c: the Julian calendar says 24 February. */
	    {"de", -30605126400LL, "1. März 1000"},
	    {"en", -30605126400LL, "1 March 1000"},
	    /* Clamped to years 1-9999, as date.c. */
	    {"en", INT64_MIN, "1 January 1"},
	    {"de", -62135596800LL - 86400, "1. Januar 1"},
	    {"en", INT64_MAX, "31 December 9999"},
	    {"ja", INT64_MAX, "9999年12月31日"},
	};
	setenv("TZ", "Pacific/Kiritimati", 1); /* UTC+14: a local day would be the next one */
	check_dates(cases, GZ_ARRAY_LEN(cases));
}

/*
 * Days are remembered per language (2048 places, by day): days written
 * again, at other hours, and days that share a place (2048 apart), in
 * both directions, are each still their own date.
 */
static void test_remembered_days(void **state)
{
	static const char *const months[] = {"January", "February", "March",     "April",
	                                     "May",     "June",     "July",      "August",
	                                     "September", "October", "November", "December"};
	const int64_t start = 1735689600LL; /* 2025-01-01T00:00:00Z */
	for (int k = 0; k < 4000; k++) {
		int64_t day = (k * 613) % 6151;
		if (k >= 2000)
			day = 6150 - day;
		int64_t t = start + day * 86400 + (k * 7919) % 86400;
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		char want[64], out[LANG_DATE_MAX];
		snprintf(want, sizeof want, "%d %s %d", tm.tm_mday, months[tm.tm_mon],
		         tm.tm_year + 1900);
		lang_date_long("en", t, out);
		assert_string_equal(out, want);
	}
}

/* A tag ICU does not know, or that is no BCP 47 tag, gives the English date. */
static void test_unknown_and_invalid(void **state)
{
	char long_tag[LANG_TAG_MAX + 8];
	memcpy(long_tag, "de", 2);
	for (size_t i = 2; i + 4 < sizeof long_tag; i += 4)
		memcpy(long_tag + i, "-abc", 4);
	long_tag[sizeof long_tag - 1] = '\0';
	long_tag[sizeof long_tag - 2] = 'x'; /* no trailing '-' */

	const struct date_case cases[] = {
	    /* Unknown: well-formed, but ICU has no data for them. */
	    {"xx", FEB_4_2025, "4 February 2025"},
	    {"tlh", FEB_4_2025, "4 February 2025"},
	    {"zz-ZZ", FEB_4_2025, "4 February 2025"},
	    {"qaa", FEB_4_2025, "4 February 2025"},
	    {"az-Arab", FEB_4_2025,
	     "4 February 2025"}, /* ICU has Azerbaijani, not in this script */
	    /* Invalid. */
	    {"en_US", FEB_4_2025, "4 February 2025"},
	    {"de_DE", FEB_4_2025, "4 February 2025"},
	    {"!!", FEB_4_2025, "4 February 2025"},
	    {"", FEB_4_2025, "4 February 2025"},
	    {NULL, FEB_4_2025, "4 February 2025"},
	    {"de-", FEB_4_2025, "4 February 2025"},
	    {"-de", FEB_4_2025, "4 February 2025"},
	    {"de fr", FEB_4_2025, "4 February 2025"},
	    {"und", FEB_4_2025, "4 February 2025"},
	    {"x-private", FEB_4_2025, "4 February 2025"},
	    {"de-1", FEB_4_2025, "4 February 2025"},
	    {"deutsch-de", FEB_4_2025, "4 February 2025"},
	    {"\xff\xfe", FEB_4_2025, "4 February 2025"},
	    {long_tag, FEB_4_2025, "4 February 2025"},
	};
	check_dates(cases, GZ_ARRAY_LEN(cases));

	/*
	 * ICU falls back to the process's default locale (from LANG) for a
	 * language it does not know: that must not leak into the page.
	 */
	UErrorCode st = U_ZERO_ERROR;
	uloc_setDefault("de_DE", &st);
	assert_false(U_FAILURE(st));
	char date[LANG_DATE_MAX];
	lang_date_long("tlh-DE", FEB_4_2025, date);
	assert_string_equal(date, "4 February 2025");
	lang_date_long("de-DE", FEB_4_2025, date);
	assert_string_equal(date, "4. Februar 2025");
	lang_date_long("fr-DE", FEB_4_2025, date);
	assert_string_equal(date, "4 février 2025");
	st = U_ZERO_ERROR;
	uloc_setDefault("en_US_POSIX", &st);

	/* The English fallback is date_format_human()'s, for every day. */
	for (int64_t t = -86400LL * 365 * 2100; t < 86400LL * 365 * 100; t += 86400LL * 37 + 4321) {
		char human[48], out[LANG_DATE_MAX], en[LANG_DATE_MAX];
		date_format_human(t, human);
		lang_date_long("xx", t, out);
		assert_string_equal(out, human);
		lang_date_long("en", t, en);
		assert_string_equal(en, human);
	}
}

/* More languages than the table holds: those past it still format, every time. */
static void test_cache_full(void **state)
{
	static const char *const tags[] = {
	    "de", "de-AT", "de-CH", "fr", "fr-BE", "es", "es-MX", "pt", "pt-BR",
	    "it", "nl",    "sv",    "da", "nb",    "fi", "pl",    "cs", "sk",
	    "hu", "ro",    "el",    "tr", "ru",    "uk", "ja",    "ko", "de-LU",
	};
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < GZ_ARRAY_LEN(tags); i++) {
			char out[LANG_DATE_MAX];
			lang_date_long(tags[i], FEB_4_2025, out);
			assert_true(strstr(out, "2025") != NULL);
			assert_true(strcmp(out, "4 February 2025") != 0);
		}
	}
	char out[LANG_DATE_MAX];
	lang_date_long("de-LU", JAN_15_2025, out); /* the 27th: not in the table */
	assert_string_equal(out, "15. Januar 2025");
	lang_cache_free();
	lang_date_long("de-AT", JAN_15_2025, out); /* opens it again */
	assert_string_equal(out, "15. Jänner 2025");
}

struct thread_arg {
	const char *tag, *want;
	int bad;
};

static void *format_many(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 2000; i++) {
		char out[LANG_DATE_MAX];
		lang_date_long(a->tag, FEB_4_2025 + i % 3600, out);
		if (strcmp(out, a->want) != 0)
			a->bad++;
	}
	return NULL;
}

/* Threads sharing one formatter each get their own date. */
static void test_threads(void **state)
{
	lang_cache_free();
	struct thread_arg args[] = {
	    {"de", "4. Februar 2025", 0}, {"de", "4. Februar 2025", 0},
	    {"fr", "4 février 2025", 0},  {"ja", "2025年2月4日", 0},
	    {"xx", "4 February 2025", 0}, {"de", "4. Februar 2025", 0},
	};
	pthread_t th[GZ_ARRAY_LEN(args)];
	for (size_t i = 0; i < GZ_ARRAY_LEN(args); i++)
		assert_int_equal(pthread_create(&th[i], NULL, format_many, &args[i]), 0);
	for (size_t i = 0; i < GZ_ARRAY_LEN(args); i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
}

struct rtl_case {
	const char *tag;
	bool rtl;
};

static void test_rtl(void **state)
{
	static const struct rtl_case cases[] = {
	    {"ar", true},
	    {"ar-EG", true},
	    {"ar-u-nu-latn", true},
	    {"he", true},
	    {"iw", true},
	    {"fa", true},
	    {"fa-IR", true},
	    {"ur", true},
	    {"ps", true},
	    {"sd", true},
	    {"yi", true},
	    {"dv", true},
	    {"ckb", true},
	    {"ug", true},
	    {"syr", true},
	    {"nqo", true},
	    {"en-Arab", true},
	    {"az-Arab", true},
	    {"pa-Arab", true},
	    {"ku-Arab", true},
	    {"de-Hebr", true},
	    {"ms-Arab", true},
	    {"xx-Thaa", true},
	    {"xx-Syrc", true},
	    {"xx-Nkoo", true},

	    {"en", false},
	    {"de", false},
	    {"zh-Hans", false},
	    {"ja", false},
	    {"ko", false},
	    {"hi", false},
	    {"tr", false},
	    {"ku", false},
	    {"az", false},
	    {"pa", false},
	    {"sr-Latn", false},
	    {"ar-Latn", false},
	    {"he-Latn", false},
	    {"sd-Deva", false},
	    {"xx", false},
	    {"und", false},
	    /* Invalid tags. */
	    {"ar_EG", false},
	    {"", false},
	    {NULL, false},
	    {"!!", false},
	    {"ar-", false},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		bool got = lang_is_rtl(cases[i].tag);
		if (got != cases[i].rtl)
			print_error("\"%s\": got %d\n", cases[i].tag ? cases[i].tag : "(null)",
			            got);
		assert_int_equal(got, cases[i].rtl);
	}
}

struct cjk_case {
	uint32_t cp;
	bool cjk;
};

static void test_cjk_chars(void **state)
{
	static const struct cjk_case cases[] = {
	    {0x4e2d, true},  /* 中 */
	    {0x3400, true},  /* 㐀, extension A */
	    {0x20000, true}, /* 𠀀, extension B */
	    {0xf900, true},  /* 豈, a compatibility ideograph */
	    {0x3005, true},  /* 々, iteration mark */
	    {0x3007, true},  /* 〇, ideographic zero */
	    {0x3042, true},  /* あ */
	    {0x30a2, true},  /* ア */
	    {0x30fc, true},  /* ー, Common with Hiragana and Katakana */
	    {0xff71, true},  /* ｱ, half-width */
	    {0xff70, true},  /* ｰ, half-width */
	    {0xd55c, true},  /* 한 */
	    {0x1100, true},  /* ᄀ, a Jamo */
	    {0x3131, true},  /* ㄱ, a compatibility Jamo */
	    {'A', false},      {'7', false},        {0xe9, false}, /* é */
	    {0x416, false},                                        /* Ж */
	    {0x5d0, false},                                        /* א */
	    {0x627, false},                                        /* ا */
	    {0xe01, false},                                        /* ก, Thai */
	    {0x3105, false},                                       /* ㄅ, Bopomofo */
	    {0x3000, false},                                       /* ideographic space */
	    {0x3001, false},                                       /* 、 */
	    {0x3002, false},                                       /* 。 */
	    {0x300c, false},                                       /* 「 */
	    {0x30fb, false},                                       /* ・ */
	    {0xff0c, false},                                       /* ， */
	    {0x2f00, false}, /* ⼀, a Kangxi radical (a symbol) */
	    {0x309b, false}, /* ゛, a spacing sound mark (a symbol) */
	    {0xff10, false}, /* ０, full-width digit */
	    {0xff21, false}, /* Ａ, full-width Latin */
	    {0xd800, false}, /* a surrogate */
	    {0x110000, false}, {0xffffffff, false},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		bool got = lang_is_cjk_char(cases[i].cp);
		if (got != cases[i].cjk)
			print_error("U+%04X: got %d\n", (unsigned)cases[i].cp, got);
		assert_int_equal(got, cases[i].cjk);
	}
}

struct minutes_case {
	const char *tag;
	unsigned n;
	const char *want;
};

static void test_minutes(void **state)
{
	static const struct minutes_case cases[] = {
	    {"en", 5, "5 minutes"},
	    {"en", 1, "1 minute"},
	    {"en-US", 12, "12 minutes"},
	    {"de", 5, "5 Minuten"},
	    {"de", 1, "1 Minute"},
	    {"fr", 5, "5 minutes"},
	    {"es", 5, "5 minutos"},
	    {"pt-BR", 5, "5 minutos"},
	    {"ja", 5, "5 分"},
	    {"zh", 5, "5分钟"},
	    {"zh-Hant", 5, "5 分鐘"},
	    {"ko", 5, "5분"},
	    {"ar", 5, "٥ دقائق"},   /* Arabic-Indic digits, the plural of 3 to 10 */
	    {"ar", 1, "دقيقة"},     /* one: the word alone */
	    {"ar-u-nu-latn", 5, "5 دقائق"},
	    {"he", 5, "5 דקות"},
	    {"fa", 12, "۱۲ دقیقه"}, /* Persian digits */
	    {"ur", 5, "5 منٹ"},
	    {"en", 1234, "1,234 minutes"},
	    /* Unknown and invalid: the same as gazette's English would be short. */
	    {"xx", 5, "5 min"},
	    {"tlh", 5, "5 min"},
	    {"en_US", 5, "5 min"},
	    {"", 5, "5 min"},
	    {NULL, 5, "5 min"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char out[LANG_DATE_MAX];
		memset(out, 'x', sizeof out);
		size_t len = lang_minutes(cases[i].tag, cases[i].n, out);
		if (strcmp(out, cases[i].want) != 0)
			print_error("\"%s\" %u: got \"%s\"\n", cases[i].tag ? cases[i].tag : "(null)",
			            cases[i].n, out);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(len, strlen(cases[i].want));
	}
}

struct canonical_case {
	const char *tag;
	const char *want; /* NULL: invalid */
};

static void test_canonical(void **state)
{
	static const struct canonical_case cases[] = {
	    {"en", "en"},
	    {"EN", "en"},
	    {"en-us", "en-US"},
	    {"en_US", "en-US"}, /* a POSIX locale's spelling */
	    {"pt_br", "pt-BR"},
	    {"zh-hans", "zh-Hans"},
	    {"ZH-HANT-tw", "zh-Hant-TW"},
	    {"sr-latn-rs", "sr-Latn-RS"},
	    {"iw", "he"}, /* deprecated codes */
	    {"in", "id"},
	    {"ar-u-nu-latn", "ar-u-nu-latn"},
	    {"fa", "fa"},
	    {"x-klingon", NULL},
	    {"und", NULL},
	    {"!!", NULL},
	    {"ar-", NULL},
	    {"", NULL},
	    {NULL, NULL},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char out[LANG_TAG_MAX];
		memset(out, 'x', sizeof out);
		bool ok = lang_canonical(cases[i].tag, out);
		const char *want = cases[i].want ? cases[i].want : "";
		if (ok != (cases[i].want != NULL) || strcmp(out, want) != 0)
			print_error("\"%s\": got %d \"%s\"\n", cases[i].tag ? cases[i].tag : "(null)",
			            ok, out);
		assert_int_equal(ok, cases[i].want != NULL);
		assert_string_equal(out, want);
	}
}

static int teardown(void **state)
{
	lang_cache_free();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_languages),
	    cmocka_unit_test(test_utc_days),
	    cmocka_unit_test(test_remembered_days),
	    cmocka_unit_test(test_unknown_and_invalid),
	    cmocka_unit_test(test_cache_full),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_rtl),
	    cmocka_unit_test(test_cjk_chars),
	    cmocka_unit_test(test_minutes),
	    cmocka_unit_test(test_canonical),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
