/*
 * auth.h: who sent a request.  "Authorization: Bearer TOKEN" names an API
 * token (see token.h); the answer is worked out once per request.
 */
#ifndef GAZETTE_AUTH_H
#define GAZETTE_AUTH_H

#include "gazette/http/http.h"

enum auth_result {
	AUTH_ANONYMOUS = 1, /* no Authorization header */
	AUTH_VALID,         /* a token we know: req->scope and req->token_name are set */
	AUTH_INVALID,       /* a header, but not a token we know (wrong, revoked, malformed) */
	AUTH_ERROR,         /* the database could not say */
};

/* Checks the request's token (with the worker's database connection); cached in req. */
enum auth_result auth_check(struct request *req);

/*
 * Requires a token with at least scope.  Returns true if the request has
 * one; otherwise fills resp with 401 (no token or a bad one, with
 * WWW-Authenticate) or 403 (a token without the scope) and returns false.
 */
bool auth_require(struct request *req, struct response *resp, enum token_scope scope);

#endif
