/*
 * proxy: the PROXY protocol header parser, v1 and v2 (pure).  Knows no
 * connection and no socket: net.c reads the bytes and counts the client.
 *
 * As HAProxy's proxy-protocol.txt defines it.  The caller reads bytes as
 * they come and calls proxy_parse() on all of them so far; it answers at
 * the first byte that cannot start a header, so a connection without one
 * is refused at once.
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

#define V2_TLV_HDR	3	/* type, 16-bit length */
#define V2_TLV_CRC32C	0x03	/* value: the header's CRC32C, big-endian */
#define V2_TLV_SSL	0x20	/* value: client, verify, then sub-TLVs */
#define V2_SSL_FIXED	5	/* client (1 byte), verify (4 bytes) */

/* CRC32C (Castagnoli, reflected 0x82f63b78), four bits at a time. */
static const uint32_t	 crc32c_tab[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1,
	0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

static size_t
min_len(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* CRC of the bytes so far (complemented) carried on over P[0..LEN). */
static uint32_t
crc32c_update(uint32_t crc, const unsigned char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		crc = crc32c_tab[crc & 0xf] ^ (crc >> 4);
		crc = crc32c_tab[crc & 0xf] ^ (crc >> 4);
	}
	return crc;
}

uint32_t
proxy_crc32c(const void *buf, size_t len)
{
	return ~crc32c_update(0xffffffff, buf, len);
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
 * The TLVs in P[0..LEN): each a type, a big-endian 16-bit length and that
 * many bytes of value, the last one ending exactly at LEN.  At the top
 * level (TOP) a CRC32C TLV is 4 bytes long and comes at most once (*CRC
 * points at its value), and an SSL TLV holds its 5 fixed bytes and then
 * sub-TLVs framed the same way.  Other values are not read.
 */
static int
v2_tlvs(const unsigned char *p, size_t len, bool top,
    const unsigned char **crc, const char **errstr)
{
	size_t	 off, vlen;

	for (off = 0; off < len; off += V2_TLV_HDR + vlen) {
		if (len - off < V2_TLV_HDR) {
			*errstr = "PROXY v2: truncated TLV";
			return -1;
		}
		vlen = (size_t)p[off + 1] << 8 | p[off + 2];
		if (vlen > len - off - V2_TLV_HDR) {
			*errstr = "PROXY v2: TLV overruns the header";
			return -1;
		}
		if (!top)
			continue;
		if (p[off] == V2_TLV_CRC32C) {
			if (vlen != 4 || *crc != NULL) {
				*errstr = "PROXY v2: malformed CRC32C TLV";
				return -1;
			}
			*crc = p + off + V2_TLV_HDR;
		} else if (p[off] == V2_TLV_SSL) {
			if (vlen < V2_SSL_FIXED) {
				*errstr = "PROXY v2: SSL TLV too short";
				return -1;
			}
			if (v2_tlvs(p + off + V2_TLV_HDR + V2_SSL_FIXED,
			    vlen - V2_SSL_FIXED, false, crc, errstr) == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * The header H of LEN bytes, whose CRC32C value is at CRC: the checksum
 * is over the whole header with those 4 bytes taken as zero.
 */
static bool
v2_crc_ok(const unsigned char *h, size_t len, const unsigned char *crc)
{
	static const unsigned char	 zero[4];
	uint32_t			 sum, want;
	size_t				 off = (size_t)(crc - h);

	sum = crc32c_update(0xffffffff, h, off);
	sum = crc32c_update(sum, zero, sizeof(zero));
	sum = ~crc32c_update(sum, crc + 4, len - off - 4);
	want = (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 |
	    (uint32_t)crc[2] << 8 | crc[3];
	return sum == want;
}

/*
 * 12 bytes of signature, version and command, family and transport, the
 * length of the rest (big-endian), the addresses, then TLVs: their framing
 * is checked, and the CRC32C when there is one; their values are not used.
 */
static ssize_t
v2_parse(const unsigned char *p, size_t len, struct proxy_hdr *hdr,
    const char **errstr)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	const unsigned char	*crc = NULL;
	size_t			 rest, alen;
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
	rest = (size_t)p[14] << 8 | p[15];	/* at most PROXY_V2_LEN_MAX */
	alen = af == V2_AF_INET ? V2_INET_LEN : af == V2_AF_INET6 ?
	    V2_INET6_LEN : af == V2_AF_UNIX ? V2_UNIX_LEN : 0;
	if (cmd == V2_CMD_PROXY && rest < alen) {
		*errstr = "PROXY v2: addresses longer than the header";
		return -1;
	}
	if (len < PROXY_V2_FIXED + rest)
		return 0;

	/*
	 * The TLVs follow the addresses.  LOCAL may say nothing of the
	 * connection at all (the spec has the receiver discard the block):
	 * when its addresses do not fit, there are no TLVs to check.
	 */
	if (rest >= alen) {
		if (v2_tlvs(p + PROXY_V2_FIXED + alen, rest - alen, true, &crc,
		    errstr) == -1)
			return -1;
		if (crc != NULL && !v2_crc_ok(p, PROXY_V2_FIXED + rest, crc)) {
			*errstr = "PROXY v2: wrong CRC32C";
			return -1;
		}
	}

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
