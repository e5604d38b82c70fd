/*
 * prio: lower the calling thread's CPU priority, for work that must not
 * slow down the serving threads (a reload, a search index); knows no
 * server.
 */
#include <sys/resource.h>

#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "prio.h"

int
prio_lower_thread(int nice)
{
#ifdef __linux__
	id_t	 tid = (id_t)gettid();
	int	 cur;

	errno = 0;
	if ((cur = getpriority(PRIO_PROCESS, tid)) == -1 && errno != 0)
		return -1;
	if (cur >= nice)
		return 0;
	return setpriority(PRIO_PROCESS, tid, nice);
#else
	(void)nice;
	return 0;		/* setpriority() would name the process */
#endif
}

int
prio_idle_thread(int nice)
{
#ifdef SCHED_IDLE
	struct sched_param	 sp = { .sched_priority = 0 };

	/* on Linux, pid 0 names the calling thread, not the process */
	if (sched_setscheduler(0, SCHED_IDLE, &sp) == 0)
		return 0;
#endif
	return prio_lower_thread(nice);
}
