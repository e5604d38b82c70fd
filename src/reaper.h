/*
 * reaper: frees what the serving loops let go of, on a thread of its own,
 * and gives the freed memory back to the system.  An old snapshot is most
 * of the heap: freeing it and trimming take a tenth of a second or more
 * for a large capsule, which a worker's loop must not wait for.
 */
#ifndef REAPER_H
#define REAPER_H

/*
 * Start the reaper's thread, which frees each object handed to
 * reaper_put() with FREE_FN, then returns the freed memory to the system
 * (glibc: malloc_trim).  0, or -1 with errno set (then reaper_put()
 * refuses, and the caller frees).  Call once; the thread takes no
 * signal.
 */
int	reaper_start(void (*)(void *));

/*
 * Hand P over to be freed off the caller's thread (any thread).  0, or -1
 * when no reaper runs (not started, stopped, or out of memory): then P is
 * still the caller's to free.
 */
int	reaper_put(void *);

/*
 * Free what was handed over and not freed yet, then end the thread; from
 * here on reaper_put() refuses.  Call once nothing hands over any more.
 */
void	reaper_stop(void);

#endif
