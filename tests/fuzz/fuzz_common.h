/*
 * fuzz_common.h: checks the harnesses share.  Each check aborts with a
 * message naming what it found (a libFuzzer "crash" with the input saved),
 * so a finding is never silent.
 */
#ifndef GAZETTE_FUZZ_COMMON_H
#define GAZETTE_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Prints "fuzz: FINDING: what" (with up to 200 bytes of ctx[0..n) escaped) and aborts. */
void fuzz_fail(const char *what, const char *ctx, size_t n) __attribute__((noreturn));

/* fuzz_fail(what, ...) unless cond holds. */
#define FUZZ_CHECK(cond, what, ctx, n)                                                             \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail((what), (ctx), (n));                                             \
	} while (0)

/*
 * Checks HTML written by markdown.c: every tag is one the writer makes,
 * with only its attributes, every quoted value is free of '<' and '"', and
 * every href and src value (entities decoded) passes md_url_is_safe().
 * The whole text must be valid UTF-8.
 */
void fuzz_check_md_html(const char *html, size_t len);

/* A case-insensitive memmem for ASCII needles. */
const char *fuzz_memcasemem(const char *hay, size_t n, const char *needle);

/* A NUL-terminated copy of data[0..n) (malloc'd, never NULL). */
char *fuzz_strndup(const uint8_t *data, size_t n);

#endif
