/*
 * main.c: the gazette command: which subcommand, with which flags.  The
 * work itself lives in server.c (serve) and import.c (import).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef GAZETTE_MIMALLOC
#include <mimalloc.h>
#endif

#include "commands.h"
#include "gazette/import/export.h"
#include "gazette/import/import.h"
#include "gazette/base/log.h"
#include "gazette/base/options.h"
#include "gazette/cmd/server.h"
#include "gazette/store/store.h"
#include "gazette/base/util.h"

static const char usage_text[] =
    "usage: gazette COMMAND [OPTIONS]\n"
    "\n"
    "A small, fast HTTP server for news sites and blogs: Markdown articles in\n"
    "one SQLite file, served as HTML pages and a JSON API.\n"
    "\n"
    "commands:\n"
    "  serve    serve the site (creates the database with a sample site if needed)\n"
    "  import   load Markdown files and folders into the database\n"
    "  export   write every article back to Markdown files, for import\n"
    "  token    add, list or revoke tokens for the write API\n"
    "\n"
    "'gazette COMMAND --help' lists a command's options; every option can also\n"
    "be set in the environment (GAZETTE_DB for --db ...).\n";


static int cmd_serve(int argc, char **argv)
{
	struct serve_options o = {.db_path = "gazette.db",
	                          .listen = "127.0.0.1:8080",
	                          .cache_mib = 48,
	                          .max_body = 1 << 20,
	                          .max_file_size = 64u << 20,
	                          .limits = GUARD_DEFAULT_LIMITS};
	struct guard_limits *l = &o.limits;
	struct option_spec specs[] = {
	    OPT("db", "FILE", OPT_STRING, &o.db_path, 0, 0, "the database file [gazette.db]"),
	    OPT("listen", "ADDR:PORT", OPT_STRING, &o.listen, 0, 0,
	        "where to listen [127.0.0.1:8080]: HOST:PORT (port 0 picks a free one) or "
	        "unix:PATH"),
	    OPT("public-url", "URL", OPT_STRING, &o.public_url, 0, 0,
	        "the site's address as readers see it, e.g. https://example.org/blog"),
	    OPT("theme", "DIR", OPT_STRING, &o.theme_dir, 0, 0,
	        "templates and static files that replace the built-in ones"),
	    OPT("trusted-proxy", "CIDR", OPT_LIST, &o.trusted_proxies, 0, 0,
	        "believe X-Forwarded-* and Forwarded from these addresses"),
	    OPT("access-log", "FILE", OPT_STRING, &o.access_log, 0, 0,
	        "write an access log (combined format) to FILE, or - for stderr; reopened on "
	        "SIGHUP"),
	    OPT("metrics-allow", "CIDR", OPT_LIST, &o.metrics_allow, 0, 0,
	        "clients that may read /metrics [127.0.0.0/8 and ::1]"),
	    OPT("socket-mode", "MODE", OPT_STRING, &o.socket_mode, 0, 0,
	        "file mode of a unix: socket, in octal [0660]"),
	    OPT("threads", "N", OPT_UINT, &o.threads, 1, 256, "worker threads [one per core]"),
	    OPT("timeout", "SECONDS", OPT_UINT, &l->idle_timeout, 1, 3600,
	        "close connections idle this long between requests [30]"),
	    OPT("header-timeout", "SECONDS", OPT_UINT, &l->header_timeout, 1, 3600,
	        "time a client has to send a request's line and headers; then 408 [10]"),
	    OPT("send-timeout", "SECONDS", OPT_UINT, &l->send_timeout, 1, 3600,
	        "time a client has to take an answer; then the connection is closed [60]"),
	    OPT("max-connections", "N", OPT_UINT, &l->max_connections, 1, 100000,
	        "open connections at most; more get 503 [1000]"),
	    OPT("max-connections-per-ip", "N", OPT_UINT, &l->max_per_client, 0, 100000,
	        "open connections from one address (not a trusted proxy) at most; 0: no "
	        "limit [256]"),
	    OPT("max-body", "BYTES", OPT_UINT, &o.max_body, 1024, 64u << 20,
	        "largest body of a write to the API; larger gets 413 [1048576]"),
	    OPT("max-file-size", "BYTES", OPT_UINT, &o.max_file_size, 1024, 512u << 20,
	        "largest file uploaded through the API (POST /api/v1/files); larger gets 413 "
	        "[67108864]"),
	    OPT("cors-origin", "ORIGIN", OPT_STRING, &o.cors_origin, 0, 0,
	        "the origin (https://editor.example.org) whose pages may write through the API; "
	        "reads are open to all"),
	    OPT("max-uri", "BYTES", OPT_UINT, &l->max_uri, 64, 16384,
	        "longest request target; longer gets 414 [8192]"),
	    OPT("max-header-bytes", "BYTES", OPT_UINT, &l->max_header_bytes, 256, 16384,
	        "largest request headers, all together; larger gets 431 [16384]"),
	    OPT("max-headers", "N", OPT_UINT, &l->max_headers, 8, 1000,
	        "most request header fields; more gets 431 [100]"),
	    OPT("max-query-params", "N", OPT_UINT, &l->max_query_params, 1, 1000,
	        "most query parameters; more gets 400 [32]"),
	    OPT("max-param-bytes", "BYTES", OPT_UINT, &l->max_param_bytes, 16, 16384,
	        "longest query parameter (name=value, as sent); longer gets 400 [2048]"),
	    OPT("cache-size", "MIB", OPT_UINT, &o.cache_mib, 0, 65536,
	        "memory for rendered answers, in MiB; 0 turns the cache off [48]"),
	    OPT("reuse-port", NULL, OPT_BOOL, &o.reuse_port, 0, 0,
	        "let a new gazette bind the port beside this one, for a restart"),
	    OPT("read-only", NULL, OPT_BOOL, &o.read_only, 0, 0,
	        "open the database read-only (a replica)"),
	    {0},
	};
	char **rest = NULL;
	size_t nrest = 0;
	int rc =
	    options_parse("serve", "gazette serve [OPTIONS]", specs, argc, argv, &rest, &nrest);
	if (rc == 0 && nrest > 0) {
		cli_error("serve: unexpected argument '%s' (see 'gazette serve --help')", rest[0]);
		rc = -1;
	}
	free(rest);
	if (rc == 0)
		rc = serve_run(&o);
	else
		rc = rc > 0 ? 0 : 2;
	option_list_free(&o.trusted_proxies);
	option_list_free(&o.metrics_allow);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A failed import's mistakes, each named by its file (the database's when it has none). */
