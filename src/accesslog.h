/*
 * accesslog: the access line, one per connection that said something, in
 * the style the configuration names: zeche's own, or the combined format
 * (NCSA/Apache) that log analysers such as GoAccess read as it is.
 */
#ifndef ACCESSLOG_H
#define ACCESSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum accesslog_style {
	ACCESSLOG_ZECHE,		/* "gemini "URL" 20 (host, bytes, ms)" */
	ACCESSLOG_COMBINED,	/* IP - - [date] "GET URL HTTP/1.0" 200 bytes */
};

/* What the transport knows of a connection when it writes its line. */
struct accesslog_line {
	const char	*proto;		/* "gemini", "gopher", "spartan" */
	const char	*peer;		/* the client's address, or "" */
	const char	*req;		/* the request, escaped (log_escape) */
	const char	*status;	/* as sent ("20", "3"), or NULL */
	const char	*why;		/* or "" */
	const char	*cut;		/* how the answer was cut, or NULL */
	const char	*host;		/* the host served, or NULL */
	size_t		 sent;		/* bytes of the answer sent */
	long long	 queued;	/* bytes of the answer in all */
	long long	 ms;		/* accept to now */
};

/* The style of the lines from now on (the start, a reload). */
void	accesslog_set_style(enum accesslog_style);

/*
 * Write the access line of A (nothing for a connection with no status,
 * no reason and no cut).  In the combined style, a connection that got
 * no answer (a failed handshake, a timeout) is written as a message
 * line of zeche's style: an analyser skips it as it skips any line it
 * cannot read.
 */
void	accesslog_log(const struct accesslog_line *);

/*
 * The status written for an analyser that takes HTTP's three digits:
 * Gemini's two-digit status as the HTTP status of the same meaning
 * (20 200, 31 301, 51 404, 59 400, 44 429, 60 401, ...), Spartan's one
 * digit as its class (2 200, 3 302, 4 400, 5 500), Gopher's error item
 * as 404 and every other answer as 200.
 */
int	accesslog_http_status(const char *, const char *);

/*
 * The combined line of A at the time T, with its newline, into DST of
 * SIZE (cut short if it does not fit).  Returns its length.  Pure.
 */
size_t	accesslog_combined(char *, size_t, const struct accesslog_line *,
	    time_t);

#endif
