/*
 * watch: inotify on folders, settled into one callback (--watch).  Knows
 * no capsule, no model and no reload: the caller decides what a change means.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "watch.h"

#ifdef __linux__
#include <sys/inotify.h>

/*
 * IN_MODIFY as well as IN_CLOSE_WRITE: a file written in place by a writer
 * that keeps it open has changed all the same.
 */
#define WATCH_EVENTS	(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | \
			    IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
			    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
/* A folder that comes or goes below a watched one. */
#define WATCH_DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			    IN_MOVED_TO)
/* Folders below a capsule folder that are watched (rootfs's limit and more) */
#define WATCH_DEPTH_MAX	64
/* The watch itself ends or loses events. */
#define WATCH_LOST	(IN_Q_OVERFLOW | IN_IGNORED | IN_UNMOUNT | \
			    IN_DELETE_SELF | IN_MOVE_SELF)

/*
 * A watched folder: every change below a capsule counts, but in the folder
 * of a file only changes to that name do (the folder may hold a log).
 */
struct wd {
	int	 wd;
	char	*name;			/* owned, or NULL: any name */
	uint64_t id[2];			/* a folder's device and inode */
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
	uint64_t		(*touched)[2];	/* owned: the folders with */
	size_t			 ntouched;	/* changes since watch_take() */
	size_t			 touchcap;
	bool			 all;		/* anything may have changed */
	bool			 set;		/* watch_set() has run */
};

static void
settled(evutil_socket_t fd, short what, void *arg)
{
	struct watch	*w = arg;

	w->cb(w->arg);
}

/* Note the folder ID as changed (w->all when out of memory). */
static void
touch(struct watch *w, const uint64_t *id)
{
	uint64_t	(*v)[2];
	size_t		 i;

	if (w->all)
		return;
	for (i = 0; i < w->ntouched; i++)
		if (w->touched[i][0] == id[0] && w->touched[i][1] == id[1])
			return;
	if (w->ntouched == w->touchcap) {
		if ((v = reallocarray(w->touched, w->touchcap * 2 + 8,
		    sizeof(*v))) == NULL) {
			w->all = true;
			return;
		}
		w->touched = v;
		w->touchcap = w->touchcap * 2 + 8;
	}
	w->touched[w->ntouched][0] = id[0];
	w->touched[w->ntouched][1] = id[1];
	w->ntouched++;
}

/*
 * Read what is pending on FD (W's watches): note the folders that
 * changed; true if anything did.
 */
static bool
drain(struct watch *w, int fd)
{
	const struct inotify_event	*ie;
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t				 n, off;
	size_t				 i;
	bool				 changed = false;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; off += (ssize_t)(sizeof(*ie) +
		    ie->len)) {
			ie = (const struct inotify_event *)(buf + off);
			for (i = 0; i < w->nwds; i++)
				if (w->wds[i].wd == ie->wd)
					break;
			if (i < w->nwds && w->wds[i].name != NULL) {
				/* a file's folder: that name alone counts */
				if (ie->len > 0 &&
				    strcmp(ie->name, w->wds[i].name) == 0) {
					changed = true;
					w->all = true;
				}
				continue;
			}
			changed = true;
			if (i == w->nwds || (ie->mask & WATCH_LOST) ||
			    ((ie->mask & IN_ISDIR) &&
			    (ie->mask & WATCH_DIR_EVENTS)))
				w->all = true;
			else
				touch(w, w->wds[i].id);
		}
	return changed;
}

/* Something changed: (re)start the quiet period. */
static void
readable(evutil_socket_t fd, short what, void *arg)
{
	struct watch			*w = arg;
	struct timeval			 tv = { 0, WATCH_SETTLE_MS * 1000 };

	if (drain(w, w->fd))
		evtimer_add(w->settle, &tv);
}

