/*
 * ping: the aggregator pings of ping.h.  The reload (on the main loop)
 * only compares snapshots and queues; one thread of this file's own
 * sends, with blocking sockets bounded by timeouts, so that a slow or
 * silent aggregator holds up nothing but the next ping.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "config.h"
#include "feed.h"
#include "log.h"
#include "ping.h"
#include "server.h"
#include "site.h"
#include "url.h"

/* A feed with aggregators to tell, and when they were last told. */
struct pfeed {
	char		*feed;		/* owned: its gemini:// address */
	char		**submit;	/* owned: the host's submit URLs */
	size_t		 nsubmit;
	int		 interval;	/* seconds */
	time_t		 last;		/* monotonic; 0: never */
	bool		 pending;
};

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv;
static struct pfeed	*feeds;		/* under mu */
static size_t		 nfeeds;
static bool		 started;

static time_t
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1;		/* never 0 */
}

int
ping_request(const char *submit, const char *feed, struct buf *out,
    char *host, size_t hostlen, char *port, size_t portlen,
    const char **errstr)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct url		 u;
	struct buf		 copy = BUF_INIT;
	const unsigned char	*p;
	int			 ret = -1;

	buf_adds(&copy, submit);
	if (copy.failed) {
		*errstr = "out of memory";
		return -1;
	}
	if (url_parse(copy.data, &u, errstr) == -1)
		goto done;
	if (strcmp(u.scheme, "gemini") != 0 || u.query != NULL) {
		*errstr = "not a gemini:// URL without a query";
		goto done;
	}
	if ((size_t)snprintf(host, hostlen, "%s", u.host) >= hostlen ||
	    (size_t)snprintf(port, portlen, "%s", u.port != NULL &&
	    u.port[0] != '\0' ? u.port : "1965") >= portlen) {
		*errstr = "host or port too long";
		goto done;
	}
	buf_adds(out, submit);
	buf_addc(out, '?');
	for (p = (const unsigned char *)feed; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_addc(out, (char)*p);
		else
			buf_addf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	if (out->len > URL_MAX) {
		*errstr = "request longer than 1024 bytes";
		goto done;
	}
	buf_adds(out, "\r\n");
	ret = out->failed ? -1 : 0;
	if (ret == -1)
		*errstr = "out of memory";
 done:
	buf_free(&copy);
	return ret;
}

/*
 * The addresses each aggregator's HOST:PORT resolved to last: main's
 * (ping_prepare()) before the ping thread starts, the thread's alone
 * after.
 */
struct resolved {
	char			 host[256];
	char			 port[16];
	struct sockaddr_storage	 addr[PING_ADDRS_MAX];
	socklen_t		 len[PING_ADDRS_MAX];
	size_t			 n;
};

static struct resolved	*resolved;
static size_t		 nresolved;
static bool		 prepared;	/* ping_prepare() ran: --user */

static struct resolved *
lookup(const char *host, const char *port)
{
	size_t	 i;

	for (i = 0; i < nresolved; i++)
		if (strcmp(resolved[i].host, host) == 0 &&
		    strcmp(resolved[i].port, port) == 0)
			return &resolved[i];
	return NULL;
}

/* Keep the addresses RES of HOST:PORT as its last good ones. */
static void
remember(const char *host, const char *port, const struct addrinfo *res)
{
	struct resolved		*r, *v;
	const struct addrinfo	*ai;

	if ((r = lookup(host, port)) == NULL) {
		if ((v = reallocarray(resolved, nresolved + 1,
		    sizeof(*v))) == NULL)
			return;
		resolved = v;
		r = &resolved[nresolved++];
		snprintf(r->host, sizeof(r->host), "%s", host);
		snprintf(r->port, sizeof(r->port), "%s", port);
	}
	r->n = 0;
	for (ai = res; ai != NULL && r->n < PING_ADDRS_MAX; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(r->addr[0]))
			continue;
		memcpy(&r->addr[r->n], ai->ai_addr, ai->ai_addrlen);
		r->len[r->n++] = ai->ai_addrlen;
	}
}

/*
 * Resolve HOST:PORT; when that fails, the addresses it resolved to last
 * (logged).  NULL with WHY if there are none.
 */
