/*
 * hostrate: each host's own rate limit (see hostrate.h).  The table is
 * ratelimit.c's, locked by its own shards, so the workers share it as
 * they share the global one; a reference count lets the server of a
 * reload take over the table of the server it replaces while requests
 * in flight still use it.
 */
#include <sys/socket.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "config.h"
#include "hostrate.h"
#include "net.h"
#include "ratelimit.h"
#include "server.h"

struct hostrate {
	atomic_int		 refs;
	struct conf_rate	 rate;		/* as given */
	struct rate_net		 allow[CONF_RATE_ALLOW_MAX];
	size_t			 nallow;
	struct ratelimit	*rl;		/* owned */
};

/* The table of H's name in OLD, if it has the same rate and allow list. */
static struct hostrate *
same_in(const struct server *old, const struct conf_host *h,
    const struct rate_net *allow, size_t nallow)
{
	struct hostrate	*hr;
	struct vhost	*ov;

	if (old == NULL || (ov = server_host(old, h->name)) == NULL ||
	    (hr = ov->rate) == NULL || strcmp(ov->conf->name, h->name) != 0)
		return NULL;
	if (memcmp(&hr->rate, &h->rate, sizeof(h->rate)) != 0 ||
	    hr->nallow != nallow ||
	    (nallow > 0 && memcmp(hr->allow, allow, nallow *
	    sizeof(*allow)) != 0))
		return NULL;
	atomic_fetch_add_explicit(&hr->refs, 1, memory_order_relaxed);
	return hr;
}

static struct hostrate *
hostrate_new(const struct conf_rate *r, const struct rate_net *allow,
    size_t nallow)
{
	struct hostrate	*hr;
	unsigned char	 key[RATE_SECRET_LEN];

	if ((hr = calloc(1, sizeof(*hr))) == NULL)
		return NULL;
	atomic_init(&hr->refs, 1);
	hr->rate = *r;
	memcpy(hr->allow, allow, nallow * sizeof(*allow));
	hr->nallow = nallow;
	if (RAND_bytes(key, sizeof(key)) != 1 ||
	    (hr->rl = ratelimit_new(key, (unsigned int)r->requests,
	    (unsigned int)r->seconds, (unsigned int)r->burst, allow,
	    nallow)) == NULL) {
		free(hr);
		hr = NULL;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return hr;
}

int
hostrate_load(struct server *srv, const struct server *old, char *err,
    size_t errlen)
{
	struct rate_net	 allow[CONF_RATE_ALLOW_MAX];
	struct vhost	*vh;
	size_t		 i, n = srv->conf.nrate_allow;

	for (i = 0; i < n && i < CONF_RATE_ALLOW_MAX; i++)
		if (ratelimit_parse_net(srv->conf.rate_allow[i],
		    &allow[i]) == -1) {
			snprintf(err, errlen, "rate_allow %s: not a network",
			    srv->conf.rate_allow[i]);
			return -1;
		}
	for (i = 0; i < srv->nhosts; i++) {
		vh = &srv->hosts[i];
		if (vh->conf->rate.requests == 0)
			continue;
		if ((vh->rate = same_in(old, vh->conf, allow, n)) == NULL &&
		    (vh->rate = hostrate_new(&vh->conf->rate, allow,
		    n)) == NULL) {
			snprintf(err, errlen, "%s: rate: out of memory",
			    vh->conf->name);
			return -1;
		}
	}
	return 0;
}

void
hostrate_unref(struct hostrate *hr)
{
	if (hr == NULL || atomic_fetch_sub_explicit(&hr->refs, 1,
	    memory_order_acq_rel) > 1)
		return;
	ratelimit_free(hr->rl);
	free(hr);
}

bool
hostrate_exceeded(struct conn *c, const struct vhost *vh, unsigned int *wait)
{
	const struct sockaddr	*sa;
	struct timespec		 ts;
	socklen_t		 len;
	bool			 started;

	*wait = 0;
	if (vh->rate == NULL)
		return false;
	sa = conn_client_addr(c, &len);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* a ban here is a longer wait: the host is not known at accept */
	return ratelimit_take(vh->rate->rl, sa, (uint64_t)ts.tv_sec * 1000 +
	    (uint64_t)ts.tv_nsec / 1000000, wait, &started) != RATE_OK;
}
