/* Unit tests for links.c: RFC 3986 reference resolution, on our own HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/content/links.h"
#include "gazette/base/util.h"

static void test_resolve(void **state)
{
	/* Examples of RFC 3986 section 5.4.1 (normal) and 5.4.2 (abnormal), and ours. */
	static const char base[] = "http://a/b/c/d;p?q";
	static const struct {
		const char *ref, *want;
	} cases[] = {
	    {"g:h", "g:h"},
	    {"g", "http://a/b/c/g"},
	    {"./g", "http://a/b/c/g"},
	    {"g/", "http://a/b/c/g/"},
	    {"/g", "http://a/g"},
	    {"//g", "http://g"},
	    {"?y", "http://a/b/c/d;p?y"},
	    {"g?y", "http://a/b/c/g?y"},
	    {"#s", "http://a/b/c/d;p?q#s"},
	    {"g#s", "http://a/b/c/g#s"},
	    {"..", "http://a/b/"},
	    {"../", "http://a/b/"},
	    {"../g", "http://a/b/g"},
	    {"../..", "http://a/"},
	    {"../../g", "http://a/g"},
	    {"../../../g", "http://a/g"},
	    {"/./g", "http://a/g"},
	    {"/../g", "http://a/g"},
	    {"g.", "http://a/b/c/g."},
	    {"./../g", "http://a/b/g"},
	    {"g;x=1/../y", "http://a/b/c/y"},
	    {"", "http://a/b/c/d;p?q"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct buf b = BUF_INIT;
		url_resolve(&b, base, cases[i].ref, strlen(cases[i].ref));
		if (strcmp(b.data ? b.data : "", cases[i].want) != 0)
			fail_msg("'%s': got '%s'", cases[i].ref, b.data);
		buf_free(&b);
	}
}

static void test_html(void **state)
{
	const char *base = "https://example.org/blog/articles/first";
	const char *html =
	    "<p><a href=\"writing-articles\">w</a> <a href=\"../tags/politics\">t</a> "
	    "<a href=\"#notes\">n</a> <a href=\"https://other.example/x?a=1&amp;b=2\">o</a> "
	    "<a href=\"mailto:ed@example.org\">m</a> <img src=\"/static/x.png\" alt=\"x\"> "
	    "href=&quot;kept&quot; src=\"&quot;</p>";
	const char *want =
	    "<p><a href=\"https://example.org/blog/articles/writing-articles\">w</a> "
	    "<a href=\"https://example.org/blog/tags/politics\">t</a> "
	    "<a href=\"https://example.org/blog/articles/first#notes\">n</a> "
	    "<a href=\"https://other.example/x?a=1&amp;b=2\">o</a> "
	    "<a href=\"mailto:ed@example.org\">m</a> <img src=\"https://example.org/static/x.png\" "
	    "alt=\"x\"> href=&quot;kept&quot; src=\"&quot;</p>";
	struct buf b = BUF_INIT;
	links_absolute(&b, html, strlen(html), base);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

struct srcset_case {
	const char *html, *want;
};

/* Each candidate's URL of a srcset, as <picture>s of an image's copies list them. */
static void test_srcset(void **state)
{
	const char *base = "https://example.org/blog/articles/first";
	static const struct srcset_case cases[] = {
	    {"<source type=\"image/webp\" srcset=\"../images/a.1a2b3c4d.png.480w.webp 480w, "
	     "../images/a.1a2b3c4d.png.800w.webp 800w\" sizes=\"(max-width: 42rem) 100vw, 39.5rem\">",
	     "<source type=\"image/webp\" srcset=\"https://example.org/blog/images/"
	     "a.1a2b3c4d.png.480w.webp 480w, https://example.org/blog/images/a.1a2b3c4d.png.800w.webp "
	     "800w\" sizes=\"(max-width: 42rem) 100vw, 39.5rem\">"},
	    {"<img src=\"a.png\" srcset=\"a.png 1x,b.png 2x\">",
	     "<img src=\"https://example.org/blog/articles/a.png\" srcset=\""
	     "https://example.org/blog/articles/a.png 1x,https://example.org/blog/articles/b.png "
	     "2x\">"},
	    /* No descriptor; a URL ending in commas; spaces around; already absolute. */
	    {"<img srcset=\"a.png\">", "<img srcset=\"https://example.org/blog/articles/a.png\">"},
	    {"<img srcset=\"a.png,, b.png 2x\">",
	     "<img srcset=\"https://example.org/blog/articles/a.png,, "
	     "https://example.org/blog/articles/b.png 2x\">"},
	    {"<img srcset=\"  /a.png  480w ,  https://cdn.example/b.png 2x \">",
	     "<img srcset=\"  https://example.org/a.png  480w ,  https://cdn.example/b.png 2x \">"},
	    {"<img srcset=\"\">", "<img srcset=\"\">"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct buf b = BUF_INIT;
		links_absolute(&b, cases[i].html, strlen(cases[i].html), base);
		if (strcmp(b.data ? b.data : "", cases[i].want) != 0)
			fail_msg("case %zu: got '%s'", i, b.data);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_srcset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
