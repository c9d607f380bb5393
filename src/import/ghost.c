/*
 * ghost.c: a Ghost JSON export as gazette documents.
 *
 * The export is one JSON object, {"db": [{"meta": {...}, "data": {...}}]}
 * (hand-made exports drop the "db" wrapper), whose "data" holds the
 * database's tables as lists of rows:
 *
 *   posts           id, title, slug, html, mobiledoc (Ghost 1-4), lexical
 *                   (Ghost 5), markdown (Ghost 0.x), type ("post"/"page";
 *                   before Ghost 3 "page": 1 or true), status (published,
 *                   draft, scheduled, sent), visibility, featured,
 *                   feature_image, custom_excerpt, meta_description (before
 *                   Ghost 3), canonical_url, created_at, updated_at,
 *                   published_at (ISO text, or milliseconds in old exports),
 *                   author_id (before multiple authors)
 *   posts_meta      post_id, meta_description, feature_image_alt,
 *                   feature_image_caption (Ghost 3+)
 *   posts_authors   post_id, author_id, sort_order
 *   posts_tags      post_id, tag_id, sort_order
 *   users           id, name, slug, bio, profile_image (and e-mail,
 *                   password: never read)
 *   tags            id, name, slug, visibility ("internal" for #tags)
 *   settings        rows of {key, value}
 *
 * and many more tables (members, newsletters, stripe_*, api_keys, ...) that
 * are never read: only their names and row counts reach the notice.
 */
/* memmem() is GNU. */
#define _GNU_SOURCE
#include "ghost.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/buf.h"
#include "gazette/base/date.h"
#include "gazette/base/util.h"
#include "gazette/content/frontmatter.h"
#include "gazette/content/slug.h"
#include "lexical.h"
#include "mobiledoc.h"

/* An export holds a site's text: tens of MB.  Beyond this it is something else. */
#define GHOST_MAX_BYTES ((size_t)512 << 20)

/* Ghost 4+ writes the site's own address as this, then a path. */
static const char ghost_url[] = "__GHOST_URL__";

/* The tables read; every other one is named in the notice of what was left out. */
static const char *const tables_read[] = {"posts", "posts_authors", "posts_meta", "posts_tags",
                                          "tags",  "users",         "settings",   NULL};

/* The settings read.  The language's key changed: newest first. */
static const char *const language_keys[] = {
    "locale",         /* Ghost 4.x and 5 */
    "lang",           /* Ghost 4.0 */
    "default_locale", /* Ghost 1 to 3 */
    "defaultLang",    /* Ghost 0.x */
    NULL,
};

struct ghost {
	const char *path;
	const char *prefix; /* JSON path of data: "db[0].data" or "data" */
	json_t *data;
	const struct import_sink *sink;
	struct ghost_stats *st;
	struct diag *err;
	/* Indexes of the tables, by id (the rows are borrowed from data). */
	json_t *users;        /* user id -> user */
	json_t *tags;         /* tag id -> tag */
	json_t *meta;         /* post id -> posts_meta row */
	json_t *post_authors; /* post id -> [posts_authors rows] */
	json_t *post_tags;    /* post id -> [posts_tags rows] */
};

/* ---- messages ---- */

/* Sets err: a value of the file that cannot be read as it must.  Returns -1. */
static int bad(struct ghost *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct ghost *g, const char *fmt, ...)
{
	char msg[sizeof g->err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_set(g->err, 0, "%s", msg);
	diag_set_file(g->err, g->path);
	return -1;
}

static void notice(struct ghost *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(struct ghost *g, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (g->sink->notice == NULL)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	g->sink->notice(g->sink->ctx, b.data);
	buf_free(&b);
}

/* ---- values ---- */

/* An id as a key: ids are strings since Ghost 1, numbers before.  NULL if neither. */
static const char *id_key(json_t *v, char buf[32])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return NULL;
}

/* obj[key] when it is a non-empty string, else NULL. */
static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v) || json_string_length(v) == 0)
		return NULL;
	return json_string_value(v);
}

/*
 * obj[key] as text: sets *out to the string, or NULL when the field is
 * missing, null or "".  Returns -1 (err set, naming where.key) if it is
 * something else.
 */
static int text_field(struct ghost *g, json_t *obj, const char *key, const char *where,
                      const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(g, "%s.%s: text was expected", where, key);
	if (json_string_length(v) > 0)
		*out = json_string_value(v);
	return 0;
}

