/*
 * slug.h: the URL names of articles, tags and authors.
 */
#ifndef GAZETTE_SLUG_H
#define GAZETTE_SLUG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Derives a slug from text (a title, a tag or author name, a file name):
 * ASCII letters lowercased, Latin letters with accents reduced to their
 * base letter (é -> e, ß -> ss, æ -> ae, ø -> o ...), other letters and
 * digits of any script kept as UTF-8 (lowercased where simple), every
 * other run of characters (spaces, punctuation, symbols, apostrophes
 * dropped without a gap: "Don't" -> "dont") turned into one '-', no '-'
 * at either end, at most 80 bytes cut at a '-' or character boundary.
 * Returns a malloc'd string, "" when nothing is left.  Invalid UTF-8
 * bytes are treated as separators.
 */
char *slug_from_text(const char *s, size_t n);

/*
 * True if s[0..n) can be used as a slug given by an author or requested
 * in a URL: 1-200 bytes of valid UTF-8; ASCII letters, digits, '-', '_',
 * '.' and non-ASCII characters; not starting with '.' or '-'; no control
 * characters, spaces, '/', '\\', '%', '?', '#'.
 */
bool slug_is_valid(const char *s, size_t n);

#endif
