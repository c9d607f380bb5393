/*
 * Unit tests for import/ghost.c: Ghost exports read into documents.
 *
 * Usage: test_ghost DIR, where DIR holds the hand-written exports
 * (tests/data/ghost/).  A sink collects every document, the settings and
 * the notices; the tests compare them with what each export says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/util.h"
#include "gazette/content/article.h"
#include "ghost.h"
#include "assert_json.h"

static const char *data_dir = "tests/data/ghost";

/* ---- the sink ---- */

struct collect {
	json_t *docs;     /* [{"where", "meta", "body"}] */
	json_t *settings; /* a copy, or NULL */
	json_t *notices;  /* [message] */
	json_t *events;   /* "notice", "settings", "doc" in the order they came */
	int stop_at;      /* the doc at which to fail, or -1 */
};

static int on_doc(void *ctx, const struct fm_doc *doc, const char *where, struct diag *err)
{
	struct collect *c = ctx;
	if ((int)json_array_size(c->docs) == c->stop_at) {
		diag_set(err, 0, "the sink says no at %s", where);
		return -1;
	}
	json_array_append_new(c->docs, json_pack("{s:s, s:O, s:s%}", "where", where, "meta",
	                                         doc->meta, "body", doc->body, doc->body_len));
	json_array_append_new(c->events, json_string("doc"));
	return 0;
}

static int on_settings(void *ctx, json_t *settings, struct diag *err)
{
	struct collect *c = ctx;
	(void)err;
	assert_null(c->settings); /* once */
	c->settings = json_deep_copy(settings);
	json_array_append_new(c->events, json_string("settings"));
	return 0;
}

static void on_notice(void *ctx, const char *msg)
{
	struct collect *c = ctx;
	json_array_append_new(c->notices, json_string(msg));
	json_array_append_new(c->events, json_string("notice"));
}

static void collect_init(struct collect *c)
{
	c->docs = json_array();
	c->settings = NULL;
	c->notices = json_array();
	c->events = json_array();
	c->stop_at = -1;
}

static void collect_free(struct collect *c)
{
	json_decref(c->docs);
	json_decref(c->settings);
	json_decref(c->notices);
	json_decref(c->events);
}

static char *fixture(const char *name)
{
	size_t n = strlen(data_dir) + strlen(name) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", data_dir, name);
	return p;
}

/* Reads the export at path into c, as it is; returns ghost_read()'s result. */
static int read_into(const char *path, struct collect *c, struct ghost_stats *st, struct diag *err)
{
	struct import_sink sink = {on_doc, on_settings, on_notice, c};
	diag_clear(err);
	return ghost_read(path, &sink, st, err);
}

/* Reads the export at path into c (collect_init'ed here); returns ghost_read()'s result. */
static int read_path(const char *path, struct collect *c, struct ghost_stats *st, struct diag *err)
{
	collect_init(c);
	return read_into(path, c, st, err);
}

/* Reads a fixture into c (collect_init'ed here); returns ghost_read()'s result. */
static int read_fixture(const char *name, struct collect *c, struct ghost_stats *st,
                        struct diag *err)
{
	char *path = fixture(name);
	int rc = read_path(path, c, st, err);
	if (rc != 0)
		print_error("%s: %s:%u: %s\n", name, err->file, err->line, err->msg);
	free(path);
	return rc;
}

struct want_doc {
	const char *where;
	const char *meta; /* JSON */
	const char *body;
};

static void assert_docs(json_t *docs, const struct want_doc *want, size_t n)
{
	assert_int_equal(json_array_size(docs), n);
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(docs, i);
		assert_string_equal(json_string_value(json_object_get(d, "where")), want[i].where);
		assert_json(json_object_get(d, "meta"), want[i].meta);
		assert_string_equal(json_string_value(json_object_get(d, "body")), want[i].body);
	}
}

static void assert_strings(json_t *got, const char *const *want, size_t n)
{
	if (json_array_size(got) != n) {
		char *s = json_dumps(got, JSON_INDENT(1));
		print_error("got %s\n", s);
		free(s);
	}
	assert_int_equal(json_array_size(got), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(got, i)), want[i]);
}

/* What a fixture export must give. */
struct want_export {
	const char *file;
	const struct want_doc *docs;
	size_t n_docs;
	const char *settings; /* JSON */
	const char *const *notices;
	size_t n_notices;
	const char *const *events; /* NULL: not checked */
	size_t n_events;
	struct ghost_stats stats; /* every count, 0 where not given */
};

/* Every field of got is want's; the counts that differ are printed first. */
static void assert_stats(const char *file, const struct ghost_stats *got,
                         const struct ghost_stats *want)
{
	const struct {
		const char *name;
		unsigned long got, want;
	} counts[] = {
	    {"posts", got->posts, want->posts},
	    {"pages", got->pages, want->pages},
	    {"drafts", got->drafts, want->drafts},
	    {"scheduled", got->scheduled, want->scheduled},
	    {"email_only", got->email_only, want->email_only},
	    {"members_only", got->members_only, want->members_only},
	    {"code_injection", got->code_injection, want->code_injection},
	    {"from_html", got->from_html, want->from_html},
	    {"from_mobiledoc", got->from_mobiledoc, want->from_mobiledoc},
	    {"from_lexical", got->from_lexical, want->from_lexical},
	    {"from_markdown", got->from_markdown, want->from_markdown},
	    {"empty", got->empty, want->empty},
	    {"unknown_cards", got->unknown_cards, want->unknown_cards},
	    {"tables_left_out", got->tables_left_out, want->tables_left_out},
	    {"rows_left_out", got->rows_left_out, want->rows_left_out},
	    {"settings_left_out", got->settings_left_out, want->settings_left_out},
	};
	bool same = true;
	for (size_t i = 0; i < GZ_ARRAY_LEN(counts); i++) {
		if (counts[i].got != counts[i].want) {
			print_error("%s: %s is %lu, not %lu\n", file, counts[i].name, counts[i].got,
			            counts[i].want);
			same = false;
		}
	}
	assert_string_equal(got->version, want->version);
	assert_true(same);
}