/* True for true, 1, "1" and "true": Ghost's booleans, MySQL's tinyints. */
static bool truthy(json_t *v)
{
	return json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0) ||
	       (json_is_string(v) && (strcmp(json_string_value(v), "1") == 0 ||
	                              strcmp(json_string_value(v), "true") == 0));
}

/* Appends s[0..n) with every "__GHOST_URL__" dropped: "__GHOST_URL__/a/" is "/a/". */
static void put_unghosted(struct buf *out, const char *s, size_t n)
{
	const size_t k = sizeof ghost_url - 1;
	const char *end = s + n;

	while (s < end) {
		const char *hit = memmem(s, (size_t)(end - s), ghost_url, k);
		if (hit == NULL)
			break;
		buf_append(out, s, (size_t)(hit - s));
		s = hit + k;
	}
	buf_append(out, s, (size_t)(end - s));
}

/* meta[key] = s with "__GHOST_URL__" dropped. */
static void set_url(json_t *meta, const char *key, const char *s)
{
	struct buf b = BUF_INIT;
	put_unghosted(&b, s, strlen(s));
	json_object_set_new(meta, key, json_stringn(b.data ? b.data : "", b.len));
	buf_free(&b);
}

/*
 * obj[key] as a date: ISO text ("2021-03-24T04:34:11.000Z", or MySQL's
 * "2021-03-24 04:34:11") or milliseconds since 1970 (old exports).
 * Returns 1 with out set to "YYYY-MM-DDTHH:MM:SSZ", 0 when the field is
 * missing or null, -1 (err set) when it is not a date.
 */
static int date_field(struct ghost *g, json_t *obj, const char *key, const char *where,
                      char out[32])
{
	json_t *v = json_object_get(obj, key);
	int64_t t;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v) || json_is_real(v)) {
		/* Between 1900 and 9999: anything else is not a date Ghost wrote. */
		double ms = json_number_value(v);
		if (!(ms >= -2208988800000.0 && ms < 253402300800000.0))
			return bad(g, "%s.%s: %.0f milliseconds is not a date", where, key, ms);
		long long whole = (long long)ms;
		t = whole / 1000 - (whole % 1000 < 0); /* floor, for dates before 1970 */
	} else if (json_is_string(v)) {
		if (date_parse(json_string_value(v), &t) < 0)
			return bad(g, "%s.%s: '%.60s' is not a date", where, key,
			           json_string_value(v));
	} else {
		return bad(g, "%s.%s: a date was expected", where, key);
	}
	date_format_rfc3339(t, out);
	return 1;
}

/* ---- the tables ---- */

/* index[row[key]] = row for each row of the table; rows must be objects. */
static int index_by(struct ghost *g, const char *table, const char *key, json_t *index)
{
	json_t *rows = json_object_get(g->data, table), *row;
	size_t i;
	char buf[32];

	if (rows == NULL || json_is_null(rows))
		return 0;
	if (!json_is_array(rows))
		return bad(g, "%s.%s: a list of rows was expected", g->prefix, table);
	json_array_foreach(rows, i, row)
	{
		if (!json_is_object(row))
			return bad(g, "%s.%s[%zu]: a row (an object) was expected", g->prefix,
			           table, i);
		const char *id = id_key(json_object_get(row, key), buf);
		if (id != NULL && json_object_get(index, id) == NULL)
			json_object_set(index, id, row);
	}
	return 0;
}

/* index[row.post_id] = [rows...] for a table linking posts to something. */
static int group_by_post(struct ghost *g, const char *table, json_t *index)
{
	json_t *rows = json_object_get(g->data, table), *row;
	size_t i;
	char buf[32];

	if (rows == NULL || json_is_null(rows))
		return 0;
	if (!json_is_array(rows))
		return bad(g, "%s.%s: a list of rows was expected", g->prefix, table);
	json_array_foreach(rows, i, row)
	{
		if (!json_is_object(row))
			return bad(g, "%s.%s[%zu]: a row (an object) was expected", g->prefix,
			           table, i);
		const char *id = id_key(json_object_get(row, "post_id"), buf);
		if (id == NULL)
			continue;
		json_t *list = json_object_get(index, id);
		if (list == NULL) {
			list = json_array();
			json_object_set_new(index, id, list);
		}
		json_array_append(list, row);
	}
	return 0;
}

