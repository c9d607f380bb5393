/*
 * auth.c: bearer tokens on requests.  A token is looked up by its hash
 * (token.c); the request never sees the stored hashes, and a token that
 * is revoked stops working on the next request.
 */
#include "auth.h"

#include <string.h>
#include <strings.h>

#include "gazette/site/app.h"
#include "gazette/site/errors.h"
#include "gazette/site/router.h"

enum auth_result auth_check(struct request *req)
{
	if (req->auth)
		return (enum auth_result)req->auth;
	req->scope = SCOPE_NONE;
	req->token_name[0] = '\0';
	const char *h = request_header(req, "Authorization");
	enum auth_result result = AUTH_ANONYMOUS;
	if (h) {
		result = AUTH_INVALID;
		/* RFC 6750: "Bearer" (any case), one space or more, the token. */
		if (strncasecmp(h, "Bearer ", 7) == 0) {
			const char *t = h + 7;
			t += strspn(t, " ");
			size_t n = strcspn(t, " \t");
			if (n > 0 && t[n] == '\0' && n < 512) {
				unsigned char hash[TOKEN_HASH_BYTES];
				token_hash(t, n, hash);
				int found = store_token_find(req->worker->store, hash, &req->scope,
				                             req->token_name, sizeof req->token_name);
				result = found < 0 ? AUTH_ERROR : found ? AUTH_VALID : AUTH_INVALID;
			}
		}
	}
	req->auth = (int)result;
	return result;
}

bool auth_require(struct request *req, struct response *resp, enum token_scope scope)
{
	switch (auth_check(req)) {
	case AUTH_VALID:
		if (req->scope >= scope)
			return true;
		errors_answer(req, resp, 403,
		             scope == SCOPE_WRITE ? "This token may read drafts but not write."
		                                  : "This token may not do this.");
		return false;
	case AUTH_ERROR: errors_database(req, resp); return false;
	/* RFC 6750, 3: a 401 says how to authenticate, and what was wrong. */
	case AUTH_INVALID:
		response_header(resp, "WWW-Authenticate",
		                "Bearer realm=\"gazette\", error=\"invalid_token\"");
		errors_answer(req, resp, 401,
		             "The token is not valid: it is malformed, unknown or revoked.");
		return false;
	case AUTH_ANONYMOUS:
	default:
		response_header(resp, "WWW-Authenticate", "Bearer realm=\"gazette\"");
		errors_answer(req, resp, 401,
		             "This needs a token: send 'Authorization: Bearer TOKEN' (see "
		             "'gazette token add').");
		return false;
	}
}
