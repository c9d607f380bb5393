/*
 * variants.c: responsive images at import; see variants.h.
 *
 * The copies of an image belong to its bytes (its blob), not to its
 * address: the same photograph under two names, or imported again from
 * another folder, is scaled once.  variants_made records that an image
 * was looked at by a rule (PICTURE_RULE_VERSION), with or without copies,
 * so that a second import finds nothing to do.
 *
 * Time and memory: one image is decoded at a time, whole (base/image.c),
 * and each copy written from it; its copies are stored as they are made.
 */
#include "variants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/buf.h"
#include "gazette/base/escape.h"
#include "gazette/base/image.h"
#include "gazette/base/media.h"
#include "gazette/base/util.h"
#include "gazette/content/picture.h"

/* The format a copy's media type is written in. */
static enum image_format format_of(const char *type)
{
	const char *ext = picture_extension(type);
	if (ext && strcmp(ext, "webp") == 0)
		return IMAGE_WEBP;
	if (ext && strcmp(ext, "jpg") == 0)
		return IMAGE_JPEG;
	return IMAGE_PNG;
}

static void warn(const char *path, const char *why)
{
	fprintf(stderr, "gazette: %s: warning: no smaller copies of this image: %s\n", path, why);
}

/* A copy written, not yet stored. */
struct made {
	unsigned width;
	const char *type;
	void *data;
	size_t len;
	unsigned height;
};

/*
 * Writes the copies of plan[0..n) of the format WebP (webp) or the others
 * from im into made[], returning how many; a copy that cannot be written
 * is a warning.
 */
static size_t write_pass(struct image *im, const struct picture_copy *plan, size_t n, bool webp,
                         const char *path, struct made *made)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if ((format_of(plan[i].type) == IMAGE_WEBP) != webp)
			continue;
		struct made *m = &made[k];
		char why[IMAGE_ERROR_MAX];
		m->width = plan[i].width;
		m->type = plan[i].type;
		if (image_write(im, m->width, format_of(m->type), &m->data, &m->len, &m->height, why) <
		    0)
			warn(path, why);
		else
			k++;
	}
	return k;
}

/*
 * Stores the copies of plan[0..n) written from im.  A copy in the
 * original's format no smaller than the original is left out (the
 * original, which the srcset lists too, is better); the WebP copies are
 * kept only if each is smaller than what a browser without WebP gets at
 * its width: else a browser would pick, among the WebP ones alone, one
 * narrower than it asked for.  0 or -1 (the database).
 */
static int write_copies(struct store *st, int64_t blob, struct image *im, size_t original_len,
                        const struct picture_copy *plan, size_t n, const char *path)
{
	struct made other[PICTURE_COPIES_MAX], webp[PICTURE_COPIES_MAX];
	size_t nother = write_pass(im, plan, n, false, path, other);
	size_t nwebp = write_pass(im, plan, n, true, path, webp);
	int rc = 0;
	bool webp_wins = nwebp > 0;
	for (size_t i = 0; i < nwebp; i++) {
		size_t beat = original_len;
		for (size_t k = 0; k < nother; k++)
			if (other[k].width == webp[i].width && other[k].len < original_len)
				beat = other[k].len;
		webp_wins &= webp[i].len < beat;
	}
	for (size_t i = 0; i < nother; i++)
		if (rc == 0 && other[i].len < original_len)
			rc = store_put_variant(st, blob, other[i].width, other[i].type, other[i].data,
			                       other[i].len, other[i].height);
	for (size_t i = 0; i < nwebp; i++)
		if (rc == 0 && webp_wins)
			rc = store_put_variant(st, blob, webp[i].width, webp[i].type, webp[i].data,
			                       webp[i].len, webp[i].height);
	for (size_t i = 0; i < nother; i++)
		image_free(other[i].data);
	for (size_t i = 0; i < nwebp; i++)
		image_free(webp[i].data);
	return rc;
}

int variants_make(struct store *st, const char *path, const void *data, size_t len,
                  struct diag *err)
{
	struct store_file f;
	struct picture_copy plan[PICTURE_COPIES_MAX];
	int found = store_get_file(st, path, &f);
	/* Not an image that could have copies: nothing to look at (and no libvips started). */
	if (found == 0 || (found > 0 && picture_plan(f.type, f.width, f.height, 1, plan) == 0))
		return 0;
	int rule = found < 0 ? -1 : store_variants_rule(st, f.blob_id);
	if (rule == PICTURE_RULE_VERSION)
		return 0;
	if (rule < 0 || store_variants_reset(st, f.blob_id, PICTURE_RULE_VERSION) < 0)
		goto fail;

