/*
 * test_budget: the per-address budget.  An IPv4 address counts whole and
 * an IPv6 one by its /64; an address gets its limit and no more, a
 * release makes room again, the last one frees its entry (the sanitizer
 * build sees a leak otherwise), and a refusal asks for a log line once
 * per interval.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "budget.h"
#include "check.h"

static const unsigned char	 key[16] = "0123456789abcdef";

static struct sockaddr_in
v4(const char *a)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, a, &sin.sin_addr);
	return sin;
}

static struct sockaddr_in6
v6(const char *a)
{
	struct sockaddr_in6	 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &sin6.sin6_addr);
	return sin6;
}

static void
test_key_ipv4_whole_ipv6_by_64(void)
{
	struct sockaddr_in	 a4 = v4("192.0.2.7");
	struct sockaddr_in6	 a6 = v6("2001:db8:1:2::1");
	struct sockaddr_in6	 b6 = v6("2001:db8:1:2:ffff:eeee:dddd:cccc");
	struct sockaddr_in6	 c6 = v6("2001:db8:1:3::1");
	struct sockaddr		 un;
	unsigned char		 k1[BUDGET_KEY_MAX], k2[BUDGET_KEY_MAX];

	CHECK(budget_key((struct sockaddr *)&a4, k1) == 4);
	CHECK(memcmp(k1, "\xc0\x00\x02\x07", 4) == 0);
	CHECK(budget_key((struct sockaddr *)&a6, k1) == 8);
	CHECK(budget_key((struct sockaddr *)&b6, k2) == 8);
	CHECK(memcmp(k1, k2, 8) == 0);		/* one /64, one budget */
	CHECK(budget_key((struct sockaddr *)&c6, k2) == 8);
	CHECK(memcmp(k1, k2, 8) != 0);		/* the next /64: another */
	memset(&un, 0, sizeof(un));
	un.sa_family = AF_UNIX;		/* every Unix peer: one key */
	CHECK(budget_key(&un, k1) == 1);
	un.sa_family = AF_APPLETALK;	/* no address zeche knows */
	CHECK(budget_key(&un, k1) == 0);
}

static void
test_limit_per_address_then_room_after_release(void)
{
	struct budget		*b;
	struct budget_peer	*p[3], *q, *r;
	struct sockaddr_in	 a = v4("192.0.2.7"), other = v4("192.0.2.8");
	unsigned int		 n;
	int			 i;

	if ((b = budget_new(key, 3, 60)) == NULL) {
		CHECK(b != NULL);
		return;
	}
	for (i = 0; i < 3; i++) {
		p[i] = budget_take(b, (struct sockaddr *)&a, 100, &n);
		CHECK(p[i] != NULL && n == 0);
	}
	CHECK(p[0] == p[1] && p[1] == p[2]);	/* one entry, counted 3 */
	CHECK(budget_take(b, (struct sockaddr *)&a, 100, &n) == NULL);
	CHECK(n == 1);				/* the first refusal: log */
	/* another address has a budget of its own */
	q = budget_take(b, (struct sockaddr *)&other, 100, &n);
	CHECK(q != NULL && q != p[0] && n == 0);
	budget_release(b, p[2]);
	r = budget_take(b, (struct sockaddr *)&a, 100, &n);
	CHECK(r == p[0] && n == 0);		/* room again */
	CHECK(budget_take(b, (struct sockaddr *)&a, 100, &n) == NULL);
	/* every release down to zero: the entry goes, a new one starts */
	for (i = 0; i < 3; i++)
		budget_release(b, p[0]);
	budget_release(b, q);
	budget_release(b, NULL);		/* never counted: nothing */
	for (i = 0; i < 3; i++) {
		p[i] = budget_take(b, (struct sockaddr *)&a, 100, &n);
		CHECK(p[i] != NULL && n == 0);
	}
	for (i = 0; i < 3; i++)
		budget_release(b, p[i]);
	budget_free(b);
}

static void
test_ipv6_counts_by_64(void)
{
	struct budget		*b;
	struct budget_peer	*p1, *p2, *p3;
	struct sockaddr_in6	 a = v6("2001:db8:1:2::1");
	struct sockaddr_in6	 same = v6("2001:db8:1:2:ffff::9");
	struct sockaddr_in6	 next = v6("2001:db8:1:3::1");
	struct sockaddr		 un;
	unsigned int		 n;

	if ((b = budget_new(key, 2, 60)) == NULL) {
		CHECK(b != NULL);
		return;
	}
	p1 = budget_take(b, (struct sockaddr *)&a, 1, &n);
	p2 = budget_take(b, (struct sockaddr *)&same, 1, &n);
	CHECK(p1 != NULL && p1 == p2);
	/* a third from anywhere in that /64 is refused */
	CHECK(budget_take(b, (struct sockaddr *)&same, 1, &n) == NULL);
	/* the next /64 is another client */
	p3 = budget_take(b, (struct sockaddr *)&next, 1, &n);
	CHECK(p3 != NULL && p3 != p1);
	memset(&un, 0, sizeof(un));
	un.sa_family = AF_APPLETALK;	/* no address zeche knows: refused */
	CHECK(budget_take(b, &un, 1, &n) == NULL && n == 0);
	/* every Unix peer is one client, counted as such */
	un.sa_family = AF_UNIX;
	p1 = budget_take(b, &un, 1, &n);
	p2 = budget_take(b, &un, 1, &n);
	CHECK(p1 != NULL && p1 == p2 && p1 != p3);
	CHECK(budget_take(b, &un, 1, &n) == NULL);
	budget_free(b);			/* with entries still counted */
}

static void
test_refusals_logged_once_per_interval(void)
{
	struct budget		*b;
	struct budget_peer	*p;
	struct sockaddr_in	 a = v4("198.51.100.1");
	unsigned int		 n;

	if ((b = budget_new(key, 1, 60)) == NULL) {
		CHECK(b != NULL);
		return;
	}
	p = budget_take(b, (struct sockaddr *)&a, 1000, &n);
	CHECK(p != NULL);
	CHECK(budget_take(b, (struct sockaddr *)&a, 1000, &n) == NULL);
	CHECK(n == 1);
	CHECK(budget_take(b, (struct sockaddr *)&a, 1010, &n) == NULL);
	CHECK(n == 0);
	CHECK(budget_take(b, (struct sockaddr *)&a, 1059, &n) == NULL);
	CHECK(n == 0);
	CHECK(budget_take(b, (struct sockaddr *)&a, 1060, &n) == NULL);
	CHECK(n == 3);			/* the line stands for all three */
	CHECK(budget_take(b, (struct sockaddr *)&a, 1061, &n) == NULL);
	CHECK(n == 0);
	budget_release(b, p);
	budget_free(b);
}

int
main(void)
{
	test_key_ipv4_whole_ipv6_by_64();
	test_limit_per_address_then_room_after_release();
	test_ipv6_counts_by_64();
	test_refusals_logged_once_per_interval();
	CHECK_DONE();
}
