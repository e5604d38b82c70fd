/*
 * metrics: the counters a scrape reads, and their exposition in the
 * Prometheus text format.  Each worker counts into a struct of its own,
 * with relaxed atomic loads and stores that compile to plain ones (one
 * writer per counter): no lock and no shared cache line on the serving
 * path.  A scrape (on the main loop) sums the workers' counters.  Off
 * until metrics_init(): then every counting call returns at once.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;

/* Why a connection was refused or dropped before its request. */
enum metrics_refuse {
	METRICS_REFUSE_BUDGET,		/* its address has per_address open */
	METRICS_REFUSE_CAP,		/* max_conns open in all */
	METRICS_REFUSE_RATE,		/* its address asked too often */
	METRICS_REFUSE_DEADLINE,	/* no request within the timeout */
	METRICS_REFUSE_COUNT
};

enum metrics_proto {
	METRICS_GEMINI,
	METRICS_GOPHER,
	METRICS_SPARTAN,
	METRICS_TITAN,
	METRICS_PROTO_COUNT
};

#define METRICS_SERIES_MAX	1024	/* host, protocol, status: per worker */
#define METRICS_BUCKETS		9	/* of the duration histogram, +Inf aside */

/*
 * Count from now on, for NWORKERS workers (numbered from 0).  Returns 0,
 * or -1 when memory ran out (counting stays off).
 */
int	metrics_init(unsigned int);
void	metrics_free(void);
bool	metrics_enabled(void);

/*
 * The counting calls, each from worker W's own thread (a W out of range
 * is not counted).  PROTO is a front's name ("gemini", "gopher", ...).
 */
void	metrics_accepted(unsigned int, const char *);
void	metrics_refused(unsigned int, enum metrics_refuse);
void	metrics_handshake(unsigned int, const char *, bool, bool);

/*
 * A connection's access line was written: with STATUS (as sent) it was
 * a request for HOST (NULL: not known) of PROTO, answered with SENT
 * bytes between T0 and T1 (CLOCK_MONOTONIC); CUT if the answer was cut.
 */
void	metrics_request(unsigned int, const char *, const char *, const char *,
	    size_t, const struct timespec *, const struct timespec *, bool);

/* From the main loop: a load ended (the start's counts as good). */
void	metrics_reloaded(bool);

/* One host's capsule as loaded, for the gauges. */
struct metrics_site {
	const char	*host;
	size_t		 pages;
	size_t		 partners;
};

/* One series of zeche_requests_total and zeche_sent_bytes_total. */
struct metrics_series {
	const char	*host;		/* "" when not known */
	int		 proto;		/* enum metrics_proto */
	const char	*status;	/* "20", "ok", "error", ... */
	uint64_t	 requests;
	uint64_t	 bytes;
};

/* Everything a scrape shows, summed over the workers. */
struct metrics_snapshot {
	struct metrics_series	*series;	/* sorted */
	size_t			 nseries;
	uint64_t		 accepted[METRICS_PROTO_COUNT];
	uint64_t		 handshakes[METRICS_PROTO_COUNT][2]; /* full,
							       resumed */
	uint64_t		 certs[METRICS_PROTO_COUNT];
	uint64_t		 cut[METRICS_PROTO_COUNT];
	uint64_t		 refused[METRICS_REFUSE_COUNT];
	uint64_t		 buckets[METRICS_PROTO_COUNT][METRICS_BUCKETS + 1];
	uint64_t		 dur_us[METRICS_PROTO_COUNT];	/* the sum */
	uint64_t		 open;		/* connections open now */
	uint64_t		 reloads, reload_failures;
	double			 last_reload;	/* Unix time of the last good */
	uint64_t		 log_dropped;
	uint64_t		 text_hits, text_misses;	/* textcache.h */
	size_t			 text_bytes, text_count, text_bound;
	const struct metrics_site *sites;
	size_t			 nsites;
	unsigned int		 workers;
};

/* The upper bounds of the duration buckets, in seconds. */
extern const double	metrics_bucket_le[METRICS_BUCKETS];

/*
 * Sum the workers' counters and the global ones into SNAP (the caller
 * sets open, log_dropped, the text cache's and sites); free it with
 * metrics_snapshot_free.
 * Returns 0, or -1 when memory ran out.
 */
int	metrics_snapshot(struct metrics_snapshot *);
void	metrics_snapshot_free(struct metrics_snapshot *);

/*
 * Write SNAP in the Prometheus text exposition format (version 0.0.4)
 * to OUT.  Pure: everything it writes comes from SNAP.
 */
void	metrics_write(struct buf *, const struct metrics_snapshot *);

/* The name of the protocol P as a label value. */
const char *metrics_proto_name(int);

#endif
