/*
 * zeche-bench: a small, bounded load generator for Gemini and Gopher.
 *
 * One request per connection, as both protocols demand: connect, (TLS
 * handshake,) send one line, read until the server closes.  CONCURRENCY
 * threads each run that loop with blocking sockets and per-operation
 * timeouts, so the code stays linear and easy to check; a shared atomic
 * counter hands out request numbers until -n requests were started or the
 * -d cap has passed.  With -E, one thread keeps CONCURRENCY connections
 * in flight on non-blocking sockets with epoll instead.  Latency is
 * measured from connect() to the close, so it includes the TCP and TLS
 * handshakes.
 *
 * Only loopback addresses are accepted: this tool must never load a host
 * that is not the machine it runs on.
 *
 * Gopher selectors are sent as given, except that the two characters
 * "\t" stand for a TAB, so that a search (SELECTOR TAB QUERY) can be
 * typed on a command line; with -e, a Gopher response that starts with
 * an error item (type 3) counts as an error.
 *
 * Output is one line of key=value pairs on stdout; the first error, if
 * any, goes to stderr.  Exit status: 0 if every request succeeded, 1 if
 * some failed, 2 on usage errors.
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define BENCH_CONC_MAX		1024
#define BENCH_REQ_MAX		10000000L	/* bounds the latency array */
#define BENCH_REQ_DEFAULT	2000L
#define BENCH_DUR_DEFAULT	60.0		/* seconds, when only -n given */
#define BENCH_DUR_MAX		3600.0
#define BENCH_IO_TIMEOUT	10		/* seconds per connect/read/write */
#define BENCH_PATHS_MAX		64
#define GEMINI_URL_MAX		1024		/* gemini spec, section 5 */
#define GEMINI_PORT		1965
#define BENCH_SRC_MAX		4096		/* -A: source addresses */
#define FLOOR_BODY		2048		/* the floors' page size */

enum bench_proto {
	PROTO_NONE,
	PROTO_GEMINI,
	PROTO_GOPHER,
	PROTO_TLS_FLOOR,	/* OpenSSL over a BIO pair, no sockets */
	PROTO_TCP_FLOOR,	/* a minimal epoll responder, forked */
};

struct wctx {
	struct bench		*b;
	int			 id;
	long			 idx;		/* the request being made */
	SSL_SESSION		*sess;		/* owned: to resume, -R */
};

struct bench {
	enum bench_proto	 proto;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	const char		*addr;
	const char		*host;		/* SNI and URL host */
	int			 port;
	const char		*paths[BENCH_PATHS_MAX];
	char			*reqs[BENCH_PATHS_MAX];	/* owned */
	size_t			 reqlens[BENCH_PATHS_MAX];
	size_t			 npaths;
	char			 status[3];	/* expected Gemini status */
	bool			 goph_err3;	/* -e: type 3 is an error */
	int			 conc;
	long			 nreq;
	double			 dur;
	int			 tlsmax;	/* 0 or TLS1_x_VERSION */
	int			 nsrc;		/* -A: source addresses */
	bool			 resume;	/* -R: resume sessions */
	bool			 tlsepoll;	/* Gemini against the TLS
						   floor over sockets */
	bool			 hold;		/* -I: hold idle connections */
	bool			 event;		/* -E: one epoll thread */
	int			*hfd;		/* -I: owned, by request */
	SSL			**hssl;		/* -I: owned, by request */
	pid_t			 spid;		/* -S: the server's pid */
	int			 floorcpu;	/* -K: pin the responder */
	SSL_CTX			*ctx;		/* owned, NULL for gopher */

	double			 t0;
	double			 deadline;
	uint32_t		*lat;		/* owned, usec, by request */

	atomic_long		 next;
	atomic_long		 ok;
	atomic_long		 errors;
	atomic_long		 no_close_notify;
	atomic_long		 resumed;
	atomic_long		 tickets;	/* session tickets received */
	atomic_long		 held;		/* -I: connections held */
	atomic_ullong		 bytes;
	atomic_int		 tlsvers;	/* first negotiated version */

	pthread_mutex_t		 errmtx;
	char			 firsterr[256];
};

static void	usage(void) __attribute__((noreturn));
static void	seterr(struct bench *, const char *, const char *)
		    __attribute__((format(printf, 2, 0)));

static struct bench	*the_bench;	/* for the OpenSSL callback */

/* A session (ticket) arrived; SSL_get1_session takes the newest. */
static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	atomic_fetch_add(&the_bench->tickets, 1);
	return 0;			/* not kept here */
}

/*
 * Raise the soft descriptor limit to at least N (within the hard one).
 * Returns 0, or -1 if N does not fit.
 */
static int
raise_nofile(long n)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)n) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n)
			return -1;
		rl.rlim_cur = (rlim_t)n;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			return -1;
	}
	return 0;
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: zeche-bench -p gemini|gopher|tls-floor|"
	    "tcp-floor|tls-epoll-floor [-P port]\n"
	    "\t[-a addr] [-A naddrs] [-H host] [-c conc] [-EeIR] "
	    "[-K cpu] [-n requests]\n"
	    "\t[-d seconds] [-S pid] [-s status] [-T 1.2|1.3] "
	    "[-u path] ...\n");
	exit(2);
}

static void
seterr(struct bench *b, const char *fmt, const char *what)
{
	pthread_mutex_lock(&b->errmtx);
	if (b->firsterr[0] == '\0')
		snprintf(b->firsterr, sizeof(b->firsterr), fmt, what);
	pthread_mutex_unlock(&b->errmtx);
}

/*
 * Accept only numeric loopback addresses: 127.0.0.0/8, ::1 and
 * ::ffff:127.0.0.0/104.  Names are refused so that no resolver can
 * send us anywhere else.
 */
static int
parse_loopback(struct bench *b, const char *addr, int port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&b->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&b->ss;

	memset(&b->ss, 0, sizeof(b->ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		b->sslen = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) &&
		    !(IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127))
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		b->sslen = sizeof(*sin6);
		return 0;
	}
	return -1;
}

