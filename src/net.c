/*
 * net: a connection's life, accept to close: listeners, workers, deadlines,
 * the answer's bytes, close_notify.  Knows no protocol and no model (both
 * handed in); TLS set-up is tls.c's, the per-address table budget.c's.
 */
#include <sys/queue.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <linux/tcp.h>		/* struct tcp_info with tcpi_bytes_acked */
#endif

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>		/* malloc_trim */
#endif
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "accesslog.h"
#include "budget.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "proxy.h"
#include "ratelimit.h"
#include "tls.h"

#define NET_LOOP_FDS	4	/* a loop's epoll, wake-up and signal fds */
#define NET_FDS_RESERVE	64	/* stdio, log, capsules, certificates,
				   a reload's files */
#define NET_FIT_MIN	16	/* connections, however few descriptors */
/* a PROXY header's buffer at first: any v1 line, v2 with short TLVs */
#define PROXY_BUF_START	(PROXY_V2_FIXED + 512)

/*
 * Where a connection is in its life.  One timer (c->timer) bounds each
 * state: the deadline set at accept covers the TLS handshake and the
 * whole request; the answer is then written under a rate check every
 * --timeout seconds; the close (close_notify, then reading what the client
 * still sends) is bounded by NET_LINGER_TIME.
 */
enum conn_state {
	CONN_PROXY,		/* reading the PROXY header (--proxy-protocol) */
	CONN_SNIFF,		/* waiting for the first byte (NET_SNIFF,
				   NET_TLS: no TLS state until then) */
	CONN_REQUEST,		/* handshake and request */
	CONN_ANSWER,		/* the request is read; writing the answer */
	CONN_CLOSE,		/* answered: close_notify, maybe linger */
};

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	enum conn_state		 state;
	struct bufferevent	*bev;		/* owned: frees fd and SSL */
	struct event		*sniff;		/* owned: waiting for byte 1 */
	struct event		*proxy;		/* owned: reading the header */
	unsigned char		*proxy_buf;	/* owned: the header so far */
	size_t			 proxy_len;
	size_t			 proxy_cap;	/* proxy_buf's size */
	enum net_tls		 mode;
	struct event		*timer;		/* owned: the state's bound */
	struct event		*closer;	/* owned: close_notify, linger */
	int			 fd;
	struct worker		*w;		/* the one that accepted it */
	const struct front	*front;		/* static */
	struct budget_peer	*peer_entry;	/* borrowed from budget */
	void			*ctx;		/* counted, once asked for */
	char			*line;		/* owned: the request */
	char			*data;		/* owned: the data block */
	size_t			 data_len;	/* announced; then in data */
	void			(*on_free)(void *);	/* conn_on_free() */
	void			*on_free_arg;
	SSL			*ssl;		/* borrowed from bev */
	int			 file;		/* owned: a file being sent */
	off_t			 file_off;
	off_t			 file_left;
	size_t			 queued;	/* bytes of answer queued */
	uint64_t		 mark;		/* progress at the last check */
	size_t			 lingered;	/* bytes read after answering */
	bool			 handshaken;
	bool			 notified;	/* close_notify is written */
	size_t			 corked;	/* bytes of answer in the cork
						   buffer, not yet flushed */
	bool			 done;
	bool			 logged;	/* the access line is out */
	bool			 has_local;
	union {				/* conn_local_addr(), once asked */
		struct sockaddr		sa;
		struct sockaddr_in	sin;
		struct sockaddr_in6	sin6;
		struct sockaddr_un	sun;
	}			 local;
	socklen_t		 local_len;
	struct sockaddr_storage	 client;	/* conn_client_addr() */
	socklen_t		 client_len;
	char			 peer[INET6_ADDRSTRLEN + 8];
	char			 req[200];	/* escaped, for the log */
	const char		*proto;		/* counted as, or NULL */
	const char		*status;	/* static */
	const char		*host;		/* borrowed from ctx, or NULL */
	struct timespec		 t0;		/* accepted, CLOCK_MONOTONIC */
	char			 why[128];
	const char		*cut;		/* static: how the answer was
						   cut, or NULL */
	unsigned int		 slow;		/* past the rate limit: the
						   seconds to wait, or 0 */
};

TAILQ_HEAD(conn_list, conn);

struct listener {
	struct evconnlistener	*ev;		/* owned: frees the socket */
	const struct front	*front;		/* static */
	enum net_tls		 mode;
	bool			 proxy;
};

/*
 * One event loop and everything that lives on it: its listening sockets
 * (one per address and port, SO_REUSEPORT beside the other workers'),
 * its connections and the context they take.  Worker 0 runs on the loop
 * net_init() is given (the caller's, which also has the signals); the
 * others each on a loop of their own in a thread net_start() makes.  A
 * connection lives and dies on the worker that accepted it, so nothing on
 * a request's path is shared but the context's reference count (atomic)
 * and, at accept and close, the budgets (an atomic count, and the
 * per-address table's shard mutexes).
 */
struct worker {
	unsigned int		 id;
	struct event_base	*base;		/* owned, but worker 0's */
	pthread_t		 thread;
	bool			 started;	/* the thread runs */
	struct conn_list	 conns;
	size_t			 nconns;
	struct listener		*listeners;	/* owned: nlisteners */
	size_t			 nlisteners;
	struct event		*resume_ev;	/* accept again after EMFILE */
	unsigned int		 accept_failed;	/* since the last log line */
	time_t			 accept_warned;	/* when that line was written */
	struct event		*stop_ev;	/* the grace period is over */
	struct event		*stop_req;	/* net_stop() asks to stop */
	bool			 stopping;
	bool			 finished;	/* stopped, nothing left */
	/*
	 * The context new requests take.  net_set_ctx() swaps it in every
	 * worker at once; the mutex is the worker's own, so workers never
	 * wait for each other.
	 */
	pthread_mutex_t		 ctx_mtx;
	void			*ctx;		/* counted */
};

static SSL_CTX			*ssl_ctx;
static struct net_conf		 nconf = { .timeout = NET_TIMEOUT,
				    .max_conns = 1024, .workers = 1 };
static struct worker		*workers;	/* owned: nconf.workers */
static _Thread_local struct worker *self;	/* the caller's worker */
static atomic_uint		 unfinished;	/* workers still serving */
static struct event		*finished_ev;	/* on worker 0: all stopped */

/* The budgets, one for all workers: taken at accept and close only. */
static struct budget		*budget;	/* owned: per address */
static atomic_size_t		 total;		/* open connections */
static atomic_size_t		 peak;		/* most open since the last
						   trim */
static struct event		*trim_ev;	/* on worker 0: trimcb */
static pthread_mutex_t		 cap_mtx = PTHREAD_MUTEX_INITIALIZER;
static unsigned int		 cap_refused;	/* under cap_mtx */
static time_t			 cap_warned;

static void	conn_readcb(struct bufferevent *, void *);
static void	conn_writecb(struct bufferevent *, void *);
static void	conn_eventcb(struct bufferevent *, short, void *);
static void	conn_free(struct conn *);
static int	to_answer(struct conn *);
static void	worker_finish(struct worker *);
static void	worker_stop(struct worker *);
#ifdef __GLIBC__
static void	trimcb(evutil_socket_t, short, void *);
#endif

struct event_base *
net_base_new(void)
{
	struct event_config	*cfg;
	struct event_base	*b = NULL;

	if ((cfg = event_config_new()) != NULL &&
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) ==
	    0)
		b = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return b;
}

static void
stop_reqcb(evutil_socket_t fd, short what, void *arg)
{
	worker_stop(arg);
}

/* Every worker has stopped: worker 0's loop, the caller's, ends. */
static void
finishedcb(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(workers[0].base);
}

