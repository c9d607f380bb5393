/*
 * Unit tests for base/media.c: media types from bytes (libmagic and the
 * extension table), image sizes from headers, file addresses and their
 * content-hashed form.
 *
 * Usage: test_media DIR, where DIR holds the small files that
 * tests/data/media/make-media.py makes (each made there from nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/buf.h"
#include "gazette/base/media.h"
#include "gazette/base/util.h"

static const char *data_dir = "tests/data/media";

/* The bytes of a file of the data folder (the caller frees). */
static char *load(const char *name, size_t *len)
{
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/%s", data_dir, name);
	char *data = read_file(path.data, 1u << 24, len);
	if (data == NULL)
		fail_msg("cannot read %s", path.data);
	buf_free(&path);
	return data;
}

/* ---- files: type and size, by name -------------------------------------- */

static const struct {
	const char *file;
	const char *type;
	unsigned width, height;
} files[] = {
    {"png-3x2.png", "image/png", 3, 2},
    {"gif-5x4.gif", "image/gif", 5, 4},
    {"jpeg-7x5.jpg", "image/jpeg", 7, 5},
    /* Exif and a progressive frame (SOF2) after a 3 KB APP1 segment. */
    {"jpeg-exif-progressive-900x600.jpg", "image/jpeg", 900, 600},
    {"webp-lossless-10x7.webp", "image/webp", 10, 7},
    {"webp-lossy-33x17.webp", "image/webp", 33, 17},
    {"webp-extended-300x200.webp", "image/webp", 300, 200},
    {"avif-640x480.avif", "image/avif", 640, 480},
    /* Two images: the primary item's ispe is the second property. */
    {"avif-primary-second-1024x768.avif", "image/avif", 1024, 768},
    {"heic-4032x3024.heic", "image/heic", 4032, 3024},
    {"bmp-4x3.bmp", "image/bmp", 4, 3},
    {"bmp-topdown-6x5.bmp", "image/bmp", 6, 5},
    {"ico-16-and-32.ico", "image/vnd.microsoft.icon", 32, 32},
    {"ico-256.ico", "image/vnd.microsoft.icon", 256, 256},
    {"svg-width-height.svg", "image/svg+xml", 120, 80},
    /* No XML declaration: libmagic says text, the name and the root element say SVG. */
    {"svg-viewbox.svg", "image/svg+xml", 25, 16},
    {"audio.wav", "audio/wav", 0, 0},
    {"audio.mp3", "audio/mpeg", 0, 0},
    {"video.mp4", "video/mp4", 0, 0},
    {"video.webm", "video/webm", 0, 0},
    {"document.pdf", "application/pdf", 0, 0},
    {"archive.zip", "application/zip", 0, 0},
    {"archive.tar.gz", "application/gzip", 0, 0},
    {"font.woff", "font/woff", 0, 0},
    {"font.woff2", "font/woff2", 0, 0},
    /* Text that libmagic calls plain: the extension says which. */
    {"style.css", "text/css; charset=utf-8", 0, 0},
    {"script.js", "text/javascript; charset=utf-8", 0, 0},
    {"data.json", "application/json", 0, 0},
    {"notes.txt", "text/plain; charset=utf-8", 0, 0},
    {"page.html", "text/html; charset=utf-8", 0, 0},
    /* Lying names: the bytes win. */
    {"png-named.jpg", "image/png", 3, 2},
    {"text-named.png", "text/plain; charset=utf-8", 0, 0},
    {"html-named.jpg", "text/html; charset=utf-8", 0, 0},
    /* Truncated and damaged: the type from the signature, no size. */
    {"png-truncated.png", "image/png", 0, 0},
    {"gif-truncated.gif", "image/gif", 0, 0},
    {"jpeg-no-sof.jpg", "image/jpeg", 0, 0},
    {"empty.png", "application/octet-stream", 0, 0},
};

