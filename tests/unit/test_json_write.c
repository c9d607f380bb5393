/* Unit tests for json_write.c: the same text as json_dumps(JSON_COMPACT), faster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/json_write.h"
#include "gazette/base/util.h"

/* json_write() of v is json_dumps()'s text to the byte, appended after what out held. */
static void assert_same_as_jansson(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_non_null(want);
	struct buf out = BUF_INIT;
	buf_puts(&out, "before:");
	assert_int_equal(json_write(&out, v), 0);
	size_t n = strlen(want);
	if (out.len != 7 + n || memcmp(out.data + 7, want, n) != 0)
		fail_msg("json_write: %.*s\njansson:    %s", (int)(out.len - 7), out.data + 7, want);
	buf_free(&out);
	free(want);
}

/*
 * json_write_for_script() of v is jansson's text with JSON_ESCAPE_SLASH,
 * then '<', '>', '&' as \u003c, \u003e, \u0026 (no other byte of JSON
 * text can be one of those outside a string).
 */
static void assert_script_form(const json_t *v)
{
	char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ESCAPE_SLASH);
	assert_non_null(dumped);
	struct buf want = BUF_INIT, got = BUF_INIT;
	for (const char *p = dumped; *p; p++) {
		if (*p == '<')
			buf_puts(&want, "\\u003c");
		else if (*p == '>')
			buf_puts(&want, "\\u003e");
		else if (*p == '&')
			buf_puts(&want, "\\u0026");
		else
			buf_putc(&want, *p);
	}
	free(dumped);
	assert_int_equal(json_write_for_script(&got, v), 0);
	if (got.len != want.len || memcmp(got.data, want.data, want.len) != 0)
		fail_msg("for a script: %s\nwanted:       %s", got.data, want.data);
	buf_free(&want);
	buf_free(&got);
}

/* A deterministic generator, so that a failure is the same every run. */
static uint32_t next(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Text made of what needs an escape and what does not: controls, quotes, slashes, UTF-8. */
static json_t *random_string(uint32_t *seed, bool as_key, char *key)
{
	static const char *const pieces[] = {
	    "a", "Zz", " ", "\"", "\\", "/", "</script>", "\x7f", "\b", "\f", "\n", "\r", "\t",
	    "\x01", "\x1f", "\x0b", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x93\xb0", "\xe2\x80\xa8",
	    "&amp;", "0",
	};
	char text[256];
	size_t n = 0, parts = next(seed) % 12;
	for (size_t i = 0; i < parts; i++) {
		size_t k = next(seed) % (GZ_ARRAY_LEN(pieces) + 1);
		/* One more piece: a NUL, which jansson keeps in a value (and writes as \u0000). */
		const char *p = k < GZ_ARRAY_LEN(pieces) ? pieces[k] : "";
		size_t len = k < GZ_ARRAY_LEN(pieces) ? strlen(p) : 1;
		memcpy(text + n, p, len);
		n += len;
	}
	if (as_key) {
		memcpy(key, text, n);
		key[n] = '\0';
		return NULL;
	}
	return json_stringn(text, n);
}

static json_t *random_value(uint32_t *seed, int depth)
{
	switch (next(seed) % (depth < 4 ? 9 : 6)) {
	case 0: return random_string(seed, false, NULL);
	case 1: {
		static const json_int_t ints[] = {0, 1, -1, 42, -987654321, INT64_MAX, INT64_MIN};
		return json_integer(ints[next(seed) % GZ_ARRAY_LEN(ints)]);
	}
	case 2: {
		static const double reals[] = {0.5, -0.0, 0.1, 1e300, 3.0, -2.25e-10};
		return json_real(reals[next(seed) % GZ_ARRAY_LEN(reals)]);
	}
	case 3: return json_true();
	case 4: return json_false();
	case 5: return json_null();
	case 6:
	case 7: {
		json_t *o = json_object();
		size_t n = next(seed) % 6;
		for (size_t i = 0; i < n; i++) {
			char key[256];
			random_string(seed, true, key);
			json_object_set_new(o, key, random_value(seed, depth + 1));
		}
		return o;
	}
	default: {
		json_t *a = json_array();
		size_t n = next(seed) % 6;
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, random_value(seed, depth + 1));
		return a;
	}
	}
}

static void test_random_values(void **state)
{
	(void)state;
	uint32_t seed = 20261207;
	for (int i = 0; i < 3000; i++) {
		json_t *v = random_value(&seed, 0);
		assert_non_null(v);
		assert_same_as_jansson(v);
		assert_script_form(v);
		json_decref(v);
	}
}

/* Every byte alone in a string: the escapes one by one. */
static void test_every_byte(void **state)
{
	(void)state;
	for (int c = 0; c < 0x80; c++) {
		char s[3] = {'x', (char)c, 'y'};
		json_t *v = json_stringn(s, 3);
		assert_same_as_jansson(v);
		json_decref(v);
	}
}

/* The JSON files of the tests' data (exports, media lists), read and written again. */
static void test_data_files(void **state)
{
	(void)state;
	static const char *const files[] = {"ghost/ghost5.json", "ghost/ghost4.json",
	                                    "ghost/ghost2.json", "ghost/mobiledoc.json",
	                                    "search-pinned.json", "media/data.json"};
	for (size_t i = 0; i < GZ_ARRAY_LEN(files); i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, files[i]);
		json_error_t err;
		json_t *v = json_load_file(path, 0, &err);
		if (v == NULL)
			fail_msg("%s: %s", path, err.text);
		assert_same_as_jansson(v);
		json_decref(v);
	}
}

/* What JSON cannot say is refused, and out is left as it was. */
static void test_refusals(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	buf_puts(&out, "kept");
	assert_int_equal(json_write(&out, NULL), -1);
	json_t *bad = json_pack("{s:[i, o]}", "list", 1, json_stringn_nocheck("\xff\xfe", 2));
	assert_int_equal(json_write(&out, bad), -1);
	assert_null(json_dumps(bad, JSON_COMPACT));
	json_decref(bad);
	json_t *key = json_object();
	json_object_setn_new_nocheck(key, "\xc3", 1, json_true());
	assert_int_equal(json_write(&out, key), -1);
	json_decref(key);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "kept", 4);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_values),
	    cmocka_unit_test(test_every_byte),
	    cmocka_unit_test(test_data_files),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
