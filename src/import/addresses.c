/*
 * addresses.c: where an article lived before gazette.  Its old addresses
 * answer 301 to its new one (store_files.c keeps them), and its relative
 * references ("../images/a.png") resolve from its old address as they did
 * on the original site (refs.c).
 *
 *   - url: (Hugo) or permalink: (Jekyll) in its front matter: its address;
 *   - a Jekyll post (in a _posts folder, or with a permalink setting in
 *     _config.yml beside the posts or in site.yaml): its permalink, by
 *     Jekyll's default date style when nothing else is set;
 *   - a date-prefixed file name (2015-05-15-Rust-1.0.md): also
 *     /2015/05/15/Rust-1.0.html, the address most blogs of that layout had;
 *   - aliases: (Hugo) and redirect_from: (Jekyll): more old addresses;
 *   - an export's document: its aliases (the WordPress item's link, ?p=ID;
 *     Ghost's /slug/);
 *   - otherwise a file below an imported folder lived where Hugo puts it:
 *     /posts/hello/ for posts/hello.md and posts/hello/index.md; an old
 *     address when the folder is a Hugo site's content (its configuration
 *     file beside it), else only the base its relative references had.
 */
#include "batch.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"
#include "gazette/content/links.h"
#include "gazette/content/permalink.h"

char *addresses_canonical(const char *path)
{
	struct buf out = BUF_INIT;
	const char *why;
	if (path == NULL || url_canonical_path(path, strlen(path), NULL, &out, &why) < 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

/*
 * An address as a base for relative references: canonical, with the '/'
 * it ended with kept ("/posts/trip/" + "a.png" is /posts/trip/a.png).
 */
static char *base_form(const char *path)
{
	char *c = addresses_canonical(path);
	size_t n = path ? strcspn(path, "?#") : 0;
	if (c && n > 1 && path[n - 1] == '/' && strchr(c, '?') == NULL) {
		size_t len = strlen(c);
		c = xrealloc(c, len + 2);
		memcpy(c + len, "/", 2);
	}
	return c;
}

/* Adds an old address (canonical, once) from origin_name; a relative one resolves from base. */
static void add_address(json_t *list, const char *path, const char *base, const char *origin_name)
{
	struct buf abs = BUF_INIT;
	if (path && path[0] != '/' && strncmp(path, "http://", 7) != 0 &&
	    strncmp(path, "https://", 8) != 0 && base) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "http://x%s", base);
		url_resolve(&abs, b.data, path, strlen(path));
		buf_free(&b);
		path = abs.data;
	}
	char *canonical = addresses_canonical(path);
	buf_free(&abs);
	if (canonical == NULL)
		return;
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "path")), canonical) == 0) {
			free(canonical);
			return;
		}
	}
	json_array_append_new(list, json_pack("{s:s, s:s}", "path", canonical, "origin",
	                                      origin_name));
	free(canonical);
}

/* Adds a field holding one address or a list of them. */
static void add_field(json_t *list, json_t *v, const char *base, const char *origin_name)
{
	size_t i;
	json_t *item;
	if (json_is_string(v))
		add_address(list, json_string_value(v), base, origin_name);
	json_array_foreach(v, i, item) if (json_is_string(item))
	    add_address(list, json_string_value(item), base, origin_name);
}

/* The file name of rel without its folders, and its length without the extension. */
static const char *stem_of(const char *rel, size_t *len)
{
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;
	const char *dot = strrchr(name, '.');
	*len = dot && dot > name ? (size_t)(dot - name) : strlen(name);
	return name;
}

/* True if name starts with a Jekyll date, "YYYY-MM-DD-". */
static bool dated_name(const char *name, size_t len)
{
	static const char shape[] = "dddd-dd-dd-";
	if (len <= sizeof shape - 1)
		return false;
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)name[i]) : name[i] != shape[i])
			return false;
	return true;
}

/* True if rel lies in a folder named _posts. */
static bool in_posts(const char *rel)
{
	return strncmp(rel, "_posts/", 7) == 0 || strstr(rel, "/_posts/") != NULL;
}

/*
 * The categories of a Jekyll post: its front matter's, then the folders
 * above _posts ("blog/_posts/x.md" is in blog), as Jekyll takes them.
 */
