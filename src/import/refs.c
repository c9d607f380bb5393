/*
 * refs.c: an article's body rendered into its page, with every reference
 * it makes pointing where the thing now is.
 *
 * A reference is resolved as the original site resolved it: against the
 * article's old address (a Jekyll post's "../../../images/a.png" from
 * /2016/09/29/rust-1.12.html is /images/a.png), then against its file's
 * folder (a Hugo page bundle, a folder of Markdown read in an editor).
 * What it names:
 *   - a file the site ships: its content-hashed address (cached for ever),
 *     and for an image its width and height;
 *   - another article, by an old address or by its .md file: the article,
 *     with no redirect on the way;
 * each written relative to the article's own page (/articles/SLUG, or
 * /SLUG for a standalone page), so that the page is right below any
 * --public-url.  A reference to an image that is not there, or a link to
 * a post that is not, is a warning (an error with --strict).
 *
 * Raw HTML in Markdown (and an export's HTML body) goes through the
 * allowlist sanitizer, which calls the same rewriting for every URL it
 * keeps; plain Markdown has the writer call it.  site.yaml's raw_html:
 * false shows raw HTML as text; iframe_hosts lists the hosts an <iframe>
 * may show.
 */
#include "batch.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/escape.h"
#include "gazette/base/media.h"
#include "gazette/base/util.h"
#include "gazette/content/links.h"
#include "gazette/content/markdown.h"
#include "gazette/content/sanitize.h"

struct refs {
	struct batch *b;
	struct store *st;
	size_t k;
	const struct article *a; /* article k, whole, while it is rendered */
	const char *to_root;     /* from the article's page to the site root: "../" or "" */
	struct store_file image; /* the file the last <img> src named, if image_found */
	bool image_found;
	json_t *warned; /* references warned about already, in this article */
};

/* True if url has a scheme ("https:", "mailto:") or is network-relative ("//host"). */
static bool absolute(const char *url, size_t len)
{
	if (len >= 2 && url[0] == '/' && url[1] == '/')
		return true;
	for (size_t i = 0; i < len; i++) {
		if (url[i] == ':')
			return i > 0;
		if (!isalnum((unsigned char)url[i]) && url[i] != '+' && url[i] != '-' && url[i] != '.')
			return false;
	}
	return false;
}

/* Resolves ref against the site path base ("/2016/09/29/x.html"), into out ("/images/a.png"). */
static void resolve_path(struct buf *out, const char *base, const char *ref, size_t n)
{
	struct buf abs = BUF_INIT, full = BUF_INIT;
	buf_printf(&full, "http://x%s", base);
	url_resolve(&abs, full.data, ref, n);
	buf_reset(out);
	buf_puts(out, abs.data + strlen("http://x"));
	buf_free(&abs);
	buf_free(&full);
}

/* The file at the site path (leading '/', percent-encoded), if the store has one. */
static bool find_file(struct refs *r, const char *path, struct store_file *f, char **plain)
{
	size_t n = strcspn(path, "?#");
	char *decoded = xmalloc(n + 1);
	long len = percent_decode(path, n, decoded, false);
	bool found = false;
	if (len > 1) {
		batch_store_lock(r->b);
		found = store_get_file(r->st, decoded + 1, f) > 0;
		batch_store_unlock(r->b);
	}
	if (found)
		*plain = decoded;
	else
		free(decoded);
	return found;
}

/* The article an old address leads to: its slug and kind, from this import or the store. */
static bool find_article(struct refs *r, const char *path, char **slug, enum article_kind *kind)
{
	char *canonical = addresses_canonical(path);
	if (canonical == NULL)
		return false;
	size_t k;
	bool found = false;
	if (index_get(&r->b->by_address, canonical, &k)) {
		const struct kept *a = &r->b->articles[k];
		*slug = xstrdup(a->slug);
		*kind = a->kind;
		found = true;
	} else {
		/* "/?p=12" and the like: the query is part of an old address. */
		batch_store_lock(r->b);
		found = store_find_redirect(r->st, canonical, slug, kind) > 0;
		batch_store_unlock(r->b);
	}
	free(canonical);
	return found;
}

