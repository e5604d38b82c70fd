/*
 * watch: call back once files below some folders have stopped changing
 * for WATCH_SETTLE_MS (inotify on Linux), for --watch.
 */
#ifndef WATCH_H
#define WATCH_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct watch;

#define WATCH_SETTLE_MS		500

/*
 * A watch on the loop BASE that calls CB(ARG) when changes have settled.
 * NULL with errno set (ENOSYS where there is no inotify).
 */
struct watch	*watch_new(struct event_base *, void (*)(void *), void *);

/*
 * Watch exactly the N PATHS from now on: a folder with every folder below
 * it (but those whose names begin with a dot, never served; found by
 * reading the folders, without a stat of each file), a file through the
 * folder holding it (editors replace files by renaming).  Events still
 * pending on the last watches are read first.  A folder watched anew
 * (after the first call) makes the next watch_take() NULL, and starts the
 * quiet period.  Returns 0, or -1 with errno set.
 */
int		 watch_set(struct watch *, const char *const *, size_t);

/*
 * The folders (device, inode) in which an entry changed since the last
 * call (what is pending is read first), sorted, *N of them, owned by the
 * caller; NULL (*N 0) when anything may have changed: before the first
 * watch_set(), a watch lost or events dropped (IN_Q_OVERFLOW), a folder
 * that came or went, a watched file changed, a folder watched anew by
 * watch_set(), watch_all(), or out of memory.
 */
uint64_t	(*watch_take(struct watch *, size_t *))[2];

/* What watch_take() returns next is NULL: anything may have changed. */
void		 watch_all(struct watch *);

void		 watch_free(struct watch *);

#endif
