/*
 * Unit tests for picture.c: which copies an image gets, the addresses of
 * copies both ways, and <img> written as a responsive image.
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
#include "gazette/base/util.h"
#include "gazette/content/picture.h"

/* A buffer's text, "" while it is empty. */
static const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

struct plan_case {
	const char *type;
	unsigned width, height, frames;
	const char *want; /* the copies as "480:webp 480:png ...", "" for none */
};

static void test_plan(void **state)
{
	static const struct plan_case cases[] = {
	    {"image/png", 2000, 1333, 1,
	     "480:webp 480:png 800:webp 800:png 1200:webp 1200:png 1600:webp 1600:png"},
	    {"image/jpeg", 2000, 1333, 1,
	     "480:webp 480:jpg 800:webp 800:jpg 1200:webp 1200:jpg 1600:webp 1600:jpg"},
	    /* Not wider than the widest width: WebP at its own width too. */
	    {"image/jpeg", 1600, 900, 1, "480:webp 480:jpg 800:webp 800:jpg 1200:webp 1200:jpg "
	                                 "1600:webp"},
	    {"image/jpeg", 1000, 800, 1, "480:webp 480:jpg 800:webp 800:jpg 1000:webp"},
	    {"image/png", 480, 300, 1, "480:webp"},
	    {"image/png", 481, 300, 1, "480:webp 480:png 481:webp"},
	    {"image/png", 64, 64, 1, "64:webp"},
	    {"image/png; charset=binary", 800, 600, 1, "480:webp 480:png 800:webp"},
	    {"IMAGE/PNG", 800, 600, 1, "480:webp 480:png 800:webp"},
	    /* A GIF's copies in PNG; an animated one gets none. */
	    {"image/gif", 900, 600, 1, "480:webp 480:png 800:webp 800:png 900:webp"},
	    {"image/gif", 900, 600, 12, ""},
	    /* WebP: smaller WebP only. */
	    {"image/webp", 2000, 1000, 1, "480:webp 800:webp 1200:webp 1600:webp"},
	    {"image/webp", 400, 300, 1, ""},
	    {"image/webp", 2000, 1000, 3, ""},
	    /* Formats that get nothing, sizes that get nothing. */
	    {"image/svg+xml", 2000, 1000, 1, ""},
	    {"image/avif", 2000, 1000, 1, ""},
	    {"image/vnd.microsoft.icon", 32, 32, 1, ""},
	    {"application/pdf", 2000, 1000, 1, ""},
	    {"image/png", 0, 100, 1, ""},
	    {"image/png", 100, 0, 1, ""},
	    {"image/png", 10000, 5001, 1, ""}, /* over 50 million pixels */
	    {"image/png", 10000, 5000, 1,
	     "480:webp 480:png 800:webp 800:png 1200:webp 1200:png 1600:webp 1600:png"},
	    {NULL, 100, 100, 1, ""},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct picture_copy out[PICTURE_COPIES_MAX];
		size_t n = picture_plan(cases[i].type, cases[i].width, cases[i].height,
		                        cases[i].frames, out);
		struct buf got = BUF_INIT;
		for (size_t k = 0; k < n; k++)
			buf_printf(&got, "%s%u:%s", k ? " " : "", out[k].width,
			           picture_extension(out[k].type));
		if (strcmp(buf_str(&got), cases[i].want) != 0)
			print_error("case %zu: got \"%s\"\n", i, buf_str(&got));
		assert_string_equal(buf_str(&got), cases[i].want);
		assert_true(n <= PICTURE_COPIES_MAX);
		buf_free(&got);
	}
}

struct parse_case {
	const char *path;
	bool ok;
	const char *original;
	unsigned width;
	const char *type;
};

