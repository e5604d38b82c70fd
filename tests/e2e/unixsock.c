/*
 * unixsock: the end-to-end tests' Unix socket tool.
 *
 *   unixsock listen PATH FILE   bind a datagram socket at PATH (as
 *                               systemd's NOTIFY_SOCKET) and append each
 *                               datagram received to FILE, then "--\n";
 *                               runs until killed
 *   unixsock send PATH TEXT     connect to the stream socket PATH, send
 *                               TEXT (\n in it a line break), print the
 *                               answer until EOF (10 s at most); exit 1
 *                               if it cannot connect
 *   unixsock hold PATH TEXT     as send, but then keep the connection
 *                               open without reading, until killed
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: unixsock listen|send|hold PATH FILE|TEXT\n");
	exit(2);
}

static void
fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		usage();
	memcpy(sun->sun_path, path, strlen(path));
}

/* TEXT with "\n" as a line break */
static size_t
unescape(char *t)
{
	char	*r, *w;

	for (r = w = t; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] == 'n') {
			*w++ = '\n';
			r++;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return (size_t)(w - t);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	char			 buf[4096];
	FILE			*out;
	ssize_t			 n;
	size_t			 len;
	int			 fd;

	if (argc != 4)
		usage();
	fill(&sun, argv[2]);
	if (strcmp(argv[1], "listen") == 0) {
		if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
		    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
			perror(argv[2]);
			return 1;
		}
		if ((out = fopen(argv[3], "a")) == NULL) {
			perror(argv[3]);
			return 1;
		}
		for (;;) {
			if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
				perror("recv");
				return 1;
			}
			fwrite(buf, 1, (size_t)n, out);
			fputs("--\n", out);
			fflush(out);
		}
	}
	if (strcmp(argv[1], "send") != 0 && strcmp(argv[1], "hold") != 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror(argv[2]);
		return 1;
	}
	len = unescape(argv[3]);
	if (len > 0 && write(fd, argv[3], len) != (ssize_t)len)
		perror("write");
	if (strcmp(argv[1], "hold") == 0)
		for (;;)
			pause();
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 10000) > 0 &&
	    (n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}
