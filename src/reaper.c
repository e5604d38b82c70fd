/*
 * reaper: a thread that frees what the loops let go of, and trims the
 * heap after it; knows nothing of what it frees (the caller's free
 * function does).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#ifdef __GLIBC__
#include <malloc.h>		/* malloc_trim, mallopt */
#endif

#include "reaper.h"

#define REAPER_MMAP_MIN	(256 * 1024)	/* bytes: mapped on their own */

/* A queue of objects to free, in the order they came. */
struct reap {
	void		*p;
	struct reap	*next;
};

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cond = PTHREAD_COND_INITIALIZER;
static struct reap	*head, **tail = &head;
static bool		 running, stopping;
static pthread_t	 thread;
static void		(*free_fn)(void *);

static void *
reaper_main(void *arg)
{
	struct reap	*r;

	pthread_mutex_lock(&mtx);
	for (;;) {
		while (head == NULL && !stopping)
			pthread_cond_wait(&cond, &mtx);
		if (head == NULL)
			break;
		r = head;
		if ((head = r->next) == NULL)
			tail = &head;
		pthread_mutex_unlock(&mtx);
		free_fn(r->p);
		free(r);
#ifdef __GLIBC__
		/*
		 * glibc keeps freed memory in the middle of its heaps: an old
		 * snapshot's pages stay resident, and after a few reloads
		 * the process holds several snapshots' worth.  This hands
		 * every whole free page of every arena back (madvise).
		 */
		malloc_trim(0);
#endif
		pthread_mutex_lock(&mtx);
	}
	pthread_mutex_unlock(&mtx);
	return NULL;
}

int
reaper_start(void (*fn)(void *))
{
	sigset_t	 all, old;
	int		 e;

	free_fn = fn;
	/*
	 * A block of REAPER_MMAP_MIN bytes or more (a search's index, a
	 * big page) gets a mapping of its own, given back whole when freed.
	 * glibc would otherwise raise that bound each time such a block is
	 * freed, and the next snapshot's big blocks would come from the heap,
	 * where they keep the pages around them resident.
	 */
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, REAPER_MMAP_MIN);
#endif
	/* the signals stay the caller's thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&thread, NULL, reaper_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		return -1;
	}
	pthread_mutex_lock(&mtx);
	running = true;
	pthread_mutex_unlock(&mtx);
	return 0;
}

int
reaper_put(void *p)
{
	struct reap	*r;
	int		 ret = -1;

	if ((r = malloc(sizeof(*r))) == NULL)
		return -1;
	r->p = p;
	r->next = NULL;
	pthread_mutex_lock(&mtx);
	if (running && !stopping) {
		*tail = r;
		tail = &r->next;
		pthread_cond_signal(&cond);
		r = NULL;
		ret = 0;
	}
	pthread_mutex_unlock(&mtx);
	free(r);
	return ret;
}

void
reaper_stop(void)
{
	bool	 was;

	pthread_mutex_lock(&mtx);
	was = running;
	stopping = true;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mtx);
	if (was)
		pthread_join(thread, NULL);
	running = false;
}
