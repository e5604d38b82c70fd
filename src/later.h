/*
 * later: what a load leaves for after its server is served, on a thread
 * of its own: the search index of a big capsule (search.h), so that a
 * start or a reload does not wait for it.  Jobs run one at a time, in
 * the order they came; a job that a newer one makes stale is dropped.
 */
#ifndef LATER_H
#define LATER_H

#include <stdatomic.h>
#include <stdbool.h>

/*
 * Start the thread: it runs WORK(P, CANCEL) for each P handed to
 * later_put(), then DONE(P).  CANCEL is set when a newer P comes or the
 * process stops: WORK should then return soon, its work left undone.  A
 * P that a newer one replaced before its turn gets only DONE(P).  The
 * thread runs only when no other wants the CPU (prio_idle_thread(), at
 * the nice value NICE where that is refused) and takes no signal.  0,
 * or -1 with errno set (then later_put() refuses).
 */
int	later_start(void (*)(void *, const atomic_bool *), void (*)(void *),
	    int);

/*
 * Queue P (from any thread); it replaces a P queued before whose turn has
 * not come.  0, or -1 when no thread runs (then P is the caller's).
 */
int	later_put(void *);

/*
 * Stop: the job running is told to stop and waited for, the queued ones
 * get DONE only.  Call once nothing queues any more.
 */
void	later_stop(void);

#endif