int
net_init(struct event_base *b, SSL_CTX *ctx, const struct net_conf *conf)
{
#ifdef __GLIBC__
	struct timeval	 trim_tv = { NET_TRIM_INTERVAL, 0 };
#endif
	unsigned char	 key[BUDGET_SECRET_LEN];
	struct worker	*w;
	unsigned int	 i;

	ssl_ctx = ctx;
	nconf = *conf;
	if (nconf.per_address < 1)
		nconf.per_address = NET_PEER_MAX;
	if (RAND_bytes(key, sizeof(key)) != 1)
		return -1;
	budget_free(budget);
	budget = budget_new(key, (unsigned int)nconf.per_address,
	    NET_WARN_INTERVAL);
	OPENSSL_cleanse(key, sizeof(key));
	if (budget == NULL)
		return -1;
	if (nconf.timeout < 1)
		nconf.timeout = NET_TIMEOUT;
	if (nconf.max_conns < 0)
		nconf.max_conns = 1;		/* 0: fitted at net_start */
	if (nconf.workers < 1)
		nconf.workers = 1;
	if ((workers = calloc((size_t)nconf.workers, sizeof(*workers))) ==
	    NULL)
		return -1;
	for (i = 0; i < (unsigned int)nconf.workers; i++) {
		w = &workers[i];
		w->id = i;
		TAILQ_INIT(&w->conns);
		pthread_mutex_init(&w->ctx_mtx, NULL);
		if ((w->base = i == 0 ? b : net_base_new()) == NULL ||
		    (w->stop_req = event_new(w->base, -1, 0, stop_reqcb,
		    w)) == NULL)
			return -1;
	}
	if ((finished_ev = event_new(b, -1, 0, finishedcb, NULL)) == NULL)
		return -1;
#ifdef __GLIBC__
	if ((trim_ev = event_new(b, -1, EV_PERSIST, trimcb, NULL)) == NULL ||
	    event_add(trim_ev, &trim_tv) == -1)
		return -1;
#endif
	atomic_store(&unfinished, (unsigned int)nconf.workers);
	self = &workers[0];
	return 0;
}

/* The loop of worker W > 0, in its own thread. */
static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	char		 name[16];

	self = w;
	snprintf(name, sizeof(name), "zeche-worker-%u", w->id);
#ifdef __linux__
	pthread_setname_np(pthread_self(), name);
#endif
	log_debug("worker %u: serving", w->id);
	event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/*
 * The connections that fit in the descriptor limit: each may hold its
 * socket and a file being sent, once what the workers hold (each loop's
 * own, NET_LOOP_FDS, and its listening sockets) and NET_FDS_RESERVE for
 * the rest of the process are set aside.
 */
static int
fit_max_conns(void)
{
	struct rlimit	 rl;
	rlim_t		 n, held = NET_FDS_RESERVE;
	int		 i;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 256;
	n = rl.rlim_cur;
	if (n == RLIM_INFINITY || n > 2000000)
		n = 2000000;
	for (i = 0; i < nconf.workers; i++)
		held += NET_LOOP_FDS + workers[i].nlisteners;
	n = n > held + 2 * NET_FIT_MIN ? (n - held) / 2 : NET_FIT_MIN;
	log_info("max-conns %d: fitted to the descriptor limit %llu, of "
	    "which %llu are the workers' and the process's own", (int)n,
	    (unsigned long long)rl.rlim_cur, (unsigned long long)held);
	return (int)n;
}

int
net_start(void)
{
	sigset_t	 all, old;
	unsigned int	 i;
	int		 e = 0;

	if (nconf.max_conns == 0)
		nconf.max_conns = fit_max_conns();

	/* the signals go to the caller's thread, the one with the handlers */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 1; i < (unsigned int)nconf.workers && e == 0; i++)
		if ((e = pthread_create(&workers[i].thread, NULL, worker_main,
		    &workers[i])) == 0)
			workers[i].started = true;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

static time_t
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void
net_set_ctx(void *ctx)
{
	struct worker	*w;
	void		*old;
	int		 i;

	for (i = 0; i < nconf.workers; i++) {
		w = &workers[i];
		if (ctx != NULL && nconf.ref != NULL)
			nconf.ref(ctx);
		pthread_mutex_lock(&w->ctx_mtx);
		old = w->ctx;
		w->ctx = ctx;
		pthread_mutex_unlock(&w->ctx_mtx);
		if (old != NULL && nconf.unref != NULL)
			nconf.unref(old);
	}
}

/* W's context, with a reference for the caller (NULL: none). */
static void *
worker_ctx(struct worker *w)
{
	void	*ctx;

	pthread_mutex_lock(&w->ctx_mtx);
	if ((ctx = w->ctx) != NULL && nconf.ref != NULL)
		nconf.ref(ctx);
	pthread_mutex_unlock(&w->ctx_mtx);
	return ctx;
}

void *
net_ctx_take(void)
{
	if (workers == NULL)
		return NULL;
	return worker_ctx(self != NULL ? self : &workers[0]);
}

size_t
net_conns(void)
{
	return atomic_load(&total);
}

/*
 * A connection is gone: it leaves the budgets.  P is its address's entry
 * or NULL (not counted yet, behind a proxy).
 */
static void
uncount(struct budget_peer *p)
{
	atomic_fetch_sub(&total, 1);
	budget_release(budget, p);
}

/* The bytes of the answer that have left the output buffer. */
static size_t
conn_sent(struct conn *c)
{
	size_t	 pending = 0;

	if (c->bev != NULL)
		pending = evbuffer_get_length(bufferevent_get_output(c->bev));
	pending += c->corked;		/* not out until the flush is */
	return pending > c->queued ? 0 : c->queued - pending;
}

/*
 * How far the client has read, for the write rate check.  On Linux: the
 * bytes its TCP has acknowledged, which move with every segment it takes.
 * Elsewhere: the bytes that have left the output buffer, which over TLS
 * move a record (16 KiB) at a time.
 */
static uint64_t
conn_progress(struct conn *c)
{
#ifdef __linux__
	struct tcp_info	 ti;
	socklen_t	 len = sizeof(ti);
	int		 fd = bufferevent_getfd(c->bev);

	memset(&ti, 0, sizeof(ti));
	if (fd != -1 && getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    len >= offsetof(struct tcp_info, tcpi_bytes_acked) +
	    sizeof(ti.tcpi_bytes_acked))
		return ti.tcpi_bytes_acked;
#endif
	return conn_sent(c);
}

/*
 * Where the progress of the answer is counted from: what was written
 * before it (the TLS handshake and its ticket), known without a system
 * call.  The client has acknowledged at most that much, so its first
 * window may count the few bytes of the handshake still unacknowledged
 * as not taken: a stricter check, never a looser one.
 */
static uint64_t
conn_progress_start(struct conn *c)
{
#ifdef __linux__
	if (c->ssl != NULL)
		return BIO_number_written(SSL_get_wbio(c->ssl));
#endif
	return conn_sent(c);
}

/*
 * The answer was cut: HOW (a static string) goes to the access line with
 * what was sent of it, which is written before anything is sent again.
 */
static void
conn_cut_note(struct conn *c, const char *how)
{
	c->cut = how;
}

/*
 * The access line, once: when the answer has left (before close_notify, so
 * that it is written by the time the client sees the end), or when the
 * connection is freed before that.
 */
