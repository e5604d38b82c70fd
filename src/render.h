/*
 * render: turn the site's pages into the exact bytes each protocol sends,
 * once per load.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>

struct buf;
struct gemtext;
struct page;
struct site;

/* Render every page of S.  Returns 0, or -1 if memory ran out. */
int	render_site(struct site *);

/*
 * Render a page generated per request (a search result) as a Gopher menu,
 * with the site's host, port and item types.  Returns 0 or -1.
 */
int	render_gophermap(const struct site *, const struct gemtext *,
	    const char *, struct buf *);

#endif