static void test_addresses(void **state)
{
	static const struct parse_case cases[] = {
	    {"images/cat.1a2b3c4d.png.800w.webp", true, "images/cat.1a2b3c4d.png", 800,
	     "image/webp"},
	    {"images/cat.1a2b3c4d.jpg.480w.jpg", true, "images/cat.1a2b3c4d.jpg", 480,
	     "image/jpeg"},
	    {"a.1a2b3c4d.gif.1600w.png", true, "a.1a2b3c4d.gif", 1600, "image/png"},
	    {"x.99999w.webp", true, "x", 99999, "image/webp"},
	    {"x.100000w.webp", false, NULL, 0, NULL}, /* six digits */
	    {"x.0800w.webp", false, NULL, 0, NULL},   /* a leading zero */
	    {"x.0w.webp", false, NULL, 0, NULL},
	    {".800w.webp", false, NULL, 0, NULL},     /* no original */
	    {"x800w.webp", false, NULL, 0, NULL},     /* no dot before the width */
	    {"x.w.webp", false, NULL, 0, NULL},
	    {"x.800.webp", false, NULL, 0, NULL},
	    {"x.800w.gif", false, NULL, 0, NULL},     /* not a copy's format */
	    {"x.800w.jpeg", false, NULL, 0, NULL},
	    {"x.800w.WEBP", false, NULL, 0, NULL},
	    {"images/cat.png", false, NULL, 0, NULL},
	    {"", false, NULL, 0, NULL},
	    {"webp", false, NULL, 0, NULL},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t orig = 0;
		unsigned w = 0;
		const char *type = NULL;
		bool ok = picture_copy_parse(cases[i].path, strlen(cases[i].path), &orig, &w, &type);
		if (ok != cases[i].ok)
			print_error("\"%s\": got %d\n", cases[i].path, ok);
		assert_int_equal(ok, cases[i].ok);
		if (!ok)
			continue;
		assert_int_equal(orig, strlen(cases[i].original));
		assert_memory_equal(cases[i].path, cases[i].original, orig);
		assert_int_equal(w, cases[i].width);
		assert_string_equal(type, cases[i].type);
		/* And back: the suffix written for it is what was parsed. */
		struct buf b = BUF_INIT;
		buf_append(&b, cases[i].path, orig);
		picture_copy_suffix(&b, w, type);
		assert_string_equal(buf_str(&b), cases[i].path);
		buf_free(&b);
	}
	assert_null(picture_extension("image/gif"));
	assert_null(picture_extension(NULL));
	assert_string_equal(picture_extension("image/jpeg"), "jpg");
}

/* The lookup of the tests: images/big.* are 2000 wide, small.png 300, anim.gif none. */
static bool lookup(void *ctx, const char *src, size_t n, struct picture_info *info)
{
	int *calls = ctx;
	(*calls)++;
	struct {
		const char *src, *type;
		unsigned width, height;
	} known[] = {
	    {"../images/big.1a2b3c4d.png", "image/png", 2000, 1333},
	    {"../images/big.1a2b3c4d.jpg", "image/jpeg", 1000, 700},
	    {"../images/small.1a2b3c4d.png", "image/png", 300, 200},
	    {"../images/photo.1a2b3c4d.webp", "image/webp", 900, 600},
	    {"../a&amp;b.1a2b3c4d.png", "image/png", 500, 500},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(known); i++)
		if (strlen(known[i].src) == n && memcmp(known[i].src, src, n) == 0) {
			info->width = known[i].width;
			info->webp = strcmp(known[i].type, "image/webp") == 0;
			info->ncopies = picture_plan(known[i].type, known[i].width, known[i].height, 1,
			                             info->copies);
			return true;
		}
	return false;
}

struct rewrite_case {
	const char *html, *want;
	int calls; /* of lookup */
};

#define SIZES " sizes=\"" PICTURE_SIZES "\""

