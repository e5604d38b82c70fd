/*
 * scrape: the metrics listener.  A TCP or Unix stream socket, served on
 * the main loop, that answers "GET /metrics" over HTTP/1.1 with
 * metrics_write()'s exposition, every other path 404 and every other
 * method 405, and closes after each answer.
 */
#ifndef SCRAPE_H
#define SCRAPE_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct metrics_site;

#define SCRAPE_CLIENTS_MAX	16	/* at once; more are turned away */
#define SCRAPE_REQUEST_MAX	8192	/* bytes of request line and headers */
#define SCRAPE_TIMEOUT		10	/* seconds to send the request, and
					   to take the answer */
#define SCRAPE_SITES_MAX	1024	/* hosts in the gauges */

/* What a request asks for, once its head is complete. */
enum scrape_req {
	SCRAPE_MORE,		/* incomplete: read on */
	SCRAPE_METRICS,		/* GET /metrics: 200 */
	SCRAPE_NOT_FOUND,	/* GET of another path: 404 */
	SCRAPE_METHOD,		/* another method: 405 */
	SCRAPE_BAD,		/* not HTTP/1.x: 400 */
};

/*
 * Parse the LEN bytes of an HTTP/1.x request head in BUF: a request line
 * "METHOD TARGET HTTP/1.x" and header lines, ended by an empty line (CRLF
 * or a bare LF); the headers are not looked at.  A head longer than
 * SCRAPE_REQUEST_MAX is SCRAPE_BAD.  Pure.
 */
enum scrape_req	scrape_parse(const char *, size_t);

/*
 * Fill at most MAX entries of SITES with what is served now; returns
 * how many.  The strings live until the next call.
 */
typedef size_t	(*scrape_sites_fn)(struct metrics_site *, size_t);

/*
 * Listen on SPEC, "ADDR:PORT" or "unix:PATH", on the loop BASE; a Unix
 * socket is made mode 0660 (a stale socket file there is replaced).  Call
 * before the privileges are dropped.  Returns 0, or -1 with a message in
 * ERR.
 */
int	scrape_listen(struct event_base *, const char *, scrape_sites_fn,
	    char *, size_t);

/* Close the clients and the socket, and remove a Unix socket's file. */
void	scrape_close(void);

/*
 * Check SPEC as scrape_listen() takes it: 0, or -1 with ERRSTR set.
 * Pure.
 */
int	scrape_check_spec(const char *, const char **);

#endif
