/*
 * fuzz_sanitize.c: the raw HTML sanitizer, as authors' HTML and imported
 * bodies feed it.
 *
 * Input: one flag byte, then the HTML.  The flags pick the policy: bit 0
 * allows iframes from www.youtube.com and *.vimeo.com, bit 1 rewrites
 * URLs starting "../" to "/files/...", bit 2 adds width and height to an
 * <img> that has neither (both callbacks are stable: what they write is
 * not rewritten or added again).
 *
 * Beyond memory errors, the output must:
 * - pass sanitize_check(): valid UTF-8, only allowed tags with allowed,
 *   double-quoted attributes, only escape_html's entities, and, parsed
 *   again by gumbo, only allowed elements and attributes and no URL with
 *   a scheme other than http, https, mailto, tel (iframes: https on an
 *   allowed host);
 * - come back unchanged from a second sanitize_html() (stable).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "gazette/base/buf.h"
#include "gazette/content/sanitize.h"
#include "sanitize_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const hosts[] = {"www.youtube.com", ".vimeo.com", NULL};

static bool rewrite(void *ctx, const char *tag, const char *attr, const char *url, size_t len,
                    struct buf *out)
{
	if (len < 3 || memcmp(url, "../", 3) != 0)
		return false;
	buf_puts(out, "/files/");
	buf_append(out, url + 3, len - 3);
	return true;
}

static void add_size(void *ctx, const char *src, size_t src_len, unsigned index, bool has_width,
                     bool has_height, struct buf *out)
{
	if (!has_width && !has_height)
		buf_puts(out, " width=\"640\" height=\"480\"");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned flags = data[0];
	struct sanitize_policy policy = {
	    flags & 1 ? hosts : NULL,
	    flags & 2 ? rewrite : NULL,
	    flags & 4 ? add_size : NULL,
	    NULL,
	};
	/* The HTML in its own allocation: an over-read is an ASan report. */
	size_t len = size - 1;
	char *html = malloc(len ? len : 1);
	memcpy(html, data + 1, len);

	struct buf out = BUF_INIT, again = BUF_INIT;
	FUZZ_CHECK(sanitize_html(html, len, &policy, &out) == 0, "sanitize_html failed", html, len);
	const char *text = out.data ? out.data : "";
	const char *where = NULL;
	const char *why = sanitize_check(text, out.len, policy.iframe_hosts, &where);
	if (why && where >= text && where < text + out.len)
		fuzz_fail(why, where, out.len - (size_t)(where - text));
	else if (why)
		fuzz_fail(why, where ? where : text, where ? strlen(where) : out.len);
	FUZZ_CHECK(sanitize_html(text, out.len, &policy, &again) == 0,
	           "sanitize_html failed on its own output", text, out.len);
	FUZZ_CHECK(again.len == out.len && memcmp(again.data ? again.data : "", text, out.len) == 0,
	           "not stable: sanitizing the output again changed it", text, out.len);
	buf_free(&out);
	buf_free(&again);
	free(html);
	return 0;
}