static int
id_cmp(const void *a, const void *b)
{
	const uint64_t	*x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

uint64_t
(*watch_take(struct watch *w, size_t *n))[2]
{
	uint64_t	(*v)[2];

	*n = 0;
	if (w->fd != -1)
		(void)drain(w, w->fd);	/* what happened up to now */
	if (w->all || (v = malloc((w->ntouched + 1) * sizeof(*v))) == NULL) {
		w->all = false;
		w->ntouched = 0;
		return NULL;
	}
	memcpy(v, w->touched, w->ntouched * sizeof(*v));
	*n = w->ntouched;
	w->ntouched = 0;
	if (*n > 1)
		qsort(v, *n, sizeof(*v), id_cmp);
	return v;
}

void
watch_all(struct watch *w)
{
	w->all = true;
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
	w->all = true;		/* what changed before the first watch_set() */
	if ((w->settle = evtimer_new(base, settled, w)) == NULL) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	return w;
}

/*
 * Note WD as watching NAME in its folder, or anything below the folder
 * ST (NAME NULL).
 */
static int
add_wd(struct watch *w, int wd, const char *name, const struct stat *st)
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
			if (st != NULL) {
				w->wds[i].id[0] = (uint64_t)st->st_dev;
				w->wds[i].id[1] = (uint64_t)st->st_ino;
			}
			return 0;
		}
	if ((p = reallocarray(w->wds, w->nwds + 1, sizeof(*p))) == NULL)
		return -1;
	w->wds = p;
	p[w->nwds].wd = wd;
	p[w->nwds].name = NULL;
	p[w->nwds].id[0] = st != NULL ? (uint64_t)st->st_dev : 0;
	p[w->nwds].id[1] = st != NULL ? (uint64_t)st->st_ino : 0;
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

/*
 * Watch the folder PATH (open at FD, taken over: closed here) and every
 * folder below it, links not followed, on the inotify instance IN.  Only
 * the folders are looked at (their entries' types from readdir()), not
 * the files in them.
 */
static int
add_tree(struct watch *w, int in, int fd, const char *path, int depth)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 sub[PATH_MAX];
	int		 wd, subfd, ret = -1;

	if (fstat(fd, &st) == -1 || (d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	if ((wd = inotify_add_watch(in, path, WATCH_EVENTS)) == -1 ||
	    add_wd(w, wd, NULL, &st) == -1)
		goto done;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR &&
		    de->d_type != DT_UNKNOWN))
			continue;	/* dot files are never served */
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    de->d_name) >= sizeof(sub) || depth >= WATCH_DEPTH_MAX)
			continue;
		if ((subfd = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			continue;	/* not a folder (DT_UNKNOWN), or gone */
		if (add_tree(w, in, subfd, sub, depth + 1) == -1)
			goto done;
	}
	ret = 0;
 done:
	closedir(d);
	return ret;
}

/* True if W watches the folder ID. */
static bool
has_dir(const struct wd *wds, size_t n, const uint64_t *id)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (wds[i].name == NULL && wds[i].id[0] == id[0] &&
		    wds[i].id[1] == id[1])
			return true;
	return false;
}

int
watch_set(struct watch *w, const char *const *paths, size_t n)
{
	struct timeval	 tv = { 0, WATCH_SETTLE_MS * 1000 };
	struct stat	 st;
	struct wd	*old = w->wds, *wds;
	char		 dir[PATH_MAX], *slash;
	size_t		 i, nold = w->nwds, nwds;
	int		 fd, dfd, wd;
	bool		 fresh = false;

	/* a new inotify instance drops every old watch at once */
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	w->wds = NULL;			/* the new instance's, being made */
	w->nwds = 0;
	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if ((dfd = open(paths[i], O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC)) == -1 ||
			    add_tree(w, fd, dfd, paths[i], 0) == -1)
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
		    strrchr(paths[i], '/') + 1 : paths[i], NULL) == -1)
			goto bad;
	}
	/*
	 * Both instances watch now: what the old one still holds is read
	 * with its own watches before it is closed, so no change is lost.
	 */
	wds = w->wds;
	nwds = w->nwds;
	w->wds = old;
	w->nwds = nold;
	if (w->fd != -1 && drain(w, w->fd))
		evtimer_add(w->settle, &tv);
	/*
	 * A folder watched from now on may have changed unseen since it
	 * came: the next reload reads everything, and is started now.
	 */
	for (i = 0; i < nwds && w->set && !fresh; i++)
		fresh = wds[i].name == NULL && !has_dir(old, nold, wds[i].id);
	if (fresh) {
		w->all = true;
		evtimer_add(w->settle, &tv);
	}
	w->set = true;
	clear_wds(w);
	w->wds = wds;
	w->nwds = nwds;
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
	clear_wds(w);
	w->wds = old;
	w->nwds = nold;
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
	free(w->touched);
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

uint64_t
(*watch_take(struct watch *w, size_t *n))[2]
{
	*n = 0;
	return NULL;
}

void
watch_all(struct watch *w)
{
}

void
watch_free(struct watch *w)
{
}

#endif
