/*
 * notify: systemd's READY/RELOADING/STOPPING messages.  Knows no reload
 * and no connection: the caller says when.
 *
 * The systemd notification protocol, READY=1, RELOADING=1 and
 * STOPPING=1 with a STATUS= line, written to the datagram socket in
 * NOTIFY_SOCKET.  The socket is connected once at the start, so that
 * the chroot and Landlock of --user need not let the path be named.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static int	 notify_fd = -1;

int
notify_addr(const char *env, struct sockaddr_un *addr, socklen_t *len,
    const char **errstr)
{
	size_t	 n = strlen(env);

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (env[0] != '/' && env[0] != '@') {
		*errstr = "neither an absolute path nor an abstract name (@)";
		return -1;
	}
	if (n < 2 || n >= sizeof(addr->sun_path)) {
		*errstr = n < 2 ? "empty" : "too long";
		return -1;
	}
	memcpy(addr->sun_path, env, n);
	if (env[0] == '@') {		/* abstract: no NUL at the end */
		addr->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
		    1);
	return 0;
}

size_t
notify_format(char *buf, size_t size, const char *state, long pid,
    const char *text)
{
	size_t	 len = 0;
	int	 n;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	/* whole lines only: STATE and MAINPID= are left out if cut */
	if (state != NULL && (n = snprintf(buf, size, "%s\n", state)) > 0 &&
	    (size_t)n < size)
		len = (size_t)n;
	buf[len] = '\0';
	if (pid > 0 && (n = snprintf(buf + len, size - len, "MAINPID=%ld\n",
	    pid)) > 0 && (size_t)n < size - len)
		len += (size_t)n;
	buf[len] = '\0';
	/* "STATUS=" and the text on one line, as much as fits with "\n" */
	if (text == NULL || size - len < sizeof("STATUS=x\n"))
		return len;
	memcpy(buf + len, "STATUS=", 7);
	len += 7;
	for (; *text != '\0' && len + 2 < size; text++) {
		if (*text != '\n')
			buf[len++] = (unsigned char)*text < 0x20 ||
			    *text == 0x7f ? ' ' : *text;
		else if (text[1] == '\0' || len + 3 >= size)
			break;
		else {
			buf[len++] = ';';
			buf[len++] = ' ';
		}
	}
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

int
notify_open(void)
{
	struct sockaddr_un	 addr;
	socklen_t		 len;
	const char		*env, *errstr;
	int			 fd;

	if ((env = getenv("NOTIFY_SOCKET")) == NULL || env[0] == '\0')
		return 0;
	if (notify_addr(env, &addr, &len, &errstr) == -1) {
		log_warnx("NOTIFY_SOCKET %s: %s; systemd is not told when "
		    "zeche serves", env, errstr);
		unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&addr, len) == -1) {
		log_warn("NOTIFY_SOCKET %s; systemd is not told when zeche "
		    "serves", env);
		if (fd != -1)
			close(fd);
		unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	notify_fd = fd;
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

/* Send MSG of LEN bytes; a failure is logged, once, and not fatal. */
static void
notify_send(const char *msg, size_t len)
{
	static bool	 warned;

	if (notify_fd == -1)
		return;
	if (send(notify_fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) == -1 &&
	    !warned) {
		log_warn("NOTIFY_SOCKET");
		warned = true;
	}
}

void
notify_ready(size_t nhosts)
{
	char	 msg[NOTIFY_MSG_MAX], text[64];

	if (notify_fd == -1)
		return;
	snprintf(text, sizeof(text), "serving %zu host%s", nhosts,
	    nhosts == 1 ? "" : "s");
	notify_send(msg, notify_format(msg, sizeof(msg), "READY=1",
	    (long)getpid(), text));
}

void
notify_reloading(void)
{
	struct timespec	 ts;
	char		 msg[NOTIFY_MSG_MAX], state[64];

	if (notify_fd == -1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(msg, notify_format(msg, sizeof(msg), state, 0,
	    "reloading"));
}

void
notify_reloaded(int ok, size_t nhosts, const char *err)
{
	struct tm	 tm;
	time_t		 now;
	size_t		 n, lines = 0;
	const char	*p;
	char		 msg[NOTIFY_MSG_MAX], text[NOTIFY_MSG_MAX], when[64];

	if (notify_fd == -1)
		return;
	if (ok) {
		now = time(NULL);
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z",
		    &tm) == 0)
			snprintf(when, sizeof(when), "%lld", (long long)now);
		snprintf(text, sizeof(text), "reloaded at %s: %zu host%s",
		    when, nhosts, nhosts == 1 ? "" : "s");
	} else {
		for (p = err; *p != '\0'; p += n + (p[n] == '\n')) {
			n = strcspn(p, "\n");
			lines++;
		}
		n = strcspn(err, "\n");
		if (lines == 0)
			snprintf(text, sizeof(text), "reload failed");
		else if (lines > 1)
			snprintf(text, sizeof(text), "reload failed: %.*s "
			    "(and %zu more)", (int)(n > 800 ? 800 : n), err,
			    lines - 1);
		else
			snprintf(text, sizeof(text), "reload failed: %.*s",
			    (int)(n > 800 ? 800 : n), err);
	}
	notify_send(msg, notify_format(msg, sizeof(msg), "READY=1", 0, text));
}

void
notify_stopping(void)
{
	char	 msg[NOTIFY_MSG_MAX];

	if (notify_fd == -1)
		return;
	notify_send(msg, notify_format(msg, sizeof(msg), "STOPPING=1", 0,
	    "stopping"));
	close(notify_fd);
	notify_fd = -1;
}
