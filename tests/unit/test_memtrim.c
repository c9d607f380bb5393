/*
 * Unit tests for memtrim.c: its thread gives the holes of a fragmented
 * heap back to the kernel, counts its passes, and stops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include "gazette/base/memtrim.h"

/* ASan keeps its own heap: malloc_trim() gives nothing back there. */
#if defined(__SANITIZE_ADDRESS__)
#define OWN_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OWN_HEAP 1
#endif
#endif
#ifndef OWN_HEAP
#define OWN_HEAP 0
#endif

/*
 * Blocks from the heap (below the mmap threshold the server sets too), and
 * large enough that a hole holds whole pages of any size Linux uses (4 to
 * 64 KB).
 */
#define BLOCKS 256
#define BLOCK  (256 * 1024)

/* The process's private resident memory (statm: resident less shared pages), in bytes. */
static uint64_t private_bytes(void)
{
	unsigned long vsize, rss, shared;
	FILE *f = fopen("/proc/self/statm", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu %lu", &vsize, &rss, &shared), 3);
	fclose(f);
	return (uint64_t)(rss - shared) * (uint64_t)sysconf(_SC_PAGESIZE);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * 64 MB of blocks in the heap, then every other one freed: the holes stay
 * resident (the rest pins the heap's top).  A pass gives them back.
 */
static void test_gives_holes_back(void **state)
{
	(void)state;
	mallopt(M_TRIM_THRESHOLD, 64 << 20); /* as the server sets them */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	char **blocks = calloc(BLOCKS, sizeof *blocks);
	assert_non_null(blocks);
	for (int i = 0; i < BLOCKS; i++) {
		blocks[i] = malloc(BLOCK);
		assert_non_null(blocks[i]);
		memset(blocks[i], i & 0xff, BLOCK);
	}
	for (int i = 0; i < BLOCKS; i += 2) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
	uint64_t before = private_bytes();
	assert_true(before > (uint64_t)BLOCKS * BLOCK / 2);

	struct memtrim *t = memtrim_start(1);
	assert_non_null(t);
	double until = now() + 10;
	while (memtrim_passes(t) == 0 && now() < until)
		usleep(20000);
	assert_true(memtrim_passes(t) >= 1);
	uint64_t after = private_bytes();
	if (!OWN_HEAP && after + (uint64_t)BLOCKS * BLOCK / 4 > before)
		fail_msg("private memory %llu kB before the pass, %llu kB after: the holes stayed",
		         (unsigned long long)(before >> 10), (unsigned long long)(after >> 10));
	memtrim_stop(t);
	for (int i = 1; i < BLOCKS; i += 2)
		free(blocks[i]);
	free(blocks);
	memtrim_stop(NULL);
	assert_int_equal(memtrim_passes(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gives_holes_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
