/*
 * fuzz_frontmatter.c: an article file as `gazette import` reads it.
 *
 * The input is the whole file: fm_parse() -> article_from_doc() ->
 * article_render(), then fm_parse_yaml() on the same bytes (as a
 * site.yaml), and md_render() on all of them when there is no front
 * matter, so that the Markdown writer is fuzzed on every input.  The
 * last byte picks the file's path (plain, Jekyll dated, a _drafts/ one,
 * a Hugo bundle), which article.c reads for dates, slugs and drafts.
 *
 * Besides memory errors, it checks what import promises: a slug (the
 * article's, its tags' and authors') is always a valid one, a post that
 * is not a draft has a date, and the HTML of the body is only what
 * markdown.c writes, with safe link and image URLs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_common.h"
#include "gazette/content/article.h"
#include "gazette/content/frontmatter.h"
#include "gazette/content/markdown.h"
#include "gazette/content/slug.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
    "content/posts/a-post.md",
    "_posts/2018-09-19-hello-world.md",
    "_drafts/2020-02-29-leap-day.md",
    "content/posts/bundle/index.md",
};

static void check_names(json_t *list, const char *what)
{
	size_t i;
	json_t *v;
	FUZZ_CHECK(json_is_array(list), what, NULL, 0);
	json_array_foreach(list, i, v)
	{
		const char *slug = json_string_value(json_object_get(v, "slug"));
		const char *name = json_string_value(json_object_get(v, "name"));
		FUZZ_CHECK(slug && name, "a tag or author without slug or name", NULL, 0);
		FUZZ_CHECK(slug_is_valid(slug, strlen(slug)),
		           "article_from_doc made an invalid tag or author slug", slug,
		           strlen(slug));
	}
}

static void check_md(const struct md_doc *md)
{
	FUZZ_CHECK(md->html != NULL && md->text != NULL && md->excerpt != NULL,
	           "md_render left a part NULL", NULL, 0);
	FUZZ_CHECK(strlen(md->html) == md->html_len, "md html_len is wrong", md->html,
	           md->html_len);
	FUZZ_CHECK(strlen(md->text) == md->text_len, "md text_len is wrong", md->text,
	           md->text_len);
	fuzz_check_md_html(md->html, md->html_len);
}

static void import_file(const char *text, size_t len, const char *path)
{
	struct fm_doc doc;
	struct diag err;

	diag_clear(&err);
	if (fm_parse(text, len, &doc, &err) < 0) {
		FUZZ_CHECK(err.msg[0] != '\0', "fm_parse failed without a message", text, len);
		/* No front matter: the Markdown writer still gets the bytes. */
		struct md_doc md = {0};
		if (md_render(text, len, &md) == 0)
			check_md(&md);
		md_doc_free(&md);
		return;
	}
	FUZZ_CHECK(json_is_object(doc.meta), "fm_parse meta is not an object", text, len);
	FUZZ_CHECK(json_is_object(doc.lines), "fm_parse lines is not an object", text, len);
	FUZZ_CHECK(doc.body >= text && doc.body_len <= len &&
	               (size_t)(doc.body - text) <= len - doc.body_len,
	           "fm_parse body lies outside the text", text, len);
	FUZZ_CHECK(doc.body_line >= 1, "fm_parse body_line is 0", text, len);

	struct article a;
	diag_clear(&err);
	int rc = article_from_doc(&a, &doc, path, text, len, &err);
	fm_doc_free(&doc);
	if (rc < 0) {
		FUZZ_CHECK(err.msg[0] != '\0', "article_from_doc failed without a message", text,
		           len);
		return;
	}
	FUZZ_CHECK(a.slug && slug_is_valid(a.slug, strlen(a.slug)),
	           "article_from_doc made an invalid slug", a.slug, a.slug ? strlen(a.slug) : 0);
	FUZZ_CHECK(a.title && a.title[0], "article without a title", NULL, 0);
	FUZZ_CHECK(a.summary != NULL, "article without a summary string", NULL, 0);
	FUZZ_CHECK(a.kind != ARTICLE_PAGE || !article_slug_reserved(a.slug),
	           "a page took a reserved slug", a.slug, strlen(a.slug));
	FUZZ_CHECK(a.kind != ARTICLE_POST || a.draft || a.has_date,
	           "a published post without a date", NULL, 0);
	FUZZ_CHECK(json_is_object(a.extra), "article extra is not an object", NULL, 0);
	check_names(a.authors, "authors is not an array");
	check_names(a.tags, "tags is not an array");
	if (article_render(&a) == 0)
		check_md(&a.md);
	article_release_body(&a);
	article_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libFuzzer's bytes have no NUL after them: an over-read is an ASan report. */
	const char *text = (const char *)data;
	const char *path = paths[size ? data[size - 1] % 4 : 0];

	import_file(text, size, path);

	/* The same bytes as a site.yaml. */
	json_t *meta = NULL, *lines = NULL;
	struct diag err;
	diag_clear(&err);
	if (fm_parse_yaml(text, size, 1, &meta, &lines, &err) == 0) {
		FUZZ_CHECK(json_is_object(meta) && json_is_object(lines),
		           "fm_parse_yaml gave no objects", text, size);
		json_decref(meta);
		json_decref(lines);
	} else {
		FUZZ_CHECK(err.msg[0] != '\0', "fm_parse_yaml failed without a message", text,
		           size);
	}
	return 0;
}
