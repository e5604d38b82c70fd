/*
 * test_ratelimit: the rate limit (src/ratelimit.c).  A burst is served,
 * then "slow down" with the seconds until the next token; tokens come
 * back at the rate; an IPv6 /64 is one client; asking on before the time
 * told bans, the bans double up to the cap and are forgiven after as long
 * again; the allow list and Unix peers are never limited; a flood of
 * addresses never holds more than RATE_SLOTS entries and leaves a banned
 * client banned; networks parse as they should.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ratelimit.h"

static const unsigned char	 key[RATE_SECRET_LEN] = "0123456789abcdef";

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

#define SA(x)	((struct sockaddr *)&(x))

static enum rate_result
take(struct ratelimit *rl, const struct sockaddr *sa, uint64_t ms,
    unsigned int *wait)
{
	bool	 started;

	return ratelimit_take(rl, sa, ms, wait, &started);
}

/* 6 per 60 s (one token every 10 s), bursts of 3 */
static void
test_burst_then_slow_down_then_refill(void)
{
	struct ratelimit	*rl = ratelimit_new(key, 6, 60, 3, NULL, 0);
	struct sockaddr_in	 a = v4("192.0.2.7"), b = v4("192.0.2.8");
	unsigned int		 wait;

	CHECK(rl != NULL);
	if (rl == NULL)
		return;
	CHECK(take(rl, SA(a), 1000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 1000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 1000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 1000, &wait) == RATE_SLOW);
	CHECK(wait == 10);			/* one token: 10 s */
	CHECK(take(rl, SA(b), 1000, &wait) == RATE_OK);	/* its own */
	/* 10 s later: one token back, then none */
	CHECK(take(rl, SA(a), 11000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 21000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 26000, &wait) == RATE_SLOW);
	CHECK(wait == 5);
	/* a long pause fills the bucket to the burst, no more */
	CHECK(take(rl, SA(a), 1000000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 1000000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 1000000, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), 1000000, &wait) == RATE_SLOW);
	ratelimit_free(rl);
}

static void
test_ipv6_by_64(void)
{
	struct ratelimit	*rl = ratelimit_new(key, 1, 60, 1, NULL, 0);
	struct sockaddr_in6	 a = v6("2001:db8:1:2::1");
	struct sockaddr_in6	 same = v6("2001:db8:1:2:ffff::9");
	struct sockaddr_in6	 next = v6("2001:db8:1:3::1");
	unsigned int		 wait;

	CHECK(take(rl, SA(a), 0, &wait) == RATE_OK);
	CHECK(take(rl, SA(same), 0, &wait) == RATE_SLOW);
	CHECK(take(rl, SA(next), 0, &wait) == RATE_OK);
	ratelimit_free(rl);
}

static void
test_ban_doubles_up_to_the_cap_and_is_forgiven(void)
{
	struct ratelimit	*rl = ratelimit_new(key, 1, 60, 1, NULL, 0);
	struct sockaddr_in	 a = v4("192.0.2.7");
	unsigned int		 wait, expect = RATE_BAN_MIN;
	uint64_t		 t = 0;
	bool			 started;
	int			 i;

	CHECK(take(rl, SA(a), t, &wait) == RATE_OK);
	for (i = 0; i < 8; i++) {
		CHECK(take(rl, SA(a), t, &wait) == RATE_SLOW);
		CHECK(take(rl, SA(a), t, &wait) == RATE_SLOW);	/* strike 1 */
		CHECK(take(rl, SA(a), t, &wait) == RATE_SLOW);	/* strike 2 */
		CHECK(ratelimit_take(rl, SA(a), t, &wait, &started) ==
		    RATE_BANNED);				/* strike 3 */
		CHECK(started && wait == expect);
		/* refused at accept while it lasts, without a new start */
		CHECK(ratelimit_take(rl, SA(a), t + 1000, &wait, &started) ==
		    RATE_BANNED);
		CHECK(!started && wait == expect - 1);
		/* back when it ends, with its bucket refilled by then */
		t += (uint64_t)expect * 1000;
		CHECK(take(rl, SA(a), t, &wait) == RATE_OK);
		expect = expect * 2 > RATE_BAN_MAX ? RATE_BAN_MAX : expect * 2;
	}
	CHECK(expect == RATE_BAN_MAX);
	/* a ban as long again without trouble: the next starts afresh */
	t += (uint64_t)RATE_BAN_MAX * 1000 + 1000;
	CHECK(take(rl, SA(a), t, &wait) == RATE_OK);
	CHECK(take(rl, SA(a), t, &wait) == RATE_SLOW);
	CHECK(take(rl, SA(a), t, &wait) == RATE_SLOW);
	CHECK(take(rl, SA(a), t, &wait) == RATE_SLOW);
	CHECK(take(rl, SA(a), t, &wait) == RATE_BANNED);
	CHECK(wait == RATE_BAN_MIN);
	ratelimit_free(rl);
}