static void test_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(files); i++) {
		size_t len;
		char *data = load(files[i].file, &len);
		struct media_info info;
		assert_int_equal(media_inspect(data, len, files[i].file, &info), 0);
		if (strcmp(info.type, files[i].type) != 0 || info.width != files[i].width ||
		    info.height != files[i].height)
			fail_msg("%s: got %s %ux%u, want %s %ux%u", files[i].file, info.type,
			         info.width, info.height, files[i].type, files[i].width,
			         files[i].height);
		free(data);
	}
}

/* The same bytes under other names: images never follow the name; text does. */
static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *file, *name, *type;
	} cases[] = {
	    {"png-3x2.png", NULL, "image/png"},
	    {"png-3x2.png", "photo.css", "image/png"},
	    {"png-3x2.png", "noextension", "image/png"},
	    {"notes.txt", "notes.svg", "text/plain; charset=utf-8"}, /* no <svg> root */
	    {"notes.txt", "notes.pdf", "text/plain; charset=utf-8"},
	    {"notes.txt", "notes.mp4", "text/plain; charset=utf-8"},
	    {"notes.txt", "notes.woff2", "text/plain; charset=utf-8"},
	    {"notes.txt", "NOTES.CSS", "text/css; charset=utf-8"},
	    {"notes.txt", "dir.d/notes", "text/plain; charset=utf-8"},
	    {"page.html", "page.txt", "text/plain; charset=utf-8"},
	    {"page.html", "page.png", "text/html; charset=utf-8"},
	    {"svg-width-height.svg", "drawing.png", "image/svg+xml"},
	    {"font.woff2", "font.ttf", "font/woff2"},
	    {"document.pdf", "document.txt", "application/pdf"},
	    {"empty.png", "empty.css", "text/css; charset=utf-8"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t len;
		char *data = load(cases[i].file, &len);
		struct media_info info;
		assert_int_equal(media_inspect(data, len, cases[i].name, &info), 0);
		if (strcmp(info.type, cases[i].type) != 0)
			fail_msg("%s as %s: got %s, want %s", cases[i].file,
			         cases[i].name ? cases[i].name : "(no name)", info.type,
			         cases[i].type);
		free(data);
	}
}

/* Text that is not UTF-8 says no charset; bytes with NULs are not text. */
static void test_charset(void **state)
{
	(void)state;
	struct media_info info;
	static const char latin1[] = "caf\xe9 au lait, tr\xe8s bien, et voil\xe0 tout.\n";
	assert_int_equal(media_inspect(latin1, sizeof latin1 - 1, "a.css", &info), 0);
	assert_string_equal(info.type, "text/css");
	static const char nuls[] = "body { color: red; }\0\0\0\x01\x02\x03\0\0\0\0";
	assert_int_equal(media_inspect(nuls, sizeof nuls - 1, "a.css", &info), 0);
	assert_true(strncmp(info.type, "text/", 5) != 0);
}

/* Bytes libmagic fails on (it returns NULL): unknown, not an error. */
static void test_libmagic_fails(void **state)
{
	(void)state;
	static const char bytes[] = "\0\0\xfe\xff\xff\xfe\0\x35";
	struct media_info info;
	assert_int_equal(media_inspect(bytes, sizeof bytes - 1, "x.png", &info), 0);
	assert_string_equal(info.type, "application/octet-stream");
	assert_int_equal(media_inspect(bytes, sizeof bytes - 1, "x.woff2", &info), 0);
	assert_string_equal(info.type, "application/octet-stream");
}

/* Every prefix of every image: never a read out of bounds (ASan), never a made-up size. */
static void test_truncations(void **state)
{
	(void)state;
	for (size_t i = 0; i < GZ_ARRAY_LEN(files); i++) {
		if (files[i].width == 0)
			continue;
		size_t len;
		char *data = load(files[i].file, &len);
		const char *type = files[i].type;
		for (size_t n = 0; n < len; n++) {
			/* A copy of exactly n bytes, so that ASan sees the end. */
			char *part = xmalloc(n ? n : 1);
			memcpy(part, data, n);
			unsigned w = 0, h = 0;
			if (media_image_size(part, n, type, &w, &h) == 0 &&
			    (w != files[i].width || h != files[i].height))
				fail_msg("%s cut at %zu: %ux%u", files[i].file, n, w, h);
			free(part);
		}
		free(data);
	}
}

