/*
 * control: the control socket, a Unix stream socket on which a running
 * zeche takes one command, "reload\n", and answers once that reload has
 * ended: "ok: WHAT\n", or "failed: WHY\n" followed by the further lines
 * of why, and closes.  "zeche --reload" is its client.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;

#define CONTROL_CLIENTS_MAX	16	/* at once; more are turned away */
#define CONTROL_LINE_MAX	64	/* bytes of a command, with "\n" */
#define CONTROL_READ_TIMEOUT	10	/* seconds to send the command */
#define CONTROL_WRITE_TIMEOUT	10	/* seconds to take the answer */
#define CONTROL_WAIT		300	/* seconds --reload waits for it */
#define CONTROL_ANSWER_MAX	65536	/* bytes of an answer --reload reads */

/*
 * Start the reload a client asks for (FULL: "reload full", nothing
 * taken over from the last load), or have one follow the running one; returns the number of the reload that will answer it (reloads
 * are numbered from 1 as they start, and one that cannot start still
 * ends with control_reloaded()).
 */
typedef unsigned long	(*control_reload_fn)(bool);

/*
 * Listen on the control socket PATH on the loop BASE: a stale socket
 * file there is replaced, anything else (or a zeche answering there) is
 * an error.  The socket is made mode 0600 and, with USER (not NULL, and
 * as root), given to that user, so that root and USER may use it.  Call
 * it before the privileges are dropped and the process confined.
 * Returns 0, or -1 with a message in ERR.
 */
int	 control_listen(struct event_base *, const char *, const char *,
	    control_reload_fn, char *, size_t);

/*
 * The reload number SEQ has ended: answer every client waiting for it
 * (or an earlier one) with "ok: TEXT" or "failed: TEXT" (TEXT may hold
 * several lines).
 */
void	 control_reloaded(unsigned long, bool, const char *);

/*
 * Stop: answer the clients still waiting ("failed: zeche is stopping"),
 * close them and the socket, and remove its file if it is still ours.
 */
void	 control_close(void);

/*
 * zeche --reload: ask the zeche listening on PATH to reload (FULL: a full
 * load, "reload full" on the socket), print what
 * it answers, and return the exit status: 0 if the reload took effect,
 * 1 if it failed or no zeche answered.
 */
int	 control_reload(const char *, bool);

#endif
