/*
 * listen: the listening sockets, made and bound for the workers.  Knows
 * no event loop and no connection: net.c puts each socket on a worker's
 * loop and accepts from it.
 */
#ifndef LISTEN_H
#define LISTEN_H

#include <stddef.h>

/*
 * The sockets of ADDR (NULL: all addresses, IPv4 and IPv6) and PORT for
 * WORKERS workers.  For each address ADDR stands for, one socket per
 * worker, bound to it with SO_REUSEPORT so that the kernel spreads the
 * connections; worker 0's is bound first and without the option, so that
 * a port another program holds is an error.  An address of a family the
 * system lacks (no IPv6 here) is skipped when ADDR is NULL.  *FDS (the
 * caller frees it) holds *N rows of WORKERS sockets, the one of row R for
 * worker W at (*FDS)[R * WORKERS + W].  Returns 0, or -1 with a message
 * in ERR and no socket left open.
 */
int	listen_open(const char *, const char *, unsigned int, int **,
	    size_t *, char *, size_t);

#endif
