/*
 * conn: what a front-end asks of a connection beyond net.c's core: is
 * an address the one it came in on, the rate check, and a job run off
 * the loop whose end is handed back to the connection's worker.  Knows
 * no protocol; the connection itself is net.c's.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "net.h"

static atomic_uint	 jobs_running;	/* threads between start and end */
static pthread_mutex_t	 jobs_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct job	*jobs;		/* under jobs_mtx: not yet ended */

void
net_peer_name(bool anon, const struct sockaddr *sa, int salen, char *host,
    size_t len)
{
	struct sockaddr_storage	 ss;

	if (anon && (size_t)salen <= sizeof(ss)) {
		memcpy(&ss, sa, (size_t)salen);
		if (ss.ss_family == AF_INET)
			((unsigned char *)&((struct sockaddr_in *)&ss)->
			    sin_addr)[3] = 0;
		else if (ss.ss_family == AF_INET6)
			memset(((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr +
			    6, 0, 10);
		sa = (const struct sockaddr *)&ss;
	}
	if (sa->sa_family == AF_UNIX)
		snprintf(host, len, "unix");	/* a local peer: no address */
	else if (getnameinfo(sa, (socklen_t)salen, host, (socklen_t)len,
	    NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, len, "?");
}

bool
net_refusal_due(unsigned int *refused, time_t *warned, unsigned int *n)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	(*refused)++;
	if (*warned != 0 && ts.tv_sec - *warned < NET_WARN_INTERVAL)
		return false;
	*n = *refused;
	*refused = 0;
	*warned = ts.tv_sec;
	return true;
}

bool
conn_is_local_addr(struct conn *c, const char *host)
{
	const struct sockaddr	*sa;
	struct in6_addr		 a6;
	struct in_addr		 a4;
	socklen_t		 len;
	int			 af;

	/* a host name, the common case, needs no local address */
	if (inet_pton(AF_INET, host, &a4) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, host, &a6) == 1)
		af = AF_INET6;
	else
		return false;
	if ((sa = conn_local_addr(c, &len)) == NULL || sa->sa_family != af)
		return false;
	if (af == AF_INET)
		return memcmp(&a4, &((const struct sockaddr_in *)sa)->sin_addr,
		    sizeof(a4)) == 0;
	return memcmp(&a6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
	    sizeof(a6)) == 0;
}

bool
net_rate_ok(uint64_t mark, uint64_t now, int seconds)
{
	/* below the mark: not even the handshake is acknowledged yet */
	return now >= mark && now - mark >=
	    (uint64_t)NET_WRITE_RATE_MIN * (uint64_t)seconds;
}

/*
 * A job's life: made on C's worker, run on its thread, ended on the
 * worker by the event the thread makes active (libevent's locks make
 * event_active() safe from another thread).  C is cleared by conn_free()
 * (job_orphan, on the same worker), so DONE never sees a freed one.
 */
struct job {
	struct job	*next, **prev;	/* on jobs, under jobs_mtx */
	struct conn	*c;		/* borrowed; NULL once freed */
	struct event	*ev;		/* owned: on C's worker */
	pthread_t	 thread;
	void		(*work)(void *);
	void		(*done)(struct conn *, void *);
	void		*arg;		/* DONE's */
};

static void
job_orphan(void *arg)
{
	struct job	*j = arg;

	j->c = NULL;
}

static void *
job_thread(void *arg)
{
	struct job	*j = arg;

	j->work(j->arg);
	event_active(j->ev, EV_READ, 0);
	atomic_fetch_sub(&jobs_running, 1);
	return NULL;
}

static void
job_link(struct job *j)
{
	pthread_mutex_lock(&jobs_mtx);
	if ((j->next = jobs) != NULL)
		jobs->prev = &j->next;
	j->prev = &jobs;
	jobs = j;
	pthread_mutex_unlock(&jobs_mtx);
}

static void
job_unlink(struct job *j)
{
	pthread_mutex_lock(&jobs_mtx);
	if (j->next != NULL)
		j->next->prev = j->prev;
	*j->prev = j->next;
	pthread_mutex_unlock(&jobs_mtx);
}

static void
job_donecb(evutil_socket_t fd, short what, void *arg)
{
	struct job	*j = arg;

	job_unlink(j);
	pthread_join(j->thread, NULL);
	if (j->c != NULL)
		conn_on_free(j->c, NULL, NULL);
	j->done(j->c, j->arg);
	event_free(j->ev);
	free(j);
}

int
conn_job(struct conn *c, void (*work)(void *),
    void (*done)(struct conn *, void *), void *arg)
{
	struct job	*j;
	sigset_t	 all, old;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->c = c;
	j->work = work;
	j->done = done;
	j->arg = arg;
	if ((j->ev = event_new(conn_base(c), -1, 0, job_donecb, j)) == NULL) {
		free(j);
		return -1;
	}
	conn_on_free(c, job_orphan, j);
	job_link(j);
	/* the signals stay worker 0's, as with the workers' threads */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	atomic_fetch_add(&jobs_running, 1);
	errno = pthread_create(&j->thread, NULL, job_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0) {
		atomic_fetch_sub(&jobs_running, 1);
		job_unlink(j);
		conn_on_free(c, NULL, NULL);
		event_free(j->ev);
		free(j);
		return -1;
	}
	return 0;
}

int
conn_jobs_wait(int seconds)
{
	struct timespec	 tick = { 0, 10 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < seconds * 100 && atomic_load(&jobs_running) > 0; i++)
		nanosleep(&tick, NULL);
	if (atomic_load(&jobs_running) == 0)
		return 0;
	log_warnx("%u upload(s) still being written after %d s; exiting "
	    "without them (a file is whole, old or new)",
	    atomic_load(&jobs_running), seconds);
	return -1;
}

void
conn_jobs_end(void)
{
	struct job	*j;

	while ((j = jobs) != NULL) {
		job_unlink(j);
		pthread_join(j->thread, NULL);
		if (j->c != NULL)
			conn_on_free(j->c, NULL, NULL);
		j->done(NULL, j->arg);
		event_free(j->ev);
		free(j);
	}
}
