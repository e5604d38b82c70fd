/*
 * listen: the listening sockets, made and bound for the workers.  Knows
 * no event loop, no connection and no protocol: net.c owns what is done
 * with a socket once it listens.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"

#define LISTEN_UNIX_MAX	16	/* Unix socket files made: the listeners */
#define LISTEN_FDS_START 3	/* systemd's first descriptor (sd_listen_fds) */

/* The Unix socket files made, to be removed at the end. */
static struct made {
	char	 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t	 dev;
	ino_t	 ino;
}			 made[LISTEN_UNIX_MAX];
static size_t		 nmade;

/*
 * The listening sockets systemd passed (LISTEN_FDS), until a listener
 * takes them (fd -1 then) or listen_inherit_end() closes the rest.
 */
static struct inherited {
	int			 fd;
	char			 name[LISTEN_NAME_MAX + 1];
	struct sockaddr_storage	 ss;	/* its address (getsockname) */
	socklen_t		 len;
}			 inh[LISTEN_INHERIT_MAX];
static size_t		 ninh;

/*
 * A socket bound to AI for worker W of WORKERS.  Worker 0's is bound
 * without SO_REUSEPORT, so that a port another program holds (with the
 * option or without) is an error as it was with one worker; the option is
 * set on it after the bind, and the other workers' sockets then join it.
 * Returns the socket, -2 when no socket of AI's family can be made (e.g.
 * no IPv6 here), or -1 with errno set.
 */
static int
listen_socket(const struct addrinfo *ai, unsigned int w, unsigned int workers)
{
	int	 fd, on = 1, e;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -2;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if ((w > 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) == -1) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    (w == 0 && workers > 1 && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEPORT, &on, sizeof(on)) == -1)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void