/* ---- Ghost 5 ---- */

static const struct want_doc ghost5_docs[] = {
    {"db[0].data.posts[0]",
     "{\"title\": \"Crème brûlée & the <canvas> tag — l’été\", \"slug\": \"creme-brulee-canvas\","
     " \"date\": \"2024-05-20T10:15:00Z\", \"lastmod\": \"2024-05-21T09:30:00Z\","
     " \"summary\": \"A dessert and an HTML element.\","
     " \"image\": \"/content/images/2024/05/brulee.jpg\","
     " \"image_alt\": \"A torched crème brûlée\","
     " \"image_caption\": \"Photo by <a href=\\\"https://unsplash.example/@cook\\\">Cook</a>\","
     " \"authors\": [\"Ada Lovelace\", \"Béatrice Dupont\"],"
     " \"tags\": [\"Cooking\", \"Web & HTML\"], \"aliases\": [\"/creme-brulee-canvas/\"],"
     " \"visibility\": \"public\", \"featured\": \"true\","
     " \"ghost_id\": \"6650a0000000000000000001\", \"format\": \"html\"}",
     "<p>Caf&eacute; &amp; cr&egrave;me, &lt;canvas&gt; and &#8220;quotes&#8221; &mdash; "
     "日本語.</p><figure class=\"kg-card kg-image-card\"><img "
     "src=\"/content/images/2024/05/brulee.jpg\" class=\"kg-image\" alt=\"Brûlée\" "
     "loading=\"lazy\" width=\"1200\" height=\"800\"></figure><p>See <a "
     "href=\"/about/\">about</a>.</p>"},
    {"db[0].data.posts[1]",
     "{\"title\": \"Paid insight\", \"slug\": \"paid-insight\", \"date\": \"2024-05-22T08:05:00Z\","
     " \"lastmod\": \"2024-05-22T08:05:00Z\", \"summary\": \"Only for subscribers.\","
     " \"authors\": [\"Béatrice Dupont\"], \"tags\": [\"Business\"],"
     " \"aliases\": [\"/paid-insight/\"], \"visibility\": \"paid\", \"featured\": \"false\","
     " \"canonical_url\": \"https://elsewhere.example/paid-insight/\","
     " \"ghost_id\": \"6650a0000000000000000002\", \"format\": \"html\"}",
     "<p>Free part, then <a href=\"/creme-brulee-canvas/\">a link</a>.</p><!--members-only-->"
     "<p>Paid part.</p>"},
    {"db[0].data.posts[2]",
     "{\"title\": \"Coming soon: Ghost to gazette\", \"slug\": \"coming-soon\","
     " \"date\": \"2031-01-15T07:00:00Z\", \"lastmod\": \"2024-05-23T08:00:00Z\","
     " \"authors\": [\"Ada Lovelace\"], \"aliases\": [\"/coming-soon/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"6650a0000000000000000003\", \"format\": \"html\"}",
     "<p>This one waits.</p>"},
    {"db[0].data.posts[3]",
     "{\"title\": \"Half-written thoughts\", \"slug\": \"half-written\", \"draft\": \"true\","
     " \"date\": \"2024-05-25T12:00:00Z\", \"lastmod\": \"2024-05-26T12:00:00Z\","
     " \"authors\": [\"Ada Lovelace\"], \"aliases\": [\"/half-written/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"6650a0000000000000000004\", \"format\": \"html\"}",
     "<p>Not yet.</p>"},
    {"db[0].data.posts[4]",
     "{\"title\": \"About us\", \"slug\": \"about\", \"type\": \"page\","
     " \"date\": \"2024-01-02T09:00:00Z\", \"lastmod\": \"2024-03-04T10:00:00Z\","
     " \"authors\": [\"Ada Lovelace\"], \"aliases\": [\"/about/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"6650a0000000000000000005\", \"format\": \"html\"}",
     "<h2 id=\"who\">Who</h2><p>Two people who like desserts.</p>"},
    {"db[0].data.posts[5]",
     "{\"title\": \"Written in Lexical\", \"slug\": \"lexical-only\","
     " \"date\": \"2024-05-27T09:00:00Z\", \"lastmod\": \"2024-05-27T09:00:00Z\","
     " \"authors\": [\"Béatrice Dupont\"], \"aliases\": [\"/lexical-only/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"6650a0000000000000000006\", \"format\": \"html\"}",
     "<p><strong>Bold</strong> and <em>italic</em> and <a href=\"/about/\">a link</a></p>"
     "<h2>A heading</h2><ol><li>one</li><li>two</li></ol>"
     "<pre><code class=\"language-c\">if (a &lt; b) return;</code></pre>"
     "<figure><img src=\"/content/images/2024/05/x.png\" alt=\"An x\" width=\"640\" "
     "height=\"480\"><figcaption>The <em>x</em></figcaption></figure><hr>"},
    {"db[0].data.posts[6]",
     "{\"title\": \"Привет, мир\", \"slug\": \"привет-мир\", \"date\": \"2024-05-28T08:00:00Z\","
     " \"lastmod\": \"2024-05-28T08:00:00Z\", \"authors\": [\"Ada Lovelace\"],"
     " \"aliases\": [\"/привет-мир/\"], \"visibility\": \"members\", \"featured\": \"false\","
     " \"ghost_id\": \"6650a0000000000000000007\", \"format\": \"html\"}",
     "<p>Здравствуй!</p>"},
    {"db[0].data.posts[7]",
     "{\"title\": \"Newsletter #12\", \"slug\": \"newsletter-12\", \"draft\": \"true\","
     " \"date\": \"2024-05-29T08:10:00Z\", \"lastmod\": \"2024-05-29T08:10:00Z\","
     " \"authors\": [\"Béatrice Dupont\"], \"aliases\": [\"/newsletter-12/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"6650a0000000000000000008\", \"format\": \"html\"}",
     "<p>Only in inboxes.</p>"},
};

