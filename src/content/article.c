/*
 * article.c: the content format.  Turns a file's front matter and body into
 * a struct article, with the field names Hugo and Jekyll use, so that an
 * existing content folder imports as it is.
 */
#include "gazette/content/article.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/date.h"
#include "gazette/content/slug.h"
#include "gazette/base/util.h"

/*
 * Fields gazette interprets.  Where several names mean the same thing, the
 * first one present wins and the others stay in `extra` untouched.
 */
static const char *const title_keys[] = {"title", NULL};
static const char *const slug_keys[] = {"slug", NULL};
static const char *const summary_keys[] = {"summary", "description", "excerpt", NULL};
static const char *const date_keys[] = {"date", "publishDate", "published_at", NULL};
static const char *const updated_keys[] = {"lastmod", "updated", "last_modified_at", "updated_at",
                                           NULL};
static const char *const draft_keys[] = {"draft", NULL};
static const char *const weight_keys[] = {"weight", NULL};

/* Reserved first path segments: a page called "search" would be unreachable. */
static const char *const reserved_slugs[] = {
    "api",     "archive",  "articles",    "authors",   "feed.json", "feed.xml", "healthz",
    "metrics", "page",     "robots.txt",  "rss.xml",   "search",   "sitemap.xml",
    "static",  "tags",     "favicon.ico", NULL,
};

bool article_slug_reserved(const char *slug)
{
	for (size_t i = 0; reserved_slugs[i]; i++)
		if (strcmp(slug, reserved_slugs[i]) == 0)
			return true;
	return false;
}

unsigned article_reading_minutes(unsigned words, unsigned wpm)
{
	if (wpm == 0)
		wpm = 265;
	unsigned m = (words + wpm - 1) / wpm;
	return m ? m : 1;
}

/* The line of a top-level field, or 1 when unknown. */
static unsigned field_line(const struct fm_doc *doc, const char *key)
{
	json_t *l = json_object_get(doc->lines, key);
	return json_is_integer(l) ? (unsigned)json_integer_value(l) : 1;
}

/* The first of keys present in meta with a non-null value; sets *key. */
static json_t *first_field(const struct fm_doc *doc, const char *const *keys, const char **key)
{
	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(doc->meta, keys[i]);
		if (v && !json_is_null(v)) {
			*key = keys[i];
			return v;
		}
	}
	*key = NULL;
	return NULL;
}