/* Headers written by hand: each field the parsers read, and what they must refuse. */
static void test_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *what, *type;
		const char *bytes;
		size_t len;
		int rc;
		unsigned w, h;
	} cases[] = {
#define B(s) s, sizeof s - 1
	    {"png zero width", "image/png", B("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\x05"),
	     -1, 0, 0},
	    {"png over INT32_MAX", "image/png",
	     B("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\x80\0\0\0\0\0\0\x05"), -1, 0, 0},
	    {"png other first chunk", "image/png",
	     B("\x89PNG\r\n\x1a\n\0\0\0\x0dCgBI\0\0\0\x04\0\0\0\x05"), -1, 0, 0},
	    {"gif87a", "image/gif", B("GIF87a\x10\x00\x20\x00"), 0, 16, 32},
	    {"gif wrong signature", "image/gif", B("GIF90a\x10\x00\x20\x00"), -1, 0, 0},
	    {"jpeg padding and RST", "image/jpeg",
	     B("\xff\xd8\xff\xff\xd0\xff\xc0\x00\x0b\x08\x00\x02\x01\x00\x01\x01\x11\x00"), 0, 256,
	     2},
	    {"jpeg DHT is no frame", "image/jpeg",
	     B("\xff\xd8\xff\xc4\x00\x07\x08\x00\x02\x00\x03"), -1, 0, 0},
	    {"jpeg SOS before a frame", "image/jpeg", B("\xff\xd8\xff\xda\x00\x02"), -1, 0, 0},
	    {"jpeg length under 2", "image/jpeg", B("\xff\xd8\xff\xe0\x00\x01\xff\xc0"), -1, 0, 0},
	    {"jpeg short SOF", "image/jpeg", B("\xff\xd8\xff\xc0\x00\x05\x08\x00\x02"), -1, 0, 0},
	    /* Exif orientation 6 (a quarter turn): width and height swap. */
	    {"jpeg exif turned", "image/jpeg",
	     B("\xff\xd8\xff\xe1\x00\x22"
	       "Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0"
	       "\xff\xc0\x00\x0b\x08\x00\x02\x00\x03\x01\x01\x11\x00"),
	     0, 2, 3},
	    {"jpeg exif little-endian, upright", "image/jpeg",
	     B("\xff\xd8\xff\xe1\x00\x22"
	       "Exif\0\0II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x01\0\0\0\0\0\0\0"
	       "\xff\xc0\x00\x0b\x08\x00\x02\x00\x03\x01\x01\x11\x00"),
	     0, 3, 2},
	    {"jpeg exif IFD out of bounds", "image/jpeg",
	     B("\xff\xd8\xff\xe1\x00\x16"
	       "Exif\0\0MM\0\x2a\x7f\0\0\0\0\0\0\0\0\0"
	       "\xff\xc0\x00\x0b\x08\x00\x02\x00\x03\x01\x01\x11\x00"),
	     0, 3, 2},
	    {"webp VP8 without start code", "image/webp",
	     B("RIFF\x1a\0\0\0WEBPVP8 \x0a\0\0\0\x50\x02\x00\x9d\x01\x2b\x21\x00\x11\x00"), -1, 0,
	     0},
	    {"webp unknown chunk", "image/webp", B("RIFF\x0c\0\0\0WEBPXXXX\x0a\0\0\0\0\0\0\0\0\0"),
	     -1, 0, 0},
	    {"bmp core header", "image/bmp", B("BM\0\0\0\0\0\0\0\0\0\0\0\0\x0c\0\0\0\x07\0\x09\0"),
	     0, 7, 9},
	    {"bmp negative width", "image/bmp",
	     B("BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0\xff\xff\xff\xff\x02\0\0\0"), -1, 0, 0},
	    {"bmp INT32_MIN height", "image/bmp",
	     B("BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0\x02\0\0\0\0\0\0\x80"), -1, 0, 0},
	    {"ico one entry", "image/vnd.microsoft.icon",
	     B("\0\0\1\0\1\0\x30\x30\0\0\1\0\x20\0\0\0\0\0\0\0\0\0"), 0, 48, 48},
	    {"ico count past the end", "image/vnd.microsoft.icon",
	     B("\0\0\1\0\xff\xff\x30\x30\0\0\1\0\x20\0\0\0\0\0\0\0\0\0"), -1, 0, 0},
	    {"ico type 3", "image/vnd.microsoft.icon", B("\0\0\3\0\1\0\x30\x30\0\0\1\0\x20\0\0\0"),
	     -1, 0, 0},
	    {"svg width in inches, height from viewBox", "image/svg+xml",
	     B("<svg width='1in' viewBox='0,0,2,1'/>"), 0, 96, 48},
	    {"svg percent width falls back on viewBox", "image/svg+xml",
	     B("<svg width=\"100%\" height=\"100%\" viewBox=\"-5 -5 40 30\">"), 0, 40, 30},
	    {"svg doctype with subset and comment", "image/svg+xml",
	     B("\xef\xbb\xbf<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'b'>]><!-- x --><svg "
	       "height='10' width='20.4'>"),
	     0, 20, 10},
	    {"svg unclosed attribute", "image/svg+xml", B("<svg width=\"12"), -1, 0, 0},
	    {"svg no size at all", "image/svg+xml", B("<svg xmlns='http://www.w3.org/2000/svg'>"),
	     -1, 0, 0},
	    {"svg is not the root", "image/svg+xml", B("<html><svg width='5' height='5'>"), -1, 0,
	     0},
	    {"svg-like name", "image/svg+xml", B("<svgx width='5' height='5'>"), -1, 0, 0},
	    {"svg huge exponent", "image/svg+xml", B("<svg width='1e99' height='3'>"), -1, 0, 0},
	    {"svg viewBox with a negative size", "image/svg+xml", B("<svg viewBox='0 0 -4 4'>"), -1,
	     0, 0},
	    {"heif without meta", "image/avif",
	     B("\0\0\0\x10"
	       "ftypavif\0\0\0\0"),
	     -1, 0, 0},
	    {"heif box larger than the file", "image/avif",
	     B("\0\0\0\x10"
	       "ftypavif\0\0\0\0\xff\0\0\0meta"),
	     -1, 0, 0},
	    {"type not an image", "text/plain",
	     B("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\1\0\0\0\1"), -1, 0, 0},
	    {"no type", NULL, B("GIF89a\1\0\1\0"), -1, 0, 0},
#undef B
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char *copy = xmalloc(cases[i].len);
		memcpy(copy, cases[i].bytes, cases[i].len);
		unsigned w = 0, h = 0;
		int rc = media_image_size(copy, cases[i].len, cases[i].type, &w, &h);
		if (rc != cases[i].rc || (rc == 0 && (w != cases[i].w || h != cases[i].h)))
			fail_msg("%s: got %d %ux%u, want %d %ux%u", cases[i].what, rc, w, h,
			         cases[i].rc, cases[i].w, cases[i].h);
		free(copy);
	}
}

