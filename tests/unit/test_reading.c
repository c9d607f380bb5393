/*
 * Unit tests for reading.c: words and CJK characters counted by hand.
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

#include "gazette/base/buf.h"
#include "gazette/base/util.h"
#include "gazette/content/markdown.h"
#include "gazette/content/reading.h"

struct count_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	size_t words, cjk;
};

static void check_counts(const struct count_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct reading_count got = {99, 99};
		size_t len = c[i].len ? c[i].len : strlen(c[i].text);
		reading_count(c[i].text, len, &got);
		if (got.words != c[i].words || got.cjk_chars != c[i].cjk)
			print_error("case %zu \"%s\": %zu words, %zu cjk; want %zu, %zu\n", i,
			            c[i].text, got.words, got.cjk_chars, c[i].words, c[i].cjk);
		assert_int_equal(got.words, c[i].words);
		assert_int_equal(got.cjk_chars, c[i].cjk);
	}
}

static void test_english(void **state)
{
	static const struct count_case cases[] = {
	    {"The quick brown fox jumps over the lazy dog.", 0, 9, 0},
	    {"  leading and trailing  ", 0, 3, 0},
	    {"one\ntwo\tthree\r\nfour", 0, 4, 0},
	    {"It's a well-known fact, isn't it?", 0, 6, 0},
	    {"Hello \xe2\x80\x94 world", 0, 2, 0}, /* a dash alone is no word */
	    {"... !!! ???", 0, 0, 0},
	    {"in 2025, 3.5% more", 0, 4, 0},
	    {"10\xc2\xa0km", 0, 2, 0},              /* no-break space */
	    {"na\xc3\xafve caf\xc3\xa9s", 0, 2, 0}, /* naïve cafés */
	    {"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80", 0, 2,
	     0}, /* Привет мир */
	    {"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d", 0, 2,
	     0}, /* שלום עולם */
	    {"(see: https://example.org/a-b)", 0, 2, 0},
	};
	check_counts(cases, GZ_ARRAY_LEN(cases));
}

static void test_chinese(void **state)
{
	static const struct count_case cases[] = {
	    /* 15 characters and the full stop. */
	    {"中国经济今年增长了百分之五点二。", 0, 0, 15},
	    {"国家统计局周三公布，一季度国内生产总值同比增长5.3%。", 0, 1, 22},
	    {"他说：“我们会继续努力。”", 0, 0, 9},
	    {"㐀𠀀豈", 0, 0, 3}, /* extension A, extension B, a compatibility ideograph */
	    {"繁體中文也一樣", 0, 0, 7},
	};
	check_counts(cases, GZ_ARRAY_LEN(cases));
}

static void test_japanese(void **state)
{
	static const struct count_case cases[] = {
	    {"東京は今日、晴れです。", 0, 0, 9},
	    {"コーヒーを飲みました", 0, 0, 10},                       /* ー counts */
	    {"人々は〇時に集まった", 0, 0, 10},                       /* 々 and 〇 count */
	    {"「ニュース」・速報", 0, 0, 6},                          /* brackets and ・ do not */
	    {"ｺｰﾋｰ", 0, 0, 4},                                        /* half-width */
	    {"日本銀行は２０２４年３月に利上げを決めた。", 0, 2, 15}, /* full-width digits: words */
	};
	check_counts(cases, GZ_ARRAY_LEN(cases));
}

static void test_korean(void **state)
{
	static const struct count_case cases[] = {
	    {"서울에서 회의가 열렸다.", 0, 0, 10},
	    {"한국은행은 기준금리를 3.5%로 동결했다", 0, 1, 15},
	    {"ㄱㄴㄷ", 0, 0, 3},
	};
	check_counts(cases, GZ_ARRAY_LEN(cases));
}

static void test_mixed(void **state)
{
	static const struct count_case cases[] = {
	    {"我用Python写了3个程序", 0, 2, 7},         {"苹果公司发布了iPhone 16 Pro。", 0, 3, 7},
	    {"Appleは新しいiPhoneを発表した", 0, 2, 9}, {"The word 経済 means economy.", 0, 4, 2},
	    {"中文　English　한국어", 0, 1, 5},  /* ideographic spaces */
	    {"Ｈｅｌｌｏ　Ｗｏｒｌｄ", 0, 2, 0}, /* full-width Latin is Latin */
	};
	check_counts(cases, GZ_ARRAY_LEN(cases));
}

