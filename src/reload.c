/*
 * reload: a reload's life, off the loop in a thread of its own, and who
 * hears of it (the log, systemd, the control socket, --watch's paths).
 * What is loaded, which log is open and what is served are main's hooks.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "capsule.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "ping.h"
#include "prio.h"
#include "reload.h"
#include "report.h"
#include "server.h"
#include "site.h"
#include "watch.h"

/*
 * Reloads run in a thread of their own, so that the loop goes on serving
 * the old server while the new one is read, sorted and rendered (a third
 * of a second for 100,000 partners).  The thread touches nothing but what
 * it builds; reload_done() takes the result on the loop.
 */
struct reload {
	pthread_t	 thread;
	unsigned long	 seq;		/* reloads started (control.h) */
	bool		 running;
	bool		 again;		/* another SIGHUP came meanwhile */
	bool		 again_all;	/* ... not from --watch alone */
	bool		 full;		/* the next is a full load */
	bool		 full_now;	/* the thread's: a full load */
	uint64_t	(*dirs)[2];	/* owned: --watch's folders, or NULL */
	struct capsule_scope scope;	/* the thread's: over dirs */
	bool		 scoped;	/* ... or everything (false) */
	struct server	*old;		/* borrowed: current at the start */
	struct server	*srv;		/* the thread's result, or NULL */
	char		 err[8192];
	struct timespec	 t0;
	struct event	*done;		/* made active by the thread */
	atomic_bool	 finished;	/* the thread is about to return */
};

static struct reload	 reload;
static struct reload_hooks hooks;	/* main's: load, log, swap */
static struct event_base *base;		/* borrowed */
static struct watch	*watcher;	/* owned: --watch, or NULL */
static struct event	*upload_ev;	/* owned: reload_upload_wait() */
static atomic_ulong	 started_seq;	/* reload.seq, for other threads */
static atomic_ulong	 ended_seq;	/* the last reload's that ended */
static atomic_bool	 closing;	/* the loop has ended: no more */
					/* reloads (reload_closing) */

/* What the log calls the server SRV: the --config file, or its capsule. */
static const char *
reload_name(const struct server *srv)
{
	return hooks.config != NULL ? hooks.config :
	    srv->hosts[0].conf->root;
}

static void	 watch_update(void);
static void	 reload_done(evutil_socket_t, short, void *);

static void *
reload_thread(void *arg)
{
	/* the workers first (only this thread; a failure costs only time) */
	(void)prio_lower_thread(RELOAD_NICE);
	reload.srv = hooks.load(reload.old, reload.full_now,
	    reload.scoped ? &reload.scope : NULL, reload.err,
	    sizeof(reload.err));
	atomic_store(&reload.finished, true);
	event_active(reload.done, EV_READ, 0);
	return NULL;
}

/*
 * Start a reload (WHY in the log); SCOPED: asked by --watch alone, so
 * that the folders with no change since the last load are not read.
 */
static void
reload_begin(const char *why, bool scoped)
{
	size_t	 n = 0;

	if (reload.running) {
		reload.again = true;
		reload.again_all |= !scoped;
		return;
	}
	reload.old = hooks.current();
	reload.full_now = reload.full;
	reload.full = false;
	/* what the watch saw since the last it handed over */
	free(reload.dirs);
	reload.dirs = NULL;
	reload.scoped = false;
	if (scoped && watcher != NULL &&
	    (reload.dirs = watch_take(watcher, &n)) != NULL) {
		reload.scope.dirs = (const uint64_t (*)[2])reload.dirs;
		reload.scope.ndirs = n;
		reload.scoped = true;
	}
	log_info("%s: reloading %s%s", why, reload_name(reload.old),
	    reload.full_now ? " (a full load)" : "");
	clock_gettime(CLOCK_MONOTONIC, &reload.t0);
	reload.seq++;
	atomic_store(&started_seq, reload.seq);
	notify_reloading();
	reload.running = true;
	atomic_store(&reload.finished, false);
	if ((errno = pthread_create(&reload.thread, NULL, reload_thread,
	    NULL)) != 0) {
		log_warn("reload");
		/* it ends all the same, failed, for who waits for it */
		snprintf(reload.err, sizeof(reload.err), "reload: cannot "
		    "start its thread: %s", strerror(errno));
		reload.srv = NULL;
		reload.running = false;
		event_active(reload.done, EV_READ, 0);
	}
}