static void print_import_errors(struct diag_list *errs, const char *db)
{
	for (unsigned i = 0; i < errs->n; i++)
		if (errs->items[i].file[0] == '\0')
			diag_set_file(&errs->items[i], db);
	diag_list_print(errs);
	if (errs->total > 1)
		cli_error("import: %u mistakes; nothing was imported into %s", errs->total, db);
}

/* The summary line of a successful import. */
static void print_import(const char *db, const struct import_stats *st, double seconds)
{
	printf("imported %u article%s into %s in %.2f s: %u added, %u updated, %u unchanged",
	       st->files, st->files == 1 ? "" : "s", db, seconds, st->added, st->updated,
	       st->unchanged);
	if (st->skipped)
		printf(", %u file%s skipped", st->skipped, st->skipped == 1 ? "" : "s");
	if (st->site_files)
		printf("; %u file%s of the site (%u new or changed)", st->site_files,
		       st->site_files == 1 ? "" : "s", st->files_changed);
	if (st->addresses)
		printf("; %u old address%s", st->addresses, st->addresses == 1 ? "" : "es");
	if (st->warnings)
		printf("; %u warning%s", st->warnings, st->warnings == 1 ? "" : "s");
	if (st->removed_samples > 0)
		printf("; the built-in sample site was removed");
	if (st->settings_changed)
		printf("; site settings updated");
	printf("\n");
}

