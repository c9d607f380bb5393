/*
 * picture.h: responsive images.  The images a site ships get copies at a
 * few smaller widths and in WebP, made once at import (base/image.h does
 * the scaling); an article's <img> of such an image becomes a <picture>
 * whose WebP <source> and <img> list the copies (srcset) with the width
 * the theme shows them at (sizes), so that a phone downloads a copy of
 * about its screen's width, not a 2000-pixel original.
 *
 * This file decides which copies an image gets, the addresses they are
 * served at, and how the HTML names them.  A copy's address is its
 * original's content-hashed address with its width and format after it:
 * "images/cat.1a2b3c4d.png" -> "images/cat.1a2b3c4d.png.800w.webp",
 * "images/cat.1a2b3c4d.png.800w.png": it changes with the original's
 * bytes, so it is cached for ever like the original.
 */
#ifndef GAZETTE_PICTURE_H
#define GAZETTE_PICTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"

/*
 * Raised whenever picture_plan() or the copies' encoding changes: an
 * import then makes every image's copies again (and ARTICLE_RENDER_VERSION
 * must be raised too, for the <picture>s that name them).
 */
#define PICTURE_RULE_VERSION 1

/* The widths copies are made at, in pixels, when the original is wider. */
#define PICTURE_WIDTHS {480, 800, 1200, 1600}
#define PICTURE_NWIDTHS 4
/* The most copies one image gets: two formats at each width, and WebP at its own. */
#define PICTURE_COPIES_MAX (2 * PICTURE_NWIDTHS + 1)
/* Larger images get no copies: decoding one takes width x height x 4 bytes. */
#define PICTURE_MAX_PIXELS (50ULL * 1000 * 1000)

/*
 * The width the built-in theme shows an article's images at, for the
 * sizes attribute: the column (.wrap: 42rem wide less 1.25rem of padding
 * on each side, static/css/site.css), or the screen less that padding
 * on a narrower one.  A browser takes the smallest copy at least this
 * wide times its pixel density.
 */
#define PICTURE_SIZES "(max-width: 42rem) calc(100vw - 2.5rem), 39.5rem"

/* One copy of an image: its width in pixels and media type ("image/webp"). */
struct picture_copy {
	unsigned width;
	/*
	 * "image/webp", "image/jpeg" or "image/png": a static string from
	 * picture_plan(); from picture_rewrite()'s lookup, valid until it is
	 * called again.
	 */
	const char *type;
};

/*
 * The copies an image gets, into out (up to PICTURE_COPIES_MAX); returns
 * how many.  type is the original's media type (parameters ignored),
 * width and height its size in pixels, frames its frame count.
 *   - PNG, JPEG, GIF and WebP only; none for an animation (frames > 1),
 *     an SVG (it scales by itself), or more than PICTURE_MAX_PIXELS;
 *   - at each width of PICTURE_WIDTHS smaller than the image's: WebP,
 *     and a copy in the original's format (PNG for a GIF; none beside
 *     WebP for a WebP), for browsers without WebP;
 *   - WebP at the image's own width, unless it is wider than the widest
 *     of PICTURE_WIDTHS (a larger copy no screen needs: the original is
 *     still there) or is WebP already.
 * Copies come widest last, WebP first at each width.
 */
size_t picture_plan(const char *type, unsigned width, unsigned height, unsigned frames,
                    struct picture_copy out[PICTURE_COPIES_MAX]);

/* The file name extension of a copy's type: "webp", "jpg", "png"; NULL for another type. */
const char *picture_extension(const char *type);

/* Appends what a copy's address adds to its original's: ".800w.webp". */
void picture_copy_suffix(struct buf *out, unsigned width, const char *type);

/*
 * If path[0..len) is a copy's address (ends with ".<width>w.<ext>", width
 * 1 to 99999 without leading zeros, ext one of picture_extension()'s,
 * with something before), sets *orig_len to the length of its original's
 * address, *width and *type, and returns true.
 */
bool picture_copy_parse(const char *path, size_t len, size_t *orig_len, unsigned *width,
                        const char **type);

/* What picture_rewrite()'s lookup tells of an image. */
struct picture_info {
	unsigned width;   /* the original's, in pixels */
	bool webp;        /* the original is WebP already */
	size_t ncopies;   /* 0: leave the <img> as it is */
	struct picture_copy copies[PICTURE_COPIES_MAX];
};

/*
 * Appends html[0..len) with each <img> whose src names an image with
 * copies written as a responsive image.  lookup is given the src
 * attribute's value as written (HTML-escaped) and fills *info, returning
 * false if the image has no copies (info untouched then counts for
 * nothing).  An <img> becomes
 *   <picture><source type="image/webp" srcset="SRC.480w.webp 480w, ..."
 *   sizes="..."><img ...its attributes... srcset="SRC.480w.png 480w, ...,
 *   SRC 2000w" sizes="..."></picture>
 * where SRC is its src: the <img>'s srcset lists the copies in other
 * formats than WebP and the original itself; with only WebP copies (a
 * WebP original) there is no <source> and the <img> lists them.  An <img>
 * already in a <picture>, one with a srcset of its own, or whose src is
 * empty or holds a space or a comma, stays as it is.
 *
 * Meant for the HTML gazette writes (markdown.c, the sanitizer): every
 * attribute quoted, every '<' in text escaped.  What it cannot read as a
 * tag is copied unchanged.
 */
void picture_rewrite(const char *html, size_t len,
                     bool (*lookup)(void *ctx, const char *src, size_t n, struct picture_info *info),
                     void *ctx, struct buf *out);

#endif
