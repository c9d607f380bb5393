/* Unit tests for article.c: the content format, field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/content/article.h"
#include "gazette/base/buf.h"
#include "gazette/content/frontmatter.h"
#include "gazette/base/util.h"

/* Parses text as file path; returns article_from_doc's result. */
static int make(const char *path, const char *text, struct article *a, struct diag *err)
{
	struct fm_doc doc;
	diag_clear(err);
	if (fm_parse(text, strlen(text), &doc, err) < 0)
		return -2;
	int rc = article_from_doc(a, &doc, path, text, strlen(text), err);
	fm_doc_free(&doc);
	return rc;
}

static char *names(json_t *list)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		buf_printf(&b, "%s%s=%s", i ? "," : "",
		           json_string_value(json_object_get(v, "slug")),
		           json_string_value(json_object_get(v, "name")));
	}
	return buf_detach(&b, NULL);
}

static void test_fields(void **state)
{
	static const struct {
		const char *path;
		const char *text;
		const char *slug;
		enum slug_origin origin;
		long long date;
		const char *tags;
		const char *authors;
		const char *summary;
	} cases[] = {
	    {"a.md",
	     "---\ntitle: El Salvador proposes a prison deal\ndate: 2025-02-04T10:00:00Z\n"
	     "tags: [politics, security]\nauthor: Jane Doe\nsummary: Short.\n---\nBody\n",
	     "el-salvador-proposes-a-prison-deal", SLUG_TITLE, 1738663200,
	     "politics=politics,security=security", "jane-doe=Jane Doe", "Short."},
	    {"posts/2018-09-19-security-fixes.markdown",
	     "---\ntitle: \"Security Fixes\"\ndate: 2018-09-19 18:00:00 +0530\n"
	     "category: release\n---\n",
	     "security-fixes", SLUG_FILENAME, 1537360200, "release=release", "", ""},
	    {"2014-05-06-jekyll-turns-2-0-0.markdown",
	     "---\ntitle: 'Jekyll turns 2.0.0'\nauthor: parkr\ncategories: [release, news]\n---\n",
	     "jekyll-turns-2-0-0", SLUG_FILENAME, 1399334400, "release=release,news=news",
	     "parkr=parkr", ""},
	    {"x.md",
	     "---\ntitle: Given\nslug: my-slug\ndate: 2025-01-01\ndescription: From Hugo.\n"
	     "authors: [Ali Ray, Jane Doe, ali ray]\ntags: open source, ruby\n---\n",
	     "my-slug", SLUG_GIVEN, 1735689600, "open-source=open source,ruby=ruby",
	     "ali-ray=Ali Ray,jane-doe=Jane Doe", "From Hugo."},
	    {"y.md", "---\ntitle: Jekyll tags\ndate: 2025-01-01\ntags: ruby jekyll\n---\n",
	     "jekyll-tags", SLUG_TITLE, 1735689600, "ruby=ruby,jekyll=jekyll", "", ""},
	    {"z.md",
	     "---\ntitle: Café crème\ndate: 2025-01-01\ncategory: Open Source\n"
	     "tags: [C++, c++]\n---\n",
	     "cafe-creme", SLUG_TITLE, 1735689600, "c=C++,open-source=Open Source", "", ""},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct article a;
		struct diag err;
		int rc = make(cases[i].path, cases[i].text, &a, &err);
		if (rc != 0)
			fail_msg("case %zu: %s (line %u)", i, err.msg, err.line);
		assert_string_equal(a.slug, cases[i].slug);
		assert_int_equal(a.slug_origin, cases[i].origin);
		assert_true(a.has_date);
		assert_int_equal(a.published_at, cases[i].date);
		char *t = names(a.tags), *p = names(a.authors);
		assert_string_equal(t, cases[i].tags);
		assert_string_equal(p, cases[i].authors);
		assert_string_equal(a.summary, cases[i].summary);
		free(t);
		free(p);
		article_free(&a);
	}
}

