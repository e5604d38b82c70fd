/*
 * budget: the per-address table of open connections (budget.h).  Owns
 * the table, its entries and its shard mutexes; knows no connection, no
 * event loop and no log: the caller logs what budget_take() reports.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "siphash.h"

_Static_assert(BUDGET_SECRET_LEN == SIPHASH_KEY_LEN, "hash key size");

#define BUDGET_BUCKETS	1024
#define BUDGET_SHARDS	16	/* mutexes over the buckets: h % SHARDS */

struct budget_peer {
	struct budget_peer	*next;
	unsigned char		 key[BUDGET_KEY_MAX];
	size_t			 len;
	unsigned int		 bucket;	/* bucket_of(key) */
	unsigned int		 conns;
	unsigned int		 refused;	/* since the last log line */
	time_t			 warned;	/* when that line was due */
};

struct budget {
	unsigned char		 secret[SIPHASH_KEY_LEN];
	unsigned int		 limit;
	time_t			 warn_interval;
	pthread_mutex_t		 mtx[BUDGET_SHARDS];
	struct budget_peer	*buckets[BUDGET_BUCKETS];
};

struct budget *
budget_new(const unsigned char *key, unsigned int limit, time_t warn_interval)
{
	struct budget	*b;
	int		 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	memcpy(b->secret, key, sizeof(b->secret));
	b->limit = limit;
	b->warn_interval = warn_interval;
	for (i = 0; i < BUDGET_SHARDS; i++)
		pthread_mutex_init(&b->mtx[i], NULL);
	return b;
}

void
budget_free(struct budget *b)
{
	struct budget_peer	*p;
	int			 i;

	if (b == NULL)
		return;
	for (i = 0; i < BUDGET_BUCKETS; i++)
		while ((p = b->buckets[i]) != NULL) {
			b->buckets[i] = p->next;
			free(p);
		}
	for (i = 0; i < BUDGET_SHARDS; i++)
		pthread_mutex_destroy(&b->mtx[i]);
	memset(b->secret, 0, sizeof(b->secret));
	free(b);
}

size_t
budget_key(const struct sockaddr *sa, unsigned char *key)
{
	if (sa->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 8);
		return 8;
	}
	if (sa->sa_family == AF_UNIX) {
		key[0] = 0;		/* every local peer, as one */
		return 1;
	}
	return 0;
}

static unsigned int
bucket_of(const struct budget *b, const unsigned char *key, size_t len)
{
	return (unsigned int)(siphash24(b->secret, key, len) %
	    BUDGET_BUCKETS);
}

/*
 * The entry of KEY (LEN bytes) in bucket H, made if missing; NULL when
 * memory ran out.  Called with H's shard mutex held.
 */
static struct budget_peer *
entry_get(struct budget *b, const unsigned char *key, size_t len,
    unsigned int h)
{
	struct budget_peer	*p;

	for (p = b->buckets[h]; p != NULL; p = p->next)
		if (p->len == len && memcmp(p->key, key, len) == 0)
			return p;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	memcpy(p->key, key, len);
	p->len = len;
	p->bucket = h;
	p->next = b->buckets[h];
	b->buckets[h] = p;
	return p;
}

/*
 * Count a refusal of P; the refusals a log line stands for when one is
 * due (the first, then once per warn_interval), else 0.
 */
static unsigned int
refusal_due(const struct budget *b, struct budget_peer *p, time_t now)
{
	unsigned int	 n;

	p->refused++;
	if (p->warned != 0 && now - p->warned < b->warn_interval)
		return 0;
	n = p->refused;
	p->refused = 0;
	p->warned = now;
	return n;
}

struct budget_peer *
budget_take(struct budget *b, const struct sockaddr *sa, time_t now,
    unsigned int *logn)
{
	unsigned char		 key[BUDGET_KEY_MAX];
	pthread_mutex_t		*mtx;
	struct budget_peer	*p;
	size_t			 len;
	unsigned int		 h;

	*logn = 0;
	if ((len = budget_key(sa, key)) == 0)
		return NULL;
	h = bucket_of(b, key, len);
	mtx = &b->mtx[h % BUDGET_SHARDS];
	pthread_mutex_lock(mtx);
	if ((p = entry_get(b, key, len, h)) != NULL) {
		if (p->conns < b->limit)
			p->conns++;
		else {
			*logn = refusal_due(b, p, now);
			p = NULL;
		}
	}
	pthread_mutex_unlock(mtx);
	return p;
}

void
budget_release(struct budget *b, struct budget_peer *p)
{
	pthread_mutex_t		 *mtx;
	struct budget_peer	**pp;

	if (p == NULL)
		return;
	mtx = &b->mtx[p->bucket % BUDGET_SHARDS];
	pthread_mutex_lock(mtx);
	if (p->conns > 0 && --p->conns > 0) {
		pthread_mutex_unlock(mtx);
		return;
	}
	for (pp = &b->buckets[p->bucket]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			free(p);
			break;
		}
	pthread_mutex_unlock(mtx);
}