static const char *const ghost5_notices[] = {
    "left out, never imported: api_keys (2 rows), brute (1 row), custom_theme_settings (1 "
    "row), integrations (1 row), labels (1 row), members (2 rows), "
    "members_stripe_customers "
    "(1 row), newsletters (1 row), posts_products (1 row), products (1 row), roles (2 "
    "rows), "
    "roles_users (3 rows), sessions (1 row), snippets (1 row), stripe_prices (1 row), "
    "stripe_products (1 row), tokens (1 row), webhooks (1 row); 16 settings other than the "
    "title, description and language; of the users, only the name, bio and picture of "
    "authors were read",
    "db[0].data.posts[5] (lexical-only): left out of the body, cards gazette does not "
    "know: "
    "product",
    "2 posts were for members only in Ghost (visibility members, paid or tiers): gazette "
    "has "
    "no members, so they are public once published; their 'visibility' field says which "
    "they were",
    ("1 post had code for the page's head or foot (Ghost's code injection): left out, as "
     "gazette runs no scripts of posts"),
    "1 post was sent by e-mail only (status sent): imported as drafts",
};

/* The settings come once, before the first document. */
static const char *const ghost5_events[] = {
    "notice", "settings", "doc", "doc",
    "doc",    "doc",      "doc", /* posts[5]'s card: */ "notice",
    "doc",    "doc",      "doc", "notice",
    "notice", "notice"};

/*
 * Adds every string under v that is a secret or personal: the fixture marks
 * them FAKESECRET, and e-mail addresses are strings with an '@' and no
 * space, '/', '<' or '"'.
 */
static void gather_secrets(json_t *v, json_t *out)
{
	size_t i;
	const char *k;
	json_t *item;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (strstr(s, "FAKESECRET") != NULL ||
		    (strchr(s, '@') != NULL && strpbrk(s, " /<\"") == NULL))
			json_array_append(out, v);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) gather_secrets(item, out);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, item) gather_secrets(item, out);
	}
}

/* Appends every string and key under v to out, each followed by "\x01". */
static void gather_strings(json_t *v, struct buf *out)
{
	size_t i;
	const char *k;
	json_t *item;

	if (json_is_string(v)) {
		buf_append(out, json_string_value(v), json_string_length(v));
		buf_putc(out, '\x01');
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) gather_strings(item, out);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, item)
		{
			buf_puts(out, k);
			buf_putc(out, '\x01');
			gather_strings(item, out);
		}
	}
}

/*
 * No byte of a secret reaches a document, a setting or a notice: every
 * string of the export that holds a secret (a key, a password hash, a
 * session, a member's address, a setting with a key) is looked for in all
 * that the sink got.
 */
static void test_ghost5_no_secrets(void **state)
{
	struct collect c;
	struct diag err;
	json_error_t jerr;

	(void)state;
	assert_int_equal(read_fixture("ghost5.json", &c, NULL, &err), 0);

	char *path = fixture("ghost5.json");
	json_t *root = json_load_file(path, 0, &jerr);
	free(path);
	assert_non_null(root);
	json_t *secrets = json_array();
	gather_secrets(root, secrets);
	/* The fixture has them where a real export does. */
	assert_true(json_array_size(secrets) >= 40);

	/* Every string the sink got, keys too, each followed by a NUL-free separator. */
	json_t *all = json_pack("{s:O, s:O, s:O}", "docs", c.docs, "settings", c.settings,
	                        "notices", c.notices);
	struct buf text = BUF_INIT;
	gather_strings(all, &text);
	assert_true(text.len > 1000);
	size_t i;
	json_t *s;
	json_array_foreach(secrets, i, s)
	{
		if (strstr(text.data, json_string_value(s)) != NULL)
			fail_msg("a secret reached the import: %s", json_string_value(s));
	}
	assert_null(strstr(text.data, "FAKESECRET"));
	assert_null(strstr(text.data, "@members.example"));
	assert_null(strstr(text.data, "@staff.example"));
	assert_null(strstr(text.data, "$2a$10$"));
	buf_free(&text);
	json_decref(all);
	json_decref(secrets);
	json_decref(root);
	collect_free(&c);
}

/* ---- Ghost 4, Ghost 2, Mobiledoc only ---- */

static const struct want_doc ghost4_docs[] = {
    /* posts_authors says who and in which order; author_id only who was first in Ghost 1 */
    {"db[0].data.posts[0]",
     "{\"title\": \"Two authors, one post\", \"slug\": \"two-authors\","
     " \"date\": \"2021-06-01T10:30:00Z\", \"lastmod\": \"2021-06-02T11:00:00Z\","
     " \"summary\": \"Both of us wrote it.\","
     " \"image\": \"https://images.unsplash.example/photo-1?w=2000\","
     " \"authors\": [\"Jürgen Müller\", \"Ghost\"], \"tags\": [\"Getting Started\", \"News\"],"
     " \"aliases\": [\"/two-authors/\"], \"visibility\": \"public\", \"featured\": \"true\","
     " \"ghost_id\": \"60a1b2c3d4e5f60718293b01\", \"format\": \"html\"}",
     "<p>Written in <strong>Koenig</strong>.</p>"},
    /* html is "": the body comes from the Mobiledoc */
    {"db[0].data.posts[1]",
     "{\"title\": \"Rendered from Mobiledoc\", \"slug\": \"from-mobiledoc\","
     " \"date\": \"2021-06-03T10:00:00Z\", \"lastmod\": \"2021-06-03T10:00:00Z\","
     " \"authors\": [\"Jürgen Müller\"], \"aliases\": [\"/from-mobiledoc/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"60a1b2c3d4e5f60718293b02\", \"format\": \"html\"}",
     "<h2>Mobiledoc only</h2><p>The html column is empty, so this is rendered: <a "
     "href=\"/\">home</a>.</p><figure><img src=\"/content/images/2021/06/pic.jpg\" alt=\"\" "
     "width=\"800\" height=\"600\"></figure>"},
    {"db[0].data.posts[2]",
     "{\"title\": \"Contact\", \"slug\": \"contact\", \"type\": \"page\","
     " \"date\": \"2021-05-01T10:00:00Z\", \"lastmod\": \"2021-05-01T10:00:00Z\","
     " \"authors\": [\"Ghost\"], \"aliases\": [\"/contact/\"], \"visibility\": \"public\","
     " \"featured\": \"false\", \"ghost_id\": \"60a1b2c3d4e5f60718293b03\", \"format\": \"html\"}",
     "<p>Write to us.</p>"},
};