static int
build_requests(struct bench *b)
{
	char		 port[16], buf[GEMINI_URL_MAX + 3];
	const char	*p;
	size_t		 i;
	int		 n;

	/* RFC 3986: the port is left out when it is the scheme's default. */
	port[0] = '\0';
	if (b->port != GEMINI_PORT)
		snprintf(port, sizeof(port), ":%d", b->port);
	for (i = 0; i < b->npaths; i++) {
		p = b->paths[i];
		if (b->proto == PROTO_GEMINI || b->proto == PROTO_TLS_FLOOR) {
			if (*p == '/')
				p++;
			n = snprintf(buf, sizeof(buf), "gemini://%s%s/%s\r\n",
			    b->host, port, p);
			if (n < 0 || (size_t)n >= sizeof(buf) ||
			    (size_t)n - 2 > GEMINI_URL_MAX)
				return -1;
		} else {
			/* "\t" is a TAB; everything else goes as is. */
			for (n = 0; *p != '\0'; p++) {
				if ((size_t)n + 3 > sizeof(buf))
					return -1;
				if (p[0] == '\\' && p[1] == 't') {
					buf[n++] = '\t';
					p++;
				} else
					buf[n++] = *p;
			}
			buf[n++] = '\r';
			buf[n++] = '\n';
			buf[n] = '\0';
		}
		if ((b->reqs[i] = strdup(buf)) == NULL)
			return -1;
		b->reqlens[i] = n;
	}
	return 0;
}

static int
set_timeouts(int fd)
{
	struct timeval	tv = { BENCH_IO_TIMEOUT, 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		return -1;
	return 0;
}

/* Close FD, keeping errno; returns -1. */
static int
close_err(int fd)
{
	int	 err = errno;

	close(fd);
	errno = err;
	return -1;
}

/*
 * A non-blocking socket with its connect() begun (*INPROGRESS set when it
 * is not done yet), from the source address of client ID with -A.
 */
static int
dial_start(struct bench *b, int id, bool *inprogress)
{
	struct sockaddr_in	src;
	int			fd, one = 1;

	*inprogress = false;
	if ((fd = socket(b->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	/*
	 * -A N: client I comes from 127.0.0.(2 + I mod N), as real clients
	 * come from many addresses (a server's per-address budget would
	 * otherwise refuse most of a large -c).  The port is chosen at
	 * connect(), so the four-tuple, not the address, must be unique.
	 */
	if (b->nsrc > 0) {
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(0x7f000002u + id % b->nsrc);
#ifdef IP_BIND_ADDRESS_NO_PORT
		(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one));
#endif
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1)
			goto bad;
	}
	/* The request is one small write; don't let Nagle delay it. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&b->ss, b->sslen) == -1) {
		if (errno != EINPROGRESS)
			goto bad;
		*inprogress = true;
	}
	return fd;
 bad:
	return close_err(fd);
}

/* The outcome of FD's connect(): 0, or -1 with errno set. */
static int
dial_result(int fd)
{
	socklen_t	len;
	int		err;

	len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Connect with a bounded wait, then return a blocking socket. */
static int
dial(struct bench *b, int id)
{
	struct pollfd		pfd;
	bool			inprogress;
	int			fd, flags;

	if ((fd = dial_start(b, id, &inprogress)) == -1)
		return -1;
	if (inprogress) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, BENCH_IO_TIMEOUT * 1000) != 1) {
			errno = ETIMEDOUT;
			goto bad;
		}
		if (dial_result(fd) == -1)
			goto bad;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
	    set_timeouts(fd) == -1)
		goto bad;
	return fd;
 bad:
	return close_err(fd);
}

static const char *
ssl_errstr(char *buf, size_t len)
{
	unsigned long	e;

	if ((e = ERR_peek_last_error()) == 0)
		snprintf(buf, len, "%s", errno ? strerror(errno) : "eof");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/*
 * -I: keep this connection open and idle (SSL may be NULL): the main
 * thread reads the server's memory once every connection is made, then
 * closes them all.
 */
static void
hold(struct wctx *w, int fd, SSL *ssl)
{
	w->b->hfd[w->idx] = fd;
	w->b->hssl[w->idx] = ssl;
	atomic_fetch_add(&w->b->held, 1);
}

/*
 * The source address of a connection (-A): by client thread, or with -I
 * by connection, so that few threads still spread their many
 * connections over every address.
 */
static int
dial_id(struct wctx *w)
{
	return w->b->hold ? (int)(w->idx % INT_MAX) : w->id;
}

/* A client TLS connection on FD for W's next request; NULL on error. */
static SSL *
gemini_ssl(struct wctx *w, int fd)
{
	struct bench	*b = w->b;
	SSL		*ssl;
	char		 ebuf[160];

	if ((ssl = SSL_new(b->ctx)) == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    (w->sess != NULL && SSL_set_session(ssl, w->sess) != 1)) {
		seterr(b, "SSL_new: %s", ssl_errstr(ebuf, sizeof(ebuf)));
		SSL_free(ssl);
		return NULL;
	}
	/* RFC 6066: no IP literals in SNI. */
	if (b->host[0] != '[' && strspn(b->host, "0123456789.") !=
	    strlen(b->host))
		SSL_set_tlsext_host_name(ssl, b->host);
	return ssl;
}

/* The handshake on SSL is done: count what it was. */
static void
gemini_handshaken(struct bench *b, SSL *ssl)
{
	int	 zero = 0;

	atomic_compare_exchange_strong(&b->tlsvers, &zero, SSL_version(ssl));
	if (SSL_session_reused(ssl))
		atomic_fetch_add(&b->resumed, 1);
}

/*
 * SSL_read on SSL returned N <= 0: 1 when the answer has ended (*NOTIFY:
 * with close_notify), 0 when it wants to wait (WANT_READ/WRITE, on a
 * non-blocking socket), -1 on an error (b->firsterr filled in).
 */
static int
gemini_read_end(struct bench *b, SSL *ssl, int n, bool *notify)
{
	char	 ebuf[160];
	int	 e = SSL_get_error(ssl, n);

	if (e == SSL_ERROR_ZERO_RETURN) {
		*notify = true;
		return 1;
	}
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	/* OpenSSL 3 reports a bare TCP close as an SSL error. */
	if (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) ==
	    SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		ERR_clear_error();
		return 1;
	}
	seterr(b, "read: %s", ssl_errstr(ebuf, sizeof(ebuf)));
	return -1;
}

/*
 * The answer on SSL has ended, HEAD its first NHEAD (<= 3) bytes: check
 * the status, answer close_notify, keep the session for -R.  Returns 0,
 * or -1 (b->firsterr filled in).
 */
static int
gemini_end(struct wctx *w, SSL *ssl, const char *head, size_t nhead,
    bool notify)
{
	struct bench	*b = w->b;

	if (nhead < 3 || memcmp(head, b->status, 2) != 0 ||
	    (head[2] != ' ' && head[2] != '\r')) {
		seterr(b, "%s", nhead < 3 ? "short response" :
		    "unexpected status");
		return -1;
	}
	if (notify)
		(void)SSL_shutdown(ssl);	/* answer it; may race a RST */
	/* TLS 1.3 tickets come after the handshake: keep the newest. */
	if (b->resume) {
		SSL_SESSION_free(w->sess);
		w->sess = SSL_get1_session(ssl);
		/* SSL_free would spoil a session not closed cleanly. */
		SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN |
		    SSL_RECEIVED_SHUTDOWN);
	}
	return 0;
}

