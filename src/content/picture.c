/* picture.c: which copies an image gets, their addresses, and <picture>s; see picture.h. */
#include "gazette/content/picture.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const unsigned widths[PICTURE_NWIDTHS] = PICTURE_WIDTHS;

static const char webp[] = "image/webp";
static const char jpeg[] = "image/jpeg";
static const char png[] = "image/png";

/* True if type (parameters ignored) is name. */
static bool is_type(const char *type, const char *name)
{
	size_t n = strcspn(type, "; \t");
	return n == strlen(name) && strncasecmp(type, name, n) == 0;
}

size_t picture_plan(const char *type, unsigned width, unsigned height, unsigned frames,
                    struct picture_copy out[PICTURE_COPIES_MAX])
{
	const char *fallback;
	bool is_webp = false;
	if (type == NULL || width == 0 || height == 0 || frames > 1 ||
	    (unsigned long long)width * height > PICTURE_MAX_PIXELS)
		return 0;
	if (is_type(type, "image/jpeg"))
		fallback = jpeg;
	else if (is_type(type, "image/png") || is_type(type, "image/gif"))
		fallback = png; /* a GIF's copies: PNG keeps its colours exactly, and scales better */
	else if (is_type(type, "image/webp")) {
		fallback = NULL;
		is_webp = true;
	} else
		return 0;

	size_t n = 0;
	for (size_t i = 0; i < PICTURE_NWIDTHS && widths[i] < width; i++) {
		out[n++] = (struct picture_copy){widths[i], webp};
		if (fallback)
			out[n++] = (struct picture_copy){widths[i], fallback};
	}
	if (!is_webp && width <= widths[PICTURE_NWIDTHS - 1])
		out[n++] = (struct picture_copy){width, webp};
	return n;
}

const char *picture_extension(const char *type)
{
	if (type == NULL)
		return NULL;
	if (is_type(type, webp))
		return "webp";
	if (is_type(type, jpeg))
		return "jpg";
	if (is_type(type, png))
		return "png";
	return NULL;
}

void picture_copy_suffix(struct buf *out, unsigned width, const char *type)
{
	const char *ext = picture_extension(type);
	buf_printf(out, ".%uw.%s", width, ext ? ext : "bin");
}

bool picture_copy_parse(const char *path, size_t len, size_t *orig_len, unsigned *width,
                        const char **type)
{
	static const char *const types[] = {webp, jpeg, png};
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
		const char *ext = picture_extension(types[k]);
		size_t elen = strlen(ext);
		/* ".<digits>w." + ext, and at least one byte of the original before. */
		if (len < elen + 5 || memcmp(path + len - elen, ext, elen) != 0 ||
		    path[len - elen - 1] != '.' || path[len - elen - 2] != 'w')
			continue;
		size_t end = len - elen - 2; /* the 'w' */
		size_t start = end;
		while (start > 0 && path[start - 1] >= '0' && path[start - 1] <= '9')
			start--;
		/* 1 to 5 digits, the first not 0, after a '.' that follows the original. */
		if (start == end || end - start > 5 || path[start] == '0' || start < 2 ||
		    path[start - 1] != '.')
			continue;
		unsigned w = 0;
		for (size_t i = start; i < end; i++)
			w = w * 10 + (unsigned)(path[i] - '0');
		*orig_len = start - 1;
		*width = w;
		*type = types[k];
		return true;
	}
	return false;
}

/* ---- the HTML ------------------------------------------------------------ */

#define MAX_ATTRS 32

struct span {
	const char *s;
	size_t n;
};

/* A start tag as read: its name, attributes (values as written, without quotes), its end. */
struct tag {
	struct span name;
	struct span attr_name[MAX_ATTRS], attr_value[MAX_ATTRS];
	size_t nattrs;
	size_t end;       /* just past its '>' */
	size_t close_at;  /* where its '>' (or "/>") is */
};

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* An attribute's value at h[*p] (after '='), quoted or not, into *v; false if it never ends. */
static bool read_value(const char *h, size_t n, size_t *p, struct span *v)
{
	size_t i = *p;
	if (i < n && (h[i] == '"' || h[i] == '\'')) {
		const char *close = memchr(h + i + 1, h[i], n - i - 1);
		if (close == NULL)
			return false;
		*v = (struct span){h + i + 1, (size_t)(close - h) - i - 1};
		*p = (size_t)(close - h) + 1;
		return true;
	}
	size_t start = i;
	while (i < n && !space(h[i]) && h[i] != '>')
		i++;
	*v = (struct span){h + start, i - start};
	*p = i;
	return true;
}

