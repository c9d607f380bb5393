/*
 * image.c: images scaled and encoded with libvips; see image.h.
 *
 * libvips is started once, on first use (vips_init() may not run twice at
 * once), with:
 *   - its untrusted loaders blocked (vips_block_untrusted_set(): the
 *     ImageMagick, PDF and slide loaders Debian's libvips modules bring,
 *     which are not fuzzed as libvips' own are), and on top of that only
 *     the PNG, JPEG, GIF and WebP loaders taken (loader_allowed());
 *   - its operation cache off (vips_cache_set_max(0)): an import makes
 *     each copy once, and a cache would keep every decoded image alive
 *     until the process ends.
 * An image is decoded once, whole, into memory (image_decode()), and each
 * copy scaled from there: decoding a large PNG costs more than scaling
 * it, and an import writes several copies of each image.  Memory is
 * then the decoded image (width x height x 3 or 4 bytes) plus one copy;
 * image_decode()'s max_pixels bounds it.
 */
#include "gazette/base/image.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <vips/vips.h>

static pthread_once_t started = PTHREAD_ONCE_INIT;
static bool usable;

/* libvips' warnings (a damaged tile...): the caller reports what failed, once. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
	(void)domain, (void)level, (void)message, (void)data;
}

static void start(void)
{
	if (VIPS_INIT("gazette") != 0)
		return;
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
	                  quiet, NULL);
	vips_block_untrusted_set(TRUE);
	vips_cache_set_max(0);
	usable = true;
}

/* The first line of libvips' error buffer into why, which it then clears. */
static void take_error(char why[IMAGE_ERROR_MAX], const char *fallback)
{
	const char *e = vips_error_buffer();
	size_t n = e ? strcspn(e, "\n") : 0;
	if (n == 0)
		snprintf(why, IMAGE_ERROR_MAX, "%s", fallback);
	else
		snprintf(why, IMAGE_ERROR_MAX, "%.*s", (int)(n < IMAGE_ERROR_MAX ? n : IMAGE_ERROR_MAX - 1),
		         e);
	vips_error_clear();
}

/*
 * True if libvips would read data with a loader of a format browsers
 * show: its loaders are named "VipsForeignLoad" + format + "Buffer"
 * ("VipsForeignLoadPngBuffer", "VipsForeignLoadNsgifBuffer").
 */
static bool loader_allowed(const void *data, size_t len)
{
	static const char *const loaders[] = {"PngBuffer", "JpegBuffer", "WebpBuffer", "GifBuffer",
	                                      "NsgifBuffer"};
	const char *name = vips_foreign_find_load_buffer(data, len);
	if (name == NULL) {
		vips_error_clear();
		return false;
	}
	if (strncmp(name, "VipsForeignLoad", 15) != 0)
		return false;
	for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++)
		if (strcmp(name + 15, loaders[i]) == 0)
			return true;
	return false;
}

/* Starts libvips and checks the loader: true, or false with why set. */
static bool ready(const void *data, size_t len, char why[IMAGE_ERROR_MAX])
{
	pthread_once(&started, start);
	if (!usable) {
		snprintf(why, IMAGE_ERROR_MAX, "libvips could not be started");
		return false;
	}
	if (len == 0 || !loader_allowed(data, len)) {
		snprintf(why, IMAGE_ERROR_MAX, "not a PNG, JPEG, GIF or WebP image");
		return false;
	}
	return true;
}

int image_probe(const void *data, size_t len, struct image_probe *out, char why[IMAGE_ERROR_MAX])
{
	memset(out, 0, sizeof *out);
	if (!ready(data, len, why))
		return -1;
	VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL);
	if (im == NULL) {
		take_error(why, "the image cannot be read");
		return -1;
	}
	int w = vips_image_get_width(im), h = vips_image_get_height(im);
	int pages = vips_image_get_n_pages(im);
	/* Exif orientations 5 to 8 turn the image a quarter: browsers show it so. */
	bool swap = vips_image_get_orientation_swap(im);
	g_object_unref(im);
	out->width = (unsigned)(swap ? h : w);
	out->height = (unsigned)(swap ? w : h);
	out->pages = pages > 0 ? (unsigned)pages : 1;
	return 0;
}

