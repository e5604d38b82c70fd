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
 * The TLS client verifies no certificate: a ping carries only a public
 * address, and Gemini's trust on first use would need a store of known
 * hosts kept across restarts; a forged answer can only make the log
 * wrong.  It sends SNI, and speaks TLS 1.2 or later.
 */
#ifndef PING_H
#define PING_H

#include <stddef.h>

struct buf;
struct server;

#define PING_TIMEOUT		10	/* seconds: connect; the rest */
#define PING_ANSWER_MAX		4096	/* bytes of an answer read */
#define PING_INTERVAL		300	/* default ping_interval, seconds */

/*
 * On a reload, before NEW is swapped in for OLD (both borrowed for the
 * call only): queue a ping per submit URL of each feed of NEW with a new
 * or changed article, and log what was queued.  Starts the ping thread
 * the first time it has work.  Never blocks on the network.
 */
void	ping_reload(const struct server *, const struct server *);

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
