/*
 * render: turn the site's pages into the exact bytes each protocol sends,
 * once per load.  Each protocol has a renderer that fills its column of
 * every page (page->out[proto]); protocols that are off are not rendered.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>

struct buf;
struct gemtext;
struct page;
struct site;

/* Render every page of S for each enabled protocol.  0, or -1 (memory). */
int	render_site(struct site *);

/* The renderers of the protocol table: 0, or -1 if memory ran out. */
int	render_gemini(const struct site *, struct page *);
int	render_gopher(const struct site *, struct page *);

/*
 * Render a page generated per request (a search result) as a Gopher menu,
 * with the site's host, port and item types.  Returns 0 or -1.
 */
int	render_gophermap(const struct site *, const struct gemtext *,
	    const char *, struct buf *);

#endif
