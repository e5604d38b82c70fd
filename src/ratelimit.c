/*
 * ratelimit: a token bucket per client address, in a table of fixed size
 * shared by the workers (see ratelimit.h).  Knows no socket, no loop, no
 * log: the transport asks, and says what it was told.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "ratelimit.h"
#include "siphash.h"

_Static_assert(RATE_SECRET_LEN == SIPHASH_KEY_LEN, "hash key size");
_Static_assert(RATE_SLOTS % RATE_WAYS == 0, "whole sets");

#define RATE_SETS	(RATE_SLOTS / RATE_WAYS)
#define RATE_SHARDS	64	/* mutexes over the sets: set % SHARDS */

struct rate_entry {
	unsigned char	 key[BUDGET_KEY_MAX];
	unsigned char	 len;		/* 0: free */
	unsigned char	 strikes;	/* asked again before retry */
	uint32_t	 ban;		/* seconds of the last ban, 0: none */
	double		 tokens;
	uint64_t	 seen;		/* ms: the last request */
	uint64_t	 retry;		/* ms: told to come back then */
	uint64_t	 banned;	/* ms: banned until then */
};

struct ratelimit {
	unsigned char		 secret[SIPHASH_KEY_LEN];
	double			 per_ms;	/* tokens a millisecond */
	double			 burst;
	struct rate_net		*allow;		/* owned: nallow */
	size_t			 nallow;
	pthread_mutex_t		 mtx[RATE_SHARDS];
	struct rate_entry	 slots[RATE_SLOTS];
};

int
ratelimit_parse_net(const char *s, struct rate_net *net)
{
	char		 addr[INET6_ADDRSTRLEN + 1], *end;
	const char	*slash = strchr(s, '/');
	size_t		 len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned int	 max, i;
	long		 n;

	memset(net, 0, sizeof(*net));
	if (len == 0 || len >= sizeof(addr))
		return -1;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, net->addr) == 1) {
		net->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, net->addr) == 1) {
		net->family = AF_INET6;
		max = 128;
	} else
		return -1;
	net->prefix = max;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
			return -1;
		n = strtol(slash + 1, &end, 10);
		if (*end != '\0' || n < 0 || n > (long)max)
			return -1;
		net->prefix = (unsigned int)n;
	}
	for (i = net->prefix; i < 128; i++)	/* the host part: cleared */
		net->addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	return 0;
}

