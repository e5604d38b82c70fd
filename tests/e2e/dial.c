#include <sys/socket.h>

#include <netdb.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"

int
dial(const char *addr, const char *port, const char *from, int rcvbuf)
{
	struct addrinfo	 hints, *res, *ai, *src = NULL;
	int		 fd = -1;

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
