/*
 * Unit tests for import/index.c: the table from strings to article
 * indexes that an import keeps its slugs and old addresses in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch.h"

static void test_empty_table_finds_nothing(void **state)
{
	(void)state;
	struct index ix = {0};
	size_t v = 7;
	assert_false(index_get(&ix, "anything", &v));
	assert_false(index_get(&ix, "", &v));
	assert_int_equal(v, 7);
	index_free(&ix);
}

static void test_keys_are_compared_not_their_pointers(void **state)
{
	(void)state;
	struct index ix = {0};
	char key[] = "hello-world";
	char same[] = "hello-world";
	size_t v;
	index_put(&ix, key, 3);
	assert_true(index_get(&ix, same, &v));
	assert_int_equal(v, 3);
	assert_false(index_get(&ix, "hello-worl", &v));
	assert_false(index_get(&ix, "hello-world-2", &v));
	/* A second put of the same key sets its value: one entry, not two. */
	index_put(&ix, same, 9);
	assert_int_equal(ix.n, 1);
	assert_true(index_get(&ix, key, &v));
	assert_int_equal(v, 9);
	index_free(&ix);
	assert_int_equal(ix.n, 0);
	assert_false(index_get(&ix, key, &v));
}

/* Enough keys to grow the table many times; every one still found, with its own value. */
static void test_many_keys_each_keep_their_value(void **state)
{
	(void)state;
	enum { N = 100000 };
	char(*keys)[24] = malloc(N * sizeof *keys);
	assert_non_null(keys);
	struct index ix = {0};
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "/%zu/slug-%zu", i % 97, i);
		index_put(&ix, keys[i], i);
	}
	assert_int_equal(ix.n, N);
	/* Never more than three quarters full, so that a probe ends soon. */
	assert_true(4 * ix.n <= 3 * ix.cap);
	for (size_t i = 0; i < N; i++) {
		char probe[24];
		size_t v = SIZE_MAX;
		snprintf(probe, sizeof probe, "/%zu/slug-%zu", i % 97, i);
		assert_true(index_get(&ix, probe, &v));
		assert_int_equal(v, i);
	}
	size_t v;
	assert_false(index_get(&ix, "/0/slug-100000", &v));
	index_free(&ix);
	free(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_table_finds_nothing),
	    cmocka_unit_test(test_keys_are_compared_not_their_pointers),
	    cmocka_unit_test(test_many_keys_each_keep_their_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