/*
 * One Gemini request.  Returns 0 on success, -1 on error (b->firsterr
 * filled in).  *nbytes gets the response size, *notify whether the
 * server ended the stream with close_notify.
 */
static int
gemini_one(struct wctx *w, size_t ri, double start, uint64_t *nbytes,
    bool *notify)
{
	struct bench	*b = w->b;
	SSL		*ssl = NULL;
	char		 buf[16384], ebuf[160], head[3];
	size_t		 nhead = 0;
	int		 fd, n, j, r, ret = -1;

	*notify = false;
	ERR_clear_error();
	errno = 0;
	if ((fd = dial(b, dial_id(w))) == -1) {
		seterr(b, "connect: %s", strerror(errno));
		return -1;
	}
	if ((ssl = gemini_ssl(w, fd)) == NULL)
		goto done;
	if (SSL_connect(ssl) != 1) {
		seterr(b, "handshake: %s", ssl_errstr(ebuf, sizeof(ebuf)));
		goto done;
	}
	gemini_handshaken(b, ssl);
	if (b->hold) {
		hold(w, fd, ssl);
		return 0;
	}
	if (SSL_write(ssl, b->reqs[ri], b->reqlens[ri]) <= 0) {
		seterr(b, "write: %s", ssl_errstr(ebuf, sizeof(ebuf)));
		goto done;
	}
	for (;;) {
		if (now() - start > BENCH_IO_TIMEOUT) {
			seterr(b, "%s", "response took too long");
			goto done;
		}
		errno = 0;
		if ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) {
			*nbytes += n;
			for (j = 0; nhead < sizeof(head) && j < n; j++)
				head[nhead++] = buf[j];
			continue;
		}
		/* a blocking socket: "wait" is its timeout */
		if ((r = gemini_read_end(b, ssl, n, notify)) == 1)
			break;
		if (r == 0)
			seterr(b, "read: %s", "timed out");
		goto done;
	}
	ret = gemini_end(w, ssl, head, nhead, *notify);
 done:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
	return ret;
}

/* A Gopher answer of NBYTES, FIRST its first byte, has ended: 0, or -1. */
static int
gopher_end(struct bench *b, uint64_t nbytes, char first)
{
	if (nbytes == 0) {
		seterr(b, "%s", "empty response");
		return -1;
	}
	if (b->goph_err3 && first == '3') {
		seterr(b, "%s", "error item (type 3)");
		return -1;
	}
	return 0;
}

static int
gopher_one(struct wctx *w, size_t ri, double start, uint64_t *nbytes)
{
	struct bench	*b = w->b;
	char	 buf[16384], first = '\0';
	ssize_t	 n;
	size_t	 off;
	int	 fd, ret = -1;

	if ((fd = dial(b, dial_id(w))) == -1) {
		seterr(b, "connect: %s", strerror(errno));
		return -1;
	}
	if (b->hold) {
		hold(w, fd, NULL);
		return 0;
	}
	for (off = 0; off < b->reqlens[ri]; off += n) {
		n = send(fd, b->reqs[ri] + off, b->reqlens[ri] - off,
		    MSG_NOSIGNAL);
		if (n == -1) {
			seterr(b, "write: %s", strerror(errno));
			goto done;
		}
	}
	for (;;) {
		if (now() - start > BENCH_IO_TIMEOUT) {
			seterr(b, "%s", "response took too long");
			goto done;
		}
		if ((n = recv(fd, buf, sizeof(buf), 0)) == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			seterr(b, "read: %s", strerror(errno));
			goto done;
		}
		if (*nbytes == 0)
			first = buf[0];
		*nbytes += n;
	}
	ret = gopher_end(b, *nbytes, first);
 done:
	close(fd);
	return ret;
}

/* The next request's number, or -1 once -n are started or -d is up. */
static long
take(struct bench *b)
{
	long	 i;

	if (now() >= b->deadline ||
	    (i = atomic_fetch_add(&b->next, 1)) >= b->nreq)
		return -1;
	return i;
}

/* Request I, begun at START, has ended with R (0: well), NOTIFY, NBYTES. */
static void
record(struct bench *b, long i, double start, int r, bool notify,
    uint64_t nbytes)
{
	double	 us = (now() - start) * 1e6;

	b->lat[i] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	if (r == 0) {
		atomic_fetch_add(&b->ok, 1);
		if (!notify)
			atomic_fetch_add(&b->no_close_notify, 1);
	} else
		atomic_fetch_add(&b->errors, 1);
	atomic_fetch_add(&b->bytes, nbytes);
}

static void *
worker(void *arg)
{
	struct wctx	*w = arg;
	struct bench	*b = w->b;
	uint64_t	 nbytes;
	double		 start;
	long		 i;
	bool		 notify;
	int		 r;

	while ((i = take(b)) != -1) {
		nbytes = 0;
		notify = true;
		start = now();
		w->idx = i;
		if (b->proto == PROTO_GEMINI)
			r = gemini_one(w, i % b->npaths, start, &nbytes,
			    &notify);
		else
			r = gopher_one(w, i % b->npaths, start, &nbytes);
		record(b, i, start, r, notify, nbytes);
	}
	return NULL;
}

/*
 * -E: one thread keeps -c connections in flight on non-blocking sockets
 * with epoll, instead of -c threads with blocking ones.  With many in
 * flight, the threads wait for a CPU of their own, and that wait shows
 * as latency; here a connection waits only for the server and for its
 * turn in one loop.  Each slot is a client of its own (its -A address,
 * its session for -R).
 */
enum estate {
	E_IDLE,			/* no request left for it */
	E_CONNECT,
	E_HANDSHAKE,
	E_SEND,
	E_READ
};

struct econn {
	struct wctx	 w;		/* the slot: id, request, session */
	enum estate	 state;
	int		 fd;
	SSL		*ssl;		/* Gemini */
	double		 start;
	uint64_t	 nbytes;
	size_t		 off;		/* Gopher: request bytes sent */
	char		 head[3];	/* the answer's first bytes */
	size_t		 nhead;
};