/* The article whose Markdown file a relative link names (another post's .md). */
static bool find_source(struct refs *r, const char *ref, size_t n, char **slug,
                        enum article_kind *kind)
{
	const struct input *in = &r->b->inputs[r->b->origins[r->k].input];
	const char *slash = strrchr(in->source, '/');
	if (slash == NULL || in->kind != IN_ARTICLE)
		return false;
	size_t plen = strcspn(ref, "?#");
	if (plen > n)
		plen = n;
	char *decoded = xmalloc(plen + 1);
	long len = percent_decode(ref, plen, decoded, false);
	struct buf path = BUF_INIT;
	buf_printf(&path, "%.*s/%s", (int)(slash - in->source), in->source, len >= 0 ? decoded : "");
	free(decoded);
	char real[PATH_MAX];
	size_t k;
	bool found = realpath(path.data, real) && index_get(&r->b->by_address, real, &k);
	buf_free(&path);
	if (!found)
		return false;
	const struct kept *a = &r->b->articles[k];
	*slug = xstrdup(a->slug);
	*kind = a->kind;
	return true;
}

/* Appends a site path, each segment percent-encoded, after to_root. */
static void put_site_path(struct buf *out, const char *to_root, const char *path)
{
	buf_puts(out, to_root);
	for (const char *s = path; *s;) {
		size_t n = strcspn(s, "/");
		escape_url_segment(out, s, n);
		s += n;
		if (*s == '/') {
			buf_putc(out, '/');
			s++;
		}
	}
}

/* The line of the body where text first appears, for a warning (the body's first line if not). */
static unsigned line_of(const struct article *a, const char *text, size_t n)
{
	const char *at = NULL;
	if (a->body_md && n > 0) {
		for (const char *p = a->body_md; (p = strchr(p, text[0])) != NULL; p++)
			if (strncmp(p, text, n) == 0) {
				at = p;
				break;
			}
	}
	unsigned line = a->body_line ? a->body_line : 1;
	for (const char *p = a->body_md; at && p < at; p++)
		line += *p == '\n';
	return line;
}

/* A reference that leads nowhere: one warning per reference and article. */
static void warn(struct refs *r, const char *what, const char *url, size_t n)
{
	struct buf key = BUF_INIT;
	buf_append(&key, url, n);
	if (r->warned == NULL)
		r->warned = json_object();
	if (json_object_get(r->warned, key.data) == NULL) {
		const struct article *a = r->a;
		const char *where = r->b->origins[r->k].where;
		char place[160];
		/* An export's post is named by its place in the file; a Markdown file by its line. */
		if (where && strncmp(where, "line ", 5) == 0)
			snprintf(place, sizeof place, ":%s", where + 5); /* a WXR item's line */
		else if (where)
			snprintf(place, sizeof place, ": %s", where);
		else
			snprintf(place, sizeof place, ":%u", line_of(a, url, n));
		json_object_set_new(r->warned, key.data, json_true());
		fprintf(stderr, "gazette: %s%s: %s: %s '%.*s' %s\n", batch_article_path(r->b, r->k),
		        place, r->b->opts->strict ? "error" : "warning", what, (int)n, url,
		        strcmp(what, "image") == 0 || strcmp(what, "file") == 0
		            ? "is not among the site's files"
		            : "leads to no article of this site");
		r->b->warnings++;
	}
	buf_free(&key);
}

/* True if p starts with n digits and then '/'. */
static bool digits_then_slash(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return p[n] == '/';
}

/*
 * True if a link looks like one to another post: a .md file, or an address
 * with a date in it ("/2015/05/15/...", "/news/2019/08/19/..."), the
 * date-style addresses of Jekyll and WordPress.
 */
static bool post_like(const char *path)
{
	size_t n = strcspn(path, "?#");
	if ((n > 3 && strncmp(path + n - 3, ".md", 3) == 0) ||
	    (n > 9 && strncmp(path + n - 9, ".markdown", 9) == 0))
		return true;
	for (const char *p = path; p < path + n; p++)
		if ((p == path || p[-1] == '/') && digits_then_slash(p, 4) &&
		    digits_then_slash(p + 5, 2) && digits_then_slash(p + 8, 2))
			return true;
	return false;
}

/*
 * The site path a reference may mean, by attempt: 0 as it is (a path from
 * the root), 1 from the article's old address, 2 from its file's folder.
 * False if that attempt does not apply to url.
 */
static bool candidate(const struct refs *r, int attempt, const char *url, size_t len,
                      struct buf *cand)
{
	const struct origin *o = &r->b->origins[r->k];
	if (attempt == 0 && url[0] == '/') {
		buf_reset(cand);
		buf_puts(cand, url);
		return true;
	}
	if (attempt == 1 && url[0] != '/' && o->url) {
		resolve_path(cand, o->url, url, len);
		return true;
	}
	if (attempt == 2 && url[0] != '/') {
		/* Its file's folder below its root ("_posts"): file-relative refs resolve there. */
		const char *rel = r->b->inputs[o->input].rel;
		const char *slash = rel ? strrchr(rel, '/') : NULL;
		int n = slash ? (int)(slash - rel) : 0;
		struct buf dir = BUF_INIT;
		buf_printf(&dir, "/%.*s%s", n, n ? rel : "", n ? "/" : "");
		resolve_path(cand, dir.data, url, len);
		buf_free(&dir);
		return true;
	}
	return false;
}

