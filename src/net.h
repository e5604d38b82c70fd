/*
 * net: listeners, connections, deadlines and the close that ends each one.
 * Transport only: the front-ends (gemini.c, gopher.c) see a request line
 * and answer through conn_reply*(); they never see TLS.  The transport
 * does not know what it serves either: main hands it an opaque,
 * reference-counted context (net_set_ctx), and a front-end gets the one
 * its request is served from with conn_ctx().
 *
 * Connections are served by one or more workers, each an event loop with
 * listening sockets of its own (SO_REUSEPORT: the kernel spreads the
 * connections).  A connection stays on the worker that accepted it, so
 * its callbacks, and the front-end's serve(), run on that worker's
 * thread; several run at once, each on its own connection.
 */
#ifndef NET_H
#define NET_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct event_base;
struct listen_addr;
struct ratelimit;
struct ssl_ctx_st;		/* OpenSSL's SSL_CTX: only main and tls.c
				   make one, the front-ends never see it */

#define NET_TIMEOUT		10	/* seconds for handshake and request */
#define NET_READ_TIMEOUT	NET_TIMEOUT
#define NET_WRITE_RATE_MIN	1024	/* bytes a second a reader must take */
#define NET_PEER_MAX		32	/* open connections from one address */
#define NET_STOP_GRACE		3	/* seconds answers get to finish at stop */
#define NET_LINGER_MAX		65536	/* bytes read and dropped after answering */
#define NET_LINGER_TIME		2	/* seconds to wait for the client's close */
#define NET_FILE_CHUNK		65536	/* bytes of a file read at a time */
#define NET_BACKLOG		SOMAXCONN /* queued to accept, per listener */
#define NET_WARN_INTERVAL	60	/* seconds between two "refused" lines */
#define NET_TRIM_INTERVAL	5	/* seconds between two looks at the peak */
#define NET_TRIM_PEAK		256	/* open connections worth a trim after */

struct front {
	const char	*name;		/* "gemini", "gopher" */
	bool		 lf_ok;		/* a bare LF ends a request too */
	bool		 eof_ends;	/* EOF ends a request without a newline */
	size_t		 line_max;	/* longest request, end of line excluded */
	bool		 client_cert;	/* over TLS, ask for a client
					   certificate (conn_cert) */
	/*
	 * Protocols whose request line announces a data block: how many
	 * bytes follow LINE (at most data_max; 0 for a line that serve()
	 * will refuse, which it then does before a byte of data is read).
	 * The transport reads them within the request timeout, and past it
	 * as long as each window of --timeout seconds brings
	 * NET_WRITE_RATE_MIN bytes a second, before serve(); conn_data()
	 * hands them out.  NULL: none.
	 */
	size_t		 data_max;
	size_t		(*data_len)(struct conn *, const char *, size_t);
	void		(*serve)(struct conn *, char *, size_t);
	void		(*reject)(struct conn *, const char *);
	/* past the rate limit: "slow down, try again in N seconds" */
	void		(*slow_down)(struct conn *, unsigned int);
};

enum net_tls {
	NET_PLAIN,			/* plain TCP */
	NET_TLS,			/* TLS always */
	NET_SNIFF,			/* TLS if the first byte is a handshake */
};

struct net_conf {
	int		 timeout;	/* seconds: handshake and request, and
					   the window the write rate is
					   measured over */
	int		 max_conns;	/* open connections in all; 0:
					   fitted to the descriptor limit
					   (net_start) */
	int		 per_address;	/* from one address (IPv6: /64);
					   0: NET_PEER_MAX */
	bool		 log_ip;	/* client addresses in the access log */
	void		(*ref)(void *);		/* take a reference on a ctx */
	void		(*unref)(void *);	/* drop one (NULL: nothing) */
	bool		 log_ip_anon;	/* with log_ip: the network part only,
					   IPv4 /24, IPv6 /48 */
	int		 workers;	/* event loops; 0: one */
	struct ratelimit *rate;		/* borrowed: requests per address,
					   or NULL: none limited */
};

/* A new event loop, set up as every worker's is. */
struct event_base *net_base_new(void);

/*
 * Set the loop of worker 0, the TLS context every connection uses and the
 * limits, and make the loops of the other workers (conf->workers).  Call
 * evthread_use_pthreads() before.  Returns 0, or -1 when memory ran out.
 */
