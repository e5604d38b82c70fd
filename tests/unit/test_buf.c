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

/* Room made ahead is used without moving the data; it is still a string. */
static void
test_reserve_makes_room(void)
{
	struct buf	 b = BUF_INIT;
	const char	*p;
	int		 i;

	CHECK(buf_reserve(&b, 100));
	CHECK(b.cap >= 101 && b.len == 0 && b.data[0] == '\0');
	p = b.data;
	for (i = 0; i < 100; i++)
		buf_addc(&b, 'x');
	CHECK(b.data == p && b.len == 100 && strlen(b.data) == 100);
	buf_add(&b, "y", 1);
	CHECK(b.len == 101 && b.data[100] == 'y' && b.data[101] == '\0');
	CHECK(!buf_reserve(&b, (size_t)-1) && b.failed);
	buf_adds(&b, "z");
	CHECK(b.len == 101);		/* failed: appends do nothing */
	CHECK(buf_take(&b, NULL) == NULL);
}

/* buf_addf formats into the room there is, or makes room first; buf_fill. */
static void
test_addf_fits_or_grows(void)
{
	struct buf	 b = BUF_INIT;
	char		 big[200];

	buf_addf(&b, "%d", 42);
	CHECK(b.len == 2 && strcmp(b.data, "42") == 0);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_addf(&b, "[%s]", big);	/* more than the room left */
	CHECK(b.len == 2 + 201 && strlen(b.data) == b.len);
	CHECK(b.data[2] == '[' && b.data[202] == ']');
	buf_addf(&b, "%s", "");
	CHECK(b.len == 203 && b.data[203] == '\0');
	buf_reset(&b);
	buf_fill(&b, '=', 300);
	buf_fill(&b, '-', 0);
	CHECK(b.len == 300 && strspn(b.data, "=") == 300 && b.data[300] == '\0');
	buf_free(&b);
}

/* Markup: runs copied whole, the five escaped, the rest (NUL) dropped. */
static void
test_markup_escapes_and_drops(void)
{
	struct buf	 b = BUF_INIT;
	const char	 in[] = "a&b<c>\"'\t\x01\x7f\xff\xc3 Glück 日"
	    "\xef\xbf\xbe\xed\xa0\x80z\0y";

	buf_add_markup(&b, in, sizeof(in) - 1);
	CHECK_STR(b.data, "a&amp;b&lt;c&gt;&quot;&apos;\t\x7f Glück 日zy");
	CHECK(b.len == strlen(b.data));
	buf_free(&b);
}

int
main(void)
{
	test_take_hands_the_bytes_over();
	test_take_leaves_no_slack();
	test_take_of_nothing_is_empty();
	test_reserve_makes_room();
	test_addf_fits_or_grows();
	test_markup_escapes_and_drops();
	CHECK_DONE();
}
