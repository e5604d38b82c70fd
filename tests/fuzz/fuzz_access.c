/*
 * fuzz_access: parse any bytes as a list of certificate fingerprints.  A
 * list that parses is sorted without twins, finds each of its own
 * entries, and parses again to the same list when written back, one
 * fingerprint a line; a refused one has a "FILE:LINE: " message and
 * leaves the list empty.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct access_list	 l, again;
	char			 err[512], *text;
	size_t			 i;

	if (access_list_parse((const char *)data, size, "f", &l, err,
	    sizeof(err)) == -1) {
		assert(strncmp(err, "f:", 2) == 0);
		assert(l.n == 0 && l.fp == NULL);
		return 0;
	}
	assert(l.n <= size / (ACCESS_FP_LEN * 2));
	for (i = 0; i < l.n; i++) {
		if (i > 0)
			assert(memcmp(l.fp[i - 1], l.fp[i], ACCESS_FP_LEN) < 0);
		assert(access_list_has(&l, l.fp[i]));
	}
	if ((text = malloc(l.n * ACCESS_FP_STR + 1)) == NULL) {
		access_list_free(&l);
		return 0;
	}
	for (i = 0; i < l.n; i++) {
		access_fp_str(l.fp[i], text + i * ACCESS_FP_STR);
		text[i * ACCESS_FP_STR + ACCESS_FP_STR - 1] = '\n';
	}
	assert(access_list_parse(text, l.n * ACCESS_FP_STR, "f", &again, err,
	    sizeof(err)) == 0);
	assert(again.n == l.n);
	assert(l.n == 0 || memcmp(again.fp, l.fp, l.n * ACCESS_FP_LEN) == 0);
	access_list_free(&again);
	access_list_free(&l);
	free(text);
	return 0;
}
