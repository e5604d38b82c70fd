/*
 * test_region: memory handed out in order from blocks of its own, and
 * given back whole.
 */
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "region.h"

static void
test_alloc_is_aligned_and_apart(void)
{
	struct region	 r = REGION_INIT;
	char		*a, *b;

	a = region_alloc(&r, 3);
	b = region_alloc(&r, 5);
	CHECK(a != NULL && b != NULL);
	CHECK((uintptr_t)a % alignof(max_align_t) == 0);
	CHECK((uintptr_t)b % alignof(max_align_t) == 0);
	CHECK(b >= a + 3 || a >= b + 5);
	memcpy(a, "abc", 3);
	memcpy(b, "defgh", 5);
	CHECK(memcmp(a, "abc", 3) == 0 && memcmp(b, "defgh", 5) == 0);
	region_free(&r);
	CHECK(r.blocks == NULL);
}

/* More than a block at once, and many blocks' worth of small pieces. */
static void
test_big_and_many(void)
{
	struct region	 r = REGION_INIT;
	char		*big, *p = NULL;
	size_t		 i;
	bool		 ok = true;

	big = region_alloc(&r, 9 * 1024 * 1024);
	CHECK(big != NULL);
	if (big != NULL) {
		big[0] = 'x';
		big[9 * 1024 * 1024 - 1] = 'y';
	}
	for (i = 0; i < 20000; i++) {
		if ((p = region_alloc(&r, 1000)) == NULL) {
			ok = false;
			break;
		}
		memset(p, (int)(i & 0xff), 1000);
	}
	CHECK(ok);
	CHECK(p != NULL && (unsigned char)p[999] == ((20000 - 1) & 0xff));
	CHECK(big != NULL && big[0] == 'x' &&
	    big[9 * 1024 * 1024 - 1] == 'y');
	CHECK(region_alloc(&r, SIZE_MAX) == NULL);
	region_free(&r);
	CHECK(r.blocks == NULL);
	CHECK(region_alloc(&r, 10) != NULL);	/* usable again */
	region_free(&r);
}

int
main(void)
{
	test_alloc_is_aligned_and_apart();
	test_big_and_many();
	CHECK_DONE();
}
