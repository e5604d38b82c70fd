/*
 * metrics-cost: the CPU the counting calls of one request cost, as the
 * transport makes them (accept, handshake, request), with metrics on and
 * off, in nanoseconds per request: a figure the noise of a whole-server
 * run cannot hide.  Usage: metrics-cost [REQUESTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "metrics.h"

static double
cpu_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* N requests as the transport counts them; ns of CPU per request. */
static double
requests(long n)
{
	static const char *const hosts[] = { "gemini.example.org",
	    "gopher.example.org", "other.example.net" };
	static const char *const st[] = { "20", "20", "20", "51", "31" };
	struct timespec	 t0, t1;
	double		 a;
	long		 i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	t1 = t0;
	a = cpu_ns();
	for (i = 0; i < n; i++) {
		t1.tv_nsec = (t0.tv_nsec + i * 1000) % 1000000000;
		if (i & 1) {
			metrics_accepted(0, "gopher");
			metrics_request(0, "gopher", hosts[i % 3], "1", 2048,
			    &t0, &t1, false);
		} else {
			metrics_accepted(0, "gemini");
			metrics_handshake(0, "gemini", false, false);
			metrics_request(0, "gemini", hosts[i % 3], st[i % 5],
			    2048, &t0, &t1, false);
		}
	}
	return (cpu_ns() - a) / (double)n;
}

int
main(int argc, char **argv)
{
	long	 n = argc > 1 ? atol(argv[1]) : 10000000;
	double	 off, on;

	if (n < 1)
		return 2;
	off = requests(n);
	if (metrics_init(1) == -1)
		return 1;
	requests(n / 10);		/* the series made */
	on = requests(n);
	metrics_free();
	printf("requests=%ld off_ns_per_req=%.1f on_ns_per_req=%.1f "
	    "counting_ns_per_req=%.1f\n", n, off, on, on - off);
	return 0;
}
