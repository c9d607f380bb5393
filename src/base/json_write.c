/*
 * json_write.c: JSON text of a jansson value.  See json_write.h.
 *
 * Why not json_dumps(): jansson writes a string a code point at a time,
 * through a call to decode each, and every API answer carries an article's
 * HTML or twenty summaries: writing the text was 40% of an API article
 * made from the database (perf, random articles of 100,000).  Here a
 * string goes out in runs between the bytes that need an escape
 * (escape_json_string(), the one JSON escaper).
 *
 * What jansson writes, relied on here (jansson 2.14, dump.c, with
 * JSON_COMPACT and no other flag): no space anywhere; object members in
 * the object's order (json_object_iter()); a string's '"' and '\' escaped
 * with a backslash, backspace, form feed, newline, return and tab as \b
 * \f \n \r \t, every other byte below 0x20 as \u00XX with capital hex
 * digits, everything else (DEL, '/', U+2028, all of UTF-8) as it is;
 * integers in decimal.  Reals are left to jansson itself (none of
 * gazette's answers has one).  A string that is not UTF-8 cannot be in a
 * value jansson made with its checks, but json_stringn_nocheck() can make
 * one: it is refused, as jansson refuses to write it.
 */
#include "gazette/base/json_write.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/escape.h"
#include "gazette/base/util.h"

/* Whether s[0..n) is text jansson writes: UTF-8, NUL allowed (utf8_valid() is stricter). */
static bool writable(const char *s, size_t n)
{
	if (utf8_valid(s, n))
		return true;
	json_t *checked = json_stringn(s, n);
	json_decref(checked);
	return checked != NULL;
}

/* Deeper than this is a value that holds itself: jansson refuses those too. */
#define MAX_DEPTH 2048

/* Appends v, depth containers down, for a script or not; false if it cannot be written. */
static bool put_value(struct buf *out, const json_t *v, unsigned depth, bool script)
{
	if (depth > MAX_DEPTH)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		buf_putc(out, '{');
		bool first = true;
		for (void *it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			if (!first)
				buf_putc(out, ',');
			first = false;
			const char *key = json_object_iter_key(it);
			size_t klen = json_object_iter_key_len(it);
			if (!writable(key, klen))
				return false;
			escape_json_string(out, key, klen, script);
			buf_putc(out, ':');
			if (!put_value(out, json_object_iter_value(it), depth + 1, script))
				return false;
		}
		buf_putc(out, '}');
		return true;
	}
	case JSON_ARRAY: {
		buf_putc(out, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				buf_putc(out, ',');
			if (!put_value(out, json_array_get(v, i), depth + 1, script))
				return false;
		}
		buf_putc(out, ']');
		return true;
	}
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (!writable(s, n))
			return false;
		escape_json_string(out, s, n, script);
		return true;
	}
	case JSON_INTEGER: buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); return true;
	case JSON_REAL: {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text == NULL)
			return false;
		buf_puts(out, text);
		free(text);
		return true;
	}
	case JSON_TRUE: buf_puts(out, "true"); return true;
	case JSON_FALSE: buf_puts(out, "false"); return true;
	case JSON_NULL: buf_puts(out, "null"); return true;
	}
	return false;
}

/* Appends v, or leaves out as it was (its NUL too) and returns -1. */
static int write_value(struct buf *out, const json_t *v, bool script)
{
	size_t was = out->len;
	if (v && put_value(out, v, 0, script))
		return 0;
	out->len = was;
	if (out->data)
		out->data[was] = '\0';
	return -1;
}

int json_write(struct buf *out, const json_t *v)
{
	return write_value(out, v, false);
}

int json_write_for_script(struct buf *out, const json_t *v)
{
	return write_value(out, v, true);
}
