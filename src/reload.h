/*
 * reload: SIGHUP, the control socket and --watch load the server anew in
 * a thread of its own while the loop serves the old one; on the loop the
 * new one is checked, swapped in and reported (log, systemd, control).
 */
#ifndef RELOAD_H
#define RELOAD_H

#include <stddef.h>

struct capsule_scope;
struct event_base;
struct server;

#define RELOAD_STOP_WAIT	5	/* seconds a stop waits for a reload */
#define RELOAD_NICE		19	/* the reload thread's nice value */

/* What main hands in: the reload knows no options and no confinement. */
struct reload_hooks {
	/*
	 * In the reload thread: the new server, loaded beside OLD (which
	 * it may share certificates with, and, unless FULL, what did not
	 * change: capsule.h, within SCOPE unless it is NULL), or NULL with
	 * the reason in ERR.
	 */
	struct server	*(*load)(const struct server *, bool,
			    const struct capsule_scope *, char *, size_t);
	/* On the loop, before the swap: its log; 0, or -1 with ERR. */
	int		 (*switch_log)(const struct server *, char *, size_t);
	/* On the loop: serve new requests from SRV (takes its reference). */
	void		 (*swap)(struct server *);
	/* The server new requests are served from. */
	struct server	*(*current)(void);
	const char	*config;	/* the --config file, or NULL */
};

/* Make the reload's event on BASE with the hooks H (copied); 0 or -1. */
int		 reload_init(struct event_base *, const struct reload_hooks *);

/*
 * Reload, WHY ("SIGHUP", "control", "--watch: files changed") in the log.
 * On the loop; one that comes while a reload runs starts once it is done.
 */
void		 reload_start(const char *);

/*
 * A file was uploaded: reload as SIGHUP would ("upload" in the log), and
 * wait SECONDS at most for a reload begun after the call to end (well or
 * not).  From any thread but the loop's (the reload starts there).
 * Returns 0, or -1 if none ended in time or there is no loop.
 */
int		 reload_upload_wait(int);
/* The loop has ended: reload_upload_wait() waits no longer. */
void		 reload_closing(void);

/*
 * control.h's control_reload_fn: a reload asked for on the control
 * socket; the number of the reload whose end answers it.
 */
unsigned long	 reload_asked(bool);

/*
 * --watch: reload when the configuration file or a capsule folder
 * changes (once changes settle).  0, or -1 with errno set.
 */
int		 reload_watch(void);

/*
 * Once the loop has ended: wait RELOAD_STOP_WAIT seconds at most for a
 * reload running, drop its result, free the rest.  -1 (logged) if the
 * reload is still running.
 */
int		 reload_stop(void);

/*
 * zeche --reload: ask the zeche listening on CONTROL, or on the control
 * socket the file CONFIG names (FULL: --full, a full load); the exit
 * status, with why on stderr.
 */
int		 reload_ask(const char *, const char *, bool);

#endif