static void
conn_log(struct conn *c)
{
	struct accesslog_line	 a = { c->front->name, c->peer, c->req,
				    c->status, c->why, c->cut, c->host, 0, 0,
				    0 };
	struct timespec		 t1;

	if (c->logged)
		return;
	c->logged = true;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a.ms = (long long)(t1.tv_sec - c->t0.tv_sec) * 1000 +
	    (t1.tv_nsec - c->t0.tv_nsec) / 1000000;
	a.sent = conn_sent(c);
	a.queued = (long long)c->queued + (long long)c->file_left;
	accesslog_log(&a);
	metrics_request(c->w->id, c->proto != NULL ? c->proto : a.proto, a.host,
	    a.status, a.sent, &c->t0, &t1, a.cut != NULL);
}

/*
 * The one close function, safe on a half-built conn: the access line, then
 * free what the conn owns (close_notify went before, in conn_close).
 */
static void
conn_free(struct conn *c)
{
	struct worker	*w = c->w;

	if (c->done && c->cut == NULL && (c->state != CONN_CLOSE ||
	    c->corked > 0) && (c->file_left > 0 || c->corked > 0 ||
	    (c->bev != NULL && evbuffer_get_length(
	    bufferevent_get_output(c->bev)) > 0)))
		/* the answer did not all leave */
		conn_cut_note(c, "closed");
	conn_log(c);
	if (c->on_free != NULL)
		c->on_free(c->on_free_arg);
	TAILQ_REMOVE(&w->conns, c, entry);
	w->nconns--;
	if (c->closer != NULL)
		event_free(c->closer);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->sniff != NULL)
		event_free(c->sniff);
	if (c->proxy != NULL)
		event_free(c->proxy);
	free(c->proxy_buf);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	else if (c->fd != -1)
		close(c->fd);
	if (c->file != -1)
		close(c->file);
	uncount(c->peer_entry);
	if (c->ctx != NULL && nconf.unref != NULL)
		nconf.unref(c->ctx);
	free(c->line);
	free(c->data);
	free(c);
	if (w->stopping && w->nconns == 0)
		worker_finish(w);
}

static void
conn_fail(struct conn *c, const char *why)
{
	snprintf(c->why, sizeof(c->why), "%s", why);
	conn_free(c);
}

/* Add the state's bound: SECONDS from now. */
static int
conn_arm(struct conn *c, int seconds)
{
	struct timeval	 tv = { seconds, 0 };

	return event_add(c->timer, &tv);
}

/*
 * Cut a transfer: the access line says so, with what was sent, and the
 * connection closes without close_notify.
 */
static void
conn_cut(struct conn *c, const char *how)
{
	struct linger	 l = { 1, 0 };
	int		 fd;

	conn_cut_note(c, how);
	/* a reset: what the kernel still holds for the client goes too */
	if (c->bev != NULL && (fd = bufferevent_getfd(c->bev)) != -1)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	conn_free(c);
}

/*
 * After the answer and its close_notify: half-close, then read and drop
 * what the client still sends (at most NET_LINGER_MAX bytes) until it
 * closes, so that unread input does not turn our close into a reset that
 * destroys the answer on its way.
 */
static void
lingercb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	char		 buf[4096];
	ssize_t		 n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			c->lingered += (size_t)n;
			if (c->lingered > NET_LINGER_MAX)
				break;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;				/* EOF or an error */
	}
	conn_free(c);
}

static void
linger_start(struct conn *c)
{
	int	 fd = bufferevent_getfd(c->bev);

	if (c->closer != NULL)
		event_free(c->closer);
	c->closer = NULL;
	if (fd == -1 || shutdown(fd, SHUT_WR) == -1 ||
	    (c->closer = event_new(c->w->base, fd, EV_READ | EV_PERSIST,
	    lingercb, c)) == NULL || event_add(c->closer, NULL) == -1) {
		conn_free(c);
		return;
	}
}

/*
 * A connection whose client sent its request and nothing after it:
 * closing it at once sends no reset (the answer still queued in the
 * kernel leaves before the FIN), so it needs no linger, and neither its
 * descriptor nor its place in the budgets waits for the client to close.
 * Over TLS the client's own close_notify, which comes later, meets a
 * closed socket; it has read the whole answer and ours by then.  A
 * client that sent more, a request too long for instance, gets the
 * linger, which keeps the reset that unread bytes would cause from
 * destroying its answer.
 */
static bool
nothing_unread(struct conn *c)
{
	int	 n = 0;

	return evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 &&
	    (c->ssl == NULL || !SSL_has_pending(c->ssl)) &&
	    ioctl(bufferevent_getfd(c->bev), FIONREAD, &n) == 0 && n == 0;
}

/* The answer (and close_notify) is out: close, or linger first. */
static void
conn_release(struct conn *c)
{
	if (nothing_unread(c))
		conn_free(c);
	else
		linger_start(c);
}

/*
 * Send close_notify.  SSL_shutdown writes to the socket itself (or, for
 * a corked answer, to the buffer in front of it, then flushes it with
 * the answer); when the send buffer is full it says WANT_WRITE (or the
 * flush stops short) and this is called again once the socket takes
 * more, until all is out or the bound expires.
 */
static void
notifycb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	BIO		*w = SSL_get_wbio(c->ssl);
	int		 r;

	ERR_clear_error();
	if (!c->notified && (r = SSL_shutdown(c->ssl)) < 0) {
		switch (SSL_get_error(c->ssl, r)) {
		case SSL_ERROR_WANT_WRITE:
		case SSL_ERROR_WANT_READ:
			goto wait;
		default:
			goto gone;
		}
	}
	c->notified = true;
	tls_uncork(c->ssl);
	if (BIO_wpending(w) > 0 && (BIO_flush(w) <= 0 ||
	    BIO_wpending(w) > 0)) {
		if (BIO_should_retry(w))
			goto wait;
		goto gone;
	}
	c->corked = 0;
	conn_log(c);
	conn_release(c);
	return;
 wait:
	if ((c->closer != NULL || (c->closer = event_new(c->w->base,
	    bufferevent_getfd(c->bev), EV_WRITE | EV_PERSIST, notifycb,
	    c)) != NULL) && event_add(c->closer, NULL) == 0)
		return;
 gone:
	ERR_clear_error();
	conn_free(c);			/* the client is gone: nothing to say */
}

/*
 * The answer has left (a corked one: for the cork buffer, and it is
 * logged once flushed): close_notify (TLS), then the close, with a
 * linger only when the client sent more than its request.
 */
static void
conn_close(struct conn *c)
{
	c->state = CONN_CLOSE;
	if (c->corked == 0)
		conn_log(c);
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (conn_arm(c, NET_LINGER_TIME < nconf.timeout ? NET_LINGER_TIME :
	    nconf.timeout) == -1) {
		conn_free(c);
		return;
	}
	if (c->ssl != NULL && c->handshaken)
		notifycb(bufferevent_getfd(c->bev), EV_WRITE, c);
	else if (c->ssl != NULL)
		conn_free(c);
	else
		conn_release(c);
}

/* Read the next piece of the file being sent, if the output wants one. */
static int
file_refill(struct conn *c)
{
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec	 v;
	size_t			 want;
	ssize_t			 n;

	if (c->file_left == 0 || evbuffer_get_length(out) >= NET_FILE_CHUNK)
		return 0;
	want = c->file_left < NET_FILE_CHUNK ? (size_t)c->file_left :
	    NET_FILE_CHUNK;
	if (evbuffer_reserve_space(out, (ev_ssize_t)want, &v, 1) < 1)
		return -1;
	do
		n = pread(c->file, v.iov_base, want, c->file_off);
	while (n == -1 && errno == EINTR);
	if (n <= 0) {
		v.iov_len = 0;
		evbuffer_commit_space(out, &v, 1);
		return -1;
	}
	v.iov_len = (size_t)n;
	if (evbuffer_commit_space(out, &v, 1) == -1)
		return -1;
	c->file_off += n;
	c->file_left -= n;
	c->queued += (size_t)n;
	if (c->file_left == 0) {
		close(c->file);
		c->file = -1;
		/* from now on, call the write callback once drained */
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	}
	return 0;
}

