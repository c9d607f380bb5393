/*
 * cmd_token.c: `gazette token add|list|revoke`.  A new token is printed
 * once, on standard output alone so that scripts can capture it; only its
 * hash reaches the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "gazette/base/date.h"
#include "gazette/base/options.h"
#include "gazette/store/store.h"
#include "gazette/base/token.h"

static const char usage[] = "gazette token add|list|revoke [--db FILE] [--scope SCOPE] [NAME]";

static int token_add(const char *db, const char *name, const char *scope_name)
{
	enum token_scope scope = token_scope_parse(scope_name);
	if (scope == SCOPE_NONE) {
		cli_error("token: --scope must be 'write' or 'read-drafts', not '%s'", scope_name);
		return 2;
	}
	struct store *st;
	if (cli_open_store(db, STORE_CREATE, &st, NULL) < 0)
		return 1;
	char token[TOKEN_TEXT_LEN + 1];
	unsigned char hash[TOKEN_HASH_BYTES];
	token_new(token);
	token_hash(token, strlen(token), hash);
	int rc = store_token_add(st, name, scope, hash, (int64_t)time(NULL));
	if (rc < 0)
		cli_error("%s: cannot add the token: %s", db, store_errmsg(st));
	else if (rc == 0)
		cli_error("%s: there is already a token named '%s' (revoke it first)", db, name);
	else {
		printf("%s\n", token);
		fprintf(stderr,
		        "gazette: token '%s' (%s) added to %s; it is shown only this once: keep "
		        "it now\n",
		        name, token_scope_name(scope), db);
	}
	store_close(st);
	return rc == 1 ? 0 : 1;
}

static int token_list(const char *db)
{
	struct store *st;
	if (cli_open_store(db, 0, &st, NULL) < 0)
		return 1;
	json_t *list;
	int rc = store_token_list(st, &list);
	if (rc < 0)
		cli_error("%s: cannot list the tokens: %s", db, store_errmsg(st));
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
	{
		char when[32];
		date_format_rfc3339((int64_t)json_integer_value(json_object_get(t, "created_at")),
		                    when);
		printf("%s\t%s\t%s\n", json_string_value(json_object_get(t, "name")),
		       json_string_value(json_object_get(t, "scope")), when);
	}
	json_decref(list);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int token_revoke(const char *db, const char *name)
{
	struct store *st;
	if (cli_open_store(db, 0, &st, NULL) < 0)
		return 1;
	int rc = store_token_revoke(st, name);
	if (rc < 0)
		cli_error("%s: cannot revoke the token: %s", db, store_errmsg(st));
	else if (rc == 0)
		cli_error("%s: there is no token named '%s' (see 'gazette token list')", db, name);
	else
		fprintf(stderr, "gazette: token '%s' revoked; requests with it now get 401\n",
		        name);
	store_close(st);
	return rc == 1 ? 0 : 1;
}

int cmd_token(int argc, char **argv)
{
	const char *db = "gazette.db";
	const char *scope = "write";
	struct option_spec specs[] = {
	    OPT("db", "FILE", OPT_STRING, &db, 0, 0, "the database file [gazette.db]"),
	    OPT("scope", "SCOPE", OPT_STRING, &scope, 0, 0,
	        "what a new token may do: write (articles, and read drafts) or read-drafts "
	        "[write]"),
	    {0},
	};
	char **rest = NULL;
	size_t nrest = 0;
	int rc = options_parse("token", usage, specs, argc, argv, &rest, &nrest);
	if (rc != 0) {
		free(rest);
		return rc > 0 ? 0 : 2;
	}
	const char *action = nrest > 0 ? rest[0] : "";
	const char *name = nrest > 1 ? rest[1] : NULL;
	bool named = strcmp(action, "add") == 0 || strcmp(action, "revoke") == 0;
	if (strcmp(action, "list") == 0 && nrest == 1)
		rc = token_list(db);
	else if (named && nrest == 2 && token_name_valid(name))
		rc = action[0] == 'a' ? token_add(db, name, scope) : token_revoke(db, name);
	else if (named && nrest == 2) {
		cli_error("token: a token name has 1 to 64 letters, digits, '.', '_' or '-', "
		          "not '%s'",
		          name);
		rc = 2;
	} else {
		cli_error("token: usage: %s (see 'gazette token --help')", usage);
		rc = 2;
	}
	free(rest);
	return rc;
}
