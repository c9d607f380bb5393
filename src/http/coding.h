/*
 * coding.h: content codings (RFC 9110, 8.4): which ones a client accepts,
 * and turning a body into gzip or Brotli (RFC 7932) and back.
 */
#ifndef GAZETTE_CODING_H
#define GAZETTE_CODING_H

#include <stddef.h>

#include "gazette/http/http.h" /* enum http_coding */

/*
 * The compressed codings an Accept-Encoding value (NULL: none sent)
 * allows, best first, in out; returns how many (0 to 2).  A coding is
 * allowed when it is named with a q above zero, or, not named, when "*"
 * is (RFC 9110, 12.5.3: "*" stands for every coding the field does not
 * name).  The higher q goes first; Brotli first at equal q, as it is the
 * smaller.  A q that is not a q-value (12.4.2) leaves the coding out.
 */
size_t coding_accepted(const char *accept_encoding, enum http_coding out[2]);

/* The Content-Encoding token of a compressed coding ("gzip", "br"). */
const char *coding_name(enum http_coding c);

/*
 * What a coding's ETag adds inside the quotes of the identity's tag
 * ("-gz", "-br"): another representation, another strong validator.
 */
const char *coding_etag_mark(enum http_coding c);

/*
 * in[0..n) compressed with c (gzip or br) into a new malloc'd buffer (the
 * caller frees it), its size in *outlen; NULL if it would not be at most
 * half of n: less saving is not worth a second copy and the CPU.
 */
unsigned char *coding_compress(enum http_coding c, const void *in, size_t n, size_t *outlen);

/*
 * in[0..n), compressed with c, back into a new malloc'd buffer of exactly
 * want bytes (the caller frees it); NULL if it does not decode to that.
 */
unsigned char *coding_decompress(enum http_coding c, const void *in, size_t n, size_t want);

#endif