struct ordered {
	json_int_t order;
	size_t pos;
	json_t *row;
};

static int by_order(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * The rows of list (posts_authors or posts_tags rows of one post) in
 * Ghost's order: by sort_order, then as they come.  The caller frees.
 */
static struct ordered *sorted_rows(json_t *list, size_t *n)
{
	struct ordered *o;
	json_t *row;
	size_t i;

	*n = json_array_size(list);
	o = xcalloc(*n ? *n : 1, sizeof *o);
	json_array_foreach(list, i, row)
	{
		json_t *so = json_object_get(row, "sort_order");
		o[i].order = json_is_integer(so) ? json_integer_value(so) : 0;
		o[i].pos = i;
		o[i].row = row;
	}
	qsort(o, *n, sizeof *o, by_order);
	return o;
}

/*
 * The users who wrote post, in order: through posts_authors, or the
 * post's author_id in exports from before multiple authors.  Returns a new
 * array of user rows; ids that name no user are noticed (when where is not
 * NULL) and left out.
 */
static json_t *post_authors(struct ghost *g, json_t *post, const char *pid, const char *where)
{
	json_t *users = json_array(), *list = pid ? json_object_get(g->post_authors, pid) : NULL;
	char buf[32];

	if (json_array_size(list) > 0) {
		size_t n;
		struct ordered *o = sorted_rows(list, &n);
		for (size_t i = 0; i < n; i++) {
			const char *uid = id_key(json_object_get(o[i].row, "author_id"), buf);
			json_t *user = uid ? json_object_get(g->users, uid) : NULL;
			if (user != NULL)
				json_array_append(users, user);
			else if (where != NULL)
				notice(g, "%s: its author %s is not among the users: left out",
				       where, uid ? uid : "(no id)");
		}
		free(o);
		return users;
	}
	const char *uid = id_key(json_object_get(post, "author_id"), buf);
	if (uid != NULL) {
		json_t *user = json_object_get(g->users, uid);
		if (user != NULL)
			json_array_append(users, user);
		else if (where != NULL)
			notice(g, "%s: its author %s is not among the users: left out", where, uid);
	}
	return users;
}

/* A user's name as a byline: the name, else the slug; NULL if neither. */
static const char *user_name(json_t *user)
{
	const char *name = str(user, "name");
	return name ? name : str(user, "slug");
}

/* An internal tag organizes Ghost's themes and is no topic: "#hash" names. */
static bool tag_internal(json_t *tag)
{
	const char *vis = str(tag, "visibility"), *name = str(tag, "name");
	return (vis != NULL && strcmp(vis, "internal") == 0) || (name != NULL && name[0] == '#');
}

/* ---- before the documents: what is left out, and the site ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_read(const char *table)
{
	for (size_t i = 0; tables_read[i]; i++)
		if (strcmp(table, tables_read[i]) == 0)
			return true;
	return false;
}

/* Appends a table's name as a notice may show it: no control bytes, 60 bytes at most. */
static void put_name(struct buf *b, const char *name)
{
	size_t n = utf8_cut(name, strlen(name), 60);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = '?';
		buf_putc(b, c);
	}
}

/*
 * Counts the tables of the export that are not read and hold rows, and
 * appends them to b by name with their row counts ("left out, never
 * imported: a (2 rows), b (1 row)"); returns how many.
 */
static size_t tables_left_out(struct ghost *g, struct buf *b)
{
	const char *key, **names = xcalloc(json_object_size(g->data) + 1, sizeof *names);
	json_t *v;
	size_t n = 0;

	json_object_foreach(g->data, key, v)
	{
		if (is_read(key) || json_is_null(v) ||
		    (json_is_array(v) && json_array_size(v) == 0))
			continue;
		names[n++] = key;
	}
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(g->data, names[i]);
		size_t rows = json_is_array(v) ? json_array_size(v) : 1;
		g->st->tables_left_out++;
		g->st->rows_left_out += rows;
		buf_puts(b, i == 0 ? "left out, never imported: " : ", ");
		put_name(b, names[i]);
		buf_printf(b, " (%zu row%s)", rows, rows == 1 ? "" : "s");
	}
	free(names);
	return n;
}

/*
 * One notice: the tables not read, with their row counts, the settings not
 * read, and what of the users was.
 */