static void
conn_writecb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	if (c->file_left > 0 && file_refill(c) == -1) {
		conn_cut(c, "file read error");
		return;
	}
	if (c->done && c->file_left == 0 &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_close(c);
}

/*
 * The bound of the state ran out.  Waiting for the request: a handshake
 * that did not finish is dropped, a request that did not come is refused.
 * Answering: the client must have taken NET_WRITE_RATE_MIN bytes a second
 * over the last window, else it is cut.  Closing: give up on the client.
 */
static void
conn_timercb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	uint64_t	 sent;

	if (c->state < CONN_ANSWER)	/* no request in time */
		metrics_refused(c->w->id, METRICS_REFUSE_DEADLINE);
	switch (c->state) {
	case CONN_PROXY:
		conn_fail(c, "timeout waiting for the PROXY header");
		break;
	case CONN_SNIFF:
		conn_fail(c, c->mode == NET_TLS ? "TLS handshake timed out" :
		    "timeout waiting for the request");
		break;
	case CONN_REQUEST:
		if (c->ssl != NULL && !c->handshaken) {
			conn_fail(c, "TLS handshake timed out");
			break;
		}
		/* a data block must come as fast as a reader must read */
		if (c->line != NULL && net_rate_ok(c->mark, evbuffer_get_length(
		    bufferevent_get_input(c->bev)), nconf.timeout)) {
			c->mark = evbuffer_get_length(bufferevent_get_input(
			    c->bev));
			if (conn_arm(c, nconf.timeout) == 0)
				break;
		}
		if (to_answer(c) == -1)
			break;
		c->front->reject(c, c->line != NULL ?
		    "timeout waiting for the data block" :
		    "timeout waiting for the request");
		break;
	case CONN_ANSWER:
		sent = conn_progress(c);
		if (!c->done || !net_rate_ok(c->mark, sent, nconf.timeout)) {
			if (c->done)
				conn_cut(c, "reader too slow");
			else
				conn_fail(c, "no answer in time");
			break;
		}
		c->mark = sent;
		if (conn_arm(c, nconf.timeout) == -1)
			conn_cut(c, "out of memory");
		break;
	case CONN_CLOSE:
		conn_free(c);
		break;
	}
}

static int
conn_start(struct conn *c, bool tls)
{
	SSL	*ssl;
	BIO	*bio;

	if (tls) {
		if ((ssl = SSL_new(ssl_ctx)) == NULL)
			return -1;
		/*
		 * The socket BIO is made here, where its failure can be seen:
		 * libevent would go on with an SSL that has none.
		 */
		if ((bio = BIO_new_socket(c->fd, BIO_NOCLOSE)) == NULL) {
			SSL_free(ssl);
			return -1;
		}
		SSL_set_bio(ssl, bio, bio);
		if (c->front->client_cert)
			tls_request_cert(ssl);
		/*
		 * On failure libevent has freed SSL already (freeing it
		 * again was a double free); the socket is still ours.
		 */
		c->bev = bufferevent_openssl_socket_new(c->w->base, c->fd, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			return -1;
		c->ssl = ssl;
		bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	} else {
		c->bev = bufferevent_socket_new(c->w->base, c->fd,
		    BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			return -1;
	}
	c->fd = -1;			/* the bev owns it now */
	c->state = CONN_REQUEST;
	bufferevent_setcb(c->bev, conn_readcb, conn_writecb, conn_eventcb, c);
	/*
	 * No read high watermark: libevent 2.1 allocates for it and crashes
	 * when that fails.  conn_readcb() refuses a request that has grown
	 * too long after each read (16 KiB at most) and stops reading.
	 */
	return bufferevent_enable(c->bev, EV_READ);
}

/*
 * The socket is readable for the first time.  On a NET_TLS port the TLS
 * state is made only now, so that a connection that has sent nothing
 * costs little more than its struct: bytes (or an error) go to the
 * handshake, which ends and logs it as it would have from accept, and
 * a client that closed without a byte is logged so without any TLS
 * state made.  Where the loop tells a close apart (EV_CLOSED), the
 * socket is peeked at only then.  On a NET_SNIFF port the first byte
 * decides: 0x16 starts TLS; else the request is read at once, not after
 * another turn of the loop.
 */
static void
conn_sniffcb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in;
	unsigned char	 b = 0;
	ssize_t		 n = 1;		/* bytes, unless the peek says */

	if (c->mode != NET_TLS || (what & EV_CLOSED) ||
	    !(event_base_get_features(c->w->base) & EV_FEATURE_EARLY_CLOSE)) {
		n = recv(fd, &b, 1, MSG_PEEK);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			/* nothing after all: wait again (the deadline runs) */
			if (event_add(c->sniff, NULL) == -1)
				conn_fail(c, "out of memory");
			return;
		}
	}
	event_free(c->sniff);
	c->sniff = NULL;
	if (c->mode == NET_TLS) {
		if (n == 0)
			conn_fail(c, "closed before a request");
		else if (conn_start(c, true) == -1)
			conn_fail(c, "out of memory");
		return;
	}
	if (n <= 0) {
		conn_free(c);		/* closed before saying anything */
		return;
	}
	if (b == 0x16)
		log_debug("%s: a TLS handshake, answered over TLS",
		    c->front->name);
	if (conn_start(c, b == 0x16) == -1) {
		conn_fail(c, "out of memory");
		return;
	}
	/*
	 * Plain: the bytes are there, and most often the whole request.
	 * Read them as the bufferevent would (its input is frozen at the
	 * end between its reads), sparing the loop a turn.
	 */
	if (b != 0x16) {
		in = bufferevent_get_input(c->bev);
		evbuffer_unfreeze(in, 0);
		n = evbuffer_read(in, fd, -1);
		evbuffer_freeze(in, 0);
		if (n > 0)
			conn_readcb(c->bev, c);
	}
}

/*
 * Count a connection from SA against its address's budget.  Returns the
 * table entry, or NULL (logged once per NET_WARN_INTERVAL) when that
 * address has its budget (per_address) open already, memory ran out or
 * the family is neither IPv4 nor IPv6.
 */
static struct budget_peer *
peer_take(const struct sockaddr *sa, socklen_t salen,
    const struct front *front)
{
	struct budget_peer	*p;
	char			 host[INET6_ADDRSTRLEN];
	unsigned int		 n;

	if ((p = budget_take(budget, sa, now(), &n)) == NULL && n > 0) {
		net_peer_name(nconf.log_ip_anon, sa, (int)salen, host,
		    sizeof(host));
		log_warnx("%s: %s%stoo many connections from one address "
		    "(%u refused)", front->name, nconf.log_ip ? host : "",
		    nconf.log_ip ? ": " : "", n);
	}
	if (p == NULL)
		metrics_refused(self->id, METRICS_REFUSE_BUDGET);
	return p;
}

/*
 * The one place where a connection is refused, or told to slow down, by
 * rate: 0 (serve it), the seconds a "slow down" names, or -1 (banned;
 * logged as the ban starts).
 */
