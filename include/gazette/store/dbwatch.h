/*
 * dbwatch.h: notices commits to the database, from any process, without
 * asking SQLite.
 *
 * In WAL mode every commit rewrites the header of the wal-index (the
 * "-shm" file that all connections map), as described in SQLite's
 * walformat.html.  Reading its 48 bytes from our own read-only mapping
 * costs nanoseconds, so the response cache can check it on every request.
 * The header only says "something was committed"; what changed is then
 * found out through SQLite as usual.
 */
#ifndef GAZETTE_DBWATCH_H
#define GAZETTE_DBWATCH_H

#include <stddef.h>
#include <stdint.h>

struct dbwatch {
	int fd;
	const void *map; /* the start of the -shm file, read-only */
	size_t maplen;
};

/*
 * Maps the wal-index of the database at db_path.  A connection to the
 * database must stay open meanwhile (it keeps the file in place).  Returns
 * 0, or -1 when there is none (not WAL mode, a read-only copy): callers
 * then ask SQLite instead.
 */
int dbwatch_open(struct dbwatch *w, const char *db_path);
void dbwatch_close(struct dbwatch *w);

/* A number that changes whenever a transaction commits (or is being committed). */
uint64_t dbwatch_stamp(const struct dbwatch *w);

#endif