static void notice_left_out(struct ghost *g, unsigned settings_read)
{
	json_t *settings = json_object_get(g->data, "settings");
	struct buf b = BUF_INIT;

	if (json_is_array(settings) && json_array_size(settings) > settings_read)
		g->st->settings_left_out = (unsigned)(json_array_size(settings) - settings_read);
	size_t n = tables_left_out(g, &b);
	if (g->st->settings_left_out > 0)
		buf_printf(&b, "%s%u setting%s other than the title, description and language",
		           n > 0 ? "; " : "left out, never imported: ", g->st->settings_left_out,
		           g->st->settings_left_out == 1 ? "" : "s");
	if (json_array_size(json_object_get(g->data, "users")) > 0)
		buf_printf(&b, "%sf the users, only the name, bio and picture of authors were read",
		           b.len > 0 ? "; o" : "O");
	if (b.len > 0)
		notice(g, "%s", b.data);
	buf_free(&b);
}

/*
 * The settings rows gazette reads into site: title, description and the
 * language (of language_keys, the first in that list that has a value).
 * *read counts the rows read.
 */
static void read_settings(struct ghost *g, json_t *site, unsigned *read)
{
	json_t *rows = json_object_get(g->data, "settings"), *row;
	size_t i, lang_rank = SIZE_MAX;
	const char *lang = NULL;

	*read = 0;
	json_array_foreach(rows, i, row)
	{
		const char *key = str(row, "key"), *value = str(row, "value");
		if (key == NULL)
			continue;
		if (strcmp(key, "title") == 0 || strcmp(key, "description") == 0) {
			(*read)++;
			if (value != NULL)
				json_object_set_new(site, key, json_string(value));
			continue;
		}
		for (size_t k = 0; language_keys[k]; k++) {
			if (strcmp(key, language_keys[k]) != 0)
				continue;
			(*read)++;
			if (value != NULL && k < lang_rank) {
				lang = value;
				lang_rank = k;
			}
		}
	}
	if (lang != NULL)
		json_object_set_new(site, "language", json_string(lang));
}

/* Adds user to authors under the slug of its name, unless one has that slug already. */
static void add_author(json_t *authors, json_t *user)
{
	const char *name = user_name(user);
	if (name == NULL)
		return;
	char *slug = slug_from_text(name, strlen(name));
	if (slug[0] != '\0' && json_object_get(authors, slug) == NULL) {
		json_t *a = json_pack("{s:s}", "name", name);
		const char *bio = str(user, "bio"), *avatar = str(user, "profile_image");
		if (bio != NULL)
			json_object_set_new(a, "bio", json_string(bio));
		if (avatar != NULL)
			set_url(a, "avatar", avatar);
		json_object_set_new(authors, slug, a);
	}
	free(slug);
}

/* The authors of posts, keyed by slug: {"name", "bio", "avatar"}; the caller's. */
static json_t *site_authors(struct ghost *g, json_t *posts)
{
	json_t *authors = json_object(), *post;
	size_t i;
	char buf[32];
	json_array_foreach(posts, i, post)
	{
		json_t *users =
		    post_authors(g, post, id_key(json_object_get(post, "id"), buf), NULL);
		json_t *user;
		size_t k;
		json_array_foreach(users, k, user) add_author(authors, user);
		json_decref(users);
	}
	return authors;
}

/*
 * The site: the title, description and language settings, and the authors
 * of the posts keyed by the slug gazette makes from their names (as
 * article.c does for bylines): {"name", "bio", "avatar"}.
 */
static json_t *site_settings(struct ghost *g, json_t *posts, unsigned *read)
{
	json_t *site = json_object();
	read_settings(g, site, read);
	json_t *authors = site_authors(g, posts);
	if (json_object_size(authors) > 0)
		json_object_set_new(site, "authors", authors);
	else
		json_decref(authors);
	return site;
}

/* ---- one post ---- */

/*
 * Appends to body the HTML rendered from the editor's document, mobiledoc
 * if there is one, else lexical; the cards it does not know go into
 * unknown.  0, or -1 with the error reported.
 */