	struct image_probe p;
	char why[IMAGE_ERROR_MAX];
	if (image_probe(data, len, &p, why) < 0) {
		warn(path, why);
		return 0;
	}
	size_t n = picture_plan(f.type, p.width, p.height, p.pages, plan);
	if (n == 0)
		return 0; /* an animation */
	struct image *im = image_decode(data, len, PICTURE_MAX_PIXELS, why);
	if (im == NULL) {
		warn(path, why);
		return 0;
	}
	int rc = write_copies(st, f.blob_id, im, len, plan, n, path);
	image_close(im);
	if (rc == 0)
		return 0;
fail:
	diag_set(err, 0, "cannot write the database: %s", store_errmsg(st));
	return -1;
}

/* What the lookup of an article's images needs. */
struct pictures {
	struct store *st;
	const char *to_root; /* from the article's page to the site root: "../" or "" */
	bool failed;         /* the database failed */
};

/* src as written in an attribute, its character references decoded (refs.c writes &amp;). */
static void unescape(const char *src, size_t n, struct buf *out)
{
	static const struct {
		const char *ref;
		char c;
	} refs[] = {{"&amp;", '&'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}};
	for (size_t i = 0; i < n;) {
		size_t k = 0;
		while (k < GZ_ARRAY_LEN(refs) &&
		       (n - i < strlen(refs[k].ref) ||
		        memcmp(src + i, refs[k].ref, strlen(refs[k].ref)) != 0))
			k++;
		if (k < GZ_ARRAY_LEN(refs)) {
			buf_putc(out, refs[k].c);
			i += strlen(refs[k].ref);
		} else {
			buf_putc(out, src[i++]);
		}
	}
}

/*
 * picture_rewrite()'s lookup: src is one of the site's images if refs.c
 * wrote it, to_root then the image's hashed address, percent-encoded.
 */
static bool lookup(void *ctx, const char *src, size_t n, struct picture_info *info)
{
	struct pictures *p = ctx;
	struct buf url = BUF_INIT, plain = BUF_INIT;
	bool ok = false;
	size_t root = strlen(p->to_root);
	unescape(src, n, &url);
	char digits[MEDIA_HASH_DIGITS + 1] = "";
	if (url.len > root && memcmp(url.data, p->to_root, root) == 0 && url.data[root] != '/' &&
	    strcspn(url.data, "?#:") == url.len) {
		char *decoded = xmalloc(url.len - root + 1);
		long k = percent_decode(url.data + root, url.len - root, decoded, false);
		if (k > 0 && (size_t)k == strlen(decoded) && media_unhashed_path(decoded, &plain, digits))
			ok = true;
		free(decoded);
	}
	struct store_file f;
	int found = ok ? store_get_file(p->st, plain.data, &f) : 0;
	p->failed |= found < 0;
	ok = found > 0 && strncmp(f.hash, digits, MEDIA_HASH_DIGITS) == 0 && f.width > 0;
	if (ok) {
		struct store_variant v[PICTURE_COPIES_MAX];
		static _Thread_local char types[PICTURE_COPIES_MAX][32];
		int count = store_list_variants(p->st, f.blob_id, v, types, PICTURE_COPIES_MAX);
		p->failed |= count < 0;
		ok = count > 0 && count <= PICTURE_COPIES_MAX;
		for (int i = 0; ok && i < count; i++)
			info->copies[i] = (struct picture_copy){v[i].width, v[i].type};
		info->ncopies = ok ? (size_t)count : 0;
		info->width = f.width;
		info->webp = picture_extension(f.type) && strcmp(picture_extension(f.type), "webp") == 0;
	}
	buf_free(&url);
	buf_free(&plain);
	return ok;
}

int variants_pictures(struct store *st, struct article *a, struct diag *err)
{
	if (a->md.html == NULL || strstr(a->md.html, "<img") == NULL)
		return 0;
	struct pictures p = {st, a->kind == ARTICLE_POST ? "../" : "", false};
	struct buf out = BUF_INIT;
	picture_rewrite(a->md.html, a->md.html_len, lookup, &p, &out);
	if (p.failed) {
		buf_free(&out);
		diag_set(err, 0, "cannot read the database: %s", store_errmsg(st));
		return -1;
	}
	free(a->md.html);
	a->md.html = buf_detach(&out, &a->md.html_len);
	return 0;
}