static const struct resolved *
resolve(const char *host, const char *port, const char **why)
{
	struct addrinfo		 hints, *res = NULL;
	const struct resolved	*r;
	int			 err;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(host, port, &hints, &res)) == 0) {
		remember(host, port, res);
		freeaddrinfo(res);
	}
	if ((r = lookup(host, port)) != NULL && r->n > 0) {
		if (err != 0)
			log_info("ping: %s: %s; trying the addresses it had "
			    "before", host, gai_strerror(err));
		return r;
	}
	if (err == 0)
		*why = "no address";
	else if (prepared)
		*why = "cannot resolve it, and it was not resolved at the "
		    "start (under --user an aggregator added by a reload "
		    "needs a restart)";
	else
		*why = gai_strerror(err);
	return NULL;
}

/* A TCP connection to HOST:PORT within PING_TIMEOUT seconds, or -1. */
static int
dial(const char *host, const char *port, const char **why)
{
	const struct resolved	*r;
	const struct sockaddr	*sa;
	struct pollfd		 pfd;
	struct timeval		 tv = { PING_TIMEOUT, 0 };
	socklen_t		 len = sizeof(int);
	size_t			 i;
	int			 fd = -1, err, fl;

	if ((r = resolve(host, port, why)) == NULL)
		return -1;
	for (i = 0; i < r->n; i++) {
		sa = (const struct sockaddr *)&r->addr[i];
		if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) == -1) {
			*why = strerror(errno);
			continue;
		}
		fl = fcntl(fd, F_GETFL);
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		if (connect(fd, sa, r->len[i]) == 0)
			err = 0;
		else if (errno != EINPROGRESS)
			err = errno;
		else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, PING_TIMEOUT * 1000) != 1)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == -1)
				err = errno;
		}
		if (err == 0) {
			(void)fcntl(fd, F_SETFL, fl);
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
			    sizeof(tv));
			(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
			    sizeof(tv));
			*why = NULL;
			return fd;
		}
		*why = err == EACCES && prepared ? "connecting denied (under "
		    "--user only the ports of the ping URLs at the start may "
		    "be connected to; restart zeche)" : strerror(err);
		close(fd);
		fd = -1;
	}
	return -1;
}

size_t
ping_prepare(const struct conf *conf, unsigned short *ports, size_t max)
{
	const struct conf_host	*h;
	struct addrinfo		 hints, *res;
	struct buf		 req = BUF_INIT;
	const char		*errstr;
	char			 host[256], port[16], *end;
	size_t			 i, j, k, n = 0;
	long			 p;
	int			 err;

	prepared = true;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < conf->nhosts; i++) {
		h = &conf->hosts[i];
		for (j = 0; j < h->npings; j++) {
			buf_reset(&req);
			if (ping_request(h->pings[j], "", &req, host,
			    sizeof(host), port, sizeof(port), &errstr) == -1)
				continue;	/* its pings say why */
			p = strtol(port, &end, 10);
			for (k = 0; k < n && ports[k] != p; k++)
				;
			if (*end == '\0' && p > 0 && p <= 65535 && k == n) {
				if (n < max)
					ports[n++] = (unsigned short)p;
				else
					log_warnx("ping %s: more than %zu "
					    "ports; not allowed", h->pings[j],
					    max);
			}
			if (lookup(host, port) != NULL)
				continue;
			res = NULL;
			if ((err = getaddrinfo(host, port, &hints, &res)) != 0)
				log_warnx("ping %s: %s: %s; it cannot be "
				    "resolved once confined", h->pings[j],
				    host, gai_strerror(err));
			else {
				remember(host, port, res);
				log_info("ping %s: %s resolved now, before "
				    "confinement", h->pings[j], host);
			}
			if (res != NULL)
				freeaddrinfo(res);
		}
	}
	buf_free(&req);
	return n;
}

/*
 * One ping: connect, TLS, the request line, the answer's first line (at
 * most PING_ANSWER_MAX bytes read, PING_TIMEOUT seconds after connecting
 * at most).  Logs the result.
 */
