/*
 * metrics: per-worker counters, their sum at a scrape, and the Prometheus
 * text format.  Knows no connection and no socket: the transport calls
 * in with what happened, scrape.c serves what metrics_write() writes.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "metrics.h"

typedef atomic_uint_least64_t	counter;

/*
 * A worker's series of the requests counter: the key is written before
 * USED is set (release), so a scrape that sees USED (acquire) sees it.
 */
struct wseries {
	atomic_bool	 used;
	char		*host;		/* owned */
	unsigned char	 proto;
	char		 status[8];
	counter		 requests;
	counter		 bytes;
};

/* One worker's counters: only its thread writes them. */
struct wcounters {
	counter		 accepted[METRICS_PROTO_COUNT];
	counter		 handshakes[METRICS_PROTO_COUNT][2];
	counter		 certs[METRICS_PROTO_COUNT];
	counter		 cut[METRICS_PROTO_COUNT];
	counter		 refused[METRICS_REFUSE_COUNT];
	counter		 buckets[METRICS_PROTO_COUNT][METRICS_BUCKETS + 1];
	counter		 dur_us[METRICS_PROTO_COUNT];
	size_t		 nseries;
	struct wseries	 series[METRICS_SERIES_MAX];
};

const double	 metrics_bucket_le[METRICS_BUCKETS] = {
	0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10
};

static const char *const proto_names[METRICS_PROTO_COUNT] = {
	"gemini", "gopher", "spartan", "titan"
};

static const char *const refuse_names[METRICS_REFUSE_COUNT] = {
	"per_address", "max_conns", "rate", "deadline"
};

static struct wcounters	**workers;	/* owned: nworkers, each owned */
static unsigned int	  nworkers;
static uint64_t		  reloads, reload_failures;	/* main loop's */
static double		  last_reload;

/* Add N to C: its only writer is the caller, so no locked add. */
static inline void
bump(counter *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c,
	    memory_order_relaxed) + n, memory_order_relaxed);
}

static inline uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

