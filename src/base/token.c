/*
 * token.c: making, hashing and comparing API tokens, with libsodium for
 * everything that must not be done by hand (randomness, hashing,
 * constant-time comparison).
 */
#include "gazette/base/token.h"

#include <sodium.h>
#include <string.h>

int token_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void token_new(char out[TOKEN_TEXT_LEN + 1])
{
	const size_t prefix = sizeof TOKEN_PREFIX - 1;
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	/* The prefix without its NUL: the base64 text that follows ends with one. */
	memcpy(out, TOKEN_PREFIX, prefix);
	sodium_bin2base64(out + prefix, TOKEN_TEXT_LEN + 1 - prefix, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

/*
 * A fast hash is enough: a token has 256 random bits, so there is nothing
 * to guess that a slow password hash would protect.
 */
void token_hash(const char *text, size_t len, unsigned char out[TOKEN_HASH_BYTES])
{
	crypto_generichash(out, TOKEN_HASH_BYTES, (const unsigned char *)text, len, NULL, 0);
}

bool token_hash_equal(const unsigned char a[TOKEN_HASH_BYTES],
                      const unsigned char b[TOKEN_HASH_BYTES])
{
	return sodium_memcmp(a, b, TOKEN_HASH_BYTES) == 0;
}

enum token_scope token_scope_parse(const char *s)
{
	if (strcmp(s, "write") == 0)
		return SCOPE_WRITE;
	if (strcmp(s, "read-drafts") == 0)
		return SCOPE_READ_DRAFTS;
	return SCOPE_NONE;
}

const char *token_scope_name(enum token_scope scope)
{
	return scope == SCOPE_WRITE ? "write" : scope == SCOPE_READ_DRAFTS ? "read-drafts" : "none";
}

bool token_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}