void
reload_start(const char *why)
{
	reload_begin(why, false);
}

unsigned long
reload_asked(bool full)
{
	if (full)
		reload.full = true;	/* this one, or the one that follows */
	reload_start("control");
	return reload.running && reload.again ? reload.seq + 1 : reload.seq;
}

/* Wait up to SECONDS for the reload thread to finish; true if it did. */
static bool
reload_wait(int seconds)
{
	struct timespec	 tick = { 0, 10 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < seconds * 100; i++) {
		if (atomic_load(&reload.finished))
			return true;
		nanosleep(&tick, NULL);
	}
	return atomic_load(&reload.finished);
}

/* A reload took effect: tell systemd and the clients waiting for it. */
static void
reload_reported(size_t npages, size_t ntaken)
{
	struct server	*current = hooks.current();
	char		 text[PATH_MAX + 128];

	notify_reloaded(true, current->nhosts, NULL);
	snprintf(text, sizeof(text), "reloaded %s: %zu hosts, %zu taken over "
	    "of %zu pages", reload_name(current), current->nhosts, ntaken,
	    npages);
	control_reloaded(reload.seq, true, text);
}

int
reload_ask(const char *control, const char *config, bool full)
{
	struct conf	 conf;
	char		 err[1024];
	int		 rc;

	if (control != NULL)
		return control_reload(control, full);
	if (config == NULL) {
		fprintf(stderr, "zeche: --reload: no control socket: give "
		    "--control PATH, or --config FILE with a control line\n");
		return 1;
	}
	if (conf_read(config, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "zeche: --reload: %s\n", err);
		return 1;
	}
	if (conf.control == NULL) {
		fprintf(stderr, "zeche: --reload: %s names no control socket "
		    "(control \"PATH\")\n", config);
		rc = 1;
	} else
		rc = control_reload(conf.control, full);
	conf_free(&conf);
	return rc;
}

/* A and B alike, both NULL or the same text. */
static bool
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Do A and B name the same listeners?  The loop keeps A's sockets. */
static bool
same_listeners(const struct conf *a, const struct conf *b)
{
	const struct conf_listen	*x, *y;
	size_t				 i;
	int				 p;

	for (p = 0; p < PROTO_COUNT; p++) {
		if (a->nlisten[p] != b->nlisten[p])
			return false;
		for (i = 0; i < a->nlisten[p]; i++) {
			x = &a->listen[p][i];
			y = &b->listen[p][i];
			if (strcmp(x->port, y->port) != 0 ||
			    !same_str(x->addr, y->addr) ||
			    !same_str(x->path, y->path) || x->mode != y->mode ||
			    !same_str(x->owner, y->owner) ||
			    !same_str(x->group, y->group))
				return false;
		}
	}
	return true;
}

/* Do A and B have the same aliases? */
static bool
same_names(const struct conf_host *a, const struct conf_host *b)
{
	size_t	 i;

	if (a->naliases != b->naliases)
		return false;
	for (i = 0; i < a->naliases; i++)
		if (strcmp(a->aliases[i], b->aliases[i]) != 0)
			return false;
	return true;
}

