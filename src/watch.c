/*
 * watch: inotify on folders, settled into one callback (--watch).  Knows
 * no capsule, no model and no reload: the caller decides what a change means.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "watch.h"

#ifdef __linux__
#include <sys/inotify.h>

#define WATCH_EVENTS	(IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | \
			    IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
			    IN_DELETE_SELF | IN_MOVE_SELF)

/*
 * A watched folder: every change below a capsule counts, but in the folder
 * of a file only changes to that name do (the folder may hold a log).
 */
struct wd {
	int	 wd;
	char	*name;			/* owned, or NULL: any name */
};

struct watch {
	struct event_base	*base;
	struct wd		*wds;		/* owned */
	size_t			 nwds;
	int			 fd;		/* inotify, or -1 */
	struct event		*ev;		/* owned: fd readable */
	struct event		*settle;	/* owned: the quiet period */
	void			(*cb)(void *);
	void			*arg;
};

static void
settled(evutil_socket_t fd, short what, void *arg)
{
	struct watch	*w = arg;

	w->cb(w->arg);
}

/* Something changed: (re)start the quiet period. */
static void
readable(evutil_socket_t fd, short what, void *arg)
{
	struct watch			*w = arg;
	struct timeval			 tv = { 0, WATCH_SETTLE_MS * 1000 };
	const struct inotify_event	*ie;
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t				 n, off;
	size_t				 i;
	bool				 changed = false;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; off += (ssize_t)(sizeof(*ie) +
		    ie->len)) {
			ie = (const struct inotify_event *)(buf + off);
			for (i = 0; i < w->nwds; i++)
				if (w->wds[i].wd == ie->wd)
					break;
			if (i == w->nwds || w->wds[i].name == NULL ||
			    (ie->len > 0 &&
			    strcmp(ie->name, w->wds[i].name) == 0))
				changed = true;
		}
	if (changed)
		evtimer_add(w->settle, &tv);
}

struct watch *
watch_new(struct event_base *base, void (*cb)(void *), void *arg)
{
	struct watch	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->base = base;
	w->fd = -1;
	w->cb = cb;
	w->arg = arg;
	if ((w->settle = evtimer_new(base, settled, w)) == NULL) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	return w;
}

/* Note WD as watching NAME in its folder, or anything (NAME NULL). */
static int
add_wd(struct watch *w, int wd, const char *name)
{
	struct wd	*p;
	size_t		 i;

	for (i = 0; i < w->nwds; i++)
		if (w->wds[i].wd == wd) {
			if (name == NULL ||
			    (w->wds[i].name != NULL &&
			    strcmp(w->wds[i].name, name) != 0)) {
				free(w->wds[i].name);
				w->wds[i].name = NULL;	/* any name */
			}
			return 0;
		}
	if ((p = reallocarray(w->wds, w->nwds + 1, sizeof(*p))) == NULL)
		return -1;
	w->wds = p;
	p[w->nwds].wd = wd;
	p[w->nwds].name = NULL;
	if (name != NULL && (p[w->nwds].name = strdup(name)) == NULL)
		return -1;
	w->nwds++;
	return 0;
}

static void
clear_wds(struct watch *w)
{
	size_t	 i;

	for (i = 0; i < w->nwds; i++)
		free(w->wds[i].name);
	free(w->wds);
	w->wds = NULL;
	w->nwds = 0;
}

/* nftw() has no argument for its callback: the watch being filled. */
static struct watch	*walk_w;
static int		 walk_fd;

static int
add_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	int	 wd;

	if (type == FTW_D && ((wd = inotify_add_watch(walk_fd, path,
	    WATCH_EVENTS)) == -1 || add_wd(walk_w, wd, NULL) == -1))
		return -1;
	return 0;
}

int
watch_set(struct watch *w, const char *const *paths, size_t n)
{
	struct stat	 st;
	char		 dir[PATH_MAX], *slash;
	size_t		 i;
	int		 fd, wd;

	/* a new inotify instance drops every old watch at once */
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	clear_wds(w);
	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			walk_w = w;
			walk_fd = fd;
			if (nftw(paths[i], add_dir, 16, FTW_PHYS) == -1)
				goto bad;
			continue;
		}
		snprintf(dir, sizeof(dir), "%s", paths[i]);
		if ((slash = strrchr(dir, '/')) == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if ((wd = inotify_add_watch(fd, dir, WATCH_EVENTS)) == -1 ||
		    add_wd(w, wd, strrchr(paths[i], '/') != NULL ?
		    strrchr(paths[i], '/') + 1 : paths[i]) == -1)
			goto bad;
	}
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->fd != -1)
		close(w->fd);
	w->fd = fd;
	if ((w->ev = event_new(w->base, fd, EV_READ | EV_PERSIST, readable,
	    w)) == NULL || event_add(w->ev, NULL) == -1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
 bad:
	close(fd);
	return -1;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->fd != -1)
		close(w->fd);
	event_free(w->settle);
	clear_wds(w);
	free(w);
}

#else	/* no inotify */

struct watch *
watch_new(struct event_base *base, void (*cb)(void *), void *arg)
{
	errno = ENOSYS;
	return NULL;
}

int
watch_set(struct watch *w, const char *const *paths, size_t n)
{
	errno = ENOSYS;
	return -1;
}

void
watch_free(struct watch *w)
{
}

#endif