static int render_editor(struct ghost *g, const char *where, const char *mobiledoc,
                         const char *lexical, json_t *unknown, struct buf *body)
{
	struct buf raw = BUF_INIT;
	const char *field = mobiledoc ? "mobiledoc" : "lexical";
	int r = mobiledoc ? mobiledoc_render(mobiledoc, strlen(mobiledoc), &raw, unknown, g->err)
	                  : lexical_render(lexical, strlen(lexical), &raw, unknown, g->err);
	if (r < 0) {
		char msg[sizeof g->err->msg];
		snprintf(msg, sizeof msg, "%s", g->err->msg);
		bad(g, "%s.%s: %s", where, field, msg);
		buf_free(&raw);
		return -1;
	}
	put_unghosted(body, raw.data ? raw.data : "", raw.len);
	if (mobiledoc)
		g->st->from_mobiledoc++;
	else
		g->st->from_lexical++;
	buf_free(&raw);
	return 0;
}

/* One notice naming the cards of a post's body that were left out (unknown: their names). */
static void notice_unknown_cards(struct ghost *g, json_t *post, const char *where, json_t *unknown)
{
	struct buf names = BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(unknown, i, v)
	{
		buf_puts(&names, i ? ", " : "");
		put_name(&names, json_string_value(v));
	}
	const char *slug = str(post, "slug");
	notice(g, "%s%s%s%s: left out of the body, cards gazette does not know: %s", where,
	       slug ? " (" : "", slug ? slug : "", slug ? ")" : "", names.data);
	g->st->unknown_cards++;
	buf_free(&names);
}

/* The body: Ghost's HTML, else rendered from Mobiledoc or Lexical. */
static int post_body(struct ghost *g, json_t *post, const char *where, json_t *meta,
                     struct buf *body)
{
	const char *html, *mobiledoc, *lexical, *markdown;
	json_t *unknown = json_array();
	int rc = -1;

	if (text_field(g, post, "html", where, &html) < 0 ||
	    text_field(g, post, "mobiledoc", where, &mobiledoc) < 0 ||
	    text_field(g, post, "lexical", where, &lexical) < 0 ||
	    text_field(g, post, "markdown", where, &markdown) < 0)
		goto done;

	json_object_set_new(meta, "format", json_string("html"));
	if (html != NULL) {
		put_unghosted(body, html, strlen(html));
		g->st->from_html++;
	} else if (mobiledoc != NULL || lexical != NULL) {
		if (render_editor(g, where, mobiledoc, lexical, unknown, body) < 0)
			goto done;
	} else if (markdown != NULL) {
		/* Ghost 0.x kept Markdown: the body stays Markdown, no "format". */
		json_object_del(meta, "format");
		put_unghosted(body, markdown, strlen(markdown));
		g->st->from_markdown++;
	} else {
		g->st->empty++;
	}
	if (json_array_size(unknown) > 0)
		notice_unknown_cards(g, post, where, unknown);
	rc = 0;
done:
	json_decref(unknown);
	return rc;
}

/* authors: and tags: of a post, as lists of names. */
static void post_names(struct ghost *g, json_t *post, const char *pid, const char *where,
                       json_t *meta)
{
	json_t *users = post_authors(g, post, pid, where), *user, *names = json_array();
	size_t i;
	char buf[32];

	json_array_foreach(users, i, user)
	{
		const char *name = user_name(user);
		if (name != NULL)
			json_array_append_new(names, json_string(name));
	}
	json_decref(users);
	if (json_array_size(names) > 0)
		json_object_set(meta, "authors", names);
	json_decref(names);

	names = json_array();
	json_t *list = pid ? json_object_get(g->post_tags, pid) : NULL;
	size_t n;
	struct ordered *o = sorted_rows(list, &n);
	for (i = 0; i < n; i++) {
		const char *tid = id_key(json_object_get(o[i].row, "tag_id"), buf);
		json_t *tag = tid ? json_object_get(g->tags, tid) : NULL;
		if (tag == NULL) {
			notice(g, "%s: its tag %s is not among the tags: left out", where,
			       tid ? tid : "(no id)");
			continue;
		}
		const char *name = str(tag, "name");
		if (name != NULL && !tag_internal(tag))
			json_array_append_new(names, json_string(name));
	}
	free(o);
	if (json_array_size(names) > 0)
		json_object_set(meta, "tags", names);
	json_decref(names);
}

/*
 * read_post()'s parts: each adds its fields of post to meta and returns 0,
 * or -1 with the error reported.
 */

