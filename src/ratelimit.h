/*
 * ratelimit: requests per client address, a token bucket each, shared by
 * every worker.  An IPv4 address counts whole, an IPv6 one by its /64
 * (budget_key()'s keys); the peers of a Unix socket and the networks of
 * the allow list are never limited.  A client past its bucket is told to
 * wait (the seconds until its next token); one that keeps asking before
 * that time is banned, for RATE_BAN_MIN seconds at first and twice as
 * long each time after, up to RATE_BAN_MAX.
 *
 * The table has a fixed number of entries, a few per set of a hash keyed
 * with a secret (SipHash), so that a flood of addresses costs no memory:
 * a new address takes the place of the set's least recently seen one,
 * banned ones last.  No I/O, no log, no global: the caller keeps the
 * time (milliseconds of any monotonic clock) and logs.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit;
struct sockaddr;

#define RATE_SLOTS	16384	/* entries of the table */
#define RATE_WAYS	4	/* entries a set has to choose from */
#define RATE_STRIKES	3	/* requests before the time told: a ban */
#define RATE_BAN_MIN	60	/* seconds of the first ban */
#define RATE_BAN_MAX	3600	/* seconds a ban grows to at most */
#define RATE_SECRET_LEN	16	/* bytes of the hash key */

/* A network of the allow list: ADDR/PREFIX. */
struct rate_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network byte order */
	unsigned int	 prefix;	/* 0-32 or 0-128 */
};

enum rate_result {
	RATE_OK,			/* serve it */
	RATE_SLOW,			/* answer "slow down": *WAIT s */
	RATE_BANNED,			/* refuse it: banned *WAIT s more */
};

/*
 * Parse "ADDRESS" or "ADDRESS/PREFIX" (IPv4 or IPv6) into NET, the bits
 * past the prefix cleared.  Returns 0, or -1 if it is neither.
 */
int	ratelimit_parse_net(const char *, struct rate_net *);

/*
 * A table that lets REQUESTS requests per SECONDS from one address, with
 * bursts of BURST, never limiting the NALLOW networks of ALLOW (copied),
 * hashed under the RATE_SECRET_LEN bytes of KEY.  NULL when memory ran
 * out or a number is 0.
 */
struct ratelimit *ratelimit_new(const unsigned char *, unsigned int,
	    unsigned int, unsigned int, const struct rate_net *, size_t);

/* Free the table; NULL does nothing. */
void	ratelimit_free(struct ratelimit *);

/* Is SA never limited: in the allow list, or a Unix socket's peer? */
bool	ratelimit_allowed(const struct ratelimit *, const struct sockaddr *);

/*
 * A request from SA at NOW (milliseconds).  RATE_OK takes a token;
 * RATE_SLOW sets *WAIT to the seconds until the next one; RATE_BANNED
 * sets *WAIT to the seconds the ban has left, and *STARTED when this
 * request began it.
 */
enum rate_result ratelimit_take(struct ratelimit *, const struct sockaddr *,
	    uint64_t, unsigned int *, bool *);

/* The entries in use, for the tests: at most RATE_SLOTS. */
size_t	ratelimit_entries(struct ratelimit *);

#endif
