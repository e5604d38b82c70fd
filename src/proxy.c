/*
 * proxy: parse the PROXY protocol header, v1 and v2 (HAProxy's
 * proxy-protocol.txt).  The caller reads bytes as they come and calls
 * proxy_parse() on all of them so far; it answers at the first byte that
 * cannot start a header, so a connection without one is refused at once.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "proxy.h"

static const unsigned char	 v1_sig[] = "PROXY ";
static const unsigned char	 v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define V1_SIGLEN	(sizeof(v1_sig) - 1)

#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_AF_UNSPEC	0x0
#define V2_AF_INET	0x1
#define V2_AF_INET6	0x2
#define V2_AF_UNIX	0x3
#define V2_TP_UNSPEC	0x0
#define V2_TP_STREAM	0x1
#define V2_TP_DGRAM	0x2

#define V2_INET_LEN	12	/* 4 + 4 + 2 + 2 */
#define V2_INET6_LEN	36	/* 16 + 16 + 2 + 2 */
#define V2_UNIX_LEN	216	/* 108 + 108 */

static size_t
min_len(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* A v1 port: 0 to 65535 in decimal, no sign, no leading zero. */
static int
v1_port(const char *s, uint16_t *port)
{
	unsigned long	 n = 0;
	size_t		 i;

	if (s[0] == '\0' || strlen(s) > 5 || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > 65535)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

/*
 * A v1 address of family AF into SA.  IPv4 must be in canonical form
 * (four decimals without leading zeros, which inet_pton() enforces);
 * IPv6 in any form inet_pton() reads.
 */
static int
v1_addr(int af, const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		if (inet_pton(AF_INET, s, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else {
		if (strchr(s, ':') == NULL ||
		    inet_pton(AF_INET6, s, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	}
	return 0;
}

/*
 * "PROXY TCP4 src dst sport dport\r\n", "PROXY TCP6 ...\r\n" or
 * "PROXY UNKNOWN ...\r\n": single spaces, at most PROXY_V1_MAX bytes.
 */
static ssize_t
v1_parse(const unsigned char *p, size_t len, struct proxy_hdr *hdr,
    const char **errstr)
{
	char		 line[PROXY_V1_MAX + 1], *f[6], *s;
	const unsigned char *lf;
	size_t		 n, i, nf;
	uint16_t	 sport, dport;
	int		 af;

	if (memcmp(p, v1_sig, min_len(len, V1_SIGLEN)) != 0) {
		*errstr = "not a PROXY header";
		return -1;
	}
	n = min_len(len, PROXY_V1_MAX);
	lf = memchr(p, '\n', n);
	for (i = 0; i < (lf != NULL ? (size_t)(lf - p) : n); i++)
		if (p[i] < 0x20 || p[i] > 0x7e) {
			/* the CR right before LF, or the last byte so far */
			if (p[i] == '\r' && (lf == NULL ? i + 1 == n :
			    p + i + 1 == lf))
				continue;
			*errstr = "PROXY v1: control byte in the header";
			return -1;
		}
	if (lf == NULL) {
		if (len >= PROXY_V1_MAX) {
			*errstr = "PROXY v1: header too long";
			return -1;
		}
		return 0;
	}
	n = (size_t)(lf - p);		/* the line, CR included */
	if (n < V1_SIGLEN + 1 || p[n - 1] != '\r') {
		*errstr = "PROXY v1: line does not end in CRLF";
		return -1;
	}
	memcpy(line, p, n - 1);
	line[n - 1] = '\0';

	nf = 0;
	for (s = line + V1_SIGLEN; nf < 6; ) {
		f[nf++] = s;
		if ((s = strchr(s, ' ')) == NULL)
			break;
		*s++ = '\0';
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->version = 1;
	if (strcmp(f[0], "UNKNOWN") == 0) {
		/* the rest of the line says nothing a receiver may use */
		hdr->local = true;
		return (ssize_t)n + 1;
	}
	if (strcmp(f[0], "TCP4") == 0)
		af = AF_INET;
	else if (strcmp(f[0], "TCP6") == 0)
		af = AF_INET6;
	else {
		*errstr = "PROXY v1: unknown protocol";
		return -1;
	}
	if (nf != 5 || s != NULL) {
		*errstr = "PROXY v1: wrong number of fields";
		return -1;
	}
	if (v1_port(f[3], &sport) == -1 || v1_port(f[4], &dport) == -1) {
		*errstr = "PROXY v1: bad port";
		return -1;
	}
	if (v1_addr(af, f[1], sport, &hdr->src) == -1 ||
	    v1_addr(af, f[2], dport, &hdr->dst) == -1) {
		*errstr = "PROXY v1: bad address";
		return -1;
	}
	return (ssize_t)n + 1;
}

/*
 * 12 bytes of signature, version and command, family and transport, the
 * length of the rest (big-endian), the addresses, then TLVs (skipped).
 */
static ssize_t
v2_parse(const unsigned char *p, size_t len, struct proxy_hdr *hdr,
    const char **errstr)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	size_t			 rest;
	unsigned int		 cmd, af, tp;

	if (memcmp(p, v2_sig, min_len(len, sizeof(v2_sig))) != 0) {
		*errstr = "not a PROXY header";
		return -1;
	}
	if (len > 12 && (p[12] >> 4 != 2 || (p[12] & 0xf) > V2_CMD_PROXY)) {
		*errstr = "PROXY v2: bad version or command";
		return -1;
	}
	if (len > 13 && ((p[13] >> 4) > V2_AF_UNIX ||
	    (p[13] & 0xf) > V2_TP_DGRAM)) {
		*errstr = "PROXY v2: bad address family";
		return -1;
	}
	if (len < PROXY_V2_FIXED)
		return 0;
	cmd = p[12] & 0xf;
	af = p[13] >> 4;
	tp = p[13] & 0xf;
	rest = (size_t)p[14] << 8 | p[15];
	if (rest > PROXY_V2_LEN_MAX) {
		*errstr = "PROXY v2: header too long";
		return -1;
	}
	if (cmd == V2_CMD_PROXY && ((af == V2_AF_INET && rest < V2_INET_LEN) ||
	    (af == V2_AF_INET6 && rest < V2_INET6_LEN) ||
	    (af == V2_AF_UNIX && rest < V2_UNIX_LEN))) {
		*errstr = "PROXY v2: addresses longer than the header";
		return -1;
	}
	if (len < PROXY_V2_FIXED + rest)
		return 0;

	memset(hdr, 0, sizeof(*hdr));
	hdr->version = 2;
	p += PROXY_V2_FIXED;
	if (cmd == V2_CMD_LOCAL || af == V2_AF_UNSPEC || af == V2_AF_UNIX) {
		/* a health check, or no address we could count or log */
		hdr->local = true;
	} else if (tp != V2_TP_STREAM) {
		*errstr = "PROXY v2: not a stream connection";
		return -1;
	} else if (af == V2_AF_INET) {
		sin = (struct sockaddr_in *)&hdr->src;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, p, 4);
		memcpy(&sin->sin_port, p + 8, 2);
		sin = (struct sockaddr_in *)&hdr->dst;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, p + 4, 4);
		memcpy(&sin->sin_port, p + 10, 2);
	} else {
		sin6 = (struct sockaddr_in6 *)&hdr->src;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, p, 16);
		memcpy(&sin6->sin6_port, p + 32, 2);
		sin6 = (struct sockaddr_in6 *)&hdr->dst;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, p + 16, 16);
		memcpy(&sin6->sin6_port, p + 34, 2);
	}
	return (ssize_t)(PROXY_V2_FIXED + rest);
}

ssize_t
proxy_parse(const void *buf, size_t len, struct proxy_hdr *hdr,
    const char **errstr)
{
	const unsigned char	*p = buf;

	if (len == 0)
		return 0;
	if (p[0] == v1_sig[0])
		return v1_parse(p, len, hdr, errstr);
	if (p[0] == v2_sig[0])
		return v2_parse(p, len, hdr, errstr);
	*errstr = "not a PROXY header";
	return -1;
}