int	net_init(struct event_base *, struct ssl_ctx_st *,
	    const struct net_conf *);

/*
 * Start workers 1 and up, each in a thread of its own (named
 * "zeche-worker-N") with every signal blocked, so that the signals go to
 * the caller's loop, worker 0.  Call it once the listeners are open and
 * the process is confined: the threads inherit the confinement.  Returns
 * 0, or -1 with errno set.
 */
int	net_start(void);

/*
 * Listen on ADDR (NULL: all addresses, IPv4 and IPv6) and PORT, one
 * socket per worker; a port another program holds is an error.  With
 * PROXY, every connection must start with a PROXY protocol header (v1 or
 * v2) within the timeout, and the client it names is the one counted and
 * logged.  Returns 0, or -1 with a message in ERR.
 */
int	net_listen(const char *, const char *, const struct front *,
	    enum net_tls, bool, char *, size_t);

/*
 * net_listen() on LA (listen.h): an address and port, or a Unix socket
 * that the workers share.
 */
int	net_listen_at(const struct listen_addr *, const struct front *,
	    enum net_tls, bool, char *, size_t);

/*
 * Serve requests parsed from now on from CTX, on every worker at once:
 * takes a reference on it for each and drops theirs on the previous
 * context.  Requests in flight keep theirs.
 */
void	net_set_ctx(void *);

/*
 * The context the calling worker serves new requests from, with a
 * reference the caller drops (nconf.unref); NULL if there is none.  For a
 * callback that runs before the request, as the TLS servername one.
 */
void	*net_ctx_take(void);

/*
 * Stop, on every worker: close the listeners and every connection that
 * has no request yet, give the answers being written NET_STOP_GRACE
 * seconds, then close the rest.  Once no connection is left on any worker
 * their loops end, worker 0's last (event_base_loopbreak).  A second call
 * closes everything at once.  Call it from worker 0's loop.
 */
void	net_stop(void);

/*
 * Wait for the workers' threads, and free every connection, listener,
 * loop but worker 0's and the context, for a clean exit.
 */
void	net_shutdown(void);

/* Open connections on all workers, for the tests and the log. */
size_t	net_conns(void);

/*
 * The context this request is served from.  The first call takes a
 * reference, so call it only once the request is read; it is dropped when
 * the connection closes.
 */
void		*conn_ctx(struct conn *);

/* The data block that came after the request line, or NULL (none). */
const char	*conn_data(struct conn *, size_t *);

/*
 * The host the request is served for, for the access line: HOST must
 * live as long as the context (conn_ctx).
 */
void		 conn_set_host(struct conn *, const char *);

/*
 * The client certificate a TLS connection of a front with client_cert
 * came with: its SHA-256, whether now is within its validity (its
 * notBefore and notAfter), and, when CC->ca names issuers (a rule's ca,
 * access.h; set it before the call, NULL for none), whether they issued
 * it.  The handshake accepts any certificate, and a session made with one
 * is never resumed (tls.h), so it is always the one this connection
 * proved it holds the key of.  Fills CC and returns CC->present: false for none
 * (or a plain connection).
 */
struct conn_cert {
	const void	*ca;		/* in: issuers to check, or NULL */
	bool		 present;
	bool		 valid;
	bool		 by_ca;		/* issued by CA (its signature;
					   the dates are VALID's) */
	unsigned char	 sha256[32];
};
bool		 conn_cert(struct conn *, struct conn_cert *);
/* The event loop of the worker C lives on (for conn_job()). */
struct event_base *conn_base(struct conn *);

/*
 * Call FN(ARG) when C is freed, once, on C's worker (NULL: nothing); a
 * second call replaces the first.
 */
void		 conn_on_free(struct conn *, void (*)(void *), void *);

/*
 * Run WORK(ARG) on a thread of its own, off every loop (for what may
 * block: a write and its fsync), then DONE(C, ARG) on C's worker; if C
 * was freed meanwhile, DONE(NULL, ARG).  DONE owns ARG.  Returns 0, or
 * -1 (nothing started, ARG still the caller's).  conn.c.
 */
