/*
 * control: the control socket and its clients.  Runs no reload itself
 * and knows no model: it asks the caller's hook and relays the answer.
 *
 * The control socket.  It lives on the main loop beside the
 * reloads and never blocks it: a client has CONTROL_READ_TIMEOUT seconds
 * and CONTROL_LINE_MAX bytes for its command, at most CONTROL_CLIENTS_MAX
 * are served at once, and an answer a client does not take is dropped
 * after CONTROL_WRITE_TIMEOUT seconds.  Reloads are only ever asked for:
 * a client cannot hold one up, and many clients share one.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "control.h"
#include "listen.h"
#include "log.h"

struct client {
	struct bufferevent	*bev;
	unsigned long		 seq;		/* the reload it waits for,
						   0: none (yet) */
	bool			 closing;	/* answered: free once sent */
};

static struct {
	struct evconnlistener	*listener;
	struct event		*resume;	/* accept again after EMFILE */
	struct client		*clients[CONTROL_CLIENTS_MAX];
	control_reload_fn	 reload;
	char			 path[sizeof(((struct sockaddr_un *)0)->
				    sun_path)];
	dev_t			 dev;		/* the socket file made */
	ino_t			 ino;
} ctl;

static void
client_free(struct client *cl)
{
	size_t	 i;

	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl.clients[i] == cl)
			ctl.clients[i] = NULL;
	bufferevent_free(cl->bev);
	free(cl);
}

/* Send the answer, then free the client once it has gone out. */
static void
client_answer(struct client *cl, bool ok, const char *text)
{
	struct evbuffer	*out = bufferevent_get_output(cl->bev);
	size_t		 n;

	evbuffer_add_printf(out, "%s: ", ok ? "ok" : "failed");
	if (*text == '\0')
		evbuffer_add(out, "\n", 1);
	for (; *text != '\0'; text += n + (text[n] == '\n')) {
		n = strcspn(text, "\n");
		evbuffer_add(out, text, n);
		evbuffer_add(out, "\n", 1);
	}
	cl->closing = true;
	cl->seq = 0;
	bufferevent_disable(cl->bev, EV_READ);
	bufferevent_enable(cl->bev, EV_WRITE);
}

static void
client_writecb(struct bufferevent *bev, void *arg)
{
	struct client	*cl = arg;

	if (cl->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(cl);
}

static void
client_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*cl = arg;

	if ((what & BEV_EVENT_TIMEOUT) && !cl->closing)
		log_warnx("control: a client sent no command within %d s",
		    CONTROL_READ_TIMEOUT);
	/* EOF, an error or a timeout: a waiting client has gone too */
	client_free(cl);
}

static void
client_readcb(struct bufferevent *bev, void *arg)
{
	struct client	*cl = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	if (cl->seq != 0 || cl->closing) {	/* one command each */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	if ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) == NULL) {
		if (evbuffer_get_length(in) >= CONTROL_LINE_MAX) {
			log_warnx("control: a command too long");
			client_answer(cl, false, "command too long");
		}
		return;
	}
	if (strcmp(line, "reload") != 0 && strcmp(line, "reload full") != 0) {
		log_warnx("control: an unknown command");
		client_answer(cl, false, "unknown command (the commands are "
		    "\"reload\" and \"reload full\")");
	} else {
		/* it may wait as long as the reload takes; EOF still frees */
		bufferevent_set_timeouts(bev, NULL, NULL);
		cl->seq = ctl.reload(strcmp(line, "reload full") == 0);
	}
	free(line);
}

static void
acceptcb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct timeval	 rtv = { CONTROL_READ_TIMEOUT, 0 };
	struct timeval	 wtv = { CONTROL_WRITE_TIMEOUT, 0 };
	struct client	*cl;
	size_t		 i;

	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl.clients[i] == NULL)
			break;
	if (i == CONTROL_CLIENTS_MAX) {
		log_warnx("control: %d clients already; one turned away",
		    CONTROL_CLIENTS_MAX);
		(void)send(fd, "failed: busy\n", 13, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
		evutil_closesocket(fd);
		return;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL ||
	    (cl->bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warn("control");
		free(cl);
		evutil_closesocket(fd);
		return;
	}
	ctl.clients[i] = cl;
	bufferevent_setcb(cl->bev, client_readcb, client_writecb,
	    client_eventcb, cl);
	bufferevent_setwatermark(cl->bev, EV_READ, 0, CONTROL_LINE_MAX);
	bufferevent_set_timeouts(cl->bev, &rtv, &wtv);
	bufferevent_enable(cl->bev, EV_READ);
}

static void
resumecb(evutil_socket_t fd, short what, void *arg)
{
	evconnlistener_enable(ctl.listener);
}

/* Out of descriptors: accept again in a second, rather than spin. */
static void
accept_errorcb(struct evconnlistener *l, void *arg)
{
	struct timeval	 tv = { 1, 0 };

	log_warn("control: accept");
	evconnlistener_disable(l);
	evtimer_add(ctl.resume, &tv);
}

int
control_listen(struct event_base *base, const char *path, const char *user,
    control_reload_fn reload, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct passwd		*pw = NULL;
	struct stat		 st;
	mode_t			 mask;
	int			 fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control %s: path too long for a Unix "
		    "socket (%zu bytes at most)", path,
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (user != NULL && geteuid() == 0 && (pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "control %s: no user %s", path, user);
		return -1;
	}
	if (listen_unix_stale(path, "control", err, errlen) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "control: socket: %s", strerror(errno));
		return -1;
	}
	/* 0600 from the start: no moment in which others may connect */
	mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rc == -1 || lstat(path, &st) == -1 ||
	    (pw != NULL && lchown(path, pw->pw_uid, pw->pw_gid) == -1) ||
	    listen(fd, CONTROL_CLIENTS_MAX) == -1) {
		snprintf(err, errlen, "control %s: %s", path, strerror(errno));
		if (rc == 0)
			unlink(path);
		close(fd);
		return -1;
	}
	if ((ctl.resume = evtimer_new(base, resumecb, NULL)) == NULL ||
	    (ctl.listener = evconnlistener_new(base, acceptcb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)) == NULL) {
		snprintf(err, errlen, "control %s: cannot listen", path);
		if (ctl.resume != NULL)
			event_free(ctl.resume);
		ctl.resume = NULL;
		unlink(path);
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(ctl.listener, accept_errorcb);
	ctl.reload = reload;
	ctl.dev = st.st_dev;
	ctl.ino = st.st_ino;
	snprintf(ctl.path, sizeof(ctl.path), "%s", path);
	log_info("control %s: listening for reload", path);
	return 0;
}

