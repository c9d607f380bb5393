/*
 * server.h: `gazette serve`: the HTTP daemon, its limits, its lifecycle.
 */
#ifndef GAZETTE_SERVER_H
#define GAZETTE_SERVER_H

#include <stdbool.h>

#include "gazette/http/guard.h"
#include "gazette/base/options.h"

struct serve_options {
	const char *db_path;
	const char *listen;     /* "HOST:PORT", "[V6]:PORT"; port 0 picks a free one */
	const char *public_url; /* NULL: http:// + the listen address */
	const char *theme_dir;  /* NULL: the built-in theme */
	unsigned threads;       /* worker threads; 0: one per core */
	struct guard_limits limits;
	unsigned cache_mib;                 /* rendered answers kept in memory, MiB; 0: no cache */
	const char *socket_mode;            /* octal mode of a UNIX socket, e.g. "0660" */
	const char *cors_origin;            /* the one origin whose pages may write, or NULL */
	unsigned max_body;                  /* bytes a write's body may have */
	unsigned max_file_size;             /* bytes an uploaded file may have */
	const char *access_log;             /* a file, "-" for stderr, NULL for none */
	struct option_list trusted_proxies; /* CIDRs */
	struct option_list metrics_allow;   /* CIDRs; none given: loopback */
	bool read_only;
	bool reuse_port; /* SO_REUSEPORT: another gazette may bind the port too */
};

/*
 * Runs the server in the foreground until SIGTERM or SIGINT, then finishes
 * the requests in flight and returns 0.  A database that does not exist is
 * created with the built-in sample site.  Returns 1 (after printing why)
 * if the server cannot start.
 */
int serve_run(const struct serve_options *opts);

#endif