/*
 * Reads one attribute at h[*p] (past any space) into t; false if the tag
 * cannot be read whole.  A stray '/', quote or '=' is skipped.
 */
static bool read_attr(const char *h, size_t n, size_t *p, struct tag *t)
{
	size_t start = *p;
	while (*p < n && !space(h[*p]) && h[*p] != '>' && h[*p] != '/' && h[*p] != '=' &&
	       h[*p] != '"' && h[*p] != '\'')
		(*p)++;
	if (*p == start) {
		(*p)++;
		return true;
	}
	size_t name_end = *p;
	struct span value = {"", 0};
	while (*p < n && space(h[*p]))
		(*p)++;
	if (*p < n && h[*p] == '=') {
		(*p)++;
		while (*p < n && space(h[*p]))
			(*p)++;
		if (!read_value(h, n, p, &value))
			return false;
	} else {
		*p = name_end; /* a name alone: <input disabled> */
	}
	if (t->nattrs == MAX_ATTRS)
		return false;
	t->attr_name[t->nattrs] = (struct span){h + start, name_end - start};
	t->attr_value[t->nattrs++] = value;
	return true;
}

/* Reads the start tag at h[i] ('<' and a letter) into *t; false if it cannot be read whole. */
static bool read_tag(const char *h, size_t n, size_t i, struct tag *t)
{
	size_t p = i + 1;
	t->nattrs = 0;
	t->name.s = h + p;
	while (p < n && alnum(h[p]))
		p++;
	t->name.n = (size_t)(h + p - t->name.s);
	for (;;) {
		while (p < n && space(h[p]))
			p++;
		if (p >= n)
			return false;
		if (h[p] == '>' || (h[p] == '/' && p + 1 < n && h[p + 1] == '>')) {
			t->close_at = p;
			t->end = p + (h[p] == '>' ? 1 : 2);
			return true;
		}
		if (!read_attr(h, n, &p, t))
			return false;
	}
}

static bool span_is(struct span s, const char *name)
{
	return s.n == strlen(name) && strncasecmp(s.s, name, s.n) == 0;
}

/* The value of attribute name, or NULL. */
static const struct span *attr(const struct tag *t, const char *name)
{
	for (size_t i = 0; i < t->nattrs; i++)
		if (span_is(t->attr_name[i], name))
			return &t->attr_value[i];
	return NULL;
}

/* Which copies a srcset lists. */
enum which { ONLY_WEBP, NOT_WEBP, ALL };

/* Appends the candidates of a srcset: the copies which says, then the original. */
static void put_srcset(struct buf *out, struct span src, const struct picture_info *info,
                       enum which which, bool original)
{
	bool first = true;
	for (size_t i = 0; i < info->ncopies; i++) {
		const struct picture_copy *c = &info->copies[i];
		bool w = is_type(c->type, webp);
		if ((which == ONLY_WEBP && !w) || (which == NOT_WEBP && w) ||
		    picture_extension(c->type) == NULL)
			continue;
		buf_puts(out, first ? "" : ", ");
		buf_append(out, src.s, src.n);
		picture_copy_suffix(out, c->width, c->type);
		buf_printf(out, " %uw", c->width);
		first = false;
	}
	if (original) {
		buf_puts(out, first ? "" : ", ");
		buf_append(out, src.s, src.n);
		buf_printf(out, " %uw", info->width);
	}
}

/* How many of the copies are WebP. */
static size_t webp_copies(const struct picture_info *info)
{
	size_t k = 0;
	for (size_t i = 0; i < info->ncopies; i++)
		k += is_type(info->copies[i].type, webp);
	return k;
}

/*
 * Writes the <img> tag h[i..t->end) as a responsive image if lookup knows
 * its src; otherwise as it is.
 */