/* A field that must be one line of text: trims it; NULL with err set if it is a list or map. */
static char *text_field(const struct fm_doc *doc, const char *key, json_t *v, struct diag *err)
{
	if (!json_is_string(v)) {
		diag_set(err, field_line(doc, key), "'%s' must be text, not a %s", key,
		         json_is_array(v) ? "list" : "mapping");
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	while (n > 0 &&
	       (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (memchr(s, '\0', n) != NULL) {
		diag_set(err, field_line(doc, key), "'%s' contains a NUL character", key);
		return NULL;
	}
	return xstrndup(s, n);
}

/* YAML 1.1 booleans as Jekyll (Ruby's Psych) reads them. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "y", NULL};
	static const char *const no[] = {"false", "no", "off", "n", NULL};
	for (size_t i = 0; yes[i]; i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	for (size_t i = 0; no[i]; i++)
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	return -1;
}

static int bool_field(const struct fm_doc *doc, const char *key, json_t *v, bool *out,
                      struct diag *err)
{
	if (!json_is_string(v) || parse_bool(json_string_value(v), out) < 0) {
		diag_set(err, field_line(doc, key), "'%s' must be true or false", key);
		return -1;
	}
	return 0;
}

static int date_field(const struct fm_doc *doc, const char *key, json_t *v, int64_t *out,
                      struct diag *err)
{
	if (!json_is_string(v) || date_parse(json_string_value(v), out) < 0) {
		diag_set(err, field_line(doc, key),
		         "'%s': cannot read %s%s%s as a date (write e.g. 2025-02-04 or "
		         "2025-02-04T10:00:00Z)",
		         key, json_is_string(v) ? "'" : "a ",
		         json_is_string(v) ? json_string_value(v)
		                           : (json_is_array(v) ? "list" : "mapping"),
		         json_is_string(v) ? "'" : "");
		return -1;
	}
	return 0;
}

/*
 * Appends {"slug", "name"} for name to list unless an entry with the same
 * slug is there already ("DirtyF" and "dirtyf" are one person).
 */
static int add_named(json_t *list, const char *what, const char *name, size_t n, unsigned line,
                     struct diag *err)
{
	while (n > 0 && (*name == ' ' || *name == '\t')) {
		name++;
		n--;
	}
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0; /* "tags: [a, , b]": an empty item names nothing */

	char *slug = slug_from_text(name, n);
	if (slug[0] == '\0') {
		diag_set(err, line, "%s '%.*s' has no letters or digits to make a URL from", what,
		         (int)n, name);
		free(slug);
		return -1;
	}
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		if (strcmp(json_string_value(json_object_get(item, "slug")), slug) == 0) {
			free(slug);
			return 0;
		}
	}
	json_array_append_new(list, json_pack("{s:s, s:s%}", "slug", slug, "name", name, n));
	free(slug);
	return 0;
}

/* Adds each name of the list v to list; nulls are skipped. */
static int add_name_list(json_t *list, const char *what, const char *key, json_t *v, unsigned line,
                         struct diag *err)
{
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		if (json_is_null(item))
			continue;
		if (!json_is_string(item)) {
			diag_set(err, line, "'%s' must be a list of names", key);
			return -1;
		}
		if (add_named(list, what, json_string_value(item), json_string_length(item), line,
		              err) < 0)
			return -1;
	}
	return 0;
}

/* Adds the names of s[0..n) to list, cut at each of seps ("": one name). */
static int add_name_text(json_t *list, const char *what, const char *s, size_t n, const char *seps,
                         unsigned line, struct diag *err)
{
	while (n > 0) {
		size_t k = 0;
		while (k < n && !strchr(seps, s[k]))
			k++;
		if (seps[0] == '\0')
			k = n;
		if (add_named(list, what, s, k, line, err) < 0)
			return -1;
		s += k;
		n -= k;
		if (n > 0) {
			s++;
			n--;
		}
	}
	return 0;
}

/*
 * Adds the names in v (a list, or text) to list.  Text is split the way
 * Jekyll splits `tags: a b`, on spaces, unless split is false (one name:
 * `author: Jane Doe`, `category: Open Source`) or the text has commas
 * (`tags: open source, ruby`), then on commas.
 */
static int add_names(json_t *list, const char *what, const struct fm_doc *doc, const char *key,
                     json_t *v, bool split, struct diag *err)
{
	unsigned line = field_line(doc, key);

	if (json_is_array(v))
		return add_name_list(list, what, key, v, line, err);
	if (!json_is_string(v)) {
		diag_set(err, line, "'%s' must be a name or a list of names", key);
		return -1;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	const char *seps = !split ? "" : (memchr(s, ',', n) ? "," : " \t");
	return add_name_text(list, what, s, n, seps, line, err);
}

/*
 * The base name of path without its extension, and the date of a Jekyll
 * "YYYY-MM-DD-name.md" file name if it has one.
 */
static char *file_stem(const char *path, bool *has_date, int64_t *date)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);

	*has_date = false;
	if (n > 11 && base[4] == '-' && base[7] == '-' && base[10] == '-') {
		char day[11];
		memcpy(day, base, 10);
		day[10] = '\0';
		if (date_parse(day, date) == 0) {
			*has_date = true;
			return xstrndup(base + 11, n - 11);
		}
	}
	return xstrndup(base, n);
}

/* The front matter keys article_from_doc() has read: the others go to extra. */
struct used_keys {
	const char *k[40];
	size_t n;
};

static void use_key(struct used_keys *used, const char *key)
{
	if (used->n < GZ_ARRAY_LEN(used->k))
		used->k[used->n++] = key;
}

static bool is_consumed(const char *key, const struct used_keys *used)
{
	for (size_t i = 0; i < used->n; i++)
		if (strcmp(key, used->k[i]) == 0)
			return true;
	return false;
}

/* The file's name without extension, and the date a Jekyll file name begins with. */
struct stem {
	char *name;
	bool dated;
	int64_t date;
};

/*
 * Kind: a page (Hugo's `type: page`, Jekyll's `layout: page`) or a post,
 * decided first because a page needs no date.
 */
static void read_kind(struct article *a, const struct fm_doc *doc, struct used_keys *used)
{
	json_t *type = json_object_get(doc->meta, "type");
	json_t *layout = json_object_get(doc->meta, "layout");
	if (json_is_string(type) && strcmp(json_string_value(type), "page") == 0) {
		a->kind = ARTICLE_PAGE;
		use_key(used, "type");
	} else if (json_is_string(layout) && strcmp(json_string_value(layout), "page") == 0) {
		a->kind = ARTICLE_PAGE;
		use_key(used, "layout");
	} else if (json_is_string(layout) && strcmp(json_string_value(layout), "post") == 0) {
		use_key(used, "layout"); /* Jekyll's default for posts says nothing more */
	}
}