static const char *const ghost4_notices[] = {
    "left out, never imported: api_keys (1 row); 3 settings other than the title, "
    "description and language; of the users, only the name, bio and picture of authors "
    "were read",
};

static const struct want_doc ghost2_docs[] = {
    /* milliseconds: 1536000000000 is 2018-09-03T18:40:00Z; the meta description is the post's */
    {"db[0].data.posts[0]",
     "{\"title\": \"Hello from 2018\", \"slug\": \"hello-2018\","
     " \"date\": \"2018-09-03T18:40:00Z\", \"lastmod\": \"2018-09-04T22:26:40Z\","
     " \"summary\": \"Written with Ghost 2.\", \"image\": \"/content/images/2018/09/old.jpg\","
     " \"authors\": [\"Old Timer\"], \"tags\": [\"Getting Started\"],"
     " \"aliases\": [\"/hello-2018/\"], \"visibility\": \"public\", \"featured\": \"true\","
     " \"ghost_id\": \"5b8a1c2d3e4f506172839501\", \"format\": \"html\"}",
     "<p>An old post.</p>"},
    {"db[0].data.posts[1]",
     "{\"title\": \"About this blog\", \"slug\": \"about-this-blog\", \"type\": \"page\","
     " \"date\": \"2018-08-23T04:53:20Z\", \"lastmod\": \"2018-08-23T04:53:20Z\","
     " \"authors\": [\"Old Timer\"], \"aliases\": [\"/about-this-blog/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"5b8a1c2d3e4f506172839502\", \"format\": \"html\"}",
     "<p>A page, in the old way.</p>"},
    /* Ghost 1's "card-markdown", through gazette's Markdown renderer; milliseconds are cut */
    {"db[0].data.posts[2]",
     "{\"title\": \"Markdown card only\", \"slug\": \"markdown-card\","
     " \"date\": \"2018-09-06T02:13:20Z\", \"lastmod\": \"2018-09-06T02:13:20Z\","
     " \"authors\": [\"Old Timer\"], \"aliases\": [\"/markdown-card/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"5b8a1c2d3e4f506172839503\", \"format\": \"html\"}",
     "<h1 id=\"title\">Title</h1>\n<p>Some <em>emphasis</em> &amp; a <a "
     "href=\"/hello-2018/\">link</a>.</p>\n"},
    {"db[0].data.posts[3]",
     "{\"title\": \"An unfinished draft\", \"slug\": \"unfinished\", \"draft\": \"true\","
     " \"date\": \"2018-09-07T06:00:00Z\", \"lastmod\": \"2018-09-07T06:00:00Z\","
     " \"authors\": [\"Old Timer\"], \"aliases\": [\"/unfinished/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"5b8a1c2d3e4f506172839504\", \"format\": \"html\"}",
     "<p>Draft.</p>"},
};

static const char *const ghost2_notices[] = {
    "left out, never imported: clients (1 row), subscribers (1 row); 1 setting other than "
    "the title, description and language; of the users, only the name, bio and picture of "
    "authors were read",
};

static const struct want_doc mobiledoc_docs[] = {
    {"data.posts[0]",
     "{\"title\": \"Every section and markup\", \"slug\": \"mobiledoc-sections\","
     " \"date\": \"2022-08-01T09:00:00Z\", \"lastmod\": \"2022-08-01T09:00:00Z\","
     " \"authors\": [\"Mo Bile\"], \"aliases\": [\"/mobiledoc-sections/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"62f000000000000000000101\", \"format\": \"html\"}",
     "<h2>Markups &amp; sections</h2><p><strong>strong <em>and em</em></strong>, <a "
     "href=\"https://example.com/?a=1&amp;b=2\">a &lt;link&gt;</a>, <code>x &lt; y</code> "
     "<s>gone</s><sub>2</sub><sup>3</sup><u>under</u><b><i>b+i</i></b>spanned</p><p>line "
     "one<br>line two, hi <strong>@ada</strong></p><blockquote>A quote</blockquote><aside>An "
     "aside</aside><h6>Small</h6><p>alert(1)</p><ul><li>apple</li><li><strong>pear</strong>"
     "</li></ul><ol><li>first</li><li>second</li></ol><img "
     "src=\"/content/images/old-section.png\" alt=\"\">"},
    {"data.posts[1]",
     "{\"title\": \"Every card\", \"slug\": \"mobiledoc-cards\","
     " \"date\": \"2022-08-01T09:00:00Z\", \"lastmod\": \"2022-08-01T09:00:00Z\","
     " \"authors\": [\"Mo Bile\"], \"aliases\": [\"/mobiledoc-cards/\"],"
     " \"visibility\": \"members\", \"featured\": \"false\","
     " \"ghost_id\": \"62f000000000000000000102\", \"format\": \"html\"}",
     /* markdown */
     "<p>Some <strong>bold</strong> and &lt;b&gt;raw html&lt;/b&gt;</p>\n<ul>\n<li>a</li>\n"
     "<li>b</li>\n</ul>\n"
     /* html */
     "<div class=\"x\"><iframe src=\"https://player.example/1\"></iframe></div>"
     /* image */
     "<figure><a href=\"https://example.com/big\"><img src=\"/content/images/2022/08/a.jpg\" "
     "alt=\"A &quot;quoted&quot; alt\" title=\"T\" width=\"1200\" height=\"800\"></a>"
     "<figcaption>Caption with <a href=\"https://example.com\">a link</a></figcaption>"
     "</figure>"
     /* code, twice */
     "<pre><code class=\"language-php\">&lt;?php echo &quot;hi&quot;; ?&gt;\n</code></pre>"
     "<figure><pre><code>plain</code></pre><figcaption>A caption</figcaption></figure>"
     /* hr, embed */
     "<hr><figure><iframe width=\"200\" src=\"https://www.youtube.example/embed/1\"></iframe>"
     "<figcaption>A video</figcaption></figure>"
     /* bookmark */
     "<figure><p><a href=\"https://ghost.org/\"><strong>Ghost &amp; &lt;friends&gt;</strong>"
     "</a></p><p>The creator economy platform</p><p><small>Ghost · Ghost Team</small></p>"
     "</figure>"
     /* gallery: two rows */
     "<figure><div><img src=\"/content/images/1.jpg\" alt=\"one\" width=\"600\" "
     "height=\"400\"><img src=\"/content/images/2.jpg\" alt=\"\" width=\"600\" "
     "height=\"400\"></div><div><a href=\"https://example.com/3\"><img "
     "src=\"/content/images/3.jpg\" alt=\"\" width=\"600\" height=\"400\"></a></div>"
     "<figcaption>Three <em>photos</em></figcaption></figure>"
     /* callout, toggle, button, header */
     "<aside>💡 Remember <strong>this</strong>.</aside>"
     "<details><summary><span>Question?</span></summary><p>Answer.</p></details>"
     "<p><a href=\"https://example.com/subscribe\">Subscribe &lt;now&gt;</a></p>"
     "<section><h2>Big <em>news</em></h2><p>Read on</p><p><a href=\"#/portal\">Join</a></p>"
     "</section>"
     /* video, audio; paywall leaves nothing, product and signup are unknown */
     "<figure><video src=\"/content/media/2022/08/clip.mp4\" "
     "poster=\"/content/images/2022/08/clip_thumb.jpg\" width=\"640\" height=\"360\" "
     "controls></video><figcaption>A clip</figcaption></figure>"
     "<figure><audio src=\"/content/media/2022/08/talk.mp3\" controls></audio>"
     "<figcaption>A talk &amp; more</figcaption></figure>"},
    {"data.posts[2]",
     "{\"title\": \"Draft in Mobiledoc\", \"slug\": \"mobiledoc-draft\", \"draft\": \"true\","
     " \"date\": \"2022-08-02T09:00:00Z\", \"lastmod\": \"2022-08-02T09:30:00Z\","
     " \"authors\": [\"Mo Bile\"], \"aliases\": [\"/mobiledoc-draft/\"],"
     " \"visibility\": \"public\", \"featured\": \"false\","
     " \"ghost_id\": \"62f000000000000000000103\", \"format\": \"html\"}",
     "<p>Soon.</p>"},
};

