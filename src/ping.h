/*
 * ping: tell aggregators that a feed changed (zeche.conf(5): "ping URL",
 * "ping_interval SECONDS", per host; off unless a host names one).
 *
 * When a reload brings a new or changed article (its page's bytes, title
 * or date differ from the old snapshot's, or the folder had no posts),
 * the feed of its folder (FOLDER/atom.xml, its gemini:// address) is
 * queued once for each submit URL of its host.  A thread of its own, not
 * a serving loop nor the reload, requests SUBMIT "?" FEED (the feed's
 * address percent-encoded) over Gemini, one request at a time, each
 * bounded in time (PING_TIMEOUT seconds to connect, and as many for the
 * rest) and in the answer it reads (PING_ANSWER_MAX bytes), and logs its
 * status line.  A feed is pinged at most once per ping_interval: a change
 * within it is sent when the interval has passed.
 *
 * Name resolution is tried for every ping; when it fails, the addresses
 * of the host's last success are used.  Under --user (always with
 * --config: pings are set in the file only) the hosts are resolved
 * before confinement (ping_prepare()), as Landlock then keeps the
 * resolver's files from the process, and Landlock lets it connect to
 * their ports only (sandbox_allow_connect()).
 *
 * The TLS client verifies no certificate: a ping carries only a public
 * address, and Gemini's trust on first use would need a store of known
 * hosts kept across restarts; a forged answer can only make the log
 * wrong.  It sends SNI, and speaks TLS 1.2 or later.
 */
#ifndef PING_H
#define PING_H

#include <stddef.h>

struct buf;
struct conf;
struct server;

#define PING_TIMEOUT		10	/* seconds: connect; the rest */
#define PING_ANSWER_MAX		4096	/* bytes of an answer read */
#define PING_INTERVAL		300	/* default ping_interval, seconds */
#define PING_ADDRS_MAX		8	/* addresses kept of an aggregator */

/*
 * On a reload, before NEW is swapped in for OLD (both borrowed for the
 * call only): queue a ping per submit URL of each feed of NEW with a new
 * or changed article, and log what was queued.  Starts the ping thread
 * the first time it has work.  Never blocks on the network.
 */
void	ping_reload(const struct server *, const struct server *);

/*
 * Before the process is confined (--user with --config): resolve the
 * host of every ping URL of CONF now, as later the resolver's files
 * cannot be read, and put the distinct ports they name (at most MAX)
 * into PORTS, for Landlock to allow connecting to.  Returns how many.
 * A host that does not resolve is logged.  With or without it, a ping
 * whose host does not resolve goes to the addresses it resolved to
 * last; after it, a failure to resolve a host never resolved, or a
 * connection Landlock denies, is logged as needing a restart.
 */
size_t	ping_prepare(const struct conf *, unsigned short *, size_t);

/*
 * The request line for SUBMIT (a gemini:// URL without a query or a
 * fragment) and the feed address FEED: SUBMIT "?" FEED percent-encoded
 * (all but unreserved characters), CRLF, into OUT; the host (no
 * brackets) and port (default 1965) to connect to into HOST and PORT.
 * Returns 0, or -1 with errstr (pure).
 */
int	ping_request(const char *, const char *, struct buf *, char *,
	    size_t, char *, size_t, const char **);

#endif
