/*
 * spget: the small Spartan client the end-to-end tests speak with.
 *
 * usage: spget [-H] [-d data] addr port [host path]
 *
 * With HOST and PATH, sends the request line "HOST PATH LENGTH" and CRLF,
 * LENGTH being the size of DATA (-d; none by default), then DATA.
 * Without them, sends standard input as it is, so that a test can send a
 * malformed line, a wrong length or a data block that stops short.  Then
 * writes the whole response to standard output, up to the server's close.
 * Exits 0 once the server closed the connection, 1 on errors.
 *
 *   -H        half-close after sending (a client that sends no more)
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"

static int
send_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: spget [-H] [-d data] addr port "
	    "[host path]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct timeval	 tv = { 30, 0 };
	const char	*data = "";
	char		 buf[16384];
	ssize_t		 n;
	size_t		 len;
	int		 ch, fd, half = 0;

	while ((ch = getopt(argc, argv, "d:H")) != -1) {
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'H':
			half = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 && argc != 4)
		usage();
	if ((fd = dial(argv[0], argv[1], NULL, 0)) == -1) {
		perror("connect");
		return 1;
	}
	/* never hang a test: the server closes within its own timeouts */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (argc == 4) {
		len = (size_t)snprintf(buf, sizeof(buf), "%s %s %zu\r\n",
		    argv[2], argv[3], strlen(data));
		if (len >= sizeof(buf) || send_all(fd, buf, len) == -1 ||
		    send_all(fd, data, strlen(data)) == -1) {
			perror("send");
			return 1;
		}
	} else {
		while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
			if (send_all(fd, buf, (size_t)n) == -1) {
				perror("send");
				return 1;
			}
	}
	if (half)
		shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
	if (n == -1) {
		perror("read");
		return 1;
	}
	close(fd);
	return 0;
}