/* Writes the page's reference to an article: relative to the page, with url's #fragment. */
static void put_article(const struct refs *r, char *slug, enum article_kind kind,
                        const char *suffix, struct buf *out)
{
	buf_puts(out, r->to_root);
	if (kind == ARTICLE_POST)
		buf_puts(out, "articles/");
	escape_url_segment(out, slug, strlen(slug));
	buf_puts(out, suffix);
	free(slug);
}

/* What the site path cand names now, written into out: true if anything. */
static bool point_to(struct refs *r, bool media, const char *cand, const char *suffix,
                     struct buf *out)
{
	struct store_file f;
	char *plain, *slug;
	enum article_kind kind;
	if (find_file(r, cand, &f, &plain)) {
		struct buf hashed = BUF_INIT;
		media_hashed_path(plain + 1, f.hash, &hashed);
		put_site_path(out, r->to_root, hashed.data);
		buf_free(&hashed);
		free(plain);
		if (media) {
			r->image = f;
			r->image_found = true;
		}
		return true;
	}
	if (!media && find_article(r, cand, &slug, &kind)) {
		put_article(r, slug, kind, suffix, out);
		return true;
	}
	return false;
}

/* Writes the new reference into out: true if there is one; a warning if it leads nowhere. */
static bool rewrite(struct refs *r, bool media, bool quiet, const char *url, size_t len,
                    struct buf *out)
{
	struct buf cand = BUF_INIT;
	const char *suffix = url + strcspn(url, "#");
	bool done = false;
	for (int attempt = 0; attempt < 3 && !done; attempt++)
		done = candidate(r, attempt, url, len, &cand) && point_to(r, media, cand.data, suffix, out);
	char *slug;
	enum article_kind kind;
	if (!done && !media && url[0] != '/' && find_source(r, url, len, &slug, &kind)) {
		put_article(r, slug, kind, suffix, out);
		done = true;
	}
	if (!done && !quiet && (media || post_like(url) || post_like(cand.data ? cand.data : "")))
		warn(r, media ? "image" : "link", url, len);
	buf_free(&cand);
	return done;
}

/*
 * Where the path begins in url if url is on the old site (one of its
 * site_urls, by host, http or https alike): "https://example.com/a.png"
 * gives 19, the '/'.  0 if it is not.
 */
