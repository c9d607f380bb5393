/*
 * filemem.c: an allocator over a shared mapping of an unlinked file.
 * See filemem.h for why.
 *
 * The blocks are boundary-tagged, as in Knuth's TAOCP vol. 1, 2.5: every
 * block starts with a header word (its size and two flags) and a free
 * block also ends with its size, so a block freed merges with a free
 * neighbour on either side at once.  Free blocks wait in lists by size
 * class, four classes to each power of two, as TLSF does (Masmano et
 * al., ECRTS 2004): a request looks through its own class for a block
 * big enough, a few at most, then takes any block of a larger class.  The
 * callers allocate rarely (on a cache miss, a list read) and in KB, so
 * one lock is enough.
 */
#define _GNU_SOURCE
#include "gazette/base/filemem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "gazette/base/util.h"

/*
 * AddressSanitizer does not see inside the mapping: it is one region to
 * it.  So the bytes a caller may not touch are poisoned by hand: all of a
 * free block, a used block's header and what lies past its length.  A
 * read of a block after its free, or past its end into the next header,
 * stops the test that does it, as for malloc.  The allocator's own reads
 * and writes of headers, links and footers are not checked (NO_ASAN) and
 * are plain loads and stores, which ASan does not intercept as it does
 * memcpy().
 */
#if defined(__SANITIZE_ADDRESS__)
#define FILEMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FILEMEM_ASAN 1
#endif
#endif
#ifdef FILEMEM_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define NO_ASAN        __attribute__((no_sanitize_address))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define NO_ASAN
#endif

/*
 * Filesystems that write a page anew elsewhere each time it changes
 * (copy on write): a reserved block does not keep a rewrite from needing
 * space, and a write fault on a full disk ends in SIGBUS.
 */
#define BTRFS_MAGIC    0x9123683EL
#define ZFS_MAGIC      0x2FC12FC1L
#define BCACHEFS_MAGIC 0xCA451A4EL

/* Blocks are multiples of UNIT bytes; the payload follows a HEADER-byte header. */
#define UNIT   64u
#define HEADER 16u
/* The header word's flags, below the size (a multiple of UNIT). */
#define USED      1u
#define PREV_USED 2u
#define FLAGS     (USED | PREV_USED)
/* Classes: 4 per power of two of the size in units, up to 2^48 units. */
#define CLASSES (48 * 4)
/* Blocks of its own class a request looks at before going to larger ones. */
#define FIRST_FIT_TRIES 8

/* A block's start.  next and prev are there only while it is free. */
struct blk {
	uint64_t head; /* size | flags */
	uint64_t spare;
	struct blk *next, *prev;
};

struct arena {
	unsigned char *base;
	size_t size;
	pthread_mutex_t lock;
	struct blk *free[CLASSES];
	size_t used;
	uint64_t fallbacks;
};

/* Set by filemem_open() before any thread allocates, cleared by filemem_close() after the last. */
static struct arena arena = {.lock = PTHREAD_MUTEX_INITIALIZER};

NO_ASAN static size_t blk_size(const struct blk *b)
{
	return (size_t)(b->head & ~(uint64_t)FLAGS);
}

NO_ASAN static struct blk *blk_after(struct blk *b)
{
	return (struct blk *)((unsigned char *)b + blk_size(b));
}

/*
 * A free block's size, also kept in its last word for the block after it
 * (8-aligned: blocks are whole units).
 */
NO_ASAN static void set_footer(struct blk *b)
{
	uint64_t size = blk_size(b);
	*(uint64_t *)(void *)((unsigned char *)b + size - sizeof size) = size;
}

NO_ASAN static uint64_t footer_before(struct blk *b)
{
	return *(const uint64_t *)(const void *)((unsigned char *)b - sizeof(uint64_t));
}

static unsigned class_of(size_t size)
{
	uint64_t units = size / UNIT;
	unsigned log = 63u - (unsigned)__builtin_clzll(units);
	unsigned sub = log >= 2 ? (unsigned)(units >> (log - 2)) & 3u : (unsigned)units & 3u;
	unsigned c = log * 4 + sub;
	return c < CLASSES ? c : CLASSES - 1;
}

NO_ASAN static void push_free(struct blk *b)
{
	unsigned c = class_of(blk_size(b));
	b->prev = NULL;
	b->next = arena.free[c];
	if (b->next)
		b->next->prev = b;
	arena.free[c] = b;
}

