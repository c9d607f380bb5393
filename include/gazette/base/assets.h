/*
 * assets.h: the files gazette serves and renders with (templates, CSS,
 * icons, sample articles): built into the binary, overridable by a theme
 * folder (--theme DIR) file by file.
 */
#ifndef GAZETTE_ASSETS_H
#define GAZETTE_ASSETS_H

#include <stddef.h>

struct asset {
	const char *name;          /* relative to static/, e.g. "css/site.css" */
	const unsigned char *data; /* followed by a NUL that len does not count */
	size_t len;
};

/* Generated at build time by tools/embed.c. */
extern const struct asset assets_builtin[];
extern const size_t assets_builtin_count;

#endif