static json_t *jekyll_categories(const struct fm_doc *doc, const char *rel)
{
	json_t *out = json_array();
	const char *posts = strstr(rel, "_posts/");
	for (const char *s = rel; posts && s < posts;) {
		size_t n = strcspn(s, "/");
		if (n > 0 && s + n <= posts)
			json_array_append_new(out, json_stringn(s, n));
		s += n + 1;
	}
	static const char *const keys[] = {"categories", "category"};
	for (size_t k = 0; k < 2; k++) {
		json_t *v = json_object_get(doc->meta, keys[k]);
		size_t i;
		json_t *item;
		if (json_is_string(v) && k == 0) {
			/* "categories: a b" is two, as Jekyll splits it. */
			const char *s = json_string_value(v);
			while (*s) {
				size_t n = strcspn(s, " ,");
				if (n)
					json_array_append_new(out, json_stringn(s, n));
				s += n + (s[n] != '\0');
			}
		} else if (json_is_string(v)) {
			json_array_append(out, v);
		}
		json_array_foreach(v, i, item) if (json_is_string(item))
		    json_array_append(out, item);
	}
	return out;
}

/*
 * A Jekyll post's permalink into out: pattern (a style or a template)
 * filled from its file name, front matter and date.  0, or -1 with err set.
 */
static int jekyll_address(const struct article *a, const struct fm_doc *doc, const char *rel,
                          const char *pattern, struct buf *out, struct diag *err)
{
	size_t len;
	const char *name = stem_of(rel, &len);
	bool dated = dated_name(name, len);
	char *title = dated ? xstrndup(name + 11, len - 11) : xstrndup(name, len);
	json_t *slug = json_object_get(doc->meta, "slug");
	struct permalink_post p = {
	    .title = json_is_string(slug) ? json_string_value(slug) : title,
	    .slug = a->slug,
	    .categories = jekyll_categories(doc, rel),
	};
	json_t *date = json_object_get(doc->meta, "date");
	if (permalink_date(json_string_value(date), &p) < 0 && dated) {
		char day[11];
		snprintf(day, sizeof day, "%.10s", name);
		permalink_date(day, &p);
	}
	const char *bad;
	int rc = permalink_expand(pattern, &p, out, &bad);
	if (rc < 0)
		diag_set(err, 0, "the permalink '%s' has a placeholder Jekyll does not know: '%.*s'",
		         pattern, (int)strcspn(bad + 1, "/:.-_") + 1, bad);
	json_decref(p.categories);
	free(title);
	return rc;
}

/* The Jekyll permalink setting for an article found below root, or NULL: none applies. */
static const char *permalink_of(const struct batch *b, const struct input *in)
{
	const struct root *r = in->root != NO_ROOT ? &b->roots[in->root] : NULL;
	json_t *site = b->settings ? json_object_get(b->settings, "permalink") : NULL;
	if (r && r->permalink)
		return r->permalink;
	if (json_is_string(site))
		return json_string_value(site);
	return in->rel && in_posts(in->rel) ? "date" : NULL;
}

/*
 * Where Hugo would have put a content file: /posts/hello/ for posts/hello.md
 * or posts/hello/index.md.  For a Hugo site's page (hugo), as Hugo does by
 * default: the front matter's slug: names the last segment, and the path
 * is lower case.
 */
/* True if a file stem names its folder's page: Hugo's index and _index. */
static bool index_name(const char *name, size_t len)
{
	return (len == 5 && strncmp(name, "index", 5) == 0) ||
	       (len == 6 && strncmp(name, "_index", 6) == 0);
}

static char *hugo_address(const char *rel, const struct fm_doc *doc, bool hugo)
{
	size_t len;
	const char *name = stem_of(rel, &len);
	bool index = index_name(name, len);
	json_t *slug = hugo ? json_object_get(doc->meta, "slug") : NULL;
	bool slugged = json_string_length(slug) > 0;
	/* The folders it lies in; a bundle's slug replaces its own folder's name. */
	size_t dir = (size_t)(name - rel);
	if (index && slugged && dir > 0)
		for (dir--; dir > 0 && rel[dir - 1] != '/';)
			dir--;
	struct buf b = BUF_INIT;
	buf_printf(&b, "/%.*s", (int)dir, rel);
	if (slugged && (!index || rel + dir < name))
		buf_printf(&b, "%s/", json_string_value(slug));
	else if (!index)
		buf_printf(&b, "%.*s/", (int)len, name);
	for (size_t i = 0; hugo && i < b.len; i++)
		b.data[i] = (char)tolower((unsigned char)b.data[i]);
	/* Kept till the import's end, one per article: no room to grow. */
	size_t n;
	char *address = buf_detach(&b, &n);
	return xrealloc(address, n + 1);
}

