/*
 * accesslog.h: one line per request in the combined log format, with the
 * real client address and the time the request took:
 *
 *   198.51.100.7 - - [29/Nov/2026:21:03:04 +0000] "GET /articles/x HTTP/1.1" 200 9421
 *       "https://example.org/" "Mozilla/5.0 ..." 0.000412
 *
 * To a file (reopened on SIGHUP, for logrotate) or to stderr ("-").
 */
#ifndef GAZETTE_ACCESSLOG_H
#define GAZETTE_ACCESSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opens the log; path NULL means none.  Returns 0, or -1 after printing why. */
int accesslog_open(const char *path);
/* Opens the file again (after logrotate moved it); the old descriptor is closed later. */
void accesslog_reopen(void);
void accesslog_close(void);

struct access_entry {
	const char *client; /* address */
	int64_t when;       /* request start, UTC seconds */
	const char *method;
	const char *target;
	const char *version; /* "HTTP/1.1" */
	unsigned status;
	size_t bytes;           /* body bytes sent */
	const char *referer;    /* may be NULL */
	const char *user_agent; /* may be NULL */
	double seconds;         /* how long the request took */
};

/* Writes one line, in one write(2), if a log is open. */
void accesslog_write(const struct access_entry *e);

/* Whether a log is open: the caller can skip gathering an entry nobody writes. */
bool accesslog_on(void);

#endif