/* Who comes back only after the time told is never banned. */
static void
test_patient_client_never_banned(void)
{
	struct ratelimit	*rl = ratelimit_new(key, 1, 10, 1, NULL, 0);
	struct sockaddr_in	 a = v4("192.0.2.7");
	unsigned int		 wait;
	uint64_t		 t = 0;
	int			 i, banned = 0;

	for (i = 0; i < 100; i++) {
		if (take(rl, SA(a), t, &wait) == RATE_BANNED)
			banned++;
		t += 5000;		/* twice as often as the rate lets */
	}
	CHECK(banned == 0);
	ratelimit_free(rl);
}

static void
test_allow_list_and_unix_peers(void)
{
	struct rate_net		 nets[2];
	struct ratelimit	*rl;
	struct sockaddr_in	 in = v4("198.51.100.7"), out = v4("198.51.101.7");
	struct sockaddr_in6	 in6 = v6("2001:db8:abcd::1");
	struct sockaddr_un	 un;
	unsigned int		 wait;
	int			 i, ok = 0;

	CHECK(ratelimit_parse_net("198.51.100.0/24", &nets[0]) == 0);
	CHECK(ratelimit_parse_net("2001:db8:abcd::/48", &nets[1]) == 0);
	rl = ratelimit_new(key, 1, 60, 1, nets, 2);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	CHECK(ratelimit_allowed(rl, SA(in)));
	CHECK(!ratelimit_allowed(rl, SA(out)));
	for (i = 0; i < 1000; i++)
		ok += take(rl, SA(in), 0, &wait) == RATE_OK &&
		    take(rl, SA(in6), 0, &wait) == RATE_OK &&
		    take(rl, SA(un), 0, &wait) == RATE_OK;
	CHECK(ok == 1000);
	CHECK(take(rl, SA(out), 0, &wait) == RATE_OK);
	CHECK(take(rl, SA(out), 0, &wait) == RATE_SLOW);
	CHECK(ratelimit_entries(rl) == 1);	/* only the limited one */
	ratelimit_free(rl);
}

/*
 * 200,000 addresses, 50 times as many as there are entries: the table
 * holds RATE_SLOTS at most, and a client banned meanwhile (while the
 * flood goes on, asking now and then) stays banned.
 */
static void
test_flood_is_bounded(void)
{
	struct ratelimit	*rl = ratelimit_new(key, 1, 60, 1, NULL, 0);
	struct sockaddr_in	 a = v4("192.0.2.7"), f = v4("10.0.0.0");
	unsigned int		 wait, n;
	int			 i;

	for (i = 0; i < 4; i++)
		take(rl, SA(a), 0, &wait);
	CHECK(take(rl, SA(a), 0, &wait) == RATE_BANNED);
	for (n = 0; n < 200000; n++) {
		f.sin_addr.s_addr = htonl(0x0a000000u + n);
		take(rl, SA(f), 1000 + n / 100, &wait);
		if (n % 1000 == 0)
			CHECK(take(rl, SA(a), 1000 + n / 100, &wait) ==
			    RATE_BANNED);
	}
	CHECK(ratelimit_entries(rl) <= RATE_SLOTS);
	CHECK(ratelimit_entries(rl) > RATE_SLOTS / 2);
	ratelimit_free(rl);
}

static void
test_parse_net(void)
{
	struct rate_net	 net;

	CHECK(ratelimit_parse_net("192.0.2.77/24", &net) == 0);
	CHECK(net.family == AF_INET && net.prefix == 24);
	CHECK(memcmp(net.addr, "\xc0\x00\x02\x00", 4) == 0);	/* cleared */
	CHECK(ratelimit_parse_net("192.0.2.7", &net) == 0 && net.prefix == 32);
	CHECK(ratelimit_parse_net("::1", &net) == 0 && net.prefix == 128);
	CHECK(ratelimit_parse_net("2001:db8::/32", &net) == 0);
	CHECK(net.family == AF_INET6 && net.prefix == 32);
	CHECK(ratelimit_parse_net("0.0.0.0/0", &net) == 0 && net.prefix == 0);
	CHECK(ratelimit_parse_net("192.0.2.0/33", &net) == -1);
	CHECK(ratelimit_parse_net("2001:db8::/129", &net) == -1);
	CHECK(ratelimit_parse_net("192.0.2.0/", &net) == -1);
	CHECK(ratelimit_parse_net("192.0.2.0/-1", &net) == -1);
	CHECK(ratelimit_parse_net("192.0.2.0/24x", &net) == -1);
	CHECK(ratelimit_parse_net("/24", &net) == -1);
	CHECK(ratelimit_parse_net("example.org", &net) == -1);
	CHECK(ratelimit_parse_net("", &net) == -1);
	CHECK(ratelimit_new(key, 0, 60, 1, NULL, 0) == NULL);
}

int
main(void)
{
	test_burst_then_slow_down_then_refill();
	test_ipv6_by_64();
	test_ban_doubles_up_to_the_cap_and_is_forgiven();
	test_patient_client_never_banned();
	test_allow_list_and_unix_peers();
	test_flood_is_bounded();
	test_parse_net();
	CHECK_DONE();
}
