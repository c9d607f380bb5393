/*
 * fuzz_media.c: what base/media.c reads from files nobody checked.
 *
 * The input is a file's bytes.  Every image header parser runs on them
 * (media_image_size() with each image type), then media_inspect() with
 * libmagic under a few names, then the input read as a file's address
 * (media_path_valid(), media_hashed_path(), media_unhashed_path()).
 *
 * Besides memory errors (the parsers must never read outside the input,
 * whose end ASan guards), it checks what media.h promises: a size is from
 * 1 to INT32_MAX on both sides and the same on a second call; the name
 * never makes bytes an image, audio, video or PDF that they are not
 * without it, and makes them SVG only when libmagic saw text; a valid
 * address comes back from its hashed form unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "gazette/base/buf.h"
#include "gazette/base/media.h"
#include "gazette/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const image_types[] = {
    "image/png",
    "image/apng",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/heic",
    "image/heif",
    "image/bmp",
    "image/svg+xml",
    "image/vnd.microsoft.icon",
};

/* Kinds of type a name must never bring about by itself. */
static bool binary_kind(const char *type)
{
	return (strncmp(type, "image/", 6) == 0 && strcmp(type, "image/svg+xml") != 0) ||
	       strncmp(type, "audio/", 6) == 0 || strncmp(type, "video/", 6) == 0 ||
	       strcmp(type, "application/pdf") == 0 || strcmp(type, "application/zip") == 0;
}

/* libmagic is slow next to the parsers: only inputs of up to this size meet it. */
#define INSPECT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof image_types / sizeof *image_types; i++) {
		unsigned w = 0, h = 0, w2 = 0, h2 = 0;
		int rc = media_image_size(data, size, image_types[i], &w, &h);
		if (rc < 0)
			continue;
		FUZZ_CHECK(w >= 1 && h >= 1 && w <= INT32_MAX && h <= INT32_MAX,
		           "a size out of range", image_types[i], strlen(image_types[i]));
		FUZZ_CHECK(media_image_size(data, size, image_types[i], &w2, &h2) == 0 && w == w2 &&
		               h == h2,
		           "a second reading gives another size", image_types[i],
		           strlen(image_types[i]));
	}

	if (size <= INSPECT_MAX) {
		struct media_info bare, named;
		static const char *const names[] = {"x.png", "x.svg", "x.css", "x.woff2", "x.mp4"};
		FUZZ_CHECK(media_inspect(data, size, NULL, &bare) == 0, "libmagic failed", NULL, 0);
		FUZZ_CHECK(bare.type[0] != '\0', "an empty type", NULL, 0);
		const char *name = names[size % (sizeof names / sizeof *names)];
		FUZZ_CHECK(media_inspect(data, size, name, &named) == 0, "libmagic failed", NULL,
		           0);
		if (binary_kind(named.type))
			FUZZ_CHECK(strcmp(named.type, bare.type) == 0,
			           "a name made the bytes binary", named.type, strlen(named.type));
		if (strcmp(named.type, "image/svg+xml") == 0 && strcmp(bare.type, named.type) != 0)
			FUZZ_CHECK(strncmp(bare.type, "text/", 5) == 0 ||
			               strcmp(bare.type, "application/xml") == 0 ||
			               strcmp(bare.type, "application/json") == 0 ||
			               strcmp(bare.type, "application/octet-stream") == 0,
			           "a name made SVG of what was not text", bare.type,
			           strlen(bare.type));
		if (named.width)
			FUZZ_CHECK(strncmp(named.type, "image/", 6) == 0,
			           "a size for what is no image", named.type, strlen(named.type));
	}

	const char *why;
	if (media_path_valid((const char *)data, size, &why)) {
		char *path = fuzz_strndup(data, size);
		struct buf hashed = BUF_INIT, plain = BUF_INIT;
		char digits[MEDIA_HASH_DIGITS + 1];
		media_hashed_path(path, "0123abcd0123abcd0123abcd0123abcd", &hashed);
		FUZZ_CHECK(media_unhashed_path(hashed.data, &plain, digits),
		           "a hashed address not recognised", hashed.data, hashed.len);
		FUZZ_CHECK(strcmp(plain.data, path) == 0 && strcmp(digits, "0123abcd") == 0,
		           "a hashed address does not lead back", hashed.data, hashed.len);
		buf_free(&hashed);
		buf_free(&plain);
		free(path);
	} else {
		FUZZ_CHECK(why != NULL, "a refusal without a reason", NULL, 0);
	}
	return 0;
}
