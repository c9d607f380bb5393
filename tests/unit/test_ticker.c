/*
 * Unit tests for ticker.c: its thread calls the function again and again,
 * never once it is stopped, and stops at once however long its period.
 * Nothing here asserts a duration: a ticker that did not stop at once
 * would hang the test until meson's timeout, which fails it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>

#include "gazette/base/ticker.h"

static void count(void *arg)
{
	atomic_fetch_add((atomic_uint *)arg, 1);
}

static void nap_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* A ticker of ms counting into *calls, once it has made want calls (however slow the machine). */
static struct ticker *ticked(unsigned ms, atomic_uint *calls, unsigned want)
{
	struct ticker *t = ticker_start(ms, count, calls);
	assert_non_null(t);
	while (atomic_load(calls) < want)
		nap_ms(1);
	return t;
}

static void test_calls_again_and_again(void **state)
{
	(void)state;
	atomic_uint calls = 0;
	ticker_stop(ticked(1, &calls, 3));
	unsigned after = atomic_load(&calls);
	nap_ms(20);
	assert_int_equal(atomic_load(&calls), after); /* none once stopped */
}

static void test_stops_before_its_first_call(void **state)
{
	(void)state;
	atomic_uint calls = 0;
	/* An hour: only ticker_stop() waking the thread lets this test end. */
	struct ticker *t = ticker_start(3600u * 1000u, count, &calls);
	assert_non_null(t);
	nap_ms(5);
	ticker_stop(t);
	assert_int_equal(atomic_load(&calls), 0);
}

static void test_period_of_zero_is_one_ms(void **state)
{
	(void)state;
	atomic_uint calls = 0;
	ticker_stop(ticked(0, &calls, 2));
	ticker_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calls_again_and_again),
	    cmocka_unit_test(test_stops_before_its_first_call),
	    cmocka_unit_test(test_period_of_zero_is_one_ms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
