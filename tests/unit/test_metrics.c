/*
 * metrics: the workers' counters summed at a scrape, the series of a
 * host that finds no room counted all the same, and the exposition in
 * the Prometheus text format, line for line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "check.h"
#include "metrics.h"
#include "scrape.h"

static struct timespec	 t0 = { 100, 0 };

/* A request answered in MS milliseconds. */
static void
req(unsigned int w, const char *proto, const char *host, const char *status,
    size_t sent, long ms, bool cut)
{
	struct timespec	 t1 = { 100 + ms / 1000, (ms % 1000) * 1000000 };

	metrics_request(w, proto, host, status, sent, &t0, &t1, cut);
}

static bool
has_line(const struct buf *b, const char *line)
{
	const char	*p = b->data;
	size_t		 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == b->data || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

static void
test_off_counts_nothing(void)
{
	struct metrics_snapshot	 snap;

	metrics_free();
	CHECK(!metrics_enabled());
	req(0, "gemini", "h", "20", 10, 1, false);
	metrics_accepted(0, "gemini");
	CHECK(metrics_snapshot(&snap) == 0);
	CHECK(snap.nseries == 0);
	CHECK(snap.accepted[METRICS_GEMINI] == 0);
	metrics_snapshot_free(&snap);
}

static void
test_workers_summed(void)
{
	struct metrics_snapshot	 snap;

	CHECK(metrics_init(3) == 0);
	CHECK(metrics_enabled());
	req(0, "gemini", "a.example", "20", 100, 0, false);
	req(1, "gemini", "a.example", "20", 50, 3, false);
	req(2, "gemini", "a.example", "51", 7, 20, false);
	req(1, "gopher", "a.example", "3", 30, 0, false);
	req(1, "gopher", "a.example", "1", 40, 0, true);
	req(0, "spartan", NULL, "4", 5, 2000, false);
	req(0, "gemini", "b.example", NULL, 0, 0, true);  /* no answer */
	req(7, "gemini", "a.example", "20", 1, 0, false);  /* no worker 7 */
	req(0, "finger", "a.example", "20", 1, 0, false);  /* no such proto */
	metrics_accepted(0, "gemini");
	metrics_accepted(2, "gemini");
	metrics_refused(1, METRICS_REFUSE_CAP);
	metrics_refused(2, METRICS_REFUSE_RATE);
	metrics_refused(2, METRICS_REFUSE_COUNT);	/* out of range */
	metrics_handshake(0, "gemini", false, true);
	metrics_handshake(1, "gemini", true, false);
	CHECK(metrics_snapshot(&snap) == 0);
	CHECK(snap.nseries == 5);
	/* sorted by host, protocol, status; "" (not known) first */
	CHECK_STR(snap.series[0].host, "");
	CHECK_STR(snap.series[0].status, "4");
	CHECK_STR(snap.series[1].host, "a.example");
	CHECK_STR(snap.series[1].status, "20");
	CHECK(snap.series[1].requests == 2);
	CHECK(snap.series[1].bytes == 150);
	CHECK_STR(snap.series[2].status, "51");
	CHECK(snap.series[3].proto == METRICS_GOPHER);
	CHECK_STR(snap.series[3].status, "error");
	CHECK_STR(snap.series[4].status, "ok");
	CHECK(snap.accepted[METRICS_GEMINI] == 2);
	CHECK(snap.refused[METRICS_REFUSE_CAP] == 1);
	CHECK(snap.refused[METRICS_REFUSE_RATE] == 1);
	CHECK(snap.handshakes[METRICS_GEMINI][0] == 1);
	CHECK(snap.handshakes[METRICS_GEMINI][1] == 1);
	CHECK(snap.certs[METRICS_GEMINI] == 1);
	CHECK(snap.cut[METRICS_GEMINI] == 1);
	CHECK(snap.cut[METRICS_GOPHER] == 1);
	/* 0 ms and 3 ms and 20 ms: buckets 0.001, 0.005, 0.05 */
	CHECK(snap.buckets[METRICS_GEMINI][0] == 1);
	CHECK(snap.buckets[METRICS_GEMINI][1] == 1);
	CHECK(snap.buckets[METRICS_GEMINI][3] == 1);
	CHECK(snap.buckets[METRICS_SPARTAN][7] == 1);	/* 2 s: le 5 */
	CHECK(snap.dur_us[METRICS_GEMINI] == 23000);
	CHECK(snap.workers == 3);
	metrics_snapshot_free(&snap);
}

static void
test_full_table_still_adds_up(void)
{
	struct metrics_snapshot	 snap;
	char			 host[32];
	uint64_t		 n = 0;
	size_t			 i;

	CHECK(metrics_init(1) == 0);
	for (i = 0; i < 3 * METRICS_SERIES_MAX; i++) {
		snprintf(host, sizeof(host), "h%zu.example", i);
		req(0, "gemini", host, "20", 1, 0, false);
	}
	CHECK(metrics_snapshot(&snap) == 0);
	CHECK(snap.nseries < METRICS_SERIES_MAX);
	for (i = 0; i < snap.nseries; i++)
		n += snap.series[i].requests;
	CHECK(n == 3 * METRICS_SERIES_MAX);
	CHECK_STR(snap.series[0].host, "");
	metrics_snapshot_free(&snap);
}

static void
test_exposition(void)
{
	struct metrics_snapshot	 snap;
	struct metrics_site	 sites[] = { { "a.example", 17, 3 },
				    { "we\"ird\\", 1, 0 } };
	struct buf		 out = BUF_INIT;

	CHECK(metrics_init(2) == 0);
	req(0, "gemini", "a.example", "20", 100, 0, false);
	req(1, "gemini", "a.example", "51", 20, 700, false);
	req(1, "gemini", "a.example", "20", 10, 0, false);
	metrics_refused(0, METRICS_REFUSE_DEADLINE);
	metrics_reloaded(true);
	metrics_reloaded(false);
	metrics_reloaded(false);
	CHECK(metrics_snapshot(&snap) == 0);
	snap.open = 4;
	snap.log_dropped = 9;
	snap.sites = sites;
	snap.nsites = 2;
	metrics_write(&out, &snap);
	CHECK(!out.failed);
	CHECK(has_line(&out, "# TYPE zeche_requests_total counter"));
	CHECK(has_line(&out, "zeche_requests_total{host=\"a.example\","
	    "proto=\"gemini\",status=\"20\"} 2"));
	CHECK(has_line(&out, "zeche_requests_total{host=\"a.example\","
	    "proto=\"gemini\",status=\"51\"} 1"));
	CHECK(has_line(&out, "zeche_sent_bytes_total{host=\"a.example\","
	    "proto=\"gemini\"} 130"));
	CHECK(has_line(&out, "# TYPE zeche_request_duration_seconds "
	    "histogram"));
	CHECK(has_line(&out, "zeche_request_duration_seconds_bucket{proto="
	    "\"gemini\",le=\"0.5\"} 2"));
	CHECK(has_line(&out, "zeche_request_duration_seconds_bucket{proto="
	    "\"gemini\",le=\"1\"} 3"));
	CHECK(has_line(&out, "zeche_request_duration_seconds_bucket{proto="
	    "\"gemini\",le=\"+Inf\"} 3"));
	CHECK(has_line(&out, "zeche_request_duration_seconds_sum{proto="
	    "\"gemini\"} 0.700000"));
	CHECK(has_line(&out, "zeche_request_duration_seconds_count{proto="
	    "\"gemini\"} 3"));
	CHECK(has_line(&out, "zeche_connections_open 4"));
	CHECK(has_line(&out, "zeche_connections_refused_total{reason="
	    "\"deadline\"} 1"));
	CHECK(has_line(&out, "zeche_connections_refused_total{reason="
	    "\"rate\"} 0"));
	CHECK(has_line(&out, "zeche_reloads_total 1"));
	CHECK(has_line(&out, "zeche_reload_failures_total 2"));
	CHECK(has_line(&out, "zeche_log_lines_dropped_total 9"));
	CHECK(has_line(&out, "zeche_capsule_pages{host=\"a.example\"} 17"));
	CHECK(has_line(&out, "zeche_partners{host=\"a.example\"} 3"));
	/* a label value's quote and backslash escaped */
	CHECK(has_line(&out, "zeche_partners{host=\"we\\\"ird\\\\\"} 0"));
	CHECK(has_line(&out, "zeche_workers 2"));
	CHECK(out.len > 0 && out.data[out.len - 1] == '\n');
	buf_free(&out);
	metrics_snapshot_free(&snap);
}

#define P(s)	scrape_parse(s, sizeof(s) - 1)

static void
test_scrape_parse(void)
{
	char	 big[SCRAPE_REQUEST_MAX + 100];

	CHECK(P("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") ==
	    SCRAPE_METRICS);
	CHECK(P("GET /metrics?x=1 HTTP/1.0\n\n") == SCRAPE_METRICS);
	CHECK(P("GET /metrics HTTP/1.1\r\nHost: x\r\n") == SCRAPE_MORE);
	CHECK(P("GET /metric") == SCRAPE_MORE);
	CHECK(P("") == SCRAPE_MORE);
	CHECK(P("GET / HTTP/1.1\r\n\r\n") == SCRAPE_NOT_FOUND);
	CHECK(P("GET /metricsx HTTP/1.1\r\n\r\n") == SCRAPE_NOT_FOUND);
	CHECK(P("POST /metrics HTTP/1.1\r\n\r\n") == SCRAPE_METHOD);
	CHECK(P("HEAD /metrics HTTP/1.1\r\n\r\n") == SCRAPE_METHOD);
	CHECK(P("GET /metrics HTTP/2.0\r\n\r\n") == SCRAPE_BAD);
	CHECK(P("GET /metrics\r\n\r\n") == SCRAPE_BAD);
	CHECK(P("get /metrics HTTP/1.1\r\n\r\n") == SCRAPE_BAD);
	CHECK(P("GET /met\x01rics HTTP/1.1\r\n\r\n") == SCRAPE_BAD);
	CHECK(P("\r\n\r\n") == SCRAPE_BAD);
	CHECK(P("\n\n") == SCRAPE_BAD);
	memset(big, 'a', sizeof(big));
	CHECK(scrape_parse(big, sizeof(big)) == SCRAPE_BAD);
}

static void
test_scrape_spec(void)
{
	const char	*e;

	CHECK(scrape_check_spec("127.0.0.1:9165", &e) == 0);
	CHECK(scrape_check_spec("[::1]:9165", &e) == 0);
	CHECK(scrape_check_spec("*:9165", &e) == 0);
	CHECK(scrape_check_spec("unix:/run/zeche/metrics.sock", &e) == 0);
	CHECK(scrape_check_spec("unix:metrics.sock", &e) == -1);
	CHECK(scrape_check_spec("9165", &e) == -1);
	CHECK(scrape_check_spec("127.0.0.1:0", &e) == -1);
	CHECK(scrape_check_spec("127.0.0.1:70000", &e) == -1);
	CHECK(scrape_check_spec("127.0.0.1:x", &e) == -1);
	CHECK(scrape_check_spec(":9165", &e) == -1);
}

int
main(void)
{
	test_off_counts_nothing();
	test_workers_summed();
	test_full_table_still_adds_up();
	test_exposition();
	test_scrape_parse();
	test_scrape_spec();
	metrics_free();
	CHECK_DONE();
}