int
metrics_init(unsigned int n)
{
	unsigned int	 i;

	metrics_free();
	if (n == 0 || (workers = calloc(n, sizeof(*workers))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((workers[i] = calloc(1, sizeof(**workers))) == NULL) {
			nworkers = i;
			metrics_free();
			return -1;
		}
	nworkers = n;
	reloads = reload_failures = 0;
	last_reload = (double)time(NULL);
	return 0;
}

void
metrics_free(void)
{
	unsigned int	 i;
	size_t		 j;

	for (i = 0; i < nworkers; i++) {
		for (j = 0; j < METRICS_SERIES_MAX; j++)
			free(workers[i]->series[j].host);
		free(workers[i]);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
}

bool
metrics_enabled(void)
{
	return workers != NULL;
}

const char *
metrics_proto_name(int p)
{
	return p >= 0 && p < METRICS_PROTO_COUNT ? proto_names[p] : "";
}

static int
proto_index(const char *name)
{
	int	 p;

	for (p = 0; p < METRICS_PROTO_COUNT; p++)
		if (strcmp(name, proto_names[p]) == 0)
			return p;
	return -1;
}

static struct wcounters *
worker(unsigned int w)
{
	return w < nworkers ? workers[w] : NULL;
}

void
metrics_accepted(unsigned int w, const char *proto)
{
	struct wcounters	*wc;
	int			 p;

	if ((wc = worker(w)) != NULL && (p = proto_index(proto)) != -1)
		bump(&wc->accepted[p], 1);
}

void
metrics_refused(unsigned int w, enum metrics_refuse why)
{
	struct wcounters	*wc;

	if ((wc = worker(w)) != NULL && why < METRICS_REFUSE_COUNT)
		bump(&wc->refused[why], 1);
}

void
metrics_handshake(unsigned int w, const char *proto, bool resumed,
    bool cert)
{
	struct wcounters	*wc;
	int			 p;

	if ((wc = worker(w)) == NULL || (p = proto_index(proto)) == -1)
		return;
	bump(&wc->handshakes[p][resumed ? 1 : 0], 1);
	if (cert)
		bump(&wc->certs[p], 1);
}

static uint32_t
hash(const char *host, int proto, const char *status)
{
	uint32_t	 h = 2166136261u ^ (uint32_t)proto;

	for (; *host != '\0'; host++)
		h = (h ^ (unsigned char)*host) * 16777619u;
	for (; *status != '\0'; status++)
		h = (h ^ (unsigned char)*status) * 16777619u;
	return h;
}

/*
 * The series of HOST, PROTO and STATUS in WC, made if need be.  The table
 * is filled to three quarters at most; a host that finds no room is
 * counted under host "" (room for it is kept), so that the counters
 * still add up.
 */
static struct wseries *
series(struct wcounters *wc, const char *host, int proto, const char *status)
{
	struct wseries	*s;
	size_t		 i, room = METRICS_SERIES_MAX / 4 * 3;

	if (host[0] != '\0')
		room -= 64;
	i = hash(host, proto, status) % METRICS_SERIES_MAX;
	for (;; i = (i + 1) % METRICS_SERIES_MAX) {
		s = &wc->series[i];
		if (!atomic_load_explicit(&s->used, memory_order_relaxed))
			break;
		if (s->proto == proto && strcmp(s->status, status) == 0 &&
		    strcmp(s->host, host) == 0)
			return s;
	}
	if (wc->nseries >= room || strlen(status) >= sizeof(s->status) ||
	    (s->host = strdup(host)) == NULL)
		return host[0] != '\0' ? series(wc, "", proto, status) : NULL;
	s->proto = (unsigned char)proto;
	memcpy(s->status, status, strlen(status) + 1);
	wc->nseries++;
	atomic_store_explicit(&s->used, true, memory_order_release);
	return s;
}

void
metrics_request(unsigned int w, const char *proto, const char *host,
    const char *status, size_t sent, const struct timespec *t0,
    const struct timespec *t1, bool cut)
{
	struct wcounters	*wc;
	struct wseries		*s;
	int64_t			 us;
	double			 secs;
	int			 p, b;

	if ((wc = worker(w)) == NULL || (p = proto_index(proto)) == -1)
		return;
	if (cut)
		bump(&wc->cut[p], 1);
	if (status == NULL)
		return;
	if (p == METRICS_GOPHER)
		status = strcmp(status, "3") == 0 ? "error" : "ok";
	if ((s = series(wc, host != NULL ? host : "", p, status)) != NULL) {
		bump(&s->requests, 1);
		bump(&s->bytes, sent);
	}
	us = (int64_t)(t1->tv_sec - t0->tv_sec) * 1000000 +
	    (t1->tv_nsec - t0->tv_nsec) / 1000;
	if (us < 0)
		us = 0;
	secs = (double)us / 1e6;
	for (b = 0; b < METRICS_BUCKETS && secs > metrics_bucket_le[b]; b++)
		;
	bump(&wc->buckets[p][b], 1);
	bump(&wc->dur_us[p], (uint64_t)us);
}

void
metrics_reloaded(bool ok)
{
	if (ok) {
		reloads++;
		last_reload = (double)time(NULL);
	} else
		reload_failures++;
}

static int
series_cmp(const void *a, const void *b)
{
	const struct metrics_series	*x = a, *y = b;
	int				 c;

	if ((c = strcmp(x->host, y->host)) != 0)
		return c;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return strcmp(x->status, y->status);
}

/* The workers' series, summed: one per host, protocol and status. */
static int
sum_series(struct metrics_snapshot *snap)
{
	struct metrics_series	*all, *o;
	struct wseries		*s;
	size_t			 n = 0, i, j;
	unsigned int		 w;

	if ((all = calloc((size_t)nworkers * METRICS_SERIES_MAX + 1,
	    sizeof(*all))) == NULL)
		return -1;
	for (w = 0; w < nworkers; w++)
		for (i = 0; i < METRICS_SERIES_MAX; i++) {
			s = &workers[w]->series[i];
			if (!atomic_load_explicit(&s->used,
			    memory_order_acquire))
				continue;
			all[n].host = s->host;
			all[n].proto = s->proto;
			all[n].status = s->status;
			all[n].requests = get(&s->requests);
			all[n].bytes = get(&s->bytes);
			n++;
		}
	qsort(all, n, sizeof(*all), series_cmp);
	for (i = 0, j = 0; i < n; i++) {
		o = &all[j - (j > 0 ? 1 : 0)];
		if (j > 0 && series_cmp(o, &all[i]) == 0) {
			o->requests += all[i].requests;
			o->bytes += all[i].bytes;
		} else
			all[j++] = all[i];
	}
	snap->series = all;
	snap->nseries = j;
	return 0;
}

int
metrics_snapshot(struct metrics_snapshot *snap)
{
	struct wcounters	*wc;
	unsigned int		 w;
	int			 p, i;

	memset(snap, 0, sizeof(*snap));
	if (sum_series(snap) == -1)
		return -1;
	for (w = 0; w < nworkers; w++) {
		wc = workers[w];
		for (p = 0; p < METRICS_PROTO_COUNT; p++) {
			snap->accepted[p] += get(&wc->accepted[p]);
			snap->handshakes[p][0] += get(&wc->handshakes[p][0]);
			snap->handshakes[p][1] += get(&wc->handshakes[p][1]);
			snap->certs[p] += get(&wc->certs[p]);
			snap->cut[p] += get(&wc->cut[p]);
			snap->dur_us[p] += get(&wc->dur_us[p]);
			for (i = 0; i <= METRICS_BUCKETS; i++)
				snap->buckets[p][i] += get(&wc->buckets[p][i]);
		}
		for (i = 0; i < METRICS_REFUSE_COUNT; i++)
			snap->refused[i] += get(&wc->refused[i]);
	}
	snap->reloads = reloads;
	snap->reload_failures = reload_failures;
	snap->last_reload = last_reload;
	snap->workers = nworkers;
	return 0;
}

void
metrics_snapshot_free(struct metrics_snapshot *snap)
{
	free(snap->series);
	snap->series = NULL;
	snap->nseries = 0;
}

/* A label value, escaped as the text format asks. */
static void
add_label(struct buf *out, const char *name, const char *v, bool more)
{
	buf_addf(out, "%s=\"", name);
	for (; *v != '\0'; v++)
		if (*v == '\\' || *v == '"')
			buf_addf(out, "\\%c", *v);
		else if (*v == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, *v);
	buf_adds(out, more ? "\"," : "\"");
}

static void
head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{proto="P"} V for every protocol, from V[P]. */
static void
per_proto(struct buf *out, const char *name, const char *type,
    const char *help, const uint64_t *v)
{
	int	 p;

	head(out, name, type, help);
	for (p = 0; p < METRICS_PROTO_COUNT; p++)
		buf_addf(out, "%s{proto=\"%s\"} %llu\n", name, proto_names[p],
		    (unsigned long long)v[p]);
}

static void
write_requests(struct buf *out, const struct metrics_snapshot *snap)
{
	const struct metrics_series	*s;
	uint64_t			 bytes;
	size_t				 i;

	head(out, "zeche_requests_total", "counter", "Requests answered, by "
	    "host, protocol and status as sent (Gopher: ok or error).");
	for (i = 0; i < snap->nseries; i++) {
		s = &snap->series[i];
		buf_adds(out, "zeche_requests_total{");
		add_label(out, "host", s->host, true);
		add_label(out, "proto", metrics_proto_name(s->proto), true);
		add_label(out, "status", s->status, false);
		buf_addf(out, "} %llu\n", (unsigned long long)s->requests);
	}
	head(out, "zeche_sent_bytes_total", "counter", "Bytes of answers "
	    "sent, by host and protocol.");
	for (i = 0; i < snap->nseries; i++) {
		s = &snap->series[i];
		bytes = s->bytes;
		while (i + 1 < snap->nseries && s[1].proto == s->proto &&
		    strcmp(s[1].host, s->host) == 0) {
			bytes += (++s)->bytes;
			i++;
		}
		buf_adds(out, "zeche_sent_bytes_total{");
		add_label(out, "host", s->host, true);
		add_label(out, "proto", metrics_proto_name(s->proto), false);
		buf_addf(out, "} %llu\n", (unsigned long long)bytes);
	}
}

static void
write_duration(struct buf *out, const struct metrics_snapshot *snap)
{
	uint64_t	 n;
	int		 p, b;

	head(out, "zeche_request_duration_seconds", "histogram", "Time from "
	    "accept to the answer sent, by protocol.");
	for (p = 0; p < METRICS_PROTO_COUNT; p++) {
		n = 0;
		for (b = 0; b <= METRICS_BUCKETS; b++) {
			n += snap->buckets[p][b];
			if (b < METRICS_BUCKETS)
				buf_addf(out, "zeche_request_duration_seconds_"
				    "bucket{proto=\"%s\",le=\"%g\"} %llu\n",
				    proto_names[p], metrics_bucket_le[b],
				    (unsigned long long)n);
			else
				buf_addf(out, "zeche_request_duration_seconds_"
				    "bucket{proto=\"%s\",le=\"+Inf\"} %llu\n",
				    proto_names[p], (unsigned long long)n);
		}
		buf_addf(out, "zeche_request_duration_seconds_sum{proto=\"%s\"} "
		    "%llu.%06llu\n", proto_names[p],
		    (unsigned long long)(snap->dur_us[p] / 1000000),
		    (unsigned long long)(snap->dur_us[p] % 1000000));
		buf_addf(out, "zeche_request_duration_seconds_count{proto="
		    "\"%s\"} %llu\n", proto_names[p], (unsigned long long)n);
	}
}

static void
write_connections(struct buf *out, const struct metrics_snapshot *snap)
{
	int	 p, i;

	per_proto(out, "zeche_connections_accepted_total", "counter",
	    "Connections accepted, by protocol.", snap->accepted);
	head(out, "zeche_connections_open", "gauge", "Connections open now.");
	buf_addf(out, "zeche_connections_open %llu\n",
	    (unsigned long long)snap->open);
	head(out, "zeche_connections_refused_total", "counter", "Connections "
	    "refused at accept or dropped before their request, by reason.");
	for (i = 0; i < METRICS_REFUSE_COUNT; i++)
		buf_addf(out, "zeche_connections_refused_total{reason=\"%s\"} "
		    "%llu\n", refuse_names[i],
		    (unsigned long long)snap->refused[i]);
	head(out, "zeche_tls_handshakes_total", "counter", "TLS handshakes "
	    "completed, by protocol and kind (full or resumed).");
	for (p = 0; p < METRICS_PROTO_COUNT; p++)
		for (i = 0; i < 2; i++)
			buf_addf(out, "zeche_tls_handshakes_total{proto=\"%s\","
			    "kind=\"%s\"} %llu\n", proto_names[p],
			    i == 0 ? "full" : "resumed",
			    (unsigned long long)snap->handshakes[p][i]);
	per_proto(out, "zeche_tls_client_certificates_total", "counter",
	    "TLS handshakes in which the client sent a certificate.",
	    snap->certs);
	per_proto(out, "zeche_answers_cut_total", "counter", "Answers cut "
	    "before they were all sent (a slow reader, a client gone).",
	    snap->cut);
}

static void
write_load(struct buf *out, const struct metrics_snapshot *snap)
{
	size_t	 i;

	head(out, "zeche_reloads_total", "counter", "Reloads that took "
	    "effect.");
	buf_addf(out, "zeche_reloads_total %llu\n",
	    (unsigned long long)snap->reloads);
	head(out, "zeche_reload_failures_total", "counter", "Reloads that "
	    "failed (the last good load is still served).");
	buf_addf(out, "zeche_reload_failures_total %llu\n",
	    (unsigned long long)snap->reload_failures);
	head(out, "zeche_last_reload_success_timestamp_seconds", "gauge",
	    "When the capsules served were loaded (the start, or the last "
	    "good reload), in seconds since the epoch.");
	buf_addf(out, "zeche_last_reload_success_timestamp_seconds %.0f\n",
	    snap->last_reload);
	head(out, "zeche_log_lines_dropped_total", "counter", "Log lines "
	    "dropped because the log was written too slowly.");
	buf_addf(out, "zeche_log_lines_dropped_total %llu\n",
	    (unsigned long long)snap->log_dropped);
	head(out, "zeche_capsule_pages", "gauge", "Pages and files served, "
	    "by host.");
	for (i = 0; i < snap->nsites; i++) {
		buf_adds(out, "zeche_capsule_pages{");
		add_label(out, "host", snap->sites[i].host, false);
		buf_addf(out, "} %zu\n", snap->sites[i].pages);
	}
	head(out, "zeche_partners", "gauge", "Entries in the partner "
	    "directory, by host.");
	for (i = 0; i < snap->nsites; i++) {
		buf_adds(out, "zeche_partners{");
		add_label(out, "host", snap->sites[i].host, false);
		buf_addf(out, "} %zu\n", snap->sites[i].partners);
	}
	head(out, "zeche_workers", "gauge", "Event loops serving "
	    "connections.");
	buf_addf(out, "zeche_workers %u\n", snap->workers);
	head(out, "zeche_text_cache_bytes", "gauge", "Bytes of Gopher texts, "
	    "menus and Atom feeds rendered on request and kept.");
	buf_addf(out, "zeche_text_cache_bytes %zu\n", snap->text_bytes);
	head(out, "zeche_text_cache_texts", "gauge", "Gopher texts, menus "
	    "and Atom feeds kept.");
	buf_addf(out, "zeche_text_cache_texts %zu\n", snap->text_count);
	head(out, "zeche_text_cache_limit_bytes", "gauge", "The bound of the "
	    "kept texts' bytes (text_cache).");
	buf_addf(out, "zeche_text_cache_limit_bytes %zu\n", snap->text_bound);
	head(out, "zeche_text_cache_requests_total", "counter", "Gopher texts, "
	    "menus and Atom feeds asked for, found kept (hit) or rendered "
	    "(miss).");
	buf_addf(out, "zeche_text_cache_requests_total{result=\"hit\"} %llu\n",
	    (unsigned long long)snap->text_hits);
	buf_addf(out, "zeche_text_cache_requests_total{result=\"miss\"} "
	    "%llu\n", (unsigned long long)snap->text_misses);
}

void
metrics_write(struct buf *out, const struct metrics_snapshot *snap)
{
	write_requests(out, snap);
	write_duration(out, snap);
	write_connections(out, snap);
	write_load(out, snap);
}
