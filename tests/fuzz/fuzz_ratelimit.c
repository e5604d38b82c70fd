/*
 * fuzz_ratelimit: parse any bytes as a rate_allow network.
 *
 * ratelimit_parse_net, on success: IPv4 with a prefix of 0 to 32 or IPv6
 * with 0 to 128, no bit set past the prefix, and the network is in
 * itself; then a table that allows it never limits its address.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char	 key[RATE_SECRET_LEN];
	struct sockaddr_in6		 sin6;
	struct sockaddr_in		 sin;
	struct rate_net			 net;
	struct ratelimit		*rl;
	char				*s;
	unsigned int			 i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ratelimit_parse_net(s, &net) == 0) {
		assert(net.family == AF_INET || net.family == AF_INET6);
		assert(net.prefix <= (net.family == AF_INET ? 32u : 128u));
		for (i = net.prefix; i < 128; i++)
			assert((net.addr[i / 8] & (0x80u >> (i % 8))) == 0);
		rl = ratelimit_new(key, 1, 1, 1, &net, 1);
		assert(rl != NULL);
		if (net.family == AF_INET) {
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			memcpy(&sin.sin_addr, net.addr, 4);
			assert(ratelimit_allowed(rl, (struct sockaddr *)&sin));
		} else {
			memset(&sin6, 0, sizeof(sin6));
			sin6.sin6_family = AF_INET6;
			memcpy(&sin6.sin6_addr, net.addr, 16);
			assert(ratelimit_allowed(rl, (struct sockaddr *)&sin6));
		}
		ratelimit_free(rl);
	}
	free(s);
	return 0;
}
