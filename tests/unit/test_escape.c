/* Unit tests for escape.c: the one place text becomes markup or URLs. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"

struct esc_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

static void run(void (*fn)(struct buf *, const char *, size_t), const struct esc_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		fn(&b, c[i].in, c[i].len ? c[i].len : strlen(c[i].in));
		assert_non_null(b.data ? b.data : "");
		assert_string_equal(b.data ? b.data : "", c[i].want);
		buf_free(&b);
	}
}

static void test_html(void **state)
{
	static const struct esc_case cases[] = {
	    {"plain", 0, "plain"},
	    {"<script>alert('x')</script>", 0, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
	    {"a & b \"q\"", 0, "a &amp; b &quot;q&quot;"},
	    {"tab\tnl\ncr\r", 0, "tab\tnl\ncr\r"},
	    {"bell\x07", 0, "bell\xef\xbf\xbd"},
	    {"nul\0x", 5, "nul\xef\xbf\xbdx"},
	    {"caf\xc3\xa9", 0, "caf\xc3\xa9"},
	    {"bad\xff", 0, "bad\xef\xbf\xbd"},
	    {"trunc\xe2\x82", 0, "trunc\xef\xbf\xbd\xef\xbf\xbd"},
	    {"nonchar\xef\xbf\xbe", 0, "nonchar\xef\xbf\xbd"},
	    {"del\x7f", 0, "del\xef\xbf\xbd"},
	};
	run(escape_html, cases, GZ_ARRAY_LEN(cases));
}

static void test_url(void **state)
{
	static const struct esc_case seg[] = {
	    {"hello-world", 0, "hello-world"},
	    {"a b/c?d#e", 0, "a%20b%2Fc%3Fd%23e"},
	    {"caf\xc3\xa9", 0, "caf%C3%A9"},
	    {"100%", 0, "100%25"},
	};
	run(escape_url_segment, seg, GZ_ARRAY_LEN(seg));
	static const struct esc_case q[] = {
	    {"two words", 0, "two%20words"},
	    {"a&b=c+d", 0, "a%26b%3Dc%2Bd"},
	};
	run(escape_url_query, q, GZ_ARRAY_LEN(q));
	static const struct esc_case whole[] = {
	    {"https://example.org/a b?q=1&r=2#top", 0, "https://example.org/a%20b?q=1&r=2#top"},
	    {"/images/caf\xc3\xa9.png", 0, "/images/caf%C3%A9.png"},
	    {"already%20escaped%2Fkept", 0, "already%20escaped%2Fkept"},
	    {"100%", 0, "100%25"},
	    {"%zz", 0, "%25zz"},
	    {"say \"hi\"<>", 0, "say%20%22hi%22%3C%3E"},
	};
	run(escape_url_whole, whole, GZ_ARRAY_LEN(whole));
}

static void test_percent_decode(void **state)
{
	static const struct {
		const char *in;
		bool plus;
		long want_len;
		const char *want;
	} cases[] = {
	    {"caf%C3%A9", false, 5, "caf\xc3\xa9"},
	    {"a%2fb", false, 3, "a/b"},
	    {"one+two", true, 7, "one two"},
	    {"one+two", false, 7, "one+two"},
	    {"%", false, -1, NULL},
	    {"%4", false, -1, NULL},
	    {"%g1", false, -1, NULL},
	    {"nul%00", false, -1, NULL},
	    {"", false, 0, ""},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char out[32];
		long n = percent_decode(cases[i].in, strlen(cases[i].in), out, cases[i].plus);
		assert_int_equal(n, cases[i].want_len);
		if (n >= 0)
			assert_string_equal(out, cases[i].want);
	}
	assert_int_equal(hex_digit('0'), 0);
	assert_int_equal(hex_digit('a'), 10);
	assert_int_equal(hex_digit('F'), 15);
	assert_int_equal(hex_digit('g'), -1);
	assert_int_equal(hex_digit('/'), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_percent_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
