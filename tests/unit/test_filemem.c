/*
 * Unit tests for filemem.c: blocks that never overlap and hold what was
 * written, frees that merge so the whole file is one block again, malloc
 * when it is full, no file on tmpfs, and the pages counted as file-backed
 * memory, not private.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "gazette/base/filemem.h"
#include "gazette/base/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif
#ifdef ASAN
#include <sanitizer/asan_interface.h>
#endif

#define MIB (1024u * 1024u)

/* A folder of the test's own, beside where it runs (on disk, as the build is). */
static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "filemem-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return rmdir(dir);
}

/* True if folder d is in memory: no file there (test_not_in_memory). */
static bool in_memory(const char *d)
{
	struct statfs fs;
	return statfs(d, &fs) == 0 && (fs.f_type == 0x01021994 || fs.f_type == (long)0x858458f6);
}

/* Opens the file in the test's folder; the tests that need one skip where it is in memory. */
static bool open_arena(size_t bytes)
{
	const char *why = NULL;
	if (filemem_open(dir, bytes, &why) == 0)
		return true;
	if (!in_memory(dir))
		fail_msg("filemem_open(%s): %s", dir, why);
	return false;
}

#define OPEN_OR_SKIP(bytes)                                                                        \
	do {                                                                                       \
		if (!open_arena(bytes)) {                                                          \
			skip();                                                                    \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* A byte that says which block and where in it. */
static unsigned char mark(size_t block, size_t at)
{
	return (unsigned char)(block * 31 + at * 7 + 1);
}

/*
 * Thousands of allocations and frees of mixed sizes, against a model:
 * every live block keeps its bytes (none overlaps another), and once all
 * are freed the file is one free block again (the whole of it fits).
 */
static void test_blocks_hold_and_merge(void **state)
{
	(void)state;
	OPEN_OR_SKIP(8 * MIB);
	enum { LIVE = 300, ROUNDS = 20000 };
	unsigned char *p[LIVE] = {0};
	size_t len[LIVE] = {0};
	unsigned seed = 12345;
	for (int r = 0; r < ROUNDS; r++) {
		seed = seed * 1103515245u + 12345u;
		size_t i = (seed >> 8) % LIVE;
		if (p[i]) {
			for (size_t k = 0; k < len[i]; k++)
				if (p[i][k] != mark(i, k))
					fail_msg("block %zu byte %zu changed", i, k);
			filemem_free(p[i]);
			p[i] = NULL;
			continue;
		}
		seed = seed * 1103515245u + 12345u;
		/* 1 byte to 64 KB, most of them small, as answers and lists are. */
		unsigned shift = (seed >> 4) % 17;
		len[i] = 1 + (seed >> 12) % ((size_t)1 << shift);
		p[i] = filemem_alloc(len[i]);
		assert_true(((uintptr_t)p[i] & 15) == 0);
		for (size_t k = 0; k < len[i]; k++)
			p[i][k] = mark(i, k);
	}
	struct filemem_stats st;
	filemem_stats(&st);
	assert_true(st.open);
	assert_int_equal(st.fallbacks, 0);
	assert_true(st.used > 0);
	assert_int_equal(filemem_close(), -1); /* blocks are in use: it stays */
	for (size_t i = 0; i < LIVE; i++) {
		for (size_t k = 0; p[i] && k < len[i]; k++)
			if (p[i][k] != mark(i, k))
				fail_msg("block %zu byte %zu changed", i, k);
		filemem_free(p[i]);
	}
	filemem_stats(&st);
	assert_int_equal(st.used, 0);

	/* All merged back: one block of nearly the whole file fits in it. */
	unsigned char *all = filemem_alloc(8 * MIB - 256);
	filemem_stats(&st);
	assert_true(st.used >= 8 * MIB - 256);
	assert_int_equal(st.fallbacks, 0);
	filemem_free(all);
	assert_int_equal(filemem_close(), 0);
}

/* Freed from either side, a block merges with both neighbours. */
static void test_merges_both_sides(void **state)
{
	(void)state;
	OPEN_OR_SKIP(1 * MIB);
	void *a = filemem_alloc(1000), *b = filemem_alloc(1000), *c = filemem_alloc(1000);
	void *d = filemem_alloc(1000);
	filemem_free(a);
	filemem_free(c);
	filemem_free(b); /* between two free blocks */
	struct filemem_stats st;
	filemem_stats(&st);
	assert_int_equal(st.used, 1024); /* d alone: 1000 + its header, in 64-byte units */
	/* a, b and c are one block: 3,000 bytes fit where they were, before d. */
	unsigned char *e = filemem_alloc(3000);
	assert_ptr_equal(e, a);
	filemem_free(e);
	filemem_free(d);
	assert_int_equal(filemem_close(), 0);
}

/* Full, it hands out malloc's blocks, and takes them back. */
static void test_full_falls_back(void **state)
{
	(void)state;
	OPEN_OR_SKIP(64 * 1024);
	void *big = filemem_alloc(60 * 1024);
	struct filemem_stats st;
	filemem_stats(&st);
	assert_true(st.used >= 60 * 1024);
	assert_int_equal(st.fallbacks, 0);
	void *more = filemem_zalloc(16 * 1024);
	filemem_stats(&st);
	assert_int_equal(st.fallbacks, 1);
	for (size_t k = 0; k < 16 * 1024; k++)
		assert_int_equal(((unsigned char *)more)[k], 0);
	filemem_free(more); /* free(), or ASan says otherwise */
	filemem_free(big);
	filemem_free(NULL);
	const char hello[] = "hello";
	char *copy = filemem_take(xstrdup(hello), sizeof hello, sizeof hello);
	assert_string_equal(copy, "hello");
	filemem_free(copy);
	assert_int_equal(filemem_close(), 0);

	/* Closed, everything comes from malloc. */
	void *m = filemem_alloc(100);
	filemem_stats(&st);
	assert_false(st.open);
	filemem_free(m);
}

/*
 * A heap buffer taken over: copied into the file while it has room; kept
 * in the heap (the same buffer, or trimmed) when the file is full or
 * closed, with its bytes.
 */
static void test_take(void **state)
{
	(void)state;
	/* Closed: a buffer without room to spare is kept as it is. */
	char *heap = xstrdup("no room to spare");
	char *same = filemem_take(heap, strlen(heap) + 1, strlen(heap) + 1);
	assert_ptr_equal(same, heap);
	filemem_free(same);
	char *roomy = xmalloc(4096);
	strcpy(roomy, "roomy");
	char *trimmed = filemem_take(roomy, 6, 4096);
	assert_string_equal(trimmed, "roomy");
	filemem_free(trimmed);

	OPEN_OR_SKIP(64 * 1024);
	struct filemem_stats st;
	char *body = xmalloc(8192);
	memset(body, 'x', 8192);
	unsigned char *in_file = filemem_take(body, 8192, 8192);
	filemem_stats(&st);
	assert_true(st.used >= 8192 + 16);
	for (size_t k = 0; k < 8192; k++)
		assert_int_equal(in_file[k], 'x');
	/* Full: the heap's buffer stays where it is, counted. */
	char *big = xmalloc(60 * 1024);
	memset(big, 'y', 60 * 1024);
	char *kept = filemem_take(big, 60 * 1024, 60 * 1024);
	assert_ptr_equal(kept, big);
	filemem_stats(&st);
	assert_int_equal(st.fallbacks, 1);
	assert_int_equal(kept[60 * 1024 - 1], 'y');
	filemem_free(kept);
	filemem_free(in_file);
	assert_int_equal(filemem_close(), 0);
}

/* Not on tmpfs: its pages are memory the kernel cannot write out. */
static void test_not_in_memory(void **state)
{
	(void)state;
	struct statfs fs;
	if (statfs("/dev/shm", &fs) < 0 || !in_memory("/dev/shm")) {
		skip();
		return;
	}
	const char *why = NULL;
	assert_int_equal(filemem_open("/dev/shm", MIB, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, "tmpfs"));
	struct filemem_stats st;
	filemem_stats(&st);
	assert_false(st.open);
	assert_int_equal(filemem_open("/no/such/folder", MIB, &why), -1);
	assert_non_null(why);
}

/* Past the file size limit it opens nothing, where fallocate() would end the process. */
static void test_file_size_limit(void **state)
{
	(void)state;
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	low = old;
	low.rlim_cur = MIB;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
	const char *why = NULL;
	int rc = filemem_open(dir, 8 * MIB, &why);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(rc, -1);
	assert_non_null(why);
	if (!in_memory(dir))
		assert_non_null(strstr(why, "ulimit"));
	struct filemem_stats st;
	filemem_stats(&st);
	assert_false(st.open);
}

/* One field of /proc/self/status, in kB. */
static long status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* What is written into the file's blocks is file-backed memory, not private. */
static void test_counted_as_file(void **state)
{
	(void)state;
	OPEN_OR_SKIP(32 * MIB);
	long anon = status_kb("RssAnon"), file = status_kb("RssFile");
	enum { N = 24 };
	void *p[N];
	for (int i = 0; i < N; i++) {
		p[i] = filemem_alloc(MIB - 64);
		memset(p[i], i + 1, MIB - 64);
	}
	long anon2 = status_kb("RssAnon"), file2 = status_kb("RssFile");
	if (file2 - file < 20 * 1024)
		fail_msg("RssFile grew %ld kB for 24 MiB written", file2 - file);
	/* ASan's shadow of the mapping is private: an eighth of it. */
	if (anon2 - anon > 4 * 1024)
		fail_msg("RssAnon grew %ld kB for 24 MiB written to the file", anon2 - anon);
	for (int i = 0; i < N; i++)
		filemem_free(p[i]);
	assert_int_equal(filemem_close(), 0);
}

#ifdef ASAN
/*
 * What a caller may not touch is poisoned, as malloc's redzones and freed
 * blocks are: a block's header, what lies past its length (into the next
 * block's header when it fills its units), and all of a freed block.
 */
static void test_poisoned(void **state)
{
	(void)state;
	OPEN_OR_SKIP(1 * MIB);
	unsigned char *a = filemem_alloc(100);
	unsigned char *b = filemem_alloc(48); /* with its header, exactly one unit */
	unsigned char *c = filemem_alloc(100);
	assert_int_equal(__asan_region_is_poisoned(a, 100), NULL);
	assert_true(__asan_address_is_poisoned(a + 100));
	assert_true(__asan_address_is_poisoned(a - 1));
	assert_true(__asan_address_is_poisoned(a - 16));
	assert_int_equal(__asan_region_is_poisoned(b, 48), NULL);
	assert_true(__asan_address_is_poisoned(b + 48)); /* c's header */
	assert_true(__asan_address_is_poisoned(b - 8));
	filemem_free(a);
	for (size_t k = 0; k < 100; k++)
		if (!__asan_address_is_poisoned(a + k))
			fail_msg("byte %zu of a freed block can be read", k);
	filemem_free(b); /* merges with a */
	for (size_t k = 0; k < 48; k++)
		assert_true(__asan_address_is_poisoned(b + k));
	/* Allocated again, the bytes are the caller's again. */
	unsigned char *d = filemem_alloc(150);
	assert_ptr_equal(d, a);
	assert_int_equal(__asan_region_is_poisoned(d, 150), NULL);
	assert_true(__asan_address_is_poisoned(d + 150));
	filemem_free(c);
	filemem_free(d);
	assert_int_equal(filemem_close(), 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks_hold_and_merge),
	    cmocka_unit_test(test_merges_both_sides),
	    cmocka_unit_test(test_full_falls_back),
	    cmocka_unit_test(test_take),
	    cmocka_unit_test(test_not_in_memory),
	    cmocka_unit_test(test_file_size_limit),
	    cmocka_unit_test(test_counted_as_file),
#ifdef ASAN
	    cmocka_unit_test(test_poisoned),
#endif
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
