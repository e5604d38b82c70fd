/*
 * test_proxy: the PROXY protocol header, v1 and v2 (src/proxy.c).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "proxy.h"

static struct proxy_hdr	 hdr;
static const char	*errstr;

static const unsigned char	 sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

static ssize_t
parse(const void *p, size_t len)
{
	ssize_t	 n;

	errstr = NULL;
	memset(&hdr, 0xa5, sizeof(hdr));
	n = proxy_parse(p, len, &hdr, &errstr);
	if (n == -1 && errstr == NULL)
		return -2;		/* an error must say why */
	return n;
}

static ssize_t
parse_str(const char *s)
{
	return parse(s, strlen(s));
}

/* "ADDR PORT" of SS, as the log would show it. */
static const char *
addr_of(const struct sockaddr_storage *ss)
{
	static char	 out[INET6_ADDRSTRLEN + 8];
	char		 a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(out, sizeof(out), "%s %u", a, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(out, sizeof(out), "%s %u", a, ntohs(sin6->sin6_port));
	} else
		snprintf(out, sizeof(out), "family %d", ss->ss_family);
	return out;
}

/* Every prefix of a valid header asks for more bytes. */
static bool
prefixes_want_more(const void *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (parse(p, i) != 0) {
			fprintf(stderr, "  prefix of %zu bytes: %s\n", i,
			    errstr ? errstr : "(complete)");
			return false;
		}
	return true;
}

/* A v2 header: fixed part with VERCMD, FAM and LEN, then BODY. */
static size_t
v2(unsigned char *out, unsigned char vercmd, unsigned char fam,
    unsigned int len, const void *body, size_t bodylen)
{
	memcpy(out, sig, 12);
	out[12] = vercmd;
	out[13] = fam;
	out[14] = (unsigned char)(len >> 8);
	out[15] = (unsigned char)len;
	if (bodylen > 0)
		memcpy(out + 16, body, bodylen);
	return 16 + bodylen;
}

static void
test_v1_tcp4(void)
{
	const char	*h = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1965\r\n";
	char		 buf[128];

	CHECK(parse_str(h) == (ssize_t)strlen(h));
	CHECK(!hdr.local);
	CHECK(hdr.version == 1);
	CHECK_STR(addr_of(&hdr.src), "192.0.2.7 56324");
	CHECK_STR(addr_of(&hdr.dst), "198.51.100.1 1965");
	CHECK(prefixes_want_more(h, strlen(h)));

	/* the client's own bytes follow; the length says where */
	snprintf(buf, sizeof(buf), "%s/\r\n", h);
	CHECK(parse_str(buf) == (ssize_t)strlen(h));
	CHECK_STR(addr_of(&hdr.src), "192.0.2.7 56324");
}

static void
test_v1_tcp6(void)
{
	const char	*h = "PROXY TCP6 2001:db8::1 ::1 0 65535\r\n";

	CHECK(parse_str(h) == (ssize_t)strlen(h));
	CHECK(!hdr.local);
	CHECK_STR(addr_of(&hdr.src), "2001:db8::1 0");
	CHECK_STR(addr_of(&hdr.dst), "::1 65535");
}

static void
test_v1_longest_is_accepted(void)
{
	const char	*h = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";

	CHECK(strlen(h) == PROXY_V1_MAX - 3);
	CHECK(parse_str(h) == (ssize_t)strlen(h));
	CHECK_STR(addr_of(&hdr.src),
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535");
}

static void
test_v1_unknown(void)
{
	CHECK(parse_str("PROXY UNKNOWN\r\n") == 15);
	CHECK(hdr.local);
	CHECK(hdr.src.ss_family == 0);
	/* what follows UNKNOWN is ignored */
	CHECK(parse_str("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nX") == 35);
	CHECK(hdr.local);
}

static void
test_v1_truncated_wants_more(void)
{
	CHECK(parse_str("") == 0);
	CHECK(parse_str("P") == 0);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2") == 0);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r") == 0);
}

static void
test_v1_not_crlf(void)
{
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4\r5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n") == -1);
	CHECK(parse("PROXY TCP4 1.2.3.4\0005.6.7.8 1 2\r\n", 33) == -1);
}

