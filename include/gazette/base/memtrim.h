/*
 * memtrim.h: gives the heap's free pages back to the kernel now and then.
 *
 * glibc's free() returns memory to the kernel only from the top of the
 * heap.  The response cache keeps bodies of a few KB for minutes among
 * short-lived allocations, and evicts them in another order than it made
 * them; the holes they leave stay resident until malloc_trim() gives them
 * back.  Serving 100,000 articles, one malloc_trim(0) took private memory
 * from 82 to 68 MiB; a pass every 5 seconds kept the peak 16 MiB lower
 * (124 to 108 MiB) over random, Zipf and search traffic.  A pass costs
 * under a millisecond there.
 *
 * Where the build put mimalloc in glibc's place (meson.build), glibc's
 * heap holds next to nothing and a pass finds little to give back:
 * mimalloc returns the pages its frees empty by itself (cmd/main.c).
 */
#ifndef GAZETTE_MEMTRIM_H
#define GAZETTE_MEMTRIM_H

#include <stdint.h>

struct memtrim;

/*
 * Starts a thread that calls malloc_trim(0) every `seconds`.  NULL (with
 * a warning in the log) if the thread cannot start: the server runs on,
 * only holding more memory.
 */
struct memtrim *memtrim_start(unsigned seconds);

/* The passes made so far (0 for NULL). */
uint64_t memtrim_passes(const struct memtrim *t);

/* Stops the thread and frees t; NULL is fine. */
void memtrim_stop(struct memtrim *t);

#endif
