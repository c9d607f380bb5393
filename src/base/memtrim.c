/*
 * memtrim.c: a thread that gives the heap's free pages back now and then.
 * See memtrim.h for why.
 */
#include "gazette/base/memtrim.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "gazette/base/log.h"
#include "gazette/base/ticker.h"
#include "gazette/base/util.h"

struct memtrim {
	struct ticker *ticker;
	atomic_uint_fast64_t passes;
};

static void trim(void *arg)
{
	struct memtrim *t = arg;
	/* Takes each arena's lock in turn, briefly: workers allocate on meanwhile. */
	malloc_trim(0);
	atomic_fetch_add_explicit(&t->passes, 1, memory_order_relaxed);
}

struct memtrim *memtrim_start(unsigned seconds)
{
	struct memtrim *t = xcalloc(1, sizeof *t);
	atomic_init(&t->passes, 0);
	t->ticker = ticker_start((seconds ? seconds : 1) * 1000u, trim, t);
	if (t->ticker == NULL) {
		log_msg(LOG_WARN, "cannot start the thread that gives free memory back");
		free(t);
		return NULL;
	}
	return t;
}

uint64_t memtrim_passes(const struct memtrim *t)
{
	return t ? atomic_load_explicit(&t->passes, memory_order_relaxed) : 0;
}

void memtrim_stop(struct memtrim *t)
{
	if (t == NULL)
		return;
	ticker_stop(t->ticker);
	free(t);
}