/* Wait for C's socket to be ready for EV; 0, or -1 (b->firsterr). */
static int
econn_wait(int ep, struct econn *c, uint32_t ev)
{
	struct epoll_event	 e;

	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e) == -1) {
		seterr(c->w.b, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* SSL wants to wait (N its return): 0 once waiting, or -1. */
static int
econn_ssl_wait(int ep, struct econn *c, int n, const char *what)
{
	char	 ebuf[160];

	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		return econn_wait(ep, c, EPOLLIN);
	case SSL_ERROR_WANT_WRITE:
		return econn_wait(ep, c, EPOLLOUT);
	default:
		seterr(c->w.b, what, ssl_errstr(ebuf, sizeof(ebuf)));
		return -1;
	}
}

/*
 * A plain send() or recv() on C returned N: 0 to go on, 1 once waiting
 * for EV, -1 on an error (WHAT names it).
 */
static int
econn_plain(int ep, struct econn *c, ssize_t n, uint32_t ev,
    const char *what)
{
	if (n >= 0)
		return 0;
	if (errno == EAGAIN)
		return econn_wait(ep, c, ev) == -1 ? -1 : 1;
	seterr(c->w.b, what, strerror(errno));
	return -1;
}

/* Start slot C's next request, or leave it idle; *ACTIVE counts. */
static void
econn_begin(int ep, struct econn *c, int *active)
{
	struct bench		*b = c->w.b;
	struct epoll_event	 e;
	bool			 inprogress;
	long			 i;

	for (;;) {
		if ((i = take(b)) == -1) {
			c->state = E_IDLE;
			(*active)--;
			return;
		}
		c->w.idx = i;
		c->start = now();
		c->nbytes = 0;
		c->off = 0;
		c->nhead = 0;
		c->ssl = NULL;
		/* connected at once or not: the first writable event goes on */
		if ((c->fd = dial_start(b, c->w.id, &inprogress)) != -1) {
			memset(&e, 0, sizeof(e));
			e.events = EPOLLOUT;
			e.data.ptr = c;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) == 0) {
				c->state = E_CONNECT;
				return;
			}
			close(c->fd);
		}
		seterr(b, "connect: %s", strerror(errno));
		record(b, i, c->start, -1, false, 0);
	}
}

/* C's request has ended with R (0: well): record it, start the next. */
static void
econn_end(int ep, struct econn *c, int r, bool notify, int *active)
{
	record(c->w.b, c->w.idx, c->start, r, notify, c->nbytes);
	ERR_clear_error();
	SSL_free(c->ssl);
	close(c->fd);
	econn_begin(ep, c, active);
}

/* Take C as far as it goes without waiting. */
static void
econn_step(int ep, struct econn *c, int *active)
{
	struct bench	*b = c->w.b;
	const char	*req = b->reqs[c->w.idx % b->npaths];
	size_t		 reqlen = b->reqlens[c->w.idx % b->npaths];
	char		 buf[16384];
	ssize_t		 n;
	int		 j, r;
	bool		 notify = false;

	for (;;) {
		switch (c->state) {
		case E_IDLE:
			return;
		case E_CONNECT:
			if (dial_result(c->fd) == -1) {
				seterr(b, "connect: %s", strerror(errno));
				goto fail;
			}
			if (b->proto != PROTO_GEMINI) {
				c->state = E_SEND;
				break;
			}
			if ((c->ssl = gemini_ssl(&c->w, c->fd)) == NULL)
				goto fail;
			SSL_set_connect_state(c->ssl);
			c->state = E_HANDSHAKE;
			break;
		case E_HANDSHAKE:
			if ((r = SSL_do_handshake(c->ssl)) != 1)
				goto ssl_wait;
			gemini_handshaken(b, c->ssl);
			c->state = E_SEND;
			break;
		case E_SEND:
			if (b->proto == PROTO_GEMINI) {
				if ((r = SSL_write(c->ssl, req,
				    (int)reqlen)) <= 0)
					goto ssl_wait;
				c->state = E_READ;
				break;
			}
			n = send(c->fd, req + c->off, reqlen - c->off,
			    MSG_NOSIGNAL);
			if ((r = econn_plain(ep, c, n, EPOLLOUT,
			    "write: %s")) != 0)
				goto plain_wait;
			if ((c->off += (size_t)n) == reqlen)
				c->state = E_READ;
			break;
		case E_READ:
			if (b->proto != PROTO_GEMINI) {
				n = recv(c->fd, buf, sizeof(buf), 0);
				if ((r = econn_plain(ep, c, n, EPOLLIN,
				    "read: %s")) != 0)
					goto plain_wait;
				if (n == 0) {
					econn_end(ep, c, gopher_end(b,
					    c->nbytes, c->head[0]), true,
					    active);
					return;
				}
				if (c->nbytes == 0)
					c->head[0] = buf[0];
				c->nbytes += (uint64_t)n;
				break;
			}
			errno = 0;
			if ((r = SSL_read(c->ssl, buf, sizeof(buf))) > 0) {
				c->nbytes += (uint64_t)r;
				for (j = 0; c->nhead < sizeof(c->head) &&
				    j < r; j++)
					c->head[c->nhead++] = buf[j];
				break;
			}
			switch (gemini_read_end(b, c->ssl, r, &notify)) {
			case 1:
				econn_end(ep, c, gemini_end(&c->w, c->ssl,
				    c->head, c->nhead, notify), notify,
				    active);
				return;
			case 0:
				if (econn_wait(ep, c, SSL_want_write(c->ssl) ?
				    EPOLLOUT : EPOLLIN) == -1)
					goto fail;
				return;
			}
			goto fail;
		}
	}
 plain_wait:
	if (r == 1)
		return;
	goto fail;
 ssl_wait:
	if (econn_ssl_wait(ep, c, r, c->state == E_HANDSHAKE ?
	    "handshake: %s" : "write: %s") == 0)
		return;
 fail:
	econn_end(ep, c, -1, false, active);
}

/* -E: run B's requests over -c slots in this thread. */
static int
event_loop(struct bench *b)
{
	struct epoll_event	 evs[64];
	struct econn		*cs;
	double			 t, last = now();
	int			 ep, i, n, active = b->conc;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (cs = calloc(b->conc, sizeof(*cs))) == NULL)
		return -1;
	for (i = 0; i < b->conc; i++) {
		cs[i].w.b = b;
		cs[i].w.id = i;
		econn_begin(ep, &cs[i], &active);
	}
	while (active > 0) {
		if ((n = epoll_wait(ep, evs, 64, 100)) == -1 && errno != EINTR)
			break;
		for (i = 0; i < n; i++)
			econn_step(ep, evs[i].data.ptr, &active);
		/* ten times a second: cut what has taken too long */
		if ((t = now()) - last < 0.1)
			continue;
		last = t;
		for (i = 0; i < b->conc; i++)
			if (cs[i].state != E_IDLE &&
			    t - cs[i].start > BENCH_IO_TIMEOUT) {
				seterr(b, "%s", "response took too long");
				econn_end(ep, &cs[i], -1, false, &active);
			}
	}
	for (i = 0; i < b->conc; i++)
		SSL_SESSION_free(cs[i].w.sess);
	free(cs);
	close(ep);
	return active > 0 ? -1 : 0;
}

