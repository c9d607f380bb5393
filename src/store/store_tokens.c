/*
 * store_tokens.c: the tokens table.  Holds names, scopes and hashes; the
 * tokens themselves are shown once when made and never stored.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include "gazette/base/token.h"

int store_token_add(struct store *st, const char *name, enum token_scope scope,
                    const unsigned char hash[TOKEN_HASH_BYTES], int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, STMT_TOKEN_ADD);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, token_scope_name(scope), -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hash, TOKEN_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	int rc = sqlite3_step(s);
	store_done(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return 0; /* the name is taken */
	return rc == SQLITE_DONE ? 1 : -1;
}

int store_token_list(struct store *st, json_t **out)
{
	*out = json_array();
	sqlite3_stmt *s = store_stmt(st, STMT_TOKEN_LIST);
	if (s == NULL)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, json_pack("{s:s, s:s, s:I}", "name",
		                                      (const char *)sqlite3_column_text(s, 0),
		                                      "scope", (const char *)sqlite3_column_text(s, 1),
		                                      "created_at",
		                                      (json_int_t)sqlite3_column_int64(s, 2)));
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_token_revoke(struct store *st, const char *name)
{
	return store_run_on(st, STMT_TOKEN_REVOKE, name);
}

int store_token_find(struct store *st, const unsigned char hash[TOKEN_HASH_BYTES],
                     enum token_scope *scope, char *name, size_t namelen)
{
	*scope = SCOPE_NONE;
	sqlite3_stmt *s = store_stmt(st, STMT_TOKEN_FIND);
	if (s == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, hash, TOKEN_HASH_BYTES, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	int found = 0;
	/*
	 * The index found the row by the hash, comparing in variable time:
	 * what that could reveal is bytes of a hash of 256 random bits, not
	 * the token.  The check that decides is libsodium's constant-time one
	 * all the same, so that no future lookup (by name, by prefix) can
	 * make the comparison the weak point.
	 */
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 2) == TOKEN_HASH_BYTES &&
	    token_hash_equal(sqlite3_column_blob(s, 2), hash)) {
		*scope = token_scope_parse((const char *)sqlite3_column_text(s, 1));
		snprintf(name, namelen, "%s", (const char *)sqlite3_column_text(s, 0));
		found = *scope != SCOPE_NONE;
	}
	store_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}