static void test_type_of_name(void **state)
{
	(void)state;
	static const struct {
		const char *name, *type;
	} cases[] = {
	    {"a.css", "text/css"},
	    {"dir/A.JS", "text/javascript"},
	    {"x.svg", "image/svg+xml"},
	    {"x.woff2", "font/woff2"},
	    {"x.png", NULL},
	    {"x.jpg", NULL},
	    {".css", NULL},
	    {"dir.css/file", NULL},
	    {"noext", NULL},
	    {"a.tar.gz", NULL},
	    {"feed.atom", "application/atom+xml"},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		const char *t = media_type_of_name(cases[i].name);
		if (cases[i].type == NULL ? t != NULL : t == NULL || strcmp(t, cases[i].type) != 0)
			fail_msg("%s: got %s", cases[i].name, t ? t : "NULL");
	}
	assert_null(media_type_of_name(NULL));
}

static void test_paths(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		bool valid;
	} cases[] = {
	    {"images/cat.png", true},
	    {"files/Annual report 2024.pdf", true},
	    {"café/ünïcode.jpg", true},
	    {"a", true},
	    {".well-known/x", true},
	    {"a..b/c...d", true},
	    {"", false},
	    {"/images/cat.png", false},
	    {"images/", false},
	    {"images//cat.png", false},
	    {"images/./cat.png", false},
	    {"images/../cat.png", false},
	    {"..", false},
	    {".", false},
	    {"images\\cat.png", false},
	    {"tab\there", false},
	    {"line\nbreak", false},
	    {"del\x7f", false},
	    {"bad\xff utf8", false},
	    {"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", true},
	    {"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", false},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		const char *why = NULL;
		bool ok = media_path_valid(cases[i].path, strlen(cases[i].path), &why);
		if (ok != cases[i].valid)
			fail_msg("'%s': got %s", cases[i].path, ok ? "valid" : why);
		assert_true(ok ? why == NULL : why != NULL);
	}
	const char *why;
	assert_false(media_path_valid("a\0b", 3, &why)); /* a NUL inside */
	char long_path[MEDIA_PATH_MAX + 2];
	memset(long_path, 'a', sizeof long_path);
	assert_true(media_path_valid(long_path, MEDIA_PATH_MAX, &why));
	assert_false(media_path_valid(long_path, MEDIA_PATH_MAX + 1, &why));
}

