/*
 * server.h: `gazette serve`: the HTTP daemon, its limits, its lifecycle.
 */
#ifndef GAZETTE_SERVER_H
#define GAZETTE_SERVER_H

#include <stdbool.h>

struct serve_options {
	const char *db_path;
	const char *listen;     /* "HOST:PORT", "[V6]:PORT"; port 0 picks a free one */
	const char *public_url; /* NULL: http:// + the listen address */
	const char *theme_dir;  /* NULL: the built-in theme */
	unsigned threads;       /* worker threads; 0: one per core */
	unsigned timeout;       /* seconds a connection may stay idle */
	unsigned max_connections;
	unsigned cache_mib; /* rendered answers kept in memory, MiB; 0: no cache */
	bool read_only;
};

/*
 * Runs the server in the foreground until SIGTERM or SIGINT, then finishes
 * the requests in flight and returns 0.  A database that does not exist is
 * created with the built-in sample site.  Returns 1 (after printing why)
 * if the server cannot start.
 */
int serve_run(const struct serve_options *opts);

#endif