static void test_empty_and_invalid(void **state)
{
	static const struct count_case cases[] = {
	    {"", 0, 0, 0},
	    {"   \n\t  ", 0, 0, 0},
	    {"。、「」", 0, 0, 0},
	    {"abc\xff def", 0, 2, 0}, /* a stray byte joins its word */
	    {"\xff\xfe", 0, 0, 0},    /* bytes that are no letters make no word */
	    {"\xff"
	     "abc",
	     0, 1, 0},
	    {"中\xe5\x9b", 0, 0, 1},               /* 国 cut short */
	    {"\xe5\x9b中", 0, 0, 1},               /* a lead byte and a continuation, then 中 */
	    {"\xc0\xaf x", 0, 1, 0},               /* an overlong '/' */
	    {"\xed\xa0\x80\xe4\xb8\xad", 0, 0, 1}, /* a surrogate, then 中 */
	    {"\xf4\x90\x80\x80", 0, 0, 0},         /* past U+10FFFF */
	    {"\x80\x80\x80\x80", 0, 0, 0},
	    {"\xe4\xb8", 0, 0, 0},
	    {"a\0 b", 4, 2, 0}, /* NUL bytes do not end the text */
	    {"\0\0\0", 3, 0, 0},
	};
	check_counts(cases, GZ_ARRAY_LEN(cases));

	struct reading_count c = {5, 5};
	reading_count(NULL, 0, &c);
	assert_int_equal(c.words, 0);
	assert_int_equal(c.cjk_chars, 0);

	/* Every cut of a CJK text: never reads past len, never counts a cut character. */
	const char *t = "中国a经济b";
	for (size_t n = 0; n <= strlen(t); n++) {
		char *copy = xstrndup(t, n); /* its own allocation, for ASan */
		reading_count(copy, n, &c);
		size_t want_cjk = (n >= 3) + (n >= 6) + (n >= 10) + (n >= 13);
		assert_int_equal(c.cjk_chars, want_cjk);
		assert_int_equal(c.words, (n >= 7) + (n >= 14));
		free(copy);
	}
}

struct minutes_case {
	size_t words, cjk;
	unsigned wpm, cpm, want;
};

static void test_minutes(void **state)
{
	static const struct minutes_case cases[] = {
	    {0, 0, 265, 500, 1},
	    {1, 0, 265, 500, 1},
	    {265, 0, 265, 500, 1},
	    {266, 0, 265, 500, 2},
	    {0, 500, 265, 500, 1},
	    {0, 501, 265, 500, 2},
	    {0, 3000, 265, 500, 6},
	    {265, 500, 265, 500, 2},
	    {100, 200, 265, 500, 1},    /* 0.38 + 0.4 */
	    {200, 200, 265, 500, 2},    /* 0.75 + 0.4 */
	    {1000, 3000, 265, 500, 10}, /* 3.77 + 6 */
	    {530, 1000, 0, 0, 4},       /* 0: the defaults */
	    {1000, 0, 200, 0, 5},
	    {0, 1000, 0, 250, 4},
	    {SIZE_MAX, 0, 1, 500, UINT32_MAX},
	    {SIZE_MAX, SIZE_MAX, 1, 1, UINT32_MAX},
	    {5, 5, UINT32_MAX, UINT32_MAX, 1},
	    {3000000, 0, UINT32_MAX, 500, 3}, /* speeds are capped at 1000000 */
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct reading_count c = {cases[i].words, cases[i].cjk};
		unsigned got = reading_minutes(&c, cases[i].wpm, cases[i].cpm);
		if (got != cases[i].want)
			print_error("case %zu: got %u, want %u\n", i, got, cases[i].want);
		assert_int_equal(got, cases[i].want);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 MB of each kind of text: the counts are right, and the speed is printed. */
static void test_speed(void **state)
{
	static const struct {
		const char *name, *unit;
		size_t words, cjk;
	} kinds[] = {
	    {"English", "The quick brown fox jumps over the lazy dog. ", 9, 0},
	    {"Chinese", "国家统计局周三公布，一季度国内生产总值同比增长。", 0, 22},
	    {"Japanese", "東京は今日、コーヒーを飲みました。", 0, 15},
	    {"Korean", "서울에서 회의가 열렸다. ", 0, 10},
	    {"mixed", "苹果公司发布了iPhone 16 Pro。", 3, 7},
	};
	for (size_t k = 0; k < GZ_ARRAY_LEN(kinds); k++) {
		struct buf b = BUF_INIT;
		size_t units = 0, ulen = strlen(kinds[k].unit);
		while (b.len + ulen <= 1000000) {
			buf_append(&b, kinds[k].unit, ulen);
			buf_putc(&b, '\n');
			units++;
		}
		struct reading_count c;
		double t0 = now();
		for (int r = 0; r < 5; r++)
			reading_count(b.data, b.len, &c);
		double secs = (now() - t0) / 5;
		print_message("reading_count: 1 MB of %s text: %.2f ms (%.0f MB/s)\n",
		              kinds[k].name, secs * 1e3, (double)b.len / 1e6 / secs);
		assert_int_equal(c.words, kinds[k].words * units);
		assert_int_equal(c.cjk_chars, kinds[k].cjk * units);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_english),
	    cmocka_unit_test(test_chinese),
	    cmocka_unit_test(test_japanese),
	    cmocka_unit_test(test_korean),
	    cmocka_unit_test(test_mixed),
	    cmocka_unit_test(test_empty_and_invalid),
	    cmocka_unit_test(test_minutes),
	    cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