static size_t own_url(const struct batch *b, const char *url, size_t len)
{
	size_t i;
	json_t *site;
	const char *host = NULL;
	if (len > 8 && strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (len > 7 && strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	if (host == NULL)
		return 0;
	size_t hlen = strcspn(host, "/?#");
	if ((size_t)(host - url) + hlen > len)
		return 0;
	json_array_foreach(b->site_urls, i, site)
	{
		const char *s = json_string_value(site);
		const char *sh = strstr(s, "://");
		if (sh == NULL)
			continue;
		sh += 3;
		size_t shlen = strcspn(sh, "/?#");
		if (shlen == hlen && strncasecmp(sh, host, hlen) == 0 && host[hlen] == '/')
			return (size_t)(host - url) + hlen;
	}
	return 0;
}

/* sanitize_policy.rewrite_url and md_options.rewrite_url. */
static bool rewrite_url(void *ctx, const char *tag, const char *attr, const char *url, size_t len,
                        struct buf *out)
{
	struct refs *r = ctx;
	size_t own = absolute(url, len) ? own_url(r->b, url, len) : 0;
	if (len == 0 || url[0] == '#' || url[0] == '?' || (absolute(url, len) && own == 0))
		return false;
	bool media = strcmp(attr, "href") != 0 && strcmp(attr, "cite") != 0;
	if (strcmp(tag, "img") == 0 && strcmp(attr, "src") == 0)
		r->image_found = false;
	/* The old site's absolute URL: its path, if that is here now; else it stays as it was. */
	char *copy = xstrndup(url + own, len - own);
	bool done = rewrite(r, media, own > 0, copy, len - own, out);
	free(copy);
	return done;
}

/*
 * sanitize_policy.img_attrs and md_options.img_attrs: the size of an image
 * the site ships, where the author gave none (no layout shift); every
 * image after the first loads lazily (the first is likely above the fold).
 */
static void img_attrs(void *ctx, const char *src, size_t src_len, unsigned index, bool has_width,
                      bool has_height, struct buf *out)
{
	struct refs *r = ctx;
	(void)src;
	(void)src_len;
	if (r->image_found && r->image.width && r->image.height && !has_width && !has_height)
		buf_printf(out, " width=\"%u\" height=\"%u\"", r->image.width, r->image.height);
	if (index > 0)
		buf_puts(out, " loading=\"lazy\"");
	r->image_found = false;
}

/* True if site.yaml turns raw HTML off. */
static bool raw_html_allowed(const struct batch *b)
{
	json_t *v = b->settings ? json_object_get(b->settings, "raw_html") : NULL;
	return !(json_is_string(v) && strcmp(json_string_value(v), "false") == 0);
}

/* site.yaml's iframe_hosts as sanitize wants them (NULL-terminated; the strings are b's). */
static const char **iframe_hosts(const struct batch *b)
{
	json_t *v = b->settings ? json_object_get(b->settings, "iframe_hosts") : NULL;
	size_t n = json_array_size(v);
	const char **hosts = xcalloc(n + 1, sizeof *hosts);
	for (size_t i = 0; i < n; i++)
		hosts[i] = json_string_value(json_array_get(v, i));
	return hosts;
}

/* True if text may hold raw HTML: a '<' that could open a tag or a comment. */
static bool may_have_html(const char *text)
{
	for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<'))
		if (isalpha((unsigned char)p[1]) || p[1] == '!' || p[1] == '/' || p[1] == '?')
			return true;
	return false;
}

/* md's html and text replaced by what the sanitizer keeps of html. */
static int sanitized(struct md_doc *md, const char *html, size_t len,
                     const struct sanitize_policy *policy)
{
	struct buf out = BUF_INIT, plain = BUF_INIT;
	if (sanitize_html_text(html, len, policy, &out, &plain) < 0) {
		buf_free(&out);
		buf_free(&plain);
		return -1;
	}
	free(md->html);
	free(md->text);
	md->html = buf_detach(&out, &md->html_len);
	md->text = buf_detach(&plain, &md->text_len);
	reading_count(md->text, md->text_len, &md->reading);
	if (md->excerpt == NULL || md->excerpt[0] == '\0') {
		free(md->excerpt);
		md->excerpt = md_excerpt_of(md->text, md->text_len);
	}
	return 0;
}

static void no_img_attrs(void *ctx, const char *src, size_t src_len, unsigned index,
                         bool has_width, bool has_height, struct buf *out)
{
	(void)ctx, (void)src, (void)src_len, (void)index, (void)has_width, (void)has_height,
	    (void)out;
}

/* The body as its format says, into a->md. */
static int render_body(struct article *a, bool raw_html, const struct sanitize_policy *policy,
                       struct md_options *opts)
{
	const char *body = a->body_md ? a->body_md : "";
	md_doc_free(&a->md);
	if (a->format == ARTICLE_HTML)
		return sanitized(&a->md, body, strlen(body), policy);
	if (raw_html && may_have_html(body)) {
		/* The sanitizer sizes the images and decides which load lazily: not Markdown. */
		struct md_options plain = {.raw_html = true, .img_attrs = no_img_attrs};
		if (md_render_opts(body, strlen(body), &plain, &a->md) < 0)
			return -1;
		if (a->md.raw_html) {
			char *html = a->md.html;
			size_t len = a->md.html_len;
			a->md.html = NULL;
			int rc = sanitized(&a->md, html, len, policy);
			free(html);
			return rc;
		}
		md_doc_free(&a->md);
	}
	return md_render_opts(body, strlen(body), opts, &a->md);
}

int refs_render(struct batch *b, struct store *st, size_t k, struct article *a,
                struct diag *err)
{
	struct refs r = {.b = b, .st = st, .k = k, .a = a,
	                 .to_root = a->kind == ARTICLE_POST ? "../" : ""};
	const char **hosts = iframe_hosts(b);
	struct sanitize_policy policy = {hosts, rewrite_url, img_attrs, &r};
	struct md_options opts = {.raw_html = false, .rewrite_url = rewrite_url,
	                          .img_attrs = img_attrs, .ctx = &r};
	int rc = render_body(a, raw_html_allowed(b), &policy, &opts);
	free(hosts);
	json_decref(r.warned);
	if (rc < 0) {
		diag_set_file(err, batch_article_path(b, k));
		diag_set(err, a->body_line, "the body could not be rendered");
	}
	return rc;
}
