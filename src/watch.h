/*
 * watch: call back once files below some folders have stopped changing
 * for WATCH_SETTLE_MS (inotify on Linux), for --watch.
 */
#ifndef WATCH_H
#define WATCH_H

#include <stddef.h>

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
 * it, a file through the folder holding it (editors replace files by
 * renaming).  Returns 0, or -1 with errno set.
 */
int		 watch_set(struct watch *, const char *const *, size_t);

void		 watch_free(struct watch *);

#endif
