/*
 * flood: the rate limit's flood for the end-to-end tests: requests to a
 * Gopher listener that takes PROXY headers, each from a source address
 * of its own choosing, so that one machine looks like many clients.
 *
 * usage: flood ADDR PORT REQUESTS ADDRESSES FIRST
 *
 * Sends REQUESTS requests ("\r\n", the root menu) over 4 threads, each on
 * a new connection after a PROXY v2 header naming 10.0.0.0 + FIRST + (i %
 * ADDRESSES) as the client; every other address an IPv6 one
 * (2001:db8:N::1, a /64 each).  Prints "ok N slow N closed N": answers
 * that are menus, error items ("slow down") and connections closed
 * without an answer.  Each connection ends with a reset, so that neither
 * side keeps thousands in TIME_WAIT.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS	4

static struct sockaddr_in	 dst;
static long			 requests, addresses, first;
static atomic_long		 next, ok, slow, closed;

static size_t
header(unsigned char *h, unsigned long n)
{
	static const unsigned char sig[12] = "\r\n\r\n\0\r\nQUIT\n";
	uint32_t	 a4 = htonl(0x0a000000u + (uint32_t)n);
	size_t		 len;

	memcpy(h, sig, 12);
	h[12] = 0x21;			/* v2, PROXY */
	if (n % 2 == 0) {
		h[13] = 0x11;		/* TCP over IPv4 */
		h[14] = 0;
		h[15] = 12;
		memcpy(h + 16, &a4, 4);
		memcpy(h + 20, &dst.sin_addr, 4);
		memcpy(h + 24, "\x9c\x40", 2);
		memcpy(h + 26, &dst.sin_port, 2);
		len = 28;
	} else {
		h[13] = 0x21;		/* TCP over IPv6 */
		h[14] = 0;
		h[15] = 36;
		memset(h + 16, 0, 32);
		memcpy(h + 16, "\x20\x01\x0d\xb8", 4);
		h[20] = (unsigned char)(n >> 24);
		h[21] = (unsigned char)(n >> 16);
		h[22] = (unsigned char)(n >> 8);
		h[23] = (unsigned char)n;
		h[31] = 1;
		h[47] = 1;		/* to ::1 */
		memcpy(h + 48, "\x9c\x40", 2);
		memcpy(h + 50, &dst.sin_port, 2);
		len = 52;
	}
	memcpy(h + len, "\r\n", 2);
	return len + 2;
}

static void *
run(void *arg)
{
	struct linger	 lg = { 1, 0 };
	struct timeval	 tv = { 10, 0 };
	unsigned char	 h[64];
	char		 buf[4096], first_byte;
	ssize_t		 r;
	size_t		 len, got;
	long		 i;
	int		 fd;

	while ((i = atomic_fetch_add(&next, 1)) < requests) {
		len = header(h, (unsigned long)(first + i % addresses));
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == -1) {
			perror("connect");
			exit(1);
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		got = 0;
		first_byte = 0;
		if (write(fd, h, len) == (ssize_t)len)
			while ((r = read(fd, buf, sizeof(buf))) > 0) {
				if (got == 0)
					first_byte = buf[0];
				got += (size_t)r;
			}
		close(fd);
		if (got == 0)
			atomic_fetch_add(&closed, 1);
		else if (first_byte == '3')
			atomic_fetch_add(&slow, 1);
		else
			atomic_fetch_add(&ok, 1);
	}
	return arg;
}

int
main(int argc, char **argv)
{
	pthread_t	 t[THREADS];
	int		 i;

	if (argc != 6) {
		fprintf(stderr, "usage: flood ADDR PORT REQUESTS ADDRESSES "
		    "FIRST\n");
		return 2;
	}
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	requests = atol(argv[3]);
	addresses = atol(argv[4]);
	first = atol(argv[5]);
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 ||
	    addresses < 1) {
		fprintf(stderr, "flood: bad arguments\n");
		return 2;
	}
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, run, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("ok %ld slow %ld closed %ld\n", atomic_load(&ok),
	    atomic_load(&slow), atomic_load(&closed));
	return 0;
}
