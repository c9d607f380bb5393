/*
 * export.h: the database back to a folder of Markdown files with front
 * matter, which `gazette import` turns into the same articles again.
 */
#ifndef GAZETTE_EXPORT_H
#define GAZETTE_EXPORT_H

#include <stdbool.h>

#include "gazette/base/log.h"
#include "gazette/store/store.h"

struct export_stats {
	unsigned articles; /* posts written, drafts and scheduled ones included */
	unsigned pages;    /* standalone pages written */
	bool settings;     /* site.yaml written (the site has settings) */
	unsigned files;    /* files the site ships, written below static/ */
};

/*
 * Writes every article and page of st to dir as SLUG.md (with its old
 * addresses as url: and aliases:), the site settings as site.yaml, and
 * the files the site ships below dir/static/, which an import of dir
 * serves at the site root again.  dir is created if it does not exist; an existing
 * dir must be empty (an author's files are never overwritten).  Every file
 * is read back with the importer's parser before it is written, so that
 * what cannot be imported back the same is an error, not a silent loss.
 * Returns 0, or -1 with err set (err->file names the folder or file); on
 * failure the files written so far are removed again, and dir too if this
 * call created it.
 */
int export_site(struct store *st, const char *dir, struct export_stats *stats, struct diag *err)
    __attribute__((warn_unused_result));

#endif
