#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <openssl/err.h>

#include "log.h"
#include "net.h"
#include "site.h"
#include "tls.h"

#define LISTENERS_MAX	8
#define PEER_BUCKETS	1024

/* Open connections per client address: the budget is checked at accept. */
struct peer {
	struct peer	*next;
	unsigned char	 addr[16];	/* IPv4 or IPv6 address bytes */
	size_t		 len;
	unsigned int	 conns;
};

struct conn {
	struct bufferevent	*bev;		/* owned: frees fd and SSL */
	struct event		*sniff;		/* owned: waiting for byte 1 */
	int			 fd;
	const struct front	*front;		/* static */
	struct peer		*peer_entry;	/* borrowed from the table */
	struct site		*site;		/* counted */
	char			*line;		/* owned: the request */
	SSL			*ssl;		/* borrowed from bev */
	bool			 handshaken;
	bool			 done;
	char			 peer[INET6_ADDRSTRLEN + 8];
	char			 req[200];	/* escaped, for the log */
	const char		*status;	/* static */
	char			 why[128];
};

static struct event_base	*base;
static SSL_CTX			*ssl_ctx;
static struct site		*current;
static bool			 log_ip;
static struct evconnlistener	*listeners[LISTENERS_MAX];
static const struct front	*fronts[LISTENERS_MAX];
static enum net_tls		 modes[LISTENERS_MAX];
static size_t			 nlisteners;
static struct event		*resume_ev;
static struct peer		*peers[PEER_BUCKETS];
static int			 read_timeout = NET_READ_TIMEOUT;

static void	conn_readcb(struct bufferevent *, void *);
static void	conn_writecb(struct bufferevent *, void *);
static void	conn_eventcb(struct bufferevent *, short, void *);

void
net_init(struct event_base *b, SSL_CTX *ctx, bool ip, int timeout)
{
	base = b;
	ssl_ctx = ctx;
	log_ip = ip;
	read_timeout = timeout;
}

/*
 * Count a connection from the address in SA.  Returns the table entry,
 * or NULL when that address already has NET_PEER_MAX connections open
 * (or memory ran out).
 */
static struct peer *
peer_take(const struct sockaddr *sa)
{
	const unsigned char	*a;
	struct peer		*p;
	size_t			 len, i;
	unsigned int		 h = 2166136261u;

	if (sa->sa_family == AF_INET) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
		len = 4;
	} else if (sa->sa_family == AF_INET6) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;
		len = 16;
	} else
		return NULL;
	for (i = 0; i < len; i++)
		h = (h ^ a[i]) * 16777619u;
	h %= PEER_BUCKETS;
	for (p = peers[h]; p != NULL; p = p->next)
		if (p->len == len && memcmp(p->addr, a, len) == 0)
			break;
	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL)
			return NULL;
		memcpy(p->addr, a, len);
		p->len = len;
		p->next = peers[h];
		peers[h] = p;
	}
	if (p->conns >= NET_PEER_MAX)
		return NULL;
	p->conns++;
	return p;
}

static void
peer_release(struct peer *p)
{
	struct peer	**pp;
	unsigned int	  h = 2166136261u;
	size_t		  i;

	if (p == NULL || --p->conns > 0)
		return;
	for (i = 0; i < p->len; i++)
		h = (h ^ p->addr[i]) * 16777619u;
	for (pp = &peers[h % PEER_BUCKETS]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			free(p);
			return;
		}
}

void
net_set_site(struct site *s)
{
	site_ref(s);
	site_unref(current);
	current = s;
}

/*
 * The one close function: safe on a half-built conn.  Writes the access
 * line, sends close_notify on a TLS connection whose handshake finished,
 * and frees what the conn owns.
 */
static void
conn_free(struct conn *c)
{
	if (c->status != NULL || c->why[0] != '\0')
		log_info("%s %s\"%s\" %s%s%s", c->front->name,
		    log_ip ? c->peer : "", c->req,
		    c->status ? c->status : "-", c->why[0] ? " " : "", c->why);
	if (c->ssl != NULL && c->handshaken && c->done)
		SSL_shutdown(c->ssl);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	else if (c->fd != -1)
		close(c->fd);
	if (c->sniff != NULL)
		event_free(c->sniff);
	peer_release(c->peer_entry);
	site_unref(c->site);
	free(c->line);
	free(c);
}

static void
conn_fail(struct conn *c, const char *why)
{
	snprintf(c->why, sizeof(c->why), "%s", why);
	conn_free(c);
}

