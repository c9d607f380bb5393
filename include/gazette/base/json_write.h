/*
 * json_write.h: JSON text of a jansson value, as json_dumps(v,
 * JSON_COMPACT) writes it, byte for byte, but faster.
 */
#ifndef GAZETTE_BASE_JSON_WRITE_H
#define GAZETTE_BASE_JSON_WRITE_H

#include <jansson.h>

#include "gazette/base/buf.h"

/*
 * Appends the compact JSON text of v to out: what json_dumps(v,
 * JSON_COMPACT | JSON_ENCODE_ANY) gives, keys in the object's own order.
 * Returns 0, or -1 (out as it was) when v holds what JSON cannot say (a
 * string that is not UTF-8, a real that is not finite) or is NULL.
 */
int json_write(struct buf *out, const json_t *v);

/*
 * The same, to go inside an HTML <script> element: strings as
 * escape_json_string() writes them for one (what json_dumps() writes
 * with JSON_ESCAPE_SLASH, and '<', '>', '&' as \u003c, \u003e, \u0026).
 */
int json_write_for_script(struct buf *out, const json_t *v);

#endif
