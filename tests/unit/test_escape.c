/* Unit tests for escape.c: the one place text becomes markup or URLs. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

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

static void test_url_path(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
	    {"images/cat.png", 0, "images/cat.png"},
	    {"files/Annual report 2024.pdf", 0, "files/Annual%20report%202024.pdf"},
	    {"caf\xc3\xa9/a+b?c#d.png", 0, "caf%C3%A9/a%2Bb%3Fc%23d.png"},
	    {"a", 0, "a"},
	    {"", 0, ""},
	};
	run(escape_url_path, cases, GZ_ARRAY_LEN(cases));
}

/* Old addresses as the router spells them: the form the redirects table keeps. */
static void test_canonical_path(void **state)
{
	(void)state;
	static const struct {
		const char *url, *base, *want; /* want NULL: refused */
	} cases[] = {
	    {"https://example.com/2015/05/15/Rust 1.0.html", NULL, "/2015/05/15/Rust%201.0.html"},
	    {"/2015/05/15/Rust%201.0.html", NULL, "/2015/05/15/Rust%201.0.html"},
	    {"/2015/05/15/Rust%201.0.html", "", "/2015/05/15/Rust%201.0.html"},
	    {"HTTP://Example.com:8080/a/b/?utm_source=x#top", NULL, "/a/b"},
	    {"//cdn.example.com/x.html", NULL, "/x.html"},
	    {"2015/05/x.html", NULL, "/2015/05/x.html"},
	    {"/caf%c3%a9/cr\xc3\xa8me", NULL, "/caf%C3%A9/cr%C3%A8me"},
	    {"/a%2Fb/c", NULL, "/a%2Fb/c"},
	    {"/%7Euser/it's", NULL, "/~user/it's"},
	    {"/a+b/c=d&e", NULL, "/a%2Bb/c%3Dd%26e"},
	    {"/a/./b/../c/", NULL, "/a/c"},
	    {"/a/%2e%2E/b", NULL, "/b"},
	    {"/../../a", NULL, "/a"},
	    {"/blog/2015/x.html", "/blog", "/2015/x.html"},
	    {"/blogs/2015/x.html", "/blog", "/blogs/2015/x.html"},
	    {"/2015/x.html", "/blog", "/2015/x.html"},
	    {"https://example.com/blog/en/x", "/blog/en", "/x"},
	    /* WordPress's posts without pretty links. */
	    {"https://example.com/?p=123", NULL, "/?p=123"},
	    {"/?p=0123&replytocom=5", NULL, "/?p=123"},
	    {"/?%70=%31%32", NULL, "/?p=12"},
	    {"/blog/?p=7", "/blog", "/?p=7"},
	    {"/blog?p=7#comments", "/blog", "/?p=7"},
	    {"?p=9", NULL, "/?p=9"},
	    {"/archives/?p=7", NULL, "/archives"},
	    {"/?p=2147483647", NULL, "/?p=2147483647"},
	    /* Nothing a request could match. */
	    {"/?p=2147483648", NULL, NULL},
	    {"/?p=0", NULL, NULL},
	    {"/?p=", NULL, NULL},
	    {"/?p", NULL, NULL},
	    {"/?p=1&p=2", NULL, NULL},
	    {"/?page_id=5", NULL, NULL},
	    {"https://example.com/", NULL, NULL},
	    {"https://example.com", NULL, NULL},
	    {"/blog/", "/blog", NULL},
	    {"/a/../", NULL, NULL},
	    {"", NULL, NULL},
	    {"/a//b", NULL, NULL},
	    {"/a%zz", NULL, NULL},
	    {"/a%00b", NULL, NULL},
	    {"/a%ff", NULL, NULL},
	    {"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", NULL, NULL},
	    {"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", NULL, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct buf b = BUF_INIT;
		const char *why = NULL;
		int rc =
		    url_canonical_path(cases[i].url, strlen(cases[i].url), cases[i].base, &b, &why);
		if (cases[i].want == NULL) {
			if (rc != -1 || why == NULL)
				fail_msg("%s: got %s", cases[i].url, b.data ? b.data : "(nothing)");
			assert_int_equal(b.len, 0);
		} else {
			if (rc != 0 || b.data == NULL || strcmp(b.data, cases[i].want) != 0)
				fail_msg("%s: got %s (%s), want %s", cases[i].url,
				         b.data ? b.data : "", why ? why : "", cases[i].want);
		}
		buf_free(&b);
	}
}

/*
 * escape_json_string() against what it stands for: jansson's text of the
 * string (with JSON_ESCAPE_SLASH for a script, and then '<', '>', '&' as
 * \u003c, \u003e, \u0026).
 */
static void assert_json_string_same(const char *s, size_t n, bool for_script)
{
	json_t *v = json_stringn(s, n);
	assert_non_null(v);
	char *dumped =
	    json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | (for_script ? JSON_ESCAPE_SLASH : 0));
	json_decref(v);
	struct buf want = BUF_INIT, got = BUF_INIT;
	for (const char *p = dumped; *p; p++) {
		if (for_script && *p == '<')
			buf_puts(&want, "\\u003c");
		else if (for_script && *p == '>')
			buf_puts(&want, "\\u003e");
		else if (for_script && *p == '&')
			buf_puts(&want, "\\u0026");
		else
			buf_putc(&want, *p);
	}
	free(dumped);
	escape_json_string(&got, s, n, for_script);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	buf_free(&want);
	buf_free(&got);
}

static void test_json_string(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "",
	    "Ends </script><script>alert(1)</script> <!-- here",
	    "O'Brien & \"Sons\" \\ path/to\tit\r\n",
	    "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x93\xb0",
	    "line\xe2\x80\xa8separator\xe2\x80\xa9paragraph",
	    "\x7f del \x1f unit \x0b vt",
	};
	for (int script = 0; script < 2; script++) {
		/* Every ASCII byte (NUL too) alone, and between letters. */
		for (int c = 0; c < 0x80; c++) {
			char one[3] = {'a', (char)c, 'b'};
			assert_json_string_same(one + 1, 1, script);
			assert_json_string_same(one, 3, script);
		}
		for (size_t i = 0; i < GZ_ARRAY_LEN(texts); i++)
			assert_json_string_same(texts[i], strlen(texts[i]), script);
	}
	struct buf b = BUF_INIT;
	escape_json_string(&b, "a</b>", 5, true);
	assert_int_equal(b.len, 18);
	assert_memory_equal(b.data, "\"a\\u003c\\/b\\u003e\"", 18);
	buf_reset(&b);
	escape_json_string(&b, "a</b>", 5, false);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "\"a</b>\"", 7);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_html),           cmocka_unit_test(test_url),
	    cmocka_unit_test(test_percent_decode), cmocka_unit_test(test_url_path),
	    cmocka_unit_test(test_canonical_path), cmocka_unit_test(test_json_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
