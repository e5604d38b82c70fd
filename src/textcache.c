/*
 * textcache: texts rendered on request, in a bounded cache (textcache.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "textcache.h"

struct textent {
	atomic_int	  refs;		/* the cache's, the answers' */
	struct textent	**slot;		/* the owner's, while cached; or NULL */
	size_t		  pos;		/* its place in the ring */
	atomic_bool	  used;		/* asked for since the hand passed */
	size_t		  len;
	char		  data[];
};

/*
 * The entries cached, oldest first, in a ring of CAP places from HEAD
 * on, N of them taken; a place whose entry was forgotten is NULL
 * (DEAD of them), skipped by the hand and dropped when the ring is
 * packed.
 */
static pthread_mutex_t	  lock = PTHREAD_MUTEX_INITIALIZER;
static struct textent	**ring;
static size_t		  cap, head, n, dead;
static size_t		  bytes, max = TEXTCACHE_MAX;
static atomic_uint_fast64_t hits, misses;	/* textcache_counts() */

void
textcache_unref(struct textent *e)
{
	if (e != NULL && atomic_fetch_sub_explicit(&e->refs, 1,
	    memory_order_acq_rel) == 1)
		free(e);
}

#define AT(i)	ring[(head + (i)) % cap]

/* Pack the ring: its live entries from place 0 on, the dead dropped. */
static bool
pack(size_t want)
{
	struct textent	**r;
	size_t		  i, k = 0, ncap = cap;

	while (ncap < want)
		ncap = ncap < 64 ? 64 : ncap * 2;
	if ((r = calloc(ncap, sizeof(*r))) == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (AT(i) != NULL) {
			r[k] = AT(i);
			r[k]->pos = k;
			k++;
		}
	free(ring);
	ring = r;
	cap = ncap;
	head = 0;
	n = k;
	dead = 0;
	return true;
}

static bool
push(struct textent *e)
{
	if (n == cap && !pack(dead > n / 2 ? n - dead + 1 : n + 1))
		return false;
	e->pos = (head + n) % cap;
	ring[e->pos] = e;
	n++;
	return true;
}

/* The hand: entries leave the ring until the texts fit the bound. */
static void
evict(void)
{
	struct textent	*e;

	while (bytes > max && n > 0) {
		e = ring[head];
		ring[head] = NULL;
		head = (head + 1) % cap;
		n--;
		if (e == NULL) {
			dead--;
			continue;
		}
		if (atomic_exchange(&e->used, false) && max > 0 && push(e))
			continue;		/* another round */
		*e->slot = NULL;
		e->slot = NULL;
		bytes -= e->len;
		textcache_unref(e);
	}
}

struct textent *
textcache_get(struct textent **slot, int (*make)(void *, struct buf *),
    void *arg, const char **data, size_t *len)
{
	struct textent	*e;
	struct buf	 out = BUF_INIT;

	pthread_mutex_lock(&lock);
	if ((e = *slot) != NULL) {
		atomic_fetch_add_explicit(&hits, 1, memory_order_relaxed);
		atomic_store_explicit(&e->used, true, memory_order_relaxed);
		atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
		pthread_mutex_unlock(&lock);
		goto done;
	}
	pthread_mutex_unlock(&lock);

	atomic_fetch_add_explicit(&misses, 1, memory_order_relaxed);
	if (make(arg, &out) == -1 || out.failed ||
	    (e = malloc(sizeof(*e) + out.len + 1)) == NULL) {
		buf_free(&out);
		return NULL;
	}
	atomic_init(&e->refs, 1);		/* the caller's */
	atomic_init(&e->used, false);
	e->slot = NULL;
	e->len = out.len;
	memcpy(e->data, out.data != NULL ? out.data : "", out.len);
	e->data[out.len] = '\0';
	buf_free(&out);

	pthread_mutex_lock(&lock);
	if (*slot != NULL) {			/* made by another meanwhile */
		textcache_unref(e);
		e = *slot;
		atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
	} else if (max > 0 && push(e)) {
		atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
		e->slot = slot;
		*slot = e;
		bytes += e->len;
		evict();
	}
	pthread_mutex_unlock(&lock);
 done:
	*data = e->data;
	*len = e->len;
	return e;
}

void
textcache_forget(struct textent **slot)
{
	struct textent	*e;

	pthread_mutex_lock(&lock);
	if ((e = *slot) != NULL) {
		*slot = NULL;
		e->slot = NULL;
		ring[e->pos] = NULL;
		dead++;
		bytes -= e->len;
		if (dead > 64 && dead > n / 2)
			(void)pack(n - dead);
	}
	pthread_mutex_unlock(&lock);
	textcache_unref(e);
}

void
textcache_limit(size_t bound)
{
	pthread_mutex_lock(&lock);
	max = bound;
	evict();
	pthread_mutex_unlock(&lock);
}

void
textcache_stats(size_t *nbytes, size_t *nentries)
{
	pthread_mutex_lock(&lock);
	*nbytes = bytes;
	*nentries = n - dead;
	pthread_mutex_unlock(&lock);
}

void
textcache_counts(uint64_t *nhits, uint64_t *nmisses, size_t *bound)
{
	*nhits = atomic_load_explicit(&hits, memory_order_relaxed);
	*nmisses = atomic_load_explicit(&misses, memory_order_relaxed);
	pthread_mutex_lock(&lock);
	*bound = max;
	pthread_mutex_unlock(&lock);
}