static void
send_ping(SSL_CTX *ctx, const char *submit, const char *feed)
{
	struct buf	 req = BUF_INIT;
	SSL		*ssl = NULL;
	char		 host[256], port[16], ans[PING_ANSWER_MAX + 1];
	const char	*why = NULL;
	size_t		 got = 0;
	time_t		 deadline;
	int		 fd = -1, n;

	if (ping_request(submit, feed, &req, host, sizeof(host), port,
	    sizeof(port), &why) == -1 ||
	    (fd = dial(host, port, &why)) == -1)
		goto done;
	deadline = now() + PING_TIMEOUT;
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    SSL_set_tlsext_host_name(ssl, host) != 1 ||
	    SSL_connect(ssl) != 1) {
		why = "TLS handshake failed or timed out";
		goto done;
	}
	if (SSL_write(ssl, req.data, (int)req.len) != (int)req.len) {
		why = "no answer (write)";
		goto done;
	}
	while (got < PING_ANSWER_MAX && memchr(ans, '\n', got) == NULL &&
	    now() <= deadline) {
		if ((n = SSL_read(ssl, ans + got, (int)(PING_ANSWER_MAX -
		    got))) <= 0)
			break;
		got += (size_t)n;
	}
	ans[got] = '\0';
	ans[strcspn(ans, "\r\n")] = '\0';
	if (ans[0] == '\0')
		why = "no answer within the time allowed";
 done:
	ERR_clear_error();
	if (why != NULL)
		log_warnx("ping %s for %s: %s", submit, feed, why);
	else
		log_info("ping %s for %s: %.200s", submit, feed, ans);
	if (ssl != NULL) {
		(void)SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd != -1)
		close(fd);
	buf_free(&req);
}

static void
pfeed_clear(struct pfeed *f)
{
	size_t	 i;

	for (i = 0; i < f->nsubmit; i++)
		free(f->submit[i]);
	free(f->submit);
	f->submit = NULL;
	f->nsubmit = 0;
}

/* DST: a copy of SRC's feed and submit URLs (pfeed_clear() it). */
static int
copy_feed(struct pfeed *dst, const struct pfeed *src)
{
	size_t	 i;

	memset(dst, 0, sizeof(*dst));
	if ((dst->feed = strdup(src->feed)) == NULL ||
	    (dst->submit = calloc(src->nsubmit, sizeof(char *))) == NULL)
		goto bad;
	for (i = 0; i < src->nsubmit; i++, dst->nsubmit++)
		if ((dst->submit[i] = strdup(src->submit[i])) == NULL)
			goto bad;
	return 0;
 bad:
	pfeed_clear(dst);
	free(dst->feed);
	return -1;
}

/* The thread: wait for a feed that is due, send its pings, again. */
static void *
ping_main(void *arg)
{
	struct pfeed	 job;
	struct timespec	 ts;
	SSL_CTX		*ctx;
	time_t		 t, next;
	size_t		 i;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		log_warnx("ping: no TLS context; no pings will be sent");
		return NULL;
	}
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	pthread_mutex_lock(&mu);
	for (;;) {
		t = now();
		next = 0;
		for (i = 0; i < nfeeds; i++) {
			if (!feeds[i].pending)
				continue;
			if (feeds[i].last == 0 || t >= feeds[i].last +
			    feeds[i].interval)
				break;
			if (next == 0 || feeds[i].last + feeds[i].interval <
			    next)
				next = feeds[i].last + feeds[i].interval;
		}
		if (i == nfeeds) {
			if (next == 0)
				pthread_cond_wait(&cv, &mu);
			else {
				clock_gettime(CLOCK_MONOTONIC, &ts);
				ts.tv_sec += next - t;
				pthread_cond_timedwait(&cv, &mu, &ts);
			}
			continue;
		}
		/* copies: the reload may change the list meanwhile */
		feeds[i].pending = false;
		feeds[i].last = t;
		if (copy_feed(&job, &feeds[i]) == -1) {
			log_warnx("ping %s: out of memory", feeds[i].feed);
			continue;
		}
		pthread_mutex_unlock(&mu);
		for (i = 0; i < job.nsubmit; i++)
			send_ping(ctx, job.submit[i], job.feed);
		pfeed_clear(&job);
		free(job.feed);
		pthread_mutex_lock(&mu);
	}
	/* NOTREACHED */
	return NULL;
}

