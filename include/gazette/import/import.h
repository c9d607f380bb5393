/*
 * import.h: Markdown files and folders into the database, all or nothing.
 */
#ifndef GAZETTE_IMPORT_H
#define GAZETTE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/log.h"
#include "gazette/store/store.h"

struct import_stats {
	unsigned files; /* article files read */
	unsigned added, updated, unchanged;
	unsigned skipped;      /* files without front matter found in folders */
	int removed_samples;   /* built-in sample articles replaced by real content */
	bool settings_changed; /* site.yaml changed the site settings */
};

/*
 * Imports the files and folders in paths (folders recursively: *.md,
 * *.markdown and a site.yaml at their top) into the store, as one
 * transaction: every file is parsed before the database is touched, and
 * any error leaves it exactly as it was.  An article is upserted by slug;
 * an unchanged file changes nothing.  Returns 0, or -1 with every mistake
 * found in errs (each with its file and line where there is one): a
 * folder without Markdown files, each bad file, each slug given twice, or
 * the database's error.
 */
int import_paths(struct store *st, char *const *paths, size_t npaths, struct import_stats *stats,
                 struct diag_list *errs);

/* Imports the sample site built into the binary (for a new database). */
int import_builtin(struct store *st, struct import_stats *stats, struct diag_list *errs);

#endif