/* Post or page: "type" since Ghost 3, "page" (a boolean) before. */
static int post_type(struct ghost *g, json_t *post, const char *where, json_t *meta)
{
	bool page;
	json_t *v = json_object_get(post, "type");
	if (json_is_string(v)) {
		page = strcmp(json_string_value(v), "page") == 0;
		if (!page && strcmp(json_string_value(v), "post") != 0) {
			bad(g, "%s.type: '%.40s' is neither \"post\" nor \"page\"", where,
			    json_string_value(v));
			return -1;
		}
	} else if (v != NULL && !json_is_null(v)) {
		bad(g, "%s.type: \"post\" or \"page\" was expected", where);
		return -1;
	} else {
		page = truthy(json_object_get(post, "page")); /* before Ghost 3 */
	}
	if (page) {
		json_object_set_new(meta, "type", json_string("page"));
		g->st->pages++;
	}
	return 0;
}

/* Status: Ghost's schema makes a post without one a draft; "sent" went by e-mail only. */
static int post_status(struct ghost *g, const char *status, const char *where, json_t *meta)
{
	bool draft;
	if (status == NULL || strcmp(status, "draft") == 0) {
		draft = true;
	} else if (strcmp(status, "published") == 0) {
		draft = false;
	} else if (strcmp(status, "scheduled") == 0) {
		draft = false;
		g->st->scheduled++;
	} else if (strcmp(status, "sent") == 0) {
		draft = true; /* sent by e-mail, never on the site */
		g->st->email_only++;
	} else {
		bad(g, "%s.status: '%.40s' is not published, draft, scheduled or sent", where,
		    status);
		return -1;
	}
	if (draft) {
		json_object_set_new(meta, "draft", json_string("true"));
		g->st->drafts++;
	}
	return 0;
}

/* Dates: when it was (or will be) published, else when it was begun; when it last changed. */
static int post_dates(struct ghost *g, json_t *post, const char *where, json_t *meta)
{
	char date[32];
	int r = date_field(g, post, "published_at", where, date);
	if (r == 0)
		r = date_field(g, post, "created_at", where, date);
	if (r < 0)
		return -1;
	if (r > 0)
		json_object_set_new(meta, "date", json_string(date));
	if ((r = date_field(g, post, "updated_at", where, date)) < 0)
		return -1;
	if (r > 0)
		json_object_set_new(meta, "lastmod", json_string(date));
	return 0;
}

/* Summary and feature image; posts_meta (pmeta) holds some since Ghost 3. */
static int post_summary(struct ghost *g, json_t *post, json_t *pmeta, const char *where,
                        json_t *meta)
{
	const char *s;
	if (text_field(g, post, "custom_excerpt", where, &s) < 0)
		return -1;
	if (s == NULL)
		s = str(pmeta, "meta_description");
	if (s == NULL)
		s = str(post, "meta_description");
	if (s != NULL)
		json_object_set_new(meta, "summary", json_string(s));
	if (text_field(g, post, "feature_image", where, &s) < 0)
		return -1;
	if (s != NULL) {
		set_url(meta, "image", s);
		if ((s = str(pmeta, "feature_image_alt")) != NULL)
			json_object_set_new(meta, "image_alt", json_string(s));
		if ((s = str(pmeta, "feature_image_caption")) != NULL)
			set_url(meta, "image_caption", s);
	}
	return 0;
}

/* Kept as they are, for themes and for the record: visibility, featured, canonical_url, the id. */
static int post_record(struct ghost *g, json_t *post, const char *pid, const char *where,
                       json_t *meta)
{
	const char *s;
	if (text_field(g, post, "visibility", where, &s) < 0)
		return -1;
	if (s != NULL) {
		json_object_set_new(meta, "visibility", json_string(s));
		if (strcmp(s, "public") != 0)
			g->st->members_only++;
	}
	json_t *v = json_object_get(post, "featured");
	if (v != NULL && !json_is_null(v))
		json_object_set_new(meta, "featured", json_string(truthy(v) ? "true" : "false"));
	if (text_field(g, post, "canonical_url", where, &s) < 0)
		return -1;
	if (s != NULL)
		set_url(meta, "canonical_url", s);
	if (pid != NULL)
		json_object_set_new(meta, "ghost_id", json_string(pid));
	if (str(post, "codeinjection_head") != NULL || str(post, "codeinjection_foot") != NULL)
		g->st->code_injection++;
	return 0;
}