static int
rate_verdict(const struct front *front, const struct sockaddr *sa,
    socklen_t salen)
{
	struct timespec		 ts;
	char			 host[INET6_ADDRSTRLEN];
	unsigned int		 wait;
	bool			 started;
	enum rate_result	 r;

	if (nconf.rate == NULL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = ratelimit_take(nconf.rate, sa, (uint64_t)ts.tv_sec * 1000 +
	    (uint64_t)ts.tv_nsec / 1000000, &wait, &started);
	if (r != RATE_BANNED)
		return r == RATE_OK ? 0 : (int)wait;
	if (started) {
		net_peer_name(nconf.log_ip_anon, sa, (int)salen, host,
		    sizeof(host));
		log_warnx("%s: %s%sasks on past its rate limit: refused for "
		    "%u s", front->name, nconf.log_ip ? host : "",
		    nconf.log_ip ? " " : "a client ", wait);
	}
	metrics_refused(self->id, METRICS_REFUSE_RATE);
	return -1;
}

/* The client is known and counted: the handshake and the request. */
static void
conn_begin(struct conn *c)
{
	if (c->mode == NET_SNIFF || c->mode == NET_TLS) {
		c->state = CONN_SNIFF;
		c->sniff = event_new(c->w->base, c->fd, EV_READ | (c->mode ==
		    NET_TLS && (event_base_get_features(c->w->base) &
		    EV_FEATURE_EARLY_CLOSE) ? EV_CLOSED : 0), conn_sniffcb, c);
		if (c->sniff == NULL || event_add(c->sniff, NULL) == -1)
			conn_fail(c, "out of memory");
		return;
	}
	if (conn_start(c, false) == -1)
		conn_fail(c, "out of memory");
}

/*
 * The PROXY header is read: the client it names (the connection's own
 * peer for LOCAL and UNKNOWN) is the one the budget counts and the log
 * shows from here on.
 */
static void
conn_proxied(struct conn *c, const struct proxy_hdr *hdr)
{
	const struct sockaddr_in6 *src6 = (const void *)&hdr->src;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	socklen_t		 len = sizeof(ss);
	char			 host[INET6_ADDRSTRLEN];
	int			 slow;

	if (hdr->local) {
		if (getpeername(c->fd, (struct sockaddr *)&ss, &len) == -1) {
			conn_fail(c, "PROXY LOCAL: no peer address");
			return;
		}
	} else if (hdr->src.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&src6->sin6_addr)) {
		/* an IPv4 client: counted as one, not in ::ffff:0:0/64 */
		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_port = src6->sin6_port;
		memcpy(&sin->sin_addr, &src6->sin6_addr.s6_addr[12], 4);
		len = sizeof(*sin);
	} else {
		memcpy(&ss, &hdr->src, sizeof(ss));
		len = ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);
	}
	memcpy(&c->client, &ss, c->client_len = len);
	c->peer_entry = peer_take((struct sockaddr *)&ss, len, c->front);
	if (c->peer_entry == NULL ||
	    (slow = rate_verdict(c->front, (struct sockaddr *)&ss, len)) < 0) {
		conn_free(c);
		return;
	}
	c->slow = (unsigned int)slow;
	if (nconf.log_ip) {
		net_peer_name(nconf.log_ip_anon, (struct sockaddr *)&ss,
		    (int)len, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s ", host);
	}
	conn_begin(c);
}

/*
 * Bytes of the PROXY header.  They are peeked at, and only the header's
 * own are taken from the socket: what follows belongs to the TLS
 * handshake or the request.  While the header is incomplete every byte
 * so far is part of it, so the socket is drained and the event does not
 * fire again until more comes.
 */
static void
conn_proxycb(evutil_socket_t fd, short what, void *arg)
{
	struct conn		*c = arg;
	struct proxy_hdr	 hdr;
	const char		*errstr = NULL;
	unsigned char		*p;
	ssize_t			 n, len;
	size_t			 take, cap;

	/*
	 * Full and still incomplete: a v2 header with long TLVs.  An
	 * incomplete header is shorter than PROXY_HEADER_MAX, so the
	 * buffer grows to that at most.
	 */
	if (c->proxy_len == c->proxy_cap) {
		cap = c->proxy_cap * 2;
		if (cap > PROXY_HEADER_MAX)
			cap = PROXY_HEADER_MAX;
		if ((p = realloc(c->proxy_buf, cap)) == NULL) {
			conn_fail(c, "out of memory");
			return;
		}
		c->proxy_buf = p;
		c->proxy_cap = cap;
	}
	n = recv(fd, c->proxy_buf + c->proxy_len,
	    c->proxy_cap - c->proxy_len, MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n == 0 && c->proxy_len == 0) {
		conn_free(c);		/* closed before saying anything */
		return;
	}
	if (n <= 0) {
		conn_fail(c, n == 0 ? "closed within the PROXY header" :
		    strerror(errno));
		return;
	}
	len = proxy_parse(c->proxy_buf, c->proxy_len + (size_t)n, &hdr,
	    &errstr);
	if (len == -1) {
		conn_fail(c, errstr);
		return;
	}
	take = len == 0 ? (size_t)n : (size_t)len - c->proxy_len;
	if (recv(fd, c->proxy_buf + c->proxy_len, take, 0) != (ssize_t)take) {
		conn_fail(c, "PROXY header: read error");
		return;
	}
	c->proxy_len += take;
	if (len == 0)
		return;			/* the rest is on its way */
	event_free(c->proxy);
	c->proxy = NULL;
	free(c->proxy_buf);
	c->proxy_buf = NULL;
	conn_proxied(c, &hdr);
}

/* OPEN connections are open: the peak since the last trim, if higher. */
static void
note_peak(size_t open)
{
	size_t	 p = atomic_load_explicit(&peak, memory_order_relaxed);

	while (open > p && !atomic_compare_exchange_weak_explicit(&peak, &p,
	    open, memory_order_relaxed, memory_order_relaxed))
		;
}

#ifdef __GLIBC__
/*
 * Every NET_TRIM_INTERVAL seconds, on worker 0: once the open connections
 * have fallen to a quarter of a peak of NET_TRIM_PEAK or more (a flood of
 * handshakes has passed, each of which held some 45 KiB of TLS state),
 * give the memory they freed back to the system.  glibc's malloc keeps
 * it otherwise, in the middle of its heaps (each worker's thread has an
 * arena of its own), and the process stays at its peak size for good.
 * malloc_trim() walks every arena's free chunks, and what it gives back
 * costs a page fault when it is used again: it runs after a peak, not
 * at every tick.
 */
static void
trimcb(evutil_socket_t fd, short what, void *arg)
{
	size_t	 open = atomic_load(&total), was = atomic_load(&peak);

	if (was < NET_TRIM_PEAK || open > was / 4)
		return;
	atomic_store(&peak, open);
	malloc_trim(0);
	log_debug("%zu connections open after %zu: freed memory returned "
	    "to the system", open, was);
}
#endif