/* Title: required, one line of text, not empty. */
static int read_title(struct article *a, const struct fm_doc *doc, struct used_keys *used,
                      struct diag *err)
{
	const char *key;
	json_t *v = first_field(doc, title_keys, &key);
	if (v == NULL) {
		diag_set(err, 1, "no title: add a line 'title: ...' to the front matter");
		return -1;
	}
	use_key(used, key);
	if ((a->title = text_field(doc, key, v, err)) == NULL)
		return -1;
	if (a->title[0] == '\0') {
		diag_set(err, field_line(doc, key), "the title is empty");
		return -1;
	}
	return 0;
}

/*
 * Slug: the one given, else made from a Jekyll file name's stem, else from
 * the title.  A page's may not be one of gazette's own addresses.
 */
static int read_slug(struct article *a, const struct fm_doc *doc, const struct stem *stem,
                     struct used_keys *used, struct diag *err)
{
	const char *key;
	json_t *v = first_field(doc, slug_keys, &key);
	if (v != NULL) {
		use_key(used, key);
		if ((a->slug = text_field(doc, key, v, err)) == NULL)
			return -1;
		if (!slug_is_valid(a->slug, strlen(a->slug))) {
			diag_set(err, field_line(doc, key),
			         "slug '%s' cannot be used in a URL (use letters, digits, '-', "
			         "'_' and '.'; no '/' or spaces)",
			         a->slug);
			return -1;
		}
		a->slug_origin = SLUG_GIVEN;
		a->slug_line = field_line(doc, key);
	} else {
		const char *from = stem->dated ? stem->name : a->title;
		a->slug = slug_from_text(from, strlen(from));
		a->slug_origin = stem->dated ? SLUG_FILENAME : SLUG_TITLE;
		a->slug_line = field_line(doc, "title");
		if (a->slug[0] == '\0') {
			diag_set(err, a->slug_line,
			         "cannot make a URL from the title '%s': add a 'slug:' field",
			         a->title);
			return -1;
		}
	}
	if (a->kind == ARTICLE_PAGE && article_slug_reserved(a->slug)) {
		diag_set(err, a->slug_line,
		         "'%s' is one of gazette's own addresses and cannot name a page; "
		         "add another 'slug:'",
		         a->slug);
		return -1;
	}
	return 0;
}

/* Summary: one line of text, "" when there is none. */
static int read_summary(struct article *a, const struct fm_doc *doc, struct used_keys *used,
                        struct diag *err)
{
	const char *key;
	json_t *v = first_field(doc, summary_keys, &key);
	if (v == NULL) {
		a->summary = xstrdup("");
		return 0;
	}
	use_key(used, key);
	return (a->summary = text_field(doc, key, v, err)) == NULL ? -1 : 0;
}

/*
 * Draft: `draft: true`, Jekyll's `published: false` (taken only when it
 * reads as a boolean), or a file in a _drafts folder.
 */
static int read_draft(struct article *a, const struct fm_doc *doc, const char *path,
                      struct used_keys *used, struct diag *err)
{
	const char *key;
	json_t *v = first_field(doc, draft_keys, &key);
	if (v != NULL) {
		use_key(used, key);
		if (bool_field(doc, key, v, &a->draft, err) < 0)
			return -1;
	}
	v = json_object_get(doc->meta, "published");
	bool published;
	if (v != NULL && json_is_string(v) && parse_bool(json_string_value(v), &published) == 0) {
		use_key(used, "published");
		if (!published)
			a->draft = true;
	}
	if (strstr(path, "/_drafts/") != NULL || strncmp(path, "_drafts/", 8) == 0)
		a->draft = true;
	return 0;
}

/*
 * Dates: published (the field, else the file name's date; a post that is
 * not a draft must have one) and updated (optional).
 */
static int read_dates(struct article *a, const struct fm_doc *doc, const struct stem *stem,
                      struct used_keys *used, struct diag *err)
{
	const char *key;
	json_t *v = first_field(doc, date_keys, &key);
	if (v != NULL) {
		use_key(used, key);
		if (date_field(doc, key, v, &a->published_at, err) < 0)
			return -1;
		a->has_date = true;
	} else if (stem->dated) {
		a->published_at = stem->date;
		a->has_date = true;
	} else if (a->kind == ARTICLE_POST && !a->draft) {
		diag_set(err, 1,
		         "no date: add a line 'date: 2025-02-04' (or name the file "
		         "YYYY-MM-DD-name.md)");
		return -1;
	}

	v = first_field(doc, updated_keys, &key);
	if (v != NULL) {
		use_key(used, key);
		if (date_field(doc, key, v, &a->updated_at, err) < 0)
			return -1;
		a->has_updated = true;
	}
	return 0;
}

