/*
 * memtrim.c: a thread that gives the heap's free pages back now and then.
 * See memtrim.h for why.
 */
#include "gazette/base/memtrim.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "gazette/base/log.h"
#include "gazette/base/util.h"

struct memtrim {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* memtrim_stop() */
	bool stopping;
	unsigned seconds;
	atomic_uint_fast64_t passes;
};

static void *run(void *arg)
{
	struct memtrim *t = arg;
	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += t->seconds;
		while (!t->stopping && pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0)
			;
		if (t->stopping)
			break;
		pthread_mutex_unlock(&t->lock);
		/* Takes each arena's lock in turn, briefly: workers allocate on meanwhile. */
		malloc_trim(0);
		atomic_fetch_add_explicit(&t->passes, 1, memory_order_relaxed);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct memtrim *memtrim_start(unsigned seconds)
{
	struct memtrim *t = xcalloc(1, sizeof *t);
	t->seconds = seconds ? seconds : 1;
	atomic_init(&t->passes, 0);
	pthread_mutex_init(&t->lock, NULL);
	/* The monotonic clock: a change of the wall clock neither hurries nor stalls it. */
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&t->thread, NULL, run, t) != 0) {
		log_msg(LOG_WARN, "cannot start the thread that gives free memory back");
		pthread_cond_destroy(&t->wake);
		pthread_mutex_destroy(&t->lock);
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
	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
