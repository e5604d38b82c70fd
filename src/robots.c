/*
 * robots: the robots.txt zeche writes when a capsule has none: a group
 * for each of Gemini's virtual user-agents, then one for "*", each asking
 * the site's generated sections what to keep indexers out of.  Knows no
 * protocol and no file; the loader adds the page.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "robots.h"
#include "section.h"
#include "site.h"

/*
 * The default /robots.txt (text/plain, UTF-8 without a BOM, the same over
 * every protocol), its comments in the host's language (msg.c), for
 * Gemini's virtual user-agents (geminiprotocol.net/docs/companion/
 * robots.gmi):
 *
 *	archiver		everything
 *	indexer, researcher	everything but what the sections name:
 *				searches, which have no end, and list
 *				pages past the first
 *	webproxy		nothing, so that Gemini-to-HTTP proxies do
 *				not mirror the capsule onto the web
 *	*			everything
 *
 * Only "User-agent" and "Disallow" with plain prefixes, one agent to a
 * group, "*" last: a crawler that reads no more than that (Kennedy obeys
 * the union of "*" and "indexer") and one that follows RFC 9309 (the
 * most specific group, the longest match) reach the same verdict on every
 * path, since the "*" group forbids nothing.
 */
/*
 * Section SEC's Disallow lines, but those of a path that needs a client
 * certificate: robots.txt is served to all, and names no closed area.
 */
static void
add_rules(struct buf *out, const struct site *s, const struct section *sec)
{
	struct buf	 tmp = BUF_INIT;
	const char	*p, *eol, *end, *next;
	char		 path[1024];
	size_t		 n;

	sec->ops->robots(sec->ctx, &tmp);
	if (tmp.failed || tmp.len == 0) {
		out->failed |= tmp.failed;
		buf_free(&tmp);
		return;
	}
	for (p = tmp.data, end = tmp.data + tmp.len; p < end; p = next) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		next = eol < end ? eol + 1 : end;
		n = (size_t)(eol - p);
		if (n > 10 && n - 10 < sizeof(path) &&
		    strncmp(p, "Disallow: ", 10) == 0) {
			memcpy(path, p + 10, n - 10);
			path[n - 10] = '\0';
			if (site_is_closed(s, path))
				continue;
		}
		buf_add(out, p, (size_t)(next - p));
	}
	buf_free(&tmp);
}

static void
robots_group(struct buf *out, const struct site *s, enum msg comment,
    const char *agent, bool sections, const char *disallow)
{
	size_t		 i, len;

	buf_addf(out, "\n%s\nUser-agent: %s\n", msg_get(s->msg, comment),
	    agent);
	len = out->len;
	for (i = 0; sections && i < s->nsections; i++)
		if (s->sections[i].ops->robots != NULL)
			add_rules(out, s, &s->sections[i]);
	/* a group has at least one rule: an empty Disallow allows all */
	if (out->len == len)
		buf_addf(out, "Disallow:%s%s\n", disallow[0] != '\0' ?
		    " " : "", disallow);
}

void
robots_make(struct buf *out, const struct site *s)
{
	buf_adds(out, msg_get(s->msg, MSG_ROBOTS));
	robots_group(out, s, MSG_ROBOTS_ARCHIVER, "archiver", false, "");
	robots_group(out, s, MSG_ROBOTS_INDEXER, "indexer", true, "");
	robots_group(out, s, MSG_ROBOTS_INDEXER, "researcher", true, "");
	robots_group(out, s, MSG_ROBOTS_WEBPROXY, "webproxy", false, "/");
	robots_group(out, s, MSG_ROBOTS_ALL, "*", false, "");
}