/* Weight: a whole number, written as text in the front matter. */
static int read_weight(struct article *a, const struct fm_doc *doc, struct used_keys *used,
                       struct diag *err)
{
	const char *key;
	json_t *v = first_field(doc, weight_keys, &key);
	if (v == NULL)
		return 0;
	use_key(used, key);
	const char *w = json_is_string(v) ? json_string_value(v) : "";
	char *end;
	a->weight = strtoll(w, &end, 10);
	if (end == w || *end != '\0') {
		diag_set(err, field_line(doc, key), "'weight' must be a whole number");
		return -1;
	}
	return 0;
}

/*
 * The length of the separator between two people's names at s[0..n), or
 * 0: a comma, a semicolon, an ampersand, or the word "and" between spaces
 * ("Rémy Rakic, Niko Matsakis and Santiago Pastorino", "A & B").
 */
static size_t people_separator(const char *s, size_t n)
{
	if (s[0] == ',' || s[0] == ';' || s[0] == '&')
		return 1;
	if (n >= 5 && s[0] == ' ' && strncasecmp(s + 1, "and ", 4) == 0)
		return 5;
	return 0;
}

/* Adds the people a byline names, one or several (people_separator()). */
static int add_people_text(json_t *list, const char *s, size_t n, unsigned line,
                           struct diag *err)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		size_t sep = i < n ? people_separator(s + i, n - i) : 1;
		if (sep == 0)
			continue;
		if (add_named(list, "author", s + start, i - start, line, err) < 0)
			return -1;
		start = i + sep;
		i = start - 1;
	}
	return 0;
}

/*
 * People and tags: `author` (one name, a byline of several, or a list)
 * and `authors` (a list); Hugo's tags and categories, Jekyll's tags,
 * categories and category.
 */
