/*
 * store_tokens.c: the tokens table.  Holds names, scopes and hashes; the
 * tokens themselves are shown once when made and never stored.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include "gazette/base/token.h"

static const struct query q_token_add = {
    STMT_TOKEN_ADD, "INSERT INTO tokens (name, scope, hash, created_at) VALUES (?, ?, ?, ?)"};

int store_token_add(struct store *st, const char *name, enum token_scope scope,
                    const unsigned char hash[TOKEN_HASH_BYTES], int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, &q_token_add);
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

static const struct query q_token_list = {
    STMT_TOKEN_LIST, "SELECT name, scope, created_at FROM tokens ORDER BY name"};

int store_token_list(struct store *st, json_t **out)
{
	*out = json_array();
	sqlite3_stmt *s = store_stmt(st, &q_token_list);
	if (s == NULL)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
		    *out,
		    json_pack("{s:s, s:s, s:I}", "name", (const char *)sqlite3_column_text(s, 0),
		              "scope", (const char *)sqlite3_column_text(s, 1), "created_at",
		              (json_int_t)sqlite3_column_int64(s, 2)));
	store_done(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const struct query q_token_revoke = {STMT_TOKEN_REVOKE, "DELETE FROM tokens WHERE name = ?"};

int store_token_revoke(struct store *st, const char *name)
{
	return store_run_on(st, &q_token_revoke, name);
}

static const struct query q_token_find = {STMT_TOKEN_FIND,
                                          "SELECT name, scope, hash FROM tokens WHERE hash = ?"};

int store_token_find(struct store *st, const unsigned char hash[TOKEN_HASH_BYTES],
                     enum token_scope *scope, char *name, size_t namelen)
{
	*scope = SCOPE_NONE;
	sqlite3_stmt *s = store_stmt(st, &q_token_find);
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
