/*
 * filemem.h: memory for what the server caches, in a file on disk that
 * the kernel may write out and read back, as it does the database's pages.
 *
 * The rendered answers of the answer cache and the search's word lists
 * are copies of what the database holds, kept to be served again.  In
 * the heap they are private memory: the kernel can never take it back,
 * and at 100,000 articles they were 70 of the server's 113 MiB of it.
 * In a shared mapping of a file they are page cache, as nginx's static
 * files are: counted as file-backed (RssFile, not RssAnon), written to
 * the file now and then, dropped by the kernel when memory runs short,
 * and read back from the file when next touched.
 *
 * One arena for the process, opened by `gazette serve` before the
 * threads that allocate from it start (filemem_open()).  Without it (the other commands, the
 * unit tests), or when it is full, blocks come from malloc: every caller
 * works the same either way, and filemem_free() tells the two apart by
 * address.
 */
#ifndef GAZETTE_FILEMEM_H
#define GAZETTE_FILEMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Maps a file of `bytes` (rounded to pages) in folder dir, unlinked from
 * the start (O_TMPFILE), with its blocks reserved on disk (fallocate), so
 * that a full disk cannot fault a write into the mapping later.  Not on
 * tmpfs or ramfs, whose pages are memory the kernel cannot write out; not
 * on a filesystem that copies on write (btrfs, ZFS, bcachefs), where a
 * rewrite needs new space however much was reserved; not past the file
 * size limit (RLIMIT_FSIZE).  Returns 0, or -1 with *why set to a static
 * message and nothing opened (then filemem_alloc() uses malloc).  Call
 * before any thread allocates from it; once.
 */
int filemem_open(const char *dir, size_t bytes, const char **why);


/*
 * A block of n bytes (n > 0), 16-aligned: from the file while it has
 * room, else from malloc.  Never NULL (aborts as xmalloc() does).
 */
void *filemem_alloc(size_t n) __attribute__((malloc, returns_nonnull, warn_unused_result));

/* The same, zeroed. */
void *filemem_zalloc(size_t n) __attribute__((malloc, returns_nonnull, warn_unused_result));

/*
 * Takes over heap, a malloc'd buffer of cap bytes holding len: copied
 * into a block of the file (and freed) while the file has room, else
 * kept, trimmed to len if it has room to spare (a buffer that grew by
 * doubling).  What comes back is filemem_free()'s.
 */
void *filemem_take(void *heap, size_t len, size_t cap) __attribute__((warn_unused_result));

/* Frees a block of filemem_alloc() (from either place); NULL is fine. */
void filemem_free(void *p);

struct filemem_stats {
	bool open;          /* the file is mapped */
	size_t size;        /* its bytes (0 while it is not open) */
	size_t used;        /* bytes of its blocks in use, headers included */
	uint64_t fallbacks; /* blocks that came from malloc because it was full */
};

void filemem_stats(struct filemem_stats *out);

/*
 * Unmaps the file if no block of it is in use and returns 0; else leaves
 * it mapped (a block freed later must still be there) and returns -1.
 */
int filemem_close(void);

#endif