static void test_rewrite(void **state)
{
	static const struct rewrite_case cases[] = {
	    /* PNG: a WebP <source>, the <img> with the PNG copies and the original. */
	    {"<p><img src=\"../images/big.1a2b3c4d.png\" alt=\"A hill\" width=\"2000\" "
	     "height=\"1333\"></p>",
	     "<p><picture><source type=\"image/webp\" srcset=\""
	     "../images/big.1a2b3c4d.png.480w.webp 480w, ../images/big.1a2b3c4d.png.800w.webp 800w, "
	     "../images/big.1a2b3c4d.png.1200w.webp 1200w, "
	     "../images/big.1a2b3c4d.png.1600w.webp 1600w\"" SIZES ">"
	     "<img src=\"../images/big.1a2b3c4d.png\" alt=\"A hill\" width=\"2000\" height=\"1333\""
	     " srcset=\"../images/big.1a2b3c4d.png.480w.png 480w, "
	     "../images/big.1a2b3c4d.png.800w.png 800w, ../images/big.1a2b3c4d.png.1200w.png 1200w, "
	     "../images/big.1a2b3c4d.png.1600w.png 1600w, ../images/big.1a2b3c4d.png 2000w\"" SIZES
	     "></picture></p>",
	     1},
	    /* A JPEG of 1000: WebP at its own width as well. */
	    {"<img src=\"../images/big.1a2b3c4d.jpg\" alt=\"\" loading=\"lazy\">",
	     "<picture><source type=\"image/webp\" srcset=\"../images/big.1a2b3c4d.jpg.480w.webp 480w, "
	     "../images/big.1a2b3c4d.jpg.800w.webp 800w, ../images/big.1a2b3c4d.jpg.1000w.webp "
	     "1000w\"" SIZES "><img src=\"../images/big.1a2b3c4d.jpg\" alt=\"\" loading=\"lazy\" "
	     "srcset=\"../images/big.1a2b3c4d.jpg.480w.jpg 480w, ../images/big.1a2b3c4d.jpg.800w.jpg "
	     "800w, ../images/big.1a2b3c4d.jpg 1000w\"" SIZES "></picture>",
	     1},
	    /* Small: only WebP at its size, the <img> as it was. */
	    {"<img src=\"../images/small.1a2b3c4d.png\" alt=\"x\">",
	     "<picture><source type=\"image/webp\" srcset=\"../images/small.1a2b3c4d.png.300w.webp "
	     "300w\"" SIZES "><img src=\"../images/small.1a2b3c4d.png\" alt=\"x\"></picture>",
	     1},
	    /* WebP: no <source>, the <img> lists the copies. */
	    {"<img src=\"../images/photo.1a2b3c4d.webp\" alt=\"x\">",
	     "<img src=\"../images/photo.1a2b3c4d.webp\" alt=\"x\" srcset=\""
	     "../images/photo.1a2b3c4d.webp.480w.webp 480w, ../images/photo.1a2b3c4d.webp.800w.webp "
	     "800w, ../images/photo.1a2b3c4d.webp 900w\"" SIZES ">",
	     1},
	    /* The src as written, escaped, is what the copies' addresses extend. */
	    {"<img alt=\"&quot;&gt;\" src=\"../a&amp;b.1a2b3c4d.png\"/>",
	     "<picture><source type=\"image/webp\" srcset=\"../a&amp;b.1a2b3c4d.png.480w.webp 480w, "
	     "../a&amp;b.1a2b3c4d.png.500w.webp 500w\"" SIZES "><img alt=\"&quot;&gt;\" "
	     "src=\"../a&amp;b.1a2b3c4d.png\" srcset=\"../a&amp;b.1a2b3c4d.png.480w.png 480w, "
	     "../a&amp;b.1a2b3c4d.png 500w\"" SIZES "></picture>",
	     1},
	    /* Left as they are. */
	    {"<img src=\"https://elsewhere.example/a.png\" alt=\"\">",
	     "<img src=\"https://elsewhere.example/a.png\" alt=\"\">", 1},
	    {"<img src=\"../images/big.1a2b3c4d.png\" srcset=\"x.png 2x\">",
	     "<img src=\"../images/big.1a2b3c4d.png\" srcset=\"x.png 2x\">", 0},
	    {"<picture><source srcset=\"a.avif\"><img src=\"../images/big.1a2b3c4d.png\"></picture>"
	     "<img src=\"../images/small.1a2b3c4d.png\">",
	     "<picture><source srcset=\"a.avif\"><img src=\"../images/big.1a2b3c4d.png\"></picture>"
	     "<picture><source type=\"image/webp\" srcset=\"../images/small.1a2b3c4d.png.300w.webp "
	     "300w\"" SIZES "><img src=\"../images/small.1a2b3c4d.png\"></picture>",
	     1},
	    {"<img src=\"\">", "<img src=\"\">", 0},
	    {"<img src=\"a b.png\">", "<img src=\"a b.png\">", 0},
	    {"<img alt=\"no source\">", "<img alt=\"no source\">", 0},
	    /* Text, code and comments are not tags. */
	    {"<pre><code>&lt;img src=\"../images/big.1a2b3c4d.png\"&gt;</code></pre>",
	     "<pre><code>&lt;img src=\"../images/big.1a2b3c4d.png\"&gt;</code></pre>", 0},
	    {"<!-- <img src=\"../images/small.1a2b3c4d.png\"> --><p>x</p>",
	     "<!-- <img src=\"../images/small.1a2b3c4d.png\"> --><p>x</p>", 0},
	    {"<p title=\"<img src=../images/small.1a2b3c4d.png>\">x</p>",
	     "<p title=\"<img src=../images/small.1a2b3c4d.png>\">x</p>", 0},
	    /* Unfinished and odd input is copied as it is. */
	    {"<img src=\"../images/small.1a2b3c4d.png\"", "<img src=\"../images/small.1a2b3c4d.png\"",
	     0},
	    {"<img src=\"../images/small", "<img src=\"../images/small", 0},
	    {"a < b and <3", "a < b and <3", 0},
	    {"</picture></picture><br>", "</picture></picture><br>", 0},
	    {"", "", 0},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		struct buf out = BUF_INIT;
		int calls = 0;
		picture_rewrite(cases[i].html, strlen(cases[i].html), lookup, &calls, &out);
		if (strcmp(buf_str(&out), cases[i].want) != 0)
			print_error("case %zu:\n got  %s\n want %s\n", i, buf_str(&out), cases[i].want);
		assert_string_equal(buf_str(&out), cases[i].want);
		assert_int_equal(calls, cases[i].calls);
		buf_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_rewrite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
