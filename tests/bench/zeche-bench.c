/*
 * zeche-bench: a small, bounded load generator for Gemini and Gopher.
 *
 * One request per connection, as both protocols demand: connect, (TLS
 * handshake,) send one line, read until the server closes.  CONCURRENCY
 * threads each run that loop with blocking sockets and per-operation
 * timeouts, so the code stays linear and easy to check; a shared atomic
 * counter hands out request numbers until -n requests were started or the
 * -d cap has passed.  Latency is measured from connect() to the close, so
 * it includes the TCP and TLS handshakes.
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

#include <sys/socket.h>
#include <sys/time.h>

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
#include <openssl/ssl.h>

#define BENCH_CONC_MAX		1024
#define BENCH_REQ_MAX		10000000L	/* bounds the latency array */
#define BENCH_REQ_DEFAULT	2000L
#define BENCH_DUR_DEFAULT	60.0		/* seconds, when only -n given */
#define BENCH_DUR_MAX		3600.0
#define BENCH_IO_TIMEOUT	10		/* seconds per connect/read/write */
#define BENCH_PATHS_MAX		64
#define GEMINI_URL_MAX		1024		/* gemini spec, section 5 */
#define GEMINI_PORT		1965

enum bench_proto {
	PROTO_NONE,
	PROTO_GEMINI,
	PROTO_GOPHER,
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
	SSL_CTX			*ctx;		/* owned, NULL for gopher */

	double			 t0;
	double			 deadline;
	uint32_t		*lat;		/* owned, usec, by request */

	atomic_long		 next;
	atomic_long		 ok;
	atomic_long		 errors;
	atomic_long		 no_close_notify;
	atomic_ullong		 bytes;
	atomic_int		 tlsvers;	/* first negotiated version */

	pthread_mutex_t		 errmtx;
	char			 firsterr[256];
};