/* Its title and slug, into meta and *slug; its status into *status, for post_status(). */
static int post_title(struct ghost *g, json_t *post, const char *where, json_t *meta,
                      const char **slug, const char **status)
{
	const char *title;
	if (text_field(g, post, "title", where, &title) < 0 ||
	    text_field(g, post, "slug", where, slug) < 0 ||
	    text_field(g, post, "status", where, status) < 0)
		return -1;
	if (title != NULL)
		json_object_set_new(meta, "title", json_string(title));
	if (*slug != NULL)
		json_object_set_new(meta, "slug", json_string(*slug));
	return 0;
}

/* Builds the front matter and body of posts[i] and hands them to the sink. */
static int read_post(struct ghost *g, json_t *post, size_t i)
{
	char where[64], pid_buf[32];
	json_t *meta = json_object();
	struct buf body = BUF_INIT;
	const char *slug, *status;
	int rc = -1;

	snprintf(where, sizeof where, "%s.posts[%zu]", g->prefix, i);
	if (!json_is_object(post)) {
		bad(g, "%s: a post (an object) was expected", where);
		goto done;
	}
	const char *pid = id_key(json_object_get(post, "id"), pid_buf);
	json_t *pmeta = pid ? json_object_get(g->meta, pid) : NULL;

	if (post_title(g, post, where, meta, &slug, &status) < 0 ||
	    post_type(g, post, where, meta) < 0 || post_status(g, status, where, meta) < 0 ||
	    post_dates(g, post, where, meta) < 0 || post_summary(g, post, pmeta, where, meta) < 0)
		goto done;
	post_names(g, post, pid, where, meta);
	/* Its address on Ghost ("/slug/") keeps answering. */
	if (slug != NULL) {
		struct buf alias = BUF_INIT;
		buf_printf(&alias, "/%s/", slug);
		json_object_set_new(meta, "aliases", json_pack("[s%]", alias.data, alias.len));
		buf_free(&alias);
	}
	if (post_record(g, post, pid, where, meta) < 0 ||
	    post_body(g, post, where, meta, &body) < 0)
		goto done;

	struct fm_doc doc = {
	    .meta = meta,
	    .lines = json_object(),
	    .body = body.data ? body.data : "",
	    .body_len = body.len,
	    .body_line = 1,
	};
	g->st->posts++;
	rc = g->sink->doc ? g->sink->doc(g->sink->ctx, &doc, where, g->err) : 0;
	json_decref(doc.lines);
done:
	json_decref(meta);
	buf_free(&body);
	return rc;
}

/* ---- the file ---- */

static int read_data(struct ghost *g, json_t *posts)
{
	int rc = -1;
	size_t i;
	json_t *post, *site = NULL;
	unsigned settings_read = 0;

	g->users = json_object();
	g->tags = json_object();
	g->meta = json_object();
	g->post_authors = json_object();
	g->post_tags = json_object();
	if (index_by(g, "users", "id", g->users) < 0 || index_by(g, "tags", "id", g->tags) < 0 ||
	    index_by(g, "posts_meta", "post_id", g->meta) < 0 ||
	    group_by_post(g, "posts_authors", g->post_authors) < 0 ||
	    group_by_post(g, "posts_tags", g->post_tags) < 0)
		goto done;
	json_t *settings = json_object_get(g->data, "settings");
	if (settings != NULL && !json_is_null(settings) && !json_is_array(settings)) {
		bad(g, "%s.settings: a list of rows was expected", g->prefix);
		goto done;
	}

	site = site_settings(g, posts, &settings_read);
	notice_left_out(g, settings_read);
	if (g->sink->settings != NULL && g->sink->settings(g->sink->ctx, site, g->err) < 0)
		goto done;

	json_array_foreach(posts, i, post)
	{
		if (read_post(g, post, i) < 0)
			goto done;
	}

	if (g->st->members_only > 0)
		notice(g,
		       "%u post%s for members only in Ghost (visibility members, paid or tiers): "
		       "gazette has no members, so they are public once published; their "
		       "'visibility' field says which they were",
		       g->st->members_only, g->st->members_only == 1 ? " was" : "s were");
	if (g->st->code_injection > 0)
		notice(g,
		       "%u post%s code for the page's head or foot (Ghost's code injection): left "
		       "out, as gazette runs no scripts of posts",
		       g->st->code_injection, g->st->code_injection == 1 ? " had" : "s had");
	if (g->st->email_only > 0)
		notice(g, "%u post%s sent by e-mail only (status sent): imported as drafts",
		       g->st->email_only, g->st->email_only == 1 ? " was" : "s were");
	rc = 0;
done:
	json_decref(site);
	json_decref(g->users);
	json_decref(g->tags);
	json_decref(g->meta);
	json_decref(g->post_authors);
	json_decref(g->post_tags);
	return rc;
}