static void test_kinds_drafts_extra(void **state)
{
	struct article a;
	struct diag err;

	assert_int_equal(
	    make("about.md", "---\ntitle: About\ntype: page\nweight: 3\n---\nHi\n", &a, &err), 0);
	assert_int_equal(a.kind, ARTICLE_PAGE);
	assert_false(a.has_date);
	assert_int_equal(a.weight, 3);
	article_free(&a);

	assert_int_equal(make("about.md", "---\ntitle: About\nlayout: page\n---\n", &a, &err), 0);
	assert_int_equal(a.kind, ARTICLE_PAGE);
	assert_int_equal(json_object_size(a.extra), 0);
	article_free(&a);

	assert_int_equal(make("_drafts/idea.md", "---\ntitle: Idea\n---\n", &a, &err), 0);
	assert_true(a.draft);
	assert_false(a.has_date);
	article_free(&a);

	assert_int_equal(
	    make("p.md", "---\ntitle: P\ndate: 2025-01-01\npublished: false\n---\n", &a, &err), 0);
	assert_true(a.draft);
	article_free(&a);

	assert_int_equal(
	    make("d.md", "---\ntitle: D\ndate: 2025-01-01\ndraft: yes\n---\n", &a, &err), 0);
	assert_true(a.draft);
	article_free(&a);

	/* Unknown fields, and the aliases that lost, are kept as written. */
	assert_int_equal(make("e.md",
	                      "---\ntitle: E\ndate: 2025-01-01\nversion: 3.10\nsummary: S\n"
	                      "description: D\nlastmod: 2025-02-01\nimages: [a.png]\n---\n",
	                      &a, &err),
	                 0);
	char *extra = json_dumps(a.extra, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(extra, "{\"description\":\"D\",\"images\":[\"a.png\"],\"version\":"
	                           "\"3.10\"}");
	free(extra);
	assert_true(a.has_updated);
	assert_int_equal(a.updated_at, 1738368000);
	article_free(&a);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *msg_start;
	} cases[] = {
	    {"---\ndate: 2025-01-01\n---\n", 1, "no title"},
	    {"---\ntitle: \"\"\ndate: 2025-01-01\n---\n", 2, "the title is empty"},
	    {"---\ntitle: T\n---\n", 1, "no date"},
	    {"---\ntitle: T\ndate: soon\n---\n", 3, "'date': cannot read 'soon'"},
	    {"---\ntitle: T\ndate: 2025-01-01\nlastmod: [x]\n---\n", 4,
	     "'lastmod': cannot read a list"},
	    {"---\ntitle: T\ndate: 2025-01-01\nslug: \"a b\"\n---\n", 4, "slug 'a b' cannot"},
	    {"---\ntitle: T\ndate: 2025-01-01\ndraft: perhaps\n---\n", 4, "'draft' must be"},
	    {"---\ntitle: T\ndate: 2025-01-01\nweight: heavy\n---\n", 4, "'weight' must be"},
	    {"---\ntitle: T\ndate: 2025-01-01\ntags: ['!!!']\n---\n", 4, "tag '!!!' has no"},
	    {"---\ntitle: T\ndate: 2025-01-01\ntags: {a: b}\n---\n", 4, "'tags' must be a name"},
	    {"---\ntitle: '!!!'\ndate: 2025-01-01\n---\n", 2, "cannot make a URL"},
	    {"---\ntitle: Feed\nslug: feed.xml\ntype: page\n---\n", 3, "'feed.xml' is one"},
	    {"---\ntitle: [a, b]\ndate: 2025-01-01\n---\n", 2, "'title' must be text"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct article a;
		struct diag err;
		assert_int_equal(make("f.md", cases[i].text, &a, &err), -1);
		if (strncmp(err.msg, cases[i].msg_start, strlen(cases[i].msg_start)) != 0)
			fail_msg("case %zu: got '%s'", i, err.msg);
		assert_int_equal(err.line, cases[i].line);
	}
}

static void test_reading_minutes(void **state)
{
	static const struct {
		unsigned words, wpm, want;
	} cases[] = {
	    {0, 265, 1},   {1, 265, 1},      {265, 265, 1}, {266, 265, 2}, {530, 265, 2},
	    {531, 265, 3}, {10000, 265, 38}, {100, 0, 1},   {300, 100, 3}, {301, 100, 4},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++)
		assert_int_equal(article_reading_minutes(cases[i].words, cases[i].wpm),
		                 cases[i].want);
}

static void test_render_and_hash(void **state)
{
	struct article a, b;
	struct diag err;
	const char *t1 = "---\ntitle: T\ndate: 2025-01-01\n---\nOne *two* three.\n";
	const char *t2 = "---\ntitle: T\ndate: 2025-01-01\n---\nOne *two* four.\n";
	assert_int_equal(make("t.md", t1, &a, &err), 0);
	assert_int_equal(make("t.md", t2, &b, &err), 0);
	assert_string_not_equal(a.source_hash, b.source_hash);
	assert_int_equal(article_render(&a), 0);
	assert_string_equal(a.md.html, "<p>One <em>two</em> three.</p>\n");
	assert_int_equal(a.md.reading.words, 3);
	article_release_body(&a);
	assert_null(a.body_md);
	article_free(&a);
	article_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields),          cmocka_unit_test(test_kinds_drafts_extra),
	    cmocka_unit_test(test_errors),          cmocka_unit_test(test_reading_minutes),
	    cmocka_unit_test(test_render_and_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