static const char *const mobiledoc_notices[] = {
    "Of the users, only the name, bio and picture of authors were read",
    "data.posts[1] (mobiledoc-cards): left out of the body, cards gazette does not know: "
    "product, signup",
    "1 post was for members only in Ghost (visibility members, paid or tiers): gazette has "
    "no members, so they are public once published; their 'visibility' field says which "
    "they were",
};

/* ---- the fixture exports ---- */

/* Every fixture export: its documents, settings, notices, events (if given) and counts. */
/* clang-format off */
static const struct want_export exports[] = {
    {"ghost5.json", ghost5_docs, GZ_ARRAY_LEN(ghost5_docs),
     /* The authors of posts only: Carl administers and wrote nothing. */
     "{\"title\": \"Le Petit Gazetier\", \"description\": \"Notes on food & the web\","
     " \"language\": \"fr\", \"authors\": {"
     "  \"ada-lovelace\": {\"name\": \"Ada Lovelace\", \"bio\": \"Mathematician & writer.\","
     "    \"avatar\": \"/content/images/2024/01/ada.png\"},"
     "  \"beatrice-dupont\": {\"name\": \"Béatrice Dupont\", \"bio\": \"Pâtissière à "
     "Lyon.\","
     "    \"avatar\": \"https://gravatar.example/avatar/0b0b\"}}}",
     ghost5_notices, GZ_ARRAY_LEN(ghost5_notices),
     ghost5_events, GZ_ARRAY_LEN(ghost5_events),
     {.version = "5.82.2", .posts = 8, .pages = 1, .drafts = 2, .scheduled = 1,
      .email_only = 1, .members_only = 2, .code_injection = 1, .from_html = 7,
      .from_mobiledoc = 0, .from_lexical = 1, .from_markdown = 0, .empty = 0,
      .unknown_cards = 1, .tables_left_out = 18, .rows_left_out = 23,
      .settings_left_out = 16}},
    {"ghost4.json", ghost4_docs, GZ_ARRAY_LEN(ghost4_docs),
     /* An empty description is no description; Ghost 4.0 called the language "lang". */
     "{\"title\": \"Die Zeitung\", \"language\": \"de\", \"authors\": {"
     "  \"jurgen-muller\": {\"name\": \"Jürgen Müller\"},"
     "  \"ghost\": {\"name\": \"Ghost\","
     "    \"bio\": \"You can delete this user to remove all the welcome posts\","
     "    \"avatar\": \"https://static.ghost.org/v4.0.0/images/ghost-user.png\"}}}",
     ghost4_notices, GZ_ARRAY_LEN(ghost4_notices),
     NULL, 0,
     {.version = "4.6.4", .posts = 3, .pages = 1, .drafts = 0, .from_html = 2,
      .from_mobiledoc = 1, .tables_left_out = 1, .rows_left_out = 1, .settings_left_out = 3}},
    {"ghost2.json", ghost2_docs, GZ_ARRAY_LEN(ghost2_docs),
     "{\"title\": \"Old Blog\", \"description\": \"Since 2018.\","
     " \"language\": \"en\", \"authors\": {\"old-timer\":"
     " {\"name\": \"Old Timer\", \"avatar\": \"/content/images/2018/09/me.png\"}}}",
     ghost2_notices, GZ_ARRAY_LEN(ghost2_notices),
     NULL, 0,
     {.version = "2.0.3", .posts = 4, .pages = 1, .drafts = 1, .from_html = 3,
      .from_mobiledoc = 1, .tables_left_out = 2, .rows_left_out = 2, .settings_left_out = 1}},
    /* An export without the {"db": [...]} wrapper, whose posts have only Mobiledoc. */
    {"mobiledoc.json", mobiledoc_docs, GZ_ARRAY_LEN(mobiledoc_docs),
     "{\"title\": \"Mobiledoc Weekly\","
     " \"authors\": {\"mo-bile\": {\"name\": \"Mo Bile\"}}}",
     mobiledoc_notices, GZ_ARRAY_LEN(mobiledoc_notices),
     NULL, 0,
     {.version = "5.8.0", .posts = 3, .drafts = 1, .members_only = 1, .from_mobiledoc = 3,
      .unknown_cards = 1, .tables_left_out = 0}},
};
/* clang-format on */

