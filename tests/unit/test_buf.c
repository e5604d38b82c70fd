/*
 * test_buf: the growable buffer; what buf_take() hands over keeps no
 * more room than its bytes need (pages keep it for a load's life).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>		/* malloc_usable_size */
#endif

#include "buf.h"
#include "check.h"

static void
test_take_hands_the_bytes_over(void)
{
	struct buf	 b = BUF_INIT;
	char		*p;
	size_t		 len = 0;

	buf_adds(&b, "Glück auf");
	p = buf_take(&b, &len);
	CHECK(p != NULL);
	CHECK(len == strlen("Glück auf"));
	CHECK_STR(p, "Glück auf");
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	free(p);
}

/* 1,565 bytes grow the buffer to 2,048; the page keeps 1,566. */
static void
test_take_leaves_no_slack(void)
{
	struct buf	 b = BUF_INIT;
	char		*p;
	size_t		 len = 0, i;

	for (i = 0; i < 1565; i++)
		buf_addc(&b, (char)('a' + i % 26));
	CHECK(b.cap >= 2048);
	p = buf_take(&b, &len);
	CHECK(p != NULL && len == 1565 && p[1565] == '\0');
	CHECK(p[1564] == (char)('a' + 1564 % 26));
#ifdef __GLIBC__
	CHECK(malloc_usable_size(p) < 1566 + BUF_SLACK_MAX);
#endif
	free(p);
}

static void
test_take_of_nothing_is_empty(void)
{
	struct buf	 b = BUF_INIT;
	char		*p;
	size_t		 len = 9;

	p = buf_take(&b, &len);
	CHECK(p != NULL && len == 0 && p[0] == '\0');
	free(p);
}

int
main(void)
{
	test_take_hands_the_bytes_over();
	test_take_leaves_no_slack();
	test_take_of_nothing_is_empty();
	CHECK_DONE();
}
