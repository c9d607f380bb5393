/*
 * dbcheck.h: the server's check of a large database, in the background.
 *
 * Reading every page of a database before serving it (STORE_VERIFY) costs
 * about 4 ms per megabyte: nothing for a blog, eleven seconds of start-up
 * for 100,000 articles.  Above DBCHECK_SYNC_BYTES the server starts
 * serving at once and this thread reads the file meanwhile; damage found
 * stops the server (SIGTERM to itself, exit status 1) with the same
 * message the check at start would have given.  The thread runs at the
 * lowest priority, so that it takes only the CPU readers leave.
 */
#ifndef GAZETTE_DBCHECK_H
#define GAZETTE_DBCHECK_H

#include <stdbool.h>

/* Databases up to this size are checked before the server listens. */
#define DBCHECK_SYNC_BYTES (64ll << 20)

struct dbcheck;

/* Starts checking the database at path; NULL if a thread cannot start (logged). */
struct dbcheck *dbcheck_start(const char *path);
/*
 * Stops the check if it still runs and frees it (NULL is fine).  Returns
 * true if it found damage: the server then exits non-zero.
 */
bool dbcheck_stop(struct dbcheck *c);

#endif