static void test_exports(void **state)
{
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(exports); i++) {
		const struct want_export *w = &exports[i];
		struct collect c;
		struct ghost_stats st;
		struct diag err;
		assert_int_equal(read_fixture(w->file, &c, &st, &err), 0);
		assert_docs(c.docs, w->docs, w->n_docs);
		assert_json(c.settings, w->settings);
		assert_strings(c.notices, w->notices, w->n_notices);
		if (w->events != NULL)
			assert_strings(c.events, w->events, w->n_events);
		assert_stats(w->file, &st, &w->stats);
		collect_free(&c);
	}
}

/*
 * Every document gazette gets is one its content format takes, as a
 * Markdown file with the same front matter would be: the kind, draft,
 * dates, slug and bylines come out as Ghost had them.
 */
static void test_articles(void **state)
{
	static const struct {
		const char *file;
		size_t i;
		const char *slug;
		enum article_kind kind;
		bool draft;
		const char *date;
		unsigned authors, tags;
	} cases[] = {
	    {"ghost5.json", 0, "creme-brulee-canvas", ARTICLE_POST, false, "2024-05-20T10:15:00Z",
	     2, 2},
	    {"ghost5.json", 2, "coming-soon", ARTICLE_POST, false, "2031-01-15T07:00:00Z", 1, 0},
	    {"ghost5.json", 3, "half-written", ARTICLE_POST, true, "2024-05-25T12:00:00Z", 1, 0},
	    {"ghost5.json", 4, "about", ARTICLE_PAGE, false, "2024-01-02T09:00:00Z", 1, 0},
	    {"ghost5.json", 6, "привет-мир", ARTICLE_POST, false, "2024-05-28T08:00:00Z", 1, 0},
	    {"ghost5.json", 7, "newsletter-12", ARTICLE_POST, true, "2024-05-29T08:10:00Z", 1, 0},
	    {"ghost4.json", 0, "two-authors", ARTICLE_POST, false, "2021-06-01T10:30:00Z", 2, 2},
	    {"ghost2.json", 1, "about-this-blog", ARTICLE_PAGE, false, "2018-08-23T04:53:20Z", 1,
	     0},
	    {"mobiledoc.json", 1, "mobiledoc-cards", ARTICLE_POST, false, "2022-08-01T09:00:00Z", 1,
	     0},
	};
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct collect c;
		struct diag err;
		assert_int_equal(read_fixture(cases[i].file, &c, NULL, &err), 0);
		json_t *d = json_array_get(c.docs, cases[i].i);
		const char *body = json_string_value(json_object_get(d, "body"));
		struct fm_doc doc = {
		    .meta = json_object_get(d, "meta"), .body = body, .body_len = strlen(body),
		    .body_line = 1};
		struct article a;
		diag_clear(&err);
		if (article_from_doc(&a, &doc, "export.json", body, strlen(body), &err) != 0)
			fail_msg("%s %zu: %s", cases[i].file, cases[i].i, err.msg);
		char date[32];
		date_format_rfc3339(a.published_at, date);
		assert_string_equal(a.slug, cases[i].slug);
		assert_int_equal(a.slug_origin, SLUG_GIVEN);
		assert_int_equal(a.kind, cases[i].kind);
		assert_int_equal(a.draft, cases[i].draft);
		assert_true(a.has_date);
		assert_true(a.has_updated);
		assert_string_equal(date, cases[i].date);
		assert_int_equal(json_array_size(a.authors), cases[i].authors);
		assert_int_equal(json_array_size(a.tags), cases[i].tags);
		/* The body is HTML; the fields gazette does not interpret are kept. */
		assert_int_equal(a.format, ARTICLE_HTML);
		assert_null(json_object_get(a.extra, "format"));
		assert_non_null(json_object_get(a.extra, "ghost_id"));
		assert_null(json_object_get(a.extra, "aliases")); /* old addresses, not extra */
		article_free(&a);
		collect_free(&c);
	}
}

/* ---- what stops the reading ---- */

/* Reading the export at path fails with msg, at line (0: none), naming path. */
static void assert_read_fails(const char *path, unsigned line, const char *msg)
{
	struct collect c;
	struct diag err;
	int rc = read_path(path, &c, NULL, &err);
	if (rc != -1 || strcmp(err.msg, msg) != 0)
		print_error("%s: rc %d, line %u: %s\nwant: %s\n", path, rc, err.line, err.msg, msg);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
	assert_string_equal(err.file, path);
	collect_free(&c);
}

static void test_damaged_files(void **state)
{
	static const struct {
		const char *file;
		unsigned line;
		const char *msg;
	} cases[] = {
	    {"truncated.json", 28,
	     "damaged JSON at line 28, column 5 (byte offset 700): string or '}' expected near end "
	     "of file"},
	    {"not-ghost.json", 0, "not a Ghost export: no \"data\" object"},
	    {"bad-date.json", 0, "db[0].data.posts[3].published_at: 'next Tuesday' is not a date"},
	    {"no-such-file.json", 0, "cannot read it: No such file or directory"},
	};
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char *path = fixture(cases[i].file);
		assert_read_fails(path, cases[i].line, cases[i].msg);
		free(path);
	}

	/* Nothing of bad-date.json reaches the sink after its bad post. */
	struct collect c;
	struct diag err;
	assert_int_equal(read_fixture("bad-date.json", &c, NULL, &err), -1);
	assert_int_equal(json_array_size(c.docs), 3);
	/* Milliseconds and MySQL's dates without a zone are dates. */
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(json_array_get(c.docs, 1), "meta"), "date")),
	                    "2024-01-02T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(json_array_get(c.docs, 2), "meta"), "date")),
	                    "2024-01-03T00:00:00Z");
	collect_free(&c);
}