struct image {
	VipsImage *pixels; /* in memory */
};

struct image *image_decode(const void *data, size_t len, unsigned long long max_pixels,
                           char why[IMAGE_ERROR_MAX])
{
	struct image_probe p;
	if (image_probe(data, len, &p, why) < 0)
		return NULL;
	if ((unsigned long long)p.width * p.height > max_pixels) {
		snprintf(why, IMAGE_ERROR_MAX, "%u x %u pixels: more than %llu", p.width, p.height,
		         max_pixels);
		return NULL;
	}
	/*
	 * vips_thumbnail_buffer() at the image's own width scales nothing but
	 * does the rest: Exif orientation, the embedded profile to sRGB.
	 * The height may be anything; fail_on=error refuses what is damaged.
	 */
	VipsImage *t = NULL, *mem = NULL;
	if (vips_thumbnail_buffer((void *)data, len, &t, (int)p.width, "height", VIPS_MAX_COORD,
	                          "size", VIPS_SIZE_DOWN, "option_string", "fail_on=error",
	                          NULL) != 0) {
		take_error(why, "the image cannot be read");
		return NULL;
	}
	/* Read once, into memory: each copy is scaled from there, not decoded again. */
	mem = vips_image_copy_memory(t);
	g_object_unref(t);
	if (mem == NULL) {
		take_error(why, "the image cannot be read");
		return NULL;
	}
	struct image *im = g_malloc(sizeof *im);
	im->pixels = mem;
	return im;
}

unsigned image_width(const struct image *im)
{
	return (unsigned)vips_image_get_width(im->pixels);
}

unsigned image_height(const struct image *im)
{
	return (unsigned)vips_image_get_height(im->pixels);
}

/* Writes im as format into *out; 0 or -1 (libvips' error left in its buffer). */
static int save(VipsImage *im, enum image_format format, void **out, size_t *len)
{
	switch (format) {
	case IMAGE_JPEG:
		/* Progressive: a phone shows the whole picture early, then sharpens it. */
		return vips_jpegsave_buffer(im, out, len, "Q", 80, "strip", TRUE, "optimize_coding",
		                            TRUE, "interlace", TRUE, NULL);
	case IMAGE_PNG:
		return vips_pngsave_buffer(im, out, len, "compression", 6, "strip", TRUE, NULL);
	case IMAGE_WEBP:
		return vips_webpsave_buffer(im, out, len, "Q", 80, "strip", TRUE, NULL);
	}
	return -1;
}

int image_write(struct image *im, unsigned width, enum image_format format, void **out,
                size_t *out_len, unsigned *height, char why[IMAGE_ERROR_MAX])
{
	*out = NULL;
	*out_len = 0;
	*height = 0;
	unsigned w = image_width(im);
	if (width == 0) {
		snprintf(why, IMAGE_ERROR_MAX, "no width to scale to");
		return -1;
	}
	VipsImage *scaled = im->pixels;
	g_object_ref(scaled);
	if (width < w) {
		VipsImage *r = NULL;
		int rc = vips_resize(scaled, &r, (double)width / w, "kernel", VIPS_KERNEL_LANCZOS3,
		                     NULL);
		g_object_unref(scaled);
		if (rc != 0) {
			take_error(why, "the image cannot be scaled");
			return -1;
		}
		scaled = r;
	}
	void *buf = NULL;
	size_t n = 0;
	int rc = save(scaled, format, &buf, &n);
	unsigned h = (unsigned)vips_image_get_height(scaled);
	g_object_unref(scaled);
	if (rc != 0 || buf == NULL) {
		g_free(buf);
		take_error(why, "the copy cannot be written");
		return -1;
	}
	*out = buf;
	*out_len = n;
	*height = h;
	return 0;
}

void image_close(struct image *im)
{
	if (im == NULL)
		return;
	g_object_unref(im->pixels);
	g_free(im);
}

void image_free(void *p)
{
	g_free(p);
}

const char *image_format_type(enum image_format format)
{
	switch (format) {
	case IMAGE_JPEG: return "image/jpeg";
	case IMAGE_PNG: return "image/png";
	case IMAGE_WEBP: return "image/webp";
	}
	return "application/octet-stream";
}