int		 conn_job(struct conn *, void (*)(void *),
		    void (*)(struct conn *, void *), void *);

/* The request as the access line shows it: REQ instead of the line. */
void		 conn_set_req(struct conn *, const char *);

/*
 * Once the loops have ended: wait SECONDS at most for jobs still
 * running.  0, or -1 (logged) if one still is: the caller then exits
 * without net_shutdown(), whose freeing the job would race.  conn.c.
 */
int		 conn_jobs_wait(int);

/*
 * At net_shutdown(), once conn_jobs_wait() is done: end the jobs whose
 * end their loop, stopped, never ran: DONE(NULL, ARG).  conn.c.
 */
void		 conn_jobs_end(void);

/*
 * The client's address SA for the log into HOST (of LEN): in full, or with
 * ANON only its network, IPv4 /24 and IPv6 /48, the rest zeroed; "unix"
 * for a Unix peer.  conn.c.
 */
void		 net_peer_name(bool, const struct sockaddr *, int, char *,
		    size_t);

/*
 * The client's address: the peer's, or behind a proxy the one its PROXY
 * header names; what the budget, the rate limit and the log count.
 */
const struct sockaddr *conn_client_addr(struct conn *, socklen_t *);

/*
 * Count a refusal; true when it is time to log (the first one, then once
 * per NET_WARN_INTERVAL), with *N set to the refusals that line stands
 * for.  conn.c.
 */
bool		 net_refusal_due(unsigned int *, time_t *, unsigned int *);

/* The protocol C's request is counted under, if not its front's. */
void		 conn_set_proto(struct conn *, const char *);

/* The SNI host name the client sent, or NULL (plain, or none sent). */
const char	*conn_sni(struct conn *);

/*
 * The local address the connection arrived on, or NULL (with *LEN unset)
 * if it cannot be known.
 */
const struct sockaddr *conn_local_addr(struct conn *, socklen_t *);

/*
 * True if HOST is an IP literal naming the address the connection came in
 * on: a client may ask for that instead of the host name.  Any other
 * address is a request for another server.  conn.c.
 */
bool	conn_is_local_addr(struct conn *, const char *);

/*
 * Queue a copy of the bytes.  Queue an answer in whatever pieces suit
 * (a status line, then a body): over TLS, one that fits in a record
 * leaves as one record all the same.
 */
void	conn_reply(struct conn *, const void *, size_t);
void	conn_replyf(struct conn *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Queue bytes that live in conn_ctx(c), without copying them. */
void	conn_reply_ref(struct conn *, const void *, size_t);

/*
 * Queue bytes held by a reference of the caller's, without copying them:
 * DROP(DATA, LEN, ARG) is called once they are written or the connection
 * is gone (at once if they cannot be queued).  Nothing is allocated.
 * DROP NULL: they live in conn_ctx(c), as with conn_reply_ref().
 */
void	conn_reply_held(struct conn *, const void *, size_t,
	    void (*)(const void *, size_t, void *), void *);

/*
 * Queue LEN bytes of the open file FD from OFFSET, after what is queued
 * already.  The connection owns FD from the call on (it is closed when the
 * connection closes, also on error).  The file is read NET_FILE_CHUNK
 * bytes at a time as the client takes them, over TLS too, so a large file
 * costs no more memory than a small one; it must not shrink meanwhile (if
 * it does, the transfer is cut and logged).  At most one file per
 * connection, and nothing may be queued after it.  Call conn_done() as
 * usual.  Returns 0, or -1 (FD closed, nothing queued).
 */
int	conn_reply_file(struct conn *, int, off_t, off_t);

/*
 * The answer is complete: STATUS (e.g. "20", "3") goes to the access log
 * with WHY (or NULL); the connection closes once the output has drained.
 * C must not be used after this call.
 */
void	conn_done(struct conn *, const char *, const char *);

/*
 * The write rate check: true when a reader whose progress (bytes it has
 * acknowledged) was MARK at the start of a window of SECONDS and is NOW
 * has taken NET_WRITE_RATE_MIN bytes a second.  NOW below MARK (the
 * mark counts the handshake, which the client may not have acknowledged
 * yet) is no progress, not a wrapped difference.
 */
bool	net_rate_ok(uint64_t, uint64_t, int);	/* conn.c */

#endif