/*
 * The server's CPU time so far, in clock ticks: utime + stime of PID
 * and of the children it waited for (fields 14 to 17 of /proc/PID/stat),
 * so that an inetd-style server counts its short-lived children too.
 * Returns -1 if it cannot be read.
 */
static long long
proc_cpu(pid_t pid)
{
	char		 path[64], buf[1024], *p;
	long long	 v[4];
	FILE		*f;
	size_t		 n;
	int		 i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name, field 2, may hold spaces: count from its ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	for (i = 0; i < 11; i++)	/* fields 3 to 13 */
		if ((p = strchr(p + 1, ' ')) == NULL)
			return -1;
	if (sscanf(p, " %lld %lld %lld %lld", &v[0], &v[1], &v[2],
	    &v[3]) != 4)
		return -1;
	return v[0] + v[1] + v[2] + v[3];
}

/* KEY ("VmRSS:", "VmHWM:") of /proc/PID/status in KiB, or 0. */
static long
proc_kb(pid_t pid, const char *key)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = 0;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0) {
			kb = strtol(line + strlen(key), NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static double
thread_cpu(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The TLS floor: what OpenSSL alone spends on the server side of one
 * Gemini request, with no socket and no event loop.  A client and a
 * server SSL talk over a BIO pair in this one thread; only the server's
 * calls are timed, on the thread's CPU clock: SSL_new, the handshake,
 * reading the request line, writing a status line and a FLOOR_BODY page,
 * close_notify and SSL_free.  The server has an ECDSA P-256 certificate
 * made here, no session cache, and with -R sends one stateless ticket
 * per handshake, which the client uses for its next request.
 */
static SSL_CTX *
floor_server_ctx(bool resume)
{
	SSL_CTX		*ctx = NULL;
	EVP_PKEY	*key = NULL;
	X509		*crt = NULL;
	X509_NAME	*name;

	if ((key = EVP_EC_gen("P-256")) == NULL ||
	    (crt = X509_new()) == NULL ||
	    X509_set_version(crt, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(crt), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(crt), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(crt), 86400) == NULL ||
	    X509_set_pubkey(crt, key) != 1 ||
	    (name = X509_get_subject_name(crt)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(crt, name) != 1 ||
	    X509_sign(crt, key, EVP_sha256()) == 0 ||
	    (ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		SSL_CTX_free(ctx);
		ctx = NULL;
		goto done;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, resume ? 1 : 0);
	if (!resume)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
 done:
	X509_free(crt);
	EVP_PKEY_free(key);
	return ctx;
}

/* One request over a BIO pair; adds the server's CPU time to *scpu. */
static int
floor_one(struct bench *b, struct wctx *w, SSL_CTX *sctx, const char *resp,
    size_t resplen, double *scpu)
{
	SSL		*c = NULL, *s = NULL;
	BIO		*cb = NULL, *sb = NULL;
	char		 buf[16384], line[GEMINI_URL_MAX + 3];
	size_t		 llen = 0, got = 0, sent = 0;
	double		 t;
	int		 n, i, ret = -1;
	bool		 cdone = false, sdone = false, creq = false;
	bool		 sshut = false;

	if ((c = SSL_new(b->ctx)) == NULL ||
	    (w->sess != NULL && SSL_set_session(c, w->sess) != 1))
		goto done;
	t = thread_cpu();
	if ((s = SSL_new(sctx)) == NULL ||
	    BIO_new_bio_pair(&cb, 0, &sb, 0) != 1) {
		*scpu += thread_cpu() - t;
		goto done;
	}
	SSL_set_bio(s, sb, sb);
	SSL_set_accept_state(s);
	*scpu += thread_cpu() - t;
	SSL_set_bio(c, cb, cb);
	SSL_set_connect_state(c);
	SSL_set_tlsext_host_name(c, b->host);

	for (i = 0; i < 64 && !(cdone && sdone); i++) {
		/* The client: handshake, one request, read to the end. */
		if (!cdone) {
			if (!creq) {
				if (SSL_write(c, b->reqs[0], b->reqlens[0]) > 0)
					creq = true;
			}
			while ((n = SSL_read(c, buf, sizeof(buf))) > 0)
				got += n;
			if (SSL_get_error(c, n) == SSL_ERROR_ZERO_RETURN)
				cdone = true;
		}
		/* The server: read a line, answer, close_notify. */
		t = thread_cpu();
		if (!sdone) {
			while (llen < sizeof(line) && (llen == 0 ||
			    line[llen - 1] != '\n') && (n = SSL_read(s,
			    line + llen, sizeof(line) - llen)) > 0)
				llen += n;
			if (llen > 0 && line[llen - 1] == '\n') {
				while (sent < resplen && (n = SSL_write(s,
				    resp + sent, resplen - sent)) > 0)
					sent += n;
				if (sent == resplen && !sshut &&
				    SSL_shutdown(s) >= 0)
					sshut = true;
				if (sshut)
					sdone = true;
			}
		}
		*scpu += thread_cpu() - t;
	}
	if (!cdone || !sdone || got != resplen)
		goto done;
	if (SSL_session_reused(c))
		atomic_fetch_add(&b->resumed, 1);
	if (atomic_load(&b->tlsvers) == 0)
		atomic_store(&b->tlsvers, SSL_version(c));
	if (b->resume) {
		SSL_SESSION_free(w->sess);
		w->sess = SSL_get1_session(c);
	}
	/* Closed cleanly, so SSL_free leaves the session resumable. */
	SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	atomic_fetch_add(&b->bytes, got);
	ret = 0;
 done:
	SSL_free(c);
	t = thread_cpu();
	SSL_free(s);
	*scpu += thread_cpu() - t;
	ERR_clear_error();
	return ret;
}

static int
tls_floor(struct bench *b, double *scpu)
{
	struct wctx	 w = { .b = b };
	SSL_CTX		*sctx;
	char		*resp;
	size_t		 hlen, resplen;
	double		 start, us;
	long		 i;

	if ((sctx = floor_server_ctx(b->resume)) == NULL) {
		seterr(b, "%s", "TLS floor: server context");
		return -1;
	}
	hlen = strlen("20 text/gemini\r\n");
	resplen = hlen + FLOOR_BODY;
	if ((resp = malloc(resplen)) == NULL) {
		SSL_CTX_free(sctx);
		return -1;
	}
	memcpy(resp, "20 text/gemini\r\n", hlen);
	memset(resp + hlen, 'x', FLOOR_BODY);
	for (i = 0; i < b->nreq && now() < b->deadline; i++) {
		start = now();
		if (floor_one(b, &w, sctx, resp, resplen, scpu) == 0)
			atomic_fetch_add(&b->ok, 1);
		else {
			atomic_fetch_add(&b->errors, 1);
			seterr(b, "%s", "TLS floor: a request failed");
		}
		us = (now() - start) * 1e6;
		b->lat[i] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	}
	SSL_SESSION_free(w.sess);
	SSL_CTX_free(sctx);
	free(resp);
	return 0;
}

/*
 * The TCP floor: a minimal epoll responder in a child process, which
 * accepts, reads until a newline, writes FLOOR_BODY bytes in one call and
 * closes; nothing is parsed, logged or allocated.
 *
 * With CTX, the TLS floor over sockets: the same loop with OpenSSL on
 * each connection, doing what a Gemini server must and no more: the
 * handshake (one session ticket at its end, OpenSSL's default way, no
 * session cache), one read of the request (it comes in one record), a
 * status line and FLOOR_BODY bytes in one SSL_write, close_notify, close.
 * No timeouts, no log, no parsing.
 *
 * It listens on LFD, pinned to CPU unless that is -1, and never returns.
 */
static void __attribute__((noreturn))
floor_responder(int lfd, int cpu, SSL_CTX *ctx)
{
	struct epoll_event	 ev, evs[256];
	static SSL		*conns[65536];
	static char		 body[FLOOR_BODY + 32];
	char			 buf[2048];
	cpu_set_t		 set;
	size_t			 blen;
	ssize_t			 n;
	int			 ep, i, fd, nev, r;

	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		(void)sched_setaffinity(0, sizeof(set), &set);
	}
	blen = ctx != NULL ? strlen("20 text/gemini\r\n") : 0;
	memcpy(body, "20 text/gemini\r\n", blen);
	memset(body + blen, 'x', FLOOR_BODY);
	blen += FLOOR_BODY;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		_exit(1);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		_exit(1);
	for (;;) {
		if ((nev = epoll_wait(ep, evs, 256, -1)) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		for (i = 0; i < nev; i++) {
			if (evs[i].data.fd == lfd) {
				while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
					ev.events = EPOLLIN;
					ev.data.fd = fd;
					if (fd >= (int)(sizeof(conns) /
					    sizeof(conns[0])) ||
					    (ctx != NULL && ((conns[fd] =
					    SSL_new(ctx)) == NULL ||
					    !SSL_set_fd(conns[fd], fd))) ||
					    epoll_ctl(ep, EPOLL_CTL_ADD, fd,
					    &ev) == -1)
						goto close;
					if (ctx != NULL)
						SSL_set_accept_state(conns[fd]);
					continue;
 close:
					if (fd < (int)(sizeof(conns) /
					    sizeof(conns[0]))) {
						SSL_free(conns[fd]);
						conns[fd] = NULL;
					}
					close(fd);
				}
				continue;
			}
			fd = evs[i].data.fd;
			if (ctx == NULL) {
				n = read(fd, buf, sizeof(buf));
				if (n == -1 && errno == EAGAIN)
					continue;
				/* A request comes in one segment. */
				if (n > 0 && memchr(buf, '\n', n) == NULL)
					continue;
				if (n > 0)
					(void)write(fd, body, blen);
				close(fd);	/* also leaves the epoll set */
				continue;
			}
			if (!SSL_is_init_finished(conns[fd]) &&
			    (r = SSL_do_handshake(conns[fd])) != 1) {
				if (SSL_get_error(conns[fd], r) ==
				    SSL_ERROR_WANT_READ)
					continue;
			} else if ((r = SSL_read(conns[fd], buf,
			    sizeof(buf))) <= 0) {
				if (SSL_get_error(conns[fd], r) ==
				    SSL_ERROR_WANT_READ)
					continue;
			} else if (SSL_write(conns[fd], body, (int)blen) ==
			    (int)blen)
				(void)SSL_shutdown(conns[fd]);
			ERR_clear_error();
			SSL_free(conns[fd]);
			conns[fd] = NULL;
			close(fd);
		}
	}
}

static pid_t
floor_start(struct bench *b, SSL_CTX *ctx)
{
	struct sockaddr_storage	 ss = b->ss;
	socklen_t		 len = b->sslen;
	pid_t			 pid;
	int			 lfd, one = 1;

	if ((lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(lfd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(lfd, 4096) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&b->ss, &b->sslen) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		/* Bounded like the client: it dies with its parent. */
		alarm((unsigned)b->dur + 2 * BENCH_IO_TIMEOUT);
		floor_responder(lfd, b->floorcpu, ctx);
	}
	close(lfd);
	return pid;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array, in milliseconds. */
static double
pct(const uint32_t *v, long n, double p)
{
	long	k;

	if (n == 0)
		return 0;
	k = (long)(p / 100.0 * n + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return v[k] / 1000.0;
}

static long
num(const char *s, long lo, long hi)
{
	char	*ep;
	long	 v;

	errno = 0;
	v = strtol(s, &ep, 10);
	if (*s == '\0' || *ep != '\0' || errno != 0 || v < lo || v > hi)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	static struct bench	 b;
	pthread_t		*tids;
	struct wctx		*ws;
	SSL_CTX			*sctx;
	const char		*vers, *pname;
	double			 secs, scpu = 0;
	long long		 cpu0 = -1, cpu1 = -1;
	char			*ep;
	long			 done, rss0 = 0, rssheld = 0, nheld = 0;
	size_t			 i;
	pid_t			 floorpid = -1;
	struct rusage		 ru;
	int			 ch, t, nthr, nflag = 0, dflag = 0, st;

	b.addr = "127.0.0.1";
	b.host = "localhost";
	b.conc = 8;
	b.nreq = BENCH_REQ_DEFAULT;
	b.dur = BENCH_DUR_DEFAULT;
	b.floorcpu = -1;
	the_bench = &b;
	memcpy(b.status, "20", 2);
	pthread_mutex_init(&b.errmtx, NULL);

	while ((ch = getopt(argc, argv, "A:a:c:d:EeH:IK:n:p:P:RS:s:T:u:")) != -1) {
		switch (ch) {
		case 'A':
			b.nsrc = num(optarg, 1, BENCH_SRC_MAX);
			break;
		case 'a':
			b.addr = optarg;
			break;
		case 'c':
			b.conc = num(optarg, 1, BENCH_CONC_MAX);
			break;
		case 'd':
			errno = 0;
			b.dur = strtod(optarg, &ep);
			if (*optarg == '\0' || *ep != '\0' || errno != 0 ||
			    !(b.dur > 0 && b.dur <= BENCH_DUR_MAX))
				usage();
			dflag = 1;
			break;
		case 'E':
			b.event = true;
			break;
		case 'e':
			b.goph_err3 = true;
			break;
		case 'H':
			b.host = optarg;
			break;
		case 'I':
			b.hold = true;
			break;
		case 'K':
			b.floorcpu = num(optarg, 0, CPU_SETSIZE - 1);
			break;
		case 'n':
			b.nreq = num(optarg, 1, BENCH_REQ_MAX);
			nflag = 1;
			break;
		case 'p':
			if (strcmp(optarg, "gemini") == 0)
				b.proto = PROTO_GEMINI;
			else if (strcmp(optarg, "gopher") == 0)
				b.proto = PROTO_GOPHER;
			else if (strcmp(optarg, "tls-floor") == 0)
				b.proto = PROTO_TLS_FLOOR;
			else if (strcmp(optarg, "tcp-floor") == 0)
				b.proto = PROTO_TCP_FLOOR;
			else if (strcmp(optarg, "tls-epoll-floor") == 0) {
				b.proto = PROTO_GEMINI;
				b.tlsepoll = true;
			}
			else
				usage();
			break;
		case 'P':
			b.port = num(optarg, 1, 65535);
			break;
		case 'R':
			b.resume = true;
			break;
		case 'S':
			b.spid = num(optarg, 1, INT_MAX);
			break;
		case 's':
			if (strlen(optarg) != 2 || optarg[0] < '1' ||
			    optarg[0] > '6' || optarg[1] < '0' ||
			    optarg[1] > '9')
				usage();
			memcpy(b.status, optarg, 2);
			break;
		case 'T':
			if (strcmp(optarg, "1.2") == 0)
				b.tlsmax = TLS1_2_VERSION;
			else if (strcmp(optarg, "1.3") == 0)
				b.tlsmax = TLS1_3_VERSION;
			else
				usage();
			break;
		case 'u':
			if (b.npaths == BENCH_PATHS_MAX)
				usage();
			b.paths[b.npaths++] = optarg;
			break;
		default:
			usage();
		}
	}
	/* The floors need no port: the TCP one picks a free one. */
	if (optind != argc || b.proto == PROTO_NONE || (b.port == 0 &&
	    b.proto != PROTO_TLS_FLOOR && b.proto != PROTO_TCP_FLOOR &&
	    !b.tlsepoll) || (b.hold && (b.tlsepoll || b.event)) ||
	    (b.event && (b.proto == PROTO_TLS_FLOOR || b.proto == PROTO_NONE)))
		usage();
	if (b.proto == PROTO_TLS_FLOOR)
		b.port = GEMINI_PORT;
	/* -d alone: run for that long, up to the size of the array. */
	if (dflag && !nflag)
		b.nreq = BENCH_REQ_MAX;
	if (b.npaths == 0)
		b.paths[b.npaths++] = b.proto == PROTO_GOPHER ||
		    b.proto == PROTO_TCP_FLOOR ? "" : "/";
	if (parse_loopback(&b, b.addr, b.port) == -1) {
		fprintf(stderr, "zeche-bench: %s: refusing a non-loopback "
		    "address (numeric 127.0.0.0/8 or ::1 only)\n", b.addr);
		return 2;
	}
	if (strlen(b.host) == 0 || strpbrk(b.host, "/\r\n \t") != NULL) {
		fprintf(stderr, "zeche-bench: bad host \"%s\"\n", b.host);
		return 2;
	}
	if (build_requests(&b) == -1) {
		fprintf(stderr, "zeche-bench: request too long\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	if (b.nsrc > 0 && b.ss.ss_family != AF_INET) {
		fprintf(stderr, "zeche-bench: -A needs an IPv4 address\n");
		return 2;
	}
	if (b.proto == PROTO_GEMINI || b.proto == PROTO_TLS_FLOOR) {
		if ((b.ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
		    SSL_CTX_set_min_proto_version(b.ctx, TLS1_2_VERSION) != 1 ||
		    (b.tlsmax != 0 &&
		    SSL_CTX_set_max_proto_version(b.ctx, b.tlsmax) != 1)) {
			fprintf(stderr, "zeche-bench: SSL_CTX_new failed\n");
			return 1;
		}
		/*
		 * Gemini uses TOFU, and servers here have throw-away
		 * self-signed certificates: don't verify.  Every
		 * connection does a full handshake, the worst case, unless
		 * -R: then each client thread offers the last session
		 * (ticket) it got.
		 */
		SSL_CTX_set_verify(b.ctx, SSL_VERIFY_NONE, NULL);
		if (!b.resume) {
			SSL_CTX_set_session_cache_mode(b.ctx,
			    SSL_SESS_CACHE_OFF);
			SSL_CTX_set_options(b.ctx, SSL_OP_NO_TICKET);
		} else {
			SSL_CTX_set_session_cache_mode(b.ctx,
			    SSL_SESS_CACHE_CLIENT |
			    SSL_SESS_CACHE_NO_INTERNAL_STORE);
			SSL_CTX_sess_set_new_cb(b.ctx, new_session_cb);
		}
	}
	if (b.proto == PROTO_TCP_FLOOR || b.tlsepoll) {
		sctx = NULL;
		if (b.tlsepoll && (sctx = floor_server_ctx(true)) == NULL) {
			fprintf(stderr, "zeche-bench: TLS floor: server "
			    "context\n");
			return 1;
		}
		floorpid = floor_start(&b, sctx);
		SSL_CTX_free(sctx);	/* the child has its copy */
		if (floorpid == -1) {
			fprintf(stderr, "zeche-bench: floor: %s\n",
			    strerror(errno));
			return 1;
		}
		b.spid = floorpid;
	}

	if ((b.lat = calloc(b.nreq, sizeof(*b.lat))) == NULL ||
	    (tids = calloc(b.conc, sizeof(*tids))) == NULL ||
	    (ws = calloc(b.conc, sizeof(*ws))) == NULL) {
		fprintf(stderr, "zeche-bench: out of memory\n");
		return 1;
	}
	/*
	 * -I: -n connections (default: -c) made by -c threads and held
	 * (Gemini: after the handshake), each a descriptor here.
	 */
	if (b.hold) {
		if (b.proto != PROTO_GEMINI && b.proto != PROTO_GOPHER)
			usage();
		if (!nflag)
			b.nreq = b.conc;
		if (raise_nofile(b.nreq + 64) == -1) {
			fprintf(stderr, "zeche-bench: -I %ld: the descriptor "
			    "limit is too low\n", b.nreq);
			return 2;
		}
		if ((b.hfd = calloc(b.nreq, sizeof(*b.hfd))) == NULL ||
		    (b.hssl = calloc(b.nreq, sizeof(*b.hssl))) == NULL) {
			fprintf(stderr, "zeche-bench: out of memory\n");
			return 1;
		}
		for (i = 0; i < (size_t)b.nreq; i++)
			b.hfd[i] = -1;
	}
	if (b.spid > 0)
		rss0 = proc_kb(b.spid, "VmRSS:");
	if (b.spid > 0 && (cpu0 = proc_cpu(b.spid)) == -1) {
		fprintf(stderr, "zeche-bench: no process %ld\n", (long)b.spid);
		return 2;
	}
	b.t0 = now();
	b.deadline = b.t0 + b.dur;
	if (b.proto == PROTO_TLS_FLOOR) {
		b.conc = 0;		/* one thread: this one */
		tls_floor(&b, &scpu);
	}
	nthr = 0;
	if (b.event) {
		if (raise_nofile(b.conc + 64) == -1 || event_loop(&b) == -1) {
			fprintf(stderr, "zeche-bench: -E: %s\n",
			    strerror(errno));
			return 1;
		}
	} else
		for (; nthr < b.conc; nthr++) {
			ws[nthr].b = &b;
			ws[nthr].id = nthr;
			if ((t = pthread_create(&tids[nthr], NULL, worker,
			    &ws[nthr])) != 0) {
				fprintf(stderr, "zeche-bench: pthread_create: "
				    "%s\n", strerror(t));
				break;
			}
		}
	for (t = 0; t < nthr; t++) {
		pthread_join(tids[t], NULL);
		SSL_SESSION_free(ws[t].sess);
	}
	if (b.event)
		nthr = b.conc;		/* in flight, for the output */
	secs = now() - b.t0;
	if (b.hold) {
		usleep(200000);		/* let the server settle */
		if (b.spid > 0)
			rssheld = proc_kb(b.spid, "VmRSS:");
		nheld = atomic_load(&b.held);
		for (i = 0; i < (size_t)b.nreq; i++) {
			SSL_free(b.hssl[i]);
			if (b.hfd[i] != -1)
				close(b.hfd[i]);
		}
	}
	if (b.spid > 0 && (cpu1 = proc_cpu(b.spid)) != -1)
		scpu = (double)(cpu1 - cpu0) / sysconf(_SC_CLK_TCK);

	done = atomic_load(&b.ok) + atomic_load(&b.errors);
	qsort(b.lat, done, sizeof(*b.lat), cmp_u32);
	switch (atomic_load(&b.tlsvers)) {
	case TLS1_2_VERSION:
		vers = "1.2";
		break;
	case TLS1_3_VERSION:
		vers = "1.3";
		break;
	default:
		vers = "-";
	}
	switch (b.proto) {
	case PROTO_GEMINI:
		pname = b.tlsepoll ? "tls-epoll-floor" : "gemini";
		break;
	case PROTO_TLS_FLOOR:
		pname = "tls-floor";
		nthr = 1;
		break;
	case PROTO_TCP_FLOOR:
		pname = "tcp-floor";
		break;
	default:
		pname = "gopher";
	}
	printf("proto=%s requests=%ld errors=%ld seconds=%.3f rps=%.1f "
	    "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f bytes=%llu "
	    "concurrency=%d", pname, done,
	    atomic_load(&b.errors), secs,
	    secs > 0 ? atomic_load(&b.ok) / secs : 0.0,
	    pct(b.lat, done, 50), pct(b.lat, done, 90), pct(b.lat, done, 99),
	    pct(b.lat, done, 100), atomic_load(&b.bytes), nthr);
	if (b.proto == PROTO_GEMINI)
		printf(" tls=%s no_close_notify=%ld", vers,
		    atomic_load(&b.no_close_notify));
	if (b.proto == PROTO_GEMINI || b.proto == PROTO_TLS_FLOOR)
		printf(" resumed=%ld tickets=%ld", atomic_load(&b.resumed),
		    atomic_load(&b.tickets));
	if (b.nsrc > 0)
		printf(" sources=%d", b.nsrc);
	/* the client's own CPU: near a second a second, it held things up */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf(" client=%s client_cpu_s=%.3f", b.event ? "epoll" :
		    "threads", ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	/* Server CPU per request: the thread's clock, or /proc ticks. */
	if (b.proto == PROTO_TLS_FLOOR || cpu1 != -1)
		printf(" cpu_s=%.3f cpu_us_per_req=%.1f", scpu,
		    done > 0 ? scpu * 1e6 / done : 0.0);
	if (b.hold) {
		printf(" held=%ld", nheld);
		if (b.spid > 0)
			printf(" rss_before_kb=%ld rss_held_kb=%ld "
			    "bytes_per_conn=%.0f", rss0, rssheld, nheld > 0 ?
			    (rssheld - rss0) * 1024.0 / nheld : 0.0);
	}
	if (b.spid > 0)
		printf(" rss_kb=%ld hwm_kb=%ld", proc_kb(b.spid, "VmRSS:"),
		    proc_kb(b.spid, "VmHWM:"));
	printf("\n");
	if (floorpid > 0) {
		kill(floorpid, SIGKILL);
		while (waitpid(floorpid, &st, 0) == -1 && errno == EINTR)
			;
	}
	if (b.firsterr[0] != '\0')
		fprintf(stderr, "zeche-bench: first error: %s\n", b.firsterr);

	for (i = 0; i < b.npaths; i++)
		free(b.reqs[i]);
	free(b.lat);
	free(b.hfd);
	free(b.hssl);
	free(tids);
	free(ws);
	SSL_CTX_free(b.ctx);
	pthread_mutex_destroy(&b.errmtx);
	return atomic_load(&b.errors) == 0 && done > 0 ? 0 : 1;
}
