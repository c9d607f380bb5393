/*
 * ahead.c: an import's work shared with a second core.
 *
 * Writing an article is two jobs of about the same size: making it ready
 * (its file read and parsed again, its body rendered and its references
 * rewritten: import.c's prepare_job()) and putting it in the database.
 * Only the second needs the one connection the import writes through, so
 * the first runs here, in order, at most AHEAD_DEPTH articles ahead of the
 * write.  Parsing the files is split too: this thread parses every other
 * one (parse_job()), the import's thread the rest, and takes them in order.
 *
 * Both threads may use the store, this one only to read where a reference
 * leads, so each use of it is between batch_store_lock() and
 * batch_store_unlock(): SQLite's connection is safe across threads, a
 * prepared statement between its bind and its reset is not.  Whether each
 * article is current is asked before this thread starts: asked here, the
 * question waited for every write to end.
 *
 * Nothing else changes: the articles are parsed, kept and written in the
 * same order with the same ids, messages come in input order, and the
 * first mistake stops the write at the same article as before.
 */
#define _GNU_SOURCE /* sched_getaffinity() */

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "gazette/base/util.h"

/* Items made and not yet taken, at most: an article's holds its file, page and text. */
#define AHEAD_DEPTH 2

struct ahead {
	struct batch *b;
	struct store *st;
	ahead_job job;
	size_t first, count, step;
	pthread_t thread;
	pthread_mutex_t lock; /* made, taken, stop */
	pthread_cond_t moved;
	size_t made;  /* items 0..made-1 (the job's first, first + step, ...) are made or taken */
	size_t taken; /* items 0..taken-1 were taken */
	bool stop;
	pthread_mutex_t store_lock;
	struct ahead_item slots[AHEAD_DEPTH];
};

static void *run_job(void *arg)
{
	struct ahead *ah = arg;
	for (size_t j = 0, k = ah->first; k < ah->count; j++, k += ah->step) {
		pthread_mutex_lock(&ah->lock);
		while (!ah->stop && j - ah->taken >= AHEAD_DEPTH)
			pthread_cond_wait(&ah->moved, &ah->lock);
		bool stop = ah->stop;
		pthread_mutex_unlock(&ah->lock);
		if (stop)
			break;
		struct ahead_item *it = &ah->slots[j % AHEAD_DEPTH];
		memset(it, 0, sizeof *it);
		/* A mistake is the caller's to act on: it stops us if it stops. */
		ah->job(ah->b, ah->st, k, it);
		pthread_mutex_lock(&ah->lock);
		ah->made = j + 1;
		pthread_cond_broadcast(&ah->moved);
		pthread_mutex_unlock(&ah->lock);
	}
	return NULL;
}

/* The CPUs this process may run on: a second thread helps only with two. */
static int usable_cpus(void)
{
	cpu_set_t set;
	return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

/* Lets go of what ahead_start() made, the store's lock with it. */
static void ahead_free(struct ahead *ah)
{
	ah->b->store_lock = NULL;
	pthread_mutex_destroy(&ah->store_lock);
	pthread_cond_destroy(&ah->moved);
	pthread_mutex_destroy(&ah->lock);
	free(ah);
}

struct ahead *ahead_start(struct batch *b, struct store *st, ahead_job job, size_t first,
                          size_t count, size_t step)
{
	if (first >= count || count - first < 2 || usable_cpus() < 2)
		return NULL;
	struct ahead *ah = xcalloc(1, sizeof *ah);
	*ah = (struct ahead){.b = b, .st = st, .job = job, .first = first, .count = count,
	                     .step = step};
	pthread_mutex_init(&ah->lock, NULL);
	pthread_cond_init(&ah->moved, NULL);
	pthread_mutex_init(&ah->store_lock, NULL);
	b->store_lock = &ah->store_lock;
	if (pthread_create(&ah->thread, NULL, run_job, ah) != 0) {
		ahead_free(ah);
		return NULL;
	}
	return ah;
}

int ahead_next(struct ahead *ah, size_t k, struct ahead_item *out)
{
	size_t j = (k - ah->first) / ah->step;
	pthread_mutex_lock(&ah->lock);
	while (ah->made <= j)
		pthread_cond_wait(&ah->moved, &ah->lock);
	pthread_mutex_unlock(&ah->lock);
	/* The slot is the caller's until taken moves past it. */
	struct ahead_item *it = &ah->slots[j % AHEAD_DEPTH];
	*out = *it;
	memset(it, 0, sizeof *it);
	pthread_mutex_lock(&ah->lock);
	ah->taken = j + 1;
	pthread_cond_broadcast(&ah->moved);
	pthread_mutex_unlock(&ah->lock);
	return out->rc;
}

void ahead_stop(struct ahead *ah)
{
	if (ah == NULL)
		return;
	pthread_mutex_lock(&ah->lock);
	ah->stop = true;
	pthread_cond_broadcast(&ah->moved);
	pthread_mutex_unlock(&ah->lock);
	pthread_join(ah->thread, NULL);
	/* Made and not taken: the caller stopped first (a mistake of its own). */
	for (size_t j = ah->taken; j < ah->made; j++)
		batch_item_free(&ah->slots[j % AHEAD_DEPTH]);
	ahead_free(ah);
}

void batch_store_lock(struct batch *b)
{
	if (b->store_lock)
		pthread_mutex_lock(b->store_lock);
}

void batch_store_unlock(struct batch *b)
{
	if (b->store_lock)
		pthread_mutex_unlock(b->store_lock);
}
