/*
 * proxy: the PROXY protocol header a load balancer (HAProxy) sends before
 * the client's bytes, version 1 (text) and 2 (binary), as HAProxy's
 * proxy-protocol.txt defines them (pure).
 */
#ifndef PROXY_H
#define PROXY_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROXY_V1_MAX		107	/* v1: the longest line, CRLF included */
#define PROXY_V2_FIXED		16	/* v2: signature, command, family, length */
#define PROXY_V2_LEN_MAX	65535	/* v2: what follows the fixed part (its
					   16-bit length), addresses and TLVs */
#define PROXY_HEADER_MAX	(PROXY_V2_FIXED + PROXY_V2_LEN_MAX)

struct proxy_hdr {
	/*
	 * true: LOCAL (a health check from the proxy itself), UNKNOWN or
	 * an address family other than TCP over IPv4 or IPv6; the
	 * connection's own addresses stand, SRC and DST are zeroed.
	 */
	bool			 local;
	int			 version;	/* 1 or 2 */
	struct sockaddr_storage	 src;		/* the client */
	struct sockaddr_storage	 dst;		/* what it connected to */
};

/*
 * Parse the PROXY header at the start of BUF, of which LEN bytes have
 * arrived.  Returns the header's length in bytes (the client's own bytes
 * start there) and fills *HDR; 0 when the bytes so far are the start of
 * a valid header and more are needed; -1 with *ERRSTR set when they can
 * no longer become one: not a PROXY header, truncated at CRLF, a v1 line
 * longer than PROXY_V1_MAX, malformed.  A complete header
 * is never longer than PROXY_HEADER_MAX, so a buffer that size suffices.
 *
 * Of a v2 header's TLVs the framing is checked (each within the header,
 * the last ending with it; the sub-TLVs of PP2_TYPE_SSL too), and a
 * PP2_TYPE_CRC32C checksum must match; no TLV's value is used.
 */
ssize_t	proxy_parse(const void *, size_t, struct proxy_hdr *,
	    const char **);

/* The CRC32C (Castagnoli) of LEN bytes at BUF, as v2's checksum TLV. */
uint32_t proxy_crc32c(const void *, size_t);

#endif
