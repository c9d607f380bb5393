/*
 * assert_json.h: a cmocka check that a jansson value equals the JSON of a
 * string, for the unit tests of the modules that build JSON.  Include it
 * after <cmocka.h> (and what cmocka needs before it).
 */
#ifndef GAZETTE_TEST_ASSERT_JSON_H
#define GAZETTE_TEST_ASSERT_JSON_H

#include <stdlib.h>

#include <jansson.h>

/*
 * got equals the JSON want_text (any value; "\u0000" allowed in strings);
 * on a difference both are printed, compact and with sorted keys, before
 * the check fails.  A want_text that is not JSON fails the test.
 */
static void assert_json(const json_t *got, const char *want_text)
{
	json_error_t jerr;
	json_t *want = json_loads(want_text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (want == NULL)
		fail_msg("bad expected JSON %s: %s", want_text, jerr.text);
	if (!json_equal(got, want)) {
		char *s = json_dumps(got, JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_COMPACT);
		print_error("got  %s\nwant %s\n", s, want_text);
		free(s);
	}
	assert_true(json_equal(got, want));
	json_decref(want);
}

#endif