static const char *json_kind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_NULL: return "null";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "a number";
	}
}

/* The file at path read as JSON (the caller's), or NULL with the error reported. */
static json_t *load_export(struct ghost *g, const char *path)
{
	json_error_t jerr;
	size_t len;
	char *text = read_file(path, GHOST_MAX_BYTES, &len);
	if (text == NULL) {
		if (errno == EFBIG)
			bad(g, "larger than %zu MiB: too big for a Ghost export",
			    GHOST_MAX_BYTES >> 20);
		else
			bad(g, "cannot read it: %s", strerror(errno));
		return NULL;
	}
	if (len == 0) {
		free(text);
		bad(g, "the file is empty: not a Ghost export");
		return NULL;
	}
	json_t *root = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
	free(text);
	if (root == NULL) {
		bad(g, "damaged JSON at line %d, column %d (byte offset %d): %s", jerr.line,
		    jerr.column, jerr.position, jerr.text);
		g->err->line = jerr.line > 0 ? (unsigned)jerr.line : 0;
	}
	return root;
}

/*
 * Where root keeps its tables: root itself ({"data": ...}) or the first of
 * its "db" list; g->prefix and g->data set, *db the list (or NULL).  The
 * "posts" table, or NULL with the error reported.
 */
static json_t *find_posts(struct ghost *g, json_t *root, json_t **base, json_t **db)
{
	if (!json_is_object(root)) {
		bad(g, "not a Ghost export: the file holds %s, not an object", json_kind(root));
		return NULL;
	}
	*db = json_object_get(root, "db");
	if (*db != NULL) {
		if (!json_is_array(*db) || !json_is_object(json_array_get(*db, 0))) {
			bad(g, "not a Ghost export: \"db\" is not a list of databases");
			return NULL;
		}
		*base = json_array_get(*db, 0);
		g->prefix = "db[0].data";
	} else {
		*base = root;
		g->prefix = "data";
	}
	g->data = json_object_get(*base, "data");
	if (!json_is_object(g->data)) {
		bad(g, "not a Ghost export: no \"data\" object%s", *db ? " in db[0]" : "");
		return NULL;
	}
	json_t *posts = json_object_get(g->data, "posts");
	if (posts == NULL) {
		bad(g, "not a Ghost export: %s has no \"posts\"", g->prefix);
		return NULL;
	}
	if (!json_is_array(posts)) {
		bad(g, "%s.posts: a list of posts was expected", g->prefix);
		return NULL;
	}
	return posts;
}

int ghost_read(const char *path, const struct import_sink *sink, struct ghost_stats *stats,
               struct diag *err)
{
	struct ghost_stats scratch = {0};
	struct ghost g = {.path = path, .sink = sink, .st = stats ? stats : &scratch, .err = err};
	json_t *base, *db;
	int rc = -1;

	memset(g.st, 0, sizeof *g.st);
	json_t *root = load_export(&g, path);
	if (root == NULL)
		return -1;
	json_t *posts = find_posts(&g, root, &base, &db);
	if (posts != NULL) {
		const char *version = str(json_object_get(base, "meta"), "version");
		if (version != NULL)
			snprintf(g.st->version, sizeof g.st->version, "%s", version);
		if (json_array_size(db) > 1)
			notice(&g, "the export holds %zu databases: only the first was read",
			       json_array_size(db));
		rc = read_data(&g, posts);
	}
	json_decref(root);
	return rc;
}

/* ---- sniffing ---- */

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static bool has(const char *head, size_t len, const char *needle)
{
	return memmem(head, len, needle, strlen(needle)) != NULL;
}

bool ghost_sniff(const char *head, size_t len)
{
	const char *p = head, *end = head + len;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	p = skip_space(p, end);
	if (p == end || *p != '{')
		return false;
	p = skip_space(p + 1, end);
	size_t rest = (size_t)(end - p);
	if (rest >= 4 && memcmp(p, "\"db\"", 4) == 0)
		return true;
	if (has(head, len, "\"exported_on\""))
		return true;
	if ((rest >= 6 && (memcmp(p, "\"meta\"", 6) == 0 || memcmp(p, "\"data\"", 6) == 0)) &&
	    has(head, len, "\"posts\""))
		return true;
	return false;
}
