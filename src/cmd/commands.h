/*
 * commands.h: the subcommands of gazette, each with its own options;
 * main.c picks one by name.  Each returns the exit status.
 */
#ifndef GAZETTE_COMMANDS_H
#define GAZETTE_COMMANDS_H

#include <stdbool.h>

#include "gazette/store/store.h"

int cmd_token(int argc, char **argv);

/*
 * Opens the database for a command (store_open() flags), printing
 * "gazette: DB: why" when it cannot.  Returns 0 or -1.
 */
int cli_open_store(const char *db, int flags, struct store **st, bool *created);

#endif
