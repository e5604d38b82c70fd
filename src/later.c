/*
 * later: one thread and a queue of one: the work a load leaves for after
 * its server is swapped in.  Knows nothing of what the work is.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "later.h"
#include "prio.h"

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cond = PTHREAD_COND_INITIALIZER;
static void		*next;		/* the job whose turn is next */
static bool		 running;
static atomic_bool	 stopping;
static atomic_bool	 cancel;	/* the running job is stale, or */
					/* the process stops */
static pthread_t	 thread;
static void		(*work_fn)(void *, const atomic_bool *);
static void		(*done_fn)(void *);
static int		 nice_value;

static void *
later_main(void *arg)
{
	void	*p;

	/*
	 * Only when the workers leave the CPU: what waits here is answered
	 * "try later" meanwhile (a failure costs only time).
	 */
	(void)prio_idle_thread(nice_value);
	pthread_mutex_lock(&mtx);
	for (;;) {
		while (next == NULL && !atomic_load(&stopping))
			pthread_cond_wait(&cond, &mtx);
		if (atomic_load(&stopping))
			break;
		p = next;
		next = NULL;
		atomic_store(&cancel, false);
		pthread_mutex_unlock(&mtx);
		work_fn(p, &cancel);
		done_fn(p);
		pthread_mutex_lock(&mtx);
	}
	p = next;
	next = NULL;
	pthread_mutex_unlock(&mtx);
	if (p != NULL)
		done_fn(p);
	return NULL;
}

int
later_start(void (*work)(void *, const atomic_bool *), void (*done)(void *),
    int nice)
{
	sigset_t	 all, old;
	int		 e;

	work_fn = work;
	done_fn = done;
	nice_value = nice;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&thread, NULL, later_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		return -1;
	}
	running = true;
	return 0;
}

int
later_put(void *p)
{
	void	*stale;

	pthread_mutex_lock(&mtx);
	if (!running || atomic_load(&stopping)) {
		pthread_mutex_unlock(&mtx);
		return -1;
	}
	stale = next;
	next = p;
	atomic_store(&cancel, true);	/* the running one is stale too */
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mtx);
	if (stale != NULL)
		done_fn(stale);		/* its snapshot is no longer served */
	return 0;
}

void
later_stop(void)
{
	pthread_mutex_lock(&mtx);
	if (!running) {
		pthread_mutex_unlock(&mtx);
		return;
	}
	atomic_store(&stopping, true);
	atomic_store(&cancel, true);
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mtx);
	pthread_join(thread, NULL);
	running = false;
}