void
control_reloaded(unsigned long seq, bool ok, const char *text)
{
	size_t	 i;

	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl.clients[i] != NULL && ctl.clients[i]->seq != 0 &&
		    ctl.clients[i]->seq <= seq)
			client_answer(ctl.clients[i], ok, text);
}

void
control_close(void)
{
	struct stat	 st;
	size_t		 i;

	if (ctl.listener == NULL)
		return;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		if (ctl.clients[i] == NULL)
			continue;
		if (ctl.clients[i]->seq != 0)	/* best effort, no wait */
			(void)send(bufferevent_getfd(ctl.clients[i]->bev),
			    "failed: zeche is stopping\n", 26,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		client_free(ctl.clients[i]);
	}
	evconnlistener_free(ctl.listener);
	event_free(ctl.resume);
	ctl.listener = NULL;
	ctl.resume = NULL;
	/*
	 * Only the file made at the start: not one a later zeche made.
	 * Confined (--user), the folder may no longer let it be removed;
	 * the next start replaces it then.
	 */
	if (lstat(ctl.path, &st) == 0 && st.st_dev == ctl.dev &&
	    st.st_ino == ctl.ino && unlink(ctl.path) == -1)
		log_debug("control %s: not removed: %s", ctl.path,
		    strerror(errno));
}

/* Write the answer's lines: "ok: " ones to stdout, the rest to stderr. */
static int
print_answer(const char *buf, const char *path)
{
	const char	*p;
	size_t		 n;
	bool		 ok;

	if (strncmp(buf, "ok: ", 4) == 0) {
		ok = true;
		buf += 4;
	} else if (strncmp(buf, "failed: ", 8) == 0) {
		ok = false;
		buf += 8;
	} else {
		fprintf(stderr, "zeche: --reload: %s: no answer from zeche\n",
		    path);
		return 1;
	}
	for (p = buf; *p != '\0'; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		if (ok)
			printf("zeche: %.*s\n", (int)n, p);
		else
			fprintf(stderr, "zeche: %s%.*s\n", p == buf ?
			    "reload failed: " : "", (int)n, p);
	}
	return ok ? 0 : 1;
}

int
control_reload(const char *path, bool full)
{
	const char		*cmd = full ? "reload full\n" : "reload\n";
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	struct timespec		 t0, t;
	char			*buf;
	size_t			 len = 0;
	ssize_t			 n;
	long			 left;
	int			 fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "zeche: --reload: %s: path too long\n", path);
		return 1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "zeche: --reload: %s: %s; is zeche running "
		    "with this control socket?\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return 1;
	}
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) !=
	    (ssize_t)strlen(cmd)) {
		fprintf(stderr, "zeche: --reload: %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return 1;
	}
	if ((buf = malloc(CONTROL_ANSWER_MAX + 1)) == NULL) {
		perror("zeche: --reload");
		close(fd);
		return 1;
	}
	/* the answer comes once the reload has ended, then EOF */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = (CONTROL_WAIT - (t.tv_sec - t0.tv_sec)) * 1000L;
		if (left <= 0) {
			fprintf(stderr, "zeche: --reload: %s: no answer "
			    "within %d s\n", path, CONTROL_WAIT);
			rc = 1;
			goto done;
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents == 0)
			continue;
		n = read(fd, buf + len, CONTROL_ANSWER_MAX - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t)n) == CONTROL_ANSWER_MAX)
			break;
	}
	buf[len] = '\0';
	rc = print_answer(buf, path);
 done:
	free(buf);
	close(fd);
	return rc;
}