NO_ASAN static void unlink_free(struct blk *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		arena.free[class_of(blk_size(b))] = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

/* A free block of at least need bytes, out of its list; NULL if none. */
NO_ASAN static struct blk *take_block(size_t need)
{
	unsigned c = class_of(need);
	struct blk *b = arena.free[c];
	for (unsigned tries = 0; b && tries < FIRST_FIT_TRIES; tries++, b = b->next)
		if (blk_size(b) >= need)
			break;
	if (b == NULL || blk_size(b) < need) {
		/* Every block of a larger class is larger than any of class c. */
		b = NULL;
		for (unsigned k = c + 1; k < CLASSES && b == NULL; k++)
			b = arena.free[k];
	}
	if (b)
		unlink_free(b);
	return b;
}

int filemem_open(const char *dir, size_t bytes, const char **why)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t pg = page > 0 ? (size_t)page : 4096;
	bytes = (bytes + pg - 1) / pg * pg;
	*why = NULL;
	if (arena.base) {
		*why = "already open";
		return -1;
	}
	if (bytes < (size_t)4 * UNIT) {
		*why = "too small";
		return -1;
	}
	struct statfs fs;
	if (statfs(dir, &fs) < 0) {
		*why = "cannot look at the folder";
		return -1;
	}
	if (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC) {
		*why = "the folder is in memory (tmpfs), not on disk";
		return -1;
	}
	if (fs.f_type == BTRFS_MAGIC || fs.f_type == ZFS_MAGIC || fs.f_type == BCACHEFS_MAGIC) {
		*why = "the folder's filesystem copies on write: a full disk could stop the server";
		return -1;
	}
	/* Past RLIMIT_FSIZE, fallocate() raises SIGXFSZ, which ends the process. */
	struct rlimit fsize;
	if (getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY &&
	    fsize.rlim_cur < bytes) {
		*why = "the file size limit (ulimit -f) is smaller";
		return -1;
	}
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		*why = errno == EACCES || errno == EROFS || errno == EPERM
		           ? "the folder cannot be written"
		           : "cannot make an unlinked file there (O_TMPFILE)";
		return -1;
	}
	int rc = posix_fallocate(fd, 0, (off_t)bytes);
	if (rc != 0) {
		close(fd);
		*why = rc == ENOSPC ? "not enough disk space" : "cannot reserve its disk space";
		return -1;
	}
	void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd); /* the mapping keeps the file */
	if (base == MAP_FAILED) {
		*why = "cannot map it";
		return -1;
	}
	arena.base = base;
	arena.size = bytes;
	arena.used = 0;
	arena.fallbacks = 0;
	memset(arena.free, 0, sizeof arena.free);

	/* One free block, then a used block of one unit that ends the walk to the right. */
	struct blk *end = (struct blk *)(arena.base + bytes - UNIT);
	struct blk *all = (struct blk *)arena.base;
	all->head = (uint64_t)(bytes - UNIT) | PREV_USED;
	set_footer(all);
	end->head = UNIT | USED;
	push_free(all);
	POISON(arena.base, bytes);
	return 0;
}

static bool in_arena(const void *p)
{
	const unsigned char *c = p;
	return arena.base && c >= arena.base && c < arena.base + arena.size;
}

/* A block of n bytes (n > 0) from the file; NULL (a fallback counted) when it has no room. */
NO_ASAN static void *file_alloc(size_t n)
{
	pthread_mutex_lock(&arena.lock);
	size_t need = (n + HEADER + UNIT - 1) / UNIT * UNIT;
	struct blk *b = n <= arena.size ? take_block(need) : NULL;
	if (b == NULL) {
		arena.fallbacks++;
		pthread_mutex_unlock(&arena.lock);
		return NULL;
	}
	size_t size = blk_size(b);
	if (size - need >= UNIT) {
		struct blk *rest = (struct blk *)((unsigned char *)b + need);
		rest->head = (uint64_t)(size - need) | PREV_USED;
		set_footer(rest);
		push_free(rest);
		size = need;
	} else {
		struct blk *after = (struct blk *)((unsigned char *)b + size);
		after->head |= PREV_USED;
	}
	b->head = (uint64_t)size | USED | (b->head & PREV_USED);
	arena.used += size;
	pthread_mutex_unlock(&arena.lock);
	/* The header and what lies past n stay poisoned: not the caller's. */
	unsigned char *p = (unsigned char *)b + HEADER;
	UNPOISON(p, n);
	return p;
}

void *filemem_alloc(size_t n)
{
	void *p = arena.base && n > 0 ? file_alloc(n) : NULL;
	return p ? p : xmalloc(n ? n : 1);
}

void *filemem_take(void *heap, size_t len, size_t cap)
{
	void *p = arena.base && len > 0 ? file_alloc(len) : NULL;
	if (p) {
		memcpy(p, heap, len);
		free(heap);
		return p;
	}
	/* Kept in the heap: it is to cost what it holds, not the room it grew by. */
	return heap && cap > len + 64 ? xrealloc(heap, len ? len : 1) : heap;
}

void *filemem_zalloc(size_t n)
{
	void *p = filemem_alloc(n);
	memset(p, 0, n);
	return p;
}

NO_ASAN void filemem_free(void *p)
{
	if (p == NULL)
		return;
	if (!in_arena(p)) {
		free(p);
		return;
	}
	struct blk *b = (struct blk *)((unsigned char *)p - HEADER);
	pthread_mutex_lock(&arena.lock);
	if (!(b->head & USED)) {
		fputs("gazette: a block of the cache's file was freed twice\n", stderr);
		abort();
	}
	size_t size = blk_size(b);
	POISON(p, size - HEADER);
	arena.used -= size;
	b->head &= ~(uint64_t)USED; /* a second free of p finds it so, even merged */
	struct blk *after = blk_after(b);
	if (!(after->head & USED)) {
		unlink_free(after);
		size += blk_size(after);
	}
	if (!(b->head & PREV_USED)) {
		uint64_t prev_size = footer_before(b);
		struct blk *prev = (struct blk *)((unsigned char *)b - prev_size);
		unlink_free(prev);
		size += (size_t)prev_size;
		b = prev;
	}
	/* Its neighbours are used now: a free one would have merged. */
	b->head = (uint64_t)size | PREV_USED;
	set_footer(b);
	blk_after(b)->head &= ~(uint64_t)PREV_USED;
	push_free(b);
	pthread_mutex_unlock(&arena.lock);
}

void filemem_stats(struct filemem_stats *out)
{
	pthread_mutex_lock(&arena.lock);
	out->open = arena.base != NULL;
	out->size = arena.size;
	out->used = arena.used;
	out->fallbacks = arena.fallbacks;
	pthread_mutex_unlock(&arena.lock);
}

int filemem_close(void)
{
	if (arena.base == NULL)
		return 0;
	if (arena.used != 0)
		return -1;
	UNPOISON(arena.base, arena.size);
	munmap(arena.base, arena.size);
	arena.base = NULL;
	arena.size = 0;
	memset(arena.free, 0, sizeof arena.free);
	return 0;
}
