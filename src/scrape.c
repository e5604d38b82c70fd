/*
 * scrape: the metrics listener on the main loop: accept, read one bounded
 * request head, answer it, close.  Knows HTTP only as far as this takes;
 * the counters and their format are metrics.c's.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "scrape.h"
#include "textcache.h"

struct client {
	struct bufferevent	*bev;		/* owned */
	struct event		*deadline;	/* owned: SCRAPE_TIMEOUT from
						   accept to the request */
	struct client		*next;
	bool			 answered;
};

static struct {
	struct evconnlistener	*listener;	/* owned */
	struct event		*resume;	/* owned: after EMFILE */
	struct client		*clients;	/* owned */
	size_t			 nclients;
	scrape_sites_fn		 sites;
	char			 path[sizeof(((struct sockaddr_un *)0)->
				    sun_path)];	/* a Unix socket's, or "" */
} sc;

/* The end of the head in BUF, or NULL: an empty line, CRLF or LF. */
static const char *
head_end(const char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '\n' && (buf[i + 1] == '\n' || (buf[i + 1] ==
		    '\r' && i + 2 < len && buf[i + 2] == '\n')))
			return buf + i;
	return NULL;
}

enum scrape_req
scrape_parse(const char *buf, size_t len)
{
	const char	*end, *sp1, *sp2, *eol;
	size_t		 mlen, tlen, i;

	if ((end = head_end(buf, len)) == NULL)
		return len > SCRAPE_REQUEST_MAX ? SCRAPE_BAD : SCRAPE_MORE;
	if ((size_t)(end - buf) > SCRAPE_REQUEST_MAX)
		return SCRAPE_BAD;
	eol = memchr(buf, '\n', (size_t)(end - buf) + 1);
	if (eol > buf && eol[-1] == '\r')
		eol--;
	if ((sp1 = memchr(buf, ' ', (size_t)(eol - buf))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) == NULL)
		return SCRAPE_BAD;
	mlen = (size_t)(sp1 - buf);
	tlen = (size_t)(sp2 - sp1 - 1);
	if (mlen == 0 || tlen == 0 || (size_t)(eol - sp2 - 1) != 8 ||
	    memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return SCRAPE_BAD;
	for (i = 0; i < mlen; i++)
		if (buf[i] < 'A' || buf[i] > 'Z')
			return SCRAPE_BAD;
	for (i = 0; i < tlen; i++)
		if ((unsigned char)sp1[1 + i] <= ' ' ||
		    (unsigned char)sp1[1 + i] >= 0x7f)
			return SCRAPE_BAD;
	if (mlen != 3 || memcmp(buf, "GET", 3) != 0)
		return SCRAPE_METHOD;
	if (tlen >= 8 && memcmp(sp1 + 1, "/metrics", 8) == 0 &&
	    (tlen == 8 || sp1[9] == '?'))
		return SCRAPE_METRICS;
	return SCRAPE_NOT_FOUND;
}

int
scrape_check_spec(const char *spec, const char **errstr)
{
	const char	*colon;
	char		*end;
	long		 port;

	if (strncmp(spec, "unix:", 5) == 0) {
		if (spec[5] != '/') {
			*errstr = "a Unix socket's path must be absolute";
			return -1;
		}
		if (strlen(spec + 5) >= sizeof(sc.path)) {
			*errstr = "path too long for a Unix socket";
			return -1;
		}
		return 0;
	}
	if ((colon = strrchr(spec, ':')) == NULL || colon == spec ||
	    (spec[0] == '[' && colon[-1] != ']')) {
		*errstr = "expected ADDRESS:PORT or \"unix:PATH\"";
		return -1;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
	    port < 1 || port > 65535) {
		*errstr = "expected a port from 1 to 65535";
		return -1;
	}
	return 0;
}

static void
client_free(struct client *cl)
{
	struct client	**pp;

	for (pp = &sc.clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	sc.nclients--;
	if (cl->deadline != NULL)
		event_free(cl->deadline);
	bufferevent_free(cl->bev);
	free(cl);
}

/* The exposition, now. */
static void
exposition(struct buf *body)
{
	struct metrics_snapshot	 snap;
	struct metrics_site	*sites;

	if ((sites = calloc(SCRAPE_SITES_MAX, sizeof(*sites))) == NULL ||
	    metrics_snapshot(&snap) == -1) {
		free(sites);
		body->failed = true;
		return;
	}
	snap.open = net_conns();
	snap.log_dropped = log_dropped();
	textcache_stats(&snap.text_bytes, &snap.text_count);
	textcache_counts(&snap.text_hits, &snap.text_misses, &snap.text_bound);
	snap.sites = sites;
	snap.nsites = sc.sites != NULL ? sc.sites(sites, SCRAPE_SITES_MAX) :
	    0;
	metrics_write(body, &snap);
	metrics_snapshot_free(&snap);
	free(sites);
}

static void
answer(struct client *cl, enum scrape_req req)
{
	struct evbuffer	*out = bufferevent_get_output(cl->bev);
	struct buf	 body = BUF_INIT;
	const char	*status = "200 OK", *type =
			    "text/plain; version=0.0.4; charset=utf-8";

	switch (req) {
	case SCRAPE_METRICS:
		exposition(&body);
		if (body.failed) {
			buf_free(&body);
			buf_adds(&body, "out of memory\n");
			status = "500 Internal Server Error";
			type = "text/plain; charset=utf-8";
		}
		break;
	case SCRAPE_NOT_FOUND:
		status = "404 Not Found";
		break;
	case SCRAPE_METHOD:
		status = "405 Method Not Allowed";
		break;
	default:
		status = "400 Bad Request";
		break;
	}
	if (req != SCRAPE_METRICS) {
		type = "text/plain; charset=utf-8";
		buf_addf(&body, "%s; this is zeche's metrics listener: GET "
		    "/metrics\n", status + 4);
	}
	evbuffer_add_printf(out, "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n%sConnection: close\r\n\r\n", status, type,
	    body.len, req == SCRAPE_METHOD ? "Allow: GET\r\n" : "");
	evbuffer_add(out, body.data, body.len);
	buf_free(&body);
	cl->answered = true;
	event_del(cl->deadline);	/* the write timeout bounds the rest */
	bufferevent_disable(cl->bev, EV_READ);
	bufferevent_enable(cl->bev, EV_WRITE);
}

static void
client_readcb(struct bufferevent *bev, void *arg)
{
	struct client		*cl = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	size_t			 len = evbuffer_get_length(in);
	enum scrape_req		 req;
	unsigned char		*p;

	if (cl->answered)
		return;
	if (len > SCRAPE_REQUEST_MAX + 4)
		len = SCRAPE_REQUEST_MAX + 4;
	if ((p = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL) {
		client_free(cl);
		return;
	}
	if ((req = scrape_parse((const char *)p, len)) == SCRAPE_MORE)
		return;
	if (req == SCRAPE_BAD)
		log_warnx("metrics: a malformed request");
	answer(cl, req);
}

static void
client_writecb(struct bufferevent *bev, void *arg)
{
	struct client	*cl = arg;

	if (cl->answered &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(cl);
}

static void
client_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*cl = arg;

	if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) &&
	    !cl->answered) {
		/* a half-close: what came is all there is */
		answer(cl, SCRAPE_BAD);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_warnx("metrics: a client timed out");
	client_free(cl);
}

/*
 * The request head must be complete SCRAPE_TIMEOUT seconds after accept,
 * however slowly its bytes trickle in.
 */
static void
deadlinecb(evutil_socket_t fd, short what, void *arg)
{
	log_warnx("metrics: a client sent no request in time");
	client_free(arg);
}

static void
acceptcb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct timeval	 tv = { SCRAPE_TIMEOUT, 0 };
	struct client	*cl;

	if (sc.nclients >= SCRAPE_CLIENTS_MAX ||
	    (cl = calloc(1, sizeof(*cl))) == NULL) {
		close(fd);
		return;
	}
	if ((cl->bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		free(cl);
		return;
	}
	cl->deadline = evtimer_new(evconnlistener_get_base(l), deadlinecb, cl);
	cl->next = sc.clients;
	sc.clients = cl;
	sc.nclients++;
	bufferevent_setcb(cl->bev, client_readcb, client_writecb,
	    client_eventcb, cl);
	bufferevent_set_timeouts(cl->bev, &tv, &tv);
	if (cl->deadline == NULL || evtimer_add(cl->deadline, &tv) == -1 ||
	    bufferevent_enable(cl->bev, EV_READ) == -1)
		client_free(cl);
}

static void
resumecb(evutil_socket_t fd, short what, void *arg)
{
	evconnlistener_enable(sc.listener);
}

/* Out of descriptors: pause accepting for a second. */
static void
accept_errorcb(struct evconnlistener *l, void *arg)
{
	struct timeval	 tv = { 1, 0 };

	evconnlistener_disable(l);
	evtimer_add(sc.resume, &tv);
}

/* A Unix socket at PATH, mode 0660; a stale one there is replaced. */
static int
unix_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 mask;
	int			 fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode) || (fd = socket(AF_UNIX,
		    SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
			snprintf(err, errlen, "metrics %s: exists and is not "
			    "a socket", path);
			return -1;
		}
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		close(fd);
		if (rc == 0 || unlink(path) == -1) {
			snprintf(err, errlen, "metrics %s: %s", path, rc == 0 ?
			    "in use by another process" : strerror(errno));
			return -1;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "metrics: socket: %s", strerror(errno));
		return -1;
	}
	mask = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rc == -1) {
		snprintf(err, errlen, "metrics %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(sc.path, sizeof(sc.path), "%s", path);
	return fd;
}

/* A TCP socket bound to SPEC, "ADDR:PORT" ("[V6]:PORT", "*:PORT"). */
static int
tcp_socket(const char *spec, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res;
	char		 addr[256];
	const char	*colon = strrchr(spec, ':'), *a = addr;
	int		 fd, on = 1, e;

	snprintf(addr, sizeof(addr), "%.*s", (int)(colon - spec), spec);
	if (addr[0] == '[' && addr[strlen(addr) - 1] == ']') {
		addr[strlen(addr) - 1] = '\0';
		a = addr + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(strcmp(a, "*") == 0 ? NULL : a, colon + 1, &hints,
	    &res)) != 0) {
		snprintf(err, errlen, "metrics %s: %s", spec, gai_strerror(e));
		return -1;
	}
	if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, res->ai_protocol)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1) {
		snprintf(err, errlen, "metrics %s: %s", spec, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
scrape_listen(struct event_base *base, const char *spec,
    scrape_sites_fn sites, char *err, size_t errlen)
{
	const char	*errstr;
	int		 fd;

	if (scrape_check_spec(spec, &errstr) == -1) {
		snprintf(err, errlen, "metrics %s: %s", spec, errstr);
		return -1;
	}
	fd = strncmp(spec, "unix:", 5) == 0 ?
	    unix_socket(spec + 5, err, errlen) : tcp_socket(spec, err, errlen);
	if (fd == -1)
		return -1;
	if ((sc.resume = evtimer_new(base, resumecb, NULL)) == NULL ||
	    (sc.listener = evconnlistener_new(base, acceptcb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, SCRAPE_CLIENTS_MAX,
	    fd)) == NULL) {
		snprintf(err, errlen, "metrics %s: cannot listen", spec);
		close(fd);
		scrape_close();
		return -1;
	}
	evconnlistener_set_error_cb(sc.listener, accept_errorcb);
	sc.sites = sites;
	log_info("metrics: %s: answering GET /metrics", spec);
	return 0;
}

void
scrape_close(void)
{
	while (sc.clients != NULL)
		client_free(sc.clients);
	if (sc.listener != NULL)
		evconnlistener_free(sc.listener);
	sc.listener = NULL;
	if (sc.resume != NULL)
		event_free(sc.resume);
	sc.resume = NULL;
	if (sc.path[0] != '\0')
		unlink(sc.path);
	sc.path[0] = '\0';
}
