/*
 * test_prio: prio_lower_thread() lowers the calling thread alone, and
 * never raises a thread that is already lower; prio_idle_thread() makes
 * the calling thread alone an idle one.
 */
#include <sys/resource.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "prio.h"

/* The nice value of the calling thread (on Linux, its own). */
static int
thread_nice(void)
{
	return getpriority(PRIO_PROCESS, (id_t)gettid());
}

static void *
lowered(void *arg)
{
	int	*got = arg;

	got[0] = prio_lower_thread(10);
	got[1] = thread_nice();
	return NULL;
}

static void *
lower_already(void *arg)
{
	int	*got = arg;

	got[0] = setpriority(PRIO_PROCESS, (id_t)gettid(), 15);
	got[1] = prio_lower_thread(10);
	got[2] = thread_nice();
	return NULL;
}

static void
test_lowers_the_thread_alone(void)
{
	pthread_t	 t;
	int		 got[2] = { -1, -1 }, before = thread_nice();

	CHECK(pthread_create(&t, NULL, lowered, got) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(got[0] == 0);
#ifdef __linux__
	CHECK(got[1] == (before < 10 ? 10 : before));
	CHECK(thread_nice() == before);		/* the caller's is its own */
#endif
}

static void
test_never_raises(void)
{
	pthread_t	 t;
	int		 got[3] = { -1, -1, -1 };

	if (thread_nice() > 15) {
		printf("skip: this process runs at nice %d already\n",
		    thread_nice());
		return;
	}
	CHECK(pthread_create(&t, NULL, lower_already, got) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(got[0] == 0 && got[1] == 0);
#ifdef __linux__
	CHECK(got[2] == 15);
#endif
}

static void *
idled(void *arg)
{
	int	*got = arg;

	got[0] = prio_idle_thread(10);
	got[1] = sched_getscheduler(0);
	return NULL;
}

static void
test_idle_thread_alone(void)
{
	pthread_t	 t;
	int		 got[2] = { -1, -1 };

	CHECK(pthread_create(&t, NULL, idled, got) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(got[0] == 0);
#ifdef __linux__
	CHECK(got[1] == SCHED_IDLE);
	CHECK(sched_getscheduler(0) == SCHED_OTHER);	/* the caller's */
#endif
}

int
main(void)
{
	test_lowers_the_thread_alone();
	test_never_raises();
	test_idle_thread_alone();
	CHECK_DONE();
}
