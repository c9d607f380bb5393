/*
 * links.h: making the links of an article's HTML absolute, for places where
 * it is read away from its page (feeds): readers resolve a relative link
 * against the feed's address, where "writing-articles" or "../tags/x"
 * lead nowhere.
 */
#ifndef GAZETTE_LINKS_H
#define GAZETTE_LINKS_H

#include <stddef.h>

#include "gazette/base/buf.h"

/*
 * Appends html with every href="...", src="..." and each URL of a
 * srcset="..." (<picture>'s copies, content/picture.h) resolved against base
 * (the article's absolute URL) as RFC 3986 section 5 says.  Meant for the
 * HTML markdown.c writes: authors' raw HTML is escaped there, so every
 * such attribute is one of ours.
 */
void links_absolute(struct buf *out, const char *html, size_t n, const char *base);

/* Resolves ref against base (both absolute URL syntax), appending to out. */
void url_resolve(struct buf *out, const char *base, const char *ref, size_t reflen);

#endif