static void
acceptcb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct worker		*w = arg;
	const struct front	*front = NULL;
	enum net_tls		 mode = NET_PLAIN;
	bool			 proxy = false;
	struct budget_peer	*p = NULL;
	struct conn		*c;
	char			 host[INET6_ADDRSTRLEN];
	size_t			 i, nopen;
	unsigned int		 n;
	int			 slow = 0;
	bool			 refused = false, warn = false;

	for (i = 0; i < w->nlisteners; i++)
		if (w->listeners[i].ev == l) {
			front = w->listeners[i].front;
			mode = w->listeners[i].mode;
			proxy = w->listeners[i].proxy;
		}
	if (front == NULL || w->stopping) {
		close(fd);
		return;
	}
	/*
	 * The budgets first, before anything is done for the client: no
	 * handshake, no allocation, and one log line per interval.  Behind
	 * a proxy the client is only known from its header: counted then.
	 * Both budgets are the whole server's, whichever worker accepts.
	 */
	nopen = atomic_fetch_add(&total, 1);
	if (nopen >= (size_t)nconf.max_conns) {
		atomic_fetch_sub(&total, 1);
		refused = true;
		metrics_refused(w->id, METRICS_REFUSE_CAP);
		pthread_mutex_lock(&cap_mtx);
		warn = net_refusal_due(&cap_refused, &cap_warned, &n);
		pthread_mutex_unlock(&cap_mtx);
	} else if (!proxy &&
	    (p = peer_take(sa, (socklen_t)salen, front)) == NULL) {
		atomic_fetch_sub(&total, 1);
		refused = true;
	} else if (!proxy &&
	    (slow = rate_verdict(front, sa, (socklen_t)salen)) < 0) {
		uncount(p);
		refused = true;
	}
	if (refused) {
		close(fd);
		if (warn)
			log_warnx("%s: %zu connections open, refusing more "
			    "(%u refused)", front->name, nopen, n);
		return;
	}
	note_peak(nopen + 1);
	metrics_accepted(w->id, front->name);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		uncount(p);
		close(fd);
		return;
	}
	TAILQ_INSERT_TAIL(&w->conns, c, entry);
	w->nconns++;
	c->w = w;
	c->peer_entry = p;
	memcpy(&c->client, sa, c->client_len = (socklen_t)salen);
	c->fd = fd;
	c->file = -1;
	c->front = front;
	c->mode = mode;
	c->slow = (unsigned int)slow;
	c->state = CONN_REQUEST;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	if (nconf.log_ip) {
		net_peer_name(nconf.log_ip_anon, sa, salen, host,
		    sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s ", host);
	}
	/* one deadline for the PROXY header, the handshake and the request */
	if ((c->timer = evtimer_new(w->base, conn_timercb, c)) == NULL ||
	    conn_arm(c, nconf.timeout) == -1) {
		conn_fail(c, "out of memory");
		return;
	}
	if (proxy) {
		c->state = CONN_PROXY;
		c->proxy_cap = PROXY_BUF_START;
		if ((c->proxy_buf = malloc(c->proxy_cap)) == NULL ||
		    (c->proxy = event_new(w->base, fd, EV_READ | EV_PERSIST,
		    conn_proxycb, c)) == NULL ||
		    event_add(c->proxy, NULL) == -1)
			conn_fail(c, "out of memory");
		return;
	}
	conn_begin(c);
}

static void
resumecb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	size_t		 i;

	for (i = 0; i < w->nlisteners; i++)
		evconnlistener_enable(w->listeners[i].ev);
}

/*
 * accept() failed.  Out of file descriptors or of kernel memory for the
 * socket (EMFILE, ENFILE, ENOBUFS, ENOMEM), the connection stays queued
 * and the listener readable: pause accepting for a second (httpd's way)
 * rather than spin on it.  Other errors (the queued connection itself
 * failed) have taken that connection; accepting goes on.  The line is
 * logged once per NET_WARN_INTERVAL and worker, with the count.
 */
static void
accept_errorcb(struct evconnlistener *l, void *arg)
{
	struct worker	*w = arg;
	struct timeval	 tv = { 1, 0 };
	size_t		 i;
	unsigned int	 n;
	int		 e = EVUTIL_SOCKET_ERROR();
	bool		 pause = e == EMFILE || e == ENFILE || e == ENOBUFS ||
			    e == ENOMEM;

	if (net_refusal_due(&w->accept_failed, &w->accept_warned, &n))
		log_warnx("accept: %s%s (%u time%s)",
		    evutil_socket_error_to_string(e), pause ?
		    "; pausing for a second" : "", n, n == 1 ? "" : "s");
	if (!pause)
		return;
	for (i = 0; i < w->nlisteners; i++)
		evconnlistener_disable(w->listeners[i].ev);
	if (w->resume_ev == NULL)
		w->resume_ev = evtimer_new(w->base, resumecb, w);
	if (w->resume_ev != NULL)
		evtimer_add(w->resume_ev, &tv);
}

int
net_listen(const char *addr, const char *port, const struct front *front,
    enum net_tls mode, bool proxy, char *err, size_t errlen)
{
	struct listen_addr	 la = { .addr = addr, .port = port };

	return net_listen_at(&la, front, mode, proxy, err, errlen);
}

int
net_listen_at(const struct listen_addr *la, const struct front *front,
    enum net_tls mode, bool proxy, char *err, size_t errlen)
{
	struct evconnlistener	*l;
	struct listener		*li;
	struct worker		*w;
	unsigned int		 nw = (unsigned int)nconf.workers;
	size_t			 n, k;
	int			*fds;

	if (listen_open(la, nw, &fds, &n, err, errlen) == -1)
		return -1;
	for (k = 0; k < n * nw; k++) {
		w = &workers[k % nw];
		if ((li = reallocarray(w->listeners, w->nlisteners + 1,
		    sizeof(*li))) == NULL) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto bad;
		}
		w->listeners = li;
		l = evconnlistener_new(w->base, acceptcb, w,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, NET_BACKLOG,
		    fds[k]);
		if (l == NULL) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto bad;
		}
		evconnlistener_set_error_cb(l, accept_errorcb);
		li = &w->listeners[w->nlisteners++];
		li->ev = l;
		li->front = front;
		li->mode = mode;
		li->proxy = proxy;
	}
	free(fds);
	return 0;
 bad:
	for (; k < n * nw; k++)
		close(fds[k]);
	free(fds);
	return -1;
}

static void
close_listeners(struct worker *w)
{
	size_t	 i;

	for (i = 0; i < w->nlisteners; i++)
		evconnlistener_free(w->listeners[i].ev);
	free(w->listeners);
	w->listeners = NULL;
	w->nlisteners = 0;
	if (w->resume_ev != NULL)
		event_free(w->resume_ev);
	w->resume_ev = NULL;
}

static void
close_all(struct worker *w, const char *why)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(&w->conns)) != NULL) {
		if (c->done && c->state != CONN_CLOSE)
			conn_cut(c, why);
		else if (!c->done && c->why[0] == '\0' &&
		    c->state == CONN_ANSWER)
			conn_fail(c, why);
		else
			conn_free(c);
	}
}

/*
 * W has stopped and has no connection left: its loop ends (worker 0's
 * once every worker's has).
 */
static void
worker_finish(struct worker *w)
{
	if (w->finished)
		return;
	w->finished = true;
	if (w->id > 0)
		event_base_loopbreak(w->base);
	if (atomic_fetch_sub(&unfinished, 1) == 1)
		event_active(finished_ev, EV_READ, 0);
}

static void
stopcb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;

	close_all(w, "stopping");
	worker_finish(w);
}

/* net_stop() on W's own thread. */
static void
worker_stop(struct worker *w)
{
	struct timeval	 tv = { NET_STOP_GRACE, 0 };
	struct conn	*c, *next;

	close_listeners(w);
	if (w->stopping) {		/* asked twice: at once */
		stopcb(-1, 0, w);
		return;
	}
	w->stopping = true;
	/* no request yet: nothing to finish */
	for (c = TAILQ_FIRST(&w->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->state == CONN_PROXY || c->state == CONN_SNIFF ||
		    c->state == CONN_REQUEST)
			conn_free(c);
	}
	if (w->nconns == 0) {
		worker_finish(w);
		return;
	}
	if ((w->stop_ev = evtimer_new(w->base, stopcb, w)) == NULL ||
	    evtimer_add(w->stop_ev, &tv) == -1)
		stopcb(-1, 0, w);
}

void
net_stop(void)
{
	int	 i;

	for (i = 0; i < nconf.workers; i++)
		if (&workers[i] == self)
			worker_stop(&workers[i]);
		else
			event_active(workers[i].stop_req, EV_READ, 0);
}