static int cmd_import(int argc, char **argv)
{
	const char *db = "gazette.db";
	struct import_options opts = {0};
	unsigned max_file = (unsigned)(IMPORT_MAX_FILE >> 20);
	unsigned max_files = (unsigned)(IMPORT_MAX_FILES >> 20);
	struct option_spec specs[] = {
	    OPT("db", "FILE", OPT_STRING, &db, 0, 0, "the database file [gazette.db]"),
	    OPT("static", "DIR", OPT_STRING, &opts.static_dir, 0, 0,
	        "a folder of files the site serves at its root (Hugo's and Zola's static/)"),
	    OPT("strict", NULL, OPT_BOOL, &opts.strict, 0, 0,
	        "a missing image or a link to no post is an error, not a warning"),
	    OPT("max-file-size", "MIB", OPT_UINT, &max_file, 1, 65536,
	        "largest file of the site, in MiB [100]"),
	    OPT("max-files-size", "MIB", OPT_UINT, &max_files, 1, 1u << 30,
	        "all files of one import together, in MiB [4096]"),
	    {0},
	};
	char **paths = NULL;
	size_t npaths = 0;
	int rc = options_parse("import",
	                       "gazette import [--db FILE] [--static DIR] [--strict] PATH...\n"
	                       "  PATH: a folder (Markdown, site.yaml, the files the site ships), a "
	                       "Markdown file, a WordPress export (.xml) or a Ghost export (.json)",
	                       specs, argc, argv, &paths, &npaths);
	if (rc != 0) {
		free(paths);
		return rc > 0 ? 0 : 2;
	}
	if (npaths == 0) {
		cli_error(
		    "import: name the files or folders to import (see 'gazette import --help')");
		free(paths);
		return 2;
	}
	opts.max_file = (int64_t)max_file << 20;
	opts.max_files = (int64_t)max_files << 20;

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct diag_list *errs = xmalloc(sizeof *errs);
	struct store *st;
	struct import_stats stats;
	rc = 1;
	bool created;
	if (cli_open_store(db, STORE_CREATE | STORE_VERIFY, &st, &created) < 0) {
		free(errs);
		free(paths);
		return 1;
	}
	/* A database made just now is nobody else's yet: written once, not twice (store.h). */
	if (created && store_journal_alone(st) < 0)
		fprintf(stderr, "gazette: %s: %s; writing through the log\n", db, store_errmsg(st));
	if (import_paths(st, paths, npaths, &opts, &stats, errs) < 0) {
		print_import_errors(errs, db);
	} else {
		print_import(db, &stats, seconds_since(&t0));
		rc = 0;
	}
	store_close(st);
	/* A failed first import leaves no database: the next serve starts with the samples. */
	if (rc != 0 && created)
		store_remove(db);
	free(errs);
	free(paths);
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	const char *db = "gazette.db";
	struct option_spec specs[] = {
	    OPT("db", "FILE", OPT_STRING, &db, 0, 0, "the database file [gazette.db]"),
	    {0},
	};
	char **dirs = NULL;
	size_t ndirs = 0;
	int rc = options_parse("export", "gazette export [--db FILE] DIR", specs, argc, argv, &dirs,
	                       &ndirs);
	if (rc != 0) {
		free(dirs);
		return rc > 0 ? 0 : 2;
	}
	if (ndirs != 1) {
		cli_error("export: name one folder to export to, new or empty (see 'gazette export "
		          "--help')");
		free(dirs);
		return 2;
	}

	struct diag err;
	struct store *st;
	struct export_stats stats;
	diag_clear(&err);
	/*
	 * No STORE_CREATE: exporting a database that is not there is a mistake.
	 * An export changes nothing, so a file it may not write is read as it
	 * is; one it may write is opened as usual (and migrated if it is old).
	 */
	if (cli_open_store(db, store_can_write(db) ? 0 : STORE_READONLY, &st, NULL) < 0) {
		free(dirs);
		return 1;
	}
	rc = 1;
	if (export_site(st, dirs[0], &stats, &err) < 0) {
		if (err.file[0] == '\0')
			diag_set_file(&err, db);
		diag_print(&err);
	} else {
		printf("exported %u article%s and %u page%s to %s%s", stats.articles,
		       stats.articles == 1 ? "" : "s", stats.pages, stats.pages == 1 ? "" : "s",
		       dirs[0], stats.settings ? ", with the site settings in site.yaml" : "");
		if (stats.files > 0)
			printf(", and %u file%s in static/", stats.files, stats.files == 1 ? "" : "s");
		printf("\n");
		rc = 0;
	}
	store_close(st);
	free(dirs);
	return rc;
}

/*
 * mimalloc, where the build linked it (meson.build says why), gives a page
 * of memory that its frees left empty back to the kernel 25 ms after, by
 * default.  A search at 100,000 articles frees lists of megabytes, and in
 * those 25 ms the next searches took fresh pages instead: private memory
 * after 10 s of search-many was 78 MB with 25 ms, 59 MB with 1 ms, 60 MB
 * with glibc's malloc, while a search at 2,000 articles kept its CPU:
 * 290-305 us with 25 ms, 297 with 1 ms, 370-440 with glibc's (one thread).
 */
static void tune_malloc(void)
{
#ifdef GAZETTE_MIMALLOC
	mi_option_set(mi_option_decommit_delay, 1);
#endif
}

int main(int argc, char **argv)
{
	tune_malloc();
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (token_init() < 0) {
		cli_error("cannot initialise libsodium");
		return 1;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("gazette %s\n", GAZETTE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 2, argv + 2);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc - 2, argv + 2);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(argc - 2, argv + 2);
	if (strcmp(cmd, "token") == 0)
		return cmd_token(argc - 2, argv + 2);
	cli_error("unknown command '%s' (see 'gazette --help')", cmd);
	return 2;
}
