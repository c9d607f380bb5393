/*
 * image.h: smaller copies of an image, and WebP copies, made with libvips.
 *
 * What a copy is for (which widths, which formats, where it is served)
 * is content/picture.h's; this only decodes, scales and encodes.  Every
 * copy is scaled to a width (its height follows the proportions), turned
 * upright by the image's Exif orientation (as browsers show the
 * original), converted to sRGB from an embedded colour profile, and
 * written without metadata (no Exif, no profile: sRGB is what browsers
 * assume).
 */
#ifndef GAZETTE_IMAGE_H
#define GAZETTE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* What image_probe() finds in an image's header. */
struct image_probe {
	unsigned width;  /* pixels, upright (Exif orientation applied) */
	unsigned height;
	unsigned pages;  /* frames: more than 1 for an animated GIF or WebP */
};

/* The formats copies are written in. */
enum image_format {
	IMAGE_JPEG,
	IMAGE_PNG,
	IMAGE_WEBP,
};

/* Room for a message of libvips' (its first line). */
#define IMAGE_ERROR_MAX 160

/*
 * Reads the header of data[0..len): 0 with *out filled, or -1 with why
 * set if libvips cannot read it (not an image it knows, damaged).  Only
 * the loaders of the formats browsers show are used (PNG, JPEG, GIF,
 * WebP, and the ones libvips does not mark untrusted); never ImageMagick's.
 * Thread-safe.
 */
int image_probe(const void *data, size_t len, struct image_probe *out,
                char why[IMAGE_ERROR_MAX]);

/* An image decoded whole, upright, in sRGB: copies are scaled from it. */
struct image;

/*
 * Decodes data[0..len) (PNG, JPEG, GIF or WebP, its first frame) into
 * memory, upright and in sRGB, refusing a truncated or damaged image
 * rather than guessing at it, and one of more than max_pixels pixels
 * (memory: 3 or 4 bytes each).  Returns the image, for image_write() and
 * image_close(), or NULL with why set.  Thread-safe.
 */
struct image *image_decode(const void *data, size_t len, unsigned long long max_pixels,
                           char why[IMAGE_ERROR_MAX]);

/* The decoded image's size in pixels. */
unsigned image_width(const struct image *im);
unsigned image_height(const struct image *im);

/*
 * Writes im scaled to width pixels (never larger than it is: a width at
 * least its own gives it as it is) as format into *out, a buffer of
 * *out_len bytes to free with image_free(), and the copy's height into
 * *height.  Scaled with a Lanczos filter; JPEG and WebP at quality 80
 * (WebP lossy, its alpha kept), JPEG progressive, PNG at zlib level 6.
 * Returns 0, or -1 with why set (and *out NULL).  An image may be
 * written by one thread at a time; libvips may use its own threads.
 */
int image_write(struct image *im, unsigned width, enum image_format format, void **out,
                size_t *out_len, unsigned *height, char why[IMAGE_ERROR_MAX]);

/* Frees a decoded image (NULL is fine). */
void image_close(struct image *im);

/* Frees what image_write() wrote (NULL is fine). */
void image_free(void *p);

/* The media type of a format: "image/jpeg", "image/png", "image/webp". */
const char *image_format_type(enum image_format format);

#endif