static void test_hashed_paths(void **state)
{
	(void)state;
	static const char hash[] =
	    "1a2b3c4d5e6f77889900aabbccddeeff00112233445566778899aabbccddeeff";
	static const struct {
		const char *path, *hashed;
	} cases[] = {
	    {"images/a.png", "images/a.1a2b3c4d.png"},
	    {"archive.tar.gz", "archive.tar.1a2b3c4d.gz"},
	    {"README", "README.1a2b3c4d"},
	    {".htaccess", ".htaccess.1a2b3c4d"},
	    {"v1.2/notes", "v1.2/notes.1a2b3c4d"},
	    {"dir.d/a b.PDF", "dir.d/a b.1a2b3c4d.PDF"},
	    {"a.", "a.1a2b3c4d."},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct buf h = BUF_INIT, plain = BUF_INIT;
		media_hashed_path(cases[i].path, hash, &h);
		assert_string_equal(h.data, cases[i].hashed);
		char digits[MEDIA_HASH_DIGITS + 1];
		assert_true(media_unhashed_path(h.data, &plain, digits));
		assert_string_equal(plain.data, cases[i].path);
		assert_string_equal(digits, "1a2b3c4d");
		buf_free(&h);
		buf_free(&plain);
	}
	/* Not hashed: no change, and plain is left alone. */
	static const char *const plain_names[] = {
	    "images/a.png", "a.1A2B3C4D.png", "a.1a2b3c4.png", "a.1a2b3c4dd.png",
	    ".1a2b3c4d",    "b.x.1a2b3c4d",   "1a2b3c4d.png",  "dir.1a2b3c4d/a.png",
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(plain_names); i++) {
		struct buf plain = BUF_INIT;
		char digits[MEDIA_HASH_DIGITS + 1];
		if (media_unhashed_path(plain_names[i], &plain, digits))
			fail_msg("%s was taken for hashed: %s", plain_names[i], plain.data);
		assert_int_equal(plain.len, 0);
		buf_free(&plain);
	}
}

/* media_inspect from several threads at once: one cookie, one lock. */
#include <pthread.h>

static void *inspect_many(void *arg)
{
	const char *data = arg;
	for (int i = 0; i < 200; i++) {
		struct media_info info;
		if (media_inspect(data, 85, "x.png", &info) != 0 ||
		    strcmp(info.type, "image/png") != 0)
			return (void *)1;
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	size_t len;
	char *data = load("png-3x2.png", &len);
	assert_int_equal(len, 85);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, inspect_many, data), 0);
	for (int i = 0; i < 4; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		assert_null(rc);
	}
	free(data);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_files),   cmocka_unit_test(test_names),
	    cmocka_unit_test(test_charset), cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_sizes),   cmocka_unit_test(test_type_of_name),
	    cmocka_unit_test(test_paths),   cmocka_unit_test(test_hashed_paths),
	    cmocka_unit_test(test_threads), cmocka_unit_test(test_libmagic_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