static void
reload_done(evutil_socket_t fd, short what, void *arg)
{
	struct server		*current = hooks.current();
	const struct vhost	*vh, *ov;
	struct timespec		 t1;
	size_t			 i, npages = 0, ntaken = 0;

	if (reload.running)	/* not if its thread could not start */
		pthread_join(reload.thread, NULL);
	reload.running = false;
	if (reload.srv != NULL && hooks.switch_log(reload.srv, reload.err,
	    sizeof(reload.err)) == -1) {
		server_unref(reload.srv);
		reload.srv = NULL;
	}
	if (reload.srv == NULL) {
		/* the old site stays: what the watch handed over is not seen */
		if (reload.scoped && watcher != NULL)
			watch_all(watcher);
		report_errors(reload.err);
		log_warnx("reload failed; still serving the last good "
		    "capsule and configuration");
		notify_reloaded(false, 0, reload.err);
		metrics_reloaded(false);
		control_reloaded(reload.seq, false, reload.err);
	} else {
		for (i = 0; i < reload.srv->nhosts; i++) {
			npages += reload.srv->hosts[i].site->npages;
			ntaken += reload.srv->hosts[i].site->ntaken;
		}
		if (!same_listeners(&current->conf, &reload.srv->conf))
			log_warnx("reload: the listeners in %s changed; they "
			    "take effect at the next start", hooks.config);
		if (current->conf.workers != reload.srv->conf.workers)
			log_warnx("reload: the workers in %s changed; they "
			    "take effect at the next start", hooks.config);
		for (i = 0; i < reload.srv->nhosts; i++) {
			vh = &reload.srv->hosts[i];
			ov = server_host(current, vh->conf->name);
			if (ov == NULL || !same_names(ov->conf, vh->conf))
				report_host(vh);
			/* a certificate read or made anew: its lines */
			if (ov == NULL || ov->ctx != vh->ctx)
				report_certificate(vh);
			else if (vh->note[0] != '\0')
				log_warnx("host %s: %s", vh->conf->name,
				    vh->note);
		}
		ping_reload(current, reload.srv);	/* queues, no I/O */
		hooks.swap(reload.srv);
		current = reload.srv;
		/* within a scope, no folder came or went: the same watches */
		if (!reload.scoped)
			watch_update();
		reload.srv = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		log_info("reloaded %s: %zu hosts, %zu taken over of %zu pages "
		    "in %.0f ms", reload_name(current), current->nhosts, ntaken,
		    npages,
		    (double)(t1.tv_sec - reload.t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - reload.t0.tv_nsec) / 1e6);
		metrics_reloaded(true);
		reload_reported(npages, ntaken);
	}
	atomic_store(&ended_seq, reload.seq);
	if (reload.again) {
		reload.again = false;
		reload_begin("changes during the last reload",
		    !reload.again_all);
		reload.again_all = false;
	}
}

/* --watch: the configuration file and every capsule folder. */
static void
watch_update(void)
{
	struct server	*current = hooks.current();
	const char	*paths[CONF_HOSTS_MAX + 1];
	size_t		 i, n = 0;

	if (watcher == NULL)
		return;
	if (hooks.config != NULL)
		paths[n++] = hooks.config;
	for (i = 0; i < current->nhosts; i++)
		paths[n++] = current->hosts[i].conf->root;
	if (watch_set(watcher, paths, n) == -1)
		log_warn("watch");
}

static void
watch_changed(void *arg)
{
	reload_begin("--watch: files changed", true);
}

static void
upload_cb(evutil_socket_t fd, short what, void *arg)
{
	reload_start("upload");
}

int
reload_upload_wait(int seconds)
{
	struct timespec	 tick = { 0, 10 * 1000 * 1000 };
	unsigned long	 after;
	int		 i;

	if (upload_ev == NULL)
		return -1;
	/* a reload numbered past AFTER starts after the caller's change */
	after = atomic_load(&started_seq);
	event_active(upload_ev, EV_READ, 0);
	for (i = 0; i < seconds * 100 && !atomic_load(&closing); i++) {
		if (atomic_load(&ended_seq) > after)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}

void
reload_closing(void)
{
	atomic_store(&closing, true);
}

int
reload_init(struct event_base *b, const struct reload_hooks *h)
{
	base = b;
	hooks = *h;
	if ((reload.done = event_new(base, -1, 0, reload_done, NULL)) == NULL ||
	    (upload_ev = event_new(base, -1, 0, upload_cb, NULL)) == NULL)
		return -1;
	return 0;
}

int
reload_watch(void)
{
	if ((watcher = watch_new(base, watch_changed, NULL)) == NULL)
		return -1;
	watch_update();
	log_info("watch on: a change to %s%s reloads, once changes "
	    "settle", hooks.config != NULL ? hooks.config : "",
	    hooks.config != NULL ? " or a capsule folder" :
	    "the capsule folder");
	return 0;
}

/*
 * Let a reload finish, and drop its result, but wait a bounded time:
 * a reload stuck in the file system must not keep zeche from
 * stopping (the process then exits with the thread still in it).
 */
int
reload_stop(void)
{
	if (reload.running && !reload_wait(RELOAD_STOP_WAIT)) {
		log_warnx("a reload is still running after %d s; exiting "
		    "without it", RELOAD_STOP_WAIT);
		return -1;
	}
	if (reload.running) {
		pthread_join(reload.thread, NULL);
		server_unref(reload.srv);
	}
	event_free(reload.done);
	if (upload_ev != NULL)
		event_free(upload_ev);
	upload_ev = NULL;
	watch_free(watcher);
	free(reload.dirs);
	reload.dirs = NULL;
	return 0;
}
