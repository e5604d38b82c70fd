/*
 * fuzz_scrape: parse any bytes as the head of a request to the metrics
 * listener.  The answer is one of the five; a head that is complete is
 * complete with any bytes after it, and gets the same answer; no head
 * longer than SCRAPE_REQUEST_MAX is ever waited for.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrape.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum scrape_req	 r, again;
	char		*copy;

	r = scrape_parse((const char *)data, size);
	assert(r == SCRAPE_MORE || r == SCRAPE_METRICS ||
	    r == SCRAPE_NOT_FOUND || r == SCRAPE_METHOD || r == SCRAPE_BAD);
	if (r == SCRAPE_MORE)
		assert(size <= SCRAPE_REQUEST_MAX);
	if (r == SCRAPE_MORE || (copy = malloc(size + 16)) == NULL)
		return 0;
	memcpy(copy, data, size);
	memcpy(copy + size, "GET / HTTP/1.1\n\n", 16);
	again = scrape_parse(copy, size + 16);
	free(copy);
	assert(again == r);
	return 0;
}
