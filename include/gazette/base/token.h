/*
 * token.h: API tokens.  A token is "gz_" and 43 characters of base64url:
 * 256 bits from the system's random source (libsodium).  Only its BLAKE2b
 * hash is stored, so a copy of the database gives nobody a token.
 */
#ifndef GAZETTE_TOKEN_H
#define GAZETTE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_PREFIX     "gz_"
#define TOKEN_TEXT_LEN   46 /* prefix + base64url of 32 bytes, no padding */
#define TOKEN_HASH_BYTES 32

/* What a token may do.  write includes read-drafts. */
enum token_scope { SCOPE_NONE = 0, SCOPE_READ_DRAFTS = 1, SCOPE_WRITE = 2 };

/* Initialises libsodium; call once before anything else here.  0 or -1. */
int token_init(void);
/* A new random token, NUL-terminated, in out. */
void token_new(char out[TOKEN_TEXT_LEN + 1]);
/* The stored form of a token given as text (any length). */
void token_hash(const char *text, size_t len, unsigned char out[TOKEN_HASH_BYTES]);
/* Constant-time comparison of two hashes. */
bool token_hash_equal(const unsigned char a[TOKEN_HASH_BYTES],
                      const unsigned char b[TOKEN_HASH_BYTES]);

/* "write" / "read-drafts" and back; SCOPE_NONE for anything else. */
enum token_scope token_scope_parse(const char *s);
const char *token_scope_name(enum token_scope scope);

/* True for a token name: 1 to 64 of letters, digits, '.', '_', '-'. */
bool token_name_valid(const char *name);

#endif
