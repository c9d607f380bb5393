/*
 * ticker.c: a thread that calls one function every so many milliseconds.
 * See ticker.h.
 */
#include "gazette/base/ticker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "gazette/base/util.h"

struct ticker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* ticker_stop() */
	bool stopping;
	unsigned ms;
	ticker_fn *fn;
	void *arg;
};

static void *run(void *p)
{
	struct ticker *t = p;
	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += t->ms / 1000;
		until.tv_nsec += (long)(t->ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		/* 0: woken (by ticker_stop(), or spuriously): wait on unless stopping. */
		while (!t->stopping && pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0)
			;
		if (t->stopping)
			break;
		/* Unlocked: ticker_stop() may come meanwhile, and waits for the call to end. */
		pthread_mutex_unlock(&t->lock);
		t->fn(t->arg);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct ticker *ticker_start(unsigned ms, ticker_fn *fn, void *arg)
{
	struct ticker *t = xcalloc(1, sizeof *t);
	t->ms = ms ? ms : 1;
	t->fn = fn;
	t->arg = arg;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&t->thread, NULL, run, t) != 0) {
		pthread_cond_destroy(&t->wake);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	return t;
}

void ticker_stop(struct ticker *t)
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
