/*
 * ahead.c: an import's articles made ready on a second core while the
 * first writes them.
 *
 * Writing an article is two jobs of about the same size: making it ready
 * (its file read and parsed again, its body rendered and its references
 * rewritten: batch_prepare()) and putting it in the database.  Only the
 * second needs the one connection the import writes through, so the first
 * runs here, in order, at most AHEAD_DEPTH articles ahead of the write.
 * Both threads use the store, the preparing one to read (is the article
 * current, where does a reference lead), so each use of it is between
 * batch_store_lock() and batch_store_unlock(): SQLite's connection is
 * safe across threads, a prepared statement between its bind and its
 * reset is not.
 *
 * Nothing else changes: the articles are written in the same order with
 * the same ids, the warnings of refs.c come in article order, and the
 * first mistake stops the import at the same article as before.
 */
#define _GNU_SOURCE /* sched_getaffinity() */

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "gazette/base/util.h"

/* Articles made ready and not yet taken, at most: each holds its file, page and text. */
#define AHEAD_DEPTH 2

struct slot {
	struct article a;
	int rc;
	struct diag err;
};

struct ahead {
	struct batch *b;
	struct store *st;
	pthread_t thread;
	pthread_mutex_t lock; /* made, taken, stop */
	pthread_cond_t moved;
	size_t made;  /* articles 0..made-1 are ready or taken */
	size_t taken; /* articles 0..taken-1 were taken by the writer */
	bool stop;
	pthread_mutex_t store_lock;
	struct slot slots[AHEAD_DEPTH];
};

static void *prepare_all(void *arg)
{
	struct ahead *ah = arg;
	for (size_t k = 0; k < ah->b->narticles; k++) {
		pthread_mutex_lock(&ah->lock);
		while (!ah->stop && k - ah->taken >= AHEAD_DEPTH)
			pthread_cond_wait(&ah->moved, &ah->lock);
		bool stop = ah->stop;
		pthread_mutex_unlock(&ah->lock);
		if (stop)
			break;
		struct slot *s = &ah->slots[k % AHEAD_DEPTH];
		diag_clear(&s->err);
		s->rc = batch_prepare(ah->b, ah->st, k, &s->a, &s->err);
		pthread_mutex_lock(&ah->lock);
		ah->made = k + 1;
		pthread_cond_broadcast(&ah->moved);
		pthread_mutex_unlock(&ah->lock);
		if (s->rc < 0)
			break; /* the writer stops at it */
	}
	return NULL;
}

/* The CPUs this process may run on: a second thread helps only with two. */
static int usable_cpus(void)
{
	cpu_set_t set;
	return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

struct ahead *ahead_start(struct batch *b, struct store *st)
{
	if (b->narticles < 2 || usable_cpus() < 2)
		return NULL;
	struct ahead *ah = xcalloc(1, sizeof *ah);
	ah->b = b;
	ah->st = st;
	pthread_mutex_init(&ah->lock, NULL);
	pthread_cond_init(&ah->moved, NULL);
	pthread_mutex_init(&ah->store_lock, NULL);
	b->store_lock = &ah->store_lock;
	if (pthread_create(&ah->thread, NULL, prepare_all, ah) != 0) {
		b->store_lock = NULL;
		pthread_mutex_destroy(&ah->store_lock);
		pthread_cond_destroy(&ah->moved);
		pthread_mutex_destroy(&ah->lock);
		free(ah);
		return NULL;
	}
	return ah;
}

int ahead_next(struct ahead *ah, size_t k, struct article *a, struct diag *err)
{
	pthread_mutex_lock(&ah->lock);
	while (ah->made <= k)
		pthread_cond_wait(&ah->moved, &ah->lock);
	pthread_mutex_unlock(&ah->lock);
	/* The slot is the writer's until taken moves past it. */
	struct slot *s = &ah->slots[k % AHEAD_DEPTH];
	*a = s->a;
	*err = s->err;
	int rc = s->rc;
	memset(&s->a, 0, sizeof s->a);
	pthread_mutex_lock(&ah->lock);
	ah->taken = k + 1;
	pthread_cond_broadcast(&ah->moved);
	pthread_mutex_unlock(&ah->lock);
	return rc;
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
	/* Made and not taken: the writer stopped first (a mistake of its own). */
	for (size_t k = ah->taken; k < ah->made; k++) {
		struct slot *s = &ah->slots[k % AHEAD_DEPTH];
		if (s->rc == 0)
			article_free(&s->a); /* an article with nothing to write is all zeros */
	}
	ah->b->store_lock = NULL;
	pthread_mutex_destroy(&ah->store_lock);
	pthread_cond_destroy(&ah->moved);
	pthread_mutex_destroy(&ah->lock);
	free(ah);
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