static int read_people_and_tags(struct article *a, const struct fm_doc *doc, struct used_keys *used,
                                struct diag *err)
{
	static const char *const author_keys[] = {"authors", "author"};
	static const char *const tag_keys[] = {"tags", "categories", "category"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(author_keys); i++) {
		json_t *v = json_object_get(doc->meta, author_keys[i]);
		if (v == NULL || json_is_null(v))
			continue;
		use_key(used, author_keys[i]);
		int rc = json_is_string(v) ? add_people_text(a->authors, json_string_value(v),
		                                             json_string_length(v),
		                                             field_line(doc, author_keys[i]), err)
		                           : add_names(a->authors, "author", doc, author_keys[i], v,
		                                       false, err);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < GZ_ARRAY_LEN(tag_keys); i++) {
		json_t *v = json_object_get(doc->meta, tag_keys[i]);
		if (v == NULL || json_is_null(v))
			continue;
		use_key(used, tag_keys[i]);
		bool split = strcmp(tag_keys[i], "category") != 0;
		if (add_names(a->tags, "tag", doc, tag_keys[i], v, split, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Extra: every field not read above, kept as it was written, with its YAML
 * type (a boolean stays a boolean) where the document has them.
 */
static void keep_extra(struct article *a, const struct fm_doc *doc, const struct used_keys *used)
{
	const char *k;
	json_t *v;
	a->extra = json_object();
	json_object_foreach(doc->meta, k, v)
	{
		if (is_consumed(k, used))
			continue;
		json_t *typed = doc->typed ? json_object_get(doc->typed, k) : NULL;
		json_object_set(a->extra, k, typed ? typed : v);
	}
}

/*
 * The body's format: Markdown, or HTML (what a WordPress or Ghost export
 * gives, marked "format: html").
 */
static int read_format(struct article *a, const struct fm_doc *doc, struct used_keys *used,
                       struct diag *err)
{
	json_t *v = json_object_get(doc->meta, "format");
	a->format = ARTICLE_MARKDOWN;
	if (v == NULL || json_is_null(v))
		return 0;
	use_key(used, "format");
	const char *s = json_string_value(v);
	if (s && (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0))
		return 0;
	if (s && strcmp(s, "html") == 0) {
		a->format = ARTICLE_HTML;
		return 0;
	}
	diag_set(err, field_line(doc, "format"), "'format' must be markdown or html");
	return -1;
}

/*
 * Where the article lived before: url: (Hugo), permalink: (Jekyll), a
 * string each; aliases: (Hugo) and redirect_from: (Jekyll), a string or a
 * list of them.  The import reads them (addresses.c); here they are checked
 * and kept out of extra, since gazette answers them itself.
 */
static int read_addresses(const struct fm_doc *doc, struct used_keys *used, struct diag *err)
{
	static const char *const one[] = {"url", "permalink"};
	static const char *const many[] = {"aliases", "redirect_from"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(one); i++) {
		json_t *v = json_object_get(doc->meta, one[i]);
		if (v == NULL)
			continue;
		use_key(used, one[i]);
		if (!json_is_null(v) && !json_is_string(v)) {
			diag_set(err, field_line(doc, one[i]), "'%s' must be an address such as /2015/05/15/hello.html",
			         one[i]);
			return -1;
		}
	}
	for (size_t i = 0; i < GZ_ARRAY_LEN(many); i++) {
		json_t *v = json_object_get(doc->meta, many[i]);
		if (v == NULL)
			continue;
		use_key(used, many[i]);
		bool ok = json_is_null(v) || json_is_string(v) || json_is_array(v);
		if (json_is_array(v)) {
			size_t k;
			json_t *x;
			json_array_foreach(v, k, x) ok = ok && json_is_string(x);
		}
		if (!ok) {
			diag_set(err, field_line(doc, many[i]), "'%s' must be an address or a list of addresses",
			         many[i]);
			return -1;
		}
	}
	return 0;
}

/* The article's own language, when it is not the site's: a BCP 47 tag ("ar", "pt-BR"). */
static int read_lang(struct article *a, const struct fm_doc *doc, struct used_keys *used,
                     struct diag *err)
{
	static const char *const keys[] = {"lang", "language", NULL};
	const char *key;
	json_t *v = first_field(doc, keys, &key);
	if (v == NULL || json_is_null(v))
		return 0;
	use_key(used, key);
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	bool ok = n > 0 && n <= 35 && isalpha((unsigned char)s[0]);
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_';
	if (!ok) {
		diag_set(err, field_line(doc, key),
		         "'%s' must be a language tag such as en, de or pt-BR", key);
		return -1;
	}
	a->lang = xstrdup(s);
	for (char *p = a->lang; *p; p++)
		if (*p == '_')
			*p = '-';
	return 0;
}

int article_from_doc(struct article *a, const struct fm_doc *doc, const char *path,
                     const char *text, size_t len, struct diag *err)
{
	struct used_keys used = {.n = 0};
	struct stem stem = {.name = NULL};

	memset(a, 0, sizeof *a);
	a->authors = json_array();
	a->tags = json_array();
	a->source = xstrdup(path);
	snprintf(a->source_hash, sizeof a->source_hash, "%016llx",
	         (unsigned long long)hash_bytes(GZ_HASH_INIT, text, len));

	/* Field by field, in the order their errors are reported. */
	read_kind(a, doc, &used);
	if (read_title(a, doc, &used, err) < 0)
		goto fail;
	stem.name = file_stem(path, &stem.dated, &stem.date);
	if (read_slug(a, doc, &stem, &used, err) < 0 || read_summary(a, doc, &used, err) < 0 ||
	    read_draft(a, doc, path, &used, err) < 0 || read_dates(a, doc, &stem, &used, err) < 0 ||
	    read_weight(a, doc, &used, err) < 0 || read_people_and_tags(a, doc, &used, err) < 0 ||
	    read_format(a, doc, &used, err) < 0 || read_lang(a, doc, &used, err) < 0 ||
	    read_addresses(doc, &used, err) < 0)
		goto fail;
	keep_extra(a, doc, &used);

	a->body_md = xstrndup(doc->body, doc->body_len);
	a->body_line = doc->body_line;
	free(stem.name);
	return 0;

fail:
	free(stem.name);
	article_free(a);
	return -1;
}

int article_render(struct article *a)
{
	md_doc_free(&a->md);
	return md_render(a->body_md, strlen(a->body_md), &a->md);
}

void article_release_body(struct article *a)
{
	md_doc_free(&a->md);
	free(a->body_md);
	a->body_md = NULL;
}

void article_free(struct article *a)
{
	free(a->slug);
	free(a->title);
	free(a->summary);
	free(a->lang);
	free(a->url);
	free(a->path);
	free(a->body_md);
	md_doc_free(&a->md);
	json_decref(a->authors);
	json_decref(a->tags);
	json_decref(a->extra);
	free(a->source);
	memset(a, 0, sizeof *a);
}

void article_seal(struct article *a, uint64_t context)
{
	uint64_t h = hash_bytes(GZ_HASH_INIT, a->source_hash, strlen(a->source_hash));
	unsigned version = ARTICLE_RENDER_VERSION;
	h = hash_bytes(h, &version, sizeof version);
	h = hash_bytes(h, &context, sizeof context);
	snprintf(a->render_hash, sizeof a->render_hash, "%016llx", (unsigned long long)h);
}
