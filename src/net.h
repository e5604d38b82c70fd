/*
 * net: listeners, connections, timeouts and the close that ends each one.
 * Transport only: the front-ends (gemini.c, gopher.c) see a request line
 * and answer through conn_reply*(); they never see TLS.
 */
#ifndef NET_H
#define NET_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct conn;
struct event_base;
struct site;

#define NET_READ_TIMEOUT	10	/* seconds to send a whole request */
#define NET_WRITE_TIMEOUT	30	/* seconds without progress writing */
#define NET_PEER_MAX		32	/* open connections from one address */

struct front {
	const char	*name;		/* "gemini", "gopher" */
	bool		 lf_ok;		/* a bare LF ends a request too */
	bool		 eof_ends;	/* EOF ends a request without a newline */
	size_t		 line_max;	/* longest request, end of line excluded */
	void		(*serve)(struct conn *, char *, size_t);
	void		(*reject)(struct conn *, const char *);
};

enum net_tls {
	NET_PLAIN,			/* plain TCP */
	NET_TLS,			/* TLS always */
	NET_SNIFF,			/* TLS if the first byte is a handshake */
};

/*
 * Set the loop and the TLS context every connection uses, whether client
 * addresses go to the access log, and the read timeout in seconds.
 */
void	net_init(struct event_base *, SSL_CTX *, bool, int);

/*
 * Listen on ADDR (NULL: all addresses, IPv4 and IPv6) and PORT.  Returns 0,
 * or -1 with a message in ERR.
 */
int	net_listen(const char *, const char *, const struct front *,
	    enum net_tls, char *, size_t);

/* Serve new connections from S (takes a reference; drops the old one). */
void	net_set_site(struct site *);

/* Close the listeners and free the current site, for a clean exit. */
void	net_shutdown(void);

/* The site this connection is served from; valid until conn_done(). */
struct site	*conn_site(struct conn *);

/* The SNI host name the client sent, or NULL (plain, or none sent). */
const char	*conn_sni(struct conn *);
bool		 conn_is_tls(struct conn *);

/* Queue a copy of the bytes. */
void	conn_reply(struct conn *, const void *, size_t);
void	conn_replyf(struct conn *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Queue bytes that live in conn_site(c), without copying them. */
void	conn_reply_ref(struct conn *, const void *, size_t);

/*
 * Queue LEN bytes of the open file FD from OFFSET, after what is queued
 * already.  The connection owns FD from the call on (it is closed also on
 * error).  Returns 0, or -1 (FD closed, nothing queued).
 */
int	conn_reply_file(struct conn *, int, off_t, off_t);

/*
 * The answer is complete: STATUS (e.g. "20", "3") goes to the access log
 * with WHY (or NULL); the connection closes once the output has drained.
 */
void	conn_done(struct conn *, const char *, const char *);

#endif