static void
test_v1_oversized(void)
{
	char	 buf[256];

	/* no CRLF within 107 bytes: refused without waiting for more */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "PROXY UNKNOWN ", 14);
	CHECK(parse(buf, PROXY_V1_MAX - 1) == 0);
	CHECK(parse(buf, PROXY_V1_MAX) == -1);
	CHECK(parse(buf, sizeof(buf)) == -1);
	memcpy(buf + PROXY_V1_MAX, "\r\n", 2);
	CHECK(parse(buf, PROXY_V1_MAX + 2) == -1);
	/* exactly 107 bytes with the CRLF is fine */
	memcpy(buf + PROXY_V1_MAX - 2, "\r\n", 2);
	CHECK(parse(buf, PROXY_V1_MAX) == PROXY_V1_MAX);
}

static void
test_v1_malformed(void)
{
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n") == -1);
	CHECK(parse_str("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 ::1 5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP6 1.2.3.4 ::1 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP6 ::1 ::g 1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n") == -1);
	CHECK(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n") == -1);
	CHECK(parse_str("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n") == -1);
	CHECK(parse_str("PROXY \r\n") == -1);
	CHECK(parse_str("PROXY\r\n") == -1);
	CHECK(parse_str("PROXY UNKNOWNX\r\n") == -1);
}

static void
test_not_a_header_refused_at_once(void)
{
	CHECK(parse_str("g") == -1);
	CHECK(parse_str("gemini://localhost/\r\n") == -1);
	CHECK(parse_str("/\r\n") == -1);
	CHECK(parse_str("PROXZ") == -1);
	CHECK(parse_str("proxy TCP4") == -1);
	CHECK(parse("\x16\x03\x01", 3) == -1);		/* a TLS hello */
	CHECK(parse("\r\n\r\n\0\r\nQUIX", 11) == -1);
	CHECK(parse("\r\n\r\n\0\r\nQUIT", 11) == 0);
}

static void
test_v2_tcp4(void)
{
	const unsigned char	 a[12] = { 192, 0, 2, 7, 198, 51, 100, 1,
	    0xdc, 0x04, 0x07, 0xad };
	unsigned char		 buf[64];
	size_t			 n;

	n = v2(buf, 0x21, 0x11, 12, a, sizeof(a));
	CHECK(parse(buf, n) == 28);
	CHECK(!hdr.local);
	CHECK(hdr.version == 2);
	CHECK_STR(addr_of(&hdr.src), "192.0.2.7 56324");
	CHECK_STR(addr_of(&hdr.dst), "198.51.100.1 1965");
	CHECK(prefixes_want_more(buf, n));
	/* bytes after the header are the client's */
	memcpy(buf + n, "/\r\n", 3);
	CHECK(parse(buf, n + 3) == 28);
}

static void
test_v2_tcp6(void)
{
	unsigned char	 a[36] = { 0x20, 0x01, 0x0d, 0xb8 }, buf[64];
	size_t		 n;

	a[15] = 1;
	a[31] = 1;
	a[32] = 0x30;
	a[33] = 0x39;
	a[34] = 0;
	a[35] = 70;
	n = v2(buf, 0x21, 0x21, 36, a, sizeof(a));
	CHECK(parse(buf, n) == 52);
	CHECK(!hdr.local);
	CHECK_STR(addr_of(&hdr.src), "2001:db8::1 12345");
	CHECK_STR(addr_of(&hdr.dst), "::1 70");
}

static void
test_v2_tlvs_are_skipped(void)
{
	unsigned char	 a[12 + 7] = { 10, 0, 0, 1, 10, 0, 0, 2, 0, 1, 0, 2,
	    0x04, 0x00, 0x04, 'a', 'b', 'c', 'd' }, buf[64];
	size_t		 n;

	n = v2(buf, 0x21, 0x11, sizeof(a), a, sizeof(a));
	CHECK(parse(buf, n) == (ssize_t)n);
	CHECK_STR(addr_of(&hdr.src), "10.0.0.1 1");
}

static void
test_v2_local(void)
{
	unsigned char	 a[12] = { 1, 2, 3, 4 }, buf[64];
	size_t		 n;

	/* a health check: no addresses, or some that must be ignored */
	n = v2(buf, 0x20, 0x00, 0, NULL, 0);
	CHECK(parse(buf, n) == 16);
	CHECK(hdr.local);
	CHECK(hdr.src.ss_family == 0);
	n = v2(buf, 0x20, 0x11, 12, a, sizeof(a));
	CHECK(parse(buf, n) == 28);
	CHECK(hdr.local);
	CHECK(hdr.src.ss_family == 0);
}

static void
test_v2_unspec_and_unix_use_the_connection(void)
{
	unsigned char	 a[216] = { 0 }, buf[256];
	size_t		 n;

	n = v2(buf, 0x21, 0x00, 0, NULL, 0);
	CHECK(parse(buf, n) == 16);
	CHECK(hdr.local);
	n = v2(buf, 0x21, 0x31, 216, a, sizeof(a));
	CHECK(parse(buf, n) == 232);
	CHECK(hdr.local);
}

static void
test_v2_truncated(void)
{
	unsigned char	 a[12] = { 1, 2, 3, 4 }, buf[64];
	size_t		 n;

	n = v2(buf, 0x21, 0x11, 12, a, sizeof(a));
	CHECK(parse(buf, 12) == 0);
	CHECK(parse(buf, 16) == 0);
	CHECK(parse(buf, n - 1) == 0);
	/* a length too short for the addresses it announces */
	n = v2(buf, 0x21, 0x11, 11, a, 11);
	CHECK(parse(buf, n) == -1);
	n = v2(buf, 0x21, 0x21, 12, a, sizeof(a));
	CHECK(parse(buf, n) == -1);
	n = v2(buf, 0x21, 0x31, 12, a, sizeof(a));
	CHECK(parse(buf, n) == -1);
}

static void
test_v2_longest_is_accepted(void)
{
	static unsigned char	 buf[PROXY_HEADER_MAX + 64];
	static unsigned char	 a[PROXY_V2_LEN_MAX] = { 1, 2, 3, 4 };
	size_t			 n;

	/* the addresses, then one NOOP TLV padding to the 16-bit length */
	a[12] = 0x04;
	a[13] = (PROXY_V2_LEN_MAX - 15) >> 8;
	a[14] = (PROXY_V2_LEN_MAX - 15) & 0xff;
	n = v2(buf, 0x21, 0x11, PROXY_V2_LEN_MAX, a, PROXY_V2_LEN_MAX);
	CHECK(n == PROXY_HEADER_MAX);
	CHECK(parse(buf, n) == PROXY_HEADER_MAX);
	CHECK_STR(addr_of(&hdr.src), "1.2.3.4 0");
	CHECK(parse(buf, n - 1) == 0);
	CHECK(parse(buf, 16) == 0);
}

/* Append a TLV of TYPE with LEN bytes of VAL (or of 'x') at P; its size. */
static size_t
tlv(unsigned char *p, unsigned char type, size_t len, const void *val)
{
	p[0] = type;
	p[1] = (unsigned char)(len >> 8);
	p[2] = (unsigned char)len;
	if (val != NULL)
		memcpy(p + 3, val, len);
	else
		memset(p + 3, 'x', len);
	return 3 + len;
}

/* A TCP4 header from 10.0.0.1 port 1 with TLVS appended; its size. */
static size_t
v2_tlvs(unsigned char *buf, const unsigned char *tlvs, size_t len)
{
	static unsigned char	 a[PROXY_V2_LEN_MAX];
	const unsigned char	 addr[12] = { 10, 0, 0, 1, 10, 0, 0, 2,
	    0, 1, 0, 2 };

	memcpy(a, addr, 12);
	memcpy(a + 12, tlvs, len);
	return v2(buf, 0x21, 0x11, (unsigned int)(12 + len), a, 12 + len);
}

/* Fill the CRC32C TLV whose value starts at CRC in the header BUF[0..N). */
static void
set_crc(unsigned char *buf, size_t n, unsigned char *crc)
{
	uint32_t	 sum;

	memset(crc, 0, 4);
	sum = proxy_crc32c(buf, n);
	crc[0] = (unsigned char)(sum >> 24);
	crc[1] = (unsigned char)(sum >> 16);
	crc[2] = (unsigned char)(sum >> 8);
	crc[3] = (unsigned char)sum;
}

static void
test_crc32c_reference(void)
{
	/* RFC 3720 B.4 and the usual check value */
	unsigned char	 zeros[32], ones[32];

	memset(zeros, 0, sizeof(zeros));
	memset(ones, 0xff, sizeof(ones));
	CHECK(proxy_crc32c("123456789", 9) == 0xe3069283);
	CHECK(proxy_crc32c(zeros, sizeof(zeros)) == 0x8a9136aa);
	CHECK(proxy_crc32c(ones, sizeof(ones)) == 0x62a8ab43);
	CHECK(proxy_crc32c("", 0) == 0);
}

static void
test_v2_tlv_overrun_refused(void)
{
	unsigned char	 t[64], buf[128];
	size_t		 n, m;

	/* a TLV that says 5 bytes where 4 are left */
	m = tlv(t, 0x04, 4, "abcd");
	t[2] = 5;
	n = v2_tlvs(buf, t, m);
	CHECK(parse(buf, n) == -1);
	CHECK(errstr != NULL && strstr(errstr, "TLV") != NULL);
	/* ... also when the client's bytes follow, which it would swallow */
	memcpy(buf + n, "/\r\n", 3);
	CHECK(parse(buf, n + 3) == -1);
	/* one or two bytes left over: not even a TLV's type and length */
	m = tlv(t, 0x04, 4, "abcd");
	t[m++] = 0x04;
	n = v2_tlvs(buf, t, m);
	CHECK(parse(buf, n) == -1);
	t[m++] = 0x00;
	n = v2_tlvs(buf, t, m);
	CHECK(parse(buf, n) == -1);
	/* a sub-TLV of PP2_TYPE_SSL that overruns the SSL TLV */
	m = tlv(t, 0x20, 5 + 3 + 2, "\x01\0\0\0\0\x21\0\x03" "1.");
	n = v2_tlvs(buf, t, m);
	CHECK(parse(buf, n) == -1);
	/* an SSL TLV without its client and verify fields */
	m = tlv(t, 0x20, 4, "\x01\0\0\0");
	n = v2_tlvs(buf, t, m);
	CHECK(parse(buf, n) == -1);
	/* framed well, the same are accepted */
	m = tlv(t, 0x20, 5 + 3 + 3, "\x01\0\0\0\0\x21\0\x03" "1.3");
	n = v2_tlvs(buf, t, m);
	CHECK(parse(buf, n) == (ssize_t)n);
}

static void
test_v2_crc32c(void)
{
	unsigned char	 t[64], buf[128];
	size_t		 n, m;

	m = tlv(t, 0x01, 6, "gemini");
	m += tlv(t + m, 0x03, 4, "\0\0\0\0");
	m += tlv(t + m, 0x05, 3, "id1");
	n = v2_tlvs(buf, t, m);
	set_crc(buf, n, buf + 16 + 12 + 9 + 3);
	CHECK(parse(buf, n) == (ssize_t)n);
	CHECK_STR(addr_of(&hdr.src), "10.0.0.1 1");
	CHECK(prefixes_want_more(buf, n));

	/* any byte changed, in the addresses, a TLV or the sum itself */
	buf[16] ^= 1;
	CHECK(parse(buf, n) == -1);
	CHECK(errstr != NULL && strstr(errstr, "CRC32C") != NULL);
	buf[16] ^= 1;
	buf[n - 1] ^= 0x80;
	CHECK(parse(buf, n) == -1);
	buf[n - 1] ^= 0x80;
	buf[16 + 12 + 9 + 3] ^= 1;
	CHECK(parse(buf, n) == -1);
	buf[16 + 12 + 9 + 3] ^= 1;
	CHECK(parse(buf, n) == (ssize_t)n);

	/* a checksum of the wrong size, or two of them */
	m = tlv(t, 0x03, 3, "\0\0\0");
	n = v2_tlvs(buf, t, m);
	CHECK(parse(buf, n) == -1);
	m = tlv(t, 0x03, 4, "\0\0\0\0");
	m += tlv(t + m, 0x03, 4, "\0\0\0\0");
	n = v2_tlvs(buf, t, m);
	set_crc(buf, n, buf + 16 + 12 + 3);
	CHECK(parse(buf, n) == -1);

	/* a health check (LOCAL, no addresses) with a checksum */
	n = v2(buf, 0x20, 0x00, 7, "\x03\0\x04\0\0\0\0", 7);
	set_crc(buf, n, buf + 19);
	CHECK(parse(buf, n) == 23);
	CHECK(hdr.local);
	buf[22] ^= 1;
	CHECK(parse(buf, n) == -1);
}

static void
test_v2_long_tls_header_accepted(void)
{
	static unsigned char	 t[4096], buf[4096];
	unsigned char		 ssl[2048];
	size_t			 n, m, s, crc;

	/* what HAProxy sends with send-proxy-v2-ssl-cn and a long CN */
	memcpy(ssl, "\x07\0\0\0\0", 5);
	s = 5;
	s += tlv(ssl + s, 0x21, 7, "TLSv1.3");
	s += tlv(ssl + s, 0x22, 1500, NULL);
	s += tlv(ssl + s, 0x23, 22, "TLS_AES_256_GCM_SHA384");
	s += tlv(ssl + s, 0x24, 6, "SHA256");
	s += tlv(ssl + s, 0x25, 7, "RSA2048");
	m = tlv(t, 0x01, 6, "gemini");
	m += tlv(t + m, 0x02, 14, "gemini.example");
	m += tlv(t + m, 0x20, s, ssl);
	crc = 16 + 12 + m + 3;
	m += tlv(t + m, 0x03, 4, "\0\0\0\0");
	m += tlv(t + m, 0x04, 2000 - 16 - 12 - m - 3, NULL);
	n = v2_tlvs(buf, t, m);
	CHECK(n == 2000);
	set_crc(buf, n, buf + crc);
	memcpy(buf + n, "/\r\n", 3);
	CHECK(parse(buf, n + 3) == 2000);
	CHECK(!hdr.local);
	CHECK_STR(addr_of(&hdr.src), "10.0.0.1 1");
	CHECK(prefixes_want_more(buf, n));
}

static void
test_v2_malformed(void)
{
	unsigned char	 a[36] = { 1, 2, 3, 4 }, buf[64];

	v2(buf, 0x11, 0x11, 12, a, 12);		/* version 1 */
	CHECK(parse(buf, 13) == -1);
	v2(buf, 0x31, 0x11, 12, a, 12);		/* version 3 */
	CHECK(parse(buf, 28) == -1);
	v2(buf, 0x22, 0x11, 12, a, 12);		/* command 2 */
	CHECK(parse(buf, 28) == -1);
	v2(buf, 0x21, 0x41, 12, a, 12);		/* family 4 */
	CHECK(parse(buf, 14) == -1);
	v2(buf, 0x21, 0x13, 12, a, 12);		/* transport 3 */
	CHECK(parse(buf, 14) == -1);
	v2(buf, 0x21, 0x12, 12, a, 12);		/* UDP */
	CHECK(parse(buf, 28) == -1);
	v2(buf, 0x21, 0x22, 36, a, 36);		/* UDP over IPv6 */
	CHECK(parse(buf, 52) == -1);
	buf[0] = 0x0d;
	buf[11] = 0x0b;				/* signature */
	CHECK(parse(buf, 28) == -1);
}

int
main(void)
{
	test_v1_tcp4();
	test_v1_tcp6();
	test_v1_longest_is_accepted();
	test_v1_unknown();
	test_v1_truncated_wants_more();
	test_v1_not_crlf();
	test_v1_oversized();
	test_v1_malformed();
	test_not_a_header_refused_at_once();
	test_v2_tcp4();
	test_v2_tcp6();
	test_v2_tlvs_are_skipped();
	test_crc32c_reference();
	test_v2_tlv_overrun_refused();
	test_v2_crc32c();
	test_v2_long_tls_header_accepted();
	test_v2_local();
	test_v2_unspec_and_unix_use_the_connection();
	test_v2_truncated();
	test_v2_longest_is_accepted();
	test_v2_malformed();
	CHECK_DONE();
}
