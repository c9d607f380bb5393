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

/*
 * utf8_valid() takes ASCII eight bytes at a time: a NUL, a stray byte or
 * a truncated sequence anywhere in a long text, at every place in and
 * across its eight-byte words and in the short tail, is still seen, and
 * a character across two words still passes.
 */
static void test_utf8_valid_long(void **state)
{
	char text[40];
	for (size_t len = 1; len <= sizeof text; len++) {
		memset(text, 'a', len);
		assert_true(utf8_valid(text, len));
		for (size_t at = 0; at < len; at++) {
			static const unsigned char bad[] = {0x00, 0x80, 0xff, 0xc3};
			for (size_t k = 0; k < sizeof bad; k++) {
				text[at] = (char)bad[k];
				/* 0xc3 is the start of a two-byte character: good if another byte follows. */
				bool ok = bad[k] == 0xc3 && at + 1 < len;
				if (ok)
					text[at + 1] = (char)0xa9;
				assert_int_equal(utf8_valid(text, len), ok);
				text[at] = 'a';
				if (at + 1 < len)
					text[at + 1] = 'a';
			}
		}
		/* Only the first len bytes are read: a NUL just after them changes nothing. */
		if (len < sizeof text) {
			text[len] = '\0';
			assert_true(utf8_valid(text, len));
		}
	}
	/* A clear high bit in every byte but one: 0x7f and 0x01 are ASCII, not NUL. */
	assert_true(utf8_valid("\x7f\x01\x7f\x01\x7f\x01\x7f\x01\x7f", 9));
}

/* lower_bound_i64() and _u32(): the first place at or above the key, against a walk, with gaps and repeats. */
static void test_lower_bound(void **state)
{
	static const int64_t a[] = {-5, 2, 2, 7, 9, 40};
	const size_t n = GZ_ARRAY_LEN(a);
	for (int64_t key = -7; key <= 42; key++) {
		size_t want = 0;
		while (want < n && a[want] < key)
			want++;
		assert_int_equal(lower_bound_i64(a, n, key), want);
	}
	assert_int_equal(lower_bound_i64(a, 0, 3), 0);
	assert_int_equal(lower_bound_i64(a, n, INT64_MAX), n);
	assert_int_equal(lower_bound_i64(a, n, INT64_MIN), 0);

	static const uint32_t u[] = {0, 3, 3, 8, 11, UINT32_MAX - 1};
	const size_t nu = GZ_ARRAY_LEN(u);
	for (uint32_t key = 0; key <= 13; key++) {
		size_t want = 0;
		while (want < nu && u[want] < key)
			want++;
		assert_int_equal(lower_bound_u32(u, nu, key), want);
	}
	assert_int_equal(lower_bound_u32(u, 0, 3), 0);
	assert_int_equal(lower_bound_u32(u, nu, UINT32_MAX - 1), nu - 1);
	assert_int_equal(lower_bound_u32(u, nu, UINT32_MAX), nu);
}

static void test_utf8_decode(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		uint32_t cp;
		size_t len;
	} cases[] = {
	    {"a", 1, 'a', 1},
	    {"\0x", 2, 0, 1},
	    {"\x7f", 1, 0x7f, 1},
	    {"\xc2\x80", 2, 0x80, 2},
	    {"\xc3\xa9x", 3, 0xe9, 2}, /* é */
	    {"\xdf\xbf", 2, 0x7ff, 2},
	    {"\xe0\xa0\x80", 3, 0x800, 3},
	    {"\xe4\xb8\xad", 3, 0x4e2d, 3}, /* 中 */
	    {"\xed\x9f\xbf", 3, 0xd7ff, 3}, /* below the surrogates */
	    {"\xee\x80\x80", 3, 0xe000, 3}, /* above them */
	    {"\xef\xbf\xbf", 3, 0xffff, 3},
	    {"\xf0\x90\x80\x80", 4, 0x10000, 4},
	    {"\xf0\xa0\x80\x80", 4, 0x20000, 4}, /* 𠀀 */
	    {"\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4},
	    {"\x80", 1, UTF8_INVALID, 1}, /* lone continuation */
	    {"\xbf\x80", 2, UTF8_INVALID, 1},
	    {"\xc0\xaf", 2, UTF8_INVALID, 1}, /* overlong '/' */
	    {"\xc1\xbf", 2, UTF8_INVALID, 1},
	    {"\xe0\x80\xaf", 3, UTF8_INVALID, 1}, /* overlong */
	    {"\xe0\x9f\xbf", 3, UTF8_INVALID, 1},
	    {"\xed\xa0\x80", 3, UTF8_INVALID, 1}, /* surrogate */
	    {"\xed\xbf\xbf", 3, UTF8_INVALID, 1},
	    {"\xf0\x8f\xbf\xbf", 4, UTF8_INVALID, 1}, /* overlong */
	    {"\xf4\x90\x80\x80", 4, UTF8_INVALID, 1}, /* above U+10FFFF */
	    {"\xf5\x80\x80\x80", 4, UTF8_INVALID, 1},
	    {"\xff", 1, UTF8_INVALID, 1},
	    {"\xe4\xb8", 2, UTF8_INVALID, 1}, /* cut short by n */
	    {"\xe4\xb8\xad", 2, UTF8_INVALID, 1},
	    {"\xe4x\xad", 3, UTF8_INVALID, 1}, /* not a continuation */
	    {"\xf0\x9f\x98", 3, UTF8_INVALID, 1},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t len = 99;
		uint32_t cp = utf8_decode(cases[i].s, cases[i].n, &len);
		if (cp != cases[i].cp || len != cases[i].len)
			print_error("case %zu: U+%04X, %zu\n", i, (unsigned)cp, len);
		assert_int_equal(cp, cases[i].cp);
		assert_int_equal(len, cases[i].len);
	}
	/* Every code point round-trips, and agrees with utf8_valid(). */
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		unsigned char b[4];
		size_t n;
		if (cp < 0x80) {
			b[0] = (unsigned char)cp, n = 1;
		} else if (cp < 0x800) {
			b[0] = (unsigned char)(0xc0 | cp >> 6),
			b[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = (unsigned char)(0xe0 | cp >> 12);
			b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | cp >> 18);
			b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		size_t len;
		uint32_t got = utf8_decode((const char *)b, n, &len);
		bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
		assert_int_equal(got, surrogate ? UTF8_INVALID : cp);
		assert_int_equal(len, surrogate ? 1 : n);
		assert_int_equal(utf8_valid((const char *)b, n), !surrogate && cp != 0);
	}
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
	    cmocka_unit_test(test_utf8_valid_long),
	    cmocka_unit_test(test_lower_bound),
	    cmocka_unit_test(test_utf8_decode),
	    cmocka_unit_test(test_parse_uint_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
