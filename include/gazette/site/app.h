/*
 * app.h: what the whole server shares (read-only once it runs), and what
 * each worker thread keeps for itself.  The files and templates are
 * theme.c's, the workers worker.c's, the request counters ops.c's.
 */
#ifndef GAZETTE_APP_H
#define GAZETTE_APP_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "gazette/store/dbwatch.h"
#include "gazette/http/guard.h"
#include "gazette/http/proxy.h"
#include "gazette/site/router.h"
#include "gazette/store/store.h"
#include "gazette/base/template.h"

/* A file served under /static/ or used to render (templates). */
struct app_file {
	char *name; /* relative, e.g. "css/site.css" */
	const unsigned char *data;
	size_t len;
	unsigned char *owned; /* data, when read from a theme folder */
	char etag[24];        /* "\"" + 16 hex + "\"" */
	char *fingerprinted;  /* "css/site.1a2b3c4d.css" */
	const char *mime;
	int64_t mtime; /* a theme folder's file: when it was changed */
};

struct app {
	struct cache *cache;        /* rendered answers */
	struct store *sentinel;     /* held open for the life of the server: keeps the wal-index */
	struct dbwatch watch;       /* ... which this maps, to see commits */
	atomic_bool watching;       /* false: no wal-index (or a replaced file), ask SQLite */
	atomic_uint_fast64_t stamp; /* the wal-index stamp the cache was filled under */
	atomic_int_fast64_t next_due; /* when a scheduled article comes out (INT64_MAX: none) */
	/* The database file as opened: a replica copied over it is a new file (inode). */
	pthread_mutex_t file_lock;
	dev_t db_dev;
	ino_t db_ino;
	off_t db_size;             /* and, for an immutable one, its size and time */
	struct timespec db_mtime;
	bool db_immutable; /* read without locks: its folder cannot be written */
	atomic_int_fast64_t file_checked; /* the second it was last looked at */
	atomic_uint db_generation;        /* counts replacements: workers reopen */
	const char *db_path;
	bool read_only;
	char *public_url; /* --public-url, normalised; NULL: site.yaml's, or listen_url */
	char *listen_url; /* "http://127.0.0.1:8080": where the socket listens */
	struct tmpl_set *templates;
	struct app_file *files;
	size_t nfiles;
	int64_t started;
	int64_t built; /* when the gazette executable was made: the built-in files' Last-Modified */
	const char *cors_origin;    /* --cors-origin: the one origin that may write; or NULL */
	size_t max_body;            /* --max-body: bytes a write may send */
	size_t max_file_size;       /* --max-file-size: bytes an uploaded file may have */
	struct trust trusted;       /* --trusted-proxy */
	struct trust metrics_allow; /* who may read /metrics */
	/* Every worker thread's state, for metrics and to be freed at the end. */
	pthread_mutex_t workers_lock;
	struct worker **workers;
	size_t nworkers;
	struct guard *guard; /* connection limits and deadlines */
	struct memtrim *trim; /* gives the heap's free pages back (base/memtrim.h) */
	atomic_uint connections_open;
	atomic_uint_fast64_t connections_total;
};

/* Request latency buckets of /metrics, upper bounds in microseconds. */
#define LATENCY_BUCKETS 14
extern const unsigned latency_bounds_us[LATENCY_BUCKETS];

/*
 * A worker thread's counters.  Each is written by its thread only, so the
 * relaxed atomic updates never contend; /metrics adds them up.
 */
struct worker_stats {
	atomic_uint_fast64_t requests[ROUTER_MAX_ROUTES + 1][5]; /* by route, by status class */
	atomic_uint_fast64_t latency[LATENCY_BUCKETS + 1];       /* per bucket, the last +Inf */
	atomic_uint_fast64_t latency_us;                         /* their sum */
	atomic_uint_fast64_t articles_served;
};

/* Each worker thread's own database connection and what it knows of the site. */
struct worker {
	struct store *store;
	long long data_version;  /* of the last refresh */
	struct content_times times; /* for Last-Modified, and when the site changes by itself */
	json_t *settings;        /* site.yaml */
	json_t *site;            /* the "site" part of every page's view model */
	bool stale;              /* settings must be read again */
	long long cache_version; /* data_version the cache was checked against (no wal-index) */
	unsigned db_generation;  /* of the file its connection is to */
	struct worker_stats stats;
	/*
	 * Where links point: --public-url, else site.yaml's public_url, else
	 * the listening address.  base_path is its path ("/blog", or "").
	 */
	char *public_url;
	const char *base_path; /* points into public_url */
	struct store_urls urls;
	/*
	 * Connections kept for streamed files (worker_take_reader()), opened
	 * under db_generation spare_generation.
	 */
	struct store *spare_readers[2];
	unsigned nspare_readers;
	unsigned spare_generation;
};

/* ---- theme.c ----------------------------------------------------------- */

/*
 * Loads the built-in files and those of theme_dir (may be NULL) over them,
 * and compiles the templates.  Returns 0, or -1 with err set.
 */
int app_load_files(struct app *app, const char *theme_dir, struct diag *err);
void app_free_files(struct app *app);
/* A file by name, or by its fingerprinted name (*immutable is then true). */
const struct app_file *app_find_file(const struct app *app, const char *name, bool *immutable);
/* The URL path ("/blog/static/css/site.1a2b3c4d.css") of a built-in file by name. */
char *app_file_url(const struct app *app, const char *base_path, const char *name);

/* ---- worker.c ---------------------------------------------------------- */

/*
 * Checks a public URL ("https://example.org/blog/": http or https, a host,
 * an optional path, no query) and returns it without trailing slashes
 * (malloc'd), or NULL if it is not one.
 */
char *public_url_normalise(const char *url);

/* The path part of a normalised public URL: "/blog", or "" (points into url). */
const char *public_url_path(const char *url);

/*
 * Makes sure the worker sees the database as it is now: opens its
 * connection on first use, and rereads the site settings after an import
 * or when a scheduled article came due.  Returns 0, or -1 if the database
 * cannot be used.
 */
int worker_refresh(struct app *app, struct worker *w, int64_t now);

/*
 * A connection of this thread's own for a long reading (a file streamed
 * to a client: store_blob_open()), which no request shares while it
 * lasts: a spare one, or one opened now (without a memory mapping, so
 * that a video sent does not count as the server's resident memory).
 * NULL if the database cannot be opened (logged).
 */
struct store *worker_take_reader(struct app *app, struct worker *w);
/* Gives back what worker_take_reader() gave: kept as a spare (two at most) or closed. */
void worker_give_reader(struct app *app, struct worker *w, struct store *st);

/* This thread's worker, made (and registered in app) on first use. */
struct worker *app_worker(struct app *app);
/* Frees every worker; only once no thread uses them. */
void app_free_workers(struct app *app);
/* ---- ops.c ------------------------------------------------------------- */

/* Counts a finished request in this thread's statistics. */
void worker_count(struct worker *w, const struct request *req, uint64_t micros);

#endif
