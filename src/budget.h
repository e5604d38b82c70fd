/*
 * budget: open connections per client address, shared by every worker.
 * An IPv4 address counts whole, an IPv6 one by its /64 (one host usually
 * has a whole /64 to pick from).  The table is hashed with a secret key
 * (SipHash), so that clients cannot pick addresses that all land in one
 * bucket, and its buckets are split into shards, each with a mutex of its
 * own, so that workers taking different addresses seldom wait.
 */
#ifndef BUDGET_H
#define BUDGET_H

#include <stddef.h>
#include <time.h>

struct budget;
struct budget_peer;
struct sockaddr;

#define BUDGET_KEY_MAX	16	/* bytes of the longest address key */
#define BUDGET_SECRET_LEN 16	/* bytes of the hash key (SipHash's) */

/*
 * A table that lets LIMIT connections from one address, hashed under the
 * BUDGET_SECRET_LEN bytes of KEY (random: the caller draws it), and that
 * asks for one log line per WARN_INTERVAL seconds of refusals from an
 * address.  NULL when memory ran out.
 */
struct budget	*budget_new(const unsigned char *, unsigned int, time_t);

/* Free the table and every entry still in it; NULL does nothing. */
void		 budget_free(struct budget *);

/*
 * The key an address is counted under: the whole IPv4 address, the /64
 * network of an IPv6 address, or one key for every peer of a Unix socket
 * (a proxy on the same machine, as one on 127.0.0.1 would be).  Writes
 * it to KEY (BUDGET_KEY_MAX bytes) and returns its length, or 0 for
 * another family.
 */
size_t		 budget_key(const struct sockaddr *, unsigned char *);

/*
 * Count a connection from SA at time NOW (seconds, any monotonic clock).
 * Returns its address's entry, to hand back to budget_release() when the
 * connection closes; or NULL when that address has LIMIT open already,
 * memory ran out or the family is neither IPv4, IPv6 nor Unix.  *LOGN is the
 * number of refusals a log line should now report: nonzero at most once
 * per WARN_INTERVAL for an address over its budget, 0 otherwise.
 */
struct budget_peer *budget_take(struct budget *, const struct sockaddr *,
	    time_t, unsigned int *);

/*
 * A connection counted by budget_take() is gone.  P NULL (a connection
 * never counted) does nothing.  The entry is freed with its last one.
 */
void		 budget_release(struct budget *, struct budget_peer *);

#endif