void
net_shutdown(void)
{
	struct worker	*w;
	int		 i;

	if (workers == NULL)
		return;
	for (i = 1; i < nconf.workers; i++) {
		w = &workers[i];
		if (!w->started)
			continue;
		event_base_loopbreak(w->base);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	for (i = 0; i < nconf.workers; i++) {
		w = &workers[i];
		close_listeners(w);
		w->stopping = false;	/* no loopbreak from here on */
		close_all(w, "stopping");
		if (w->stop_ev != NULL)
			event_free(w->stop_ev);
		w->stop_ev = NULL;
		if (w->stop_req != NULL)
			event_free(w->stop_req);
		w->stop_req = NULL;
	}
	conn_jobs_end();		/* before their loops are freed */
	budget_free(budget);
	budget = NULL;
	net_set_ctx(NULL);
	for (i = 0; i < nconf.workers; i++) {
		w = &workers[i];
		/* the last references in a loop go with its finalizers */
		if (i > 0 && w->base != NULL)
			event_base_free(w->base);
		pthread_mutex_destroy(&w->ctx_mtx);
	}
	if (finished_ev != NULL)
		event_free(finished_ev);
	finished_ev = NULL;
	if (trim_ev != NULL)
		event_free(trim_ev);
	trim_ev = NULL;
	free(workers);
	workers = NULL;
	self = NULL;
}

/*
 * The request is read (or refused): stop reading, and from here on bound
 * the writing of the answer.  Returns 0, or -1 when C was freed.
 */
static int
to_answer(struct conn *c)
{
	bufferevent_disable(c->bev, EV_READ);	/* one request a connection */
	c->state = CONN_ANSWER;
	c->mark = conn_progress_start(c);
	if (conn_arm(c, nconf.timeout) == -1) {
		conn_fail(c, "out of memory");
		return -1;
	}
	return 0;
}

/* For the log: the start of a request that never became a line. */
static void
note_head(struct conn *c, struct evbuffer *in)
{
	char		 head[64];
	ev_ssize_t	 n;

	if ((n = evbuffer_copyout(in, head, sizeof(head))) > 0)
		log_escape(c->req, sizeof(c->req), head, (size_t)n);
}

/*
 * The data block a request line announced is complete once DATA_LEN bytes
 * have come (more are ignored); the request deadline runs on meanwhile.
 */
static void
take_data(struct conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);

	if (evbuffer_get_length(in) < c->data_len)
		return;				/* wait for the rest */
	if (to_answer(c) == -1)
		return;
	if ((c->data = malloc(c->data_len + 1)) == NULL) {
		conn_fail(c, "out of memory");
		return;
	}
	evbuffer_remove(in, c->data, c->data_len);
	c->data[c->data_len] = '\0';
	c->front->serve(c, c->line, strlen(c->line));
}

static void
take_request(struct conn *c, char *line, size_t len)
{
	c->line = line;
	log_escape(c->req, sizeof(c->req), line, len);
	if (c->slow == 0 && len <= c->front->line_max &&
	    memchr(line, '\0', len) == NULL &&
	    c->front->data_len != NULL &&
	    (c->data_len = c->front->data_len(c, line, len)) > 0 &&
	    c->data_len <= c->front->data_max) {
		c->mark = 0;			/* the data's bytes so far */
		take_data(c);
		return;
	}
	c->data_len = 0;
	if (to_answer(c) == -1)
		return;
	if (c->slow > 0)		/* past the rate limit: no data */
		c->front->slow_down(c, c->slow);
	else if (len > c->front->line_max)
		c->front->reject(c, "request too long");
	else if (memchr(line, '\0', len) != NULL)
		c->front->reject(c, "NUL byte in request");
	else
		c->front->serve(c, line, len);
}

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	struct conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	enum evbuffer_eol_style	 eol;
	char			*line;
	size_t			 len;

	if (c->state != CONN_REQUEST)
		return;
	if (c->line != NULL) {			/* the line is in: its data */
		take_data(c);
		return;
	}
	eol = c->front->lf_ok ? EVBUFFER_EOL_CRLF : EVBUFFER_EOL_CRLF_STRICT;
	line = evbuffer_readln(in, &len, eol);
	if (line == NULL && evbuffer_search_eol(in, NULL, NULL, eol).pos != -1) {
		conn_fail(c, "out of memory");	/* a line, but no copy */
		return;
	}
	if (line == NULL) {
		len = evbuffer_get_length(in);
		if (!c->front->lf_ok &&
		    evbuffer_search(in, "\n", 1, NULL).pos != -1) {
			/* a bare LF: CRLF_STRICT would never find the end */
			note_head(c, in);
			if (to_answer(c) == 0)
				c->front->reject(c,
				    "request line ends in LF, not CRLF");
		} else if (len > c->front->line_max + 2) {
			/* log what came, and refuse it */
			note_head(c, in);
			if (to_answer(c) == 0)
				c->front->reject(c, "request too long");
		}
		return;
	}
	take_request(c, line, len);
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		 tmp[256];
	char		*line;
	size_t		 len;
	unsigned long	 e;

	if (what & BEV_EVENT_CONNECTED) {
		c->handshaken = true;
		metrics_handshake(c->w->id, c->front->name,
		    SSL_session_reused(c->ssl), SSL_get0_peer_certificate(
		    c->ssl) != NULL);
		log_debug("%s: %s handshake done, SNI %s, worker %u",
		    c->front->name, SSL_get_version(c->ssl),
		    conn_sni(c) ? conn_sni(c) : "none", c->w->id);
		return;
	}
	if ((what & BEV_EVENT_EOF) && c->state == CONN_REQUEST &&
	    c->front->eof_ends && (len = evbuffer_get_length(in)) > 0 &&
	    len <= c->front->line_max) {
		/* a client that half-closes instead of sending CRLF */
		if ((line = malloc(len + 1)) == NULL) {
			conn_fail(c, "out of memory");
			return;
		}
		evbuffer_remove(in, line, len);
		line[len] = '\0';
		take_request(c, line, len);
		return;
	}
	if ((what & BEV_EVENT_EOF) && c->state == CONN_REQUEST &&
	    !c->front->eof_ends && (c->line != NULL ||
	    evbuffer_get_length(in) > 0)) {
		/* the client half-closed; it may still read the answer */
		if (c->line == NULL)
			note_head(c, in);
		if (to_answer(c) == 0)
			c->front->reject(c, c->line != NULL ?
			    "closed before the whole data block came" :
			    "request line does not end in CRLF");
		return;
	}
	if ((what & BEV_EVENT_EOF) && c->state == CONN_ANSWER &&
	    !(what & BEV_EVENT_WRITING)) {
		/* a half-close after the request: the answer still goes */
		bufferevent_disable(bev, EV_READ);
		return;
	}
	if (c->done) {
		conn_cut(c, what & BEV_EVENT_EOF ? "closed by the client" :
		    "connection error");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		if (c->ssl != NULL && (e = bufferevent_get_openssl_error(bev))
		    != 0) {
			memcpy(tmp, "TLS: ", 5);
			ERR_error_string_n(e, tmp + 5, sizeof(tmp) - 5);
			conn_fail(c, tmp);
		} else if (c->ssl != NULL && !c->handshaken)
			conn_fail(c, "TLS handshake failed");
		else if (EVUTIL_SOCKET_ERROR() != 0)
			conn_fail(c, evutil_socket_error_to_string(
			    EVUTIL_SOCKET_ERROR()));
		else
			conn_fail(c, "connection error");
		return;
	}
	/* EOF: the client went away */
	conn_fail(c, c->line == NULL ? "closed before a request" :
	    "closed before the response was sent");
}