/* True if the article A (of the new site) is new or changed in OB. */
static bool
is_changed(const struct article *a, const struct blog *ob)
{
	const struct article	*o;
	size_t			 i;

	if (ob == NULL)
		return true;
	for (i = 0; i < ob->narticles; i++) {
		o = &ob->articles[i];
		if (strcmp(o->path, a->path) != 0)
			continue;
		return strcmp(o->date, a->date) != 0 ||
		    strcmp(o->title, a->title) != 0 ||
		    o->page->body_len != a->page->body_len ||
		    (o->page->body != a->page->body && (o->page->body ==
		    NULL || a->page->body == NULL || memcmp(o->page->body,
		    a->page->body, a->page->body_len) != 0));
	}
	return true;
}

/* The blog of S at PATH, or NULL. */
static const struct blog *
find_blog(const struct site *s, const char *path)
{
	size_t	 i;

	for (i = 0; s != NULL && i < s->nblogs; i++)
		if (strcmp(s->blogs[i].path, path) == 0)
			return &s->blogs[i];
	return NULL;
}

/* Queue FEED for the submit URLs of H (under mu).  0 or -1. */
static int
queue(const char *feed, const struct conf_host *h)
{
	struct pfeed	*f = NULL, *v;
	size_t		 i;

	for (i = 0; i < nfeeds; i++)
		if (strcmp(feeds[i].feed, feed) == 0)
			f = &feeds[i];
	if (f == NULL) {
		if ((v = reallocarray(feeds, nfeeds + 1, sizeof(*v))) == NULL)
			return -1;
		feeds = v;
		f = &feeds[nfeeds];
		memset(f, 0, sizeof(*f));
		if ((f->feed = strdup(feed)) == NULL)
			return -1;
		nfeeds++;
	}
	pfeed_clear(f);
	if ((f->submit = calloc(h->npings, sizeof(char *))) == NULL)
		return -1;
	for (i = 0; i < h->npings; i++, f->nsubmit++)
		if ((f->submit[i] = strdup(h->pings[i])) == NULL)
			return -1;
	f->interval = h->ping_interval > 0 ? h->ping_interval : PING_INTERVAL;
	f->pending = true;
	return 0;
}

static bool
start(void)
{
	pthread_condattr_t	 ca;
	pthread_t		 t;

	if (started)
		return true;
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&cv, &ca) != 0)
		return false;
	pthread_condattr_destroy(&ca);
	if (pthread_create(&t, NULL, ping_main, NULL) != 0)
		return false;
	pthread_detach(t);
	started = true;
	return true;
}

void
ping_reload(const struct server *old, const struct server *new)
{
	const struct vhost	*vh, *ov;
	const struct blog	*b;
	struct buf		 feed = BUF_INIT, path = BUF_INIT;
	size_t			 i, j, k, n;

	for (i = 0; i < new->nhosts; i++) {
		vh = &new->hosts[i];
		if (vh->conf->npings == 0)
			continue;
		ov = server_host(old, vh->conf->name);
		for (j = 0; j < vh->site->nblogs; j++) {
			b = &vh->site->blogs[j];
			for (k = n = 0; k < b->narticles; k++)
				if (is_changed(&b->articles[k], find_blog(ov !=
				    NULL ? ov->site : NULL, b->path)))
					n++;
			if (n == 0)
				continue;
			buf_reset(&feed);
			buf_reset(&path);
			buf_addf(&path, "%s%s", b->path, FEED_ATOM_NAME);
			site_gemini_url(vh->site, path.data, &feed);
			pthread_mutex_lock(&mu);
			if (feed.failed || queue(feed.data, vh->conf) == -1 ||
			    !start())
				log_warnx("ping %s: out of memory, or no "
				    "thread; not sent", feed.data != NULL ?
				    feed.data : b->path);
			else
				log_info("ping %s: %zu new or changed article%s"
				    ", queued for %zu aggregator%s", feed.data, n,
				    n == 1 ? "" : "s", vh->conf->npings,
				    vh->conf->npings == 1 ? "" : "s");
			if (started)
				pthread_cond_signal(&cv);
			pthread_mutex_unlock(&mu);
		}
	}
	buf_free(&feed);
	buf_free(&path);
}
