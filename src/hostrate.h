/*
 * hostrate: a host's own rate limit ("rate" in its host block), one
 * ratelimit.h table per host that sets it, kept with the host in the
 * server.  It applies to the requests for that host, per client address
 * (the one the PROXY header names behind a proxy), beside the global
 * limit; the networks of rate_allow are never limited.  Past it a request
 * is told to slow down; one that asks on before the time told is told to
 * wait as long as the ban the table sets, but nothing is refused at the
 * accept: the host is only known from the request.  A reload keeps a
 * host's table, and what its clients have used, when the host's rate and
 * the rate_allow list are the same as before; anything else starts anew.
 */
#ifndef HOSTRATE_H
#define HOSTRATE_H

#include <stdbool.h>
#include <stddef.h>

struct conn;
struct hostrate;
struct server;
struct vhost;

/*
 * Give each host of SRV that sets a rate its table: OLD's (a reload) for
 * the host of that name with the same rate and allow list, else a new
 * one.  Returns 0, or -1 with ERR set (memory).
 */
int	hostrate_load(struct server *, const struct server *, char *, size_t);

/* Drop a reference to a table; NULL does nothing. */
void	hostrate_unref(struct hostrate *);

/*
 * Is the request on C for VH past VH's own rate?  Then true, with *WAIT
 * the seconds to tell the client; false for a host without a rate.
 */
bool	hostrate_exceeded(struct conn *, const struct vhost *, unsigned int *);

#endif
