/*
 * media.h: what a file a site ships is, found from its bytes: its media
 * type (libmagic, with a table of extensions for the text formats libmagic
 * cannot tell apart) and, for an image, its size in pixels (read from its
 * headers here, without an image library).  And the addresses files take
 * below a site: which are valid, and the content-hashed one that may be
 * cached for ever.
 *
 * libmagic reads its compiled database, /usr/share/misc/magic.mgc, when
 * first used; on Debian that file comes with libmagic1 (in the package
 * libmagic-mgc, which libmagic1 depends on).
 */
#ifndef GAZETTE_MEDIA_H
#define GAZETTE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "gazette/base/buf.h"

/* What a file is. */
struct media_info {
	/*
	 * The media type to send as Content-Type: "image/png", "video/mp4",
	 * "text/css; charset=utf-8" (text that is valid UTF-8 says so).
	 */
	char type[128];
	unsigned width; /* images: pixels as shown (rotation applied); 0 when unknown */
	unsigned height;
};

/*
 * Finds what data[0..len) is.  name is the file's name or path, or NULL:
 * its extension decides only between text formats libmagic reports as
 * plain text (CSS, JavaScript, JSON, an SVG without an XML declaration),
 * and for fonts whose signature matches; it never makes bytes an image,
 * audio, video, PDF or archive that are not one (a text named .png stays
 * text, an HTML page named .jpg stays HTML).  Returns 0; or -1 when
 * libmagic cannot be used (its database is missing: logged once), with
 * out->type "application/octet-stream".  Safe from any thread: the one
 * libmagic cookie (which is not thread-safe) is used under a mutex.
 */
int media_inspect(const void *data, size_t len, const char *name, struct media_info *out);

/*
 * The size in pixels of an image of type (a media type without
 * parameters: "image/png", "image/jpeg", "image/gif", "image/webp",
 * "image/avif", "image/heic", "image/heif", "image/svg+xml", "image/bmp",
 * "image/vnd.microsoft.icon"), read from its headers.  JPEG's Exif and
 * HEIF's irot rotations by a quarter turn swap the two, as browsers show
 * them.  Returns 0 with both set (each from 1 to INT32_MAX), or -1 if the
 * headers do not say (unknown type, truncated, damaged).  Never reads
 * outside data[0..len).
 */
int media_image_size(const void *data, size_t len, const char *type, unsigned *width,
                     unsigned *height);

/* The media type gazette gives a name's extension (text formats and fonts only), or NULL. */
const char *media_type_of_name(const char *name);

/*
 * True if path ("images/cat.png", "files/Annual report 2024.pdf") may be
 * the address of a file below a site: valid UTF-8 of 1 to
 * MEDIA_PATH_MAX bytes, segments separated by single '/', none empty,
 * "." or "..", no leading or trailing '/', at most MEDIA_PATH_MAX_SEGMENTS
 * segments, no control characters, no '\\'.  Spaces and other characters
 * are allowed: links percent-encode them.  Otherwise false with *why (a
 * sentence) set.
 */
#define MEDIA_PATH_MAX          1024
#define MEDIA_PATH_MAX_SEGMENTS 16
bool media_path_valid(const char *path, size_t n, const char **why);

/* The hex digits of a content hash that a hashed address carries. */
#define MEDIA_HASH_DIGITS 8

/*
 * Appends the content-hashed address of the file at path whose SHA-256
 * (hex) is sha256: the first MEDIA_HASH_DIGITS digits of the hash go
 * before the extension of the last segment ("images/a.png" ->
 * "images/a.1a2b3c4d.png"; "archive.tar.gz" -> "archive.tar.1a2b3c4d.gz"),
 * or at its end when it has none (a leading dot is no extension:
 * ".htaccess" -> ".htaccess.1a2b3c4d"), as the theme's files are
 * fingerprinted.  Not escaped: escape_url_path() makes it a link.
 */
void media_hashed_path(const char *path, const char *sha256, struct buf *out);

/*
 * The other way: if the last segment of path carries a hash where
 * media_hashed_path() puts one (MEDIA_HASH_DIGITS lowercase hex digits
 * after a '.'), appends path without it to plain, copies the digits to
 * hash and returns true; otherwise false (plain untouched).
 */
bool media_unhashed_path(const char *path, struct buf *plain, char hash[MEDIA_HASH_DIGITS + 1]);

#endif
