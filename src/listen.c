/*
 * listen: the listening sockets, made and bound for the workers.  Knows
 * no event loop, no connection and no protocol: net.c owns what is done
 * with a socket once it listens.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

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
listen_open(const char *addr, const char *port, unsigned int workers,
    int **fdsp, size_t *np, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	int		*fds = NULL, *more;
	size_t		 n = 0;
	unsigned int	 w;
	int		 e, fd;

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