static void	usage(void) __attribute__((noreturn));
static void	seterr(struct bench *, const char *, const char *)
		    __attribute__((format(printf, 2, 0)));

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
	fprintf(stderr, "usage: zeche-bench -p gemini|gopher -P port "
	    "[-a addr] [-H host] [-c conc]\n"
	    "\t[-e] [-n requests] [-d seconds] [-s status] [-T 1.2|1.3] "
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
		if (b->proto == PROTO_GEMINI) {
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

/* Connect with a bounded wait, then return a blocking socket. */
static int
dial(struct bench *b)
{
	struct pollfd	pfd;
	socklen_t	len;
	int		fd, flags, err, one = 1;

	if ((fd = socket(b->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
	    -1)
		return -1;
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		goto bad;
	if (connect(fd, (struct sockaddr *)&b->ss, b->sslen) == -1) {
		if (errno != EINPROGRESS)
			goto bad;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, BENCH_IO_TIMEOUT * 1000) != 1) {
			errno = ETIMEDOUT;
			goto bad;
		}
		len = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			goto bad;
		if (err != 0) {
			errno = err;
			goto bad;
		}
	}
	if (fcntl(fd, F_SETFL, flags) == -1 || set_timeouts(fd) == -1)
		goto bad;
	/* The request is one small write; don't let Nagle delay it. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
 bad:
	err = errno;
	close(fd);
	errno = err;
	return -1;
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
 * One Gemini request.  Returns 0 on success, -1 on error (b->firsterr
 * filled in).  *nbytes gets the response size, *notify whether the
 * server ended the stream with close_notify.
 */
static int
gemini_one(struct bench *b, size_t ri, double start, uint64_t *nbytes,
    bool *notify)
{
	SSL		*ssl = NULL;
	char		 buf[16384], ebuf[160], head[3];
	size_t		 nhead = 0;
	int		 fd, n, j, ret = -1, e;

	*notify = false;
	ERR_clear_error();
	errno = 0;
	if ((fd = dial(b)) == -1) {
		seterr(b, "connect: %s", strerror(errno));
		return -1;
	}
	if ((ssl = SSL_new(b->ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
		seterr(b, "SSL_new: %s", ssl_errstr(ebuf, sizeof(ebuf)));
		goto done;
	}
	/* RFC 6066: no IP literals in SNI. */
	if (b->host[0] != '[' && strspn(b->host, "0123456789.") !=
	    strlen(b->host))
		SSL_set_tlsext_host_name(ssl, b->host);
	if (SSL_connect(ssl) != 1) {
		seterr(b, "handshake: %s", ssl_errstr(ebuf, sizeof(ebuf)));
		goto done;
	}
	if (atomic_load(&b->tlsvers) == 0)
		atomic_store(&b->tlsvers, SSL_version(ssl));
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
		e = SSL_get_error(ssl, n);
		if (e == SSL_ERROR_ZERO_RETURN) {
			*notify = true;
			break;
		}
		/* OpenSSL 3 reports a bare TCP close as an SSL error. */
		if (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			break;
		}
		seterr(b, "read: %s", ssl_errstr(ebuf, sizeof(ebuf)));
		goto done;
	}
	if (nhead < 3 || memcmp(head, b->status, 2) != 0 ||
	    (head[2] != ' ' && head[2] != '\r')) {
		seterr(b, "%s", nhead < 3 ? "short response" :
		    "unexpected status");
		goto done;
	}
	if (*notify)
		(void)SSL_shutdown(ssl);	/* answer it; may race a RST */
	ret = 0;
 done:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
	return ret;
}

static int
gopher_one(struct bench *b, size_t ri, double start, uint64_t *nbytes)
{
	char	 buf[16384], first = '\0';
	ssize_t	 n;
	size_t	 off;
	int	 fd, ret = -1;

	if ((fd = dial(b)) == -1) {
		seterr(b, "connect: %s", strerror(errno));
		return -1;
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
	if (*nbytes == 0) {
		seterr(b, "%s", "empty response");
		goto done;
	}
	if (b->goph_err3 && first == '3') {
		seterr(b, "%s", "error item (type 3)");
		goto done;
	}
	ret = 0;
 done:
	close(fd);
	return ret;
}

static void *
worker(void *arg)
{
	struct bench	*b = arg;
	uint64_t	 nbytes;
	double		 start, us;
	long		 i;
	bool		 notify;
	int		 r;

	for (;;) {
		if (now() >= b->deadline)
			break;
		if ((i = atomic_fetch_add(&b->next, 1)) >= b->nreq)
			break;
		nbytes = 0;
		notify = true;
		start = now();
		if (b->proto == PROTO_GEMINI)
			r = gemini_one(b, i % b->npaths, start, &nbytes,
			    &notify);
		else
			r = gopher_one(b, i % b->npaths, start, &nbytes);
		us = (now() - start) * 1e6;
		b->lat[i] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
		if (r == 0) {
			atomic_fetch_add(&b->ok, 1);
			if (!notify)
				atomic_fetch_add(&b->no_close_notify, 1);
		} else
			atomic_fetch_add(&b->errors, 1);
		atomic_fetch_add(&b->bytes, nbytes);
	}
	return NULL;
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
	const char		*vers;
	double			 secs;
	char			*ep;
	long			 done;
	size_t			 i;
	int			 ch, t, nthr, nflag = 0, dflag = 0;

	b.addr = "127.0.0.1";
	b.host = "localhost";
	b.conc = 8;
	b.nreq = BENCH_REQ_DEFAULT;
	b.dur = BENCH_DUR_DEFAULT;
	memcpy(b.status, "20", 2);
	pthread_mutex_init(&b.errmtx, NULL);

	while ((ch = getopt(argc, argv, "a:c:d:eH:n:p:P:s:T:u:")) != -1) {
		switch (ch) {
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
		case 'e':
			b.goph_err3 = true;
			break;
		case 'H':
			b.host = optarg;
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
			else
				usage();
			break;
		case 'P':
			b.port = num(optarg, 1, 65535);
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
	if (optind != argc || b.proto == PROTO_NONE || b.port == 0)
		usage();
	/* -d alone: run for that long, up to the size of the array. */
	if (dflag && !nflag)
		b.nreq = BENCH_REQ_MAX;
	if (b.npaths == 0)
		b.paths[b.npaths++] = b.proto == PROTO_GEMINI ? "/" : "";
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

	if (b.proto == PROTO_GEMINI) {
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
		 * connection does a full handshake, the worst case.
		 */
		SSL_CTX_set_verify(b.ctx, SSL_VERIFY_NONE, NULL);
		SSL_CTX_set_session_cache_mode(b.ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(b.ctx, SSL_OP_NO_TICKET);
	}

	if ((b.lat = calloc(b.nreq, sizeof(*b.lat))) == NULL ||
	    (tids = calloc(b.conc, sizeof(*tids))) == NULL) {
		fprintf(stderr, "zeche-bench: out of memory\n");
		return 1;
	}
	b.t0 = now();
	b.deadline = b.t0 + b.dur;
	for (nthr = 0; nthr < b.conc; nthr++) {
		if ((t = pthread_create(&tids[nthr], NULL, worker, &b)) != 0) {
			fprintf(stderr, "zeche-bench: pthread_create: %s\n",
			    strerror(t));
			break;
		}
	}
	for (t = 0; t < nthr; t++)
		pthread_join(tids[t], NULL);
	secs = now() - b.t0;

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
	printf("proto=%s requests=%ld errors=%ld seconds=%.3f rps=%.1f "
	    "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f bytes=%llu "
	    "concurrency=%d",
	    b.proto == PROTO_GEMINI ? "gemini" : "gopher", done,
	    atomic_load(&b.errors), secs,
	    secs > 0 ? atomic_load(&b.ok) / secs : 0.0,
	    pct(b.lat, done, 50), pct(b.lat, done, 90), pct(b.lat, done, 99),
	    pct(b.lat, done, 100), atomic_load(&b.bytes), nthr);
	if (b.proto == PROTO_GEMINI)
		printf(" tls=%s no_close_notify=%ld", vers,
		    atomic_load(&b.no_close_notify));
	printf("\n");
	if (b.firsterr[0] != '\0')
		fprintf(stderr, "zeche-bench: first error: %s\n", b.firsterr);

	for (i = 0; i < b.npaths; i++)
		free(b.reqs[i]);
	free(b.lat);
	free(tids);
	SSL_CTX_free(b.ctx);
	pthread_mutex_destroy(&b.errmtx);
	return atomic_load(&b.errors) == 0 && done > 0 ? 0 : 1;
}
