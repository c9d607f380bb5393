/*
 * Unit tests for http_range_parse() (http/http.c): a Range header read
 * against a body's size, as RFC 9110, section 14 has it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/util.h"
#include "gazette/http/http.h"

static void test_ranges(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		uint64_t size;
		int want;
		uint64_t start, len;
	} cases[] = {
	    /* One satisfiable range: 1. */
	    {"bytes=0-9", 100, 1, 0, 10},
	    {"bytes=90-99", 100, 1, 90, 10},
	    {"bytes=90-", 100, 1, 90, 10},
	    {"bytes=-10", 100, 1, 90, 10},
	    {"bytes=-100", 100, 1, 0, 100},
	    {"bytes=-1000", 100, 1, 0, 100},   /* a suffix longer than the body: all of it */
	    {"bytes=50-1000", 100, 1, 50, 50}, /* an end past the end is cut */
	    {"bytes=0-0", 1, 1, 0, 1},
	    {"bytes=99-99", 100, 1, 99, 1},
	    {"Bytes = 5-6 ", 100, 1, 5, 2}, /* the unit's case, spaces around */
	    {"bytes=,5-6,", 100, 1, 5, 2},  /* empty list elements are allowed */
	    {"bytes=0-999999999999999999", 100, 1, 0, 100},
	    /* Unsatisfiable: -1. */
	    {"bytes=100-", 100, -1, 0, 0},
	    {"bytes=100-200", 100, -1, 0, 0},
	    {"bytes=-0", 100, -1, 0, 0},
	    {"bytes=0-", 0, -1, 0, 0},
	    {"bytes=-5", 0, -1, 0, 0},
	    /* Ignored, the whole body sent: 0. */
	    {"bytes=0-1,5-6", 100, 0, 0, 0}, /* several: no multipart/byteranges */
	    {"bytes=100-,0-1", 100, 0, 0, 0},
	    {"bytes=5-4", 100, 0, 0, 0}, /* an end before its start */
	    {"bytes=-", 100, 0, 0, 0},
	    {"bytes=", 100, 0, 0, 0},
	    {"bytes=a-b", 100, 0, 0, 0},
	    {"bytes=1-2;x", 100, 0, 0, 0},
	    {"bytes=+1-2", 100, 0, 0, 0},
	    {"bytes 0-1", 100, 0, 0, 0},
	    {"items=0-1", 100, 0, 0, 0},
	    {"bytes=0-1 2", 100, 0, 0, 0},
	    {"bytes=1234567890123456789-", 100, 0, 0, 0}, /* 19 digits: too long */
	    {"", 100, 0, 0, 0},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		uint64_t start = 12345, len = 67890;
		int got = http_range_parse(cases[i].header, cases[i].size, &start, &len);
		if (got != cases[i].want)
			fail_msg("'%s' of %llu: got %d, want %d", cases[i].header,
			         (unsigned long long)cases[i].size, got, cases[i].want);
		if (got == 1 && (start != cases[i].start || len != cases[i].len))
			fail_msg("'%s': got %llu+%llu, want %llu+%llu", cases[i].header,
			         (unsigned long long)start, (unsigned long long)len,
			         (unsigned long long)cases[i].start,
			         (unsigned long long)cases[i].len);
		/* Only a range found writes its place. */
		if (got != 1 && (start != 12345 || len != 67890))
			fail_msg("'%s': wrote a place for %d", cases[i].header, got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