static int
conn_start(struct conn *c, bool tls)
{
	struct timeval	 rtv = { read_timeout, 0 };
	struct timeval	 wtv = { NET_WRITE_TIMEOUT, 0 };

	if (tls) {
		if ((c->ssl = SSL_new(ssl_ctx)) == NULL)
			return -1;
		c->bev = bufferevent_openssl_socket_new(base, c->fd, c->ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL) {
			SSL_free(c->ssl);
			c->ssl = NULL;
			return -1;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	} else {
		c->bev = bufferevent_socket_new(base, c->fd,
		    BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			return -1;
	}
	c->fd = -1;			/* the bev owns it now */
	bufferevent_setcb(c->bev, conn_readcb, conn_writecb, conn_eventcb, c);
	bufferevent_set_timeouts(c->bev, &rtv, &wtv);
	/* stop reading once a request can no longer be valid */
	bufferevent_setwatermark(c->bev, EV_READ, 0, c->front->line_max + 64);
	return bufferevent_enable(c->bev, EV_READ);
}

/* First byte of a connection on a NET_SNIFF port: 0x16 starts TLS. */
static void
conn_sniffcb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	unsigned char	 b;
	ssize_t		 n;

	if (what & EV_TIMEOUT) {
		conn_fail(c, "timeout");
		return;
	}
	n = recv(fd, &b, 1, MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	event_free(c->sniff);
	c->sniff = NULL;
	if (n <= 0) {
		conn_free(c);		/* closed before saying anything */
		return;
	}
	if (b == 0x16)
		log_debug("%s: a TLS handshake, answered over TLS",
		    c->front->name);
	if (conn_start(c, b == 0x16) == -1)
		conn_fail(c, "out of memory");
}

static void
acceptcb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	const struct front	*front = NULL;
	enum net_tls		 mode = NET_PLAIN;
	struct timeval		 tv = { read_timeout, 0 };
	struct peer		*p;
	struct conn		*c;
	char			 host[INET6_ADDRSTRLEN], port[NI_MAXSERV];
	size_t			 i;

	for (i = 0; i < nlisteners; i++)
		if (listeners[i] == l) {
			front = fronts[i];
			mode = modes[i];
		}
	if (front == NULL) {
		close(fd);
		return;
	}
	/* the budget first, before anything is allocated for the client */
	if ((p = peer_take(sa)) == NULL) {
		if (getnameinfo(sa, (socklen_t)salen, host, sizeof(host),
		    NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(host, sizeof(host), "?");
		log_warnx("%s: %s%stoo many connections from one address",
		    front->name, log_ip ? host : "", log_ip ? ": " : "");
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		peer_release(p);
		close(fd);
		return;
	}
	c->peer_entry = p;
	c->fd = fd;
	c->front = front;
	c->site = current;
	site_ref(c->site);
	if (log_ip && getnameinfo(sa, (socklen_t)salen, host, sizeof(host),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(c->peer, sizeof(c->peer), "%s ", host);
	if (mode == NET_SNIFF) {
		c->sniff = event_new(base, fd, EV_READ, conn_sniffcb, c);
		if (c->sniff == NULL || event_add(c->sniff, &tv) == -1)
			conn_fail(c, "out of memory");
		return;
	}
	if (conn_start(c, mode == NET_TLS) == -1)
		conn_fail(c, "out of memory");
}

static void
resumecb(evutil_socket_t fd, short what, void *arg)
{
	size_t	 i;

	for (i = 0; i < nlisteners; i++)
		evconnlistener_enable(listeners[i]);
}

/* Out of file descriptors: pause accepting for a second (httpd's way). */
static void
accept_errorcb(struct evconnlistener *l, void *arg)
{
	struct timeval	 tv = { 1, 0 };
	size_t		 i;
	int		 e = EVUTIL_SOCKET_ERROR();

	if (e != EMFILE && e != ENFILE) {
		log_warnx("accept: %s", evutil_socket_error_to_string(e));
		return;
	}
	log_warnx("accept: %s; pausing for a second",
	    evutil_socket_error_to_string(e));
	for (i = 0; i < nlisteners; i++)
		evconnlistener_disable(listeners[i]);
	if (resume_ev == NULL)
		resume_ev = evtimer_new(base, resumecb, NULL);
	if (resume_ev != NULL)
		evtimer_add(resume_ev, &tv);
}

int
net_listen(const char *addr, const char *port, const struct front *front,
    enum net_tls mode, char *err, size_t errlen)
{
	struct addrinfo		 hints, *res, *ai;
	struct evconnlistener	*l;
	int			 e, fd, on = 1, n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(addr, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s:%s: %s", addr ? addr : "*", port,
		    gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (nlisteners == LISTENERS_MAX) {
			snprintf(err, errlen, "too many listeners");
			goto bad;
		}
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;	/* e.g. no IPv6 on this machine */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			e = errno;
			close(fd);
			if (ai->ai_family == AF_INET6 && addr == NULL &&
			    e == EADDRNOTAVAIL)
				continue;
			snprintf(err, errlen, "%s:%s: %s", addr ? addr : "*",
			    port, strerror(e));
			goto bad;
		}
		l = evconnlistener_new(base, acceptcb, NULL,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128, fd);
		if (l == NULL) {
			close(fd);
			snprintf(err, errlen, "%s:%s: %s", addr ? addr : "*",
			    port, strerror(errno));
			goto bad;
		}
		evconnlistener_set_error_cb(l, accept_errorcb);
		listeners[nlisteners] = l;
		fronts[nlisteners] = front;
		modes[nlisteners] = mode;
		nlisteners++;
		n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		snprintf(err, errlen, "%s:%s: no address to listen on",
		    addr ? addr : "*", port);
		return -1;
	}
	return 0;
 bad:
	freeaddrinfo(res);
	return -1;
}

void
net_shutdown(void)
{
	size_t	 i;

	for (i = 0; i < nlisteners; i++)
		evconnlistener_free(listeners[i]);
	nlisteners = 0;
	if (resume_ev != NULL)
		event_free(resume_ev);
	resume_ev = NULL;
	site_unref(current);
	current = NULL;
}


static void
take_request(struct conn *c, char *line, size_t len)
{
	c->line = line;
	log_escape(c->req, sizeof(c->req), line, len);
	bufferevent_disable(c->bev, EV_READ);	/* one request a connection */
	if (len > c->front->line_max)
		c->front->reject(c, "request too long");
	else if (memchr(line, '\0', len) != NULL)
		c->front->reject(c, "NUL byte in request");
	else
		c->front->serve(c, line, len);
}

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	if (c->done || c->line != NULL)
		return;
	line = evbuffer_readln(in, &len, c->front->lf_ok ?
	    EVBUFFER_EOL_CRLF : EVBUFFER_EOL_CRLF_STRICT);
	if (line == NULL) {
		len = evbuffer_get_length(in);
		if (len > c->front->line_max + 2) {
			/* log what came, and refuse it */
			char	 head[64];

			evbuffer_copyout(in, head, sizeof(head));
			log_escape(c->req, sizeof(c->req), head,
			    sizeof(head));
			bufferevent_disable(bev, EV_READ);
			c->front->reject(c, "request too long");
		}
		return;
	}
	take_request(c, line, len);
}

static void
conn_writecb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	if (c->done && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
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
		log_debug("%s: %s handshake done, SNI %s", c->front->name,
		    SSL_get_version(c->ssl), conn_sni(c) ? conn_sni(c) : "none");
		return;
	}
	if ((what & BEV_EVENT_EOF) && !c->done && c->line == NULL &&
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
	if (what & BEV_EVENT_TIMEOUT) {
		if (!c->done && c->line == NULL && c->ssl != NULL &&
		    !c->handshaken)
			conn_fail(c, "TLS handshake timed out");
		else if (!c->done && c->line == NULL)
			c->front->reject(c, "timeout waiting for the request");
		else
			conn_fail(c, "timeout writing the response");
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
	if (!c->done)
		conn_fail(c, c->line == NULL ? "closed before a request" :
		    "closed before the response was sent");
	else
		conn_free(c);
}

struct site *
conn_site(struct conn *c)
{
	return c->site;
}

const char *
conn_sni(struct conn *c)
{
	if (c->ssl == NULL)
		return NULL;
	return SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
}

bool
conn_is_tls(struct conn *c)
{
	return c->ssl != NULL;
}

void
conn_reply(struct conn *c, const void *data, size_t len)
{
	bufferevent_write(c->bev, data, len);
}

void
conn_replyf(struct conn *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
}

static void
unref_cb(const void *data, size_t len, void *arg)
{
	site_unref(arg);
}

void
conn_reply_ref(struct conn *c, const void *data, size_t len)
{
	if (len == 0)
		return;
	site_ref(c->site);
	if (evbuffer_add_reference(bufferevent_get_output(c->bev), data, len,
	    unref_cb, c->site) == -1)
		site_unref(c->site);
}

void
conn_done(struct conn *c, const char *status, const char *why)
{
	c->done = true;
	c->status = status;
	if (why != NULL)
		snprintf(c->why, sizeof(c->why), "%s", why);
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
}

/*
 * Queue LEN bytes of the file FD from OFFSET; the connection owns FD from
 * here on.  libevent maps the file (or sends it with sendfile() on plain
 * TCP) rather than copying it into memory.
 */
int
conn_reply_file(struct conn *c, int fd, off_t offset, off_t len)
{
	if (offset < 0 || len < 0) {
		close(fd);
		return -1;
	}
	if (len == 0) {
		close(fd);
		return 0;
	}
	/*
	 * libevent closes FD once the data has gone out, and on some of its
	 * failures too: not closed here, where a double close would be worse
	 * than a leak when memory runs out.
	 */
	return evbuffer_add_file(bufferevent_get_output(c->bev), fd, offset,
	    len);
}
