#include <sys/socket.h>
#include <sys/un.h>

#include <netdb.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"

/* ADDR "unix:PATH": a Unix socket (the port is not used). */
static int
dial_unix(const char *path, int rcvbuf)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	memcpy(sun.sun_path, path, strlen(path));
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
dial(const char *addr, const char *port, const char *from, int rcvbuf)
{
	struct addrinfo	 hints, *res, *ai, *src = NULL;
	int		 fd = -1;

	if (strncmp(addr, "unix:", 5) == 0)
		return dial_unix(addr + 5, rcvbuf);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(addr, port, &hints, &res) != 0)
		return -1;
	if (from != NULL && getaddrinfo(from, "0", &hints, &src) != 0) {
		freeaddrinfo(res);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (rcvbuf > 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			    sizeof(rcvbuf));
		if ((src == NULL || bind(fd, src->ai_addr, src->ai_addrlen) ==
		    0) && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (src != NULL)
		freeaddrinfo(src);
	return fd;
}
