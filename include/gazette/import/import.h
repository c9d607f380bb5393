/*
 * import.h: a site into the database, all or nothing: folders of Markdown
 * with the files they ship, other systems' exports (WordPress, Ghost).
 */
#ifndef GAZETTE_IMPORT_H
#define GAZETTE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gazette/base/log.h"
#include "gazette/store/store.h"

struct import_options {
	const char *static_dir; /* --static DIR: files served at the site root, or NULL */
	bool strict;            /* a reference that leads nowhere is an error, not a warning */
	int64_t max_file;       /* bytes: a larger file is an error (0: the default) */
	int64_t max_files;      /* bytes of all files of one import together (0: the default) */
};

/* The defaults of --max-file-size and --max-files-size. */
#define IMPORT_MAX_FILE  ((int64_t)100 << 20)
#define IMPORT_MAX_FILES ((int64_t)4 << 30)

struct import_stats {
	unsigned files; /* articles read */
	unsigned added, updated, unchanged;
	unsigned skipped;      /* files without front matter found in folders */
	int removed_samples;   /* built-in sample articles replaced by real content */
	bool settings_changed; /* site.yaml changed the site settings */
	unsigned site_files;   /* files the site ships, found */
	unsigned files_changed; /* of them, new or changed */
	unsigned addresses;     /* old addresses that now lead to articles */
	unsigned warnings;      /* references that lead nowhere (see --strict) */
};

/*
 * Imports the files and folders in paths into the store, as one
 * transaction: folders recursively (Markdown files with front matter, a
 * site.yaml at their top, Jekyll's _config.yml, and every other file the
 * site ships), a WordPress or Ghost export named as a file.  Everything is
 * parsed before the database is touched, and any error leaves it exactly
 * as it was.  An article is upserted by slug; an unchanged one changes
 * nothing.  Returns 0, or -1 with every mistake found in errs (each with
 * its file and line where there is one).  Notices and warnings go to
 * stderr.
 */
int import_paths(struct store *st, char *const *paths, size_t npaths,
                 const struct import_options *opts, struct import_stats *stats,
                 struct diag_list *errs);

/* Imports the sample site built into the binary (for a new database). */
int import_builtin(struct store *st, struct import_stats *stats, struct diag_list *errs);

#endif
