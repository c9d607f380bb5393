/*
 * util.h: the allocation policy and small helpers every module shares.
 *
 * Allocation failure is not recoverable in a server that must keep its
 * promises about memory, so the x* helpers print a message and abort
 * (as lighttpd's ck.c does).  They never return NULL.
 */
#ifndef GAZETTE_UTIL_H
#define GAZETTE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GZ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull, warn_unused_result));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull, warn_unused_result));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull, warn_unused_result));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull, nonnull));
/* Copies n bytes of s and adds a NUL; s need not be NUL-terminated. */
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));

/* True if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no NUL). */
bool utf8_valid(const char *s, size_t n);

/* Length in bytes of the UTF-8 sequence starting with byte c (1 for invalid lead bytes). */
size_t utf8_seq_len(unsigned char c);

/* The longest prefix of s[0..n), at most max bytes, that ends on a UTF-8 character boundary. */
size_t utf8_cut(const char *s, size_t n, size_t max);

/*
 * Decodes the character at s[0..n) (n >= 1): returns its code point and
 * sets *len to its length in bytes.  A byte that starts no well-formed
 * sequence (as utf8_valid() judges, but NUL is U+0000 here) gives
 * UTF8_INVALID and *len 1, so that a loop moves on by one byte.
 */
#define UTF8_INVALID UINT32_MAX
uint32_t utf8_decode(const char *s, size_t n, size_t *len);

/* 64-bit FNV-1a over n bytes, continuing from h (start with GZ_HASH_INIT). */
#define GZ_HASH_INIT 0xcbf29ce484222325ULL
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);

/* Where key goes in a[0..n), sorted ascending: the first place whose value is at least key (n if none). */
size_t lower_bound_i64(const int64_t *a, size_t n, int64_t key);
size_t lower_bound_u32(const uint32_t *a, size_t n, uint32_t key);

/* Parses a decimal integer in [min, max] from s[0..n); no sign, no spaces. Returns 0 or -1. */
int parse_uint_range(const char *s, size_t n, long long min, long long max, long long *out);

/* The folder path lies in, into out: "." for a bare name, "/" for one at the root. */
void path_folder(const char *path, char *out, size_t outlen);

/* Reads a whole file into a NUL-terminated malloc'd buffer (caller frees).
 * Returns NULL with errno set on failure; files over max_size give EFBIG. */
char *read_file(const char *path, size_t max_size, size_t *len);

#endif