const char *
conn_data(struct conn *c, size_t *len)
{
	*len = c->data != NULL ? c->data_len : 0;
	return c->data;
}

void *
conn_ctx(struct conn *c)
{
	if (c->ctx == NULL)
		c->ctx = worker_ctx(c->w);
	return c->ctx;
}

struct event_base *
conn_base(struct conn *c)
{
	return c->w->base;
}

void
conn_on_free(struct conn *c, void (*fn)(void *), void *arg)
{
	c->on_free = fn;
	c->on_free_arg = arg;
}

void
conn_set_req(struct conn *c, const char *req)
{
	log_escape(c->req, sizeof(c->req), req, strlen(req));
}

void
conn_set_proto(struct conn *c, const char *proto)
{
	c->proto = proto;
}

void
conn_set_host(struct conn *c, const char *host)
{
	c->host = host;
}

const char *
conn_sni(struct conn *c)
{
	if (c->ssl == NULL)
		return NULL;
	return SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
}

bool
conn_cert(struct conn *c, struct conn_cert *cc)
{
	cc->present = c->ssl != NULL && tls_peer_cert(c->ssl, cc);
	return cc->present;
}

const struct sockaddr *
conn_local_addr(struct conn *c, socklen_t *len)
{
	int	 fd;

	if (!c->has_local) {
		fd = c->bev != NULL ? bufferevent_getfd(c->bev) : c->fd;
		c->local_len = sizeof(c->local);
		if (fd == -1 || getsockname(fd, &c->local.sa,
		    &c->local_len) == -1)
			return NULL;
		c->has_local = true;
	}
	*len = c->local_len;
	return &c->local.sa;
}

const struct sockaddr *
conn_client_addr(struct conn *c, socklen_t *len)
{
	*len = c->client_len;
	return (const struct sockaddr *)&c->client;
}

void
conn_reply(struct conn *c, const void *data, size_t len)
{
	if (c->file_left > 0)
		return;
	if (bufferevent_write(c->bev, data, len) == 0)
		c->queued += len;
}

void
conn_replyf(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (c->file_left > 0)
		return;
	va_start(ap, fmt);
	n = evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
	if (n > 0)
		c->queued += (size_t)n;
}

static void
unref_cb(const void *data, size_t len, void *arg)
{
	if (nconf.unref != NULL)
		nconf.unref(arg);
}

void
conn_reply_ref(struct conn *c, const void *data, size_t len)
{
	void	*ctx = conn_ctx(c);

	if (len == 0 || c->file_left > 0)
		return;
	if (ctx != NULL && nconf.ref != NULL)
		nconf.ref(ctx);
	if (evbuffer_add_reference(bufferevent_get_output(c->bev), data, len,
	    unref_cb, ctx) == -1) {
		if (ctx != NULL && nconf.unref != NULL)
			nconf.unref(ctx);
		return;
	}
	c->queued += len;
}

void
conn_reply_held(struct conn *c, const void *data, size_t len,
    void (*drop)(const void *, size_t, void *), void *arg)
{
	if (drop == NULL) {
		conn_reply_ref(c, data, len);
		return;
	}
	if (len == 0 || c->file_left > 0 ||
	    evbuffer_add_reference(bufferevent_get_output(c->bev), data, len,
	    drop, arg) == -1) {
		drop(data, len, arg);
		return;
	}
	c->queued += len;
}

int
conn_reply_file(struct conn *c, int fd, off_t offset, off_t len)
{
	if (c->file != -1 || c->file_left > 0 || offset < 0 || len < 0) {
		close(fd);
		return -1;
	}
	if (len == 0) {
		close(fd);
		return 0;
	}
	c->file = fd;
	c->file_off = offset;
	c->file_left = len;
	/* the write callback refills as the output runs low */
	bufferevent_setwatermark(c->bev, EV_WRITE, NET_FILE_CHUNK / 2, 0);
	if (file_refill(c) == -1) {
		/* nothing of the file went out: as if never queued */
		close(c->file);
		c->file = -1;
		c->file_left = 0;
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
		return -1;
	}
	return 0;
}

#define NET_WRITE_PIECE	16384	/* libevent's largest single write */
#define NET_RECORD_MAX	16384	/* a TLS record's bytes (RFC 8446, 5.1) */
#define NET_CORK_MAX	8192	/* answers sent in one write with their
				   close_notify */
#define NET_CORK_SLACK	2048	/* room for the ticket, record headers
				   and the alert */

/*
 * Over TLS, an answer of at most NET_CORK_MAX bytes, complete and not
 * yet begun, is corked (tls_cork): with its session ticket before it and
 * its close_notify after it (notifycb) it leaves in one write instead of
 * three.  A fresh socket's send buffer takes that much at once, so the
 * write rate bound does not come into it.  On any failure here the
 * answer is simply not corked.
 */
static void
conn_cork(struct conn *c, size_t len)
{
	if (len > 0 && len <= NET_CORK_MAX &&
	    tls_cork(c->ssl, len + NET_CORK_SLACK) == 0)
		c->corked = len;
}

/*
 * Write what is queued now, in the callback that queued it, rather than
 * after the loop has seen the socket writable: most answers fit in the
 * socket's buffer at once, and this spares the loop a turn (two system
 * calls) per request.  Whatever is left, and any error, the bufferevent
 * meets on its own as before.  Over TLS the first piece goes to
 * SSL_write exactly as the bufferevent would hand it (the first chain,
 * at most NET_WRITE_PIECE bytes), and not at all while OpenSSL holds a
 * record it could not write: a retry must offer the same bytes.
 */
static void
conn_write_now(struct conn *c)
{
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec	 v;
	size_t			 len;
	int			 n;

	if (c->ssl == NULL) {
		/* the socket bufferevent's output is frozen at the start */
		evbuffer_unfreeze(out, 1);
		(void)evbuffer_write(out, bufferevent_getfd(c->bev));
		evbuffer_freeze(out, 1);
		return;
	}
	if (!c->handshaken || SSL_want(c->ssl) == SSL_WRITING)
		return;
	/*
	 * Each piece queued (a status line, a page) would be a record of its
	 * own: an answer that fits in one is made one piece first.
	 */
	if ((len = evbuffer_get_length(out)) <= NET_RECORD_MAX &&
	    evbuffer_peek(out, -1, NULL, NULL, 0) > 1)
		(void)evbuffer_pullup(out, -1);
	if (len == c->queued)
		conn_cork(c, len);
	while (evbuffer_peek(out, -1, NULL, &v, 1) > 0) {
		len = v.iov_len < NET_WRITE_PIECE ? v.iov_len : NET_WRITE_PIECE;
		if (len == 0)
			break;
		ERR_clear_error();
		if ((n = SSL_write(c->ssl, v.iov_base, (int)len)) <= 0) {
			ERR_clear_error();
			break;
		}
		evbuffer_drain(out, (size_t)n);
	}
}

void
conn_done(struct conn *c, const char *status, const char *why)
{
	c->done = true;
	c->status = status;
	if (why != NULL)
		snprintf(c->why, sizeof(c->why), "%s", why);
	bufferevent_disable(c->bev, EV_READ);
	/*
	 * TLS 1.3: the session ticket goes first in the answer's first
	 * write (tls_ctx_setup sends none at the end of the handshake).
	 * Only with an answer queued: SSL_shutdown refuses while a ticket
	 * waits.
	 */
	if (c->ssl != NULL && c->handshaken && c->file_left + (off_t)
	    evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
		(void)tls_ticket(c->ssl);
	if (c->file_left == 0)
		conn_write_now(c);
	if (c->file_left == 0 &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_close(c);
}