close_fds(int *fds, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

int
listen_unix_stale(const char *path, const char *what, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	const char		*sp = what[strlen(what) - 1] == ':' ? "" : " ";
	int			 fd, busy;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : (snprintf(err, errlen,
		    "%s%s%s: %s", what, sp, path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s%s%s: exists and is not a socket; "
		    "remove it or name another path", what, sp, path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "%s: socket: %s", what, strerror(errno));
		return -1;
	}
	busy = connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	if (busy) {
		snprintf(err, errlen, "%s%s%s: another zeche listens "
		    "there", what, sp, path);
		return -1;
	}
	if (unlink(path) == -1) {
		snprintf(err, errlen, "%s%s%s: cannot remove the stale "
		    "socket: %s", what, sp, path, strerror(errno));
		return -1;
	}
	log_info("%s%s%s: stale socket replaced", what, sp, path);
	return 0;
}

/* The user and group LA names, -1 for none. */
static int
unix_owner(const struct listen_addr *la, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd	*pw;
	struct group	*gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (la->owner != NULL) {
		if ((pw = getpwnam(la->owner)) == NULL) {
			snprintf(err, errlen, "unix:%s: no user %s", la->path,
			    la->owner);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (la->group != NULL) {
		if ((gr = getgrnam(la->group)) == NULL) {
			snprintf(err, errlen, "unix:%s: no group %s", la->path,
			    la->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/*
 * The Unix socket of LA, bound, with its mode and owner, and noted for
 * listen_close().  Returns it, or -1 with a message in ERR.
 */
static int
unix_socket(const struct listen_addr *la, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	uid_t			 uid;
	gid_t			 gid;
	mode_t			 mask;
	int			 fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (nmade == LISTEN_UNIX_MAX ||
	    strlen(la->path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "unix:%s: %s", la->path,
		    nmade == LISTEN_UNIX_MAX ? "too many Unix sockets" :
		    "path too long");
		return -1;
	}
	memcpy(sun.sun_path, la->path, strlen(la->path));
	if (unix_owner(la, &uid, &gid, err, errlen) == -1 ||
	    listen_unix_stale(la->path, "unix:", err, errlen) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "unix:%s: %s", la->path, strerror(errno));
		return -1;
	}
	/* 0600 at first: no one else connects before mode and owner are set */
	mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rc == -1 || ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    lchown(la->path, uid, gid) == -1) ||
	    chmod(la->path, la->mode != 0 ? (mode_t)la->mode : 0660) == -1 ||
	    lstat(la->path, &st) == -1) {
		snprintf(err, errlen, "unix:%s: %s", la->path, strerror(errno));
		if (rc == 0)
			unlink(la->path);
		close(fd);
		return -1;
	}
	memcpy(made[nmade].path, sun.sun_path, sizeof(sun.sun_path));
	made[nmade].dev = st.st_dev;
	made[nmade].ino = st.st_ino;
	nmade++;
	return fd;
}

/* One socket FD for WORKERS workers: a descriptor of it each. */
static int
share(int fd, unsigned int workers, int **fdsp, size_t *np, char *err,
    size_t errlen)
{
	int		*fds;
	unsigned int	 w;

	if ((fds = calloc(workers, sizeof(*fds))) == NULL)
		goto bad;
	fds[0] = fd;
	for (w = 1; w < workers; w++)
		if ((fds[w] = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
			close_fds(fds + 1, w - 1);
			free(fds);
			goto bad;
		}
	*fdsp = fds;
	*np = 1;
	return 0;
 bad:
	snprintf(err, errlen, "%s", strerror(errno));
	close(fd);
	return -1;
}

/* IN's address as text, for the log: "[::]:1965", "unix:/run/x.sock". */
static const char *
describe(const struct inherited *in, char *buf, size_t len)
{
	const struct sockaddr_un	*sun = (const void *)&in->ss;
	char				 host[NI_MAXHOST], serv[NI_MAXSERV];

	if (in->ss.ss_family == AF_UNIX)
		snprintf(buf, len, "unix:%s", sun->sun_path[0] != '\0' ?
		    sun->sun_path : "(abstract)");
	else if (getnameinfo((const struct sockaddr *)&in->ss, in->len, host,
	    sizeof(host), serv, sizeof(serv), NI_NUMERICHOST |
	    NI_NUMERICSERV) == 0)
		snprintf(buf, len, in->ss.ss_family == AF_INET6 ? "[%s]:%s" :
		    "%s:%s", host, serv);
	else
		snprintf(buf, len, "(family %d)", in->ss.ss_family);
	return buf;
}

/* A number in decimal, 0 to MAX, and nothing else; -1 if not. */
static long
env_number(const char *s, long max)
{
	char	*end;
	long	 n;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return *end != '\0' || errno != 0 || n > max ? -1 : n;
}

/*
 * Take descriptor FD as the next inherited socket, named NAMELEN bytes of
 * NAME (NULL: no name).
 */
static int
inherit_one(int fd, const char *name, size_t namelen, char *err,
    size_t errlen)
{
	struct inherited	*in = &inh[ninh];
	socklen_t		 len = sizeof(int);
	int			 type = 0, listening = 0, fl;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_STREAM ||
	    (len = sizeof(int), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
	    &listening, &len)) == -1 || !listening) {
		snprintf(err, errlen, "LISTEN_FDS: descriptor %d is no "
		    "listening stream socket", fd);
		return -1;
	}
	in->len = sizeof(in->ss);
	if (getsockname(fd, (struct sockaddr *)&in->ss, &in->len) == -1 ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "LISTEN_FDS: descriptor %d: %s", fd,
		    strerror(errno));
		return -1;
	}
	in->fd = fd;
	if (name != NULL && namelen <= LISTEN_NAME_MAX)
		memcpy(in->name, name, namelen);
	in->name[namelen <= LISTEN_NAME_MAX ? namelen : 0] = '\0';
	ninh++;
	return 0;
}

int
listen_inherit(char *err, size_t errlen)
{
	const char	*names = getenv("LISTEN_FDNAMES"), *p;
	long		 pid, n, i;
	size_t		 len;
	int		 rc = 0;

	pid = env_number(getenv("LISTEN_PID"), 0x7fffffff);
	n = env_number(getenv("LISTEN_FDS"), 0x7fffffff);
	if (getenv("LISTEN_FDS") == NULL || pid != (long)getpid())
		goto done;		/* none, or another process's */
	if (n < 0 || n > LISTEN_INHERIT_MAX) {
		snprintf(err, errlen, "LISTEN_FDS: expected 0 to %d "
		    "descriptors", LISTEN_INHERIT_MAX);
		rc = -1;
		goto done;
	}
	for (i = 0, p = names; i < n && rc == 0; i++) {
		len = p != NULL ? strcspn(p, ":") : 0;
		rc = inherit_one(LISTEN_FDS_START + (int)i, p, len, err,
		    errlen);
		if (p != NULL)
			p = p[len] == ':' ? p + len + 1 : NULL;
	}
	rc = rc == 0 ? (int)ninh : -1;
 done:
	/* not for a process zeche starts, nor for a second look */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return rc;
}

void
listen_inherit_end(void)
{
	char	 buf[128];
	size_t	 i;

	for (i = 0; i < ninh; i++) {
		if (inh[i].fd == -1)
			continue;
		log_warnx("%s (LISTEN_FDS, descriptor %d%s%s): no listener of "
		    "the configuration takes it; closed", describe(&inh[i],
		    buf, sizeof(buf)), inh[i].fd, inh[i].name[0] != '\0' ?
		    ", named " : "", inh[i].name);
		close(inh[i].fd);
		inh[i].fd = -1;
	}
	ninh = 0;
}

/* Is SA (an inherited socket's address) the address AI binds to? */
static bool
same_addr(const struct sockaddr_storage *ss, const struct addrinfo *ai)
{
	const struct sockaddr_in	*a4 = (const void *)ss;
	const struct sockaddr_in	*b4 = (const void *)ai->ai_addr;
	const struct sockaddr_in6	*a6 = (const void *)ss;
	const struct sockaddr_in6	*b6 = (const void *)ai->ai_addr;

	if (ss->ss_family != ai->ai_family)
		return false;
	if (ss->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (ss->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	return false;
}

/* Does LA listen where the inherited socket IN does?  RES: LA's. */
static bool
matches(const struct inherited *in, const struct listen_addr *la,
    const struct addrinfo *res)
{
	const struct sockaddr_un	*sun = (const void *)&in->ss;
	const struct addrinfo		*ai;

	if (la->path != NULL)
		return in->ss.ss_family == AF_UNIX &&
		    strcmp(sun->sun_path, la->path) == 0;
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (same_addr(&in->ss, ai))
			return true;
	return false;
}

/*
 * The inherited sockets LA takes: those at its address (one of them,
 * for "*"), or else the unused ones named LA->name; each one a row of
 * WORKERS descriptors.  Returns the rows (in *FDSP), 0 for none (LA is
 * bound as usual), or -1 with a message in ERR.
 */
static int
take_inherited(const struct listen_addr *la, unsigned int workers,
    int **fdsp, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	bool		 want[LISTEN_INHERIT_MAX];
	char		 buf[128];
	int		*fds;
	size_t		 i, n = 0, k = 0;
	unsigned int	 w;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (la->path == NULL &&
	    getaddrinfo(la->addr, la->port, &hints, &res) != 0)
		res = NULL;		/* reported when it is bound */
	for (i = 0; i < ninh; i++)
		n += (want[i] = inh[i].fd != -1 && matches(&inh[i], la, res));
	if (res != NULL)
		freeaddrinfo(res);
	for (i = 0; i < ninh && n == 0 && la->name != NULL; i++)
		if (inh[i].fd != -1 && strcmp(inh[i].name, la->name) == 0)
			want[i] = true;
	for (i = 0; i < ninh && n == 0; i++)
		n += want[i];
	if (n == 0)
		return 0;
	if ((fds = calloc(n * workers, sizeof(*fds))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	for (i = 0; i < ninh; i++) {
		if (!want[i])
			continue;
		/* one socket for every worker: the kernel wakes them all */
		fds[k * workers] = inh[i].fd;
		for (w = 1; w < workers; w++)
			if ((fds[k * workers + w] = fcntl(inh[i].fd,
			    F_DUPFD_CLOEXEC, 0)) == -1) {
				snprintf(err, errlen, "%s", strerror(errno));
				close_fds(fds, k * workers + w);
				free(fds);
				return -1;
			}
		log_info("%s: listening on %s, from systemd (LISTEN_FDS)",
		    la->name != NULL ? la->name : "listener",
		    describe(&inh[i], buf, sizeof(buf)));
		inh[i].fd = -1;
		k++;
	}
	*fdsp = fds;
	return (int)n;
}

void
listen_close(void)
{
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < nmade; i++)
		if (lstat(made[i].path, &st) == 0 &&
		    st.st_dev == made[i].dev && st.st_ino == made[i].ino &&
		    unlink(made[i].path) == -1)
			log_debug("unix:%s: not removed: %s", made[i].path,
			    strerror(errno));
	nmade = 0;
}

int
listen_open(const struct listen_addr *la, unsigned int workers,
    int **fdsp, size_t *np, char *err, size_t errlen)
{
	const char	*addr = la->addr, *port = la->port;
	struct addrinfo	 hints, *res, *ai;
	int		*fds = NULL, *more;
	size_t		 n = 0;
	unsigned int	 w;
	int		 e, fd;

	if (ninh > 0 && (e = take_inherited(la, workers, fdsp, err,
	    errlen)) != 0) {
		*np = (size_t)e;
		return e < 0 ? -1 : 0;
	}
	if (la->path != NULL) {
		if ((fd = unix_socket(la, err, errlen)) == -1)
			return -1;
		return share(fd, workers, fdsp, np, err, errlen);
	}
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
		if ((more = reallocarray(fds, (n + 1) * workers,
		    sizeof(*fds))) == NULL) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto bad;
		}
		fds = more;
		for (w = 0; w < workers; w++) {
			if ((fd = listen_socket(ai, w, workers)) >= 0) {
				fds[n * workers + w] = fd;
				continue;
			}
			e = errno;
			if (w == 0 && (fd == -2 || (ai->ai_family ==
			    AF_INET6 && addr == NULL && e == EADDRNOTAVAIL)))
				break;		/* e.g. no IPv6 here */
			close_fds(fds + n * workers, w);
			snprintf(err, errlen, "%s:%s: %s", addr ? addr : "*",
			    port, strerror(e));
			goto bad;
		}
		if (w == workers)
			n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		free(fds);
		snprintf(err, errlen, "%s:%s: no address to listen on",
		    addr ? addr : "*", port);
		return -1;
	}
	*fdsp = fds;
	*np = n;
	return 0;
 bad:
	freeaddrinfo(res);
	close_fds(fds, n * workers);
	free(fds);
	return -1;
}
