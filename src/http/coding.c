/*
 * coding.c: content codings.  See coding.h.
 *
 * Levels, measured on the sample pages of a 2,000-article site (a 14 KB
 * article, a 14 KB API list, an 11 KB front page) on the development
 * machine: gzip level 6 makes 33%, 23% and 29% of the size in 70 to
 * 115 us; Brotli quality 5 makes 30%, 20% and 25% in 110 to 160 us.
 * Brotli's quality 9 takes 5 to 7 ms for the same size, and 11 takes
 * 11 to 14 ms for 26%, 17% and 22%: too long for the first reader of a
 * page, who waits for it.  Decoding either takes 15 to 30 us.
 */
#include "coding.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "gazette/base/util.h"

#define GZIP_LEVEL 6
#define BROTLI_QUALITY 5

size_t coding_accepted(const char *ae, enum http_coding out[2])
{
	int gzip = -1, br = -1, star = -1; /* q in thousandths; -1: not named */
	const char *name;
	size_t n;
	int q;
	for (const char *p = ae; http_list_next(&p, &name, &n, &q);) {
		if (q < 0)
			q = 0; /* not a q-value: not this coding */
		if ((n == 4 && strncasecmp(name, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(name, "x-gzip", 6) == 0))
			gzip = q;
		else if (n == 2 && strncasecmp(name, "br", 2) == 0)
			br = q;
		else if (n == 1 && name[0] == '*')
			star = q;
	}
	if (gzip < 0)
		gzip = star;
	if (br < 0)
		br = star;
	size_t k = 0;
	if (br > 0 && br >= gzip)
		out[k++] = CODING_BR;
	if (gzip > 0)
		out[k++] = CODING_GZIP;
	if (br > 0 && br < gzip)
		out[k++] = CODING_BR;
	return k;
}

const char *coding_name(enum http_coding c)
{
	return c == CODING_GZIP ? "gzip" : c == CODING_BR ? "br" : "identity";
}

const char *coding_etag_mark(enum http_coding c)
{
	return c == CODING_GZIP ? "-gz" : c == CODING_BR ? "-br" : "";
}

static unsigned char *gzip_compress(const void *in, size_t n, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* 15 + 16: a 32 KB window with gzip's header and trailer, not zlib's. */
	if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t bound = deflateBound(&z, (uLong)n);
	unsigned char *out = xmalloc(bound);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

static unsigned char *brotli_compress(const void *in, size_t n, size_t *outlen)
{
	/* The smallest window that holds the whole body: less memory to set up. */
	int lgwin = BROTLI_MIN_WINDOW_BITS;
	while (lgwin < BROTLI_MAX_WINDOW_BITS && ((size_t)1 << lgwin) < n)
		lgwin++;
	size_t bound = BrotliEncoderMaxCompressedSize(n);
	if (bound == 0)
		return NULL;
	unsigned char *out = xmalloc(bound);
	*outlen = bound;
	if (!BrotliEncoderCompress(BROTLI_QUALITY, lgwin, BROTLI_MODE_TEXT, n, in, outlen, out)) {
		free(out);
		return NULL;
	}
	return out;
}

unsigned char *coding_compress(enum http_coding c, const void *in, size_t n, size_t *outlen)
{
	unsigned char *out = c == CODING_GZIP ? gzip_compress(in, n, outlen)
	                     : c == CODING_BR ? brotli_compress(in, n, outlen)
	                                      : NULL;
	if (out && *outlen > n / 2) {
		free(out);
		return NULL;
	}
	/*
	 * Both were given room for the worst case, about n bytes; kept, the
	 * body is to cost what it is.  Shrinking splits the block in place.
	 */
	return out ? xrealloc(out, *outlen) : NULL;
}

static bool gzip_decompress(const void *in, size_t n, unsigned char *out, size_t want)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return false;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)want;
	int rc = inflate(&z, Z_FINISH);
	bool whole = rc == Z_STREAM_END && z.total_out == want;
	inflateEnd(&z);
	return whole;
}

unsigned char *coding_decompress(enum http_coding c, const void *in, size_t n, size_t want)
{
	/* One byte more than wanted: a body that decodes longer does not fit and fails. */
	unsigned char *out = xmalloc(want + 1);
	bool ok = false;
	if (c == CODING_GZIP)
		ok = gzip_decompress(in, n, out, want);
	else if (c == CODING_BR) {
		size_t len = want + 1;
		ok = BrotliDecoderDecompress(n, in, &len, out) == BROTLI_DECODER_RESULT_SUCCESS &&
		     len == want;
	}
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}
