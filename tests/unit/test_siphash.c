/*
 * test_siphash: SipHash-2-4 (src/siphash.c) against the reference
 * vectors: key 00 01 .. 0f, messages 00 01 .. (N-1) for N = 0..15, as in
 * the reference implementation's vectors.h (the first 16 of its 64); N =
 * 15 is the worked example of the paper's appendix A.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "siphash.h"

static const uint64_t	 want[16] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
	0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL,
	0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL,
	0xa129ca6149be45e5ULL,
};

static void
test_reference_vectors(void)
{
	unsigned char	 key[SIPHASH_KEY_LEN], msg[16];
	size_t		 i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	for (i = 0; i < 16; i++)
		if (siphash24(key, msg, i) != want[i]) {
			CHECK(siphash24(key, msg, i) == want[i]);
			fprintf(stderr, "  length %zu\n", i);
		} else
			CHECK(1);
}

static void
test_key_matters(void)
{
	unsigned char	 k1[SIPHASH_KEY_LEN] = { 0 }, k2[SIPHASH_KEY_LEN] = { 0 };
	const unsigned char a[4] = { 192, 0, 2, 7 };

	k2[15] = 1;
	CHECK(siphash24(k1, a, sizeof(a)) != siphash24(k2, a, sizeof(a)));
	CHECK(siphash24(k1, a, sizeof(a)) == siphash24(k1, a, sizeof(a)));
}

int
main(void)
{
	test_reference_vectors();
	test_key_matters();
	CHECK_DONE();
}
