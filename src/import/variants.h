/*
 * variants.h: responsive images at import (import/ only).  files.c calls
 * variants_make() for each file it keeps, import.c calls
 * variants_pictures() for each article it renders; content/picture.h
 * says which copies an image gets and how the HTML names them,
 * base/image.h makes them.
 */
#ifndef GAZETTE_IMPORT_VARIANTS_H
#define GAZETTE_IMPORT_VARIANTS_H

#include <stddef.h>

#include "gazette/base/log.h"
#include "gazette/content/article.h"
#include "gazette/store/store.h"

/*
 * Makes the smaller and WebP copies of the image now at path (data[0..len)
 * its bytes, just kept by store_put_file()), within the import's
 * transaction, unless they were made by this rule already: an unchanged
 * image costs a lookup.  An image libvips cannot read (damaged, a format
 * it does not take) gets no copies and a warning on stderr, once.  A copy
 * in the original's format no smaller than the original is not kept, nor
 * the WebP copies unless each is smaller than the original's format at
 * its width.  Files that are no images cost nothing.  Returns 0, or -1
 * with err set if the database fails.
 */
int variants_make(struct store *st, const char *path, const void *data, size_t len,
                  struct diag *err);

/*
 * Rewrites a's rendered body (a->md.html, as refs_render() left it): each
 * <img> of an image of the site's that has copies becomes a <picture>
 * listing them (picture_rewrite()).  Returns 0, or -1 with err set if the
 * database fails.
 */
int variants_pictures(struct store *st, struct article *a, struct diag *err);

#endif
