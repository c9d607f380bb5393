/*
 * dbcheck.c: reads a large database's every page while the server runs
 * (see dbcheck.h for why).
 */
#include "gazette/store/dbcheck.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gazette/base/log.h"
#include "gazette/store/store.h"
#include "gazette/base/util.h"

struct dbcheck {
	pthread_t thread;
	char *path;
	pthread_mutex_t lock; /* guards st: dbcheck_stop() interrupts it */
	struct store *st;
	bool stopping;
	atomic_bool failed;
};

static void *check(void *arg)
{
	struct dbcheck *c = arg;
	struct diag err;
	struct store *st;

	/*
	 * Readers come first: at full niceness the check gets about a
	 * sixtieth of a core the workers want, and all of an idle one.  At
	 * 100,000 articles it had taken a sixth of the CPU from the first
	 * minute's requests.  Linux sets a thread's niceness by its id.
	 */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) < 0)
		log_msg(LOG_DEBUG, "the database check runs at the workers' priority");
	diag_clear(&err);
	/* Its own connection: the check must not hold a worker's. */
	if (store_open(c->path, STORE_READONLY, &st, NULL, &err) < 0) {
		log_msg(LOG_WARN, "%s: cannot check the database: %s", c->path, err.msg);
		return NULL;
	}
	pthread_mutex_lock(&c->lock);
	c->st = c->stopping ? NULL : st;
	pthread_mutex_unlock(&c->lock);
	int rc = c->st ? store_verify(st, &err) : 1;
	pthread_mutex_lock(&c->lock);
	c->st = NULL;
	pthread_mutex_unlock(&c->lock);
	store_close(st);

	if (rc < 0) {
		log_msg(LOG_ERROR, "%s: %s; stopping", c->path, err.msg);
		atomic_store(&c->failed, true);
		kill(getpid(), SIGTERM);
	} else if (rc == 0) {
		log_msg(LOG_DEBUG, "%s: every page of the database reads back", c->path);
	}
	return NULL;
}

struct dbcheck *dbcheck_start(const char *path)
{
	struct dbcheck *c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	pthread_mutex_init(&c->lock, NULL);
	if (pthread_create(&c->thread, NULL, check, c) != 0) {
		log_msg(LOG_WARN, "%s: cannot start the database check", path);
		pthread_mutex_destroy(&c->lock);
		free(c->path);
		free(c);
		return NULL;
	}
	return c;
}

bool dbcheck_stop(struct dbcheck *c)
{
	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	if (c->st)
		store_interrupt(c->st);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	bool failed = atomic_load(&c->failed);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
	return failed;
}