/* Writes text to a new file in the temporary folder; the caller unlinks and frees the name. */
static char *temp_file(const char *text, size_t len)
{
	char *path = xstrdup("/tmp/test_ghost_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_bad_values(void **state)
{
	static const struct {
		const char *json;
		unsigned line;
		const char *msg;
	} cases[] = {
	    {"", 0, "the file is empty: not a Ghost export"},
	    {"\n\n  {\"db\"", 3,
	     "damaged JSON at line 3, column 7 (byte offset 9): ':' expected near end of file"},
	    {"{\"data\": {\"posts\": [\n{\"title\": \"\xff\"}]}}", 2,
	     "damaged JSON at line 2, column 11 (byte offset 32): unable to decode byte 0xff near "
	     "'\"'"},
	    {"{\"data\": {\"posts\": [{\"title\": \"a\\u0000b\"}]}}", 1,
	     "damaged JSON at line 1, column 40 (byte offset 40): \\u0000 is not allowed without "
	     "JSON_ALLOW_NUL near '\"a\\u0000b\"'"},
	    {"[1, 2]", 0, "not a Ghost export: the file holds a list, not an object"},
	    {"\"db\"", 0, "not a Ghost export: the file holds a string, not an object"},
	    {"{\"db\": {}}", 0, "not a Ghost export: \"db\" is not a list of databases"},
	    {"{\"db\": []}", 0, "not a Ghost export: \"db\" is not a list of databases"},
	    {"{\"db\": [{\"meta\": {}}]}", 0, "not a Ghost export: no \"data\" object in db[0]"},
	    {"{\"db\": [{\"data\": {\"users\": []}}]}", 0,
	     "not a Ghost export: db[0].data has no \"posts\""},
	    {"{\"data\": {\"posts\": {}}}", 0, "data.posts: a list of posts was expected"},
	    {"{\"data\": {\"posts\": [1]}}", 0, "data.posts[0]: a post (an object) was expected"},
	    {"{\"data\": {\"posts\": [{\"title\": 7}]}}", 0,
	     "data.posts[0].title: text was expected"},
	    {"{\"data\": {\"posts\": [{\"slug\": [\"a\"]}]}}", 0,
	     "data.posts[0].slug: text was expected"},
	    {"{\"data\": {\"posts\": [{\"status\": \"archived\"}]}}", 0,
	     "data.posts[0].status: 'archived' is not published, draft, scheduled or sent"},
	    {"{\"data\": {\"posts\": [{\"type\": \"newsletter\"}]}}", 0,
	     "data.posts[0].type: 'newsletter' is neither \"post\" nor \"page\""},
	    {"{\"data\": {\"posts\": [{\"type\": 1}]}}", 0,
	     "data.posts[0].type: \"post\" or \"page\" was expected"},
	    {"{\"data\": {\"posts\": [{}, {\"published_at\": true}]}}", 0,
	     "data.posts[1].published_at: a date was expected"},
	    {"{\"data\": {\"posts\": [{\"updated_at\": 1e20}]}}", 0,
	     "data.posts[0].updated_at: 100000000000000000000 milliseconds is not a date"},
	    {"{\"data\": {\"posts\": [{\"created_at\": \"2024-02-30T00:00:00Z\"}]}}", 0,
	     "data.posts[0].created_at: '2024-02-30T00:00:00Z' is not a date"},
	    {"{\"data\": {\"posts\": [{\"html\": 1}]}}", 0,
	     "data.posts[0].html: text was expected"},
	    {"{\"data\": {\"posts\": [{\"mobiledoc\": \"{not json\"}]}}", 0,
	     "data.posts[0].mobiledoc: not JSON (column 4): string or '}' expected near 'not'"},
	    {"{\"data\": {\"posts\": [{\"mobiledoc\": \"{\\\"version\\\": \\\"0.2.0\\\"}\"}]}}", 0,
	     "data.posts[0].mobiledoc: Mobiledoc version 0.2.0 is not supported (0.3.x is)"},
	    {"{\"data\": {\"posts\": [{\"mobiledoc\": \"{\\\"version\\\": \\\"0.3.1\\\", "
	     "\\\"sections\\\": [[10, 4]]}\"}]}}",
	     0,
	     "data.posts[0].mobiledoc: sections[0]: names a card that is not in \"cards\" as "
	     "[name, "
	     "payload]"},
	    {"{\"data\": {\"posts\": [{\"lexical\": \"{\\\"root\\\": 1}\"}]}}", 0,
	     "data.posts[0].lexical: not a Lexical document: no \"root\" object"},
	    {"{\"data\": {\"posts\": [], \"posts_tags\": {}}}", 0,
	     "data.posts_tags: a list of rows was expected"},
	    {"{\"data\": {\"posts\": [], \"posts_authors\": [{}, 3]}}", 0,
	     "data.posts_authors[1]: a row (an object) was expected"},
	    {"{\"data\": {\"posts\": [], \"settings\": {\"title\": \"x\"}}}", 0,
	     "data.settings: a list of rows was expected"},
	};
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char *path = temp_file(cases[i].json, strlen(cases[i].json));
		assert_read_fails(path, cases[i].line, cases[i].msg);
		unlink(path);
		free(path);
	}
}

/* Odd but readable exports: what a document gets, or which notice. */
static void test_odd_values(void **state)
{
	static const struct {
		const char *json;
		const char *meta;    /* of the one document */
		const char *notices; /* JSON list */
	} cases[] = {
	    /* No status is a draft (Ghost's default); no dates, no slug: no date, no alias. */
	    {"{\"data\": {\"posts\": [{\"title\": \"T\"}]}}",
	     "{\"title\": \"T\", \"draft\": \"true\", \"format\": \"html\"}", "[]"},
	    /* Ghost 0.x: numeric ids, Markdown, page as true, dates before 1970. */
	    {"{\"data\": {\"posts\": [{\"id\": 5, \"title\": \"T\", \"slug\": \"t\", \"page\": "
	     "true,"
	     " \"status\": \"published\", \"markdown\": \"*hi*\", \"published_at\": -1500,"
	     " \"author_id\": 1}], \"users\": [{\"id\": 1, \"name\": \"\", \"slug\": \"joe\"}]}}",
	     "{\"title\": \"T\", \"slug\": \"t\", \"type\": \"page\", \"date\": "
	     "\"1969-12-31T23:59:58Z\", \"authors\": [\"joe\"], \"aliases\": [\"/t/\"],"
	     " \"ghost_id\": \"5\"}",
	     "[\"Of the users, only the name, bio and picture of authors were read\"]"},
	    /* Dangling ids are noticed and left out; featured as text. */
	    {"{\"data\": {\"posts\": [{\"id\": \"p\", \"status\": \"published\", \"featured\": "
	     "\"1\","
	     " \"published_at\": \"2024-01-01T00:00:00+02:00\"}],"
	     " \"posts_authors\": [{\"post_id\": \"p\", \"author_id\": \"nobody\"}],"
	     " \"posts_tags\": [{\"post_id\": \"p\", \"tag_id\": \"gone\"}], \"tags\": []}}",
	     "{\"date\": \"2023-12-31T22:00:00Z\", \"featured\": \"true\", \"ghost_id\": \"p\","
	     " \"format\": \"html\"}",
	     "[\"data.posts[0]: its author nobody is not among the users: left out\","
	     " \"data.posts[0]: its tag gone is not among the tags: left out\"]"},
	    /* An empty html falls back to Lexical; a node of no known type keeps its children. */
	    {"{\"data\": {\"posts\": [{\"status\": \"published\", \"html\": \"\", \"lexical\":"
	     " \"{\\\"root\\\": {\\\"children\\\": [{\\\"type\\\": \\\"fancy\\\", \\\"children\\\":"
	     " [{\\\"type\\\": \\\"text\\\", \\\"text\\\": \\\"kept\\\"}]}]}}\"}]}}",
	     "{\"format\": \"html\"}", "[]"},
	    /* Several databases: the first is read. */
	    {"{\"db\": [{\"data\": {\"posts\": [{\"status\": \"published\"}]}}, {}]}",
	     "{\"format\": \"html\"}",
	     "[\"the export holds 2 databases: only the first was read\"]"},
	};
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct collect c;
		struct diag err;
		char *path = temp_file(cases[i].json, strlen(cases[i].json));
		int rc = read_path(path, &c, NULL, &err);
		if (rc != 0)
			print_error("case %zu: %s\n", i, err.msg);
		assert_int_equal(rc, 0);
		assert_int_equal(json_array_size(c.docs), 1);
		assert_json(json_object_get(json_array_get(c.docs, 0), "meta"), cases[i].meta);
		assert_json(c.notices, cases[i].notices);
		unlink(path);
		free(path);
		collect_free(&c);
	}
}

