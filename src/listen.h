/*
 * listen: the listening sockets, made and bound for the workers.  Knows
 * no event loop and no connection: net.c puts each socket on a worker's
 * loop and accepts from it.
 */
#ifndef LISTEN_H
#define LISTEN_H

#include <stddef.h>

#define LISTEN_INHERIT_MAX	64	/* sockets taken from systemd */
#define LISTEN_NAME_MAX		255	/* bytes of a FileDescriptorName */

/* What to listen on: an address and port, or a Unix socket. */
struct listen_addr {
	const char	*addr;		/* NULL: every address */
	const char	*port;		/* TCP port; with PATH, for the log */
	const char	*path;		/* a Unix socket instead, or NULL */
	int		 mode;		/* PATH's mode; 0: 0660 */
	const char	*owner;		/* PATH's user, or NULL: unchanged */
	const char	*group;		/* PATH's group, or NULL: OWNER's
					   (or unchanged) */
	const char	*name;		/* the protocol ("gemini"): the
					   FileDescriptorName= it takes */
};

/*
 * Take the listening sockets systemd passes (socket activation: the
 * LISTEN_FDS descriptors from 3 on, if LISTEN_PID is this process; their
 * names in LISTEN_FDNAMES), and unset the three variables.  From then on
 * listen_open() gives a listener the inherited sockets at its address
 * (for an address such as "*", every inherited one at one of the
 * addresses it stands for, so that a dual-stack [::] socket serves for
 * both), or, if none is, the unused ones named as its protocol ("gemini",
 * "gopher", "spartan"); the workers share each one.  A listener that
 * takes none is bound as usual.  Returns the sockets taken, or -1 with
 * a message in ERR (a descriptor that is no listening stream socket).
 */
int	listen_inherit(char *, size_t);

/*
 * The listeners are open: close the inherited sockets none took, each
 * with a warning.
 */
void	listen_inherit_end(void);

/*
 * The sockets of LA for WORKERS workers: inherited ones (listen_inherit),
 * or else made as follows.
 *
 * An address and port: for each address LA->addr stands for, one socket
 * per worker, bound to it with SO_REUSEPORT so that the kernel spreads
 * the connections; worker 0's is bound first and without the option, so
 * that a port another program holds is an error.  An address of a family
 * the system lacks (no IPv6 here) is skipped when LA->addr is NULL.
 *
 * A Unix socket: one, made at LA->path with its mode and owner (a stale
 * socket file there, which nothing answers on, is replaced; anything
 * else there is an error), and shared: each worker gets a descriptor of
 * it (the kernel wakes the workers' loops and one accepts).  The file is
 * removed by listen_close().
 *
 * *FDS (the caller frees it) holds *N rows of WORKERS descriptors, the
 * one of row R for worker W at (*FDS)[R * WORKERS + W].  None listens
 * yet: the caller calls listen().  Returns 0, or -1 with a message in
 * ERR and no socket left open.  Call it before the privileges are
 * dropped.
 */
int	listen_open(const struct listen_addr *, unsigned int, int **,
	    size_t *, char *, size_t);

/*
 * Something is at PATH, where a Unix socket is to be made: a socket no
 * one answers on (left by a zeche that did not stop cleanly) is removed;
 * a socket some process answers on, or anything but a socket, is kept,
 * and an error ("WHAT PATH: why" in ERR).  Returns 0 (PATH is free), or
 * -1.
 */
int	listen_unix_stale(const char *, const char *, char *, size_t);

/*
 * Remove the Unix socket files listen_open() made, if they are still
 * the ones it made (not those of a zeche started since).  Confined, the
 * folder may no longer let them be removed: the next start replaces
 * them then.
 */
void	listen_close(void);

#endif
