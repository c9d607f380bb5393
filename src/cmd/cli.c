/*
 * cli.c: what the commands (import, export, token) share.
 */
#include "commands.h"

#include "gazette/base/log.h"

int cli_open_store(const char *db, int flags, struct store **st, bool *created)
{
	struct diag err;
	diag_clear(&err);
	if (store_open(db, flags, st, created, &err) < 0) {
		diag_print(&err);
		return -1;
	}
	return 0;
}