/* A sink that says no stops the reading, with its own message. */
static void test_sink_stops(void **state)
{
	struct collect c;
	struct diag err;

	(void)state;
	char *path = fixture("ghost5.json");
	collect_init(&c);
	c.stop_at = 2;
	assert_int_equal(read_into(path, &c, NULL, &err), -1);
	assert_string_equal(err.msg, "the sink says no at db[0].data.posts[2]");
	assert_int_equal(json_array_size(c.docs), 2);
	free(path);
	collect_free(&c);

	/* A sink with no settings and no notices is fine. */
	struct import_sink bare = {on_doc, NULL, NULL, &c};
	struct ghost_stats st;
	path = fixture("ghost4.json");
	collect_init(&c);
	diag_clear(&err);
	assert_int_equal(ghost_read(path, &bare, &st, &err), 0);
	assert_int_equal(json_array_size(c.docs), 3);
	assert_int_equal(json_array_size(c.events), 3);
	assert_int_equal(st.posts, 3);
	free(path);
	collect_free(&c);
}

static void test_sniff(void **state)
{
	static const struct {
		const char *head;
		bool ghost;
	} cases[] = {
	    {"{\"db\":[{\"meta\":{\"exported_on\":1717056000000,\"version\":\"5.82.2\"}", true},
	    {"\xef\xbb\xbf\n  {\n  \"db\": [", true},
	    {"{\"meta\": {\"version\": \"5.8.0\"}, \"data\": {\"posts\": [", true},
	    {"{\"data\": {\"actions\": [], \"posts\": [", true},
	    {"{\"ghost\": 1, \"exported_on\": 5}", true},
	    {"{\"data\": {\"actions\": [], \"api_keys\": [", false}, /* too little to tell */
	    {"{\"name\": \"my-theme\", \"version\": \"1.0.0\"}", false},
	    {"[{\"db\": 1}]", false},
	    {"---\ntitle: Hello\n---\n", false},
	    {"<?xml version=\"1.0\"?><rss version=\"2.0\"", false},
	    {"", false},
	    {"   ", false},
	    {"{", false},
	};
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		if (ghost_sniff(cases[i].head, strlen(cases[i].head)) != cases[i].ghost)
			fail_msg("case %zu: %s", i, cases[i].head);
	}
	/* The head of every fixture export is one. */
	static const char *const files[] = {"ghost5.json", "ghost4.json", "ghost2.json",
	                                    "mobiledoc.json", "bad-date.json"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(files); i++) {
		char *path = fixture(files[i]);
		size_t len;
		char *text = read_file(path, 1 << 20, &len);
		assert_non_null(text);
		assert_true(ghost_sniff(text, len < 512 ? len : 512));
		free(text);
		free(path);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exports),
	    cmocka_unit_test(test_ghost5_no_secrets),
	    cmocka_unit_test(test_articles),
	    cmocka_unit_test(test_damaged_files),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_odd_values),
	    cmocka_unit_test(test_sink_stops),
	    cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