/* Its own address, where the front matter gives it: url: (Hugo), permalink: (Jekyll).  0 or -1. */
static int own_address(const struct article *a, const struct fm_doc *doc, const char *rel,
                       struct origin *origin, json_t *list, struct diag *err)
{
	static const char *const own[] = {"url", "permalink"};
	for (size_t i = 0; i < 2 && origin->url == NULL; i++) {
		const char *text = json_string_value(json_object_get(doc->meta, own[i]));
		struct buf path = BUF_INIT;
		/* Jekyll's permalink: may have placeholders of its own ("/blog/:title/"). */
		if (text && i == 1 && text[0] == '/' && strchr(text, ':')) {
			if (jekyll_address(a, doc, rel, text, &path, err) < 0) {
				buf_free(&path);
				return -1;
			}
			text = path.data;
		}
		if (text && (origin->url = base_form(text)))
			add_address(list, origin->url, NULL, own[i]);
		buf_free(&path);
	}
	return 0;
}

/*
 * The addresses a generator gave it by its rules: Jekyll's permalink
 * pattern (a page: its file's path as .html), the date-prefixed file name's
 * /YYYY/MM/DD/NAME.html.  0 or -1.
 */
static int derived_addresses(struct batch *b, const struct article *a, const struct fm_doc *doc,
                             const struct input *in, struct origin *origin, json_t *list,
                             struct diag *err)
{
	const char *rel = in->rel;
	size_t len;
	const char *name = stem_of(rel, &len);
	const char *pattern = in->kind == IN_ARTICLE ? permalink_of(b, in) : NULL;
	struct buf path = BUF_INIT;
	if (pattern && a->kind == ARTICLE_POST) {
		if (jekyll_address(a, doc, rel, pattern, &path, err) < 0) {
			buf_free(&path);
			return -1;
		}
		add_address(list, path.data, NULL, "permalink");
		origin->url = base_form(path.data);
	}
	if (dated_name(name, len) && a->kind == ARTICLE_POST) {
		buf_reset(&path);
		buf_printf(&path, "/%.4s/%.2s/%.2s/%.*s.html", name, name + 5, name + 8,
		           (int)len - 11, name + 11);
		add_address(list, path.data, NULL, "file name");
		if (origin->url == NULL)
			origin->url = base_form(path.data);
	}
	if (pattern && a->kind == ARTICLE_PAGE) {
		buf_reset(&path);
		buf_printf(&path, "/%.*s.html", (int)((size_t)(name - rel) + len), rel);
		add_address(list, path.data, NULL, "permalink");
	}
	buf_free(&path);
	return 0;
}

/* Without an address of its own: an export's first, or where Hugo would have put the file. */
static void fallback_address(const struct batch *b, const struct fm_doc *doc,
                             const struct input *in, struct origin *origin, json_t *list)
{
	if (in->kind == IN_EXPORT && json_array_size(list) > 0) {
		json_t *first = json_object_get(json_array_get(list, 0), "path");
		origin->url = xstrdup(json_string_value(first));
	} else if (in->root != NO_ROOT && in->kind == IN_ARTICLE) {
		bool hugo = b->roots[in->root].hugo;
		origin->url = hugo_address(in->rel, doc, hugo);
		origin->url_guessed = !hugo;
		/* Only a Hugo site's pages really lived there; elsewhere it is a guess for refs. */
		if (hugo)
			add_address(list, origin->url, NULL, "hugo");
	}
}

/* Gazette's own address needs no redirect: out of the list. */
static void drop_own(const struct article *a, json_t *list)
{
	char own_path[600];
	snprintf(own_path, sizeof own_path, a->kind == ARTICLE_POST ? "/articles/%s" : "/%s",
	         a->slug);
	char *own = addresses_canonical(own_path);
	for (size_t i = json_array_size(list); own && i-- > 0;) {
		const char *p = json_string_value(json_object_get(json_array_get(list, i), "path"));
		if (strcmp(p, own) == 0)
			json_array_remove(list, i);
	}
	free(own);
}

int addresses_find(struct batch *b, const struct article *a, const struct fm_doc *doc,
                   struct origin *origin, struct diag *err)
{
	const struct input *in = &b->inputs[origin->input];
	const char *rel = in->rel ? in->rel : "";
	json_t *list = json_array();

	if (own_address(a, doc, rel, origin, list, err) < 0) {
		json_decref(list);
		return -1;
	}
	/* An address the front matter gives is the only one a generator made: nothing is derived. */
	if (origin->url == NULL && in->kind == IN_ARTICLE && in->rel &&
	    derived_addresses(b, a, doc, in, origin, list, err) < 0) {
		json_decref(list);
		return -1;
	}
	add_field(list, json_object_get(doc->meta, "aliases"), origin->url, "aliases");
	add_field(list, json_object_get(doc->meta, "redirect_from"), origin->url, "redirect_from");
	if (origin->url == NULL && in->rel)
		fallback_address(b, doc, in, origin, list);
	drop_own(a, list);
	/* Most articles have none: an empty list would cost 128 bytes each, kept till the end. */
	if (json_array_size(list) == 0) {
		json_decref(list);
		list = NULL;
	}
	origin->addresses = list;
	return 0;
}
