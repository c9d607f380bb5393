/* Unit tests for buf.c and util.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"

static void test_append_and_detach(void **state)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "abc");
	buf_putc(&b, 'd');
	buf_printf(&b, "%d-%s", 42, "x");
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "abcd42-x");
	size_t len;
	char *s = buf_detach(&b, &len);
	assert_int_equal(len, 8);
	assert_string_equal(s, "abcd42-x");
	assert_null(b.data);
	free(s);

	s = buf_detach(&b, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

static void test_printf_grows(void **state)
{
	struct buf b = BUF_INIT;
	char big[5000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_puts(&b, "<");
	buf_printf(&b, "%s>", big);
	assert_int_equal(b.len, sizeof big + 1);
	assert_int_equal(b.data[b.len - 1], '>');
	assert_int_equal(b.data[b.len], '\0');
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
	buf_free(&b); /* freeing twice is harmless */
}

static void test_binary(void **state)
{
	struct buf b = BUF_INIT;
	buf_append(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	buf_free(&b);
}

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
	    {"", true},
	    {"plain ascii", true},
	    {"caf\xc3\xa9", true},
	    {"\xe2\x82\xac", true},      /* euro sign */
	    {"\xf0\x9f\x98\x80", true},  /* emoji */
	    {"\xc0\xaf", false},         /* overlong '/' */
	    {"\xe0\x80\xaf", false},     /* overlong */
	    {"\xed\xa0\x80", false},     /* surrogate */
	    {"\xf4\x90\x80\x80", false}, /* above U+10FFFF */
	    {"\xc3", false},             /* truncated */
	    {"\x80", false},             /* lone continuation */
	    {"\xff", false},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++)
		assert_int_equal(utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok);
	assert_false(utf8_valid("a\0b", 3));
}

static void test_parse_uint_range(void **state)
{
	long long v;
	assert_int_equal(parse_uint_range("42", 2, 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_uint_range("0", 1, 1, 100, &v), -1);
	assert_int_equal(parse_uint_range("101", 3, 1, 100, &v), -1);
	assert_int_equal(parse_uint_range("", 0, 0, 100, &v), -1);
	assert_int_equal(parse_uint_range("-1", 2, 0, 100, &v), -1);
	assert_int_equal(parse_uint_range("1x", 2, 0, 100, &v), -1);
	assert_int_equal(parse_uint_range("99999999999999999999", 20, 0, 100, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_and_detach),
	    cmocka_unit_test(test_printf_grows),
	    cmocka_unit_test(test_binary),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_parse_uint_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
