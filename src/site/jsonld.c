/*
 * jsonld.c: the JSON-LD of an article page, for search engines: a
 * schema.org NewsArticle and the BreadcrumbList that leads to it.
 *
 * Written by hand into one buffer.  It was built as jansson values with
 * json_pack(), written out by json_dumps() and then made safe for the
 * <script> it goes in: together 12% of an article page made from the
 * database (perf, random articles of 100,000).  The text is the same to
 * the byte: the keys in the same order, every string through
 * escape_json_string() for a script (jansson's escapes with '/' escaped,
 * and '<', '>', '&' as \u003c, \u003e, \u0026, so that no title can
 * close the script), and nothing at all when a value it needs is missing,
 * as json_pack() refused then.
 */
#include <stdio.h>
#include <string.h>

#include "gazette/base/escape.h"
#include "view.h"

/* Appends the JSON of v (a string, an integer, true, false or null); false for anything else. */
static bool put_value(struct buf *b, const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_OBJECT) {
	case JSON_STRING:
		escape_json_string(b, json_string_value(v), json_string_length(v), true);
		return true;
	case JSON_INTEGER: buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); return true;
	case JSON_TRUE: buf_puts(b, "true"); return true;
	case JSON_FALSE: buf_puts(b, "false"); return true;
	case JSON_NULL: buf_puts(b, "null"); return true;
	default: return false;
	}
}

/* Appends ",\"key\":" then the value; false if there is none to write. */
static bool put_field(struct buf *b, const char *key, const json_t *v)
{
	buf_printf(b, ",\"%s\":", key);
	return put_value(b, v);
}

/* Appends the string s. */
static void put_string(struct buf *b, const char *s)
{
	escape_json_string(b, s, strlen(s), true);
}

/* Appends the site's address of dir + slug as a JSON string. */
static void put_site_url(struct buf *b, struct request *req, const char *dir, const char *slug)
{
	struct buf url = BUF_INIT;
	escape_site_link(&url, req->worker->public_url, dir, slug);
	escape_json_string(b, url.data ? url.data : "", url.len, true);
	buf_free(&url);
}

/* Appends [{"@type":"Person","name","url"}] of a's authors (one without a name left out). */
static void put_authors(struct buf *b, struct request *req, const json_t *a)
{
	size_t i;
	json_t *v;
	bool first = true;
	buf_putc(b, '[');
	json_array_foreach(json_object_get(a, "authors"), i, v)
	{
		const json_t *name = json_object_get(v, "name");
		if (name == NULL)
			continue;
		buf_puts(b, first ? "{\"@type\":\"Person\",\"name\":" : ",{\"@type\":\"Person\",\"name\":");
		put_value(b, name);
		buf_puts(b, ",\"url\":");
		put_site_url(b, req, "/authors/", json_string_value(json_object_get(v, "slug")));
		buf_putc(b, '}');
		first = false;
	}
	buf_putc(b, ']');
}

/* Appends the names of a's tags as an array (one without a name left out). */
static void put_keywords(struct buf *b, const json_t *a)
{
	size_t i;
	json_t *v;
	bool first = true;
	buf_putc(b, '[');
	json_array_foreach(json_object_get(a, "tags"), i, v)
	{
		const json_t *name = json_object_get(v, "name");
		if (name == NULL)
			continue;
		if (!first)
			buf_putc(b, ',');
		put_value(b, name);
		first = false;
	}
	buf_putc(b, ']');
}

json_t *jsonld_article(struct request *req, json_t *a, json_t *canonical)
{
	const char *site = view_site_field(req, "title");
	const json_t *title = json_object_get(a, "title");
	const json_t *language = json_object_get(a, "lang_attr")
	                             ? json_object_get(a, "lang_attr")
	                             : json_object_get(req->worker->site, "language");
	char duration[32];
	snprintf(duration, sizeof duration, "PT%lldM",
	         (long long)json_integer_value(json_object_get(a, "reading_time_minutes")));
	if (site == NULL)
		return NULL;

	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"@context\":\"https:\\/\\/schema.org\",\"@graph\":[{\"@type\":\"NewsArticle\"");
	bool ok = put_field(&b, "headline", title) &&
	          put_field(&b, "description", json_object_get(a, "summary")) &&
	          put_field(&b, "url", canonical) &&
	          put_field(&b, "datePublished", json_object_get(a, "published_at")) &&
	          put_field(&b, "dateModified", json_object_get(a, "updated_at")) &&
	          put_field(&b, "wordCount", json_object_get(a, "word_count"));
	if (ok) {
		buf_puts(&b, ",\"author\":");
		put_authors(&b, req, a);
		buf_puts(&b, ",\"publisher\":{\"@type\":\"Organization\",\"name\":");
		put_string(&b, site);
		buf_puts(&b, ",\"url\":");
		put_site_url(&b, req, "/", NULL);
		buf_putc(&b, '}');
		ok = put_field(&b, "inLanguage", language);
	}
	if (ok) {
		buf_puts(&b, ",\"timeRequired\":");
		put_string(&b, duration);
		buf_puts(&b, ",\"keywords\":");
		put_keywords(&b, a);
		buf_puts(&b, ",\"mainEntityOfPage\":{\"@type\":\"WebPage\",\"@id\":");
		ok = put_value(&b, canonical);
	}
	if (ok) {
		buf_puts(&b, "}},{\"@type\":\"BreadcrumbList\",\"itemListElement\":[{\"@type\":"
		             "\"ListItem\",\"position\":1,\"name\":");
		put_string(&b, site);
		buf_puts(&b, ",\"item\":");
		put_site_url(&b, req, "/", NULL);
		buf_puts(&b, "},{\"@type\":\"ListItem\",\"position\":2");
		ok = put_field(&b, "name", title) && put_field(&b, "item", canonical);
		buf_puts(&b, "}]}]}");
	}
	json_t *out = ok ? view_string(&b) : NULL;
	buf_free(&b);
	return out;
}
