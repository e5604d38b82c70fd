/*
 * test_textcache: the bounded cache of texts rendered on request: a text
 * is made once and then shared, the bound holds, one asked for again
 * outlives one that was not, a text in use outlives its eviction and its
 * owner, and threads asking at once all get the same bytes.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#include "buf.h"
#include "textcache.h"

#define NSLOT	16
#define TEXT	1000			/* bytes of each text */

static struct textent	*slot[NSLOT];
static int		 made[NSLOT];
static pthread_mutex_t	 made_lock = PTHREAD_MUTEX_INITIALIZER;

static int
make(void *arg, struct buf *out)
{
	int	 i = (int)(intptr_t)arg, k;

	pthread_mutex_lock(&made_lock);
	made[i]++;
	pthread_mutex_unlock(&made_lock);
	if (i == NSLOT - 1)
		return -1;		/* a text that cannot be made */
	for (k = 0; k < TEXT; k++)
		buf_addf(out, "%c", 'a' + i);
	return 0;
}

/* Ask for text I and check its bytes; the reference is dropped. */
static bool
ask(int i)
{
	struct textent	*e;
	const char	*data;
	size_t		 len;
	bool		 ok;

	if ((e = textcache_get(&slot[i], make, (void *)(intptr_t)i, &data,
	    &len)) == NULL)
		return false;
	ok = len == TEXT && data[0] == 'a' + i && data[TEXT - 1] == 'a' + i &&
	    data[TEXT] == '\0';
	textcache_unref(e);
	return ok;
}

static void *
asker(void *arg)
{
	int	 k, *bad = arg;

	for (k = 0; k < 4000; k++)
		if (!ask(k % 8))
			(*bad)++;
	return NULL;
}

int
main(void)
{
	struct textent	*held;
	const char	*data;
	size_t		 bytes, n, len;
	pthread_t	 t[4];
	int		 i, bad[4] = { 0 };

	/* made once, then shared */
	textcache_limit(4 * TEXT);
	CHECK(ask(0) && ask(0) && made[0] == 1 && slot[0] != NULL);

	/* the bound: four texts at most; the one asked for again stays */
	CHECK(ask(1) && ask(2) && ask(3));
	textcache_stats(&bytes, &n);
	CHECK(bytes == 4 * TEXT && n == 4);
	CHECK(ask(1));			/* used again: another round */
	CHECK(ask(4));			/* over the bound: one leaves */
	textcache_stats(&bytes, &n);
	CHECK(bytes <= 4 * TEXT && n <= 4);
	CHECK(slot[0] != NULL && slot[1] != NULL && slot[4] != NULL);
	CHECK(slot[2] == NULL);		/* the oldest not asked for again */
	CHECK(ask(1) && made[1] == 1);

	/* a text in use outlives its eviction, and its owner */
	held = textcache_get(&slot[5], make, (void *)(intptr_t)5, &data, &len);
	CHECK(held != NULL);
	textcache_limit(0);		/* everything leaves */
	textcache_stats(&bytes, &n);
	CHECK(bytes == 0 && n == 0 && slot[5] == NULL && slot[0] == NULL);
	CHECK(len == TEXT && data[0] == 'f' && data[TEXT - 1] == 'f');
	textcache_unref(held);

	/* nothing kept past its answer with a bound of 0 */
	CHECK(ask(6) && ask(6) && made[6] == 2 && slot[6] == NULL);

	/* a text that cannot be made: nothing cached, NULL */
	textcache_limit(4 * TEXT);
	CHECK(!ask(NSLOT - 1) && slot[NSLOT - 1] == NULL);

	/* the owner goes: the cache lets go of its text */
	CHECK(ask(7) && slot[7] != NULL);
	textcache_forget(&slot[7]);
	textcache_stats(&bytes, &n);
	CHECK(slot[7] == NULL && bytes <= 3 * TEXT);
	for (i = 0; i < 200; i++) {	/* the dead places are packed */
		CHECK(ask(8) && ask(9));
		textcache_forget(&slot[8]);
		textcache_forget(&slot[9]);
	}
	textcache_stats(&bytes, &n);
	CHECK(n <= 4 && bytes == n * TEXT);

	/* threads asking for eight texts through a cache of four */
	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, asker, &bad[i]) == 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(bad[0] + bad[1] + bad[2] + bad[3] == 0);
	textcache_stats(&bytes, &n);
	CHECK(n <= 4 && bytes == n * TEXT);

	for (i = 0; i < NSLOT; i++)
		textcache_forget(&slot[i]);
	textcache_stats(&bytes, &n);
	CHECK(bytes == 0 && n == 0);
	CHECK_DONE();
}