static void write_img(const char *h, size_t i, const struct tag *t,
                      bool (*lookup)(void *, const char *, size_t, struct picture_info *),
                      void *ctx, struct buf *out)
{
	const struct span *src = attr(t, "src");
	struct picture_info info = {0};
	bool usable = src && src->n > 0 && attr(t, "srcset") == NULL &&
	              memchr(src->s, ' ', src->n) == NULL && memchr(src->s, ',', src->n) == NULL &&
	              lookup(ctx, src->s, src->n, &info) && info.ncopies > 0 && info.width > 0 &&
	              info.ncopies <= PICTURE_COPIES_MAX;
	if (!usable) {
		buf_append(out, h + i, t->end - i);
		return;
	}
	size_t nwebp = webp_copies(&info);
	/* A <source> for WebP when the <img> has something else to offer. */
	bool source = nwebp > 0 && !info.webp;
	if (source) {
		buf_puts(out, "<picture><source type=\"image/webp\" srcset=\"");
		put_srcset(out, *src, &info, ONLY_WEBP, false);
		buf_puts(out, "\" sizes=\"" PICTURE_SIZES "\">");
	}
	buf_append(out, h + i, t->close_at - i);
	/* With a <source>, the <img> is for browsers without WebP: the other copies, if any. */
	if (!source || nwebp < info.ncopies) {
		buf_puts(out, " srcset=\"");
		put_srcset(out, *src, &info, source ? NOT_WEBP : ALL, true);
		buf_puts(out, "\" sizes=\"" PICTURE_SIZES "\"");
	}
	buf_putc(out, '>');
	if (source)
		buf_puts(out, "</picture>");
}

/* Where the raw text of an element ends: at its end tag "</name", or n. */
static size_t raw_text_end(const char *h, size_t n, size_t from, struct span name)
{
	for (size_t p = from; p + 2 + name.n <= n; p++)
		if (h[p] == '<' && h[p + 1] == '/' && strncasecmp(h + p + 2, name.s, name.n) == 0)
			return p;
	return n;
}

/* Where a comment at h[i] ("<!--") ends: past its "-->", or n. */
static size_t comment_end(const char *h, size_t n, size_t i)
{
	for (size_t p = i + 4; p + 3 <= n; p++)
		if (memcmp(h + p, "-->", 3) == 0)
			return p + 3;
	return n;
}

/* A rewriting under way: where it is, what it copied, how deep in <picture>s. */
struct rewriting {
	const char *h;
	size_t n, i, copied;
	unsigned in_picture;
	bool (*lookup)(void *ctx, const char *src, size_t n, struct picture_info *info);
	void *ctx;
	struct buf *out;
};

/* Steps over the markup at h[i] ('<'), rewriting it if it is an <img>. */
static void step(struct rewriting *r)
{
	const char *h = r->h;
	size_t n = r->n, i = r->i;
	struct tag t;
	if (i + 3 < n && memcmp(h + i, "<!--", 4) == 0) {
		r->i = comment_end(h, n, i);
	} else if (i + 1 < n && h[i + 1] == '/') {
		if (i + 9 <= n && strncasecmp(h + i + 2, "picture", 7) == 0 && r->in_picture)
			r->in_picture--;
		r->i = i + 2;
	} else if (i + 1 < n && alnum(h[i + 1]) && read_tag(h, n, i, &t)) {
		if (span_is(t.name, "img") && r->in_picture == 0) {
			buf_append(r->out, h + r->copied, i - r->copied);
			write_img(h, i, &t, r->lookup, r->ctx, r->out);
			r->copied = t.end;
		}
		r->in_picture += span_is(t.name, "picture");
		r->i = t.end;
		if (span_is(t.name, "script") || span_is(t.name, "style") ||
		    span_is(t.name, "textarea") || span_is(t.name, "title"))
			r->i = raw_text_end(h, n, r->i, t.name);
	} else {
		r->i = i + 1;
	}
}

void picture_rewrite(const char *html, size_t len,
                     bool (*lookup)(void *ctx, const char *src, size_t n, struct picture_info *info),
                     void *ctx, struct buf *out)
{
	struct rewriting r = {html, len, 0, 0, 0, lookup, ctx, out};
	while (r.i < len) {
		const char *lt = memchr(html + r.i, '<', len - r.i);
		if (lt == NULL)
			break;
		r.i = (size_t)(lt - html);
		step(&r);
	}
	buf_append(out, html + r.copied, len - r.copied);
}
