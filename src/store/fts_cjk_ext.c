/*
 * fts_cjk_ext.c: the gz_cjk tokenizer (fts_cjk.c) as an SQLite loadable
 * extension, for programs other than gazette that write a gazette
 * database or check its index: its articles_fts tokenizes with gz_cjk
 * (the CJK migration in store_schema.c), and a connection without it
 * cannot insert, update the text of, or 'integrity-check' there ("no such
 * tokenizer: gz_cjk").  Reading and listing need nothing.
 *
 *   sqlite3 site.db
 *   sqlite> .load build/gz_cjk
 *
 * python3: con.enable_load_extension(True); con.load_extension("build/gz_cjk").
 *
 * fts_cjk.c calls SQLite's functions directly, not through the routines
 * SQLite hands an extension: the program that loads it must use the
 * shared libsqlite3 this was linked with (Debian's sqlite3 shell and
 * python3 do); a program with SQLite built in would mix two copies.
 */
#include <sqlite3ext.h>

#include "gazette/store/fts_cjk.h"

SQLITE_EXTENSION_INIT1

/* The entry point SQLite derives from the file name gz_cjk.so. */
int sqlite3_gzcjk_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

int sqlite3_gzcjk_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
	SQLITE_EXTENSION_INIT2(api);
	(void)errmsg;
	return fts_cjk_register(db) == 0 ? SQLITE_OK : SQLITE_ERROR;
}
