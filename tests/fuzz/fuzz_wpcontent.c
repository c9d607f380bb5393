/*
 * fuzz_wpcontent.c: a WordPress post body as the WXR reader converts it.
 *
 * The input is a body (post_content): wp_content_html(), then
 * wp_html_text() and wp_decode_entities() on the same bytes, as the
 * reader does with titles and excerpts.
 *
 * Besides memory errors, it checks what wpcontent.h promises: the
 * paragraphs it makes never nest and all close (unless the body has <p>
 * tags or comments of its own), valid UTF-8 stays valid UTF-8, the text
 * of HTML has no space at either end, and decoding character references
 * never makes a text longer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wpcontent.h"
#include "fuzz_common.h"
#include "gazette/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool has_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, w, k) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct buf out = BUF_INIT, text = BUF_INIT, dec = BUF_INIT;
	struct wp_counts unknown = {0};
	bool utf8 = utf8_valid(in, size);

	wp_content_html(in, size, &out, &unknown);
	if (utf8)
		FUZZ_CHECK(utf8_valid(out.data ? out.data : "", out.len),
		           "wp_content_html made invalid UTF-8 of valid UTF-8", out.data, out.len);
	/* Our paragraphs: no <p> or </p> in the input, none in raw elements either. */
	if (!has_ci(in, size, "<p") && !has_ci(in, size, "</p") && !has_ci(in, size, "<!--")) {
		int depth = 0;
		for (size_t i = 0; i + 4 <= out.len; i++) {
			if (memcmp(out.data + i, "<p>", 3) == 0)
				depth++;
			else if (memcmp(out.data + i, "</p>", 4) == 0)
				depth--;
			FUZZ_CHECK(depth == 0 || depth == 1, "paragraphs nest or close twice",
			           out.data, out.len);
		}
		FUZZ_CHECK(depth == 0, "a paragraph left open", out.data, out.len);
	}
	FUZZ_CHECK(unknown.len <= WP_COUNTS_MAX, "too many names kept", NULL, 0);

	wp_html_text(in, size, &text);
	if (text.len > 0) {
		FUZZ_CHECK(text.data[0] != ' ' && text.data[text.len - 1] != ' ',
		           "text starts or ends with a space", text.data, text.len);
		if (utf8)
			FUZZ_CHECK(utf8_valid(text.data, text.len),
			           "wp_html_text made invalid UTF-8 of valid UTF-8", text.data,
			           text.len);
	}

	wp_decode_entities(in, size, &dec);
	/* no reference is shorter than what it stands for */
	FUZZ_CHECK(dec.len <= size, "decoding made the text longer", in, size);
	if (utf8)
		FUZZ_CHECK(utf8_valid(dec.data ? dec.data : "", dec.len),
		           "wp_decode_entities made invalid UTF-8 of valid UTF-8", dec.data,
		           dec.len);

	buf_free(&out);
	buf_free(&text);
	buf_free(&dec);
	return 0;
}