struct ratelimit *
ratelimit_new(const unsigned char *key, unsigned int requests,
    unsigned int seconds, unsigned int burst, const struct rate_net *allow,
    size_t nallow)
{
	struct ratelimit	*rl;
	size_t			 i;

	if (requests == 0 || seconds == 0 || burst == 0 ||
	    (rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	if (nallow > 0 && (rl->allow = calloc(nallow,
	    sizeof(*allow))) == NULL) {
		free(rl);
		return NULL;
	}
	if (nallow > 0)
		memcpy(rl->allow, allow, nallow * sizeof(*allow));
	rl->nallow = nallow;
	memcpy(rl->secret, key, sizeof(rl->secret));
	rl->per_ms = (double)requests / ((double)seconds * 1000.0);
	rl->burst = burst;
	for (i = 0; i < RATE_SHARDS; i++)
		pthread_mutex_init(&rl->mtx[i], NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	size_t	 i;

	if (rl == NULL)
		return;
	for (i = 0; i < RATE_SHARDS; i++)
		pthread_mutex_destroy(&rl->mtx[i]);
	memset(rl->secret, 0, sizeof(rl->secret));
	free(rl->allow);
	free(rl);
}

/* Is the address A (of NET's family) in NET? */
static bool
in_net(const struct rate_net *net, const unsigned char *a)
{
	unsigned int	 whole = net->prefix / 8, rest = net->prefix % 8;
	unsigned char	 mask = (unsigned char)(0xff00u >> rest);

	return memcmp(a, net->addr, whole) == 0 &&
	    (rest == 0 || (a[whole] & mask) == net->addr[whole]);
}

bool
ratelimit_allowed(const struct ratelimit *rl, const struct sockaddr *sa)
{
	const unsigned char	*a;
	size_t			 i;

	if (sa->sa_family == AF_UNIX)
		return true;
	if (sa->sa_family == AF_INET)
		a = (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	else
		return true;		/* no address to limit */
	for (i = 0; i < rl->nallow; i++)
		if (rl->allow[i].family == sa->sa_family &&
		    in_net(&rl->allow[i], a))
			return true;
	return false;
}

/*
 * The entry of KEY in the set at SET, or the one it takes the place of:
 * a free one, else the least recently seen one not banned at NOW, else
 * the least recently seen.  Called with the set's mutex held.
 */
static struct rate_entry *
entry_get(struct ratelimit *rl, size_t set, const unsigned char *key,
    size_t len, uint64_t now)
{
	struct rate_entry	*e = &rl->slots[set * RATE_WAYS], *pick = NULL;
	size_t			 i;

	for (i = 0; i < RATE_WAYS; i++)
		if (e[i].len == len && memcmp(e[i].key, key, len) == 0)
			return &e[i];
	for (i = 0; i < RATE_WAYS; i++) {
		if (e[i].len == 0) {
			pick = &e[i];
			break;
		}
		if (pick == NULL || ((e[i].banned <= now) != (pick->banned <=
		    now) ? e[i].banned <= now : e[i].seen < pick->seen))
			pick = &e[i];
	}
	memset(pick, 0, sizeof(*pick));
	memcpy(pick->key, key, len);
	pick->len = (unsigned char)len;
	pick->tokens = rl->burst;
	pick->seen = now;
	return pick;
}

/* Seconds from NOW to THEN (ms), rounded up, at least 1. */
static unsigned int
seconds_to(uint64_t now, uint64_t then)
{
	uint64_t	 s = then > now ? (then - now + 999) / 1000 : 1;

	return s < 1 ? 1 : (unsigned int)s;
}

/* The request of entry E at NOW; the set's mutex held. */
static enum rate_result
take(struct ratelimit *rl, struct rate_entry *e, uint64_t now,
    unsigned int *wait, bool *started)
{
	double		 t, need;
	uint64_t	 ms;

	if (now > e->seen) {
		t = e->tokens + (double)(now - e->seen) * rl->per_ms;
		e->tokens = t > rl->burst ? rl->burst : t;
		e->seen = now;
	}
	if (now < e->banned) {
		*wait = seconds_to(now, e->banned);
		return RATE_BANNED;
	}
	/* as long without a ban as the last one lasted: forgiven */
	if (e->ban > 0 && now - e->banned > (uint64_t)e->ban * 1000)
		e->ban = 0;
	if (e->tokens >= 1.0) {
		e->tokens -= 1.0;
		e->strikes = 0;
		return RATE_OK;
	}
	if (now < e->retry && ++e->strikes >= RATE_STRIKES) {
		e->ban = e->ban == 0 ? RATE_BAN_MIN : e->ban * 2 > RATE_BAN_MAX ?
		    RATE_BAN_MAX : e->ban * 2;
		e->banned = now + (uint64_t)e->ban * 1000;
		e->strikes = 0;
		*wait = e->ban;
		*started = true;
		return RATE_BANNED;
	}
	need = (1.0 - e->tokens) / rl->per_ms;	/* ms until a token */
	ms = (uint64_t)need;
	*wait = seconds_to(now, now + ms + ((double)ms < need));
	e->retry = now + (uint64_t)*wait * 1000;
	return RATE_SLOW;
}

enum rate_result
ratelimit_take(struct ratelimit *rl, const struct sockaddr *sa, uint64_t now,
    unsigned int *wait, bool *started)
{
	unsigned char		 key[BUDGET_KEY_MAX];
	pthread_mutex_t		*mtx;
	enum rate_result	 r;
	size_t			 len, set;

	*wait = 0;
	*started = false;
	if (ratelimit_allowed(rl, sa) || (len = budget_key(sa, key)) == 0)
		return RATE_OK;
	set = (size_t)(siphash24(rl->secret, key, len) % RATE_SETS);
	mtx = &rl->mtx[set % RATE_SHARDS];
	pthread_mutex_lock(mtx);
	r = take(rl, entry_get(rl, set, key, len, now), now, wait, started);
	pthread_mutex_unlock(mtx);
	return r;
}

size_t
ratelimit_entries(struct ratelimit *rl)
{
	size_t	 i, n = 0;

	for (i = 0; i < RATE_SLOTS; i++) {
		pthread_mutex_lock(&rl->mtx[(i / RATE_WAYS) % RATE_SHARDS]);
		n += rl->slots[i].len != 0;
		pthread_mutex_unlock(&rl->mtx[(i / RATE_WAYS) % RATE_SHARDS]);
	}
	return n;
}
