/*
 * fuzz_proxy: parse any bytes as a PROXY protocol header.  A header that
 * parses is no longer than the input, than PROXY_V1_MAX (v1) or
 * PROXY_HEADER_MAX (v2); it has TCP addresses of one family or none
 * (local); every shorter prefix of it asks for more bytes, and the same
 * header parses the same with other bytes after it.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_hdr	 hdr, again;
	const char		*errstr = NULL;
	unsigned char		*copy;
	ssize_t			 n, m;
	size_t			 i;

	n = proxy_parse(data, size, &hdr, &errstr);
	if (n == -1) {
		assert(errstr != NULL);
		return 0;
	}
	if (n == 0) {
		assert(size < PROXY_HEADER_MAX);
		return 0;
	}
	assert((size_t)n <= size);
	assert(hdr.version == 1 || hdr.version == 2);
	assert((size_t)n <= (hdr.version == 1 ? PROXY_V1_MAX :
	    PROXY_HEADER_MAX));
	if (hdr.local)
		assert(hdr.src.ss_family == 0 && hdr.dst.ss_family == 0);
	else
		assert((hdr.src.ss_family == AF_INET ||
		    hdr.src.ss_family == AF_INET6) &&
		    hdr.dst.ss_family == hdr.src.ss_family);
	for (i = 0; i < (size_t)n; i++) {
		errstr = NULL;
		assert(proxy_parse(data, i, &again, &errstr) == 0);
	}
	/* the header alone, in a buffer of its own size (ASan sees overreads) */
	if ((copy = malloc((size_t)n)) == NULL)
		return 0;
	memcpy(copy, data, (size_t)n);
	m = proxy_parse(copy, (size_t)n, &again, &errstr);
	free(copy);
	assert(m == n);
	assert(memcmp(&hdr, &again, sizeof(hdr)) == 0);
	return 0;
}
